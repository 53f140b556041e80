//! The canonical invoice: what an order means for the ledger, independent of any wire format.
//!
//! Built from an order snapshot by the mapping stage and turned into KashFlow requests by the
//! request builder. Amounts are in the invoice currency and already rounded as they will be posted:
//! `Σ line net + Σ line VAT = gross_total` exactly, and that gross equals the order total.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What a line stands for. The kind decides its nominal code and how it is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineKind {
    Product,
    Shipping,
    Discount,
    PaymentFee,
    /// The priced checkout attributes (gift wrapping, a delivery slot...): inside the order
    /// subtotal but on no item.
    CheckoutOptions,
    /// A gift card as a negative, VAT-exempt line (`GiftCards.Policy` `NegativeLine` only).
    GiftCard,
    /// Reward points as a discount at one VAT rate (`RewardPoints.Policy` `Discount`).
    RewardPoints,
    /// A zero-net line at one VAT rate carrying a VAT penny that rate's lines could not.
    Rounding,
    /// A description-only line (quantity 1, rate 0), e.g. the zero-rated B2B note.
    Note,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CanonicalAddress {
    /// nopCommerce Address1 (whitespace trimmed and collapsed, like every line).
    pub line1: Option<String>,
    /// Address2.
    pub line2: Option<String>,
    /// City.
    pub line3: Option<String>,
    /// County, or else the state/province abbreviation.
    pub line4: Option<String>,
    /// Postcode; UK postcodes validated and in standard form ("SW1A 1AA").
    pub post_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
    /// Not known from the snapshot; left for KashFlow to fill from the code.
    pub country_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CanonicalCustomer {
    /// The KashFlow customer code this order's customer should have (deterministic per rules).
    pub code: String,
    /// The company for a business buyer (billing address `Company`, else the customer's),
    /// else first + last name, else the e-mail.
    pub name: String,
    /// Lower-case, trimmed; the engine matches existing KashFlow customers by it.
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    /// The billing address's phone number.
    pub phone: Option<String>,
    /// The order's VAT number, upper-case without spaces.
    pub vat_number: Option<String>,
    pub is_guest: bool,
    pub nop_customer_id: i64,
    /// The billing address.
    pub address: Option<CanonicalAddress>,
    /// The shipping address, if the order has one.
    pub delivery_address: Option<CanonicalAddress>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CanonicalLine {
    pub kind: LineKind,
    /// What the customer bought or what the line is for, as shown on the invoice.
    pub description: String,
    /// Units: for products the ordered quantity, 1 for every other line.
    #[serde(with = "crate::money::serde_money")]
    pub quantity: Decimal,
    /// Net unit price in the invoice currency, at most 4 decimal places; KashFlow's line net is
    /// `round2(quantity × rate)`.
    #[serde(with = "crate::money::serde_money")]
    pub rate: Decimal,
    /// VAT percentage (20, 5, 0).
    #[serde(with = "crate::money::serde_money")]
    pub vat_rate: Decimal,
    /// VAT of the whole line, 2 decimal places (within a penny of KashFlow's own figure).
    #[serde(with = "crate::money::serde_money")]
    pub vat_amount: Decimal,
    /// Outside the scope of VAT (KashFlow `VATExempt`), as opposed to zero-rated.
    pub vat_exempt: bool,
    pub nominal_code: i64,
    /// KashFlow product code when the line names a KashFlow product (stock-managed or not).
    pub product_code: Option<String>,
    pub sku: Option<String>,
    /// Where the line comes from in the snapshot (`Items[2]`, `OrderShippingInclTax`...), if anywhere.
    #[serde(default)]
    pub source: Option<String>,
}

impl CanonicalLine {
    /// quantity × rate, to the penny.
    pub fn net(&self) -> Decimal {
        crate::money::round_money(self.quantity * self.rate)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CanonicalCurrency {
    /// ISO 4217 code of the invoice currency.
    pub code: String,
    /// Units of the invoice currency per 1 unit of the home currency (KashFlow's convention).
    #[serde(with = "crate::money::serde_money")]
    pub exchange_rate: Decimal,
}

/// What a payment on the invoice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentKind {
    /// The customer's payment (paid at placement, or a later `OrderPaid`).
    Order,
    /// A gift card used on the order (`GiftCards.Policy` `Payment`).
    GiftCard,
    /// Reward points redeemed (`RewardPoints.Policy` `PaymentFromAccount`).
    RewardPoints,
}

/// A payment to record on the invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CanonicalPayment {
    pub kind: PaymentKind,
    #[serde(with = "crate::money::serde_money")]
    pub amount: Decimal,
    /// Payment date in Europe/London.
    pub date: NaiveDate,
    pub method_id: i64,
    pub bank_account_id: i64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CanonicalInvoice {
    /// nopCommerce Order.Id.
    pub order_id: i64,
    pub custom_order_number: String,
    /// Lower-case hyphenated GUID.
    pub order_guid: String,
    pub store_id: i64,
    /// The KashFlow invoice `Number` to post, or `None` for KashFlow's own numbering.
    pub invoice_number: Option<i64>,
    /// From the rules' CustomerReferenceTemplate.
    pub customer_reference: String,
    /// The order's date in Europe/London.
    pub issued_date: NaiveDate,
    /// Issued date + DueDays (paid or unpaid).
    pub due_date: NaiveDate,
    pub currency: CanonicalCurrency,
    pub customer: CanonicalCustomer,
    pub lines: Vec<CanonicalLine>,
    /// Σ line net, Σ line VAT, and their sum: the value of the sale in this currency (the order
    /// total, plus gift cards and reward points where those are booked as payments).
    #[serde(with = "crate::money::serde_money")]
    pub net_total: Decimal,
    #[serde(with = "crate::money::serde_money")]
    pub vat_total: Decimal,
    #[serde(with = "crate::money::serde_money")]
    pub gross_total: Decimal,
    /// Payments that go in with the invoice: the customer's when the order was paid when the
    /// snapshot was taken, and gift cards / reward points booked as payments.
    pub payments: Vec<CanonicalPayment>,
}
