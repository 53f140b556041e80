//! The invoice lines: the charges converted to the invoice currency and posted rate by rate so
//! that each rate's net and VAT on the KashFlow invoice are the order's (see `posting`).
//!
//! Conversion (an order in another currency): the gross is what the customer paid in their
//! currency (`round(OrderTotal × rate)`, plus each gift card or reward-point payment converted
//! the same way); each rate's VAT is converted with cumulative rounding (so the rates' VAT adds up
//! to the converted VAT total exactly); the nets take what is left, the conversion pennies going
//! to the rates whose converted net rounded furthest. No penny leaves its rate's net or VAT
//! except through that one rounding.

use rust_decimal::Decimal;

use crate::money::money2;
use crate::order::{ErrorCode, ValidationError, ValidationErrors};

use super::canonical::{CanonicalLine, LineKind};
use super::charges::Charge;
use super::figures::Figures;
use super::posting::{post_rate, settle, LineTarget, PostingError};

fn refuse(message: String) -> ValidationErrors {
    ValidationErrors::one(ValidationError::new(
        ErrorCode::TotalsMismatch,
        "OrderTotal",
        message,
    ))
}

/// Post `charges` at `factor` (invoice currency units per primary currency unit) to a gross of
/// `gross` in the invoice currency.
/// The posted lines with their net and VAT totals (as KashFlow will compute them).
pub struct Posted {
    pub lines: Vec<CanonicalLine>,
    pub net_total: Decimal,
    pub vat_total: Decimal,
}

pub fn post(
    charges: Vec<Charge>,
    figures: &Figures,
    factor: Decimal,
    gross: Decimal,
    rounding_nominal: i64,
) -> Result<Posted, ValidationErrors> {
    let (vats, nets): (Vec<Decimal>, Vec<Decimal>) = if factor == Decimal::ONE {
        figures.rates.iter().map(|r| (r.vat, r.net)).unzip()
    } else {
        let v: Vec<Decimal> = figures.rates.iter().map(|r| r.vat * factor).collect();
        let vats = settle(
            &v,
            money2(figures.rates.iter().map(|r| r.vat).sum::<Decimal>() * factor),
        );
        let net_total = gross - vats.iter().sum::<Decimal>();
        let exact: Vec<Decimal> = figures.rates.iter().map(|r| r.net * factor).collect();
        (vats, settle(&exact, net_total))
    };
    let mut posted: Vec<Option<super::posting::PostedLine>> = vec![None; charges.len()];
    let mut vat_only: Vec<CanonicalLine> = Vec::new();
    let mut indices: Vec<usize> = Vec::with_capacity(charges.len());
    let mut targets: Vec<LineTarget> = Vec::with_capacity(charges.len());
    for (k, figure) in figures.rates.iter().enumerate() {
        let t = figure.treatment;
        indices.clear();
        targets.clear();
        for (i, c) in charges.iter().enumerate() {
            if c.treatment == t {
                indices.push(i);
                targets.push(if factor == Decimal::ONE {
                    LineTarget {
                        quantity: c.quantity,
                        exact_net: c.net,
                        unit_net: c.unit_net,
                    }
                } else {
                    LineTarget {
                        quantity: c.quantity,
                        exact_net: c.net * factor,
                        unit_net: c.unit_net.map(|u| u * factor),
                    }
                });
            }
        }
        let rate = posting_rate(t.exempt, t.rate);
        let p = post_rate(&targets, rate, nets[k], vats[k]).map_err(|e| match e {
            PostingError::NetUnreachable(by) => refuse(format!(
                "The lines at {} cannot be posted to exactly {} excluding VAT: every one has a quantity above 100 and no 4-place unit price gives its amount ({by} short). Nothing was posted.",
                t.label(), nets[k]
            )),
            PostingError::VatOutOfReach(by) => refuse(format!(
                "The VAT at {}% ({}) is {by} away from what its lines' amounts give, more than posting can settle a penny a line; the order's VAT figures do not match its amounts. Nothing was posted.",
                t.rate.normalize(), vats[k]
            )),
        })?;
        for (i, line) in indices.iter().zip(p.lines) {
            posted[*i] = Some(line);
        }
        for v in p.vat_only {
            vat_only.push(CanonicalLine {
                kind: LineKind::Rounding,
                description: format!("VAT rounding at {}%", t.rate.normalize()),
                quantity: Decimal::ONE,
                rate: money2(Decimal::ZERO),
                vat_rate: t.rate,
                vat_amount: v,
                vat_exempt: false,
                nominal_code: rounding_nominal,
                product_code: None,
                sku: None,
                source: Some("TaxRates".into()),
            });
        }
    }
    let mut lines: Vec<CanonicalLine> = Vec::with_capacity(charges.len() + vat_only.len());
    let (mut net_total, mut vat_total) = (Decimal::ZERO, Decimal::ZERO);
    for (c, p) in charges.into_iter().zip(posted) {
        let Some(p) = p else { continue };
        net_total += p.net;
        vat_total += p.vat;
        lines.push(CanonicalLine {
            kind: c.kind,
            description: c.description,
            quantity: Decimal::from(p.quantity),
            rate: p.rate,
            vat_rate: c.treatment.rate,
            vat_amount: p.vat,
            vat_exempt: c.treatment.exempt,
            nominal_code: c.nominal,
            product_code: c.product_code,
            sku: c.sku,
            source: c.source,
        });
    }
    vat_total += vat_only.iter().map(|l| l.vat_amount).sum::<Decimal>();
    lines.extend(vat_only);
    let total = net_total + vat_total;
    if total != gross {
        // Cannot happen (each rate posts its exact figures); refuse rather than post it wrong.
        return Err(refuse(format!(
            "The invoice would total {total} instead of {gross}; nothing was posted."
        )));
    }
    Ok(Posted {
        lines,
        net_total,
        vat_total,
    })
}

/// The VAT rate a line is posted at: exempt lines carry none.
fn posting_rate(exempt: bool, rate: Decimal) -> Decimal {
    if exempt {
        Decimal::ZERO
    } else {
        rate
    }
}
