//! `kfsync preview <snapshot.json> [--rules rules.json]`: map an order snapshot with the given
//! (or default) mapping rules and print the result as JSON — the preview (exit 0) or every
//! validation error (exit 2). Nothing is posted. A file that cannot be read is exit 1.
//!
//! `kfsync preview <event.json> --order <snapshot.json>`: the credit note a refund, cancellation or
//! void (`OrderRefunded`, `OrderCancelled`, `OrderVoided`) of that order would post, worked out from
//! the invoice the order maps to, as the order's first credit note.
//!
//! `kfsync preview <orders.json> --flows flows.json [--events OrderPaid,OrderShipped]`: what the
//! flows decide (the admin's dry run, `flows::dry_run`): one row per order and trigger with the
//! matched flow, why, its steps and the invoice total. The file is one snapshot (placed, then the
//! `--events`), or the dry run's input, an array of snapshots or `{"Snapshot","Events"}`. A flow
//! document that does not validate prints every error on its box (exit 2).

use std::io::{Read, Write};
use std::path::PathBuf;

use kashflow_sync::mapping::{preview, MappingRules, ValidationErrors};

/// Exit status when the snapshot or rules do not validate.
pub const EXIT_INVALID: i32 = 2;
/// Exit status when a file cannot be read.
pub const EXIT_IO: i32 = 1;

#[derive(clap::Args, Debug)]
pub struct PreviewArgs {
    /// Order snapshot JSON file ("-" reads standard input).
    pub snapshot: PathBuf,
    /// Mapping rules JSON file (PascalCase, "RulesVersion": 1); the defaults when omitted.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// The order's snapshot, when the first file is an event document: show its credit note.
    #[arg(long)]
    pub order: Option<PathBuf>,
    /// A flow document ("Version": 1): show what the flows decide for the order(s).
    #[arg(long)]
    pub flows: Option<PathBuf>,
    /// With --flows and one snapshot: the events it has had since it was placed, comma-separated
    /// (OrderPaid, OrderShipped, OrderDelivered, OrderCompleted, OrderRefunded, OrderCancelled).
    #[arg(long, value_delimiter = ',')]
    pub events: Vec<String>,
}

fn read(path: &PathBuf) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

fn errors_json(e: &ValidationErrors) -> String {
    serde_json::to_string_pretty(e).unwrap_or_else(|_| e.to_string())
}

/// Map `snapshot` with `rules` (JSON bytes, or the defaults): the exit status and the JSON to print.
pub fn render(snapshot: &[u8], rules: Option<&[u8]>) -> (i32, String) {
    let rules = match rules.map(MappingRules::from_json) {
        None => MappingRules::default(),
        Some(Ok(r)) => r,
        Some(Err(e)) => return (EXIT_INVALID, errors_json(&e)),
    };
    match preview(snapshot, &rules) {
        Ok(p) => match serde_json::to_string_pretty(&p) {
            Ok(s) => (0, s),
            Err(e) => (EXIT_IO, format!("could not write the preview: {e}")),
        },
        Err(e) => (EXIT_INVALID, errors_json(&e)),
    }
}

/// The credit note `event` (JSON) would post for the order `snapshot`: exit status and JSON.
pub fn render_credit(event: &[u8], snapshot: &[u8], rules: Option<&[u8]>) -> (i32, String) {
    use kashflow_sync::engine::{CreditRequest, OrderEvent};
    use kashflow_sync::sync::credit_note::preview_credit_note;
    use kashflow_sync::sync::credit_plan::PlanError;
    let rules = match rules.map(MappingRules::from_json) {
        None => MappingRules::default(),
        Some(Ok(r)) => r,
        Some(Err(e)) => return (EXIT_INVALID, errors_json(&e)),
    };
    let fail = |msg: String| {
        let v = serde_json::json!({"Errors": [{"Code": "InvalidEvent", "Message": msg}]});
        (
            EXIT_INVALID,
            serde_json::to_string_pretty(&v).unwrap_or_default(),
        )
    };
    let event = match OrderEvent::parse(event) {
        Ok(e) => e,
        Err(e) => return fail(e.to_string()),
    };
    let Some(req) = CreditRequest::for_event(&event, chrono::Utc::now()) else {
        return fail(format!(
            "{} posts no credit note (a payment); give an OrderRefunded, OrderCancelled or OrderVoided event",
            event.kind_name()
        ));
    };
    let mapped = match preview(snapshot, &rules) {
        Ok(p) => p,
        Err(e) => return (EXIT_INVALID, errors_json(&e)),
    };
    if mapped.canonical.order_id != req.order_id {
        return fail(format!(
            "the event is for order {} but the snapshot is order {}",
            req.order_id, mapped.canonical.order_id
        ));
    }
    let mut invoice = mapped.kashflow_invoice.clone();
    invoice.number = Some(invoice.number.unwrap_or_default());
    let total = mapped.canonical.gross_total;
    let custom = mapped.canonical.custom_order_number.clone();
    match preview_credit_note(
        &invoice,
        &[],
        &req,
        Some(total),
        &custom,
        &rules.currency.home_currency,
    ) {
        Ok(v) => (
            0,
            serde_json::to_string_pretty(&serde_json::json!({
                "Event": event.to_value(),
                "CreditNote": v,
            }))
            .unwrap_or_default(),
        ),
        Err(PlanError::NothingLeft) => fail("the invoice has nothing to credit".into()),
        Err(PlanError::BadItem(why)) => fail(why),
        Err(PlanError::Exceeds { asked, left }) => fail(format!(
            "the refund of {asked} is more than the invoice's {left}; nothing would be posted"
        )),
    }
}

/// What `flows` (JSON) decide for `orders` (one snapshot, or the dry run's array input): exit
/// status and JSON.
pub fn render_flows(
    orders: &[u8],
    flows: &[u8],
    events: &[String],
    rules: Option<&[u8]>,
) -> (i32, String) {
    let rules = match rules.map(MappingRules::from_json) {
        None => MappingRules::default(),
        Some(Ok(r)) => r,
        Some(Err(e)) => return (EXIT_INVALID, errors_json(&e)),
    };
    let doc = match kashflow_sync::flows::parse(flows) {
        Ok(d) => d,
        Err(_) => {
            let v = kashflow_sync::flows::validate(flows);
            return (
                EXIT_INVALID,
                serde_json::to_string_pretty(&v).unwrap_or_default(),
            );
        }
    };
    let fail = |msg: String| {
        let v = serde_json::json!({"Errors": [{"Code": "InvalidDocument", "Message": msg}]});
        (
            EXIT_INVALID,
            serde_json::to_string_pretty(&v).unwrap_or_default(),
        )
    };
    let value: serde_json::Value = match serde_json::from_slice(orders) {
        Ok(v) => v,
        Err(e) => return fail(format!("the orders file is not valid JSON: {e}")),
    };
    // One snapshot: placed, then the events given on the command line.
    let input = if value.is_array() {
        if !events.is_empty() {
            return fail("--events is for one snapshot; an array gives each order's Events".into());
        }
        value
    } else {
        serde_json::json!([{"Snapshot": value, "Events": events}])
    };
    let bytes = serde_json::to_vec(&input).unwrap_or_default();
    match kashflow_sync::flows::dry_run(&doc, &bytes, &rules) {
        Ok(run) => (0, serde_json::to_string_pretty(&run).unwrap_or_default()),
        Err(e) => fail(e.to_string()),
    }
}

pub fn run(args: &PreviewArgs) -> i32 {
    let snapshot = match read(&args.snapshot) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "kfsync preview: cannot read {}: {e}",
                args.snapshot.display()
            );
            return EXIT_IO;
        }
    };
    let rules = match &args.rules {
        None => None,
        Some(p) => match std::fs::read(p) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("kfsync preview: cannot read {}: {e}", p.display());
                return EXIT_IO;
            }
        },
    };
    let flows = match &args.flows {
        None => None,
        Some(p) => match std::fs::read(p) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("kfsync preview: cannot read {}: {e}", p.display());
                return EXIT_IO;
            }
        },
    };
    let (code, text) = match (&args.order, &flows) {
        (_, Some(f)) => render_flows(&snapshot, f, &args.events, rules.as_deref()),
        (None, None) => render(&snapshot, rules.as_deref()),
        (Some(p), None) => match std::fs::read(p) {
            // The first file is the event.
            Ok(order) => render_credit(&snapshot, &order, rules.as_deref()),
            Err(e) => {
                eprintln!("kfsync preview: cannot read {}: {e}", p.display());
                return EXIT_IO;
            }
        },
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        return EXIT_IO;
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/fixtures/orders")
            .join(name);
        std::fs::read(p).unwrap()
    }

    #[test]
    fn preview_prints_the_mapped_invoice() {
        let (code, text) = render(&fixture("mixed-vat.json"), None);
        assert_eq!(code, 0, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["Canonical"]["GrossTotal"].to_string(), "116.98");
        assert_eq!(v["KashFlowInvoice"]["Number"], serde_json::json!(101047));
        assert_eq!(
            v["KashFlowCustomer"]["Code"],
            serde_json::json!("NOP000316")
        );
        assert!(v["Warnings"].as_array().unwrap().is_empty());
    }

    #[test]
    fn preview_uses_the_rules_file() {
        let rules = br#"{"RulesVersion": 1, "InvoiceNumber": {"Strategy": "KashFlowAssigns"}, "CustomerReferenceTemplate": "WEB-{OrderId}"}"#;
        let (code, text) = render(&fixture("mixed-vat.json"), Some(rules));
        assert_eq!(code, 0, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(v["KashFlowInvoice"].get("Number").is_none());
        assert_eq!(
            v["KashFlowInvoice"]["CustomerReference"],
            serde_json::json!("WEB-1047")
        );
    }

    #[test]
    fn an_event_with_its_order_previews_the_credit_note() {
        // mixed-vat: 20/5/0% lines, 116.98 GBP, invoice 101047.
        let refund = br#"{"Kind":"OrderRefunded","OrderId":1047,"Amount":"30.00","RefundDateUtc":"2026-07-31T23:15:00Z","PaymentStatus":"PartiallyRefunded"}"#;
        let (code, text) = render_credit(refund, &fixture("mixed-vat.json"), None);
        assert_eq!(code, 0, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let c = &v["CreditNote"];
        assert_eq!(c["CreditNoteNumber"], serde_json::json!(10104701));
        assert_eq!(c["Total"], serde_json::json!("30.00"));
        let body = &c["Requests"][0]["Body"];
        assert_eq!(body["IssuedDate"], serde_json::json!("2026-08-01 12:00:00"));
        assert_eq!(body["CustomerReference"], serde_json::json!("CN-101047-1"));
        assert_eq!(
            body["LineItems"].as_array().unwrap().len(),
            3,
            "one per VAT rate"
        );
        let cancel = br#"{"Kind":"OrderCancelled","OrderId":1047}"#;
        let (code, text) = render_credit(cancel, &fixture("mixed-vat.json"), None);
        assert_eq!(code, 0, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["CreditNote"]["Total"], serde_json::json!("116.98"));
        assert_eq!(v["CreditNote"]["LineByLine"], serde_json::json!(true));
        let (code, text) = render_credit(
            br#"{"Kind":"OrderRefunded","OrderId":1047,"Amount":"200.00"}"#,
            &fixture("mixed-vat.json"),
            None,
        );
        assert_eq!(code, EXIT_INVALID, "{text}");
        assert!(text.contains("more than"), "{text}");
        let (code, _) = render_credit(
            br#"{"Kind":"OrderCancelled","OrderId":9}"#,
            &fixture("mixed-vat.json"),
            None,
        );
        assert_eq!(code, EXIT_INVALID);
    }

    fn example(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/flows")
            .join(name);
        std::fs::read(p).unwrap()
    }

    #[test]
    fn preview_with_flows_shows_what_the_flows_decide() {
        let events = vec!["OrderPaid".to_string()];
        let (code, text) = render_flows(
            &fixture("guest-checkout.json"),
            &example("rollup-guests.json"),
            &events,
            None,
        );
        assert_eq!(code, 0, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rows = v["Rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["Flow"], "guests-roll-up");
        assert_eq!(
            rows[0]["Explanation"][0],
            "flow 'Guests: one Web sales customer' matched: customer role = Guests"
        );
        assert_eq!(
            rows[0]["Steps"][0],
            "Customer: roll-up WEBSALES (Web sales)"
        );
        assert_eq!(rows[0]["InvoiceTotal"], "13.49");
        assert_eq!(rows[1]["Trigger"], "OrderPaid");
        assert_eq!(rows[1]["Flow"], "payment-when-paid");
        let (code, text) = render_flows(
            &fixture("guest-checkout.json"),
            br#"{"Version":1,"Flows":[{"Id":"X","Name":"","Trigger":"OrderPaid","Steps":[]}]}"#,
            &[],
            None,
        );
        assert_eq!(code, EXIT_INVALID);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["Valid"], false);
        assert_eq!(v["Errors"].as_array().unwrap().len(), 3, "{text}");
        let (code, text) = render_flows(
            &fixture("guest-checkout.json"),
            &example("every-order.json"),
            &["OrderLost".to_string()],
            None,
        );
        assert_eq!(code, EXIT_INVALID);
        assert!(
            text.contains("Events[0]") || text.contains("OrderLost"),
            "{text}"
        );
    }

    #[test]
    fn invalid_snapshots_and_rules_exit_2_with_errors_as_json() {
        let (code, text) = render(b"{\"SchemaVersion\": 1,", None);
        assert_eq!(code, EXIT_INVALID);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["Errors"][0]["Code"], serde_json::json!("IncompleteJson"));
        let (code, text) = render(&fixture("mixed-vat.json"), Some(br#"{"RulesVersion": 9}"#));
        assert_eq!(code, EXIT_INVALID);
        assert!(text.contains("Rules.RulesVersion"), "{text}");
    }
}
