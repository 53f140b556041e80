//! End-to-end: flows decide what the real engine posts to the sandbox KashFlow over HTTP on
//! 127.0.0.1, with a real SQLite journal, on both transports. An invoice moved from "placed" to
//! "paid" or "shipped" waits for its trigger and is posted exactly once when it comes (or when
//! the catch-up sends the paid order's snapshot again); a roll-up customer is created once.

mod common;

use common::*;
use kashflow_sync::engine::{EngineConfig, OutcomeKind, RecordState};
use kashflow_sync::flows::FlowDocument;
use kashflow_sync::order::{OrderStatus, PaymentStatus};
use kashflow_sync_harness::harness::{
    drain_outcomes, invoice_of, Api, SandboxOptions, TestBed, TransportKind,
};
use kashflow_sync_harness::over_transports;
use serde_json::json;

fn example(name: &str) -> FlowDocument {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/flows")
        .join(format!("{name}.json"));
    kashflow_sync::flows::parse(&std::fs::read(path).unwrap()).unwrap()
}

fn with_flows(t: TransportKind, flows: FlowDocument) -> impl FnOnce(&mut EngineConfig) {
    move |c| {
        c.kashflow.transport = t;
        c.flows = Some(flows);
    }
}

/// Waits until `n` orders' invoices wait for a flow's trigger and nothing else is left to do.
async fn wait_awaiting(bed: &TestBed, n: u64) {
    wait_for(&format!("{n} order(s) awaiting their trigger"), || {
        let c = bed.engine.status_counts().unwrap();
        c.awaiting_trigger == n && c.in_flight == 0 && c.retrying == 0
    })
    .await;
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_on_paid_waits_for_the_payment_and_posts_once(t) {
    let bed = TestBed::start(&SandboxOptions::default(), with_flows(t, example("invoice-on-paid")))
        .await
        .unwrap();
    let o = order_with(701, 71, "cheque.payer@example.co.uk", vec![line(MUG, 1)], unpaid);
    let receipt = bed.engine.enqueue_order(&json(&o)).unwrap();
    wait_awaiting(&bed, 1).await;
    assert!(invoice_of(&bed.sandbox, 701).is_none(), "nothing posted before payment");
    assert_eq!(bed.sandbox.calls(Api(t).create_customer()), 0);
    let detail = bed.engine.record_detail(receipt.record_id).unwrap();
    assert_eq!(detail.record.state, RecordState::Pending);
    let why = detail.record.last_error.map(|e| e.message).unwrap_or_default();
    assert!(why.contains("OrderPaid (flow 'Invoice when paid')"), "{why}");

    bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    let counts = bed.settle().await.unwrap();
    assert_eq!((counts.synced, counts.awaiting_trigger), (1, 0), "{counts:?}");
    let inv = invoice_of(&bed.sandbox, 701).expect("invoiced once paid");
    assert_eq!(inv.gross_amount, Some(o.order_total));
    let paid: Vec<_> = inv.payment_lines.clone().unwrap_or_default();
    assert_eq!(paid.len(), 1, "the payment is on the invoice");
    assert_eq!(paid[0].amount, o.order_total);

    // The catch-up sends the payment again: nothing more is posted.
    bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    bed.settle().await.unwrap();
    assert_eq!(bed.sandbox.calls(Api(t).create_invoice()), 1);
    let inv = invoice_of(&bed.sandbox, 701).unwrap();
    assert_eq!(inv.payment_lines.unwrap_or_default().len(), 1);
    let outcomes = drain_outcomes(&bed.engine).unwrap();
    let invoice_notes = outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::AddOrderNote)
        .filter(|o| o.note.as_deref().is_some_and(|n| n.contains("created")))
        .count();
    assert_eq!(invoice_notes, 1, "{outcomes:?}");
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_paid_while_the_event_was_lost_is_invoiced_once_from_its_snapshot(t) {
    let bed = TestBed::start(&SandboxOptions::default(), with_flows(t, example("invoice-on-paid")))
        .await
        .unwrap();
    let mut o = order_with(702, 72, "lost.event@example.co.uk", vec![line(BOOK, 2)], unpaid);
    bed.engine.enqueue_order(&json(&o)).unwrap();
    wait_awaiting(&bed, 1).await;
    // The OrderPaid event never arrived (the process was down); the plugin's catch-up sends the
    // order's snapshot again, now paid.
    o.payment_status = PaymentStatus::Paid;
    o.paid_date_utc = Some(o.created_on_utc);
    o.payment_method_system_name = "Payments.Manual".into();
    bed.engine.enqueue_order(&json(&o)).unwrap();
    let counts = bed.settle().await.unwrap();
    assert_eq!((counts.synced, counts.awaiting_trigger), (1, 0), "{counts:?}");
    let inv = invoice_of(&bed.sandbox, 702).expect("invoiced");
    assert_eq!(inv.payment_lines.clone().unwrap_or_default().len(), 1);
    // And the late event afterwards changes nothing.
    bed.engine.enqueue_event(&paid_event(&o)).unwrap();
    bed.settle().await.unwrap();
    assert_eq!(bed.sandbox.calls(Api(t).create_invoice()), 1);
    assert_eq!(
        invoice_of(&bed.sandbox, 702).unwrap().payment_lines.unwrap_or_default().len(),
        1
    );
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_roll_up_into_one_customer_created_once(t) {
    let bed = TestBed::start(&SandboxOptions::default(), with_flows(t, example("rollup-guests")))
        .await
        .unwrap();
    let g1 = order_with(711, 81, "guest.one@example.co.uk", vec![line(MUG, 1)], guest);
    let g2 = order_with(712, 82, "guest.two@example.co.uk", vec![line(BOOK, 1)], guest);
    let reg = order(713, 83, "registered@example.co.uk");
    for o in [&g1, &g2, &reg] {
        bed.engine.enqueue_order(&json(o)).unwrap();
    }
    let counts = bed.settle().await.unwrap();
    assert_eq!(counts.synced, 3, "{counts:?}");
    for id in [711, 712] {
        assert_eq!(invoice_of(&bed.sandbox, id).unwrap().customer_code, "WEBSALES");
    }
    assert_eq!(invoice_of(&bed.sandbox, 713).unwrap().customer_code, "NOP000083");
    let web = bed.sandbox.customer("WEBSALES").expect("roll-up customer");
    assert_eq!(web.name, "Web sales");
    assert_eq!(
        bed.sandbox.calls(Api(t).create_customer()),
        2,
        "WEBSALES once and the registered customer"
    );
    assert!(bed
        .sandbox
        .customers()
        .iter()
        .all(|c| c.email.as_deref() != Some("guest.one@example.co.uk")));
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trade_orders_are_invoiced_on_dispatch_to_their_project(t) {
    let flows = kashflow_sync::flows::parse(json!({"Version": 1, "Flows": [
        {"Id": "trade", "Name": "Trade on dispatch", "Trigger": "OrderShipped",
         "When": {"Field": "CustomerRole", "Op": "Equals", "Value": "Trade"},
         "Steps": [{"Step": "Customer"}, {"Step": "Invoice", "ProjectId": 7}, {"Step": "Payment"},
                   {"Step": "OrderNote"}, {"Step": "OrderStatus", "Status": "Complete"}]},
        {"Id": "others", "Name": "Everyone else", "Trigger": "OrderPlaced",
         "When": {"Not": {"Field": "CustomerRole", "Op": "Equals", "Value": "Trade"}},
         "Steps": [{"Step": "Customer"}, {"Step": "Invoice"}, {"Step": "Payment"}]}
    ]}).to_string().as_bytes()).unwrap();
    let bed = TestBed::start(&SandboxOptions::default(), with_flows(t, flows))
        .await
        .unwrap();
    let mut trade = order_with(721, 91, "buyer@trade.example", vec![line(MUG, 3)], unpaid);
    trade.customer_roles = vec!["Registered".into(), "Trade".into()];
    let retail = order(722, 92, "retail@example.co.uk");
    bed.engine.enqueue_order(&json(&trade)).unwrap();
    bed.engine.enqueue_order(&json(&retail)).unwrap();
    wait_awaiting(&bed, 1).await;
    assert!(invoice_of(&bed.sandbox, 722).is_some(), "retail: invoiced when placed");
    assert!(invoice_of(&bed.sandbox, 721).is_none(), "trade: waits for dispatch");

    let shipped = json!({"Kind": "OrderShipped", "OrderId": 721, "OccurredOnUtc": "2026-05-03T09:00:00Z"});
    bed.engine.enqueue_event(shipped.to_string().as_bytes()).unwrap();
    let counts = bed.settle().await.unwrap();
    assert_eq!((counts.synced, counts.awaiting_trigger), (2, 0), "{counts:?}");
    let inv = invoice_of(&bed.sandbox, 721).expect("invoiced on dispatch");
    assert!(inv.payment_lines.clone().unwrap_or_default().is_empty(), "on account: unpaid");
    let lines = inv.line_items.clone().unwrap_or_default();
    assert!(!lines.is_empty() && lines.iter().all(|l| l.project_number == 7), "{lines:?}");
    // Shipped again (the catch-up): nothing more.
    let receipt = bed.engine.enqueue_event(shipped.to_string().as_bytes()).unwrap();
    assert_eq!(receipt.state, kashflow_sync::engine::ReceiptState::Unchanged);
    bed.settle().await.unwrap();
    assert_eq!(bed.sandbox.calls(Api(t).create_invoice()), 2);
    let outcomes = drain_outcomes(&bed.engine).unwrap();
    assert!(outcomes.iter().any(|o| o.kind == OutcomeKind::SetOrderStatus
        && o.order_id == Some(721)
        && o.order_status.as_deref() == Some("Complete")));
    assert!(!outcomes.iter().any(|o| o.kind == OutcomeKind::AddOrderNote && o.order_id == Some(722)),
        "the retail flow has no OrderNote step");
    assert!(!outcomes.iter().any(|o| o.kind == OutcomeKind::SetOrderStatus && o.order_id == Some(722)));
    let _ = OrderStatus::Pending;
    bed.stop().await;
}
}

fn strip_ids(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for k in ["Id", "CustomerId", "Permalink"] {
                m.remove(k);
            }
            m.values_mut().for_each(strip_ids);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_ids),
        _ => {}
    }
}

/// The default flows, given explicitly, post the same books as no flows at all (today's
/// behaviour), over the golden fixtures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_default_flows_post_the_same_books_as_none() {
    let mut books = Vec::new();
    for flows in [None, Some(example("every-order"))] {
        let bed = TestBed::start(&SandboxOptions::default(), |c| c.flows = flows)
            .await
            .unwrap();
        let mut ids = Vec::new();
        for name in [
            "uk-incl-vat-paid",
            "mixed-vat",
            "guest-checkout",
            "b2b-gb-company",
        ] {
            let bytes = std::fs::read(fixture_path(&format!("{name}.json"))).unwrap();
            let r = bed.engine.enqueue_order(&bytes).unwrap();
            ids.push(r.order_id);
        }
        bed.settle().await.unwrap();
        let mut invoices: Vec<_> = ids
            .iter()
            .map(|id| invoice_of(&bed.sandbox, *id).expect("invoiced"))
            .map(|i| {
                // KashFlow's own ids and links differ with the order the jobs ran in.
                let mut v = serde_json::to_value(i).unwrap();
                strip_ids(&mut v);
                v
            })
            .collect();
        invoices.sort_by_key(|v| v["Number"].as_i64());
        let mut customers: Vec<_> = bed
            .sandbox
            .customers()
            .into_iter()
            .map(|c| (c.code.clone(), c.name.clone(), c.email.clone()))
            .collect();
        customers.sort();
        let outcomes: Vec<_> = drain_outcomes(&bed.engine)
            .unwrap()
            .into_iter()
            .map(|o| (o.kind, o.order_id, o.order_status, o.note))
            .collect();
        books.push((invoices, customers, outcomes.len()));
        bed.stop().await;
    }
    assert_eq!(books[0], books[1]);
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_and_products_are_created_ahead_when_a_flow_says_so(t) {
    let flows = kashflow_sync::flows::parse(json!({"Version": 1, "Flows": [
        {"Id": "new-customers", "Name": "New customers", "Trigger": "CustomerRegistered",
         "When": {"Field": "CustomerRole", "Op": "Equals", "Value": "Trade"},
         "Steps": [{"Step": "Customer"}]},
        {"Id": "products", "Name": "Products", "Trigger": "ProductChanged",
         "Steps": [{"Step": "Product", "UpdatePrice": true}]},
        {"Id": "orders", "Name": "Orders", "Trigger": "OrderPlaced",
         "Steps": [{"Step": "Customer"}, {"Step": "Invoice"}, {"Step": "Payment"}]}
    ]}).to_string().as_bytes()).unwrap();
    // One worker: the jobs run in the order they were queued, so once the last one (the
    // product) has run, so have the customers before it.
    let one_worker = with_flows(t, flows);
    let bed = TestBed::start(&SandboxOptions::default(), |c| {
        one_worker(c);
        c.workers = 1;
    })
    .await
    .unwrap();
    let customer = |id: i64, email: &str, roles: serde_json::Value| json!({
        "Kind": "CustomerChanged", "Registered": true,
        "Customer": {"CustomerId": id, "Email": email, "FirstName": "Tia", "LastName": "Trader",
                     "Company": "Trader Tia Ltd", "Roles": roles,
                     "BillingAddress": {"Address1": "1 Quay", "City": "Leeds", "ZipPostalCode": "LS1 4AP", "CountryTwoLetterIsoCode": "GB"}}
    }).to_string();
    // Not trade: the flow's condition does not hold; nothing is created.
    bed.engine.enqueue_event(customer(96, "retail@example.co.uk", json!(["Registered"])).as_bytes()).unwrap();
    let r = bed.engine.enqueue_event(customer(95, "tia@trader.example", json!(["Registered", "Trade"])).as_bytes()).unwrap();
    assert_eq!(r.state, kashflow_sync::engine::ReceiptState::Pending, "{r:?}");
    // Sent again by the catch-up: the same document is journaled once.
    let again = bed.engine.enqueue_event(customer(95, "tia@trader.example", json!(["Registered", "Trade"])).as_bytes()).unwrap();
    assert_eq!(again.state, kashflow_sync::engine::ReceiptState::Unchanged);
    // A change (not a registration): no flow acts on it, nothing is journaled.
    let changed = customer(95, "tia@trader.example", json!(["Trade"])).replace("\"Registered\":true", "\"Registered\":false");
    let r = bed.engine.enqueue_event(changed.as_bytes()).unwrap();
    assert_eq!(r.state, kashflow_sync::engine::ReceiptState::Unchanged, "{r:?}");
    assert!(r.message.unwrap().contains("no flow acts on CustomerChanged"));
    let product = json!({"Kind": "ProductChanged", "Product": {"ProductId": 500, "Sku": "FLOW-NEW-1",
        "Name": "Flow Mug", "Price": "12.50", "TaxCategoryName": "Standard 20%", "Published": true}});
    bed.engine.enqueue_event(product.to_string().as_bytes()).unwrap();
    let writes = |bed: &TestBed| match t {
        TransportKind::Rest => {
            bed.sandbox.calls("POST /products") + bed.sandbox.calls("PUT /products/{nominal}/{code}")
        }
        TransportKind::Soap => bed.sandbox.calls("POST /api/service.asmx:AddOrUpdateSubProduct"),
    };
    wait_for("the product job, queued last", || {
        bed.sandbox.product("FLOW-NEW-1").is_some() && writes(&bed) >= 1
    }).await;
    let p = bed.sandbox.product("FLOW-NEW-1").unwrap();
    assert_eq!(p.price, "12.50".parse().unwrap());
    assert_eq!(p.vat_rate, rust_decimal::Decimal::from(20));
    // The price and tax category change in nopCommerce: the product is updated in place.
    assert_eq!(writes(&bed), 1);
    let changed = |published: bool| json!({"Kind": "ProductChanged", "Product": {"ProductId": 500,
        "Sku": "FLOW-NEW-1", "Name": "Flow Mug", "Price": "14.00", "TaxCategoryName": "Reduced 5%",
        "Published": published}}).to_string();
    bed.engine.enqueue_event(changed(true).as_bytes()).unwrap();
    // The sandbox counts a call once it has answered: wait for both.
    wait_for("the product update", || {
        bed.sandbox.product("FLOW-NEW-1").is_some_and(|p| p.price == "14.00".parse().unwrap())
            && writes(&bed) >= 2
    }).await;
    let p = bed.sandbox.product("FLOW-NEW-1").unwrap();
    assert_eq!(p.vat_rate, rust_decimal::Decimal::from(5));
    assert_eq!(p.nominal_code, 4000);
    assert_eq!(writes(&bed), 2, "one create, one update");
    let c = bed.sandbox.customer("NOP000095").unwrap();
    assert_eq!(c.email.as_deref(), Some("tia@trader.example"));
    assert_eq!(c.name, "Trader Tia Ltd");
    assert!(bed.sandbox.customer("NOP000096").is_none());

    // The customer's first order finds it by e-mail: no second customer.
    let o = order(731, 95, "tia@trader.example");
    bed.engine.enqueue_order(&json(&o)).unwrap();
    bed.settle().await.unwrap();
    assert_eq!(invoice_of(&bed.sandbox, 731).unwrap().customer_code, "NOP000095");
    assert_eq!(bed.sandbox.calls(Api(t).create_customer()), 1);
    bed.stop().await;
}
}

over_transports! {
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_customer_is_updated_in_kashflow_once(t) {
    let flows = kashflow_sync::flows::parse(json!({"Version": 1, "Flows": [
        {"Id": "customers", "Name": "Customers", "Trigger": "CustomerChanged",
         "Steps": [{"Step": "Customer"}]},
        {"Id": "orders", "Name": "Orders", "Trigger": "OrderPlaced",
         "Steps": [{"Step": "Customer"}, {"Step": "Invoice"}, {"Step": "Payment"}]}
    ]}).to_string().as_bytes()).unwrap();
    let bed = TestBed::start(&SandboxOptions::default(), with_flows(t, flows))
        .await
        .unwrap();
    // The customer exists in KashFlow from an order.
    bed.engine.enqueue_order(&json(&order(741, 97, "moves@example.co.uk"))).unwrap();
    bed.settle().await.unwrap();
    let before = bed.sandbox.customer("NOP000097").expect("created by the order");
    let update = |company: &str| json!({
        "Kind": "CustomerChanged", "Registered": false,
        "Customer": {"CustomerId": 97, "Email": "moves@example.co.uk", "FirstName": "Mo", "LastName": "Vers",
                     "Company": company, "VatNumber": "GB123456789", "Roles": ["Registered"],
                     "BillingAddress": {"Address1": "2 New Street", "City": "York", "ZipPostalCode": "YO1 7HH", "CountryTwoLetterIsoCode": "GB"}}
    }).to_string();
    let puts = |bed: &TestBed| bed.sandbox.calls(match t {
        TransportKind::Rest => "PUT /customers/{code}",
        TransportKind::Soap => "POST /api/service.asmx:UpdateCustomer",
    });
    bed.engine.enqueue_event(update("Movers Ltd").as_bytes()).unwrap();
    // The sandbox counts a call once it has answered: wait for both.
    wait_for("the customer update", || {
        bed.sandbox.customer("NOP000097").is_some_and(|c| c.name == "Movers Ltd") && puts(&bed) >= 1
    }).await;
    let after = bed.sandbox.customer("NOP000097").unwrap();
    assert_eq!(after.vat_number.as_deref(), Some("GB123456789"));
    assert_eq!(after.addresses[0].line1.as_deref(), Some("2 New Street"));
    assert_eq!(after.id, before.id, "the same customer, updated in place");
    assert_eq!(puts(&bed), 1);
    // The same change again (the catch-up): journaled once, nothing written.
    let r = bed.engine.enqueue_event(update("Movers Ltd").as_bytes()).unwrap();
    assert_eq!(r.state, kashflow_sync::engine::ReceiptState::Unchanged);
    assert_eq!(bed.sandbox.customers().len(), 1, "no second customer");
    bed.stop().await;
}
}

/// Invoices waiting for a trigger look again when the flows change: back to the default flows,
/// an unpaid order waiting for its payment is invoiced at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_flows_releases_invoices_that_waited_for_a_trigger() {
    let bed = TestBed::start(
        &SandboxOptions::default(),
        with_flows(TransportKind::Rest, example("invoice-on-paid")),
    )
    .await
    .unwrap();
    let o = order_with(751, 99, "waits@example.co.uk", vec![line(MUG, 1)], unpaid);
    bed.engine.enqueue_order(&json(&o)).unwrap();
    wait_awaiting(&bed, 1).await;
    let mut config = bed.config.clone();
    config.flows = None;
    bed.engine.reconfigure(config).unwrap();
    let counts = bed.settle().await.unwrap();
    assert_eq!(
        (counts.synced, counts.awaiting_trigger),
        (1, 0),
        "{counts:?}"
    );
    let inv = invoice_of(&bed.sandbox, 751).expect("invoiced under the default flows");
    assert!(
        inv.payment_lines.unwrap_or_default().is_empty(),
        "not paid yet"
    );
    bed.stop().await;
}
