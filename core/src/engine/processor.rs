//! The seam between the durable engine and the work itself.
//!
//! The engine owns everything around a job: claiming it under a lease, the per-order exclusion,
//! backoff, the circuit breaker, and writing the result (state change, outcomes, ledger updates,
//! attempt history) in one journal transaction. A [`JobProcessor`] only does the job: given a
//! [`JobContext`] it talks to KashFlow and returns a [`JobResult`]. The KashFlow stage implements
//! this trait; until it is wired in, [`UnwiredProcessor`] keeps every job waiting (nothing is failed
//! or lost) and says why.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::config::EngineConfig;
use super::error::{EngineError, ErrorDoc};
use super::events::PaymentEvent;
use super::header::SnapshotHeader;
use super::journal::Journal;
use super::locks::{KeyGuard, KeyLocks};
use super::log::{LogLevel, Logger};
use super::model::{
    CallRecord, ConnectionReport, JobKind, LedgerEntry, LedgerKind, OutcomeSpec, Preview,
};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The job being run.
#[derive(Debug, Clone, PartialEq)]
pub struct JobInfo {
    pub id: i64,
    pub kind: JobKind,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// An earlier attempt stopped without recording its result (crash, lease expiry, shutdown):
    /// KashFlow may already have the change, so check before writing.
    pub outcome_unknown: bool,
    /// Kind-specific payload (`RecordPayment`: the payment, see [`JobInfo::payment`]).
    pub payload: Option<Value>,
    pub record_id: Option<i64>,
}

impl JobInfo {
    /// The credit note of a `PostCreditNote` job.
    pub fn credit(&self) -> Result<super::events::CreditRequest, EngineError> {
        match &self.payload {
            Some(v) => super::events::CreditRequest::from_value(v),
            None => Err(EngineError::invalid_document(
                "this job carries no credit note",
                None,
            )),
        }
    }

    /// The payment of a `RecordPayment` job.
    pub fn payment(&self) -> Result<PaymentEvent, EngineError> {
        match &self.payload {
            Some(v) => PaymentEvent::from_value(v),
            None => Err(EngineError::invalid_document(
                "this job carries no payment",
                None,
            )),
        }
    }
}

/// The order a job belongs to, as the journal holds it at claim time.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderInfo {
    pub record_id: i64,
    pub order_id: i64,
    pub custom_order_number: Option<String>,
    /// The stored snapshot (`None` while only events have arrived for the order).
    pub snapshot_json: Option<Vec<u8>>,
    pub snapshot_hash: Option<String>,
    /// KashFlow references already recorded for the order.
    pub invoice_number: Option<i64>,
    pub customer_code: Option<String>,
    /// The kinds of the events the order has had (`OrderPaid`, `OrderShipped`, …), oldest
    /// first: the flow triggers it has passed.
    pub events: Vec<String>,
}

/// Per-attempt side channel the engine reads after `process` returns, whatever the result.
#[derive(Default)]
pub(crate) struct AttemptScratch {
    pub calls: Mutex<Vec<CallRecord>>,
    pub mapped_invoice: Mutex<Option<Value>>,
    /// A KashFlow call was not started because this engine no longer holds the active-worker lease.
    pub stood_down: std::sync::atomic::AtomicBool,
    /// This attempt was allowed to start a KashFlow request (its first one has gone out).
    pub sent_any: std::sync::atomic::AtomicBool,
    /// The order's cancellation arrived before this attempt's first KashFlow request: nothing was
    /// sent, and the engine cancels the order instead of letting the attempt post it.
    pub cancelled: std::sync::atomic::AtomicBool,
    /// KashFlow refused the login: (reason, retry the login after, recheck jobs every).
    pub login_refused: Mutex<Option<(String, Option<Duration>, Duration)>>,
}

/// Everything a processor may use while running one job.
pub struct JobContext<'a> {
    pub job: &'a JobInfo,
    /// `None` for jobs not tied to an order (`PullStock`).
    pub order: Option<&'a OrderInfo>,
    /// The configuration in force when the job was claimed (a reconfigure applies to the next job).
    pub config: &'a EngineConfig,
    pub(crate) journal: &'a Journal,
    pub(crate) locks: &'a KeyLocks,
    pub(crate) log: &'a Logger,
    pub(crate) scratch: &'a AttemptScratch,
    pub(crate) lease: &'a super::lease::LocalLease,
}

impl<'a> JobContext<'a> {
    /// Serialise work on a business key across all workers of this engine
    /// (e.g. `"customer:jane@example.com"` so two orders never create the same customer twice).
    pub async fn lock_key(&self, key: &str) -> KeyGuard<'a> {
        self.locks.lock(key).await
    }

    /// Whether this engine may start a KashFlow request now: it still holds the active-worker
    /// lease by its own reckoning (`engine::lease`), and, before a SyncOrder attempt's first
    /// request, the order has not been cancelled since the job was claimed. Ask before every
    /// request; when it says no, send nothing and give up the attempt (the engine puts the job
    /// back without counting it, or cancels the order).
    pub fn may_call_kashflow(&self) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        if !self.lease.holds() {
            self.scratch.stood_down.store(true, SeqCst);
            return false;
        }
        if self.scratch.cancelled.load(SeqCst) {
            return false;
        }
        if !self.scratch.sent_any.load(SeqCst) && self.cancelled_since_claim() {
            self.scratch.cancelled.store(true, SeqCst);
            return false;
        }
        self.scratch.sent_any.store(true, SeqCst);
        true
    }

    /// A cancellation arrived while this SyncOrder job was Leased (between its claim and now).
    /// Nothing has been sent yet, so the cancellation wins: the attempt stops here and its finish
    /// cancels the order. A failed read lets the request go; the finish still honours the
    /// cancellation (a credit note if the invoice gets posted).
    fn cancelled_since_claim(&self) -> bool {
        match (self.job.kind, self.order) {
            (JobKind::SyncOrder, Some(order)) => self
                .journal
                .cancel_requested(order.record_id)
                .unwrap_or(false),
            _ => false,
        }
    }

    /// KashFlow refused the login (credentials, a locked account): no job of any process on this
    /// journal tries it again until `retry_login_after` has passed (`None`: until the KashFlow
    /// settings change or a connection test succeeds); held jobs look again every `recheck`.
    /// Kept in the journal, so a restarted or recycled process respects it too.
    pub fn hold_logins(
        &self,
        reason: &str,
        retry_login_after: Option<Duration>,
        recheck: Duration,
    ) {
        if let Ok(mut h) = self.scratch.login_refused.lock() {
            *h = Some((reason.to_string(), retry_login_after, recheck));
        }
    }

    /// Look a business key up in the ledger (order → invoice, e-mail → customer, SKU → product).
    pub fn ledger(&self, kind: LedgerKind, key: &str) -> Result<Option<String>, EngineError> {
        self.journal.ledger_get(kind, key)
    }

    /// Report a KashFlow request made during this attempt (kept in the attempt history).
    pub fn record_call(&self, call: CallRecord) {
        if let Ok(mut c) = self.scratch.calls.lock() {
            c.push(call);
        }
    }

    /// Keep the mapped invoice on the record (shown in the record detail), even if posting fails.
    pub fn set_mapped_invoice(&self, invoice: Value) {
        if let Ok(mut m) = self.scratch.mapped_invoice.lock() {
            *m = Some(invoice);
        }
    }

    pub fn log(&self, level: LogLevel, message: &str) {
        self.log.log(level, "kashflow_sync::processor", message);
    }
}

/// What a successful job leaves behind. Written in the same transaction as the state change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobDone {
    /// The KashFlow invoice number (SyncOrder); recorded on the record and in the ledger.
    pub invoice_number: Option<i64>,
    /// The KashFlow customer code used.
    pub customer_code: Option<String>,
    /// Instructions for the host (order status, order note, stock level).
    pub outcomes: Vec<OutcomeSpec>,
    /// Further ledger entries (e-mail → customer code, SKU → product code).
    pub ledger: Vec<LedgerEntry>,
    /// A line for the log.
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobResult {
    Done(JobDone),
    /// A retryable failure (network, 5xx, 429...). `retry_after` is a floor for the next delay
    /// (a server's Retry-After). Counts against `Retry.MaxAttempts` and the circuit breaker.
    /// `maybe_applied`: the write may have reached KashFlow (the answer was lost), so the job
    /// stays flagged and a cancellation before the next attempt asks for KashFlow to be checked.
    Retry {
        error: ErrorDoc,
        retry_after: Option<Duration>,
        maybe_applied: bool,
    },
    /// A permanent failure (validation, mapping): straight to Failed; the admin fixes and retries.
    DeadLetter {
        error: ErrorDoc,
    },
    /// Not an error: the job cannot run yet. `recheck_after: None` waits until the journal itself
    /// announces the dependency (a payment waiting for its invoice); `Some(d)` checks again after
    /// `d`. The attempt does not count against `MaxAttempts`.
    Waiting {
        reason: String,
        recheck_after: Option<Duration>,
    },
}

/// What `preview` gets: the snapshot (header already checked), the configuration, the ledger.
pub struct PreviewContext<'a> {
    pub snapshot_json: &'a [u8],
    pub header: &'a SnapshotHeader,
    pub config: &'a EngineConfig,
    pub(crate) journal: &'a Journal,
}

impl<'a> PreviewContext<'a> {
    pub fn ledger(&self, kind: LedgerKind, key: &str) -> Result<Option<String>, EngineError> {
        self.journal.ledger_get(kind, key)
    }

    /// The configured account's lookups as last read and kept in the journal, if any.
    pub fn stored_catalogue(&self) -> Option<crate::mapping::suggest::KashFlowCatalogue> {
        self.journal
            .account_catalogue(&self.config.kashflow)
            .ok()
            .flatten()
    }
}

/// The work behind the engine. Implemented by the KashFlow stage.
pub trait JobProcessor: Send + Sync {
    /// Run one job. Must not panic on bad data (a panic is caught and treated as a retryable
    /// failure). May be dropped mid-way at shutdown: the job is then retried with
    /// `outcome_unknown` set.
    fn process<'a>(&'a self, ctx: JobContext<'a>) -> BoxFuture<'a, JobResult>;

    /// Map a snapshot and describe the KashFlow requests it would cause, without sending them.
    fn preview(&self, ctx: PreviewContext<'_>) -> Result<Preview, EngineError>;

    /// Check that KashFlow can be reached and the credentials work.
    fn test_connection<'a>(
        &'a self,
        config: &'a EngineConfig,
    ) -> BoxFuture<'a, Result<ConnectionReport, EngineError>>;

    /// Read the account's lookups (payment methods, bank accounts, nominals, VAT rates,
    /// currencies, products) afresh; later previews are checked against them. A processor
    /// without a KashFlow account (tests, benches) has none.
    fn account_catalogue<'a>(
        &'a self,
        _config: &'a EngineConfig,
    ) -> BoxFuture<'a, Result<crate::mapping::suggest::KashFlowCatalogue, EngineError>> {
        Box::pin(async {
            Err(EngineError::invalid_request(
                "this engine has no KashFlow account to read lookups from",
            ))
        })
    }

    /// Create products in KashFlow, one at a time (the client's rate limit applies), each only
    /// if the account does not have its code already.
    fn create_products<'a>(
        &'a self,
        _config: &'a EngineConfig,
        _products: &'a [crate::mapping::suggest::NewProduct],
    ) -> BoxFuture<'a, Result<Vec<crate::mapping::suggest::ProductCreation>, EngineError>> {
        Box::pin(async {
            Err(EngineError::invalid_request(
                "this engine has no KashFlow account to create products in",
            ))
        })
    }
}

/// The processor `Engine::start` uses until the KashFlow stage is wired in: every job waits
/// (state Pending, reason shown on the record), so orders are journaled and nothing is lost or
/// failed; wiring the real processor in is a change to [`default_processor`] only.
pub struct UnwiredProcessor;

const UNWIRED: &str = "this build of KashFlow Sync has no KashFlow connection yet; the order is kept and will be sent once it does";

impl JobProcessor for UnwiredProcessor {
    fn process<'a>(&'a self, _ctx: JobContext<'a>) -> BoxFuture<'a, JobResult> {
        Box::pin(async move {
            JobResult::Waiting {
                reason: UNWIRED.into(),
                recheck_after: Some(Duration::from_secs(300)),
            }
        })
    }

    fn preview(&self, _ctx: PreviewContext<'_>) -> Result<Preview, EngineError> {
        Err(EngineError::NotAvailable {
            message: "preview needs the mapping stage, which this build does not contain yet"
                .into(),
        })
    }

    fn test_connection<'a>(
        &'a self,
        config: &'a EngineConfig,
    ) -> BoxFuture<'a, Result<ConnectionReport, EngineError>> {
        Box::pin(async move {
            Ok(ConnectionReport {
                ok: false,
                mode: format!("{:?}", config.kashflow.mode),
                base_url: config.kashflow.effective_base_url().map(str::to_string),
                message: UNWIRED.into(),
                account_name: None,
                latency_ms: 0,
                transport: config.kashflow.transport.to_string(),
                facts: None,
                error_code: Some("NotAvailable".into()),
            })
        })
    }
}

/// The processor `Engine::start` runs: the KashFlow stage (`crate::sync`), which builds its
/// KashFlow client from the configuration in force (Live → `BaseUrl`; Sandbox → an in-process
/// sandbox KashFlow on 127.0.0.1).
pub fn default_processor() -> Arc<dyn JobProcessor> {
    Arc::new(crate::sync::KashFlowProcessor::new())
}
