//! The REST client as the `Rest` [`Transport`]: each of the stage's operations in REST v2 terms.
//! A payment is a new payment line written back with the invoice (`PUT /invoices/{number}`); an
//! invoice's payment at placement travels inside the create; a reference is found by walking the
//! invoice list.

use std::collections::BTreeMap;

use super::KashFlowClient;
use crate::kashflow::credit_note::{credits_path, CreditApplication};
use crate::kashflow::error::KfError;
use crate::kashflow::model::{BankAccount, Customer, Invoice, PaymentLine, Product};
use crate::kashflow::transport::{
    catalogue_from, same_reference, AccountFacts, KfFuture, Op, Transport, TransportKind,
};
use crate::mapping::suggest::KashFlowCatalogue;

/// Page size for the reference walk.
const WALK_PER_PAGE: u32 = 100;

impl KashFlowClient {
    /// Look for an invoice carrying `reference`, walking KashFlow's invoice list (one request per
    /// 100 invoices), then read it whole.
    pub async fn find_by_reference_walk(
        &self,
        reference: &str,
    ) -> Result<Option<Invoice>, KfError> {
        let mut page = 1u32;
        loop {
            let p = self.list_invoices(page, WALK_PER_PAGE).await?;
            if let Some(found) = p
                .items
                .iter()
                .find(|i| same_reference(i.customer_reference.as_deref(), reference))
            {
                return match found.number {
                    Some(n) => self.get_invoice(n).await,
                    None => Ok(Some(found.clone())),
                };
            }
            let more = p.next_page_url.is_some()
                || p.total_records
                    .is_some_and(|t| u64::from(page) * u64::from(WALK_PER_PAGE) < t);
            if !more || p.items.is_empty() {
                return Ok(None);
            }
            page += 1;
        }
    }
}

impl Transport for KashFlowClient {
    fn kind(&self) -> TransportKind {
        TransportKind::Rest
    }

    fn enforces_our_invoice_numbers(&self) -> bool {
        true
    }

    fn payments_in_create(&self) -> bool {
        true
    }

    fn label(&self, op: &Op<'_>) -> (&'static str, String) {
        match op {
            Op::GetCustomer(code) => ("GET", format!("/customers/{code}")),
            Op::FindCustomersByEmail => ("GET", "/customers/search".into()),
            Op::CreateCustomer => ("POST", "/customers".into()),
            Op::UpdateCustomer(code) => ("PUT", format!("/customers/{code}")),
            Op::GetInvoice(n) => ("GET", format!("/invoices/{n}")),
            Op::FindInvoiceByReference(r) => (
                "GET",
                format!("/invoices?page=…&perpage={WALK_PER_PAGE} (reference {r})"),
            ),
            Op::CreateInvoice => ("POST", "/invoices".into()),
            Op::AddPayment(n) => ("PUT", format!("/invoices/{n}")),
            Op::ApplyCreditNote(id) => ("POST", credits_path(*id)),
            Op::ListProducts => ("GET", "/products".into()),
            Op::CreateProduct(_) => ("POST", "/products".into()),
            Op::UpdateProduct(code) => ("PUT", format!("/products/…/{code}")),
        }
    }

    fn request_count(&self) -> u64 {
        KashFlowClient::request_count(self)
    }

    fn request_counts(&self) -> BTreeMap<String, u64> {
        KashFlowClient::request_counts(self)
    }

    fn login(&self) -> KfFuture<'_, ()> {
        Box::pin(KashFlowClient::login(self))
    }

    fn company_name(&self) -> Option<String> {
        KashFlowClient::company_name(self)
    }

    fn account_facts(&self) -> KfFuture<'_, AccountFacts> {
        Box::pin(async move {
            let currencies = self.list_currencies().await?;
            let banks = KashFlowClient::list_bank_accounts(self).await?;
            Ok(AccountFacts {
                company_name: KashFlowClient::company_name(self),
                // REST v2 documents no VAT-registration flag for the account.
                vat_registered: None,
                home_currency: None,
                currencies: currencies.into_iter().map(|c| c.code).collect(),
                bank_accounts: banks.into_iter().map(|b| b.account_name).collect(),
            })
        })
    }

    fn get_customer<'a>(&'a self, code: &'a str) -> KfFuture<'a, Option<Customer>> {
        Box::pin(KashFlowClient::get_customer(self, code))
    }

    fn find_customers_by_email<'a>(&'a self, email: &'a str) -> KfFuture<'a, Vec<Customer>> {
        Box::pin(KashFlowClient::find_customers_by_email(self, email))
    }

    fn create_customer<'a>(&'a self, customer: &'a Customer) -> KfFuture<'a, Customer> {
        Box::pin(KashFlowClient::create_customer(self, customer))
    }

    fn update_customer<'a>(&'a self, customer: &'a Customer) -> KfFuture<'a, ()> {
        Box::pin(async move {
            KashFlowClient::update_customer(self, &customer.code, customer)
                .await
                .map(|_| ())
        })
    }

    fn get_invoice(&self, number: i64) -> KfFuture<'_, Option<Invoice>> {
        Box::pin(KashFlowClient::get_invoice(self, number))
    }

    fn find_invoice_by_reference<'a>(
        &'a self,
        _customer_code: &'a str,
        reference: &'a str,
    ) -> KfFuture<'a, Option<Invoice>> {
        Box::pin(self.find_by_reference_walk(reference))
    }

    fn create_invoice<'a>(&'a self, invoice: &'a Invoice) -> KfFuture<'a, Invoice> {
        Box::pin(KashFlowClient::create_invoice(self, invoice))
    }

    fn add_payment<'a>(&'a self, current: &'a Invoice, line: &'a PaymentLine) -> KfFuture<'a, ()> {
        Box::pin(async move {
            let number = current.number.unwrap_or_default();
            let mut invoice = current.clone();
            let mut line = line.clone();
            line.id = None;
            invoice
                .payment_lines
                .get_or_insert_with(Vec::new)
                .push(line);
            self.update_invoice(number, &invoice).await.map(|_| ())
        })
    }

    fn apply_credit_note<'a>(
        &'a self,
        invoice: &'a Invoice,
        _note: &'a Invoice,
        application: &'a CreditApplication,
    ) -> KfFuture<'a, ()> {
        Box::pin(async move {
            let id = invoice.id.unwrap_or_default();
            self.apply_credit(id, application).await.map(|_| ())
        })
    }

    fn list_products(&self) -> KfFuture<'_, Vec<Product>> {
        Box::pin(KashFlowClient::list_products(self))
    }

    fn list_bank_accounts(&self) -> KfFuture<'_, Vec<BankAccount>> {
        Box::pin(KashFlowClient::list_bank_accounts(self))
    }

    fn account_catalogue(&self) -> KfFuture<'_, KashFlowCatalogue> {
        Box::pin(async move {
            Ok(catalogue_from(
                self.list_payment_methods().await?,
                KashFlowClient::list_bank_accounts(self).await?,
                self.list_nominals()
                    .await?
                    .into_iter()
                    .map(|n| (n.code, n.name, n.archived))
                    .collect(),
                self.list_vat_rates()
                    .await?
                    .into_iter()
                    .map(|v| v.vat_rate)
                    .collect(),
                self.list_currencies()
                    .await?
                    .into_iter()
                    .map(|c| c.code)
                    .collect(),
                KashFlowClient::list_products(self).await?,
            ))
        })
    }

    fn create_product<'a>(&'a self, product: &'a Product) -> KfFuture<'a, Product> {
        Box::pin(KashFlowClient::create_product(self, product))
    }

    fn update_product<'a>(&'a self, product: &'a Product) -> KfFuture<'a, ()> {
        Box::pin(async move {
            KashFlowClient::update_product(self, product.nominal_code, &product.code, product)
                .await
                .map(|_| ())
        })
    }
}
