//! Order creation blockers: what keeps an Amazon order from becoming a Commerce order, the
//! message the admin sees, and the fix the seed documents for it.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

use crate::amazon::keys::same_bytes;
use crate::amazon::read::{read_object, Read, Reader};
use crate::amazon::write::{key, Writer};
use crate::amazon::OrderItem;

/// What the Commerce catalog says about one SKU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFact {
    pub sku: String,
    #[serde(default)]
    pub name: String,
    pub enabled: bool,
    /// Salable quantity; `None` = stock not managed, which never blocks.
    #[serde(default)]
    pub qty: Option<i64>,
}

/// Catalog facts for the SKUs of one or more orders. A SKU that is absent here is not in the
/// catalog. (A list rather than a `BTreeMap`: an order needs a handful of SKUs, and the map's
/// code cost the component 2 KB.) Up to [`SCANNED`] facts are kept in the order they came and
/// found by comparing lengths and words, with no ordering compare (each a `memcmp` call);
/// more are sorted by SKU and found by binary search.
#[derive(Clone, Debug, Default)]
pub struct CatalogFacts(Vec<ProductFact>);

/// How many facts are found by a scan: an order's SKUs.
const SCANNED: usize = 8;

impl ProductFact {
    /// A catalog entry as admin code writes it: `{sku, name?, enabled, qty?}`.
    pub(crate) fn read(r: &mut Reader<'_>) -> Read<ProductFact> {
        let (mut sku, mut name, mut enabled, mut qty) = (None, String::new(), None, None);
        read_object!(r, "a product", |r| {
            "sku" => sku = Some(r.string()?),
            "name" => name = r.string()?,
            "enabled" => enabled = Some(r.bool()?),
            "qty" => qty = r.opt_i64()?,
        });
        Ok(ProductFact {
            sku: r.required(sku, "sku")?,
            name,
            enabled: r.required(enabled, "enabled")?,
            qty,
        })
    }
}

impl CatalogFacts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `count` facts: one allocation for an order's SKUs, not a growing list.
    pub(crate) fn with_capacity(count: usize) -> Self {
        CatalogFacts(Vec::with_capacity(count))
    }

    /// Adds `product`, replacing what was known of its SKU.
    pub fn insert(&mut self, product: ProductFact) {
        match self.position(&product.sku) {
            Ok(at) => self.0[at] = product,
            Err(at) => {
                self.0.insert(at, product);
                if self.0.len() == SCANNED + 1 {
                    self.0.sort_by(by_sku);
                }
            }
        }
    }

    /// Adds `product` for a caller that looks up distinct SKUs: while the facts are few, no
    /// scan for its SKU. A SKU given again, which only a tampered retry key could list, is then
    /// kept twice and found as either; the host answers the same for a SKU within a call.
    pub(crate) fn insert_new(&mut self, product: ProductFact) {
        if self.0.len() < SCANNED {
            self.0.push(product);
        } else {
            self.insert(product);
        }
    }

    pub fn get(&self, sku: &str) -> Option<&ProductFact> {
        self.position(sku).ok().map(|at| &self.0[at])
    }

    /// Where `sku` is, or where it goes: at the end of a scanned list, in order in a sorted one.
    fn position(&self, sku: &str) -> Result<usize, usize> {
        if self.0.len() <= SCANNED {
            return self
                .0
                .iter()
                .position(|p| same_bytes(p.sku.as_bytes(), sku.as_bytes()))
                .ok_or(self.0.len());
        }
        self.0.binary_search_by(|p| p.sku.as_str().cmp(sku))
    }
}

/// The order of a sorted catalog: one function for both sorts, one copy of the sort's code.
fn by_sku(a: &ProductFact, b: &ProductFact) -> core::cmp::Ordering {
    a.sku.cmp(&b.sku)
}

/// The same facts, in whatever order they are kept.
impl PartialEq for CatalogFacts {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|p| other.get(&p.sku) == Some(p))
    }
}

impl Eq for CatalogFacts {}

/// A whole catalog at once: sorted once rather than inserted one by one. Of a SKU listed more
/// than once, the last entry is kept.
impl FromIterator<ProductFact> for CatalogFacts {
    fn from_iter<I: IntoIterator<Item = ProductFact>>(iter: I) -> Self {
        let mut products: Vec<ProductFact> = iter.into_iter().collect();
        // Reversed, then sorted stably: the last entry of a SKU comes first and stays.
        products.reverse();
        products.sort_by(by_sku);
        products.dedup_by(|later, kept| later.sku == kept.sku);
        CatalogFacts(products)
    }
}

/// One quantity of one SKU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuQty {
    pub sku: String,
    pub qty: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockerKind {
    NotInCatalog,
    Disabled,
    OutOfStock,
}

impl BlockerKind {
    pub const ALL: [BlockerKind; 3] = [
        BlockerKind::NotInCatalog,
        BlockerKind::Disabled,
        BlockerKind::OutOfStock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BlockerKind::NotInCatalog => "not_in_catalog",
            BlockerKind::Disabled => "disabled",
            BlockerKind::OutOfStock => "out_of_stock",
        }
    }

    /// The seed's solution for this scenario.
    pub fn resolution(self) -> &'static str {
        match self {
            BlockerKind::NotInCatalog => {
                "Create the product in the Commerce catalog and manually match it to the Amazon listing."
            }
            BlockerKind::Disabled => "Make sure the product status is Enabled.",
            BlockerKind::OutOfStock => {
                "Update the product's quantity and source so the ordered quantity is salable."
            }
        }
    }
}

/// One reason an order cannot be created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    pub sku: String,
    pub kind: BlockerKind,
    pub message: String,
    pub resolution: String,
}

impl Blocker {
    pub fn new(sku: &str, kind: BlockerKind) -> Self {
        let problem = match kind {
            BlockerKind::NotInCatalog => "does not exist",
            BlockerKind::Disabled => "is disabled",
            BlockerKind::OutOfStock => "is out of stock",
        };
        Blocker {
            sku: sku.to_owned(),
            kind,
            message: format!("Cannot create sales order: Product \"{sku}\" {problem}"),
            resolution: kind.resolution().to_owned(),
        }
    }
}

impl Blocker {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("sku"), &self.sku);
            w.str_member(key!("kind"), self.kind.as_str());
            w.str_member(key!("message"), &self.message);
            w.str_member(key!("resolution"), &self.resolution);
        })
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Read<Blocker> {
        let (mut sku, mut kind, mut message, mut resolution) = (None, None, None, None);
        read_object!(r, "a blocker", |r| {
            "sku" => sku = Some(r.string()?),
            "kind" => kind = Some(r.one_of(&BlockerKind::ALL, BlockerKind::as_str)?),
            "message" => message = Some(r.string()?),
            "resolution" => resolution = Some(r.string()?),
        });
        Ok(Blocker {
            sku: r.required(sku, "sku")?,
            kind: r.required(kind, "kind")?,
            message: r.required(message, "message")?,
            resolution: r.required(resolution, "resolution")?,
        })
    }
}

/// Ordered quantity per SKU (an order may list one SKU on several lines), in the order of each
/// SKU's first ordered line, borrowed from the items: the catalog look-ups and the blocker
/// checks of every order need it, and owned SKUs were three allocations more per order.
pub fn sku_totals<'a>(items: &'a [OrderItem<'_>]) -> Vec<(&'a str, u32)> {
    let mut totals: Vec<(&str, u32)> = Vec::with_capacity(items.len());
    for item in items.iter().filter(|i| i.quantity_ordered > 0) {
        let sku = item.sku();
        match totals
            .iter_mut()
            .find(|(seen, _)| same_bytes(seen.as_bytes(), sku.as_bytes()))
        {
            Some((_, qty)) => *qty = qty.saturating_add(item.quantity_ordered),
            None => totals.push((sku, item.quantity_ordered)),
        }
    }
    totals
}

/// [`sku_totals`] as owned records, for a reservation that outlives the items.
pub fn quantities_by_sku(items: &[OrderItem]) -> Vec<SkuQty> {
    sku_totals(items)
        .into_iter()
        .map(|(sku, qty)| SkuQty {
            sku: sku.to_owned(),
            qty,
        })
        .collect()
}

/// The blockers of an order, one per SKU at most, in item order. `held` is quantity this same
/// order already holds in reserve: it counts as available to the order.
pub fn evaluate(items: &[OrderItem], catalog: &CatalogFacts, held: &[SkuQty]) -> Vec<Blocker> {
    evaluate_totals(&sku_totals(items), catalog, held)
}

/// [`evaluate`] of the items whose [`sku_totals`] are `totals` (which the caller has: the
/// totals are ~600 fuel an order to work out).
pub(crate) fn evaluate_totals(
    totals: &[(&str, u32)],
    catalog: &CatalogFacts,
    held: &[SkuQty],
) -> Vec<Blocker> {
    // A loop rather than `filter_map` and `collect`: the generic collect cost the component
    // more bytes and fuel (measured).
    let mut blockers = Vec::new();
    for &(sku, wanted) in totals {
        let kind = match catalog.get(sku) {
            None => BlockerKind::NotInCatalog,
            Some(p) if !p.enabled => BlockerKind::Disabled,
            Some(ProductFact { qty: Some(qty), .. }) => {
                let own = held
                    .iter()
                    .filter(|h| h.sku == sku)
                    .map(|h| i64::from(h.qty))
                    .sum::<i64>();
                if qty.saturating_add(own) >= i64::from(wanted) {
                    continue;
                }
                BlockerKind::OutOfStock
            }
            Some(_) => continue,
        };
        blockers.push(Blocker::new(sku, kind));
    }
    blockers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(sku: &str, qty: i64) -> ProductFact {
        ProductFact {
            sku: sku.into(),
            name: String::new(),
            enabled: true,
            qty: Some(qty),
        }
    }

    /// Distinct SKUs added without a scan are found as when each insert looks first, below,
    /// at and past the scanned few.
    #[test]
    fn facts_of_distinct_skus_are_kept_as_inserted_ones() {
        for count in [0, 1, SCANNED - 1, SCANNED, SCANNED + 1, 3 * SCANNED] {
            let (mut inserted, mut new) = (CatalogFacts::new(), CatalogFacts::new());
            for n in (0..count).rev() {
                inserted.insert(product(&format!("SKU-{n:02}"), n as i64));
                new.insert_new(product(&format!("SKU-{n:02}"), n as i64));
            }
            assert_eq!(new, inserted, "{count}");
            for n in 0..count {
                let sku = format!("SKU-{n:02}");
                assert_eq!(new.get(&sku), Some(&product(&sku, n as i64)), "{count}");
            }
            assert_eq!(new.get("SKU-99"), None);
        }
    }

    #[test]
    fn quantities_add_up_per_sku_in_the_order_of_each_skus_first_ordered_line() {
        let line = |id: u32, sku: Option<&str>, qty: u32| {
            let sku = sku.map_or(String::new(), |s| format!(r#""SellerSKU":"{s}","#));
            format!(r#"{{"ASIN":"B0X{id}","OrderItemId":"{id}",{sku}"QuantityOrdered":{qty}}}"#)
        };
        let lines = [
            line(1, Some("A"), 2),
            line(2, Some("B"), 0),
            line(3, Some("A"), 3),
            line(4, None, 1),
            line(5, Some("B"), 4),
            line(6, Some("C"), 0),
            line(7, Some(""), 2),
            line(8, Some("B"), 100_000),
        ];
        let json = format!("[{}]", lines.join(","));
        let items = crate::amazon::parse_order_items(&json).unwrap();
        let totals = sku_totals(&items);
        // An empty SellerSKU falls back to the ASIN; unordered lines (`C`, and `B`'s first)
        // count for nothing.
        assert_eq!(totals, [("A", 5), ("B0X4", 1), ("B", 100_004), ("B0X7", 2)]);
        let owned: Vec<(String, u32)> = quantities_by_sku(&items)
            .into_iter()
            .map(|q| (q.sku, q.qty))
            .collect();
        let borrowed: Vec<(String, u32)> =
            totals.iter().map(|(s, q)| (s.to_string(), *q)).collect();
        assert_eq!(owned, borrowed);
        assert_eq!(sku_totals(&[]), []);
    }

    /// Small catalogs (scanned, in the order the facts came) and large ones (sorted) insert,
    /// replace and find SKUs as a map does.
    #[test]
    fn a_catalog_finds_and_replaces_skus_as_a_map_does() {
        let skus: Vec<String> = (0..40)
            .map(|i| match i % 4 {
                0 => format!("SKU-{i:05}"),
                1 => format!("B{i}"),
                2 => format!("sku-{i}-a-much-longer-seller-sku-{i}"),
                _ => "x".repeat(i % 9),
            })
            .collect();
        let mut catalog = CatalogFacts::new();
        let mut model = alloc::collections::BTreeMap::new();
        for (n, sku) in skus.iter().chain(skus.iter().step_by(3)).enumerate() {
            catalog.insert(product(sku, n as i64));
            model.insert(sku.clone(), n as i64);
            let mut listed: Vec<(&str, Option<i64>)> =
                catalog.0.iter().map(|p| (p.sku.as_str(), p.qty)).collect();
            if listed.len() > SCANNED {
                assert!(
                    listed.is_sorted_by(|a, b| a.0 < b.0),
                    "a large catalog is sorted"
                );
            }
            listed.sort_unstable();
            let expected: Vec<(&str, Option<i64>)> =
                model.iter().map(|(k, v)| (k.as_str(), Some(*v))).collect();
            assert_eq!(listed, expected);
            for other in &skus {
                assert_eq!(
                    catalog.get(other).and_then(|p| p.qty),
                    model.get(other).copied(),
                    "{other}"
                );
            }
        }
    }

    #[test]
    fn a_sku_listed_twice_in_a_catalog_keeps_the_last_entry() {
        let listed = ["B", "A", "C", "A", "B", "A"];
        let facts: CatalogFacts = (0..).zip(listed).map(|(n, sku)| product(sku, n)).collect();
        assert_eq!(facts.get("A").and_then(|p| p.qty), Some(5));
        assert_eq!(facts.get("B").and_then(|p| p.qty), Some(4));
        assert_eq!(facts.get("C").and_then(|p| p.qty), Some(2));
        assert_eq!(facts.get("D"), None);

        let mut inserted = CatalogFacts::new();
        for (n, sku) in (0..).zip(listed) {
            inserted.insert(product(sku, n));
        }
        assert_eq!(inserted, facts, "insert and collect agree");
    }
}
