//! `kfsync bench`: the figures for the closing note, measured on this machine against the sandbox
//! over loopback HTTP (not timed tests; run them by hand, preferably with `--release`).
//!
//! - `enqueue`: durable enqueue latency (each call returns after its SQLite commit) while the engine
//!   syncs the earlier orders, p50/p99/max.
//! - `throughput`: end-to-end orders per second at a given KashFlow latency.
//! - `calls`: KashFlow API calls per order in steady state (returning customers, orders paid when
//!   placed), after a warm-up day has created the customers.
//! - `memory`: peak resident memory (VmHWM) of this process while its engine works through a
//!   10,000-order backlog; the sandbox runs in a child process so only the engine is measured.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use kashflow_sync::engine::Engine;
use kashflow_sync::sync::KashFlowProcessor;
use kashflow_sync_harness::gen::{generate, FeedItem, GenConfig};
use kashflow_sync_harness::harness::{
    engine_config, enqueue_feed, percentile, start_engine_with, start_sandbox, wait_settled,
    Credentials, SandboxOptions,
};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub which: Bench,
}

#[derive(Subcommand, Debug)]
pub enum Bench {
    /// Durable enqueue latency while the engine syncs.
    Enqueue {
        #[arg(long, default_value_t = 2000)]
        orders: usize,
        /// KashFlow latency while the engine works in the background.
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
    },
    /// End-to-end orders per second.
    Throughput {
        #[arg(long, default_value_t = 1000)]
        orders: usize,
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        #[arg(long, default_value_t = 8)]
        workers: u32,
        /// Keep the client's rate limit at KashFlow.RequestsPerSecond (100, the engine's maximum)
        /// instead of lifting it.
        #[arg(long)]
        throttled: bool,
    },
    /// KashFlow calls per order in steady state.
    Calls {
        #[arg(long, default_value_t = 1000)]
        orders: usize,
        /// Registered customers the orders come from.
        #[arg(long, default_value_t = 100)]
        customers: usize,
    },
    /// Peak memory with a large backlog: the sandbox (child process) answers slowly so the
    /// backlog builds up while everything is journaled, then the engine works on it for a while.
    Memory {
        #[arg(long, default_value_t = 10_000)]
        orders: usize,
        #[arg(long, default_value_t = 100)]
        latency_ms: u64,
        /// Seconds the engine keeps working on the backlog before the measurement ends.
        #[arg(long, default_value_t = 20)]
        work_secs: u64,
    },
}

pub fn run(args: BenchArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kfsync bench: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async move {
        match args.which {
            Bench::Enqueue { orders, latency_ms } => enqueue(orders, latency_ms).await,
            Bench::Throughput {
                orders,
                latency_ms,
                workers,
                throttled,
            } => throughput(orders, latency_ms, workers, throttled).await,
            Bench::Calls { orders, customers } => calls(orders, customers).await,
            Bench::Memory {
                orders,
                latency_ms,
                work_secs,
            } => memory(orders, latency_ms, work_secs).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kfsync bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn start(
    journal: &Path,
    base_url: &str,
    workers: u32,
    throttled: bool,
) -> Result<(Engine, Arc<KashFlowProcessor>), String> {
    let mut config = engine_config(journal, base_url, &Credentials::sandbox());
    config.workers = workers;
    let processor = Arc::new(if throttled {
        KashFlowProcessor::new()
    } else {
        KashFlowProcessor::unthrottled()
    });
    let engine = start_engine_with(
        config,
        tokio::runtime::Handle::current(),
        None,
        processor.clone(),
    )
    .map_err(|e| e.to_string())?;
    Ok((engine, processor))
}

fn day(orders: usize, seed: u64, first_order_id: i64) -> GenConfig {
    GenConfig {
        orders,
        seed,
        first_order_id,
        problem_rate: 0.0,
        respect_stock: false,
        ..GenConfig::default()
    }
}

async fn enqueue(orders: usize, latency_ms: u64) -> Result<(), String> {
    let sandbox = start_sandbox(&SandboxOptions {
        latency: Duration::from_millis(latency_ms),
        allow_negative_stock: true,
        ..SandboxOptions::default()
    })
    .await?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (engine, _) = start(&dir.path().join("j.sqlite"), sandbox.base_url(), 4, false)?;
    let feed: Vec<Vec<u8>> = generate(&day(orders, 3, 1))
        .feed
        .iter()
        .filter(|f| matches!(f, FeedItem::Order(_)))
        .map(FeedItem::to_json)
        .collect();
    let mut us = Vec::with_capacity(feed.len());
    for doc in &feed {
        let t = Instant::now();
        engine.enqueue_order(doc).map_err(|e| e.to_string())?;
        us.push(t.elapsed().as_secs_f64() * 1e6);
        // The host enqueues as orders are placed, not in one burst.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    us.sort_by(f64::total_cmp);
    println!(
        "enqueue (durable, JournalDurability Full, engine syncing at {latency_ms} ms KashFlow latency): {} orders; p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        us.len(),
        percentile(&us, 50.0),
        percentile(&us, 90.0),
        percentile(&us, 99.0),
        us.last().copied().unwrap_or(0.0)
    );
    engine.shutdown(Duration::from_secs(5)).await;
    Ok(())
}

async fn throughput(
    orders: usize,
    latency_ms: u64,
    workers: u32,
    throttled: bool,
) -> Result<(), String> {
    let sandbox = start_sandbox(&SandboxOptions {
        latency: Duration::from_millis(latency_ms),
        allow_negative_stock: true,
        ..SandboxOptions::default()
    })
    .await?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (engine, _) = start(
        &dir.path().join("j.sqlite"),
        sandbox.base_url(),
        workers,
        throttled,
    )?;
    let d = generate(&day(orders, 5, 1));
    let t = Instant::now();
    enqueue_feed(&engine, &d.feed).map_err(|e| e.to_string())?;
    let c = wait_settled(&engine, Duration::from_secs(600), |_| {}).await?;
    let secs = t.elapsed().as_secs_f64();
    let calls: u64 = sandbox
        .call_counts()
        .iter()
        .filter(|(k, _)| !k.contains("/sessiontoken"))
        .map(|(_, v)| *v)
        .sum();
    println!(
        "throughput at {latency_ms} ms KashFlow latency, {workers} workers, {}: {} orders ({} synced) in {:.2} s = {:.1} orders/s; {:.2} KashFlow calls per order",
        if throttled { "client limit 100 req/s" } else { "no client rate limit" },
        orders,
        c.synced,
        secs,
        c.synced as f64 / secs,
        calls as f64 / orders.max(1) as f64
    );
    engine.shutdown(Duration::from_secs(5)).await;
    Ok(())
}

async fn calls(orders: usize, customers: usize) -> Result<(), String> {
    let sandbox = start_sandbox(&SandboxOptions {
        allow_negative_stock: true,
        ..SandboxOptions::default()
    })
    .await?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (engine, _) = start(&dir.path().join("j.sqlite"), sandbox.base_url(), 4, false)?;
    let shop = |seed: u64, first: i64| GenConfig {
        registered_customers: customers,
        guest_rate: 0.0,
        cheque_rate: 0.0,
        eur_rate: 0.0,
        ..day(orders, seed, first)
    };
    // Warm-up: the customers' first orders create them.
    enqueue_feed(&engine, &generate(&shop(9, 1)).feed).map_err(|e| e.to_string())?;
    wait_settled(&engine, Duration::from_secs(600), |_| {}).await?;
    let warm = sandbox.customers().len();
    sandbox.clear_requests();
    enqueue_feed(&engine, &generate(&shop(9, 1 + orders as i64)).feed)
        .map_err(|e| e.to_string())?;
    let c = wait_settled(&engine, Duration::from_secs(600), |_| {}).await?;
    let counts = sandbox.call_counts();
    let api: u64 = counts
        .iter()
        .filter(|(k, _)| !k.contains("/sessiontoken"))
        .map(|(_, v)| *v)
        .sum();
    let steady = c.synced as usize - orders;
    println!(
        "steady state: {steady} orders paid at placement from {customers} returning customers ({warm} created during warm-up, {} after): {api} KashFlow calls = {:.3} per order ({})",
        sandbox.customers().len() - warm,
        api as f64 / steady.max(1) as f64,
        counts
            .iter()
            .map(|(k, v)| format!("{k} ×{v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    engine.shutdown(Duration::from_secs(5)).await;
    Ok(())
}

/// `VmHWM` and `VmRSS` of this process in MiB (Linux).
fn memory_now() -> (f64, f64) {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmHWM:"), kb("VmRSS:"))
}

/// Kills the child sandbox when dropped.
struct ChildSandbox(Child);

impl Drop for ChildSandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `kfsync sandbox` in a child process; returns it and its base URL.
fn child_sandbox(latency_ms: u64) -> Result<(ChildSandbox, String), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args(["sandbox", "--port", "0", "--allow-negative-stock"])
        .args(["--latency-ms", &latency_ms.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the sandbox: {e}"))?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let guard = ChildSandbox(child);
    for line in BufReader::new(out).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if let Some(url) = line.strip_prefix("KashFlow sandbox (REST v2 and SOAP) listening on ") {
            return Ok((guard, url.trim().to_string()));
        }
    }
    Err("the sandbox did not print its address".into())
}

async fn memory(orders: usize, latency_ms: u64, work_secs: u64) -> Result<(), String> {
    let (_sandbox, url) = child_sandbox(latency_ms)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (base_hwm, _) = memory_now();
    let (engine, _) = start(&dir.path().join("j.sqlite"), &url, 2, false)?;
    // Generate and enqueue in chunks so the generator's documents do not count as the engine's.
    let chunk = 500;
    let t = Instant::now();
    let mut done = 0;
    while done < orders {
        let n = chunk.min(orders - done);
        let feed = generate(&day(n, 100 + done as u64, 1 + done as i64)).feed;
        enqueue_feed(&engine, &feed).map_err(|e| e.to_string())?;
        done += n;
    }
    let journaled = t.elapsed();
    let backlog = engine.status_counts().map_err(|e| e.to_string())?;
    let (hwm_enqueued, _) = memory_now();
    tokio::time::sleep(Duration::from_secs(work_secs)).await;
    let after = engine.status_counts().map_err(|e| e.to_string())?;
    let (hwm, rss) = memory_now();
    println!(
        "memory: {orders} orders journaled in {:.1} s; backlog {} unsynced records; after {work_secs} s more work at {latency_ms} ms KashFlow latency {} synced, {} still waiting. VmHWM: {:.1} MiB before the engine, {:.1} MiB with the backlog journaled, {:.1} MiB peak overall (VmRSS now {:.1} MiB)",
        journaled.as_secs_f64(),
        backlog.pending + backlog.retrying + backlog.in_flight,
        after.synced,
        after.pending + after.retrying + after.in_flight,
        base_hwm,
        hwm_enqueued,
        hwm,
        rss
    );
    engine.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
