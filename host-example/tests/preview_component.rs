//! The JS package's `previewImport` against the real component: every order of the shared
//! preview fixtures (`tests/fixtures/preview/`) pushed through `on-amazon-order` of the wasm
//! component in wasmtime gets the decision, reason and blockers the preview showed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use amazon_order_sync::preview::{self, PreviewDecision};
use host_example::app::{default_component_path, push, Sim};
use host_example::db::Db;
use host_example::runtime::Limits;
use serde_json::Value;

const STORE: &str = "preview";

fn input(fixture: &Value, key: &str) -> String {
    fixture.get(key).unwrap_or(&Value::Null).to_string()
}

/// The component's decision kind for a preview decision.
fn kind(decision: PreviewDecision) -> &'static str {
    match decision {
        PreviewDecision::Create | PreviewDecision::Complete => "create",
        PreviewDecision::Blocked => "blocked",
        PreviewDecision::Wait | PreviewDecision::ViewOnly => "record-only",
        PreviewDecision::Skip => "skip",
        PreviewDecision::Cancel => "cancel",
    }
}

#[test]
fn every_preview_equals_what_the_component_decides() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/preview");
    let mut compared = 0;
    for path in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (orders, catalog, settings, store) = (
            input(&fixture, "orders"),
            input(&fixture, "catalog"),
            input(&fixture, "settings"),
            input(&fixture, "store"),
        );
        let entries = preview::preview_import_json(&orders, &catalog, &settings, &store).unwrap();
        let snapshots = preview::parse_orders_input(&orders).unwrap();
        let store = preview::parse_store(&store).unwrap();
        let mut extra: BTreeMap<String, String> = preview::parse_settings(&settings)
            .unwrap()
            .to_pairs()
            .into_iter()
            .collect();
        extra.insert("store_name".to_owned(), store.name.clone());
        let products: Vec<Value> = serde_json::from_str(&catalog).unwrap_or_default();
        for (entry, snapshot) in entries.iter().zip(&snapshots) {
            let at = format!("{name} / {}", entry.amazon_order_id);
            // A fresh store per order: the preview judges each order on its own.
            let mut sim = Sim::new(
                &default_component_path(),
                Db::open_in_memory().unwrap(),
                Limits::default(),
            )
            .unwrap();
            sim.add_store(
                STORE,
                &store.marketplace_id,
                &store.integrated_at.to_rfc3339(),
                &extra,
                true,
            )
            .unwrap();
            for p in &products {
                sim.product(
                    p["sku"].as_str().unwrap(),
                    None,
                    p["enabled"].as_bool().unwrap(),
                    p["qty"].as_i64(),
                )
                .unwrap();
            }
            let decided = push(
                &mut sim.rt,
                STORE,
                1_795_867_200_000,
                &serde_json::to_value(&snapshot.order).unwrap(),
                &serde_json::to_value(&snapshot.items).unwrap(),
            )
            .unwrap_or_else(|e| panic!("{at}: {e:#}"));
            assert_eq!(decided.kind, kind(entry.decision), "{at}: decision");
            assert_eq!(decided.reason, entry.reason, "{at}: reason");
            let blockers: Vec<(String, String, String)> = entry
                .blockers
                .iter()
                .map(|b| (b.sku.clone(), b.kind.as_str().to_owned(), b.message.clone()))
                .collect();
            let got: Vec<(String, String, String)> = decided
                .blockers
                .iter()
                .map(|b| (b.sku.clone(), b.kind.clone(), b.message.clone()))
                .collect();
            assert_eq!(got, blockers, "{at}: blockers");
            if !snapshot.items.is_empty() {
                assert_eq!(
                    decided.table_status,
                    entry.table_status.as_str(),
                    "{at}: table status"
                );
            }
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} orders compared");
}
