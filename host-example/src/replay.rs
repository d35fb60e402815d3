//! `replay <scenario.jsonl>`: one JSON step per line against the real component, a fresh
//! database and the in-process sandbox. A malformed line stops the run with its line number;
//! nothing after it runs.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::Deserialize;
use serde_json::Value;

use crate::app::{Sim, Snapshot};
use crate::db::Db;
use crate::runtime::Limits;
use crate::sandbox::parse_iso;

#[derive(Debug, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
enum Step {
    Store {
        store: String,
        marketplace_id: String,
        integrated_at: String,
        #[serde(default)]
        settings: BTreeMap<String, Value>,
        /// Extension: `false` leaves this store's endpoints off the HTTP allow-list.
        #[serde(default = "yes")]
        allow_listed: bool,
    },
    Product {
        sku: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default = "yes")]
        enabled: bool,
        /// `null` or absent = stock not managed.
        #[serde(default)]
        qty: Option<i64>,
    },
    AmazonOrder {
        store: String,
        order: Value,
        #[serde(default)]
        items: Vec<Value>,
    },
    Ship {
        store: String,
        amazon_order_id: String,
        carrier: String,
        tracking: String,
        #[serde(default)]
        items: Option<Vec<ShipItem>>,
    },
    Cancel {
        store: String,
        amazon_order_id: String,
    },
    Cron {
        now: String,
        /// Extension: fuel budget for this tick's calls (a tiny one makes the tick trap).
        #[serde(default)]
        fuel: Option<u64>,
    },
    /// Extension: `{"step":"fault","kind":"throttle"|"fail","count":N,"op":"getOrders","after":K}`.
    Fault {
        kind: String,
        count: u32,
        #[serde(default)]
        op: Option<String>,
        #[serde(default)]
        after: u32,
    },
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
struct ShipItem {
    sku: String,
    qty: u32,
}

#[derive(Debug)]
pub struct ReplayError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for ReplayError {}

fn setting_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Progress lines (`None` = quiet).
pub type Progress<'a> = Option<&'a mut dyn FnMut(&str)>;

/// Runs a scenario on a fresh `Sim`. `Err(ReplayError)` names the line that stopped it.
pub fn run(
    text: &str,
    component: &Path,
    db: Db,
    limits: Limits,
    mut progress: Progress<'_>,
) -> Result<Snapshot> {
    let mut sim = Sim::new(component, db, limits)?;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let fail = |reason: String| anyhow::Error::new(ReplayError { line, reason });
        let step: Step = serde_json::from_str(raw).map_err(|e| fail(e.to_string()))?;
        let mut say = |m: String| {
            if let Some(p) = progress.as_mut() {
                p(&format!("[{line:>3}] {m}"));
            }
        };
        match step {
            Step::Store {
                store,
                marketplace_id,
                integrated_at,
                settings,
                allow_listed,
            } => {
                let extra: BTreeMap<String, String> = settings
                    .iter()
                    .map(|(k, v)| (k.clone(), setting_text(v)))
                    .collect();
                sim.add_store(
                    &store,
                    &marketplace_id,
                    &integrated_at,
                    &extra,
                    allow_listed,
                )
                .map_err(|e| fail(format!("{e:#}")))?;
                say(format!(
                    "store {store} ({marketplace_id}), integrated at {integrated_at}"
                ));
            }
            Step::Product {
                sku,
                name,
                enabled,
                qty,
            } => {
                sim.product(&sku, name.as_deref(), enabled, qty)
                    .map_err(|e| fail(format!("{e:#}")))?;
                say(format!(
                    "product {sku}: {}, qty {}",
                    if enabled { "enabled" } else { "disabled" },
                    qty.map_or("not managed".into(), |q| q.to_string())
                ));
            }
            Step::AmazonOrder {
                store,
                order,
                items,
            } => {
                let id = order
                    .get("AmazonOrderId")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string();
                let status = order
                    .get("OrderStatus")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string();
                sim.amazon_order(&store, order, items)
                    .map_err(|e| fail(format!("{e:#}")))?;
                say(format!("amazon order {id} ({status}) in the sandbox"));
            }
            Step::Ship {
                store,
                amazon_order_id,
                carrier,
                tracking,
                items,
            } => {
                let items = items.map(|v| v.into_iter().map(|i| (i.sku, i.qty)).collect());
                let sid = sim
                    .ship(&store, &amazon_order_id, &carrier, &tracking, items)
                    .map_err(|e| fail(format!("{e:#}")))?;
                say(format!(
                    "shipment {sid} of {amazon_order_id} ({carrier} {tracking})"
                ));
            }
            Step::Cancel {
                store,
                amazon_order_id,
            } => {
                sim.cancel(&store, &amazon_order_id)
                    .map_err(|e| fail(format!("{e:#}")))?;
                say(format!("canceled {amazon_order_id} in Commerce"));
            }
            Step::Cron { now, fuel } => {
                let ms = parse_iso(&now)
                    .ok_or_else(|| fail(format!("cron.now {now:?} is not RFC 3339")))?;
                for t in sim.cron(ms, fuel) {
                    say(format!(
                        "tick {} @ {now}: {} pulled={} created={} blocked={} completed={} canceled={} pushed={} skipped={} fuel={}{}",
                        t.store,
                        t.status,
                        t.pulled,
                        t.created,
                        t.blocked,
                        t.completed,
                        t.canceled,
                        t.pushed,
                        t.skipped,
                        t.fuel,
                        if t.errors.is_empty() { String::new() } else { format!(" errors={:?}", t.errors) }
                    ));
                }
            }
            Step::Fault {
                kind,
                count,
                op,
                after,
            } => {
                if let Some(o) = &op {
                    if !crate::sandbox::OPERATIONS.contains(&o.as_str()) {
                        return Err(fail(format!(
                            "fault.op {o:?} is not one of {:?}",
                            crate::sandbox::OPERATIONS
                        )));
                    }
                }
                match kind.as_str() {
                    "throttle" => sim.sandbox.throttle(count, op.as_deref(), after),
                    "fail" => sim.sandbox.fail(count, op.as_deref(), after),
                    k => {
                        return Err(fail(format!(
                            "fault.kind {k:?} must be \"throttle\" or \"fail\""
                        )))
                    }
                }
                say(format!(
                    "sandbox will {kind} {count} request(s) after {after}"
                ));
            }
        }
    }
    sim.snapshot()
}

/// The `--json` document: the fields the issue names, plus `ticks` and `products`.
pub fn json_output(s: &Snapshot) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}
