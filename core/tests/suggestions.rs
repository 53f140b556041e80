//! Mapping suggestions on realistic catalogues: a UK shop's nopCommerce payment plugins, tax
//! categories, currencies and products against a KashFlow account (the sandbox's seed, plus the
//! products a real account drifts into: codes typed in another case or with other punctuation,
//! a product renamed, products nobody sells). Ground truth is written by hand beside each case;
//! precision and recall are computed over every suggestion and printed (`--nocapture`).

use kashflow_sync::mapping::suggest::{
    suggest, KashFlowCatalogue, KfBankAccount, KfNominal, KfProduct, Named, StoreCatalogue,
    StorePaymentMethod, StoreProduct, StoreTaxCategory, Suggestion,
};
use rust_decimal::Decimal;

fn kashflow() -> KashFlowCatalogue {
    let named = |id, name: &str| Named {
        id,
        name: name.into(),
    };
    KashFlowCatalogue {
        payment_methods: vec![
            named(1, "Cash"),
            named(2, "Cheque"),
            named(3, "BACS"),
            named(4, "Credit/Debit Card"),
            named(5, "PayPal"),
            named(6, "Gift card"),
        ],
        bank_accounts: vec![
            KfBankAccount {
                id: 1,
                name: "Current Account".into(),
                is_default: true,
            },
            KfBankAccount {
                id: 2,
                name: "Card Receipts".into(),
                is_default: false,
            },
            KfBankAccount {
                id: 3,
                name: "Gift Card Clearing".into(),
                is_default: false,
            },
        ],
        nominals: [
            (1200, "Current Account"),
            (1210, "Card Receipts"),
            (1230, "Gift Card Clearing"),
            (2300, "Gift Card Liability"),
            (4000, "Sales"),
            (4100, "Sales - EU"),
            (4900, "Carriage / Delivery Charges"),
            (4905, "Discounts Allowed"),
            (4910, "Payment Fees Charged"),
            (4930, "Reward Points Discount"),
            (4999, "Rounding"),
        ]
        .into_iter()
        .map(|(code, name)| KfNominal {
            code,
            name: name.into(),
        })
        .collect(),
        vat_rates: ["0", "5", "20"]
            .iter()
            .map(|r| r.parse().unwrap())
            .collect(),
        currencies: vec!["GBP".into(), "EUR".into(), "USD".into()],
        products: kf_products(),
    }
}

/// (code, name) in KashFlow.
const KF_PRODUCTS: &[(&str, &str)] = &[
    ("MUG-CLASSIC", "Classic Mug"),
    ("TEE-ORG-M", "Organic T-Shirt (M)"),
    ("TEE-ORG-L", "Organic T-Shirt (L)"),
    ("HOODIE-NAVY-L", "Navy Hoodie (L)"),
    ("SUNGLASSES", "Polarised Sunglasses"),
    ("BOOK-UK-COOK", "The British Cookbook"),
    ("COFFEE-BEANS-1KG", "Coffee Beans 1kg"),
    ("TEA-TIN", "Loose Leaf Tea Tin"),
    ("CHILD-CAR-SEAT", "Child Car Seat"),
    ("ENERGY-BULB", "Energy Saving Bulb"),
    ("GIFT-WRAP", "Gift Wrapping"),
    ("EBOOK-GUIDE", "Gardening eBook"),
    // typed differently from the shop's SKU
    ("cand-soy-lav", "Soy Candle Lavender"),
    ("JOURNAL A5", "A5 Dot Journal"),
    ("PEN_FOUNTAIN_BLK", "Fountain Pen Black"),
    // the same product under an old code
    ("OLD-0042", "Bamboo Cutting Board"),
    ("LEGACY-STRAP", "Leather Watch Strap"),
    // sold by nobody in the shop any more
    ("DISC-CALENDAR-2025", "Wall Calendar 2025"),
    ("TEE-ORG-XL", "Organic T-Shirt (XL)"),
    ("COFFEE-BEANS-500G", "Coffee Beans 500g"),
];

fn kf_products() -> Vec<KfProduct> {
    KF_PRODUCTS
        .iter()
        .map(|(code, name)| KfProduct {
            code: code.to_string(),
            name: name.to_string(),
        })
        .collect()
}

/// (sku, name, the KashFlow code a bookkeeper would pick, or None: KashFlow lacks it).
const SHOP_PRODUCTS: &[(&str, &str, Option<&str>)] = &[
    ("MUG-CLASSIC", "Classic Mug", Some("MUG-CLASSIC")),
    ("TEE-ORG-M", "Organic T-Shirt (M)", Some("TEE-ORG-M")),
    ("TEE-ORG-L", "Organic T-Shirt (L)", Some("TEE-ORG-L")),
    ("TEE-ORG-S", "Organic T-Shirt (S)", None),
    ("HOODIE-NAVY-L", "Navy Hoodie (L)", Some("HOODIE-NAVY-L")),
    ("HOODIE-NAVY-M", "Navy Hoodie (M)", None),
    ("SUNGLASSES", "Polarised Sunglasses", Some("SUNGLASSES")),
    ("BOOK-UK-COOK", "The British Cookbook", Some("BOOK-UK-COOK")),
    (
        "COFFEE-BEANS-1KG",
        "Coffee Beans 1kg",
        Some("COFFEE-BEANS-1KG"),
    ),
    ("COFFEE-BEANS-250G", "Coffee Beans 250g", None),
    ("TEA-TIN", "Loose Leaf Tea Tin", Some("TEA-TIN")),
    ("CHILD-CAR-SEAT", "Child Car Seat", Some("CHILD-CAR-SEAT")),
    ("ENERGY-BULB", "Energy Saving Bulb", Some("ENERGY-BULB")),
    ("GIFT-WRAP", "Gift Wrapping", Some("GIFT-WRAP")),
    ("EBOOK-GUIDE", "Gardening eBook", Some("EBOOK-GUIDE")),
    (
        "CAND-SOY-LAV",
        "Soy Candle - Lavender",
        Some("cand-soy-lav"),
    ),
    ("JOURNAL-A5", "A5 Dot Journal", Some("JOURNAL A5")),
    (
        "PEN-FOUNTAIN-BLK",
        "Fountain Pen, Black",
        Some("PEN_FOUNTAIN_BLK"),
    ),
    ("BOARD-BAMBOO", "Bamboo Cutting Board", Some("OLD-0042")),
    ("STRAP-LEATHER", "Leather Watch Strap", Some("LEGACY-STRAP")),
    ("CAND-SOY-VAN", "Soy Candle - Vanilla", None),
    ("TOTE-CANVAS", "Canvas Tote Bag", None),
    ("WALLET-SLIM", "Slim Leather Wallet", None),
    ("", "Hand-made Greetings Card", None),
];

fn store() -> StoreCatalogue {
    let pm = |s: &str, f: &str| StorePaymentMethod {
        system_name: s.into(),
        friendly_name: f.into(),
    };
    StoreCatalogue {
        payment_methods: PAYMENTS.iter().map(|(s, f, _, _)| pm(s, f)).collect(),
        tax_categories: vec![
            StoreTaxCategory {
                id: 1,
                name: "Standard".into(),
                rate: Some("20".parse().unwrap()),
            },
            StoreTaxCategory {
                id: 2,
                name: "Reduced rate".into(),
                rate: Some("5.0000".parse().unwrap()),
            },
            StoreTaxCategory {
                id: 3,
                name: "Zero rated".into(),
                rate: Some(Decimal::ZERO),
            },
            StoreTaxCategory {
                id: 4,
                name: "Books (zero)".into(),
                rate: None,
            },
            StoreTaxCategory {
                id: 5,
                name: "Old standard".into(),
                rate: Some("17.5".parse().unwrap()),
            },
            StoreTaxCategory {
                id: 6,
                name: "Electronics".into(),
                rate: None,
            },
        ],
        currencies: vec!["GBP".into(), "eur".into(), "CHF".into()],
        products: SHOP_PRODUCTS
            .iter()
            .enumerate()
            .map(|(i, (sku, name, _))| StoreProduct {
                id: i as i64 + 1,
                sku: sku.to_string(),
                name: name.to_string(),
            })
            .collect(),
    }
}

/// nopCommerce payment plugins a UK shop runs: (system name, friendly name, KashFlow method id a
/// bookkeeper would pick, bank account id).
const PAYMENTS: &[(&str, &str, Option<i64>, i64)] = &[
    ("Payments.Manual", "Credit Card", Some(4), 2),
    (
        "Payments.CheckMoneyOrder",
        "Check / Money Order",
        Some(2),
        1,
    ),
    ("Payments.PayPalCommerce", "PayPal Commerce", Some(5), 1),
    ("Payments.Square", "Square", Some(4), 2),
    (
        "Payments.Stripe",
        "Credit and debit cards (Stripe)",
        Some(4),
        2,
    ),
    ("Payments.Worldpay", "Worldpay", Some(4), 2),
    ("Payments.CashOnDelivery", "Cash on delivery", Some(1), 1),
    ("Payments.BankTransfer", "Bank transfer", Some(3), 1),
    ("Payments.PurchaseOrder", "Purchase Order", None, 1),
    ("Payments.AmazonPay", "Amazon Pay", None, 1),
];

/// Precision and recall of one kind of suggestion against the truth.
struct Score {
    made: usize,
    right: usize,
    truths: usize,
}

impl Score {
    fn of<'a>(
        suggestions: impl IntoIterator<Item = &'a Suggestion>,
        truth: impl Fn(&str) -> Option<String>,
    ) -> Score {
        let mut s = Score {
            made: 0,
            right: 0,
            truths: 0,
        };
        for sg in suggestions {
            let want = truth(&sg.key);
            s.truths += want.is_some() as usize;
            if let Some(t) = &sg.target {
                s.made += 1;
                if want.as_deref() == Some(t.as_str()) {
                    s.right += 1;
                } else {
                    eprintln!("wrong: {} → {t} ({}), want {want:?}", sg.key, sg.reason);
                }
            } else if want.is_some() {
                eprintln!("missed: {} ({}), want {want:?}", sg.key, sg.reason);
            }
        }
        s
    }
    fn precision(&self) -> f64 {
        if self.made == 0 {
            1.0
        } else {
            self.right as f64 / self.made as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.truths == 0 {
            1.0
        } else {
            self.right as f64 / self.truths as f64
        }
    }
}

#[test]
fn suggestions_on_a_realistic_catalogue_are_precise_and_complete() {
    let s = suggest(&store(), &kashflow());

    let products = Score::of(&s.products, |key| {
        SHOP_PRODUCTS
            .iter()
            .find(|(sku, _, _)| *sku == key)
            .and_then(|(_, _, t)| t.map(str::to_string))
    });
    let methods = Score::of(s.payment_methods.iter().map(|p| &p.method), |key| {
        PAYMENTS
            .iter()
            .find(|(k, _, _, _)| *k == key)
            .and_then(|(_, _, t, _)| t.map(|t| t.to_string()))
    });
    let banks = Score::of(s.payment_methods.iter().map(|p| &p.bank_account), |key| {
        PAYMENTS
            .iter()
            .find(|(k, _, _, _)| *k == key)
            .map(|(_, _, _, b)| b.to_string())
    });
    let nominal_truth = [
        ("Sales", 4000),
        ("Shipping", 4900),
        ("Discounts", 4905),
        ("PaymentFee", 4910),
        ("GiftCard", 2300),
        ("RewardPoints", 4930),
        ("Rounding", 4999),
    ];
    let nominals = Score::of(&s.nominals, |key| {
        nominal_truth
            .iter()
            .find(|(r, _)| *r == key)
            .map(|(_, c)| c.to_string())
    });
    let tax_truth = [("1", "20"), ("2", "5"), ("3", "0"), ("4", "0")];
    let tax = Score::of(&s.tax_categories, |key| {
        tax_truth
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, r)| r.to_string())
    });
    let currencies = Score::of(&s.currencies, |key| {
        ["GBP", "EUR"].contains(&key).then(|| key.to_string())
    });

    for (what, score) in [
        ("products", &products),
        ("payment methods", &methods),
        ("bank accounts", &banks),
        ("nominals", &nominals),
        ("tax categories", &tax),
        ("currencies", &currencies),
    ] {
        println!(
            "{what:16} suggested {:2}, right {:2}, truths {:2}: precision {:.2}, recall {:.2}",
            score.made,
            score.right,
            score.truths,
            score.precision(),
            score.recall()
        );
    }
    // Every suggestion made is right; what the catalogue allows is found.
    for score in [&products, &methods, &banks, &nominals, &tax, &currencies] {
        assert_eq!(score.precision(), 1.0);
        assert_eq!(score.recall(), 1.0);
    }

    // Missing things say what to do.
    let missing: Vec<&Suggestion> = s.products.iter().filter(|p| p.target.is_none()).collect();
    assert!(missing
        .iter()
        .any(|p| p.reason == "KashFlow has no product coded 'TEE-ORG-S'"));
    assert!(missing.iter().any(|p| p.reason == "the product has no SKU"));
    let chf = s.currencies.iter().find(|c| c.key == "CHF").unwrap();
    assert!(
        chf.reason.contains("Settings → Currencies"),
        "{}",
        chf.reason
    );
    let old = s.tax_categories.iter().find(|c| c.key == "5").unwrap();
    assert!(
        old.target.is_none() && old.reason.contains("17.5%"),
        "{}",
        old.reason
    );
    // KashFlow products nobody sells are listed for the readiness page.
    assert_eq!(
        s.unsold_kashflow_products,
        vec!["COFFEE-BEANS-500G", "DISC-CALENDAR-2025", "TEE-ORG-XL"]
    );
}

#[test]
fn reasons_and_confidences_follow_the_rule_that_made_them() {
    let s = suggest(&store(), &kashflow());
    let product = |sku: &str| s.products.iter().find(|p| p.key == sku).unwrap().clone();
    let exact = product("MUG-CLASSIC");
    assert_eq!(
        (exact.confidence, exact.reason.as_str()),
        (1.0, "SKU equals product code")
    );
    let squashed = product("JOURNAL-A5");
    assert_eq!(squashed.confidence, 0.97);
    let renamed = product("BOARD-BAMBOO");
    assert_eq!(renamed.confidence, 0.85);
    assert_eq!(renamed.reason, "same name 'Bamboo Cutting Board'");

    let method = |k: &str| {
        s.payment_methods
            .iter()
            .find(|p| p.method.key == k)
            .unwrap()
            .clone()
    };
    let paypal = method("Payments.PayPalCommerce");
    assert!(
        paypal.method.reason.starts_with("name match 'PayPal'"),
        "{}",
        paypal.method.reason
    );
    assert_eq!(paypal.bank_account.reason, "the default bank account");
    assert_eq!(paypal.bank_account.confidence, 0.6);
    let square = method("Payments.Square");
    assert_eq!(square.method.reason, "both are card payments");
    assert_eq!(square.method.confidence, 0.9);
    let tax = s.tax_categories.iter().find(|c| c.key == "1").unwrap();
    assert_eq!(tax.reason, "20% category ↔ KashFlow's 20% rate");
    let by_name = s.tax_categories.iter().find(|c| c.key == "4").unwrap();
    assert_eq!(by_name.confidence, 0.7);
}

#[test]
fn the_same_catalogues_give_the_same_suggestions_whatever_their_order() {
    let mut store2 = store();
    store2.products.reverse();
    store2.payment_methods.reverse();
    let mut kf2 = kashflow();
    kf2.products.reverse();
    kf2.payment_methods.reverse();
    kf2.nominals.reverse();
    assert_eq!(suggest(&store(), &kashflow()), suggest(&store2, &kf2));
}

#[test]
fn empty_catalogues_suggest_nothing_and_say_so() {
    let s = suggest(&store(), &KashFlowCatalogue::default());
    assert!(s.products.iter().all(|p| p.target.is_none()));
    assert!(s.payment_methods.iter().all(|p| p.method.target.is_none()));
    assert!(s
        .nominals
        .iter()
        .all(|n| n.target.is_none() && !n.reason.is_empty()));
    let s = suggest(&StoreCatalogue::default(), &kashflow());
    assert!(s.products.is_empty());
    assert_eq!(s.unsold_kashflow_products.len(), KF_PRODUCTS.len());
}

/// Harder pairs, written without looking at the rules: what a bookkeeper matches by eye. Not all
/// are found (the rules never bridge a size or a differently worded variant); none may be wrong.
#[test]
fn hard_pairs_are_never_matched_wrongly() {
    let kf_hard: &[(&str, &str)] = &[
        ("TEE-ORG-M", "Organic T-Shirt (M)"),
        ("KF-1001", "Stainless Steel Water Bottle 750ml"),
        ("KF-1002", "Stainless Steel Water Bottle 500ml"),
        ("GC-25", "Gift Card £25"),
        ("GC-50", "Gift Card £50"),
        ("SCARF-WOOL-GRY", "Wool Scarf Grey"),
        ("APRON", "Kitchen Apron"),
        ("PLANT-POT-L", "Terracotta Plant Pot Large"),
    ];
    // (sku, name, truth)
    let shop_hard: &[(&str, &str, Option<&str>)] = &[
        (
            "TSHIRT-ORG-MED",
            "Organic T-Shirt (Medium)",
            Some("TEE-ORG-M"),
        ),
        (
            "BOTTLE-SS-750",
            "Stainless Steel Water Bottle 750ml",
            Some("KF-1001"),
        ),
        ("BOTTLE-SS-1L", "Stainless Steel Water Bottle 1L", None),
        ("GIFTCARD-25", "Gift Card £25", Some("GC-25")),
        ("GIFTCARD-100", "Gift Card £100", None),
        ("SCARF-WOOL-GREY", "Grey Wool Scarf", Some("SCARF-WOOL-GRY")),
        ("APRON-KITCHEN", "Kitchen Apron - Striped", None),
        ("POT-TERRACOTTA-SM", "Terracotta Plant Pot Small", None),
    ];
    let kf = KashFlowCatalogue {
        products: kf_hard
            .iter()
            .map(|(c, n)| KfProduct {
                code: c.to_string(),
                name: n.to_string(),
            })
            .collect(),
        ..KashFlowCatalogue::default()
    };
    let shop = StoreCatalogue {
        products: shop_hard
            .iter()
            .enumerate()
            .map(|(i, (sku, name, _))| StoreProduct {
                id: i as i64 + 1,
                sku: sku.to_string(),
                name: name.to_string(),
            })
            .collect(),
        ..StoreCatalogue::default()
    };
    let s = suggest(&shop, &kf);
    let score = Score::of(&s.products, |key| {
        shop_hard
            .iter()
            .find(|(sku, _, _)| *sku == key)
            .and_then(|(_, _, t)| t.map(str::to_string))
    });
    println!(
        "hard products    suggested {:2}, right {:2}, truths {:2}: precision {:.2}, recall {:.2}",
        score.made,
        score.right,
        score.truths,
        score.precision(),
        score.recall()
    );
    assert_eq!(score.precision(), 1.0);
    assert!(score.recall() >= 0.5, "recall {:.2}", score.recall());
}
