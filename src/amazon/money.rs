//! Money as Amazon sends it: `{"CurrencyCode": "USD", "Amount": "11.01"}`.
//!
//! Amounts are kept as integer hundredths. Every Amazon marketplace currency uses at most two
//! decimals, and order arithmetic here is only sums, differences and one division per line, so a
//! fixed-point integer is exact where it matters and keeps the component free of a decimal crate.

use crate::prelude::*;
use crate::text::ascii;
use alloc::borrow::Cow;
use core::fmt;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::marketplace::Marketplace;

/// Largest absolute amount accepted, in hundredths (a hundred billion units): far above any
/// order, far below `i64` overflow when summed over thousands of lines.
pub const MAX_ABS_CENTS: i64 = 10_000_000_000_000;

/// An amount of money with its ISO 4217 currency (the marketplaces' codes are shared, see
/// [`Money::currency_code`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    #[serde(rename = "CurrencyCode")]
    pub currency: Cow<'static, str>,
    #[serde(rename = "Amount", with = "amount")]
    pub cents: i64,
}

impl Money {
    pub fn new(currency: impl Into<Cow<'static, str>>, cents: i64) -> Self {
        Money {
            currency: currency.into(),
            cents,
        }
    }

    pub fn zero(currency: impl Into<Cow<'static, str>>) -> Self {
        Money::new(currency, 0)
    }

    /// `code` as an amount's currency: a marketplace's code is shared, any other is copied.
    pub fn currency_code(code: &str) -> Cow<'static, str> {
        match Marketplace::known_currency(code) {
            Some(known) => Cow::Borrowed(known),
            None => Cow::Owned(code.to_owned()),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, format_cents(self.cents))
    }
}

/// `1101` → `"11.01"`, `-5` → `"-0.05"` (see `cents_text`).
pub fn format_cents(cents: i64) -> String {
    let mut buf = [0; CENTS_TEXT_BYTES];
    ascii(cents_text(cents, &mut buf)).to_owned()
}

/// Room for any `i64` amount in hundredths with its sign and point (its digits written
/// through a [`DECIMAL_BYTES`] buffer at its start).
pub(crate) const CENTS_TEXT_BYTES: usize = DECIMAL_BYTES + 3;

/// Writes `cents` as a decimal amount at the end of `buf` and returns that part. Digit by
/// digit rather than through `format!`: every stored row writes a dozen amounts, and the
/// formatting machinery cost ~1 500 wasm operators per amount.
pub(crate) fn cents_text(cents: i64, buf: &mut [u8; CENTS_TEXT_BYTES]) -> &[u8] {
    let abs = cents.unsigned_abs();
    let at = buf.len() - 3;
    buf[at] = b'.';
    buf[at + 1] = b'0' + (abs / 10 % 10) as u8;
    buf[at + 2] = b'0' + (abs % 10) as u8;
    let digits = buf.first_chunk_mut().unwrap_or_else(|| unreachable!());
    let mut start = at - decimal_into(abs / 100, digits).len();
    if cents < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

/// Room for any `u64` in decimal.
pub(crate) const DECIMAL_BYTES: usize = 20;

/// Writes `n` in decimal at the end of `buf` and returns that part.
pub(crate) fn decimal_into(n: u64, buf: &mut [u8; DECIMAL_BYTES]) -> &[u8] {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let out = buf.as_mut_ptr();
    let pair = |pair: u32, at: usize| {
        // SAFETY: `pair` < 100, and every `at` is the start of two bytes within `buf` (below).
        unsafe {
            core::ptr::copy_nonoverlapping(PAIRS.as_ptr().add(pair as usize * 2), out.add(at), 2)
        }
    };
    // Four digits a step, two of them a look-up each: the 13-digit times of leases, markers
    // and keys in three steps. A `u64` has at most 20 digits, so `at` never goes below 0:
    // each step takes off the digits it writes (which is why no bounds are checked).
    let mut at = DECIMAL_BYTES;
    let mut rest = n;
    while rest >= 10_000 {
        let four = (rest % 10_000) as u32;
        rest /= 10_000;
        at -= 4;
        pair(four / 100, at);
        pair(four % 100, at + 2);
    }
    let mut rest = rest as u32;
    if rest >= 100 {
        at -= 2;
        pair(rest % 100, at);
        rest /= 100;
    }
    if rest >= 10 {
        at -= 2;
        pair(rest, at);
    } else if rest > 0 || at == DECIMAL_BYTES {
        // The first digit left, if any (and the 0 of zero).
        at -= 1;
        buf[at] = b'0' + rest as u8;
    }
    &buf[at..]
}

/// Parses a decimal amount (`"11.01"`, `"-3"`, `"0.5"`, `"1.999"`) into hundredths, rounding
/// half away from zero beyond two decimals. One pass over the bytes: every amount of every
/// order goes through here or through [`plain_cents`].
pub fn parse_cents(text: &str) -> Result<i64, String> {
    let text = text.trim_ascii();
    let bytes = text.as_bytes();
    let (negative, at) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let (cents, end, digits) = decimal_cents(bytes, at);
    if end < bytes.len() || digits == 0 {
        return Err(format!("\"{text}\" is not a decimal amount"));
    }
    let Some(cents) = cents else {
        return Err(format!("\"{text}\" is too large"));
    };
    Ok(if negative { -cents } else { cents })
}

/// The amount text Amazon nearly always sends — digits with an optional fraction, nothing
/// else — read in place from `at` to the `"` that ends it: its hundredths, as [`parse_cents`]
/// reads them, and where that quote is. `None` for any other text (a sign, whitespace, an
/// escape, too large, 64 KiB or longer), which `parse_cents` then reads or refuses.
///
/// Inlined: whole units with two decimals or none, as Amazon writes them, are read here
/// without the general digit walk's call and its three results through memory (a push reads
/// sixteen amounts).
#[inline(always)]
pub(crate) fn plain_cents(bytes: &[u8], at: usize) -> Option<(i64, usize)> {
    let mut end = at;
    let mut whole = 0i64;
    while let Some(digit) = bytes
        .get(end)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|d| *d < 10)
    {
        whole = whole.wrapping_mul(10).wrapping_add(i64::from(digit));
        end += 1;
    }
    // Up to ten whole digits: far within `MAX_ABS_CENTS`, and no wrap.
    if (1..=10).contains(&(end - at)) {
        match bytes.get(end..end + 4) {
            Some(&[b'.', tenths, hundredths, b'"'])
                if tenths.is_ascii_digit() && hundredths.is_ascii_digit() =>
            {
                let fraction = i64::from(tenths - b'0') * 10 + i64::from(hundredths - b'0');
                return Some((whole * 100 + fraction, end + 3));
            }
            Some(&[b'"', ..]) => return Some((whole * 100, end)),
            _ => {}
        }
    }
    let packed = other_cents(bytes, at);
    (packed != NO_CENTS).then(|| ((packed >> 16) as i64, at + (packed & 0xFFFF) as usize))
}

/// [`other_cents`]' "not read here".
const NO_CENTS: u64 = u64::MAX;

/// [`plain_cents`] of the other spellings [`decimal_cents`] reads, as one word: the hundredths
/// (at most [`MAX_ABS_CENTS`], below 2⁴⁴) above 16 bits holding how far past `at` they end, or
/// [`NO_CENTS`], also for a text too long to say so (which the general reader then reads).
/// One word rather than the walk's three results through memory: its inlined caller then
/// sets up no stack frame for this rare path on every amount.
#[cold]
#[inline(never)]
fn other_cents(bytes: &[u8], at: usize) -> u64 {
    match decimal_cents(bytes, at) {
        (Some(cents), end, 1..) if bytes.get(end) == Some(&b'"') && end - at <= 0xFFFF => {
            (cents as u64) << 16 | (end - at) as u64
        }
        _ => NO_CENTS,
    }
}

/// Digits with an optional fraction from `at`: their hundredths (`None` beyond 12 whole digits
/// or [`MAX_ABS_CENTS`]), where they end, and how many digits there were.
fn decimal_cents(bytes: &[u8], mut at: usize) -> (Option<i64>, usize, usize) {
    let digit = |at: usize| {
        bytes
            .get(at)
            .map(|b| i64::from(b.wrapping_sub(b'0')))
            .filter(|d| *d < 10)
    };
    let start = at;
    let mut whole = 0i64;
    while let Some(d) = digit(at) {
        // Past 12 digits the amount is refused: stop adding up before it could overflow.
        if at - start < 13 {
            whole = whole * 10 + d;
        }
        at += 1;
    }
    let whole_digits = at - start;
    let mut cents = whole * 100;
    let mut fraction_digits = 0;
    // Amazon's usual two decimals and then the end of the digits: added at once.
    let two_decimals = match bytes.get(at..at + 4) {
        Some(&[b'.', tenths, hundredths, after]) if !after.is_ascii_digit() => {
            let (tenths, hundredths) = (tenths.wrapping_sub(b'0'), hundredths.wrapping_sub(b'0'));
            (tenths < 10 && hundredths < 10).then(|| i64::from(tenths) * 10 + i64::from(hundredths))
        }
        _ => None,
    };
    if let Some(hundredths) = two_decimals {
        cents += hundredths;
        fraction_digits = 2;
        at += 3;
    } else if bytes.get(at) == Some(&b'.') {
        at += 1;
        // Tenths, hundredths and the digit that decides the rounding.
        while let Some(d) = digit(at) {
            cents += match fraction_digits {
                0 => d * 10,
                1 => d,
                2 => i64::from(d >= 5),
                _ => 0,
            };
            fraction_digits += 1;
            at += 1;
        }
    }
    let fits = whole_digits <= 12 && cents <= MAX_ABS_CENTS;
    (fits.then_some(cents), at, whole_digits + fraction_digits)
}

/// A bare JSON integer amount (whole units) in hundredths.
pub fn cents_from_i64(units: i64) -> Result<i64, String> {
    units
        .checked_mul(100)
        .filter(|c| c.abs() <= MAX_ABS_CENTS)
        .ok_or_else(|| "amount is too large".to_owned())
}

/// A bare JSON fractional amount in hundredths. Only reached for non-string input; Amazon
/// itself always sends strings.
pub fn cents_from_f64(units: f64) -> Result<i64, String> {
    let scaled = units * 100.0;
    if !scaled.is_finite() || scaled.abs() > MAX_ABS_CENTS as f64 {
        return Err("amount is too large".to_owned());
    }
    // Rounded half away from zero by hand: `f64::round` is std's (the component has none).
    // Within ±MAX_ABS_CENTS the truncation and the difference are exact.
    let whole = scaled as i64;
    let rest = scaled - whole as f64;
    Ok(whole + i64::from(rest >= 0.5) - i64::from(rest <= -0.5))
}

/// Divides with rounding half away from zero (unit price = row total ÷ quantity).
pub fn div_round(cents: i64, divisor: i64) -> i64 {
    debug_assert!(divisor > 0);
    let half = divisor / 2;
    if cents >= 0 {
        (cents + half) / divisor
    } else {
        (cents - half) / divisor
    }
}

/// Serde adapter: Amazon's `Amount` is a string; a bare JSON number is tolerated too.
mod amount {
    use super::*;

    pub fn serialize<S: Serializer>(cents: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_cents(*cents))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = i64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount as a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
                parse_cents(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
                cents_from_i64(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
                i64::try_from(v)
                    .map_err(|_| E::custom("amount is too large"))
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
                cents_from_f64(v).map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_fractional_amounts_round_half_away_from_zero_as_f64_round_does() {
        let mut values = vec![
            0.0,
            0.005,
            -0.005,
            0.015,
            2.675,
            -2.675,
            1.005,
            99_999_999_999.994,
        ];
        values.extend((-20_000..20_000).map(|n| f64::from(n) * 0.0013));
        values.extend((0..2_000).map(|n| f64::from(n) / 200.0 - 5.0));
        for units in values {
            let expected = (units * 100.0).round() as i64;
            assert_eq!(cents_from_f64(units), Ok(expected), "{units}");
        }
        for bad in [f64::NAN, f64::INFINITY, -f64::INFINITY, 1e12, -1e12] {
            assert!(cents_from_f64(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_parse_to_exact_hundredths() {
        assert_eq!(parse_cents("11.01"), Ok(1101));
        assert_eq!(parse_cents("0.5"), Ok(50));
        assert_eq!(parse_cents("3"), Ok(300));
        assert_eq!(parse_cents("-2.25"), Ok(-225));
        assert_eq!(parse_cents("1.995"), Ok(200));
        assert_eq!(parse_cents(".99"), Ok(99));
    }

    /// The previous implementation of `parse_cents` (split, check, `str::parse`): the reference
    /// the one-pass parser is checked against.
    fn parse_cents_by_parts(text: &str) -> Result<i64, String> {
        let text = text.trim_ascii();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction)
        {
            return Err(format!("\"{text}\" is not a decimal amount"));
        }
        let too_large = || format!("\"{text}\" is too large");
        if whole.len() > 12 {
            return Err(too_large());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_large())?
        };
        let mut frac = fraction.bytes().map(|b| i64::from(b - b'0'));
        let tenths = frac.next().unwrap_or(0);
        let hundredths = frac.next().unwrap_or(0);
        let round_up = frac.next().is_some_and(|d| d >= 5);
        let cents = whole * 100 + tenths * 10 + hundredths + i64::from(round_up);
        if cents > MAX_ABS_CENTS {
            return Err(too_large());
        }
        Ok(if negative { -cents } else { cents })
    }

    /// Every text of up to five characters from an alphabet of digits, signs, points, spaces
    /// and others, and a few long ones.
    fn amount_texts() -> Vec<String> {
        let alphabet = ["0", "1", "5", "9", ".", "-", "+", " ", "e", "é"];
        let mut inputs = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = inputs
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(longer);
        }
        inputs.extend(
            [
                "999999999999.99",
                "99999999999.99",
                "9999999999999",
                "100000000000.005",
                "000000000000123.456",
                "12.34567",
            ]
            .map(str::to_owned),
        );
        inputs
    }

    #[test]
    fn the_one_pass_parser_agrees_with_splitting_and_parsing() {
        for input in &amount_texts() {
            assert_eq!(parse_cents(input), parse_cents_by_parts(input), "{input:?}");
        }
    }

    #[test]
    fn plain_amounts_read_in_place_as_parse_cents_reads_them() {
        let mut plain = 0;
        for input in &amount_texts() {
            let quoted = format!("{input}\",\"Amount\"");
            if let Some((cents, end)) = plain_cents(quoted.as_bytes(), 0) {
                assert_eq!(
                    (Ok(cents), end),
                    (parse_cents(input), input.len()),
                    "{input:?}"
                );
                plain += 1;
            }
        }
        assert!(plain > 1_000, "{plain}");
        for usual in ["0.00", "12.34", "1999.99", "5", "12.345", ".5", "7."] {
            let quoted = format!("{usual}\"");
            assert!(plain_cents(quoted.as_bytes(), 0).is_some(), "{usual}");
        }
        // Not followed by its quote: left to the general reader.
        assert_eq!(plain_cents(b"12.34", 0), None);
        assert_eq!(plain_cents(b"12.34 \"", 0), None);
    }

    #[test]
    fn malformed_or_huge_amounts_are_rejected() {
        for bad in ["", "abc", "1.2.3", "1e5", "--1", "99999999999999", "."] {
            assert!(parse_cents(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    /// Every count of digits, odd and even (the last digit alone or in a pair), zero, the
    /// largest `u64`, and the powers of ten and their neighbours.
    #[test]
    fn decimals_are_written_as_to_string_writes_them() {
        let mut values = vec![0, 1, 9, 10, 11, 99, 100, 101, u64::MAX, u64::MAX - 1];
        let mut power = 1u64;
        while let Some(next) = power.checked_mul(10) {
            power = next;
            values.extend([power - 1, power, power + 1, power / 10 * 9 + 7]);
        }
        values.extend((0..10_000).map(|n| n * 7_919));
        for n in values {
            assert_eq!(
                decimal_into(n, &mut [0; DECIMAL_BYTES]),
                n.to_string().as_bytes(),
                "{n}"
            );
        }
    }

    #[test]
    fn amounts_format_with_two_decimals() {
        assert_eq!(format_cents(1101), "11.01");
        assert_eq!(format_cents(-5), "-0.05");
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(-123_456), "-1234.56");
        assert_eq!(format_cents(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn marketplace_currencies_are_shared_others_copied() {
        assert!(matches!(Money::currency_code("EUR"), Cow::Borrowed("EUR")));
        assert!(matches!(Money::currency_code("JPY"), Cow::Borrowed("JPY")));
        assert!(matches!(Money::currency_code("CHF"), Cow::Owned(c) if c == "CHF"));
        assert!(matches!(Money::currency_code(""), Cow::Owned(c) if c.is_empty()));
    }

    #[test]
    fn division_rounds_half_away_from_zero() {
        assert_eq!(div_round(1000, 3), 333);
        assert_eq!(div_round(1001, 2), 501);
        assert_eq!(div_round(-1001, 2), -501);
    }
}
