//! Tolerant, case-insensitive reading of KashFlow JSON: ONE mechanism used by the client (reading
//! KashFlow's responses) and the sandbox (reading requests, which KashFlow matches without regard to
//! case: `{"username": ...}` logs in like `{"UserName": ...}`).
//!
//! `from_value::<T>(value)` deserializes through [`Caseless`], a `serde::Deserializer` over a
//! `serde_json::Value` that:
//! - matches an object's keys to the struct's field names ignoring ASCII case, using the `fields`
//!   list serde passes to `deserialize_struct` (an exact match wins over a case-insensitive one;
//!   unknown keys stay as they are and are ignored by the struct);
//! - applies itself to every nested value, so nested structs are matched the same way;
//! - is lenient where KashFlow is inconsistent: integers given as `4000.0000` or `"4000"`, booleans
//!   given as `0`/`1` or `"true"`, strings given as numbers, and `null` where a plain number,
//!   boolean, string or list is expected (read as 0 / false / "" / empty).
//!
//! Enum variant names are also matched ignoring case; the content of a data-carrying variant is
//! read by serde_json's own (case-sensitive) deserializer — the wire model has no such enums.

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::Deserializer as _;
use serde_json::{Map, Value};

type Error = serde_json::Error;

/// Deserialize `T` from a JSON value, matching keys case-insensitively (see the module docs).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    T::deserialize(Caseless(value))
}

/// Parse bytes as JSON, then [`from_value`].
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let value: Value = serde_json::from_slice(bytes)?;
    from_value(value)
}

/// Look a key up in a JSON object ignoring ASCII case (an exact match wins).
pub fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    let obj = value.as_object()?;
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The items of a list response: a bare array, or the `Data` array of a `{Data, MetaData}` envelope
/// (any case). A `null` `Data` is an empty list. Anything else is an error naming what was found.
pub fn list_items(value: Value) -> Result<Vec<Value>, String> {
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(mut obj) => {
            let key = obj.keys().find(|k| k.eq_ignore_ascii_case("Data")).cloned();
            match key.and_then(|k| obj.remove(&k)) {
                Some(Value::Array(items)) => Ok(items),
                Some(Value::Null) => Ok(Vec::new()),
                Some(other) => Err(format!(
                    "expected the list's Data to be an array, found {}",
                    kind(&other)
                )),
                None => Err("expected a list (an array or an object with Data)".to_string()),
            }
        }
        other => Err(format!("expected a list, found {}", kind(&other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The deserializer adapter. Wrap a `Value` and call `T::deserialize(Caseless(value))`.
pub struct Caseless(pub Value);

/// Rename an object's keys to the struct's field names where they differ only by ASCII case.
fn canonical_keys(obj: Map<String, Value>, fields: &'static [&'static str]) -> Map<String, Value> {
    let exact: Vec<&str> = obj
        .keys()
        .filter(|k| fields.contains(&k.as_str()))
        .map(|k| k.as_str())
        .collect::<Vec<_>>();
    let exact: std::collections::HashSet<String> = exact.into_iter().map(str::to_owned).collect();
    let mut out = Map::new();
    for (k, v) in obj {
        if exact.contains(&k) {
            out.insert(k, v);
            continue;
        }
        match fields.iter().find(|f| f.eq_ignore_ascii_case(&k)) {
            // An exact key for this field was also sent: the exact one wins.
            Some(f) if exact.contains(*f) => {}
            Some(f) if out.contains_key(*f) => {}
            Some(f) => {
                out.insert((*f).to_owned(), v);
            }
            None => {
                out.insert(k, v);
            }
        }
    }
    out
}

/// An integer from a number (`12`, `12.0000`) or a numeric string; `None` if it is not one.
fn integer_of(v: &Value) -> Option<i128> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    if let Ok(i) = text.parse::<i128>() {
        return Some(i);
    }
    let d: rust_decimal::Decimal = text
        .parse()
        .ok()
        .or_else(|| rust_decimal::Decimal::from_scientific(&text).ok())?;
    if d.fract().is_zero() {
        d.trunc().to_string().parse().ok()
    } else {
        None
    }
}

fn invalid(v: &Value, expected: &str) -> Error {
    de::Error::custom(format!("expected {expected}, found {}", kind(v)))
}

impl Caseless {
    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_null() {
            return visitor.visit_i64(0);
        }
        match integer_of(&self.0) {
            Some(i) if i >= 0 && i <= u64::MAX as i128 => visitor.visit_u64(i as u64),
            Some(i) if i < 0 && i >= i64::MIN as i128 => visitor.visit_i64(i as i64),
            Some(i) => Err(de::Error::custom(format!("{i} is out of range"))),
            None => match &self.0 {
                Value::Number(n) => Err(de::Error::custom(format!(
                    "expected a whole number, found {n}"
                ))),
                Value::String(s) => Err(de::Error::custom(format!(
                    "expected a whole number, found '{s}'"
                ))),
                other => Err(invalid(other, "a whole number")),
            },
        }
    }

    fn float<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_f64(0.0),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(f) => visitor.visit_f64(f),
                Err(_) => Err(de::Error::custom(format!("expected a number, found '{s}'"))),
            },
            other => other.deserialize_f64(visitor),
        }
    }
}

struct MapAccess {
    iter: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> de::MapAccess<'de> for MapAccess {
    type Error = Error;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                let key: de::value::StringDeserializer<Error> = k.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let v = self
            .value
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("value requested before key"))?;
        seed.deserialize(Caseless(v))
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct SeqAccess(std::vec::IntoIter<Value>);

impl<'de> de::SeqAccess<'de> for SeqAccess {
    type Error = Error;
    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.0.next() {
            Some(v) => seed.deserialize(Caseless(v)).map(Some),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

fn visit_object<'de, V: Visitor<'de>>(
    obj: Map<String, Value>,
    visitor: V,
) -> Result<V::Value, Error> {
    visitor.visit_map(MapAccess {
        iter: obj.into_iter(),
        value: None,
    })
}

fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Error> {
    visitor.visit_seq(SeqAccess(items.into_iter()))
}

impl<'de> de::Deserializer<'de> for Caseless {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(obj) => visit_object(obj, visitor),
            Value::Array(items) => visit_array(items, visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // null reads as false here: a KashFlow flag left out means "not set".
        match super::wire::lenient_bool(&self.0) {
            Ok(b) => visitor.visit_bool(b.unwrap_or(false)),
            Err(why) => Err(de::Error::custom(why)),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.float(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.float(v)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_char(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_string(String::new()),
            Value::String(s) => visitor.visit_string(s),
            Value::Number(n) => visitor.visit_string(n.to_string()),
            Value::Bool(b) => visitor.visit_string(b.to_string()),
            other => Err(invalid(&other, "a string")),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_bytes(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_byte_buf(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Caseless(other)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_unit(visitor)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visit_array(Vec::new(), visitor),
            Value::Array(items) => visit_array(items, visitor),
            other => Err(invalid(&other, "a list")),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(obj) => visit_object(obj, visitor),
            other => Err(invalid(&other, "an object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(obj) => visit_object(canonical_keys(obj, fields), visitor),
            Value::Array(items) => visit_array(items, visitor),
            other => Err(invalid(&other, "an object")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let canon = |s: String| -> String {
            variants
                .iter()
                .find(|v| v.eq_ignore_ascii_case(&s))
                .map(|v| (*v).to_owned())
                .unwrap_or(s)
        };
        let value = match self.0 {
            Value::String(s) => Value::String(canon(s)),
            Value::Object(obj) if obj.len() == 1 => {
                let (k, v) = obj.into_iter().next().expect("one entry");
                let mut m = Map::new();
                m.insert(canon(k), v);
                Value::Object(m)
            }
            other => other,
        };
        value.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Inner {
        #[serde(rename = "VATLevel", with = "crate::kashflow::wire::dec4")]
        vat_level: Decimal,
        nominal_code: i64,
        vat_exempt: bool,
    }

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Outer {
        user_name: String,
        code: Option<String>,
        lines: Vec<Inner>,
        inner: Option<Inner>,
    }

    #[test]
    fn keys_match_ignoring_case_at_every_level() {
        let v = json!({"username": "bob", "CODE": "A1", "unknown": 1,
            "lines": [{"vatlevel": 20, "NOMINALCODE": "4000", "vatexempt": 1}],
            "inner": {"VatLevel": 5.0000, "nominalcode": 4100.0000, "VATEXEMPT": "false"}});
        let o: Outer = from_value(v).unwrap();
        assert_eq!(o.user_name, "bob");
        assert_eq!(o.code.as_deref(), Some("A1"));
        assert_eq!(o.lines[0].vat_level, Decimal::from(20));
        assert_eq!(o.lines[0].nominal_code, 4000);
        assert!(o.lines[0].vat_exempt);
        let inner = o.inner.unwrap();
        assert_eq!(inner.nominal_code, 4100);
        assert!(!inner.vat_exempt);
    }

    #[test]
    fn exact_key_wins_and_nulls_read_as_defaults() {
        let v = json!({"UserName": "exact", "username": "other", "Lines": null, "Code": null});
        let o: Outer = from_value(v).unwrap();
        assert_eq!(o.user_name, "exact");
        assert!(o.lines.is_empty());
        assert_eq!(o.code, None);
    }

    #[test]
    fn bad_values_are_named() {
        let e = from_value::<Inner>(json!({"NominalCode": 12.5})).unwrap_err();
        assert!(e.to_string().contains("whole number"), "{e}");
        let e = from_value::<Inner>(json!({"VATExempt": "maybe"})).unwrap_err();
        assert!(e.to_string().contains("boolean"), "{e}");
    }

    #[test]
    fn lists_come_bare_or_in_data() {
        assert_eq!(list_items(json!([1, 2])).unwrap().len(), 2);
        assert_eq!(
            list_items(json!({"data": [1], "MetaData": {}}))
                .unwrap()
                .len(),
            1
        );
        assert!(list_items(json!({"Data": null})).unwrap().is_empty());
        assert!(list_items(json!("x")).is_err());
    }
}
