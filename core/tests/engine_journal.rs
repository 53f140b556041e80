//! The journal file itself: enqueues survive the process being killed, old schema versions are
//! upgraded in place (and newer ones refused), and many threads enqueue at once with no loss and no
//! duplicates.

mod engine_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine_support::*;
use kashflow_sync::engine::journal::schema;
use kashflow_sync::engine::{
    Engine, EngineConfig, EngineOptions, JournalDurability, ManualClock, ReceiptState, RecordQuery,
    RecordState,
};
use rusqlite::Connection;

const CHILD_ENV: &str = "KFS_TEST_ABORT_CHILD_JOURNAL_DIR";
const CHILD_DURABILITY_ENV: &str = "KFS_TEST_ABORT_CHILD_DURABILITY";

fn durable_config(dir: &std::path::Path, durability: JournalDurability) -> EngineConfig {
    let mut c = config(dir);
    c.journal_durability = durability;
    c
}

/// Both durability modes keep every acknowledged enqueue when the process is killed (`Normal`
/// gives up only power-loss durability, which a test cannot simulate).
#[test]
fn enqueued_orders_survive_the_process_being_killed() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        // Child: enqueue, then die without any shutdown (jobs may be mid-attempt).
        let durability = match std::env::var(CHILD_DURABILITY_ENV).as_deref() {
            Ok("Normal") => JournalDurability::Normal,
            _ => JournalDurability::Full,
        };
        let rt = runtime();
        let engine = Engine::start_with(
            durable_config(std::path::Path::new(&dir), durability),
            rt.handle().clone(),
            None,
            EngineOptions {
                lease: Duration::from_millis(300),
                ..options(TestProcessor::with(|_| Step::Hang), None)
            },
        )
        .unwrap();
        for i in 1..=5 {
            assert_eq!(
                engine.enqueue_order(&simple(i)).unwrap().state,
                ReceiptState::Pending
            );
        }
        std::process::abort();
    }
    for durability in [JournalDurability::Full, JournalDurability::Normal] {
        check_survives_kill(durability);
    }
}

fn check_survives_kill(durability: JournalDurability) {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "enqueued_orders_survive_the_process_being_killed",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .env(CHILD_DURABILITY_ENV, format!("{durability:?}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the {durability:?} child was killed");

    let rt = runtime();
    let processor = TestProcessor::new();
    let engine = Engine::start_with(
        durable_config(dir.path(), durability),
        rt.handle().clone(),
        None,
        options(processor.clone(), None),
    )
    .unwrap();
    let page = engine.list_records(&RecordQuery::default()).unwrap();
    assert_eq!(
        page.total, 5,
        "every acknowledged enqueue is in the journal"
    );
    for item in &page.items {
        let d = engine.record_detail(item.record_id).unwrap();
        let expected: serde_json::Value = serde_json::from_slice(&simple(item.order_id)).unwrap();
        assert_eq!(d.snapshot.unwrap(), expected);
    }
    // Jobs the dead process held are taken over once their (short) leases expire.
    wait_until("all five synced", || {
        engine.status_counts().unwrap().synced == 5
    });
    for i in 1..=5 {
        assert_eq!(processor.seen_for(i).len(), 1);
    }
}

#[test]
fn journal_from_schema_v1_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        assert_eq!(schema::migrate_to(&mut conn, 1).unwrap(), 1);
        let snap = simple(10);
        let synced = snapshot(11, "N-11", "2026-04-30T09:00:00Z", 1);
        conn.execute_batch(&format!(
            "INSERT INTO records (id, order_id, custom_order_number, order_created_at, state, snapshot,
                                  snapshot_hash, created_at, updated_at, attempts)
             VALUES (1, 10, 'N-10', {T0}, 'InFlight', NULL, 'h10', {T0}, {T0}, 1),
                    (2, 11, 'N-11', {T0}, 'Synced', NULL, 'h11', {T0}, {T0}, 1);
             UPDATE records SET invoice_number = 100011, customer_code = 'NOP000045' WHERE id = 2;
             INSERT INTO jobs (record_id, kind, serial_key, state, run_at, attempts, lease_owner,
                               lease_expires_at, created_at, updated_at)
             VALUES (1, 'SyncOrder', 'order:10', 'Leased', {T0}, 1, 'old-engine', {lease}, {T0}, {T0}),
                    (2, 'SyncOrder', 'order:11', 'Done', {T0}, 1, NULL, NULL, {T0}, {T0});
             INSERT INTO outcomes (record_id, kind, order_id, order_status, created_at)
             VALUES (2, 'SetOrderStatus', 11, 'Processing', {T0});
             INSERT INTO ledger (kind, key, value, record_id, updated_at)
             VALUES ('OrderInvoice', '11', '100011', 2, {T0});",
            lease = T0 + 60_000
        ))
        .unwrap();
        conn.execute("UPDATE records SET snapshot = ?1 WHERE id = 1", [&snap])
            .unwrap();
        conn.execute("UPDATE records SET snapshot = ?1 WHERE id = 2", [&synced])
            .unwrap();
    }

    let rt = runtime();
    let clock = Arc::new(ManualClock::new(T0 + 1_000));
    let processor = TestProcessor::new();
    let engine = Engine::start_with(
        config(dir.path()),
        rt.handle().clone(),
        None,
        options(processor.clone(), Some(clock.clone())),
    )
    .unwrap();
    {
        let conn = Connection::open(&path).unwrap();
        assert_eq!(
            schema::user_version(&conn).unwrap(),
            schema::current_version()
        );
        assert_eq!(schema::current_version(), 4);
    }
    // v1 data reads back through the v2 engine.
    let synced = engine.record_detail(2).unwrap();
    assert_eq!(synced.record.state, RecordState::Synced);
    assert_eq!(synced.record.invoice_number, Some(100_011));
    assert_eq!(synced.synced_snapshot_hash.as_deref(), Some("h11"));
    assert!(!synced.record.needs_credit_note);
    // Outcomes come from the active worker only: once this engine holds the lease.
    wait_until("the worker lease", || engine.is_active_worker());
    assert_eq!(engine.poll_outcomes(10).unwrap().len(), 1);
    // The job the old version had in flight is marked "check before writing"...
    let inflight = engine.record_detail(1).unwrap();
    assert!(inflight.jobs[0].outcome_unknown);
    // ...and is taken over once the old lease expires.
    clock.advance_ms(60_000);
    wait_until("order 10 synced", || {
        engine.record_detail(1).unwrap().record.state == RecordState::Synced
    });
    let seen = processor.seen_for(10);
    assert_eq!(seen.len(), 1);
    assert!(seen[0].outcome_unknown);
    assert_eq!(seen[0].attempt, 2);
    // New v2 features work on the upgraded file.
    engine
        .enqueue_event(br#"{"Kind":"OrderRefunded","OrderId":11,"Amount":"2.50"}"#)
        .unwrap();
    let credits = engine.record_detail(2).unwrap().record.credit_notes;
    assert_eq!(credits.len(), 1, "{credits:?}");
    assert_eq!(credits[0].cause, "Refund");
}

#[test]
fn journal_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(dir.path().join("journal.db")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let rt = runtime();
    let err = Engine::start_with(
        config(dir.path()),
        rt.handle().clone(),
        None,
        options(TestProcessor::new(), None),
    )
    .err()
    .expect("refused");
    assert_eq!(err.code(), "Journal");
    assert!(err.to_string().contains("newer version"), "{err}");
}

#[test]
fn sixteen_threads_enqueue_with_no_loss_and_no_duplicates() {
    const THREADS: i64 = 16;
    const PER_THREAD: i64 = 200;
    const SHARED: i64 = 10;
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let processor = TestProcessor::new();
    // Eight workers race to claim while sixteen threads enqueue.
    let mut cfg = config(dir.path());
    cfg.workers = 8;
    let engine = Arc::new(
        Engine::start_with(
            cfg,
            rt.handle().clone(),
            None,
            options(processor.clone(), None),
        )
        .unwrap(),
    );
    let receipts: Arc<Mutex<Vec<(i64, ReceiptState)>>> = Arc::default();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let engine = engine.clone();
            let receipts = receipts.clone();
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    // Own orders, plus every thread racing on the same few shared orders.
                    let order = if i % 20 == 0 {
                        1_000_000 + (i / 20) % SHARED
                    } else {
                        t * PER_THREAD + i + 1
                    };
                    let r = engine
                        .enqueue_order(&snapshot(
                            order,
                            &format!("N-{order}"),
                            "2026-05-01T10:00:00Z",
                            10,
                        ))
                        .unwrap();
                    assert_eq!(r.order_id, order);
                    receipts.lock().unwrap().push((order, r.state));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let receipts = receipts.lock().unwrap();
    assert_eq!(receipts.len() as i64, THREADS * PER_THREAD);
    let mut pending: HashMap<i64, usize> = HashMap::new();
    for (order, state) in receipts.iter() {
        match state {
            ReceiptState::Pending => *pending.entry(*order).or_default() += 1,
            ReceiptState::Unchanged => assert!(*order >= 1_000_000),
            other => panic!("unexpected receipt {other:?} for {order}"),
        }
    }
    let own = THREADS * PER_THREAD - THREADS * (PER_THREAD / 20);
    assert_eq!(pending.len() as i64, own + SHARED, "every order filed");
    assert!(
        pending.values().all(|n| *n == 1),
        "each order filed exactly once"
    );

    wait_until("everything synced", || {
        engine.status_counts().unwrap().synced == (own + SHARED) as u64
    });
    let mut posts: HashMap<i64, usize> = HashMap::new();
    for s in processor.seen() {
        *posts.entry(s.order_id.unwrap()).or_default() += 1;
    }
    assert_eq!(posts.len() as i64, own + SHARED);
    assert!(posts.values().all(|n| *n == 1), "no order posted twice");

    let conn = Connection::open(dir.path().join("journal.db")).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM records"), own + SHARED);
    assert_eq!(count("SELECT COUNT(*) FROM jobs"), own + SHARED);
    assert_eq!(
        count("SELECT COUNT(*) FROM (SELECT order_id FROM records GROUP BY order_id HAVING COUNT(*) > 1)"),
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM ledger WHERE kind = 'OrderInvoice'"),
        own + SHARED
    );
}
