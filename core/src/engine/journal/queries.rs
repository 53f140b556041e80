//! Reads for the admin pages and the host: counts by state, the filtered and paged sync log,
//! one record's full detail, pending outcomes (and their acknowledgement), ledger look-ups.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde_json::Value;

use super::enqueue::snapshot_for_display;
use super::Journal;
use crate::engine::error::{EngineError, ErrorDoc};
use crate::engine::events::CreditRequest;
use crate::engine::model::{
    ms_to_utc, AttemptEntry, AttemptResult, CallRecord, CreditNotePosted, CreditNoteSummary,
    EventEntry, JobEntry, JobState, LedgerKind, Outcome, OutcomeEntry, OutcomeKind, RecordDetail,
    RecordPage, RecordQuery, RecordState, RecordSummary, StatusCounts,
};

const SUMMARY_COLUMNS: &str =
    "id, order_id, custom_order_number, state, order_created_at, created_at,
    updated_at, next_attempt_at, attempts, last_error_code, last_error_message, last_error_path,
    invoice_number, customer_code, needs_credit_note, credit_note_reason";

fn error_doc(
    code: Option<String>,
    message: Option<String>,
    path: Option<String>,
) -> Option<ErrorDoc> {
    code.map(|code| ErrorDoc {
        code,
        message: message.unwrap_or_default(),
        path,
    })
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<RecordSummary> {
    let state: String = r.get(3)?;
    Ok(RecordSummary {
        record_id: r.get(0)?,
        order_id: r.get(1)?,
        custom_order_number: r.get(2)?,
        state: RecordState::parse(&state).unwrap_or(RecordState::Pending),
        order_created_utc: r.get::<_, Option<i64>>(4)?.map(ms_to_utc),
        created_utc: ms_to_utc(r.get(5)?),
        updated_utc: ms_to_utc(r.get(6)?),
        next_attempt_utc: r.get::<_, Option<i64>>(7)?.map(ms_to_utc),
        attempts: r.get::<_, i64>(8)?.max(0) as u32,
        last_error: error_doc(r.get(9)?, r.get(10)?, r.get(11)?),
        invoice_number: r.get(12)?,
        customer_code: r.get(13)?,
        needs_credit_note: r.get(14)?,
        credit_note_reason: r.get(15)?,
        credit_notes: Vec::new(),
    })
}

/// A `PostCreditNote` job: state, payload, last error (code, message, path).
type CreditJobRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The order's credit notes (from its `PostCreditNote` jobs and the ledger), oldest first.
fn credit_notes(
    conn: &Connection,
    record_id: i64,
    order_id: i64,
) -> Result<Vec<CreditNoteSummary>, EngineError> {
    let rows: Vec<CreditJobRow> = conn
        .prepare_cached(
            "SELECT state, payload, last_error_code, last_error_message, last_error_path
             FROM jobs WHERE record_id = ?1 AND kind = 'PostCreditNote' ORDER BY id",
        )?
        .query_map([record_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (state, payload, code, message, path) in rows {
        let Some(req) = payload
            .and_then(|p| serde_json::from_str::<Value>(&p).ok())
            .and_then(|v| CreditRequest::from_value(&v).ok())
        else {
            continue;
        };
        let posted: Option<CreditNotePosted> = conn
            .prepare_cached("SELECT value FROM ledger WHERE kind = ?1 AND key = ?2")?
            .query_row(
                params![
                    LedgerKind::CreditNote.as_str(),
                    format!("{order_id}:{}", req.seq)
                ],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| serde_json::from_str(&v).ok());
        out.push(CreditNoteSummary {
            seq: req.seq,
            cause: req.cause.as_str().into(),
            state: JobState::parse(&state).unwrap_or(JobState::Queued),
            requested_amount: if req.full { None } else { req.amount },
            date_utc: Some(req.date_utc),
            posted,
            last_error: error_doc(code, message, path),
        });
    }
    Ok(out)
}

fn with_credit_notes(
    conn: &Connection,
    mut s: RecordSummary,
) -> Result<RecordSummary, EngineError> {
    s.credit_notes = credit_notes(conn, s.record_id, s.order_id)?;
    Ok(s)
}

fn outcome_from_row(r: &Row<'_>) -> rusqlite::Result<Outcome> {
    let kind: String = r.get(1)?;
    Ok(Outcome {
        id: r.get(0)?,
        kind: OutcomeKind::parse(&kind).unwrap_or(OutcomeKind::AddOrderNote),
        order_id: r.get(2)?,
        order_status: r.get(3)?,
        note: r.get(4)?,
        invoice_number: r.get(5)?,
        sku: r.get(6)?,
        quantity: r.get(7)?,
    })
}

const OUTCOME_COLUMNS: &str =
    "id, kind, order_id, order_status, note, invoice_number, sku, quantity, acked, created_at";

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Append `values` to `args` and return their numbered placeholders (`?3, ?4`) for an `IN (...)`.
fn placeholders(args: &mut Vec<SqlValue>, values: impl Iterator<Item = SqlValue>) -> String {
    let mut marks = Vec::new();
    for v in values {
        args.push(v);
        marks.push(format!("?{}", args.len()));
    }
    marks.join(", ")
}

pub(super) fn list_tx(conn: &Connection, q: &RecordQuery) -> Result<RecordPage, EngineError> {
    if q.page == 0 {
        return Err(EngineError::invalid_document(
            "Page starts at 1",
            Some("Page"),
        ));
    }
    if q.page_size == 0 || q.page_size > RecordQuery::MAX_PAGE_SIZE {
        return Err(EngineError::invalid_document(
            format!(
                "PageSize must be between 1 and {}",
                RecordQuery::MAX_PAGE_SIZE
            ),
            Some("PageSize"),
        ));
    }
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<SqlValue> = Vec::new();
    if !q.states.is_empty() {
        let values = q.states.iter().map(|s| SqlValue::Text(s.as_str().into()));
        clauses.push(format!("state IN ({})", placeholders(&mut args, values)));
    }
    // Records without an order date (broken snapshots) are filed by when they arrived.
    if let Some(from) = q.from_utc {
        args.push(SqlValue::Integer(from.timestamp_millis()));
        clauses.push(format!(
            "COALESCE(order_created_at, created_at) >= ?{}",
            args.len()
        ));
    }
    if let Some(to) = q.to_utc {
        args.push(SqlValue::Integer(to.timestamp_millis()));
        clauses.push(format!(
            "COALESCE(order_created_at, created_at) < ?{}",
            args.len()
        ));
    }
    if let Some(search) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        args.push(SqlValue::Text(format!("%{}%", escape_like(search))));
        let n = args.len();
        clauses.push(format!(
            "(custom_order_number LIKE ?{n} ESCAPE '\\' OR CAST(order_id AS TEXT) LIKE ?{n} ESCAPE '\\')"
        ));
    }
    if let Some(flag) = q.needs_credit_note {
        args.push(SqlValue::Integer(flag as i64));
        clauses.push(format!("needs_credit_note = ?{}", args.len()));
    }
    if q.order_ids.len() > RecordQuery::MAX_PAGE_SIZE as usize {
        return Err(EngineError::invalid_document(
            format!(
                "OrderIds names {} orders; at most {} at a time",
                q.order_ids.len(),
                RecordQuery::MAX_PAGE_SIZE
            ),
            Some("OrderIds"),
        ));
    }
    if !q.order_ids.is_empty() {
        let values = q.order_ids.iter().map(|id| SqlValue::Integer(*id));
        clauses.push(format!("order_id IN ({})", placeholders(&mut args, values)));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM records {filter}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let mut page_args = args.clone();
    page_args.push(SqlValue::Integer(q.page_size as i64));
    page_args.push(SqlValue::Integer(
        (q.page as i64 - 1).saturating_mul(q.page_size as i64),
    ));
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM records {filter} ORDER BY id DESC LIMIT ?{} OFFSET ?{}",
        page_args.len() - 1,
        page_args.len()
    );
    let mut stmt = conn.prepare(&sql)?;
    let items = stmt
        .query_map(params_from_iter(page_args.iter()), summary_from_row)?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|s| with_credit_notes(conn, s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordPage {
        items,
        total: total.max(0) as u64,
        page: q.page,
        page_size: q.page_size,
    })
}

pub(super) fn detail_tx(conn: &Connection, record_id: i64) -> Result<RecordDetail, EngineError> {
    let row = conn
        .query_row(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, snapshot_hash, synced_hash, snapshot, mapped_invoice
                 FROM records WHERE id = ?1"
            ),
            [record_id],
            |r| {
                Ok((
                    summary_from_row(r)?,
                    r.get::<_, Option<String>>(16)?,
                    r.get::<_, Option<String>>(17)?,
                    r.get::<_, Option<Vec<u8>>>(18)?,
                    r.get::<_, Option<String>>(19)?,
                ))
            },
        )
        .optional()?;
    let (record, snapshot_hash, synced_hash, snapshot, mapped) =
        row.ok_or_else(|| EngineError::not_found(format!("record {record_id}")))?;
    let record = with_credit_notes(conn, record)?;

    let jobs = conn
        .prepare_cached(
            "SELECT id, kind, state, attempts, run_at, outcome_unknown, last_error_code,
                    last_error_message, last_error_path, payload, created_at, updated_at
             FROM jobs WHERE record_id = ?1 ORDER BY id",
        )?
        .query_map([record_id], |r| {
            let state: String = r.get(2)?;
            Ok(JobEntry {
                id: r.get(0)?,
                kind: r.get(1)?,
                state: JobState::parse(&state).unwrap_or(JobState::Queued),
                attempts: r.get::<_, i64>(3)?.max(0) as u32,
                run_at_utc: ms_to_utc(r.get(4)?),
                outcome_unknown: r.get(5)?,
                last_error: error_doc(r.get(6)?, r.get(7)?, r.get(8)?),
                payload: r
                    .get::<_, Option<String>>(9)?
                    .and_then(|p| serde_json::from_str(&p).ok()),
                created_utc: ms_to_utc(r.get(10)?),
                updated_utc: ms_to_utc(r.get(11)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;

    let attempts = conn
        .prepare_cached(
            "SELECT id, job_id, job_kind, started_at, duration_ms, result, error_code,
                    error_message, error_path, calls
             FROM attempts WHERE record_id = ?1 ORDER BY id",
        )?
        .query_map([record_id], |r| {
            let result: String = r.get(5)?;
            let calls: Option<String> = r.get(9)?;
            Ok(AttemptEntry {
                id: r.get(0)?,
                job_id: r.get(1)?,
                job_kind: r.get(2)?,
                started_utc: ms_to_utc(r.get(3)?),
                duration_ms: r.get::<_, i64>(4)?.max(0) as u64,
                result: AttemptResult::parse(&result).unwrap_or(AttemptResult::Interrupted),
                error: error_doc(r.get(6)?, r.get(7)?, r.get(8)?),
                calls: calls
                    .and_then(|c| serde_json::from_str::<Vec<CallRecord>>(&c).ok())
                    .unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;

    let events = conn
        .prepare_cached(
            "SELECT id, kind, received_at, document FROM events WHERE record_id = ?1 ORDER BY id",
        )?
        .query_map([record_id], |r| {
            let doc: String = r.get(3)?;
            Ok(EventEntry {
                id: r.get(0)?,
                kind: r.get(1)?,
                received_utc: ms_to_utc(r.get(2)?),
                document: serde_json::from_str(&doc).unwrap_or(Value::String(doc)),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;

    let outcomes = conn
        .prepare_cached(&format!(
            "SELECT {OUTCOME_COLUMNS} FROM outcomes WHERE record_id = ?1 ORDER BY id"
        ))?
        .query_map([record_id], |r| {
            Ok(OutcomeEntry {
                outcome: outcome_from_row(r)?,
                acked: r.get(8)?,
                created_utc: ms_to_utc(r.get(9)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;

    Ok(RecordDetail {
        record,
        snapshot_hash,
        synced_snapshot_hash: synced_hash,
        snapshot: snapshot.map(|s| snapshot_for_display(&s)),
        mapped_invoice: mapped.map(|m| serde_json::from_str(&m).unwrap_or(Value::String(m))),
        jobs,
        attempts,
        events,
        outcomes,
    })
}

impl Journal {
    /// Counts by record state (the circuit state is filled in by the engine).
    pub(crate) fn status_counts(&self) -> Result<StatusCounts, EngineError> {
        self.read(status_counts_tx)
    }

    pub(crate) fn list_records(&self, q: &RecordQuery) -> Result<RecordPage, EngineError> {
        self.read(|conn| list_tx(conn, q))
    }

    pub(crate) fn record_detail(&self, record_id: i64) -> Result<RecordDetail, EngineError> {
        self.read(|conn| detail_tx(conn, record_id))
    }

    /// The record of an order, if the journal has one.
    pub(crate) fn record_for_order(
        &self,
        order_id: i64,
    ) -> Result<Option<RecordSummary>, EngineError> {
        self.read(|conn| {
            conn.query_row(
                &format!("SELECT {SUMMARY_COLUMNS} FROM records WHERE order_id = ?1"),
                [order_id],
                summary_from_row,
            )
            .optional()?
            .map(|s| with_credit_notes(conn, s))
            .transpose()
        })
    }

    /// Unacknowledged outcomes, oldest first. Reading does not consume them.
    pub(crate) fn poll_outcomes(&self, max: usize) -> Result<Vec<Outcome>, EngineError> {
        let max = max.min(10_000) as i64;
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {OUTCOME_COLUMNS} FROM outcomes WHERE acked = 0 ORDER BY id LIMIT ?1"
                ))?
                .query_map([max], outcome_from_row)?
                .collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Acknowledge outcomes; returns how many were newly acknowledged (unknown or already
    /// acknowledged ids are ignored, so a repeated ack is harmless).
    pub(crate) fn ack_outcomes(&self, ids: Vec<i64>, now: i64) -> Result<usize, EngineError> {
        if ids.is_empty() {
            return Ok(0);
        }
        self.write(move |conn| {
            let mut stmt = conn.prepare_cached(
                "UPDATE outcomes SET acked = 1, acked_at = ?2 WHERE id = ?1 AND acked = 0",
            )?;
            let mut n = 0;
            for id in &ids {
                n += stmt.execute(params![id, now])?;
            }
            Ok(n)
        })
    }

    pub(crate) fn ledger_get(
        &self,
        kind: LedgerKind,
        key: &str,
    ) -> Result<Option<String>, EngineError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT value FROM ledger WHERE kind = ?1 AND key = ?2")?
                .query_row(params![kind.as_str(), key], |r| r.get(0))
                .optional()?)
        })
    }
}

/// Counts by record state on `conn` (the circuit state reads "Closed"; the engine fills it in).
pub(super) fn status_counts_tx(conn: &Connection) -> Result<StatusCounts, EngineError> {
    let mut c = StatusCounts {
        pending: 0,
        in_flight: 0,
        retrying: 0,
        synced: 0,
        failed: 0,
        cancelled: 0,
        total: 0,
        needs_credit_note: 0,
        credit_notes_posted: 0,
        credit_notes_failed: 0,
        outcomes_pending: 0,
        awaiting_trigger: 0,
        circuit: "Closed".into(),
        active_worker: None,
    };
    let mut stmt = conn.prepare_cached("SELECT state, COUNT(*) FROM records GROUP BY state")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let state: String = r.get(0)?;
        let n = r.get::<_, i64>(1)?.max(0) as u64;
        c.total += n;
        match RecordState::parse(&state) {
            Some(RecordState::Pending) => c.pending += n,
            Some(RecordState::InFlight) => c.in_flight += n,
            Some(RecordState::Retrying) => c.retrying += n,
            Some(RecordState::Synced) => c.synced += n,
            Some(RecordState::Failed) => c.failed += n,
            Some(RecordState::Cancelled) => c.cancelled += n,
            None => {}
        }
    }
    c.needs_credit_note = conn
        .prepare_cached("SELECT COUNT(*) FROM records WHERE needs_credit_note = 1")?
        .query_row([], |r| r.get::<_, i64>(0))?
        .max(0) as u64;
    let count_jobs = |state: &str| -> Result<u64, EngineError> {
        Ok(conn
            .prepare_cached(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'PostCreditNote' AND state = ?1",
            )?
            .query_row([state], |r| r.get::<_, i64>(0))?
            .max(0) as u64)
    };
    c.credit_notes_posted = count_jobs("Done")?;
    c.credit_notes_failed = count_jobs("Dead")?;
    c.awaiting_trigger = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM jobs j JOIN records r ON r.id = j.record_id
             WHERE j.kind = 'SyncOrder' AND j.state = 'Waiting' AND r.cancelled = 0
               AND j.last_error_message LIKE ?1",
        )?
        .query_row([format!("{}%", crate::flows::WAIT_PREFIX)], |r| {
            r.get::<_, i64>(0)
        })?
        .max(0) as u64;
    c.outcomes_pending = conn
        .prepare_cached("SELECT COUNT(*) FROM outcomes WHERE acked = 0")?
        .query_row([], |r| r.get::<_, i64>(0))?
        .max(0) as u64;
    Ok(c)
}
