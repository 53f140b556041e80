//! The payments that go in with the invoice, each in the invoice currency and dated in UK time:
//! the customer's own (when the order was paid at placement), each gift card (policy `Payment`)
//! and reward points (policy `PaymentFromAccount`). Together with the invoice's lines they make
//! the invoice's gross exactly (see `lines`).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;
use rust_decimal::Decimal;

use crate::money::money2;
use crate::order::{ErrorCode, ValidationError};

use super::canonical::{CanonicalPayment, PaymentKind};
use super::context::Cx;
use super::rules::{GiftCardPolicy, PaymentMapping, RewardPointsPolicy};
use super::text::quote;
use super::warnings::{Warning, WarningCode};

/// The date of a UTC instant in Europe/London (an order at 23:30 UTC in summer is the next day).
pub fn london_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// The words that mark a payment we recorded for an order, by kind. The engine recognises its
/// own payments on an invoice by these (with the amount), so a retry never records one twice.
pub fn payment_note_prefix(kind: PaymentKind, custom_order_number: &str) -> String {
    match kind {
        PaymentKind::Order => format!("nopCommerce order {custom_order_number} paid"),
        PaymentKind::GiftCard => format!("nopCommerce order {custom_order_number} gift card"),
        PaymentKind::RewardPoints => {
            format!("nopCommerce order {custom_order_number} reward points")
        }
    }
}

/// The customer's payment method mapping, needed whenever money is due (now or when the
/// `OrderPaid` event comes); an error when it is missing.
pub fn order_payment_mapping(cx: &mut Cx) -> Option<PaymentMapping> {
    let o = cx.o;
    if o.order_total <= Decimal::ZERO {
        return None;
    }
    let m = cx.rules.payment_mapping(&o.payment_method_system_name);
    if m.is_none() {
        let message = if o.payment_method_system_name.trim().is_empty() {
            format!(
                "The order has no payment method, but {} is due.",
                o.order_total
            )
        } else {
            format!(
                "The payment method '{}' has no KashFlow payment method and bank account mapped. Add it to the payment method mappings in the KashFlow settings (or set a default).",
                quote(o.payment_method_system_name.trim())
            )
        };
        cx.errors.push(ValidationError::new(
            ErrorCode::UnmappedPaymentMethod,
            "PaymentMethodSystemName",
            message,
        ));
    }
    m
}

/// The gross the invoice must come to in its currency: what the customer paid, converted as
/// nopCommerce shows it (`round(amount × rate)`), plus each payment booked from an account.
pub fn invoice_gross(cx: &Cx, factor: Decimal) -> Decimal {
    let o = cx.o;
    let mut gross = money2(o.order_total * factor);
    if cx.rules.gift_cards.policy == GiftCardPolicy::Payment {
        gross += o
            .gift_card_usage
            .iter()
            .map(|g| money2(*g * factor))
            .sum::<Decimal>();
    }
    if cx.rules.reward_points.policy == RewardPointsPolicy::PaymentFromAccount {
        gross += money2(o.redeemed_reward_points_amount * factor);
    }
    gross
}

/// The payments that go in with the invoice.
pub fn payments(
    cx: &mut Cx,
    factor: Decimal,
    custom_order_number: &str,
    order_mapping: Option<PaymentMapping>,
) -> Vec<CanonicalPayment> {
    let o = cx.o;
    let placed = london_date(o.created_on_utc);
    let mut out = Vec::new();
    if cx.rules.gift_cards.policy == GiftCardPolicy::Payment {
        if let Some(m) = cx.rules.gift_cards.payment {
            for (n, g) in o
                .gift_card_usage
                .iter()
                .filter(|g| !g.is_zero())
                .enumerate()
            {
                out.push(CanonicalPayment {
                    kind: PaymentKind::GiftCard,
                    amount: money2(*g * factor),
                    date: placed,
                    method_id: m.method_id,
                    bank_account_id: m.bank_account_id,
                    note: format!(
                        "{} {}",
                        payment_note_prefix(PaymentKind::GiftCard, custom_order_number),
                        n + 1
                    ),
                });
            }
        }
    }
    if cx.rules.reward_points.policy == RewardPointsPolicy::PaymentFromAccount
        && o.redeemed_reward_points_amount > Decimal::ZERO
    {
        if let Some(m) = cx.rules.reward_points.payment {
            out.push(CanonicalPayment {
                kind: PaymentKind::RewardPoints,
                amount: money2(o.redeemed_reward_points_amount * factor),
                date: placed,
                method_id: m.method_id,
                bank_account_id: m.bank_account_id,
                note: payment_note_prefix(PaymentKind::RewardPoints, custom_order_number),
            });
        }
    }
    if let (true, Some(m)) = (o.payment_status.was_paid(), order_mapping) {
        let amount = money2(o.order_total * factor);
        if amount > Decimal::ZERO {
            let when = match o.paid_date_utc {
                Some(t) => t,
                None => {
                    cx.warnings.push(Warning::new(
                        WarningCode::PaidDateMissing,
                        Some("PaidDateUtc"),
                        "The order is paid but has no paid date; the payment is dated on the order date.",
                    ));
                    o.created_on_utc
                }
            };
            out.push(CanonicalPayment {
                kind: PaymentKind::Order,
                amount,
                date: london_date(when),
                method_id: m.method_id,
                bank_account_id: m.bank_account_id,
                note: format!(
                    "{} by {}",
                    payment_note_prefix(PaymentKind::Order, custom_order_number),
                    o.payment_method_system_name.trim()
                ),
            });
        }
    }
    out
}
