//! A `SyncOrder` job: snapshot → mapped invoice → KashFlow customer → KashFlow invoice (with the
//! payment inside when the order was paid at placement) → outcomes for the host.
//!
//! The flows decide (`flows::decide_invoice`): the invoice is posted by the earliest trigger the
//! order has passed whose flow has an Invoice step, with that flow's customer (per customer or
//! roll-up), nominal and project, payments, order note and status. Until such a trigger arrives
//! the job waits (state `Waiting`, no timer); the event, or the snapshot sent again saying the
//! order is paid, queues it again. Exactly once is the invoice's own look-before-write.
//!
//! Mapping errors are permanent (dead letter with the mapping error's code, path and message; the
//! admin fixes the rules or the order and retries). The mapped KashFlow invoice is kept on the
//! record before anything is sent, so the record detail shows it even when posting fails.

use crate::engine::{JobContext, JobDone, OutcomeSpec};
use crate::flows::{decide_invoice, InvoiceDecision, OrderPlan};
use crate::mapping::map_order;
use crate::mapping::payments::payment_note_prefix;
use crate::mapping::rules::MappingRules;
use crate::mapping::to_kashflow::{invoice_request, payment_line};
use crate::order::{parse_snapshot, OrderStatus};

use super::connection::Connection;
use super::customer::{resolve, resolve_again, resolve_roll_up, CustomerCache, Source};
use super::failure::is_unknown_customer;
use super::failure::Failure;
use super::invoice::{post_invoice, read_invoice};
use super::payment::ensure_payment;
use crate::engine::LogLevel;

/// What the sync did, for the log and the host's order note.
pub fn order_note(number: i64, customer_code: &str) -> String {
    format!("KashFlow invoice {number} created (customer {customer_code})")
}

pub async fn sync_order(
    ctx: &JobContext<'_>,
    conn: &Connection,
    customers: &CustomerCache,
    rules: &MappingRules,
) -> Result<JobDone, Failure> {
    let order = ctx
        .order
        .ok_or_else(|| Failure::dead("InvalidJob", "a SyncOrder job without an order"))?;
    if let Some(number) = order.invoice_number {
        // Already posted (e.g. a duplicate job): nothing to send.
        return Ok(JobDone {
            invoice_number: Some(number),
            customer_code: order.customer_code.clone(),
            message: Some(format!(
                "KashFlow invoice {number} already exists for this order"
            )),
            ..Default::default()
        });
    }
    let json = order
        .snapshot_json
        .as_deref()
        .ok_or_else(|| Failure::Wait {
            reason: "waiting for the order's snapshot".into(),
            recheck_after: None,
        })?;
    let snapshot = parse_snapshot(json)?;
    if snapshot.order_status == OrderStatus::Cancelled {
        // Strict: a snapshot that says the order is cancelled is never invoiced.
        return Err(Failure::dead(
            "OrderCancelled",
            format!(
                "Order {} is cancelled in nopCommerce, so no KashFlow invoice was created.",
                snapshot.custom_order_number
            ),
        ));
    }
    let flows = ctx.config.effective_flows();
    let (plan, invoice) = match decide_invoice(&flows, &snapshot, &order.events) {
        InvoiceDecision::Post(plan) => (plan, true),
        InvoiceDecision::CustomerOnly(plan) => (plan, false),
        InvoiceDecision::Wait(later) => {
            let what: Vec<String> = later
                .iter()
                .map(|(t, flow)| format!("{t} (flow '{flow}')"))
                .collect();
            return Err(Failure::Wait {
                reason: format!(
                    "{}{}: nothing is posted until then",
                    crate::flows::WAIT_PREFIX,
                    what.join(" or ")
                ),
                recheck_after: None,
            });
        }
        InvoiceDecision::Nothing(why) => {
            return Ok(JobDone {
                message: Some(format!(
                    "no flow posts an invoice for this order ({})",
                    why.join("; ")
                )),
                ..Default::default()
            });
        }
    };
    if let Some(flow) = &plan.flow_name {
        ctx.log(
            LogLevel::Debug,
            &format!(
                "{}: flow '{flow}' ({})",
                plan.trigger,
                plan.steps.join(", ")
            ),
        );
    }
    let mapped = map_order(&snapshot, &plan.rules(rules))?;
    let mut inv = mapped.invoice;
    plan.shape(&mut inv);
    if !conn.transport.enforces_our_invoice_numbers() {
        // The number is KashFlow's; the order is found again by its reference.
        inv.invoice_number = None;
    }
    let mut request = invoice_request(&inv);
    plan.finish(&mut request);
    ctx.set_mapped_invoice(serde_json::to_value(&request).unwrap_or_default());

    let mut customer = customer_for(ctx, conn, customers, &plan, &inv).await?;
    request.customer_code = customer.code.clone();
    ctx.set_mapped_invoice(serde_json::to_value(&request).unwrap_or_default());
    let mut done = JobDone {
        customer_code: Some(customer.code.clone()),
        ledger: customer.ledger.clone().into_iter().collect(),
        ..Default::default()
    };
    if !invoice {
        done.message = Some(format!(
            "customer {} ready; no flow posts an invoice for this order",
            customer.code
        ));
        return Ok(done);
    }

    let look_first = ctx.job.outcome_unknown || ctx.job.attempt > 1;
    let posted = match post_invoice(ctx, conn, &inv, &request, look_first).await {
        // The customer the ledger remembers is gone from KashFlow (deleted or merged there):
        // find it again by e-mail or create it, then post once more (looking first, as after
        // any refused write). Only a remembered code is second-guessed, once.
        Err(f)
            if is_unknown_customer(&f)
                && matches!(customer.source, Source::Memory | Source::Ledger)
                && plan.roll_up().is_none() =>
        {
            ctx.log(
                LogLevel::Warn,
                &format!(
                    "KashFlow no longer has customer {} (deleted or merged there); finding the customer again by e-mail",
                    customer.code
                ),
            );
            customer = resolve_again(ctx, conn, customers, &inv.customer).await?;
            request.customer_code = customer.code.clone();
            ctx.set_mapped_invoice(serde_json::to_value(&request).unwrap_or_default());
            done.customer_code = Some(customer.code.clone());
            done.ledger = customer.ledger.clone().into_iter().collect();
            post_invoice(ctx, conn, &inv, &request, true).await?
        }
        other => other?,
    };

    // An adopted invoice was created by an earlier attempt of ours with the payment inside; make
    // sure of it anyway. A transport that cannot carry payments inside the create (SOAP) adds
    // them now, each checked against the invoice first, so a retry never records one twice.
    let payments_separate = !conn.transport.payments_in_create();
    if (posted.adopted || payments_separate) && plan.payment && !inv.payments.is_empty() {
        let mut full = match posted.invoice.clone().filter(|i| i.payment_lines.is_some()) {
            Some(i) => Some(i),
            None => read_invoice(ctx, conn, posted.number)
                .await
                .map_err(|e| Failure::kf(format!("reading invoice {}", posted.number), e))?,
        };
        for (i, payment) in inv.payments.iter().enumerate() {
            let Some(current) = full.take() else { break };
            let more = i + 1 < inv.payments.len();
            let prefix = payment_note_prefix(payment.kind, &inv.custom_order_number);
            let added = ensure_payment(
                ctx,
                conn,
                posted.number,
                current.clone(),
                payment_line(payment),
                &prefix,
            )
            .await?;
            // The next payment is checked against the invoice as it now is.
            full = if added && more {
                read_invoice(ctx, conn, posted.number)
                    .await
                    .map_err(|e| Failure::kf(format!("reading invoice {}", posted.number), e))?
            } else {
                Some(current)
            };
        }
    }

    done.invoice_number = Some(posted.number);
    let how = match (posted.adopted, customer.source) {
        (true, _) => "found (created by an earlier attempt) and linked",
        (false, Source::Created) => "created with a new customer",
        (false, _) => "created",
    };
    done.message = Some(format!(
        "KashFlow invoice {} {how} (customer {}){}",
        posted.number,
        customer.code,
        if inv.payments.is_empty() || !plan.payment {
            ""
        } else if inv.payments.len() == 1 {
            ", payment included"
        } else {
            ", payments included"
        }
    ));
    if let Some(status) = plan.status_to_set(snapshot.order_status) {
        done.outcomes.push(OutcomeSpec::SetOrderStatus {
            order_id: order.order_id,
            order_status: status.into(),
        });
    }
    if plan.order_note {
        done.outcomes.push(OutcomeSpec::AddOrderNote {
            order_id: order.order_id,
            note: order_note(posted.number, &customer.code),
            invoice_number: Some(posted.number),
        });
    }
    Ok(done)
}

/// The order's KashFlow customer as the plan says: the roll-up customer, the buyer found or
/// created, or (no Customer step) the mapping's code as it is.
async fn customer_for(
    ctx: &JobContext<'_>,
    conn: &Connection,
    customers: &CustomerCache,
    plan: &OrderPlan,
    inv: &crate::mapping::canonical::CanonicalInvoice,
) -> Result<super::customer::Resolved, Failure> {
    match plan.roll_up() {
        Some((code, name)) => resolve_roll_up(ctx, conn, customers, code, name).await,
        None => resolve(ctx, conn, customers, &inv.customer, plan.customer.is_some()).await,
    }
}
