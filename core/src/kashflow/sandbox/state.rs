//! The sandbox account's data and KashFlow's business rules over it: customers, invoices with
//! their totals and payments, products and stock, lookups. No HTTP here — the server decodes the
//! request body to a JSON value, calls one of these operations and serialises the result, so the
//! rules can be unit-tested directly.
//!
//! Every refusal is an [`ApiError`] (400 with a code and a message naming the field, or 404).

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

    pub fn next_invoice_number(&self) -> i64 {
        self.invoices.keys().next_back().map_or(1, |n| n + 1)
    }

    // ----- customers ---------------------------------------------------------------------

    fn generate_code(&self, name: &str) -> String {
        let mut prefix: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(3)
            .collect::<String>()
            .to_uppercase();
        while prefix.len() < 3 {
            prefix.push('X');
        }
        (1..)
            .map(|n| format!("{prefix}{n:02}"))
            .find(|c| !self.customers.contains_key(c))
            .expect("an unused code exists")
    }

    fn customer_currency(
        &self,
        req: Option<&CustomerCurrency>,
    ) -> Result<CustomerCurrency, ApiError> {
        let code = req
            .map(|c| c.code.trim().to_uppercase())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| self.home_currency.clone());
        let c = self
            .currencies
            .iter()
            .find(|c| c.code == code)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "InvalidCurrency",
                    format!("Currency.Code: '{code}' is not a currency set up on this account."),
                )
            })?;
        Ok(CustomerCurrency {
            code: c.code.clone(),
            exchange_rate: c.exchange_rate,
            display_on_right: Some(c.display_symbol_on_right),
            name: Some(c.name.clone()),
            symbol: Some(c.symbol.clone()),
        })
    }

    fn fill_customer(
        &self,
        req: Customer,
        existing: Option<&Customer>,
    ) -> Result<Customer, ApiError> {
        let now = now_london();
        let currency = self.customer_currency(req.currency.as_ref())?;
        if let Some(d) = req.discount_rate {
            if d < Decimal::ZERO || d > Decimal::from(100) {
                return Err(ApiError::bad_request(
                    "InvalidDiscountRate",
                    format!("DiscountRate must be between 0 and 100, not {d}."),
                ));
            }
        }
        let mut c = Customer {
            id: existing.and_then(|e| e.id),
            display_name: Some(req.name.clone()),
            email: Some(req.email.clone().unwrap_or_default()),
            telephone_number: Some(req.telephone_number.clone().unwrap_or_default()),
            mobile_number: Some(req.mobile_number.clone().unwrap_or_default()),
            website: Some(req.website.clone().unwrap_or_default()),
            fax_number: Some(req.fax_number.clone().unwrap_or_default()),
            vat_number: Some(req.vat_number.clone().unwrap_or_default()),
            note: Some(req.note.clone().unwrap_or_default()),
            created_date: Some(existing.and_then(|e| e.created_date).unwrap_or(now)),
            last_updated_date: Some(now),
            create_customer_code_if_duplicate: false,
            create_customer_name_if_empty_or_null: false,
            key: Some(
                existing
                    .and_then(|e| e.key.clone())
                    .unwrap_or_else(|| Uuid::new_v4().to_string()),
            ),
            currency: Some(currency),
            payment_terms: Some(req.payment_terms.clone().unwrap_or(PaymentTerms {
                days: 30,
                kind: "AfterInvoiceDate".into(),
            })),
            discount_rate: Some(req.discount_rate.unwrap_or(Decimal::ZERO)),
            is_archived: Some(req.is_archived.unwrap_or(false)),
            ..req
        };
        // Statistics are KashFlow's, never the caller's.
        c.invoice_count = None;
        c.outstanding_balance = None;
        c.total_paid_amount = None;
        c.invoiced_net_amount = None;
        c.invoiced_vat_amount = None;
        c.first_invoice_date = None;
        c.last_invoice_date = None;
        Ok(c)
    }

    /// `POST /customers`.
    pub fn create_customer(&mut self, raw: &Value) -> Result<Customer, ApiError> {
        let mut req: Customer = decode(raw, "customer")?;
        check_customer_text(&req)?;
        req.code = req.code.trim().to_owned();
        req.name = req.name.trim().to_owned();
        if req.name.is_empty() {
            if !req.create_customer_name_if_empty_or_null {
                return Err(ApiError::bad_request(
                    "InvalidCustomerName",
                    "Name: a customer needs a name.",
                ));
            }
            req.name = req
                .contacts
                .iter()
                .find_map(|k| {
                    let full = [k.first_name.as_deref(), k.last_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    (!full.trim().is_empty()).then_some(full)
                })
                .or_else(|| req.email.clone().filter(|e| !e.trim().is_empty()))
                .unwrap_or_else(|| "Customer".into());
        }
        if req.code.is_empty() {
            req.code = self.generate_code(&req.name);
        } else if self.customers.contains_key(&upper(&req.code)) {
            if !req.create_customer_code_if_duplicate {
                return Err(ApiError::bad_request(
                    "DuplicateCustomerCode",
                    format!(
                        "Code: customer code '{}' is already used by another customer.",
                        req.code
                    ),
                ));
            }
            req.code = self.generate_code(&req.name);
        }
        let mut c = self.fill_customer(req, None)?;
        c.id = Some(self.next_customer_id);
        self.next_customer_id += 1;
        let key = upper(&c.code);
        self.customers.insert(key.clone(), c);
        self.refresh_customer_stats(&key);
        Ok(self.customers[&key].clone())
    }

    /// `PUT /customers/{code}`: full replacement of what the caller may set.
    pub fn update_customer(&mut self, code: &str, raw: &Value) -> Result<Customer, ApiError> {
        let key = upper(code);
        let existing = self
            .customers
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("Customer '{code}' was not found.")))?;
        let mut req: Customer = decode(raw, "customer")?;
        check_customer_text(&req)?;
        if !req.code.trim().is_empty() && upper(&req.code) != key {
            return Err(ApiError::bad_request(
                "InvalidCustomerCode",
                format!(
                    "Code: '{}' does not match the customer being updated ('{}').",
                    req.code.trim(),
                    existing.code
                ),
            ));
        }
        req.code = existing.code.clone();
        req.name = req.name.trim().to_owned();
        if req.name.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidCustomerName",
                "Name: a customer needs a name (PUT replaces the whole customer).",
            ));
        }
        let c = self.fill_customer(req, Some(&existing))?;
        self.customers.insert(key.clone(), c);
        self.refresh_customer_stats(&key);
        for inv in self.invoices.values_mut() {
            if upper(&inv.customer_code) == key {
                inv.customer_name = Some(self.customers[&key].name.clone());
            }
        }
        Ok(self.customers[&key].clone())
    }

    fn refresh_customer_stats(&mut self, key: &str) {
        let mine: Vec<&Invoice> = self
            .invoices
            .values()
            .filter(|i| upper(&i.customer_code) == key)
            .collect();
        let sum = |f: &dyn Fn(&Invoice) -> Option<Decimal>| -> Decimal {
            mine.iter().filter_map(|i| f(i)).sum()
        };
        let net = sum(&|i| i.net_amount);
        let vat = sum(&|i| i.vat_amount);
        let paid = sum(&|i| i.total_paid_amount);
        let due = sum(&|i| i.due_amount);
        let first = mine.iter().filter_map(|i| i.issued_date).min();
        let last = mine.iter().filter_map(|i| i.issued_date).max();
        let count = mine.len() as i64;
        if let Some(c) = self.customers.get_mut(key) {
            c.invoice_count = Some(count);
            c.invoiced_net_amount = Some(net);
            c.invoiced_vat_amount = Some(vat);
            c.total_paid_amount = Some(paid);
            c.outstanding_balance = Some(due);
            c.first_invoice_date = Some(first.unwrap_or_else(never));
            c.last_invoice_date = Some(last.unwrap_or_else(never));
        }
    }

    // ----- invoices ----------------------------------------------------------------------

    fn invoice_currency(&self, req: Option<&InvoiceCurrency>) -> Result<InvoiceCurrency, ApiError> {
        let code = req
            .map(|c| c.code.trim().to_uppercase())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| self.home_currency.clone());
        let c = self
            .currencies
            .iter()
            .find(|c| c.code == code)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "InvalidCurrency",
                    format!("Currency.Code: '{code}' is not a currency set up on this account."),
                )
            })?;
        let sent_rate = req.map(|c| c.exchange_rate).unwrap_or_default();
        let rate = if sent_rate.is_zero() {
            c.exchange_rate
        } else {
            sent_rate
        };
        if rate <= Decimal::ZERO {
            return Err(ApiError::bad_request(
                "InvalidExchangeRate",
                format!("Currency.ExchangeRate must be positive, not {rate}."),
            ));
        }
        if code == self.home_currency && rate != Decimal::ONE {
            return Err(ApiError::bad_request(
                "InvalidExchangeRate",
                format!(
                    "Currency.ExchangeRate: the home currency {code} always has rate 1, not {rate}."
                ),
            ));
        }
        Ok(InvoiceCurrency {
            code: c.code.clone(),
            exchange_rate: rate,
            id: c.id,
            name: Some(c.name.clone()),
            symbol: Some(c.symbol.clone()),
            display_symbol_on_right: Some(c.display_symbol_on_right),
        })
    }

    fn price_line(
        &self,
        i: usize,
        line: &LineItem,
        raw_line: Option<&Value>,
    ) -> Result<LineItem, ApiError> {
        let at = |field: &str| format!("LineItems[{i}].{field}");
        let bad = |code: &str, msg: String| Err(ApiError::bad_request(code, msg));
        if line.quantity.is_zero() {
            return bad(
                "InvalidQuantity",
                format!("{}: must not be zero.", at("Quantity")),
            );
        }
        if !max_dp(line.quantity, 4) {
            return bad(
                "InvalidQuantity",
                format!(
                    "{}: {} has more than 4 decimal places.",
                    at("Quantity"),
                    line.quantity
                ),
            );
        }
        if !max_dp(line.rate, 4) {
            return bad(
                "InvalidRate",
                format!(
                    "{}: {} has more than 4 decimal places.",
                    at("Rate"),
                    line.rate
                ),
            );
        }
        if line.vat_exempt {
            if !line.vat_level.is_zero() {
                return bad(
                    "InvalidVATLevel",
                    format!(
                        "{}: a VAT-exempt line must have VATLevel 0, not {}.",
                        at("VATLevel"),
                        line.vat_level.normalize()
                    ),
                );
            }
        } else if !self.vat_rates.iter().any(|r| r.vat_rate == line.vat_level) {
            let rates: Vec<String> = self
                .vat_rates
                .iter()
                .map(|r| r.vat_rate.normalize().to_string())
                .collect();
            return bad(
                "InvalidVATLevel",
                format!(
                    "{}: {} is not one of this account's VAT rates ({}).",
                    at("VATLevel"),
                    line.vat_level.normalize(),
                    rates.join(", ")
                ),
            );
        }
        if line.nominal_code == 0 {
            return bad(
                "InvalidNominalCode",
                format!("{}: is required.", at("NominalCode")),
            );
        }
        if !self.nominals.contains_key(&line.nominal_code) {
            return bad(
                "InvalidNominalCode",
                format!(
                    "{}: {} is not a nominal code on this account.",
                    at("NominalCode"),
                    line.nominal_code
                ),
            );
        }
        let mut out = line.clone();
        out.number = i as i64 + 1;
        if blank(&line.product_code) {
            out.product_code = None;
        } else {
            let code = line.product_code.as_deref().unwrap_or_default().trim();
            match self.product(code) {
                None => {
                    return bad(
                        "InvalidProductCode",
                        format!(
                            "{}: '{code}' is not a product on this account.",
                            at("ProductCode")
                        ),
                    )
                }
                Some(p) if p.nominal_code != line.nominal_code => {
                    return bad(
                        "InvalidProductCode",
                        format!(
                            "{}: product '{code}' belongs to nominal {}, not {}.",
                            at("ProductCode"),
                            p.nominal_code,
                            line.nominal_code
                        ),
                    )
                }
                Some(p) => {
                    out.product_code = Some(p.code.clone());
                    if blank(&line.product_name) {
                        out.product_name = Some(p.name.clone());
                    }
                }
            }
        }
        let computed = if line.vat_exempt {
            Decimal::ZERO
        } else {
            round_money(line.quantity * line.rate * line.vat_level / Decimal::ONE_HUNDRED)
        };
        let sent = raw_line
            .and_then(|l| caseless::get(l, "VATAmount"))
            .filter(|v| !v.is_null())
            .map(|_| line.vat_amount);
        out.vat_amount = match sent {
            None => computed,
            Some(s) => {
                if !max_dp(s, 2) {
                    return bad(
                        "InvalidVATAmount",
                        format!("{}: {} has more than 2 decimal places.", at("VATAmount"), s),
                    );
                }
                if (s - computed).abs() > Decimal::new(1, 2) {
                    return bad(
                        "InvalidVATAmount",
                        format!(
                            "{}: {} does not match Quantity × Rate × VATLevel% = {} (more than 0.01 apart).",
                            at("VATAmount"),
                            s.normalize(),
                            computed
                        ),
                    );
                }
                s
            }
        };
        Ok(out)
    }

    fn price_payments(
        &mut self,
        number: i64,
        req: &[PaymentLine],
        previous: Option<&Invoice>,
    ) -> Result<Vec<PaymentLine>, ApiError> {
        let known: Vec<&PaymentLine> = previous
            .and_then(|p| p.payment_lines.as_ref())
            .map(|l| l.iter().collect())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(req.len());
        for (i, p) in req.iter().enumerate() {
            let at = |field: &str| format!("PaymentLines[{i}].{field}");
            let bad = |code: &str, msg: String| Err(ApiError::bad_request(code, msg));
            // A credit allocation sent back with its Id is kept as KashFlow wrote it; a new one
            // can only be made through the credits endpoint.
            if let Some(old) =
                p.id.filter(|id| *id > 0)
                    .and_then(|id| known.iter().find(|k| k.id == Some(id)))
                    .filter(|k| k.is_payment_credit_note == Some(true))
            {
                out.push((*old).clone());
                continue;
            }
            if p.is_payment_credit_note == Some(true) {
                return bad(
                    "InvalidPaymentLine",
                    format!(
                        "{}: a credit allocation is made by applying the credit (POST /internal/invoices/{{id}}/credits), not as a payment line.",
                        at("IsPaymentCreditNote")
                    ),
                );
            }
            if p.amount <= Decimal::ZERO || !max_dp(p.amount, 2) {
                return bad(
                    "InvalidPaymentAmount",
                    format!(
                        "{}: {} must be a positive amount in pence.",
                        at("Amount"),
                        p.amount
                    ),
                );
            }
            if p.date.is_none() {
                return bad(
                    "InvalidPaymentDate",
                    format!("{}: is required.", at("Date")),
                );
            }
            if !self.payment_methods.iter().any(|m| m.id == p.method) {
                return bad(
                    "InvalidPaymentMethod",
                    format!(
                        "{}: {} is not an invoice payment method on this account.",
                        at("Method"),
                        p.method
                    ),
                );
            }
            if !self
                .bank_accounts
                .iter()
                .any(|b| b.id == p.account_id && !b.is_archived)
            {
                return bad(
                    "InvalidBankAccount",
                    format!(
                        "{}: {} is not a bank account on this account.",
                        at("AccountId"),
                        p.account_id
                    ),
                );
            }
            let mut line = p.clone();
            match p.id.filter(|id| *id > 0) {
                Some(id) => {
                    let old = known.iter().find(|k| k.id == Some(id)).ok_or_else(|| {
                        ApiError::bad_request(
                            "InvalidPaymentId",
                            format!("{}: payment {id} is not on invoice {number}.", at("Id")),
                        )
                    })?;
                    line.permalink = old.permalink.clone();
                    line.bulk_id = old.bulk_id;
                    line.bulk_payment_number = old.bulk_payment_number;
                }
                None => {
                    line.id = Some(self.next_payment_id);
                    self.next_payment_id += 1;
                    line.permalink =
                        Some(format!("/v2/documents/invoice/payment/{}", Uuid::new_v4()));
                }
            }
            line.invoice_number = Some(number);
            line.note = Some(line.note.unwrap_or_default());
            line.is_payment_credit_note = None;
            out.push(line);
        }
        // Strict: an allocation cannot be dropped by leaving it out of a PUT.
        if let Some(gone) = known
            .iter()
            .find(|k| k.is_payment_credit_note == Some(true) && !out.iter().any(|o| o.id == k.id))
        {
            return Err(ApiError::bad_request(
                "InvalidPaymentLine",
                format!(
                    "PaymentLines: the credit allocation {} of {} must be sent back with its Id; unallocate it first to remove it.",
                    gone.id.unwrap_or_default(),
                    gone.amount
                ),
            ));
        }
        Ok(out)
    }

    /// Validate a create/update body and compute everything KashFlow computes.
    fn build_invoice(
        &mut self,
        raw: &Value,
        req: Invoice,
        number: i64,
        previous: Option<&Invoice>,
    ) -> Result<Invoice, ApiError> {
        let code = req.customer_code.trim();
        if code.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidCustomerCode",
                "CustomerCode: an invoice needs the code of an existing customer.",
            ));
        }
        let customer = self.customer(code).cloned().ok_or_else(|| {
            ApiError::bad_request(
                "InvalidCustomerCode",
                format!("CustomerCode: customer '{code}' does not exist."),
            )
        })?;
        let issued = req.issued_date.ok_or_else(|| {
            ApiError::bad_request("InvalidIssuedDate", "IssuedDate: is required.")
        })?;
        let due = match req.due_date {
            Some(d) => d,
            None => {
                let terms = customer.payment_terms.clone().unwrap_or_default();
                let base = if terms.kind.eq_ignore_ascii_case("AfterMonthEnd") {
                    end_of_month(issued.date())
                } else {
                    issued.date()
                };
                let days = if terms.days > 0 { terms.days } else { 30 };
                KfDateTime::from_date(base + ChronoDuration::days(days))
            }
        };
        if due.date() < issued.date() {
            return Err(ApiError::bad_request(
                "InvalidDueDate",
                format!("DueDate: {due} is before IssuedDate {issued}."),
            ));
        }
        let currency = self.invoice_currency(req.currency.as_ref())?;
        let lines = req.line_items.clone().unwrap_or_default();
        if lines.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidLineItems",
                "LineItems: an invoice needs at least one line.",
            ));
        }
        let raw_lines = caseless::get(raw, "LineItems").and_then(Value::as_array);
        let mut priced = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            priced.push(self.price_line(i, l, raw_lines.and_then(|r| r.get(i)))?);
        }
        let net: Decimal = priced
            .iter()
            .map(|l| round_money(l.quantity * l.rate))
            .sum();
        let vat: Decimal = priced.iter().map(|l| l.vat_amount).sum();
        let gross = net + vat;
        // A negative total makes the document a credit note (kashflow::credit_note).
        let credit_note = gross < Decimal::ZERO;
        if credit_note {
            if let Some(i) = priced.iter().position(|l| l.quantity <= Decimal::ZERO) {
                return Err(ApiError::bad_request(
                    "InvalidQuantity",
                    format!(
                        "LineItems[{i}].Quantity: a credit note keeps Quantity positive and makes Rate and VATAmount negative."
                    ),
                ));
            }
        }
        if previous.is_some_and(|p| cn::is_credit_note(p) != credit_note) {
            return Err(ApiError::bad_request(
                "InvalidLineItems",
                "LineItems: an update cannot turn an invoice into a credit note or back.",
            ));
        }
        let payments = self.price_payments(
            number,
            req.payment_lines.as_deref().unwrap_or_default(),
            previous,
        )?;
        let paid: Decimal = payments.iter().map(|p| p.amount).sum();
        if paid > gross.abs() {
            return Err(ApiError::bad_request(
                "InvalidPaymentAmount",
                format!(
                    "PaymentLines: payments total {paid} but the {} total is {gross}.",
                    if credit_note {
                        "credit note"
                    } else {
                        "invoice"
                    }
                ),
            ));
        }
        // A credit note's due amount is the credit still open, as a negative amount.
        let due_amount = if credit_note {
            gross + paid
        } else {
            gross - paid
        };
        let last_payment = payments.iter().filter_map(|p| p.date).max();
        let is_paid = if credit_note {
            due_amount >= Decimal::ZERO
        } else {
            due_amount <= Decimal::ZERO
        };
        let today = now_london().date();
        let overdue = if !is_paid && due.date() < today {
            (today - due.date()).num_days()
        } else {
            0
        };
        let first_address = customer.addresses.first().cloned();
        let address = match req.address.clone() {
            Some(a) if a != Address::default() => Some(a),
            _ => first_address,
        };
        Ok(Invoice {
            id: previous.and_then(|p| p.id),
            number: Some(number),
            customer_code: customer.code.clone(),
            customer_name: Some(customer.name.clone()),
            customer_reference: Some(req.customer_reference.clone().unwrap_or_default()),
            issued_date: Some(issued),
            due_date: Some(due),
            currency: Some(currency.clone()),
            address,
            delivery_address: req.delivery_address.clone(),
            use_custom_delivery_address: req.use_custom_delivery_address,
            vat_number: Some(req.vat_number.clone().unwrap_or_default()),
            line_items: Some(priced),
            payment_lines: Some(payments),
            net_amount: Some(net),
            vat_amount: Some(vat),
            gross_amount: Some(gross),
            total_paid_amount: Some(paid),
            due_amount: Some(due_amount),
            home_currency_gross_amount: Some(round_money(gross / currency.exchange_rate)),
            status: Some(if is_paid { "Paid" } else { "Outstanding" }.into()),
            paid_date: if is_paid { last_payment } else { None },
            last_payment_date: last_payment,
            permalink: Some(
                previous
                    .and_then(|p| p.permalink.clone())
                    .unwrap_or_else(|| format!("/v2/documents/invoice/{}", Uuid::new_v4())),
            ),
            customer_id: customer.id,
            overdue_days: Some(if credit_note { 0 } else { overdue }),
            doc_type: Some(
                if credit_note {
                    cn::CREDIT_NOTE_TYPE
                } else {
                    cn::INVOICE_TYPE
                }
                .into(),
            ),
        })
    }

    /// Stock each stock-managed product would change by going from `old` lines to `new` lines;
    /// refuses (unless negative stock is allowed) when a product would go below zero.
    fn stock_moves(
        &self,
        old: &[LineItem],
        new: &[LineItem],
        credit_note: bool,
    ) -> Result<Vec<(String, Decimal)>, ApiError> {
        let mut delta: BTreeMap<String, Decimal> = BTreeMap::new();
        // An invoice line takes stock out; a credit-note line puts it back.
        let (undo, apply) = if credit_note {
            (Decimal::NEGATIVE_ONE, Decimal::ONE)
        } else {
            (Decimal::ONE, Decimal::NEGATIVE_ONE)
        };
        for (lines, sign) in [(old, undo), (new, apply)] {
            for l in lines {
                if let Some(code) = l.product_code.as_deref() {
                    if self.product(code).is_some_and(|p| p.manage_stock_level) {
                        *delta.entry(upper(code)).or_default() += sign * l.quantity;
                    }
                }
            }
        }
        let moves: Vec<(String, Decimal)> =
            delta.into_iter().filter(|(_, d)| !d.is_zero()).collect();
        if !self.allow_negative_stock {
            for (key, d) in &moves {
                let p = &self.products[key];
                if p.quantity_in_stock + d < Decimal::ZERO {
                    return Err(ApiError::bad_request(
                        "InsufficientStock",
                        format!(
                            "Not enough stock of '{}': {} in stock, {} needed.",
                            p.code,
                            p.quantity_in_stock.normalize(),
                            (-*d).normalize()
                        ),
                    ));
                }
            }
        }
        Ok(moves)
    }

    fn apply_stock(&mut self, moves: Vec<(String, Decimal)>) {
        for (key, d) in moves {
            if let Some(p) = self.products.get_mut(&key) {
                p.quantity_in_stock += d;
            }
        }
    }

    /// `POST /invoices`. A caller-supplied `Number` must be unique; none (or 0) means max + 1.
    pub fn create_invoice(&mut self, raw: &Value) -> Result<Invoice, ApiError> {
        let req: Invoice = decode(raw, "invoice")?;
        check_invoice_text(&req)?;
        let number = match req.number {
            Some(n) if n < 0 => {
                return Err(ApiError::bad_request(
                    "InvalidInvoiceNumber",
                    format!("Number: {n} is not a valid invoice number."),
                ))
            }
            Some(n) if n > 0 => {
                if self.invoices.contains_key(&n) {
                    return Err(ApiError::bad_request(
                        "DuplicateInvoiceNumber",
                        format!("Number: invoice number {n} already exists."),
                    ));
                }
                n
            }
            _ => self.next_invoice_number(),
        };
        let next_payment_id = self.next_payment_id;
        let mut inv = match self.build_invoice(raw, req, number, None) {
            Ok(inv) => inv,
            Err(e) => {
                self.next_payment_id = next_payment_id;
                return Err(e);
            }
        };
        let moves = match self.stock_moves(
            &[],
            inv.line_items.as_deref().unwrap_or_default(),
            cn::is_credit_note(&inv),
        ) {
            Ok(m) => m,
            Err(e) => {
                self.next_payment_id = next_payment_id;
                return Err(e);
            }
        };
        self.apply_stock(moves);
        inv.id = Some(self.next_invoice_id);
        self.next_invoice_id += 1;
        let key = upper(&inv.customer_code);
        self.invoices.insert(number, inv);
        self.refresh_customer_stats(&key);
        Ok(self.invoices[&number].clone())
    }

    /// `PUT /invoices/{number}`: full replacement. Lines and payments not in the body are gone;
    /// existing payments are kept by sending them back with their `Id`.
    pub fn update_invoice(&mut self, number: i64, raw: &Value) -> Result<Invoice, ApiError> {
        let previous = self
            .invoices
            .get(&number)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("Invoice {number} was not found.")))?;
        let req: Invoice = decode(raw, "invoice")?;
        check_invoice_text(&req)?;
        if let Some(n) = req.number.filter(|n| *n != 0 && *n != number) {
            return Err(ApiError::bad_request(
                "InvalidInvoiceNumber",
                format!("Number: {n} does not match the invoice being updated ({number})."),
            ));
        }
        let next_payment_id = self.next_payment_id;
        let built = self
            .build_invoice(raw, req, number, Some(&previous))
            .and_then(|inv| {
                let moves = self.stock_moves(
                    previous.line_items.as_deref().unwrap_or_default(),
                    inv.line_items.as_deref().unwrap_or_default(),
                    cn::is_credit_note(&inv),
                )?;
                Ok((inv, moves))
            });
        let (inv, moves) = match built {
            Ok(x) => x,
            Err(e) => {
                self.next_payment_id = next_payment_id;
                return Err(e);
            }
        };
        self.apply_stock(moves);
        let old_key = upper(&previous.customer_code);
        let new_key = upper(&inv.customer_code);
        self.invoices.insert(number, inv);
        self.refresh_customer_stats(&old_key);
        self.refresh_customer_stats(&new_key);
        Ok(self.invoices[&number].clone())
    }

    /// `DELETE /invoices/{number}`: gives the stock back. Refused while payments are recorded.
    pub fn delete_invoice(&mut self, number: i64) -> Result<(), ApiError> {
        let inv = self
            .invoices
            .get(&number)
            .ok_or_else(|| ApiError::not_found(format!("Invoice {number} was not found.")))?;
        if inv.payment_lines.as_ref().is_some_and(|p| !p.is_empty()) {
            return Err(ApiError::bad_request(
                "InvoiceHasPayments",
                format!("Invoice {number} has payments; remove them before deleting it."),
            ));
        }
        let moves = self.stock_moves(
            inv.line_items.as_deref().unwrap_or_default(),
            &[],
            cn::is_credit_note(inv),
        )?;
        let key = upper(&inv.customer_code);
        self.apply_stock(moves);
        self.invoices.remove(&number);
        self.refresh_customer_stats(&key);
        Ok(())
    }

    fn invoice_by_id(&self, id: i64) -> Option<i64> {
        self.invoices
            .values()
            .find(|i| i.id == Some(id))
            .and_then(|i| i.number)
    }

    /// Totals that follow from the payment lines (after an allocation was added).
    fn retotal(inv: &mut Invoice) {
        let gross = inv.gross_amount.unwrap_or_default();
        let credit_note = cn::is_credit_note(inv);
        let lines = inv.payment_lines.as_deref().unwrap_or_default();
        let paid: Decimal = lines.iter().map(|p| p.amount).sum();
        let last = lines.iter().filter_map(|p| p.date).max();
        let due = if credit_note {
            gross + paid
        } else {
            gross - paid
        };
        let is_paid = if credit_note {
            due >= Decimal::ZERO
        } else {
            due <= Decimal::ZERO
        };
        inv.total_paid_amount = Some(paid);
        inv.due_amount = Some(due);
        inv.last_payment_date = last;
        inv.paid_date = if is_paid { last } else { None };
        inv.status = Some(if is_paid { "Paid" } else { "Outstanding" }.into());
        if is_paid {
            inv.overdue_days = Some(0);
        }
    }

    /// `GET /internal/invoices/{invoiceid}/credits`: the customer's credit notes (same currency)
    /// that still have credit.
    pub fn credits_for(&self, invoice_id: i64) -> Result<Vec<CreditApplication>, ApiError> {
        let number = self.invoice_by_id(invoice_id).ok_or_else(|| {
            ApiError::not_found(format!("Invoice with Id {invoice_id} was not found."))
        })?;
        let inv = &self.invoices[&number];
        let code = inv.currency.as_ref().map(|c| c.code.clone());
        Ok(self
            .invoices
            .values()
            .filter(|c| {
                cn::is_credit_note(c)
                    && c.customer_code.eq_ignore_ascii_case(&inv.customer_code)
                    && c.currency.as_ref().map(|c| c.code.clone()) == code
                    && cn::credit_left(c) > Decimal::ZERO
            })
            .map(|c| CreditApplication {
                id: c.id.unwrap_or_default(),
                credit_type: cn::CREDIT_NOTE_TYPE.into(),
                amount: cn::credit_left(c),
                date: c.issued_date,
                comment: Some(format!("Credit note {}", c.number.unwrap_or_default())),
            })
            .collect())
    }

    /// `POST /internal/invoices/{invoiceid}/credits`: apply a credit note to an invoice.
    pub fn apply_credit(
        &mut self,
        invoice_id: i64,
        raw: &Value,
    ) -> Result<CreditApplication, ApiError> {
        let number = self.invoice_by_id(invoice_id).ok_or_else(|| {
            ApiError::not_found(format!("Invoice with Id {invoice_id} was not found."))
        })?;
        let req: CreditApplication = decode(raw, "credit")?;
        let bad = |code: &str, msg: String| Err(ApiError::bad_request(code, msg));
        if !req.credit_type.eq_ignore_ascii_case(cn::CREDIT_NOTE_TYPE) {
            return bad(
                "InvalidCreditType",
                format!(
                    "Type: '{}' is not supported by the sandbox (only CreditNote).",
                    req.credit_type
                ),
            );
        }
        let inv = self.invoices[&number].clone();
        if cn::is_credit_note(&inv) {
            return bad(
                "InvalidInvoice",
                format!("{number} is a credit note; a credit is applied to an invoice."),
            );
        }
        let Some(cn_number) = self.invoice_by_id(req.id) else {
            return bad(
                "InvalidCreditId",
                format!("Id: {} is not a credit note on this account.", req.id),
            );
        };
        let note = self.invoices[&cn_number].clone();
        if !cn::is_credit_note(&note) {
            return bad(
                "InvalidCreditId",
                format!("Id: {} is invoice {cn_number}, not a credit note.", req.id),
            );
        }
        if !note.customer_code.eq_ignore_ascii_case(&inv.customer_code) {
            return bad(
                "InvalidCreditId",
                format!(
                    "Id: credit note {cn_number} is customer {}'s, invoice {number} is customer {}'s.",
                    note.customer_code, inv.customer_code
                ),
            );
        }
        let cur = |d: &Invoice| d.currency.as_ref().map(|c| c.code.clone());
        if cur(&note) != cur(&inv) {
            return bad(
                "InvalidCurrency",
                format!(
                    "credit note {cn_number} and invoice {number} are in different currencies."
                ),
            );
        }
        let amount = req.amount;
        if amount <= Decimal::ZERO || !max_dp(amount, 2) {
            return bad(
                "InvalidAmount",
                format!("Amount: {amount} must be a positive amount in pence."),
            );
        }
        let left = cn::credit_left(&note);
        if amount > left {
            return bad(
                "InvalidAmount",
                format!(
                    "Amount: {amount} is more than the {left} left on credit note {cn_number}."
                ),
            );
        }
        let due = inv.due_amount.unwrap_or_default();
        if amount > due {
            return bad(
                "InvalidAmount",
                format!("Amount: {amount} is more than the {due} due on invoice {number}."),
            );
        }
        let date = req.date.or(note.issued_date).unwrap_or_else(now_london);
        let mut pay = |target: i64, reference: i64, text: String| {
            let id = self.next_payment_id;
            self.next_payment_id += 1;
            let line = PaymentLine {
                id: Some(id),
                date: Some(date),
                amount,
                method: 0,
                account_id: 0,
                note: Some(text),
                reference: Some(reference.to_string()),
                permalink: None,
                invoice_number: Some(target),
                bulk_id: None,
                bulk_payment_number: None,
                is_payment_credit_note: Some(true),
            };
            let doc = self.invoices.get_mut(&target).expect("exists");
            doc.payment_lines.get_or_insert_with(Vec::new).push(line);
            Self::retotal(doc);
        };
        pay(number, cn_number, format!("Credit note {cn_number}"));
        pay(cn_number, number, format!("Applied to invoice {number}"));
        self.refresh_customer_stats(&upper(&inv.customer_code));
        Ok(CreditApplication {
            id: req.id,
            credit_type: cn::CREDIT_NOTE_TYPE.into(),
            amount,
            date: Some(date),
            comment: Some(format!(
                "Credit note {cn_number} applied to invoice {number}"
            )),
        })
    }

    /// `POST /invoices/bulk/payments`: all items are applied or none.
    pub fn create_bulk_payment(&mut self, raw: &Value) -> Result<BulkPayment, ApiError> {
        let req: BulkPayment = decode(raw, "bulk payment")?;
        let date = req
            .date
            .ok_or_else(|| ApiError::bad_request("InvalidPaymentDate", "Date: is required."))?;
        if req.payment_items.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidPaymentItems",
                "PaymentItems: a bulk payment needs at least one item.",
            ));
        }
        // Validate everything against a scratch copy, then keep it.
        let mut scratch = self.clone();
        let number = scratch.next_bulk_number;
        scratch.next_bulk_number += 1;
        let mut items = Vec::with_capacity(req.payment_items.len());
        let mut touched: HashMap<i64, ()> = HashMap::new();
        for (i, item) in req.payment_items.iter().enumerate() {
            let inv = scratch
                .invoices
                .get(&item.object_number)
                .cloned()
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "InvalidInvoiceNumber",
                        format!(
                            "PaymentItems[{i}].ObjectNumber: invoice {} does not exist.",
                            item.object_number
                        ),
                    )
                })?;
            let mut body = serde_json::to_value(&inv).map_err(|e| {
                ApiError::new(500, "InternalServerError", format!("serialising: {e}"))
            })?;
            let mut lines = inv.payment_lines.clone().unwrap_or_default();
            lines.push(PaymentLine {
                date: Some(item.paid_date.unwrap_or(date)),
                amount: item.amount,
                method: req.method,
                account_id: req.account_id,
                note: Some(req.comment.clone().unwrap_or_default()),
                ..PaymentLine::default()
            });
            body["PaymentLines"] = serde_json::to_value(&lines).map_err(|e| {
                ApiError::new(500, "InternalServerError", format!("serialising: {e}"))
            })?;
            let updated = scratch
                .update_invoice(item.object_number, &body)
                .map_err(|e| ApiError {
                    message: format!("PaymentItems[{i}]: {}", e.message),
                    ..e
                })?;
            let new_line = updated
                .payment_lines
                .as_ref()
                .and_then(|l| l.last())
                .cloned()
                .unwrap_or_default();
            if let Some(stored) = scratch
                .invoices
                .get_mut(&item.object_number)
                .and_then(|i| i.payment_lines.as_mut())
                .and_then(|l| l.last_mut())
            {
                stored.bulk_id = Some(number);
                stored.bulk_payment_number = Some(number);
            }
            touched.insert(item.object_number, ());
            items.push(crate::kashflow::model::BulkPaymentItem {
                id: new_line.id,
                amount: item.amount,
                contact_name: Some(updated.customer_name.clone().unwrap_or_default()),
                contact_reference: Some(updated.customer_code.clone()),
                object_issued_date: updated.issued_date,
                object_number: item.object_number,
                paid_date: new_line.date,
            });
        }
        let bulk = BulkPayment {
            number: Some(number),
            date: Some(date),
            comment: Some(req.comment.clone().unwrap_or_default()),
            account_id: req.account_id,
            method: req.method,
            reconciled: false,
            payment_items: items,
            permalink: Some(format!(
                "/v2/documents/invoice/bulkpayment/{}",
                Uuid::new_v4()
            )),
        };
        scratch.bulk_payments.insert(number, bulk.clone());
        *self = scratch;
        Ok(bulk)
    }

    // ----- products ----------------------------------------------------------------------

    fn check_product(&self, p: &Product) -> Result<(), ApiError> {
        if p.name.trim().is_empty() {
            return Err(ApiError::bad_request(
                "InvalidProductName",
                "Name: is required.",
            ));
        }
        if !self.nominals.contains_key(&p.nominal_code) {
            return Err(ApiError::bad_request(
                "InvalidNominalCode",
                format!(
                    "NominalCode: {} is not a nominal code on this account.",
                    p.nominal_code
                ),
            ));
        }
        if !self.vat_rates.iter().any(|r| r.vat_rate == p.vat_rate) {
            return Err(ApiError::bad_request(
                "InvalidVATRate",
                format!(
                    "VATRate: {} is not one of this account's VAT rates.",
                    p.vat_rate.normalize()
                ),
            ));
        }
        Ok(())
    }

    /// `POST /products`.
    pub fn create_product(&mut self, raw: &Value) -> Result<Product, ApiError> {
        let mut p: Product = decode(raw, "product")?;
        p.code = p.code.trim().to_owned();
        if p.code.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidProductCode",
                "Code: is required.",
            ));
        }
        if self.products.contains_key(&upper(&p.code)) {
            return Err(ApiError::bad_request(
                "DuplicateProductCode",
                format!("Code: product code '{}' already exists.", p.code),
            ));
        }
        self.check_product(&p)?;
        p.id = Some(self.next_product_id);
        self.next_product_id += 1;
        p.nominal_id = self.nominals.get(&p.nominal_code).and_then(|n| n.id);
        self.products.insert(upper(&p.code), p.clone());
        Ok(p)
    }

    /// `PUT /products/{nominal}/{code}`: full replacement of what the caller may set (this is
    /// how stock is adjusted by hand: send `QuantityInStock`).
    pub fn update_product(
        &mut self,
        nominal: i64,
        code: &str,
        raw: &Value,
    ) -> Result<Product, ApiError> {
        let existing = self.product_at(nominal, code).cloned().ok_or_else(|| {
            ApiError::not_found(format!(
                "Product '{code}' under nominal {nominal} was not found."
            ))
        })?;
        let mut p: Product = decode(raw, "product")?;
        if !p.code.trim().is_empty() && upper(&p.code) != upper(&existing.code) {
            return Err(ApiError::bad_request(
                "InvalidProductCode",
                format!(
                    "Code: '{}' does not match the product being updated ('{}').",
                    p.code, existing.code
                ),
            ));
        }
        if p.nominal_code != 0 && p.nominal_code != nominal {
            return Err(ApiError::bad_request(
                "InvalidNominalCode",
                format!(
                    "NominalCode: {} does not match the product's nominal {nominal}.",
                    p.nominal_code
                ),
            ));
        }
        p.code = existing.code.clone();
        p.nominal_code = nominal;
        p.id = existing.id;
        p.nominal_id = existing.nominal_id;
        self.check_product(&p)?;
        self.products.insert(upper(&p.code), p.clone());
        Ok(p)
    }
}

fn end_of_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid date") - ChronoDuration::days(1)
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

fn check_customer_text(c: &Customer) -> Result<(), ApiError> {
    use crate::kashflow::limits::{CUSTOMER_NAME, EMAIL, NOTE, TELEPHONE, VAT_NUMBER};
    check_len("Name", Some(&c.name), CUSTOMER_NAME)?;
    check_len("Email", c.email.as_deref(), EMAIL)?;
    check_len("TelephoneNumber", c.telephone_number.as_deref(), TELEPHONE)?;
    check_len("VATNumber", c.vat_number.as_deref(), VAT_NUMBER)?;
    check_len("Note", c.note.as_deref(), NOTE)?;
    for (i, k) in c.contacts.iter().enumerate() {
        check_len(
            &format!("Contacts[{i}].Name"),
            k.name.as_deref(),
            CUSTOMER_NAME,
        )?;
        check_len(
            &format!("Contacts[{i}].FirstName"),
            k.first_name.as_deref(),
            CUSTOMER_NAME,
        )?;
        check_len(
            &format!("Contacts[{i}].LastName"),
            k.last_name.as_deref(),
            CUSTOMER_NAME,
        )?;
        check_len(&format!("Contacts[{i}].Email"), k.email.as_deref(), EMAIL)?;
        check_len(
            &format!("Contacts[{i}].Telephone"),
            k.telephone.as_deref(),
            TELEPHONE,
        )?;
    }
    for (i, a) in c.addresses.iter().enumerate() {
        check_address_text(&format!("Addresses[{i}]"), a)?;
    }
    for (i, a) in c.delivery_addresses.iter().enumerate() {
        check_address_text(&format!("DeliveryAddresses[{i}]"), a)?;
    }
    Ok(())
}

fn check_invoice_text(inv: &Invoice) -> Result<(), ApiError> {
    use crate::kashflow::limits::{CUSTOMER_NAME, CUSTOMER_REFERENCE, LINE_DESCRIPTION, NOTE};
    check_len(
        "CustomerReference",
        inv.customer_reference.as_deref(),
        CUSTOMER_REFERENCE,
    )?;
    check_len("CustomerName", inv.customer_name.as_deref(), CUSTOMER_NAME)?;
    for (i, l) in inv.line_items.iter().flatten().enumerate() {
        check_len(
            &format!("LineItems[{i}].Description"),
            Some(&l.description),
            LINE_DESCRIPTION,
        )?;
    }
    for (i, p) in inv.payment_lines.iter().flatten().enumerate() {
        check_len(&format!("PaymentLines[{i}].Note"), p.note.as_deref(), NOTE)?;
    }
    if let Some(a) = &inv.address {
        check_address_text("Address", a)?;
    }
    if let Some(a) = &inv.delivery_address {
        check_address_text("DeliveryAddress", a)?;
    }
    Ok(())
}

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
