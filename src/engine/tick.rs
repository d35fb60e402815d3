//! The cron tick: push queued shipments, retry blocked orders, poll Amazon for changed orders.

use crate::prelude::*;
use chrono::{DateTime, Duration, Utc};

use super::retry;
use super::shipments::push_queue;
use super::spapi::{ApiFailure, Session, SpApi};
use super::{keys, Engine, EngineError, Outcome, RowKeys};
use crate::amazon::read::{read_object, Read, Reader};
use crate::amazon::write::{key, Writer};
use crate::amazon::{read_get_orders_page, read_json, PageOrder, PageRead, ParseError};
use crate::decide::{Action, Snapshot};
use crate::host::{Host, StorageOp};
use crate::settings::StoreConfig;
use crate::status::TableStatus;
use core::ops::ControlFlow;

/// Amazon's order data lags up to ~2 minutes: never ask for anything newer.
const AMAZON_DELAY: Duration = Duration::minutes(2);
/// Each window re-reads this much before the watermark, for orders Amazon indexed late.
const OVERLAP: Duration = Duration::minutes(5);
/// Blocked orders retried per tick.
const RETRY_BATCH: u32 = 100;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TickStatus {
    /// Everything due was done.
    #[default]
    Done,
    /// Amazon throttled or was unavailable; the rest waits for the next tick.
    Throttled,
    /// Another tick held the lease; nothing changed.
    Busy,
}

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    pub status: TickStatus,
    pub pulled: u32,
    pub created: u32,
    pub blocked: u32,
    pub completed: u32,
    pub canceled: u32,
    pub pushed: u32,
    pub skipped: u32,
    pub errors: Vec<String>,
}

impl TickReport {
    fn count(&mut self, outcome: &Outcome) {
        let created = outcome.commerce.is_some();
        match outcome.decision.action {
            Action::Create { then_complete } if created => {
                self.created += 1;
                if then_complete {
                    self.completed += 1;
                }
            }
            Action::Create { .. } | Action::Blocked => self.blocked += 1,
            Action::Complete => self.completed += 1,
            Action::Cancel => self.canceled += 1,
            Action::Skip => self.skipped += 1,
            Action::RecordOnly | Action::Ignore => {}
        }
    }
}

/// Progress through Amazon's order changes (`v1/s/<store>/poll`).
#[derive(Clone, Debug, Default)]
#[cfg_attr(test, derive(PartialEq, serde::Serialize, serde::Deserialize))]
struct PollState {
    /// Every change up to this time (ms) is processed.
    watermark: Option<i64>,
    /// The window being paged through, when a tick stopped inside it.
    window: Option<Window>,
}

#[derive(Clone, Debug)]
#[cfg_attr(test, derive(PartialEq, serde::Serialize, serde::Deserialize))]
struct Window {
    after: i64,
    before: i64,
    /// Token of the next page to read; `None` = the first page.
    next_token: Option<String>,
}

impl PollState {
    fn from_json(json: &str) -> Result<PollState, ParseError> {
        read_json("poll state", json, |r| {
            let mut state = PollState::default();
            read_object!(r, "a poll state", |r| {
                "watermark" => state.watermark = r.opt_i64()?,
                "window" => state.window = r.nullable(Window::read)?,
            });
            Ok(state)
        })
    }

    fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(128);
        w.object(|w| {
            w.nullable_member(key!("watermark"), self.watermark.as_ref(), |w, ms| {
                w.int(*ms)
            });
            w.nullable_member(key!("window"), self.window.as_ref(), |w, window| {
                w.object(|w| {
                    w.key(key!("after")).int(window.after);
                    w.key(key!("before")).int(window.before);
                    w.nullable_member(
                        key!("next_token"),
                        window.next_token.as_deref(),
                        Writer::string,
                    );
                })
            });
        });
        w.finish()
    }
}

impl Window {
    fn read(r: &mut Reader<'_>) -> Read<Window> {
        let (mut after, mut before, mut next_token) = (None, None, None);
        read_object!(r, "a poll window", |r| {
            "after" => after = Some(r.i64()?),
            "before" => before = Some(r.i64()?),
            "next_token" => next_token = r.opt_string()?,
        });
        Ok(Window {
            after: r.required(after, "after")?,
            before: r.required(before, "before")?,
            next_token,
        })
    }
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl<H: Host> Engine<H> {
    /// Pull path for one store. A busy store reports `Busy` and changes nothing.
    pub fn on_cron_tick(
        &mut self,
        store: &str,
        now: DateTime<Utc>,
    ) -> Result<TickReport, EngineError> {
        Self::check_now(now)?;
        let config = self.config(store, true)?;
        match self.with_lease(store, now, |engine| engine.tick(&config, now)) {
            Err(EngineError::Busy) => Ok(TickReport {
                status: TickStatus::Busy,
                ..TickReport::default()
            }),
            other => other,
        }
    }

    fn tick(
        &mut self,
        config: &StoreConfig,
        now: DateTime<Utc>,
    ) -> Result<TickReport, EngineError> {
        let mut report = TickReport::default();
        self.retry_blocked(config, &mut report)?;
        match &config.api {
            Some(api_config) => {
                let mut session = Session::default();
                let mut api = SpApi {
                    host: &mut self.host,
                    session: &mut session,
                    store: &config.integration.store,
                    api: api_config,
                    marketplace_id: &config.integration.marketplace_id,
                    now,
                };
                push_queue(&mut api, &mut report)?;
                let polled = self.poll(config, api_config, &mut session, now, &mut report);
                let buckets = session.flush(&config.integration.store);
                if !buckets.is_empty() {
                    self.host.storage_apply(buckets)?;
                }
                polled?;
            }
            None => report
                .errors
                .push("no SP-API credentials configured: only pushed orders are imported".into()),
        }
        self.refresh_system_message(config)?;
        Ok(report)
    }

    /// Re-decides every order that could not be imported: fixed causes create the order now.
    fn retry_blocked(
        &mut self,
        config: &StoreConfig,
        report: &mut TickReport,
    ) -> Result<(), EngineError> {
        let store = config.integration.store.as_str();
        // Batch after batch, tick after tick, then from the start again: a store with more
        // blocked orders than a batch has each of them retried in turn.
        let cursor = keys::retry_cursor(store);
        let after = self.host.storage_get(&cursor)?;
        let prefix = keys::blocked_prefix(store);
        let mut blocked = self
            .host
            .storage_list(&prefix, after.as_deref(), RETRY_BATCH)?;
        if blocked.is_empty() && after.is_some() {
            // The last batch ended the list: from the start again, in this tick.
            blocked = self.host.storage_list(&prefix, None, RETRY_BATCH)?;
        }
        let mut ops = Vec::new();
        // Where the next tick goes on: after the last order of a full batch, or after one whose
        // retry failed (an unreadable row fails every time, and must not keep the orders after
        // it from ever being retried).
        let mut resume_after = (blocked.len() == RETRY_BATCH as usize)
            .then(|| blocked.last().map(|(last, _)| last.clone()))
            .flatten();
        for (key, value) in &blocked {
            match self.retry(config, key, value, report) {
                Ok(true) => {}
                // Its row is gone, or no longer in Error: so is its entry.
                Ok(false) => ops.push(StorageOp::Delete(key.clone())),
                Err(e @ EngineError::Host(_)) => {
                    let id = keys::last_segment(key);
                    report.errors.push(format!("{id}: {e}"));
                    resume_after = Some(key.clone());
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        match resume_after {
            Some(key) => ops.push(StorageOp::Put(cursor, key)),
            None if after.is_some() => ops.push(StorageOp::Delete(cursor)),
            None => {}
        }
        if !ops.is_empty() {
            self.host.storage_apply(ops)?;
        }
        Ok(())
    }

    /// Retries the blocked order of index entry `key`, whose value is `retry_key`: passed over
    /// while that key is current, else read and decided again. Whether the entry stays: its
    /// row is there and still in Error.
    fn retry(
        &mut self,
        config: &StoreConfig,
        key: &str,
        retry_key: &str,
        report: &mut TickReport,
    ) -> Result<bool, EngineError> {
        if let Some(skus) = retry::skus_of(retry_key) {
            let facts = self.facts_of(config, &skus)?;
            if retry::retry_key(config, &skus, &facts) == retry_key {
                // The same decision again: blocked, with nothing to read or write.
                report.blocked += 1;
                return Ok(true);
            }
        }
        let id = keys::last_segment(key);
        let row_keys = RowKeys::new(&config.integration.store, id);
        let Some(text) = self.row_at(&row_keys.row)? else {
            return Ok(false);
        };
        let row = super::parse_row(id, &text)?;
        // Clones of borrowed text: no string is copied.
        let snapshot = Snapshot {
            order: row.order.clone(),
            items: row.items.clone(),
        };
        let outcome = self.process(
            config,
            row_keys,
            Some(&row),
            Some(&text),
            snapshot,
            Some(retry_key),
        )?;
        report.count(&outcome);
        Ok(outcome.table_status == Some(TableStatus::Error))
    }

    /// Reads Amazon's changed orders window by window, page by page. The cursor is saved after
    /// each fully processed page, so a stop anywhere resumes at the first unprocessed page.
    fn poll(
        &mut self,
        config: &StoreConfig,
        api_config: &crate::settings::ApiConfig,
        session: &mut Session,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), EngineError> {
        let store = config.integration.store.as_str();
        let key = keys::poll(store);
        let mut state: PollState = self
            .host
            .storage_get(&key)?
            .and_then(|v| PollState::from_json(&v).ok())
            .unwrap_or_default();
        // A tick that stopped inside a page left the rest of it: go on from there rather than
        // fetch the page again (which costs a getOrders call, of which there is one a minute).
        let mut kept_page = match state.window {
            Some(_) => self.host.storage_get(&keys::page(store))?,
            None => None,
        };
        let mut window = match state.window.take() {
            Some(window) => window,
            None => {
                let from = state
                    .watermark
                    .map(at)
                    .unwrap_or(config.integration.integrated_at);
                let window = Window {
                    // In milliseconds, which cannot overflow within chrono's range of years
                    // (chrono's checked subtraction was 850 bytes of the component).
                    after: from.timestamp_millis() - OVERLAP.num_milliseconds(),
                    before: now.timestamp_millis() - AMAZON_DELAY.num_milliseconds(),
                    next_token: None,
                };
                if window.before <= window.after {
                    return Ok(());
                }
                window
            }
        };
        loop {
            let page_was_kept = kept_page.is_some();
            let body = match kept_page.take() {
                Some(body) => body,
                None => {
                    let mut api = SpApi {
                        host: &mut self.host,
                        session: &mut *session,
                        store,
                        api: api_config,
                        marketplace_id: &config.integration.marketplace_id,
                        now,
                    };
                    match api.get_orders(
                        at(window.after),
                        at(window.before),
                        window.next_token.as_deref(),
                    ) {
                        Ok(body) => body,
                        Err(failure) => return stop(report, failure),
                    }
                }
            };
            let read = read_get_orders_page(&body, |order| {
                report.pulled += 1;
                match self.pull_order(config, api_config, session, now, order, report) {
                    Ok(Ok(())) => ControlFlow::Continue(()),
                    Ok(Err(failure)) => ControlFlow::Break(Ok(failure)),
                    Err(e) => ControlFlow::Break(Err(e)),
                }
            });
            let next_token = match read {
                Ok(PageRead::Done(next_token)) => next_token,
                Ok(PageRead::Stopped(Err(e), _)) => return Err(e),
                Ok(PageRead::Stopped(Ok(ApiFailure::Invalid(unreadable)), _)) | Err(unreadable) => {
                    // A page, or an order's items, that cannot be read: the next tick asks
                    // Amazon for the page again rather than keep a rest that would stop it at
                    // the same place; the orders before the fault are passed over then.
                    if page_was_kept {
                        self.host
                            .storage_apply(vec![StorageOp::Delete(keys::page(store))])?;
                    }
                    return stop(report, unreadable.into());
                }
                Ok(PageRead::Stopped(Ok(failure), rest)) => {
                    let resume = PollState {
                        watermark: state.watermark,
                        window: Some(window),
                    };
                    self.host.storage_apply(vec![
                        StorageOp::PutParts(keys::page(store), &rest),
                        StorageOp::Put(key, resume.to_json()),
                    ])?;
                    return stop(report, failure);
                }
            };
            let state = match next_token {
                Some(token) => {
                    window.next_token = Some(token);
                    PollState {
                        watermark: state.watermark,
                        window: Some(window.clone()),
                    }
                }
                None => PollState {
                    watermark: Some(window.before),
                    window: None,
                },
            };
            let done = state.window.is_none();
            let mut ops = session.flush(store);
            ops.push(StorageOp::Put(key.clone(), state.to_json()));
            // Always: a kept rest may only ever belong to the page the poll state points into.
            ops.push(StorageOp::Delete(keys::page(store)));
            self.host.storage_apply(ops)?;
            if done {
                return Ok(());
            }
        }
    }

    /// One order of a getOrders page. The outer error aborts the tick; the inner one stops the
    /// page (throttled, outage) so the cursor stays before it.
    fn pull_order(
        &mut self,
        config: &StoreConfig,
        api_config: &crate::settings::ApiConfig,
        session: &mut Session,
        now: DateTime<Utc>,
        order: PageOrder<'_>,
        report: &mut TickReport,
    ) -> Result<Result<(), ApiFailure>, EngineError> {
        let store = config.integration.store.as_str();
        let (id, purchased, updated, status) = match &order {
            PageOrder::Read(o) => (
                &o.amazon_order_id,
                o.purchase_date,
                o.last_update_date,
                &o.order_status,
            ),
            PageOrder::Unreadable(h, _) => (
                &h.amazon_order_id,
                h.purchase_date,
                h.last_update_date,
                &h.order_status,
            ),
        };
        if purchased < config.integration.integrated_at {
            report.skipped += 1;
            return Ok(Ok(()));
        }
        let by_date = keys::by_date(store, purchased.timestamp_millis(), id);
        let written_before = match self.already_applied(&by_date, updated, status)? {
            Some(true) => return Ok(Ok(())),
            Some(false) => true,
            None => false,
        };
        let order = match order {
            PageOrder::Read(order) => order,
            PageOrder::Unreadable(_, error) => return Ok(Err(error.into())),
        };
        let row_keys = RowKeys {
            row: keys::order(store, &order.amazon_order_id),
            by_date: Some(by_date),
            written_before,
        };
        let text = self.row_at(&row_keys.row)?;
        let stored = match &text {
            Some(json) => Some(super::parse_row(&order.amazon_order_id, json)?),
            None => None,
        };
        let mut items_text = None;
        let items = {
            let mut api = SpApi {
                host: &mut self.host,
                session,
                store,
                api: api_config,
                marketplace_id: &config.integration.marketplace_id,
                now,
            };
            match api.get_order_items(&order.amazon_order_id, &mut items_text) {
                Ok(items) => items,
                Err(failure) => return Ok(Err(failure)),
            }
        };
        let id = order.amazon_order_id.clone();
        match self.process(
            config,
            row_keys,
            stored.as_ref(),
            text.as_deref(),
            Snapshot { order, items },
            None,
        ) {
            Ok(outcome) => {
                report.count(&outcome);
                Ok(Ok(()))
            }
            Err(EngineError::Host(message)) => {
                Ok(Err(ApiFailure::Unavailable(format!("{id}: {message}"))))
            }
            Err(other) => Err(other),
        }
    }
}

/// Ends the polling part of a tick after a failed call, saying why in the report.
fn stop(report: &mut TickReport, failure: ApiFailure) -> Result<(), EngineError> {
    match failure {
        ApiFailure::Throttled => report.status = TickStatus::Throttled,
        ApiFailure::Unavailable(message) => {
            report.status = TickStatus::Throttled;
            report.errors.push(message);
        }
        ApiFailure::Storage(e) => return Err(e.into()),
        other => report.errors.push(other.to_string()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::write::assert_same_as_serde;

    #[test]
    fn poll_states_are_stored_as_serde_wrote_them() {
        let window = |next_token: Option<&str>| Window {
            after: 1_793_000_000_000,
            before: 1_795_000_000_000,
            next_token: next_token.map(str::to_owned),
        };
        for state in [
            PollState::default(),
            PollState {
                watermark: Some(1_795_000_000_000),
                window: None,
            },
            PollState {
                watermark: None,
                window: Some(window(None)),
            },
            PollState {
                watermark: Some(-1),
                window: Some(window(Some("2YgYW55IGNhcm5hbCBwbGVhcw=="))),
            },
        ] {
            assert_same_as_serde(&state, PollState::to_json, PollState::from_json);
        }
    }
}
