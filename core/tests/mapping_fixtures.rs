//! Golden fixtures: realistic nopCommerce orders (`core/fixtures/orders/*.json`) and what they map
//! to (`*.expected.json`: the canonical invoice, the KashFlow invoice and customer requests, and
//! the warnings). The C# tests use the same files.
//!
//! Refresh the expected files after an intended change with
//! `KFSYNC_BLESS=1 cargo test -p kashflow-sync --test mapping_fixtures`, then review the diff.
//! The hand-checked figures below do not come from the expected files and must not be blessed.

use std::path::{Path, PathBuf};

use kashflow_sync::mapping::canonical::{CanonicalInvoice, LineKind, PaymentKind};
use kashflow_sync::mapping::{preview, MappingRules, Preview};
use kashflow_sync::order::sample::hundred_line_order;
use rust_decimal::Decimal;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orders")
}

fn bless() -> bool {
    std::env::var("KFSYNC_BLESS").is_ok_and(|v| v == "1")
}

const FIXTURES: &[&str] = &[
    "uk-incl-vat-paid",
    "uk-excl-vat-business",
    "discounts",
    "free-shipping",
    "payment-fee",
    "mixed-vat",
    "eur-order",
    "b2b-de-vat-number",
    "guest-checkout",
    "non-ascii",
    "gift-card-reward-points",
    "large-100-lines",
    "shipping-3-99",
    "b2b-gb-company",
    "reward-points",
    "gift-card-part-paid",
    "sku-less-item",
    "eur-uk-vat",
];

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn load(name: &str) -> Preview {
    let bytes = std::fs::read(dir().join(format!("{name}.json"))).unwrap();
    preview(&bytes, &MappingRules::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn pretty(v: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap();
    s.push('\n');
    s
}

#[test]
fn every_fixture_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.ends_with(".expected.json"))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn hundred_line_fixture_is_the_generated_order() {
    let path = dir().join("large-100-lines.json");
    let generated = pretty(&hundred_line_order());
    if bless() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(
        on_disk == generated,
        "{} differs from order::sample::hundred_line_order(); refresh with KFSYNC_BLESS=1 cargo test -p kashflow-sync --test mapping_fixtures",
        path.display()
    );
}

#[test]
fn every_fixture_maps_to_its_expected_output() {
    let mut stale = Vec::new();
    for name in FIXTURES {
        let got = load(name);
        let path = dir().join(format!("{name}.expected.json"));
        if bless() {
            std::fs::write(&path, pretty(&got)).unwrap();
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} is missing", path.display()));
        let want: serde_json::Value = serde_json::from_str(&text).unwrap();
        if serde_json::to_value(&got).unwrap() != want {
            stale.push(name.to_string());
        }
        // The expected file also reads back into the Rust types (the C# side relies on its shape).
        let back: Preview = serde_json::from_str(&text).unwrap();
        assert_eq!(back.canonical.gross_total, got.canonical.gross_total);
    }
    assert!(
        stale.is_empty(),
        "mapping output changed for {stale:?}; review and refresh with KFSYNC_BLESS=1 cargo test -p kashflow-sync --test mapping_fixtures"
    );
}

/// Invariants every fixture must satisfy, whatever the expected files say: every line is one
/// KashFlow computes to what we sent, no VAT-exempt line unless the rules make an item exempt, no
/// money on a rounding line, one line per item with its ordered quantity.
#[test]
fn every_fixture_posts_lines_kashflow_computes_the_same() {
    for name in FIXTURES {
        let bytes = std::fs::read(dir().join(format!("{name}.json"))).unwrap();
        let order = kashflow_sync::order::parse_snapshot(&bytes).unwrap();
        let p = load(name);
        let inv = &p.canonical;
        let net: Decimal = inv.lines.iter().map(|l| l.net()).sum();
        let vat: Decimal = inv.lines.iter().map(|l| l.vat_amount).sum();
        assert_eq!(net + vat, inv.gross_total, "{name}");
        for l in &inv.lines {
            let own = kashflow_sync::money::vat_on(l.quantity * l.rate, l.vat_rate);
            assert!(
                (l.vat_amount - own).abs() <= d("0.01"),
                "{name}: {}",
                l.description
            );
            assert!(l.rate.scale() <= 4, "{name}: rate {}", l.rate);
            assert!(
                !l.vat_exempt || l.kind == LineKind::GiftCard,
                "{name}: exempt {}",
                l.description
            );
            if l.kind == LineKind::Rounding {
                assert!(l.net().is_zero(), "{name}");
            }
            assert!(!l.description.contains("priced 0.01 higher"), "{name}");
        }
        let items = p.kashflow_invoice.line_items.as_ref().unwrap();
        assert_eq!(items.len(), inv.lines.len());
        let kf_gross: Decimal = items
            .iter()
            .map(|li| kashflow_sync::money::money2(li.quantity * li.rate) + li.vat_amount)
            .sum();
        assert_eq!(kf_gross, inv.gross_total, "{name}");
        let posted: Vec<Decimal> = inv
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Product)
            .map(|l| l.quantity)
            .collect();
        let ordered: Vec<Decimal> = order
            .items
            .iter()
            .map(|i| Decimal::from(i.quantity))
            .collect();
        assert_eq!(posted, ordered, "{name}");
    }
}

/// Net and VAT per rate of `inv`.
fn per_rate(inv: &CanonicalInvoice) -> Vec<(Decimal, Decimal, Decimal)> {
    let mut out: Vec<(Decimal, Decimal, Decimal)> = Vec::new();
    for l in &inv.lines {
        let r = l.vat_rate.normalize();
        match out.iter_mut().find(|(x, ..)| *x == r) {
            Some((_, n, v)) => {
                *n += l.net();
                *v += l.vat_amount;
            }
            None => out.push((r, l.net(), l.vat_amount)),
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.0));
    out
}

/// The golden table: each order's expected net and VAT per rate, gross and payments, worked out
/// by hand in `core/fixtures/orders/README.md` from the order's own figures (TaxRates, ex-VAT
/// amounts, OrderTotal) — not from the mapping. Not blessed.
#[test]
fn every_fixture_posts_its_hand_worked_figures_per_rate() {
    #[allow(clippy::type_complexity)]
    let table: &[(&str, &[(&str, &str, &str)], &str, &[(PaymentKind, &str)])] = &[
        (
            "uk-incl-vat-paid",
            &[("20", "41.66", "8.33")],
            "49.99",
            &[(PaymentKind::Order, "49.99")],
        ),
        (
            "uk-excl-vat-business",
            &[("20", "94.84", "18.97"), ("0", "30.00", "0.00")],
            "143.81",
            &[],
        ),
        (
            "discounts",
            &[
                ("20", "31.01", "6.20"),
                ("5", "86.13", "4.31"),
                ("0", "19.45", "0.00"),
            ],
            "147.10",
            &[(PaymentKind::Order, "147.10")],
        ),
        (
            "mixed-vat",
            &[
                ("20", "36.65", "7.33"),
                ("5", "11.43", "0.57"),
                ("0", "61.00", "0.00"),
            ],
            "116.98",
            &[(PaymentKind::Order, "116.98")],
        ),
        (
            "eur-order",
            &[("0", "86.45", "0.00")],
            "86.45",
            &[(PaymentKind::Order, "86.45")],
        ),
        (
            "gift-card-reward-points",
            &[("20", "49.99", "10.00")],
            "59.99",
            &[
                (PaymentKind::GiftCard, "20.00"),
                (PaymentKind::Order, "39.99"),
            ],
        ),
        (
            "shipping-3-99",
            &[("20", "65.80", "13.17")],
            "78.97",
            &[(PaymentKind::Order, "78.97")],
        ),
        (
            "b2b-gb-company",
            &[("20", "266.67", "53.33")],
            "320.00",
            &[],
        ),
        (
            "reward-points",
            &[("20", "33.15", "6.62"), ("5", "16.85", "0.84")],
            "57.46",
            &[(PaymentKind::Order, "57.46")],
        ),
        (
            "gift-card-part-paid",
            &[("20", "41.67", "8.33"), ("0", "10.00", "0.00")],
            "60.00",
            &[
                (PaymentKind::GiftCard, "25.00"),
                (PaymentKind::Order, "35.00"),
            ],
        ),
        (
            "sku-less-item",
            &[("20", "22.07", "4.42")],
            "26.49",
            &[(PaymentKind::Order, "26.49")],
        ),
        (
            "eur-uk-vat",
            &[
                ("20", "42.64", "8.53"),
                ("5", "13.30", "0.66"),
                ("0", "70.96", "0.00"),
            ],
            "136.09",
            &[(PaymentKind::Order, "136.09")],
        ),
    ];
    for (name, rates, gross, payments) in table {
        let inv = load(name).canonical;
        let want: Vec<(Decimal, Decimal, Decimal)> =
            rates.iter().map(|(r, n, v)| (d(r), d(n), d(v))).collect();
        assert_eq!(per_rate(&inv), want, "{name}: (rate, net, VAT)");
        assert_eq!(inv.gross_total, d(gross), "{name}");
        let got: Vec<(PaymentKind, Decimal)> =
            inv.payments.iter().map(|p| (p.kind, p.amount)).collect();
        let want: Vec<(PaymentKind, Decimal)> = payments.iter().map(|(k, a)| (*k, d(a))).collect();
        assert_eq!(got, want, "{name}: payments");
    }
}

#[test]
fn one_line_per_item_at_its_own_four_place_rate() {
    // 3 × 24.99 incl. 20%: one line of 3 at 20.825 (KashFlow: 62.48 + 12.50), no split.
    let inv = load("shipping-3-99").canonical;
    let hoodie = &inv.lines[0];
    assert_eq!(
        (
            hoodie.quantity,
            hoodie.rate,
            hoodie.net(),
            hoodie.vat_amount
        ),
        (d("3"), d("20.825"), d("62.48"), d("12.50"))
    );
    assert_eq!(hoodie.description, "Navy Hoodie (L) (Colour: Navy)");
    // Shipping 3.99 incl: nopCommerce stored 3.32 + 0.67; KashFlow's own VAT on 3.32 is 0.66.
    let ship = &inv.lines[1];
    assert_eq!((ship.rate, ship.vat_amount), (d("3.32"), d("0.67")));
}

#[test]
fn business_buyers_are_the_company_with_the_person_as_contact() {
    let p = load("b2b-gb-company");
    assert_eq!(p.canonical.customer.name, "Harbour Light Ltd");
    assert_eq!(p.kashflow_customer.name, "Harbour Light Ltd");
    assert_eq!(
        p.kashflow_customer.contacts[0].name.as_deref(),
        Some("Priya Shah")
    );
    assert_eq!(
        p.kashflow_customer.vat_number.as_deref(),
        Some("GB123456789")
    );
    assert_eq!(
        p.kashflow_invoice.customer_name.as_deref(),
        Some("Harbour Light Ltd")
    );
}

#[test]
fn sku_less_items_are_description_lines_unless_the_rules_refuse_them() {
    let inv = load("sku-less-item").canonical;
    let wrap = inv
        .lines
        .iter()
        .find(|l| l.description == "Gift wrapping service")
        .unwrap();
    assert_eq!(
        (wrap.kind, wrap.product_code.as_deref(), wrap.nominal_code),
        (LineKind::Product, None, 4000)
    );
    let mut rules = MappingRules::default();
    rules.sku_less_items = kashflow_sync::mapping::rules::SkuLessItemPolicy::Refuse;
    let bytes = std::fs::read(dir().join("sku-less-item.json")).unwrap();
    let e = preview(&bytes, &rules).unwrap_err();
    assert!(
        e.has(
            kashflow_sync::mapping::ErrorCode::MissingSku,
            "Items[1].Sku"
        ),
        "{e}"
    );
}

#[test]
fn reward_points_and_gift_cards_follow_their_policies() {
    use kashflow_sync::mapping::rules::{GiftCardPolicy, PaymentMapping, RewardPointsPolicy};
    let bytes = std::fs::read(dir().join("gift-card-reward-points.json")).unwrap();
    // Default: points are a discount at 20% (VAT on what was paid), the card a payment.
    let p = preview(&bytes, &MappingRules::default()).unwrap().canonical;
    let rp = p
        .lines
        .iter()
        .find(|l| l.kind == LineKind::RewardPoints)
        .unwrap();
    assert_eq!(
        (rp.net(), rp.vat_amount, rp.nominal_code),
        (d("-4.17"), d("-0.83"), 4930)
    );
    assert!(p.lines.iter().all(|l| l.kind != LineKind::GiftCard));
    // Points from an account, the card as the older negative line.
    let mut rules = MappingRules::default();
    rules.reward_points.policy = RewardPointsPolicy::PaymentFromAccount;
    rules.reward_points.payment = Some(PaymentMapping {
        method_id: 1,
        bank_account_id: 1,
    });
    rules.gift_cards.policy = GiftCardPolicy::NegativeLine;
    let p = preview(&bytes, &rules).unwrap().canonical;
    assert!(p.lines.iter().all(|l| l.kind != LineKind::RewardPoints));
    let card = p
        .lines
        .iter()
        .find(|l| l.kind == LineKind::GiftCard)
        .unwrap();
    assert_eq!(
        (card.net(), card.vat_exempt, card.nominal_code),
        (d("-20.00"), true, 2300)
    );
    // Sale 59.99 + 5.00 points value... the points are paid, so the invoice keeps their VAT.
    assert_eq!(p.gross_total, d("44.99"));
    let kinds: Vec<PaymentKind> = p.payments.iter().map(|x| x.kind).collect();
    assert_eq!(kinds, vec![PaymentKind::RewardPoints, PaymentKind::Order]);
    assert_eq!(per_rate(&p)[0], (d("20"), d("54.16"), d("10.83")));
}
