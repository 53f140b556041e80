//! Who the invoice is for: the KashFlow customer of an order — a company for a business buyer,
//! with the person who ordered as its contact; its e-mail, addresses, phone and VAT number,
//! cleaned and within KashFlow's lengths.

use crate::order::{ErrorCode, ValidationError};

use super::address::{clean_text, standardise};
use super::canonical::{CanonicalAddress, CanonicalCustomer};
use super::context::Cx;
use super::customer::{customer_code, is_valid_email, normalise_email};
use super::text::{fit, fit_lazy, fit_opt, limits, quote};

/// The order's VAT number, upper-case without spaces.
pub fn vat_number(cx: &Cx) -> Option<String> {
    cx.o.vat_number
        .as_deref()
        .map(|v| {
            v.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_uppercase()
        })
        .filter(|v| !v.is_empty())
}

fn fit_address(cx: &mut Cx, a: CanonicalAddress, path: &str) -> CanonicalAddress {
    let w = &mut cx.warnings;
    // Field paths are spelled out only for a value that is cut (this runs for every order).
    let mut field = |v: Option<String>, max: usize, name: &str| {
        v.map(|t| fit_lazy(t, max, &|| format!("{path}.{name}"), w))
    };
    CanonicalAddress {
        line1: field(a.line1, limits::ADDRESS_LINE, "Address1"),
        line2: field(a.line2, limits::ADDRESS_LINE, "Address2"),
        line3: field(a.line3, limits::ADDRESS_LINE, "City"),
        line4: field(a.line4, limits::ADDRESS_LINE, "County"),
        post_code: field(a.post_code, limits::POST_CODE, "ZipPostalCode"),
        country_code: a.country_code,
        country_name: a.country_name,
    }
}

/// Build the order's customer; problems go to `cx.errors`.
pub fn customer(cx: &mut Cx) -> CanonicalCustomer {
    let o = cx.o;
    let billing = standardise(&o.billing_address, "BillingAddress", &mut cx.errors);
    let billing = fit_address(cx, billing, "BillingAddress");
    let shipping = o.shipping_address.as_ref().map(|a| {
        let s = standardise(a, "ShippingAddress", &mut cx.errors);
        fit_address(cx, s, "ShippingAddress")
    });
    let (raw_email, email_path) = match clean_text(o.customer.email.as_deref()) {
        Some(e) => (Some(e), "Customer.Email"),
        None => (
            clean_text(o.billing_address.email.as_deref()),
            "BillingAddress.Email",
        ),
    };
    let email = raw_email
        .as_deref()
        .map(normalise_email)
        .unwrap_or_default();
    match &raw_email {
        None => cx.errors.push(ValidationError::new(
            ErrorCode::InvalidEmail,
            "Customer.Email",
            "The order has no e-mail address (neither the customer nor the billing address has one).",
        )),
        Some(raw) if !is_valid_email(&email) || email.chars().count() > limits::EMAIL => {
            cx.errors.push(ValidationError::new(
                ErrorCode::InvalidEmail,
                email_path,
                format!("The e-mail address '{}' is not valid.", quote(raw)),
            ))
        }
        _ => {}
    }
    let c = &o.customer;
    let b = &o.billing_address;
    let (first_name, last_name) = {
        let f = clean_text(c.first_name.as_deref());
        let l = clean_text(c.last_name.as_deref());
        if f.is_some() || l.is_some() {
            (f, l)
        } else {
            (
                clean_text(b.first_name.as_deref()),
                clean_text(b.last_name.as_deref()),
            )
        }
    };
    let w = &mut cx.warnings;
    let first_name = fit_opt(first_name, limits::CUSTOMER_NAME, "Customer.FirstName", w);
    let last_name = fit_opt(last_name, limits::CUSTOMER_NAME, "Customer.LastName", w);
    // A business buyer: the company on the billing address (what the order was placed as), else
    // the one on the customer's account.
    let company = clean_text(b.company.as_deref()).or_else(|| clean_text(c.company.as_deref()));
    let company = fit_opt(company, limits::CUSTOMER_NAME, "BillingAddress.Company", w);
    let person = [first_name.as_deref(), last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let name = match (&company, person.is_empty()) {
        (Some(co), _) => co.clone(),
        (None, false) => fit(person, limits::CUSTOMER_NAME, "Customer.FirstName", w),
        (None, true) => email.clone(),
    };
    let vat_number = fit_opt(
        vat_number(cx),
        limits::VAT_NUMBER,
        "VatNumber",
        &mut cx.warnings,
    );
    let phone = fit_opt(
        clean_text(b.phone_number.as_deref()),
        limits::TELEPHONE,
        "BillingAddress.PhoneNumber",
        &mut cx.warnings,
    );
    CanonicalCustomer {
        code: customer_code(&cx.rules.customer_codes, c.id, c.is_guest, &email),
        name,
        email,
        first_name,
        last_name,
        company,
        phone,
        vat_number,
        is_guest: c.is_guest,
        nop_customer_id: c.id,
        address: Some(billing),
        delivery_address: shipping,
    }
}
