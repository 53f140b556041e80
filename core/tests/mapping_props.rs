//! Properties: for any valid order (computed with nopCommerce's own arithmetic by
//! `order::sample`), the invoice's VAT per rate is the order's `TaxRates` (less the VAT share of
//! anything taken off after tax), its net per rate the order's charges ex VAT, its gross the value
//! of the sale in the invoice currency, and every line one KashFlow computes to what we sent; and
//! mapping never panics, whatever the input.

use std::path::Path;

use std::collections::BTreeMap;

use kashflow_sync::mapping::canonical::{LineKind, PaymentKind};
use kashflow_sync::mapping::rules::InvoiceCurrencyMode;
use kashflow_sync::mapping::{map_order, preview, MappingRules};
use kashflow_sync::money::{money2, vat_on, PENNY};
use kashflow_sync::order::parse_snapshot;
use kashflow_sync::order::sample::{build, SampleLine, SampleOrder, CATALOGUE};
use kashflow_sync::order::tax_rates::parse_tax_rates;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;

fn pence(p: i64) -> Decimal {
    Decimal::new(p, 2)
}

fn line() -> impl Strategy<Value = SampleLine> {
    (
        0..CATALOGUE.len(),
        1i64..12,
        prop_oneof![3 => Just(0i64), 1 => 0i64..400],
    )
        .prop_map(|(product, quantity, disc)| SampleLine {
            product,
            quantity,
            unit_discount_incl: pence(disc),
            attributes: None,
        })
}

fn order() -> impl Strategy<Value = (SampleOrder, bool)> {
    (
        prop::collection::vec(line(), 1..25),
        (0i64..2500, prop::bool::ANY, -300i64..400),
        (
            prop_oneof![2 => Just(0i64), 1 => 0i64..4000],
            prop_oneof![2 => Just(0i64), 1 => 0i64..4000],
        ),
        (
            prop::collection::vec(0i64..6000, 0..3),
            prop_oneof![2 => Just(0i64), 1 => 0i64..1500],
        ),
        (
            prop_oneof![
                Just(("GBP", 10000i64)),
                Just(("EUR", 11500)),
                Just(("USD", 12700)),
                (8000i64..20000).prop_map(|r| ("EUR", r))
            ],
            prop::bool::ANY,
        ),
        (1i64..1_000_000, prop::bool::ANY, prop::bool::ANY),
    )
        .prop_map(
            |(
                lines,
                (ship, ship_zero_rated, fee),
                (sd, od),
                (cards, rp),
                ((cur, rate), home),
                (id, paid, guest),
            )| {
                let mut s = SampleOrder::new(id, lines);
                s.shipping_incl = pence(ship);
                s.shipping_vat_rate = if ship_zero_rated { 0 } else { 20 };
                s.fee_incl = pence(fee);
                s.subtotal_discount_excl = pence(sd);
                s.order_discount = pence(od);
                s.gift_cards = cards.into_iter().map(pence).collect();
                s.reward_points = pence(rp);
                s.currency = (
                    cur.to_string(),
                    Decimal::new(if cur == "GBP" { 10000 } else { rate }, 4),
                );
                s.paid = paid;
                s.guest = guest;
                (s, home)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_order_posts_its_figures_rate_by_rate((sample, home) in order()) {
        let snapshot = build(&sample);
        let mut rules = MappingRules::default();
        if home {
            rules.currency.invoice_currency = InvoiceCurrencyMode::HomeCurrency;
        }
        let mapped = map_order(&snapshot, &rules).map_err(|e| TestCaseError::fail(format!("{e}\n{}", serde_json::to_string(&snapshot).unwrap())))?;
        let inv = &mapped.invoice;
        let f = if home { Decimal::ONE } else { snapshot.currency_rate };
        let o = &snapshot;

        // The invoice is the value of the sale: what the customer paid plus the gift cards
        // (booked as payments), each converted as nopCommerce shows it.
        let cards: Decimal = o.gift_card_usage.iter().map(|g| money2(*g * f)).sum();
        prop_assert_eq!(inv.gross_total, money2(o.order_total * f) + cards);

        // Every line is one KashFlow computes to what we sent: net = round2(q × rate), VAT within
        // a penny of its own; no VAT-exempt line (the catalogue has no exempt product).
        let mut per_rate: BTreeMap<Decimal, (Decimal, Decimal)> = BTreeMap::new();
        for l in &inv.lines {
            prop_assert!(l.rate.scale() <= 4, "rate {} has more than 4 places", l.rate);
            prop_assert!(!l.vat_exempt, "exempt line {}", l.description);
            prop_assert!((l.vat_amount - vat_on(l.quantity * l.rate, l.vat_rate)).abs() <= PENNY, "line {}", l.description);
            if l.kind == LineKind::Rounding {
                prop_assert!(l.net().is_zero());
            }
            let e = per_rate.entry(l.vat_rate.normalize()).or_default();
            e.0 += l.net();
            e.1 += l.vat_amount;
        }
        prop_assert_eq!(per_rate.values().map(|(n, v)| n + v).sum::<Decimal>(), inv.gross_total);

        // VAT per rate is nopCommerce's TaxRates figure, converted; an amount taken off after
        // tax (order discount, reward points, a payment-method discount) takes off its share of
        // VAT at each rate, round(share × r / (100 + r)).
        let stated = parse_tax_rates(&o.tax_rates).unwrap();
        let after_tax = o.order_discount + o.redeemed_reward_points_amount
            + (-o.payment_method_additional_fee_excl_tax).max(Decimal::ZERO);
        let rates: Vec<Decimal> = stated.keys().filter(|r| !r.is_zero()).copied().collect();
        let posted_vat: Decimal = per_rate.values().map(|x| x.1).sum();
        if after_tax.is_zero() {
            prop_assert_eq!(posted_vat, money2(o.order_tax * f));
        }
        for r in &rates {
            let charged = money2(stated[r] * f);
            let posted = per_rate.get(r).map_or(Decimal::ZERO, |x| x.1);
            if after_tax.is_zero() && f == Decimal::ONE {
                prop_assert_eq!(posted, charged, "VAT at {}%", r);
            } else if after_tax.is_zero() {
                // Converted: each rate's VAT rounded, one conversion penny at most.
                prop_assert!((posted - charged).abs() <= PENNY, "VAT at {}%: {} posted, {} charged", r, posted, charged);
            } else {
                let most_off = money2(after_tax * f * r / (Decimal::ONE_HUNDRED + r)) + PENNY;
                let conversion = if f == Decimal::ONE { Decimal::ZERO } else { PENNY };
                prop_assert!(posted <= charged + conversion && charged - posted <= most_off + conversion, "VAT at {}%: {} posted, {} charged", r, posted, charged);
            }
        }
        // Net per rate: the charges at that rate excluding VAT, to the penny (each rate's own
        // rounding, and one conversion), when nothing was taken off after tax.
        if after_tax.is_zero() && f == Decimal::ONE {
            let sub_ex: Decimal = o.items.iter().map(|i| i.price_excl_tax).sum();
            let share = if sub_ex.is_zero() { Decimal::ZERO } else { o.order_sub_total_discount_excl_tax / sub_ex };
            let mut exact: BTreeMap<Decimal, Decimal> = BTreeMap::new();
            for it in &o.items {
                let rate = CATALOGUE.iter().find(|c| Some(c.sku) == it.sku.as_deref()).map(|c| Decimal::from(c.vat_rate)).unwrap();
                *exact.entry(rate).or_default() += it.price_excl_tax * (Decimal::ONE - share);
            }
            // A charge on which nopCommerce's rounding left no VAT (a 0.02 fee) is zero-rated in effect.
            let rate_of = |incl: Decimal, excl: Decimal, r: u32| if incl == excl { Decimal::ZERO } else { Decimal::from(r) };
            *exact.entry(rate_of(o.order_shipping_incl_tax, o.order_shipping_excl_tax, sample.shipping_vat_rate)).or_default() += o.order_shipping_excl_tax;
            *exact.entry(rate_of(o.payment_method_additional_fee_incl_tax, o.payment_method_additional_fee_excl_tax, 20)).or_default() += o.payment_method_additional_fee_excl_tax;
            for (r, e) in exact {
                let posted = per_rate.get(&r).map_or(Decimal::ZERO, |x| x.0);
                prop_assert!((posted - e).abs() <= Decimal::new(2, 2), "net at {}%: {} posted, {} charged", r, posted, e);
            }
        }

        // Every item is one line with its ordered quantity.
        let products: Vec<Decimal> = inv.lines.iter().filter(|l| l.kind == LineKind::Product).map(|l| l.quantity).collect();
        prop_assert_eq!(products, o.items.iter().map(|i| Decimal::from(i.quantity)).collect::<Vec<_>>());
        // Payments: the customer's is what they paid; with the gift cards they settle the invoice.
        let paid: Decimal = inv.payments.iter().map(|p| p.amount).sum();
        if let Some(p) = inv.payments.iter().find(|p| p.kind == PaymentKind::Order) {
            prop_assert_eq!(p.amount, money2(o.order_total * f));
            prop_assert_eq!(paid, inv.gross_total);
        }
        // The snapshot survives its own JSON round trip and maps the same way.
        let bytes = serde_json::to_vec(&snapshot).unwrap();
        let again = preview(&bytes, &rules).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&again.canonical, inv);
    }

    #[test]
    fn parsing_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_snapshot(&bytes);
    }

    #[test]
    fn mapping_never_panics_on_mutated_orders(mutations in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), json_value()), 1..6)) {
        let mut doc = base_doc();
        for (pick, inner, value) in mutations {
            mutate(&mut doc, pick, inner, value);
        }
        let bytes = serde_json::to_vec(&doc).unwrap();
        match preview(&bytes, &MappingRules::default()) {
            Ok(p) => prop_assert_eq!(p.canonical.net_total + p.canonical.vat_total, p.canonical.gross_total),
            Err(e) => {
                prop_assert!(!e.errors.is_empty());
                prop_assert!(e.errors.iter().all(|x| !x.message.is_empty()));
            }
        }
    }

    #[test]
    fn mapping_never_panics_on_extreme_amounts(field in 0usize..AMOUNT_FIELDS.len(), value in extreme_number(), item in 0usize..5) {
        let mut doc = base_doc();
        let name = AMOUNT_FIELDS[field];
        if let Some(item_field) = name.strip_prefix("Items.") {
            let n = doc["Items"].as_array().unwrap().len();
            doc["Items"][item % n][item_field] = value;
        } else {
            doc[name] = value;
        }
        let _ = preview(&serde_json::to_vec(&doc).unwrap(), &MappingRules::default());
    }
}

fn base_doc() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/orders/discounts.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const AMOUNT_FIELDS: &[&str] = &[
    "CurrencyRate",
    "OrderSubtotalInclTax",
    "OrderSubtotalExclTax",
    "OrderSubTotalDiscountInclTax",
    "OrderSubTotalDiscountExclTax",
    "OrderShippingInclTax",
    "OrderShippingExclTax",
    "PaymentMethodAdditionalFeeInclTax",
    "PaymentMethodAdditionalFeeExclTax",
    "OrderTax",
    "OrderDiscount",
    "OrderTotal",
    "RedeemedRewardPointsAmount",
    "Items.Quantity",
    "Items.UnitPriceInclTax",
    "Items.UnitPriceExclTax",
    "Items.PriceInclTax",
    "Items.PriceExclTax",
];

fn extreme_number() -> impl Strategy<Value = Value> {
    let texts = prop_oneof![
        Just("79228162514264337593543950335".to_string()),
        Just("-79228162514264337593543950335".to_string()),
        Just("0.0000000000000000000000000001".to_string()),
        Just("1e27".to_string()),
        Just("-0.005".to_string()),
        Just("999999999999.9999".to_string()),
        Just("1000000000000.01".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        (any::<i64>()).prop_map(|i| i.to_string()),
        (any::<i64>(), 0u32..28).prop_map(|(i, s)| Decimal::new(i, s).to_string()),
    ];
    texts.prop_map(|t| Value::Number(t.parse().unwrap()))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        extreme_number(),
        "[ -~]{0,12}".prop_map(Value::String),
        Just(Value::String("2026-13-45T99:99:99Z".into())),
        Just(Value::String("GBP".into())),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[A-Z][a-z]{0,6}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replace a field somewhere in the document (top level, or inside an object or array value).
fn mutate(doc: &mut Value, pick: prop::sample::Index, inner: prop::sample::Index, value: Value) {
    let keys: Vec<String> = doc.as_object().unwrap().keys().cloned().collect();
    let key = &keys[pick.index(keys.len())];
    match &mut doc[key.as_str()] {
        Value::Object(m) if !m.is_empty() => {
            let ks: Vec<String> = m.keys().cloned().collect();
            m.insert(ks[inner.index(ks.len())].clone(), value);
        }
        Value::Array(a) if !a.is_empty() => {
            let i = inner.index(a.len());
            match &mut a[i] {
                Value::Object(m) if !m.is_empty() => {
                    let ks: Vec<String> = m.keys().cloned().collect();
                    m.insert(ks[pick.index(ks.len())].clone(), value);
                }
                slot => *slot = value,
            }
        }
        slot => *slot = value,
    }
}
