//! The real component through the real host: wasmtime, SQLite, and the sandbox over loopback
//! HTTP. Needs the release component:
//! `cargo build --target wasm32-wasip2 --release` (from the workspace root), or
//! `AMAZON_ORDER_SYNC_COMPONENT=/path/to.wasm`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use host_example::app::{default_component_path, Sim};
use host_example::db::{Db, KvOp};
use host_example::demo;
use host_example::replay::{self, ReplayError};
use host_example::runtime::{FailureKind, Limits};
use host_example::sandbox::parse_iso;
use serde_json::{json, Value};

fn component() -> PathBuf {
    let p = std::env::var_os("AMAZON_ORDER_SYNC_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(default_component_path);
    assert!(
        p.exists(),
        "component {} is missing: run `cargo build --target wasm32-wasip2 --release` in the workspace root",
        p.display()
    );
    p
}

fn scenario(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/scenarios")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A replay simulation over the real component, in-memory SQLite and a loopback sandbox.
fn new_sim() -> Sim {
    Sim::new(
        &component(),
        Db::open_in_memory().unwrap(),
        Limits::default(),
    )
    .unwrap()
}

/// The store most tests use: `acme-us` on the US marketplace, default settings.
fn add_acme_us(sim: &mut Sim) {
    sim.add_store(
        "acme-us",
        "ATVPDKIKX0DER",
        "2026-11-20T00:00:00Z",
        &BTreeMap::new(),
        true,
    )
    .unwrap();
}

/// `n` Unshipped one-mug orders of `acme-us` on the simulated Amazon (ids `113-000000<batch>-…`,
/// updated a second apart from 09:00), and the mug in the catalog.
fn add_mug_orders(sim: &mut Sim, batch: u32, n: usize) {
    sim.product("MUG-BLUE", None, true, None).unwrap();
    for i in 0..n {
        let id = format!("113-000000{batch}-{i:07}");
        let at = format!("2026-11-20T09:{:02}:{:02}Z", i / 60, i % 60);
        let order = json!({"AmazonOrderId": id, "PurchaseDate": "2026-11-20T08:00:00Z", "LastUpdateDate": at,
            "OrderStatus": "Unshipped", "FulfillmentChannel": "MFN", "MarketplaceId": "ATVPDKIKX0DER",
            "OrderTotal": {"CurrencyCode": "USD", "Amount": "21.60"}, "NumberOfItemsShipped": 0, "NumberOfItemsUnshipped": 1,
            "ShippingAddress": {"Name": "Jane Doe", "AddressLine1": "1 Main St", "City": "Seattle", "StateOrRegion": "WA", "PostalCode": "98101", "CountryCode": "US"},
            "BuyerInfo": {"BuyerEmail": "j@marketplace.amazon.com", "BuyerName": "Jane Doe"}});
        let items = vec![
            json!({"ASIN": "B0MUG", "OrderItemId": format!("{batch}{i:013}"), "SellerSKU": "MUG-BLUE", "QuantityOrdered": 1,
            "QuantityShipped": 0, "ItemPrice": {"CurrencyCode": "USD", "Amount": "20.00"}, "ItemTax": {"CurrencyCode": "USD", "Amount": "1.60"}}),
        ];
        sim.amazon_order("acme-us", order, items).unwrap();
    }
}

/// The seed story's steps before its first cron: the store, the catalog, Amazon's orders.
fn seed_setup() -> String {
    through_cron(&scenario(SEED), 1)
        .lines()
        .filter(|l| !l.contains(r#""step":"cron""#))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// (Amazon order id, Commerce status) of every Commerce order, sorted.
fn commerce_statuses(s: &host_example::app::Snapshot) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = s
        .commerce_orders
        .iter()
        .map(|o| (o.amazon_order_id.clone(), o.status.clone()))
        .collect();
    v.sort();
    v
}

/// The scenario's lines up to and including its `n`-th cron step (1-based).
fn through_cron(text: &str, n: usize) -> String {
    let mut seen = 0;
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if line.contains(r#""step":"cron""#) {
            seen += 1;
            if seen == n {
                return out;
            }
        }
    }
    panic!("scenario has fewer than {n} cron steps");
}

fn replay_json(text: &str) -> Value {
    let snap = replay::run(
        text,
        &component(),
        Db::open_in_memory().unwrap(),
        Limits::default(),
        None,
    )
    .unwrap_or_else(|e| panic!("replay failed: {e:#}"));
    replay::json_output(&snap)
}

fn amazon<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["amazon_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["amazon_order_id"] == id)
        .unwrap_or_else(|| panic!("no Amazon order {id} in {:#}", v["amazon_orders"]))
}

fn commerce<'a>(v: &'a Value, id: &str) -> Option<&'a Value> {
    v["commerce_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["amazon_order_id"] == id)
}

fn commerce_status(v: &Value, id: &str) -> Option<String> {
    commerce(v, id).map(|o| o["status"].as_str().unwrap().to_string())
}

fn stock(v: &Value, sku: &str) -> Value {
    v["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["sku"] == sku)
        .unwrap()["qty"]
        .clone()
}

fn blocker_kinds(v: &Value, id: &str) -> Vec<String> {
    amazon(v, id)["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap().to_string())
        .collect()
}

fn ticks(v: &Value) -> Vec<&Value> {
    v["ticks"].as_array().unwrap().iter().collect()
}

const SEED: &str = "seed_story.jsonl";

#[test]
fn first_tick_creates_sellable_orders_and_blocks_the_rest_with_reasons() {
    let v = replay_json(&through_cron(&scenario(SEED), 1));
    assert_eq!(ticks(&v)[0]["status"], "done", "{:#}", v["ticks"]);
    for id in ["113-0000001-0000001", "113-0000001-0000002"] {
        assert_eq!(
            commerce_status(&v, id).as_deref(),
            Some("processing"),
            "{id}: {v:#}"
        );
        assert!(amazon(&v, id)["commerce_order_id"].is_string());
        assert!(amazon(&v, id)["blockers"].as_array().unwrap().is_empty());
    }
    for (id, kind, sku) in [
        ("113-0000001-0000006", "not_in_catalog", "POSTER-A2"),
        ("113-0000001-0000007", "disabled", "LAMP-DESK"),
        ("113-0000001-0000008", "out_of_stock", "HEADPHONES-X"),
    ] {
        let row = amazon(&v, id);
        assert_eq!(row["status"], "Error", "{id}: {row:#}");
        assert_eq!(blocker_kinds(&v, id), [kind], "{id}");
        assert_eq!(row["blockers"][0]["sku"], sku);
        assert!(
            row["blockers"][0]["message"]
                .as_str()
                .unwrap()
                .contains(sku),
            "{row:#}"
        );
        assert!(row["commerce_order_id"].is_null());
        assert!(commerce(&v, id).is_none());
    }
    let msg = v["system_message"]
        .as_str()
        .expect("a system message while orders are blocked");
    assert!(msg.contains("acme-us") || msg.contains("ACME"), "{msg}");
    // Stock moved once per created line; blocked orders took nothing.
    assert_eq!(stock(&v, "MUG-BLUE"), json!(22));
    assert_eq!(stock(&v, "HEADPHONES-X"), json!(0));
    assert_eq!(stock(&v, "LAMP-DESK"), json!(8));
}

#[test]
fn pending_orders_are_recorded_but_not_created() {
    let v = replay_json(&through_cron(&scenario(SEED), 1));
    let row = amazon(&v, "113-0000001-0000004");
    assert!(row["commerce_order_id"].is_null(), "{row:#}");
    assert!(row["blockers"].as_array().unwrap().is_empty());
    assert!(commerce(&v, "113-0000001-0000004").is_none());
}

#[test]
fn orders_purchased_before_integration_are_never_imported() {
    let v = replay_json(&scenario(SEED));
    assert!(commerce(&v, "113-0000001-0000005").is_none());
    if let Some(row) = v["amazon_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["amazon_order_id"] == "113-0000001-0000005")
    {
        assert!(row["commerce_order_id"].is_null());
        assert!(row["blockers"].as_array().unwrap().is_empty());
    }
}

#[test]
fn blocked_orders_are_created_once_the_catalog_is_fixed_and_the_message_clears() {
    let v = replay_json(&through_cron(&scenario(SEED), 2));
    for id in [
        "113-0000001-0000006",
        "113-0000001-0000007",
        "113-0000001-0000008",
    ] {
        assert_eq!(
            commerce_status(&v, id).as_deref(),
            Some("processing"),
            "{id}: {v:#}"
        );
        assert!(
            amazon(&v, id)["blockers"].as_array().unwrap().is_empty(),
            "{id}"
        );
        assert_ne!(amazon(&v, id)["status"], "Error");
    }
    assert!(v["system_message"].is_null(), "{}", v["system_message"]);
    assert_eq!(stock(&v, "POSTER-A2"), json!(9));
    assert_eq!(stock(&v, "LAMP-DESK"), json!(7));
    assert_eq!(stock(&v, "HEADPHONES-X"), json!(4));
    // Each Amazon order became exactly one Commerce order.
    let mut ids: Vec<&str> = v["commerce_orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["amazon_order_id"].as_str().unwrap())
        .collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

#[test]
fn fba_order_shipped_by_amazon_is_created_and_completed() {
    let v = replay_json(&scenario(SEED));
    assert_eq!(
        commerce_status(&v, "113-0000001-0000003").as_deref(),
        Some("complete"),
        "{v:#}"
    );
    assert_eq!(
        amazon(&v, "113-0000001-0000003")["fulfillment_channel"],
        "AFN"
    );
}

#[test]
fn shipped_order_is_confirmed_to_amazon_and_completes_in_commerce() {
    let v = replay_json(&scenario(SEED));
    let confs = v["shipment_confirmations"].as_array().unwrap();
    assert_eq!(confs.len(), 1, "{confs:#?}");
    let c = &confs[0];
    assert_eq!(c["amazon_order_id"], "113-0000001-0000001");
    assert_eq!(c["tracking_number"], "1Z999AA10123456784");
    assert!(
        c["carrier_code"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("ups"),
        "{c}"
    );
    assert_eq!(
        c["items"],
        json!([{"order_item_id": "10000000000011", "quantity": 2}])
    );
    assert_eq!(
        commerce_status(&v, "113-0000001-0000001").as_deref(),
        Some("complete")
    );
    assert_eq!(
        commerce_status(&v, "113-0000001-0000002").as_deref(),
        Some("processing")
    );
    assert!(v["system_message"].is_null());
    assert!(v["fuel"]["total"].as_u64().unwrap() > 0);
    assert!(v["fuel"]["max_per_call"].as_u64().unwrap() <= v["fuel"]["total"].as_u64().unwrap());
}

#[test]
fn import_disabled_records_orders_without_creating_or_blocking_any() {
    let v = replay_json(&scenario("import_disabled.jsonl"));
    assert!(v["commerce_orders"].as_array().unwrap().is_empty(), "{v:#}");
    assert_eq!(v["amazon_orders"].as_array().unwrap().len(), 2, "{v:#}");
    for o in v["amazon_orders"].as_array().unwrap() {
        assert!(o["commerce_order_id"].is_null());
        assert!(o["blockers"].as_array().unwrap().is_empty(), "{o:#}");
    }
    assert_eq!(stock(&v, "MUG-BLUE"), json!(5));
    assert!(v["system_message"].is_null());
}

#[test]
fn amazon_cancellation_cancels_the_commerce_order_and_returns_its_stock() {
    let v = replay_json(&scenario("fba_and_cancel.jsonl"));
    assert_eq!(
        commerce_status(&v, "113-0000003-0000003").as_deref(),
        Some("canceled"),
        "{v:#}"
    );
    assert_eq!(stock(&v, "MUG-BLUE"), json!(5));
}

#[test]
fn fba_orders_are_created_only_once_amazon_has_shipped_them() {
    let v = replay_json(&scenario("fba_and_cancel.jsonl"));
    assert_eq!(
        commerce_status(&v, "113-0000003-0000001").as_deref(),
        Some("complete"),
        "{v:#}"
    );
    assert!(
        commerce(&v, "113-0000003-0000002").is_none(),
        "an unshipped FBA order is not created"
    );
    assert_eq!(stock(&v, "BOTTLE-STEEL"), json!(2));
}

#[test]
fn partial_shipment_is_pushed_per_package_and_the_order_completes_after_the_rest_ships() {
    let text = scenario("partial_shipment.jsonl");
    let mid = replay_json(&through_cron(&text, 3));
    let confs = mid["shipment_confirmations"].as_array().unwrap();
    assert_eq!(confs.len(), 1, "{confs:#?}");
    assert_eq!(
        confs[0]["items"],
        json!([{"order_item_id": "40000000000011", "quantity": 1}])
    );
    assert_eq!(
        commerce_status(&mid, "113-0000004-0000001").as_deref(),
        Some("processing")
    );

    let v = replay_json(&text);
    let confs = v["shipment_confirmations"].as_array().unwrap();
    assert_eq!(confs.len(), 2, "{confs:#?}");
    assert_ne!(
        confs[0]["package_reference_id"],
        confs[1]["package_reference_id"]
    );
    let mut rest = confs[1]["items"].as_array().unwrap().clone();
    rest.sort_by_key(|i| i["order_item_id"].as_str().unwrap().to_string());
    assert_eq!(
        rest,
        vec![
            json!({"order_item_id": "40000000000011", "quantity": 1}),
            json!({"order_item_id": "40000000000012", "quantity": 1})
        ]
    );
    assert_eq!(
        commerce_status(&v, "113-0000004-0000001").as_deref(),
        Some("complete"),
        "{v:#}"
    );
}

#[test]
fn throttling_mid_page_stops_the_tick_and_the_next_tick_resumes_without_duplicates() {
    let text = scenario("throttled_mid_page.jsonl");
    let first = replay_json(&through_cron(&text, 1));
    assert_eq!(
        ticks(&first)[0]["status"],
        "throttled",
        "{:#}",
        first["ticks"]
    );
    let created_first = first["commerce_orders"].as_array().unwrap().len();
    assert!(
        created_first < 6,
        "the throttled tick cannot have finished: {created_first}"
    );

    let v = replay_json(&text);
    let t = ticks(&v);
    assert_eq!(t[1]["status"], "done", "{:#}", v["ticks"]);
    assert_eq!(
        t[2]["status"], "throttled",
        "503 also stops the tick: {:#}",
        v["ticks"]
    );
    assert_eq!(t[3]["status"], "done");
    let orders = v["commerce_orders"].as_array().unwrap();
    assert_eq!(orders.len(), 6, "{v:#}");
    assert_eq!(
        stock(&v, "MUG-BLUE"),
        json!(14),
        "each order took its stock exactly once"
    );
}

#[test]
fn a_url_off_the_allow_list_is_refused_and_nothing_reaches_the_network() {
    let mut sim = new_sim();
    replay_steps_into(&mut sim, &scenario("not_allow_listed.jsonl"));
    let http = sim.rt.take_http_log();
    assert!(!http.is_empty(), "the component tried to call out");
    assert!(
        http.iter().all(|e| e.outcome.starts_with("not-allowed")),
        "{http:?}"
    );
    assert!(
        sim.sandbox.request_log().is_empty(),
        "{:?}",
        sim.sandbox.request_log()
    );
    let snap = sim.snapshot().unwrap();
    assert!(snap.commerce_orders.is_empty());
    let t = &snap.ticks[0];
    assert!(
        t.status != "done" || !t.errors.is_empty(),
        "the refusal is reported: {t:?}"
    );
}

/// Runs the steps of a scenario on an existing `Sim` (for tests that look at the sim after).
fn replay_steps_into(sim: &mut Sim, text: &str) {
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v["step"].as_str().unwrap() {
            "store" => {
                let extra: BTreeMap<String, String> = v["settings"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| {
                                (k.clone(), v.as_str().map_or(v.to_string(), str::to_string))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let allow = v
                    .get("allow_listed")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                sim.add_store(
                    v["store"].as_str().unwrap(),
                    v["marketplace_id"].as_str().unwrap(),
                    v["integrated_at"].as_str().unwrap(),
                    &extra,
                    allow,
                )
                .unwrap();
            }
            "product" => sim
                .product(
                    v["sku"].as_str().unwrap(),
                    None,
                    v["enabled"].as_bool().unwrap_or(true),
                    v["qty"].as_i64(),
                )
                .unwrap(),
            "amazon_order" => sim
                .amazon_order(
                    v["store"].as_str().unwrap(),
                    v["order"].clone(),
                    v["items"].as_array().cloned().unwrap_or_default(),
                )
                .unwrap(),
            "cron" => {
                sim.cron(parse_iso(v["now"].as_str().unwrap()).unwrap(), None);
            }
            other => panic!("step {other} not supported here"),
        }
    }
}

#[test]
fn a_trap_mid_tick_fails_only_that_call_and_the_next_tick_completes_the_work() {
    let setup = seed_setup();
    let now = parse_iso("2026-11-20T12:00:00Z").unwrap();

    // How much fuel one full first tick needs.
    let mut probe = new_sim();
    replay_steps_into(&mut probe, &setup);
    let full = probe.cron(now, None)[0].fuel;
    let expected = probe.snapshot().unwrap();

    // Half of it: the tick dies in the middle of its work.
    let mut sim = new_sim();
    replay_steps_into(&mut sim, &setup);
    let r = sim
        .rt
        .on_cron_tick_with_fuel("acme-us", now, Some(full / 2));
    let failure = r.expect_err("half the fuel cannot finish the tick");
    assert_eq!(failure.kind, FailureKind::OutOfFuel, "{failure}");
    assert!(failure.to_string().contains("out of fuel"), "{failure}");
    assert!(
        sim.rt.db().kv_get("v1/s/acme-us/lease").unwrap().is_none(),
        "the dead call's lease is given back"
    );

    // The next tick, with a normal budget, finishes the work exactly once.
    let t = sim.cron(now + 5 * 60_000, None);
    assert_eq!(t[0].status, "done", "{t:?}");
    let got = sim.snapshot().unwrap();
    assert_eq!(commerce_statuses(&got), commerce_statuses(&expected));
    assert_eq!(got.products, expected.products, "stock moved exactly once");
    let blocked = |s: &host_example::app::Snapshot| {
        s.amazon_orders
            .iter()
            .filter(|o| !o.blockers.is_empty())
            .map(|o| o.amazon_order_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(blocked(&got), blocked(&expected));
    assert_eq!(
        got.system_message.is_some(),
        expected.system_message.is_some()
    );
}

#[test]
fn a_memory_limit_fails_the_call_clearly_and_the_host_keeps_running() {
    let mut sim = new_sim();
    replay_steps_into(&mut sim, &seed_setup());
    sim.rt.limits.memory_bytes = 64 * 1024;
    let now = parse_iso("2026-11-20T12:00:00Z").unwrap();
    let failure = sim
        .rt
        .on_cron_tick("acme-us", now)
        .expect_err("64 KiB is not enough");
    assert_eq!(failure.kind, FailureKind::MemoryLimit, "{failure}");
    assert!(failure.to_string().contains("memory limit of"), "{failure}");
    sim.rt.limits = Limits::default();
    let t = sim.cron(now + 60_000, None);
    assert_eq!(t[0].status, "done", "{t:?}");
}

#[test]
fn a_malformed_line_stops_the_replay_at_its_line_and_nothing_after_it_runs() {
    let dir = std::env::temp_dir().join(format!("hx-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("r.sqlite");
    let _ = std::fs::remove_file(&path);
    let err = replay::run(
        &scenario("malformed_line.jsonl"),
        &component(),
        Db::open(&path).unwrap(),
        Limits::default(),
        None,
    )
    .expect_err("line 3 is not JSON");
    let re = err.downcast_ref::<ReplayError>().expect("a ReplayError");
    assert_eq!(re.line, 3, "{re}");
    let db = Db::open(&path).unwrap();
    assert!(
        db.product("MUG-BLUE").unwrap().is_some(),
        "lines before it ran"
    );
    assert!(
        db.product("CAP-RED").unwrap().is_none(),
        "lines after it did not"
    );
    assert!(db.commerce_orders().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_rejects_unknown_steps_and_bad_times_with_the_line_number() {
    for (text, line, needle) in [
        ("{\"step\":\"teleport\"}\n", 1, "teleport"),
        ("\n{\"step\":\"cron\",\"now\":\"yesterday\"}\n", 2, "RFC 3339"),
        ("{\"step\":\"amazon_order\",\"store\":\"nope\",\"order\":{\"AmazonOrderId\":\"1\",\"LastUpdateDate\":\"2026-11-20T00:00:00Z\"}}\n", 1, "unknown store"),
    ] {
        let err = replay::run(text, &component(), Db::open_in_memory().unwrap(), Limits::default(), None).unwrap_err();
        let re = err.downcast_ref::<ReplayError>().unwrap();
        assert_eq!(re.line, line, "{re}");
        assert!(re.reason.contains(needle), "{re}");
    }
}

#[test]
fn replay_cli_prints_the_documented_json() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_host-example"))
        .args(["replay", "--json", "--component"])
        .arg(component())
        .arg(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/scenarios/partial_shipment.jsonl"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in [
        "amazon_orders",
        "commerce_orders",
        "system_message",
        "shipment_confirmations",
        "fuel",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    let o = &v["amazon_orders"][0];
    for k in [
        "store",
        "amazon_order_id",
        "status",
        "fulfillment_channel",
        "commerce_order_id",
        "blockers",
    ] {
        assert!(o.get(k).is_some(), "amazon_orders[0] lacks {k}");
    }
    let c = &v["commerce_orders"][0];
    for k in [
        "id",
        "increment_id",
        "store",
        "amazon_order_id",
        "status",
        "items",
        "grand_total",
        "currency",
    ] {
        assert!(c.get(k).is_some(), "commerce_orders[0] lacks {k}");
    }
    // The keys, in any order: the output keeps the order the host writes them in.
    let mut item_keys: Vec<_> = c["items"][0].as_object().unwrap().keys().collect();
    item_keys.sort();
    assert_eq!(item_keys, ["qty", "sku"]);
    let s = &v["shipment_confirmations"][0];
    for k in [
        "amazon_order_id",
        "package_reference_id",
        "carrier_code",
        "tracking_number",
        "items",
    ] {
        assert!(s.get(k).is_some(), "shipment_confirmations[0] lacks {k}");
    }
    assert!(v["fuel"]["total"].is_u64() && v["fuel"]["max_per_call"].is_u64());
}

#[test]
fn demo_tells_the_seed_story() {
    let dir = std::env::temp_dir().join(format!("hx-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("demo.sqlite");
    let _ = std::fs::remove_file(&path);
    let mut out = Vec::new();
    let snap = demo::run(&component(), &path, Limits::default(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    for needle in [
        "First tick",
        "Blocked orders and why",
        "not_in_catalog",
        "disabled",
        "out_of_stock",
        "System message",
        "fixes the catalog",
        "confirmShipment",
        "Summary",
    ] {
        assert!(
            text.contains(needle),
            "demo output lacks {needle:?}:\n{text}"
        );
    }
    let status = |id: &str| {
        snap.commerce_orders
            .iter()
            .find(|o| o.amazon_order_id == id)
            .map(|o| o.status.clone())
    };
    assert_eq!(
        status("113-4817265-1100001").as_deref(),
        Some("complete"),
        "{text}"
    );
    for id in [
        "113-4817265-1100006",
        "113-4817265-1100007",
        "113-4817265-1100008",
    ] {
        assert!(status(id).is_some(), "{id} created after the fix:\n{text}");
    }
    assert!(
        status("113-4817265-1100004").is_none(),
        "Pending is not created"
    );
    assert!(
        status("113-4817265-1100005").is_none(),
        "pre-integration is not created"
    );
    assert_eq!(snap.shipment_confirmations.len(), 1);
    assert!(snap.system_message.is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_order_canceled_in_commerce_returns_its_stock_and_is_not_created_again() {
    let v = replay_json(&scenario("commerce_cancel.jsonl"));
    assert_eq!(
        commerce_status(&v, "113-0000007-0000001").as_deref(),
        Some("canceled"),
        "{v:#}"
    );
    assert_eq!(v["commerce_orders"].as_array().unwrap().len(), 1);
    assert_eq!(amazon(&v, "113-0000007-0000001")["status"], "Canceled");
    assert_eq!(stock(&v, "MUG-BLUE"), json!(5));
}

#[test]
fn a_pending_order_holds_stock_and_the_hold_becomes_the_sale_when_it_is_created() {
    let text = scenario("pending_reservation.jsonl");
    let pending = replay_json(&through_cron(&text, 1));
    assert!(
        commerce(&pending, "113-0000008-0000001").is_none(),
        "{pending:#}"
    );
    assert_eq!(stock(&pending, "MUG-BLUE"), json!(3), "2 held out of 5");

    let v = replay_json(&text);
    let o = commerce(&v, "113-0000008-0000001").expect("created once Unshipped");
    assert_eq!(
        o["increment_id"], "113-0000008-0000001",
        "order_number_source = amazon"
    );
    assert_eq!(
        stock(&v, "MUG-BLUE"),
        json!(3),
        "the hold was consumed, not taken twice"
    );
}

#[test]
fn a_429_on_the_second_page_keeps_the_next_token_and_later_ticks_import_every_order_once() {
    let mut sim = new_sim();
    add_acme_us(&mut sim);
    let n = 130; // more than one page of 100
    add_mug_orders(&mut sim, 9, n);
    // The first request for a second page is throttled. The plugin's own getOrderItems budget
    // (burst 30) spreads page 1 over several ticks, so that request comes some ticks later.
    sim.sandbox.throttle(1, Some("getOrdersNextPage"), 0);
    let mut now = parse_iso("2026-11-20T12:00:00Z").unwrap();
    let mut resumed_from_token = false;
    for _ in 0..15 {
        let t = sim.cron(now, None);
        now += 5 * 60_000;
        let throttled_mid_page = sim
            .sandbox
            .request_log()
            .iter()
            .any(|(op, s)| op == "getOrdersNextPage" && *s == 429);
        if throttled_mid_page && !resumed_from_token {
            assert_eq!(t[0].status, "throttled", "{t:?}");
            let poll: Value = serde_json::from_str(
                &sim.rt
                    .db()
                    .kv_get("v1/s/acme-us/poll")
                    .unwrap()
                    .expect("poll state saved"),
            )
            .unwrap();
            assert!(
                poll["window"]["next_token"].is_string(),
                "page 1 is done, page 2 is next: {poll}"
            );
            resumed_from_token = true;
            continue;
        }
        if sim.rt.db().commerce_orders().unwrap().len() == n {
            break;
        }
    }
    assert!(
        resumed_from_token,
        "page 2 was never throttled: {:?}",
        sim.ticks
    );
    let next_pages_ok = sim
        .sandbox
        .request_log()
        .iter()
        .filter(|(op, s)| op == "getOrdersNextPage" && *s == 200)
        .count();
    assert!(next_pages_ok >= 1, "the next tick asked for page 2 again");
    let orders = sim.rt.db().commerce_orders().unwrap();
    let mut ids: Vec<String> = orders.iter().map(|o| o.amazon_order_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (orders.len(), ids.len()),
        (n, n),
        "every order exactly once; ticks: {:?}",
        sim.ticks
    );
    assert_eq!(
        sim.sandbox
            .request_log()
            .iter()
            .filter(|(op, _)| op == "getOrders")
            .count(),
        1,
        "page 1 was fetched once: the ticks its getOrderItems budget spread it over went on \
         from the rest of it kept in storage"
    );
}

#[test]
fn each_store_imports_only_its_own_sellers_orders() {
    let v = replay_json(&scenario("two_stores.jsonl"));
    let pairs: Vec<(String, String)> = v["commerce_orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["store"].as_str().unwrap().into(),
                o["amazon_order_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("acme-ca".to_string(), "702-0000010-0000002".to_string()),
            ("acme-us".to_string(), "113-0000010-0000001".to_string())
        ],
        "{v:#}"
    );
    assert_eq!(stock(&v, "MUG-BLUE"), json!(7));
    assert_eq!(ticks(&v).len(), 2, "one tick per store per cron");
}

#[test]
fn an_expired_access_token_is_refreshed_through_lwa() {
    let mut sim = new_sim();
    add_acme_us(&mut sim);
    let t0 = parse_iso("2026-11-20T12:00:00Z").unwrap();
    for minutes in [0, 5, 10, 70, 75] {
        let t = sim.cron(t0 + minutes * 60_000, None);
        assert_eq!(t[0].status, "done", "{t:?}");
    }
    let log = sim.sandbox.request_log();
    assert_eq!(
        log.iter().filter(|(op, _)| op == "lwa").count(),
        2,
        "one token per hour: {log:?}"
    );
    assert!(
        log.iter().all(|(_, s)| *s != 403),
        "no call with an expired token: {log:?}"
    );
}

#[test]
fn the_push_path_decides_one_snapshot() {
    let mut sim = new_sim();
    add_acme_us(&mut sim);
    sim.product("MUG-BLUE", None, true, Some(3)).unwrap();
    let text = scenario(SEED);
    let line = text
        .lines()
        .find(|l| l.contains("113-0000001-0000001"))
        .unwrap();
    let step: Value = serde_json::from_str(line).unwrap();
    let now = parse_iso("2026-11-20T12:00:00Z").unwrap();
    let d = host_example::app::push(&mut sim.rt, "acme-us", now, &step["order"], &step["items"])
        .unwrap();
    assert_eq!(d.kind, "create", "{d:?}");
    assert!(d.commerce_order_id.is_some());
    let again =
        host_example::app::push(&mut sim.rt, "acme-us", now, &step["order"], &step["items"])
            .unwrap();
    assert_eq!(
        again.kind, "ignore",
        "the same snapshot again changes nothing: {again:?}"
    );
    assert_eq!(sim.rt.db().commerce_orders().unwrap().len(), 1);
    assert_eq!(
        sim.rt.db().product("MUG-BLUE").unwrap().unwrap().qty,
        Some(1)
    );
}

#[test]
fn a_shipment_the_component_did_not_take_is_undone_in_commerce_and_can_be_sent_again() {
    let mut sim = new_sim();
    replay_steps_into(
        &mut sim,
        &through_cron(&scenario("partial_shipment.jsonl"), 1),
    );
    let id = "113-0000004-0000001";
    sim.rt.limits.fuel = 10_000;
    let err = sim.ship("acme-us", id, "ups", "1Z1", None).unwrap_err();
    assert!(format!("{err:#}").contains("out of fuel"), "{err:#}");
    assert_eq!(
        sim.rt.db().unshipped_items("acme-us", id).unwrap().len(),
        2,
        "nothing stays shipped"
    );
    sim.rt.limits = Limits::default();
    sim.ship("acme-us", id, "ups", "1Z1", None).unwrap();
    assert!(sim
        .rt
        .db()
        .unshipped_items("acme-us", id)
        .unwrap()
        .is_empty());
    let t = sim.cron(parse_iso("2026-11-20T12:05:00Z").unwrap(), None);
    assert_eq!((t[0].status.as_str(), t[0].pushed), ("done", 1), "{t:?}");
    assert_eq!(sim.sandbox.confirmations().len(), 1);
}

#[test]
fn one_sku_on_two_lines_ships_in_parts_and_completes() {
    let v = replay_json(&scenario("duplicate_sku_shipment.jsonl"));
    let id = "113-0000099-0000001";
    assert_eq!(commerce(&v, id).unwrap()["status"], "complete", "{v:#}");
    let packages: Vec<_> = v["shipment_confirmations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["quantity"].as_u64().unwrap())
                .sum::<u64>()
        })
        .collect();
    assert_eq!(
        packages,
        [1, 5],
        "one unit, then the five left on both lines"
    );
}

#[test]
fn secrets_never_appear_in_output_errors_or_storage() {
    let creds = host_example::sandbox::Credentials::for_seller("acme-us");
    let secrets = [creds.client_secret.as_str(), creds.refresh_token.as_str()];
    let dir = std::env::temp_dir().join(format!("hx-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("demo.sqlite");
    let _ = std::fs::remove_file(&path);
    let mut out = Vec::new();
    let snap = demo::run(&component(), &path, Limits::default(), &mut out).unwrap();
    let mut everything = String::from_utf8(out).unwrap();
    everything.push_str(&format!("{snap:?}"));
    for (key, value) in Db::open(&path)
        .unwrap()
        .kv_list_prefix("", None, u32::MAX)
        .unwrap()
    {
        everything.push_str(&key);
        everything.push_str(&value);
    }
    // A refused credential: the error the component reports must not quote what was sent.
    let wrong = through_cron(&scenario("seed_story.jsonl"), 1).replacen(
        "\"settings\":{",
        "\"settings\":{\"lwa_client_secret\":\"wrong-but-still-secret\",",
        1,
    );
    let refused = replay::run(
        &wrong,
        &component(),
        Db::open_in_memory().unwrap(),
        Limits::default(),
        None,
    )
    .map(|snap| replay::json_output(&snap).to_string())
    .unwrap_or_else(|e| format!("{e:#}"));
    assert!(
        refused.contains("invalid_grant"),
        "LWA refused the wrong secret: {refused}"
    );
    everything.push_str(&refused);
    assert!(
        everything.contains("acme-us"),
        "the search covers real output"
    );
    for secret in secrets.iter().chain(&["wrong-but-still-secret"]) {
        assert!(!everything.contains(secret), "{secret:?} leaked");
    }
}

#[test]
fn a_memory_limit_hit_mid_tick_leaves_storage_consistent_and_later_ticks_complete() {
    let setup = seed_setup();
    let now = parse_iso("2026-11-20T12:00:00Z").unwrap();
    // The seed's orders plus a full page of 100 more: the page alone (≈ 70 KB) makes the
    // tick's memory grow after it has called the host.
    let fresh = || {
        let mut sim = new_sim();
        replay_steps_into(&mut sim, &setup);
        add_mug_orders(&mut sim, 8, 100);
        sim
    };
    // Ticks five minutes apart until one finishes (getOrderItems' burst spreads the page).
    let until_done = |sim: &mut Sim, mut at: i64| {
        for _ in 0..10 {
            if sim.cron(at, None)[0].status == "done" {
                return;
            }
            at += 5 * 60_000;
        }
        panic!("the page is never imported");
    };
    let mut probe = fresh();
    until_done(&mut probe, now);
    let expected = probe.snapshot().unwrap();

    // The smallest limit the component starts under, but its tick outgrows after calling the host.
    let mut sim = None;
    for kib in (1024..8192).step_by(64) {
        let mut candidate = fresh();
        candidate.rt.limits.memory_bytes = kib * 1024;
        let _ = candidate.rt.take_http_log();
        match candidate.rt.on_cron_tick("acme-us", now) {
            Err(f)
                if f.kind == FailureKind::MemoryLimit
                    && !candidate.rt.take_http_log().is_empty() =>
            {
                sim = Some(candidate);
                break;
            }
            Ok(_) => break,
            Err(_) => {}
        }
    }
    let mut sim = sim.expect("a limit between start-up and the tick's peak exists");
    sim.rt.limits = Limits::default();
    until_done(&mut sim, now + 5 * 60_000);
    let got = sim.snapshot().unwrap();
    assert_eq!(commerce_statuses(&got), commerce_statuses(&expected));
    assert_eq!(got.products, expected.products, "stock moved exactly once");
    assert_eq!(got.system_message, expected.system_message);
}

/// Every value `key` holds anywhere in `v`.
fn values_of<'v>(v: &'v Value, key: &str, out: &mut Vec<&'v Value>) {
    match v {
        Value::Object(members) => {
            for (k, value) in members {
                if k == key {
                    out.push(value);
                }
                values_of(value, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| values_of(item, key, out)),
        _ => {}
    }
}

/// The component finds the end of a string sixteen bytes at a time (wasm SIMD), native code
/// eight at a time: an escape or a non-ASCII character at every offset of a 40-byte text, and
/// at the start, middle and end of texts up to 17 bytes (shorter than one chunk, or one chunk and
/// a byte), is read, stored and shown as serde_json decodes it.
#[test]
fn strings_are_decoded_with_an_escape_at_every_offset() {
    let mut sim = new_sim();
    add_acme_us(&mut sim);
    sim.product("MUG-BLUE", None, true, None).unwrap();
    let specials = [
        r#"\""#,
        r"\\",
        r"\n",
        r"\u00e9",
        "é",
        r"\/",
        r"\ud83d\ude00",
        r"\t",
    ];
    // (bytes before the special one, bytes after it)
    let shapes: Vec<(usize, usize)> = (0..40)
        .map(|offset| (offset, 40 - offset))
        .chain((0..=17).flat_map(|len| [(0, len), (len / 2, len - len / 2), (len, 0)]))
        .collect();
    let mut n = 0;
    for special in specials {
        for &(before, after) in &shapes {
            n += 1;
            let id = format!("114-0000000-{n:07}");
            let title = format!("\"{}{special}{}\"", "a".repeat(before), "b".repeat(after));
            let expected: String = serde_json::from_str(&title).unwrap();
            let order = format!(
                r#"{{"AmazonOrderId":"{id}","PurchaseDate":"2026-11-20T08:00:00Z","LastUpdateDate":"2026-11-20T09:00:00Z","OrderStatus":"Unshipped","FulfillmentChannel":"MFN","MarketplaceId":"ATVPDKIKX0DER","BuyerInfo":{{"BuyerName":{title}}}}}"#
            );
            let items = format!(
                r#"[{{"ASIN":"B0MUG","OrderItemId":"{n:014}","SellerSKU":"MUG-BLUE","QuantityOrdered":1,"Title":{title},"ItemPrice":{{"CurrencyCode":"USD","Amount":"20.00"}}}}]"#
            );
            let decision = sim
                .rt
                .on_amazon_order("acme-us", 1_795_000_000_000, &order, &items)
                .unwrap()
                .unwrap();
            assert_eq!(decision.amazon_order_id, id);
            let detail = sim
                .rt
                .order_detail("acme-us", &id)
                .unwrap()
                .unwrap()
                .unwrap();
            let detail: Value = serde_json::from_str(&detail).unwrap();
            // The detail shows the buyer's name trimmed (none when blank), the item's title as
            // sent.
            let buyer_name = Some(expected.trim()).filter(|name| !name.is_empty());
            for (key, expected) in [
                ("Title", Some(expected.as_str())),
                ("buyer_name", buyer_name),
            ] {
                let mut found = Vec::new();
                values_of(&detail, key, &mut found);
                assert!(!found.is_empty(), "{key} in {detail}");
                for value in found {
                    assert_eq!(value.as_str(), expected, "{key} of {title}");
                }
            }
        }
    }
}

/// A row the component cannot read is reported by the host's snapshot, naming the order,
/// rather than shown with the fields of some other document.
#[test]
fn an_unreadable_row_is_reported_by_the_snapshot_not_shown_empty() {
    let mut sim = new_sim();
    add_acme_us(&mut sim);
    add_mug_orders(&mut sim, 1, 1);
    let now = parse_iso("2026-11-20T10:00:00Z").unwrap();
    assert_eq!(sim.cron(now, None)[0].status, "done");
    let id = "113-0000001-0000000";
    assert_eq!(sim.snapshot().unwrap().amazon_orders.len(), 1);
    sim.rt
        .db()
        .kv_apply(&[KvOp::Put(
            format!("v1/s/acme-us/order/{id}"),
            r#"{"v":1,"order":"#.into(),
        )])
        .unwrap();
    let error = sim
        .snapshot()
        .expect_err("an unreadable row is an error")
        .to_string();
    assert!(error.contains(id), "{error}");
}
