//! Flows: the merchant's say over when and what posts to KashFlow. A flow document (versioned
//! JSON, `"Version": 1`) holds flows of trigger → conditions → steps; for each trigger the first
//! enabled flow whose condition holds for the order decides what the worker does. Without a
//! document the default flows apply, which are the product's behaviour before flows.
//!
//! - `model`: the types (and how they are written back as JSON).
//! - `read`: reading and validating a document, every error on its designer box.
//! - `eval`: the facts a condition tests, evaluation with an explanation, choosing the flow.
//! - `plan`: what a flow decides for one order on one trigger; the default flows.
//! - `dry_run`: what the flows would do with a list of orders, posting nothing.
//! - `schema`: the document's JSON Schema (`core/schema/flows.v1.schema.json`).

pub mod dry_run;
pub mod eval;
pub mod model;
pub mod plan;
pub mod read;
pub mod schema;

/// How the reason of an invoice waiting for a flow's trigger begins (the status counts find
/// those orders by it: pending, but with nothing to do until the event).
pub const WAIT_PREFIX: &str = "the invoice waits for ";

pub use dry_run::{dry_run, DryRun, DryRunRow};
pub use eval::{choose, evaluate, Facts};
pub use model::{
    Condition, CustomerMode, Field, Flow, FlowDocument, Op, Step, Subject, TargetStatus, Test,
    TestValue, Trigger, FLOWS_VERSION,
};
pub use plan::{
    decide_invoice, default_flows, passed, InvoiceDecision, InvoiceSettings, OrderPlan,
};
pub use read::{parse, read, validate, FlowError, Validation};
