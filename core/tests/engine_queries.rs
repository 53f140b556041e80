//! The admin's view of the journal: the sync log with its filters and paging, a record's full
//! detail, and the counts by state.

mod engine_support;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use engine_support::*;
use kashflow_sync::engine::{
    AttemptResult, Engine, JobState, ManualClock, RecordQuery, RecordState,
};
use serde_json::json;

/// 30 orders over three days: ids 1..=30, numbers "2026-000ID", day = (id-1)/10.
/// Orders 3, 13, 23 fail permanently; the rest sync.
fn populated() -> (
    tempfile::TempDir,
    tokio::runtime::Runtime,
    Engine,
    Arc<TestProcessor>,
) {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let processor = TestProcessor::with(|s| {
        if s.order_id.is_some_and(|id| id % 10 == 3) {
            dead(
                "UnknownProduct",
                "SKU TEA-TIN has no KashFlow product",
                Some("Items[1].Sku"),
            )
        } else {
            Step::Result(default_result(s))
        }
    });
    let engine = Engine::start_with(
        config(dir.path()),
        rt.handle().clone(),
        None,
        options(processor.clone(), None),
    )
    .unwrap();
    for id in 1..=30i64 {
        let day = 1 + (id - 1) / 10;
        let created = format!("2026-05-0{day}T{:02}:00:00Z", 8 + (id % 10));
        engine
            .enqueue_order(&snapshot(id, &format!("2026-{id:05}"), &created, 3))
            .unwrap();
    }
    wait_until("all processed", || {
        let c = engine.status_counts().unwrap();
        c.synced == 27 && c.failed == 3
    });
    (dir, rt, engine, processor)
}

#[test]
fn sync_log_filters_and_pages() {
    let (_dir, _rt, engine, _p) = populated();
    let all = engine.list_records(&RecordQuery::default()).unwrap();
    assert_eq!(all.total, 30);
    assert_eq!(all.items.len(), 30);
    assert_eq!(all.items[0].order_id, 30, "newest first");

    let page2 = engine
        .list_records(&RecordQuery {
            page: 2,
            page_size: 12,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page2.total, 30);
    let ids: Vec<i64> = page2.items.iter().map(|r| r.order_id).collect();
    assert_eq!(ids, (7..=18).rev().collect::<Vec<_>>());
    let page3 = engine
        .list_records(&RecordQuery {
            page: 3,
            page_size: 12,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page3.items.len(), 6);

    let failed = engine
        .list_records(&RecordQuery {
            states: vec![RecordState::Failed],
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<i64> = failed.items.iter().map(|r| r.order_id).collect();
    assert_eq!(ids, vec![23, 13, 3]);
    assert_eq!(
        failed.items[0].last_error.as_ref().unwrap().code,
        "UnknownProduct"
    );
    let both = engine
        .list_records(&RecordQuery {
            states: vec![RecordState::Failed, RecordState::Synced],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(both.total, 30);

    // Order date range: day 2 only (ids 11..=20), then a half-open range inside day 2.
    let day2 = engine
        .list_records(&RecordQuery {
            from_utc: Some(Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap()),
            to_utc: Some(Utc.with_ymd_and_hms(2026, 5, 3, 0, 0, 0).unwrap()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(day2.total, 10);
    assert!(day2.items.iter().all(|r| (11..=20).contains(&r.order_id)));
    let morning = engine
        .list_records(&RecordQuery {
            from_utc: Some(Utc.with_ymd_and_hms(2026, 5, 2, 9, 0, 0).unwrap()),
            to_utc: Some(Utc.with_ymd_and_hms(2026, 5, 2, 12, 0, 0).unwrap()),
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<i64> = morning.items.iter().map(|r| r.order_id).collect();
    assert_eq!(ids, vec![13, 12, 11], "hours 09, 10, 11 of day 2");

    // Search by order number substring and by id.
    let by_number = engine
        .list_records(&RecordQuery {
            search: Some("-0002".into()),
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<i64> = by_number.items.iter().map(|r| r.order_id).collect();
    assert_eq!(ids, (20..=29).rev().collect::<Vec<_>>());
    let by_id = engine
        .list_records(&RecordQuery {
            search: Some("7".into()),
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<i64> = by_id.items.iter().map(|r| r.order_id).collect();
    assert_eq!(ids, vec![27, 17, 7]);
    let wildcard = engine
        .list_records(&RecordQuery {
            search: Some("%".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        wildcard.total, 0,
        "LIKE wildcards in the search are literal"
    );

    // Combined filters.
    let combo = engine
        .list_records(&RecordQuery {
            states: vec![RecordState::Failed],
            from_utc: Some(Utc.with_ymd_and_hms(2026, 5, 2, 0, 0, 0).unwrap()),
            search: Some("2026-".into()),
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<i64> = combo.items.iter().map(|r| r.order_id).collect();
    assert_eq!(ids, vec![23, 13]);

    // Which of these store orders does the journal know? (the host's catch-up asks this)
    let known = engine
        .list_records(&RecordQuery {
            order_ids: vec![5, 13, 31, 999, -1],
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<i64> = known.items.iter().map(|r| r.order_id).collect();
    assert_eq!(ids, vec![13, 5], "only journalled ids come back");
    let known_failed = engine
        .list_records(&RecordQuery {
            order_ids: vec![3, 4, 13],
            states: vec![RecordState::Failed],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(known_failed.total, 2, "ids combine with the other filters");
    let e = engine
        .list_records(&RecordQuery {
            order_ids: (1..=501).collect(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.path(), Some("OrderIds"));
    assert!(e.to_string().contains("501"), "{e}");
    let parsed = RecordQuery::from_json(br#"{"OrderIds":[7,8],"PageSize":500}"#).unwrap();
    assert_eq!(parsed.order_ids, vec![7, 8]);

    // Bad paging is an error naming the field.
    let e = engine
        .list_records(&RecordQuery {
            page_size: 501,
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.path(), Some("PageSize"));
    let e = engine
        .list_records(&RecordQuery {
            page: 0,
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.path(), Some("Page"));
    // The query document the ffi passes in.
    let q = RecordQuery::from_json(br#"{"States":["Failed"],"Search":"2026-0001","PageSize":5}"#)
        .unwrap();
    let ids: Vec<i64> = engine
        .list_records(&q)
        .unwrap()
        .items
        .iter()
        .map(|r| r.order_id)
        .collect();
    assert_eq!(ids, vec![13]);
}

#[test]
fn record_detail_shows_snapshot_mapping_attempts_refs_and_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let clock = Arc::new(ManualClock::new(T0));
    let processor = TestProcessor::with(|s| {
        if s.attempt == 1 {
            retry(
                "ServiceUnavailable",
                Some(std::time::Duration::from_secs(10)),
            )
        } else {
            Step::Result(default_result(s))
        }
    });
    let engine = Engine::start_with(
        config(dir.path()),
        rt.handle().clone(),
        None,
        options(processor, Some(clock.clone())),
    )
    .unwrap();
    let snap = snapshot(45, "2026-00045", "2026-05-01T09:30:00Z", 10);
    assert!(
        snap.len() > 3_500,
        "a realistic 10-line snapshot is ~4 KB ({})",
        snap.len()
    );
    let r = engine.enqueue_order(&snap).unwrap();
    wait_until("first attempt failed", || {
        engine.record_detail(r.record_id).unwrap().record.state == RecordState::Retrying
    });
    clock.advance_ms(10_000);
    wait_until("synced", || {
        engine.record_detail(r.record_id).unwrap().record.state == RecordState::Synced
    });
    engine
        .enqueue_event(br#"{"Kind":"OrderRefunded","OrderId":45,"Amount":"3.20"}"#)
        .unwrap();
    // This processor retries every job's first attempt after 10 s.
    wait_until("credit note posted", || {
        clock.advance_ms(10_000);
        engine
            .record_detail(r.record_id)
            .unwrap()
            .record
            .credit_notes[0]
            .state
            == JobState::Done
    });

    let d = engine.record_detail(r.record_id).unwrap();
    assert_eq!(d.record.order_id, 45);
    assert_eq!(d.record.custom_order_number.as_deref(), Some("2026-00045"));
    assert_eq!(
        d.record.order_created_utc,
        Some(Utc.with_ymd_and_hms(2026, 5, 1, 9, 30, 0).unwrap())
    );
    assert_eq!(d.record.invoice_number, Some(100_045));
    assert_eq!(d.record.customer_code.as_deref(), Some("NOP000045"));
    assert_eq!(d.record.attempts, 4);
    assert!(d.record.last_error.is_none());
    assert!(
        !d.record.needs_credit_note,
        "a refund is a credit-note job, not a flag"
    );
    assert_eq!(d.record.credit_notes.len(), 1);
    assert_eq!(
        d.record.credit_notes[0].requested_amount,
        Some("3.20".parse().unwrap())
    );
    assert_eq!(
        d.snapshot.unwrap(),
        serde_json::from_slice::<serde_json::Value>(&snap).unwrap()
    );
    assert_eq!(d.snapshot_hash, d.synced_snapshot_hash);
    assert_eq!(d.snapshot_hash.as_ref().unwrap().len(), 32);
    assert_eq!(d.mapped_invoice.unwrap()["InvoiceNumber"], json!(100_045));

    assert_eq!(d.jobs.len(), 2);
    assert_eq!(d.jobs[0].state, JobState::Done);
    assert_eq!(d.jobs[0].kind, "SyncOrder");
    assert_eq!(d.jobs[1].kind, "PostCreditNote");
    assert_eq!(d.record.state, RecordState::Synced);

    assert_eq!(
        d.attempts.len(),
        4,
        "two for the invoice, two for the credit note"
    );
    assert_eq!(d.attempts[0].result, AttemptResult::Retry);
    assert_eq!(
        d.attempts[0].error.as_ref().unwrap().code,
        "ServiceUnavailable"
    );
    assert_eq!(d.attempts[0].started_utc.timestamp_millis(), T0);
    assert_eq!(d.attempts[0].calls[0].status, Some(503));
    assert_eq!(d.attempts[1].result, AttemptResult::Done);
    assert_eq!(d.attempts[1].calls[0].status, Some(201));

    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].kind, "OrderRefunded");
    assert_eq!(d.events[0].document["Amount"], json!("3.20"));

    assert_eq!(d.outcomes.len(), 3);
    assert!(d.outcomes.iter().all(|o| !o.acked));
    let ids: Vec<i64> = d.outcomes.iter().map(|o| o.outcome.id).collect();
    engine.ack_outcomes(&ids).unwrap();
    assert!(engine
        .record_detail(r.record_id)
        .unwrap()
        .outcomes
        .iter()
        .all(|o| o.acked));

    // The whole document serialises as PascalCase JSON for the admin page.
    let doc = serde_json::to_value(engine.record_detail(r.record_id).unwrap()).unwrap();
    assert_eq!(doc["Record"]["InvoiceNumber"], json!(100_045));
    assert_eq!(doc["Attempts"][0]["Calls"][0]["Method"], json!("POST"));
    assert_eq!(engine.record_detail(9_999).unwrap_err().code(), "NotFound");
}

#[test]
fn counts_by_state() {
    let (_dir, _rt, engine, _p) = populated();
    engine
        .enqueue_event(br#"{"Kind":"OrderCancelled","OrderId":31}"#)
        .unwrap();
    let c = engine.status_counts().unwrap();
    assert_eq!(
        (
            c.synced,
            c.failed,
            c.cancelled,
            c.pending,
            c.in_flight,
            c.retrying,
            c.total
        ),
        (27, 3, 1, 0, 0, 0, 31)
    );
    assert_eq!(
        c.outcomes_pending,
        27 * 2 + 3,
        "two per synced order, a note per failure"
    );
    assert_eq!(c.circuit, "Closed");
    let doc = serde_json::to_value(&c).unwrap();
    assert_eq!(doc["InFlight"], json!(0));
    assert_eq!(doc["OutcomesPending"], json!(57));
}
