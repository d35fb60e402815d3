//! The WASM component skin (`wasm32-wasip2` only): WIT imports become a [`Host`], exported hooks
//! call the [`Engine`]. No business rule lives here.

use crate::prelude::*;

wit_bindgen::generate!({
    world: "plugin",
    path: "wit",
    ownership: Borrowing { duplicate_if_necessary: true },
    runtime_path: "crate::component::wit_rt",
});

/// wit-bindgen's runtime with a `Cleanup` of our own. A lowered list is written to a buffer
/// that its `Cleanup` fills with `0xff` and frees once the call returns, and every such buffer
/// of a call is remembered in a list that grows as it goes: ~1 000 fuel a push, for nothing,
/// as the component's heap frees nothing (`crate::heap`: the instance's memory goes with the
/// instance). This one hands out the buffer and leaves nothing to clean up.
mod wit_rt {
    pub use wit_bindgen::rt::*;

    use alloc::alloc::{alloc, handle_alloc_error, Layout};
    use core::ptr::null_mut;

    /// Never made: there is nothing to free.
    pub enum Cleanup {}

    impl Cleanup {
        /// A buffer of `layout` (null for size zero), and nothing to free afterwards.
        pub fn new(layout: Layout) -> (*mut u8, Option<Cleanup>) {
            if layout.size() == 0 {
                return (null_mut(), None);
            }
            // SAFETY: `layout` has a non-zero size.
            let ptr = unsafe { alloc(layout) };
            if ptr.is_null() {
                handle_alloc_error(layout)
            }
            (ptr, None)
        }

        /// For a callee that frees the buffer itself: there is no `Cleanup` to hand over.
        pub fn forget(self) {
            match self {}
        }
    }
}

use chrono::{DateTime, Utc};

use crate::blockers::{CatalogFacts, ProductFact, SkuQty};
use crate::decide::Action;
use crate::engine::{CommerceEvent, Engine, EngineError, Outcome, Shipment, TickStatus};
use crate::grid::{OrderQuery, SortColumn, View};
use crate::host::{self, CommerceError, Host, HttpError, StorageError, StorageOp, SCAN_PAGE};
use crate::order_builder::{DraftAddress, OrderDraft};
use crate::settings::CustomerCreation;
use crate::status::TableStatus;
use core::sync::atomic::{AtomicBool, Ordering};

use commerce::amazon_order_sync::{commerce as wit_commerce, http, settings, storage, types};
use exports::commerce::amazon_order_sync::{admin, hooks};

// The crate is `no_std` here (see lib.rs), so the component brings its allocator and its
// panic handler. A panic traps at once: nothing formats or prints a message first (the host
// sees the trap; the engine is written and tested not to panic).
#[global_allocator]
static ALLOCATOR: crate::heap::Heap<crate::heap::LinearMemory> =
    crate::heap::Heap::new(crate::heap::LinearMemory);

/// [`crate::scoped`] in the component: what `f` carves from the global heap is given back when
/// it returns.
///
/// # Safety
/// As [`crate::scoped`]'s.
pub(crate) unsafe fn scoped<A: ?Sized, R: Copy>(arg: &A, f: fn(&A) -> R) -> R {
    let mark = ALLOCATOR.mark();
    let result = f(arg);
    // SAFETY: `f` is a function, so it captured nothing to keep a block in; by the caller's
    // contract its result holds none and it grew no older block: no block carved since the
    // mark is in use, and none carved before reaches past it.
    unsafe { ALLOCATOR.rewind(mark) };
    result
}

/// Where the host's pages of a storage scan are read to, given back after each page
/// ([`Imports::storage_scan`]): the global heap frees nothing, and a filtered grid query reads
/// every row of the store.
static SCRATCH: crate::heap::Heap<crate::heap::LinearMemory> =
    crate::heap::Heap::new(crate::heap::LinearMemory);
/// Whether `cabi_realloc` serves from [`SCRATCH`]: only while a scan's page is handed over.
static TO_SCRATCH: AtomicBool = AtomicBool::new(false);

// memcpy and memset are the bulk-memory instructions; memcmp is `crate::bytes`.

/// The canonical ABI's allocator: the host calls it to hand over strings and lists. std
/// exports it on `wasm32-wasip2`, so without std the component does.
#[unsafe(no_mangle)]
unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    use core::alloc::{GlobalAlloc, Layout};
    if new_len == 0 {
        return align as *mut u8;
    }
    let to_scratch = TO_SCRATCH.load(Ordering::Relaxed);
    if old_len == 0 && !to_scratch {
        // SAFETY: the canonical ABI passes a power-of-two `align`.
        if let Some(ptr) = unsafe { ALLOCATOR.bump(new_len, align) } {
            return ptr;
        }
    }
    // A size no `Layout` can have (over `isize::MAX` once rounded up to `align`) would break
    // the heap's contract; no block that large exists anyway.
    if new_len > isize::MAX as usize - (align - 1) {
        core::arch::wasm32::unreachable();
    }
    let heap = if to_scratch { &SCRATCH } else { &ALLOCATOR };
    // SAFETY: the canonical ABI passes a power-of-two `align` and, for a reallocation, the
    // pointer, size and alignment of an earlier allocation made here while handing over the
    // same value, so from the same heap; `new_len` fits a `Layout` (above).
    let ptr = unsafe {
        if old_len == 0 {
            heap.alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            let old = Layout::from_size_align_unchecked(old_len, align);
            heap.realloc(old_ptr, old, new_len)
        }
    };
    if ptr.is_null() {
        core::arch::wasm32::unreachable();
    }
    ptr
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The host as seen through the WIT imports.
struct Imports;

fn storage_error(e: storage::StorageError) -> StorageError {
    match e {
        storage::StorageError::Unavailable(m) => StorageError::Unavailable(m),
        storage::StorageError::TooLarge(n) => StorageError::TooLarge(n),
    }
}

fn commerce_error(e: wit_commerce::CommerceError) -> CommerceError {
    match e {
        wit_commerce::CommerceError::Rejected(m) => CommerceError::Rejected(m),
        wit_commerce::CommerceError::Unavailable(m) => CommerceError::Unavailable(m),
    }
}

fn money(m: &crate::amazon::Money) -> types::MoneyParam<'_> {
    types::MoneyParam {
        currency: &m.currency,
        cents: m.cents,
    }
}

/// An address borrowing `a`, whose street lines are in `street`.
fn address<'a>(a: &'a DraftAddress<'_>, street: &'a [&'a str]) -> types::Address<'a> {
    types::Address {
        firstname: &a.firstname,
        lastname: &a.lastname,
        company: a.company.as_deref(),
        street,
        city: &a.city,
        region: &a.region,
        postcode: &a.postcode,
        country_code: &a.country_code,
        telephone: &a.telephone,
    }
}

fn street<'a>(a: &'a DraftAddress<'_>) -> Vec<&'a str> {
    a.street.iter().map(AsRef::as_ref).collect()
}

fn line<'a>(l: &'a crate::order_builder::DraftLine<'_>) -> types::OrderLine<'a> {
    types::OrderLine {
        sku: &l.sku,
        order_item_id: &l.order_item_id,
        title: &l.title,
        qty: l.qty,
        unit_price: money(&l.unit_price),
        row_total: money(&l.row_total),
        discount: money(&l.discount),
        tax: money(&l.tax),
    }
}

impl Host for Imports {
    fn http_send(
        &mut self,
        request: host::HttpRequest<'_>,
    ) -> Result<host::HttpResponse, HttpError> {
        let request = http::Request {
            method: match request.method {
                host::Method::Get => http::Method::Get,
                host::Method::Post => http::Method::Post,
            },
            url: &request.url,
            headers: request.headers,
            body: request.body.as_deref(),
        };
        match http::send(request) {
            Ok(r) => Ok(host::HttpResponse {
                status: r.status,
                headers: r.headers,
                body: r.body,
            }),
            Err(http::HttpError::NotAllowed(url)) => Err(HttpError::NotAllowed(url)),
            Err(http::HttpError::Transport(m)) => Err(HttpError::Transport(m)),
            Err(http::HttpError::Timeout) => Err(HttpError::Timeout),
        }
    }

    fn storage_get(&mut self, key: &str) -> Result<Option<String>, StorageError> {
        storage::get(key).map_err(storage_error)
    }

    fn storage_apply(&mut self, ops: Vec<StorageOp<'_>>) -> Result<(), StorageError> {
        let ops: Vec<storage::Op<'_>> = ops
            .iter()
            .map(|op| match op {
                StorageOp::Put(k, v) => storage::Op::Put((k, v)),
                StorageOp::PutParts(k, parts) => storage::Op::PutParts((k, parts)),
                StorageOp::Delete(k) => storage::Op::Delete(k),
            })
            .collect();
        storage::apply(&ops).map_err(storage_error)
    }

    fn storage_list(
        &mut self,
        prefix: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StorageError> {
        storage::list_prefix(prefix, after, limit).map_err(storage_error)
    }

    fn storage_cas(
        &mut self,
        key: &str,
        expected: Option<&str>,
        new: Option<&str>,
    ) -> Result<bool, StorageError> {
        storage::compare_and_swap(key, expected, new).map_err(storage_error)
    }

    /// Each page is read into [`SCRATCH`], which is given back once the page is visited.
    fn storage_scan<E: From<StorageError>>(
        &mut self,
        prefix: &str,
        visit: impl FnMut(&str, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        let list = |after: Option<&str>| {
            TO_SCRATCH.store(true, Ordering::Relaxed);
            let page = storage::list_prefix(prefix, after, SCAN_PAGE);
            TO_SCRATCH.store(false, Ordering::Relaxed);
            // An error's message is copied out of the scratch heap before it is given back.
            page.map_err(|e| match e {
                storage::StorageError::Unavailable(m) => {
                    StorageError::Unavailable(m.as_str().into())
                }
                storage::StorageError::TooLarge(n) => StorageError::TooLarge(n),
            })
        };
        // SAFETY: `scan_pages` runs this once the page is dropped (the global heap's `dealloc`,
        // which wit-bindgen frees a list's buffer through, does nothing), `visit` was lent its
        // pairs for the length of each call only, and the key kept for the next page is a copy
        // in the global heap: nothing read into the scratch heap is alive.
        host::scan_pages(list, || unsafe { SCRATCH.reset() }, visit)
    }

    fn settings(&mut self, store: &str) -> Vec<(String, String)> {
        settings::get_all(store)
    }

    fn find_product_into(
        &mut self,
        store: &str,
        sku: &str,
        facts: &mut CatalogFacts,
    ) -> Result<(), CommerceError> {
        match wit_commerce::find_product(store, sku) {
            Ok(Some(p)) => facts.insert_new(ProductFact {
                sku: p.sku,
                name: p.name,
                enabled: p.enabled,
                qty: p.salable_qty,
            }),
            Ok(None) => {}
            Err(e) => return Err(commerce_error(e)),
        }
        Ok(())
    }

    fn create_order(&mut self, d: &OrderDraft<'_>) -> Result<host::OrderRef, CommerceError> {
        // The WIT record borrows the draft's strings: nothing is copied before the host's own
        // copy into its memory.
        let (billing_street, shipping_street) =
            (street(&d.billing_address), street(&d.shipping_address));
        let lines: Vec<types::OrderLine<'_>> = d.lines.iter().map(line).collect();
        let draft = types::OrderDraft {
            store: &d.store,
            amazon_order_id: &d.amazon_order_id,
            increment_id: d.increment_id.as_deref(),
            store_view: &d.store_view,
            customer: types::Customer {
                kind: match d.customer.kind {
                    CustomerCreation::Guest => types::CustomerKind::Guest,
                    CustomerCreation::Account => types::CustomerKind::Account,
                },
                email: &d.customer.email,
                firstname: &d.customer.firstname,
                lastname: &d.customer.lastname,
            },
            billing_address: address(&d.billing_address, &billing_street),
            shipping_address: address(&d.shipping_address, &shipping_street),
            lines: &lines,
            shipping_method: &d.shipping_method,
            shipping_amount: money(&d.shipping_amount),
            shipping_tax: money(&d.shipping_tax),
            subtotal: money(&d.subtotal),
            discount_total: money(&d.discount_total),
            tax_total: money(&d.tax_total),
            grand_total: money(&d.grand_total),
            status: &d.status,
            payment_method: &d.payment_method,
            po_number: &d.po_number,
        };
        wit_commerce::create_order(draft)
            .map(|r| host::OrderRef {
                id: r.id,
                increment_id: r.increment_id,
            })
            .map_err(commerce_error)
    }

    fn complete_order(&mut self, store: &str, id: &str) -> Result<(), CommerceError> {
        wit_commerce::complete_order(store, id).map_err(commerce_error)
    }

    fn cancel_order(&mut self, store: &str, id: &str) -> Result<(), CommerceError> {
        wit_commerce::cancel_order(store, id).map_err(commerce_error)
    }

    fn reserve(&mut self, store: &str, id: &str, items: &[SkuQty]) -> Result<(), CommerceError> {
        let items: Vec<types::SkuQtyParam<'_>> = items
            .iter()
            .map(|i| types::SkuQtyParam {
                sku: &i.sku,
                qty: i.qty,
            })
            .collect();
        wit_commerce::reserve(store, id, &items).map_err(commerce_error)
    }

    fn release(&mut self, store: &str, id: &str) -> Result<(), CommerceError> {
        wit_commerce::release(store, id).map_err(commerce_error)
    }

    fn set_admin_message(&mut self, message: Option<&str>) -> Result<(), CommerceError> {
        wit_commerce::set_admin_message(message).map_err(commerce_error)
    }
}

fn engine() -> Engine<Imports> {
    Engine::new(Imports)
}

fn time(ms: i64) -> Result<DateTime<Utc>, types::PluginError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| types::PluginError::InvalidInput(format!("timestamp {ms} is out of range")))
}

impl From<EngineError> for types::PluginError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::InvalidInput(m) => types::PluginError::InvalidInput(m),
            EngineError::Busy => types::PluginError::Busy,
            EngineError::Host(m) => types::PluginError::Host(m),
            EngineError::Config(m) => types::PluginError::Config(m),
            EngineError::NotFound(m) => types::PluginError::NotFound(m),
        }
    }
}

fn decision(outcome: Outcome) -> hooks::Decision {
    let d = outcome.decision;
    hooks::Decision {
        amazon_order_id: outcome.amazon_order_id,
        kind: match d.action {
            Action::RecordOnly => hooks::DecisionKind::RecordOnly,
            Action::Create { .. } => hooks::DecisionKind::Create,
            Action::Blocked => hooks::DecisionKind::Blocked,
            Action::Complete => hooks::DecisionKind::Complete,
            Action::Cancel => hooks::DecisionKind::Cancel,
            Action::Skip => hooks::DecisionKind::Skip,
            Action::Ignore => hooks::DecisionKind::Ignore,
        },
        table_status: d.table_status.as_str().to_owned(),
        commerce_order_id: outcome.commerce.map(|c| c.id),
        blockers: d
            .blockers
            .into_iter()
            .map(|b| types::Blocker {
                sku: b.sku,
                kind: b.kind.as_str().to_owned(),
                message: b.message,
                resolution: b.resolution,
            })
            .collect(),
        reason: d.reason.text(),
    }
}

struct Component;

impl hooks::Guest for Component {
    fn on_amazon_order(
        store: String,
        now: types::Timestamp,
        order_json: String,
        items_json: String,
    ) -> Result<hooks::Decision, types::PluginError> {
        let outcome = engine().on_amazon_order(&store, time(now)?, &order_json, &items_json)?;
        Ok(decision(outcome))
    }

    fn on_commerce_event(
        now: types::Timestamp,
        event: hooks::CommerceEvent,
    ) -> Result<(), types::PluginError> {
        let event = match event {
            hooks::CommerceEvent::Shipped(s) => CommerceEvent::Shipped(Shipment {
                store: s.store,
                amazon_order_id: s.amazon_order_id,
                shipment_id: s.shipment_id,
                carrier: s.carrier,
                carrier_title: s.carrier_title,
                tracking_number: s.tracking_number,
                items: s
                    .items
                    .into_iter()
                    .map(|i| SkuQty {
                        sku: i.sku,
                        qty: i.qty,
                    })
                    .collect(),
                shipped_at: time(s.shipped_at)?,
            }),
            hooks::CommerceEvent::Canceled(key) => CommerceEvent::Canceled {
                store: key.store,
                amazon_order_id: key.amazon_order_id,
            },
        };
        Ok(engine().on_commerce_event(time(now)?, event)?)
    }

    fn on_cron_tick(
        store: String,
        now: types::Timestamp,
    ) -> Result<hooks::TickReport, types::PluginError> {
        let r = engine().on_cron_tick(&store, time(now)?)?;
        Ok(hooks::TickReport {
            status: match r.status {
                TickStatus::Done => hooks::TickStatus::Done,
                TickStatus::Throttled => hooks::TickStatus::Throttled,
                TickStatus::Busy => hooks::TickStatus::Busy,
            },
            pulled: r.pulled,
            created: r.created,
            blocked: r.blocked,
            completed: r.completed,
            canceled: r.canceled,
            pushed: r.pushed,
            skipped: r.skipped,
            errors: r.errors,
        })
    }
}

impl admin::Guest for Component {
    fn list_orders(
        store: String,
        q: admin::OrderQuery,
    ) -> Result<admin::OrderPage, types::PluginError> {
        let mut statuses = Vec::with_capacity(q.statuses.len());
        for s in &q.statuses {
            statuses.push(TableStatus::parse(s).ok_or_else(|| {
                types::PluginError::InvalidInput(format!("statuses: \"{s}\" is not a status"))
            })?);
        }
        let query = OrderQuery {
            view: match q.view {
                admin::View::Recent => View::Recent,
                admin::View::All => View::All,
            },
            purchase_from: q.purchase_from,
            purchase_to: q.purchase_to,
            order_number: q.order_number,
            buyer_name: q.buyer_name,
            total_min: q.total_min,
            total_max: q.total_max,
            statuses,
            sort: match q.sort {
                admin::SortColumn::PurchaseDate => SortColumn::PurchaseDate,
                admin::SortColumn::OrderNumber => SortColumn::OrderNumber,
                admin::SortColumn::Status => SortColumn::Status,
                admin::SortColumn::BuyerName => SortColumn::BuyerName,
                admin::SortColumn::GrandTotal => SortColumn::GrandTotal,
            },
            descending: q.descending,
            page: q.page,
            page_size: q.page_size,
        };
        let page = engine().list_orders(&store, &query)?;
        Ok(admin::OrderPage {
            rows: page
                .rows
                .into_iter()
                .map(|r| admin::OrderRow {
                    amazon_order_id: r.amazon_order_id,
                    purchase_date: r.purchase_date,
                    status: r.status.as_str().to_owned(),
                    buyer_name: r.buyer_name,
                    grand_total: r.grand_total.map(|m| types::MoneyResult {
                        currency: m.currency.into_owned(),
                        cents: m.cents,
                    }),
                    notes: r.notes,
                    fulfillment_channel: r.fulfillment_channel,
                    commerce_order_id: r.commerce_order_id,
                    view_only: r.view_only,
                    seller_central_url: r.seller_central_url,
                })
                .collect(),
            total: page.total,
            page: page.page,
            page_count: page.page_count,
        })
    }

    fn order_detail(
        store: String,
        amazon_order_id: String,
    ) -> Result<Option<String>, types::PluginError> {
        Ok(engine().order_detail(&store, &amazon_order_id)?)
    }

    fn system_message() -> Result<Option<String>, types::PluginError> {
        Ok(engine().system_message()?)
    }
}

export!(Component);
