//! Bulk payments over several invoices (all or nothing).

use super::*;

impl Account {
    /// `POST /invoices/bulk/payments`: all items are applied or none.
    pub fn create_bulk_payment(&mut self, raw: &Value) -> Result<BulkPayment, ApiError> {
        let req: BulkPayment = decode(raw, "bulk payment")?;
        let date = req
            .date
            .ok_or_else(|| ApiError::bad_request("InvalidPaymentDate", "Date: is required."))?;
        if req.payment_items.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidPaymentItems",
                "PaymentItems: a bulk payment needs at least one item.",
            ));
        }
        // Validate everything against a scratch copy, then keep it.
        let mut scratch = self.clone();
        let number = scratch.next_bulk_number;
        scratch.next_bulk_number += 1;
        let mut items = Vec::with_capacity(req.payment_items.len());
        let mut touched: HashMap<i64, ()> = HashMap::new();
        for (i, item) in req.payment_items.iter().enumerate() {
            let inv = scratch
                .invoices
                .get(&item.object_number)
                .cloned()
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "InvalidInvoiceNumber",
                        format!(
                            "PaymentItems[{i}].ObjectNumber: invoice {} does not exist.",
                            item.object_number
                        ),
                    )
                })?;
            let mut body = serde_json::to_value(&inv).map_err(|e| {
                ApiError::new(500, "InternalServerError", format!("serialising: {e}"))
            })?;
            let mut lines = inv.payment_lines.clone().unwrap_or_default();
            lines.push(PaymentLine {
                date: Some(item.paid_date.unwrap_or(date)),
                amount: item.amount,
                method: req.method,
                account_id: req.account_id,
                note: Some(req.comment.clone().unwrap_or_default()),
                ..PaymentLine::default()
            });
            body["PaymentLines"] = serde_json::to_value(&lines).map_err(|e| {
                ApiError::new(500, "InternalServerError", format!("serialising: {e}"))
            })?;
            let updated = scratch
                .update_invoice(item.object_number, &body)
                .map_err(|e| ApiError {
                    message: format!("PaymentItems[{i}]: {}", e.message),
                    ..e
                })?;
            let new_line = updated
                .payment_lines
                .as_ref()
                .and_then(|l| l.last())
                .cloned()
                .unwrap_or_default();
            if let Some(stored) = scratch
                .invoices
                .get_mut(&item.object_number)
                .and_then(|i| i.payment_lines.as_mut())
                .and_then(|l| l.last_mut())
            {
                stored.bulk_id = Some(number);
                stored.bulk_payment_number = Some(number);
            }
            touched.insert(item.object_number, ());
            items.push(crate::kashflow::model::BulkPaymentItem {
                id: new_line.id,
                amount: item.amount,
                contact_name: Some(updated.customer_name.clone().unwrap_or_default()),
                contact_reference: Some(updated.customer_code.clone()),
                object_issued_date: updated.issued_date,
                object_number: item.object_number,
                paid_date: new_line.date,
            });
        }
        let bulk = BulkPayment {
            number: Some(number),
            date: Some(date),
            comment: Some(req.comment.clone().unwrap_or_default()),
            account_id: req.account_id,
            method: req.method,
            reconciled: false,
            payment_items: items,
            permalink: Some(format!(
                "/v2/documents/invoice/bulkpayment/{}",
                Uuid::new_v4()
            )),
        };
        scratch.bulk_payments.insert(number, bulk.clone());
        *self = scratch;
        Ok(bulk)
    }

    // ----- products ----------------------------------------------------------------------
}
