//! One test per business rule of the seed, on the pure core (no host).

mod common;

use amazon_order_sync::amazon::{
    parse_get_order_items, parse_get_orders, parse_order, parse_order_items,
    ConfirmShipmentRequest, FulfillmentChannel, Order, OrderItem, OrderStatus, ParseError, Sent,
};
use amazon_order_sync::blockers::{evaluate, BlockerKind, CatalogFacts, ProductFact, SkuQty};
use amazon_order_sync::decide::{decide, system_message, Action, Snapshot};
use amazon_order_sync::grid::{query_orders, GridRow, OrderQuery, SortColumn, View};
use amazon_order_sync::order_builder::{
    build_draft, split_name, BuildError, OrderDraft, PLACEHOLDER_STREET,
};
use amazon_order_sync::row::{AmazonOrderRow, CommerceLink, ROW_VERSION};
use amazon_order_sync::settings::{OrderNumberSource, OrderSettings, StoreIntegration};
use amazon_order_sync::status::{creates_commerce_order, table_status, CommerceState, TableStatus};
use common::{fixture, item, order, t};

fn store() -> StoreIntegration {
    StoreIntegration {
        store: "acme-us".into(),
        name: "Acme US".into(),
        marketplace_id: "ATVPDKIKX0DER".into(),
        integrated_at: t("2026-11-01T00:00:00Z"),
    }
}

/// The draft of `order` for the test store, owning its text.
fn draft_of(
    order: &Order,
    items: &[OrderItem],
    settings: &OrderSettings,
) -> Result<OrderDraft<'static>, BuildError> {
    build_draft(order, items, settings, &store()).map(OrderDraft::into_owned)
}

fn product(sku: &str, enabled: bool, qty: Option<i64>) -> ProductFact {
    ProductFact {
        sku: sku.into(),
        name: sku.into(),
        enabled,
        qty,
    }
}

fn catalog(products: &[ProductFact]) -> CatalogFacts {
    products.iter().cloned().collect()
}

fn snapshot(status: &str, channel: &str) -> Snapshot<'static> {
    Snapshot {
        order: Sent::new(order(
            "111-0000001-0000001",
            status,
            channel,
            "2026-11-02T10:00:00Z",
            "2026-11-02T10:05:00Z",
        )),
        items: Sent::new(vec![item("1001", "SKU-1", 2, "20.00")]),
    }
}

fn in_stock() -> CatalogFacts {
    catalog(&[product("SKU-1", true, Some(10))])
}

fn decide_fresh(snap: &Snapshot, catalog: &CatalogFacts, settings: &OrderSettings) -> Action {
    decide(None, snap, catalog, settings, &store()).action
}

fn row_for<'a>(snap: &Snapshot<'a>, state: Option<CommerceState>) -> AmazonOrderRow<'a> {
    AmazonOrderRow {
        v: ROW_VERSION,
        store: "acme-us".into(),
        order: snap.order.clone(),
        items: snap.items.clone(),
        table_status: table_status(&snap.order.order_status),
        commerce: state.map(|state| CommerceLink {
            id: "1".into(),
            increment_id: "000000001".into(),
            state,
        }),
        blockers: vec![],
        notes: String::new(),
        reserved: vec![],
        shipments: vec![],
        view_only: false,
    }
}

// ---- SP-API parsing ---------------------------------------------------------------------------

#[test]
fn every_spapi_sample_parses_quirks_included() {
    let orders = parse_get_orders(fixture("getOrders_200_TEST_CASE_200.response.json")).unwrap();
    assert_eq!(orders.orders.len(), 2);
    assert_eq!(
        orders.created_before.unwrap().timestamp_millis(),
        1_569_521_782_042,
        "CreatedBefore \"1.569521782042E9\" is epoch seconds"
    );
    assert_eq!(orders.orders[0].order_total.as_ref().unwrap().cents, 1101);

    let page1 = parse_get_orders(fixture(
        "getOrders_200_TEST_CASE_200_NEXT_TOKEN_page1.response.json",
    ))
    .unwrap();
    assert_eq!(
        page1.next_token.as_deref(),
        Some("2YgYW55IGNhcm5hbCBwbGVhc3VyZS4")
    );
    let pending = &page1.orders[0];
    assert_eq!(pending.order_status, OrderStatus::Pending);
    assert!(pending.order_total.is_none() && pending.shipping_address.is_none());
    let page2 = parse_get_orders(fixture(
        "getOrders_200_TEST_CASE_200_NEXT_TOKEN_page2.response.json",
    ))
    .unwrap();
    assert!(page2.next_token.is_none());

    let mfn = parse_order(fixture("getOrder_200_TEST_CASE_200.response.json")).unwrap();
    assert_eq!(mfn.channel(), Some(&FulfillmentChannel::Mfn));
    let iba = parse_order(fixture("getOrder_200_TEST_CASE_IBA_200.response.json")).unwrap();
    assert_eq!(iba.channel(), Some(&FulfillmentChannel::Afn));
    assert_eq!(iba.order_total.as_ref().unwrap().currency, "EUR");
    assert_eq!(iba.is_business_order, Some(true));

    let items =
        parse_get_order_items(fixture("getOrderItems_200_TEST_CASE_200.response.json")).unwrap();
    let it = &items.order_items[0];
    assert!(
        it.buyer_requested_cancel(),
        "IsBuyerRequestedCancel \"true\" string"
    );
    assert_eq!(it.sku(), "NABetaASINB00551Q3CS");

    let confirm: serde_json::Value =
        serde_json::from_str(fixture("confirmShipment_204.request.json")).unwrap();
    let body: ConfirmShipmentRequest =
        serde_json::from_value(confirm["parameters"]["body"]["value"].clone()).unwrap();
    assert_eq!(body.package_detail.carrier_code, "FedEx");
    assert_eq!(body.package_detail.order_items[0].quantity, 1);

    for other in [
        "getOrderAddress_200_TEST_CASE_200.response.json",
        "getOrderBuyerInfo_200_TEST_CASE_200.response.json",
        "getOrderItemsBuyerInfo_200_TEST_CASE_200.response.json",
        "confirmShipment_400_bad_shipDate.request.json",
        "confirmShipment_400_bad_shipDate.response.json",
    ] {
        serde_json::from_str::<serde_json::Value>(fixture(other)).unwrap();
    }
}

#[test]
fn spapi_error_body_is_a_typed_error() {
    match parse_get_orders(fixture("getOrders_400_TEST_CASE_400.response.json")) {
        Err(ParseError::Api(errors)) => {
            assert_eq!(errors.to_string(), "InvalidInput: Invalid Input")
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn unknown_future_status_and_channel_parse_into_unknown_variants() {
    let json = fixture("getOrder_200_TEST_CASE_200.response.json")
        .replace("\"Unshipped\"", "\"AwaitingDrone\"")
        .replace("\"MFN\"", "\"DRONE\"");
    let order = parse_order(&json).unwrap();
    assert_eq!(
        order.order_status,
        OrderStatus::Unknown("AwaitingDrone".into())
    );
    assert_eq!(
        order.channel(),
        Some(&FulfillmentChannel::Unknown("DRONE".into()))
    );
}

#[test]
fn malformed_order_is_a_typed_error_naming_the_field() {
    let bad_date = fixture("getOrder_200_TEST_CASE_200.response.json")
        .replace("\"1970-01-19T03:58:30Z\"", "\"the day before yesterday\"");
    let err = parse_order(&bad_date).unwrap_err();
    assert!(err.to_string().contains("payload.PurchaseDate"), "{err}");

    let missing = r#"{"AmazonOrderId":"902-1845936-5435065","PurchaseDate":"2026-01-01T00:00:00Z","OrderStatus":"Pending"}"#;
    let err = parse_order(missing).unwrap_err();
    assert!(err.to_string().contains("LastUpdateDate"), "{err}");

    let bad_id =
        fixture("getOrder_200_TEST_CASE_200.response.json").replace("902-1845936-5435065", "ABC");
    assert!(parse_order(&bad_id)
        .unwrap_err()
        .to_string()
        .contains("AmazonOrderId"));
}

#[test]
fn negative_or_huge_quantities_are_rejected_naming_the_field() {
    let negative = r#"[{"ASIN":"B0","OrderItemId":"1","QuantityOrdered":-1}]"#;
    assert!(parse_order_items(negative)
        .unwrap_err()
        .to_string()
        .contains("[0].QuantityOrdered"));
    let huge = r#"[{"ASIN":"B0","OrderItemId":"1","QuantityOrdered":5000000}]"#;
    assert!(parse_order_items(huge)
        .unwrap_err()
        .to_string()
        .contains("QuantityOrdered"));
}

#[test]
fn bodies_over_the_limit_are_refused_before_parsing() {
    let big = format!(
        "[{}]",
        " ".repeat(amazon_order_sync::amazon::MAX_BODY_BYTES)
    );
    assert!(matches!(
        parse_order_items(&big),
        Err(ParseError::TooLarge { .. })
    ));
}

// ---- status rules -----------------------------------------------------------------------------

/// The seed's status table, plus domain §1.3, walked end to end: Amazon status and channel →
/// table status, whether a Commerce order is created, and at which Commerce state.
#[test]
fn seed_status_table_end_to_end() {
    let rows: &[(&str, &str, TableStatus, Option<&str>)] = &[
        ("Pending", "MFN", TableStatus::Pending, None),
        (
            "PendingAvailability",
            "MFN",
            TableStatus::PendingAvailability,
            None,
        ),
        (
            "Unshipped",
            "MFN",
            TableStatus::Unshipped,
            Some("processing"),
        ),
        (
            "PartiallyShipped",
            "MFN",
            TableStatus::PartiallyShipped,
            Some("processing"),
        ),
        ("Shipped", "MFN", TableStatus::Completed, Some("complete")),
        ("Canceled", "MFN", TableStatus::Canceled, None),
        ("Unfulfillable", "MFN", TableStatus::Unfulfillable, None),
        (
            "InvoiceUnconfirmed",
            "MFN",
            TableStatus::InvoiceUnconfirmed,
            None,
        ),
        ("Pending", "AFN", TableStatus::Pending, None),
        ("Unshipped", "AFN", TableStatus::Unshipped, None),
        (
            "PartiallyShipped",
            "AFN",
            TableStatus::PartiallyShipped,
            None,
        ),
        ("Shipped", "AFN", TableStatus::Completed, Some("complete")),
        ("Canceled", "AFN", TableStatus::Canceled, None),
    ];
    for (status, channel, shown, commerce) in rows {
        let snap = snapshot(status, channel);
        let decision = decide(
            None,
            &snap,
            &in_stock(),
            &OrderSettings::default(),
            &store(),
        );
        assert_eq!(decision.table_status, *shown, "{status}/{channel}");
        let created = matches!(decision.action, Action::Create { .. });
        assert_eq!(
            created,
            commerce.is_some(),
            "{status}/{channel}: {:?}",
            decision.action
        );
        if let (Action::Create { then_complete }, Some(state)) = (decision.action, commerce) {
            assert_eq!(then_complete, *state == "complete", "{status}/{channel}");
        }
    }
}

#[test]
fn unshipped_mfn_order_creates_processing_order() {
    let snap = snapshot("Unshipped", "MFN");
    assert_eq!(
        decide_fresh(&snap, &in_stock(), &OrderSettings::default()),
        Action::Create {
            then_complete: false
        }
    );
    let draft = draft_of(&snap.order, &snap.items, &OrderSettings::default()).unwrap();
    assert_eq!(draft.status, "processing");
}

#[test]
fn custom_processing_status_is_applied_to_new_orders() {
    let snap = snapshot("Unshipped", "MFN");
    let settings = OrderSettings {
        processing_status: "amazon_processing".into(),
        ..OrderSettings::default()
    };
    let draft = draft_of(&snap.order, &snap.items, &settings).unwrap();
    assert_eq!(draft.status, "amazon_processing");
}

#[test]
fn pending_order_is_recorded_and_waits_for_unshipped() {
    let decision = decide(
        None,
        &snapshot("Pending", "MFN"),
        &in_stock(),
        &OrderSettings::default(),
        &store(),
    );
    assert_eq!(decision.action, Action::RecordOnly);
    assert!(decision.reason.to_string().contains("Unshipped"));
}

#[test]
fn fba_order_is_created_only_when_amazon_ships_it() {
    for status in ["Pending", "Unshipped", "PartiallyShipped"] {
        let decision = decide(
            None,
            &snapshot(status, "AFN"),
            &in_stock(),
            &OrderSettings::default(),
            &store(),
        );
        assert_eq!(decision.action, Action::RecordOnly, "{status}");
        assert_eq!(
            decision.reason.to_string(),
            "FBA orders are created when Amazon ships them."
        );
    }
    assert_eq!(
        decide_fresh(
            &snapshot("Shipped", "AFN"),
            &in_stock(),
            &OrderSettings::default()
        ),
        Action::Create {
            then_complete: true
        }
    );
}

#[test]
fn fba_orders_never_reserve_stock_even_with_reserve_quantity_on() {
    let settings = OrderSettings {
        reserve_pending: true,
        ..OrderSettings::default()
    };
    let decision = decide(
        None,
        &snapshot("Pending", "AFN"),
        &in_stock(),
        &settings,
        &store(),
    );
    assert!(decision.reserve.is_none());
}

#[test]
fn pending_mfn_order_reserves_quantity_when_reserve_quantity_is_on() {
    let settings = OrderSettings {
        reserve_pending: true,
        ..OrderSettings::default()
    };
    let decision = decide(
        None,
        &snapshot("Pending", "MFN"),
        &in_stock(),
        &settings,
        &store(),
    );
    assert_eq!(
        decision.reserve,
        Some(vec![SkuQty {
            sku: "SKU-1".into(),
            qty: 2
        }])
    );
    let off = decide(
        None,
        &snapshot("Pending", "MFN"),
        &in_stock(),
        &OrderSettings::default(),
        &store(),
    );
    assert!(off.reserve.is_none(), "Do Not Reserve is the default");
}

#[test]
fn no_order_is_created_for_statuses_that_never_create() {
    for status in [
        "Pending",
        "PendingAvailability",
        "Canceled",
        "Unfulfillable",
        "InvoiceUnconfirmed",
    ] {
        assert!(
            !creates_commerce_order(&OrderStatus::parse(status), Some(&FulfillmentChannel::Mfn)),
            "{status}"
        );
        assert!(
            !creates_commerce_order(&OrderStatus::parse(status), Some(&FulfillmentChannel::Afn)),
            "{status}"
        );
    }
}

#[test]
fn order_purchased_before_integration_is_never_imported() {
    let mut snap = snapshot("Unshipped", "MFN");
    snap.order
        .edit(|o| o.purchase_date = t("2026-10-31T23:59:59Z"));
    assert_eq!(
        decide_fresh(&snap, &in_stock(), &OrderSettings::default()),
        Action::Skip
    );
    let disabled = OrderSettings {
        import_orders: false,
        ..OrderSettings::default()
    };
    assert_eq!(
        decide_fresh(&snap, &in_stock(), &disabled),
        Action::Skip,
        "regardless of settings"
    );
}

#[test]
fn import_disabled_records_view_only_rows_and_creates_nothing() {
    let settings = OrderSettings {
        import_orders: false,
        ..OrderSettings::default()
    };
    let snap = snapshot("Unshipped", "MFN");
    let decision = decide(None, &snap, &in_stock(), &settings, &store());
    assert_eq!(decision.action, Action::RecordOnly);
    assert!(decision.reason.to_string().contains("view-only"));
    let row =
        amazon_order_sync::decide::next_row(None, snap, &decision, "acme-us", &settings, None);
    assert!(row.view_only);
    assert_eq!(
        GridRow::from(&row).seller_central_url,
        "https://sellercentral.amazon.com/orders-v3/order/111-0000001-0000001"
    );
}

#[test]
fn linked_order_completes_when_amazon_reports_shipped() {
    let unshipped = snapshot("Unshipped", "MFN");
    let row = row_for(&unshipped, Some(CommerceState::Processing));
    let mut shipped = snapshot("Shipped", "MFN");
    shipped
        .order
        .edit(|o| o.last_update_date = t("2026-11-03T00:00:00Z"));
    let decision = decide(
        Some(&row),
        &shipped,
        &in_stock(),
        &OrderSettings::default(),
        &store(),
    );
    assert_eq!(decision.action, Action::Complete);
    assert_eq!(decision.table_status, TableStatus::Completed);
}

#[test]
fn amazon_cancel_cancels_the_commerce_order_and_releases_stock() {
    let unshipped = snapshot("Unshipped", "MFN");
    let mut row = row_for(&unshipped, Some(CommerceState::Processing));
    row.reserved = vec![SkuQty {
        sku: "SKU-1".into(),
        qty: 2,
    }];
    let mut canceled = snapshot("Canceled", "MFN");
    canceled
        .order
        .edit(|o| o.last_update_date = t("2026-11-03T00:00:00Z"));
    let decision = decide(
        Some(&row),
        &canceled,
        &in_stock(),
        &OrderSettings::default(),
        &store(),
    );
    assert_eq!(decision.action, Action::Cancel);
    assert!(decision.release);
    assert_eq!(decision.table_status, TableStatus::Canceled);
}

#[test]
fn statuses_never_regress_when_snapshots_arrive_out_of_order() {
    let mut shipped = snapshot("Shipped", "MFN");
    shipped
        .order
        .edit(|o| o.last_update_date = t("2026-11-03T00:00:00Z"));
    let row = row_for(&shipped, Some(CommerceState::Complete));
    let older = snapshot("Unshipped", "MFN");
    let decision = decide(
        Some(&row),
        &older,
        &in_stock(),
        &OrderSettings::default(),
        &store(),
    );
    assert_eq!(decision.action, Action::Ignore);
    // Same time but an earlier status (Amazon's clock granularity) is still a regression.
    let mut same_time = snapshot("Unshipped", "MFN");
    same_time
        .order
        .edit(|o| o.last_update_date = shipped.order.last_update_date);
    assert_eq!(
        decide(
            Some(&row),
            &same_time,
            &in_stock(),
            &OrderSettings::default(),
            &store()
        )
        .action,
        Action::Ignore
    );
}

#[test]
fn the_same_snapshot_twice_changes_nothing() {
    let snap = snapshot("Unshipped", "MFN");
    let row = row_for(&snap, Some(CommerceState::Processing));
    let decision = decide(
        Some(&row),
        &snap,
        &in_stock(),
        &OrderSettings::default(),
        &store(),
    );
    assert_eq!(decision.action, Action::Ignore);
}

#[test]
fn an_order_is_never_created_twice() {
    let snap = snapshot("Unshipped", "MFN");
    let row = row_for(&snap, Some(CommerceState::Processing));
    let mut later = snapshot("PartiallyShipped", "MFN");
    later
        .order
        .edit(|o| o.last_update_date = t("2026-11-03T00:00:00Z"));
    let decision = decide(
        Some(&row),
        &later,
        &in_stock(),
        &OrderSettings::default(),
        &store(),
    );
    assert_eq!(decision.action, Action::RecordOnly);
}

// ---- blockers ---------------------------------------------------------------------------------

#[test]
fn item_not_in_catalog_blocks_creation() {
    let decision = decide(
        None,
        &snapshot("Unshipped", "MFN"),
        &CatalogFacts::new(),
        &OrderSettings::default(),
        &store(),
    );
    assert_eq!(decision.action, Action::Blocked);
    assert_eq!(decision.table_status, TableStatus::Error);
    let b = &decision.blockers[0];
    assert_eq!(b.kind, BlockerKind::NotInCatalog);
    assert_eq!(
        b.message,
        "Cannot create sales order: Product \"SKU-1\" does not exist"
    );
    assert!(b.resolution.contains("manually match"));
}

#[test]
fn disabled_product_blocks_creation() {
    let blockers = evaluate(
        &snapshot("Unshipped", "MFN").items,
        &catalog(&[product("SKU-1", false, Some(5))]),
        &[],
    );
    assert_eq!(blockers[0].kind, BlockerKind::Disabled);
    assert_eq!(
        blockers[0].message,
        "Cannot create sales order: Product \"SKU-1\" is disabled"
    );
    assert!(blockers[0].resolution.contains("Enabled"));
}

#[test]
fn out_of_stock_product_blocks_creation() {
    let blockers = evaluate(
        &snapshot("Unshipped", "MFN").items,
        &catalog(&[product("SKU-1", true, Some(1))]),
        &[],
    );
    assert_eq!(blockers[0].kind, BlockerKind::OutOfStock);
    assert_eq!(
        blockers[0].message,
        "Cannot create sales order: Product \"SKU-1\" is out of stock"
    );
    assert!(blockers[0].resolution.contains("quantity and source"));
}

#[test]
fn unmanaged_stock_never_blocks() {
    assert!(evaluate(
        &snapshot("Unshipped", "MFN").items,
        &catalog(&[product("SKU-1", true, None)]),
        &[]
    )
    .is_empty());
}

#[test]
fn quantity_this_order_already_holds_counts_as_available() {
    let held = [SkuQty {
        sku: "SKU-1".into(),
        qty: 2,
    }];
    assert!(evaluate(
        &snapshot("Unshipped", "MFN").items,
        &catalog(&[product("SKU-1", true, Some(0))]),
        &held
    )
    .is_empty());
}

#[test]
fn one_sku_on_several_lines_is_checked_for_its_total_quantity() {
    let mut snap = snapshot("Unshipped", "MFN");
    snap.items
        .edit(|items| items.push(item("1002", "SKU-1", 2, "20.00")));
    let blockers = evaluate(
        &snap.items,
        &catalog(&[product("SKU-1", true, Some(3))]),
        &[],
    );
    assert_eq!(blockers.len(), 1);
    assert_eq!(blockers[0].kind, BlockerKind::OutOfStock);
}

#[test]
fn system_message_names_the_stores_with_blocked_orders() {
    assert_eq!(
        system_message(&["Acme US", "Acme CA"]).unwrap(),
        "Your Amazon store(s) has orders that cannot be imported into Commerce. See Recent Orders in the store dashboard(s): Acme US, Acme CA"
    );
    assert_eq!(system_message::<&str>(&[]), None);
}

// ---- order building ---------------------------------------------------------------------------

#[test]
fn draft_uses_amazon_prices_with_unit_price_from_item_price_divided_by_quantity() {
    let mut snap = snapshot("Unshipped", "MFN");
    snap.items = Sent::new(vec![item("1001", "SKU-1", 3, "10.00")]);
    let draft = draft_of(&snap.order, &snap.items, &OrderSettings::default()).unwrap();
    let line = &draft.lines[0];
    assert_eq!(line.unit_price.cents, 333, "10.00 / 3 rounded");
    assert_eq!(line.row_total.cents, 1000);
    assert_eq!(draft.subtotal.cents, 1000);
    assert_eq!(draft.shipping_amount.cents, 250);
    assert_eq!(draft.tax_total.cents, 100);
    assert_eq!(draft.grand_total.cents, 1350);
    assert_eq!(draft.grand_total.currency, "USD");
    assert_eq!(draft.lines[0].order_item_id, "1001");
}

#[test]
fn an_order_whose_amounts_mix_currencies_gets_no_draft() {
    let snap = snapshot("Unshipped", "MFN");
    let amounts = |price: &str, tax: &str| {
        let json = format!(
            r#"[{{"ASIN":"B0","OrderItemId":"7","SellerSKU":"SKU-1","QuantityOrdered":1,
            "ItemPrice":{{"CurrencyCode":"{price}","Amount":"50.00"}},
            "ItemTax":{{"CurrencyCode":"{tax}","Amount":"4.50"}}}}]"#
        );
        let mut order = snap.order.clone().into_inner();
        order.order_total = None;
        let items = parse_order_items(&json).unwrap();
        draft_of(&order, &items, &OrderSettings::default())
    };
    let mixed = amounts("USD", "EUR").unwrap_err().to_string();
    assert!(mixed.contains("mixes currencies USD and EUR"), "{mixed}");
    // Codes no marketplace uses are read as copies: equal text is one currency all the same.
    let draft = amounts("XAU", "XAU").unwrap();
    assert_eq!(draft.grand_total.currency, "XAU");
    assert_eq!(draft.grand_total.cents, 5450);
}

#[test]
fn promotion_discounts_reduce_the_grand_total() {
    let json = r#"[{"ASIN":"B0","OrderItemId":"7","SellerSKU":"SKU-1","QuantityOrdered":1,
        "ItemPrice":{"CurrencyCode":"USD","Amount":"50.00"},"PromotionDiscount":{"CurrencyCode":"USD","Amount":"5.00"},
        "ItemTax":{"CurrencyCode":"USD","Amount":"4.50"},"ShippingPrice":{"CurrencyCode":"USD","Amount":"3.00"},
        "ShippingDiscount":{"CurrencyCode":"USD","Amount":"3.00"},"ShippingTax":{"CurrencyCode":"USD","Amount":"0.00"}}]"#;
    let items = parse_order_items(json).unwrap();
    let snap = snapshot("Unshipped", "MFN");
    let draft = draft_of(&snap.order, &items, &OrderSettings::default()).unwrap();
    assert_eq!(draft.discount_total.cents, 500);
    assert_eq!(draft.shipping_amount.cents, 0, "free shipping promotion");
    assert_eq!(draft.grand_total.cents, 5000 - 500 + 450);
}

#[test]
fn amazon_order_number_source_uses_the_amazon_order_id_as_increment_id() {
    let snap = snapshot("Unshipped", "MFN");
    let amazon = OrderSettings {
        order_number_source: OrderNumberSource::Amazon,
        ..OrderSettings::default()
    };
    let draft = draft_of(&snap.order, &snap.items, &amazon).unwrap();
    assert_eq!(draft.increment_id.as_deref(), Some("111-0000001-0000001"));
    let commerce = draft_of(&snap.order, &snap.items, &OrderSettings::default()).unwrap();
    assert_eq!(commerce.increment_id, None);
}

#[test]
fn fba_order_without_name_or_address_gets_placeholders() {
    let iba = parse_order(fixture("getOrder_200_TEST_CASE_IBA_200.response.json")).unwrap();
    let items = parse_order_items(r#"[{"ASIN":"B0","OrderItemId":"9","SellerSKU":"SKU-9","QuantityOrdered":1,"ItemPrice":{"CurrencyCode":"EUR","Amount":"100.00"}}]"#).unwrap();
    let draft = draft_of(&iba, &items, &OrderSettings::default()).unwrap();
    assert_eq!(draft.customer.email, "921-3175655-0452641@amazon.com");
    assert_eq!(
        (
            draft.customer.firstname.as_ref(),
            draft.customer.lastname.as_ref()
        ),
        ("Amazon", "Customer")
    );
    assert_eq!(
        draft.shipping_address.street,
        vec![PLACEHOLDER_STREET.to_owned()]
    );
    assert_eq!(
        draft.shipping_address.country_code, "DE",
        "from the marketplace"
    );
    assert_eq!(draft.grand_total.currency, "EUR");
}

#[test]
fn buyer_names_split_on_the_first_space() {
    assert_eq!(
        split_name(Some("Jane van Dyke")),
        ("Jane".into(), "van Dyke".into())
    );
    assert_eq!(
        split_name(Some("  Cher ")),
        ("Cher".into(), "Customer".into())
    );
    assert_eq!(
        split_name(Some("Zoë\u{0007} Ångström")),
        ("Zoë".into(), "Ångström".into())
    );
    assert_eq!(split_name(None), ("Amazon".into(), "Customer".into()));
}

// ---- grid -------------------------------------------------------------------------------------

fn grid_rows() -> Vec<GridRow> {
    let mk = |id: &str, day: &str, status: TableStatus, buyer: &str, cents: i64| GridRow {
        amazon_order_id: id.into(),
        purchase_date: t(&format!("2026-11-{day}T12:00:00Z")).timestamp_millis(),
        status,
        buyer_name: buyer.into(),
        grand_total: Some(amazon_order_sync::amazon::Money::new("USD", cents)),
        notes: String::new(),
        fulfillment_channel: "MFN".into(),
        commerce_order_id: None,
        view_only: false,
        seller_central_url: String::new(),
    };
    vec![
        mk(
            "111-0000001-0000001",
            "02",
            TableStatus::Unshipped,
            "Jane van Dyke",
            5857,
        ),
        mk(
            "111-0000001-0000002",
            "03",
            TableStatus::Error,
            "Ann Lee",
            1200,
        ),
        mk(
            "111-0000001-0000003",
            "04",
            TableStatus::Completed,
            "Bob Jones",
            9900,
        ),
        mk(
            "111-0000001-0000004",
            "05",
            TableStatus::PartiallyShipped,
            "jane doe",
            300,
        ),
    ]
}

#[test]
fn all_orders_filters_by_date_number_buyer_total_and_status() {
    let q = |f: fn(&mut OrderQuery)| {
        let mut query = OrderQuery::default();
        f(&mut query);
        query_orders(grid_rows(), &query)
            .rows
            .into_iter()
            .map(|r| r.amazon_order_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(q(|q| q.buyer_name = Some("JANE".into())).len(), 2);
    assert_eq!(
        q(|q| q.order_number = Some("0003".into())),
        ["111-0000001-0000003"]
    );
    assert_eq!(
        q(|q| {
            q.total_min = Some(1000);
            q.total_max = Some(6000)
        })
        .len(),
        2
    );
    assert_eq!(
        q(|q| q.statuses = vec![TableStatus::Error]),
        ["111-0000001-0000002"]
    );
    assert_eq!(
        q(|q| {
            q.purchase_from = Some(t("2026-11-03T00:00:00Z").timestamp_millis());
            q.purchase_to = Some(t("2026-11-04T23:59:59Z").timestamp_millis())
        }),
        ["111-0000001-0000003", "111-0000001-0000002"]
    );
}

#[test]
fn grid_sorts_and_pages() {
    let query = OrderQuery {
        sort: SortColumn::GrandTotal,
        descending: false,
        page: 2,
        page_size: 3,
        ..OrderQuery::default()
    };
    let page = query_orders(grid_rows(), &query);
    assert_eq!((page.total, page.page_count, page.rows.len()), (4, 2, 1));
    assert_eq!(page.rows[0].amazon_order_id, "111-0000001-0000003");
}

#[test]
fn recent_orders_shows_the_newest_first_and_ignores_filters() {
    let query = OrderQuery {
        view: View::Recent,
        buyer_name: Some("nobody".into()),
        ..OrderQuery::default()
    };
    let page = query_orders(grid_rows(), &query);
    assert_eq!(page.rows.len(), 4);
    assert_eq!(page.rows[0].amazon_order_id, "111-0000001-0000004");
}
