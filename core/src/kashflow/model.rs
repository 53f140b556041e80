//! KashFlow REST v2 wire model: the JSON documents KashFlow sends and accepts.
//!
//! Owns the field names and casing exactly as KashFlow emits them (PascalCase with its own
//! inconsistencies: `VATLevel`, `Firstname`, `DisplaySymbolOnRight`), so the client, the sandbox
//! and the mapping's request builder share one definition. Money and rates are `Decimal`, written
//! as JSON numbers with 4 decimal places (see `wire`); dates are `KfDateTime` ("YYYY-MM-DD HH:mm:ss").
//! Every struct tolerates unknown fields and missing optional ones.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_date: Option<KfDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_payment_date: Option<KfDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
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
    #[serde(with = "flexible_bool")]
    pub is_registered_in_ec: bool,
    #[serde(with = "flexible_bool")]
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
}
