//! Amazon order → Commerce order draft: customer, addresses (with placeholders where Amazon
//! sends nothing, as for FBA orders), lines at Amazon's prices, discounts, taxes and totals.

use crate::prelude::*;
use crate::text::split_once;
use alloc::borrow::Cow;
use serde::{Deserialize, Serialize};

use crate::amazon::money::div_round;
use crate::amazon::write::{key, Key, Writer};
use crate::amazon::{non_empty, owned, Address as AmazonAddress, Money, Order, OrderItem};
use crate::marketplace::Marketplace;
use crate::settings::{CustomerCreation, OrderNumberSource, OrderSettings, StoreIntegration};

/// Placeholders for what Amazon does not send (FBA orders carry no name, street or phone).
pub const PLACEHOLDER_FIRSTNAME: &str = "Amazon";
pub const PLACEHOLDER_LASTNAME: &str = "Customer";
pub const PLACEHOLDER_STREET: &str = "Address not provided by Amazon";
pub const PLACEHOLDER_CITY: &str = "Not provided";
pub const PLACEHOLDER_POSTCODE: &str = "00000";
pub const PLACEHOLDER_PHONE: &str = "000-000-0000";
pub const PAYMENT_METHOD: &str = "amazonpayment";
pub const SHIPPING_METHOD: &str = "amazonshipping_amazonshipping";

// The draft borrows what it repeats from the Amazon order, the settings and the store (it
// lives only as long as the call that creates the Commerce order): no string is copied to build
// it, ~10 000 fuel per 3-item order. `OrderDraft::into_owned` makes a copy that outlives them.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftAddress<'a> {
    pub firstname: Cow<'a, str>,
    pub lastname: Cow<'a, str>,
    pub company: Option<Cow<'a, str>>,
    pub street: Vec<Cow<'a, str>>,
    pub city: Cow<'a, str>,
    pub region: Cow<'a, str>,
    pub postcode: Cow<'a, str>,
    pub country_code: Cow<'a, str>,
    pub telephone: Cow<'a, str>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftCustomer<'a> {
    pub kind: CustomerCreation,
    pub email: Cow<'a, str>,
    pub firstname: Cow<'a, str>,
    pub lastname: Cow<'a, str>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftLine<'a> {
    pub sku: Cow<'a, str>,
    pub order_item_id: Cow<'a, str>,
    pub title: Cow<'a, str>,
    pub qty: u32,
    pub unit_price: Money,
    pub row_total: Money,
    pub discount: Money,
    pub tax: Money,
}

/// The Commerce order to create for one Amazon order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDraft<'a> {
    pub store: Cow<'a, str>,
    pub amazon_order_id: Cow<'a, str>,
    pub increment_id: Option<Cow<'a, str>>,
    pub store_view: Cow<'a, str>,
    pub customer: DraftCustomer<'a>,
    pub billing_address: DraftAddress<'a>,
    pub shipping_address: DraftAddress<'a>,
    pub lines: Vec<DraftLine<'a>>,
    pub shipping_method: Cow<'a, str>,
    pub shipping_amount: Money,
    pub shipping_tax: Money,
    pub subtotal: Money,
    pub discount_total: Money,
    pub tax_total: Money,
    pub grand_total: Money,
    pub status: Cow<'a, str>,
    pub payment_method: Cow<'a, str>,
    pub po_number: Cow<'a, str>,
}

impl DraftAddress<'_> {
    fn into_owned(self) -> DraftAddress<'static> {
        DraftAddress {
            firstname: owned(self.firstname),
            lastname: owned(self.lastname),
            company: self.company.map(owned),
            street: self.street.into_iter().map(owned).collect(),
            city: owned(self.city),
            region: owned(self.region),
            postcode: owned(self.postcode),
            country_code: owned(self.country_code),
            telephone: owned(self.telephone),
        }
    }

    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("firstname"), &self.firstname);
            w.str_member(key!("lastname"), &self.lastname);
            w.nullable_member(key!("company"), self.company.as_deref(), Writer::string);
            w.key(key!("street"))
                .array(&self.street, |w, line| w.string(line));
            w.str_member(key!("city"), &self.city);
            w.str_member(key!("region"), &self.region);
            w.str_member(key!("postcode"), &self.postcode);
            w.str_member(key!("countryCode"), &self.country_code);
            w.str_member(key!("telephone"), &self.telephone);
        })
    }
}

fn money_member(w: &mut Writer, key: Key, money: &Money) {
    w.key(key);
    money.write(w);
}

impl DraftLine<'_> {
    fn into_owned(self) -> DraftLine<'static> {
        DraftLine {
            sku: owned(self.sku),
            order_item_id: owned(self.order_item_id),
            title: owned(self.title),
            ..self
        }
    }

    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("sku"), &self.sku);
            w.str_member(key!("orderItemId"), &self.order_item_id);
            w.str_member(key!("title"), &self.title);
            w.key(key!("qty")).number(self.qty.into());
            money_member(w, key!("unitPrice"), &self.unit_price);
            money_member(w, key!("rowTotal"), &self.row_total);
            money_member(w, key!("discount"), &self.discount);
            money_member(w, key!("tax"), &self.tax);
        })
    }
}

impl OrderDraft<'_> {
    /// A copy that owns all its text, to keep after the order and settings it was built from.
    pub fn into_owned(self) -> OrderDraft<'static> {
        OrderDraft {
            store: owned(self.store),
            amazon_order_id: owned(self.amazon_order_id),
            increment_id: self.increment_id.map(owned),
            store_view: owned(self.store_view),
            customer: DraftCustomer {
                kind: self.customer.kind,
                email: owned(self.customer.email),
                firstname: owned(self.customer.firstname),
                lastname: owned(self.customer.lastname),
            },
            billing_address: self.billing_address.into_owned(),
            shipping_address: self.shipping_address.into_owned(),
            lines: self.lines.into_iter().map(DraftLine::into_owned).collect(),
            shipping_method: owned(self.shipping_method),
            status: owned(self.status),
            payment_method: owned(self.payment_method),
            po_number: owned(self.po_number),
            ..self
        }
    }

    /// The draft as admin code sees it (camelCase, amounts as Amazon writes them).
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("store"), &self.store);
            w.str_member(key!("amazonOrderId"), &self.amazon_order_id);
            w.nullable_member(
                key!("incrementId"),
                self.increment_id.as_deref(),
                Writer::string,
            );
            w.str_member(key!("storeView"), &self.store_view);
            w.key(key!("customer")).object(|w| {
                w.str_member(key!("kind"), self.customer.kind.as_str());
                w.str_member(key!("email"), &self.customer.email);
                w.str_member(key!("firstname"), &self.customer.firstname);
                w.str_member(key!("lastname"), &self.customer.lastname);
            });
            w.key(key!("billingAddress"));
            self.billing_address.write(w);
            w.key(key!("shippingAddress"));
            self.shipping_address.write(w);
            w.key(key!("lines"))
                .array(&self.lines, |w, line| line.write(w));
            w.str_member(key!("shippingMethod"), &self.shipping_method);
            money_member(w, key!("shippingAmount"), &self.shipping_amount);
            money_member(w, key!("shippingTax"), &self.shipping_tax);
            money_member(w, key!("subtotal"), &self.subtotal);
            money_member(w, key!("discountTotal"), &self.discount_total);
            money_member(w, key!("taxTotal"), &self.tax_total);
            money_member(w, key!("grandTotal"), &self.grand_total);
            w.str_member(key!("status"), &self.status);
            w.str_member(key!("paymentMethod"), &self.payment_method);
            w.str_member(key!("poNumber"), &self.po_number);
        })
    }
}

/// Why a draft could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("order {0} has no items with a quantity")]
    NoItems(String),
    #[error("order {order} mixes currencies {first} and {second}")]
    MixedCurrencies {
        order: String,
        first: String,
        second: String,
    },
}

/// Splits "Jane van Dyke" into ("Jane", "van Dyke"); a single word keeps the placeholder last
/// name, nothing at all gives the placeholder name. Control characters and runs of spaces are
/// dropped first (buyer names with odd characters once broke ASC imports).
pub fn split_name(name: Option<&str>) -> (Cow<'_, str>, Cow<'_, str>) {
    let name = name.unwrap_or_default();
    if is_plain_name(name) {
        // Words one space apart with nothing to clean, as nearly every name is: the same
        // split, borrowed, without re-encoding each character (a push splits two names).
        return match split_once(name, [b' '; 2]) {
            Some((first, last)) => (first.into(), last.into()),
            None => (name.into(), PLACEHOLDER_LASTNAME.into()),
        };
    }
    let (first, last) = split_cleaned_name(name);
    (first.into(), last.into())
}

/// Non-empty, words separated by one space, no space at either end, no other whitespace and
/// no control character: what [`split_cleaned_name`] would not change. Eight bytes at a time
/// where a name is ASCII (nearly every name: a byte at a time cost ~35 operators a byte), else
/// one pass that decodes only the other characters (the `é` of `José`), where decoding every
/// character of such a name cost ~1 000 fuel.
fn is_plain_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.last().is_none_or(|&b| b == b' ') || bytes.first() == Some(&b' ') {
        return false;
    }
    if let Some(plain) = plain_ascii_name(bytes) {
        return plain;
    }
    // A space after a space is refused on the way (one first, above).
    let mut after_space = false;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii() {
            if !matches!(b, b' '..=b'~') || (b == b' ' && after_space) {
                return false;
            }
            after_space = b == b' ';
            at += 1;
        } else {
            // `at` follows whole characters, so a character starts there.
            let Some(c) = name.get(at..).and_then(|rest| rest.chars().next()) else {
                return false;
            };
            if c.is_control() || c.is_whitespace() {
                return false;
            }
            after_space = false;
            at += c.len_utf8();
        }
    }
    true
}

/// [`is_plain_name`] of a name of eight bytes or more, all ASCII, eight bytes at a time (a byte
/// at a time cost ~35 operators a byte); `None` for a shorter name or one with a non-ASCII
/// byte. The words read overlap by a byte, so that each pair of neighbouring bytes is in one.
fn plain_ascii_name(bytes: &[u8]) -> Option<bool> {
    use crate::text::{bytes_below, zero_bytes, HIGH, ONES};
    let last = bytes.len().checked_sub(8)?;
    let mut at = 0;
    loop {
        let start = at.min(last);
        // SAFETY: `start` is at most `last`: eight bytes are there.
        let word =
            u64::from_le(unsafe { bytes.as_ptr().add(start).cast::<u64>().read_unaligned() });
        if word & HIGH != 0 {
            return None;
        }
        let unprintable = bytes_below(word, 0x20) | zero_bytes(word ^ (ONES * 0x7F));
        // Exactly the spaces' high bits (unlike `zero_bytes`, whose borrows would flag a
        // byte after a space): nothing carries out of a byte in this sum.
        let other = word ^ (ONES * 0x20);
        let spaces = !((other & !HIGH).wrapping_add(!HIGH) | other) & HIGH;
        if unprintable | (spaces & (spaces << 8)) != 0 {
            return Some(false);
        }
        if start == last {
            return Some(true);
        }
        at = start + 7;
    }
}

fn split_cleaned_name(name: &str) -> (String, String) {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut words = cleaned.split_whitespace();
    let Some(first) = words.next() else {
        return (PLACEHOLDER_FIRSTNAME.into(), PLACEHOLDER_LASTNAME.into());
    };
    let mut last = String::new();
    for word in words {
        if !last.is_empty() {
            last.push(' ');
        }
        last.push_str(word);
    }
    if last.is_empty() {
        last.push_str(PLACEHOLDER_LASTNAME);
    }
    (first.to_owned(), last)
}

fn address<'a>(
    source: Option<&'a AmazonAddress>,
    name: Option<&'a str>,
    marketplace: Option<&'static Marketplace>,
) -> DraftAddress<'a> {
    static NO_ADDRESS: AmazonAddress = AmazonAddress::EMPTY;
    let a = source.unwrap_or(&NO_ADDRESS);
    let (firstname, lastname) = split_name(name.or(a.name.as_deref()));
    // A loop into one allocation: the iterator chain it replaces cost ~165 fuel an address.
    let mut street = Vec::with_capacity(3);
    for line in [&a.address_line1, &a.address_line2, &a.address_line3] {
        if let Some(line) = non_empty(line.as_deref()) {
            street.push(Cow::Borrowed(line));
        }
    }
    if street.is_empty() {
        street.push(Cow::Borrowed(PLACEHOLDER_STREET));
    }
    let text = |v: &'a Option<Cow<'a, str>>, placeholder: &'static str| {
        Cow::Borrowed(non_empty(v.as_deref()).unwrap_or(placeholder))
    };
    let country_code = non_empty(a.country_code.as_deref())
        .or(marketplace.map(|m| m.country_code))
        .unwrap_or("US");
    DraftAddress {
        firstname,
        lastname,
        company: non_empty(a.company_name.as_deref()).map(Cow::Borrowed),
        street,
        city: text(&a.city, PLACEHOLDER_CITY),
        region: text(&a.state_or_region, ""),
        postcode: text(&a.postal_code, PLACEHOLDER_POSTCODE),
        country_code: if country_code.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(country_code.to_ascii_uppercase())
        } else {
            Cow::Borrowed(country_code)
        },
        telephone: text(&a.phone, PLACEHOLDER_PHONE),
    }
}

/// The currency of the order: its total's, else its items', else the marketplace's.
fn currency(
    order: &Order,
    items: &[OrderItem],
    marketplace: Option<&Marketplace>,
) -> Cow<'static, str> {
    order
        .order_total
        .as_ref()
        .map(|m| m.currency.clone())
        .or_else(|| {
            items
                .iter()
                .find_map(|i| i.item_price.as_ref().map(|m| m.currency.clone()))
        })
        .or_else(|| marketplace.map(|m| Cow::Borrowed(m.currency)))
        .unwrap_or(Cow::Borrowed("USD"))
}

/// `a == b`, without comparing the bytes when both are the same text: the currencies an order's
/// amounts were read with are the marketplaces' own `&'static str`s (`Marketplace::known_currency`).
fn same_text(a: &str, b: &str) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

#[cold]
#[inline(never)]
fn mixed_currencies(order: &Order, first: &str, second: &str) -> BuildError {
    BuildError::MixedCurrencies {
        order: order.amazon_order_id.to_string(),
        first: first.to_owned(),
        second: second.to_owned(),
    }
}

/// Builds the Commerce order draft for an Amazon order and its items.
pub fn build_draft<'a>(
    order: &'a Order,
    items: &'a [OrderItem],
    settings: &'a OrderSettings,
    store: &'a StoreIntegration,
) -> Result<OrderDraft<'a>, BuildError> {
    let marketplace = Marketplace::by_id(order.marketplace_id.as_deref().unwrap_or_default())
        .or_else(|| store.marketplace());
    let currency = currency(order, items, marketplace);
    // Six amounts an item: the error is built out of line, so that this check is inlined.
    let cents = |m: &Option<Money>| -> Result<i64, BuildError> {
        match m {
            Some(m) if !same_text(&m.currency, &currency) && m.cents != 0 => {
                Err(mixed_currencies(order, &currency, &m.currency))
            }
            Some(m) => Ok(m.cents),
            None => Ok(0),
        }
    };
    let money = |cents: i64| Money::new(currency.clone(), cents);

    let mut lines = Vec::with_capacity(items.len());
    let (mut subtotal, mut discount_total, mut item_tax) = (0i64, 0i64, 0i64);
    let (mut shipping, mut shipping_tax) = (0i64, 0i64);
    for item in items {
        // Lines with no quantity (canceled by Amazon) still carry shipping charges.
        shipping += cents(&item.shipping_price)? - cents(&item.shipping_discount)?;
        shipping_tax += cents(&item.shipping_tax)?;
        if item.quantity_ordered == 0 {
            continue;
        }
        let row = cents(&item.item_price)?;
        let discount = cents(&item.promotion_discount)?;
        let tax = cents(&item.item_tax)?;
        subtotal += row;
        discount_total += discount;
        item_tax += tax;
        lines.push(DraftLine {
            sku: item.sku().into(),
            order_item_id: Cow::Borrowed(&item.order_item_id),
            title: item.title.as_deref().unwrap_or(&item.asin).into(),
            qty: item.quantity_ordered,
            // ItemPrice is the row total (unit price × quantity).
            unit_price: money(div_round(row, i64::from(item.quantity_ordered))),
            row_total: money(row),
            discount: money(discount),
            tax: money(tax),
        });
    }
    if lines.is_empty() {
        return Err(BuildError::NoItems(order.amazon_order_id.to_string()));
    }
    let tax_total = item_tax + shipping_tax;

    let shipping_address = address(order.shipping_address.as_ref(), None, marketplace);
    // The billing address is the shipping address under the buyer's name, when Amazon gives
    // one: copied rather than built again (~400 fuel a push).
    let mut billing_address = shipping_address.clone();
    if let Some(buyer) = order.buyer_name() {
        let shipped_to = order
            .shipping_address
            .as_ref()
            .and_then(|a| a.name.as_deref());
        if shipped_to != Some(buyer) {
            (billing_address.firstname, billing_address.lastname) = split_name(Some(buyer));
        }
    }
    let email = match order.buyer_email() {
        Some(email) => Cow::Borrowed(email),
        None => Cow::Owned(format!("{}@amazon.com", order.amazon_order_id)),
    };
    let amazon_order_id = Cow::Borrowed(&*order.amazon_order_id);
    Ok(OrderDraft {
        store: store.store.as_str().into(),
        amazon_order_id: amazon_order_id.clone(),
        increment_id: match settings.order_number_source {
            OrderNumberSource::Amazon => Some(amazon_order_id.clone()),
            OrderNumberSource::Commerce => None,
        },
        store_view: settings.store_view.as_str().into(),
        customer: DraftCustomer {
            kind: settings.customer_creation,
            email,
            firstname: billing_address.firstname.clone(),
            lastname: billing_address.lastname.clone(),
        },
        billing_address,
        shipping_address,
        lines,
        shipping_method: SHIPPING_METHOD.into(),
        shipping_amount: money(shipping),
        shipping_tax: money(shipping_tax),
        subtotal: money(subtotal),
        discount_total: money(discount_total),
        tax_total: money(tax_total),
        grand_total: money(subtotal - discount_total + shipping + tax_total),
        status: settings.processing_status.as_str().into(),
        payment_method: PAYMENT_METHOD.into(),
        po_number: amazon_order_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The billing address is copied from the shipping address and renamed: it is what
    /// [`address`] builds from the shipping address and the buyer's name, whatever names the
    /// order carries (none, the same, another, spaced differently, no shipping address).
    #[test]
    fn the_billing_address_is_the_shipping_address_under_the_buyers_name() {
        let item = r#"[{"ASIN":"B0","OrderItemId":"1","SellerSKU":"S","QuantityOrdered":1,
            "ItemPrice":{"CurrencyCode":"USD","Amount":"1.00"}}]"#;
        let items = crate::amazon::parse_order_items(item).unwrap();
        let shipping = r#""ShippingAddress":{"Name":"Jane van Dyke","AddressLine1":"1 Main St",
            "City":"Seattle","PostalCode":"98121","CountryCode":"US"}"#;
        let cases = [
            (shipping, ""),
            (shipping, r#","BuyerInfo":{"BuyerName":"Jane van Dyke"}"#),
            (shipping, r#","BuyerInfo":{"BuyerName":"  Jane van Dyke "}"#),
            (shipping, r#","BuyerInfo":{"BuyerName":"Tom O'Brien"}"#),
            (shipping, r#","BuyerInfo":{"BuyerName":"   "}"#),
            (shipping, r#","BuyerName":"Cher""#),
            (
                r#""IsPrime":false"#,
                r#","BuyerInfo":{"BuyerName":"Tom O'Brien"}"#,
            ),
            (r#""IsPrime":false"#, ""),
        ];
        let settings = OrderSettings::default();
        let store = StoreIntegration {
            store: "default".into(),
            name: "Acme".into(),
            marketplace_id: "ATVPDKIKX0DER".into(),
            integrated_at: chrono::DateTime::UNIX_EPOCH,
        };
        for (address_member, buyer) in cases {
            let json = format!(
                r#"{{"AmazonOrderId":"111-0000001-0000001","PurchaseDate":"2026-11-01T00:00:00Z",
                "LastUpdateDate":"2026-11-01T00:00:00Z","OrderStatus":"Unshipped",
                "MarketplaceId":"ATVPDKIKX0DER",{address_member}{buyer}}}"#
            );
            let order = crate::amazon::parse_order(&json).unwrap();
            let draft = build_draft(&order, &items, &settings, &store).unwrap();
            let marketplace = Marketplace::by_id("ATVPDKIKX0DER");
            let source = order.shipping_address.as_ref();
            assert_eq!(
                draft.shipping_address,
                address(source, None, marketplace),
                "{json}"
            );
            assert_eq!(
                draft.billing_address,
                address(source, order.buyer_name(), marketplace),
                "{json}"
            );
        }
    }

    /// Eight ASCII bytes at a time, a name is plain exactly when it has no space at either end,
    /// no two spaces in a row and only printable characters: every text of up to ten bytes
    /// from a space, a letter, DEL and a control character, wherever they fall in the words.
    #[test]
    fn ascii_names_read_a_word_at_a_time_are_plain_as_read_a_byte_at_a_time() {
        let plain = |name: &str| {
            !name.starts_with(' ')
                && !name.ends_with(' ')
                && !name.contains("  ")
                && name.bytes().all(|b| matches!(b, b' '..=b'~'))
                && !name.is_empty()
        };
        let mut level = vec![String::new()];
        for _ in 0..10 {
            level = level
                .iter()
                .flat_map(|t| ['a', ' ', '\u{7f}', '\u{1f}'].map(|c| format!("{t}{c}")))
                .collect();
            for name in &level {
                assert_eq!(is_plain_name(name), plain(name), "{name:?}");
            }
        }
        // Longer names, with one or two odd bytes anywhere in their words.
        for len in 8..=25 {
            for at in 0..len {
                for odd in [" ", "  ", "\u{7f}", "\u{1f}", "~"] {
                    let mut name = "a".repeat(len);
                    name.replace_range(at..(at + odd.len()).min(len), odd);
                    assert_eq!(is_plain_name(&name), plain(&name), "{name:?}");
                }
            }
        }
    }

    #[test]
    fn plain_names_split_as_cleaned_names_do() {
        let plain = [
            "Jane",
            "Jane van Dyke",
            "O'Brien Smith-Jones",
            "A B",
            "x",
            "J. R. R. Tolkien",
            "~!@ #$%",
            "José García Márquez",
            "Zoë Doe",
            "王 小明",
        ];
        for name in plain {
            assert!(is_plain_name(name), "{name:?}");
            let (first, last) = split_cleaned_name(name);
            assert_eq!(
                split_name(Some(name)),
                (first.into(), last.into()),
                "{name:?}"
            );
        }
        let not_plain = [
            "",
            " ",
            " Jane",
            "Jane ",
            "Jane  Doe",
            "Jane\tDoe",
            "Jane\u{7f}Doe",
            "Zoë\u{85}Doe",
            "Zoë\u{a0}Doe",
            "Zoë\u{3000}Doe",
            "José\u{9f}",
            "Zoë  Doe",
        ];
        for name in not_plain {
            assert!(!is_plain_name(name), "{name:?}");
        }
        // Every text of up to four characters from these splits as the cleaned text does.
        let alphabet = ['a', ' ', 'é', '\u{a0}', '\u{85}', '\t', '\u{2028}', '\u{1}'];
        let mut texts = vec![String::new()];
        let mut level = texts.clone();
        for _ in 0..4 {
            level = level
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(level.iter().cloned());
        }
        assert_eq!(texts.len(), 1 + 8 + 64 + 512 + 4096);
        for text in &texts {
            let (first, last) = split_cleaned_name(text);
            assert_eq!(
                split_name(Some(text)),
                (first.into(), last.into()),
                "{text:?}"
            );
        }
        // A plain name is split in place.
        let (first, last) = split_name(Some("José García Márquez"));
        assert!(matches!(
            (&first, &last),
            (Cow::Borrowed("José"), Cow::Borrowed("García Márquez"))
        ));
        assert_eq!(
            split_name(Some("  Jane \t van\u{1}Dyke ")),
            ("Jane".into(), "van Dyke".into())
        );
    }
}
