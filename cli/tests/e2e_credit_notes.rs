//! End-to-end: refunds, cancellations and voids after the invoice exists become KashFlow credit
//! notes — the real engine and processor, the sandbox over HTTP on 127.0.0.1, a real journal.

mod common;

use common::*;
use kashflow_sync::engine::{JobState, OutcomeKind, RecordState};
use kashflow_sync::kashflow::credit_note::{allocations, credit_left, money_lines};
use kashflow_sync::kashflow::model::Invoice;
use kashflow_sync::kashflow::sandbox::{FaultKind, FaultRule};
use kashflow_sync_harness::harness::{
    drain_outcomes, invoice_of, Api, SandboxOptions, TestBed, TransportKind,
};
use kashflow_sync_harness::over_transports;
use rust_decimal::Decimal;
use serde_json::json;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn refund(order_id: i64, amount: &str, date: &str, full: bool) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "Kind": "OrderRefunded",
        "OrderId": order_id,
        "Amount": amount,
        "RefundDateUtc": date,
        "Offline": false,
        "Note": "Order has been refunded",
        "PaymentStatus": if full { "Refunded" } else { "PartiallyRefunded" },
    }))
    .unwrap()
}

fn voided(order_id: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({"Kind": "OrderVoided", "OrderId": order_id, "VoidedDateUtc": "2026-05-03T09:00:00Z"}))
        .unwrap()
}

fn credit_notes(bed: &TestBed) -> Vec<Invoice> {
    bed.sandbox
        .invoices()
        .into_iter()
        .filter(|i| i.doc_type.as_deref() == Some("CreditNote"))
        .collect()
}

fn gross_by_rate(doc: &Invoice) -> Vec<(Decimal, Decimal, Decimal)> {
    doc.line_items
        .clone()
        .unwrap_or_default()
        .iter()
        .map(|l| {
            (
                l.vat_level.normalize(),
                (l.quantity * l.rate).round_dp(2),
                l.vat_amount,
            )
        })
        .collect()
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_refund_of_a_paid_order_is_one_credit_note_paid_back_on_the_uk_date(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order(2001, 61, "refund.me@example.com");
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(118)));
    drain_outcomes(&bed.engine).unwrap();
    // 23:30 UTC on 30 June is 1 July in the UK.
    let total = o.order_total.to_string();
    bed.engine
        .enqueue_event(&refund(2001, &total, "2026-06-30T23:30:00Z", true))
        .unwrap();
    // nopCommerce, or the catch-up after a crash, reports the same refund again.
    bed.engine
        .enqueue_event(&refund(2001, &total, "2026-06-30T23:30:00Z", true))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.failed, c.credit_notes_posted), (0, 1), "{c:?}");

    let notes = credit_notes(&bed);
    assert_eq!(notes.len(), 1);
    let cn = &notes[0];
    let inv = invoice_of(&bed.sandbox, 2001).unwrap();
    if t == TransportKind::Rest {
        assert_eq!(cn.number, Some(invoice_no(2001) * 100 + 1));
    }
    assert_eq!(cn.customer_reference.as_deref(), Some(format!("CN-{}-1", invoice_of(&bed.sandbox, 2001).unwrap().number.unwrap()).as_str()));
    assert_eq!(cn.customer_code, inv.customer_code);
    assert_eq!(cn.gross_amount, inv.gross_amount.map(|g| -g));
    assert_eq!(cn.issued_date.unwrap().date().to_string(), "2026-07-01");
    // Line by line at the invoice's rates; no product codes, so KashFlow's stock is not moved
    // (nopCommerce does not restock on a refund either).
    let inv_lines = inv.line_items.clone().unwrap();
    let cn_lines = cn.line_items.clone().unwrap();
    assert_eq!(cn_lines.len(), inv_lines.len());
    for (a, b) in inv_lines.iter().zip(&cn_lines) {
        assert_eq!(
            (b.quantity, b.rate, b.vat_amount),
            (a.quantity, -a.rate, -a.vat_amount)
        );
        assert_eq!((b.vat_level, b.nominal_code), (a.vat_level, a.nominal_code));
        assert!(b.product_code.is_none());
    }
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(118)));
    // Paid invoice: nothing to apply; the money paid back is a payment on the credit note, on the
    // bank account and method of the original payment.
    assert_eq!(allocations(cn).count(), 0);
    let back: Vec<_> = money_lines(cn).collect();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].amount, o.order_total);
    let paid = inv.payment_lines.clone().unwrap();
    assert_eq!(
        (back[0].method, back[0].account_id),
        (paid[0].method, paid[0].account_id)
    );
    assert_eq!(credit_left(cn), Decimal::ZERO);
    assert_eq!(inv.due_amount, Some(Decimal::ZERO));

    let rec = bed.engine.record_detail(r.record_id).unwrap().record;
    assert_eq!(rec.state, RecordState::Synced);
    let posted = rec.credit_notes[0].posted.clone().unwrap();
    assert_eq!(
        (posted.number, posted.amount, posted.refunded),
        (cn.number.unwrap(), o.order_total, o.order_total)
    );
    let notes: Vec<String> = drain_outcomes(&bed.engine)
        .unwrap()
        .into_iter()
        .filter(|o| o.kind == OutcomeKind::AddOrderNote)
        .filter_map(|o| o.note)
        .collect();
    assert_eq!(
        notes,
        vec![format!(
            "KashFlow credit note {} for {} GBP posted (invoice {})",
            cn.number.unwrap(),
            o.order_total,
            inv.number.unwrap()
        )]
    );
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_refunds_spread_over_vat_rates_to_the_penny_and_never_exceed_the_invoice(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    // 20% mugs, 0% cookbook, 5% car seat.
    let o = order_with(
        2011,
        62,
        "partial@example.com",
        vec![line(MUG, 2), line(BOOK, 1), line(CAR_SEAT, 1)],
        |_| {},
    );
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    bed.engine
        .enqueue_event(&refund(2011, "25.00", "2026-05-04T10:00:00Z", false))
        .unwrap();
    bed.engine
        .enqueue_event(&refund(2011, "10.01", "2026-05-05T10:00:00Z", false))
        .unwrap();
    // More than is left: refused with the reason, nothing posted.
    let too_much = (o.order_total - d("35.00")).to_string();
    bed.engine
        .enqueue_event(&refund(2011, &too_much, "2026-05-06T10:00:00Z", false))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(
        (c.credit_notes_posted, c.credit_notes_failed),
        (2, 1),
        "{c:?}"
    );

    let notes = credit_notes(&bed);
    assert_eq!(notes.len(), 2);
    for (cn, want) in notes.iter().zip([d("25.00"), d("10.01")]) {
        assert_eq!(cn.gross_amount, Some(-want));
        // One line per VAT rate of the invoice, each net + VAT exact at its rate.
        let lines = gross_by_rate(cn);
        assert_eq!(lines.len(), 3, "{lines:?}");
        let sum: Decimal = lines.iter().map(|(_, n, v)| n + v).sum();
        assert_eq!(sum, -want);
        for (rate, net, vat) in lines {
            let expect = (net * rate / Decimal::ONE_HUNDRED).round_dp(2);
            assert!((vat - expect).abs() <= d("0.01"), "{rate} {net} {vat}");
        }
        assert_eq!(money_lines(cn).map(|l| l.amount).sum::<Decimal>(), want);
    }
    if t == TransportKind::Rest {
        assert_eq!(notes[1].number, Some(10201102));
    }
    let rec = bed.engine.record_detail(r.record_id).unwrap().record;
    assert_eq!(rec.state, RecordState::Failed);
    let failed = &rec.credit_notes[2];
    assert_eq!(failed.state, JobState::Dead);
    let e = failed.last_error.clone().unwrap();
    assert_eq!(e.code, "RefundExceedsInvoice");
    assert!(e.message.contains("more than"), "{}", e.message);
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_an_unpaid_invoiced_order_credits_and_applies_it_and_puts_stock_back(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order_with(
        2021,
        63,
        "cancel.after@example.com",
        vec![line(MUG, 3)],
        unpaid,
    );
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(117)));
    bed.engine.enqueue_event(&cancelled_event(2021)).unwrap();
    bed.engine.enqueue_event(&voided(2021)).unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.failed, 0, "{c:?}");
    let notes = credit_notes(&bed);
    assert_eq!(notes.len(), 1, "the void finds nothing left to credit");
    let cn = &notes[0];
    // Applied to the invoice: both show the allocation; nothing paid back (no money moved).
    assert_eq!(
        allocations(cn).map(|l| l.amount).sum::<Decimal>(),
        o.order_total
    );
    assert_eq!(money_lines(cn).count(), 0);
    let inv = invoice_of(&bed.sandbox, 2021).unwrap();
    assert_eq!(inv.due_amount, Some(Decimal::ZERO));
    assert_eq!(allocations(&inv).count(), 1);
    // The mugs went back into KashFlow's stock once.
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(120)));
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_while_crediting_never_post_or_pay_twice(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order(2031, 64, "lossy@example.com");
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    for (method, route) in [
        ("POST", "/invoices"),
        ("PUT", "/invoices/{number}"),
        ("POST", "/invoices"),
    ] {
        bed.sandbox
            .inject(FaultRule::new(FaultKind::CommitThenDrop).on(method, route));
    }
    bed.engine
        .enqueue_event(&refund(2031, "5.00", "2026-05-04T10:00:00Z", false))
        .unwrap();
    bed.engine
        .enqueue_event(&refund(2031, "6.00", "2026-05-04T11:00:00Z", false))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.failed, c.credit_notes_posted), (0, 2), "{c:?}");
    let notes = credit_notes(&bed);
    assert_eq!(notes.len(), 2);
    for cn in &notes {
        assert_eq!(money_lines(cn).count(), 1, "{cn:?}");
    }
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_order_cancelled_and_a_lost_credit_application_is_applied_once(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order_with(
        2041,
        65,
        "apply.once@example.com",
        vec![line(BOOK, 2)],
        unpaid,
    );
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    bed.sandbox.inject(
        FaultRule::new(FaultKind::CommitThenServerError)
            .on(Api::on(Api(t).apply_credit()).0, Api::on(Api(t).apply_credit()).1),
    );
    bed.engine.enqueue_event(&cancelled_event(2041)).unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.failed, 0, "{c:?}");
    let inv = invoice_of(&bed.sandbox, 2041).unwrap();
    assert_eq!(allocations(&inv).count(), 1);
    assert_eq!(inv.due_amount, Some(Decimal::ZERO));
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_after_a_cancellation_pays_out_of_the_cancellations_credit_note(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order(2051, 66, "cancel.then.refund@example.com");
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    bed.engine.enqueue_event(&cancelled_event(2051)).unwrap();
    bed.settle().await.unwrap();
    let total = o.order_total.to_string();
    bed.engine
        .enqueue_event(&refund(2051, &total, "2026-05-05T10:00:00Z", true))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.failed, 0, "{c:?}");
    let notes = credit_notes(&bed);
    assert_eq!(notes.len(), 1, "one credit for the order, not two");
    assert_eq!(
        money_lines(&notes[0]).map(|l| l.amount).sum::<Decimal>(),
        o.order_total
    );
    assert_eq!(credit_left(&notes[0]), Decimal::ZERO);
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_of_a_foreign_currency_order_is_credited_in_the_invoice_currency(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order_with(2061, 67, "euro@example.ie", vec![line(MUG, 2)], |s| {
        s.currency = ("EUR".into(), d("1.15"));
    });
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    let inv = invoice_of(&bed.sandbox, 2061).unwrap();
    assert_eq!(inv.currency.as_ref().unwrap().code, "EUR");
    bed.engine
        .enqueue_event(&refund(2061, "10.00", "2026-05-05T10:00:00Z", false))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.failed, 0, "{c:?}");
    let cn = credit_notes(&bed).remove(0);
    let cur = cn.currency.clone().unwrap();
    assert_eq!((cur.code.as_str(), cur.exchange_rate), ("EUR", d("1.15")));
    // 10.00 GBP at 1.15 EUR per GBP.
    assert_eq!(cn.gross_amount, Some(d("-11.50")));
    assert_eq!(
        money_lines(&cn).map(|l| l.amount).sum::<Decimal>(),
        d("11.50")
    );
    bed.stop().await;
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_kashflows_own_numbering_credit_notes_take_its_next_numbers_and_are_found_by_reference(
) {
    use kashflow_sync::mapping::rules::InvoiceNumberStrategy;
    let bed = TestBed::start(&SandboxOptions::default(), |c| {
        c.rules.invoice_number.strategy = InvoiceNumberStrategy::KashFlowAssigns;
    })
    .await
    .unwrap();
    let o = order(2071, 68, "own.numbers@example.com");
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    let inv = bed.sandbox.invoices().remove(0);
    let n = inv.number.unwrap();
    // The first credit note's answer is lost; the retry finds it by its reference.
    bed.sandbox
        .inject(FaultRule::new(FaultKind::CommitThenDrop).on("POST", "/invoices"));
    bed.engine
        .enqueue_event(&refund(2071, "5.00", "2026-05-04T10:00:00Z", false))
        .unwrap();
    bed.engine
        .enqueue_event(&refund(2071, "6.00", "2026-05-05T10:00:00Z", false))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.failed, c.credit_notes_posted), (0, 2), "{c:?}");
    let notes = credit_notes(&bed);
    let numbers: Vec<i64> = notes.iter().map(|d| d.number.unwrap()).collect();
    // KashFlow's sequence goes on: no number of ours pushed it forward.
    assert_eq!(numbers, vec![n + 1, n + 2]);
    assert_eq!(
        notes
            .iter()
            .map(|d| d.customer_reference.clone().unwrap())
            .collect::<Vec<_>>(),
        vec![format!("CN-{n}-1"), format!("CN-{n}-2")]
    );
    assert_eq!(notes[1].gross_amount, Some(d("-6.00")));
    bed.stop().await;
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_waits_for_the_payment_it_refunds_even_when_that_payment_is_retrying(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    let o = order_with(
        2081,
        69,
        "paid.then.refunded@example.com",
        vec![line(MUG, 2)],
        unpaid,
    );
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    // The payment's write fails once and backs off; the refund arrives meanwhile.
    bed.sandbox
        .inject(FaultRule::new(FaultKind::ServerError).on(Api::on(Api(t).add_payment()).0, Api::on(Api(t).add_payment()).1));
    bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    bed.engine
        .enqueue_event(&refund(2081, "5.00", "2026-05-04T10:00:00Z", false))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.failed, c.credit_notes_posted), (0, 1), "{c:?}");
    let cn = credit_notes(&bed).remove(0);
    // Paid first, so the refund is money paid back, not credit against an unpaid invoice.
    assert_eq!(allocations(&cn).count(), 0, "{cn:?}");
    assert_eq!(
        money_lines(&cn).map(|l| l.amount).sum::<Decimal>(),
        d("5.00")
    );
    let inv = invoice_of(&bed.sandbox, 2081).unwrap();
    assert_eq!(
        money_lines(&inv).map(|l| l.amount).sum::<Decimal>(),
        o.order_total
    );
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_partial_refunds_are_itemised_or_spread_by_the_admin(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| {
        c.kashflow.transport = t;
        c.steps.hold_partial_refunds = true;
    })
    .await
    .unwrap();
    let o = order(2091, 70, "itemise.me@example.com");
    let r = bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    let inv = invoice_of(&bed.sandbox, 2091).unwrap();
    let mug_line = inv
        .line_items
        .as_ref()
        .unwrap()
        .iter()
        .position(|l| l.product_code.as_deref() == Some("MUG-CLASSIC"))
        .unwrap()
        + 1;
    let release = |seq: u32, items: serde_json::Value| {
        serde_json::to_vec(&json!({"Kind": "CreditNoteRelease", "OrderId": 2091, "Seq": seq, "Items": items, "Restock": true}))
            .unwrap()
    };

    // A partial refund waits for the admin: nothing posted.
    let held = bed
        .engine
        .enqueue_event(&refund(2091, "10.00", "2026-05-04T10:00:00Z", false))
        .unwrap();
    assert!(held.message.unwrap().contains("held"), "held");
    let rec = bed.engine.record_detail(r.record_id).unwrap().record;
    assert_eq!(rec.state, RecordState::Pending);
    assert_eq!(rec.credit_notes[0].state, JobState::Held);
    assert!(credit_notes(&bed).is_empty());

    // Itemised: one mug back into stock (8.33 + VAT 1.67 = the 10.00 refunded).
    bed.engine
        .enqueue_event(&release(1, json!([{"Line": mug_line, "Quantity": 1}])))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!(c.credit_notes_posted, 1, "{c:?}");
    let cn = credit_notes(&bed).remove(0);
    let lines = cn.line_items.clone().unwrap();
    assert_eq!(lines.len(), 1);
    // The invoice's own unit rate as KashFlow keeps it (REST: 4 places, net round2(1 × -8.3333)
    // = -8.33; SOAP: 2 places by the strict default, so the invoice has 8.33).
    let rate = match t {
        TransportKind::Rest => d("-8.3333"),
        TransportKind::Soap => d("-8.33"),
    };
    assert_eq!(
        (lines[0].quantity, lines[0].rate, lines[0].vat_amount),
        (d("1"), rate, d("-1.67"))
    );
    assert_eq!(
        kashflow_sync::money::money2(lines[0].quantity * lines[0].rate),
        d("-8.33")
    );
    assert_eq!(lines[0].product_code.as_deref(), Some("MUG-CLASSIC"));
    assert_eq!(bed.sandbox.stock("MUG-CLASSIC"), Some(Decimal::from(119)));
    assert_eq!(
        money_lines(&cn).map(|l| l.amount).sum::<Decimal>(),
        d("10.00")
    );

    // Lines that do not add up to the refund are refused with the reason; spreading then posts it.
    bed.engine
        .enqueue_event(&refund(2091, "5.00", "2026-05-05T10:00:00Z", false))
        .unwrap();
    bed.engine
        .enqueue_event(&release(2, json!([{"Line": mug_line, "Quantity": 1}])))
        .unwrap();
    bed.settle().await.unwrap();
    let rec = bed.engine.record_detail(r.record_id).unwrap().record;
    assert_eq!(rec.state, RecordState::Failed);
    let e = rec.credit_notes[1].last_error.clone().unwrap();
    assert_eq!(e.code, "CreditNoteItemsInvalid");
    assert!(
        e.message
            .contains("come to 10.00 GBP but the refund was 5.00 GBP"),
        "{}",
        e.message
    );
    bed.engine.enqueue_event(&release(2, json!([]))).unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.failed, c.credit_notes_posted), (0, 2), "{c:?}");
    assert_eq!(credit_notes(&bed)[1].gross_amount, Some(d("-5.00")));
    // Only a held or failed credit note can be released.
    let e = bed
        .engine
        .enqueue_event(&release(1, json!([])))
        .unwrap_err();
    assert_eq!(e.code(), "InvalidRequest");
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_applying_pays_back_only_what_is_left(t) {
    let bed = TestBed::start(&SandboxOptions::default(), |c| c.kashflow.transport = t)
        .await
        .unwrap();
    // KashFlow has the invoice unpaid (payments off when it was posted); nopCommerce refunds 10.00.
    let o = order_with(
        2101,
        71,
        "half.paid@example.com",
        vec![line(MUG, 3)],
        unpaid,
    );
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    let inv = invoice_of(&bed.sandbox, 2101).unwrap();
    // Part-paid in KashFlow by hand: 25.00 of 30.00, so 5.00 is still owed.
    let mut paid = inv.clone();
    paid.payment_lines = Some(vec![kashflow_sync::kashflow::model::PaymentLine {
        date: inv.issued_date,
        amount: o.order_total - d("5.00"),
        method: 2,
        account_id: 1,
        note: Some("by hand".into()),
        ..Default::default()
    }]);
    bed.sandbox
        .with_account_mut(|a| {
            a.update_invoice(paid.number.unwrap(), &serde_json::to_value(&paid).unwrap())
        })
        .unwrap();
    // The refund's money line fails once after the credit note was created and applied.
    bed.sandbox
        .inject(FaultRule::new(FaultKind::ServerError).on(Api::on(Api(t).add_payment()).0, Api::on(Api(t).add_payment()).1));
    bed.engine
        .enqueue_event(&refund(2101, "10.00", "2026-05-04T10:00:00Z", false))
        .unwrap();
    let c = bed.settle().await.unwrap();
    assert_eq!((c.failed, c.credit_notes_posted), (0, 1), "{c:?}");
    let cn = credit_notes(&bed).remove(0);
    // 5.00 applied to what was owed, the other 5.00 paid back — once each.
    assert_eq!(
        allocations(&cn).map(|l| l.amount).sum::<Decimal>(),
        d("5.00")
    );
    assert_eq!(
        money_lines(&cn).map(|l| l.amount).sum::<Decimal>(),
        d("5.00")
    );
    assert_eq!(credit_left(&cn), Decimal::ZERO);
    bed.stop().await;
}
}
