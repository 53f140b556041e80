//! `kfsync demo`: the main job, end to end. A realistic day of nopCommerce orders (generated,
//! seeded) goes through the real engine — durable journal, workers, the KashFlow processor and
//! client — into a sandbox KashFlow served over loopback HTTP with realistic latency (or a
//! KashFlow at `--kashflow-url`), with a progress bar; then a stock pull, and a summary of what
//! happened in KashFlow and what the shop was told.
//!
//! `--flows FILE` runs the day under a flow document instead of the default flows (e.g.
//! `examples/flows/paid-rollup-guests.json`: invoice when paid, guests on one roll-up customer);
//! the summary then says what the flows did: orders whose invoice waits for its trigger, and
//! invoices per roll-up customer.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use kashflow_sync::engine::{Engine, OutcomeKind, RecordState};
use kashflow_sync::kashflow::sandbox::{FaultKind, SandboxHandle};
use kashflow_sync::kashflow::transport::TransportKind;
use kashflow_sync_harness::gen::{generate, GenConfig};
use kashflow_sync_harness::harness::{
    books, drain_outcomes, engine_config, enqueue_feed, percentile, records_in, start_engine,
    start_sandbox, stock_levels, stop_sandbox, unsettled, Credentials, SandboxOptions,
};
use rust_decimal::Decimal;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Orders in the day.
    #[arg(long, default_value_t = 200)]
    pub orders: usize,
    /// Delay the sandbox adds to every KashFlow request, in milliseconds.
    #[arg(long, default_value_t = 25)]
    pub latency_ms: u64,
    /// Share (0..1) of KashFlow requests that fail at random (500, dropped connection, SQL
    /// timeout, 429, write committed but answer lost).
    #[arg(long, default_value_t = 0.03)]
    pub fault_rate: f64,
    /// Seed of the generated day and of the faults.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Journal file (default: a temporary file, removed afterwards).
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Sync into the KashFlow (or sandbox) served at this base URL instead of an in-process
    /// sandbox; login from KFSYNC_USERNAME / KFSYNC_PASSWORD / KFSYNC_MEMORABLE_WORD.
    #[arg(long)]
    pub kashflow_url: Option<String>,
    /// Engine workers.
    #[arg(long, default_value_t = 4)]
    pub workers: u32,
    /// Client-side rate limit (KashFlow.RequestsPerSecond, 1..100).
    #[arg(long, default_value_t = 100)]
    pub requests_per_second: u32,
    /// KashFlow API to sync through: rest or soap (the sandbox serves both over the same books).
    #[arg(long, default_value = "rest")]
    pub transport: TransportKind,
    /// A flow document ("Version": 1) to run the day under instead of the default flows (the
    /// product's behaviour before flows: every order invoiced when placed).
    #[arg(long)]
    pub flows: Option<PathBuf>,
}

pub fn run(args: DemoArgs) -> ExitCode {
    if !(0.0..=1.0).contains(&args.fault_rate) {
        eprintln!("kfsync demo: --fault-rate must be between 0 and 1");
        return ExitCode::from(2);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kfsync demo: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(demo(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kfsync demo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn demo(args: DemoArgs) -> Result<(), String> {
    let started = Instant::now();
    let day = generate(&GenConfig {
        orders: args.orders,
        seed: args.seed,
        ..GenConfig::default()
    });
    let events = day.feed.len() - args.orders;
    let flows = match &args.flows {
        None => None,
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let doc = kashflow_sync::flows::parse(&bytes).map_err(|errs| {
                let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                format!(
                    "the flows in {} are not valid:\n  {}",
                    path.display(),
                    lines.join("\n  ")
                )
            })?;
            Some(doc)
        }
    };

    let (sandbox, base_url, creds) = match &args.kashflow_url {
        Some(url) => (None, url.clone(), Credentials::from_env()),
        None => {
            let s = start_sandbox(&SandboxOptions {
                latency: Duration::from_millis(args.latency_ms),
                fault_rate: args.fault_rate,
                fault_kinds: vec![
                    FaultKind::ServerError,
                    FaultKind::DropConnection,
                    FaultKind::SqlTimeout,
                    FaultKind::RateLimited {
                        retry_after_secs: 1,
                    },
                    FaultKind::CommitThenDrop,
                ],
                seed: args.seed,
                allow_negative_stock: false,
            })
            .await?;
            let url = s.base_url().to_string();
            (Some(s), url, Credentials::sandbox())
        }
    };
    let tmp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let journal = args
        .journal
        .clone()
        .unwrap_or_else(|| tmp.path().join("demo-journal.sqlite"));
    let mut config = engine_config(&journal, &base_url, &creds);
    config.workers = args.workers;
    config.kashflow.transport = args.transport;
    config.kashflow.requests_per_second = args.requests_per_second;
    // Faults are part of the show: retry soon rather than after minutes.
    config.retry.base_delay_ms = 100;
    config.retry.max_delay_ms = 2_000;
    config.retry.max_attempts = 12;
    config.circuit_breaker.failure_threshold = 50;
    config.circuit_breaker.cool_down_ms = 1_000;
    config.flows = flows.clone();

    println!(
        "KashFlow Sync demo: {} nopCommerce orders (+{} payment/cancellation/refund events), seed {}, over {}",
        args.orders, events, args.seed, match args.transport {
            TransportKind::Rest => "REST",
            TransportKind::Soap => "SOAP",
        }
    );
    match &sandbox {
        Some(s) => println!(
            "KashFlow: sandbox at {} ({} ms latency, {:.0}% injected faults); journal {}",
            match args.transport {
                TransportKind::Rest => s.base_url().to_string(),
                TransportKind::Soap => s.soap_url(),
            },
            args.latency_ms,
            args.fault_rate * 100.0,
            journal.display()
        ),
        None => println!("KashFlow: {base_url}; journal {}", journal.display()),
    }

    if let (Some(doc), Some(path)) = (&flows, &args.flows) {
        println!("Flows: {}", path.display());
        for f in doc.flows.iter().filter(|f| f.enabled) {
            let steps: Vec<String> = f.steps.iter().map(|s| s.describe()).collect();
            println!("  {} → {} ({})", f.trigger, f.name, steps.join(", "));
        }
    }
    let (engine, processor) =
        start_engine(config, tokio::runtime::Handle::current(), None).map_err(|e| e.to_string())?;
    let enqueue_start = Instant::now();
    enqueue_feed(&engine, &day.feed).map_err(|e| e.to_string())?;
    let enqueue_took = enqueue_start.elapsed();

    let bar = ProgressBar::new(args.orders as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40.cyan/blue} {pos}/{len} orders settled  {msg}",
        )
        .map_err(|e| e.to_string())?,
    );
    let mut outcomes = Vec::new();
    let sync_start = Instant::now();
    loop {
        let c = engine.status_counts().map_err(|e| e.to_string())?;
        outcomes.extend(drain_outcomes(&engine).map_err(|e| e.to_string())?);
        bar.set_position(c.synced + c.failed + c.cancelled);
        bar.set_message(format!(
            "synced {} · failed {} · cancelled {} · retrying {}",
            c.synced, c.failed, c.cancelled, c.retrying
        ));
        if unsettled(&c) == 0 {
            break;
        }
        if sync_start.elapsed() > Duration::from_secs(300) {
            bar.abandon_with_message("gave up waiting after 5 minutes".to_string());
            return Err("the demo did not settle within 5 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sync_took = sync_start.elapsed();
    bar.finish();

    // Later that week the shop cancels two invoiced orders that were never paid and voids a third:
    // credit notes applied to their invoices (the day's refunds are in the feed already).
    let late: Vec<(i64, &str)> = day
        .expectations
        .values()
        .filter(|e| e.problem.is_none() && !e.cancelled && !e.paid_at_placement && !e.paid_later)
        .take(3)
        .enumerate()
        .map(|(i, e)| {
            (
                e.order_id,
                if i < 2 {
                    "OrderCancelled"
                } else {
                    "OrderVoided"
                },
            )
        })
        .collect();
    for (order_id, kind) in &late {
        let doc = serde_json::json!({"Kind": kind, "OrderId": order_id});
        engine
            .enqueue_event(doc.to_string().as_bytes())
            .map_err(|e| e.to_string())?;
    }
    if !late.is_empty() {
        let start = Instant::now();
        loop {
            let c = engine.status_counts().map_err(|e| e.to_string())?;
            outcomes.extend(drain_outcomes(&engine).map_err(|e| e.to_string())?);
            if unsettled(&c) == 0 {
                break;
            }
            if start.elapsed() > Duration::from_secs(60) {
                return Err("the late cancellations did not settle within a minute".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        println!(
            "Later: {} {} orders cancelled or voided ({}).",
            late.len(),
            if flows.is_some() {
                "unpaid (under these flows, not invoiced)"
            } else {
                "invoiced, unpaid"
            },
            late.iter()
                .map(|(id, k)| format!("{id} {}", k.trim_start_matches("Order").to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    // The shop asks for KashFlow's stock levels.
    engine.request_stock_pull().map_err(|e| e.to_string())?;
    let pull_start = Instant::now();
    loop {
        outcomes.extend(drain_outcomes(&engine).map_err(|e| e.to_string())?);
        if outcomes.iter().any(|o| o.kind == OutcomeKind::SetStock)
            || pull_start.elapsed() > Duration::from_secs(30)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let summary = Summary::collect(&engine, sandbox.as_ref(), &outcomes).await?;
    if let Some(doc) = &flows {
        let c = engine.status_counts().map_err(|e| e.to_string())?;
        println!(
            "Flows: {} order(s) wait for their flow's trigger (e.g. never paid): nothing posted for them",
            c.awaiting_trigger
        );
        let roll_ups: Vec<(String, String)> = doc
            .flows
            .iter()
            .flat_map(|f| f.steps.iter())
            .filter_map(|s| match s {
                kashflow_sync::flows::Step::Customer(
                    kashflow_sync::flows::CustomerMode::RollUp { code, name },
                ) => Some((code.clone(), name.clone())),
                _ => None,
            })
            .collect();
        if let Some(s) = &sandbox {
            let invoices = s.invoices();
            for (code, name) in roll_ups {
                let n = invoices
                    .iter()
                    .filter(|i| i.customer_code.eq_ignore_ascii_case(&code))
                    .count();
                println!("Flows: {n} invoice(s) on the roll-up customer {code} ({name})");
            }
        }
    }
    let client_requests = match processor.connection().await {
        Some(c) => c.transport.request_count(),
        None => 0,
    };
    summary.print(args.orders, client_requests, sync_took, enqueue_took, &day);
    engine.shutdown(Duration::from_secs(5)).await;
    drop(engine);
    drop(processor);
    if let Some(s) = sandbox {
        stop_sandbox(s).await;
    }
    println!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

struct Summary {
    synced: usize,
    failed: Vec<(i64, String)>,
    cancelled: usize,
    invoices: usize,
    /// Known only with the in-process sandbox (its books).
    customers_created: Option<usize>,
    customers_used: usize,
    payments_at_placement: usize,
    payments_later: usize,
    api_requests: Option<(u64, BTreeMap<String, u64>)>,
    stock: Vec<(String, Option<Decimal>, Option<i64>)>,
    call_ms: Vec<f64>,
    order_ms: Vec<f64>,
    outcome_counts: BTreeMap<&'static str, usize>,
    /// Credit notes posted, by cause (Refund, Cancellation, Void).
    credit_notes: BTreeMap<String, usize>,
    /// Credited in total, by currency.
    credited: BTreeMap<String, Decimal>,
    /// Credit notes that could not be posted: (order, reason).
    credit_notes_failed: Vec<(i64, String)>,
    /// Credit notes in KashFlow's books (in-process sandbox only).
    credit_notes_in_kashflow: Option<usize>,
}

impl Summary {
    async fn collect(
        engine: &Engine,
        sandbox: Option<&SandboxHandle>,
        outcomes: &[kashflow_sync::engine::Outcome],
    ) -> Result<Summary, String> {
        let e = |e: kashflow_sync::engine::EngineError| e.to_string();
        let synced = records_in(engine, &[RecordState::Synced]).map_err(e)?;
        let failed = records_in(engine, &[RecordState::Failed]).map_err(e)?;
        let cancelled = records_in(engine, &[RecordState::Cancelled]).map_err(e)?;
        let mut credit_notes = BTreeMap::new();
        let mut credited: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut credit_notes_failed = Vec::new();
        for r in synced.iter().chain(&failed) {
            for c in &r.credit_notes {
                match (&c.posted, c.state) {
                    (Some(p), _) => {
                        *credit_notes.entry(c.cause.clone()).or_insert(0) += 1;
                        *credited.entry(p.currency.clone()).or_default() += p.amount;
                    }
                    (None, kashflow_sync::engine::JobState::Dead) => credit_notes_failed.push((
                        r.order_id,
                        c.last_error
                            .as_ref()
                            .map(|e| format!("{}: {}", e.code, e.message))
                            .unwrap_or_default(),
                    )),
                    _ => {}
                }
            }
        }
        let mut call_ms = Vec::new();
        let mut order_ms = Vec::new();
        let mut payments_later = 0;
        let mut payments_at_placement = 0;
        for r in &synced {
            let d = engine.record_detail(r.record_id).map_err(e)?;
            for a in &d.attempts {
                call_ms.extend(a.calls.iter().map(|c| c.duration_ms as f64));
                if a.job_kind == "RecordPayment"
                    && a.calls.iter().any(|c| c.method == "PUT")
                    && a.error.is_none()
                {
                    payments_later += 1;
                }
            }
            if let Some(m) = &d.mapped_invoice {
                if m["PaymentLines"].as_array().is_some_and(|p| !p.is_empty()) {
                    payments_at_placement += 1;
                }
            }
            order_ms.push((r.updated_utc - r.created_utc).num_milliseconds() as f64);
        }
        call_ms.sort_by(f64::total_cmp);
        order_ms.sort_by(f64::total_cmp);
        let codes: std::collections::BTreeSet<_> = synced
            .iter()
            .filter_map(|r| r.customer_code.clone())
            .collect();
        let mut outcome_counts = BTreeMap::new();
        for o in outcomes {
            *outcome_counts.entry(o.kind.as_str()).or_insert(0) += 1;
        }
        let reported = stock_levels(outcomes);
        let credit_notes_in_kashflow = sandbox.map(|s| books(s).credit_notes);
        let (invoices, customers_created, api_requests, stock) = match sandbox {
            Some(s) => {
                let b = books(s);
                let stock = b
                    .stock
                    .iter()
                    .map(|(sku, q)| (sku.clone(), Some(*q), reported.get(sku).copied()))
                    .collect();
                (
                    b.invoices,
                    Some(b.customers),
                    Some((b.api_requests(), b.requests)),
                    stock,
                )
            }
            None => (
                synced.iter().filter(|r| r.invoice_number.is_some()).count(),
                None,
                None,
                reported
                    .iter()
                    .map(|(sku, q)| (sku.clone(), None, Some(*q)))
                    .collect(),
            ),
        };
        Ok(Summary {
            synced: synced.len(),
            failed: failed
                .iter()
                .map(|r| {
                    (
                        r.order_id,
                        r.last_error
                            .as_ref()
                            .map(|e| match &e.path {
                                Some(p) => format!("{} at {}: {}", e.code, p, e.message),
                                None => format!("{}: {}", e.code, e.message),
                            })
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            cancelled: cancelled.len(),
            invoices,
            customers_created,
            customers_used: codes.len(),
            payments_at_placement,
            payments_later,
            api_requests,
            stock,
            call_ms,
            order_ms,
            outcome_counts,
            credit_notes,
            credited,
            credit_notes_failed,
            credit_notes_in_kashflow,
        })
    }

    fn print(
        &self,
        orders: usize,
        client_requests: u64,
        sync_took: Duration,
        enqueue_took: Duration,
        day: &kashflow_sync_harness::gen::Day,
    ) {
        let secs = sync_took.as_secs_f64().max(0.001);
        println!();
        println!("== Summary ==");
        println!(
            "Orders: {orders} → {} synced, {} dead-lettered, {} cancelled before posting ({:.1} orders/s; all {} documents journaled in {} ms)",
            self.synced,
            self.failed.len(),
            self.cancelled,
            self.synced as f64 / secs,
            day.feed.len(),
            enqueue_took.as_millis()
        );
        println!("Invoices created in KashFlow: {}", self.invoices);
        match self.customers_created {
            Some(created) => println!(
                "Customers: {created} created in KashFlow; {} distinct customers across {} synced orders ({} orders reused an existing customer)",
                self.customers_used,
                self.synced,
                self.synced.saturating_sub(self.customers_used)
            ),
            None => println!(
                "Customers: {} distinct KashFlow customers across {} synced orders ({} orders reused one)",
                self.customers_used,
                self.synced,
                self.synced.saturating_sub(self.customers_used)
            ),
        }
        println!(
            "Payments recorded: {} with the invoice (paid at placement, one call), {} later (OrderPaid)",
            self.payments_at_placement, self.payments_later
        );
        let refunds: usize = day.expectations.values().map(|e| e.refunds.len()).sum();
        let posted: usize = self.credit_notes.values().sum();
        let causes: Vec<String> = self
            .credit_notes
            .iter()
            .map(|(k, v)| format!("{} {v}", k.to_lowercase()))
            .collect();
        let credited: Vec<String> = self
            .credited
            .iter()
            .map(|(c, a)| format!("{a} {c}"))
            .collect();
        println!(
            "Credit notes posted: {posted} ({}) for the day's {refunds} refunds and the later cancellations; credited {}{}",
            if causes.is_empty() { "none".to_string() } else { causes.join(", ") },
            if credited.is_empty() { "nothing".to_string() } else { credited.join(" + ") },
            match self.credit_notes_in_kashflow {
                Some(n) => format!("; {n} credit notes in KashFlow's books"),
                None => String::new(),
            }
        );
        for (id, why) in &self.credit_notes_failed {
            println!("  credit note not posted for order {id}: {why}");
        }
        let guests = day.expectations.values().filter(|e| e.guest).count();
        let eur = day
            .expectations
            .values()
            .filter(|e| e.currency == "EUR")
            .count();
        println!("Mix: {guests} guest checkouts, {eur} EUR orders");
        match &self.api_requests {
            Some((total, by_route)) => {
                println!(
                    "KashFlow API calls: {} ({:.2} per order, logins excluded)",
                    total,
                    *total as f64 / orders.max(1) as f64
                );
                let routes: Vec<String> =
                    by_route.iter().map(|(k, v)| format!("{k} ×{v}")).collect();
                println!("  {}", routes.join(", "));
            }
            None => println!(
                "KashFlow API calls: {} ({:.2} per order, logins included)",
                client_requests,
                client_requests as f64 / orders.max(1) as f64
            ),
        }
        println!(
            "KashFlow call latency: p50 {:.0} ms, p99 {:.0} ms; order sync latency (journaled → synced): p50 {:.0} ms, p99 {:.0} ms",
            percentile(&self.call_ms, 50.0),
            percentile(&self.call_ms, 99.0),
            percentile(&self.order_ms, 50.0),
            percentile(&self.order_ms, 99.0)
        );
        let outcomes: Vec<String> = self
            .outcome_counts
            .iter()
            .map(|(k, v)| format!("{k} ×{v}"))
            .collect();
        println!("Told the shop: {}", outcomes.join(", "));
        println!("Stock levels (seed → KashFlow now; SetStock sent to nopCommerce = KashFlow less orders not yet invoiced):");
        for (sku, kf, told) in &self.stock {
            let start = kashflow_sync::kashflow::sandbox::seed::product(sku)
                .map(|p| p.quantity_in_stock.normalize().to_string())
                .unwrap_or_else(|| "?".into());
            println!(
                "  {sku:<18} {start:>4} → {:>4}   SetStock {}",
                kf.map(|q| q.normalize().to_string())
                    .unwrap_or_else(|| "?".into()),
                told.map(|q| q.to_string()).unwrap_or_else(|| "-".into())
            );
        }
        if self.failed.is_empty() {
            println!("Dead-lettered orders: none");
        } else {
            println!("Dead-lettered orders ({}):", self.failed.len());
            for (id, why) in &self.failed {
                let mut why = why.clone();
                if why.chars().count() > 220 {
                    why = why.chars().take(217).collect::<String>() + "...";
                }
                println!("  order {id}: {why}");
            }
        }
    }
}
