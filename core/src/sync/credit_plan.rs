//! What a credit note credits, worked out from the invoice **as KashFlow holds it** (its lines,
//! VAT rates, nominals and currency) and the order's earlier credit notes — never by mapping the
//! order again, so it stays right whatever the mapping rules did or do now. Pure: no I/O.
//!
//! - **Everything** (a full refund, a cancellation, a void) with no earlier credit note: the
//!   invoice line by line (same quantity, rate, VAT level, VAT, nominal), so the credit note's
//!   gross is exactly the invoice's. Product codes are kept only when the goods come back into
//!   stock (`restock`), since KashFlow moves stock for product lines on a credit note too.
//! - **An amount** (a partial refund), or everything after earlier credit notes: spread over the
//!   invoice's VAT rates in proportion to what each rate still has to credit (gross), to the
//!   penny (largest remainder), then each rate's share split into net and VAT at that rate. The
//!   lines' net + VAT add up to the amount exactly. Each rate is posted to the nominal of its
//!   largest line, without a product code (no stock moves).
//! - Credits can never exceed the invoice: an amount above what is left is refused.

use rust_decimal::Decimal;

use crate::kashflow::credit_note::credit_line;
use crate::kashflow::model::{Invoice, LineItem};
use crate::money::round_money;

/// What to credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Everything the invoice still has; `restock`: keep product codes (stock comes back).
    Everything { restock: bool },
    /// This amount (gross, invoice currency).
    Amount(Decimal),
}

/// What an itemised credit note credits: these invoice lines (1-based) and quantities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Items {
    pub lines: Vec<(u32, Decimal)>,
    /// Keep product codes: the goods come back into stock.
    pub restock: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// Earlier credit notes already credit the whole invoice.
    NothingLeft,
    /// The amount asked is more than the invoice has left to credit.
    Exceeds { asked: Decimal, left: Decimal },
    /// An itemised line that is not on the invoice, or more of it than was invoiced.
    BadItem(String),
}

/// The credit note's lines and its total (gross, positive).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub lines: Vec<LineItem>,
    pub total: Decimal,
    /// True when the lines mirror the invoice line by line.
    pub line_by_line: bool,
}

fn line_gross(l: &LineItem) -> Decimal {
    round_money(l.quantity * l.rate) + l.vat_amount
}

/// What each VAT rate of the invoice still has to credit.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLeft {
    pub vat_level: Decimal,
    pub vat_exempt: bool,
    pub nominal_code: i64,
    pub invoiced: Decimal,
    pub credited: Decimal,
}

impl RateLeft {
    pub fn left(&self) -> Decimal {
        self.invoiced - self.credited
    }
}

/// Per VAT rate (in the invoice's line order): invoiced gross and what earlier credit notes took.
pub fn rates_left(invoice: &Invoice, earlier: &[Invoice]) -> Vec<RateLeft> {
    let mut out: Vec<(RateLeft, Decimal)> = Vec::new();
    for l in invoice.line_items.as_deref().unwrap_or_default() {
        let g = line_gross(l);
        match out
            .iter_mut()
            .find(|(r, _)| r.vat_level == l.vat_level && r.vat_exempt == l.vat_exempt)
        {
            Some((r, best)) => {
                r.invoiced += g;
                if g > *best {
                    *best = g;
                    r.nominal_code = l.nominal_code;
                }
            }
            None => out.push((
                RateLeft {
                    vat_level: l.vat_level,
                    vat_exempt: l.vat_exempt,
                    nominal_code: l.nominal_code,
                    invoiced: g,
                    credited: Decimal::ZERO,
                },
                g,
            )),
        }
    }
    for cn in earlier {
        for l in cn.line_items.as_deref().unwrap_or_default() {
            if let Some((r, _)) = out
                .iter_mut()
                .find(|(r, _)| r.vat_level == l.vat_level && r.vat_exempt == l.vat_exempt)
            {
                r.credited -= line_gross(l);
            }
        }
    }
    out.into_iter().map(|(r, _)| r).collect()
}

/// The invoice line by line, as a credit.
fn mirror(invoice: &Invoice, restock: bool) -> Vec<LineItem> {
    invoice
        .line_items
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let sign = if l.quantity < Decimal::ZERO {
                Decimal::NEGATIVE_ONE
            } else {
                Decimal::ONE
            };
            credit_line(
                &l.description,
                l.quantity.abs(),
                l.rate * sign,
                l.vat_level,
                l.vat_amount * sign,
                l.vat_exempt,
                l.nominal_code,
                if restock {
                    l.product_code.clone()
                } else {
                    None
                },
            )
        })
        .collect()
}

/// Split `amount` over `weights` (all > 0) in proportion, to the penny, adding up exactly.
pub fn spread_pennies(amount: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let total: Decimal = weights.iter().copied().sum();
    if weights.is_empty() || total <= Decimal::ZERO {
        return Vec::new();
    }
    let cent = Decimal::new(1, 2);
    let mut shares: Vec<(Decimal, Decimal)> = weights
        .iter()
        .map(|w| {
            let raw = amount * *w / total;
            let floor = (raw / cent).floor() * cent;
            (floor, raw - floor)
        })
        .collect();
    let mut left = amount - shares.iter().map(|(f, _)| *f).sum::<Decimal>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    // Largest remainder first; ties go to the earlier rate (stable sort).
    order.sort_by(|a, b| shares[*b].1.cmp(&shares[*a].1));
    let mut i = 0;
    while left >= cent && !order.is_empty() {
        shares[order[i % order.len()]].0 += cent;
        left -= cent;
        i += 1;
    }
    shares.into_iter().map(|(f, _)| f).collect()
}

/// Net and VAT of a gross `share` at `level` % (VAT = share − net, so they add up exactly).
pub fn split_gross(share: Decimal, level: Decimal, exempt: bool) -> (Decimal, Decimal) {
    if exempt || level.is_zero() {
        return (share, Decimal::ZERO);
    }
    let net = round_money(share * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + level));
    (net, share - net)
}

fn spread(amount: Decimal, rates: &[RateLeft], description: &str) -> Vec<LineItem> {
    let open: Vec<&RateLeft> = rates.iter().filter(|r| r.left() > Decimal::ZERO).collect();
    let weights: Vec<Decimal> = open.iter().map(|r| r.left()).collect();
    spread_pennies(amount, &weights)
        .into_iter()
        .zip(open)
        .filter(|(share, _)| !share.is_zero())
        .map(|(share, r)| {
            let (net, vat) = split_gross(share, r.vat_level, r.vat_exempt);
            let text = if r.vat_exempt {
                format!("{description} (no VAT)")
            } else {
                format!("{description} ({}% VAT)", r.vat_level.normalize())
            };
            credit_line(
                &text,
                Decimal::ONE,
                net,
                r.vat_level,
                vat,
                r.vat_exempt,
                r.nominal_code,
                None,
            )
        })
        .collect()
}

/// An itemised credit note: each chosen invoice line at its rate, VAT level and nominal, for the
/// quantity chosen (VAT worked out for that quantity, as KashFlow does); never more than the line
/// had, nor more than the invoice has left.
pub fn plan_items(
    invoice: &Invoice,
    earlier: &[Invoice],
    items: &Items,
) -> Result<Plan, PlanError> {
    let lines = invoice.line_items.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(items.lines.len());
    for (n, quantity) in &items.lines {
        let l = lines.get((*n as usize).wrapping_sub(1)).ok_or_else(|| {
            PlanError::BadItem(format!(
                "line {n} is not on the invoice (it has {})",
                lines.len()
            ))
        })?;
        if *quantity <= Decimal::ZERO || *quantity > l.quantity.abs() {
            return Err(PlanError::BadItem(format!(
                "line {n} ({}) was invoiced {} times; {quantity} cannot be credited",
                l.description,
                l.quantity.abs().normalize()
            )));
        }
        let unit = if l.quantity < Decimal::ZERO {
            -l.rate
        } else {
            l.rate
        };
        let vat = if l.vat_exempt {
            Decimal::ZERO
        } else {
            round_money(*quantity * unit * l.vat_level / Decimal::ONE_HUNDRED)
        };
        out.push(credit_line(
            &l.description,
            *quantity,
            unit,
            l.vat_level,
            vat,
            l.vat_exempt,
            l.nominal_code,
            if items.restock {
                l.product_code.clone()
            } else {
                None
            },
        ));
    }
    if out.is_empty() {
        return Err(PlanError::BadItem("no line was chosen".into()));
    }
    let total = -out.iter().map(line_gross).sum::<Decimal>();
    let left: Decimal = rates_left(invoice, earlier)
        .iter()
        .map(RateLeft::left)
        .sum();
    if total > left {
        return Err(PlanError::Exceeds { asked: total, left });
    }
    Ok(Plan {
        lines: out,
        total,
        line_by_line: false,
    })
}

/// Work out the credit note. `description` names the lines of a spread credit ("Refund").
pub fn plan(
    invoice: &Invoice,
    earlier: &[Invoice],
    want: Want,
    description: &str,
) -> Result<Plan, PlanError> {
    let rates = rates_left(invoice, earlier);
    // What the invoice as a whole has left (a gift-card or discount rate counts against it).
    let left: Decimal = rates.iter().map(RateLeft::left).sum();
    let total_of =
        |lines: &[LineItem]| -> Decimal { -lines.iter().map(line_gross).sum::<Decimal>() };
    match want {
        Want::Everything { restock } if earlier.is_empty() => {
            let lines = mirror(invoice, restock);
            let total = total_of(&lines);
            if total <= Decimal::ZERO {
                return Err(PlanError::NothingLeft);
            }
            Ok(Plan {
                lines,
                total,
                line_by_line: true,
            })
        }
        Want::Everything { .. } => {
            if left <= Decimal::ZERO {
                return Err(PlanError::NothingLeft);
            }
            let lines = spread(left, &rates, description);
            Ok(Plan {
                total: total_of(&lines),
                lines,
                line_by_line: false,
            })
        }
        Want::Amount(asked) => {
            if left <= Decimal::ZERO {
                return Err(PlanError::NothingLeft);
            }
            if asked > left {
                return Err(PlanError::Exceeds { asked, left });
            }
            let lines = spread(asked, &rates, description);
            Ok(Plan {
                total: total_of(&lines),
                lines,
                line_by_line: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn line(q: &str, rate: &str, level: &str, vat: &str, nominal: i64) -> LineItem {
        LineItem {
            description: "x".into(),
            quantity: d(q),
            rate: d(rate),
            vat_level: d(level),
            vat_amount: d(vat),
            nominal_code: nominal,
            ..LineItem::default()
        }
    }

    fn invoice(lines: Vec<LineItem>) -> Invoice {
        Invoice {
            line_items: Some(lines),
            ..Invoice::default()
        }
    }

    #[test]
    fn pennies_add_up_and_follow_the_weights() {
        let s = spread_pennies(d("10.00"), &[d("1"), d("1"), d("1")]);
        assert_eq!(s, vec![d("3.34"), d("3.33"), d("3.33")]);
        assert_eq!(s.iter().copied().sum::<Decimal>(), d("10.00"));
        let s = spread_pennies(d("0.01"), &[d("100"), d("1")]);
        assert_eq!(s, vec![d("0.01"), d("0.00")]);
    }

    #[test]
    fn a_partial_refund_over_two_rates_is_exact_per_rate() {
        // 20% line gross 120.00, 5% line gross 21.00, 0% line 9.00: total 150.00.
        let inv = invoice(vec![
            line("1", "100.00", "20", "20.00", 4000),
            line("2", "10.00", "5", "1.00", 4001),
            line("1", "9.00", "0", "0.00", 4000),
        ]);
        let p = plan(&inv, &[], Want::Amount(d("50.00")), "Refund").unwrap();
        assert_eq!(p.total, d("50.00"));
        // shares 40.00 / 7.00 / 3.00; 40.00 = 33.33 + 6.67; 7.00 = 6.67 + 0.33
        let got: Vec<(Decimal, Decimal, Decimal)> = p
            .lines
            .iter()
            .map(|l| (l.vat_level, -l.rate, -l.vat_amount))
            .collect();
        assert_eq!(
            got,
            vec![
                (d("20"), d("33.33"), d("6.67")),
                (d("5"), d("6.67"), d("0.33")),
                (d("0"), d("3.00"), d("0.00")),
            ]
        );
        assert_eq!(p.lines[1].nominal_code, 4001);
        assert!(p.lines.iter().all(|l| l.product_code.is_none()));
    }

    #[test]
    fn refunds_cannot_exceed_the_invoice() {
        let inv = invoice(vec![line("1", "10.00", "20", "2.00", 4000)]);
        let first = plan(&inv, &[], Want::Amount(d("10.00")), "Refund").unwrap();
        let cn = invoice(first.lines.clone());
        assert_eq!(
            plan(
                &inv,
                std::slice::from_ref(&cn),
                Want::Amount(d("2.01")),
                "Refund"
            ),
            Err(PlanError::Exceeds {
                asked: d("2.01"),
                left: d("2.00")
            })
        );
        let rest = plan(
            &inv,
            std::slice::from_ref(&cn),
            Want::Everything { restock: true },
            "Refund",
        )
        .unwrap();
        assert_eq!(rest.total, d("2.00"));
        let done = invoice(rest.lines);
        assert_eq!(
            plan(
                &inv,
                &[cn, done],
                Want::Everything { restock: true },
                "Refund"
            ),
            Err(PlanError::NothingLeft)
        );
    }

    #[test]
    fn itemised_lines_credit_the_chosen_quantities_at_the_invoice_rates() {
        let mut mug = line("3", "8.33", "20", "5.00", 4000);
        mug.product_code = Some("MUG".into());
        let tea = line("2", "7.50", "0", "0.00", 4000);
        let inv = invoice(vec![mug, tea]);
        let items = Items {
            lines: vec![(1, d("1")), (2, d("2"))],
            restock: true,
        };
        let p = plan_items(&inv, &[], &items).unwrap();
        // 8.33 + VAT round(1.666) = 1.67 → 10.00; 2 × 7.50 = 15.00
        assert_eq!(p.total, d("25.00"));
        assert_eq!(p.lines[0].vat_amount, d("-1.67"));
        assert_eq!(p.lines[0].product_code.as_deref(), Some("MUG"));
        let too_many = Items {
            lines: vec![(2, d("3"))],
            restock: false,
        };
        assert!(matches!(
            plan_items(&inv, &[], &too_many),
            Err(PlanError::BadItem(_))
        ));
        let no_line = Items {
            lines: vec![(3, d("1"))],
            restock: false,
        };
        assert!(matches!(
            plan_items(&inv, &[], &no_line),
            Err(PlanError::BadItem(_))
        ));
        // after the whole invoice was credited nothing more can be itemised
        let all = plan(&inv, &[], Want::Everything { restock: false }, "x").unwrap();
        assert!(matches!(
            plan_items(&inv, &[invoice(all.lines)], &items),
            Err(PlanError::Exceeds { .. })
        ));
    }

    #[test]
    fn everything_mirrors_the_invoice_line_by_line() {
        let mut product = line("3", "4.17", "20", "2.50", 4000);
        product.product_code = Some("MUG".into());
        let discount = line("1", "-2.00", "20", "-0.40", 4000);
        let inv = invoice(vec![product, discount]);
        let p = plan(&inv, &[], Want::Everything { restock: false }, "Refund").unwrap();
        assert!(p.line_by_line);
        assert_eq!(p.total, d("12.61"));
        assert_eq!(p.lines[0].quantity, d("3"));
        assert_eq!(p.lines[0].rate, d("-4.17"));
        assert_eq!(p.lines[0].product_code, None);
        assert_eq!(p.lines[1].rate, d("2.00"));
        let r = plan(&inv, &[], Want::Everything { restock: true }, "Refund").unwrap();
        assert_eq!(r.lines[0].product_code.as_deref(), Some("MUG"));
    }
}
