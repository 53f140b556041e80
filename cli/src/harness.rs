//! Shared set-up for the `kfsync` commands and the end-to-end tests: a sandbox KashFlow over
//! loopback HTTP, an engine configuration pointing at it, feeding a generated day into the
//! engine, waiting until everything has settled, acting as the host for outcomes, and reading
//! the sandbox's books for a summary.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kashflow_sync::engine::{
    BoxFuture, ConnectionReport, Engine, EngineConfig, EngineError, EngineOptions, JobContext,
    JobProcessor, JobResult, KashFlowMode, LogLevel, LogSink, Outcome, OutcomeKind, Preview,
    PreviewContext, RecordQuery, RecordState, RecordSummary, Secret, StatusCounts,
};
use kashflow_sync::kashflow::sandbox::faults::{FaultKind, RandomFaults};
use kashflow_sync::kashflow::sandbox::seed;
use kashflow_sync::kashflow::sandbox::server::{SandboxConfig, SandboxHandle, SandboxServer};
use kashflow_sync::sync::KashFlowProcessor;
use rust_decimal::Decimal;
use tokio::runtime::Handle;

use crate::gen::FeedItem;

pub use kashflow_sync::kashflow::transport::TransportKind;

/// Run one end-to-end test on each transport: `over_transports! { #[tokio::test] async fn
/// name(t) { … } }` becomes the module `name` with the tests `rest` and `soap`, both running the
/// same body with `t` set to the transport (the suite is parameterised, not copied).
#[macro_export]
macro_rules! over_transports {
    ($(#[$attr:meta])* async fn $name:ident($t:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($t: $crate::harness::TransportKind) $body
            $(#[$attr])*
            async fn rest() {
                run($crate::harness::TransportKind::Rest).await
            }
            $(#[$attr])*
            async fn soap() {
                run($crate::harness::TransportKind::Soap).await
            }
        }
    };
}

/// KashFlow login for a KashFlow served elsewhere.
#[derive(Clone)]
pub struct Credentials {
    pub user_name: String,
    pub password: String,
    pub memorable_word: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user_name", &self.user_name)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The sandbox's default login.
    pub fn sandbox() -> Self {
        Credentials {
            user_name: seed::USERNAME.into(),
            password: seed::PASSWORD.into(),
            memorable_word: seed::MEMORABLE_WORD.into(),
        }
    }

    /// From `KFSYNC_USERNAME` / `KFSYNC_PASSWORD` / `KFSYNC_MEMORABLE_WORD`, each defaulting to
    /// the sandbox's.
    pub fn from_env() -> Self {
        let d = Self::sandbox();
        let var = |k: &str, default: String| std::env::var(k).unwrap_or(default);
        Credentials {
            user_name: var("KFSYNC_USERNAME", d.user_name),
            password: var("KFSYNC_PASSWORD", d.password),
            memorable_word: var("KFSYNC_MEMORABLE_WORD", d.memorable_word),
        }
    }
}

/// Every kind of fault the sandbox can inject (the fault storm uses them all).
pub fn every_fault_kind() -> Vec<FaultKind> {
    vec![
        FaultKind::ServerError,
        FaultKind::DropConnection,
        FaultKind::SqlTimeout,
        FaultKind::RateLimited {
            retry_after_secs: 0,
        },
        FaultKind::ExpireSession,
        FaultKind::CommitThenDrop,
        FaultKind::CommitThenServerError,
        FaultKind::Delay(Duration::from_millis(5)),
    ]
}

/// Sandbox options for the commands and tests.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    pub latency: Duration,
    pub fault_rate: f64,
    pub fault_kinds: Vec<FaultKind>,
    pub seed: u64,
    pub allow_negative_stock: bool,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            latency: Duration::ZERO,
            fault_rate: 0.0,
            fault_kinds: RandomFaults::default_kinds(),
            seed: 1,
            allow_negative_stock: false,
        }
    }
}

/// Start a sandbox KashFlow on 127.0.0.1 (a free port).
pub async fn start_sandbox(o: &SandboxOptions) -> Result<SandboxHandle, String> {
    let cfg = SandboxConfig {
        latency: o.latency,
        allow_negative_stock: o.allow_negative_stock,
        random_faults: (o.fault_rate > 0.0).then(|| RandomFaults {
            rate: o.fault_rate,
            kinds: o.fault_kinds.clone(),
            seed: o.seed,
            include_login: false,
        }),
        rng_seed: Some(o.seed),
        ..SandboxConfig::default()
    };
    SandboxServer::start(cfg).await.map_err(|e| e.to_string())
}

/// An engine configuration for a KashFlow at `base_url`: Live mode for `https://` (a real
/// KashFlow), Sandbox mode with that `BaseUrl` for a sandbox served over plain HTTP on loopback
/// (the engine allows `http://` only in Sandbox mode).
pub fn engine_config(journal: &Path, base_url: &str, creds: &Credentials) -> EngineConfig {
    let mut c = EngineConfig::new(journal);
    c.kashflow.mode = if base_url.starts_with("https://") {
        KashFlowMode::Live
    } else {
        KashFlowMode::Sandbox
    };
    c.kashflow.base_url = Some(base_url.to_string());
    c.kashflow.user_name = creds.user_name.clone();
    c.kashflow.password = Secret::new(creds.password.clone());
    c.kashflow.memorable_word = Secret::new(creds.memorable_word.clone());
    c.kashflow.requests_per_second = 100;
    c.kashflow.timeout_seconds = 10;
    c.workers = 4;
    c
}

/// Retry quickly (tests and the fault demo): 1 ms base, 20 ms cap, plenty of attempts, and a
/// breaker that does not stop a deliberately faulty run for long.
pub fn fast_retries(c: &mut EngineConfig) {
    c.retry.base_delay_ms = 1;
    c.retry.max_delay_ms = 20;
    c.retry.max_attempts = 40;
    c.circuit_breaker.failure_threshold = 1000;
    c.circuit_breaker.cool_down_ms = 50;
}

/// The real KashFlow processor behind a gate: while the gate is closed every job waits (stays
/// Pending, nothing reaches KashFlow), so a test can line up snapshots and events first and then
/// let the engine run. Open, it is exactly the real processor.
pub struct GatedProcessor {
    pub inner: Arc<KashFlowProcessor>,
    pub open: Arc<AtomicBool>,
}

impl JobProcessor for GatedProcessor {
    fn process<'a>(&'a self, ctx: JobContext<'a>) -> BoxFuture<'a, JobResult> {
        if self.open.load(Ordering::SeqCst) {
            self.inner.process(ctx)
        } else {
            Box::pin(async {
                JobResult::Waiting {
                    reason: "test gate closed".into(),
                    recheck_after: Some(Duration::from_millis(20)),
                }
            })
        }
    }
    fn preview(&self, ctx: PreviewContext<'_>) -> Result<Preview, EngineError> {
        self.inner.preview(ctx)
    }
    fn test_connection<'a>(
        &'a self,
        config: &'a EngineConfig,
    ) -> BoxFuture<'a, Result<ConnectionReport, EngineError>> {
        self.inner.test_connection(config)
    }
    fn account_catalogue<'a>(
        &'a self,
        config: &'a EngineConfig,
    ) -> BoxFuture<'a, Result<kashflow_sync::mapping::suggest::KashFlowCatalogue, EngineError>>
    {
        self.inner.account_catalogue(config)
    }
    fn create_products<'a>(
        &'a self,
        config: &'a EngineConfig,
        products: &'a [kashflow_sync::mapping::suggest::NewProduct],
    ) -> BoxFuture<'a, Result<Vec<kashflow_sync::mapping::suggest::ProductCreation>, EngineError>>
    {
        self.inner.create_products(config, products)
    }
}

/// Start an engine with our KashFlow processor; the processor is returned too (it holds the
/// connection and its request counts).
pub fn start_engine(
    config: EngineConfig,
    rt: Handle,
    log: Option<Arc<dyn LogSink>>,
) -> Result<(Engine, Arc<KashFlowProcessor>), EngineError> {
    let processor = Arc::new(KashFlowProcessor::new());
    let engine = start_engine_with(config, rt, log, processor.clone())?;
    Ok((engine, processor))
}

/// Start an engine with the given processor and the harness's timings (10 s lease).
pub fn start_engine_with(
    config: EngineConfig,
    rt: Handle,
    log: Option<Arc<dyn LogSink>>,
    processor: Arc<dyn JobProcessor>,
) -> Result<Engine, EngineError> {
    Engine::start_with(config, rt, log, options(processor, Duration::from_secs(10)))
}

/// Start an engine with our KashFlow processor and a chosen job lease (a short lease lets a
/// restarted process take over the jobs of a killed one quickly).
pub fn start_engine_with_lease(
    config: EngineConfig,
    rt: Handle,
    log: Option<Arc<dyn LogSink>>,
    lease: Duration,
) -> Result<(Engine, Arc<KashFlowProcessor>), EngineError> {
    let processor = Arc::new(KashFlowProcessor::new());
    let engine = Engine::start_with(config, rt, log, options(processor.clone(), lease))?;
    Ok((engine, processor))
}

fn options(processor: Arc<dyn JobProcessor>, lease: Duration) -> EngineOptions {
    EngineOptions {
        processor: Some(processor),
        lease,
        heartbeat: (lease / 3).max(Duration::from_millis(100)),
        idle_poll: Duration::from_millis(200),
        ..EngineOptions::default()
    }
}

/// A log sink that prints warnings and errors to stderr (quiet otherwise).
pub struct StderrLog {
    pub min: LogLevel,
}

impl LogSink for StderrLog {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        if level >= self.min {
            eprintln!("[{level:?}] {target}: {message}");
        }
    }
}

/// Enqueue every item of a feed; returns how many were refused (malformed documents are still
/// journaled as Failed by the engine, so refusals here are engine errors).
pub fn enqueue_feed(engine: &Engine, feed: &[FeedItem]) -> Result<(), EngineError> {
    for item in feed {
        let json = item.to_json();
        match item {
            FeedItem::Order(_) => engine.enqueue_order(&json)?,
            FeedItem::Event(_) => engine.enqueue_event(&json)?,
        };
    }
    Ok(())
}

/// Records still moving (pending, in flight, retrying).
/// Orders with something left to do. An order whose invoice waits for a flow's trigger (paid,
/// shipped, …) that has not come is settled: nothing happens until the event.
pub fn unsettled(c: &StatusCounts) -> u64 {
    (c.pending + c.in_flight + c.retrying).saturating_sub(c.awaiting_trigger)
}

/// Wait until nothing is pending, in flight or retrying (or `timeout`). `on_tick` sees the counts.
pub async fn wait_settled(
    engine: &Engine,
    timeout: Duration,
    mut on_tick: impl FnMut(&StatusCounts),
) -> Result<StatusCounts, String> {
    let start = Instant::now();
    loop {
        let c = engine.status_counts().map_err(|e| e.to_string())?;
        on_tick(&c);
        if unsettled(&c) == 0 {
            return Ok(c);
        }
        if start.elapsed() > timeout {
            return Err(format!(
                "not settled after {timeout:?}: {} pending, {} in flight, {} retrying",
                c.pending, c.in_flight, c.retrying
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Act as the host: poll and acknowledge every outcome available now.
pub fn drain_outcomes(engine: &Engine) -> Result<Vec<Outcome>, EngineError> {
    let mut all = Vec::new();
    loop {
        let batch = engine.poll_outcomes(500)?;
        if batch.is_empty() {
            return Ok(all);
        }
        let ids: Vec<i64> = batch.iter().map(|o| o.id).collect();
        engine.ack_outcomes(&ids)?;
        all.extend(batch);
    }
}

/// The latest `SetStock` quantity per SKU among `outcomes`.
pub fn stock_levels(outcomes: &[Outcome]) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.kind == OutcomeKind::SetStock) {
        if let (Some(sku), Some(q)) = (&o.sku, o.quantity) {
            m.insert(sku.clone(), q);
        }
    }
    m
}

/// Every record in the given states.
pub fn records_in(
    engine: &Engine,
    states: &[RecordState],
) -> Result<Vec<RecordSummary>, EngineError> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let q = RecordQuery {
            states: states.to_vec(),
            page,
            page_size: RecordQuery::MAX_PAGE_SIZE,
            ..RecordQuery::default()
        };
        let p = engine.list_records(&q)?;
        let n = p.items.len();
        out.extend(p.items);
        if n < RecordQuery::MAX_PAGE_SIZE as usize {
            return Ok(out);
        }
        page += 1;
    }
}

/// What the sandbox's books say.
#[derive(Debug, Clone, Default)]
pub struct Books {
    /// Sales invoices (credit notes not counted).
    pub invoices: usize,
    /// Credit notes.
    pub credit_notes: usize,
    pub customers: usize,
    pub payments: usize,
    /// Invoice number → number of invoices with the same CustomerReference (should all be 1).
    pub invoices_per_reference: BTreeMap<String, usize>,
    pub stock: BTreeMap<String, Decimal>,
    /// Requests by "METHOD /route".
    pub requests: BTreeMap<String, u64>,
}

impl Books {
    /// Requests other than logging in.
    pub fn api_requests(&self) -> u64 {
        self.requests
            .iter()
            .filter(|(k, _)| !k.contains("/sessiontoken"))
            .map(|(_, v)| *v)
            .sum()
    }
}

pub fn books(sandbox: &SandboxHandle) -> Books {
    let invoices = sandbox.invoices();
    let mut per_ref = BTreeMap::new();
    for i in &invoices {
        *per_ref
            .entry(i.customer_reference.clone().unwrap_or_default())
            .or_insert(0) += 1;
    }
    let credit_notes = invoices
        .iter()
        .filter(|i| kashflow_sync::kashflow::credit_note::is_credit_note(i))
        .count();
    Books {
        invoices: invoices.len() - credit_notes,
        credit_notes,
        customers: sandbox.customers().len(),
        payments: invoices
            .iter()
            .map(|i| i.payment_lines.as_ref().map_or(0, |p| p.len()))
            .sum(),
        invoices_per_reference: per_ref,
        stock: sandbox
            .products()
            .into_iter()
            .filter(|p| p.manage_stock_level)
            .map(|p| (p.code, p.quantity_in_stock))
            .collect(),
        requests: sandbox.call_counts(),
    }
}

/// Percentile (0–100) of a sorted slice.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A sandbox KashFlow, a journal in a temporary directory and an engine syncing into the sandbox:
/// what each end-to-end test starts from.
pub struct TestBed {
    pub sandbox: SandboxHandle,
    pub engine: Engine,
    pub processor: Arc<KashFlowProcessor>,
    /// Open by default; close it (before enqueueing) to hold every job back.
    pub gate: Arc<AtomicBool>,
    pub config: EngineConfig,
    pub dir: tempfile::TempDir,
}

impl TestBed {
    /// Start on the current tokio runtime; `adjust` may change the configuration first.
    pub async fn start(
        sandbox: &SandboxOptions,
        adjust: impl FnOnce(&mut EngineConfig),
    ) -> Result<TestBed, String> {
        Self::start_with_processor(sandbox, adjust, KashFlowProcessor::new()).await
    }

    /// `start`, with the client's rate limit lifted (large runs against the local sandbox).
    pub async fn start_unthrottled(
        sandbox: &SandboxOptions,
        adjust: impl FnOnce(&mut EngineConfig),
    ) -> Result<TestBed, String> {
        Self::start_with_processor(sandbox, adjust, KashFlowProcessor::unthrottled()).await
    }

    async fn start_with_processor(
        sandbox: &SandboxOptions,
        adjust: impl FnOnce(&mut EngineConfig),
        processor: KashFlowProcessor,
    ) -> Result<TestBed, String> {
        let sandbox = start_sandbox(sandbox).await?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut config = engine_config(
            &dir.path().join("journal.sqlite"),
            sandbox.base_url(),
            &Credentials::sandbox(),
        );
        fast_retries(&mut config);
        adjust(&mut config);
        Self::start_gated(sandbox, dir, config, true, processor)
    }

    /// Start with the gate closed: jobs wait until `open_gate`.
    pub async fn start_closed(
        sandbox: &SandboxOptions,
        adjust: impl FnOnce(&mut EngineConfig),
    ) -> Result<TestBed, String> {
        let bed = Self::start(sandbox, adjust).await?;
        bed.gate.store(false, Ordering::SeqCst);
        Ok(bed)
    }

    fn start_gated(
        sandbox: SandboxHandle,
        dir: tempfile::TempDir,
        config: EngineConfig,
        open: bool,
        processor: KashFlowProcessor,
    ) -> Result<TestBed, String> {
        let processor = Arc::new(processor);
        let gate = Arc::new(AtomicBool::new(open));
        let gated = Arc::new(GatedProcessor {
            inner: processor.clone(),
            open: gate.clone(),
        });
        let engine = start_engine_with(config.clone(), Handle::current(), None, gated)
            .map_err(|e| e.to_string())?;
        Ok(TestBed {
            sandbox,
            engine,
            processor,
            gate,
            config,
            dir,
        })
    }

    pub fn open_gate(&self) {
        self.gate.store(true, Ordering::SeqCst);
    }

    /// Wait (up to 60 s) until nothing is pending, in flight or retrying.
    pub async fn settle(&self) -> Result<StatusCounts, String> {
        wait_settled(&self.engine, Duration::from_secs(60), |_| {}).await
    }

    /// Stop the engine (and let its workers finish), then the sandbox.
    pub async fn stop(self) {
        let TestBed {
            sandbox,
            engine,
            processor,
            ..
        } = self;
        engine.shutdown(Duration::from_secs(5)).await;
        drop(engine);
        drop(processor); // closes the client's keep-alive connections
        stop_sandbox(sandbox).await;
    }
}

/// Shut a sandbox down without waiting on connections a client may still hold open (its graceful
/// shutdown waits for every connection to close).
pub async fn stop_sandbox(sandbox: SandboxHandle) {
    let _ = tokio::time::timeout(Duration::from_secs(2), sandbox.shutdown()).await;
}

/// Check an order's credit notes in KashFlow's books against what the generator planned:
/// exactly one credit note per refund (and one for a cancellation after invoicing), each for the
/// right amount in the invoice's currency, paid back (refund) or applied (cancellation).
/// `docs` is every sandbox document by number. Returns how many credit notes the order has.
pub fn check_credit_notes(
    e: &crate::gen::Expectation,
    record: &RecordSummary,
    invoice: &kashflow_sync::kashflow::model::Invoice,
    docs: &BTreeMap<i64, kashflow_sync::kashflow::model::Invoice>,
) -> Result<usize, String> {
    use kashflow_sync::kashflow::credit_note::{allocations, credit_total, money_lines};
    let id = e.order_id;
    let number = invoice.number.ok_or("invoice without a number")?;
    // Found by reference (`CN-{invoice}-{seq}`): KashFlow may number them (SOAP).
    let prefix = format!("CN-{number}-");
    let mut notes: Vec<(u32, &kashflow_sync::kashflow::model::Invoice)> = docs
        .values()
        .filter_map(|d| {
            let seq = d.customer_reference.as_deref()?.strip_prefix(&prefix)?;
            Some((seq.parse().ok()?, d))
        })
        .collect();
    notes.sort_by_key(|(seq, _)| *seq);
    let notes: Vec<_> = notes.into_iter().map(|(_, d)| d).collect();
    let gross = invoice.gross_amount.unwrap_or_default();
    if let Some(bad) = record
        .credit_notes
        .iter()
        .find(|c| c.state != kashflow_sync::engine::JobState::Done)
    {
        return Err(format!("order {id}: credit note not done: {bad:?}"));
    }
    if e.cancelled {
        if notes.len() != 1 || credit_total(notes[0]) != gross {
            return Err(format!("order {id}: cancelled after invoicing: {notes:?}"));
        }
        let applied: Decimal = allocations(notes[0]).map(|l| l.amount).sum();
        let due = invoice.due_amount.unwrap_or_default();
        if applied + due != gross - invoice_money(invoice) || money_lines(notes[0]).count() != 0 {
            return Err(format!(
                "order {id}: cancellation credit applied {applied}, invoice due {due}"
            ));
        }
        return Ok(1);
    }
    if notes.len() != e.refunds.len() {
        return Err(format!(
            "order {id}: {} refunds but {} credit notes",
            e.refunds.len(),
            notes.len()
        ));
    }
    let rate = invoice
        .currency
        .as_ref()
        .map(|c| c.exchange_rate)
        .unwrap_or(Decimal::ONE);
    let mut credited = Decimal::ZERO;
    for (i, (note, asked)) in notes.iter().zip(&e.refunds).enumerate() {
        let want = if *asked == e.order_total {
            gross - credited
        } else {
            kashflow_sync::money::money2(*asked * rate)
        };
        let got = credit_total(note);
        let back: Decimal = money_lines(note).map(|l| l.amount).sum();
        let reference = format!("CN-{number}-{}", i + 1);
        if got != want || back != got || note.customer_reference.as_deref() != Some(&reference) {
            return Err(format!(
                "order {id}: refund {} of {asked}: credit {got} (want {want}), paid back {back}, reference {:?}",
                i + 1,
                note.customer_reference
            ));
        }
        credited += got;
    }
    Ok(notes.len())
}

/// Money (not credit allocations) paid on an invoice.
fn invoice_money(invoice: &kashflow_sync::kashflow::model::Invoice) -> Decimal {
    kashflow_sync::kashflow::credit_note::money_lines(invoice)
        .map(|l| l.amount)
        .sum()
}

/// The sandbox's name for each kind of KashFlow call on a transport (call counts, fault rules),
/// so a test body reads the same on both.
#[derive(Debug, Clone, Copy)]
pub struct Api(pub TransportKind);

impl Api {
    fn pick(&self, rest: &'static str, soap: &'static str) -> &'static str {
        match self.0 {
            TransportKind::Rest => rest,
            TransportKind::Soap => soap,
        }
    }

    pub fn create_invoice(&self) -> &'static str {
        self.pick("POST /invoices", "POST /api/service.asmx:InsertInvoice")
    }

    pub fn create_customer(&self) -> &'static str {
        self.pick("POST /customers", "POST /api/service.asmx:InsertCustomer")
    }

    pub fn find_customer_by_email(&self) -> &'static str {
        self.pick(
            "GET /customers/search",
            "POST /api/service.asmx:GetCustomerByEmail",
        )
    }

    pub fn add_payment(&self) -> &'static str {
        self.pick(
            "PUT /invoices/{number}",
            "POST /api/service.asmx:InsertInvoicePayment",
        )
    }

    pub fn apply_credit(&self) -> &'static str {
        self.pick(
            "POST /internal/invoices/{id}/credits",
            "POST /api/service.asmx:applyCreditNoteToInvoice",
        )
    }

    /// Payment calls an order paid at placement costs beyond its create (REST: inside it).
    pub fn payment_calls_at_placement(&self) -> u64 {
        match self.0 {
            TransportKind::Rest => 0,
            TransportKind::Soap => 1,
        }
    }

    /// `(method, route)` of a call key, for `FaultRule::on`.
    pub fn on(key: &str) -> (&str, &str) {
        key.split_once(' ').unwrap_or(("POST", key))
    }
}

/// The order's invoice in the sandbox's books, by its reference (`NOP-{order id}`): the number is
/// ours on REST, KashFlow's on SOAP.
pub fn invoice_of(
    sandbox: &SandboxHandle,
    order_id: i64,
) -> Option<kashflow_sync::kashflow::model::Invoice> {
    let reference = format!("NOP-{order_id}");
    sandbox
        .invoices()
        .into_iter()
        .find(|i| i.customer_reference.as_deref() == Some(reference.as_str()))
}
