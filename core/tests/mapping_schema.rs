//! The order snapshot's JSON Schema cannot drift from the serde types, the doc comments or the
//! checked-in file. Refresh the file with `KFSYNC_BLESS=1 cargo test -p kashflow-sync schema`.

use std::collections::BTreeSet;
use std::path::Path;

use kashflow_sync::order::schema::{snapshot_schema, snapshot_schema_text, validate, SCHEMA_FILE};
use kashflow_sync::order::{
    parse_snapshot, ErrorCode, OrderAddress, OrderSnapshot, OrderStatus, PaymentStatus,
    TaxDisplayType,
};
use serde_json::Value;

fn core_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(core_dir().join("fixtures/orders").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn schema_file_is_up_to_date() {
    let path = core_dir().join(SCHEMA_FILE);
    let generated = snapshot_schema_text();
    if std::env::var("KFSYNC_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} is out of date with the snapshot types; refresh it with: KFSYNC_BLESS=1 cargo test -p kashflow-sync schema",
        path.display()
    );
}

/// A snapshot with every optional field present and every list non-empty.
fn fully_populated() -> OrderSnapshot {
    let text =
        std::fs::read_to_string(core_dir().join("fixtures/orders/gift-card-reward-points.json"))
            .unwrap();
    let mut s: OrderSnapshot = serde_json::from_str(&text).unwrap();
    let full = OrderAddress {
        first_name: Some("A".into()),
        last_name: Some("B".into()),
        company: Some("C".into()),
        email: Some("a@b.co".into()),
        address1: Some("1 Road".into()),
        address2: Some("Area".into()),
        city: Some("Town".into()),
        county: Some("County".into()),
        state_province_abbreviation: Some("ST".into()),
        zip_postal_code: Some("M1 1AE".into()),
        country_two_letter_iso_code: Some("GB".into()),
        phone_number: Some("0".into()),
    };
    s.billing_address = full.clone();
    s.shipping_address = Some(full);
    s.vat_number = Some("GB123".into());
    s.paid_date_utc = Some(s.created_on_utc);
    s.shipping_method = Some("Post".into());
    s.customer.email = Some("a@b.co".into());
    s.customer.first_name = Some("A".into());
    s.customer.last_name = Some("B".into());
    s.customer.company = Some("C".into());
    s.items[0].attribute_description = Some("x".into());
    s.items[0].sku = Some("MUG-CLASSIC".into());
    s.gift_card_usage = vec!["1".parse().unwrap()];
    s.store_name = Some("Main store".into());
    s.customer_roles = vec!["Registered".into(), "Trade".into()];
    s.items[0].categories = vec!["Mugs".into()];
    s
}

fn value_paths(v: &Value, path: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                out.insert(p.clone());
                value_paths(x, &p, out);
            }
        }
        Value::Array(items) => {
            for x in items {
                value_paths(x, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

fn schema_paths(s: &Value, path: &str, out: &mut BTreeSet<String>) {
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (k, x) in props {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            out.insert(p.clone());
            schema_paths(x, &p, out);
        }
    }
    if let Some(items) = s.get("items") {
        schema_paths(items, &format!("{path}[]"), out);
    }
}

#[test]
fn schema_properties_are_exactly_the_serialised_keys() {
    let value = serde_json::to_value(fully_populated()).unwrap();
    let mut from_serde = BTreeSet::new();
    value_paths(&value, "", &mut from_serde);
    let mut from_schema = BTreeSet::new();
    schema_paths(&snapshot_schema(), "", &mut from_schema);
    let only_serde: Vec<_> = from_serde.difference(&from_schema).collect();
    let only_schema: Vec<_> = from_schema.difference(&from_serde).collect();
    assert!(
        only_serde.is_empty() && only_schema.is_empty(),
        "serialised but not in the schema: {only_serde:?}; in the schema but not serialised: {only_schema:?}"
    );
    // And the fully populated snapshot is valid against the schema and reads back.
    assert_eq!(validate(&snapshot_schema(), &value), vec![]);
    let back: OrderSnapshot = serde_json::from_value(value).unwrap();
    assert_eq!(back, fully_populated());
}

/// For every property: dropping it from a valid document fails to parse with MissingField at its
/// path exactly when the schema lists it as required.
#[test]
fn schema_required_fields_are_the_ones_serde_requires() {
    let doc = serde_json::to_value(fully_populated()).unwrap();
    let schema = snapshot_schema();
    let mut checked = 0;
    let objects: Vec<(&str, Vec<&str>)> = vec![
        ("", vec![]),
        ("Customer", vec!["Customer"]),
        ("BillingAddress", vec!["BillingAddress"]),
        ("Items[0]", vec!["Items", "0"]),
    ];
    for (prefix, pointer) in objects {
        let mut sub = &schema;
        for p in &pointer {
            sub = if p.parse::<usize>().is_ok() {
                &sub["items"]
            } else {
                &sub["properties"][*p]
            };
        }
        let required: BTreeSet<&str> = sub["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for key in sub["properties"].as_object().unwrap().keys() {
            let mut d = doc.clone();
            let mut target = &mut d;
            for p in &pointer {
                target = match p.parse::<usize>() {
                    Ok(i) => &mut target[i],
                    Err(_) => &mut target[*p],
                };
            }
            target.as_object_mut().unwrap().remove(key);
            let bytes = serde_json::to_vec(&d).unwrap();
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match parse_snapshot(&bytes) {
                Ok(_) => assert!(
                    !required.contains(key.as_str()),
                    "{path} is required by the schema but serde accepted it missing"
                ),
                Err(e) => {
                    assert!(
                        required.contains(key.as_str()),
                        "{path} is optional in the schema but serde refused: {e}"
                    );
                    assert!(e.has(ErrorCode::MissingField, &path), "{path}: {e}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 50);
}

#[test]
fn schema_enums_match_the_rust_enums() {
    let check = |names: &[&str], values: Vec<Value>| {
        let got: Vec<String> = values
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    };
    use OrderStatus as O;
    use PaymentStatus as P;
    check(
        OrderStatus::NAMES,
        [O::Pending, O::Processing, O::Complete, O::Cancelled]
            .iter()
            .map(|v| serde_json::to_value(v).unwrap())
            .collect(),
    );
    check(
        PaymentStatus::NAMES,
        [
            P::Pending,
            P::Authorized,
            P::Paid,
            P::PartiallyRefunded,
            P::Refunded,
            P::Voided,
        ]
        .iter()
        .map(|v| serde_json::to_value(v).unwrap())
        .collect(),
    );
    check(
        TaxDisplayType::NAMES,
        [TaxDisplayType::IncludingTax, TaxDisplayType::ExcludingTax]
            .iter()
            .map(|v| serde_json::to_value(v).unwrap())
            .collect(),
    );
    let s = snapshot_schema();
    assert_eq!(
        s["properties"]["OrderStatus"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        s["properties"]["SchemaVersion"]["enum"],
        serde_json::json!([1])
    );
}

#[test]
fn schema_validates_every_golden_fixture() {
    let schema = snapshot_schema();
    for e in std::fs::read_dir(core_dir().join("fixtures/orders")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".json") || name.ends_with(".expected.json") {
            continue;
        }
        let errors = validate(&schema, &fixture(&name));
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}

#[test]
fn schema_validator_rejects_what_serde_rejects() {
    let mut doc = fixture("mixed-vat.json");
    doc["Items"][1]["Quantity"] = Value::from("2");
    doc["Customer"]["Nickname"] = Value::from("x");
    doc["OrderStatus"] = Value::from("Shipped");
    doc["CreatedOnUtc"] = Value::from("yesterday");
    let errors = validate(&snapshot_schema(), &doc);
    let paths: BTreeSet<String> = errors.iter().filter_map(|e| e.path.clone()).collect();
    let want: BTreeSet<String> = [
        "Items[1].Quantity",
        "Customer.Nickname",
        "OrderStatus",
        "CreatedOnUtc",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(paths, want);
    assert!(serde_json::from_value::<OrderSnapshot>(doc).is_err());
}

/// Each field's doc comment in `order/snapshot.rs` is its description in the schema, word for word.
#[test]
fn schema_descriptions_are_the_doc_comments() {
    let source = std::fs::read_to_string(core_dir().join("src/order/snapshot.rs")).unwrap();
    let schema = snapshot_schema();
    let objects = [
        ("OrderSnapshot", schema.clone()),
        ("OrderItem", schema["properties"]["Items"]["items"].clone()),
        ("OrderCustomer", schema["properties"]["Customer"].clone()),
        (
            "OrderAddress",
            schema["properties"]["BillingAddress"].clone(),
        ),
    ];
    let mut compared = 0;
    for (name, obj) in objects {
        let start = source.find(&format!("pub struct {name} {{")).unwrap();
        let body = &source[start..start + source[start..].find("\n}").unwrap()];
        let mut doc = String::new();
        for line in body.lines().skip(1) {
            let t = line.trim();
            if let Some(c) = t.strip_prefix("///") {
                if !doc.is_empty() {
                    doc.push(' ');
                }
                doc.push_str(c.trim());
            } else if let Some(rest) = t.strip_prefix("pub ") {
                let field = rest.split(':').next().unwrap();
                let pascal: String = field
                    .split('_')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    })
                    .collect();
                let desc = obj["properties"][&pascal]["description"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}.{pascal} not in schema"));
                assert_eq!(
                    desc, doc,
                    "{name}.{pascal}: the doc comment and the schema description differ"
                );
                assert!(!doc.is_empty(), "{name}.{field} has no doc comment");
                doc.clear();
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 38 + 12 + 6 + 12);
}
