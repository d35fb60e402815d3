//! The pure per-order decision: given what is stored, the new Amazon snapshot, catalog facts,
//! the order settings and the store integration, what should happen. No I/O here; the engine
//! performs the decision.

use crate::amazon::money::{decimal_into, DECIMAL_BYTES};
use crate::prelude::*;
use crate::text::{ascii, concat, join};
use core::fmt;

use chrono::{DateTime, Utc};

use crate::amazon::{Order, OrderStatus, SentItems, SentOrder};
use crate::blockers::{
    evaluate, evaluate_totals, quantities_by_sku, Blocker, CatalogFacts, SkuQty,
};
use crate::row::{AmazonOrderRow, CommerceLink, ROW_VERSION};
use crate::settings::{OrderSettings, StoreIntegration};
use crate::status::{
    creates_commerce_order, progress_rank, reserves_quantity, table_status, CommerceState,
    TableStatus,
};

/// One Amazon order as Amazon reported it at one moment, with the JSON it came in (the row
/// stores that text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot<'a> {
    pub order: SentOrder<'a>,
    pub items: SentItems<'a>,
}

/// What to do with the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Store the row only (view-only, waiting for a creating status, or nothing to do).
    RecordOnly,
    /// Create the Commerce order; complete it at once when Amazon already shipped it.
    Create { then_complete: bool },
    /// Creation is blocked; store the blockers and retry every sync.
    Blocked,
    /// Complete the linked Commerce order (Amazon reports `Shipped`).
    Complete,
    /// Amazon canceled the order: cancel the Commerce order and release held stock.
    Cancel,
    /// Purchased before the store was integrated: never imported.
    Skip,
    /// An older or identical snapshot: nothing changes.
    Ignore,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::RecordOnly => "record-only",
            Action::Create { .. } => "create",
            Action::Blocked => "blocked",
            Action::Complete => "complete",
            Action::Cancel => "cancel",
            Action::Skip => "skip",
            Action::Ignore => "ignore",
        }
    }
}

/// Why, in words a merchant understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    BeforeIntegration,
    Stale,
    Unchanged,
    ViewOnly,
    AwaitingPayment(TableStatus),
    FbaCreatedWhenShipped,
    StatusCreatesNothing(TableStatus),
    UnknownChannel,
    /// Amazon status, and the Commerce status the new order gets.
    Created(TableStatus, String),
    CreatedShipped,
    Blocked(usize),
    Completed,
    Canceled,
    Linked(TableStatus),
}

impl Reason {
    /// The reason in words. Put together from its parts rather than formatted: every decision
    /// has one, and `fmt::write` cost a push 310 fuel more than this.
    pub fn text(&self) -> String {
        let mut digits = [0; DECIMAL_BYTES];
        let parts: &[&str] = match self {
            Reason::BeforeIntegration => {
                &["Purchased before the store was integrated: such orders are never imported."]
            }
            Reason::Stale => {
                &["An older update of this order arrived after a newer one and was ignored."]
            }
            Reason::Unchanged => &["Nothing changed since the last update."],
            Reason::ViewOnly => &[
                "Import Amazon Orders is disabled: the order is view-only and opens in Seller Central.",
            ],
            Reason::AwaitingPayment(s) => &[
                "Amazon status is ",
                s.as_str(),
                ": the Commerce order is created when Amazon moves it to Unshipped.",
            ],
            Reason::FbaCreatedWhenShipped => &["FBA orders are created when Amazon ships them."],
            Reason::StatusCreatesNothing(s) => &[
                "Amazon status ",
                s.as_str(),
                " does not create a Commerce order.",
            ],
            Reason::UnknownChannel => {
                &["Amazon did not say who fulfills the order; it is created once it does."]
            }
            Reason::Created(s, commerce) => &[
                "Amazon status is ",
                s.as_str(),
                ": the Commerce order is created in status ",
                commerce,
                ".",
            ],
            Reason::CreatedShipped => &[
                "Amazon already shipped the order: the Commerce order is created and completed.",
            ],
            Reason::Blocked(n) => &[
                ascii(decimal_into(*n as u64, &mut digits)),
                " problem(s) keep the Commerce order from being created; it is created on the next sync once they are fixed.",
            ],
            Reason::Completed => {
                &["Amazon reports the order Shipped: the Commerce order is completed."]
            }
            Reason::Canceled => &[
                "Amazon canceled the order: the Commerce order is canceled and held stock is released.",
            ],
            Reason::Linked(s) => &[
                "The Commerce order exists; Amazon status is ",
                s.as_str(),
                ".",
            ],
        };
        concat(parts)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// The decision for one snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    /// Table status once the action is done.
    pub table_status: TableStatus,
    pub blockers: Vec<Blocker>,
    /// Quantity to hold for a Pending order (*Reserve Quantity*).
    pub reserve: Option<Vec<SkuQty>>,
    /// Return quantity this order holds.
    pub release: bool,
    pub reason: Reason,
}

impl Decision {
    fn new(action: Action, table_status: TableStatus, reason: Reason) -> Self {
        Decision {
            action,
            table_status,
            blockers: Vec::new(),
            reserve: None,
            release: false,
            reason,
        }
    }
}

/// The version of an Amazon order that a row last applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub last_update: DateTime<Utc>,
    pub status: OrderStatus,
}

impl Applied {
    pub fn of(row: &AmazonOrderRow<'_>) -> Self {
        Applied {
            last_update: row.order.last_update_date,
            status: row.order.order_status.clone(),
        }
    }

    /// Whether a snapshot of `last_update` and `status` is older than this: an earlier
    /// `LastUpdateDate`, or a status that would move the order backwards.
    pub fn is_newer_than(&self, last_update: DateTime<Utc>, status: &OrderStatus) -> bool {
        last_update < self.last_update || progress_rank(status) < progress_rank(&self.status)
    }

    /// Whether a snapshot of `last_update` and `status` is exactly this version.
    pub fn is(&self, last_update: DateTime<Utc>, status: &OrderStatus) -> bool {
        last_update == self.last_update && *status == self.status
    }
}

/// Whether `snapshot` is older than what `row` already shows.
pub fn is_stale(row: &AmazonOrderRow<'_>, snapshot: &Order<'_>) -> bool {
    Applied::of(row).is_newer_than(snapshot.last_update_date, &snapshot.order_status)
}

/// Whether `snapshot` is exactly what the row already applied.
pub fn is_unchanged(row: &AmazonOrderRow<'_>, snapshot: &Order<'_>) -> bool {
    Applied::of(row).is(snapshot.last_update_date, &snapshot.order_status)
}

/// Decides what to do with `snapshot`.
pub fn decide(
    stored: Option<&AmazonOrderRow<'_>>,
    snapshot: &Snapshot<'_>,
    catalog: &CatalogFacts,
    settings: &OrderSettings,
    store: &StoreIntegration,
) -> Decision {
    decide_with(stored, snapshot, catalog, None, settings, store)
}

/// [`decide`] with the [`sku_totals`] of the snapshot's items when the caller worked them out
/// already (to look the catalog up).
pub(crate) fn decide_with(
    stored: Option<&AmazonOrderRow<'_>>,
    snapshot: &Snapshot<'_>,
    catalog: &CatalogFacts,
    totals: Option<&[(&str, u32)]>,
    settings: &OrderSettings,
    store: &StoreIntegration,
) -> Decision {
    let blockers_of = |held: &[SkuQty]| match totals {
        Some(totals) => evaluate_totals(totals, catalog, held),
        None => evaluate(&snapshot.items, catalog, held),
    };
    let order = &snapshot.order;
    let status = &order.order_status;
    let amazon_table_status = table_status(status);
    if order.purchase_date < store.integrated_at {
        return Decision::new(Action::Skip, amazon_table_status, Reason::BeforeIntegration);
    }
    if let Some(row) = stored {
        if is_stale(row, order) {
            return Decision::new(Action::Ignore, row.table_status, Reason::Stale);
        }
    }
    let held: &[SkuQty] = stored.map_or(&[], |r| &r.reserved);
    let linked = stored.and_then(|r| r.commerce.as_ref());

    let decision = match (linked, status) {
        (Some(link), OrderStatus::Canceled) if link.state != CommerceState::Canceled => Decision {
            release: !held.is_empty(),
            ..Decision::new(Action::Cancel, TableStatus::Canceled, Reason::Canceled)
        },
        (Some(link), OrderStatus::Shipped) if link.state == CommerceState::Processing => {
            Decision::new(Action::Complete, TableStatus::Completed, Reason::Completed)
        }
        (Some(link), _) => {
            let shown = match link.state {
                CommerceState::Complete => TableStatus::Completed,
                CommerceState::Canceled => TableStatus::Canceled,
                CommerceState::Processing => amazon_table_status,
            };
            Decision::new(
                Action::RecordOnly,
                shown,
                Reason::Linked(amazon_table_status),
            )
        }
        (None, OrderStatus::Canceled) => Decision {
            release: !held.is_empty(),
            ..Decision::new(Action::Cancel, TableStatus::Canceled, Reason::Canceled)
        },
        (None, _) if !settings.import_orders => Decision {
            release: !held.is_empty(),
            ..Decision::new(Action::RecordOnly, amazon_table_status, Reason::ViewOnly)
        },
        (None, _) if creates_commerce_order(status, order.channel()) => {
            let blockers = blockers_of(held);
            if blockers.is_empty() {
                let shipped = *status == OrderStatus::Shipped;
                let (shown, reason) = if shipped {
                    (TableStatus::Completed, Reason::CreatedShipped)
                } else {
                    (
                        amazon_table_status,
                        Reason::Created(amazon_table_status, settings.processing_status.clone()),
                    )
                };
                Decision::new(
                    Action::Create {
                        then_complete: shipped,
                    },
                    shown,
                    reason,
                )
            } else {
                let reason = Reason::Blocked(blockers.len());
                Decision {
                    blockers,
                    ..Decision::new(Action::Blocked, TableStatus::Error, reason)
                }
            }
        }
        (None, _) => waiting(snapshot, settings, held, blockers_of),
    };
    match stored {
        Some(row)
            if decision.action == Action::RecordOnly
                && decision.reserve.is_none()
                && !decision.release
                && is_unchanged(row, order)
                && row.view_only != settings.import_orders =>
        {
            Decision::new(Action::Ignore, row.table_status, Reason::Unchanged)
        }
        _ => decision,
    }
}

/// A not yet creatable order: say why, and hold its quantity when the settings ask for it and
/// the catalog can cover it.
fn waiting(
    snapshot: &Snapshot<'_>,
    settings: &OrderSettings,
    held: &[SkuQty],
    blockers_of: impl FnOnce(&[SkuQty]) -> Vec<Blocker>,
) -> Decision {
    let order = &snapshot.order;
    let status = &order.order_status;
    let shown = table_status(status);
    let reason = match (order.channel(), status) {
        (None | Some(crate::amazon::FulfillmentChannel::Unknown(_)), _) => Reason::UnknownChannel,
        (Some(crate::amazon::FulfillmentChannel::Afn), _) if progress_rank(status) < 4 => {
            Reason::FbaCreatedWhenShipped
        }
        (_, OrderStatus::Pending | OrderStatus::PendingAvailability) => {
            Reason::AwaitingPayment(shown)
        }
        _ => Reason::StatusCreatesNothing(shown),
    };
    let wants_hold = settings.reserve_pending && reserves_quantity(status, order.channel());
    let reserve = (wants_hold && held.is_empty() && blockers_of(held).is_empty())
        .then(|| quantities_by_sku(&snapshot.items))
        .filter(|q| !q.is_empty());
    Decision {
        reserve,
        release: !wants_hold && !held.is_empty(),
        ..Decision::new(Action::RecordOnly, shown, reason)
    }
}

/// The row after `decision` was carried out. `link` is the Commerce order when one exists
/// (just created, or already linked); `note` overrides the default note.
pub fn next_row<'a>(
    stored: Option<&AmazonOrderRow<'_>>,
    snapshot: Snapshot<'a>,
    decision: &Decision,
    store: &'a str,
    settings: &OrderSettings,
    link: Option<CommerceLink>,
) -> AmazonOrderRow<'a> {
    let mut reserved = stored.map(|r| r.reserved.clone()).unwrap_or_default();
    if decision.release || link.is_some() {
        reserved.clear();
    }
    if let Some(hold) = &decision.reserve {
        reserved = hold.clone();
    }
    let notes = note_for(stored, &snapshot, decision, link.as_ref());
    AmazonOrderRow {
        v: ROW_VERSION,
        store: store.into(),
        order: snapshot.order,
        items: snapshot.items,
        table_status: decision.table_status,
        commerce: link,
        blockers: decision.blockers.clone(),
        notes,
        reserved,
        shipments: stored.map(|r| r.shipments.clone()).unwrap_or_default(),
        view_only: stored.and_then(|r| r.commerce.as_ref()).is_none() && !settings.import_orders,
    }
}

fn note_for(
    stored: Option<&AmazonOrderRow<'_>>,
    snapshot: &Snapshot<'_>,
    decision: &Decision,
    link: Option<&CommerceLink>,
) -> String {
    match decision.action {
        Action::Blocked => join(decision.blockers.iter().map(|b| b.message.as_str()), "; "),
        Action::Create { then_complete } => match link {
            Some(link) if then_complete => concat(&[
                "Commerce order ",
                &link.increment_id,
                " created and completed.",
            ]),
            Some(link) => concat(&["Commerce order ", &link.increment_id, " created."]),
            None => String::new(),
        },
        Action::Complete => "Status updated to Completed.".to_owned(),
        Action::Cancel => "Status updated to Canceled.".to_owned(),
        _ if decision.reserve.is_some() => "Inventory reserved.".to_owned(),
        _ => {
            let status_changed = stored
                .map(|r| r.order.order_status != snapshot.order.order_status)
                .unwrap_or(true);
            match stored {
                Some(r) if !status_changed => r.notes.clone(),
                _ => format!("Status updated to {}.", snapshot.order.order_status),
            }
        }
    }
}

/// The admin system message for the stores that have orders that cannot be imported; `None`
/// when there are none.
pub fn system_message<S: AsRef<str>>(store_names: &[S]) -> Option<String> {
    if store_names.is_empty() {
        return None;
    }
    let names = join(store_names.iter().map(AsRef::as_ref), ", ");
    Some(format!(
        "Your Amazon store(s) has orders that cannot be imported into Commerce. See Recent Orders in the store dashboard(s): {names}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine hands `decide_with` the SKU totals it looked the catalog up with: the same
    /// decision as `decide` working them out, blocked, created or holding stock.
    #[test]
    fn a_decision_with_the_sku_totals_given_is_the_decision_without() {
        use crate::amazon::{parse_order, parse_order_items};
        use crate::blockers::{sku_totals, ProductFact};
        let items = parse_order_items(
            r#"[{"ASIN":"B1","OrderItemId":"1","SellerSKU":"A","QuantityOrdered":2},
                {"ASIN":"B2","OrderItemId":"2","SellerSKU":"B","QuantityOrdered":1},
                {"ASIN":"B3","OrderItemId":"3","SellerSKU":"A","QuantityOrdered":2}]"#,
        )
        .unwrap();
        let store = StoreIntegration {
            store: "default".into(),
            name: "Acme".into(),
            marketplace_id: "ATVPDKIKX0DER".into(),
            integrated_at: DateTime::UNIX_EPOCH,
        };
        let fact = |sku: &str, enabled: bool, qty: Option<i64>| ProductFact {
            sku: sku.into(),
            name: String::new(),
            enabled,
            qty,
        };
        let catalogs = [
            vec![fact("A", true, Some(4)), fact("B", true, None)],
            vec![fact("A", true, Some(3)), fact("B", true, None)],
            vec![fact("A", false, Some(9)), fact("B", true, Some(1))],
            vec![fact("B", true, Some(1))],
            vec![fact("A", true, Some(4))],
            vec![fact("A", true, None), fact("B", true, Some(0))],
        ];
        for (status, channel) in [("Unshipped", "MFN"), ("Pending", "MFN"), ("Shipped", "AFN")] {
            let json = format!(
                r#"{{"AmazonOrderId":"111-0000001-0000001","PurchaseDate":"2026-11-01T00:00:00Z",
                "LastUpdateDate":"2026-11-01T00:00:00Z","OrderStatus":"{status}",
                "FulfillmentChannel":"{channel}"}}"#
            );
            let order = parse_order(&json).unwrap();
            let snapshot = Snapshot {
                order,
                items: items.clone(),
            };
            let totals = sku_totals(&snapshot.items);
            for facts in &catalogs {
                let catalog: CatalogFacts = facts.iter().cloned().collect();
                for reserve_pending in [false, true] {
                    let settings = OrderSettings {
                        reserve_pending,
                        ..OrderSettings::default()
                    };
                    let given =
                        decide_with(None, &snapshot, &catalog, Some(&totals), &settings, &store);
                    let worked_out = decide(None, &snapshot, &catalog, &settings, &store);
                    assert_eq!(given, worked_out, "{status} {facts:?} {reserve_pending}");
                }
            }
        }
    }

    #[test]
    fn every_reason_reads_as_its_sentence() {
        let custom = "amazon_new".to_owned();
        let cases = [
            (
                Reason::BeforeIntegration,
                "Purchased before the store was integrated: such orders are never imported.",
            ),
            (
                Reason::Stale,
                "An older update of this order arrived after a newer one and was ignored.",
            ),
            (Reason::Unchanged, "Nothing changed since the last update."),
            (
                Reason::ViewOnly,
                "Import Amazon Orders is disabled: the order is view-only and opens in Seller Central.",
            ),
            (
                Reason::AwaitingPayment(TableStatus::Pending),
                "Amazon status is Pending: the Commerce order is created when Amazon moves it to Unshipped.",
            ),
            (
                Reason::FbaCreatedWhenShipped,
                "FBA orders are created when Amazon ships them.",
            ),
            (
                Reason::StatusCreatesNothing(TableStatus::Unfulfillable),
                "Amazon status Unfulfillable does not create a Commerce order.",
            ),
            (
                Reason::UnknownChannel,
                "Amazon did not say who fulfills the order; it is created once it does.",
            ),
            (
                Reason::Created(TableStatus::Unshipped, custom.clone()),
                "Amazon status is Unshipped: the Commerce order is created in status amazon_new.",
            ),
            (
                Reason::CreatedShipped,
                "Amazon already shipped the order: the Commerce order is created and completed.",
            ),
            (
                Reason::Blocked(12),
                "12 problem(s) keep the Commerce order from being created; it is created on the next sync once they are fixed.",
            ),
            (
                Reason::Blocked(usize::MAX),
                if usize::BITS == 64 {
                    "18446744073709551615 problem(s) keep the Commerce order from being created; it is created on the next sync once they are fixed."
                } else {
                    "4294967295 problem(s) keep the Commerce order from being created; it is created on the next sync once they are fixed."
                },
            ),
            (
                Reason::Blocked(0),
                "0 problem(s) keep the Commerce order from being created; it is created on the next sync once they are fixed.",
            ),
            (
                Reason::Completed,
                "Amazon reports the order Shipped: the Commerce order is completed.",
            ),
            (
                Reason::Canceled,
                "Amazon canceled the order: the Commerce order is canceled and held stock is released.",
            ),
            (
                Reason::Linked(TableStatus::Shipped),
                "The Commerce order exists; Amazon status is Shipped.",
            ),
        ];
        for (reason, sentence) in cases {
            assert_eq!(reason.text(), sentence);
            assert_eq!(reason.to_string(), sentence);
        }
    }
}
