//! Engine errors as data: `EngineError` (what went wrong, with context) and `ErrorDoc`, the
//! PascalCase `{"Code","Message","Path"}` document every error becomes when it crosses the C ABI,
//! is stored in the journal, or is shown to a shop admin.
//!
//! Messages never contain secrets: nothing here formats configuration values.

use serde::{Deserialize, Serialize};

/// The error document: a stable machine code, a sentence a shop admin understands, and the
/// field path inside the offending document when one applies (`"Items[2].Sku"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorDoc {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub path: Option<String>,
}

impl ErrorDoc {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorDoc {
            code: code.into(),
            message: message.into(),
            path: None,
        }
    }

    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
}

impl std::fmt::Display for ErrorDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{} ({}): {}", self.code, p, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

/// Everything the engine API can fail with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// A document from the host (snapshot, event, query) is not what the contract says.
    #[error("{message}")]
    InvalidDocument {
        message: String,
        path: Option<String>,
    },
    #[error(
        "snapshot SchemaVersion {found} is not supported (this library reads version {supported})"
    )]
    UnsupportedSchemaVersion { found: String, supported: i64 },
    #[error("{what} was not found")]
    NotFound { what: String },
    /// The SQLite journal failed (disk full, locked beyond the busy timeout, corrupt file...).
    #[error("sync journal error: {message}")]
    Journal { message: String },
    #[error("{message}")]
    InvalidConfig {
        message: String,
        path: Option<String>,
    },
    /// The request makes no sense in the record's current state (retrying a synced order...).
    #[error("{message}")]
    InvalidRequest { message: String },
    /// A KashFlow-side failure reported by the processor (test connection, preview lookups).
    #[error("KashFlow: {message}")]
    KashFlow {
        message: String,
        path: Option<String>,
    },
    /// Mapping rules could not turn the snapshot into an invoice (reported by the processor).
    #[error("{message}")]
    Mapping {
        message: String,
        path: Option<String>,
    },
    /// The feature needs a part this build does not contain yet.
    #[error("{message}")]
    NotAvailable { message: String },
    #[error("the sync engine is shutting down")]
    ShuttingDown,
}

impl EngineError {
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::InvalidDocument { .. } => "InvalidDocument",
            EngineError::UnsupportedSchemaVersion { .. } => "UnsupportedSchemaVersion",
            EngineError::NotFound { .. } => "NotFound",
            EngineError::Journal { .. } => "Journal",
            EngineError::InvalidConfig { .. } => "InvalidConfig",
            EngineError::InvalidRequest { .. } => "InvalidRequest",
            EngineError::KashFlow { .. } => "KashFlow",
            EngineError::Mapping { .. } => "Mapping",
            EngineError::NotAvailable { .. } => "NotAvailable",
            EngineError::ShuttingDown => "ShuttingDown",
        }
    }

    pub fn path(&self) -> Option<&str> {
        match self {
            EngineError::InvalidDocument { path, .. }
            | EngineError::InvalidConfig { path, .. }
            | EngineError::KashFlow { path, .. }
            | EngineError::Mapping { path, .. } => path.as_deref(),
            EngineError::UnsupportedSchemaVersion { .. } => Some("SchemaVersion"),
            _ => None,
        }
    }

    pub fn to_doc(&self) -> ErrorDoc {
        ErrorDoc {
            code: self.code().to_string(),
            message: self.to_string(),
            path: self.path().map(str::to_string),
        }
    }

    pub fn invalid_document(message: impl Into<String>, path: Option<&str>) -> Self {
        EngineError::InvalidDocument {
            message: message.into(),
            path: path.map(str::to_string),
        }
    }

    pub fn invalid_config(message: impl Into<String>, path: Option<&str>) -> Self {
        EngineError::InvalidConfig {
            message: message.into(),
            path: path.map(str::to_string),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        EngineError::NotFound { what: what.into() }
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        EngineError::InvalidRequest {
            message: message.into(),
        }
    }
}

impl From<&EngineError> for ErrorDoc {
    fn from(e: &EngineError) -> Self {
        e.to_doc()
    }
}

impl From<EngineError> for ErrorDoc {
    fn from(e: EngineError) -> Self {
        e.to_doc()
    }
}

impl From<rusqlite::Error> for EngineError {
    fn from(e: rusqlite::Error) -> Self {
        EngineError::Journal {
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_doc_is_pascal_case_with_null_path() {
        let doc = EngineError::not_found("record 7").to_doc();
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(
            json,
            r#"{"Code":"NotFound","Message":"record 7 was not found","Path":null}"#
        );
    }

    #[test]
    fn schema_version_error_points_at_the_field() {
        let doc = EngineError::UnsupportedSchemaVersion {
            found: "2".into(),
            supported: 1,
        }
        .to_doc();
        assert_eq!(doc.code, "UnsupportedSchemaVersion");
        assert_eq!(doc.path.as_deref(), Some("SchemaVersion"));
        assert!(doc.message.contains("version 1"));
    }
}
