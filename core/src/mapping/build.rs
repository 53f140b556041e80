//! Snapshot + rules → canonical invoice: the business rules of the mapping, and the validation
//! that must pass before anything is posted.
//!
//! How an order becomes lines (all amounts first in the primary store currency, exactly as
//! nopCommerce stored them):
//! - one line per item at its `PriceInclTax` (nopCommerce's line total *after* item discounts —
//!   the item discount is already inside it, so it is not posted again), VAT rate derived from
//!   `PriceInclTax`/`PriceExclTax` and snapped to the account's rates;
//! - the subtotal discount (`OrderSubTotalDiscountInclTax`) as negative Discount lines, split
//!   across the VAT treatments of the items in proportion to their gross (this is also how
//!   nopCommerce reduces the tax for it), each at that treatment's rate;
//! - shipping and the payment method fee at their own derived rates (omitted when zero); a
//!   negative fee (a discount for a payment method) at its excl amount and 0%, because
//!   nopCommerce clamps that fee's tax at zero and so takes only the excl amount off the total;
//! - the order-total discount (`OrderDiscount`) as negative Discount lines split the same way
//!   across everything before it. nopCommerce does not reduce its `OrderTax` for this discount;
//!   a UK invoice must (the consideration is lower), so the invoice VAT is lower than OrderTax;
//! - gift cards and reward points as negative VAT-exempt lines on their own nominals: they are
//!   means of payment (a gift card is a multi-purpose voucher already accounted for when sold,
//!   nominal 2300 is the liability it releases), not price reductions, so they carry no VAT;
//! - the amounts are converted to the invoice currency with cumulative rounding (the parts add
//!   up to the converted total exactly) and posted with `posting::post`;
//! - whatever difference is left against the order total becomes an explicit Rounding line.
//!
//! Validation of the totals is in two steps. First, nopCommerce's own figures must add up by its
//! own formula (excl subtotal − excl subtotal discount + excl shipping + excl fee + OrderTax,
//! rounded, − order discount − gift cards − reward points = OrderTotal, within
//! `RoundingTolerance`); that catches snapshots that are simply wrong. Second, the lines built
//! from the amounts *including* VAT may differ from OrderTotal only by the roundings nopCommerce
//! made on the way (half a penny each for the subtotal discount, each VAT rate, the tax total and
//! the order total), which can legitimately exceed 2p on a mixed-rate basket with a subtotal
//! discount; that difference is the Rounding line.
//!
//! Every problem is collected and returned together.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Europe::London;
use rust_decimal::Decimal;

use crate::money::{apportion, convert_cumulative, money2};
use crate::order::tax_rates::parse_tax_rates;
use crate::order::{
    ErrorCode, OrderItem, OrderSnapshot, OrderStatus, ValidationError, ValidationErrors,
};

use super::address::{clean_text, is_eu_country, standardise};
use super::canonical::{
    CanonicalCurrency, CanonicalCustomer, CanonicalInvoice, CanonicalLine, CanonicalPayment,
    LineKind,
};
use super::customer::{customer_code, is_valid_email, normalise_email};
use super::posting::{post_pieces, Piece};
use super::rules::{InvoiceCurrencyMode, InvoiceNumberStrategy, MappingRules, PaymentMapping};
use super::vat::snap_rate;
use super::warnings::{Warning, WarningCode};

/// Largest amount accepted anywhere in a snapshot (keeps all arithmetic far from overflow).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// Largest quantity accepted on an item.
pub const MAX_QUANTITY: i64 = 1_000_000;
/// Largest currency rate accepted.
pub const MAX_CURRENCY_RATE: i64 = 1_000_000;

/// A mapped order: the canonical invoice and what the admin should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedOrder {
    pub invoice: CanonicalInvoice,
    pub warnings: Vec<Warning>,
}

/// The date of a UTC instant in Europe/London (an order at 23:30 UTC in summer is the next day).
pub fn london_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// VAT treatment of a line: rate in percent, and whether it is outside the scope of VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Treatment {
    exempt: bool,
    rate: Decimal,
}

impl Treatment {
    fn label(self) -> String {
        if self.exempt {
            "VAT-exempt items".into()
        } else {
            format!("items at {}% VAT", self.rate)
        }
    }
}

/// A line before conversion and posting.
struct Component {
    kind: LineKind,
    description: String,
    /// Gross, primary store currency, exact.
    gross: Decimal,
    treatment: Treatment,
    nominal: i64,
    quantity: i64,
    product_code: Option<String>,
    sku: Option<String>,
    source: Option<String>,
    /// Part of the order-total discount (nopCommerce's OrderTax does not include its reduction).
    order_discount: bool,
}

fn err(code: ErrorCode, path: &str, message: String) -> ValidationError {
    ValidationError::new(code, path, message)
}

fn item_label(i: usize, item: &OrderItem) -> String {
    let name = clean_text(Some(&item.name)).unwrap_or_default();
    match clean_text(item.sku.as_deref()) {
        Some(sku) => format!("Item {} ('{}', SKU {})", i + 1, name, sku),
        None => format!("Item {} ('{}')", i + 1, name),
    }
}

fn rates_list(rates: &[Decimal]) -> String {
    rates
        .iter()
        .map(|r| format!("{}%", r.normalize()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turn nopCommerce's AttributeDescription (HTML with `<br />` between attributes) into text.
fn attribute_text(raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        match rest[i..].find('>') {
            Some(j) => {
                let tag = rest[i + 1..i + j].trim().to_ascii_lowercase();
                if tag.starts_with("br") {
                    out.push_str(", ");
                }
                rest = &rest[i + j + 1..];
            }
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let cleaned = clean_text(Some(&decoded))?;
    let trimmed = cleaned.trim_matches(|c: char| c == ',' || c.is_whitespace());
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed.replace(" ,", ","))
    }
}

/// Check that every amount is within bounds (and not negative where nopCommerce never is).
fn check_amounts(o: &OrderSnapshot, errors: &mut Vec<ValidationError>) -> bool {
    // |v| ≤ MAX_AMOUNT from the mantissa and scale (a Decimal comparison across scales is slow
    // and this runs on every amount of every order).
    let in_range = |v: Decimal| {
        v.scale() > 16 || v.mantissa().abs() <= i128::from(MAX_AMOUNT) * 10i128.pow(v.scale())
    };
    let mut ok = true;
    // Paths are built only when there is a problem (this runs for every order).
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
                format!("{path} is {v}, which is too large to be an order amount."),
            ));
        } else if v < Decimal::ZERO && !may_be_negative {
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
    for (i, it) in o.items.iter().enumerate() {
        if it.quantity > MAX_QUANTITY {
            ok = false;
        }
        if it.quantity <= 0 || it.quantity > MAX_QUANTITY {
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

/// Group `(treatment, gross)` pairs, keeping first-appearance order.
fn group(pairs: impl IntoIterator<Item = (Treatment, Decimal)>) -> Vec<(Treatment, Decimal)> {
    let mut out: Vec<(Treatment, Decimal)> = Vec::new();
    for (t, g) in pairs {
        match out.iter_mut().find(|(k, _)| *k == t) {
            Some((_, sum)) => *sum += g,
            None => out.push((t, g)),
        }
    }
    out
}

/// Negative discount components for `amount`, split over the groups by their gross.
fn discount_components(
    amount: Decimal,
    groups: &[(Treatment, Decimal)],
    description: &str,
    source: &str,
    nominal: i64,
    order_discount: bool,
) -> Vec<Component> {
    let positive: Vec<(Treatment, Decimal)> = groups
        .iter()
        .copied()
        .filter(|(_, g)| *g > Decimal::ZERO)
        .collect();
    let groups = if positive.is_empty() {
        vec![(
            Treatment {
                exempt: false,
                rate: Decimal::ZERO,
            },
            Decimal::ONE,
        )]
    } else {
        positive
    };
    let weights: Vec<Decimal> = groups.iter().map(|(_, g)| *g).collect();
    let parts = apportion(amount, &weights, amount.scale().clamp(2, 4));
    let several = groups.len() > 1;
    groups
        .iter()
        .zip(parts)
        .filter(|(_, p)| !p.is_zero())
        .map(|((t, _), part)| Component {
            kind: LineKind::Discount,
            description: if several {
                format!("{description} ({})", t.label())
            } else {
                description.to_string()
            },
            gross: -part,
            treatment: *t,
            nominal,
            quantity: 1,
            product_code: None,
            sku: None,
            source: Some(source.to_string()),
            order_discount,
        })
        .collect()
}

/// Map a parsed snapshot to the canonical invoice. Returns every problem found.
pub fn map_order(
    order: &OrderSnapshot,
    rules: &MappingRules,
) -> Result<MappedOrder, ValidationErrors> {
    rules.validate()?;
    let mut errors: Vec<ValidationError> = Vec::new();
    let mut warnings: Vec<Warning> = Vec::new();
    let tol = rules.rounding_tolerance;
    let o = order;

    // --- Checks that need no arithmetic -------------------------------------------------------
    let order_guid = match uuid::Uuid::parse_str(o.order_guid.trim()) {
        Ok(g) => g.hyphenated().to_string(),
        Err(_) => {
            errors.push(err(
                ErrorCode::InvalidValue,
                "OrderGuid",
                format!("OrderGuid '{}' is not a GUID.", o.order_guid),
            ));
            o.order_guid.clone()
        }
    };
    if o.id <= 0 {
        errors.push(err(
            ErrorCode::InvalidValue,
            "Id",
            format!("The order Id is {}; it must be a positive number.", o.id),
        ));
    }
    let custom_order_number = clean_text(Some(&o.custom_order_number)).unwrap_or_default();
    if custom_order_number.is_empty() {
        errors.push(err(
            ErrorCode::MissingField,
            "CustomOrderNumber",
            "The order has no order number (CustomOrderNumber is empty); send the snapshot after the order is placed.".into(),
        ));
    }
    let invoice_number = match rules.invoice_number.strategy {
        InvoiceNumberStrategy::KashFlowAssigns => None,
        InvoiceNumberStrategy::OrderIdPlusOffset => {
            let n = rules.invoice_number.offset.checked_add(o.id);
            if n.is_none() {
                errors.push(err(
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

    // Currency.
    let home = rules.currency.home_currency.as_str();
    let primary = o.primary_store_currency_code.trim().to_ascii_uppercase();
    if primary != home {
        errors.push(err(
            ErrorCode::UnknownCurrency,
            "PrimaryStoreCurrencyCode",
            format!(
                "The store's primary currency is '{}', but the KashFlow account's home currency is {home}; the order's amounts cannot be posted.",
                o.primary_store_currency_code
            ),
        ));
    }
    let customer_currency = o.customer_currency_code.trim().to_ascii_uppercase();
    if !rules.currency.allowed.contains(&customer_currency) {
        errors.push(err(
            ErrorCode::UnknownCurrency,
            "CustomerCurrencyCode",
            format!(
                "The order was paid in '{}', which is not a currency set up for KashFlow (set up: {}).",
                o.customer_currency_code,
                rules.currency.allowed.join(", ")
            ),
        ));
    } else if customer_currency == home && o.currency_rate != Decimal::ONE {
        errors.push(err(
            ErrorCode::InvalidCurrencyRate,
            "CurrencyRate",
            format!(
                "The order is in the home currency {home} but its currency rate is {}, not 1.",
                o.currency_rate
            ),
        ));
    }
    let (invoice_currency, factor) = match rules.currency.invoice_currency {
        InvoiceCurrencyMode::CustomerCurrency => (customer_currency.clone(), o.currency_rate),
        InvoiceCurrencyMode::HomeCurrency => {
            if customer_currency != home {
                warnings.push(Warning::new(
                    WarningCode::InvoicedInHomeCurrency,
                    Some("CustomerCurrencyCode"),
                    format!("The customer paid in {customer_currency}; the invoice is in {home} as configured."),
                ));
            }
            (home.to_string(), Decimal::ONE)
        }
    };

    // Items.
    if o.items.is_empty() {
        errors.push(err(
            ErrorCode::InvalidValue,
            "Items",
            "The order has no items.".into(),
        ));
    }
    let mut skus: Vec<String> = Vec::with_capacity(o.items.len());
    for (i, it) in o.items.iter().enumerate() {
        match clean_text(it.sku.as_deref()) {
            Some(s) => skus.push(s),
            None => {
                errors.push(err(
                    ErrorCode::MissingSku,
                    &format!("Items[{i}].Sku"),
                    format!(
                        "{} has no SKU, so it cannot be matched to a KashFlow product. Give the product a SKU in nopCommerce.",
                        item_label(i, it)
                    ),
                ));
                skus.push(String::new());
            }
        }
    }
    let amounts_ok = check_amounts(o, &mut errors);

    // Addresses and customer.
    let billing = standardise(&o.billing_address, "BillingAddress", &mut errors);
    let shipping = o
        .shipping_address
        .as_ref()
        .map(|a| standardise(a, "ShippingAddress", &mut errors));
    let (raw_email, email_path) = match clean_text(o.customer.email.as_deref()) {
        Some(e) => (Some(e), "Customer.Email"),
        None => (
            clean_text(o.billing_address.email.as_deref()),
            "BillingAddress.Email",
        ),
    };
    let email = raw_email
        .as_deref()
        .map(normalise_email)
        .unwrap_or_default();
    match &raw_email {
        None => errors.push(err(
            ErrorCode::InvalidEmail,
            "Customer.Email",
            "The order has no e-mail address (neither the customer nor the billing address has one).".into(),
        )),
        Some(raw) if !is_valid_email(&email) => errors.push(err(
            ErrorCode::InvalidEmail,
            email_path,
            format!("The e-mail address '{raw}' is not valid."),
        )),
        _ => {}
    }
    let c = &o.customer;
    let b = &o.billing_address;
    let (first_name, last_name) = {
        let f = clean_text(c.first_name.as_deref());
        let l = clean_text(c.last_name.as_deref());
        if f.is_some() || l.is_some() {
            (f, l)
        } else {
            (
                clean_text(b.first_name.as_deref()),
                clean_text(b.last_name.as_deref()),
            )
        }
    };
    let company = clean_text(c.company.as_deref()).or_else(|| clean_text(b.company.as_deref()));
    let person = [first_name.as_deref(), last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let name = if !person.is_empty() {
        person
    } else if let Some(co) = &company {
        co.clone()
    } else {
        email.clone()
    };
    let vat_number: Option<String> = o
        .vat_number
        .as_deref()
        .map(|v| {
            v.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase()
        })
        .filter(|v| !v.is_empty());
    let customer = CanonicalCustomer {
        code: customer_code(&rules.customer_codes, c.id, c.is_guest, &email),
        name,
        email: email.clone(),
        first_name,
        last_name,
        company,
        phone: clean_text(b.phone_number.as_deref()),
        vat_number: vat_number.clone(),
        is_guest: c.is_guest,
        nop_customer_id: c.id,
        address: Some(billing.clone()),
        delivery_address: shipping.clone(),
    };

    // Payment mapping: needed whenever money is due (now or when the OrderPaid event comes).
    let payment_mapping: Option<PaymentMapping> = if o.order_total > Decimal::ZERO {
        let m = rules.payment_mapping(&o.payment_method_system_name);
        if m.is_none() {
            let msg = if o.payment_method_system_name.trim().is_empty() {
                format!(
                    "The order has no payment method, but {} is due.",
                    o.order_total
                )
            } else {
                format!(
                    "The payment method '{}' has no KashFlow payment method and bank account mapped. Add it to the payment method mappings in the KashFlow settings (or set a default).",
                    o.payment_method_system_name.trim()
                )
            };
            errors.push(err(
                ErrorCode::UnmappedPaymentMethod,
                "PaymentMethodSystemName",
                msg,
            ));
        }
        m
    } else {
        None
    };

    let tax_rates = match parse_tax_rates(&o.tax_rates) {
        Ok(m)
            if m.iter().all(|(r, t)| {
                r.abs() <= Decimal::ONE_HUNDRED && t.abs() <= Decimal::from(MAX_AMOUNT)
            }) =>
        {
            m
        }
        Ok(_) => {
            errors.push(err(
                ErrorCode::InvalidValue,
                "TaxRates",
                format!(
                    "TaxRates '{}' holds an impossible rate or amount.",
                    o.tax_rates
                ),
            ));
            BTreeMap::new()
        }
        Err(e) => {
            errors.push(err(
                ErrorCode::InvalidValue,
                "TaxRates",
                format!(
                    "TaxRates '{}' is not in nopCommerce's 'rate:amount;' format: {e}.",
                    o.tax_rates
                ),
            ));
            BTreeMap::new()
        }
    };

    if !amounts_ok {
        return Err(ValidationErrors { errors });
    }

    // --- VAT treatments -----------------------------------------------------------------------
    let rates = &rules.vat.rates;
    let rtol = rules.vat.rate_tolerance;
    let mut item_treatments = Vec::with_capacity(o.items.len());
    for (i, it) in o.items.iter().enumerate() {
        let exempt = rules.vat.exempt_skus.contains(&skus[i]);
        let (incl, excl) = if it.price_excl_tax.is_zero() && it.price_incl_tax.is_zero() {
            (it.unit_price_incl_tax, it.unit_price_excl_tax)
        } else {
            (it.price_incl_tax, it.price_excl_tax)
        };
        let rate = match snap_rate(incl, excl, rates, rtol) {
            Ok(r) => r,
            Err(derived) => {
                errors.push(err(
                    ErrorCode::UnknownVatRate,
                    &format!("Items[{i}].PriceInclTax"),
                    format!(
                        "{} was charged {incl} including and {excl} excluding VAT, a rate of {derived}%, which is not one of the KashFlow account's VAT rates ({}).",
                        item_label(i, it),
                        rates_list(rates)
                    ),
                ));
                Decimal::ZERO
            }
        };
        if exempt && !rate.is_zero() {
            errors.push(err(
                ErrorCode::VatMismatch,
                &format!("Items[{i}].PriceInclTax"),
                format!(
                    "{} is set up as VAT-exempt, but the order charged VAT on it at {rate}%.",
                    item_label(i, it)
                ),
            ));
        }
        item_treatments.push(Treatment {
            exempt,
            rate: if exempt { Decimal::ZERO } else { rate },
        });
    }
    let snap_charge = |incl: Decimal,
                       excl: Decimal,
                       path: &str,
                       what: &str,
                       errors: &mut Vec<ValidationError>| {
        match snap_rate(incl, excl, rates, rtol) {
            Ok(r) => r,
            Err(derived) => {
                errors.push(err(
                    ErrorCode::UnknownVatRate,
                    path,
                    format!(
                        "The {what} was charged {incl} including and {excl} excluding VAT, a rate of {derived}%, which is not one of the KashFlow account's VAT rates ({}).",
                        rates_list(rates)
                    ),
                ));
                Decimal::ZERO
            }
        }
    };
    let shipping_rate = snap_charge(
        o.order_shipping_incl_tax,
        o.order_shipping_excl_tax,
        "OrderShippingInclTax",
        "shipping",
        &mut errors,
    );
    // A negative fee (a discount for paying a certain way) carries no VAT in nopCommerce: it
    // clamps the fee's tax at zero, so only the excl amount comes off the total.
    let fee_is_discount = o.payment_method_additional_fee_incl_tax < Decimal::ZERO;
    let fee_rate = if fee_is_discount {
        Decimal::ZERO
    } else {
        snap_charge(
            o.payment_method_additional_fee_incl_tax,
            o.payment_method_additional_fee_excl_tax,
            "PaymentMethodAdditionalFeeInclTax",
            "payment method fee",
            &mut errors,
        )
    };

    // --- Checkout options ------------------------------------------------------------------------
    // Priced checkout attributes (gift wrapping, a delivery slot) are added to the subtotal by
    // nopCommerce but sit on no item. When the order names them, the subtotal's excess over the
    // items is theirs and becomes one line at the VAT rate its own incl/excl amounts show.
    let items_incl: Decimal = o.items.iter().map(|i| i.price_incl_tax).sum();
    let items_excl: Decimal = o.items.iter().map(|i| i.price_excl_tax).sum();
    let options_text = attribute_text(o.checkout_attribute_description.as_deref());
    let (options_incl, options_excl) = match &options_text {
        Some(_) => (
            o.order_subtotal_incl_tax - items_incl,
            o.order_subtotal_excl_tax - items_excl,
        ),
        None => (Decimal::ZERO, Decimal::ZERO),
    };
    let has_options = options_incl.abs() > tol || options_excl.abs() > tol;
    let options_rate = if has_options {
        snap_charge(
            options_incl,
            options_excl,
            "CheckoutAttributeDescription",
            "checkout options (the subtotal less the items)",
            &mut errors,
        )
    } else {
        Decimal::ZERO
    };

    // --- Totals in the primary currency -------------------------------------------------------
    for (sum, stated, path, what) in [
        (
            items_incl + options_incl,
            o.order_subtotal_incl_tax,
            "OrderSubtotalInclTax",
            "including",
        ),
        (
            items_excl + options_excl,
            o.order_subtotal_excl_tax,
            "OrderSubtotalExclTax",
            "excluding",
        ),
    ] {
        if (sum - stated).abs() > tol {
            errors.push(err(
                ErrorCode::TotalsMismatch,
                path,
                format!(
                    "The items add up to {} {what} VAT, but the order subtotal is {} (priced checkout attributes are only counted when CheckoutAttributeDescription names them).",
                    money2(sum),
                    stated
                ),
            ));
        }
    }

    // --- Zero-rated B2B ---------------------------------------------------------------------------
    let billing_country = billing.country_code.clone().unwrap_or_default();
    let foreign_business = vat_number.is_some()
        && !billing_country.is_empty()
        && billing_country != rules.home_country;
    let vat_charged = item_treatments.iter().any(|t| !t.rate.is_zero())
        || (!o.order_shipping_incl_tax.is_zero() && !shipping_rate.is_zero())
        || (!o.payment_method_additional_fee_incl_tax.is_zero() && !fee_rate.is_zero())
        || (has_options && !options_rate.is_zero());
    let zero_rated_b2b = foreign_business && !vat_charged;
    let eu_b2b = zero_rated_b2b && is_eu_country(&billing_country);

    // --- Components ----------------------------------------------------------------------------
    let nominals = &rules.nominals;
    // Goods and checkout options: the EU B2B nominal when the order is one and the rules name it.
    let sales_nominal = eu_b2b
        .then_some(nominals.eu_b2b_sales)
        .flatten()
        .unwrap_or(nominals.sales);
    let mut comps: Vec<Component> = Vec::with_capacity(o.items.len() + 8);
    for (i, it) in o.items.iter().enumerate() {
        let sku = &skus[i];
        let mut description = clean_text(Some(&it.name)).unwrap_or_else(|| sku.clone());
        if let Some(attrs) = attribute_text(it.attribute_description.as_deref()) {
            description = format!("{description} ({attrs})");
        }
        let nominal = nominals
            .sku_overrides
            .get(sku)
            .copied()
            .unwrap_or(sales_nominal);
        comps.push(Component {
            kind: LineKind::Product,
            description,
            gross: it.price_incl_tax,
            treatment: item_treatments[i],
            nominal,
            quantity: it.quantity,
            product_code: if sku.is_empty() {
                None
            } else {
                Some(rules.product_code(sku))
            },
            sku: if sku.is_empty() {
                None
            } else {
                Some(sku.clone())
            },
            source: Some(format!("Items[{i}]")),
            order_discount: false,
        });
    }
    if has_options {
        comps.push(Component {
            kind: LineKind::CheckoutOptions,
            description: format!(
                "Checkout options: {}",
                options_text.as_deref().unwrap_or_default()
            ),
            gross: options_incl,
            treatment: Treatment {
                exempt: false,
                rate: options_rate,
            },
            nominal: sales_nominal,
            quantity: 1,
            product_code: None,
            sku: None,
            source: Some("CheckoutAttributeDescription".into()),
            order_discount: false,
        });
    }
    if o.order_sub_total_discount_incl_tax > Decimal::ZERO {
        let groups = group(comps.iter().map(|c| (c.treatment, c.gross)));
        comps.extend(discount_components(
            o.order_sub_total_discount_incl_tax,
            &groups,
            "Discount on order subtotal",
            "OrderSubTotalDiscountInclTax",
            nominals.discounts,
            false,
        ));
    }
    if !o.order_shipping_incl_tax.is_zero() {
        let description = match clean_text(o.shipping_method.as_deref()) {
            Some(m) => format!("Shipping: {m}"),
            None => "Shipping".to_string(),
        };
        comps.push(Component {
            kind: LineKind::Shipping,
            description,
            gross: o.order_shipping_incl_tax,
            treatment: Treatment {
                exempt: false,
                rate: shipping_rate,
            },
            nominal: nominals.shipping,
            quantity: 1,
            product_code: None,
            sku: None,
            source: Some("OrderShippingInclTax".into()),
            order_discount: false,
        });
    }
    if !o.payment_method_additional_fee_incl_tax.is_zero() {
        comps.push(Component {
            kind: LineKind::PaymentFee,
            description: if fee_is_discount {
                "Payment method discount".into()
            } else {
                "Payment method fee".into()
            },
            gross: if fee_is_discount {
                o.payment_method_additional_fee_excl_tax
            } else {
                o.payment_method_additional_fee_incl_tax
            },
            treatment: Treatment {
                exempt: false,
                rate: fee_rate,
            },
            nominal: nominals.payment_fee,
            quantity: 1,
            product_code: None,
            sku: None,
            source: Some("PaymentMethodAdditionalFeeInclTax".into()),
            order_discount: false,
        });
    }
    if o.order_discount > Decimal::ZERO {
        let groups = group(comps.iter().map(|c| (c.treatment, c.gross)));
        comps.extend(discount_components(
            o.order_discount,
            &groups,
            "Discount on order total",
            "OrderDiscount",
            nominals.discounts,
            true,
        ));
    }
    let cards = o.gift_card_usage.iter().filter(|g| !g.is_zero()).count();
    let mut card_no = 0;
    for (i, g) in o.gift_card_usage.iter().enumerate() {
        if g.is_zero() {
            continue;
        }
        card_no += 1;
        comps.push(Component {
            kind: LineKind::GiftCard,
            description: if cards > 1 {
                format!("Gift card redeemed ({card_no} of {cards})")
            } else {
                "Gift card redeemed".into()
            },
            gross: -*g,
            treatment: Treatment {
                exempt: true,
                rate: Decimal::ZERO,
            },
            nominal: nominals.gift_card,
            quantity: 1,
            product_code: None,
            sku: None,
            source: Some(format!("GiftCardUsage[{i}]")),
            order_discount: false,
        });
    }
    if o.redeemed_reward_points_amount > Decimal::ZERO {
        comps.push(Component {
            kind: LineKind::RewardPoints,
            description: "Reward points redeemed".into(),
            gross: -o.redeemed_reward_points_amount,
            treatment: Treatment {
                exempt: true,
                rate: Decimal::ZERO,
            },
            nominal: nominals.reward_points,
            quantity: 1,
            product_code: None,
            sku: None,
            source: Some("RedeemedRewardPointsAmount".into()),
            order_discount: false,
        });
    }
    // 1. nopCommerce's own figures add up: its formula, on its excl amounts and OrderTax.
    let deductions: Decimal = o.order_discount
        + o.gift_card_usage.iter().copied().sum::<Decimal>()
        + o.redeemed_reward_points_amount;
    let before_deductions = money2(
        items_excl + options_excl - o.order_sub_total_discount_excl_tax
            + o.order_shipping_excl_tax
            + o.payment_method_additional_fee_excl_tax
            + o.order_tax,
    );
    // nopCommerce never lets the total go below zero (a payment discount larger than the rest).
    let clamped = (-before_deductions).max(Decimal::ZERO);
    let nop_total = before_deductions + clamped - deductions;
    if (nop_total - o.order_total).abs() > tol {
        errors.push(err(
            ErrorCode::TotalsMismatch,
            "OrderTotal",
            format!(
                "The order does not add up: items {} − subtotal discount {} + shipping {} + payment fee {} + tax {} (all excluding VAT) − order discount, gift cards and reward points {} = {}, but the order total is {}.",
                money2(items_excl + options_excl),
                o.order_sub_total_discount_excl_tax,
                o.order_shipping_excl_tax,
                o.payment_method_additional_fee_excl_tax,
                o.order_tax,
                deductions,
                money2(nop_total),
                o.order_total
            ),
        ));
    }
    // 2. The lines (built from the amounts including VAT) differ from the total only by
    //    nopCommerce's rounding: half a penny for the subtotal discount, for each VAT rate's tax
    //    after it, for the tax total and for the order total, on top of the tolerance.
    let taxed_rates = {
        let mut r: Vec<Decimal> = comps
            .iter()
            .filter(|c| !c.treatment.exempt && !c.treatment.rate.is_zero())
            .map(|c| c.treatment.rate)
            .collect();
        r.sort();
        r.dedup();
        r.len()
    };
    let allowance = tol + Decimal::new(5, 3) * Decimal::from(taxed_rates as i64 + 3) + clamped;
    let lines_total: Decimal = comps.iter().map(|c| c.gross).sum();
    if errors.is_empty() && (lines_total - o.order_total).abs() > allowance {
        errors.push(err(
            ErrorCode::TotalsMismatch,
            "OrderTotal",
            format!(
                "The order's amounts including VAT add up to {} but its total is {}: a difference of {}, more than rounding can explain ({}). (Total = items − subtotal discount + shipping + payment fee − order discount − gift cards − reward points.)",
                money2(lines_total),
                o.order_total,
                money2(o.order_total - lines_total),
                money2(allowance)
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ValidationErrors { errors });
    }

    // --- Convert and post -------------------------------------------------------------------------
    let grosses: Vec<Decimal> = comps.iter().map(|c| c.gross).collect();
    let targets = convert_cumulative(&grosses, factor);
    let target_total = money2(o.order_total * factor);
    let mut carry = Decimal::ZERO;
    let mut lines: Vec<CanonicalLine> = Vec::with_capacity(comps.len() + 2);
    let mut order_discount_line = Vec::with_capacity(comps.len() + 2);
    for (c, target) in comps.into_iter().zip(targets) {
        let Component {
            kind,
            description,
            treatment,
            nominal,
            quantity,
            product_code,
            sku,
            source,
            order_discount,
            ..
        } = c;
        let (first, second) = post_pieces(target, quantity, treatment.rate, &mut carry);
        let line = |p: Piece, description: String, product_code, sku, source| CanonicalLine {
            kind,
            description,
            quantity: Decimal::from(p.quantity),
            rate: p.rate,
            vat_rate: treatment.rate,
            vat_amount: p.vat,
            vat_exempt: treatment.exempt,
            nominal_code: nominal,
            product_code,
            sku,
            source,
        };
        match second {
            None => lines.push(line(first, description, product_code, sku, source)),
            Some(p) => {
                let note = format!(
                    "{description} ({} of {quantity} priced 0.01 higher so the line total matches the order)",
                    p.quantity
                );
                lines.push(line(
                    first,
                    description,
                    product_code.clone(),
                    sku.clone(),
                    source.clone(),
                ));
                lines.push(line(p, note, product_code, sku, source));
                order_discount_line.push(order_discount);
            }
        }
        order_discount_line.push(order_discount);
    }
    if zero_rated_b2b {
        let number = vat_number.clone().unwrap_or_default();
        warnings.push(Warning::new(
            WarningCode::ZeroRatedB2b,
            Some("VatNumber"),
            format!(
                "Invoiced without VAT to a VAT-registered business in {billing_country} (VAT number {number}): posted zero-rated."
            ),
        ));
        if rules.vat.zero_rated_b2b_note {
            lines.push(CanonicalLine {
                kind: LineKind::Note,
                description: format!(
                    "Zero-rated supply to a VAT-registered business in {billing_country}, customer VAT number {number}"
                ),
                quantity: Decimal::ONE,
                rate: money2(Decimal::ZERO),
                vat_rate: Decimal::ZERO,
                vat_amount: money2(Decimal::ZERO),
                vat_exempt: false,
                nominal_code: nominals.sales,
                product_code: None,
                sku: None,
                source: Some("VatNumber".into()),
            });
            order_discount_line.push(false);
        }
    } else if foreign_business {
        warnings.push(Warning::new(
            WarningCode::VatChargedDespiteVatNumber,
            Some("VatNumber"),
            format!(
                "The order has the VAT number {} from {billing_country}, but VAT was charged; the invoice shows the VAT as charged.",
                vat_number.clone().unwrap_or_default()
            ),
        ));
    }
    let posted: Decimal = lines.iter().map(|l| l.net() + l.vat_amount).sum();
    let residual = target_total - posted;
    // The allowance is for the difference nopCommerce itself left (checked above in the primary
    // currency); in another currency it is multiplied by the rate. On top of it come at most a
    // penny from converting the total and the lines separately, and a penny from KashFlow's
    // per-line VAT rounding (see `posting`). Beyond that something is wrong: refuse.
    let tol_invoice =
        (allowance * factor).max(allowance) + crate::money::PENNY + crate::money::PENNY;
    if !residual.is_zero() {
        if residual.abs() > tol_invoice {
            return Err(ValidationErrors::one(err(
                ErrorCode::TotalsMismatch,
                "OrderTotal",
                format!(
                    "The invoice lines come to {posted} {invoice_currency} but the order total is {target_total} {invoice_currency}: a difference of {residual}, more than the {} that may be posted as rounding.",
                    money2(tol_invoice)
                ),
            )));
        }
        lines.push(CanonicalLine {
            kind: LineKind::Rounding,
            description: "Rounding (difference between the order total and the invoice lines)"
                .into(),
            quantity: Decimal::ONE,
            rate: money2(residual),
            vat_rate: Decimal::ZERO,
            vat_amount: money2(Decimal::ZERO),
            vat_exempt: true,
            nominal_code: nominals.rounding,
            product_code: None,
            sku: None,
            source: Some("OrderTotal".into()),
        });
        order_discount_line.push(false);
    }
    let net_total: Decimal = lines.iter().map(CanonicalLine::net).sum();
    let vat_total: Decimal = lines.iter().map(|l| l.vat_amount).sum();
    let gross_total = net_total + vat_total;
    if gross_total != target_total {
        // Cannot happen (the rounding line closes the gap); refuse rather than post a wrong invoice.
        return Err(ValidationErrors::one(err(
            ErrorCode::TotalsMismatch,
            "OrderTotal",
            format!("The invoice would total {gross_total} instead of {target_total}; nothing was posted."),
        )));
    }

    // --- VAT cross-check against nopCommerce's TaxRates (a warning only) ---------------------------
    let mut by_rate: BTreeMap<Decimal, (Decimal, usize)> = BTreeMap::new();
    for (l, od) in lines.iter().zip(&order_discount_line) {
        if !l.vat_exempt && !*od && !l.vat_rate.is_zero() {
            let e = by_rate
                .entry(l.vat_rate.normalize())
                .or_insert((Decimal::ZERO, 0));
            e.0 += l.vat_amount;
            e.1 += 1;
        }
    }
    let mut all_rates: Vec<Decimal> = by_rate.keys().copied().collect();
    all_rates.extend(tax_rates.keys().filter(|r| !r.is_zero()).copied());
    all_rates.sort();
    all_rates.dedup();
    for r in all_rates {
        let (posted_vat, n) = by_rate.get(&r).copied().unwrap_or((Decimal::ZERO, 0));
        let expected = money2(tax_rates.get(&r).copied().unwrap_or_default() * factor);
        let allowed = tol + Decimal::new(5, 3) * Decimal::from(n as i64);
        if (posted_vat - expected).abs() > allowed {
            warnings.push(Warning::new(
                WarningCode::VatDiffersFromOrder,
                Some("TaxRates"),
                format!(
                    "VAT at {r}% on the invoice (before any order-total discount) is {posted_vat}, but nopCommerce recorded {expected}."
                ),
            ));
        }
    }

    // --- Dates and payment -------------------------------------------------------------------------
    let issued_date = london_date(o.created_on_utc);
    let paid = o.payment_status.was_paid();
    let due_days = if paid {
        rules.due_days.paid
    } else {
        rules.due_days.unpaid
    };
    let due_date = issued_date
        .checked_add_days(Days::new(u64::from(due_days)))
        .unwrap_or(issued_date);
    let payment = match (paid, payment_mapping) {
        (true, Some(m)) if gross_total > Decimal::ZERO => {
            let when = match o.paid_date_utc {
                Some(t) => t,
                None => {
                    warnings.push(Warning::new(
                        WarningCode::PaidDateMissing,
                        Some("PaidDateUtc"),
                        "The order is paid but has no paid date; the payment is dated on the order date.",
                    ));
                    o.created_on_utc
                }
            };
            Some(CanonicalPayment {
                amount: gross_total,
                date: london_date(when),
                method_id: m.method_id,
                bank_account_id: m.bank_account_id,
                note: format!(
                    "nopCommerce order {custom_order_number} paid by {}",
                    o.payment_method_system_name.trim()
                ),
            })
        }
        _ => None,
    };
    if o.order_status == OrderStatus::Cancelled {
        warnings.push(Warning::new(
            WarningCode::OrderCancelled,
            Some("OrderStatus"),
            "The order is cancelled.",
        ));
    }
    if o.refunded_amount > Decimal::ZERO {
        warnings.push(Warning::new(
            WarningCode::RefundNotOnInvoice,
            Some("RefundedAmount"),
            format!(
                "{} has been refunded; the invoice is for the order as placed and refunds are recorded separately.",
                o.refunded_amount
            ),
        ));
    }

    let invoice = CanonicalInvoice {
        order_id: o.id,
        custom_order_number,
        order_guid,
        store_id: o.store_id,
        invoice_number,
        customer_reference: rules.customer_reference(o),
        issued_date,
        due_date,
        currency: CanonicalCurrency {
            code: invoice_currency,
            exchange_rate: factor,
        },
        customer,
        lines,
        net_total: money2(net_total),
        vat_total: money2(vat_total),
        gross_total: money2(gross_total),
        payment,
    };
    Ok(MappedOrder { invoice, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn london_dates_follow_british_summer_time() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            london_date(t("2026-07-14T23:30:00Z")).to_string(),
            "2026-07-15"
        );
        assert_eq!(
            london_date(t("2026-01-14T23:30:00Z")).to_string(),
            "2026-01-14"
        );
        assert_eq!(
            london_date(t("2026-03-29T00:30:00Z")).to_string(),
            "2026-03-29"
        );
        assert_eq!(
            london_date(t("2026-10-24T23:00:00Z")).to_string(),
            "2026-10-25"
        );
    }

    #[test]
    fn attribute_descriptions_become_text() {
        assert_eq!(
            attribute_text(Some("Size: M<br />Colour: Navy &amp; White")).as_deref(),
            Some("Size: M, Colour: Navy & White")
        );
        assert_eq!(attribute_text(Some("<br />")), None);
        assert_eq!(attribute_text(Some("  ")), None);
        assert_eq!(attribute_text(None), None);
    }
}
