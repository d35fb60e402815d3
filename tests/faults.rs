//! Reliability under host faults: whatever fails — a seeded 20 % of host calls, replies lost
//! after the host did the work, or a tick cut off after its k-th host call — a few clean ticks
//! later the store ends exactly where a fault-free run ends: no Commerce order twice, none lost.

mod common;

use std::collections::BTreeMap;

use amazon_order_sync::amazon::OrderStatus;
use amazon_order_sync::blockers::SkuQty;
use amazon_order_sync::engine::{CommerceEvent, Engine, Shipment};
use chrono::Duration;
use common::faulty::{seeded, Fault, FaultyHost, Policy};
use common::{engine, iso, item, order, STORE};

/// Ticks are 15 minutes apart: longer than the lease a cut-off tick leaves behind.
const GAP: i64 = 15;

fn put(
    e: &mut Engine<FaultyHost>,
    id: &str,
    status: &str,
    channel: &str,
    purchased: &str,
    sku: &str,
    qty: u32,
) {
    let now = e.host.inner.amazon.now;
    let o = order(id, status, channel, purchased, &iso(now));
    e.host
        .inner
        .amazon
        .put_order(o, vec![item(&format!("{id}-1"), sku, qty, "20.00")]);
}

fn tick(e: &mut Engine<FaultyHost>) {
    let now = e.host.inner.amazon.now + Duration::minutes(GAP);
    e.host.inner.amazon.now = now;
    // A tick may fail under faults; the next one repairs it.
    let _ = e.on_cron_tick(STORE, now);
}

/// The merchant ships once the Commerce order exists; the host retries the event until the
/// plugin accepts it, while ticks go on. After ten tries the faults stop.
fn ship_until_accepted(e: &mut Engine<FaultyHost>, id: &str) {
    for attempt in 0..50 {
        if attempt == 10 {
            e.host.policy = Box::new(|_, _| Fault::None);
        }
        if e.host.inner.commerce_order(STORE, id).is_none() {
            tick(e);
            continue;
        }
        let now = e.host.inner.amazon.now;
        let shipment = Shipment {
            store: STORE.into(),
            amazon_order_id: id.into(),
            shipment_id: "ship-1".into(),
            carrier: "fedex".into(),
            carrier_title: "Federal Express".into(),
            tracking_number: "7489".into(),
            items: vec![SkuQty {
                sku: "SKU-1".into(),
                qty: 1,
            }],
            shipped_at: now,
        };
        if e.on_commerce_event(now, CommerceEvent::Shipped(shipment))
            .is_ok()
        {
            return;
        }
        tick(e);
    }
    panic!("the shipment event was never accepted");
}

/// (SKU or order item id, quantity) pairs.
type Lines = Vec<(String, u32)>;

/// What the merchant and Amazon can see at the end.
#[derive(Debug, PartialEq, Eq)]
struct FinalState {
    commerce: BTreeMap<String, (String, Lines)>,
    rows: BTreeMap<String, String>,
    /// The store's row count as stored (what the grid's totals show).
    count: Option<String>,
    stock: BTreeMap<String, Option<i64>>,
    message: Option<String>,
    confirmations: Vec<(String, String, Lines)>,
    reservations: usize,
}

fn final_state(e: &mut Engine<FaultyHost>) -> FinalState {
    let host = &e.host.inner;
    let rows = host
        .storage
        .iter()
        .filter(|(k, _)| k.contains("/order/"))
        .map(|(k, v)| {
            let row: serde_json::Value = serde_json::from_str(v).unwrap();
            (k.clone(), row["table_status"].as_str().unwrap().to_owned())
        })
        .collect();
    FinalState {
        commerce: host
            .orders
            .iter()
            .map(|((_, id), o)| {
                let lines = o
                    .draft
                    .lines
                    .iter()
                    .map(|l| (l.sku.to_string(), l.qty))
                    .collect();
                (id.clone(), (o.status.clone(), lines))
            })
            .collect(),
        rows,
        count: host.storage.get(&format!("v1/s/{STORE}/count")).cloned(),
        stock: host
            .catalog
            .iter()
            .map(|(k, p)| (k.clone(), p.qty))
            .collect(),
        message: host.admin_message.clone(),
        confirmations: host
            .amazon
            .confirmations
            .iter()
            .map(|(id, r)| {
                let items = r
                    .package_detail
                    .order_items
                    .iter()
                    .map(|i| (i.order_item_id.clone(), i.quantity))
                    .collect();
                (
                    id.clone(),
                    r.package_detail.package_reference_id.clone(),
                    items,
                )
            })
            .collect(),
        reservations: host.reservations.len(),
    }
}

/// The whole story with `faults` active during the story and clean ticks after it.
/// `during(step)` gives the policy for each step (0-based ticks).
fn run(mut during: impl FnMut(usize) -> Policy) -> (FinalState, u64, Vec<u64>) {
    let mut e = Engine::new(FaultyHost::new(engine(&[("reserve_pending", "true")]).host));
    e.host.inner.set_product("SKU-1", true, Some(10));
    e.host.inner.set_product("FBA-1", true, None);
    put(
        &mut e,
        "111-0000001-0000001",
        "Unshipped",
        "MFN",
        "2026-11-02T00:00:00Z",
        "SKU-1",
        2,
    );
    put(
        &mut e,
        "111-0000001-0000002",
        "Unshipped",
        "MFN",
        "2026-11-02T00:00:00Z",
        "SKU-2",
        1,
    );
    put(
        &mut e,
        "111-0000001-0000003",
        "Shipped",
        "AFN",
        "2026-11-02T00:00:00Z",
        "FBA-1",
        1,
    );
    put(
        &mut e,
        "111-0000001-0000004",
        "Pending",
        "MFN",
        "2026-11-02T00:00:00Z",
        "SKU-1",
        1,
    );
    put(
        &mut e,
        "111-0000001-0000005",
        "Unshipped",
        "MFN",
        "2026-10-02T00:00:00Z",
        "SKU-1",
        1,
    );
    put(
        &mut e,
        "111-0000001-0000006",
        "Pending",
        "MFN",
        "2026-11-02T00:00:00Z",
        "SKU-1",
        3,
    );

    let mut step = 0;
    let mut calls_per_tick = Vec::new();
    let mut faulty_tick = |e: &mut Engine<FaultyHost>, ship_first: bool| {
        if ship_first {
            e.host.policy = during(usize::MAX);
            ship_until_accepted(e, "111-0000001-0000001");
        }
        e.host.policy = during(step);
        e.host.calls = 0;
        tick(e);
        calls_per_tick.push(e.host.calls);
        e.host.policy = Box::new(|_, _| Fault::None);
        step += 1;
    };
    faulty_tick(&mut e, false);
    e.host.inner.set_product("SKU-2", true, None);
    e.host
        .inner
        .amazon
        .set_status("111-0000001-0000004", OrderStatus::Unshipped);
    faulty_tick(&mut e, false);
    faulty_tick(&mut e, true);
    faulty_tick(&mut e, false);
    e.host
        .inner
        .amazon
        .set_status("111-0000001-0000006", OrderStatus::Canceled);
    faulty_tick(&mut e, false);
    for _ in 0..4 {
        tick(&mut e);
    }
    let injected = e.host.injected;
    (final_state(&mut e), injected, calls_per_tick)
}

fn baseline() -> FinalState {
    run(|_| Box::new(|_, _| Fault::None)).0
}

fn no_faults(_: usize) -> Policy {
    Box::new(|_, _| Fault::None)
}

#[test]
fn fault_free_story_reaches_the_expected_end() {
    let state = baseline();
    let ids: Vec<_> = state.commerce.keys().cloned().collect();
    assert_eq!(
        ids,
        [
            "111-0000001-0000001",
            "111-0000001-0000002",
            "111-0000001-0000003",
            "111-0000001-0000004"
        ]
    );
    assert_eq!(state.commerce["111-0000001-0000003"].0, "complete");
    assert_eq!(
        state.count,
        Some(state.rows.len().to_string()),
        "every row counted once"
    );
    assert_eq!(state.confirmations.len(), 1);
    assert_eq!(
        state.stock["SKU-1"],
        Some(7),
        "2 + 1 sold, the canceled hold returned"
    );
    assert_eq!(state.message, None);
    assert_eq!(state.reservations, 0);
}

#[test]
fn twenty_percent_of_failing_host_calls_converge_to_the_fault_free_state() {
    let expected = baseline();
    let mut total = 0;
    for seed in 1..=40u64 {
        let (state, injected, _) = run(|step| seeded((seed * 7919).wrapping_add(step as u64), 20));
        total += injected;
        assert_eq!(state, expected, "seed {seed}");
    }
    assert!(total > 200, "faults were injected: {total}");
}

#[test]
fn a_tick_cut_off_after_any_host_call_is_repaired_by_the_next_ticks() {
    let (expected, _, calls) = run(no_faults);
    // Every cut point of every tick of the story.
    assert!(
        calls.iter().sum::<u64>() > 80,
        "the story's ticks make {calls:?} host calls"
    );
    for (cut_step, &count) in calls.iter().enumerate() {
        for k in 1..=count {
            let (state, _, _) = run(|step| {
                if step == cut_step {
                    Box::new(move |call, _| if call > k { Fault::Fail } else { Fault::None })
                } else {
                    Box::new(|_, _| Fault::None)
                }
            });
            assert_eq!(state, expected, "tick {cut_step} cut after host call {k}");
        }
    }
}
