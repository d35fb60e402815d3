//! The keys one object reader knows, found by a perfect hash computed at compile time.
//!
//! Matching a key used to be a linear search comparing it with each known key of the same
//! length: about a tenth of a push's fuel went there (an SP-API order has ~40 known keys).
//! The hash looks at four bytes of the key, whatever its length, and the one key in that slot
//! is compared once.

/// The known keys of one object and the slot table of their hash.
pub(crate) struct Keys {
    pub(crate) names: &'static [&'static str],
    pub(crate) hash: KeyHash,
    /// `slots[hash(key)]` is the index in `names` plus one, 0 for a slot no key hashes to.
    pub(crate) slots: &'static [u8],
}

/// A multiplicative hash of a key's length and five of its bytes, taking `bits` bits.
#[derive(Clone, Copy)]
pub(crate) struct KeyHash {
    multiplier: u64,
    pub(crate) bits: u32,
}

/// The largest table: slot entries are `u8`s, and 256 slots give 45 keys a free slot each
/// with few multipliers tried.
const MAX_BITS: u32 = 8;
/// Multipliers tried per table size before the table doubles.
const TRIES: u32 = 4096;

impl KeyHash {
    /// The slot of `key`; `None` for the empty key, which no reader lists.
    #[inline(always)]
    pub(crate) const fn slot(self, key: &[u8]) -> Option<usize> {
        let len = key.len();
        if len == 0 {
            return None;
        }
        // Keys of one object often share a prefix and a suffix (`QuantityOrdered`,
        // `QuantityShipped`), so bytes a quarter and three quarters in are taken too.
        let features = (len as u64)
            | (key[0] as u64) << 8
            | (key[len / 4] as u64) << 16
            | (key[len / 2] as u64) << 24
            | (key[len * 3 / 4] as u64) << 32
            | (key[len - 1] as u64) << 40;
        Some((features.wrapping_mul(self.multiplier) >> (64 - self.bits)) as usize)
    }

    /// The smallest table, then the first multiplier, that gives each of `names` a slot of its
    /// own. Fails the build when two names share their length and the bytes hashed (no
    /// multiplier can part them: see `slot`), or when there are more than 255 names.
    pub(crate) const fn find(names: &[&str]) -> KeyHash {
        assert!(names.len() < 256, "at most 255 keys per object");
        let mut bits = 1;
        while (1 << bits) < 2 * names.len() {
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
                if hash.is_perfect(names) {
                    return hash;
                }
                attempt += 1;
            }
            bits += 1;
        }
        panic!("no perfect key hash: two keys share length and the bytes hashed")
    }

    const fn is_perfect(self, names: &[&str]) -> bool {
        let mut taken = [false; 1 << MAX_BITS];
        let mut i = 0;
        while i < names.len() {
            let Some(slot) = self.slot(names[i].as_bytes()) else {
                panic!("an empty key cannot be listed");
            };
            if taken[slot] {
                return false;
            }
            taken[slot] = true;
            i += 1;
        }
        true
    }

    /// The slot table of `names` for this hash (`N` = 2^`bits`).
    pub(crate) const fn slots<const N: usize>(self, names: &[&str]) -> [u8; N] {
        let mut slots = [0u8; N];
        let mut i = 0;
        while i < names.len() {
            if let Some(slot) = self.slot(names[i].as_bytes()) {
                slots[slot] = i as u8 + 1;
            }
            i += 1;
        }
        slots
    }
}

impl Keys {
    /// The index in `names` of `key`, if it is one of them.
    #[inline(always)]
    pub(crate) fn index(&self, key: &[u8]) -> Option<usize> {
        let slot = self.hash.slot(key)?;
        let index = usize::from(*self.slots.get(slot)?).checked_sub(1)?;
        same_bytes(self.names.get(index)?.as_bytes(), key).then_some(index)
    }
}

/// `a == b` eight bytes at a time, in place: the size build calls three functions deep for a
/// slice comparison, which cost more than comparing a key's dozen bytes.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        u64::from_le_bytes(
            s.get(at..at + 8)
                .and_then(|w| w.try_into().ok())
                .unwrap_or([0; 8]),
        )
    };
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
    let mut at = 0;
    while at + 8 < len {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes, overlapping those already compared.
    word(a, len - 8) == word(b, len - 8)
}

/// The `Keys` of a list of key literals, built at compile time.
macro_rules! keys {
    ($($key:literal),* $(,)?) => {{
        const NAMES: &[&str] = &[$($key),*];
        const HASH: $crate::amazon::keys::KeyHash = $crate::amazon::keys::KeyHash::find(NAMES);
        const SLOTS: [u8; 1 << HASH.bits] = HASH.slots(NAMES);
        const KEYS: $crate::amazon::keys::Keys = $crate::amazon::keys::Keys {
            names: NAMES,
            hash: HASH,
            slots: &SLOTS,
        };
        &KEYS
    }};
}
pub(crate) use keys;

#[cfg(test)]
mod tests {

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
        for (i, name) in keys.names.iter().enumerate() {
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
    fn an_empty_list_finds_nothing() {
        let keys = keys![];
        assert_eq!(keys.index(b"x"), None);
        assert_eq!(keys.index(b""), None);
    }
}
