//! KashFlow credit notes: every shape we assume, in one place.
//!
//! KashFlow documents no credit-note resource (`kashflow-api.md` §7.3/§8, `kashflow-soap.md` §5).
//! What we assume, and what the sandbox enforces (README → Sandbox fidelity), is all here, so a
//! correction after seeing a live account is one edit:
//!
//! 1. A credit note is created with `POST /invoices`: same customer and currency as the invoice,
//!    lines with a **positive `Quantity` and a negative `Rate` and `VATAmount`** (spree-kashflow's
//!    convention), so its `GrossAmount` is negative. KashFlow answers `Type: "CreditNote"`.
//! 2. It is applied to the invoice with `POST /internal/invoices/{invoice Id}/credits` (the internal
//!    `Id`, not the `Number`), body [`CreditApplication`] with `Type: "CreditNote"`, the credit
//!    note's `Id` and the `Amount` to apply (at most what the invoice still owes and what the
//!    credit note still has). KashFlow then shows the allocation as a payment line with
//!    `IsPaymentCreditNote: true` on both documents.
//! 3. Money paid back to the customer is a payment line with a **positive** `Amount` on the
//!    credit note (the bank account and method of the original payment), added with
//!    `PUT /invoices/{credit note number}` like any payment.
//! 4. A credit-note line naming a stock-managed product puts its quantity back in stock.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::model::{Invoice, LineItem, PaymentLine};
use super::wire::{dec4, KfDateTime};

/// `Type` of a credit note (response field; also the credit type when applying one).
pub const CREDIT_NOTE_TYPE: &str = "CreditNote";
/// `Type` of an ordinary sales invoice.
pub const INVOICE_TYPE: &str = "Invoice";

/// The body of `POST /internal/invoices/{invoiceid}/credits` and an item of its `GET` list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreditApplication {
    /// For `CreditNote`: the credit note's internal `Id` (KashFlow: "the unique invoice identifier").
    pub id: i64,
    #[serde(rename = "Type")]
    pub credit_type: String,
    #[serde(with = "dec4")]
    pub amount: Decimal,
    pub date: Option<KfDateTime>,
    pub comment: Option<String>,
}

/// The path that lists and applies credits to an invoice (its internal `Id`).
pub fn credits_path(invoice_id: i64) -> String {
    format!("/internal/invoices/{invoice_id}/credits")
}

/// A credit-note line crediting `quantity` × `unit_net` (both positive for a credit) with
/// `vat` (positive for a credit) at `vat_level`: the sign convention of point 1.
#[allow(clippy::too_many_arguments)]
pub fn credit_line(
    description: &str,
    quantity: Decimal,
    unit_net: Decimal,
    vat_level: Decimal,
    vat: Decimal,
    vat_exempt: bool,
    nominal_code: i64,
    product_code: Option<String>,
) -> LineItem {
    LineItem {
        number: 0,
        description: description.to_string(),
        quantity,
        rate: -unit_net,
        vat_level,
        vat_amount: -vat,
        vat_exempt,
        nominal_code,
        product_code,
        product_name: None,
        project_number: 0,
    }
}

/// Whether a KashFlow document is a credit note.
pub fn is_credit_note(doc: &Invoice) -> bool {
    doc.doc_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case(CREDIT_NOTE_TYPE))
        || doc.gross_amount.is_some_and(|g| g < Decimal::ZERO)
}

/// How much a credit note credits (its gross, as a positive amount).
pub fn credit_total(doc: &Invoice) -> Decimal {
    -doc.gross_amount.unwrap_or_default()
}

fn lines(doc: &Invoice) -> &[PaymentLine] {
    doc.payment_lines.as_deref().unwrap_or_default()
}

/// Allocation lines (credit applied to an invoice), on either document.
pub fn allocations(doc: &Invoice) -> impl Iterator<Item = &PaymentLine> {
    lines(doc)
        .iter()
        .filter(|l| l.is_payment_credit_note == Some(true))
}

/// Money lines: on a credit note, money paid back to the customer.
pub fn money_lines(doc: &Invoice) -> impl Iterator<Item = &PaymentLine> {
    lines(doc)
        .iter()
        .filter(|l| l.is_payment_credit_note != Some(true))
}

/// What a credit note still has to give: its credit less what was applied and paid back.
pub fn credit_left(doc: &Invoice) -> Decimal {
    let used: Decimal = lines(doc).iter().map(|l| l.amount).sum();
    credit_total(doc) - used
}

/// The payment line recording money paid back on a credit note (point 3).
pub fn refund_payment_line(
    amount: Decimal,
    date: KfDateTime,
    method_id: i64,
    bank_account_id: i64,
    note: String,
) -> PaymentLine {
    PaymentLine {
        id: None,
        date: Some(date),
        amount,
        method: method_id,
        account_id: bank_account_id,
        note: Some(note),
        ..PaymentLine::default()
    }
}

/// The body applying credit note `credit_note_id` to an invoice (point 2).
pub fn application(
    credit_note_id: i64,
    amount: Decimal,
    date: KfDateTime,
    comment: String,
) -> CreditApplication {
    CreditApplication {
        id: credit_note_id,
        credit_type: CREDIT_NOTE_TYPE.into(),
        amount,
        date: Some(date),
        comment: Some(comment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_lines_keep_quantity_positive_and_negate_rate_and_vat() {
        let l = credit_line(
            "Mug",
            Decimal::TWO,
            "10.00".parse().unwrap(),
            Decimal::from(20),
            "4.00".parse().unwrap(),
            false,
            4000,
            None,
        );
        assert_eq!(l.quantity, Decimal::TWO);
        assert_eq!(l.rate, "-10.00".parse::<Decimal>().unwrap());
        assert_eq!(l.vat_amount, "-4.00".parse::<Decimal>().unwrap());
        let v = serde_json::to_value(application(
            7,
            Decimal::ONE,
            KfDateTime::from_date(chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()),
            "c".into(),
        ))
        .unwrap();
        assert_eq!(v["Type"], "CreditNote");
        assert_eq!(v["Id"], 7);
    }
}
