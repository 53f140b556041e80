//! The REST business operations: customers, invoices (payments are payment lines written back
//! with the invoice), credits (`/internal/invoices/{id}/credits`), products and lookups.

use reqwest::Method;

use super::http::{seg, to_body};
use super::{KashFlowClient, Page};
use crate::kashflow::error::KfError;
use crate::kashflow::model::{
    BankAccount, BulkPayment, Currency, Customer, Invoice, Nominal, PaymentLine, PaymentMethod,
    Product, VatRate,
};

impl KashFlowClient {
    // ----- customers ---------------------------------------------------------------------

    pub async fn get_customer(&self, code: &str) -> Result<Option<Customer>, KfError> {
        self.get_optional("get_customer", &format!("/customers/{}", seg(code)))
            .await
    }

    /// Customers whose email (top level or a contact's) is `email`
    /// (`GET /customers/search?email=`).
    pub async fn find_customers_by_email(&self, email: &str) -> Result<Vec<Customer>, KfError> {
        let q = [("email", email.to_owned())];
        match self
            .get_list("find_customers_by_email", "/customers/search", &q)
            .await
        {
            Ok((items, _)) => Ok(items),
            Err(KfError::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    pub async fn create_customer(&self, customer: &Customer) -> Result<Customer, KfError> {
        let body = to_body(customer)?;
        self.call_json(
            "create_customer",
            Method::POST,
            "/customers",
            &[],
            Some(&body),
        )
        .await
    }

    /// Full replacement of customer `code` (send the whole customer).
    pub async fn update_customer(
        &self,
        code: &str,
        customer: &Customer,
    ) -> Result<Customer, KfError> {
        let body = to_body(customer)?;
        let path = format!("/customers/{}", seg(code));
        self.call_json("update_customer", Method::PUT, &path, &[], Some(&body))
            .await
    }

    pub async fn list_customers(
        &self,
        page: u32,
        per_page: u32,
    ) -> Result<Page<Customer>, KfError> {
        self.get_page("list_customers", "/customers", page, per_page)
            .await
    }

    // ----- invoices ----------------------------------------------------------------------

    pub async fn get_invoice(&self, number: i64) -> Result<Option<Invoice>, KfError> {
        self.get_optional("get_invoice", &format!("/invoices/{number}"))
            .await
    }

    pub async fn create_invoice(&self, invoice: &Invoice) -> Result<Invoice, KfError> {
        let body = to_body(invoice)?;
        self.call_json(
            "create_invoice",
            Method::POST,
            "/invoices",
            &[],
            Some(&body),
        )
        .await
    }

    /// Full replacement of invoice `number` (lines and payment lines included).
    pub async fn update_invoice(&self, number: i64, invoice: &Invoice) -> Result<Invoice, KfError> {
        let body = to_body(invoice)?;
        let path = format!("/invoices/{number}");
        self.call_json("update_invoice", Method::PUT, &path, &[], Some(&body))
            .await
    }

    pub async fn delete_invoice(&self, number: i64) -> Result<(), KfError> {
        let path = format!("/invoices/{number}");
        self.call("delete_invoice", Method::DELETE, &path, &[], None)
            .await
            .map(|_| ())
    }

    /// Record a payment on an invoice: GET it, append `payment` to its `PaymentLines`, PUT it
    /// back. An unknown invoice is `NotFound`.
    pub async fn add_invoice_payment(
        &self,
        number: i64,
        payment: PaymentLine,
    ) -> Result<Invoice, KfError> {
        let mut invoice = self
            .get_invoice(number)
            .await?
            .ok_or_else(|| KfError::NotFound {
                request: format!("GET /invoices/{number}"),
                message: format!("invoice {number} does not exist"),
            })?;
        let mut payment = payment;
        payment.id = None;
        invoice
            .payment_lines
            .get_or_insert_with(Vec::new)
            .push(payment);
        self.update_invoice(number, &invoice).await
    }

    /// `GET /internal/invoices/{invoiceid}/credits`: credits usable against the invoice whose
    /// internal `Id` is `invoice_id` (see `kashflow::credit_note`).
    pub async fn list_credits(
        &self,
        invoice_id: i64,
    ) -> Result<Vec<crate::kashflow::credit_note::CreditApplication>, KfError> {
        let path = crate::kashflow::credit_note::credits_path(invoice_id);
        self.call_json("list_credits", Method::GET, &path, &[], None)
            .await
    }

    /// `POST /internal/invoices/{invoiceid}/credits`: apply a credit (a credit note) to the
    /// invoice whose internal `Id` is `invoice_id`.
    pub async fn apply_credit(
        &self,
        invoice_id: i64,
        credit: &crate::kashflow::credit_note::CreditApplication,
    ) -> Result<crate::kashflow::credit_note::CreditApplication, KfError> {
        let body = to_body(credit)?;
        let path = crate::kashflow::credit_note::credits_path(invoice_id);
        self.call_json("apply_credit", Method::POST, &path, &[], Some(&body))
            .await
    }

    pub async fn list_invoices(&self, page: u32, per_page: u32) -> Result<Page<Invoice>, KfError> {
        self.get_page("list_invoices", "/invoices", page, per_page)
            .await
    }

    /// `GET /nextavailableinvoicenumber`.
    pub async fn next_invoice_number(&self) -> Result<i64, KfError> {
        self.call_json(
            "next_invoice_number",
            Method::GET,
            "/nextavailableinvoicenumber",
            &[],
            None,
        )
        .await
    }

    /// `POST /invoices/bulk/payments`: pay several invoices in one go; answers with its `Number`.
    pub async fn bulk_invoice_payments(&self, bulk: &BulkPayment) -> Result<BulkPayment, KfError> {
        let body = to_body(bulk)?;
        self.call_json(
            "bulk_invoice_payments",
            Method::POST,
            "/invoices/bulk/payments",
            &[],
            Some(&body),
        )
        .await
    }

    // ----- products and lookups ----------------------------------------------------------

    /// Every product (walks all pages).
    pub async fn list_products(&self) -> Result<Vec<Product>, KfError> {
        self.get_all("list_products", "/products").await
    }

    pub async fn get_product(&self, nominal: i64, code: &str) -> Result<Option<Product>, KfError> {
        self.get_optional("get_product", &format!("/products/{nominal}/{}", seg(code)))
            .await
    }

    /// `POST /products`: a new product under its nominal code.
    pub async fn create_product(&self, product: &Product) -> Result<Product, KfError> {
        let body = to_body(product)?;
        self.call_json(
            "create_product",
            Method::POST,
            "/products",
            &[],
            Some(&body),
        )
        .await
    }

    /// Full replacement of a product (how stock levels are set by hand).
    pub async fn update_product(
        &self,
        nominal: i64,
        code: &str,
        product: &Product,
    ) -> Result<Product, KfError> {
        let body = to_body(product)?;
        let path = format!("/products/{nominal}/{}", seg(code));
        self.call_json("update_product", Method::PUT, &path, &[], Some(&body))
            .await
    }

    /// Every nominal code (walks all pages).
    pub async fn list_nominals(&self) -> Result<Vec<Nominal>, KfError> {
        self.get_all("list_nominals", "/nominals").await
    }

    pub async fn list_vat_rates(&self) -> Result<Vec<VatRate>, KfError> {
        self.get_all("list_vat_rates", "/vat/settings/vatrates")
            .await
    }

    pub async fn list_currencies(&self) -> Result<Vec<Currency>, KfError> {
        self.get_all("list_currencies", "/currencies").await
    }

    pub async fn list_bank_accounts(&self) -> Result<Vec<BankAccount>, KfError> {
        self.get_all("list_bank_accounts", "/bankaccounts").await
    }

    /// Invoice payment methods (`GET /paymentmethods/invoice`).
    pub async fn list_payment_methods(&self) -> Result<Vec<PaymentMethod>, KfError> {
        self.get_all("list_payment_methods", "/paymentmethods/invoice")
            .await
    }
}
