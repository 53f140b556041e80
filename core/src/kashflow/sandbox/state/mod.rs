//! The sandbox account's data and KashFlow's business rules over it: customers, invoices with
//! their totals and payments, products and stock, lookups. No HTTP here — the server decodes the
//! request body to a JSON value, calls one of these operations and serialises the result, so the
//! rules can be unit-tested directly.
//!
//! Every refusal is an [`ApiError`] (400 with a code and a message naming the field, or 404).
//!
//! This file holds the account, its lookups and the helpers every rule uses; the rules are split
//! by what they govern: `customers`, `invoices` (lines, VAT, totals, payments, stock), `credits`
//! (credit notes applied to invoices), `payments` (bulk payments) and `products`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration as ChronoDuration, NaiveDate};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use super::reply::ApiError;
use super::seed;
use crate::kashflow::caseless;
use crate::kashflow::credit_note::{self as cn, CreditApplication};
use crate::kashflow::model::{
    Address, BankAccount, BulkPayment, Currency, Customer, CustomerCurrency, Invoice,
    InvoiceCurrency, LineItem, Nominal, PaymentLine, PaymentMethod, PaymentTerms, Product, VatRate,
};
use crate::kashflow::wire::KfDateTime;
use crate::money::round_money;

/// Today and now in the account's zone (UK), as KashFlow stamps dates.
pub fn now_london() -> KfDateTime {
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London);
    let naive = now.naive_local();
    KfDateTime(
        naive
            .date()
            .and_hms_opt(
                chrono::Timelike::hour(&naive),
                chrono::Timelike::minute(&naive),
                chrono::Timelike::second(&naive),
            )
            .unwrap_or(naive),
    )
}

/// How KashFlow writes "never" for a customer's first/last invoice date.
fn never() -> KfDateTime {
    KfDateTime::from_date(NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date"))
}

fn decode<T: DeserializeOwned>(raw: &Value, what: &str) -> Result<T, ApiError> {
    if !raw.is_object() {
        return Err(ApiError::bad_request(
            "InvalidRequest",
            format!("The {what} must be a JSON object."),
        ));
    }
    caseless::from_value(raw.clone()).map_err(|e| {
        ApiError::bad_request(
            "InvalidRequest",
            format!("The {what} could not be read: {e}"),
        )
    })
}

fn max_dp(d: Decimal, dp: u32) -> bool {
    d.normalize().scale() <= dp
}

fn upper(code: &str) -> String {
    code.trim().to_uppercase()
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// The whole sandbox account.
#[derive(Debug, Clone)]
pub struct Account {
    pub company_name: String,
    pub home_currency: String,
    pub vat_rates: Vec<VatRate>,
    pub currencies: Vec<Currency>,
    pub bank_accounts: Vec<BankAccount>,
    pub payment_methods: Vec<PaymentMethod>,
    pub nominals: BTreeMap<i64, Nominal>,
    /// When false (the default), an invoice that would take a stock-managed product below zero
    /// is refused.
    pub allow_negative_stock: bool,
    products: BTreeMap<String, Product>,
    customers: BTreeMap<String, Customer>,
    invoices: BTreeMap<i64, Invoice>,
    bulk_payments: BTreeMap<i64, BulkPayment>,
    next_customer_id: i64,
    next_invoice_id: i64,
    next_payment_id: i64,
    next_product_id: i64,
    next_bulk_number: i64,
}

impl Account {
    /// The contract's seeded UK account.
    pub fn seeded() -> Self {
        let mut a = Account::empty();
        a.vat_rates = seed::vat_rates();
        a.currencies = seed::currencies();
        a.bank_accounts = seed::bank_accounts();
        a.payment_methods = seed::payment_methods();
        a.nominals = seed::nominals().into_iter().map(|n| (n.code, n)).collect();
        for p in seed::products() {
            a.next_product_id = a.next_product_id.max(p.id.unwrap_or(0) + 1);
            a.products.insert(upper(&p.code), p);
        }
        a
    }

    /// An account with only the home currency and nothing else.
    pub fn empty() -> Self {
        Account {
            company_name: seed::COMPANY_NAME.into(),
            home_currency: seed::HOME_CURRENCY.into(),
            vat_rates: Vec::new(),
            currencies: seed::currencies()
                .into_iter()
                .filter(|c| c.code == seed::HOME_CURRENCY)
                .collect(),
            bank_accounts: Vec::new(),
            payment_methods: Vec::new(),
            nominals: BTreeMap::new(),
            allow_negative_stock: false,
            products: BTreeMap::new(),
            customers: BTreeMap::new(),
            invoices: BTreeMap::new(),
            bulk_payments: BTreeMap::new(),
            next_customer_id: 1,
            next_invoice_id: 1,
            next_payment_id: 1,
            next_product_id: 1,
            next_bulk_number: 1,
        }
    }

    // ----- reads -------------------------------------------------------------------------

    /// Customer by code (codes are unique ignoring case, as in KashFlow's database).
    pub fn customer(&self, code: &str) -> Option<&Customer> {
        self.customers.get(&upper(code))
    }

    pub fn customers(&self) -> impl Iterator<Item = &Customer> {
        self.customers.values()
    }

    pub fn invoice(&self, number: i64) -> Option<&Invoice> {
        self.invoices.get(&number)
    }

    pub fn invoices(&self) -> impl Iterator<Item = &Invoice> {
        self.invoices.values()
    }

    /// Product by code (unique across nominals).
    pub fn product(&self, code: &str) -> Option<&Product> {
        self.products.get(&upper(code))
    }

    /// Product by its composite key, as in `/products/{nominal}/{code}`.
    pub fn product_at(&self, nominal: i64, code: &str) -> Option<&Product> {
        self.product(code).filter(|p| p.nominal_code == nominal)
    }

    pub fn products(&self) -> impl Iterator<Item = &Product> {
        self.products.values()
    }

    pub fn bulk_payment(&self, number: i64) -> Option<&BulkPayment> {
        self.bulk_payments.get(&number)
    }

    /// Set a product's stock directly (tests and the demo).
    pub fn set_stock(&mut self, code: &str, quantity: Decimal) -> bool {
        match self.products.get_mut(&upper(code)) {
            Some(p) => {
                p.quantity_in_stock = quantity;
                true
            }
            None => false,
        }
    }

    /// Customers whose top-level or contact email equals `email` (ignoring case), whose code
    /// equals `code`, or whose name contains `name` (ignoring case). Criteria combine with AND.
    pub fn search_customers(
        &self,
        email: Option<&str>,
        code: Option<&str>,
        name: Option<&str>,
    ) -> Vec<Customer> {
        self.customers
            .values()
            .filter(|c| {
                email.is_none_or(|e| {
                    let e = e.trim();
                    c.email
                        .as_deref()
                        .is_some_and(|x| x.trim().eq_ignore_ascii_case(e))
                        || c.contacts.iter().any(|k| {
                            k.email
                                .as_deref()
                                .is_some_and(|x| x.trim().eq_ignore_ascii_case(e))
                        })
                })
            })
            .filter(|c| code.is_none_or(|k| c.code.eq_ignore_ascii_case(k.trim())))
            .filter(|c| {
                name.is_none_or(|n| c.name.to_lowercase().contains(&n.trim().to_lowercase()))
            })
            .cloned()
            .collect()
    }

    /// The currency a request names (blank: the home currency), if the account has it set up.
    fn account_currency(&self, code: Option<&str>) -> Result<&Currency, ApiError> {
        let code = code
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| self.home_currency.clone());
        self.currencies
            .iter()
            .find(|c| c.code == code)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "InvalidCurrency",
                    format!("Currency.Code: '{code}' is not a currency set up on this account."),
                )
            })
    }

    pub fn next_invoice_number(&self) -> i64 {
        self.invoices.keys().next_back().map_or(1, |n| n + 1)
    }

    // ----- customers ---------------------------------------------------------------------
}

/// Text longer than KashFlow keeps (`kashflow::limits`, our strict guess) is refused.
fn check_len(path: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value.map(|v| v.chars().count()) {
        Some(n) if n > max => Err(ApiError::bad_request(
            "TextTooLong",
            format!("{path}: {n} characters; KashFlow keeps at most {max}."),
        )),
        _ => Ok(()),
    }
}

fn check_address_text(path: &str, a: &crate::kashflow::model::Address) -> Result<(), ApiError> {
    use crate::kashflow::limits::{ADDRESS_LINE, POST_CODE};
    for (name, v) in [
        ("Line1", &a.line1),
        ("Line2", &a.line2),
        ("Line3", &a.line3),
        ("Line4", &a.line4),
        ("CountryName", &a.country_name),
    ] {
        check_len(&format!("{path}.{name}"), v.as_deref(), ADDRESS_LINE)?;
    }
    check_len(
        &format!("{path}.PostCode"),
        a.post_code.as_deref(),
        POST_CODE,
    )
}

mod credits;
mod customers;
mod invoices;
mod payments;
mod products;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn account_with_customer() -> Account {
        let mut a = Account::seeded();
        a.create_customer(&json!({"Code": "NOP000001", "Name": "Ada Lovelace",
            "Addresses": [{"Line1": "1 Analytical St", "PostCode": "SW1A 1AA", "CountryCode": "GB"}]}))
            .unwrap();
        a
    }

    fn invoice_body(number: Option<i64>) -> Value {
        let mut v = json!({
            "CustomerCode": "nop000001",
            "IssuedDate": "2026-05-01 12:00:00",
            "LineItems": [
                {"Description": "Classic Mug", "Quantity": 3, "Rate": 8.33, "VATLevel": 20,
                 "NominalCode": 4000, "ProductCode": "MUG-CLASSIC"},
                {"Description": "Delivery", "Quantity": 1, "Rate": 4.17, "VATLevel": 20,
                 "VATAmount": 0.83, "NominalCode": 4900}
            ]
        });
        if let Some(n) = number {
            v["Number"] = json!(n);
        }
        v
    }

    #[test]
    fn invoice_totals_stock_and_numbering() {
        let mut a = account_with_customer();
        let inv = a.create_invoice(&invoice_body(None)).unwrap();
        assert_eq!(inv.number, Some(1));
        assert_eq!(inv.net_amount, Some(d("29.16")));
        // 3 × 8.33 × 20% = 4.998 → 5.00; delivery 0.834 → 0.83 as sent.
        assert_eq!(inv.vat_amount, Some(d("5.83")));
        assert_eq!(inv.gross_amount, Some(d("34.99")));
        assert_eq!(inv.status.as_deref(), Some("Outstanding"));
        assert_eq!(inv.due_date.unwrap().to_string(), "2026-05-31 12:00:00");
        assert_eq!(
            a.product("MUG-CLASSIC").unwrap().quantity_in_stock,
            d("117")
        );
        let inv2 = a.create_invoice(&invoice_body(Some(100005))).unwrap();
        assert_eq!(inv2.number, Some(100005));
        assert_eq!(
            a.create_invoice(&invoice_body(None)).unwrap().number,
            Some(100006)
        );
        let e = a.create_invoice(&invoice_body(Some(100005))).unwrap_err();
        assert_eq!(e.code, "DuplicateInvoiceNumber");
        assert_eq!(a.customer("NOP000001").unwrap().invoice_count, Some(3));
    }

    #[test]
    fn refuses_what_kashflow_refuses() {
        let mut a = account_with_customer();
        // Longer text than KashFlow keeps (our strict guess, kashflow::limits).
        let mut b = invoice_body(None);
        b["LineItems"][0]["Description"] = json!("d".repeat(501));
        let e = a.create_invoice(&b).unwrap_err();
        assert_eq!(
            (
                e.code.as_str(),
                e.message.contains("LineItems[0].Description")
            ),
            ("TextTooLong", true)
        );
        b["LineItems"][0]["Description"] = json!("é".repeat(500));
        b["CustomerReference"] = json!("r".repeat(101));
        assert_eq!(a.create_invoice(&b).unwrap_err().code, "TextTooLong");
        let mut b = invoice_body(None);
        b["CustomerCode"] = json!("NOBODY");
        assert_eq!(
            a.create_invoice(&b).unwrap_err().code,
            "InvalidCustomerCode"
        );
        let mut b = invoice_body(None);
        b["LineItems"][0]["VATAmount"] = json!(4.97);
        let e = a.create_invoice(&b).unwrap_err();
        assert_eq!(e.code, "InvalidVATAmount");
        assert!(
            e.message.contains("LineItems[0].VATAmount"),
            "{}",
            e.message
        );
        b["LineItems"][0]["VATAmount"] = json!(4.99);
        assert!(a.create_invoice(&b).is_ok(), "0.01 apart is accepted");
        let mut b = invoice_body(None);
        b["LineItems"][0]["VATLevel"] = json!(17.5);
        assert_eq!(a.create_invoice(&b).unwrap_err().code, "InvalidVATLevel");
        let mut b = invoice_body(None);
        b["LineItems"][0]["ProductCode"] = json!("NOPE");
        assert_eq!(a.create_invoice(&b).unwrap_err().code, "InvalidProductCode");
        let mut b = invoice_body(None);
        b["LineItems"][0]["Quantity"] = json!(1000);
        assert_eq!(a.create_invoice(&b).unwrap_err().code, "InsufficientStock");
        a.allow_negative_stock = true;
        assert!(a.create_invoice(&b).is_ok());
        let e = a
            .create_customer(&json!({"Code": "nop000001", "Name": "Someone"}))
            .unwrap_err();
        assert_eq!(e.code, "DuplicateCustomerCode");
        let c = a
            .create_customer(&json!({"Code": "NOP000001", "Name": "Someone",
                "CreateCustomerCodeIfDuplicate": true}))
            .unwrap();
        assert_eq!(c.code, "SOM01");
    }

    #[test]
    fn payments_set_status_and_update_adjusts_stock_by_difference() {
        let mut a = account_with_customer();
        let inv = a.create_invoice(&invoice_body(Some(7))).unwrap();
        let mut body = serde_json::to_value(&inv).unwrap();
        body["PaymentLines"] = json!([{"Date": "2026-05-02 12:00:00", "Amount": 34.99,
            "Method": 4, "AccountId": 2, "Note": "card"}]);
        body["LineItems"][0]["Quantity"] = json!(5);
        body["LineItems"][0]["VATAmount"] = json!(8.33);
        body["PaymentLines"][0]["Amount"] = json!(54.98);
        let paid = a.update_invoice(7, &body).unwrap();
        assert_eq!(paid.gross_amount, Some(d("54.98")));
        assert_eq!(paid.status.as_deref(), Some("Paid"));
        assert_eq!(paid.paid_date.unwrap().to_string(), "2026-05-02 12:00:00");
        assert_eq!(paid.due_amount, Some(d("0")));
        assert_eq!(
            a.product("MUG-CLASSIC").unwrap().quantity_in_stock,
            d("115")
        );
        // Over-payment refused.
        body["PaymentLines"][0]["Amount"] = json!(60);
        assert_eq!(
            a.update_invoice(7, &body).unwrap_err().code,
            "InvalidPaymentAmount"
        );
        assert_eq!(a.delete_invoice(7).unwrap_err().code, "InvoiceHasPayments");
    }

    #[test]
    fn bulk_payment_is_all_or_nothing() {
        let mut a = account_with_customer();
        a.create_invoice(&invoice_body(Some(1))).unwrap();
        a.create_invoice(&invoice_body(Some(2))).unwrap();
        let bad = json!({"Date": "2026-05-03 12:00:00", "AccountId": 1, "Method": 3,
            "PaymentItems": [{"Amount": 10, "ObjectNumber": 1}, {"Amount": 10, "ObjectNumber": 99}]});
        assert_eq!(
            a.create_bulk_payment(&bad).unwrap_err().code,
            "InvalidInvoiceNumber"
        );
        assert!(a
            .invoice(1)
            .unwrap()
            .payment_lines
            .as_ref()
            .unwrap()
            .is_empty());
        let good = json!({"Date": "2026-05-03 12:00:00", "AccountId": 1, "Method": 3,
            "PaymentItems": [{"Amount": 34.99, "ObjectNumber": 1}, {"Amount": 10, "ObjectNumber": 2}]});
        let bulk = a.create_bulk_payment(&good).unwrap();
        assert_eq!(bulk.number, Some(1));
        assert_eq!(a.invoice(1).unwrap().status.as_deref(), Some("Paid"));
        let p = &a.invoice(2).unwrap().payment_lines.as_ref().unwrap()[0];
        assert_eq!((p.bulk_id, p.amount), (Some(1), d("10")));
    }
}
