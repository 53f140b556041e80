//! Enqueue rules, applied inside one journal transaction:
//!
//! * a snapshot of an unknown order creates its record and a `SyncOrder` job;
//! * the same snapshot again is `Unchanged` (never posted twice);
//! * a different snapshot of an order not yet synced replaces the stored one (`Replaced`);
//! * a snapshot of an order already synced (or cancelled) is `Unchanged`, and logged;
//! * a broken snapshot is filed as `Failed` with its parse error, never dropped;
//! * `OrderPaid` adds a `RecordPayment` job that waits until the invoice exists;
//! * `OrderCancelled` / `OrderVoided` before the invoice is posted cancels the order; after, adds
//!   a `PostCreditNote` job for the whole invoice (once per order and cause). While the order's
//!   `SyncOrder` job is Leased it sets `records.cancel_requested` instead: an attempt that has sent
//!   nothing yet stops before its first KashFlow request (`JobContext::may_call_kashflow`), and
//!   every way an attempt ends without posting (finish, shutdown release, reclaim of an expired
//!   lease) cancels the order through `jobs::honour_cancel_request`; one that posts queues the
//!   credit note;
//! * `OrderRefunded` adds a `PostCreditNote` job (once per refund: amount + date), which waits for
//!   the invoice if it does not exist yet; an order cancelled before posting needs none.

use crate::mapping::text::quote;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::jobs::refresh_record;
use super::Journal;
use crate::engine::error::{EngineError, ErrorDoc};
use chrono::{DateTime, Utc};

use crate::engine::events::{CreditCause, CreditRequest, OrderEvent, RefundEvent};
use crate::engine::header::{json_hash, Peek};
use crate::engine::log::LogLevel;
use crate::engine::model::{ms_to_utc, EnqueueReceipt, JobKind, JobState, ReceiptState};

/// A receipt plus the line the engine should log about it, if any.
#[derive(Debug, Clone)]
pub(crate) struct EnqueueResult {
    pub receipt: EnqueueReceipt,
    pub log: Option<(LogLevel, String)>,
}

struct RecordRow {
    id: i64,
    has_snapshot: bool,
    snapshot_hash: Option<String>,
    cancelled: bool,
    invoice_number: Option<i64>,
    custom_order_number: Option<String>,
}

struct SyncJobRow {
    id: i64,
    state: String,
    outcome_unknown: bool,
}

pub(crate) fn serial_key_for_order(order_id: i64) -> String {
    format!("order:{order_id}")
}

fn find_record(conn: &Connection, order_id: i64) -> Result<Option<RecordRow>, EngineError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, snapshot IS NOT NULL, snapshot_hash, cancelled, invoice_number, custom_order_number
             FROM records WHERE order_id = ?1",
        )?
        .query_row([order_id], |r| {
            Ok(RecordRow {
                id: r.get(0)?,
                has_snapshot: r.get(1)?,
                snapshot_hash: r.get(2)?,
                cancelled: r.get(3)?,
                invoice_number: r.get(4)?,
                custom_order_number: r.get(5)?,
            })
        })
        .optional()?)
}

fn find_sync_job(conn: &Connection, record_id: i64) -> Result<Option<SyncJobRow>, EngineError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, state, outcome_unknown FROM jobs
             WHERE record_id = ?1 AND kind = 'SyncOrder' ORDER BY id DESC LIMIT 1",
        )?
        .query_row([record_id], |r| {
            Ok(SyncJobRow {
                id: r.get(0)?,
                state: r.get(1)?,
                outcome_unknown: r.get(2)?,
            })
        })
        .optional()?)
}

fn insert_placeholder(conn: &Connection, order_id: i64, now: i64) -> Result<i64, EngineError> {
    conn.prepare_cached(
        "INSERT INTO records (order_id, state, created_at, updated_at) VALUES (?1, 'Pending', ?2, ?2)",
    )?
    .execute(params![order_id, now])?;
    Ok(conn.last_insert_rowid())
}

/// A job row to insert.
struct NewJob<'a> {
    record_id: Option<i64>,
    kind: JobKind,
    serial_key: &'a str,
    payload: Option<&'a str>,
    dedupe_key: Option<&'a str>,
    state: JobState,
    error: Option<&'a ErrorDoc>,
}

fn insert_job(conn: &Connection, job: NewJob<'_>, now: i64) -> Result<i64, EngineError> {
    conn.prepare_cached(
        "INSERT INTO jobs (record_id, kind, serial_key, payload, dedupe_key, state, run_at,
                           last_error_code, last_error_message, last_error_path, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?7, ?7)",
    )?
    .execute(params![
        job.record_id,
        job.kind.as_str(),
        job.serial_key,
        job.payload,
        job.dedupe_key,
        job.state.as_str(),
        now,
        job.error.map(|e| e.code.as_str()),
        job.error.map(|e| e.message.as_str()),
        job.error.and_then(|e| e.path.as_deref()),
    ])?;
    Ok(conn.last_insert_rowid())
}

fn set_record_error(
    conn: &Connection,
    record_id: i64,
    error: Option<&ErrorDoc>,
) -> Result<(), EngineError> {
    conn.prepare_cached(
        "UPDATE records SET last_error_code = ?2, last_error_message = ?3, last_error_path = ?4
         WHERE id = ?1",
    )?
    .execute(params![
        record_id,
        error.map(|e| e.code.as_str()),
        error.map(|e| e.message.as_str()),
        error.and_then(|e| e.path.as_deref()),
    ])?;
    Ok(())
}

pub(super) fn flag_credit_note(
    conn: &Connection,
    record_id: i64,
    reason: &str,
) -> Result<(), EngineError> {
    conn.prepare_cached(
        "UPDATE records SET needs_credit_note = 1,
            credit_note_reason = CASE WHEN credit_note_reason IS NULL OR credit_note_reason = ''
                                      THEN ?2 ELSE credit_note_reason || '; ' || ?2 END
         WHERE id = ?1",
    )?
    .execute(params![record_id, reason])?;
    Ok(())
}

pub(super) fn cancel_record(
    conn: &Connection,
    record_id: i64,
    now: i64,
) -> Result<(), EngineError> {
    conn.prepare_cached(
        "UPDATE jobs SET state = 'Cancelled', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?2
         WHERE record_id = ?1 AND state IN ('Queued', 'Waiting', 'Dead')",
    )?
    .execute(params![record_id, now])?;
    conn.prepare_cached("UPDATE records SET cancelled = 1, cancel_requested = 0 WHERE id = ?1")?
        .execute([record_id])?;
    Ok(())
}

/// Queue a `PostCreditNote` job for `req` (its `seq` is given here: the order's next). Returns
/// the job's seq. `posted`: the invoice exists, so it can run now; otherwise it waits for it.
pub(super) fn queue_credit_note(
    conn: &Connection,
    record_id: i64,
    mut req: CreditRequest,
    dedupe: &str,
    posted: bool,
    held: bool,
    now: i64,
) -> Result<u32, EngineError> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM jobs WHERE record_id = ?1 AND kind = 'PostCreditNote'",
        )?
        .query_row([record_id], |r| r.get(0))?;
    req.seq = n.max(0) as u32 + 1;
    insert_job(
        conn,
        NewJob {
            record_id: Some(record_id),
            kind: JobKind::PostCreditNote,
            serial_key: &serial_key_for_order(req.order_id),
            payload: Some(&req.to_value().to_string()),
            dedupe_key: Some(dedupe),
            state: if held {
                JobState::Held
            } else if posted {
                JobState::Queued
            } else {
                JobState::Waiting
            },
            error: None,
        },
        now,
    )?;
    Ok(req.seq)
}

fn dedupe_exists(conn: &Connection, dedupe: &str) -> Result<bool, EngineError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM jobs WHERE dedupe_key = ?1)")?
        .query_row([dedupe], |r| r.get(0))?)
}

/// The credit note a cancellation or void after posting asks for.
pub(super) fn whole_order_credit(
    order_id: i64,
    cause: CreditCause,
    date: Option<DateTime<Utc>>,
    now: i64,
) -> (CreditRequest, String) {
    let dedupe = format!("CreditNote:{order_id}:{}", cause.as_str());
    let event = match cause {
        CreditCause::Void => OrderEvent::Voided {
            order_id,
            date_utc: date,
        },
        _ => OrderEvent::Cancelled {
            order_id,
            date_utc: date,
        },
    };
    let req = CreditRequest::for_event(&event, ms_to_utc(now)).expect("a whole-order credit");
    (req, dedupe)
}

fn order_label(order_id: i64, custom: Option<&str>) -> String {
    match custom {
        Some(c) if !c.is_empty() => format!("order {c} (id {order_id})"),
        _ => format!("order id {order_id}"),
    }
}

fn enqueue_order_tx(
    conn: &Connection,
    bytes: &[u8],
    peek: &Peek,
    now: i64,
) -> Result<EnqueueResult, EngineError> {
    let order_id = peek.key_order_id;
    let (custom, created_at) = match &peek.header {
        Ok(h) => (
            Some(h.custom_order_number.clone()),
            Some(h.created_on_utc.timestamp_millis()),
        ),
        Err(_) => (None, None),
    };
    let header_error = peek.header.as_ref().err().map(EngineError::to_doc);
    let receipt = |record_id, state, message: Option<String>| EnqueueReceipt {
        record_id,
        order_id,
        state,
        message,
    };

    let existing = find_record(conn, order_id)?;
    let (record_id, was_placeholder) = match &existing {
        None => (None, false),
        Some(r) => (Some(r.id), !r.has_snapshot),
    };

    if let Some(r) = &existing {
        let label = order_label(
            order_id,
            r.custom_order_number.as_deref().or(custom.as_deref()),
        );
        if r.snapshot_hash.as_deref() == Some(peek.hash.as_str()) {
            return Ok(EnqueueResult {
                receipt: receipt(
                    r.id,
                    ReceiptState::Unchanged,
                    Some("this snapshot is already in the journal".into()),
                ),
                log: None,
            });
        }
        if r.cancelled {
            let msg = format!(
                "{label} was cancelled before its invoice was posted; the new snapshot is ignored"
            );
            return Ok(EnqueueResult {
                receipt: receipt(r.id, ReceiptState::Unchanged, Some(msg.clone())),
                log: Some((LogLevel::Info, msg)),
            });
        }
        let sync = find_sync_job(conn, r.id)?;
        if sync.as_ref().map(|s| s.state.as_str()) == Some("Done") {
            let msg = match r.invoice_number {
                Some(n) => format!(
                    "{label} is already synced to KashFlow invoice {n}; changes made after posting are not sent (refunds and cancellations become credit notes)"
                ),
                None => format!(
                    "{label} is already synced; changes made after posting are not sent"
                ),
            };
            return Ok(EnqueueResult {
                receipt: receipt(r.id, ReceiptState::Unchanged, Some(msg.clone())),
                log: Some((LogLevel::Warn, msg)),
            });
        }
    }

    // New, placeholder (events came first) or not yet synced: store this snapshot.
    let record_id = match record_id {
        Some(id) => {
            conn.prepare_cached(
                "UPDATE records SET snapshot = ?2, snapshot_hash = ?3,
                    custom_order_number = COALESCE(?4, custom_order_number),
                    order_created_at = COALESCE(?5, order_created_at),
                    mapped_invoice = NULL, updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![id, bytes, peek.hash, custom, created_at, now])?;
            id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO records (order_id, custom_order_number, order_created_at, state, snapshot,
                                      snapshot_hash, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'Pending', ?4, ?5, ?6, ?6)",
            )?
            .execute(params![order_id, custom, created_at, bytes, peek.hash, now])?;
            conn.last_insert_rowid()
        }
    };

    let mut in_flight = false;
    let job_state = if header_error.is_some() {
        JobState::Dead
    } else {
        JobState::Queued
    };
    match find_sync_job(conn, record_id)? {
        None => {
            insert_job(
                conn,
                NewJob {
                    record_id: Some(record_id),
                    kind: JobKind::SyncOrder,
                    serial_key: &serial_key_for_order(order_id),
                    payload: None,
                    dedupe_key: None,
                    state: job_state,
                    error: header_error.as_ref(),
                },
                now,
            )?;
        }
        Some(job) if job.state == "Leased" => in_flight = true,
        Some(job) => {
            conn.prepare_cached(
                "UPDATE jobs SET state = ?2, run_at = ?3, attempts = 0,
                    last_error_code = ?4, last_error_message = ?5, last_error_path = ?6, updated_at = ?3
                 WHERE id = ?1",
            )?
            .execute(params![
                job.id,
                job_state.as_str(),
                now,
                header_error.as_ref().map(|e| e.code.as_str()),
                header_error.as_ref().map(|e| e.message.as_str()),
                header_error.as_ref().and_then(|e| e.path.as_deref()),
            ])?;
        }
    }
    set_record_error(conn, record_id, header_error.as_ref())?;
    refresh_record(conn, record_id, now)?;

    let label = order_label(order_id, custom.as_deref());
    let result = match (&header_error, existing.is_some() && !was_placeholder) {
        (Some(e), _) => EnqueueResult {
            receipt: receipt(record_id, ReceiptState::Failed, Some(e.message.clone())),
            log: Some((
                LogLevel::Error,
                format!(
                    "the snapshot of {label} cannot be read and was filed as Failed: {}",
                    quote(&e.to_string())
                ),
            )),
        },
        (None, true) => {
            let msg = if in_flight {
                "replaced the stored snapshot while an attempt is running; the newer snapshot is used if that attempt does not complete".to_string()
            } else {
                "replaced the stored snapshot of an order not yet synced".to_string()
            };
            EnqueueResult {
                receipt: receipt(record_id, ReceiptState::Replaced, Some(msg)),
                log: Some((LogLevel::Info, format!("{label}: newer snapshot received"))),
            }
        }
        (None, false) => EnqueueResult {
            receipt: receipt(record_id, ReceiptState::Pending, None),
            log: None,
        },
    };
    Ok(result)
}

fn enqueue_event_tx(
    conn: &Connection,
    event: &OrderEvent,
    hold_partial: bool,
    now: i64,
) -> Result<EnqueueResult, EngineError> {
    let order_id = event.order_id();
    let doc = event.to_value();
    let doc_text = doc.to_string();
    let (record, existed) = match find_record(conn, order_id)? {
        Some(r) => (r, true),
        None => {
            let id = insert_placeholder(conn, order_id, now)?;
            (
                RecordRow {
                    id,
                    has_snapshot: false,
                    snapshot_hash: None,
                    cancelled: false,
                    invoice_number: None,
                    custom_order_number: None,
                },
                false,
            )
        }
    };
    let label = order_label(order_id, record.custom_order_number.as_deref());
    let receipt = |state, message: Option<String>| EnqueueReceipt {
        record_id: record.id,
        order_id,
        state,
        message,
    };
    let sync = find_sync_job(conn, record.id)?;
    let sync_state = sync.as_ref().map(|s| s.state.as_str());
    let posted = record.invoice_number.is_some() || sync_state == Some("Done");

    let result = match event {
        OrderEvent::Paid(p) => {
            let dedupe = format!("RecordPayment:{order_id}:{:032x}", json_hash(&doc));
            let exists: bool = conn
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM jobs WHERE dedupe_key = ?1)")?
                .query_row([&dedupe], |r| r.get(0))?;
            if exists {
                return Ok(EnqueueResult {
                    receipt: receipt(
                        ReceiptState::Unchanged,
                        Some("this payment is already in the journal".into()),
                    ),
                    log: None,
                });
            }
            log_event(conn, record.id, order_id, event.kind_name(), &doc_text, now)?;
            wake_invoice(conn, record.id, now)?;
            if record.cancelled {
                let msg = format!(
                    "{label} was cancelled before its invoice was posted; the payment of {} is not recorded in KashFlow",
                    p.amount
                );
                EnqueueResult {
                    receipt: receipt(ReceiptState::Unchanged, Some(msg.clone())),
                    log: Some((LogLevel::Warn, msg)),
                }
            } else {
                let state = if posted {
                    JobState::Queued
                } else {
                    JobState::Waiting
                };
                insert_job(
                    conn,
                    NewJob {
                        record_id: Some(record.id),
                        kind: JobKind::RecordPayment,
                        serial_key: &serial_key_for_order(order_id),
                        payload: Some(&p.to_value().to_string()),
                        dedupe_key: Some(&dedupe),
                        state,
                        error: None,
                    },
                    now,
                )?;
                let msg = (!posted)
                    .then(|| "the payment will be recorded once the invoice exists".to_string());
                EnqueueResult {
                    receipt: receipt(ReceiptState::Pending, msg),
                    log: None,
                }
            }
        }
        OrderEvent::Cancelled { date_utc, .. } | OrderEvent::Voided { date_utc, .. } => {
            let cause = if matches!(event, OrderEvent::Voided { .. }) {
                CreditCause::Void
            } else {
                CreditCause::Cancellation
            };
            let what = if cause == CreditCause::Void {
                "voided"
            } else {
                "cancelled"
            };
            let (req, dedupe) = whole_order_credit(order_id, cause, *date_utc, now);
            if posted && dedupe_exists(conn, &dedupe)? {
                return Ok(EnqueueResult {
                    receipt: receipt(
                        ReceiptState::Unchanged,
                        Some(format!(
                            "the order is already {what}; its credit note is in the journal"
                        )),
                    ),
                    log: None,
                });
            }
            let already_requested: bool = conn
                .prepare_cached("SELECT cancel_requested FROM records WHERE id = ?1")?
                .query_row([record.id], |r| r.get(0))?;
            if !posted && sync_state == Some("Leased") && already_requested {
                // Sent again (a catch-up) while the first one still waits for the attempt.
                return Ok(EnqueueResult {
                    receipt: receipt(
                        ReceiptState::Unchanged,
                        Some(format!("the order is already being {what}")),
                    ),
                    log: None,
                });
            }
            log_event(conn, record.id, order_id, event.kind_name(), &doc_text, now)?;
            if record.cancelled {
                EnqueueResult {
                    receipt: receipt(
                        ReceiptState::Unchanged,
                        Some("the order is already cancelled".into()),
                    ),
                    log: None,
                }
            } else if posted {
                let seq = queue_credit_note(conn, record.id, req, &dedupe, true, false, now)?;
                let reason = match record.invoice_number {
                    Some(n) => format!(
                        "order {what} after KashFlow invoice {n} was posted: credit note {seq} queued"
                    ),
                    None => format!("order {what} after its invoice was posted: credit note {seq} queued"),
                };
                EnqueueResult {
                    receipt: receipt(ReceiptState::Accepted, Some(reason.clone())),
                    log: Some((LogLevel::Info, format!("{label}: {reason}"))),
                }
            } else if sync_state == Some("Leased") {
                conn.prepare_cached("UPDATE records SET cancel_requested = 1 WHERE id = ?1")?
                    .execute([record.id])?;
                let msg = format!("{what} while the invoice is being posted: if that attempt completes a credit note follows, otherwise the order is cancelled");
                EnqueueResult {
                    receipt: receipt(ReceiptState::Accepted, Some(msg.clone())),
                    log: Some((LogLevel::Info, format!("{label}: {msg}"))),
                }
            } else {
                // A retried attempt whose response was lost leaves its mark only in last_error.
                let last_attempt_unknown: bool = conn
                    .prepare_cached(
                        "SELECT COALESCE(last_error_code = 'KashFlowOutcomeUnknown', 0) FROM records WHERE id = ?1",
                    )?
                    .query_row([record.id], |r| r.get(0))?;
                cancel_record(conn, record.id, now)?;
                if last_attempt_unknown || sync.as_ref().is_some_and(|s| s.outcome_unknown) {
                    // An interrupted attempt may have created the invoice: strict means flag it.
                    flag_credit_note(
                        conn,
                        record.id,
                        "order cancelled after an interrupted attempt to post its invoice; check KashFlow for an invoice for this order",
                    )?;
                }
                let msg = if existed {
                    format!(
                        "{what} before its invoice was posted; nothing will be sent to KashFlow"
                    )
                } else {
                    format!("not in the journal yet; marked {what} so it will not be posted")
                };
                EnqueueResult {
                    receipt: receipt(ReceiptState::Cancelled, Some(msg.clone())),
                    log: Some((LogLevel::Info, format!("{label} {msg}"))),
                }
            }
        }
        OrderEvent::Milestone { kind, .. } => {
            let name = kind.wire_name();
            // A milestone happens once: the catch-up sending it again changes nothing.
            let seen: bool = conn
                .prepare_cached(
                    "SELECT EXISTS(SELECT 1 FROM events WHERE record_id = ?1 AND kind = ?2)",
                )?
                .query_row(params![record.id, name], |r| r.get(0))?;
            if seen {
                return Ok(EnqueueResult {
                    receipt: receipt(
                        ReceiptState::Unchanged,
                        Some(format!("{name} is already in the journal")),
                    ),
                    log: None,
                });
            }
            log_event(conn, record.id, order_id, name, &doc_text, now)?;
            let woken = !record.cancelled && wake_invoice(conn, record.id, now)?;
            let msg = if record.cancelled {
                format!("{label} is cancelled; {name} changes nothing")
            } else if woken {
                format!("{name}: the invoice that waited for it is queued")
            } else {
                format!("{name} recorded")
            };
            EnqueueResult {
                receipt: receipt(ReceiptState::Accepted, Some(msg)),
                log: None,
            }
        }
        OrderEvent::CreditRelease {
            seq,
            items,
            restock,
            ..
        } => {
            let job: Option<(i64, String, Option<String>)> = conn
                .prepare_cached(
                    "SELECT id, state, payload FROM jobs
                     WHERE record_id = ?1 AND kind = 'PostCreditNote'
                     ORDER BY id LIMIT 1 OFFSET ?2",
                )?
                .query_row(params![record.id, i64::from(*seq) - 1], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let Some((job_id, state, payload)) = job else {
                return Err(EngineError::invalid_request(format!(
                    "{label} has no credit note {seq}"
                )));
            };
            // A held partial refund, or one that failed (e.g. lines that did not add up).
            if state != JobState::Held.as_str() && state != JobState::Dead.as_str() {
                return Err(EngineError::invalid_request(format!(
                    "credit note {seq} of {label} is {state}; only a held or failed one can be itemised or released"
                )));
            }
            let mut req = payload
                .as_deref()
                .and_then(|p| serde_json::from_str::<Value>(p).ok())
                .map(|v| CreditRequest::from_value(&v))
                .transpose()?
                .ok_or_else(|| EngineError::Journal {
                    message: format!("credit note {seq} of {label} has no request"),
                })?;
            req.items = items.clone();
            req.restock = *restock && !items.is_empty();
            log_event(conn, record.id, order_id, event.kind_name(), &doc_text, now)?;
            conn.prepare_cached(
                "UPDATE jobs SET state = ?2, payload = ?3, run_at = ?4, updated_at = ?4, attempts = 0,
                    last_error_code = NULL, last_error_message = NULL, last_error_path = NULL
                 WHERE id = ?1",
            )?
            .execute(params![
                job_id,
                if posted {
                    JobState::Queued.as_str()
                } else {
                    JobState::Waiting.as_str()
                },
                req.to_value().to_string(),
                now
            ])?;
            let msg = if items.is_empty() {
                format!("credit note {seq} released: spread over the invoice's VAT rates")
            } else {
                format!(
                    "credit note {seq} released: {} invoice line(s)",
                    items.len()
                )
            };
            EnqueueResult {
                receipt: receipt(ReceiptState::Accepted, Some(msg.clone())),
                log: Some((LogLevel::Info, format!("{label}: {msg}"))),
            }
        }
        OrderEvent::Refunded(r) => {
            let dedupe = refund_dedupe(r, &doc);
            if dedupe_exists(conn, &dedupe)? {
                return Ok(EnqueueResult {
                    receipt: receipt(
                        ReceiptState::Unchanged,
                        Some("this refund is already in the journal".into()),
                    ),
                    log: None,
                });
            }
            log_event(conn, record.id, order_id, event.kind_name(), &doc_text, now)?;
            let amount_text = r
                .amount
                .map(|a| a.to_string())
                .unwrap_or_else(|| "the whole order".into());
            if record.cancelled {
                let msg = format!(
                    "{label} was cancelled before its invoice was posted; the refund of {amount_text} needs no credit note"
                );
                EnqueueResult {
                    receipt: receipt(ReceiptState::Unchanged, Some(msg.clone())),
                    log: Some((LogLevel::Info, msg)),
                }
            } else {
                let req = CreditRequest::for_event(event, ms_to_utc(now))
                    .expect("a refund asks for a credit note");
                let held = hold_partial && !req.full;
                let seq = queue_credit_note(conn, record.id, req, &dedupe, posted, held, now)?;
                let msg = if held {
                    format!("refund of {amount_text}: credit note {seq} is held for the admin to itemise or post")
                } else if posted {
                    format!("refund of {amount_text}: credit note {seq} queued")
                } else {
                    format!("refund of {amount_text}: credit note {seq} waits for the invoice")
                };
                EnqueueResult {
                    receipt: receipt(ReceiptState::Accepted, Some(msg.clone())),
                    log: Some((LogLevel::Info, format!("{label}: {msg}"))),
                }
            }
        }
    };
    refresh_record(conn, record.id, now)?;
    Ok(result)
}

/// A job not tied to an order (a customer or product event a flow acts on), unless the same
/// document is already queued or done (the host's catch-up sending it again). True if queued.
fn enqueue_catalogue_tx(
    conn: &Connection,
    kind: JobKind,
    serial_key: &str,
    payload: &str,
    now: i64,
) -> Result<bool, EngineError> {
    let dedupe = format!(
        "{}:{:032x}",
        kind.as_str(),
        json_hash(&serde_json::from_str::<Value>(payload).unwrap_or_default())
    );
    if dedupe_exists(conn, &dedupe)? {
        return Ok(false);
    }
    insert_job(
        conn,
        NewJob {
            record_id: None,
            kind,
            serial_key,
            payload: Some(payload),
            dedupe_key: Some(&dedupe),
            state: JobState::Queued,
            error: None,
        },
        now,
    )?;
    Ok(true)
}

/// An order's invoice job waiting for a flow's trigger (`flows::plan::decide_invoice`) looks
/// again: the event it may have waited for has arrived. True if one was waiting.
fn wake_invoice(conn: &Connection, record_id: i64, now: i64) -> Result<bool, EngineError> {
    Ok(conn
        .prepare_cached(
            "UPDATE jobs SET state = 'Queued', run_at = ?2, updated_at = ?2
             WHERE record_id = ?1 AND kind = 'SyncOrder' AND state = 'Waiting'",
        )?
        .execute(params![record_id, now])?
        > 0)
}

/// One refund is one credit note: the same refund sent again (the catch-up after a crash, a
/// second event) is recognised by its amount and date; without a date, by the whole document.
fn refund_dedupe(r: &RefundEvent, doc: &Value) -> String {
    match (r.amount, r.refund_date_utc) {
        (Some(a), Some(d)) => format!(
            "CreditNote:{}:Refund:{}:{}",
            r.order_id,
            a.normalize(),
            d.timestamp_millis()
        ),
        (None, Some(d)) => format!(
            "CreditNote:{}:Refund:all:{}",
            r.order_id,
            d.timestamp_millis()
        ),
        _ => format!("CreditNote:{}:Refund:{:032x}", r.order_id, json_hash(doc)),
    }
}

fn log_event(
    conn: &Connection,
    record_id: i64,
    order_id: i64,
    kind: &str,
    document: &str,
    now: i64,
) -> Result<(), EngineError> {
    conn.prepare_cached(
        "INSERT INTO events (record_id, order_id, kind, document, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![record_id, order_id, kind, document, now])?;
    Ok(())
}

impl Journal {
    /// File a snapshot (already peeked by the caller, outside the writer thread).
    pub(crate) fn enqueue_order(
        &self,
        bytes: Vec<u8>,
        peek: Peek,
        now: i64,
    ) -> Result<EnqueueResult, EngineError> {
        self.write(move |conn| enqueue_order_tx(conn, &bytes, &peek, now))
    }

    /// `hold_partial`: partial refunds are held for the admin (`Steps.HoldPartialRefunds`).
    /// Queue again every order invoice waiting for a flow's trigger (the flows changed); the
    /// number queued.
    pub(crate) fn wake_awaiting_trigger(&self, now: i64) -> Result<usize, EngineError> {
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(
                    "UPDATE jobs SET state = 'Queued', run_at = ?1, updated_at = ?1
                     WHERE kind = 'SyncOrder' AND state = 'Waiting' AND last_error_message LIKE ?2",
                )?
                .execute(params![now, format!("{}%", crate::flows::WAIT_PREFIX)])?)
        })
    }

    pub(crate) fn enqueue_catalogue(
        &self,
        kind: JobKind,
        serial_key: String,
        payload: String,
        now: i64,
    ) -> Result<bool, EngineError> {
        self.write(move |conn| enqueue_catalogue_tx(conn, kind, &serial_key, &payload, now))
    }

    pub(crate) fn enqueue_event(
        &self,
        event: OrderEvent,
        hold_partial: bool,
        now: i64,
    ) -> Result<EnqueueResult, EngineError> {
        self.write(move |conn| enqueue_event_tx(conn, &event, hold_partial, now))
    }
}

/// Render a stored snapshot for display: its JSON, or the raw text as a string.
pub(crate) fn snapshot_for_display(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}
