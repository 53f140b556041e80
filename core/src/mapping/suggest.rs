//! Mapping suggestions: for each nopCommerce payment method, tax category, currency and product,
//! the KashFlow counterpart the admin most likely means, with a confidence and the reason in words
//! ("name match 'PayPal' 0.93", "SKU equals product code"), and the nominal codes for each kind of
//! charge. Nothing here changes the rules: the admin accepts or overrides each suggestion.
//!
//! Deterministic and explained: the same two catalogues give the same suggestions in the same order
//! (inputs are sorted, ties go to the lower KashFlow id or code), and every confidence comes from one
//! named rule below:
//! - equal codes (SKU = product code, ISO currency, VAT percentage): 1.00 (0.97 when equal apart
//!   from case, spaces and punctuation);
//! - the same kind of payment (a card processor ↔ "Credit/Debit Card", "Check / Money Order" ↔
//!   "Cheque"; the [`PAYMENT_KINDS`] table): 0.90;
//! - similar names (Jaro-Winkler over the names' words, with nopCommerce's "Payments." and
//!   similar noise removed): the similarity itself, offered from [`MIN_NAME_SIMILARITY`]; for
//!   products only the same name (same words, any order): 0.85, as near names are variants;
//! - the default bank account for a method with no account of its own: 0.60.
//!
//! Below [`MIN_CONFIDENCE`] nothing is suggested and the reason says what is missing, so the
//! admin knows to create it in KashFlow (a product, a currency, a VAT rate).

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Below this, no suggestion is made.
pub const MIN_CONFIDENCE: f64 = 0.6;
/// Name similarity from which two names count as a match.
pub const MIN_NAME_SIMILARITY: f64 = 0.85;

// ---------------------------------------------------------------------------------------------
// The two catalogues

/// What the store has (sent by the plugin).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StoreCatalogue {
    pub payment_methods: Vec<StorePaymentMethod>,
    pub tax_categories: Vec<StoreTaxCategory>,
    pub currencies: Vec<String>,
    pub products: Vec<StoreProduct>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StorePaymentMethod {
    /// nopCommerce's system name, the rules' key (`Payments.PayPalCommerce`).
    pub system_name: String,
    /// The name the admin sees (`PayPal Commerce`).
    #[serde(default)]
    pub friendly_name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoreTaxCategory {
    pub id: i64,
    pub name: String,
    /// The category's rate in the store's tax provider, when it has one fixed rate.
    #[serde(default)]
    pub rate: Option<Decimal>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoreProduct {
    pub id: i64,
    #[serde(default)]
    pub sku: String,
    pub name: String,
}

/// What the KashFlow account has (its lookups).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KashFlowCatalogue {
    pub payment_methods: Vec<Named>,
    pub bank_accounts: Vec<KfBankAccount>,
    pub nominals: Vec<KfNominal>,
    pub vat_rates: Vec<Decimal>,
    pub currencies: Vec<String>,
    pub products: Vec<KfProduct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Named {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KfBankAccount {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KfNominal {
    pub code: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KfProduct {
    pub code: String,
    pub name: String,
}

/// A product to create in KashFlow (the readiness page's "create in KashFlow").
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewProduct {
    pub code: String,
    pub name: String,
    pub nominal_code: i64,
    /// Net selling price (ex VAT).
    #[serde(default)]
    pub price: Decimal,
    #[serde(default)]
    pub vat_rate: Decimal,
}

/// What happened to one [`NewProduct`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProductCreation {
    pub code: String,
    /// `Created`, `AlreadyThere` (nothing sent) or `Failed`.
    pub result: &'static str,
    pub error: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The answer

/// One suggestion: the store's thing, the KashFlow counterpart (or none) and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Suggestion {
    /// The store's key: a payment method's system name, a tax category id, a currency code, a
    /// product's SKU, or a nominal role (`Sales`, `Shipping`, …).
    pub key: String,
    pub label: String,
    /// The KashFlow id or code suggested; `None`: nothing close enough.
    pub target: Option<String>,
    pub target_label: Option<String>,
    /// 0.00–1.00, two decimals.
    pub confidence: f64,
    pub reason: String,
}

/// A payment method's two halves: KashFlow's method and the bank account the money goes to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PaymentSuggestion {
    pub method: Suggestion,
    pub bank_account: Suggestion,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Suggestions {
    pub payment_methods: Vec<PaymentSuggestion>,
    pub nominals: Vec<Suggestion>,
    pub tax_categories: Vec<Suggestion>,
    pub currencies: Vec<Suggestion>,
    pub products: Vec<Suggestion>,
    /// KashFlow products no store product was matched to (codes), for the readiness page.
    pub unsold_kashflow_products: Vec<String>,
}

/// Every suggestion for the two catalogues.
pub fn suggest(store: &StoreCatalogue, kf: &KashFlowCatalogue) -> Suggestions {
    let (products, unsold_kashflow_products) = products(store, kf);
    Suggestions {
        payment_methods: payment_methods(store, kf),
        nominals: nominals(kf),
        tax_categories: tax_categories(store, kf),
        currencies: currencies(store, kf),
        products,
        unsold_kashflow_products,
    }
}

// ---------------------------------------------------------------------------------------------
// Payment methods

/// Kinds of payment and the words that name them, on either side. A nopCommerce card gateway and
/// KashFlow's "Credit/Debit Card" share nothing but the kind.
pub const PAYMENT_KINDS: &[(&str, &[&str])] = &[
    (
        "card",
        &[
            "card",
            "credit",
            "debit",
            "visa",
            "mastercard",
            "stripe",
            "square",
            "worldpay",
            "sagepay",
            "opayo",
            "braintree",
            "adyen",
            "authorize",
            "manual",
            "checkout",
            "klarna",
            "clearpay",
            "takepayments",
            "zettle",
            "sumup",
            "barclaycard",
            "cardstream",
        ],
    ),
    ("paypal", &["paypal"]),
    (
        "cheque",
        &["cheque", "check", "money order", "checkmoneyorder"],
    ),
    (
        "bank transfer",
        &[
            "bacs",
            "bank transfer",
            "transfer",
            "wire",
            "faster payments",
            "direct deposit",
        ],
    ),
    (
        "cash",
        &["cash", "cod", "cash on delivery", "cashondelivery"],
    ),
    ("gift card", &["gift card", "giftcard", "voucher"]),
    ("amazon pay", &["amazon"]),
];

fn payment_kind(name: &str) -> Option<&'static str> {
    let text = format!(" {} ", words(name).join(" "));
    let joined = words(name).concat();
    // PayPal before card: "PayPal Commerce (cards)" is a PayPal payment.
    let order = [
        "paypal",
        "amazon pay",
        "gift card",
        "cheque",
        "cash",
        "bank transfer",
        "card",
    ];
    order.into_iter().find(|kind| {
        PAYMENT_KINDS
            .iter()
            .find(|(k, _)| k == kind)
            .is_some_and(|(_, names)| {
                names
                    .iter()
                    .any(|n| text.contains(&format!(" {n} ")) || (!n.contains(' ') && joined == *n))
            })
    })
}

fn payment_methods(store: &StoreCatalogue, kf: &KashFlowCatalogue) -> Vec<PaymentSuggestion> {
    let mut methods = store.payment_methods.clone();
    methods.sort_by(|a, b| a.system_name.cmp(&b.system_name));
    methods
        .iter()
        .map(|m| {
            let label = if m.friendly_name.trim().is_empty() {
                m.system_name.clone()
            } else {
                m.friendly_name.clone()
            };
            let method = best_payment_method(m, &label, kf);
            let bank_account = bank_account_for(&label, &method, kf);
            PaymentSuggestion {
                method,
                bank_account,
            }
        })
        .collect()
}

fn best_payment_method(m: &StorePaymentMethod, label: &str, kf: &KashFlowCatalogue) -> Suggestion {
    let names = [label, m.system_name.as_str()];
    let kind = names.iter().find_map(|n| payment_kind(n));
    let mut best: Option<(f64, &Named, String)> = None;
    for target in sorted_by_id(&kf.payment_methods) {
        let sim = names
            .iter()
            .map(|n| name_similarity(n, &target.name))
            .fold(0.0, f64::max);
        let mut candidate = (sim >= MIN_NAME_SIMILARITY).then(|| {
            (
                sim,
                format!("name match '{}' {:.2}", target.name, round2(sim)),
            )
        });
        if let Some(k) = kind.filter(|k| payment_kind(&target.name) == Some(k)) {
            if candidate.as_ref().is_none_or(|(s, _)| *s < 0.90) {
                candidate = Some((0.90, format!("both are {k} payments")));
            }
        }
        if let Some((score, reason)) = candidate {
            if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
                best = Some((score, target, reason));
            }
        }
    }
    match best {
        Some((score, target, reason)) => Suggestion {
            key: m.system_name.clone(),
            label: label.to_string(),
            target: Some(target.id.to_string()),
            target_label: Some(target.name.clone()),
            confidence: round2(score),
            reason,
        },
        None => none(
            &m.system_name,
            label,
            format!("no KashFlow payment method resembles '{label}'"),
        ),
    }
}

/// The bank account the method's money lands in: one named like the method ("PayPal" →
/// "PayPal Account"), else one for its kind ("Card Receipts" for a card), else the default.
fn bank_account_for(label: &str, method: &Suggestion, kf: &KashFlowCatalogue) -> Suggestion {
    let key = method.key.as_str();
    let kind = payment_kind(label).or_else(|| payment_kind(key));
    let mut best: Option<(f64, &KfBankAccount, String)> = None;
    let mut accounts: Vec<&KfBankAccount> = kf.bank_accounts.iter().collect();
    accounts.sort_by_key(|a| a.id);
    for a in &accounts {
        let sim = name_similarity(label, &a.name);
        let by_kind = kind.is_some_and(|k| payment_kind(&a.name) == Some(k));
        let scored = if sim >= MIN_NAME_SIMILARITY {
            Some((sim, format!("name match '{}' {:.2}", a.name, round2(sim))))
        } else if by_kind {
            Some((
                0.85,
                format!("an account for {} payments", kind.unwrap_or("these")),
            ))
        } else {
            None
        };
        if let Some((s, r)) = scored {
            if best.as_ref().is_none_or(|(b, _, _)| s > *b) {
                best = Some((s, a, r));
            }
        }
    }
    if best.is_none() {
        if let Some(d) = accounts.iter().find(|a| a.is_default).or(accounts.first()) {
            best = Some((0.60, d, "the default bank account".to_string()));
        }
    }
    match best {
        Some((s, a, reason)) => Suggestion {
            key: key.to_string(),
            label: label.to_string(),
            target: Some(a.id.to_string()),
            target_label: Some(a.name.clone()),
            confidence: round2(s),
            reason,
        },
        None => none(key, label, "KashFlow has no bank account".to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Nominal codes for each kind of charge

/// The rules' nominal roles and the words a chart of accounts names them with.
pub const NOMINAL_ROLES: &[(&str, &str, &[&str])] = &[
    ("Sales", "Sales of goods", &["sales", "turnover", "revenue"]),
    (
        "Shipping",
        "Shipping charged",
        &["carriage", "delivery", "postage", "shipping", "p&p"],
    ),
    ("Discounts", "Discounts given", &["discount", "discounts"]),
    (
        "PaymentFee",
        "Payment fees charged",
        &["fees charged", "payment fees", "payment fee", "surcharge"],
    ),
    (
        "GiftCard",
        "Gift cards sold",
        &[
            "gift card liability",
            "gift voucher liability",
            "gift card",
            "voucher",
        ],
    ),
    (
        "RewardPoints",
        "Reward points",
        &["reward", "loyalty", "points"],
    ),
    ("Rounding", "Rounding", &["rounding"]),
];

fn nominals(kf: &KashFlowCatalogue) -> Vec<Suggestion> {
    let mut chart = kf.nominals.clone();
    chart.sort_by_key(|n| n.code);
    NOMINAL_ROLES
        .iter()
        .map(|(role, label, words_for)| {
            // The first keyword that names an account wins; earlier keywords are stronger. An
            // account whose name also says another role ("Reward Points Discount" for Discounts)
            // is taken only when no account names this role alone.
            let find = |strict: bool| {
                words_for.iter().enumerate().find_map(|(rank, w)| {
                    chart
                        .iter()
                        .filter(|n| !strict || !is_other_role(&n.name, role))
                        .find(|n| has_phrase(&n.name, w))
                        .map(|n| (rank, *w, n))
                })
            };
            let hit = find(true).or_else(|| find(false));
            match hit {
                Some((rank, w, n)) => Suggestion {
                    key: role.to_string(),
                    label: label.to_string(),
                    target: Some(n.code.to_string()),
                    target_label: Some(format!("{} {}", n.code, n.name)),
                    confidence: if rank == 0 { 0.90 } else { 0.80 },
                    reason: format!("the account's name says '{w}'"),
                },
                None => none(
                    role,
                    label,
                    format!("no nominal account is named for {}", label.to_lowercase()),
                ),
            }
        })
        .collect()
}

/// A name that belongs to another role ("Sales - Discounts") is not the sales account.
fn is_other_role(name: &str, role: &str) -> bool {
    NOMINAL_ROLES
        .iter()
        .filter(|(r, _, _)| *r != role)
        .any(|(_, _, ws)| ws.iter().any(|w| has_phrase(name, w)))
}

// ---------------------------------------------------------------------------------------------
// Tax categories, currencies

fn tax_categories(store: &StoreCatalogue, kf: &KashFlowCatalogue) -> Vec<Suggestion> {
    let mut cats = store.tax_categories.clone();
    cats.sort_by_key(|c| c.id);
    cats.iter()
        .map(|c| {
            let key = c.id.to_string();
            let (rate, how) = match c.rate {
                Some(r) => (Some(r.normalize()), None),
                None => (rate_from_name(&c.name), Some("by its name")),
            };
            let Some(rate) = rate else {
                return none(
                    &key,
                    &c.name,
                    format!(
                        "'{}' has no fixed rate and its name does not say one",
                        c.name
                    ),
                );
            };
            match kf.vat_rates.iter().find(|r| r.normalize() == rate) {
                Some(r) => Suggestion {
                    key,
                    label: c.name.clone(),
                    target: Some(r.normalize().to_string()),
                    target_label: Some(format!("{}%", r.normalize())),
                    confidence: if how.is_some() { 0.70 } else { 1.00 },
                    reason: match how {
                        Some(h) => format!("'{}' reads as {rate}% {h}", c.name),
                        None => format!("{rate}% category ↔ KashFlow's {rate}% rate"),
                    },
                },
                None => none(
                    &key,
                    &c.name,
                    format!(
                        "KashFlow has no {rate}% VAT rate; add it in KashFlow → Settings → VAT"
                    ),
                ),
            }
        })
        .collect()
}

/// UK rate names: standard 20, reduced 5, zero and exempt 0.
fn rate_from_name(name: &str) -> Option<Decimal> {
    let rates: [(&str, i64); 4] = [("standard", 20), ("reduced", 5), ("zero", 0), ("exempt", 0)];
    rates
        .iter()
        .find(|(w, _)| has_phrase(name, w))
        .map(|(_, r)| Decimal::from(*r))
}

fn currencies(store: &StoreCatalogue, kf: &KashFlowCatalogue) -> Vec<Suggestion> {
    let codes: BTreeSet<String> = store
        .currencies
        .iter()
        .map(|c| c.trim().to_uppercase())
        .collect();
    codes
        .iter()
        .map(|code| {
            match kf
                .currencies
                .iter()
                .find(|k| k.trim().eq_ignore_ascii_case(code))
            {
                Some(k) => Suggestion {
                    key: code.clone(),
                    label: code.clone(),
                    target: Some(k.trim().to_uppercase()),
                    target_label: Some(k.trim().to_uppercase()),
                    confidence: 1.0,
                    reason: "the same currency code".into(),
                },
                None => none(
                    code,
                    code,
                    format!(
                        "KashFlow does not have {code}; add it in KashFlow → Settings → Currencies"
                    ),
                ),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Products

/// Each product's KashFlow product (one to one, best first), and the KashFlow products left over.
fn products(store: &StoreCatalogue, kf: &KashFlowCatalogue) -> (Vec<Suggestion>, Vec<String>) {
    let mut ours = store.products.clone();
    ours.sort_by(|a, b| a.sku.cmp(&b.sku).then(a.id.cmp(&b.id)));
    let mut theirs = kf.products.clone();
    theirs.sort_by(|a, b| a.code.cmp(&b.code));

    // Every plausible pair, scored; then the best pairs first, each side used once.
    let mut pairs: Vec<(f64, usize, usize, String)> = Vec::new();
    for (i, p) in ours.iter().enumerate() {
        for (j, k) in theirs.iter().enumerate() {
            if let Some((score, reason)) = product_pair(p, k) {
                pairs.push((score, i, j, reason));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut mine: Vec<Option<(f64, usize, String)>> = vec![None; ours.len()];
    let mut taken = vec![false; theirs.len()];
    for (score, i, j, reason) in pairs {
        if mine[i].is_none() && !taken[j] {
            mine[i] = Some((score, j, reason));
            taken[j] = true;
        }
    }
    let suggestions = ours
        .iter()
        .zip(mine)
        .map(|(p, m)| {
            let key = if p.sku.trim().is_empty() {
                format!("#{}", p.id)
            } else {
                p.sku.clone()
            };
            match m {
                Some((score, j, reason)) => Suggestion {
                    key,
                    label: p.name.clone(),
                    target: Some(theirs[j].code.clone()),
                    target_label: Some(format!("{} — {}", theirs[j].code, theirs[j].name)),
                    confidence: round2(score),
                    reason,
                },
                None => none(
                    &key,
                    &p.name,
                    if p.sku.trim().is_empty() {
                        "the product has no SKU".to_string()
                    } else {
                        format!("KashFlow has no product coded '{}'", p.sku.trim())
                    },
                ),
            }
        })
        .collect();
    let unsold = theirs
        .iter()
        .zip(taken)
        .filter(|(_, t)| !t)
        .map(|(k, _)| k.code.clone())
        .collect();
    (suggestions, unsold)
}

fn product_pair(p: &StoreProduct, k: &KfProduct) -> Option<(f64, String)> {
    let sku = p.sku.trim();
    if !sku.is_empty() {
        if sku == k.code.trim() {
            return Some((1.0, "SKU equals product code".into()));
        }
        let (a, b) = (squash(sku), squash(&k.code));
        if !a.is_empty() && a == b {
            return Some((
                0.97,
                "SKU equals product code apart from case and punctuation".into(),
            ));
        }
    }
    // Without a code match, only the same name counts (the same words in any order and any
    // punctuation): a near name is too often another size, colour or variant ("Pot Small" /
    // "Pot Large", "Apron - Striped" / "Apron") to be offered as the same product.
    let (mut a, mut b) = (words(&p.name), words(&k.name));
    a.sort();
    b.sort();
    (!a.is_empty() && a == b).then(|| (0.85, format!("same name '{}'", k.name)))
}

// ---------------------------------------------------------------------------------------------
// Words and similarity

/// Words of a name, lowercase, without nopCommerce's plumbing ("Payments.", "Misc.") and with
/// camel case split ("PayPalCommerce" → paypal, commerce: brand names are kept whole).
fn words(name: &str) -> Vec<String> {
    const NOISE: &[&str] = &[
        "payments", "payment", "method", "plugin", "misc", "nop", "the", "a",
    ];
    let mut out = Vec::new();
    for raw in name.split(|c: char| !c.is_alphanumeric() && c != '&') {
        for w in split_camel(raw) {
            let w = w.to_lowercase();
            if !w.is_empty() && !NOISE.contains(&w.as_str()) {
                out.push(w);
            }
        }
    }
    out
}

/// `PayPalCommerce` → `PayPal`, `Commerce`; known brands stay whole.
fn split_camel(s: &str) -> Vec<String> {
    const WHOLE: &[&str] = &["PayPal", "WorldPay", "SagePay", "SumUp", "BarclayCard"];
    let mut parts = Vec::new();
    let mut rest = s;
    'outer: while !rest.is_empty() {
        for w in WHOLE {
            if rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w) {
                parts.push(rest[..w.len()].to_string());
                rest = &rest[w.len()..];
                continue 'outer;
            }
        }
        let mut end = rest.len();
        for (i, c) in rest.char_indices().skip(1) {
            let prev_lower = rest[..i].chars().last().is_some_and(|p| p.is_lowercase());
            if c.is_uppercase() && prev_lower {
                end = i;
                break;
            }
        }
        parts.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    parts
}

/// Letters and digits only, uppercase: `tee-org_m` and `TEE ORG M` are the same code.
fn squash(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

fn has_phrase(name: &str, phrase: &str) -> bool {
    let text = format!(" {} ", words(name).join(" "));
    text.contains(&format!(" {} ", words(phrase).join(" ")))
}

/// Similarity of two names, 0–1: Jaro-Winkler over the names' words joined, or 1.0 when every
/// word of the shorter name is in the longer one ("PayPal" in "PayPal Commerce").
fn name_similarity(a: &str, b: &str) -> f64 {
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    let contained = short.iter().all(|w| long.contains(w));
    if contained && short.iter().map(String::len).sum::<usize>() >= 4 {
        // All of the shorter name, but the longer says more: a touch below an exact match.
        return if short.len() == long.len() { 1.0 } else { 0.93 };
    }
    strsim::jaro_winkler(&wa.join(" "), &wb.join(" "))
}

fn sorted_by_id(items: &[Named]) -> Vec<&Named> {
    let mut v: Vec<&Named> = items.iter().collect();
    v.sort_by_key(|n| n.id);
    v
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn none(key: &str, label: &str, reason: String) -> Suggestion {
    Suggestion {
        key: key.to_string(),
        label: label.to_string(),
        target: None,
        target_label: None,
        confidence: 0.0,
        reason,
    }
}
