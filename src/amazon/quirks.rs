//! Deserializers for the shapes Amazon really sends, beyond what its model promises.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{de, Deserializer, Serializer};
use std::fmt;

/// Parses an SP-API time: RFC 3339 (`2019-05-07T15:42:57.058Z`), an RFC 3339 time without zone
/// (taken as UTC), or epoch seconds as a number or numeric string — the sandbox's
/// `CreatedBefore: "1.569521782042E9"`.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(Utc.from_utc_datetime(&t));
    }
    let looks_numeric = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if looks_numeric {
        if let Some(t) = text.parse::<f64>().ok().and_then(epoch_seconds) {
            return Ok(t);
        }
    }
    Err(format!("\"{text}\" is not an ISO 8601 date-time"))
}

fn epoch_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() || seconds.abs() > 1.0e11 {
        return None;
    }
    DateTime::from_timestamp_millis((seconds * 1000.0).round() as i64)
}

/// `DateTime<Utc>` fields: lenient on input, RFC 3339 with `Z` on output.
pub mod time {
    use super::*;
    use chrono::SecondsFormat;

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = DateTime<Utc>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 8601 date-time")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                parse_time(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                epoch_seconds(v).ok_or_else(|| E::custom("epoch seconds out of range"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Optional `DateTime<Utc>` fields.
pub mod opt_time {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::time::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        struct Wrapper(DateTime<Utc>);
        impl<'de> serde::Deserialize<'de> for Wrapper {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                super::time::deserialize(d).map(Wrapper)
            }
        }
        Ok(<Option<Wrapper> as serde::Deserialize>::deserialize(d)?.map(|w| w.0))
    }
}

/// Booleans that Amazon sometimes sends as `"true"` / `"false"` strings (`IsGift`,
/// `IsBuyerRequestedCancel`).
pub mod flag {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_bool(*b),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Option<bool>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean or \"true\"/\"false\"")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Some(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                match v.trim() {
                    s if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
                    s if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
                    "" => Ok(None),
                    other => Err(E::custom(format!("\"{other}\" is not a boolean"))),
                }
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_option(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_epoch_seconds_in_scientific_notation_parse() {
        let t = parse_time("1.569521782042E9").unwrap();
        assert_eq!(t.timestamp_millis(), 1_569_521_782_042);
    }

    #[test]
    fn rfc3339_with_and_without_zone_parse() {
        assert_eq!(
            parse_time("2019-05-07T15:42:57.058Z").unwrap().timestamp_millis(),
            1_557_243_777_058
        );
        assert_eq!(
            parse_time("2017-01-20T19:49:35").unwrap(),
            parse_time("2017-01-20T19:49:35Z").unwrap()
        );
    }

    #[test]
    fn garbage_dates_are_rejected() {
        for bad in ["", "yesterday", "2019-13-45T00:00:00Z", "02/21/2022", "1e400", "NaN"] {
            assert!(parse_time(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
