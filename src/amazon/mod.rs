//! SP-API Orders v0 wire types, named exactly as Amazon sends them, and their parsing.
//!
//! The types accept the quirks of real payloads (money as strings, `"true"` strings, fields
//! absent while an order is `Pending`, odd sandbox dates, enum values Amazon adds later) and
//! reject what is truly malformed with a [`ParseError`] that names the field. Only the fields the
//! import uses are read: the others, whatever their type, are skipped here and kept as Amazon
//! sent them in the stored row ([`Sent`]).
//!
//! JSON text is read by `read.rs` (a small pull reader: the component's hot path) and the stored
//! row is written by `write.rs`; the serde derives serialize the same shapes for the order
//! detail, the simulated Amazon and tests, and `write`'s output is checked against them.

pub(crate) mod keys;
pub mod money;
mod path;
mod quirks;
pub(crate) mod read;
mod sent;
pub(crate) mod write;

use crate::prelude::*;
pub use money::Money;
use path::path_at;
pub use quirks::parse_time;
pub(crate) use quirks::trimmed;
pub(crate) use quirks::{rfc3339_into, slice, RFC3339_BYTES};
use read::{compact_money_into_at, compact_text_at, compact_u32_at, read_object, Read, Reader};
pub use sent::{Sent, ToJson};
use write::{key, Key, Writer};

use alloc::borrow::Cow;
use chrono::{DateTime, Utc};
use core::fmt;
use core::ops::ControlFlow;
use core::ptr::addr_of_mut;

/// Text of an SP-API record: borrowed from the JSON it was read from unless it had escapes.
pub type Text<'a> = Cow<'a, str>;
/// An order as Amazon sent it.
pub type SentOrder<'a> = Sent<'a, Order<'a>>;
/// Order items as Amazon sent them.
pub type SentItems<'a> = Sent<'a, Vec<OrderItem<'a>>>;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

impl ParseError {
    /// The same error for a document found at `at` inside a larger one: its path is prefixed.
    pub fn within(self, at: &str) -> ParseError {
        match self {
            ParseError::Invalid {
                what,
                path,
                message,
            } => ParseError::Invalid {
                what,
                path: join_path(at, &path),
                message,
            },
            other => other,
        }
    }
}

/// `at` followed by `path` (`payload.Orders[2]` + `PurchaseDate`, `[1]` + `[0].Title`).
pub fn join_path(at: &str, path: &str) -> String {
    match path {
        "" | "." => at.to_owned(),
        p if p.starts_with('[') || at.is_empty() => format!("{at}{p}"),
        p => format!("{at}.{p}"),
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
                let text = alloc::borrow::Cow::<str>::deserialize(d)?;
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

/// Orders v0 `Address`, the fields the import uses (restricted data: present only with the
/// right role / RDT).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_or_region: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Text<'a>>,
}

impl Address<'_> {
    /// No address at all, as FBA orders come.
    pub const EMPTY: Address<'static> = Address {
        name: None,
        company_name: None,
        address_line1: None,
        address_line2: None,
        address_line3: None,
        city: None,
        state_or_region: None,
        postal_code: None,
        country_code: None,
        phone: None,
    };
}

/// Orders v0 `BuyerInfo` (restricted data).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerInfo<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_email: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<Text<'a>>,
}

/// Orders v0 `Order`: the fields the import uses; everything else is accepted and ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Order<'a> {
    pub amazon_order_id: Text<'a>,
    #[serde(serialize_with = "quirks::serialize_time")]
    pub purchase_date: DateTime<Utc>,
    #[serde(serialize_with = "quirks::serialize_time")]
    pub last_update_date: DateTime<Utc>,
    pub order_status: OrderStatus,
    /// Absent on some Pending orders; treated as `MFN` only where that is safe (see status).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fulfillment_channel: Option<FulfillmentChannel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_service_level: Option<Text<'a>>,
    /// Absent while the order is `Pending`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_total: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marketplace_id: Option<Text<'a>>,
    #[serde(
        serialize_with = "quirks::serialize_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest_ship_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_business_order: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_prime: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_info: Option<BuyerInfo<'a>>,
    /// Pre-2023 payloads carried the buyer at the top level; still accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_email: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<Text<'a>>,
}

impl Order<'_> {
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

/// Out of line: inlined, its trimming was ~100 bytes of the component at each of its callers
/// (−543 bytes for +308 fuel a push, bytes the reader's flags spend better).
#[inline(never)]
pub(crate) fn non_empty(s: Option<&str>) -> Option<&str> {
    given(s)
}

/// [`non_empty`] in place, for a text read several times per item.
#[inline(always)]
fn given(s: Option<&str>) -> Option<&str> {
    match s.map(quirks::trimmed) {
        Some(text) if !text.is_empty() => Some(text),
        _ => None,
    }
}

/// `BuyerRequestedCancel` of an order item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerRequestedCancel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_buyer_requested_cancel: Option<bool>,
}

/// Orders v0 `OrderItem`, the fields the import uses. While the order is `Pending`, Amazon
/// omits prices, taxes and promotions, so every money field is optional.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItem<'a> {
    #[serde(rename = "ASIN")]
    pub asin: Text<'a>,
    pub order_item_id: Text<'a>,
    #[serde(rename = "SellerSKU", skip_serializing_if = "Option::is_none")]
    pub seller_sku: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text<'a>>,
    pub quantity_ordered: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity_shipped: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_price: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_price: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_tax: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_tax: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_discount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_discount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_requested_cancel: Option<BuyerRequestedCancel>,
}

impl OrderItem<'_> {
    /// The Commerce SKU this item is matched by: the seller SKU, or the ASIN when Amazon sent
    /// none (listings created from an ASIN use it as SKU).
    pub fn sku(&self) -> &str {
        // A seller SKU that needs no trimming, as nearly every one is, without a stack frame
        // (push −176 fuel: every decision and draft reads the items' SKUs); the rest
        // apart.
        match self.seller_sku.as_deref() {
            Some(sku) if quirks::needs_no_trim(sku) => sku,
            _ => self.other_sku(),
        }
    }

    #[cold]
    #[inline(never)]
    fn other_sku(&self) -> &str {
        given(self.seller_sku.as_deref()).unwrap_or(&self.asin)
    }

    pub fn buyer_requested_cancel(&self) -> bool {
        self.buyer_requested_cancel
            .as_ref()
            .and_then(|c| c.is_buyer_requested_cancel)
            .unwrap_or(false)
    }
}

/// A copy of `text` that owns its bytes.
pub(crate) fn owned(text: Text<'_>) -> Text<'static> {
    Cow::Owned(text.into_owned())
}

impl Address<'_> {
    pub fn into_owned(self) -> Address<'static> {
        Address {
            name: self.name.map(owned),
            company_name: self.company_name.map(owned),
            address_line1: self.address_line1.map(owned),
            address_line2: self.address_line2.map(owned),
            address_line3: self.address_line3.map(owned),
            city: self.city.map(owned),
            state_or_region: self.state_or_region.map(owned),
            postal_code: self.postal_code.map(owned),
            country_code: self.country_code.map(owned),
            phone: self.phone.map(owned),
        }
    }
}

impl BuyerInfo<'_> {
    pub fn into_owned(self) -> BuyerInfo<'static> {
        BuyerInfo {
            buyer_email: self.buyer_email.map(owned),
            buyer_name: self.buyer_name.map(owned),
        }
    }
}

impl Order<'_> {
    /// A copy that owns all its text, to keep after the JSON it was read from.
    pub fn into_owned(self) -> Order<'static> {
        Order {
            amazon_order_id: owned(self.amazon_order_id),
            ship_service_level: self.ship_service_level.map(owned),
            payment_method: self.payment_method.map(owned),
            marketplace_id: self.marketplace_id.map(owned),
            shipping_address: self.shipping_address.map(Address::into_owned),
            buyer_info: self.buyer_info.map(BuyerInfo::into_owned),
            buyer_email: self.buyer_email.map(owned),
            buyer_name: self.buyer_name.map(owned),
            ..self
        }
    }
}

impl OrderItem<'_> {
    /// A copy that owns all its text, to keep after the JSON it was read from.
    pub fn into_owned(self) -> OrderItem<'static> {
        OrderItem {
            asin: owned(self.asin),
            seller_sku: self.seller_sku.map(owned),
            order_item_id: owned(self.order_item_id),
            title: self.title.map(owned),
            ..self
        }
    }
}

/// `payload` of a getOrders response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrdersList<'a> {
    pub orders: Vec<Order<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(
        serialize_with = "quirks::serialize_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated_before: Option<DateTime<Utc>>,
    #[serde(
        serialize_with = "quirks::serialize_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_before: Option<DateTime<Utc>>,
}

/// `payload` of a getOrderItems response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItemsList<'a> {
    pub order_items: SentItems<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One entry of an SP-API `errors` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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

fn check_size(what: &'static str, json: &str) -> Result<(), ParseError> {
    if json.len() > MAX_BODY_BYTES {
        return Err(ParseError::TooLarge {
            what,
            size: json.len(),
            limit: MAX_BODY_BYTES,
        });
    }
    Ok(())
}

/// Reads the whole of `json` with `read` (see [`read`]), naming the offending field on failure.
pub(crate) fn read_json<'j, T>(
    what: &'static str,
    json: &'j str,
    read: impl FnOnce(&mut Reader<'j>) -> Read<T>,
) -> Result<T, ParseError> {
    check_size(what, json)?;
    read_json_unbounded(what, json, read)
}

/// [`read_json`] without its size limit, for callers that apply their own.
pub(crate) fn read_json_unbounded<'j, T>(
    what: &'static str,
    json: &'j str,
    read: impl FnOnce(&mut Reader<'j>) -> Read<T>,
) -> Result<T, ParseError> {
    Reader::document(json, read).map_err(|fail| failed(what, json, *fail))
}

/// The error of a read of `json` that failed: one copy for every type read.
#[inline(never)]
fn failed(what: &'static str, json: &str, fail: read::Fail) -> ParseError {
    ParseError::Invalid {
        what,
        // A stop is no fault, and finding its path would scan the text up to it: a page
        // read order by order stops once per tick that does not finish it.
        path: if fail.is_stop() {
            String::new()
        } else {
            path_at(json, fail.at)
        },
        message: fail.message,
    }
}

impl<'a> Address<'a> {
    fn read(r: &mut Reader<'a>) -> Read<Address<'a>> {
        let mut a = Address::default();
        read_object!(r, "an address", |r| {
            "Name" => a.name = r.opt_text()?,
            "CompanyName" => a.company_name = r.opt_text()?,
            "AddressLine1" => a.address_line1 = r.opt_text()?,
            "AddressLine2" => a.address_line2 = r.opt_text()?,
            "AddressLine3" => a.address_line3 = r.opt_text()?,
            "City" => a.city = r.opt_text()?,
            "StateOrRegion" => a.state_or_region = r.opt_text()?,
            "PostalCode" => a.postal_code = r.opt_text()?,
            "CountryCode" => a.country_code = r.opt_text()?,
            "Phone" => a.phone = r.opt_text()?,
        });
        Ok(a)
    }
}

impl<'a> BuyerInfo<'a> {
    fn read(r: &mut Reader<'a>) -> Read<BuyerInfo<'a>> {
        let mut b = BuyerInfo::default();
        read_object!(r, "buyer info", |r| {
            "BuyerEmail" => b.buyer_email = r.opt_text()?,
            "BuyerName" => b.buyer_name = r.opt_text()?,
        });
        Ok(b)
    }
}

impl Money {
    pub(crate) fn read(r: &mut Reader<'_>) -> Read<Money> {
        // Through the compact reader's one copy: `compact_money` inlined here as well was
        // ~400 bytes of the component.
        let mut money = None;
        match r.compact_money_into(&mut money).and(money) {
            Some(money) => Ok(money),
            None => Money::read_any(r),
        }
    }

    /// Any amount object (see [`Reader::compact_money`] for the usual one).
    fn read_any(r: &mut Reader<'_>) -> Read<Money> {
        let (mut currency, mut cents) = (None, None);
        read_object!(r, "money", |r| {
            "CurrencyCode" => currency = Some(r.with_str(|code| Ok(Money::currency_code(code)))?),
            "Amount" => cents = Some(r.amount()?),
        });
        Ok(Money {
            currency: r.required(currency, "CurrencyCode")?,
            cents: r.required(cents, "Amount")?,
        })
    }
}

impl<'a> Order<'a> {
    /// An order with nothing read yet.
    const EMPTY: Order<'static> = Order {
        amazon_order_id: Text::Borrowed(""),
        purchase_date: DateTime::UNIX_EPOCH,
        last_update_date: DateTime::UNIX_EPOCH,
        order_status: OrderStatus::Pending,
        fulfillment_channel: None,
        ship_service_level: None,
        order_total: None,
        payment_method: None,
        marketplace_id: None,
        latest_ship_date: None,
        is_business_order: None,
        is_prime: None,
        shipping_address: None,
        buyer_info: None,
        buyer_email: None,
        buyer_name: None,
    };

    /// An order and its text, read where it is kept: an order is ~300 bytes, and reading it on
    /// the stack and then boxing it moved it twice, which wasmtime charges byte by byte.
    pub(crate) fn read_sent(r: &mut Reader<'a>) -> Read<SentOrder<'a>> {
        Sent::read_in(r, Order::boxed_empty(), Order::read_into)
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Read<Order<'a>> {
        let mut o = Order::EMPTY;
        Order::read_into(r, &mut o)?;
        Ok(o)
    }

    /// [`Self::EMPTY`] in a new box, field by field (the constant would be copied in bulk).
    fn boxed_empty() -> Box<Order<'a>> {
        // Every field is named here: a field added to `Order` fails the build until it is
        // written below too.
        const _: () = {
            let Order {
                amazon_order_id: _,
                purchase_date: _,
                last_update_date: _,
                order_status: _,
                fulfillment_channel: _,
                ship_service_level: _,
                order_total: _,
                payment_method: _,
                marketplace_id: _,
                latest_ship_date: _,
                is_business_order: _,
                is_prime: _,
                shipping_address: _,
                buyer_info: _,
                buyer_email: _,
                buyer_name: _,
            } = Order::EMPTY;
        };
        let mut order = Box::<Order<'a>>::new_uninit();
        let o = order.as_mut_ptr();
        // SAFETY: every field of the order is written (the pattern above lists them all)
        // before the box is taken as initialised.
        unsafe {
            addr_of_mut!((*o).amazon_order_id).write(Text::Borrowed(""));
            addr_of_mut!((*o).purchase_date).write(DateTime::UNIX_EPOCH);
            addr_of_mut!((*o).last_update_date).write(DateTime::UNIX_EPOCH);
            addr_of_mut!((*o).order_status).write(OrderStatus::Pending);
            addr_of_mut!((*o).fulfillment_channel).write(None);
            addr_of_mut!((*o).ship_service_level).write(None);
            addr_of_mut!((*o).order_total).write(None);
            addr_of_mut!((*o).payment_method).write(None);
            addr_of_mut!((*o).marketplace_id).write(None);
            addr_of_mut!((*o).latest_ship_date).write(None);
            addr_of_mut!((*o).is_business_order).write(None);
            addr_of_mut!((*o).is_prime).write(None);
            addr_of_mut!((*o).shipping_address).write(None);
            addr_of_mut!((*o).buyer_info).write(None);
            addr_of_mut!((*o).buyer_email).write(None);
            addr_of_mut!((*o).buyer_name).write(None);
            order.assume_init()
        }
    }

    /// Reads an order into `o`, which holds [`Self::EMPTY`].
    fn read_into(r: &mut Reader<'a>, o: &mut Order<'a>) -> Read<()> {
        let (mut id, mut purchased, mut updated, mut status) = (None, None, None, None);
        // The members Amazon sends, in the order its model and samples list them, the skipped
        // ones included: a member where the reader expects it is found without a lookup
        // (Amazon's compact sample order and items parse in 12 % less fuel; see
        // `Reader::member_key`). A response in another order costs a lookup per member, as
        // an unlisted key always did.
        read_object!(r, "an order", |r| {
            "AmazonOrderId" => id = Some(r.text()?),
            "PurchaseDate" => purchased = Some(r.time()?),
            "LastUpdateDate" => updated = Some(r.time()?),
            // Read as texts (which take a plain one in place), then parsed: neither refuses a
            // value.
            "OrderStatus" => status = Some(OrderStatus::parse(&r.text()?)),
            "FulfillmentChannel" => {
                o.fulfillment_channel = r.opt_text()?.map(|t| FulfillmentChannel::parse(&t))
            },
            "SalesChannel" => r.skip()?,
            "ShipServiceLevel" => o.ship_service_level = r.opt_text()?,
            "OrderTotal" => o.order_total = r.nullable(Money::read)?,
            "NumberOfItemsShipped" => r.skip()?,
            "NumberOfItemsUnshipped" => r.skip()?,
            "PaymentMethod" => o.payment_method = r.opt_text()?,
            "PaymentMethodDetails" => r.skip()?,
            "PaymentExecutionDetail" => r.skip()?,
            "IsReplacementOrder" => r.skip()?,
            "MarketplaceId" => o.marketplace_id = r.opt_text()?,
            "ShipmentServiceLevelCategory" => r.skip()?,
            "OrderType" => r.skip()?,
            "EarliestShipDate" => r.skip()?,
            "LatestShipDate" => o.latest_ship_date = r.opt_time()?,
            "EarliestDeliveryDate" => r.skip()?,
            "LatestDeliveryDate" => r.skip()?,
            "IsBusinessOrder" => o.is_business_order = r.flag()?,
            "IsPrime" => o.is_prime = r.flag()?,
            "ShippingAddress" => o.shipping_address = r.nullable(Address::read)?,
            "BuyerInfo" => o.buyer_info = r.nullable(BuyerInfo::read)?,
            "IsGlobalExpressEnabled" => r.skip()?,
            "IsPremiumOrder" => r.skip()?,
            "IsSoldByAB" => r.skip()?,
            "IsIBA" => r.skip()?,
            "DefaultShipFromLocationAddress" => r.skip()?,
            "FulfillmentInstruction" => r.skip()?,
            "IsISPU" => r.skip()?,
            "IsAccessPointOrder" => r.skip()?,
            "AutomatedShippingSettings" => r.skip()?,
            "EasyShipShipmentStatus" => r.skip()?,
            "ElectronicInvoiceStatus" => r.skip()?,
            "BuyerEmail" => o.buyer_email = r.opt_text()?,
            "BuyerName" => o.buyer_name = r.opt_text()?,
        });
        o.amazon_order_id = r.required(id, "AmazonOrderId")?;
        o.purchase_date = r.required(purchased, "PurchaseDate")?;
        o.last_update_date = r.required(updated, "LastUpdateDate")?;
        o.order_status = r.required(status, "OrderStatus")?;
        Ok(())
    }
}

impl BuyerRequestedCancel {
    fn read(r: &mut Reader<'_>) -> Read<BuyerRequestedCancel> {
        let mut c = BuyerRequestedCancel::default();
        read_object!(r, "a buyer cancel request", |r| {
            "IsBuyerRequestedCancel" => c.is_buyer_requested_cancel = r.flag()?,
        });
        Ok(c)
    }
}

/// The members of an order item Amazon sends, in the order its model and samples list them (see
/// `Order::read`), read by [`OrderItem::read`] and [`OrderItem::compact_into`].
const ITEM_KEYS: &keys::Keys = keys::keys![
    "ASIN",
    "OrderItemId",
    "SellerSKU",
    "Title",
    "QuantityOrdered",
    "QuantityShipped",
    "ProductInfo",
    "ItemPrice",
    "ShippingPrice",
    "ItemTax",
    "ShippingTax",
    "ShippingDiscount",
    "PromotionDiscount",
    "IsGift",
    "ConditionId",
    "ConditionSubtypeId",
    "IsTransparency",
    "SerialNumberRequired",
    "IossNumber",
    "DeemedResellerCategory",
    "StoreChainStoreId",
    "BuyerRequestedCancel",
];

impl<'a> OrderItem<'a> {
    pub(crate) fn read(r: &mut Reader<'a>) -> Read<OrderItem<'a>> {
        let (mut asin, mut item_id, mut ordered) = (None, None, None);
        // Written out rather than `Self::EMPTY`: the constant is copied in bulk and its fields
        // then kept in memory, +531 bytes and +78 fuel a push (measured).
        let mut i = OrderItem {
            asin: Text::Borrowed(""),
            seller_sku: None,
            order_item_id: Text::Borrowed(""),
            title: None,
            quantity_ordered: 0,
            quantity_shipped: None,
            item_price: None,
            shipping_price: None,
            item_tax: None,
            shipping_tax: None,
            shipping_discount: None,
            promotion_discount: None,
            buyer_requested_cancel: None,
        };
        read_object!(r, "an order item", ITEM_KEYS, |r| {
            "ASIN" => asin = Some(r.text()?),
            "OrderItemId" => item_id = Some(r.text()?),
            "SellerSKU" => i.seller_sku = r.opt_text()?,
            "Title" => i.title = r.opt_text()?,
            "QuantityOrdered" => ordered = Some(r.u32()?),
            "QuantityShipped" => i.quantity_shipped = r.opt_u32()?,
            "ProductInfo" => r.skip()?,
            "ItemPrice" => i.item_price = r.nullable(Money::read)?,
            "ShippingPrice" => i.shipping_price = r.nullable(Money::read)?,
            "ItemTax" => i.item_tax = r.nullable(Money::read)?,
            "ShippingTax" => i.shipping_tax = r.nullable(Money::read)?,
            "ShippingDiscount" => i.shipping_discount = r.nullable(Money::read)?,
            "PromotionDiscount" => i.promotion_discount = r.nullable(Money::read)?,
            "IsGift" => r.skip()?,
            "ConditionId" => r.skip()?,
            "ConditionSubtypeId" => r.skip()?,
            "IsTransparency" => r.skip()?,
            "SerialNumberRequired" => r.skip()?,
            "IossNumber" => r.skip()?,
            "DeemedResellerCategory" => r.skip()?,
            "StoreChainStoreId" => r.skip()?,
            "BuyerRequestedCancel" => {
                i.buyer_requested_cancel = r.nullable(BuyerRequestedCancel::read)?
            },
        });
        i.asin = r.required(asin, "ASIN")?;
        i.order_item_id = r.required(item_id, "OrderItemId")?;
        i.quantity_ordered = r.required(ordered, "QuantityOrdered")?;
        Ok(i)
    }

    pub(crate) fn read_list(r: &mut Reader<'a>) -> Read<Vec<OrderItem<'a>>> {
        let mut items = Vec::new();
        let mut more = r.enter_array("a list of order items")?;
        while more {
            let start = r.value_start()?;
            // Read where it is kept: an item is ~200 bytes, and wasmtime charges a copy per
            // byte.
            let item = OrderItem::push_empty(&mut items);
            if !OrderItem::compact_into(r, item) {
                r.rewind(start);
                *item = OrderItem::read(r)?;
            }
            more = r.array_step()?;
        }
        Ok(items)
    }

    /// An item with nothing read yet.
    const EMPTY: OrderItem<'static> = OrderItem {
        asin: Text::Borrowed(""),
        seller_sku: None,
        order_item_id: Text::Borrowed(""),
        title: None,
        quantity_ordered: 0,
        quantity_shipped: None,
        item_price: None,
        shipping_price: None,
        item_tax: None,
        shipping_tax: None,
        shipping_discount: None,
        promotion_discount: None,
        buyer_requested_cancel: None,
    };

    /// Appends [`Self::EMPTY`] to `items` field by field, and returns it: the constant item
    /// would be copied in bulk, 208 bytes that wasmtime charges one by one (~160 fuel an item
    /// more than these stores).
    fn push_empty<'l>(items: &'l mut Vec<OrderItem<'a>>) -> &'l mut OrderItem<'a> {
        // Every field is named here: a field added to `OrderItem` fails the build until it is
        // written below too.
        const _: () = {
            let OrderItem {
                asin: _,
                seller_sku: _,
                order_item_id: _,
                title: _,
                quantity_ordered: _,
                quantity_shipped: _,
                item_price: _,
                shipping_price: _,
                item_tax: _,
                shipping_tax: _,
                shipping_discount: _,
                promotion_discount: _,
                buyer_requested_cancel: _,
            } = OrderItem::EMPTY;
        };
        items.reserve(1);
        let len = items.len();
        // SAFETY: `reserve` made room for one more item at `len`; every field of it is written
        // (the pattern above lists them all) before the length takes it in.
        unsafe {
            let item = items.as_mut_ptr().add(len);
            addr_of_mut!((*item).asin).write(Text::Borrowed(""));
            addr_of_mut!((*item).seller_sku).write(None);
            addr_of_mut!((*item).order_item_id).write(Text::Borrowed(""));
            addr_of_mut!((*item).title).write(None);
            addr_of_mut!((*item).quantity_ordered).write(0);
            addr_of_mut!((*item).quantity_shipped).write(None);
            addr_of_mut!((*item).item_price).write(None);
            addr_of_mut!((*item).shipping_price).write(None);
            addr_of_mut!((*item).item_tax).write(None);
            addr_of_mut!((*item).shipping_tax).write(None);
            addr_of_mut!((*item).shipping_discount).write(None);
            addr_of_mut!((*item).promotion_discount).write(None);
            addr_of_mut!((*item).buyer_requested_cancel).write(None);
            items.set_len(len + 1);
            &mut *item
        }
    }

    /// Reads the item here into `i` (which holds [`Self::EMPTY`]) if it is written as Amazon
    /// sends it on the wire ([`Reader::compact_object`]), every text without escapes, every
    /// quantity and amount of its usual spelling (see [`Reader::compact_money`]), no `null`
    /// but for `BuyerRequestedCancel`. Whether it was; when not, `i` and the reader are left
    /// anywhere and the caller reads the item again with [`Self::read`], which reads (or
    /// refuses) every item. Taken, it gives what `read` gives (a test compares them over
    /// systematically broken items). A 3-item order's items read in ~20 % less fuel
    /// (BENCHMARKS.md, 2026-11-30).
    fn compact_into(r: &mut Reader<'a>, i: &mut OrderItem<'a>) -> bool {
        const HEADS: [u64; ITEM_KEYS.len()] = keys::frame_heads(ITEM_KEYS.framed);
        let (mut asin, mut item_id, mut ordered) = (false, false, false);
        r.compact_object(ITEM_KEYS, &HEADS, |r, text, index, at| {
            let bytes = text.as_bytes();
            let money =
                |money: &mut Option<Money>| Some(compact_money_into_at(bytes, at, money)?.get());
            match index {
                0 => compact_text_at(text, at).map(|(t, end)| {
                    i.asin = Text::Borrowed(t);
                    asin = true;
                    end
                }),
                1 => compact_text_at(text, at).map(|(t, end)| {
                    i.order_item_id = Text::Borrowed(t);
                    item_id = true;
                    end
                }),
                2 => compact_text_at(text, at).map(|(t, end)| {
                    i.seller_sku = Some(Text::Borrowed(t));
                    end
                }),
                3 => compact_text_at(text, at).map(|(t, end)| {
                    i.title = Some(Text::Borrowed(t));
                    end
                }),
                4 => compact_u32_at(bytes, at).map(|(n, end)| {
                    i.quantity_ordered = n;
                    ordered = true;
                    end
                }),
                5 => compact_u32_at(bytes, at).map(|(n, end)| {
                    i.quantity_shipped = Some(n);
                    end
                }),
                7 => money(&mut i.item_price),
                8 => money(&mut i.shipping_price),
                9 => money(&mut i.item_tax),
                10 => money(&mut i.shipping_tax),
                11 => money(&mut i.shipping_discount),
                12 => money(&mut i.promotion_discount),
                // Mostly plain texts (`IsGift`, `IossNumber`): passed over in place.
                6 | 13..=20 => compact_text_at(text, at).map(|(_, end)| end).or_else(|| {
                    r.rewind(at);
                    r.skip().ok().map(|()| r.position())
                }),
                // Amazon's sample items end with one: read here, such an item is read once.
                21 => {
                    r.rewind(at);
                    r.nullable(BuyerRequestedCancel::read).ok().map(|cancel| {
                        i.buyer_requested_cancel = cancel;
                        r.position()
                    })
                }
                _ => None,
            }
        }) && asin
            && item_id
            && ordered
    }
}

impl<'a> OrdersList<'a> {
    fn read(r: &mut Reader<'a>) -> Read<OrdersList<'a>> {
        let mut list = OrdersList {
            orders: Vec::new(),
            next_token: None,
            last_updated_before: None,
            created_before: None,
        };
        let mut orders_read = false;
        read_object!(r, "a getOrders payload", |r| {
            "Orders" => {
                r.first_time(&mut orders_read, "Orders")?;
                list.orders = r.array("a list of orders", Order::read)?
            },
            "NextToken" => list.next_token = r.opt_string()?,
            "LastUpdatedBefore" => list.last_updated_before = r.opt_time()?,
            "CreatedBefore" => list.created_before = r.opt_time()?,
        });
        Ok(list)
    }
}

impl<'a> OrderItemsList<'a> {
    fn read(r: &mut Reader<'a>) -> Read<OrderItemsList<'a>> {
        let mut list = OrderItemsList {
            order_items: Sent::none(),
            next_token: None,
        };
        read_object!(r, "a getOrderItems payload", |r| {
            "OrderItems" => list.order_items = Sent::read(r, OrderItem::read_list)?,
            "NextToken" => list.next_token = r.opt_string()?,
        });
        Ok(list)
    }
}

impl ApiError {
    fn read(r: &mut Reader<'_>) -> Read<ApiError> {
        let mut e = ApiError {
            code: String::new(),
            message: String::new(),
            details: None,
        };
        read_object!(r, "an error", |r| {
            "code" => e.code = r.string()?,
            "message" => e.message = r.string()?,
            "details" => e.details = r.opt_string()?,
        });
        Ok(e)
    }

    fn read_list(r: &mut Reader<'_>) -> Read<Vec<ApiError>> {
        r.array("a list of errors", ApiError::read)
    }
}

// Writers for the stored row: the same JSON as the `Serialize` derives above.

fn write_flag(w: &mut Writer, key: Key, flag: Option<bool>) {
    w.opt_member(key, flag.as_ref(), |w, b| w.bool(*b));
}

fn write_count(w: &mut Writer, key: Key, count: Option<u32>) {
    w.opt_member(key, count.as_ref(), |w, n| w.number(u64::from(*n)));
}

fn write_money(w: &mut Writer, key: Key, money: Option<&Money>) {
    w.opt_member(key, money, |w, m| m.write(w));
}

impl Money {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("CurrencyCode"), &self.currency);
            w.key(key!("Amount")).amount(self.cents);
        });
    }
}

impl Address<'_> {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.opt_str_member(key!("Name"), self.name.as_deref());
            w.opt_str_member(key!("CompanyName"), self.company_name.as_deref());
            w.opt_str_member(key!("AddressLine1"), self.address_line1.as_deref());
            w.opt_str_member(key!("AddressLine2"), self.address_line2.as_deref());
            w.opt_str_member(key!("AddressLine3"), self.address_line3.as_deref());
            w.opt_str_member(key!("City"), self.city.as_deref());
            w.opt_str_member(key!("StateOrRegion"), self.state_or_region.as_deref());
            w.opt_str_member(key!("PostalCode"), self.postal_code.as_deref());
            w.opt_str_member(key!("CountryCode"), self.country_code.as_deref());
            w.opt_str_member(key!("Phone"), self.phone.as_deref());
        });
    }
}

impl BuyerInfo<'_> {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.opt_str_member(key!("BuyerEmail"), self.buyer_email.as_deref());
            w.opt_str_member(key!("BuyerName"), self.buyer_name.as_deref());
        });
    }
}

impl Order<'_> {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("AmazonOrderId"), &self.amazon_order_id);
            w.key(key!("PurchaseDate")).time(&self.purchase_date);
            w.key(key!("LastUpdateDate")).time(&self.last_update_date);
            w.str_member(key!("OrderStatus"), self.order_status.as_str());
            w.opt_str_member(
                key!("FulfillmentChannel"),
                self.fulfillment_channel.as_ref().map(|c| c.as_str()),
            );
            w.opt_str_member(key!("ShipServiceLevel"), self.ship_service_level.as_deref());
            write_money(w, key!("OrderTotal"), self.order_total.as_ref());
            w.opt_str_member(key!("PaymentMethod"), self.payment_method.as_deref());
            w.opt_str_member(key!("MarketplaceId"), self.marketplace_id.as_deref());
            w.opt_member(
                key!("LatestShipDate"),
                self.latest_ship_date.as_ref(),
                Writer::time,
            );
            write_flag(w, key!("IsBusinessOrder"), self.is_business_order);
            write_flag(w, key!("IsPrime"), self.is_prime);
            w.opt_member(
                key!("ShippingAddress"),
                self.shipping_address.as_ref(),
                |w, a| a.write(w),
            );
            w.opt_member(key!("BuyerInfo"), self.buyer_info.as_ref(), |w, b| {
                b.write(w)
            });
            w.opt_str_member(key!("BuyerEmail"), self.buyer_email.as_deref());
            w.opt_str_member(key!("BuyerName"), self.buyer_name.as_deref());
        });
    }
}

impl OrderItem<'_> {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("ASIN"), &self.asin);
            w.str_member(key!("OrderItemId"), &self.order_item_id);
            w.opt_str_member(key!("SellerSKU"), self.seller_sku.as_deref());
            w.opt_str_member(key!("Title"), self.title.as_deref());
            w.key(key!("QuantityOrdered"))
                .number(u64::from(self.quantity_ordered));
            write_count(w, key!("QuantityShipped"), self.quantity_shipped);
            write_money(w, key!("ItemPrice"), self.item_price.as_ref());
            write_money(w, key!("ShippingPrice"), self.shipping_price.as_ref());
            write_money(w, key!("ItemTax"), self.item_tax.as_ref());
            write_money(w, key!("ShippingTax"), self.shipping_tax.as_ref());
            write_money(w, key!("ShippingDiscount"), self.shipping_discount.as_ref());
            write_money(
                w,
                key!("PromotionDiscount"),
                self.promotion_discount.as_ref(),
            );
            w.opt_member(
                key!("BuyerRequestedCancel"),
                self.buyer_requested_cancel.as_ref(),
                |w, c| {
                    w.object(|w| {
                        write_flag(
                            w,
                            key!("IsBuyerRequestedCancel"),
                            c.is_buyer_requested_cancel,
                        );
                    })
                },
            );
        });
    }
}

impl ConfirmShipmentRequest {
    /// The request body as Amazon takes it (also how the push queue stores it).
    pub fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(256);
        self.write(&mut w);
        w.finish()
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        let p = &self.package_detail;
        w.object(|w| {
            w.str_member(key!("marketplaceId"), &self.marketplace_id);
            w.key(key!("packageDetail")).object(|w| {
                w.str_member(key!("packageReferenceId"), &p.package_reference_id);
                w.str_member(key!("carrierCode"), &p.carrier_code);
                w.opt_str_member(key!("carrierName"), p.carrier_name.as_deref());
                w.opt_str_member(key!("shippingMethod"), p.shipping_method.as_deref());
                w.str_member(key!("trackingNumber"), &p.tracking_number);
                w.str_member(key!("shipDate"), &p.ship_date);
                w.key(key!("orderItems"))
                    .array(&p.order_items, |w, item| item.write(w));
            });
        });
    }

    pub fn from_json(json: &str) -> Result<ConfirmShipmentRequest, ParseError> {
        read_json(
            "confirmShipment request",
            json,
            ConfirmShipmentRequest::read,
        )
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Read<ConfirmShipmentRequest> {
        let (mut marketplace_id, mut package_detail) = (None, None);
        read_object!(r, "a confirmShipment request", |r| {
            "marketplaceId" => marketplace_id = Some(r.string()?),
            "packageDetail" => package_detail = Some(PackageDetail::read(r)?),
        });
        Ok(ConfirmShipmentRequest {
            marketplace_id: r.required(marketplace_id, "marketplaceId")?,
            package_detail: r.required(package_detail, "packageDetail")?,
        })
    }
}

impl PackageDetail {
    fn read(r: &mut Reader<'_>) -> Read<PackageDetail> {
        let (mut reference, mut carrier_code, mut tracking, mut ship_date, mut items) =
            (None, None, None, None, None);
        let (mut carrier_name, mut shipping_method) = (None, None);
        read_object!(r, "a package detail", |r| {
            "packageReferenceId" => reference = Some(r.string()?),
            "carrierCode" => carrier_code = Some(r.string()?),
            "carrierName" => carrier_name = r.opt_string()?,
            "shippingMethod" => shipping_method = r.opt_string()?,
            "trackingNumber" => tracking = Some(r.string()?),
            "shipDate" => ship_date = Some(r.string()?),
            "orderItems" => {
                items = Some(r.array("a list of order items", ConfirmShipmentItem::read)?)
            },
        });
        Ok(PackageDetail {
            package_reference_id: r.required(reference, "packageReferenceId")?,
            carrier_code: r.required(carrier_code, "carrierCode")?,
            carrier_name,
            shipping_method,
            tracking_number: r.required(tracking, "trackingNumber")?,
            ship_date: r.required(ship_date, "shipDate")?,
            order_items: r.required(items, "orderItems")?,
        })
    }
}

impl ConfirmShipmentItem {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("orderItemId"), &self.order_item_id);
            w.key(key!("quantity")).number(u64::from(self.quantity));
        });
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Read<ConfirmShipmentItem> {
        let (mut order_item_id, mut quantity) = (None, None);
        read_object!(r, "an order item quantity", |r| {
            "orderItemId" => order_item_id = Some(r.string()?),
            "quantity" => quantity = Some(r.u32()?),
        });
        Ok(ConfirmShipmentItem {
            order_item_id: r.required(order_item_id, "orderItemId")?,
            quantity: r.required(quantity, "quantity")?,
        })
    }
}

/// Any SP-API response: its `payload`, or the `errors` Amazon answered with.
fn read_envelope<'j, T>(
    what: &'static str,
    json: &'j str,
    payload: impl FnMut(&mut Reader<'j>) -> Read<T>,
) -> Result<T, ParseError> {
    let mut payload = payload;
    let (found, errors) = read_json(what, json, |r| {
        let (mut found, mut errors, mut payload_read) = (None, Vec::new(), false);
        read_object!(r, "an SP-API response", |r| {
            "payload" => {
                r.first_time(&mut payload_read, "payload")?;
                found = r.nullable(&mut payload)?
            },
            "errors" => errors = ApiError::read_list(r)?,
        });
        Ok((found, errors))
    })?;
    match found {
        Some(payload) if errors.is_empty() => Ok(payload),
        _ if !errors.is_empty() => Err(ParseError::Api(ApiErrors(errors))),
        _ => Err(invalid(what, "payload", "missing")),
    }
}

pub(crate) fn invalid(
    what: &'static str,
    path: impl Into<String>,
    message: impl Into<String>,
) -> ParseError {
    ParseError::Invalid {
        what,
        path: path.into(),
        message: message.into(),
    }
}

/// Parses a getOrders response body.
pub fn parse_get_orders(json: &str) -> Result<OrdersList<'_>, ParseError> {
    let list = read_envelope("getOrders response", json, OrdersList::read)?;
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

/// How reading a getOrders page order by order ended.
#[derive(Debug, PartialEq, Eq)]
pub enum PageRead<'j, B> {
    /// Every order was handed over; the page's `NextToken`.
    Done(Option<String>),
    /// The handler stopped at an order: why, and the page from that order on, a getOrders body
    /// as Amazon sent it with the orders before cut out (what a tick that stopped inside the
    /// page keeps for the next one). As its two parts in the body, the text up to the orders'
    /// `[` and the text from the order on: stored as they are (`StorageOp::PutParts`), not
    /// joined into a copy first (up to a whole page, which wasmtime charges byte by byte).
    Stopped(B, [&'j str; 2]),
}

/// One order of a getOrders page, as the poll is handed it.
// Moved once per order into the poll's handler: boxing the common variant would add an
// allocation per order to spare a copy of the rare one.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq, Eq)]
pub enum PageOrder<'j> {
    /// Read and checked in full.
    Read(SentOrder<'j>),
    /// An order whose id, dates and status read but not the rest: the poll passes over it when
    /// it would anyway (bought before the integration, already applied) and stops at it, with
    /// the error, otherwise.
    Unreadable(PageHead<'j>, ParseError),
}

/// What the poll needs to pass over an order.
#[derive(Debug, PartialEq, Eq)]
pub struct PageHead<'j> {
    pub amazon_order_id: Text<'j>,
    pub purchase_date: DateTime<Utc>,
    pub last_update_date: DateTime<Utc>,
    pub order_status: OrderStatus,
}

impl<'j> PageHead<'j> {
    fn read(r: &mut Reader<'j>) -> Read<PageHead<'j>> {
        let (mut id, mut purchased, mut updated, mut status) = (None, None, None, None);
        read_object!(r, "an order", |r| {
            "AmazonOrderId" => id = Some(r.text()?),
            "PurchaseDate" => purchased = Some(r.time()?),
            "LastUpdateDate" => updated = Some(r.time()?),
            "OrderStatus" => status = Some(r.with_str(|s| Ok(OrderStatus::parse(s)))?),
        });
        Ok(PageHead {
            amazon_order_id: r.required(id, "AmazonOrderId")?,
            purchase_date: r.required(purchased, "PurchaseDate")?,
            last_update_date: r.required(updated, "LastUpdateDate")?,
            order_status: r.required(status, "OrderStatus")?,
        })
    }
}

/// Reads a getOrders response body one order at a time, handing each to `each` as soon as it
/// is read and checked, until `each` breaks.
///
/// The poll reads each order once this way: reading the whole page up front and the orders
/// again one by one read every order twice, and a page re-read on every tick a third and
/// fourth time (a tick imports at most getOrderItems' burst of 30). A body that is not a
/// getOrders response ends the read with its error where the fault is found: the orders before
/// it were handed over, as they were before an order refused by a check. So were they when
/// Amazon's `errors` follow its `payload`: the cursor stays before the page, and the next
/// tick passes over them. An order that reads only as far as its id, dates and status is
/// handed over as [`PageOrder::Unreadable`].
pub fn read_get_orders_page<'j, B>(
    body: &'j str,
    mut each: impl FnMut(PageOrder<'j>) -> ControlFlow<B>,
) -> Result<PageRead<'j, B>, ParseError> {
    let what = "getOrders response";
    // How the read ended, when it ended inside the array: the reader is then left by an error
    // that carries no message.
    let mut ended = None;
    let read = read_envelope(what, body, |r| {
        let (mut next_token, mut orders_read) = (None, false);
        read_object!(r, "a getOrders payload", |r| {
            "Orders" => {
                r.first_time(&mut orders_read, "Orders")?;
                let open = r.value_start()?;
                let mut index = 0;
                r.array("a list of orders", |r| {
                    let start = r.value_start()?;
                    let here = |field: &str| format!("payload.Orders[{index}].{field}");
                    let order = match Order::read_sent(r) {
                        Ok(order) => PageOrder::Read(order),
                        Err(fail) => {
                            r.rewind(start);
                            // A head that does not read either: the first fault is the one.
                            let Ok(head) = PageHead::read(r) else {
                                return Err(fail);
                            };
                            // The path within the order, so that a page of such orders
                            // costs no rescan of the body before each.
                            let within = path_at(slice(body, start..body.len()), fail.at - start);
                            let path = match within.as_str() {
                                // A fault at the order itself: the head's own checks catch
                                // those first, so this only guards the path's shape.
                                "" => format!("payload.Orders[{index}]"),
                                field => here(field),
                            };
                            let error = ParseError::Invalid {
                                what,
                                path,
                                message: fail.message,
                            };
                            PageOrder::Unreadable(head, error)
                        }
                    };
                    let id = match &order {
                        PageOrder::Read(order) => &order.amazon_order_id,
                        PageOrder::Unreadable(head, _) => &head.amazon_order_id,
                    };
                    let stop = match validate_order_id(id) {
                        Err((field, message)) => Err(invalid(what, here(field), message)),
                        Ok(()) => match each(order) {
                            ControlFlow::Continue(()) => {
                                index += 1;
                                return Ok(());
                            }
                            ControlFlow::Break(why) => Ok(PageRead::Stopped(
                                why,
                                [slice(body, 0..open + 1), slice(body, start..body.len())],
                            )),
                        },
                    };
                    ended = Some(stop);
                    r.stop()
                })?
            },
            "NextToken" => next_token = r.opt_string()?,
        });
        Ok(next_token)
    });
    match ended {
        Some(end) => end,
        None => read.map(PageRead::Done),
    }
}

/// Parses a getOrderItems response body.
pub fn parse_get_order_items(json: &str) -> Result<OrderItemsList<'_>, ParseError> {
    let list = read_envelope("getOrderItems response", json, OrderItemsList::read)?;
    validate_items(&list.order_items).map_err(|(i, field, message)| {
        invalid(
            "getOrderItems response",
            format!("payload.OrderItems[{i}].{field}"),
            message,
        )
    })?;
    Ok(list)
}

/// Parses one order: an SP-API `Order` object or a whole getOrder response (the order keeps
/// the text of its `Order` object).
pub fn parse_order(json: &str) -> Result<SentOrder<'_>, ParseError> {
    let order = if looks_like_envelope(json) {
        read_envelope("order", json, Order::read_sent)?
    } else {
        read_json("order", json, Order::read_sent)?
    };
    validate_order(&order).map_err(|(field, message)| invalid("order", field, message))?;
    Ok(order)
}

/// Parses order items: an `OrderItems` array or a whole getOrderItems response (the items keep
/// the text of their `OrderItems` array).
pub fn parse_order_items(json: &str) -> Result<SentItems<'_>, ParseError> {
    if looks_like_envelope(json) {
        return parse_get_order_items(json).map(|l| l.order_items);
    }
    let items = read_json("order items", json, |r| Sent::read(r, OrderItem::read_list))?;
    validate_items(&items)
        .map_err(|(i, field, message)| invalid("order items", format!("[{i}].{field}"), message))?;
    Ok(items)
}

/// Parses an SP-API error body (`{"errors":[…]}`); `None` when the body is not one.
pub fn parse_api_errors(json: &str) -> Option<ApiErrors> {
    read_json("error body", json, |r| {
        let mut errors = None;
        read_object!(r, "an error body", |r| {
            "errors" => errors = Some(ApiError::read_list(r)?),
        });
        r.required(errors, "errors")
    })
    .ok()
    .map(ApiErrors)
}

fn looks_like_envelope(json: &str) -> bool {
    // JSON's whitespace is ASCII: no need for `trim_start`'s Unicode tables.
    let head = json.as_bytes().trim_ascii_start();
    head.strip_prefix(b"{").is_some_and(|inner| {
        let inner = inner.trim_ascii_start();
        inner.starts_with(b"\"payload\"") || inner.starts_with(b"\"errors\"")
    })
}

/// `3-7-7` digits, e.g. `902-1845936-5435065`. Eight bytes at a time, the dashes put aside
/// first: every page checks every id it holds, and a loop over the bytes cost ~25 operators
/// per byte.
pub fn is_amazon_order_id(id: &str) -> bool {
    let Ok(bytes) = <&[u8; 3 + 1 + 7 + 1 + 7]>::try_from(id.as_bytes()) else {
        return false;
    };
    if bytes[3] != b'-' || bytes[11] != b'-' {
        return false;
    }
    let word = |at: usize| {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    // Each dash, byte 3 of the first two words and byte 0 of the last (which overlaps the
    // second), read as a `0`.
    let dash_as_zero = |word: u64, byte: u32| (word & !(0xFF << (8 * byte))) | (0x30 << (8 * byte));
    let words = [
        dash_as_zero(word(0), 3),
        dash_as_zero(word(8), 3),
        dash_as_zero(word(11), 0),
    ];
    use crate::text::{HIGH, ONES};
    // Every byte that is not a digit sets its high bit in the subtraction (below `0`, or from
    // 0xB0 up) or in the addition (`:` to 0xB9); no borrow or carry reaches a byte whose lower
    // bytes are all digits, so the lowest such byte is always flagged, and digits flag nothing.
    words
        .iter()
        .all(|&w| (w.wrapping_sub(ONES * 0x30) | w.wrapping_add(ONES * 0x46)) & HIGH == 0)
}

fn validate_order(order: &Order) -> Result<(), (&'static str, String)> {
    validate_order_id(&order.amazon_order_id)
}

fn validate_order_id(id: &str) -> Result<(), (&'static str, String)> {
    if !is_amazon_order_id(id) {
        return Err((
            "AmazonOrderId",
            format!("\"{id}\" is not an Amazon order id (3-7-7 digits)"),
        ));
    }
    Ok(())
}

fn validate_items(items: &[OrderItem]) -> Result<(), (usize, &'static str, String)> {
    for (i, item) in items.iter().enumerate() {
        if quirks::trimmed(&item.order_item_id).is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_read_is_passed_on_without_its_path_and_a_fault_with_it() {
        let json = r#"{"a": [{"b": 1}, {"b": 2}]}"#;
        // Leaves the read after the array's first element, by a stop or by a fault.
        let leave_after_first = |fault: bool| {
            read_json_unbounded("doc", json, |r| {
                read_object!(r, "o", |r| {
                    "a" => r.array("a", |r| {
                        r.skip()?;
                        match fault {
                            true => r.fail_here::<()>("no".into()),
                            false => r.stop::<()>(),
                        }
                    })?,
                });
                Ok(())
            })
        };
        assert_eq!(leave_after_first(false), Err(invalid("doc", "", "")));
        assert_eq!(leave_after_first(true), Err(invalid("doc", "a[0]", "no")));
    }

    #[test]
    fn an_item_is_matched_by_its_trimmed_seller_sku_or_else_its_asin() {
        let item = |seller_sku: Option<&'static str>| OrderItem {
            asin: Text::Borrowed("B00EXAMPLE"),
            seller_sku: seller_sku.map(Text::Borrowed),
            ..OrderItem::EMPTY
        };
        for (seller_sku, sku) in [
            (Some("SKU-1"), "SKU-1"),
            (Some("X"), "X"),
            (Some(" SKU-1\t"), "SKU-1"),
            (Some("SKU-1 "), "SKU-1"),
            (Some(" SKU-1"), "SKU-1"),
            (Some("\u{a0}SKU é\u{3000}"), "SKU é"),
            (Some("ü"), "ü"),
            (Some("  "), "B00EXAMPLE"),
            (Some(""), "B00EXAMPLE"),
            (None, "B00EXAMPLE"),
        ] {
            assert_eq!(item(seller_sku).sku(), sku, "{seller_sku:?}");
        }
    }

    #[test]
    fn amazon_order_ids_are_3_7_7_digits() {
        for good in ["902-1845936-5435065", "000-0000000-0000000"] {
            assert!(is_amazon_order_id(good), "{good}");
        }
        for bad in [
            "",
            "902-1845936-543506",
            "902-1845936-54350655",
            "9021-845936-5435065",
            "902-18459365435065-",
            "902+1845936-5435065",
            "902-184593a-5435065",
            "902-1845936-5435065 ",
            "٩02-1845936-5435065",
        ] {
            assert!(!is_amazon_order_id(bad), "{bad}");
        }
        // Every byte value at every position, against the definition byte by byte.
        let good = *b"902-1845936-5435065";
        for at in 0..good.len() {
            for byte in 0..=u8::MAX {
                let mut id = good;
                id[at] = byte;
                let expected = if at == 3 || at == 11 {
                    byte == b'-'
                } else {
                    byte.is_ascii_digit()
                };
                if let Ok(id) = core::str::from_utf8(&id) {
                    assert_eq!(is_amazon_order_id(id), expected, "{id:?}");
                }
            }
        }
        // Bytes from 0x80 up come in characters of two bytes or more: every two-byte one, at
        // every place.
        for at in 0..good.len() - 1 {
            for c in '\u{80}'..='\u{7ff}' {
                let mut id = good;
                c.encode_utf8(&mut id[at..at + 2]);
                let id = core::str::from_utf8(&id).expect("one character replaced two bytes");
                assert!(!is_amazon_order_id(id), "{id:?}");
            }
        }
    }

    const PAGES: [&str; 3] = [
        include_str!("../../tests/fixtures/spapi/getOrders_200_TEST_CASE_200.response.json"),
        include_str!(
            "../../tests/fixtures/spapi/getOrders_200_TEST_CASE_200_NEXT_TOKEN_page1.response.json"
        ),
        include_str!(
            "../../tests/fixtures/spapi/getOrders_200_TEST_CASE_200_NEXT_TOKEN_page2.response.json"
        ),
    ];

    #[test]
    fn the_empty_address_is_the_default_one() {
        assert_eq!(Address::EMPTY, Address::default());
    }

    #[test]
    fn amounts_are_written_as_serde_writes_them() {
        for (currency, cents) in [
            ("USD", 1101),
            ("EUR", -5),
            ("JPY", 0),
            ("EURO", i64::MAX / 1000),
            ("U\"S", 1),
            ("LONGER-THAN-EIGHT", 12),
            ("", 7),
        ] {
            let money = Money {
                currency: currency.to_owned().into(),
                cents,
            };
            let mut w = Writer::with_capacity(0);
            money.write(&mut w);
            assert_eq!(w.finish(), serde_json::to_string(&money).unwrap());
        }
    }

    #[test]
    fn an_order_boxed_field_by_field_is_the_empty_order() {
        assert_eq!(*Order::boxed_empty(), Order::EMPTY);
    }

    /// Reads the item `json` holds both ways, [`OrderItem::compact_into`] and then
    /// [`OrderItem::read`] from the same start, and checks that where the first takes the
    /// item, the second reads the same item and ends at the same place. Whether it took it.
    fn compact_item_matches_general(json: &str) -> bool {
        let mut taken = false;
        let _ = Reader::document(json, |r| {
            let start = r.value_start()?;
            let mut compact = OrderItem::EMPTY;
            taken = OrderItem::compact_into(r, &mut compact);
            let compact_end = r.position();
            r.rewind(start);
            let general = OrderItem::read(r);
            if taken {
                let general = general.unwrap_or_else(|e| panic!("{json}: {}", e.message));
                assert_eq!(compact, general, "{json}");
                assert_eq!(compact_end, r.position(), "{json}");
            }
            Ok(())
        });
        taken
    }

    #[test]
    fn wire_items_read_in_one_pass_as_the_general_reader_reads_them() {
        let full = concat!(
            r#"{"ASIN":"B00551Q3CS","OrderItemId":"05015851154158","SellerSKU":"NABetaASINB00551Q3CS","#,
            r#""Title":"B00551Q3CS [Card Book] — ½ price","QuantityOrdered":2,"QuantityShipped":1,"#,
            r#""ProductInfo":{"NumberOfItems":"1"},"#,
            r#""ItemPrice":{"CurrencyCode":"USD","Amount":"10.00"},"#,
            r#""ShippingPrice":{"CurrencyCode":"USD","Amount":"2.50"},"#,
            r#""ItemTax":{"CurrencyCode":"USD","Amount":"1.01"},"#,
            r#""ShippingTax":{"CurrencyCode":"USD","Amount":"0.00"},"#,
            r#""ShippingDiscount":{"CurrencyCode":"USD","Amount":"0.50"},"#,
            r#""PromotionDiscount":{"CurrencyCode":"JPY","Amount":"120"},"#,
            r#""IsGift":"false","ConditionId":"New","ConditionSubtypeId":"New","#,
            r#""IsTransparency":false,"SerialNumberRequired":false,"IossNumber":"","#,
            r#""DeemedResellerCategory":"IOSS","StoreChainStoreId":"ISPU_StoreId","#,
            r#""BuyerRequestedCancel":{"IsBuyerRequestedCancel":"true","BuyerCancelReason":"Found cheaper"}}"#
        );
        let items = parse_order_items(
            r#"[{"ASIN":"BT0093TELA","OrderItemId":"68828574383266","QuantityOrdered":1},
                {"ASIN":"B","OrderItemId":"1","QuantityOrdered":0,"IsGift":true},
                {"ASIN":"C","OrderItemId":"2","QuantityOrdered":1,"BuyerRequestedCancel":null},
                {"ASIN":"D","OrderItemId":"3","QuantityOrdered":1,
                 "BuyerRequestedCancel":{"IsBuyerRequestedCancel":"true","BuyerCancelReason":"x"}}]"#,
        )
        .unwrap();
        let written = Sent::<Vec<OrderItem>>::new(items.into_inner());
        let largest = r#"{"ASIN":"B","OrderItemId":"1","QuantityOrdered":4294967295}"#;
        let mut wire: Vec<String> = vec![full.to_owned(), largest.to_owned()];
        wire.extend(
            Reader::document(written.json(), |r| r.element_texts())
                .unwrap()
                .into_iter()
                .map(str::to_owned),
        );
        for json in &wire {
            assert!(compact_item_matches_general(json), "not taken: {json}");
        }
        // Left to the general reader: Amazon's sample as its documentation prints it,
        // quantities past `u32`, a cancel request that is not one.
        let left = [
            "{ \"ASIN\": \"B\", \"OrderItemId\": \"1\", \"QuantityOrdered\": 1 }",
            r#"{"ASIN":"B","OrderItemId":"1","QuantityOrdered":4294967296}"#,
            r#"{"ASIN":"B","OrderItemId":"1","QuantityOrdered":1,"QuantityShipped":4294967297}"#,
            r#"{"ASIN":"D","OrderItemId":"3","QuantityOrdered":1,"BuyerRequestedCancel":{"IsBuyerRequestedCancel":"x"}}"#,
        ];
        for json in left {
            assert!(!compact_item_matches_general(json), "taken: {json}");
        }
        // A list of both kinds reads as its items read one by one by the general reader.
        let valid: Vec<&str> = wire
            .iter()
            .map(String::as_str)
            .filter(|w| *w != largest)
            .collect();
        let list = format!("[{}, {}]", valid.join(","), left[0]);
        let general: Vec<OrderItem> = valid
            .iter()
            .copied()
            .chain([left[0]])
            .map(|json| Reader::document(json, OrderItem::read).unwrap())
            .collect();
        assert_eq!(*parse_order_items(&list).unwrap(), general);
        // Every item one byte away from these (changed, inserted or left out) and every
        // truncation: either read as the general reader reads it, or left to it.
        let mut taken = 0;
        for json in &wire {
            let bytes = json.as_bytes();
            for at in 0..=bytes.len() {
                let mut variants =
                    vec![[&bytes[..at], &bytes[(at + 1).min(bytes.len())..]].concat()];
                variants.push(bytes[..at].to_vec());
                for b in *b"\"\\,:{}[] 0123456789.-eEnulatrfsxAN\x01" {
                    variants.push([&bytes[..at], &[b], &bytes[at..]].concat());
                    if at < bytes.len() {
                        variants.push([&bytes[..at], &[b], &bytes[at + 1..]].concat());
                    }
                }
                for variant in variants {
                    if let Ok(text) = core::str::from_utf8(&variant) {
                        taken += usize::from(compact_item_matches_general(text));
                    }
                }
            }
        }
        assert!(taken > 1_000, "{taken} variants taken");
    }

    /// Every subset of an address's members, in Amazon's order: compact (the members left out
    /// passed over by `other_member_key`'s look-ahead, or looked up past four) and spaced out
    /// (every key looked up) read the same members.
    #[test]
    fn members_left_out_are_found_as_when_every_key_is_looked_up() {
        const NAMES: [&str; 10] = [
            "Name",
            "CompanyName",
            "AddressLine1",
            "AddressLine2",
            "AddressLine3",
            "City",
            "StateOrRegion",
            "PostalCode",
            "CountryCode",
            "Phone",
        ];
        for subset in 0u32..1 << NAMES.len() {
            let present: Vec<usize> = (0..NAMES.len()).filter(|i| subset >> i & 1 == 1).collect();
            let member = |i: &usize| format!("\"{}\":\"v{i}\"", NAMES[*i]);
            let compact = format!(
                "{{{}}}",
                present.iter().map(member).collect::<Vec<_>>().join(",")
            );
            let spaced = format!(
                "{{ {} }}",
                present.iter().map(member).collect::<Vec<_>>().join(" , ")
            );
            let address = Reader::document(&compact, Address::read).unwrap();
            let looked_up = Reader::document(&spaced, Address::read).unwrap();
            assert_eq!(address, looked_up, "{compact}");
            let fields = [
                &address.name,
                &address.company_name,
                &address.address_line1,
                &address.address_line2,
                &address.address_line3,
                &address.city,
                &address.state_or_region,
                &address.postal_code,
                &address.country_code,
                &address.phone,
            ];
            for (i, field) in fields.iter().enumerate() {
                let expected = present.contains(&i).then(|| format!("v{i}"));
                assert_eq!(
                    field.as_deref(),
                    expected.as_deref(),
                    "{compact}: {}",
                    NAMES[i]
                );
            }
        }
    }

    #[test]
    fn wire_amounts_read_in_one_pass_as_the_general_reader_reads_them() {
        let inputs = [
            r#"{"CurrencyCode":"USD","Amount":"10.00"}"#,
            r#"{"CurrencyCode":"USD","Amount":"1.995"}"#,
            r#"{"CurrencyCode":"EUR","Amount":"0.5"}"#,
            r#"{"CurrencyCode":"JPY","Amount":"1999"}"#,
            r#"{"CurrencyCode":"USD","Amount":"12.345"}"#,
            r#"{"CurrencyCode":"USD","Amount":"0.00"}"#,
            // From here on, not the wire spelling: the general reader decides.
            r#"{"CurrencyCode":"USD","Amount":"-0.5"}"#,
            r#"{"Amount":"10.00","CurrencyCode":"EUR"}"#,
            "{\n  \"CurrencyCode\" : \"JPY\" ,\n  \"Amount\":\"1200\"\n}",
            r#"{"CurrencyCode":"USD","Amount":"1.00" }"#,
            r#"{ "CurrencyCode": "USD", "Amount": "1.00" }"#,
            r#"{"CurrencyCode":"USD","Amount":"-1.00"}"#,
            r#"{"CurrencyCode":"USD","Amount":"1\u002e00"}"#,
            r#"{"CurrencyCode":"US","Amount":"1.00"}"#,
            r#"{"CurrencyCode":"USD","Amount":""}"#,
            // A code of two characters in the three bytes the wire spelling masks.
            r#"{"CurrencyCode":"éU","Amount":"1.00"}"#,
            r#"{"CurrencyCode":"XYZ","Amount":"1.00"}"#,
            r#"{"CurrencyCode":"US\u0044","Amount":"1.00"}"#,
            r#"{"CurrencyCode":"USD","Amount":1.5}"#,
            r#"{"CurrencyCode":"USD","Amount":"1.00","Note":"x"}"#,
            r#"{"CurrencyCode":"USD","CurrencyCode":"EUR","Amount":"1"}"#,
            r#"{"CurrencyCode":"USD","Amount":"1","Amount":"2"}"#,
            r#"{"CurrencyCode":"USD"}"#,
            r#"{"Amount":"1.00"}"#,
            r#"{}"#,
            r#"{"CurrencyCode":"USD","Amount":"ten"}"#,
            r#"{"CurrencyCode":"USD","Amount":"1.00""#,
            r#"{"CurrencyCode":"USD" "Amount":"1.00"}"#,
            r#"{"CurrencyCode":null,"Amount":"1.00"}"#,
            r#"{"CurrencyCodeX":"USD","Amount":"1.00"}"#,
            r#"{"CurrencyCode":"USD","Amount":"1.00"} x"#,
            r#"["USD","1.00"]"#,
        ];
        let read = |json: &str, f: fn(&mut Reader<'_>) -> Read<Money>| {
            Reader::document(json, |r| Ok((f(r)?, r.position())))
                .map_err(|fail| (fail.at, fail.message))
        };
        for json in inputs {
            assert_eq!(
                read(json, Money::read),
                read(json, Money::read_any),
                "{json}"
            );
        }
        let compact = Reader::document(inputs[3], |r| Ok(r.compact_money()));
        assert_eq!(compact.ok().flatten(), Some(("JPY", 199_900)));
        for json in &inputs[..6] {
            let compact = Reader::document(json, |r| Ok(r.compact_money()));
            assert!(compact.is_ok_and(|money| money.is_some()), "{json}");
        }
        for json in &inputs[6..] {
            let left = Reader::document(json, |r| {
                let before = r.position();
                Ok((r.compact_money(), r.position() == before))
            });
            if let Ok(left) = left {
                assert_eq!(left, (None, true), "{json}");
            }
        }
    }

    #[test]
    fn confirm_shipment_bodies_are_written_and_read_as_amazon_documents_them() {
        for fixture in [
            include_str!("../../tests/fixtures/spapi/confirmShipment_204.request.json"),
            include_str!(
                "../../tests/fixtures/spapi/confirmShipment_400_bad_shipDate.request.json"
            ),
        ] {
            let sample: serde_json::Value = serde_json::from_str(fixture).unwrap();
            let body = sample["parameters"]["body"]["value"].to_string();
            let request = ConfirmShipmentRequest::from_json(&body).unwrap();
            write::assert_same_as_serde(
                &request,
                ConfirmShipmentRequest::to_json,
                ConfirmShipmentRequest::from_json,
            );
            let mut without_name = request.clone();
            without_name.package_detail.carrier_name = None;
            without_name.package_detail.shipping_method = Some("Ground \"2 day\"".into());
            write::assert_same_as_serde(
                &without_name,
                ConfirmShipmentRequest::to_json,
                ConfirmShipmentRequest::from_json,
            );
        }
    }

    /// Every order of a page as the poll reads it, and how the read ended.
    fn read_page(
        body: &str,
        stop_at: usize,
    ) -> (Vec<SentOrder<'_>>, Result<PageRead<'_, usize>, ParseError>) {
        let mut orders = Vec::new();
        let read = read_get_orders_page(body, |order| {
            if orders.len() == stop_at {
                return ControlFlow::Break(stop_at);
            }
            match order {
                PageOrder::Read(order) => orders.push(order),
                PageOrder::Unreadable(head, e) => panic!("{head:?}: {e}"),
            }
            ControlFlow::Continue(())
        });
        (orders, read)
    }

    /// A page of `count` orders whose last one is written with `last`.
    fn page_of(count: usize, last: &str) -> String {
        let order = |n: usize, rest: &str| {
            format!(
                r#"{{"AmazonOrderId": "902-1845936-{n:07}", "PurchaseDate": "2026-11-01T00:00:00Z",
                "LastUpdateDate": "2026-11-02T00:00:00Z", "OrderStatus": "Unshipped"{rest}}}"#
            )
        };
        let orders: Vec<String> = (0..count)
            .map(|n| order(n, if n + 1 == count { last } else { "" }))
            .collect();
        format!(
            r#"{{"payload": {{"NextToken": "next", "Orders": [ {} ], "CreatedBefore": "2026-11-03T00:00:00Z"}}}}"#,
            orders.join(" , ")
        )
    }

    #[test]
    fn a_page_read_order_by_order_gives_the_orders_of_a_full_read() {
        let many = page_of(5, "");
        for body in PAGES.into_iter().chain([many.as_str()]) {
            let full = parse_get_orders(body).unwrap();
            let (orders, read) = read_page(body, usize::MAX);
            assert_eq!(read.unwrap(), PageRead::Done(full.next_token.clone()));
            assert_eq!(orders.len(), full.orders.len());
            for (order, expected) in orders.iter().zip(&full.orders) {
                assert_eq!(&**order, expected);
            }
        }
    }

    #[test]
    fn the_rest_of_a_stopped_page_reads_as_the_tail_of_the_page() {
        let many = page_of(5, "");
        for body in PAGES.into_iter().chain([many.as_str()]) {
            let (all, done) = read_page(body, usize::MAX);
            let PageRead::Done(next_token) = done.unwrap() else {
                panic!("the page reads to its end")
            };
            for stop in 0..all.len() {
                let (before, read) = read_page(body, stop);
                assert_eq!(before, all[..stop]);
                let PageRead::Stopped(at, rest) = read.unwrap() else {
                    panic!("the read stops at order {stop}")
                };
                assert_eq!(at, stop);
                let rest = rest.concat();
                let (after, done) = read_page(&rest, usize::MAX);
                assert_eq!(done.unwrap(), PageRead::Done(next_token.clone()));
                assert_eq!(after, all[stop..]);
                // The orders are kept as Amazon sent them.
                assert!(after.iter().all(|o| body.contains(o.json())));
            }
        }
    }

    #[test]
    fn a_bad_order_ends_a_page_read_where_it_is_with_the_orders_before_handed_over() {
        let path_of = |read: Result<PageRead<usize>, ParseError>| match read.unwrap_err() {
            ParseError::Invalid { what, path, .. } => {
                assert_eq!(what, "getOrders response");
                path
            }
            other => panic!("{other:?}"),
        };
        let bad_id = page_of(2, "").replace("902-1845936-0000001", "902-1845936-1");
        let (orders, read) = read_page(&bad_id, usize::MAX);
        assert_eq!(
            (orders.len(), path_of(read).as_str()),
            (1, "payload.Orders[1].AmazonOrderId")
        );
        // An order whose head does not read either is refused with its first fault, as the
        // full read refuses it.
        let both = page_of(1, r#", "IsPrime": "maybe", "OrderStatus": 5"#);
        let (orders, read) = read_page(&both, usize::MAX);
        assert_eq!(
            read.as_ref().unwrap_err(),
            &parse_get_orders(&both).unwrap_err()
        );
        assert_eq!(
            (orders.len(), path_of(read).as_str()),
            (0, "payload.Orders[0].IsPrime")
        );
        let bad_status = page_of(1, r#", "OrderStatus": 5"#);
        let (orders, read) = read_page(&bad_status, usize::MAX);
        assert_eq!(
            (orders.len(), path_of(read).as_str()),
            (0, "payload.Orders[0].OrderStatus")
        );
        // A body cut short: the orders read whole before the cut were handed over.
        let whole = page_of(3, "");
        let cut = &whole[..whole.rfind("Unshipped").unwrap()];
        let (orders, read) = read_page(cut, usize::MAX);
        assert_eq!(orders.len(), 2);
        assert!(read.is_err());
        // Amazon's errors instead of a payload.
        let (orders, read) = read_page(
            r#"{"errors": [{"code": "InvalidInput", "message": "bad token"}]}"#,
            usize::MAX,
        );
        assert!(orders.is_empty());
        assert!(matches!(read, Err(ParseError::Api(_))));
    }

    #[test]
    fn an_order_read_only_as_far_as_its_head_is_handed_over_with_its_error() {
        let body = page_of(3, r#", "IsPrime": "maybe""#);
        let mut handed = Vec::new();
        let read = read_get_orders_page(&body, |order| {
            handed.push(match order {
                PageOrder::Read(order) => Ok(order.amazon_order_id.to_string()),
                PageOrder::Unreadable(head, ParseError::Invalid { path, .. }) => {
                    Err((head.amazon_order_id.to_string(), head.order_status, path))
                }
                PageOrder::Unreadable(_, other) => panic!("{other:?}"),
            });
            ControlFlow::<()>::Continue(())
        });
        assert_eq!(read.unwrap(), PageRead::Done(Some("next".into())));
        assert_eq!(
            handed,
            [
                Ok("902-1845936-0000000".into()),
                Ok("902-1845936-0000001".into()),
                Err((
                    "902-1845936-0000002".into(),
                    OrderStatus::Unshipped,
                    "payload.Orders[2].IsPrime".into()
                ))
            ]
        );
    }

    /// The paths of the orders handed over as unreadable, in order.
    fn unreadable_paths(body: &str) -> Vec<String> {
        let mut paths = Vec::new();
        read_get_orders_page(body, |order| {
            if let PageOrder::Unreadable(_, ParseError::Invalid { path, .. }) = order {
                paths.push(path);
            }
            ControlFlow::<()>::Continue(())
        })
        .unwrap();
        paths
    }

    #[test]
    fn an_unreadable_order_is_named_by_the_path_a_full_read_reports() {
        for fault in [
            r#", "IsPrime": "maybe""#,
            r#", "OrderTotal": {"CurrencyCode": "USD", "Amount": "1.2.3"}"#,
            r#", "ShippingAddress": {"Name": "a", "City": ["Seattle"]}"#,
            r#", "OrderTotal": {"CurrencyCode": "USD"}"#,
        ] {
            let body = page_of(3, fault);
            let ParseError::Invalid { path, .. } = parse_get_orders(&body).unwrap_err() else {
                panic!("{fault}");
            };
            assert_eq!(unreadable_paths(&body), [path], "{fault}");
        }
        // Every order of a page unreadable: each named by its own index.
        let head = r#""OrderStatus": "Unshipped""#;
        let body = page_of(4, "").replace(head, &format!(r#"{head}, "IsPrime": 2"#));
        assert_eq!(
            unreadable_paths(&body),
            (0..4)
                .map(|i| format!("payload.Orders[{i}].IsPrime"))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_page_with_its_orders_twice_is_refused_as_serde_refuses_it() {
        let page = page_of(2, "");
        let twice = page.replace(r#""Orders": ["#, r#""Orders": [], "Orders": ["#);
        for body in [
            twice.as_str(),
            r#"{"payload": {"Orders": []}, "payload": {"Orders": []}}"#,
        ] {
            let (orders, read) = read_page(body, usize::MAX);
            assert!(orders.is_empty());
            let full = parse_get_orders(body).unwrap_err();
            assert_eq!(read.unwrap_err(), full);
            assert!(full.to_string().contains("duplicate field"), "{full}");
        }
    }
}
