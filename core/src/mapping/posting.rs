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

use crate::money::vat_on;

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
    /// Quantity × rate: exact, since the rate has 2 places and the quantity none.
    pub fn net(&self) -> Decimal {
        Decimal::from(self.quantity) * self.rate
    }
    pub fn gross(&self) -> Decimal {
        self.net() + self.vat
    }
}

/// The search below runs for every line of every order, so it works in whole pennies (`i128`)
/// rather than `Decimal`; the VAT rule is the same as `money::vat_on`.
#[derive(Debug, Clone, Copy)]
struct Vat {
    /// The rate as `mantissa / 10^scale` percent, e.g. 175 / 10^1 for 17.5%.
    mantissa: i128,
    /// `100 × 10^scale`.
    denominator: i128,
    rate: Decimal,
}

impl Vat {
    fn new(rate: Decimal) -> Vat {
        let r = rate.normalize();
        let scale = r.scale().min(20);
        Vat {
            mantissa: r.mantissa(),
            denominator: 100 * 10i128.pow(scale),
            rate,
        }
    }

    /// VAT in pennies on a net in pennies, half away from zero (as `money::vat_on`).
    fn on(&self, net: i128) -> i128 {
        match net.checked_mul(self.mantissa) {
            Some(num) => {
                let (q, r) = (num / self.denominator, num % self.denominator);
                if 2 * r.abs() >= self.denominator {
                    q + num.signum()
                } else {
                    q
                }
            }
            None => to_pennies(vat_on(from_pennies(net), self.rate)),
        }
    }
}

fn to_pennies(d: Decimal) -> i128 {
    (d * Decimal::ONE_HUNDRED).round().to_i128().unwrap_or(0)
}

fn from_pennies(p: i128) -> Decimal {
    Decimal::from_i128_with_scale(p, 2)
}

/// A piece in pennies: quantity, unit rate, VAT.
#[derive(Debug, Clone, Copy)]
struct P {
    q: i128,
    rate: i128,
    vat: i128,
}

impl P {
    fn new(q: i128, rate: i128, vat: &Vat) -> P {
        P {
            q,
            rate,
            vat: vat.on(q * rate),
        }
    }
    fn net(&self) -> i128 {
        self.q * self.rate
    }
    fn gross(&self) -> i128 {
        self.net() + self.vat
    }
    fn piece(&self) -> Piece {
        Piece {
            quantity: self.q as i64,
            rate: from_pennies(self.rate),
            vat: from_pennies(self.vat),
        }
    }
}

/// An amount as posted: one piece, or two of the same product whose rates differ by a penny.
type Pieces = (P, Option<P>);

fn gross_of(p: &Pieces) -> i128 {
    p.0.gross() + p.1.map_or(0, |b| b.gross())
}

fn net_of(p: &Pieces) -> i128 {
    p.0.net() + p.1.map_or(0, |b| b.net())
}

/// Split a net amount over `quantity` units into at most two pieces at 2-place rates.
pub fn split(net: Decimal, quantity: i64, vat_rate: Decimal) -> Vec<Piece> {
    let (a, b) = split_pieces(
        to_pennies(net),
        i128::from(quantity.max(1)),
        &Vat::new(vat_rate),
    );
    std::iter::once(a.piece())
        .chain(b.map(|b| b.piece()))
        .collect()
}

fn split_pieces(net: i128, q: i128, vat: &Vat) -> Pieces {
    let base = net.div_euclid(q);
    let extra = net.rem_euclid(q);
    if extra == 0 {
        (P::new(q, base, vat), None)
    } else {
        (
            P::new(q - extra, base, vat),
            Some(P::new(extra, base + 1, vat)),
        )
    }
}

/// Divide rounding half away from zero.
fn div_round(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d.abs() {
        q + n.signum() * d.signum()
    } else {
        q
    }
}

/// Post `target` (gross, invoice currency, 2 places) for `quantity` units at `vat_rate`
/// (0 for exempt lines). `carry` is Σ targets − Σ posted so far and is updated. Returns one
/// piece, or two of the same product whose quantities add up to `quantity`.
pub fn post(target: Decimal, quantity: i64, vat_rate: Decimal, carry: &mut Decimal) -> Vec<Piece> {
    let (a, b) = post_pieces(target, quantity, vat_rate, carry);
    std::iter::once(a).chain(b).collect()
}

/// `post`, without allocating.
pub fn post_pieces(
    target: Decimal,
    quantity: i64,
    vat_rate: Decimal,
    carry: &mut Decimal,
) -> (Piece, Option<Piece>) {
    let vat = Vat::new(vat_rate);
    let t = to_pennies(target);
    let c = to_pennies(*carry);
    let q = i128::from(quantity.max(1));
    // The net whose gross would be the target, in pennies: t × 100 / (100 + r).
    let ideal = match t.checked_mul(vat.denominator) {
        Some(n) => div_round(n, vat.denominator + vat.mantissa),
        None => to_pennies(target * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + vat_rate)),
    };
    let unit = div_round(ideal, q);
    // Rank: exact hit first; then the smallest running difference afterwards; then one line
    // rather than two; then closest to the ideal net.
    let rank = |p: &Pieces| {
        let g = gross_of(p);
        (
            g != t,
            (c + t - g).abs(),
            p.1.is_some(),
            (net_of(p) - ideal).abs(),
        )
    };
    let mut best: Option<((bool, i128, bool, i128), Pieces)> = None;
    let mut consider = |p: Pieces| {
        let key = rank(&p);
        let exact = !key.0;
        if best.as_ref().is_none_or(|(k, _)| key < *k) {
            best = Some((key, p));
        }
        exact
    };
    // One line at a 2-place unit rate: the usual case, and usually exact at the first try. The
    // gross rises with the rate, so the rates either side of the ideal bracket the target.
    let mut exact = false;
    for k in [0i128, -1, 1] {
        if consider((P::new(q, unit + k, &vat), None)) {
            exact = true;
            break;
        }
    }
    if !exact && q > 1 {
        // Two lines a penny apart reach any net; the exact one is within a few pennies of ideal.
        for k in -3i128..=3 {
            if consider(split_pieces(ideal + k, q, &vat)) {
                break;
            }
        }
    }
    let (_, pieces) = best.expect("at least one candidate");
    *carry += target - from_pennies(gross_of(&pieces));
    (pieces.0.piece(), pieces.1.map(|p| p.piece()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn penny_vat_is_money_vat_on(net in -100_000_000_000i128..100_000_000_000, r in prop::sample::select(vec!["0", "5", "20", "17.5", "12.5", "7.25", "0.1", "99.999"])) {
            let rate: Decimal = r.parse().unwrap();
            prop_assert_eq!(from_pennies(Vat::new(rate).on(net)), vat_on(from_pennies(net), rate));
        }
    }

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
        assert_eq!(p.iter().map(Piece::gross).sum::<Decimal>(), d("30.00"));
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
        assert_eq!(p.iter().map(Piece::gross).sum::<Decimal>(), d("-5.00"));
        assert_eq!(p[0].vat, d("-0.83"));
        let p = post(d("17.99"), 3, Decimal::ZERO, &mut c);
        assert_eq!(p.iter().map(Piece::gross).sum::<Decimal>(), d("17.99"));
        assert_eq!(c, Decimal::ZERO);
    }
}
