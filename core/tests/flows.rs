//! Flows: the document's schema file, validation on the designer's boxes, condition evaluation
//! with its explanation, the dry run, and the proof that the default flows decide exactly what
//! the product posted before flows, on every golden fixture.
//!
//! Refresh the schema file with `KFSYNC_BLESS=1 cargo test -p kashflow-sync --test flows`.

use std::path::{Path, PathBuf};

use kashflow_sync::engine::FlowSteps;
use kashflow_sync::flows::schema::{flows_schema, flows_schema_text, FLOWS_SCHEMA_FILE};
use kashflow_sync::flows::{
    default_flows, dry_run, parse, validate, Field, Op, OrderPlan, TargetStatus, Trigger,
};
use kashflow_sync::mapping::{preview, MappingRules, Preview};
use kashflow_sync::order::{parse_snapshot, OrderSnapshot, OrderStatus};
use serde_json::{json, Value};

fn core_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let dir = core_dir().join("fixtures/orders");
    let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            (name.ends_with(".json") && !name.ends_with(".expected.json"))
                .then(|| (name.trim_end_matches(".json").to_string(), dir.join(&name)))
        })
        .collect();
    v.sort();
    assert!(v.len() >= 18, "golden fixtures not found");
    v
}

fn snapshot(path: &Path) -> (Vec<u8>, OrderSnapshot) {
    let bytes = std::fs::read(path).unwrap();
    let s = parse_snapshot(&bytes).unwrap();
    (bytes, s)
}

#[test]
fn schema_file_is_up_to_date() {
    let path = core_dir().join(FLOWS_SCHEMA_FILE);
    let generated = flows_schema_text();
    if std::env::var("KFSYNC_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} is out of date; refresh it with: KFSYNC_BLESS=1 cargo test -p kashflow-sync --test flows",
        path.display()
    );
    let s = flows_schema();
    assert_eq!(
        s["$defs"]["Flow"]["properties"]["Trigger"]["enum"],
        json!(Trigger::NAMES)
    );
    assert_eq!(
        s["$defs"]["Test"]["properties"]["Field"]["enum"],
        json!(Field::NAMES)
    );
    assert_eq!(
        s["$defs"]["Test"]["properties"]["Op"]["enum"],
        json!(Op::NAMES)
    );
}

/// Every switch combination: 16 `Steps` settings.
fn all_switches() -> Vec<FlowSteps> {
    (0..16u8)
        .map(|bits| FlowSteps {
            sync_customers: bits & 1 != 0,
            create_invoices: bits & 2 != 0,
            record_payments: bits & 4 != 0,
            pull_stock: bits & 8 != 0,
            hold_partial_refunds: false,
        })
        .collect()
}

/// The default flows post exactly what the product posted before flows, on every golden
/// fixture and every combination of the four switches: the whole preview document (canonical
/// invoice, KashFlow invoice and customer requests, warnings) equals the fixture's expected file
/// (with the payments taken out where payments are switched off, as `sync_order` did), and every
/// decision the worker makes (customer, invoice, payments, note, status, stock, credit notes, the
/// later payment) is the switch's.
#[test]
fn the_default_flows_post_what_the_product_posted_on_every_golden_fixture() {
    let rules = MappingRules::default();
    let mut compared = 0;
    for (name, path) in fixtures() {
        let (bytes, order) = snapshot(&path);
        let expected_text =
            std::fs::read_to_string(path.with_file_name(format!("{name}.expected.json"))).unwrap();
        let expected: Value = serde_json::from_str(&expected_text).unwrap();
        // The expected file is today's preview (mapping_fixtures checks it against `preview`).
        let today: Preview = preview(&bytes, &rules).unwrap();
        assert_eq!(serde_json::to_value(&today).unwrap(), expected, "{name}");
        for steps in all_switches() {
            let doc = default_flows(&steps);
            let plan = OrderPlan::decide(&doc, Trigger::OrderPlaced, &order);
            let what = format!("{name} with {steps:?}");
            // Customer: synced per customer, or the mapping's code assumed.
            assert_eq!(plan.customer.is_some(), steps.sync_customers, "{what}");
            assert!(plan.roll_up().is_none(), "{what}");
            assert_eq!(plan.invoice.is_some(), steps.create_invoices, "{what}");
            assert_eq!(
                plan.payment,
                steps.create_invoices && steps.record_payments,
                "{what}"
            );
            assert_eq!(plan.order_note, steps.create_invoices, "{what}");
            let status = (steps.create_invoices && order.order_status == OrderStatus::Pending)
                .then_some("Processing");
            assert_eq!(plan.status_to_set(order.order_status), status, "{what}");
            assert_eq!(plan.stock, steps.pull_stock, "{what}");
            assert!(!plan.credit_note, "{what}");
            match plan.preview(&order, &rules) {
                None => assert!(!steps.create_invoices, "{what}"),
                Some(p) => {
                    let mut want = expected.clone();
                    if !steps.record_payments {
                        want["KashFlowInvoice"]["PaymentLines"] = json!([]);
                    }
                    assert_eq!(serde_json::to_value(p.unwrap()).unwrap(), want, "{what}");
                    compared += 1;
                }
            }
            // The other triggers: a later payment is recorded; refunds and cancellations credit
            // the invoice; shipping, delivery and completion do nothing.
            let paid = OrderPlan::decide(&doc, Trigger::OrderPaid, &order);
            assert_eq!(paid.payment, steps.record_payments, "{what}");
            assert!(paid.invoice.is_none() && paid.customer.is_none(), "{what}");
            for t in [Trigger::OrderRefunded, Trigger::OrderCancelled] {
                let p = OrderPlan::decide(&doc, t, &order);
                assert_eq!(p.credit_note, steps.create_invoices, "{what} {t}");
                assert!(p.invoice.is_none(), "{what} {t}");
            }
            for t in [
                Trigger::OrderShipped,
                Trigger::OrderDelivered,
                Trigger::OrderCompleted,
            ] {
                assert!(
                    OrderPlan::decide(&doc, t, &order).is_nothing(),
                    "{what} {t}"
                );
            }
        }
    }
    assert_eq!(compared, fixtures().len() * 8);
}

#[test]
fn the_default_flows_are_a_valid_document_that_reads_back_the_same() {
    for steps in all_switches() {
        let doc = default_flows(&steps);
        let text = serde_json::to_vec(&doc).unwrap();
        let back = parse(&text).unwrap_or_else(|e| panic!("{steps:?}: {e:?}"));
        assert_eq!(back, doc);
    }
}

const TRADE: &str = r#"{"Version":1,"Flows":[
  {"Id":"trade-accounts","Name":"Trade accounts","Enabled":true,"Trigger":"OrderShipped",
   "When":{"All":[{"Field":"CustomerRole","Op":"Equals","Value":"Trade"},
                  {"Field":"OrderTotal","Op":"AtLeast","Value":"500.00"}]},
   "Steps":[{"Step":"Customer","Mode":"PerCustomer"},{"Step":"Invoice","Nominal":"4010","ProjectId":3},
            {"Step":"Payment"},{"Step":"OrderNote"},{"Step":"OrderStatus","Status":"Complete"},{"Step":"Stock"}]},
  {"Id":"web-sales","Name":"Web sales","Trigger":"OrderPaid",
   "When":{"Any":[{"Field":"CustomerRole","Op":"In","Value":["Guests"]},{"Not":{"Field":"HasVatNumber","Op":"Is","Value":true}}]},
   "Steps":[{"Step":"Customer","Mode":"RollUp","RollUpCode":"websales","RollUpName":"Web sales"},{"Step":"Invoice"},{"Step":"Payment"}]}
]}"#;

#[test]
fn the_contract_example_reads_and_writes_back_in_the_same_shape() {
    let doc = parse(TRADE.as_bytes()).unwrap();
    assert_eq!(doc.flows.len(), 2);
    let v = serde_json::to_value(&doc).unwrap();
    assert_eq!(v["Flows"][0]["When"]["All"][1]["Value"], json!("500.00"));
    assert_eq!(
        v["Flows"][0]["Steps"][1],
        json!({"Step":"Invoice","Nominal":"4010","ProjectId":3})
    );
    assert_eq!(v["Flows"][1]["Steps"][0]["RollUpCode"], json!("WEBSALES"));
    assert_eq!(v["Flows"][1]["Enabled"], json!(true));
    assert_eq!(parse(v.to_string().as_bytes()).unwrap(), doc);
}

fn errors(doc: &str) -> Vec<Value> {
    let v = validate(doc.as_bytes());
    assert!(!v.valid, "{doc} was accepted");
    serde_json::to_value(&v).unwrap()["Errors"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_bad_value_is_reported_on_its_condition_box_in_the_contract_shape() {
    let doc = TRADE.replace(r#""Value":"500.00""#, r#""Value":"five hundred""#);
    let errs = errors(&doc);
    assert_eq!(
        errs,
        vec![json!({
            "FlowId": "trade-accounts",
            "Box": "When.All[1]",
            "Path": "Flows[0].When.All[1].Value",
            "Message": "OrderTotal AtLeast needs a decimal amount, found \"five hundred\""
        })]
    );
    let v = serde_json::to_value(validate(TRADE.as_bytes())).unwrap();
    assert_eq!(v, json!({"Valid": true, "Errors": []}));
}

#[test]
fn every_problem_is_reported_at_once_each_on_its_box() {
    let doc = r#"{"Version":1,"Flows":[
      {"Id":"Bad Id","Name":"","Trigger":"OrderShipped",
       "When":{"Any":[{"Field":"BillingCountry","Op":"In","Value":["GB","England"]},{"Field":"Colour","Op":"Equals","Value":"x"}]},
       "Steps":[{"Step":"Invoice","Nominal":"sales"},{"Step":"Customer","Mode":"RollUp"},{"Step":"CreditNote"},{"Step":"Teleport"}]},
      {"Id":"two","Name":"Two","Trigger":"OrderSent","Steps":[]},
      {"Id":"two","Name":"Again","Trigger":"ProductChanged","When":{"Field":"CustomerRole","Op":"Equals","Value":"Trade"},"Steps":[{"Step":"Product","UpdatePrice":"yes"}],"Colour":"red"}
    ]}"#;
    let errs = errors(doc);
    let got: Vec<(Option<&str>, &str, &str)> = errs
        .iter()
        .map(|e| {
            (
                e["FlowId"].as_str(),
                e["Box"].as_str().unwrap(),
                e["Path"].as_str().unwrap(),
            )
        })
        .collect();
    for want in [
        (Some("Bad Id"), "Flow", "Flows[0].Id"),
        (Some("Bad Id"), "Flow", "Flows[0].Name"),
        (
            Some("Bad Id"),
            "When.Any[0]",
            "Flows[0].When.Any[0].Value[1]",
        ),
        (Some("Bad Id"), "When.Any[1]", "Flows[0].When.Any[1].Field"),
        (Some("Bad Id"), "Steps[0]", "Flows[0].Steps[0].Nominal"),
        (Some("Bad Id"), "Steps[1]", "Flows[0].Steps[1].RollUpCode"),
        (Some("Bad Id"), "Steps[1]", "Flows[0].Steps[1].RollUpName"),
        (Some("Bad Id"), "Steps[2]", "Flows[0].Steps[2].Step"),
        (Some("Bad Id"), "Steps[3]", "Flows[0].Steps[3].Step"),
        (Some("two"), "Trigger", "Flows[1].Trigger"),
        (Some("two"), "Flow", "Flows[1].Steps"),
        (Some("two"), "Flow", "Flows[2].Id"),
        (Some("two"), "When", "Flows[2].When.Field"),
        (Some("two"), "Steps[0]", "Flows[2].Steps[0].UpdatePrice"),
        (Some("two"), "Flow", "Flows[2].Colour"),
    ] {
        assert!(got.contains(&want), "missing {want:?} in {errs:#?}");
    }
    assert_eq!(got.len(), 15, "{errs:#?}");
    let text = |path: &str| {
        errs.iter()
            .find(|e| e["Path"] == path)
            .map(|e| e["Message"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert!(text("Flows[0].When.Any[0].Value[1]").contains("two-letter country code"));
    assert!(text("Flows[0].Steps[2].Step").contains("cannot run on OrderShipped"));
    assert!(text("Flows[2].Id").contains("earlier flow"));
    assert!(text("Flows[2].When.Field").contains("cannot be tested on ProductChanged"));
    assert!(text("Flows[1].Trigger").contains("OrderPlaced"));
}

#[test]
fn document_level_problems_are_named() {
    for (doc, path, words) in [
        ("{nope", "", "not valid JSON"),
        (r#"{"Flows":[]}"#, "Version", "Version is required"),
        (r#"{"Version":2,"Flows":[]}"#, "Version", "must be 1"),
        (r#"{"Version":1}"#, "Flows", "Flows is required"),
        (r#"{"Version":1,"Flows":{}}"#, "Flows", "list of flows"),
        (
            r#"{"Version":1,"Flows":[{"Id":"a","Name":"A","Trigger":"OrderPlaced","Steps":[{"Step":"Invoice"},{"Step":"Customer"}]}]}"#,
            "Flows[0].Steps[1].Step",
            "before the Invoice",
        ),
        (
            r#"{"Version":1,"Flows":[{"Id":"a","Name":"A","Trigger":"OrderPlaced","When":{"All":[]},"Steps":[{"Step":"Invoice"}]}]}"#,
            "Flows[0].When.All",
            "1 to 50",
        ),
        (
            r#"{"Version":1,"Flows":[{"Id":"a","Name":"A","Trigger":"OrderPlaced","When":{"Field":"OrderTotal","Op":"Between","Value":["20","10"]},"Steps":[{"Step":"Invoice"}]}]}"#,
            "Flows[0].When.Value",
            "lower amount first",
        ),
        (
            r#"{"Version":1,"Flows":[{"Id":"a","Name":"A","Trigger":"OrderPlaced","When":{"Field":"Store","Op":"AtLeast","Value":"1"},"Steps":[{"Step":"Invoice"}]}]}"#,
            "Flows[0].When.Op",
            "cannot be compared with AtLeast",
        ),
    ] {
        let errs = errors(doc);
        assert!(
            errs.iter()
                .any(|e| e["Path"] == path && e["Message"].as_str().unwrap().contains(words)),
            "{doc}: {errs:#?}"
        );
    }
}

fn fixture(name: &str) -> OrderSnapshot {
    snapshot(&core_dir().join(format!("fixtures/orders/{name}.json"))).1
}

#[test]
fn the_first_matching_flow_wins_and_says_why() {
    let doc = parse(TRADE.as_bytes()).unwrap();
    let mut order = fixture("b2b-gb-company"); // 320.00, VAT number
    order.customer_roles = vec!["Registered".into(), "Trade".into()];
    let plan = OrderPlan::decide(&doc, Trigger::OrderShipped, &order);
    assert!(plan.is_nothing());
    assert_eq!(
        plan.explanation,
        vec![
            "flow 'Trade accounts' did not match: total ≥ 500.00 is not met (total 320.00)",
            "no flow matched OrderShipped: nothing is posted"
        ]
    );
    order.order_total = "612.00".parse().unwrap();
    let plan = OrderPlan::decide(&doc, Trigger::OrderShipped, &order);
    assert_eq!(plan.flow.as_deref(), Some("trade-accounts"));
    assert_eq!(
        plan.explanation,
        vec!["flow 'Trade accounts' matched: customer role = Trade, total ≥ 500.00"]
    );
    assert_eq!(
        plan.steps,
        vec![
            "Customer: per customer",
            "Invoice: nominal 4010, project 3",
            "Payment",
            "Order note",
            "Order status: Complete",
            "Stock"
        ]
    );
    assert_eq!(plan.order_status, Some(TargetStatus::Complete));
    // Nothing on placing: this document has no OrderPlaced flow.
    let placed = OrderPlan::decide(&doc, Trigger::OrderPlaced, &order);
    assert_eq!(placed.explanation, vec!["no flow runs on OrderPlaced"]);

    // Any / Not: a guest, or anyone without a VAT number, is web sales.
    let guest = fixture("guest-checkout");
    let plan = OrderPlan::decide(&doc, Trigger::OrderPaid, &guest);
    assert_eq!(
        plan.explanation,
        vec!["flow 'Web sales' matched: customer role in (Guests)"]
    );
    assert_eq!(plan.roll_up(), Some(("WEBSALES", "Web sales")));
    let company = fixture("b2b-gb-company");
    let plan = OrderPlan::decide(&doc, Trigger::OrderPaid, &company);
    assert!(plan.is_nothing());
    assert_eq!(
        plan.explanation[0],
        "flow 'Web sales' did not match: none of: customer role in (Guests) is not met (roles: Registered); not (has a VAT number) is not met"
    );
}

#[test]
fn the_invoice_step_overrides_nominal_and_project_and_roll_up_replaces_the_customer() {
    let doc = parse(
        br#"{"Version":1,"Flows":[{"Id":"a","Name":"A","Trigger":"OrderPaid","Steps":[
        {"Step":"Customer","Mode":"RollUp","RollUpCode":"WEBSALES","RollUpName":"Web sales"},
        {"Step":"Invoice","Nominal":"4010","ProjectId":3}]}]}"#,
    )
    .unwrap();
    let order = fixture("mixed-vat");
    let plan = OrderPlan::decide(&doc, Trigger::OrderPaid, &order);
    let p = plan
        .preview(&order, &MappingRules::default())
        .unwrap()
        .unwrap();
    let lines = p.kashflow_invoice.line_items.as_ref().unwrap();
    assert!(lines.iter().all(|l| l.project_number == 3));
    let products: Vec<i64> = p
        .canonical
        .lines
        .iter()
        .filter(|l| l.kind == kashflow_sync::mapping::canonical::LineKind::Product)
        .map(|l| l.nominal_code)
        .collect();
    assert!(!products.is_empty() && products.iter().all(|n| *n == 4010));
    assert!(p.canonical.lines.iter().any(|l| l.kind
        == kashflow_sync::mapping::canonical::LineKind::Shipping
        && l.nominal_code == 4900));
    assert_eq!(p.kashflow_invoice.customer_code, "WEBSALES");
    assert_eq!(p.kashflow_customer.name, "Web sales");
    // No Payment step: nothing paid inside the invoice; the total is the order's.
    assert_eq!(p.kashflow_invoice.payment_lines, Some(vec![]));
    assert_eq!(p.canonical.gross_total, order.order_total);
}

#[test]
fn the_dry_run_gives_a_row_per_order_and_event() {
    let doc = parse(TRADE.as_bytes()).unwrap();
    let mut trade = serde_json::to_value(fixture("b2b-gb-company")).unwrap();
    trade["CustomerRoles"] = json!(["Registered", "Trade"]);
    trade["OrderTotal"] = json!("612.00");
    let guest = serde_json::to_value(fixture("guest-checkout")).unwrap();
    let orders = json!([
        {"Snapshot": trade, "Events": ["OrderPaid", "OrderShipped"]},
        guest,
        {"Snapshot": {"SchemaVersion": 1, "Id": 99}},
    ]);
    let run = dry_run(
        &doc,
        orders.to_string().as_bytes(),
        &MappingRules::default(),
    )
    .unwrap();
    assert_eq!(run.orders, 3);
    let v = serde_json::to_value(&run).unwrap();
    let rows = v["Rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5, "{rows:#?}");
    assert_eq!(rows[0]["Trigger"], "OrderPlaced");
    assert_eq!(rows[0]["Flow"], Value::Null);
    assert_eq!(rows[1]["Trigger"], "OrderPaid");
    assert_eq!(
        rows[1]["Flow"],
        Value::Null,
        "a VAT-registered trade customer is not web sales"
    );
    assert_eq!(rows[2]["Trigger"], "OrderShipped");
    assert_eq!(rows[2]["Flow"], "trade-accounts");
    assert_eq!(rows[2]["OrderId"], 1102);
    assert_eq!(
        rows[2]["Explanation"],
        json!(["flow 'Trade accounts' matched: customer role = Trade, total ≥ 500.00"])
    );
    // The mapping refuses an order whose own figures do not add up: the row says so.
    assert_eq!(rows[2]["InvoiceTotal"], Value::Null);
    assert!(rows[2]["Error"]
        .as_str()
        .unwrap()
        .contains("invoice cannot be made"));
    assert_eq!(rows[3]["Trigger"], "OrderPlaced");
    assert_eq!(rows[3]["Flow"], Value::Null);
    assert_eq!(rows[4]["OrderId"], 99);
    assert!(rows[4]["Error"]
        .as_str()
        .unwrap()
        .contains("cannot be read"));

    // Paid guest: web sales, with the invoice total.
    let paid = json!([{"Snapshot": guest_value(), "Events": ["OrderPaid"]}]);
    let run = dry_run(&doc, paid.to_string().as_bytes(), &MappingRules::default()).unwrap();
    let row = &run.rows[1];
    assert_eq!(row.flow.as_deref(), Some("web-sales"));
    assert_eq!(row.invoice_total.as_deref(), Some("13.49"));
    assert_eq!(row.currency.as_deref(), Some("GBP"));
    assert_eq!(
        row.steps,
        vec![
            "Customer: roll-up WEBSALES (Web sales)",
            "Invoice",
            "Payment"
        ]
    );

    for (orders, words) in [
        ("{}", "JSON array"),
        (
            "[{\"Snapshot\":{},\"Events\":[\"OrderLost\"]}]",
            "[0].Events[0]",
        ),
    ] {
        let e = dry_run(&doc, orders.as_bytes(), &MappingRules::default()).unwrap_err();
        let text = format!("{e} {:?}", e.path());
        assert!(text.contains(words), "{text}");
    }
}

fn guest_value() -> Value {
    serde_json::to_value(fixture("guest-checkout")).unwrap()
}

fn example(name: &str) -> kashflow_sync::flows::FlowDocument {
    let path = core_dir().join(format!("../examples/flows/{name}.json"));
    parse(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// The example files (examples/flows, also the designer's "Load example" menu) are valid, and
/// `every-order.json` decides exactly what the default flows decide, on every golden fixture and
/// trigger.
#[test]
fn the_examples_are_valid_and_every_order_is_the_default() {
    for name in [
        "invoice-on-paid",
        "trade-on-dispatch",
        "rollup-guests",
        "paid-rollup-guests",
    ] {
        example(name);
    }
    let every = example("every-order");
    let default = default_flows(&FlowSteps::default());
    let rules = MappingRules::default();
    for (name, path) in fixtures() {
        let (_, order) = snapshot(&path);
        for t in Trigger::ALL {
            let a = OrderPlan::decide(&every, *t, &order);
            let b = OrderPlan::decide(&default, *t, &order);
            let what = format!("{name} {t}");
            assert_eq!(a.steps, b.steps, "{what}");
            assert_eq!(
                (
                    &a.customer,
                    a.invoice,
                    a.payment,
                    a.order_note,
                    a.order_status,
                    a.stock,
                    a.credit_note
                ),
                (
                    &b.customer,
                    b.invoice,
                    b.payment,
                    b.order_note,
                    b.order_status,
                    b.stock,
                    b.credit_note
                ),
                "{what}"
            );
            let pa = a
                .preview(&order, &rules)
                .map(|p| serde_json::to_value(p.unwrap()).unwrap());
            let pb = b
                .preview(&order, &rules)
                .map(|p| serde_json::to_value(p.unwrap()).unwrap());
            assert_eq!(pa, pb, "{what}");
        }
    }
}
