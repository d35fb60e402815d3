//! Status rules: Amazon status → Amazon Orders table status, the creation rule, the Commerce
//! order's state, and the order in which statuses may follow each other.

use crate::prelude::*;
use core::fmt;
use serde::{Deserialize, Serialize};

use crate::amazon::{FulfillmentChannel, OrderStatus};

/// Status shown in the Amazon Orders table. Amazon's statuses plus the two ASC-local ones:
/// `Completed` (Commerce order completed) and `Error` (order cannot be imported).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TableStatus {
    Pending,
    PendingAvailability,
    Unshipped,
    PartiallyShipped,
    Shipped,
    InvoiceUnconfirmed,
    Canceled,
    Unfulfillable,
    Completed,
    Error,
}

impl TableStatus {
    pub const ALL: [TableStatus; 10] = [
        TableStatus::Pending,
        TableStatus::PendingAvailability,
        TableStatus::Unshipped,
        TableStatus::PartiallyShipped,
        TableStatus::Shipped,
        TableStatus::InvoiceUnconfirmed,
        TableStatus::Canceled,
        TableStatus::Unfulfillable,
        TableStatus::Completed,
        TableStatus::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Pending => "Pending",
            TableStatus::PendingAvailability => "PendingAvailability",
            TableStatus::Unshipped => "Unshipped",
            TableStatus::PartiallyShipped => "PartiallyShipped",
            TableStatus::Shipped => "Shipped",
            TableStatus::InvoiceUnconfirmed => "InvoiceUnconfirmed",
            TableStatus::Canceled => "Canceled",
            TableStatus::Unfulfillable => "Unfulfillable",
            TableStatus::Completed => "Completed",
            TableStatus::Error => "Error",
        }
    }

    /// Accepts the table's names and the grid filter's labels ("Partially Shipped").
    pub fn parse(text: &str) -> Option<Self> {
        let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        TableStatus::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(&squashed))
    }
}

impl fmt::Display for TableStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The table shows Amazon's status as received; statuses Amazon adds later show as `Pending`
/// (nothing is created for them) until a known one arrives.
pub fn table_status(status: &OrderStatus) -> TableStatus {
    match status {
        OrderStatus::Pending | OrderStatus::Unknown(_) => TableStatus::Pending,
        OrderStatus::PendingAvailability => TableStatus::PendingAvailability,
        OrderStatus::Unshipped => TableStatus::Unshipped,
        OrderStatus::PartiallyShipped => TableStatus::PartiallyShipped,
        OrderStatus::Shipped => TableStatus::Shipped,
        OrderStatus::InvoiceUnconfirmed => TableStatus::InvoiceUnconfirmed,
        OrderStatus::Canceled => TableStatus::Canceled,
        OrderStatus::Unfulfillable => TableStatus::Unfulfillable,
    }
}

/// The creation rule: merchant-fulfilled orders are created once paid (`Unshipped`,
/// `PartiallyShipped`, `Shipped`); Amazon-fulfilled (FBA) orders only once Amazon shipped them.
/// Never for `Pending`, `PendingAvailability`, `Canceled`, `Unfulfillable`,
/// `InvoiceUnconfirmed`, unknown statuses or an unknown channel.
pub fn creates_commerce_order(status: &OrderStatus, channel: Option<&FulfillmentChannel>) -> bool {
    match channel {
        Some(FulfillmentChannel::Mfn) => matches!(
            status,
            OrderStatus::Unshipped | OrderStatus::PartiallyShipped | OrderStatus::Shipped
        ),
        Some(FulfillmentChannel::Afn) => matches!(status, OrderStatus::Shipped),
        _ => false,
    }
}

/// Whether the quantity of an order in this state may be held back (*Pending Orders* =
/// *Reserve Quantity*): merchant-fulfilled `Pending` orders only; FBA never reserves.
pub fn reserves_quantity(status: &OrderStatus, channel: Option<&FulfillmentChannel>) -> bool {
    matches!(channel, Some(FulfillmentChannel::Mfn)) && matches!(status, OrderStatus::Pending)
}

/// How far an order has progressed. A snapshot whose rank is lower than the stored one is an
/// out-of-order delivery and never moves the row back.
pub fn progress_rank(status: &OrderStatus) -> u8 {
    match status {
        OrderStatus::Pending | OrderStatus::PendingAvailability | OrderStatus::Unknown(_) => 0,
        OrderStatus::Unshipped | OrderStatus::InvoiceUnconfirmed => 1,
        OrderStatus::PartiallyShipped => 2,
        OrderStatus::Shipped => 3,
        OrderStatus::Canceled | OrderStatus::Unfulfillable => 4,
    }
}

/// State of the Commerce order linked to an Amazon order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommerceState {
    /// Created and invoiced, in the processing status of the order settings.
    Processing,
    Complete,
    Canceled,
}

impl CommerceState {
    pub const ALL: [CommerceState; 3] = [
        CommerceState::Processing,
        CommerceState::Complete,
        CommerceState::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommerceState::Processing => "processing",
            CommerceState::Complete => "complete",
            CommerceState::Canceled => "canceled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_amazon_status_shows_as_pending_and_creates_nothing() {
        let future = OrderStatus::parse("AwaitingDrone");
        assert_eq!(future, OrderStatus::Unknown("AwaitingDrone".into()));
        assert_eq!(table_status(&future), TableStatus::Pending);
        assert!(!creates_commerce_order(
            &future,
            Some(&FulfillmentChannel::Mfn)
        ));
    }

    #[test]
    fn grid_filter_labels_parse_to_table_statuses() {
        assert_eq!(
            TableStatus::parse("Partially Shipped"),
            Some(TableStatus::PartiallyShipped)
        );
        assert_eq!(
            TableStatus::parse("completed"),
            Some(TableStatus::Completed)
        );
        assert_eq!(TableStatus::parse("Lost"), None);
    }

    #[test]
    fn fba_orders_never_reserve_quantity() {
        for status in ["Pending", "Unshipped", "Shipped"] {
            assert!(!reserves_quantity(
                &OrderStatus::parse(status),
                Some(&FulfillmentChannel::Afn)
            ));
        }
        assert!(reserves_quantity(
            &OrderStatus::Pending,
            Some(&FulfillmentChannel::Mfn)
        ));
    }
}
