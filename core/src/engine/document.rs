//! The one way the engine reads a JSON document from the host (its configuration, an order event,
//! a stored job payload): serde types, read through `serde_path_to_error` so that every error
//! names the field at fault (`KashFlow.TimeoutSeconds`, `Items[2].Quantity`) instead of a line and
//! column, in words a shop admin can act on.
//!
//! What the callers share, and why it lives here:
//! - `null` counts as absent: the plugin's serializer writes `null` for a setting it leaves unset,
//!   which must mean "the default", not "the wrong type". ([`strip_nulls`])
//! - An error never echoes the value of a secret field (a password typed into the wrong box must
//!   not reach a log); other values are quoted, at most ~200 characters. ([`Failure`])
//! - Unknown fields: the configuration refuses them (a misspelt setting silently falling back to a
//!   default is worse than an error) with `#[serde(deny_unknown_fields)]`; event documents ignore
//!   them (the plugin may send more context). The type decides, not this module.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::mapping::text::quote;

/// Why a document did not read: the field path (empty for the document itself) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub path: Option<String>,
    pub message: String,
}

/// Read `value` as `T`. `secret_fields` are paths whose values must never appear in a message.
pub fn read<T: DeserializeOwned>(value: &Value, secret_fields: &[&str]) -> Result<T, Failure> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = field_path(&e);
        let inner = e.into_inner().to_string();
        failure(path, &inner, secret_fields)
    })
}

/// Remove every `null` member of every object in `value` (recursively), so that `null` reads as
/// an absent field and takes the field's default.
pub fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The path serde_path_to_error tracked, as `A.B[2].C` (its own rendering, minus the `.` it
/// prints for the document itself).
fn field_path(e: &serde_path_to_error::Error<serde_json::Error>) -> Option<String> {
    let p = e.path().to_string();
    (p != "." && !p.is_empty()).then_some(p)
}

/// One sentence from serde's message. The tracked path already ends in an unknown field's name;
/// a missing field is reported at the enclosing object, so its name is joined to the path.
fn failure(path: Option<String>, inner: &str, secret_fields: &[&str]) -> Failure {
    let join = |key: &str| match &path {
        Some(p) => format!("{p}.{key}"),
        None => key.to_string(),
    };
    if let Some(rest) = inner.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let full = path.clone().unwrap_or_else(|| key.to_string());
        let expected = expected
            .trim_start_matches(", expected ")
            .trim_start_matches("one of ")
            .replace("` or `", ", ")
            .replace('`', "");
        return Failure {
            message: format!(
                "unknown setting '{}' (expected one of: {expected})",
                quote(&full)
            ),
            path: Some(full),
        };
    }
    if let Some(rest) = inner.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        let full = join(key);
        return Failure {
            message: format!("{full} is required"),
            path: Some(full),
        };
    }
    let name = path.clone().unwrap_or_else(|| "the document".to_string());
    let secret = path
        .as_deref()
        .is_some_and(|p| secret_fields.iter().any(|s| s.eq_ignore_ascii_case(p)));
    let message = if secret {
        // serde's message carries the value; a secret's value is never repeated.
        format!("{name} must be a string")
    } else {
        format!("{name} {}", plain_words(inner))
    };
    Failure { path, message }
}

/// serde's sentence in a shop admin's words: "invalid type: string "x", expected u32" →
/// "must be a whole number of 0 or more, found string "x"", the value quoted and capped. The
/// field types' own checks already say "must be …".
fn plain_words(inner: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("u8", "a whole number of 0 or more"),
        ("u16", "a whole number of 0 or more"),
        ("u32", "a whole number of 0 or more"),
        ("u64", "a whole number of 0 or more"),
        ("i32", "a whole number"),
        ("i64", "a whole number"),
        ("a borrowed string", "a string"),
        ("a boolean", "true or false"),
    ];
    if inner.starts_with("must be ") {
        return quote(inner);
    }
    let sentence = ["invalid type: ", "invalid value: "]
        .iter()
        .find_map(|p| inner.strip_prefix(p))
        .and_then(|rest| rest.rsplit_once(", expected "));
    match sentence {
        Some((found, expected)) => {
            let expected = WORDS
                .iter()
                .find(|(from, _)| *from == expected)
                .map_or(expected, |(_, to)| to);
            format!("must be {expected}, found {}", quote(found))
        }
        None => format!("is not valid: {}", quote(inner)),
    }
}

/// Field types with their own check, shared by the documents (the check's words appear after
/// the field's path in the error).
pub mod fields {
    use chrono::{DateTime, Utc};
    use rust_decimal::Decimal;
    use serde::de::{self, Deserialize, Deserializer};
    use serde_json::Value;

    use crate::engine::header::parse_utc;
    use crate::mapping::text::quote;

    fn found(v: &Value) -> String {
        quote(&v.to_string())
    }

    /// A nopCommerce id: a whole number above 0.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct PositiveId(pub i64);

    impl<'de> Deserialize<'de> for PositiveId {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let v = Value::deserialize(d)?;
            v.as_i64()
                .filter(|i| *i > 0)
                .map(PositiveId)
                .ok_or_else(|| {
                    de::Error::custom(format!(
                        "must be a positive whole number, found {}",
                        found(&v)
                    ))
                })
        }
    }

    /// A position or sequence number counted from 1.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Ordinal(pub u32);

    impl<'de> Deserialize<'de> for Ordinal {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let v = Value::deserialize(d)?;
            v.as_u64()
                .filter(|n| (1..=u32::MAX as u64).contains(n))
                .map(|n| Ordinal(n as u32))
                .ok_or_else(|| {
                    de::Error::custom(format!(
                        "must be a whole number from 1, found {}",
                        found(&v)
                    ))
                })
        }
    }

    /// An amount: a JSON number or a string holding one (C# writes decimals either way); exact.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Amount(pub Decimal);

    impl<'de> Deserialize<'de> for Amount {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let v = Value::deserialize(d)?;
            let text = match &v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.trim().to_string(),
                _ => String::new(),
            };
            text.parse::<Decimal>()
                .ok()
                .or_else(|| Decimal::from_scientific(&text).ok())
                .map(Amount)
                .ok_or_else(|| {
                    de::Error::custom(format!("must be a decimal number, found {}", found(&v)))
                })
        }
    }

    /// A date and time in UTC ([`parse_utc`]: ISO 8601, with or without an offset).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct UtcTime(pub DateTime<Utc>);

    impl<'de> Deserialize<'de> for UtcTime {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let v = Value::deserialize(d)?;
            v.as_str().and_then(parse_utc).map(UtcTime).ok_or_else(|| {
                de::Error::custom(format!(
                    "must be a date and time (ISO 8601, e.g. 2026-05-01T10:00:00Z), found {}",
                    found(&v)
                ))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "PascalCase")]
    struct Outer {
        #[serde(default)]
        inner: Inner,
        #[serde(default)]
        items: Vec<Inner>,
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "PascalCase")]
    struct Inner {
        #[serde(default)]
        count: u32,
        #[serde(default)]
        #[allow(dead_code)] // read only to show that its value stays out of errors
        password: String,
    }

    fn err(json: &str) -> Failure {
        let mut v: Value = serde_json::from_str(json).unwrap();
        strip_nulls(&mut v);
        read::<Outer>(&v, &["Inner.Password"]).unwrap_err()
    }

    #[test]
    fn errors_name_the_field_path() {
        let f = err(r#"{"Inner":{"Count":"soon"}}"#);
        assert_eq!(f.path.as_deref(), Some("Inner.Count"));
        assert!(f.message.contains("whole number"), "{}", f.message);
        let f = err(r#"{"Items":[{"Count":1},{"Count":-1}]}"#);
        assert_eq!(f.path.as_deref(), Some("Items[1].Count"));
    }

    #[test]
    fn an_unknown_field_is_named_with_its_path() {
        let f = err(r#"{"Inner":{"Cuont":1}}"#);
        assert_eq!(f.path.as_deref(), Some("Inner.Cuont"));
        assert!(f.message.contains("Count, Password"), "{}", f.message);
        let f = err(r#"{"Iner":{}}"#);
        assert_eq!(f.path.as_deref(), Some("Iner"));
    }

    #[test]
    fn a_secret_value_is_never_repeated() {
        let f = err(r#"{"Inner":{"Password":12345678}}"#);
        assert_eq!(f.path.as_deref(), Some("Inner.Password"));
        assert!(!f.message.contains("12345678"), "{}", f.message);
        let f = err(r#"{"Inner":{"Count":"12345678"}}"#);
        assert!(f.message.contains("12345678"), "{}", f.message);
    }

    #[test]
    fn null_reads_as_absent() {
        let mut v: Value =
            serde_json::from_str(r#"{"Inner":{"Count":null},"Items":null}"#).unwrap();
        strip_nulls(&mut v);
        let o: Outer = read(&v, &[]).unwrap();
        assert_eq!(o.inner.count, 0);
        assert!(o.items.is_empty());
    }

    #[test]
    fn a_huge_value_is_quoted_short() {
        let long = "x".repeat(100_000);
        let f = err(&format!(r#"{{"Inner":{{"Count":"{long}"}}}}"#));
        assert!(f.message.len() < 1_000, "{}", f.message.len());
    }
}
