//! The KashFlow stage of the engine: [`KashFlowProcessor`] implements the engine's
//! [`JobProcessor`] seam and turns journaled jobs into KashFlow requests.
//!
//! - `SyncOrder` (`order`): map the snapshot, find or create the customer (`customer`), create the
//!   invoice exactly once (`invoice`), with a payment made at placement inside the create.
//! - `RecordPayment` (`payment`): add a later payment to the invoice exactly once; waits for the
//!   invoice if it does not exist yet.
//! - `PullStock` (`stock`): KashFlow stock levels → `SetStock` outcomes.
//! - `PostCreditNote` (`credit_note`, lines from `credit_plan`): a refund, cancellation or void
//!   after the invoice exists → one credit note, applied, with the money paid back recorded.
//! - `failure`: how KashFlow's answers and mapping errors become Retry / DeadLetter / Waiting.
//! - `connection`: the client per configuration (Live → `BaseUrl`; Sandbox → an in-process
//!   sandbox KashFlow on 127.0.0.1).
//!
//! Exactly-once without idempotency keys rests on looking before writing whenever an earlier
//! attempt may have written (the job was retried, or the engine flags its outcome unknown), on
//! KashFlow refusing a duplicate invoice number, and on the engine's per-key locks.

pub mod catalogue;
pub mod connection;
pub mod credit_note;
pub mod credit_plan;
pub mod customer;
pub mod failure;
pub mod invoice;
pub mod order;
pub mod payment;
pub mod stock;
pub mod trace;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::engine::{
    BoxFuture, ConnectionReport, EngineConfig, EngineError, ErrorDoc, JobContext, JobDone, JobKind,
    JobProcessor, JobResult, KashFlowSettings, LedgerKind, LoginHold, Preview, PreviewContext,
};
use crate::kashflow::error::FailureClass;
use crate::kashflow::limits;
use crate::kashflow::soap::assumptions::{SoapAssumptions, SuppliedInvoiceNumber};
use crate::kashflow::transport::TransportKind;
use crate::mapping::account_check::check_against_account;
use crate::mapping::customer::normalise_email;
use crate::mapping::rules::MappingRules;
use crate::mapping::suggest::{KashFlowCatalogue, NewProduct, ProductCreation};

use crate::flows::{OrderPlan, Trigger};
use connection::{Connection, Connections};
use customer::CustomerCache;
use failure::{verdict, Failure};

/// The processor `Engine::start` runs.
pub struct KashFlowProcessor {
    connections: Connections,
    customers: CustomerCache,
    /// How often jobs held back by a refused login look again.
    auth_poll: Duration,
    /// The account's lookups as last read (`account_catalogue`, or a working connection test):
    /// what previews are checked against.
    /// Keyed by the account it was read from (`LoginHold::account_of`), as the journal keeps it.
    catalogue: std::sync::Mutex<Option<(String, Arc<KashFlowCatalogue>)>>,
}

impl Default for KashFlowProcessor {
    fn default() -> Self {
        KashFlowProcessor {
            connections: Connections::new(),
            customers: CustomerCache::default(),
            auth_poll: failure::AUTH_POLL,
            catalogue: std::sync::Mutex::new(None),
        }
    }
}

impl KashFlowProcessor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Look again this often while a refused login holds jobs back (tests use a short one).
    pub fn with_auth_poll(mut self, every: Duration) -> Self {
        self.auth_poll = every;
        self
    }

    /// A processor whose client ignores `RequestsPerSecond` (the engine caps it at 100 to protect
    /// a real KashFlow account). For benchmarks and tests against a local sandbox only.
    pub fn unthrottled() -> Self {
        KashFlowProcessor {
            connections: Connections::unthrottled(),
            ..Self::default()
        }
    }

    /// The connection in use (e.g. the in-process sandbox in Sandbox mode), once a job or a
    /// connection test has built it.
    pub async fn connection(&self) -> Option<Arc<Connection>> {
        self.connections.current().await
    }

    async fn run(&self, ctx: &JobContext<'_>, conn: &Connection) -> Result<JobDone, Failure> {
        let rules: &MappingRules = &ctx.config.rules;
        match ctx.job.kind {
            JobKind::SyncOrder => order::sync_order(ctx, conn, &self.customers, rules).await,
            JobKind::RecordPayment => {
                let order = ctx.order.ok_or_else(|| {
                    Failure::dead("InvalidJob", "a RecordPayment job without an order")
                })?;
                let event = ctx.job.payment().map_err(|e| Failure::Dead(e.to_doc()))?;
                if !flow_allows(ctx, order, Trigger::OrderPaid, |p| p.payment) {
                    return Ok(JobDone {
                        invoice_number: order.invoice_number,
                        message: Some("no flow records this payment (no Payment step)".into()),
                        ..Default::default()
                    });
                }
                payment::record_payment(ctx, conn, rules, order, &event).await
            }
            JobKind::PullStock => stock::pull_stock(ctx, conn, rules).await,
            JobKind::SyncCustomer => match catalogue::event(ctx)? {
                crate::engine::catalogue_events::CatalogueEvent::Customer {
                    registered,
                    customer,
                } => {
                    catalogue::sync_customer(
                        ctx,
                        conn,
                        &self.customers,
                        rules,
                        registered,
                        &customer,
                    )
                    .await
                }
                _ => Err(Failure::dead(
                    "InvalidJob",
                    "a SyncCustomer job without a customer",
                )),
            },
            JobKind::SyncProduct => match catalogue::event(ctx)? {
                crate::engine::catalogue_events::CatalogueEvent::Product(p) => {
                    let (flow, update_price) = match catalogue::product_plan(ctx, &p) {
                        Ok(plan) => plan,
                        Err(why) => {
                            return Ok(JobDone {
                                message: Some(why),
                                ..Default::default()
                            })
                        }
                    };
                    if let Some(done) =
                        catalogue::update_existing_product(ctx, conn, rules, &p, update_price)
                            .await?
                    {
                        return Ok(JobDone {
                            message: Some(format!("flow '{flow}': {done}")),
                            ..Default::default()
                        });
                    }
                    let wanted = catalogue::product_request(&p, rules, update_price);
                    let result = self
                        .create_products_now(ctx.config, std::slice::from_ref(&wanted))
                        .await
                        .map_err(|e| Failure::dead(e.code(), e.to_string()))?;
                    match result.first() {
                        // KashFlow refused it (or the code cannot be one): the admin's phrase
                        // for a refusal, with KashFlow's words.
                        Some(r) if r.result == "Failed" => Err(Failure::dead(
                            "KashFlowRejected",
                            format!(
                                "KashFlow product {} could not be created: {}",
                                r.code,
                                r.error.clone().unwrap_or_default()
                            ),
                        )),
                        Some(r) => Ok(JobDone {
                            message: Some(format!(
                                "flow '{flow}': KashFlow product {} {}",
                                r.code,
                                if r.result == "Created" {
                                    "created"
                                } else {
                                    "already in KashFlow"
                                }
                            )),
                            ..Default::default()
                        }),
                        None => Ok(JobDone::default()),
                    }
                }
                _ => Err(Failure::dead(
                    "InvalidJob",
                    "a SyncProduct job without a product",
                )),
            },
            JobKind::PostCreditNote => {
                let order = ctx.order.ok_or_else(|| {
                    Failure::dead("InvalidJob", "a PostCreditNote job without an order")
                })?;
                let req = ctx.job.credit().map_err(|e| Failure::Dead(e.to_doc()))?;
                // A void is a cancellation (README: credit notes).
                let trigger = match req.cause {
                    crate::engine::CreditCause::Refund => Trigger::OrderRefunded,
                    _ => Trigger::OrderCancelled,
                };
                if !flow_allows(ctx, order, trigger, |p| p.credit_note) {
                    return Ok(JobDone {
                        invoice_number: order.invoice_number,
                        message: Some(format!(
                            "no flow posts a credit note on {trigger} (no CreditNote step)"
                        )),
                        ..Default::default()
                    });
                }
                credit_note::post_credit_note(ctx, conn, rules, order, &req).await
            }
        }
    }
}

impl JobProcessor for KashFlowProcessor {
    fn process<'a>(&'a self, ctx: JobContext<'a>) -> BoxFuture<'a, JobResult> {
        Box::pin(async move {
            let conn = match self.connections.get(&ctx.config.kashflow).await {
                Ok(c) => c,
                Err(Failure::Wait { reason, .. }) => {
                    return JobResult::Waiting {
                        reason,
                        recheck_after: Some(self.auth_poll),
                    }
                }
                Err(f) => return verdict(f),
            };
            match self.run(&ctx, &conn).await {
                Ok(done) => JobResult::Done(done),
                Err(f) if f.is_auth() => {
                    let reason = match &f {
                        Failure::KashFlow { error, .. } => {
                            let reason = format!(
                                "KashFlow refused the login ({error}); fix {} in the settings. Syncing resumes once it works; no login is tried until then.",
                                match conn.transport.kind() {
                                    TransportKind::Rest => "the user name, password or memorable word",
                                    TransportKind::Soap => "the user name or API password (or KashFlow's API settings)",
                                }
                            );
                            conn.block(error, reason.clone());
                            // Shared through the journal: a recycled process respects it too.
                            let locked = matches!(error, crate::kashflow::error::KfError::Auth { code, .. }
                                if code.eq_ignore_ascii_case("AccountLocked"));
                            ctx.hold_logins(
                                &reason,
                                locked.then_some(failure::LOCKOUT_WAIT),
                                self.auth_poll,
                            );
                            reason
                        }
                        _ => "KashFlow refused the login".into(),
                    };
                    JobResult::Waiting {
                        reason,
                        recheck_after: Some(self.auth_poll),
                    }
                }
                Err(f) => verdict(f),
            }
        })
    }

    fn preview(&self, ctx: PreviewContext<'_>) -> Result<Preview, EngineError> {
        let rules: &MappingRules = &ctx.config.rules;
        let mut out = Preview::new(ctx.header.order_id, ctx.header.custom_order_number.clone());
        match crate::mapping::preview(ctx.snapshot_json, rules) {
            Ok(p) => {
                out.ok = true;
                out.warnings = p.warnings.iter().map(|w| w.message.clone()).collect();
                out.invoice = serde_json::to_value(&p.canonical).ok();
                let email = normalise_email(&p.canonical.customer.email);
                let known = ctx.ledger(LedgerKind::EmailCustomer, &email)?;
                let mut invoice = p.kashflow_invoice.clone();
                let soap = ctx.config.kashflow.transport == TransportKind::Soap;
                match known {
                    Some(code) => invoice.customer_code = code,
                    None => out.requests.push(serde_json::json!({
                        "Method": "POST",
                        "Path": if soap { "KashFlow/InsertCustomer" } else { "/customers" },
                        "Note": "only if no KashFlow customer has this e-mail",
                        "Body": p.kashflow_customer,
                    })),
                }
                if soap
                    && SoapAssumptions::default().supplied_invoice_number
                        == SuppliedInvoiceNumber::Overwrites
                {
                    // SOAP posts number 0 and finds the invoice again by its reference.
                    invoice.number = Some(0);
                }
                out.requests.push(serde_json::json!({
                    "Method": "POST",
                    "Path": if soap { "KashFlow/InsertInvoice" } else { "/invoices" },
                    "Body": invoice,
                }));
                // Until the lookups are read, `checked_against_account` stays false and says so.
                // Read from the journal once after a restart, then kept here.
                let settings = &ctx.config.kashflow;
                let account = self.cached_catalogue(settings).or_else(|| {
                    let stored = Arc::new(ctx.stored_catalogue()?);
                    self.remember_catalogue(settings, stored.clone());
                    Some(stored)
                });
                if let Some(account) = account {
                    for problem in check_against_account(&p, &account) {
                        out.errors
                            .push(ErrorDoc::new(problem.code, problem.message).at(problem.path));
                    }
                    out.ok = out.errors.is_empty();
                    out.checked_against_account = true;
                }
            }
            Err(errors) => {
                out.errors = errors
                    .errors
                    .iter()
                    .map(|e| {
                        let d = ErrorDoc::new(e.code.as_str(), e.message.clone());
                        match &e.path {
                            Some(p) => d.at(p.clone()),
                            None => d,
                        }
                    })
                    .collect();
            }
        }
        Ok(out)
    }

    fn test_connection<'a>(
        &'a self,
        config: &'a EngineConfig,
    ) -> BoxFuture<'a, Result<ConnectionReport, EngineError>> {
        Box::pin(async move {
            let settings = &config.kashflow;
            let mode = format!("{:?}", settings.mode);
            let transport = settings.transport.to_string();
            // A remembered login refusal does not stop a test the admin asked for: try afresh,
            // and if it works, jobs use the new connection from now on.
            let (conn, fresh) = match self.connections.get(settings).await {
                Ok(c) => (c, false),
                Err(Failure::Wait { .. }) => match connection::connect(settings, false).await {
                    Ok(c) => (Arc::new(c), true),
                    Err(f) => return Ok(failed_report(&transport, mode, None, f, 0)),
                },
                Err(f) => return Ok(failed_report(&transport, mode, None, f, 0)),
            };
            let start = Instant::now();
            let login = conn.transport.login().await;
            let result = match login {
                Ok(()) => conn.transport.account_facts().await,
                Err(e) => Err(e),
            };
            let latency_ms = start.elapsed().as_millis() as u64;
            match result {
                Ok(facts) => {
                    if fresh {
                        self.connections.replace(settings, conn.clone()).await;
                    }
                    // Best effort: previews are checked against the lookups from now on.
                    if let Ok(c) = conn.transport.account_catalogue().await {
                        self.remember_catalogue(settings, Arc::new(c));
                    }
                    Ok(ConnectionReport {
                        ok: true,
                        mode,
                        base_url: Some(conn.base_url.clone()),
                        message: format!(
                            "Logged in to KashFlow ({}) in {latency_ms} ms: {}.",
                            conn.transport.kind(),
                            describe_facts(&facts)
                        ),
                        account_name: facts
                            .company_name
                            .clone()
                            .or_else(|| conn.transport.company_name()),
                        latency_ms,
                        transport: conn.transport.kind().to_string(),
                        facts: Some(facts),
                        error_code: None,
                    })
                }
                Err(e) => {
                    if e.class() == FailureClass::Auth && !failure::is_session_refusal(&e) {
                        conn.block(&e, format!("KashFlow refused the login: {e}"));
                    }
                    Ok(failed_report(
                        &transport,
                        mode,
                        Some(conn.base_url.clone()),
                        Failure::kf("testing the connection", e),
                        latency_ms,
                    ))
                }
            }
        })
    }

    fn account_catalogue<'a>(
        &'a self,
        config: &'a EngineConfig,
    ) -> BoxFuture<'a, Result<KashFlowCatalogue, EngineError>> {
        Box::pin(async move {
            let conn = self.connections.get(&config.kashflow).await.map_err(|f| {
                EngineError::invalid_request(format!(
                    "KashFlow cannot be reached to read its lookups: {}",
                    failure_text(f)
                ))
            })?;
            let catalogue = conn.transport.account_catalogue().await.map_err(|e| {
                EngineError::invalid_request(format!("reading KashFlow's lookups failed: {e}"))
            })?;
            self.remember_catalogue(&config.kashflow, Arc::new(catalogue.clone()));
            Ok(catalogue)
        })
    }

    fn create_products<'a>(
        &'a self,
        config: &'a EngineConfig,
        products: &'a [NewProduct],
    ) -> BoxFuture<'a, Result<Vec<ProductCreation>, EngineError>> {
        Box::pin(self.create_products_now(config, products))
    }
}

impl KashFlowProcessor {
    /// One product after another: looked for first (by code, in the account's products as read
    /// just before), created only if absent; a "duplicate" refusal means it is there.
    async fn create_products_now(
        &self,
        config: &EngineConfig,
        products: &[NewProduct],
    ) -> Result<Vec<ProductCreation>, EngineError> {
        let conn = self.connections.get(&config.kashflow).await.map_err(|f| {
            EngineError::invalid_request(format!(
                "KashFlow cannot be reached to create products: {}",
                failure_text(f)
            ))
        })?;
        let read = |e: crate::kashflow::KfError| {
            EngineError::invalid_request(format!("reading KashFlow's products failed: {e}"))
        };
        let before = conn.transport.account_catalogue().await.map_err(read)?;
        let mut results = Vec::with_capacity(products.len());
        for p in products {
            let code = p.code.trim().to_string();
            let there = before
                .products
                .iter()
                .any(|k| k.code.trim().eq_ignore_ascii_case(&code));
            if there
                || results
                    .iter()
                    .any(|r: &ProductCreation| r.code.eq_ignore_ascii_case(&code))
            {
                results.push(ProductCreation {
                    code,
                    result: "AlreadyThere",
                    error: None,
                });
                continue;
            }
            // Plain text within KashFlow's lengths; a code that does not fit is not shortened
            // (a shortened code would never match the SKU on an order).
            let clean = |t: &str| crate::mapping::address::clean_text(Some(t)).unwrap_or_default();
            if code.is_empty() || code.chars().count() > limits::PRODUCT_CODE {
                results.push(ProductCreation {
                    code,
                    result: "Failed",
                    error: Some(format!(
                        "a KashFlow product code is 1 to {} characters",
                        limits::PRODUCT_CODE
                    )),
                });
                continue;
            }
            let name: String = clean(&p.name).chars().take(limits::PRODUCT_NAME).collect();
            let product = crate::kashflow::model::Product {
                code: clean(&code),
                name,
                nominal_code: p.nominal_code,
                price: p.price,
                vat_rate: p.vat_rate,
                ..Default::default()
            };
            let outcome = conn.transport.create_product(&product).await;
            results.push(match outcome {
                Ok(_) => ProductCreation {
                    code,
                    result: "Created",
                    error: None,
                },
                Err(e) if failure::is_duplicate(&e) => ProductCreation {
                    code,
                    result: "AlreadyThere",
                    error: None,
                },
                Err(e) => ProductCreation {
                    code,
                    result: "Failed",
                    error: Some(e.to_string()),
                },
            });
        }
        // The engine reads the lookups again afterwards (`Engine::create_products`), which also
        // releases the orders that waited for these products.
        Ok(results)
    }

    fn remember_catalogue(&self, settings: &KashFlowSettings, c: Arc<KashFlowCatalogue>) {
        if let Ok(mut slot) = self.catalogue.lock() {
            *slot = Some((LoginHold::account_of(settings), c));
        }
    }

    /// The lookups last read for `settings`' account (none for another account).
    fn cached_catalogue(&self, settings: &KashFlowSettings) -> Option<Arc<KashFlowCatalogue>> {
        let account = LoginHold::account_of(settings);
        self.catalogue
            .lock()
            .ok()?
            .as_ref()
            .filter(|(a, _)| *a == account)
            .map(|(_, c)| c.clone())
    }
}

/// Whether the flow matching `trigger` for the order has the step `has` looks for. A payment is
/// also recorded when the flow that posts the invoice has a Payment step. Without a snapshot to
/// test conditions on, flows without conditions decide.
fn flow_allows(
    ctx: &JobContext<'_>,
    order: &crate::engine::OrderInfo,
    trigger: Trigger,
    has: impl Fn(&OrderPlan) -> bool,
) -> bool {
    let flows = ctx.config.effective_flows();
    let snapshot = order
        .snapshot_json
        .as_deref()
        .and_then(|j| crate::order::parse_snapshot(j).ok());
    match snapshot {
        Some(s) => {
            has(&OrderPlan::decide(&flows, trigger, &s))
                || (trigger == Trigger::OrderPaid
                    && matches!(
                        crate::flows::decide_invoice(&flows, &s, &order.events),
                        crate::flows::InvoiceDecision::Post(p) if p.payment
                    ))
        }
        None => flows
            .for_trigger(trigger)
            .filter(|f| f.enabled && f.when.is_none())
            .take(1)
            .any(|f| {
                f.steps.iter().any(|st| match st {
                    crate::flows::Step::Payment => trigger == Trigger::OrderPaid,
                    crate::flows::Step::CreditNote => trigger != Trigger::OrderPaid,
                    _ => false,
                })
            }),
    }
}

/// A failure in one sentence, for a report to the admin.
fn failure_text(f: Failure) -> String {
    match f {
        Failure::KashFlow { error, .. } => error.to_string(),
        Failure::Wait { reason, .. } => reason,
        Failure::Dead(d) => d.message,
        Failure::Invalid(e) => e.to_string(),
        Failure::NotApplied { error, .. } => error.to_string(),
    }
}

/// "VAT registered, currencies GBP, EUR, bank accounts Current Account, …" for a connection test.
fn describe_facts(f: &crate::kashflow::transport::AccountFacts) -> String {
    let vat = match f.vat_registered {
        Some(true) => "VAT registered",
        Some(false) => "not VAT registered",
        None => "VAT registration not reported",
    };
    let list = |v: &[String]| {
        if v.is_empty() {
            "none found".to_string()
        } else {
            v.join(", ")
        }
    };
    format!(
        "{vat}; {} currencies ({}); {} bank account(s) ({})",
        f.currencies.len(),
        list(&f.currencies),
        f.bank_accounts.len(),
        list(&f.bank_accounts)
    )
}

fn failed_report(
    transport: &str,
    mode: String,
    base_url: Option<String>,
    f: Failure,
    latency_ms: u64,
) -> ConnectionReport {
    let error_code = Some(failure::report_code(&f));
    let message = failure_text(f);
    ConnectionReport {
        ok: false,
        mode,
        base_url,
        message,
        account_name: None,
        latency_ms,
        transport: transport.to_string(),
        facts: None,
        error_code,
    }
}
