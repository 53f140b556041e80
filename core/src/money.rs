//! Money arithmetic shared by every stage: rounding to the penny the way UK invoices do
//! (half away from zero), with `rust_decimal` only, never floats.

use rust_decimal::{Decimal, RoundingStrategy};

/// Round to 2 decimal places, half away from zero (0.005 → 0.01, -0.005 → -0.01).
pub fn round_money(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_money("0.005".parse().unwrap()).to_string(), "0.01");
        assert_eq!(round_money("-0.005".parse().unwrap()).to_string(), "-0.01");
        assert_eq!(round_money("2.344".parse().unwrap()).to_string(), "2.34");
    }
}
