//! The `Host` capability trait: everything the engine needs from the world. The component
//! implements it with WIT imports, tests and benchmarks in memory.

use crate::blockers::{CatalogFacts, SkuQty};
use crate::order_builder::OrderDraft;
use crate::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A request the engine sends. Its headers are lent, and so is their list: the access token
/// of every SP-API call (~400 bytes) is not copied into one, nor the list built on the heap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest<'a> {
    pub method: Method,
    pub url: String,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("the host refused to call {0}: not on its allow-list")]
    NotAllowed(String),
    #[error("network error: {0}")]
    Transport(String),
    #[error("the request timed out")]
    Timeout,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("storage refused a value of {0} bytes")]
    TooLarge(u32),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommerceError {
    /// Commerce refused; the message is shown to the admin.
    #[error("{0}")]
    Rejected(String),
    /// Temporary; retried on a later tick.
    #[error("Commerce is unavailable: {0}")]
    Unavailable(String),
}

/// One write of an atomic storage batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageOp<'a> {
    Put(String, String),
    /// Puts the parts joined: a value holding text the plugin has (an order's JSON as Amazon
    /// sent it) without copying it into one string first.
    PutParts(String, &'a [&'a str]),
    Delete(String),
}

/// A Commerce order as the host reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRef {
    pub id: String,
    pub increment_id: String,
}

/// Pairs per `storage_list` call of [`Host::storage_scan`].
pub const SCAN_PAGE: u32 = 500;

/// The paging of [`Host::storage_scan`]: each page `list` returns after the key given (the
/// first page after none) is visited pair by pair, dropped, and then `page_done` runs; a page
/// shorter than [`SCAN_PAGE`] is the last.
pub(crate) fn scan_pages<E: From<StorageError>>(
    mut list: impl FnMut(Option<&str>) -> Result<Vec<(String, String)>, StorageError>,
    mut page_done: impl FnMut(),
    mut visit: impl FnMut(&str, &str) -> Result<(), E>,
) -> Result<(), E> {
    let mut after: Option<String> = None;
    loop {
        let page = list(after.as_deref())?;
        for (key, value) in &page {
            visit(key, value)?;
        }
        let last = page.len() < SCAN_PAGE as usize;
        after = page.last().map(|(key, _)| key.clone());
        drop(page);
        page_done();
        if last {
            return Ok(());
        }
    }
}

/// What the engine needs from its host. Every call may fail; the engine orders its calls so
/// that a failure between any two of them is repaired by simply running again.
pub trait Host {
    fn http_send(&mut self, request: HttpRequest<'_>) -> Result<HttpResponse, HttpError>;

    fn storage_get(&mut self, key: &str) -> Result<Option<String>, StorageError>;
    /// Applies every op or none.
    fn storage_apply(&mut self, ops: Vec<StorageOp<'_>>) -> Result<(), StorageError>;
    /// Keys with `prefix`, ascending, strictly after `after`, at most `limit`.
    fn storage_list(
        &mut self,
        prefix: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StorageError>;
    fn storage_cas(
        &mut self,
        key: &str,
        expected: Option<&str>,
        new: Option<&str>,
    ) -> Result<bool, StorageError>;
    /// Every pair with `prefix`, ascending, handed to `visit` one at a time and only for the
    /// length of that call: the component reads them a page of [`SCAN_PAGE`] at a time into
    /// memory it reuses for the next page, so a scan of a whole table holds one page.
    fn storage_scan<E: From<StorageError>>(
        &mut self,
        prefix: &str,
        visit: impl FnMut(&str, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        scan_pages(
            |after| self.storage_list(prefix, after, SCAN_PAGE),
            || {},
            visit,
        )
    }

    fn settings(&mut self, store: &str) -> Vec<(String, String)>;

    /// Looks `sku` up in the catalog of `store` and adds the product to `facts` when found.
    /// Into `facts` rather than returned: the component then builds the fact where `facts`
    /// keeps it, where a returned one was moved four times (~130 fuel a product).
    fn find_product_into(
        &mut self,
        store: &str,
        sku: &str,
        facts: &mut CatalogFacts,
    ) -> Result<(), CommerceError>;
    /// Idempotent on (store, amazon order id): returns the existing order when there is one.
    fn create_order(&mut self, draft: &OrderDraft<'_>) -> Result<OrderRef, CommerceError>;
    fn complete_order(&mut self, store: &str, amazon_order_id: &str) -> Result<(), CommerceError>;
    fn cancel_order(&mut self, store: &str, amazon_order_id: &str) -> Result<(), CommerceError>;
    fn reserve(
        &mut self,
        store: &str,
        amazon_order_id: &str,
        items: &[SkuQty],
    ) -> Result<(), CommerceError>;
    fn release(&mut self, store: &str, amazon_order_id: &str) -> Result<(), CommerceError>;
    fn set_admin_message(&mut self, message: Option<&str>) -> Result<(), CommerceError>;
}
