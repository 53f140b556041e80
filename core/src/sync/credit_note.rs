//! A `PostCreditNote` job: one refund, cancellation or void after the invoice exists becomes one
//! KashFlow credit note, exactly once, applied to the invoice, with the money paid back recorded.
//!
//! Source of truth is the invoice **as KashFlow holds it** (read back, with the order's earlier
//! credit notes); `credit_plan` works out the lines. The shapes KashFlow is assumed to take are in
//! `kashflow::credit_note`.
//!
//! Exactly once, with the invoices' look-before-write discipline:
//! - The credit note's `Number` is deterministic: invoice number × 100 + the refund's sequence
//!   number on the order (1..=99; `CustomerReference` `CN-{invoice}-{seq}`). Before creating it we
//!   `GET` that number: found with our reference → adopted (an earlier attempt created it); found
//!   with another reference → dead letter, nothing posted. A duplicate-number answer or a lost
//!   answer leads to the same GET. When the rules let KashFlow number invoices, KashFlow numbers
//!   credit notes too (a number of ours would move its sequence) and they are found by their
//!   reference, walking the invoice list (slower on a large account).
//! - Applying it: KashFlow shows an applied credit as an allocation line on the credit note, so a
//!   credit note with an allocation is never applied again (we apply each at most once).
//! - The refund payment: a money line on the credit note means it was recorded.
//!
//! Steps are idempotent one by one, so a retry after any failure resumes where it stopped.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::engine::{
    CreditCause, CreditNotePosted, CreditRequest, JobContext, JobDone, LedgerEntry, LedgerKind,
    OrderInfo, OutcomeSpec,
};
use crate::kashflow::credit_note::{
    self as cn, application, credit_left, is_credit_note, refund_payment_line,
};
use crate::kashflow::error::FailureClass;
use crate::kashflow::model::{Invoice, InvoiceCurrency};
use crate::kashflow::wire::KfDateTime;
use crate::mapping::rules::{InvoiceNumberStrategy, MappingRules};
use crate::money::money2;
use crate::order::parse_snapshot;

use super::connection::Connection;
use super::failure::{is_duplicate, Failure};
use super::invoice::read_invoice;
use super::payment::mapped_payment_method;
use super::trace::traced_op;
use crate::kashflow::transport::Op;

use super::credit_plan::{plan, plan_items, Items, Plan, PlanError, Want};

/// At most this many credit notes per order (the number keeps two digits for the sequence).
pub const MAX_CREDIT_NOTES: u32 = 99;

/// The credit note's number: invoice number × 100 + seq (`None` beyond 99 per order).
pub fn credit_note_number(invoice_number: i64, seq: u32) -> Option<i64> {
    (1..=MAX_CREDIT_NOTES)
        .contains(&seq)
        .then(|| invoice_number.checked_mul(100)?.checked_add(seq as i64))
        .flatten()
}

/// The credit note's `CustomerReference`: plain, short, and ours.
pub fn credit_reference(invoice_number: i64, seq: u32) -> String {
    format!("CN-{invoice_number}-{seq}")
}

/// The note on the money line: "nopCommerce order 1001 refund by Payments.Manual".
pub fn refund_note(custom_order_number: &str, method: &str) -> String {
    let method = method.trim();
    if method.is_empty() {
        format!("nopCommerce order {custom_order_number} refund")
    } else {
        format!("nopCommerce order {custom_order_number} refund by {method}")
    }
}

/// The order note the host adds: "KashFlow credit note 10012301 for 30.00 GBP posted (invoice 100123)".
pub fn order_note(number: i64, amount: Decimal, currency: &str, invoice: i64) -> String {
    format!("KashFlow credit note {number} for {amount} {currency} posted (invoice {invoice})")
}

/// The UK calendar date of `t` (KashFlow's dates are UK local).
pub fn uk_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono_tz::Europe::London).date_naive()
}

fn same_reference(doc: &Invoice, reference: &str) -> bool {
    doc.customer_reference
        .as_deref()
        .is_some_and(|r| r.trim().eq_ignore_ascii_case(reference))
}

fn currency_code(doc: &Invoice, home: &str) -> String {
    doc.currency
        .as_ref()
        .map(|c| c.code.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| home.to_string())
}

/// A partial refund (primary store currency) in the invoice's currency: the whole order total is
/// the whole invoice; anything else converts at the invoice's rate (foreign units per home unit).
pub fn refund_in_invoice_currency(
    amount: Decimal,
    order_total: Option<Decimal>,
    invoice: &Invoice,
    home: &str,
) -> Want {
    if order_total == Some(amount) {
        return Want::Everything { restock: false };
    }
    let foreign = !currency_code(invoice, home).eq_ignore_ascii_case(home);
    if !foreign {
        return Want::Amount(money2(amount));
    }
    let rate = invoice
        .currency
        .as_ref()
        .map(|c| c.exchange_rate)
        .filter(|r| *r > Decimal::ZERO)
        .unwrap_or(Decimal::ONE);
    Want::Amount(money2(amount * rate))
}

/// What a credit request credits: everything (full refund, cancellation, void — with stock back
/// for the last two) or the refund's amount in the invoice's currency.
pub fn want_for(
    req: &CreditRequest,
    order_total: Option<Decimal>,
    invoice: &Invoice,
    home: &str,
) -> Want {
    if req.full {
        Want::Everything {
            restock: req.cause != CreditCause::Refund,
        }
    } else {
        refund_in_invoice_currency(req.amount.unwrap_or_default(), order_total, invoice, home)
    }
}

/// The text of a spread credit line (the rate is added): "Refund, order 1001".
pub fn line_description(cause: CreditCause, custom_order_number: &str) -> String {
    match cause {
        CreditCause::Refund => format!("Refund, order {custom_order_number}"),
        CreditCause::Cancellation => format!("Cancellation, order {custom_order_number}"),
        CreditCause::Void => format!("Void, order {custom_order_number}"),
    }
}

/// What posting `req` would send, worked out from `invoice` (as posted, or as it would be) and
/// the order's `earlier` credit notes — for previews and golden fixtures. Nothing is sent.
pub fn preview_credit_note(
    invoice: &Invoice,
    earlier: &[Invoice],
    req: &CreditRequest,
    order_total: Option<Decimal>,
    custom_order_number: &str,
    home: &str,
) -> Result<serde_json::Value, PlanError> {
    let inv_number = invoice.number.unwrap_or_default();
    let number = credit_note_number(inv_number, req.seq).unwrap_or_default();
    let want = want_for(req, order_total, invoice, home);
    let p = plan(
        invoice,
        earlier,
        want,
        &line_description(req.cause, custom_order_number),
    )?;
    let date = uk_date(req.date_utc);
    let request = credit_note_request(
        invoice,
        number,
        credit_reference(inv_number, req.seq),
        date,
        &p,
    );
    let currency = currency_code(invoice, home);
    let total = money2(p.total);
    let payout = if req.money_back {
        serde_json::json!({
            "Method": "PUT",
            "Path": format!("/invoices/{number}"),
            "Note": "adds the refund payment (the credit left after applying) on the bank account of the order's payment method"
        })
    } else {
        serde_json::json!({"Note": "no money moved: no refund payment"})
    };
    Ok(serde_json::json!({
        "CreditNoteNumber": number,
        "InvoiceNumber": inv_number,
        "Cause": req.cause.as_str(),
        "Total": total,
        "Currency": currency,
        "LineByLine": p.line_by_line,
        "Requests": [
            {"Method": "POST", "Path": "/invoices", "Body": request},
            {
                "Method": "POST",
                "Path": "/internal/invoices/{invoice Id}/credits",
                "Note": "applies what the invoice still owes, at most the credit note's total",
                "Body": application(0, total, KfDateTime::from_date(date), format!("Credit note {number} for invoice {inv_number}"))
            },
            payout
        ],
        "OrderNote": order_note(number, total, &currency, inv_number),
    }))
}

/// The request for `POST /invoices` that creates the credit note.
pub fn credit_note_request(
    invoice: &Invoice,
    number: i64,
    reference: String,
    date: NaiveDate,
    plan: &Plan,
) -> Invoice {
    let issued = KfDateTime::from_date(date);
    Invoice {
        number: Some(number),
        customer_code: invoice.customer_code.clone(),
        customer_reference: Some(reference),
        issued_date: Some(issued),
        due_date: Some(issued),
        currency: invoice.currency.as_ref().map(|c| InvoiceCurrency {
            code: c.code.clone(),
            exchange_rate: c.exchange_rate,
            ..InvoiceCurrency::default()
        }),
        address: invoice.address.clone(),
        line_items: Some(plan.lines.clone()),
        payment_lines: Some(Vec::new()),
        ..Invoice::default()
    }
}

async fn read(
    ctx: &JobContext<'_>,
    conn: &Connection,
    number: i64,
) -> Result<Option<Invoice>, Failure> {
    read_invoice(ctx, conn, number)
        .await
        .map_err(|e| Failure::kf(format!("reading invoice {number}"), e))
}

/// Create the credit note, or adopt the one an earlier attempt created.
async fn create(
    ctx: &JobContext<'_>,
    conn: &Connection,
    request: &Invoice,
    number: i64,
    reference: &str,
) -> Result<Invoice, Failure> {
    let adopt = |found: Invoice| -> Result<Invoice, Failure> {
        if same_reference(&found, reference) {
            Ok(found)
        } else {
            Err(taken(number, &found, reference))
        }
    };
    let doing = format!("creating credit note {number}");
    match traced_op(
        ctx,
        conn,
        Op::CreateInvoice,
        conn.transport.create_invoice(request),
    )
    .await
    {
        Ok(created) => Ok(created),
        Err(e) if is_duplicate(&e) => match read(ctx, conn, number).await? {
            Some(found) => adopt(found),
            None => Err(Failure::kf(doing, e)),
        },
        Err(e) if e.class() == FailureClass::OutcomeUnknown => {
            match read_invoice(ctx, conn, number).await {
                Ok(Some(found)) => adopt(found),
                Ok(None) => Err(Failure::NotApplied { doing, error: e }),
                Err(_) => Err(Failure::kf(doing, e)),
            }
        }
        Err(e) => Err(Failure::kf(doing, e)),
    }
}

/// How credit notes are numbered: like the invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbering {
    /// Invoice number × 100 + seq, so KashFlow itself refuses a second one.
    Deterministic,
    /// KashFlow assigns the next number (the rules let it number invoices): a fixed number of ours
    /// would move its sequence, so the credit note is found by its reference instead (a walk of
    /// the invoice list, as for invoices numbered this way).
    KashFlowAssigns,
}

/// The order's credit note `seq`, if KashFlow has it (`Err` when its number holds something else).
async fn locate(
    ctx: &JobContext<'_>,
    conn: &Connection,
    customer_code: &str,
    numbering: Numbering,
    inv_number: i64,
    seq: u32,
) -> Result<Option<Invoice>, Failure> {
    let reference = credit_reference(inv_number, seq);
    match numbering {
        Numbering::Deterministic => {
            let Some(number) = credit_note_number(inv_number, seq) else {
                return Ok(None);
            };
            match read(ctx, conn, number).await? {
                Some(found) if same_reference(&found, &reference) => Ok(Some(found)),
                Some(found) => Err(taken(number, &found, &reference)),
                None => Ok(None),
            }
        }
        Numbering::KashFlowAssigns => {
            // Found whole (lines and payments) by the transport.
            super::invoice::find_by_reference(ctx, conn, customer_code, &reference).await
        }
    }
}

/// Create a credit note KashFlow numbers; a lost answer is resolved by looking for its reference.
async fn create_assigned(
    ctx: &JobContext<'_>,
    conn: &Connection,
    request: &Invoice,
    customer_code: &str,
    inv_number: i64,
    seq: u32,
) -> Result<Invoice, Failure> {
    let doing = format!("creating credit note {}", credit_reference(inv_number, seq));
    match traced_op(
        ctx,
        conn,
        Op::CreateInvoice,
        conn.transport.create_invoice(request),
    )
    .await
    {
        Ok(created) => Ok(created),
        Err(e) if e.class() == FailureClass::OutcomeUnknown => {
            match locate(
                ctx,
                conn,
                customer_code,
                Numbering::KashFlowAssigns,
                inv_number,
                seq,
            )
            .await
            {
                Ok(Some(found)) => Ok(found),
                Ok(None) => Err(Failure::NotApplied { doing, error: e }),
                Err(_) => Err(Failure::kf(doing, e)),
            }
        }
        Err(e) => Err(Failure::kf(doing, e)),
    }
}

fn taken(number: i64, found: &Invoice, reference: &str) -> Failure {
    Failure::dead(
        "CreditNoteNumberTaken",
        format!(
            "KashFlow already has a document {number} (customer {}, reference '{}') that is not this credit note ('{reference}'). Nothing was posted. Remove or renumber that document in KashFlow, then retry.",
            found.customer_code,
            found.customer_reference.as_deref().unwrap_or("")
        ),
    )
}

/// Apply the credit note to the invoice (what the invoice still owes, at most its credit).
async fn apply(
    ctx: &JobContext<'_>,
    conn: &Connection,
    invoice: &Invoice,
    note: &Invoice,
    number: i64,
    date: NaiveDate,
) -> Result<Decimal, Failure> {
    if cn::allocations(note).next().is_some() {
        return Ok(cn::allocations(note).map(|l| l.amount).sum());
    }
    let owed = invoice.due_amount.unwrap_or_default();
    let amount = owed.min(credit_left(note));
    if amount <= Decimal::ZERO {
        return Ok(Decimal::ZERO);
    }
    let (Some(invoice_id), Some(note_id)) = (invoice.id, note.id) else {
        return Err(Failure::dead(
            "KashFlowIdMissing",
            format!("KashFlow did not give the internal Id of invoice or credit note {number}, so the credit cannot be applied."),
        ));
    };
    let inv_number = invoice.number.unwrap_or_default();
    let body = application(
        note_id,
        amount,
        KfDateTime::from_date(date),
        format!("Credit note {number} for invoice {inv_number}"),
    );
    let doing = format!("applying credit note {number} to invoice {inv_number}");
    match traced_op(
        ctx,
        conn,
        Op::ApplyCreditNote(invoice_id),
        conn.transport.apply_credit_note(invoice, note, &body),
    )
    .await
    {
        Ok(_) => Ok(amount),
        Err(e) if e.class() == FailureClass::OutcomeUnknown => {
            match read_invoice(ctx, conn, number).await {
                Ok(Some(after)) if cn::allocations(&after).next().is_some() => Ok(amount),
                Ok(_) => Err(Failure::NotApplied { doing, error: e }),
                Err(_) => Err(Failure::kf(doing, e)),
            }
        }
        Err(e) => Err(Failure::kf(doing, e)),
    }
}

struct Payout<'a> {
    amount: Decimal,
    date: NaiveDate,
    method_id: i64,
    bank_account_id: i64,
    note: &'a str,
}

/// Record money paid back on the credit note (once: a money line there means it is recorded).
async fn pay_back(
    ctx: &JobContext<'_>,
    conn: &Connection,
    number: i64,
    p: Payout<'_>,
) -> Result<Decimal, Failure> {
    let mut note = read(ctx, conn, number).await?.ok_or_else(|| {
        Failure::dead(
            "CreditNoteMissing",
            format!("KashFlow credit note {number} no longer exists."),
        )
    })?;
    if let Some(done) = cn::money_lines(&note)
        .map(|l| l.amount)
        .reduce(|a, b| a + b)
    {
        return Ok(done);
    }
    let amount = p.amount.min(credit_left(&note));
    if amount <= Decimal::ZERO {
        return Ok(Decimal::ZERO);
    }
    let line = refund_payment_line(
        amount,
        KfDateTime::from_date(p.date),
        p.method_id,
        p.bank_account_id,
        p.note.to_string(),
    );
    note.number = Some(number);
    let doing = format!("recording the refund on credit note {number}");
    match traced_op(
        ctx,
        conn,
        Op::AddPayment(number),
        conn.transport.add_payment(&note, &line),
    )
    .await
    {
        Ok(_) => Ok(amount),
        Err(e) if e.class() == FailureClass::OutcomeUnknown => {
            match read_invoice(ctx, conn, number).await {
                Ok(Some(after)) if cn::money_lines(&after).next().is_some() => Ok(amount),
                Ok(_) => Err(Failure::NotApplied { doing, error: e }),
                Err(_) => Err(Failure::kf(doing, e)),
            }
        }
        Err(e) => Err(Failure::kf(doing, e)),
    }
}

/// Run a `PostCreditNote` job.
pub async fn post_credit_note(
    ctx: &JobContext<'_>,
    conn: &Connection,
    rules: &MappingRules,
    order: &OrderInfo,
    req: &CreditRequest,
) -> Result<JobDone, Failure> {
    let Some(inv_number) = order.invoice_number else {
        return Err(Failure::Wait {
            reason: format!(
                "the credit note waits for order {}'s KashFlow invoice",
                order.order_id
            ),
            recheck_after: None,
        });
    };
    let numbering = match rules.invoice_number.strategy {
        // A transport that does not enforce our numbers (SOAP) lets KashFlow number them.
        _ if !conn.transport.enforces_our_invoice_numbers() => Numbering::KashFlowAssigns,
        InvoiceNumberStrategy::OrderIdPlusOffset => Numbering::Deterministic,
        InvoiceNumberStrategy::KashFlowAssigns => Numbering::KashFlowAssigns,
    };
    let fixed_number = credit_note_number(inv_number, req.seq).ok_or_else(|| {
        Failure::dead(
            "TooManyCreditNotes",
            format!("Order {} has more than {MAX_CREDIT_NOTES} refunds; post this one in KashFlow by hand.", order.order_id),
        )
    })?;
    let reference = credit_reference(inv_number, req.seq);
    let snapshot = order
        .snapshot_json
        .as_deref()
        .and_then(|s| parse_snapshot(s).ok());
    let custom = order
        .custom_order_number
        .clone()
        .or_else(|| snapshot.as_ref().map(|s| s.custom_order_number.clone()))
        .unwrap_or_else(|| order.order_id.to_string());
    let home = rules.currency.home_currency.clone();
    let date = uk_date(req.date_utc);
    let mut done = JobDone {
        invoice_number: Some(inv_number),
        ..Default::default()
    };

    let invoice = read(ctx, conn, inv_number).await?.ok_or_else(|| {
        Failure::dead(
            "InvoiceMissing",
            format!("KashFlow invoice {inv_number} (order {}) no longer exists, so no credit note can be posted against it.", order.order_id),
        )
    })?;
    let currency = currency_code(&invoice, &home);

    // This credit note, if an earlier attempt created it; else the order's earlier ones.
    let mut note = locate(
        ctx,
        conn,
        &invoice.customer_code,
        numbering,
        inv_number,
        req.seq,
    )
    .await?;
    let mut refund_on: Option<i64> = None;
    if note.is_none() {
        let mut earlier = Vec::new();
        for seq in 1..req.seq {
            // A number holding something else is not one of ours: skip it.
            if let Ok(Some(doc)) = locate(
                ctx,
                conn,
                &invoice.customer_code,
                numbering,
                inv_number,
                seq,
            )
            .await
            {
                if is_credit_note(&doc) {
                    earlier.push(doc);
                }
            }
        }
        let want = want_for(
            req,
            snapshot.as_ref().map(|s| s.order_total),
            &invoice,
            &home,
        );
        let planned = if req.items.is_empty() {
            plan(
                &invoice,
                &earlier,
                want,
                &line_description(req.cause, &custom),
            )
        } else {
            let items = Items {
                lines: req.items.iter().map(|i| (i.line, i.quantity)).collect(),
                restock: req.restock,
            };
            // An itemised credit must come to what was refunded, or the books would not balance.
            plan_items(&invoice, &earlier, &items).and_then(|p| match want {
                Want::Amount(asked) if asked != p.total => Err(PlanError::BadItem(format!(
                    "the chosen lines come to {} {currency} but the refund was {asked} {currency}",
                    money2(p.total)
                ))),
                _ => Ok(p),
            })
        };
        match planned {
            Ok(p) => {
                let mut request =
                    credit_note_request(&invoice, fixed_number, reference.clone(), date, &p);
                note = Some(match numbering {
                    Numbering::Deterministic => {
                        create(ctx, conn, &request, fixed_number, &reference).await?
                    }
                    Numbering::KashFlowAssigns => {
                        request.number = None;
                        create_assigned(
                            ctx,
                            conn,
                            &request,
                            &invoice.customer_code,
                            inv_number,
                            req.seq,
                        )
                        .await?
                    }
                });
            }
            Err(e) => {
                // Already credited (e.g. a cancellation's credit note): money going back now is
                // paid out of that credit note's remaining credit instead of a second credit.
                let open = earlier
                    .iter()
                    .rev()
                    .find(|d| credit_left(d) > Decimal::ZERO && cn::money_lines(d).next().is_none())
                    .filter(|_| !matches!(e, PlanError::BadItem(_)));
                match (req.money_back, open) {
                    (true, Some(d)) => refund_on = d.number,
                    _ => {
                        return match e {
                            PlanError::NothingLeft if req.cause != CreditCause::Refund => {
                                done.message = Some(format!(
                                    "invoice {inv_number} is already credited in full; no further credit note for the {}",
                                    req.cause.as_str().to_lowercase()
                                ));
                                Ok(done)
                            }
                            PlanError::NothingLeft => Err(Failure::dead(
                                "RefundExceedsInvoice",
                                format!("KashFlow invoice {inv_number} is already credited in full by earlier credit notes; this refund was not posted. Check the order's refunds, then post any difference by hand."),
                            )),
                            PlanError::BadItem(why) => Err(Failure::dead(
                                "CreditNoteItemsInvalid",
                                format!("The itemised credit note for order {custom} cannot be posted: {why}. Nothing was posted; itemise it again or post it spread over the VAT rates."),
                            )),
                            PlanError::Exceeds { asked, left } => Err(Failure::dead(
                                "RefundExceedsInvoice",
                                format!("The refund of {asked} {currency} is more than the {left} {currency} KashFlow invoice {inv_number} has left to credit after earlier credit notes; nothing was posted."),
                            )),
                        };
                    }
                }
            }
        }
    }

    // Paying out of an earlier credit note (cancelled, then refunded).
    let (target, target_doc) = match (refund_on, note) {
        (Some(n), _) => (n, None),
        (None, Some(doc)) => (doc.number.unwrap_or(fixed_number), Some(doc)),
        (None, None) => unreachable!("a credit note was created, adopted or chosen"),
    };
    let number = target;

    let mut applied = Decimal::ZERO;
    if let Some(doc) = &target_doc {
        applied = apply(ctx, conn, &invoice, doc, number, date).await?;
    }
    let mut refunded = Decimal::ZERO;
    if req.money_back && ctx.config.effective_flows().uses_step("Payment") {
        let (method, mapping) = mapped_payment_method(
            rules,
            req.payment_method_system_name.as_deref(),
            snapshot.as_ref(),
            &format!(", so the refund cannot be recorded on credit note {target}"),
        )?;
        // Our own credit note: whatever credit is left once applied (pay_back reads it afresh, so
        // an allocation an earlier attempt made is not counted twice).
        let want = match (&target_doc, req.amount) {
            (Some(_), _) => Decimal::MAX,
            (None, Some(a)) => match refund_in_invoice_currency(
                a,
                snapshot.as_ref().map(|s| s.order_total),
                &invoice,
                &home,
            ) {
                Want::Amount(x) => x,
                Want::Everything { .. } => Decimal::MAX,
            },
            (None, None) => Decimal::MAX,
        };
        let note_text = refund_note(&custom, &method);
        refunded = pay_back(
            ctx,
            conn,
            target,
            Payout {
                amount: want,
                date,
                method_id: mapping.method_id,
                bank_account_id: mapping.bank_account_id,
                note: &note_text,
            },
        )
        .await?;
    }

    let Some(doc) = target_doc else {
        let refunded = money2(refunded);
        done.message = Some(format!(
            "refund of {refunded} {currency} recorded on credit note {target}"
        ));
        done.outcomes.push(OutcomeSpec::AddOrderNote {
            order_id: order.order_id,
            note: format!("KashFlow refund of {refunded} {currency} recorded on credit note {target} (invoice {inv_number})"),
            invoice_number: Some(inv_number),
        });
        return Ok(done);
    };
    let total = money2(cn::credit_total(&doc));
    let (applied, refunded) = (money2(applied), money2(refunded));
    let posted = CreditNotePosted {
        number,
        amount: total,
        currency: currency.clone(),
        date: date.to_string(),
        applied,
        refunded,
    };
    done.ledger.push(LedgerEntry {
        kind: LedgerKind::CreditNote,
        key: format!("{}:{}", order.order_id, req.seq),
        value: serde_json::to_string(&posted).unwrap_or_default(),
    });
    done.message = Some(format!(
        "credit note {number} for {total} {currency} on invoice {inv_number}: {applied} applied, {refunded} paid back"
    ));
    done.outcomes.push(OutcomeSpec::AddOrderNote {
        order_id: order.order_id,
        note: order_note(number, total, &currency, inv_number),
        invoice_number: Some(inv_number),
    });
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_references_are_deterministic() {
        assert_eq!(credit_note_number(100123, 1), Some(10012301));
        assert_eq!(credit_note_number(100123, 99), Some(10012399));
        assert_eq!(credit_note_number(100123, 100), None);
        assert_eq!(credit_note_number(100123, 0), None);
        assert_eq!(credit_reference(100123, 2), "CN-100123-2");
        assert_eq!(
            order_note(10012301, "30.00".parse().unwrap(), "GBP", 100123),
            "KashFlow credit note 10012301 for 30.00 GBP posted (invoice 100123)"
        );
    }

    #[test]
    fn refund_dates_are_uk_dates() {
        let t: DateTime<Utc> = "2026-06-30T23:30:00Z".parse().unwrap();
        assert_eq!(uk_date(t).to_string(), "2026-07-01");
        let w: DateTime<Utc> = "2026-01-31T23:30:00Z".parse().unwrap();
        assert_eq!(uk_date(w).to_string(), "2026-01-31");
    }
}
