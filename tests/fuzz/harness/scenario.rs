//! The per-input function of the `scenario` fuzz target, shared (via `#[path]`) by
//! `tests/fuzz/fuzz_targets/scenario.rs` (libFuzzer) and `tests/fuzz_corpus.rs`.
//!
//! `host_example::replay::run` parses a line and runs it at once against a `Sim` (the wasmtime
//! component plus a loopback HTTP sandbox), and its `Step` type is private: parsing and running
//! are entangled, and one `Sim` costs a component instantiation and a listening socket. So this
//! harness compiles the real `host-example/src/replay.rs` and `host-example/src/sandbox.rs`
//! *source files* unchanged, next to stand-ins for the wasmtime half (`app::Sim`, `db::Db`,
//! `runtime::Limits`) that accept every call. What is fuzzed is everything of the replay that
//! is not the component: the JSONL line parser (serde's `Step`), the dispatch, the `cron.now`
//! parse (`sandbox::parse_iso`), the `fault` validation and the progress formatting.
//!
//! The crate root that includes this file must bring the stand-ins into scope under the names
//! `replay.rs` and `sandbox.rs` use (`crate::app`, `crate::db`, `crate::runtime`,
//! `crate::sandbox`): `use scenario::{app, db, runtime, sandbox};`.
//!
//! Invariant checked besides "no panic": a run that fails fails with a `ReplayError` naming a
//! line that exists (the replay's contract: "a malformed line stops the run with its line
//! number"), and a run that succeeds went through every non-blank line.

use std::path::Path;

/// Stand-in for `host_example::app`: the `Sim` surface `replay.rs` calls, accepting everything.
pub mod app {
    use std::collections::BTreeMap;

    use anyhow::Result;
    use serde::Serialize;
    use serde_json::Value;

    use super::{db::Db, runtime::Limits};

    #[derive(Debug, Clone, Serialize)]
    pub struct TickOutcome {
        pub store: String,
        pub status: String,
        pub pulled: u32,
        pub created: u32,
        pub blocked: u32,
        pub completed: u32,
        pub canceled: u32,
        pub pushed: u32,
        pub skipped: u32,
        pub errors: Vec<String>,
        pub fuel: u64,
    }

    #[derive(Debug, Default, Serialize)]
    pub struct Snapshot {
        pub steps: usize,
        pub stores: Vec<String>,
    }

    /// Stand-in for the `Sandbox` fault switches; counts the calls.
    #[derive(Debug, Default)]
    pub struct Faults {
        pub calls: std::cell::Cell<usize>,
    }

    impl Faults {
        pub fn throttle(&self, _count: u32, _op: Option<&str>, _after: u32) {
            self.calls.set(self.calls.get() + 1);
        }

        pub fn fail(&self, _count: u32, _op: Option<&str>, _after: u32) {
            self.calls.set(self.calls.get() + 1);
        }
    }

    #[derive(Debug, Default)]
    pub struct Sim {
        pub sandbox: Faults,
        steps: usize,
        stores: Vec<String>,
    }

    impl Sim {
        pub fn new(_component: &std::path::Path, _db: Db, _limits: Limits) -> Result<Sim> {
            Ok(Sim::default())
        }

        pub fn add_store(
            &mut self,
            code: &str,
            _marketplace_id: &str,
            _integrated_at: &str,
            _extra: &BTreeMap<String, String>,
            _allow_listed: bool,
        ) -> Result<()> {
            self.steps += 1;
            if !self.stores.iter().any(|s| s == code) {
                self.stores.push(code.to_owned());
            }
            Ok(())
        }

        pub fn product(
            &mut self,
            _sku: &str,
            _name: Option<&str>,
            _enabled: bool,
            _qty: Option<i64>,
        ) -> Result<()> {
            self.steps += 1;
            Ok(())
        }

        pub fn amazon_order(
            &mut self,
            _store: &str,
            _order: Value,
            _items: Vec<Value>,
        ) -> Result<()> {
            self.steps += 1;
            Ok(())
        }

        pub fn ship(
            &mut self,
            store: &str,
            _amazon_order_id: &str,
            _carrier: &str,
            _tracking: &str,
            _items: Option<Vec<(String, u32)>>,
        ) -> Result<String> {
            self.steps += 1;
            Ok(format!("{store}-{}", self.steps))
        }

        pub fn cancel(&mut self, _store: &str, _amazon_order_id: &str) -> Result<()> {
            self.steps += 1;
            Ok(())
        }

        pub fn cron(&mut self, _now: i64, fuel: Option<u64>) -> Vec<TickOutcome> {
            self.steps += 1;
            self.stores
                .iter()
                .map(|store| TickOutcome {
                    store: store.clone(),
                    status: "done".into(),
                    pulled: 0,
                    created: 0,
                    blocked: 0,
                    completed: 0,
                    canceled: 0,
                    pushed: 0,
                    skipped: 0,
                    errors: vec!["stand-in".into()],
                    fuel: fuel.unwrap_or_default(),
                })
                .collect()
        }

        pub fn snapshot(&mut self) -> Result<Snapshot> {
            Ok(Snapshot {
                steps: self.steps + self.sandbox.calls.get(),
                stores: self.stores.clone(),
            })
        }
    }

    /// `sandbox.rs` calls it from `load_dir`, which the replay never reaches.
    pub fn split_order_file(v: Value) -> (Value, Value) {
        (v, Value::Array(Vec::new()))
    }
}

/// Stand-in for `host_example::db`.
pub mod db {
    pub struct Db;
}

/// Stand-in for `host_example::runtime`.
pub mod runtime {
    pub struct Limits;
}

/// The real loopback sandbox source (only `parse_iso` and `OPERATIONS` are reached).
#[path = "../../../host-example/src/sandbox.rs"]
#[allow(dead_code, clippy::all)]
pub mod sandbox;

/// The real replay source.
#[path = "../../../host-example/src/replay.rs"]
#[allow(dead_code, clippy::all)]
pub mod replay;

/// Runs one fuzz input. Panics (= a finding) only on a bug.
pub fn run(data: &[u8]) {
    // `replay` reads the scenario with `read_to_string`: non-UTF-8 never reaches the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut progress = |line: &str| {
        assert!(
            line.starts_with('['),
            "a progress line without its line number: {line}"
        );
    };
    let result = replay::run(
        text,
        Path::new("stand-in.wasm"),
        db::Db,
        runtime::Limits,
        Some(&mut progress),
    );
    let lines = text.lines().count();
    let steps = text.lines().filter(|l| !l.trim().is_empty()).count();
    match result {
        Ok(snapshot) => {
            assert_eq!(snapshot.steps, steps, "a step was skipped or ran twice");
            let _ = replay::json_output(&snapshot);
        }
        Err(e) => {
            let Some(stop) = e.downcast_ref::<replay::ReplayError>() else {
                panic!("a replay failure without a line number: {e:#}");
            };
            assert!(
                (1..=lines).contains(&stop.line),
                "line {} of a {lines}-line scenario: {stop}",
                stop.line
            );
            assert!(
                !stop.reason.is_empty(),
                "an empty reason at line {}",
                stop.line
            );
        }
    }
}
