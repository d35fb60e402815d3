//! The wasm-bindgen skin (`wasm32-unknown-unknown` only): the JS API of `pkg/`.
//!
//! A thin skin over [`crate::preview`]: every function turns its JS arguments into JSON text
//! (strings pass through untouched, objects go through `JSON.stringify`), calls the core, and
//! turns the result back into JS values with `JSON.parse`. Going through JSON text keeps one
//! parsing path for both input kinds (the same SP-API quirks, limits and field-naming errors as
//! the component) and keeps the module small. Errors are thrown as JS `Error`s with a stable
//! `code` (see `ErrorCode` in the `.d.ts`).
//!
//! The export attributes are `cfg(not(test))`: `tests/web.rs` compiles this file into the test
//! crate (the module is private) and must not export the same symbols a second time.
#![cfg_attr(test, allow(dead_code))]

use js_sys::{Error, Reflect, JSON};
use wasm_bindgen::prelude::*;

use crate::decide;
use crate::preview::{self, PreviewError, ToJson};

#[cfg_attr(not(test), wasm_bindgen(typescript_custom_section))]
const TYPES: &str = r#"
/** Stable `code` of the errors this package throws. */
export type ErrorCode =
  | "invalid_orders" | "amazon_errors" | "too_large" | "invalid_catalog" | "invalid_settings"
  | "invalid_store" | "invalid_query" | "invalid_rows" | "cannot_build" | "invalid_argument";

/** A JS `Error` thrown by this package. */
export interface AmazonOrderSyncError extends Error { code: ErrorCode }

export type Decision = "create" | "blocked" | "wait" | "skip" | "viewOnly" | "complete" | "cancel";

export type TableStatus =
  | "Pending" | "PendingAvailability" | "Unshipped" | "PartiallyShipped" | "Shipped"
  | "InvoiceUnconfirmed" | "Canceled" | "Unfulfillable" | "Completed" | "Error";

export type BlockerKind = "not_in_catalog" | "disabled" | "out_of_stock";

export interface Blocker {
  sku: string;
  kind: BlockerKind;
  /** The admin message, e.g. `Cannot create sales order: Product "X" does not exist`. */
  message: string;
  /** What the merchant does about it. */
  resolution: string;
}

export interface PreviewEntry {
  amazonOrderId: string;
  decision: Decision;
  /** The status the Amazon Orders table would show. */
  tableStatus: TableStatus;
  /** Status of the Commerce order that would be created; null when none is. */
  commerceStatus: string | null;
  blockers: Blocker[];
  /** Why, in a sentence a merchant understands. */
  reason: string;
}

/** An SP-API Orders v0 `Order`, as Amazon sends it (PascalCase; other fields are accepted). */
export interface SpApiOrder {
  AmazonOrderId: string;
  PurchaseDate: string;
  LastUpdateDate: string;
  OrderStatus: string;
  FulfillmentChannel?: "MFN" | "AFN" | string;
  [field: string]: unknown;
}

/** An SP-API Orders v0 `OrderItem`. */
export interface SpApiOrderItem {
  ASIN: string;
  SellerSKU?: string;
  OrderItemId: string;
  QuantityOrdered: number;
  [field: string]: unknown;
}

/** Any SP-API response body: getOrders, getOrder, getOrderItems (or an error body). */
export interface SpApiResponse {
  payload?: unknown;
  errors?: { code: string; message: string; details?: string }[];
}

export interface OrderWithItems {
  order: SpApiOrder | SpApiResponse;
  items?: SpApiOrderItem[] | SpApiResponse | null;
}

/**
 * The orders of a preview: getOrders responses (orders without items), getOrder responses or
 * bare orders, getOrderItems responses (joined to their order by `AmazonOrderId`), and
 * `{order, items}` pairs; one of them or an array mixing them.
 */
export type OrdersInput =
  | SpApiResponse | SpApiOrder | OrderWithItems
  | Array<SpApiResponse | SpApiOrder | OrderWithItems>;

/** One catalog product. `qty` null or absent = stock not managed (never blocks). */
export interface Product { sku: string; name?: string; enabled: boolean; qty?: number | null }

/**
 * The order settings. Missing keys take the defaults; snake_case keys
 * (`import_orders`, …) are accepted as well.
 */
export interface OrderSettings {
  /** Import Amazon Orders (default true); false = view-only rows. */
  importOrders?: boolean;
  /** Store view code orders are placed in (default "default"). */
  storeView?: string;
  customerCreation?: "guest" | "account";
  orderNumberSource?: "commerce" | "amazon";
  /** Reserve the quantity of Pending merchant-fulfilled orders (default false). */
  reservePending?: boolean;
  /** Status of created orders (default "processing"). */
  processingStatus?: string;
  [key: string]: unknown;
}

export interface StoreInput {
  name?: string;
  /** Store code (default "preview"). */
  store?: string;
  /** Orders purchased before this are skipped: ISO 8601, or Unix milliseconds (whole). */
  integratedAt: string | number;
  marketplaceId?: string;
}

export interface StatusMapping {
  tableStatus: TableStatus;
  createsOrder: boolean;
  /** "processing" or "complete" when an order is created; null otherwise. */
  commerceStatus: string | null;
}

/** One invalid setting; `field` is the snake_case key. */
export interface FieldError { field: string; message: string }

export interface Money { CurrencyCode: string; Amount: string }

export interface DraftAddress {
  firstname: string; lastname: string; company: string | null; street: string[]; city: string;
  region: string; postcode: string; countryCode: string; telephone: string;
}

export interface OrderDraft {
  store: string;
  amazonOrderId: string;
  incrementId: string | null;
  storeView: string;
  customer: { kind: "guest" | "account"; email: string; firstname: string; lastname: string };
  billingAddress: DraftAddress;
  shippingAddress: DraftAddress;
  lines: {
    sku: string; orderItemId: string; title: string; qty: number;
    unitPrice: Money; rowTotal: Money; discount: Money; tax: Money;
  }[];
  shippingMethod: string;
  shippingAmount: Money;
  shippingTax: Money;
  subtotal: Money;
  discountTotal: Money;
  taxTotal: Money;
  grandTotal: Money;
  status: string;
  paymentMethod: string;
  poNumber: string;
}

export interface GridRow {
  amazonOrderId: string;
  /** Unix milliseconds. */
  purchaseDate: number;
  status: TableStatus;
  buyerName: string;
  grandTotal: Money | null;
  notes: string;
  fulfillmentChannel: string;
  commerceOrderId: string | null;
  viewOnly: boolean;
  sellerCentralUrl: string;
}

/** A grid query; missing keys take the defaults (All view, newest first, page 1 of 20). */
export interface OrderQuery {
  view?: "recent" | "all";
  /** Unix milliseconds. */
  purchaseFrom?: number | null;
  purchaseTo?: number | null;
  orderNumber?: string | null;
  buyerName?: string | null;
  /** Hundredths. */
  totalMin?: number | null;
  totalMax?: number | null;
  statuses?: TableStatus[];
  sort?: "purchaseDate" | "orderNumber" | "status" | "buyerName" | "grandTotal";
  descending?: boolean;
  page?: number;
  pageSize?: number;
}

export interface OrderPage { rows: GridRow[]; total: number; page: number; pageCount: number }
"#;

// Argument types: each is a `JsValue` that the `.d.ts` describes precisely.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "OrdersInput | string")]
    pub type OrdersArg;
    #[wasm_bindgen(typescript_type = "Product[] | string | null")]
    pub type CatalogArg;
    #[wasm_bindgen(typescript_type = "OrderSettings | string | null")]
    pub type SettingsArg;
    #[wasm_bindgen(typescript_type = "StoreInput | string")]
    pub type StoreArg;
    #[wasm_bindgen(typescript_type = "SpApiOrder | SpApiResponse | string")]
    pub type OrderArg;
    #[wasm_bindgen(typescript_type = "SpApiOrderItem[] | SpApiResponse | string | null")]
    pub type ItemsArg;
    #[wasm_bindgen(typescript_type = "SpApiOrderItem[] | SpApiResponse | string")]
    pub type DraftItemsArg;
    #[wasm_bindgen(typescript_type = "GridRow[] | string")]
    pub type RowsArg;
    #[wasm_bindgen(typescript_type = "OrderQuery | string | null")]
    pub type QueryArg;
}

/// A JS `Error` with a stable `code`.
fn error(code: &str, message: &str) -> JsValue {
    let e = Error::new(message);
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(code));
    e.into()
}

fn failed(e: PreviewError) -> JsValue {
    error(e.code(), &e.to_string())
}

/// The JSON text of an argument: a string is taken as JSON text as is, `undefined` and `null`
/// are `null`, anything else goes through `JSON.stringify`.
fn json_text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if value.is_undefined() || value.is_null() {
        return Ok("null".to_owned());
    }
    match JSON::stringify(value) {
        Ok(text) => text
            .as_string()
            .ok_or_else(|| error("invalid_argument", &format!("{what}: not JSON data"))),
        Err(e) => Err(error(
            "invalid_argument",
            &format!(
                "{what}: cannot be converted to JSON: {}",
                e.as_string()
                    .or_else(|| Reflect::get(&e, &"message".into())
                        .ok()
                        .and_then(|m| m.as_string()))
                    .unwrap_or_default()
            ),
        )),
    }
}

/// A result as a JS value (through its JSON text: `None` becomes `null`).
fn to_js(value: &impl ToJson) -> Result<JsValue, JsValue> {
    JSON::parse(&value.to_json())
}

/// What would happen to each order if it arrived now at a store that has never seen it: the
/// same decision the plugin makes, one entry per order, in input order.
///
/// Every argument may also be passed as a JSON string; for large order lists that is the
/// faster path (see the package README).
#[cfg_attr(not(test), wasm_bindgen(js_name = previewImport, unchecked_return_type = "PreviewEntry[]"))]
pub fn preview_import(
    orders: OrdersArg,
    catalog: CatalogArg,
    settings: SettingsArg,
    store: StoreArg,
) -> Result<JsValue, JsValue> {
    let entries = preview::preview_import_json(
        &json_text(orders.as_ref(), "orders")?,
        &json_text(catalog.as_ref(), "catalog")?,
        &json_text(settings.as_ref(), "settings")?,
        &json_text(store.as_ref(), "store")?,
    )
    .map_err(failed)?;
    to_js(&entries)
}

/// The blockers of one order against `catalog` (empty when it can be created).
#[cfg_attr(not(test), wasm_bindgen(js_name = evaluateBlockers, unchecked_return_type = "Blocker[]"))]
pub fn evaluate_blockers(
    order: OrderArg,
    items: ItemsArg,
    catalog: CatalogArg,
) -> Result<JsValue, JsValue> {
    let blockers = preview::evaluate_blockers_json(
        &json_text(order.as_ref(), "order")?,
        &json_text(items.as_ref(), "items")?,
        &json_text(catalog.as_ref(), "catalog")?,
    )
    .map_err(failed)?;
    to_js(&blockers)
}

/// The status rules for an Amazon status and fulfillment channel (`"MFN"` / `"AFN"`): the
/// table status, whether a Commerce order is created and in which status.
#[cfg_attr(not(test), wasm_bindgen(js_name = mapStatus, unchecked_return_type = "StatusMapping"))]
#[allow(non_snake_case)]
pub fn map_status(
    amazonStatus: &str,
    fulfillmentChannel: Option<String>,
) -> Result<JsValue, JsValue> {
    to_js(&preview::map_status(
        amazonStatus,
        fulfillmentChannel.as_deref(),
    ))
}

/// Every problem of the order settings at once (empty when they are valid).
#[cfg_attr(not(test), wasm_bindgen(js_name = validateSettings, unchecked_return_type = "FieldError[]"))]
pub fn validate_settings(settings: SettingsArg) -> Result<JsValue, JsValue> {
    let errors = preview::validate_settings_input(&json_text(settings.as_ref(), "settings")?)
        .map_err(failed)?;
    to_js(&errors)
}

/// The admin system message for the stores that have orders that cannot be imported; `null`
/// when there are none.
#[cfg_attr(not(test), wasm_bindgen(js_name = systemMessage))]
#[allow(non_snake_case)]
pub fn system_message(storeNames: Vec<String>) -> Option<String> {
    decide::system_message(&storeNames)
}

/// The Commerce order that would be created for this Amazon order, totals included. `store`
/// is optional (default: a preview store in the order's marketplace).
#[cfg_attr(not(test), wasm_bindgen(js_name = buildOrderDraft, unchecked_return_type = "OrderDraft"))]
pub fn build_order_draft(
    order: OrderArg,
    items: DraftItemsArg,
    settings: SettingsArg,
    store: Option<StoreArg>,
) -> Result<JsValue, JsValue> {
    preview::build_order_draft_json(
        &json_text(order.as_ref(), "order")?,
        &json_text(items.as_ref(), "items")?,
        &json_text(settings.as_ref(), "settings")?,
        &json_text(
            store.as_ref().map_or(&JsValue::NULL, AsRef::as_ref),
            "store",
        )?,
        |draft| to_js(draft),
    )
    .map_err(failed)?
}

/// The Amazon Orders grid over `rows`: filters, sort and one page.
#[cfg_attr(not(test), wasm_bindgen(js_name = queryOrders, unchecked_return_type = "OrderPage"))]
pub fn query_orders(rows: RowsArg, query: QueryArg) -> Result<JsValue, JsValue> {
    let page = preview::query_orders_json(
        &json_text(rows.as_ref(), "rows")?,
        &json_text(query.as_ref(), "query")?,
    )
    .map_err(failed)?;
    to_js(&page)
}
