//! A value read from Amazon's JSON, kept with that JSON as Amazon sent it.
//!
//! The Amazon Orders row stores the order and its items; a row is written on every change of
//! the order (a push, a tick, a shipment, a completion). Keeping the text the snapshot was read
//! from lets a row be written by copying that text instead of serialising the snapshot again,
//! which was a fifth of a push's fuel (BENCHMARKS.md), and keeps what Amazon sent field for
//! field, the fields this plugin does not read included.

use crate::prelude::*;
use crate::text::concat;
use alloc::borrow::Cow;
use core::ops::Deref;
use serde::{Serialize, Serializer};

use super::read::{Read, Reader};
use super::write::Writer;
use super::{owned, Order, OrderItem, SentItems, SentOrder, Text};

/// A value and the JSON text it was read from. Read-only, so the two always agree: a value
/// built or changed in code gets its text from the writer (`new`, `edit`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent<'a, T> {
    /// Boxed: an `Order` is ~300 bytes, and moving it by value through the reader's results,
    /// the snapshot and the row copied it over and over, 4 000 fuel of a push (wasmtime charges
    /// `memory.copy` per byte).
    value: Box<T>,
    json: Text<'a>,
}

impl<T> Deref for Sent<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// Serialised as the value: the serde derives describe the shapes the plugin writes.
impl<T: Serialize> Serialize for Sent<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (*self.value).serialize(s)
    }
}

impl<'a, T> Sent<'a, T> {
    /// Reads one value with `read` and keeps its text (from its first byte to its last, without
    /// the whitespace around it).
    pub(crate) fn read(
        r: &mut Reader<'a>,
        read: impl FnOnce(&mut Reader<'a>) -> Read<T>,
    ) -> Read<Sent<'a, T>> {
        let start = r.value_start()?;
        let value = read(r)?;
        Ok(Sent {
            value: Box::new(value),
            json: Cow::Borrowed(r.text_since(start)),
        })
    }

    /// [`Self::read`] into `value`, already boxed: a large value is read where it is kept.
    pub(crate) fn read_in(
        r: &mut Reader<'a>,
        mut value: Box<T>,
        read: impl FnOnce(&mut Reader<'a>, &mut T) -> Read<()>,
    ) -> Read<Sent<'a, T>> {
        let start = r.value_start()?;
        read(r, &mut value)?;
        Ok(Sent {
            value,
            json: Cow::Borrowed(r.text_since(start)),
        })
    }

    /// The JSON text, a valid JSON value: the reader checked all of it.
    pub fn json(&self) -> &str {
        &self.json
    }

    pub fn into_inner(self) -> T {
        *self.value
    }
}

/// A value written as JSON text by the crate's writer (a value built or changed in code, a
/// preview's result).
pub trait ToJson {
    fn to_json(&self) -> String;
}

impl ToJson for Order<'_> {
    fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(1024);
        self.write(&mut w);
        w.finish()
    }
}

impl ToJson for Vec<OrderItem<'_>> {
    fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(1024);
        w.array(self, |w, item| item.write(w));
        w.finish()
    }
}

impl<T: ToJson> Sent<'_, T> {
    /// A value built in code, with the text the writer gives it.
    pub fn new(value: T) -> Self {
        Sent {
            json: Cow::Owned(value.to_json()),
            value: Box::new(value),
        }
    }

    /// Changes the value; its text becomes the writer's.
    pub fn edit(&mut self, change: impl FnOnce(&mut T)) {
        change(&mut self.value);
        self.json = Cow::Owned(self.value.to_json());
    }
}

impl<'a> SentOrder<'a> {
    pub fn into_owned(self) -> SentOrder<'static> {
        Sent {
            value: Box::new(self.value.into_owned()),
            json: owned(self.json),
        }
    }
}

impl<'a> SentItems<'a> {
    /// No items (an order given without them).
    pub fn none() -> Self {
        Sent {
            value: Box::default(),
            json: Cow::Borrowed("[]"),
        }
    }

    pub fn into_owned(self) -> SentItems<'static> {
        Sent {
            value: Box::new(self.value.into_iter().map(OrderItem::into_owned).collect()),
            json: owned(self.json),
        }
    }

    /// These items followed by those of a further page: one array of both pages' elements.
    pub(crate) fn followed_by(mut self, more: SentItems<'_>) -> Self {
        let joined = match (array_elements(&self.json), array_elements(&more.json)) {
            (_, "") => None,
            ("", _) => Some(more.json.to_string()),
            (first, second) => Some(concat(&["[", first, ",", second, "]"])),
        };
        if let Some(json) = joined {
            self.json = Cow::Owned(json);
        }
        for item in *more.value {
            self.value.push(item.into_owned());
        }
        self
    }
}

/// The elements of a JSON array's text, as written between its brackets (empty for `[]`).
fn array_elements(array: &str) -> &str {
    array
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .map_or("", str::trim_ascii)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::{parse_order, parse_order_items};

    const ITEMS: &str =
        include_str!("../../tests/fixtures/spapi/getOrderItems_200_TEST_CASE_200.response.json");

    #[test]
    fn a_read_value_keeps_its_text_as_sent_without_surrounding_whitespace() {
        let order = parse_order(" {\"AmazonOrderId\": \"902-3159896-1390916\", \"PurchaseDate\": \"2017-01-20T19:49:35Z\", \"LastUpdateDate\": \"2017-01-20T19:49:35Z\", \"OrderStatus\": \"Pending\", \"Unknown\": [1, {}]}\n").unwrap();
        assert_eq!(
            order.json(),
            "{\"AmazonOrderId\": \"902-3159896-1390916\", \"PurchaseDate\": \"2017-01-20T19:49:35Z\", \"LastUpdateDate\": \"2017-01-20T19:49:35Z\", \"OrderStatus\": \"Pending\", \"Unknown\": [1, {}]}"
        );
        assert_eq!(order.amazon_order_id, "902-3159896-1390916");
    }

    #[test]
    fn items_of_a_response_keep_the_text_of_its_order_items_array() {
        let items = parse_order_items(ITEMS).unwrap();
        let again = parse_order_items(items.json()).unwrap();
        assert_eq!(again.json(), items.json());
        assert_eq!(*again, *items);
        assert!(items.json().starts_with('[') && items.json().ends_with(']'));
    }

    #[test]
    fn pages_of_items_join_into_one_array_of_all_their_elements() {
        let items = parse_order_items(ITEMS).unwrap();
        let none = parse_order_items("[ ]").unwrap();
        let two = items.clone().followed_by(items.clone());
        let joined = parse_order_items(two.json()).unwrap();
        assert_eq!(joined.len(), 2 * items.len());
        assert_eq!(*joined, *two);
        assert_eq!(items.clone().followed_by(none.clone()), items);
        assert_eq!(none.followed_by(items.clone()).json(), items.json());
    }

    #[test]
    fn values_built_in_code_get_the_text_the_writer_gives_them() {
        let items = parse_order_items(ITEMS).unwrap().into_inner();
        let built = Sent::<Vec<OrderItem>>::new(items.clone());
        assert_eq!(built.json(), serde_json::to_string(&items).unwrap());
        assert_eq!(*parse_order_items(built.json()).unwrap(), items);
        assert_eq!(Sent::<Vec<OrderItem>>::none().json(), "[]");
    }
}
