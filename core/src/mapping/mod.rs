//! Mapping: order snapshot + rules → canonical invoice → KashFlow requests, with validation.
pub mod canonical;
