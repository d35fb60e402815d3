//! An in-memory [`Host`] with a simulated Amazon behind its `http`: what native tests,
//! benchmarks and the fault-injection wrappers run the engine against.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use crate::amazon::{
    parse_time, ConfirmShipmentRequest, FulfillmentChannel, Order, OrderItem, OrderStatus,
};
use crate::blockers::{CatalogFacts, ProductFact, SkuQty};
use crate::engine::spapi::iso;
use crate::host::{
    CommerceError, Host, HttpError, HttpRequest, HttpResponse, Method, OrderRef, StorageError,
    StorageOp,
};
use crate::order_builder::OrderDraft;

pub const SANDBOX_ENDPOINT: &str = "https://sandbox.sellingpartnerapi.test";
pub const SANDBOX_LWA: &str = "https://sandbox.lwa.test/auth/o2/token";
pub const SANDBOX_CLIENT_ID: &str = "amzn1.application-oa2-client.sandbox";
pub const SANDBOX_CLIENT_SECRET: &str = "sandbox-client-secret-do-not-log";
pub const SANDBOX_REFRESH_TOKEN: &str = "Atzr|sandbox-refresh-token-do-not-log";

/// A Commerce order the memory host created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommerceOrder {
    pub id: String,
    pub increment_id: String,
    pub draft: OrderDraft<'static>,
    pub status: String,
}

/// A simulated SP-API: getOrders with `LastUpdatedAfter/Before` and `NextToken`, getOrderItems,
/// confirmShipment (moving orders to `PartiallyShipped`/`Shipped`), LWA, 429 and 503 on demand.
#[derive(Clone, Debug, Default)]
pub struct FakeAmazon {
    orders: BTreeMap<String, (Order<'static>, Vec<OrderItem<'static>>)>,
    pub now: DateTime<Utc>,
    tokens: BTreeMap<String, i64>,
    issued: u32,
    /// Answer the next N SP-API calls with 429.
    pub throttle_next: u32,
    /// Let this many SP-API calls through, then throttle (`throttle_next` then applies).
    pub throttle_after: Option<u32>,
    /// Answer the next N SP-API calls with 503.
    pub fail_next: u32,
    /// Lifetime of issued access tokens, in seconds.
    pub token_lifetime: i64,
    pub page_size_cap: Option<usize>,
    /// Items per getOrderItems answer (all of them when `None`); more follow by `NextToken`.
    pub items_page_size: Option<usize>,
    /// Every confirmShipment accepted: (order id, request).
    pub confirmations: Vec<(String, ConfirmShipmentRequest)>,
    pub calls: Vec<String>,
}

/// A 200 answer with `payload`, its members in the order Amazon writes them (a
/// `serde_json::Value` would sort them).
fn answer(payload: impl serde::Serialize) -> HttpResponse {
    #[derive(serde::Serialize)]
    struct Answer<P> {
        payload: P,
    }
    let body = serde_json::to_string(&Answer { payload }).expect("a payload serialises");
    json_response(200, body)
}

/// The payload of a getOrders answer, members in Amazon's order.
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct OrdersPage<'o> {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    orders: Vec<&'o Order<'static>>,
    last_updated_before: String,
}

/// The payload of a getOrderItems answer, members in Amazon's order.
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ItemsPage<'i> {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    amazon_order_id: &'i str,
    order_items: &'i [OrderItem<'static>],
}

fn json_response(status: u16, body: String) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body,
    }
}

fn error_body(status: u16, code: &str, message: &str) -> HttpResponse {
    json_response(
        status,
        serde_json::json!({"errors": [{"code": code, "message": message}]}).to_string(),
    )
}

/// Percent-decoding of query values.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_params(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

impl FakeAmazon {
    pub fn new(now: DateTime<Utc>) -> Self {
        FakeAmazon {
            now,
            token_lifetime: 3600,
            ..FakeAmazon::default()
        }
    }

    /// Amazon now reports this snapshot (the same id again = Amazon changed the order).
    pub fn put_order(&mut self, order: Order<'_>, items: Vec<OrderItem<'_>>) {
        let items = items.into_iter().map(OrderItem::into_owned).collect();
        self.orders.insert(
            order.amazon_order_id.to_string(),
            (order.into_owned(), items),
        );
    }

    pub fn order(&self, id: &str) -> Option<&(Order<'static>, Vec<OrderItem<'static>>)> {
        self.orders.get(id)
    }

    /// Changes an order's status as Amazon would, bumping `LastUpdateDate` to `now`.
    pub fn set_status(&mut self, id: &str, status: OrderStatus) {
        if let Some((order, _)) = self.orders.get_mut(id) {
            order.order_status = status;
            order.last_update_date = self.now;
        }
    }

    fn handle(&mut self, request: HttpRequest<'_>) -> HttpResponse {
        let (path, query) = request
            .url
            .split_once('?')
            .unwrap_or((request.url.as_str(), ""));
        if request.url.starts_with(SANDBOX_LWA) {
            return self.lwa(request.body.as_deref().unwrap_or_default());
        }
        let Some(path) = path.strip_prefix(SANDBOX_ENDPOINT) else {
            return error_body(404, "NotFound", "unknown host");
        };
        self.calls.push(format!("{:?} {path}", request.method));
        let token = request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-access-token"))
            .map(|(_, v)| *v);
        match token.and_then(|t| self.tokens.get(t)) {
            Some(expires) if *expires > self.now.timestamp_millis() => {}
            _ => {
                return error_body(
                    403,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                )
            }
        }
        if let Some(left) = self.throttle_after.as_mut() {
            if *left == 0 {
                self.throttle_after = None;
            } else {
                *left -= 1;
            }
        }
        if self.throttle_after.is_none() && self.throttle_next > 0 {
            self.throttle_next -= 1;
            return error_body(
                429,
                "QuotaExceeded",
                "You exceeded your quota for the requested resource.",
            );
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return error_body(
                503,
                "ServiceUnavailable",
                "Service temporarily unavailable.",
            );
        }
        let params = query_params(query);
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (request.method, segments.as_slice()) {
            (Method::Get, ["orders", "v0", "orders"]) => self.get_orders(&params),
            (Method::Get, ["orders", "v0", "orders", id, "orderItems"]) => {
                match self.orders.get(*id) {
                    Some((_, items)) => {
                        let from: usize = params
                            .get("NextToken")
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(0);
                        let to = self
                            .items_page_size
                            .map_or(items.len(), |size| (from + size).min(items.len()));
                        let payload = ItemsPage {
                            next_token: (to < items.len()).then(|| to.to_string()),
                            amazon_order_id: id,
                            order_items: items.get(from..to).unwrap_or_default(),
                        };
                        answer(payload)
                    }
                    None => error_body(404, "NotFound", "Order not found"),
                }
            }
            (Method::Post, ["orders", "v0", "orders", id, "shipmentConfirmation"]) => {
                let id = id.to_string();
                self.confirm(&id, request.body.as_deref().unwrap_or_default())
            }
            _ => error_body(404, "NotFound", "Unknown operation"),
        }
    }

    fn lwa(&mut self, body: &str) -> HttpResponse {
        let form = query_params(body);
        let ok = form.get("grant_type").map(String::as_str) == Some("refresh_token")
            && form.get("client_id").map(String::as_str) == Some(SANDBOX_CLIENT_ID)
            && form.get("client_secret").map(String::as_str) == Some(SANDBOX_CLIENT_SECRET)
            && form.get("refresh_token").map(String::as_str) == Some(SANDBOX_REFRESH_TOKEN);
        if !ok {
            return json_response(
                400,
                r#"{"error":"invalid_grant","error_description":"The request has an invalid grant parameter"}"#.into(),
            );
        }
        self.issued += 1;
        let token = format!("Atza|sandbox-{}", self.issued);
        self.tokens.insert(
            token.clone(),
            self.now.timestamp_millis() + self.token_lifetime * 1000,
        );
        json_response(
            200,
            serde_json::json!({"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime})
                .to_string(),
        )
    }

    fn get_orders(&self, params: &BTreeMap<String, String>) -> HttpResponse {
        // NextToken carries the whole query: "<after ms>|<before ms>|<page size>|<offset>".
        let (after, before, size, offset) = match params.get("NextToken") {
            Some(token) => {
                let parts: Vec<i64> = token.split('|').filter_map(|p| p.parse().ok()).collect();
                if parts.len() != 4 {
                    return error_body(400, "InvalidInput", "Invalid NextToken");
                }
                (parts[0], parts[1], parts[2] as usize, parts[3] as usize)
            }
            None => {
                let time = |key: &str| params.get(key).and_then(|v| parse_time(v).ok());
                let Some(after) = time("LastUpdatedAfter") else {
                    return error_body(400, "InvalidInput", "LastUpdatedAfter is required");
                };
                let before = time("LastUpdatedBefore").unwrap_or(self.now);
                let size = params
                    .get("MaxResultsPerPage")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(100usize)
                    .clamp(1, 100);
                (after.timestamp_millis(), before.timestamp_millis(), size, 0)
            }
        };
        let size = self.page_size_cap.map_or(size, |cap| size.min(cap));
        let marketplace = params.get("MarketplaceIds").cloned().unwrap_or_default();
        let mut matching: Vec<&Order> = self
            .orders
            .values()
            .map(|(o, _)| o)
            .filter(|o| {
                let t = o.last_update_date.timestamp_millis();
                t >= after
                    && t <= before
                    && o.marketplace_id.as_deref().is_none_or(|m| m == marketplace)
            })
            .collect();
        matching.sort_by_key(|o| (o.last_update_date, o.amazon_order_id.clone()));
        answer(OrdersPage {
            next_token: (offset + size < matching.len())
                .then(|| format!("{after}|{before}|{size}|{}", offset + size)),
            orders: matching.iter().skip(offset).take(size).copied().collect(),
            last_updated_before: iso(DateTime::from_timestamp_millis(before).unwrap_or_default()),
        })
    }

    fn confirm(&mut self, id: &str, body: &str) -> HttpResponse {
        let Ok(request) = ConfirmShipmentRequest::from_json(body) else {
            return error_body(400, "InvalidInput", "Invalid Input");
        };
        let detail = &request.package_detail;
        if parse_time(&detail.ship_date).is_err()
            || detail
                .package_reference_id
                .parse::<u64>()
                .map_or(true, |n| n == 0)
            || detail.tracking_number.is_empty()
        {
            return error_body(400, "InvalidInput", "Invalid Input");
        }
        let now = self.now;
        let Some((order, items)) = self.orders.get_mut(id) else {
            return error_body(404, "NotFound", "Order not found");
        };
        if order.channel() == Some(&FulfillmentChannel::Afn) {
            return error_body(400, "InvalidInput", "FBA orders are shipped by Amazon");
        }
        // Re-sending a package reference replaces that package.
        let earlier: Vec<(String, u32)> = self
            .confirmations
            .iter()
            .filter(|(o, r)| {
                o == id && r.package_detail.package_reference_id == detail.package_reference_id
            })
            .flat_map(|(_, r)| {
                r.package_detail
                    .order_items
                    .iter()
                    .map(|i| (i.order_item_id.clone(), i.quantity))
            })
            .collect();
        for item in items.iter_mut() {
            let minus: u32 = earlier
                .iter()
                .filter(|(i, _)| *i == item.order_item_id)
                .map(|(_, q)| q)
                .sum();
            let plus: u32 = detail
                .order_items
                .iter()
                .filter(|i| i.order_item_id == item.order_item_id)
                .map(|i| i.quantity)
                .sum();
            let shipped = item.quantity_shipped.unwrap_or(0).saturating_sub(minus) + plus;
            item.quantity_shipped = Some(shipped.min(item.quantity_ordered));
        }
        let shipped: u32 = items.iter().map(|i| i.quantity_shipped.unwrap_or(0)).sum();
        let ordered: u32 = items.iter().map(|i| i.quantity_ordered).sum();
        order.order_status = if shipped >= ordered {
            OrderStatus::Shipped
        } else {
            OrderStatus::PartiallyShipped
        };
        order.last_update_date = now;
        self.confirmations.retain(|(o, r)| {
            !(o == id && r.package_detail.package_reference_id == detail.package_reference_id)
        });
        self.confirmations.push((id.to_owned(), request));
        HttpResponse {
            status: 204,
            headers: Vec::new(),
            body: String::new(),
        }
    }
}

/// The in-memory host. `Clone`: a benchmark replays one call from the same state many times.
#[derive(Clone, Debug, Default)]
pub struct MemoryHost {
    pub storage: BTreeMap<String, String>,
    pub settings: BTreeMap<String, Vec<(String, String)>>,
    pub catalog: BTreeMap<String, ProductFact>,
    pub orders: BTreeMap<(String, String), CommerceOrder>,
    pub reservations: BTreeMap<(String, String), Vec<SkuQty>>,
    pub admin_message: Option<String>,
    pub amazon: FakeAmazon,
    /// Number of host calls made so far (fault injection counts with it).
    pub host_calls: u64,
}

impl MemoryHost {
    pub fn new(now: DateTime<Utc>) -> Self {
        MemoryHost {
            amazon: FakeAmazon::new(now),
            ..MemoryHost::default()
        }
    }

    /// Configures `store` with the sandbox credentials plus `extra` settings.
    pub fn add_store(
        &mut self,
        store: &str,
        marketplace_id: &str,
        integrated_at: &str,
        extra: &[(&str, &str)],
    ) {
        let mut pairs: Vec<(String, String)> = [
            ("marketplace_id", marketplace_id),
            ("integrated_at", integrated_at),
            ("spapi_endpoint", SANDBOX_ENDPOINT),
            ("lwa_endpoint", SANDBOX_LWA),
            ("lwa_client_id", SANDBOX_CLIENT_ID),
            ("lwa_client_secret", SANDBOX_CLIENT_SECRET),
            ("lwa_refresh_token", SANDBOX_REFRESH_TOKEN),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.settings.insert(store.to_owned(), pairs);
    }

    pub fn set_product(&mut self, sku: &str, enabled: bool, qty: Option<i64>) {
        self.catalog.insert(
            sku.to_owned(),
            ProductFact {
                sku: sku.to_owned(),
                name: sku.to_owned(),
                enabled,
                qty,
            },
        );
    }

    pub fn commerce_order(&self, store: &str, amazon_order_id: &str) -> Option<&CommerceOrder> {
        self.orders
            .get(&(store.to_owned(), amazon_order_id.to_owned()))
    }

    /// [`Host::create_order`] of a draft the caller gives away: a host that lifted the draft
    /// out of the component keeps it as it is instead of copying it again.
    pub fn create_owned_order(
        &mut self,
        draft: OrderDraft<'static>,
    ) -> Result<OrderRef, CommerceError> {
        self.host_calls += 1;
        let key = (draft.store.to_string(), draft.amazon_order_id.to_string());
        if let Some(existing) = self.orders.get(&key) {
            return Ok(OrderRef {
                id: existing.id.clone(),
                increment_id: existing.increment_id.clone(),
            });
        }
        self.return_hold(&draft.store, &draft.amazon_order_id);
        for line in &draft.lines {
            self.adjust_stock(&line.sku, -i64::from(line.qty));
        }
        let id = (self.orders.len() + 1).to_string();
        let increment_id = match &draft.increment_id {
            Some(given) => given.to_string(),
            None => format!("{:09}", self.orders.len() + 1),
        };
        let order = CommerceOrder {
            id: id.clone(),
            increment_id: increment_id.clone(),
            status: draft.status.to_string(),
            draft,
        };
        self.orders.insert(key, order);
        Ok(OrderRef { id, increment_id })
    }

    fn adjust_stock(&mut self, sku: &str, delta: i64) {
        if let Some(qty) = self.catalog.get_mut(sku).and_then(|p| p.qty.as_mut()) {
            *qty += delta;
        }
    }

    fn return_hold(&mut self, store: &str, id: &str) {
        if let Some(held) = self.reservations.remove(&(store.to_owned(), id.to_owned())) {
            for h in held {
                self.adjust_stock(&h.sku, i64::from(h.qty));
            }
        }
    }
}

impl Host for MemoryHost {
    fn http_send(&mut self, request: HttpRequest<'_>) -> Result<HttpResponse, HttpError> {
        self.host_calls += 1;
        if !(request.url.starts_with(SANDBOX_ENDPOINT) || request.url.starts_with(SANDBOX_LWA)) {
            return Err(HttpError::NotAllowed(request.url));
        }
        Ok(self.amazon.handle(request))
    }

    fn storage_get(&mut self, key: &str) -> Result<Option<String>, StorageError> {
        self.host_calls += 1;
        Ok(self.storage.get(key).cloned())
    }

    fn storage_apply(&mut self, ops: Vec<StorageOp<'_>>) -> Result<(), StorageError> {
        self.host_calls += 1;
        for op in ops {
            match op {
                StorageOp::Put(k, v) => {
                    self.storage.insert(k, v);
                }
                StorageOp::PutParts(k, parts) => {
                    self.storage.insert(k, parts.concat());
                }
                StorageOp::Delete(k) => {
                    self.storage.remove(&k);
                }
            }
        }
        Ok(())
    }

    fn storage_list(
        &mut self,
        prefix: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StorageError> {
        self.host_calls += 1;
        let start = after.unwrap_or(prefix);
        Ok(self
            .storage
            .range::<str, _>((std::ops::Bound::Included(start), std::ops::Bound::Unbounded))
            .filter(|(k, _)| Some(k.as_str()) != after)
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit as usize)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn storage_cas(
        &mut self,
        key: &str,
        expected: Option<&str>,
        new: Option<&str>,
    ) -> Result<bool, StorageError> {
        self.host_calls += 1;
        if self.storage.get(key).map(String::as_str) != expected {
            return Ok(false);
        }
        match new {
            Some(v) => self.storage.insert(key.to_owned(), v.to_owned()),
            None => self.storage.remove(key),
        };
        Ok(true)
    }

    fn settings(&mut self, store: &str) -> Vec<(String, String)> {
        self.host_calls += 1;
        self.settings.get(store).cloned().unwrap_or_default()
    }

    fn find_product_into(
        &mut self,
        _store: &str,
        sku: &str,
        facts: &mut CatalogFacts,
    ) -> Result<(), CommerceError> {
        self.host_calls += 1;
        if let Some(product) = self.catalog.get(sku) {
            facts.insert_new(product.clone());
        }
        Ok(())
    }

    fn create_order(&mut self, draft: &OrderDraft<'_>) -> Result<OrderRef, CommerceError> {
        self.create_owned_order(draft.clone().into_owned())
    }

    fn complete_order(&mut self, store: &str, id: &str) -> Result<(), CommerceError> {
        self.host_calls += 1;
        match self.orders.get_mut(&(store.to_owned(), id.to_owned())) {
            Some(order) => {
                order.status = "complete".into();
                Ok(())
            }
            None => Err(CommerceError::Rejected(format!("no order for {id}"))),
        }
    }

    fn cancel_order(&mut self, store: &str, id: &str) -> Result<(), CommerceError> {
        self.host_calls += 1;
        let key = (store.to_owned(), id.to_owned());
        let Some(order) = self.orders.get_mut(&key) else {
            return Err(CommerceError::Rejected(format!("no order for {id}")));
        };
        if order.status != "canceled" {
            order.status = "canceled".into();
            let lines: Vec<(String, u32)> = order
                .draft
                .lines
                .iter()
                .map(|l| (l.sku.to_string(), l.qty))
                .collect();
            for (sku, qty) in lines {
                self.adjust_stock(&sku, i64::from(qty));
            }
        }
        Ok(())
    }

    fn reserve(&mut self, store: &str, id: &str, items: &[SkuQty]) -> Result<(), CommerceError> {
        self.host_calls += 1;
        self.return_hold(store, id);
        for item in items {
            self.adjust_stock(&item.sku, -i64::from(item.qty));
        }
        self.reservations
            .insert((store.to_owned(), id.to_owned()), items.to_vec());
        Ok(())
    }

    fn release(&mut self, store: &str, id: &str) -> Result<(), CommerceError> {
        self.host_calls += 1;
        self.return_hold(store, id);
        Ok(())
    }

    fn set_admin_message(&mut self, message: Option<&str>) -> Result<(), CommerceError> {
        self.host_calls += 1;
        self.admin_message = message.map(str::to_owned);
        Ok(())
    }
}
