//! Structured problems found in an order snapshot or while mapping it: a stable code, the field
//! path in the snapshot (`Items[2].Sku`), and a message a shop admin understands. Parsing and
//! mapping both report with these types and both return every problem found, not just the first.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How many characters of a bad value an error message quotes.
pub const QUOTE_CHARS: usize = 200;

/// A value for an error message: at most `QUOTE_CHARS` characters, with how long it really was
/// when it was cut (a 10 MB field must not make a 10 MB message, nor a 20 MB journal row).
pub fn quote(value: &str) -> String {
    match value.char_indices().nth(QUOTE_CHARS) {
        None => value.to_string(),
        Some((cut, _)) => format!(
            "{}… ({} characters in all)",
            &value[..cut],
            value.chars().count()
        ),
    }
}

/// What kind of problem it is. Stable: the plugin and the engine key on these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The bytes are not JSON (syntax error).
    InvalidJson,
    /// The JSON stops before the document is complete.
    IncompleteJson,
    /// JSON, but not the shape of the document (wrong type, unknown field, bad value).
    InvalidDocument,
    /// A required field is absent.
    MissingField,
    /// `SchemaVersion` is not one this build understands.
    UnsupportedSchemaVersion,
    /// A value is present but not acceptable (e.g. a malformed order GUID or TaxRates string).
    InvalidValue,
    /// An order item has no SKU, so it cannot be matched to a KashFlow product.
    MissingSku,
    /// An order item's quantity is zero or negative.
    InvalidQuantity,
    /// An amount that must not be negative is.
    NegativeAmount,
    /// The customer's e-mail address is missing or malformed.
    InvalidEmail,
    /// A UK postcode that does not follow the UK postcode format.
    InvalidPostcode,
    /// A country code that is missing or not two letters.
    InvalidCountry,
    /// A currency that is not configured for the KashFlow account.
    UnknownCurrency,
    /// A currency exchange rate that is zero, negative or inconsistent.
    InvalidCurrencyRate,
    /// The order's payment method has no KashFlow payment method/bank account mapping.
    UnmappedPaymentMethod,
    /// A VAT rate charged on the order is not one of the account's rates.
    UnknownVatRate,
    /// VAT treatment configured for a SKU contradicts what the order charged.
    VatMismatch,
    /// The order's amounts do not add up to its total (beyond the rounding tolerance).
    TotalsMismatch,
    /// The mapping rules themselves are invalid.
    InvalidRules,
    /// The order must not be invoiced as it stands (its payment was voided, or it was refunded in
    /// full before it was synced).
    NotInvoiceable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "InvalidJson",
            ErrorCode::IncompleteJson => "IncompleteJson",
            ErrorCode::InvalidDocument => "InvalidDocument",
            ErrorCode::MissingField => "MissingField",
            ErrorCode::UnsupportedSchemaVersion => "UnsupportedSchemaVersion",
            ErrorCode::InvalidValue => "InvalidValue",
            ErrorCode::MissingSku => "MissingSku",
            ErrorCode::InvalidQuantity => "InvalidQuantity",
            ErrorCode::NegativeAmount => "NegativeAmount",
            ErrorCode::InvalidEmail => "InvalidEmail",
            ErrorCode::InvalidPostcode => "InvalidPostcode",
            ErrorCode::InvalidCountry => "InvalidCountry",
            ErrorCode::UnknownCurrency => "UnknownCurrency",
            ErrorCode::InvalidCurrencyRate => "InvalidCurrencyRate",
            ErrorCode::UnmappedPaymentMethod => "UnmappedPaymentMethod",
            ErrorCode::UnknownVatRate => "UnknownVatRate",
            ErrorCode::VatMismatch => "VatMismatch",
            ErrorCode::TotalsMismatch => "TotalsMismatch",
            ErrorCode::InvalidRules => "InvalidRules",
            ErrorCode::NotInvoiceable => "NotInvoiceable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem. `path` names the snapshot field (`Items[2].Sku`, `BillingAddress.ZipPostalCode`)
/// or, for rule problems, the rules field (`Rules.CustomerReferenceTemplate`); `None` for the
/// document as a whole. `line`/`column` are set for JSON syntax problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValidationError {
    pub code: ErrorCode,
    pub path: Option<String>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl ValidationError {
    pub fn new(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        ValidationError {
            code,
            path: if path.is_empty() { None } else { Some(path) },
            message: message.into(),
            line: None,
            column: None,
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.code)?;
        if let Some(p) = &self.path {
            write!(f, " {p}:")?;
        }
        write!(f, " {}", self.message)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, " (line {l}, column {c})")?;
        }
        Ok(())
    }
}

/// Every problem found in one document; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValidationErrors {
    pub errors: Vec<ValidationError>,
}

impl ValidationErrors {
    pub fn one(e: ValidationError) -> Self {
        ValidationErrors { errors: vec![e] }
    }

    /// The first error's code: what a caller reports when it can show only one.
    pub fn code(&self) -> ErrorCode {
        self.errors
            .first()
            .map(|e| e.code)
            .unwrap_or(ErrorCode::InvalidDocument)
    }

    pub fn has(&self, code: ErrorCode, path: &str) -> bool {
        self.errors
            .iter()
            .any(|e| e.code == code && e.path.as_deref() == Some(path))
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            0 => f.write_str("no problems"),
            1 => write!(f, "{}", self.errors[0]),
            n => {
                write!(f, "{n} problems: ")?;
                for (i, e) in self.errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ValidationErrors {}
impl std::error::Error for ValidationError {}
