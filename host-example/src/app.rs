//! Host actions shared by the CLI, the demo, replay and the tests: Commerce shipments and
//! cancellations (recorded in SQLite, then told to the component), and `Sim`, the component
//! wired to an in-process sandbox with a simulated clock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;

use crate::bindings::commerce::amazon_order_sync::types::SkuQty;
use crate::bindings::exports::commerce::amazon_order_sync::hooks::{
    CommerceEvent, OrderKey, Shipment, TickReport, TickStatus,
};
use crate::commerce::CommerceOrder;
use crate::db::{Db, Product};
use crate::runtime::{plugin_error_text, Limits, Runtime};
use crate::sandbox::{parse_iso, Confirmation, Sandbox};
use crate::settings::Settings;

/// `target/wasm32-wasip2/release/amazon_order_sync.wasm` of this workspace.
pub fn default_component_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target/wasm32-wasip2/release/amazon_order_sync.wasm")
}

pub fn carrier_title(carrier: &str) -> String {
    match carrier.to_ascii_lowercase().as_str() {
        "ups" => "UPS".into(),
        "fedex" => "FedEx".into(),
        "usps" => "USPS".into(),
        "dhl" => "DHL".into(),
        _ => carrier.to_string(),
    }
}

/// A Commerce shipment: recorded on the Commerce order, then sent to the component as
/// `shipped`. `items: None` ships everything not shipped yet. Returns the shipment id.
pub fn ship(
    rt: &mut Runtime,
    store: &str,
    amazon_order_id: &str,
    carrier: &str,
    tracking: &str,
    items: Option<Vec<(String, u32)>>,
    now: i64,
) -> Result<String> {
    let lines = match &items {
        Some(i) => i.clone(),
        None => rt.db().unshipped_items(store, amazon_order_id)?,
    };
    anyhow::ensure!(
        !lines.is_empty(),
        "nothing left to ship on {amazon_order_id}"
    );
    let sid = rt
        .db()
        .record_shipment(store, amazon_order_id, carrier, tracking, &lines, now)?;
    let shipment_id = format!("{store}-{sid}");
    let event = CommerceEvent::Shipped(Shipment {
        store: store.to_string(),
        amazon_order_id: amazon_order_id.to_string(),
        shipment_id: shipment_id.clone(),
        carrier: carrier.to_ascii_lowercase(),
        carrier_title: carrier_title(carrier),
        tracking_number: tracking.to_string(),
        // The contract's "empty = everything not shipped yet" matches `items: None`.
        items: items
            .unwrap_or_default()
            .into_iter()
            .map(|(sku, qty)| SkuQty { sku, qty })
            .collect(),
        shipped_at: now,
    });
    let told = match rt.on_commerce_event(now, &event) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(anyhow::anyhow!(
            "on-commerce-event(shipped): {}",
            plugin_error_text(&e)
        )),
        Err(f) => Err(anyhow::Error::new(f)),
    };
    if let Err(e) = told {
        // Amazon would never hear of a shipment the component did not take: undo it in
        // Commerce so that shipping again later is not refused as "already shipped".
        rt.db().undo_shipment(&sid, &lines)?;
        return Err(e.context("the shipment was not recorded"));
    }
    Ok(shipment_id)
}

/// The order is canceled in Commerce (stock returned), then the component is told.
pub fn cancel(rt: &mut Runtime, store: &str, amazon_order_id: &str, now: i64) -> Result<()> {
    rt.db()
        .cancel_order(store, amazon_order_id, now)
        .map_err(|e| anyhow::anyhow!("cancel in Commerce: {e:?}"))?;
    let event = CommerceEvent::Canceled(OrderKey {
        store: store.to_string(),
        amazon_order_id: amazon_order_id.to_string(),
    });
    rt.on_commerce_event(now, &event)?
        .map_err(|e| anyhow::anyhow!("on-commerce-event(canceled): {}", plugin_error_text(&e)))?;
    Ok(())
}

/// An order file: `{"order":…,"items":[…]}`, or an Order with its `OrderItems` inside.
pub fn split_order_file(v: Value) -> (Value, Value) {
    match v.get("order") {
        Some(o) => (
            o.clone(),
            v.get("items").cloned().unwrap_or(Value::Array(vec![])),
        ),
        None => {
            let mut o = v;
            let items = o
                .as_object_mut()
                .and_then(|m| m.remove("OrderItems"))
                .unwrap_or(Value::Array(vec![]));
            (o, items)
        }
    }
}

/// What `on-amazon-order` decided, for printing.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionOut {
    pub amazon_order_id: String,
    pub kind: String,
    pub table_status: String,
    pub commerce_order_id: Option<String>,
    pub blockers: Vec<BlockerOut>,
    pub reason: String,
    pub fuel: u64,
}

/// Push path: one snapshot straight to the component.
pub fn push(
    rt: &mut Runtime,
    store: &str,
    now: i64,
    order: &Value,
    items: &Value,
) -> Result<DecisionOut> {
    use crate::bindings::exports::commerce::amazon_order_sync::hooks::DecisionKind as K;
    let d = rt
        .on_amazon_order(store, now, &order.to_string(), &items.to_string())?
        .map_err(|e| anyhow::anyhow!("on-amazon-order: {}", plugin_error_text(&e)))?;
    Ok(DecisionOut {
        amazon_order_id: d.amazon_order_id,
        kind: match d.kind {
            K::RecordOnly => "record-only",
            K::Create => "create",
            K::Blocked => "blocked",
            K::Complete => "complete",
            K::Cancel => "cancel",
            K::Skip => "skip",
            K::Ignore => "ignore",
        }
        .into(),
        table_status: d.table_status,
        commerce_order_id: d.commerce_order_id,
        blockers: d
            .blockers
            .into_iter()
            .map(|b| BlockerOut {
                sku: b.sku,
                kind: b.kind,
                message: b.message,
            })
            .collect(),
        reason: d.reason,
        fuel: rt.fuel.last,
    })
}

pub fn tick_status(s: &TickStatus) -> &'static str {
    match s {
        TickStatus::Done => "done",
        TickStatus::Throttled => "throttled",
        TickStatus::Busy => "busy",
    }
}

/// The outcome of one `on-cron-tick` call, as replay reports it.
#[derive(Debug, Clone, Serialize)]
pub struct TickOutcome {
    pub store: String,
    pub now: String,
    /// "done" / "throttled" / "busy", or "error" (plugin-error) / "failed" (trap, fuel, memory).
    pub status: String,
    pub pulled: u32,
    pub created: u32,
    pub blocked: u32,
    pub completed: u32,
    pub canceled: u32,
    pub pushed: u32,
    pub skipped: u32,
    pub errors: Vec<String>,
    pub fuel: u64,
}

impl TickOutcome {
    fn from_result(
        store: &str,
        now: i64,
        fuel: u64,
        r: Result<Result<TickReport, crate::runtime::PluginError>, crate::runtime::CallFailure>,
    ) -> TickOutcome {
        let mut t = TickOutcome {
            store: store.to_string(),
            now: crate::sandbox::iso(now),
            status: String::new(),
            pulled: 0,
            created: 0,
            blocked: 0,
            completed: 0,
            canceled: 0,
            pushed: 0,
            skipped: 0,
            errors: vec![],
            fuel,
        };
        match r {
            Ok(Ok(rep)) => {
                t.status = tick_status(&rep.status).into();
                t.pulled = rep.pulled;
                t.created = rep.created;
                t.blocked = rep.blocked;
                t.completed = rep.completed;
                t.canceled = rep.canceled;
                t.pushed = rep.pushed;
                t.skipped = rep.skipped;
                t.errors = rep.errors;
            }
            Ok(Err(e)) => {
                t.status = "error".into();
                t.errors = vec![plugin_error_text(&e)];
            }
            Err(f) => {
                t.status = "failed".into();
                t.errors = vec![f.to_string()];
            }
        }
        t
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BlockerOut {
    pub sku: String,
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AmazonOrderOut {
    pub store: String,
    pub amazon_order_id: String,
    pub status: String,
    pub fulfillment_channel: String,
    pub commerce_order_id: Option<String>,
    pub blockers: Vec<BlockerOut>,
    /// The whole `order-detail` row, for tests that look deeper (not part of `--json`).
    #[serde(skip)]
    pub detail: Value,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FuelOut {
    pub total: u64,
    pub max_per_call: u64,
}

/// The final state `replay --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub amazon_orders: Vec<AmazonOrderOut>,
    pub commerce_orders: Vec<CommerceOrder>,
    pub system_message: Option<String>,
    pub shipment_confirmations: Vec<Confirmation>,
    pub fuel: FuelOut,
    pub ticks: Vec<TickOutcome>,
    pub products: Vec<Product>,
}

fn str_field(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Every Amazon order row the component stored for `store`, through `admin.order-detail`.
pub fn amazon_orders(rt: &mut Runtime, store: &str) -> Result<Vec<AmazonOrderOut>> {
    let prefix = format!("v1/s/{store}/order/");
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = rt.db().kv_list_prefix(&prefix, after.as_deref(), 500)?;
        if page.is_empty() {
            break;
        }
        after = page.last().map(|(k, _)| k.clone());
        ids.extend(page.into_iter().map(|(k, _)| k[prefix.len()..].to_string()));
    }
    let mut out = Vec::new();
    for id in ids {
        // The stored row is the component's own format, not the detail: a failed
        // `order-detail` is reported, never replaced by a reading of the raw row.
        let detail: Value = match rt.order_detail(store, &id) {
            Ok(Ok(Some(json))) => {
                serde_json::from_str(&json).context("order-detail is not JSON")?
            }
            Ok(Ok(None)) => anyhow::bail!("order-detail: listed order {id} not found"),
            Ok(Err(e)) => anyhow::bail!("order-detail({id}): {}", plugin_error_text(&e)),
            Err(f) => return Err(anyhow::Error::new(f)),
        };
        let blockers = detail
            .get("blockers")
            .and_then(Value::as_array)
            .map(|bs| {
                bs.iter()
                    .map(|b| BlockerOut {
                        sku: str_field(b, "sku"),
                        kind: str_field(b, "kind"),
                        message: str_field(b, "message"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let commerce_order_id = match detail.get("commerce_order_id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        out.push(AmazonOrderOut {
            store: store.to_string(),
            amazon_order_id: id,
            status: str_field(&detail, "table_status"),
            fulfillment_channel: str_field(&detail, "fulfillment_channel"),
            commerce_order_id,
            blockers,
            detail,
        });
    }
    Ok(out)
}

/// The component plus an in-process sandbox on a simulated clock.
pub struct Sim {
    pub rt: Runtime,
    pub sandbox: Sandbox,
    /// Simulated "now" (millis); `cron` moves it, ship and cancel happen at it.
    pub now: i64,
    pub ticks: Vec<TickOutcome>,
    /// Store codes whose endpoints are left off the allow-list (to prove refusal).
    not_allow_listed: Vec<String>,
}

impl Sim {
    pub fn new(component: &Path, db: Db, limits: Limits) -> Result<Sim> {
        let sandbox = Sandbox::start(0)?;
        let rt = Runtime::new(component, db, Settings::default(), limits)?;
        Ok(Sim {
            rt,
            sandbox,
            now: 0,
            ticks: vec![],
            not_allow_listed: vec![],
        })
    }

    /// Adds (or updates) a store whose endpoints and credentials point at the sandbox.
    /// `extra` are more settings keys (they may override the endpoints).
    pub fn add_store(
        &mut self,
        code: &str,
        marketplace_id: &str,
        integrated_at: &str,
        extra: &BTreeMap<String, String>,
        allow_listed: bool,
    ) -> Result<()> {
        anyhow::ensure!(
            !code.is_empty()
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
            "store code {code:?} must match [A-Za-z0-9_.-]+"
        );
        anyhow::ensure!(
            parse_iso(integrated_at).is_some(),
            "integrated_at {integrated_at:?} is not RFC 3339"
        );
        let creds = self.sandbox.add_seller(code);
        let mut map = BTreeMap::new();
        map.insert("store_name".to_string(), code.to_string());
        map.insert("marketplace_id".to_string(), marketplace_id.to_string());
        map.insert("integrated_at".to_string(), integrated_at.to_string());
        map.insert(
            "spapi_endpoint".to_string(),
            self.sandbox.base_url().to_string(),
        );
        map.insert("lwa_endpoint".to_string(), self.sandbox.lwa_url());
        map.insert("lwa_client_id".to_string(), creds.client_id);
        map.insert("lwa_client_secret".to_string(), creds.client_secret);
        map.insert("lwa_refresh_token".to_string(), creds.refresh_token);
        map.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut settings = self.rt.settings();
        settings.stores.insert(code.to_string(), map);
        self.not_allow_listed.retain(|c| c != code);
        if !allow_listed {
            self.not_allow_listed.push(code.to_string());
        }
        // The allow-list is explicit so that one store can be left off it.
        let mut allow = Vec::new();
        for (c, m) in &settings.stores {
            if self.not_allow_listed.contains(c) {
                continue;
            }
            allow.extend(m.get("spapi_endpoint").cloned());
            allow.extend(m.get("lwa_endpoint").cloned());
        }
        settings.allow = Some(allow);
        self.rt.set_settings(settings);
        if self.now == 0 {
            self.now = parse_iso(integrated_at).unwrap_or(0);
        }
        Ok(())
    }

    pub fn stores(&self) -> Vec<String> {
        self.rt.settings().store_codes()
    }

    pub fn marketplace(&self, store: &str) -> Option<String> {
        self.rt
            .settings()
            .stores
            .get(store)
            .and_then(|m| m.get("marketplace_id").cloned())
    }

    pub fn product(
        &mut self,
        sku: &str,
        name: Option<&str>,
        enabled: bool,
        qty: Option<i64>,
    ) -> Result<()> {
        let name = match name {
            Some(n) => n.to_string(),
            None => self
                .rt
                .db()
                .product(sku)?
                .map(|p| p.name)
                .unwrap_or_else(|| sku.to_string()),
        };
        self.rt.db().upsert_product(&Product {
            sku: sku.to_string(),
            name,
            enabled,
            qty,
        })
    }

    /// The sandbox now reports this snapshot for `store` (missing MarketplaceId = the store's).
    pub fn amazon_order(&mut self, store: &str, mut order: Value, items: Vec<Value>) -> Result<()> {
        let market = self
            .marketplace(store)
            .with_context(|| format!("unknown store {store:?}"))?;
        if let Some(o) = order.as_object_mut() {
            o.entry("MarketplaceId").or_insert(Value::String(market));
        }
        self.sandbox.upsert_order(store, order, items)
    }

    pub fn ship(
        &mut self,
        store: &str,
        amazon_order_id: &str,
        carrier: &str,
        tracking: &str,
        items: Option<Vec<(String, u32)>>,
    ) -> Result<String> {
        ship(
            &mut self.rt,
            store,
            amazon_order_id,
            carrier,
            tracking,
            items,
            self.now,
        )
    }

    pub fn cancel(&mut self, store: &str, amazon_order_id: &str) -> Result<()> {
        cancel(&mut self.rt, store, amazon_order_id, self.now)
    }

    /// Moves the clock to `now` and ticks every store once (with `fuel` for these calls).
    pub fn cron(&mut self, now: i64, fuel: Option<u64>) -> Vec<TickOutcome> {
        self.now = now;
        self.sandbox.set_now(Some(now));
        let mut out = Vec::new();
        for store in self.stores() {
            let r = self.rt.on_cron_tick_with_fuel(&store, now, fuel);
            let t = TickOutcome::from_result(&store, now, self.rt.fuel.last, r);
            out.push(t.clone());
            self.ticks.push(t);
        }
        out
    }

    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let mut amazon = Vec::new();
        for store in self.stores() {
            amazon.extend(amazon_orders(&mut self.rt, &store)?);
        }
        let db = self.rt.db();
        Ok(Snapshot {
            amazon_orders: amazon,
            commerce_orders: db.commerce_orders()?,
            system_message: db.admin_message()?,
            shipment_confirmations: self.sandbox.confirmations(),
            fuel: FuelOut {
                total: self.rt.fuel.total,
                max_per_call: self.rt.fuel.max_per_call,
            },
            ticks: self.ticks.clone(),
            products: db.products()?,
        })
    }
}
