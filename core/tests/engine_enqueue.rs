//! Enqueue rules against a real journal file: dedupe, replace, already-synced, broken snapshots,
//! cancellations and refunds, payments waiting for their invoice.

mod engine_support;

use std::sync::Arc;

use engine_support::*;
use kashflow_sync::engine::{
    Engine, JobKind, JobState, LogLevel, MemorySink, ReceiptState, RecordQuery, RecordState,
};

struct Setup {
    _dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
    engine: Engine,
    processor: Arc<TestProcessor>,
    log: Arc<MemorySink>,
}

fn setup_with(processor: Arc<TestProcessor>, workers: u32) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let log = Arc::new(MemorySink::default());
    let mut cfg = config(dir.path());
    cfg.workers = workers;
    let engine = Engine::start_with(
        cfg,
        rt.handle().clone(),
        Some(log.clone()),
        options(processor.clone(), None),
    )
    .unwrap();
    Setup {
        _dir: dir,
        rt,
        engine,
        processor,
        log,
    }
}

fn state_of(engine: &Engine, record_id: i64) -> RecordState {
    engine.record_detail(record_id).unwrap().record.state
}

#[test]
fn same_snapshot_twice_is_unchanged_and_posted_once() {
    let s = setup_with(TestProcessor::new(), 2);
    let snap = simple(101);
    let first = s.engine.enqueue_order(&snap).unwrap();
    assert_eq!(first.state, ReceiptState::Pending);
    assert_eq!(first.order_id, 101);
    let again = s.engine.enqueue_order(&snap).unwrap();
    assert_eq!(again.state, ReceiptState::Unchanged);
    assert_eq!(again.record_id, first.record_id);
    wait_until("the order is synced", || {
        state_of(&s.engine, first.record_id) == RecordState::Synced
    });
    // Same content with different key order/whitespace is still the same snapshot.
    let reordered: serde_json::Value = serde_json::from_slice(&snap).unwrap();
    let pretty = serde_json::to_vec_pretty(&reordered).unwrap();
    assert_eq!(
        s.engine.enqueue_order(&pretty).unwrap().state,
        ReceiptState::Unchanged
    );
    assert_eq!(
        s.engine.enqueue_order(&snap).unwrap().state,
        ReceiptState::Unchanged
    );
    s.rt.block_on(s.engine.shutdown(std::time::Duration::from_secs(5)));
    assert_eq!(s.processor.seen_for(101).len(), 1, "posted exactly once");
}

#[test]
fn newer_snapshot_replaces_one_not_yet_synced() {
    // One worker, held by order 1, so order 2 waits in the queue while it is replaced.
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let s = setup_with(TestProcessor::gated(gate.clone()), 1);
    s.engine.enqueue_order(&simple(1)).unwrap();
    wait_until("order 1 is in flight", || s.processor.seen_count() == 1);

    let old = snapshot(2, "N-2", "2026-05-01T10:00:00Z", 2);
    let new = snapshot(2, "N-2", "2026-05-01T10:00:00Z", 3);
    let r1 = s.engine.enqueue_order(&old).unwrap();
    let r2 = s.engine.enqueue_order(&new).unwrap();
    assert_eq!(r1.state, ReceiptState::Pending);
    assert_eq!(r2.state, ReceiptState::Replaced);
    assert_eq!(r2.record_id, r1.record_id);
    let detail = s.engine.record_detail(r2.record_id).unwrap();
    assert_eq!(detail.jobs.len(), 1, "still one sync job");
    let stored_lines = detail.snapshot.unwrap()["Items"].as_array().unwrap().len();
    assert_eq!(stored_lines, 3);

    gate.add_permits(10);
    wait_until("order 2 is synced", || {
        state_of(&s.engine, r2.record_id) == RecordState::Synced
    });
    let seen = s.processor.seen_for(2);
    assert_eq!(seen.len(), 1, "only the newest snapshot is posted");
    assert_eq!(seen[0].snapshot_hash, detail.snapshot_hash);
}

#[test]
fn snapshot_of_a_synced_order_is_unchanged_and_logged() {
    let s = setup_with(TestProcessor::new(), 2);
    let r = s.engine.enqueue_order(&simple(7)).unwrap();
    wait_until("synced", || {
        state_of(&s.engine, r.record_id) == RecordState::Synced
    });
    let changed = snapshot(7, "N-7", "2026-05-01T10:00:00Z", 5);
    let again = s.engine.enqueue_order(&changed).unwrap();
    assert_eq!(again.state, ReceiptState::Unchanged);
    assert!(again.message.unwrap().contains("invoice 100007"));
    assert!(s
        .log
        .lines()
        .iter()
        .any(|(l, _, m)| *l == LogLevel::Warn && m.contains("already synced")));
    let detail = s.engine.record_detail(r.record_id).unwrap();
    assert_eq!(detail.snapshot_hash, detail.synced_snapshot_hash);
    assert_eq!(s.processor.seen_for(7).len(), 1);
}

#[test]
fn broken_snapshots_are_filed_as_failed_never_dropped() {
    let s = setup_with(TestProcessor::new(), 1);
    // not JSON: keyed by a synthetic negative id, visible in the list
    let junk = s.engine.enqueue_order(b"<order id=\"9\"/>").unwrap();
    assert_eq!(junk.state, ReceiptState::Failed);
    assert!(junk.order_id < 0);
    assert!(junk.message.as_deref().unwrap().contains("not valid JSON"));
    assert_eq!(
        s.engine.enqueue_order(b"<order id=\"9\"/>").unwrap().state,
        ReceiptState::Unchanged,
        "the same junk twice is one record"
    );

    // wrong SchemaVersion: keyed by its Id
    let v2 = br#"{"SchemaVersion":2,"Id":31,"CustomOrderNumber":"N-31","CreatedOnUtc":"2026-05-01T10:00:00Z"}"#;
    let r = s.engine.enqueue_order(v2).unwrap();
    assert_eq!((r.state, r.order_id), (ReceiptState::Failed, 31));
    let d = s.engine.record_detail(r.record_id).unwrap();
    let err = d.record.last_error.unwrap();
    assert_eq!(err.code, "UnsupportedSchemaVersion");
    assert_eq!(err.path.as_deref(), Some("SchemaVersion"));
    assert_eq!(d.jobs[0].state, JobState::Dead);

    // no Id
    let no_id =
        br#"{"SchemaVersion":1,"CustomOrderNumber":"N-?","CreatedOnUtc":"2026-05-01T10:00:00Z"}"#;
    let r = s.engine.enqueue_order(no_id).unwrap();
    assert_eq!(r.state, ReceiptState::Failed);
    assert!(r.order_id < 0);

    let failed = s
        .engine
        .list_records(&RecordQuery {
            states: vec![RecordState::Failed],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(failed.total, 3);
    assert_eq!(s.engine.status_counts().unwrap().failed, 3);

    // Retrying a broken snapshot fails again, without reaching the processor.
    assert_eq!(s.engine.retry_all_failed().unwrap(), 3);
    wait_until("all three are failed again", || {
        s.engine.status_counts().unwrap().failed == 3
    });
    assert_eq!(s.processor.seen_count(), 0);

    // A fixed snapshot for order 31 replaces the broken one and syncs.
    let fixed = s.engine.enqueue_order(&simple(31)).unwrap();
    assert_eq!(fixed.state, ReceiptState::Replaced);
    wait_until("order 31 synced", || {
        state_of(&s.engine, fixed.record_id) == RecordState::Synced
    });
}

#[test]
fn cancellation_before_posting_stops_the_order() {
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let s = setup_with(TestProcessor::gated(gate.clone()), 1);
    s.engine.enqueue_order(&simple(1)).unwrap(); // occupies the only worker
    wait_until("order 1 in flight", || s.processor.seen_count() == 1);
    let r = s.engine.enqueue_order(&simple(2)).unwrap();
    let c = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":2}"#)
        .unwrap();
    assert_eq!(c.state, ReceiptState::Cancelled);
    assert_eq!(c.record_id, r.record_id);
    assert_eq!(state_of(&s.engine, r.record_id), RecordState::Cancelled);
    // A later snapshot of the cancelled order is ignored.
    let later = s
        .engine
        .enqueue_order(&snapshot(2, "N-2", "2026-05-01T10:00:00Z", 4))
        .unwrap();
    assert_eq!(later.state, ReceiptState::Unchanged);
    // Retrying a cancelled record is refused.
    assert_eq!(
        s.engine.retry_record(r.record_id).unwrap_err().code(),
        "InvalidRequest"
    );
    gate.add_permits(10);
    wait_until("order 1 synced", || {
        s.engine.status_counts().unwrap().synced == 1
    });
    s.rt.block_on(s.engine.shutdown(std::time::Duration::from_secs(5)));
    assert!(
        s.processor.seen_for(2).is_empty(),
        "a cancelled order is never posted"
    );

    // Cancelling an order the journal has never seen marks it so it is never posted.
    let s2 = setup_with(TestProcessor::new(), 1);
    let c = s2
        .engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":77}"#)
        .unwrap();
    assert_eq!(c.state, ReceiptState::Cancelled);
    assert_eq!(
        s2.engine.enqueue_order(&simple(77)).unwrap().state,
        ReceiptState::Unchanged
    );
}

#[test]
fn cancellation_or_refund_after_posting_queues_credit_notes_once() {
    let s = setup_with(TestProcessor::new(), 2);
    let r = s.engine.enqueue_order(&simple(5)).unwrap();
    wait_until("synced", || {
        state_of(&s.engine, r.record_id) == RecordState::Synced
    });

    let c = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":5}"#)
        .unwrap();
    assert_eq!(c.state, ReceiptState::Accepted);
    assert!(c.message.unwrap().contains("credit note 1 queued"));
    let again = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":5}"#)
        .unwrap();
    assert_eq!(again.state, ReceiptState::Unchanged);
    let refund = br#"{"Kind":"OrderRefunded","OrderId":5,"Amount":5.00,"RefundDateUtc":"2026-05-02T10:00:00Z"}"#;
    let first = s.engine.enqueue_event(refund).unwrap();
    assert_eq!(first.state, ReceiptState::Accepted);
    assert!(first.message.unwrap().contains("credit note 2 queued"));
    // The same refund again (the catch-up after a crash) is one credit note, not two.
    let repeat = br#"{"Kind":"OrderRefunded","OrderId":5,"Amount":"5.0","RefundDateUtc":"2026-05-02T10:00:00.000Z","Note":"again"}"#;
    assert_eq!(
        s.engine.enqueue_event(repeat).unwrap().state,
        ReceiptState::Unchanged
    );

    wait_until("credit notes done", || {
        s.engine
            .record_detail(r.record_id)
            .unwrap()
            .record
            .credit_notes
            .iter()
            .all(|c| c.state == JobState::Done)
    });
    let d = s.engine.record_detail(r.record_id).unwrap();
    assert_eq!(
        d.record.state,
        RecordState::Synced,
        "the invoice stays posted"
    );
    assert!(!d.record.needs_credit_note);
    let causes: Vec<(u32, &str)> = d
        .record
        .credit_notes
        .iter()
        .map(|c| (c.seq, c.cause.as_str()))
        .collect();
    assert_eq!(causes, vec![(1, "Cancellation"), (2, "Refund")]);
    assert_eq!(d.events.len(), 2);
    let counts = s.engine.status_counts().unwrap();
    assert_eq!(counts.credit_notes_posted, 2);
    assert_eq!(counts.needs_credit_note, 0);
}

#[test]
fn refund_before_the_invoice_waits_and_refund_of_a_cancelled_order_posts_nothing() {
    let s = setup_with(TestProcessor::new(), 2);
    let early = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderRefunded","OrderId":12,"Amount":1.00}"#)
        .unwrap();
    assert_eq!(early.state, ReceiptState::Accepted);
    assert!(early.message.unwrap().contains("waits for the invoice"));
    let rec = s.engine.record_detail(early.record_id).unwrap();
    assert_eq!(rec.record.credit_notes[0].state, JobState::Waiting);
    let r = s.engine.enqueue_order(&simple(12)).unwrap();
    wait_until("credit note after the invoice", || {
        s.engine
            .record_detail(r.record_id)
            .unwrap()
            .record
            .credit_notes[0]
            .state
            == JobState::Done
    });

    // Cancelled before posting: neither the cancel nor a later refund or void posts anything.
    let c = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":13}"#)
        .unwrap();
    assert_eq!(c.state, ReceiptState::Cancelled);
    let refund = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderRefunded","OrderId":13,"Amount":1.00}"#)
        .unwrap();
    assert_eq!(refund.state, ReceiptState::Unchanged);
    let void = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderVoided","OrderId":13}"#)
        .unwrap();
    assert_eq!(void.state, ReceiptState::Unchanged);
    let d = s.engine.record_detail(c.record_id).unwrap();
    assert!(d.jobs.iter().all(|j| j.kind != "PostCreditNote"));
    // A void before posting stops the order like a cancellation.
    let v = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderVoided","OrderId":14}"#)
        .unwrap();
    assert_eq!(v.state, ReceiptState::Cancelled);
}

#[test]
fn cancellation_during_posting_queues_a_credit_note_when_the_post_completes() {
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let s = setup_with(TestProcessor::gated(gate.clone()), 1);
    let r = s.engine.enqueue_order(&simple(8)).unwrap();
    wait_until("in flight", || s.processor.seen_count() == 1);
    let c = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":8}"#)
        .unwrap();
    assert_eq!(c.state, ReceiptState::Accepted);
    assert_eq!(state_of(&s.engine, r.record_id), RecordState::InFlight);
    gate.add_permits(2);
    wait_until("credit note posted", || {
        let d = s.engine.record_detail(r.record_id).unwrap();
        d.record.credit_notes.len() == 1 && d.record.credit_notes[0].state == JobState::Done
    });
    let d = s.engine.record_detail(r.record_id).unwrap();
    assert_eq!(d.record.credit_notes[0].cause, "Cancellation");
    assert_eq!(d.record.state, RecordState::Synced);
}

#[test]
fn cancellation_after_the_claim_before_anything_is_sent_cancels_the_order() {
    // The job is claimed (Leased), the cancellation arrives (cancel_requested), and only then does
    // the attempt reach its first KashFlow request. Nothing has been sent, so the cancellation
    // wins: the attempt stops there and the order is cancelled, never invoiced then credited.
    let before_send = Arc::new(tokio::sync::Semaphore::new(0));
    let s = setup_with(TestProcessor::asking_before_send(before_send.clone()), 1);
    let r = s.engine.enqueue_order(&simple(8)).unwrap();
    wait_until("claimed", || s.processor.seen_count() == 1);
    let c = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":8}"#)
        .unwrap();
    assert_eq!(c.state, ReceiptState::Accepted);
    assert_eq!(state_of(&s.engine, r.record_id), RecordState::InFlight);
    before_send.add_permits(8);
    wait_until("the attempt is over", || {
        state_of(&s.engine, r.record_id) != RecordState::InFlight
    });
    let d = s.engine.record_detail(r.record_id).unwrap();
    assert_eq!(d.record.state, RecordState::Cancelled, "{:?}", d.record);
    assert_eq!(d.record.invoice_number, None);
    assert!(d.record.credit_notes.is_empty(), "{:?}", d.record);
    assert!(
        !d.record.needs_credit_note,
        "nothing was sent: nothing to check"
    );
    assert_eq!(d.jobs.len(), 1);
    assert_eq!(d.jobs[0].state, JobState::Cancelled);
    assert!(s
        .log
        .contains("order cancelled before its invoice was posted"));
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(s.processor.seen_for(8).len(), 1, "never attempted again");
    s.rt.block_on(s.engine.shutdown(std::time::Duration::from_secs(5)));
}

#[test]
fn cancellation_during_an_attempt_cut_off_by_shutdown_cancels_the_order() {
    // The shutdown puts the unfinished attempt's job back: the cancellation that arrived during
    // it must not be left for the next start to ignore (it would post, then credit).
    let s = setup_with(TestProcessor::with(|_| Step::Hang), 1);
    let r = s.engine.enqueue_order(&simple(18)).unwrap();
    wait_until("in flight", || s.processor.seen_count() == 1);
    let c = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":18}"#)
        .unwrap();
    assert_eq!(c.state, ReceiptState::Accepted);
    s.rt.block_on(s.engine.shutdown(std::time::Duration::from_millis(100)));
    let d = s.engine.record_detail(r.record_id).unwrap();
    assert_eq!(d.record.state, RecordState::Cancelled, "{:?}", d.record);
    assert_eq!(d.jobs[0].state, JobState::Cancelled);
    // Interrupted: nobody knows what it sent, so KashFlow is to be checked.
    assert!(d.record.needs_credit_note, "{:?}", d.record);
}

#[test]
fn payment_waits_for_the_invoice_then_is_recorded_once() {
    let s = setup_with(TestProcessor::new(), 2);
    // The payment arrives before the order snapshot.
    let p = s.engine.enqueue_event(&paid_event(9, "104.99")).unwrap();
    assert_eq!(p.state, ReceiptState::Pending);
    assert!(p.message.unwrap().contains("once the invoice exists"));
    assert_eq!(
        s.engine
            .enqueue_event(&paid_event(9, "104.99"))
            .unwrap()
            .state,
        ReceiptState::Unchanged,
        "the same payment twice is one payment"
    );
    let d = s.engine.record_detail(p.record_id).unwrap();
    assert_eq!(d.record.state, RecordState::Pending);
    assert_eq!(d.jobs.len(), 1);
    assert_eq!(d.jobs[0].state, JobState::Waiting);
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(
        s.processor.seen_count(),
        0,
        "nothing runs without the invoice"
    );

    let o = s.engine.enqueue_order(&simple(9)).unwrap();
    assert_eq!(o.record_id, p.record_id);
    assert_eq!(o.state, ReceiptState::Pending);
    wait_until("invoice and payment done", || {
        state_of(&s.engine, o.record_id) == RecordState::Synced
            && s.processor.seen_for(9).len() == 2
    });
    let seen = s.processor.seen_for(9);
    assert_eq!(seen[0].kind, JobKind::SyncOrder);
    assert_eq!(seen[1].kind, JobKind::RecordPayment);
    assert_eq!(seen[1].invoice_number, Some(100_009));
    assert_eq!(
        seen[1].payment.as_ref().unwrap().amount.to_string(),
        "104.99"
    );
    let notes: Vec<String> = s
        .engine
        .poll_outcomes(100)
        .unwrap()
        .into_iter()
        .filter_map(|o| o.note)
        .collect();
    assert!(notes
        .iter()
        .any(|n| n == "Payment of 104.99 recorded on KashFlow invoice 100009"));

    // A payment for an order already invoiced runs straight away.
    let p2 = s.engine.enqueue_event(&paid_event(9, "1.00")).unwrap();
    assert_eq!(p2.state, ReceiptState::Pending);
    assert!(p2.message.is_none());
    wait_until("second payment done", || s.processor.seen_for(9).len() == 3);
}

#[test]
fn bad_events_are_refused_with_the_field_named() {
    let s = setup_with(TestProcessor::new(), 1);
    let e = s
        .engine
        .enqueue_event(br#"{"Kind":"OrderPaid","OrderId":3,"Amount":"lots","PaidDateUtc":"2026-05-01T10:00:00Z"}"#)
        .unwrap_err();
    assert_eq!(e.code(), "InvalidDocument");
    assert_eq!(e.to_doc().path.as_deref(), Some("Amount"));
    assert_eq!(s.engine.status_counts().unwrap().total, 0);
}
