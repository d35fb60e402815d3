//! Hostile input (issue 7, part 4): one test per kind of bad payload. Each asserts the typed
//! error that names the problem (`ParseError` from the parsers, `EngineError` from the push
//! hook) and that nothing was stored: storage, Commerce orders and reservations of the
//! in-memory host are compared before and after the `Engine::on_amazon_order` call.
//!
//! Limits documented here: bodies over `MAX_BODY_BYTES` (10 MiB = 10 485 760 bytes) are refused
//! before parsing; a line's `QuantityOrdered` may be at most `MAX_LINE_QUANTITY` (100 000).
//! Nesting needs no limit of its own: the typed parse refuses a nested value at the first level
//! where a scalar is expected, and fields the import does not use are skipped without recursion.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;

use amazon_order_sync::amazon::{
    parse_get_orders, parse_order, parse_order_items, FulfillmentChannel, OrderStatus, ParseError,
    MAX_BODY_BYTES, MAX_LINE_QUANTITY,
};
use amazon_order_sync::blockers::SkuQty;
use amazon_order_sync::engine::{CommerceEvent, Engine, EngineError};
use amazon_order_sync::grid::OrderQuery;
use amazon_order_sync::memory::{CommerceOrder, MemoryHost};
use chrono::{DateTime, Utc};
use common::{engine, t, STORE};
use serde_json::{json, Value};

const ID: &str = "902-1845936-5435065";
const SEEDED: &str = "111-0000001-0000001";

/// A paid MFN order as the push hook receives it; `changes` overwrite its fields.
fn order_json(changes: Value) -> String {
    let mut order = json!({
        "AmazonOrderId": ID,
        "PurchaseDate": "2026-11-02T10:00:00Z",
        "LastUpdateDate": "2026-11-02T10:05:00Z",
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "23.50"},
        "MarketplaceId": common::US,
        "BuyerInfo": {"BuyerEmail": "buyer@marketplace.amazon.com", "BuyerName": "Jane van Dyke"}
    });
    merge(&mut order, changes);
    order.to_string()
}

/// One order item; `changes` overwrite its fields.
fn items_json(changes: Value) -> String {
    let mut item = json!({
        "ASIN": "B00551Q3CS",
        "OrderItemId": "68828574383266",
        "SellerSKU": "SKU-1",
        "QuantityOrdered": 2,
        "QuantityShipped": 0,
        "ItemPrice": {"CurrencyCode": "USD", "Amount": "20.00"}
    });
    merge(&mut item, changes);
    json!([item]).to_string()
}

fn merge(target: &mut Value, changes: Value) {
    if let (Some(t), Value::Object(c)) = (target.as_object_mut(), changes) {
        for (k, v) in c {
            t.insert(k, v);
        }
    }
}

/// Everything the in-memory host keeps.
#[derive(Debug, PartialEq)]
struct Stored {
    storage: BTreeMap<String, String>,
    orders: BTreeMap<(String, String), CommerceOrder>,
    reservations: BTreeMap<(String, String), Vec<SkuQty>>,
    admin_message: Option<String>,
}

fn stored(e: &Engine<MemoryHost>) -> Stored {
    Stored {
        storage: e.host.storage.clone(),
        orders: e.host.orders.clone(),
        reservations: e.host.reservations.clone(),
        admin_message: e.host.admin_message.clone(),
    }
}

fn now() -> DateTime<Utc> {
    t("2026-11-02T12:00:00Z")
}

/// An engine that already holds one imported order, so "nothing stored" is checked against a
/// non-empty state.
fn seeded() -> Engine<MemoryHost> {
    let mut e = engine(&[]);
    e.host.set_product("SKU-1", true, Some(100));
    let order = order_json(json!({"AmazonOrderId": SEEDED}));
    e.on_amazon_order(STORE, now(), &order, &items_json(json!({})))
        .expect("the seeded order imports");
    assert!(e.host.commerce_order(STORE, SEEDED).is_some());
    e
}

/// Pushes a snapshot that must be refused: returns the error text, asserting that the error is
/// `InvalidInput` and that nothing changed.
fn refused(order: &str, items: &str) -> String {
    refused_for(STORE, order, items)
}

fn refused_for(store: &str, order: &str, items: &str) -> String {
    let mut e = seeded();
    let before = stored(&e);
    let err = e
        .on_amazon_order(store, now(), order, items)
        .expect_err("hostile input must be refused");
    assert_eq!(stored(&e), before, "a refused snapshot changed the host");
    match err {
        EngineError::InvalidInput(message) => message,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn invalid(err: ParseError) -> (&'static str, String, String) {
    match err {
        ParseError::Invalid {
            what,
            path,
            message,
        } => (what, path, message),
        other => panic!("expected ParseError::Invalid, got {other:?}"),
    }
}

// --- malformed JSON -------------------------------------------------------------------------

#[test]
fn malformed_json_order_is_refused_with_the_document_named() {
    let truncated = &order_json(json!({}))[..40];
    let (what, _, message) = invalid(parse_order(truncated).unwrap_err());
    assert_eq!(what, "order");
    assert!(message.contains("EOF"), "{message}");
    let text = refused(truncated, &items_json(json!({})));
    assert!(text.starts_with("order is not valid"), "{text}");

    for garbage in [
        "",
        "null",
        "not json",
        "{\"AmazonOrderId\": }",
        "[1,2",
        "{}}",
    ] {
        assert!(parse_order(garbage).is_err(), "{garbage:?} parsed");
        refused(garbage, &items_json(json!({})));
    }
}

#[test]
fn malformed_json_items_are_refused_with_the_document_named() {
    let (what, _, _) = invalid(parse_order_items("[{\"ASIN\": \"B0\",").unwrap_err());
    assert_eq!(what, "order items");
    let text = refused(&order_json(json!({})), "[{\"ASIN\": \"B0\",");
    assert!(text.contains("order items is not valid"), "{text}");
}

// --- wrong types ----------------------------------------------------------------------------

#[test]
fn wrong_types_are_refused_naming_the_field() {
    let cases = [
        (json!({"OrderStatus": 5}), "OrderStatus"),
        (json!({"AmazonOrderId": 9021845936i64}), "AmazonOrderId"),
        (json!({"PurchaseDate": true}), "PurchaseDate"),
        (
            json!({"OrderTotal": {"CurrencyCode": "USD", "Amount": [1]}}),
            "OrderTotal.Amount",
        ),
        (json!({"IsPrime": "maybe"}), "IsPrime"),
        (json!({"ShippingAddress": "Seattle"}), "ShippingAddress"),
    ];
    for (change, field) in cases {
        let order = order_json(change.clone());
        let (what, path, _) = invalid(parse_order(&order).unwrap_err());
        assert_eq!(what, "order");
        assert!(path.starts_with(field), "{change}: {path}");
        let text = refused(&order, &items_json(json!({})));
        assert!(text.contains(field), "{text}");
    }
    let cases = [
        (json!({"QuantityOrdered": "two"}), "[0].QuantityOrdered"),
        (json!({"QuantityOrdered": 1.5}), "[0].QuantityOrdered"),
        (json!({"OrderItemId": 68828574383266i64}), "[0].OrderItemId"),
        (
            json!({"ItemPrice": {"CurrencyCode": "USD", "Amount": "12,50"}}),
            "[0].ItemPrice.Amount",
        ),
        (json!({"QuantityShipped": "one"}), "[0].QuantityShipped"),
    ];
    for (change, field) in cases {
        let items = items_json(change.clone());
        let (what, path, _) = invalid(parse_order_items(&items).unwrap_err());
        assert_eq!(what, "order items");
        assert!(path.starts_with(field), "{change}: {path}");
        let text = refused(&order_json(json!({})), &items);
        assert!(text.contains(field), "{text}");
    }
}

#[test]
fn missing_required_fields_are_refused_naming_the_field() {
    let mut order: Value = serde_json::from_str(&order_json(json!({}))).unwrap();
    order.as_object_mut().unwrap().remove("LastUpdateDate");
    let text = refused(&order.to_string(), &items_json(json!({})));
    assert!(text.contains("LastUpdateDate"), "{text}");
}

// --- unknown statuses: accepted, not errors -------------------------------------------------

#[test]
fn unknown_statuses_and_channels_are_accepted_as_unknown_and_create_nothing() {
    let order = order_json(json!({"OrderStatus": "OnHoldForReview", "FulfillmentChannel": "XFN"}));
    let parsed = parse_order(&order).unwrap();
    assert_eq!(
        parsed.order_status,
        OrderStatus::Unknown("OnHoldForReview".into())
    );
    assert_eq!(
        parsed.fulfillment_channel,
        Some(FulfillmentChannel::Unknown("XFN".into()))
    );
    let mut e = seeded();
    let commerce_before = e.host.orders.clone();
    let outcome = e
        .on_amazon_order(STORE, now(), &order, &items_json(json!({})))
        .expect("an unknown status is not an error");
    assert!(outcome.table_status.is_some(), "the order is recorded");
    assert!(outcome.commerce.is_none());
    let detail: serde_json::Value =
        serde_json::from_str(&e.order_detail(STORE, ID).unwrap().unwrap()).unwrap();
    assert_eq!(detail["amazon_status"], "OnHoldForReview");
    assert_eq!(
        e.host.orders, commerce_before,
        "an unknown status created an order"
    );
    // …and the stored row reads back.
    assert!(e.order_detail(STORE, ID).unwrap().is_some());
}

/// The reader interprets the fields the import uses; Amazon may send anything else, of any
/// type, and it is kept as sent in the row instead of refusing the order.
#[test]
fn fields_the_import_does_not_use_are_accepted_whatever_their_type_and_kept_as_sent() {
    let order = order_json(json!({"IsPremiumOrder": {"odd": [1]}, "SalesChannel": 7}));
    let items = items_json(json!({"IsGift": 1, "ConditionId": [null], "IossNumber": true}));
    parse_order(&order).expect("unused order fields are not interpreted");
    parse_order_items(&items).expect("unused item fields are not interpreted");
    let mut e = seeded();
    let outcome = e
        .on_amazon_order(STORE, now(), &order, &items)
        .expect("the order imports");
    assert!(outcome.commerce.is_some(), "the Commerce order is created");
    let row = &e.host.storage[&format!("v1/s/{STORE}/order/{ID}")];
    let text = serde_json::from_str::<Value>(row).unwrap().to_string();
    for kept in [
        r#""IsPremiumOrder":{"odd":[1]}"#,
        r#""SalesChannel":7"#,
        r#""IsGift":1"#,
        r#""ConditionId":[null]"#,
        r#""IossNumber":true"#,
    ] {
        assert!(text.contains(kept), "{kept} is not in the row: {text}");
    }
    // The details page shows the items as Amazon sent them, unread fields included.
    let detail: Value = serde_json::from_str(&e.order_detail(STORE, ID).unwrap().unwrap()).unwrap();
    assert_eq!(detail["items"][0]["IsGift"], 1);
    assert_eq!(detail["items"][0]["ConditionId"], json!([null]));
    assert_eq!(detail["items"][0]["IossNumber"], true);
}

// --- negative and huge quantities -----------------------------------------------------------

#[test]
fn negative_quantities_are_refused() {
    for change in [
        json!({"QuantityOrdered": -1}),
        json!({"QuantityShipped": -2}),
    ] {
        let items = items_json(change.clone());
        let (_, path, message) = invalid(parse_order_items(&items).unwrap_err());
        assert!(path.starts_with("[0].Quantity"), "{change}: {path}");
        assert!(message.contains("-"), "{message}");
        refused(&order_json(json!({})), &items);
    }
}

#[test]
fn quantities_over_max_line_quantity_100_000_are_refused() {
    // The largest accepted quantity goes through…
    let items = items_json(json!({"QuantityOrdered": MAX_LINE_QUANTITY}));
    assert_eq!(
        parse_order_items(&items).unwrap()[0].quantity_ordered,
        MAX_LINE_QUANTITY
    );
    // …one more, u32::MAX and past u32 do not.
    for qty in [
        json!(MAX_LINE_QUANTITY + 1),
        json!(u32::MAX),
        json!(4_294_967_296u64),
        json!(1e300),
    ] {
        let items = items_json(json!({"QuantityOrdered": qty}));
        let (_, path, message) = invalid(parse_order_items(&items).unwrap_err());
        assert_eq!(path, "[0].QuantityOrdered", "{qty}: {message}");
        let text = refused(&order_json(json!({})), &items);
        assert!(text.contains("QuantityOrdered"), "{text}");
    }
    let shipped_more = items_json(json!({"QuantityOrdered": 2, "QuantityShipped": 3}));
    let (_, path, message) = invalid(parse_order_items(&shipped_more).unwrap_err());
    assert_eq!(
        (path.as_str(), message.as_str()),
        ("[0].QuantityShipped", "is more than QuantityOrdered")
    );
    refused(&order_json(json!({})), &shipped_more);
}

#[test]
fn huge_amounts_are_refused() {
    for amount in [
        json!("99999999999999"),
        json!(1e300),
        json!("1e5"),
        json!("NaN"),
    ] {
        let items = items_json(json!({"ItemPrice": {"CurrencyCode": "USD", "Amount": amount}}));
        let (_, path, _) = invalid(parse_order_items(&items).unwrap_err());
        assert_eq!(path, "[0].ItemPrice.Amount", "{amount}");
        refused(&order_json(json!({})), &items);
    }
}

// --- bodies over 10 MB --------------------------------------------------------------------

/// `json` followed by spaces up to `len` bytes: still the same JSON document.
fn pad(json: &str, len: usize) -> String {
    let mut body = String::with_capacity(len);
    body.push_str(json);
    body.extend(std::iter::repeat_n(' ', len - json.len()));
    body
}

/// `MAX_BODY_BYTES` = 10 MiB (10 485 760 bytes): a body of exactly that size is parsed, one
/// byte more is refused with `ParseError::TooLarge` before any parsing.
#[test]
fn body_over_10_mib_max_body_bytes_is_refused_before_parsing() {
    assert_eq!(MAX_BODY_BYTES, 10 * 1024 * 1024);
    let order = order_json(json!({}));
    let at_limit = pad(&order, MAX_BODY_BYTES);
    assert_eq!(at_limit.len(), MAX_BODY_BYTES);
    assert!(
        parse_order(&at_limit).is_ok(),
        "a body of exactly 10 MiB is accepted"
    );

    let over = pad(&order, MAX_BODY_BYTES + 1);
    assert_eq!(
        parse_order(&over).unwrap_err(),
        ParseError::TooLarge {
            what: "order",
            size: MAX_BODY_BYTES + 1,
            limit: MAX_BODY_BYTES
        }
    );
    let text = refused(&over, &items_json(json!({})));
    assert!(
        text.contains("more than the 10485760 bytes accepted"),
        "{text}"
    );

    let items = items_json(json!({}));
    let over_items = pad(&items, MAX_BODY_BYTES + 1);
    assert!(matches!(
        parse_order_items(&over_items),
        Err(ParseError::TooLarge {
            what: "order items",
            ..
        })
    ));
    refused(&order_json(json!({})), &over_items);

    let over_page = pad(r#"{"payload": {"Orders": []}}"#, MAX_BODY_BYTES + 1);
    assert!(matches!(
        parse_get_orders(&over_page),
        Err(ParseError::TooLarge {
            what: "getOrders response",
            ..
        })
    ));
}

// --- deeply nested JSON -------------------------------------------------------------------

#[test]
fn deeply_nested_json_100_000_brackets_is_refused_or_skipped_without_recursion() {
    let deep = "[".repeat(100_000);
    // As the whole document: refused (serde reads a struct from a sequence, so the first
    // element, 99 999 levels deep, is "not a string").
    let (what, _, _) = invalid(parse_order(&deep).unwrap_err());
    assert_eq!(what, "order");
    let (what, _, _) = invalid(parse_order_items(&deep).unwrap_err());
    assert_eq!(what, "order items");
    let (what, _, _) = invalid(parse_get_orders(&deep).unwrap_err());
    assert_eq!(what, "getOrders response");
    refused(&deep, &items_json(json!({})));
    refused(&order_json(json!({})), &deep);

    // In a field the parser skips (unknown fields are ignored): serde_json skips nesting
    // iteratively, so no stack is at risk; unbalanced, the error names the field…
    let order = order_json(json!({})).replacen('{', &format!("{{\"X\": {deep}"), 1);
    let (_, path, _) = invalid(parse_order(&order).unwrap_err());
    assert!(path.starts_with("X[0][0]"), "{path}");
    refused(&order, &items_json(json!({})));
    let items = items_json(json!({})).replacen('{', &format!("{{\"X\": {deep}"), 1);
    let (_, path, _) = invalid(parse_order_items(&items).unwrap_err());
    assert!(path.starts_with("[0].X[0][0]"), "{path}");
    refused(&order_json(json!({})), &items);
    let objects = format!(
        r#"{{"payload": {{"Orders": [], "X": {}}}}}"#,
        "{\"a\":".repeat(100_000)
    );
    let (_, path, _) = invalid(parse_get_orders(&objects).unwrap_err());
    assert!(path.starts_with("payload.X.a.a"), "{path}");
    refused(&objects, &items_json(json!({})));

    // …and balanced, it is skipped like any unknown field.
    let balanced = format!("{deep}{}", "]".repeat(100_000));
    let order = order_json(json!({})).replacen('{', &format!("{{\"X\": {balanced},"), 1);
    assert_eq!(parse_order(&order).unwrap().amazon_order_id, ID);
}

// --- invalid dates --------------------------------------------------------------------------

#[test]
fn invalid_dates_are_refused_naming_the_field() {
    for bad in [
        "yesterday",
        "2019-13-45T00:00:00Z",
        "02/21/2022",
        "2019-02-30T00:00:00Z",
        "2019-05-07T25:00:00Z",
        "2019-05-07T15:42:57+24:00",
        "2019-05-07T15:42:57.Z",
        "",
        "1e400",
        "NaN",
    ] {
        let order = order_json(json!({"PurchaseDate": bad}));
        let (_, path, message) = invalid(parse_order(&order).unwrap_err());
        assert_eq!(path, "PurchaseDate", "{bad:?}");
        assert!(
            message.contains("is not an ISO 8601 date-time"),
            "{message}"
        );
        let text = refused(&order, &items_json(json!({})));
        assert!(text.contains("PurchaseDate"), "{text}");
    }
    let order = order_json(json!({"LastUpdateDate": -9_223_372_036_854_775_807i64}));
    let (_, path, message) = invalid(parse_order(&order).unwrap_err());
    assert_eq!(
        (path.as_str(), message.as_str()),
        ("LastUpdateDate", "epoch seconds out of range")
    );
    refused(&order, &items_json(json!({})));
}

/// Found by the `ingest` fuzz target (minimized input: `tests/fuzz/crashes/ingest/`): a zone
/// whose first or fourth byte is inside a multi-byte character made `quirks::rfc3339` slice a
/// `str` off a char boundary and panic, in release builds too.
#[test]
fn dates_with_a_multibyte_character_in_the_zone_are_refused_not_a_panic() {
    for bad in [
        "2019-05-07T15:42:57é0:00",
        "2019-05-07T15:42:57+0é:0",
        "2019-05-07T15:42:57+00é0",
    ] {
        let order = order_json(json!({"LastUpdateDate": bad}));
        let (_, path, _) = invalid(parse_order(&order).unwrap_err());
        assert_eq!(path, "LastUpdateDate", "{bad:?}");
        refused(&order, &items_json(json!({})));
    }
}

/// Found reading `quirks.rs` for the fuzz harness: `epoch_seconds` computed
/// `exponent − fraction digits + 3` in `i32`, which overflowed (a panic with overflow checks, as
/// in tests and fuzzing) for exponents near `i32::MAX` / `i32::MIN`.
#[test]
fn epoch_dates_with_extreme_exponents_are_refused_not_a_panic() {
    for bad in ["1E2147483647", "1.5E-2147483648", "1e2147483646"] {
        let order = order_json(json!({"PurchaseDate": bad}));
        let (_, path, _) = invalid(parse_order(&order).unwrap_err());
        assert_eq!(path, "PurchaseDate", "{bad:?}");
        refused(&order, &items_json(json!({})));
    }
}

/// A filtered grid query reads every row: one that cannot be read fails the query by its key,
/// rather than leaving the order out of the answer.
#[test]
fn a_filtered_grid_query_names_an_unreadable_row() {
    let mut e = seeded();
    let key = format!("v1/s/{STORE}/order/{SEEDED}");
    let row = e.host.storage[&key].clone();
    e.host
        .storage
        .insert(key.clone(), row.replace("\"items\":[", "\"items\":[{"));
    let query = OrderQuery {
        buyer_name: Some("nobody".into()),
        ..OrderQuery::default()
    };
    match e.list_orders(STORE, &query) {
        Err(EngineError::Host(text)) => {
            assert!(
                text.contains(&key) && text.contains("is unreadable"),
                "{text}"
            )
        }
        other => panic!("expected the unreadable row named, got {other:?}"),
    }
}

/// A date the parser accepts must survive the row's JSON: rows are written with
/// `to_rfc3339` and read back with the same parser on every later snapshot and by the grid.
/// Years past 9999 (epoch seconds as a JSON number reach year 262 142, an offset moves
/// 9999-12-31 into 10000) are written as `+10000-…`, years before 0 as `-0001-…`; `parse_time`
/// refuses both, so one such order made its row, and with it the whole grid, unreadable.
/// (Found reading `quirks.rs`; the `ingest` harness's round-trip check catches it.)
#[test]
fn dates_past_year_9999_are_refused_or_stored_readably() {
    for (field, value) in [
        ("LastUpdateDate", json!(253_402_300_800i64)), // 10000-01-01T00:00:00Z
        ("LastUpdateDate", json!(8_000_000_000_000i64)),
        ("PurchaseDate", json!("99999999999.5")),
        ("LastUpdateDate", json!("9.99999999999E11")),
        ("LastUpdateDate", json!("9999-12-31T23:30:00-01:00")), // 10000-01-01T00:30:00Z
        ("LastUpdateDate", json!("0000-01-01T00:00:00+01:00")), // -0001-12-31T23:00:00Z
    ] {
        let order = order_json(json!({ field: value }));
        let mut e = seeded();
        let before = stored(&e);
        match e.on_amazon_order(STORE, now(), &order, &items_json(json!({}))) {
            Err(EngineError::InvalidInput(text)) => {
                assert!(text.contains(field), "{text}");
                assert_eq!(stored(&e), before);
            }
            Err(other) => panic!("{field}={value}: unexpected {other:?}"),
            Ok(_) => {
                let detail = e.order_detail(STORE, ID);
                assert!(
                    matches!(detail, Ok(Some(_))),
                    "{field}={value}: the stored row cannot be read back: {detail:?}"
                );
                let grid = e.list_orders(STORE, &OrderQuery::default());
                assert!(grid.is_ok(), "{field}={value}: the grid broke: {grid:?}");
                // The same snapshot again must not fail on the stored row.
                e.on_amazon_order(STORE, now(), &order, &items_json(json!({})))
                    .unwrap_or_else(|err| panic!("{field}={value}: replay failed: {err}"));
            }
        }
    }
}

// --- order ids that are not 3-7-7 -----------------------------------------------------------

#[test]
fn order_ids_that_are_not_3_7_7_digits_are_refused() {
    for bad in [
        "",
        "902-1845936-543506",
        "9021-845936-5435065",
        "902-1845936-5435065-1",
        "902_1845936_5435065",
        "abc-defghij-klmnopq",
        "902-1845936-5435065/../lease",
        "../../v1/s/acme-us/lease",
        "٩٠٢-١٨٤٥٩٣٦-٥٤٣٥٠٦٥",
        " 902-1845936-5435065",
    ] {
        let order = order_json(json!({ "AmazonOrderId": bad }));
        let (_, path, message) = invalid(parse_order(&order).unwrap_err());
        assert_eq!(path, "AmazonOrderId", "{bad:?}");
        assert!(message.contains("3-7-7"), "{message}");
        let text = refused(&order, &items_json(json!({})));
        assert!(text.contains("not an Amazon order id"), "{text}");
    }
    // In a getOrders page the error names the order's index.
    let page = json!({"payload": {"Orders": [
        serde_json::from_str::<Value>(&order_json(json!({}))).unwrap(),
        serde_json::from_str::<Value>(&order_json(json!({"AmazonOrderId": "1-2-3"}))).unwrap(),
    ]}});
    let (what, path, _) = invalid(parse_get_orders(&page.to_string()).unwrap_err());
    assert_eq!(
        (what, path.as_str()),
        ("getOrders response", "payload.Orders[1].AmazonOrderId")
    );
}

// --- store codes and engine times ------------------------------------------------------------

#[test]
fn store_codes_with_a_slash_or_other_key_syntax_are_refused() {
    let order = order_json(json!({}));
    let items = items_json(json!({}));
    let too_long = "a".repeat(65);
    for bad in [
        "acme/us",
        "acme-us/",
        "/acme-us",
        "acme-us/order/111-0000001-0000001",
        "",
        "acme us",
        "acme-us\u{0}",
        "ácme",
        too_long.as_str(),
    ] {
        let text = refused_for(bad, &order, &items);
        assert!(text.contains("is not a store code"), "{bad:?}: {text}");
        let mut e = seeded();
        let before = stored(&e);
        assert!(matches!(
            e.on_cron_tick(bad, now()),
            Err(EngineError::InvalidInput(_))
        ));
        assert!(matches!(
            e.list_orders(bad, &OrderQuery::default()),
            Err(EngineError::InvalidInput(_))
        ));
        assert!(matches!(
            e.order_detail(bad, SEEDED),
            Err(EngineError::InvalidInput(_))
        ));
        assert_eq!(stored(&e), before, "{bad:?}");
    }
}

/// The component turns the hook's `now` (i64 ms) into a `DateTime` with
/// `DateTime::from_timestamp_millis`, which holds years −262 143 … 262 142; the engine takes
/// years 1–9999 only (the ones its stored RFC 3339 can hold). Before that check, a tick at
/// `MIN_UTC` panicked on `now − 2 minutes` (found writing this test).
#[test]
fn engine_times_outside_years_1_to_9999_are_refused_and_change_nothing() {
    let order = order_json(json!({"AmazonOrderId": "902-1845936-5435066"}));
    for at in [
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        t("0000-12-31T23:59:59Z"),
        DateTime::from_timestamp_millis(253_402_300_800_000).unwrap(), // 10000-01-01
    ] {
        let mut e = seeded();
        let before = stored(&e);
        let refused = |r: Result<(), EngineError>| match r {
            Err(EngineError::InvalidInput(m)) => assert!(m.contains("out of range"), "{m}"),
            other => panic!("{at}: expected InvalidInput, got {other:?}"),
        };
        refused(
            e.on_amazon_order(STORE, at, &order, &items_json(json!({})))
                .map(drop),
        );
        refused(e.on_cron_tick(STORE, at).map(drop));
        refused(e.on_commerce_event(
            at,
            CommerceEvent::Canceled {
                store: STORE.into(),
                amazon_order_id: SEEDED.into(),
            },
        ));
        assert_eq!(stored(&e), before, "{at}");
    }
    // The first and last accepted instants tick normally.
    for at in [t("0001-01-01T00:00:00Z"), t("9999-12-31T23:59:59Z")] {
        let mut e = seeded();
        let report = e.on_cron_tick(STORE, at);
        assert!(report.is_ok(), "{at}: {report:?}");
    }
}

#[test]
fn engine_times_inside_a_held_lease_report_busy_and_change_nothing() {
    // A far-future tick takes the lease for ten minutes from then; a call "before" that, while
    // the lease is held, is Busy and changes nothing.
    let mut e = seeded();
    e.host.storage.insert(
        "v1/s/acme-us/lease".into(),
        json!({"expires_at": i64::MAX}).to_string(),
    );
    let before = stored(&e);
    let err = e
        .on_amazon_order(STORE, now(), &order_json(json!({})), &items_json(json!({})))
        .unwrap_err();
    assert!(matches!(err, EngineError::Busy), "{err:?}");
    assert_eq!(stored(&e), before);
}

// --- non-UTF-8 headers ----------------------------------------------------------------------

/// The WIT `http-response` carries `string`s, so non-UTF-8 cannot reach the component: the
/// host-example HTTP layer (`host-example/src/http.rs`, compiled here as it is) decides what
/// happens to odd bytes. A header value with bytes ≥ 0x80 (HTTP's obs-text) arrives as an empty
/// value, the response is otherwise intact; a body that is not UTF-8 is a `Transport` error,
/// never a panic.
#[path = "../host-example/src/http.rs"]
#[allow(dead_code)]
mod http;

mod http_layer {
    use super::http;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::Duration;

    /// Serves one raw HTTP response on a loopback port; returns the base URL.
    fn serve_once(response: Vec<u8>) -> (String, std::thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(&response);
        });
        (url, handle)
    }

    fn get(url: &str) -> Result<http::Response, http::HttpError> {
        let client = http::HttpClient::new(&[url.to_owned()], Duration::from_secs(5));
        client.send(&http::Request {
            method: http::Method::Get,
            url: format!("{url}/orders/v0/orders"),
            headers: vec![],
            body: None,
        })
    }

    #[test]
    fn a_response_header_with_non_utf8_bytes_arrives_as_an_empty_value() {
        let mut response =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-amzn-odd: ".to_vec();
        response.extend_from_slice(&[0xff, 0xfe, b'a', 0xc3, 0x28]);
        response.extend_from_slice(b"\r\nx-amzn-RateLimit-Limit: 0.0167\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        let (url, server) = serve_once(response);
        let answer = get(&url).expect("odd header bytes are not a transport failure");
        server.join().unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, "{}");
        let value = |name: &str| {
            answer
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(value("x-amzn-odd").as_deref(), Some(""));
        assert_eq!(value("x-amzn-ratelimit-limit").as_deref(), Some("0.0167"));
        assert!(answer
            .headers
            .iter()
            .all(|(k, v)| k.is_ascii() && v.is_ascii()));
    }

    #[test]
    fn a_non_utf8_body_is_a_transport_error() {
        let mut response =
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\n".to_vec();
        response.extend_from_slice(&[b'{', 0xff, 0xfe, b'}']);
        let (url, server) = serve_once(response);
        let err = get(&url).expect_err("a non-UTF-8 body cannot become a WIT string");
        server.join().unwrap();
        assert!(
            matches!(&err, http::HttpError::Transport(m) if m.contains("reading body")),
            "{err:?}"
        );
    }

    #[test]
    fn a_header_name_with_odd_bytes_is_a_transport_error() {
        let mut response = b"HTTP/1.1 200 OK\r\nx-\xff\xfe: 1\r\n".to_vec();
        response.extend_from_slice(b"Content-Length: 2\r\nConnection: close\r\n\r\n{}");
        let (url, server) = serve_once(response);
        let err = get(&url).expect_err("an invalid header name is a malformed response");
        server.join().unwrap();
        assert!(matches!(err, http::HttpError::Transport(_)), "{err:?}");
    }
}
