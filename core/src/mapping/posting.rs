//! Posting one VAT rate's lines so that KashFlow arrives at exactly the net and VAT the order
//! charged at that rate.
//!
//! KashFlow computes a line's net as `round2(Quantity × Rate)` (Rate up to 4 places) and keeps a
//! sent `VATAmount` when it is within a penny of `round2(Quantity × Rate × VATLevel / 100)`. So,
//! for one rate, given each line's exact ex-VAT amount and the rate's net and VAT totals:
//!
//! 1. **Nets.** Each line's net is its exact amount rounded to the penny, and the pennies the
//!    rounding lost or gained against the rate's net total are given back to the lines that
//!    rounded furthest (largest remainder), so the nets add up to the rate's net exactly.
//! 2. **Rates.** A line of quantity q posts the 4-place unit rate whose `round2(q × Rate)` is its
//!    net — the item's own unit price when that works. Up to q = 100 such a rate always exists;
//!    above, a net may be unreachable and the nearest is posted, its penny carried to a later line
//!    of the same rate.
//! 3. **VAT.** Each line's VAT is what KashFlow would compute; the pennies between their sum and
//!    the rate's VAT total move one per line (at most a penny on any line, the lines nearest to
//!    rounding the other way first). Only where the lines cannot carry them all does a zero-net
//!    line at that rate carry the last pennies — never a line of another rate or a VAT-exempt one.
//!
//! Everything runs in whole units (`i128` pennies and ten-thousandths), not `Decimal`: this is on
//! every line of every order.

use rust_decimal::{Decimal, RoundingStrategy};

/// One line to post at the rate.
#[derive(Debug, Clone, Copy)]
pub struct LineTarget {
    pub quantity: i64,
    /// The exact ex-VAT amount of the whole line in the invoice currency (any scale; negative for
    /// discounts).
    pub exact_net: Decimal,
    /// The unit price the shop charged, ex VAT, when there is one: posted as the rate if it gives
    /// the line's net.
    pub unit_net: Option<Decimal>,
}

/// A line as posted: what KashFlow is sent and what it will compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostedLine {
    pub quantity: i64,
    /// Unit rate, at most 4 places.
    pub rate: Decimal,
    /// `round2(quantity × rate)`, what KashFlow computes.
    pub net: Decimal,
    /// The VAT amount sent (within a penny of KashFlow's own figure).
    pub vat: Decimal,
}

/// The lines of one rate, plus the zero-net lines carrying VAT pennies the lines could not.
#[derive(Debug, Clone, PartialEq)]
pub struct RatePosting {
    pub lines: Vec<PostedLine>,
    /// One entry per zero-net line: its VAT (±0.01).
    pub vat_only: Vec<Decimal>,
}

/// Why a rate could not be posted exactly (the caller refuses the order with this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostingError {
    /// Every line's quantity is above 100 and no 4-place unit rate gives the net: by how much.
    NetUnreachable(Decimal),
    /// The VAT total is further from the lines' own VAT than the lines and
    /// `MAX_VAT_ONLY_LINES` zero-net lines can carry: by how much.
    VatOutOfReach(Decimal),
}

/// At most this many zero-net lines per rate; beyond, the order's VAT figures are not what its
/// amounts say and it is refused instead.
pub const MAX_VAT_ONLY_LINES: usize = 2;

/// A VAT percentage as `mantissa / 10^scale`, for whole-unit arithmetic.
#[derive(Debug, Clone, Copy)]
struct Vat {
    mantissa: i128,
    /// `100 × 10^scale`: VAT = net × mantissa / denominator.
    denominator: i128,
}

impl Vat {
    fn new(rate: Decimal) -> Vat {
        let r = rate.normalize();
        let scale = r.scale().min(20);
        Vat {
            mantissa: r.mantissa(),
            denominator: 100 * 10i128.pow(scale),
        }
    }
}

const UNIT: i128 = 100; // ten-thousandths per penny

fn pennies(d: Decimal) -> i128 {
    let r = if d.scale() <= 2 {
        d
    } else {
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    };
    r.mantissa() * 10i128.pow(2 - r.scale())
}

fn from_pennies(p: i128) -> Decimal {
    Decimal::from_i128_with_scale(p, 2)
}

fn ten_thousandths(d: Decimal) -> i128 {
    let r = if d.scale() <= 4 {
        d
    } else {
        d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
    };
    r.mantissa() * 10i128.pow(4 - r.scale())
}

/// A rate in ten-thousandths as a `Decimal` with 2 to 4 places (8.3300 → 8.33, 20.8250 → 20.825).
fn rate_decimal(mut units: i128) -> Decimal {
    let mut scale = 4;
    while scale > 2 && units % 10 == 0 {
        units /= 10;
        scale -= 1;
    }
    Decimal::from_i128_with_scale(units, scale)
}

/// `n / d` rounded half away from zero (`d` > 0).
fn div_round(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// Round each value to the penny so that they add up to `total` exactly: the difference goes one
/// penny at a time to the values whose rounding moved them furthest the other way. `total` is a
/// penny amount (2 places). Returns pennies.
pub fn settle_pennies(exact: &[Decimal], total: Decimal) -> Vec<i128> {
    // Work in millionths of a penny: enough for any order amount × currency rate.
    let fine: Vec<i128> = exact
        .iter()
        .map(|d| {
            // Most amounts have 2–4 places: scaling the mantissa up is exact and cheap.
            let x = if d.scale() <= 8 {
                *d
            } else {
                d.round_dp_with_strategy(8, RoundingStrategy::MidpointAwayFromZero)
            };
            x.mantissa() * 10i128.pow(8 - x.scale())
        })
        .collect();
    const F: i128 = 1_000_000;
    let mut out: Vec<i128> = fine.iter().map(|f| div_round(*f, F)).collect();
    let mut gap = pennies(total) - out.iter().sum::<i128>();
    if gap == 0 || out.is_empty() {
        return out;
    }
    // How far each rounded value is from its exact one, in the direction of the gap: the most
    // "under" (for a positive gap) take a penny first.
    let step = gap.signum();
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(step * (fine[i] - out[i] * F)));
    let mut k = 0;
    while gap != 0 {
        out[order[k % order.len()]] += step;
        gap -= step;
        k += 1;
    }
    out
}

/// `settle_pennies` as `Decimal`s.
pub fn settle(exact: &[Decimal], total: Decimal) -> Vec<Decimal> {
    settle_pennies(exact, total)
        .into_iter()
        .map(from_pennies)
        .collect()
}

/// The 4-place unit rate (in ten-thousandths) giving `net` pennies over `q` units, or `None`.
/// `preferred` is tried first.
fn rate_for(net: i128, q: i128, preferred: Option<i128>) -> Option<i128> {
    let gives = |r: i128| div_round(q * r, UNIT) == net;
    if let Some(p) = preferred.filter(|p| gives(*p)) {
        return Some(p);
    }
    // round2(q × r / 100) = net  ⇔  q × r within half a penny of net × 100 (in ten-thousandths).
    let centre = div_round(net * UNIT, q);
    (0..=(q / UNIT + 1))
        .flat_map(|k| [centre - k, centre + k])
        .find(|r| gives(*r))
}

/// Post one rate's lines; see the module comment. `net_total` and `vat_total` are the rate's
/// figures in the invoice currency (2 places); `vat_rate` is 0 for zero-rated and exempt lines.
pub fn post_rate(
    targets: &[LineTarget],
    vat_rate: Decimal,
    net_total: Decimal,
    vat_total: Decimal,
) -> Result<RatePosting, PostingError> {
    let exact: Vec<Decimal> = targets.iter().map(|t| t.exact_net).collect();
    let mut nets = settle_pennies(&exact, net_total);

    // Rates: quantities above 100 first, so a penny they cannot reach is carried to a line that can.
    let mut rates = vec![0i128; targets.len()];
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(targets[i].quantity.max(1) > 100));
    let mut carry = 0i128;
    for &i in &order {
        let q = i128::from(targets[i].quantity.max(1));
        let want = nets[i] + carry;
        let preferred = targets[i].unit_net.map(ten_thousandths);
        match rate_for(want, q, preferred) {
            Some(r) => {
                rates[i] = r;
                nets[i] = want;
                carry = 0;
            }
            None => {
                let r = div_round(want * UNIT, q);
                rates[i] = r;
                nets[i] = div_round(q * r, UNIT);
                carry = want - nets[i];
            }
        }
    }
    if carry != 0 {
        return Err(PostingError::NetUnreachable(from_pennies(carry)));
    }

    // VAT: KashFlow's own figure per line, from the unrounded quantity × rate.
    let vat = Vat::new(vat_rate);
    let scale = vat.denominator * UNIT; // ten-thousandths × mantissa / scale = pennies
    let mut vats = Vec::with_capacity(targets.len());
    let mut leans = Vec::with_capacity(targets.len());
    for (i, t) in targets.iter().enumerate() {
        let m = i128::from(t.quantity.max(1)) * rates[i] * vat.mantissa;
        let v = div_round(m, scale);
        vats.push(v);
        leans.push(m - v * scale); // how far below (−) or above (+) the exact VAT it rounded
    }
    let mut gap = pennies(vat_total) - vats.iter().sum::<i128>();
    let step = gap.signum();
    if gap != 0 {
        let mut by_lean: Vec<usize> = (0..vats.len()).collect();
        by_lean.sort_by_key(|&i| std::cmp::Reverse(step * leans[i]));
        for &i in by_lean.iter().take(gap.unsigned_abs() as usize) {
            vats[i] += step;
            gap -= step;
        }
    }
    if gap.unsigned_abs() as usize > MAX_VAT_ONLY_LINES {
        return Err(PostingError::VatOutOfReach(from_pennies(gap)));
    }
    let vat_only = (0..gap.unsigned_abs())
        .map(|_| from_pennies(step))
        .collect();
    let lines = targets
        .iter()
        .enumerate()
        .map(|(i, t)| PostedLine {
            quantity: t.quantity.max(1),
            rate: rate_decimal(rates[i]),
            net: from_pennies(nets[i]),
            vat: from_pennies(vats[i]),
        })
        .collect();
    Ok(RatePosting { lines, vat_only })
}

/// `round2(q × rate)` as KashFlow computes a line's net (half away from zero).
pub fn line_net(quantity: Decimal, rate: Decimal) -> Decimal {
    crate::money::money2(quantity * rate)
}

/// KashFlow's own VAT for a line: `round2(q × rate × VATLevel / 100)`.
pub fn line_vat(quantity: Decimal, rate: Decimal, vat_rate: Decimal) -> Decimal {
    crate::money::vat_on(quantity * rate, vat_rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn t(q: i64, exact: &str) -> LineTarget {
        LineTarget {
            quantity: q,
            exact_net: d(exact),
            unit_net: None,
        }
    }

    #[test]
    fn settle_gives_the_pennies_to_the_furthest_rounded() {
        assert_eq!(
            settle(&[d("8.325"), d("8.325"), d("8.325")], d("24.98")),
            vec![d("8.32"), d("8.33"), d("8.33")]
        );
        assert_eq!(
            settle(&[d("3.3333"), d("0.6667")], d("4.00")),
            vec![d("3.33"), d("0.67")]
        );
        assert_eq!(
            settle(&[d("-1.005"), d("2.5")], d("1.49")),
            vec![d("-1.01"), d("2.50")]
        );
    }

    #[test]
    fn one_line_with_a_four_place_rate() {
        // 3 × 24.99 incl. 20%: 62.475 ex VAT, posted as 3 × 20.825 (KashFlow: 62.48) + 12.49 VAT.
        let p = post_rate(
            &[LineTarget {
                quantity: 3,
                exact_net: d("62.475"),
                unit_net: Some(d("20.825")),
            }],
            d("20"),
            d("62.48"),
            d("12.49"),
        )
        .unwrap();
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].rate, d("20.825"));
        assert_eq!(p.lines[0].net, d("62.48"));
        assert_eq!(p.lines[0].vat, d("12.49")); // KashFlow's own 12.50, less the penny
        assert!(p.vat_only.is_empty());
    }

    #[test]
    fn shipping_3_99_is_3_32_plus_0_67() {
        let p = post_rate(&[t(1, "3.32")], d("20"), d("3.32"), d("0.67")).unwrap();
        assert_eq!(p.lines[0].net, d("3.32"));
        assert_eq!(p.lines[0].vat, d("0.67")); // KashFlow's 0.66 + 1p
    }

    #[test]
    fn a_zero_net_line_carries_what_one_line_cannot() {
        let p = post_rate(&[t(1, "10.00")], d("20"), d("10.00"), d("2.02")).unwrap();
        assert_eq!(p.lines[0].vat, d("2.01"));
        assert_eq!(p.vat_only, vec![d("0.01")]);
        assert!(matches!(
            post_rate(&[t(1, "10.00")], d("20"), d("10.00"), d("2.50")),
            Err(PostingError::VatOutOfReach(_))
        ));
    }

    #[test]
    fn big_quantities_carry_an_unreachable_penny_to_another_line() {
        // 101 units: steps of 0.0101, so some nets cannot be hit exactly.
        let targets = [t(101, "10.00"), t(1, "5.00")];
        let p = post_rate(&targets, d("20"), d("15.00"), d("3.00")).unwrap();
        let net: Decimal = p.lines.iter().map(|l| l.net).sum();
        assert_eq!(net, d("15.00"));
        for l in &p.lines {
            assert_eq!(line_net(Decimal::from(l.quantity), l.rate), l.net);
        }
    }

    proptest! {
        #[test]
        fn every_rate_posts_its_exact_figures(
            lines in prop::collection::vec((1i64..=150, -50_000i64..500_000), 1..12),
            r in prop::sample::select(vec!["20", "5", "0", "17.5"]),
            vat_jitter in -1i64..=1,
        ) {
            let rate: Decimal = r.parse().unwrap();
            let targets: Vec<LineTarget> = lines
                .iter()
                .map(|(q, n)| LineTarget { quantity: *q, exact_net: Decimal::new(*n, 4), unit_net: None })
                .collect();
            let net_total = crate::money::money2(targets.iter().map(|t| t.exact_net).sum());
            let own_vat: Decimal = targets.iter().map(|t| crate::money::vat_on(t.exact_net, rate)).sum();
            let vat_total = if rate.is_zero() { Decimal::ZERO } else { own_vat + Decimal::new(vat_jitter, 2) };
            match post_rate(&targets, rate, net_total, vat_total) {
                Ok(p) => {
                    let net: Decimal = p.lines.iter().map(|l| l.net).sum();
                    let vat: Decimal = p.lines.iter().map(|l| l.vat).sum::<Decimal>() + p.vat_only.iter().sum::<Decimal>();
                    prop_assert_eq!(net, net_total);
                    prop_assert_eq!(vat, vat_total);
                    for l in &p.lines {
                        let q = Decimal::from(l.quantity);
                        prop_assert!(l.rate.scale() <= 4);
                        prop_assert_eq!(line_net(q, l.rate), l.net);
                        prop_assert!((l.vat - line_vat(q, l.rate, rate)).abs() <= crate::money::PENNY);
                    }
                }
                Err(PostingError::NetUnreachable(_)) => prop_assert!(lines.iter().all(|(q, _)| *q > 100)),
                Err(e) => prop_assert!(false, "{:?}", e),
            }
        }
    }
}
