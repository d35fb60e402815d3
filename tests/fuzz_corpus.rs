//! The kept fuzz corpora as a plain `cargo test` regression test (no libFuzzer, no nightly):
//! every file of `tests/fuzz/corpus/<target>/` and `tests/fuzz/crashes/<target>/` goes through
//! the same per-input function the `cargo fuzz` target runs (`tests/fuzz/harness/*.rs`,
//! included here by `#[path]`), so CI replays what the fuzzers found interesting.
//!
//! `tests/fuzz/README.md` tells how to fuzz further and refresh the corpus.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

#[path = "fuzz/harness/ingest.rs"]
mod ingest;
#[path = "fuzz/harness/scenario.rs"]
mod scenario;
// `replay.rs` and `sandbox.rs` name their siblings `crate::app`, `crate::db`, …
use scenario::{app, db, runtime, sandbox};

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(dir);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.expect("a readable directory entry").path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Runs every file through `run`; fails naming every file that panics, and why.
fn replay(dir: &str, run: fn(&[u8])) -> usize {
    let files = files(dir);
    let mut failures = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("a readable corpus file");
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    files.len()
}

#[test]
fn ingest_corpus_replays_without_a_finding() {
    let n = replay("corpus/ingest", ingest::run);
    assert!(n >= 50, "the ingest corpus is missing ({n} files)");
}

#[test]
fn scenario_corpus_replays_without_a_finding() {
    let n = replay("corpus/scenario", scenario::run);
    assert!(n >= 50, "the scenario corpus is missing ({n} files)");
}

/// Inputs that crashed a fuzz target, kept so the bug stays fixed.
#[test]
fn ingest_crashes_stay_fixed() {
    replay("crashes/ingest", ingest::run);
}

#[test]
fn scenario_crashes_stay_fixed() {
    replay("crashes/scenario", scenario::run);
}

/// The seeds the corpora grew from pass too (SP-API sandbox fixtures, scenario files).
#[test]
fn seed_inputs_replay_without_a_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for dir in ["fixtures/spapi", "scenarios"] {
        let mut seen = 0;
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            if dir == "scenarios" {
                scenario::run(&data);
            } else {
                ingest::run(&data);
            }
            seen += 1;
        }
        assert!(seen > 5, "{dir} has no seeds");
    }
}
