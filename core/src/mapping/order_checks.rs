//! Checks of the order as a whole, before any arithmetic: its identity (id, GUID, number), its
//! dates, whether it may be invoiced at all, its currency, and that every amount is in range.

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;

use crate::order::{ErrorCode, OrderSnapshot, OrderStatus, PaymentStatus, ValidationError};

use super::address::clean_text;
use super::charges::item_label;
use super::context::Cx;
use super::rules::{InvoiceCurrencyMode, InvoiceNumberStrategy};
use super::text::quote;
use super::warnings::{Warning, WarningCode};
use super::{MAX_AMOUNT, MAX_CURRENCY_RATE, MAX_QUANTITY};

fn err(code: ErrorCode, path: &str, message: String) -> ValidationError {
    ValidationError::new(code, path, message)
}

/// What identifies the order on the invoice.
pub struct Identity {
    pub order_guid: String,
    pub custom_order_number: String,
    pub invoice_number: Option<i64>,
}

/// The order's id, GUID, number and the invoice number it gets.
pub fn identity(cx: &mut Cx) -> Identity {
    let o = cx.o;
    let order_guid = match uuid::Uuid::parse_str(o.order_guid.trim()) {
        Ok(g) => g.hyphenated().to_string(),
        Err(_) => {
            cx.errors.push(err(
                ErrorCode::InvalidValue,
                "OrderGuid",
                format!("OrderGuid '{}' is not a GUID.", quote(&o.order_guid)),
            ));
            o.order_guid.clone()
        }
    };
    if o.id <= 0 {
        cx.errors.push(err(
            ErrorCode::InvalidValue,
            "Id",
            format!("The order Id is {}; it must be a positive number.", o.id),
        ));
    }
    let custom_order_number = clean_text(Some(&o.custom_order_number)).unwrap_or_default();
    if custom_order_number.is_empty() {
        cx.errors.push(err(
            ErrorCode::MissingField,
            "CustomOrderNumber",
            "The order has no order number (CustomOrderNumber is empty); send the snapshot after the order is placed.".into(),
        ));
    } else if custom_order_number.chars().count() > 40 {
        cx.errors.push(err(
            ErrorCode::InvalidValue,
            "CustomOrderNumber",
            format!(
                "The order number '{}' is longer than 40 characters.",
                quote(&custom_order_number)
            ),
        ));
    }
    let invoice_number = match cx.rules.invoice_number.strategy {
        InvoiceNumberStrategy::KashFlowAssigns => None,
        InvoiceNumberStrategy::OrderIdPlusOffset => {
            let n = cx.rules.invoice_number.offset.checked_add(o.id);
            if n.is_none() {
                cx.errors.push(err(
                    ErrorCode::InvalidValue,
                    "Id",
                    format!(
                        "Order Id {} plus the invoice number offset is too large.",
                        o.id
                    ),
                ));
            }
            n
        }
    };
    Identity {
        order_guid,
        custom_order_number,
        invoice_number,
    }
}

/// Dates between 2000 and 2100, and an order that may be invoiced as it stands.
pub fn dates_and_status(cx: &mut Cx) {
    let o = cx.o;
    let plausible = |t: &DateTime<Utc>| (2000..2100).contains(&t.year());
    if !plausible(&o.created_on_utc) {
        cx.errors.push(err(
            ErrorCode::InvalidValue,
            "CreatedOnUtc",
            format!(
                "The order is dated {}, outside 2000–2099; a KashFlow invoice cannot carry that date.",
                o.created_on_utc.format("%Y-%m-%d")
            ),
        ));
    }
    if let Some(paid) = o.paid_date_utc.filter(|t| !plausible(t)) {
        cx.errors.push(err(
            ErrorCode::InvalidValue,
            "PaidDateUtc",
            format!(
                "The order's payment is dated {}, outside 2000–2099.",
                paid.format("%Y-%m-%d")
            ),
        ));
    }
    // Refused, not warned: an invoice for money that was never taken (voided) or has all gone
    // back (refunded before the invoice existed) would overstate the shop's sales.
    match o.payment_status {
        PaymentStatus::Voided => cx.errors.push(err(
            ErrorCode::NotInvoiceable,
            "PaymentStatus",
            format!(
                "Order {} has its payment voided in nopCommerce: no money was taken, so no invoice is created.",
                o.custom_order_number.trim()
            ),
        )),
        PaymentStatus::Refunded => cx.errors.push(err(
            ErrorCode::NotInvoiceable,
            "PaymentStatus",
            format!(
                "Order {} was refunded in full before it reached KashFlow, so no invoice is created (nothing is owed and nothing was kept).",
                o.custom_order_number.trim()
            ),
        )),
        _ => {}
    }
    if o.order_status == OrderStatus::Cancelled {
        cx.warnings.push(Warning::new(
            WarningCode::OrderCancelled,
            Some("OrderStatus"),
            "The order is cancelled.",
        ));
    }
    if o.refunded_amount > Decimal::ZERO && o.payment_status != PaymentStatus::Refunded {
        cx.warnings.push(Warning::new(
            WarningCode::RefundNotOnInvoice,
            Some("RefundedAmount"),
            format!(
                "{} has been refunded; the invoice is for the order as placed and refunds are recorded separately.",
                o.refunded_amount
            ),
        ));
    }
}

/// The invoice currency and its rate against the primary store currency.
pub fn currency(cx: &mut Cx) -> (String, Decimal) {
    let o = cx.o;
    let rules = cx.rules;
    let home = rules.currency.home_currency.as_str();
    let primary = o.primary_store_currency_code.trim().to_ascii_uppercase();
    if primary != home {
        cx.errors.push(err(
            ErrorCode::UnknownCurrency,
            "PrimaryStoreCurrencyCode",
            format!(
                "The store's primary currency is '{}', but the KashFlow account's home currency is {home}; the order's amounts cannot be posted.",
                quote(&o.primary_store_currency_code)
            ),
        ));
    }
    let customer_currency = o.customer_currency_code.trim().to_ascii_uppercase();
    if !rules.currency.allowed.contains(&customer_currency) {
        cx.errors.push(err(
            ErrorCode::UnknownCurrency,
            "CustomerCurrencyCode",
            format!(
                "The order was paid in '{}', which is not a currency set up for KashFlow (set up: {}).",
                quote(&o.customer_currency_code),
                rules.currency.allowed.join(", ")
            ),
        ));
    } else if customer_currency == home && o.currency_rate != Decimal::ONE {
        cx.errors.push(err(
            ErrorCode::InvalidCurrencyRate,
            "CurrencyRate",
            format!(
                "The order is in the home currency {home} but its currency rate is {}, not 1.",
                o.currency_rate
            ),
        ));
    }
    match rules.currency.invoice_currency {
        InvoiceCurrencyMode::CustomerCurrency => (customer_currency, o.currency_rate),
        InvoiceCurrencyMode::HomeCurrency => {
            if customer_currency != home {
                cx.warnings.push(Warning::new(
                    WarningCode::InvoicedInHomeCurrency,
                    Some("CustomerCurrencyCode"),
                    format!("The customer paid in {customer_currency}; the invoice is in {home} as configured."),
                ));
            }
            (home.to_string(), Decimal::ONE)
        }
    }
}

/// Every amount within bounds, nothing negative that nopCommerce never makes negative, items
/// present with sane quantities. `false` when the arithmetic cannot safely go on.
pub fn amounts(cx: &mut Cx) -> bool {
    let o: &OrderSnapshot = cx.o;
    let errors = &mut cx.errors;
    // |v| ≤ MAX_AMOUNT from the mantissa and scale (a Decimal comparison across scales is slow
    // and this runs on every amount of every order).
    let in_range = |v: Decimal| {
        v.scale() > 16 || v.mantissa().abs() <= i128::from(MAX_AMOUNT) * 10i128.pow(v.scale())
    };
    let mut ok = true;
    let mut amount = |path: &dyn Fn() -> String,
                      v: Decimal,
                      may_be_negative: bool,
                      errors: &mut Vec<ValidationError>| {
        if in_range(v) && (may_be_negative || !v.is_sign_negative() || v.is_zero()) {
            return;
        }
        let path = path();
        if !in_range(v) {
            ok = false;
            errors.push(err(
                ErrorCode::InvalidValue,
                &path,
                format!(
                    "{path} is {}, which is not an order amount.",
                    quote(&v.to_string())
                ),
            ));
        } else {
            errors.push(err(
                ErrorCode::NegativeAmount,
                &path,
                format!("{path} is {v}; it must not be negative."),
            ));
        }
    };
    let header = [
        ("OrderSubtotalInclTax", o.order_subtotal_incl_tax, false),
        ("OrderSubtotalExclTax", o.order_subtotal_excl_tax, false),
        (
            "OrderSubTotalDiscountInclTax",
            o.order_sub_total_discount_incl_tax,
            false,
        ),
        (
            "OrderSubTotalDiscountExclTax",
            o.order_sub_total_discount_excl_tax,
            false,
        ),
        ("OrderShippingInclTax", o.order_shipping_incl_tax, false),
        ("OrderShippingExclTax", o.order_shipping_excl_tax, false),
        (
            "PaymentMethodAdditionalFeeInclTax",
            o.payment_method_additional_fee_incl_tax,
            true,
        ),
        (
            "PaymentMethodAdditionalFeeExclTax",
            o.payment_method_additional_fee_excl_tax,
            true,
        ),
        ("OrderTax", o.order_tax, false),
        ("OrderDiscount", o.order_discount, false),
        ("OrderTotal", o.order_total, false),
        ("RefundedAmount", o.refunded_amount, false),
        (
            "RedeemedRewardPointsAmount",
            o.redeemed_reward_points_amount,
            false,
        ),
    ];
    for (path, v, neg) in header {
        amount(&|| path.to_string(), v, neg, errors);
    }
    for (i, g) in o.gift_card_usage.iter().enumerate() {
        amount(&|| format!("GiftCardUsage[{i}]"), *g, false, errors);
    }
    for (i, it) in o.items.iter().enumerate() {
        for (name, v) in [
            ("UnitPriceInclTax", it.unit_price_incl_tax),
            ("UnitPriceExclTax", it.unit_price_excl_tax),
            ("PriceInclTax", it.price_incl_tax),
            ("PriceExclTax", it.price_excl_tax),
            ("DiscountAmountInclTax", it.discount_amount_incl_tax),
            ("DiscountAmountExclTax", it.discount_amount_excl_tax),
        ] {
            amount(&|| format!("Items[{i}].{name}"), v, false, errors);
        }
    }
    if o.currency_rate <= Decimal::ZERO || o.currency_rate > Decimal::from(MAX_CURRENCY_RATE) {
        ok = false;
        errors.push(err(
            ErrorCode::InvalidCurrencyRate,
            "CurrencyRate",
            format!(
                "The order's currency rate is {}; it must be above 0 and at most {MAX_CURRENCY_RATE}.",
                o.currency_rate
            ),
        ));
    }
    if o.items.is_empty() {
        ok = false;
        errors.push(err(
            ErrorCode::InvalidValue,
            "Items",
            "The order has no items.".into(),
        ));
    }
    for (i, it) in o.items.iter().enumerate() {
        if it.quantity <= 0 || it.quantity > MAX_QUANTITY {
            ok = false;
            errors.push(err(
                ErrorCode::InvalidQuantity,
                &format!("Items[{i}].Quantity"),
                format!(
                    "{} has quantity {}; a quantity must be between 1 and {MAX_QUANTITY}.",
                    item_label(i, it),
                    it.quantity
                ),
            ));
        }
    }
    ok
}
