//! The Commerce side of the contract on SQLite. Every operation is idempotent on
//! (store, amazon-order-id) and runs in one transaction, so a lost reply followed by a retry
//! never creates a second order or moves stock twice.

use anyhow::Result;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use crate::bindings::commerce::amazon_order_sync::commerce::CommerceError;
use crate::bindings::commerce::amazon_order_sync::types::{OrderDraft, OrderRef, SkuQty};
use crate::db::Db;

/// A Commerce order as the CLI and replay output show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommerceOrder {
    pub id: String,
    pub increment_id: String,
    pub store: String,
    pub amazon_order_id: String,
    pub status: String,
    pub items: Vec<CommerceItem>,
    pub grand_total: f64,
    pub currency: String,
    #[serde(skip)]
    pub grand_total_cents: i64,
    #[serde(skip)]
    pub customer_name: String,
    #[serde(skip)]
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommerceItem {
    pub sku: String,
    pub qty: u32,
    #[serde(skip)]
    pub qty_shipped: u32,
    #[serde(skip)]
    pub order_item_id: String,
}

fn rejected(msg: impl Into<String>) -> CommerceError {
    CommerceError::Rejected(msg.into())
}

fn unavailable(e: impl std::fmt::Display) -> CommerceError {
    CommerceError::Unavailable(e.to_string())
}

type CResult<T> = std::result::Result<T, CommerceError>;

/// Adds `delta` to a managed product's quantity; unmanaged or unknown products are untouched.
fn adjust_stock(tx: &Transaction<'_>, sku: &str, delta: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE products SET qty = qty + ?2 WHERE sku = ?1 AND qty IS NOT NULL",
        params![sku, delta],
    )?;
    Ok(())
}

/// Puts a held quantity back into stock and forgets the hold.
fn return_reservation(tx: &Transaction<'_>, store: &str, id: &str) -> rusqlite::Result<()> {
    let held: Vec<(String, i64)> = {
        let mut stmt = tx.prepare(
            "SELECT sku, qty FROM reservations WHERE store = ?1 AND amazon_order_id = ?2",
        )?;
        let rows = stmt.query_map(params![store, id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (sku, qty) in held {
        adjust_stock(tx, &sku, qty)?;
    }
    tx.execute(
        "DELETE FROM reservations WHERE store = ?1 AND amazon_order_id = ?2",
        params![store, id],
    )?;
    Ok(())
}

fn order_row(
    tx: &Transaction<'_>,
    store: &str,
    id: &str,
) -> rusqlite::Result<Option<(i64, String, String)>> {
    tx.query_row(
        "SELECT id, increment_id, status FROM orders WHERE store = ?1 AND amazon_order_id = ?2",
        params![store, id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

fn history(
    tx: &Transaction<'_>,
    order_id: i64,
    status: &str,
    comment: &str,
    now: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO order_status_history (order_id, status, comment, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![order_id, status, comment, now],
    )?;
    Ok(())
}

impl Db {
    pub fn find_product_for(&self, _store: &str, sku: &str) -> CResult<Option<crate::db::Product>> {
        // One catalog serves every store in this host.
        self.product(sku).map_err(unavailable)
    }

    pub fn create_order(&mut self, draft: &OrderDraft, now: i64) -> CResult<OrderRef> {
        self.create_order_tx(draft, now).map_err(|e| match e {
            TxError::Rejected(m) => rejected(m),
            TxError::Db(e) => unavailable(e),
        })
    }

    fn create_order_tx(
        &mut self,
        d: &OrderDraft,
        now: i64,
    ) -> std::result::Result<OrderRef, TxError> {
        let tx = self.conn.transaction()?;
        if let Some((id, inc, _)) = order_row(&tx, &d.store, &d.amazon_order_id)? {
            return Ok(OrderRef {
                id: id.to_string(),
                increment_id: inc,
            });
        }
        if d.lines.is_empty() {
            return Err(TxError::Rejected("the order has no lines".into()));
        }
        // The order's own hold goes back first so it can be taken again as sold stock.
        return_reservation(&tx, &d.store, &d.amazon_order_id)?;
        for line in &d.lines {
            let p: Option<(bool, Option<i64>)> = tx
                .query_row(
                    "SELECT enabled, qty FROM products WHERE sku = ?1",
                    [&line.sku],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            // Commerce itself refuses what the catalog cannot sell; the plugin checks first,
            // this is the safety net that keeps stock from going negative.
            match p {
                None => {
                    return Err(TxError::Rejected(format!(
                        "Product \"{}\" does not exist",
                        line.sku
                    )))
                }
                Some((false, _)) => {
                    return Err(TxError::Rejected(format!(
                        "Product \"{}\" is disabled",
                        line.sku
                    )))
                }
                Some((true, Some(q))) if q < i64::from(line.qty) => {
                    return Err(TxError::Rejected(format!(
                        "Product \"{}\" is out of stock",
                        line.sku
                    )))
                }
                _ => {}
            }
        }
        let customer_name = format!("{} {}", d.customer.firstname, d.customer.lastname)
            .trim()
            .to_string();
        let draft_json = serde_json::to_string(&draft_to_json(d)).unwrap_or_default();
        tx.execute(
            "INSERT INTO orders (increment_id, store, amazon_order_id, status, currency, subtotal,
               shipping, discount, tax, grand_total, customer_email, customer_name, draft_json, created_at)
             VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                d.store,
                d.amazon_order_id,
                d.status,
                d.grand_total.currency,
                d.subtotal.cents,
                d.shipping_amount.cents,
                d.discount_total.cents,
                d.tax_total.cents,
                d.grand_total.cents,
                d.customer.email,
                customer_name,
                draft_json,
                now
            ],
        )?;
        let id = tx.last_insert_rowid();
        let increment_id = d
            .increment_id
            .clone()
            .unwrap_or_else(|| format!("{:09}", id));
        tx.execute(
            "UPDATE orders SET increment_id = ?2 WHERE id = ?1",
            params![id, increment_id],
        )?;
        for (i, line) in d.lines.iter().enumerate() {
            tx.execute(
                "INSERT INTO order_items (order_id, line, sku, order_item_id, title, qty, unit_price, row_total)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id,
                    i as i64,
                    line.sku,
                    line.order_item_id,
                    line.title,
                    line.qty,
                    line.unit_price.cents,
                    line.row_total.cents
                ],
            )?;
            adjust_stock(&tx, &line.sku, -i64::from(line.qty))?;
        }
        history(
            &tx,
            id,
            &d.status,
            &format!("Imported from Amazon order {}; invoiced", d.amazon_order_id),
            now,
        )?;
        tx.commit()?;
        Ok(OrderRef {
            id: id.to_string(),
            increment_id,
        })
    }

    pub fn complete_order(&mut self, store: &str, amazon_order_id: &str, now: i64) -> CResult<()> {
        let mut run = || -> std::result::Result<(), TxError> {
            let tx = self.conn.transaction()?;
            let Some((id, _, status)) = order_row(&tx, store, amazon_order_id)? else {
                return Err(TxError::Rejected(format!(
                    "no Commerce order for Amazon order {amazon_order_id}"
                )));
            };
            match status.as_str() {
                "complete" => return Ok(()),
                "canceled" => return Err(TxError::Rejected("the order is canceled".into())),
                _ => {}
            }
            tx.execute(
                "UPDATE order_items SET qty_shipped = qty WHERE order_id = ?1",
                [id],
            )?;
            tx.execute("UPDATE orders SET status = 'complete' WHERE id = ?1", [id])?;
            history(&tx, id, "complete", "Amazon reports the order Shipped", now)?;
            tx.commit()?;
            Ok(())
        };
        run().map_err(TxError::into_commerce)
    }

    pub fn cancel_order(&mut self, store: &str, amazon_order_id: &str, now: i64) -> CResult<()> {
        let mut run = || -> std::result::Result<(), TxError> {
            let tx = self.conn.transaction()?;
            let Some((id, _, status)) = order_row(&tx, store, amazon_order_id)? else {
                // Nothing was created: only a hold can exist, and it goes back.
                return_reservation(&tx, store, amazon_order_id)?;
                tx.commit()?;
                return Ok(());
            };
            match status.as_str() {
                "canceled" => return Ok(()),
                "complete" => return Err(TxError::Rejected("the order is complete".into())),
                _ => {}
            }
            let lines: Vec<(String, i64)> = {
                let mut stmt = tx.prepare(
                    "SELECT sku, qty - qty_shipped FROM order_items WHERE order_id = ?1",
                )?;
                let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for (sku, qty) in lines {
                adjust_stock(&tx, &sku, qty)?;
            }
            tx.execute("UPDATE orders SET status = 'canceled' WHERE id = ?1", [id])?;
            history(&tx, id, "canceled", "Canceled; stock returned", now)?;
            tx.commit()?;
            Ok(())
        };
        run().map_err(TxError::into_commerce)
    }

    pub fn reserve(&mut self, store: &str, amazon_order_id: &str, items: &[SkuQty]) -> CResult<()> {
        let mut run = || -> std::result::Result<(), TxError> {
            let tx = self.conn.transaction()?;
            return_reservation(&tx, store, amazon_order_id)?;
            for it in items {
                tx.execute(
                    "INSERT INTO reservations (store, amazon_order_id, sku, qty) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(store, amazon_order_id, sku) DO UPDATE SET qty = qty + excluded.qty",
                    params![store, amazon_order_id, it.sku, it.qty],
                )?;
                adjust_stock(&tx, &it.sku, -i64::from(it.qty))?;
            }
            tx.commit()?;
            Ok(())
        };
        run().map_err(TxError::into_commerce)
    }

    pub fn release(&mut self, store: &str, amazon_order_id: &str) -> CResult<()> {
        let mut run = || -> std::result::Result<(), TxError> {
            let tx = self.conn.transaction()?;
            return_reservation(&tx, store, amazon_order_id)?;
            tx.commit()?;
            Ok(())
        };
        run().map_err(TxError::into_commerce)
    }

    pub fn set_admin_message(&mut self, message: Option<&str>) -> CResult<()> {
        let r = match message {
            Some(m) => self.conn.execute(
                "INSERT INTO admin_message (id, message) VALUES (1, ?1)
                 ON CONFLICT(id) DO UPDATE SET message = excluded.message",
                [m],
            ),
            None => self.conn.execute("DELETE FROM admin_message", []),
        };
        r.map(|_| ()).map_err(unavailable)
    }

    /// Records a Commerce shipment (the `ship` command) and returns its id.
    pub fn record_shipment(
        &mut self,
        store: &str,
        amazon_order_id: &str,
        carrier: &str,
        tracking: &str,
        items: &[(String, u32)],
        now: i64,
    ) -> Result<String> {
        let tx = self.conn.transaction()?;
        let Some((id, _, status)) = order_row(&tx, store, amazon_order_id)? else {
            anyhow::bail!("no Commerce order for Amazon order {amazon_order_id} in store {store}");
        };
        if status == "canceled" {
            anyhow::bail!("the Commerce order of {amazon_order_id} is canceled");
        }
        for (sku, qty) in items {
            let left = move_shipped(&tx, id, sku, i64::from(*qty))?;
            anyhow::ensure!(
                left == 0,
                "cannot ship {qty} x {sku}: not on the order or already shipped"
            );
        }
        tx.execute(
            "INSERT INTO shipments (order_id, carrier, tracking_number, items_json, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, carrier, tracking, serde_json::to_string(items)?, now],
        )?;
        let sid = tx.last_insert_rowid();
        history(
            &tx,
            id,
            &status,
            &format!("Shipment {sid} ({carrier} {tracking})"),
            now,
        )?;
        tx.commit()?;
        Ok(sid.to_string())
    }

    /// Removes a shipment `record_shipment` made and gives its quantities back to the lines.
    pub fn undo_shipment(&mut self, shipment_id: &str, items: &[(String, u32)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        let order_id: i64 = tx.query_row(
            "SELECT order_id FROM shipments WHERE id = ?1",
            [shipment_id],
            |r| r.get(0),
        )?;
        for (sku, qty) in items {
            move_shipped(&tx, order_id, sku, -i64::from(*qty))?;
        }
        tx.execute("DELETE FROM shipments WHERE id = ?1", [shipment_id])?;
        tx.commit()?;
        Ok(())
    }

    /// Lines not shipped yet, as (sku, qty).
    pub fn unshipped_items(
        &self,
        store: &str,
        amazon_order_id: &str,
    ) -> Result<Vec<(String, u32)>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.sku, i.qty - i.qty_shipped FROM order_items i JOIN orders o ON o.id = i.order_id
             WHERE o.store = ?1 AND o.amazon_order_id = ?2 AND i.qty > i.qty_shipped ORDER BY i.line",
        )?;
        let rows = stmt.query_map(params![store, amazon_order_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn commerce_orders(&self) -> Result<Vec<CommerceOrder>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, increment_id, store, amazon_order_id, status, grand_total, currency, customer_name, created_at
             FROM orders ORDER BY id",
        )?;
        let mut orders: Vec<CommerceOrder> = stmt
            .query_map([], |r| {
                let cents: i64 = r.get(5)?;
                Ok(CommerceOrder {
                    id: r.get::<_, i64>(0)?.to_string(),
                    increment_id: r.get(1)?,
                    store: r.get(2)?,
                    amazon_order_id: r.get(3)?,
                    status: r.get(4)?,
                    items: Vec::new(),
                    grand_total: cents as f64 / 100.0,
                    grand_total_cents: cents,
                    currency: r.get(6)?,
                    customer_name: r.get(7)?,
                    created_at: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut items = self.conn.prepare(
            "SELECT sku, qty, qty_shipped, order_item_id FROM order_items WHERE order_id = ?1 ORDER BY line",
        )?;
        for o in &mut orders {
            o.items = items
                .query_map([o.id.parse::<i64>().unwrap_or(0)], |r| {
                    Ok(CommerceItem {
                        sku: r.get(0)?,
                        qty: r.get(1)?,
                        qty_shipped: r.get(2)?,
                        order_item_id: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(orders)
    }

    pub fn commerce_order(
        &self,
        store: &str,
        amazon_order_id: &str,
    ) -> Result<Option<CommerceOrder>> {
        Ok(self
            .commerce_orders()?
            .into_iter()
            .find(|o| o.store == store && o.amazon_order_id == amazon_order_id))
    }

    /// (status, comment) rows of one order, oldest first.
    pub fn status_history(&self, order_id: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT status, comment FROM order_status_history WHERE order_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([order_id.parse::<i64>().unwrap_or(0)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn reservations(&self) -> Result<Vec<(String, String, String, i64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT store, amazon_order_id, sku, qty FROM reservations ORDER BY store, amazon_order_id, sku")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

enum TxError {
    Rejected(String),
    Db(rusqlite::Error),
}

impl From<rusqlite::Error> for TxError {
    fn from(e: rusqlite::Error) -> Self {
        TxError::Db(e)
    }
}

impl TxError {
    fn into_commerce(self) -> CommerceError {
        match self {
            TxError::Rejected(m) => rejected(m),
            TxError::Db(e) => unavailable(e),
        }
    }
}

/// The draft as stored with the order, so `order` can show what the plugin asked for.
fn draft_to_json(d: &OrderDraft) -> serde_json::Value {
    let money = |m: &crate::bindings::commerce::amazon_order_sync::types::Money| serde_json::json!({"currency": m.currency, "cents": m.cents});
    let addr = |a: &crate::bindings::commerce::amazon_order_sync::types::Address| {
        serde_json::json!({
            "firstname": a.firstname, "lastname": a.lastname, "company": a.company,
            "street": a.street, "city": a.city, "region": a.region, "postcode": a.postcode,
            "country_code": a.country_code, "telephone": a.telephone,
        })
    };
    use crate::bindings::commerce::amazon_order_sync::types::CustomerKind;
    serde_json::json!({
        "store": d.store,
        "amazon_order_id": d.amazon_order_id,
        "increment_id": d.increment_id,
        "store_view": d.store_view,
        "customer": {
            "kind": match d.customer.kind { CustomerKind::Guest => "guest", CustomerKind::Account => "account" },
            "email": d.customer.email, "firstname": d.customer.firstname, "lastname": d.customer.lastname,
        },
        "billing_address": addr(&d.billing_address),
        "shipping_address": addr(&d.shipping_address),
        "lines": d.lines.iter().map(|l| serde_json::json!({
            "sku": l.sku, "order_item_id": l.order_item_id, "title": l.title, "qty": l.qty,
            "unit_price": money(&l.unit_price), "row_total": money(&l.row_total),
            "discount": money(&l.discount), "tax": money(&l.tax),
        })).collect::<Vec<_>>(),
        "shipping_method": d.shipping_method,
        "shipping_amount": money(&d.shipping_amount),
        "shipping_tax": money(&d.shipping_tax),
        "subtotal": money(&d.subtotal),
        "discount_total": money(&d.discount_total),
        "tax_total": money(&d.tax_total),
        "grand_total": money(&d.grand_total),
        "status": d.status,
        "payment_method": d.payment_method,
        "po_number": d.po_number,
    })
}

/// Ships (`qty` > 0) or un-ships (`qty` < 0) quantity of `sku` across the order's lines of that
/// SKU — an order may list one SKU on several lines — and returns what could not be placed.
fn move_shipped(tx: &Transaction<'_>, order_id: i64, sku: &str, qty: i64) -> Result<i64> {
    let lines: Vec<(i64, i64, i64)> = {
        let mut stmt = tx.prepare(
            "SELECT line, qty, qty_shipped FROM order_items WHERE order_id = ?1 AND sku = ?2 ORDER BY line",
        )?;
        let rows = stmt.query_map(params![order_id, sku], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut left = qty.abs();
    for (line, ordered, shipped) in lines {
        let room = if qty > 0 { ordered - shipped } else { shipped };
        let take = left.min(room);
        if take > 0 {
            tx.execute(
                "UPDATE order_items SET qty_shipped = qty_shipped + ?3 WHERE order_id = ?1 AND line = ?2",
                params![order_id, line, take * qty.signum()],
            )?;
            left -= take;
        }
    }
    Ok(left)
}
