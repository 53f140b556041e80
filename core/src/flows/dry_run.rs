//! The dry run: what the flows would have done with a list of orders, posting nothing. One row
//! per order and trigger (placed, then each event the host lists), with the matched flow, the
//! explanation, the steps and the invoice total the mapping gives under that flow.

use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use super::model::{FlowDocument, Trigger};
use super::plan::OrderPlan;
use crate::engine::EngineError;
use crate::mapping::map_order;
use crate::mapping::rules::MappingRules;
use crate::mapping::text::quote;
use crate::order::{parse_snapshot, OrderSnapshot};

/// Most orders one dry run takes (the admin page asks for the last N; this keeps a stray call
/// from holding the thread for long).
pub const ORDERS_MAX: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DryRunRow {
    pub order_id: Option<i64>,
    pub custom_order_number: Option<String>,
    pub trigger: Option<Trigger>,
    /// The matched flow's id; `None`: nothing happens on this trigger.
    pub flow: Option<String>,
    pub explanation: Vec<String>,
    pub steps: Vec<String>,
    /// The invoice's gross total in its currency, when the flow posts an invoice.
    pub invoice_total: Option<String>,
    /// The invoice's currency, beside `InvoiceTotal`.
    pub currency: Option<String>,
    /// Why this order could not be evaluated or mapped, if so.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DryRun {
    pub rows: Vec<DryRunRow>,
    pub orders: usize,
    pub elapsed_ms: u64,
}

/// Run `doc` over `orders_json`: a JSON array of order snapshots, or of
/// `{"Snapshot": {...}, "Events": ["OrderPaid", ...]}` (a bare snapshot: just placed).
pub fn dry_run(
    doc: &FlowDocument,
    orders_json: &[u8],
    rules: &MappingRules,
) -> Result<DryRun, EngineError> {
    let start = Instant::now();
    let value: Value = serde_json::from_slice(orders_json).map_err(|e| {
        EngineError::invalid_document(
            format!("the orders are not valid JSON: {}", quote(&e.to_string())),
            None,
        )
    })?;
    let Some(items) = value.as_array() else {
        return Err(EngineError::invalid_document(
            "the orders must be a JSON array of order snapshots",
            None,
        ));
    };
    if items.len() > ORDERS_MAX {
        return Err(EngineError::invalid_document(
            format!(
                "a dry run takes at most {ORDERS_MAX} orders, found {}",
                items.len()
            ),
            None,
        ));
    }
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let (snapshot, events) = split(item, i)?;
        let mut triggers = vec![Trigger::OrderPlaced];
        triggers.extend(events);
        let bytes = serde_json::to_vec(snapshot).unwrap_or_default();
        let parsed = parse_snapshot(&bytes).map_err(|e| e.to_string());
        let order = match parsed {
            Ok(o) => o,
            Err(why) => {
                rows.push(DryRunRow {
                    order_id: snapshot.get("Id").and_then(Value::as_i64),
                    custom_order_number: snapshot
                        .get("CustomOrderNumber")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    trigger: None,
                    flow: None,
                    explanation: Vec::new(),
                    steps: Vec::new(),
                    invoice_total: None,
                    currency: None,
                    error: Some(format!("the order cannot be read: {why}")),
                });
                continue;
            }
        };
        for trigger in triggers {
            rows.push(row(doc, trigger, &order, rules));
        }
    }
    Ok(DryRun {
        rows,
        orders: items.len(),
        elapsed_ms: start.elapsed().as_millis() as u64,
    })
}

fn row(
    doc: &FlowDocument,
    trigger: Trigger,
    order: &OrderSnapshot,
    rules: &MappingRules,
) -> DryRunRow {
    let plan = OrderPlan::decide(doc, trigger, order);
    let mut row = DryRunRow {
        order_id: Some(order.id),
        custom_order_number: Some(order.custom_order_number.clone()),
        trigger: Some(trigger),
        flow: plan.flow.clone(),
        explanation: plan.explanation.clone(),
        steps: plan.steps.clone(),
        invoice_total: None,
        currency: None,
        error: None,
    };
    if plan.invoice.is_some() {
        match map_order(order, &plan.rules(rules)) {
            Ok(mapped) => {
                row.invoice_total = Some(format!("{:.2}", mapped.invoice.gross_total));
                row.currency = Some(mapped.invoice.currency.code.clone());
            }
            Err(e) => row.error = Some(format!("the invoice cannot be made: {e}")),
        }
    }
    row
}

/// One entry of the orders array: the snapshot and the events after placing.
fn split(item: &Value, i: usize) -> Result<(&Value, Vec<Trigger>), EngineError> {
    let Some(snapshot) = item.get("Snapshot") else {
        return Ok((item, Vec::new()));
    };
    let mut events = Vec::new();
    if let Some(list) = item.get("Events").filter(|e| !e.is_null()) {
        let Some(list) = list.as_array() else {
            return Err(EngineError::invalid_document(
                "Events must be a list of event kinds",
                Some(&format!("[{i}].Events")),
            ));
        };
        for (j, e) in list.iter().enumerate() {
            let trigger = e.as_str().and_then(|name| match name {
                // A void is handled as a cancellation (see the README's credit-note table).
                "OrderVoided" => Some(Trigger::OrderCancelled),
                other => Trigger::parse(other).filter(|t| {
                    !matches!(
                        t.subject(),
                        super::model::Subject::Customer | super::model::Subject::Product
                    ) && *t != Trigger::OrderPlaced
                }),
            });
            match trigger {
                Some(t) => events.push(t),
                None => {
                    return Err(EngineError::invalid_document(
                        format!(
                            "event {} is not one of OrderPaid, OrderShipped, OrderDelivered, OrderCompleted, OrderRefunded, OrderCancelled, OrderVoided",
                            quote(&e.to_string())
                        ),
                        Some(&format!("[{i}].Events[{j}]")),
                    ))
                }
            }
        }
    }
    Ok((snapshot, events))
}
