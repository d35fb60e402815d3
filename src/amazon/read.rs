//! Reading JSON text field by field: the SP-API payloads and the stored rows, the component's
//! hot path.
//!
//! A small pull reader instead of serde_json's derived `Deserialize` or a general pull parser:
//! measured on one order with three items (2.2 KB) in the size-optimised build, serde_json took
//! ~95 and jiter ~125 wasm operators per byte, mostly in per-string and per-field machinery
//! that was not inlined. This reader borrows every string that has no escape (input is
//! already UTF-8, so nothing is validated twice), matches keys against one list per type and
//! keeps no tape. Errors carry the byte offset where they happened; the JSON path is
//! recovered from it by [`super::path::path_at`] only when there is an error.

use crate::prelude::*;
use crate::text::{integer, join};
use alloc::borrow::Cow;

use chrono::{DateTime, Utc};

#[cfg(doc)]
use super::keys::frame_heads;
use super::keys::{is_frame, same_after_head, word_by_bytes, Keys};
use super::money::{cents_from_i64, parse_cents, plain_cents, MAX_ABS_CENTS};
use super::quirks::{flag_from_str, from_epoch_seconds, parse_time, scaled_decimal, slice};

/// Why a document could not be read, and where (byte offset into the text).
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) at: usize,
    pub(crate) message: String,
}

impl Fail {
    /// Whether this is [`Reader::stop`]'s way out rather than a fault.
    pub(crate) fn is_stop(&self) -> bool {
        self.message.is_empty()
    }
}

/// Boxed so that `Read<()>`, `Read<bool>` and the like are one word, returned in a register
/// rather than through memory on every call of the size-optimised build.
pub(crate) type Read<T> = Result<T, Box<Fail>>;

/// What the next value is, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Peek {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Peek {
    fn kind(self) -> &'static str {
        match self {
            Peek::Null => "null",
            Peek::Bool => "a boolean",
            Peek::Number => "a number",
            Peek::String => "a string",
            Peek::Array => "an array",
            Peek::Object => "an object",
        }
    }
}

/// A JSON number: an `i64` when it has neither fraction nor exponent, else its text (nothing
/// here needs a float, see [`scaled_decimal`]).
enum Number<'j> {
    Int(i64),
    Decimal(&'j str),
}

pub(crate) struct Reader<'j> {
    text: &'j str,
    at: usize,
    /// The fault [`Reader::member_key`] met, while it reports [`KEY_FAULT`].
    held: Option<Box<Fail>>,
}

// What [`Reader::member_key`] found, in one word (returned in a register rather than through
// memory, once per member): a listed key's index, or one of these.
const OBJECT_END: usize = usize::MAX;
const UNLISTED_KEY: usize = usize::MAX - 1;
const KEY_FAULT: usize = usize::MAX - 2;

/// Where the first quote, backslash or control character at or after `from` is
/// (`bytes.len()` when there is none): sixteen bytes at a time where wasm SIMD is, then eight,
/// the last few as one padded word. Strings are most of what the component reads and writes,
/// and most of their bytes need no attention.
/// Never inlined: measured in fuel, one shared copy beats a copy in each caller (BENCHMARKS.md).
#[inline(never)]
pub(crate) fn plain_run_end(bytes: &[u8], from: usize) -> usize {
    use crate::text::{bytes_below, zero_bytes, ONES};
    let mut at = from;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{
            u8x16_bitmask, u8x16_eq, u8x16_lt, u8x16_splat, v128_load, v128_or,
        };
        // Sixteen bytes at a time where the engine has SIMD (the component): a key or a short
        // value usually ends within the first sixteen.
        // Below this, sixteen bytes from `at` are in `bytes`: one comparison a step.
        let last_start = bytes.len().saturating_sub(15);
        while at < last_start {
            // SAFETY: `at + 16 <= bytes.len()` (above); `v128_load` needs no alignment.
            let v = unsafe { v128_load(bytes.as_ptr().add(at).cast()) };
            let special = v128_or(
                v128_or(
                    u8x16_eq(v, u8x16_splat(b'"')),
                    u8x16_eq(v, u8x16_splat(b'\\')),
                ),
                u8x16_lt(v, u8x16_splat(0x20)),
            );
            let found = u8x16_bitmask(special);
            if found != 0 {
                return at + found.trailing_zeros() as usize;
            }
            at += 16;
        }
    }
    let special = |w: u64| {
        zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes(w ^ (ONES * u64::from(b'\\')))
            | bytes_below(w, 0x20)
    };
    while let Some(chunk) = bytes.get(at..at + 8) {
        let found = special(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        if found != 0 {
            // The lowest flagged byte is a true match (a borrow only flags bytes above one).
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    // The last bytes, fewer than eight, as one more word padded with a plain byte: a short
    // text the writer escapes (a store code, a status) ends here, and a byte at a time cost
    // ~25 operators a byte.
    let rest = bytes.len().saturating_sub(at);
    if rest == 0 {
        return at;
    }
    let mut word = ONES * u64::from(b'A');
    // SAFETY: `rest` (one to seven) bytes from `at` are in `bytes`, and fit the word.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr().add(at), (&raw mut word).cast::<u8>(), rest);
    }
    let found = special(u64::from_le(word));
    match found {
        0 => bytes.len(),
        _ => at + (found.trailing_zeros() / 8) as usize,
    }
}

// The compact readers, the one pass over an object written as Amazon sends it on the wire
// ([`Reader::compact_object`]): functions of the document and a position, giving where what
// they read ends, so that the object's loop keeps its position in a local.

/// The index of the first key of `keys`, from `from` on, whose compact member (its frame, see
/// [`Keys::framed`]: `,"Key":`) is at `at`, from the separator there (`{` or `,`, the
/// caller's to check), and where the member's value starts; [`UNLISTED_KEY`] when there is
/// none (and when fewer than eight bytes are left). `heads` are the frames' [`frame_heads`],
/// which makes sure every frame is a word or longer: a key tried is one word compared, its
/// frame's rest only when the word matches.
#[inline(always)]
fn compact_key_at(
    bytes: &[u8],
    at: usize,
    keys: &Keys,
    heads: &[u64],
    from: usize,
) -> (usize, usize) {
    let Some(word) = bytes.get(at..at + 8) else {
        return (UNLISTED_KEY, at);
    };
    let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
    // The key after the last one found, nearly always the one here, before the loop.
    if let (Some(head), Some(frame)) = (heads.get(from), keys.framed.get(from)) {
        let (frame, end) = (frame.as_bytes(), at + frame.len());
        if (word ^ head) & !0xFF == 0
            && bytes
                .get(at..end)
                .is_some_and(|here| same_after_head(here, frame))
        {
            return (from, end);
        }
    }
    let mut index = from + 1;
    while let Some(head) = heads.get(index) {
        // Not the separator, the frame's comma (every frame is a word or longer).
        if (word ^ head) & !0xFF == 0 {
            let frame = keys.framed.get(index).map_or(&[][..], |f| f.as_bytes());
            let end = at + frame.len();
            if bytes
                .get(at..end)
                .is_some_and(|here| same_after_head(here, frame))
            {
                return (index, end);
            }
        }
        index += 1;
    }
    (UNLISTED_KEY, at)
}

/// A string at `at` without escapes, borrowed, and where it ends; `None` for anything else.
/// [`Reader::raw_string`]'s plain path, written again: one helper for both cost the push 246
/// fuel and the page 25 k (measured), in the general reader's strings.
#[inline(always)]
pub(crate) fn compact_text_at(text: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let end = plain_run_end(bytes, start);
    if bytes.get(end) != Some(&b'"') {
        return None;
    }
    // SAFETY: `start` follows a `"` and `end` is a `"` at or after it: both ASCII, so both are
    // character boundaries of `text`.
    Some((unsafe { text.get_unchecked(start..end) }, end + 1))
}

/// The number at `at` and where it ends, when it is written as quantities, counters and
/// milliseconds are: one to eighteen digits (no overflow), no sign, no leading zero, no
/// fraction or exponent. One pass, nothing sliced; anything else is `None`, for the general
/// path to read or refuse.
#[inline(always)]
fn plain_integer_at(bytes: &[u8], start: usize) -> Option<(i64, usize)> {
    let mut at = start;
    let mut value = 0i64;
    while let Some(&b) = bytes.get(at) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        // May wrap past eighteen digits; such a value is not returned.
        value = value.wrapping_mul(10).wrapping_add(i64::from(digit));
        at += 1;
    }
    let digits = at - start;
    let plain = (1..=18).contains(&digits)
        && (digits == 1 || bytes[start] != b'0')
        && !matches!(bytes.get(at), Some(b'.' | b'e' | b'E'));
    plain.then_some((value, at))
}

/// A quantity at `at` as [`plain_integer_at`] reads it, and where it ends.
#[inline(always)]
pub(crate) fn compact_u32_at(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
    let (n, end) = plain_integer_at(bytes, at)?;
    Some((u32::try_from(n).ok()?, end))
}

/// The amount object at `at` as Amazon writes it on the wire, without whitespace and
/// `CurrencyCode` first: `{"CurrencyCode":"USD","Amount":"` checked as four words (the code's
/// bytes masked out), then the code and the digits read in place; and where it ends. `None`
/// for any other spelling.
#[inline(always)]
fn compact_money_at(bytes: &[u8], at: usize) -> Option<(&'static str, i64, usize)> {
    const PREFIX: &[u8; 32] = b"{\"CurrencyCode\":\"XXX\",\"Amount\":\"";
    // Bytes 17 to 19, the code, are bytes 1 to 3 of the third word.
    const CODE: u64 = 0xFF_FFFF << 8;
    let word = |bytes: &[u8; 32], index: usize| {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[index * 8..index * 8 + 8]);
        u64::from_le_bytes(word)
    };
    let head: &[u8; 32] = bytes.get(at..at + 32)?.try_into().ok()?;
    if word(head, 0) != word(PREFIX, 0)
        || word(head, 1) != word(PREFIX, 1)
        || word(head, 2) & !CODE != word(PREFIX, 2) & !CODE
        || word(head, 3) != word(PREFIX, 3)
    {
        return None;
    }
    // The marketplaces' spelling of the code just after its opening quote, read in place:
    // `None` unless a quote follows it and a marketplace uses it.
    let code = bytes.get(at + 17..at + 21)?.try_into().ok()?;
    let currency =
        crate::marketplace::Marketplace::known_quoted_currency(u32::from_le_bytes(code))?;
    let (cents, end) = plain_cents(bytes, at + 32)?;
    if bytes.get(end + 1) != Some(&b'}') {
        return None;
    }
    Some((currency, cents, end + 2))
}

/// [`compact_money_at`] put in `money`, and where the amount ends; `None`, `money` as it was,
/// for anything else. Out of line, one word returned: the compact readers' one copy of it.
#[inline(never)]
pub(crate) fn compact_money_into_at(
    bytes: &[u8],
    at: usize,
    money: &mut Option<super::Money>,
) -> Option<core::num::NonZeroUsize> {
    let (currency, cents, end) = compact_money_at(bytes, at)?;
    *money = Some(super::Money {
        currency: Cow::Borrowed(currency),
        cents,
    });
    core::num::NonZeroUsize::new(end)
}

/// Reads one JSON object: for each key, runs the arm whose literal matches it (with the reader
/// bound to `$r`) and skips unknown keys. Evaluates to `()`; required fields are the caller's
/// `Option`s, checked with [`Reader::required`].
macro_rules! read_object {
    ($reader:expr, $what:expr, |$r:ident| { $($key:literal => $arm:expr),* $(,)? }) => {{
        $reader.object($what, $crate::amazon::keys::keys![$($key),*], |$r, index| {
            $crate::amazon::read::read_object!(@arms index, $($arm),*)
        })?
    }};
    // With the `Keys` of the object named (another reader uses them too): the keys listed must
    // be those, in their order, which the build checks.
    ($reader:expr, $what:expr, $keys:expr, |$r:ident| { $($key:literal => $arm:expr),* $(,)? }) => {{
        const _: () = assert!(
            $crate::amazon::keys::same_frames(
                $keys.framed,
                &[$($crate::amazon::write::key!($key).0),*]
            ),
            "the members listed are the keys', in their order"
        );
        $reader.object($what, $keys, |$r, index| {
            $crate::amazon::read::read_object!(@arms index, $($arm),*)
        })?
    }};
    (@arms $index:ident, $($arm:expr),*) => {{
        let mut arm = 0usize;
        $(
            if $index == arm {
                $arm;
                return Ok(());
            }
            arm += 1;
        )*
        let _ = arm;
        Ok(())
    }};
}
pub(crate) use read_object;

impl<'j> Reader<'j> {
    /// Reads the whole of `json` with `read`; only whitespace may follow the value.
    pub(crate) fn document<T>(
        json: &'j str,
        read: impl FnOnce(&mut Reader<'j>) -> Read<T>,
    ) -> Read<T> {
        let mut r = Reader {
            text: json,
            at: 0,
            held: None,
        };
        let value = read(&mut r)?;
        r.skip_whitespace();
        if r.at < r.text.len() {
            return r.fail_here("trailing characters".into());
        }
        Ok(value)
    }

    fn bytes(&self) -> &'j [u8] {
        self.text.as_bytes()
    }

    pub(crate) fn fail_here<T>(&self, message: String) -> Read<T> {
        Err(self.fault(message))
    }

    /// Leaves the document early, by the error path, when a caller has what it needs: a
    /// failure without a message, which no fault has ([`Fail::is_stop`]).
    pub(crate) fn stop<T>(&self) -> Read<T> {
        Err(Box::new(Fail {
            at: self.at,
            message: String::new(),
        }))
    }

    pub(crate) fn wrong_type<T>(&self, found: Peek, expected: &str) -> Read<T> {
        Err(self.wrong_type_fault(found, expected))
    }

    // The faults' messages are put together out of line, once: inside each `Read<T>` maker
    // they were a copy per `T` (≈ 2 KB of the component).
    #[cold]
    #[inline(never)]
    fn wrong_type_fault(&self, found: Peek, expected: &str) -> Box<Fail> {
        self.fault(format!(
            "invalid type: {}, expected {expected}",
            found.kind()
        ))
    }

    #[cold]
    #[inline(never)]
    fn fault(&self, message: String) -> Box<Fail> {
        debug_assert!(!message.is_empty(), "a fault says what it is: see `stop`");
        Box::new(Fail {
            at: self.at,
            message,
        })
    }

    /// `duplicate field `key`` the second time a member is met, for the members whose value is
    /// acted on as it is read (serde's derived readers refuse every duplicate).
    pub(crate) fn first_time(&self, seen: &mut bool, key: &str) -> Read<()> {
        if core::mem::replace(seen, true) {
            return self.fail_here(format!("duplicate field `{key}`"));
        }
        Ok(())
    }

    /// Goes back to `at`, where a value began, to read it another way.
    pub(crate) fn rewind(&mut self, at: usize) {
        self.at = at;
    }

    /// `missing field `key``, reported at the end of the object just read.
    pub(crate) fn required<T>(&self, value: Option<T>, key: &str) -> Read<T> {
        match value {
            Some(v) => Ok(v),
            None => Err(self.missing(key)),
        }
    }

    #[cold]
    #[inline(never)]
    fn missing(&self, key: &str) -> Box<Fail> {
        self.fault(format!("missing field `{key}`"))
    }

    // The per-byte helpers below are forced inline: the size-optimised build would otherwise
    // make a call per byte.
    /// Where the next value starts (after whitespace).
    pub(crate) fn value_start(&mut self) -> Read<usize> {
        self.peek()?;
        Ok(self.at)
    }

    /// Passes over the next value if it is written exactly as `value`, the text of an object or
    /// an array read before (such a text ends at its last bracket, so an equal text is that
    /// whole value, whatever follows it); whether it did.
    pub(crate) fn pass_same(&mut self, value: &str) -> Read<bool> {
        // A scalar's text would match a longer scalar's first digits.
        debug_assert!(matches!(
            value.as_bytes(),
            [b'{', .., b'}'] | [b'[', .., b']']
        ));
        let start = self.value_start()?;
        let end = start + value.len();
        let same = self
            .bytes()
            .get(start..end)
            .is_some_and(|here| here == value.as_bytes());
        if same {
            self.at = end;
        }
        Ok(same)
    }

    /// Where the reader is: just past the last value read.
    pub(crate) fn position(&self) -> usize {
        self.at
    }

    /// The text from `start`, where a value began, to the end of the value just read.
    pub(crate) fn text_since(&self, start: usize) -> &'j str {
        slice(self.text, start..self.at)
    }

    #[inline(always)]
    fn skip_whitespace(&mut self) {
        let bytes = self.bytes();
        let mut at = self.at;
        // JSON whitespace is all at or below the space: one comparison passes over a token.
        while at < bytes.len()
            && bytes[at] <= b' '
            && matches!(bytes[at], b' ' | b'\n' | b'\r' | b'\t')
        {
            at += 1;
        }
        self.at = at;
    }

    /// The next non-whitespace byte, not consumed; 0 at the end of the text (callers that find
    /// an unexpected byte report it with [`Self::unexpected`]).
    #[inline(always)]
    fn next_byte(&mut self) -> u8 {
        self.skip_whitespace();
        self.bytes().get(self.at).copied().unwrap_or(0)
    }

    /// The error for the byte [`Self::next_byte`] found: the end of the text while parsing
    /// `within`, or `expected`. Out of line: only failures get here.
    #[inline(never)]
    fn unexpected<T>(&self, within: &str, expected: &str) -> Read<T> {
        Err(self.unexpected_fault(within, expected))
    }

    #[cold]
    #[inline(never)]
    fn unexpected_fault(&self, within: &str, expected: &str) -> Box<Fail> {
        self.fault(if self.at >= self.text.len() {
            format!("EOF while parsing {within}")
        } else {
            expected.into()
        })
    }

    pub(crate) fn peek(&mut self) -> Read<Peek> {
        Ok(match self.next_byte() {
            b'n' => Peek::Null,
            b't' | b'f' => Peek::Bool,
            b'-' | b'0'..=b'9' => Peek::Number,
            b'"' => Peek::String,
            b'[' => Peek::Array,
            b'{' => Peek::Object,
            _ => return self.unexpected("a value", "expected value"),
        })
    }

    /// Consumes `word` (`true`, `false`, `null`).
    fn literal(&mut self, word: &str) -> Read<()> {
        if self
            .bytes()
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word.as_bytes()))
        {
            self.at += word.len();
            Ok(())
        } else {
            self.fail_here("expected ident".into())
        }
    }

    /// The text from `start` to `end`, unchecked (the checked slice was ~2 % of a push's fuel).
    ///
    /// # Safety
    /// The byte before `start` and the byte at `end` are `"`s, `start <= end`: ASCII bytes of
    /// a `str`, so both are character boundaries, in order.
    #[inline(always)]
    unsafe fn quoted(&self, start: usize, end: usize) -> &'j str {
        debug_assert!(self.bytes().get(start.wrapping_sub(1)) == Some(&b'"'));
        debug_assert!(self.bytes().get(end) == Some(&b'"') && start <= end);
        // SAFETY: the caller's guarantee (above).
        unsafe { self.text.get_unchecked(start..end) }
    }

    /// The string starting at the current `"`: borrowed unless it has escapes. Only called
    /// with the reader at a `"` (each caller peeked or checked it): the unchecked slice below
    /// relies on it.
    fn raw_string(&mut self) -> Read<Cow<'j, str>> {
        let bytes = self.bytes();
        let start = self.at + 1;
        let at = plain_run_end(bytes, start);
        if matches!(bytes.get(at), Some(b'"')) {
            self.at = at + 1;
            // SAFETY: `start` follows the `"` the reader is at (every caller made sure), and
            // `at` is a `"` at or after `start`.
            return Ok(Cow::Borrowed(unsafe { self.quoted(start, at) }));
        }
        self.at = at;
        if at == bytes.len() {
            return self.fail_here("EOF while parsing a string".into());
        }
        let mut owned = String::from(slice(self.text, start..self.at));
        loop {
            match bytes.get(self.at) {
                None => return self.fail_here("EOF while parsing a string".into()),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = match bytes.get(self.at) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return self.fail_here("invalid escape".into()),
                    };
                    self.at += 1;
                    owned.push(escaped);
                }
                Some(0..=0x1f) => {
                    return self.fail_here("control character while parsing a string".into())
                }
                Some(_) => {
                    // Copies up to the next quote or backslash in one go.
                    let end = plain_run_end(bytes, self.at);
                    owned.push_str(slice(self.text, self.at..end));
                    self.at = end;
                }
            }
        }
    }

    /// `\uXXXX` (the `u` is current), with UTF-16 surrogate pairs; leaves `at` on the last hex
    /// digit.
    fn unicode_escape(&mut self) -> Read<char> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.bytes().get(self.at + 1..self.at + 3) != Some(b"\\u") {
                return self.fail_here("lone leading surrogate in hex escape".into());
            }
            self.at += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return self.fail_here("invalid unicode code point".into());
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => self.fail_here("invalid unicode code point".into()),
        }
    }

    /// The four hex digits after the current `u`.
    fn hex4(&mut self) -> Read<u32> {
        let digits = self.text.get(self.at + 1..self.at + 5);
        let hex = |d: &str| {
            d.chars()
                .try_fold(0u32, |code, c| Some(code * 16 + c.to_digit(16)?))
        };
        match digits.and_then(hex) {
            Some(v) => {
                self.at += 4;
                Ok(v)
            }
            None => self.fail_here("unexpected end of hex escape".into()),
        }
    }

    /// Consumes `:` after a key.
    fn colon(&mut self) -> Read<()> {
        if self.next_byte() == b':' {
            self.at += 1;
            Ok(())
        } else {
            self.unexpected("an object", "expected `:`")
        }
    }

    /// The index in `keys` of the key here (`None` for a key not listed), and its colon. Keys
    /// without escapes, i.e. all of them in practice, are compared where they stand.
    #[inline(always)]
    fn key_index(&mut self, keys: &Keys) -> Read<Option<usize>> {
        if self.next_byte() != b'"' {
            return self.unexpected("an object", "key must be a string");
        }
        let bytes = self.bytes();
        let start = self.at + 1;
        let end = plain_run_end(bytes, start);
        let index = if matches!(bytes.get(end), Some(b'"')) {
            self.at = end + 1;
            keys.index_at(bytes, start, end)
        } else {
            let key = self.raw_string()?;
            keys.index(key.as_bytes())
        };
        // The colon nearly always follows the quote at once: no call for it then.
        if bytes.get(self.at) == Some(&b':') {
            self.at += 1;
        } else {
            self.colon()?;
        }
        Ok(index)
    }

    /// After a member or an element: whether another follows (`,`) or the container ends
    /// (`close`). Inlined: `skip` runs one per value it passes over.
    #[inline(always)]
    fn step(&mut self, close: u8, within: &str, expected: &str) -> Read<bool> {
        match self.next_byte() {
            b',' => {
                self.at += 1;
                Ok(true)
            }
            b if b == close => {
                self.at += 1;
                Ok(false)
            }
            _ => self.unexpected(within, expected),
        }
    }

    #[inline(always)]
    fn member_step(&mut self) -> Read<bool> {
        self.step(b'}', "an object", "expected `,` or `}`")
    }

    /// The next key of an object (see [`Self::key_index`]) as its index, [`UNLISTED_KEY`], or
    /// [`OBJECT_END`] at its `}`: the first right after its `{` (`first`), the others after a
    /// member and its `,`. One function for both, with the key read inline: it runs once per
    /// member of every object read. A fault is held ([`KEY_FAULT`]).
    ///
    /// Amazon writes an object's members in one order and each reader lists its keys in it, so
    /// the key at `expected` (the one after the last matched) is tried first, framed as a
    /// compact member. Whitespace, an unexpected key or an escape take the general path.
    #[inline(never)]
    fn member_key(&mut self, keys: &Keys, expected: usize, first: bool) -> usize {
        // The expected member's `,"Key":`, compared from the separator: one comparison for
        // the comma, the key, its quotes and the colon. The first member's separator is the
        // `{` before the reader, whose byte is left out.
        if let Some(frame) = keys.framed.get(expected).map(|f| f.as_bytes()) {
            let start = self.at - usize::from(first);
            let end = start + frame.len();
            if self
                .bytes()
                .get(start..end)
                .is_some_and(|here| is_frame(here, frame, first))
            {
                self.at = end;
                return expected;
            }
        }
        self.other_member_key(keys, expected, first)
    }

    /// [`Self::member_key`] past a member that is not the expected one: apart, so that the
    /// expected member's path sets up no stack frame. The few keys after the expected one are
    /// tried as compact members first (Amazon leaves members out, rarely more than five in a
    /// row: an order without its four ship and delivery dates; six tried took 21 k fuel off a
    /// 100-order page, against four), then the key is looked up.
    #[inline(never)]
    fn other_member_key(&mut self, keys: &Keys, expected: usize, first: bool) -> usize {
        let bytes = self.bytes();
        // Most objects end before their last listed key: the end comes first.
        if bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return OBJECT_END;
        }
        let start = self.at - usize::from(first);
        for index in expected + 1..expected + 7 {
            let Some(frame) = keys.framed.get(index).map(|f| f.as_bytes()) else {
                break;
            };
            let end = start + frame.len();
            if bytes
                .get(start..end)
                .is_some_and(|here| is_frame(here, frame, first))
            {
                self.at = end;
                return index;
            }
        }
        let next = self.next_byte();
        if next == b'}' {
            self.at += 1;
            return OBJECT_END;
        }
        if !first {
            if next != b',' {
                self.held = Some(self.unexpected_fault("an object", "expected `,` or `}`"));
                return KEY_FAULT;
            }
            self.at += 1;
        }
        match self.key_index(keys) {
            Ok(Some(index)) => index,
            Ok(None) => UNLISTED_KEY,
            Err(fault) => {
                self.held = Some(fault);
                KEY_FAULT
            }
        }
    }

    /// Reads the object here if it is written as Amazon sends it on the wire: compact, its
    /// members in `keys`' order (any of them left out), each value taken by `member` (given the
    /// document, its key's index and where its value starts, it reads the value with the
    /// compact readers and gives where it ends, or gives `None` for anything else,
    /// [`UNLISTED_KEY`] included). Whether it was; when not, the reader is left anywhere and the
    /// caller reads the object again with the general reader. `heads` are the keys'
    /// [`frame_heads`].
    ///
    /// One pass without the general reader's per-member results: each key is found by
    /// comparing one word per key tried, each value is put where it is kept. Keys are only
    /// looked for after the last one found: fewer to try, and a key given twice is left to the
    /// general reader. The position is kept in a local, not in the reader: a member read by the
    /// compact readers, which take the document and a position, loads and stores nothing of
    /// the reader (a push −1 003 fuel, BENCHMARKS.md). `member` moves the reader to the value
    /// ([`Self::rewind`]) only to hand it to the general reader.
    #[inline(always)]
    pub(crate) fn compact_object(
        &mut self,
        keys: &Keys,
        heads: &[u64],
        mut member: impl FnMut(&mut Self, &'j str, usize, usize) -> Option<usize>,
    ) -> bool {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut at = self.at;
        if bytes.get(at) != Some(&b'{') {
            return false;
        }
        let mut next = 0;
        loop {
            let (index, value) = compact_key_at(bytes, at, keys, heads, next);
            let Some(end) = member(self, text, index, value) else {
                return false;
            };
            at = end;
            next = index + 1;
            match bytes.get(at) {
                Some(b',') => {}
                Some(b'}') => break,
                _ => return false,
            }
        }
        self.at = at + 1;
        true
    }

    /// An amount right here as Amazon writes it on the wire (see [`compact_money_at`]), put
    /// in `money`; `None`, the reader unmoved, for anything else.
    pub(crate) fn compact_money_into(&mut self, money: &mut Option<super::Money>) -> Option<()> {
        self.at = compact_money_into_at(self.bytes(), self.at, money)?.get();
        Some(())
    }

    /// A string right here without escapes, borrowed; `None`, the reader unmoved, for
    /// anything else (see [`compact_text_at`]).
    pub(crate) fn compact_text(&mut self) -> Option<&'j str> {
        let (text, end) = compact_text_at(self.text, self.at)?;
        self.at = end;
        Some(text)
    }

    /// A quantity right here as [`plain_integer_at`] reads it; `None`, the reader unmoved,
    /// for anything else.
    #[inline(never)]
    pub(crate) fn compact_u32(&mut self) -> Option<u32> {
        let (n, end) = compact_u32_at(self.bytes(), self.at)?;
        self.at = end;
        Some(n)
    }

    /// The fault [`Self::member_key`] held.
    #[cold]
    #[inline(never)]
    fn held_fault(&mut self) -> Box<Fail> {
        self.held
            .take()
            .unwrap_or_else(|| self.fault("a key fault that was not held".into()))
    }

    /// Consumes `[`; whether an element follows.
    fn open_array(&mut self) -> Read<bool> {
        self.at += 1;
        match self.next_byte() {
            b']' => {
                self.at += 1;
                Ok(false)
            }
            0 if self.at >= self.text.len() => self.unexpected("a list", ""),
            _ => Ok(true),
        }
    }

    /// After an element: whether another follows.
    pub(crate) fn array_step(&mut self) -> Read<bool> {
        self.step(b']', "a list", "expected `,` or `]`")
    }

    /// An object whose known keys (`keys`) go to `field` by index; the others are skipped.
    #[inline(always)]
    pub(crate) fn object(
        &mut self,
        what: &str,
        keys: &Keys,
        mut field: impl FnMut(&mut Self, usize) -> Read<()>,
    ) -> Read<()> {
        let peek = self.peek()?;
        if peek != Peek::Object {
            return self.wrong_type(peek, what);
        }
        self.at += 1;
        let mut key = self.member_key(keys, 0, true);
        let mut expected = 0;
        loop {
            match key {
                OBJECT_END => return Ok(()),
                UNLISTED_KEY => self.skip()?,
                KEY_FAULT => return Err(self.held_fault()),
                index => {
                    field(self, index)?;
                    expected = index + 1;
                }
            }
            key = self.member_key(keys, expected, false);
        }
    }

    /// Enters the array here (`what` names it in the error for any other value); whether an
    /// element follows.
    pub(crate) fn enter_array(&mut self, what: &str) -> Read<bool> {
        let peek = self.peek()?;
        if peek != Peek::Array {
            return self.wrong_type(peek, what);
        }
        self.open_array()
    }

    /// An array, each element read by `element`.
    pub(crate) fn array<T>(
        &mut self,
        what: &str,
        mut element: impl FnMut(&mut Self) -> Read<T>,
    ) -> Read<Vec<T>> {
        let mut out = Vec::new();
        let mut more = self.enter_array(what)?;
        while more {
            out.push(element(self)?);
            more = self.array_step()?;
        }
        Ok(out)
    }

    /// The elements of an array, each as the text it is written with (to hand parts of a
    /// document on without re-serializing them).
    pub(crate) fn element_texts(&mut self) -> Read<Vec<&'j str>> {
        let text = self.text;
        self.array("an array", |r| {
            let start = r.value_start()?;
            r.skip()?;
            Ok(slice(text, start..r.at))
        })
    }

    /// The members of an object as written: the key without its quotes (escapes kept, not
    /// decoded) and the value's text.
    pub(crate) fn member_texts(&mut self) -> Read<Vec<(&'j str, &'j str)>> {
        let text = self.text;
        let peek = self.peek()?;
        if peek != Peek::Object {
            return self.wrong_type(peek, "an object");
        }
        self.at += 1;
        let mut members = Vec::new();
        let mut more = self.next_byte() != b'}';
        if !more {
            self.at += 1;
        }
        while more {
            let key = slice(text, self.skip_key()?);
            let start = self.value_start()?;
            self.skip()?;
            members.push((key, slice(text, start..self.at)));
            more = self.member_step()?;
        }
        Ok(members)
    }

    /// `null` as `None`, anything else read by `read`.
    #[inline(always)]
    pub(crate) fn nullable<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Read<T>,
    ) -> Read<Option<T>> {
        if self.peek()? == Peek::Null {
            self.literal("null")?;
            return Ok(None);
        }
        read(self).map(Some)
    }

    /// Runs `parse` on a string value; its error is reported at the value.
    pub(crate) fn with_str<T>(&mut self, parse: impl FnOnce(&str) -> Result<T, String>) -> Read<T> {
        let (at, text) = self.string_value()?;
        parse(&text).map_err(|message| Box::new(Fail { at, message }))
    }

    /// A string value and where it starts, for [`Self::with_str`]: out of line, one copy for
    /// all its parsers. Right after a key's colon in compact JSON, the quote needs no peek.
    fn string_value(&mut self) -> Read<(usize, Cow<'j, str>)> {
        if !self.at_quote() {
            let peek = self.peek()?;
            if peek != Peek::String {
                return self.wrong_type(peek, "a string");
            }
        }
        let at = self.at;
        Ok((at, self.raw_string()?))
    }

    /// One of the variants in `all`, read from a string spelled as `name` spells it.
    pub(crate) fn one_of<T: Copy>(&mut self, all: &[T], name: fn(T) -> &'static str) -> Read<T> {
        self.with_str(|text| {
            all.iter()
                .copied()
                .find(|v| name(*v) == text)
                .ok_or_else(|| format!("unknown value \"{text}\""))
        })
    }

    /// The index in `names` of the name here, or of the name an alias in `aliases` stands
    /// for; an unknown name is reported as serde reports an unknown variant. Not generic, so
    /// one copy serves every enum (callers index their values with the result).
    pub(crate) fn variant(&mut self, names: &[&str], aliases: &[(&str, usize)]) -> Read<usize> {
        self.with_str(|text| {
            if let Some(index) = names.iter().position(|name| *name == text) {
                return Ok(index);
            }
            if let Some(&(_, index)) = aliases.iter().find(|(alias, _)| *alias == text) {
                return Ok(index);
            }
            let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
            let expected = match quoted.as_slice() {
                [a, b] => format!("{a} or {b}"),
                _ => format!("one of {}", join(quoted.iter().map(String::as_str), ", ")),
            };
            Err(format!("unknown variant `{text}`, expected {expected}"))
        })
    }

    /// Whether a string starts right here, as it does after a key's colon in compact JSON:
    /// the string readers then need no [`Self::peek`].
    #[inline(always)]
    fn at_quote(&self) -> bool {
        self.bytes().get(self.at) == Some(&b'"')
    }

    /// A string value, borrowed from the document unless it has escapes.
    pub(crate) fn text(&mut self) -> Read<Cow<'j, str>> {
        if self.at_quote() {
            return self.raw_string();
        }
        match self.peek()? {
            Peek::String => self.raw_string(),
            peek => self.wrong_type(peek, "a string"),
        }
    }

    /// [`Self::text`], or `None` for `null`.
    pub(crate) fn opt_text(&mut self) -> Read<Option<Cow<'j, str>>> {
        match self.compact_text() {
            Some(text) => Ok(Some(Cow::Borrowed(text))),
            None => self.other_opt_text(),
        }
    }

    /// [`Self::opt_text`] of anything but a plain text: apart, so that the plain text's path
    /// sets up no stack frame for the general string reader's result.
    #[cold]
    #[inline(never)]
    fn other_opt_text(&mut self) -> Read<Option<Cow<'j, str>>> {
        if self.at_quote() {
            return self.raw_string().map(Some);
        }
        match self.peek()? {
            Peek::String => self.raw_string().map(Some),
            Peek::Null => self.literal("null").map(|()| None),
            peek => self.wrong_type(peek, "a string"),
        }
    }

    pub(crate) fn string(&mut self) -> Read<String> {
        self.text().map(Cow::into_owned)
    }

    pub(crate) fn opt_string(&mut self) -> Read<Option<String>> {
        self.opt_text().map(|text| text.map(Cow::into_owned))
    }

    pub(crate) fn bool(&mut self) -> Read<bool> {
        match self.peek()? {
            Peek::Bool if self.bytes()[self.at] == b't' => self.literal("true").map(|()| true),
            Peek::Bool => self.literal("false").map(|()| false),
            peek => self.wrong_type(peek, "a boolean"),
        }
    }

    /// A number as JSON has it.
    fn number(&mut self, expected: &str) -> Read<Number<'j>> {
        let peek = self.peek()?;
        if peek != Peek::Number {
            return self.wrong_type(peek, expected);
        }
        if let Some((n, end)) = self.plain_integer() {
            self.at = end;
            return Ok(Number::Int(n));
        }
        let start = self.at;
        let (end, is_integer) = self.number_end()?;
        let text = slice(self.text, start..end);
        self.at = end;
        if !is_integer {
            return Ok(Number::Decimal(text));
        }
        match integer(text) {
            Some(n) => Ok(Number::Int(n)),
            None => self.fail_at(start, "number out of range"),
        }
    }

    /// [`plain_integer_at`] here.
    #[inline(always)]
    fn plain_integer(&self) -> Option<(i64, usize)> {
        plain_integer_at(self.bytes(), self.at)
    }

    /// Where the number starting here ends, and whether it is an integer (no fraction, no
    /// exponent): the JSON grammar, checked without converting anything.
    fn number_end(&self) -> Read<(usize, bool)> {
        let bytes = self.bytes();
        let start = self.at;
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at - from
        };
        let mut end = start + usize::from(bytes[start] == b'-');
        let whole = digits(&mut end);
        let leading_zero = whole > 1 && bytes[end - whole] == b'0';
        let mut integer = true;
        if matches!(bytes.get(end), Some(b'.')) {
            end += 1;
            integer = false;
            if digits(&mut end) == 0 {
                return self.fail_at(end, "invalid number");
            }
        }
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            end += 1;
            integer = false;
            if matches!(bytes.get(end), Some(b'+' | b'-')) {
                end += 1;
            }
            if digits(&mut end) == 0 {
                return self.fail_at(end, "invalid number");
            }
        }
        if whole == 0 || leading_zero {
            return self.fail_at(end, "invalid number");
        }
        Ok((end, integer))
    }

    fn fail_at<T>(&self, at: usize, message: &str) -> Read<T> {
        debug_assert!(!message.is_empty(), "a fault says what it is: see `stop`");
        Err(Box::new(Fail {
            at,
            message: message.to_owned(),
        }))
    }

    pub(crate) fn u32(&mut self) -> Read<u32> {
        let at = self.at;
        match self.number("a quantity")? {
            Number::Int(n) => u32::try_from(n).or_else(|_| {
                self.fail_at(
                    at,
                    &format!("invalid value: {n}, expected a quantity (u32)"),
                )
            }),
            Number::Decimal(text) => self.fail_at(
                at,
                &format!("invalid type: {text}, expected a whole quantity"),
            ),
        }
    }

    pub(crate) fn opt_u32(&mut self) -> Read<Option<u32>> {
        self.nullable(Self::u32)
    }

    /// A whole number (the engine's own records: milliseconds, counters).
    pub(crate) fn i64(&mut self) -> Read<i64> {
        let at = self.at;
        match self.number("an integer")? {
            Number::Int(n) => Ok(n),
            Number::Decimal(text) => {
                self.fail_at(at, &format!("invalid type: {text}, expected an integer"))
            }
        }
    }

    pub(crate) fn opt_i64(&mut self) -> Read<Option<i64>> {
        self.nullable(Self::i64)
    }

    /// An SP-API time: a date-time string (see [`parse_time`]) or epoch seconds.
    pub(crate) fn time(&mut self) -> Read<DateTime<Utc>> {
        let at = self.at;
        if let Some(text) = self.compact_text() {
            return parse_time(text).map_err(|message| Box::new(Fail { at, message }));
        }
        if self.peek()? == Peek::String {
            return self.with_str(parse_time);
        }
        let at = self.at;
        let seconds = match self.number("an ISO 8601 date-time")? {
            Number::Int(n) => Ok(n),
            Number::Decimal(_) => Err("epoch seconds must be a whole number".to_owned()),
        };
        seconds
            .and_then(from_epoch_seconds)
            .map_err(|message| Box::new(Fail { at, message }))
    }

    pub(crate) fn opt_time(&mut self) -> Read<Option<DateTime<Utc>>> {
        self.nullable(Self::time)
    }

    /// A boolean Amazon sometimes sends as `"true"` / `"false"`.
    pub(crate) fn flag(&mut self) -> Read<Option<bool>> {
        if let Some(value) = self.usual_flag() {
            return Ok(Some(value));
        }
        match self.peek()? {
            Peek::Null => self.literal("null").map(|()| None),
            Peek::String => self.with_str(flag_from_str),
            _ => self.bool().map(Some),
        }
    }

    /// A flag right here as Amazon spells it, `true`, `false`, `"true"` or `"false"`,
    /// compared as one word (the eight bytes from here, masked to the spelling's length);
    /// `None`, the reader unmoved, for anything else.
    #[inline(always)]
    fn usual_flag(&mut self) -> Option<bool> {
        /// A spelling's bytes as a little-endian word, and the mask of its length.
        const fn spelled(text: &[u8]) -> (u64, u64) {
            (
                word_by_bytes(text, 0, text.len()),
                u64::MAX >> (64 - 8 * text.len()),
            )
        }
        const SPELLINGS: [((u64, u64), bool, usize); 4] = [
            (spelled(b"true"), true, 4),
            (spelled(b"false"), false, 5),
            (spelled(b"\"true\""), true, 6),
            (spelled(b"\"false\""), false, 7),
        ];
        let here = self.bytes().get(self.at..self.at + 8)?;
        let word = u64::from_le_bytes(here.try_into().ok()?);
        let &(_, value, len) = SPELLINGS
            .iter()
            .find(|((spelling, mask), _, _)| word & mask == *spelling)?;
        self.at += len;
        Some(value)
    }

    /// [`compact_money_at`] here, the reader past the amount when it is one.
    #[cfg(test)]
    pub(crate) fn compact_money(&mut self) -> Option<(&'static str, i64)> {
        let (currency, cents, end) = compact_money_at(self.bytes(), self.at)?;
        self.at = end;
        Some((currency, cents))
    }

    /// Money's `Amount`: a decimal string, or a bare JSON number.
    pub(crate) fn amount(&mut self) -> Read<i64> {
        if self.peek()? == Peek::String {
            return self.with_str(parse_cents);
        }
        let at = self.at;
        match self.number("a decimal amount as a string")? {
            Number::Int(n) => cents_from_i64(n),
            Number::Decimal(text) => scaled_decimal(text, 2)
                .filter(|cents| cents.abs() <= MAX_ABS_CENTS)
                .ok_or_else(|| "amount is too large".to_owned()),
        }
        .map_err(|message| Box::new(Fail { at, message }))
    }

    /// Skips a string: its escapes are checked for syntax but not decoded, as serde_json does
    /// when it ignores a value (so a lone surrogate escape in a skipped value is not refused).
    fn skip_string(&mut self) -> Read<()> {
        let bytes = self.bytes();
        // Most strings are one plain run: scan it before looking at what ends it.
        let mut at = plain_run_end(bytes, self.at + 1);
        let failure = loop {
            match bytes.get(at) {
                None => break "EOF while parsing a string",
                Some(b'"') => {
                    self.at = at + 1;
                    return Ok(());
                }
                Some(b'\\') => match bytes.get(at + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => at += 2,
                    Some(b'u')
                        if bytes
                            .get(at + 2..at + 6)
                            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) =>
                    {
                        at += 6
                    }
                    _ => break "invalid escape",
                },
                Some(0..=0x1f) => break "control character while parsing a string",
                Some(_) => at = plain_run_end(bytes, at + 1),
            }
        };
        self.at = at;
        self.fail_here(failure.into())
    }

    /// A key being skipped and its colon; where the key's text (without quotes) is.
    fn skip_key(&mut self) -> Read<core::ops::Range<usize>> {
        if self.next_byte() != b'"' {
            return self.unexpected("an object", "key must be a string");
        }
        let start = self.at + 1;
        self.skip_string()?;
        let end = self.at - 1;
        // The colon nearly always follows the quote at once: no call for it then.
        if self.bytes().get(self.at) == Some(&b':') {
            self.at += 1;
        } else {
            self.colon()?;
        }
        Ok(start..end)
    }

    /// Skips any value, however deeply nested, without recursion: it is checked to be JSON,
    /// nothing in it is decoded or converted.
    pub(crate) fn skip(&mut self) -> Read<()> {
        // A plain text right here, as most values passed over are: one scan. Then a counter,
        // as an order's item counts are.
        if self.compact_text().is_some() {
            return Ok(());
        }
        if self.compact_u32().is_some() {
            return Ok(());
        }
        let mut open = Nesting::default();
        loop {
            let entered = match self.peek()? {
                Peek::Array => self.open_array()?.then_some(false),
                Peek::Object => {
                    self.at += 1;
                    if self.next_byte() == b'}' {
                        self.at += 1;
                        None
                    } else {
                        self.skip_key()?;
                        Some(true)
                    }
                }
                Peek::String => {
                    self.skip_string()?;
                    None
                }
                Peek::Number => {
                    self.at = self.number_end()?.0;
                    None
                }
                Peek::Bool => {
                    self.bool()?;
                    None
                }
                Peek::Null => {
                    self.literal("null")?;
                    None
                }
            };
            if let Some(object) = entered {
                open.enter(object);
                continue;
            }
            // The value is complete: move to the next one in the containers still open.
            loop {
                let more = match open.innermost() {
                    None => return Ok(()),
                    Some(true) => {
                        let more = self.member_step()?;
                        if more {
                            self.skip_key()?;
                        }
                        more
                    }
                    Some(false) => self.array_step()?,
                };
                if more {
                    break;
                }
                open.leave();
            }
        }
    }
}

/// The containers [`Reader::skip`] is inside, innermost last: `true` for an object, `false`
/// for an array. The first 64 levels are bits (skipping a nested value allocated a `Vec`
/// before, ~4 % of reading a getOrders page); any deeper ones, which no SP-API body has, go
/// to a `Vec`.
#[derive(Default)]
struct Nesting {
    shallow: u64,
    depth: usize,
    deep: Vec<bool>,
}

impl Nesting {
    fn enter(&mut self, object: bool) {
        if self.depth < 64 {
            self.shallow = self.shallow & !(1 << self.depth) | u64::from(object) << self.depth;
        } else {
            self.deep.push(object);
        }
        self.depth += 1;
    }

    fn innermost(&self) -> Option<bool> {
        match self.depth {
            0 => None,
            1..=64 => Some(self.shallow >> (self.depth - 1) & 1 == 1),
            _ => self.deep.last().copied(),
        }
    }

    fn leave(&mut self) {
        if self.depth > 64 {
            self.deep.pop();
        }
        self.depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::keys::keys;

    fn read_string(json: &str) -> Read<String> {
        Reader::document(json, Reader::string)
    }

    #[test]
    fn strings_decode_every_escape() {
        assert_eq!(
            read_string(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00 é\u00C9\uFFfd""#).unwrap(),
            "a\"b\\c/d\u{8}\u{c}\n\r\té😀 éÉ\u{fffd}"
        );
        for bad in [
            r#""\ud83d""#,
            r#""\x""#,
            r#""\u12""#,
            r#""\u+041""#,
            r#""\u-041""#,
            r#""\u004G""#,
            r#""\u00é""#,
            "\"a\u{1}\"",
            r#""abc"#,
        ] {
            assert!(read_string(bad).is_err(), "{bad:?}");
        }
    }

    /// Where a document ends too early, the error says what was being read when it ended.
    #[test]
    fn truncated_documents_say_what_they_were_in() {
        for (json, message) in [
            ("", "EOF while parsing a value"),
            ("  ", "EOF while parsing a value"),
            ("{", "EOF while parsing an object"),
            ("{\"a\"", "EOF while parsing an object"),
            ("{\"a\":", "EOF while parsing a value"),
            ("{\"a\":1", "EOF while parsing an object"),
            ("{\"a\":1,", "EOF while parsing an object"),
            ("[", "EOF while parsing a list"),
            ("[1", "EOF while parsing a list"),
            ("[1,", "EOF while parsing a value"),
            ("{\"a\" 1}", "expected `:`"),
            ("{1:2}", "key must be a string"),
            ("[1 2]", "expected `,` or `]`"),
            ("{\"a\":1 \"b\":2}", "expected `,` or `}`"),
            ("\u{0}", "expected value"),
        ] {
            let skipped = Reader::document(json, Reader::skip).map_err(|f| f.message);
            assert_eq!(skipped, Err(message.to_owned()), "{json:?}");
        }
    }

    /// The word-at-a-time scan finds what a byte-by-byte scan finds, from every start, with the
    /// neighbours that make the bit tricks flag false positives (`#` after `"`, `]` after `\`,
    /// `!` after a control character) anywhere in a word.
    #[test]
    fn the_string_scan_finds_the_first_special_byte_from_anywhere() {
        let pieces: [&[u8]; 9] = [
            b"a",
            b"\"#",
            b"\\]",
            b"\x01!",
            b"\x1f",
            b" ",
            "é".as_bytes(),
            b"~",
            b"\x7f",
        ];
        let mut seed = 0x2545_f491_u64;
        for _ in 0..2_000 {
            let mut text = Vec::new();
            for _ in 0..(seed % 12) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            for from in 0..=text.len() {
                let naive = (from..text.len())
                    .find(|&at| matches!(text[at], b'"' | b'\\' | 0..=0x1f))
                    .unwrap_or(text.len());
                assert_eq!(plain_run_end(&text, from), naive, "{text:?} from {from}");
            }
        }
    }

    #[test]
    fn bare_number_amounts_are_read_exactly_without_floats() {
        let amount = |json: &str| Reader::document(json, Reader::amount).map_err(|f| f.message);
        assert_eq!(amount("1.005"), Ok(101));
        assert_eq!(amount("-0.125"), Ok(-13));
        assert_eq!(amount("1.5e2"), Ok(15_000));
        assert_eq!(amount("25E-1"), Ok(250));
        assert_eq!(amount("7"), Ok(700));
        for huge in ["1e300", "100000000000.5", "-1E12"] {
            assert_eq!(
                amount(huge),
                Err("amount is too large".to_owned()),
                "{huge}"
            );
        }
    }

    #[test]
    fn long_strings_find_their_escapes_and_control_characters_anywhere() {
        for at in 0..24 {
            let head = "é".repeat(at / 2) + &"a".repeat(at % 2);
            let tail = "b".repeat(17);
            let escaped = format!("\"{head}\\\"{tail}\"");
            assert_eq!(read_string(&escaped).unwrap(), format!("{head}\"{tail}"));
            let plain = format!("\"{head}{tail}\"  ");
            assert_eq!(read_string(&plain).unwrap(), format!("{head}{tail}"));
            let control = format!("\"{head}\u{1f}{tail}\"");
            assert!(read_string(&control).is_err(), "{control:?}");
            let unterminated = format!("\"{head}{tail}");
            assert!(read_string(&unterminated).is_err(), "{unterminated:?}");
        }
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        let int = |json: &str| Reader::document(json, Reader::u32);
        assert_eq!(int(" 42 ").unwrap(), 42);
        for bad in [
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "1.5",
            "-1",
            "1e3",
            "99999999999999999999",
        ] {
            assert!(int(bad).is_err(), "{bad:?}");
        }
        // Plain digits are read in one pass up to eighteen of them, by the general path beyond.
        let whole = |json: &str| Reader::document(json, Reader::i64);
        for (json, value) in [
            ("0", 0),
            ("7", 7),
            ("10", 10),
            ("999999999999999999", 999_999_999_999_999_999),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ] {
            assert_eq!(whole(json).unwrap(), value, "{json}");
        }
        let listed = Reader::document("[5]", |r| r.array("a list", Reader::i64));
        assert_eq!(listed.unwrap(), [5]);
        assert!(whole("9223372036854775808").is_err());
        assert!(whole("00").is_err());
        assert!(whole("12e0").is_err());
        assert!(int("4294967296").is_err());
        assert_eq!(int("4294967295").unwrap(), u32::MAX);
        let amount = |json: &str| Reader::document(json, Reader::amount);
        assert_eq!(amount("-1.25e1").unwrap(), -1250);
        assert_eq!(amount("3").unwrap(), 300);
    }

    #[test]
    fn keys_are_matched_whatever_their_order_and_spelling() {
        let read = |json: &str| {
            let mut seen = Vec::new();
            Reader::document(json, |r| {
                r.object("o", keys!["Title", "Qty", "Price"], |r, index| {
                    seen.push((index, r.u32()?));
                    Ok(())
                })
            })
            .unwrap();
            seen
        };
        // In the listed order, each key the one expected.
        assert_eq!(
            read(r#"{"Title":1,"Qty":2,"Price":3}"#),
            [(0, 1), (1, 2), (2, 3)]
        );
        // Any other order, unknown keys between and around, keys that start or end like the
        // expected one, an unknown key as long as it, and escaped spellings of known keys.
        assert_eq!(
            read(
                r#"{"Price":3,"Titles":9,"Qty":2,"PriceX":9,"Title":1,"Qtx":9,"Pric\u0065":4,
                    "T\"tle":9,"Q\u0074y":5,"xQty":9,"Title":6,"Qty\"":9,"Qty\\":9,
                    "Qty\u0020":9}"#
            ),
            [(2, 3), (1, 2), (0, 1), (2, 4), (1, 5), (0, 6)]
        );
        // Whitespace around the tokens of an expected member, which is then not framed as in
        // compact JSON.
        assert_eq!(
            read("{ \"Title\" : 1 ,\n\"Qty\":2, \"Price\"\t:3 }"),
            [(0, 1), (1, 2), (2, 3)]
        );
        // A text that ends inside the expected member's frame.
        for cut in [r#"{"Title":1,"Qty""#, r#"{"Title":1,"Qt"#, r#"{"Title"#] {
            let fail = Reader::document(cut, |r| {
                r.object("o", keys!["Title", "Qty"], |r, _| r.u32().map(drop))
            })
            .unwrap_err();
            assert_eq!(fail.at, cut.len(), "{cut}");
            assert!(
                fail.message.starts_with("EOF while parsing"),
                "{cut}: {}",
                fail.message
            );
        }
    }

    /// The expected member, and those after it that the look-ahead tries, are compared from
    /// their separator: any byte but a comma there is refused, for frames of a word or more
    /// (`,"Title":`) and shorter ones (`,"Qty":`), and only the first member's `{` is not
    /// compared.
    #[test]
    fn an_expected_member_needs_its_comma() {
        let read = |json: &str| {
            Reader::document(json, |r| {
                r.object("o", keys!["Title", "Qty", "Price"], |r, _| {
                    r.u32().map(drop)
                })
            })
            .map_err(|f| f.message)
        };
        assert_eq!(read(r#"{"Title":1,"Qty":2,"Price":3}"#), Ok(()));
        assert_eq!(read(r#"{"Qty":2,"Price":3}"#), Ok(()));
        assert_eq!(read(r#"{"Title":1,"Price":3}"#), Ok(()));
        for separator in [" ", ";", "{", "\"", "x", "\u{0}"] {
            for json in [
                format!(r#"{{"Title":1{separator}"Qty":2}}"#),
                format!(r#"{{"Title":1,"Qty":2{separator}"Price":3}}"#),
                // After a member left out: found by the look-ahead.
                format!(r#"{{"Title":1{separator}"Price":3}}"#),
            ] {
                assert!(read(&json).is_err(), "{json}");
            }
        }
    }

    /// Amazon's four usual spellings are read in one step, every other one by the general
    /// path: the same values, the reader past the same bytes, the same refusals.
    #[test]
    fn flags_read_the_same_in_every_spelling() {
        let flag = |json: &str| {
            Reader::document(json, |r| {
                let value = r.flag()?;
                Ok((value, r.position()))
            })
        };
        for (json, value) in [
            ("true        ", Some(true)),
            ("false       ", Some(false)),
            ("\"true\"      ", Some(true)),
            ("\"false\"     ", Some(false)),
            ("true", Some(true)),
            ("\"false\"", Some(false)),
            ("\"TRUE\"", Some(true)),
            ("\" False \"", Some(false)),
            ("\"\"", None),
            ("null        ", None),
        ] {
            assert_eq!(
                flag(json).ok(),
                Some((value, json.trim_end().len())),
                "{json}"
            );
        }
        for bad in [
            "\"yes\"       ",
            "1",
            "tru",
            "\"truex\"     ",
            "truex       ",
        ] {
            assert!(flag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_values_are_skipped_and_errors_say_where() {
        let mut seen = Vec::new();
        Reader::document(
            "{\"x\": [1, {\"y\": [true, null, \"s\"]}], \"k\" \n:\t\"v\", \"z\":{}}",
            |r| {
                r.object("an object", keys!["k"], |r, _| {
                    seen.push(r.string()?);
                    Ok(())
                })
            },
        )
        .unwrap();
        assert_eq!(seen, ["v"]);
        let fail = Reader::document(r#"{"a": [1, 2,]}"#, |r| {
            r.object("o", keys![], |_, _| Ok(()))
        })
        .unwrap_err();
        assert_eq!((fail.at, fail.message.as_str()), (12, "expected value"));
        let fail = Reader::document("{} x", |r| r.object("o", keys![], |_, _| Ok(()))).unwrap_err();
        assert_eq!(fail.message, "trailing characters");
        let fail = Reader::document(r#"{"k" ;1}"#, |r| r.object("o", keys!["k"], |_, _| Ok(())))
            .unwrap_err();
        assert_eq!((fail.at, fail.message.as_str()), (5, "expected `:`"));
        // An escaped key (read by the general string reader), the colon right after it.
        let mut seen = Vec::new();
        Reader::document(r#"{"\u006b":1,"a\"b" :2}"#, |r| {
            r.object("o", keys!["k"], |r, _| {
                seen.push(r.u32()?);
                Ok(())
            })
        })
        .unwrap();
        assert_eq!(seen, [1]);
        // A skipped value is checked to be JSON but not decoded, as serde_json ignores values.
        let skip = |json: &str| Reader::document(json, Reader::skip);
        assert!(
            skip(r#"{"a\ud800": ["\udc00", 123456789012345678901234567890, -1.5e-999]}"#).is_ok()
        );
        // Counters are passed over in one pass, every other number by the general walk: both
        // end where the number does, and what is not JSON fails either way.
        for (number, end) in [
            ("0", 1),
            ("7,", 1),
            ("4294967295}", 10),
            ("4294967296}", 10),
            ("-3,", 2),
            ("1.5,", 3),
            ("2e3,", 3),
            ("12abc", 2),
        ] {
            let at = Reader::document(number, |r| {
                r.skip()?;
                let at = r.position();
                r.rewind(number.len());
                Ok(at)
            });
            assert_eq!(at.ok(), Some(end), "{number}");
        }
        for bad in ["[01]", "[00]", "[1.]", "[-]"] {
            assert!(skip(bad).is_err(), "{bad}");
        }
        for bad in [
            r#"["\x"]"#,
            r#"["\u12"]"#,
            r#"{"a" 1}"#,
            r#"{1: 2}"#,
            "[01]",
            "[1 2]",
            "[tru]",
        ] {
            assert!(skip(bad).is_err(), "{bad}");
        }
    }

    /// Containers alternate between objects and arrays past the 64 levels kept in bits: each
    /// level is closed by its own kind of bracket, at any depth.
    #[test]
    fn skipped_values_close_each_level_with_its_own_bracket_at_any_depth() {
        let nested = |depth: usize, swap_at: Option<usize>| {
            let kinds: Vec<bool> = (0..depth).map(|level| level % 3 != 1).collect();
            let mut json = String::new();
            for &object in &kinds {
                json.push_str(if object { "{\"k\":" } else { "[" });
            }
            json.push_str("\"leaf\"");
            for (level, &object) in kinds.iter().enumerate().rev() {
                let object = object != (swap_at == Some(level));
                json.push(if object { '}' } else { ']' });
            }
            json
        };
        let skip = |json: &str| Reader::document(json, Reader::skip);
        for depth in [1, 63, 64, 65, 200] {
            assert!(skip(&nested(depth, None)).is_ok(), "{depth}");
            for swap in [0, depth / 2, depth - 1] {
                assert!(skip(&nested(depth, Some(swap))).is_err(), "{depth} {swap}");
            }
        }
    }
}
