//! Storage keys (documented in `wit/STORAGE.md`). Every key is versioned with `v1/`.

/// Purchase times are inverted so that ascending key order is newest first.
const INVERT_FROM: i64 = 9_999_999_999_999;

pub fn order(store: &str, id: &str) -> String {
    format!("v1/s/{store}/order/{id}")
}

pub fn order_prefix(store: &str) -> String {
    format!("v1/s/{store}/order/")
}

/// `"<LastUpdateDate ms> <OrderStatus>"` of the snapshot the row applied: lets the pull path
/// pass over unchanged orders without reading their rows.
pub fn applied(store: &str, id: &str) -> String {
    format!("v1/s/{store}/applied/{id}")
}

pub fn by_date(store: &str, purchase_millis: i64, id: &str) -> String {
    let inverted = INVERT_FROM - purchase_millis.clamp(0, INVERT_FROM);
    format!("v1/s/{store}/by-date/{inverted:013}/{id}")
}

pub fn by_date_prefix(store: &str) -> String {
    format!("v1/s/{store}/by-date/")
}

pub fn blocked(store: &str, id: &str) -> String {
    format!("v1/s/{store}/blocked/{id}")
}

pub fn blocked_prefix(store: &str) -> String {
    format!("v1/s/{store}/blocked/")
}

pub fn ship_queue(store: &str, id: &str, package_reference_id: &str) -> String {
    format!("v1/s/{store}/ship-queue/{id}/{package_reference_id:0>10}")
}

pub fn ship_queue_prefix(store: &str) -> String {
    format!("v1/s/{store}/ship-queue/")
}

pub fn count(store: &str) -> String {
    format!("v1/s/{store}/count")
}

pub fn poll(store: &str) -> String {
    format!("v1/s/{store}/poll")
}

pub fn lwa(store: &str) -> String {
    format!("v1/s/{store}/lwa")
}

pub fn bucket(store: &str, operation: &str) -> String {
    format!("v1/s/{store}/bucket/{operation}")
}

pub fn lease(store: &str) -> String {
    format!("v1/s/{store}/lease")
}

pub const BLOCKED_STORES_PREFIX: &str = "v1/g/blocked-stores/";
/// The admin system message as last sent through `commerce.set-admin-message`.
pub const SHOWN_MESSAGE: &str = "v1/g/admin-message";

pub fn blocked_store(store: &str) -> String {
    format!("{BLOCKED_STORES_PREFIX}{store}")
}

/// The last segment of a key (the order id of an index key).
pub fn last_segment(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_date_index_sorts_newest_first() {
        let older = by_date("s", 1_000, "111-0000000-0000001");
        let newer = by_date("s", 2_000, "111-0000000-0000002");
        assert!(newer < older);
    }
}
