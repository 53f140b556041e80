//! The order snapshot contract: the JSON document the nopCommerce plugin sends for an order,
//! its JSON Schema, and parsing with structured errors.
pub mod error;
pub mod parse;
pub mod sample;
pub mod schema;
pub mod snapshot;
pub mod tax_rates;

pub use error::{ErrorCode, ValidationError, ValidationErrors};
pub use parse::{parse_snapshot, SCHEMA_VERSION};
pub use snapshot::{
    OrderAddress, OrderCustomer, OrderItem, OrderSnapshot, OrderStatus, PaymentStatus,
    TaxDisplayType,
};
