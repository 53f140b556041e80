//! The error document that crosses the boundary with every failing status:
//! `{"Code": "...", "Message": "...", "Path": "Items[2].Sku" | null}` (PascalCase, like every document).

use crate::status::*;
use serde::Serialize;

/// A failure on its way out of an export: the status returned and the document written to `out`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FfiError {
    pub status: i32,
    pub code: String,
    pub message: String,
    pub path: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorDoc<'a> {
    code: &'a str,
    message: &'a str,
    path: Option<&'a str>,
}

impl FfiError {
    pub fn new(status: i32, code: &str, message: impl Into<String>) -> Self {
        FfiError {
            status,
            code: code.to_string(),
            message: message.into(),
            path: None,
        }
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn null_argument(name: &str) -> Self {
        FfiError::new(
            KFS_NULL_ARGUMENT,
            "NullArgument",
            format!("argument '{name}' must not be null"),
        )
        .with_path(name)
    }

    pub fn empty_document(name: &str) -> Self {
        FfiError::new(
            KFS_NULL_ARGUMENT,
            "EmptyDocument",
            format!("document '{name}' is empty; a UTF-8 JSON document is required"),
        )
        .with_path(name)
    }

    pub fn invalid_handle(kind: &str) -> Self {
        FfiError::new(
            KFS_INVALID_HANDLE,
            "InvalidHandle",
            format!("the {kind} handle is null, already freed, or was not issued by this library"),
        )
    }

    pub fn invalid_document(message: impl Into<String>) -> Self {
        FfiError::new(KFS_INVALID_DOCUMENT, "InvalidDocument", message)
    }

    pub fn panic(message: &str) -> Self {
        FfiError::new(
            KFS_PANIC,
            "Panic",
            format!(
                "internal error in kashflow_sync_native (caught at the boundary): {}",
                kashflow_sync::mapping::text::quote(message)
            ),
        )
    }

    /// Serialized error document. Serialization of three strings cannot fail; the fallback keeps
    /// this function total anyway.
    pub fn to_document(&self) -> Vec<u8> {
        serde_json::to_vec(&ErrorDoc {
            code: &self.code,
            message: &self.message,
            path: self.path.as_deref(),
        })
        .unwrap_or_else(|_| {
            br#"{"Code":"Internal","Message":"error document","Path":null}"#.to_vec()
        })
    }
}

/// A JSON parse failure as an error document naming where the document went wrong.
pub fn json_error(what: &str, err: &serde_json::Error) -> FfiError {
    // serde_json's message already ends with "at line L column C".
    FfiError::invalid_document(format!("{what} was rejected: {err}"))
}
