//! Golden refund fixtures (`core/fixtures/refunds/`, worked out by hand in its README): each
//! posted invoice and its events give exactly the expected credit notes, and the sandbox
//! KashFlow takes each one — created, applied to the invoice and paid back — to the penny.

use std::path::{Path, PathBuf};

use chrono::Utc;
use kashflow_sync::engine::{CreditRequest, OrderEvent};
use kashflow_sync::kashflow::credit_note::{
    application, credit_left, credit_total, refund_payment_line,
};
use kashflow_sync::kashflow::model::{Invoice, LineItem};
use kashflow_sync::kashflow::sandbox::state::Account;
use kashflow_sync::kashflow::wire::KfDateTime;
use kashflow_sync::mapping::MappingRules;
use kashflow_sync::sync::credit_note::{
    credit_note_request, credit_reference, line_description, preview_credit_note, uk_date, want_for,
};
use kashflow_sync::sync::credit_plan::plan;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Fixture {
    custom_order_number: String,
    order_total: Decimal,
    payment_method_system_name: String,
    invoice: Value,
    events: Vec<Value>,
    expected: Vec<Expected>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Expected {
    number: i64,
    customer_reference: String,
    issued_date: String,
    #[serde(default)]
    currency: Option<String>,
    total: Decimal,
    applied: Decimal,
    paid_back: Decimal,
    line_items: Vec<LineItem>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/refunds")
}

fn fixtures() -> Vec<(String, Fixture)> {
    let mut out: Vec<(String, Fixture)> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let f: Fixture = serde_json::from_slice(&std::fs::read(&p).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, f)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// What a line says: description, quantity, rate, VAT level, VAT, nominal, product code.
type LineKey = (
    String,
    Decimal,
    Decimal,
    Decimal,
    Decimal,
    i64,
    Option<String>,
);

fn lines_key(lines: &[LineItem]) -> Vec<LineKey> {
    lines
        .iter()
        .map(|l| {
            (
                l.description.clone(),
                l.quantity.normalize(),
                l.rate.normalize(),
                l.vat_level.normalize(),
                l.vat_amount.normalize(),
                l.nominal_code,
                l.product_code.clone(),
            )
        })
        .collect()
}

#[test]
fn every_refund_fixture_is_listed_in_the_readme() {
    let readme = std::fs::read_to_string(dir().join("README.md")).unwrap();
    let names: Vec<String> = fixtures().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    for n in names {
        assert!(
            readme.contains(&format!("`{n}`")),
            "{n} is not in the README"
        );
    }
}

#[test]
fn each_fixture_gives_exactly_the_hand_worked_credit_notes_and_kashflow_takes_them() {
    let rules = MappingRules::default();
    let home = rules.currency.home_currency.clone();
    for (name, f) in fixtures() {
        // The sandbox KashFlow holds the invoice as it was posted.
        let mut kf = Account::seeded();
        let code = f.invoice["CustomerCode"].as_str().unwrap().to_string();
        kf.create_customer(&serde_json::json!({"Code": code, "Name": format!("Customer {code}")}))
            .unwrap();
        let posted = kf
            .create_invoice(&f.invoice)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let stock_after_invoice: Vec<(String, Option<Decimal>)> = ["MUG-CLASSIC", "HOODIE-NAVY-L"]
            .iter()
            .map(|c| (c.to_string(), kf.product(c).map(|p| p.quantity_in_stock)))
            .collect();
        assert_eq!(f.events.len(), f.expected.len(), "{name}");
        let mut earlier: Vec<Invoice> = Vec::new();
        for (i, (event, want)) in f.events.iter().zip(&f.expected).enumerate() {
            let event = OrderEvent::from_value(event).unwrap();
            let mut req = CreditRequest::for_event(&event, Utc::now()).unwrap();
            req.seq = i as u32 + 1;
            let invoice = kf.invoice(posted.number.unwrap()).unwrap().clone();

            // The preview says the same as the plan below.
            let preview = preview_credit_note(
                &invoice,
                &earlier,
                &req,
                Some(f.order_total),
                &f.custom_order_number,
                &home,
            )
            .unwrap();
            assert_eq!(
                preview["CreditNoteNumber"],
                serde_json::json!(want.number),
                "{name}"
            );

            let p = plan(
                &invoice,
                &earlier,
                want_for(&req, Some(f.order_total), &invoice, &home),
                &line_description(req.cause, &f.custom_order_number),
            )
            .unwrap();
            assert_eq!(p.total, want.total, "{name} #{}", i + 1);
            assert_eq!(
                lines_key(&p.lines),
                lines_key(&want.line_items),
                "{name} #{}",
                i + 1
            );
            let reference = credit_reference(invoice.number.unwrap(), req.seq);
            assert_eq!(reference, want.customer_reference);
            let date = uk_date(req.date_utc);
            assert_eq!(date.to_string(), want.issued_date, "{name}");
            let request = credit_note_request(&invoice, want.number, reference, date, &p);

            // KashFlow (the sandbox, strictly) takes it.
            let cn = kf
                .create_invoice(&serde_json::to_value(&request).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(cn.doc_type.as_deref(), Some("CreditNote"));
            assert_eq!(credit_total(&cn), want.total, "{name}");
            assert_eq!(
                cn.currency.as_ref().unwrap().code,
                want.currency.clone().unwrap_or_else(|| home.clone())
            );
            // Apply what the invoice still owes.
            let owed = invoice.due_amount.unwrap();
            let applied = owed.min(credit_left(&cn));
            if applied > Decimal::ZERO {
                kf.apply_credit(
                    invoice.id.unwrap(),
                    &serde_json::to_value(application(
                        cn.id.unwrap(),
                        applied,
                        KfDateTime::from_date(date),
                        "c".into(),
                    ))
                    .unwrap(),
                )
                .unwrap();
            }
            assert_eq!(applied, want.applied, "{name}");
            // Money back: what is left, on the original method's bank account.
            let mut paid_back = Decimal::ZERO;
            if req.money_back {
                let m = rules
                    .payment_mapping(&f.payment_method_system_name)
                    .unwrap();
                let mut doc = kf.invoice(want.number).unwrap().clone();
                paid_back = credit_left(&doc);
                doc.payment_lines
                    .get_or_insert_with(Vec::new)
                    .push(refund_payment_line(
                        paid_back,
                        KfDateTime::from_date(date),
                        m.method_id,
                        m.bank_account_id,
                        "refund".into(),
                    ));
                kf.update_invoice(want.number, &serde_json::to_value(&doc).unwrap())
                    .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            }
            assert_eq!(paid_back, want.paid_back, "{name}");
            let cn = kf.invoice(want.number).unwrap().clone();
            assert_eq!(credit_left(&cn), Decimal::ZERO, "{name}: nothing left open");
            earlier.push(cn);
        }
        // Never more than the invoice.
        let credited: Decimal = earlier.iter().map(credit_total).sum();
        assert!(credited <= posted.gross_amount.unwrap(), "{name}");
        // Stock comes back only for a cancellation (product codes kept).
        for (code, before) in stock_after_invoice {
            let now = kf.product(&code).map(|p| p.quantity_in_stock);
            let back = if name == "cancel-after-invoicing" && code == "HOODIE-NAVY-L" {
                Decimal::ONE
            } else {
                Decimal::ZERO
            };
            assert_eq!(now, before.map(|b| b + back), "{name}: stock of {code}");
        }
        let inv = kf.invoice(posted.number.unwrap()).unwrap();
        assert_eq!(
            inv.due_amount,
            Some(Decimal::ZERO),
            "{name}: invoice settled"
        );
    }
}
