//! Creating an order's KashFlow invoice exactly once.
//!
//! KashFlow has no idempotency keys, so exactly-once rests on the invoice `Number`:
//! - With the deterministic number (`Offset + order Id`), KashFlow itself refuses a second invoice
//!   with that number. When an earlier attempt may have created it (the job was retried or its
//!   outcome is unknown) we first `GET /invoices/{number}`; a "duplicate number" answer to the
//!   create also leads to that GET. An invoice found there is adopted if its `CustomerReference`
//!   is this order's; otherwise the number belongs to something else and the order is
//!   dead-lettered with that reason (never posted under another number).
//! - With KashFlow's own numbering there is no key KashFlow enforces, so before creating again
//!   after an uncertain attempt we walk the invoice list looking for this order's
//!   `CustomerReference`. That costs one request per 100 invoices in the account — much slower on
//!   a large account, which is why the deterministic number is the default.
//!
//! A payment the order already had when placed travels inside the create (`PaymentLines`), so an
//! invoice and its payment are one request and can never be half-done.

use crate::engine::JobContext;
use crate::kashflow::error::{FailureClass, KfError};
use crate::kashflow::model::Invoice;
use crate::mapping::canonical::CanonicalInvoice;

use super::connection::Connection;
use super::failure::{is_duplicate, Failure};
use super::trace::traced_op;
use crate::kashflow::transport::{same_reference as same_ref, Op};

/// The invoice the order now has in KashFlow.
#[derive(Debug, Clone)]
pub struct Posted {
    pub number: i64,
    /// Found already in KashFlow (created by an earlier attempt) rather than created now.
    pub adopted: bool,
    /// KashFlow's copy, when we have it (the create's answer, or the GET that found it).
    pub invoice: Option<Invoice>,
}

fn same_reference(a: Option<&str>, b: &str) -> bool {
    same_ref(a, b)
}

/// Adopt `existing` if it is this order's invoice.
fn adopt(existing: Invoice, inv: &CanonicalInvoice, number: i64) -> Result<Posted, Failure> {
    if same_reference(
        existing.customer_reference.as_deref(),
        &inv.customer_reference,
    ) {
        return Ok(Posted {
            number,
            adopted: true,
            invoice: Some(existing),
        });
    }
    Err(Failure::dead(
        "InvoiceNumberTaken",
        format!(
            "KashFlow already has an invoice {number} (customer {}, reference '{}') that is not this order's (reference '{}'). \
             Nothing was posted. Change the invoice number offset in the mapping rules, or remove that invoice in KashFlow, then retry.",
            existing.customer_code,
            existing.customer_reference.as_deref().unwrap_or(""),
            inv.customer_reference
        ),
    ))
}

/// `GET /invoices/{number}`, reported in the attempt history: every look at one invoice (before a
/// write, after a lost answer, before adding a payment) goes through here.
pub async fn read_invoice(
    ctx: &JobContext<'_>,
    conn: &Connection,
    number: i64,
) -> Result<Option<Invoice>, KfError> {
    traced_op(
        ctx,
        conn,
        Op::GetInvoice(number),
        conn.transport.get_invoice(number),
    )
    .await
}

/// Look for the invoice (or credit note) of `customer_code` carrying `reference` (REST walks
/// the invoice list; SOAP lists the customer's invoices), read whole.
pub(crate) async fn find_by_reference(
    ctx: &JobContext<'_>,
    conn: &Connection,
    customer_code: &str,
    reference: &str,
) -> Result<Option<Invoice>, Failure> {
    traced_op(
        ctx,
        conn,
        Op::FindInvoiceByReference(reference),
        conn.transport
            .find_invoice_by_reference(customer_code, reference),
    )
    .await
    .map_err(|e| {
        Failure::kf(
            format!("looking for an invoice with reference {reference}"),
            e,
        )
    })
}

/// Create the invoice `request` for `inv`, or adopt the one an earlier attempt created.
/// `look_first`: an earlier attempt may have created it (retry, or outcome unknown).
pub async fn post_invoice(
    ctx: &JobContext<'_>,
    conn: &Connection,
    inv: &CanonicalInvoice,
    request: &Invoice,
    look_first: bool,
) -> Result<Posted, Failure> {
    match inv.invoice_number {
        Some(number) => {
            if look_first {
                let existing = read_invoice(ctx, conn, number)
                    .await
                    .map_err(|e| Failure::kf(format!("checking for invoice {number}"), e))?;
                if let Some(existing) = existing {
                    return adopt(existing, inv, number);
                }
            }
            match traced_op(
                ctx,
                conn,
                Op::CreateInvoice,
                conn.transport.create_invoice(request),
            )
            .await
            {
                Ok(created) => Ok(Posted {
                    number: created.number.unwrap_or(number),
                    adopted: false,
                    invoice: Some(created),
                }),
                Err(e) if is_duplicate(&e) => {
                    let existing = read_invoice(ctx, conn, number)
                        .await
                        .map_err(|e2| Failure::kf(format!("reading invoice {number}"), e2))?;
                    match existing {
                        Some(existing) => adopt(existing, inv, number),
                        None => Err(Failure::kf(format!("creating invoice {number}"), e)),
                    }
                }
                // The answer was lost: look now rather than after a retry delay, so the order's
                // invoice is recorded at once (and a cancellation arriving meanwhile finds it).
                Err(e) if e.class() == FailureClass::OutcomeUnknown => {
                    let doing = format!("creating invoice {number}");
                    match read_invoice(ctx, conn, number).await {
                        Ok(Some(existing)) => adopt(existing, inv, number),
                        Ok(None) => Err(Failure::NotApplied { doing, error: e }),
                        Err(_) => Err(Failure::kf(doing, e)),
                    }
                }
                Err(e) => Err(Failure::kf(format!("creating invoice {number}"), e)),
            }
        }
        None => {
            if look_first {
                if let Some(existing) =
                    find_by_reference(ctx, conn, &request.customer_code, &inv.customer_reference)
                        .await?
                {
                    let number = existing.number.unwrap_or_default();
                    return Ok(Posted {
                        number,
                        adopted: true,
                        invoice: Some(existing),
                    });
                }
            }
            let doing = format!("creating the invoice for {}", inv.customer_reference);
            let created = match traced_op(
                ctx,
                conn,
                Op::CreateInvoice,
                conn.transport.create_invoice(request),
            )
            .await
            {
                Ok(c) => c,
                Err(e) if e.class() == FailureClass::OutcomeUnknown => {
                    return match find_by_reference(
                        ctx,
                        conn,
                        &request.customer_code,
                        &inv.customer_reference,
                    )
                    .await
                    {
                        Ok(Some(existing)) => Ok(Posted {
                            number: existing.number.unwrap_or_default(),
                            adopted: true,
                            invoice: Some(existing),
                        }),
                        Ok(None) => Err(Failure::NotApplied { doing, error: e }),
                        Err(_) => Err(Failure::kf(doing, e)),
                    };
                }
                Err(e) => return Err(Failure::kf(doing, e)),
            };
            match created.number {
                Some(n) if n > 0 => Ok(Posted {
                    number: n,
                    adopted: false,
                    invoice: Some(created),
                }),
                // Created, but we cannot tell its number: the next attempt finds it by reference.
                _ => Err(Failure::kf(
                    format!("creating the invoice for {}", inv.customer_reference),
                    crate::kashflow::error::KfError::Decode {
                        request: "POST /invoices".into(),
                        detail: "the answer carried no invoice Number".into(),
                        kind: crate::kashflow::error::RequestKind::Write,
                    },
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_compare_trimmed_and_ignoring_case() {
        assert!(same_reference(Some(" NOP-1001 "), "nop-1001"));
        assert!(!same_reference(Some("NOP-1002"), "NOP-1001"));
        assert!(!same_reference(None, "NOP-1001"));
    }
}
