//! Parse + validate + map throughput for a 10-line order, on one core:
//! `cargo bench -p kashflow-sync --bench mapping -- --warm-up-time 1 --measurement-time 3`.
//!
//! Each case is measured twice: `mapping/*` in wall-clock time (criterion's default) and
//! `mapping_cpu/*` in the benchmark thread's own CPU time (`CLOCK_THREAD_CPUTIME_ID`), which
//! is what "orders per second per core" means and stays honest on a machine shared with other
//! work. Orders per second per core = 1 / the reported time (also shown as elements/s).

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use kashflow_sync::mapping::{map_order, preview, MappingRules};
use kashflow_sync::order::parse_snapshot;
use kashflow_sync::order::sample::ten_line_order;

/// CPU time of the current thread, in nanoseconds (Linux `CLOCK_THREAD_CPUTIME_ID`).
struct ThreadCpuTime;

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
}

const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

fn thread_cpu_ns() -> u64 {
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec (two 64-bit fields on 64-bit Linux).
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = Duration;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> Duration {
        Duration::from_nanos(thread_cpu_ns().saturating_sub(start))
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WallTime.formatter()
    }
}

fn cases<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let bytes = serde_json::to_vec(&ten_line_order()).expect("sample serialises");
    let rules = MappingRules::default();
    let parsed = parse_snapshot(&bytes).expect("sample parses");
    assert!(preview(&bytes, &rules).is_ok(), "the sample order must map");

    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse_validate_map_10_lines", |b| {
        b.iter(|| preview(black_box(&bytes), black_box(&rules)).expect("maps"))
    });
    g.bench_function("parse_only_10_lines", |b| {
        b.iter(|| parse_snapshot(black_box(&bytes)).expect("parses"))
    });
    g.bench_function("map_only_10_lines", |b| {
        b.iter(|| map_order(black_box(&parsed), black_box(&rules)).expect("maps"))
    });
    g.finish();
}

fn wall(c: &mut Criterion) {
    cases(c, "mapping");
}

fn cpu(c: &mut Criterion<ThreadCpuTime>) {
    cases(c, "mapping_cpu");
}

criterion_group!(wall_clock, wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = cpu
}
criterion_main!(wall_clock, cpu_time);
