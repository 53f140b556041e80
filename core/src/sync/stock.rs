//! Stock pull: KashFlow's stock levels for stock-managed products become `SetStock` outcomes
//! telling the host which nopCommerce stock quantity to set.
//!
//! Stock moves in KashFlow only through invoices (a line naming a stock-managed product lowers
//! `QuantityInStock` when the invoice is created) and the credit notes of cancellations and voids
//! (their product lines put it back, as nopCommerce does; a refund's credit note carries no product
//! codes, as nopCommerce does not restock a refund), so the sync never adjusts stock itself — that
//! would count every sale twice. Each managed product is reported under its nopCommerce SKU (the
//! reverse of the rules' SKU → product code map; the same string by default), with the quantity
//! truncated to whole units (nopCommerce stock is an integer).
//!
//! Orders the shop has taken but KashFlow has not invoiced yet (journaled and not synced: pending,
//! in flight, retrying, or failed and waiting for the admin) already left nopCommerce's stock but
//! not KashFlow's, so their quantities are subtracted from KashFlow's figure — otherwise setting
//! nopCommerce to KashFlow's number would sell those goods a second time. Cancelled orders are not
//! subtracted (nopCommerce puts their stock back). The journal is read before KashFlow, so an order
//! posted in between is counted twice and the figure is briefly too low (never too high); the next
//! pull corrects it.

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;

use crate::engine::{EngineError, JobContext, JobDone, OutcomeSpec, RecordState};
use crate::mapping::rules::MappingRules;
use crate::order::parse_snapshot;

use super::connection::Connection;
use super::failure::Failure;
use super::trace::traced_op;
use crate::kashflow::transport::Op;

/// Quantity per KashFlow product code (upper case) of orders taken but not yet invoiced.
fn unposted_quantities(
    ctx: &JobContext<'_>,
    rules: &MappingRules,
) -> Result<BTreeMap<String, i64>, EngineError> {
    let states = [
        RecordState::Pending,
        RecordState::InFlight,
        RecordState::Retrying,
        RecordState::Failed,
    ]
    .map(RecordState::as_str);
    let snapshots: Vec<Vec<u8>> = ctx.journal.read(move |c| {
        let mut stmt = c.prepare(
            "SELECT snapshot FROM records
             WHERE state IN (?1, ?2, ?3, ?4)
               AND cancelled = 0 AND invoice_number IS NULL AND snapshot IS NOT NULL",
        )?;
        let rows = stmt.query_map(states, |r| r.get::<_, Vec<u8>>(0))?;
        Ok(rows.filter_map(Result::ok).collect())
    })?;
    let mut out = BTreeMap::new();
    for s in snapshots {
        // A snapshot that cannot be read never reaches KashFlow either way; nothing to subtract.
        if let Ok(order) = parse_snapshot(&s) {
            for item in &order.items {
                if let Some(sku) = item.sku.as_deref() {
                    *out.entry(rules.product_code(sku.trim()).to_ascii_uppercase())
                        .or_insert(0) += item.quantity;
                }
            }
        }
    }
    Ok(out)
}

pub async fn pull_stock(
    ctx: &JobContext<'_>,
    conn: &Connection,
    rules: &MappingRules,
) -> Result<JobDone, Failure> {
    let unposted = unposted_quantities(ctx, rules).map_err(|e| Failure::Wait {
        reason: format!("the journal could not be read for the stock pull: {e}"),
        recheck_after: Some(std::time::Duration::from_secs(5)),
    })?;
    let products = traced_op(ctx, conn, Op::ListProducts, conn.transport.list_products())
        .await
        .map_err(|e| Failure::kf("reading KashFlow products for the stock pull", e))?;
    let sku_of: BTreeMap<String, String> = rules
        .product_codes
        .iter()
        .map(|(sku, code)| (code.to_ascii_uppercase(), sku.clone()))
        .collect();
    let mut outcomes = Vec::new();
    for p in products.iter().filter(|p| p.manage_stock_level) {
        let sku = sku_of
            .get(&p.code.to_ascii_uppercase())
            .cloned()
            .unwrap_or_else(|| p.code.clone());
        let in_kashflow = p.quantity_in_stock.trunc().to_i64().unwrap_or(0);
        let quantity = in_kashflow
            - unposted
                .get(&p.code.to_ascii_uppercase())
                .copied()
                .unwrap_or(0);
        outcomes.push(OutcomeSpec::SetStock { sku, quantity });
    }
    Ok(JobDone {
        message: Some(format!(
            "stock levels of {} stock-managed KashFlow products pulled",
            outcomes.len()
        )),
        outcomes,
        ..Default::default()
    })
}
