//! The order's charges: every item, the priced checkout options, shipping and the payment fee,
//! each with its VAT treatment (the rate its own incl/excl amounts show, snapped to the account's
//! rates), its nominal and its text — in the primary store currency, exactly as nopCommerce
//! stored them. Discounts are added to this list later by `figures`, which owns the per-rate
//! arithmetic.

use rust_decimal::Decimal;

use crate::order::{ErrorCode, OrderItem, ValidationError};

use super::address::{clean_text, is_eu_country};
use super::canonical::LineKind;
use super::context::Cx;
use super::rules::SkuLessItemPolicy;
use super::text::{fit, fit_lazy, html_to_text, limits, quote};
use super::vat::snap_rate;
use super::warnings::{Warning, WarningCode};

/// VAT treatment of a charge: rate in percent, and whether it is outside the scope of VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Treatment {
    pub exempt: bool,
    pub rate: Decimal,
}

impl Treatment {
    pub const ZERO_RATED: Treatment = Treatment {
        exempt: false,
        rate: Decimal::ZERO,
    };
    pub const EXEMPT: Treatment = Treatment {
        exempt: true,
        rate: Decimal::ZERO,
    };

    pub fn taxed(self) -> bool {
        !self.exempt && !self.rate.is_zero()
    }

    /// "items at 20% VAT": how a line split by rate says which rate it is for.
    pub fn label(self) -> String {
        if self.exempt {
            "VAT-exempt items".into()
        } else {
            format!("items at {}% VAT", self.rate.normalize())
        }
    }
}

/// One thing the order charged (or took off), before posting.
#[derive(Debug, Clone)]
pub struct Charge {
    pub kind: LineKind,
    pub description: String,
    pub treatment: Treatment,
    pub quantity: i64,
    /// Ex-VAT amount of the whole line, primary store currency, as nopCommerce stored it
    /// (negative for discounts).
    pub net: Decimal,
    /// VAT nopCommerce charged on it (incl − excl); for discounts, the VAT they take off.
    pub tax: Decimal,
    /// Ex-VAT unit price the shop charged (items only).
    pub unit_net: Option<Decimal>,
    pub nominal: i64,
    pub product_code: Option<String>,
    pub sku: Option<String>,
    pub source: Option<String>,
}

/// The charges and what they say about the order as a whole.
pub struct Charges {
    pub list: Vec<Charge>,
    /// Items and checkout options, ex VAT: the base nopCommerce takes the subtotal discount off.
    pub items_net: Decimal,
    /// A negative payment method fee (a discount for paying a certain way), ex VAT: nopCommerce
    /// takes it off the total with no tax, so it is split over the rates like a discount.
    pub payment_discount: Decimal,
    /// A VAT-registered business outside the home country was charged no VAT.
    pub zero_rated_b2b: bool,
    /// The sales nominal of goods (the EU B2B one when it applies and is configured).
    pub sales_nominal: i64,
    pub billing_country: String,
}

/// How far a stored amount may be from the sum of the amounts nopCommerce made it from: half a
/// penny for rounding it to 2 places, plus half of the 4th place for each part it stored.
pub fn stored_rounding(parts: usize) -> Decimal {
    Decimal::new(5, 3) + Decimal::new(5, 5) * Decimal::from(parts as i64)
}

pub fn item_label(i: usize, item: &OrderItem) -> String {
    let name = quote(&clean_text(Some(&item.name)).unwrap_or_default());
    match clean_text(item.sku.as_deref()) {
        Some(sku) => format!("Item {} ('{}', SKU {})", i + 1, name, quote(&sku)),
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

/// The account rate `incl`/`excl` were charged at; an error naming `what` when none fits.
fn snap(
    cx: &mut Cx,
    incl: Decimal,
    excl: Decimal,
    path: &dyn Fn() -> String,
    what: &dyn Fn() -> String,
) -> Decimal {
    match snap_rate(incl, excl, &cx.rules.vat.rates, cx.rules.vat.rate_tolerance) {
        Ok(r) => r,
        Err(derived) => {
            let message = format!(
                "{} was charged {incl} including and {excl} excluding VAT, a rate of {derived}%, which is not one of the KashFlow account's VAT rates ({}).",
                what(),
                rates_list(&cx.rules.vat.rates)
            );
            cx.errors.push(ValidationError::new(
                ErrorCode::UnknownVatRate,
                path(),
                message,
            ));
            Decimal::ZERO
        }
    }
}

/// Items without a SKU, where the rules refuse them (an early step: reported with everything
/// else wrong with the order).
pub fn refuse_sku_less_items(cx: &mut Cx) {
    if cx.rules.sku_less_items != SkuLessItemPolicy::Refuse {
        return;
    }
    for (i, it) in cx.o.items.iter().enumerate() {
        if clean_text(it.sku.as_deref()).is_none() {
            cx.errors.push(ValidationError::new(
                ErrorCode::MissingSku,
                format!("Items[{i}].Sku"),
                format!(
                    "{} has no SKU, so it cannot be matched to a KashFlow product. Give the product a SKU in nopCommerce, or let items without a SKU post as description lines (mapping rules: SkuLessItems).",
                    item_label(i, it)
                ),
            ));
        }
    }
}

/// Collect the order's charges; problems go to `cx.errors`.
pub fn collect(cx: &mut Cx, billing_country: &str, vat_number: Option<&str>) -> Charges {
    let o = cx.o;
    let mut skus = Vec::with_capacity(o.items.len());

    // Items: SKU, VAT treatment, text.
    let mut treatments = Vec::with_capacity(o.items.len());
    for (i, it) in o.items.iter().enumerate() {
        let sku = clean_text(it.sku.as_deref());
        let exempt = sku
            .as_ref()
            .is_some_and(|s| cx.rules.vat.exempt_skus.contains(s));
        let (incl, excl) = if it.price_excl_tax.is_zero() && it.price_incl_tax.is_zero() {
            (it.unit_price_incl_tax, it.unit_price_excl_tax)
        } else {
            (it.price_incl_tax, it.price_excl_tax)
        };
        let rate = snap(
            cx,
            incl,
            excl,
            &|| format!("Items[{i}].PriceInclTax"),
            &|| item_label(i, it),
        );
        if exempt && !rate.is_zero() {
            cx.errors.push(ValidationError::new(
                ErrorCode::VatMismatch,
                format!("Items[{i}].PriceInclTax"),
                format!(
                    "{} is set up as VAT-exempt, but the order charged VAT on it at {rate}%.",
                    item_label(i, it)
                ),
            ));
        }
        treatments.push(if exempt {
            Treatment::EXEMPT
        } else {
            Treatment {
                exempt: false,
                rate,
            }
        });
        skus.push(sku);
    }

    // Checkout options: priced checkout attributes sit in the subtotal but on no item.
    let items_incl: Decimal = o.items.iter().map(|i| i.price_incl_tax).sum();
    let items_excl: Decimal = o.items.iter().map(|i| i.price_excl_tax).sum();
    let options_text = html_to_text(o.checkout_attribute_description.as_deref());
    let (options_incl, options_excl) = match &options_text {
        Some(_) => (
            o.order_subtotal_incl_tax - items_incl,
            o.order_subtotal_excl_tax - items_excl,
        ),
        None => (Decimal::ZERO, Decimal::ZERO),
    };
    let allowance = stored_rounding(o.items.len());
    let has_options = options_incl.abs() > allowance || options_excl.abs() > allowance;
    let options_rate = if has_options {
        snap(
            cx,
            options_incl,
            options_excl,
            &|| "CheckoutAttributeDescription".into(),
            &|| "The checkout options (the subtotal less the items)".into(),
        )
    } else {
        Decimal::ZERO
    };
    if !has_options {
        for (sum, stated, path, what) in [
            (
                items_incl,
                o.order_subtotal_incl_tax,
                "OrderSubtotalInclTax",
                "including",
            ),
            (
                items_excl,
                o.order_subtotal_excl_tax,
                "OrderSubtotalExclTax",
                "excluding",
            ),
        ] {
            if (sum - stated).abs() > allowance {
                cx.errors.push(ValidationError::new(
                    ErrorCode::TotalsMismatch,
                    path,
                    format!(
                        "The items add up to {sum} {what} VAT, but the order subtotal is {stated}: {} apart, more than nopCommerce's rounding ({allowance}). (Priced checkout attributes are only counted when CheckoutAttributeDescription names them.)",
                        (stated - sum).abs()
                    ),
                ));
            }
        }
    }

    // Shipping and the payment fee, each at the rate its own amounts show.
    let shipping = !o.order_shipping_incl_tax.is_zero() || !o.order_shipping_excl_tax.is_zero();
    let shipping_rate = if shipping {
        snap(
            cx,
            o.order_shipping_incl_tax,
            o.order_shipping_excl_tax,
            &|| "OrderShippingInclTax".into(),
            &|| "The shipping".into(),
        )
    } else {
        Decimal::ZERO
    };
    let fee_incl = o.payment_method_additional_fee_incl_tax;
    let fee_excl = o.payment_method_additional_fee_excl_tax;
    let payment_discount = if fee_excl < Decimal::ZERO || fee_incl < Decimal::ZERO {
        -fee_excl.min(Decimal::ZERO)
    } else {
        Decimal::ZERO
    };
    let fee = payment_discount.is_zero() && (!fee_incl.is_zero() || !fee_excl.is_zero());
    let fee_rate = if fee {
        snap(
            cx,
            fee_incl,
            fee_excl,
            &|| "PaymentMethodAdditionalFeeInclTax".into(),
            &|| "The payment method fee".into(),
        )
    } else {
        Decimal::ZERO
    };

    // Zero-rated B2B: a business outside the home country with a VAT number, charged no VAT.
    let foreign_business = vat_number.is_some()
        && !billing_country.is_empty()
        && billing_country != cx.rules.home_country;
    let vat_charged = treatments.iter().any(|t| !t.rate.is_zero())
        || (shipping && !shipping_rate.is_zero())
        || (fee && !fee_rate.is_zero())
        || (has_options && !options_rate.is_zero());
    let zero_rated_b2b = foreign_business && !vat_charged;
    if foreign_business && vat_charged {
        cx.warnings.push(Warning::new(
            WarningCode::VatChargedDespiteVatNumber,
            Some("VatNumber"),
            format!(
                "The order has the VAT number {} from {billing_country}, but VAT was charged; the invoice shows the VAT as charged.",
                vat_number.unwrap_or_default()
            ),
        ));
    }
    let nominals = &cx.rules.nominals;
    let sales_nominal = (zero_rated_b2b && is_eu_country(billing_country))
        .then_some(nominals.eu_b2b_sales)
        .flatten()
        .unwrap_or(nominals.sales);

    let mut charges = Vec::with_capacity(o.items.len() + 8);
    for (i, (sku, treatment)) in skus.into_iter().zip(treatments).enumerate() {
        let it = &o.items[i];
        let mut description = clean_text(Some(&it.name))
            .or_else(|| sku.clone())
            .unwrap_or_else(|| format!("Item {}", i + 1));
        if let Some(attrs) = html_to_text(it.attribute_description.as_deref()) {
            description = format!("{description} ({attrs})");
        }
        let description = fit_lazy(
            description,
            limits::LINE_DESCRIPTION,
            &|| format!("Items[{i}].Name"),
            &mut cx.warnings,
        );
        let nominal = sku
            .as_ref()
            .and_then(|s| nominals.sku_overrides.get(s).copied())
            .unwrap_or(sales_nominal);
        charges.push(Charge {
            kind: LineKind::Product,
            description,
            treatment,
            quantity: it.quantity,
            net: it.price_excl_tax,
            tax: it.price_incl_tax - it.price_excl_tax,
            unit_net: Some(it.unit_price_excl_tax),
            nominal,
            product_code: sku.as_deref().map(|s| cx.rules.product_code(s)),
            sku,
            source: Some(format!("Items[{i}]")),
        });
    }
    if has_options {
        let text = format!("Checkout options: {}", options_text.unwrap_or_default());
        charges.push(Charge {
            kind: LineKind::CheckoutOptions,
            description: fit(
                text,
                limits::LINE_DESCRIPTION,
                "CheckoutAttributeDescription",
                &mut cx.warnings,
            ),
            treatment: Treatment {
                exempt: false,
                rate: options_rate,
            },
            quantity: 1,
            net: options_excl,
            tax: options_incl - options_excl,
            unit_net: None,
            nominal: sales_nominal,
            product_code: None,
            sku: None,
            source: Some("CheckoutAttributeDescription".into()),
        });
    }
    let items_net = charges.iter().map(|c| c.net).sum();
    if shipping {
        let description = match clean_text(o.shipping_method.as_deref()) {
            Some(m) => format!("Shipping: {m}"),
            None => "Shipping".to_string(),
        };
        charges.push(Charge {
            kind: LineKind::Shipping,
            description: fit(
                description,
                limits::LINE_DESCRIPTION,
                "ShippingMethod",
                &mut cx.warnings,
            ),
            treatment: Treatment {
                exempt: false,
                rate: shipping_rate,
            },
            quantity: 1,
            net: o.order_shipping_excl_tax,
            // nopCommerce clamps a charge's tax at zero.
            tax: (o.order_shipping_incl_tax - o.order_shipping_excl_tax).max(Decimal::ZERO),
            unit_net: None,
            nominal: nominals.shipping,
            product_code: None,
            sku: None,
            source: Some("OrderShippingInclTax".into()),
        });
    }
    if fee {
        charges.push(Charge {
            kind: LineKind::PaymentFee,
            description: "Payment method fee".into(),
            treatment: Treatment {
                exempt: false,
                rate: fee_rate,
            },
            quantity: 1,
            net: fee_excl,
            tax: (fee_incl - fee_excl).max(Decimal::ZERO),
            unit_net: None,
            nominal: nominals.payment_fee,
            product_code: None,
            sku: None,
            source: Some("PaymentMethodAdditionalFeeInclTax".into()),
        });
    }
    Charges {
        list: charges,
        items_net,
        payment_discount,
        zero_rated_b2b,
        sales_nominal,
        billing_country: billing_country.to_string(),
    }
}
