//! Shared helpers for the engine integration tests: a realistic order snapshot builder, a
//! test processor (scriptable stand-in for the KashFlow stage that records what it was given),
//! and small harness functions (runtime, config, bounded waits).
//!
//! The snapshot here is an engine test fixture shaped like the plugin's document (~4 KB for 10
//! lines); the contract itself belongs to the order stage.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kashflow_sync::engine::{
    CallRecord, ConnectionReport, EngineConfig, EngineError, EngineOptions, JobContext, JobDone,
    JobKind, JobProcessor, JobResult, LedgerEntry, LedgerKind, ManualClock, OutcomeSpec,
    PaymentEvent, Preview, PreviewContext,
};
use serde_json::{json, Value};

pub const T0: i64 = 1_777_630_000_000; // 2026-05-01T10:06:40Z

/// A snapshot with `lines` order lines, shaped like the plugin's document.
pub fn snapshot(order_id: i64, custom: &str, created_utc: &str, lines: usize) -> Vec<u8> {
    snapshot_value(order_id, custom, created_utc, lines)
        .to_string()
        .into_bytes()
}

pub fn snapshot_value(order_id: i64, custom: &str, created_utc: &str, lines: usize) -> Value {
    let skus = [
        ("MUG-CLASSIC", "Classic Mug", "8.33", "20"),
        ("TEE-ORG-M", "Organic T-Shirt (M)", "16.66", "20"),
        ("TEE-ORG-L", "Organic T-Shirt (L)", "16.66", "20"),
        ("HOODIE-NAVY-L", "Navy Hoodie (L)", "29.17", "20"),
        ("SUNGLASSES", "Polarised Sunglasses", "41.67", "20"),
        ("BOOK-UK-COOK", "The British Cookbook", "18.00", "0"),
        ("COFFEE-BEANS-1KG", "Coffee Beans 1kg", "21.50", "0"),
        ("TEA-TIN", "Loose Leaf Tea Tin", "7.50", "0"),
        ("CHILD-CAR-SEAT", "Child Car Seat", "95.24", "5"),
        ("ENERGY-BULB", "Energy Saving Bulb", "3.81", "5"),
    ];
    let items: Vec<Value> = (0..lines)
        .map(|i| {
            let (sku, name, price, vat) = skus[i % skus.len()];
            json!({
                "Id": order_id * 100 + i as i64,
                "OrderItemGuid": format!("6f1c2a0e-0000-4000-8000-{:012}", order_id * 100 + i as i64),
                "ProductId": 1000 + i,
                "Sku": sku,
                "ProductName": name,
                "AttributeDescription": "",
                "Quantity": 1 + (i % 3),
                "UnitPriceExclTax": price,
                "UnitPriceInclTax": price,
                "PriceExclTax": price,
                "PriceInclTax": price,
                "DiscountAmountExclTax": "0.00",
                "DiscountAmountInclTax": "0.00",
                "TaxRate": vat,
                "IsShipEnabled": true,
                "IsGiftCard": false
            })
        })
        .collect();
    let address = json!({
        "FirstName": "Jane", "LastName": "Shopper", "Email": format!("buyer{order_id}@example.com"),
        "Company": null, "Address1": "1 High Street", "Address2": "Flat 2", "City": "Bristol",
        "County": "Avon", "ZipPostalCode": "BS1 4DJ", "CountryTwoLetterIsoCode": "GB",
        "CountryName": "United Kingdom", "PhoneNumber": "0117 496 0000"
    });
    json!({
        "SchemaVersion": 1,
        "Id": order_id,
        "OrderGuid": format!("0b7d8e1a-0000-4000-8000-{order_id:012}"),
        "CustomOrderNumber": custom,
        "StoreId": 1,
        "CustomerId": 45,
        "CustomerEmail": format!("buyer{order_id}@example.com"),
        "CustomerIsGuest": false,
        "CreatedOnUtc": created_utc,
        "CustomerCurrencyCode": "GBP",
        "CurrencyRate": "1.0000",
        "CustomerTaxDisplayType": "IncludingTax",
        "OrderStatus": "Pending",
        "PaymentStatus": "Pending",
        "PaymentMethodSystemName": "Payments.Manual",
        "ShippingMethod": "Ground",
        "BillingAddress": address.clone(),
        "ShippingAddress": address,
        "Items": items,
        "OrderSubtotalInclTax": "100.00",
        "OrderSubtotalExclTax": "83.33",
        "OrderShippingInclTax": "4.99",
        "OrderShippingExclTax": "4.16",
        "PaymentMethodAdditionalFeeInclTax": "0.00",
        "PaymentMethodAdditionalFeeExclTax": "0.00",
        "OrderDiscount": "0.00",
        "OrderTax": "17.50",
        "OrderTotal": "104.99",
        "RefundedAmount": "0.00",
        "CheckoutAttributeDescription": "",
        "VatNumber": null
    })
}

pub fn simple(order_id: i64) -> Vec<u8> {
    snapshot(
        order_id,
        &format!("N-{order_id}"),
        "2026-05-01T10:00:00Z",
        2,
    )
}

pub fn paid_event(order_id: i64, amount: &str) -> Vec<u8> {
    format!(
        r#"{{"Kind":"OrderPaid","OrderId":{order_id},"Amount":"{amount}","PaidDateUtc":"2026-05-01T10:00:00Z","PaymentMethodSystemName":"Payments.Manual"}}"#
    )
    .into_bytes()
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

pub fn config(dir: &Path) -> EngineConfig {
    let mut c = EngineConfig::new(dir.join("journal.db"));
    c.workers = 2;
    c
}

pub fn options(processor: Arc<TestProcessor>, clock: Option<Arc<ManualClock>>) -> EngineOptions {
    EngineOptions {
        processor: Some(processor),
        clock: clock.map(|c| c as Arc<dyn kashflow_sync::engine::Clock>),
        lease: Duration::from_secs(60),
        heartbeat: Duration::from_secs(5),
        idle_poll: Duration::from_millis(10),
        rng_seed: Some(7),
    }
}

/// Wait (bounded) until `cond` holds; panics naming what did not happen.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        if Instant::now() > deadline {
            panic!("timed out waiting until {what}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// What the test processor was handed for one attempt.
#[derive(Debug, Clone)]
pub struct Seen {
    pub job_id: i64,
    pub kind: JobKind,
    pub order_id: Option<i64>,
    pub attempt: u32,
    pub outcome_unknown: bool,
    pub snapshot_hash: Option<String>,
    pub invoice_number: Option<i64>,
    pub payment: Option<PaymentEvent>,
    pub rules: Value,
}

/// What the test processor does for one attempt.
pub enum Step {
    Result(JobResult),
    /// Never finish (a job caught by a crash or a shutdown).
    Hang,
    /// Panic (a processor bug).
    Panic,
}

type Handler = dyn Fn(&Seen) -> Step + Send + Sync;

/// A stand-in for the KashFlow stage: runs the engine's own logic end to end, records every
/// attempt, tracks concurrency, and does what its handler says.
pub struct TestProcessor {
    handler: Mutex<Arc<Handler>>,
    pub seen: Mutex<Vec<Seen>>,
    /// When set, every attempt waits for one permit before finishing.
    pub gate: Option<Arc<tokio::sync::Semaphore>>,
    /// When set, every attempt waits for one permit between its claim and its (pretend) KashFlow
    /// request, then asks the engine whether it may send (`JobContext::may_call_kashflow`), as
    /// the KashFlow stage does before every request; refused, it sends nothing and gives up.
    pub before_send: Option<Arc<tokio::sync::Semaphore>>,
    pub hold: Duration,
    running_by_order: Mutex<HashMap<i64, usize>>,
    running: AtomicUsize,
    pub max_running_same_order: AtomicUsize,
    pub max_running: AtomicUsize,
}

impl TestProcessor {
    pub fn new() -> Arc<Self> {
        Self::build(
            None,
            Duration::ZERO,
            Arc::new(|s: &Seen| Step::Result(default_result(s))),
        )
    }

    pub fn with(handler: impl Fn(&Seen) -> Step + Send + Sync + 'static) -> Arc<Self> {
        Self::build(None, Duration::ZERO, Arc::new(handler))
    }

    pub fn gated(gate: Arc<tokio::sync::Semaphore>) -> Arc<Self> {
        Self::build(
            Some(gate),
            Duration::ZERO,
            Arc::new(|s: &Seen| Step::Result(default_result(s))),
        )
    }

    pub fn holding(hold: Duration) -> Arc<Self> {
        Self::build(
            None,
            hold,
            Arc::new(|s: &Seen| Step::Result(default_result(s))),
        )
    }

    /// Stops every attempt after its claim until `before_send` has a permit, then asks before
    /// sending (see `before_send`).
    pub fn asking_before_send(before_send: Arc<tokio::sync::Semaphore>) -> Arc<Self> {
        let mut p = Arc::into_inner(Self::new()).expect("a fresh processor");
        p.before_send = Some(before_send);
        Arc::new(p)
    }

    fn build(
        gate: Option<Arc<tokio::sync::Semaphore>>,
        hold: Duration,
        handler: Arc<Handler>,
    ) -> Arc<Self> {
        Arc::new(TestProcessor {
            handler: Mutex::new(handler),
            seen: Mutex::new(Vec::new()),
            gate,
            before_send: None,
            hold,
            running_by_order: Mutex::new(HashMap::new()),
            running: AtomicUsize::new(0),
            max_running_same_order: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
        })
    }

    pub fn set_handler(&self, handler: impl Fn(&Seen) -> Step + Send + Sync + 'static) {
        *self.handler.lock().unwrap() = Arc::new(handler);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn seen_count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn seen_for(&self, order_id: i64) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.order_id == Some(order_id))
            .collect()
    }
}

/// The test processor's idea of success: invoice 100000 + order id, customer NOP000045, the
/// contract's outcomes.
pub fn default_result(s: &Seen) -> JobResult {
    match s.kind {
        JobKind::SyncOrder => {
            let order = s.order_id.unwrap_or_default();
            let invoice = 100_000 + order;
            JobResult::Done(JobDone {
                invoice_number: Some(invoice),
                customer_code: Some("NOP000045".into()),
                outcomes: vec![
                    OutcomeSpec::SetOrderStatus {
                        order_id: order,
                        order_status: "Processing".into(),
                    },
                    OutcomeSpec::AddOrderNote {
                        order_id: order,
                        note: format!("KashFlow invoice {invoice} created (customer NOP000045)"),
                        invoice_number: Some(invoice),
                    },
                ],
                ledger: vec![LedgerEntry {
                    kind: LedgerKind::EmailCustomer,
                    key: format!("buyer{order}@example.com"),
                    value: "NOP000045".into(),
                }],
                message: None,
            })
        }
        JobKind::RecordPayment => {
            let order = s.order_id.unwrap_or_default();
            let amount = s
                .payment
                .as_ref()
                .map(|p| p.amount.to_string())
                .unwrap_or_default();
            JobResult::Done(JobDone {
                outcomes: vec![OutcomeSpec::AddOrderNote {
                    order_id: order,
                    note: format!(
                        "Payment of {amount} recorded on KashFlow invoice {}",
                        s.invoice_number.unwrap_or_default()
                    ),
                    invoice_number: s.invoice_number,
                }],
                ..Default::default()
            })
        }
        JobKind::PostCreditNote => JobResult::Done(JobDone {
            invoice_number: s.invoice_number,
            outcomes: vec![OutcomeSpec::AddOrderNote {
                order_id: s.order_id.unwrap_or_default(),
                note: "KashFlow credit note posted".into(),
                invoice_number: s.invoice_number,
            }],
            ..Default::default()
        }),
        // Customer and product jobs (flows) tell the shop nothing.
        JobKind::SyncCustomer | JobKind::SyncProduct => JobResult::Done(JobDone::default()),
        JobKind::PullStock => JobResult::Done(JobDone {
            outcomes: vec![
                OutcomeSpec::SetStock {
                    sku: "MUG-CLASSIC".into(),
                    quantity: 118,
                },
                OutcomeSpec::SetStock {
                    sku: "TEE-ORG-M".into(),
                    quantity: 50,
                },
            ],
            ..Default::default()
        }),
    }
}

pub fn retry(code: &str, retry_after: Option<Duration>) -> Step {
    Step::Result(JobResult::Retry {
        error: kashflow_sync::engine::ErrorDoc::new(code, format!("{code} from KashFlow")),
        retry_after,
        maybe_applied: code == kashflow_sync::sync::failure::OUTCOME_UNKNOWN_CODE,
    })
}

pub fn dead(code: &str, message: &str, path: Option<&str>) -> Step {
    let mut e = kashflow_sync::engine::ErrorDoc::new(code, message);
    e.path = path.map(str::to_string);
    Step::Result(JobResult::DeadLetter { error: e })
}

struct Running<'a>(&'a TestProcessor, i64);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
        *self
            .0
            .running_by_order
            .lock()
            .unwrap()
            .entry(self.1)
            .or_default() -= 1;
    }
}

impl JobProcessor for TestProcessor {
    fn process<'a>(
        &'a self,
        ctx: JobContext<'a>,
    ) -> kashflow_sync::engine::BoxFuture<'a, JobResult> {
        Box::pin(async move {
            let seen = Seen {
                job_id: ctx.job.id,
                kind: ctx.job.kind,
                order_id: ctx.order.map(|o| o.order_id),
                attempt: ctx.job.attempt,
                outcome_unknown: ctx.job.outcome_unknown,
                snapshot_hash: ctx.order.and_then(|o| o.snapshot_hash.clone()),
                invoice_number: ctx.order.and_then(|o| o.invoice_number),
                payment: ctx.job.payment().ok(),
                rules: serde_json::to_value(&ctx.config.rules).unwrap_or_default(),
            };
            let key = seen.order_id.unwrap_or(-1);
            let n = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_running.fetch_max(n, Ordering::SeqCst);
            {
                let mut by = self.running_by_order.lock().unwrap();
                let c = by.entry(key).or_default();
                *c += 1;
                self.max_running_same_order.fetch_max(*c, Ordering::SeqCst);
            }
            let _running = Running(self, key);
            self.seen.lock().unwrap().push(seen.clone());
            if seen.kind == JobKind::SyncOrder {
                ctx.set_mapped_invoice(json!({
                    "InvoiceNumber": 100_000 + key,
                    "CustomerCode": "NOP000045",
                    "Lines": 2
                }));
            }
            if let Some(before_send) = &self.before_send {
                before_send.acquire().await.expect("gate").forget();
                if !ctx.may_call_kashflow() {
                    return JobResult::Retry {
                        error: kashflow_sync::engine::ErrorDoc::new(
                            "Connect",
                            "not sent: the engine stood this attempt down",
                        ),
                        retry_after: None,
                        maybe_applied: false,
                    };
                }
            }
            if let Some(gate) = &self.gate {
                gate.acquire().await.expect("gate").forget();
            }
            if !self.hold.is_zero() {
                tokio::time::sleep(self.hold).await;
            }
            let handler = self.handler.lock().unwrap().clone();
            match handler(&seen) {
                Step::Result(r) => {
                    if !matches!(r, JobResult::Waiting { .. }) {
                        let status = match &r {
                            JobResult::Done(_) => Some(201),
                            JobResult::Retry { .. } => Some(503),
                            _ => Some(400),
                        };
                        ctx.record_call(CallRecord {
                            method: "POST".into(),
                            path: "/invoices".into(),
                            status,
                            duration_ms: 3,
                            error: None,
                        });
                    }
                    r
                }
                Step::Hang => std::future::pending().await,
                Step::Panic => panic!("test processor bug"),
            }
        })
    }

    fn preview(&self, ctx: PreviewContext<'_>) -> Result<Preview, EngineError> {
        let mut p = Preview::new(ctx.header.order_id, ctx.header.custom_order_number.clone());
        p.ok = true;
        p.invoice = Some(json!({"InvoiceNumber": 100_000 + ctx.header.order_id}));
        p.requests = vec![json!({"Method": "POST", "Path": "/invoices"})];
        if let Some(n) = ctx.ledger(LedgerKind::OrderInvoice, &ctx.header.order_id.to_string())? {
            p.warnings.push(format!("already posted as invoice {n}"));
        }
        Ok(p)
    }

    fn test_connection<'a>(
        &'a self,
        config: &'a EngineConfig,
    ) -> kashflow_sync::engine::BoxFuture<'a, Result<ConnectionReport, EngineError>> {
        Box::pin(async move {
            Ok(ConnectionReport {
                ok: true,
                mode: format!("{:?}", config.kashflow.mode),
                base_url: config.kashflow.effective_base_url().map(str::to_string),
                message: format!("test processor reached as {}", config.kashflow.user_name),
                account_name: Some("Test Ltd".into()),
                latency_ms: 1,
                transport: config.kashflow.transport.to_string(),
                facts: None,
                error_code: None,
            })
        })
    }
}
