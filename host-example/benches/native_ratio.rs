//! Budget 2: the same 10 000-order corpus (70 % MFN / 30 % FBA, some Pending, 3 % blocked,
//! 1–4 items) through the native engine over `MemoryHost` and through the component in
//! wasmtime over the same `MemoryHost` (a fresh `Store` per call, instantiated from one
//! `InstancePre`, as a production host does). Prints throughput and component ÷ native
//! (goal ≥ 0.5). Wall-clock: each side runs `--runs` times (default 3), the two taking turns so
//! that both meet the same spells of the machine's speed; the best run of each counts.
//!
//! With `--pull` the corpus (default 2 000 orders) goes through the cron tick instead: published
//! on the simulated Amazon and imported by ticks two simulated minutes apart (getOrderItems'
//! burst of 30 bounds each tick).
//!
//! Instances come from wasmtime's pooling allocator where Linux supports it, as in
//! `host_example::runtime`; `--on-demand` maps each instance's memory afresh instead.
//!
//! With `--instructions` (valgrind installed) the ratio is counted rather than timed: this
//! bench runs again under callgrind, each side alone on the first `--orders` (default 1 000)
//! orders, and prints each side's instructions per push: the native side's the same on every
//! run, the component's within about 1 % (timings here move by a quarter).
//!
//! `cargo bench -p host-example --bench native_ratio [-- --orders N --runs R --native-only --component-only --pull --on-demand --instructions]`

mod support;

use std::time::{Duration, Instant};

use host_example::runtime::Prepared;

use support::{
    corpus, measure_at, memory_host, publish, t0, ticks_every, warm, Driver, Mix, Native, Rig,
    TickSummary, Wasm,
};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn best(runs: u64, mut f: impl FnMut() -> (Duration, Vec<String>)) -> (Duration, Vec<String>) {
    (0..runs.max(1))
        .map(|_| f())
        .min_by_key(|(d, _)| *d)
        .expect("one run")
}

/// Each of `a` and `b` `runs` times, taking turns (`a` first in odd rounds, `b` in even ones);
/// the best run of each.
fn best_pair(
    runs: u64,
    mut a: impl FnMut() -> (Duration, Vec<String>),
    mut b: impl FnMut() -> (Duration, Vec<String>),
) -> ((Duration, Vec<String>), (Duration, Vec<String>)) {
    let (mut best_a, mut best_b) = (a(), b());
    for round in 1..runs {
        let (run_a, run_b) = if round % 2 == 0 {
            let run_a = a();
            (run_a, b())
        } else {
            let run_b = b();
            (a(), run_b)
        };
        if run_a.0 < best_a.0 {
            best_a = run_a;
        }
        if run_b.0 < best_b.0 {
            best_b = run_b;
        }
    }
    (best_a, best_b)
}

/// One side's callgrind report: its instructions per push, and for the component where they go.
struct Counted {
    per_push: f64,
    /// `Store::new` and instantiation from the `InstancePre` (the bench rig's `instantiate`).
    instantiation: f64,
    /// Code wasmtime compiled (the guest's functions and its trampolines): callgrind names it by
    /// address only, in no object file.
    compiled: f64,
}

/// The bench run again under callgrind with `side` alone on `orders` orders, counted.
fn callgrind(exe: &std::path::Path, side: &str, orders: u64) -> Result<Counted, String> {
    use std::process::{Command, Stdio};
    let out = std::env::temp_dir().join(format!(
        "native_ratio.{side}.{}.callgrind",
        std::process::id()
    ));
    let ran = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args([&format!("--{side}-only"), "--runs", "1", "--orders"])
        .arg(orders.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("valgrind: {e} (is it installed?)"));
    // Every function, however small: the compiled code is many small ones.
    let annotate = |inclusive: bool| {
        Command::new("callgrind_annotate")
            .arg(format!(
                "--inclusive={}",
                if inclusive { "yes" } else { "no" }
            ))
            .arg("--threshold=100")
            .arg(&out)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .map_err(|e| format!("callgrind_annotate: {e}"))
    };
    let reports = ran.map(|ran| (ran, annotate(true), annotate(false)));
    let _ = std::fs::remove_file(&out);
    let (ran, inclusive, own) = reports?;
    if !ran.success() {
        return Err(format!("the {side} side failed under valgrind ({ran})"));
    }
    let (inclusive, own) = (inclusive?, own?);
    let count = |line: &str| -> Option<u64> {
        line.split_whitespace()
            .next()?
            .replace(',', "")
            .parse()
            .ok()
    };
    let inclusive_named = |name: &str| {
        inclusive
            .lines()
            .find(|l| l.contains(name))
            .and_then(count)
            .ok_or_else(|| format!("no `{name}` in the {side} side's callgrind report"))
    };
    let push = inclusive_named("Driver>::push")?;
    let compiled: u64 = own
        .lines()
        .filter(|l| l.trim_end().ends_with("[???]"))
        .filter_map(count)
        .sum();
    let each = |n: u64| n as f64 / orders as f64;
    Ok(Counted {
        per_push: each(push),
        // The native side instantiates nothing.
        instantiation: match side {
            "component" => each(inclusive_named("support::Rig::instantiate")?),
            _ => 0.0,
        },
        compiled: each(compiled),
    })
}

/// `--instructions`: each side's instructions per push as callgrind counts them (inclusive of
/// its `Driver::push`), this bench run again under valgrind with the side alone; and how far
/// the component's side could fall if its guest code cost nothing.
fn instructions(orders: u64) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("the bench's own path: {e}"))?;
    let native = callgrind(&exe, "native", orders)?;
    let component = callgrind(&exe, "component", orders)?;
    println!(
        "native     {:>9.0} instructions per push ({orders} pushes)",
        native.per_push
    );
    println!(
        "component  {:>9.0} instructions per push",
        component.per_push
    );
    let rest = component.per_push - component.instantiation - component.compiled;
    println!(
        "  instantiation (Store::new, InstancePre)   {:>9.0}",
        component.instantiation
    );
    println!(
        "  compiled wasm (the guest, trampolines)    {:>9.0}",
        component.compiled
    );
    println!("  the rest (ABI, host functions, wasmtime)  {rest:>9.0}");
    println!(
        "ratio component ÷ native, by instructions: {:.3} (goal ≥ 0.5)",
        native.per_push / component.per_push
    );
    println!(
        "with compiled wasm that cost nothing: {:.3}; and without instantiation: {:.3}",
        native.per_push / (component.per_push - component.compiled),
        native.per_push / rest
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--instructions") {
        if let Err(message) = instructions(arg(&args, "--orders", 1_000)) {
            eprintln!("{message}");
            std::process::exit(1);
        }
        return;
    }
    let pull = args.iter().any(|a| a == "--pull");
    let n = arg(&args, "--orders", if pull { 2_000 } else { 10_000 });
    let runs = arg(&args, "--runs", 3);
    let native_only = args.iter().any(|a| a == "--native-only");
    let component_only = args.iter().any(|a| a == "--component-only");
    assert!(
        !(native_only && component_only),
        "--native-only and --component-only exclude each other"
    );
    let updated = if pull { support::changed_at() } else { t0() };
    let orders = corpus(42, 500, n, Mix::REALISTIC, updated);
    let blocked = orders.iter().filter(|o| o.blocked).count();
    println!("corpus: {n} orders, {blocked} with an unsellable SKU");

    // Returns what was decided, to check that both skins agree.
    let push_all = |d: &mut dyn Driver| -> Vec<String> {
        if pull {
            warm(d);
            let ticks = ticks_every(d, measure_at(), chrono::Duration::minutes(2), 10_000);
            let sum = |f: fn(&TickSummary) -> u32| ticks.iter().map(|(t, _)| f(t)).sum::<u32>();
            return vec![
                format!("ticks {}", ticks.len()),
                format!("created {}", sum(|t| t.created)),
                format!("blocked {}", sum(|t| t.blocked)),
                format!("completed {}", sum(|t| t.completed)),
            ];
        }
        orders
            .iter()
            .enumerate()
            .map(|(i, o)| d.push(t0() + chrono::Duration::milliseconds(i as i64), o))
            .collect()
    };
    let host = || {
        let mut host = memory_host();
        if pull {
            publish(&mut host, &orders);
        }
        host
    };

    // One side's run: its time and what it decided.
    let timed = |d: &mut dyn Driver| {
        let start = Instant::now();
        let kinds = push_all(d);
        (start.elapsed(), kinds)
    };
    // One side alone, for a profiler or a quick look: its best run, no ratio.
    let alone = |label: &str, run: &mut dyn FnMut() -> (Duration, Vec<String>)| {
        let (time, _) = best(runs, run);
        println!(
            "{label:<10} {:>8.1} ms  {:>9.0} orders/s",
            time.as_secs_f64() * 1e3,
            n as f64 / time.as_secs_f64()
        );
    };
    let mut native_run = || timed(&mut Native::new(host()));
    if native_only {
        alone("native:", &mut native_run);
        return;
    }

    let rig = if args.iter().any(|a| a == "--on-demand") {
        Rig::on_demand(false)
    } else {
        Rig::new(false)
    }
    .expect("component loads");
    println!(
        "instances: {:?} (host_example::runtime::engine)",
        rig.allocation
    );
    let mut wasm_run = || timed(&mut Wasm::new(&rig, host()));
    if component_only {
        alone("component:", &mut wasm_run);
        return;
    }
    // The two sides take turns, so that both see the same spells of this shared machine's
    // speed.
    let ((native_time, native_kinds), (wasm_time, wasm_kinds)) =
        best_pair(runs, native_run, wasm_run);
    let native_rate = n as f64 / native_time.as_secs_f64();
    println!(
        "native:    {:>8.1} ms  {:>9.0} orders/s",
        native_time.as_secs_f64() * 1e3,
        native_rate
    );
    assert_eq!(native_kinds, wasm_kinds, "both skins decide the same");
    let calls: u64 = if pull {
        native_kinds[0]
            .trim_start_matches("ticks ")
            .parse()
            .unwrap_or(0)
            + 1
    } else {
        n
    };
    let wasm_rate = n as f64 / wasm_time.as_secs_f64();
    println!(
        "component: {:>8.1} ms  {:>9.0} orders/s  (fresh Store + instantiate per call, {} calls)",
        wasm_time.as_secs_f64() * 1e3,
        wasm_rate,
        calls
    );

    // Per-call instantiation alone, to separate it from the work.
    let (inst_time, _) = best(runs, || {
        let start = Instant::now();
        for _ in 0..calls {
            let mut store =
                wasmtime::Store::new(&rig.engine, support::BenchState::new(Default::default()));
            store.set_fuel(support::FUEL).unwrap();
            std::hint::black_box(rig.pre.instantiate(&mut store, Prepared::hooks).unwrap());
        }
        (start.elapsed(), Vec::new())
    });
    let per_inst = inst_time.as_secs_f64() / calls as f64;
    println!(
        "instantiate: {:>6.2} µs per call (Store::new, InstancePre::instantiate, the hooks loaded)",
        per_inst * 1e6
    );
    let work_only = wasm_time.as_secs_f64() - inst_time.as_secs_f64();
    if pull {
        println!("ticks: {native_kinds:?}");
    } else {
        let mut kinds: std::collections::BTreeMap<&str, u32> = Default::default();
        for k in &native_kinds {
            *kinds.entry(k.as_str()).or_default() += 1;
        }
        println!("decisions: {kinds:?}");
    }
    println!(
        "ratio component ÷ native throughput: {:.3} (goal ≥ 0.5); without instantiation: {:.3}",
        wasm_rate / native_rate,
        native_time.as_secs_f64() / work_only
    );
}
