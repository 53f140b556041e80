//! Snapshot + rules → canonical invoice, as a sequence of named steps, one per concern (each
//! step's module says what it owns). Every problem found is collected and returned together;
//! the steps stop early only where the next one needs what an earlier one checked.
//!
//! The result reproduces, per VAT rate, the net and VAT nopCommerce charged (see `figures`),
//! posted as KashFlow lines that KashFlow itself computes to those figures (see `posting`).

use chrono::Days;

use crate::money::money2;
use crate::order::{OrderSnapshot, ValidationErrors};

use super::buyer;
use super::canonical::{CanonicalCurrency, CanonicalInvoice, CanonicalLine, LineKind};
use super::charges::{self, Charges};
use super::context::Cx;
use super::figures;
use super::lines;
use super::order_checks;
use super::payments::{self, london_date};
use super::rules::MappingRules;
use super::text::limits;
use super::warnings::{Warning, WarningCode};

/// A mapped order: the canonical invoice and what the admin should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedOrder {
    pub invoice: CanonicalInvoice,
    pub warnings: Vec<Warning>,
}

/// Map a parsed snapshot to the canonical invoice. Returns every problem found.
pub fn map_order(
    order: &OrderSnapshot,
    rules: &MappingRules,
) -> Result<MappedOrder, ValidationErrors> {
    rules.validate()?;
    let mut cx = Cx::new(order, rules);

    // 1. The order as a whole: identity, dates and status, currency, amounts in range.
    let identity = order_checks::identity(&mut cx);
    order_checks::dates_and_status(&mut cx);
    let (invoice_currency, factor) = order_checks::currency(&mut cx);
    let amounts_ok = order_checks::amounts(&mut cx);
    let tax_rates = figures::read_tax_rates(&mut cx);
    charges::refuse_sku_less_items(&mut cx);

    // 2. Who it is for, and how the customer pays.
    let customer = buyer::customer(&mut cx);
    let order_payment = payments::order_payment_mapping(&mut cx);
    if !amounts_ok {
        return Err(cx.checkpoint().unwrap_err());
    }

    // 3. What was charged, at which VAT rate.
    let billing_country = customer
        .address
        .as_ref()
        .and_then(|a| a.country_code.clone())
        .unwrap_or_default();
    let mut charges = charges::collect(&mut cx, &billing_country, customer.vat_number.as_deref());

    // 4. The figures per rate, checked against the order's own totals and TaxRates.
    let figures = tax_rates.and_then(|t| figures::work_out(&mut cx, &mut charges, &t));
    cx.checkpoint()?;
    let figures = figures.expect("figures come back whenever no problem was found");

    // 5. The lines, in the invoice currency, to exactly those figures.
    let gross = payments::invoice_gross(&cx, factor);
    let Charges {
        list,
        zero_rated_b2b,
        sales_nominal,
        billing_country,
        ..
    } = charges;
    let lines::Posted {
        lines: mut invoice_lines,
        net_total,
        vat_total,
    } = lines::post(list, &figures, factor, gross, rules.nominals.rounding)?;
    if zero_rated_b2b {
        zero_rated_note(
            &mut cx,
            &mut invoice_lines,
            &customer.vat_number,
            &billing_country,
            sales_nominal,
        );
    }

    // 6. Payments, dates, and the invoice.
    let payments = payments::payments(
        &mut cx,
        factor,
        &identity.custom_order_number,
        order_payment,
    );
    let issued_date = london_date(order.created_on_utc);
    let due_days = if order.payment_status.was_paid() {
        rules.due_days.paid
    } else {
        rules.due_days.unpaid
    };
    let due_date = issued_date
        .checked_add_days(Days::new(u64::from(due_days)))
        .unwrap_or(issued_date);
    // Never cut: the engine finds an order's invoice by its reference, so two orders must never
    // share a shortened one.
    let customer_reference = rules.customer_reference(order);
    if customer_reference.chars().count() > limits::CUSTOMER_REFERENCE {
        cx.errors.push(crate::order::ValidationError::new(
            crate::order::ErrorCode::InvalidRules,
            "Rules.CustomerReferenceTemplate",
            format!(
                "The customer reference for this order would be {} characters; KashFlow keeps {}. Shorten the customer reference template.",
                customer_reference.chars().count(),
                limits::CUSTOMER_REFERENCE
            ),
        ));
    }
    cx.checkpoint()?;
    let invoice = CanonicalInvoice {
        order_id: order.id,
        custom_order_number: identity.custom_order_number,
        order_guid: identity.order_guid,
        store_id: order.store_id,
        invoice_number: identity.invoice_number,
        customer_reference,
        issued_date,
        due_date,
        currency: CanonicalCurrency {
            code: invoice_currency,
            exchange_rate: factor,
        },
        customer,
        lines: invoice_lines,
        net_total: money2(net_total),
        vat_total: money2(vat_total),
        gross_total: money2(gross),
        payments,
    };
    Ok(MappedOrder {
        invoice,
        warnings: cx.warnings,
    })
}

/// A VAT-registered business outside the home country charged no VAT: a warning, and (when the
/// rules ask for it) a description-only line naming its VAT number — evidence for the zero rate.
fn zero_rated_note(
    cx: &mut Cx,
    lines: &mut Vec<CanonicalLine>,
    vat_number: &Option<String>,
    country: &str,
    nominal: i64,
) {
    let number = vat_number.clone().unwrap_or_default();
    cx.warnings.push(Warning::new(
        WarningCode::ZeroRatedB2b,
        Some("VatNumber"),
        format!(
            "Invoiced without VAT to a VAT-registered business in {country} (VAT number {number}): posted zero-rated."
        ),
    ));
    if cx.rules.vat.zero_rated_b2b_note {
        lines.push(CanonicalLine {
            kind: LineKind::Note,
            description: format!(
                "Zero-rated supply to a VAT-registered business in {country}, customer VAT number {number}"
            ),
            quantity: rust_decimal::Decimal::ONE,
            rate: money2(rust_decimal::Decimal::ZERO),
            vat_rate: rust_decimal::Decimal::ZERO,
            vat_amount: money2(rust_decimal::Decimal::ZERO),
            vat_exempt: false,
            nominal_code: nominal,
            product_code: None,
            sku: None,
            source: Some("VatNumber".into()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

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
}
