//! SP-API Orders v0 wire types, named exactly as Amazon sends them, and their parsing.
//!
//! The types accept the quirks of real payloads (money as strings, `"true"` strings, fields
//! absent while an order is `Pending`, odd sandbox dates, enum values Amazon adds later) and
//! reject what is truly malformed with a [`ParseError`] that names the field.

pub mod money;
mod path;
mod quirks;

pub use money::Money;
use path::path_at;
pub use quirks::parse_time;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Largest body accepted from Amazon or from a host hook. getOrders pages of 100 orders are
/// ~300 KB; anything past 10 MB is refused before parsing.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Largest quantity of one order line accepted; larger values are hostile or corrupt.
pub const MAX_LINE_QUANTITY: u32 = 100_000;

/// Why an SP-API payload (or a hook's JSON) could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{what} is not valid: {}{message}", at(path))]
    Invalid {
        /// The document being read ("getOrders response", "order", …).
        what: &'static str,
        /// JSON path of the offending field, e.g. `payload.Orders[2].PurchaseDate`.
        path: String,
        message: String,
    },
    #[error("{what} is {size} bytes, more than the {limit} bytes accepted")]
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
    #[error("Amazon answered with errors: {0}")]
    Api(ApiErrors),
}

/// `"payload.Orders[2]: "`, or nothing for the document itself.
fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

/// Orders v0 `OrderStatus`; values Amazon adds later land in `Unknown`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    PendingAvailability,
    Pending,
    Unshipped,
    PartiallyShipped,
    Shipped,
    InvoiceUnconfirmed,
    Canceled,
    Unfulfillable,
    Unknown(String),
}

/// Orders v0 `FulfillmentChannel`: `MFN` (merchant, FBM) or `AFN` (Amazon, FBA).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FulfillmentChannel {
    Mfn,
    Afn,
    Unknown(String),
}

macro_rules! string_enum {
    ($ty:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        impl $ty {
            pub fn as_str(&self) -> &str {
                match self {
                    $($ty::$variant => $text,)*
                    $ty::Unknown(other) => other,
                }
            }

            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => $ty::$variant,)*
                    other => $ty::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(d)?;
                Ok($ty::parse(&text))
            }
        }
    };
}

string_enum!(OrderStatus {
    PendingAvailability = "PendingAvailability",
    Pending = "Pending",
    Unshipped = "Unshipped",
    PartiallyShipped = "PartiallyShipped",
    Shipped = "Shipped",
    InvoiceUnconfirmed = "InvoiceUnconfirmed",
    Canceled = "Canceled",
    Unfulfillable = "Unfulfillable",
});

string_enum!(FulfillmentChannel {
    Mfn = "MFN",
    Afn = "AFN",
});

/// Orders v0 `Address` (restricted data: present only with the right role / RDT).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_or_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_type: Option<String>,
}

/// Orders v0 `BuyerInfo` (restricted data).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
}

/// Orders v0 `Order`: the fields the import uses; everything else is accepted and ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Order {
    pub amazon_order_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_order_id: Option<String>,
    #[serde(with = "quirks::time")]
    pub purchase_date: DateTime<Utc>,
    #[serde(with = "quirks::time")]
    pub last_update_date: DateTime<Utc>,
    pub order_status: OrderStatus,
    /// Absent on some Pending orders; treated as `MFN` only where that is safe (see status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_channel: Option<FulfillmentChannel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_service_level: Option<String>,
    /// Absent while the order is `Pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_items_shipped: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_items_unshipped: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketplace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_service_level_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<String>,
    #[serde(
        default,
        with = "quirks::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest_ship_date: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "quirks::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_business_order: Option<bool>,
    #[serde(
        default,
        with = "quirks::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_prime: Option<bool>,
    #[serde(
        default,
        with = "quirks::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_premium_order: Option<bool>,
    #[serde(
        default,
        with = "quirks::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_replacement_order: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_info: Option<BuyerInfo>,
    /// Pre-2023 payloads carried the buyer at the top level; still accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<String>,
}

impl Order {
    pub fn channel(&self) -> Option<&FulfillmentChannel> {
        self.fulfillment_channel.as_ref()
    }

    pub fn buyer_name(&self) -> Option<&str> {
        let from_info = self
            .buyer_info
            .as_ref()
            .and_then(|b| b.buyer_name.as_deref());
        non_empty(from_info.or(self.buyer_name.as_deref()))
    }

    pub fn buyer_email(&self) -> Option<&str> {
        let from_info = self
            .buyer_info
            .as_ref()
            .and_then(|b| b.buyer_email.as_deref());
        non_empty(from_info.or(self.buyer_email.as_deref()))
    }
}

pub(crate) fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// `BuyerRequestedCancel` of an order item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerRequestedCancel {
    #[serde(
        default,
        with = "quirks::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_buyer_requested_cancel: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_cancel_reason: Option<String>,
}

/// Orders v0 `OrderItem`. While the order is `Pending`, Amazon omits prices, taxes and
/// promotions, so every money field is optional.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItem {
    #[serde(rename = "ASIN")]
    pub asin: String,
    #[serde(rename = "SellerSKU", default, skip_serializing_if = "Option::is_none")]
    pub seller_sku: Option<String>,
    pub order_item_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub quantity_ordered: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_shipped: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_tax: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_tax: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_discount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_discount: Option<Money>,
    #[serde(
        default,
        with = "quirks::flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_gift: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ioss_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_requested_cancel: Option<BuyerRequestedCancel>,
}

impl OrderItem {
    /// The Commerce SKU this item is matched by: the seller SKU, or the ASIN when Amazon sent
    /// none (listings created from an ASIN use it as SKU).
    pub fn sku(&self) -> &str {
        non_empty(self.seller_sku.as_deref()).unwrap_or(&self.asin)
    }

    pub fn buyer_requested_cancel(&self) -> bool {
        self.buyer_requested_cancel
            .as_ref()
            .and_then(|c| c.is_buyer_requested_cancel)
            .unwrap_or(false)
    }
}

/// `payload` of a getOrders response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrdersList {
    #[serde(default)]
    pub orders: Vec<Order>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(
        default,
        with = "quirks::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated_before: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "quirks::opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_before: Option<DateTime<Utc>>,
}

/// `payload` of a getOrderItems response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItemsList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amazon_order_id: Option<String>,
    #[serde(default)]
    pub order_items: Vec<OrderItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One entry of an SP-API `errors` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// The `errors` list of an SP-API error body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiErrors(pub Vec<ApiError>);

impl fmt::Display for ApiErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.code, e.message)?;
        }
        Ok(())
    }
}

/// Any SP-API response: a `payload` or an `errors` list.
#[derive(Deserialize)]
struct Envelope<T> {
    payload: Option<T>,
    #[serde(default)]
    errors: Vec<ApiError>,
}

/// confirmShipment request body (camelCase, unlike the rest of Orders v0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmShipmentRequest {
    pub marketplace_id: String,
    pub package_detail: PackageDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageDetail {
    pub package_reference_id: String,
    pub carrier_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
    pub tracking_number: String,
    /// ISO 8601; Amazon answers 400 to anything else.
    pub ship_date: String,
    pub order_items: Vec<ConfirmShipmentItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmShipmentItem {
    pub order_item_id: String,
    pub quantity: u32,
}

/// Deserializes `json`, naming the offending field on failure.
pub fn parse_json<T: DeserializeOwned>(what: &'static str, json: &str) -> Result<T, ParseError> {
    if json.len() > MAX_BODY_BYTES {
        return Err(ParseError::TooLarge {
            what,
            size: json.len(),
            limit: MAX_BODY_BYTES,
        });
    }
    serde_json::from_str(json).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line X column Y"; the path says where instead.
        let message = match message.rfind(" at line ") {
            Some(cut) if e.line() > 0 => message[..cut].to_owned(),
            _ => message,
        };
        ParseError::Invalid {
            what,
            path: path_at(json, e.line(), e.column()),
            message,
        }
    })
}

fn unwrap_envelope<T: DeserializeOwned>(what: &'static str, json: &str) -> Result<T, ParseError> {
    let envelope: Envelope<T> = parse_json(what, json)?;
    match envelope.payload {
        Some(payload) if envelope.errors.is_empty() => Ok(payload),
        _ if !envelope.errors.is_empty() => Err(ParseError::Api(ApiErrors(envelope.errors))),
        _ => Err(invalid(what, "payload", "missing")),
    }
}

fn invalid(what: &'static str, path: impl Into<String>, message: impl Into<String>) -> ParseError {
    ParseError::Invalid {
        what,
        path: path.into(),
        message: message.into(),
    }
}

/// Parses a getOrders response body.
pub fn parse_get_orders(json: &str) -> Result<OrdersList, ParseError> {
    let list: OrdersList = unwrap_envelope("getOrders response", json)?;
    for (i, order) in list.orders.iter().enumerate() {
        validate_order(order).map_err(|(field, message)| {
            invalid(
                "getOrders response",
                format!("payload.Orders[{i}].{field}"),
                message,
            )
        })?;
    }
    Ok(list)
}

/// Parses a getOrderItems response body.
pub fn parse_get_order_items(json: &str) -> Result<OrderItemsList, ParseError> {
    let list: OrderItemsList = unwrap_envelope("getOrderItems response", json)?;
    validate_items(&list.order_items).map_err(|(i, field, message)| {
        invalid(
            "getOrderItems response",
            format!("payload.OrderItems[{i}].{field}"),
            message,
        )
    })?;
    Ok(list)
}

/// Parses one order: an SP-API `Order` object or a whole getOrder response.
pub fn parse_order(json: &str) -> Result<Order, ParseError> {
    let order: Order = if looks_like_envelope(json) {
        unwrap_envelope("order", json)?
    } else {
        parse_json("order", json)?
    };
    validate_order(&order).map_err(|(field, message)| invalid("order", field, message))?;
    Ok(order)
}

/// Parses order items: an `OrderItems` array or a whole getOrderItems response.
pub fn parse_order_items(json: &str) -> Result<Vec<OrderItem>, ParseError> {
    if looks_like_envelope(json) {
        return parse_get_order_items(json).map(|l| l.order_items);
    }
    let items: Vec<OrderItem> = parse_json("order items", json)?;
    validate_items(&items)
        .map_err(|(i, field, message)| invalid("order items", format!("[{i}].{field}"), message))?;
    Ok(items)
}

/// Parses an SP-API error body (`{"errors":[…]}`); `None` when the body is not one.
pub fn parse_api_errors(json: &str) -> Option<ApiErrors> {
    #[derive(Deserialize)]
    struct Body {
        errors: Vec<ApiError>,
    }
    parse_json::<Body>("error body", json)
        .ok()
        .map(|b| ApiErrors(b.errors))
}

fn looks_like_envelope(json: &str) -> bool {
    let head = json.trim_start();
    head.starts_with('{') && {
        let inner = head[1..].trim_start();
        inner.starts_with("\"payload\"") || inner.starts_with("\"errors\"")
    }
}

/// `3-7-7` digits, e.g. `902-1845936-5435065`.
pub fn is_amazon_order_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 3
        && [3, 7, 7]
            .iter()
            .zip(&parts)
            .all(|(len, part)| part.len() == *len && part.bytes().all(|b| b.is_ascii_digit()))
}

fn validate_order(order: &Order) -> Result<(), (&'static str, String)> {
    if !is_amazon_order_id(&order.amazon_order_id) {
        return Err((
            "AmazonOrderId",
            format!(
                "\"{}\" is not an Amazon order id (3-7-7 digits)",
                order.amazon_order_id
            ),
        ));
    }
    Ok(())
}

fn validate_items(items: &[OrderItem]) -> Result<(), (usize, &'static str, String)> {
    for (i, item) in items.iter().enumerate() {
        if item.order_item_id.trim().is_empty() {
            return Err((i, "OrderItemId", "is empty".into()));
        }
        if item.quantity_ordered > MAX_LINE_QUANTITY {
            return Err((
                i,
                "QuantityOrdered",
                format!(
                    "{} is more than the {MAX_LINE_QUANTITY} accepted",
                    item.quantity_ordered
                ),
            ));
        }
        if item.quantity_shipped.unwrap_or(0) > item.quantity_ordered {
            return Err((i, "QuantityShipped", "is more than QuantityOrdered".into()));
        }
    }
    Ok(())
}
