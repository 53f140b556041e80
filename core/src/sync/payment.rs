//! Recording a payment on an order's KashFlow invoice, exactly once.
//!
//! The transport adds the payment (REST: a new `PaymentLines` element on the invoice, written back
//! with `PUT /invoices/{number}`; SOAP: `InsertInvoicePayment`). We read the invoice ourselves
//! because we need it anyway: before adding, the invoice's existing
//! payment lines are checked for this payment (same amount, a note naming this order's payment),
//! so a retry after an unanswered PUT — or the `OrderPaid` nopCommerce raises right after placing
//! an order that was already paid (and whose payment went in with the invoice) — never records it
//! twice. A fully paid invoice takes no further payment.
//!
//! A payment for an order whose invoice does not exist yet waits (the engine wakes it when the
//! invoice is recorded) instead of failing.

use crate::mapping::text::quote;
use rust_decimal::Decimal;

use crate::engine::{JobContext, JobDone, OrderInfo, OutcomeSpec, PaymentEvent};
use crate::kashflow::error::FailureClass;
use crate::kashflow::model::{Invoice, PaymentLine};
use crate::kashflow::wire::KfDateTime;
use crate::mapping::canonical::PaymentKind;
use crate::mapping::london_date;
use crate::mapping::payments::payment_note_prefix;
use crate::mapping::rules::{MappingRules, PaymentMapping};
use crate::money::money2;
use crate::order::{parse_snapshot, ErrorCode, OrderSnapshot, ValidationError, ValidationErrors};

use super::connection::Connection;
use super::failure::Failure;
use super::invoice::read_invoice;
use super::trace::traced_op;
use crate::kashflow::transport::Op;

/// The note every customer payment we record carries: "nopCommerce order 1001 paid by
/// Payments.Manual". The same words as the mapping uses for a payment made at placement
/// (`payment_note_prefix`), so either is recognised.
pub fn payment_note(custom_order_number: &str, method: &str) -> String {
    format!(
        "{} by {}",
        payment_note_prefix(PaymentKind::Order, custom_order_number),
        method.trim()
    )
}

/// Whether `line` is a payment we recorded with this note prefix and amount.
fn is_ours(line: &PaymentLine, prefix: &str, amount: Decimal) -> bool {
    line.amount == amount
        && line.note.as_deref().is_some_and(|n| {
            let n = n.trim_start();
            // "… gift card 1" must not be taken for "… gift card 10".
            n.starts_with(prefix)
                && n[prefix.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_digit())
        })
}

/// Add `line` to `invoice` unless a payment with its note prefix and amount is already there.
/// Returns whether a payment was added.
pub async fn ensure_payment(
    ctx: &JobContext<'_>,
    conn: &Connection,
    number: i64,
    mut invoice: Invoice,
    line: PaymentLine,
    prefix: &str,
) -> Result<bool, Failure> {
    if invoice
        .payment_lines
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|l| is_ours(l, prefix, line.amount))
    {
        return Ok(false);
    }
    let amount = line.amount;
    invoice.number = Some(number);
    let doing = format!("recording a payment on invoice {number}");
    match traced_op(
        ctx,
        conn,
        Op::AddPayment(number),
        conn.transport.add_payment(&invoice, &line),
    )
    .await
    {
        Ok(_) => Ok(true),
        // The answer was lost: look now whether the payment is on the invoice.
        Err(e) if e.class() == FailureClass::OutcomeUnknown => {
            match read_invoice(ctx, conn, number).await {
                Ok(Some(after))
                    if after
                        .payment_lines
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .any(|l| is_ours(l, prefix, amount)) =>
                {
                    Ok(true)
                }
                Ok(_) => Err(Failure::NotApplied { doing, error: e }),
                Err(_) => Err(Failure::kf(doing, e)),
            }
        }
        Err(e) => Err(Failure::kf(doing, e)),
    }
}

/// The amount in the invoice's currency. nopCommerce reports payments in the primary store
/// currency; they are converted at the invoice's rate and rounded as nopCommerce shows the
/// customer their total (`round(amount × rate)`) — which is how the mapping worked out the
/// invoice's gross, so the order total settles the invoice to the penny.
fn amount_in_invoice_currency(paid: Decimal, invoice: &Invoice, home_currency: &str) -> Decimal {
    let foreign = invoice
        .currency
        .as_ref()
        .is_some_and(|c| !c.code.is_empty() && !c.code.eq_ignore_ascii_case(home_currency));
    if !foreign {
        return money2(paid);
    }
    let rate = invoice
        .currency
        .as_ref()
        .map(|c| c.exchange_rate)
        .filter(|r| *r > Decimal::ZERO)
        .unwrap_or(Decimal::ONE);
    money2(paid * rate)
}

/// The order's payment method — the event's, else the snapshot's — and its KashFlow payment method
/// and bank account. When the rules lack it: an `UnmappedPaymentMethod` failure, `consequence`
/// saying what could not be recorded (e.g. ", so the refund cannot be recorded on credit note 7").
pub fn mapped_payment_method(
    rules: &MappingRules,
    from_event: Option<&str>,
    snapshot: Option<&OrderSnapshot>,
    consequence: &str,
) -> Result<(String, PaymentMapping), Failure> {
    let method = from_event
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string)
        .or_else(|| snapshot.map(|s| s.payment_method_system_name.clone()))
        .unwrap_or_default();
    match rules.payment_mapping(&method) {
        Some(mapping) => Ok((method, mapping)),
        None => Err(Failure::Invalid(ValidationErrors::one(ValidationError::new(
            ErrorCode::UnmappedPaymentMethod,
            "PaymentMethodSystemName",
            format!(
                "The payment method '{}' has no KashFlow payment method and bank account in the mapping rules{consequence}; add it, then retry.",
                quote(&method)
            ),
        )))),
    }
}

/// Run a `RecordPayment` job.
pub async fn record_payment(
    ctx: &JobContext<'_>,
    conn: &Connection,
    rules: &MappingRules,
    order: &OrderInfo,
    event: &PaymentEvent,
) -> Result<JobDone, Failure> {
    let Some(number) = order.invoice_number else {
        return Err(Failure::Wait {
            reason: format!(
                "the payment waits for order {}'s KashFlow invoice",
                order.order_id
            ),
            recheck_after: None,
        });
    };
    let snapshot = order
        .snapshot_json
        .as_deref()
        .and_then(|s| parse_snapshot(s).ok());
    let custom_order_number = order
        .custom_order_number
        .clone()
        .or_else(|| snapshot.as_ref().map(|s| s.custom_order_number.clone()))
        .unwrap_or_else(|| order.order_id.to_string());
    let (method, mapping) = mapped_payment_method(
        rules,
        event.payment_method_system_name.as_deref(),
        snapshot.as_ref(),
        "",
    )?;

    let invoice = read_invoice(ctx, conn, number)
    .await
    .map_err(|e| Failure::kf(format!("reading invoice {number}"), e))?
    .ok_or_else(|| {
        Failure::dead(
            "InvoiceMissing",
            format!(
                "KashFlow invoice {number} (order {}) no longer exists, so the payment cannot be recorded on it.",
                order.order_id
            ),
        )
    })?;

    let amount = amount_in_invoice_currency(event.amount, &invoice, &rules.currency.home_currency);
    let mut done = JobDone {
        invoice_number: Some(number),
        ..Default::default()
    };
    let line = PaymentLine {
        id: None,
        date: Some(KfDateTime::from_date(london_date(event.paid_date_utc))),
        amount,
        method: mapping.method_id,
        account_id: mapping.bank_account_id,
        note: Some(payment_note(&custom_order_number, &method)),
        ..PaymentLine::default()
    };
    let prefix = payment_note_prefix(PaymentKind::Order, &custom_order_number);
    let already_ours = invoice
        .payment_lines
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|l| is_ours(l, &prefix, amount));
    let settled = invoice.due_amount.is_some_and(|d| d <= Decimal::ZERO)
        && invoice.gross_amount.is_some_and(|g| g > Decimal::ZERO);
    if already_ours || settled {
        done.message = Some(format!(
            "payment of {amount} for order {} was already on KashFlow invoice {number}",
            order.order_id
        ));
        return Ok(done);
    }
    let due = invoice.due_amount.filter(|d| *d > Decimal::ZERO);
    if let Some(due) = due {
        if amount > due {
            return Err(Failure::dead(
                "PaymentExceedsInvoice",
                format!(
                    "The payment of {amount} for order {} is more than the {due} still owed on KashFlow invoice {number}; record it by hand if it is right.",
                    order.order_id
                ),
            ));
        }
    }
    ensure_payment(ctx, conn, number, invoice, line, &prefix).await?;
    done.message = Some(format!(
        "payment of {amount} recorded on KashFlow invoice {number}"
    ));
    done.outcomes.push(OutcomeSpec::AddOrderNote {
        order_id: order.order_id,
        note: format!("KashFlow payment of {amount} recorded on invoice {number}"),
        invoice_number: Some(number),
        error_code: None,
    });
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kashflow::model::InvoiceCurrency;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn our_payment_is_recognised_by_amount_and_note() {
        let l = PaymentLine {
            amount: d("12.50"),
            note: Some(payment_note("1001", "Payments.Manual")),
            ..Default::default()
        };
        let ours = payment_note_prefix(PaymentKind::Order, "1001");
        assert!(is_ours(&l, &ours, d("12.5")));
        assert!(!is_ours(&l, &ours, d("12.49")));
        assert!(!is_ours(
            &l,
            &payment_note_prefix(PaymentKind::Order, "10011"),
            d("12.50")
        ));
        assert!(!is_ours(
            &l,
            &payment_note_prefix(PaymentKind::GiftCard, "1001"),
            d("12.50")
        ));
        let card = PaymentLine {
            amount: d("5.00"),
            note: Some("nopCommerce order 1001 gift card 10".into()),
            ..Default::default()
        };
        assert!(!is_ours(
            &card,
            "nopCommerce order 1001 gift card 1",
            d("5.00")
        ));
        assert!(is_ours(
            &card,
            "nopCommerce order 1001 gift card 10",
            d("5.00")
        ));
    }

    #[test]
    fn foreign_invoices_are_paid_in_their_currency() {
        let eur = Invoice {
            currency: Some(InvoiceCurrency {
                code: "EUR".into(),
                exchange_rate: d("1.15"),
                ..Default::default()
            }),
            gross_amount: Some(d("23.00")),
            ..Default::default()
        };
        assert_eq!(
            amount_in_invoice_currency(d("20.00"), &eur, "GBP"),
            d("23.00")
        );
        assert_eq!(
            amount_in_invoice_currency(d("10.00"), &eur, "GBP"),
            d("11.50")
        );
        assert_eq!(
            amount_in_invoice_currency(d("75.17"), &eur, "GBP"),
            d("86.45")
        );
        let gbp = Invoice::default();
        assert_eq!(
            amount_in_invoice_currency(d("10.004"), &gbp, "GBP"),
            d("10.00")
        );
    }
}
