//! A blocked order's retry key, the value of `v1/s/<store>/blocked/<id>` (`wit/STORAGE.md`).
//!
//! Every tick retries the blocked orders, as their products may have been fixed since. Reading
//! one again and deciding it cost ≈ 72 000 fuel (BENCHMARKS.md), on every tick, mostly to find
//! that nothing had changed. A blocked decision depends only on the stored row, the store's
//! settings and the catalog facts of the order's SKUs. Every write of the row writes its key
//! anew (a write outside a decision, an empty one), so while the settings and those facts
//! digest as they did, the decision stays the same and the tick passes the order over without
//! reading it. The plugin never deletes a row: one deleted from outside leaves an entry that is
//! passed over as blocked while its key matches, and dropped once the key no longer does, or
//! when the order's row is written again (unless its purchase-date entry was deleted too).

use crate::prelude::*;

use crate::amazon::write::Writer;
use crate::blockers::CatalogFacts;
use crate::settings::StoreConfig;
use crate::text::split_once;

/// The digest of what a blocked decision read besides the row, then each SKU whose catalog
/// facts it read, in the order it read them, each on a line of its own. Compared as a whole
/// with the key made again, so a SKU holding a line break only costs its order a full retry.
pub(super) fn retry_key(
    config: &StoreConfig,
    skus: &[(&str, u32)],
    catalog: &CatalogFacts,
) -> String {
    let mut w = Writer::with_capacity(64);
    w.number(digest(config, skus, catalog));
    for (sku, _) in skus {
        w.raw("\n");
        w.raw(sku);
    }
    w.finish()
}

/// The SKUs a retry key lists; `None` for a value that is not one (an order in Error for
/// another reason, whose retry may succeed with nothing changed, or one written before keys
/// were).
pub(super) fn skus_of(key: &str) -> Option<Vec<(&str, u32)>> {
    let (_digest, mut rest) = split_once(key, [b'\n'; 2])?;
    let mut skus = Vec::new();
    while let Some((sku, more)) = split_once(rest, [b'\n'; 2]) {
        skus.push((sku, 0));
        rest = more;
    }
    skus.push((rest, 0));
    Some(skus)
}

/// Bumped whenever what a blocked decision reads, or the row it writes, changes: the keys of
/// orders blocked under the rules before no longer match, and each is decided again.
const RULES: u8 = 1;

/// FNV-1a (64 bits) of the rules' version, of the settings a blocked decision reads (`decide`
/// and `next_row`: the integration time and *Import Amazon Orders*; those of the order's
/// creation only count once it is no longer blocked, when the facts have changed) and, SKU by
/// SKU, whether the catalog has it, enabled, and how many it has for sale (`evaluate`: not its
/// name). The store is the index's own, and the SKUs are in the key as text.
fn digest(config: &StoreConfig, skus: &[(&str, u32)], catalog: &CatalogFacts) -> u64 {
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    hash.bytes(&[RULES, u8::from(config.orders.import_orders)]);
    hash.bytes(
        &config
            .integration
            .integrated_at
            .timestamp_millis()
            .to_le_bytes(),
    );
    for (sku, _) in skus {
        match catalog.get(sku) {
            None => hash.bytes(&[0]),
            Some(product) => {
                let (managed, qty) = product.qty.map_or((0, 0), |qty| (1, qty));
                hash.bytes(&[1, u8::from(product.enabled), managed]);
                hash.bytes(&qty.to_le_bytes());
            }
        }
    }
    hash.0
}

struct Fnv(u64);

impl Fnv {
    /// Out of line: one copy of the loop for every field hashed.
    #[inline(never)]
    fn bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blockers::ProductFact;
    use crate::settings::StoreConfig;

    fn config(pairs: &[(&str, &str)]) -> StoreConfig {
        let mut all = vec![
            ("marketplace_id".to_owned(), "ATVPDKIKX0DER".to_owned()),
            (
                "integrated_at".to_owned(),
                "2026-01-01T00:00:00Z".to_owned(),
            ),
        ];
        all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        StoreConfig::from_pairs("acme-us", &all).unwrap()
    }

    fn catalog(products: &[(&str, bool, Option<i64>)]) -> CatalogFacts {
        let mut facts = CatalogFacts::new();
        for (sku, enabled, qty) in products {
            facts.insert(ProductFact {
                sku: sku.to_string(),
                name: format!("{sku} name"),
                enabled: *enabled,
                qty: *qty,
            });
        }
        facts
    }

    #[test]
    fn a_retry_key_lists_its_skus_in_order() {
        let skus = [("SKU-2", 1), ("SKU \"1\"", 0), ("ünï", 0), ("", 0)];
        let key = retry_key(&config(&[]), &skus, &CatalogFacts::new());
        let listed: Vec<&str> = skus_of(&key).unwrap().iter().map(|&(sku, _)| sku).collect();
        assert_eq!(listed, ["SKU-2", "SKU \"1\"", "ünï", ""]);
        assert!(key.starts_with(&digest(&config(&[]), &skus, &CatalogFacts::new()).to_string()));
        for not_a_key in ["", "12"] {
            assert_eq!(skus_of(not_a_key), None, "{not_a_key}");
        }
    }

    /// Anything a blocked decision reads besides the row changes the digest; the quantities of
    /// the SKU totals and the products' names do not count.
    #[test]
    fn the_digest_changes_with_every_setting_and_catalog_fact_a_decision_reads() {
        let skus = [("A", 1), ("B", 2)];
        let facts = catalog(&[("A", true, Some(0)), ("B", false, None)]);
        let base = digest(&config(&[]), &skus, &facts);
        assert_eq!(base, digest(&config(&[]), &[("A", 5), ("B", 0)], &facts));
        let others = [
            digest(&config(&[("import_orders", "false")]), &skus, &facts),
            digest(
                &config(&[("integrated_at", "2026-01-02T00:00:00Z")]),
                &skus,
                &facts,
            ),
            digest(&config(&[]), &[("B", 2), ("A", 1)], &facts),
            digest(&config(&[]), &[("A", 1)], &facts),
            digest(&config(&[]), &skus, &catalog(&[("A", true, Some(0))])),
            digest(
                &config(&[]),
                &skus,
                &catalog(&[("A", true, Some(1)), ("B", false, None)]),
            ),
            digest(
                &config(&[]),
                &skus,
                &catalog(&[("A", true, None), ("B", false, None)]),
            ),
            digest(
                &config(&[]),
                &skus,
                &catalog(&[("A", true, Some(0)), ("B", true, None)]),
            ),
        ];
        for (n, other) in others.iter().enumerate() {
            assert_ne!(*other, base, "change {n}");
        }
        let mut renamed = facts.clone();
        renamed.insert(ProductFact {
            sku: "A".into(),
            name: "another name".into(),
            enabled: true,
            qty: Some(0),
        });
        assert_eq!(
            digest(&config(&[]), &skus, &renamed),
            base,
            "names do not count"
        );
    }
}
