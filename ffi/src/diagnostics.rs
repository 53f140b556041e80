//! Version exports and diagnostics. The `kfs_debug_*` exports are always present (they are part
//! of the ABI so tests and benchmarks exercise the real library) but exist only to prove the
//! boundary: forcing a panic through it, echoing a JSON document, and running a dummy
//! asynchronous operation. A host has no reason to call them in production.

use crate::buffer::KfsBuffer;
use crate::error::{json_error, FfiError};
use crate::guard::{self, to_json, Out};
use crate::input;
use crate::operation::{self, KfsCompletionCallback};
use crate::status::{KFS_ABI_VERSION, KFS_ENGINE_ERROR, KFS_INVALID_ARGUMENT};
use serde::Serialize;
use std::ffi::c_void;
use std::time::Duration;

/// The library's ABI version (`KFS_ABI_VERSION` of the build). The one export without a status,
/// so a host can check it before relying on any other convention.
#[no_mangle]
pub extern "C" fn kfs_abi_version() -> u32 {
    KFS_ABI_VERSION
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VersionDoc {
    version: &'static str,
    abi_version: u32,
}

/// Writes `{"Version":"0.1.0","AbiVersion":1}` to `out`.
///
/// # Safety
/// `out` points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_version(out: *mut KfsBuffer) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            to_json(&VersionDoc {
                version: env!("CARGO_PKG_VERSION"),
                abi_version: KFS_ABI_VERSION,
            })
        })
    }
}

/// Diagnostics: panics inside the library. Returns `KFS_PANIC` with an error document (Code
/// "Panic"); proves that a panic never unwinds into the host and the library stays usable.
///
/// # Safety
/// `out` is null or points to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_debug_panic(out: *mut KfsBuffer) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            panic!("kfs_debug_panic: panic forced through the boundary on purpose")
        })
    }
}

/// Diagnostics: checks that `document` is well-formed JSON and writes it back unchanged to `out`.
/// The no-op JSON call: document in, parse, document out (used by the benchmarks).
///
/// # Safety
/// `document` points to `document_len` readable bytes; `out` to a writable `KfsBuffer`.
#[no_mangle]
pub unsafe extern "C" fn kfs_debug_echo(
    document: *const u8,
    document_len: usize,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::Document, || {
            let bytes = input::document("document", document, document_len)?;
            // Parsed without building a tree: the work of any export minus the export's own logic.
            serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
                .map_err(|e| json_error("document", &e))?;
            Ok(bytes.to_vec())
        })
    }
}

/// `kfs_debug_operation` behaviours.
pub const KFS_DEBUG_SUCCEED: i32 = 0;
pub const KFS_DEBUG_FAIL: i32 = 1;
pub const KFS_DEBUG_PANIC: i32 = 2;

/// Diagnostics: starts a dummy asynchronous operation that waits `delay_ms` and then succeeds
/// (`{"DelayMs":n}`), fails (`KFS_ENGINE_ERROR`, Code "DebugFailure") or panics (`KFS_PANIC`),
/// per `behaviour` (`KFS_DEBUG_*`). Exercises the operation machinery (callback, take, cancel)
/// without an engine. The id is written to `*out_operation`.
///
/// # Safety
/// `out_operation` points to a writable `uint64_t`; `out` is null or points to a writable
/// `KfsBuffer`; `user_data` is passed back to `callback` untouched.
#[no_mangle]
pub unsafe extern "C" fn kfs_debug_operation(
    delay_ms: u32,
    behaviour: i32,
    callback: KfsCompletionCallback,
    user_data: *mut c_void,
    out_operation: *mut u64,
    out: *mut KfsBuffer,
) -> i32 {
    unsafe {
        guard::run(out, Out::StatusOnly, || {
            if out_operation.is_null() {
                return Err(FfiError::null_argument("out_operation"));
            }
            if !(KFS_DEBUG_SUCCEED..=KFS_DEBUG_PANIC).contains(&behaviour) {
                return Err(FfiError::new(
                    KFS_INVALID_ARGUMENT,
                    "InvalidArgument",
                    format!("behaviour {behaviour} is not one of KFS_DEBUG_SUCCEED/FAIL/PANIC"),
                )
                .with_path("behaviour"));
            }
            let id = operation::start(0, callback, user_data, async move {
                tokio::time::sleep(Duration::from_millis(delay_ms as u64)).await;
                match behaviour {
                    KFS_DEBUG_FAIL => Err(FfiError::new(
                        KFS_ENGINE_ERROR,
                        "DebugFailure",
                        "kfs_debug_operation failed on purpose",
                    )),
                    KFS_DEBUG_PANIC => panic!("kfs_debug_operation: panic forced on purpose"),
                    _ => Ok(format!("{{\"DelayMs\":{delay_ms}}}").into_bytes()),
                }
            });
            *out_operation = id;
            Ok(Vec::new())
        })
    }
}
