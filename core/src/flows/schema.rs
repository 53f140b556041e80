//! The flow document's JSON Schema (draft 2020-12), checked in at
//! `core/schema/flows.v1.schema.json` beside the snapshot's, for the designer and for anyone
//! writing flows by hand. Built here from the same name lists the reader uses, so the enums cannot
//! drift; the rules the schema cannot say (which fields and steps each trigger takes, ordering,
//! unique ids) are the reader's (`flows::read`). Refresh the file with
//! `KFSYNC_BLESS=1 cargo test -p kashflow-sync --test flows`.

use serde_json::{json, Value};

use super::model::{Field, Op, TargetStatus, Trigger, STEP_NAMES};
use super::read::{CHILDREN_MAX, NAME_MAX, ROLL_UP_CODE_MAX, STEPS_MAX};

/// Where the schema is checked in, relative to `core/`.
pub const FLOWS_SCHEMA_FILE: &str = "schema/flows.v1.schema.json";

pub fn flows_schema() -> Value {
    let step = |kind: &str, description: &str, props: Value, required: &[&str]| {
        let mut p = json!({ "Step": { "const": kind } });
        if let (Some(p), Some(extra)) = (p.as_object_mut(), props.as_object()) {
            p.extend(extra.clone());
        }
        let mut req = vec!["Step"];
        req.extend_from_slice(required);
        json!({
            "description": description,
            "type": "object",
            "required": req,
            "properties": p,
            "additionalProperties": false
        })
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:kashflow-sync:flows:v1",
        "title": "KashFlow Sync flows, version 1",
        "description": "What posts to KashFlow and when: flows of trigger, conditions and steps. For each trigger the first enabled flow (in document order) whose condition holds runs; none: the trigger does nothing.",
        "type": "object",
        "required": ["Version", "Flows"],
        "properties": {
            "Version": { "description": "Version of this document's shape. Must be 1.", "type": "integer", "enum": [1] },
            "Flows": { "description": "The flows, in the order they are tried.", "type": "array", "items": { "$ref": "#/$defs/Flow" } }
        },
        "additionalProperties": false,
        "$defs": {
            "Flow": {
                "description": "When Trigger happens to something that passes When, run Steps in order.",
                "type": "object",
                "required": ["Id", "Name", "Trigger", "Steps"],
                "properties": {
                    "Id": { "description": "Unique slug, recorded with each order the flow handles.", "type": "string", "pattern": "^[a-z0-9-]{1,40}$" },
                    "Name": { "description": "What the merchant calls the flow.", "type": "string", "minLength": 1, "maxLength": NAME_MAX },
                    "Enabled": { "description": "A switched-off flow is skipped (default true).", "type": "boolean" },
                    "Trigger": { "description": "What starts the flow.", "type": "string", "enum": Trigger::NAMES },
                    "When": { "$ref": "#/$defs/Condition" },
                    "Steps": { "description": "The steps, in order; each kind at most once.", "type": "array", "minItems": 1, "maxItems": STEPS_MAX, "items": { "$ref": "#/$defs/Step" } }
                },
                "additionalProperties": false
            },
            "Condition": {
                "description": "A condition box: all of, any of, not, or one test. Absent: always.",
                "oneOf": [
                    { "type": "object", "required": ["All"], "properties": { "All": { "type": "array", "minItems": 1, "maxItems": CHILDREN_MAX, "items": { "$ref": "#/$defs/Condition" } } }, "additionalProperties": false },
                    { "type": "object", "required": ["Any"], "properties": { "Any": { "type": "array", "minItems": 1, "maxItems": CHILDREN_MAX, "items": { "$ref": "#/$defs/Condition" } } }, "additionalProperties": false },
                    { "type": "object", "required": ["Not"], "properties": { "Not": { "$ref": "#/$defs/Condition" } }, "additionalProperties": false },
                    { "$ref": "#/$defs/Test" }
                ]
            },
            "Test": {
                "description": "Field Op Value. Text compares ignoring case; roles, SKUs and categories hold Equals/In when any value does. OrderTotal is in the primary store currency.",
                "type": "object",
                "required": ["Field", "Op", "Value"],
                "properties": {
                    "Field": { "type": "string", "enum": Field::NAMES },
                    "Op": { "type": "string", "enum": Op::NAMES },
                    "Value": {
                        "description": "Text (Equals, NotEquals), a list of text (In, NotIn), a decimal as a string (AtLeast, AtMost, OrderTotal Equals), [low, high] (Between), true or false (Is, HasVatNumber).",
                        "type": ["string", "number", "boolean", "array"]
                    }
                },
                "additionalProperties": false
            },
            "Step": {
                "description": "One step box, with its settings.",
                "oneOf": [
                    step("Customer", "The KashFlow customer: each buyer their own (found by e-mail, else created), or one roll-up customer found by its code or created once.", json!({
                        "Mode": { "type": "string", "enum": ["PerCustomer", "RollUp"] },
                        "RollUpCode": { "type": "string", "pattern": format!("^[A-Za-z0-9-]{{1,{ROLL_UP_CODE_MAX}}}$") },
                        "RollUpName": { "type": "string", "minLength": 1, "maxLength": crate::kashflow::limits::CUSTOMER_NAME }
                    }), &[]),
                    step("Invoice", "The sales invoice, exactly once per order.", json!({
                        "Nominal": { "description": "Sales nominal for the product lines instead of the rules' Nominals.Sales.", "type": ["string", "integer"] },
                        "ProjectId": { "description": "KashFlow project number on every line.", "type": "integer", "minimum": 1 }
                    }), &[]),
                    step("Payment", "The order's payments on the invoice.", json!({}), &[]),
                    step("OrderNote", "An order note in nopCommerce naming the invoice.", json!({}), &[]),
                    step("OrderStatus", "Move the order forward to this status (never back).", json!({
                        "Status": { "type": "string", "enum": TargetStatus::NAMES }
                    }), &[]),
                    step("Stock", "Stock levels come back from KashFlow.", json!({}), &[]),
                    step("CreditNote", "A credit note against the invoice (OrderRefunded, OrderCancelled).", json!({}), &[]),
                    step("Product", "Create or update the KashFlow product (ProductChanged).", json!({
                        "UpdatePrice": { "type": "boolean" }
                    }), &[])
                ]
            }
        },
        "x-step-kinds": STEP_NAMES
    })
}

/// The schema as checked in: pretty JSON with a trailing newline.
pub fn flows_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&flows_schema()).expect("schema serialises");
    s.push('\n');
    s
}
