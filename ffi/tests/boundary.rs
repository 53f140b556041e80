//! The boundary machinery without an engine: buffers, version, panic containment, the JSON echo,
//! invalid arguments, and asynchronous operations (completion callback, polling, cancellation,
//! panics in a task).

#[path = "support/host.rs"]
mod host;

use kashflow_sync_native::buffer::{kfs_buffer_free, live_buffer_count, KfsBuffer};
use kashflow_sync_native::diagnostics::*;
use kashflow_sync_native::operation::{kfs_operation_cancel, kfs_operation_take};
use kashflow_sync_native::status::*;
use std::ffi::c_void;
use std::time::Duration;

#[test]
fn version_reports_crate_and_abi_version() {
    assert_eq!(kfs_abi_version(), KFS_ABI_VERSION);
    let doc = host::ok(|out| unsafe { kfs_version(out) });
    assert_eq!(doc["Version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["AbiVersion"], KFS_ABI_VERSION);
}

#[test]
fn panic_is_contained_and_the_library_stays_usable() {
    for _ in 0..3 {
        let doc = host::fails(KFS_PANIC, |out| unsafe { kfs_debug_panic(out) });
        assert_eq!(doc["Code"], "Panic");
        assert!(
            doc["Message"]
                .as_str()
                .unwrap()
                .contains("forced through the boundary"),
            "{doc}"
        );
    }
    // A null out buffer is allowed for a status-only call: the status still says what happened.
    assert_eq!(unsafe { kfs_debug_panic(std::ptr::null_mut()) }, KFS_PANIC);
    host::ok(|out| unsafe { kfs_version(out) });
}

#[test]
fn echo_round_trips_json_and_rejects_bad_input() {
    let input = br#"{"A":1,"B":[true,null,"x"],"C":12.345678901234567890}"#;
    let doc = host::ok(|out| unsafe { kfs_debug_echo(input.as_ptr(), input.len(), out) });
    assert_eq!(doc["B"][2], "x");
    assert_eq!(
        doc["C"].to_string(),
        "12.345678901234567890",
        "numbers keep their precision"
    );

    let bad = b"{\"A\":";
    let err = host::fails(KFS_INVALID_DOCUMENT, |out| unsafe {
        kfs_debug_echo(bad.as_ptr(), bad.len(), out)
    });
    assert_eq!(err["Code"], "InvalidDocument");
    assert!(err["Message"].as_str().unwrap().contains("line 1"), "{err}");

    let err = host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_debug_echo(std::ptr::null(), 5, out)
    });
    assert_eq!(err["Code"], "NullArgument");
    assert_eq!(err["Path"], "document");
    let err = host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_debug_echo(input.as_ptr(), 0, out)
    });
    assert_eq!(err["Code"], "EmptyDocument");

    // A document-producing call refuses a null out buffer (and says so by status alone).
    assert_eq!(
        unsafe { kfs_debug_echo(input.as_ptr(), input.len(), std::ptr::null_mut()) },
        KFS_NULL_ARGUMENT
    );
}

#[test]
fn buffer_free_refuses_double_free_and_foreign_pointers() {
    // A length no concurrently running test produces: a stale copy can only be told from a new
    // buffer at a reused address by its length (see buffer.rs).
    let input = format!("[{}]", vec!["1"; 1234].join(",")).into_bytes();
    let mut out = KfsBuffer::empty();
    assert_eq!(
        unsafe { kfs_debug_echo(input.as_ptr(), input.len(), &mut out) },
        KFS_OK
    );
    let copy = out;
    assert_eq!(unsafe { kfs_buffer_free(&mut out) }, KFS_OK);
    assert!(out.ptr.is_null(), "the freed variable is reset");
    assert_eq!(
        unsafe { kfs_buffer_free(&mut out) },
        KFS_OK,
        "freeing the reset variable is a no-op"
    );
    let mut stale = copy;
    assert_eq!(
        unsafe { kfs_buffer_free(&mut stale) },
        KFS_INVALID_ARGUMENT,
        "double free through a copy"
    );
    let mut local = [0u8; 4];
    let mut foreign = KfsBuffer {
        ptr: local.as_mut_ptr(),
        len: 4,
    };
    assert_eq!(
        unsafe { kfs_buffer_free(&mut foreign) },
        KFS_INVALID_ARGUMENT,
        "a pointer we never issued"
    );
    let mut bogus_len = KfsBuffer {
        ptr: std::ptr::null_mut(),
        len: 3,
    };
    assert_eq!(
        unsafe { kfs_buffer_free(&mut bogus_len) },
        KFS_INVALID_ARGUMENT
    );
    assert_eq!(unsafe { kfs_buffer_free(std::ptr::null_mut()) }, KFS_OK);
}

#[test]
fn buffers_do_not_leak_across_many_calls_from_many_threads() {
    let before = live_buffer_count();
    let threads: Vec<_> = (0..16)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..200 {
                    let doc = format!("{{\"T\":{t},\"I\":{i}}}");
                    let v = host::ok(|out| unsafe { kfs_debug_echo(doc.as_ptr(), doc.len(), out) });
                    assert_eq!(v["T"], t);
                    assert_eq!(v["I"], i);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Other tests in this binary run concurrently; they free what they take, so the count only
    // exceeds the starting point by what is in flight right now.
    assert!(
        live_buffer_count() <= before + 16,
        "buffers leaked: {} live",
        live_buffer_count()
    );
}

// ---- asynchronous operations ------------------------------------------------------------

fn start(delay_ms: u32, behaviour: i32, user_data: *mut c_void) -> u64 {
    let mut op = 0u64;
    host::ok(|out| unsafe {
        kfs_debug_operation(
            delay_ms,
            behaviour,
            Some(host::on_complete),
            user_data,
            &mut op,
            out,
        )
    });
    assert_ne!(op, 0);
    op
}

#[test]
fn operation_completes_through_the_callback_then_take_hands_over_the_result_once() {
    let (tx, rx) = host::completions();
    let op = start(20, KFS_DEBUG_SUCCEED, tx);
    let (id, status) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("callback called");
    assert_eq!((id, status), (op, KFS_OK));
    let doc = host::ok(|out| unsafe { kfs_operation_take(op, out) });
    assert_eq!(doc["DelayMs"], 20);
    host::fails(KFS_INVALID_HANDLE, |out| unsafe {
        kfs_operation_take(op, out)
    });
    host::fails(KFS_INVALID_HANDLE, |out| unsafe {
        kfs_operation_cancel(op, out)
    });
    assert!(
        rx.recv_timeout(Duration::from_millis(100)).is_err(),
        "callback called exactly once"
    );
}

#[test]
fn operation_can_be_polled_without_a_callback() {
    let mut op = 0u64;
    host::ok(|out| unsafe {
        kfs_debug_operation(
            50,
            KFS_DEBUG_SUCCEED,
            None,
            std::ptr::null_mut(),
            &mut op,
            out,
        )
    });
    let first = host::fails(KFS_PENDING, |out| unsafe { kfs_operation_take(op, out) });
    assert_eq!(first["Code"], "Pending");
    loop {
        let (status, text) = host::call(|out| unsafe { kfs_operation_take(op, out) });
        if status == KFS_PENDING {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        assert_eq!(status, KFS_OK, "{text}");
        assert!(text.contains("DelayMs"));
        break;
    }
}

#[test]
fn operation_failure_and_panic_arrive_as_error_documents() {
    let (tx, rx) = host::completions();
    let failing = start(0, KFS_DEBUG_FAIL, tx);
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(30)).unwrap(),
        (failing, KFS_ENGINE_ERROR)
    );
    let err = host::fails(KFS_ENGINE_ERROR, |out| unsafe {
        kfs_operation_take(failing, out)
    });
    assert_eq!(err["Code"], "DebugFailure");

    let panicking = start(0, KFS_DEBUG_PANIC, tx);
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(30)).unwrap(),
        (panicking, KFS_PANIC)
    );
    let err = host::fails(KFS_PANIC, |out| unsafe {
        kfs_operation_take(panicking, out)
    });
    assert!(
        err["Message"]
            .as_str()
            .unwrap()
            .contains("forced on purpose"),
        "{err}"
    );
}

#[test]
fn operation_cancellation_completes_it_with_cancelled() {
    let (tx, rx) = host::completions();
    let op = start(600_000, KFS_DEBUG_SUCCEED, tx);
    assert!(
        rx.recv_timeout(Duration::from_millis(50)).is_err(),
        "still running"
    );
    host::ok(|out| unsafe { kfs_operation_cancel(op, out) });
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(30)).unwrap(),
        (op, KFS_CANCELLED)
    );
    let err = host::fails(KFS_CANCELLED, |out| unsafe { kfs_operation_take(op, out) });
    assert_eq!(err["Code"], "Cancelled");
}

#[test]
fn operation_arguments_are_checked() {
    let err = host::fails(KFS_INVALID_ARGUMENT, |out| unsafe {
        kfs_debug_operation(0, 42, None, std::ptr::null_mut(), &mut 0u64, out)
    });
    assert_eq!(err["Path"], "behaviour");
    let err = host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_debug_operation(
            0,
            KFS_DEBUG_SUCCEED,
            None,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            out,
        )
    });
    assert_eq!(err["Path"], "out_operation");
    host::fails(KFS_INVALID_HANDLE, |out| unsafe {
        kfs_operation_take(0, out)
    });
    host::fails(KFS_INVALID_HANDLE, |out| unsafe {
        kfs_operation_take(12345, out)
    });
}
