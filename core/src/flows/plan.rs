//! What a flow decides for one order on one trigger ([`OrderPlan`]), and the default flows that
//! reproduce the product's behaviour before flows existed (from the four `Steps` switches).
//!
//! The plan is the one place the worker, the preview and the dry run learn what to post: which
//! customer, whether an invoice (and with which nominal and project), whether payments go in,
//! which outcomes the shop gets (order note, order status), whether stock and credit notes run.

use std::borrow::Cow;

use serde::Serialize;

use super::eval::{choose, Facts};
use super::model::*;
use crate::engine::FlowSteps;
use crate::kashflow::model::Invoice;
use crate::mapping::canonical::CanonicalInvoice;
use crate::mapping::rules::MappingRules;
use crate::order::{OrderSnapshot, OrderStatus};

/// The invoice step's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvoiceSettings {
    pub nominal: Option<i64>,
    pub project_id: Option<i64>,
}

/// What happens to one order on one trigger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderPlan {
    pub trigger: Trigger,
    /// The flow that matched (its id), or `None`: nothing happens on this trigger.
    pub flow: Option<String>,
    pub flow_name: Option<String>,
    /// Why: one line per flow looked at.
    pub explanation: Vec<String>,
    /// The matched flow's steps in words ("Invoice: nominal 4010").
    pub steps: Vec<String>,
    #[serde(skip)]
    pub customer: Option<CustomerMode>,
    #[serde(skip)]
    pub invoice: Option<InvoiceSettings>,
    #[serde(skip)]
    pub payment: bool,
    #[serde(skip)]
    pub order_note: bool,
    #[serde(skip)]
    pub order_status: Option<TargetStatus>,
    #[serde(skip)]
    pub stock: bool,
    #[serde(skip)]
    pub credit_note: bool,
}

impl OrderPlan {
    /// The plan for `order` when `trigger` happens, under `doc`.
    pub fn decide(doc: &FlowDocument, trigger: Trigger, order: &OrderSnapshot) -> OrderPlan {
        let facts = Facts::of_order(order);
        let choice = choose(doc, trigger, &facts);
        let mut plan = OrderPlan {
            trigger,
            flow: choice.flow.map(|f| f.id.clone()),
            flow_name: choice.flow.map(|f| f.name.clone()),
            explanation: choice.explanation,
            steps: Vec::new(),
            customer: None,
            invoice: None,
            payment: false,
            order_note: false,
            order_status: None,
            stock: false,
            credit_note: false,
        };
        for step in choice.flow.map(|f| f.steps.as_slice()).unwrap_or(&[]) {
            plan.steps.push(step.describe());
            match step {
                Step::Customer(m) => plan.customer = Some(m.clone()),
                Step::Invoice {
                    nominal,
                    project_id,
                } => {
                    plan.invoice = Some(InvoiceSettings {
                        nominal: *nominal,
                        project_id: *project_id,
                    })
                }
                Step::Payment => plan.payment = true,
                Step::OrderNote => plan.order_note = true,
                Step::OrderStatus(s) => plan.order_status = Some(*s),
                Step::Stock => plan.stock = true,
                Step::CreditNote => plan.credit_note = true,
                // Not an order step (validation keeps it off order triggers).
                Step::Product { .. } => {}
            }
        }
        plan
    }

    /// Nothing matched: this trigger does nothing for the order.
    pub fn is_nothing(&self) -> bool {
        self.flow.is_none()
    }

    /// The mapping rules for this order: the Invoice step's nominal replaces the sales nominal.
    pub fn rules<'a>(&self, base: &'a MappingRules) -> Cow<'a, MappingRules> {
        match self.invoice.and_then(|i| i.nominal) {
            Some(n) if n != base.nominals.sales => {
                let mut r = base.clone();
                r.nominals.sales = n;
                Cow::Owned(r)
            }
            _ => Cow::Borrowed(base),
        }
    }

    /// The mapped invoice made to this plan: a roll-up customer instead of the buyer (the
    /// invoice keeps the buyer's addresses, so it still shows who bought and where it went).
    pub fn shape(&self, inv: &mut CanonicalInvoice) {
        if let Some(CustomerMode::RollUp { code, name }) = &self.customer {
            let c = &mut inv.customer;
            c.code = code.clone();
            c.name = name.clone();
            c.email = String::new();
            c.first_name = None;
            c.last_name = None;
            c.company = None;
            c.phone = None;
            c.vat_number = None;
            c.is_guest = false;
            c.nop_customer_id = 0;
        }
    }

    /// The KashFlow request made to this plan: the project on every line; no payments inside
    /// without a Payment step.
    pub fn finish(&self, request: &mut Invoice) {
        if let Some(p) = self.invoice.and_then(|i| i.project_id) {
            for l in request.line_items.iter_mut().flatten() {
                l.project_number = p;
            }
        }
        if !self.payment {
            request.payment_lines = Some(Vec::new());
        }
    }

    /// The order status to set: the step's, only if it moves the order forward from `now`
    /// (a shop that already moved the order on keeps its own status).
    pub fn status_to_set(&self, now: OrderStatus) -> Option<&'static str> {
        let target = self.order_status?;
        let rank = |s: OrderStatus| match s {
            OrderStatus::Pending => 0,
            OrderStatus::Processing => 1,
            OrderStatus::Complete => 2,
            OrderStatus::Cancelled => 3,
        };
        let to = match target {
            TargetStatus::Processing => OrderStatus::Processing,
            TargetStatus::Complete => OrderStatus::Complete,
        };
        (rank(now) < rank(to)).then_some(target.as_str())
    }

    /// Roll-up customer: its code and name.
    pub fn roll_up(&self) -> Option<(&str, &str)> {
        match &self.customer {
            Some(CustomerMode::RollUp { code, name }) => Some((code, name)),
            _ => None,
        }
    }
}

/// The default flows: what the product did before flows, from the four `Steps` switches.
/// Placed orders are invoiced at once (customer, invoice with the payment made at checkout,
/// order note, Pending → Processing, stock); a later payment is recorded; a refund, cancellation
/// or void after the invoice becomes a credit note.
pub fn default_flows(steps: &FlowSteps) -> FlowDocument {
    let mut placed = Vec::new();
    if steps.sync_customers {
        placed.push(Step::Customer(CustomerMode::PerCustomer));
    }
    if steps.create_invoices {
        placed.push(Step::Invoice {
            nominal: None,
            project_id: None,
        });
        if steps.record_payments {
            placed.push(Step::Payment);
        }
        placed.push(Step::OrderNote);
        placed.push(Step::OrderStatus(TargetStatus::Processing));
    }
    if steps.pull_stock {
        placed.push(Step::Stock);
    }
    let flow = |id: &str, name: &str, trigger, steps: Vec<Step>| Flow {
        id: id.into(),
        name: name.into(),
        enabled: true,
        trigger,
        when: None,
        steps,
    };
    let mut flows = Vec::new();
    if !placed.is_empty() {
        flows.push(flow(
            "every-order",
            "Every order, when placed",
            Trigger::OrderPlaced,
            placed,
        ));
    }
    if steps.record_payments {
        flows.push(flow(
            "payments",
            "Payments",
            Trigger::OrderPaid,
            vec![Step::Payment],
        ));
    }
    if steps.create_invoices {
        flows.push(flow(
            "refunds",
            "Refunds",
            Trigger::OrderRefunded,
            vec![Step::CreditNote],
        ));
        flows.push(flow(
            "cancellations",
            "Cancellations and voids",
            Trigger::OrderCancelled,
            vec![Step::CreditNote],
        ));
    }
    FlowDocument {
        version: FLOWS_VERSION,
        flows,
    }
}

impl OrderPlan {
    /// The preview of what this plan posts for the order: the mapping under the plan's rules,
    /// shaped to its customer, the request finished to its steps. `None` without an Invoice step.
    pub fn preview(
        &self,
        order: &OrderSnapshot,
        rules: &MappingRules,
    ) -> Option<Result<crate::mapping::Preview, crate::order::ValidationErrors>> {
        self.invoice?;
        Some(
            crate::mapping::map_order(order, &self.rules(rules)).map(|mapped| {
                let mut inv = mapped.invoice;
                self.shape(&mut inv);
                let mut request = crate::mapping::to_kashflow::invoice_request(&inv);
                self.finish(&mut request);
                crate::mapping::Preview {
                    kashflow_invoice: request,
                    kashflow_customer: crate::mapping::to_kashflow::customer_request(&inv.customer),
                    canonical: inv,
                    warnings: mapped.warnings,
                }
            }),
        )
    }
}

/// The order triggers in the order an order lives through them.
pub const ORDER_LIFE: [Trigger; 5] = [
    Trigger::OrderPlaced,
    Trigger::OrderPaid,
    Trigger::OrderShipped,
    Trigger::OrderDelivered,
    Trigger::OrderCompleted,
];

/// The order triggers `order` has passed: placed always; paid, shipped, delivered, completed
/// when their event is in the journal (`events`, the kinds received) or the snapshot itself
/// says so (paid, complete), so an order paid while the process was down, whose event never
/// came, counts as paid once its snapshot is sent again by the catch-up.
pub fn passed(order: &OrderSnapshot, events: &[String]) -> Vec<Trigger> {
    ORDER_LIFE
        .into_iter()
        .filter(|t| {
            *t == Trigger::OrderPlaced
                || events.iter().any(|e| e == t.as_str())
                || (*t == Trigger::OrderPaid && order.payment_status.was_paid())
                || (*t == Trigger::OrderCompleted && order.order_status == OrderStatus::Complete)
        })
        .collect()
}

/// What the order's invoice job does now.
#[derive(Debug, Clone, PartialEq)]
pub enum InvoiceDecision {
    /// Post the invoice with this plan (the earliest trigger passed whose flow has an Invoice
    /// step).
    Post(OrderPlan),
    /// Not yet: a flow on one of these triggers (with the flow's name) would post it.
    Wait(Vec<(Trigger, String)>),
    /// No invoice ever, but the placed flow keeps the customer in step (a Customer step alone).
    CustomerOnly(OrderPlan),
    /// No flow posts anything for this order; why, per trigger.
    Nothing(Vec<String>),
}

/// The one decision of the order's invoice job, from the flows, the order and its events.
pub fn decide_invoice(
    doc: &FlowDocument,
    order: &OrderSnapshot,
    events: &[String],
) -> InvoiceDecision {
    let passed = passed(order, events);
    let mut why = Vec::new();
    for t in &passed {
        let plan = OrderPlan::decide(doc, *t, order);
        if plan.invoice.is_some() {
            return InvoiceDecision::Post(plan);
        }
        why.extend(plan.explanation.iter().map(|l| format!("{t}: {l}")));
    }
    let later: Vec<(Trigger, String)> = ORDER_LIFE
        .into_iter()
        .filter(|t| !passed.contains(t))
        .filter_map(|t| {
            let plan = OrderPlan::decide(doc, t, order);
            plan.invoice
                .map(|_| (t, plan.flow_name.unwrap_or_default()))
        })
        .collect();
    if !later.is_empty() {
        return InvoiceDecision::Wait(later);
    }
    let placed = OrderPlan::decide(doc, Trigger::OrderPlaced, order);
    if placed.customer.is_some() {
        return InvoiceDecision::CustomerOnly(placed);
    }
    InvoiceDecision::Nothing(why)
}
