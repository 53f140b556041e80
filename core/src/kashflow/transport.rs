//! The seam between the engine's KashFlow stage (`sync/`) and the two ways of reaching KashFlow:
//! the [`Transport`] trait, which `Rest` ([`super::rest::KashFlowClient`]) and `Soap`
//! ([`super::soap::SoapClient`]) implement, and the types both share.
//!
//! The operations are the stage's *meaning* (find a customer by e-mail, create an invoice, add a
//! payment to one, apply a credit note), not one transport's verbs: REST records a payment by
//! writing the invoice back with a new payment line, SOAP with `InsertInvoicePayment`. The
//! documents are the crate's KashFlow model ([`super::model`]); the SOAP client translates.
//! Errors are the one [`KfError`] (classified the same way on both), retries the one
//! [`crate::backoff::Backoff`], secrets the one [`super::Secret`].

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use super::credit_note::CreditApplication;
use super::error::KfError;
use super::model::{BankAccount, Customer, Invoice, PaymentLine, Product};
use crate::mapping::suggest::{KashFlowCatalogue, KfBankAccount, KfNominal, KfProduct, Named};

/// A boxed future, so the trait can be used as `dyn Transport`.
pub type KfFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, KfError>> + Send + 'a>>;

/// Which API a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum TransportKind {
    /// KashFlow REST v2 (user name, password and memorable word; session tokens).
    #[default]
    Rest,
    /// KashFlow's SOAP API at `/api/service.asmx` (user name and API password on every call).
    Soap,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Rest => "Rest",
            TransportKind::Soap => "Soap",
        })
    }
}

impl std::str::FromStr for TransportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rest" => Ok(TransportKind::Rest),
            "soap" => Ok(TransportKind::Soap),
            other => Err(format!(
                "'{other}' is not a KashFlow transport (Rest or Soap)"
            )),
        }
    }
}

/// What a connection test reports about the account (read through either transport).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountFacts {
    pub company_name: Option<String>,
    /// `None` when the transport could not tell.
    pub vat_registered: Option<bool>,
    pub home_currency: Option<String>,
    /// Currency codes set up on the account.
    pub currencies: Vec<String>,
    pub bank_accounts: Vec<String>,
}

/// One operation, for the attempt history: `(method, what)` as the transport sends it
/// (`("GET", "/invoices/1001")` on REST, `("POST", "KashFlow/GetInvoice 1001")` on SOAP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op<'a> {
    GetCustomer(&'a str),
    FindCustomersByEmail,
    CreateCustomer,
    UpdateCustomer(&'a str),
    GetInvoice(i64),
    FindInvoiceByReference(&'a str),
    CreateInvoice,
    AddPayment(i64),
    ApplyCreditNote(i64),
    ListProducts,
    CreateProduct(&'a str),
    UpdateProduct(&'a str),
}

/// How the engine reaches KashFlow. Every method is one *meaning*; a transport may need several
/// requests for it (then it is one entry in the attempt history). Writes are never retried
/// inside a transport: the stage looks before writing again.
pub trait Transport: Send + Sync + fmt::Debug {
    fn kind(&self) -> TransportKind;

    /// Whether KashFlow enforces the uniqueness of an invoice number we choose (then a second
    /// create with it is refused, and exactly-once may rest on the number). When not, invoices and
    /// credit notes are posted with number 0 and found again by their `CustomerReference`.
    fn enforces_our_invoice_numbers(&self) -> bool;

    /// Whether a payment inside [`Transport::create_invoice`]'s document is recorded by that
    /// one request (REST). When not, the stage adds it with [`Transport::add_payment`].
    fn payments_in_create(&self) -> bool;

    /// `(method, target)` for the attempt history.
    fn label(&self, op: &Op<'_>) -> (&'static str, String);

    /// HTTP requests sent so far, in total and per operation name.
    fn request_count(&self) -> u64;
    fn request_counts(&self) -> BTreeMap<String, u64>;

    /// Check the credentials now (REST: log in; SOAP: one cheap authenticated call).
    fn login(&self) -> KfFuture<'_, ()>;
    /// The account's name, as the last login or facts call reported it.
    fn company_name(&self) -> Option<String>;
    /// VAT registration, currencies and bank accounts (a connection test's report).
    fn account_facts(&self) -> KfFuture<'_, AccountFacts>;

    fn get_customer<'a>(&'a self, code: &'a str) -> KfFuture<'a, Option<Customer>>;
    fn find_customers_by_email<'a>(&'a self, email: &'a str) -> KfFuture<'a, Vec<Customer>>;
    fn create_customer<'a>(&'a self, customer: &'a Customer) -> KfFuture<'a, Customer>;
    /// Replace customer `customer.code` with `customer` (KashFlow keeps no field we leave out:
    /// send the whole customer as read, changed).
    fn update_customer<'a>(&'a self, customer: &'a Customer) -> KfFuture<'a, ()>;

    /// The whole invoice (lines and payment lines) by number.
    fn get_invoice(&self, number: i64) -> KfFuture<'_, Option<Invoice>>;
    /// The whole invoice (or credit note) of customer `customer_code` whose `CustomerReference`
    /// is `reference` (trimmed, ignoring case), if any.
    fn find_invoice_by_reference<'a>(
        &'a self,
        customer_code: &'a str,
        reference: &'a str,
    ) -> KfFuture<'a, Option<Invoice>>;
    /// Create an invoice or credit note; answers KashFlow's copy (at least its number).
    fn create_invoice<'a>(&'a self, invoice: &'a Invoice) -> KfFuture<'a, Invoice>;
    /// Record `line` on document `current` (as just read: REST writes it back with the line).
    fn add_payment<'a>(&'a self, current: &'a Invoice, line: &'a PaymentLine) -> KfFuture<'a, ()>;
    /// Apply credit note `note` to `invoice` (`application` says how much; SOAP's
    /// `applyCreditNoteToInvoice` takes no amount and applies what it can).
    fn apply_credit_note<'a>(
        &'a self,
        invoice: &'a Invoice,
        note: &'a Invoice,
        application: &'a CreditApplication,
    ) -> KfFuture<'a, ()>;

    fn list_products(&self) -> KfFuture<'_, Vec<Product>>;
    fn list_bank_accounts(&self) -> KfFuture<'_, Vec<BankAccount>>;

    /// Everything the setup pages name KashFlow things by: payment methods, bank accounts,
    /// nominal codes, VAT rates, currencies and products (with names, never bare ids), and what a
    /// preview is checked against ([`crate::mapping::account_check`]).
    fn account_catalogue(&self) -> KfFuture<'_, KashFlowCatalogue>;

    /// Create a product (a SOAP sub-product) under its nominal code, for a shop product KashFlow
    /// does not have yet (the product readiness page). Not retried: a lost answer is looked for
    /// by code by the caller before it creates again.
    fn create_product<'a>(&'a self, product: &'a Product) -> KfFuture<'a, Product>;
    /// Replace product `product.code` (under `product.nominal_code`) with `product`, as read
    /// (with its id) and changed.
    fn update_product<'a>(&'a self, product: &'a Product) -> KfFuture<'a, ()>;
}

/// Whether two references are the same (trimmed, ignoring case).
pub fn same_reference(a: Option<&str>, b: &str) -> bool {
    a.map(str::trim)
        .is_some_and(|a| a.eq_ignore_ascii_case(b.trim()))
}

/// The catalogue from the lookups either transport reads (archived nominals and bank accounts
/// left out: they cannot be posted to).
pub(crate) fn catalogue_from(
    payment_methods: Vec<super::model::PaymentMethod>,
    bank_accounts: Vec<BankAccount>,
    nominals: Vec<(i64, String, bool)>,
    vat_rates: Vec<rust_decimal::Decimal>,
    currencies: Vec<String>,
    products: Vec<Product>,
) -> KashFlowCatalogue {
    KashFlowCatalogue {
        payment_methods: payment_methods
            .into_iter()
            .map(|m| Named {
                id: m.id,
                name: m.name,
            })
            .collect(),
        bank_accounts: bank_accounts
            .into_iter()
            .filter(|b| !b.is_archived)
            .map(|b| KfBankAccount {
                id: b.id,
                name: b.account_name,
                is_default: b.is_default_account,
            })
            .collect(),
        nominals: nominals
            .into_iter()
            .filter(|(_, _, archived)| !archived)
            .map(|(code, name, _)| KfNominal { code, name })
            .collect(),
        vat_rates: {
            let mut r: Vec<_> = vat_rates.into_iter().map(|r| r.normalize()).collect();
            r.sort();
            r.dedup();
            r
        },
        currencies,
        products: products
            .into_iter()
            .map(|p| KfProduct {
                code: p.code,
                name: p.name,
            })
            .collect(),
    }
}
