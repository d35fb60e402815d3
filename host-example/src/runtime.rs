//! The wasmtime side: one `Engine` and one `InstancePre`, a fresh `Store` per hook call with a
//! fuel budget and a memory limit. A trap fails only that call; every import it made before
//! dying was already committed one transaction at a time, so storage stays consistent.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{Context, Result};
use wasmtime::component::{Component, HasSelf, Instance, InstancePre, Linker};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store,
    StoreLimits, StoreLimitsBuilder, Trap,
};

use crate::bindings::commerce::amazon_order_sync::{commerce, http, settings, storage, types};
use crate::bindings::exports::commerce::amazon_order_sync::admin::{self, OrderPage, OrderQuery};
use crate::bindings::exports::commerce::amazon_order_sync::hooks::{
    self, CommerceEvent, Decision, TickReport,
};
use crate::bindings::Plugin;
use crate::db::{Db, KvOp, MAX_VALUE_BYTES};
use crate::http::HttpClient;
use crate::settings::Settings;

pub use crate::bindings::commerce::amazon_order_sync::types::PluginError;

pub const DEFAULT_FUEL: u64 = 5_000_000_000;
pub const DEFAULT_MEMORY_MB: usize = 64;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub fuel: u64,
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: DEFAULT_FUEL,
            memory_bytes: DEFAULT_MEMORY_MB * 1024 * 1024,
        }
    }
}

/// One outbound request the component made, for progress output and tests.
#[derive(Debug, Clone)]
pub struct HttpEvent {
    pub method: String,
    /// The URL without its query string (queries may be long; no secrets travel in URLs).
    pub url: String,
    /// HTTP status, or the typed error (`not-allowed: …`, `transport: …`, `timeout`).
    pub outcome: String,
}

/// Data of one `Store`: handles to the shared host services plus this call's time and limits.
pub struct HostState {
    db: Arc<Mutex<Db>>,
    settings: Arc<RwLock<Settings>>,
    http: Arc<HttpClient>,
    http_log: Arc<Mutex<Vec<HttpEvent>>>,
    now: i64,
    limits: StoreLimits,
}

impl HostState {
    fn db(&self) -> std::sync::MutexGuard<'_, Db> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back on drop), so a poisoned lock is safe to reuse.
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl types::Host for HostState {}

impl storage::Host for HostState {
    fn get(&mut self, key: String) -> Result<Option<String>, storage::StorageError> {
        self.db()
            .kv_get(&key)
            .map_err(|e| storage::StorageError::Unavailable(e.to_string()))
    }

    fn apply(&mut self, ops: Vec<storage::Op>) -> Result<(), storage::StorageError> {
        let mut batch = Vec::with_capacity(ops.len());
        for op in ops {
            match op {
                storage::Op::Put((k, v)) => {
                    if v.len() > MAX_VALUE_BYTES {
                        return Err(storage::StorageError::TooLarge(MAX_VALUE_BYTES as u32));
                    }
                    batch.push(KvOp::Put(k, v));
                }
                storage::Op::PutParts((k, parts)) => {
                    if parts.iter().map(String::len).sum::<usize>() > MAX_VALUE_BYTES {
                        return Err(storage::StorageError::TooLarge(MAX_VALUE_BYTES as u32));
                    }
                    batch.push(KvOp::Put(k, parts.concat()));
                }
                storage::Op::Delete(k) => batch.push(KvOp::Delete(k)),
            }
        }
        self.db()
            .kv_apply(&batch)
            .map_err(|e| storage::StorageError::Unavailable(e.to_string()))
    }

    fn list_prefix(
        &mut self,
        prefix: String,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, storage::StorageError> {
        self.db()
            .kv_list_prefix(&prefix, after.as_deref(), limit)
            .map_err(|e| storage::StorageError::Unavailable(e.to_string()))
    }

    fn compare_and_swap(
        &mut self,
        key: String,
        expected: Option<String>,
        new: Option<String>,
    ) -> Result<bool, storage::StorageError> {
        if new.as_ref().is_some_and(|v| v.len() > MAX_VALUE_BYTES) {
            return Err(storage::StorageError::TooLarge(MAX_VALUE_BYTES as u32));
        }
        self.db()
            .kv_compare_and_swap(&key, expected.as_deref(), new.as_deref())
            .map_err(|e| storage::StorageError::Unavailable(e.to_string()))
    }
}

impl settings::Host for HostState {
    fn get_all(&mut self, store: String) -> Vec<(String, String)> {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get_all(&store)
    }
}

impl http::Host for HostState {
    fn send(&mut self, req: http::Request) -> Result<http::Response, http::HttpError> {
        let method = match req.method {
            http::Method::Get => crate::http::Method::Get,
            http::Method::Post => crate::http::Method::Post,
        };
        let url_shown = req.url.split('?').next().unwrap_or("").to_string();
        let r = self.http.send(&crate::http::Request {
            method: method.clone(),
            url: req.url,
            headers: req.headers,
            body: req.body,
        });
        let outcome = match &r {
            Ok(resp) => resp.status.to_string(),
            Err(crate::http::HttpError::NotAllowed(m)) => format!("not-allowed: {m}"),
            Err(crate::http::HttpError::Transport(m)) => format!("transport: {m}"),
            Err(crate::http::HttpError::Timeout) => "timeout".into(),
        };
        self.http_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(HttpEvent {
                method: format!("{method:?}").to_uppercase(),
                url: url_shown,
                outcome,
            });
        match r {
            Ok(resp) => Ok(http::Response {
                status: resp.status,
                headers: resp.headers,
                body: resp.body,
            }),
            Err(crate::http::HttpError::NotAllowed(m)) => Err(http::HttpError::NotAllowed(m)),
            Err(crate::http::HttpError::Transport(m)) => Err(http::HttpError::Transport(m)),
            Err(crate::http::HttpError::Timeout) => Err(http::HttpError::Timeout),
        }
    }
}

impl commerce::Host for HostState {
    fn find_product(
        &mut self,
        store: String,
        sku: String,
    ) -> Result<Option<types::Product>, commerce::CommerceError> {
        Ok(self
            .db()
            .find_product_for(&store, &sku)?
            .map(|p| types::Product {
                sku: p.sku,
                name: p.name,
                enabled: p.enabled,
                salable_qty: p.qty,
            }))
    }

    fn create_order(
        &mut self,
        draft: types::OrderDraft,
    ) -> Result<types::OrderRef, commerce::CommerceError> {
        let now = self.now;
        self.db().create_order(&draft, now)
    }

    fn complete_order(
        &mut self,
        store: String,
        amazon_order_id: String,
    ) -> Result<(), commerce::CommerceError> {
        let now = self.now;
        self.db().complete_order(&store, &amazon_order_id, now)
    }

    fn cancel_order(
        &mut self,
        store: String,
        amazon_order_id: String,
    ) -> Result<(), commerce::CommerceError> {
        let now = self.now;
        self.db().cancel_order(&store, &amazon_order_id, now)
    }

    fn reserve(
        &mut self,
        store: String,
        amazon_order_id: String,
        items: Vec<types::SkuQty>,
    ) -> Result<(), commerce::CommerceError> {
        self.db().reserve(&store, &amazon_order_id, &items)
    }

    fn release(
        &mut self,
        store: String,
        amazon_order_id: String,
    ) -> Result<(), commerce::CommerceError> {
        self.db().release(&store, &amazon_order_id)
    }

    fn set_admin_message(
        &mut self,
        message: Option<String>,
    ) -> Result<(), commerce::CommerceError> {
        self.db().set_admin_message(message.as_deref())
    }
}

/// Why a hook call failed at the wasm level (not a `plugin-error`, which is a normal answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    OutOfFuel,
    MemoryLimit,
    Trap,
    Host,
}

#[derive(Debug, Clone)]
pub struct CallFailure {
    pub call: String,
    pub kind: FailureKind,
    pub message: String,
    pub fuel: u64,
}

impl std::fmt::Display for CallFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} failed: {} (fuel used {})",
            self.call, self.message, self.fuel
        )
    }
}

impl std::error::Error for CallFailure {}

/// Fuel accounting over the runtime's life.
#[derive(Debug, Clone, Default)]
pub struct FuelStats {
    pub calls: u64,
    pub total: u64,
    pub max_per_call: u64,
    pub last: u64,
}

/// Progress hook: (call, fuel used, succeeded).
pub type CallObserver = Box<dyn FnMut(&str, u64, bool)>;

pub struct Runtime {
    engine: Engine,
    pre: Prepared<HostState>,
    db: Arc<Mutex<Db>>,
    settings: Arc<RwLock<Settings>>,
    http: Arc<HttpClient>,
    http_log: Arc<Mutex<Vec<HttpEvent>>>,
    pub limits: Limits,
    pub fuel: FuelStats,
    /// Called after every hook call with (call, fuel used, ok?), for progress output.
    pub on_call: Option<CallObserver>,
}

/// The component ready to instantiate, as bindgen's `PluginPre` keeps it, but with its two
/// exported interfaces apart: a call loads only the interface it calls. Loading type-checks
/// each of the interface's functions in the new instance (`PluginPre::instantiate` loads both),
/// and the admin interface's records are most of that work (a hook call's instantiation −8 %
/// of its instructions, BENCHMARKS.md).
pub struct Prepared<T: 'static> {
    pre: InstancePre<T>,
    hooks: hooks::GuestIndices,
    admin: admin::GuestIndices,
}

/// How a call gets the interface it calls from a new instance ([`Prepared::hooks`] or
/// [`Prepared::admin`]).
pub type Load<T, I> = fn(&Prepared<T>, &mut Store<T>, &Instance) -> wasmtime::Result<I>;

impl<T: 'static> Prepared<T> {
    /// Fails when the component lacks an export of the world.
    pub fn new(pre: InstancePre<T>) -> Result<Prepared<T>> {
        Ok(Prepared {
            hooks: hooks::GuestIndices::new(&pre)?,
            admin: admin::GuestIndices::new(&pre)?,
            pre,
        })
    }

    /// A new instance in `store`, and the interface `load` gives of it.
    pub fn instantiate<I>(&self, store: &mut Store<T>, load: Load<T, I>) -> wasmtime::Result<I> {
        let instance = self.pre.instantiate(&mut *store)?;
        load(self, store, &instance)
    }

    pub fn hooks(
        &self,
        store: &mut Store<T>,
        instance: &Instance,
    ) -> wasmtime::Result<hooks::Guest> {
        self.hooks.load(store, instance)
    }

    pub fn admin(
        &self,
        store: &mut Store<T>,
        instance: &Instance,
    ) -> wasmtime::Result<admin::Guest> {
        self.admin.load(store, instance)
    }
}

pub const HTTP_TIMEOUT: Duration = Duration::from_secs(20);

impl Runtime {
    pub fn new(
        component_path: &Path,
        db: Db,
        settings: Settings,
        limits: Limits,
    ) -> Result<Runtime> {
        let (engine, component) = compiled(component_path)?;
        let mut linker: Linker<HostState> = Linker::new(&engine);
        Plugin::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        let pre = Prepared::new(linker.instantiate_pre(&component)?)?;
        let http = Arc::new(HttpClient::new(&settings.endpoints(), HTTP_TIMEOUT));
        Ok(Runtime {
            engine,
            pre,
            db: Arc::new(Mutex::new(db)),
            settings: Arc::new(RwLock::new(settings)),
            http,
            http_log: Arc::new(Mutex::new(Vec::new())),
            limits,
            fuel: FuelStats::default(),
            on_call: None,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The host's own access to the database (CLI queries, `ship`, `catalog set`).
    pub fn db(&self) -> std::sync::MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the settings and rebuilds the allow-list from their endpoints.
    pub fn set_settings(&mut self, settings: Settings) {
        self.http = Arc::new(HttpClient::new(&settings.endpoints(), HTTP_TIMEOUT));
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
    }

    pub fn allow_list(&self) -> Vec<String> {
        self.http
            .allow_list()
            .iter()
            .map(|o| o.to_string())
            .collect()
    }

    /// Requests made since the last call of this function.
    pub fn take_http_log(&self) -> Vec<HttpEvent> {
        std::mem::take(&mut *self.http_log.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs one export of the interface `load` gives in a fresh store with `fuel` (or the
    /// default budget).
    fn call<I, R>(
        &mut self,
        name: String,
        now: i64,
        fuel: Option<u64>,
        load: Load<HostState, I>,
        f: impl FnOnce(&I, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, CallFailure> {
        let budget = fuel.unwrap_or(self.limits.fuel);
        let state = HostState {
            db: self.db.clone(),
            settings: self.settings.clone(),
            http: self.http.clone(),
            http_log: self.http_log.clone(),
            now,
            limits: StoreLimitsBuilder::new()
                .memory_size(self.limits.memory_bytes)
                .trap_on_grow_failure(true)
                .build(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        let result = store
            .set_fuel(budget)
            .and_then(|()| self.pre.instantiate(&mut store, load))
            .and_then(|exports| f(&exports, &mut store));
        let used = budget.saturating_sub(store.get_fuel().unwrap_or(0));
        self.fuel.calls += 1;
        self.fuel.total += used;
        self.fuel.max_per_call = self.fuel.max_per_call.max(used);
        self.fuel.last = used;
        if let Some(cb) = self.on_call.as_mut() {
            cb(&name, used, result.is_ok());
        }
        result.map_err(|e| {
            let (kind, message) = classify(&e, budget, self.limits.memory_bytes);
            CallFailure {
                call: name,
                kind,
                message,
                fuel: used,
            }
        })
    }

    pub fn on_cron_tick(
        &mut self,
        store: &str,
        now: i64,
    ) -> Result<Result<TickReport, PluginError>, CallFailure> {
        self.on_cron_tick_with_fuel(store, now, None)
    }

    pub fn on_cron_tick_with_fuel(
        &mut self,
        store: &str,
        now: i64,
        fuel: Option<u64>,
    ) -> Result<Result<TickReport, PluginError>, CallFailure> {
        self.store_call(
            store,
            format!("on-cron-tick({store})"),
            now,
            fuel,
            |h, s| h.call_on_cron_tick(s, store, now),
        )
    }

    /// A hook call that may take `store`'s lease. This host runs one call per store at a time,
    /// so a lease that appeared during a call that died belongs to that dead call: give it
    /// back rather than make the next call wait for it to expire.
    fn store_call<R>(
        &mut self,
        store: &str,
        name: String,
        now: i64,
        fuel: Option<u64>,
        f: impl FnOnce(&hooks::Guest, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, CallFailure> {
        let lease_key = format!("v1/s/{store}/lease");
        let before = self.db().kv_get(&lease_key).ok().flatten();
        let r = self.call(name, now, fuel, Prepared::hooks, f);
        if r.is_err() {
            let after = self.db().kv_get(&lease_key).ok().flatten();
            if after.is_some() && after != before {
                let _ = self
                    .db()
                    .kv_compare_and_swap(&lease_key, after.as_deref(), None);
            }
        }
        r
    }

    pub fn on_amazon_order(
        &mut self,
        store: &str,
        now: i64,
        order_json: &str,
        items_json: &str,
    ) -> Result<Result<Decision, PluginError>, CallFailure> {
        self.store_call(
            store,
            format!("on-amazon-order({store})"),
            now,
            None,
            |h, s| h.call_on_amazon_order(s, store, now, order_json, items_json),
        )
    }

    pub fn on_commerce_event(
        &mut self,
        now: i64,
        event: &CommerceEvent,
    ) -> Result<Result<(), PluginError>, CallFailure> {
        let store = match event {
            CommerceEvent::Shipped(s) => s.store.clone(),
            CommerceEvent::Canceled(k) => k.store.clone(),
        };
        self.store_call(&store, "on-commerce-event".into(), now, None, |h, s| {
            h.call_on_commerce_event(s, now, event)
        })
    }

    pub fn list_orders(
        &mut self,
        store: &str,
        query: &OrderQuery,
    ) -> Result<Result<OrderPage, PluginError>, CallFailure> {
        let now = chrono::Utc::now().timestamp_millis();
        let name = format!("admin.list-orders({store})");
        self.call(name, now, None, Prepared::admin, |a, s| {
            a.call_list_orders(s, store, query)
        })
    }

    pub fn order_detail(
        &mut self,
        store: &str,
        id: &str,
    ) -> Result<Result<Option<String>, PluginError>, CallFailure> {
        let now = chrono::Utc::now().timestamp_millis();
        let name = format!("admin.order-detail({id})");
        self.call(name, now, None, Prepared::admin, |a, s| {
            a.call_order_detail(s, store, id)
        })
    }

    pub fn system_message(&mut self) -> Result<Result<Option<String>, PluginError>, CallFailure> {
        let now = chrono::Utc::now().timestamp_millis();
        let name = "admin.system-message".into();
        self.call(name, now, None, Prepared::admin, |a, s| {
            a.call_system_message(s)
        })
    }
}

/// Calls that can run at once: every hook call is one instance of the component. A `Runtime`
/// makes one call at a time (`call` takes `&mut self`); past this many at once across the
/// process, instantiation fails for the extra calls, each reported as a host failure.
const POOL_INSTANCES: u32 = 256;
/// Linear memory kept mapped when an instance ends, its written pages reset one by one: a push
/// touches about 1.2 MiB, a tick of 100 orders 1.5 MiB. What a call writes beyond it (or in
/// more scattered regions than the scan tracks) is released and faults in again next time.
const KEEP_RESIDENT_BYTES: usize = 4 << 20;

/// The engine's configuration: fuel metered (the per-call budget); `fast_compile` skips
/// Cranelift's optimisations, which changes timings but not fuel.
pub fn config(fast_compile: bool) -> Config {
    let mut config = Config::new();
    config.consume_fuel(true);
    if fast_compile {
        config.cranelift_opt_level(wasmtime::OptLevel::None);
    }
    config
}

/// An engine for a fresh instance per call. Where Linux can report which pages an instance
/// wrote (the `PAGEMAP_SCAN` ioctl, 6.7+), instances come from a pool whose slots keep their
/// memory mapped and resident, and only the written pages are reset: a call neither maps nor
/// faults in nor unmaps its memory, −22 % time per push (BENCHMARKS.md). Elsewhere, or when the
/// pool cannot be set up (its ≈ 1 TiB of address space reserved up front can exceed a capped
/// `ulimit -v`), each instance maps its own memory, and the answer says why.
pub fn engine(config: &Config) -> Result<(Engine, InstanceAllocation)> {
    if !PoolingAllocationConfig::is_pagemap_scan_available() {
        return Ok((
            Engine::new(config)?,
            InstanceAllocation::OnDemand("Linux cannot report written pages (PAGEMAP_SCAN)".into()),
        ));
    }
    let mut pool = PoolingAllocationConfig::new();
    // Per instance of the component: three core instances (its module, and wit-component's
    // indirect-call shim and fixup modules), two tables and one memory.
    pool.total_component_instances(POOL_INSTANCES)
        .total_core_instances(3 * POOL_INSTANCES)
        .total_memories(POOL_INSTANCES)
        .total_tables(2 * POOL_INSTANCES)
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        // The tables are a few dozen entries: their one page is reset by `memset`.
        .table_keep_resident(64 << 10)
        .pagemap_scan(Enabled::Yes);
    let mut pooled = config.clone();
    pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    match Engine::new(&pooled) {
        Ok(engine) => Ok((engine, InstanceAllocation::Pooled)),
        Err(e) => Ok((
            Engine::new(config)?,
            InstanceAllocation::OnDemand(format!("the instance pool was refused: {e:#}")),
        )),
    }
}

/// How an [`engine`] allocates instances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstanceAllocation {
    /// From a pool of slots that stay mapped, written pages reset after each call.
    Pooled,
    /// Each instance maps its own memory and unmaps it when it ends; why the pool is not used.
    OnDemand(String),
}

/// One engine per process and one compiled component per file content: tests and the demo
/// create many runtimes, and compiling is by far the most expensive step.
fn compiled(path: &Path) -> Result<(Engine, Component)> {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    static COMPONENTS: Mutex<Vec<(PathBuf, std::time::SystemTime, Component)>> =
        Mutex::new(Vec::new());
    let engine = match ENGINE.get() {
        Some(e) => e.clone(),
        None => {
            // A debug build of Cranelift is slow; skipping its optimisations cuts the
            // component's compile time by a third.
            let config = config(cfg!(debug_assertions));
            ENGINE
                .get_or_init(|| engine(&config).expect("engine configuration").0)
                .clone()
        }
    };
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .with_context(|| {
            format!(
                "component {} (build it: cargo build --target wasm32-wasip2 --release)",
                path.display()
            )
        })?;
    // Holding the lock while compiling makes concurrent callers wait for one compile.
    let mut cache = COMPONENTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, _, c)) = cache.iter().find(|(p, m, _)| p == path && *m == modified) {
        return Ok((engine, c.clone()));
    }
    let cache_dir = path.parent().unwrap_or(Path::new("."));
    let component = load_component(&engine, path, cache_dir)?;
    cache.retain(|(p, _, _)| p != path);
    cache.push((path.to_path_buf(), modified, component.clone()));
    Ok((engine, component))
}

/// Compiles the component, or loads the machine code compiled for these exact bytes and this
/// engine configuration earlier (`<stem>.<hash>.cwasm` in `cache_dir`). Cranelift in a debug
/// host takes seconds; loading takes milliseconds, which matters for one-shot CLI commands, the
/// test suite and the benchmarks (which keep theirs apart, being configured differently).
pub fn load_component(engine: &Engine, path: &Path, cache_dir: &Path) -> Result<Component> {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "reading component {} (build it: cargo build --target wasm32-wasip2 --release)",
            path.display()
        )
    })?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    engine.precompile_compatibility_hash().hash(&mut h);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("component");
    let cache = cache_dir.join(format!("{stem}.{:016x}.cwasm", h.finish()));
    if cache.exists() {
        // SAFETY: the file was written by `Component::serialize` below for these exact bytes
        // and this engine configuration (both are in its name); it lives in the build output
        // directory next to the component, which only the build writes.
        if let Ok(c) = unsafe { Component::deserialize_file(engine, &cache) } {
            return Ok(c);
        }
    }
    let component = Component::new(engine, &bytes)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("compiling component {}", path.display()))?;
    if let Ok(serialized) = component.serialize() {
        // Older machine code of the same component is stale now.
        for e in std::fs::read_dir(cache_dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!("{stem}.")) && name.ends_with(".cwasm") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let _ = std::fs::create_dir_all(cache_dir);
        // Write then rename, so a concurrent reader never sees half a file.
        let tmp = cache.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, serialized).is_ok() {
            let _ = std::fs::rename(&tmp, &cache);
        }
    }
    Ok(component)
}

fn classify(e: &wasmtime::Error, budget: u64, memory: usize) -> (FailureKind, String) {
    if let Some(t) = e.downcast_ref::<Trap>() {
        if *t == Trap::OutOfFuel {
            return (
                FailureKind::OutOfFuel,
                format!("out of fuel: the budget of {budget} was used up"),
            );
        }
        return (FailureKind::Trap, format!("wasm trap: {t}"));
    }
    let text = e
        .chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    if text.contains("forcing trap when growing memory") {
        return (
            FailureKind::MemoryLimit,
            format!(
                "memory limit of {} MiB reached ({text})",
                memory / (1024 * 1024)
            ),
        );
    }
    // Traps usually arrive wrapped with a wasm backtrace; look through the chain.
    for cause in e.chain() {
        if let Some(t) = cause.downcast_ref::<Trap>() {
            if *t == Trap::OutOfFuel {
                return (
                    FailureKind::OutOfFuel,
                    format!("out of fuel: the budget of {budget} was used up"),
                );
            }
            return (FailureKind::Trap, format!("wasm trap: {t}"));
        }
    }
    (FailureKind::Host, text)
}

pub fn plugin_error_text(e: &PluginError) -> String {
    match e {
        PluginError::InvalidInput(m) => format!("invalid input: {m}"),
        PluginError::Busy => "busy: another tick holds the lease".into(),
        PluginError::Host(m) => format!("host: {m}"),
        PluginError::Config(m) => format!("config: {m}"),
        PluginError::NotFound(m) => format!("not found: {m}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_are_pooled_where_linux_reports_written_pages() {
        // A pool this configuration cannot build would fall back silently: this catches it,
        // wherever the address space is not capped (the pool reserves ≈ 1 TiB up front).
        let (_, allocation) = engine(&Config::new()).unwrap();
        let address_space_capped = std::fs::read_to_string("/proc/self/limits")
            .map(|limits| {
                limits
                    .lines()
                    .any(|l| l.starts_with("Max address space") && !l.contains("unlimited"))
            })
            .unwrap_or(false);
        if !PoolingAllocationConfig::is_pagemap_scan_available() {
            assert!(matches!(allocation, InstanceAllocation::OnDemand(_)));
        } else if !address_space_capped {
            assert_eq!(allocation, InstanceAllocation::Pooled);
        }
    }
}
