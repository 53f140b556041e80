//! Reading a snapshot from bytes. The fast path is one typed `serde_json` pass; only when that
//! fails do we look closer (syntax error with line/column, then `SchemaVersion`, then the schema
//! validator for one error per problem with its field path), so a bad document never panics and
//! always names what is wrong.

use serde_json::Value;

use super::error::{quote, ErrorCode, ValidationError, ValidationErrors};
use super::schema::{snapshot_schema, validate};
use super::snapshot::OrderSnapshot;

/// The snapshot `SchemaVersion` this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Parse and check the shape of an order snapshot. Business rules (totals, VAT, addresses...)
/// are checked later by `mapping::map_order`.
pub fn parse_snapshot(bytes: &[u8]) -> Result<OrderSnapshot, ValidationErrors> {
    match serde_json::from_slice::<OrderSnapshot>(bytes) {
        Ok(s) if s.schema_version == SCHEMA_VERSION => Ok(s),
        Ok(s) => Err(ValidationErrors::one(unsupported(
            &s.schema_version.to_string(),
        ))),
        Err(e) => Err(diagnose(bytes, e)),
    }
}

fn unsupported(found: &str) -> ValidationError {
    ValidationError::new(
        ErrorCode::UnsupportedSchemaVersion,
        "SchemaVersion",
        format!(
            "The order snapshot has SchemaVersion {found}, but this version of KashFlow Sync reads \
             only SchemaVersion {SCHEMA_VERSION}. Update the plugin and the native library together."
        ),
    )
}

fn diagnose(bytes: &[u8], typed_error: serde_json::Error) -> ValidationErrors {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let (code, what) = if e.is_eof() {
                (
                    ErrorCode::IncompleteJson,
                    "The order snapshot ends too early",
                )
            } else {
                (
                    ErrorCode::InvalidJson,
                    "The order snapshot is not valid JSON",
                )
            };
            return ValidationErrors::one(
                ValidationError::new(code, "", format!("{what}: {}.", quote(&e.to_string())))
                    .at(e.line(), e.column()),
            );
        }
    };
    match value.get("SchemaVersion") {
        None if value.is_object() => {
            return ValidationErrors::one(ValidationError::new(
                ErrorCode::MissingField,
                "SchemaVersion",
                "SchemaVersion is required but missing (this build reads SchemaVersion 1).",
            ))
        }
        Some(Value::Number(n)) if n.as_u64() != Some(u64::from(SCHEMA_VERSION)) => {
            return ValidationErrors::one(unsupported(&n.to_string()))
        }
        _ => {}
    }
    let errors = validate(&snapshot_schema(), &value);
    if !errors.is_empty() {
        return ValidationErrors { errors };
    }
    // The schema accepted it but serde did not (e.g. a number out of range): report serde's words.
    ValidationErrors::one(
        ValidationError::new(
            ErrorCode::InvalidDocument,
            "",
            format!(
                "The order snapshot could not be read: {}.",
                quote(&typed_error.to_string())
            ),
        )
        .at(typed_error.line(), typed_error.column()),
    )
}
