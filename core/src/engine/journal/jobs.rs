//! Job lifecycle in the journal: claiming under a lease (with per-order exclusion and reclaim of
//! expired leases), renewing, finishing (state change + outcomes + ledger + attempt history in
//! one transaction), releasing at shutdown, admin retries, and the derived record state.

use crate::mapping::text::quote;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::enqueue::{cancel_record, flag_credit_note, queue_credit_note, whole_order_credit};
use super::Journal;
use crate::engine::error::{EngineError, ErrorDoc};
use crate::engine::events::CreditCause;
use crate::engine::model::{
    AttemptResult, CallRecord, JobKind, LedgerEntry, LedgerKind, OutcomeSpec, RecordState,
};
use crate::engine::processor::{JobInfo, OrderInfo};

/// A job handed to a worker.
#[derive(Debug, Clone)]
pub(crate) struct ClaimedJob {
    pub job: JobInfo,
    pub order: Option<OrderInfo>,
    /// It was taken over from an expired lease (the previous attempt's result is unknown).
    pub reclaimed: bool,
}

/// Parameters of a claim.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub owner: String,
    pub now: i64,
    pub lease_ms: i64,
    pub max_attempts: u32,
}

/// How a job ends this attempt, as decided by the engine from the processor's result.
#[derive(Debug, Clone)]
pub(crate) enum Finish {
    Done {
        invoice_number: Option<i64>,
        customer_code: Option<String>,
        outcomes: Vec<OutcomeSpec>,
        ledger: Vec<LedgerEntry>,
    },
    Retry {
        error: ErrorDoc,
        run_at: i64,
        /// The processor says the write may have been applied (see `JobResult::Retry`).
        maybe_applied: bool,
    },
    Dead {
        error: ErrorDoc,
        outcomes: Vec<OutcomeSpec>,
    },
    /// `run_at: None` waits for the journal to wake it (payment waiting for its invoice).
    Wait { reason: String, run_at: Option<i64> },
}

#[derive(Debug, Clone)]
pub(crate) struct FinishInput {
    pub job_id: i64,
    pub owner: String,
    pub started_at: i64,
    pub duration_ms: u64,
    pub calls: Vec<CallRecord>,
    pub mapped_invoice: Option<Value>,
    /// Hash of the snapshot the attempt worked on.
    pub claimed_hash: Option<String>,
    pub finish: Finish,
    pub now: i64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FinishReport {
    /// The lease was no longer ours (expired and reclaimed, or released): nothing was written.
    pub lease_lost: bool,
    pub record_state: Option<RecordState>,
    /// A newer snapshot arrived while this (successful) attempt posted the older one.
    pub changed_while_in_flight: bool,
    /// A cancellation arrived during the attempt; what became of it.
    pub cancellation: Option<String>,
}

const WAITING_CODE: &str = "Waiting";

/// SQL (on a job `j`): an earlier payment of the same order is not settled yet. A credit note waits
/// for it, so a refund is paid back from a paid invoice rather than applied to an unpaid one (a
/// refund always follows its payment in nopCommerce; a retried payment must not be overtaken). A
/// failed payment holds its credit notes until the admin retries it.
const PAYMENT_PENDING: &str = "EXISTS (SELECT 1 FROM jobs p
        WHERE p.record_id = j.record_id AND p.kind = 'RecordPayment' AND p.id < j.id
          AND p.state IN ('Queued', 'Waiting', 'Leased', 'Dead'))";

fn error_cols(e: Option<&ErrorDoc>) -> (Option<&str>, Option<&str>, Option<&str>) {
    (
        e.map(|e| e.code.as_str()),
        e.map(|e| e.message.as_str()),
        e.and_then(|e| e.path.as_deref()),
    )
}

/// An attempt-history row to insert.
struct NewAttempt<'a> {
    record_id: Option<i64>,
    job_id: i64,
    kind: &'a str,
    started_at: i64,
    duration_ms: u64,
    result: AttemptResult,
    error: Option<&'a ErrorDoc>,
    calls: &'a [CallRecord],
}

fn insert_attempt(conn: &Connection, a: NewAttempt<'_>) -> Result<(), EngineError> {
    let (code, message, path) = error_cols(a.error);
    let calls = if a.calls.is_empty() {
        None
    } else {
        serde_json::to_string(a.calls).ok()
    };
    conn.prepare_cached(
        "INSERT INTO attempts (record_id, job_id, job_kind, started_at, duration_ms, result,
                               error_code, error_message, error_path, calls)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        a.record_id,
        a.job_id,
        a.kind,
        a.started_at,
        a.duration_ms as i64,
        a.result.as_str(),
        code,
        message,
        path,
        calls
    ])?;
    Ok(())
}

fn set_record_error(
    conn: &Connection,
    record_id: i64,
    error: Option<&ErrorDoc>,
) -> Result<(), EngineError> {
    let (code, message, path) = error_cols(error);
    conn.prepare_cached(
        "UPDATE records SET last_error_code = ?2, last_error_message = ?3, last_error_path = ?4
         WHERE id = ?1",
    )?
    .execute(params![record_id, code, message, path])?;
    Ok(())
}

fn insert_outcomes(
    conn: &Connection,
    record_id: Option<i64>,
    outcomes: &[OutcomeSpec],
    now: i64,
) -> Result<(), EngineError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO outcomes (record_id, kind, order_id, order_status, note, invoice_number, sku,
                               quantity, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for spec in outcomes {
        let o = spec.clone().into_outcome(0);
        stmt.execute(params![
            record_id,
            o.kind.as_str(),
            o.order_id,
            o.order_status,
            o.note,
            o.invoice_number,
            o.sku,
            o.quantity,
            now
        ])?;
    }
    Ok(())
}

fn upsert_ledger(
    conn: &Connection,
    record_id: Option<i64>,
    entry: &LedgerEntry,
    now: i64,
) -> Result<(), EngineError> {
    conn.prepare_cached(
        "INSERT INTO ledger (kind, key, value, record_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(kind, key) DO UPDATE SET value = excluded.value,
             record_id = excluded.record_id, updated_at = excluded.updated_at",
    )?
    .execute(params![
        entry.kind.as_str(),
        entry.key,
        entry.value,
        record_id,
        now
    ])?;
    Ok(())
}

/// Recompute a record's derived columns from its jobs. One place decides the admin-visible state.
pub(crate) fn refresh_record(
    conn: &Connection,
    record_id: i64,
    now: i64,
) -> Result<RecordState, EngineError> {
    let cancelled: bool = conn
        .prepare_cached("SELECT cancelled FROM records WHERE id = ?1")?
        .query_row([record_id], |r| r.get(0))?;
    let (mut leased, mut dead, mut retrying, mut pending, mut sync_done) =
        (false, false, false, false, false);
    let mut next_at: Option<i64> = None;
    let mut attempts: i64 = 0;
    {
        let mut stmt = conn.prepare_cached(
            "SELECT kind, state, attempts, run_at FROM jobs WHERE record_id = ?1",
        )?;
        let mut rows = stmt.query([record_id])?;
        while let Some(row) = rows.next()? {
            let kind: String = row.get(0)?;
            let state: String = row.get(1)?;
            let n: i64 = row.get(2)?;
            let run_at: i64 = row.get(3)?;
            match state.as_str() {
                "Leased" => {
                    leased = true;
                    attempts += n;
                }
                "Dead" => {
                    dead = true;
                    attempts += n;
                }
                "Queued" => {
                    if n > 0 {
                        retrying = true;
                    } else {
                        pending = true;
                    }
                    attempts += n;
                    next_at = Some(next_at.map_or(run_at, |c| c.min(run_at)));
                }
                "Waiting" | "Held" => {
                    pending = true;
                    attempts += n;
                }
                "Done" => {
                    attempts += n;
                    if kind == "SyncOrder" {
                        sync_done = true;
                    }
                }
                _ => {}
            }
        }
    }
    let state = if cancelled {
        RecordState::Cancelled
    } else if dead {
        RecordState::Failed
    } else if leased {
        RecordState::InFlight
    } else if retrying {
        RecordState::Retrying
    } else if pending || !sync_done {
        RecordState::Pending
    } else {
        RecordState::Synced
    };
    if cancelled {
        next_at = None;
    }
    conn.prepare_cached(
        "UPDATE records SET state = ?2, next_attempt_at = ?3, attempts = ?4, updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![record_id, state.as_str(), next_at, attempts, now])?;
    if state == RecordState::Synced {
        set_record_error(conn, record_id, None)?;
    }
    Ok(state)
}

/// How far a SyncOrder attempt that ends without posting may have got with KashFlow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttemptReach {
    /// It sent nothing (it recorded no KashFlow call).
    NothingSent,
    /// It made KashFlow calls but did not complete: something may have been created.
    SpokeToKashFlow,
    /// It was interrupted (shutdown, or its job lease expired): nobody knows what it sent.
    Interrupted,
}

/// Settle a cancellation that arrived while the SyncOrder job `job_id` was Leased
/// (`records.cancel_requested`, see `enqueue.rs`), now that its attempt ends without posting the
/// invoice: the job and the record are cancelled, and unless the attempt sent nothing the record
/// is flagged to check KashFlow for an invoice (strict: we cannot be sure nothing was created).
/// Returns what became of the cancellation; `None` when none is pending (or `job_id` is not a
/// SyncOrder job).
///
/// Every path that takes a SyncOrder job out of Leased without posting comes through here: a
/// finish (`finish_tx`), the shutdown release (`release_tx`) and the reclaim of an expired lease
/// (`claim_job_tx`). A path that skips it leaves `cancel_requested` set on a job that runs again,
/// and the next attempt posts the invoice of a cancelled order (then credits it).
pub(super) fn honour_cancel_request(
    conn: &Connection,
    job_id: i64,
    reach: AttemptReach,
    now: i64,
) -> Result<Option<String>, EngineError> {
    let pending: Option<i64> = conn
        .prepare_cached(
            "SELECT r.id FROM jobs j JOIN records r ON r.id = j.record_id
             WHERE j.id = ?1 AND j.kind = 'SyncOrder' AND r.cancel_requested",
        )?
        .query_row([job_id], |r| r.get(0))
        .optional()?;
    let Some(rid) = pending else {
        return Ok(None);
    };
    conn.prepare_cached(
        "UPDATE jobs SET state = 'Cancelled', lease_owner = NULL, lease_expires_at = NULL,
            updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![job_id, now])?;
    cancel_record(conn, rid, now)?;
    let reason = match reach {
        AttemptReach::NothingSent => "order cancelled before its invoice was posted".to_string(),
        AttemptReach::SpokeToKashFlow => {
            flag_credit_note(
                conn,
                rid,
                "order cancelled during an attempt to post its invoice that did not complete; check KashFlow for an invoice for this order",
            )?;
            "order cancelled during an unfinished attempt; flagged to check KashFlow".into()
        }
        AttemptReach::Interrupted => {
            flag_credit_note(
                conn,
                rid,
                "order cancelled while an interrupted attempt to post its invoice was unfinished; check KashFlow for an invoice for this order",
            )?;
            "order cancelled during an interrupted attempt; flagged to check KashFlow".into()
        }
    };
    Ok(Some(reason))
}

fn mark_dead(
    conn: &Connection,
    job_id: i64,
    record_id: Option<i64>,
    error: &ErrorDoc,
    now: i64,
) -> Result<(), EngineError> {
    let (code, message, path) = error_cols(Some(error));
    conn.prepare_cached(
        "UPDATE jobs SET state = 'Dead', lease_owner = NULL, lease_expires_at = NULL,
            last_error_code = ?2, last_error_message = ?3, last_error_path = ?4, updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![job_id, code, message, path, now])?;
    if let Some(rid) = record_id {
        set_record_error(conn, rid, Some(error))?;
        refresh_record(conn, rid, now)?;
    }
    Ok(())
}

fn load_order(conn: &Connection, record_id: i64) -> Result<Option<OrderInfo>, EngineError> {
    conn.prepare_cached(
        "SELECT id, order_id, custom_order_number, snapshot, snapshot_hash, invoice_number,
                    customer_code
             FROM records WHERE id = ?1",
    )?
    .query_row([record_id], |r| {
        Ok(OrderInfo {
            record_id: r.get(0)?,
            order_id: r.get(1)?,
            custom_order_number: r.get(2)?,
            snapshot_json: r.get(3)?,
            snapshot_hash: r.get(4)?,
            invoice_number: r.get(5)?,
            customer_code: r.get(6)?,
            events: Vec::new(),
        })
    })
    .optional()?
    .map(|mut o| {
        // The events the order has had, oldest first: the flow triggers it has passed.
        o.events = conn
            .prepare_cached("SELECT kind FROM events WHERE record_id = ?1 ORDER BY id")?
            .query_map([record_id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok::<_, EngineError>(o)
    })
    .transpose()
}

/// What a claim found.
#[derive(Debug)]
pub(crate) enum ClaimOutcome {
    Job(Box<ClaimedJob>),
    /// Nothing due.
    Nothing,
    /// The claimant does not hold the active-worker lease (`engine::lease`): it claims nothing.
    NotHolder,
}

fn claim_tx(conn: &Connection, c: &Claim) -> Result<ClaimOutcome, EngineError> {
    // Fencing: only the lease holder claims, decided in the claim's own transaction.
    if !crate::engine::lease::holds_tx(conn, &c.owner, c.now)? {
        return Ok(ClaimOutcome::NotHolder);
    }
    Ok(match claim_job_tx(conn, c)? {
        Some(job) => ClaimOutcome::Job(Box::new(job)),
        None => ClaimOutcome::Nothing,
    })
}

fn claim_job_tx(conn: &Connection, c: &Claim) -> Result<Option<ClaimedJob>, EngineError> {
    // A few rounds: candidates that turn out dead (unknown kind, retries exhausted) are filed
    // and the next one is tried.
    for _ in 0..16 {
        let candidate = conn
            .prepare_cached(&format!(
                "SELECT j.id, j.state, j.attempts, j.kind, j.record_id, j.updated_at
                 FROM jobs j
                 WHERE ((j.state = 'Queued' AND j.run_at <= ?1)
                        OR (j.state = 'Leased' AND j.lease_expires_at <= ?1))
                   AND NOT EXISTS (SELECT 1 FROM jobs o
                                   WHERE o.serial_key = j.serial_key AND o.id <> j.id
                                     AND o.state = 'Leased' AND o.lease_expires_at > ?1)
                   AND NOT (j.kind = 'PostCreditNote' AND {PAYMENT_PENDING})
                 ORDER BY j.run_at, j.id LIMIT 1"
            ))?
            .query_row([c.now], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })
            .optional()?;
        let Some((id, state, attempts, kind_text, record_id, last_touch)) = candidate else {
            return Ok(None);
        };
        let reclaimed = state == "Leased";
        if reclaimed {
            let error = ErrorDoc::new(
                "Interrupted",
                "the attempt stopped before recording its result (the process ended or lost its lease); KashFlow is checked before writing again",
            );
            insert_attempt(
                conn,
                NewAttempt {
                    record_id,
                    job_id: id,
                    kind: &kind_text,
                    started_at: last_touch,
                    duration_ms: 0,
                    result: AttemptResult::Interrupted,
                    error: Some(&error),
                    calls: &[],
                },
            )?;
        }
        // A cancellation that arrived while the interrupted attempt held the job: it wins over
        // running the job again (which would post the invoice of a cancelled order).
        if reclaimed && honour_cancel_request(conn, id, AttemptReach::Interrupted, c.now)?.is_some()
        {
            if let Some(rid) = record_id {
                refresh_record(conn, rid, c.now)?;
            }
            continue;
        }
        let Some(kind) = JobKind::parse(&kind_text) else {
            let error = ErrorDoc::new(
                "UnknownJobKind",
                format!(
                    "job kind '{}' is not known to this version of KashFlow Sync",
                    quote(&kind_text)
                ),
            );
            mark_dead(conn, id, record_id, &error, c.now)?;
            continue;
        };
        if reclaimed && attempts >= c.max_attempts as i64 {
            let error = ErrorDoc::new(
                "OutcomeUnknown",
                format!(
                    "gave up after {attempts} attempts; the last one was interrupted, so KashFlow may or may not have the change: check KashFlow, then retry"
                ),
            );
            conn.prepare_cached("UPDATE jobs SET outcome_unknown = 1 WHERE id = ?1")?
                .execute([id])?;
            mark_dead(conn, id, record_id, &error, c.now)?;
            continue;
        }
        let (attempt, outcome_unknown, payload): (i64, bool, Option<String>) = conn
            .prepare_cached(
                "UPDATE jobs SET state = 'Leased', lease_owner = ?2, lease_expires_at = ?3,
                    attempts = attempts + 1,
                    outcome_unknown = CASE WHEN ?4 THEN 1 ELSE outcome_unknown END,
                    updated_at = ?5
                 WHERE id = ?1
                 RETURNING attempts, outcome_unknown, payload",
            )?
            .query_row(
                params![id, c.owner, c.now + c.lease_ms, reclaimed, c.now],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        let order = match record_id {
            Some(rid) => {
                refresh_record(conn, rid, c.now)?;
                load_order(conn, rid)?
            }
            None => None,
        };
        let payload = payload.and_then(|p| serde_json::from_str(&p).ok());
        return Ok(Some(ClaimedJob {
            job: JobInfo {
                id,
                kind,
                attempt: attempt.max(1) as u32,
                outcome_unknown,
                payload,
                record_id,
            },
            order,
            reclaimed,
        }));
    }
    Ok(None)
}

fn finish_tx(conn: &Connection, input: FinishInput) -> Result<FinishReport, EngineError> {
    let now = input.now;
    let row = conn
        .prepare_cached("SELECT state, lease_owner, record_id, kind FROM jobs WHERE id = ?1")?
        .query_row([input.job_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    let Some((state, owner, record_id, kind)) = row else {
        return Ok(FinishReport {
            lease_lost: true,
            ..Default::default()
        });
    };
    if state != "Leased" || owner.as_deref() != Some(input.owner.as_str()) {
        return Ok(FinishReport {
            lease_lost: true,
            ..Default::default()
        });
    }
    let mut report = FinishReport::default();
    let (result, error) = match &input.finish {
        Finish::Done { .. } => (AttemptResult::Done, None),
        Finish::Retry { error, .. } => (AttemptResult::Retry, Some(error.clone())),
        Finish::Dead { error, .. } => (AttemptResult::DeadLetter, Some(error.clone())),
        Finish::Wait { reason, .. } => (
            AttemptResult::Waiting,
            Some(ErrorDoc::new(WAITING_CODE, reason.clone())),
        ),
    };
    insert_attempt(
        conn,
        NewAttempt {
            record_id,
            job_id: input.job_id,
            kind: &kind,
            started_at: input.started_at,
            duration_ms: input.duration_ms,
            result,
            error: error.as_ref(),
            calls: &input.calls,
        },
    )?;
    if let (Some(rid), Some(m)) = (record_id, &input.mapped_invoice) {
        conn.prepare_cached("UPDATE records SET mapped_invoice = ?2 WHERE id = ?1")?
            .execute(params![rid, m.to_string()])?;
    }
    let (cancel_requested, order_id, current_hash) = match record_id {
        Some(rid) => conn
            .prepare_cached(
                "SELECT cancel_requested, order_id, snapshot_hash FROM records WHERE id = ?1",
            )?
            .query_row([rid], |r| {
                Ok((
                    r.get::<_, bool>(0)?,
                    Some(r.get::<_, i64>(1)?),
                    r.get::<_, Option<String>>(2)?,
                ))
            })?,
        None => (false, None, None),
    };
    let is_sync = kind == JobKind::SyncOrder.as_str();

    match input.finish {
        Finish::Done {
            invoice_number,
            customer_code,
            outcomes,
            ledger,
        } => {
            conn.prepare_cached(
                "UPDATE jobs SET state = 'Done', lease_owner = NULL, lease_expires_at = NULL,
                    last_error_code = NULL, last_error_message = NULL, last_error_path = NULL,
                    updated_at = ?2
                 WHERE id = ?1",
            )?
            .execute(params![input.job_id, now])?;
            if let Some(rid) = record_id {
                conn.prepare_cached(
                    "UPDATE records SET invoice_number = COALESCE(?2, invoice_number),
                        customer_code = COALESCE(?3, customer_code)
                     WHERE id = ?1",
                )?
                .execute(params![rid, invoice_number, customer_code])?;
                set_record_error(conn, rid, None)?;
                if is_sync {
                    conn.prepare_cached("UPDATE records SET synced_hash = ?2 WHERE id = ?1")?
                        .execute(params![rid, input.claimed_hash])?;
                    report.changed_while_in_flight = input.claimed_hash.is_some()
                        && current_hash.is_some()
                        && input.claimed_hash != current_hash;
                    // The invoice exists now: payments waiting for it can run.
                    conn.prepare_cached(
                        "UPDATE jobs SET state = 'Queued', run_at = ?2, updated_at = ?2
                         WHERE record_id = ?1 AND kind IN ('RecordPayment', 'PostCreditNote')
                           AND state = 'Waiting'",
                    )?
                    .execute(params![rid, now])?;
                    if cancel_requested {
                        let (req, dedupe) = whole_order_credit(
                            order_id.unwrap_or_default(),
                            CreditCause::Cancellation,
                            None,
                            now,
                        );
                        let seq = queue_credit_note(conn, rid, req, &dedupe, true, false, now)?;
                        let reason = match invoice_number {
                            Some(n) => format!(
                                "order cancelled while KashFlow invoice {n} was being posted: credit note {seq} queued"
                            ),
                            None => format!(
                                "order cancelled while its invoice was being posted: credit note {seq} queued"
                            ),
                        };
                        conn.prepare_cached(
                            "UPDATE records SET cancel_requested = 0 WHERE id = ?1",
                        )?
                        .execute([rid])?;
                        report.cancellation = Some(reason);
                    }
                }
                if let (Some(order_id), Some(n), true) = (order_id, invoice_number, is_sync) {
                    upsert_ledger(
                        conn,
                        Some(rid),
                        &LedgerEntry {
                            kind: LedgerKind::OrderInvoice,
                            key: order_id.to_string(),
                            value: n.to_string(),
                        },
                        now,
                    )?;
                }
            }
            for entry in &ledger {
                upsert_ledger(conn, record_id, entry, now)?;
            }
            insert_outcomes(conn, record_id, &outcomes, now)?;
        }
        Finish::Retry {
            error,
            run_at,
            maybe_applied,
        } => {
            let (code, message, path) = error_cols(Some(&error));
            // The processor says the write may have been applied: keep the job flagged, so a
            // cancellation before the next attempt asks for KashFlow to be checked.
            conn.prepare_cached(
                "UPDATE jobs SET state = 'Queued', run_at = ?2, lease_owner = NULL,
                    lease_expires_at = NULL, last_error_code = ?3, last_error_message = ?4,
                    last_error_path = ?5, updated_at = ?6,
                    outcome_unknown = CASE WHEN ?7 THEN 1 ELSE outcome_unknown END
                 WHERE id = ?1",
            )?
            .execute(params![
                input.job_id,
                run_at,
                code,
                message,
                path,
                now,
                maybe_applied
            ])?;
            if let Some(rid) = record_id {
                set_record_error(conn, rid, Some(&error))?;
            }
        }
        Finish::Dead { error, outcomes } => {
            mark_dead(conn, input.job_id, None, &error, now)?;
            if let Some(rid) = record_id {
                set_record_error(conn, rid, Some(&error))?;
            }
            insert_outcomes(conn, record_id, &outcomes, now)?;
        }
        Finish::Wait { reason, run_at } => {
            let doc = ErrorDoc::new(WAITING_CODE, reason);
            let (code, message, path) = error_cols(Some(&doc));
            let state = if run_at.is_some() {
                "Queued"
            } else {
                "Waiting"
            };
            conn.prepare_cached(
                "UPDATE jobs SET state = ?2, run_at = ?3, lease_owner = NULL, lease_expires_at = NULL,
                    attempts = MAX(attempts - 1, 0), last_error_code = ?4, last_error_message = ?5,
                    last_error_path = ?6, updated_at = ?7
                 WHERE id = ?1",
            )?
            .execute(params![
                input.job_id,
                state,
                run_at.unwrap_or(now),
                code,
                message,
                path,
                now
            ])?;
            if let Some(rid) = record_id {
                set_record_error(conn, rid, Some(&doc))?;
            }
        }
    }

    // A cancellation that arrived mid-attempt, and the attempt did not post: cancel now.
    if report.cancellation.is_none() {
        let reach = if input.calls.is_empty() {
            AttemptReach::NothingSent
        } else {
            AttemptReach::SpokeToKashFlow
        };
        report.cancellation = honour_cancel_request(conn, input.job_id, reach, now)?;
    }
    if let Some(rid) = record_id {
        report.record_state = Some(refresh_record(conn, rid, now)?);
    }
    Ok(report)
}

/// Put every job leased by `owner` back in the queue (shutdown after the grace period).
fn release_tx(conn: &Connection, owner: &str, now: i64) -> Result<usize, EngineError> {
    let jobs: Vec<(i64, Option<i64>, String, i64)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, record_id, kind, updated_at FROM jobs WHERE state = 'Leased' AND lease_owner = ?1",
        )?;
        let rows = stmt.query_map([owner], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let error = ErrorDoc::new(
        "Interrupted",
        "the engine shut down before this attempt finished; it will run again and check KashFlow before writing",
    );
    for (id, record_id, kind, started) in &jobs {
        insert_attempt(
            conn,
            NewAttempt {
                record_id: *record_id,
                job_id: *id,
                kind,
                started_at: *started,
                duration_ms: (now - started).max(0) as u64,
                result: AttemptResult::Interrupted,
                error: Some(&error),
                calls: &[],
            },
        )?;
        conn.prepare_cached(
            "UPDATE jobs SET state = 'Queued', run_at = ?2, lease_owner = NULL, lease_expires_at = NULL,
                outcome_unknown = 1, updated_at = ?2
             WHERE id = ?1",
        )?
        .execute(params![id, now])?;
        // A cancellation that arrived during the attempt: the order is cancelled, not re-run.
        honour_cancel_request(conn, *id, AttemptReach::Interrupted, now)?;
        if let Some(rid) = record_id {
            refresh_record(conn, *rid, now)?;
        }
    }
    Ok(jobs.len())
}

fn retry_tx(conn: &Connection, record_id: i64, now: i64) -> Result<(), EngineError> {
    let state: Option<String> = conn
        .prepare_cached("SELECT state FROM records WHERE id = ?1")?
        .query_row([record_id], |r| r.get(0))
        .optional()?;
    let state = state.ok_or_else(|| EngineError::not_found(format!("record {record_id}")))?;
    match RecordState::parse(&state) {
        Some(RecordState::Synced) => {
            return Err(EngineError::invalid_request(format!(
                "record {record_id} is already synced; there is nothing to retry"
            )))
        }
        Some(RecordState::Cancelled) => {
            return Err(EngineError::invalid_request(format!(
                "record {record_id} is cancelled; it will not be sent to KashFlow"
            )))
        }
        Some(RecordState::InFlight) => {
            return Err(EngineError::invalid_request(format!(
                "record {record_id} is being sent right now; wait for this attempt to finish"
            )))
        }
        _ => {}
    }
    // Attempts start again from 1; the history keeps every earlier attempt.
    conn.prepare_cached(
        "UPDATE jobs SET state = 'Queued', run_at = ?2, attempts = 0, last_error_code = NULL,
            last_error_message = NULL, last_error_path = NULL, updated_at = ?2
         WHERE record_id = ?1 AND state IN ('Dead', 'Queued')",
    )?
    .execute(params![record_id, now])?;
    conn.prepare_cached(
        "UPDATE records SET last_error_code = NULL, last_error_message = NULL, last_error_path = NULL,
            mapped_invoice = NULL
         WHERE id = ?1",
    )?
    .execute([record_id])?;
    refresh_record(conn, record_id, now)?;
    Ok(())
}

impl Journal {
    pub(crate) fn claim(&self, claim: Claim) -> Result<ClaimOutcome, EngineError> {
        self.write(move |conn| claim_tx(conn, &claim))
    }

    /// Extend a job's lease; false when it is no longer ours, or when `owner` no longer holds the
    /// active-worker lease at `now` (its jobs then expire and are taken over).
    pub(crate) fn renew_lease(
        &self,
        job_id: i64,
        owner: String,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, EngineError> {
        self.write(move |conn| {
            let n = conn
                .prepare_cached(
                    "UPDATE jobs SET lease_expires_at = ?3
                     WHERE id = ?1 AND state = 'Leased' AND lease_owner = ?2
                       AND EXISTS (SELECT 1 FROM worker_lease
                                   WHERE id = 1 AND holder = ?2 AND expires_at > ?4)",
                )?
                .execute(params![job_id, owner, expires_at, now])?;
            Ok(n == 1)
        })
    }

    /// A cancellation of the record's order arrived while its SyncOrder job was Leased and is
    /// not settled yet (`records.cancel_requested`).
    pub(crate) fn cancel_requested(&self, record_id: i64) -> Result<bool, EngineError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT cancel_requested FROM records WHERE id = ?1")?
                .query_row([record_id], |r| r.get(0))
                .optional()?
                .unwrap_or(false))
        })
    }

    pub(crate) fn finish(&self, input: FinishInput) -> Result<FinishReport, EngineError> {
        self.write(move |conn| finish_tx(conn, input))
    }

    pub(crate) fn release_leases(&self, owner: String, now: i64) -> Result<usize, EngineError> {
        self.write(move |conn| release_tx(conn, &owner, now))
    }

    pub(crate) fn retry_record(&self, record_id: i64, now: i64) -> Result<(), EngineError> {
        self.write(move |conn| retry_tx(conn, record_id, now))
    }

    pub(crate) fn retry_all_failed(&self, now: i64) -> Result<usize, EngineError> {
        self.write(move |conn| {
            let ids: Vec<i64> = {
                let mut stmt =
                    conn.prepare_cached("SELECT id FROM records WHERE state = 'Failed'")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            for id in &ids {
                retry_tx(conn, *id, now)?;
            }
            Ok(ids.len())
        })
    }

    /// Queue a stock pull unless one is already queued or running; true when a new one was queued.
    pub(crate) fn request_stock_pull(&self, now: i64) -> Result<bool, EngineError> {
        self.write(move |conn| {
            let existing: Option<(i64, String)> = conn
                .prepare_cached(
                    "SELECT id, state FROM jobs WHERE kind = 'PullStock' AND state IN ('Queued', 'Leased')
                     ORDER BY id LIMIT 1",
                )?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match existing {
                Some((id, state)) => {
                    if state == "Queued" {
                        conn.prepare_cached(
                            "UPDATE jobs SET run_at = MIN(run_at, ?2), updated_at = ?2 WHERE id = ?1",
                        )?
                        .execute(params![id, now])?;
                    }
                    Ok(false)
                }
                None => {
                    conn.prepare_cached(
                        "INSERT INTO jobs (record_id, kind, serial_key, state, run_at, created_at, updated_at)
                         VALUES (NULL, 'PullStock', 'stock', 'Queued', ?1, ?1, ?1)",
                    )?
                    .execute([now])?;
                    Ok(true)
                }
            }
        })
    }

    /// The earliest time a job becomes claimable (queued run time or lease expiry).
    pub(crate) fn next_due(&self) -> Result<Option<i64>, EngineError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT MIN(t) FROM (
                        SELECT MIN(run_at) AS t FROM jobs j WHERE state = 'Queued'
                            AND NOT (j.kind = 'PostCreditNote' AND {PAYMENT_PENDING})
                        UNION ALL
                        SELECT MIN(lease_expires_at) AS t FROM jobs WHERE state = 'Leased')"
                ))?
                .query_row([], |r| r.get(0))?)
        })
    }
}
