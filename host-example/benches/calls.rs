//! Criterion timings of single calls, native vs component over the same in-memory host:
//! per-call instantiation, one 3-item order through `on-amazon-order`, an idle tick, and the
//! admin queries on a 1 000-row store. Short runs (10 samples); timings on a shared 2-core
//! machine are indicative only — the deterministic figures are in the `fuel` bench.
//!
//! `cargo bench -p host-example --bench calls`

mod support;

use std::time::Duration;

use amazon_order_sync::grid::OrderQuery;
use amazon_order_sync::memory::MemoryHost;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use host_example::runtime::Prepared;
use support::{corpus, memory_host, t0, warm, Driver, Mix, Native, Rig, Wasm};

fn populated(rows: u64) -> MemoryHost {
    let mut host = memory_host();
    host.storage = support::populated_storage(rows);
    host
}

fn warmed() -> MemoryHost {
    let mut n = Native::new(memory_host());
    warm(&mut n);
    n.0.host
}

fn benches(c: &mut Criterion) {
    let rig = Rig::new(false).expect("component loads");
    let order = corpus(1, 200, 1, Mix::importable(3), t0()).remove(0);

    let mut g = c.benchmark_group("instantiate");
    g.bench_function("store+instantiate_pre", |b| {
        b.iter(|| {
            let mut store =
                wasmtime::Store::new(&rig.engine, support::BenchState::new(Default::default()));
            store.set_fuel(support::FUEL).unwrap();
            std::hint::black_box(rig.pre.instantiate(&mut store, Prepared::hooks).unwrap());
        })
    });
    g.finish();

    let mut g = c.benchmark_group("push_3_item_order");
    g.bench_function("native", |b| {
        b.iter_batched(
            memory_host,
            |host| Native::new(host).push(t0(), &order),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("component", |b| {
        b.iter_batched(
            memory_host,
            |host| Wasm::new(&rig, host).push(t0(), &order),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let later = t0() + chrono::Duration::minutes(1);
    let mut g = c.benchmark_group("idle_tick");
    g.bench_function("native", |b| {
        b.iter_batched(
            warmed,
            |host| Native::new(host).tick(later),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("component", |b| {
        b.iter_batched(
            warmed,
            |host| Wasm::new(&rig, host).tick(later),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let mut native = Native::new(populated(1_000));
    let mut wasm = Wasm::new(&rig, populated(1_000));
    let mut g = c.benchmark_group("admin_1000_rows");
    g.bench_function("system_message/native", |b| {
        b.iter(|| native.system_message())
    });
    g.bench_function("system_message/component", |b| {
        b.iter(|| wasm.system_message())
    });
    let recent = OrderQuery::recent();
    g.bench_function("list_orders_recent/native", |b| {
        b.iter(|| native.list_orders(&recent))
    });
    g.bench_function("list_orders_recent/component", |b| {
        b.iter(|| wasm.list_orders(&recent))
    });
    g.finish();
}

criterion_group! {
    name = calls;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(calls);
