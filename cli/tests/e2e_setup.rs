//! End-to-end, account setup: a working connection test reads the account's lookups and the
//! engine keeps them as a read of the lookups does (in the journal; orders that waited only for
//! a product KashFlow now has go again). The real engine, processor and client against the
//! sandbox KashFlow over HTTP on 127.0.0.1, a real SQLite journal, on both transports.

mod common;

use common::*;
use kashflow_sync::engine::RecordState;
use kashflow_sync_harness::harness::{invoice_of, SandboxOptions, TestBed};
use kashflow_sync_harness::over_transports;

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_working_connection_test_keeps_the_lookups_and_releases_orders_waiting_for_products(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let mut o = order(1701, 61, "setup@example.com");
    o.items[0].sku = Some("MUG-SETUP".into());
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    assert_eq!(bed.settle().await.unwrap().failed, 1);

    // The product is added in KashFlow itself; then the admin tests the connection.
    bed.sandbox.with_account_mut(|a| {
        let mut p = a.products().find(|p| p.code == "MUG-CLASSIC").cloned().unwrap();
        p.code = "MUG-SETUP".into();
        p.id = None;
        a.create_product(&serde_json::to_value(&p).unwrap()).unwrap();
    });
    let report = bed.engine.test_connection().await.unwrap();
    assert!(report.ok, "{}", report.message);
    let catalogue = report.catalogue.expect("a working test carries the lookups");
    assert!(catalogue.products.iter().any(|p| p.code == "MUG-SETUP"));
    assert!(!catalogue.payment_methods.is_empty());

    // Nobody pressed Retry: the test's lookups released the order.
    let c = bed.settle().await.unwrap();
    assert_eq!((c.synced, c.failed), (1, 0), "{c:?}");
    assert!(invoice_of(&bed.sandbox, 1701).is_some());
    assert_eq!(
        bed.engine.record_detail(r.record_id).unwrap().record.state,
        RecordState::Synced
    );
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapping_a_waiting_sku_to_a_product_kashflow_has_releases_the_order(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let mut o = order(1702, 62, "mapped@example.com");
    o.items[0].sku = Some("MUG-CLASSIC-BLUE".into());
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    assert_eq!(bed.settle().await.unwrap().failed, 1);

    // The admin maps the SKU to the product KashFlow has, and the lookups are read again.
    let mut mapped = bed.config.clone();
    mapped
        .rules
        .product_codes
        .insert("MUG-CLASSIC-BLUE".into(), "MUG-CLASSIC".into());
    bed.engine.reconfigure(mapped).unwrap();
    bed.engine.account_catalogue().await.unwrap();

    // Nobody pressed Retry: mapped again under the new rules, the order is posted.
    let c = bed.settle().await.unwrap();
    assert_eq!((c.synced, c.failed), (1, 0), "{c:?}");
    let inv = invoice_of(&bed.sandbox, 1702).expect("invoice posted");
    assert!(
        inv.line_items
            .iter()
            .flatten()
            .any(|l| l.product_code.as_deref() == Some("MUG-CLASSIC")),
        "{:?}",
        inv.line_items
    );
    assert_eq!(
        bed.engine.record_detail(r.record_id).unwrap().record.state,
        RecordState::Synced
    );
    bed.stop().await;
}
}
