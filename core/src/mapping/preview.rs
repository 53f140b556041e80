//! Mapping preview: what would be posted for a snapshot, without posting anything. Used by the
//! admin page (through the engine and the C ABI) and by `kfsync preview`.

use serde::{Deserialize, Serialize};

use crate::kashflow::model::{Customer, Invoice};
use crate::order::{parse_snapshot, ValidationErrors};

use super::canonical::CanonicalInvoice;
use super::map_order::map_order;
use super::rules::MappingRules;
use super::to_kashflow::{customer_request, invoice_request};
use super::warnings::Warning;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Preview {
    pub canonical: CanonicalInvoice,
    #[serde(rename = "KashFlowInvoice")]
    pub kashflow_invoice: Invoice,
    #[serde(rename = "KashFlowCustomer")]
    pub kashflow_customer: Customer,
    pub warnings: Vec<Warning>,
}

/// Parse, validate and map a snapshot; every problem found is returned.
pub fn preview(snapshot_json: &[u8], rules: &MappingRules) -> Result<Preview, ValidationErrors> {
    let order = parse_snapshot(snapshot_json)?;
    let mapped = map_order(&order, rules)?;
    Ok(Preview {
        kashflow_invoice: invoice_request(&mapped.invoice),
        kashflow_customer: customer_request(&mapped.invoice.customer),
        canonical: mapped.invoice,
        warnings: mapped.warnings,
    })
}
