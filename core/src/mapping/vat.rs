//! VAT rate of an amount from its incl/excl pair, snapped to the KashFlow account's rates.
//!
//! nopCommerce stores only amounts, not the rate it used, so the rate is derived as
//! `(incl − excl) / excl × 100` and snapped to the nearest configured rate when it is within the
//! rate tolerance (percentage points) — or when that rate reproduces `incl` from `excl` to within
//! a penny, so that small amounts rounded to 2 places are not refused.

use rust_decimal::Decimal;

use crate::money::{percent_of, PENNY};

/// The account rate the amounts were charged at, or `Err(derived rate, 2 places)` when none fits.
///
/// Compared by multiplication — rate r fits when `|incl − excl × (1 + r)|` is within the
/// tolerance's share of `excl`, or within a penny — so the common case needs no division.
pub fn snap_rate(
    incl: Decimal,
    excl: Decimal,
    rates: &[Decimal],
    tolerance_pp: Decimal,
) -> Result<Decimal, Decimal> {
    if incl.is_zero() && excl.is_zero() {
        return Ok(Decimal::ZERO);
    }
    let tax = incl - excl;
    if tax.is_zero() {
        if let Some(zero) = rates.iter().find(|r| r.is_zero()) {
            return Ok(zero.normalize());
        }
    }
    let slack = percent_of(excl.abs(), tolerance_pp);
    let mut best: Option<(Decimal, Decimal)> = None;
    for r in rates {
        let off = (tax - percent_of(excl, *r)).abs();
        if (off <= slack || off <= PENNY) && best.is_none_or(|(b, _)| off < b) {
            best = Some((off, *r));
        }
    }
    match best {
        Some((_, r)) => Ok(r.normalize()),
        None => Err(tax
            .checked_div(excl)
            .and_then(|x| x.checked_mul(Decimal::ONE_HUNDRED))
            .map(|x| x.round_dp(2))
            .unwrap_or(Decimal::ZERO)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn rates() -> Vec<Decimal> {
        vec![d("20"), d("5"), d("0")]
    }

    #[test]
    fn snaps_exact_and_rounded_amounts() {
        let t = d("0.5");
        assert_eq!(snap_rate(d("10.00"), d("8.3333"), &rates(), t), Ok(d("20")));
        assert_eq!(snap_rate(d("10.00"), d("8.33"), &rates(), t), Ok(d("20")));
        assert_eq!(
            snap_rate(d("100.00"), d("95.2381"), &rates(), t),
            Ok(d("5"))
        );
        assert_eq!(snap_rate(d("18.00"), d("18.00"), &rates(), t), Ok(d("0")));
        // 0.50 / 0.42 is 19.05% — outside 0.5 points, but 0.42 × 1.2 = 0.504 is within a penny.
        assert_eq!(snap_rate(d("0.50"), d("0.42"), &rates(), t), Ok(d("20")));
        assert_eq!(snap_rate(d("0"), d("0"), &rates(), t), Ok(d("0")));
        // Negative fee (a payment method discount).
        assert_eq!(snap_rate(d("-1.20"), d("-1.00"), &rates(), t), Ok(d("20")));
    }

    #[test]
    fn refuses_rates_the_account_does_not_have() {
        let t = d("0.5");
        assert_eq!(
            snap_rate(d("11.75"), d("10.00"), &rates(), t),
            Err(d("17.50"))
        );
        assert_eq!(snap_rate(d("5.00"), d("0"), &rates(), t), Err(d("0")));
        assert_eq!(
            snap_rate(d("9.00"), d("10.00"), &rates(), t),
            Err(d("-10.00"))
        );
    }
}
