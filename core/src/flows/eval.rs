//! Evaluating conditions: the facts a test can look at (taken from an order snapshot, a customer
//! or a product), whether a condition box holds, and why, in the merchant's words ("customer role
//! = Trade, total ≥ 500.00"). Choosing the flow for a trigger is here too: the first enabled flow
//! for that trigger, in document order, whose condition holds.

use rust_decimal::Decimal;

use super::model::*;
use crate::order::OrderSnapshot;

/// What conditions can test, for one order, customer or product. Absent facts fail `Equals`/`In`
/// and pass `NotEquals`/`NotIn`.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub store_id: Option<i64>,
    pub store_name: Option<String>,
    pub payment_method: Option<String>,
    pub roles: Vec<String>,
    pub billing_country: Option<String>,
    pub currency: Option<String>,
    pub has_vat_number: bool,
    pub order_total: Option<Decimal>,
    pub skus: Vec<String>,
    pub categories: Vec<String>,
}

impl Facts {
    pub fn of_order(o: &OrderSnapshot) -> Facts {
        // Older snapshots carry no roles: nopCommerce's own built-in roles stand in.
        let roles = if o.customer_roles.is_empty() {
            vec![if o.customer.is_guest {
                "Guests".to_string()
            } else {
                "Registered".to_string()
            }]
        } else {
            o.customer_roles.clone()
        };
        Facts {
            store_id: Some(o.store_id),
            store_name: o.store_name.clone(),
            payment_method: Some(o.payment_method_system_name.clone()).filter(|p| !p.is_empty()),
            roles,
            billing_country: o.billing_address.country_two_letter_iso_code.clone(),
            currency: Some(o.customer_currency_code.clone()),
            has_vat_number: o
                .vat_number
                .as_deref()
                .is_some_and(|v| !v.trim().is_empty()),
            order_total: Some(o.order_total),
            skus: o.items.iter().filter_map(|i| i.sku.clone()).collect(),
            categories: o
                .items
                .iter()
                .flat_map(|i| i.categories.iter().cloned())
                .collect(),
        }
    }

    /// The values of a text field (several for roles, SKUs and categories).
    fn texts(&self, field: Field) -> Vec<String> {
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        match field {
            Field::Store => {
                let mut v = one(&self.store_name);
                v.extend(self.store_id.map(|i| i.to_string()));
                v
            }
            Field::PaymentMethod => one(&self.payment_method),
            Field::CustomerRole => self.roles.clone(),
            Field::BillingCountry => one(&self.billing_country),
            Field::Currency => one(&self.currency),
            Field::ProductSku => self.skus.clone(),
            Field::ProductCategory => self.categories.clone(),
            Field::HasVatNumber | Field::OrderTotal => Vec::new(),
        }
    }

    /// What the field holds, for an explanation of a test that failed.
    fn shown(&self, field: Field) -> String {
        match field {
            Field::OrderTotal => self
                .order_total
                .map_or("no total".into(), |t| format!("total {t}")),
            Field::HasVatNumber => if self.has_vat_number {
                "has one"
            } else {
                "has none"
            }
            .into(),
            _ => {
                let v = if field == Field::Store {
                    // The name if known, else the id.
                    self.store_name
                        .iter()
                        .cloned()
                        .chain(self.store_id.map(|i| i.to_string()))
                        .take(1)
                        .collect()
                } else {
                    self.texts(field)
                };
                if v.is_empty() {
                    format!("{}: none", label(field))
                } else {
                    format!("{}: {}", plural(field), v.join(", "))
                }
            }
        }
    }
}

fn label(field: Field) -> &'static str {
    match field {
        Field::Store => "store",
        Field::PaymentMethod => "payment method",
        Field::CustomerRole => "customer role",
        Field::BillingCountry => "billing country",
        Field::Currency => "currency",
        Field::HasVatNumber => "VAT number",
        Field::OrderTotal => "total",
        Field::ProductSku => "product SKU",
        Field::ProductCategory => "product category",
    }
}

fn plural(field: Field) -> &'static str {
    match field {
        Field::CustomerRole => "roles",
        Field::ProductSku => "SKUs",
        Field::ProductCategory => "categories",
        other => label(other),
    }
}

/// A test in words: "customer role = Trade", "total ≥ 500.00", "has a VAT number".
pub fn describe(t: &Test) -> String {
    let l = label(t.field);
    match (&t.value, t.op) {
        (TestValue::Flag(true), _) => "has a VAT number".into(),
        (TestValue::Flag(false), _) => "has no VAT number".into(),
        (TestValue::Text(v), Op::NotEquals) => format!("{l} ≠ {v}"),
        (TestValue::Text(v), _) => format!("{l} = {v}"),
        (TestValue::List(v), Op::NotIn) => format!("{l} not in ({})", v.join(", ")),
        (TestValue::List(v), _) => format!("{l} in ({})", v.join(", ")),
        (TestValue::Amount(a), Op::AtLeast) => format!("{l} ≥ {a}"),
        (TestValue::Amount(a), Op::AtMost) => format!("{l} ≤ {a}"),
        (TestValue::Amount(a), Op::NotEquals) => format!("{l} ≠ {a}"),
        (TestValue::Amount(a), _) => format!("{l} = {a}"),
        (TestValue::Range(lo, hi), _) => format!("{l} between {lo} and {hi}"),
    }
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Whether one test holds. Text compares ignoring case; a field with several values (roles,
/// SKUs, categories) holds `Equals`/`In` when any value does, `NotEquals`/`NotIn` when none does.
pub fn holds(t: &Test, f: &Facts) -> bool {
    match (&t.value, t.op) {
        (TestValue::Flag(b), _) => f.has_vat_number == *b,
        (TestValue::Amount(a), op) => f.order_total.is_some_and(|total| match op {
            Op::AtLeast => total >= *a,
            Op::AtMost => total <= *a,
            Op::NotEquals => total != *a,
            _ => total == *a,
        }),
        (TestValue::Range(lo, hi), _) => f.order_total.is_some_and(|t| *lo <= t && t <= *hi),
        (TestValue::Text(v), op) => {
            let any = f.texts(t.field).iter().any(|x| same(x, v));
            if op == Op::NotEquals {
                !any
            } else {
                any
            }
        }
        (TestValue::List(vs), op) => {
            let any = f
                .texts(t.field)
                .iter()
                .any(|x| vs.iter().any(|v| same(x, v)));
            if op == Op::NotIn {
                !any
            } else {
                any
            }
        }
    }
}

/// Whether a condition box holds, and why (the tests that made it hold) or why not (the test
/// that failed, with what the order has).
pub fn evaluate(c: &Condition, f: &Facts) -> (bool, String) {
    match c {
        Condition::Test(t) => {
            let d = describe(t);
            if holds(t, f) {
                (true, d)
            } else {
                (false, format!("{d} is not met ({})", f.shown(t.field)))
            }
        }
        Condition::All(cs) => {
            let mut why = Vec::new();
            for c in cs {
                let (ok, w) = evaluate(c, f);
                if !ok {
                    return (false, w);
                }
                why.push(w);
            }
            (true, why.join(", "))
        }
        Condition::Any(cs) => {
            let mut why = Vec::new();
            for c in cs {
                let (ok, w) = evaluate(c, f);
                if ok {
                    return (true, w);
                }
                why.push(w);
            }
            (false, format!("none of: {}", why.join("; ")))
        }
        Condition::Not(inner) => {
            let (ok, w) = evaluate(inner, f);
            if ok {
                (false, format!("not ({w}) is not met"))
            } else {
                (true, format!("not ({})", strip_not_met(&w)))
            }
        }
    }
}

fn strip_not_met(w: &str) -> &str {
    w.split(" is not met").next().unwrap_or(w)
}

/// The flow chosen for a trigger, and one explanation line per flow looked at.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice<'a> {
    pub flow: Option<&'a Flow>,
    pub explanation: Vec<String>,
}

/// The first enabled flow for `trigger` (document order) whose condition holds for `facts`.
pub fn choose<'a>(doc: &'a FlowDocument, trigger: Trigger, facts: &Facts) -> Choice<'a> {
    let mut explanation = Vec::new();
    for flow in doc.for_trigger(trigger) {
        if !flow.enabled {
            explanation.push(format!("flow '{}' is switched off", flow.name));
            continue;
        }
        let (ok, why) = match &flow.when {
            None => (true, "every time".to_string()),
            Some(c) => evaluate(c, facts),
        };
        if ok {
            explanation.push(format!("flow '{}' matched: {why}", flow.name));
            return Choice {
                flow: Some(flow),
                explanation,
            };
        }
        explanation.push(format!("flow '{}' did not match: {why}", flow.name));
    }
    if explanation.is_empty() {
        explanation.push(format!("no flow runs on {trigger}"));
    } else {
        explanation.push(format!("no flow matched {trigger}: nothing is posted"));
    }
    Choice {
        flow: None,
        explanation,
    }
}
