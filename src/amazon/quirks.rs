//! Deserializers for the shapes Amazon really sends, beyond what its model promises.

use crate::prelude::*;
use crate::text::{ascii, integer, split_once};
use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Timelike, Utc,
};
use serde::Serializer;

/// `str::trim` without its Unicode scan when the text starts and ends with a visible ASCII
/// character, as nearly every field and setting does (trimming runs on each of them).
pub(crate) fn trimmed(text: &str) -> &str {
    if needs_no_trim(text) {
        text
    } else {
        text.trim()
    }
}

/// Whether `text`, of two bytes or more, starts and ends with a visible ASCII character:
/// [`trimmed`] leaves it as it is. (A one-byte text takes `str::trim`, to the same result: the
/// slice pattern is the cheaper test in the component, measured.)
#[inline(always)]
pub(crate) fn needs_no_trim(text: &str) -> bool {
    matches!(text.as_bytes(), [first, .., last]
        if first.is_ascii_graphic() && last.is_ascii_graphic())
}

/// `&text[range]` for bounds the caller found next to ASCII bytes, which are character
/// boundaries. A failed `str` slice formats its panic message with `char`'s `Debug` and
/// Unicode's printable tables, ~6 KB of the component for a panic that cannot happen here.
pub(crate) fn slice(text: &str, range: core::ops::Range<usize>) -> &str {
    match text.get(range) {
        Some(part) => part,
        None => off_boundary(),
    }
}

#[cold]
#[inline(never)]
fn off_boundary() -> ! {
    panic!("a str sliced off a character boundary")
}

/// Parses an SP-API time: RFC 3339 (`2019-05-07T15:42:57.058Z`, any offset), the same without
/// zone (taken as UTC), or epoch seconds as a decimal string — the sandbox's
/// `CreatedBefore: "1.569521782042E9"`.
///
/// Hand-written rather than chrono's parser: chrono's format machinery cost the component
/// ~30 KB for these two shapes.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim_ascii();
    rfc3339(text)
        .or_else(|| epoch_seconds(text))
        .filter(four_digit_year)
        .ok_or_else(|| format!("\"{text}\" is not an ISO 8601 date-time"))
}

/// Four-digit years only: whatever is accepted must also be written back as RFC 3339 and read
/// again from storage (found by fuzzing).
fn four_digit_year(t: &DateTime<Utc>) -> bool {
    (1..=9999).contains(&t.naive_utc().year())
}

/// The decimal number written in `text[range]` (at most nine digits, every byte a digit).
fn digits(text: &str, range: core::ops::Range<usize>) -> Option<u32> {
    let part = text.as_bytes().get(range)?;
    if part.is_empty() || part.len() > 9 {
        return None;
    }
    part.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

fn rfc3339(text: &str) -> Option<DateTime<Utc>> {
    // A fixed-size head: its fields are read without a bounds check each.
    let head: &[u8; 19] = text.as_bytes().get(..19)?.try_into().ok()?;
    if head[4] != b'-'
        || head[7] != b'-'
        || !matches!(head[10], b'T' | b't' | b' ')
        || head[13] != b':'
        || head[16] != b':'
    {
        return None;
    }
    let two = |at: usize| {
        let (tens, units) = (head[at].wrapping_sub(b'0'), head[at + 1].wrapping_sub(b'0'));
        (tens < 10 && units < 10).then(|| u32::from(tens) * 10 + u32::from(units))
    };
    let date = NaiveDate::from_ymd_opt((two(0)? * 100 + two(2)?) as i32, two(5)?, two(8)?)?;
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    // Byte 18 is a digit.
    let mut rest = text.get(19..)?;
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        // Nanosecond precision; further digits cannot change a millisecond timestamp.
        let kept = fraction.get(..len.min(9))?;
        nanos = digits(kept, 0..kept.len())? * 10u32.pow(9 - kept.len() as u32);
        rest = fraction.get(len..)?;
    }
    let offset_seconds: i32 = match rest {
        "" | "Z" | "z" => 0,
        zone if zone.len() == 6
            && matches!(zone.as_bytes()[0], b'+' | b'-')
            && zone.as_bytes()[3] == b':' =>
        {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = (digits(zone, 1..3)?, digits(zone, 4..6)?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60) as i32
        }
        _ => return None,
    };
    let local = date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?);
    if offset_seconds == 0 {
        // Amazon writes UTC: no offset arithmetic.
        return Some(local.and_utc());
    }
    // Through the offset rather than `checked_sub_signed`: the same arithmetic, a third of
    // the code.
    let utc = local.checked_sub_offset(FixedOffset::east_opt(offset_seconds)?)?;
    Some(Utc.from_utc_datetime(&utc))
}

/// `"1.569521782042E9"` → that many seconds since the epoch, in integer arithmetic.
fn epoch_seconds(text: &str) -> Option<DateTime<Utc>> {
    let millis = scaled_decimal(text, 3)?;
    if millis.abs() > 100_000_000_000_000 {
        return None;
    }
    DateTime::from_timestamp_millis(millis)
}

/// A decimal number, with or without exponent (`-1.5`, `1.569521782042E9`), times
/// 10^`scale`, rounded half away from zero; `None` when it is not one or the result does not
/// fit an `i64`. Digit by digit: exact where a float is not, and neither float nor 128-bit
/// arithmetic in the component.
pub(crate) fn scaled_decimal(text: &str, scale: i32) -> Option<i64> {
    let (negative, whole, fraction, exponent) = decimal_parts(text)?;
    let digits = || whole.bytes().chain(fraction.bytes());
    let count = (whole.len() + fraction.len()) as i32;
    // Exponents beyond ±40 give nothing representable; refusing them also keeps the arithmetic
    // below from overflowing (found by fuzzing).
    if count == 0
        || count > 30
        || !digits().all(|b| b.is_ascii_digit())
        || !(-40..=40).contains(&exponent)
    {
        return None;
    }
    // The value is the digits × 10^shift: a negative shift cuts digits off the end, the first
    // of them rounds.
    let shift = exponent - fraction.len() as i32 + scale;
    let kept = (count + shift.min(0)).max(0) as usize;
    let mut magnitude = digits().take(kept).try_fold(0i64, |n, b| {
        n.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    })?;
    if shift > 0 && magnitude != 0 {
        magnitude = magnitude.checked_mul(10i64.checked_pow(shift as u32)?)?;
    } else if count + shift >= 0 && digits().nth(kept).is_some_and(|b| b >= b'5') {
        magnitude = magnitude.checked_add(1)?;
    }
    Some(if negative { -magnitude } else { magnitude })
}

/// `-12.5e3` → (negative, `"12"`, `"5"`, 3); the digits are not checked here.
fn decimal_parts(text: &str) -> Option<(bool, &str, &str, i32)> {
    let (mantissa, exponent) = match split_once(text, [b'e', b'E']) {
        Some((mantissa, exponent)) => (mantissa, integer(exponent)?.try_into().ok()?),
        None => (text, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (whole, fraction) = split_once(mantissa, [b'.'; 2]).unwrap_or((mantissa, ""));
    Some((negative, whole, fraction, exponent))
}

/// Epoch seconds sent as a JSON number.
pub fn from_epoch_seconds(seconds: i64) -> Result<DateTime<Utc>, String> {
    seconds
        .checked_mul(1000)
        .and_then(DateTime::from_timestamp_millis)
        .filter(four_digit_year)
        .ok_or_else(|| "epoch seconds out of range".to_owned())
}

/// Booleans that Amazon sometimes sends as `"true"` / `"false"` strings (the samples'
/// `IsBuyerRequestedCancel`); an empty string is no answer.
pub fn flag_from_str(text: &str) -> Result<Option<bool>, String> {
    match text.trim_ascii() {
        s if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        s if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        "" => Ok(None),
        other => Err(format!("\"{other}\" is not a boolean")),
    }
}

/// Room for any time [`rfc3339_into`] writes: a six-digit signed year, nanoseconds and `Z`.
pub(crate) const RFC3339_BYTES: usize = 40;

/// `t` as RFC 3339 with `Z`, exactly as chrono's `to_rfc3339_opts(format, true)` writes it.
/// Written into `buf` rather than through chrono's `fmt` machinery: every stored row writes
/// several times, and chrono's writer was ~1 KB of the component.
pub(crate) fn rfc3339_into<'b>(
    t: &DateTime<Utc>,
    format: SecondsFormat,
    buf: &'b mut [u8; RFC3339_BYTES],
) -> &'b str {
    // UTC's own fields: `DateTime`'s accessors add the zone's offset (zero) first, each time.
    let utc = t.naive_utc();
    let (date, time) = (utc.date(), utc.time());
    let (mut second, mut nanos) = (time.second(), time.nanosecond());
    if nanos >= 1_000_000_000 {
        // A leap second.
        second += 1;
        nanos -= 1_000_000_000;
    }
    let mut at = 0;
    let year = date.year();
    if !(0..=9999).contains(&year) {
        // ISO 8601 signs years beyond four digits.
        buf[0] = if year < 0 { b'-' } else { b'+' };
        at = 1;
    }
    at = put_digits(buf, at, year.unsigned_abs(), 4);
    for (separator, value) in [
        (b'-', date.month()),
        (b'-', date.day()),
        (b'T', time.hour()),
        (b':', time.minute()),
        (b':', second),
    ] {
        buf[at] = separator;
        at = put_digits(buf, at + 1, value, 2);
    }
    let fraction_digits = match format {
        SecondsFormat::Secs => 0,
        SecondsFormat::Millis => 3,
        SecondsFormat::Micros => 6,
        SecondsFormat::AutoSi if nanos == 0 => 0,
        SecondsFormat::AutoSi if nanos % 1_000_000 == 0 => 3,
        SecondsFormat::AutoSi if nanos % 1_000 == 0 => 6,
        // `Nanos`, `AutoSi` otherwise (and chrono's hidden non-exhaustive marker).
        _ => 9,
    };
    if fraction_digits > 0 {
        buf[at] = b'.';
        let value = nanos / 10u32.pow(9 - fraction_digits as u32);
        at = put_digits(buf, at + 1, value, fraction_digits);
    }
    buf[at] = b'Z';
    ascii(&buf[..at + 1])
}

/// Writes `n` in decimal at `buf[at..]`, zero-padded to at least `width` digits; returns the
/// end. Not `money::decimal_into` into a buffer of zeros, as the storage keys pad: its `u64`
/// division and the extra copy cost 1 200 fuel per push (seven numbers per time written).
fn put_digits(buf: &mut [u8], at: usize, mut n: u32, width: usize) -> usize {
    let (mut digits, mut rest) = (1, n / 10);
    while rest > 0 {
        digits += 1;
        rest /= 10;
    }
    let end = at + digits.max(width);
    for place in buf[at..end].iter_mut().rev() {
        *place = b'0' + (n % 10) as u8;
        n /= 10;
    }
    end
}

/// Times are written back as RFC 3339 with `Z`.
pub fn serialize_time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rfc3339_into(
        t,
        SecondsFormat::AutoSi,
        &mut [0; RFC3339_BYTES],
    ))
}

pub fn serialize_opt_time<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize_time(t, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_into_writes_what_chrono_writes() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let mut times = vec![
            at("2026-11-02T00:00:00Z"),
            at("0001-01-01T00:00:00Z"),
            at("0999-03-04T05:06:07.5Z"),
            at("9999-12-31T23:59:59.999999999Z"),
            at("2019-05-07T15:42:57.058Z"),
            at("2019-05-07T15:42:57.000058Z"),
            at("2019-05-07T15:42:57.000000058Z"),
            at("2016-12-31T23:59:60.25Z"),
            DateTime::from_timestamp(-62_198_755_200, 0).unwrap(), // year -1
            DateTime::from_timestamp(253_402_300_800, 120_000_000).unwrap(), // year 10000
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ];
        times.extend((0..2_000).map(|i: i64| {
            DateTime::from_timestamp(
                i * 7_919_993 - 3_000_000_000,
                (i * 7_777_777 % 1_000_000_000) as u32,
            )
            .unwrap()
        }));
        for t in &times {
            for format in [
                SecondsFormat::Secs,
                SecondsFormat::Millis,
                SecondsFormat::Micros,
                SecondsFormat::Nanos,
                SecondsFormat::AutoSi,
            ] {
                assert_eq!(
                    rfc3339_into(t, format, &mut [0; RFC3339_BYTES]),
                    t.to_rfc3339_opts(format, true),
                    "{t:?} {format:?}"
                );
            }
        }
    }

    #[test]
    fn slice_cuts_at_character_boundaries_as_indexing_does() {
        let text = "a\"é\"b";
        assert_eq!(slice(text, 2..4), &text[2..4]);
        assert_eq!(slice(text, 0..text.len()), text);
        assert_eq!(slice(text, 5..5), "");
    }

    #[test]
    #[should_panic(expected = "a str sliced off a character boundary")]
    fn slice_off_a_character_boundary_panics() {
        slice("é", 0..1);
    }

    #[test]
    fn trimmed_trims_as_str_trim_does() {
        for text in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a",
            "a\u{3000}",
            "\u{a0}",
            "a b",
            "\t\nx\r\n",
            "é",
            " é ",
            "x\u{2028}",
            "\u{85}y",
            "ab",
            "!~",
        ] {
            assert_eq!(trimmed(text), text.trim(), "{text:?}");
        }
    }

    /// The previous implementation's arithmetic, in 128 bits: the reference for
    /// `scaled_decimal` (both split the text with `decimal_parts`).
    fn scaled_decimal_by_i128(text: &str, scale: i32) -> Option<i64> {
        let (negative, whole, fraction, exponent) = decimal_parts(text)?;
        let all_digits = format!("{whole}{fraction}");
        if all_digits.is_empty()
            || all_digits.len() > 30
            || !all_digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let value: i128 = all_digits.parse().ok()?;
        if !(-40..=40).contains(&exponent) {
            return None;
        }
        let scale = exponent - fraction.len() as i32 + scale;
        // Zero times a power past 10^38 is zero (the 128-bit implementation refused it).
        if value == 0 {
            return Some(0);
        }
        let magnitude = if scale >= 0 {
            value.checked_mul(10i128.checked_pow(scale.try_into().ok()?)?)?
        } else {
            // A divisor past 10^38 leaves nothing of 30 digits; the 128-bit implementation
            // refused such numbers, `scaled_decimal` rounds them to 0.
            let Some(divisor) = 10i128.checked_pow((-scale).try_into().ok()?) else {
                return Some(0);
            };
            (value + divisor / 2) / divisor
        };
        i64::try_from(if negative { -magnitude } else { magnitude }).ok()
    }

    #[test]
    fn decimals_scale_as_the_128_bit_reference_does() {
        let mut inputs = vec![
            "0",
            "-0",
            "1",
            "0.005",
            "0.004999",
            "-0.005",
            "2.675",
            "1.569521782042E9",
            "1.5e-3",
            "15E-4",
            "1e18",
            "9.223372036854775807e18",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775807",
            "92233720368547758.075",
            "000000000000000000000000000001",
            "0000000000000000000000000000001",
            "1e40",
            "1e41",
            "1e-40",
            "5e-3",
            "4.9999999999999999999999999e-1",
            ".5",
            "5.",
            "-",
            "",
            "1e",
            "e5",
            "1.2.3",
            "1-2",
            "+1",
            "1e+2",
            "٣",
        ];
        let mut generated = Vec::new();
        for digits in [
            "0",
            "5",
            "49",
            "50",
            "51",
            "999",
            "12345678901234567",
            "99999999999999999999",
        ] {
            for point in 0..=digits.len() {
                for exponent in ["", "e0", "e-1", "e-5", "E2", "e15", "e-25", "e39"] {
                    let (whole, fraction) = digits.split_at(point);
                    generated.push(format!("{whole}.{fraction}{exponent}"));
                    generated.push(format!("-{whole}{fraction}{exponent}"));
                }
            }
        }
        inputs.extend(generated.iter().map(String::as_str));
        for text in inputs {
            for scale in [0, 2, 3] {
                assert_eq!(
                    scaled_decimal(text, scale),
                    scaled_decimal_by_i128(text, scale),
                    "{text:?} × 10^{scale}"
                );
            }
        }
    }

    #[test]
    fn sandbox_epoch_seconds_in_scientific_notation_parse() {
        let t = parse_time("1.569521782042E9").unwrap();
        assert_eq!(t.timestamp_millis(), 1_569_521_782_042);
    }

    #[test]
    fn rfc3339_with_and_without_zone_parse() {
        assert_eq!(
            parse_time("2019-05-07T15:42:57.058Z")
                .unwrap()
                .timestamp_millis(),
            1_557_243_777_058
        );
        assert_eq!(
            parse_time("2017-01-20T19:49:35").unwrap(),
            parse_time("2017-01-20T19:49:35Z").unwrap()
        );
    }

    #[test]
    fn zone_offsets_read_as_chrono_reads_them() {
        for text in [
            "2026-11-29T10:00:00+05:30",
            "2026-11-29T10:00:00.5-08:00",
            "2024-02-29T23:30:00-01:00",
            "2024-03-01T00:30:00+01:00",
            "2026-01-01T00:00:00+23:59",
            "2026-12-31T23:59:59-23:59",
            "9999-12-31T23:59:59-00:30",
            "0001-01-01T00:00:00+00:30",
            "0001-01-01T00:30:00+00:30",
        ] {
            let expected = DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Utc))
                .filter(four_digit_year);
            assert_eq!(parse_time(text).ok(), expected, "{text}");
        }
    }

    #[test]
    fn garbage_dates_are_rejected() {
        for bad in [
            "",
            "yesterday",
            "2019-13-45T00:00:00Z",
            "02/21/2022",
            "1e400",
            "NaN",
            // Found by fuzzing: a multi-byte character where a zone offset's sign would be.
            "2019-05-07T15:42:57.0\u{fffd}58Z",
            "2019-05-07T15:42:57\u{fffd}:00",
            "1e2147483647",
            "2.6e11",
            "0000-01-01T00:00:00+01:00",
            "1e-2147483648",
        ] {
            assert!(parse_time(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
