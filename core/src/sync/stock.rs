//! Stock pull: KashFlow's stock levels for stock-managed products become `SetStock` outcomes
//! telling the host which nopCommerce stock quantity to set.
//!
//! Stock moves in KashFlow only through invoices (a line naming a stock-managed product lowers
//! `QuantityInStock` when the invoice is created), so the sync never adjusts stock itself — that
//! would count every sale twice. Each managed product is reported under its nopCommerce SKU (the
//! reverse of the rules' SKU → product code map; the same string by default), with the quantity
//! truncated to whole units (nopCommerce stock is an integer).

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;

use crate::engine::{JobContext, JobDone, OutcomeSpec};
use crate::mapping::rules::MappingRules;

use super::connection::Connection;
use super::failure::Failure;
use super::trace::traced;

pub async fn pull_stock(
    ctx: &JobContext<'_>,
    conn: &Connection,
    rules: &MappingRules,
) -> Result<JobDone, Failure> {
    let products = traced(ctx, "GET", "/products".into(), conn.client.list_products())
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
        let quantity = p.quantity_in_stock.trunc().to_i64().unwrap_or(0);
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
