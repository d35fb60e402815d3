//! `cargo fuzz run scenario`: arbitrary bytes as a host-example replay scenario (JSONL).
//! The per-input function lives in `harness/scenario.rs`, shared with `tests/fuzz_corpus.rs`.
#![no_main]

#[path = "../harness/scenario.rs"]
mod scenario;
// `replay.rs` and `sandbox.rs` name their siblings `crate::app`, `crate::db`, …
use scenario::{app, db, runtime, sandbox};

libfuzzer_sys::fuzz_target!(|data: &[u8]| scenario::run(data));
