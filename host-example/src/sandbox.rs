//! A loopback SP-API sandbox: the LWA token endpoint, getOrders (LastUpdated window, NextToken
//! paging), getOrder, getOrderItems and confirmShipment, with a settable clock and fault
//! injection (429 throttling, 503 failures). Orders are SP-API JSON, stored and served verbatim.
//!
//! Each seller (one per store) has its own LWA credentials; an access token only sees its
//! seller's orders, as on Amazon.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Value};

pub const TOKEN_TTL_SECS: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

impl Credentials {
    /// The credentials the sandbox issues to a seller (the host writes them into its settings).
    pub fn for_seller(seller: &str) -> Credentials {
        Credentials {
            client_id: format!("amzn1.application-oa2-client.sandbox-{seller}"),
            client_secret: format!("sandbox-secret-{seller}"),
            refresh_token: format!("Atzr|sandbox-refresh-{seller}"),
        }
    }
}

/// A confirmShipment the sandbox accepted.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Confirmation {
    pub amazon_order_id: String,
    pub package_reference_id: String,
    pub carrier_code: String,
    pub tracking_number: String,
    pub items: Vec<ConfirmedItem>,
    #[serde(skip)]
    pub seller: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConfirmedItem {
    pub order_item_id: String,
    pub quantity: u32,
}

/// The SP-API operations the sandbox serves, as fault filters name them.
/// `getOrdersNextPage` is a getOrders call with a `NextToken` (a fault filter for "429 mid-page";
/// a plain `getOrders` filter matches every page).
pub const OPERATIONS: &[&str] = &[
    "getOrders",
    "getOrdersNextPage",
    "getOrder",
    "getOrderItems",
    "confirmShipment",
];

#[derive(Debug, Clone, Default)]
struct Fault {
    /// Requests still to fail.
    remaining: u32,
    /// Only this operation, when set.
    op: Option<String>,
    /// Matching requests to let through before failing.
    skip: u32,
}

impl Fault {
    /// Whether this request fails; counts it either way.
    fn hit(&mut self, op: &str) -> bool {
        let matches = |o: &str| o == op || (o == "getOrders" && op == "getOrdersNextPage");
        if self.remaining == 0 || self.op.as_deref().is_some_and(|o| !matches(o)) {
            return false;
        }
        if self.skip > 0 {
            self.skip -= 1;
            return false;
        }
        self.remaining -= 1;
        true
    }
}

#[derive(Debug, Clone)]
struct StoredOrder {
    order: Value,
    items: Vec<Value>,
}

#[derive(Debug, Default)]
struct State {
    /// Fixed clock in millis; `None` = wall clock.
    now: Option<i64>,
    /// refresh token → seller
    sellers: HashMap<String, (String, Credentials)>,
    /// access token → (seller, expires_at millis)
    tokens: HashMap<String, (String, i64)>,
    token_counter: u64,
    /// (seller, amazon order id) → order
    orders: BTreeMap<(String, String), StoredOrder>,
    /// Accepted confirmations in order; one per (seller, order, package reference).
    confirmations: Vec<Confirmation>,
    throttle: Fault,
    fail: Fault,
    /// (operation, HTTP status) of every request, in order.
    log: Vec<(String, u16)>,
}

impl State {
    fn now(&self) -> i64 {
        self.now.unwrap_or_else(|| Utc::now().timestamp_millis())
    }
}

pub struct Sandbox {
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    base_url: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn iso(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn parse_iso(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
}

impl Sandbox {
    /// Serves on 127.0.0.1:`port` (0 = any free port) on a background thread.
    pub fn start(port: u16) -> Result<Sandbox> {
        let server = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|e| anyhow::anyhow!("sandbox cannot listen on 127.0.0.1:{port}: {e}"))?;
        let addr = server.server_addr().to_ip().context("sandbox address")?;
        let server = Arc::new(server);
        let state = Arc::new(Mutex::new(State::default()));
        let (srv, st) = (server.clone(), state.clone());
        let thread = std::thread::spawn(move || {
            for mut req in srv.incoming_requests() {
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let headers: Vec<(String, String)> = req
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_ascii_lowercase(),
                            h.value.to_string(),
                        )
                    })
                    .collect();
                let method = req.method().as_str().to_string();
                let url = req.url().to_string();
                let (status, body) = {
                    let mut st = st.lock().unwrap_or_else(|p| p.into_inner());
                    handle(&mut st, &method, &url, &headers, &body)
                };
                let mut resp = tiny_http::Response::from_string(body.unwrap_or_default())
                    .with_status_code(status);
                if status != 204 {
                    resp.add_header(
                        tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap(),
                    );
                }
                let _ = req.respond(resp);
            }
        });
        Ok(Sandbox {
            state,
            server,
            thread: Some(thread),
            base_url: format!("http://{addr}"),
        })
    }

    fn st(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `http://127.0.0.1:<port>`: the SP-API endpoint.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn lwa_url(&self) -> String {
        format!("{}/auth/o2/token", self.base_url)
    }

    /// Registers a seller with its credentials (the ones `Credentials::for_seller` makes).
    pub fn add_seller(&self, seller: &str) -> Credentials {
        let creds = Credentials::for_seller(seller);
        self.st().sellers.insert(
            creds.refresh_token.clone(),
            (seller.to_string(), creds.clone()),
        );
        creds
    }

    /// Sets the sandbox clock (token expiry, LastUpdateDate bumps); `None` = wall clock.
    pub fn set_now(&self, ms: Option<i64>) {
        self.st().now = ms;
    }

    pub fn now(&self) -> i64 {
        self.st().now()
    }

    /// Adds or replaces an order snapshot; the same id again is Amazon changing the order.
    pub fn upsert_order(&self, seller: &str, order: Value, items: Vec<Value>) -> Result<()> {
        let id = order
            .get("AmazonOrderId")
            .and_then(Value::as_str)
            .context("order has no AmazonOrderId")?
            .to_string();
        anyhow::ensure!(
            order
                .get("LastUpdateDate")
                .and_then(Value::as_str)
                .and_then(parse_iso)
                .is_some(),
            "order {id}: LastUpdateDate missing or not RFC 3339"
        );
        self.st()
            .orders
            .insert((seller.to_string(), id), StoredOrder { order, items });
        Ok(())
    }

    /// Loads `*.json` files: `{"order": {...}, "items": [...]}`, or an Order with `OrderItems`.
    pub fn load_dir(&self, seller: &str, dir: &std::path::Path) -> Result<usize> {
        let mut n = 0;
        let mut paths: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for p in paths {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p)?)
                .with_context(|| format!("{}", p.display()))?;
            let (order, items) = crate::app::split_order_file(v);
            let items = items.as_array().cloned().unwrap_or_default();
            self.upsert_order(seller, order, items)
                .with_context(|| format!("{}", p.display()))?;
            n += 1;
        }
        Ok(n)
    }

    pub fn order(&self, seller: &str, id: &str) -> Option<(Value, Vec<Value>)> {
        self.st()
            .orders
            .get(&(seller.to_string(), id.to_string()))
            .map(|o| (o.order.clone(), o.items.clone()))
    }

    /// Answers the next `count` matching SP-API requests with 429 `QuotaExceeded`, after letting
    /// `after` of them through; `op` limits it to one operation (see `OPERATIONS`).
    pub fn throttle(&self, count: u32, op: Option<&str>, after: u32) {
        self.st().throttle = Fault {
            remaining: count,
            op: op.map(str::to_string),
            skip: after,
        };
    }

    /// Answers the next `count` matching SP-API requests with 503.
    pub fn fail(&self, count: u32, op: Option<&str>, after: u32) {
        self.st().fail = Fault {
            remaining: count,
            op: op.map(str::to_string),
            skip: after,
        };
    }

    pub fn confirmations(&self) -> Vec<Confirmation> {
        self.st().confirmations.clone()
    }

    /// (operation, status) of every request served so far.
    pub fn request_log(&self) -> Vec<(String, u16)> {
        self.st().log.clone()
    }
}

fn errors(code: &str, message: &str) -> Option<String> {
    Some(json!({"errors": [{"code": code, "message": message}]}).to_string())
}

fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_form(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (url_decode(k), url_decode(v))
        })
        .collect()
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

fn operation(method: &str, path: &str) -> &'static str {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segs.as_slice()) {
        ("POST", ["auth", "o2", "token"]) => "lwa",
        ("GET", ["orders", "v0", "orders"]) => "getOrders",
        ("GET", ["orders", "v0", "orders", _]) => "getOrder",
        ("GET", ["orders", "v0", "orders", _, "orderItems"]) => "getOrderItems",
        ("POST", ["orders", "v0", "orders", _, "shipmentConfirmation"]) => "confirmShipment",
        _ => "unknown",
    }
}

fn handle(
    st: &mut State,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &str,
) -> (u16, Option<String>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut op = operation(method, path);
    if op == "getOrders" && query.contains("NextToken=") {
        op = "getOrdersNextPage";
    }
    let (status, out) = route(st, op, path, query, headers, body);
    st.log.push((op.to_string(), status));
    (status, out)
}

fn route(
    st: &mut State,
    op: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &str,
) -> (u16, Option<String>) {
    if op == "unknown" {
        return (
            404,
            errors("NotFound", &format!("no such resource: {path}")),
        );
    }
    if op == "lwa" {
        return token(st, body);
    }
    // Faults hit SP-API operations only, as Amazon's usage plans do.
    if st.throttle.hit(op) {
        return (
            429,
            errors(
                "QuotaExceeded",
                "You exceeded your quota for the requested resource.",
            ),
        );
    }
    if st.fail.hit(op) {
        return (
            503,
            errors("ServiceUnavailable", "Service temporarily unavailable."),
        );
    }
    let token = headers
        .iter()
        .find(|(k, _)| k == "x-amz-access-token")
        .map(|(_, v)| v.as_str());
    let now = st.now();
    let seller = match token.and_then(|t| st.tokens.get(t)) {
        Some((seller, exp)) if *exp > now => seller.clone(),
        Some(_) => {
            return (
                403,
                errors("Unauthorized", "The access token you provided has expired."),
            )
        }
        None => {
            return (
                403,
                errors("Unauthorized", "Access to requested resource is denied."),
            )
        }
    };
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match op {
        "getOrders" | "getOrdersNextPage" => get_orders(st, &seller, query),
        "getOrder" => match st.orders.get(&(seller, segs[3].to_string())) {
            Some(o) => (200, Some(json!({"payload": o.order}).to_string())),
            None => (
                404,
                errors("NotFound", &format!("Order {} not found", segs[3])),
            ),
        },
        "getOrderItems" => match st.orders.get(&(seller, segs[3].to_string())) {
            Some(o) => (
                200,
                Some(
                    json!({"payload": {"AmazonOrderId": segs[3], "OrderItems": o.items}})
                        .to_string(),
                ),
            ),
            None => (
                404,
                errors("NotFound", &format!("Order {} not found", segs[3])),
            ),
        },
        "confirmShipment" => confirm_shipment(st, &seller, segs[3], body),
        _ => (404, errors("NotFound", path)),
    }
}

fn token(st: &mut State, body: &str) -> (u16, Option<String>) {
    let form = parse_form(body);
    let f = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let seller = match st.sellers.get(f("refresh_token")) {
        Some((seller, c))
            if f("grant_type") == "refresh_token"
                && c.client_id == f("client_id")
                && c.client_secret == f("client_secret") =>
        {
            seller.clone()
        }
        _ => return (400, Some(json!({"error": "invalid_grant", "error_description": "The request has an invalid grant parameter"}).to_string())),
    };
    st.token_counter += 1;
    let tok = format!("Atza|sandbox-{}", st.token_counter);
    let exp = st.now() + TOKEN_TTL_SECS * 1000;
    st.tokens.insert(tok.clone(), (seller, exp));
    (
        200,
        Some(
            json!({"access_token": tok, "token_type": "bearer", "expires_in": TOKEN_TTL_SECS})
                .to_string(),
        ),
    )
}

fn get_orders(st: &State, seller: &str, query: &str) -> (u16, Option<String>) {
    let mut q = parse_form(query);
    let mut offset = 0usize;
    if let Some(nt) = q.get("NextToken").cloned() {
        // The token carries the original query, so a NextToken request needs nothing else.
        let Some(decoded) = unhex(&nt).and_then(|s| serde_json::from_str::<Value>(&s).ok()) else {
            return (400, errors("InvalidInput", "Invalid NextToken"));
        };
        q.clear();
        for k in [
            "MarketplaceIds",
            "LastUpdatedAfter",
            "LastUpdatedBefore",
            "CreatedAfter",
            "CreatedBefore",
            "MaxResultsPerPage",
        ] {
            if let Some(v) = decoded.get(k).and_then(Value::as_str) {
                q.insert(k.into(), v.into());
            }
        }
        offset = decoded.get("offset").and_then(Value::as_u64).unwrap_or(0) as usize;
    }
    let Some(markets) = q.get("MarketplaceIds").filter(|m| !m.is_empty()) else {
        return (400, errors("InvalidInput", "MarketplaceIds is required"));
    };
    let markets: Vec<&str> = markets.split(',').collect();
    let time = |k: &str| -> Result<Option<i64>, String> {
        match q.get(k) {
            None => Ok(None),
            Some(v) => parse_iso(v)
                .map(Some)
                .ok_or(format!("{k} must be ISO 8601: {v}")),
        }
    };
    let (la, lb, ca, cb) = match (
        time("LastUpdatedAfter"),
        time("LastUpdatedBefore"),
        time("CreatedAfter"),
        time("CreatedBefore"),
    ) {
        (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
            return (400, errors("InvalidInput", &e))
        }
    };
    if la.is_none() && ca.is_none() {
        return (
            400,
            errors(
                "InvalidInput",
                "Either CreatedAfter or LastUpdatedAfter is required",
            ),
        );
    }
    if la.is_some() && ca.is_some() {
        return (
            400,
            errors(
                "InvalidInput",
                "CreatedAfter and LastUpdatedAfter cannot both be given",
            ),
        );
    }
    let now = st.now();
    // Amazon's rule: the window must end at least two minutes before the request.
    let latest = now - 2 * 60_000;
    if lb.is_some_and(|b| b > latest) || cb.is_some_and(|b| b > latest) {
        return (
            400,
            errors(
                "InvalidInput",
                "LastUpdatedBefore/CreatedBefore must be at least 2 minutes before now",
            ),
        );
    }
    let page_size = match q.get("MaxResultsPerPage").map(|s| s.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        _ => {
            return (
                400,
                errors("InvalidInput", "MaxResultsPerPage must be 1..100"),
            )
        }
    };
    let ts = |o: &Value, k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .and_then(parse_iso)
            .unwrap_or(0)
    };
    let mut hits: Vec<&Value> = st
        .orders
        .iter()
        .filter(|((s, _), _)| s == seller)
        .map(|(_, o)| &o.order)
        .filter(|o| {
            let m = o.get("MarketplaceId").and_then(Value::as_str).unwrap_or("");
            let lu = ts(o, "LastUpdateDate");
            let pd = ts(o, "PurchaseDate");
            markets.contains(&m)
                && la.is_none_or(|a| lu >= a)
                && lb.is_none_or(|b| lu <= b)
                && ca.is_none_or(|a| pd >= a)
                && cb.is_none_or(|b| pd <= b)
        })
        .collect();
    let sort_key = if la.is_some() {
        "LastUpdateDate"
    } else {
        "PurchaseDate"
    };
    hits.sort_by(|a, b| {
        ts(a, sort_key).cmp(&ts(b, sort_key)).then_with(|| {
            a["AmazonOrderId"]
                .as_str()
                .cmp(&b["AmazonOrderId"].as_str())
        })
    });
    let page: Vec<&Value> = hits.iter().skip(offset).take(page_size).copied().collect();
    let mut payload = json!({"Orders": page});
    if offset + page_size < hits.len() {
        let mut tq = serde_json::Map::new();
        for (k, v) in &q {
            tq.insert(k.clone(), Value::String(v.clone()));
        }
        tq.insert("offset".into(), json!(offset + page_size));
        payload["NextToken"] = Value::String(hex(&Value::Object(tq).to_string()));
    }
    if la.is_some() {
        payload["LastUpdatedBefore"] = Value::String(iso(lb.unwrap_or(now)));
    } else {
        payload["CreatedBefore"] = Value::String(iso(cb.unwrap_or(now)));
    }
    (200, Some(json!({"payload": payload}).to_string()))
}

fn confirm_shipment(st: &mut State, seller: &str, id: &str, body: &str) -> (u16, Option<String>) {
    let bad = |m: &str| (400, errors("InvalidInput", m));
    let Ok(b) = serde_json::from_str::<Value>(body) else {
        return bad("body is not JSON");
    };
    let key = (seller.to_string(), id.to_string());
    let Some(stored) = st.orders.get(&key) else {
        return (404, errors("NotFound", &format!("Order {id} not found")));
    };
    let market = stored
        .order
        .get("MarketplaceId")
        .and_then(Value::as_str)
        .unwrap_or("");
    match b.get("marketplaceId").and_then(Value::as_str) {
        Some(m) if m == market => {}
        Some(_) => return bad("marketplaceId does not match the order"),
        None => return bad("marketplaceId is required"),
    }
    let Some(pd) = b.get("packageDetail") else {
        return bad("packageDetail is required");
    };
    let s = |k: &str| pd.get(k).and_then(Value::as_str).unwrap_or("");
    let reference = s("packageReferenceId");
    if reference.is_empty()
        || !reference.bytes().all(|c| c.is_ascii_digit())
        || reference.trim_start_matches('0').is_empty()
    {
        return bad("packageReferenceId must be a positive numeric string");
    }
    if s("carrierCode").is_empty() {
        return bad("carrierCode is required");
    }
    if s("trackingNumber").is_empty() {
        return bad("trackingNumber is required");
    }
    if parse_iso(s("shipDate")).is_none() {
        return bad("shipDate must be an ISO 8601 date-time");
    }
    match stored.order.get("OrderStatus").and_then(Value::as_str) {
        Some("Unshipped" | "PartiallyShipped" | "Shipped") => {}
        other => {
            return bad(&format!(
                "cannot confirm a shipment of an order in status {}",
                other.unwrap_or("?")
            ))
        }
    }
    let Some(lines) = pd
        .get("orderItems")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    else {
        return bad("orderItems is required");
    };
    let mut items = Vec::new();
    for l in lines {
        let oid = l.get("orderItemId").and_then(Value::as_str).unwrap_or("");
        let qty = l.get("quantity").and_then(Value::as_u64).unwrap_or(0);
        if qty == 0
            || !stored
                .items
                .iter()
                .any(|i| i["OrderItemId"].as_str() == Some(oid))
        {
            return bad(&format!(
                "orderItemId {oid:?} with quantity {qty} is not on the order"
            ));
        }
        items.push(ConfirmedItem {
            order_item_id: oid.to_string(),
            quantity: qty as u32,
        });
    }
    let conf = Confirmation {
        amazon_order_id: id.to_string(),
        package_reference_id: reference.to_string(),
        carrier_code: s("carrierCode").to_string(),
        tracking_number: s("trackingNumber").to_string(),
        items,
        seller: seller.to_string(),
    };
    // The same package again replaces the earlier confirmation: shipped quantities are
    // recomputed from all packages, so nothing is counted twice.
    let mut all: Vec<Confirmation> = st
        .confirmations
        .iter()
        .filter(|c| {
            !(c.seller == seller && c.amazon_order_id == id && c.package_reference_id == reference)
        })
        .cloned()
        .collect();
    all.push(conf);
    let mut shipped: HashMap<&str, u64> = HashMap::new();
    for c in all
        .iter()
        .filter(|c| c.seller == seller && c.amazon_order_id == id)
    {
        for i in &c.items {
            *shipped.entry(i.order_item_id.as_str()).or_default() += u64::from(i.quantity);
        }
    }
    for item in &stored.items {
        let oid = item["OrderItemId"].as_str().unwrap_or("");
        let ordered = item["QuantityOrdered"].as_u64().unwrap_or(0);
        if shipped.get(oid).copied().unwrap_or(0) > ordered {
            return bad(&format!(
                "orderItemId {oid}: more shipped than ordered ({ordered})"
            ));
        }
    }
    let now = st.now();
    let shipped: HashMap<String, u64> = shipped
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let stored = st.orders.get_mut(&key).expect("checked above");
    let (mut n_shipped, mut n_unshipped) = (0u64, 0u64);
    for item in &mut stored.items {
        let oid = item["OrderItemId"].as_str().unwrap_or("").to_string();
        let ordered = item["QuantityOrdered"].as_u64().unwrap_or(0);
        let q = shipped.get(&oid).copied().unwrap_or(0);
        item["QuantityShipped"] = json!(q);
        n_shipped += q;
        n_unshipped += ordered - q;
    }
    let o = &mut stored.order;
    o["NumberOfItemsShipped"] = json!(n_shipped);
    o["NumberOfItemsUnshipped"] = json!(n_unshipped);
    o["OrderStatus"] = json!(if n_unshipped == 0 {
        "Shipped"
    } else {
        "PartiallyShipped"
    });
    o["LastUpdateDate"] = json!(iso(now));
    st.confirmations = all;
    (204, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_decode_handles_plus_and_percent() {
        assert_eq!(url_decode("a+b%7Cc%3d"), "a b|c=");
        assert_eq!(url_decode("100%"), "100%");
    }

    #[test]
    fn next_token_round_trips() {
        assert_eq!(unhex(&hex("{\"a\":1}")).as_deref(), Some("{\"a\":1}"));
    }
}
