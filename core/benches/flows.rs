//! The dry run of flows over 1,000 orders (the admin's "what would this flow have done with the
//! last N orders" at its page limit): parse the orders, choose the flow per order and trigger,
//! map each invoice the flow posts. Orders are the golden fixtures, cycled with their own ids and
//! a mix of customer roles; flows are `examples/flows/trade-on-dispatch.json`; every order has
//! been paid and half have been shipped (about 2,500 rows).
//!
//! `cargo bench -p kashflow-sync --bench flows -- --warm-up-time 1 --measurement-time 5`; the
//! median is in `target/criterion/flows/dry_run_1000_orders/new/estimates.json` ("median").

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use kashflow_sync::flows::{dry_run, parse};
use kashflow_sync::mapping::MappingRules;
use serde_json::{json, Value};

fn orders(n: usize) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orders");
    let mut fixtures: Vec<Value> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            let name = p.file_name()?.to_str()?.to_string();
            (name.ends_with(".json") && !name.ends_with(".expected.json"))
                .then(|| serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap())
        })
        .collect();
    fixtures.sort_by_key(|v: &Value| v["Id"].as_i64());
    let roles = [
        vec!["Registered"],
        vec!["Registered", "Trade"],
        vec!["Guests"],
    ];
    let list: Vec<Value> = (0..n)
        .map(|i| {
            let mut s = fixtures[i % fixtures.len()].clone();
            s["Id"] = json!(100_000 + i);
            s["CustomerRoles"] = json!(roles[i % roles.len()]);
            let events = if i % 2 == 0 {
                json!(["OrderPaid", "OrderShipped"])
            } else {
                json!(["OrderPaid"])
            };
            json!({"Snapshot": s, "Events": events})
        })
        .collect();
    serde_json::to_vec(&list).unwrap()
}

fn bench(c: &mut Criterion) {
    let flows = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/flows/trade-on-dispatch.json"),
    )
    .unwrap();
    let doc = parse(&flows).unwrap();
    let input = orders(1000);
    let rules = MappingRules::default();
    let run = dry_run(&doc, &input, &rules).unwrap();
    assert_eq!(run.orders, 1000);
    assert!(run.rows.iter().all(|r| r.error.is_none()));
    let mut g = c.benchmark_group("flows");
    g.sample_size(20);
    g.bench_function("dry_run_1000_orders", |b| {
        b.iter(|| dry_run(&doc, &input, &rules).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
