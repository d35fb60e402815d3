//! `cargo fuzz run ingest`: SP-API bodies through parse, decide, build_draft and the push hook.
//! The per-input function lives in `harness/ingest.rs`, shared with `tests/fuzz_corpus.rs`.
#![no_main]

#[path = "../harness/ingest.rs"]
mod ingest;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ingest::run(data));
