//! The snapshot's JSON Schema, generated from the Rust types, and a small validator for the
//! subset of JSON Schema we emit (`type`, `required`, `properties`, `items`, `enum`,
//! `additionalProperties`, plus the `decimal` and `date-time` formats).
//!
//! schemars is not available, so each snapshot type implements `Describe` right next to its
//! definition; `snapshot_schema()` assembles the document that is checked in at
//! `core/schema/order-snapshot.v1.schema.json`. Tests fail when the checked-in file, the serde
//! types or the doc comments drift apart (refresh with `KFSYNC_BLESS=1 cargo test -p kashflow-sync schema`).
//! The validator also turns a snapshot that does not deserialise into one error per problem,
//! each with its field path.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::error::quote;
use super::error::{ErrorCode, ValidationError};
use super::snapshot::{utc_datetime, OrderSnapshot};

/// Where the generated schema is checked in, relative to the `core/` directory.
pub const SCHEMA_FILE: &str = "schema/order-snapshot.v1.schema.json";

/// A type that can describe its JSON shape as a JSON Schema fragment.
pub trait Describe {
    fn describe() -> Value;
}

/// One property of an object schema.
pub struct Field {
    pub name: &'static str,
    pub schema: Value,
    pub required: bool,
}

impl Field {
    pub fn required(name: &'static str, schema: Value) -> Field {
        Field {
            name,
            schema,
            required: true,
        }
    }
    pub fn optional(name: &'static str, schema: Value) -> Field {
        Field {
            name,
            schema,
            required: false,
        }
    }
}

fn typed(ty: &str, description: &str) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), Value::from(ty));
    m.insert("description".into(), Value::from(description));
    Value::Object(m)
}

/// A closed object: every property listed, unknown ones rejected.
pub fn object(description: &str, fields: Vec<Field>) -> Value {
    let mut v = typed("object", description);
    let required: Vec<Value> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| Value::from(f.name))
        .collect();
    let mut props = Map::new();
    for f in fields {
        props.insert(f.name.to_string(), f.schema);
    }
    v["required"] = Value::Array(required);
    v["properties"] = Value::Object(props);
    v["additionalProperties"] = Value::Bool(false);
    v
}

pub fn integer(description: &str) -> Value {
    typed("integer", description)
}

pub fn string(description: &str) -> Value {
    typed("string", description)
}

pub fn boolean(description: &str) -> Value {
    typed("boolean", description)
}

/// A decimal amount: a JSON number, or a string holding one (read exactly, never as a float).
pub fn decimal(description: &str) -> Value {
    let mut v = typed("number", description);
    v["type"] = Value::from(vec!["number", "string"]);
    v["format"] = Value::from("decimal");
    v
}

/// An ISO 8601 date and time in UTC.
pub fn date_time(description: &str) -> Value {
    let mut v = typed("string", description);
    v["format"] = Value::from("date-time");
    v
}

pub fn enumeration(description: &str, names: &[&str]) -> Value {
    let mut v = typed("string", description);
    v["enum"] = Value::from(names.to_vec());
    v
}

pub fn array(description: &str, items: Value) -> Value {
    let mut v = typed("array", description);
    v["items"] = items;
    v
}

/// The same schema, also allowing `null`.
pub fn nullable(mut v: Value) -> Value {
    let types = match v.get("type") {
        Some(Value::String(t)) => vec![Value::from(t.as_str()), Value::from("null")],
        Some(Value::Array(ts)) => {
            let mut ts = ts.clone();
            ts.push(Value::from("null"));
            ts
        }
        _ => vec![Value::from("null")],
    };
    v["type"] = Value::Array(types);
    if let Some(Value::Array(e)) = v.get_mut("enum") {
        e.push(Value::Null);
    }
    v
}

/// The JSON Schema (draft 2020-12) of the order snapshot, version 1.
pub fn snapshot_schema() -> Value {
    let mut v = OrderSnapshot::describe();
    let body = std::mem::take(v.as_object_mut().expect("object schema"));
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        Value::from("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert(
        "$id".into(),
        Value::from("urn:kashflow-sync:order-snapshot:v1"),
    );
    root.insert(
        "title".into(),
        Value::from("KashFlow Sync order snapshot, version 1"),
    );
    root.extend(body);
    Value::Object(root)
}

/// The schema as it is checked in: pretty JSON with a trailing newline.
pub fn snapshot_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&snapshot_schema()).expect("schema serialises");
    s.push('\n');
    s
}

/// Validate `doc` against `schema` (the subset above); every problem, each with its path.
pub fn validate(schema: &Value, doc: &Value) -> Vec<ValidationError> {
    let mut out = Vec::new();
    check(schema, doc, "", &mut out);
    out
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn where_(path: &str) -> String {
    if path.is_empty() {
        "The document".to_string()
    } else {
        path.to_string()
    }
}

fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn matches_type(ty: &str, v: &Value) -> bool {
    match ty {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        _ => false,
    }
}

fn type_label(ty: &str) -> &str {
    match ty {
        "null" => "null",
        "boolean" => "true or false",
        "object" => "an object",
        "array" => "an array",
        "string" => "text",
        "number" => "a number",
        "integer" => "a whole number",
        other => other,
    }
}

fn is_decimal(t: &str) -> bool {
    t.parse::<Decimal>().is_ok() || Decimal::from_scientific(t).is_ok()
}

fn check(schema: &Value, v: &Value, path: &str, out: &mut Vec<ValidationError>) {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() && !types.iter().any(|t| matches_type(t, v)) {
        let wanted: Vec<&str> = types.iter().map(|t| type_label(t)).collect();
        out.push(ValidationError::new(
            ErrorCode::InvalidDocument,
            path,
            format!(
                "{} must be {}, but it is {}.",
                where_(path),
                wanted.join(" or "),
                json_type_name(v)
            ),
        ));
        return;
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        if !allowed.contains(v) {
            let names: Vec<String> = allowed
                .iter()
                .filter(|a| !a.is_null())
                .map(|a| a.to_string())
                .collect();
            out.push(ValidationError::new(
                ErrorCode::InvalidValue,
                path,
                format!(
                    "{} is {}, which is not one of {}.",
                    where_(path),
                    quote(&v.to_string()),
                    names.join(", ")
                ),
            ));
            return;
        }
    }
    match (schema.get("format").and_then(Value::as_str), v) {
        (Some("decimal"), Value::String(s)) if !is_decimal(s.trim()) => {
            out.push(ValidationError::new(
                ErrorCode::InvalidValue,
                path,
                format!(
                    "{} is \"{}\", which is not a decimal amount.",
                    where_(path),
                    quote(s)
                ),
            ));
        }
        (Some("decimal"), Value::Number(n)) if !is_decimal(&n.to_string()) => {
            out.push(ValidationError::new(
                ErrorCode::InvalidValue,
                path,
                format!(
                    "{} is {}, which is too large or too precise for an amount.",
                    where_(path),
                    quote(&n.to_string())
                ),
            ));
        }
        (Some("date-time"), Value::String(s)) if utc_datetime::parse(s).is_err() => {
            let msg = utc_datetime::parse(s).err().unwrap_or_default();
            out.push(ValidationError::new(
                ErrorCode::InvalidValue,
                path,
                format!("{}: {msg}.", where_(path)),
            ));
        }
        _ => {}
    }
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(req)) = schema.get("required") {
                for r in req.iter().filter_map(Value::as_str) {
                    if !map.contains_key(r) {
                        out.push(ValidationError::new(
                            ErrorCode::MissingField,
                            child(path, r),
                            format!("{} is required but missing.", child(path, r)),
                        ));
                    }
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
            for (k, val) in map {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => check(s, val, &child(path, k), out),
                    None if closed => out.push(ValidationError::new(
                        ErrorCode::InvalidDocument,
                        child(path, k),
                        format!(
                            "{} is not a field of {} (check the spelling; field names are case-sensitive).",
                            k,
                            where_(path)
                        ),
                    )),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(s, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validator_reports_every_problem_with_its_path() {
        let schema = object(
            "t",
            vec![
                Field::required("A", integer("a")),
                Field::required(
                    "B",
                    array("b", object("i", vec![Field::required("C", decimal("c"))])),
                ),
                Field::optional("D", nullable(enumeration("d", &["X", "Y"]))),
            ],
        );
        let errs = validate(
            &schema,
            &json!({"A": "1", "B": [{"C": 1}, {"C": "abc"}, {}], "D": "Z", "E": 1}),
        );
        let got: Vec<(ErrorCode, Option<&str>)> =
            errs.iter().map(|e| (e.code, e.path.as_deref())).collect();
        assert!(got.contains(&(ErrorCode::InvalidDocument, Some("A"))));
        assert!(got.contains(&(ErrorCode::InvalidValue, Some("B[1].C"))));
        assert!(got.contains(&(ErrorCode::MissingField, Some("B[2].C"))));
        assert!(got.contains(&(ErrorCode::InvalidValue, Some("D"))));
        assert!(got.contains(&(ErrorCode::InvalidDocument, Some("E"))));
        assert_eq!(errs.len(), 5);
        assert!(validate(&schema, &json!({"A": 1, "B": [], "D": null})).is_empty());
    }
}
