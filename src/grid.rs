//! Recent Orders and All Orders: the grid's rows, filters, sort and paging.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

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
            needle
                .as_deref()
                .is_none_or(|n| hay.to_lowercase().contains(&n.to_lowercase()))
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

impl From<&AmazonOrderRow> for GridRow {
    fn from(row: &AmazonOrderRow) -> Self {
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

fn compare(query: &OrderQuery, a: &GridRow, b: &GridRow) -> Ordering {
    let by_column = match query.sort {
        SortColumn::PurchaseDate => a.purchase_date.cmp(&b.purchase_date),
        SortColumn::OrderNumber => a.amazon_order_id.cmp(&b.amazon_order_id),
        SortColumn::Status => a.status.as_str().cmp(b.status.as_str()),
        SortColumn::BuyerName => a
            .buyer_name
            .to_lowercase()
            .cmp(&b.buyer_name.to_lowercase()),
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
    kept.sort_by(|a, b| compare(query, a, b));
    page_of(kept, query)
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
