//! Recent Orders and All Orders: the grid's rows, filters, sort and paging.

use crate::prelude::*;
use core::cmp::Ordering;
use serde::{Deserialize, Serialize};

use crate::amazon::read::{read_object, Read, Reader};
use crate::amazon::write::{key, Writer};
use crate::amazon::Money;
use crate::row::AmazonOrderRow;
use crate::status::TableStatus;

/// How many orders the store dashboard's Recent Orders shows.
pub const RECENT_ORDERS: u32 = 10;
/// Largest page the grid serves.
pub const MAX_PAGE_SIZE: u32 = 500;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum View {
    /// The dashboard's newest orders; filters do not apply.
    Recent,
    #[default]
    All,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SortColumn {
    #[default]
    PurchaseDate,
    OrderNumber,
    Status,
    BuyerName,
    GrandTotal,
}

/// A grid query. Times are Unix milliseconds, totals hundredths; `page` counts from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OrderQuery {
    pub view: View,
    pub purchase_from: Option<i64>,
    pub purchase_to: Option<i64>,
    pub order_number: Option<String>,
    pub buyer_name: Option<String>,
    pub total_min: Option<i64>,
    pub total_max: Option<i64>,
    pub statuses: Vec<TableStatus>,
    pub sort: SortColumn,
    pub descending: bool,
    pub page: u32,
    pub page_size: u32,
}

impl Default for OrderQuery {
    fn default() -> Self {
        OrderQuery {
            view: View::All,
            purchase_from: None,
            purchase_to: None,
            order_number: None,
            buyer_name: None,
            total_min: None,
            total_max: None,
            statuses: Vec::new(),
            sort: SortColumn::PurchaseDate,
            descending: true,
            page: 1,
            page_size: 20,
        }
    }
}

impl OrderQuery {
    /// A query as admin code writes it (camelCase); a missing key takes its default.
    pub(crate) fn read(r: &mut Reader<'_>) -> Read<OrderQuery> {
        let mut q = OrderQuery::default();
        read_object!(r, "a grid query", |r| {
            "view" => {
                q.view = [View::Recent, View::All][r.variant(&["recent", "all"], &[])?]
            },
            "purchaseFrom" => q.purchase_from = r.opt_i64()?,
            "purchaseTo" => q.purchase_to = r.opt_i64()?,
            "orderNumber" => q.order_number = r.opt_string()?,
            "buyerName" => q.buyer_name = r.opt_string()?,
            "totalMin" => q.total_min = r.opt_i64()?,
            "totalMax" => q.total_max = r.opt_i64()?,
            "statuses" => {
                q.statuses = r.array("a list of statuses", |r| {
                    r.one_of(&TableStatus::ALL, TableStatus::as_str)
                })?
            },
            "sort" => {
                let names = ["purchaseDate", "orderNumber", "status", "buyerName", "grandTotal"];
                q.sort = [
                    SortColumn::PurchaseDate,
                    SortColumn::OrderNumber,
                    SortColumn::Status,
                    SortColumn::BuyerName,
                    SortColumn::GrandTotal,
                ][r.variant(&names, &[])?]
            },
            "descending" => q.descending = r.bool()?,
            "page" => q.page = r.u32()?,
            "pageSize" => q.page_size = r.u32()?,
        });
        Ok(q)
    }

    /// The dashboard's Recent Orders.
    pub fn recent() -> Self {
        OrderQuery {
            view: View::Recent,
            page_size: RECENT_ORDERS,
            ..OrderQuery::default()
        }
    }

    /// The query as the grid runs it: Recent ignores filters, sizes are clamped.
    pub fn normalized(&self) -> OrderQuery {
        match self.view {
            View::Recent => OrderQuery::recent(),
            View::All => OrderQuery {
                page: self.page.max(1),
                page_size: self.page_size.clamp(1, MAX_PAGE_SIZE),
                order_number: self
                    .order_number
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                buyer_name: self
                    .buyer_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                ..self.clone()
            },
        }
    }

    /// Whether only the default newest-first order is asked, with no filter: such a query can
    /// be served from the purchase-date index without reading every row.
    pub fn is_unfiltered_newest_first(&self) -> bool {
        let q = self.normalized();
        q.sort == SortColumn::PurchaseDate
            && q.descending
            && q.purchase_from.is_none()
            && q.purchase_to.is_none()
            && q.order_number.is_none()
            && q.buyer_name.is_none()
            && q.total_min.is_none()
            && q.total_max.is_none()
            && q.statuses.is_empty()
    }

    /// Whether `row` passes the filters (`self` normalized).
    pub fn matches(&self, row: &GridRow) -> bool {
        let contains = |hay: &str, needle: &Option<String>| {
            needle.as_deref().is_none_or(|n| contains_folded(hay, n))
        };
        let total = row.grand_total.as_ref().map_or(0, |m| m.cents);
        self.purchase_from
            .is_none_or(|from| row.purchase_date >= from)
            && self.purchase_to.is_none_or(|to| row.purchase_date <= to)
            && contains(&row.amazon_order_id, &self.order_number)
            && contains(&row.buyer_name, &self.buyer_name)
            && self.total_min.is_none_or(|min| total >= min)
            && self.total_max.is_none_or(|max| total <= max)
            && (self.statuses.is_empty() || self.statuses.contains(&row.status))
    }
}

/// One grid row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GridRow {
    pub amazon_order_id: String,
    pub purchase_date: i64,
    pub status: TableStatus,
    pub buyer_name: String,
    pub grand_total: Option<Money>,
    pub notes: String,
    pub fulfillment_channel: String,
    pub commerce_order_id: Option<String>,
    pub view_only: bool,
    pub seller_central_url: String,
}

impl GridRow {
    /// A row as [`GridRow::write`] writes it (camelCase).
    pub(crate) fn read(r: &mut Reader<'_>) -> Read<GridRow> {
        let (mut id, mut purchase_date, mut status, mut buyer_name) = (None, None, None, None);
        let (mut grand_total, mut notes, mut channel, mut commerce_order_id) =
            (None, None, None, None);
        let (mut view_only, mut seller_central_url) = (None, None);
        read_object!(r, "a grid row", |r| {
            "amazonOrderId" => id = Some(r.string()?),
            "purchaseDate" => purchase_date = Some(r.i64()?),
            "status" => status = Some(r.one_of(&TableStatus::ALL, TableStatus::as_str)?),
            "buyerName" => buyer_name = Some(r.string()?),
            "grandTotal" => grand_total = r.nullable(Money::read)?,
            "notes" => notes = Some(r.string()?),
            "fulfillmentChannel" => channel = Some(r.string()?),
            "commerceOrderId" => commerce_order_id = r.opt_string()?,
            "viewOnly" => view_only = Some(r.bool()?),
            "sellerCentralUrl" => seller_central_url = Some(r.string()?),
        });
        Ok(GridRow {
            amazon_order_id: r.required(id, "amazonOrderId")?,
            purchase_date: r.required(purchase_date, "purchaseDate")?,
            status: r.required(status, "status")?,
            buyer_name: r.required(buyer_name, "buyerName")?,
            grand_total,
            notes: r.required(notes, "notes")?,
            fulfillment_channel: r.required(channel, "fulfillmentChannel")?,
            commerce_order_id,
            view_only: r.required(view_only, "viewOnly")?,
            seller_central_url: r.required(seller_central_url, "sellerCentralUrl")?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("amazonOrderId"), &self.amazon_order_id);
            w.key(key!("purchaseDate")).int(self.purchase_date);
            w.str_member(key!("status"), self.status.as_str());
            w.str_member(key!("buyerName"), &self.buyer_name);
            w.nullable_member(key!("grandTotal"), self.grand_total.as_ref(), |w, m| {
                m.write(w)
            });
            w.str_member(key!("notes"), &self.notes);
            w.str_member(key!("fulfillmentChannel"), &self.fulfillment_channel);
            w.nullable_member(
                key!("commerceOrderId"),
                self.commerce_order_id.as_deref(),
                Writer::string,
            );
            w.key(key!("viewOnly")).bool(self.view_only);
            w.str_member(key!("sellerCentralUrl"), &self.seller_central_url);
        })
    }
}

impl From<&AmazonOrderRow<'_>> for GridRow {
    fn from(row: &AmazonOrderRow<'_>) -> Self {
        GridRow {
            amazon_order_id: row.amazon_order_id().to_owned(),
            purchase_date: row.order.purchase_date.timestamp_millis(),
            status: row.table_status,
            buyer_name: row.order.buyer_name().unwrap_or_default().to_owned(),
            grand_total: row.order.order_total.clone(),
            notes: row.notes.clone(),
            fulfillment_channel: row.order.channel().map_or("", |c| c.as_str()).to_owned(),
            commerce_order_id: row.commerce.as_ref().map(|c| c.id.clone()),
            view_only: row.view_only,
            seller_central_url: row.seller_central_url(),
        }
    }
}

/// One page of the grid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPage {
    pub rows: Vec<GridRow>,
    pub total: u32,
    pub page: u32,
    pub page_count: u32,
}

impl OrderPage {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.key(key!("rows")).array(&self.rows, |w, row| row.write(w));
            w.key(key!("total")).number(self.total.into());
            w.key(key!("page")).number(self.page.into());
            w.key(key!("pageCount")).number(self.page_count.into());
        })
    }
}

fn compare(query: &OrderQuery, a: &GridRow, b: &GridRow) -> Ordering {
    let by_column = match query.sort {
        SortColumn::PurchaseDate => a.purchase_date.cmp(&b.purchase_date),
        SortColumn::OrderNumber => a.amazon_order_id.cmp(&b.amazon_order_id),
        SortColumn::Status => a.status.as_str().cmp(b.status.as_str()),
        SortColumn::BuyerName => {
            (a.buyer_name.chars().map(fold_case)).cmp(b.buyer_name.chars().map(fold_case))
        }
        SortColumn::GrandTotal => {
            let cents = |r: &GridRow| r.grand_total.as_ref().map_or(0, |m| m.cents);
            cents(a).cmp(&cents(b))
        }
    };
    // Ties fall back to the order number so pages never overlap.
    let ordered = by_column.then_with(|| a.amazon_order_id.cmp(&b.amazon_order_id));
    if query.descending {
        ordered.reverse()
    } else {
        ordered
    }
}

/// Filters, sorts and pages `rows`.
pub fn query_orders(rows: impl IntoIterator<Item = GridRow>, query: &OrderQuery) -> OrderPage {
    let query = query.normalized();
    let kept: Vec<GridRow> = rows.into_iter().filter(|r| query.matches(r)).collect();
    sorted_page(kept, &query)
}

/// Sorts rows that already passed `query`'s filters (`query` normalized) and cuts the page.
pub fn sorted_page(mut kept: Vec<GridRow>, query: &OrderQuery) -> OrderPage {
    // `compare` breaks ties by order number, unique per store, so stability buys nothing (and
    // the stable sort is 1.4 KB more of the JS package).
    heap_sort(&mut kept, |a, b| compare(query, a, b) == Ordering::Less);
    page_of(kept, query)
}

/// Sorts `v` by `less`, in place, in O(n log n): a heap sort, where `sort_unstable_by`'s
/// pattern-defeating quicksort and its helpers were ~1.6 KB of the component, for a sort only
/// a grid query sorted by another column than the purchase date runs.
fn heap_sort<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    // Moves the element at `node` down the heap `v` until neither child is greater.
    let sift_down = |v: &mut [T], mut node: usize| loop {
        let mut child = 2 * node + 1;
        if child >= v.len() {
            break;
        }
        if child + 1 < v.len() && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[node], &v[child]) {
            break;
        }
        v.swap(node, child);
        node = child;
    };
    for node in (0..v.len() / 2).rev() {
        sift_down(v, node);
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(&mut v[..end], 0);
    }
}

/// Cuts one page out of rows already filtered and sorted; `total` counts them all.
pub fn page_of(sorted: Vec<GridRow>, query: &OrderQuery) -> OrderPage {
    let total = u32::try_from(sorted.len()).unwrap_or(u32::MAX);
    let start = (query.page as usize - 1).saturating_mul(query.page_size as usize);
    let rows = sorted
        .into_iter()
        .skip(start)
        .take(query.page_size as usize)
        .collect();
    OrderPage {
        rows,
        total,
        page: query.page,
        page_count: total.div_ceil(query.page_size),
    }
}

/// Lower case for the grid's search and sort, for the scripts with case that buyer names on
/// Amazon's marketplaces are written in: Latin (ASCII, Latin-1, Extended-A, the Romanian
/// commas of Extended-B, Vietnamese), modern Greek and Cyrillic; other scripts have no case. std's full
/// Unicode table (`str::to_lowercase`) costs the component 18 KB, a tenth of its size budget.
fn fold_case(c: char) -> char {
    let u = u32::from(c);
    let even = u % 2 == 0;
    let lower = match u {
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE => u + 32,
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 | 0x218..=0x21B if even => u + 1,
        0x139..=0x148 | 0x179..=0x17E if !even => u + 1,
        0x1E00..=0x1E95 | 0x1EA0..=0x1EFF if even => u + 1,
        0x460..=0x481 | 0x48A..=0x4BF | 0x4D0..=0x52F if even => u + 1,
        0x4C1..=0x4CE if !even => u + 1,
        0x4C0 => 0x4CF,
        0x130 => 0x69,
        0x178 => 0xFF,
        0x1E9E => 0xDF,
        0x386 => 0x3AC,
        0x388..=0x38A => u + 37,
        0x38C => 0x3CC,
        0x38E..=0x38F => u + 63,
        0x391..=0x3A1 | 0x3A3..=0x3AB | 0x410..=0x42F => u + 32,
        0x400..=0x40F => u + 80,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// Whether `needle` occurs in `hay`, both case folded. Character by character from each start:
/// names and order numbers are short, so this beats folding copies of both for every row
/// (and links no general substring search).
fn contains_folded(hay: &str, needle: &str) -> bool {
    let mut rest = hay.chars();
    loop {
        let mut candidate = rest.clone().map(fold_case);
        if needle
            .chars()
            .map(fold_case)
            .all(|n| candidate.next() == Some(n))
        {
            return true;
        }
        if rest.next().is_none() {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grid's heap sort orders as the standard library's sort does, duplicates, runs and
    /// every length up to 64 included.
    #[test]
    fn the_heap_sort_orders_as_the_standard_sort_does() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..=64 {
            for spread in [1, 3, 1000] {
                let mut v: Vec<u64> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed % spread
                    })
                    .collect();
                let mut expected = v.clone();
                expected.sort_unstable();
                heap_sort(&mut v, |a, b| a < b);
                assert_eq!(v, expected, "{len} values below {spread}");
            }
        }
        let mut sorted: Vec<u32> = (0..100).collect();
        heap_sort(&mut sorted, |a, b| a < b);
        assert!(sorted.windows(2).all(|w| w[0] <= w[1]));
    }

    /// Wherever std lowers a character of those scripts to one character, so does `fold_case`;
    /// everything else is left as it is.
    #[test]
    fn case_folding_agrees_with_unicode_for_latin_greek_and_cyrillic() {
        let scripts = [
            0..0x180,
            0x218..0x21C,
            0x386..0x3B0,
            0x400..0x530,
            0x1E00..0x1F00,
        ];
        for u in scripts.into_iter().flatten() {
            let Some(c) = char::from_u32(u) else { continue };
            let mut std_lower = c.to_lowercase();
            match (std_lower.next(), std_lower.next()) {
                (Some(lower), None) => assert_eq!(fold_case(c), lower, "U+{u:04X}"),
                _ => assert_eq!(fold_case(c), 'i', "U+{u:04X}"),
            }
        }
        for c in ['日', 'ß', 'ا', '😀', 'Ω'] {
            assert_eq!(fold_case(c), c.to_lowercase().next().unwrap());
        }
        let folded: String = "JOSÉ GARCÍA-ŁUKASZ ŞTEFAN ΣΩΚΡΆΤΗΣ ЁЖИК"
            .chars()
            .map(fold_case)
            .collect();
        assert_eq!(folded, "josé garcía-łukasz ştefan σωκράτησ ёжик");
    }

    /// The grid's text filter finds what searching folded copies of both texts finds.
    #[test]
    fn text_filters_match_case_insensitively_anywhere_in_the_text() {
        let folded = |t: &str| t.chars().map(fold_case).collect::<String>();
        let hays = [
            "",
            "a",
            "Jane van Dyke",
            "JOSÉ García",
            "ΣΩΚΡΆΤΗΣ",
            "aaab",
            "111-0000001-0000013",
        ];
        let needles = [
            "", "a", "AAB", "van d", "josé g", "σωκ", "ίας", "0013", "dykes", "ab", "b",
        ];
        for hay in hays {
            for needle in needles {
                assert_eq!(
                    contains_folded(hay, needle),
                    folded(hay).contains(&folded(needle)),
                    "{needle:?} in {hay:?}"
                );
            }
        }
        assert!(contains_folded("Jane van Dyke", "VAN DYKE"));
        assert!(!contains_folded("aaa", "aaaa"));
    }
}
