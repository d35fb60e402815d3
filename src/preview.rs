//! The import preview: "what would happen to these orders?" for admin code in the browser.
//!
//! Everything here is a thin layer over [`crate::decide::decide`]: it reads the inputs
//! the way admin code hands them over (SP-API JSON as Amazon sends it, settings in snake_case
//! or camelCase, a small catalog), runs the very same decision the engine runs for an order it
//! has never seen (`stored = None`) and names the outcome in words a merchant understands. No
//! rule of the import is repeated here.
//!
//! The `js` skin (wasm-bindgen, `pkg/`) only converts between JS values and the JSON text these
//! functions take and return.

use crate::prelude::*;
use alloc::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::amazon::read::{read_object, Fail, Peek, Read, Reader};
use crate::amazon::write::{key, Writer};
use crate::amazon::{
    join_path, parse_api_errors, parse_order, parse_order_items, parse_time, read_json,
    read_json_unbounded, ApiErrors, FulfillmentChannel, OrderStatus, ParseError, Sent, SentItems,
    SentOrder,
};
use crate::blockers::{evaluate, Blocker, CatalogFacts, ProductFact};
use crate::decide::{decide, Action, Decision, Reason, Snapshot};
use crate::grid::{query_orders, GridRow, OrderPage, OrderQuery};
use crate::order_builder::{build_draft, BuildError, OrderDraft};
use crate::settings::{FieldError, OrderSettings, StoreIntegration};
use crate::status::{creates_commerce_order, table_status, CommerceState, TableStatus};

/// Largest preview input accepted (bytes of JSON). 10 000 SP-API orders with items are ~25 MB.
pub const MAX_PREVIEW_BYTES: usize = 64 * 1024 * 1024;

/// Store code used when the preview's store input names none.
pub const PREVIEW_STORE: &str = "preview";

/// What the preview says will happen to one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PreviewDecision {
    /// A Commerce order is created (in the *Processing Order Status*).
    Create,
    /// Blockers keep the order from being created.
    Blocked,
    /// Not created yet: the status or the channel does not create an order (yet).
    Wait,
    /// Purchased before the store was integrated: never imported.
    Skip,
    /// *Import Amazon Orders* is disabled: the row only links to Seller Central.
    ViewOnly,
    /// Amazon already shipped it: created and completed at once.
    Complete,
    /// Amazon canceled it: nothing is created.
    Cancel,
}

impl PreviewDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            PreviewDecision::Create => "create",
            PreviewDecision::Blocked => "blocked",
            PreviewDecision::Wait => "wait",
            PreviewDecision::Skip => "skip",
            PreviewDecision::ViewOnly => "viewOnly",
            PreviewDecision::Complete => "complete",
            PreviewDecision::Cancel => "cancel",
        }
    }

    /// Names a decision of [`decide`] for an order that has no stored row.
    pub fn of(decision: &Decision) -> Self {
        match decision.action {
            Action::Create {
                then_complete: true,
            } => PreviewDecision::Complete,
            Action::Create { .. } => PreviewDecision::Create,
            Action::Blocked => PreviewDecision::Blocked,
            Action::Skip => PreviewDecision::Skip,
            Action::Cancel => PreviewDecision::Cancel,
            Action::Complete => PreviewDecision::Complete,
            Action::RecordOnly if decision.reason == Reason::ViewOnly => PreviewDecision::ViewOnly,
            // `Ignore` needs a stored row, which a preview never has.
            Action::RecordOnly | Action::Ignore => PreviewDecision::Wait,
        }
    }
}

/// One order of the preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewEntry {
    pub amazon_order_id: String,
    pub decision: PreviewDecision,
    /// Status the Amazon Orders table would show.
    pub table_status: TableStatus,
    /// Status of the Commerce order that would be created; `None` when none is.
    pub commerce_status: Option<String>,
    pub blockers: Vec<Blocker>,
    /// The merchant sentence.
    pub reason: String,
}

impl PreviewEntry {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("amazonOrderId"), &self.amazon_order_id);
            w.str_member(key!("decision"), self.decision.as_str());
            w.str_member(key!("tableStatus"), self.table_status.as_str());
            w.nullable_member(
                key!("commerceStatus"),
                self.commerce_status.as_deref(),
                Writer::string,
            );
            w.key(key!("blockers"))
                .array(&self.blockers, |w, blocker| blocker.write(w));
            w.str_member(key!("reason"), &self.reason);
        })
    }
}

/// The preview of one order.
pub fn preview_order(
    snapshot: &Snapshot,
    catalog: &CatalogFacts,
    settings: &OrderSettings,
    store: &StoreIntegration,
) -> PreviewEntry {
    let decision = decide(None, snapshot, catalog, settings, store);
    let kind = PreviewDecision::of(&decision);
    let commerce_status = match kind {
        PreviewDecision::Create => Some(settings.processing_status.clone()),
        PreviewDecision::Complete => Some(CommerceState::Complete.as_str().to_owned()),
        _ => None,
    };
    PreviewEntry {
        amazon_order_id: snapshot.order.amazon_order_id.to_string(),
        decision: kind,
        table_status: decision.table_status,
        commerce_status,
        reason: decision.reason.text(),
        blockers: decision.blockers,
    }
}

/// What would happen to each order (in input order) if it arrived now at a store that has
/// never seen it.
pub fn preview_import(
    snapshots: &[Snapshot],
    catalog: &CatalogFacts,
    settings: &OrderSettings,
    store: &StoreIntegration,
) -> Vec<PreviewEntry> {
    snapshots
        .iter()
        .map(|s| preview_order(s, catalog, settings, store))
        .collect()
}

/// How an Amazon status maps, for `mapStatus`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusMapping {
    pub table_status: TableStatus,
    /// Whether an order in this status (and channel) creates a Commerce order.
    pub creates_order: bool,
    /// State of the created Commerce order (`processing`, or `complete` when Amazon already
    /// shipped); `None` when nothing is created.
    pub commerce_status: Option<String>,
}

impl StatusMapping {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("tableStatus"), self.table_status.as_str());
            w.key(key!("createsOrder")).bool(self.creates_order);
            w.nullable_member(
                key!("commerceStatus"),
                self.commerce_status.as_deref(),
                Writer::string,
            );
        })
    }
}

/// The results of the preview functions are written as the JSON text admin code receives
/// (camelCase keys, `null` for what is absent) through the crate's one [`ToJson`].
pub use crate::amazon::ToJson;

/// One writer per result type; lists are arrays of their elements.
macro_rules! to_json {
    ($($t:ty => |$w:ident, $value:ident| $write:expr;)*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> String {
                let mut $w = Writer::with_capacity(256);
                let $value = self;
                $write;
                $w.finish()
            }
        }
    )*};
}

to_json! {
    Vec<PreviewEntry> => |w, entries| w.array(entries, |w, e| e.write(w));
    Vec<Blocker> => |w, blockers| w.array(blockers, |w, b| b.write(w));
    Vec<FieldError> => |w, errors| w.array(errors, |w, e| e.write(w));
    StatusMapping => |w, mapping| mapping.write(&mut w);
    OrderDraft<'_> => |w, draft| draft.write(&mut w);
    OrderPage => |w, page| page.write(&mut w);
}

/// The status rules for one Amazon status and fulfillment channel (`MFN` / `AFN`).
pub fn map_status(amazon_status: &str, fulfillment_channel: Option<&str>) -> StatusMapping {
    let status = OrderStatus::parse(amazon_status.trim());
    let channel = fulfillment_channel
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(FulfillmentChannel::parse);
    let creates = creates_commerce_order(&status, channel.as_ref());
    let commerce_status = creates.then(|| {
        if status == OrderStatus::Shipped {
            CommerceState::Complete
        } else {
            CommerceState::Processing
        }
        .as_str()
        .to_owned()
    });
    StatusMapping {
        table_status: table_status(&status),
        creates_order: creates,
        commerce_status,
    }
}

/// Why a preview input could not be read. [`PreviewError::code`] is stable; the message names
/// the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PreviewError {
    /// The orders (or one order / its items) are not SP-API JSON the import accepts.
    #[error("orders: {0}")]
    Orders(ParseError),
    /// An SP-API error body was passed instead of orders.
    #[error("orders: Amazon answered with errors: {0}")]
    AmazonErrors(ApiErrors),
    /// The orders input has none of the accepted shapes.
    #[error("orders: {0}")]
    Shape(String),
    #[error("catalog: {0}")]
    Catalog(String),
    #[error("settings: {0}")]
    Settings(String),
    #[error("store: {0}")]
    Store(String),
    #[error("query: {0}")]
    Query(String),
    #[error("rows: {0}")]
    Rows(String),
    /// The Commerce order draft cannot be built (no items, mixed currencies).
    #[error("{0}")]
    Build(#[from] BuildError),
    /// The input is larger than [`MAX_PREVIEW_BYTES`].
    #[error("{what} is {size} bytes, more than the {limit} bytes accepted")]
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
}

impl PreviewError {
    /// A stable, machine-readable code (the JS `Error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            PreviewError::Orders(ParseError::Api(_)) | PreviewError::AmazonErrors(_) => {
                "amazon_errors"
            }
            PreviewError::Orders(ParseError::TooLarge { .. }) | PreviewError::TooLarge { .. } => {
                "too_large"
            }
            PreviewError::Orders(_) | PreviewError::Shape(_) => "invalid_orders",
            PreviewError::Catalog(_) => "invalid_catalog",
            PreviewError::Settings(_) => "invalid_settings",
            PreviewError::Store(_) => "invalid_store",
            PreviewError::Query(_) => "invalid_query",
            PreviewError::Rows(_) => "invalid_rows",
            PreviewError::Build(_) => "cannot_build",
        }
    }
}

fn check_size(what: &'static str, json: &str) -> Result<(), PreviewError> {
    if json.len() > MAX_PREVIEW_BYTES {
        return Err(PreviewError::TooLarge {
            what,
            size: json.len(),
            limit: MAX_PREVIEW_BYTES,
        });
    }
    Ok(())
}

/// Reads `json` with `read` (the error names the JSON path of the field).
fn read<T>(
    what: &'static str,
    json: &str,
    wrap: fn(String) -> PreviewError,
    read: impl FnOnce(&mut Reader<'_>) -> Read<T>,
) -> Result<T, PreviewError> {
    read_json(what, json, read).map_err(|e| rewrap(e, wrap))
}

fn rewrap(error: ParseError, wrap: fn(String) -> PreviewError) -> PreviewError {
    match error {
        ParseError::Invalid { path, message, .. } if path.is_empty() => wrap(message),
        ParseError::Invalid { path, message, .. } => wrap(format!("{path}: {message}")),
        other => wrap(other.to_string()),
    }
}

/// Prefixes the JSON path of a parse error of one part of the input with where that part is.
fn located(at: &str, error: ParseError) -> PreviewError {
    match error.within(at) {
        ParseError::Api(errors) => PreviewError::AmazonErrors(errors),
        other => PreviewError::Orders(other),
    }
}

/// The parts of JSON text that is already known to be valid, each handed to the core's parser
/// as the very text the caller gave (no tree, no re-serialization).
mod scan {
    use crate::amazon::read::Reader;
    use crate::prelude::*;

    /// The first significant byte of `text`.
    pub fn first(text: &str) -> Option<u8> {
        text.trim_ascii_start().bytes().next()
    }

    /// The elements of the array `text`.
    pub fn elements(text: &str) -> Vec<&str> {
        Reader::document(text, Reader::element_texts).unwrap_or_default()
    }

    /// The members of the object `text`: (key as written, without its quotes; value text).
    pub fn members(text: &str) -> Vec<(&str, &str)> {
        Reader::document(text, Reader::member_texts).unwrap_or_default()
    }
}

/// `"[2]: "` for a part of the input, `""` for the input itself.
fn at_prefix(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!("{at}: ")
    }
}

fn kind_of(text: &str) -> &'static str {
    match scan::first(text) {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        None => "nothing",
        Some(_) => "a number",
    }
}

fn is_null(text: &str) -> bool {
    text.trim() == "null"
}

/// Collects orders and item lists from the parts of the input, then joins them by order id.
#[derive(Default)]
struct Collector<'a> {
    /// Orders and their items in first-seen order.
    orders: Vec<(SentOrder<'a>, Option<SentItems<'a>>)>,
    /// Where each order id is in `orders` (only ever inserted into).
    index: BTreeMap<String, usize>,
    /// Items from getOrderItems responses: (where, order id, items).
    items: Vec<(String, String, SentItems<'a>)>,
}

impl<'a> Collector<'a> {
    fn add_order(&mut self, order: SentOrder<'a>, items: Option<SentItems<'a>>) {
        match self.index.get(&*order.amazon_order_id) {
            // The same order twice (a getOrders page and a getOrder response): keep the newer
            // snapshot and whichever items were given.
            Some(&at) => {
                let (kept, kept_items) = &mut self.orders[at];
                if order.last_update_date >= kept.last_update_date {
                    *kept = order;
                }
                if items.is_some() {
                    *kept_items = items;
                }
            }
            None => {
                self.index
                    .insert(order.amazon_order_id.to_string(), self.orders.len());
                self.orders.push((order, items));
            }
        }
    }

    fn part(&mut self, at: &str, text: &'a str) -> Result<(), PreviewError> {
        if scan::first(text) != Some(b'{') {
            return Err(PreviewError::Shape(format!(
                "{}expected an SP-API response or {{order, items}}, found {}",
                at_prefix(at),
                kind_of(text)
            )));
        }
        let members = scan::members(text);
        let get = |key: &str| {
            members
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| *v)
                .filter(|v| !is_null(v))
        };
        if get("payload").is_some() || get("errors").is_some() {
            return self.envelope(at, get("payload"), get("errors"));
        }
        if let Some(order) = get("order") {
            let order = parse_order(order).map_err(|e| located(&join_path(at, "order"), e))?;
            let items = match get("items").or_else(|| get("OrderItems")) {
                None => None,
                Some(items) => Some(
                    parse_order_items(items).map_err(|e| located(&join_path(at, "items"), e))?,
                ),
            };
            self.add_order(order, items);
            return Ok(());
        }
        if get("AmazonOrderId").is_some() {
            let order = parse_order(text).map_err(|e| located(at, e))?;
            self.add_order(order, None);
            return Ok(());
        }
        Err(PreviewError::Shape(format!(
            "{}expected an SP-API response ({{\"payload\": …}}), an Order or {{order, items}}",
            at_prefix(at)
        )))
    }

    fn envelope(
        &mut self,
        at: &str,
        payload: Option<&'a str>,
        errors: Option<&str>,
    ) -> Result<(), PreviewError> {
        // Only the `errors` member is read here: a large getOrders page is not parsed twice.
        let listed = errors.and_then(|e| parse_api_errors(&format!("{{\"errors\":{e}}}")));
        if let Some(errors) = listed.filter(|e| !e.0.is_empty()) {
            return Err(PreviewError::AmazonErrors(errors));
        }
        let here = join_path(at, "payload");
        let payload = match payload {
            Some(p) if scan::first(p) == Some(b'{') => p,
            _ => {
                return Err(PreviewError::Shape(format!(
                    "{here}: missing or not an object"
                )))
            }
        };
        let members = scan::members(payload);
        let get = |key: &str| members.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        if let Some(orders) = get("Orders") {
            // getOrders: each order on its own, so a page of any size stays within the
            // per-document limit and an error names the order.
            if scan::first(orders) != Some(b'[') {
                return Err(PreviewError::Shape(format!(
                    "{here}.Orders: expected an array"
                )));
            }
            for (i, order) in scan::elements(orders).into_iter().enumerate() {
                let order =
                    parse_order(order).map_err(|e| located(&format!("{here}.Orders[{i}]"), e))?;
                self.add_order(order, None);
            }
        } else if let Some(items) = get("OrderItems") {
            let id = get("AmazonOrderId")
                .and_then(|id| Reader::document(id, Reader::string).ok())
                .ok_or_else(|| {
                    PreviewError::Shape(format!(
                        "{here}.AmazonOrderId: a getOrderItems response must name its order"
                    ))
                })?;
            let items =
                parse_order_items(items).map_err(|e| located(&format!("{here}.OrderItems"), e))?;
            self.items.push((at.to_owned(), id, items));
        } else {
            let order = parse_order(payload).map_err(|e| located(&here, e))?;
            self.add_order(order, None);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<Snapshot<'a>>, PreviewError> {
        for (at, id, items) in core::mem::take(&mut self.items) {
            match self.index.get(&id) {
                Some(&slot) => self.orders[slot].1 = Some(items),
                None => {
                    return Err(PreviewError::Shape(format!(
                        "{}items of order {id}, which is not among the orders",
                        at_prefix(&at)
                    )))
                }
            }
        }
        Ok(self
            .orders
            .into_iter()
            .map(|(order, items)| Snapshot {
                order,
                items: items.unwrap_or_else(Sent::none),
            })
            .collect())
    }
}

/// Reads the preview's `orders` input. Accepted, alone or in an array (mixed freely):
/// - a getOrders response `{"payload": {"Orders": […]}}` (orders without items);
/// - a getOrder response or a bare SP-API `Order`;
/// - a getOrderItems response `{"payload": {"AmazonOrderId", "OrderItems"}}`: its items join
///   the order of that id given elsewhere in the input;
/// - `{order, items}`: an `Order` (or getOrder response) and its `OrderItems` array (or
///   getOrderItems response).
///
/// An order given twice is previewed once (the newer `LastUpdateDate`), in first-seen order.
/// Orders given without items are previewed with none: nothing can block them.
pub fn parse_orders_input(json: &str) -> Result<Vec<Snapshot<'_>>, PreviewError> {
    check_size("orders", json)?;
    // One pass that only checks the syntax, so the scanner below can trust the text. Without
    // the per-body limit: a whole preview is larger than one body.
    read_json_unbounded("orders", json, |r| r.skip())
        .map_err(|e| rewrap(e, PreviewError::Shape))?;
    let mut collector = Collector::default();
    if scan::first(json) == Some(b'[') {
        for (i, part) in scan::elements(json).into_iter().enumerate() {
            collector.part(&format!("[{i}]"), part)?;
        }
    } else {
        collector.part("", json)?;
    }
    collector.finish()
}

fn to_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The object `json` with its `camelCase` keys written in `snake_case` (`importOrders` →
/// `import_orders`); a key given both ways keeps the snake_case value. `null` = `{}`.
fn snake_object(json: &str, wrap: fn(String) -> PreviewError) -> Result<String, PreviewError> {
    // The syntax first, so the scanner below can trust the text.
    read("input", json, wrap, |r| r.skip())?;
    if is_null(json) {
        return Ok("{}".to_owned());
    }
    if scan::first(json) != Some(b'{') {
        return Err(wrap(format!("expected an object, found {}", kind_of(json))));
    }
    let members = scan::members(json);
    let mut out = String::with_capacity(json.len() + 16);
    let mut seen: Vec<String> = Vec::new();
    // snake_case keys first, so they win over the same key in camelCase.
    let (snake, camel): (Vec<_>, Vec<_>) =
        members.into_iter().partition(|(k, _)| to_snake(k) == *k);
    for (key, value) in snake.into_iter().chain(camel) {
        let key = to_snake(key);
        if seen.contains(&key) {
            continue;
        }
        out.push(if seen.is_empty() { '{' } else { ',' });
        out.push('"');
        out.push_str(&key);
        out.push_str("\":");
        out.push_str(value);
        seen.push(key);
    }
    out.push_str(if seen.is_empty() { "{}" } else { "}" });
    Ok(out)
}

/// Reads order settings: snake_case or camelCase keys, missing keys take the ASC defaults,
/// unknown keys are ignored. `null` = all defaults.
pub fn parse_settings(json: &str) -> Result<OrderSettings, PreviewError> {
    let object = snake_object(json, PreviewError::Settings)?;
    read(
        "settings",
        &object,
        PreviewError::Settings,
        OrderSettings::read,
    )
}

/// `validateSettings`: every problem of the settings at once, as field errors (`field` in
/// snake_case). A value of the wrong type is reported on its field too.
pub fn validate_settings_input(json: &str) -> Result<Vec<FieldError>, PreviewError> {
    let object = snake_object(json, PreviewError::Settings)?;
    match read_json("settings", &object, OrderSettings::read) {
        Ok(settings) => Ok(settings.validate()),
        Err(ParseError::Invalid { path, message, .. }) => Ok(vec![FieldError {
            field: path,
            message,
        }]),
        Err(other) => Err(PreviewError::Settings(other.to_string())),
    }
}

/// `integratedAt`: an ISO 8601 date-time, or Unix milliseconds as a whole number.
fn read_instant(r: &mut Reader<'_>) -> Read<DateTime<Utc>> {
    match r.peek()? {
        Peek::String => r.with_str(parse_time),
        Peek::Number => {
            let at = r.value_start()?;
            let millis = r.i64()?;
            DateTime::from_timestamp_millis(millis).ok_or_else(|| {
                Box::new(Fail {
                    at,
                    message: "Unix milliseconds out of range".into(),
                })
            })
        }
        other => r.wrong_type(other, "an ISO 8601 date-time or Unix milliseconds"),
    }
}

/// The store of a preview: `{name, integratedAt, marketplaceId, store?}` (keys in snake_case
/// by now, see [`snake_object`]).
struct StoreInput {
    store: Option<String>,
    name: Option<String>,
    marketplace_id: Option<String>,
    integrated_at: DateTime<Utc>,
}

impl StoreInput {
    fn read(r: &mut Reader<'_>) -> Read<StoreInput> {
        let (mut store, mut name, mut marketplace_id, mut integrated_at) = (None, None, None, None);
        read_object!(r, "a store", |r| {
            "store" => store = r.opt_string()?,
            "name" => name = r.opt_string()?,
            "marketplace_id" => marketplace_id = r.opt_string()?,
            "integrated_at" => integrated_at = Some(read_instant(r)?),
        });
        Ok(StoreInput {
            store,
            name,
            marketplace_id,
            integrated_at: r.required(integrated_at, "integrated_at")?,
        })
    }
}

/// Reads the store integration of a preview. `integratedAt` is required (orders purchased
/// before it are skipped): an ISO 8601 date-time, or Unix milliseconds as a number.
pub fn parse_store(json: &str) -> Result<StoreIntegration, PreviewError> {
    let object = snake_object(json, PreviewError::Store)?;
    let input = read("store", &object, PreviewError::Store, StoreInput::read)?;
    let store = input
        .store
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| PREVIEW_STORE.to_owned());
    Ok(StoreIntegration {
        name: input
            .name
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| store.clone()),
        store,
        marketplace_id: input.marketplace_id.unwrap_or_default(),
        integrated_at: input.integrated_at,
    })
}

/// Reads the catalog: an array of `{sku, name?, enabled, qty?}` (`qty` null or absent = stock
/// not managed). `null` = an empty catalog. A SKU listed twice keeps the last entry.
pub fn parse_catalog(json: &str) -> Result<CatalogFacts, PreviewError> {
    let products = read("catalog", json, PreviewError::Catalog, |r| {
        r.nullable(|r| r.array("a list of products", ProductFact::read))
    })?;
    Ok(products.unwrap_or_default().into_iter().collect())
}

/// Reads one order (an SP-API `Order` or a getOrder response) and its items (an `OrderItems`
/// array or a getOrderItems response; `null` = none).
pub fn parse_snapshot<'a>(
    order_json: &'a str,
    items_json: &'a str,
) -> Result<Snapshot<'a>, PreviewError> {
    let order = parse_order(order_json).map_err(|e| located("order", e))?;
    let items = if is_null(items_json) {
        Sent::none()
    } else {
        parse_order_items(items_json).map_err(|e| located("items", e))?
    };
    Ok(Snapshot { order, items })
}

/// The whole preview from JSON text: orders, catalog, settings, store.
pub fn preview_import_json(
    orders: &str,
    catalog: &str,
    settings: &str,
    store: &str,
) -> Result<Vec<PreviewEntry>, PreviewError> {
    let snapshots = parse_orders_input(orders)?;
    let catalog = parse_catalog(catalog)?;
    let settings = parse_settings(settings)?;
    let store = parse_store(store)?;
    Ok(preview_import(&snapshots, &catalog, &settings, &store))
}

/// `evaluateBlockers`: what keeps this order from being created, one blocker per SKU at most.
pub fn evaluate_blockers_json(
    order: &str,
    items: &str,
    catalog: &str,
) -> Result<Vec<Blocker>, PreviewError> {
    let snapshot = parse_snapshot(order, items)?;
    let catalog = parse_catalog(catalog)?;
    Ok(evaluate(&snapshot.items, &catalog, &[]))
}

/// `buildOrderDraft`: the Commerce order that would be created, totals included, handed to
/// `then` (it borrows the parsed input). `store` is optional (`null`): the preview store, in the
/// order's marketplace.
pub fn build_order_draft_json<R>(
    order: &str,
    items: &str,
    settings: &str,
    store: &str,
    then: impl FnOnce(&OrderDraft<'_>) -> R,
) -> Result<R, PreviewError> {
    let snapshot = parse_snapshot(order, items)?;
    let settings = parse_settings(settings)?;
    let store = if store.trim() == "null" {
        StoreIntegration {
            store: PREVIEW_STORE.to_owned(),
            name: PREVIEW_STORE.to_owned(),
            marketplace_id: snapshot
                .order
                .marketplace_id
                .as_deref()
                .unwrap_or_default()
                .to_owned(),
            integrated_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    } else {
        parse_store(store)?
    };
    let draft = build_draft(&snapshot.order, &snapshot.items, &settings, &store)?;
    Ok(then(&draft))
}

/// Reads a grid query (camelCase, missing keys take the defaults; `null` = the default query).
pub fn parse_query(json: &str) -> Result<OrderQuery, PreviewError> {
    let query = read("query", json, PreviewError::Query, |r| {
        r.nullable(OrderQuery::read)
    })?;
    Ok(query.unwrap_or_default())
}

/// Reads grid rows (camelCase `GridRow`s).
pub fn parse_rows(json: &str) -> Result<Vec<GridRow>, PreviewError> {
    read("rows", json, PreviewError::Rows, |r| {
        r.array("a list of grid rows", GridRow::read)
    })
}

/// `queryOrders`: the grid's filters, sort and paging over `rows`.
pub fn query_orders_json(rows: &str, query: &str) -> Result<OrderPage, PreviewError> {
    Ok(query_orders(parse_rows(rows)?, &parse_query(query)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::Money;
    use crate::blockers::BlockerKind;

    const STORE: &str = r#"{"name":"Acme US","integratedAt":"2026-01-01T00:00:00Z","marketplaceId":"ATVPDKIKX0DER"}"#;

    fn order(id: &str, status: &str, channel: &str, purchased: &str) -> String {
        format!(
            r#"{{"AmazonOrderId":"{id}","PurchaseDate":"{purchased}","LastUpdateDate":"{purchased}","OrderStatus":"{status}","FulfillmentChannel":"{channel}","MarketplaceId":"ATVPDKIKX0DER","OrderTotal":{{"CurrencyCode":"USD","Amount":"20.00"}}}}"#
        )
    }

    fn items(sku: &str, qty: u32) -> String {
        format!(
            r#"[{{"ASIN":"B000000001","SellerSKU":"{sku}","OrderItemId":"1","QuantityOrdered":{qty},"ItemPrice":{{"CurrencyCode":"USD","Amount":"20.00"}}}}]"#
        )
    }

    fn pair(id: &str, status: &str, channel: &str, sku: &str) -> String {
        format!(
            r#"{{"order":{},"items":{}}}"#,
            order(id, status, channel, "2026-02-01T10:00:00Z"),
            items(sku, 2)
        )
    }

    fn preview(orders: &str, catalog: &str, settings: &str) -> Vec<PreviewEntry> {
        preview_import_json(orders, catalog, settings, STORE).unwrap()
    }

    const CATALOG: &str = r#"[{"sku":"MUG","enabled":true,"qty":10},{"sku":"OFF","enabled":false,"qty":10},{"sku":"LOW","enabled":true,"qty":1}]"#;

    #[test]
    fn paid_merchant_order_with_salable_items_is_created_in_the_processing_status() {
        let entries = preview(
            &format!(
                "[{}]",
                pair("111-0000001-0000001", "Unshipped", "MFN", "MUG")
            ),
            CATALOG,
            r#"{"processingStatus":"amazon_new"}"#,
        );
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.decision, PreviewDecision::Create);
        assert_eq!(e.table_status, TableStatus::Unshipped);
        assert_eq!(e.commerce_status.as_deref(), Some("amazon_new"));
        assert!(e.blockers.is_empty());
    }

    #[test]
    fn each_blocker_kind_comes_with_its_resolution() {
        let orders = format!(
            "[{},{},{}]",
            pair("111-0000001-0000002", "Unshipped", "MFN", "NOPE"),
            pair("111-0000001-0000003", "Unshipped", "MFN", "OFF"),
            pair("111-0000001-0000004", "Unshipped", "MFN", "LOW"),
        );
        let entries = preview(&orders, CATALOG, "{}");
        let kinds: Vec<_> = entries.iter().map(|e| e.blockers[0].kind).collect();
        assert_eq!(
            kinds,
            [
                BlockerKind::NotInCatalog,
                BlockerKind::Disabled,
                BlockerKind::OutOfStock
            ]
        );
        for e in &entries {
            assert_eq!(e.decision, PreviewDecision::Blocked);
            assert_eq!(e.table_status, TableStatus::Error);
            assert_eq!(e.commerce_status, None);
            assert_eq!(e.blockers[0].resolution, e.blockers[0].kind.resolution());
        }
    }

    #[test]
    fn fba_orders_wait_until_amazon_ships_them_then_are_created_and_completed() {
        let orders = format!(
            "[{},{}]",
            pair("111-0000001-0000005", "Unshipped", "AFN", "MUG"),
            pair("111-0000001-0000006", "Shipped", "AFN", "MUG"),
        );
        let entries = preview(&orders, CATALOG, "{}");
        assert_eq!(entries[0].decision, PreviewDecision::Wait);
        assert_eq!(
            entries[0].reason,
            "FBA orders are created when Amazon ships them."
        );
        assert_eq!(entries[1].decision, PreviewDecision::Complete);
        assert_eq!(entries[1].table_status, TableStatus::Completed);
        assert_eq!(entries[1].commerce_status.as_deref(), Some("complete"));
    }

    #[test]
    fn import_disabled_makes_every_new_order_view_only() {
        let orders = format!(
            "[{}]",
            pair("111-0000001-0000007", "Unshipped", "MFN", "NOPE")
        );
        for settings in [r#"{"import_orders":false}"#, r#"{"importOrders":false}"#] {
            let e = &preview(&orders, CATALOG, settings)[0];
            assert_eq!(e.decision, PreviewDecision::ViewOnly, "{settings}");
            assert!(e.blockers.is_empty());
        }
    }

    #[test]
    fn orders_purchased_before_the_integration_are_skipped() {
        let orders = format!(
            r#"{{"order":{},"items":{}}}"#,
            order(
                "111-0000001-0000008",
                "Unshipped",
                "MFN",
                "2025-12-31T23:59:59Z"
            ),
            items("MUG", 1)
        );
        let e = &preview(&orders, CATALOG, "null")[0];
        assert_eq!(e.decision, PreviewDecision::Skip);
    }

    #[test]
    fn pending_and_canceled_orders_create_nothing() {
        let orders = format!(
            "[{},{}]",
            pair("111-0000001-0000009", "Pending", "MFN", "MUG"),
            pair("111-0000001-0000010", "Canceled", "MFN", "MUG"),
        );
        let entries = preview(&orders, CATALOG, "{}");
        assert_eq!(entries[0].decision, PreviewDecision::Wait);
        assert_eq!(entries[1].decision, PreviewDecision::Cancel);
        assert_eq!(entries[1].commerce_status, None);
    }

    #[test]
    fn get_orders_pages_and_get_order_items_responses_join_by_order_id() {
        let page = format!(
            r#"{{"payload":{{"Orders":[{},{}]}}}}"#,
            order(
                "111-0000001-0000011",
                "Unshipped",
                "MFN",
                "2026-02-01T00:00:00Z"
            ),
            order(
                "111-0000001-0000012",
                "Unshipped",
                "MFN",
                "2026-02-01T00:00:00Z"
            ),
        );
        let items_response = format!(
            r#"{{"payload":{{"AmazonOrderId":"111-0000001-0000012","OrderItems":{}}}}}"#,
            items("NOPE", 1)
        );
        let entries = preview(&format!("[{items_response},{page}]"), CATALOG, "{}");
        let ids: Vec<_> = entries.iter().map(|e| e.amazon_order_id.as_str()).collect();
        assert_eq!(ids, ["111-0000001-0000011", "111-0000001-0000012"]);
        assert_eq!(entries[0].decision, PreviewDecision::Create);
        assert_eq!(entries[1].decision, PreviewDecision::Blocked);
    }

    #[test]
    fn the_sandbox_samples_are_accepted() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/preview/samples"
        );
        let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
        let orders = format!(
            "[{},{},{}]",
            read("getOrders_200_TEST_CASE_200_NEXT_TOKEN_page1.response.json"),
            read("getOrders_200_TEST_CASE_200.response.json"),
            read("getOrderItems_200_TEST_CASE_200.response.json"),
        );
        let store = r#"{"name":"Sandbox","integratedAt":"1970-01-01T00:00:00Z"}"#;
        let entries = preview_import_json(&orders, "[]", "{}", store).unwrap();
        assert!(entries.len() >= 2);
        let sample = entries
            .iter()
            .find(|e| e.amazon_order_id == "902-1845936-5435065")
            .unwrap();
        assert_eq!(sample.decision, PreviewDecision::Blocked);
        assert_eq!(sample.blockers[0].sku, "NABetaASINB00551Q3CS");
    }

    #[test]
    fn malformed_orders_name_the_part_and_field() {
        let bad = r#"[{"payload":{"Orders":[{"AmazonOrderId":"nope","PurchaseDate":"2026-01-01T00:00:00Z","LastUpdateDate":"2026-01-01T00:00:00Z","OrderStatus":"Pending"}]}}]"#;
        let e = parse_orders_input(bad).unwrap_err();
        assert_eq!(e.code(), "invalid_orders");
        assert!(
            e.to_string()
                .contains("[0].payload.Orders[0].AmazonOrderId"),
            "{e}"
        );
        let e = parse_orders_input("42").unwrap_err();
        assert_eq!(e.code(), "invalid_orders");
        let e = parse_orders_input("{not json").unwrap_err();
        assert_eq!(e.code(), "invalid_orders");
    }

    #[test]
    fn the_scanner_skips_brackets_and_quotes_inside_strings() {
        let text = r#" [ {"a\"]}":"x,]","b":[1,{"c":"}"}]} , 2 ,"s\\", null ] "#;
        let parts = scan::elements(text);
        assert_eq!(parts.len(), 4, "{parts:?}");
        assert_eq!(parts[1], "2");
        assert_eq!(parts[2], r#""s\\""#);
        let members = scan::members(parts[0]);
        assert_eq!(members[0], (r#"a\"]}"#, r#""x,]""#));
        assert_eq!(members[1], ("b", r#"[1,{"c":"}"}]"#));
    }

    #[test]
    fn an_sp_api_error_body_is_reported_as_amazon_errors() {
        let body = r#"{"errors":[{"code":"InvalidInput","message":"Invalid Input"}]}"#;
        let e = parse_orders_input(body).unwrap_err();
        assert_eq!(e.code(), "amazon_errors");
        assert!(e.to_string().contains("InvalidInput"), "{e}");
    }

    #[test]
    fn items_of_an_order_not_given_are_an_error() {
        let items_response = format!(
            r#"{{"payload":{{"AmazonOrderId":"111-0000001-0000099","OrderItems":{}}}}}"#,
            items("MUG", 1)
        );
        let e = parse_orders_input(&items_response).unwrap_err();
        assert!(e.to_string().contains("111-0000001-0000099"), "{e}");
    }

    #[test]
    fn settings_accept_snake_and_camel_case_and_default_the_rest() {
        let s = parse_settings(r#"{"reservePending":true,"store_view":"de"}"#).unwrap();
        assert!(s.reserve_pending);
        assert_eq!(s.store_view, "de");
        assert!(s.import_orders);
        assert_eq!(parse_settings("null").unwrap(), OrderSettings::default());
        let e = parse_settings(r#"{"importOrders":"maybe"}"#).unwrap_err();
        assert_eq!(e.code(), "invalid_settings");
        assert!(e.to_string().contains("import_orders"), "{e}");
    }

    #[test]
    fn settings_validation_lists_field_errors() {
        let errors =
            validate_settings_input(r#"{"storeView":"","processingStatus":"x y"}"#).unwrap();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["store_view", "processing_status"]);
        let errors = validate_settings_input(r#"{"importOrders":3}"#).unwrap();
        assert_eq!(errors[0].field, "import_orders");
        assert!(validate_settings_input("{}").unwrap().is_empty());
    }

    #[test]
    fn the_store_needs_its_integration_time() {
        let s = parse_store(STORE).unwrap();
        assert_eq!(s.name, "Acme US");
        assert_eq!(s.store, PREVIEW_STORE);
        let s = parse_store(r#"{"integrated_at":1767225600000}"#).unwrap();
        assert_eq!(s.integrated_at.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(
            parse_store(r#"{"name":"x"}"#).unwrap_err().code(),
            "invalid_store"
        );
    }

    #[test]
    fn status_mapping_follows_the_creation_rule() {
        let m = map_status("Unshipped", Some("MFN"));
        assert!(m.creates_order);
        assert_eq!(m.commerce_status.as_deref(), Some("processing"));
        let m = map_status("Unshipped", Some("AFN"));
        assert!(!m.creates_order);
        assert_eq!(m.table_status, TableStatus::Unshipped);
        let m = map_status("Shipped", Some("AFN"));
        assert_eq!(m.commerce_status.as_deref(), Some("complete"));
        let m = map_status("AwaitingDrone", None);
        assert_eq!(m.table_status, TableStatus::Pending);
        assert!(!m.creates_order);
    }

    const FIXTURES: [&str; 4] = [
        include_str!("../tests/fixtures/preview/made-up-mixed.json"),
        include_str!("../tests/fixtures/preview/made-up-import-disabled.json"),
        include_str!("../tests/fixtures/preview/made-up-reserve-and-status.json"),
        include_str!("../tests/fixtures/preview/sandbox-samples-in-catalog.json"),
    ];

    /// An MFN order with everything a draft can show: company, several address lines, escapes,
    /// a promotion and an Amazon order number.
    const FULL_ORDER: &str = r#"{"AmazonOrderId":"111-0000009-0000009","PurchaseDate":"2026-03-01T10:00:00Z","LastUpdateDate":"2026-03-01T10:00:00Z","OrderStatus":"Unshipped","FulfillmentChannel":"MFN","MarketplaceId":"ATVPDKIKX0DER","OrderTotal":{"CurrencyCode":"USD","Amount":"41.10"},"BuyerInfo":{"BuyerName":"Zoë \"Q\" Müller","BuyerEmail":"z@marketplace.amazon.com","PurchaseOrderNumber":"PO\t7"},"ShippingAddress":{"Name":"Zoë Müller","CompanyName":"Ünïcode & Co","AddressLine1":"1 Main St","AddressLine2":"Suite \u00e9","City":"Seattle","StateOrRegion":"WA","PostalCode":"98101","CountryCode":"US","Phone":"+1 206"}}"#;
    const FULL_ITEMS: &str = r#"[{"ASIN":"B1","SellerSKU":"MUG","OrderItemId":"1","Title":"Mug \"red\"","QuantityOrdered":3,"ItemPrice":{"CurrencyCode":"USD","Amount":"30.00"},"ItemTax":{"CurrencyCode":"USD","Amount":"2.40"},"PromotionDiscount":{"CurrencyCode":"USD","Amount":"-1.50"},"ShippingPrice":{"CurrencyCode":"USD","Amount":"4.99"},"ShippingTax":{"CurrencyCode":"USD","Amount":"0.40"}},{"ASIN":"B2","SellerSKU":"TEE","OrderItemId":"2","Title":"Tee","QuantityOrdered":1,"ItemPrice":{"CurrencyCode":"USD","Amount":"4.81"}}]"#;

    fn grid_rows() -> Vec<GridRow> {
        (0..7)
            .map(|n| GridRow {
                amazon_order_id: format!("111-000000{n}-0000001"),
                purchase_date: 1_767_225_600_000 + n * 86_400_000 - 3 * 86_400_000,
                status: TableStatus::ALL[n as usize],
                buyer_name: if n == 2 {
                    "Zoë \"Q\"\n".into()
                } else {
                    format!("Buyer {n}")
                },
                grand_total: (n % 3 != 0).then(|| Money::new("EUR", n * 1_001 - 2_000)),
                notes: if n == 4 {
                    "Cannot create sales order: Product \"X\" does not exist".into()
                } else {
                    String::new()
                },
                fulfillment_channel: if n % 2 == 0 { "MFN" } else { "AFN" }.into(),
                commerce_order_id: (n % 2 == 0).then(|| format!("{}", 100 + n)),
                view_only: n == 5,
                seller_central_url: format!(
                    "https://sellercentral.amazon.com/orders-v3/order/111-000000{n}-0000001"
                ),
            })
            .collect()
    }

    /// The preview's results are written by hand (no serializer in the package): byte for byte
    /// what the serde derives of the same types write, which stay the reference.
    #[test]
    fn results_are_written_exactly_as_serde_writes_them() {
        fn same<T: ToJson + Serialize>(value: &T) {
            assert_eq!(value.to_json(), serde_json::to_string(value).unwrap());
        }
        for fixture in FIXTURES {
            let v: serde_json::Value = serde_json::from_str(fixture).unwrap();
            let part = |key: &str| v[key].to_string();
            let entries = preview_import_json(
                &part("orders"),
                &part("catalog"),
                &part("settings"),
                &part("store"),
            )
            .unwrap();
            assert!(!entries.is_empty());
            same(&entries);
            for pair in v["orders"].as_array().unwrap() {
                let (order, items) = (pair["order"].to_string(), pair["items"].to_string());
                same(&evaluate_blockers_json(&order, &items, &part("catalog")).unwrap());
                let _ =
                    build_order_draft_json(&order, &items, &part("settings"), "null", |d| same(d));
            }
        }
        for settings in [
            r#"{"orderNumberSource":"amazon","customerCreation":"account"}"#,
            "{}",
        ] {
            build_order_draft_json(FULL_ORDER, FULL_ITEMS, settings, STORE, |d| same(d)).unwrap();
        }
        for status in [
            "Pending",
            "Unshipped",
            "PartiallyShipped",
            "Shipped",
            "Canceled",
            "New",
        ] {
            for channel in [Some("MFN"), Some("AFN"), None] {
                same(&map_status(status, channel));
            }
        }
        same(&validate_settings_input(r#"{"storeView":"","processingStatus":"x \"y\""}"#).unwrap());
        same(&validate_settings_input(r#"{"importOrders":"\u0001"}"#).unwrap());
        let rows = grid_rows();
        same(&query_orders(rows.clone(), &OrderQuery::default()));
        same(&query_orders(Vec::new(), &OrderQuery::recent()));
    }

    /// The inputs are read by the crate's reader: what serde's derives read from the same text.
    #[test]
    fn inputs_are_read_as_serde_reads_them() {
        for settings in [
            r#"{"import_orders":false,"store_view":"de","customer_creation":"create_account","order_number_source":"amazon","reserve_pending":true,"processing_status":"amazon_new","unknown":[1,{"a":null}]}"#,
            r#"{"customer_creation":"guest","order_number_source":"commerce"}"#,
            "{}",
        ] {
            let expected: OrderSettings = serde_json::from_str(settings).unwrap();
            assert_eq!(parse_settings(settings).unwrap(), expected);
        }
        for fixture in FIXTURES {
            let v: serde_json::Value = serde_json::from_str(fixture).unwrap();
            let catalog = v["catalog"].to_string();
            let expected: Vec<ProductFact> = serde_json::from_str(&catalog).unwrap();
            assert_eq!(
                parse_catalog(&catalog).unwrap(),
                expected.into_iter().collect()
            );
        }
        assert_eq!(parse_catalog("null").unwrap(), CatalogFacts::new());
        for query in [
            r#"{"view":"all","purchaseFrom":1,"purchaseTo":null,"orderNumber":"111","buyerName":null,"totalMin":-5,"totalMax":900,"statuses":["Shipped","Error"],"sort":"grandTotal","descending":false,"page":3,"pageSize":50}"#,
            r#"{"view":"recent","sort":"buyerName"}"#,
            "{}",
        ] {
            let expected: OrderQuery = serde_json::from_str(query).unwrap();
            assert_eq!(parse_query(query).unwrap(), expected);
        }
        assert_eq!(parse_query("null").unwrap(), OrderQuery::default());
        let rows = grid_rows();
        let json = serde_json::to_string(&rows).unwrap();
        assert_eq!(parse_rows(&json).unwrap(), rows);
        // Absent optional members read as serde reads them: `None`.
        let sparse = r#"[{"amazonOrderId":"1","purchaseDate":0,"status":"Pending","buyerName":"","notes":"","fulfillmentChannel":"","viewOnly":false,"sellerCentralUrl":""}]"#;
        let expected: Vec<GridRow> = serde_json::from_str(sparse).unwrap();
        assert_eq!(parse_rows(sparse).unwrap(), expected);
        let store = parse_store(r#"{"store":"acme-us","name":"  ","integratedAt":1767225600000,"marketplace_id":"A1PA6795UKMFR9"}"#).unwrap();
        assert_eq!(store.store, "acme-us");
        assert_eq!(store.name, "acme-us");
        assert_eq!(store.marketplace_id, "A1PA6795UKMFR9");
        assert_eq!(store.integrated_at.timestamp_millis(), 1_767_225_600_000);
    }

    /// A preview may be larger than one SP-API body (10 MB), up to [`MAX_PREVIEW_BYTES`].
    #[test]
    fn a_preview_larger_than_one_amazon_body_is_accepted() {
        let padding = " ".repeat(crate::amazon::MAX_BODY_BYTES);
        let orders = format!(
            "[{padding}{}]",
            pair("111-0000001-0000001", "Unshipped", "MFN", "MUG")
        );
        assert_eq!(preview(&orders, CATALOG, "{}").len(), 1);
    }

    #[test]
    fn malformed_inputs_name_their_field() {
        let message = |e: PreviewError| format!("{} {e}", e.code());
        let cases = [
            (parse_catalog(r#"[{"sku":"A","enabled":true},{"sku":"B","enabled":"yes"}]"#).map(drop), "invalid_catalog catalog: [1].enabled: invalid type: a string, expected a boolean"),
            (parse_catalog(r#"[{"enabled":true}]"#).map(drop), "invalid_catalog catalog: [0]: missing field `sku`"),
            (parse_catalog(r#"{"sku":"A"}"#).map(drop), "invalid_catalog catalog: invalid type: an object, expected a list of products"),
            (parse_query(r#"{"page":-1}"#).map(drop), "invalid_query query: page: invalid value: -1, expected a quantity (u32)"),
            (parse_query(r#"{"statuses":["Lost"]}"#).map(drop), "invalid_query query: statuses[0]: unknown value \"Lost\""),
            (parse_query(r#"{"view":"weekly"}"#).map(drop), "invalid_query query: view: unknown variant `weekly`, expected `recent` or `all`"),
            (parse_query(r#"{"sort":"colour"}"#).map(drop), "invalid_query query: sort: unknown variant `colour`, expected one of `purchaseDate`, `orderNumber`, `status`, `buyerName`, `grandTotal`"),
            (parse_settings(r#"{"orderNumberSource":"ebay"}"#).map(drop), "invalid_settings settings: order_number_source: unknown variant `ebay`, expected `commerce` or `amazon`"),
            (parse_rows(r#"[{"amazonOrderId":"1"}]"#).map(drop), "invalid_rows rows: [0]: missing field `purchaseDate`"),
            (parse_store(r#"{"integratedAt":true}"#).map(drop), "invalid_store store: integrated_at: invalid type: a boolean, expected an ISO 8601 date-time or Unix milliseconds"),
            (parse_store(r#"{"integratedAt":1.5}"#).map(drop), "invalid_store store: integrated_at: invalid type: 1.5, expected an integer"),
            (parse_store(r#"{"integratedAt":"x"#).map(drop), "invalid_store store: integratedAt: EOF while parsing a string"),
            (parse_orders_input(r#"[{"order": {"A": ]"#).map(drop), "invalid_orders orders: [0].order.A: expected value"),
        ];
        for (result, expected) in cases {
            assert_eq!(result.map_err(message).unwrap_err(), expected);
        }
        let errors = validate_settings_input(r#"{"customerCreation":"robot"}"#).unwrap();
        assert_eq!(errors[0].field, "customer_creation");
        assert_eq!(
            errors[0].message,
            "unknown variant `robot`, expected `guest` or `account`"
        );
    }

    #[test]
    fn preview_entries_serialize_in_camel_case() {
        let entries = preview(
            &pair("111-0000001-0000013", "Unshipped", "MFN", "NOPE"),
            CATALOG,
            "{}",
        );
        let json = serde_json::to_string(&entries[0]).unwrap();
        for key in [
            "\"amazonOrderId\"",
            "\"decision\":\"blocked\"",
            "\"tableStatus\":\"Error\"",
            "\"commerceStatus\":null",
            "\"kind\":\"not_in_catalog\"",
            "\"resolution\"",
            "\"reason\"",
        ] {
            assert!(json.contains(key), "{key} in {json}");
        }
        let e: PreviewEntry = serde_json::from_str(&json).unwrap();
        assert_eq!(e, entries[0]);
        assert_eq!(PreviewDecision::ViewOnly.as_str(), "viewOnly");
    }
}
