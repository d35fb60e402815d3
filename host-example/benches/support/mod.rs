//! Shared by the benches and the budget test: a generated order corpus, the WIT imports
//! implemented in memory over `amazon_order_sync::memory::MemoryHost` (so the component and
//! the native engine talk to the very same host, simulated Amazon included), and one driver
//! interface over both skins.
//!
//! Fuel is wasmtime's count of executed wasm operators: it does not depend on the machine, the
//! host's build profile or Cranelift's optimisation level, and the host side of every import
//! (BTreeMap storage, the simulated Amazon) costs no fuel at all. That makes the figures below
//! deterministic, so CI can check them where timings would be noise.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use amazon_order_sync::amazon::{parse_order, parse_order_items};
use amazon_order_sync::blockers::SkuQty;
use amazon_order_sync::engine::{Engine as NativeEngine, TickStatus};
use amazon_order_sync::grid::OrderQuery as NativeQuery;
use amazon_order_sync::host::{
    self as core, CommerceError, Host as _, HttpError, StorageError, StorageOp,
};
use amazon_order_sync::memory::MemoryHost;
use amazon_order_sync::order_builder::{DraftAddress, DraftCustomer, DraftLine, OrderDraft};
use amazon_order_sync::settings::CustomerCreation;
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use host_example::bindings::commerce::amazon_order_sync::{
    commerce, http, settings, storage, types,
};
use host_example::bindings::exports::commerce::amazon_order_sync::admin;
use host_example::bindings::exports::commerce::amazon_order_sync::hooks::{
    self, DecisionKind, TickStatus as WitTickStatus,
};
use host_example::bindings::Plugin;
use host_example::runtime::{Load, Prepared};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, Store};

pub const STORE: &str = "acme-us";
pub const US: &str = "ATVPDKIKX0DER";
pub const INTEGRATED_AT: &str = "2026-11-01T00:00:00Z";
/// Fuel given to every call: far above anything a call needs, so no call runs out.
pub const FUEL: u64 = u64::MAX / 2;

/// The budgets (fuel).
pub const BUDGET_PER_ORDER: u64 = 40_000;
pub const BUDGET_100_ORDER_TICK: u64 = 4_000_000;
pub const BUDGET_SCALE_RATIO: f64 = 1.2;

pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-02T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

// ---------------------------------------------------------------- corpus

/// A small deterministic PRNG (xorshift64*): the corpus must be the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One generated order: SP-API JSON exactly as the push path receives it.
#[derive(Clone, Debug)]
pub struct CorpusOrder {
    pub id: String,
    pub order_json: String,
    pub items_json: String,
    /// Whether one of its SKUs cannot be sold (missing, disabled or sold out).
    pub blocked: bool,
}

/// Catalog SKUs the corpus draws from; `SKU-00000`..
pub const CATALOG_SKUS: u64 = 500;

/// Amazon order id `<batch>-<n / 10^7>-<n % 10^7>` (3-7-7 digits).
pub fn order_id(batch: u32, n: u64) -> String {
    format!("{batch:03}-{:07}-{:07}", n / 10_000_000, n % 10_000_000)
}

/// Corpus options.
#[derive(Clone, Copy, Debug)]
pub struct Mix {
    /// Percentage of MFN orders (the rest is FBA/AFN).
    pub mfn_percent: u64,
    /// Percentage of orders with an unsellable SKU.
    pub blocked_percent: u64,
    /// Items per order: `Some(n)` = exactly n, `None` = 1 to 4.
    pub items: Option<u32>,
    /// Every order `Unshipped` (MFN) / `Shipped` (AFN): every order creates a Commerce order.
    pub all_create: bool,
}

impl Mix {
    /// A realistic marketplace day: 70 % MFN, 3 % blocked, 1–4 items, some Pending.
    pub const REALISTIC: Mix = Mix {
        mfn_percent: 70,
        blocked_percent: 3,
        items: None,
        all_create: false,
    };
    /// Only orders that are imported right away, `items` each, none blocked.
    pub fn importable(items: u32) -> Mix {
        Mix {
            mfn_percent: 100,
            blocked_percent: 0,
            items: Some(items),
            all_create: true,
        }
    }
}

/// An amount in US dollars from hundredths, as Amazon writes it.
fn usd(cents: i64) -> CorpusMoney {
    CorpusMoney {
        currency_code: "USD",
        amount: format!("{}.{:02}", cents / 100, cents % 100),
    }
}

// The corpus' SP-API JSON: structs, so that members come in the order Amazon writes them
// (a `serde_json::Value` would sort them).
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct CorpusMoney {
    currency_code: &'static str,
    amount: String,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct CorpusItem {
    #[serde(rename = "ASIN")]
    asin: String,
    order_item_id: String,
    #[serde(rename = "SellerSKU")]
    seller_sku: String,
    title: String,
    quantity_ordered: u64,
    quantity_shipped: u64,
    item_price: CorpusMoney,
    shipping_price: CorpusMoney,
    item_tax: CorpusMoney,
    shipping_tax: CorpusMoney,
    promotion_discount: CorpusMoney,
    is_gift: &'static str,
    ioss_number: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct CorpusAmazonOrder {
    amazon_order_id: String,
    purchase_date: String,
    last_update_date: String,
    order_status: &'static str,
    fulfillment_channel: &'static str,
    sales_channel: &'static str,
    ship_service_level: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_total: Option<CorpusMoney>,
    number_of_items_shipped: u32,
    number_of_items_unshipped: u32,
    payment_method: &'static str,
    marketplace_id: &'static str,
    order_type: &'static str,
    is_business_order: bool,
    is_prime: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    shipping_address: Option<CorpusAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    buyer_info: Option<CorpusBuyer>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct CorpusAddress {
    name: String,
    address_line1: String,
    city: &'static str,
    state_or_region: &'static str,
    postal_code: &'static str,
    country_code: &'static str,
    phone: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct CorpusBuyer {
    buyer_email: String,
    buyer_name: String,
}

/// `count` orders of batch `batch`, purchased after the integration time and last updated at
/// `updated` (plus up to a minute, so a page has distinct update times).
pub fn corpus(
    seed: u64,
    batch: u32,
    count: u64,
    mix: Mix,
    updated: DateTime<Utc>,
) -> Vec<CorpusOrder> {
    let mut rng = Rng::new(seed);
    let names = [
        ("Jane", "van Dyke"),
        ("Ola", "Nordmann"),
        ("José", "García Márquez"),
        ("Mei", "Chen"),
        ("Tom", "O'Brien"),
    ];
    let cities = [
        ("Seattle", "WA", "98121"),
        ("Austin", "TX", "78701"),
        ("Brooklyn", "NY", "11201"),
        ("Portland", "OR", "97201"),
    ];
    (0..count)
        .map(|n| {
            let id = order_id(batch, n + 1);
            let mfn = rng.chance(mix.mfn_percent);
            let status = if mix.all_create {
                if mfn {
                    "Unshipped"
                } else {
                    "Shipped"
                }
            } else if mfn {
                match rng.below(20) {
                    0..=2 => "Pending",
                    3..=4 => "Shipped",
                    _ => "Unshipped",
                }
            } else {
                match rng.below(10) {
                    0 => "Pending",
                    _ => "Shipped",
                }
            };
            let blocked = status != "Pending" && rng.chance(mix.blocked_percent);
            let n_items = mix.items.unwrap_or(1 + rng.below(4) as u32);
            let purchased = t0() - Duration::hours(12) + Duration::seconds((n % 40_000) as i64);
            let updated = updated + Duration::seconds((n % 60) as i64);
            let (first, last) = names[rng.below(names.len() as u64) as usize];
            let (city, region, postcode) = cities[rng.below(cities.len() as u64) as usize];
            let mut total_cents = 0i64;
            let items: Vec<CorpusItem> = (0..n_items)
                .map(|i| {
                    let sku = if blocked && i == 0 {
                        match rng.below(3) {
                            0 => format!("MISSING-{:03}", rng.below(50)),
                            1 => format!("DISABLED-{:03}", rng.below(50)),
                            _ => format!("SOLDOUT-{:03}", rng.below(50)),
                        }
                    } else {
                        format!("SKU-{:05}", rng.below(CATALOG_SKUS))
                    };
                    let qty = 1 + rng.below(3);
                    let unit = 499 + rng.below(5_000) as i64;
                    let price = unit * qty as i64;
                    total_cents += price + 250 + 100;
                    CorpusItem {
                        asin: format!("B0{:08}", rng.below(100_000_000)),
                        order_item_id: format!("{:014}", (n + 1) * 10 + i as u64),
                        title: format!(
                            "{sku} — Stainless steel water bottle, 750 ml, vacuum insulated"
                        ),
                        seller_sku: sku,
                        quantity_ordered: qty,
                        quantity_shipped: if status == "Shipped" { qty } else { 0 },
                        item_price: usd(price),
                        shipping_price: usd(250),
                        item_tax: usd(100),
                        shipping_tax: usd(0),
                        promotion_discount: usd(0),
                        is_gift: "false",
                        ioss_number: "",
                    }
                })
                .collect();
            let shipped_to = status != "Pending";
            let order = CorpusAmazonOrder {
                amazon_order_id: id.clone(),
                purchase_date: iso(purchased),
                last_update_date: iso(updated),
                order_status: status,
                fulfillment_channel: if mfn { "MFN" } else { "AFN" },
                sales_channel: "Amazon.com",
                ship_service_level: "Std US D2D Dom",
                order_total: shipped_to.then(|| usd(total_cents)),
                number_of_items_shipped: 0,
                number_of_items_unshipped: n_items,
                payment_method: "Other",
                marketplace_id: US,
                order_type: "StandardOrder",
                is_business_order: false,
                is_prime: if rng.chance(40) { "true" } else { "false" },
                shipping_address: (shipped_to && mfn).then(|| CorpusAddress {
                    name: format!("{first} {last}"),
                    address_line1: format!("{} Westlake Ave", 100 + n % 900),
                    city,
                    state_or_region: region,
                    postal_code: postcode,
                    country_code: "US",
                    phone: "+1 206-555-0100",
                }),
                buyer_info: shipped_to.then(|| CorpusBuyer {
                    buyer_email: format!("{}{}@marketplace.amazon.com", first.to_lowercase(), n),
                    buyer_name: format!("{first} {last}"),
                }),
            };
            CorpusOrder {
                id,
                order_json: serde_json::to_string(&order).expect("serialises"),
                items_json: serde_json::to_string(&items).expect("serialises"),
                blocked,
            }
        })
        .collect()
}

/// A memory host with the store configured and the corpus' catalog: `SKU-*` sellable,
/// `DISABLED-*` disabled, `SOLDOUT-*` out of stock, `MISSING-*` absent.
pub fn memory_host() -> MemoryHost {
    let mut host = MemoryHost::new(t0());
    host.add_store(STORE, US, INTEGRATED_AT, &[("store_name", "Acme US")]);
    for n in 0..CATALOG_SKUS {
        // Half the catalog manages stock (plenty of it), half does not.
        let qty = n.is_multiple_of(2).then_some(1_000_000_000);
        host.set_product(&format!("SKU-{n:05}"), true, qty);
    }
    for n in 0..50 {
        host.set_product(&format!("DISABLED-{n:03}"), false, Some(100));
        host.set_product(&format!("SOLDOUT-{n:03}"), true, Some(0));
    }
    host
}

/// Hands the corpus to the simulated Amazon (the pull path reads it from there).
pub fn publish(host: &mut MemoryHost, orders: &[CorpusOrder]) {
    for o in orders {
        host.amazon.put_order(
            parse_order(&o.order_json)
                .expect("corpus order parses")
                .into_inner(),
            parse_order_items(&o.items_json)
                .expect("corpus items parse")
                .into_inner(),
        );
    }
}

// ---------------------------------------------------------------- WIT imports in memory

/// The data of one wasmtime `Store`: the memory host behind every import.
pub struct BenchState {
    pub host: MemoryHost,
    /// The import being called, for the fuel trace.
    calling: &'static str,
    /// Fuel left when the guest last resumed, and the guest fuel spent before each import.
    trace: Option<(u64, FuelTrace)>,
    memory: PeakMemory,
}

/// Records the size linear memory grows to and how often it grows after instantiation;
/// refuses nothing.
#[derive(Default)]
struct PeakMemory {
    bytes: usize,
    grows: u32,
}

impl wasmtime::ResourceLimiter for PeakMemory {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Instantiation creates the memory at its initial size, from 0.
        if current > 0 {
            self.grows += 1;
        }
        self.bytes = self.bytes.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// The guest fuel spent before each host call of one export, in call order; the last entry
/// (`"return"`) is the fuel after the last host call.
pub type FuelTrace = Vec<(&'static str, u64)>;

impl BenchState {
    pub fn new(host: MemoryHost) -> Self {
        BenchState {
            host,
            calling: "",
            trace: None,
            memory: PeakMemory::default(),
        }
    }
}

fn storage_error(e: StorageError) -> storage::StorageError {
    match e {
        StorageError::Unavailable(m) => storage::StorageError::Unavailable(m),
        StorageError::TooLarge(n) => storage::StorageError::TooLarge(n),
    }
}

fn commerce_error(e: CommerceError) -> commerce::CommerceError {
    match e {
        CommerceError::Rejected(m) => commerce::CommerceError::Rejected(m),
        CommerceError::Unavailable(m) => commerce::CommerceError::Unavailable(m),
    }
}

fn money(m: types::Money) -> amazon_order_sync::amazon::Money {
    amazon_order_sync::amazon::Money {
        currency: m.currency.into(),
        cents: m.cents,
    }
}

fn address(a: types::Address) -> DraftAddress<'static> {
    DraftAddress {
        firstname: a.firstname.into(),
        lastname: a.lastname.into(),
        company: a.company.map(Into::into),
        street: a.street.into_iter().map(Into::into).collect(),
        city: a.city.into(),
        region: a.region.into(),
        postcode: a.postcode.into(),
        country_code: a.country_code.into(),
        telephone: a.telephone.into(),
    }
}

fn draft(d: types::OrderDraft) -> OrderDraft<'static> {
    OrderDraft {
        store: d.store.into(),
        amazon_order_id: d.amazon_order_id.into(),
        increment_id: d.increment_id.map(Into::into),
        store_view: d.store_view.into(),
        customer: DraftCustomer {
            kind: match d.customer.kind {
                types::CustomerKind::Guest => CustomerCreation::Guest,
                types::CustomerKind::Account => CustomerCreation::Account,
            },
            email: d.customer.email.into(),
            firstname: d.customer.firstname.into(),
            lastname: d.customer.lastname.into(),
        },
        billing_address: address(d.billing_address),
        shipping_address: address(d.shipping_address),
        lines: d
            .lines
            .into_iter()
            .map(|l| DraftLine {
                sku: l.sku.into(),
                order_item_id: l.order_item_id.into(),
                title: l.title.into(),
                qty: l.qty,
                unit_price: money(l.unit_price),
                row_total: money(l.row_total),
                discount: money(l.discount),
                tax: money(l.tax),
            })
            .collect(),
        shipping_method: d.shipping_method.into(),
        shipping_amount: money(d.shipping_amount),
        shipping_tax: money(d.shipping_tax),
        subtotal: money(d.subtotal),
        discount_total: money(d.discount_total),
        tax_total: money(d.tax_total),
        grand_total: money(d.grand_total),
        status: d.status.into(),
        payment_method: d.payment_method.into(),
        po_number: d.po_number.into(),
    }
}

impl types::Host for BenchState {}

impl storage::Host for BenchState {
    fn get(&mut self, key: String) -> Result<Option<String>, storage::StorageError> {
        self.calling = "storage.get";
        self.host.storage_get(&key).map_err(storage_error)
    }

    fn apply(&mut self, ops: Vec<storage::Op>) -> Result<(), storage::StorageError> {
        self.calling = "storage.apply";
        let ops = ops
            .into_iter()
            .map(|op| match op {
                storage::Op::Put((k, v)) => StorageOp::Put(k, v),
                // The host joins the parts, as host-example's storage does.
                storage::Op::PutParts((k, parts)) => StorageOp::Put(k, parts.concat()),
                storage::Op::Delete(k) => StorageOp::Delete(k),
            })
            .collect();
        self.host.storage_apply(ops).map_err(storage_error)
    }

    fn list_prefix(
        &mut self,
        prefix: String,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, storage::StorageError> {
        self.calling = "storage.list-prefix";
        self.host
            .storage_list(&prefix, after.as_deref(), limit)
            .map_err(storage_error)
    }

    fn compare_and_swap(
        &mut self,
        key: String,
        expected: Option<String>,
        new: Option<String>,
    ) -> Result<bool, storage::StorageError> {
        self.calling = "storage.compare-and-swap";
        self.host
            .storage_cas(&key, expected.as_deref(), new.as_deref())
            .map_err(storage_error)
    }
}

impl settings::Host for BenchState {
    fn get_all(&mut self, store: String) -> Vec<(String, String)> {
        self.calling = "settings.get-all";
        self.host.settings(&store)
    }
}

impl http::Host for BenchState {
    fn send(&mut self, req: http::Request) -> Result<http::Response, http::HttpError> {
        self.calling = "http.send";
        let headers: Vec<(&str, &str)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let request = core::HttpRequest {
            method: match req.method {
                http::Method::Get => core::Method::Get,
                http::Method::Post => core::Method::Post,
            },
            url: req.url,
            headers: &headers,
            body: req.body,
        };
        match self.host.http_send(request) {
            Ok(r) => Ok(http::Response {
                status: r.status,
                headers: r.headers,
                body: r.body,
            }),
            Err(HttpError::NotAllowed(m)) => Err(http::HttpError::NotAllowed(m)),
            Err(HttpError::Transport(m)) => Err(http::HttpError::Transport(m)),
            Err(HttpError::Timeout) => Err(http::HttpError::Timeout),
        }
    }
}

impl commerce::Host for BenchState {
    fn find_product(
        &mut self,
        _store: String,
        sku: String,
    ) -> Result<Option<types::Product>, commerce::CommerceError> {
        self.calling = "commerce.find-product";
        // What `MemoryHost::find_product_into` adds to the native engine's facts, with the SKU
        // lifted for the call given back rather than copied again.
        Ok(self.host.catalog.get(&sku).map(|p| types::Product {
            sku,
            name: p.name.clone(),
            enabled: p.enabled,
            salable_qty: p.qty,
        }))
    }

    fn create_order(
        &mut self,
        d: types::OrderDraft,
    ) -> Result<types::OrderRef, commerce::CommerceError> {
        self.calling = "commerce.create-order";
        self.host
            .create_owned_order(draft(d))
            .map(|r| types::OrderRef {
                id: r.id,
                increment_id: r.increment_id,
            })
            .map_err(commerce_error)
    }

    fn complete_order(&mut self, store: String, id: String) -> Result<(), commerce::CommerceError> {
        self.calling = "commerce.complete-order";
        self.host
            .complete_order(&store, &id)
            .map_err(commerce_error)
    }

    fn cancel_order(&mut self, store: String, id: String) -> Result<(), commerce::CommerceError> {
        self.calling = "commerce.cancel-order";
        self.host.cancel_order(&store, &id).map_err(commerce_error)
    }

    fn reserve(
        &mut self,
        store: String,
        id: String,
        items: Vec<types::SkuQty>,
    ) -> Result<(), commerce::CommerceError> {
        self.calling = "commerce.reserve";
        let items: Vec<SkuQty> = items
            .into_iter()
            .map(|i| SkuQty {
                sku: i.sku,
                qty: i.qty,
            })
            .collect();
        self.host
            .reserve(&store, &id, &items)
            .map_err(commerce_error)
    }

    fn release(&mut self, store: String, id: String) -> Result<(), commerce::CommerceError> {
        self.calling = "commerce.release";
        self.host.release(&store, &id).map_err(commerce_error)
    }

    fn set_admin_message(
        &mut self,
        message: Option<String>,
    ) -> Result<(), commerce::CommerceError> {
        self.calling = "commerce.set-admin-message";
        self.host
            .set_admin_message(message.as_deref())
            .map_err(commerce_error)
    }
}

// ---------------------------------------------------------------- the component

/// The release component: `AMAZON_ORDER_SYNC_COMPONENT` or the workspace's build output.
pub fn component_path() -> PathBuf {
    std::env::var_os("AMAZON_ORDER_SYNC_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(host_example::app::default_component_path)
}

/// One wasmtime engine with fuel metering and one `InstancePre`, as a production host keeps.
pub struct Rig {
    pub engine: Engine,
    pub allocation: host_example::runtime::InstanceAllocation,
    pub pre: Prepared<BenchState>,
    pub component_bytes: u64,
}

/// Sets up each new `Store` before instantiation (the profiler's sampler).
pub type Prepare = Box<dyn Fn(&mut Store<BenchState>)>;

/// Fuel of one call: instantiation (from the `InstancePre`) and the export itself; the size
/// its linear memory reached, and how many times the call grew it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fuel {
    pub instantiate: u64,
    pub call: u64,
    pub memory_bytes: usize,
    pub memory_grows: u32,
}

impl Rig {
    /// `fast_compile` skips Cranelift's optimisations (debug test builds compile the component
    /// in a third of the time). Fuel counts wasm operators, so it is the same either way; only
    /// timings need the optimised code.
    pub fn new(fast_compile: bool) -> Result<Rig> {
        Rig::with_config(&host_example::runtime::config(fast_compile))
    }

    /// An engine as `host_example::runtime` builds it: pooled instances where Linux allows.
    pub fn with_config(config: &Config) -> Result<Rig> {
        let (engine, allocation) = host_example::runtime::engine(config)?;
        Rig::with_engine(engine, allocation)
    }

    /// [`Rig::new`] on an engine that charges `memory.copy` and `memory.fill` their flat cost
    /// only, not one fuel per byte: the difference is what bulk moves cost.
    pub fn bulk_free(fast_compile: bool) -> Result<Rig> {
        let mut config = host_example::runtime::config(fast_compile);
        let mut cost = wasmtime::OperatorCost::new();
        cost.variable.memory_copy_per_byte = 0;
        cost.variable.memory_fill_per_byte = 0;
        config.operator_cost(cost);
        Rig::with_config(&config)
    }

    /// Each instance mapping its own memory (wasmtime's default), to compare with the pool.
    pub fn on_demand(fast_compile: bool) -> Result<Rig> {
        Rig::with_engine(
            Engine::new(&host_example::runtime::config(fast_compile))?,
            host_example::runtime::InstanceAllocation::OnDemand("--on-demand".into()),
        )
    }

    fn with_engine(
        engine: Engine,
        allocation: host_example::runtime::InstanceAllocation,
    ) -> Result<Rig> {
        let path = component_path();
        let component = load(&engine, &path)?;
        let mut linker: Linker<BenchState> = Linker::new(&engine);
        Plugin::add_to_linker::<BenchState, HasSelf<BenchState>>(&mut linker, |s| s)?;
        let pre = Prepared::new(linker.instantiate_pre(&component)?)?;
        Ok(Rig {
            engine,
            allocation,
            pre,
            component_bytes: std::fs::metadata(&path)?.len(),
        })
    }

    /// Runs one export of the interface `load` gives in a fresh `Store` over `host`, as a
    /// production host does per call, and gives the host back with the fuel spent.
    pub fn call<I, R>(
        &self,
        host: MemoryHost,
        prepare: Option<&Prepare>,
        load: Load<BenchState, I>,
        f: impl FnOnce(&I, &mut Store<BenchState>) -> wasmtime::Result<R>,
    ) -> (MemoryHost, R, Fuel) {
        let (mut store, exports) = self.instantiate(host, prepare, load);
        let after_instantiate = store.get_fuel().expect("fuel is enabled");
        let r = f(&exports, &mut store).expect("the call does not trap");
        let after_call = store.get_fuel().expect("fuel is enabled");
        let state = store.into_data();
        let fuel = Fuel {
            instantiate: FUEL - after_instantiate,
            call: after_instantiate - after_call,
            memory_bytes: state.memory.bytes,
            memory_grows: state.memory.grows,
        };
        (state.host, r, fuel)
    }

    /// A fresh `Store` over `host` with `FUEL`, set up by `prepare`, and the interface `load`
    /// gives of the component instantiated in it.
    fn instantiate<I>(
        &self,
        host: MemoryHost,
        prepare: Option<&Prepare>,
        load: Load<BenchState, I>,
    ) -> (Store<BenchState>, I) {
        let mut store = Store::new(&self.engine, BenchState::new(host));
        store.set_fuel(FUEL).expect("fuel is enabled");
        store.limiter(|s| &mut s.memory);
        if let Some(prepare) = prepare {
            prepare(&mut store);
        }
        let exports = self
            .pre
            .instantiate(&mut store, load)
            .expect("instantiates");
        (store, exports)
    }

    /// [`Rig::call`], also tracing the guest fuel spent between host calls.
    pub fn call_traced<I, R>(
        &self,
        host: MemoryHost,
        load: Load<BenchState, I>,
        f: impl FnOnce(&I, &mut Store<BenchState>) -> wasmtime::Result<R>,
    ) -> (MemoryHost, R, FuelTrace) {
        let (mut store, exports) = self.instantiate(host, None, load);
        let start = store.get_fuel().expect("fuel is enabled");
        store.data_mut().trace = Some((start, Vec::new()));
        store.call_hook(|mut ctx, hook| {
            let left = ctx.get_fuel()?;
            let state = ctx.data_mut();
            let calling = state.calling;
            let (mark, steps) = state.trace.as_mut().expect("tracing");
            match hook {
                wasmtime::CallHook::CallingHost => steps.push(("", *mark - left)),
                wasmtime::CallHook::ReturningFromHost => {
                    if let Some(last) = steps.last_mut() {
                        last.0 = calling;
                    }
                    *mark = left;
                }
                _ => {}
            }
            Ok(())
        });
        let r = f(&exports, &mut store).expect("the call does not trap");
        let left = store.get_fuel().expect("fuel is enabled");
        let mut state = store.into_data();
        let (mark, mut steps) = state.trace.take().expect("tracing");
        steps.push(("return", mark - left));
        (state.host, r, steps)
    }
}

/// Compiles the component once and keeps the machine code in `target/bench-cache/`, apart from
/// the host's own cache since the benchmark engine is configured differently.
fn load(engine: &Engine, path: &Path) -> Result<Component> {
    let dir = path
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|target| target.join("bench-cache"))
        .unwrap_or_else(std::env::temp_dir);
    host_example::runtime::load_component(engine, path, &dir)
}

// ---------------------------------------------------------------- one interface, two skins

/// What a tick did, in either skin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickSummary {
    pub done: bool,
    pub throttled: bool,
    pub pulled: u32,
    pub created: u32,
    pub blocked: u32,
    pub completed: u32,
    pub skipped: u32,
    pub errors: Vec<String>,
}

/// The engine behind a uniform interface: natively or through the component.
pub trait Driver {
    fn host(&mut self) -> &mut MemoryHost;
    /// `on-amazon-order`; returns the decision kind as the WIT spells it.
    fn push(&mut self, now: DateTime<Utc>, order: &CorpusOrder) -> String;
    fn tick(&mut self, now: DateTime<Utc>) -> TickSummary;
    fn system_message(&mut self) -> Option<String>;
    /// `list-orders`: rows on the page and the total.
    fn list_orders(&mut self, query: &NativeQuery) -> (usize, u32);
    /// Fuel of the last call (component only).
    fn last_fuel(&self) -> Option<Fuel> {
        None
    }
}

pub struct Native(pub NativeEngine<MemoryHost>);

impl Native {
    pub fn new(host: MemoryHost) -> Self {
        Native(NativeEngine::new(host))
    }
}

impl Driver for Native {
    fn host(&mut self) -> &mut MemoryHost {
        &mut self.0.host
    }

    fn push(&mut self, now: DateTime<Utc>, o: &CorpusOrder) -> String {
        let outcome = self
            .0
            .on_amazon_order(STORE, now, &o.order_json, &o.items_json)
            .expect("push succeeds");
        use amazon_order_sync::decide::Action;
        match outcome.decision.action {
            Action::RecordOnly => "record-only",
            Action::Create { .. } => "create",
            Action::Blocked => "blocked",
            Action::Complete => "complete",
            Action::Cancel => "cancel",
            Action::Skip => "skip",
            Action::Ignore => "ignore",
        }
        .to_owned()
    }

    fn tick(&mut self, now: DateTime<Utc>) -> TickSummary {
        self.0.host.amazon.now = now;
        let r = self.0.on_cron_tick(STORE, now).expect("tick succeeds");
        TickSummary {
            done: r.status == TickStatus::Done,
            throttled: r.status == TickStatus::Throttled,
            pulled: r.pulled,
            created: r.created,
            blocked: r.blocked,
            completed: r.completed,
            skipped: r.skipped,
            errors: r.errors,
        }
    }

    fn system_message(&mut self) -> Option<String> {
        self.0.system_message().expect("system message")
    }

    fn list_orders(&mut self, query: &NativeQuery) -> (usize, u32) {
        let page = self.0.list_orders(STORE, query).expect("list orders");
        (page.rows.len(), page.total)
    }
}

/// The component in wasmtime, one fresh `Store` per call, over the same memory host.
pub struct Wasm<'r> {
    pub rig: &'r Rig,
    host: Option<MemoryHost>,
    pub last: Option<Fuel>,
    /// Trace the next calls (see [`Rig::call_traced`]); the last trace is kept here.
    pub tracing: bool,
    pub last_trace: FuelTrace,
    pub prepare: Option<Prepare>,
}

impl<'r> Wasm<'r> {
    pub fn new(rig: &'r Rig, host: MemoryHost) -> Self {
        Wasm {
            rig,
            host: Some(host),
            last: None,
            tracing: false,
            last_trace: FuelTrace::new(),
            prepare: None,
        }
    }

    pub fn into_host(self) -> MemoryHost {
        self.host.expect("host present between calls")
    }

    fn run<I, R>(
        &mut self,
        load: Load<BenchState, I>,
        f: impl FnOnce(&I, &mut Store<BenchState>) -> wasmtime::Result<R>,
    ) -> R {
        let host = self.host.take().expect("host present between calls");
        if self.tracing {
            let (host, r, trace) = self.rig.call_traced(host, load, f);
            self.host = Some(host);
            self.last = None;
            self.last_trace = trace;
            return r;
        }
        let (host, r, fuel) = self.rig.call(host, self.prepare.as_ref(), load, f);
        self.host = Some(host);
        self.last = Some(fuel);
        r
    }
}

fn wit_query(q: &NativeQuery) -> admin::OrderQuery {
    use amazon_order_sync::grid::{SortColumn, View};
    admin::OrderQuery {
        view: match q.view {
            View::Recent => admin::View::Recent,
            View::All => admin::View::All,
        },
        purchase_from: q.purchase_from,
        purchase_to: q.purchase_to,
        order_number: q.order_number.clone(),
        buyer_name: q.buyer_name.clone(),
        total_min: q.total_min,
        total_max: q.total_max,
        statuses: q.statuses.iter().map(|s| s.as_str().to_owned()).collect(),
        sort: match q.sort {
            SortColumn::PurchaseDate => admin::SortColumn::PurchaseDate,
            SortColumn::OrderNumber => admin::SortColumn::OrderNumber,
            SortColumn::Status => admin::SortColumn::Status,
            SortColumn::BuyerName => admin::SortColumn::BuyerName,
            SortColumn::GrandTotal => admin::SortColumn::GrandTotal,
        },
        descending: q.descending,
        page: q.page,
        page_size: q.page_size,
    }
}

impl Driver for Wasm<'_> {
    fn host(&mut self) -> &mut MemoryHost {
        self.host.as_mut().expect("host present between calls")
    }

    fn push(&mut self, now: DateTime<Utc>, o: &CorpusOrder) -> String {
        let now = now.timestamp_millis();
        let decision = self
            .run(Prepared::hooks, |h, s| {
                h.call_on_amazon_order(s, STORE, now, &o.order_json, &o.items_json)
            })
            .expect("push succeeds");
        match decision.kind {
            DecisionKind::RecordOnly => "record-only",
            DecisionKind::Create => "create",
            DecisionKind::Blocked => "blocked",
            DecisionKind::Complete => "complete",
            DecisionKind::Cancel => "cancel",
            DecisionKind::Skip => "skip",
            DecisionKind::Ignore => "ignore",
        }
        .to_owned()
    }

    fn tick(&mut self, now: DateTime<Utc>) -> TickSummary {
        self.host().amazon.now = now;
        let now = now.timestamp_millis();
        let r: hooks::TickReport = self
            .run(Prepared::hooks, |h, s| h.call_on_cron_tick(s, STORE, now))
            .expect("tick succeeds");
        TickSummary {
            done: matches!(r.status, WitTickStatus::Done),
            throttled: matches!(r.status, WitTickStatus::Throttled),
            pulled: r.pulled,
            created: r.created,
            blocked: r.blocked,
            completed: r.completed,
            skipped: r.skipped,
            errors: r.errors,
        }
    }

    fn system_message(&mut self) -> Option<String> {
        self.run(Prepared::admin, |a, s| a.call_system_message(s))
            .expect("system message")
    }

    fn list_orders(&mut self, query: &NativeQuery) -> (usize, u32) {
        let q = wit_query(query);
        let page = self
            .run(Prepared::admin, |a, s| a.call_list_orders(s, STORE, &q))
            .expect("list orders");
        (page.rows.len(), page.total)
    }

    fn last_fuel(&self) -> Option<Fuel> {
        self.last
    }
}

// ---------------------------------------------------------------- scenarios

/// Ticks (one simulated minute apart: enough for the getOrderItems bucket, 0.5 tokens/s and
/// burst 30, to refill) until a tick finishes with nothing throttled. Returns every tick.
pub fn ticks_until_done(
    d: &mut dyn Driver,
    now: DateTime<Utc>,
) -> Vec<(TickSummary, Option<Fuel>)> {
    ticks_every(d, now, Duration::minutes(1), 50)
}

/// Ticks `spacing` apart from `now` until one finishes with nothing throttled (at most `max`).
pub fn ticks_every(
    d: &mut dyn Driver,
    mut now: DateTime<Utc>,
    spacing: Duration,
    max: usize,
) -> Vec<(TickSummary, Option<Fuel>)> {
    let mut out = Vec::new();
    loop {
        let r = d.tick(now);
        let done = r.done;
        assert!(r.errors.is_empty(), "tick errors: {:?}", r.errors);
        out.push((r, d.last_fuel()));
        if done || out.len() >= max {
            return out;
        }
        now += spacing;
    }
}

/// A store after one empty tick: LWA token cached, watermark set at `t0 - 2 min`.
pub fn warm(d: &mut dyn Driver) {
    let r = d.tick(t0());
    assert!(r.done && r.errors.is_empty(), "warm-up tick: {r:?}");
}

/// When the orders of a measured tick were changed on Amazon: after the warm-up watermark.
pub fn changed_at() -> DateTime<Utc> {
    t0() + Duration::minutes(1)
}

/// When the measured ticks start: past Amazon's 2-minute delay for every changed order.
pub fn measure_at() -> DateTime<Utc> {
    t0() + Duration::minutes(6)
}

/// Storage as a native run over `rows` importable orders leaves it (no blocked order), grown
/// to `rows` by copying a 1 000-order base under new ids: rows, by-date index and row count.
pub fn populated_storage(rows: u64) -> std::collections::BTreeMap<String, String> {
    let base_n = rows.min(1_000);
    let mut native = Native::new(memory_host());
    for o in corpus(
        7,
        100,
        base_n,
        Mix::importable(3),
        t0() - Duration::hours(6),
    ) {
        native.push(t0() - Duration::hours(5), &o);
    }
    let base = std::mem::take(&mut native.0.host.storage);
    let mut storage = std::collections::BTreeMap::new();
    let copies = rows.div_ceil(base_n);
    let order_prefix = format!("v1/s/{STORE}/order/");
    let date_prefix = format!("v1/s/{STORE}/by-date/");
    for copy in 0..copies {
        // Batch 100 is the base; copies use batches 101, 102, …
        let batch = format!("{:03}-", 100 + copy);
        for (k, v) in &base {
            if k.starts_with(&order_prefix) || k.starts_with(&date_prefix) {
                if copy == 0 {
                    storage.insert(k.clone(), v.clone());
                } else {
                    storage.insert(
                        k.replace("/100-", &format!("/{batch}")),
                        v.replace("\"100-", &format!("\"{batch}")),
                    );
                }
            } else if copy == 0 {
                storage.insert(k.clone(), v.clone());
            }
        }
    }
    let total = storage
        .keys()
        .filter(|k| k.starts_with(&order_prefix))
        .count();
    storage.insert(format!("v1/s/{STORE}/count"), total.to_string());
    // The base run's lease, token and buckets are not wanted: the measured run warms up itself.
    storage.retain(|k, _| !k.ends_with("/lease"));
    storage
}

// ---------------------------------------------------------------- the fuel figures

/// Blocked orders stored for [`FuelFigures::tick_idle_blocked`].
pub const BLOCKED_ROWS: u64 = 10;

/// Every deterministic figure of budgets 1 and 3.
#[derive(Clone, Debug, Default)]
pub struct FuelFigures {
    /// Instantiating the component from its `InstancePre` (paid by every call).
    pub instantiate: u64,
    /// Linear memory at the end of a push, the largest over the 100 pushes (bytes).
    pub push_memory: usize,
    /// Times memory grew during those pushes, in all (their initial size holds a push).
    pub push_memory_grows: u32,
    /// Linear memory at the end of a tick of the 100-order page, the largest (bytes).
    pub tick_100_memory: usize,
    /// `on-amazon-order`, one 3-item MFN order, first order of an empty store.
    pub push_first: u64,
    /// `on-amazon-order`, mean over 100 such orders pushed one after another.
    pub push_mean: u64,
    /// `on-amazon-order` with the same snapshot again (decided `ignore`): the fixed cost.
    pub push_again: u64,
    /// `on-amazon-order`, a 1-item MFN order.
    pub push_one_item: u64,
    /// A tick with nothing changed (warm store: token cached, watermark set).
    pub tick_idle: u64,
    /// A tick importing one changed 3-item order.
    pub tick_one: u64,
    /// A tick with nothing changed but [`BLOCKED_ROWS`] blocked orders stored, each retried.
    pub tick_idle_blocked: u64,
    /// Importing a 100-order page: fuel of each tick needed (getOrderItems' burst is 30).
    pub tick_100: Vec<u64>,
    /// Scale: per stored-row count, the same measurements.
    pub scale: Vec<ScaleFigures>,
}

#[derive(Clone, Debug, Default)]
pub struct ScaleFigures {
    pub rows: u64,
    /// Sum over the ticks that import 100 changed orders.
    pub tick_100: u64,
    pub ticks: usize,
    pub tick_idle: u64,
    pub system_message: u64,
    /// `list-orders`, Recent view (served from the purchase-date index).
    pub list_recent: u64,
    /// `list-orders`, All view, first page of 20 newest first.
    pub list_all_first_page: u64,
}

impl FuelFigures {
    pub fn tick_100_sum(&self) -> u64 {
        self.tick_100.iter().sum()
    }
    /// Fuel per imported order on the pull path: the 100-order ticks less an idle tick each.
    pub fn pull_per_order(&self) -> u64 {
        let overhead = self.tick_idle * self.tick_100.len() as u64;
        self.tick_100_sum().saturating_sub(overhead) / 100
    }
    /// Largest ratio (100 000 rows ÷ 1 000 rows) over the scale measurements, with its name.
    pub fn scale_ratios(&self) -> Vec<(&'static str, f64)> {
        let (Some(small), Some(large)) = (self.scale.first(), self.scale.last()) else {
            return Vec::new();
        };
        let r = |a: u64, b: u64| b as f64 / a.max(1) as f64;
        vec![
            (
                "tick importing 100 changed orders",
                r(small.tick_100, large.tick_100),
            ),
            ("idle tick", r(small.tick_idle, large.tick_idle)),
            (
                "system-message",
                r(small.system_message, large.system_message),
            ),
            (
                "list-orders Recent",
                r(small.list_recent, large.list_recent),
            ),
            (
                "list-orders All, first page",
                r(small.list_all_first_page, large.list_all_first_page),
            ),
        ]
    }
}

/// The All Orders grid's first page with its default sort (newest first), 20 rows.
pub fn all_first_page() -> NativeQuery {
    NativeQuery {
        view: amazon_order_sync::grid::View::All,
        sort: amazon_order_sync::grid::SortColumn::PurchaseDate,
        descending: true,
        page: 1,
        page_size: 20,
        ..NativeQuery::default()
    }
}

fn fuel_of(d: &dyn Driver) -> u64 {
    d.last_fuel().expect("component driver").call
}

/// Measures every figure. `scale_rows` are the stored-row counts of budget 3 (1 000, 100 000).
pub fn fuel_figures(rig: &Rig, scale_rows: &[u64]) -> FuelFigures {
    let mut f = FuelFigures::default();

    // Push path.
    let orders = corpus(1, 200, 100, Mix::importable(3), t0());
    let mut w = Wasm::new(rig, memory_host());
    for (n, o) in orders.iter().enumerate() {
        assert_eq!(w.push(t0(), o), "create", "order {n} is imported");
        let fuel = w.last_fuel().unwrap();
        if n == 0 {
            f.push_first = fuel.call;
            f.instantiate = fuel.instantiate;
        }
        f.push_mean += fuel.call;
        f.push_memory = f.push_memory.max(fuel.memory_bytes);
        f.push_memory_grows += fuel.memory_grows;
    }
    f.push_mean /= orders.len() as u64;
    assert_eq!(w.push(t0(), &orders[0]), "ignore");
    f.push_again = fuel_of(&w);
    let single = corpus(5, 210, 1, Mix::importable(1), t0()).remove(0);
    assert_eq!(w.push(t0(), &single), "create");
    f.push_one_item = fuel_of(&w);

    // Pull path, small store.
    let mut w = Wasm::new(rig, memory_host());
    warm(&mut w);
    let r = w.tick(t0() + Duration::minutes(1));
    assert!(r.done);
    f.tick_idle = fuel_of(&w);
    let one = corpus(2, 300, 1, Mix::importable(3), changed_at());
    publish(w.host(), &one);
    let ticks = ticks_until_done(&mut w, measure_at());
    assert_eq!(ticks.len(), 1);
    assert_eq!(ticks[0].0.created, 1);
    f.tick_one = ticks[0].1.unwrap().call;

    // Every tick retries the blocked orders (their SKUs may have been fixed).
    let mut w = Wasm::new(rig, memory_host());
    warm(&mut w);
    let blocked = Mix {
        blocked_percent: 100,
        ..Mix::importable(3)
    };
    for o in corpus(6, 220, BLOCKED_ROWS, blocked, t0()) {
        assert_eq!(w.push(t0(), &o), "blocked");
    }
    let r = w.tick(t0() + Duration::minutes(1));
    assert!(r.done && r.blocked == BLOCKED_ROWS as u32, "{r:?}");
    f.tick_idle_blocked = fuel_of(&w);

    let mut w = Wasm::new(rig, memory_host());
    warm(&mut w);
    let page = corpus(3, 400, 100, Mix::importable(3), changed_at());
    publish(w.host(), &page);
    let ticks = ticks_until_done(&mut w, measure_at());
    let created: u32 = ticks.iter().map(|(t, _)| t.created).sum();
    assert_eq!(
        created, 100,
        "every order of the page is imported: {ticks:?}"
    );
    f.tick_100 = ticks.iter().map(|(_, fuel)| fuel.unwrap().call).collect();
    f.tick_100_memory = ticks
        .iter()
        .map(|(_, fuel)| fuel.unwrap().memory_bytes)
        .max()
        .unwrap_or(0);

    for &rows in scale_rows {
        f.scale.push(scale_figures(rig, rows));
    }
    f
}

/// The guest fuel spent before each host call, in call order, of a push, the same push again,
/// a push of Amazon's sample responses and a one-order tick (`fuel -- --trace`), titled.
fn traces(rig: &Rig) -> Vec<(&'static str, FuelTrace)> {
    let order = corpus(1, 200, 1, Mix::importable(3), t0()).remove(0);
    let mut w = Wasm::new(rig, memory_host());
    w.tracing = true;
    assert_eq!(w.push(t0(), &order), "create");
    let first = ("push, one 3-item order, empty store", w.last_trace.clone());
    assert_eq!(w.push(t0(), &order), "ignore");
    let again = ("push, same snapshot again", w.last_trace.clone());

    // Amazon's own sample, compact as the API sends it: every member Amazon sends, where the
    // corpus has only some. Bought in 1970, so the push skips it; its parse is what it shows.
    let compact = |name: &str| {
        let path = format!(
            "{}/../tests/fixtures/spapi/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        compact_json(&std::fs::read_to_string(&path).expect("the SP-API sample fixtures"))
    };
    let sample = CorpusOrder {
        id: String::new(),
        order_json: compact("getOrder_200_TEST_CASE_200.response.json"),
        items_json: compact("getOrderItems_200_TEST_CASE_200.response.json"),
        blocked: false,
    };
    let mut w = Wasm::new(rig, memory_host());
    w.tracing = true;
    assert_eq!(w.push(t0(), &sample), "skip");
    let sample = (
        "push, Amazon's sample getOrder and getOrderItems responses (compact)",
        w.last_trace.clone(),
    );

    let mut w = Wasm::new(rig, memory_host());
    warm(&mut w);
    publish(
        w.host(),
        &corpus(2, 300, 1, Mix::importable(3), changed_at()),
    );
    w.tracing = true;
    let tick = w.tick(measure_at());
    assert_eq!(tick.created, 1);
    vec![
        first,
        again,
        sample,
        (
            "tick importing one changed 3-item order",
            w.last_trace.clone(),
        ),
    ]
}

/// `json` without the whitespace between its tokens, its members in their order (a
/// `serde_json::Value` would sort them).
fn compact_json(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::with_capacity(json.len()), false, false);
    for c in json.chars() {
        if in_string {
            (in_string, escaped) = (escaped || c != '"', !escaped && c == '\\');
        } else if c.is_ascii_whitespace() {
            continue;
        } else {
            in_string = c == '"';
        }
        out.push(c);
    }
    out
}

/// Where the fuel of a push and of a tick goes, host call by host call, and how much of it is
/// wasmtime's charge of one fuel per byte that `memory.copy` and `memory.fill` move (mostly
/// structs moved by value and text copied): `bulk_free` runs the same calls on an engine that
/// charges those operators their flat cost only.
pub fn fuel_traces(rig: &Rig, bulk_free: &Rig) -> String {
    let mut out = String::new();
    for ((title, trace), (_, flat)) in traces(rig).into_iter().zip(traces(bulk_free)) {
        // Fuel does not change what the guest does: both engines see the same calls.
        let calls = |t: &FuelTrace| t.iter().map(|(call, _)| *call).collect::<Vec<_>>();
        assert_eq!(
            calls(&trace),
            calls(&flat),
            "{title}: the two engines' calls differ"
        );
        let total: u64 = trace.iter().map(|(_, f)| f).sum();
        let bytes = total - flat.iter().map(|(_, f)| f).sum::<u64>();
        out += &format!("{title}: {total} fuel, {bytes} of it bytes moved in bulk\n");
        for ((call, fuel), (_, flat)) in trace.iter().zip(&flat) {
            out += &format!("  {fuel:>10} {:>7}  then {call}\n", fuel - flat);
        }
    }
    out
}

/// Budget 3 at one table size.
pub fn scale_figures(rig: &Rig, rows: u64) -> ScaleFigures {
    let mut host = memory_host();
    host.storage = populated_storage(rows);
    let mut w = Wasm::new(rig, host);
    warm(&mut w);
    let mut s = ScaleFigures {
        rows,
        ..ScaleFigures::default()
    };
    let r = w.tick(t0() + Duration::minutes(1));
    assert!(r.done);
    s.tick_idle = fuel_of(&w);
    let page = corpus(4, 900, 100, Mix::importable(3), changed_at());
    publish(w.host(), &page);
    let ticks = ticks_until_done(&mut w, measure_at());
    let created: u32 = ticks.iter().map(|(t, _)| t.created).sum();
    assert_eq!(created, 100, "every changed order is imported: {ticks:?}");
    s.ticks = ticks.len();
    s.tick_100 = ticks.iter().map(|(_, fuel)| fuel.unwrap().call).sum();
    assert_eq!(w.system_message(), None);
    s.system_message = fuel_of(&w);
    let (n, total) = w.list_orders(&NativeQuery::recent());
    assert!(
        n > 0 && u64::from(total) == rows + 100,
        "{n} rows of {total}"
    );
    s.list_recent = fuel_of(&w);
    let (n, _) = w.list_orders(&all_first_page());
    assert_eq!(n, 20);
    s.list_all_first_page = fuel_of(&w);
    s
}

fn fmt(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl std::fmt::Display for FuelFigures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ok = |met: bool| if met { "ok" } else { "OVER" };
        writeln!(f, "fuel (wasm operators; deterministic)")?;
        writeln!(
            f,
            "  instantiate from InstancePre          {:>12}",
            fmt(self.instantiate)
        )?;
        writeln!(
            f,
            "  push: one 3-item order, empty store   {:>12}   budget {} per order: {}",
            fmt(self.push_first),
            fmt(BUDGET_PER_ORDER),
            ok(self.push_first <= BUDGET_PER_ORDER)
        )?;
        writeln!(
            f,
            "  push: mean of 100 3-item orders       {:>12}   budget {}: {}",
            fmt(self.push_mean),
            fmt(BUDGET_PER_ORDER),
            ok(self.push_mean <= BUDGET_PER_ORDER)
        )?;
        writeln!(
            f,
            "  tick: idle (warm store)               {:>12}",
            fmt(self.tick_idle)
        )?;
        writeln!(
            f,
            "  tick: idle, {BLOCKED_ROWS} blocked orders stored   {:>12}   (each retried: {} per order)",
            fmt(self.tick_idle_blocked),
            fmt(self.tick_idle_blocked.saturating_sub(self.tick_idle) / BLOCKED_ROWS)
        )?;
        writeln!(
            f,
            "  push: same snapshot again (ignore)    {:>12}",
            fmt(self.push_again)
        )?;
        writeln!(
            f,
            "  push: one 1-item order                {:>12}",
            fmt(self.push_one_item)
        )?;
        writeln!(
            f,
            "  tick: one changed 3-item order        {:>12}   (incl. idle tick)",
            fmt(self.tick_one)
        )?;
        writeln!(
            f,
            "  tick: 100-order page, sum of {} ticks  {:>12}   budget {}: {}   per tick: {}",
            self.tick_100.len(),
            fmt(self.tick_100_sum()),
            fmt(BUDGET_100_ORDER_TICK),
            ok(self.tick_100_sum() <= BUDGET_100_ORDER_TICK),
            self.tick_100
                .iter()
                .map(|n| fmt(*n))
                .collect::<Vec<_>>()
                .join(" + ")
        )?;
        writeln!(
            f,
            "  pull: per imported order (marginal)   {:>12}   budget {}: {}",
            fmt(self.pull_per_order()),
            fmt(BUDGET_PER_ORDER),
            ok(self.pull_per_order() <= BUDGET_PER_ORDER)
        )?;
        writeln!(
            f,
            "  linear memory at most: push {} KiB (grown {} times in 100 pushes), 100-order page tick {} KiB",
            self.push_memory / 1024,
            self.push_memory_grows,
            self.tick_100_memory / 1024
        )?;
        for s in &self.scale {
            writeln!(
                f,
                "  scale {:>7} rows: 100-order ticks {} ({} ticks), idle tick {}, system-message {}, list-orders Recent {}, All p.1 {}",
                s.rows,
                fmt(s.tick_100),
                s.ticks,
                fmt(s.tick_idle),
                fmt(s.system_message),
                fmt(s.list_recent),
                fmt(s.list_all_first_page)
            )?;
        }
        for (name, ratio) in self.scale_ratios() {
            writeln!(
                f,
                "  scale ratio {name}: {ratio:.3}   budget ≤ {BUDGET_SCALE_RATIO}: {}",
                ok(ratio <= BUDGET_SCALE_RATIO)
            )?;
        }
        Ok(())
    }
}

/// Every budget that is exceeded, as a sentence.
pub fn over_budget(f: &FuelFigures) -> Vec<String> {
    let mut over = Vec::new();
    if f.push_mean > BUDGET_PER_ORDER {
        over.push(format!(
            "push path: {} fuel per order > {BUDGET_PER_ORDER}",
            f.push_mean
        ));
    }
    if f.pull_per_order() > BUDGET_PER_ORDER {
        over.push(format!(
            "pull path: {} fuel per order > {BUDGET_PER_ORDER}",
            f.pull_per_order()
        ));
    }
    if f.tick_100_sum() > BUDGET_100_ORDER_TICK {
        over.push(format!(
            "100-order page: {} fuel over {} ticks > {BUDGET_100_ORDER_TICK}",
            f.tick_100_sum(),
            f.tick_100.len()
        ));
    }
    for (name, ratio) in f.scale_ratios() {
        if ratio > BUDGET_SCALE_RATIO {
            over.push(format!(
                "scale: {name} costs {ratio:.3}× at 100 000 rows vs 1 000 > {BUDGET_SCALE_RATIO}"
            ));
        }
    }
    over
}
