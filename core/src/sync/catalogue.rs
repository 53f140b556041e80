//! Jobs not tied to an order, started by a flow: `SyncCustomer` (a Customer step on
//! `CustomerRegistered`/`CustomerChanged`: the KashFlow customer found by e-mail or created ahead
//! of any order, with the same code and the same look-before-create as an order's customer) and
//! `SyncProduct` (a Product step on `ProductChanged`: the KashFlow product created if its code is
//! missing, with the price when the step says `UpdatePrice`).
//!
//! The flow is chosen when the job runs (the configuration of the moment), on the facts the event
//! carries: roles, billing country and VAT number for a customer; the SKU for a product. A
//! customer KashFlow already has is updated from the event (name, e-mail, telephone, first
//! contact, billing address, VAT number), read first and written whole (KashFlow replaces every
//! field), and only when something differs; an update is the same whatever number of times it is
//! repeated, so a retry cannot do harm. A product KashFlow already has gets the event's name,
//! its price when the step says `UpdatePrice`, and its VAT rate when the tax category's name
//! states one; likewise only when something differs.

use rust_decimal::Decimal;

use crate::engine::catalogue_events::{CatalogueEvent, CustomerDocument, ProductDocument};
use crate::engine::{JobContext, JobDone};
use crate::flows::{choose, Facts, Step, Trigger};
use crate::mapping::canonical::CanonicalCustomer;
use crate::mapping::customer::{customer_code, normalise_email};
use crate::mapping::rules::MappingRules;
use crate::mapping::suggest::NewProduct;

use super::connection::Connection;
use super::customer::{resolve, CustomerCache, Source};
use super::failure::Failure;
use super::trace::traced_op;
use crate::kashflow::transport::Op;
use crate::mapping::to_kashflow::customer_request;

/// The job's event, read back from its payload.
pub fn event(ctx: &JobContext<'_>) -> Result<CatalogueEvent, Failure> {
    let payload = ctx
        .job
        .payload
        .as_ref()
        .ok_or_else(|| Failure::dead("InvalidJob", "a catalogue job without its event"))?;
    CatalogueEvent::from_value(payload)
        .ok_or_else(|| Failure::dead("InvalidJob", "a catalogue job with an unknown event"))?
        .map_err(|e| Failure::Dead(e.to_doc()))
}

fn customer_facts(c: &CustomerDocument) -> Facts {
    Facts {
        roles: c.roles.clone(),
        billing_country: c
            .billing_address
            .as_ref()
            .and_then(|a| a.country_two_letter_iso_code.clone()),
        has_vat_number: c
            .vat_number
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty()),
        ..Facts::default()
    }
}

pub async fn sync_customer(
    ctx: &JobContext<'_>,
    conn: &Connection,
    customers: &CustomerCache,
    rules: &MappingRules,
    registered: bool,
    c: &CustomerDocument,
) -> Result<JobDone, Failure> {
    let trigger = if registered {
        Trigger::CustomerRegistered
    } else {
        Trigger::CustomerChanged
    };
    let flows = ctx.config.effective_flows();
    let choice = choose(&flows, trigger, &customer_facts(c));
    let Some(flow) = choice.flow.filter(|f| f.step("Customer").is_some()) else {
        return Ok(JobDone {
            message: Some(choice.explanation.join("; ")),
            ..Default::default()
        });
    };
    let email = normalise_email(&c.email);
    let mut problems = Vec::new();
    let address = c
        .billing_address
        .as_ref()
        .map(|a| crate::mapping::address::standardise(a, "Customer.BillingAddress", &mut problems));
    if !problems.is_empty() {
        return Err(crate::order::ValidationErrors { errors: problems }.into());
    }
    let name = c
        .company
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            let n = [c.first_name.as_deref(), c.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!n.trim().is_empty()).then_some(n)
        })
        .unwrap_or_else(|| email.clone());
    let canonical = CanonicalCustomer {
        code: customer_code(&rules.customer_codes, c.customer_id, false, &email),
        name,
        email: email.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        company: c.company.clone(),
        phone: c
            .billing_address
            .as_ref()
            .and_then(|a| a.phone_number.clone()),
        vat_number: c
            .vat_number
            .as_ref()
            .map(|v| v.replace(' ', "").to_ascii_uppercase())
            .filter(|v| !v.is_empty()),
        is_guest: false,
        nop_customer_id: c.customer_id,
        address,
        delivery_address: None,
    };
    let resolved = resolve(ctx, conn, customers, &canonical, true).await?;
    let how = match resolved.source {
        Source::Created => "created",
        Source::Adopted => "found (created by an earlier attempt)",
        _ => {
            if update_customer(ctx, conn, &resolved.code, &canonical).await? {
                "updated"
            } else {
                "already up to date"
            }
        }
    };
    Ok(JobDone {
        customer_code: Some(resolved.code.clone()),
        ledger: resolved.ledger.clone().into_iter().collect(),
        message: Some(format!(
            "flow '{}': KashFlow customer {} {how} for {email}",
            flow.name, resolved.code
        )),
        ..Default::default()
    })
}

/// Bring KashFlow's customer `code` in line with `c`; true if it was written.
async fn update_customer(
    ctx: &JobContext<'_>,
    conn: &Connection,
    code: &str,
    c: &CanonicalCustomer,
) -> Result<bool, Failure> {
    let existing = traced_op(
        ctx,
        conn,
        Op::GetCustomer(code),
        conn.transport.get_customer(code),
    )
    .await
    .map_err(|e| Failure::kf(format!("reading KashFlow customer {code}"), e))?;
    let Some(existing) = existing else {
        // Gone since it was found: the next order finds or creates it again.
        return Ok(false);
    };
    let ours = customer_request(c);
    let mut merged = existing.clone();
    merged.name = ours.name.clone();
    merged.email = ours.email.clone();
    if ours.telephone_number.is_some() {
        merged.telephone_number = ours.telephone_number.clone();
    }
    match (merged.contacts.first_mut(), ours.contacts.first()) {
        (Some(have), Some(want)) => {
            have.first_name = want.first_name.clone();
            have.last_name = want.last_name.clone();
            have.name = want.name.clone();
            have.email = want.email.clone();
        }
        (None, Some(want)) => merged.contacts.push(want.clone()),
        _ => {}
    }
    if !ours.addresses.is_empty() {
        merged.addresses = ours.addresses.clone();
    }
    merged.vat_number = ours.vat_number.clone();
    merged.is_registered_in_ec = ours.is_registered_in_ec;
    merged.is_registered_outside_ec = ours.is_registered_outside_ec;
    if merged == existing {
        return Ok(false);
    }
    traced_op(
        ctx,
        conn,
        Op::UpdateCustomer(code),
        conn.transport.update_customer(&merged),
    )
    .await
    .map_err(|e| Failure::kf(format!("updating KashFlow customer {code}"), e))?;
    Ok(true)
}

/// The VAT rate a tax category stands for: a number in its name that is one of the account's
/// rates ("Standard 20%"), 0 for "zero" or "exempt", else the first (standard) rate. A guess
/// from the name: nopCommerce's tax categories carry no rate of their own.
pub fn vat_rate_of(category: Option<&str>, rules: &MappingRules) -> Decimal {
    stated_vat_rate(category, rules)
        .unwrap_or_else(|| rules.vat.rates.first().copied().unwrap_or_default())
}

/// The VAT rate the tax category's name states, if it states one.
fn stated_vat_rate(category: Option<&str>, rules: &MappingRules) -> Option<Decimal> {
    let name = category?.to_ascii_lowercase();
    if name.contains("zero") || name.contains("exempt") {
        return Some(Decimal::ZERO);
    }
    name.split(|ch: char| !(ch.is_ascii_digit() || ch == '.'))
        .filter_map(|t| t.parse::<Decimal>().ok())
        .find(|r| rules.vat.rates.contains(r))
}

/// A product KashFlow already has, brought in line with the event: `None` when KashFlow has no
/// product with the SKU as its code (the caller creates it), else what was done.
pub async fn update_existing_product(
    ctx: &JobContext<'_>,
    conn: &Connection,
    rules: &MappingRules,
    p: &ProductDocument,
    update_price: bool,
) -> Result<Option<String>, Failure> {
    let products = traced_op(ctx, conn, Op::ListProducts, conn.transport.list_products())
        .await
        .map_err(|e| Failure::kf("reading KashFlow's products", e))?;
    let Some(existing) = products
        .iter()
        .find(|k| k.code.trim().eq_ignore_ascii_case(p.sku.trim()))
    else {
        return Ok(None);
    };
    let mut merged = existing.clone();
    let name = crate::mapping::address::clean_text(Some(&p.name)).unwrap_or_default();
    if !name.is_empty() {
        merged.name = name
            .chars()
            .take(crate::kashflow::limits::PRODUCT_NAME)
            .collect();
    }
    if update_price {
        merged.price = p.price;
    }
    if let Some(rate) = stated_vat_rate(p.tax_category_name.as_deref(), rules) {
        merged.vat_rate = rate;
    }
    if merged == *existing {
        return Ok(Some(format!(
            "KashFlow product {} already up to date",
            existing.code
        )));
    }
    traced_op(
        ctx,
        conn,
        Op::UpdateProduct(&existing.code),
        conn.transport.update_product(&merged),
    )
    .await
    .map_err(|e| Failure::kf(format!("updating KashFlow product {}", existing.code), e))?;
    Ok(Some(format!("KashFlow product {} updated", existing.code)))
}

pub fn product_request(
    p: &ProductDocument,
    rules: &MappingRules,
    update_price: bool,
) -> NewProduct {
    NewProduct {
        code: p.sku.clone(),
        name: p.name.clone(),
        nominal_code: rules.nominals.sales,
        price: if update_price { p.price } else { Decimal::ZERO },
        vat_rate: vat_rate_of(p.tax_category_name.as_deref(), rules),
    }
}

/// Which flow acts on the product event, and with what.
pub fn product_plan(ctx: &JobContext<'_>, p: &ProductDocument) -> Result<(String, bool), String> {
    let flows = ctx.config.effective_flows();
    let facts = Facts {
        skus: vec![p.sku.clone()],
        ..Facts::default()
    };
    let choice = choose(&flows, Trigger::ProductChanged, &facts);
    match choice.flow.and_then(|f| {
        f.steps.iter().find_map(|s| match s {
            Step::Product { update_price } => Some((f.name.clone(), *update_price)),
            _ => None,
        })
    }) {
        Some(plan) => Ok(plan),
        None => Err(choice.explanation.join("; ")),
    }
}
