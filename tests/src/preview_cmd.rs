//! `kfsync preview <snapshot.json> [--rules rules.json]`: map an order snapshot with the given
//! (or default) mapping rules and print the result as JSON — the preview (exit 0) or every
//! validation error (exit 2). Nothing is posted. A file that cannot be read is exit 1.

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
    let (code, text) = render(&snapshot, rules.as_deref());
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
