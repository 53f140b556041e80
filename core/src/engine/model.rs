//! The engine's documents: what goes in and out of the public API and across the C ABI
//! (receipts, outcomes, counts, record pages and details, previews, connection reports) and the
//! state names stored in the journal. All PascalCase JSON; times are UTC.

use crate::mapping::text::quote;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{EngineError, ErrorDoc};

/// What the shop admin sees for an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordState {
    /// Waiting for its first attempt (or for a dependency, e.g. a payment waiting for the invoice).
    Pending,
    /// A worker holds a job of this order right now.
    InFlight,
    /// An attempt failed with a retryable error; another is scheduled.
    Retrying,
    /// Everything asked of KashFlow for this order is done.
    Synced,
    /// Dead letter: a permanent error or retries exhausted; needs the admin.
    Failed,
    /// Cancelled before its invoice was posted; nothing will be sent.
    Cancelled,
}

impl RecordState {
    pub const ALL: [RecordState; 6] = [
        RecordState::Pending,
        RecordState::InFlight,
        RecordState::Retrying,
        RecordState::Synced,
        RecordState::Failed,
        RecordState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordState::Pending => "Pending",
            RecordState::InFlight => "InFlight",
            RecordState::Retrying => "Retrying",
            RecordState::Synced => "Synced",
            RecordState::Failed => "Failed",
            RecordState::Cancelled => "Cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        RecordState::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The kinds of work the engine schedules. New kinds are added here (stored by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobKind {
    /// Create the order's customer (if needed) and its sales invoice.
    SyncOrder,
    /// Record a payment on the order's invoice (waits until the invoice exists).
    RecordPayment,
    /// Read stock levels from KashFlow and emit `SetStock` outcomes.
    PullStock,
    /// Post one credit note (refund, cancellation or void after the invoice exists), apply it to
    /// the invoice and record the money paid back (waits until the invoice exists).
    PostCreditNote,
    /// A flow's Customer step on `CustomerRegistered`/`CustomerChanged`: find the KashFlow
    /// customer by e-mail or create it, ahead of any order. Not tied to an order.
    SyncCustomer,
    /// A flow's Product step on `ProductChanged`: create the KashFlow product if it is missing.
    /// Not tied to an order.
    SyncProduct,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::SyncOrder => "SyncOrder",
            JobKind::RecordPayment => "RecordPayment",
            JobKind::PullStock => "PullStock",
            JobKind::PostCreditNote => "PostCreditNote",
            JobKind::SyncCustomer => "SyncCustomer",
            JobKind::SyncProduct => "SyncProduct",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            JobKind::SyncOrder,
            JobKind::RecordPayment,
            JobKind::PullStock,
            JobKind::PostCreditNote,
            JobKind::SyncCustomer,
            JobKind::SyncProduct,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A job's own state in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobState {
    /// Ready to be claimed at `RunAtUtc`.
    Queued,
    /// Blocked on something the journal will announce (a payment waiting for its invoice).
    Waiting,
    /// Claimed by a worker until the lease expires.
    Leased,
    Done,
    /// Dead letter.
    Dead,
    Cancelled,
    /// Held for the admin (a partial refund to itemise or post; `CreditNoteRelease` releases it).
    Held,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "Queued",
            JobState::Waiting => "Waiting",
            JobState::Leased => "Leased",
            JobState::Done => "Done",
            JobState::Dead => "Dead",
            JobState::Cancelled => "Cancelled",
            JobState::Held => "Held",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            JobState::Queued,
            JobState::Waiting,
            JobState::Leased,
            JobState::Done,
            JobState::Dead,
            JobState::Cancelled,
            JobState::Held,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What an enqueue did. The contract's four (`Pending`, `Failed`, `Unchanged`, `Replaced`) plus
/// `Cancelled` (a cancellation stopped the order before posting) and `Accepted` (an event was
/// recorded on the order, e.g. a credit note is now needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReceiptState {
    Pending,
    Failed,
    Unchanged,
    Replaced,
    Cancelled,
    Accepted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnqueueReceipt {
    pub record_id: i64,
    pub order_id: i64,
    pub state: ReceiptState,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutcomeKind {
    SetOrderStatus,
    AddOrderNote,
    SetStock,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::SetOrderStatus => "SetOrderStatus",
            OutcomeKind::AddOrderNote => "AddOrderNote",
            OutcomeKind::SetStock => "SetStock",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            OutcomeKind::SetOrderStatus,
            OutcomeKind::AddOrderNote,
            OutcomeKind::SetStock,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Something the host must do in nopCommerce, delivered at least once: `poll_outcomes` returns it
/// until `ack_outcomes` acknowledges its `Id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Outcome {
    pub id: i64,
    pub kind: OutcomeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
}

/// An outcome as a processor (or the engine) asks for it; the journal gives it its `Id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeSpec {
    SetOrderStatus {
        order_id: i64,
        order_status: String,
    },
    AddOrderNote {
        order_id: i64,
        note: String,
        invoice_number: Option<i64>,
    },
    SetStock {
        sku: String,
        quantity: i64,
    },
}

impl OutcomeSpec {
    pub fn into_outcome(self, id: i64) -> Outcome {
        let mut o = Outcome {
            id,
            kind: OutcomeKind::AddOrderNote,
            order_id: None,
            order_status: None,
            note: None,
            invoice_number: None,
            sku: None,
            quantity: None,
        };
        match self {
            OutcomeSpec::SetOrderStatus {
                order_id,
                order_status,
            } => {
                o.kind = OutcomeKind::SetOrderStatus;
                o.order_id = Some(order_id);
                o.order_status = Some(order_status);
            }
            OutcomeSpec::AddOrderNote {
                order_id,
                note,
                invoice_number,
            } => {
                o.kind = OutcomeKind::AddOrderNote;
                o.order_id = Some(order_id);
                o.note = Some(note);
                o.invoice_number = invoice_number;
            }
            OutcomeSpec::SetStock { sku, quantity } => {
                o.kind = OutcomeKind::SetStock;
                o.sku = Some(sku);
                o.quantity = Some(quantity);
            }
        }
        o
    }
}

/// Business keys the engine remembers between nopCommerce and KashFlow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LedgerKind {
    /// nopCommerce order id → KashFlow invoice number.
    OrderInvoice,
    /// Lower-cased customer e-mail → KashFlow customer code.
    EmailCustomer,
    /// nopCommerce SKU → KashFlow product code.
    SkuProduct,
    /// `{order id}:{credit note seq}` → the credit note posted (JSON: `CreditNotePosted`).
    CreditNote,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::OrderInvoice => "OrderInvoice",
            LedgerKind::EmailCustomer => "EmailCustomer",
            LedgerKind::SkuProduct => "SkuProduct",
            LedgerKind::CreditNote => "CreditNote",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub kind: LedgerKind,
    pub key: String,
    pub value: String,
}

/// One KashFlow request made during an attempt, as the processor reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallRecord {
    pub method: String,
    pub path: String,
    /// HTTP status, or `None` when no response came (timeout, connection refused).
    pub status: Option<u16>,
    pub duration_ms: u64,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StatusCounts {
    pub pending: u64,
    pub in_flight: u64,
    pub retrying: u64,
    pub synced: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub total: u64,
    pub needs_credit_note: u64,
    /// Credit notes posted to KashFlow.
    #[serde(default)]
    pub credit_notes_posted: u64,
    /// Credit notes that could not be posted (dead letters; the admin retries).
    #[serde(default)]
    pub credit_notes_failed: u64,
    /// Outcomes written but not yet acknowledged by the host.
    pub outcomes_pending: u64,
    /// Orders (counted in `Pending`) whose invoice waits for a flow's trigger (paid, shipped,
    /// delivered, completed): nothing to do until that event arrives.
    #[serde(default)]
    pub awaiting_trigger: u64,
    /// `"Closed"`, `"Open"` or `"HalfOpen"`.
    pub circuit: String,
    /// The process running the jobs (the active-worker lease), or the last one when none holds it
    /// now (`Active: false`); `None` before any engine has run on the journal.
    #[serde(default)]
    pub active_worker: Option<super::lease::ActiveWorker>,
}

/// Filters and paging for `list_records`. Every field is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct RecordQuery {
    /// Any of these states; empty means all.
    pub states: Vec<RecordState>,
    /// Orders created (nopCommerce `CreatedOnUtc`) at or after this time.
    pub from_utc: Option<DateTime<Utc>>,
    /// Orders created before this time.
    pub to_utc: Option<DateTime<Utc>>,
    /// Substring of the custom order number or of the order id.
    pub search: Option<String>,
    pub needs_credit_note: Option<bool>,
    /// Only these nopCommerce order ids (at most `MAX_PAGE_SIZE`); empty means all. The host's
    /// catch-up after an unclean exit asks which of a page of store orders the journal knows.
    pub order_ids: Vec<i64>,
    /// 1-based.
    pub page: u32,
    /// 1..=500, default 50.
    pub page_size: u32,
}

impl Default for RecordQuery {
    fn default() -> Self {
        RecordQuery {
            states: Vec::new(),
            from_utc: None,
            to_utc: None,
            search: None,
            needs_credit_note: None,
            order_ids: Vec::new(),
            page: 1,
            page_size: 50,
        }
    }
}

impl RecordQuery {
    pub const MAX_PAGE_SIZE: u32 = 500;

    pub fn from_json(json: &[u8]) -> Result<Self, EngineError> {
        serde_json::from_slice(json).map_err(|e| {
            EngineError::invalid_document(
                format!("the record query is not valid: {}", quote(&e.to_string())),
                None,
            )
        })
    }
}

/// One row of the sync log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordSummary {
    pub record_id: i64,
    /// nopCommerce order id; negative for a snapshot that had no readable `Id`.
    pub order_id: i64,
    pub custom_order_number: Option<String>,
    pub state: RecordState,
    pub order_created_utc: Option<DateTime<Utc>>,
    pub created_utc: DateTime<Utc>,
    pub updated_utc: DateTime<Utc>,
    pub next_attempt_utc: Option<DateTime<Utc>>,
    pub attempts: u32,
    pub last_error: Option<ErrorDoc>,
    pub invoice_number: Option<i64>,
    pub customer_code: Option<String>,
    pub needs_credit_note: bool,
    pub credit_note_reason: Option<String>,
    /// The order's credit notes (refunds, cancellation, void), oldest first.
    #[serde(default)]
    pub credit_notes: Vec<CreditNoteSummary>,
}

/// What a posted credit note is, as kept in the ledger (`LedgerKind::CreditNote`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreditNotePosted {
    pub number: i64,
    /// Credited (gross, positive) in the invoice's currency.
    pub amount: rust_decimal::Decimal,
    pub currency: String,
    /// Issue date (UK), `YYYY-MM-DD`.
    pub date: String,
    /// Applied to the invoice.
    pub applied: rust_decimal::Decimal,
    /// Paid back to the customer.
    pub refunded: rust_decimal::Decimal,
}

/// One credit note of an order in the sync log, beside its invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreditNoteSummary {
    pub seq: u32,
    /// `Refund`, `Cancellation` or `Void`.
    pub cause: String,
    /// The job's state: `Waiting` (for the invoice), `Queued`, `Leased`, `Done`, `Dead`.
    pub state: JobState,
    /// The amount asked for (primary store currency), when a partial refund.
    pub requested_amount: Option<rust_decimal::Decimal>,
    /// When the refund, cancellation or void happened.
    pub date_utc: Option<DateTime<Utc>>,
    /// Set once posted.
    pub posted: Option<CreditNotePosted>,
    pub last_error: Option<ErrorDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordPage {
    pub items: Vec<RecordSummary>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttemptResult {
    Done,
    Retry,
    DeadLetter,
    Waiting,
    /// The worker stopped mid-attempt (crash, shutdown); KashFlow may or may not have the change.
    Interrupted,
}

impl AttemptResult {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptResult::Done => "Done",
            AttemptResult::Retry => "Retry",
            AttemptResult::DeadLetter => "DeadLetter",
            AttemptResult::Waiting => "Waiting",
            AttemptResult::Interrupted => "Interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            AttemptResult::Done,
            AttemptResult::Retry,
            AttemptResult::DeadLetter,
            AttemptResult::Waiting,
            AttemptResult::Interrupted,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttemptEntry {
    pub id: i64,
    pub job_id: i64,
    pub job_kind: String,
    pub started_utc: DateTime<Utc>,
    pub duration_ms: u64,
    pub result: AttemptResult,
    pub error: Option<ErrorDoc>,
    pub calls: Vec<CallRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobEntry {
    pub id: i64,
    pub kind: String,
    pub state: JobState,
    pub attempts: u32,
    pub run_at_utc: DateTime<Utc>,
    /// An earlier attempt was interrupted: the processor must check KashFlow before writing.
    pub outcome_unknown: bool,
    pub last_error: Option<ErrorDoc>,
    pub payload: Option<Value>,
    pub created_utc: DateTime<Utc>,
    pub updated_utc: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventEntry {
    pub id: i64,
    pub kind: String,
    pub received_utc: DateTime<Utc>,
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutcomeEntry {
    pub outcome: Outcome,
    pub acked: bool,
    pub created_utc: DateTime<Utc>,
}

/// Everything known about one order, for the admin's detail page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordDetail {
    pub record: RecordSummary,
    pub snapshot_hash: Option<String>,
    /// Hash of the snapshot that was posted, when synced; differs from `SnapshotHash` when the
    /// order changed while it was being posted.
    pub synced_snapshot_hash: Option<String>,
    /// The stored snapshot: its JSON, or a string of the raw text when it is not JSON.
    pub snapshot: Option<Value>,
    /// The mapped invoice as the processor last produced it, if any.
    pub mapped_invoice: Option<Value>,
    pub jobs: Vec<JobEntry>,
    pub attempts: Vec<AttemptEntry>,
    pub events: Vec<EventEntry>,
    pub outcomes: Vec<OutcomeEntry>,
}

/// What syncing a snapshot would do, without doing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Preview {
    pub order_id: i64,
    pub custom_order_number: String,
    /// True when the snapshot maps to a valid invoice.
    pub ok: bool,
    /// The canonical invoice, when mapping succeeded.
    pub invoice: Option<Value>,
    /// The KashFlow requests that would be sent, in order.
    pub requests: Vec<Value>,
    pub errors: Vec<ErrorDoc>,
    pub warnings: Vec<String>,
    /// Checked against the KashFlow account's lookups (products, nominal codes, VAT rates,
    /// currencies, payment methods, bank accounts): `false` until they have been read (a
    /// connection test or `kfs_engine_lookups`), and then `ok` says only that the order maps.
    pub checked_against_account: bool,
    /// The order's state in the journal, if it has been enqueued.
    pub journal_state: Option<RecordState>,
    /// The invoice already posted for this order, if any.
    pub journal_invoice_number: Option<i64>,
}

impl Preview {
    pub fn new(order_id: i64, custom_order_number: impl Into<String>) -> Self {
        Preview {
            order_id,
            custom_order_number: custom_order_number.into(),
            ok: false,
            invoice: None,
            requests: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            checked_against_account: false,
            journal_state: None,
            journal_invoice_number: None,
        }
    }
}

/// The result of `test_connection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionReport {
    pub ok: bool,
    pub mode: String,
    pub base_url: Option<String>,
    pub message: String,
    pub account_name: Option<String>,
    pub latency_ms: u64,
    /// `Rest` or `Soap`.
    #[serde(default)]
    pub transport: String,
    /// What the account says about itself (VAT registration, currencies, bank accounts), when
    /// the test got that far.
    #[serde(default)]
    pub facts: Option<crate::kashflow::transport::AccountFacts>,
    /// Why the test failed, as a code the host can phrase for the shop admin: KashFlow's login
    /// refusal (`InvalidCredentials`, `IpNotAllowed`, `AccountLocked`, `PasswordExpired`, ...) or
    /// the engine's failure code (`KashFlowUnreachable`, `KashFlowTimeout`, `InvalidConfig`, ...).
    /// `None` when the test worked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// Milliseconds since the Unix epoch (journal time) to a UTC time.
pub fn ms_to_utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| Utc.timestamp_millis_opt(0).single().expect("epoch"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_documents_match_the_contract() {
        let o = OutcomeSpec::AddOrderNote {
            order_id: 123,
            note: "KashFlow invoice 100123 created (customer NOP000045)".into(),
            invoice_number: Some(100123),
        }
        .into_outcome(8);
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"Id":8,"Kind":"AddOrderNote","OrderId":123,"Note":"KashFlow invoice 100123 created (customer NOP000045)","InvoiceNumber":100123}"#
        );
        let s = OutcomeSpec::SetStock {
            sku: "MUG-CLASSIC".into(),
            quantity: 118,
        }
        .into_outcome(9);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"Id":9,"Kind":"SetStock","Sku":"MUG-CLASSIC","Quantity":118}"#
        );
        let back: Outcome = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn receipt_document_matches_the_contract() {
        let r = EnqueueReceipt {
            record_id: 1,
            order_id: 123,
            state: ReceiptState::Pending,
            message: None,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"RecordId":1,"OrderId":123,"State":"Pending","Message":null}"#
        );
    }

    #[test]
    fn record_query_reads_partial_documents_and_refuses_unknown_fields() {
        let q =
            RecordQuery::from_json(br#"{"States":["Failed","Retrying"],"Search":"10"}"#).unwrap();
        assert_eq!(q.states, vec![RecordState::Failed, RecordState::Retrying]);
        assert_eq!(q.page, 1);
        assert_eq!(q.page_size, 50);
        let e = RecordQuery::from_json(br#"{"State":"Failed"}"#).unwrap_err();
        assert_eq!(e.code(), "InvalidDocument");
        let e = RecordQuery::from_json(br#"{"States":["Lost"]}"#).unwrap_err();
        assert_eq!(e.code(), "InvalidDocument");
    }
}
