//! End-to-end: the real engine, the real KashFlow processor and client, the sandbox KashFlow over
//! HTTP on 127.0.0.1, a real SQLite journal in a temporary directory. One behaviour per test.

mod common;

use common::*;
use kashflow_sync::engine::{JobState, OutcomeKind, RecordState};
use kashflow_sync_harness::harness::{
    drain_outcomes, invoice_of, Api, SandboxOptions, TestBed, TransportKind,
};
use kashflow_sync_harness::over_transports;
use rust_decimal::Decimal;

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_customer_paid_order_is_one_customer_one_invoice_with_its_payment(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order(501, 45, "jane.smith@example.co.uk");
    let receipt = bed.engine.enqueue_order(&json(&o)).unwrap();
    let counts = bed.settle().await.unwrap();
    assert_eq!(counts.synced, 1, "{counts:?}");

    let inv = invoice_of(&bed.sandbox, 501).expect("invoice posted");
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
    assert_eq!(bed.sandbox.calls(Api(t).create_invoice()), 1);
    assert_eq!(
        bed.sandbox.calls(Api(t).add_payment()),
        Api(t).payment_calls_at_placement(),
        "REST: no second call for the payment; SOAP: InsertInvoicePayment"
    );
    assert_eq!(bed.sandbox.calls(Api(t).create_customer()), 1);
    let c = bed.sandbox.customer("NOP000045").unwrap();
    assert_eq!(c.email.as_deref(), Some("jane.smith@example.co.uk"));
    // Stock: the invoice line for the stock-managed mug lowered KashFlow's stock once.
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(118)));

    let detail = bed.engine.record_detail(receipt.record_id).unwrap();
    assert_eq!(detail.record.state, RecordState::Synced);
    assert_eq!(detail.record.invoice_number, invoice_of(&bed.sandbox, 501).and_then(|i| i.number));
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
    assert_eq!(note.invoice_number, invoice_of(&bed.sandbox, 501).and_then(|i| i.number));
    assert_eq!(
        note.note,
        Some(format!(
            "KashFlow invoice {} created (customer NOP000045)",
            inv.number.unwrap()
        ))
    );
    bed.stop().await;
}
}

fn detail(bed: &TestBed, record_id: i64) -> kashflow_sync::engine::RecordDetail {
    bed.engine.record_detail(record_id).unwrap()
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeat_customer_by_email_reuses_one_kashflow_customer(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    // Registered customer 45 orders; later checks out as a guest with the same e-mail (another
    // nopCommerce customer id), in upper case.
    bed.engine
        .enqueue_order(&json(&order(601, 45, "sam.jones@example.com")))
        .unwrap();
    bed.settle().await.unwrap();
    let second = order_with(
        602,
        9001,
        "Sam.Jones@Example.com",
        vec![line(BOOK, 1)],
        guest,
    );
    bed.engine.enqueue_order(&json(&second)).unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.synced, 2);
    assert_eq!(bed.sandbox.customers().len(), 1);
    assert_eq!(bed.sandbox.calls(Api(t).create_customer()), 1);
    assert_eq!(
        bed.sandbox.calls(Api(t).find_customer_by_email()),
        1,
        "the second order found the customer in the ledger"
    );
    assert_eq!(
        invoice_of(&bed.sandbox, 602).unwrap().customer_code,
        "NOP000045"
    );
    bed.stop().await;
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_already_in_kashflow_is_found_by_email_not_created() {
    let bed = TestBed::start(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    // The shop's accountant created the customer by hand before the integration existed.
    let client = kashflow_sync::kashflow::KashFlowClient::new(bed.sandbox.client_config()).unwrap();
    let existing = kashflow_sync::kashflow::model::Customer {
        code: "HAN01".into(),
        name: "Hannah Hall".into(),
        email: Some("hannah.hall@example.org".into()),
        ..Default::default()
    };
    client.create_customer(&existing).await.unwrap();
    bed.engine
        .enqueue_order(&json(&order(611, 77, "hannah.hall@example.org")))
        .unwrap();
    assert_eq!(bed.settle().await.unwrap().synced, 1);
    assert_eq!(bed.sandbox.customers().len(), 1);
    assert_eq!(
        bed.sandbox.invoice(invoice_no(611)).unwrap().customer_code,
        "HAN01"
    );
    bed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_checkouts_get_an_email_code_and_a_returning_guest_reuses_it() {
    let bed = TestBed::start(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    let first = order_with(
        701,
        9101,
        "pat.guest@example.co.uk",
        vec![line(MUG, 1)],
        guest,
    );
    assert!(first.customer.is_guest && first.customer.email.is_none());
    let again = order_with(
        702,
        9102,
        "pat.guest@example.co.uk",
        vec![line(BOOK, 1)],
        guest,
    );
    bed.engine.enqueue_order(&json(&first)).unwrap();
    bed.engine.enqueue_order(&json(&again)).unwrap();
    assert_eq!(bed.settle().await.unwrap().synced, 2);
    let customers = bed.sandbox.customers();
    assert_eq!(customers.len(), 1, "{customers:?}");
    let code = &customers[0].code;
    assert!(
        code.starts_with("NOPPATGUE"),
        "code from the e-mail: {code}"
    );
    assert_eq!(
        customers[0].email.as_deref(),
        Some("pat.guest@example.co.uk")
    );
    for n in [701, 702] {
        assert_eq!(
            &bed.sandbox.invoice(invoice_no(n)).unwrap().customer_code,
            code
        );
    }
    bed.stop().await;
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_order_paid_records_one_payment_even_if_reported_twice(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order_with(
        801,
        46,
        "cheque.payer@example.com",
        vec![line(MUG, 1)],
        unpaid,
    );
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    let inv = invoice_of(&bed.sandbox, 801).unwrap();
    assert!(inv.payment_lines.unwrap_or_default().is_empty());
    assert_eq!(inv.due_amount, Some(o.order_total));

    bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    bed.settle().await.unwrap();
    // nopCommerce (or an impatient admin) reports it again.
    bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    bed.settle().await.unwrap();
    let inv = invoice_of(&bed.sandbox, 801).unwrap();
    let lines = inv.payment_lines.unwrap_or_default();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].amount, o.order_total);
    assert_eq!(lines[0].method, 2, "cheque → KashFlow method 2");
    assert_eq!(lines[0].account_id, 1);
    assert_eq!(inv.due_amount, Some(Decimal::ZERO));
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_paid_for_an_order_paid_at_placement_adds_nothing(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order(811, 47, "card.payer@example.com");
    bed.engine.enqueue_order(&json(&o)).unwrap();
    // nopCommerce raises OrderPaidEvent right after placing an order that is already paid.
    bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    bed.settle().await.unwrap();
    let inv = invoice_of(&bed.sandbox, 811).unwrap();
    assert_eq!(inv.payment_lines.unwrap_or_default().len(), 1);
    assert_eq!(
        bed.sandbox.calls(Api(t).add_payment()),
        Api(t).payment_calls_at_placement()
    );
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_reported_before_its_invoice_waits_for_it(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order_with(
        821,
        48,
        "early.bird@example.com",
        vec![line(BOOK, 2)],
        unpaid,
    );
    // The event arrives first (events and snapshots travel separately).
    let paid = bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    wait_for("the payment to wait for its invoice", || {
        bed.engine
            .record_detail(paid.record_id)
            .unwrap()
            .jobs
            .iter()
            .any(|j| j.kind == "RecordPayment" && j.state == JobState::Waiting)
    })
    .await;
    assert!(bed.sandbox.invoices().is_empty());
    bed.engine.enqueue_order(&json(&o)).unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.failed, 0, "{c:?}");
    let inv = invoice_of(&bed.sandbox, 821).unwrap();
    assert_eq!(inv.payment_lines.unwrap_or_default().len(), 1);
    assert_eq!(inv.due_amount, Some(Decimal::ZERO));
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_payment_write_is_checked_before_trying_again(t) {
    use kashflow_sync::kashflow::sandbox::{FaultKind, FaultRule};
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order_with(
        831,
        49,
        "lost.answer@example.com",
        vec![line(MUG, 3)],
        unpaid,
    );
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    // KashFlow records the payment, then the connection drops before we hear back.
    bed.sandbox
        .inject(FaultRule::new(FaultKind::CommitThenDrop).on(Api::on(Api(t).add_payment()).0, Api::on(Api(t).add_payment()).1));
    bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    bed.settle().await.unwrap();
    let inv = invoice_of(&bed.sandbox, 831).unwrap();
    assert_eq!(inv.payment_lines.unwrap_or_default().len(), 1);
    assert_eq!(
        bed.sandbox.calls(Api(t).add_payment()),
        1,
        "never written twice"
    );
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcome_unknown_on_create_adopts_the_invoice_kashflow_already_has(t) {
    use kashflow_sync::kashflow::sandbox::{FaultKind, FaultRule};
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    bed.sandbox
        .inject(FaultRule::new(FaultKind::CommitThenDrop).on(Api::on(Api(t).create_invoice()).0, Api::on(Api(t).create_invoice()).1));
    let o = order(901, 50, "unlucky@example.com");
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    assert_eq!(bed.settle().await.unwrap().synced, 1);
    assert_eq!(bed.sandbox.invoices().len(), 1);
    assert_eq!(
        bed.sandbox.calls(Api(t).create_invoice()),
        1,
        "created once, then adopted"
    );
    let inv = invoice_of(&bed.sandbox, 901).unwrap();
    assert_eq!(inv.payment_lines.unwrap_or_default().len(), 1);
    // Stock moved once.
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(118)));
    let d = detail(&bed, r.record_id);
    assert_eq!(d.record.invoice_number, invoice_of(&bed.sandbox, 901).and_then(|i| i.number));
    // The lost answer was followed at once by a look, which found the invoice: one attempt.
    assert_eq!(d.attempts.len(), 1, "{:#?}", d.attempts);
    let calls: Vec<(String, String, Option<u16>)> = d.attempts[0]
        .calls
        .iter()
        .map(|c| (c.method.clone(), c.path.clone(), c.status))
        .collect();
    // REST looks by the number it chose; SOAP by the order's reference (KashFlow numbers it).
    let create = |c: &(String, String, Option<u16>)| match t {
        TransportKind::Rest => c.0 == "POST" && c.1 == "/invoices",
        TransportKind::Soap => c.1 == "KashFlow/InsertInvoice",
    };
    let look = |c: &(String, String, Option<u16>)| {
        c.2 == Some(200)
            && match t {
                TransportKind::Rest => c.0 == "GET" && c.1 == "/invoices/100901",
                TransportKind::Soap => c.1.starts_with("KashFlow/GetInvoicesForCustomer"),
            }
    };
    let post = calls.iter().position(create);
    let get = calls.iter().position(look);
    assert!(post.is_some() && get > post, "{calls:?}");
    assert_eq!(calls.iter().filter(|c| create(c)).count(), 1);
    bed.stop().await;
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_even_the_look_fails_the_retry_looks_first_and_never_posts_twice() {
    use kashflow_sync::kashflow::sandbox::{FaultKind, FaultRule};
    let bed = TestBed::start(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    bed.sandbox
        .inject(FaultRule::new(FaultKind::CommitThenServerError).on("POST", "/invoices"));
    // The look right after fails too (4 times: the client's read retries are used up).
    bed.sandbox.inject(
        FaultRule::new(FaultKind::ServerError)
            .on("GET", "/invoices/{number}")
            .times(4),
    );
    let o = order(902, 50, "doubly.unlucky@example.com");
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    assert_eq!(bed.settle().await.unwrap().synced, 1);
    assert_eq!(bed.sandbox.invoices().len(), 1);
    assert_eq!(bed.sandbox.calls("POST /invoices"), 1);
    let d = detail(&bed, r.record_id);
    assert_eq!(
        d.attempts[0].error.as_ref().map(|e| e.code.as_str()),
        Some("KashFlowOutcomeUnknown")
    );
    assert!(
        d.jobs[0].outcome_unknown,
        "the engine keeps the job flagged"
    );
    let last = d.attempts.last().unwrap();
    assert!(!last.calls.iter().any(|c| c.method == "POST"));
    bed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_number_taken_by_something_else_dead_letters_with_the_reason() {
    let bed = TestBed::start(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    let client = kashflow_sync::kashflow::KashFlowClient::new(bed.sandbox.client_config()).unwrap();
    client
        .create_customer(&kashflow_sync::kashflow::model::Customer {
            code: "OLD01".into(),
            name: "Old System".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let manual = kashflow_sync::kashflow::model::Invoice {
        number: Some(invoice_no(911)),
        customer_code: "OLD01".into(),
        customer_reference: Some("PAPER-77".into()),
        issued_date: Some(kashflow_sync::kashflow::wire::KfDateTime::parse("2026-01-05").unwrap()),
        line_items: Some(vec![kashflow_sync::kashflow::model::LineItem {
            description: "Consulting".into(),
            quantity: Decimal::ONE,
            rate: Decimal::from(100),
            vat_level: Decimal::from(20),
            vat_amount: Decimal::from(20),
            nominal_code: 4000,
            ..Default::default()
        }]),
        ..Default::default()
    };
    client.create_invoice(&manual).await.unwrap();
    let r = bed
        .engine
        .enqueue_order(&json(&order(911, 51, "clash@example.com")))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.failed, 1);
    let d = detail(&bed, r.record_id);
    let e = d.record.last_error.unwrap();
    assert_eq!(e.code, "InvoiceNumberTaken");
    assert!(
        e.message.contains("PAPER-77") && e.message.contains("100911"),
        "{}",
        e.message
    );
    assert_eq!(bed.sandbox.invoices().len(), 1, "nothing else posted");
    bed.stop().await;
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_before_sync_is_never_posted(t) {
    let bed = TestBed::start_closed(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order(1001, 52, "changed.mind@example.com");
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.engine.enqueue_event(&cancelled_event(1001)).unwrap();
    let keep = order(1002, 53, "keeper@example.com");
    bed.engine.enqueue_order(&json(&keep)).unwrap();
    bed.open_gate();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.cancelled, c.synced), (1, 1), "{c:?}");
    assert_eq!(
        detail(&bed, r.record_id).record.state,
        RecordState::Cancelled
    );
    assert!(invoice_of(&bed.sandbox, 1001).is_none());
    assert!(invoice_of(&bed.sandbox, 1002).is_some());
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_after_sync_keeps_the_invoice_and_posts_a_credit_note(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order(1011, 54, "returns@example.com");
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    bed.engine.enqueue_event(&cancelled_event(1011)).unwrap();
    bed.settle().await.unwrap();
    let d = detail(&bed, r.record_id);
    assert!(!d.record.needs_credit_note, "{:?}", d.record);
    assert_eq!(d.record.credit_notes.len(), 1, "{:?}", d.record);
    assert!(invoice_of(&bed.sandbox, 1011).is_some());
    let number = invoice_of(&bed.sandbox, 1011).unwrap().number.unwrap();
    let cn = bed
        .sandbox
        .invoices()
        .into_iter()
        .find(|i| i.customer_reference == Some(format!("CN-{number}-1")))
        .expect("credit note");
    assert_eq!(cn.gross_amount, Some(-o.order_total));
    assert_eq!(bed.sandbox.invoices().len(), 2);
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_snapshot_twice_posts_once(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = json(&order(1101, 55, "double.click@example.com"));
    bed.engine.enqueue_order(&o).unwrap();
    let again = bed.engine.enqueue_order(&o).unwrap();
    assert_eq!(again.state, kashflow_sync::engine::ReceiptState::Unchanged);
    bed.settle().await.unwrap();
    let after = bed.engine.enqueue_order(&o).unwrap();
    assert_eq!(after.state, kashflow_sync::engine::ReceiptState::Unchanged);
    bed.settle().await.unwrap();
    assert_eq!(bed.sandbox.invoices().len(), 1);
    assert_eq!(bed.sandbox.calls(Api(t).create_invoice()), 1);
    bed.stop().await;
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_snapshot_replaces_the_queued_one() {
    let bed = TestBed::start_closed(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    let v1 = order_with(1201, 56, "edited@example.com", vec![line(MUG, 1)], |_| {});
    let v2 = order_with(1201, 56, "edited@example.com", vec![line(MUG, 4)], |_| {});
    assert_ne!(v1.order_total, v2.order_total);
    bed.engine.enqueue_order(&json(&v1)).unwrap();
    let r = bed.engine.enqueue_order(&json(&v2)).unwrap();
    assert_eq!(r.state, kashflow_sync::engine::ReceiptState::Replaced);
    // A worker may have claimed the job with v1 before v2 came (the engine then lets that attempt
    // finish with v1, as documented). Open the gate only once an attempt that began after v2 has
    // ended: the job is claimed by one worker at a time, so every v1 claim is over by then.
    let replaced_at = chrono::Utc::now();
    wait_for("an attempt begun after the newer snapshot", || {
        detail(&bed, r.record_id)
            .attempts
            .iter()
            .any(|a| a.started_utc > replaced_at)
    })
    .await;
    bed.open_gate();
    assert_eq!(bed.settle().await.unwrap().synced, 1);
    let inv = bed.sandbox.invoice(invoice_no(1201)).unwrap();
    assert_eq!(inv.gross_amount, Some(v2.order_total));
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(116)));
    bed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unmapped_payment_method_dead_letters_then_syncs_after_the_rules_are_fixed() {
    let bed = TestBed::start(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    let o = order_with(1301, 57, "cod@example.com", vec![line(BOOK, 1)], |s| {
        s.payment_method = "Payments.CashOnDelivery".into();
        s.paid = false;
    });
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.failed, 1);
    let e = detail(&bed, r.record_id).record.last_error.unwrap();
    assert_eq!(e.code, "UnmappedPaymentMethod");
    assert_eq!(e.path.as_deref(), Some("PaymentMethodSystemName"));
    assert!(
        e.message.contains("Payments.CashOnDelivery"),
        "{}",
        e.message
    );
    assert_eq!(bed.sandbox.calls("POST /invoices"), 0);
    assert_eq!(
        bed.sandbox.calls("POST /customers"),
        0,
        "nothing sent for an invalid order"
    );

    // The admin maps Cash on Delivery to KashFlow's Cash method into the current account.
    let mut fixed = bed.config.clone();
    fixed.rules.payment_methods.insert(
        "Payments.CashOnDelivery".into(),
        kashflow_sync::mapping::rules::PaymentMapping {
            method_id: 1,
            bank_account_id: 1,
        },
    );
    bed.engine.reconfigure(fixed).unwrap();
    bed.engine.retry_record(r.record_id).unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.synced, c.failed), (1, 0), "{c:?}");
    assert!(bed.sandbox.invoice(invoice_no(1301)).is_some());
    bed.stop().await;
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sku_kashflow_does_not_know_dead_letters_with_kashflows_reason(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let mut o = order(1401, 58, "limited@example.com");
    o.items[0].sku = Some("MUG-GOLD-LTD".into());
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    assert_eq!(bed.settle().await.unwrap().failed, 1);
    let e = detail(&bed, r.record_id).record.last_error.unwrap();
    assert_eq!(e.code, "UnknownProduct");
    assert!(e.message.contains("MUG-GOLD-LTD"), "{}", e.message);
    assert!(bed.sandbox.invoices().is_empty());

    // Reading the lookups again changes nothing while KashFlow still lacks the product...
    bed.engine.account_catalogue().await.unwrap();
    assert_eq!(bed.settle().await.unwrap().failed, 1);
    // ...and once the product exists in KashFlow, the order goes again by itself.
    bed.sandbox.with_account_mut(|a| {
        let mut p = a.products().find(|p| p.code == "MUG-CLASSIC").cloned().unwrap();
        p.code = "MUG-GOLD-LTD".into();
        p.name = "Gold Mug (limited)".into();
        p.id = None;
        a.create_product(&serde_json::to_value(&p).unwrap()).unwrap();
    });
    bed.engine.account_catalogue().await.unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.synced, c.failed), (1, 0), "{c:?}");
    assert!(invoice_of(&bed.sandbox, 1401).is_some());
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_pull_reports_kashflow_stock_less_orders_not_yet_invoiced(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    bed.engine
        .enqueue_order(&json(&order_with(
            1501,
            59,
            "stock@example.com",
            vec![line(MUG, 5), line(CAR_SEAT, 1), line(GIFT_WRAP, 1)],
            |_| {},
        )))
        .unwrap();
    // Sold in the shop but refused by KashFlow (an SKU it does not know): the 2 mugs left the
    // shop's shelf, not KashFlow's books, so the pull must not hand them back to nopCommerce.
    let mut refused = order_with(
        1502,
        59,
        "stock@example.com",
        vec![line(MUG, 2), line(BOOK, 1)],
        |_| {},
    );
    refused.items[1].sku = Some("MUG-GOLD-LTD".into());
    bed.engine.enqueue_order(&json(&refused)).unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.synced, c.failed), (1, 1));
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(115)));
    drain_outcomes(&bed.engine).unwrap();
    bed.engine.request_stock_pull().unwrap();
    bed.settle().await.unwrap();
    let mut levels = std::collections::BTreeMap::new();
    for _ in 0..100 {
        levels =
            kashflow_sync_harness::harness::stock_levels(&drain_outcomes(&bed.engine).unwrap());
        if !levels.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(levels.len(), 10, "{levels:?}");
    assert_eq!(
        levels["MUG-CLASSIC"], 113,
        "KashFlow's 115 less the 2 not yet invoiced"
    );
    assert_eq!(levels["CHILD-CAR-SEAT"], 9);
    assert_eq!(levels["TEA-TIN"], 80);
    assert!(!levels.contains_key("GIFT-WRAP"), "not stock-managed");
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_and_connection_test_go_through_the_processor(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let p = bed
        .engine
        .preview(&json(&order(1601, 60, "preview@example.com")))
        .unwrap();
    assert!(p.ok, "{p:?}");
    assert_eq!(p.requests.len(), 2);
    // The preview shows the requests of the transport in use: on SOAP, number 0 (KashFlow
    // numbers it; the invoice is found again by its reference).
    match t {
        TransportKind::Rest => {
            assert_eq!(p.requests[1]["Path"], "/invoices");
            assert_eq!(p.requests[1]["Body"]["Number"], 101601);
        }
        TransportKind::Soap => {
            assert_eq!(p.requests[1]["Path"], "KashFlow/InsertInvoice");
            assert_eq!(p.requests[1]["Body"]["Number"], 0);
        }
    }
    assert!(bed.sandbox.invoices().is_empty(), "a preview posts nothing");

    let report = bed.engine.test_connection().await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.account_name.as_deref(), Some("Sandbox Trading Ltd"));
    assert!(report.base_url.unwrap().starts_with("http://127.0.0.1:"));

    let mut wrong = bed.config.clone();
    wrong.kashflow.password = kashflow_sync::engine::Secret::new("not-the-password");
    bed.engine.reconfigure(wrong).unwrap();
    let report = bed.engine.test_connection().await.unwrap();
    assert!(!report.ok);
    assert!(
        report.message.contains("InvalidCredentials"),
        "{}",
        report.message
    );
    assert!(!report.message.contains("not-the-password"));
    bed.stop().await;
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_mode_without_a_url_starts_an_in_process_sandbox() {
    use kashflow_sync::engine::{Engine, EngineConfig, KashFlowMode};
    let dir = tempfile::tempdir().unwrap();
    let mut config = EngineConfig::new(dir.path().join("journal.sqlite"));
    config.kashflow.mode = KashFlowMode::Sandbox;
    config.kashflow.requests_per_second = 100;
    // Engine::start with its default processor: the wiring under test.
    let engine = Engine::start(config, tokio::runtime::Handle::current(), None).unwrap();
    let r = engine
        .enqueue_order(&json(&order(1701, 61, "trial@example.com")))
        .unwrap();
    kashflow_sync_harness::harness::wait_settled(
        &engine,
        std::time::Duration::from_secs(30),
        |_| {},
    )
    .await
    .unwrap();
    let d = engine.record_detail(r.record_id).unwrap();
    assert_eq!(
        d.record.state,
        RecordState::Synced,
        "{:?}",
        d.record.last_error
    );
    assert_eq!(d.record.invoice_number, Some(invoice_no(1701)));
    let report = engine.test_connection().await.unwrap();
    assert!(report.ok && report.base_url.unwrap().starts_with("http://127.0.0.1:"));
    engine.shutdown(std::time::Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_hold_orders_without_locking_the_account_then_resume_once_fixed() {
    use kashflow_sync_harness::harness::{
        engine_config, fast_retries, start_engine_with, start_sandbox, wait_settled, Credentials,
    };
    let sandbox = start_sandbox(&SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wrong = Credentials {
        password: "Summer2026!".into(),
        ..Credentials::sandbox()
    };
    let mut config = engine_config(&dir.path().join("j.sqlite"), sandbox.base_url(), &wrong);
    fast_retries(&mut config);
    config.workers = 2;
    let processor = std::sync::Arc::new(
        kashflow_sync::sync::KashFlowProcessor::new()
            .with_auth_poll(std::time::Duration::from_millis(200)),
    );
    let engine = start_engine_with(
        config.clone(),
        tokio::runtime::Handle::current(),
        None,
        processor,
    )
    .unwrap();
    let mut ids = Vec::new();
    for k in 0..6 {
        let r = engine
            .enqueue_order(&json(&order(1801 + k, 70 + k, "held@example.com")))
            .unwrap();
        ids.push(r.record_id);
    }
    // Every order has met the refusal (and been put to wait), so every worker has had its
    // chance to log in again; only then is "not tried again and again" meaningful.
    wait_for("every order to record the refused login", || {
        ids.iter().all(|id| {
            engine
                .record_detail(*id)
                .unwrap()
                .record
                .last_error
                .is_some_and(|e| e.message.contains("refused the login"))
        })
    })
    .await;
    let c = engine.status_counts().unwrap();
    assert_eq!((c.pending, c.failed, c.synced), (6, 0, 0), "{c:?}");
    assert!(sandbox.invoices().is_empty());
    assert!(
        !sandbox.is_locked(),
        "the bad password was not tried again and again"
    );
    assert!(
        sandbox.calls("POST /sessiontoken") <= 2,
        "at most one failed login per worker, then none: {}",
        sandbox.calls("POST /sessiontoken")
    );
    let why = engine
        .record_detail(ids[0])
        .unwrap()
        .record
        .last_error
        .unwrap();
    assert!(why.message.contains("refused the login"), "{why:?}");
    assert!(!why.message.contains("Summer2026!"));

    // The admin fixes the password.
    config.kashflow.password = kashflow_sync::engine::Secret::new(seed_password());
    engine.reconfigure(config).unwrap();
    let c = wait_settled(&engine, std::time::Duration::from_secs(30), |_| {})
        .await
        .unwrap();
    assert_eq!(c.synced, 6, "{c:?}");
    assert_eq!(sandbox.invoices().len(), 6);
    engine.shutdown(std::time::Duration::from_secs(5)).await;
}

fn seed_password() -> String {
    kashflow_sync::kashflow::sandbox::seed::PASSWORD.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_kashflows_own_numbering_a_lost_create_is_found_by_reference() {
    use kashflow_sync::kashflow::sandbox::{FaultKind, FaultRule};
    use kashflow_sync::mapping::rules::InvoiceNumberStrategy;
    let bed = TestBed::start(&SandboxOptions::default(), |c| {
        c.rules.invoice_number.strategy = InvoiceNumberStrategy::KashFlowAssigns;
    })
    .await
    .unwrap();
    // Another invoice already in the account, so the walk has something to skip.
    bed.engine
        .enqueue_order(&json(&order(1901, 80, "first@example.com")))
        .unwrap();
    bed.settle().await.unwrap();
    bed.sandbox
        .inject(FaultRule::new(FaultKind::CommitThenDrop).on("POST", "/invoices"));
    let r = bed
        .engine
        .enqueue_order(&json(&order(1902, 81, "second@example.com")))
        .unwrap();
    assert_eq!(bed.settle().await.unwrap().synced, 2);
    let invoices = bed.sandbox.invoices();
    assert_eq!(invoices.len(), 2, "the lost create was not repeated");
    let mine = invoices
        .iter()
        .find(|i| i.customer_reference.as_deref() == Some("NOP-1902"))
        .unwrap();
    assert!(mine.number.unwrap() < 100_000, "KashFlow chose the number");
    let d = detail(&bed, r.record_id);
    assert_eq!(d.record.invoice_number, mine.number);
    assert!(
        bed.sandbox.calls("GET /invoices") >= 1,
        "looked up by reference"
    );
    assert_eq!(bed.sandbox.calls("POST /invoices"), 2);
    bed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_that_says_cancelled_is_never_invoiced() {
    let bed = TestBed::start(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    let mut o = order(2001, 82, "cancelled.snapshot@example.com");
    o.order_status = kashflow_sync::order::OrderStatus::Cancelled;
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    let e = detail(&bed, r.record_id).record.last_error.unwrap();
    assert_eq!(e.code, "OrderCancelled");
    assert!(bed.sandbox.invoices().is_empty());
    assert_eq!(bed.sandbox.calls("POST /customers"), 0);
    bed.stop().await;
}

/// Every golden fixture (core/fixtures/orders) is an order a UK shop really takes: each must post,
/// with the gross the hand-checked expected file names, against the sandbox's UK seed. (The
/// 100-line order sells more car seats than the seed holds: this account allows negative stock.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_golden_fixture_posts_to_kashflow_with_its_expected_total() {
    let sandbox = SandboxOptions {
        allow_negative_stock: true,
        ..SandboxOptions::default()
    };
    let bed = TestBed::start(&sandbox, |_| {}).await.unwrap();
    let dir = fixture_path("");
    let mut expected = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name.ends_with(".expected.json") {
            continue;
        }
        let doc = std::fs::read(&path).unwrap();
        let receipt = bed.engine.enqueue_order(&doc).unwrap();
        let want: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join(name.replace(".json", ".expected.json"))).unwrap(),
        )
        .unwrap();
        expected.push((name, receipt.record_id, want));
    }
    assert_eq!(expected.len(), 18, "the eighteen fixtures of the README");
    bed.settle().await.unwrap();
    let mut failures = Vec::new();
    for (name, record_id, want) in &expected {
        let d = detail(&bed, *record_id);
        let Some(number) = d.record.invoice_number else {
            failures.push(format!(
                "{name}: {:?} {:?}",
                d.record.state, d.record.last_error
            ));
            continue;
        };
        let inv = bed
            .sandbox
            .invoice(number)
            .expect("the invoice the record names");
        let gross = Some(
            want["Canonical"]["GrossTotal"]
                .to_string()
                .parse::<Decimal>()
                .unwrap(),
        );
        if inv.gross_amount != gross {
            failures.push(format!(
                "{name}: KashFlow gross {:?}, expected {gross:?}",
                inv.gross_amount
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    bed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priced_checkout_attributes_post_as_a_checkout_options_line() {
    let bed = TestBed::start(&SandboxOptions::default(), |_| {})
        .await
        .unwrap();
    let path = fixture_path("uk-incl-vat-paid.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    // gift wrapping at £2.50 incl VAT, in the subtotal, the tax and the total
    doc["OrderSubtotalInclTax"] = serde_json::json!(47.50);
    doc["OrderSubtotalExclTax"] = serde_json::json!(39.5833);
    doc["OrderTax"] = serde_json::json!(8.75);
    doc["TaxRates"] = serde_json::json!("20:8.7484;   ");
    doc["OrderTotal"] = serde_json::json!(52.49);
    doc["CheckoutAttributeDescription"] = serde_json::json!("Gift wrapping: Yes [+£2.50]");
    let r = bed
        .engine
        .enqueue_order(&serde_json::to_vec(&doc).unwrap())
        .unwrap();
    assert_eq!(bed.settle().await.unwrap().synced, 1);
    let number = detail(&bed, r.record_id).record.invoice_number.unwrap();
    let inv = bed.sandbox.invoice(number).unwrap();
    assert_eq!(inv.gross_amount, Some("52.49".parse().unwrap()));
    let line = inv
        .line_items
        .iter()
        .flatten()
        .find(|l| l.description.starts_with("Checkout options: Gift wrapping"))
        .expect("the checkout options line");
    assert_eq!(
        (line.nominal_code, line.product_code.as_deref()),
        (4000, None)
    );
    bed.stop().await;
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kashflow_calls_per_order_in_the_steady_state(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    // Warm up: the first order logs in (REST) and reads the lookups (SOAP).
    bed.engine
        .enqueue_order(&json(&order(3001, 301, "first@example.com")))
        .unwrap();
    bed.settle().await.unwrap();
    let logins = |b: &TestBed| b.sandbox.calls("POST /sessiontoken") + b.sandbox.calls("PUT /sessiontoken");
    let measure = |b: &TestBed| b.sandbox.total_calls() - logins(b);

    // A new customer, paid at checkout.
    let before = measure(&bed);
    bed.engine
        .enqueue_order(&json(&order(3002, 302, "new.customer@example.com")))
        .unwrap();
    bed.settle().await.unwrap();
    let new_customer = measure(&bed) - before;

    // The same customer again (known from the journal's ledger), paid at checkout.
    let before = measure(&bed);
    bed.engine
        .enqueue_order(&json(&order(3003, 302, "new.customer@example.com")))
        .unwrap();
    bed.settle().await.unwrap();
    let repeat = measure(&bed) - before;
    eprintln!("calls per order ({t}): new customer {new_customer}, repeat customer {repeat}");
    // REST: search + create customer + create invoice (payment inside); SOAP: the same plus
    // InsertInvoicePayment. Repeat: the create (+ the payment on SOAP).
    let payment = Api(t).payment_calls_at_placement();
    assert_eq!(new_customer, 3 + payment);
    assert_eq!(repeat, 1 + payment);
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_name_everything_and_previews_are_checked_against_them(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    // A SKU the shop sells that KashFlow has no product for.
    let mut o = order(801, 45, "lookups@example.com");
    o.items[0].sku = Some("NOT-IN-KASHFLOW".into());
    let snapshot = json(&o);

    // Before the lookups are read, the preview says it has not checked against the account.
    let before = bed.engine.preview(&snapshot).unwrap();
    assert!(before.ok, "{:?}", before.errors);
    assert!(!before.checked_against_account);

    let c = bed.engine.account_catalogue().await.unwrap();
    assert_eq!(c.payment_methods.len(), 6, "{:?}", c.payment_methods);
    assert!(c
        .payment_methods
        .iter()
        .any(|m| m.name == "PayPal" && m.id == 5));
    // SOAP's BankAccount carries no default flag; REST's does.
    assert!(c
        .bank_accounts
        .iter()
        .any(|b| b.name == "Current Account" && (b.is_default || t == TransportKind::Soap)));
    assert!(c.nominals.iter().any(|n| n.code == 4000 && n.name == "Sales"));
    let rates: Vec<String> = c.vat_rates.iter().map(|r| r.to_string()).collect();
    assert_eq!(rates, vec!["0", "5", "20"]);
    assert!(c.currencies.iter().any(|x| x == "GBP"));
    assert!(c.products.iter().any(|p| p.code == "MUG-CLASSIC" && p.name == "Classic Mug"));

    // Now the preview refuses what KashFlow would refuse, naming the line and what to do.
    let after = bed.engine.preview(&snapshot).unwrap();
    assert!(!after.ok);
    let e = after
        .errors
        .iter()
        .find(|e| e.code == "UnknownProduct")
        .expect("unknown product reported");
    assert_eq!(
        e.path.as_deref(),
        Some("KashFlowInvoice.LineItems[0].ProductCode")
    );
    assert!(e.message.contains("NOT-IN-KASHFLOW"), "{}", e.message);
    // An order of products KashFlow has is still valid.
    let good = bed
        .engine
        .preview(&json(&order(802, 46, "fine@example.com")))
        .unwrap();
    assert!(good.ok, "{:?}", good.errors);
    assert!(good.checked_against_account);

    // The lookups are kept in the journal: after a restart the preview is still checked.
    let TestBed { engine, config, sandbox, dir, .. } = bed;
    engine.shutdown(std::time::Duration::from_secs(5)).await;
    drop(engine);
    let (engine, _) = kashflow_sync_harness::harness::start_engine(
        config,
        tokio::runtime::Handle::current(),
        None,
    )
    .unwrap();
    let again = engine.preview(&snapshot).unwrap();
    assert!(again.checked_against_account && !again.ok, "{again:?}");
    engine.shutdown(std::time::Duration::from_secs(5)).await;
    drop((sandbox, dir));
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_gone_from_kashflow_is_found_again_not_a_dead_letter(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    bed.engine
        .enqueue_order(&json(&order(1701, 70, "merged.away@example.com")))
        .unwrap();
    assert_eq!(bed.settle().await.unwrap().synced, 1);
    let first = invoice_of(&bed.sandbox, 1701).unwrap().customer_code;
    // The bookkeeper merges the customer into another in KashFlow: its code is unknown now, but
    // the engine's memory and ledger still remember it.
    assert!(bed.sandbox.remove_customer(&first));

    bed.engine
        .enqueue_order(&json(&order(1702, 70, "merged.away@example.com")))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.synced, c.failed), (2, 0), "{c:?}");
    let second = invoice_of(&bed.sandbox, 1702).expect("the second order is invoiced");
    // Found again (re-created under the mapping's code, the only one KashFlow knows for this
    // e-mail), exactly one customer for the e-mail, and the ledger follows.
    let same_email: Vec<_> = bed
        .sandbox
        .customers()
        .into_iter()
        .filter(|c| c.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("merged.away@example.com")))
        .collect();
    assert_eq!(same_email.len(), 1, "{same_email:?}");
    assert_eq!(second.customer_code, same_email[0].code);

    // A third order goes straight through with the healed code.
    bed.engine
        .enqueue_order(&json(&order(1703, 70, "merged.away@example.com")))
        .unwrap();
    assert_eq!(bed.settle().await.unwrap().synced, 3);
    assert_eq!(
        invoice_of(&bed.sandbox, 1703).unwrap().customer_code,
        second.customer_code
    );
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_created_from_the_admin_exist_once_and_release_the_waiting_orders(t) {
    use kashflow_sync::mapping::suggest::NewProduct;
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let mut o = order(1801, 80, "new.line@example.com");
    o.items[0].sku = Some("CANDLE-SOY-LAV".into());
    bed.engine.enqueue_order(&json(&o)).unwrap();
    assert_eq!(bed.settle().await.unwrap().failed, 1);

    let new = |code: &str| NewProduct {
        code: code.into(),
        name: "Soy Candle <b>Lavender</b>\u{7}".into(),
        nominal_code: 4000,
        price: "12.50".parse().unwrap(),
        vat_rate: "20".parse().unwrap(),
    };
    let results = bed
        .engine
        .create_products(&[new("CANDLE-SOY-LAV"), new("MUG-CLASSIC"), new(&"X".repeat(51))])
        .await
        .unwrap();
    let got: Vec<(&str, &str)> = results.iter().map(|r| (r.code.as_str(), r.result)).collect();
    assert_eq!(got[0], ("CANDLE-SOY-LAV", "Created"));
    assert_eq!(got[1], ("MUG-CLASSIC", "AlreadyThere"));
    assert_eq!(got[2].1, "Failed");
    let made = bed.sandbox.product("CANDLE-SOY-LAV").expect("created in KashFlow");
    assert_eq!(made.nominal_code, 4000);
    assert!(!made.name.contains('\u{7}'), "plain text: {:?}", made.name);

    // The order waiting for it goes again by itself and is invoiced.
    let c = bed.settle().await.unwrap();
    assert_eq!((c.synced, c.failed), (1, 0), "{c:?}");
    assert!(invoice_of(&bed.sandbox, 1801).is_some());

    // Asking again creates nothing.
    let again = bed
        .engine
        .create_products(&[new("CANDLE-SOY-LAV")])
        .await
        .unwrap();
    assert_eq!(again[0].result, "AlreadyThere");
    assert_eq!(
        bed.sandbox
            .products()
            .iter()
            .filter(|p| p.code == "CANDLE-SOY-LAV")
            .count(),
        1
    );
    bed.stop().await;
}
}
