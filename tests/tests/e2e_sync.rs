//! End-to-end: the real engine, the real KashFlow processor and client, the sandbox KashFlow over
//! HTTP on 127.0.0.1, a real SQLite journal in a temporary directory. One behaviour per test.

mod common;

use common::*;
use kashflow_sync::engine::{OutcomeKind, RecordState};
use kashflow_sync_harness::harness::{drain_outcomes, SandboxOptions, TestBed};
use rust_decimal::Decimal;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_customer_paid_order_is_one_customer_one_invoice_with_its_payment() {
    let bed = TestBed::start(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    let o = order(501, 45, "jane.smith@example.co.uk");
    let receipt = bed.engine.enqueue_order(&json(&o)).unwrap();
    let counts = bed.settle().await.unwrap();
    assert_eq!(counts.synced, 1, "{counts:?}");

    let inv = bed
        .sandbox
        .invoice(invoice_no(501))
        .expect("invoice posted");
    assert_eq!(inv.customer_reference.as_deref(), Some("NOP-501"));
    assert_eq!(inv.customer_code, "NOP000045");
    assert_eq!(inv.gross_amount, Some(o.order_total));
    let payments = inv.payment_lines.clone().unwrap_or_default();
    assert_eq!(
        payments.len(),
        1,
        "paid at placement: payment inside the create"
    );
    assert_eq!(payments[0].amount, o.order_total);
    assert_eq!(inv.due_amount, Some(Decimal::ZERO));
    assert_eq!(bed.sandbox.calls("POST /invoices"), 1);
    assert_eq!(
        bed.sandbox.calls("PUT /invoices/{number}"),
        0,
        "no second call for the payment"
    );
    assert_eq!(bed.sandbox.calls("POST /customers"), 1);
    let c = bed.sandbox.customer("NOP000045").unwrap();
    assert_eq!(c.email.as_deref(), Some("jane.smith@example.co.uk"));
    // Stock: the invoice line for the stock-managed mug lowered KashFlow's stock once.
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(118)));

    let detail = bed.engine.record_detail(receipt.record_id).unwrap();
    assert_eq!(detail.record.state, RecordState::Synced);
    assert_eq!(detail.record.invoice_number, Some(invoice_no(501)));
    let mapped = detail
        .mapped_invoice
        .expect("mapped invoice kept on the record");
    assert_eq!(mapped["CustomerCode"], "NOP000045");

    let outcomes = drain_outcomes(&bed.engine).unwrap();
    assert!(outcomes
        .iter()
        .any(|o| o.kind == OutcomeKind::SetOrderStatus
            && o.order_id == Some(501)
            && o.order_status.as_deref() == Some("Processing")));
    let note = outcomes
        .iter()
        .find(|o| o.kind == OutcomeKind::AddOrderNote)
        .expect("order note");
    assert_eq!(note.invoice_number, Some(invoice_no(501)));
    assert_eq!(
        note.note.as_deref(),
        Some("KashFlow invoice 100501 created (customer NOP000045)")
    );
    bed.stop().await;
}
