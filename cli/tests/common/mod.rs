//! Order and event documents for the end-to-end tests, built with nopCommerce's arithmetic
//! (`order::sample`) and given the customer each scenario needs.
#![allow(dead_code)]

use kashflow_sync::order::sample::{build, SampleLine, SampleOrder};
use kashflow_sync::order::{OrderSnapshot, OrderStatus};
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// Catalogue indexes (`order::sample::CATALOGUE`).
pub const MUG: usize = 0;
pub const BOOK: usize = 5;
pub const CAR_SEAT: usize = 8;
pub const GIFT_WRAP: usize = 10;
pub const EBOOK: usize = 11;

pub fn line(product: usize, quantity: i64) -> SampleLine {
    SampleLine {
        product,
        quantity,
        unit_discount_incl: Decimal::ZERO,
        attributes: None,
    }
}

/// An order by a registered customer: 2 mugs and a cookbook, paid by card when placed.
pub fn order(id: i64, customer_id: i64, email: &str) -> OrderSnapshot {
    order_with(
        id,
        customer_id,
        email,
        vec![line(MUG, 2), line(BOOK, 1)],
        |_| {},
    )
}

pub fn order_with(
    id: i64,
    customer_id: i64,
    email: &str,
    lines: Vec<SampleLine>,
    adjust: impl FnOnce(&mut SampleOrder),
) -> OrderSnapshot {
    let mut s = SampleOrder::new(id, lines);
    s.customer_id = customer_id;
    adjust(&mut s);
    let mut o = build(&s);
    o.order_status = OrderStatus::Pending;
    o.billing_address.email = Some(email.to_string());
    if let Some(a) = o.shipping_address.as_mut() {
        a.email = Some(email.to_string());
    }
    if !s.guest {
        o.customer.email = Some(email.to_string());
    }
    o
}

/// Not paid yet (cheque): the payment comes later as an `OrderPaid` event.
pub fn unpaid(s: &mut SampleOrder) {
    s.paid = false;
    s.payment_method = "Payments.CheckMoneyOrder".into();
}

pub fn guest(s: &mut SampleOrder) {
    s.guest = true;
}

pub fn json(o: &OrderSnapshot) -> Vec<u8> {
    serde_json::to_vec(o).unwrap()
}

pub fn paid_event(o: &OrderSnapshot) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "Kind": "OrderPaid",
        "OrderId": o.id,
        "Amount": o.order_total.to_string(),
        "PaidDateUtc": "2026-05-02T10:00:00Z",
        "PaymentMethodSystemName": o.payment_method_system_name,
    }))
    .unwrap()
}

pub fn cancelled_event(order_id: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({"Kind": "OrderCancelled", "OrderId": order_id})).unwrap()
}

pub fn value(v: &[u8]) -> Value {
    serde_json::from_slice(v).unwrap()
}

/// The default rules' invoice number for an order.
pub fn invoice_no(order_id: i64) -> i64 {
    100_000 + order_id
}

/// `core/fixtures/orders/<name>`: the golden snapshots the Rust and C# tests share.
pub fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/fixtures/orders")
        .join(name)
}

/// Waits until `condition` holds, checking every 20 ms; fails the test naming `what` after 30 s.
/// A wait on a condition with a deadline, never a fixed sleep followed by an assertion.
pub async fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
