//! Storage keys (documented in `wit/STORAGE.md`). Every key is versioned with `v1/`.

use crate::amazon::slice;
use crate::amazon::write::Writer;
use crate::prelude::*;
use crate::text::concat;

/// Purchase times are inverted so that ascending key order is newest first.
const INVERT_FROM: i64 = 9_999_999_999_999;

/// `v1/s/<store>` followed by `rest` (which starts with its `/`). Concatenated rather than
/// `format!`ted: keys are built several times per order, and a `format!` costs the component
/// ~1 500 wasm operators (as does pushing a `char`, which encodes it as UTF-8 first). Not
/// [`concat`] over a slice with the prefix in front: that slice, built at each of the sixteen
/// callers, cost more bytes and fuel than this second loop.
fn store_key(store: &str, rest: &[&str]) -> String {
    let mut key = store_key_writer(store, rest.iter().map(|part| part.len()).sum());
    for part in rest {
        key.raw_inlined(part);
    }
    key.finish()
}

/// A writer holding `v1/s/<store>`, with room for `rest` bytes more. Inlined: out of line, the
/// writer it returns through memory cost ~90 fuel a push.
#[inline(always)]
fn store_key_writer(store: &str, rest: usize) -> Writer {
    let mut key = Writer::with_capacity("v1/s/".len() + store.len() + rest);
    key.raw_inlined("v1/s/");
    key.raw_inlined(store);
    key
}

// Out of line: built by five callers.
#[inline(never)]
pub fn order(store: &str, id: &str) -> String {
    store_key(store, &["/order/", id])
}

pub fn order_prefix(store: &str) -> String {
    store_key(store, &["/order/"])
}

/// The purchase-date index's key of an order. Its value is the row's applied marker (see
/// `wit/STORAGE.md`), which lets the pull path pass over unchanged orders without reading
/// their rows.
pub fn by_date(store: &str, purchase_millis: i64, id: &str) -> String {
    const DIGITS: usize = 13;
    let inverted = (INVERT_FROM - purchase_millis.clamp(0, INVERT_FROM)).unsigned_abs();
    let mut key = store_key_writer(store, "/by-date/".len() + DIGITS + 1 + id.len());
    key.raw("/by-date/");
    // Thirteen digits, zero-padded (INVERT_FROM has thirteen): padding only for purchases
    // after the year 2255. The writer's own digits, not a `str` made from a buffer first.
    let mut width = 10u64.pow(DIGITS as u32 - 1);
    while inverted < width && width > 1 {
        key.raw("0");
        width /= 10;
    }
    key.number(inverted);
    key.raw("/");
    key.raw(id);
    key.finish()
}

pub fn by_date_prefix(store: &str) -> String {
    store_key(store, &["/by-date/"])
}

pub fn blocked(store: &str, id: &str) -> String {
    store_key(store, &["/blocked/", id])
}

pub fn blocked_prefix(store: &str) -> String {
    store_key(store, &["/blocked/"])
}

/// Where the next tick's retries of blocked orders begin: after this index key.
pub fn retry_cursor(store: &str) -> String {
    store_key(store, &["/retry-cursor"])
}

/// The package reference left-padded with `0` to ten characters, so a store's queue lists in
/// shipment order.
pub fn ship_queue(store: &str, id: &str, package_reference_id: &str) -> String {
    const ZEROS: &str = "0000000000";
    // Its characters are its bytes that do not continue one: std's vectorised
    // `chars().count()` cost the component 161 bytes more for this one short id.
    let characters = package_reference_id
        .bytes()
        .filter(|b| b & 0xC0 != 0x80)
        .count();
    let padding = slice(ZEROS, characters.min(10)..ZEROS.len());
    store_key(
        store,
        &["/ship-queue/", id, "/", padding, package_reference_id],
    )
}

pub fn ship_queue_prefix(store: &str) -> String {
    store_key(store, &["/ship-queue/"])
}

pub fn count(store: &str) -> String {
    store_key(store, &["/count"])
}

pub fn poll(store: &str) -> String {
    store_key(store, &["/poll"])
}

/// The unprocessed rest of the getOrders page a throttled tick stopped in.
pub fn page(store: &str) -> String {
    store_key(store, &["/page"])
}

pub fn lwa(store: &str) -> String {
    store_key(store, &["/lwa"])
}

pub fn bucket(store: &str, operation: &str) -> String {
    store_key(store, &["/bucket/", operation])
}

pub fn lease(store: &str) -> String {
    store_key(store, &["/lease"])
}

pub const BLOCKED_STORES_PREFIX: &str = "v1/g/blocked-stores/";
/// The admin system message as last sent through `commerce.set-admin-message`.
pub const SHOWN_MESSAGE: &str = "v1/g/admin-message";

pub fn blocked_store(store: &str) -> String {
    concat(&[BLOCKED_STORES_PREFIX, store])
}

/// The last segment of a key (the order id of an index key).
pub fn last_segment(key: &str) -> &str {
    match key.as_bytes().iter().rposition(|&b| b == b'/') {
        Some(slash) => slice(key, slash + 1..key.len()),
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_segment_is_what_follows_the_last_slash() {
        for key in [
            "v1/s/acme/blocked/902-1845936-5435065",
            "no-slash",
            "ends/",
            "/",
            "",
            "é/ü",
        ] {
            assert_eq!(last_segment(key), key.rsplit('/').next().unwrap(), "{key}");
        }
    }

    /// The layout is what storage already holds (`wit/STORAGE.md`): the keys the `format!`s
    /// of earlier versions wrote.
    #[test]
    fn keys_keep_their_stored_layout() {
        let (s, id) = ("acme-us", "111-0000000-0000001");
        assert_eq!(order(s, id), format!("v1/s/{s}/order/{id}"));
        assert_eq!(order_prefix(s), format!("v1/s/{s}/order/"));
        assert_eq!(by_date_prefix(s), format!("v1/s/{s}/by-date/"));
        assert_eq!(blocked_prefix(s), format!("v1/s/{s}/blocked/"));
        assert_eq!(ship_queue_prefix(s), format!("v1/s/{s}/ship-queue/"));
        // Built to their exact length, whatever the characters.
        let key = order("magasin-é", "ü");
        assert_eq!(key, "v1/s/magasin-é/order/ü");
        assert_eq!(key.capacity(), key.len());
        // Zero-padded to thirteen digits whatever the inverted time's own count of digits.
        let inverted = [1, 9, 10, 999_999_999_999, 1_000_000_000_000];
        let padded = inverted.map(|n| INVERT_FROM - n);
        for millis in [i64::MIN, -1, 0, 1_795_000_000_000, INVERT_FROM, i64::MAX]
            .into_iter()
            .chain(padded)
        {
            let inverted = INVERT_FROM - millis.clamp(0, INVERT_FROM);
            assert_eq!(
                by_date(s, millis, id),
                format!("v1/s/{s}/by-date/{inverted:013}/{id}")
            );
        }
        assert_eq!(blocked(s, id), format!("v1/s/{s}/blocked/{id}"));
        for reference in ["1", "1234567890", "12345678901", "é7", ""] {
            assert_eq!(
                ship_queue(s, id, reference),
                format!("v1/s/{s}/ship-queue/{id}/{reference:0>10}")
            );
        }
        assert_eq!(count(s), format!("v1/s/{s}/count"));
        assert_eq!(poll(s), format!("v1/s/{s}/poll"));
        assert_eq!(lwa(s), format!("v1/s/{s}/lwa"));
        assert_eq!(page(s), format!("v1/s/{s}/page"));
        assert_eq!(
            bucket(s, "get-orders"),
            format!("v1/s/{s}/bucket/get-orders")
        );
        assert_eq!(lease(s), format!("v1/s/{s}/lease"));
        assert_eq!(blocked_store(s), format!("v1/g/blocked-stores/{s}"));
    }

    #[test]
    fn purchase_date_index_sorts_newest_first() {
        let older = by_date("s", 1_000, "111-0000000-0000001");
        let newer = by_date("s", 2_000, "111-0000000-0000002");
        assert!(newer < older);
    }
}
