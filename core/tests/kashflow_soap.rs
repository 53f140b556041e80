//! The SOAP client against the sandbox's SOAP API over real HTTP on 127.0.0.1, over the same
//! books as REST: write through SOAP and read back through REST (and the other way), the Status
//! convention, login and IP refusals, faults, escaping and the supplied-invoice-number switch.

use std::time::Duration;

use kashflow_sync::backoff::Backoff;
use kashflow_sync::kashflow::model::{
    Contact, Customer, Invoice, InvoiceCurrency, LineItem, PaymentLine,
};
use kashflow_sync::kashflow::sandbox::{
    FaultKind, FaultRule, SandboxConfig, SandboxHandle, SandboxServer,
};
use kashflow_sync::kashflow::soap::{
    SoapAssumptions, SoapClient, SoapConfig, SuppliedInvoiceNumber,
};
use kashflow_sync::kashflow::transport::Transport;
use kashflow_sync::kashflow::wire::KfDateTime;
use kashflow_sync::kashflow::{FailureClass, KashFlowClient, KfError, Secret};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn sandbox() -> SandboxHandle {
    SandboxServer::start(SandboxConfig {
        rng_seed: Some(5),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn fast(h: &SandboxHandle) -> SoapConfig {
    SoapConfig {
        requests_per_second: 0,
        read_retries: 0,
        backoff: Backoff::new(Duration::from_millis(1), Duration::from_millis(20)),
        timeout: Duration::from_secs(10),
        ..h.soap_config()
    }
}

fn customer(code: &str, email: &str, name: &str) -> Customer {
    Customer {
        code: code.into(),
        name: name.into(),
        email: Some(email.into()),
        contacts: vec![Contact {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            email: Some(email.into()),
            ..Contact::default()
        }],
        ..Customer::default()
    }
}

fn invoice(code: &str, reference: &str) -> Invoice {
    Invoice {
        customer_code: code.into(),
        customer_reference: Some(reference.into()),
        issued_date: Some(KfDateTime::parse("2024-05-01 12:00:00").unwrap()),
        currency: Some(InvoiceCurrency {
            code: "GBP".into(),
            exchange_rate: d("1"),
            ..Default::default()
        }),
        line_items: Some(vec![LineItem {
            description: "Blue widget <b> & co".into(),
            quantity: d("2"),
            rate: d("10.00"),
            vat_level: d("20"),
            vat_amount: d("4.00"),
            nominal_code: 4000,
            ..LineItem::default()
        }]),
        ..Invoice::default()
    }
}

#[tokio::test]
async fn soap_writes_are_read_back_through_rest_on_the_same_books() {
    let h = sandbox().await;
    let soap = SoapClient::new(fast(&h)).unwrap();
    let rest = KashFlowClient::new(h.client_config()).unwrap();

    let c = soap
        .insert_customer(&customer("NOP000042", "ada@example.com", "Ada & <Sons>"))
        .await
        .unwrap();
    assert!(c.id.unwrap() > 0);
    let via_rest = rest.get_customer("NOP000042").await.unwrap().unwrap();
    assert_eq!(
        via_rest.name, "Ada & <Sons>",
        "escaped on the wire, plain in the books"
    );
    let by_email = Transport::find_customers_by_email(&soap, "ADA@example.com")
        .await
        .unwrap();
    assert_eq!(by_email.len(), 1);
    assert!(
        Transport::find_customers_by_email(&soap, "nobody@example.com")
            .await
            .unwrap()
            .is_empty()
    );

    let created = Transport::create_invoice(&soap, &invoice("NOP000042", "nop-1001"))
        .await
        .unwrap();
    let n = created.number.unwrap();
    let line = PaymentLine {
        date: Some(KfDateTime::parse("2024-05-02 12:00:00").unwrap()),
        amount: d("24.00"),
        method: 2,
        account_id: 1,
        note: Some("nopCommerce order 1001 paid by card".into()),
        ..PaymentLine::default()
    };
    Transport::add_payment(&soap, &created, &line)
        .await
        .unwrap();

    let r = rest.get_invoice(n).await.unwrap().unwrap();
    assert_eq!(r.customer_reference.as_deref(), Some("nop-1001"));
    assert_eq!(
        r.line_items.as_ref().unwrap()[0].description,
        "Blue widget <b> & co"
    );
    assert_eq!(
        (r.gross_amount, r.due_amount),
        (Some(d("24")), Some(d("0")))
    );
    assert_eq!(r.payment_lines.as_ref().unwrap().len(), 1);

    let s = soap.invoice(n).await.unwrap().unwrap();
    assert_eq!(s.customer_code, "NOP000042");
    assert_eq!(
        (s.gross_amount, s.due_amount),
        (Some(d("24")), Some(d("0")))
    );
    assert_eq!(s.payment_lines.as_ref().unwrap()[0].note, line.note);
    assert_eq!(s.line_items.as_ref().unwrap()[0].nominal_code, 4000);
    let found = soap
        .invoice_by_reference("NOP000042", " NOP-1001 ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.number, Some(n));
    assert!(soap
        .invoice_by_reference("NOP000042", "nop-9")
        .await
        .unwrap()
        .is_none());
    assert!(soap.invoice(n + 50).await.unwrap().is_none());

    // REST writes are seen through SOAP too.
    let mut rest_inv = invoice("NOP000042", "nop-1002");
    rest_inv.number = None;
    let made = rest.create_invoice(&rest_inv).await.unwrap();
    let seen = soap.invoice(made.number.unwrap()).await.unwrap().unwrap();
    assert_eq!(seen.customer_reference.as_deref(), Some("nop-1002"));

    let facts = Transport::account_facts(&soap).await.unwrap();
    assert_eq!(facts.vat_registered, Some(true));
    assert_eq!(facts.home_currency.as_deref(), Some("GBP"));
    assert!(facts.currencies.contains(&"EUR".to_string()));
    assert!(!facts.bank_accounts.is_empty());
    assert!(h.calls("POST /api/service.asmx:InsertInvoice") == 1);
}

#[tokio::test]
async fn bad_login_and_ip_refusals_say_what_to_change_and_never_show_the_password() {
    let h = sandbox().await;
    let mut cfg = fast(&h);
    cfg.password = Secret::new("wrong-pass-123".to_string());
    let bad = SoapClient::new(cfg).unwrap();
    let e = Transport::login(&bad).await.unwrap_err();
    assert_eq!(e.class(), FailureClass::Auth);
    let text = format!("{e} {e:?} {bad:?}");
    assert!(text.contains("Settings → API"), "{text}");
    assert!(!text.contains("wrong-pass-123"), "{text}");

    h.set_soap_allowed_ips(Some(vec!["10.0.0.9".into()]));
    let good = SoapClient::new(fast(&h)).unwrap();
    let e = Transport::login(&good).await.unwrap_err();
    assert!(
        matches!(&e, KfError::Auth { code, .. } if code == "IpNotAllowed"),
        "{e}"
    );
    assert!(e.to_string().contains("127.0.0.1"), "{e}");
    h.set_soap_allowed_ips(Some(vec!["127.0.0.1".into()]));
    Transport::login(&good).await.unwrap();
}

#[tokio::test]
async fn faults_reach_soap_and_are_classified_like_rest() {
    let h = sandbox().await;
    let soap = SoapClient::new(fast(&h)).unwrap();
    soap.insert_customer(&customer("C1", "c1@example.com", "C One"))
        .await
        .unwrap();

    h.inject(FaultRule::new(FaultKind::ServerError).on("POST", "/api/service.asmx:InsertInvoice"));
    let e = Transport::create_invoice(&soap, &invoice("C1", "r1"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::OutcomeUnknown, "{e}");
    assert!(h.invoices().is_empty(), "a plain 500 processes nothing");

    h.inject(
        FaultRule::new(FaultKind::CommitThenDrop).on("POST", "/api/service.asmx:InsertInvoice"),
    );
    let e = Transport::create_invoice(&soap, &invoice("C1", "r2"))
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::OutcomeUnknown, "{e}");
    assert_eq!(h.invoices().len(), 1, "committed, answer lost");
    assert!(soap
        .invoice_by_reference("C1", "r2")
        .await
        .unwrap()
        .is_some());

    h.inject(FaultRule::new(FaultKind::SqlTimeout).on("POST", "/api/service.asmx:GetInvoice"));
    let e = soap.invoice(1).await.unwrap_err();
    assert_eq!(
        e.class(),
        FailureClass::Retryable,
        "a NO with the SQL timeout: {e}"
    );

    h.inject(
        FaultRule::new(FaultKind::DropConnection).on("POST", "/api/service.asmx:GetCurrencies"),
    );
    assert_eq!(
        Transport::login(&soap).await.unwrap_err().class(),
        FailureClass::Retryable
    );

    // A validation NO is permanent; the text is the sandbox's.
    let mut bad = invoice("C1", "r3");
    bad.line_items.as_mut().unwrap()[0].vat_amount = d("9.99");
    let e = Transport::create_invoice(&soap, &bad).await.unwrap_err();
    assert_eq!(e.class(), FailureClass::Permanent, "{e}");
}

#[tokio::test]
async fn the_supplied_number_switch_decides_what_is_sent_and_what_the_sandbox_does() {
    let h = sandbox().await;
    let soap = SoapClient::new(fast(&h)).unwrap();
    soap.insert_customer(&customer("C1", "c1@example.com", "C One"))
        .await
        .unwrap();
    // Default (Overwrites): our number is never sent.
    let mut ours = invoice("C1", "r1");
    ours.number = Some(500);
    let made = Transport::create_invoice(&soap, &ours).await.unwrap();
    assert_eq!(made.number, Some(1));
    assert!(!soap.enforces_our_invoice_numbers());

    h.set_soap_assumptions(SoapAssumptions {
        supplied_invoice_number: SuppliedInvoiceNumber::Refused,
        ..SoapAssumptions::default()
    });
    let strict = SoapClient::new(fast(&h)).unwrap();
    assert!(strict.enforces_our_invoice_numbers());
    let made = Transport::create_invoice(&strict, &ours).await.unwrap();
    assert_eq!(made.number, Some(500));
    let e = Transport::create_invoice(&strict, &ours).await.unwrap_err();
    assert_eq!(e.class(), FailureClass::Permanent);
    assert!(e.to_string().contains("already exists"), "{e}");
}

#[tokio::test]
async fn credit_notes_are_applied_by_internal_ids_and_show_as_allocations() {
    let h = sandbox().await;
    let soap = SoapClient::new(fast(&h)).unwrap();
    soap.insert_customer(&customer("C1", "c1@example.com", "C One"))
        .await
        .unwrap();
    let inv = Transport::create_invoice(&soap, &invoice("C1", "r1"))
        .await
        .unwrap();
    let inv = soap.invoice(inv.number.unwrap()).await.unwrap().unwrap();
    let mut note = invoice("C1", "CN-1-1");
    let l = &mut note.line_items.as_mut().unwrap()[0];
    l.quantity = d("1");
    l.rate = d("-10.00");
    l.vat_amount = d("-2.00");
    let note = Transport::create_invoice(&soap, &note).await.unwrap();
    assert!(
        note.id.is_some(),
        "a credit note is read back for its internal id"
    );
    let app = kashflow_sync::kashflow::credit_note::application(
        note.id.unwrap(),
        d("12"),
        note.issued_date.unwrap(),
        "x".into(),
    );
    Transport::apply_credit_note(&soap, &inv, &note, &app)
        .await
        .unwrap();
    let after = soap.invoice(inv.number.unwrap()).await.unwrap().unwrap();
    assert_eq!(after.due_amount, Some(d("12")));
    let alloc: Vec<_> = kashflow_sync::kashflow::credit_note::allocations(&after).collect();
    assert_eq!(alloc.len(), 1);
    assert_eq!(alloc[0].amount, d("12"));
    // Nothing left to apply: NO, permanent.
    let e = Transport::apply_credit_note(&soap, &inv, &note, &app)
        .await
        .unwrap_err();
    assert_eq!(e.class(), FailureClass::Permanent);
}

#[tokio::test]
async fn unreadable_requests_are_soap_faults() {
    let h = sandbox().await;
    let http = reqwest::Client::new();
    let r = http
        .post(h.soap_url())
        .header("SOAPAction", "\"KashFlow/NoSuchOp\"")
        .body("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><NoSuchOp xmlns=\"KashFlow\"/></soap:Body></soap:Envelope>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(r.text().await.unwrap().contains("did not recognize"));
    let r = http
        .post(h.soap_url())
        .header("SOAPAction", "\"KashFlow/GetCurrencies\"")
        .body("<not xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(r.text().await.unwrap().contains("unable to read request"));
}

#[tokio::test]
async fn customers_and_invoices_are_updated_and_payments_deleted_over_soap() {
    let h = sandbox().await;
    let soap = SoapClient::new(fast(&h)).unwrap();
    let rest = KashFlowClient::new(h.client_config()).unwrap();
    let c = soap
        .insert_customer(&customer("C9", "c9@example.com", "Old Name"))
        .await
        .unwrap();
    soap.update_customer(&Customer {
        name: "New Name".into(),
        ..c
    })
    .await
    .unwrap();
    assert_eq!(
        rest.get_customer("C9").await.unwrap().unwrap().name,
        "New Name"
    );

    let made = Transport::create_invoice(&soap, &invoice("C9", "r9"))
        .await
        .unwrap();
    let n = made.number.unwrap();
    let line = PaymentLine {
        date: Some(KfDateTime::parse("2024-05-02 12:00:00").unwrap()),
        amount: d("10.00"),
        method: 2,
        account_id: 1,
        ..PaymentLine::default()
    };
    Transport::add_payment(&soap, &made, &line).await.unwrap();
    let mut changed = invoice("C9", "r9-changed");
    changed.number = Some(n);
    changed.line_items.as_mut().unwrap()[0].quantity = d("3");
    changed.line_items.as_mut().unwrap()[0].vat_amount = d("6.00");
    soap.update_invoice(&changed).await.unwrap();
    let after = rest.get_invoice(n).await.unwrap().unwrap();
    assert_eq!(after.customer_reference.as_deref(), Some("r9-changed"));
    assert_eq!(after.gross_amount, Some(d("36")));
    assert_eq!(
        after.payment_lines.as_ref().unwrap().len(),
        1,
        "payments stay"
    );
    let pay_id = soap.invoice_payments(n).await.unwrap()[0].id.unwrap();
    soap.delete_payment(n, pay_id).await.unwrap();
    assert!(rest
        .get_invoice(n)
        .await
        .unwrap()
        .unwrap()
        .payment_lines
        .unwrap_or_default()
        .is_empty());
    let e = soap.delete_payment(n, pay_id).await.unwrap_err();
    assert!(matches!(e, KfError::NotFound { .. }), "{e}");
    // The lookups the engine may use.
    assert!(!soap.payment_methods().await.unwrap().is_empty());
    assert!(soap.vat_rates().await.unwrap().contains(&d("20")));
    assert!(soap
        .products()
        .await
        .unwrap()
        .iter()
        .any(|p| p.code == "MUG-CLASSIC"));
}
