//! The SOAP API's answers at `/api/service.asmx`, over the **same account** as the REST routes:
//! each operation reads the envelope, checks the login (user name and password in the body, then
//! the IP allow-list), translates the SOAP types to the model (ids → codes) and applies the same
//! business rules (`state`) the REST routes use, so a test can write through SOAP and read back
//! through REST. Business outcomes are HTTP 200 with `Status`/`StatusDetail`; a body the service
//! cannot read, an unknown operation or an invoice line without `xsi:type="InvoiceLine"` is an
//! HTTP 500 `soap:Fault`, as ASMX answers. The guesses are in `kashflow::soap::assumptions`.

use rust_decimal::Decimal;
use serde_json::Value;

use super::reply::ApiError;
use super::server::{lock, Shared};
use super::state::Account;
use crate::kashflow::credit_note as cn;
use crate::kashflow::model::{Customer, Invoice, PaymentLine, Product};
use crate::kashflow::soap::assumptions::{self, SuppliedInvoiceNumber};
use crate::kashflow::soap::envelope::{self, Node, XmlOut};
use crate::kashflow::soap::wire::{self, Lookups};

/// A SOAP answer: HTTP status and envelope.
pub struct SoapReply {
    pub status: u16,
    pub body: Vec<u8>,
}

fn fault(code: &str, message: &str) -> SoapReply {
    SoapReply {
        status: 500,
        body: envelope::fault(code, message),
    }
}

/// ASMX's answer to a request it cannot deserialize.
pub fn unreadable(detail: &str) -> SoapReply {
    fault(
        "soap:Client",
        &format!("Server was unable to read request. ---> There is an error in XML document. ---> {detail}"),
    )
}

/// ASMX's answer to an internal error (the injected 500s).
pub fn server_fault() -> SoapReply {
    fault(
        "soap:Server",
        "Server was unable to process request. ---> An error has occurred.",
    )
}

fn answer(op: &str, result: Option<&dyn Fn(&mut XmlOut)>) -> SoapReply {
    SoapReply {
        status: 200,
        body: envelope::response(op, result, true, ""),
    }
}

/// Status `NO` with the default result (`0`, `false` or empty), as KashFlow answers.
pub fn no(op: &str, detail: &str) -> SoapReply {
    let default = match op {
        "InsertCustomer" | "InsertInvoice" | "InsertInvoicePayment" | "AddOrUpdateSubProduct" => {
            "0"
        }
        "applyCreditNoteToInvoice" | "isUserVATRegistered" => "false",
        _ => "",
    };
    let write: &dyn Fn(&mut XmlOut) = &|x: &mut XmlOut| {
        x.text(default);
    };
    let has_result = !matches!(op, "UpdateInvoice" | "DeleteInvoicePayment");
    SoapReply {
        status: 200,
        body: envelope::response(op, has_result.then_some(write), false, detail),
    }
}

fn no_from(op: &str, e: ApiError) -> SoapReply {
    no(op, &e.message)
}

/// The operation a request names: the SOAPAction header (`"KashFlow/Op"`, quotes optional), else
/// the body's first element.
pub fn operation(action: Option<&str>, body: &[u8]) -> Option<String> {
    if let Some(a) = action {
        let a = a.trim().trim_matches('"');
        if let Some(op) = a.strip_prefix("KashFlow/") {
            if !op.is_empty() {
                return Some(op.to_string());
            }
        }
    }
    let root = envelope::parse(body).ok()?;
    envelope::body_element(&root).ok().map(|n| n.name.clone())
}

/// The operations the sandbox answers (others: a `soap:Fault`, as ASMX for an unknown action).
pub const OPERATIONS: &[&str] = &[
    "GetCustomer",
    "GetCustomerByID",
    "GetCustomerByEmail",
    "InsertCustomer",
    "UpdateCustomer",
    "InsertInvoice",
    "UpdateInvoice",
    "GetInvoice",
    "GetInvoiceByID",
    "GetInvoicesForCustomer",
    "GetInvoicePayment",
    "InsertInvoicePayment",
    "DeleteInvoicePayment",
    "applyCreditNoteToInvoice",
    "GetBankAccounts",
    "GetInvPayMethods",
    "GetNominalCodes",
    "GetVATRates",
    "isUserVATRegistered",
    "GetCompanyDetails",
    "GetCurrencies",
    "GetProductsWithSubProducts",
    "GetSubProducts",
    "AddOrUpdateSubProduct",
];

/// Ids ↔ codes for the account, as the SOAP types need them.
fn lookups(a: &Account) -> Lookups {
    let mut l = Lookups::default();
    for n in a.nominals.values() {
        if let Some(id) = n.id {
            l.nominal_code.insert(id, n.code);
            l.nominal_id.insert(n.code, id);
        }
    }
    for p in a.products() {
        if let Some(id) = p.id {
            l.product_code.insert(id, (p.code.clone(), p.nominal_code));
            l.product_id.insert(p.code.to_ascii_uppercase(), id);
        }
    }
    for c in &a.currencies {
        if let Some(id) = c.id {
            l.currency_id.insert(c.code.to_ascii_uppercase(), id);
            l.currency_code.insert(id, c.code.clone());
        }
    }
    l
}

fn customer_by_id(a: &Account, id: i64) -> Option<&Customer> {
    a.customers().find(|c| c.id == Some(id))
}

fn invoice_by_db_id(a: &Account, id: i64) -> Option<&Invoice> {
    a.invoices().find(|i| i.id == Some(id))
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The sandbox's `Invoice`: WSDL order, lines typed `InvoiceLine`, totals as KashFlow keeps them
/// (`AmountPaid` = gross − what is still due, so a reader gets the due amount back).
fn write_invoice(x: &mut XmlOut, i: &Invoice, a: &Account) {
    let l = lookups(a);
    let customer_id = a
        .customer(&i.customer_code)
        .and_then(|c| c.id)
        .unwrap_or_default();
    let gross = i.gross_amount.unwrap_or_default();
    let due = i.due_amount.unwrap_or(gross);
    let currency = i.currency.clone().unwrap_or_default();
    x.val("InvoiceDBID", i.id.unwrap_or_default())
        .val("InvoiceNumber", i.number.unwrap_or_default())
        .leaf("InvoiceDate", &wire::date_text(i.issued_date.as_ref()))
        .leaf("DueDate", &wire::date_text(i.due_date.as_ref()))
        .leaf("Customer", i.customer_name.as_deref().unwrap_or_default())
        .val("CustomerID", customer_id)
        .leaf(
            "Paid",
            if i.status.as_deref() == Some("Paid") {
                "1"
            } else {
                "0"
            },
        )
        .leaf(
            "CustomerReference",
            i.customer_reference.as_deref().unwrap_or_default(),
        )
        .leaf("EstimateCategory", "")
        .leaf("SuppressTotal", "0")
        .leaf("ProjectID", "0")
        .leaf("CurrencyCode", &currency.code)
        .val("ExchangeRate", wire::num(currency.exchange_rate))
        .leaf("ReadableString", "");
    x.start("Lines");
    for (n, line) in i
        .line_items
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let product = line
            .product_code
            .as_deref()
            .and_then(|c| l.product_id.get(&c.to_ascii_uppercase()))
            .copied()
            .unwrap_or_default();
        let vat_rate = if line.vat_exempt {
            "-1".to_string()
        } else {
            wire::num(line.vat_level)
        };
        x.start_attrs("anyType", &[("xsi:type", "InvoiceLine")]);
        x.val("Quantity", wire::num(line.quantity))
            .leaf("Description", &line.description)
            .val("Rate", wire::num(line.rate))
            .val(
                "ChargeType",
                l.nominal_id
                    .get(&line.nominal_code)
                    .copied()
                    .unwrap_or_default(),
            )
            .leaf("VatRate", &vat_rate)
            .val("VatAmount", wire::num(line.vat_amount))
            .val("ProductID", product)
            .val("Sort", n + 1)
            .val("ProjID", line.project_number)
            .val("LineID", (i.id.unwrap_or_default() * 1000) + n as i64 + 1);
        x.end("anyType");
    }
    x.end("Lines");
    x.val("NetAmount", wire::num(i.net_amount.unwrap_or_default()))
        .val("VATAmount", wire::num(i.vat_amount.unwrap_or_default()))
        .val("AmountPaid", wire::num(gross - due))
        .leaf(
            "CustomerName",
            i.customer_name.as_deref().unwrap_or_default(),
        )
        .leaf("PermaLink", i.permalink.as_deref().unwrap_or_default())
        .leaf("UseCustomDeliveryAddress", "false")
        .nil("CISRCNetAmount")
        .nil("CISRCVatAmount")
        .nil("IsCISReverseCharge");
}

/// A SOAP `Invoice` (from a request) as the model's invoice, ready for the account's rules.
fn read_invoice(n: &Node, a: &Account, rate_decimals: u32) -> Result<Invoice, String> {
    let l = lookups(a);
    if let Some(lines) = n.child("Lines") {
        for (i, line) in lines.children.iter().enumerate() {
            if line.attr("type") != Some("InvoiceLine") {
                return Err(format!(
                    "line {}: <{}> has no xsi:type=\"InvoiceLine\"",
                    i + 1,
                    line.name
                ));
            }
        }
    }
    let customer_id = wire::int(n, "CustomerID");
    let code = customer_by_id(a, customer_id)
        .map(|c| c.code.clone())
        .unwrap_or_else(|| format!("#{customer_id}"));
    let mut inv = wire::read_invoice(n, &l, code);
    // KashFlow works its totals out itself.
    inv.net_amount = None;
    inv.vat_amount = None;
    inv.gross_amount = None;
    inv.total_paid_amount = None;
    inv.due_amount = None;
    inv.status = None;
    inv.doc_type = None;
    inv.id = None;
    inv.payment_lines = None;
    if let Some(lines) = n.child("Lines") {
        for (i, line) in lines.children.iter().enumerate() {
            let rate = wire::dec(line, "Rate").normalize();
            if rate.scale() > rate_decimals {
                return Err(format!(
                    "NO:Line {}: Rate {rate} has more than {rate_decimals} decimal places.",
                    i + 1
                ));
            }
            let charge = wire::int(line, "ChargeType");
            if !l.nominal_code.contains_key(&charge) {
                return Err(format!(
                    "NO:Line {}: ChargeType {charge} is not a nominal code id.",
                    i + 1
                ));
            }
            let product = wire::int(line, "ProductID");
            if product != 0 && !l.product_code.contains_key(&product) {
                return Err(format!(
                    "NO:Line {}: ProductID {product} is not a product.",
                    i + 1
                ));
            }
        }
    }
    Ok(inv)
}

/// The next payment line of an invoice, written back with all the others (as REST's PUT).
fn add_payment(a: &mut Account, number: i64, line: PaymentLine) -> Result<i64, ApiError> {
    let mut inv = a
        .invoice(number)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("Invoice {number} was not found.")))?;
    let before: Vec<i64> = inv
        .payment_lines
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.id)
        .collect();
    inv.payment_lines.get_or_insert_with(Vec::new).push(line);
    let after = a.update_invoice(number, &to_value(&inv))?;
    Ok(after
        .payment_lines
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.id)
        .find(|id| !before.contains(id))
        .unwrap_or_default())
}

/// Answer one SOAP request (the operation already known; faults are the caller's).
pub(super) fn dispatch(shared: &Shared, op: &str, body: &[u8]) -> SoapReply {
    let root = match envelope::parse(body) {
        Ok(r) => r,
        Err(e) => return unreadable(&e),
    };
    let req = match envelope::body_element(&root) {
        Ok(r) => r.clone(),
        Err(e) => return unreadable(&e),
    };
    if req.name != op || !OPERATIONS.contains(&op) {
        return fault(
            "soap:Client",
            &format!(
                "Server did not recognize the value of HTTP Header SOAPAction: KashFlow/{op}."
            ),
        );
    }
    if req.attr("xmlns") != Some(envelope::NS) {
        return unreadable(&format!(
            "<{op} xmlns='{}'> was not expected.",
            req.attr("xmlns").unwrap_or_default()
        ));
    }
    // 1. the login, 2. the caller's IP (the sandbox is on loopback: 127.0.0.1).
    {
        let auth = lock(&shared.auth);
        let s = auth.settings();
        let user_ok = req
            .text_of("UserName")
            .is_some_and(|u| u.eq_ignore_ascii_case(s.username.trim()));
        let pass_ok = req
            .child("Password")
            .is_some_and(|p| p.text == s.password.expose());
        if !user_ok || !pass_ok {
            return no(op, assumptions::BAD_LOGIN);
        }
    }
    if let Some(allowed) = lock(&shared.soap_allowed_ips).as_ref() {
        if !allowed.iter().any(|ip| ip == "127.0.0.1") {
            return no(op, &assumptions::ip_not_allowed("127.0.0.1"));
        }
    }
    let soap = *lock(&shared.soap);
    let mut acct = lock(&shared.account);
    let a = &mut *acct;
    match op {
        "GetCustomer" | "GetCustomerByID" | "GetCustomerByEmail" => {
            let found = match op {
                "GetCustomer" => {
                    let code = req.text_of("CustomerCode").unwrap_or_default();
                    a.customer(code).cloned()
                }
                "GetCustomerByID" => customer_by_id(a, wire::int(&req, "CustomerID")).cloned(),
                _ => {
                    let email = req.text_of("CustomerEmail").unwrap_or_default();
                    let mut found = if email.is_empty() {
                        Vec::new()
                    } else {
                        a.search_customers(Some(email), None, None)
                    };
                    found.sort_by_key(|c| c.id.unwrap_or(i64::MAX));
                    found.into_iter().next()
                }
            };
            let l = lookups(a);
            match found {
                Some(c) => answer(
                    op,
                    Some(&|x: &mut XmlOut| {
                        wire::write_customer(x, &c, c.id.unwrap_or_default(), &l)
                    }),
                ),
                None => no(op, "The customer was not found."),
            }
        }
        // Id 0 creates; an existing sub-product's id replaces it (a flow's Product step).
        "AddOrUpdateSubProduct" => {
            let Some(n) = req.child("sp") else {
                return unreadable("<sp> is missing.");
            };
            let p = wire::read_sub_product(n, &lookups(a));
            if let Some(id) = p.id.filter(|id| *id != 0) {
                let Some(existing) = a.products().find(|e| e.id == Some(id)).cloned() else {
                    return no(op, "The sub-product was not found.");
                };
                let body = Product {
                    id: None,
                    code: existing.code.clone(),
                    nominal_code: existing.nominal_code,
                    ..p
                };
                return match a.update_product(
                    existing.nominal_code,
                    &existing.code,
                    &to_value(&body),
                ) {
                    Ok(p) => answer(
                        op,
                        Some(&|x: &mut XmlOut| {
                            x.text(&p.id.unwrap_or_default().to_string());
                        }),
                    ),
                    Err(e) => no_from(op, e),
                };
            }
            if p.nominal_code == 0 {
                return no(op, "The parent product (ParentID) was not found.");
            }
            match a.create_product(&to_value(&Product { id: None, ..p })) {
                Ok(p) => answer(
                    op,
                    Some(&|x: &mut XmlOut| {
                        x.text(&p.id.unwrap_or_default().to_string());
                    }),
                ),
                Err(e) => no_from(op, e),
            }
        }
        "InsertCustomer" | "UpdateCustomer" => {
            let Some(n) = req.child("custr") else {
                return unreadable("<custr> is missing.");
            };
            let c = wire::read_customer(n, &lookups(a));
            if op == "InsertCustomer" {
                match a.create_customer(&to_value(&c)) {
                    Ok(c) => answer(
                        op,
                        Some(&|x: &mut XmlOut| {
                            x.text(&c.id.unwrap_or_default().to_string());
                        }),
                    ),
                    Err(e) => no_from(op, e),
                }
            } else {
                let Some(existing) = c.id.and_then(|id| customer_by_id(a, id)).cloned() else {
                    return no(op, "The customer was not found.");
                };
                match a.update_customer(
                    &existing.code,
                    &to_value(&Customer {
                        code: existing.code.clone(),
                        ..c
                    }),
                ) {
                    Ok(_) => answer(
                        op,
                        Some(&|x: &mut XmlOut| {
                            x.text("OK");
                        }),
                    ),
                    Err(e) => no_from(op, e),
                }
            }
        }
        "InsertInvoice" | "UpdateInvoice" => {
            let Some(n) = req.child("Inv") else {
                return unreadable("<Inv> is missing.");
            };
            let inv = match read_invoice(n, a, soap.rate_decimals) {
                Ok(i) => i,
                Err(e) => match e.strip_prefix("NO:") {
                    Some(m) => return no(op, m),
                    None => return unreadable(&e),
                },
            };
            let number = wire::int(n, "InvoiceNumber");
            if op == "UpdateInvoice" {
                // Replaces the header and all lines; payments stay.
                let Some(existing) = a.invoice(number).cloned() else {
                    return no(op, &format!("Invoice {number} was not found."));
                };
                let updated = Invoice {
                    payment_lines: existing.payment_lines.clone(),
                    number: Some(number),
                    ..inv
                };
                return match a.update_invoice(number, &to_value(&updated)) {
                    Ok(_) => answer(op, None),
                    Err(e) => no_from(op, e),
                };
            }
            let created = if number > 0 && a.invoice(number).is_some() {
                match soap.supplied_invoice_number {
                    SuppliedInvoiceNumber::Refused => {
                        return no(op, &format!("Invoice number {number} already exists."))
                    }
                    SuppliedInvoiceNumber::Overwrites => {
                        let existing = a.invoice(number).cloned().unwrap_or_default();
                        let over = Invoice {
                            number: Some(number),
                            payment_lines: existing.payment_lines,
                            ..inv
                        };
                        a.update_invoice(number, &to_value(&over))
                    }
                }
            } else {
                let new = Invoice {
                    number: Some(number).filter(|n| *n > 0),
                    ..inv
                };
                a.create_invoice(&to_value(&new))
            };
            match created {
                Ok(i) => answer(
                    op,
                    Some(&|x: &mut XmlOut| {
                        x.text(&i.number.unwrap_or_default().to_string());
                    }),
                ),
                Err(e) => no_from(op, e),
            }
        }
        "GetInvoice" | "GetInvoiceByID" => {
            let found = if op == "GetInvoice" {
                a.invoice(wire::int(&req, "InvoiceNumber")).cloned()
            } else {
                invoice_by_db_id(a, wire::int(&req, "InvoiceID")).cloned()
            };
            match found {
                Some(i) => answer(op, Some(&|x: &mut XmlOut| write_invoice(x, &i, a))),
                None => no(op, "The invoice was not found."),
            }
        }
        "GetInvoicesForCustomer" => {
            let id = wire::int(&req, "CustID");
            let Some(c) = customer_by_id(a, id).cloned() else {
                return no(op, "The customer was not found.");
            };
            let list: Vec<Invoice> = a
                .invoices()
                .filter(|i| i.customer_code.eq_ignore_ascii_case(&c.code))
                .cloned()
                .collect();
            answer(
                op,
                Some(&|x: &mut XmlOut| {
                    for i in &list {
                        x.start("Invoice");
                        write_invoice(x, i, a);
                        x.end("Invoice");
                    }
                }),
            )
        }
        "GetInvoicePayment" => {
            let number = wire::int(&req, "InvoiceNumber");
            let Some(i) = a.invoice(number).cloned() else {
                return no(op, "The invoice was not found.");
            };
            answer(
                op,
                Some(&|x: &mut XmlOut| {
                    for p in i.payment_lines.as_deref().unwrap_or_default() {
                        x.start("Payment");
                        wire::write_payment_line(x, p, number);
                        x.end("Payment");
                    }
                }),
            )
        }
        "InsertInvoicePayment" => {
            let Some(p) = req.child("InvoicePayment") else {
                return unreadable("<InvoicePayment> is missing.");
            };
            let mut line = wire::read_payment(p);
            line.id = None;
            line.is_payment_credit_note = None;
            line.invoice_number = None;
            let number = wire::int(p, "PayInvoice");
            match add_payment(a, number, line) {
                Ok(id) => answer(
                    op,
                    Some(&|x: &mut XmlOut| {
                        x.text(&id.to_string());
                    }),
                ),
                Err(e) => no_from(op, e),
            }
        }
        "DeleteInvoicePayment" => {
            let number = wire::int(&req, "InvoiceNumber");
            let pay = wire::int(&req, "InvoicePaymentNumber");
            let Some(mut inv) = a.invoice(number).cloned() else {
                return no(op, "The invoice was not found.");
            };
            let lines = inv.payment_lines.get_or_insert_with(Vec::new);
            let n = lines.len();
            lines.retain(|l| l.id != Some(pay) || l.is_payment_credit_note == Some(true));
            if lines.len() == n {
                return no(
                    op,
                    &format!("Payment {pay} was not found on invoice {number}."),
                );
            }
            match a.update_invoice(number, &to_value(&inv)) {
                Ok(_) => answer(op, None),
                Err(e) => no_from(op, e),
            }
        }
        "applyCreditNoteToInvoice" => {
            let (inv_id, cn_id) = (
                wire::int(&req, "InvoiceID"),
                wire::int(&req, "CreditNoteID"),
            );
            let (Some(inv), Some(note)) = (
                invoice_by_db_id(a, inv_id).cloned(),
                invoice_by_db_id(a, cn_id).cloned(),
            ) else {
                return no(op, "The invoice or credit note was not found.");
            };
            let amount = cn::credit_left(&note).min(inv.due_amount.unwrap_or_default());
            if amount <= Decimal::ZERO {
                return no(op, "There is nothing to apply.");
            }
            let body = cn::application(
                cn_id,
                amount,
                note.issued_date.unwrap_or_else(wire_today),
                format!(
                    "Credit note {} applied to invoice {}",
                    note.number.unwrap_or_default(),
                    inv.number.unwrap_or_default()
                ),
            );
            match a.apply_credit(inv_id, &to_value(&body)) {
                Ok(_) => answer(
                    op,
                    Some(&|x: &mut XmlOut| {
                        x.text("true");
                    }),
                ),
                Err(e) => no_from(op, e),
            }
        }
        "GetBankAccounts" => answer(
            op,
            Some(&|x: &mut XmlOut| {
                for b in &a.bank_accounts {
                    x.start("BankAccount")
                        .val("AccountID", b.id)
                        .leaf("AccountName", &b.account_name)
                        .val("AccountCode", b.code)
                        .end("BankAccount");
                }
            }),
        ),
        "GetInvPayMethods" => answer(
            op,
            Some(&|x: &mut XmlOut| {
                for m in &a.payment_methods {
                    x.start("PaymentMethod")
                        .val("MethodID", m.id)
                        .leaf("MethodName", &m.name)
                        .end("PaymentMethod");
                }
            }),
        ),
        "GetNominalCodes" => answer(
            op,
            Some(&|x: &mut XmlOut| {
                for n in a.nominals.values() {
                    x.start("NominalCode")
                        .val("id", n.id.unwrap_or_default())
                        .val("Code", n.code)
                        .leaf("Name", &n.name)
                        .leaf("debit", "0")
                        .leaf("credit", "0")
                        .leaf("balance", "0")
                        .end("NominalCode");
                }
            }),
        ),
        "GetVATRates" => answer(
            op,
            Some(&|x: &mut XmlOut| {
                for r in &a.vat_rates {
                    x.start("BasicDataset")
                        .val("ID", r.vat_id)
                        .leaf("Name", &format!("{}%", wire::num(r.vat_rate)))
                        .leaf("Description", &r.vat_text)
                        .val("Value", wire::num(r.vat_rate))
                        .end("BasicDataset");
                }
            }),
        ),
        "isUserVATRegistered" => answer(
            op,
            Some(&|x: &mut XmlOut| {
                let registered = a.vat_rates.iter().any(|r| r.vat_rate > Decimal::ZERO);
                x.text(if registered { "true" } else { "false" });
            }),
        ),
        "GetCompanyDetails" => answer(
            op,
            Some(&|x: &mut XmlOut| {
                let registered = a.vat_rates.iter().any(|r| r.vat_rate > Decimal::ZERO);
                x.leaf("CompanyName", &a.company_name)
                    .leaf("VatRegistered", if registered { "Yes" } else { "No" })
                    .leaf("CurrencyName", &a.home_currency);
            }),
        ),
        "GetCurrencies" => answer(
            op,
            Some(&|x: &mut XmlOut| {
                for c in &a.currencies {
                    x.start("Currencies")
                        .val("CurrencyId", c.id.unwrap_or_default())
                        .leaf("CurrencyCode", &c.code)
                        .val("ExchangeRate", wire::num(c.exchange_rate))
                        .leaf(
                            "isDefault",
                            if c.code.eq_ignore_ascii_case(&a.home_currency) {
                                "1"
                            } else {
                                "0"
                            },
                        )
                        .end("Currencies");
                }
            }),
        ),
        "GetProductsWithSubProducts" | "GetSubProducts" => {
            let only = (op == "GetSubProducts").then(|| wire::int(&req, "NominalID"));
            answer(
                op,
                Some(&|x: &mut XmlOut| {
                    for n in a
                        .nominals
                        .values()
                        .filter(|n| n.is_product || a.products().any(|p| p.nominal_code == n.code))
                    {
                        let nid = n.id.unwrap_or_default();
                        if only.is_some_and(|o| o != nid) {
                            continue;
                        }
                        let subs = a.products().filter(|p| p.nominal_code == n.code);
                        if only.is_some() {
                            for p in subs {
                                x.start("SubProduct");
                                wire::write_sub_product(x, p, nid);
                                x.end("SubProduct");
                            }
                            continue;
                        }
                        x.start("ProductsFull")
                            .val("ProductID", nid)
                            .leaf("ProductName", &n.name)
                            .val("ProductCode", n.code)
                            .start("subProducts");
                        for p in subs {
                            x.start("SubProduct");
                            wire::write_sub_product(x, p, nid);
                            x.end("SubProduct");
                        }
                        x.end("subProducts").end("ProductsFull");
                    }
                }),
            )
        }
        _ => fault(
            "soap:Client",
            &format!(
                "Server did not recognize the value of HTTP Header SOAPAction: KashFlow/{op}."
            ),
        ),
    }
}

fn wire_today() -> crate::kashflow::wire::KfDateTime {
    crate::kashflow::wire::KfDateTime::from_date(chrono::Utc::now().date_naive())
}
