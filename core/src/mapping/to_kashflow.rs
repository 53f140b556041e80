//! Canonical invoice → KashFlow REST v2 request bodies (`kashflow::model`). Pure translation:
//! every decision was made when the canonical invoice was built.
//!
//! - `VATLevel` is always sent, even 0 (KashFlow may otherwise default it to a non-zero rate).
//! - Dates are calendar dates, sent as KashFlow does: noon, "YYYY-MM-DD 12:00:00".
//! - Line `Number` is 0 (new line; KashFlow keeps the order sent).
//! - Totals are not sent: KashFlow computes them from the lines (which add up by construction).
//! - New customers are created with `CreateCustomerCodeIfDuplicate: false`: our codes are
//!   deterministic, so a duplicate means the customer exists and must be reused, not copied.

use crate::kashflow::model::{
    Address, Contact, Customer, Invoice, InvoiceCurrency, LineItem, PaymentLine,
};
use crate::kashflow::wire::KfDateTime;

use super::address::is_eu_country;
use super::canonical::{
    CanonicalAddress, CanonicalCustomer, CanonicalInvoice, CanonicalLine, CanonicalPayment,
};

pub fn address(a: &CanonicalAddress) -> Address {
    Address {
        line1: a.line1.clone(),
        line2: a.line2.clone(),
        line3: a.line3.clone(),
        line4: a.line4.clone(),
        post_code: a.post_code.clone(),
        country_code: a.country_code.clone(),
        country_name: a.country_name.clone(),
    }
}

pub fn line_item(l: &CanonicalLine) -> LineItem {
    LineItem {
        number: 0,
        description: l.description.clone(),
        quantity: l.quantity,
        rate: l.rate,
        vat_level: l.vat_rate,
        vat_amount: l.vat_amount,
        vat_exempt: l.vat_exempt,
        nominal_code: l.nominal_code,
        product_code: l.product_code.clone(),
        product_name: None,
        project_number: 0,
    }
}

pub fn payment_line(p: &CanonicalPayment) -> PaymentLine {
    PaymentLine {
        id: None,
        date: Some(KfDateTime::from_date(p.date)),
        amount: p.amount,
        method: p.method_id,
        account_id: p.bank_account_id,
        note: Some(p.note.clone()),
        reference: None,
        permalink: None,
        ..PaymentLine::default()
    }
}

/// Whether a separate delivery address should be used (present and not the billing address).
fn custom_delivery(c: &CanonicalCustomer) -> bool {
    matches!((&c.address, &c.delivery_address), (Some(b), Some(d)) if b != d)
        || (c.address.is_none() && c.delivery_address.is_some())
}

/// The `POST /invoices` body.
pub fn invoice_request(inv: &CanonicalInvoice) -> Invoice {
    let c = &inv.customer;
    Invoice {
        number: inv.invoice_number,
        customer_code: c.code.clone(),
        customer_name: Some(c.name.clone()),
        customer_reference: Some(inv.customer_reference.clone()),
        issued_date: Some(KfDateTime::from_date(inv.issued_date)),
        due_date: Some(KfDateTime::from_date(inv.due_date)),
        currency: Some(InvoiceCurrency {
            code: inv.currency.code.clone(),
            exchange_rate: inv.currency.exchange_rate,
            ..InvoiceCurrency::default()
        }),
        address: c.address.as_ref().map(address),
        delivery_address: c.delivery_address.as_ref().map(address),
        use_custom_delivery_address: custom_delivery(c),
        // KashFlow's invoice VATNumber is the seller's; the customer's number is on the customer.
        vat_number: None,
        line_items: Some(inv.lines.iter().map(line_item).collect()),
        payment_lines: Some(inv.payments.iter().map(payment_line).collect()),
        ..Invoice::default()
    }
}

/// The `POST /customers` body for the order's customer.
pub fn customer_request(c: &CanonicalCustomer) -> Customer {
    let country = c
        .address
        .as_ref()
        .and_then(|a| a.country_code.clone())
        .unwrap_or_default();
    let registered = c.vat_number.is_some();
    let in_ec = registered && is_eu_country(&country);
    Customer {
        code: c.code.clone(),
        name: c.name.clone(),
        email: Some(c.email.clone()),
        telephone_number: c.phone.clone(),
        contacts: vec![Contact {
            name: Some(
                [c.first_name.as_deref(), c.last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            )
            .filter(|n| !n.is_empty()),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: Some(c.email.clone()),
            telephone: c.phone.clone(),
            ..Contact::default()
        }],
        addresses: c.address.iter().map(address).collect(),
        delivery_addresses: c.delivery_address.iter().map(address).collect(),
        use_custom_delivery_address: custom_delivery(c),
        vat_number: c.vat_number.clone(),
        is_registered_in_ec: in_ec,
        is_registered_outside_ec: registered && !in_ec && country != "GB" && !country.is_empty(),
        note: Some(if c.is_guest {
            format!(
                "Created by KashFlow Sync for nopCommerce guest checkout (customer #{})",
                c.nop_customer_id
            )
        } else {
            format!(
                "Created by KashFlow Sync for nopCommerce customer #{}",
                c.nop_customer_id
            )
        }),
        create_customer_code_if_duplicate: false,
        create_customer_name_if_empty_or_null: false,
        ..Customer::default()
    }
}
