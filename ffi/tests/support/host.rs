//! Calls the exports the way the C# layer does: documents in as (ptr, len), a `KfsBuffer` out that
//! is copied and released with `kfs_buffer_free` after every call.
#![allow(dead_code)] // each test file uses a different part

use kashflow_sync_native::buffer::{kfs_buffer_free, KfsBuffer};
use kashflow_sync_native::status::KFS_OK;
use serde_json::Value;

/// Runs `call` with a fresh out buffer; returns the status and the document (empty if none),
/// having released the buffer.
pub fn call(call: impl FnOnce(*mut KfsBuffer) -> i32) -> (i32, String) {
    let mut out = KfsBuffer::empty();
    let status = call(&mut out);
    let text = if out.ptr.is_null() {
        String::new()
    } else {
        let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) };
        String::from_utf8(bytes.to_vec()).expect("library wrote non-UTF-8")
    };
    assert_eq!(
        unsafe { kfs_buffer_free(&mut out) },
        KFS_OK,
        "releasing the out buffer"
    );
    assert!(
        out.ptr.is_null() && out.len == 0,
        "kfs_buffer_free resets the buffer"
    );
    (status, text)
}

/// As [`call`], expecting `KFS_OK`; returns the parsed result document (Null if none).
pub fn ok(f: impl FnOnce(*mut KfsBuffer) -> i32) -> Value {
    let (status, text) = call(f);
    assert_eq!(status, KFS_OK, "expected KFS_OK, got {status}: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("result document is JSON")
    }
}

/// As [`call`], expecting `status`; returns the error document, checked for its three keys.
pub fn fails(expected: i32, f: impl FnOnce(*mut KfsBuffer) -> i32) -> Value {
    let (status, text) = call(f);
    assert_eq!(
        status, expected,
        "expected status {expected}, got {status}: {text}"
    );
    let doc: Value = serde_json::from_str(&text).expect("error document is JSON");
    assert!(doc["Code"].is_string(), "error document has a Code: {doc}");
    assert!(
        doc["Message"].is_string(),
        "error document has a Message: {doc}"
    );
    assert!(
        doc.get("Path").is_some(),
        "error document has a Path (null allowed): {doc}"
    );
    doc
}

/// A completion callback target for asynchronous operations: `(user_data, receiver)`. The sender
/// behind `user_data` is leaked on purpose: the library may still be inside the callback after
/// the receiver has seen the message, so the sender must outlive the test (a few bytes).
pub fn completions() -> (*mut std::ffi::c_void, std::sync::mpsc::Receiver<(u64, i32)>) {
    let (tx, rx) = std::sync::mpsc::channel::<(u64, i32)>();
    let tx: &'static std::sync::mpsc::Sender<(u64, i32)> = Box::leak(Box::new(tx));
    (tx as *const _ as *mut std::ffi::c_void, rx)
}

/// The completion callback for [`completions`].
pub unsafe extern "C" fn on_complete(
    user_data: *mut std::ffi::c_void,
    operation: u64,
    status: i32,
) {
    let tx = unsafe { &*(user_data as *const std::sync::mpsc::Sender<(u64, i32)>) };
    let _ = tx.send((operation, status));
}
