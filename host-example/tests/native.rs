//! Host pieces without the component: storage, Commerce on SQLite, the sandbox over loopback
//! HTTP, the HTTP allow-list and settings masking.

use std::time::Duration;

use host_example::bindings::commerce::amazon_order_sync::commerce::CommerceError;
use host_example::bindings::commerce::amazon_order_sync::types::{
    Address, Customer, CustomerKind, Money, OrderDraft, OrderLine, SkuQty,
};
use host_example::db::{Db, KvOp, Product};
use host_example::http::{HttpClient, HttpError, Method, Request};
use host_example::sandbox::{iso, parse_iso, Sandbox};
use host_example::settings::Settings;
use serde_json::{json, Value};

// ---------- storage ----------

fn put(k: &str, v: &str) -> KvOp {
    KvOp::Put(k.into(), v.into())
}

#[test]
fn compare_and_swap_writes_only_when_the_current_value_is_the_expected_one() {
    let mut db = Db::open_in_memory().unwrap();
    assert!(db.kv_compare_and_swap("lease", None, Some("a")).unwrap());
    assert!(
        !db.kv_compare_and_swap("lease", None, Some("b")).unwrap(),
        "absent expected, but present"
    );
    assert!(!db
        .kv_compare_and_swap("lease", Some("x"), Some("b"))
        .unwrap());
    assert_eq!(db.kv_get("lease").unwrap().as_deref(), Some("a"));
    assert!(
        db.kv_compare_and_swap("lease", Some("a"), None).unwrap(),
        "swap to none deletes"
    );
    assert_eq!(db.kv_get("lease").unwrap(), None);
}

#[test]
fn list_prefix_returns_ascending_byte_order_after_the_cursor_up_to_the_limit() {
    let mut db = Db::open_in_memory().unwrap();
    db.kv_apply(&[
        put("v1/s/a/order/3", "c"),
        put("v1/s/a/order/1", "a"),
        put("v1/s/a/order/2", "b"),
        put("v1/s/a/order0", "not under the prefix"),
        put("v1/s/a/orde", "not under the prefix"),
        put("v1/s/b/order/1", "other store"),
        put("v1/s/a/order/Z", "upper"),
        put("v1/s/a/order/é", "multi-byte sorts after ASCII"),
    ])
    .unwrap();
    let p = "v1/s/a/order/";
    let first = db.kv_list_prefix(p, None, 2).unwrap();
    assert_eq!(
        first.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["v1/s/a/order/1", "v1/s/a/order/2"]
    );
    let rest = db.kv_list_prefix(p, Some("v1/s/a/order/2"), 10).unwrap();
    assert_eq!(
        rest.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["v1/s/a/order/3", "v1/s/a/order/Z", "v1/s/a/order/é"]
    );
    assert!(db
        .kv_list_prefix(p, Some("v1/s/a/order/é"), 10)
        .unwrap()
        .is_empty());
    assert!(db.kv_list_prefix(p, None, 0).unwrap().is_empty());
}

#[test]
fn apply_puts_and_deletes_in_one_batch() {
    let mut db = Db::open_in_memory().unwrap();
    db.kv_apply(&[put("a", "1"), put("b", "2")]).unwrap();
    db.kv_apply(&[KvOp::Delete("a".into()), put("b", "3"), put("c", "4")])
        .unwrap();
    assert_eq!(db.kv_get("a").unwrap(), None);
    assert_eq!(db.kv_get("b").unwrap().as_deref(), Some("3"));
    assert_eq!(db.kv_get("c").unwrap().as_deref(), Some("4"));
}

// ---------- Commerce on SQLite ----------

fn usd(cents: i64) -> Money {
    Money {
        currency: "USD".into(),
        cents,
    }
}

fn address() -> Address {
    Address {
        firstname: "Jane".into(),
        lastname: "Doe".into(),
        company: None,
        street: vec!["1 Main St".into()],
        city: "Seattle".into(),
        region: "WA".into(),
        postcode: "98101".into(),
        country_code: "US".into(),
        telephone: "555".into(),
    }
}

fn draft(id: &str, lines: &[(&str, u32)]) -> OrderDraft {
    OrderDraft {
        store: "acme-us".into(),
        amazon_order_id: id.into(),
        increment_id: None,
        store_view: "default".into(),
        customer: Customer {
            kind: CustomerKind::Guest,
            email: "j@x".into(),
            firstname: "Jane".into(),
            lastname: "Doe".into(),
        },
        billing_address: address(),
        shipping_address: address(),
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (sku, qty))| OrderLine {
                sku: sku.to_string(),
                order_item_id: format!("item-{i}"),
                title: sku.to_string(),
                qty: *qty,
                unit_price: usd(1000),
                row_total: usd(1000 * i64::from(*qty)),
                discount: usd(0),
                tax: usd(0),
            })
            .collect(),
        shipping_method: "amazon_standard".into(),
        shipping_amount: usd(0),
        shipping_tax: usd(0),
        subtotal: usd(2000),
        discount_total: usd(0),
        tax_total: usd(0),
        grand_total: usd(2000),
        status: "processing".into(),
        payment_method: "amazon".into(),
        po_number: id.into(),
    }
}

fn catalog(db: &mut Db, sku: &str, enabled: bool, qty: Option<i64>) {
    db.upsert_product(&Product {
        sku: sku.into(),
        name: sku.into(),
        enabled,
        qty,
    })
    .unwrap();
}

fn qty(db: &Db, sku: &str) -> Option<i64> {
    db.product(sku).unwrap().unwrap().qty
}

#[test]
fn create_order_is_idempotent_and_takes_stock_once() {
    let mut db = Db::open_in_memory().unwrap();
    catalog(&mut db, "MUG", true, Some(5));
    catalog(&mut db, "CAP", true, None);
    let a = db
        .create_order(&draft("111-0000000-0000001", &[("MUG", 2), ("CAP", 1)]), 1)
        .unwrap();
    let b = db
        .create_order(&draft("111-0000000-0000001", &[("MUG", 2), ("CAP", 1)]), 2)
        .unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(a.increment_id, "000000001");
    assert_eq!(qty(&db, "MUG"), Some(3));
    assert_eq!(qty(&db, "CAP"), None, "unmanaged stock is untouched");
    let orders = db.commerce_orders().unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].status, "processing");
    assert_eq!(db.status_history(&orders[0].id).unwrap().len(), 1);
}

#[test]
fn create_order_uses_the_amazon_number_when_the_draft_brings_one() {
    let mut db = Db::open_in_memory().unwrap();
    catalog(&mut db, "MUG", true, None);
    let mut d = draft("111-0000000-0000002", &[("MUG", 1)]);
    d.increment_id = Some("111-0000000-0000002".into());
    assert_eq!(
        db.create_order(&d, 1).unwrap().increment_id,
        "111-0000000-0000002"
    );
}

#[test]
fn commerce_refuses_unknown_disabled_and_out_of_stock_products() {
    let mut db = Db::open_in_memory().unwrap();
    catalog(&mut db, "OFF", false, Some(5));
    catalog(&mut db, "LOW", true, Some(1));
    let msg = |r: Result<_, CommerceError>| match r {
        Err(CommerceError::Rejected(m)) => m,
        other => panic!("expected rejected, got {other:?}"),
    };
    assert!(msg(db.create_order(&draft("1", &[("NOPE", 1)]), 1)).contains("does not exist"));
    assert!(msg(db.create_order(&draft("2", &[("OFF", 1)]), 1)).contains("is disabled"));
    assert!(msg(db.create_order(&draft("3", &[("LOW", 2)]), 1)).contains("out of stock"));
    assert!(db.commerce_orders().unwrap().is_empty());
    assert_eq!(qty(&db, "LOW"), Some(1));
}

#[test]
fn reserve_replaces_the_hold_and_create_order_consumes_it() {
    let mut db = Db::open_in_memory().unwrap();
    catalog(&mut db, "MUG", true, Some(5));
    let hold = |q| {
        vec![SkuQty {
            sku: "MUG".into(),
            qty: q,
        }]
    };
    db.reserve("acme-us", "9", &hold(2)).unwrap();
    assert_eq!(qty(&db, "MUG"), Some(3));
    db.reserve("acme-us", "9", &hold(3)).unwrap();
    assert_eq!(
        qty(&db, "MUG"),
        Some(2),
        "the new hold replaces the old one"
    );
    db.create_order(&draft("9", &[("MUG", 3)]), 1).unwrap();
    assert_eq!(
        qty(&db, "MUG"),
        Some(2),
        "the hold becomes the sale, not a second decrement"
    );
    assert!(db.reservations().unwrap().is_empty());
}

#[test]
fn release_returns_the_hold_once_and_is_a_no_op_without_one() {
    let mut db = Db::open_in_memory().unwrap();
    catalog(&mut db, "MUG", true, Some(5));
    db.reserve(
        "acme-us",
        "9",
        &[SkuQty {
            sku: "MUG".into(),
            qty: 4,
        }],
    )
    .unwrap();
    db.release("acme-us", "9").unwrap();
    db.release("acme-us", "9").unwrap();
    assert_eq!(qty(&db, "MUG"), Some(5));
}

#[test]
fn cancel_returns_stock_once_and_complete_is_idempotent() {
    let mut db = Db::open_in_memory().unwrap();
    catalog(&mut db, "MUG", true, Some(5));
    db.create_order(&draft("7", &[("MUG", 2)]), 1).unwrap();
    db.cancel_order("acme-us", "7", 2).unwrap();
    db.cancel_order("acme-us", "7", 3).unwrap();
    assert_eq!(qty(&db, "MUG"), Some(5));
    assert_eq!(db.commerce_orders().unwrap()[0].status, "canceled");
    db.create_order(&draft("8", &[("MUG", 1)]), 1).unwrap();
    db.complete_order("acme-us", "8", 2).unwrap();
    db.complete_order("acme-us", "8", 3).unwrap();
    let o = db.commerce_order("acme-us", "8").unwrap().unwrap();
    assert_eq!(o.status, "complete");
    assert_eq!(db.status_history(&o.id).unwrap().len(), 2);
    assert!(matches!(
        db.cancel_order("acme-us", "8", 4),
        Err(CommerceError::Rejected(_))
    ));
}

#[test]
fn admin_message_is_set_replaced_and_cleared() {
    let mut db = Db::open_in_memory().unwrap();
    db.set_admin_message(Some("one")).unwrap();
    db.set_admin_message(Some("two")).unwrap();
    assert_eq!(db.admin_message().unwrap().as_deref(), Some("two"));
    db.set_admin_message(None).unwrap();
    assert_eq!(db.admin_message().unwrap(), None);
}

// ---------- sandbox over loopback HTTP ----------

const T0: &str = "2026-11-20T12:00:00Z";

fn client(sb: &Sandbox) -> HttpClient {
    HttpClient::new(&[sb.base_url().to_string()], Duration::from_secs(5))
}

fn get(c: &HttpClient, url: &str, token: &str) -> (u16, Value) {
    let r = c
        .send(&Request {
            method: Method::Get,
            url: url.into(),
            headers: vec![("x-amz-access-token".into(), token.into())],
            body: None,
        })
        .unwrap();
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

fn post(c: &HttpClient, url: &str, token: &str, body: &str, form: bool) -> (u16, Value) {
    let ct = if form {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let r = c
        .send(&Request {
            method: Method::Post,
            url: url.into(),
            headers: vec![
                ("x-amz-access-token".into(), token.into()),
                ("content-type".into(), ct.into()),
            ],
            body: Some(body.into()),
        })
        .unwrap();
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

fn login(sb: &Sandbox, c: &HttpClient) -> String {
    let creds = sb.add_seller("acme-us");
    let body = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}&client_secret={}",
        creds.refresh_token.replace('|', "%7C"),
        creds.client_id,
        creds.client_secret
    );
    let (s, v) = post(c, &sb.lwa_url(), "", &body, true);
    assert_eq!(s, 200, "{v}");
    v["access_token"].as_str().unwrap().to_string()
}

fn order(id: &str, updated: &str, status: &str) -> Value {
    json!({"AmazonOrderId": id, "PurchaseDate": "2026-11-20T08:00:00Z", "LastUpdateDate": updated,
           "OrderStatus": status, "FulfillmentChannel": "MFN", "MarketplaceId": "ATVPDKIKX0DER",
           "OrderTotal": {"CurrencyCode": "USD", "Amount": "10.00"},
           "NumberOfItemsShipped": 0, "NumberOfItemsUnshipped": 3})
}

fn items() -> Vec<Value> {
    vec![
        json!({"ASIN": "B1", "OrderItemId": "I1", "SellerSKU": "MUG", "QuantityOrdered": 2, "QuantityShipped": 0}),
        json!({"ASIN": "B2", "OrderItemId": "I2", "SellerSKU": "CAP", "QuantityOrdered": 1, "QuantityShipped": 0}),
    ]
}

fn started() -> (Sandbox, HttpClient, String) {
    let sb = Sandbox::start(0).unwrap();
    sb.set_now(parse_iso(T0));
    let c = client(&sb);
    let t = login(&sb, &c);
    (sb, c, t)
}

#[test]
fn lwa_refuses_wrong_credentials_and_tokens_expire_by_the_sandbox_clock() {
    let (sb, c, token) = started();
    let (s, v) = post(
        &c,
        &sb.lwa_url(),
        "",
        "grant_type=refresh_token&refresh_token=x&client_id=y&client_secret=z",
        true,
    );
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_grant")));
    let url = format!(
        "{}/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&LastUpdatedAfter=2026-11-20T00:00:00Z",
        sb.base_url()
    );
    assert_eq!(get(&c, &url, &token).0, 200);
    assert_eq!(get(&c, &url, "Atza|forged").0, 403);
    sb.set_now(Some(parse_iso(T0).unwrap() + 3600 * 1000));
    let (s, v) = get(&c, &url, &token);
    assert_eq!(s, 403);
    assert_eq!(v["errors"][0]["code"], "Unauthorized");
}

#[test]
fn get_orders_filters_by_last_update_and_pages_oldest_first_with_next_token() {
    let (sb, c, token) = started();
    for (id, at) in [
        ("111-0000000-0000003", "2026-11-20T10:03:00Z"),
        ("111-0000000-0000001", "2026-11-20T10:01:00Z"),
        ("111-0000000-0000002", "2026-11-20T10:02:00Z"),
        ("111-0000000-0000000", "2026-11-20T09:00:00Z"),
        ("111-0000000-0000009", "2026-11-20T11:59:00Z"),
    ] {
        sb.upsert_order("acme-us", order(id, at, "Unshipped"), items())
            .unwrap();
    }
    sb.upsert_order(
        "other",
        order("222-0000000-0000001", "2026-11-20T10:01:30Z", "Unshipped"),
        items(),
    )
    .unwrap();
    let url = format!(
        "{}/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&LastUpdatedAfter=2026-11-20T10:00:00Z&LastUpdatedBefore=2026-11-20T11:58:00Z&MaxResultsPerPage=2",
        sb.base_url()
    );
    let (s, v) = get(&c, &url, &token);
    assert_eq!(s, 200, "{v}");
    let ids = |v: &Value| {
        v["payload"]["Orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["AmazonOrderId"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&v), ["111-0000000-0000001", "111-0000000-0000002"]);
    assert_eq!(v["payload"]["LastUpdatedBefore"], "2026-11-20T11:58:00Z");
    let next = v["payload"]["NextToken"].as_str().unwrap();
    let (s, v2) = get(
        &c,
        &format!(
            "{}/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&NextToken={next}",
            sb.base_url()
        ),
        &token,
    );
    assert_eq!(s, 200);
    assert_eq!(ids(&v2), ["111-0000000-0000003"]);
    assert!(v2["payload"].get("NextToken").is_none());
}

#[test]
fn get_order_items_returns_the_items_and_404_for_unknown_orders() {
    let (sb, c, token) = started();
    sb.upsert_order(
        "acme-us",
        order("111-0000000-0000001", "2026-11-20T10:00:00Z", "Unshipped"),
        items(),
    )
    .unwrap();
    let (s, v) = get(
        &c,
        &format!(
            "{}/orders/v0/orders/111-0000000-0000001/orderItems",
            sb.base_url()
        ),
        &token,
    );
    assert_eq!(s, 200);
    assert_eq!(v["payload"]["OrderItems"].as_array().unwrap().len(), 2);
    let (s, v) = get(
        &c,
        &format!(
            "{}/orders/v0/orders/999-0000000-0000001/orderItems",
            sb.base_url()
        ),
        &token,
    );
    assert_eq!(s, 404);
    assert_eq!(v["errors"][0]["code"], "NotFound");
}

fn confirm(reference: &str, lines: &[(&str, u32)]) -> String {
    json!({"marketplaceId": "ATVPDKIKX0DER", "packageDetail": {
        "packageReferenceId": reference, "carrierCode": "UPS", "carrierName": "UPS", "shippingMethod": "Ground",
        "trackingNumber": "1Z1", "shipDate": "2026-11-20T12:30:00Z",
        "orderItems": lines.iter().map(|(i, q)| json!({"orderItemId": i, "quantity": q})).collect::<Vec<_>>()}})
    .to_string()
}

#[test]
fn confirm_shipment_moves_the_order_to_partially_shipped_then_shipped_and_bumps_last_update() {
    let (sb, c, token) = started();
    let id = "111-0000000-0000001";
    sb.upsert_order(
        "acme-us",
        order(id, "2026-11-20T10:00:00Z", "Unshipped"),
        items(),
    )
    .unwrap();
    let url = format!(
        "{}/orders/v0/orders/{id}/shipmentConfirmation",
        sb.base_url()
    );
    sb.set_now(parse_iso("2026-11-20T12:30:00Z"));
    assert_eq!(
        post(&c, &url, &token, &confirm("1", &[("I1", 1)]), false).0,
        204
    );
    // The same package again replaces it: still one MUG shipped.
    assert_eq!(
        post(&c, &url, &token, &confirm("1", &[("I1", 1)]), false).0,
        204
    );
    let (o, it) = sb.order("acme-us", id).unwrap();
    assert_eq!(o["OrderStatus"], "PartiallyShipped");
    assert_eq!(o["NumberOfItemsShipped"], 1);
    assert_eq!(o["NumberOfItemsUnshipped"], 2);
    assert_eq!(o["LastUpdateDate"], "2026-11-20T12:30:00Z");
    assert_eq!(it[0]["QuantityShipped"], 1);
    sb.set_now(parse_iso("2026-11-20T12:40:00Z"));
    assert_eq!(
        post(
            &c,
            &url,
            &token,
            &confirm("2", &[("I1", 1), ("I2", 1)]),
            false
        )
        .0,
        204
    );
    let (o, _) = sb.order("acme-us", id).unwrap();
    assert_eq!(o["OrderStatus"], "Shipped");
    assert_eq!(
        o["LastUpdateDate"],
        iso(parse_iso("2026-11-20T12:40:00Z").unwrap())
    );
    assert_eq!(sb.confirmations().len(), 2);
    // More than ordered is refused.
    let (s, v) = post(&c, &url, &token, &confirm("3", &[("I2", 1)]), false);
    assert_eq!(s, 400, "{v}");
}

#[test]
fn confirm_shipment_validates_its_body() {
    let (sb, c, token) = started();
    let id = "111-0000000-0000001";
    sb.upsert_order(
        "acme-us",
        order(id, "2026-11-20T10:00:00Z", "Unshipped"),
        items(),
    )
    .unwrap();
    let url = format!(
        "{}/orders/v0/orders/{id}/shipmentConfirmation",
        sb.base_url()
    );
    let mut bad_date: Value = serde_json::from_str(&confirm("1", &[("I1", 1)])).unwrap();
    bad_date["packageDetail"]["shipDate"] = json!("02/21/2022");
    for body in [
        bad_date.to_string(),
        confirm("abc", &[("I1", 1)]),
        confirm("0", &[("I1", 1)]),
        confirm("1", &[("NOPE", 1)]),
        json!({"packageDetail": {}}).to_string(),
    ] {
        let (s, v) = post(&c, &url, &token, &body, false);
        assert_eq!(s, 400, "{body}");
        assert_eq!(v["errors"][0]["code"], "InvalidInput");
    }
    assert!(sb.confirmations().is_empty());
    assert_eq!(
        sb.order("acme-us", id).unwrap().0["OrderStatus"],
        "Unshipped"
    );
}

#[test]
fn throttling_starts_after_k_requests_of_one_operation_and_503_can_be_injected() {
    let (sb, c, token) = started();
    sb.upsert_order(
        "acme-us",
        order("111-0000000-0000001", "2026-11-20T10:00:00Z", "Unshipped"),
        items(),
    )
    .unwrap();
    let orders = format!(
        "{}/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&LastUpdatedAfter=2026-11-20T00:00:00Z",
        sb.base_url()
    );
    let items_url = format!(
        "{}/orders/v0/orders/111-0000000-0000001/orderItems",
        sb.base_url()
    );
    sb.throttle(2, Some("getOrders"), 1);
    assert_eq!(get(&c, &orders, &token).0, 200);
    assert_eq!(
        get(&c, &items_url, &token).0,
        200,
        "other operations are not throttled"
    );
    let (s, v) = get(&c, &orders, &token);
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (429, Some("QuotaExceeded"))
    );
    assert_eq!(get(&c, &orders, &token).0, 429);
    assert_eq!(get(&c, &orders, &token).0, 200);
    sb.fail(1, None, 0);
    assert_eq!(get(&c, &items_url, &token).0, 503);
    assert_eq!(get(&c, &items_url, &token).0, 200);
}

#[test]
fn get_orders_rejects_a_window_ending_less_than_two_minutes_ago() {
    let (sb, c, token) = started();
    let url = |before: &str| {
        format!(
            "{}/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&LastUpdatedAfter=2026-11-20T00:00:00Z&LastUpdatedBefore={before}",
            sb.base_url()
        )
    };
    assert_eq!(get(&c, &url("2026-11-20T13:00:00Z"), &token).0, 400);
    assert_eq!(get(&c, &url("2026-11-20T11:59:00Z"), &token).0, 400);
    assert_eq!(get(&c, &url("2026-11-20T11:58:00Z"), &token).0, 200);
}

// ---------- HTTP allow-list ----------

#[test]
fn a_url_off_the_allow_list_is_refused_without_being_sent() {
    let sb = Sandbox::start(0).unwrap();
    let other = Sandbox::start(0).unwrap();
    let c = client(&sb);
    for url in [
        format!("{}/auth/o2/token", other.base_url()),
        "http://127.0.0.1:1/x".to_string(),
        format!("https://{}/x", sb.base_url().trim_start_matches("http://")),
        format!(
            "http://user@{}/x",
            sb.base_url().trim_start_matches("http://")
        ),
        "ftp://127.0.0.1/x".to_string(),
        "not a url".to_string(),
    ] {
        let r = c.send(&Request {
            method: Method::Get,
            url: url.clone(),
            headers: vec![],
            body: None,
        });
        assert!(matches!(r, Err(HttpError::NotAllowed(_))), "{url}: {r:?}");
    }
    assert!(
        other.request_log().is_empty(),
        "nothing reached the other server"
    );
    // The allowed origin itself goes through.
    let r = c.send(&Request {
        method: Method::Get,
        url: format!("{}/nowhere", sb.base_url()),
        headers: vec![],
        body: None,
    });
    assert_eq!(r.unwrap().status, 404);
}

#[test]
fn a_closed_port_on_the_allow_list_is_a_transport_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = HttpClient::new(
        &[format!("http://127.0.0.1:{port}")],
        Duration::from_secs(2),
    );
    let r = c.send(&Request {
        method: Method::Get,
        url: format!("http://127.0.0.1:{port}/"),
        headers: vec![],
        body: None,
    });
    assert!(matches!(r, Err(HttpError::Transport(_))), "{r:?}");
}

// ---------- settings ----------

const SETTINGS: &str = r#"
[stores.acme-us]
store_name = "ACME US"
marketplace_id = "ATVPDKIKX0DER"
integrated_at = "2026-11-20T00:00:00Z"
import_orders = true
spapi_endpoint = "http://127.0.0.1:8700"
lwa_endpoint = "http://127.0.0.1:8700/auth/o2/token"
lwa_client_id = "amzn1.application-oa2-client.x"
lwa_client_secret = "super-secret-value"
lwa_refresh_token = "Atzr|refresh-secret"

[stores.acme-de]
marketplace_id = "A1PA6795UKMFR9"
integrated_at = "2026-11-20T00:00:00Z"
"#;

#[test]
fn settings_show_masks_secrets_and_components_get_them_in_full() {
    let s = Settings::parse(SETTINGS).unwrap();
    let shown = s.show();
    assert!(!shown.contains("super-secret-value"), "{shown}");
    assert!(!shown.contains("refresh-secret"), "{shown}");
    let debug = format!("{s:?}");
    assert!(
        !debug.contains("super-secret-value") && !debug.contains("refresh-secret"),
        "{debug}"
    );
    assert!(shown.contains("lwa_client_id"));
    assert!(shown.contains("amzn1.application-oa2-client.x"));
    let all = s.get_all("acme-us");
    assert!(all.contains(&("lwa_client_secret".into(), "super-secret-value".into())));
    assert!(
        all.contains(&("import_orders".into(), "true".into())),
        "booleans become strings"
    );
    assert!(s.get_all("nope").is_empty());
}

#[test]
fn allow_list_comes_from_configured_endpoints_or_the_documented_defaults() {
    let s = Settings::parse(SETTINGS).unwrap();
    let e = s.endpoints();
    assert!(e.contains(&"http://127.0.0.1:8700".to_string()));
    assert!(
        e.contains(&"https://sellingpartnerapi-eu.amazon.com".to_string()),
        "{e:?}"
    );
    assert!(e.contains(&"https://api.amazon.com/auth/o2/token".to_string()));
    let c = HttpClient::new(&e, Duration::from_secs(1));
    assert!(c.check("http://127.0.0.1:8700/orders/v0/orders").is_ok());
    assert!(c.check("http://127.0.0.1:8701/orders/v0/orders").is_err());
    assert!(
        c.check("https://sellingpartnerapi-eu.amazon.com:443/x")
            .is_ok(),
        "default port is the same origin"
    );
}

#[test]
fn settings_reject_bad_store_codes_and_round_trip() {
    assert!(Settings::parse("[stores.\"a/b\"]\nmarketplace_id = \"x\"\n").is_err());
    let s = Settings::parse(SETTINGS).unwrap();
    assert_eq!(Settings::parse(&s.to_toml()).unwrap(), s);
}

#[test]
fn a_server_that_never_answers_is_a_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts the connection and then says nothing.
    let hold = std::thread::spawn(move || {
        let conn = listener.accept();
        std::thread::sleep(Duration::from_secs(2));
        drop(conn);
    });
    let c = HttpClient::new(
        &[format!("http://127.0.0.1:{port}")],
        Duration::from_millis(300),
    );
    let r = c.send(&Request {
        method: Method::Get,
        url: format!("http://127.0.0.1:{port}/"),
        headers: vec![],
        body: None,
    });
    assert_eq!(r.unwrap_err(), HttpError::Timeout);
    hold.join().unwrap();
}

#[test]
fn the_sandbox_loads_orders_from_a_directory_of_sp_api_json() {
    let dir = std::env::temp_dir().join(format!("hx-orders-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("a.json"),
        json!({"order": order("111-0000000-0000001", "2026-11-20T10:00:00Z", "Unshipped"), "items": items()}).to_string(),
    )
    .unwrap();
    let mut embedded = order("111-0000000-0000002", "2026-11-20T10:00:00Z", "Shipped");
    embedded["OrderItems"] = json!(items());
    std::fs::write(dir.join("b.json"), embedded.to_string()).unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let sb = Sandbox::start(0).unwrap();
    assert_eq!(sb.load_dir("acme-us", &dir).unwrap(), 2);
    let (o, it) = sb.order("acme-us", "111-0000000-0000002").unwrap();
    assert!(
        o.get("OrderItems").is_none(),
        "items are served by getOrderItems only"
    );
    assert_eq!(it.len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------- the CLI ----------

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_host-example"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_settings_show_never_prints_secrets_and_catalog_set_updates_the_product() {
    let dir = std::env::temp_dir().join(format!("hx-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let settings = dir.join("s.toml");
    std::fs::write(&settings, SETTINGS).unwrap();
    let (ok, out, err) = cli(&["settings", "show", "--settings", settings.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("lwa_client_secret") && out.contains("(set)"),
        "{out}"
    );
    assert!(
        !out.contains("super-secret-value") && !out.contains("refresh-secret"),
        "{out}"
    );

    let db = dir.join("c.sqlite");
    let db = db.to_str().unwrap();
    assert!(cli(&["catalog", "set", "MUG", "--name", "Mug", "--qty", "4", "--db", db]).0);
    assert!(cli(&["catalog", "set", "MUG", "--enabled", "false", "--db", db]).0);
    let (ok, out, _) = cli(&["catalog", "list", "--db", db]);
    assert!(ok);
    let line = out.lines().find(|l| l.contains("MUG")).unwrap();
    assert!(
        line.contains("Mug") && line.contains("DISABLED") && line.contains('4'),
        "{line}"
    );
    assert!(cli(&["catalog", "set", "MUG", "--unmanaged", "--db", db]).0);
    let p = Db::open(std::path::Path::new(db))
        .unwrap()
        .product("MUG")
        .unwrap()
        .unwrap();
    assert_eq!((p.name.as_str(), p.enabled, p.qty), ("Mug", false, None));
    let _ = std::fs::remove_dir_all(&dir);
}
