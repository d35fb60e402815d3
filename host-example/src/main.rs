//! `host-example`: run the amazon-order-sync component against SQLite, a settings file and
//! SP-API (or the loopback sandbox). See `host-example --help`.

mod sandbox_control;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use host_example::app::{self, default_component_path};
use host_example::bindings::exports::commerce::amazon_order_sync::admin::{SortColumn, View};
use host_example::db::{Db, Product};
use host_example::replay::ReplayError;
use host_example::runtime::{plugin_error_text, Limits, Runtime, DEFAULT_FUEL, DEFAULT_MEMORY_MB};
use host_example::sandbox::{iso, parse_iso, Credentials, Sandbox};
use host_example::settings::Settings;
use host_example::{demo, replay, table};

#[derive(Parser)]
#[command(
    name = "host-example",
    version,
    about = "A wasmtime host for the amazon-order-sync component"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct Common {
    /// SQLite file (storage, catalog, Commerce orders).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Settings TOML ([stores.<code>] tables).
    #[arg(long, global = true, default_value = "amazon-order-sync.toml")]
    settings: PathBuf,
    /// The component (default: the workspace's release build).
    #[arg(long, global = true)]
    component: Option<PathBuf>,
    /// Fuel budget of one hook call.
    #[arg(long, global = true, default_value_t = DEFAULT_FUEL)]
    fuel: u64,
    /// Memory limit of one hook call, in MiB.
    #[arg(long = "memory-mb", global = true, default_value_t = DEFAULT_MEMORY_MB)]
    memory_mb: usize,
}

impl Common {
    fn limits(&self) -> Limits {
        Limits {
            fuel: self.fuel,
            memory_bytes: self.memory_mb * 1024 * 1024,
        }
    }
    fn component(&self) -> PathBuf {
        self.component
            .clone()
            .unwrap_or_else(default_component_path)
    }
    fn db_path(&self) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(|| PathBuf::from("amazon-order-sync.sqlite"))
    }
    fn runtime(&self) -> Result<Runtime> {
        let settings = if self.settings.exists() {
            Settings::load(&self.settings)?
        } else {
            Settings::default()
        };
        Runtime::new(
            &self.component(),
            Db::open(&self.db_path())?,
            settings,
            self.limits(),
        )
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// The seed's story, fully offline (own SQLite file, in-process sandbox).
    Demo,
    /// One cron tick for every store (or one).
    Tick {
        /// RFC 3339 time of the tick (default: now).
        #[arg(long)]
        now: Option<String>,
        #[arg(long)]
        store: Option<String>,
    },
    /// The Amazon Orders grid (admin.list-orders).
    Orders(OrdersArgs),
    /// One Amazon order as the component stores it (admin.order-detail).
    Order {
        amazon_order_id: String,
        #[arg(long)]
        store: Option<String>,
    },
    /// Ship a Commerce order (everything left, or --item SKU=QTY ...).
    Ship {
        store: String,
        amazon_order_id: String,
        #[arg(long)]
        carrier: String,
        #[arg(long)]
        tracking: String,
        #[arg(long = "item", value_parser = parse_item)]
        items: Vec<(String, u32)>,
    },
    /// Push path: hand one order snapshot to the component (on-amazon-order).
    Push {
        store: String,
        /// SP-API Order JSON file (or `{"order":…,"items":[…]}`, or an Order with `OrderItems`).
        order: PathBuf,
        /// OrderItems JSON array file (when the order file has no items).
        items: Option<PathBuf>,
        #[arg(long)]
        now: Option<String>,
    },
    /// Cancel a Commerce order (stock returned) and tell the component.
    Cancel {
        store: String,
        amazon_order_id: String,
    },
    /// The catalog.
    Catalog {
        #[command(subcommand)]
        cmd: CatalogCmd,
    },
    /// Settings.
    Settings {
        #[command(subcommand)]
        cmd: SettingsCmd,
    },
    /// Serve the loopback SP-API sandbox until interrupted.
    Sandbox(SandboxArgs),
    /// Serve the in-browser validation preview (web/ at `/`, pkg/ at `/pkg/`) on loopback.
    Serve {
        #[arg(long, default_value_t = 8787)]
        port: u16,
    },
    /// Run a scenario (one JSON step per line) and print the final state.
    Replay {
        scenario: PathBuf,
        /// Print one JSON object instead of tables.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CatalogCmd {
    /// Add or change a product.
    Set {
        sku: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        enabled: Option<bool>,
        #[arg(long, conflicts_with = "unmanaged")]
        qty: Option<i64>,
        /// Stock not managed (never blocks).
        #[arg(long)]
        unmanaged: bool,
    },
    /// List the products.
    List,
}

#[derive(Subcommand)]
enum SettingsCmd {
    /// Print the settings with secrets masked.
    Show,
}

#[derive(Clone, Copy, ValueEnum)]
enum ViewArg {
    Recent,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
enum SortArg {
    PurchaseDate,
    OrderNumber,
    Status,
    BuyerName,
    GrandTotal,
}

#[derive(Args)]
struct OrdersArgs {
    #[arg(long)]
    store: Option<String>,
    #[arg(long, value_enum, default_value = "all")]
    view: ViewArg,
    /// Purchased at or after (RFC 3339).
    #[arg(long)]
    from: Option<String>,
    /// Purchased at or before (RFC 3339).
    #[arg(long)]
    to: Option<String>,
    #[arg(long)]
    number: Option<String>,
    #[arg(long)]
    buyer: Option<String>,
    /// Grand total at least (e.g. 20.00).
    #[arg(long)]
    min: Option<f64>,
    #[arg(long)]
    max: Option<f64>,
    /// Keep only these table statuses (repeatable).
    #[arg(long = "status")]
    statuses: Vec<String>,
    #[arg(long, value_enum, default_value = "purchase-date")]
    sort: SortArg,
    /// Ascending (default: descending).
    #[arg(long)]
    asc: bool,
    #[arg(long, default_value_t = 1)]
    page: u32,
    #[arg(long = "page-size", default_value_t = 20)]
    page_size: u32,
}

#[derive(Args)]
struct SandboxArgs {
    #[arg(long, default_value_t = 8700)]
    port: u16,
    /// Directory of SP-API order JSON files (default: the demo seed's orders).
    #[arg(long)]
    orders: Option<PathBuf>,
    /// Seller (store code) the orders and credentials belong to.
    #[arg(long, default_value = "acme-us")]
    seller: String,
    /// Fixed sandbox clock (RFC 3339; default: wall clock).
    #[arg(long)]
    now: Option<String>,
    /// Throttle (429) the next N SP-API requests.
    #[arg(long, default_value_t = 0)]
    throttle: u32,
    /// Fail (503) the next N SP-API requests.
    #[arg(long, default_value_t = 0)]
    fail: u32,
    /// Only this operation is faulted (getOrders, getOrder, getOrderItems, confirmShipment).
    #[arg(long = "fault-op")]
    fault_op: Option<String>,
    /// Let K matching requests through before the faults start.
    #[arg(long = "fault-after", default_value_t = 0)]
    fault_after: u32,
    /// Drive the sandbox from stdin instead: one JSON command per line (`add_seller`,
    /// `upsert_order`, `set_now`, `throttle`, `fail`, `confirmations`, `log`), one JSON answer
    /// per stdout line — what a second host (host-example/jco) replays scenarios through.
    #[arg(long)]
    control: bool,
    /// Write a settings TOML for this sandbox (with its credentials) to this file.
    #[arg(long = "write-settings")]
    write_settings: Option<PathBuf>,
}

fn parse_item(s: &str) -> Result<(String, u32), String> {
    let (sku, qty) = s.split_once('=').ok_or("expected SKU=QTY")?;
    let qty: u32 = qty.parse().map_err(|_| format!("bad quantity in {s:?}"))?;
    if sku.is_empty() || qty == 0 {
        return Err(format!("bad item {s:?}"));
    }
    Ok((sku.to_string(), qty))
}

fn parse_time(s: Option<&str>) -> Result<i64> {
    match s {
        Some(t) => parse_iso(t).with_context(|| format!("{t:?} is not an RFC 3339 time")),
        None => Ok(chrono::Utc::now().timestamp_millis()),
    }
}

fn pick_store(rt: &Runtime, store: Option<String>) -> Result<String> {
    if let Some(s) = store {
        return Ok(s);
    }
    let codes = rt.settings().store_codes();
    match codes.as_slice() {
        [one] => Ok(one.clone()),
        [] => anyhow::bail!("no stores in the settings file; pass --settings"),
        _ => anyhow::bail!(
            "several stores configured ({}); pass --store",
            codes.join(", ")
        ),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<ReplayError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let c = cli.common;
    match cli.cmd {
        Cmd::Demo => {
            let path = match &c.db {
                Some(p) => p.clone(),
                None => std::env::temp_dir().join(format!(
                    "amazon-order-sync-demo-{}.sqlite",
                    std::process::id()
                )),
            };
            // The story needs an empty store; a file the user named is never deleted.
            if c.db.is_some() {
                anyhow::ensure!(
                    std::fs::metadata(&path).map_or(true, |m| m.len() == 0),
                    "the demo needs a fresh database and {} exists: remove it or pick another path",
                    path.display()
                );
            } else {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            demo::run(&c.component(), &path, c.limits(), &mut std::io::stdout())?;
        }
        Cmd::Serve { port } => {
            let here = Path::new(env!("CARGO_MANIFEST_DIR"));
            serve::run(port, &here.join("web"), &here.join("../pkg"))?;
        }
        Cmd::Tick { now, store } => {
            let mut rt = c.runtime()?;
            let now = parse_time(now.as_deref())?;
            let stores = match store {
                Some(s) => vec![s],
                None => rt.settings().store_codes(),
            };
            anyhow::ensure!(!stores.is_empty(), "no stores in {}", c.settings.display());
            for s in stores {
                let r = rt.on_cron_tick(&s, now);
                for e in rt.take_http_log() {
                    println!("  http {} {} → {}", e.method, e.url, e.outcome);
                }
                match r {
                    Ok(Ok(t)) => println!(
                        "{s} @ {}: {} pulled={} created={} blocked={} completed={} canceled={} pushed={} skipped={} fuel={}{}",
                        iso(now),
                        app::tick_status(&t.status),
                        t.pulled,
                        t.created,
                        t.blocked,
                        t.completed,
                        t.canceled,
                        t.pushed,
                        t.skipped,
                        rt.fuel.last,
                        if t.errors.is_empty() { String::new() } else { format!("\n  errors: {:?}", t.errors) }
                    ),
                    Ok(Err(e)) => println!("{s}: {} (fuel {})", plugin_error_text(&e), rt.fuel.last),
                    Err(f) => println!("{s}: {f}"),
                }
            }
        }
        Cmd::Orders(a) => {
            let mut rt = c.runtime()?;
            let store = pick_store(&rt, a.store.clone())?;
            let mut q = demo::all_orders_query(a.page_size);
            q.view = match a.view {
                ViewArg::Recent => View::Recent,
                ViewArg::All => View::All,
            };
            q.purchase_from = a.from.as_deref().map(|t| parse_time(Some(t))).transpose()?;
            q.purchase_to = a.to.as_deref().map(|t| parse_time(Some(t))).transpose()?;
            q.order_number = a.number;
            q.buyer_name = a.buyer;
            q.total_min = a.min.map(|m| (m * 100.0).round() as i64);
            q.total_max = a.max.map(|m| (m * 100.0).round() as i64);
            q.statuses = a.statuses;
            q.sort = match a.sort {
                SortArg::PurchaseDate => SortColumn::PurchaseDate,
                SortArg::OrderNumber => SortColumn::OrderNumber,
                SortArg::Status => SortColumn::Status,
                SortArg::BuyerName => SortColumn::BuyerName,
                SortArg::GrandTotal => SortColumn::GrandTotal,
            };
            q.descending = !a.asc;
            q.page = a.page;
            let page = rt
                .list_orders(&store, &q)?
                .map_err(|e| anyhow::anyhow!(plugin_error_text(&e)))?;
            print!("{}", table::order_grid(&page));
            let message = rt.db().admin_message()?;
            if let Some(m) = message {
                println!("\nSystem message: {m}");
            }
        }
        Cmd::Order {
            amazon_order_id,
            store,
        } => {
            let mut rt = c.runtime()?;
            let store = pick_store(&rt, store)?;
            let detail = rt
                .order_detail(&store, &amazon_order_id)?
                .map_err(|e| anyhow::anyhow!(plugin_error_text(&e)))?
                .with_context(|| format!("no Amazon order {amazon_order_id} in store {store}"))?;
            let v: serde_json::Value =
                serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail));
            println!("{}", serde_json::to_string_pretty(&v)?);
            let order = rt.db().commerce_order(&store, &amazon_order_id)?;
            if let Some(o) = order {
                println!("\nCommerce order:");
                print!("{}", table::commerce_orders(std::slice::from_ref(&o)));
                let history = rt.db().status_history(&o.id)?;
                for (status, comment) in history {
                    println!("  [{status}] {comment}");
                }
            }
        }
        Cmd::Ship {
            store,
            amazon_order_id,
            carrier,
            tracking,
            items,
        } => {
            let mut rt = c.runtime()?;
            let items = if items.is_empty() { None } else { Some(items) };
            let now = chrono::Utc::now().timestamp_millis();
            let sid = app::ship(
                &mut rt,
                &store,
                &amazon_order_id,
                &carrier,
                &tracking,
                items,
                now,
            )?;
            println!(
                "shipment {sid} recorded; confirmShipment is pushed on the next tick (fuel {})",
                rt.fuel.last
            );
        }
        Cmd::Push {
            store,
            order,
            items,
            now,
        } => {
            let mut rt = c.runtime()?;
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&order)?)
                .with_context(|| format!("{} is not JSON", order.display()))?;
            let (order_v, mut items_v) = app::split_order_file(v);
            if let Some(p) = items {
                items_v = serde_json::from_str(&std::fs::read_to_string(&p)?)
                    .with_context(|| format!("{} is not JSON", p.display()))?;
            }
            let now = parse_time(now.as_deref())?;
            let d = app::push(&mut rt, &store, now, &order_v, &items_v)?;
            println!("{}", serde_json::to_string_pretty(&d)?);
        }
        Cmd::Cancel {
            store,
            amazon_order_id,
        } => {
            let mut rt = c.runtime()?;
            app::cancel(
                &mut rt,
                &store,
                &amazon_order_id,
                chrono::Utc::now().timestamp_millis(),
            )?;
            println!("{amazon_order_id} canceled in Commerce");
        }
        Cmd::Catalog { cmd } => {
            // The catalog needs no component: open the database directly.
            let mut db = Db::open(&c.db_path())?;
            match cmd {
                CatalogCmd::Set {
                    sku,
                    name,
                    enabled,
                    qty,
                    unmanaged,
                } => {
                    let old = db.product(&sku)?;
                    let p = Product {
                        name: name
                            .or(old.as_ref().map(|o| o.name.clone()))
                            .unwrap_or_else(|| sku.clone()),
                        enabled: enabled.or(old.as_ref().map(|o| o.enabled)).unwrap_or(true),
                        qty: if unmanaged {
                            None
                        } else {
                            qty.or(old.as_ref().and_then(|o| o.qty))
                        },
                        sku,
                    };
                    db.upsert_product(&p)?;
                    print!("{}", table::products(std::slice::from_ref(&p)));
                }
                CatalogCmd::List => print!("{}", table::products(&db.products()?)),
            }
        }
        Cmd::Settings {
            cmd: SettingsCmd::Show,
        } => {
            let s = Settings::load(&c.settings)?;
            print!("{}", s.show());
        }
        Cmd::Sandbox(a) => run_sandbox(a)?,
        Cmd::Replay { scenario, json } => {
            let text = std::fs::read_to_string(&scenario)
                .with_context(|| format!("reading {}", scenario.display()))?;
            let db = match &c.db {
                Some(p) => Db::open(p)?,
                None => Db::open_in_memory()?,
            };
            let mut print_progress = |m: &str| eprintln!("{m}");
            let progress: replay::Progress<'_> = if json {
                None
            } else {
                Some(&mut print_progress)
            };
            let snap = replay::run(&text, &c.component(), db, c.limits(), progress)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&replay::json_output(&snap))?
                );
            } else {
                print_snapshot(&snap);
            }
        }
    }
    Ok(())
}

fn print_snapshot(s: &app::Snapshot) {
    let rows: Vec<Vec<String>> = s
        .amazon_orders
        .iter()
        .map(|o| {
            vec![
                o.store.clone(),
                o.amazon_order_id.clone(),
                o.fulfillment_channel.clone(),
                o.status.clone(),
                o.commerce_order_id.clone().unwrap_or_else(|| "—".into()),
                o.blockers
                    .iter()
                    .map(|b| format!("{} {}", b.sku, b.kind))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    println!("Amazon orders:");
    print!(
        "{}",
        table::render(
            &[
                "Store",
                "Amazon order",
                "Ch.",
                "Status",
                "Commerce",
                "Blockers"
            ],
            &rows
        )
    );
    println!("\nCommerce orders:");
    print!("{}", table::commerce_orders(&s.commerce_orders));
    println!(
        "\nSystem message: {}",
        s.system_message.as_deref().unwrap_or("(none)")
    );
    println!("Shipment confirmations: {}", s.shipment_confirmations.len());
    println!(
        "Fuel: total {}, max per call {}",
        s.fuel.total, s.fuel.max_per_call
    );
}

fn run_sandbox(a: SandboxArgs) -> Result<()> {
    if a.control {
        return sandbox_control::run(a.port);
    }
    let sb = Sandbox::start(a.port)?;
    let creds: Credentials = sb.add_seller(&a.seller);
    if let Some(now) = &a.now {
        sb.set_now(Some(parse_time(Some(now))?));
    }
    let n = match &a.orders {
        Some(dir) => sb.load_dir(&a.seller, dir)?,
        None => {
            let seed = demo::seed();
            for o in &seed.orders {
                sb.upsert_order(&a.seller, o.order.clone(), o.items.clone())?;
            }
            seed.orders.len()
        }
    };
    if a.throttle > 0 {
        sb.throttle(a.throttle, a.fault_op.as_deref(), a.fault_after);
    }
    if a.fail > 0 {
        sb.fail(a.fail, a.fault_op.as_deref(), a.fault_after);
    }
    println!(
        "SP-API sandbox on {} with {n} order(s) for seller {}",
        sb.base_url(),
        a.seller
    );
    let mut store = std::collections::BTreeMap::new();
    for (k, v) in [
        ("marketplace_id", "ATVPDKIKX0DER".to_string()),
        ("integrated_at", "2026-11-20T00:00:00Z".to_string()),
        ("spapi_endpoint", sb.base_url().to_string()),
        ("lwa_endpoint", sb.lwa_url()),
        ("lwa_client_id", creds.client_id.clone()),
        ("lwa_client_secret", creds.client_secret.clone()),
        ("lwa_refresh_token", creds.refresh_token.clone()),
    ] {
        store.insert(k.to_string(), v);
    }
    let mut settings = Settings::default();
    settings.stores.insert(a.seller.clone(), store);
    match &a.write_settings {
        Some(path) => {
            // Credentials go to the file only, never to the terminal.
            std::fs::write(path, settings.to_toml())?;
            println!(
                "Settings with this sandbox's credentials written to {}",
                path.display()
            );
        }
        None => println!("Pass --write-settings FILE to get a settings file with the credentials."),
    }
    print!("{}", settings.show());
    println!("\nCtrl-C stops it.");
    loop {
        std::thread::park();
    }
}
