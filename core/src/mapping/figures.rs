//! The order's figures per VAT rate — net and VAT, to the penny, as nopCommerce charged them —
//! and the checks that the order's own figures agree before anything is posted.
//!
//! nopCommerce 4.90 (with `RoundPricesDuringCalculation`, its default) keeps:
//! - each item's ex-VAT amount (`PriceExclTax`, 4 places) and the subtotal, rounded;
//! - a subtotal discount taken off the ex-VAT subtotal, each rate's tax scaled down by the same
//!   share and rounded (`TaxRates`); shipping and the fee rounded incl and excl, their tax the
//!   difference; `OrderTax` the sum of the rates' tax;
//! - `OrderTotal` = round(subtotal − subtotal discount + shipping + fee + OrderTax, all ex VAT)
//!   − order-total discount − gift cards − reward points.
//!
//! So per rate the VAT is nopCommerce's `TaxRates` figure, and the net is what its charges at that
//! rate come to ex VAT, rounded so that all rates together give the total exactly (the pennies go
//! to the rates whose rounding moved furthest). Amounts taken off *after* tax — the order-total
//! discount, a negative payment fee, and reward points under the `Discount` policy — nopCommerce
//! leaves out of `TaxRates`; UK VAT is due on what the customer paid, so each is split over the
//! rates in proportion to their gross and takes its share of VAT off that rate
//! (`round(part × r / (100 + r))`). Gift cards are a means of payment (or, under `NegativeLine`,
//! an exempt line). Every check here is as tight as nopCommerce's own rounding allows: an order
//! that does not add up is refused, never smoothed over.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::money::{apportion, money2, PENNY};
use crate::order::tax_rates::parse_tax_rates;
use crate::order::{ErrorCode, ValidationError};

use super::canonical::LineKind;
use super::charges::{stored_rounding, Charge, Charges, Treatment};
use super::context::Cx;
use super::posting::settle;
use super::rules::{GiftCardPolicy, RewardPointsPolicy};
use super::text::quote;
use super::vat::snap_rate;

/// One VAT treatment's figures, primary store currency, 2 places.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateFigure {
    pub treatment: Treatment,
    pub net: Decimal,
    pub vat: Decimal,
}

/// The invoice's figures per treatment (after every discount), in first-appearance order.
#[derive(Debug, Clone)]
pub struct Figures {
    pub rates: Vec<RateFigure>,
}

impl Figures {
    pub fn gross(&self) -> Decimal {
        self.rates.iter().map(|r| r.net + r.vat).sum()
    }

    fn index(&mut self, t: Treatment) -> usize {
        match self.rates.iter().position(|r| r.treatment == t) {
            Some(i) => i,
            None => {
                self.rates.push(RateFigure {
                    treatment: t,
                    net: Decimal::ZERO,
                    vat: Decimal::ZERO,
                });
                self.rates.len() - 1
            }
        }
    }
}

fn mismatch(path: &str, message: String) -> ValidationError {
    ValidationError::new(ErrorCode::TotalsMismatch, path, message)
}

fn round_even(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

/// Treatments in first-appearance order with the sums of their charges' net and tax.
fn sums_by_treatment(charges: &[Charge]) -> Vec<(Treatment, Decimal, Decimal, usize)> {
    let mut out: Vec<(Treatment, Decimal, Decimal, usize)> = Vec::with_capacity(4);
    for c in charges {
        match out.iter_mut().find(|(t, ..)| *t == c.treatment) {
            Some((_, net, tax, n)) => {
                *net += c.net;
                *tax += c.tax;
                *n += 1;
            }
            None => out.push((c.treatment, c.net, c.tax, 1)),
        }
    }
    out
}

/// Step 1: the subtotal discount, split over the treatments of the items by their ex-VAT amount
/// (the share nopCommerce scales each rate's tax by), as one discount charge per treatment.
fn subtotal_discount(cx: &mut Cx, charges: &mut Charges) {
    let o = cx.o;
    let d = o.order_sub_total_discount_excl_tax;
    if d <= Decimal::ZERO {
        return;
    }
    let base: Vec<(Treatment, Decimal, Decimal, usize)> = sums_by_treatment(
        &charges.list[..charges
            .list
            .iter()
            .take_while(|c| matches!(c.kind, LineKind::Product | LineKind::CheckoutOptions))
            .count()],
    );
    if d > charges.items_net + stored_rounding(o.items.len()) {
        cx.errors.push(mismatch(
            "OrderSubTotalDiscountExclTax",
            format!(
                "The subtotal discount ({d}) is more than the items ({}).",
                charges.items_net
            ),
        ));
        return;
    }
    let weights: Vec<Decimal> = base.iter().map(|(_, net, ..)| *net).collect();
    let parts = apportion(d, &weights, d.scale().clamp(2, 4));
    let several = base
        .iter()
        .filter(|(_, net, ..)| *net > Decimal::ZERO)
        .count()
        > 1;
    let at = charges
        .list
        .iter()
        .position(|c| !matches!(c.kind, LineKind::Product | LineKind::CheckoutOptions))
        .unwrap_or(charges.list.len());
    let share = if charges.items_net.is_zero() {
        Decimal::ZERO
    } else {
        d / charges.items_net
    };
    let mut added = Vec::new();
    for ((t, _, tax, _), part) in base.iter().zip(parts) {
        if part.is_zero() {
            continue;
        }
        added.push(Charge {
            kind: LineKind::Discount,
            description: if several {
                format!("Discount on order subtotal ({})", t.label())
            } else {
                "Discount on order subtotal".into()
            },
            treatment: *t,
            quantity: 1,
            net: -part,
            tax: -(*tax * share),
            unit_net: None,
            nominal: cx.rules.nominals.discounts,
            product_code: None,
            sku: None,
            source: Some("OrderSubTotalDiscountExclTax".into()),
        });
    }
    charges.list.splice(at..at, added);
}

/// Step 2: nopCommerce's own total formula. Returns the gross before the amounts it takes off
/// after tax (order-total discount, gift cards, reward points): `OrderTotal` plus those; and how
/// much nopCommerce's clamp at zero kept of a payment-method discount larger than the rest.
fn total_before_deductions(cx: &mut Cx) -> Option<(Decimal, Decimal)> {
    let o = cx.o;
    let deductions: Decimal = o.order_discount
        + o.gift_card_usage.iter().copied().sum::<Decimal>()
        + o.redeemed_reward_points_amount;
    let parts = [
        o.order_subtotal_excl_tax,
        -o.order_sub_total_discount_excl_tax,
        o.order_shipping_excl_tax,
        o.payment_method_additional_fee_excl_tax,
        o.order_tax,
    ];
    let raw: Decimal = parts.iter().sum();
    // nopCommerce rounds each part (RoundPricesDuringCalculation) or only the sum, half to even;
    // a store on another rounding may round half away from zero. Any of these is its own rounding.
    let candidates = [
        round_even(raw),
        money2(raw),
        parts.iter().map(|p| round_even(*p)).sum(),
        parts.iter().map(|p| money2(*p)).sum(),
    ];
    let expected = o.order_total + deductions;
    if candidates
        .iter()
        .any(|c| (*c).max(Decimal::ZERO) == expected)
    {
        return Some((expected, (-candidates[0]).max(Decimal::ZERO)));
    }
    cx.errors.push(mismatch(
        "OrderTotal",
        format!(
            "The order does not add up: subtotal {} − subtotal discount {} + shipping {} + payment fee {} (all excluding VAT) + tax {} = {}, less order discount {}, gift cards {} and reward points {} is {}, but the order total is {} ({} apart).",
            o.order_subtotal_excl_tax,
            o.order_sub_total_discount_excl_tax,
            o.order_shipping_excl_tax,
            o.payment_method_additional_fee_excl_tax,
            o.order_tax,
            candidates[0],
            o.order_discount,
            o.gift_card_usage.iter().copied().sum::<Decimal>(),
            o.redeemed_reward_points_amount,
            candidates[0] - deductions,
            o.order_total,
            (candidates[0] - deductions - o.order_total).abs()
        ),
    ));
    None
}

/// `TaxRates` read (an early step: a malformed one is reported with everything else).
pub fn read_tax_rates(cx: &mut Cx) -> Option<BTreeMap<Decimal, Decimal>> {
    let o = cx.o;
    let stated = match parse_tax_rates(&o.tax_rates) {
        Ok(m) => m,
        Err(e) => {
            cx.errors.push(ValidationError::new(
                ErrorCode::InvalidValue,
                "TaxRates",
                format!(
                    "TaxRates '{}' is not in nopCommerce's 'rate:amount;' format: {e}.",
                    quote(&o.tax_rates)
                ),
            ));
            return None;
        }
    };
    if stated.iter().any(|(rate, amount)| {
        rate.abs() > Decimal::ONE_HUNDRED || amount.abs() > Decimal::from(super::MAX_AMOUNT)
    }) {
        cx.errors.push(ValidationError::new(
            ErrorCode::InvalidValue,
            "TaxRates",
            format!(
                "TaxRates '{}' holds an impossible rate or amount.",
                quote(&o.tax_rates)
            ),
        ));
        return None;
    }
    Some(stated)
}

/// Step 3: `TaxRates` tied to the charges' rates. Returns each taxed treatment's VAT (2 places,
/// adding up to `OrderTax`).
fn vat_per_rate(
    cx: &mut Cx,
    stated: &BTreeMap<Decimal, Decimal>,
    sums: &[(Treatment, Decimal, Decimal, usize)],
) -> Option<Vec<Decimal>> {
    let o = cx.o;
    let rules = cx.rules;
    let mut vat = vec![Decimal::ZERO; sums.len()];
    let mut matched = vec![false; sums.len()];
    let mut stated_total = Decimal::ZERO;
    let mut ok = true;
    for (rate, amount) in stated {
        stated_total += *amount;
        if amount.is_zero() {
            continue;
        }
        // nopCommerce writes the fee's rate worked out to 3 places: snap it like any charge.
        let snapped = rules
            .vat
            .rates
            .iter()
            .find(|r| r.normalize() == *rate)
            .copied()
            .or_else(|| {
                snap_rate(
                    Decimal::ONE_HUNDRED + rate,
                    Decimal::ONE_HUNDRED,
                    &rules.vat.rates,
                    rules.vat.rate_tolerance,
                )
                .ok()
            });
        match sums.iter().position(|(t, ..)| {
            t.taxed() && snapped.is_some_and(|s| s.normalize() == t.rate.normalize())
        }) {
            Some(i) => {
                vat[i] += *amount;
                matched[i] = true;
            }
            None => {
                ok = false;
                cx.errors.push(mismatch(
                    "TaxRates",
                    format!(
                        "TaxRates records {amount} of VAT at {}%, but no item, shipping or fee of the order was charged at that rate.",
                        rate.normalize()
                    ),
                ));
            }
        }
    }
    if (stated_total - o.order_tax).abs() > stored_rounding(stated.len()) {
        ok = false;
        cx.errors.push(mismatch(
            "OrderTax",
            format!(
                "The order's tax is {} but its TaxRates add up to {stated_total}.",
                o.order_tax
            ),
        ));
    }
    for (i, (t, _, tax, n)) in sums.iter().enumerate() {
        if !t.taxed() {
            continue;
        }
        // nopCommerce rounds each rate's tax once; the amounts it was made from were stored at
        // 4 places (both incl and excl): that much apart, and no more.
        let allowance = PENNY + Decimal::new(1, 4) * Decimal::from(*n as i64);
        if (vat[i] - *tax).abs() > allowance || (!matched[i] && *tax > allowance) {
            ok = false;
            cx.errors.push(mismatch(
                "TaxRates",
                format!(
                    "TaxRates records {} of VAT at {}%, but the order's charges at that rate carry {} ({} apart, more than nopCommerce's rounding).",
                    vat[i],
                    t.rate.normalize(),
                    money2(*tax),
                    money2((vat[i] - *tax).abs())
                ),
            ));
        }
    }
    if !ok {
        return None;
    }
    // To the penny, adding up to OrderTax (TaxRates has 4 places when the store does not round).
    let taxed: Vec<usize> = (0..sums.len()).filter(|i| sums[*i].0.taxed()).collect();
    let exact: Vec<Decimal> = taxed.iter().map(|i| vat[*i]).collect();
    let settled = settle(&exact, money2(o.order_tax));
    for (i, v) in taxed.into_iter().zip(settled) {
        vat[i] = v;
    }
    Some(vat)
}

/// Step 5: an amount nopCommerce took off after tax, split over the rates by their gross; each
/// part takes its share of VAT off its rate. Adds one charge per rate it touches.
#[allow(clippy::too_many_arguments)]
fn take_off_after_tax(
    figures: &mut Figures,
    charges: &mut Vec<Charge>,
    amount: Decimal,
    kind: LineKind,
    description: &str,
    nominal: i64,
    source: &str,
) {
    if amount <= Decimal::ZERO {
        return;
    }
    let weights: Vec<Decimal> = figures.rates.iter().map(|r| r.net + r.vat).collect();
    let parts = apportion(amount, &weights, 2);
    let several = weights.iter().filter(|w| **w > Decimal::ZERO).count() > 1;
    for (r, part) in figures.rates.iter_mut().zip(parts) {
        if part.is_zero() {
            continue;
        }
        let t = r.treatment;
        let vat = if t.taxed() {
            money2(part * t.rate / (Decimal::ONE_HUNDRED + t.rate))
        } else {
            Decimal::ZERO
        };
        r.net -= part - vat;
        r.vat -= vat;
        charges.push(Charge {
            kind,
            description: if several {
                format!("{description} ({})", t.label())
            } else {
                description.to_string()
            },
            treatment: t,
            quantity: 1,
            net: -(part - vat),
            tax: -vat,
            unit_net: None,
            nominal,
            product_code: None,
            sku: None,
            source: Some(source.to_string()),
        });
    }
}

/// Work out the invoice's figures per rate; problems go to `cx.errors` (and `None` comes back).
pub fn work_out(
    cx: &mut Cx,
    charges: &mut Charges,
    stated: &BTreeMap<Decimal, Decimal>,
) -> Option<Figures> {
    subtotal_discount(cx, charges);
    let before_deductions = total_before_deductions(cx);
    let sums = sums_by_treatment(&charges.list);
    let vat = vat_per_rate(cx, stated, &sums);
    let ((before_deductions, clamped), vat) = (before_deductions?, vat?);
    charges.payment_discount = (charges.payment_discount - clamped).max(Decimal::ZERO);

    // Step 4: nets per rate, adding up with the VAT to the total before deductions.
    let net_total = before_deductions + charges.payment_discount - vat.iter().sum::<Decimal>();
    let exact: Vec<Decimal> = sums.iter().map(|(_, net, ..)| *net).collect();
    let parts: usize = sums.iter().map(|s| s.3).sum();
    let drift = (net_total - exact.iter().sum::<Decimal>()).abs();
    if drift > stored_rounding(parts) + Decimal::new(1, 2) {
        cx.errors.push(mismatch(
            "OrderSubtotalExclTax",
            format!(
                "The order's charges come to {} excluding VAT, but its totals say {net_total} ({drift} apart).",
                money2(exact.iter().sum())
            ),
        ));
        return None;
    }
    let nets = settle(&exact, net_total);
    let mut figures = Figures {
        rates: sums
            .iter()
            .zip(nets)
            .zip(vat)
            .map(|(((t, ..), net), vat)| RateFigure {
                treatment: *t,
                net,
                vat,
            })
            .collect(),
    };

    // Step 5: what nopCommerce took off after tax.
    let o = cx.o;
    let nominals = &cx.rules.nominals;
    take_off_after_tax(
        &mut figures,
        &mut charges.list,
        charges.payment_discount,
        LineKind::PaymentFee,
        "Payment method discount",
        nominals.payment_fee,
        "PaymentMethodAdditionalFeeExclTax",
    );
    take_off_after_tax(
        &mut figures,
        &mut charges.list,
        o.order_discount,
        LineKind::Discount,
        "Discount on order total",
        nominals.discounts,
        "OrderDiscount",
    );
    if cx.rules.reward_points.policy == RewardPointsPolicy::Discount {
        take_off_after_tax(
            &mut figures,
            &mut charges.list,
            o.redeemed_reward_points_amount,
            LineKind::RewardPoints,
            "Reward points redeemed",
            nominals.reward_points,
            "RedeemedRewardPointsAmount",
        );
    }

    // Step 6: gift cards as exempt negative lines, where the rules say so.
    if cx.rules.gift_cards.policy == GiftCardPolicy::NegativeLine {
        let cards = o.gift_card_usage.iter().filter(|g| !g.is_zero()).count();
        for (n, (i, g)) in o
            .gift_card_usage
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.is_zero())
            .enumerate()
        {
            let at = figures.index(Treatment::EXEMPT);
            figures.rates[at].net -= *g;
            charges.list.push(Charge {
                kind: LineKind::GiftCard,
                description: if cards > 1 {
                    format!("Gift card redeemed ({} of {cards})", n + 1)
                } else {
                    "Gift card redeemed".into()
                },
                treatment: Treatment::EXEMPT,
                quantity: 1,
                net: -*g,
                tax: Decimal::ZERO,
                unit_net: None,
                nominal: nominals.gift_card,
                product_code: None,
                sku: None,
                source: Some(format!("GiftCardUsage[{i}]")),
            });
        }
    }
    Some(figures)
}
