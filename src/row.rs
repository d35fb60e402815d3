//! The Amazon Orders table row: the last applied Amazon snapshot plus what Commerce did with it.

use serde::{Deserialize, Serialize};

use crate::amazon::{Address, ConfirmShipmentItem, Money, Order, OrderItem};
use crate::blockers::{Blocker, SkuQty};
use crate::marketplace::seller_central_url;
use crate::status::{CommerceState, TableStatus};

/// Version of the stored row layout (`"v"` in storage).
pub const ROW_VERSION: u32 = 1;

/// The Commerce order linked to an Amazon order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommerceLink {
    pub id: String,
    pub increment_id: String,
    pub state: CommerceState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentState {
    /// Waiting in the push queue.
    Queued,
    /// Amazon accepted the confirmation.
    Confirmed,
    /// Amazon rejected it for good; the note says why.
    Failed,
}

/// One Commerce shipment and its confirmation to Amazon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRecord {
    pub shipment_id: String,
    pub package_reference_id: String,
    pub carrier_code: String,
    pub tracking_number: String,
    pub items: Vec<ConfirmShipmentItem>,
    pub state: ShipmentState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One row of the Amazon Orders table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmazonOrderRow {
    pub v: u32,
    pub store: String,
    /// The newest Amazon snapshot applied.
    pub order: Order,
    pub items: Vec<OrderItem>,
    pub table_status: TableStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commerce: Option<CommerceLink>,
    #[serde(default)]
    pub blockers: Vec<Blocker>,
    /// The most recent action (the grid's Order Notes).
    #[serde(default)]
    pub notes: String,
    /// Quantity held for this not yet created order.
    #[serde(default)]
    pub reserved: Vec<SkuQty>,
    #[serde(default)]
    pub shipments: Vec<ShipmentRecord>,
    /// Import was disabled when the row was written: it only links to Seller Central.
    #[serde(default)]
    pub view_only: bool,
}

impl AmazonOrderRow {
    pub fn amazon_order_id(&self) -> &str {
        &self.order.amazon_order_id
    }

    pub fn marketplace_id(&self) -> &str {
        self.order.marketplace_id.as_deref().unwrap_or_default()
    }

    pub fn seller_central_url(&self) -> String {
        seller_central_url(self.marketplace_id(), self.amazon_order_id())
    }

    pub fn is_blocked(&self) -> bool {
        !self.blockers.is_empty()
    }

    /// The detail view for admin code (`admin.order-detail`).
    pub fn detail(&self) -> OrderDetail<'_> {
        let o = &self.order;
        OrderDetail {
            store: &self.store,
            amazon_order_id: &o.amazon_order_id,
            amazon_status: o.order_status.as_str(),
            table_status: self.table_status,
            fulfillment_channel: o.channel().map_or("", |c| c.as_str()),
            marketplace_id: self.marketplace_id(),
            purchase_date: o.purchase_date.timestamp_millis(),
            last_update_date: o.last_update_date.timestamp_millis(),
            buyer_name: o.buyer_name(),
            buyer_email: o.buyer_email(),
            grand_total: o.order_total.as_ref(),
            ship_service_level: o.ship_service_level.as_deref(),
            is_prime: o.is_prime.unwrap_or(false),
            is_business_order: o.is_business_order.unwrap_or(false),
            latest_ship_date: o.latest_ship_date.map(|t| t.timestamp_millis()),
            shipping_address: o.shipping_address.as_ref(),
            items_shipped: self
                .items
                .iter()
                .map(|i| i.quantity_shipped.unwrap_or(0))
                .sum(),
            items_unshipped: self
                .items
                .iter()
                .map(|i| {
                    i.quantity_ordered - i.quantity_shipped.unwrap_or(0).min(i.quantity_ordered)
                })
                .sum(),
            items: &self.items,
            commerce_order_id: self.commerce.as_ref().map(|c| c.id.as_str()),
            commerce_increment_id: self.commerce.as_ref().map(|c| c.increment_id.as_str()),
            commerce_status: self.commerce.as_ref().map(|c| c.state.as_str()),
            blockers: &self.blockers,
            notes: &self.notes,
            inventory_reserved: !self.reserved.is_empty(),
            shipments: &self.shipments,
            view_only: self.view_only,
            seller_central_url: self.seller_central_url(),
        }
    }
}

/// Everything the order details page shows (times in Unix milliseconds).
#[derive(Debug, Serialize)]
pub struct OrderDetail<'a> {
    pub store: &'a str,
    pub amazon_order_id: &'a str,
    pub amazon_status: &'a str,
    pub table_status: TableStatus,
    pub fulfillment_channel: &'a str,
    pub marketplace_id: &'a str,
    pub purchase_date: i64,
    pub last_update_date: i64,
    pub buyer_name: Option<&'a str>,
    pub buyer_email: Option<&'a str>,
    pub grand_total: Option<&'a Money>,
    pub ship_service_level: Option<&'a str>,
    pub is_prime: bool,
    pub is_business_order: bool,
    pub latest_ship_date: Option<i64>,
    pub shipping_address: Option<&'a Address>,
    pub items_shipped: u32,
    pub items_unshipped: u32,
    pub items: &'a [OrderItem],
    pub commerce_order_id: Option<&'a str>,
    pub commerce_increment_id: Option<&'a str>,
    pub commerce_status: Option<&'a str>,
    pub blockers: &'a [Blocker],
    pub notes: &'a str,
    pub inventory_reserved: bool,
    pub shipments: &'a [ShipmentRecord],
    pub view_only: bool,
    pub seller_central_url: String,
}
