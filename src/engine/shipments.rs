//! Commerce shipments → Amazon `confirmShipment`: queued on the event, pushed on the tick.

use crate::prelude::*;
use chrono::{DateTime, SecondsFormat, Utc};

use super::spapi::{ApiFailure, SpApi};
use super::tick::{TickReport, TickStatus};
use super::{blocked_entry, keys, Engine, EngineError, LIST_PAGE};
use crate::amazon::read::read_object;
use crate::amazon::write::{key, Writer};
use crate::amazon::{
    read_json, ConfirmShipmentItem, ConfirmShipmentRequest, PackageDetail, ParseError,
};
use crate::amazon::{rfc3339_into, RFC3339_BYTES};
use crate::blockers::SkuQty;
use crate::host::{Host, StorageOp};
use crate::row::{AmazonOrderRow, ShipmentRecord, ShipmentState};

/// A rejected confirmation is tried this many times before it is marked failed.
const MAX_PUSH_ATTEMPTS: u32 = 3;

/// A shipment created in Commerce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shipment {
    pub store: String,
    pub amazon_order_id: String,
    /// Commerce's id of the shipment; a repeated event with the same id changes nothing.
    pub shipment_id: String,
    /// Commerce carrier code (`ups`, `fedex`, `usps`, or a custom one).
    pub carrier: String,
    pub carrier_title: String,
    pub tracking_number: String,
    /// Empty = everything not shipped yet.
    pub items: Vec<SkuQty>,
    pub shipped_at: DateTime<Utc>,
}

/// Amazon carrier code for a Commerce carrier: FedEx, UPS and USPS map to Amazon's codes;
/// anything else is sent as `Other` with its name.
pub fn carrier_code(carrier: &str) -> Option<&'static str> {
    match carrier.trim().to_ascii_lowercase().as_str() {
        "fedex" => Some("FedEx"),
        "ups" => Some("UPS"),
        "usps" => Some("USPS"),
        _ => None,
    }
}

/// A confirmation waiting in the push queue.
#[derive(Clone, Debug)]
#[cfg_attr(test, derive(PartialEq, serde::Serialize, serde::Deserialize))]
struct Queued {
    amazon_order_id: String,
    request: ConfirmShipmentRequest,
    #[cfg_attr(test, serde(default))]
    attempts: u32,
    #[cfg_attr(test, serde(default, skip_serializing_if = "Option::is_none"))]
    last_error: Option<String>,
}

impl Queued {
    fn from_json(json: &str) -> Result<Queued, ParseError> {
        read_json("shipment queue entry", json, |r| {
            let (mut amazon_order_id, mut request, mut attempts, mut last_error) =
                (None, None, 0, None);
            read_object!(r, "a shipment queue entry", |r| {
                "amazon_order_id" => amazon_order_id = Some(r.string()?),
                "request" => request = Some(ConfirmShipmentRequest::read(r)?),
                "attempts" => attempts = r.u32()?,
                "last_error" => last_error = r.opt_string()?,
            });
            Ok(Queued {
                amazon_order_id: r.required(amazon_order_id, "amazon_order_id")?,
                request: r.required(request, "request")?,
                attempts,
                last_error,
            })
        })
    }

    fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(384);
        w.object(|w| {
            w.str_member(key!("amazon_order_id"), &self.amazon_order_id);
            self.request.write(w.key(key!("request")));
            w.key(key!("attempts")).number(u64::from(self.attempts));
            w.opt_str_member(key!("last_error"), self.last_error.as_deref());
        });
        w.finish()
    }
}

/// Quantity of each order item still to ship, counting Amazon's figure and our own shipments.
fn unshipped(row: &AmazonOrderRow) -> Vec<(String, String, u32)> {
    row.items
        .iter()
        .map(|item| {
            let ours: u32 = row
                .shipments
                .iter()
                .filter(|s| s.state != ShipmentState::Failed)
                .flat_map(|s| &s.items)
                .filter(|i| i.order_item_id == item.order_item_id)
                .map(|i| i.quantity)
                .sum();
            let shipped = item.quantity_shipped.unwrap_or(0).max(ours);
            (
                item.order_item_id.to_string(),
                item.sku().to_owned(),
                item.quantity_ordered.saturating_sub(shipped),
            )
        })
        .collect()
}

/// Maps the shipped SKUs onto Amazon order items.
fn allocate(
    row: &AmazonOrderRow,
    wanted: &[SkuQty],
) -> Result<Vec<ConfirmShipmentItem>, EngineError> {
    let mut open = unshipped(row);
    if wanted.is_empty() {
        return Ok(open
            .into_iter()
            .filter(|(_, _, qty)| *qty > 0)
            .map(|(order_item_id, _, quantity)| ConfirmShipmentItem {
                order_item_id,
                quantity,
            })
            .collect());
    }
    let mut items: Vec<ConfirmShipmentItem> = Vec::new();
    for want in wanted {
        let mut left = want.qty;
        for (order_item_id, _, open_qty) in open.iter_mut().filter(|(_, sku, _)| *sku == want.sku) {
            let take = left.min(*open_qty);
            if take == 0 {
                continue;
            }
            *open_qty -= take;
            left -= take;
            match items.iter_mut().find(|i| i.order_item_id == *order_item_id) {
                Some(i) => i.quantity += take,
                None => items.push(ConfirmShipmentItem {
                    order_item_id: order_item_id.clone(),
                    quantity: take,
                }),
            }
        }
        if left > 0 {
            return Err(EngineError::InvalidInput(format!(
                "shipment of {} × \"{}\" is more than order {} has left to ship",
                want.qty,
                want.sku,
                row.amazon_order_id()
            )));
        }
    }
    Ok(items)
}

impl<H: Host> Engine<H> {
    pub(super) fn queue_shipment(&mut self, shipment: Shipment) -> Result<(), EngineError> {
        let store = shipment.store.as_str();
        let id = shipment.amazon_order_id.as_str();
        let text = self
            .row_text(store, id)?
            .ok_or_else(|| EngineError::NotFound(id.to_owned()))?;
        let mut row = super::parse_row(id, &text)?;
        if row
            .shipments
            .iter()
            .any(|s| s.shipment_id == shipment.shipment_id)
        {
            return Ok(());
        }
        if shipment.tracking_number.trim().is_empty() {
            return Err(EngineError::InvalidInput("tracking number is empty".into()));
        }
        let items = allocate(&row, &shipment.items)?;
        if items.is_empty() {
            return Err(EngineError::InvalidInput(format!(
                "order {id} has nothing left to ship"
            )));
        }
        let package_reference_id = (row.shipments.len() + 1).to_string();
        let (code, name) = match carrier_code(&shipment.carrier) {
            Some(code) => (code.to_owned(), None),
            None => {
                let title = shipment.carrier_title.trim();
                let name = if title.is_empty() {
                    shipment.carrier.trim()
                } else {
                    title
                };
                ("Other".to_owned(), Some(name.to_owned()))
            }
        };
        let request = ConfirmShipmentRequest {
            marketplace_id: row.marketplace_id().to_owned(),
            package_detail: PackageDetail {
                package_reference_id: package_reference_id.clone(),
                carrier_code: code.clone(),
                carrier_name: name,
                shipping_method: row.order.ship_service_level.as_deref().map(str::to_owned),
                tracking_number: shipment.tracking_number.trim().to_owned(),
                ship_date: rfc3339_into(
                    &shipment.shipped_at,
                    SecondsFormat::Millis,
                    &mut [0; RFC3339_BYTES],
                )
                .to_owned(),
                order_items: items.clone(),
            },
        };
        row.shipments.push(ShipmentRecord {
            shipment_id: shipment.shipment_id.clone(),
            package_reference_id: package_reference_id.clone(),
            carrier_code: code,
            tracking_number: request.package_detail.tracking_number.clone(),
            items,
            state: ShipmentState::Queued,
            error: None,
        });
        row.notes = format!(
            "Shipment {package_reference_id} (tracking {}) queued for Amazon.",
            request.package_detail.tracking_number
        );
        let queued = Queued {
            amazon_order_id: id.to_owned(),
            request,
            attempts: 0,
            last_error: None,
        };
        // Queue entry and row change land together: a lost write loses neither alone.
        self.host.storage_apply(vec![
            StorageOp::Put(
                keys::ship_queue(store, id, &package_reference_id),
                queued.to_json(),
            ),
            StorageOp::Put(keys::order(store, id), row.to_json()),
            // Written outside a decision: no retry key describes the row any more.
            blocked_entry(&row, None),
        ])?;
        Ok(())
    }
}

/// Pushes queued confirmations of `store` through `api`; stops at the first throttle or outage.
pub(super) fn push_queue<H: Host>(
    api: &mut SpApi<'_, H>,
    report: &mut TickReport,
) -> Result<(), EngineError> {
    let store = api.store;
    let entries = api
        .host
        .storage_list(&keys::ship_queue_prefix(store), None, LIST_PAGE)?;
    for (key, json) in entries {
        let Ok(mut queued) = Queued::from_json(&json) else {
            report
                .errors
                .push(format!("unreadable shipment queue entry {key} dropped"));
            api.host.storage_apply(vec![StorageOp::Delete(key)])?;
            continue;
        };
        let id = queued.amazon_order_id.clone();
        let reference = queued.request.package_detail.package_reference_id.clone();
        let result = api.confirm_shipment(&id, &queued.request);
        let row_json = api.host.storage_get(&keys::order(store, &id))?;
        let mut row: Option<AmazonOrderRow<'_>> = row_json
            .as_deref()
            .and_then(|j| AmazonOrderRow::from_json(j).ok());
        let mut set_state = |state: ShipmentState, error: Option<String>, note: String| {
            if let Some(row) = row.as_mut() {
                if let Some(s) = row
                    .shipments
                    .iter_mut()
                    .find(|s| s.package_reference_id == reference)
                {
                    s.state = state;
                    s.error = error;
                }
                row.notes = note;
            }
        };
        let mut ops = Vec::new();
        match result {
            Ok(()) => {
                report.pushed += 1;
                set_state(
                    ShipmentState::Confirmed,
                    None,
                    format!(
                        "Shipment {reference} (tracking {}) confirmed to Amazon.",
                        queued.request.package_detail.tracking_number
                    ),
                );
                ops.push(StorageOp::Delete(key));
            }
            Err(ApiFailure::Throttled) => {
                report.status = TickStatus::Throttled;
                return Ok(());
            }
            Err(ApiFailure::Rejected { errors, .. }) => {
                queued.attempts += 1;
                let message = format!("Amazon rejected shipment {reference}: {errors}");
                report.errors.push(format!("{id}: {message}"));
                if queued.attempts >= MAX_PUSH_ATTEMPTS {
                    set_state(ShipmentState::Failed, Some(errors), message);
                    ops.push(StorageOp::Delete(key));
                } else {
                    queued.last_error = Some(errors);
                    set_state(ShipmentState::Queued, queued.last_error.clone(), message);
                    ops.push(StorageOp::Put(key, queued.to_json()));
                }
            }
            Err(other) => {
                // Outage, refused credentials or host trouble: everything stays queued.
                report
                    .errors
                    .push(format!("shipment push stopped: {other}"));
                if matches!(other, ApiFailure::Unavailable(_)) {
                    report.status = TickStatus::Throttled;
                }
                return Ok(());
            }
        }
        if let Some(row) = row {
            ops.push(StorageOp::Put(keys::order(store, &id), row.to_json()));
            ops.push(blocked_entry(&row, None));
        }
        api.host.storage_apply(ops)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::write::assert_same_as_serde;

    #[test]
    fn queue_entries_are_stored_as_serde_wrote_them() {
        let request = |carrier_name: Option<&str>| ConfirmShipmentRequest {
            marketplace_id: "ATVPDKIKX0DER".into(),
            package_detail: PackageDetail {
                package_reference_id: "1".into(),
                carrier_code: "Other".into(),
                carrier_name: carrier_name.map(str::to_owned),
                shipping_method: None,
                tracking_number: "1Z999AA10123456784".into(),
                ship_date: "2026-11-02T10:00:00Z".into(),
                order_items: vec![ConfirmShipmentItem {
                    order_item_id: "68828574383266".into(),
                    quantity: 2,
                }],
            },
        };
        for (carrier_name, attempts, last_error) in [
            (None, 0, None),
            (
                Some("DHL \"Express\""),
                2,
                Some("InvalidInput: shipDate".to_owned()),
            ),
        ] {
            let queued = Queued {
                amazon_order_id: "902-3159896-1390916".into(),
                request: request(carrier_name),
                attempts,
                last_error,
            };
            assert_same_as_serde(&queued, Queued::to_json, Queued::from_json);
        }
        // Entries queued before `attempts` existed.
        let old = Queued::from_json(
            r#"{"amazon_order_id":"1","request":{"marketplaceId":"A","packageDetail":{"packageReferenceId":"1","carrierCode":"UPS","trackingNumber":"1Z","shipDate":"2026-11-02T10:00:00Z","orderItems":[]}}}"#,
        )
        .unwrap();
        assert_eq!((old.attempts, old.last_error), (0, None));
    }
}
