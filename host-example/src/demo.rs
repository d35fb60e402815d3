//! `demo`: the seed's story, fully offline. An in-process sandbox plays Amazon, a fresh SQLite
//! file plays Commerce, and the real component does the work between them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::Value;

use crate::app::{Sim, Snapshot, TickOutcome};
use crate::bindings::exports::commerce::amazon_order_sync::admin::{OrderQuery, SortColumn, View};
use crate::db::Db;
use crate::runtime::{plugin_error_text, Limits};
use crate::sandbox::{iso, parse_iso};
use crate::table;

/// The seed: a catalog and SP-API orders (see `src/demo/seed.json`).
pub const SEED: &str = include_str!("demo/seed.json");

const MINUTE: i64 = 60_000;

#[derive(Deserialize)]
pub struct Seed {
    pub store: String,
    pub store_name: String,
    pub marketplace_id: String,
    pub integrated_at: String,
    pub first_tick: String,
    pub catalog: Vec<SeedProduct>,
    pub orders: Vec<SeedOrder>,
}

#[derive(Deserialize)]
pub struct SeedProduct {
    pub sku: String,
    pub name: String,
    pub enabled: bool,
    pub qty: Option<i64>,
}

#[derive(Deserialize)]
pub struct SeedOrder {
    pub note: String,
    pub order: Value,
    pub items: Vec<Value>,
}

pub fn seed() -> Seed {
    serde_json::from_str(SEED).expect("the embedded seed is valid JSON")
}

/// The All Orders grid query: everything, newest first.
pub fn all_orders_query(page_size: u32) -> OrderQuery {
    OrderQuery {
        view: View::All,
        purchase_from: None,
        purchase_to: None,
        order_number: None,
        buyer_name: None,
        total_min: None,
        total_max: None,
        statuses: vec![],
        sort: SortColumn::PurchaseDate,
        descending: true,
        page: 1,
        page_size,
    }
}

struct Story<'a> {
    sim: Sim,
    out: &'a mut dyn Write,
    store: String,
    calls: Arc<Mutex<Vec<(String, u64, bool)>>>,
}

impl Story<'_> {
    fn say(&mut self, s: &str) -> Result<()> {
        writeln!(self.out, "{s}")?;
        Ok(())
    }

    fn heading(&mut self, s: &str) -> Result<()> {
        writeln!(
            self.out,
            "\n━━ {s} {}",
            "━".repeat(70usize.saturating_sub(s.chars().count()))
        )?;
        Ok(())
    }

    /// Prints the component calls and HTTP requests made since the last flush.
    fn flush_progress(&mut self) -> Result<()> {
        for e in self.sim.rt.take_http_log() {
            let path = e
                .url
                .split_once("://")
                .map_or(e.url.as_str(), |(_, r)| r.find('/').map_or(r, |i| &r[i..]));
            writeln!(
                self.out,
                "    http {:<4} {:<55} → {}",
                e.method, path, e.outcome
            )?;
        }
        let calls = std::mem::take(&mut *self.calls.lock().unwrap_or_else(|p| p.into_inner()));
        for (name, fuel, ok) in calls {
            writeln!(
                self.out,
                "    wasm {name:<40} fuel {:>13}{}",
                group(fuel),
                if ok { "" } else { "  (FAILED)" }
            )?;
        }
        Ok(())
    }

    fn tick(&mut self, now: i64) -> Result<TickOutcome> {
        writeln!(self.out, "  ▸ cron tick at {} …", iso(now))?;
        let t = self
            .sim
            .cron(now, None)
            .into_iter()
            .next()
            .context("no store to tick")?;
        self.flush_progress()?;
        writeln!(
            self.out,
            "  ✓ {}: pulled {}, created {}, blocked {}, completed {}, canceled {}, pushed {}, skipped {} (fuel {})",
            t.status, t.pulled, t.created, t.blocked, t.completed, t.canceled, t.pushed, t.skipped, group(t.fuel)
        )?;
        for e in &t.errors {
            writeln!(self.out, "    ! {e}")?;
        }
        Ok(t)
    }

    fn grid(&mut self) -> Result<()> {
        let store = self.store.clone();
        match self.sim.rt.list_orders(&store, &all_orders_query(100)) {
            Ok(Ok(page)) => {
                self.flush_progress_calls_only();
                writeln!(self.out, "  Amazon Orders (admin.list-orders, view all):")?;
                write!(self.out, "{}", table::order_grid(&page))?;
            }
            Ok(Err(e)) => writeln!(self.out, "  list-orders: {}", plugin_error_text(&e))?,
            Err(f) => writeln!(self.out, "  list-orders: {f}")?,
        }
        Ok(())
    }

    fn flush_progress_calls_only(&mut self) {
        // Admin queries are not part of the story's progress; drop their call records.
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn commerce(&mut self) -> Result<()> {
        let orders = self.sim.rt.db().commerce_orders()?;
        writeln!(self.out, "  Commerce orders (SQLite):")?;
        write!(self.out, "{}", table::commerce_orders(&orders))?;
        Ok(())
    }

    fn blockers(&mut self) -> Result<()> {
        let store = self.store.clone();
        let rows = crate::app::amazon_orders(&mut self.sim.rt, &store)?;
        self.flush_progress_calls_only();
        let lines: Vec<Vec<String>> = rows
            .iter()
            .flat_map(|o| {
                o.blockers.iter().map(move |b| {
                    vec![
                        o.amazon_order_id.clone(),
                        b.sku.clone(),
                        b.kind.clone(),
                        b.message.clone(),
                    ]
                })
            })
            .collect();
        writeln!(self.out, "  Blocked orders and why:")?;
        write!(
            self.out,
            "{}",
            table::render(&["Amazon order", "SKU", "Blocker", "Message"], &lines)
        )?;
        Ok(())
    }

    fn system_message(&mut self) -> Result<()> {
        let m = self.sim.rt.db().admin_message()?;
        match m {
            Some(m) => writeln!(self.out, "  System message (admin): ⚠ {m}")?,
            None => writeln!(self.out, "  System message (admin): (none)")?,
        }
        Ok(())
    }
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Runs the story, writing it to `out`; returns the final state.
pub fn run(
    component: &Path,
    db_path: &Path,
    limits: Limits,
    out: &mut dyn Write,
) -> Result<Snapshot> {
    let seed = seed();
    let started = std::time::Instant::now();
    writeln!(
        out,
        "amazon-order-sync demo — a wasmtime 48 host with SQLite and a loopback SP-API sandbox"
    )?;
    writeln!(out, "  component : {}", component.display())?;
    writeln!(out, "  database  : {}", db_path.display())?;
    writeln!(
        out,
        "  limits    : {} fuel and {} MiB per call",
        group(limits.fuel),
        limits.memory_bytes / (1024 * 1024)
    )?;
    let db = Db::open(db_path)?;
    write!(
        out,
        "  loading the component (compiled once, then cached next to it) … "
    )?;
    out.flush()?;
    let t0 = std::time::Instant::now();
    let mut sim = Sim::new(component, db, limits)?;
    writeln!(out, "{} ms", t0.elapsed().as_millis())?;
    writeln!(
        out,
        "  sandbox   : SP-API and LWA at {} (loopback)",
        sim.sandbox.base_url()
    )?;

    let calls = Arc::new(Mutex::new(Vec::new()));
    let c2 = calls.clone();
    sim.rt.on_call = Some(Box::new(move |name: &str, fuel: u64, ok: bool| {
        c2.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name.to_string(), fuel, ok));
    }));
    let mut extra = BTreeMap::new();
    extra.insert("store_name".to_string(), seed.store_name.clone());
    sim.add_store(
        &seed.store,
        &seed.marketplace_id,
        &seed.integrated_at,
        &extra,
        true,
    )?;
    let mut st = Story {
        sim,
        out,
        store: seed.store.clone(),
        calls,
    };

    st.heading("1. The store and its catalog")?;
    st.say(&format!(
        "  Store {} ({}), marketplace {}, integrated at {}; import on, guest customers, Commerce numbering.",
        seed.store_name, seed.store, seed.marketplace_id, seed.integrated_at
    ))?;
    for p in &seed.catalog {
        st.sim.product(&p.sku, Some(&p.name), p.enabled, p.qty)?;
    }
    let products = st.sim.rt.db().products()?;
    write!(st.out, "{}", table::products(&products))?;

    st.heading("2. Orders waiting on Amazon (the sandbox)")?;
    let mut rows = Vec::new();
    for o in &seed.orders {
        let g = |k: &str| {
            o.order
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let total = o
            .order
            .get("OrderTotal")
            .map(|t| {
                format!(
                    "{} {}",
                    t["CurrencyCode"].as_str().unwrap_or(""),
                    t["Amount"].as_str().unwrap_or("")
                )
            })
            .unwrap_or_else(|| "—".into());
        let skus: Vec<String> = o
            .items
            .iter()
            .map(|i| {
                format!(
                    "{}×{}",
                    i["QuantityOrdered"],
                    i["SellerSKU"].as_str().unwrap_or("?")
                )
            })
            .collect();
        rows.push(vec![
            g("AmazonOrderId"),
            g("PurchaseDate")
                .replace('T', " ")
                .trim_end_matches('Z')
                .to_string(),
            g("FulfillmentChannel"),
            g("OrderStatus"),
            skus.join(", "),
            total,
            o.note.clone(),
        ]);
        st.sim
            .amazon_order(&seed.store, o.order.clone(), o.items.clone())?;
    }
    write!(
        st.out,
        "{}",
        table::render(
            &[
                "Amazon order",
                "Purchased (UTC)",
                "Ch.",
                "Status",
                "Items",
                "Total",
                "Expected"
            ],
            &rows
        )
    )?;

    let mut now = parse_iso(&seed.first_tick).context("seed first_tick")?;
    st.heading("3. First tick: pull, create, block")?;
    st.tick(now)?;
    st.grid()?;
    st.commerce()?;
    st.blockers()?;
    st.system_message()?;

    st.heading("4. The merchant fixes the catalog")?;
    st.say("  POSTER-A2 is added (10 in stock), LAMP-DESK is enabled, HEADPHONES-X gets 5 units.")?;
    st.sim
        .product("POSTER-A2", Some("City Map Poster A2"), true, Some(10))?;
    st.sim.product("LAMP-DESK", None, true, Some(8))?;
    st.sim.product("HEADPHONES-X", None, true, Some(5))?;
    now += 5 * MINUTE;
    st.tick(now)?;
    st.grid()?;
    st.commerce()?;
    st.system_message()?;

    let ship_id = seed.orders[0].order["AmazonOrderId"]
        .as_str()
        .unwrap_or("")
        .to_string();
    st.heading(&format!("5. Commerce ships {ship_id}"))?;
    let sid = st
        .sim
        .ship(&seed.store, &ship_id, "ups", "1Z999AA10123456784", None)?;
    st.flush_progress()?;
    st.say(&format!("  Shipment {sid} (UPS 1Z999AA10123456784) recorded; the component queued a confirmShipment."))?;
    now += 5 * MINUTE;
    st.tick(now)?;
    let confs = st.sim.sandbox.confirmations();
    let rows: Vec<Vec<String>> = confs
        .iter()
        .map(|c| {
            vec![
                c.amazon_order_id.clone(),
                c.package_reference_id.clone(),
                c.carrier_code.clone(),
                c.tracking_number.clone(),
                c.items
                    .iter()
                    .map(|i| format!("{}×{}", i.quantity, i.order_item_id))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    st.say("  confirmShipment calls the sandbox accepted:")?;
    write!(
        st.out,
        "{}",
        table::render(
            &["Amazon order", "Package", "Carrier", "Tracking", "Items"],
            &rows
        )
    )?;
    if let Some((o, _)) = st.sim.sandbox.order(&seed.store, &ship_id) {
        st.say(&format!(
            "  Amazon now reports {ship_id} as {} (LastUpdateDate {}).",
            o["OrderStatus"].as_str().unwrap_or("?"),
            o["LastUpdateDate"].as_str().unwrap_or("?")
        ))?;
    }

    st.heading("6. Next tick: Amazon says Shipped, the Commerce order completes")?;
    now += 5 * MINUTE;
    st.tick(now)?;
    st.grid()?;
    st.commerce()?;
    st.system_message()?;

    let snap = st.sim.snapshot()?;
    st.heading("Summary")?;
    st.say(&format!(
        "  {} Amazon orders stored, {} Commerce orders, {} shipment confirmation(s) sent.",
        snap.amazon_orders.len(),
        snap.commerce_orders.len(),
        snap.shipment_confirmations.len()
    ))?;
    st.say(&format!(
        "  Fuel: {} in total, at most {} in one call ({} calls). Wall time {:.1} s.",
        group(snap.fuel.total),
        group(snap.fuel.max_per_call),
        st.sim.rt.fuel.calls,
        started.elapsed().as_secs_f64()
    ))?;
    st.say(&format!(
        "  The database stays at {} for `orders --db …` and `order --db …`.",
        db_path.display()
    ))?;
    Ok(snap)
}
