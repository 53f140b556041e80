//! The flows exports as the C# layer calls them: validation with every error on its box, the
//! dry run of a flow over real golden orders, and the errors for arguments that do not read.

#[path = "support/docs.rs"]
mod docs;
#[path = "support/host.rs"]
mod host;

use kashflow_sync_native::flows_api::*;
use kashflow_sync_native::status::*;
use serde_json::{json, Value};

fn golden(name: &str) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/fixtures/orders/");
    serde_json::from_str(&std::fs::read_to_string(format!("{path}{name}.json")).unwrap()).unwrap()
}

fn example(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/flows/");
    std::fs::read(format!("{path}{name}.json")).unwrap()
}

#[test]
fn validate_reports_every_error_on_its_box_and_accepts_the_examples() {
    for name in [
        "every-order",
        "invoice-on-paid",
        "trade-on-dispatch",
        "rollup-guests",
    ] {
        let doc = example(name);
        let v = host::ok(|out| unsafe { kfs_flows_validate(doc.as_ptr(), doc.len(), out) });
        assert_eq!(v, json!({"Valid": true, "Errors": []}), "{name}");
    }
    let bad = docs::bytes(&json!({"Version": 1, "Flows": [
        {"Id": "trade-accounts", "Name": "Trade accounts", "Trigger": "OrderShipped",
         "When": {"All": [{"Field": "CustomerRole", "Op": "Equals", "Value": "Trade"},
                          {"Field": "OrderTotal", "Op": "AtLeast", "Value": "five hundred"}]},
         "Steps": [{"Step": "Invoice"}, {"Step": "CreditNote"}]}]}));
    let v = host::ok(|out| unsafe { kfs_flows_validate(bad.as_ptr(), bad.len(), out) });
    assert_eq!(v["Valid"], false);
    assert_eq!(
        v["Errors"],
        json!([
            {"FlowId": "trade-accounts", "Box": "When.All[1]", "Path": "Flows[0].When.All[1].Value",
             "Message": "OrderTotal AtLeast needs a decimal amount, found \"five hundred\""},
            {"FlowId": "trade-accounts", "Box": "Steps[1]", "Path": "Flows[0].Steps[1].Step",
             "Message": "a CreditNote step cannot run on OrderShipped (it can have: Customer, Invoice, Payment, OrderNote, OrderStatus, Stock)"}
        ])
    );
    let not_json = b"{nope";
    let v = host::ok(|out| unsafe { kfs_flows_validate(not_json.as_ptr(), not_json.len(), out) });
    assert!(v["Errors"][0]["Message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_flows_validate(std::ptr::null(), 3, out)
    });
}

#[test]
fn the_dry_run_says_what_each_order_would_post() {
    let flows = example("invoice-on-paid");
    let orders = docs::bytes(&json!([
        {"Snapshot": golden("uk-incl-vat-paid"), "Events": ["OrderPaid"]},
        golden("free-shipping"),
    ]));
    let run = host::ok(|out| unsafe {
        kfs_flows_dry_run(
            flows.as_ptr(),
            flows.len(),
            orders.as_ptr(),
            orders.len(),
            out,
        )
    });
    assert_eq!(run["Orders"], 2);
    assert!(run["ElapsedMs"].is_u64());
    let rows = run["Rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{run}");
    assert_eq!(rows[0]["Trigger"], "OrderPlaced");
    assert_eq!(rows[0]["Flow"], Value::Null);
    assert_eq!(rows[0]["InvoiceTotal"], Value::Null);
    assert_eq!(rows[1]["Trigger"], "OrderPaid");
    assert_eq!(rows[1]["Flow"], "invoice-on-paid");
    assert_eq!(rows[1]["InvoiceTotal"], "49.99");
    assert_eq!(rows[1]["Currency"], "GBP");
    assert_eq!(
        rows[1]["Explanation"],
        json!(["flow 'Invoice when paid' matched: every time"])
    );
    assert_eq!(rows[1]["Steps"][0], "Customer: per customer");
    // Placed but not paid: nothing is posted yet.
    assert_eq!(rows[2]["Trigger"], "OrderPlaced");
    assert_eq!(rows[2]["Flow"], Value::Null);

    let bad_flows = br#"{"Version":1,"Flows":[{"Id":"x","Name":"X","Trigger":"Never","Steps":[{"Step":"Invoice"}]}]}"#;
    let err = host::fails(KFS_INVALID_DOCUMENT, |out| unsafe {
        kfs_flows_dry_run(
            bad_flows.as_ptr(),
            bad_flows.len(),
            orders.as_ptr(),
            orders.len(),
            out,
        )
    });
    assert_eq!(err["Path"], "Flows[0].Trigger", "{err}");
    let not_array = b"{}";
    let err = host::fails(KFS_INVALID_DOCUMENT, |out| unsafe {
        kfs_flows_dry_run(
            flows.as_ptr(),
            flows.len(),
            not_array.as_ptr(),
            not_array.len(),
            out,
        )
    });
    assert!(
        err["Message"].as_str().unwrap().contains("JSON array"),
        "{err}"
    );
    host::fails(KFS_NULL_ARGUMENT, |out| unsafe {
        kfs_flows_dry_run(flows.as_ptr(), flows.len(), orders.as_ptr(), 0, out)
    });
}
