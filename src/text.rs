//! Building and reading text without std's `[&str]::concat` / `join`, `str::from_utf8`,
//! `str::parse` and `str::split_once`: their generic machinery (`join_generic_copy`, full UTF-8
//! validation, radix parsing, pattern searchers) was 3 KB of the component, for strings this
//! crate joins a few at a time, writes in ASCII itself or splits at an ASCII byte.

use crate::amazon::write::Writer;
use crate::prelude::*;

/// Letters, digits, `_` and `-`: a code's bytes ([`is`]).
pub(crate) const CODE: u8 = 1;
/// A code's bytes and `.`: a store code's.
pub(crate) const STORE_CODE: u8 = 2;
/// A store code's bytes and `~`: those a URL's query or form value holds as they are.
pub(crate) const UNRESERVED: u8 = 4;

/// Each byte's classes: a class is checked with one look-up a byte, where the range tests
/// cost the component ~30 operators a byte (a push checks four codes, a tick encodes a query).
static BYTE_CLASSES: [u8; 256] = {
    let mut classes = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' {
            classes[b] = CODE | STORE_CODE | UNRESERVED;
        } else if byte == b'.' {
            classes[b] = STORE_CODE | UNRESERVED;
        } else if byte == b'~' {
            classes[b] = UNRESERVED;
        }
        b += 1;
    }
    classes
};

/// One in each byte of a word: the scans that read text eight bytes at a time share this word
/// arithmetic.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// Each byte's high bit.
pub(crate) const HIGH: u64 = ONES * 0x80;

/// The high bit of each zero byte of `w`, and maybe of bytes above one (a borrow): not zero
/// exactly when a byte is, and its lowest flag is a true one.
#[inline(always)]
pub(crate) fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGH
}

/// As [`zero_bytes`], for the bytes of `w` below `n` (at most 0x80).
#[inline(always)]
pub(crate) fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH
}

/// Whether byte `b` is of `class` ([`CODE`], [`STORE_CODE`], [`UNRESERVED`]).
#[inline(always)]
pub(crate) fn is(b: u8, class: u8) -> bool {
    BYTE_CLASSES[usize::from(b)] & class != 0
}

/// `parts` one after another, in a string of exactly their length. Through the writer's one
/// out-of-line append: `String::push_str` is four calls deep in the size-optimised build.
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = Writer::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        out.raw(part);
    }
    out.finish()
}

/// `parts` with `separator` between them.
pub(crate) fn join<'a>(parts: impl IntoIterator<Item = &'a str>, separator: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(part);
    }
    out
}

/// `bytes` as text: digits, separators and escapes this crate wrote, always ASCII (`""`
/// otherwise, which cannot happen).
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    debug_assert!(bytes.is_ascii(), "{bytes:?} is not ASCII");
    if bytes.is_ascii() {
        // SAFETY: ASCII is UTF-8.
        unsafe { core::str::from_utf8_unchecked(bytes) }
    } else {
        ""
    }
}

/// An integer written as an optional `-` or `+` and ASCII digits; `None` for anything else or
/// past `i64`. Not `str::parse`, whose generic code was 1 KB of the component.
pub(crate) fn integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    // Up to 18 digits cannot overflow: no checked multiplication (a 128-bit product in wasm).
    let magnitude = match digits.len() {
        0 => return None,
        1..=18 => digits.iter().try_fold(0u64, |n, &b| {
            let digit = b.wrapping_sub(b'0');
            (digit <= 9).then_some(n * 10 + u64::from(digit))
        })?,
        _ => digits.iter().try_fold(0u64, |n, &b| {
            let digit = b.is_ascii_digit().then(|| u64::from(b - b'0'))?;
            n.checked_mul(10)?.checked_add(digit)
        })?,
    };
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// `text` before and after the first byte that is either of `separators` (ASCII; the same one
/// twice for a single separator). Bytes rather than a test closure: one copy for every caller
/// (each closure made its own, ≈ 150 bytes of the component).
pub(crate) fn split_once(text: &str, separators: [u8; 2]) -> Option<(&str, &str)> {
    let at = text
        .bytes()
        .position(|b| b == separators[0] || b == separators[1])?;
    debug_assert!(text.as_bytes()[at].is_ascii(), "separators are ASCII");
    let (before, rest) = text.split_at_checked(at)?;
    Some((before, rest.get(1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_read_as_str_parse_reads_them() {
        for text in [
            "0",
            "-0",
            "+0",
            "7",
            "-7",
            "+7",
            "007",
            "",
            "-",
            "+",
            "--1",
            "+-1",
            "1-",
            " 1",
            "1.0",
            "1e3",
            "٣",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999",
            // Either side of the 18 digits read without overflow checks.
            "999999999999999999",
            "-999999999999999999",
            "1000000000000000000",
            "12345678901234567x",
            "00000000000000000000001",
        ] {
            assert_eq!(integer(text), text.parse::<i64>().ok(), "{text:?}");
        }
    }

    #[test]
    fn concat_join_and_ascii_read_as_std_does() {
        for parts in [
            &[][..],
            &[""],
            &["a"],
            &["", "b", ""],
            &["v1/s/", "acme", "/order/", "1"],
        ] {
            assert_eq!(concat(parts), parts.concat());
            assert_eq!(join(parts.iter().copied(), "; "), parts.join("; "));
        }
        assert_eq!(ascii(b"2026-11-29T10:00:00Z"), "2026-11-29T10:00:00Z");
        for text in ["", " ", "a b", "ab", " a b ", "é.e", "1.5e3", "1e", "e"] {
            assert_eq!(
                split_once(text, [b' ', b'e']),
                text.split_once([' ', 'e']),
                "{text:?}"
            );
        }
    }
}
