//! Validation: malformed and incomplete JSON, shape errors with paths, unknown schema versions,
//! and business-rule errors — each with a code, a path and an admin-readable message, all of them
//! returned at once, never a panic.

use std::path::Path;

use kashflow_sync::mapping::{preview, ErrorCode, MappingRules, ValidationErrors};
use kashflow_sync::order::parse_snapshot;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/orders")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fixture_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/orders")
        .join(format!("{name}.json"));
    std::fs::read_to_string(path).unwrap()
}

fn errors(doc: &Value) -> ValidationErrors {
    preview(&serde_json::to_vec(doc).unwrap(), &MappingRules::default()).unwrap_err()
}

/// The rules of a shop that wants every item to have a SKU.
fn errors_requiring_skus(doc: &Value) -> ValidationErrors {
    let rules = MappingRules {
        sku_less_items: kashflow_sync::mapping::rules::SkuLessItemPolicy::Refuse,
        ..MappingRules::default()
    };
    preview(&serde_json::to_vec(doc).unwrap(), &rules).unwrap_err()
}

#[test]
fn syntax_errors_name_line_and_column() {
    let text = fixture_text("uk-incl-vat-paid").replacen("\"StoreId\": 1,", "\"StoreId\": 1,,", 1);
    let e = parse_snapshot(text.as_bytes()).unwrap_err();
    assert_eq!(e.errors.len(), 1);
    let x = &e.errors[0];
    assert_eq!(x.code, ErrorCode::InvalidJson);
    assert_eq!(x.line, Some(6), "{x}");
    assert!(x.column.is_some());
    assert!(x.message.contains("line 6"), "{x}");
}

#[test]
fn truncated_documents_are_incomplete_json() {
    let text = fixture_text("uk-incl-vat-paid");
    for cut in [0, 1, text.len() / 2, text.len() - 3] {
        let e = parse_snapshot(&text.as_bytes()[..cut]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::IncompleteJson, "cut at {cut}: {e}");
        assert!(e.errors[0].line.is_some());
    }
}

#[test]
fn shape_errors_carry_field_paths_and_all_are_reported() {
    let mut doc = fixture("mixed-vat");
    doc["Items"][2]["Quantity"] = json!("2");
    doc["Items"][0]
        .as_object_mut()
        .unwrap()
        .remove("PriceInclTax");
    doc["BillingAddress"]["Postcode"] = json!("BS1 4DJ");
    doc["OrderTotal"] = json!("about 117");
    doc["PaymentStatus"] = json!("Settled");
    let e = parse_snapshot(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert!(
        e.has(ErrorCode::InvalidDocument, "Items[2].Quantity"),
        "{e}"
    );
    assert!(
        e.has(ErrorCode::MissingField, "Items[0].PriceInclTax"),
        "{e}"
    );
    assert!(
        e.has(ErrorCode::InvalidDocument, "BillingAddress.Postcode"),
        "{e}"
    );
    assert!(e.has(ErrorCode::InvalidValue, "OrderTotal"), "{e}");
    assert!(e.has(ErrorCode::InvalidValue, "PaymentStatus"), "{e}");
    assert_eq!(e.errors.len(), 5, "{e}");
    let q = e
        .errors
        .iter()
        .find(|x| x.path.as_deref() == Some("Items[2].Quantity"))
        .unwrap();
    assert_eq!(
        q.message,
        "Items[2].Quantity must be a whole number, but it is a string."
    );
}

#[test]
fn schema_version_is_required_and_checked_first() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["SchemaVersion"] = json!(2);
    let e = parse_snapshot(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert_eq!(e.errors.len(), 1);
    assert!(e.has(ErrorCode::UnsupportedSchemaVersion, "SchemaVersion"));
    assert!(
        e.errors[0].message.contains("SchemaVersion 2")
            && e.errors[0].message.contains("SchemaVersion 1")
    );
    // A version 2 document of a different shape: still the version error, not a list of shape errors.
    let v2 = json!({"SchemaVersion": 2, "Order": {"Id": 1}});
    let e = parse_snapshot(&serde_json::to_vec(&v2).unwrap()).unwrap_err();
    assert_eq!(
        (e.errors.len(), e.code()),
        (1, ErrorCode::UnsupportedSchemaVersion)
    );
    doc.as_object_mut().unwrap().remove("SchemaVersion");
    let e = parse_snapshot(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert!(e.has(ErrorCode::MissingField, "SchemaVersion"), "{e}");
    doc["SchemaVersion"] = json!("1");
    let e = parse_snapshot(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert!(e.has(ErrorCode::InvalidDocument, "SchemaVersion"), "{e}");
}

#[test]
fn documents_that_are_not_objects() {
    for text in ["[]", "null", "42", "\"order\"", "{}"] {
        let e = parse_snapshot(text.as_bytes()).unwrap_err();
        assert!(!e.errors.is_empty(), "{text}");
        assert!(!e.errors[0].message.is_empty());
    }
    let e = parse_snapshot(b"[]").unwrap_err();
    assert_eq!(
        e.errors[0].message,
        "The document must be an object, but it is an array."
    );
}

#[test]
fn every_business_error_is_reported_together() {
    let mut doc = fixture("mixed-vat");
    doc["Items"][2]["Sku"] = json!("  ");
    doc["Items"][1]["Quantity"] = json!(0);
    doc["PaymentMethodSystemName"] = json!("Payments.CashOnDelivery");
    doc["Customer"]["Email"] = json!("hannah.wright.example.net");
    doc["CustomerCurrencyCode"] = json!("CHF");
    doc["BillingAddress"]["ZipPostalCode"] = json!("BS1 4DJX");
    let e = errors_requiring_skus(&doc);
    let want = [
        (ErrorCode::MissingSku, "Items[2].Sku"),
        (ErrorCode::InvalidQuantity, "Items[1].Quantity"),
        (ErrorCode::UnmappedPaymentMethod, "PaymentMethodSystemName"),
        (ErrorCode::InvalidEmail, "Customer.Email"),
        (ErrorCode::UnknownCurrency, "CustomerCurrencyCode"),
        (ErrorCode::InvalidPostcode, "BillingAddress.ZipPostalCode"),
    ];
    for (code, path) in want {
        assert!(e.has(code, path), "{code} at {path} missing from: {e}");
    }
    assert_eq!(e.errors.len(), want.len(), "{e}");
    let sku = e
        .errors
        .iter()
        .find(|x| x.code == ErrorCode::MissingSku)
        .unwrap();
    assert_eq!(
        sku.message,
        "Item 3 ('Coffee Beans 1kg') has no SKU, so it cannot be matched to a KashFlow product. Give the product a SKU in nopCommerce, or let items without a SKU post as description lines (mapping rules: SkuLessItems)."
    );
}

#[test]
fn totals_that_do_not_add_up() {
    let mut doc = fixture("discounts");
    doc["OrderDiscount"] = json!(5.00); // total says 10.00 was taken off
    let e = errors(&doc);
    assert!(e.has(ErrorCode::TotalsMismatch, "OrderTotal"), "{e}");
    assert!(
        e.errors[0].message.contains("152.10") && e.errors[0].message.contains("147.10"),
        "{e}"
    );
    let mut doc = fixture("mixed-vat");
    doc["OrderSubtotalInclTax"] = json!(112.99); // e.g. a priced checkout attribute we do not see
    let e = errors(&doc);
    assert!(
        e.has(ErrorCode::TotalsMismatch, "OrderSubtotalInclTax"),
        "{e}"
    );
    let mut doc = fixture("mixed-vat");
    doc["Items"][0]["PriceExclTax"] = json!(27.00);
    doc["OrderSubtotalExclTax"] = json!(106.0869);
    let e = errors(&doc);
    assert!(
        e.has(ErrorCode::UnknownVatRate, "Items[0].PriceInclTax"),
        "{e}"
    );
}

#[test]
fn amounts_out_of_range_and_negative_amounts() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["OrderShippingInclTax"] = json!(-4.99);
    doc["Items"][0]["PriceInclTax"] = json!(1e27);
    doc["CurrencyRate"] = json!(0);
    doc["Items"][1]["Quantity"] = json!(9_000_000_000_000_000i64);
    let e = errors(&doc);
    assert!(
        e.has(ErrorCode::NegativeAmount, "OrderShippingInclTax"),
        "{e}"
    );
    assert!(
        e.has(ErrorCode::InvalidValue, "Items[0].PriceInclTax"),
        "{e}"
    );
    assert!(e.has(ErrorCode::InvalidCurrencyRate, "CurrencyRate"), "{e}");
    assert!(
        e.has(ErrorCode::InvalidQuantity, "Items[1].Quantity"),
        "{e}"
    );
    // Numbers no decimal can hold are a document error, not a panic.
    let text = fixture_text("uk-incl-vat-paid").replacen(
        "\"OrderTotal\": 49.99",
        "\"OrderTotal\": 1e400",
        1,
    );
    let e = parse_snapshot(text.as_bytes()).unwrap_err();
    assert!(e.has(ErrorCode::InvalidValue, "OrderTotal"), "{e}");
}

#[test]
fn identity_and_tax_rates_problems() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["OrderGuid"] = json!("not-a-guid");
    doc["CustomOrderNumber"] = json!("");
    doc["TaxRates"] = json!("20=8.33");
    doc["Items"] = json!([]);
    doc["Customer"]["Email"] = Value::Null;
    doc["BillingAddress"]["Email"] = Value::Null;
    doc["BillingAddress"]["CountryTwoLetterIsoCode"] = Value::Null;
    let e = errors(&doc);
    for (code, path) in [
        (ErrorCode::InvalidValue, "OrderGuid"),
        (ErrorCode::MissingField, "CustomOrderNumber"),
        (ErrorCode::InvalidValue, "TaxRates"),
        (ErrorCode::InvalidValue, "Items"),
        (ErrorCode::InvalidEmail, "Customer.Email"),
        (
            ErrorCode::InvalidCountry,
            "BillingAddress.CountryTwoLetterIsoCode",
        ),
    ] {
        assert!(e.has(code, path), "{code} at {path} missing from: {e}");
    }
}

#[test]
fn errors_serialise_as_pascal_case_documents() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["Items"][0]["Sku"] = Value::Null;
    let v = serde_json::to_value(errors_requiring_skus(&doc)).unwrap();
    assert_eq!(v["Errors"][0]["Code"], json!("MissingSku"));
    assert_eq!(v["Errors"][0]["Path"], json!("Items[0].Sku"));
    assert!(v["Errors"][0]["Message"]
        .as_str()
        .unwrap()
        .contains("Classic Mug"));
    assert!(v["Errors"][0].get("Line").is_none());
    let back: ValidationErrors = serde_json::from_value(v).unwrap();
    assert_eq!(back.code(), ErrorCode::MissingSku);
}

#[test]
fn a_huge_bad_value_makes_a_short_message() {
    // A 10 MB field must not make a 10 MB message (nor a 20 MB journal row).
    let big = "x".repeat(1_000_000);
    for field in [
        "OrderTotal",
        "OrderGuid",
        "TaxRates",
        "CustomerCurrencyCode",
        "CreatedOnUtc",
    ] {
        let mut doc = fixture("uk-incl-vat-paid");
        doc[field] = json!(big);
        let bytes = serde_json::to_vec(&doc).unwrap();
        let e = preview(&bytes, &MappingRules::default()).unwrap_err();
        assert!(!e.errors.is_empty(), "{field}");
        for x in &e.errors {
            assert!(
                x.message.len() < 1_000,
                "{field}: {} bytes",
                x.message.len()
            );
        }
    }
    // A long text that is fine but too long for KashFlow is shortened with a warning.
    let mut doc = fixture("uk-incl-vat-paid");
    doc["BillingAddress"]["Address1"] = json!(big);
    let p = preview(&serde_json::to_vec(&doc).unwrap(), &MappingRules::default()).unwrap();
    let line1 = p.canonical.customer.address.unwrap().line1.unwrap();
    assert_eq!(line1.chars().count(), 100);
    assert!(p.warnings.iter().any(|w| w.code
        == kashflow_sync::mapping::WarningCode::TextTruncated
        && w.path.as_deref() == Some("BillingAddress.Address1")));
}
