//! Sync orchestration over [`Host`]: the push hook, the cron tick, Commerce events and the
//! admin queries. Every effect is ordered so that a failure between two host calls is repaired
//! by running again: Commerce operations are idempotent per Amazon order, and all storage
//! changes of one order land in one atomic batch after its Commerce effects.

mod keys;
mod retry;
mod shipments;
pub mod spapi;
mod tick;

use crate::amazon::read::read_object;
use crate::amazon::write::{key, Writer};
use crate::amazon::{parse_order, parse_order_items, read_json, Order, OrderStatus, ParseError};
use crate::blockers::{sku_totals, CatalogFacts};
use crate::decide::{decide_with, next_row, system_message, Action, Applied, Decision, Snapshot};
use crate::grid::{sorted_page, OrderPage, OrderQuery};
use crate::host::{CommerceError, Host, StorageError, StorageOp};
use crate::order_builder::build_draft;
use crate::prelude::*;
use crate::row::{AmazonOrderRow, CommerceLink, RowText};
use crate::settings::{is_store_code, StoreConfig};
use crate::status::{creates_commerce_order, reserves_quantity, CommerceState, TableStatus};
use crate::text::{integer, join, split_once};
use chrono::{DateTime, Datelike, Utc};

pub use shipments::{carrier_code, Shipment};
pub use tick::{TickReport, TickStatus};

/// How long a tick may hold the store's sync lease before another may take it over.
const LEASE_MS: i64 = 10 * 60 * 1000;
/// Keys read per storage listing call.
const LIST_PAGE: u32 = 500;

/// Why a hook failed. Nothing half-done is left behind: the next call resumes.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("another sync of this store is running")]
    Busy,
    #[error("host call failed: {0}")]
    Host(String),
    #[error("store configuration: {0}")]
    Config(String),
    #[error("unknown Amazon order {0}")]
    NotFound(String),
}

impl From<StorageError> for EngineError {
    fn from(e: StorageError) -> Self {
        EngineError::Host(e.to_string())
    }
}

impl From<ParseError> for EngineError {
    fn from(e: ParseError) -> Self {
        EngineError::InvalidInput(e.to_string())
    }
}

/// A Commerce-side event the host reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommerceEvent {
    Shipped(Shipment),
    Canceled {
        store: String,
        amazon_order_id: String,
    },
}

/// The decision for one order and the row it left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub amazon_order_id: String,
    pub decision: Decision,
    /// The row's table status after the decision; `None` when the order has no row (skipped).
    pub table_status: Option<TableStatus>,
    /// The Commerce order the row links to.
    pub commerce: Option<CommerceLink>,
}

/// The storage keys of an order's row that its processing reads and then writes: each built
/// once (a key costs ~300 fuel).
struct RowKeys {
    row: String,
    /// The purchase-date index entry's, when the caller read the applied marker it holds.
    by_date: Option<String>,
    /// Whether a row of the order may have been written before: its purchase-date entry is
    /// there, or the caller did not look. A new row then deletes a blocked-index entry left by
    /// a row deleted from outside the plugin, which would otherwise stay while its retry key
    /// matches (`retry`).
    written_before: bool,
}

impl RowKeys {
    fn new(store: &str, id: &str) -> Self {
        RowKeys {
            row: keys::order(store, id),
            by_date: None,
            written_before: true,
        }
    }
}

/// The admin message as last sent; `confirmed` once the host accepted it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
struct ShownMessage {
    message: Option<String>,
    confirmed: bool,
}

impl ShownMessage {
    fn from_json(json: &str) -> Result<ShownMessage, ParseError> {
        read_json("shown message", json, |r| {
            let (mut message, mut confirmed) = (None, None);
            read_object!(r, "a shown message", |r| {
                "message" => message = r.opt_string()?,
                "confirmed" => confirmed = Some(r.bool()?),
            });
            Ok(ShownMessage {
                message,
                confirmed: r.required(confirmed, "confirmed")?,
            })
        })
    }

    fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(64 + self.message.as_ref().map_or(0, String::len));
        w.object(|w| {
            w.nullable_member(key!("message"), self.message.as_deref(), Writer::string);
            w.key(key!("confirmed")).bool(self.confirmed);
        });
        w.finish()
    }
}

/// The store's sync lease (`v1/s/<store>/lease`).
#[cfg_attr(test, derive(Debug, PartialEq, serde::Serialize, serde::Deserialize))]
struct LeaseValue {
    expires_at: i64,
}

impl LeaseValue {
    fn from_json(json: &str) -> Result<LeaseValue, ParseError> {
        read_json("lease", json, |r| {
            let mut expires_at = None;
            read_object!(r, "a lease", |r| {
                "expires_at" => expires_at = Some(r.i64()?),
            });
            Ok(LeaseValue {
                expires_at: r.required(expires_at, "expires_at")?,
            })
        })
    }

    fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(32);
        w.object(|w| w.key(key!("expires_at")).int(self.expires_at));
        w.finish()
    }
}

/// The engine: the plugin's behaviour over any [`Host`].
pub struct Engine<H: Host> {
    pub host: H,
}

impl<H: Host> Engine<H> {
    pub fn new(host: H) -> Self {
        Engine { host }
    }

    /// Host time outside years 1–9999 is refused before any arithmetic is done with it.
    fn check_now(now: DateTime<Utc>) -> Result<(), EngineError> {
        if (1..=9999).contains(&now.naive_utc().year()) {
            Ok(())
        } else {
            Err(EngineError::InvalidInput(format!(
                "time {} (Unix milliseconds) is out of range",
                now.timestamp_millis()
            )))
        }
    }

    /// The store's settings; with its SP-API credentials `with_api` (they are ~1 KB to copy).
    fn config(&mut self, store: &str, with_api: bool) -> Result<StoreConfig, EngineError> {
        if !is_store_code(store) {
            return Err(EngineError::InvalidInput(format!(
                "\"{store}\" is not a store code"
            )));
        }
        let pairs = self.host.settings(store);
        StoreConfig::read(store, &pairs, with_api).map_err(|errors| {
            let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            EngineError::Config(join(messages.iter().map(String::as_str), "; "))
        })
    }

    /// Runs `work` while holding the store's lease; a second holder gets [`EngineError::Busy`].
    fn with_lease<T>(
        &mut self,
        store: &str,
        now: DateTime<Utc>,
        work: impl FnOnce(&mut Self) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let (key, mine) = self.acquire_lease(store, now)?;
        let result = work(self);
        // A lease that cannot be returned expires by itself.
        let _ = self.host.storage_cas(&key, Some(&mine), None);
        result
    }

    /// Takes the store's lease: its storage key and the value now held. Out of line, as
    /// `with_lease` is instantiated once per hook.
    #[inline(never)]
    fn acquire_lease(
        &mut self,
        store: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, String), EngineError> {
        let key = keys::lease(store);
        let now_ms = now.timestamp_millis();
        let mine = LeaseValue {
            expires_at: now_ms + LEASE_MS,
        }
        .to_json();
        // Each holder deletes its lease when done, so there is nearly always none: taken with
        // one host call then. A lease left behind is read, and replaced only once expired or
        // unreadable.
        if self.host.storage_cas(&key, None, Some(&mine))? {
            return Ok((key, mine));
        }
        let current = self.host.storage_get(&key)?;
        if let Some(held) = current
            .as_deref()
            .and_then(|v| LeaseValue::from_json(v).ok())
        {
            if held.expires_at > now_ms {
                return Err(EngineError::Busy);
            }
        }
        if !self
            .host
            .storage_cas(&key, current.as_deref(), Some(&mine))?
        {
            return Err(EngineError::Busy);
        }
        Ok((key, mine))
    }

    /// The stored row of `id` as text: rows are read from it, borrowing it (see [`parse_row`]).
    fn row_text(&mut self, store: &str, id: &str) -> Result<Option<String>, EngineError> {
        self.row_at(&keys::order(store, id))
    }

    /// The text of the row stored at `key` (the row's [`keys::order`]): the key of a row that
    /// is processed is built once, for its read and its write.
    fn row_at(&mut self, key: &str) -> Result<Option<String>, EngineError> {
        Ok(self.host.storage_get(key)?)
    }

    /// Writes `row` with its indexes in one batch. `is_new` adds it to the row count.
    fn save_row(&mut self, row: &AmazonOrderRow, is_new: bool) -> Result<(), EngineError> {
        let keys = RowKeys::new(&row.store, row.amazon_order_id());
        self.write_row(keys, row, &row.text(), is_new, None)
    }

    /// [`Self::save_row`] with the row's key and text ready, and the retry key of a blocked
    /// decision (see [`retry`]; without one, the next tick reads the row to retry it).
    fn write_row(
        &mut self,
        keys: RowKeys,
        row: &AmazonOrderRow,
        text: &RowText,
        is_new: bool,
        retry_key: Option<String>,
    ) -> Result<(), EngineError> {
        let store = &*row.store;
        let id = row.amazon_order_id();
        // Room for all four up front: growing the list twice cost ~500 fuel a row.
        let mut ops = Vec::with_capacity(4);
        let parts = text.parts();
        ops.push(StorageOp::PutParts(keys.row, &parts));
        ops.push(StorageOp::Put(
            keys.by_date.unwrap_or_else(|| {
                keys::by_date(store, row.order.purchase_date.timestamp_millis(), id)
            }),
            applied_marker(&row.order),
        ));
        // A new row of an order never written before has no entry to delete.
        if row.is_error() || !is_new || keys.written_before {
            ops.push(blocked_entry(row, retry_key));
        }
        if is_new {
            // One key for the read and the write: a key is built in ~300 fuel.
            let key = keys::count(store);
            let count = self.count_at(&key)? + 1;
            ops.push(StorageOp::Put(key, count.to_string()));
        }
        self.host.storage_apply(ops)?;
        Ok(())
    }

    fn row_count(&mut self, store: &str) -> Result<u32, EngineError> {
        self.count_at(&keys::count(store))
    }

    /// The row count stored at `key` (the store's [`keys::count`]).
    fn count_at(&mut self, key: &str) -> Result<u32, EngineError> {
        Ok(self
            .host
            .storage_get(key)?
            .and_then(|v| u32::try_from(integer(&v)?).ok())
            .unwrap_or(0))
    }

    /// Whether the decision on `order` can depend on the catalog facts of its SKUs.
    fn needs_catalog(config: &StoreConfig, stored: Option<&AmazonOrderRow>, order: &Order) -> bool {
        config.orders.import_orders
            && stored.and_then(|r| r.commerce.as_ref()).is_none()
            && (creates_commerce_order(&order.order_status, order.channel())
                || (config.orders.reserve_pending
                    && reserves_quantity(&order.order_status, order.channel())))
    }

    /// What the catalog says of each SKU of `skus` (SKU totals: the quantities do not count).
    fn facts_of(
        &mut self,
        config: &StoreConfig,
        skus: &[(&str, u32)],
    ) -> Result<CatalogFacts, EngineError> {
        let mut facts = CatalogFacts::with_capacity(skus.len());
        for (sku, _) in skus {
            self.host
                .find_product_into(&config.integration.store, sku, &mut facts)
                .map_err(commerce_failure)?;
        }
        Ok(facts)
    }

    /// Decides and carries out one snapshot. Commerce effects happen first, then the row is
    /// written; a failure in between is repaired by the next run (Commerce calls are
    /// idempotent per Amazon order). `retry_index` is the value of the order's blocked index
    /// when the caller read it (a tick's retry), so that an unchanged row still gets its
    /// current retry key.
    fn process(
        &mut self,
        config: &StoreConfig,
        row_keys: RowKeys,
        // Borrowed: a row moved in by value was copied whole, ~124 bytes charged a fuel a byte,
        // even when there is none.
        stored: Option<&AmazonOrderRow>,
        stored_json: Option<&str>,
        snapshot: Snapshot,
        retry_index: Option<&str>,
    ) -> Result<Outcome, EngineError> {
        // The SKUs whose facts the decision reads: none when it cannot depend on them.
        let needs_catalog = Self::needs_catalog(config, stored, &snapshot.order);
        let skus = if needs_catalog {
            sku_totals(&snapshot.items)
        } else {
            Vec::new()
        };
        let catalog = self.facts_of(config, &skus)?;
        let mut decision = decide_with(
            stored,
            &snapshot,
            &catalog,
            needs_catalog.then_some(skus.as_slice()),
            &config.orders,
            &config.integration,
        );
        if matches!(decision.action, Action::Skip | Action::Ignore) {
            return Ok(Outcome {
                amazon_order_id: snapshot.order.amazon_order_id.to_string(),
                decision,
                table_status: stored.map(|r| r.table_status),
                commerce: stored.and_then(|r| r.commerce.clone()),
            });
        }
        let store = config.integration.store.as_str();
        let id = snapshot.order.amazon_order_id.clone();
        let mut link = stored.and_then(|r| r.commerce.clone());
        let mut note: Option<String> = None;

        if let Some(hold) = &decision.reserve {
            match self.host.reserve(store, &id, hold) {
                Ok(()) => {}
                Err(CommerceError::Rejected(_)) => {
                    decision.reserve = None;
                    note = Some(
                        "Unable to reserve inventory as the quantity is not available.".into(),
                    );
                }
                Err(e) => return Err(commerce_failure(e)),
            }
        }
        if decision.release {
            self.host.release(store, &id).map_err(commerce_failure)?;
        }
        let failed = |decision: &mut Decision, message: String| {
            decision.table_status = TableStatus::Error;
            Some(message)
        };
        match decision.action {
            Action::Create { then_complete } => {
                // Matched by reference: moving the draft (~500 bytes) out cost 512 fuel.
                match &build_draft(
                    &snapshot.order,
                    &snapshot.items,
                    &config.orders,
                    &config.integration,
                ) {
                    Err(e) => {
                        note = failed(&mut decision, format!("Cannot create sales order: {e}"))
                    }
                    Ok(draft) => match self.host.create_order(draft) {
                        Ok(created) => {
                            link = Some(CommerceLink {
                                id: created.id,
                                increment_id: created.increment_id,
                                state: CommerceState::Processing,
                            });
                            if then_complete {
                                note = self.complete(store, &id, &mut decision, link.as_mut())?;
                            }
                        }
                        Err(CommerceError::Rejected(message)) => {
                            note = failed(
                                &mut decision,
                                format!("Cannot create sales order: {message}"),
                            )
                        }
                        Err(e) => return Err(commerce_failure(e)),
                    },
                }
            }
            Action::Complete => note = self.complete(store, &id, &mut decision, link.as_mut())?,
            Action::Cancel => {
                if let Some(l) = link.as_mut().filter(|l| l.state != CommerceState::Canceled) {
                    match self.host.cancel_order(store, &id) {
                        Ok(()) => l.state = CommerceState::Canceled,
                        Err(CommerceError::Rejected(message)) => {
                            note = failed(
                                &mut decision,
                                format!("Order cannot be canceled in Commerce. Reason: {message}"),
                            )
                        }
                        Err(e) => return Err(commerce_failure(e)),
                    }
                }
            }
            _ => {}
        }

        // Only a blocked decision is the same again while the catalog and settings are: a
        // failed creation may succeed with nothing changed, so it gets no key.
        let retry_key =
            (decision.action == Action::Blocked).then(|| retry::retry_key(config, &skus, &catalog));
        let mut row = next_row(stored, snapshot, &decision, store, &config.orders, link);
        if let Some(note) = note {
            row.notes = note;
        }
        // Compared as the text that is written anyway (a stored row is written as `text`
        // writes it), part by part: comparing the rows field by field took 2 KB of the
        // component.
        let text = row.text();
        // A retry whose key changed writes it with the row, even an unchanged one.
        let rekey =
            retry_index.is_some_and(|index| retry_key.as_deref().is_some_and(|key| key != index));
        if rekey || !stored_json.is_some_and(|stored| text.is(stored)) {
            self.write_row(row_keys, &row, &text, stored.is_none(), retry_key)?;
        }
        Ok(Outcome {
            amazon_order_id: id.into_owned(),
            decision,
            table_status: Some(row.table_status),
            commerce: row.commerce,
        })
    }

    fn complete(
        &mut self,
        store: &str,
        id: &str,
        decision: &mut Decision,
        link: Option<&mut CommerceLink>,
    ) -> Result<Option<String>, EngineError> {
        let Some(link) = link else {
            return Ok(None);
        };
        match self.host.complete_order(store, id) {
            Ok(()) => {
                link.state = CommerceState::Complete;
                decision.table_status = TableStatus::Completed;
                Ok(None)
            }
            Err(CommerceError::Rejected(message)) => {
                decision.table_status = TableStatus::Error;
                Ok(Some(format!(
                    "Failed to complete order. Please close the order manually. Reason: {message}"
                )))
            }
            Err(e) => Err(commerce_failure(e)),
        }
    }

    /// Whether `order` can be passed over without reading its row or fetching its items: the
    /// version marker written with the row (at its purchase-date index entry, `key`) says this
    /// snapshot (or a newer one) is applied. `None` when there is no such entry: no row of the
    /// order was written under that purchase date.
    fn already_applied(
        &mut self,
        key: &str,
        updated: DateTime<Utc>,
        status: &OrderStatus,
    ) -> Result<Option<bool>, EngineError> {
        let Some(marker) = self.host.storage_get(key)? else {
            return Ok(None);
        };
        let applied = split_once(&marker, [b' '; 2]).and_then(|(millis, marked)| {
            Some(Applied {
                last_update: DateTime::from_timestamp_millis(integer(millis)?)?,
                status: OrderStatus::parse(marked),
            })
        });
        Ok(Some(applied.is_some_and(|a| {
            a.is_newer_than(updated, status) || a.is(updated, status)
        })))
    }

    /// Keeps this store's entry of the blocked-stores list and the admin message current.
    /// The message last shown is remembered apart from the markers, so a failure between the
    /// marker write, the message call and its record is repaired on the next call.
    fn refresh_system_message(&mut self, config: &StoreConfig) -> Result<(), EngineError> {
        let store = config.integration.store.as_str();
        let has_blocked = !self
            .host
            .storage_list(&keys::blocked_prefix(store), None, 1)?
            .is_empty();
        let marker = keys::blocked_store(store);
        let name = &config.integration.name;
        if self.host.storage_get(&marker)?.as_deref() != has_blocked.then_some(name.as_str()) {
            let op = if has_blocked {
                StorageOp::Put(marker, name.clone())
            } else {
                StorageOp::Delete(marker)
            };
            self.host.storage_apply(vec![op])?;
        }
        let wanted = self.system_message()?;
        let shown = ShownMessage {
            message: wanted,
            confirmed: true,
        };
        let record: Option<ShownMessage> = self
            .host
            .storage_get(keys::SHOWN_MESSAGE)?
            .and_then(|v| ShownMessage::from_json(&v).ok());
        if record.as_ref() == Some(&shown) {
            return Ok(());
        }
        // Unconfirmed until the call returns: whatever fails in between, it is sent again.
        let pending = ShownMessage {
            confirmed: false,
            ..shown.clone()
        };
        self.host.storage_apply(vec![StorageOp::Put(
            keys::SHOWN_MESSAGE.to_owned(),
            pending.to_json(),
        )])?;
        self.host
            .set_admin_message(shown.message.as_deref())
            .map_err(commerce_failure)?;
        self.host.storage_apply(vec![StorageOp::Put(
            keys::SHOWN_MESSAGE.to_owned(),
            shown.to_json(),
        )])?;
        Ok(())
    }

    /// (store code, display name) of every store with orders that cannot be imported.
    fn blocked_store_names(&mut self) -> Result<Vec<(String, String)>, EngineError> {
        let mut names = Vec::new();
        self.host
            .storage_scan(keys::BLOCKED_STORES_PREFIX, |key, name| {
                names.push((keys::last_segment(key).to_owned(), name.to_owned()));
                Ok::<(), EngineError>(())
            })?;
        Ok(names)
    }

    /// Push path: the host hands over one order snapshot.
    pub fn on_amazon_order(
        &mut self,
        store: &str,
        now: DateTime<Utc>,
        order_json: &str,
        items_json: &str,
    ) -> Result<Outcome, EngineError> {
        Self::check_now(now)?;
        let order = parse_order(order_json)?;
        let items = parse_order_items(items_json)?;
        let config = self.config(store, false)?;
        self.with_lease(store, now, |engine| {
            let row_keys = RowKeys::new(store, &order.amazon_order_id);
            let text = engine.row_at(&row_keys.row)?;
            let stored = match &text {
                // Amazon notifies at least once: a snapshot pushed again is taken from the
                // push rather than read from the row a second time.
                Some(json) => Some(
                    AmazonOrderRow::from_json_knowing(json, &order, &items)
                        .map_err(|e| unreadable_row(&order.amazon_order_id, e))?,
                ),
                None => None,
            };
            let was_blocked = stored.as_ref().is_some_and(AmazonOrderRow::is_error);
            let snapshot = Snapshot { order, items };
            let outcome = engine.process(
                &config,
                row_keys,
                stored.as_ref(),
                text.as_deref(),
                snapshot,
                None,
            )?;
            // Only a blocked order, before or after, can change the message (four to seven host
            // calls): a push of one that stays blocked refreshes too, so that retrying a push
            // whose refresh failed repairs it. A refresh cut short after an order was unblocked
            // is completed by the next tick, which always refreshes.
            if was_blocked || outcome.table_status == Some(TableStatus::Error) {
                engine.refresh_system_message(&config)?;
            }
            Ok(outcome)
        })
    }

    /// A Commerce shipment or cancellation.
    pub fn on_commerce_event(
        &mut self,
        now: DateTime<Utc>,
        event: CommerceEvent,
    ) -> Result<(), EngineError> {
        Self::check_now(now)?;
        let store = match &event {
            CommerceEvent::Shipped(s) => s.store.clone(),
            CommerceEvent::Canceled { store, .. } => store.clone(),
        };
        self.config(&store, false)?;
        self.with_lease(&store, now, |engine| match event {
            CommerceEvent::Shipped(shipment) => engine.queue_shipment(shipment),
            CommerceEvent::Canceled {
                store,
                amazon_order_id,
            } => engine.canceled_in_commerce(&store, &amazon_order_id),
        })
    }

    /// The Commerce order was canceled by the merchant: only an unshipped order can be.
    fn canceled_in_commerce(&mut self, store: &str, id: &str) -> Result<(), EngineError> {
        let text = self
            .row_text(store, id)?
            .ok_or_else(|| EngineError::NotFound(id.to_owned()))?;
        let mut row = parse_row(id, &text)?;
        let Some(link) = row.commerce.as_mut() else {
            return Err(EngineError::InvalidInput(format!(
                "Amazon order {id} has no Commerce order to cancel"
            )));
        };
        if link.state == CommerceState::Canceled {
            return Ok(());
        }
        if !matches!(
            row.order.order_status,
            OrderStatus::Unshipped | OrderStatus::Pending
        ) {
            return Err(EngineError::InvalidInput(format!(
                "Amazon order {id} is {}: only unshipped orders can be canceled; handle it in Seller Central",
                row.order.order_status
            )));
        }
        link.state = CommerceState::Canceled;
        row.table_status = TableStatus::Canceled;
        row.notes = "Canceled in Commerce. Cancel the order in Seller Central as well.".into();
        self.save_row(&row, false)
    }

    /// The Amazon Orders grid.
    pub fn list_orders(
        &mut self,
        store: &str,
        query: &OrderQuery,
    ) -> Result<OrderPage, EngineError> {
        if !is_store_code(store) {
            return Err(EngineError::InvalidInput(format!(
                "\"{store}\" is not a store code"
            )));
        }
        let query = query.normalized();
        if query.is_unfiltered_newest_first() {
            // Served from the purchase-date index: cost follows the page, not the table.
            let wanted = (query.page as usize) * (query.page_size as usize);
            let mut ids = Vec::with_capacity(wanted);
            let mut after: Option<String> = None;
            while ids.len() < wanted {
                let limit = LIST_PAGE.min(u32::try_from(wanted - ids.len()).unwrap_or(LIST_PAGE));
                let page = self.host.storage_list(
                    &keys::by_date_prefix(store),
                    after.as_deref(),
                    limit,
                )?;
                let done = page.len() < limit as usize;
                after = page.last().map(|(k, _)| k.clone());
                ids.extend(
                    page.into_iter()
                        .map(|(k, _)| keys::last_segment(&k).to_owned()),
                );
                if done {
                    break;
                }
            }
            let skip = (query.page as usize - 1) * query.page_size as usize;
            let mut rows = Vec::new();
            for id in ids.iter().skip(skip) {
                if let Some(text) = self.row_text(store, id)? {
                    rows.push(AmazonOrderRow::grid_row(&text).map_err(|e| unreadable_row(id, e))?);
                }
            }
            let total = self.row_count(store)?;
            return Ok(OrderPage {
                rows,
                total,
                page: query.page,
                page_count: total.div_ceil(query.page_size),
            });
        }
        let mut rows = Vec::new();
        self.host
            .storage_scan(&keys::order_prefix(store), |key, json| {
                // Whether the row matches is found first, giving back what reading it took
                // (in the component, whose heap frees nothing): a row left out leaves nothing.
                // The rows kept, and an unreadable one for its error, are read again.
                // SAFETY: the result is a `bool`, and the arguments are shared references to
                // text and a query, which hold no interior mutability.
                let keep = unsafe {
                    crate::scoped(&(json, &query), |&(json, query)| {
                        AmazonOrderRow::grid_row(json).map_or(true, |row| query.matches(&row))
                    })
                };
                if !keep {
                    return Ok(());
                }
                let grid_row = AmazonOrderRow::grid_row(json).map_err(|e| {
                    EngineError::Host(format!("stored row {key} is unreadable: {e}"))
                })?;
                rows.push(grid_row);
                Ok::<(), EngineError>(())
            })?;
        // Rows were filtered while streaming from storage; only sorting and paging are left.
        Ok(sorted_page(rows, &query))
    }

    /// The stored row of one order as the details page JSON.
    pub fn order_detail(&mut self, store: &str, id: &str) -> Result<Option<String>, EngineError> {
        if !is_store_code(store) {
            return Err(EngineError::InvalidInput(format!(
                "\"{store}\" is not a store code"
            )));
        }
        match self.row_text(store, id)? {
            Some(text) => Ok(Some(parse_row(id, &text)?.detail().to_json())),
            None => Ok(None),
        }
    }

    /// The admin system message across all stores.
    pub fn system_message(&mut self) -> Result<Option<String>, EngineError> {
        let names = self.blocked_store_names()?;
        let shown: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
        Ok(system_message(&shown))
    }
}

/// The applied marker of a row's order, `<LastUpdateDate ms> <OrderStatus>` (`wit/STORAGE.md`),
/// written without `format!`'s machinery (each row saved writes one).
fn applied_marker(order: &Order) -> String {
    let mut w = Writer::with_capacity(32);
    w.int(order.last_update_date.timestamp_millis());
    w.raw(" ");
    w.raw(order.order_status.as_str());
    w.finish()
}

/// The blocked index's entry for `row`, which every write of a row carries: its retry key (see
/// [`retry`]; empty without one, so that the next tick reads the row to retry it) while the
/// row is in Error, none otherwise.
fn blocked_entry(row: &AmazonOrderRow, retry_key: Option<String>) -> StorageOp<'static> {
    let key = keys::blocked(&row.store, row.amazon_order_id());
    if row.is_error() {
        StorageOp::Put(key, retry_key.unwrap_or_default())
    } else {
        StorageOp::Delete(key)
    }
}

/// A stored row, read from (and borrowing) its text.
fn parse_row<'j>(id: &str, json: &'j str) -> Result<AmazonOrderRow<'j>, EngineError> {
    AmazonOrderRow::from_json(json).map_err(|e| unreadable_row(id, e))
}

fn unreadable_row(id: &str, e: ParseError) -> EngineError {
    EngineError::Host(format!("stored row of {id} is unreadable: {e}"))
}

fn commerce_failure(e: CommerceError) -> EngineError {
    EngineError::Host(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::write::assert_same_as_serde;

    /// The marker keeps the layout storage already holds, negative times included.
    #[test]
    fn applied_markers_are_millis_and_status() {
        let json = |updated: &str, status: &str| {
            format!(
                r#"{{"AmazonOrderId":"902-3159896-1390916","PurchaseDate":"1969-01-01T00:00:00Z","LastUpdateDate":"{updated}","OrderStatus":"{status}"}}"#
            )
        };
        for (updated, status) in [
            ("2026-11-02T10:05:00.123Z", "Unshipped"),
            ("1969-12-31T23:59:59Z", "SomethingNew"),
        ] {
            let text = json(updated, status);
            let order = parse_order(&text).unwrap();
            let expected = format!(
                "{} {}",
                order.last_update_date.timestamp_millis(),
                order.order_status
            );
            assert_eq!(applied_marker(&order), expected);
        }
    }

    #[test]
    fn lease_and_message_records_are_stored_as_serde_wrote_them() {
        let lease = LeaseValue {
            expires_at: 1_795_000_600_000,
        };
        assert_same_as_serde(&lease, LeaseValue::to_json, LeaseValue::from_json);
        for (message, confirmed) in [
            (None, true),
            (
                Some("Amazon orders of \"Main\"\nstore are blocked".to_owned()),
                false,
            ),
        ] {
            let shown = ShownMessage { message, confirmed };
            assert_same_as_serde(&shown, ShownMessage::to_json, ShownMessage::from_json);
        }
    }
}
