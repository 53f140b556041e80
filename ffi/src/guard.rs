//! The frame every export runs in: clears `out`, runs the body under `catch_unwind`, and turns the
//! result into a status plus a document (the result, or the error document).

use crate::buffer::KfsBuffer;
use crate::error::FfiError;
use crate::status::KFS_OK;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Whether a call has a result document (then `out` must not be null, checked before any side
/// effect) or only a status (then `out` may be null and only receives an error document).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Out {
    Document,
    StatusOnly,
}

/// Runs an export body. `Ok(bytes)` becomes `KFS_OK` with `bytes` in `out` (nothing for an empty
/// vector); `Err(e)` becomes `e.status` with the error document; a panic becomes `KFS_PANIC`.
///
/// # Safety
/// `out` is null or points to a writable `KfsBuffer`.
pub unsafe fn run<F>(out: *mut KfsBuffer, kind: Out, body: F) -> i32
where
    F: FnOnce() -> Result<Vec<u8>, FfiError>,
{
    if !out.is_null() {
        // SAFETY: caller guarantees `out` is writable.
        unsafe { *out = KfsBuffer::empty() };
    } else if kind == Out::Document {
        return crate::status::KFS_NULL_ARGUMENT;
    }
    crate::log::install_once();
    let boundary = crate::log::at_boundary();
    let result = catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(FfiError::panic(&panic_message(payload.as_ref()))));
    drop(boundary);
    let (status, doc) = match result {
        Ok(bytes) => (KFS_OK, bytes),
        Err(e) => (e.status, e.to_document()),
    };
    if !out.is_null() && !doc.is_empty() {
        // Writing the buffer cannot panic short of allocation failure, which aborts anyway.
        unsafe { *out = KfsBuffer::from_vec(doc) };
    }
    status
}

/// The text of a panic payload (`&str` or `String`; anything else is named generically).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_string()
    }
}

/// Serializes a result document (PascalCase serde types). Failure here is a bug, reported as such.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, FfiError> {
    serde_json::to_vec(value).map_err(|e| {
        FfiError::new(
            crate::status::KFS_ENGINE_ERROR,
            "Internal",
            format!("could not serialize the result document: {e}"),
        )
    })
}
