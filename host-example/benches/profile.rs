//! Where the guest's time goes, by wasm function: samples the component's stack every 50 µs
//! (epoch interruption) while it imports orders through the push path and the cron tick.
//! Needs a component built with its name section:
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_STRIP=false CARGO_TARGET_DIR=target/profiled \
//!   cargo build -p amazon-order-sync --target wasm32-wasip2 --release
//! AMAZON_ORDER_SYNC_COMPONENT=target/profiled/wasm32-wasip2/release/amazon_order_sync.wasm \
//!   cargo bench -p host-example --bench profile [-- --top N]
//! ```
//!
//! Prints the functions with the most samples at the top of the stack (self) and anywhere on
//! it (inclusive), as a share of all samples. Host time in imports is left out.

mod support;

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{corpus, memory_host, publish, t0, ticks_until_done, warm, Driver, Mix, Rig, Wasm};
use wasmtime::{CallHook, Config, UpdateDeadline, WasmBacktrace};

/// Each sample weighs the fuel spent since the one before (so time the host spends in its
/// imports, which costs no fuel, is not blamed on the guest).
#[derive(Default)]
struct Samples {
    total: u64,
    self_: HashMap<String, u64>,
    inclusive: HashMap<String, u64>,
}

impl Samples {
    fn record(&mut self, trace: &WasmBacktrace) {
        self.total += 1;
        let mut seen = HashSet::new();
        for (depth, frame) in trace.frames().iter().enumerate() {
            let name = frame.func_name().unwrap_or("?").to_owned();
            if depth == 0 {
                *self.self_.entry(name.clone()).or_default() += 1;
            }
            if seen.insert(name.clone()) {
                *self.inclusive.entry(name).or_default() += 1;
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
    let mut config = Config::new();
    config.consume_fuel(true);
    config.epoch_interruption(true);
    config.wasm_backtrace_max_frames(NonZeroUsize::new(200));
    let rig = Rig::with_config(&config).expect("component loads");
    let engine = rig.engine.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_micros(50));
        engine.increment_epoch();
    });
    let samples = Arc::new(Mutex::new(Samples::default()));
    let sampler = {
        let samples = samples.clone();
        move |store: &mut wasmtime::Store<support::BenchState>| {
            let on_tick = samples.clone();
            store.set_epoch_deadline(1);
            store.epoch_deadline_callback(move |ctx| {
                on_tick
                    .lock()
                    .unwrap()
                    .record(&WasmBacktrace::capture(&ctx));
                Ok(UpdateDeadline::Continue(1))
            });
            // Time the host spends in an import is not the guest's: the next sample is due
            // one tick after the guest resumes.
            store.call_hook(|mut ctx, hook| {
                if matches!(hook, CallHook::ReturningFromHost | CallHook::CallingWasm) {
                    ctx.set_epoch_deadline(1);
                }
                Ok(())
            });
        }
    };

    let pushed = corpus(1, 200, 2_000, Mix::importable(3), t0());
    let mut w = Wasm::new(&rig, memory_host());
    w.prepare = Some(Box::new(sampler.clone()));
    for o in &pushed {
        w.push(t0(), o);
    }
    for o in &pushed {
        w.push(t0(), o);
    }
    let mut w = Wasm::new(&rig, memory_host());
    w.prepare = Some(Box::new(sampler));
    warm(&mut w);
    publish(
        w.host(),
        &corpus(3, 400, 300, Mix::importable(3), support::changed_at()),
    );
    ticks_until_done(&mut w, support::measure_at());

    let s = samples.lock().unwrap();
    let print = |title: &str, map: &HashMap<String, u64>| {
        println!("{title} ({} samples)", s.total);
        let mut v: Vec<_> = map.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        for (name, n) in v.into_iter().take(top) {
            let pct = 100.0 * *n as f64 / s.total as f64;
            println!("{pct:6.2}%  {}", name.chars().take(150).collect::<String>());
        }
    };
    print("self", &s.self_);
    print("inclusive", &s.inclusive);
}
