//! Money arithmetic shared by every stage: rounding to the penny the way UK invoices do
//! (half away from zero), VAT on a net amount, splitting an amount across weights and converting
//! a list of amounts to another currency without losing a penny — with `rust_decimal` only,
//! never floats. Also the serde encoding our own JSON documents use for money (exact JSON numbers).

use rust_decimal::{Decimal, RoundingStrategy};

/// One penny (0.01), the smallest amount posted anywhere.
pub const PENNY: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// Round to 2 decimal places, half away from zero (0.005 → 0.01, -0.005 → -0.01).
pub fn round_money(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `round_money` and always written with two places ("8.30", not "8.3"), so documents are stable.
pub fn money2(d: Decimal) -> Decimal {
    let mut x = round_money(d);
    x.rescale(2);
    x
}

/// VAT on a net amount at a percentage rate, to the penny: `round(net × rate / 100)`.
/// This is how KashFlow (and the sandbox) compute a line's VAT, so every line we post uses it.
pub fn vat_on(net: Decimal, rate_percent: Decimal) -> Decimal {
    money2(percent_of(net, rate_percent))
}

/// `amount × percent / 100`, exactly. Dividing by 100 is moving the decimal point two places, so
/// it is done on the scale (a full `Decimal` division is much slower) when the scale allows.
pub fn percent_of(amount: Decimal, percent: Decimal) -> Decimal {
    let mut x = amount * percent;
    if x.scale() <= 26 {
        x.set_scale(x.scale() + 2).expect("scale checked");
        x
    } else {
        x / Decimal::ONE_HUNDRED
    }
}

/// Split `total` across `weights` in proportion, at `dp` decimal places, so the parts add up to
/// `total` exactly (largest-remainder method; ties go to the earlier weight). Weights that are
/// zero or negative get nothing; if no weight is positive everything goes to the first part.
/// Returns one part per weight.
pub fn apportion(total: Decimal, weights: &[Decimal], dp: u32) -> Vec<Decimal> {
    let mut parts = vec![Decimal::ZERO; weights.len()];
    if weights.is_empty() {
        return parts;
    }
    let sum: Decimal = weights.iter().filter(|w| **w > Decimal::ZERO).sum();
    if sum <= Decimal::ZERO {
        parts[0] = total;
        return parts;
    }
    let unit = Decimal::new(1, dp);
    let sign = if total < Decimal::ZERO {
        -Decimal::ONE
    } else {
        Decimal::ONE
    };
    let abs_total = total.abs();
    // Floor each share, then hand out the remaining units by largest remainder.
    let mut remainders: Vec<(usize, Decimal)> = Vec::with_capacity(weights.len());
    let mut allocated = Decimal::ZERO;
    for (i, w) in weights.iter().enumerate() {
        if *w <= Decimal::ZERO {
            continue;
        }
        let exact = abs_total * *w / sum;
        let floor = exact.round_dp_with_strategy(dp, RoundingStrategy::ToZero);
        parts[i] = floor;
        allocated += floor;
        remainders.push((i, exact - floor));
    }
    remainders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut left = abs_total - allocated;
    let mut k = 0;
    while left >= unit && !remainders.is_empty() {
        parts[remainders[k % remainders.len()].0] += unit;
        left -= unit;
        k += 1;
    }
    // Anything below one unit (total had more places than `dp`) goes to the largest share.
    if left > Decimal::ZERO {
        if let Some((i, _)) = remainders.first() {
            parts[*i] += left;
        }
    }
    parts.into_iter().map(|p| p * sign).collect()
}

/// Convert each amount by `factor` and round to the penny *cumulatively*: part i is
/// `round(Σ₀..ᵢ × factor) − round(Σ₀..ᵢ₋₁ × factor)`. The parts therefore always add up to
/// `round(Σ amounts × factor)` exactly, however many there are (rounding each part on its own
/// would drift by up to half a penny per part).
pub fn convert_cumulative(amounts: &[Decimal], factor: Decimal) -> Vec<Decimal> {
    let mut out = Vec::with_capacity(amounts.len());
    let mut running = Decimal::ZERO;
    let mut previous = Decimal::ZERO;
    for a in amounts {
        running += *a;
        let rounded = money2(running * factor);
        out.push(rounded - previous);
        previous = rounded;
    }
    out
}

/// Serde for money and rates in our own PascalCase documents: written as an exact JSON number
/// (`12.30`), read from a JSON number or a numeric string (`12.3`, `"12.30"`).
/// `#[serde(with = "crate::money::serde_money")]`.
pub mod serde_money {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::arbitrary_precision::serialize(d, s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        rust_decimal::serde::arbitrary_precision::deserialize(d)
    }

    /// The same for a list of amounts: `#[serde(with = "crate::money::serde_money::vec")]`.
    pub mod vec {
        use rust_decimal::Decimal;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #[derive(Serialize, Deserialize)]
        struct Wrapped(#[serde(with = "super")] Decimal);

        pub fn serialize<S: Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(v.iter().map(|d| Wrapped(*d)))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
            let v: Vec<Wrapped> = Vec::deserialize(d)?;
            Ok(v.into_iter().map(|w| w.0).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_money("0.005".parse().unwrap()).to_string(), "0.01");
        assert_eq!(round_money("-0.005".parse().unwrap()).to_string(), "-0.01");
        assert_eq!(round_money("2.344".parse().unwrap()).to_string(), "2.34");
    }

    #[test]
    fn money2_always_has_two_places() {
        assert_eq!(money2(d("8.3")).to_string(), "8.30");
        assert_eq!(money2(d("7")).to_string(), "7.00");
        assert_eq!(money2(d("1.675")).to_string(), "1.68");
    }

    #[test]
    fn vat_is_rounded_per_line() {
        assert_eq!(vat_on(d("8.33"), d("20")).to_string(), "1.67");
        assert_eq!(vat_on(d("16.66"), d("20")).to_string(), "3.33");
        assert_eq!(vat_on(d("95.24"), d("5")).to_string(), "4.76");
        assert_eq!(vat_on(d("-4.17"), d("20")).to_string(), "-0.83");
        assert_eq!(vat_on(d("10"), d("0")).to_string(), "0.00");
    }

    #[test]
    fn apportion_sums_exactly_and_follows_weights() {
        let parts = apportion(d("10.00"), &[d("1"), d("1"), d("1")], 2);
        assert_eq!(parts, vec![d("3.34"), d("3.33"), d("3.33")]);
        let parts = apportion(d("-5.00"), &[d("60"), d("30"), d("10")], 2);
        assert_eq!(parts, vec![d("-3.00"), d("-1.50"), d("-0.50")]);
        let parts = apportion(d("7.77"), &[d("0"), d("2"), d("-1"), d("1")], 2);
        assert_eq!(parts.iter().copied().sum::<Decimal>(), d("7.77"));
        assert_eq!(parts[0], Decimal::ZERO);
        assert_eq!(parts[2], Decimal::ZERO);
        assert_eq!(apportion(d("1.00"), &[d("0")], 2), vec![d("1.00")]);
    }

    #[test]
    fn cumulative_conversion_never_drifts() {
        // 100 × 0.333 at rate 1.15: rounding each alone gives 100 × 0.38 = 38.00, but the total
        // converts to 38.30; cumulative rounding hands out the pennies so the sum is exact.
        let amounts = vec![d("0.333"); 100];
        let parts = convert_cumulative(&amounts, d("1.15"));
        assert_eq!(parts.iter().copied().sum::<Decimal>(), d("38.30"));
        assert!(parts.iter().all(|p| *p == d("0.38") || *p == d("0.39")));
    }

    #[test]
    fn serde_money_reads_numbers_and_strings_and_writes_numbers() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct T {
            #[serde(with = "serde_money")]
            a: Decimal,
            #[serde(with = "serde_money::vec")]
            b: Vec<Decimal>,
        }
        let t: T = serde_json::from_str(r#"{"a":"12.30","b":[1.10, "2"]}"#).unwrap();
        assert_eq!(t.a, d("12.30"));
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"a":12.30,"b":[1.10,2]}"#
        );
    }
}
