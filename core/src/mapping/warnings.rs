//! Things worth telling the shop admin about a mapping that still goes ahead.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WarningCode {
    /// A VAT-registered business outside the home country was invoiced without VAT: posted
    /// zero-rated (VATLevel 0, not exempt), with a note line naming its VAT number.
    ZeroRatedB2b,
    /// The order carries a VAT number from outside the home country, yet VAT was charged;
    /// posted as charged.
    VatChargedDespiteVatNumber,
    /// The order is paid but has no PaidDateUtc; the payment is dated on the order date.
    PaidDateMissing,
    /// The order is cancelled; it is still mapped as placed.
    OrderCancelled,
    /// The order has refunds; they are not part of the invoice (refund events handle them).
    RefundNotOnInvoice,
    /// The order was paid in a currency other than the invoice's (HomeCurrency setting).
    InvoicedInHomeCurrency,
    /// A text was longer than KashFlow keeps and was shortened.
    TextTruncated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Warning {
    pub code: WarningCode,
    pub path: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn new(code: WarningCode, path: Option<&str>, message: impl Into<String>) -> Self {
        Warning {
            code,
            path: path.map(str::to_string),
            message: message.into(),
        }
    }
}
