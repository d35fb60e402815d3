//! Plain aligned text tables for the CLI and the demo.

use crate::bindings::commerce::amazon_order_sync::types::Money;
use crate::bindings::exports::commerce::amazon_order_sync::admin::OrderPage;

pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            s.push(' ');
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(pad));
                s.push_str("  ");
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(headers.to_vec());
    out.push('\n');
    out.push_str(&line(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    ));
    out.push('\n');
    if rows.is_empty() {
        out.push_str("  (none)\n");
    }
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

pub fn cents(currency: &str, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!(
        "{currency} {sign}{}.{:02}",
        cents.abs() / 100,
        cents.abs() % 100
    )
}

pub fn money(m: &Option<Money>) -> String {
    m.as_ref()
        .map_or("—".into(), |m| cents(&m.currency, m.cents))
}

pub fn ms_to_text(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Cuts long cells so tables stay readable on a terminal.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The Amazon Orders grid.
pub fn order_grid(page: &OrderPage) -> String {
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.amazon_order_id.clone(),
                ms_to_text(r.purchase_date),
                r.fulfillment_channel.clone(),
                r.status.clone(),
                clip(&r.buyer_name, 18),
                money(&r.grand_total),
                r.commerce_order_id.clone().unwrap_or_else(|| "—".into()),
                clip(&r.notes, 70),
            ]
        })
        .collect();
    let mut out = render(
        &[
            "Amazon order",
            "Purchased (UTC)",
            "Ch.",
            "Status",
            "Buyer",
            "Total",
            "Commerce",
            "Notes",
        ],
        &rows,
    );
    out.push_str(&format!(
        "  page {} of {}, {} order(s)\n",
        page.page,
        page.page_count.max(1),
        page.total
    ));
    out
}

pub fn commerce_orders(orders: &[crate::commerce::CommerceOrder]) -> String {
    let rows: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            vec![
                o.increment_id.clone(),
                o.store.clone(),
                o.amazon_order_id.clone(),
                o.status.clone(),
                o.customer_name.clone(),
                o.items
                    .iter()
                    .map(|i| {
                        if i.qty_shipped > 0 {
                            format!("{}×{} ({} shipped)", i.qty, i.sku, i.qty_shipped)
                        } else {
                            format!("{}×{}", i.qty, i.sku)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                cents(&o.currency, o.grand_total_cents),
            ]
        })
        .collect();
    render(
        &[
            "Order #",
            "Store",
            "Amazon order",
            "Status",
            "Customer",
            "Items",
            "Grand total",
        ],
        &rows,
    )
}

pub fn products(products: &[crate::db::Product]) -> String {
    let rows: Vec<Vec<String>> = products
        .iter()
        .map(|p| {
            vec![
                p.sku.clone(),
                p.name.clone(),
                if p.enabled { "enabled" } else { "DISABLED" }.into(),
                p.qty.map_or("not managed".into(), |q| q.to_string()),
            ]
        })
        .collect();
    render(&["SKU", "Name", "Status", "Salable qty"], &rows)
}
