//! Building text without std's `[&str]::concat` / `join` and `str::from_utf8`: their shared
//! machinery (`join_generic_copy`, full UTF-8 validation) was 1.7 KB of the component for
//! strings this crate joins a few at a time or writes in ASCII itself.

use crate::prelude::*;

/// `parts` one after another, in a string of exactly their length.
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
