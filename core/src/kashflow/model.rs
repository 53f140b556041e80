//! KashFlow REST v2 wire model: the JSON documents KashFlow sends and accepts.
//!
//! Owns the field names and casing exactly as KashFlow emits them (PascalCase with its own
//! inconsistencies: `VATLevel`, `Firstname`, `DisplaySymbolOnRight`), so the client, the sandbox
//! and the mapping's request builder share one definition. Money and rates are `Decimal`, written
//! as JSON numbers with 4 decimal places (see `wire`); dates are `KfDateTime` ("YYYY-MM-DD HH:mm:ss").
//! Every struct tolerates unknown fields and missing optional ones.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::secret::Secret;
use super::wire::{dec4, dec4_opt, flexible_bool, KfDateTime};

/// An address block as used on customers (`Addresses[]`) and invoices (`Address`, `DeliveryAddress`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub line3: Option<String>,
    pub line4: Option<String>,
    pub post_code: Option<String>,
    pub country_code: Option<String>,
    pub country_name: Option<String>,
}

/// A customer contact. Note KashFlow's `Firstname` (lower-case n) beside `LastName`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Contact {
    pub title: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "Firstname")]
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub telephone: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<String>,
    pub website: Option<String>,
}

/// Currency as embedded in an invoice. On create only `Code` and `ExchangeRate` are read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InvoiceCurrency {
    pub code: String,
    #[serde(with = "dec4")]
    pub exchange_rate: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "flexible_bool::option"
    )]
    pub display_symbol_on_right: Option<bool>,
}

/// One invoice line. `Rate` is the net unit price in the invoice currency; `VATLevel` is a
/// percentage and is always sent, even when zero (KashFlow may otherwise default it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LineItem {
    /// Line id and sort order; 0 for a new line.
    pub number: i64,
    pub description: String,
    #[serde(with = "dec4")]
    pub quantity: Decimal,
    #[serde(with = "dec4")]
    pub rate: Decimal,
    #[serde(rename = "VATLevel", with = "dec4")]
    pub vat_level: Decimal,
    #[serde(rename = "VATAmount", with = "dec4")]
    pub vat_amount: Decimal,
    #[serde(rename = "VATExempt", with = "flexible_bool")]
    pub vat_exempt: bool,
    pub nominal_code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    pub project_number: i64,
}

/// A payment recorded on an invoice (`PaymentLines[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PaymentLine {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub date: Option<KfDateTime>,
    #[serde(with = "dec4")]
    pub amount: Decimal,
    /// Payment method id (opaque, account specific).
    pub method: i64,
    /// Bank account `Id` the money went into.
    pub account_id: i64,
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    /// The invoice the payment belongs to (response only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<i64>,
    /// Set when the payment was made as part of a bulk payment (response only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk_payment_number: Option<i64>,
    /// The line is a credit note's allocation (on the invoice it was applied to and on the credit
    /// note itself), not money: written by KashFlow when a credit is applied (response only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_payment_credit_note: Option<bool>,
}

/// A sales invoice, as created (request) and as returned (response; the server fills totals).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Invoice {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Caller-supplied unique number, or `None` to let KashFlow assign the next one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    pub customer_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    pub customer_reference: Option<String>,
    pub issued_date: Option<KfDateTime>,
    pub due_date: Option<KfDateTime>,
    pub currency: Option<InvoiceCurrency>,
    pub address: Option<Address>,
    pub delivery_address: Option<Address>,
    #[serde(with = "flexible_bool")]
    pub use_custom_delivery_address: bool,
    #[serde(rename = "VATNumber")]
    pub vat_number: Option<String>,
    pub line_items: Option<Vec<LineItem>>,
    pub payment_lines: Option<Vec<PaymentLine>>,
    #[serde(
        rename = "NetAmount",
        with = "dec4_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub net_amount: Option<Decimal>,
    #[serde(
        rename = "VATAmount",
        with = "dec4_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub vat_amount: Option<Decimal>,
    #[serde(with = "dec4_opt", skip_serializing_if = "Option::is_none")]
    pub gross_amount: Option<Decimal>,
    #[serde(with = "dec4_opt", skip_serializing_if = "Option::is_none")]
    pub total_paid_amount: Option<Decimal>,
    #[serde(with = "dec4_opt", skip_serializing_if = "Option::is_none")]
    pub due_amount: Option<Decimal>,
    #[serde(with = "dec4_opt", skip_serializing_if = "Option::is_none")]
    pub home_currency_gross_amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    // Written as null when unset, as KashFlow does (response-only; ignored on requests).
    pub paid_date: Option<KfDateTime>,
    pub last_payment_date: Option<KfDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    /// Internal id of the invoice's customer (response only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i64>,
    /// Days past `DueDate` while unpaid (response only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_days: Option<i64>,
    /// `"Invoice"` or `"CreditNote"` (response only; see `kashflow::credit_note`).
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
}

/// A customer. `Code` is the business key (free text, URL-encode it in paths).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Customer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub code: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub telephone_number: Option<String>,
    pub mobile_number: Option<String>,
    pub contacts: Vec<Contact>,
    pub addresses: Vec<Address>,
    pub delivery_addresses: Vec<Address>,
    #[serde(with = "flexible_bool")]
    pub use_custom_delivery_address: bool,
    #[serde(rename = "VATNumber")]
    pub vat_number: Option<String>,
    // KashFlow spells these with "EC" in capitals, which rename_all would not produce.
    #[serde(rename = "IsRegisteredInEC", with = "flexible_bool")]
    pub is_registered_in_ec: bool,
    #[serde(rename = "IsRegisteredOutsideEC", with = "flexible_bool")]
    pub is_registered_outside_ec: bool,
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<KfDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_date: Option<KfDateTime>,
    /// Request flag: let KashFlow generate a new code instead of refusing a duplicate.
    #[serde(with = "flexible_bool")]
    pub create_customer_code_if_duplicate: bool,
    #[serde(with = "flexible_bool")]
    pub create_customer_name_if_empty_or_null: bool,
    /// Public GUID of the customer (response only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<CustomerCurrency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_terms: Option<PaymentTerms>,
    #[serde(with = "dec4_opt", skip_serializing_if = "Option::is_none")]
    pub discount_rate: Option<Decimal>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "flexible_bool::option"
    )]
    pub is_archived: Option<bool>,
    // Statistics KashFlow maintains (response only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_count: Option<i64>,
    #[serde(with = "dec4_opt", skip_serializing_if = "Option::is_none")]
    pub outstanding_balance: Option<Decimal>,
    #[serde(with = "dec4_opt", skip_serializing_if = "Option::is_none")]
    pub total_paid_amount: Option<Decimal>,
    #[serde(
        rename = "InvoicedNetAmount",
        with = "dec4_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub invoiced_net_amount: Option<Decimal>,
    #[serde(
        rename = "InvoicedVATAmount",
        with = "dec4_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub invoiced_vat_amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_invoice_date: Option<KfDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_invoice_date: Option<KfDateTime>,
}

/// Currency as embedded in a customer. Note `DisplayOnRight` here vs `DisplaySymbolOnRight` on
/// invoices and the currency list (KashFlow's own inconsistency).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CustomerCurrency {
    pub code: String,
    #[serde(with = "dec4")]
    pub exchange_rate: Decimal,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "flexible_bool::option"
    )]
    pub display_on_right: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
}

/// A customer's payment terms, e.g. `{"Days": 30, "Type": "AfterInvoiceDate"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PaymentTerms {
    pub days: i64,
    #[serde(rename = "Type")]
    pub kind: String,
}

/// A product (KashFlow "sub-nominal"), keyed by `NominalCode` + `Code`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Product {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub code: String,
    /// Parent nominal code (documented as a string, sent as a number; both are read).
    pub nominal_code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nominal_id: Option<i64>,
    pub name: String,
    pub description: Option<String>,
    #[serde(with = "flexible_bool")]
    pub auto_fill_line_item: bool,
    /// Net unit price in the home currency.
    #[serde(with = "dec4")]
    pub price: Decimal,
    #[serde(rename = "WholeSalePrice", with = "dec4")]
    pub whole_sale_price: Decimal,
    /// VAT percentage used to auto-fill lines (20, 5, 0).
    #[serde(rename = "VATRate", with = "dec4")]
    pub vat_rate: Decimal,
    #[serde(with = "flexible_bool")]
    pub manage_stock_level: bool,
    #[serde(with = "dec4")]
    pub quantity_in_stock: Decimal,
    #[serde(with = "dec4")]
    pub stock_warning_quantity: Decimal,
    #[serde(with = "flexible_bool")]
    pub is_default: bool,
    #[serde(with = "flexible_bool")]
    pub in_use: bool,
}

/// A nominal (ledger) code, e.g. 4000 Sales.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Nominal {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub code: i64,
    pub name: String,
    /// SOAP-era numbering: 1 Sales, 2 Outgoing, 3 Bank, 0 other.
    pub nom_type: i64,
    /// e.g. "Turnover", "Current Assets", "Current Liabilities".
    pub classification: Option<String>,
    #[serde(with = "flexible_bool")]
    pub archived: bool,
    /// Whether products (sub-nominals) hang off this nominal.
    #[serde(with = "flexible_bool")]
    pub is_product: bool,
}

/// One of the account's VAT rates (`GET /vat/settings/vatrates`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VatRate {
    #[serde(rename = "VATId")]
    pub vat_id: i64,
    #[serde(rename = "VATRate", with = "dec4")]
    pub vat_rate: Decimal,
    #[serde(rename = "VATText", default)]
    pub vat_text: String,
}

/// A currency set up on the account (`GET /currencies`). `ExchangeRate` = units of this currency
/// per 1 unit of the home currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Currency {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub code: String,
    pub name: String,
    pub symbol: String,
    #[serde(with = "dec4")]
    pub exchange_rate: Decimal,
    #[serde(with = "flexible_bool")]
    pub display_symbol_on_right: bool,
    #[serde(with = "flexible_bool")]
    pub is_default: bool,
}

/// A bank account (`GET /bankaccounts`). Its `Id` is the `AccountId` of a payment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BankAccount {
    pub id: i64,
    /// Nominal-style code, e.g. 1200.
    pub code: i64,
    pub account_name: String,
    #[serde(with = "flexible_bool")]
    pub is_default_account: bool,
    #[serde(with = "flexible_bool")]
    pub is_archived: bool,
    #[serde(with = "dec4_opt", skip_serializing_if = "Option::is_none")]
    pub bank_balance: Option<Decimal>,
}

/// An invoice payment method (`GET /paymentmethods/invoice`); its `Id` is a payment's `Method`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PaymentMethod {
    pub id: i64,
    pub name: String,
}

/// A bulk payment over several invoices (`POST /invoices/bulk/payments`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BulkPayment {
    /// Assigned by KashFlow; `None` on create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    pub date: Option<KfDateTime>,
    pub comment: Option<String>,
    pub account_id: i64,
    pub method: i64,
    #[serde(with = "flexible_bool")]
    pub reconciled: bool,
    pub payment_items: Vec<BulkPaymentItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
}

/// One invoice paid by a bulk payment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BulkPaymentItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(with = "dec4")]
    pub amount: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_issued_date: Option<KfDateTime>,
    /// The invoice number.
    pub object_number: i64,
    pub paid_date: Option<KfDateTime>,
}

/// KashFlow's error body on 400/401/404: `{"Message": "...", "Error": "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ErrorBody {
    pub message: String,
    pub error: String,
}

/// `MetaData` of a paginated list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListMetaData {
    pub first_page_url: Option<String>,
    pub last_page_url: Option<String>,
    pub next_page_url: Option<String>,
    pub previous_page_url: Option<String>,
    pub total_records: u64,
}

/// A paginated list: `{"Data": [...], "MetaData": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PagedList<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(default)]
    pub meta_data: ListMetaData,
}

/// One requested memorable-word character: `Position` is 1-based; `Value` is empty in KashFlow's
/// step-1 response and holds the character in the step-2 request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MemorableWordChar {
    pub position: u32,
    pub value: Secret,
}

/// Login step 1 request (`POST /sessiontoken`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TemporaryTokenRequest {
    pub user_name: String,
    pub password: Secret,
}

/// Login step 1 response: which memorable-word characters to send, and the temporary token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TemporaryTokenResponse {
    #[serde(with = "flexible_bool")]
    pub has_temporary_password: bool,
    #[serde(with = "flexible_bool")]
    pub is_admin: bool,
    pub package_name: Option<String>,
    #[serde(with = "flexible_bool")]
    pub partner_branding_opt_out: bool,
    pub memorable_word_list: Vec<MemorableWordChar>,
    pub partner_id: Option<i64>,
    #[serde(with = "flexible_bool")]
    pub subscription_expired: bool,
    pub temporary_token: Secret,
}

/// Login step 2 request (`PUT /sessiontoken`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SessionTokenRequest {
    pub temporary_token: Secret,
    pub memorable_word_list: Vec<MemorableWordChar>,
}

/// Login step 2 response: the session token for `Authorization: KfToken <token>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SessionTokenResponse {
    pub company_name: Option<String>,
    #[serde(with = "flexible_bool")]
    pub is_admin: bool,
    #[serde(with = "flexible_bool")]
    pub subscription_expired: bool,
    pub partner_id: Option<i64>,
    pub package_name: Option<String>,
    #[serde(with = "flexible_bool")]
    pub partner_branding_opt_out: bool,
    pub session_token: Secret,
    pub start_page_url: Option<String>,
    pub subscription_expiry_date: Option<String>,
    #[serde(with = "flexible_bool")]
    pub has_temporary_password: bool,
}
