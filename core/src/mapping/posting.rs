//! Posting an amount as KashFlow lines, to the penny.
//!
//! KashFlow computes a line as `Quantity × Rate` (Rate with 2 decimal places) plus a VAT amount,
//! which we always send as `round(net × VATLevel / 100)` — what KashFlow itself would compute —
//! so the gross of a line is `net + round(net × r)`. Two things stop that from hitting every
//! target gross:
//!
//! 1. Not every gross is reachable at a given rate (at 20% no net gives a gross ending in 3p
//!    more than a multiple of 6p). We pick the net whose gross is exact when one exists; otherwise
//!    the neighbour that pulls the running difference (`carry`) back towards zero, so over a whole
//!    invoice the lines never drift more than a penny from their targets. What is left goes on an
//!    explicit Rounding line.
//! 2. A unit price with more than 2 places (24.99 ÷ 3) cannot be a KashFlow Rate. Instead of one
//!    line at quantity 1 (which would break KashFlow's stock count for the product) we split the
//!    item into two lines of the same product whose quantities add up to the ordered quantity and
//!    whose rates differ by exactly one penny: 2 × 8.33 + 1 × 8.34 = 25.00.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::money::{money2, vat_on, PENNY};

/// One KashFlow line of a posted amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub quantity: i64,
    /// Net unit price, 2 places.
    pub rate: Decimal,
    /// VAT of the whole piece, `round(net × r)`.
    pub vat: Decimal,
}

impl Piece {
    pub fn net(&self) -> Decimal {
        money2(Decimal::from(self.quantity) * self.rate)
    }
    pub fn gross(&self) -> Decimal {
        self.net() + self.vat
    }
}

/// Split a net amount over `quantity` units into at most two pieces at 2-place rates.
pub fn split(net: Decimal, quantity: i64, vat_rate: Decimal) -> Vec<Piece> {
    let piece = |q: i64, rate: Decimal| Piece {
        quantity: q,
        rate,
        vat: vat_on(Decimal::from(q) * rate, vat_rate),
    };
    if quantity <= 1 {
        return vec![piece(1.max(quantity), money2(net))];
    }
    let pennies = (net * Decimal::ONE_HUNDRED).round().to_i128().unwrap_or(0);
    let q = i128::from(quantity);
    let base = pennies.div_euclid(q);
    let extra = pennies.rem_euclid(q) as i64;
    let rate = money2(Decimal::from_i128_with_scale(base, 2));
    if extra == 0 {
        vec![piece(quantity, rate)]
    } else {
        vec![piece(quantity - extra, rate), piece(extra, rate + PENNY)]
    }
}

fn gross_of(pieces: &[Piece]) -> Decimal {
    pieces.iter().map(Piece::gross).sum()
}

/// The net that would give `target` at `vat_rate`, to the penny (before any adjustment).
fn ideal_net(target: Decimal, vat_rate: Decimal) -> Decimal {
    if vat_rate.is_zero() {
        return money2(target);
    }
    money2(target * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + vat_rate))
}

/// Post `target` (gross, invoice currency, 2 places) for `quantity` units at `vat_rate`
/// (0 for exempt lines). `carry` is Σ targets − Σ posted so far and is updated.
pub fn post(target: Decimal, quantity: i64, vat_rate: Decimal, carry: &mut Decimal) -> Vec<Piece> {
    let q = quantity.max(1);
    let ideal = ideal_net(target, vat_rate);
    let qd = Decimal::from(q);
    let unit = if q == 1 { ideal } else { money2(ideal / qd) };
    // Fast path, the usual case: one line at a 2-place unit rate whose gross is exactly the target.
    for k in [0i64, -1, 1] {
        let rate = unit + PENNY * Decimal::from(k);
        let piece = Piece {
            quantity: q,
            rate,
            vat: vat_on(qd * rate, vat_rate),
        };
        if piece.gross() == target {
            return vec![piece];
        }
    }
    let mut nets: Vec<Decimal> = (-3i64..=3)
        .map(|k| ideal + PENNY * Decimal::from(k))
        .collect();
    if q > 1 {
        nets.extend((-1i64..=1).map(|k| (unit + PENNY * Decimal::from(k)) * qd));
    }
    // Rank: exact hit first; then the smallest running difference afterwards; then one line
    // rather than two; then closest to the ideal net.
    let mut best: Option<((bool, Decimal, bool, Decimal), Vec<Piece>)> = None;
    for net in nets {
        let pieces = split(net, q, vat_rate);
        let gross = gross_of(&pieces);
        let key = (
            gross != target,
            (*carry + target - gross).abs(),
            pieces.len() > 1,
            (net - ideal).abs(),
        );
        if best.as_ref().map_or(true, |(k, _)| key < *k) {
            best = Some((key, pieces));
        }
    }
    let pieces = best.map(|(_, p)| p).unwrap_or_default();
    *carry += target - gross_of(&pieces);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn exact_single_lines_when_possible() {
        let mut c = Decimal::ZERO;
        let p = post(d("10.00"), 1, d("20"), &mut c);
        assert_eq!(
            p,
            vec![Piece {
                quantity: 1,
                rate: d("8.33"),
                vat: d("1.67")
            }]
        );
        let p = post(d("39.98"), 2, d("20"), &mut c);
        assert_eq!(
            p,
            vec![Piece {
                quantity: 2,
                rate: d("16.66"),
                vat: d("6.66")
            }]
        );
        let p = post(d("100.00"), 1, d("5"), &mut c);
        assert_eq!(p[0].rate, d("95.24"));
        assert_eq!(c, Decimal::ZERO);
    }

    #[test]
    fn splits_when_the_unit_price_needs_more_places() {
        let mut c = Decimal::ZERO;
        let p = post(d("30.00"), 3, d("20"), &mut c);
        assert_eq!(
            p,
            vec![
                Piece {
                    quantity: 2,
                    rate: d("8.33"),
                    vat: d("3.33")
                },
                Piece {
                    quantity: 1,
                    rate: d("8.34"),
                    vat: d("1.67")
                }
            ]
        );
        assert_eq!(gross_of(&p), d("30.00"));
        assert_eq!(p.iter().map(|x| x.quantity).sum::<i64>(), 3);
        assert_eq!(c, Decimal::ZERO);
    }

    #[test]
    fn unreachable_grosses_alternate_so_the_carry_stays_within_a_penny() {
        // 0.03 more than a multiple of 0.06 cannot be a gross at 20%.
        let mut c = Decimal::ZERO;
        for _ in 0..50 {
            let p = post(d("0.09"), 1, d("20"), &mut c);
            assert!(c.abs() <= d("0.01"), "carry {c}");
            assert_eq!(p.len(), 1);
        }
        assert_eq!(c, Decimal::ZERO); // 50 lines: an even number of ±1p
    }

    #[test]
    fn negative_and_zero_rated_lines() {
        let mut c = Decimal::ZERO;
        let p = post(d("-5.00"), 1, d("20"), &mut c);
        assert_eq!(gross_of(&p), d("-5.00"));
        assert_eq!(p[0].vat, d("-0.83"));
        let p = post(d("17.99"), 3, Decimal::ZERO, &mut c);
        assert_eq!(gross_of(&p), d("17.99"));
        assert_eq!(c, Decimal::ZERO);
    }
}
