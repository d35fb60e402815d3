//! `memcmp` for the `no_std` component, sixteen or eight bytes at a time.
//!
//! Slice comparisons (`==` on `str` and `[u8]`, key matching) call `memcmp`; wasi-libc's,
//! which std used, compares byte by byte at ~18 wasm operators per byte.

/// `memcmp`'s result for two slices of equal length: negative, zero or positive as `a` sorts
/// before, with or after `b` byte-wise.
pub(crate) fn compare(a: &[u8], b: &[u8]) -> i32 {
    let n = a.len().min(b.len());
    let mut at = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{i8x16_all_true, i8x16_eq, v128_load};
        // Sixteen equal bytes at a time where the engine has SIMD (the component): a stored
        // row's order text is compared whole with the one pushed again (2 KB). The first
        // difference is found by the loop below.
        while at + 16 <= n {
            // SAFETY: `at + 16 <= n` bytes are readable in both; `v128_load` needs no alignment.
            let (x, y) = unsafe {
                (
                    v128_load(a.as_ptr().add(at).cast()),
                    v128_load(b.as_ptr().add(at).cast()),
                )
            };
            if !i8x16_all_true(i8x16_eq(x, y)) {
                break;
            }
            at += 16;
        }
    }
    while at + 8 <= n {
        let x = u64::from_le_bytes(a[at..at + 8].try_into().unwrap_or([0; 8]));
        let y = u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or([0; 8]));
        if x != y {
            // The lowest differing byte is the first one in memory order.
            at += ((x ^ y).trailing_zeros() / 8) as usize;
            return i32::from(a[at]) - i32::from(b[at]);
        }
        at += 8;
    }
    while at < n {
        if a[at] != b[at] {
            return i32::from(a[at]) - i32::from(b[at]);
        }
        at += 1;
    }
    0
}

/// The C ABI the compiler calls. Nothing links wasi-libc's copy once this one is defined.
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
#[unsafe(no_mangle)]
unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller passes two readable regions of `n` bytes, memcmp's contract.
    let (a, b) = unsafe {
        (
            core::slice::from_raw_parts(a, n),
            core::slice::from_raw_parts(b, n),
        )
    };
    compare(a, b)
}

#[cfg(test)]
mod tests {
    use super::compare;

    #[test]
    fn compare_orders_as_slice_comparison_does() {
        let texts: Vec<Vec<u8>> = [
            &b""[..],
            b"a",
            b"b",
            b"ab",
            b"abcdefgh",
            b"abcdefgi",
            b"abcdefghij",
            b"abcdefghik",
            b"bbcdefghij",
            b"\xff\x00\x00\x00\x00\x00\x00\x00x",
            b"\x00\xff\x00\x00\x00\x00\x00\x00x",
            b"AmazonOrderId",
            b"AmazonOrderIe",
            b"QuantityOrdered",
            b"QuantityShipped",
        ]
        .iter()
        .map(|t| t.to_vec())
        .collect();
        for a in &texts {
            for b in &texts {
                let n = a.len().min(b.len());
                let expected = a[..n].cmp(&b[..n]);
                assert_eq!(compare(&a[..n], &b[..n]).cmp(&0), expected, "{a:?} {b:?}");
            }
        }
    }

    /// Past sixteen bytes (the component's SIMD steps, which run only there): the first
    /// difference is found wherever it is, whatever its size.
    #[test]
    fn long_inputs_find_their_first_difference_anywhere() {
        let base: Vec<u8> = (0..70u8).map(|i| i.wrapping_mul(37)).collect();
        for len in 0..base.len() {
            let a = &base[..len];
            assert_eq!(compare(a, a), 0);
            for at in 0..len {
                for delta in [1u8, 0x80, 0xff] {
                    let mut b = a.to_vec();
                    b[at] = b[at].wrapping_add(delta);
                    let expected = a.cmp(&b[..]);
                    assert_eq!(compare(a, &b).cmp(&0), expected, "len {len} at {at}");
                    assert_eq!(compare(&b, a).cmp(&0), expected.reverse());
                }
            }
        }
    }
}
