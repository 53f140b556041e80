//! Each mapping rule, on real fixtures: the defaults of `MappingRules::default()`, and what changing
//! each setting does.

use std::path::Path;

use kashflow_sync::mapping::canonical::LineKind;
use kashflow_sync::mapping::canonical::PaymentKind;
use kashflow_sync::mapping::rules::{
    CustomerCodeStrategy, InvoiceCurrencyMode, InvoiceNumberStrategy, PaymentMapping,
};
use kashflow_sync::mapping::{
    preview, ErrorCode, MappingRules, Preview, ValidationErrors, WarningCode,
};
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/orders")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run(doc: &Value, rules: &MappingRules) -> Result<Preview, ValidationErrors> {
    preview(&serde_json::to_vec(doc).unwrap(), rules)
}

fn ok(doc: &Value, rules: &MappingRules) -> Preview {
    run(doc, rules).unwrap_or_else(|e| panic!("{e}"))
}

fn rules_json(v: Value) -> Result<MappingRules, ValidationErrors> {
    MappingRules::from_json(&serde_json::to_vec(&v).unwrap())
}

// ---- Defaults and the rules document -----------------------------------------------------------

#[test]
fn defaults_are_the_contract() {
    let r = MappingRules::default();
    assert_eq!(r.rules_version, 1);
    assert_eq!(
        r.invoice_number.strategy,
        InvoiceNumberStrategy::OrderIdPlusOffset
    );
    assert_eq!(r.invoice_number.offset, 100_000);
    assert_eq!(r.customer_reference_template, "NOP-{CustomOrderNumber}");
    assert_eq!(
        r.customer_codes.strategy,
        CustomerCodeStrategy::FromCustomerId
    );
    assert_eq!(
        (r.customer_codes.prefix.as_str(), r.customer_codes.id_width),
        ("NOP", 6)
    );
    let pm = |m, a| {
        Some(PaymentMapping {
            method_id: m,
            bank_account_id: a,
        })
    };
    assert_eq!(r.payment_mapping("Payments.Manual"), pm(4, 2));
    assert_eq!(r.payment_mapping("Payments.CheckMoneyOrder"), pm(2, 1));
    assert_eq!(r.payment_mapping("Payments.PayPalCommerce"), pm(5, 2));
    assert_eq!(r.payment_mapping("Payments.Stripe"), pm(4, 2));
    assert_eq!(r.payment_mapping("Payments.Other"), None);
    let n = &r.nominals;
    assert_eq!(
        (
            n.sales,
            n.shipping,
            n.discounts,
            n.payment_fee,
            n.gift_card,
            n.reward_points,
            n.rounding
        ),
        (4000, 4900, 4905, 4910, 2300, 4930, 4999)
    );
    assert!(n.sku_overrides.is_empty() && r.product_codes.is_empty());
    assert_eq!(r.product_code("MUG-CLASSIC"), "MUG-CLASSIC");
    assert_eq!(r.vat.rates, vec![d("20"), d("5"), d("0")]);
    assert_eq!(r.currency.allowed, vec!["GBP", "EUR", "USD"]);
    assert_eq!(r.rounding_tolerance, d("0.02"));
    assert_eq!((r.due_days.paid, r.due_days.unpaid), (0, 30));
    assert!(r.validate().is_ok());
}

#[test]
fn rules_document_is_pascal_case_versioned_and_round_trips() {
    let r = MappingRules::default();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["RulesVersion"], json!(1));
    assert_eq!(v["InvoiceNumber"]["Offset"], json!(100000));
    assert_eq!(
        v["PaymentMethods"]["Payments.Manual"],
        json!({"MethodId": 4, "BankAccountId": 2})
    );
    assert_eq!(v["Nominals"]["GiftCard"], json!(2300));
    assert_eq!(v["RoundingTolerance"].to_string(), "0.02");
    assert_eq!(rules_json(v).unwrap(), r);
    // Every field is optional; missing ones take their defaults.
    assert_eq!(rules_json(json!({})).unwrap(), r);
    assert_eq!(
        rules_json(json!({"RulesVersion": 1, "Nominals": {"Sales": 4001}}))
            .unwrap()
            .nominals
            .shipping,
        4900
    );
}

#[test]
fn rules_document_errors() {
    let e = rules_json(json!({"RulesVersion": 2})).unwrap_err();
    assert!(e.has(ErrorCode::InvalidRules, "Rules.RulesVersion"), "{e}");
    let e = rules_json(json!({"Nominalz": {}})).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRules);
    assert!(e.to_string().contains("Nominalz"), "{e}");
    let e = MappingRules::from_json(b"{\"RulesVersion\": 1,").unwrap_err();
    assert_eq!(e.errors[0].line, Some(1));
    let e = rules_json(json!({
        "CustomerReferenceTemplate": "NOP-{OrderNumber}",
        "CustomerCodes": {"Prefix": "nop-"},
        "Vat": {"Rates": [120]},
        "Currency": {"HomeCurrency": "GBP", "Allowed": ["EUR"]},
        "RoundingTolerance": -1,
        "PaymentMethods": {"Payments.Manual": {"MethodId": 0, "BankAccountId": 2}}
    }))
    .unwrap_err();
    for path in [
        "Rules.CustomerReferenceTemplate",
        "Rules.CustomerCodes.Prefix",
        "Rules.Vat.Rates[0]",
        "Rules.Currency.Allowed",
        "Rules.RoundingTolerance",
        "Rules.PaymentMethods.Payments.Manual.MethodId",
    ] {
        assert!(e.has(ErrorCode::InvalidRules, path), "{path}: {e}");
    }
    // Invalid rules stop the mapping with those errors.
    let bad = MappingRules {
        customer_reference_template: "{Nope}".into(),
        ..MappingRules::default()
    };
    let e = run(&fixture("uk-incl-vat-paid"), &bad).unwrap_err();
    assert!(e.has(ErrorCode::InvalidRules, "Rules.CustomerReferenceTemplate"));
    assert!(e.errors[0].message.contains("{Nope}"));
}

// ---- Invoice numbering and reference ------------------------------------------------------------

#[test]
fn invoice_number_is_offset_plus_order_id_or_kashflows_own() {
    let doc = fixture("uk-incl-vat-paid");
    let mut r = MappingRules::default();
    r.invoice_number.offset = 500_000;
    let p = ok(&doc, &r);
    assert_eq!(p.canonical.invoice_number, Some(501_042));
    assert_eq!(p.kashflow_invoice.number, Some(501_042));
    r.invoice_number.strategy = InvoiceNumberStrategy::KashFlowAssigns;
    let p = ok(&doc, &r);
    assert_eq!(p.canonical.invoice_number, None);
    let v = serde_json::to_value(&p.kashflow_invoice).unwrap();
    assert!(
        v.get("Number").is_none(),
        "Number must be omitted so KashFlow assigns it"
    );
}

#[test]
fn customer_reference_template_placeholders() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["CustomOrderNumber"] = json!("2026/07/1042");
    doc["OrderGuid"] = json!("7C1E7D0A-3F51-4A43-9A55-2A9F3C2F6B10");
    let mut r = MappingRules::default();
    assert_eq!(
        ok(&doc, &r).canonical.customer_reference,
        "NOP-2026/07/1042"
    );
    r.customer_reference_template = "Web {OrderId} ({CustomOrderNumber}) {OrderGuid}".into();
    assert_eq!(
        ok(&doc, &r).canonical.customer_reference,
        "Web 1042 (2026/07/1042) 7c1e7d0a-3f51-4a43-9a55-2a9f3c2f6b10"
    );
    for bad in ["NOP-{OrderID}", "NOP-{CustomOrderNumber", "NOP-}", "{}"] {
        r.customer_reference_template = bad.into();
        let e = r.validate().unwrap_err();
        assert!(
            e.has(ErrorCode::InvalidRules, "Rules.CustomerReferenceTemplate"),
            "{bad}"
        );
    }
}

// ---- Customer ---------------------------------------------------------------------------------

#[test]
fn customer_code_strategies() {
    let doc = fixture("uk-incl-vat-paid");
    let mut r = MappingRules::default();
    assert_eq!(ok(&doc, &r).canonical.customer.code, "NOP000311");
    r.customer_codes.prefix = "WEB".into();
    r.customer_codes.id_width = 8;
    assert_eq!(ok(&doc, &r).canonical.customer.code, "WEB00000311");
    r.customer_codes.strategy = CustomerCodeStrategy::FromEmail;
    let code = ok(&doc, &r).canonical.customer.code;
    assert!(code.starts_with("WEBEMILYC") && code.len() <= 20, "{code}");
    assert!(code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
}

#[test]
fn repeat_guests_share_one_customer_code() {
    let a = fixture("guest-checkout");
    let mut b = a.clone();
    b["Customer"]["Id"] = json!(9999);
    b["BillingAddress"]["Email"] = json!("  SAM.TAYLOR@example.CO.UK");
    let r = MappingRules::default();
    let (pa, pb) = (ok(&a, &r), ok(&b, &r));
    assert_eq!(pa.canonical.customer.code, pb.canonical.customer.code);
    assert_eq!(pb.canonical.customer.email, "sam.taylor@example.co.uk");
    // A different guest gets a different code; with the Id strategy for guests each checkout differs.
    let mut c = a.clone();
    c["BillingAddress"]["Email"] = json!("sam.taylor2@example.co.uk");
    assert_ne!(
        ok(&c, &r).canonical.customer.code,
        pa.canonical.customer.code
    );
    let mut by_id = r.clone();
    by_id.customer_codes.guest_strategy = CustomerCodeStrategy::FromCustomerId;
    assert_eq!(ok(&b, &by_id).canonical.customer.code, "NOP009999");
}

#[test]
fn customer_name_falls_back_to_company_then_email() {
    let mut doc = fixture("uk-excl-vat-business");
    let r = MappingRules::default();
    // A business buyer: the company is the customer, the person its contact.
    let p = ok(&doc, &r);
    assert_eq!(p.canonical.customer.name, "Patel Optics Ltd");
    assert_eq!(
        p.kashflow_invoice.customer_name.as_deref(),
        Some("Patel Optics Ltd")
    );
    assert_eq!(
        p.kashflow_customer.contacts[0].name.as_deref(),
        Some("Raj Patel")
    );
    // The billing address's company is what the order was placed as.
    doc["BillingAddress"]["Company"] = json!("Patel Optics (Leeds) Ltd");
    assert_eq!(
        ok(&doc, &r).canonical.customer.name,
        "Patel Optics (Leeds) Ltd"
    );
    doc["Customer"]["Company"] = Value::Null;
    doc["BillingAddress"]["Company"] = Value::Null;
    assert_eq!(ok(&doc, &r).canonical.customer.name, "Raj Patel");
    for who in ["Customer", "BillingAddress"] {
        doc[who]["FirstName"] = Value::Null;
        doc[who]["LastName"] = json!("  ");
    }
    assert_eq!(
        ok(&doc, &r).canonical.customer.name,
        "accounts@pateloptics.co.uk"
    );
    // Guest: names come from the billing address.
    let g = ok(&fixture("guest-checkout"), &r);
    assert_eq!(
        g.kashflow_customer.contacts[0].first_name.as_deref(),
        Some("Sam")
    );
}

// ---- Addresses ---------------------------------------------------------------------------------

#[test]
fn addresses_are_standardised_and_mapped_to_lines() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["BillingAddress"] = json!({
        "Address1": "  Flat 3,\t 221B   Baker Street ", "Address2": "Marylebone", "City": " London ",
        "County": null, "StateProvinceAbbreviation": "LND", "ZipPostalCode": "nw16xe",
        "CountryTwoLetterIsoCode": " gb ", "Email": "x@example.com"
    });
    doc["ShippingAddress"]["ZipPostalCode"] = json!("GIR0AA");
    let p = ok(&doc, &MappingRules::default());
    let a = p.canonical.customer.address.as_ref().unwrap();
    assert_eq!(a.line1.as_deref(), Some("Flat 3, 221B Baker Street"));
    assert_eq!(a.line2.as_deref(), Some("Marylebone"));
    assert_eq!(a.line3.as_deref(), Some("London"));
    assert_eq!(a.line4.as_deref(), Some("LND"));
    assert_eq!(a.post_code.as_deref(), Some("NW1 6XE"));
    assert_eq!(a.country_code.as_deref(), Some("GB"));
    let ship = p.kashflow_invoice.delivery_address.as_ref().unwrap();
    assert_eq!(ship.post_code.as_deref(), Some("GIR 0AA"));
    assert!(p.kashflow_invoice.use_custom_delivery_address);
    assert!(
        !ok(&fixture("uk-incl-vat-paid"), &MappingRules::default())
            .kashflow_invoice
            .use_custom_delivery_address
    );
}

#[test]
fn invalid_uk_postcode_and_country_are_errors_with_paths() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["BillingAddress"]["ZipPostalCode"] = json!("NW8 9A");
    doc["ShippingAddress"]["CountryTwoLetterIsoCode"] = json!("GBR");
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert!(
        e.has(ErrorCode::InvalidPostcode, "BillingAddress.ZipPostalCode"),
        "{e}"
    );
    assert!(
        e.has(
            ErrorCode::InvalidCountry,
            "ShippingAddress.CountryTwoLetterIsoCode"
        ),
        "{e}"
    );
    let msg = &e
        .errors
        .iter()
        .find(|x| x.code == ErrorCode::InvalidPostcode)
        .unwrap()
        .message;
    assert!(
        msg.contains("'NW8 9A'") && msg.contains("UK postcode"),
        "{msg}"
    );
    // Outside the UK, postcodes are kept (tidied), not checked against the UK format.
    let p = ok(&fixture("b2b-de-vat-number"), &MappingRules::default());
    assert_eq!(
        p.canonical.customer.address.unwrap().post_code.as_deref(),
        Some("10117")
    );
}

// ---- Payment methods ---------------------------------------------------------------------------

#[test]
fn payment_method_mapping_default_and_unmapped() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["PaymentMethodSystemName"] = json!("Payments.Square");
    let mut r = MappingRules::default();
    let e = run(&doc, &r).unwrap_err();
    assert!(e.has(ErrorCode::UnmappedPaymentMethod, "PaymentMethodSystemName"));
    assert!(e.errors[0].message.contains("Payments.Square"));
    r.default_payment_method = Some(PaymentMapping {
        method_id: 3,
        bank_account_id: 1,
    });
    let pay = ok(&doc, &r)
        .canonical
        .payments
        .iter()
        .find(|p| p.kind == PaymentKind::Order)
        .cloned()
        .unwrap();
    assert_eq!((pay.method_id, pay.bank_account_id), (3, 1));
    r.payment_methods.insert(
        "Payments.Square".into(),
        PaymentMapping {
            method_id: 4,
            bank_account_id: 2,
        },
    );
    let kf = ok(&doc, &r).kashflow_invoice.payment_lines.unwrap();
    assert_eq!((kf[0].method, kf[0].account_id), (4, 2));
    assert_eq!(kf[0].date.unwrap().to_string(), "2026-07-15 12:00:00");
    // Names match regardless of case.
    doc["PaymentMethodSystemName"] = json!("payments.paypalcommerce");
    assert_eq!(
        ok(&doc, &MappingRules::default())
            .canonical
            .payments
            .iter()
            .find(|p| p.kind == PaymentKind::Order)
            .cloned()
            .unwrap()
            .method_id,
        5
    );
}

#[test]
fn unpaid_orders_still_need_a_mapping_but_free_orders_do_not() {
    let mut doc = fixture("payment-fee");
    doc["PaymentMethodSystemName"] = json!("Payments.Invoice");
    assert!(run(&doc, &MappingRules::default())
        .unwrap_err()
        .has(ErrorCode::UnmappedPaymentMethod, "PaymentMethodSystemName"));
    // Paid in full with a gift card: nopCommerce sends no payment method and nothing is due.
    let mut gc = fixture("gift-card-reward-points");
    gc["GiftCardUsage"] = json!([59.99]);
    gc["OrderTotal"] = json!(0);
    gc["PaymentMethodSystemName"] = json!("");
    let p = ok(&gc, &MappingRules::default());
    // The sale is still worth 59.99 (less the reward points, a discount); the gift card pays it.
    assert_eq!(p.canonical.gross_total, d("59.99"));
    assert!(p
        .canonical
        .payments
        .iter()
        .all(|p| p.kind != PaymentKind::Order));
    assert_eq!(
        p.canonical
            .payments
            .iter()
            .map(|p| (p.kind, p.amount))
            .collect::<Vec<_>>(),
        vec![(PaymentKind::GiftCard, d("59.99"))]
    );
}

// ---- Nominals and product codes -------------------------------------------------------------------

#[test]
fn nominal_codes_and_product_codes_are_configurable() {
    let doc = fixture("discounts");
    let mut r = MappingRules::default();
    r.nominals
        .sku_overrides
        .insert("CHILD-CAR-SEAT".into(), 4010);
    r.nominals.shipping = 4901;
    r.nominals.discounts = 4906;
    r.nominals.rounding = 4998;
    r.product_codes
        .insert("TEE-ORG-M".into(), "TSHIRT-M".into());
    let p = ok(&doc, &r);
    let inv = &p.canonical;
    let by_sku = |s: &str| {
        inv.lines
            .iter()
            .find(|l| l.sku.as_deref() == Some(s))
            .unwrap()
    };
    assert_eq!(by_sku("CHILD-CAR-SEAT").nominal_code, 4010);
    assert_eq!(by_sku("COFFEE-BEANS-1KG").nominal_code, 4000);
    assert_eq!(
        by_sku("TEE-ORG-M").product_code.as_deref(),
        Some("TSHIRT-M")
    );
    let kinds = |k: LineKind| {
        inv.lines
            .iter()
            .filter(move |l| l.kind == k)
            .map(|l| l.nominal_code)
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(LineKind::Shipping), vec![4901]);
    assert!(kinds(LineKind::Discount).iter().all(|n| *n == 4906));
    assert!(kinds(LineKind::Rounding).is_empty());
    let items = p.kashflow_invoice.line_items.unwrap();
    assert_eq!(items[0].product_code.as_deref(), Some("TSHIRT-M"));
    assert!(items
        .iter()
        .filter(|i| i.nominal_code == 4906)
        .all(|i| i.product_code.is_none()));
    let mut g = MappingRules::default();
    g.gift_cards.policy = kashflow_sync::mapping::rules::GiftCardPolicy::NegativeLine;
    g.nominals.gift_card = 2310;
    g.nominals.reward_points = 4931;
    g.nominals.payment_fee = 4911;
    let inv = ok(&fixture("gift-card-reward-points"), &g).canonical;
    assert!(inv
        .lines
        .iter()
        .any(|l| l.kind == LineKind::GiftCard && l.nominal_code == 2310));
    assert!(inv
        .lines
        .iter()
        .any(|l| l.kind == LineKind::RewardPoints && l.nominal_code == 4931));
    let inv = ok(&fixture("payment-fee"), &g).canonical;
    assert!(inv
        .lines
        .iter()
        .any(|l| l.kind == LineKind::PaymentFee && l.nominal_code == 4911));
}

// ---- VAT ----------------------------------------------------------------------------------------

#[test]
fn vat_level_is_always_sent_even_when_zero() {
    let p = ok(&fixture("mixed-vat"), &MappingRules::default());
    let v = serde_json::to_value(&p.kashflow_invoice).unwrap();
    for li in v["LineItems"].as_array().unwrap() {
        assert!(li.get("VATLevel").is_some(), "{li}");
        assert!(li.get("VATExempt").is_some(), "{li}");
    }
    assert!(v["LineItems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|li| matches!(&li["VATLevel"], Value::Number(n) if n.to_string() == "0.0000")));
}

#[test]
fn vat_rates_are_snapped_to_the_accounts_rates() {
    // An account with 17.5% (old standard rate) and a store charging it.
    let mut doc = fixture("uk-incl-vat-paid");
    doc["Items"] = json!([{
        "ProductId": 1, "Sku": "MUG-CLASSIC", "Name": "Classic Mug", "Quantity": 1,
        "UnitPriceInclTax": 11.75, "UnitPriceExclTax": 10.00, "PriceInclTax": 11.75, "PriceExclTax": 10.00,
        "DiscountAmountInclTax": 0, "DiscountAmountExclTax": 0, "AttributeDescription": null
    }]);
    doc["OrderSubtotalInclTax"] = json!(11.75);
    doc["OrderSubtotalExclTax"] = json!(10.00);
    doc["OrderShippingInclTax"] = json!(0);
    doc["OrderShippingExclTax"] = json!(0);
    doc["OrderTax"] = json!(1.75);
    doc["TaxRates"] = json!("17.5:1.75;   ");
    doc["OrderTotal"] = json!(11.75);
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert!(
        e.has(ErrorCode::UnknownVatRate, "Items[0].PriceInclTax"),
        "{e}"
    );
    assert!(
        e.errors[0].message.contains("17.50%") && e.errors[0].message.contains("20%, 5%, 0%"),
        "{e}"
    );
    let mut r = MappingRules::default();
    r.vat.rates = vec![d("17.5"), d("5"), d("0")];
    let p = ok(&doc, &r);
    assert_eq!(
        (
            p.canonical.lines[0].vat_rate,
            p.canonical.lines[0].vat_amount
        ),
        (d("17.5"), d("1.75"))
    );
    // A rate 0.4 points off snaps with the default tolerance (0.5), not with 0.1 — but 2.04 of
    // VAT on 10.00 cannot be posted at 20% (KashFlow takes 2.00 ± a penny), so it is refused
    // rather than posted wrong.
    doc["Items"][0]["PriceInclTax"] = json!(12.04);
    doc["Items"][0]["UnitPriceInclTax"] = json!(12.04);
    doc["OrderSubtotalInclTax"] = json!(12.04);
    doc["OrderTax"] = json!(2.04);
    doc["TaxRates"] = json!("20.4:2.04;   ");
    doc["OrderTotal"] = json!(12.04);
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert!(e.has(ErrorCode::TotalsMismatch, "OrderTotal"), "{e}");
    assert!(e.errors[0].message.contains("2.04"), "{e}");
    let mut strict = MappingRules::default();
    strict.vat.rate_tolerance = d("0.1");
    assert!(run(&doc, &strict)
        .unwrap_err()
        .has(ErrorCode::UnknownVatRate, "Items[0].PriceInclTax"));
    // A penny off (10.00 at 20% charged 2.01): the line carries it, within KashFlow's penny.
    doc["Items"][0]["PriceInclTax"] = json!(12.01);
    doc["Items"][0]["UnitPriceInclTax"] = json!(12.01);
    doc["OrderSubtotalInclTax"] = json!(12.01);
    doc["OrderTax"] = json!(2.01);
    doc["TaxRates"] = json!("20:2.01;   ");
    doc["OrderTotal"] = json!(12.01);
    let p = ok(&doc, &MappingRules::default());
    assert_eq!(
        (
            p.canonical.lines[0].rate,
            p.canonical.lines[0].vat_rate,
            p.canonical.lines[0].vat_amount
        ),
        (d("10.00"), d("20"), d("2.01"))
    );
}

#[test]
fn exempt_skus_are_posted_vat_exempt_not_zero_rated() {
    let doc = fixture("mixed-vat");
    let mut r = MappingRules::default();
    r.vat.exempt_skus.insert("BOOK-UK-COOK".into());
    let p = ok(&doc, &r);
    let book = p
        .canonical
        .lines
        .iter()
        .find(|l| l.sku.as_deref() == Some("BOOK-UK-COOK"))
        .unwrap();
    assert!(book.vat_exempt && book.vat_rate.is_zero() && book.vat_amount.is_zero());
    let coffee = p
        .canonical
        .lines
        .iter()
        .find(|l| l.sku.as_deref() == Some("COFFEE-BEANS-1KG"))
        .unwrap();
    assert!(!coffee.vat_exempt && coffee.vat_rate.is_zero());
    let li = p.kashflow_invoice.line_items.unwrap();
    assert!(li
        .iter()
        .any(|l| l.product_code.as_deref() == Some("BOOK-UK-COOK") && l.vat_exempt));
    // A SKU configured exempt but charged VAT is a contradiction, not something to guess about.
    r.vat.exempt_skus.insert("EBOOK-GUIDE".into());
    let e = run(&doc, &r).unwrap_err();
    assert!(
        e.has(ErrorCode::VatMismatch, "Items[4].PriceInclTax"),
        "{e}"
    );
}

#[test]
fn foreign_vat_number_with_vat_charged_is_posted_as_charged_with_a_warning() {
    let mut doc = fixture("uk-incl-vat-paid");
    doc["VatNumber"] = json!("FR12345678901");
    doc["BillingAddress"]["CountryTwoLetterIsoCode"] = json!("FR");
    doc["BillingAddress"]["ZipPostalCode"] = json!("75001");
    let p = ok(&doc, &MappingRules::default());
    assert_eq!(p.canonical.vat_total, d("8.33"));
    assert!(p
        .canonical
        .lines
        .iter()
        .all(|l| l.kind != LineKind::Note && l.nominal_code != 4100));
    assert_eq!(
        p.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        vec![WarningCode::VatChargedDespiteVatNumber]
    );
    // A UK VAT number is an ordinary UK sale.
    doc["VatNumber"] = json!("GB123456789");
    doc["BillingAddress"]["CountryTwoLetterIsoCode"] = json!("GB");
    doc["BillingAddress"]["ZipPostalCode"] = json!("NW8 9AY");
    assert!(ok(&doc, &MappingRules::default()).warnings.is_empty());
}

#[test]
fn zero_rated_b2b_note_and_nominal_are_configurable_and_eu_only() {
    let doc = fixture("b2b-de-vat-number");
    let mut r = MappingRules::default();
    r.vat.zero_rated_b2b_note = false;
    r.nominals.eu_b2b_sales = None;
    let p = ok(&doc, &r);
    assert!(p.canonical.lines.iter().all(|l| l.kind != LineKind::Note));
    assert!(p
        .canonical
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Product)
        .all(|l| l.nominal_code == 4000));
    assert_eq!(p.warnings[0].code, WarningCode::ZeroRatedB2b);
    // A Swiss business: zero-rated export, but not an EU sale.
    // Turned on, EU B2B product lines go to that nominal (their KashFlow products must live there).
    let mut eu = MappingRules::default();
    eu.nominals.eu_b2b_sales = Some(4100);
    let p = ok(&doc, &eu);
    assert!(p
        .canonical
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Product)
        .all(|l| l.nominal_code == 4100));
    let mut ch = doc.clone();
    ch["VatNumber"] = json!("CHE-123.456.789 MWST");
    ch["BillingAddress"]["CountryTwoLetterIsoCode"] = json!("CH");
    ch["ShippingAddress"]["CountryTwoLetterIsoCode"] = json!("CH");
    let p = ok(&ch, &eu);
    assert!(p
        .canonical
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Product)
        .all(|l| l.nominal_code == 4000));
    assert!(p.canonical.lines.iter().any(|l| l.kind == LineKind::Note));
    assert!(
        p.kashflow_customer.is_registered_outside_ec && !p.kashflow_customer.is_registered_in_ec
    );
}

// ---- Currency ------------------------------------------------------------------------------------

#[test]
fn invoice_in_customer_currency_or_home_currency() {
    let doc = fixture("eur-order");
    let p = ok(&doc, &MappingRules::default());
    assert_eq!(
        (p.canonical.currency.code.as_str(), p.canonical.gross_total),
        ("EUR", d("86.45"))
    );
    let mut r = MappingRules::default();
    r.currency.invoice_currency = InvoiceCurrencyMode::HomeCurrency;
    let p = ok(&doc, &r);
    assert_eq!(p.canonical.currency.code, "GBP");
    assert_eq!(p.canonical.currency.exchange_rate, Decimal::ONE);
    // GBP 41.6667 + 21.50 + 12.00: cumulative 41.67, 21.50, 12.00 = 75.17, the order total exactly.
    assert_eq!(p.canonical.gross_total, d("75.17"));
    assert!(p
        .canonical
        .lines
        .iter()
        .all(|l| l.kind != LineKind::Rounding));
    assert_eq!(p.warnings[0].code, WarningCode::InvoicedInHomeCurrency);
}

#[test]
fn currencies_must_be_configured_and_consistent() {
    let mut doc = fixture("eur-order");
    doc["CustomerCurrencyCode"] = json!("JPY");
    doc["CurrencyRate"] = json!(190.5);
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert!(
        e.has(ErrorCode::UnknownCurrency, "CustomerCurrencyCode"),
        "{e}"
    );
    assert!(e.errors[0].message.contains("JPY") && e.errors[0].message.contains("GBP, EUR, USD"));
    let mut r = MappingRules::default();
    r.currency.allowed.push("JPY".into());
    let p = ok(&doc, &r);
    // 75.17 GBP × 190.5 = 14,319.885 → 14,319.89 JPY, what the customer was shown; all of it is
    // zero-rated net, spread over the lines by their converted amounts — no rounding line.
    assert_eq!(p.canonical.gross_total, d("14319.89"));
    assert!(p
        .canonical
        .lines
        .iter()
        .all(|l| l.kind != LineKind::Rounding && l.vat_amount.is_zero()));
    let net: Decimal = p.canonical.lines.iter().map(|l| l.net()).sum();
    assert_eq!(net, d("14319.89"));
    let mut gbp = fixture("uk-incl-vat-paid");
    gbp["CurrencyRate"] = json!(1.1);
    assert!(run(&gbp, &MappingRules::default())
        .unwrap_err()
        .has(ErrorCode::InvalidCurrencyRate, "CurrencyRate"));
    let mut usd_store = fixture("uk-incl-vat-paid");
    usd_store["PrimaryStoreCurrencyCode"] = json!("USD");
    assert!(run(&usd_store, &MappingRules::default())
        .unwrap_err()
        .has(ErrorCode::UnknownCurrency, "PrimaryStoreCurrencyCode"));
}

// ---- Rounding tolerance, dates, payment -------------------------------------------------------------

#[test]
fn totals_must_add_up_within_nopcommerces_own_rounding() {
    let mut doc = fixture("uk-incl-vat-paid");
    // The parts come to 49.99; nopCommerce's own rounding leaves no room for 50.01.
    doc["OrderTotal"] = json!(50.01);
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert!(e.has(ErrorCode::TotalsMismatch, "OrderTotal"), "{e}");
    assert!(
        e.errors[0].message.contains("49.99")
            && e.errors[0].message.contains("50.01")
            && e.errors[0].message.contains("0.02 apart"),
        "{e}"
    );
    // The old generous tolerance no longer widens anything (still read, for old documents).
    let loose = MappingRules {
        rounding_tolerance: d("0.05"),
        ..MappingRules::default()
    };
    assert!(run(&doc, &loose).is_err());
    doc["OrderTotal"] = json!(49.99);
    let p = ok(&doc, &MappingRules::default());
    assert!(p
        .canonical
        .lines
        .iter()
        .all(|l| l.kind != LineKind::Rounding && !l.vat_exempt));
    // TaxRates must agree with what the lines carry at that rate.
    doc["TaxRates"] = json!("20:8.43;   ");
    doc["OrderTax"] = json!(8.43);
    doc["OrderTotal"] = json!(50.09);
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert!(e.has(ErrorCode::TotalsMismatch, "TaxRates"), "{e}");
    // A rate in TaxRates that no charge carries.
    doc["TaxRates"] = json!("20:8.33;   5:0.10;   ");
    doc["OrderTax"] = json!(8.43);
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert!(e.has(ErrorCode::TotalsMismatch, "TaxRates"), "{e}");
    assert!(e.errors[0].message.contains("5%"), "{e}");
}

#[test]
fn due_dates_follow_the_paid_and_unpaid_settings() {
    let mut r = MappingRules::default();
    r.due_days.paid = 7;
    r.due_days.unpaid = 14;
    let paid = ok(&fixture("uk-incl-vat-paid"), &r).canonical;
    assert_eq!(
        (paid.issued_date.to_string(), paid.due_date.to_string()),
        ("2026-07-15".into(), "2026-07-22".into())
    );
    let unpaid = ok(&fixture("payment-fee"), &r).canonical;
    assert_eq!(
        (unpaid.issued_date.to_string(), unpaid.due_date.to_string()),
        ("2026-09-03".into(), "2026-09-17".into())
    );
    let kf = ok(&fixture("payment-fee"), &r).kashflow_invoice;
    assert_eq!(kf.due_date.unwrap().to_string(), "2026-09-17 12:00:00");
}

#[test]
fn payment_only_for_paid_orders_dated_in_london() {
    let mut doc = fixture("mixed-vat");
    doc["PaidDateUtc"] = json!("2026-03-29T23:15:00Z"); // BST started that morning: 00:15 on the 30th
    let pay = ok(&doc, &MappingRules::default())
        .canonical
        .payments
        .iter()
        .find(|p| p.kind == PaymentKind::Order)
        .cloned()
        .unwrap();
    assert_eq!(pay.date.to_string(), "2026-03-30");
    assert_eq!(pay.amount, d("116.98"));
    doc["PaidDateUtc"] = Value::Null;
    let p = ok(&doc, &MappingRules::default());
    assert_eq!(
        p.canonical
            .payments
            .iter()
            .find(|p| p.kind == PaymentKind::Order)
            .cloned()
            .unwrap()
            .date
            .to_string(),
        "2026-11-28"
    );
    assert!(p
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::PaidDateMissing));
    for status in ["Pending", "Authorized"] {
        doc["PaymentStatus"] = json!(status);
        assert!(
            ok(&doc, &MappingRules::default())
                .canonical
                .payments
                .is_empty(),
            "{status}"
        );
    }
    doc["PaymentStatus"] = json!("PartiallyRefunded");
    doc["RefundedAmount"] = json!(10.00);
    let p = ok(&doc, &MappingRules::default());
    assert_eq!(
        p.canonical
            .payments
            .iter()
            .find(|p| p.kind == PaymentKind::Order)
            .cloned()
            .unwrap()
            .amount,
        d("116.98")
    );
    assert!(p
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::RefundNotOnInvoice));
}

#[test]
fn negative_payment_fee_is_a_discount_without_vat() {
    // nopCommerce clamps a negative fee's tax at zero: only the excl amount (1.25) comes off.
    // Hoodie 35.00 + bulbs 24.00 + shipping 3.49 − 1.25 = 61.24; tax 6.415 + 1.1429 → 7.56.
    let mut doc = fixture("payment-fee");
    doc["PaymentMethodAdditionalFeeInclTax"] = json!(-1.50);
    doc["PaymentMethodAdditionalFeeExclTax"] = json!(-1.25);
    doc["TaxRates"] = json!("20:6.4150;   5:1.1429;   ");
    doc["OrderTax"] = json!(7.56);
    doc["OrderTotal"] = json!(61.24);
    let p = ok(&doc, &MappingRules::default());
    // nopCommerce takes 1.25 off the total and no tax; UK VAT is due on what was paid, so the
    // discount is split over the rates by their gross, each part taking its VAT share off.
    let fees: Vec<_> = p
        .canonical
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::PaymentFee)
        .collect();
    assert!(fees
        .iter()
        .all(|f| f.description.starts_with("Payment method discount")));
    let gross: Decimal = fees.iter().map(|f| f.net() + f.vat_amount).sum();
    assert_eq!(gross, d("-1.25"));
    for f in &fees {
        assert_eq!(
            f.vat_amount,
            kashflow_sync::money::money2(
                (f.net() + f.vat_amount) * f.vat_rate / (d("100") + f.vat_rate)
            )
        );
    }
    assert_eq!(p.canonical.gross_total, d("61.24"));
    assert!(p
        .canonical
        .lines
        .iter()
        .all(|l| l.kind != LineKind::Rounding));
}

#[test]
fn priced_checkout_attributes_become_one_line_when_the_order_names_them() {
    // Gift wrapping at £2.50 incl (£2.0833 excl, 20%): nopCommerce adds it to the subtotal, the
    // tax and the total, but to no item.
    let mut doc = fixture("uk-incl-vat-paid");
    doc["OrderSubtotalInclTax"] = json!(47.50);
    doc["OrderSubtotalExclTax"] = json!(39.5833);
    doc["OrderTax"] = json!(8.75);
    doc["TaxRates"] = json!("20:8.7484;   ");
    doc["OrderTotal"] = json!(52.49);

    // Without the description the excess is unexplained: refused, naming the field.
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert_eq!(e.errors[0].code, ErrorCode::TotalsMismatch);
    assert_eq!(e.errors[0].path.as_deref(), Some("OrderSubtotalInclTax"));
    assert!(
        e.errors[0].message.contains("CheckoutAttributeDescription"),
        "{}",
        e.errors[0].message
    );

    doc["CheckoutAttributeDescription"] =
        json!("Gift wrapping: Yes [+£2.50]<br />Delivery note: Happy birthday!");
    let p = ok(&doc, &MappingRules::default());
    let options: Vec<_> = p
        .canonical
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::CheckoutOptions)
        .collect();
    assert_eq!(options.len(), 1);
    let line = options[0];
    assert!(
        line.description
            .starts_with("Checkout options: Gift wrapping: Yes"),
        "{}",
        line.description
    );
    assert!(
        line.description.contains("Happy birthday!"),
        "{}",
        line.description
    );
    assert_eq!(
        (line.quantity, line.vat_rate, line.nominal_code),
        (d("1"), d("20"), 4000)
    );
    assert_eq!(line.rate + line.vat_amount, d("2.50"));
    assert_eq!(line.source.as_deref(), Some("CheckoutAttributeDescription"));
    assert_eq!(p.canonical.gross_total, d("52.49"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    // A price whose incl/excl shows no account rate is refused, naming the field.
    doc["OrderSubtotalExclTax"] = json!(39.00);
    doc["OrderTax"] = json!(9.33);
    let e = run(&doc, &MappingRules::default()).unwrap_err();
    assert!(
        e.errors.iter().any(|x| x.code == ErrorCode::UnknownVatRate
            && x.path.as_deref() == Some("CheckoutAttributeDescription")),
        "{e}"
    );
}
