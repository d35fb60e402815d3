//! The engine through the in-memory host and its simulated Amazon: the seed's whole story and
//! every reliability rule of the sync (paging, throttling, token expiry, leases, idempotency).

mod common;

use amazon_order_sync::amazon::{parse_order, OrderStatus};
use amazon_order_sync::blockers::SkuQty;
use amazon_order_sync::decide::Action;
use amazon_order_sync::engine::{
    CommerceEvent, Engine, EngineError, Outcome, Shipment, TickReport, TickStatus,
};
use amazon_order_sync::grid::OrderQuery;
use amazon_order_sync::host::Host;
use amazon_order_sync::memory::MemoryHost;
use amazon_order_sync::status::TableStatus;
use chrono::Duration;
use common::faulty::{Fault, FaultyHost};
use common::{engine, item, order, t, tick_after, STORE};

const A: &str = "111-0000001-0000001";
const B: &str = "111-0000001-0000002";
const C: &str = "111-0000001-0000003";

fn row(engine: &mut Engine<MemoryHost>, id: &str) -> serde_json::Value {
    let json = engine.order_detail(STORE, id).unwrap().expect("row exists");
    serde_json::from_str(&json).unwrap()
}

fn put(
    engine: &mut Engine<MemoryHost>,
    id: &str,
    status: &str,
    channel: &str,
    sku: &str,
    qty: u32,
) {
    put_on(&mut engine.host, id, status, channel, sku, qty);
}

/// Publishes a one-line order on `host`'s simulated Amazon, last updated now.
fn put_on(host: &mut MemoryHost, id: &str, status: &str, channel: &str, sku: &str, qty: u32) {
    let now = host.amazon.now;
    let o = order(
        id,
        status,
        channel,
        "2026-11-02T00:00:00Z",
        &common::iso(now),
    );
    host.amazon
        .put_order(o, vec![item(&format!("{id}-1"), sku, qty, "20.00")]);
}

/// [`tick_after`] for an engine over a [`FaultyHost`].
fn faulty_tick_after(e: &mut Engine<FaultyHost>, minutes: i64) -> TickReport {
    let now = e.host.inner.amazon.now + Duration::minutes(minutes);
    e.host.inner.amazon.now = now;
    e.on_cron_tick(STORE, now).unwrap()
}

/// The SP-API sample order and its items (the catalog has no `NABetaASINB00551Q3CS` yet), for a
/// store integrated at the epoch, so that the sample's 1970 dates are imported.
fn sample_push(host: &mut MemoryHost, settings: &[(&str, &str)]) -> (&'static str, &'static str) {
    host.add_store(STORE, common::US, "1970-01-01T00:00:00Z", settings);
    (
        common::fixture("getOrder_200_TEST_CASE_200.response.json"),
        common::fixture("getOrderItems_200_TEST_CASE_200.response.json"),
    )
}

/// When the sample tests push: after the store's integration, whatever the sample's dates.
const SAMPLE_PUSHED_AT: &str = "2026-11-02T00:00:00Z";

/// A push of `order_json` and `items_json` at [`SAMPLE_PUSHED_AT`] that the engine accepts.
fn push_json<H: Host>(e: &mut Engine<H>, order_json: &str, items_json: &str) -> Outcome {
    e.on_amazon_order(STORE, t(SAMPLE_PUSHED_AT), order_json, items_json)
        .unwrap()
}

fn ship(engine: &mut Engine<MemoryHost>, id: &str, shipment_id: &str, items: Vec<SkuQty>) {
    let now = engine.host.amazon.now;
    engine
        .on_commerce_event(
            now,
            CommerceEvent::Shipped(Shipment {
                store: STORE.into(),
                amazon_order_id: id.into(),
                shipment_id: shipment_id.into(),
                carrier: "ups".into(),
                carrier_title: "United Parcel Service".into(),
                tracking_number: "1Z999AA10123456784".into(),
                items,
                shipped_at: now,
            }),
        )
        .unwrap();
}

#[test]
fn seed_story_pending_then_unshipped_creates_processing_then_shipped_completes() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, Some(10));
    put(&mut e, A, "Pending", "MFN", "SKU-1", 2);
    let r = tick_after(&mut e, 5);
    assert_eq!((r.status, r.pulled, r.created), (TickStatus::Done, 1, 0));
    assert_eq!(row(&mut e, A)["table_status"], "Pending");
    assert!(e.host.commerce_order(STORE, A).is_none());

    // Amazon: Unshipped → Commerce order in Processing.
    e.host.amazon.set_status(A, OrderStatus::Unshipped);
    let r = tick_after(&mut e, 5);
    assert_eq!(r.created, 1);
    let created = e.host.commerce_order(STORE, A).unwrap();
    assert_eq!(created.status, "processing");
    assert_eq!(
        e.host.catalog["SKU-1"].qty,
        Some(8),
        "the order took its stock"
    );
    assert_eq!(row(&mut e, A)["table_status"], "Unshipped");

    // Merchant ships in Commerce → the next tick confirms the shipment to Amazon.
    ship(&mut e, A, "ship-1", vec![]);
    let r = tick_after(&mut e, 5);
    assert_eq!(r.pushed, 1);
    let (_, sent) = &e.host.amazon.confirmations[0];
    assert_eq!(sent.package_detail.carrier_code, "UPS");
    assert_eq!(
        sent.package_detail.shipping_method.as_deref(),
        Some("Std US D2D Dom")
    );
    assert_eq!(sent.package_detail.order_items[0].quantity, 2);
    assert_eq!(
        e.host.amazon.order(A).unwrap().0.order_status,
        OrderStatus::Shipped
    );
    assert_eq!(
        e.host.commerce_order(STORE, A).unwrap().status,
        "processing"
    );

    // Amazon reports Shipped → on the next cron the Commerce order is Complete.
    let r = tick_after(&mut e, 5);
    assert_eq!(r.completed, 1);
    assert_eq!(e.host.commerce_order(STORE, A).unwrap().status, "complete");
    let detail = row(&mut e, A);
    assert_eq!(detail["table_status"], "Completed");
    assert_eq!(detail["notes"], "Status updated to Completed.");

    // Nothing more happens on later ticks.
    let r = tick_after(&mut e, 5);
    assert_eq!((r.created, r.completed, r.pushed), (0, 0, 0));
    assert_eq!(e.host.orders.len(), 1);
}

#[test]
fn blocked_orders_are_reported_and_created_once_each_cause_is_fixed() {
    let mut e = engine(&[("store_name", "Acme US")]);
    e.host.set_product("DISABLED", false, Some(5));
    e.host.set_product("SCARCE", true, Some(0));
    put(&mut e, A, "Unshipped", "MFN", "MISSING", 1);
    put(&mut e, B, "Unshipped", "MFN", "DISABLED", 1);
    put(&mut e, C, "Unshipped", "MFN", "SCARCE", 1);
    let r = tick_after(&mut e, 5);
    assert_eq!((r.created, r.blocked), (0, 3));
    assert_eq!(
        row(&mut e, A)["notes"],
        "Cannot create sales order: Product \"MISSING\" does not exist"
    );
    assert_eq!(row(&mut e, B)["blockers"][0]["kind"], "disabled");
    assert_eq!(row(&mut e, C)["blockers"][0]["kind"], "out_of_stock");
    assert_eq!(row(&mut e, C)["table_status"], "Error");
    let message = "Your Amazon store(s) has orders that cannot be imported into Commerce. See Recent Orders in the store dashboard(s): Acme US";
    assert_eq!(e.host.admin_message.as_deref(), Some(message));
    assert_eq!(e.system_message().unwrap().as_deref(), Some(message));

    // Still blocked: retried, not duplicated.
    let r = tick_after(&mut e, 5);
    assert_eq!((r.created, r.blocked), (0, 3));

    e.host.set_product("MISSING", true, None);
    e.host.set_product("DISABLED", true, Some(5));
    let r = tick_after(&mut e, 5);
    assert_eq!(r.created, 2);
    assert_eq!(
        e.host.admin_message.as_deref(),
        Some(message),
        "one order still blocked"
    );

    e.host.set_product("SCARCE", true, Some(3));
    let r = tick_after(&mut e, 5);
    assert_eq!(r.created, 1);
    assert_eq!(e.host.orders.len(), 3);
    assert_eq!(
        e.host.admin_message, None,
        "message cleared once nothing is blocked"
    );
    assert_eq!(row(&mut e, C)["table_status"], "Unshipped");
}

#[test]
fn import_disabled_keeps_view_only_rows_linking_to_seller_central() {
    let mut e = engine(&[("import_orders", "false")]);
    e.host.set_product("SKU-1", true, Some(10));
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 1);
    tick_after(&mut e, 5);
    assert!(e.host.orders.is_empty());
    let page = e.list_orders(STORE, &OrderQuery::recent()).unwrap();
    assert_eq!(page.total, 1);
    assert!(page.rows[0].view_only);
    assert_eq!(
        page.rows[0].seller_central_url,
        format!("https://sellercentral.amazon.com/orders-v3/order/{A}")
    );
}

#[test]
fn orders_purchased_before_integration_are_never_imported() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    let old = order(
        A,
        "Unshipped",
        "MFN",
        "2026-10-30T00:00:00Z",
        "2026-11-01T12:00:00Z",
    );
    e.host
        .amazon
        .put_order(old, vec![item("1", "SKU-1", 1, "5.00")]);
    let r = tick_after(&mut e, 5);
    assert_eq!((r.skipped, r.created), (1, 0));
    assert!(e.order_detail(STORE, A).unwrap().is_none());
    assert!(
        e.host
            .amazon
            .calls
            .iter()
            .all(|c| !c.contains("orderItems")),
        "no items fetched for it"
    );
}

#[test]
fn fba_order_is_created_and_completed_only_when_amazon_ships_it() {
    let mut e = engine(&[]);
    e.host.set_product("FBA-1", true, None);
    put(&mut e, A, "Unshipped", "AFN", "FBA-1", 1);
    tick_after(&mut e, 5);
    assert!(e.host.orders.is_empty());
    e.host.amazon.set_status(A, OrderStatus::Shipped);
    let r = tick_after(&mut e, 5);
    assert_eq!((r.created, r.completed), (1, 1));
    assert_eq!(e.host.commerce_order(STORE, A).unwrap().status, "complete");
    assert!(e.host.reservations.is_empty());
}

#[test]
fn amazon_cancel_cancels_the_commerce_order_and_returns_stock() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, Some(5));
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 2);
    tick_after(&mut e, 5);
    assert_eq!(e.host.catalog["SKU-1"].qty, Some(3));
    e.host.amazon.set_status(A, OrderStatus::Canceled);
    let r = tick_after(&mut e, 5);
    assert_eq!(r.canceled, 1);
    assert_eq!(e.host.commerce_order(STORE, A).unwrap().status, "canceled");
    assert_eq!(e.host.catalog["SKU-1"].qty, Some(5));
    assert_eq!(row(&mut e, A)["table_status"], "Canceled");
}

#[test]
fn reserved_quantity_of_a_pending_order_is_released_when_amazon_cancels() {
    let mut e = engine(&[("reserve_pending", "true")]);
    e.host.set_product("SKU-1", true, Some(5));
    put(&mut e, A, "Pending", "MFN", "SKU-1", 2);
    tick_after(&mut e, 5);
    assert_eq!(e.host.catalog["SKU-1"].qty, Some(3));
    assert_eq!(row(&mut e, A)["inventory_reserved"], true);
    e.host.amazon.set_status(A, OrderStatus::Canceled);
    tick_after(&mut e, 5);
    assert_eq!(e.host.catalog["SKU-1"].qty, Some(5));
    assert_eq!(row(&mut e, A)["inventory_reserved"], false);
}

#[test]
fn reserved_quantity_becomes_the_orders_stock_when_it_is_created() {
    let mut e = engine(&[("reserve_pending", "true")]);
    e.host.set_product("SKU-1", true, Some(2));
    put(&mut e, A, "Pending", "MFN", "SKU-1", 2);
    tick_after(&mut e, 5);
    assert_eq!(e.host.catalog["SKU-1"].qty, Some(0));
    e.host.amazon.set_status(A, OrderStatus::Unshipped);
    let r = tick_after(&mut e, 5);
    assert_eq!(r.created, 1, "held stock counts for its own order");
    assert_eq!(
        e.host.catalog["SKU-1"].qty,
        Some(0),
        "taken once, not twice"
    );
}

#[test]
fn partial_shipment_is_confirmed_per_package_and_completes_when_all_is_shipped() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 3);
    tick_after(&mut e, 5);
    ship(
        &mut e,
        A,
        "ship-1",
        vec![SkuQty {
            sku: "SKU-1".into(),
            qty: 1,
        }],
    );
    tick_after(&mut e, 5);
    assert_eq!(
        e.host.amazon.order(A).unwrap().0.order_status,
        OrderStatus::PartiallyShipped
    );
    tick_after(&mut e, 5);
    assert_eq!(row(&mut e, A)["table_status"], "PartiallyShipped");
    assert_eq!(
        e.host.commerce_order(STORE, A).unwrap().status,
        "processing"
    );

    ship(&mut e, A, "ship-2", vec![]);
    tick_after(&mut e, 5);
    let refs: Vec<_> = e
        .host
        .amazon
        .confirmations
        .iter()
        .map(|(_, r)| r.package_detail.package_reference_id.clone())
        .collect();
    assert_eq!(refs, ["1", "2"]);
    assert_eq!(
        e.host.amazon.confirmations[1].1.package_detail.order_items[0].quantity,
        2
    );
    tick_after(&mut e, 5);
    assert_eq!(e.host.commerce_order(STORE, A).unwrap().status, "complete");
}

#[test]
fn the_same_shipment_event_twice_is_confirmed_once() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 1);
    tick_after(&mut e, 5);
    ship(&mut e, A, "ship-1", vec![]);
    ship(&mut e, A, "ship-1", vec![]);
    tick_after(&mut e, 5);
    assert_eq!(e.host.amazon.confirmations.len(), 1);
}

#[test]
fn shipment_with_an_unknown_carrier_is_sent_as_other_with_its_name() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 1);
    tick_after(&mut e, 5);
    let now = e.host.amazon.now;
    e.on_commerce_event(
        now,
        CommerceEvent::Shipped(Shipment {
            store: STORE.into(),
            amazon_order_id: A.into(),
            shipment_id: "s".into(),
            carrier: "custom".into(),
            carrier_title: "Royal Mail".into(),
            tracking_number: "RM1".into(),
            items: vec![],
            shipped_at: now,
        }),
    )
    .unwrap();
    tick_after(&mut e, 5);
    let detail = &e.host.amazon.confirmations[0].1.package_detail;
    assert_eq!(
        (detail.carrier_code.as_str(), detail.carrier_name.as_deref()),
        ("Other", Some("Royal Mail"))
    );
}

#[test]
fn rejected_shipment_confirmation_is_retried_then_marked_failed_in_the_notes() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    put(&mut e, A, "Unshipped", "AFN", "SKU-1", 1);
    e.host.amazon.set_status(A, OrderStatus::Shipped);
    tick_after(&mut e, 5);
    // Amazon refuses confirmations of FBA orders: three tries, then failed.
    ship(&mut e, A, "ship-1", vec![]);
    for _ in 0..3 {
        let r = tick_after(&mut e, 5);
        assert_eq!(r.pushed, 0);
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    }
    let detail = row(&mut e, A);
    assert_eq!(detail["shipments"][0]["state"], "failed");
    assert!(detail["notes"]
        .as_str()
        .unwrap()
        .starts_with("Amazon rejected shipment 1"));
    assert!(tick_after(&mut e, 5).errors.is_empty(), "no more attempts");
}

#[test]
fn getorders_is_followed_through_every_nexttoken_page() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    e.host.amazon.page_size_cap = Some(2);
    for i in 1..=5 {
        put(
            &mut e,
            &format!("111-0000001-000000{i}"),
            "Unshipped",
            "MFN",
            "SKU-1",
            1,
        );
    }
    let r = tick_after(&mut e, 5);
    assert_eq!((r.status, r.pulled, r.created), (TickStatus::Done, 5, 5));
    let pages = e
        .host
        .amazon
        .calls
        .iter()
        .filter(|c| c.ends_with("/orders/v0/orders"))
        .count();
    assert_eq!(pages, 3);
}

#[test]
fn getorderitems_is_followed_through_every_nexttoken_page() {
    let mut e = engine(&[]);
    e.host.amazon.items_page_size = Some(2);
    let now = e.host.amazon.now;
    let o = order(
        A,
        "Unshipped",
        "MFN",
        "2026-11-02T00:00:00Z",
        &common::iso(now),
    );
    let items = (1..=5)
        .map(|n| item(&format!("{n}"), &format!("SKU-{n}"), 1, "10.00"))
        .collect();
    e.host.amazon.put_order(o, items);
    for n in 1..=5 {
        e.host.set_product(&format!("SKU-{n}"), true, Some(3));
    }
    assert_eq!(tick_after(&mut e, 5).created, 1);
    let lines: Vec<String> = e
        .host
        .commerce_order(STORE, A)
        .unwrap()
        .draft
        .lines
        .iter()
        .map(|l| l.sku.to_string())
        .collect();
    assert_eq!(lines, ["SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5"]);
    assert_eq!(row(&mut e, A)["items"].as_array().unwrap().len(), 5);
}

#[test]
fn throttling_mid_page_stops_cleanly_and_the_next_tick_resumes_without_duplicates() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    e.host.amazon.page_size_cap = Some(2);
    for i in 1..=5 {
        put(
            &mut e,
            &format!("111-0000001-000000{i}"),
            "Unshipped",
            "MFN",
            "SKU-1",
            1,
        );
    }
    // getOrders p1, items ×2, getOrders p2, items ×1, then 429s.
    e.host.amazon.throttle_after = Some(5);
    e.host.amazon.throttle_next = 1;
    let r = tick_after(&mut e, 5);
    assert_eq!(r.status, TickStatus::Throttled);
    assert_eq!(r.created, 3);
    let r = tick_after(&mut e, 5);
    assert_eq!(r.status, TickStatus::Done, "{r:?}");
    assert_eq!(e.host.orders.len(), 5);
    let r = tick_after(&mut e, 5);
    assert_eq!(r.created, 0);
}

#[test]
fn service_unavailable_stops_the_tick_and_the_next_one_carries_on() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 1);
    e.host.amazon.fail_next = 1;
    let r = tick_after(&mut e, 5);
    assert_eq!((r.status, r.created), (TickStatus::Throttled, 0));
    assert!(r.errors[0].contains("503"), "{:?}", r.errors);
    let r = tick_after(&mut e, 5);
    assert_eq!(r.created, 1);
}

/// 40 Unshipped MFN orders of one sellable SKU: more than getOrderItems' burst of 30.
fn engine_with_40_unshipped_orders() -> Engine<MemoryHost> {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    for i in 0..40 {
        put(
            &mut e,
            &format!("111-0000001-00000{i:02}"),
            "Unshipped",
            "MFN",
            "SKU-1",
            1,
        );
    }
    e
}

#[test]
fn usage_plan_bucket_spreads_order_item_calls_over_ticks() {
    let mut e = engine_with_40_unshipped_orders();
    let r = tick_after(&mut e, 5);
    assert_eq!(
        (r.status, r.created),
        (TickStatus::Throttled, 30),
        "getOrderItems burst is 30"
    );
    let r = tick_after(&mut e, 1);
    assert_eq!((r.status, r.created), (TickStatus::Done, 10));
}

fn get_orders_calls(e: &Engine<MemoryHost>) -> usize {
    let calls = &e.host.amazon.calls;
    calls
        .iter()
        .filter(|c| c.ends_with("/orders/v0/orders"))
        .count()
}

#[test]
fn a_tick_stopped_inside_a_page_leaves_its_rest_and_the_next_tick_asks_amazon_for_no_page() {
    let mut e = engine_with_40_unshipped_orders();
    let r = tick_after(&mut e, 5);
    assert_eq!((r.status, r.created), (TickStatus::Throttled, 30));
    assert!(e.host.storage.contains_key("v1/s/acme-us/page"));
    let pages = get_orders_calls(&e);
    let r = tick_after(&mut e, 1);
    assert_eq!(
        (r.status, r.pulled, r.created),
        (TickStatus::Done, 10, 10),
        "only the 10 orders after the stop are read again"
    );
    assert_eq!(get_orders_calls(&e), pages, "the rest came from storage");
    assert!(!e.host.storage.contains_key("v1/s/acme-us/page"));
    assert_eq!(e.host.orders.len(), 40);
    assert_eq!(tick_after(&mut e, 5).created, 0);

    // A rest left without the window it belongs to (the poll state reset by hand) is never
    // read, and the next page done removes it.
    let stale = r#"{"payload":{"Orders":[],"NextToken":"stale"}}"#;
    e.host
        .storage
        .insert("v1/s/acme-us/page".into(), stale.into());
    e.host.storage.remove("v1/s/acme-us/poll");
    let r = tick_after(&mut e, 5);
    assert_eq!((r.status, r.created), (TickStatus::Done, 0));
    assert!(!e.host.storage.contains_key("v1/s/acme-us/page"));
}

#[test]
fn a_page_that_cannot_be_read_to_its_end_imports_the_orders_before_the_fault_once() {
    let mut e = engine_with_40_unshipped_orders();
    let r = tick_after(&mut e, 5);
    assert_eq!((r.status, r.created), (TickStatus::Throttled, 30));
    // The kept rest cut short inside its fourth order.
    let kept = e.host.storage["v1/s/acme-us/page"].clone();
    let fourth = kept.match_indices("AmazonOrderId").nth(3).unwrap().0;
    e.host
        .storage
        .insert("v1/s/acme-us/page".into(), kept[..fourth + 20].into());
    let pages = get_orders_calls(&e);
    let r = tick_after(&mut e, 1);
    assert_eq!((r.pulled, r.created), (3, 3), "{r:?}");
    assert!(r.errors[0].contains("getOrders response"), "{:?}", r.errors);
    assert!(!e.host.storage.contains_key("v1/s/acme-us/page"));
    assert_eq!(get_orders_calls(&e), pages);
    // The next tick asks Amazon for the page again and passes over what is imported.
    let r = tick_after(&mut e, 1);
    assert_eq!(
        (r.status, r.pulled, r.created),
        (TickStatus::Done, 40, 7),
        "{r:?}"
    );
    assert_eq!(get_orders_calls(&e), pages + 1);
    assert_eq!(e.host.orders.len(), 40);
}

#[test]
fn an_order_that_reads_only_as_far_as_its_head_is_passed_over_if_bought_before_integration() {
    for bought_before in [false, true] {
        let mut e = engine_with_40_unshipped_orders();
        assert_eq!(tick_after(&mut e, 5).created, 30);
        let kept = e.host.storage["v1/s/acme-us/page"].clone();
        let mut broken = with_first_kept_order_unreadable(&kept);
        if bought_before {
            let date = "\"PurchaseDate\":\"2026-11-02";
            let purchased = broken.find(date).unwrap() + date.len() - 10;
            broken.replace_range(purchased..purchased + 10, "2026-10-02");
        }
        e.host.storage.insert("v1/s/acme-us/page".into(), broken);
        let r = tick_after(&mut e, 1);
        if bought_before {
            assert_eq!(
                (r.status, r.skipped, r.created),
                (TickStatus::Done, 1, 9),
                "{r:?}"
            );
        } else {
            assert_eq!(r.created, 0, "{r:?}");
            assert!(r.errors[0].contains("IsPrime"), "{:?}", r.errors);
            // The rest that cannot be read is not kept: the next tick asks Amazon again.
            assert!(!e.host.storage.contains_key("v1/s/acme-us/page"));
            let pages = get_orders_calls(&e);
            let r = tick_after(&mut e, 1);
            assert_eq!((r.status, r.created), (TickStatus::Done, 10), "{r:?}");
            assert_eq!(get_orders_calls(&e), pages + 1);
        }
    }
}

/// `kept`, a getOrders body, with an `IsPrime` the reader refuses in its first order.
fn with_first_kept_order_unreadable(kept: &str) -> String {
    let value = kept.find("\"IsPrime\":").unwrap() + "\"IsPrime\":".len();
    let end = value + kept[value..].find([',', '}']).unwrap();
    format!("{}\"maybe\"{}", &kept[..value], &kept[end..])
}

#[test]
fn an_order_that_reads_only_as_far_as_its_head_is_passed_over_once_applied() {
    let mut e = engine_with_40_unshipped_orders();
    assert_eq!(tick_after(&mut e, 5).created, 30);
    let kept = e.host.storage["v1/s/acme-us/page"].clone();
    // The kept rest's first order arrives by push, as it is on Amazon, and is created.
    let page: serde_json::Value = serde_json::from_str(&kept).unwrap();
    let first = &page["payload"]["Orders"][0];
    let id = first["AmazonOrderId"].as_str().unwrap();
    let items = serde_json::to_string(&[item(&format!("{id}-1"), "SKU-1", 1, "20.00")]).unwrap();
    let now = e.host.amazon.now;
    let pushed = e
        .on_amazon_order(STORE, now, &first.to_string(), &items)
        .unwrap();
    assert!(matches!(pushed.decision.action, Action::Create { .. }));
    assert_eq!(e.host.orders.len(), 31);
    // The tick finds it unreadable past its head, already applied: passed over, not an error.
    let broken = with_first_kept_order_unreadable(&kept);
    e.host.storage.insert("v1/s/acme-us/page".into(), broken);
    let r = tick_after(&mut e, 1);
    assert_eq!((r.status, r.created), (TickStatus::Done, 9), "{r:?}");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(e.host.orders.len(), 40);
}

/// The applied marker lives in the order's purchase-date index entry; an order indexed before
/// it moved there (an empty entry, and an `applied/<id>` key no longer read) has its row read
/// on its next pull, is not created again, and gets the marker with its row.
#[test]
fn an_order_indexed_without_its_applied_marker_is_read_again_and_marked() {
    let mut e = engine_with_a_created();
    let prefix = format!("v1/s/{STORE}/by-date/");
    let index_key = e
        .host
        .storage
        .keys()
        .find(|k| k.starts_with(&prefix) && k.ends_with(A))
        .unwrap()
        .clone();
    let marker = |e: &Engine<MemoryHost>| e.host.storage[&index_key].clone();
    assert!(marker(&e).ends_with(" Unshipped"), "{}", marker(&e));

    e.host.storage.insert(index_key.clone(), String::new());
    let old_marker = format!("v1/s/{STORE}/applied/{A}");
    e.host
        .storage
        .insert(old_marker, "9999999999999 Shipped".into());
    put(&mut e, A, "Unshipped", "MFN", "SOLD", 1);
    let r = tick_after(&mut e, 5);
    assert_eq!((r.pulled, r.created, r.errors.len()), (1, 0, 0), "{r:?}");
    assert_eq!(e.host.orders.len(), 1);
    assert_eq!(e.host.storage[&format!("v1/s/{STORE}/count")], "1");
    let updated = e.host.amazon.order(A).unwrap().0.last_update_date;
    assert_eq!(
        marker(&e),
        format!("{} Unshipped", updated.timestamp_millis())
    );
}

#[test]
fn a_filtered_grid_query_reads_every_row_past_one_scan_page() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 1);
    assert_eq!(tick_after(&mut e, 5).created, 1);
    let key = |id: &str| format!("v1/s/{STORE}/order/{id}");
    let row = e.host.storage[&key(A)].clone();
    // 1 100 rows: more than two pages of `Host::storage_scan`.
    for n in 2..=1_100 {
        let id = format!("111-0000001-{n:07}");
        e.host.storage.insert(key(&id), row.replace(A, &id));
    }
    let query = |order_number: &str| OrderQuery {
        order_number: Some(order_number.into()),
        page_size: 200,
        ..OrderQuery::default()
    };
    let page = e.list_orders(STORE, &query("111-")).unwrap();
    assert_eq!((page.total, page.rows.len()), (1_100, 200));
    // The matches of the last page only.
    let page = e.list_orders(STORE, &query("-00010")).unwrap();
    assert_eq!(page.total, 100);
    assert!(page
        .rows
        .iter()
        .all(|r| r.amazon_order_id.starts_with("111-0000001-00010")));
}

#[test]
fn expired_access_token_is_refreshed_and_secrets_stay_out_of_storage() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    e.host.amazon.token_lifetime = 600;
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 1);
    tick_after(&mut e, 5);
    let first = e.host.storage["v1/s/acme-us/lwa"].clone();
    tick_after(&mut e, 5);
    assert_eq!(
        e.host.storage["v1/s/acme-us/lwa"], first,
        "still valid: reused"
    );
    tick_after(&mut e, 15);
    assert_ne!(
        e.host.storage["v1/s/acme-us/lwa"], first,
        "expired: refreshed"
    );
    let everything = format!("{:?}", e.host.storage);
    assert!(
        !everything.contains("do-not-log"),
        "no refresh token or client secret in storage"
    );
}

#[test]
fn wrong_credentials_are_reported_without_leaking_secrets() {
    let mut e = engine(&[("lwa_client_secret", "wrong-secret-value")]);
    let r = tick_after(&mut e, 5);
    let text = r.errors.join(" ");
    assert!(text.contains("invalid_grant"), "{text}");
    assert!(
        !text.contains("wrong-secret-value") && !text.contains("do-not-log"),
        "{text}"
    );
}

#[test]
fn a_second_concurrent_tick_is_busy_and_changes_nothing() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 1);
    let now = e.host.amazon.now + Duration::minutes(5);
    e.host.amazon.now = now;
    let lease = format!(
        "{{\"expires_at\":{}}}",
        (now + Duration::minutes(1)).timestamp_millis()
    );
    e.host.storage.insert("v1/s/acme-us/lease".into(), lease);
    let before = e.host.storage.clone();
    let r = e.on_cron_tick(STORE, now).unwrap();
    assert_eq!(r.status, TickStatus::Busy);
    assert_eq!(e.host.storage, before);
    // An expired lease is taken over.
    let r = e.on_cron_tick(STORE, now + Duration::minutes(2)).unwrap();
    assert_eq!(r.created, 1);
    assert!(
        !e.host.storage.contains_key("v1/s/acme-us/lease"),
        "lease returned"
    );
}

#[test]
fn a_blocked_order_retried_while_still_blocked_is_not_rewritten() {
    let mut e = Engine::new(FaultyHost::new(engine(&[]).host));
    put_on(&mut e.host.inner, A, "Unshipped", "MFN", "MISSING", 1);
    let row_key = format!("v1/s/{STORE}/order/{A}");
    assert_eq!(faulty_tick_after(&mut e, 5).blocked, 1);
    assert!(e.host.puts.contains(&row_key), "the blocked row is written");
    let written = e.host.inner.storage[&row_key].clone();

    e.host.puts.clear();
    assert_eq!(faulty_tick_after(&mut e, 5).blocked, 1, "retried");
    assert!(!e.host.puts.contains(&row_key), "{:?}", e.host.puts);
    assert_eq!(e.host.inner.storage[&row_key], written);

    e.host.inner.set_product("MISSING", true, Some(1));
    assert_eq!(faulty_tick_after(&mut e, 5).created, 1);
    assert!(
        e.host.puts.contains(&row_key),
        "the created order's row is written"
    );
}

/// An engine whose order A (`quantity` of a SKU not in the catalog) a tick has blocked.
fn engine_with_a_blocked(quantity: u32) -> Engine<MemoryHost> {
    let mut e = engine(&[]);
    put(&mut e, A, "Unshipped", "MFN", "MISSING", quantity);
    assert_eq!(tick_after(&mut e, 5).blocked, 1);
    e
}

/// An engine whose order A (a sellable SKU) a tick has created.
fn engine_with_a_created() -> Engine<MemoryHost> {
    let mut e = engine(&[]);
    e.host.set_product("SOLD", true, Some(5));
    put(&mut e, A, "Unshipped", "MFN", "SOLD", 1);
    assert_eq!(tick_after(&mut e, 5).created, 1);
    e
}

/// Storage keys of order `id`'s row and of its entry in the blocked index.
fn row_and_blocked_keys(id: &str) -> (String, String) {
    (
        format!("v1/s/{STORE}/order/{id}"),
        format!("v1/s/{STORE}/blocked/{id}"),
    )
}

/// Every tick retries the blocked orders, but one whose catalog facts and settings are as its
/// retry key found them is passed over on the key alone: its row is not even read (an
/// unreadable row shows it). A changed fact has it read and decided again.
#[test]
fn a_blocked_order_is_passed_over_unread_while_its_catalog_and_settings_are_unchanged() {
    let mut e = engine_with_a_blocked(2);
    let (row_key, index_key) = row_and_blocked_keys(A);
    assert!(e.host.storage[&index_key].ends_with("\nMISSING"));
    let stored = e.host.storage.insert(row_key.clone(), "{".into()).unwrap();

    let r = tick_after(&mut e, 5);
    assert_eq!((r.blocked, r.errors.len()), (1, 0), "{r:?}");

    // Now in the catalog, one short of the two ordered: read again.
    e.host.set_product("MISSING", true, Some(1));
    let r = tick_after(&mut e, 5);
    assert!(r.errors[0].contains("unreadable"), "{r:?}");
    e.host.storage.insert(row_key.clone(), stored);
    assert_eq!(tick_after(&mut e, 5).blocked, 1);
    assert_eq!(row(&mut e, A)["blockers"][0]["kind"], "out_of_stock");

    e.host.set_product("MISSING", true, Some(2));
    assert_eq!(tick_after(&mut e, 5).created, 1);
    assert!(!e.host.storage.contains_key(&index_key));
}

/// The settings a blocked decision reads are in its retry key: disabling the import turns the
/// blocked order into a view-only row on the next tick.
#[test]
fn a_blocked_order_is_decided_again_when_the_settings_change() {
    let mut e = engine_with_a_blocked(1);
    e.host.add_store(
        STORE,
        common::US,
        common::INTEGRATED_AT,
        &[("import_orders", "false")],
    );
    assert_eq!(tick_after(&mut e, 5).blocked, 0);
    assert_eq!(row(&mut e, A)["view_only"], true);
    assert!(!e.host.storage.contains_key(&row_and_blocked_keys(A).1));
}

/// A blocked order indexed without a retry key (by a version before keys) is read and decided
/// on its next retry, which writes its key even though its row is unchanged; the retries after
/// pass it over.
#[test]
fn a_blocked_order_indexed_without_a_retry_key_gets_one_on_its_next_retry() {
    let mut e = engine_with_a_blocked(1);
    let (row_key, index_key) = row_and_blocked_keys(A);
    let key = e
        .host
        .storage
        .insert(index_key.clone(), String::new())
        .unwrap();
    let row_text = e.host.storage[&row_key].clone();

    assert_eq!(tick_after(&mut e, 5).blocked, 1);
    assert_eq!(e.host.storage[&index_key], key);
    assert_eq!(e.host.storage[&row_key], row_text);
    e.host.storage.insert(row_key, "{".into());
    let r = tick_after(&mut e, 5);
    assert_eq!((r.blocked, r.errors.len()), (1, 0), "{r:?}");
}

/// An order has an entry in the blocked index only while its row is in Error. An entry left
/// for a row that is not in Error (by storage that lost a write) goes with the row's next
/// retry that reads it, so that the system message stops naming the store.
#[test]
fn a_blocked_index_entry_of_a_row_not_in_error_goes_with_its_next_retry() {
    let mut e = engine_with_a_created();
    let (row_key, index_key) = row_and_blocked_keys(A);
    assert!(!e.host.storage.contains_key(&index_key));

    e.host.storage.insert(index_key.clone(), String::new());
    let row_text = e.host.storage[&row_key].clone();
    let r = tick_after(&mut e, 5);
    assert_eq!((r.blocked, r.errors.len()), (0, 0), "{r:?}");
    assert!(!e.host.storage.contains_key(&index_key));
    assert_eq!(e.host.storage[&row_key], row_text, "the row is unchanged");
    assert_eq!(e.system_message().unwrap(), None);
}

/// A blocked order's row deleted from outside leaves its entry, passed over while its retry
/// key matches; when the order comes back, the new row's write deletes it.
#[test]
fn a_current_blocked_index_entry_of_a_deleted_row_goes_when_its_order_comes_back() {
    let mut e = engine_with_a_blocked(1);
    let (row_key, index_key) = row_and_blocked_keys(A);
    let current = e.host.storage[&index_key].clone();
    e.host.storage.remove(&row_key);
    // Passed over while its key matches: the row is not read.
    assert_eq!(tick_after(&mut e, 5).blocked, 1);
    assert_eq!(e.host.storage[&index_key], current);

    // Amazon cancels the order: it comes back as a new row, not in Error.
    put(&mut e, A, "Canceled", "MFN", "MISSING", 1);
    let r = tick_after(&mut e, 5);
    assert_eq!((r.canceled, r.errors.len()), (1, 0), "{r:?}");
    assert!(e.host.storage.contains_key(&row_key));
    assert!(!e.host.storage.contains_key(&index_key));
    assert_eq!(tick_after(&mut e, 5).blocked, 0);
    assert_eq!(e.system_message().unwrap(), None);
}

/// A tick retries a batch of the blocked orders (100): with more, the next tick goes on after
/// the last one retried, so that every one of them is retried in turn and created once fixed.
#[test]
fn more_blocked_orders_than_a_batch_are_each_retried_in_turn() {
    let mut e = engine(&[]);
    for n in 0..100 {
        let id = format!("111-0000002-{n:07}");
        put(&mut e, &id, "Unshipped", "MFN", "MISSING", 1);
    }
    let last = "111-0000003-0000000";
    put(&mut e, last, "Unshipped", "MFN", "LAST", 1);
    while tick_after(&mut e, 5).pulled > 0 {}
    let prefix = format!("v1/s/{STORE}/blocked/");
    let blocked = e
        .host
        .storage
        .keys()
        .filter(|k| k.starts_with(&prefix))
        .count();
    assert_eq!(blocked, 101);
    e.host.set_product("LAST", true, Some(1));
    let created: u32 = (0..2).map(|_| tick_after(&mut e, 5).created).sum();
    assert_eq!(created, 1);
    assert!(e.host.commerce_order(STORE, last).is_some());
    // Exactly a batch left: every tick retries all of it (the batch that ends the list starts
    // it again at once).
    for _ in 0..3 {
        assert_eq!(tick_after(&mut e, 5).blocked, 100);
    }
}

/// A shipment of a blocked order (a Commerce order whose creation's reply was lost, shipped
/// by the merchant) writes its row outside a decision: the next retry reads and decides it
/// again, so the row says again why it is blocked.
#[test]
fn a_blocked_row_written_by_a_shipment_is_decided_again_by_the_next_retry() {
    let (mut e, blocked_notes) = blocked_order_shipped();
    assert_ne!(row(&mut e, A)["notes"], blocked_notes);
    assert_eq!(e.host.storage[&row_and_blocked_keys(A).1], "");
    // Amazon throttles: the shipment stays queued, and only the retry writes the row.
    e.host.amazon.throttle_next = 1_000;
    let r = tick_after(&mut e, 5);
    assert_eq!(r.blocked, 1, "{r:?}");
    assert_eq!(row(&mut e, A)["notes"], blocked_notes);
}

/// Order `A`, blocked, then shipped in Commerce (its creation's reply lost): the engine and
/// the notes the blocked row had.
fn blocked_order_shipped() -> (Engine<MemoryHost>, serde_json::Value) {
    let mut e = engine_with_a_blocked(1);
    let blocked_notes = row(&mut e, A)["notes"].clone();
    ship(&mut e, A, "ship-1", vec![]);
    (e, blocked_notes)
}

/// A blocked order whose retry fails every time (its stored row cannot be read) does not keep
/// the orders after it from being retried: the next tick goes on after it.
#[test]
fn a_blocked_order_whose_retry_always_fails_does_not_hold_up_those_after_it() {
    let mut e = engine(&[]);
    put(&mut e, A, "Unshipped", "MFN", "MISSING-A", 1);
    put(&mut e, B, "Unshipped", "MFN", "MISSING-B", 1);
    assert_eq!(tick_after(&mut e, 5).blocked, 2);
    e.host.storage.insert(row_and_blocked_keys(A).0, "{".into());
    e.host.set_product("MISSING-A", true, Some(1));
    e.host.set_product("MISSING-B", true, Some(1));
    let r = tick_after(&mut e, 5);
    assert!(r.errors[0].contains("unreadable"), "{r:?}");
    assert_eq!(tick_after(&mut e, 5).created, 1);
    assert!(e.host.commerce_order(STORE, B).is_some());
}

/// The confirmation of a blocked order's shipment also writes its row outside a decision: the
/// next retry decides it again.
#[test]
fn a_blocked_row_written_by_a_confirmed_shipment_is_decided_again() {
    let (mut e, blocked_notes) = blocked_order_shipped();
    let r = tick_after(&mut e, 5);
    assert_eq!(r.pushed, 1, "{r:?}");
    assert_ne!(row(&mut e, A)["notes"], blocked_notes);
    assert_eq!(e.host.storage[&row_and_blocked_keys(A).1], "");
    // Amazon throttles: the poll pulls nothing, and only the retry writes the row.
    e.host.amazon.throttle_next = 1_000;
    let r = tick_after(&mut e, 5);
    assert_eq!((r.blocked, r.pulled), (1, 0), "{r:?}");
    assert_eq!(row(&mut e, A)["notes"], blocked_notes);
}

/// An order in Error for another reason than its catalog (here a draft that cannot be built:
/// items priced in two currencies) gets no retry key: every tick reads and decides it again,
/// as its retry may succeed with nothing changed.
#[test]
fn an_order_in_error_for_another_reason_is_read_again_by_every_retry() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, Some(5));
    let order = serde_json::json!({
        "AmazonOrderId": A, "PurchaseDate": "2026-11-02T00:00:00Z",
        "LastUpdateDate": "2026-11-02T00:00:00Z", "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN", "MarketplaceId": common::US,
        "ShippingAddress": {"Name": "Jane van Dyke", "AddressLine1": "2201 Westlake Ave",
            "City": "Seattle", "PostalCode": "98121", "CountryCode": "US"}
    });
    let line = |id: &str, currency: &str| {
        serde_json::json!({"ASIN": "B00551Q3CS", "OrderItemId": id, "SellerSKU": "SKU-1",
            "QuantityOrdered": 1, "ItemPrice": {"CurrencyCode": currency, "Amount": "20.00"}})
    };
    let items = serde_json::json!([line("1", "USD"), line("2", "EUR")]);
    let now = e.host.amazon.now;
    let outcome = e
        .on_amazon_order(STORE, now, &order.to_string(), &items.to_string())
        .unwrap();
    assert_eq!(outcome.table_status, Some(TableStatus::Error));
    let (row_key, index_key) = row_and_blocked_keys(A);
    assert_eq!(e.host.storage[&index_key], "");
    e.host.storage.insert(row_key, "{".into());
    let r = tick_after(&mut e, 5);
    assert!(r.errors[0].contains("unreadable"), "{r:?}");
}

#[test]
fn create_order_whose_reply_was_lost_is_not_created_twice() {
    let mut lost_once = true;
    let mut host = FaultyHost::new(engine(&[]).host);
    host.policy = Box::new(move |_, op| match op {
        "create_order" if std::mem::take(&mut lost_once) => Fault::LoseReply,
        _ => Fault::None,
    });
    let mut e = Engine::new(host);
    e.host.inner.set_product("SKU-1", true, Some(5));
    put_on(&mut e.host.inner, A, "Unshipped", "MFN", "SKU-1", 2);
    let r = faulty_tick_after(&mut e, 5);
    assert_eq!(r.created, 0);
    assert_eq!(
        r.status,
        TickStatus::Throttled,
        "stopped on the lost reply: {r:?}"
    );
    let r = faulty_tick_after(&mut e, 5);
    assert_eq!(r.created, 1);
    assert_eq!(e.host.inner.orders.len(), 1);
    assert_eq!(
        e.host.inner.catalog["SKU-1"].qty,
        Some(3),
        "stock taken once"
    );
}

#[test]
fn push_path_decides_a_real_spapi_order_once() {
    let mut e = engine(&[]);
    let (order_json, items_json) = sample_push(&mut e.host, &[]);
    e.host.set_product("NABetaASINB00551Q3CS", true, Some(4));
    let out = push_json(&mut e, order_json, items_json);
    assert_eq!(
        out.decision.action,
        Action::Create {
            then_complete: false
        }
    );
    let created = e.host.commerce_order(STORE, "902-1845936-5435065").unwrap();
    assert_eq!(created.draft.grand_total.cents, 1101);
    let again = push_json(&mut e, order_json, items_json);
    assert_eq!(again.decision.action, Action::Ignore);
    assert_eq!(e.host.orders.len(), 1);
}

/// The row keeps the order and items as the push gave them (the SP-API samples: pretty-printed
/// envelopes, with fields the plugin does not read), through the rewrites of later events.
#[test]
fn a_row_keeps_the_pushed_order_and_items_as_sent_through_later_updates() {
    let mut e = engine(&[]);
    let (order_json, items_json) = sample_push(&mut e.host, &[]);
    e.host.set_product("NABetaASINB00551Q3CS", true, Some(4));
    let id = "902-1845936-5435065";
    let payload = |envelope: &str| {
        let start = envelope.find("\"payload\": ").unwrap() + 11;
        envelope[start..envelope.rfind('}').unwrap()]
            .trim()
            .to_owned()
    };
    let (order_text, items_text) = (payload(order_json), payload(items_json));
    let items_text =
        items_text[items_text.find('[').unwrap()..=items_text.rfind(']').unwrap()].to_owned();
    assert!(order_text.contains('\n') && items_text.contains("\"ProductInfo\""));
    let stored =
        |e: &Engine<MemoryHost>| e.host.storage[&format!("v1/s/{STORE}/order/{id}")].clone();

    push_json(&mut e, order_json, items_json);
    let created = stored(&e);
    assert!(created.contains(&format!("\"order\":{order_text},\"items\":{items_text},")));
    ship(&mut e, id, "s-1", Vec::new());
    let shipped = stored(&e);
    assert_ne!(shipped, created, "the shipment is recorded in the row");
    assert!(shipped.contains(&format!("\"order\":{order_text},\"items\":{items_text},")));
    assert_eq!(row(&mut e, id)["amazon_order_id"], id);
}

#[test]
fn a_push_that_blocks_or_unblocks_an_order_keeps_the_system_message_current() {
    let mut e = engine(&[]);
    let (order_json, items_json) = sample_push(&mut e.host, &[("store_name", "Acme US")]);
    let out = push_json(&mut e, order_json, items_json);
    assert_eq!(
        out.decision.action,
        Action::Blocked,
        "the SKU is not in the catalog"
    );
    assert!(e
        .host
        .admin_message
        .as_deref()
        .unwrap()
        .ends_with(": Acme US"));

    e.host.set_product("NABetaASINB00551Q3CS", true, Some(4));
    let newer = order_json.replace("1970-01-19T03:58:32Z", "1970-01-19T04:00:00Z");
    let out = push_json(&mut e, &newer, items_json);
    assert!(matches!(out.decision.action, Action::Create { .. }));
    assert_eq!(
        e.host.admin_message, None,
        "cleared once nothing is blocked"
    );
}

#[test]
fn a_retried_push_of_a_blocked_order_repairs_a_system_message_that_failed() {
    let mut failed_once = false;
    let mut host = FaultyHost::new(engine(&[]).host);
    let (order_json, items_json) = sample_push(&mut host.inner, &[("store_name", "Acme US")]);
    host.policy = Box::new(move |_, op| match op {
        "set_admin_message" if !std::mem::replace(&mut failed_once, true) => Fault::Fail,
        _ => Fault::None,
    });
    let mut e = Engine::new(host);
    assert!(e
        .on_amazon_order(STORE, t(SAMPLE_PUSHED_AT), order_json, items_json)
        .is_err());
    assert_eq!(e.host.inner.admin_message, None, "the first refresh failed");
    let out = push_json(&mut e, order_json, items_json);
    assert_eq!(out.decision.action, Action::Blocked);
    assert!(e
        .host
        .inner
        .admin_message
        .as_deref()
        .unwrap()
        .ends_with(": Acme US"));
}

#[test]
fn a_push_that_leaves_the_blocked_orders_alone_does_not_touch_the_system_message() {
    let mut e = Engine::new(FaultyHost::new(engine(&[]).host));
    let (order_json, items_json) = sample_push(&mut e.host.inner, &[]);
    e.host
        .inner
        .set_product("NABetaASINB00551Q3CS", true, Some(4));
    let out = push_json(&mut e, order_json, items_json);
    assert!(matches!(out.decision.action, Action::Create { .. }));
    assert!(
        e.host.puts.iter().all(|key| key.starts_with("v1/s/")),
        "only the store's own keys are written: {:?}",
        e.host.puts
    );
    assert_eq!(e.host.inner.admin_message, None);
}

#[test]
fn bad_push_input_is_a_typed_error_and_changes_nothing() {
    let mut e = engine(&[]);
    let before = e.host.storage.clone();
    let err = e
        .on_amazon_order(
            STORE,
            t("2026-11-02T00:00:00Z"),
            "{\"AmazonOrderId\": 5}",
            "[]",
        )
        .unwrap_err();
    assert!(
        matches!(err, EngineError::InvalidInput(ref m) if m.contains("AmazonOrderId")),
        "{err}"
    );
    assert_eq!(e.host.storage, before);
    let err = e
        .on_cron_tick("acme/us", t("2026-11-02T00:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, EngineError::InvalidInput(_)));
}

#[test]
fn commerce_cancel_of_an_unshipped_order_is_recorded() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    put(&mut e, A, "Unshipped", "MFN", "SKU-1", 1);
    tick_after(&mut e, 5);
    let now = e.host.amazon.now;
    e.on_commerce_event(
        now,
        CommerceEvent::Canceled {
            store: STORE.into(),
            amazon_order_id: A.into(),
        },
    )
    .unwrap();
    let detail = row(&mut e, A);
    assert_eq!(detail["table_status"], "Canceled");
    assert_eq!(detail["commerce_status"], "canceled");
}

#[test]
fn recent_orders_first_page_reads_the_index_not_the_table() {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, None);
    for i in 0..25 {
        let now = e.host.amazon.now;
        let purchased = common::iso(t("2026-11-02T00:00:00Z") + Duration::minutes(i));
        let o = order(
            &format!("111-0000001-00000{i:02}"),
            "Unshipped",
            "MFN",
            &purchased,
            &common::iso(now),
        );
        e.host
            .amazon
            .put_order(o, vec![item("1", "SKU-1", 1, "1.00")]);
    }
    tick_after(&mut e, 5);
    let page = e.list_orders(STORE, &OrderQuery::recent()).unwrap();
    assert_eq!((page.total, page.rows.len()), (25, 10));
    assert_eq!(page.rows[0].amazon_order_id, "111-0000001-0000024");
    assert!(page.rows.iter().all(|r| r.status == TableStatus::Unshipped));
    let filtered = e
        .list_orders(
            STORE,
            &OrderQuery {
                order_number: Some("0000003".into()),
                ..OrderQuery::default()
            },
        )
        .unwrap();
    assert_eq!(filtered.total, 1);
}

#[test]
fn parse_order_round_trips_the_stored_snapshot() {
    let o = order(
        A,
        "Unshipped",
        "MFN",
        "2026-11-02T00:00:00Z",
        "2026-11-02T00:00:00Z",
    );
    let json = serde_json::to_string(&o).unwrap();
    assert_eq!(parse_order(&json).unwrap().into_inner(), o);
}

/// The in-memory host's entry for a draft lifted out of the component (kept as it is) creates
/// the order the engine's borrowed draft creates, and returns it again for the same Amazon order.
#[test]
fn an_owned_draft_creates_the_order_a_borrowed_draft_creates() {
    use amazon_order_sync::order_builder::build_draft;
    let e = engine(&[]);
    let config =
        amazon_order_sync::settings::StoreConfig::from_pairs(STORE, &e.host.settings[STORE])
            .unwrap();
    let o = order(
        A,
        "Unshipped",
        "MFN",
        "2026-11-02T00:00:00Z",
        "2026-11-02T00:05:00Z",
    );
    let items = [
        item("1001", "SKU-1", 2, "20.00"),
        item("1002", "SKU-2", 1, "5.00"),
    ];
    let draft = build_draft(&o, &items, &config.orders, &config.integration).unwrap();
    let (mut borrowed, mut owned) = (e.host.clone(), e.host.clone());
    for host in [&mut borrowed, &mut owned] {
        host.set_product("SKU-1", true, Some(5));
        host.set_product("SKU-2", true, Some(5));
    }
    let first = borrowed.create_order(&draft).unwrap();
    assert_eq!(
        owned
            .create_owned_order(draft.clone().into_owned())
            .unwrap(),
        first
    );
    assert_eq!(
        owned
            .create_owned_order(draft.clone().into_owned())
            .unwrap(),
        first
    );
    assert_eq!(owned.orders, borrowed.orders);
    assert_eq!(owned.catalog, borrowed.catalog);
    assert_eq!(owned.catalog["SKU-1"].qty, Some(3), "stock is taken once");
}
