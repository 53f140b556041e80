//! The SOAP operations the engine uses, and the `Soap` [`Transport`]: customers (`GetCustomer`,
//! `GetCustomerByEmail`, `GetCustomerByID`, `InsertCustomer`), invoices (`InsertInvoice`,
//! `GetInvoice`, `GetInvoicesForCustomer`), payments (`InsertInvoicePayment`,
//! `GetInvoicePayment`), `applyCreditNoteToInvoice`, and the lookups (`GetNominalCodes`,
//! `GetProductsWithSubProducts`, `GetCurrencies`, `GetBankAccounts`, `GetInvPayMethods`,
//! `GetVATRates`, `isUserVATRegistered`). Ids the SOAP types need where the model carries codes
//! are read once per client (`Lookups`) and customer ids are remembered.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::assumptions::SuppliedInvoiceNumber;
use super::envelope::{Node, XmlOut};
use super::wire::{self, Lookups};
use super::SoapClient;
use crate::kashflow::credit_note::CreditApplication;
use crate::kashflow::error::{KfError, RequestKind};
use crate::kashflow::model::{
    BankAccount, Currency, Customer, Invoice, PaymentLine, PaymentMethod, Product,
};
use crate::kashflow::transport::{
    catalogue_from, same_reference, AccountFacts, KfFuture, Op, Transport, TransportKind,
};
use crate::mapping::suggest::KashFlowCatalogue;

const READ: RequestKind = RequestKind::Read;
const WRITE: RequestKind = RequestKind::Write;

fn result<'n>(el: &'n Node, op: &str) -> Option<&'n Node> {
    el.child(&format!("{op}Result"))
}

fn decode(op: &str, kind: RequestKind, detail: impl Into<String>) -> KfError {
    KfError::Decode {
        request: format!("SOAP {op}"),
        detail: detail.into(),
        kind,
    }
}

/// An int result that must be a new id/number (> 0).
fn new_id(el: &Node, op: &str) -> Result<i64, KfError> {
    result(el, op)
        .and_then(|r| r.text.trim().parse::<i64>().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| decode(op, WRITE, "the answer carried no new id or number"))
}

/// "Not found" (a `NO` saying so) as `None`.
fn optional<T>(r: Result<T, KfError>) -> Result<Option<T>, KfError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(KfError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl SoapClient {
    fn remember_customer(&self, code: &str, id: i64) {
        if id > 0 && !code.is_empty() {
            if let Ok(mut m) = self.customer_ids.lock() {
                m.insert(code.to_ascii_uppercase(), id);
            }
        }
    }

    /// The ids the SOAP types need (nominals, sub-products, currencies), read once.
    pub(crate) async fn lookups(&self) -> Result<Lookups, KfError> {
        let mut guard = self.lookups.lock().await;
        if let Some(l) = guard.as_ref() {
            return Ok(l.clone());
        }
        let mut l = Lookups::default();
        let el = self.call("GetNominalCodes", READ, &|_| {}).await?;
        for n in result(&el, "GetNominalCodes")
            .map(|r| r.children.as_slice())
            .unwrap_or_default()
        {
            let (id, code) = (wire::int(n, "id"), wire::int(n, "Code"));
            l.nominal_code.insert(id, code);
            l.nominal_id.insert(code, id);
        }
        for c in self.currencies().await? {
            if let Some(id) = c.id {
                l.currency_id.insert(c.code.to_ascii_uppercase(), id);
                l.currency_code.insert(id, c.code.clone());
            }
        }
        let products = self.sub_products(&l).await?;
        for p in &products {
            let id = p.id.unwrap_or_default();
            l.product_code.insert(id, (p.code.clone(), p.nominal_code));
            l.product_id.insert(p.code.to_ascii_uppercase(), id);
        }
        *guard = Some(l.clone());
        Ok(l)
    }

    async fn sub_products(&self, l: &Lookups) -> Result<Vec<Product>, KfError> {
        let op = "GetProductsWithSubProducts";
        let el = self.call(op, READ, &|_| {}).await?;
        let mut out = Vec::new();
        for full in result(&el, op)
            .map(|r| r.children.as_slice())
            .unwrap_or_default()
        {
            if let Some(subs) = full.child("subProducts") {
                out.extend(subs.children.iter().map(|s| wire::read_sub_product(s, l)));
            }
        }
        Ok(out)
    }

    pub async fn currencies(&self) -> Result<Vec<Currency>, KfError> {
        let el = self.call("GetCurrencies", READ, &|_| {}).await?;
        Ok(result(&el, "GetCurrencies")
            .map(|r| r.children.iter().map(wire::read_currency).collect())
            .unwrap_or_default())
    }

    pub async fn bank_accounts(&self) -> Result<Vec<BankAccount>, KfError> {
        let el = self.call("GetBankAccounts", READ, &|_| {}).await?;
        Ok(result(&el, "GetBankAccounts")
            .map(|r| r.children.iter().map(wire::read_bank_account).collect())
            .unwrap_or_default())
    }

    pub async fn payment_methods(&self) -> Result<Vec<PaymentMethod>, KfError> {
        let el = self.call("GetInvPayMethods", READ, &|_| {}).await?;
        Ok(result(&el, "GetInvPayMethods")
            .map(|r| r.children.iter().map(wire::read_payment_method).collect())
            .unwrap_or_default())
    }

    /// VAT rates as numbers (`BasicDataset.Value`).
    pub async fn vat_rates(&self) -> Result<Vec<Decimal>, KfError> {
        let el = self.call("GetVATRates", READ, &|_| {}).await?;
        Ok(result(&el, "GetVATRates")
            .map(|r| r.children.iter().map(|n| wire::dec(n, "Value")).collect())
            .unwrap_or_default())
    }

    /// The account's name (`GetCompanyDetails.CompanyName`), remembered for `company_name`.
    /// The chart of accounts: (code, name, archived) from `GetNominalCodes` (which carries no
    /// archived flag: none are archived).
    pub async fn nominal_names(&self) -> Result<Vec<(i64, String, bool)>, KfError> {
        let el = self.call("GetNominalCodes", READ, &|_| {}).await?;
        Ok(result(&el, "GetNominalCodes")
            .map(|r| r.children.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|n| {
                (
                    wire::int(n, "Code"),
                    wire::text(n, "Name").unwrap_or_default(),
                    false,
                )
            })
            .collect())
    }

    pub async fn company_details(&self) -> Result<Option<String>, KfError> {
        let op = "GetCompanyDetails";
        let el = self.call(op, READ, &|_| {}).await?;
        let name = result(&el, op).and_then(|r| wire::text(r, "CompanyName"));
        if let Ok(mut c) = self.company.lock() {
            c.clone_from(&name);
        }
        Ok(name)
    }

    pub async fn is_vat_registered(&self) -> Result<bool, KfError> {
        let op = "isUserVATRegistered";
        let el = self.call(op, READ, &|_| {}).await?;
        Ok(result(&el, op).is_some_and(|r| r.text.trim().eq_ignore_ascii_case("true")))
    }

    async fn read_customer(&self, el: &Node, op: &str) -> Result<Option<Customer>, KfError> {
        let l = self.lookups().await?;
        let c = result(el, op)
            .map(|r| wire::read_customer(r, &l))
            .filter(|c| c.id.is_some() || !c.code.is_empty());
        if let Some(c) = &c {
            self.remember_customer(&c.code, c.id.unwrap_or_default());
        }
        Ok(c)
    }

    pub async fn customer_by_code(&self, code: &str) -> Result<Option<Customer>, KfError> {
        let op = "GetCustomer";
        let el = optional(
            self.call(op, READ, &|x: &mut XmlOut| {
                x.leaf("CustomerCode", code);
            })
            .await,
        )?;
        match el {
            Some(el) => self.read_customer(&el, op).await,
            None => Ok(None),
        }
    }

    pub async fn customer_by_email(&self, email: &str) -> Result<Option<Customer>, KfError> {
        let op = "GetCustomerByEmail";
        let el = optional(
            self.call(op, READ, &|x: &mut XmlOut| {
                x.leaf("CustomerEmail", email);
            })
            .await,
        )?;
        match el {
            Some(el) => self.read_customer(&el, op).await,
            None => Ok(None),
        }
    }

    /// KashFlow says the invoice's customer does not exist (merged or deleted there since this
    /// client learnt its id): forget the id, and say so as REST does (`InvalidCustomerCode`), so
    /// the stage finds the customer again by e-mail.
    fn unknown_customer(&self, e: KfError, code: &str) -> KfError {
        match e {
            KfError::NotFound { request, message }
                if message.to_ascii_lowercase().contains("customer") =>
            {
                if let Ok(mut m) = self.customer_ids.lock() {
                    m.remove(&code.to_ascii_uppercase());
                }
                KfError::Rejected {
                    request,
                    status: 200,
                    code: "InvalidCustomerCode".into(),
                    message,
                }
            }
            other => other,
        }
    }

    async fn customer_id(&self, code: &str) -> Result<Option<i64>, KfError> {
        let known = self
            .customer_ids
            .lock()
            .ok()
            .and_then(|m| m.get(&code.to_ascii_uppercase()).copied());
        if known.is_some() {
            return Ok(known);
        }
        Ok(self.customer_by_code(code).await?.and_then(|c| c.id))
    }

    async fn customer_code(&self, id: i64) -> Result<String, KfError> {
        if id <= 0 {
            return Ok(String::new());
        }
        let known = self
            .customer_ids
            .lock()
            .ok()
            .and_then(|m| m.iter().find(|(_, v)| **v == id).map(|(k, _)| k.clone()));
        if let Some(code) = known {
            return Ok(code);
        }
        let op = "GetCustomerByID";
        let el = optional(
            self.call(op, READ, &|x: &mut XmlOut| {
                x.val("CustomerID", id);
            })
            .await,
        )?;
        Ok(match el {
            Some(el) => self
                .read_customer(&el, op)
                .await?
                .map(|c| c.code)
                .unwrap_or_default(),
            None => String::new(),
        })
    }

    pub async fn insert_customer(&self, c: &Customer) -> Result<Customer, KfError> {
        let l = self.lookups().await?;
        let op = "InsertCustomer";
        let el = self
            .call(op, WRITE, &|x: &mut XmlOut| {
                x.start("custr");
                wire::write_customer(x, c, 0, &l);
                x.end("custr");
            })
            .await?;
        let id = new_id(&el, op)?;
        self.remember_customer(&c.code, id);
        Ok(Customer {
            id: Some(id),
            ..c.clone()
        })
    }

    /// `UpdateCustomer`: the whole customer (KashFlow overwrites every field), found by its
    /// `CustomerID` (from `c.id`, else looked up by code).
    pub async fn update_customer(&self, c: &Customer) -> Result<(), KfError> {
        let op = "UpdateCustomer";
        let id = match c.id {
            Some(id) => id,
            None => self
                .customer_id(&c.code)
                .await?
                .ok_or_else(|| KfError::NotFound {
                    request: format!("SOAP {op}"),
                    message: format!(
                        "no customer with code '{}'",
                        crate::mapping::text::quote(&c.code)
                    ),
                })?,
        };
        let l = self.lookups().await?;
        self.call(op, WRITE, &|x: &mut XmlOut| {
            x.start("custr");
            wire::write_customer(x, c, id, &l);
            x.end("custr");
        })
        .await
        .map(|_| ())
    }

    /// `UpdateInvoice`: the header and all lines of invoice `inv.number` replaced (payments stay).
    pub async fn update_invoice(&self, inv: &Invoice) -> Result<(), KfError> {
        let op = "UpdateInvoice";
        let number = inv.number.unwrap_or_default();
        let customer_id = self
            .customer_id(&inv.customer_code)
            .await?
            .unwrap_or_default();
        let l = self.lookups().await?;
        let a = self.cfg.assumptions;
        if let Err(e) =
            wire::write_invoice(&mut XmlOut::scratch(), inv, number, customer_id, &l, &a)
        {
            return Err(KfError::Rejected {
                request: format!("SOAP {op}"),
                status: 200,
                code: e.kashflow_code().into(),
                message: format!("not sent: {e}"),
            });
        }
        self.call(op, WRITE, &|x: &mut XmlOut| {
            x.start("Inv");
            let _ = wire::write_invoice(x, inv, number, customer_id, &l, &a);
            x.end("Inv");
        })
        .await
        .map(|_| ())
    }

    /// `DeleteInvoicePayment` (current WSDL: invoice number and payment number).
    pub async fn delete_payment(
        &self,
        invoice_number: i64,
        payment_id: i64,
    ) -> Result<(), KfError> {
        self.call("DeleteInvoicePayment", WRITE, &|x: &mut XmlOut| {
            x.val("InvoiceNumber", invoice_number)
                .val("InvoicePaymentNumber", payment_id);
        })
        .await
        .map(|_| ())
    }

    /// `GetInvoice` + `GetInvoicePayment` (+ `GetCustomerByID` for a customer not seen yet).
    pub async fn invoice(&self, number: i64) -> Result<Option<Invoice>, KfError> {
        let op = "GetInvoice";
        let el = optional(
            self.call(op, READ, &|x: &mut XmlOut| {
                x.val("InvoiceNumber", number);
            })
            .await,
        )?;
        let Some(el) = el else { return Ok(None) };
        let Some(node) = result(&el, op).filter(|r| wire::int(r, "InvoiceDBID") > 0) else {
            return Ok(None);
        };
        let l = self.lookups().await?;
        let code = self.customer_code(wire::int(node, "CustomerID")).await?;
        let mut inv = wire::read_invoice(node, &l, code);
        inv.payment_lines = Some(self.invoice_payments(number).await?);
        Ok(Some(inv))
    }

    pub async fn invoice_payments(&self, number: i64) -> Result<Vec<PaymentLine>, KfError> {
        let op = "GetInvoicePayment";
        let el = self
            .call(op, READ, &|x: &mut XmlOut| {
                x.val("InvoiceNumber", number);
            })
            .await?;
        Ok(result(&el, op)
            .map(|r| r.children.iter().map(wire::read_payment).collect())
            .unwrap_or_default())
    }

    /// `GetInvoicesForCustomer`, the one whose reference matches, read whole.
    pub async fn invoice_by_reference(
        &self,
        customer_code: &str,
        reference: &str,
    ) -> Result<Option<Invoice>, KfError> {
        let Some(id) = self.customer_id(customer_code).await? else {
            return Ok(None);
        };
        let op = "GetInvoicesForCustomer";
        let el = self
            .call(op, READ, &|x: &mut XmlOut| {
                x.val("CustID", id);
            })
            .await?;
        let found = result(&el, op).and_then(|r| {
            r.children
                .iter()
                .find(|i| same_reference(i.text_of("CustomerReference"), reference))
                .map(|i| wire::int(i, "InvoiceNumber"))
        });
        match found {
            Some(n) if n > 0 => self.invoice(n).await,
            _ => Ok(None),
        }
    }

    pub async fn insert_invoice(&self, inv: &Invoice) -> Result<Invoice, KfError> {
        let op = "InsertInvoice";
        let customer_id =
            self.customer_id(&inv.customer_code)
                .await?
                .ok_or_else(|| KfError::Rejected {
                    request: format!("SOAP {op}"),
                    status: 200,
                    code: "InvalidCustomerCode".into(),
                    message: format!(
                        "KashFlow has no customer with code '{}'",
                        crate::mapping::text::quote(&inv.customer_code)
                    ),
                })?;
        let number = match self.cfg.assumptions.supplied_invoice_number {
            SuppliedInvoiceNumber::Refused => inv.number.unwrap_or_default(),
            SuppliedInvoiceNumber::Overwrites => 0,
        };
        let a = self.cfg.assumptions;
        // Translate codes to ids before sending; a code this client does not know yet makes it
        // read the lookups again once (a product added since), then it is refused.
        let mut l = self.lookups().await?;
        let mut check = Vec::new();
        if wire::write_invoice(&mut XmlOut::scratch(), inv, number, customer_id, &l, &a).is_err() {
            *self.lookups.lock().await = None;
            l = self.lookups().await?;
            if let Err(e) =
                wire::write_invoice(&mut XmlOut::scratch(), inv, number, customer_id, &l, &a)
            {
                check.push(e);
            }
        }
        if let Some(e) = check.pop() {
            return Err(KfError::Rejected {
                request: format!("SOAP {op}"),
                status: 200,
                code: e.kashflow_code().into(),
                message: format!("not sent: {e}"),
            });
        }
        let el = self
            .call(op, WRITE, &|x: &mut XmlOut| {
                x.start("Inv");
                // Checked above: the translation cannot fail now.
                let _ = wire::write_invoice(x, inv, number, customer_id, &l, &a);
                x.end("Inv");
            })
            .await;
        let el = el.map_err(|e| self.unknown_customer(e, &inv.customer_code))?;
        let number = new_id(&el, op)?;
        let created = Invoice {
            number: Some(number),
            payment_lines: Some(Vec::new()),
            ..inv.clone()
        };
        // A credit note is applied by its internal id, which only a read gives.
        let credit = inv
            .line_items
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|l| l.quantity * l.rate)
            .sum::<Decimal>()
            < Decimal::ZERO;
        if credit {
            if let Some(full) = self.invoice(number).await? {
                return Ok(full);
            }
        }
        Ok(created)
    }

    pub async fn insert_payment(&self, number: i64, line: &PaymentLine) -> Result<i64, KfError> {
        let op = "InsertInvoicePayment";
        let el = self
            .call(op, WRITE, &|x: &mut XmlOut| {
                x.start("InvoicePayment");
                wire::write_payment(x, line, number);
                x.end("InvoicePayment");
            })
            .await?;
        new_id(&el, op)
    }

    pub async fn apply_credit_note(&self, invoice_id: i64, note_id: i64) -> Result<(), KfError> {
        let op = "applyCreditNoteToInvoice";
        let el = self
            .call(op, WRITE, &|x: &mut XmlOut| {
                x.val("InvoiceID", invoice_id).val("CreditNoteID", note_id);
            })
            .await?;
        if result(&el, op).is_some_and(|r| r.text.trim().eq_ignore_ascii_case("true")) {
            Ok(())
        } else {
            Err(KfError::Rejected {
                request: format!("SOAP {op}"),
                status: 200,
                code: "NotApplied".into(),
                message: "KashFlow answered false".into(),
            })
        }
    }

    /// `AddOrUpdateSubProduct` with the sub-product's id: replace it (a guess: the operation's
    /// name says it updates when the id is an existing one's). The id is `p.id`, else looked up
    /// by code.
    pub async fn update_sub_product(&self, p: &Product) -> Result<(), KfError> {
        let op = "AddOrUpdateSubProduct";
        let l = self.lookups().await?;
        let parent = parent_nominal(&l, p, op)?;
        let id =
            p.id.filter(|i| *i != 0)
                .or_else(|| {
                    l.product_id
                        .get(&p.code.trim().to_ascii_uppercase())
                        .copied()
                })
                .ok_or_else(|| KfError::NotFound {
                    request: format!("SOAP {op}"),
                    message: format!(
                        "no sub-product with code '{}'",
                        crate::mapping::text::quote(&p.code)
                    ),
                })?;
        let sp = Product {
            id: Some(id),
            ..p.clone()
        };
        self.call(op, WRITE, &|x: &mut XmlOut| {
            x.start("sp");
            wire::write_sub_product(x, &sp, parent);
            x.end("sp");
        })
        .await?;
        Ok(())
    }

    /// `AddOrUpdateSubProduct` with id 0: create `p` under its nominal; answers it with its id.
    pub async fn add_sub_product(&self, p: &Product) -> Result<Product, KfError> {
        let op = "AddOrUpdateSubProduct";
        let l = self.lookups().await?;
        let parent = parent_nominal(&l, p, op)?;
        let sp = Product {
            id: Some(0),
            ..p.clone()
        };
        let el = self
            .call(op, WRITE, &|x: &mut XmlOut| {
                x.start("sp");
                wire::write_sub_product(x, &sp, parent);
                x.end("sp");
            })
            .await?;
        let id = new_id(&el, op)?;
        // The id ↔ code map the invoice lines need is read again next time.
        *self.lookups.lock().await = None;
        Ok(Product {
            id: Some(id),
            nominal_id: Some(parent),
            ..p.clone()
        })
    }

    /// Every sub-product (refreshes the product ids this client knows).
    pub async fn products(&self) -> Result<Vec<Product>, KfError> {
        let l = self.lookups().await?;
        let products = self.sub_products(&l).await?;
        if let Some(l) = self.lookups.lock().await.as_mut() {
            for p in &products {
                let id = p.id.unwrap_or_default();
                l.product_code.insert(id, (p.code.clone(), p.nominal_code));
                l.product_id.insert(p.code.to_ascii_uppercase(), id);
            }
        }
        Ok(products)
    }
}

impl Transport for SoapClient {
    fn kind(&self) -> TransportKind {
        TransportKind::Soap
    }

    fn enforces_our_invoice_numbers(&self) -> bool {
        self.cfg.assumptions.supplied_invoice_number == SuppliedInvoiceNumber::Refused
    }

    fn payments_in_create(&self) -> bool {
        false
    }

    fn label(&self, op: &Op<'_>) -> (&'static str, String) {
        let t = match op {
            Op::GetCustomer(code) => format!("KashFlow/GetCustomer {code}"),
            Op::FindCustomersByEmail => "KashFlow/GetCustomerByEmail".into(),
            Op::CreateCustomer => "KashFlow/InsertCustomer".into(),
            Op::UpdateCustomer(code) => format!("KashFlow/UpdateCustomer {code}"),
            Op::GetInvoice(n) => format!("KashFlow/GetInvoice {n} (+GetInvoicePayment)"),
            Op::FindInvoiceByReference(r) => {
                format!("KashFlow/GetInvoicesForCustomer (reference {r})")
            }
            Op::CreateInvoice => "KashFlow/InsertInvoice".into(),
            Op::AddPayment(n) => format!("KashFlow/InsertInvoicePayment {n}"),
            Op::ApplyCreditNote(id) => format!("KashFlow/applyCreditNoteToInvoice {id}"),
            Op::ListProducts => "KashFlow/GetProductsWithSubProducts".into(),
            Op::CreateProduct(code) => format!("KashFlow/AddOrUpdateSubProduct {code}"),
            Op::UpdateProduct(code) => format!("KashFlow/AddOrUpdateSubProduct {code}"),
        };
        ("POST", t)
    }

    fn request_count(&self) -> u64 {
        SoapClient::request_count(self)
    }

    fn request_counts(&self) -> BTreeMap<String, u64> {
        SoapClient::request_counts(self)
    }

    fn login(&self) -> KfFuture<'_, ()> {
        // No session on SOAP: one cheap authenticated read proves the credentials.
        Box::pin(async move { self.currencies().await.map(|_| ()) })
    }

    fn company_name(&self) -> Option<String> {
        self.company.lock().ok().and_then(|c| c.clone())
    }

    fn account_facts(&self) -> KfFuture<'_, AccountFacts> {
        Box::pin(async move {
            let company = self.company_details().await?;
            let vat = self.is_vat_registered().await?;
            let currencies = self.currencies().await?;
            let banks = self.bank_accounts().await?;
            Ok(AccountFacts {
                company_name: company,
                vat_registered: Some(vat),
                home_currency: currencies
                    .iter()
                    .find(|c| c.is_default)
                    .map(|c| c.code.clone()),
                currencies: currencies.into_iter().map(|c| c.code).collect(),
                bank_accounts: banks.into_iter().map(|b| b.account_name).collect(),
            })
        })
    }

    fn get_customer<'a>(&'a self, code: &'a str) -> KfFuture<'a, Option<Customer>> {
        Box::pin(self.customer_by_code(code))
    }

    fn find_customers_by_email<'a>(&'a self, email: &'a str) -> KfFuture<'a, Vec<Customer>> {
        Box::pin(async move { Ok(self.customer_by_email(email).await?.into_iter().collect()) })
    }

    fn create_customer<'a>(&'a self, customer: &'a Customer) -> KfFuture<'a, Customer> {
        Box::pin(self.insert_customer(customer))
    }

    fn update_customer<'a>(&'a self, customer: &'a Customer) -> KfFuture<'a, ()> {
        Box::pin(SoapClient::update_customer(self, customer))
    }

    fn get_invoice(&self, number: i64) -> KfFuture<'_, Option<Invoice>> {
        Box::pin(self.invoice(number))
    }

    fn find_invoice_by_reference<'a>(
        &'a self,
        customer_code: &'a str,
        reference: &'a str,
    ) -> KfFuture<'a, Option<Invoice>> {
        Box::pin(self.invoice_by_reference(customer_code, reference))
    }

    fn create_invoice<'a>(&'a self, invoice: &'a Invoice) -> KfFuture<'a, Invoice> {
        Box::pin(self.insert_invoice(invoice))
    }

    fn add_payment<'a>(&'a self, current: &'a Invoice, line: &'a PaymentLine) -> KfFuture<'a, ()> {
        Box::pin(async move {
            self.insert_payment(current.number.unwrap_or_default(), line)
                .await
                .map(|_| ())
        })
    }

    fn apply_credit_note<'a>(
        &'a self,
        invoice: &'a Invoice,
        note: &'a Invoice,
        _application: &'a CreditApplication,
    ) -> KfFuture<'a, ()> {
        Box::pin(SoapClient::apply_credit_note(
            self,
            invoice.id.unwrap_or_default(),
            note.id.unwrap_or_default(),
        ))
    }

    fn list_products(&self) -> KfFuture<'_, Vec<Product>> {
        Box::pin(self.products())
    }

    fn list_bank_accounts(&self) -> KfFuture<'_, Vec<BankAccount>> {
        Box::pin(self.bank_accounts())
    }

    fn account_catalogue(&self) -> KfFuture<'_, KashFlowCatalogue> {
        Box::pin(async move {
            Ok(catalogue_from(
                self.payment_methods().await?,
                self.bank_accounts().await?,
                self.nominal_names().await?,
                self.vat_rates().await?,
                self.currencies()
                    .await?
                    .into_iter()
                    .map(|c| c.code)
                    .collect(),
                self.products().await?,
            ))
        })
    }

    fn create_product<'a>(&'a self, product: &'a Product) -> KfFuture<'a, Product> {
        Box::pin(self.add_sub_product(product))
    }

    fn update_product<'a>(&'a self, product: &'a Product) -> KfFuture<'a, ()> {
        Box::pin(self.update_sub_product(product))
    }
}

/// The KashFlow id of the nominal a sub-product is filed under (SOAP sub-products hang from their
/// nominal); refused before sending when the account has no such nominal.
fn parent_nominal(l: &Lookups, p: &Product, op: &str) -> Result<i64, KfError> {
    l.nominal_id
        .get(&p.nominal_code)
        .copied()
        .ok_or_else(|| KfError::Rejected {
            request: format!("SOAP {op}"),
            status: 200,
            code: "InvalidNominalCode".into(),
            message: format!(
                "not sent: nominal code {} is not in KashFlow's nominal codes",
                p.nominal_code
            ),
        })
}
