//! The keys one object reader knows, found by a perfect hash computed at compile time.
//!
//! Matching a key used to be a linear search comparing it with each known key of the same
//! length: about a tenth of a push's fuel went there (an SP-API order has ~40 known keys).
//! The hash looks at the key's length and its first and last eight bytes, and the one key in
//! that slot is compared once.

/// The known keys of one object and the slot table of their hash.
pub(crate) struct Keys {
    /// Each key as a compact member after another writes it, `,"Key":`: the writer's `key!`
    /// for it. The reader compares the expected member with the text in one go.
    pub(crate) framed: &'static [&'static str],
    pub(crate) hash: KeyHash,
    /// `slots[hash(key)]` is the index in `framed` plus one, 0 for a slot no key hashes to.
    pub(crate) slots: &'static [u8],
}

/// A multiplicative hash of a key's length and its first and last eight bytes, taking `bits`
/// bits.
#[derive(Clone, Copy)]
pub(crate) struct KeyHash {
    multiplier: u64,
    pub(crate) bits: u32,
}

/// A key's name within its frame `,"Key":`, at compile time.
const fn name_of(framed: &str) -> &[u8] {
    let frame = framed.as_bytes();
    assert!(frame.len() > 4, "an empty key cannot be listed");
    frame.split_at(frame.len() - 2).0.split_at(2).1
}

/// The largest table: slot entries are `u8`s, and 256 slots give 45 keys a free slot each
/// with few multipliers tried.
const MAX_BITS: u32 = 8;
/// Multipliers tried per table size before the table doubles.
const TRIES: u32 = 4096;

/// The first and the last eight bytes of `bytes[start..end]` as little-endian words; for a key
/// shorter than eight bytes, both its bytes zero-extended. Byte by byte, as a `const fn` must.
const fn ends_by_bytes(bytes: &[u8], start: usize, end: usize) -> (u64, u64) {
    let len = end - start;
    if len < 8 {
        let first = word_by_bytes(bytes, start, len);
        (first, first)
    } else {
        (
            word_by_bytes(bytes, start, 8),
            word_by_bytes(bytes, end - 8, 8),
        )
    }
}

/// `count` (at most eight) bytes from `at`, little-endian.
pub(crate) const fn word_by_bytes(bytes: &[u8], at: usize, count: usize) -> u64 {
    let mut word = 0u64;
    let mut i = 0;
    while i < count {
        word |= (bytes[at + i] as u64) << (8 * i);
        i += 1;
    }
    word
}

/// [`ends_by_bytes`] with two loads, where the text holds eight bytes from the key's start
/// (always, but for a short key at the very end): a key in a document is followed by at least
/// its quote, a colon, a value and a bracket.
#[inline(always)]
fn ends(bytes: &[u8], start: usize, end: usize) -> (u64, u64) {
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let len = end - start;
    match word(start) {
        // `end` is within the text, so the last word always loads: no fallback is taken.
        Some(first) if len >= 8 => (first, word(end - 8).unwrap_or(0)),
        Some(first) => {
            let first = first & !(u64::MAX << (8 * len));
            (first, first)
        }
        // Fewer than eight bytes from the key's start to the text's end: a short key.
        None => {
            let word = word_by_bytes(bytes, start, len);
            (word, word)
        }
    }
}

impl KeyHash {
    /// The slot of a key from its length and [`ends`].
    #[inline(always)]
    const fn slot_of(self, len: usize, (first, last): (u64, u64)) -> usize {
        // Keys of one object often share a prefix (`QuantityOrdered`, `QuantityShipped`) or a
        // suffix (`ItemPrice`, `ShippingPrice`): both ends count.
        let features = first ^ last.rotate_left(29) ^ (len as u64) << 56;
        (features.wrapping_mul(self.multiplier) >> (64 - self.bits)) as usize
    }

    /// The smallest table, then the first multiplier, that gives each of the keys `framed`
    /// (see [`Keys::framed`]) a slot of its own. Fails the build when two keys share their
    /// length and their hashed ends fold to the same features (no multiplier can part them: see
    /// `slot_of`), when there are more than 255 keys, or when a key is empty or holds a byte a
    /// key needs escaped (the reader compares an expected member's frame with the raw text: see
    /// `Reader::member_key`).
    pub(crate) const fn find(framed: &[&str]) -> KeyHash {
        assert!(framed.len() < 256, "at most 255 keys per object");
        let mut bits = 1;
        while (1 << bits) < 2 * framed.len() {
            bits += 1;
        }
        while bits <= MAX_BITS {
            let mut attempt = 0;
            while attempt < TRIES {
                // Odd multipliers spread the features over the high bits.
                let hash = KeyHash {
                    multiplier: 0x9E37_79B9_7F4A_7C15u64
                        .wrapping_add((attempt as u64).wrapping_mul(0x0101_0101_0101_0102)),
                    bits,
                };
                if hash.is_perfect(framed) {
                    return hash;
                }
                attempt += 1;
            }
            bits += 1;
        }
        panic!("no perfect key hash: two keys share their length and hashed ends")
    }

    const fn is_perfect(self, framed: &[&str]) -> bool {
        let mut taken = [false; 1 << MAX_BITS];
        let mut i = 0;
        while i < framed.len() {
            let name = name_of(framed[i]);
            let mut at = 0;
            while at < name.len() {
                assert!(
                    !matches!(name[at], b'"' | b'\\' | 0..=0x1f),
                    "a listed key must be written without escapes"
                );
                at += 1;
            }
            let slot = self.slot_of(name.len(), ends_by_bytes(name, 0, name.len()));
            if taken[slot] {
                return false;
            }
            taken[slot] = true;
            i += 1;
        }
        true
    }

    /// The slot table of the keys `framed` for this hash (`N` = 2^`bits`).
    pub(crate) const fn slots<const N: usize>(self, framed: &[&str]) -> [u8; N] {
        let mut slots = [0u8; N];
        let mut i = 0;
        while i < framed.len() {
            let name = name_of(framed[i]);
            slots[self.slot_of(name.len(), ends_by_bytes(name, 0, name.len()))] = i as u8 + 1;
            i += 1;
        }
        slots
    }
}

impl Keys {
    /// The index in `framed` of the key `bytes[start..end]`, if it is one of them.
    #[inline(always)]
    pub(crate) fn index_at(&self, bytes: &[u8], start: usize, end: usize) -> Option<usize> {
        let key = bytes.get(start..end).filter(|key| !key.is_empty())?;
        let slot = self.hash.slot_of(key.len(), ends(bytes, start, end));
        let index = usize::from(*self.slots.get(slot)?).checked_sub(1)?;
        // The name sliced as bytes, not through `Self::name`: a `str` slice checks character
        // boundaries, and a helper returning the slice cost more (measured), once per
        // settings pair.
        let framed = self.framed.get(index)?.as_bytes();
        let name = framed.get(2..framed.len().checked_sub(2)?)?;
        same_bytes(name, key).then_some(index)
    }

    /// The index in `framed` of `key`, if it is one of them.
    #[inline(always)]
    pub(crate) fn index(&self, key: &[u8]) -> Option<usize> {
        self.index_at(key, 0, key.len())
    }

    /// The number of keys.
    pub(crate) const fn len(&self) -> usize {
        self.framed.len()
    }

    /// The key at `index`, out of its frame (for messages).
    pub(crate) fn name(&self, index: usize) -> Option<&'static str> {
        let framed = self.framed.get(index)?;
        framed.get(2..framed.len().checked_sub(2)?)
    }
}

/// Whether two lists of frames are the same, at compile time.
pub(crate) const fn same_frames(a: &[&str], b: &[&str]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        let (x, y) = (a[i].as_bytes(), b[i].as_bytes());
        if x.len() != y.len() {
            return false;
        }
        let mut at = 0;
        while at < x.len() {
            if x[at] != y[at] {
                return false;
            }
            at += 1;
        }
        i += 1;
    }
    true
}

/// Each frame's first eight bytes as a little-endian word: what `Reader::compact_key` compares
/// first, one load for each key it tries. Fails the build for a key shorter than four bytes
/// (a frame shorter than a word).
pub(crate) const fn frame_heads<const N: usize>(framed: &[&str]) -> [u64; N] {
    let mut heads = [0; N];
    let mut i = 0;
    while i < N {
        let frame = framed[i].as_bytes();
        assert!(
            frame.len() >= 8,
            "a key read in one pass has four bytes or more"
        );
        heads[i] = word_by_bytes(frame, 0, 8);
        i += 1;
    }
    heads
}

/// `a == b` eight bytes at a time, in place: the size build calls three functions deep for a
/// slice comparison, which cost more than comparing a key's dozen bytes.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    let half = |s: &[u8], at: usize| {
        u32::from_le_bytes(
            s.get(at..at + 4)
                .and_then(|w| w.try_into().ok())
                .unwrap_or([0; 4]),
        )
    };
    if len < 4 {
        let mut at = 0;
        while at < len {
            if a[at] != b[at] {
                return false;
            }
            at += 1;
        }
        return true;
    }
    if len < 8 {
        // The first and the last four bytes, overlapping.
        return half(a, 0) == half(b, 0) && half(a, len - 4) == half(b, len - 4);
    }
    // The first eight bytes, then the rest as a frame's after its head.
    word(a, 0) == word(b, 0) && same_after_head(a, b)
}

/// The eight bytes of `s` from `at`, little-endian (zero past its end).
#[inline(always)]
fn word(s: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(
        s.get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .unwrap_or([0; 8]),
    )
}

/// Whether `here` is `frame` (a frame of eight bytes or more, as long as `here`) but for its
/// first byte, the separator, once [`frame_heads`]' word has matched: the bytes after the
/// first word a word at a time, the last word overlapping, so that no frame's rest is
/// compared byte by byte.
#[inline(always)]
pub(crate) fn same_after_head(here: &[u8], frame: &[u8]) -> bool {
    let len = frame.len();
    debug_assert!(
        len >= 8 && here.len() == len,
        "a frame of a word or more, as long"
    );
    // Frames of up to three words, nearly all keys', without a loop: the middle word, then
    // the last one (overlapping). A frame of one word was the head; a longer one's last word
    // leaves the separator out.
    if len > 16 {
        if word(here, 8) != word(frame, 8) {
            return false;
        }
        let mut at = 16;
        while at + 8 < len {
            if word(here, at) != word(frame, at) {
                return false;
            }
            at += 8;
        }
    }
    len == 8 || word(here, len - 8) == word(frame, len - 8)
}

/// Whether `here` is the compact member `frame` (`,"Key":`, as long as `here`), compared from
/// its separator: a word, then the rest as [`same_after_head`] compares it. The first member's
/// separator is the object's `{`, whose byte is not compared (`first`).
#[inline(always)]
pub(crate) fn is_frame(here: &[u8], frame: &[u8], first: bool) -> bool {
    match (here.first_chunk::<8>(), frame.first_chunk::<8>()) {
        (Some(head), Some(frame_head)) => {
            let separator = if first { 0xFF } else { 0 };
            (u64::from_le_bytes(*head) ^ u64::from_le_bytes(*frame_head)) & !separator == 0
                && same_after_head(here, frame)
        }
        _ => {
            let from = usize::from(first);
            same_bytes(
                here.get(from..).unwrap_or_default(),
                frame.get(from..).unwrap_or_default(),
            )
        }
    }
}

/// The `Keys` of a list of key literals, built at compile time.
macro_rules! keys {
    ($($key:literal),* $(,)?) => {{
        const NAMES: &[&str] = &[$($crate::amazon::write::key!($key).0),*];
        const HASH: $crate::amazon::keys::KeyHash = $crate::amazon::keys::KeyHash::find(NAMES);
        const SLOTS: [u8; 1 << HASH.bits] = HASH.slots(NAMES);
        const KEYS: $crate::amazon::keys::Keys = $crate::amazon::keys::Keys {
            framed: NAMES,
            hash: HASH,
            slots: &SLOTS,
        };
        &KEYS
    }};
}
pub(crate) use keys;

#[cfg(test)]
mod tests {
    use super::{same_after_head, same_bytes};

    /// Every length the word steps cover (none, halves, one to four words, overlapping), a
    /// difference at every place, and lengths that differ.
    #[test]
    fn same_bytes_is_slice_equality() {
        let base: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(53)).collect();
        for len in 0..base.len() {
            let a = &base[..len];
            assert!(same_bytes(a, a), "len {len}");
            assert!(!same_bytes(a, &base[..len + 1]), "len {len}");
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x80;
                assert!(!same_bytes(a, &b), "len {len} at {at}");
            }
        }
    }

    /// Frames of one to five words: equal whatever the separator, unequal for a difference
    /// after the head's word (which `frame_heads` compares).
    #[test]
    fn same_after_head_is_slice_equality_but_for_the_separator() {
        let frame: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(53)).collect();
        for len in 8..frame.len() {
            let frame = &frame[..len];
            let mut here = frame.to_vec();
            here[0] = b'{';
            assert!(same_after_head(&here, frame), "len {len}");
            for at in 8..len {
                let mut other = here.clone();
                other[at] ^= 0x80;
                assert!(!same_after_head(&other, frame), "len {len} at {at}");
            }
        }
    }

    #[test]
    fn every_listed_key_is_found_and_no_other() {
        let keys = keys![
            "AmazonOrderId",
            "OrderStatus",
            "OrderTotal",
            "IsPrime",
            "IsGift",
            "A"
        ];
        for i in 0..keys.len() {
            let name = keys.name(i).unwrap();
            assert_eq!(keys.index(name.as_bytes()), Some(i), "{name}");
        }
        for other in [
            "",
            "IsPrimf",
            "AmazonOrdErId",
            "AmazonOrderIe",
            "IsGifu",
            "IsGjft",
            "AmazonOrderId2",
            "Ab",
            "amazonOrderId",
            "OrderStatuS",
            "IsPrim",
            "IsPrimes",
            "B",
            "OrderTotaL",
        ] {
            assert_eq!(keys.index(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn a_key_ends_read_by_loads_equal_the_ends_read_byte_by_byte() {
        use super::{ends, ends_by_bytes};
        let text: Vec<u8> = (0..40u8)
            .map(|b| b.wrapping_mul(37).wrapping_add(11))
            .collect();
        for start in 0..text.len() {
            for end in start..=text.len() {
                assert_eq!(
                    ends(&text, start, end),
                    ends_by_bytes(&text, start, end),
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn an_empty_list_finds_nothing() {
        let keys = keys![];
        assert_eq!(keys.index(b"x"), None);
        assert_eq!(keys.index(b""), None);
    }
}
