//! Invoices: lines, VAT, totals, payments, stock moves, numbering; create, update, delete.

use super::*;

impl Account {
    pub(super) fn invoice_currency(
        &self,
        req: Option<&InvoiceCurrency>,
    ) -> Result<InvoiceCurrency, ApiError> {
        let c = self.account_currency(req.map(|c| c.code.as_str()))?;
        let code = c.code.clone();
        let sent_rate = req.map(|c| c.exchange_rate).unwrap_or_default();
        let rate = if sent_rate.is_zero() {
            c.exchange_rate
        } else {
            sent_rate
        };
        if rate <= Decimal::ZERO {
            return Err(ApiError::bad_request(
                "InvalidExchangeRate",
                format!("Currency.ExchangeRate must be positive, not {rate}."),
            ));
        }
        if code == self.home_currency && rate != Decimal::ONE {
            return Err(ApiError::bad_request(
                "InvalidExchangeRate",
                format!(
                    "Currency.ExchangeRate: the home currency {code} always has rate 1, not {rate}."
                ),
            ));
        }
        Ok(InvoiceCurrency {
            code: c.code.clone(),
            exchange_rate: rate,
            id: c.id,
            name: Some(c.name.clone()),
            symbol: Some(c.symbol.clone()),
            display_symbol_on_right: Some(c.display_symbol_on_right),
        })
    }

    pub(super) fn price_line(
        &self,
        i: usize,
        line: &LineItem,
        raw_line: Option<&Value>,
    ) -> Result<LineItem, ApiError> {
        let at = |field: &str| format!("LineItems[{i}].{field}");
        let bad = |code: &str, msg: String| Err(ApiError::bad_request(code, msg));
        if line.quantity.is_zero() {
            return bad(
                "InvalidQuantity",
                format!("{}: must not be zero.", at("Quantity")),
            );
        }
        if !max_dp(line.quantity, 4) {
            return bad(
                "InvalidQuantity",
                format!(
                    "{}: {} has more than 4 decimal places.",
                    at("Quantity"),
                    line.quantity
                ),
            );
        }
        if !max_dp(line.rate, 4) {
            return bad(
                "InvalidRate",
                format!(
                    "{}: {} has more than 4 decimal places.",
                    at("Rate"),
                    line.rate
                ),
            );
        }
        if line.vat_exempt {
            if !line.vat_level.is_zero() {
                return bad(
                    "InvalidVATLevel",
                    format!(
                        "{}: a VAT-exempt line must have VATLevel 0, not {}.",
                        at("VATLevel"),
                        line.vat_level.normalize()
                    ),
                );
            }
        } else if !self.vat_rates.iter().any(|r| r.vat_rate == line.vat_level) {
            let rates: Vec<String> = self
                .vat_rates
                .iter()
                .map(|r| r.vat_rate.normalize().to_string())
                .collect();
            return bad(
                "InvalidVATLevel",
                format!(
                    "{}: {} is not one of this account's VAT rates ({}).",
                    at("VATLevel"),
                    line.vat_level.normalize(),
                    rates.join(", ")
                ),
            );
        }
        if line.nominal_code == 0 {
            return bad(
                "InvalidNominalCode",
                format!("{}: is required.", at("NominalCode")),
            );
        }
        if !self.nominals.contains_key(&line.nominal_code) {
            return bad(
                "InvalidNominalCode",
                format!(
                    "{}: {} is not a nominal code on this account.",
                    at("NominalCode"),
                    line.nominal_code
                ),
            );
        }
        let mut out = line.clone();
        out.number = i as i64 + 1;
        if blank(&line.product_code) {
            out.product_code = None;
        } else {
            let code = line.product_code.as_deref().unwrap_or_default().trim();
            match self.product(code) {
                None => {
                    return bad(
                        "InvalidProductCode",
                        format!(
                            "{}: '{code}' is not a product on this account.",
                            at("ProductCode")
                        ),
                    )
                }
                Some(p) if p.nominal_code != line.nominal_code => {
                    return bad(
                        "InvalidProductCode",
                        format!(
                            "{}: product '{code}' belongs to nominal {}, not {}.",
                            at("ProductCode"),
                            p.nominal_code,
                            line.nominal_code
                        ),
                    )
                }
                Some(p) => {
                    out.product_code = Some(p.code.clone());
                    if blank(&line.product_name) {
                        out.product_name = Some(p.name.clone());
                    }
                }
            }
        }
        let computed = if line.vat_exempt {
            Decimal::ZERO
        } else {
            round_money(line.quantity * line.rate * line.vat_level / Decimal::ONE_HUNDRED)
        };
        let sent = raw_line
            .and_then(|l| caseless::get(l, "VATAmount"))
            .filter(|v| !v.is_null())
            .map(|_| line.vat_amount);
        out.vat_amount = match sent {
            None => computed,
            Some(s) => {
                if !max_dp(s, 2) {
                    return bad(
                        "InvalidVATAmount",
                        format!("{}: {} has more than 2 decimal places.", at("VATAmount"), s),
                    );
                }
                if (s - computed).abs() > Decimal::new(1, 2) {
                    return bad(
                        "InvalidVATAmount",
                        format!(
                            "{}: {} does not match Quantity × Rate × VATLevel% = {} (more than 0.01 apart).",
                            at("VATAmount"),
                            s.normalize(),
                            computed
                        ),
                    );
                }
                s
            }
        };
        Ok(out)
    }

    pub(super) fn price_payments(
        &mut self,
        number: i64,
        req: &[PaymentLine],
        previous: Option<&Invoice>,
    ) -> Result<Vec<PaymentLine>, ApiError> {
        let known: Vec<&PaymentLine> = previous
            .and_then(|p| p.payment_lines.as_ref())
            .map(|l| l.iter().collect())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(req.len());
        for (i, p) in req.iter().enumerate() {
            let at = |field: &str| format!("PaymentLines[{i}].{field}");
            let bad = |code: &str, msg: String| Err(ApiError::bad_request(code, msg));
            // A credit allocation sent back with its Id is kept as KashFlow wrote it; a new one
            // can only be made through the credits endpoint.
            if let Some(old) =
                p.id.filter(|id| *id > 0)
                    .and_then(|id| known.iter().find(|k| k.id == Some(id)))
                    .filter(|k| k.is_payment_credit_note == Some(true))
            {
                out.push((*old).clone());
                continue;
            }
            if p.is_payment_credit_note == Some(true) {
                return bad(
                    "InvalidPaymentLine",
                    format!(
                        "{}: a credit allocation is made by applying the credit (POST /internal/invoices/{{id}}/credits), not as a payment line.",
                        at("IsPaymentCreditNote")
                    ),
                );
            }
            if p.amount <= Decimal::ZERO || !max_dp(p.amount, 2) {
                return bad(
                    "InvalidPaymentAmount",
                    format!(
                        "{}: {} must be a positive amount in pence.",
                        at("Amount"),
                        p.amount
                    ),
                );
            }
            if p.date.is_none() {
                return bad(
                    "InvalidPaymentDate",
                    format!("{}: is required.", at("Date")),
                );
            }
            if !self.payment_methods.iter().any(|m| m.id == p.method) {
                return bad(
                    "InvalidPaymentMethod",
                    format!(
                        "{}: {} is not an invoice payment method on this account.",
                        at("Method"),
                        p.method
                    ),
                );
            }
            if !self
                .bank_accounts
                .iter()
                .any(|b| b.id == p.account_id && !b.is_archived)
            {
                return bad(
                    "InvalidBankAccount",
                    format!(
                        "{}: {} is not a bank account on this account.",
                        at("AccountId"),
                        p.account_id
                    ),
                );
            }
            let mut line = p.clone();
            match p.id.filter(|id| *id > 0) {
                Some(id) => {
                    let old = known.iter().find(|k| k.id == Some(id)).ok_or_else(|| {
                        ApiError::bad_request(
                            "InvalidPaymentId",
                            format!("{}: payment {id} is not on invoice {number}.", at("Id")),
                        )
                    })?;
                    line.permalink = old.permalink.clone();
                    line.bulk_id = old.bulk_id;
                    line.bulk_payment_number = old.bulk_payment_number;
                }
                None => {
                    line.id = Some(self.next_payment_id);
                    self.next_payment_id += 1;
                    line.permalink =
                        Some(format!("/v2/documents/invoice/payment/{}", Uuid::new_v4()));
                }
            }
            line.invoice_number = Some(number);
            line.note = Some(line.note.unwrap_or_default());
            line.is_payment_credit_note = None;
            out.push(line);
        }
        // Strict: an allocation cannot be dropped by leaving it out of a PUT.
        if let Some(gone) = known
            .iter()
            .find(|k| k.is_payment_credit_note == Some(true) && !out.iter().any(|o| o.id == k.id))
        {
            return Err(ApiError::bad_request(
                "InvalidPaymentLine",
                format!(
                    "PaymentLines: the credit allocation {} of {} must be sent back with its Id; unallocate it first to remove it.",
                    gone.id.unwrap_or_default(),
                    gone.amount
                ),
            ));
        }
        Ok(out)
    }

    /// Validate a create/update body and compute everything KashFlow computes.
    pub(super) fn build_invoice(
        &mut self,
        raw: &Value,
        req: Invoice,
        number: i64,
        previous: Option<&Invoice>,
    ) -> Result<Invoice, ApiError> {
        let code = req.customer_code.trim();
        if code.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidCustomerCode",
                "CustomerCode: an invoice needs the code of an existing customer.",
            ));
        }
        let customer = self.customer(code).cloned().ok_or_else(|| {
            ApiError::bad_request(
                "InvalidCustomerCode",
                format!("CustomerCode: customer '{code}' does not exist."),
            )
        })?;
        let issued = req.issued_date.ok_or_else(|| {
            ApiError::bad_request("InvalidIssuedDate", "IssuedDate: is required.")
        })?;
        let due = match req.due_date {
            Some(d) => d,
            None => {
                let terms = customer.payment_terms.clone().unwrap_or_default();
                let base = if terms.kind.eq_ignore_ascii_case("AfterMonthEnd") {
                    end_of_month(issued.date())
                } else {
                    issued.date()
                };
                let days = if terms.days > 0 { terms.days } else { 30 };
                KfDateTime::from_date(base + ChronoDuration::days(days))
            }
        };
        if due.date() < issued.date() {
            return Err(ApiError::bad_request(
                "InvalidDueDate",
                format!("DueDate: {due} is before IssuedDate {issued}."),
            ));
        }
        let currency = self.invoice_currency(req.currency.as_ref())?;
        let lines = req.line_items.clone().unwrap_or_default();
        if lines.is_empty() {
            return Err(ApiError::bad_request(
                "InvalidLineItems",
                "LineItems: an invoice needs at least one line.",
            ));
        }
        let raw_lines = caseless::get(raw, "LineItems").and_then(Value::as_array);
        let mut priced = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            priced.push(self.price_line(i, l, raw_lines.and_then(|r| r.get(i)))?);
        }
        let net: Decimal = priced
            .iter()
            .map(|l| round_money(l.quantity * l.rate))
            .sum();
        let vat: Decimal = priced.iter().map(|l| l.vat_amount).sum();
        let gross = net + vat;
        // A negative total makes the document a credit note (kashflow::credit_note).
        let credit_note = gross < Decimal::ZERO;
        if credit_note {
            if let Some(i) = priced.iter().position(|l| l.quantity <= Decimal::ZERO) {
                return Err(ApiError::bad_request(
                    "InvalidQuantity",
                    format!(
                        "LineItems[{i}].Quantity: a credit note keeps Quantity positive and makes Rate and VATAmount negative."
                    ),
                ));
            }
        }
        if previous.is_some_and(|p| cn::is_credit_note(p) != credit_note) {
            return Err(ApiError::bad_request(
                "InvalidLineItems",
                "LineItems: an update cannot turn an invoice into a credit note or back.",
            ));
        }
        let payments = self.price_payments(
            number,
            req.payment_lines.as_deref().unwrap_or_default(),
            previous,
        )?;
        let paid: Decimal = payments.iter().map(|p| p.amount).sum();
        if paid > gross.abs() {
            return Err(ApiError::bad_request(
                "InvalidPaymentAmount",
                format!(
                    "PaymentLines: payments total {paid} but the {} total is {gross}.",
                    if credit_note {
                        "credit note"
                    } else {
                        "invoice"
                    }
                ),
            ));
        }
        // A credit note's due amount is the credit still open, as a negative amount.
        let due_amount = if credit_note {
            gross + paid
        } else {
            gross - paid
        };
        let last_payment = payments.iter().filter_map(|p| p.date).max();
        let is_paid = if credit_note {
            due_amount >= Decimal::ZERO
        } else {
            due_amount <= Decimal::ZERO
        };
        let today = now_london().date();
        let overdue = if !is_paid && due.date() < today {
            (today - due.date()).num_days()
        } else {
            0
        };
        let first_address = customer.addresses.first().cloned();
        let address = match req.address.clone() {
            Some(a) if a != Address::default() => Some(a),
            _ => first_address,
        };
        Ok(Invoice {
            id: previous.and_then(|p| p.id),
            number: Some(number),
            customer_code: customer.code.clone(),
            customer_name: Some(customer.name.clone()),
            customer_reference: Some(req.customer_reference.clone().unwrap_or_default()),
            issued_date: Some(issued),
            due_date: Some(due),
            currency: Some(currency.clone()),
            address,
            delivery_address: req.delivery_address.clone(),
            use_custom_delivery_address: req.use_custom_delivery_address,
            vat_number: Some(req.vat_number.clone().unwrap_or_default()),
            line_items: Some(priced),
            payment_lines: Some(payments),
            net_amount: Some(net),
            vat_amount: Some(vat),
            gross_amount: Some(gross),
            total_paid_amount: Some(paid),
            due_amount: Some(due_amount),
            home_currency_gross_amount: Some(round_money(gross / currency.exchange_rate)),
            status: Some(if is_paid { "Paid" } else { "Outstanding" }.into()),
            paid_date: if is_paid { last_payment } else { None },
            last_payment_date: last_payment,
            permalink: Some(
                previous
                    .and_then(|p| p.permalink.clone())
                    .unwrap_or_else(|| format!("/v2/documents/invoice/{}", Uuid::new_v4())),
            ),
            customer_id: customer.id,
            overdue_days: Some(if credit_note { 0 } else { overdue }),
            doc_type: Some(
                if credit_note {
                    cn::CREDIT_NOTE_TYPE
                } else {
                    cn::INVOICE_TYPE
                }
                .into(),
            ),
        })
    }

    /// Stock each stock-managed product would change by going from `old` lines to `new` lines;
    /// refuses (unless negative stock is allowed) when a product would go below zero.
    pub(super) fn stock_moves(
        &self,
        old: &[LineItem],
        new: &[LineItem],
        credit_note: bool,
    ) -> Result<Vec<(String, Decimal)>, ApiError> {
        let mut delta: BTreeMap<String, Decimal> = BTreeMap::new();
        // An invoice line takes stock out; a credit-note line puts it back.
        let (undo, apply) = if credit_note {
            (Decimal::NEGATIVE_ONE, Decimal::ONE)
        } else {
            (Decimal::ONE, Decimal::NEGATIVE_ONE)
        };
        for (lines, sign) in [(old, undo), (new, apply)] {
            for l in lines {
                if let Some(code) = l.product_code.as_deref() {
                    if self.product(code).is_some_and(|p| p.manage_stock_level) {
                        *delta.entry(upper(code)).or_default() += sign * l.quantity;
                    }
                }
            }
        }
        let moves: Vec<(String, Decimal)> =
            delta.into_iter().filter(|(_, d)| !d.is_zero()).collect();
        if !self.allow_negative_stock {
            for (key, d) in &moves {
                let p = &self.products[key];
                if p.quantity_in_stock + d < Decimal::ZERO {
                    return Err(ApiError::bad_request(
                        "InsufficientStock",
                        format!(
                            "Not enough stock of '{}': {} in stock, {} needed.",
                            p.code,
                            p.quantity_in_stock.normalize(),
                            (-*d).normalize()
                        ),
                    ));
                }
            }
        }
        Ok(moves)
    }

    pub(super) fn apply_stock(&mut self, moves: Vec<(String, Decimal)>) {
        for (key, d) in moves {
            if let Some(p) = self.products.get_mut(&key) {
                p.quantity_in_stock += d;
            }
        }
    }

    /// `POST /invoices`. A caller-supplied `Number` must be unique; none (or 0) means max + 1.
    pub fn create_invoice(&mut self, raw: &Value) -> Result<Invoice, ApiError> {
        let req: Invoice = decode(raw, "invoice")?;
        check_invoice_text(&req)?;
        let number = match req.number {
            Some(n) if n < 0 => {
                return Err(ApiError::bad_request(
                    "InvalidInvoiceNumber",
                    format!("Number: {n} is not a valid invoice number."),
                ))
            }
            Some(n) if n > 0 => {
                if self.invoices.contains_key(&n) {
                    return Err(ApiError::bad_request(
                        "DuplicateInvoiceNumber",
                        format!("Number: invoice number {n} already exists."),
                    ));
                }
                n
            }
            _ => self.next_invoice_number(),
        };
        let next_payment_id = self.next_payment_id;
        let mut inv = match self.build_invoice(raw, req, number, None) {
            Ok(inv) => inv,
            Err(e) => {
                self.next_payment_id = next_payment_id;
                return Err(e);
            }
        };
        let moves = match self.stock_moves(
            &[],
            inv.line_items.as_deref().unwrap_or_default(),
            cn::is_credit_note(&inv),
        ) {
            Ok(m) => m,
            Err(e) => {
                self.next_payment_id = next_payment_id;
                return Err(e);
            }
        };
        self.apply_stock(moves);
        inv.id = Some(self.next_invoice_id);
        self.next_invoice_id += 1;
        let key = upper(&inv.customer_code);
        self.invoices.insert(number, inv);
        self.refresh_customer_stats(&key);
        Ok(self.invoices[&number].clone())
    }

    /// `PUT /invoices/{number}`: full replacement. Lines and payments not in the body are gone;
    /// existing payments are kept by sending them back with their `Id`.
    pub fn update_invoice(&mut self, number: i64, raw: &Value) -> Result<Invoice, ApiError> {
        let previous = self
            .invoices
            .get(&number)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("Invoice {number} was not found.")))?;
        let req: Invoice = decode(raw, "invoice")?;
        check_invoice_text(&req)?;
        if let Some(n) = req.number.filter(|n| *n != 0 && *n != number) {
            return Err(ApiError::bad_request(
                "InvalidInvoiceNumber",
                format!("Number: {n} does not match the invoice being updated ({number})."),
            ));
        }
        let next_payment_id = self.next_payment_id;
        let built = self
            .build_invoice(raw, req, number, Some(&previous))
            .and_then(|inv| {
                let moves = self.stock_moves(
                    previous.line_items.as_deref().unwrap_or_default(),
                    inv.line_items.as_deref().unwrap_or_default(),
                    cn::is_credit_note(&inv),
                )?;
                Ok((inv, moves))
            });
        let (inv, moves) = match built {
            Ok(x) => x,
            Err(e) => {
                self.next_payment_id = next_payment_id;
                return Err(e);
            }
        };
        self.apply_stock(moves);
        let old_key = upper(&previous.customer_code);
        let new_key = upper(&inv.customer_code);
        self.invoices.insert(number, inv);
        self.refresh_customer_stats(&old_key);
        self.refresh_customer_stats(&new_key);
        Ok(self.invoices[&number].clone())
    }

    /// `DELETE /invoices/{number}`: gives the stock back. Refused while payments are recorded.
    pub fn delete_invoice(&mut self, number: i64) -> Result<(), ApiError> {
        let inv = self
            .invoices
            .get(&number)
            .ok_or_else(|| ApiError::not_found(format!("Invoice {number} was not found.")))?;
        if inv.payment_lines.as_ref().is_some_and(|p| !p.is_empty()) {
            return Err(ApiError::bad_request(
                "InvoiceHasPayments",
                format!("Invoice {number} has payments; remove them before deleting it."),
            ));
        }
        let moves = self.stock_moves(
            inv.line_items.as_deref().unwrap_or_default(),
            &[],
            cn::is_credit_note(inv),
        )?;
        let key = upper(&inv.customer_code);
        self.apply_stock(moves);
        self.invoices.remove(&number);
        self.refresh_customer_stats(&key);
        Ok(())
    }

    pub(super) fn invoice_by_id(&self, id: i64) -> Option<i64> {
        self.invoices
            .values()
            .find(|i| i.id == Some(id))
            .and_then(|i| i.number)
    }

    /// Totals that follow from the payment lines (after an allocation was added).
    pub(super) fn retotal(inv: &mut Invoice) {
        let gross = inv.gross_amount.unwrap_or_default();
        let credit_note = cn::is_credit_note(inv);
        let lines = inv.payment_lines.as_deref().unwrap_or_default();
        let paid: Decimal = lines.iter().map(|p| p.amount).sum();
        let last = lines.iter().filter_map(|p| p.date).max();
        let due = if credit_note {
            gross + paid
        } else {
            gross - paid
        };
        let is_paid = if credit_note {
            due >= Decimal::ZERO
        } else {
            due <= Decimal::ZERO
        };
        inv.total_paid_amount = Some(paid);
        inv.due_amount = Some(due);
        inv.last_payment_date = last;
        inv.paid_date = if is_paid { last } else { None };
        inv.status = Some(if is_paid { "Paid" } else { "Outstanding" }.into());
        if is_paid {
            inv.overdue_days = Some(0);
        }
    }
}

pub(super) fn check_invoice_text(inv: &Invoice) -> Result<(), ApiError> {
    use crate::kashflow::limits::{CUSTOMER_NAME, CUSTOMER_REFERENCE, LINE_DESCRIPTION, NOTE};
    check_len(
        "CustomerReference",
        inv.customer_reference.as_deref(),
        CUSTOMER_REFERENCE,
    )?;
    check_len("CustomerName", inv.customer_name.as_deref(), CUSTOMER_NAME)?;
    for (i, l) in inv.line_items.iter().flatten().enumerate() {
        check_len(
            &format!("LineItems[{i}].Description"),
            Some(&l.description),
            LINE_DESCRIPTION,
        )?;
    }
    for (i, p) in inv.payment_lines.iter().flatten().enumerate() {
        check_len(&format!("PaymentLines[{i}].Note"), p.note.as_deref(), NOTE)?;
    }
    if let Some(a) = &inv.address {
        check_address_text("Address", a)?;
    }
    if let Some(a) = &inv.delivery_address {
        check_address_text("DeliveryAddress", a)?;
    }
    Ok(())
}

pub(super) fn end_of_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid date") - ChronoDuration::days(1)
}
