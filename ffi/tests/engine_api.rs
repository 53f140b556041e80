//! The engine exports, called the way the C# layer calls them: create from a configuration
//! document, every operation, error documents with codes and paths, handle validity after free,
//! the log callback's lifetime, and many threads at once.

#[path = "support/docs.rs"]
mod docs;
#[path = "support/host.rs"]
mod host;

use kashflow_sync_native::diagnostics::kfs_debug_panic;
use kashflow_sync_native::engine_api::*;
use kashflow_sync_native::operation::kfs_operation_take;
use kashflow_sync_native::status::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// An engine handle as the host holds it (a pointer-sized value).
#[derive(Clone, Copy)]
struct Handle(*mut KfsEngine);
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

fn create(config: &Value) -> Handle {
    create_with_log(config, None, std::ptr::null_mut())
}

fn create_with_log(
    config: &Value,
    log: kashflow_sync_native::log::KfsLogCallback,
    user_data: *mut c_void,
) -> Handle {
    let bytes = docs::bytes(config);
    let mut engine: *mut KfsEngine = std::ptr::null_mut();
    host::ok(|out| unsafe {
        kfs_engine_create(
            bytes.as_ptr(),
            bytes.len(),
            log,
            user_data,
            &mut engine,
            out,
        )
    });
    assert!(!engine.is_null());
    Handle(engine)
}

fn free(h: Handle) {
    host::ok(|out| unsafe { kfs_engine_free(h.0, out) });
}

fn enqueue(h: Handle, snapshot: &[u8]) -> (i32, String) {
    host::call(|out| unsafe {
        kfs_engine_enqueue_order(h.0, snapshot.as_ptr(), snapshot.len(), out)
    })
}

fn enqueue_ok(h: Handle, snapshot: &Value) -> Value {
    let bytes = docs::bytes(snapshot);
    host::ok(|out| unsafe { kfs_engine_enqueue_order(h.0, bytes.as_ptr(), bytes.len(), out) })
}

fn counts(h: Handle) -> Value {
    host::ok(|out| unsafe { kfs_engine_status_counts(h.0, out) })
}

#[test]
fn create_rejects_bad_configuration_with_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = docs::config(dir.path(), "Sandbox", None);
    config["Workers"] = json!(0);
    let bytes = docs::bytes(&config);
    let mut engine: *mut KfsEngine = std::ptr::null_mut();
    let err = host::fails(KFS_INVALID_CONFIG, |out| unsafe {
        kfs_engine_create(
            bytes.as_ptr(),
            bytes.len(),
            None,
            std::ptr::null_mut(),
            &mut engine,
            out,
        )
    });
    assert_eq!(err["Code"], "InvalidConfig");
    assert_eq!(err["Path"], "Workers");
    assert!(engine.is_null());

    let bad = b"{\"JournalPath\":";
    let err = host::fails(KFS_INVALID_CONFIG, |out| unsafe {
        kfs_engine_create(
            bad.as_ptr(),
            bad.len(),
            None,
            std::ptr::null_mut(),
            &mut engine,
            out,
        )
    });
    assert!(err["Message"].as_str().unwrap().contains("JSON"), "{err}");

    let err = host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_engine_create(
            std::ptr::null(),
            0,
            None,
            std::ptr::null_mut(),
            &mut engine,
            out,
        )
    });
    assert_eq!(err["Path"], "config");
    let err = host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_engine_create(
            bytes.as_ptr(),
            bytes.len(),
            None,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            out,
        )
    });
    assert_eq!(err["Path"], "out_engine");
}

#[test]
fn validate_config_reports_without_starting_and_redacts_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let good = docs::bytes(&docs::config(
        dir.path(),
        "Live",
        Some("https://127.0.0.1:9/v2"),
    ));
    let report = host::ok(|out| unsafe { kfs_validate_config(good.as_ptr(), good.len(), out) });
    assert_eq!(report["Valid"], true, "{report}");
    assert_eq!(report["Errors"], json!([]));
    assert_eq!(report["Config"]["KashFlow"]["Password"], "<redacted>");
    assert!(!report.to_string().contains("sandbox-password"));
    assert!(
        !dir.path().join("journal.sqlite").exists(),
        "validation starts nothing"
    );

    let mut config = docs::config(dir.path(), "Live", None);
    config["Retry"]["MaxAttempts"] = json!(0);
    let bad = docs::bytes(&config);
    let report = host::ok(|out| unsafe { kfs_validate_config(bad.as_ptr(), bad.len(), out) });
    assert_eq!(report["Valid"], false);
    assert_eq!(report["Errors"][0]["Code"], "InvalidConfig");
    assert_eq!(report["Errors"][0]["Path"], "Retry.MaxAttempts");
    assert_eq!(report["Config"], Value::Null);

    host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_validate_config(bad.as_ptr(), 0, out)
    });
}

#[test]
fn suggestions_come_back_explained_and_a_bad_catalogue_names_its_field() {
    let input = docs::bytes(&json!({
        "Store": {
            "PaymentMethods": [{"SystemName": "Payments.PayPalCommerce", "FriendlyName": "PayPal Commerce"}],
            "Currencies": ["GBP"],
            "Products": [{"Id": 1, "Sku": "MUG-CLASSIC", "Name": "Classic Mug"}, {"Id": 2, "Sku": "NEW-THING", "Name": "New"}]
        },
        "KashFlow": {
            "PaymentMethods": [{"Id": 4, "Name": "Credit/Debit Card"}, {"Id": 5, "Name": "PayPal"}],
            "BankAccounts": [{"Id": 1, "Name": "Current Account", "IsDefault": true}],
            "Currencies": ["GBP"],
            "Products": [{"Code": "MUG-CLASSIC", "Name": "Classic Mug"}]
        }
    }));
    let s = host::ok(|out| unsafe { kfs_suggest_mappings(input.as_ptr(), input.len(), out) });
    let pm = &s["PaymentMethods"][0]["Method"];
    assert_eq!(pm["Target"], "5", "{s}");
    assert!(pm["Reason"]
        .as_str()
        .unwrap()
        .starts_with("name match 'PayPal'"));
    assert_eq!(s["Products"][0]["Reason"], "SKU equals product code");
    assert_eq!(s["Products"][1]["Target"], Value::Null);
    assert_eq!(s["Currencies"][0]["Confidence"], 1.0);

    let bad = docs::bytes(&json!({"Store": {"Products": [{"Id": "one", "Name": "x"}]}}));
    let err = host::fails(KFS_INVALID_DOCUMENT, |out| unsafe {
        kfs_suggest_mappings(bad.as_ptr(), bad.len(), out)
    });
    assert_eq!(err["Path"], "Store.Products[0].Id", "{err}");
    host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_suggest_mappings(bad.as_ptr(), 0, out)
    });
}

#[test]
fn every_operation_round_trips_documents() {
    let dir = tempfile::tempdir().unwrap();
    let config = docs::config(dir.path(), "Sandbox", None);
    let h = create(&config);

    // Enqueue: durable receipt; the same snapshot again is Unchanged.
    let receipt = enqueue_ok(h, &docs::order(1047));
    assert_eq!(receipt["OrderId"], 1047);
    assert_eq!(receipt["State"], "Pending", "{receipt}");
    let record_id = receipt["RecordId"].as_i64().unwrap();
    assert!(record_id > 0);
    let again = enqueue_ok(h, &docs::order(1047));
    assert_eq!(again["State"], "Unchanged", "{again}");
    assert_eq!(again["RecordId"], record_id);

    // A malformed snapshot is recorded as Failed (the admin sees it), not dropped or thrown.
    let (status, text) = enqueue(h, b"{\"SchemaVersion\":1,\"Id\":77,");
    assert_eq!(status, KFS_OK, "{text}");
    let failed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(failed["State"], "Failed");
    assert!(
        failed["Message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{failed}"
    );
    let mut v2 = docs::order(1048);
    v2["SchemaVersion"] = json!(2);
    let wrong_version = enqueue_ok(h, &v2);
    assert_eq!(wrong_version["State"], "Failed");
    assert!(
        wrong_version["Message"]
            .as_str()
            .unwrap()
            .contains("SchemaVersion"),
        "{wrong_version}"
    );

    // Events.
    let paid = docs::bytes(&json!({"Kind":"OrderPaid","OrderId":1047,"Amount":"57.99",
        "PaidDateUtc":"2026-11-28T10:21:15Z","PaymentMethodSystemName":"Payments.Stripe"}));
    let r =
        host::ok(|out| unsafe { kfs_engine_enqueue_event(h.0, paid.as_ptr(), paid.len(), out) });
    assert_eq!(r["OrderId"], 1047, "{r}");
    let bad_event = docs::bytes(&json!({"Kind":"OrderTeleported","OrderId":1047}));
    let err = host::fails(KFS_INVALID_DOCUMENT, |out| unsafe {
        kfs_engine_enqueue_event(h.0, bad_event.as_ptr(), bad_event.len(), out)
    });
    assert_eq!(err["Code"], "InvalidDocument");
    // A flow trigger (issue 20): recorded once, the second time unchanged.
    let shipped = docs::bytes(&json!({"Kind":"OrderShipped","OrderId":1047}));
    let r = host::ok(|out| unsafe {
        kfs_engine_enqueue_event(h.0, shipped.as_ptr(), shipped.len(), out)
    });
    assert_eq!(r["State"], "Accepted", "{r}");
    let r = host::ok(|out| unsafe {
        kfs_engine_enqueue_event(h.0, shipped.as_ptr(), shipped.len(), out)
    });
    assert_eq!(r["State"], "Unchanged", "{r}");

    // Counts, list, detail.
    let c = counts(h);
    assert_eq!(c["Total"], 3, "{c}");
    assert_eq!(c["Failed"], 2, "{c}");
    let query = br#"{"States":["Failed"],"PageSize":10}"#;
    let page =
        host::ok(|out| unsafe { kfs_engine_list_records(h.0, query.as_ptr(), query.len(), out) });
    assert_eq!(page["Total"], 2, "{page}");
    assert!(page["Items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["State"] == "Failed"));
    let bad_query = br#"{"Colour":"red"}"#;
    let err = host::fails(KFS_INVALID_DOCUMENT, |out| unsafe {
        kfs_engine_list_records(h.0, bad_query.as_ptr(), bad_query.len(), out)
    });
    assert!(err["Message"].as_str().unwrap().contains("Colour"), "{err}");
    let detail = host::ok(|out| unsafe { kfs_engine_record_detail(h.0, record_id, out) });
    assert_eq!(detail["Record"]["OrderId"], 1047, "{detail}");
    let err = host::fails(KFS_NOT_FOUND, |out| unsafe {
        kfs_engine_record_detail(h.0, 999_999, out)
    });
    assert_eq!(err["Code"], "NotFound");

    // Retries.
    let err = host::fails(KFS_NOT_FOUND, |out| unsafe {
        kfs_engine_retry_record(h.0, 999_999, out)
    });
    assert_eq!(err["Code"], "NotFound");
    let retried = host::ok(|out| unsafe { kfs_engine_retry_all_failed(h.0, out) });
    assert!(retried["Count"].as_u64().is_some(), "{retried}");

    // Outcomes: an array (possibly empty until KashFlow answers); acknowledging nothing is fine.
    let outcomes = host::ok(|out| unsafe { kfs_engine_poll_outcomes(h.0, 100, out) });
    assert!(outcomes.is_array(), "{outcomes}");
    let acked = host::ok(|out| unsafe { kfs_engine_ack_outcomes(h.0, std::ptr::null(), 0, out) });
    assert_eq!(acked["Count"], 0);
    host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_engine_ack_outcomes(h.0, std::ptr::null(), 2, out)
    });

    // Preview of a broken snapshot names the problem.
    let bad = b"[1]";
    let err = host::fails(KFS_INVALID_DOCUMENT, |out| unsafe {
        kfs_engine_preview(h.0, bad.as_ptr(), bad.len(), out)
    });
    assert_eq!(err["Code"], "InvalidDocument");

    // Stock pull, reconfigure (same journal; another journal path is refused with its path).
    host::ok(|out| unsafe { kfs_engine_request_stock_pull(h.0, out) });
    let mut changed = config.clone();
    changed["Workers"] = json!(3);
    let bytes = docs::bytes(&changed);
    host::ok(|out| unsafe { kfs_engine_reconfigure(h.0, bytes.as_ptr(), bytes.len(), out) });
    changed["JournalPath"] = json!(dir.path().join("other.sqlite").to_string_lossy());
    let bytes = docs::bytes(&changed);
    let err = host::fails(KFS_INVALID_CONFIG, |out| unsafe {
        kfs_engine_reconfigure(h.0, bytes.as_ptr(), bytes.len(), out)
    });
    assert_eq!(err["Path"], "JournalPath");

    // Shut down: no new work, but the handle stays valid until freed.
    host::ok(|out| unsafe { kfs_engine_shutdown(h.0, 1000, out) });
    let (status, text) = enqueue(h, &docs::bytes(&docs::order(2000)));
    assert_eq!(status, KFS_SHUTTING_DOWN, "{text}");
    assert_eq!(counts(h)["Total"], 3, "reads still work after shutdown");
    free(h);
}

#[test]
fn freed_forged_and_null_handles_are_invalid_handle() {
    let dir = tempfile::tempdir().unwrap();
    let h = create(&docs::config(dir.path(), "Sandbox", None));
    counts(h);
    free(h);
    for handle in [
        h.0,
        std::ptr::null_mut(),
        0x1234 as *mut KfsEngine,
        0x4b46_0000_0000_ffff as *mut KfsEngine,
    ] {
        let err = host::fails(KFS_INVALID_HANDLE, |out| unsafe {
            kfs_engine_status_counts(handle, out)
        });
        assert_eq!(err["Code"], "InvalidHandle");
        let snapshot = docs::bytes(&docs::order(1));
        host::fails(KFS_INVALID_HANDLE, |out| unsafe {
            kfs_engine_enqueue_order(handle, snapshot.as_ptr(), snapshot.len(), out)
        });
        host::fails(KFS_INVALID_HANDLE, |out| unsafe {
            kfs_engine_free(handle, out)
        });
    }
    // An operation id is not an engine handle.
    let mut op = 0u64;
    host::ok(|out| unsafe {
        kashflow_sync_native::diagnostics::kfs_debug_operation(
            0,
            0,
            None,
            std::ptr::null_mut(),
            &mut op,
            out,
        )
    });
    host::fails(KFS_INVALID_HANDLE, |out| unsafe {
        kfs_engine_status_counts(op as usize as *mut KfsEngine, out)
    });
}

#[test]
fn a_panic_elsewhere_leaves_engines_working() {
    let dir = tempfile::tempdir().unwrap();
    let h = create(&docs::config(dir.path(), "Sandbox", None));
    enqueue_ok(h, &docs::order(5));
    host::fails(KFS_PANIC, |out| unsafe { kfs_debug_panic(out) });
    assert_eq!(enqueue_ok(h, &docs::order(6))["State"], "Pending");
    assert_eq!(counts(h)["Total"], 2);
    free(h);
}

struct LogProbe {
    lines: Mutex<Vec<(i32, String, String)>>,
    freed: AtomicBool,
    after_free: AtomicUsize,
}

unsafe extern "C" fn on_log(
    user_data: *mut c_void,
    level: i32,
    target: *const u8,
    target_len: usize,
    message: *const u8,
    message_len: usize,
) {
    let probe = unsafe { &*(user_data as *const LogProbe) };
    if probe.freed.load(Ordering::SeqCst) {
        probe.after_free.fetch_add(1, Ordering::SeqCst);
    }
    let text = |p: *const u8, n: usize| unsafe {
        String::from_utf8_lossy(std::slice::from_raw_parts(p, n)).into_owned()
    };
    probe
        .lines
        .lock()
        .unwrap()
        .push((level, text(target, target_len), text(message, message_len)));
}

/// A Sandbox engine whose log callback records into the returned probe (keep it alive until the
/// engine is freed).
fn engine_with_log_probe(dir: &std::path::Path) -> (Box<LogProbe>, Handle) {
    let probe = Box::new(LogProbe {
        lines: Mutex::new(Vec::new()),
        freed: AtomicBool::new(false),
        after_free: AtomicUsize::new(0),
    });
    let user_data = &*probe as *const LogProbe as *mut c_void;
    let h = create_with_log(&docs::config(dir, "Sandbox", None), Some(on_log), user_data);
    (probe, h)
}

#[test]
fn log_callback_gets_engine_lines_and_none_after_free() {
    let dir = tempfile::tempdir().unwrap();
    let (probe, h) = engine_with_log_probe(dir.path());
    enqueue(h, b"not json at all");
    free(h);
    probe.freed.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        probe.after_free.load(Ordering::SeqCst),
        0,
        "a log callback ran after kfs_engine_free returned"
    );
    let lines = probe.lines.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|(level, target, msg)| *level == KFS_LOG_INFO
                && target.contains("engine")
                && msg.contains("started")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|(_, _, msg)| msg.contains("stopped")),
        "shutdown is logged before free returns: {lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|(_, _, msg)| msg.contains("sandbox-password")),
        "no secrets in logs"
    );
    drop(probe); // only now is the host's state released
}

#[test]
fn client_tracing_and_contained_panics_reach_the_log_callback() {
    let dir = tempfile::tempdir().unwrap();
    let (probe, h) = engine_with_log_probe(dir.path());
    // A contained panic is reported through the callback (not as a backtrace on stderr).
    host::fails(KFS_PANIC, |out| unsafe { kfs_debug_panic(out) });
    // The KashFlow client logs through `tracing`: its login reaches the callback too.
    let (tx, rx) = host::completions();
    let mut op = 0u64;
    host::ok(|out| unsafe {
        kfs_engine_test_connection(h.0, Some(host::on_complete), tx, &mut op, out)
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("completion callback");
    host::call(|out| unsafe { kfs_operation_take(op, out) });
    free(h);
    let lines = probe.lines.lock().unwrap().clone();
    assert!(
        lines.iter().any(|(level, _, msg)| *level == KFS_LOG_ERROR
            && msg.contains("forced through the boundary")
            && msg.contains("KFS_PANIC")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|(level, target, msg)| *level == KFS_LOG_INFO
                && target == "kashflow::client"
                && msg.contains("logged in to KashFlow")),
        "{lines:?}"
    );
    drop(probe);
}

#[test]
fn test_connection_is_an_asynchronous_operation() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://127.0.0.1:{}/v2", docs::closed_port());
    let h = create(&docs::config(dir.path(), "Live", Some(&url)));
    let (tx, rx) = host::completions();
    let mut op = 0u64;
    host::ok(|out| unsafe {
        kfs_engine_test_connection(h.0, Some(host::on_complete), tx, &mut op, out)
    });
    let (id, status) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("completion callback");
    assert_eq!(id, op);
    let (take_status, text) = host::call(|out| unsafe { kfs_operation_take(op, out) });
    assert_eq!(take_status, status);
    let doc: Value = serde_json::from_str(&text).unwrap();
    // Nothing listens on that port: a report that says the connection failed, or an error.
    if status == KFS_OK {
        assert_eq!(doc["Ok"], false, "{doc}");
        assert_eq!(doc["Mode"], "Live", "{doc}");
    } else {
        assert!(doc["Code"].is_string(), "{doc}");
    }
    host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_engine_test_connection(h.0, None, std::ptr::null_mut(), std::ptr::null_mut(), out)
    });
    free(h);
}

#[test]
fn lookups_are_an_asynchronous_operation_that_names_the_failure() {
    let dir = tempfile::tempdir().unwrap();
    // Live mode at a port nothing listens on.
    let url = format!("https://127.0.0.1:{}/v2", docs::closed_port());
    let h = create(&docs::config(dir.path(), "Live", Some(&url)));
    let (tx, rx) = host::completions();
    let mut op = 0u64;
    host::ok(|out| unsafe { kfs_engine_lookups(h.0, Some(host::on_complete), tx, &mut op, out) });
    let (id, status) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("completion callback");
    assert_eq!(id, op);
    let (take_status, text) = host::call(|out| unsafe { kfs_operation_take(op, out) });
    assert_eq!(take_status, status);
    assert_ne!(status, KFS_OK, "{text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(
        doc["Message"]
            .as_str()
            .unwrap_or_default()
            .contains("lookups"),
        "{doc}"
    );
    assert!(!text.contains("sandbox-password"));
    host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_engine_lookups(h.0, None, std::ptr::null_mut(), std::ptr::null_mut(), out)
    });
    free(h);
}

#[test]
fn creating_products_refuses_a_bad_document_before_starting_anything() {
    let dir = tempfile::tempdir().unwrap();
    let h = create(&docs::config(dir.path(), "Sandbox", None));
    let mut op = 0u64;
    let bad =
        docs::bytes(&json!({"Products": [{"Code": "A", "Name": "x", "NominalCode": "four"}]}));
    let err = host::fails(KFS_INVALID_DOCUMENT, |out| unsafe {
        kfs_engine_create_products(
            h.0,
            bad.as_ptr(),
            bad.len(),
            None,
            std::ptr::null_mut(),
            &mut op,
            out,
        )
    });
    assert_eq!(err["Path"], "Products[0].NominalCode", "{err}");
    assert_eq!(op, 0, "nothing started");
    host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_engine_create_products(
            h.0,
            std::ptr::null(),
            0,
            None,
            std::ptr::null_mut(),
            &mut op,
            out,
        )
    });
    free(h);
}

#[test]
fn sixteen_threads_enqueue_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let h = create(&docs::config(dir.path(), "Sandbox", None));
    const THREADS: i64 = 16;
    const EACH: i64 = 25;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(THREADS as usize));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                (0..EACH)
                    .map(|i| {
                        let order_id = 10_000 + t * 1000 + i;
                        let r = enqueue_ok(h, &docs::order(order_id));
                        assert_eq!(r["State"], "Pending", "{r}");
                        assert_eq!(r["OrderId"], order_id);
                        // Reads interleave with the writes.
                        if i % 5 == 0 {
                            counts(h);
                        }
                        r["RecordId"].as_i64().unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for t in threads {
        for id in t.join().unwrap() {
            assert!(ids.insert(id), "record id {id} issued twice");
        }
    }
    assert_eq!(ids.len() as i64, THREADS * EACH);
    assert_eq!(counts(h)["Total"], THREADS * EACH);
    free(h);
}

#[test]
fn free_while_other_threads_call_is_safe() {
    let dir = tempfile::tempdir().unwrap();
    let h = create(&docs::config(dir.path(), "Sandbox", None));
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..4)
        .map(|t| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut seen_invalid = false;
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let bytes = docs::bytes(&docs::order(50_000 + t * 10_000 + i));
                    let (status, text) = enqueue(h, &bytes);
                    match status {
                        KFS_OK => {
                            assert!(!seen_invalid, "a call succeeded after the handle was freed")
                        }
                        KFS_INVALID_HANDLE => seen_invalid = true,
                        KFS_SHUTTING_DOWN => {}
                        other => panic!("unexpected status {other}: {text}"),
                    }
                    i += 1;
                }
                seen_invalid
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    free(h);
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::SeqCst);
    for c in callers {
        assert!(
            c.join().unwrap(),
            "every caller saw the handle become invalid"
        );
    }
}
