//! Mapping: order snapshot + rules → canonical invoice → KashFlow requests, with validation.
pub mod address;
pub mod build;
pub mod canonical;
pub mod customer;
pub mod posting;
pub mod preview;
pub mod rules;
pub mod to_kashflow;
pub mod vat;
pub mod warnings;

pub use crate::order::{ErrorCode, ValidationError, ValidationErrors};
pub use build::{london_date, map_order, MappedOrder};
pub use preview::{preview, Preview};
pub use rules::MappingRules;
pub use warnings::{Warning, WarningCode};
