//! `kfsync preview` as a process: exit codes and JSON on stdout.

use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/fixtures/orders")
        .join(name)
}

#[test]
fn preview_exits_0_with_the_preview() {
    let out = Command::new(env!("CARGO_BIN_EXE_kfsync"))
        .args([
            "preview",
            fixture("b2b-de-vat-number.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["Canonical"]["GrossTotal"].to_string(), "357.14");
    assert_eq!(v["Warnings"][0]["Code"], serde_json::json!("ZeroRatedB2b"));
}

#[test]
fn preview_exits_2_with_every_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("mixed-vat.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["Items"][0]["Sku"] = serde_json::Value::Null;
    doc["CustomerCurrencyCode"] = serde_json::json!("XYZ");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        br#"{"RulesVersion": 1, "RoundingTolerance": 0.05, "SkuLessItems": "Refuse"}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kfsync"))
        .args([
            "preview",
            path.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["Errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["UnknownCurrency", "MissingSku"]);
    assert_eq!(v["Errors"][1]["Path"], serde_json::json!("Items[0].Sku"));
}

#[test]
fn preview_exits_1_when_the_file_is_missing() {
    let out = Command::new(env!("CARGO_BIN_EXE_kfsync"))
        .args(["preview", "/nonexistent/order.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
