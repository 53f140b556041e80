//! Everything about KashFlow's SOAP API that no public source settles, in one place. The client
//! and the sandbox both read [`SoapAssumptions`], so one switch changes what we send *and* what
//! the sandbox does; the README's "Sandbox fidelity (SOAP)" lists the same points. Each default is
//! the strict reading (the one that cannot lose or double money if KashFlow behaves the other way).
//!
//! Guesses without a switch (the sandbox behaves so, the client copes with either reading):
//! - `GetCustomerByEmail` / `GetCustomer` / `GetInvoice` for something that does not exist answer
//!   Status `NO` with a "not found" text (the client also treats `OK` with an empty object, e.g.
//!   `InvoiceDBID` 0, as "none").
//! - Every `NO` whose text we do not recognise is a permanent refusal (never retried); KashFlow's
//!   texts for duplicates, disabled API or locked account are unknown.
//! - `NO` texts: "Incorrect username or password" and "The IP address of <ip> is not in the access
//!   list" (seen in public clients) are login failures; the SQL timeout text
//!   ("Execution Timeout Expired…") is KashFlow's database being slow (retryable on reads,
//!   outcome unknown on writes). The sandbox's own validation texts are its own.
//! - Bad SOAP logins do not lock the account (no source mentions a SOAP lockout).
//! - `InsertInvoice` for a `CustID` KashFlow no longer has (the customer merged or deleted there)
//!   answers `NO` with a text naming the customer as not existing; the client reads it as REST's
//!   `InvalidCustomerCode`, and the stage finds the customer again by e-mail.
//! - `InvoiceLine.ChargeType` is the nominal's `id`, `ProductID` the sub-product's `id`,
//!   `VatRate` -1 means exempt, `VatAmount` is the whole line's VAT as the client sends it.
//! - `AddOrUpdateSubProduct` with an existing sub-product's `id` replaces it (id 0 creates), as
//!   its name says; a flow's Product step updates a product's name, price and VAT rate so.
//! - `InvoiceLine.ProjID` takes the project's number, as REST's `ProjectNumber` (a flow's Invoice
//!   step `ProjectId`); 0 is no project.
//! - A credit note is an invoice with positive `Quantity`, negative `Rate` and `VatAmount`.
//! - `applyCreditNoteToInvoice(InvoiceID, CreditNoteID)` takes the two documents' `InvoiceDBID`s
//!   and applies what it can: the smaller of the credit left and what the invoice owes, dated
//!   the credit note's date.
//! - `GetInvoicePayment` lists an applied credit note among the invoice's (and the credit note's)
//!   payments with `PayMethod` 0 (real payment methods have ids from 1); money paid back on a
//!   credit note is an ordinary positive payment on it.
//! - `PayAmount` is in the invoice's currency.
//! - `GetInvoicesForCustomer(CustID)` lists every invoice and credit note of the customer (how an
//!   invoice is found again by its `CustomerReference` — there is no search by reference).
//! - `GetCompanyDetails` carries the account's name in `CompanyName`.
//! - `isUserVATRegistered`, `GetCurrencies` (`isDefault` 1 = home currency) and `GetBankAccounts`
//!   answer a connection test's facts.

/// What KashFlow does with a non-zero `InvoiceNumber` in `InsertInvoice` when that number is
/// already used. Public clients disagree (KashFlow's docs: numbers are unique; websnail: an
/// existing invoice is overwritten).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SuppliedInvoiceNumber {
    /// Unverified, so assume the worst: a used number overwrites. The client therefore never
    /// sends a number of its own (always 0), stores the number KashFlow returns, and after a
    /// lost answer finds the document by its `CustomerReference` before it writes again. The
    /// sandbox overwrites, so a client that did send a used number would be caught by tests.
    #[default]
    Overwrites,
    /// Verified against a live account: a used number is refused with Status `NO`. The client may
    /// then post the mapping's deterministic number (exactly-once rests on it, as on REST); the
    /// sandbox refuses.
    Refused,
}

/// The SOAP assumptions the client and the sandbox share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoapAssumptions {
    pub supplied_invoice_number: SuppliedInvoiceNumber,
    /// Decimal places KashFlow keeps for a line's `Rate` (websnail: 2; spree-kashflow sends 4).
    /// Strict default 2: a rate with more places is sent as the same quantity at the rounded rate
    /// plus a "Rounding" line at the same VAT rate for the pennies (`wire::lines_for_soap`); the
    /// sandbox refuses more places.
    pub rate_decimals: u32,
}

impl Default for SoapAssumptions {
    fn default() -> Self {
        SoapAssumptions {
            supplied_invoice_number: SuppliedInvoiceNumber::Overwrites,
            rate_decimals: 2,
        }
    }
}

/// The `NO` text for an unknown login (seen in public clients).
pub const BAD_LOGIN: &str = "Incorrect username or password";

/// The `NO` text for a caller outside the account's IP allow-list (seen in public clients).
pub fn ip_not_allowed(ip: &str) -> String {
    format!("The IP address of {ip} is not in the access list")
}

/// The `NO` text the sandbox answers for KashFlow's SQL timeout (the REST API's wording).
pub const SQL_TIMEOUT_TEXT: &str = "Execution Timeout Expired.  The timeout period elapsed prior to completion of the operation or the server is not responding.";

/// `PayMethod` of an applied credit note as `GetInvoicePayment` lists it.
pub const CREDIT_ALLOCATION_METHOD: i64 = 0;
