//! Writing the stored rows' JSON by hand: the component's other hot path.
//!
//! The row holds the SP-API order and its items; serde_json's derived serializer spent ~60
//! wasm operators per byte writing it (161 000 fuel for a 3-item order's row in the
//! size-optimised build). This writer emits exactly what `serde_json::to_string` emits for the
//! same values — the derives stay the reference, and `tests` check the two agree — with keys
//! written as literals and strings escaped run by run.

use crate::prelude::*;
use chrono::{DateTime, SecondsFormat, Utc};

use super::money::{cents_text, decimal_into, CENTS_TEXT_BYTES, DECIMAL_BYTES};
use super::quirks::{rfc3339_into, RFC3339_BYTES};
use super::read::plain_run_end;

/// A member's key as written after another member, `,"name":`; made by [`key!`] from a literal
/// at compile time, so that a key is one append (the first member of an object skips the
/// comma).
#[derive(Clone, Copy)]
pub(crate) struct Key(pub(crate) &'static str);

/// The [`Key`] of a member name.
macro_rules! key {
    ($name:literal) => {
        $crate::amazon::write::Key(concat!(",\"", $name, "\":"))
    };
}
pub(crate) use key;

/// Appends one JSON object or array at a time. Bytes rather than a `String`: pushing a `char`
/// encodes it as UTF-8 and checks the capacity through calls the size-optimised build does not
/// inline, and most of what is written is one ASCII byte at a time.
pub(crate) struct Writer {
    out: Vec<u8>,
    /// No member written yet in the innermost open object or array.
    first: bool,
}

impl Writer {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Writer {
            out: Vec::with_capacity(bytes),
            first: true,
        }
    }

    pub(crate) fn finish(self) -> String {
        debug_assert!(core::str::from_utf8(&self.out).is_ok());
        // SAFETY: every append is a `str`, whole or cut at ASCII bytes (`string`'s runs end at
        // a quote, a backslash or a control character), or ASCII: the bytes are UTF-8.
        // Validating them again cost 3 % of a push (a 3-item order's row is ~3 KB).
        unsafe { String::from_utf8_unchecked(self.out) }
    }

    /// Appends `bytes`. One call with the capacity check in it: `Vec::extend_from_slice` and
    /// `Vec::push` are four calls deep in the size-optimised build, and the writer appends
    /// some forty times per money member.
    #[inline(never)]
    fn put(&mut self, bytes: &[u8]) {
        self.append(&[], bytes, false);
    }

    /// Appends `bytes` between quotes, in one call: most strings, every amount and time.
    #[inline(never)]
    fn put_quoted(&mut self, bytes: &[u8]) {
        self.append(&[], bytes, true);
    }

    /// Appends `prefix` (a key) and then `bytes` between quotes, in one call: a string member.
    #[inline(never)]
    fn put_member(&mut self, prefix: &[u8], bytes: &[u8]) {
        self.append(prefix, bytes, true);
    }

    /// Appends `prefix` (a key) and then `bytes` (a value's JSON text), in one call.
    #[inline(never)]
    fn put_after(&mut self, prefix: &[u8], bytes: &[u8]) {
        self.append(prefix, bytes, false);
    }

    #[inline(always)]
    fn append(&mut self, prefix: &[u8], bytes: &[u8], quoted: bool) {
        let quotes = usize::from(quoted) * 2;
        let (len, p, n) = (self.out.len(), prefix.len(), bytes.len());
        if self.out.capacity() - len < p + n + quotes {
            self.out.reserve(p + n + quotes);
        }
        // SAFETY: the capacity holds `p + n + quotes` more bytes, and `prefix` and `bytes`
        // cannot overlap the buffer (they are borrowed while `self` is borrowed mutably).
        unsafe {
            let at = self.out.as_mut_ptr().add(len);
            core::ptr::copy_nonoverlapping(prefix.as_ptr(), at, p);
            let at = at.add(p);
            if quoted {
                at.write(b'"');
                at.add(n + 1).write(b'"');
            }
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), at.add(quotes / 2), n);
            self.out.set_len(len + p + n + quotes);
        }
    }

    fn separate(&mut self) {
        if !self.first {
            self.put(b",");
        }
        self.first = false;
    }

    /// The length of what is written so far.
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    /// Writes `{ … }`, the members written by `members`.
    pub(crate) fn object(&mut self, members: impl FnOnce(&mut Self)) {
        self.put(b"{");
        self.first = true;
        members(self);
        self.put(b"}");
        self.first = false;
    }

    /// A member's key; its value follows. Keys are literals that need no escaping.
    pub(crate) fn key(&mut self, key: Key) -> &mut Self {
        let text = key.0.as_bytes();
        self.put(if self.first { &text[1..] } else { text });
        self.first = false;
        self
    }

    /// A member whose value is a list: an empty one, as most rows' are, in one append with
    /// its key (three before).
    pub(crate) fn list_member<T>(
        &mut self,
        key: Key,
        items: &[T],
        element: impl FnMut(&mut Self, &T),
    ) {
        if items.is_empty() {
            let key = key.0.as_bytes();
            self.put_after(if self.first { &key[1..] } else { key }, b"[]");
            self.first = false;
            return;
        }
        self.key(key).array(items, element);
    }

    /// Writes `[ … ]` with one element per item.
    pub(crate) fn array<T>(&mut self, items: &[T], mut element: impl FnMut(&mut Self, &T)) {
        self.put(b"[");
        self.first = true;
        for item in items {
            self.separate();
            element(self, item);
        }
        self.put(b"]");
        self.first = false;
    }

    /// A JSON string, escaped as serde_json does.
    pub(crate) fn string(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let end = plain_run_end(bytes, 0);
        if end == bytes.len() {
            self.put_quoted(bytes);
            return;
        }
        self.escaped(bytes, end);
    }

    /// A JSON string with something to escape, the first at `end` (the plain run before it
    /// already found).
    fn escaped(&mut self, bytes: &[u8], mut end: usize) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.put(b"\"");
        let mut run = 0;
        loop {
            self.put(&bytes[run..end]);
            let Some(&b) = bytes.get(end) else { break };
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                _ => &[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ],
            };
            self.put(escape);
            run = end + 1;
            end = plain_run_end(bytes, run);
        }
        self.put(b"\"");
    }

    /// Text appended as it is: a value that is JSON text already (a part of a document the
    /// reader checked), or a part of a storage key or of `text::concat`.
    pub(crate) fn raw(&mut self, json: &str) {
        self.put(json.as_bytes());
    }

    /// [`Self::raw`] inlined, for storage keys, which join short parts into a string of known
    /// length: the out-of-line append cost ~40 fuel a part.
    #[inline(always)]
    pub(crate) fn raw_inlined(&mut self, text: &str) {
        self.append(&[], text.as_bytes(), false);
    }

    // One copy: inlined, its digits' loop went into a dozen callers (+1.1 KB, measured).
    #[inline(never)]
    pub(crate) fn number(&mut self, n: u64) {
        self.put(decimal_into(n, &mut [0; DECIMAL_BYTES]));
    }

    pub(crate) fn int(&mut self, n: i64) {
        if n < 0 {
            self.put(b"-");
        }
        self.number(n.unsigned_abs());
    }

    /// An amount in hundredths as Amazon writes it: `"11.01"`.
    pub(crate) fn amount(&mut self, cents: i64) {
        self.put_quoted(cents_text(cents, &mut [0; CENTS_TEXT_BYTES]));
    }

    fn null(&mut self) {
        self.put(b"null");
    }

    pub(crate) fn bool(&mut self, value: bool) {
        self.put(if value { b"true" } else { b"false" });
    }

    /// RFC 3339 with `Z`, as the SP-API model serializes times.
    pub(crate) fn time(&mut self, t: &DateTime<Utc>) {
        let mut buf = [0; RFC3339_BYTES];
        let text = rfc3339_into(t, SecondsFormat::AutoSi, &mut buf);
        // Digits, `-`, `+`, `:`, `.`, `T` and `Z`: nothing to escape.
        self.put_quoted(text.as_bytes());
    }

    pub(crate) fn str_member(&mut self, key: Key, value: &str) {
        let bytes = value.as_bytes();
        let end = plain_run_end(bytes, 0);
        if end < bytes.len() {
            self.key(key).escaped(bytes, end);
            return;
        }
        // Nothing to escape, most members: the key and the string in one append.
        let key = key.0.as_bytes();
        self.put_member(if self.first { &key[1..] } else { key }, bytes);
        self.first = false;
    }

    /// A member written only when present (`skip_serializing_if = "Option::is_none"`).
    pub(crate) fn opt_member<T>(
        &mut self,
        key: Key,
        value: Option<&T>,
        write: impl FnOnce(&mut Self, &T),
    ) where
        T: ?Sized,
    {
        if let Some(value) = value {
            self.key(key);
            write(self, value);
        }
    }

    /// A member written as `null` when absent (an `Option` serde writes as it is).
    pub(crate) fn nullable_member<T>(
        &mut self,
        key: Key,
        value: Option<&T>,
        write: impl FnOnce(&mut Self, &T),
    ) where
        T: ?Sized,
    {
        self.key(key);
        match value {
            Some(value) => write(self, value),
            None => self.null(),
        }
    }

    pub(crate) fn opt_str_member(&mut self, key: Key, value: Option<&str>) {
        if let Some(value) = value {
            self.str_member(key, value);
        }
    }
}

/// For the tests of every hand-written record: `to_json` writes exactly what serde writes for
/// the same value (so storage written by earlier versions stays readable both ways) and
/// `from_json` gives the value back.
#[cfg(test)]
pub(crate) fn assert_same_as_serde<T, E>(
    value: &T,
    to_json: impl Fn(&T) -> String,
    from_json: impl Fn(&str) -> Result<T, E>,
) where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug,
    E: core::fmt::Debug,
{
    let json = to_json(value);
    assert_eq!(json, serde_json::to_string(value).unwrap());
    assert_eq!(&from_json(&json).unwrap(), value);
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// String members, first or after another, present or absent, with nothing to escape (one
    /// append) or with escapes anywhere (the escaping path), as serde_json writes them.
    #[test]
    fn string_members_are_written_as_serde_writes_them() {
        let texts = [
            "",
            "plain",
            "a \"quote\"",
            "\\",
            "line\nbreak",
            "\u{1}",
            "end\t",
            "é € 😀",
            "\u{7f}",
        ];
        for first in texts {
            for second in texts {
                for third in [None, Some(first), Some(second)] {
                    let mut w = Writer::with_capacity(0);
                    w.object(|w| {
                        w.str_member(key!("a"), first);
                        w.str_member(key!("b"), second);
                        w.opt_str_member(key!("c"), third);
                    });
                    let mut expected = serde_json::json!({ "a": first, "b": second });
                    if let Some(third) = third {
                        expected["c"] = third.into();
                    }
                    assert_eq!(w.finish(), serde_json::to_string(&expected).unwrap());
                }
            }
        }
    }
}
