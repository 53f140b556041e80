//! Mapping: order snapshot + rules → canonical invoice → KashFlow requests, with validation.
//!
//! `map_order` runs the steps in order; each module owns one concern:
//! - `order_checks`: identity, dates, status, currency, amounts in range;
//! - `buyer`: the KashFlow customer (`customer`: its code and e-mail; `address`: addresses);
//! - `charges`: what was charged, each with its VAT treatment (`vat`: the rate of an amount);
//! - `figures`: net and VAT per rate as nopCommerce charged them, and the checks of the totals;
//! - `lines` + `posting`: those figures as KashFlow lines, in the invoice currency;
//! - `payments`: what goes in with the invoice; `text`: plain text within KashFlow's lengths;
//! - `to_kashflow`: the canonical invoice as KashFlow request bodies; `preview` for the admin.
pub mod account_check;
pub mod address;
pub mod buyer;
pub mod canonical;
pub mod charges;
mod context;
pub mod customer;
pub mod figures;
pub mod lines;
pub mod map_order;
pub mod order_checks;
pub mod payments;
pub mod posting;
pub mod preview;
pub mod rules;
pub mod suggest;
pub mod text;
pub mod to_kashflow;
pub mod vat;
pub mod warnings;

pub use crate::order::{ErrorCode, ValidationError, ValidationErrors};
pub use map_order::{map_order, MappedOrder};
pub use payments::london_date;
pub use preview::{preview, Preview};
pub use rules::MappingRules;
pub use warnings::{Warning, WarningCode};

/// Largest amount accepted anywhere in a snapshot (keeps all arithmetic far from overflow).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// Largest quantity accepted on an item.
pub const MAX_QUANTITY: i64 = 1_000_000;
/// Largest currency rate accepted.
pub const MAX_CURRENCY_RATE: i64 = 1_000_000;
