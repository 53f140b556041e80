//! Reading the host's `(const uint8_t *ptr, size_t len)` document arguments: null and empty checks
//! with errors that name the argument.

use crate::error::{json_error, FfiError};
use serde::de::DeserializeOwned;

/// Borrows a host document. Null or empty is an error naming `name`.
///
/// # Safety
/// When non-null, `ptr` points to `len` readable bytes that stay valid for the call.
pub unsafe fn document<'a>(name: &str, ptr: *const u8, len: usize) -> Result<&'a [u8], FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null_argument(name));
    }
    if len == 0 {
        return Err(FfiError::empty_document(name));
    }
    // SAFETY: guaranteed by the caller (see above).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Parses a host JSON document into `T`, naming `name` in the error.
///
/// # Safety
/// As for [`document`].
pub unsafe fn json<T: DeserializeOwned>(
    name: &str,
    ptr: *const u8,
    len: usize,
) -> Result<T, FfiError> {
    let bytes = unsafe { document(name, ptr, len)? };
    serde_json::from_slice(bytes).map_err(|e| json_error(name, &e))
}

/// Borrows the `ids` array argument (may be empty when `len` is 0, then `ptr` may be null).
///
/// # Safety
/// When `len > 0`, `ptr` points to `len` readable `i64` values.
pub unsafe fn slice<'a, T>(name: &str, ptr: *const T, len: usize) -> Result<&'a [T], FfiError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::null_argument(name));
    }
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}
