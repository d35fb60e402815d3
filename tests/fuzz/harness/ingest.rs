//! The per-input function of the `ingest` fuzz target, shared (via `#[path]`) by
//! `tests/fuzz/fuzz_targets/ingest.rs` (libFuzzer) and `tests/fuzz_corpus.rs` (the corpus as a
//! plain `cargo test` regression test).
//!
//! Input: `<order document> NUL <items document>` (no NUL = no items document). The order
//! document is tried as a getOrders response and as one order (an `Order` or a getOrder
//! response); the items document as an `OrderItems` array or a getOrderItems response. Both go
//! through the SP-API ingest path the way Amazon's bodies and the push hook do:
//!
//! - `parse_get_orders`, `parse_get_order_items`, `parse_order`, `parse_order_items`;
//! - for every parsed order: `decide` (new order, and again with the row it would leave
//!   stored), `order_builder::build_draft`;
//! - `Engine::on_amazon_order` on a `MemoryHost` with the raw text, and with every parsed order
//!   re-serialized, twice (the replay reads the stored row back).
//!
//! Nothing may panic. Errors are fine, but these invariants are checked:
//! - what the crate's JSON reader accepts is JSON (serde_json agrees, below its nesting limit);
//! - a getOrders page read order by order to its end is JSON, gives the orders a full read
//!   gives, and stopped halfway leaves a rest that reads as the orders from there on;
//! - a parsed order or item list survives its own serialization (`parse ∘ to_string = id`):
//!   rows are stored as that JSON and read back on every later snapshot;
//! - a failed `on_amazon_order` leaves storage and Commerce orders exactly as they were;
//! - a successful one leaves a row that `order_detail` and `list_orders` can read.

use amazon_order_sync::amazon::{
    parse_get_order_items, parse_get_orders, parse_order, parse_order_items, read_get_orders_page,
    Order, OrderItem, PageOrder, PageRead, Sent, MAX_LINE_QUANTITY,
};
use amazon_order_sync::blockers::{quantities_by_sku, CatalogFacts, ProductFact};
use amazon_order_sync::decide::{decide, next_row, Action, Snapshot};
use amazon_order_sync::engine::Engine;
use amazon_order_sync::grid::OrderQuery;
use amazon_order_sync::memory::MemoryHost;
use amazon_order_sync::order_builder::build_draft;
use amazon_order_sync::row::AmazonOrderRow;
use amazon_order_sync::settings::StoreConfig;
use chrono::{DateTime, Utc};
use core::ops::ControlFlow;

const STORE: &str = "fuzz-us";
const MARKETPLACE: &str = "ATVPDKIKX0DER";
/// Early enough that the sandbox fixtures' 1970 dates are imported, not skipped.
const INTEGRATED_AT: &str = "1970-01-01T00:00:00Z";
/// Orders of one getOrders page that go through decide/build/engine (the parse sees them all).
const MAX_ORDERS: usize = 4;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_795_000_000_000).expect("a valid instant")
}

fn host() -> MemoryHost {
    let mut host = MemoryHost::new(now());
    host.add_store(
        STORE,
        MARKETPLACE,
        INTEGRATED_AT,
        &[("reserve_pending", "true")],
    );
    host
}

/// Runs one fuzz input. Panics (= a finding) only on a bug.
pub fn run(data: &[u8]) {
    // Bodies reach the engine as `String`s (the WIT `string`, `ureq`'s `read_to_string`), so
    // non-UTF-8 never gets here; lossy decoding keeps such inputs useful rather than wasted.
    let text = String::from_utf8_lossy(data);
    let (orders_doc, items_doc) = text.split_once('\0').unwrap_or((&text, ""));

    let mut orders: Vec<Sent<Order>> = Vec::new();
    let mut unreadable = 0;
    let page = read_get_orders_page(orders_doc, |order| {
        match order {
            PageOrder::Read(order) => orders.push(order),
            PageOrder::Unreadable(..) => unreadable += 1,
        }
        ControlFlow::<()>::Continue(())
    });
    if matches!(page, Ok(PageRead::Done(_))) {
        check_is_json(orders_doc);
    }
    if let Ok(list) = parse_get_orders(orders_doc) {
        check_is_json(orders_doc);
        assert_eq!(
            unreadable, 0,
            "an order of a page that reads in full did not"
        );
        let done = PageRead::Done(list.next_token.clone());
        assert_eq!(
            page.expect("a page that reads in full reads order by order"),
            done
        );
        assert_eq!(orders.len(), list.orders.len());
        for (lazily, order) in orders.iter().zip(&list.orders) {
            assert_eq!(&**lazily, order, "an order read order by order differs");
        }
        // Stopped halfway, the rest it leaves reads as the orders from there on.
        let stop_at = orders.len() / 2;
        let mut handed = 0;
        let stopped = read_get_orders_page(orders_doc, |_| {
            handed += 1;
            if handed > stop_at {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if let Ok(PageRead::Stopped((), rest)) = stopped {
            // What storage holds: the two parts joined.
            let rest = rest.concat();
            let mut after = Vec::new();
            let read = read_get_orders_page(&rest, |order| {
                if let PageOrder::Read(order) = order {
                    after.push(order);
                }
                ControlFlow::<()>::Continue(())
            });
            assert_eq!(read.expect("the rest of a page reads"), done);
            assert_eq!(after, orders[stop_at..], "the rest of a page differs");
        } else {
            assert!(orders.is_empty(), "a page stopped halfway: {stopped:?}");
        }
    } else {
        orders.clear();
    }
    if let Ok(order) = parse_order(orders_doc) {
        check_is_json(orders_doc);
        orders.push(order);
    }
    let mut items = Sent::<Vec<OrderItem>>::none();
    if let Ok(list) = parse_get_order_items(items_doc) {
        check_is_json(items_doc);
        check_items(&list.order_items);
    }
    if let Ok(parsed) = parse_order_items(items_doc) {
        check_is_json(items_doc);
        check_items(&parsed);
        items = parsed;
    }

    let pairs = host()
        .settings
        .remove(STORE)
        .expect("the store is configured");
    let config =
        StoreConfig::from_pairs(STORE, &pairs).expect("the fuzz store's settings are valid");
    for order in orders.iter().take(MAX_ORDERS) {
        check_order_round_trip(order);
        let snapshot = Snapshot {
            order: order.clone(),
            items: items.clone(),
        };
        let catalog = catalog_for(&items);
        let first = decide(
            None,
            &snapshot,
            &catalog,
            &config.orders,
            &config.integration,
        );
        let row = next_row(None, snapshot.clone(), &first, STORE, &config.orders, None);
        // The row stores the order and items as they came: it must still be JSON, and read back.
        let stored = row.to_json();
        check_is_json(&stored);
        assert_eq!(
            AmazonOrderRow::from_json(&stored).as_ref(),
            Ok(&row),
            "a row changed through its JSON"
        );
        // The same snapshot again, over the row it left.
        let _ = decide(
            Some(&row),
            &snapshot,
            &catalog,
            &config.orders,
            &config.integration,
        );
        if matches!(first.action, Action::Blocked) {
            assert!(!first.blockers.is_empty(), "blocked without a blocker");
        }
        if let Ok(draft) = build_draft(order, &items, &config.orders, &config.integration) {
            assert!(!draft.lines.is_empty(), "a draft without lines");
            assert!(
                draft
                    .lines
                    .iter()
                    .all(|l| l.qty > 0 && l.qty <= MAX_LINE_QUANTITY),
                "a draft line with a quantity out of range"
            );
        }
    }

    // The push hook on the raw documents: errors are fine, a half-stored order is not.
    let mut engine = Engine::new(host());
    push(&mut engine, orders_doc, items_doc);
    // Every parsed order through the hook, twice: the second call reads the stored row back.
    let items_json = serde_json::to_string(&items).expect("items serialize");
    for order in orders.iter().take(MAX_ORDERS) {
        let order_json = serde_json::to_string(order).expect("an order serializes");
        for catalog in [false, true] {
            if catalog {
                for wanted in quantities_by_sku(&items) {
                    engine
                        .host
                        .set_product(&wanted.sku, true, Some(i64::from(wanted.qty)));
                }
            }
            push(&mut engine, &order_json, &items_json);
        }
    }
}

fn catalog_for(items: &[OrderItem]) -> CatalogFacts {
    quantities_by_sku(items)
        .into_iter()
        .map(|q| ProductFact {
            name: q.sku.clone(),
            sku: q.sku,
            enabled: true,
            qty: Some(i64::from(q.qty)),
        })
        .collect()
}

/// `on_amazon_order` with the before/after checks.
fn push(engine: &mut Engine<MemoryHost>, order_json: &str, items_json: &str) {
    let storage = engine.host.storage.clone();
    let commerce = engine.host.orders.clone();
    match engine.on_amazon_order(STORE, now(), order_json, items_json) {
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an error without a message");
            assert_eq!(
                engine.host.storage, storage,
                "a failed push changed storage: {e}"
            );
            assert_eq!(
                engine.host.orders, commerce,
                "a failed push changed Commerce: {e}"
            );
        }
        Ok(outcome) => {
            if outcome.table_status.is_some() {
                let id = &outcome.amazon_order_id;
                let detail = engine.order_detail(STORE, id);
                assert!(
                    matches!(detail, Ok(Some(_))),
                    "the stored row of {id} cannot be read back: {detail:?}"
                );
            }
            let listed = engine.list_orders(STORE, &OrderQuery::default());
            assert!(listed.is_ok(), "the grid cannot be listed: {listed:?}");
        }
    }
}

/// serde_json (as the reference parser) accepts what the crate's reader accepted; it refuses
/// nesting past 128 levels, which the reader skips, so deeper documents are not compared.
fn check_is_json(json: &str) {
    let opened = json.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if opened < 120 {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(json) {
            panic!("the reader accepted what is not JSON ({e}): {json:?}");
        }
    }
}

/// Both texts of an order, Amazon's (kept in the row) and the one serde writes, read back as
/// the same order.
fn check_order_round_trip(order: &Sent<Order>) {
    let json = serde_json::to_string(order).expect("an order serializes");
    for text in [json.as_str(), order.json()] {
        match parse_order(text) {
            Ok(back) => assert_eq!(*back, **order, "an order changed through its JSON: {text}"),
            Err(e) => panic!("a parsed order does not parse back: {e}\n{text}"),
        }
    }
}

fn check_items(items: &Sent<Vec<OrderItem>>) {
    for item in items.iter() {
        assert!(item.quantity_ordered <= MAX_LINE_QUANTITY);
        assert!(item.quantity_shipped.unwrap_or(0) <= item.quantity_ordered);
    }
    let json = serde_json::to_string(items).expect("items serialize");
    for text in [json.as_str(), items.json()] {
        match parse_order_items(text) {
            Ok(back) => assert_eq!(*back, **items, "items changed through their JSON: {text}"),
            Err(e) => panic!("parsed items do not parse back: {e}\n{text}"),
        }
    }
}
