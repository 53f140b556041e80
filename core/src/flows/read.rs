//! Reading and validating a flow document: every problem at once, each with the box of the
//! designer it belongs on (`Flow`, `Trigger`, `When`/`When.All[1]`, `Steps[2]`) and its JSON
//! path, in words a merchant can act on.
//!
//! Hand-written over `serde_json::Value` rather than serde: serde stops at the first error, and
//! the designer must be able to mark every wrong box of a flow in one go. Unknown keys are refused
//! (a misspelt setting silently ignored is worse than an error, as in the engine configuration);
//! `null` is absent, as everywhere the plugin writes JSON.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use super::model::*;
use crate::mapping::text::quote;

/// Longest flow name, in characters.
pub const NAME_MAX: usize = 100;
/// Most flows in one document, steps in a flow, children of a condition box, nesting of boxes:
/// far above what a shop draws, low enough that a pasted document cannot make evaluation slow.
pub const FLOWS_MAX: usize = 100;
pub const STEPS_MAX: usize = 20;
pub const CHILDREN_MAX: usize = 50;
pub const DEPTH_MAX: usize = 8;
/// A roll-up customer's code: KashFlow customer codes as this product makes them (A–Z, 0–9, `-`).
pub const ROLL_UP_CODE_MAX: usize = 20;

/// One problem in a flow document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlowError {
    /// The flow's `Id` (when it has a readable one); `None` for the document itself.
    pub flow_id: Option<String>,
    /// The designer box: `Flow`, `Trigger`, `When` or `When.<path>`, `Steps[i]`.
    #[serde(rename = "Box")]
    pub box_name: String,
    /// The JSON path of the value at fault (`Flows[0].When.All[1].Value`).
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for FlowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The validation result document of `kfs_flows_validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Validation {
    pub valid: bool,
    pub errors: Vec<FlowError>,
}

/// Validate flow document text (the designer's check).
pub fn validate(json: &[u8]) -> Validation {
    match parse(json) {
        Ok(_) => Validation {
            valid: true,
            errors: Vec::new(),
        },
        Err(errors) => Validation {
            valid: false,
            errors,
        },
    }
}

/// Parse and validate flow document text.
pub fn parse(json: &[u8]) -> Result<FlowDocument, Vec<FlowError>> {
    let value: Value = serde_json::from_slice(json).map_err(|e| {
        vec![FlowError {
            flow_id: None,
            box_name: "Flow".into(),
            path: String::new(),
            message: format!(
                "the flow document is not valid JSON: {}",
                quote(&e.to_string())
            ),
        }]
    })?;
    read(&value)
}

/// Read and validate a flow document already parsed as JSON.
pub fn read(value: &Value) -> Result<FlowDocument, Vec<FlowError>> {
    let mut r = Reader::default();
    let doc = r.document(value);
    match doc {
        Some(d) if r.errors.is_empty() => Ok(d),
        _ => Err(r.errors),
    }
}

#[derive(Default)]
struct Reader {
    errors: Vec<FlowError>,
}

/// Where a value sits: its flow, box and path.
#[derive(Clone)]
struct At {
    flow_id: Option<String>,
    box_name: String,
    path: String,
}

impl At {
    fn key(&self, key: &str) -> At {
        At {
            path: if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            },
            ..self.clone()
        }
    }
    fn index(&self, i: usize) -> At {
        At {
            path: format!("{}[{i}]", self.path),
            ..self.clone()
        }
    }
}

fn found(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{}\"", quote(s)),
        other => quote(&other.to_string()),
    }
}

fn present<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

impl Reader {
    fn err(&mut self, at: &At, message: impl Into<String>) {
        self.errors.push(FlowError {
            flow_id: at.flow_id.clone(),
            box_name: at.box_name.clone(),
            path: at.path.clone(),
            message: message.into(),
        });
    }

    /// The object at `at`, refusing keys not in `known`.
    fn object<'a>(
        &mut self,
        v: &'a Value,
        at: &At,
        what: &str,
        known: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        let Some(o) = v.as_object() else {
            self.err(
                at,
                format!("{what} must be a JSON object, found {}", found(v)),
            );
            return None;
        };
        for k in o.keys() {
            if !known.contains(&k.as_str()) {
                self.err(
                    &at.key(k),
                    format!(
                        "unknown setting '{}' in {what} (expected one of: {})",
                        quote(k),
                        known.join(", ")
                    ),
                );
            }
        }
        Some(o)
    }

    fn string<'a>(&mut self, v: &'a Value, at: &At, name: &str) -> Option<&'a str> {
        match v.as_str() {
            Some(s) => Some(s),
            None => {
                self.err(at, format!("{name} must be text, found {}", found(v)));
                None
            }
        }
    }

    fn document(&mut self, v: &Value) -> Option<FlowDocument> {
        let at = At {
            flow_id: None,
            box_name: "Flow".into(),
            path: String::new(),
        };
        let o = self.object(v, &at, "the flow document", &["Version", "Flows"])?;
        match present(o, "Version") {
            None => self.err(&at.key("Version"), "Version is required (1)"),
            Some(v) if v.as_u64() == Some(FLOWS_VERSION as u64) => {}
            Some(v) => self.err(
                &at.key("Version"),
                format!(
                    "Version must be {FLOWS_VERSION} (the version this engine reads), found {}",
                    found(v)
                ),
            ),
        }
        let Some(list) = present(o, "Flows") else {
            self.err(&at.key("Flows"), "Flows is required (a list of flows)");
            return None;
        };
        let Some(items) = list.as_array() else {
            self.err(
                &at.key("Flows"),
                format!("Flows must be a list of flows, found {}", found(list)),
            );
            return None;
        };
        if items.len() > FLOWS_MAX {
            self.err(
                &at.key("Flows"),
                format!(
                    "a document holds at most {FLOWS_MAX} flows, found {}",
                    items.len()
                ),
            );
            return None;
        }
        let mut seen = HashSet::new();
        let flows: Vec<Option<Flow>> = items
            .iter()
            .enumerate()
            .map(|(i, f)| self.flow(f, &at.key("Flows").index(i), &mut seen))
            .collect();
        Some(FlowDocument {
            version: FLOWS_VERSION,
            flows: flows.into_iter().collect::<Option<Vec<_>>>()?,
        })
    }

    fn flow(&mut self, v: &Value, at: &At, seen: &mut HashSet<String>) -> Option<Flow> {
        // The id first, so that every other error names its flow.
        let id_value = v.get("Id").filter(|x| !x.is_null());
        let mut at = at.clone();
        at.flow_id = id_value.and_then(Value::as_str).map(str::to_string);
        let o = self.object(
            v,
            &at,
            "a flow",
            &["Id", "Name", "Enabled", "Trigger", "When", "Steps"],
        )?;
        let id = self.flow_id(id_value, &at.key("Id"), seen);
        let name = match present(o, "Name") {
            None => {
                self.err(
                    &at.key("Name"),
                    "Name is required (what the flow is called)",
                );
                None
            }
            Some(n) => self.string(n, &at.key("Name"), "Name").and_then(|n| {
                let n = n.trim();
                let len = n.chars().count();
                if (1..=NAME_MAX).contains(&len) {
                    Some(n.to_string())
                } else {
                    self.err(
                        &at.key("Name"),
                        format!("Name must be 1 to {NAME_MAX} characters, found {len}"),
                    );
                    None
                }
            }),
        };
        let enabled = match present(o, "Enabled") {
            None => Some(true),
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.err(
                    &at.key("Enabled"),
                    format!("Enabled must be true or false, found {}", found(other)),
                );
                None
            }
        };
        let trigger_at = At {
            box_name: "Trigger".into(),
            ..at.key("Trigger")
        };
        let trigger = match present(o, "Trigger") {
            None => {
                self.err(
                    &trigger_at,
                    format!(
                        "Trigger is required (one of: {})",
                        Trigger::NAMES.join(", ")
                    ),
                );
                None
            }
            Some(t) => {
                let parsed = t.as_str().and_then(Trigger::parse);
                if parsed.is_none() {
                    self.err(
                        &trigger_at,
                        format!(
                            "Trigger {} is not one of: {}",
                            found(t),
                            Trigger::NAMES.join(", ")
                        ),
                    );
                }
                parsed
            }
        };
        let when_at = At {
            box_name: "When".into(),
            ..at.key("When")
        };
        let when = match present(o, "When") {
            None => Some(None),
            Some(w) => self.condition(w, &when_at, trigger, 1).map(Some),
        };
        let steps = self.steps(present(o, "Steps"), &at, trigger);
        Some(Flow {
            id: id?,
            name: name?,
            enabled: enabled?,
            trigger: trigger?,
            when: when?,
            steps: steps?,
        })
    }

    fn flow_id(
        &mut self,
        v: Option<&Value>,
        at: &At,
        seen: &mut HashSet<String>,
    ) -> Option<String> {
        let Some(v) = v else {
            self.err(
                at,
                "Id is required (lower-case letters, digits and '-', e.g. trade-accounts)",
            );
            return None;
        };
        let id = self.string(v, at, "Id")?;
        let slug = (1..=40).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !slug {
            self.err(
                at,
                format!(
                    "Id must be 1 to 40 lower-case letters, digits or '-' (e.g. trade-accounts), found {}",
                    found(v)
                ),
            );
            return None;
        }
        if !seen.insert(id.to_string()) {
            self.err(
                at,
                format!("Id '{id}' is used by an earlier flow; each flow needs its own"),
            );
            return None;
        }
        Some(id.to_string())
    }

    /// A condition box. `depth` counts from 1 at the flow's `When`.
    fn condition(
        &mut self,
        v: &Value,
        at: &At,
        trigger: Option<Trigger>,
        depth: usize,
    ) -> Option<Condition> {
        if depth > DEPTH_MAX {
            self.err(
                at,
                format!("conditions may be nested at most {DEPTH_MAX} deep"),
            );
            return None;
        }
        let Some(o) = v.as_object() else {
            self.err(
                at,
                format!(
                    "a condition must be an object ({{\"All\":[...]}}, {{\"Any\":[...]}}, {{\"Not\":...}} or {{\"Field\",\"Op\",\"Value\"}}), found {}",
                    found(v)
                ),
            );
            return None;
        };
        let groups: Vec<&str> = ["All", "Any", "Not"]
            .into_iter()
            .filter(|k| o.contains_key(*k))
            .collect();
        if groups.is_empty() {
            return self.test(o, at, trigger);
        }
        if groups.len() > 1 || o.len() > 1 {
            self.err(
                at,
                format!(
                    "a condition box is one of All, Any, Not or a test; this one has {}",
                    o.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
            return None;
        }
        let key = groups[0];
        // The box of a child is its path below the flow's `When` ("When.All[1]").
        let child_at = |at: &At, suffix: String| At {
            box_name: format!("{}{suffix}", at.box_name),
            path: format!("{}{suffix}", at.path),
            flow_id: at.flow_id.clone(),
        };
        let inner = &o[key];
        if key == "Not" {
            return self
                .condition(inner, &child_at(at, ".Not".into()), trigger, depth + 1)
                .map(|c| Condition::Not(Box::new(c)));
        }
        let Some(items) = inner.as_array() else {
            self.err(
                &at.key(key),
                format!("{key} must be a list of conditions, found {}", found(inner)),
            );
            return None;
        };
        if items.is_empty() || items.len() > CHILDREN_MAX {
            self.err(
                &at.key(key),
                format!(
                    "{key} needs 1 to {CHILDREN_MAX} conditions, found {}",
                    items.len()
                ),
            );
            return None;
        }
        let children: Vec<Option<Condition>> = items
            .iter()
            .enumerate()
            .map(|(i, c)| {
                self.condition(c, &child_at(at, format!(".{key}[{i}]")), trigger, depth + 1)
            })
            .collect();
        let children = children.into_iter().collect::<Option<Vec<_>>>()?;
        Some(if key == "All" {
            Condition::All(children)
        } else {
            Condition::Any(children)
        })
    }

    fn test(
        &mut self,
        o: &Map<String, Value>,
        at: &At,
        trigger: Option<Trigger>,
    ) -> Option<Condition> {
        for k in o.keys() {
            if !["Field", "Op", "Value"].contains(&k.as_str()) {
                self.err(
                    &at.key(k),
                    format!(
                        "unknown setting '{}' in a test (expected Field, Op and Value)",
                        quote(k)
                    ),
                );
            }
        }
        let field = match present(o, "Field") {
            None => {
                self.err(
                    &at.key("Field"),
                    format!("Field is required (one of: {})", Field::NAMES.join(", ")),
                );
                None
            }
            Some(f) => {
                let parsed = f.as_str().and_then(Field::parse);
                if parsed.is_none() {
                    self.err(
                        &at.key("Field"),
                        format!(
                            "Field {} is not one of: {}",
                            found(f),
                            Field::NAMES.join(", ")
                        ),
                    );
                }
                parsed
            }
        };
        let op = match present(o, "Op") {
            None => {
                self.err(
                    &at.key("Op"),
                    format!("Op is required (one of: {})", Op::NAMES.join(", ")),
                );
                None
            }
            Some(p) => {
                let parsed = p.as_str().and_then(Op::parse);
                if parsed.is_none() {
                    self.err(
                        &at.key("Op"),
                        format!("Op {} is not one of: {}", found(p), Op::NAMES.join(", ")),
                    );
                }
                parsed
            }
        };
        let (field, op) = (field?, op?);
        if let Some(t) = trigger {
            if !fields_for(t.subject()).contains(&field) {
                self.err(
                    &at.key("Field"),
                    format!(
                        "{field} cannot be tested on {t} (it can test: {})",
                        fields_for(t.subject())
                            .iter()
                            .map(|f| f.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return None;
            }
        }
        let ops = ops_for(field);
        if !ops.contains(&op) {
            self.err(
                &at.key("Op"),
                format!(
                    "{field} cannot be compared with {op} (use {})",
                    ops.iter()
                        .map(|o| o.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        let vat = at.key("Value");
        let Some(value) = present(o, "Value") else {
            self.err(&vat, format!("{field} {op} needs a Value"));
            return None;
        };
        let value = self.value(field, op, value, &vat)?;
        Some(Condition::Test(Test { field, op, value }))
    }

    fn value(&mut self, field: Field, op: Op, v: &Value, at: &At) -> Option<TestValue> {
        let amount = |x: &Value| -> Option<Decimal> {
            let text = match x {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            text.parse::<Decimal>().ok()
        };
        let text_ok = |s: &str| -> Result<String, String> {
            let s = s.trim();
            if s.is_empty() {
                return Err("must not be empty".into());
            }
            match field {
                Field::BillingCountry
                    if !(s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic())) =>
                {
                    Err(format!(
                        "must be a two-letter country code such as GB, found \"{}\"",
                        quote(s)
                    ))
                }
                Field::Currency
                    if !(s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic())) =>
                {
                    Err(format!(
                        "must be a three-letter currency code such as GBP, found \"{}\"",
                        quote(s)
                    ))
                }
                Field::BillingCountry | Field::Currency => Ok(s.to_ascii_uppercase()),
                _ => Ok(s.to_string()),
            }
        };
        match op {
            Op::Is => match v {
                Value::Bool(b) => Some(TestValue::Flag(*b)),
                other => {
                    self.err(
                        at,
                        format!("{field} Is needs true or false, found {}", found(other)),
                    );
                    None
                }
            },
            Op::AtLeast | Op::AtMost => match amount(v) {
                Some(a) => Some(TestValue::Amount(a)),
                None => {
                    self.err(
                        at,
                        format!("{field} {op} needs a decimal amount, found {}", found(v)),
                    );
                    None
                }
            },
            Op::Equals | Op::NotEquals if field == Field::OrderTotal => match amount(v) {
                Some(a) => Some(TestValue::Amount(a)),
                None => {
                    self.err(
                        at,
                        format!("{field} {op} needs a decimal amount, found {}", found(v)),
                    );
                    None
                }
            },
            Op::Between => {
                let pair = v.as_array().filter(|a| a.len() == 2);
                match pair.map(|p| (amount(&p[0]), amount(&p[1]))) {
                    Some((Some(lo), Some(hi))) if lo <= hi => Some(TestValue::Range(lo, hi)),
                    Some((Some(lo), Some(hi))) => {
                        self.err(at, format!("{field} Between needs the lower amount first, found {lo} then {hi}"));
                        None
                    }
                    _ => {
                        self.err(
                            at,
                            format!("{field} Between needs two decimal amounts [\"low\",\"high\"], found {}", found(v)),
                        );
                        None
                    }
                }
            }
            Op::Equals | Op::NotEquals => {
                let s = self.string(v, at, &format!("{field} {op}'s Value"))?;
                match text_ok(s) {
                    Ok(t) => Some(TestValue::Text(t)),
                    Err(why) => {
                        self.err(at, format!("{field} {op}'s Value {why}"));
                        None
                    }
                }
            }
            Op::In | Op::NotIn => {
                let Some(items) = v
                    .as_array()
                    .filter(|a| !a.is_empty() && a.len() <= CHILDREN_MAX)
                else {
                    self.err(
                        at,
                        format!(
                            "{field} {op} needs a list of 1 to {CHILDREN_MAX} values, found {}",
                            found(v)
                        ),
                    );
                    return None;
                };
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let here = at.index(i);
                    let Some(s) = self.string(item, &here, &format!("{field} {op}'s values"))
                    else {
                        continue;
                    };
                    match text_ok(s) {
                        Ok(t) => out.push(t),
                        Err(why) => self.err(&here, format!("{field} {op}'s value {why}")),
                    }
                }
                (out.len() == items.len()).then_some(TestValue::List(out))
            }
        }
    }

    fn steps(
        &mut self,
        v: Option<&Value>,
        flow_at: &At,
        trigger: Option<Trigger>,
    ) -> Option<Vec<Step>> {
        let at = At {
            box_name: "Flow".into(),
            ..flow_at.key("Steps")
        };
        let Some(v) = v else {
            self.err(&at, "Steps is required (a flow needs at least one step)");
            return None;
        };
        let Some(items) = v.as_array() else {
            self.err(
                &at,
                format!("Steps must be a list of steps, found {}", found(v)),
            );
            return None;
        };
        if items.is_empty() || items.len() > STEPS_MAX {
            self.err(
                &at,
                format!("a flow needs 1 to {STEPS_MAX} steps, found {}", items.len()),
            );
            return None;
        }
        let mut out: Vec<Option<Step>> = Vec::new();
        for (i, s) in items.iter().enumerate() {
            let here = At {
                box_name: format!("Steps[{i}]"),
                ..at.index(i)
            };
            let step = self.step(s, &here);
            if let (Some(step), Some(t)) = (&step, trigger) {
                let kind = step.kind();
                if !steps_for(t.subject()).contains(&kind) {
                    self.err(
                        &here.key("Step"),
                        format!(
                            "a {kind} step cannot run on {t} (it can have: {})",
                            steps_for(t.subject()).join(", ")
                        ),
                    );
                } else if out.iter().flatten().any(|s| s.kind() == kind) {
                    self.err(
                        &here.key("Step"),
                        format!("the flow already has a {kind} step; each step appears once"),
                    );
                } else if kind == "Customer" && out.iter().flatten().any(|s| s.kind() == "Invoice")
                {
                    self.err(&here.key("Step"), "the Customer step must come before the Invoice step (the invoice is for that customer)");
                } else if kind == "Customer"
                    && t.subject() == Subject::Customer
                    && matches!(step, Step::Customer(CustomerMode::RollUp { .. }))
                {
                    self.err(&here.key("Mode"), "a customer trigger keeps each customer their own: Mode must be PerCustomer");
                }
            }
            out.push(step);
        }
        out.into_iter().collect()
    }

    fn step(&mut self, v: &Value, at: &At) -> Option<Step> {
        let Some(o) = v.as_object() else {
            self.err(
                at,
                format!(
                    "a step must be a JSON object with its kind in \"Step\", found {}",
                    found(v)
                ),
            );
            return None;
        };
        let kind = match present(o, "Step") {
            None => {
                self.err(
                    &at.key("Step"),
                    format!("Step is required (one of: {})", STEP_NAMES.join(", ")),
                );
                return None;
            }
            Some(k) => match k.as_str().filter(|k| STEP_NAMES.contains(k)) {
                Some(k) => k,
                None => {
                    self.err(
                        &at.key("Step"),
                        format!("Step {} is not one of: {}", found(k), STEP_NAMES.join(", ")),
                    );
                    return None;
                }
            },
        };
        let known: &[&str] = match kind {
            "Customer" => &["Step", "Mode", "RollUpCode", "RollUpName"],
            "Invoice" => &["Step", "Nominal", "ProjectId"],
            "OrderStatus" => &["Step", "Status"],
            "Product" => &["Step", "UpdatePrice"],
            _ => &["Step"],
        };
        let o = self.object(v, at, &format!("a {kind} step"), known)?;
        match kind {
            "Customer" => self.customer_step(o, at),
            "Invoice" => {
                let nominal = match present(o, "Nominal") {
                    None => Some(None),
                    Some(n) => {
                        let code = match n {
                            Value::String(s) => s.trim().parse::<i64>().ok(),
                            Value::Number(x) => x.as_i64(),
                            _ => None,
                        }
                        .filter(|c| (1..=99_999_999).contains(c));
                        if code.is_none() {
                            self.err(&at.key("Nominal"), format!("Nominal must be a KashFlow nominal code such as \"4000\", found {}", found(n)));
                        }
                        code.map(Some)
                    }
                };
                let project_id = match present(o, "ProjectId") {
                    None => Some(None),
                    Some(p) => {
                        let id = p.as_i64().filter(|i| *i > 0);
                        if id.is_none() {
                            self.err(&at.key("ProjectId"), format!("ProjectId must be a KashFlow project number (a whole number above 0), found {}", found(p)));
                        }
                        id.map(Some)
                    }
                };
                Some(Step::Invoice {
                    nominal: nominal?,
                    project_id: project_id?,
                })
            }
            "OrderStatus" => match present(o, "Status") {
                None => Some(Step::OrderStatus(TargetStatus::Processing)),
                Some(s) => match s.as_str().and_then(TargetStatus::parse) {
                    Some(t) => Some(Step::OrderStatus(t)),
                    None => {
                        self.err(
                            &at.key("Status"),
                            format!(
                                "Status must be one of: {} (found {})",
                                TargetStatus::NAMES.join(", "),
                                found(s)
                            ),
                        );
                        None
                    }
                },
            },
            "Product" => match present(o, "UpdatePrice") {
                None => Some(Step::Product {
                    update_price: false,
                }),
                Some(Value::Bool(b)) => Some(Step::Product { update_price: *b }),
                Some(other) => {
                    self.err(
                        &at.key("UpdatePrice"),
                        format!("UpdatePrice must be true or false, found {}", found(other)),
                    );
                    None
                }
            },
            "Payment" => Some(Step::Payment),
            "OrderNote" => Some(Step::OrderNote),
            "Stock" => Some(Step::Stock),
            "CreditNote" => Some(Step::CreditNote),
            _ => None,
        }
    }

    fn customer_step(&mut self, o: &Map<String, Value>, at: &At) -> Option<Step> {
        let mode = present(o, "Mode").map(|m| (m, m.as_str()));
        match mode {
            None | Some((_, Some("PerCustomer"))) => {
                for k in ["RollUpCode", "RollUpName"] {
                    if present(o, k).is_some() {
                        self.err(&at.key(k), format!("{k} is only for Mode RollUp"));
                    }
                }
                Some(Step::Customer(CustomerMode::PerCustomer))
            }
            Some((_, Some("RollUp"))) => {
                let code = match present(o, "RollUpCode").map(|c| (c, c.as_str().map(str::trim))) {
                    Some((_, Some(c)))
                        if (1..=ROLL_UP_CODE_MAX).contains(&c.len())
                            && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
                    {
                        Some(c.to_ascii_uppercase())
                    }
                    Some((c, _)) => {
                        self.err(
                            &at.key("RollUpCode"),
                            format!("RollUpCode must be 1 to {ROLL_UP_CODE_MAX} letters, digits or '-' (a KashFlow customer code such as WEBSALES), found {}", found(c)),
                        );
                        None
                    }
                    None => {
                        self.err(&at.key("RollUpCode"), "RollUpCode is required for Mode RollUp (the KashFlow customer code, e.g. WEBSALES)");
                        None
                    }
                };
                let name = match present(o, "RollUpName").map(|n| (n, n.as_str().map(str::trim))) {
                    Some((_, Some(n)))
                        if (1..=crate::kashflow::limits::CUSTOMER_NAME)
                            .contains(&n.chars().count()) =>
                    {
                        Some(n.to_string())
                    }
                    Some((n, _)) => {
                        self.err(
                            &at.key("RollUpName"),
                            format!(
                                "RollUpName must be 1 to {} characters, found {}",
                                crate::kashflow::limits::CUSTOMER_NAME,
                                found(n)
                            ),
                        );
                        None
                    }
                    None => {
                        self.err(&at.key("RollUpName"), "RollUpName is required for Mode RollUp (the customer's name in KashFlow, e.g. Web sales)");
                        None
                    }
                };
                Some(Step::Customer(CustomerMode::RollUp {
                    code: code?,
                    name: name?,
                }))
            }
            Some((m, _)) => {
                self.err(
                    &at.key("Mode"),
                    format!("Mode must be PerCustomer or RollUp, found {}", found(m)),
                );
                None
            }
        }
    }
}

/// The fields a trigger's conditions can test.
pub fn fields_for(subject: Subject) -> &'static [Field] {
    match subject {
        Subject::Order | Subject::OrderReversal => Field::ALL,
        Subject::Customer => &[
            Field::CustomerRole,
            Field::BillingCountry,
            Field::HasVatNumber,
        ],
        Subject::Product => &[Field::ProductSku],
    }
}

/// The operators a field can be compared with.
pub fn ops_for(field: Field) -> &'static [Op] {
    match field {
        Field::OrderTotal => &[
            Op::Equals,
            Op::NotEquals,
            Op::AtLeast,
            Op::AtMost,
            Op::Between,
        ],
        Field::HasVatNumber => &[Op::Is],
        _ => &[Op::Equals, Op::NotEquals, Op::In, Op::NotIn],
    }
}

/// The steps a trigger's flow can have.
pub fn steps_for(subject: Subject) -> &'static [&'static str] {
    match subject {
        Subject::Order => &[
            "Customer",
            "Invoice",
            "Payment",
            "OrderNote",
            "OrderStatus",
            "Stock",
        ],
        Subject::OrderReversal => &["CreditNote"],
        Subject::Customer => &["Customer"],
        Subject::Product => &["Product"],
    }
}
