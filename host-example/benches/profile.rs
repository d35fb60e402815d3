//! Where the guest's fuel goes, by wasm function: samples the component's stack every few µs
//! (epoch interruption, a spinning ticker thread) while it imports orders through the push path
//! and the cron tick; each sample weighs the fuel spent since the one before.
//! Needs a component built with its name section:
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_STRIP=false CARGO_TARGET_DIR=target/profiled \
//!   cargo build -p amazon-order-sync --target wasm32-wasip2 --release
//! AMAZON_ORDER_SYNC_COMPONENT=target/profiled/wasm32-wasip2/release/amazon_order_sync.wasm \
//!   cargo bench -p host-example --bench profile [-- --top N --only push|idle|tick --callers NAME --within NAME --exact N]
//! ```
//!
//! Prints the functions with the most fuel at the top of the stack (self) and anywhere on it
//! (inclusive), and the places in them (`places`: function and byte offset, to read beside
//! `wasm-tools print --print-offsets` of the core module), as a share of all the guest's fuel.
//! Imports cost the guest no fuel.

mod support;

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use host_example::bindings::exports::commerce::amazon_order_sync::hooks;
use host_example::runtime::Prepared;
use support::{corpus, memory_host, publish, t0, ticks_until_done, warm, Driver, Mix, Rig, Wasm};
use wasmtime::{CallHook, UpdateDeadline, WasmBacktrace};

/// Fuel by function: each sample weighs the guest's fuel spent since the previous sample.
#[derive(Default)]
struct Samples {
    total: u64,
    /// The guest's fuel left when the interval being weighed began.
    mark: u64,
    self_: HashMap<String, u64>,
    inclusive: HashMap<String, u64>,
    /// `--callers NAME`: the fuel of functions whose name contains NAME, by their callers.
    callers_of: Option<String>,
    callers: HashMap<String, u64>,
    /// `--within NAME`: only samples with a function named NAME on the stack count.
    within: Option<String>,
    /// Fuel by place: the top frame's function and offset in it, or, for a stop at a
    /// function's entry, its caller's call (fuel is checked at entries and loop heads, so such
    /// a stop weighs the caller's straight-line code before the call).
    sites: HashMap<String, u64>,
    /// Each function's offset of its first operator (see [`first_operators`]), by index.
    first_operator: Vec<usize>,
}

impl Samples {
    fn record(&mut self, trace: &WasmBacktrace, fuel_left: u64) {
        let weight = self.mark.saturating_sub(fuel_left);
        self.mark = fuel_left;
        self.add(trace, weight);
    }

    fn add(&mut self, trace: &WasmBacktrace, weight: u64) {
        // Trampolines have no name.
        let named: Vec<String> = trace
            .frames()
            .iter()
            .filter_map(|f| f.func_name().map(readable))
            .collect();
        let counted = match &self.within {
            Some(wanted) => named.iter().any(|n| n.contains(wanted.as_str())),
            None => true,
        };
        if weight == 0 || !counted {
            return;
        }
        self.total += weight;
        let mut seen = HashSet::new();
        if let Some(wanted) = &self.callers_of {
            // The caller of the outermost frame of the wanted function, so that its own
            // recursion or helpers do not hide who called it.
            if let Some(at) = named.iter().rposition(|n| n.contains(wanted.as_str())) {
                let caller = named
                    .get(at + 1)
                    .map_or("(export)", String::as_str)
                    .to_owned();
                *self.callers.entry(caller).or_default() += weight;
            }
        }
        let place = site(trace, &self.first_operator);
        *self.sites.entry(place).or_default() += weight;
        for (depth, name) in named.into_iter().enumerate() {
            if depth == 0 {
                *self.self_.entry(name.clone()).or_default() += weight;
            }
            if seen.insert(name.clone()) {
                *self.inclusive.entry(name).or_default() += weight;
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let top = args
        .iter()
        .position(|a| a == "--top")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(40usize);
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let callers_of = args
        .iter()
        .position(|a| a == "--callers")
        .and_then(|i| args.get(i + 1).cloned());
    let within = args
        .iter()
        .position(|a| a == "--within")
        .and_then(|i| args.get(i + 1).cloned());
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let exact: Option<u64> = args
        .iter()
        .position(|a| a == "--exact")
        .and_then(|i| args.get(i + 1)?.parse().ok());
    let mut samples = Samples {
        callers_of,
        within,
        ..Samples::default()
    };
    if let Some(n) = exact {
        if only.as_deref() == Some("tick") {
            exact_tick_profile(&mut samples, n);
        } else {
            exact_push_profile(&mut samples, n);
        }
        print_profile(&samples, top);
        return;
    }
    let mut config = host_example::runtime::config(false);
    config.epoch_interruption(true);
    config.wasm_backtrace_max_frames(NonZeroUsize::new(200));
    let rig = Rig::with_config(&config).expect("component loads");
    let engine = rig.engine.clone();
    // A spinning ticker: sleeping would tick every 50 µs at best, about once per push.
    std::thread::spawn(move || loop {
        let start = Instant::now();
        while start.elapsed() < Duration::from_micros(3) {
            std::hint::spin_loop();
        }
        engine.increment_epoch();
    });
    let samples = Arc::new(Mutex::new(samples));
    let sampler = {
        let samples = samples.clone();
        move |store: &mut wasmtime::Store<support::BenchState>| {
            let on_tick = samples.clone();
            store.set_epoch_deadline(1);
            store.epoch_deadline_callback(move |ctx| {
                let fuel = ctx.get_fuel().unwrap_or(0);
                on_tick
                    .lock()
                    .unwrap()
                    .record(&WasmBacktrace::capture(&ctx), fuel);
                Ok(UpdateDeadline::Continue(1))
            });
            // A fresh store starts with its fuel full: the interval being weighed starts there.
            // Samples are taken only on epoch ticks, which do not follow the program, so
            // weighing each by the fuel since the previous one blames no function unfairly.
            let on_hook = samples.clone();
            store.call_hook(move |mut ctx, hook| {
                let fuel = ctx.get_fuel().unwrap_or(0);
                let mut samples = on_hook.lock().unwrap();
                samples.mark = samples.mark.max(fuel);
                if matches!(hook, CallHook::ReturningFromHost | CallHook::CallingWasm) {
                    ctx.set_epoch_deadline(1);
                }
                Ok(())
            });
        }
    };

    if runs("push") {
        let pushed = corpus(1, 200, 2_000, Mix::importable(3), t0());
        let mut w = Wasm::new(&rig, memory_host());
        w.prepare = Some(Box::new(sampler.clone()));
        for o in &pushed {
            w.push(t0(), o);
        }
    }
    if runs("idle") {
        // Ticks that find nothing to do: what every store pays once a minute.
        let mut w = Wasm::new(&rig, memory_host());
        w.prepare = Some(Box::new(sampler.clone()));
        warm(&mut w);
        for minute in 1..=2_000 {
            w.tick(t0() + chrono::Duration::minutes(minute));
        }
    }
    if runs("tick") {
        let mut w = Wasm::new(&rig, memory_host());
        w.prepare = Some(Box::new(sampler));
        warm(&mut w);
        publish(
            w.host(),
            &corpus(3, 400, 300, Mix::importable(3), support::changed_at()),
        );
        ticks_until_done(&mut w, support::measure_at());
    }

    print_profile(&samples.lock().unwrap(), top);
}

/// `--exact N`: the push of one 3-item order into an empty store, stopped by running out of fuel
/// at N points evenly spread over its fuel, each stop's stack weighing an N-th of it. Exact in
/// expectation, unlike time sampling, which blames the fuel spent before an import on the
/// first sample after it.
fn exact_push_profile(samples: &mut Samples, n: u64) {
    let order = corpus(1, 200, 1, Mix::importable(3), t0()).remove(0);
    let now = t0().timestamp_millis();
    exact_profile(
        samples,
        n,
        |_| memory_host(),
        |hooks, store| {
            hooks
                .call_on_amazon_order(
                    store,
                    support::STORE,
                    now,
                    &order.order_json,
                    &order.items_json,
                )
                .map(|result| {
                    result.expect("the push is accepted");
                })
        },
    );
}

/// `--exact N --only tick`: as [`exact_push_profile`], a tick importing one changed 3-item order
/// from a warm store (the fuel trace's tick), each stop replayed from a copy of that store.
fn exact_tick_profile(samples: &mut Samples, n: u64) {
    let warm_host = |rig: &Rig| {
        let mut w = Wasm::new(rig, memory_host());
        warm(&mut w);
        publish(
            w.host(),
            &corpus(2, 300, 1, Mix::importable(3), support::changed_at()),
        );
        let mut host = w.host().clone();
        host.amazon.now = support::measure_at();
        host
    };
    let now = support::measure_at().timestamp_millis();
    exact_profile(samples, n, warm_host, |hooks, store| {
        hooks
            .call_on_cron_tick(store, support::STORE, now)
            .map(|report| assert_eq!(report.expect("the tick runs").created, 1))
    });
}

/// Runs `call` on a fresh instance over a copy of the host `host` prepares (with the same
/// compiled component) with all the fuel it needs, then again stopped at N points evenly
/// spread over that fuel; each stop's stack weighs an N-th of it.
fn exact_profile(
    samples: &mut Samples,
    n: u64,
    host: impl FnOnce(&Rig) -> amazon_order_sync::memory::MemoryHost,
    call: impl Fn(&hooks::Guest, &mut wasmtime::Store<support::BenchState>) -> wasmtime::Result<()>,
) {
    let mut config = host_example::runtime::config(false);
    config.wasm_backtrace_max_frames(NonZeroUsize::new(200));
    let rig = Rig::with_config(&config).expect("component loads");
    let host = host(&rig);
    let component = std::fs::read(support::component_path()).expect("the component reads");
    samples.first_operator = first_operators(&component);
    // Instantiation costs fuel too; a stop at `fuel` is `fuel` into the call.
    let run = |fuel: u64| {
        let mut store = wasmtime::Store::new(&rig.engine, support::BenchState::new(host.clone()));
        store.set_fuel(support::FUEL).expect("fuel is enabled");
        let hooks = rig
            .pre
            .instantiate(&mut store, Prepared::hooks)
            .expect("instantiates");
        store.set_fuel(fuel).expect("fuel is enabled");
        let result = call(&hooks, &mut store);
        let used = fuel - store.get_fuel().unwrap_or(0);
        (result, used)
    };
    let (result, total) = run(support::FUEL);
    result.expect("the call succeeds with all the fuel it needs");
    for i in 0..n {
        let stop = (2 * i + 1) * total / (2 * n);
        // Fuel is checked where functions and loops start: a stop in the last few dozen
        // operators of the export may not come before it returns.
        let (Err(error), _) = run(stop) else {
            continue;
        };
        let trace = error
            .downcast_ref::<WasmBacktrace>()
            .expect("a trap carries its backtrace");
        samples.add(trace, total / n);
    }
}

/// Where a stop happened (see [`Samples::sites`]): `function@offset`, offsets in bytes from the
/// function's start in the core module (`wasm-tools print --print-offsets` shows them).
fn site(trace: &WasmBacktrace, first_operator: &[usize]) -> String {
    let place = |f: &wasmtime::FrameInfo| {
        format!(
            "{}@{}",
            f.func_name().map_or("?".to_owned(), readable),
            f.func_offset().unwrap_or(0)
        )
    };
    // The entry's fuel check is reported before the function's first operator.
    let at_entry = |f: &wasmtime::FrameInfo| {
        let first = first_operator.get(f.func_index() as usize);
        f.func_offset()
            .zip(first)
            .is_some_and(|(at, first)| at < *first)
    };
    match trace.frames() {
        [top, caller, ..] if at_entry(top) => {
            let callee = top.func_name().map_or("?".to_owned(), readable);
            format!("{} (entering {callee})", place(caller))
        }
        [top, ..] => place(top),
        [] => "(no frame)".to_owned(),
    }
}

/// For each function of the component's first core module, the guest's own (the adapter
/// modules wit-component adds come after it), by index (imports first, with 0): the offset of
/// its first operator from where wasmtime's `func_offset` counts, the end of its locals.
fn first_operators(component: &[u8]) -> Vec<usize> {
    use wasmparser::{Parser, Payload, TypeRef};
    let mut firsts = Vec::new();
    let mut in_code = false;
    for payload in Parser::new(0).parse_all(component) {
        match payload.expect("the component parses") {
            Payload::CodeSectionStart { .. } => in_code = true,
            // The end of the module whose code was read.
            Payload::End(_) if in_code => break,
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(import.expect("an import").ty, TypeRef::Func(_)) {
                        firsts.push(0);
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let start = body.range().start;
                let mut locals = body.get_locals_reader().expect("locals");
                for _ in 0..locals.get_count() {
                    locals.read().expect("a local");
                }
                firsts
                    .push(usize::try_from(locals.original_position() - start).expect("an offset"));
            }
            _ => {}
        }
    }
    firsts
}

/// A function's Rust path without its hash.
fn readable(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

fn print_profile(s: &Samples, top: usize) {
    let print = |title: &str, map: &HashMap<String, u64>| {
        println!("{title} ({} fuel)", s.total);
        let mut v: Vec<_> = map.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        for (name, n) in v.into_iter().take(top) {
            let pct = 100.0 * *n as f64 / s.total as f64;
            println!("{pct:6.2}%  {}", name.chars().take(180).collect::<String>());
        }
    };
    print("self", &s.self_);
    print("places", &s.sites);
    print("inclusive", &s.inclusive);
    if let Some(name) = &s.callers_of {
        print(&format!("callers of {name}"), &s.callers);
    }
}
