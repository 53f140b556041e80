//! The KashFlow client against the sandbox over real HTTP on 127.0.0.1: login, every endpoint,
//! re-login after expiry, proactive refresh, rate limiting, and the classification of every fault.

use std::time::Duration;

use kashflow_sync::backoff::Backoff;
use kashflow_sync::kashflow::model::{
    Address, BulkPayment, BulkPaymentItem, Contact, Customer, Invoice, InvoiceCurrency, LineItem,
    PaymentLine,
};
use kashflow_sync::kashflow::sandbox::{
    AuthSettings, FaultKind, FaultRule, RandomFaults, SandboxConfig, SandboxHandle, SandboxServer,
};
use kashflow_sync::kashflow::wire::KfDateTime;
use kashflow_sync::kashflow::{ClientConfig, FailureClass, KashFlowClient, KfError, Secret};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn date(s: &str) -> Option<KfDateTime> {
    Some(KfDateTime::parse(s).unwrap())
}

async fn sandbox() -> SandboxHandle {
    SandboxServer::start(SandboxConfig {
        rng_seed: Some(11),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// No rate limit, tiny backoff, no read retries unless a test asks.
fn fast(h: &SandboxHandle) -> ClientConfig {
    ClientConfig {
        requests_per_second: 0,
        read_retries: 0,
        backoff: Backoff::new(Duration::from_millis(1), Duration::from_millis(20)),
        timeout: Duration::from_secs(10),
        ..h.client_config()
    }
}

fn client(cfg: ClientConfig) -> KashFlowClient {
    KashFlowClient::new(cfg).unwrap()
}

fn customer(code: &str, email: &str) -> Customer {
    Customer {
        code: code.into(),
        name: "Ada Lovelace".into(),
        email: Some(email.into()),
        contacts: vec![Contact {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            email: Some(email.into()),
            ..Contact::default()
        }],
        addresses: vec![Address {
            line1: Some("1 Analytical Street".into()),
            post_code: Some("SW1A 1AA".into()),
            country_code: Some("GB".into()),
            country_name: Some("United Kingdom".into()),
            ..Address::default()
        }],
        ..Customer::default()
    }
}

fn line(
    desc: &str,
    qty: &str,
    rate: &str,
    vat: &str,
    nominal: i64,
    product: Option<&str>,
) -> LineItem {
    LineItem {
        description: desc.into(),
        quantity: d(qty),
        rate: d(rate),
        vat_level: d(vat),
        vat_amount: kashflow_sync::money::round_money(
            d(qty) * d(rate) * d(vat) / Decimal::ONE_HUNDRED,
        ),
        nominal_code: nominal,
        product_code: product.map(str::to_owned),
        ..LineItem::default()
    }
}

fn invoice(number: Option<i64>, customer_code: &str) -> Invoice {
    Invoice {
        number,
        customer_code: customer_code.into(),
        customer_reference: Some("NOP-123".into()),
        issued_date: date("2026-05-01 12:00:00"),
        due_date: date("2026-05-31 12:00:00"),
        currency: Some(InvoiceCurrency {
            code: "GBP".into(),
            exchange_rate: Decimal::ONE,
            ..InvoiceCurrency::default()
        }),
        line_items: Some(vec![
            line("Classic Mug", "2", "8.33", "20", 4000, Some("MUG-CLASSIC")),
            line(
                "Coffee Beans 1kg",
                "1",
                "21.50",
                "0",
                4000,
                Some("COFFEE-BEANS-1KG"),
            ),
            line("Delivery", "1", "4.17", "20", 4900, None),
        ]),
        ..Invoice::default()
    }
}

fn card_payment(amount: &str) -> PaymentLine {
    PaymentLine {
        date: date("2026-05-01 12:00:00"),
        amount: d(amount),
        method: 4,
        account_id: 2,
        note: Some("Paid by card".into()),
        ..PaymentLine::default()
    }
}

#[tokio::test]
async fn login_and_every_endpoint() {
    let h = sandbox().await;
    let c = client(fast(&h));
    c.login().await.unwrap();
    assert!(c.has_session().await);
    assert_eq!(h.live_sessions(), 1);

    // Lookups.
    let vat: Vec<Decimal> = c
        .list_vat_rates()
        .await
        .unwrap()
        .iter()
        .map(|r| r.vat_rate)
        .collect();
    assert_eq!(vat, vec![d("20"), d("5"), d("0")]);
    let eur = c
        .list_currencies()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "EUR")
        .unwrap();
    assert_eq!(eur.exchange_rate, d("1.15"));
    let banks = c.list_bank_accounts().await.unwrap();
    assert_eq!(
        (banks[1].id, banks[1].code, banks[1].account_name.as_str()),
        (2, 1210, "Card Receipts")
    );
    let methods = c.list_payment_methods().await.unwrap();
    assert_eq!(
        methods.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    let nominals = c.list_nominals().await.unwrap();
    assert!(nominals
        .iter()
        .any(|n| n.code == 4999 && n.name == "Rounding"));
    assert_eq!(c.list_products().await.unwrap().len(), 12);
    let mug = c.get_product(4000, "MUG-CLASSIC").await.unwrap().unwrap();
    assert_eq!(
        (mug.price, mug.quantity_in_stock, mug.manage_stock_level),
        (d("8.33"), d("120"), true)
    );
    assert!(c.get_product(4000, "NO-SUCH").await.unwrap().is_none());
    assert!(c.get_product(4100, "MUG-CLASSIC").await.unwrap().is_none());

    // Customers.
    let created = c
        .create_customer(&customer("NOP000123", "ada@example.co.uk"))
        .await
        .unwrap();
    assert_eq!(created.code, "NOP000123");
    assert!(created.id.is_some());
    let got = c.get_customer("NOP000123").await.unwrap().unwrap();
    assert_eq!(got.contacts[0].first_name.as_deref(), Some("Ada"));
    assert!(c.get_customer("NOBODY").await.unwrap().is_none());
    let found = c
        .find_customers_by_email("ADA@example.co.uk")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(c
        .find_customers_by_email("nobody@example.com")
        .await
        .unwrap()
        .is_empty());
    let mut renamed = got.clone();
    renamed.name = "Ada King".into();
    assert_eq!(
        c.update_customer("NOP000123", &renamed).await.unwrap().name,
        "Ada King"
    );
    let codes = c.list_customers(1, 10).await.unwrap();
    assert_eq!(codes.total_records, Some(1));

    // Invoices: caller's number, totals, stock.
    let inv = c
        .create_invoice(&invoice(Some(100123), "NOP000123"))
        .await
        .unwrap();
    assert_eq!(inv.number, Some(100123));
    assert_eq!(inv.net_amount, Some(d("42.33")));
    assert_eq!(inv.vat_amount, Some(d("4.16")));
    assert_eq!(inv.gross_amount, Some(d("46.49")));
    assert_eq!(inv.status.as_deref(), Some("Outstanding"));
    assert_eq!(inv.customer_name.as_deref(), Some("Ada King"));
    let mug = c.get_product(4000, "MUG-CLASSIC").await.unwrap().unwrap();
    assert_eq!(mug.quantity_in_stock, d("118"));
    assert_eq!(
        c.get_invoice(100123).await.unwrap().unwrap().gross_amount,
        Some(d("46.49"))
    );
    assert!(c.get_invoice(999).await.unwrap().is_none());

    // Payment via GET + PUT.
    let paid = c
        .add_invoice_payment(100123, card_payment("46.49"))
        .await
        .unwrap();
    assert_eq!(paid.status.as_deref(), Some("Paid"));
    assert_eq!(paid.due_amount, Some(d("0")));
    assert_eq!(paid.payment_lines.as_ref().unwrap().len(), 1);
    assert_eq!(
        h.stock("MUG-CLASSIC"),
        Some(d("118")),
        "a PUT that keeps the lines keeps the stock"
    );

    // Auto numbering, list paging, next number.
    let auto = c.create_invoice(&invoice(None, "NOP000123")).await.unwrap();
    assert_eq!(auto.number, Some(100124));
    c.create_invoice(&invoice(None, "NOP000123")).await.unwrap();
    assert_eq!(c.next_invoice_number().await.unwrap(), 100126);
    let page = c.list_invoices(1, 2).await.unwrap();
    assert_eq!((page.items.len(), page.total_records), (2, Some(3)));
    assert!(page.next_page_url.is_some());
    assert!(
        page.items[0].line_items.is_none(),
        "list rows are summaries"
    );
    let last = c.list_invoices(2, 2).await.unwrap();
    assert_eq!(last.items.len(), 1);
    assert!(last.next_page_url.is_none());

    // Bulk payment over two invoices.
    let bulk = c
        .bulk_invoice_payments(&BulkPayment {
            date: date("2026-05-04 12:00:00"),
            account_id: 1,
            method: 3,
            comment: Some("BACS batch".into()),
            payment_items: vec![
                BulkPaymentItem {
                    amount: d("46.49"),
                    object_number: 100124,
                    ..BulkPaymentItem::default()
                },
                BulkPaymentItem {
                    amount: d("10.00"),
                    object_number: 100125,
                    ..BulkPaymentItem::default()
                },
            ],
            ..BulkPayment::default()
        })
        .await
        .unwrap();
    assert!(bulk.number.is_some());
    assert_eq!(h.invoice(100124).unwrap().status.as_deref(), Some("Paid"));
    assert_eq!(h.invoice(100125).unwrap().due_amount, Some(d("36.49")));

    // Update an invoice: one mug fewer gives one back to stock.
    let mut edit = c.get_invoice(100124).await.unwrap().unwrap();
    edit.line_items.as_mut().unwrap()[0].quantity = d("1");
    edit.line_items.as_mut().unwrap()[0].vat_amount = d("1.67");
    edit.payment_lines = Some(vec![]);
    let edited = c.update_invoice(100124, &edit).await.unwrap();
    assert_eq!(edited.gross_amount, Some(d("36.50")));
    assert_eq!(h.stock("MUG-CLASSIC"), Some(d("115")));

    // Delete gives all the stock back.
    c.delete_invoice(100124).await.unwrap();
    assert!(c.get_invoice(100124).await.unwrap().is_none());
    assert_eq!(h.stock("MUG-CLASSIC"), Some(d("116")));

    // Product stock set by hand.
    let mut mug = c.get_product(4000, "MUG-CLASSIC").await.unwrap().unwrap();
    mug.quantity_in_stock = d("500");
    assert_eq!(
        c.update_product(4000, "MUG-CLASSIC", &mug)
            .await
            .unwrap()
            .quantity_in_stock,
        d("500")
    );

    // The client's count is what the sandbox saw.
    assert_eq!(c.request_count(), h.total_calls());
    assert_eq!(c.request_counts()["login"], 2);
    c.logout().await.unwrap();
    assert!(!c.has_session().await);
    assert_eq!(h.live_sessions(), 0);
    h.shutdown().await;
}

#[tokio::test]
async fn list_products_walks_every_page() {
    let h = sandbox().await;
    h.with_account_mut(|a| {
        for i in 0..150 {
            a.create_product(
                &serde_json::json!({"Code": format!("BULK-{i:03}"), "NominalCode": 4000,
                "Name": format!("Bulk item {i}"), "Price": 1, "VATRate": 20}),
            )
            .unwrap();
        }
    });
    let c = client(fast(&h));
    let all = c.list_products().await.unwrap();
    assert_eq!(all.len(), 162);
    assert_eq!(h.calls("GET /products"), 2);
}

#[tokio::test]
async fn relogs_in_once_when_the_session_expires() {
    let h = sandbox().await;
    let c = client(fast(&h));
    c.list_vat_rates().await.unwrap();
    assert_eq!(h.calls("POST /sessiontoken"), 1);

    // Revoked on KashFlow's side.
    h.expire_sessions();
    c.list_vat_rates().await.unwrap();
    assert_eq!(h.calls("POST /sessiontoken"), 2);
    assert_eq!(h.responses_with_status(401), 1);

    // Idle for more than an hour (sandbox clock moved on; the client's margin not reached).
    h.advance_clock(Duration::from_secs(61 * 60));
    c.list_currencies().await.unwrap();
    assert_eq!(h.calls("POST /sessiontoken"), 3);
    assert_eq!(h.responses_with_status(401), 2);

    // The session expiring on demand (fault) is handled the same way.
    h.inject(FaultRule::new(FaultKind::ExpireSession).on("GET", "/bankaccounts"));
    assert_eq!(c.list_bank_accounts().await.unwrap().len(), 3);
    assert_eq!(h.calls("POST /sessiontoken"), 4);
    assert_eq!(h.responses_with_status(401), 3);

    // A write is resent after re-login too (a 401 means nothing was done).
    h.expire_sessions();
    c.create_customer(&customer("NOP000001", "a@example.com"))
        .await
        .unwrap();
    assert_eq!(h.calls("POST /customers"), 2);
    assert_eq!(h.customers().len(), 1);
}

#[tokio::test]
async fn refreshes_the_session_before_idle_expiry() {
    let h = sandbox().await;
    let c = client(ClientConfig {
        session_idle_timeout: Duration::from_millis(300),
        session_refresh_margin: Duration::from_millis(100),
        ..fast(&h)
    });
    c.list_vat_rates().await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    c.list_vat_rates().await.unwrap();
    assert_eq!(
        h.calls("POST /sessiontoken"),
        2,
        "logged in again before the token lapsed"
    );
    assert_eq!(h.responses_with_status(401), 0);
}

#[tokio::test]
async fn a_session_refused_after_relogin_is_an_auth_error_without_looping() {
    let h = sandbox().await;
    let c = client(fast(&h));
    c.login().await.unwrap();
    h.inject(
        FaultRule::new(FaultKind::ExpireSession)
            .on("GET", "/currencies")
            .always(),
    );
    let e = c.list_currencies().await.unwrap_err();
    assert_eq!(e.class(), FailureClass::Auth);
    assert_eq!(e.kashflow_code(), Some("InvalidSessionToken"));
    assert_eq!(h.calls("POST /sessiontoken"), 2, "exactly one re-login");
    assert_eq!(h.calls("GET /currencies"), 2);
}

#[tokio::test]
async fn bad_credentials_and_lockout_are_auth_errors_and_never_retried() {
    let h = sandbox().await;
    let mut cfg = fast(&h);
    cfg.password = Secret::new("wrong-password");
    cfg.read_retries = 5;
    let c = client(cfg);
    let e = c.list_vat_rates().await.unwrap_err();
    assert_eq!(e.class(), FailureClass::Auth);
    assert_eq!(e.kashflow_code(), Some("InvalidCredentials"));
    assert_eq!(h.calls("POST /sessiontoken"), 1, "no login loop");

    let mut cfg = fast(&h);
    cfg.memorable_word = Secret::new("wrongword");
    let c = client(cfg);
    let e = c.login().await.unwrap_err();
    assert_eq!(
        (e.class(), e.kashflow_code()),
        (FailureClass::Auth, Some("InvalidCredentials"))
    );

    for _ in 0..3 {
        let _ = c.login().await;
    }
    assert!(h.is_locked());
    let good = client(fast(&h));
    let e = good.login().await.unwrap_err();
    assert_eq!(
        (e.class(), e.kashflow_code()),
        (FailureClass::Auth, Some("AccountLocked"))
    );

    let mut cfg = fast(&h);
    cfg.memorable_word = Secret::new("ab");
    h.unlock_account();
    let e = client(cfg).login().await.unwrap_err();
    assert_eq!(e.class(), FailureClass::Auth);
    assert!(e.to_string().contains("memorable word"), "{e}");
}

#[tokio::test]
async fn validation_refusals_are_permanent_and_keep_kashflows_message() {
    let h = sandbox().await;
    let c = client(fast(&h));
    c.create_customer(&customer("NOP000001", "a@example.com"))
        .await
        .unwrap();
    c.create_invoice(&invoice(Some(5), "NOP000001"))
        .await
        .unwrap();
    let e = c
        .create_invoice(&invoice(Some(5), "NOP000001"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::Permanent);
    assert_eq!(e.kashflow_code(), Some("DuplicateInvoiceNumber"));
    assert_eq!(e.status(), Some(400));
    assert!(
        e.to_string().contains("invoice number 5 already exists"),
        "{e}"
    );
    let e = c
        .create_invoice(&invoice(None, "NOBODY"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class(), e.kashflow_code()),
        (FailureClass::Permanent, Some("InvalidCustomerCode"))
    );
    let e = c
        .update_invoice(77, &invoice(None, "NOP000001"))
        .await
        .unwrap_err();
    assert!(matches!(e, KfError::NotFound { .. }));
    assert_eq!(e.class(), FailureClass::Permanent);
    let e = c
        .add_invoice_payment(77, card_payment("1.00"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::Permanent);
}

async fn prepared() -> (SandboxHandle, KashFlowClient) {
    let h = sandbox().await;
    let c = client(fast(&h));
    c.create_customer(&customer("NOP000001", "a@example.com"))
        .await
        .unwrap();
    c.create_invoice(&invoice(Some(1), "NOP000001"))
        .await
        .unwrap();
    (h, c)
}

#[tokio::test]
async fn server_errors_are_retryable_on_reads_and_outcome_unknown_on_writes() {
    let (h, c) = prepared().await;
    h.inject(FaultRule::new(FaultKind::ServerError).on("GET", "/invoices/{number}"));
    let e = c.get_invoice(1).await.unwrap_err();
    assert!(matches!(e, KfError::Server { status: 500, .. }), "{e:?}");
    assert_eq!(e.class(), FailureClass::Retryable);

    h.inject(FaultRule::new(FaultKind::ServerError).on("POST", "/invoices"));
    let e = c
        .create_invoice(&invoice(Some(2), "NOP000001"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::OutcomeUnknown);
    assert!(h.invoice(2).is_none(), "a plain 500 processed nothing");
    assert_eq!(
        h.calls("POST /invoices"),
        2,
        "writes are not retried by the client"
    );

    // Reads are retried a bounded number of times.
    let retrying = client(ClientConfig {
        read_retries: 2,
        ..fast(&h)
    });
    h.inject(
        FaultRule::new(FaultKind::ServerError)
            .on("GET", "/invoices/{number}")
            .times(2),
    );
    assert!(retrying.get_invoice(1).await.unwrap().is_some());
    h.inject(
        FaultRule::new(FaultKind::ServerError)
            .on("GET", "/invoices/{number}")
            .times(3),
    );
    let before = h.calls("GET /invoices/{number}");
    assert_eq!(
        retrying.get_invoice(1).await.unwrap_err().class(),
        FailureClass::Retryable
    );
    assert_eq!(h.calls("GET /invoices/{number}") - before, 3);
}

#[tokio::test]
async fn commit_then_fail_leaves_the_write_done_and_the_outcome_unknown() {
    let (h, c) = prepared().await;
    h.inject(FaultRule::new(FaultKind::CommitThenServerError).on("POST", "/invoices"));
    let e = c
        .create_invoice(&invoice(Some(2), "NOP000001"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::OutcomeUnknown);
    assert!(h.invoice(2).is_some(), "the write happened");

    h.inject(FaultRule::new(FaultKind::CommitThenDrop).on("POST", "/invoices"));
    let e = c
        .create_invoice(&invoice(Some(3), "NOP000001"))
        .await
        .unwrap_err();
    assert!(matches!(e, KfError::ConnectionLost { .. }), "{e:?}");
    assert_eq!(e.class(), FailureClass::OutcomeUnknown);
    // Look before writing again: the invoice is there.
    assert!(c.get_invoice(3).await.unwrap().is_some());

    h.inject(FaultRule::new(FaultKind::CommitThenDrop).on("PUT", "/invoices/{number}"));
    let e = c
        .add_invoice_payment(1, card_payment("10.00"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::OutcomeUnknown);
    assert_eq!(h.invoice(1).unwrap().total_paid_amount, Some(d("10.00")));
}

#[tokio::test]
async fn dropped_connections_before_processing() {
    let (h, c) = prepared().await;
    h.inject(FaultRule::new(FaultKind::DropConnection).on("GET", "/invoices/{number}"));
    let e = c.get_invoice(1).await.unwrap_err();
    assert!(matches!(e, KfError::ConnectionLost { .. }), "{e:?}");
    assert_eq!(e.class(), FailureClass::Retryable);
    h.inject(FaultRule::new(FaultKind::DropConnection).on("POST", "/invoices"));
    let e = c
        .create_invoice(&invoice(Some(2), "NOP000001"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::OutcomeUnknown);
    assert!(h.invoice(2).is_none());
}

#[tokio::test]
async fn sql_timeouts_are_retryable_reads_and_unknown_writes() {
    let (h, c) = prepared().await;
    h.inject(FaultRule::new(FaultKind::SqlTimeout).on("GET", "/invoices/{number}"));
    let e = c.get_invoice(1).await.unwrap_err();
    assert!(matches!(e, KfError::SqlTimeout { .. }), "{e:?}");
    assert_eq!(e.class(), FailureClass::Retryable);
    assert_eq!(e.kashflow_code(), Some("-2146232060"));
    h.inject(FaultRule::new(FaultKind::SqlTimeout).on("POST", "/invoices"));
    let e = c
        .create_invoice(&invoice(Some(2), "NOP000001"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::OutcomeUnknown);
    let retrying = client(ClientConfig {
        read_retries: 1,
        ..fast(&h)
    });
    h.inject(FaultRule::new(FaultKind::SqlTimeout).on("GET", "/invoices/{number}"));
    assert!(retrying.get_invoice(1).await.unwrap().is_some());
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() {
    let (h, c) = prepared().await;
    h.inject(
        FaultRule::new(FaultKind::RateLimited {
            retry_after_secs: 7,
        })
        .on("POST", "/invoices"),
    );
    let e = c
        .create_invoice(&invoice(Some(2), "NOP000001"))
        .await
        .unwrap_err();
    assert_eq!(
        e.class(),
        FailureClass::Retryable,
        "a 429 processed nothing"
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));

    // A read asked to wait longer than the client's backoff cap comes back at once.
    let retrying = client(ClientConfig {
        read_retries: 3,
        ..fast(&h)
    });
    h.inject(
        FaultRule::new(FaultKind::RateLimited {
            retry_after_secs: 7,
        })
        .on("GET", "/invoices/{number}"),
    );
    let before = h.calls("GET /invoices/{number}");
    let e = retrying.get_invoice(1).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(h.calls("GET /invoices/{number}") - before, 1);

    // Retry-After: 0 is waited for and retried.
    h.inject(
        FaultRule::new(FaultKind::RateLimited {
            retry_after_secs: 0,
        })
        .on("GET", "/invoices/{number}"),
    );
    assert!(retrying.get_invoice(1).await.unwrap().is_some());
}

#[tokio::test]
async fn slow_answers_time_out_and_a_slow_write_still_happens() {
    let (h, _) = prepared().await;
    let c = client(ClientConfig {
        timeout: Duration::from_millis(300),
        ..fast(&h)
    });
    c.login().await.unwrap();
    h.inject(
        FaultRule::new(FaultKind::Delay(Duration::from_millis(900)))
            .on("GET", "/invoices/{number}"),
    );
    let e = c.get_invoice(1).await.unwrap_err();
    assert!(matches!(e, KfError::Timeout { .. }), "{e:?}");
    assert_eq!(e.class(), FailureClass::Retryable);

    h.inject(FaultRule::new(FaultKind::Delay(Duration::from_millis(600))).on("POST", "/customers"));
    let e = c
        .create_customer(&customer("NOP000009", "slow@example.com"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::OutcomeUnknown);
    let mut seen = false;
    for _ in 0..50 {
        if c.get_customer("NOP000009").await.unwrap().is_some() {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen, "the slow create was applied after the client gave up");
}

#[tokio::test]
async fn connection_refused_is_retryable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = ClientConfig::new(format!("http://127.0.0.1:{port}/v2"));
    cfg.username = "sandbox".into();
    cfg.password = Secret::new("x");
    cfg.memorable_word = Secret::new("xyz");
    let e = client(ClientConfig {
        read_retries: 0,
        ..cfg
    })
    .login()
    .await
    .unwrap_err();
    assert!(matches!(e, KfError::Connect { .. }), "{e:?}");
    assert_eq!(e.class(), FailureClass::Retryable);
}

#[tokio::test]
async fn reads_survive_random_faults_with_retries() {
    let (h, _) = prepared().await;
    h.set_random_faults(Some(RandomFaults {
        rate: 0.3,
        kinds: vec![
            FaultKind::ServerError,
            FaultKind::DropConnection,
            FaultKind::SqlTimeout,
            FaultKind::RateLimited {
                retry_after_secs: 0,
            },
        ],
        seed: 7,
        include_login: false,
    }));
    let c = client(ClientConfig {
        read_retries: 10,
        ..fast(&h)
    });
    for _ in 0..30 {
        assert_eq!(c.get_invoice(1).await.unwrap().unwrap().number, Some(1));
    }
    let faulted = h.requests().iter().filter(|r| r.fault.is_some()).count();
    assert!(faulted > 0, "faults were injected");
    assert_eq!(
        c.request_count(),
        h.total_calls() - 4,
        "all but the set-up calls were this client's"
    );
}

#[tokio::test]
async fn rate_limiter_spaces_requests() {
    let h = sandbox().await;
    let c = std::sync::Arc::new(client(ClientConfig {
        requests_per_second: 20,
        ..fast(&h)
    }));
    c.login().await.unwrap();
    let start = std::time::Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.list_vat_rates().await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // 8 requests at 20/s: the last may not start before 7 intervals have passed.
    assert!(
        start.elapsed() >= Duration::from_millis(7 * 50 - 10),
        "{:?}",
        start.elapsed()
    );
    // The sandbox saw the last request no earlier than its slot.
    let last = h.requests().iter().map(|r| r.at).max().unwrap();
    assert!(last - start >= Duration::from_millis(7 * 50 - 10));
}

#[tokio::test]
async fn secrets_never_appear_in_debug_errors_or_logs() {
    let settings = AuthSettings {
        username: "shop-admin".into(),
        password: Secret::new("Pa55-very-secret"),
        memorable_word: Secret::new("zebracrossing"),
        ..AuthSettings::default()
    };
    let h = SandboxServer::start(SandboxConfig {
        auth: settings,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    // A process-wide subscriber: a thread-scoped one (`set_default`) misses events whose callsite
    // interest another test thread cached first, which made this test flaky under parallel runs.
    let logs = capture::global();

    let c = client(ClientConfig {
        timeout: Duration::from_millis(300),
        ..fast(&h)
    });
    let mut out = vec![
        format!("{c:?}"),
        format!("{:?}", c.config()),
        format!("{:#?}", c.config()),
    ];
    c.create_customer(&customer("NOP000001", "a@example.com"))
        .await
        .unwrap();
    let tokens = h.session_tokens();
    assert_eq!(tokens.len(), 1);
    out.push(format!("{c:?}"));

    let mut errors: Vec<KfError> = Vec::new();
    errors.push(
        c.create_customer(&customer("NOP000001", "a@example.com"))
            .await
            .unwrap_err(),
    );
    errors.push(
        c.update_invoice(5, &invoice(None, "NOP000001"))
            .await
            .unwrap_err(),
    );
    for kind in [
        FaultKind::ServerError,
        FaultKind::SqlTimeout,
        FaultKind::RateLimited {
            retry_after_secs: 3,
        },
        FaultKind::DropConnection,
        FaultKind::Delay(Duration::from_millis(700)),
    ] {
        h.fail_next(1, kind);
        errors.push(c.list_vat_rates().await.unwrap_err());
    }
    h.inject(FaultRule::new(FaultKind::ExpireSession).always());
    errors.push(c.list_vat_rates().await.unwrap_err());
    h.clear_faults();
    let mut wrong = fast(&h);
    wrong.password = Secret::new("Pa55-very-secreT");
    errors.push(client(wrong).login().await.unwrap_err());
    errors.push(KashFlowClient::new(ClientConfig::new("nope")).unwrap_err());
    errors.push(KfError::Decode {
        request: "GET /x".into(),
        detail: "bad".into(),
        kind: kashflow_sync::kashflow::error::RequestKind::Read,
    });
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut refused = fast(&h);
    refused.base_url = format!("http://127.0.0.1:{closed}/v2");
    errors.push(client(refused).login().await.unwrap_err());

    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '{', '('])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    for k in [
        "Rejected",
        "NotFound",
        "Server",
        "SqlTimeout",
        "RateLimited",
        "ConnectionLost",
        "Timeout",
        "Auth",
        "Config",
        "Decode",
        "Connect",
    ] {
        assert!(kinds.contains(k), "error kind {k} exercised: {kinds:?}");
    }
    for e in &errors {
        out.push(format!("{e}"));
        out.push(format!("{e:?}"));
    }
    out.push(logs.text());
    let text = out.join("\n");
    assert!(
        logs.text().contains("logging in again"),
        "logs were captured"
    );
    let mut secrets = vec![
        "Pa55-very-secret".to_owned(),
        "zebracrossing".to_owned(),
        "Pa55-very-secreT".to_owned(),
    ];
    secrets.extend(tokens.iter().map(|t| t.expose().to_owned()));
    secrets.extend(h.session_tokens().iter().map(|t| t.expose().to_owned()));
    for s in &secrets {
        assert!(
            !text.to_lowercase().contains(&s.to_lowercase()),
            "secret leaked into output"
        );
    }
}

/// A minimal tracing subscriber that keeps every event's fields as text.
mod capture {
    use std::fmt::Write;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Clone, Default)]
    pub struct Logs(Arc<Mutex<String>>);

    /// The one capturing subscriber of this test binary, installed on first use.
    pub fn global() -> Logs {
        static LOGS: std::sync::OnceLock<Logs> = std::sync::OnceLock::new();
        LOGS.get_or_init(|| {
            let logs = Logs::default();
            tracing::subscriber::set_global_default(logs.clone())
                .expect("no other global subscriber in this test binary");
            logs
        })
        .clone()
    }

    impl Logs {
        pub fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
    }

    struct Fields<'a>(&'a mut String);

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let _ = write!(self.0, "{}={:?} ", field.name(), value);
        }
    }

    impl Subscriber for Logs {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            values.record(&mut Fields(&mut self.0.lock().unwrap()));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut s = self.0.lock().unwrap();
            event.record(&mut Fields(&mut s));
            s.push('\n');
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}
