//! The Amazon Orders table row: the last applied Amazon snapshot plus what Commerce did with it.

use crate::grid::GridRow;
use crate::prelude::*;
use serde::Serialize;

use crate::amazon::read::{read_object, Read, Reader};
use crate::amazon::write::{key, Writer};
use crate::amazon::{
    read_json_unbounded, slice, Address, ConfirmShipmentItem, Money, Order, OrderItem, ParseError,
    Sent, SentItems, SentOrder,
};
use crate::blockers::{Blocker, SkuQty};
use crate::marketplace::seller_central_url;
use crate::status::{CommerceState, TableStatus};
use crate::text::concat;

/// Version of the stored row layout (`"v"` in storage).
pub const ROW_VERSION: u32 = 1;

/// The Commerce order linked to an Amazon order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommerceLink {
    pub id: String,
    pub increment_id: String,
    pub state: CommerceState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentState {
    /// Waiting in the push queue.
    Queued,
    /// Amazon accepted the confirmation.
    Confirmed,
    /// Amazon rejected it for good; the note says why.
    Failed,
}

impl ShipmentState {
    pub const ALL: [ShipmentState; 3] = [
        ShipmentState::Queued,
        ShipmentState::Confirmed,
        ShipmentState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentState::Queued => "queued",
            ShipmentState::Confirmed => "confirmed",
            ShipmentState::Failed => "failed",
        }
    }
}

/// One Commerce shipment and its confirmation to Amazon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShipmentRecord {
    pub shipment_id: String,
    pub package_reference_id: String,
    pub carrier_code: String,
    pub tracking_number: String,
    pub items: Vec<ConfirmShipmentItem>,
    pub state: ShipmentState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One row of the Amazon Orders table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AmazonOrderRow<'a> {
    pub v: u32,
    /// Borrowed from the store's settings or the stored text: a copy of its own cost every
    /// row written an allocation.
    pub store: crate::amazon::Text<'a>,
    /// The newest Amazon snapshot applied, stored as Amazon sent it.
    pub order: SentOrder<'a>,
    pub items: SentItems<'a>,
    pub table_status: TableStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commerce: Option<CommerceLink>,
    pub blockers: Vec<Blocker>,
    /// The most recent action (the grid's Order Notes).
    pub notes: String,
    /// Quantity held for this not yet created order.
    pub reserved: Vec<SkuQty>,
    pub shipments: Vec<ShipmentRecord>,
    /// Import was disabled when the row was written: it only links to Seller Central.
    pub view_only: bool,
}

impl CommerceLink {
    fn read(r: &mut Reader<'_>) -> Read<CommerceLink> {
        let (mut id, mut increment_id, mut state) = (None, None, None);
        read_object!(r, "a Commerce link", |r| {
            "id" => id = Some(r.string()?),
            "increment_id" => increment_id = Some(r.string()?),
            "state" => {
                state = Some(r.one_of(&CommerceState::ALL, CommerceState::as_str)?)
            },
        });
        Ok(CommerceLink {
            id: r.required(id, "id")?,
            increment_id: r.required(increment_id, "increment_id")?,
            state: r.required(state, "state")?,
        })
    }
}

fn read_sku_qty(r: &mut Reader<'_>) -> Read<SkuQty> {
    let (mut sku, mut qty) = (None, None);
    read_object!(r, "a SKU quantity", |r| {
        "sku" => sku = Some(r.string()?),
        "qty" => qty = Some(r.u32()?),
    });
    Ok(SkuQty {
        sku: r.required(sku, "sku")?,
        qty: r.required(qty, "qty")?,
    })
}

impl ShipmentRecord {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("shipment_id"), &self.shipment_id);
            w.str_member(key!("package_reference_id"), &self.package_reference_id);
            w.str_member(key!("carrier_code"), &self.carrier_code);
            w.str_member(key!("tracking_number"), &self.tracking_number);
            w.key(key!("items"))
                .array(&self.items, |w, item| item.write(w));
            w.str_member(key!("state"), self.state.as_str());
            w.opt_str_member(key!("error"), self.error.as_deref());
        })
    }

    fn read(r: &mut Reader<'_>) -> Read<ShipmentRecord> {
        let (mut shipment_id, mut reference, mut carrier, mut tracking, mut items, mut state) =
            (None, None, None, None, None, None);
        let mut error = None;
        read_object!(r, "a shipment", |r| {
            "shipment_id" => shipment_id = Some(r.string()?),
            "package_reference_id" => reference = Some(r.string()?),
            "carrier_code" => carrier = Some(r.string()?),
            "tracking_number" => tracking = Some(r.string()?),
            "items" => {
                items = Some(r.array("a list of shipped items", ConfirmShipmentItem::read)?)
            },
            "state" => {
                state = Some(r.one_of(&ShipmentState::ALL, ShipmentState::as_str)?)
            },
            "error" => error = r.opt_string()?,
        });
        Ok(ShipmentRecord {
            shipment_id: r.required(shipment_id, "shipment_id")?,
            package_reference_id: r.required(reference, "package_reference_id")?,
            carrier_code: r.required(carrier, "carrier_code")?,
            tracking_number: r.required(tracking, "tracking_number")?,
            items: r.required(items, "items")?,
            state: r.required(state, "state")?,
            error,
        })
    }
}

impl<'a> AmazonOrderRow<'a> {
    /// Reads a row as stored (see [`Self::to_json`]). Without the limit on what Amazon or a
    /// hook may send: a row holds an order and its items, each within that limit, and storage
    /// took it.
    pub fn from_json(json: &'a str) -> Result<AmazonOrderRow<'a>, ParseError> {
        read_json_unbounded("order row", json, |r| Self::read_with(r, true, None))
    }

    /// [`Self::from_json`] for a row that may hold `order` and `items` already: where it holds
    /// one written exactly as given, that one is taken instead of read again (a push of the
    /// snapshot a row stores spent a third of its fuel reading the row's copy: 97 086 → 65 038).
    /// Both must be values the reader gave with their text, as `Sent` keeps them: what it
    /// would read from that text again.
    pub(crate) fn from_json_knowing(
        json: &'a str,
        order: &SentOrder<'a>,
        items: &SentItems<'a>,
    ) -> Result<AmazonOrderRow<'a>, ParseError> {
        read_json_unbounded("order row", json, |r| {
            Self::read_with(r, true, Some((order, items)))
        })
    }

    /// The row as stored: the order and its items as Amazon sent them, the rest as the
    /// `Serialize` derive describes it, written by hand (see `src/amazon/write.rs`).
    pub fn to_json(&self) -> String {
        self.text().joined()
    }

    /// The row's text in parts: what the row writes itself, around the order's and the items'
    /// text as Amazon sent them, which are not copied (a push moved ~2.2 KB for them, which
    /// wasmtime charges byte by byte); the host joins the parts (`storage.op.put-parts`).
    pub fn text(&self) -> RowText<'_> {
        let (mut before_order, mut before_items) = (0, 0);
        let mut w = Writer::with_capacity(1024);
        w.object(|w| {
            w.key(key!("v")).number(u64::from(self.v));
            w.str_member(key!("store"), &self.store);
            w.key(key!("order"));
            before_order = w.len();
            w.key(key!("items"));
            before_items = w.len();
            w.str_member(key!("table_status"), self.table_status.as_str());
            w.opt_member(key!("commerce"), self.commerce.as_ref(), |w, c| {
                w.object(|w| {
                    w.str_member(key!("id"), &c.id);
                    w.str_member(key!("increment_id"), &c.increment_id);
                    w.str_member(key!("state"), c.state.as_str());
                })
            });
            w.list_member(key!("blockers"), &self.blockers, |w, b| b.write(w));
            w.str_member(key!("notes"), &self.notes);
            w.list_member(key!("reserved"), &self.reserved, |w, r| {
                w.object(|w| {
                    w.str_member(key!("sku"), &r.sku);
                    w.key(key!("qty")).number(u64::from(r.qty));
                })
            });
            w.list_member(key!("shipments"), &self.shipments, |w, s| s.write(w));
            w.key(key!("view_only")).bool(self.view_only);
        });
        RowText {
            own: w.finish(),
            before_order,
            before_items,
            order: self.order.json(),
            items: self.items.json(),
        }
    }

    /// The grid's row of a stored row, read as [`Self::from_json`] reads it but for the items,
    /// which the grid does not show: they are checked to be JSON, not read (a filtered grid
    /// query reads every row of the store).
    pub fn grid_row(json: &'a str) -> Result<GridRow, ParseError> {
        read_json_unbounded("order row", json, |r| Self::read_with(r, false, None))
            .map(|row| GridRow::from(&row))
    }

    /// The row, its items read only `with_items` (else left empty), its order and items taken
    /// from `known` where written exactly as there.
    fn read_with(
        r: &mut Reader<'a>,
        with_items: bool,
        known: Option<(&SentOrder<'a>, &SentItems<'a>)>,
    ) -> Read<AmazonOrderRow<'a>> {
        let (mut v, mut store, mut order, mut items, mut table_status) =
            (None, None, None, None, None);
        let mut row_commerce = None;
        let mut blockers = Vec::new();
        let mut notes = String::new();
        let mut reserved = Vec::new();
        let mut shipments = Vec::new();
        let mut view_only = false;
        read_object!(r, "an order row", |r| {
            "v" => v = Some(r.u32()?),
            "store" => store = Some(r.text()?),
            "order" => {
                order = Some(match known {
                    Some((order, _)) if r.pass_same(order.json())? => order.clone(),
                    _ => Order::read_sent(r)?,
                })
            },
            "items" => {
                items = Some(match known {
                    Some((_, items)) if with_items && r.pass_same(items.json())? => items.clone(),
                    _ if with_items => Sent::read(r, OrderItem::read_list)?,
                    _ => {
                        r.skip()?;
                        Sent::none()
                    }
                })
            },
            "table_status" => {
                table_status = Some(r.one_of(&TableStatus::ALL, TableStatus::as_str)?)
            },
            "commerce" => row_commerce = r.nullable(CommerceLink::read)?,
            "blockers" => blockers = r.array("a list of blockers", Blocker::read)?,
            "notes" => notes = r.string()?,
            "reserved" => reserved = r.array("a list of SKU quantities", read_sku_qty)?,
            "shipments" => shipments = r.array("a list of shipments", ShipmentRecord::read)?,
            "view_only" => view_only = r.bool()?,
        });
        Ok(AmazonOrderRow {
            v: r.required(v, "v")?,
            store: r.required(store, "store")?,
            order: r.required(order, "order")?,
            items: r.required(items, "items")?,
            table_status: r.required(table_status, "table_status")?,
            commerce: row_commerce,
            blockers,
            notes,
            reserved,
            shipments,
            view_only,
        })
    }

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

    /// Shown as Error: listed in the store's blocked index (`wit/STORAGE.md`), which the admin
    /// message follows.
    pub fn is_error(&self) -> bool {
        self.table_status == TableStatus::Error
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
    pub shipping_address: Option<&'a Address<'a>>,
    pub items_shipped: u32,
    pub items_unshipped: u32,
    /// As Amazon sent them: every field, the ones the import does not read included.
    pub items: &'a SentItems<'a>,
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

impl OrderDetail<'_> {
    /// The JSON the details page takes: what its `Serialize` derive describes, written by hand
    /// so the component carries no serializer.
    pub fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(2048);
        w.object(|w| {
            w.str_member(key!("store"), self.store);
            w.str_member(key!("amazon_order_id"), self.amazon_order_id);
            w.str_member(key!("amazon_status"), self.amazon_status);
            w.str_member(key!("table_status"), self.table_status.as_str());
            w.str_member(key!("fulfillment_channel"), self.fulfillment_channel);
            w.str_member(key!("marketplace_id"), self.marketplace_id);
            w.key(key!("purchase_date")).int(self.purchase_date);
            w.key(key!("last_update_date")).int(self.last_update_date);
            w.nullable_member(key!("buyer_name"), self.buyer_name, Writer::string);
            w.nullable_member(key!("buyer_email"), self.buyer_email, Writer::string);
            w.nullable_member(key!("grand_total"), self.grand_total, |w, m| m.write(w));
            w.nullable_member(
                key!("ship_service_level"),
                self.ship_service_level,
                Writer::string,
            );
            w.key(key!("is_prime")).bool(self.is_prime);
            w.key(key!("is_business_order"))
                .bool(self.is_business_order);
            w.nullable_member(
                key!("latest_ship_date"),
                self.latest_ship_date.as_ref(),
                |w, ms| w.int(*ms),
            );
            w.nullable_member(key!("shipping_address"), self.shipping_address, |w, a| {
                a.write(w)
            });
            w.key(key!("items_shipped"))
                .number(u64::from(self.items_shipped));
            w.key(key!("items_unshipped"))
                .number(u64::from(self.items_unshipped));
            w.key(key!("items")).raw(self.items.json());
            w.nullable_member(
                key!("commerce_order_id"),
                self.commerce_order_id,
                Writer::string,
            );
            w.nullable_member(
                key!("commerce_increment_id"),
                self.commerce_increment_id,
                Writer::string,
            );
            w.nullable_member(
                key!("commerce_status"),
                self.commerce_status,
                Writer::string,
            );
            w.key(key!("blockers"))
                .array(self.blockers, |w, b| b.write(w));
            w.str_member(key!("notes"), self.notes);
            w.key(key!("inventory_reserved"))
                .bool(self.inventory_reserved);
            w.key(key!("shipments"))
                .array(self.shipments, |w, s| s.write(w));
            w.key(key!("view_only")).bool(self.view_only);
            w.str_member(key!("seller_central_url"), &self.seller_central_url);
        });
        w.finish()
    }
}

/// A row's text as [`AmazonOrderRow::text`] gives it: the row's own members, with the order's
/// and the items' text going in at two places.
#[derive(Debug)]
pub struct RowText<'a> {
    own: String,
    before_order: usize,
    before_items: usize,
    order: &'a str,
    items: &'a str,
}

impl<'a> RowText<'a> {
    /// The text's five parts, in order: joined, the row's JSON.
    pub fn parts(&self) -> [&str; 5] {
        let own = self.own.as_str();
        [
            slice(own, 0..self.before_order),
            self.order,
            slice(own, self.before_order..self.before_items),
            self.items,
            slice(own, self.before_items..own.len()),
        ]
    }

    /// The row's JSON in one string.
    pub fn joined(&self) -> String {
        concat(&self.parts())
    }

    /// Whether `text` is this row's JSON, compared part by part (nothing joined).
    pub fn is(&self, text: &str) -> bool {
        let mut rest = text;
        self.parts()
            .iter()
            .all(|part| rest.strip_prefix(part).map(|tail| rest = tail).is_some())
            && rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::{parse_get_order_items, parse_get_orders, parse_order, parse_order_items};
    use crate::blockers::BlockerKind;
    use crate::status::CommerceState;

    // Amazon's samples (tests/fixtures/spapi).
    const ORDER: &str =
        include_str!("../tests/fixtures/spapi/getOrder_200_TEST_CASE_200.response.json");
    const IBA_ORDER: &str =
        include_str!("../tests/fixtures/spapi/getOrder_200_TEST_CASE_IBA_200.response.json");
    const ORDERS: &str =
        include_str!("../tests/fixtures/spapi/getOrders_200_TEST_CASE_200.response.json");
    const ITEMS: &str =
        include_str!("../tests/fixtures/spapi/getOrderItems_200_TEST_CASE_200.response.json");

    /// A Pending row of `order` and `items` with nothing else recorded.
    fn bare_row<'a>(order: SentOrder<'a>, items: SentItems<'a>) -> AmazonOrderRow<'a> {
        AmazonOrderRow {
            v: ROW_VERSION,
            store: "acme-us".into(),
            order,
            items,
            table_status: TableStatus::Pending,
            commerce: None,
            blockers: Vec::new(),
            notes: String::new(),
            reserved: Vec::new(),
            shipments: Vec::new(),
            view_only: false,
        }
    }

    /// A row's text compared in parts is the joined text, and no other: a byte changed in any
    /// part, one missing at the end or one more.
    #[test]
    fn a_row_text_in_parts_is_its_joined_text_and_no_other() {
        let order = parse_order(ORDER).unwrap();
        let items = parse_order_items(ITEMS).unwrap();
        let row = bare_row(order, items);
        let text = row.text();
        let joined = text.joined();
        assert_eq!(joined, text.parts().concat());
        assert!(text.is(&joined));
        assert!(!text.is(&joined[..joined.len() - 1]));
        assert!(!text.is(&format!("{joined} ")));
        let mut at = 0;
        for part in text.parts() {
            assert!(!part.is_empty());
            let mut other = joined.clone().into_bytes();
            other[at + part.len() / 2] ^= 1;
            assert!(
                !text.is(core::str::from_utf8(&other).unwrap_or("")),
                "{part}"
            );
            at += part.len();
        }
    }

    /// Every SP-API sample order, with every optional part of a row filled in and strings that
    /// need escaping: for values built in code, the hand-written writer matches the serde
    /// derives byte for byte, and the reader gives the row back.
    #[test]
    fn hand_written_row_json_matches_serde_and_reads_back() {
        let mut orders = parse_get_orders(ORDERS).unwrap().orders;
        orders.push(parse_order(IBA_ORDER).unwrap().into_inner());
        let items = parse_get_order_items(ITEMS)
            .unwrap()
            .order_items
            .into_inner();
        let tricky = "quote \" backslash \\ slash / tab \t newline \n bell \u{7} del \u{7f} é 😀";
        for (n, mut order) in orders.into_iter().enumerate() {
            order.buyer_name = Some(tricky.into());
            let row = AmazonOrderRow {
                v: ROW_VERSION,
                store: "acme-us".into(),
                order: Sent::new(order),
                items: Sent::new(items.clone()),
                table_status: TableStatus::ALL[n % TableStatus::ALL.len()],
                commerce: Some(CommerceLink {
                    id: "17".into(),
                    increment_id: "000000017".into(),
                    state: CommerceState::Complete,
                }),
                blockers: vec![Blocker::new("SKU \"1\"", BlockerKind::OutOfStock)],
                notes: tricky.into(),
                reserved: vec![SkuQty {
                    sku: "SKU-1".into(),
                    qty: 3,
                }],
                shipments: ShipmentState::ALL
                    .into_iter()
                    .map(|state| ShipmentRecord {
                        shipment_id: format!("s-{}", state.as_str()),
                        package_reference_id: "1".into(),
                        carrier_code: "UPS".into(),
                        tracking_number: "1Z\u{1}".into(),
                        items: vec![ConfirmShipmentItem {
                            order_item_id: "68828574383266".into(),
                            quantity: u32::MAX,
                        }],
                        state,
                        error: (state == ShipmentState::Failed).then(|| tricky.to_owned()),
                    })
                    .collect(),
                view_only: n % 2 == 0,
            };
            let json = row.to_json();
            assert_eq!(json, serde_json::to_string(&row).unwrap());
            // Rows of the writer that serialised every value (before rows kept Amazon's text)
            // read back, and are written again byte for byte.
            let back = AmazonOrderRow::from_json(&json).unwrap();
            assert_eq!(back, row);
            assert_eq!(back.to_json(), json);
            let detail = row.detail();
            assert_eq!(detail.to_json(), serde_json::to_string(&detail).unwrap());
            // The grid's read, which skips the items, gives the row the full read gives.
            assert_eq!(
                AmazonOrderRow::grid_row(&json).unwrap(),
                GridRow::from(&row)
            );
        }
    }

    /// Empty lists are written with their keys in one append: the same text as serde's.
    #[test]
    fn a_row_that_lists_nothing_is_written_as_serde_writes_it() {
        let items = parse_order_items(ITEMS).unwrap().into_inner();
        for view_only in [false, true] {
            let order = parse_order(ORDER).unwrap().into_inner();
            let row = AmazonOrderRow {
                view_only,
                ..bare_row(Sent::new(order), Sent::new(items.clone()))
            };
            assert_eq!(row.to_json(), serde_json::to_string(&row).unwrap());
        }
    }

    #[test]
    fn the_grid_reads_a_row_whose_items_are_json_it_does_not_show() {
        let order = parse_order(ORDER).unwrap();
        let row = bare_row(order, Sent::none());
        let json = row
            .to_json()
            .replace(r#""items":[]"#, r#""items":[{"OrderItemId": 5}]"#);
        assert!(AmazonOrderRow::from_json(&json).is_err());
        assert_eq!(
            AmazonOrderRow::grid_row(&json).unwrap(),
            GridRow::from(&row)
        );
        let broken = json.replace(r#"[{"OrderItemId": 5}]"#, r#"[{"OrderItemId": 5]"#);
        assert!(AmazonOrderRow::grid_row(&broken).is_err());
    }

    /// The order and items are stored as Amazon sent them, whitespace and fields the plugin
    /// does not read included, and read back as the same values.
    #[test]
    fn a_row_stores_the_order_and_its_items_as_amazon_sent_them() {
        let order = parse_order(IBA_ORDER).unwrap();
        let items = parse_get_order_items(ITEMS).unwrap().order_items;
        assert!(order.json().contains("\n") && order.json().contains("\"IsSoldByAB\""));
        let row = bare_row(order, items);
        let json = row.to_json();
        let stored = format!(
            ",\"order\":{},\"items\":{},",
            row.order.json(),
            row.items.json()
        );
        assert!(json.contains(&stored), "{json}");
        let back = AmazonOrderRow::from_json(&json).unwrap();
        assert_eq!(back, row);
        assert_eq!(back.to_json(), json);
    }

    /// A row read knowing a snapshot takes the snapshot's order and items where the row holds
    /// them written exactly so (whatever the whitespace around them), reads its own copy where
    /// not (a change of the same length included), and is the row read alone either way,
    /// errors included.
    #[test]
    fn a_row_read_knowing_a_snapshot_takes_only_what_it_holds_written_the_same() {
        let order = parse_order(ORDER).unwrap();
        let items = parse_get_order_items(ITEMS).unwrap().order_items;
        // The same order respaced; the order with a changed status; one digit changed.
        let respaced_text = order.json().replace(": ", ":");
        let changed_text = order.json().replace("\"Unshipped\"", "\"Shipped\"");
        let year = order.json().rfind("1970").expect("a date in the sample");
        let digit_text = [&order.json()[..year], "1971", &order.json()[year + 4..]].concat();
        let last_one = items.json().rfind('1').expect("a digit in the sample");
        let items_digit_text = [
            &items.json()[..last_one],
            "2",
            &items.json()[last_one + 1..],
        ]
        .concat();
        let respaced = parse_order(&respaced_text).unwrap();
        let changed = parse_order(&changed_text).unwrap();
        let digit = parse_order(&digit_text).unwrap();
        let items_digit = parse_order_items(&items_digit_text).unwrap();
        assert_ne!(*changed, *order);
        let none = Sent::none();
        // The row read both ways, and whether its order and items were taken from the known
        // ones: their text is then the known (borrowed) text itself, not the row's copy.
        let outcome = |json: &str| {
            let alone = AmazonOrderRow::from_json(json).map_err(|e| e.to_string());
            let knowing =
                AmazonOrderRow::from_json_knowing(json, &order, &items).map_err(|e| e.to_string());
            assert_eq!(knowing, alone, "{json}");
            knowing.map_or((false, false), |row| {
                (
                    core::ptr::eq(row.order.json(), order.json()),
                    core::ptr::eq(row.items.json(), items.json()),
                )
            })
        };
        let json = |o: &SentOrder, i: &SentItems| bare_row(o.clone(), i.clone()).to_json();
        let same = json(&order, &items);
        for (stored, expected) in [
            (same.clone(), (true, true)),
            (json(&respaced, &items), (false, true)),
            (json(&changed, &items), (false, true)),
            (json(&digit, &items), (false, true)),
            (json(&order, &items_digit), (true, false)),
            (json(&order, &none), (true, false)),
            (
                same.replace("\"order\":", "\"order\" : \n\t")
                    .replace(",\"items\":", " \n,\"items\":  ")
                    .replace(",\"table_status\"", "\r\n ,\"table_status\""),
                (true, true),
            ),
        ] {
            assert_eq!(outcome(&stored), expected, "{stored}");
        }
        let (o, i) = (order.json(), items.json());
        for broken in [
            same.replacen(o, &format!("{o} x"), 1),
            same.replacen(o, &format!("{o}{o}"), 1),
            same.replacen(i, &format!("{i}]"), 1),
            same.replacen(o, "null", 1),
            same[..same.find(o).unwrap() + o.len()].to_owned(),
            same.replace("\"table_status\":\"Pending\"", "\"table_status\":7"),
        ] {
            assert_eq!(outcome(&broken), (false, false), "{broken}");
        }
    }

    /// An order and its items may each be as large as a body may be; their row is larger, and
    /// still reads back.
    #[test]
    fn a_row_larger_than_one_body_reads_back() {
        let order = parse_order(IBA_ORDER).unwrap();
        let row = AmazonOrderRow {
            notes: "n".repeat(crate::amazon::MAX_BODY_BYTES),
            ..bare_row(order, Sent::none())
        };
        let json = row.to_json();
        assert!(json.len() > crate::amazon::MAX_BODY_BYTES);
        assert_eq!(AmazonOrderRow::from_json(&json).unwrap(), row);
    }
}
