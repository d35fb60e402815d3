//! The JS skin (`src/js.rs`) under `wasm-bindgen-test`: in Node by default, in headless
//! Chromium with `WASM_BINDGEN_USE_BROWSER=1` (see pkg/README.md for the commands).
//!
//! `js` is a private module of the library, so this suite compiles the same source file into
//! the test crate (the `#[wasm_bindgen]` export attributes are `cfg(not(test))`, which keeps
//! the test copy from exporting the same symbols twice). The generated JS glue itself is
//! exercised by the Node bench and the preview page's Chromium e2e test.
#![cfg(target_arch = "wasm32")]

// `crate::decide` and `crate::preview`, as `src/js.rs` names them.
use amazon_order_sync::{decide, preview};

#[path = "../src/js.rs"]
mod js;

use amazon_order_sync::preview::PreviewEntry;
use js_sys::{Error, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const FIXTURES: [(&str, &str); 5] = [
    (
        "made-up-mixed",
        include_str!("fixtures/preview/made-up-mixed.json"),
    ),
    (
        "made-up-import-disabled",
        include_str!("fixtures/preview/made-up-import-disabled.json"),
    ),
    (
        "made-up-reserve-and-status",
        include_str!("fixtures/preview/made-up-reserve-and-status.json"),
    ),
    (
        "sandbox-samples",
        include_str!("fixtures/preview/sandbox-samples.json"),
    ),
    (
        "sandbox-samples-in-catalog",
        include_str!("fixtures/preview/sandbox-samples-in-catalog.json"),
    ),
];

const SAMPLE_ORDER: &str =
    include_str!("fixtures/preview/samples/getOrder_200_TEST_CASE_200.response.json");
const SAMPLE_ITEMS: &str =
    include_str!("fixtures/preview/samples/getOrderItems_200_TEST_CASE_200.response.json");
const SAMPLE_400: &str =
    include_str!("fixtures/preview/samples/getOrders_400_TEST_CASE_400.response.json");

fn arg<T: JsCast>(value: JsValue) -> T {
    value.unchecked_into()
}

fn text(json: &str) -> JsValue {
    JsValue::from_str(json)
}

fn object(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

/// A JS value as JSON text, for comparing with serde.
fn json(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().as_string().unwrap()
}

/// The `code` of a thrown error, which must be a real JS `Error`.
fn code(thrown: JsValue) -> String {
    assert!(thrown.is_instance_of::<Error>(), "not an Error: {thrown:?}");
    let message = get(&thrown, "message").as_string().unwrap();
    assert!(!message.is_empty());
    get(&thrown, "code").as_string().unwrap()
}

fn fixture_part(fixture: &str, key: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(fixture).unwrap();
    value[key].to_string()
}

fn preview(
    orders: JsValue,
    catalog: JsValue,
    settings: JsValue,
    store: JsValue,
) -> Vec<PreviewEntry> {
    let result = js::preview_import(arg(orders), arg(catalog), arg(settings), arg(store))
        .unwrap_or_else(|e| panic!("previewImport threw {e:?}"));
    serde_json::from_str(&json(&result)).unwrap()
}

fn decisions(entries: &[PreviewEntry]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|e| (e.amazon_order_id.clone(), e.decision.as_str().to_owned()))
        .collect()
}

/// Prints where the suite runs (`-- --nocapture` shows it), so a CI log proves the browser
/// run really ran in a browser.
#[wasm_bindgen_test]
fn reports_where_it_runs() {
    let in_browser = Reflect::has(&js_sys::global(), &"window".into()).unwrap_or(false);
    console_log!(
        "amazon-order-sync web tests running in {}",
        if in_browser {
            "a browser (window exists)"
        } else {
            "Node (no window)"
        }
    );
}

#[wasm_bindgen_test]
fn preview_of_every_fixture_shows_the_expected_decisions_from_json_strings() {
    for (name, fixture) in FIXTURES {
        let entries = preview(
            text(&fixture_part(fixture, "orders")),
            text(&fixture_part(fixture, "catalog")),
            text(&fixture_part(fixture, "settings")),
            text(&fixture_part(fixture, "store")),
        );
        let expected: Vec<(String, String)> =
            serde_json::from_str(&fixture_part(fixture, "expected")).unwrap();
        assert_eq!(decisions(&entries), expected, "{name}");
    }
}

#[wasm_bindgen_test]
fn js_objects_and_json_strings_give_the_same_preview() {
    for (name, fixture) in FIXTURES {
        let parts = ["orders", "catalog", "settings", "store"].map(|k| fixture_part(fixture, k));
        let from_text = preview(
            text(&parts[0]),
            text(&parts[1]),
            text(&parts[2]),
            text(&parts[3]),
        );
        let from_objects = preview(
            object(&parts[0]),
            object(&parts[1]),
            object(&parts[2]),
            object(&parts[3]),
        );
        assert_eq!(from_text, from_objects, "{name}");
    }
}

#[wasm_bindgen_test]
fn preview_entries_have_the_documented_camel_case_shape() {
    let fixture = FIXTURES[0].1;
    let result = js::preview_import(
        arg(text(&fixture_part(fixture, "orders"))),
        arg(text(&fixture_part(fixture, "catalog"))),
        arg(JsValue::UNDEFINED),
        arg(text(&fixture_part(fixture, "store"))),
    )
    .unwrap();
    assert!(js_sys::Array::is_array(&result));
    let blocked = js_sys::Array::from(&result).get(5);
    assert_eq!(get(&blocked, "decision").as_string().unwrap(), "blocked");
    assert_eq!(get(&blocked, "tableStatus").as_string().unwrap(), "Error");
    assert!(get(&blocked, "commerceStatus").is_null());
    let blockers = js_sys::Array::from(&get(&blocked, "blockers"));
    assert_eq!(blockers.length(), 3);
    let first = blockers.get(0);
    assert_eq!(get(&first, "kind").as_string().unwrap(), "not_in_catalog");
    assert!(get(&first, "resolution")
        .as_string()
        .unwrap()
        .contains("catalog"));
    let created = js_sys::Array::from(&result).get(0);
    assert_eq!(
        get(&created, "commerceStatus").as_string().unwrap(),
        "processing"
    );
}

#[wasm_bindgen_test]
fn the_import_toggle_turns_new_orders_view_only() {
    let fixture = FIXTURES[0].1;
    let run = |settings: &str| {
        preview(
            text(&fixture_part(fixture, "orders")),
            text(&fixture_part(fixture, "catalog")),
            object(settings),
            text(&fixture_part(fixture, "store")),
        )
    };
    let on = run(r#"{"importOrders": true}"#);
    let off = run(r#"{"importOrders": false}"#);
    let off_snake = run(r#"{"import_orders": false}"#);
    assert_eq!(on[0].decision.as_str(), "create");
    assert_eq!(off[0].decision.as_str(), "viewOnly");
    assert_eq!(off, off_snake);
}

#[wasm_bindgen_test]
fn invalid_inputs_throw_errors_with_stable_codes() {
    let store = text(r#"{"name":"S","integratedAt":"2026-01-01T00:00:00Z"}"#);
    let call = |orders: JsValue, catalog: JsValue, store: JsValue| {
        js::preview_import(arg(orders), arg(catalog), arg(JsValue::NULL), arg(store))
            .map(|_| ())
            .unwrap_err()
    };
    assert_eq!(
        code(call(text("{not json"), JsValue::NULL, store.clone())),
        "invalid_orders"
    );
    assert_eq!(
        code(call(text(r#"[{"x":1}]"#), JsValue::NULL, store.clone())),
        "invalid_orders"
    );
    assert_eq!(
        code(call(text(SAMPLE_400), JsValue::NULL, store.clone())),
        "amazon_errors"
    );
    assert_eq!(
        code(call(text("[]"), text(r#"[{"sku":"A"}]"#), store.clone())),
        "invalid_catalog"
    );
    assert_eq!(
        code(call(text("[]"), JsValue::NULL, text(r#"{"name":"S"}"#))),
        "invalid_store"
    );
    // JSON.stringify throws on a BigInt: reported, not a crash.
    let big = js_sys::BigInt::from(1u64);
    assert_eq!(
        code(call(big.into(), JsValue::NULL, store)),
        "invalid_argument"
    );
    let thrown = call(
        text(r#"[{"order":{"AmazonOrderId":"nope"}}]"#),
        JsValue::NULL,
        text("{\"integratedAt\":0}"),
    );
    let message = get(&thrown, "message").as_string().unwrap();
    assert!(message.contains("[0].order"), "{message}");
}

#[wasm_bindgen_test]
fn map_status_follows_the_creation_rule() {
    let mapped = |status: &str, channel: Option<&str>| {
        json(&js::map_status(status, channel.map(str::to_owned)).unwrap())
    };
    assert_eq!(
        mapped("Unshipped", Some("MFN")),
        r#"{"tableStatus":"Unshipped","createsOrder":true,"commerceStatus":"processing"}"#
    );
    assert_eq!(
        mapped("Unshipped", Some("AFN")),
        r#"{"tableStatus":"Unshipped","createsOrder":false,"commerceStatus":null}"#
    );
    assert_eq!(
        mapped("Shipped", Some("AFN")),
        r#"{"tableStatus":"Shipped","createsOrder":true,"commerceStatus":"complete"}"#
    );
    assert_eq!(
        mapped("Pending", None),
        r#"{"tableStatus":"Pending","createsOrder":false,"commerceStatus":null}"#
    );
}

#[wasm_bindgen_test]
fn validate_settings_lists_every_field_error() {
    let errors = js::validate_settings(arg(object(
        r#"{"storeView": "", "processing_status": "not a code!"}"#,
    )))
    .unwrap();
    assert_eq!(
        json(&errors),
        r#"[{"field":"store_view","message":"Choose the store view orders are imported into (letters, digits, _ and -)."},{"field":"processing_status","message":"Processing Order Status must be an order status code of at most 32 letters, digits or _."}]"#
    );
    let typed = js::validate_settings(arg(object(r#"{"importOrders": "yes"}"#))).unwrap();
    assert_eq!(
        get(&js_sys::Array::from(&typed).get(0), "field")
            .as_string()
            .unwrap(),
        "import_orders"
    );
    let fine = js::validate_settings(arg(JsValue::UNDEFINED)).unwrap();
    assert_eq!(json(&fine), "[]");
}

#[wasm_bindgen_test]
fn system_message_names_the_stores() {
    assert_eq!(js::system_message(vec![]), None);
    let message = js::system_message(vec!["Acme US".into(), "Acme DE".into()]).unwrap();
    assert!(message.ends_with("Acme US, Acme DE"), "{message}");
}

#[wasm_bindgen_test]
fn evaluate_blockers_checks_the_items_against_the_catalog() {
    let blockers = js::evaluate_blockers(
        arg(text(SAMPLE_ORDER)),
        arg(text(SAMPLE_ITEMS)),
        arg(JsValue::NULL),
    )
    .unwrap();
    let list = js_sys::Array::from(&blockers);
    assert_eq!(list.length(), 1);
    assert_eq!(
        get(&list.get(0), "sku").as_string().unwrap(),
        "NABetaASINB00551Q3CS"
    );
    let catalog = object(r#"[{"sku":"NABetaASINB00551Q3CS","enabled":true,"qty":null}]"#);
    let none = js::evaluate_blockers(
        arg(object(SAMPLE_ORDER)),
        arg(object(SAMPLE_ITEMS)),
        arg(catalog),
    )
    .unwrap();
    assert_eq!(json(&none), "[]");
}

#[wasm_bindgen_test]
fn build_order_draft_includes_the_totals() {
    let draft = js::build_order_draft(
        arg(text(SAMPLE_ORDER)),
        arg(text(SAMPLE_ITEMS)),
        arg(object(r#"{"orderNumberSource":"amazon"}"#)),
        None,
    )
    .unwrap();
    assert_eq!(
        get(&draft, "amazonOrderId").as_string().unwrap(),
        "902-1845936-5435065"
    );
    assert_eq!(
        get(&draft, "incrementId").as_string().unwrap(),
        "902-1845936-5435065"
    );
    assert_eq!(
        json(&get(&draft, "grandTotal")),
        r#"{"CurrencyCode":"USD","Amount":"11.01"}"#
    );
    assert_eq!(get(&draft, "status").as_string().unwrap(), "processing");
    let no_items = js::build_order_draft(
        arg(text(SAMPLE_ORDER)),
        arg(text("[]")),
        arg(JsValue::NULL),
        Some(arg(text(
            r#"{"name":"Acme","integratedAt":"2026-01-01T00:00:00Z"}"#,
        ))),
    );
    assert_eq!(code(no_items.unwrap_err()), "cannot_build");
}

#[wasm_bindgen_test]
fn query_orders_filters_sorts_and_pages() {
    let rows = object(
        r#"[
        {"amazonOrderId":"111-0000001-0000001","purchaseDate":1000,"status":"Unshipped","buyerName":"Jane","grandTotal":{"CurrencyCode":"USD","Amount":"10.00"},"notes":"","fulfillmentChannel":"MFN","commerceOrderId":"1","viewOnly":false,"sellerCentralUrl":""},
        {"amazonOrderId":"111-0000002-0000002","purchaseDate":3000,"status":"Error","buyerName":"Joe","grandTotal":null,"notes":"blocked","fulfillmentChannel":"MFN","commerceOrderId":null,"viewOnly":false,"sellerCentralUrl":""},
        {"amazonOrderId":"111-0000003-0000003","purchaseDate":2000,"status":"Unshipped","buyerName":"Ann","grandTotal":{"CurrencyCode":"USD","Amount":"30.00"},"notes":"","fulfillmentChannel":"AFN","commerceOrderId":null,"viewOnly":false,"sellerCentralUrl":""}
    ]"#,
    );
    let page = js::query_orders(
        arg(rows.clone()),
        arg(object(r#"{"statuses":["Unshipped"],"pageSize":1}"#)),
    )
    .unwrap();
    assert_eq!(get(&page, "total").as_f64(), Some(2.0));
    assert_eq!(get(&page, "pageCount").as_f64(), Some(2.0));
    let first = js_sys::Array::from(&get(&page, "rows")).get(0);
    assert_eq!(
        get(&first, "amazonOrderId").as_string().unwrap(),
        "111-0000003-0000003"
    );
    let all = js::query_orders(arg(rows), arg(JsValue::NULL)).unwrap();
    assert_eq!(get(&all, "total").as_f64(), Some(3.0));
    let bad = js::query_orders(arg(text("[]")), arg(object(r#"{"sort":"colour"}"#)));
    assert_eq!(code(bad.unwrap_err()), "invalid_query");
}
