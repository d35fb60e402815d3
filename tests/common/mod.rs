//! Builders shared by the integration tests: SP-API orders and items as Amazon sends them, and
//! an engine over the in-memory host.
#![allow(dead_code)]

pub mod faulty;

use amazon_order_sync::amazon::{parse_order, parse_order_items, Order, OrderItem};
use amazon_order_sync::engine::Engine;
use amazon_order_sync::memory::MemoryHost;
use chrono::{DateTime, Duration, Utc};

pub const STORE: &str = "acme-us";
pub const US: &str = "ATVPDKIKX0DER";
pub const INTEGRATED_AT: &str = "2026-11-01T00:00:00Z";

pub fn t(iso: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(iso)
        .unwrap()
        .with_timezone(&Utc)
}

/// A sample payload, kept for the whole test run: what is parsed from it borrows its text.
pub fn fixture(name: &str) -> &'static str {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/spapi/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    Box::leak(text.into_boxed_str())
}

/// An order as getOrders returns it for a paid MFN order, with buyer and address.
pub fn order(
    id: &str,
    status: &str,
    channel: &str,
    purchased: &str,
    updated: &str,
) -> Order<'static> {
    let json = serde_json::json!({
        "AmazonOrderId": id,
        "PurchaseDate": purchased,
        "LastUpdateDate": updated,
        "OrderStatus": status,
        "FulfillmentChannel": channel,
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "23.50"},
        "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": 2,
        "MarketplaceId": US,
        "IsPrime": "false",
        "BuyerInfo": {"BuyerEmail": "buyer@marketplace.amazon.com", "BuyerName": "Jane van Dyke"},
        "ShippingAddress": {
            "Name": "Jane van Dyke", "AddressLine1": "2201 Westlake Ave", "City": "Seattle",
            "StateOrRegion": "WA", "PostalCode": "98121", "CountryCode": "US", "Phone": "+1 206-555-0100"
        }
    });
    parse_order(&json.to_string())
        .unwrap()
        .into_inner()
        .into_owned()
}

/// An order item with price, tax and shipping, as getOrderItems returns it.
pub fn item(order_item_id: &str, sku: &str, qty: u32, row_price: &str) -> OrderItem<'static> {
    let json = serde_json::json!([{
        "ASIN": "B00551Q3CS",
        "OrderItemId": order_item_id,
        "SellerSKU": sku,
        "Title": format!("{sku} title"),
        "QuantityOrdered": qty,
        "QuantityShipped": 0,
        "ItemPrice": {"CurrencyCode": "USD", "Amount": row_price},
        "ItemTax": {"CurrencyCode": "USD", "Amount": "1.00"},
        "ShippingPrice": {"CurrencyCode": "USD", "Amount": "2.50"},
        "PromotionDiscount": {"CurrencyCode": "USD", "Amount": "0.00"},
        "IsGift": "false",
        "IossNumber": ""
    }]);
    parse_order_items(&json.to_string())
        .unwrap()
        .into_inner()
        .remove(0)
        .into_owned()
}

/// A store integrated on 2026-11-01 with sandbox credentials, import enabled.
pub fn engine(extra: &[(&str, &str)]) -> Engine<MemoryHost> {
    let mut host = MemoryHost::new(t("2026-11-02T00:00:00Z"));
    host.add_store(STORE, US, INTEGRATED_AT, extra);
    Engine::new(host)
}

/// Advances the simulated clock by `minutes` and runs one tick.
pub fn tick_after(
    engine: &mut Engine<MemoryHost>,
    minutes: i64,
) -> amazon_order_sync::engine::TickReport {
    let now = engine.host.amazon.now + Duration::minutes(minutes);
    engine.host.amazon.now = now;
    engine.on_cron_tick(STORE, now).unwrap()
}

pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
