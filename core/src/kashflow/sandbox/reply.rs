//! What a sandbox route answers: a JSON document with a status, or a KashFlow-style error
//! `{"Message": "...", "Error": "..."}` with 400/401/404.

use serde::Serialize;

use crate::kashflow::model::ErrorBody;

/// A KashFlow error answer. `code` goes in `Error`, `message` (for a person) in `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// 400 validation failure.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// 404 unknown object.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFound", message)
    }

    /// 401 exactly as KashFlow words it (same body for invalid and expired tokens).
    pub fn invalid_session() -> Self {
        Self::new(
            401,
            "InvalidSessionToken",
            "Session token provided is invalid.",
        )
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            message: self.message.clone(),
            error: self.code.clone(),
        }
    }
}

/// A successful answer: status, optional JSON body, optional `Location`.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Vec<u8>>,
    pub location: Option<String>,
}

impl Reply {
    pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Reply, ApiError> {
        let body = serde_json::to_vec(value)
            .map_err(|e| ApiError::new(500, "InternalServerError", format!("serialising: {e}")))?;
        Ok(Reply {
            status,
            body: Some(body),
            location: None,
        })
    }

    pub fn ok<T: Serialize>(value: &T) -> Result<Reply, ApiError> {
        Self::json(200, value)
    }

    pub fn created<T: Serialize>(value: &T, location: String) -> Result<Reply, ApiError> {
        let mut r = Self::json(201, value)?;
        r.location = Some(location);
        Ok(r)
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            location: None,
        }
    }
}

pub type Outcome = Result<Reply, ApiError>;
