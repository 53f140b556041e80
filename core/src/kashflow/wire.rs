//! Wire-level encodings KashFlow uses, in one place: 4-dp decimal numbers, "YYYY-MM-DD HH:mm:ss"
//! dates (with or without a UTC offset), and booleans sent as `true`/`false` or `0`/`1`.
//!
//! Reading is tolerant (integers or decimals, numbers as strings, dates with `T` or an offset);
//! writing is exactly what KashFlow emits.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Rescale to exactly four decimal places, as KashFlow serialises every number.
pub fn to_4dp(d: Decimal) -> Decimal {
    let mut x = d.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    x.rescale(4);
    x
}

fn write_number<S: Serializer>(d: Decimal, s: S) -> Result<S::Ok, S::Error> {
    let text = to_4dp(d).to_string();
    let n: serde_json::Number = text.parse().map_err(serde::ser::Error::custom)?;
    n.serialize(s)
}

fn read_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => parse_decimal(&n.to_string())
            .map(Some)
            .map_err(de::Error::custom),
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::String(s) => {
            parse_decimal(s.trim()).map(Some).map_err(de::Error::custom)
        }
        other => Err(de::Error::custom(format!(
            "expected a number, found {other}"
        ))),
    }
}

fn parse_decimal(s: &str) -> Result<Decimal, String> {
    s.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(s))
        .map_err(|_| format!("'{s}' is not a decimal number"))
}

/// `#[serde(with = "dec4")]` for a required `Decimal` (null reads as zero).
pub mod dec4 {
    use super::*;
    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        write_number(*d, s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        Ok(read_number(d)?.unwrap_or_default())
    }
}

/// `#[serde(with = "dec4_opt")]` for an optional `Decimal`.
pub mod dec4_opt {
    use super::*;
    pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => write_number(*d, s),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        read_number(d)
    }
}

/// A boolean as KashFlow writes one: `true`/`false`, `0`/`1`, or those as strings in any case
/// (`"False"`, `" 1 "`, and `""` for false); `null` is `None`. The one reading of KashFlow's
/// booleans: [`flexible_bool`] and the case-insensitive reader ([`super::caseless`]) both use it.
pub fn lenient_bool(v: &serde_json::Value) -> Result<Option<bool>, String> {
    use serde_json::Value;
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) => match n.to_string().as_str() {
            "0" => Ok(Some(false)),
            "1" => Ok(Some(true)),
            other => Err(format!("expected 0 or 1 for a boolean, found {other}")),
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" | "" => Ok(Some(false)),
            _ => Err(format!(
                "expected a boolean, found '{}'",
                crate::mapping::text::quote(s)
            )),
        },
        other => Err(format!(
            "expected a boolean, found {}",
            crate::mapping::text::quote(&other.to_string())
        )),
    }
}

/// Booleans KashFlow sends as `true`/`false` or `0`/`1` (also accepts "true"/"1" strings).
pub mod flexible_bool {
    use super::*;
    pub fn serialize<S: Serializer>(b: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(*b)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(read(d)?.unwrap_or(false))
    }
    pub(super) fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        lenient_bool(&serde_json::Value::deserialize(d)?).map_err(de::Error::custom)
    }
    pub mod option {
        use super::*;
        pub fn serialize<S: Serializer>(b: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
            match b {
                Some(b) => s.serialize_bool(*b),
                None => s.serialize_none(),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
            super::read(d)
        }
    }
}

/// A KashFlow date-time. KashFlow writes `"2012-06-28 12:00:00"` (UK local time, no zone) and
/// sometimes `"2012-10-09 12:00:00 +05:30"`; the offset is kept as read but dropped on writing,
/// since KashFlow dates are calendar dates in the account's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KfDateTime(pub NaiveDateTime);

impl KfDateTime {
    pub const FORMAT: &'static str = "%Y-%m-%d %H:%M:%S";

    /// A date-only value, which KashFlow carries as noon on that day.
    pub fn from_date(date: NaiveDate) -> Self {
        KfDateTime(date.and_hms_opt(12, 0, 0).expect("noon is a valid time"))
    }

    pub fn date(&self) -> NaiveDate {
        self.0.date()
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let formats = [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
        ];
        // Strip a trailing offset ("+05:30", "Z") if present: the wall-clock part is what KashFlow means.
        let body = strip_offset(t);
        for f in formats {
            if let Ok(dt) = NaiveDateTime::parse_from_str(body, f) {
                return Ok(KfDateTime(dt));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(body, "%Y-%m-%d") {
            return Ok(KfDateTime::from_date(d));
        }
        Err(format!(
            "'{text}' is not a KashFlow date (expected YYYY-MM-DD HH:mm:ss)"
        ))
    }
}

fn strip_offset(t: &str) -> &str {
    let t = t.strip_suffix('Z').unwrap_or(t);
    // " +05:30" / "+05:30" / "-0100" after the time part
    if t.len() > 19 {
        let (head, tail) = t.split_at(19);
        let tail_trim = tail.trim_start();
        if tail_trim.starts_with('+') || tail_trim.starts_with('-') {
            return head;
        }
    }
    t
}

impl fmt::Display for KfDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(Self::FORMAT))
    }
}

impl Serialize for KfDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for KfDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        KfDateTime::parse(&s).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_with_four_places() {
        #[derive(Serialize)]
        struct T {
            #[serde(with = "dec4")]
            x: Decimal,
        }
        let s = serde_json::to_string(&T {
            x: "117.5".parse().unwrap(),
        })
        .unwrap();
        assert_eq!(s, r#"{"x":117.5000}"#);
    }

    #[test]
    fn dates_read_with_and_without_offset() {
        let a = KfDateTime::parse("2012-10-09 12:00:00 +05:30").unwrap();
        let b = KfDateTime::parse("2012-10-09T12:00:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "2012-10-09 12:00:00");
        assert!(KfDateTime::parse("09/10/2012").is_err());
    }
}
