//! Credit notes applied to invoices (`/internal/invoices/{id}/credits`).

use super::*;

impl Account {
    /// `GET /internal/invoices/{invoiceid}/credits`: the customer's credit notes (same currency)
    /// that still have credit.
    pub fn credits_for(&self, invoice_id: i64) -> Result<Vec<CreditApplication>, ApiError> {
        let number = self.invoice_by_id(invoice_id).ok_or_else(|| {
            ApiError::not_found(format!("Invoice with Id {invoice_id} was not found."))
        })?;
        let inv = &self.invoices[&number];
        let code = inv.currency.as_ref().map(|c| c.code.clone());
        Ok(self
            .invoices
            .values()
            .filter(|c| {
                cn::is_credit_note(c)
                    && c.customer_code.eq_ignore_ascii_case(&inv.customer_code)
                    && c.currency.as_ref().map(|c| c.code.clone()) == code
                    && cn::credit_left(c) > Decimal::ZERO
            })
            .map(|c| CreditApplication {
                id: c.id.unwrap_or_default(),
                credit_type: cn::CREDIT_NOTE_TYPE.into(),
                amount: cn::credit_left(c),
                date: c.issued_date,
                comment: Some(format!("Credit note {}", c.number.unwrap_or_default())),
            })
            .collect())
    }

    /// `POST /internal/invoices/{invoiceid}/credits`: apply a credit note to an invoice.
    pub fn apply_credit(
        &mut self,
        invoice_id: i64,
        raw: &Value,
    ) -> Result<CreditApplication, ApiError> {
        let number = self.invoice_by_id(invoice_id).ok_or_else(|| {
            ApiError::not_found(format!("Invoice with Id {invoice_id} was not found."))
        })?;
        let req: CreditApplication = decode(raw, "credit")?;
        let bad = |code: &str, msg: String| Err(ApiError::bad_request(code, msg));
        if !req.credit_type.eq_ignore_ascii_case(cn::CREDIT_NOTE_TYPE) {
            return bad(
                "InvalidCreditType",
                format!(
                    "Type: '{}' is not supported by the sandbox (only CreditNote).",
                    req.credit_type
                ),
            );
        }
        let inv = self.invoices[&number].clone();
        if cn::is_credit_note(&inv) {
            return bad(
                "InvalidInvoice",
                format!("{number} is a credit note; a credit is applied to an invoice."),
            );
        }
        let Some(cn_number) = self.invoice_by_id(req.id) else {
            return bad(
                "InvalidCreditId",
                format!("Id: {} is not a credit note on this account.", req.id),
            );
        };
        let note = self.invoices[&cn_number].clone();
        if !cn::is_credit_note(&note) {
            return bad(
                "InvalidCreditId",
                format!("Id: {} is invoice {cn_number}, not a credit note.", req.id),
            );
        }
        if !note.customer_code.eq_ignore_ascii_case(&inv.customer_code) {
            return bad(
                "InvalidCreditId",
                format!(
                    "Id: credit note {cn_number} is customer {}'s, invoice {number} is customer {}'s.",
                    note.customer_code, inv.customer_code
                ),
            );
        }
        let cur = |d: &Invoice| d.currency.as_ref().map(|c| c.code.clone());
        if cur(&note) != cur(&inv) {
            return bad(
                "InvalidCurrency",
                format!(
                    "credit note {cn_number} and invoice {number} are in different currencies."
                ),
            );
        }
        let amount = req.amount;
        if amount <= Decimal::ZERO || !max_dp(amount, 2) {
            return bad(
                "InvalidAmount",
                format!("Amount: {amount} must be a positive amount in pence."),
            );
        }
        let left = cn::credit_left(&note);
        if amount > left {
            return bad(
                "InvalidAmount",
                format!(
                    "Amount: {amount} is more than the {left} left on credit note {cn_number}."
                ),
            );
        }
        let due = inv.due_amount.unwrap_or_default();
        if amount > due {
            return bad(
                "InvalidAmount",
                format!("Amount: {amount} is more than the {due} due on invoice {number}."),
            );
        }
        let date = req.date.or(note.issued_date).unwrap_or_else(now_london);
        let mut pay = |target: i64, reference: i64, text: String| {
            let id = self.next_payment_id;
            self.next_payment_id += 1;
            let line = PaymentLine {
                id: Some(id),
                date: Some(date),
                amount,
                method: 0,
                account_id: 0,
                note: Some(text),
                reference: Some(reference.to_string()),
                permalink: None,
                invoice_number: Some(target),
                bulk_id: None,
                bulk_payment_number: None,
                is_payment_credit_note: Some(true),
            };
            let doc = self.invoices.get_mut(&target).expect("exists");
            doc.payment_lines.get_or_insert_with(Vec::new).push(line);
            Self::retotal(doc);
        };
        pay(number, cn_number, format!("Credit note {cn_number}"));
        pay(cn_number, number, format!("Applied to invoice {number}"));
        self.refresh_customer_stats(&upper(&inv.customer_code));
        Ok(CreditApplication {
            id: req.id,
            credit_type: cn::CREDIT_NOTE_TYPE.into(),
            amount,
            date: Some(date),
            comment: Some(format!(
                "Credit note {cn_number} applied to invoice {number}"
            )),
        })
    }
}
