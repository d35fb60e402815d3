//! The JS package's `previewImport` promises "what the plugin would do". These tests hold it to
//! that: for every fixture in `tests/fixtures/preview/`, each order's preview equals what the
//! engine decides and does when the same order reaches a fresh in-memory host
//! (`Engine::on_amazon_order`), and the fixture's expected decisions hold.
//!
//! A fixture is `{description, store, settings, catalog, orders, expected}` with the inputs of
//! `previewImport` (the `wasm-bindgen-test` suite and the preview page's e2e test read the
//! same files) and `expected: [[amazonOrderId, decision], …]`.

use std::path::PathBuf;

use amazon_order_sync::engine::Engine;
use amazon_order_sync::memory::MemoryHost;
use amazon_order_sync::preview::{self, PreviewDecision, PreviewEntry};
use chrono::{DateTime, Utc};
use serde_json::Value;

const STORE: &str = "preview";

struct Fixture {
    name: String,
    json: Value,
}

impl Fixture {
    fn input(&self, key: &str) -> String {
        self.json.get(key).unwrap_or(&Value::Null).to_string()
    }

    fn preview(&self) -> Vec<PreviewEntry> {
        preview::preview_import_json(
            &self.input("orders"),
            &self.input("catalog"),
            &self.input("settings"),
            &self.input("store"),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }
}

fn fixtures() -> Vec<Fixture> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/preview");
    let mut found: Vec<Fixture> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| Fixture {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            json: serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(found.len() >= 4, "fixtures missing in {}", dir.display());
    found
}

fn now() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

/// A fresh memory host configured like the preview: the store, its settings and the catalog.
fn engine_for(fixture: &Fixture) -> Engine<MemoryHost> {
    let settings = preview::parse_settings(&fixture.input("settings")).unwrap();
    let store = preview::parse_store(&fixture.input("store")).unwrap();
    let catalog: Vec<Value> = serde_json::from_str(&fixture.input("catalog")).unwrap_or_default();

    let mut pairs: Vec<(String, String)> = vec![("store_name".into(), store.name.clone())];
    pairs.extend(settings.to_pairs());
    let extra: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut host = MemoryHost::new(now());
    host.add_store(
        STORE,
        &store.marketplace_id,
        &store.integrated_at.to_rfc3339(),
        &extra,
    );
    for product in &catalog {
        host.set_product(
            product["sku"].as_str().unwrap(),
            product["enabled"].as_bool().unwrap(),
            product["qty"].as_i64(),
        );
    }
    Engine::new(host)
}

#[test]
fn every_preview_equals_what_the_engine_does_with_the_same_order() {
    let mut compared = 0;
    for fixture in fixtures() {
        let entries = fixture.preview();
        let orders = fixture.input("orders");
        let snapshots = preview::parse_orders_input(&orders).unwrap();
        assert_eq!(entries.len(), snapshots.len(), "{}", fixture.name);
        for (entry, snapshot) in entries.iter().zip(&snapshots) {
            let id = &snapshot.order.amazon_order_id;
            let at = format!("{} / {id}", fixture.name);
            // Each order on a fresh host: the preview judges every order on its own.
            let mut engine = engine_for(&fixture);
            let outcome = engine
                .on_amazon_order(
                    STORE,
                    now(),
                    &serde_json::to_string(&snapshot.order).unwrap(),
                    &serde_json::to_string(&snapshot.items).unwrap(),
                )
                .unwrap_or_else(|e| panic!("{at}: {e}"));

            assert_eq!(entry.amazon_order_id, *id, "{at}");
            assert_eq!(
                entry.decision,
                PreviewDecision::of(&outcome.decision),
                "{at}: decision"
            );
            assert_eq!(entry.blockers, outcome.decision.blockers, "{at}: blockers");
            assert_eq!(
                entry.reason,
                outcome.decision.reason.to_string(),
                "{at}: reason"
            );
            // Orders given without items (getOrders pages) cannot be built into a Commerce
            // order; the engine always has the items (it fetches them), so the effects are
            // only compared where the fixture gives them.
            if !snapshot.items.is_empty() {
                let row_status = outcome.table_status;
                match entry.decision {
                    // A skipped order leaves no row.
                    PreviewDecision::Skip => assert_eq!(row_status, None, "{at}"),
                    _ => assert_eq!(row_status, Some(entry.table_status), "{at}: table status"),
                }
                let created = engine
                    .host
                    .commerce_order(STORE, id)
                    .map(|o| o.status.clone());
                assert_eq!(created, entry.commerce_status, "{at}: Commerce order");
            }
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} orders compared");
}

#[test]
fn fixtures_show_the_expected_decisions() {
    for fixture in fixtures() {
        let shown: Vec<(String, String)> = fixture
            .preview()
            .into_iter()
            .map(|e| (e.amazon_order_id, e.decision.as_str().to_owned()))
            .collect();
        let expected: Vec<(String, String)> =
            serde_json::from_value(fixture.json["expected"].clone())
                .unwrap_or_else(|e| panic!("{}: expected: {e}", fixture.name));
        assert_eq!(shown, expected, "{}", fixture.name);
    }
}

#[test]
fn the_fixtures_cover_every_decision() {
    let mut seen: Vec<PreviewDecision> = fixtures()
        .iter()
        .flat_map(|f| f.preview())
        .map(|e| e.decision)
        .collect();
    seen.sort_by_key(|d| d.as_str());
    seen.dedup();
    let all = [
        "blocked", "cancel", "complete", "create", "skip", "viewOnly", "wait",
    ];
    let names: Vec<&str> = seen.iter().map(|d| d.as_str()).collect();
    assert_eq!(names, all);
}
