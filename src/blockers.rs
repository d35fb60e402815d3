//! Order creation blockers: what keeps an Amazon order from becoming a Commerce order, the
//! message the admin sees, and the fix the seed documents for it.

use crate::prelude::*;
use alloc::collections::BTreeMap;
use serde::{Deserialize, Serialize};

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
/// catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogFacts(BTreeMap<String, ProductFact>);

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

    pub fn insert(&mut self, product: ProductFact) {
        self.0.insert(product.sku.clone(), product);
    }

    pub fn get(&self, sku: &str) -> Option<&ProductFact> {
        self.0.get(sku)
    }
}

impl FromIterator<ProductFact> for CatalogFacts {
    fn from_iter<I: IntoIterator<Item = ProductFact>>(iter: I) -> Self {
        let mut facts = CatalogFacts::new();
        for product in iter {
            facts.insert(product);
        }
        facts
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

/// Ordered quantity per SKU (an order may list one SKU on several lines).
pub fn quantities_by_sku(items: &[OrderItem]) -> Vec<SkuQty> {
    let mut totals: Vec<SkuQty> = Vec::new();
    for item in items.iter().filter(|i| i.quantity_ordered > 0) {
        match totals.iter_mut().find(|t| t.sku == item.sku()) {
            Some(total) => total.qty = total.qty.saturating_add(item.quantity_ordered),
            None => totals.push(SkuQty {
                sku: item.sku().to_owned(),
                qty: item.quantity_ordered,
            }),
        }
    }
    totals
}

/// The blockers of an order, one per SKU at most, in item order. `held` is quantity this same
/// order already holds in reserve: it counts as available to the order.
pub fn evaluate(items: &[OrderItem], catalog: &CatalogFacts, held: &[SkuQty]) -> Vec<Blocker> {
    quantities_by_sku(items)
        .into_iter()
        .filter_map(|wanted| {
            let kind = match catalog.get(&wanted.sku) {
                None => BlockerKind::NotInCatalog,
                Some(p) if !p.enabled => BlockerKind::Disabled,
                Some(ProductFact { qty: Some(qty), .. }) => {
                    let own = held
                        .iter()
                        .filter(|h| h.sku == wanted.sku)
                        .map(|h| i64::from(h.qty))
                        .sum::<i64>();
                    if qty.saturating_add(own) < i64::from(wanted.qty) {
                        BlockerKind::OutOfStock
                    } else {
                        return None;
                    }
                }
                Some(_) => return None,
            };
            Some(Blocker::new(&wanted.sku, kind))
        })
        .collect()
}
