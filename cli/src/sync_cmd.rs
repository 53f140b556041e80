//! `kfsync sync`: sync order snapshots (and events) from files into any KashFlow through the real
//! engine, and wait until every record has settled (synced, failed with a reason, or cancelled).
//!
//! Input: a JSON file or a folder of them (sorted by name; `*.expected.json` fixture outputs are
//! skipped). A file holds one document or an array of documents; a document with a `Kind` is an
//! event (`OrderPaid`, `OrderCancelled`, `OrderRefunded`), anything else a snapshot. Enqueueing is
//! idempotent, so running the command again on the same journal resumes where it stopped.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use kashflow_sync::engine::{EngineConfig, RecordState};
use kashflow_sync_harness::harness::{
    drain_outcomes, engine_config, records_in, start_engine_with_lease, unsettled, Credentials,
};
use serde_json::Value;

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// A snapshot/event JSON file, or a folder of them.
    #[arg(long)]
    pub orders: PathBuf,
    /// KashFlow base URL (e.g. https://api.kashflow.com/v2, or a sandbox's http://127.0.0.1:PORT/v2).
    /// Optional with --config.
    #[arg(long)]
    pub kashflow_url: Option<String>,
    /// Journal file (created if missing).
    #[arg(long)]
    pub journal: PathBuf,
    /// Engine configuration document (PascalCase JSON, as the plugin stores it); its KashFlow login
    /// and rules are used. Without it the login comes from KFSYNC_USERNAME / KFSYNC_PASSWORD /
    /// KFSYNC_MEMORABLE_WORD.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Engine workers.
    #[arg(long)]
    pub workers: Option<u32>,
    /// Give up waiting after this many seconds (exit 1).
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
    /// Job lease in seconds: how long jobs of a killed run stay claimed before a new run takes
    /// them over.
    #[arg(long, default_value_t = 10)]
    pub lease_secs: u64,
    /// Active-worker lease: expiry and renewal in milliseconds (default 10000 3000). Of several
    /// `kfsync sync` processes on one journal only the holder syncs; the others journal their
    /// files, take over when the holder stops or dies, and wait until the journal is settled.
    #[arg(long, value_names = ["EXPIRY_MS", "RENEW_MS"], num_args = 2)]
    pub worker_lease_ms: Option<Vec<u64>>,
    /// Retry delays for a quick run against a faulty sandbox: base and cap in milliseconds.
    #[arg(long, value_names = ["BASE_MS", "MAX_MS"], num_args = 2)]
    pub retry_ms: Option<Vec<u64>>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// KashFlow API: rest or soap (overrides the configuration's KashFlow.Transport).
    #[arg(long)]
    pub transport: Option<kashflow_sync::kashflow::transport::TransportKind>,
}

/// Every `.json` file under `path` (or `path` itself), sorted.
pub fn input_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.is_file() && name.ends_with(".json") && !name.ends_with(".expected.json")
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The documents in one file: (is_event, bytes).
pub fn documents(path: &Path) -> Result<Vec<(bool, Vec<u8>)>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Array(items)) => Ok(items
            .into_iter()
            .map(|v| {
                (
                    v.get("Kind").is_some(),
                    serde_json::to_vec(&v).unwrap_or_default(),
                )
            })
            .collect()),
        Ok(v) => Ok(vec![(v.get("Kind").is_some(), bytes)]),
        // Not JSON: the engine files it as Failed with the parse error.
        Err(_) => Ok(vec![(false, bytes)]),
    }
}

fn config_for(args: &SyncArgs) -> Result<EngineConfig, String> {
    let mut config = match &args.config {
        Some(path) => {
            let text =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut v: Value =
                serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            // The journal named on the command line wins.
            v["JournalPath"] = Value::String(args.journal.display().to_string());
            EngineConfig::from_value(&v).map_err(|e| e.to_string())?
        }
        None => {
            let url = args
                .kashflow_url
                .as_deref()
                .ok_or("--kashflow-url (or --config) is required")?;
            engine_config(&args.journal, url, &Credentials::from_env())
        }
    };
    if let (Some(url), Some(_)) = (&args.kashflow_url, &args.config) {
        let with_url = engine_config(&args.journal, url, &Credentials::from_env());
        config.kashflow.mode = with_url.kashflow.mode;
        config.kashflow.base_url = with_url.kashflow.base_url;
    }
    if let Some(w) = args.workers {
        config.workers = w;
    }
    if let Some(l) = &args.worker_lease_ms {
        config.worker_lease.expiry_ms = l[0];
        config.worker_lease.renew_ms = l[1];
    }
    if let Some(t) = args.transport {
        config.kashflow.transport = t;
    }
    if let Some(r) = &args.retry_ms {
        config.retry.base_delay_ms = r[0].max(1);
        config.retry.max_delay_ms = r[1].max(r[0]).max(1);
        config.retry.max_attempts = 40;
        config.circuit_breaker.failure_threshold = 1000;
        config.circuit_breaker.cool_down_ms = 50;
    }
    config.validate().map_err(|e| e.to_string())?;
    Ok(config)
}

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere): the signals a host stopping us sends.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

pub fn run(args: SyncArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kfsync sync: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(sync(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kfsync sync: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn sync(args: SyncArgs) -> Result<ExitCode, String> {
    let config = config_for(&args)?;
    let files = input_files(&args.orders)?;
    let mut docs = Vec::new();
    for f in &files {
        docs.extend(documents(f)?);
    }
    let (engine, _processor) = start_engine_with_lease(
        config,
        tokio::runtime::Handle::current(),
        None,
        Duration::from_secs(args.lease_secs.max(1)),
    )
    .map_err(|e| e.to_string())?;
    let orders = docs.iter().filter(|(event, _)| !event).count();
    for (event, bytes) in &docs {
        let r = if *event {
            engine.enqueue_event(bytes)
        } else {
            engine.enqueue_order(bytes)
        };
        r.map_err(|e| e.to_string())?;
    }
    if !args.quiet {
        println!(
            "Journaled {} documents ({} snapshots) from {} file(s) into {}",
            docs.len(),
            orders,
            files.len(),
            args.journal.display()
        );
    }
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} settled  {msg}",
        )
        .map_err(|e| e.to_string())?,
    );
    let start = Instant::now();
    let mut outcomes = 0usize;
    let stop = stop_signal();
    tokio::pin!(stop);
    let counts = loop {
        let c = engine.status_counts().map_err(|e| e.to_string())?;
        // The shop applies outcomes as they come (ack them so they do not pile up).
        outcomes += drain_outcomes(&engine).map_err(|e| e.to_string())?.len();
        bar.set_length(c.total);
        bar.set_position(c.synced + c.failed + c.cancelled);
        bar.set_message(format!(
            "synced {} · failed {} · cancelled {} · retrying {}",
            c.synced, c.failed, c.cancelled, c.retrying
        ));
        if unsettled(&c) == 0 {
            break c;
        }
        if start.elapsed() > Duration::from_secs(args.timeout_secs) {
            bar.abandon();
            engine.shutdown(Duration::from_secs(5)).await;
            return Err(format!(
                "not settled after {} s: {} pending, {} in flight, {} retrying",
                args.timeout_secs, c.pending, c.in_flight, c.retrying
            ));
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = &mut stop => {
                // Stopped like a recycled host: finish or hand back what is in flight, release
                // the active-worker lease so another process takes over at once.
                bar.abandon();
                engine.shutdown(Duration::from_secs(5)).await;
                eprintln!(
                    "kfsync sync: stopped before the journal settled ({} pending, {} in flight, {} retrying); run again to resume",
                    c.pending, c.in_flight, c.retrying
                );
                return Ok(ExitCode::from(130));
            }
        }
    };
    bar.finish_and_clear();
    println!(
        "Settled in {:.1} s: {} synced, {} failed, {} cancelled ({} records; {} outcomes for the shop)",
        start.elapsed().as_secs_f64(),
        counts.synced,
        counts.failed,
        counts.cancelled,
        counts.total,
        outcomes
    );
    for r in records_in(&engine, &[RecordState::Failed]).map_err(|e| e.to_string())? {
        let why = r
            .last_error
            .map(|e| format!("{}: {}", e.code, e.message))
            .unwrap_or_default();
        println!("  failed: order {}: {why}", r.order_id);
    }
    engine.shutdown(Duration::from_secs(5)).await;
    Ok(ExitCode::SUCCESS)
}
