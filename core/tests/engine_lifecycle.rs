//! The engine's life around a job, on real journal files: outcomes delivered at least once across
//! restarts, retries and backoff, dead letters, the circuit breaker, crash recovery through lease
//! reclaim, graceful shutdown, per-order exclusion, reconfiguration, processor panics, stock pulls,
//! and the preview / test-connection paths through the processor seam.

mod engine_support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use engine_support::*;
use kashflow_sync::engine::{
    AttemptResult, Engine, EngineConfig, EngineOptions, JobKind, JobState, ManualClock, MemorySink,
    OutcomeKind, RecordState,
};
use serde_json::json;

fn start(
    dir: &Path,
    rt: &tokio::runtime::Runtime,
    cfg: EngineConfig,
    processor: Arc<TestProcessor>,
    clock: Option<Arc<ManualClock>>,
) -> Engine {
    let _ = dir;
    Engine::start_with(cfg, rt.handle().clone(), None, options(processor, clock)).unwrap()
}

fn state(engine: &Engine, record_id: i64) -> RecordState {
    engine.record_detail(record_id).unwrap().record.state
}

#[test]
fn outcomes_are_redelivered_until_acknowledged_even_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let engine = start(
        dir.path(),
        &rt,
        config(dir.path()),
        TestProcessor::new(),
        None,
    );
    let r = engine.enqueue_order(&simple(123)).unwrap();
    wait_until("synced", || {
        state(&engine, r.record_id) == RecordState::Synced
    });

    let first = engine.poll_outcomes(10).unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].kind, OutcomeKind::SetOrderStatus);
    assert_eq!(first[0].order_status.as_deref(), Some("Processing"));
    assert_eq!(first[1].kind, OutcomeKind::AddOrderNote);
    assert_eq!(first[1].invoice_number, Some(100_123));
    assert_eq!(
        serde_json::to_value(&first[1]).unwrap(),
        json!({"Id": first[1].id, "Kind": "AddOrderNote", "OrderId": 123,
               "Note": "KashFlow invoice 100123 created (customer NOP000045)", "InvoiceNumber": 100123})
    );
    assert_eq!(
        engine.poll_outcomes(10).unwrap(),
        first,
        "polling does not consume"
    );
    assert_eq!(engine.poll_outcomes(1).unwrap(), first[..1].to_vec());

    // The host restarts between poll and ack.
    rt.block_on(engine.shutdown(Duration::from_secs(5)));
    drop(engine);
    let engine = start(
        dir.path(),
        &rt,
        config(dir.path()),
        TestProcessor::new(),
        None,
    );
    wait_until("the worker lease", || engine.is_active_worker());
    assert_eq!(engine.poll_outcomes(10).unwrap(), first);
    assert_eq!(engine.status_counts().unwrap().outcomes_pending, 2);

    assert_eq!(engine.ack_outcomes(&[first[0].id]).unwrap(), 1);
    assert_eq!(engine.poll_outcomes(10).unwrap(), first[1..].to_vec());
    assert_eq!(
        engine
            .ack_outcomes(&[first[0].id, first[1].id, 999_999])
            .unwrap(),
        1,
        "repeated and unknown ids are ignored"
    );
    assert!(engine.poll_outcomes(10).unwrap().is_empty());
    let d = engine.record_detail(r.record_id).unwrap();
    assert!(d.outcomes.iter().all(|o| o.acked));
}

#[test]
fn retry_after_is_honoured_then_backoff_then_dead_letter() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let clock = Arc::new(ManualClock::new(T0));
    let processor = TestProcessor::with(|s| {
        if s.attempt == 1 {
            retry("RateLimited", Some(Duration::from_secs(120)))
        } else {
            retry("ServiceUnavailable", None)
        }
    });
    let mut cfg = config(dir.path());
    cfg.retry.max_attempts = 3;
    cfg.retry.base_delay_ms = 1_000;
    cfg.retry.max_delay_ms = 60_000;
    cfg.circuit_breaker.failure_threshold = 100;
    let engine = start(dir.path(), &rt, cfg, processor.clone(), Some(clock.clone()));
    let r = engine.enqueue_order(&simple(4)).unwrap();

    wait_until("first attempt failed", || {
        state(&engine, r.record_id) == RecordState::Retrying
    });
    let d = engine.record_detail(r.record_id).unwrap();
    assert_eq!(d.record.attempts, 1);
    assert_eq!(
        d.record.next_attempt_utc.unwrap().timestamp_millis(),
        T0 + 120_000,
        "Retry-After 120s is a floor over the ≤1s jittered delay"
    );
    assert_eq!(d.record.last_error.as_ref().unwrap().code, "RateLimited");

    // Not due yet: nothing happens until the clock passes the Retry-After.
    clock.advance_ms(119_000);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(processor.seen_count(), 1);
    clock.advance_ms(1_000);
    wait_until("second attempt", || processor.seen_count() == 2);
    wait_until("second attempt recorded", || {
        let d = engine.record_detail(r.record_id).unwrap().record;
        d.attempts == 2 && d.state == RecordState::Retrying
    });
    let d = engine.record_detail(r.record_id).unwrap();
    let next = d.record.next_attempt_utc.unwrap().timestamp_millis();
    let now = T0 + 120_000;
    assert!(
        (now..=now + 2_000).contains(&next),
        "attempt 2 backs off within base*2 = 2s with full jitter, got +{}ms",
        next - now
    );

    clock.advance_ms(2_000);
    wait_until("third attempt and dead letter", || {
        state(&engine, r.record_id) == RecordState::Failed
    });
    let d = engine.record_detail(r.record_id).unwrap();
    let err = d.record.last_error.unwrap();
    assert_eq!(err.code, "ServiceUnavailable");
    assert!(
        err.message.starts_with("gave up after 3 attempts"),
        "{}",
        err.message
    );
    let results: Vec<AttemptResult> = d.attempts.iter().map(|a| a.result).collect();
    assert_eq!(
        results,
        vec![
            AttemptResult::Retry,
            AttemptResult::Retry,
            AttemptResult::DeadLetter
        ]
    );
    assert_eq!(
        d.attempts[0].calls.len(),
        1,
        "KashFlow calls are kept per attempt"
    );
    let notes: Vec<(String, Option<String>)> = engine
        .poll_outcomes(10)
        .unwrap()
        .into_iter()
        .filter_map(|o| o.note.map(|n| (n, o.error_code)))
        .collect();
    assert_eq!(notes.len(), 1);
    // a sentence for the merchant, the code in brackets at the end for support; the outcome
    // carries the code for the host's own phrase
    let (note, code) = &notes[0];
    assert!(
        note.starts_with(
            "KashFlow Sync could not send this order to KashFlow: gave up after 3 attempts"
        ),
        "{note}"
    );
    assert!(note.contains("press Retry"), "{note}");
    assert!(note.ends_with("(ServiceUnavailable)"), "{note}");
    assert!(!note.contains("failed (ServiceUnavailable)"), "{note}");
    // (read back from the journal's outcomes table, as every poll is)
    assert_eq!(code.as_deref(), Some("ServiceUnavailable"));
}

#[test]
fn permanent_error_fails_at_once_and_retry_maps_the_stored_snapshot_again() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    // The processor refuses unless the rules say the SKU mapping was fixed.
    let processor = TestProcessor::with(|s| {
        if s.rules["ProductCodes"].get("SKU-FIXED").is_some() {
            engine_support::Step::Result(default_result(s))
        } else {
            dead(
                "UnknownProduct",
                "SKU MUG-CLASSIC has no KashFlow product",
                Some("Items[0].Sku"),
            )
        }
    });
    let engine = start(dir.path(), &rt, config(dir.path()), processor.clone(), None);
    let ids: Vec<i64> = (1..=3)
        .map(|i| engine.enqueue_order(&simple(i)).unwrap().record_id)
        .collect();
    wait_until("all failed", || engine.status_counts().unwrap().failed == 3);
    let d = engine.record_detail(ids[0]).unwrap();
    assert_eq!(d.record.attempts, 1, "permanent errors are not retried");
    assert_eq!(
        d.record.last_error.as_ref().unwrap().path.as_deref(),
        Some("Items[0].Sku")
    );
    assert_eq!(
        d.mapped_invoice.as_ref().unwrap()["InvoiceNumber"],
        json!(100_001)
    );

    // Retrying without a fix fails again; history keeps both attempts.
    engine.retry_record(ids[0]).unwrap();
    wait_until("failed again", || {
        engine.record_detail(ids[0]).unwrap().attempts.len() == 2
            && state(&engine, ids[0]) == RecordState::Failed
    });

    // Fix the rules, retry one, then all.
    let mut cfg = config(dir.path());
    cfg.rules
        .product_codes
        .insert("SKU-FIXED".into(), "FIXED".into());
    engine.reconfigure(cfg).unwrap();
    engine.retry_record(ids[0]).unwrap();
    wait_until("record 1 synced", || {
        state(&engine, ids[0]) == RecordState::Synced
    });
    let d = engine.record_detail(ids[0]).unwrap();
    assert_eq!(d.attempts.len(), 3);
    assert_eq!(d.record.attempts, 1, "attempt counting restarts at a retry");
    assert_eq!(d.record.invoice_number, Some(100_001));
    assert!(d.record.last_error.is_none());

    assert_eq!(engine.retry_all_failed().unwrap(), 2);
    wait_until("all synced", || engine.status_counts().unwrap().synced == 3);
    assert_eq!(engine.retry_all_failed().unwrap(), 0);
    assert_eq!(
        engine.retry_record(ids[1]).unwrap_err().code(),
        "InvalidRequest"
    );
    assert_eq!(engine.retry_record(999).unwrap_err().code(), "NotFound");
}

#[test]
fn circuit_breaker_opens_then_lets_one_probe_through_then_closes() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let clock = Arc::new(ManualClock::new(T0));
    let failing = Arc::new(AtomicBool::new(true));
    let gate = Arc::new(tokio::sync::Semaphore::new(1000));
    let processor = {
        let failing = failing.clone();
        let p = TestProcessor::gated(gate.clone());
        p.set_handler(move |s| {
            if failing.load(Ordering::SeqCst) {
                retry("ServiceUnavailable", Some(Duration::from_secs(1)))
            } else {
                Step::Result(default_result(s))
            }
        });
        p
    };
    let mut cfg = config(dir.path());
    cfg.workers = 2;
    cfg.circuit_breaker.failure_threshold = 2;
    cfg.circuit_breaker.cool_down_ms = 30_000;
    let engine = start(dir.path(), &rt, cfg, processor.clone(), Some(clock.clone()));
    for i in 1..=4 {
        engine.enqueue_order(&simple(i)).unwrap();
    }
    // A worker that passed the breaker just before the other's failure tripped it still runs
    // the job it claimed (at most one per worker): let those settle before counting.
    let settled = || {
        let c = engine.status_counts().unwrap();
        c.circuit == "Open" && c.in_flight == 0
    };
    wait_until("breaker open and no job in flight", settled);
    std::thread::sleep(Duration::from_millis(300));
    wait_until("no job in flight", settled);
    let failures = processor.seen_count();
    assert!(
        (2..=4).contains(&failures),
        "{failures} attempts before opening"
    );
    // Jobs are due (Retry-After 1s passes) but nothing is claimed while open.
    clock.advance_ms(5_000);
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(processor.seen_count(), failures);
    assert_eq!(engine.status_counts().unwrap().circuit, "Open");

    // Cool-down over; KashFlow is back. Exactly one probe runs while half-open.
    failing.store(false, Ordering::SeqCst);
    while let Ok(p) = gate.try_acquire() {
        p.forget();
    }
    clock.advance_ms(30_000);
    wait_until("probe started", || processor.seen_count() == failures + 1);
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(processor.seen_count(), failures + 1, "only the probe runs");
    assert_eq!(engine.status_counts().unwrap().circuit, "HalfOpen");
    gate.add_permits(1000);
    wait_until("all synced", || engine.status_counts().unwrap().synced == 4);
    assert_eq!(engine.status_counts().unwrap().circuit, "Closed");
}

#[test]
fn crash_mid_job_resumes_after_lease_expiry_with_outcome_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    {
        let rt = runtime();
        let hanging = TestProcessor::with(|_| Step::Hang);
        let engine = start(
            dir.path(),
            &rt,
            config(dir.path()),
            hanging.clone(),
            Some(clock.clone()),
        );
        let r = engine.enqueue_order(&simple(42)).unwrap();
        wait_until("job in flight", || hanging.seen_count() == 1);
        assert_eq!(state(&engine, r.record_id), RecordState::InFlight);
        // Simulated crash: the process goes away mid-job; nothing is released.
        std::mem::forget(engine);
        rt.shutdown_background();
    }
    let rt = runtime();
    let processor = TestProcessor::new();
    let engine = start(
        dir.path(),
        &rt,
        config(dir.path()),
        processor.clone(),
        Some(clock.clone()),
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        processor.seen_count(),
        0,
        "a live-looking lease is not stolen"
    );
    clock.advance_ms(61_000);
    wait_until("resumed and synced", || {
        engine.status_counts().unwrap().synced == 1
    });
    let seen = processor.seen_for(42);
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].outcome_unknown,
        "the processor is told to check before writing"
    );
    assert_eq!(seen[0].attempt, 2);
    let d = engine.list_records(&Default::default()).unwrap().items[0].clone();
    let detail = engine.record_detail(d.record_id).unwrap();
    let results: Vec<AttemptResult> = detail.attempts.iter().map(|a| a.result).collect();
    assert_eq!(
        results,
        vec![AttemptResult::Interrupted, AttemptResult::Done]
    );
    assert!(detail.jobs[0].outcome_unknown);
}

#[test]
fn cancellation_during_an_attempt_whose_lease_expires_cancels_instead_of_resuming() {
    // A cancellation arrives while the attempt holds the job; the attempt never finishes (its
    // process hangs) and its job lease expires. The reclaim honours the cancellation instead of
    // running the job again (which would post the invoice of a cancelled order).
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let rt = runtime();
    let hanging = TestProcessor::with(|_| Step::Hang);
    let engine = start(
        dir.path(),
        &rt,
        config(dir.path()),
        hanging.clone(),
        Some(clock.clone()),
    );
    let r = engine.enqueue_order(&simple(43)).unwrap();
    wait_until("job in flight", || hanging.seen_count() == 1);
    let c = engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":43}"#)
        .unwrap();
    assert_eq!(c.state, kashflow_sync::engine::ReceiptState::Accepted);
    clock.advance_ms(61_000);
    wait_until("cancelled", || {
        state(&engine, r.record_id) == RecordState::Cancelled
    });
    let d = engine.record_detail(r.record_id).unwrap();
    assert_eq!(d.jobs[0].state, JobState::Cancelled);
    assert!(d.record.needs_credit_note, "{:?}", d.record);
    assert_eq!(d.attempts[0].result, AttemptResult::Interrupted);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(hanging.seen_for(43).len(), 1, "not run again");
    rt.block_on(engine.shutdown(Duration::from_millis(100)));
}

#[test]
fn shutdown_waits_for_running_jobs_within_grace_and_releases_the_rest() {
    // A job that finishes within the grace period completes.
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let slow = TestProcessor::holding(Duration::from_millis(300));
    let engine = start(dir.path(), &rt, config(dir.path()), slow.clone(), None);
    let r = engine.enqueue_order(&simple(1)).unwrap();
    wait_until("in flight", || slow.seen_count() == 1);
    rt.block_on(engine.shutdown(Duration::from_secs(10)));
    assert_eq!(state(&engine, r.record_id), RecordState::Synced);
    assert_eq!(
        engine.enqueue_order(&simple(2)).unwrap_err().code(),
        "ShuttingDown"
    );
    drop(engine);

    // A job that does not finish is put back, flagged, and resumes at once on the next start.
    let hanging = TestProcessor::with(|_| Step::Hang);
    let engine = start(dir.path(), &rt, config(dir.path()), hanging.clone(), None);
    let r = engine.enqueue_order(&simple(3)).unwrap();
    wait_until("in flight", || hanging.seen_count() == 1);
    rt.block_on(engine.shutdown(Duration::from_millis(100)));
    let d = engine.record_detail(r.record_id).unwrap();
    assert_eq!(d.jobs[0].state, JobState::Queued);
    assert!(d.jobs[0].outcome_unknown);
    assert_eq!(d.attempts[0].result, AttemptResult::Interrupted);
    drop(engine);

    let processor = TestProcessor::new();
    let engine = start(dir.path(), &rt, config(dir.path()), processor.clone(), None);
    wait_until("order 3 synced", || {
        state(&engine, r.record_id) == RecordState::Synced
    });
    assert!(processor.seen_for(3)[0].outcome_unknown);
}

#[test]
fn two_jobs_of_one_order_never_run_at_once_while_orders_run_in_parallel() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let processor = TestProcessor::holding(Duration::from_millis(30));
    let mut cfg = config(dir.path());
    cfg.workers = 4;
    let engine = start(dir.path(), &rt, cfg, processor.clone(), None);
    for i in 1..=6 {
        engine.enqueue_order(&simple(i)).unwrap();
    }
    wait_until("orders synced", || {
        engine.status_counts().unwrap().synced == 6
    });
    // Several payments per order, all claimable at once.
    for i in 1..=6 {
        for amount in ["1.00", "2.00", "3.00"] {
            engine.enqueue_event(&paid_event(i, amount)).unwrap();
        }
    }
    wait_until("payments recorded", || processor.seen_count() == 6 + 18);
    assert_eq!(processor.max_running_same_order.load(Ordering::SeqCst), 1);
    assert!(
        processor.max_running.load(Ordering::SeqCst) > 1,
        "different orders do run in parallel"
    );
}

#[test]
fn reconfigure_applies_to_the_next_job_and_guards_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let processor = TestProcessor::new();
    let mut cfg = config(dir.path());
    cfg.rules.invoice_number.offset = 1;
    let engine = start(dir.path(), &rt, cfg.clone(), processor.clone(), None);
    engine.enqueue_order(&simple(1)).unwrap();
    wait_until("first synced", || processor.seen_count() == 1);

    cfg.rules.invoice_number.offset = 2;
    cfg.workers = 3;
    engine.reconfigure(cfg.clone()).unwrap();
    assert_eq!(engine.config().workers, 3);
    engine.enqueue_order(&simple(2)).unwrap();
    wait_until("second synced", || processor.seen_count() == 2);
    let seen = processor.seen();
    assert_eq!(seen[0].rules["InvoiceNumber"]["Offset"], json!(1));
    assert_eq!(seen[1].rules["InvoiceNumber"]["Offset"], json!(2));

    let mut moved = cfg.clone();
    moved.journal_path = dir.path().join("elsewhere.db");
    let e = engine.reconfigure(moved).unwrap_err();
    assert_eq!((e.code(), e.path()), ("InvalidConfig", Some("JournalPath")));
    let mut bad = cfg;
    bad.workers = 0;
    assert_eq!(engine.reconfigure(bad).unwrap_err().path(), Some("Workers"));
}

#[test]
fn a_panicking_processor_does_not_take_a_worker_down() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let processor = TestProcessor::with(|s| {
        if s.order_id == Some(1) && s.attempt == 1 {
            Step::Panic
        } else {
            Step::Result(default_result(s))
        }
    });
    let mut cfg = config(dir.path());
    cfg.workers = 1;
    cfg.retry.base_delay_ms = 1;
    cfg.retry.max_delay_ms = 1;
    let engine = start(dir.path(), &rt, cfg, processor.clone(), None);
    let r1 = engine.enqueue_order(&simple(1)).unwrap();
    let r2 = engine.enqueue_order(&simple(2)).unwrap();
    wait_until("both synced", || {
        state(&engine, r1.record_id) == RecordState::Synced
            && state(&engine, r2.record_id) == RecordState::Synced
    });
    let d = engine.record_detail(r1.record_id).unwrap();
    assert_eq!(d.attempts[0].result, AttemptResult::Retry);
    assert_eq!(d.attempts[0].error.as_ref().unwrap().code, "Internal");
}

#[test]
fn stock_pull_runs_through_the_processor_once_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let processor = TestProcessor::gated(gate.clone());
    let engine = start(dir.path(), &rt, config(dir.path()), processor.clone(), None);
    engine.request_stock_pull().unwrap();
    wait_until("pull running", || processor.seen_count() == 1);
    engine.request_stock_pull().unwrap(); // merged into the running pull
    gate.add_permits(10);
    wait_until("stock outcomes", || {
        engine.poll_outcomes(10).unwrap().len() == 2
    });
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(processor.seen_count(), 1);
    assert_eq!(processor.seen()[0].kind, JobKind::PullStock);
    let out = engine.poll_outcomes(10).unwrap();
    assert_eq!(out[0].kind, OutcomeKind::SetStock);
    assert_eq!(
        serde_json::to_value(&out[0]).unwrap(),
        json!({"Id": out[0].id, "Kind": "SetStock", "Sku": "MUG-CLASSIC", "Quantity": 118})
    );

    let mut cfg = config(dir.path());
    cfg.steps.pull_stock = false;
    engine.reconfigure(cfg).unwrap();
    assert_eq!(
        engine.request_stock_pull().unwrap_err().code(),
        "InvalidRequest"
    );
}

#[test]
fn preview_and_test_connection_go_through_the_processor() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let processor = TestProcessor::new();
    let mut cfg = config(dir.path());
    cfg.kashflow.user_name = "shop-user".into();
    cfg.kashflow.password = kashflow_sync::engine::Secret::new("pw-123");
    let engine = start(dir.path(), &rt, cfg, processor, None);

    let p = engine.preview(&simple(11)).unwrap();
    assert!(p.ok);
    assert_eq!(p.order_id, 11);
    assert_eq!(p.journal_state, None);
    let r = engine.enqueue_order(&simple(11)).unwrap();
    wait_until("synced", || {
        state(&engine, r.record_id) == RecordState::Synced
    });
    let p = engine.preview(&simple(11)).unwrap();
    assert_eq!(p.journal_state, Some(RecordState::Synced));
    assert_eq!(p.journal_invoice_number, Some(100_011));
    assert_eq!(
        p.warnings,
        vec!["already posted as invoice 100011".to_string()]
    );
    let e = engine.preview(b"{}").unwrap_err();
    assert_eq!(e.code(), "InvalidDocument");

    let report = rt.block_on(engine.test_connection()).unwrap();
    assert!(report.ok);
    assert_eq!(report.message, "test processor reached as shop-user");
}

#[test]
fn without_a_kashflow_processor_orders_wait_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let log = Arc::new(MemorySink::default());
    let engine = Engine::start_with(
        config(dir.path()),
        rt.handle().clone(),
        Some(log.clone()),
        EngineOptions {
            idle_poll: Duration::from_millis(10),
            // Engine::start now runs the KashFlow processor; this test is about the stand-in.
            processor: Some(Arc::new(kashflow_sync::engine::UnwiredProcessor)),
            ..Default::default()
        },
    )
    .unwrap();
    let r = engine.enqueue_order(&simple(5)).unwrap();
    wait_until("the job waited once", || {
        !engine
            .record_detail(r.record_id)
            .unwrap()
            .attempts
            .is_empty()
    });
    let d = engine.record_detail(r.record_id).unwrap();
    assert_eq!(d.record.state, RecordState::Pending);
    assert_eq!(d.record.attempts, 0);
    assert_eq!(d.attempts[0].result, AttemptResult::Waiting);
    assert!(d
        .record
        .last_error
        .unwrap()
        .message
        .contains("no KashFlow connection"));
    assert_eq!(
        engine.preview(&simple(5)).unwrap_err().code(),
        "NotAvailable"
    );
    assert!(!rt.block_on(engine.test_connection()).unwrap().ok);
    assert!(log.contains("engine started"));
}

#[test]
fn the_engine_and_its_futures_can_cross_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let engine = Arc::new(start(
        dir.path(),
        &rt,
        config(dir.path()),
        TestProcessor::new(),
        None,
    ));
    send_sync(&engine);
    let connection = engine.test_connection();
    send(&connection);
    drop(connection);
    let shutdown = engine.shutdown(Duration::from_secs(1));
    send(&shutdown);
    // The ffi may drive the async calls on the engine's own runtime from another thread.
    let e = engine.clone();
    let report = rt
        .block_on(rt.spawn(async move { e.test_connection().await }))
        .unwrap()
        .unwrap();
    assert!(report.ok);
    rt.block_on(shutdown);
}

#[test]
fn an_open_circuit_breaker_survives_a_restart_and_the_next_process_probes_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let mut cfg = config(dir.path());
    cfg.circuit_breaker.failure_threshold = 1;
    cfg.circuit_breaker.cool_down_ms = 60_000;
    {
        let rt = runtime();
        let failing = TestProcessor::with(|_| retry("ServiceUnavailable", None));
        let engine = start(
            dir.path(),
            &rt,
            cfg.clone(),
            failing.clone(),
            Some(clock.clone()),
        );
        engine.enqueue_order(&simple(7)).unwrap();
        wait_until("breaker open", || {
            let c = engine.status_counts().unwrap();
            c.circuit == "Open" && c.in_flight == 0
        });
        let w = engine.status_counts().unwrap().active_worker.unwrap();
        assert!(w.active && w.this_process == Some(true), "{w:?}");
        rt.block_on(engine.shutdown(Duration::from_secs(5)));
    }
    // The recycled process: KashFlow is still down for it until the cool-down ends.
    let rt = runtime();
    let processor = TestProcessor::new();
    let engine = start(dir.path(), &rt, cfg, processor.clone(), Some(clock.clone()));
    wait_until("the new process holds the lease", || {
        engine
            .status_counts()
            .unwrap()
            .active_worker
            .is_some_and(|w| w.active && w.this_process == Some(true))
    });
    assert_eq!(engine.status_counts().unwrap().circuit, "Open");
    clock.advance_ms(30_000); // the retry is due, the breaker still open
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        processor.seen_count(),
        0,
        "no request while the breaker is open"
    );
    clock.advance_ms(30_000);
    wait_until("probe ran and closed the breaker", || {
        engine.status_counts().unwrap().synced == 1
    });
    assert_eq!(processor.seen_count(), 1);
    assert_eq!(engine.status_counts().unwrap().circuit, "Closed");
    rt.block_on(engine.shutdown(Duration::from_secs(5)));
}

/// Two engines on one journal (an IIS overlap): outcomes reach only the holder of the worker
/// lease, so no outcome is applied twice; the second takes over the unacknowledged ones when the
/// first stops.
#[test]
fn only_the_active_worker_delivers_outcomes() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let processor = TestProcessor::new();
    let first = Engine::start_with(
        config(dir.path()),
        rt.handle().clone(),
        None,
        options(processor.clone(), None),
    )
    .unwrap();
    wait_until("the first engine holds the lease", || {
        first.is_active_worker()
    });
    let second = Engine::start_with(
        config(dir.path()),
        rt.handle().clone(),
        None,
        options(processor.clone(), None),
    )
    .unwrap();
    first.enqueue_order(&simple(7)).unwrap();
    wait_until("an outcome", || {
        !first.poll_outcomes(10).unwrap().is_empty()
    });
    assert!(!second.is_active_worker());
    assert!(second.poll_outcomes(10).unwrap().is_empty());
    let pending = first.poll_outcomes(10).unwrap();
    rt.block_on(first.shutdown(Duration::from_secs(5)));
    wait_until("the second engine takes over", || second.is_active_worker());
    assert_eq!(second.poll_outcomes(10).unwrap(), pending);
    rt.block_on(second.shutdown(Duration::from_secs(5)));
}
