//! Durable enqueue latency: the cost the checkout path pays to file an order.
//!
//! A realistic 10-line snapshot (~5 KB JSON) is enqueued into a real journal file. Prints
//! p50/p90/p99/max from a manual loop that times every enqueue, for `JournalDurability::Full`
//! (fsync per commit) and `Normal`:
//! * "alone": the only writer (the single worker is held by a job that never ends), i.e. the
//!   checkout path's own cost;
//! * "with workers": two workers claim every enqueued order (as the KashFlow stage would);
//! * "16 threads": sixteen checkout threads at once, with workers.
//!
//! Then criterion's own estimate for Full, alone.
//!
//! Run: `cargo bench -p kashflow-sync --bench enqueue`

#[path = "../tests/engine_support/mod.rs"]
mod engine_support;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use kashflow_sync::engine::{
    BoxFuture, ConnectionReport, Engine, EngineConfig, EngineError, EngineOptions, JobContext,
    JobProcessor, JobResult, JournalDurability, Preview, PreviewContext,
};

/// `park`: every job waits an hour (one claim and one finish per order, like a busy KashFlow
/// stage). Otherwise the first job never ends, which keeps a single worker off the journal.
struct BenchProcessor {
    park: bool,
}

impl JobProcessor for BenchProcessor {
    fn process<'a>(&'a self, _ctx: JobContext<'a>) -> BoxFuture<'a, JobResult> {
        let park = self.park;
        Box::pin(async move {
            if !park {
                std::future::pending::<()>().await;
            }
            JobResult::Waiting {
                reason: "bench".into(),
                recheck_after: Some(Duration::from_secs(3600)),
            }
        })
    }
    fn preview(&self, _ctx: PreviewContext<'_>) -> Result<Preview, EngineError> {
        Err(EngineError::NotAvailable {
            message: "bench".into(),
        })
    }
    fn test_connection<'a>(
        &'a self,
        _config: &'a EngineConfig,
    ) -> BoxFuture<'a, Result<ConnectionReport, EngineError>> {
        Box::pin(async {
            Err(EngineError::NotAvailable {
                message: "bench".into(),
            })
        })
    }
}

fn snap(id: i64) -> Vec<u8> {
    engine_support::snapshot(id, &format!("N-{id}"), "2026-05-01T10:00:00Z", 10)
}

fn start(
    dir: &std::path::Path,
    durability: JournalDurability,
    with_workers: bool,
    rt: &tokio::runtime::Runtime,
) -> Engine {
    let mut cfg = EngineConfig::new(dir.join("journal.db"));
    cfg.journal_durability = durability;
    cfg.workers = if with_workers { 2 } else { 1 };
    let engine = Engine::start_with(
        cfg,
        rt.handle().clone(),
        None,
        EngineOptions {
            processor: Some(Arc::new(BenchProcessor { park: with_workers })),
            ..Default::default()
        },
    )
    .expect("engine");
    if !with_workers {
        // Occupy the only worker for good.
        engine.enqueue_order(&snap(1)).unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }
    engine
}

fn percentiles(label: &str, mut d: Vec<Duration>) {
    d.sort();
    let p = |q: f64| d[((d.len() as f64 - 1.0) * q).round() as usize];
    let us = |x: Duration| x.as_secs_f64() * 1e6;
    println!(
        "{label:<46} n={:<5} p50={:>8.1}us p90={:>8.1}us p99={:>8.1}us max={:>8.1}us",
        d.len(),
        us(p(0.50)),
        us(p(0.90)),
        us(p(0.99)),
        us(*d.last().unwrap())
    );
}

fn single_thread(engine: &Engine, label: &str) {
    let snaps: Vec<Vec<u8>> = (10..2210).map(snap).collect();
    for s in &snaps[..200] {
        engine.enqueue_order(s).unwrap(); // warm-up
    }
    let mut times = Vec::with_capacity(2000);
    for s in &snaps[200..] {
        let t = Instant::now();
        engine.enqueue_order(s).unwrap();
        times.push(t.elapsed());
    }
    percentiles(label, times);
}

fn sixteen_threads(engine: &Arc<Engine>, label: &str) {
    let next = Arc::new(AtomicI64::new(100_000));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let engine = engine.clone();
            let next = next.clone();
            std::thread::spawn(move || {
                let mut times = Vec::with_capacity(100);
                for _ in 0..100 {
                    let s = snap(next.fetch_add(1, Ordering::Relaxed));
                    let t = Instant::now();
                    engine.enqueue_order(&s).unwrap();
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let t = Instant::now();
    let all: Vec<Duration> = threads
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let wall = t.elapsed();
    percentiles(label, all);
    println!(
        "{:<46} {:.0} enqueues/s",
        format!("{label} throughput"),
        1600.0 / wall.as_secs_f64()
    );
}

fn manual_loops() {
    println!("snapshot size: {} bytes (10 lines)", snap(1).len());
    // Noise floor: the CPU-only part of an enqueue (JSON parse + content hash), no I/O. Its p99
    // shows how much scheduling noise the machine adds to every figure below.
    let snaps: Vec<Vec<u8>> = (10..2010).map(snap).collect();
    let times: Vec<Duration> = snaps
        .iter()
        .map(|s| {
            let t = Instant::now();
            std::hint::black_box(kashflow_sync::engine::header::peek(s));
            t.elapsed()
        })
        .collect();
    percentiles("noise floor: header peek only (no I/O)", times);
    for durability in [JournalDurability::Full, JournalDurability::Normal] {
        let rt = engine_support::runtime();
        let dir = tempfile::tempdir().unwrap();
        let alone = start(dir.path(), durability, false, &rt);
        single_thread(&alone, &format!("enqueue {durability:?}, 1 thread, alone"));
        drop(alone);

        let dir = tempfile::tempdir().unwrap();
        let engine = Arc::new(start(dir.path(), durability, true, &rt));
        single_thread(
            &engine,
            &format!("enqueue {durability:?}, 1 thread, with workers"),
        );
        sixteen_threads(&engine, &format!("enqueue {durability:?}, 16 threads"));
        rt.block_on(engine.shutdown(Duration::from_secs(5)));
    }
}

fn bench(c: &mut Criterion) {
    manual_loops();
    let rt = engine_support::runtime();
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path(), JournalDurability::Full, false, &rt);
    let next = AtomicI64::new(10);
    let mut group = c.benchmark_group("enqueue");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("enqueue_order 10-line snapshot, Full, alone", |b| {
        b.iter_batched(
            || snap(next.fetch_add(1, Ordering::Relaxed)),
            |s| engine.enqueue_order(&s).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
