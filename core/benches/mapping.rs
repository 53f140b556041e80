//! Parse + validate + map throughput for a 10-line order (one core):
//! `cargo bench -p kashflow-sync --bench mapping -- --warm-up-time 1 --measurement-time 3`.
//! Orders per second per core = 1 / the reported time (also shown as elements/s).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use kashflow_sync::mapping::{map_order, preview, MappingRules};
use kashflow_sync::order::parse_snapshot;
use kashflow_sync::order::sample::ten_line_order;

fn bench(c: &mut Criterion) {
    let bytes = serde_json::to_vec(&ten_line_order()).expect("sample serialises");
    let rules = MappingRules::default();
    let parsed = parse_snapshot(&bytes).expect("sample parses");
    assert!(preview(&bytes, &rules).is_ok(), "the sample order must map");

    let mut g = c.benchmark_group("mapping");
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

criterion_group!(benches, bench);
criterion_main!(benches);
