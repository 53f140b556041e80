//! A minimal look at an order snapshot: just enough to file it in the journal (`SchemaVersion`,
//! `Id`, `CustomOrderNumber`, `CreatedOnUtc`) and a content hash to tell a repeat from a change.
//!
//! The full snapshot contract and its parser belong to the order stage; the engine only needs the
//! header, and must be able to file even a broken snapshot (so the admin sees it) — hence a
//! best-effort order id even when the header as a whole is invalid.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::document::{self, fields::PositiveId, fields::UtcTime};
use super::error::EngineError;

/// The snapshot `SchemaVersion` this library reads.
pub const SUPPORTED_SCHEMA_VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotHeader {
    pub schema_version: i64,
    pub order_id: i64,
    pub custom_order_number: String,
    pub created_on_utc: DateTime<Utc>,
}

/// The result of peeking at a snapshot: always a hash and a key to file it under.
#[derive(Debug, Clone)]
pub struct Peek {
    /// The header, or why the snapshot is unusable.
    pub header: Result<SnapshotHeader, EngineError>,
    /// The order id to file the snapshot under: its `Id` when readable, otherwise a synthetic
    /// negative id derived from the content (the same broken bytes get the same id).
    pub key_order_id: i64,
    /// Hex content hash; equal for snapshots with the same JSON content regardless of key order
    /// and whitespace (raw bytes when not JSON).
    pub hash: String,
}

pub fn peek(bytes: &[u8]) -> Peek {
    let parsed: Result<Value, _> = serde_json::from_slice(bytes);
    let (hash_value, value) = match parsed {
        Ok(v) => (json_hash(&v), Some(v)),
        Err(_) => (fnv128(bytes), None),
    };
    let hash = format!("{hash_value:032x}");
    let synthetic = -(((hash_value as u64) & 0x0000_FFFF_FFFF_FFFF) as i64) - 1;
    let Some(value) = value else {
        let err = serde_json::from_slice::<Value>(bytes).err();
        let detail = err.map(|e| e.to_string()).unwrap_or_default();
        return Peek {
            header: Err(EngineError::invalid_document(
                format!("the order snapshot is not valid JSON: {detail}"),
                None,
            )),
            key_order_id: synthetic,
            hash,
        };
    };
    let id = order_id(&value);
    Peek {
        header: read_header(&value),
        key_order_id: id.unwrap_or(synthetic),
        hash,
    }
}

fn order_id(v: &Value) -> Option<i64> {
    v.get("Id").and_then(Value::as_i64).filter(|id| *id > 0)
}

fn read_header(v: &Value) -> Result<SnapshotHeader, EngineError> {
    let obj = v.as_object().ok_or_else(|| {
        EngineError::invalid_document("the order snapshot must be a JSON object", None)
    })?;
    let schema_version = match obj.get("SchemaVersion") {
        None | Some(Value::Null) => {
            return Err(EngineError::invalid_document(
                "SchemaVersion is missing from the order snapshot",
                Some("SchemaVersion"),
            ))
        }
        Some(Value::Number(n)) if n.as_i64() == Some(SUPPORTED_SCHEMA_VERSION) => {
            SUPPORTED_SCHEMA_VERSION
        }
        Some(other) => {
            return Err(EngineError::UnsupportedSchemaVersion {
                found: other.to_string(),
                supported: SUPPORTED_SCHEMA_VERSION,
            })
        }
    };
    // Not null-stripped (that would copy the whole snapshot): a null header field is an error
    // naming the field, as a missing one is.
    let doc: HeaderDocument = document::read(v, &[])
        .map_err(|f| EngineError::invalid_document(f.message, f.path.as_deref()))?;
    Ok(SnapshotHeader {
        schema_version,
        order_id: doc.id.0,
        custom_order_number: doc.custom_order_number,
        created_on_utc: doc.created_on_utc.0,
    })
}

/// The header fields of a snapshot; the rest of the snapshot is the order stage's to read.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HeaderDocument {
    id: PositiveId,
    custom_order_number: String,
    created_on_utc: UtcTime,
}

/// ISO 8601 in UTC: with an offset or `Z`, or without one (C# `DateTime` of kind Unspecified,
/// which in a `...Utc` field means UTC).
pub fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s.trim()) {
        return Some(dt.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| DateTime::<Utc>::from_utc(n, Utc))
}

/// FNV-1a, 128-bit: a stable, dependency-free content hash for change detection (not security).
pub fn fnv128(bytes: &[u8]) -> u128 {
    let mut h = Fnv128::new();
    h.write(bytes);
    h.0
}

/// Hash of a JSON value in canonical form (object keys sorted, no whitespace). Numbers hash by
/// their text as written (`12.30` and `12.3` differ, which at worst re-posts a not-yet-synced order).
pub fn json_hash(v: &Value) -> u128 {
    let mut h = Fnv128::new();
    hash_value(v, &mut h);
    h.0
}

fn hash_value(v: &Value, h: &mut Fnv128) {
    match v {
        Value::Null => h.write(b"n"),
        Value::Bool(b) => h.write(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            h.write(b"#");
            h.write(n.to_string().as_bytes());
            h.write(b";");
        }
        Value::String(s) => {
            h.write(b"\"");
            h.write(&(s.len() as u64).to_le_bytes());
            h.write(s.as_bytes());
        }
        Value::Array(items) => {
            h.write(b"[");
            for i in items {
                hash_value(i, h);
            }
            h.write(b"]");
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            h.write(b"{");
            for k in keys {
                h.write(&(k.len() as u64).to_le_bytes());
                h.write(k.as_bytes());
                hash_value(&map[k], h);
            }
            h.write(b"}");
        }
    }
}

struct Fnv128(u128);

impl Fnv128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;

    fn new() -> Self {
        Fnv128(Self::OFFSET)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u128;
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"SchemaVersion":1,"Id":42,"CustomOrderNumber":"A-42","CreatedOnUtc":"2026-05-01T10:00:00Z","Items":[]}"#;

    #[test]
    fn reads_a_good_header() {
        let p = peek(GOOD.as_bytes());
        let h = p.header.unwrap();
        assert_eq!(h.order_id, 42);
        assert_eq!(h.custom_order_number, "A-42");
        assert_eq!(h.created_on_utc.to_rfc3339(), "2026-05-01T10:00:00+00:00");
        assert_eq!(p.key_order_id, 42);
    }

    #[test]
    fn hash_ignores_key_order_and_whitespace_but_not_content() {
        let a = peek(GOOD.as_bytes()).hash;
        let b = peek(
            br#"{ "Items": [], "Id": 42, "CreatedOnUtc":"2026-05-01T10:00:00Z", "SchemaVersion": 1, "CustomOrderNumber": "A-42" }"#,
        )
        .hash;
        assert_eq!(a, b);
        let c = peek(GOOD.replace("A-42", "A-43").as_bytes()).hash;
        assert_ne!(a, c);
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn broken_snapshots_say_why_and_still_get_a_key() {
        let p = peek(b"<order id=1/>");
        assert_eq!(p.header.unwrap_err().code(), "InvalidDocument");
        assert!(p.key_order_id < 0);
        assert_eq!(peek(b"<order id=1/>").key_order_id, p.key_order_id);

        let p = peek(br#"{"SchemaVersion":2,"Id":7,"CustomOrderNumber":"7","CreatedOnUtc":"2026-05-01T10:00:00Z"}"#);
        assert_eq!(p.header.unwrap_err().code(), "UnsupportedSchemaVersion");
        assert_eq!(p.key_order_id, 7);

        let p = peek(
            br#"{"SchemaVersion":1,"CustomOrderNumber":"7","CreatedOnUtc":"2026-05-01T10:00:00Z"}"#,
        );
        let e = p.header.unwrap_err();
        assert_eq!(e.path(), Some("Id"));
        assert!(p.key_order_id < 0);

        let p = peek(br#"{"SchemaVersion":1,"Id":"7","CustomOrderNumber":"7","CreatedOnUtc":"2026-05-01T10:00:00Z"}"#);
        assert_eq!(p.header.unwrap_err().path(), Some("Id"));

        let p = peek(
            br#"{"SchemaVersion":1,"Id":7,"CustomOrderNumber":"7","CreatedOnUtc":"yesterday"}"#,
        );
        assert_eq!(p.header.unwrap_err().path(), Some("CreatedOnUtc"));
        assert_eq!(p.key_order_id, 7);
    }

    #[test]
    fn dates_without_offset_are_utc() {
        let a = parse_utc("2026-05-01T10:00:00.1234567").unwrap();
        let b = parse_utc("2026-05-01T11:00:00.1234567+01:00").unwrap();
        assert_eq!(a, b);
    }
}
