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
    match snap_in_units(incl, excl, rates, tolerance_pp) {
        Some(found) => Ok(found),
        None => snap_rate_exact(incl, excl, rates, tolerance_pp),
    }
}

/// `snap_rate` in `Decimal` arithmetic: any number of places, and the derived rate when none fits.
fn snap_rate_exact(
    incl: Decimal,
    excl: Decimal,
    rates: &[Decimal],
    tolerance_pp: Decimal,
) -> Result<Decimal, Decimal> {
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

/// A value as an integer count of ten-thousandths and a percentage as `mantissa / 10^scale`:
/// `None` when it has more than 4 places (the `Decimal` path then decides).
fn units4(d: Decimal) -> Option<i128> {
    (d.scale() <= 4).then(|| d.mantissa() * 10i128.pow(4 - d.scale()))
}

/// `snap_rate`'s search in whole units (it runs for every item of every order): the same rule —
/// the account rate with the smallest `|tax − excl × r|`, if within the tolerance's share of excl
/// or a penny — or `None` when the amounts need the exact `Decimal` path (more than 4 places, or
/// no rate fits, so the derived rate must be worked out for the message).
fn snap_in_units(
    incl: Decimal,
    excl: Decimal,
    rates: &[Decimal],
    tolerance_pp: Decimal,
) -> Option<Decimal> {
    let (i, e) = (units4(incl)?, units4(excl)?);
    let tax = i - e;
    let tol = tolerance_pp.normalize();
    let (tm, ts) = (tol.mantissa(), 10i128.checked_pow(tol.scale())?);
    // (off × denominator) of the best rate so far, with its denominator.
    let mut best: Option<(i128, i128, Decimal)> = None;
    for r in rates {
        let r = r.normalize();
        let d = 100i128.checked_mul(10i128.checked_pow(r.scale())?)?;
        // off = |tax − e × r / 100| in ten-thousandths, kept as off × d to stay exact.
        let off_d = tax
            .checked_mul(d)?
            .checked_sub(e.checked_mul(r.mantissa())?)?
            .abs();
        let within_tol = off_d.checked_mul(100 * ts)? <= e.abs().checked_mul(tm)?.checked_mul(d)?;
        let within_penny = off_d <= 100 * d;
        if !(within_tol || within_penny) {
            continue;
        }
        let better = match best {
            None => true,
            Some((b_off, b_d, _)) => off_d.checked_mul(b_d)? < b_off.checked_mul(d)?,
        };
        if better {
            best = Some((off_d, d, r));
        }
    }
    best.map(|(_, _, r)| r)
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

    proptest::proptest! {
        #[test]
        fn the_fast_search_agrees_with_the_exact_one(incl in -2_000_000i64..2_000_000, excl in -2_000_000i64..2_000_000, tol in 0i64..50) {
            let (incl, excl) = (Decimal::new(incl, 4), Decimal::new(excl, 4));
            let rates = vec![d("20"), d("5"), d("0"), d("17.5")];
            let tol = Decimal::new(tol, 1);
            if let Some(fast) = snap_in_units(incl, excl, &rates, tol) {
                proptest::prop_assert_eq!(Ok(fast), snap_rate_exact(incl, excl, &rates, tol));
            }
        }
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
