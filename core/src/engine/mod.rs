//! The durable sync engine: what the C ABI wraps.
//!
//! `Engine` accepts order snapshots and events from the host (each durably committed to the SQLite
//! journal before the call returns), runs jobs on worker tasks through a [`JobProcessor`] (the
//! KashFlow stage), and hands results back as outcomes the host polls and acknowledges. It also
//! serves the admin pages: counts, the sync log, record details, retries, previews.
//!
//! Of several engines on one journal (processes of an overlapped IIS recycle, a web garden) only
//! the holder of the active-worker lease runs jobs; every engine accepts enqueues (`lease`).
//!
//! Module map: `journal` (SQLite, schema, every query), `worker` (claim/run/finish loop),
//! `lease` (the active-worker lease), `shared` (breaker and login hold kept in the journal),
//! `processor` (the seam), `breaker` (failure policy, with the crate's one `backoff`), `locks` (per-key locks for
//! processors), `header`/`events` (reading host documents), `model` (documents), `config`, `error`,
//! `log`, `clock`.

pub mod breaker;
pub mod catalogue_events;
pub mod clock;
pub mod config;
pub mod document;
pub mod error;
pub mod events;
pub mod header;
pub mod journal;
pub mod lease;
pub mod locks;
pub mod log;
pub mod model;
pub mod processor;
pub mod shared;
mod worker;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use breaker::{CircuitBreaker, CircuitState};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    BreakerPolicy, EngineConfig, FlowSteps, JournalDurability, KashFlowMode, KashFlowSettings,
    MappingRules, RetryPolicy, Secret, WorkerLeasePolicy,
};
pub use error::{EngineError, ErrorDoc};
pub use events::{CreditCause, CreditRequest, Milestone, OrderEvent, PaymentEvent, RefundEvent};
pub use header::{SnapshotHeader, SUPPORTED_SCHEMA_VERSION};
pub use journal::Journal;
pub use lease::ActiveWorker;
pub use locks::{KeyGuard, KeyLocks};
pub use log::{LogLevel, LogSink, Logger, MemorySink, TracingToSink};
pub use model::{
    AttemptEntry, AttemptResult, CallRecord, ConnectionReport, CreditNotePosted, CreditNoteSummary,
    EnqueueReceipt, EventEntry, JobEntry, JobKind, JobState, LedgerEntry, LedgerKind, Outcome,
    OutcomeEntry, OutcomeKind, OutcomeSpec, Preview, ReceiptState, RecordDetail, RecordPage,
    RecordQuery, RecordState, RecordSummary, StatusCounts,
};
pub use processor::{
    BoxFuture, JobContext, JobDone, JobInfo, JobProcessor, JobResult, OrderInfo, PreviewContext,
    UnwiredProcessor,
};
pub use shared::LoginHold;

const TARGET: &str = "kashflow_sync::engine";

/// Knobs that are not part of the configuration document: the processor to run, the clock, and
/// timings. `Default` is what `Engine::start` uses.
#[derive(Clone)]
pub struct EngineOptions {
    /// `None`: [`processor::default_processor`].
    pub processor: Option<Arc<dyn JobProcessor>>,
    /// `None`: the system clock.
    pub clock: Option<Arc<dyn Clock>>,
    /// How long a claimed job stays ours without a heartbeat. After a crash, its jobs are taken
    /// over once this passes.
    pub lease: Duration,
    /// How often a running job's lease is renewed (well under `lease`).
    pub heartbeat: Duration,
    /// Longest an idle worker sleeps before looking at the journal again.
    pub idle_poll: Duration,
    /// Seed for the retry jitter (tests); `None`: from the OS.
    pub rng_seed: Option<u64>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            processor: None,
            clock: None,
            lease: Duration::from_secs(60),
            heartbeat: Duration::from_secs(20),
            idle_poll: Duration::from_secs(1),
            rng_seed: None,
        }
    }
}

/// State shared by the engine handle and its workers.
pub(crate) struct Inner {
    journal: Arc<Journal>,
    config: RwLock<Arc<EngineConfig>>,
    processor: Arc<dyn JobProcessor>,
    log: Logger,
    clock: Arc<dyn Clock>,
    breaker: Mutex<CircuitBreaker>,
    locks: KeyLocks,
    /// Wakes idle workers (enqueue, retry, a finished job, shutdown).
    wake: Notify,
    stopping: AtomicBool,
    /// This engine's id: the owner of its job leases and of the active-worker lease.
    owner: String,
    holder: lease::HolderId,
    /// This engine's view of the active-worker lease.
    lease: lease::LocalLease,
    /// Asks the lease keeper to look now (a claim found the lease not ours).
    lease_nudge: Notify,
    /// The refused-login hold in force (mirrors the journal's).
    login_hold: Mutex<Option<LoginHold>>,
    /// Workers between claim and finish.
    in_flight: AtomicUsize,
    /// Notified when `in_flight` drops to zero.
    idle: Notify,
    rng: Mutex<StdRng>,
    options: EngineOptions,
    target_workers: AtomicUsize,
}

impl Inner {
    fn config(&self) -> Arc<EngineConfig> {
        self.config
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn breaker(&self) -> MutexGuard<'_, CircuitBreaker> {
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn login_hold(&self) -> MutexGuard<'_, Option<LoginHold>> {
        self.login_hold.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remember (and share through the journal) that KashFlow refused the login.
    pub(crate) fn set_login_hold(&self, hold: Option<LoginHold>) {
        let changed = {
            let mut h = self.login_hold();
            let changed = *h != hold;
            *h = hold.clone();
            changed
        };
        if changed {
            if let Err(e) = self
                .journal
                .set_login_hold(hold.as_ref(), self.clock.now_ms())
            {
                self.log.warn(
                    TARGET,
                    &format!("could not record the login hold in the journal: {e}"),
                );
            }
        }
    }

    /// Load the state the previous holder left in the journal (a new term begins).
    fn load_shared_state(&self) {
        match self.journal.breaker_open_until() {
            Ok(Some(until)) => {
                self.breaker().restore_open(until);
                if until > self.clock.now_ms() {
                    self.log.warn(
                        TARGET,
                        "the circuit breaker was left open by the previous worker; KashFlow is probed once its cool-down ends",
                    );
                }
            }
            Ok(None) => {}
            Err(e) => self.log.warn(
                TARGET,
                &format!("could not read the circuit breaker's state from the journal: {e}"),
            ),
        }
        match self.journal.login_hold() {
            Ok(hold) => {
                if let Some(h) = &hold {
                    self.log.warn(
                        TARGET,
                        &format!("a refused KashFlow login is still respected: {}", h.reason),
                    );
                }
                *self.login_hold() = hold;
            }
            Err(e) => self.log.warn(
                TARGET,
                &format!("could not read the login hold from the journal: {e}"),
            ),
        }
    }

    fn job_left(&self) {
        if self.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }
}

/// The sync engine. One per journal per process; dropping it stops its workers (jobs in flight
/// are then resumed by the next engine once their leases expire). Prefer [`Engine::shutdown`].
pub struct Engine {
    inner: Arc<Inner>,
    rt: Handle,
    workers: Mutex<Vec<JoinHandle<()>>>,
    keeper: Mutex<Option<JoinHandle<()>>>,
    shut_down: AtomicBool,
}

impl Engine {
    /// Open the journal at `config.journal_path` (creating or upgrading it) and start the workers
    /// on `rt`. Jobs left in flight by a crashed predecessor resume once their leases expire.
    pub fn start(
        config: EngineConfig,
        rt: Handle,
        log: Option<Arc<dyn LogSink>>,
    ) -> Result<Engine, EngineError> {
        Self::start_with(config, rt, log, EngineOptions::default())
    }

    /// `start` with a chosen processor, clock and timings.
    pub fn start_with(
        config: EngineConfig,
        rt: Handle,
        log: Option<Arc<dyn LogSink>>,
        options: EngineOptions,
    ) -> Result<Engine, EngineError> {
        config.validate()?;
        let logger = Logger::new(log);
        let journal = Arc::new(Journal::open(
            &config.journal_path,
            config.journal_durability,
        )?);
        let rng = match options.rng_seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        let workers = config.workers as usize;
        let clock = options
            .clock
            .clone()
            .unwrap_or_else(|| Arc::new(SystemClock));
        let holder = lease::HolderId::new(clock.now_ms());
        let inner = Arc::new(Inner {
            journal,
            breaker: Mutex::new(CircuitBreaker::new(
                config.circuit_breaker.failure_threshold,
                config.circuit_breaker.cool_down_ms,
            )),
            processor: options
                .processor
                .clone()
                .unwrap_or_else(processor::default_processor),
            clock,
            log: logger,
            locks: KeyLocks::new(),
            wake: Notify::new(),
            stopping: AtomicBool::new(false),
            owner: holder.id.clone(),
            holder,
            lease: lease::LocalLease::default(),
            lease_nudge: Notify::new(),
            login_hold: Mutex::new(None),
            in_flight: AtomicUsize::new(0),
            idle: Notify::new(),
            rng: Mutex::new(rng),
            options,
            target_workers: AtomicUsize::new(workers),
            config: RwLock::new(Arc::new(config)),
        });
        let engine = Engine {
            inner,
            rt,
            workers: Mutex::new(Vec::new()),
            keeper: Mutex::new(None),
            shut_down: AtomicBool::new(false),
        };
        *engine.keeper.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(engine.rt.spawn(worker::lease_keeper(engine.inner.clone())));
        // The flows may have changed since the last run: invoices that waited for a trigger
        // look again under these.
        engine
            .inner
            .journal
            .wake_awaiting_trigger(engine.inner.clock.now_ms())?;
        engine.spawn_workers(workers);
        let cfg = engine.inner.config();
        engine.inner.log.info(
            TARGET,
            &format!(
                "KashFlow Sync engine started as {}: journal {}, {} worker(s), KashFlow mode {:?}",
                engine.inner.owner,
                cfg.journal_path.display(),
                cfg.workers,
                cfg.kashflow.mode
            ),
        );
        Ok(engine)
    }

    fn spawn_workers(&self, target: usize) {
        let mut workers = self.workers.lock().unwrap_or_else(|p| p.into_inner());
        for index in 0..target {
            let alive = workers.get(index).is_some_and(|h| !h.is_finished());
            if alive {
                continue;
            }
            let handle = self
                .rt
                .spawn(worker::worker_loop(self.inner.clone(), index));
            if index < workers.len() {
                workers[index] = handle;
            } else {
                workers.push(handle);
            }
        }
    }

    fn accepting(&self) -> Result<(), EngineError> {
        if self.inner.stopping.load(Ordering::SeqCst) {
            Err(EngineError::ShuttingDown)
        } else {
            Ok(())
        }
    }

    fn now(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// File an order snapshot. Returns once it is durably committed. A snapshot that cannot be
    /// read is filed as `Failed` with the reason (receipt `Failed`), never dropped.
    pub fn enqueue_order(&self, snapshot_json: &[u8]) -> Result<EnqueueReceipt, EngineError> {
        self.accepting()?;
        let peek = header::peek(snapshot_json);
        let result = self
            .inner
            .journal
            .enqueue_order(snapshot_json.to_vec(), peek, self.now())?;
        if let Some((level, line)) = &result.log {
            self.inner.log.log(*level, TARGET, line);
        }
        if matches!(
            result.receipt.state,
            ReceiptState::Pending | ReceiptState::Replaced
        ) {
            self.inner.wake.notify_waiters();
        }
        Ok(result.receipt)
    }

    /// File an order event (`OrderPaid`, `OrderCancelled`, `OrderVoided`, `OrderRefunded`,
    /// `CreditNoteRelease`). Returns once durable.
    pub fn enqueue_event(&self, event_json: &[u8]) -> Result<EnqueueReceipt, EngineError> {
        self.accepting()?;
        if let Some(receipt) = self.enqueue_catalogue_event(event_json)? {
            return Ok(receipt);
        }
        let event = OrderEvent::parse(event_json)?;
        let hold = self.inner.config().steps.hold_partial_refunds;
        let result = self.inner.journal.enqueue_event(event, hold, self.now())?;
        if let Some((level, line)) = &result.log {
            self.inner.log.log(*level, TARGET, line);
        }
        self.inner.wake.notify_waiters();
        Ok(result.receipt)
    }

    /// A `CustomerChanged` or `ProductChanged` event (`None`: not one of those). Journaled as a
    /// job only when an enabled flow acts on its trigger (a Customer or Product step); otherwise
    /// answered `Unchanged` with the reason, and nothing is kept.
    fn enqueue_catalogue_event(
        &self,
        event_json: &[u8],
    ) -> Result<Option<EnqueueReceipt>, EngineError> {
        use crate::flows::Trigger;
        use catalogue_events::CatalogueEvent;
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(event_json) else {
            return Ok(None); // the order events' reader reports the JSON error
        };
        let Some(event) = CatalogueEvent::from_value(&value) else {
            return Ok(None);
        };
        let event = event?;
        let (trigger, step, kind, serial) = match &event {
            CatalogueEvent::Customer {
                registered,
                customer,
            } => (
                if *registered {
                    Trigger::CustomerRegistered
                } else {
                    Trigger::CustomerChanged
                },
                "Customer",
                JobKind::SyncCustomer,
                format!(
                    "customer:{}",
                    crate::mapping::customer::normalise_email(&customer.email)
                ),
            ),
            CatalogueEvent::Product(p) => (
                Trigger::ProductChanged,
                "Product",
                JobKind::SyncProduct,
                format!("product:{}", p.sku.to_ascii_uppercase()),
            ),
        };
        let config = self.inner.config();
        let flows = config.effective_flows();
        let wanted = flows
            .for_trigger(trigger)
            .any(|f| f.enabled && f.step(step).is_some());
        let receipt = |state, message: String| EnqueueReceipt {
            record_id: 0,
            order_id: 0,
            state,
            message: Some(message),
        };
        if !wanted {
            return Ok(Some(receipt(
                ReceiptState::Unchanged,
                format!("no flow acts on {trigger}: nothing is sent to KashFlow"),
            )));
        }
        let payload = event.to_value().to_string();
        let queued = self
            .inner
            .journal
            .enqueue_catalogue(kind, serial, payload, self.now())?;
        if queued {
            self.inner.wake.notify_waiters();
            Ok(Some(receipt(
                ReceiptState::Pending,
                format!("{trigger} queued"),
            )))
        } else {
            Ok(Some(receipt(
                ReceiptState::Unchanged,
                format!("this {trigger} is already in the journal"),
            )))
        }
    }

    /// Outcomes not yet acknowledged, oldest first (the same ones again until acknowledged).
    ///
    /// Only the holder of the active-worker lease delivers outcomes; other engines on the same
    /// journal get none. Two processes (an IIS overlap, a web garden) would otherwise both apply
    /// the same outcome before either acknowledged it: two order notes, two status changes. The
    /// holder's successor delivers what it left unacknowledged.
    pub fn poll_outcomes(&self, max: usize) -> Result<Vec<Outcome>, EngineError> {
        if !self.inner.lease.holds() {
            return Ok(Vec::new());
        }
        self.inner.journal.poll_outcomes(max)
    }

    /// Acknowledge applied outcomes; returns how many were newly acknowledged.
    pub fn ack_outcomes(&self, ids: &[i64]) -> Result<usize, EngineError> {
        self.inner.journal.ack_outcomes(ids.to_vec(), self.now())
    }

    /// Counts by state, the circuit breaker and the process holding the active-worker lease.
    pub fn status_counts(&self) -> Result<StatusCounts, EngineError> {
        let mut counts = self.inner.journal.status_counts()?;
        let now = self.now();
        let holder = self.inner.journal.active_worker(now)?;
        let this = holder
            .as_ref()
            .is_some_and(|w| w.active && w.holder == self.inner.owner);
        counts.circuit = if this {
            self.inner.breaker().state_name(now).to_string()
        } else {
            // The holder's breaker, as it left it in the journal.
            match self.inner.journal.breaker_open_until()? {
                Some(until) if now < until => "Open".into(),
                Some(_) => "HalfOpen".into(),
                None => "Closed".into(),
            }
        };
        counts.active_worker = holder.map(|w| ActiveWorker {
            this_process: Some(this),
            ..w
        });
        Ok(counts)
    }

    /// This engine's id in the active-worker lease (`host:pid:process-start-ms:suffix`).
    pub fn holder_id(&self) -> &str {
        &self.inner.owner
    }

    /// This engine holds the active-worker lease (by its own, conservative reckoning).
    pub fn is_active_worker(&self) -> bool {
        self.inner.lease.holds()
    }

    pub fn list_records(&self, query: &RecordQuery) -> Result<RecordPage, EngineError> {
        self.inner.journal.list_records(query)
    }

    pub fn record_detail(&self, record_id: i64) -> Result<RecordDetail, EngineError> {
        self.inner.journal.record_detail(record_id)
    }

    /// Run a failed (or waiting-to-retry) record again now, from its stored snapshot under the
    /// current rules. Attempt counting restarts; the history keeps every earlier attempt.
    pub fn retry_record(&self, record_id: i64) -> Result<(), EngineError> {
        self.accepting()?;
        self.inner.journal.retry_record(record_id, self.now())?;
        self.inner.log.info(
            TARGET,
            &format!("record {record_id} queued again by the admin"),
        );
        self.inner.wake.notify_waiters();
        Ok(())
    }

    /// `retry_record` for every Failed record; returns how many.
    pub fn retry_all_failed(&self) -> Result<usize, EngineError> {
        self.accepting()?;
        let n = self.inner.journal.retry_all_failed(self.now())?;
        if n > 0 {
            self.inner.log.info(
                TARGET,
                &format!("{n} failed record(s) queued again by the admin"),
            );
            self.inner.wake.notify_waiters();
        }
        Ok(n)
    }

    /// What syncing this snapshot would do, without doing it.
    pub fn preview(&self, snapshot_json: &[u8]) -> Result<Preview, EngineError> {
        let header = header::peek(snapshot_json).header?;
        let config = self.inner.config();
        let mut preview = self.inner.processor.preview(PreviewContext {
            snapshot_json,
            header: &header,
            config: &config,
            journal: &self.inner.journal,
        })?;
        if let Some(record) = self.inner.journal.record_for_order(header.order_id)? {
            preview.journal_state = Some(record.state);
            preview.journal_invoice_number = record.invoice_number;
        }
        Ok(preview)
    }

    /// Check KashFlow can be reached with the current settings.
    pub async fn test_connection(&self) -> Result<ConnectionReport, EngineError> {
        let config = self.inner.config();
        let report = self.inner.processor.test_connection(&config).await?;
        if report.ok && self.inner.login_hold().is_some() {
            // The login works again: jobs held back by a refused login may go.
            self.inner.set_login_hold(None);
            self.inner.wake.notify_waiters();
        }
        Ok(report)
    }

    /// Read the KashFlow account's lookups afresh (payment methods, bank accounts, nominal codes,
    /// VAT rates, currencies, products), for the setup pages and the mapping suggestions; later
    /// previews are checked against them.
    pub async fn account_catalogue(
        &self,
    ) -> Result<crate::mapping::suggest::KashFlowCatalogue, EngineError> {
        let config = self.inner.config();
        let catalogue = self.inner.processor.account_catalogue(&config).await?;
        // Kept in the journal: previews stay checked against it after a restart.
        if let Err(e) =
            self.inner
                .journal
                .set_account_catalogue(&config.kashflow, &catalogue, self.now())
        {
            self.inner
                .log
                .warn(TARGET, &format!("could not keep KashFlow's lookups: {e}"));
        }
        match self.retry_now_stocked(&catalogue) {
            Ok(0) => {}
            Ok(n) => self.inner.log.info(
                TARGET,
                &format!("{n} order(s) waiting for a KashFlow product queued again: the products exist now"),
            ),
            Err(e) => self.inner.log.warn(
                TARGET,
                &format!("could not look for orders waiting for KashFlow products: {e}"),
            ),
        }
        Ok(catalogue)
    }

    /// Create the given products in KashFlow (each only if its code is not there yet), then
    /// queue again the orders that were waiting only for them.
    pub async fn create_products(
        &self,
        products: &[crate::mapping::suggest::NewProduct],
    ) -> Result<Vec<crate::mapping::suggest::ProductCreation>, EngineError> {
        self.accepting()?;
        let config = self.inner.config();
        let results = self
            .inner
            .processor
            .create_products(&config, products)
            .await?;
        let created = results.iter().filter(|r| r.result == "Created").count();
        if created > 0 {
            self.inner.log.info(
                TARGET,
                &format!("{created} product(s) created in KashFlow by the admin"),
            );
            self.account_catalogue().await?;
        }
        Ok(results)
    }

    /// Orders that failed only because KashFlow lacked a product (`UnknownProduct`) go again once
    /// every product code their invoice names is in `catalogue`; returns how many. The others
    /// stay failed (retrying them would only be refused again).
    pub fn retry_now_stocked(
        &self,
        catalogue: &crate::mapping::suggest::KashFlowCatalogue,
    ) -> Result<usize, EngineError> {
        let has = |code: &str| {
            catalogue
                .products
                .iter()
                .any(|p| p.code.trim().eq_ignore_ascii_case(code.trim()))
        };
        // Every candidate first (retrying moves records out of the pages being read).
        let mut waiting = Vec::new();
        let mut page = 1;
        loop {
            let query = RecordQuery {
                states: vec![RecordState::Failed],
                page,
                page_size: RecordQuery::MAX_PAGE_SIZE,
                ..Default::default()
            };
            let found = self.list_records(&query)?;
            waiting.extend(
                found
                    .items
                    .iter()
                    .filter(|r| {
                        r.last_error.as_ref().map(|e| e.code.as_str()) == Some("UnknownProduct")
                    })
                    .map(|r| r.record_id),
            );
            if (found.items.len() as u32) < RecordQuery::MAX_PAGE_SIZE {
                break;
            }
            page += 1;
        }
        let mut retried = 0;
        for record_id in waiting {
            let detail = self.record_detail(record_id)?;
            let codes: Vec<String> = detail
                .mapped_invoice
                .as_ref()
                .and_then(|m| m.get("LineItems"))
                .and_then(|l| l.as_array())
                .map(|lines| {
                    lines
                        .iter()
                        .filter_map(|l| l.get("ProductCode").and_then(|c| c.as_str()))
                        .filter(|c| !c.trim().is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if !codes.is_empty() && codes.iter().all(|c| has(c)) {
                self.retry_record(record_id)?;
                retried += 1;
            }
        }
        Ok(retried)
    }

    /// Swap the configuration; the next job claimed uses it. The journal path and durability
    /// cannot change while running.
    pub fn reconfigure(&self, config: EngineConfig) -> Result<(), EngineError> {
        self.accepting()?;
        config.validate()?;
        let current = self.inner.config();
        if config.journal_path != current.journal_path {
            return Err(EngineError::invalid_config(
                "JournalPath cannot change while the engine runs; restart it to move the journal",
                Some("JournalPath"),
            ));
        }
        if config.journal_durability != current.journal_durability {
            return Err(EngineError::invalid_config(
                "JournalDurability cannot change while the engine runs; restart it to apply",
                Some("JournalDurability"),
            ));
        }
        self.inner.breaker().set_policy(
            config.circuit_breaker.failure_threshold,
            config.circuit_breaker.cool_down_ms,
        );
        if config.kashflow != current.kashflow && self.inner.login_hold().is_some() {
            // New KashFlow settings: a login refused with the old ones no longer holds jobs.
            self.inner.set_login_hold(None);
        }
        let workers = config.workers as usize;
        let flows_changed = config.effective_flows() != current.effective_flows();
        *self.inner.config.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(config);
        if flows_changed {
            // Invoices that waited for a trigger look again under the new flows (one may now
            // post at once, or wait for another trigger).
            self.inner.journal.wake_awaiting_trigger(self.now())?;
        }
        self.inner.target_workers.store(workers, Ordering::SeqCst);
        self.spawn_workers(workers);
        self.inner.wake.notify_waiters();
        self.inner.log.info(
            TARGET,
            &format!("configuration updated ({workers} worker(s))"),
        );
        Ok(())
    }

    /// Queue a stock pull (one at a time; a request while one is queued or running is merged).
    pub fn request_stock_pull(&self) -> Result<(), EngineError> {
        self.accepting()?;
        if !self.inner.config().effective_flows().uses_step("Stock") {
            return Err(EngineError::invalid_request(
                "stock pull is switched off in the settings (Steps.PullStock, or no flow has a Stock step)",
            ));
        }
        self.inner.journal.request_stock_pull(self.now())?;
        self.inner.wake.notify_waiters();
        Ok(())
    }

    /// Stop claiming jobs, give running jobs up to `grace` to finish, then stop the rest and put
    /// their jobs back in the queue (flagged to check KashFlow before writing). Idempotent.
    pub async fn shutdown(&self, grace: Duration) {
        if self.shut_down.swap(true, Ordering::SeqCst) {
            return;
        }
        self.inner.stopping.store(true, Ordering::SeqCst);
        self.inner.wake.notify_waiters();
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let idle = self.inner.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.inner.in_flight.load(Ordering::SeqCst) == 0 {
                break;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                break;
            }
        }
        let handles: Vec<JoinHandle<()>> =
            std::mem::take(&mut *self.workers.lock().unwrap_or_else(|p| p.into_inner()));
        for h in &handles {
            h.abort();
        }
        for h in handles {
            let _ = h.await;
        }
        let journal = self.inner.journal.clone();
        let owner = self.inner.owner.clone();
        let now = self.now();
        match tokio::task::spawn_blocking(move || journal.release_leases(owner, now)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => self.inner.log.warn(
                TARGET,
                &format!("{n} job(s) did not finish within the shutdown grace period and will run again at next start"),
            ),
            Ok(Err(e)) => self.inner.log.error(
                TARGET,
                &format!("could not release jobs at shutdown ({e}); they run again once their leases expire"),
            ),
            Err(_) => {}
        }
        let keeper = self.keeper.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(k) = keeper {
            k.abort();
            let _ = k.await;
        }
        self.inner.lease.set(None);
        let journal = self.inner.journal.clone();
        let owner = self.inner.owner.clone();
        let now = self.now();
        match tokio::task::spawn_blocking(move || journal.release_lease(owner, now)).await {
            Ok(Ok(true)) => self.inner.log.info(
                TARGET,
                "released the active-worker lease; another process may take over at once",
            ),
            Ok(Ok(false)) | Err(_) => {}
            Ok(Err(e)) => self.inner.log.warn(
                TARGET,
                &format!("could not release the active-worker lease ({e}); another process takes over once it expires"),
            ),
        }
        self.inner.log.info(TARGET, "KashFlow Sync engine stopped");
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<EngineConfig> {
        self.inner.config()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        self.inner.wake.notify_waiters();
        if let Some(k) = self.keeper.lock().unwrap_or_else(|p| p.into_inner()).take() {
            k.abort();
        }
        for h in self
            .workers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            h.abort();
        }
    }
}
