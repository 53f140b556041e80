//! KashFlow's own GET examples (copied into `fixtures/kashflow/`) are read by the wire model
//! without loss, and the sandbox emits documents of the same shape: a renamed field fails here.

use std::collections::{BTreeMap, BTreeSet};

use kashflow_sync::kashflow::caseless;
use kashflow_sync::kashflow::model::{Customer, Invoice};
use kashflow_sync::kashflow::sandbox::{SandboxConfig, SandboxServer};
use kashflow_sync::kashflow::wire::KfDateTime;
use rust_decimal::Decimal;
use serde_json::{json, Value};

const INVOICE: &str = include_str!("fixtures/kashflow/invoice-get-response.json");
const CUSTOMER: &str = include_str!("fixtures/kashflow/customer-get-response.json");

/// Semantic equality of a value we wrote with the value KashFlow sent: numbers by decimal value,
/// booleans against 0/1, dates by wall-clock time (the offset is deliberately dropped).
fn same(ours: &Value, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Value::Number(a), Value::Number(b)) => {
            a.to_string().parse::<Decimal>().ok() == b.to_string().parse::<Decimal>().ok()
        }
        (Value::Bool(a), Value::Number(b)) => b.to_string() == if *a { "1" } else { "0" },
        (Value::String(a), Value::String(b)) if a != b => {
            match (KfDateTime::parse(a), KfDateTime::parse(b)) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(_), Value::Object(_)) => true, // compared key by key by the caller
        _ => ours == theirs,
    }
}

fn is_default(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.to_string().parse::<Decimal>().is_ok_and(|d| d.is_zero()),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

/// Compare every field we wrote with KashFlow's; collect the keys we cover per object path.
fn compare(
    path: &str,
    ours: &Value,
    theirs: &Value,
    covered: &mut BTreeMap<String, BTreeSet<String>>,
    problems: &mut Vec<String>,
) {
    match (ours, theirs) {
        (Value::Object(o), Value::Object(t)) => {
            let mut seen = BTreeSet::new();
            for (k, v) in o {
                match t.get(k) {
                    Some(tv) => {
                        seen.insert(k.clone());
                        if !same(v, tv) {
                            problems.push(format!("{path}.{k}: wrote {v}, KashFlow sent {tv}"));
                        }
                        compare(&format!("{path}.{k}"), v, tv, covered, problems);
                    }
                    // A field the model always writes but the example lacks: only a default is fine.
                    None if !is_default(v) => {
                        problems.push(format!("{path}.{k}: invented value {v}"))
                    }
                    None => {}
                }
            }
            // Null in the example and absent in ours (skipped None) is no loss.
            for (k, tv) in t {
                if !o.contains_key(k) && tv.is_null() {
                    seen.insert(k.clone());
                }
            }
            covered.entry(path.to_owned()).or_default().extend(seen);
        }
        (Value::Array(o), Value::Array(t)) => {
            for (x, y) in o.iter().zip(t) {
                compare(&format!("{path}[]"), x, y, covered, problems);
            }
        }
        _ => {}
    }
}

fn covered_keys<T: serde::de::DeserializeOwned + serde::Serialize>(
    example: &str,
) -> BTreeMap<String, BTreeSet<String>> {
    let original: Value = serde_json::from_str(example).unwrap();
    let model: T = caseless::from_value(original.clone()).unwrap();
    let written = serde_json::to_value(&model).unwrap();
    let mut covered = BTreeMap::new();
    let mut problems = Vec::new();
    compare("", &written, &original, &mut covered, &mut problems);
    assert!(
        problems.is_empty(),
        "lost or changed on the way through the model:\n{}",
        problems.join("\n")
    );
    covered
}

fn keys_at(v: &Value, path: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match v {
        Value::Object(o) => {
            let e = out.entry(path.to_owned()).or_default();
            e.extend(o.keys().cloned());
            for (k, x) in o {
                keys_at(x, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for x in a {
                keys_at(x, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

fn all_keys(v: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    keys_at(v, "", &mut out);
    out
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|s| s.to_string()).collect()
}

#[test]
fn invoice_example_is_read_without_loss() {
    let covered = covered_keys::<Invoice>(INVOICE);
    let must = set(&[
        "Id",
        "Number",
        "IssuedDate",
        "DueDate",
        "CustomerName",
        "CustomerReference",
        "Currency",
        "Address",
        "DeliveryAddress",
        "LineItems",
        "PaymentLines",
        "NetAmount",
        "VATAmount",
        "GrossAmount",
        "TotalPaidAmount",
        "HomeCurrencyGrossAmount",
        "Status",
        "PaidDate",
        "LastPaymentDate",
        "VATNumber",
        "UseCustomDeliveryAddress",
        "Permalink",
        "CustomerId",
        "OverdueDays",
    ]);
    assert!(
        covered[""].is_superset(&must),
        "missing: {:?}",
        must.difference(&covered[""]).collect::<Vec<_>>()
    );
    assert!(covered[".LineItems[]"].is_superset(&set(&[
        "Number",
        "Description",
        "Quantity",
        "Rate",
        "VATLevel",
        "VATAmount",
        "VATExempt",
        "NominalCode",
        "ProductCode",
        "ProductName",
        "ProjectNumber"
    ])));
    assert!(covered[".PaymentLines[]"].is_superset(&set(&[
        "Id",
        "Date",
        "Amount",
        "Method",
        "AccountId",
        "Note",
        "Permalink",
        "InvoiceNumber"
    ])));
    assert_eq!(
        covered[".Currency"],
        set(&[
            "Code",
            "ExchangeRate",
            "Id",
            "Name",
            "Symbol",
            "DisplaySymbolOnRight"
        ])
    );
    // The values themselves.
    let inv: Invoice = caseless::from_slice(INVOICE.as_bytes()).unwrap();
    assert_eq!(inv.gross_amount, Some("117.5".parse().unwrap()));
    assert!(
        !inv.line_items.as_ref().unwrap()[0].vat_exempt,
        "VATExempt: 0 reads as false"
    );
    assert_eq!(inv.payment_lines.as_ref().unwrap()[0].method, 409844);
    assert_eq!(inv.issued_date.unwrap().to_string(), "2012-10-09 12:00:00");
}

#[test]
fn customer_example_is_read_without_loss() {
    let covered = covered_keys::<Customer>(CUSTOMER);
    let must = set(&[
        "Id",
        "Code",
        "Name",
        "DisplayName",
        "Email",
        "TelephoneNumber",
        "MobileNumber",
        "Contacts",
        "Addresses",
        "DeliveryAddresses",
        "UseCustomDeliveryAddress",
        "VATNumber",
        "IsRegisteredInEC",
        "IsRegisteredOutsideEC",
        "Note",
        "CreatedDate",
        "LastUpdatedDate",
        "CreateCustomerCodeIfDuplicate",
        "CreateCustomerNameIfEmptyOrNull",
        "Key",
        "Currency",
        "PaymentTerms",
        "OutstandingBalance",
        "TotalPaidAmount",
        "InvoiceCount",
    ]);
    assert!(
        covered[""].is_superset(&must),
        "missing: {:?}",
        must.difference(&covered[""]).collect::<Vec<_>>()
    );
    assert_eq!(
        covered[".Contacts[]"],
        set(&[
            "Title",
            "Name",
            "Firstname",
            "LastName",
            "Email",
            "Telephone",
            "Mobile",
            "Fax",
            "Website"
        ])
    );
    assert_eq!(
        covered[".Addresses[]"],
        set(&[
            "Line1",
            "Line2",
            "Line3",
            "Line4",
            "PostCode",
            "CountryCode",
            "CountryName"
        ])
    );
    assert_eq!(
        covered[".Currency"],
        set(&["Code", "ExchangeRate", "DisplayOnRight", "Name", "Symbol"])
    );
    let c: Customer = caseless::from_slice(CUSTOMER.as_bytes()).unwrap();
    assert_eq!(c.contacts[0].email.as_deref(), Some("test@testtrick.com"));
    assert_eq!(c.payment_terms.as_ref().unwrap().kind, "AfterMonthEnd");
}

#[test]
fn examples_read_with_keys_in_any_case() {
    let lower = INVOICE
        .replace("\"GrossAmount\"", "\"grossamount\"")
        .replace("\"VATLevel\"", "\"vatlevel\"");
    let inv: Invoice = caseless::from_slice(lower.as_bytes()).unwrap();
    assert_eq!(inv.gross_amount, Some("117.5".parse().unwrap()));
    assert_eq!(
        inv.line_items.unwrap()[0].vat_level,
        "17.5".parse::<Decimal>().unwrap()
    );
}

/// Keys the sandbox writes that the examples lack, each documented elsewhere in the reference.
fn allowed_extras(path: &str) -> BTreeSet<String> {
    match path {
        // `CustomerCode`, `DueAmount` and `Type` (invoice or credit note) are in the live field
        // list of GET /invoices/{number}.
        "" => set(&["CustomerCode", "DueAmount", "Type"]),
        // Bulk-payment links and the payment reference (tipstrade / hcs-app).
        ".PaymentLines[]" => set(&["BulkId", "BulkPaymentNumber", "Reference"]),
        _ => BTreeSet::new(),
    }
}

fn check_shape(
    what: &str,
    sandbox_doc: &Value,
    example: &str,
    covered: &BTreeMap<String, BTreeSet<String>>,
) {
    let example_keys = all_keys(&serde_json::from_str(example).unwrap());
    let ours = all_keys(sandbox_doc);
    for (path, keys) in &ours {
        let known = example_keys.get(path).cloned().unwrap_or_default();
        let unknown: Vec<_> = keys
            .iter()
            .filter(|k| !known.contains(*k) && !allowed_extras(path).contains(*k))
            .collect();
        assert!(
            unknown.is_empty(),
            "{what}{path}: the sandbox writes keys KashFlow does not: {unknown:?}"
        );
    }
    for (path, keys) in covered {
        if let Some(got) = ours.get(path) {
            let missing: Vec<_> = keys.difference(got).collect();
            assert!(
                missing.is_empty(),
                "{what}{path}: the sandbox omits keys KashFlow sends: {missing:?}"
            );
        }
    }
    for path in covered.keys() {
        assert!(
            ours.contains_key(path),
            "{what}{path}: the sandbox writes no such object"
        );
    }
}

#[tokio::test]
async fn sandbox_documents_have_the_example_shape() {
    let h = SandboxServer::start(SandboxConfig::default())
        .await
        .unwrap();
    let client = kashflow_sync::kashflow::KashFlowClient::new(h.client_config()).unwrap();
    let cust: Customer = caseless::from_value(json!({"Code": "PDRI91", "Name": "Drive Ltd",
        "Contacts": [{"Email": "a@example.com", "Firstname": "A"}],
        "Addresses": [{"Line1": "1 Ashwood Close", "PostCode": "DN3 3UB", "CountryCode": "GB"}],
        "DeliveryAddresses": [{"Line1": "2 Ashwood Close", "PostCode": "DN3 3UB", "CountryCode": "GB"}],
        "UseCustomDeliveryAddress": true}))
    .unwrap();
    client.create_customer(&cust).await.unwrap();
    let inv: Invoice = caseless::from_value(json!({"Number": 2, "CustomerCode": "PDRI91",
        "IssuedDate": "2026-05-01 12:00:00",
        "LineItems": [{"Description": "Mug", "Quantity": 10, "Rate": 8.33, "VATLevel": 20,
            "VATAmount": 16.66, "NominalCode": 4000, "ProductCode": "MUG-CLASSIC"}],
        "PaymentLines": [{"Date": "2026-05-01 12:00:00", "Amount": 10, "Method": 4, "AccountId": 2, "Note": "x"}]}))
    .unwrap();
    client.create_invoice(&inv).await.unwrap();
    client.login().await.unwrap();

    let raw = |path: String| {
        let url = format!("{}{path}", h.base_url());
        let token = h.session_tokens()[0].expose().to_owned();
        async move {
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap()
                .get(url)
                .header("Authorization", format!("KfToken {token}"))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let invoice_doc = raw("/invoices/2".into()).await;
    check_shape(
        "invoice",
        &invoice_doc,
        INVOICE,
        &covered_keys::<Invoice>(INVOICE),
    );
    let customer_doc = raw("/customers/PDRI91".into()).await;
    check_shape(
        "customer",
        &customer_doc,
        CUSTOMER,
        &covered_keys::<Customer>(CUSTOMER),
    );
}

#[test]
fn a_renamed_field_is_caught() {
    // The check itself must fail on a renamed key, or it proves nothing.
    let covered = covered_keys::<Invoice>(INVOICE);
    let mut doc: Value = serde_json::from_str(INVOICE).unwrap();
    let gross = doc.as_object_mut().unwrap().remove("GrossAmount").unwrap();
    doc["GrossAmt"] = gross;
    let result = std::panic::catch_unwind(|| check_shape("invoice", &doc, INVOICE, &covered));
    assert!(result.is_err());
}
