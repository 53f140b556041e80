//! Longest text KashFlow keeps per field, in characters. KashFlow publishes none: these are our
//! guess, taken strictly (no longer than any limit seen in KashFlow's own screens), kept here in
//! one place so a correction is one edit. The mapping shortens longer text (with a warning) and the
//! sandbox refuses it; README → "Sandbox fidelity" lists them.

/// Invoice line `Description`.
pub const LINE_DESCRIPTION: usize = 500;
/// Product `Code` (a shop's SKU longer than this cannot become a KashFlow product code).
pub const PRODUCT_CODE: usize = 50;
/// Product `Name`.
pub const PRODUCT_NAME: usize = 100;
/// Customer `Name`, contact names.
pub const CUSTOMER_NAME: usize = 100;
/// Address lines and the country name.
pub const ADDRESS_LINE: usize = 100;
/// Postcode.
pub const POST_CODE: usize = 20;
/// E-mail address.
pub const EMAIL: usize = 100;
/// Telephone number.
pub const TELEPHONE: usize = 30;
/// VAT number.
pub const VAT_NUMBER: usize = 30;
/// Invoice `CustomerReference` (never cut by the mapping: exactly-once finds an invoice by it).
pub const CUSTOMER_REFERENCE: usize = 100;
/// Customer note and payment note.
pub const NOTE: usize = 250;
