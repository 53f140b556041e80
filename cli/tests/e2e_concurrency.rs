//! Concurrency: many threads enqueueing at once into one engine (durable, deduplicated, nothing
//! lost), and orders of the same new customer processed in parallel creating one customer.

mod common;

use std::time::Duration;

use common::*;
use kashflow_sync::engine::ReceiptState;
use kashflow_sync_harness::harness::{SandboxOptions, TestBed};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_threads_enqueueing_at_once_lose_and_double_nothing() {
    let bed = TestBed::start_unthrottled(&SandboxOptions::default(), |c| c.workers = 8)
        .await
        .unwrap();
    const THREADS: i64 = 8;
    const PER_THREAD: i64 = 60;
    let engine = &bed.engine;
    let receipts: Vec<Vec<ReceiptState>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                s.spawn(move || {
                    let mut states = Vec::new();
                    for k in 0..PER_THREAD {
                        let id = 10_000 + t * PER_THREAD + k;
                        let o = json(&order_with(
                            id,
                            3_000 + id % 50,
                            &format!("buyer{}@example.com", id % 50),
                            vec![line(EBOOK, 1)],
                            |_| {},
                        ));
                        states.push(engine.enqueue_order(&o).unwrap().state);
                        // Every thread also re-sends an order another thread owns.
                        let other = 10_000 + ((t + 1) % THREADS) * PER_THREAD + k;
                        let dup = json(&order_with(
                            other,
                            3_000 + other % 50,
                            &format!("buyer{}@example.com", other % 50),
                            vec![line(EBOOK, 1)],
                            |_| {},
                        ));
                        engine.enqueue_order(&dup).unwrap();
                    }
                    states
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total = (THREADS * PER_THREAD) as u64;
    assert_eq!(receipts.iter().map(Vec::len).sum::<usize>() as u64, total);
    let counts = bed.settle().await.unwrap();
    assert_eq!(counts.total, total, "{counts:?}");
    assert_eq!(counts.synced, total, "{counts:?}");
    assert_eq!(bed.sandbox.invoices().len() as u64, total);
    assert_eq!(bed.sandbox.calls("POST /invoices"), total);
    assert_eq!(bed.sandbox.customers().len(), 50, "one customer per e-mail");
    bed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn orders_of_one_new_customer_processed_in_parallel_create_one_customer() {
    // Slow KashFlow widens the window in which two workers could both decide to create.
    let bed = TestBed::start_closed(
        &SandboxOptions {
            latency: Duration::from_millis(20),
            ..SandboxOptions::default()
        },
        |c| c.workers = 8,
    )
    .await
    .unwrap();
    // Three new customers, ten orders each; registered and guest checkouts mixed, so the same
    // e-mail arrives under different nopCommerce customer ids.
    for k in 0..30i64 {
        let who = k % 3;
        let email = format!("new.customer{who}@example.co.uk");
        let o = if k % 2 == 0 {
            order_with(20_000 + k, 4_000 + who, &email, vec![line(BOOK, 1)], |_| {})
        } else {
            order_with(20_000 + k, 9_500 + k, &email, vec![line(BOOK, 1)], guest)
        };
        bed.engine.enqueue_order(&json(&o)).unwrap();
    }
    bed.open_gate();
    let counts = bed.settle().await.unwrap();
    assert_eq!(counts.synced, 30, "{counts:?}");
    let customers = bed.sandbox.customers();
    assert_eq!(customers.len(), 3, "{customers:?}");
    assert_eq!(bed.sandbox.calls("POST /customers"), 3);
    for c in &customers {
        let n = bed
            .sandbox
            .invoices()
            .iter()
            .filter(|i| i.customer_code == c.code)
            .count();
        assert_eq!(n, 10, "customer {}", c.code);
    }
    bed.stop().await;
}
