//! Mapping rules: the versioned (`"RulesVersion": 1`), PascalCase JSON configuration that decides
//! how a nopCommerce order becomes a KashFlow invoice — numbering, customer codes, payment
//! methods, nominal codes, VAT rates, currency, rounding tolerance and due dates.
//!
//! `MappingRules::default()` holds the defaults, each documented on its field (and pinned by
//! `core/tests/mapping_rules.rs`). Every field is optional in JSON; a missing
//! one takes its default. `validate()` reports every problem, with a `Rules.` path.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::order::{ErrorCode, OrderSnapshot, ValidationError, ValidationErrors};

/// The `RulesVersion` this build reads.
pub const RULES_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct MappingRules {
    /// Version of this document's shape. Must be 1.
    pub rules_version: u32,
    /// How the KashFlow invoice `Number` is chosen.
    pub invoice_number: InvoiceNumberRules,
    /// KashFlow `CustomerReference`; placeholders {OrderId}, {CustomOrderNumber}, {OrderGuid}.
    pub customer_reference_template: String,
    /// How the KashFlow customer `Code` is derived.
    pub customer_codes: CustomerCodeRules,
    /// nopCommerce `PaymentMethodSystemName` → KashFlow payment method and bank account.
    pub payment_methods: BTreeMap<String, PaymentMapping>,
    /// Used for a payment method missing from `PaymentMethods`; `null` makes that an error.
    pub default_payment_method: Option<PaymentMapping>,
    /// Nominal codes for each kind of line.
    pub nominals: NominalRules,
    /// SKU → KashFlow product code, where they differ (by default the SKU is the product code).
    pub product_codes: BTreeMap<String, String>,
    pub vat: VatRules,
    pub currency: CurrencyRules,
    /// No longer used: an order's figures must now add up within the rounding nopCommerce
    /// itself makes, and nothing is posted as rounding. Still read, so rules documents written by
    /// earlier versions load unchanged.
    #[serde(with = "crate::money::serde_money")]
    pub rounding_tolerance: Decimal,
    /// How redeemed reward points are booked.
    pub reward_points: RewardPointsRules,
    /// How gift cards used on an order are booked.
    pub gift_cards: GiftCardRules,
    /// What happens to an item without a SKU.
    pub sku_less_items: SkuLessItemPolicy,
    pub due_days: DueDays,
    /// ISO country code of the KashFlow account's own country (the VAT home).
    pub home_country: String,
}

/// Reward points are the shop's own free loyalty scheme. HMRC treats redeeming them as a
/// discount (VAT Notice 700/7): VAT is due only on what the customer actually paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RewardPointsPolicy {
    /// Default. A discount line per VAT rate (nominal `Nominals.RewardPoints`), split over the
    /// rates in proportion to their gross, each taking its share of VAT off that rate.
    Discount,
    /// A payment on the invoice from `RewardPoints.Payment`'s bank account (a points liability
    /// kept as a bank account); the invoice keeps the full value and VAT of the sale.
    PaymentFromAccount,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct RewardPointsRules {
    pub policy: RewardPointsPolicy,
    /// Payment method and bank account for `PaymentFromAccount` (required for that policy).
    pub payment: Option<PaymentMapping>,
}

impl Default for RewardPointsRules {
    fn default() -> Self {
        RewardPointsRules {
            policy: RewardPointsPolicy::Discount,
            payment: None,
        }
    }
}

/// A gift card is a multi-purpose voucher: VAT was not due when it was sold and is due on the
/// goods it buys, so the sale keeps its full value and the card is a means of payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GiftCardPolicy {
    /// Default. The invoice shows the whole sale; the card's amount is a payment on it from the
    /// gift-card clearing bank account (`GiftCards.Payment`).
    Payment,
    /// The older way: a negative, VAT-exempt "Gift card redeemed" line on `Nominals.GiftCard`, so
    /// the invoice is for what the customer paid by other means.
    NegativeLine,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct GiftCardRules {
    pub policy: GiftCardPolicy,
    /// Payment method and gift-card clearing bank account for `Payment` (required for it).
    pub payment: Option<PaymentMapping>,
}

impl Default for GiftCardRules {
    fn default() -> Self {
        GiftCardRules {
            policy: GiftCardPolicy::Payment,
            // The sandbox seed's "Gift card" method and "Gift Card Clearing" account.
            payment: Some(pm(
                crate::kashflow::sandbox::seed::GIFT_CARD_METHOD_ID,
                crate::kashflow::sandbox::seed::GIFT_CARD_BANK_ACCOUNT_ID,
            )),
        }
    }
}

/// Items without a SKU (gift wrapping, a service, a custom product).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkuLessItemPolicy {
    /// Default. Posted as a line with the item's name and no KashFlow product, on the sales
    /// nominal (no stock is moved for it).
    DescriptionLine,
    /// The order is refused until the product has a SKU.
    Refuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceNumberStrategy {
    /// `Number` = `Offset` + order Id: deterministic, so KashFlow refuses a duplicate invoice.
    OrderIdPlusOffset,
    /// Let KashFlow assign its next number (duplicates must then be prevented by the engine).
    KashFlowAssigns,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct InvoiceNumberRules {
    pub strategy: InvoiceNumberStrategy,
    pub offset: i64,
}

impl Default for InvoiceNumberRules {
    fn default() -> Self {
        InvoiceNumberRules {
            strategy: InvoiceNumberStrategy::OrderIdPlusOffset,
            offset: 100_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerCodeStrategy {
    /// `Prefix` + nopCommerce customer Id zero-padded to `IdWidth` ("NOP000123").
    FromCustomerId,
    /// `Prefix` + up to 6 letters/digits of the e-mail's local part + a 10-character hash of the
    /// normalised e-mail ("NOPJSMITHK3Q0Z9A2B1"): the same e-mail always gives the same code.
    FromEmail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct CustomerCodeRules {
    /// Strategy for registered customers.
    pub strategy: CustomerCodeStrategy,
    /// Strategy for guest checkouts. From the e-mail by default, so a repeat guest reuses one
    /// KashFlow customer (every guest checkout creates a new nopCommerce customer Id).
    pub guest_strategy: CustomerCodeStrategy,
    /// Up to 4 characters A–Z/0–9 put in front of every code.
    pub prefix: String,
    /// Digits the customer Id is zero-padded to (longer Ids are kept whole).
    pub id_width: u32,
}

impl Default for CustomerCodeRules {
    fn default() -> Self {
        CustomerCodeRules {
            strategy: CustomerCodeStrategy::FromCustomerId,
            guest_strategy: CustomerCodeStrategy::FromEmail,
            prefix: "NOP".into(),
            id_width: 6,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PaymentMapping {
    /// KashFlow invoice payment method id.
    pub method_id: i64,
    /// KashFlow bank account `Id` the money goes into.
    pub bank_account_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct NominalRules {
    pub sales: i64,
    pub shipping: i64,
    pub discounts: i64,
    pub payment_fee: i64,
    /// The negative gift-card lines of the `NegativeLine` gift-card policy (the voucher liability).
    pub gift_card: i64,
    /// The reward-point discount lines of the `Discount` reward-points policy.
    pub reward_points: i64,
    /// The rare zero-net line that carries a VAT penny at one rate, where the lines' own VAT
    /// cannot reach the VAT nopCommerce charged at that rate (no amount is ever posted here).
    pub rounding: i64,
    /// Sales nominal for goods sold zero-rated to VAT-registered businesses in the EU (an order
    /// with a VAT number and an EU billing country); `null` (the default) keeps `Sales`.
    /// KashFlow files each product under one nominal and (strictly assumed) refuses a product line
    /// on any other, so set this only when the products those customers buy live under it.
    pub eu_b2b_sales: Option<i64>,
    /// SKU → sales nominal, overriding `Sales`/`EuB2bSales` for that product.
    pub sku_overrides: BTreeMap<String, i64>,
}

impl Default for NominalRules {
    fn default() -> Self {
        NominalRules {
            sales: 4000,
            shipping: 4900,
            discounts: 4905,
            payment_fee: 4910,
            gift_card: 2300,
            reward_points: 4930,
            rounding: 4999,
            eu_b2b_sales: None,
            sku_overrides: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct VatRules {
    /// The KashFlow account's VAT rates, in percent.
    #[serde(with = "crate::money::serde_money::vec")]
    pub rates: Vec<Decimal>,
    /// How far (percentage points) a rate derived from an order's incl/excl amounts may be from
    /// an account rate and still snap to it. A derived rate within one penny of the amounts also
    /// snaps, so small amounts are not refused for rounding.
    #[serde(with = "crate::money::serde_money")]
    pub rate_tolerance: Decimal,
    /// SKUs that are exempt from VAT (posted with KashFlow `VATExempt`, not zero-rated).
    pub exempt_skus: BTreeSet<String>,
    /// Add a description-only line naming the customer's VAT number when a VAT-registered business
    /// outside the home country is invoiced without VAT.
    pub zero_rated_b2b_note: bool,
}

impl Default for VatRules {
    fn default() -> Self {
        VatRules {
            rates: vec![Decimal::from(20), Decimal::from(5), Decimal::ZERO],
            rate_tolerance: Decimal::new(5, 1),
            exempt_skus: BTreeSet::new(),
            zero_rated_b2b_note: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceCurrencyMode {
    /// Invoice in the currency the customer paid, with the order's exchange rate.
    CustomerCurrency,
    /// Invoice in the home currency (the primary store currency), whatever the customer paid in.
    HomeCurrency,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct CurrencyRules {
    pub invoice_currency: InvoiceCurrencyMode,
    /// The KashFlow account's home currency; the store's primary currency must be this one.
    pub home_currency: String,
    /// Currencies set up in KashFlow; an order in any other is refused.
    pub allowed: Vec<String>,
}

impl Default for CurrencyRules {
    fn default() -> Self {
        CurrencyRules {
            invoice_currency: InvoiceCurrencyMode::CustomerCurrency,
            home_currency: "GBP".into(),
            allowed: vec!["GBP".into(), "EUR".into(), "USD".into()],
        }
    }
}

/// Days from the invoice date to its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default, deny_unknown_fields)]
pub struct DueDays {
    /// For orders already paid when placed (the invoice is settled at once).
    pub paid: u32,
    /// For orders not yet paid (cheque, bank transfer, pay later).
    pub unpaid: u32,
}

impl Default for DueDays {
    fn default() -> Self {
        DueDays {
            paid: 0,
            unpaid: 30,
        }
    }
}

fn pm(method_id: i64, bank_account_id: i64) -> PaymentMapping {
    PaymentMapping {
        method_id,
        bank_account_id,
    }
}

impl Default for MappingRules {
    fn default() -> Self {
        let payment_methods = [
            ("Payments.Manual", pm(4, 2)),
            ("Payments.CheckMoneyOrder", pm(2, 1)),
            ("Payments.PayPalCommerce", pm(5, 2)),
            ("Payments.Stripe", pm(4, 2)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        MappingRules {
            rules_version: RULES_VERSION,
            invoice_number: InvoiceNumberRules::default(),
            customer_reference_template: "NOP-{CustomOrderNumber}".into(),
            customer_codes: CustomerCodeRules::default(),
            payment_methods,
            default_payment_method: None,
            nominals: NominalRules::default(),
            product_codes: BTreeMap::new(),
            vat: VatRules::default(),
            currency: CurrencyRules::default(),
            rounding_tolerance: Decimal::new(2, 2),
            reward_points: RewardPointsRules::default(),
            gift_cards: GiftCardRules::default(),
            sku_less_items: SkuLessItemPolicy::DescriptionLine,
            due_days: DueDays::default(),
            home_country: "GB".into(),
        }
    }
}

/// A piece of the CustomerReference template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    Literal(String),
    OrderId,
    CustomOrderNumber,
    OrderGuid,
}

/// Split a template into literal text and placeholders. Unknown placeholders and unbalanced
/// braces are errors (a typo must not silently end up on every invoice).
pub fn parse_template(template: &str) -> Result<Vec<TemplatePart>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                parts.push(TemplatePart::Literal(rest.to_string()));
                break;
            }
            Some(i) => {
                if i > 0 {
                    parts.push(TemplatePart::Literal(rest[..i].to_string()));
                }
                if rest[i..].starts_with('}') {
                    return Err("has a '}' without a matching '{'".into());
                }
                let close = rest[i..]
                    .find('}')
                    .ok_or_else(|| "has a '{' without a matching '}'".to_string())?;
                let name = &rest[i + 1..i + close];
                parts.push(match name {
                    "OrderId" => TemplatePart::OrderId,
                    "CustomOrderNumber" => TemplatePart::CustomOrderNumber,
                    "OrderGuid" => TemplatePart::OrderGuid,
                    other => {
                        return Err(format!(
                            "uses the unknown placeholder {{{other}}} (known: {{OrderId}}, {{CustomOrderNumber}}, {{OrderGuid}})"
                        ))
                    }
                });
                rest = &rest[i + close + 1..];
            }
        }
    }
    Ok(parts)
}

fn rules_err(path: &str, message: String) -> ValidationError {
    ValidationError::new(ErrorCode::InvalidRules, format!("Rules.{path}"), message)
}

fn is_code(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_uppercase())
}

impl MappingRules {
    /// Read rules from JSON. Missing fields take their defaults; unknown fields, a wrong
    /// `RulesVersion` and invalid values are errors.
    pub fn from_json(bytes: &[u8]) -> Result<MappingRules, ValidationErrors> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            ValidationErrors::one(
                ValidationError::new(
                    ErrorCode::InvalidRules,
                    "Rules",
                    format!("The mapping rules are not valid JSON: {e}."),
                )
                .at(e.line(), e.column()),
            )
        })?;
        if let Some(v) = value.get("RulesVersion") {
            if v.as_u64() != Some(u64::from(RULES_VERSION)) {
                return Err(ValidationErrors::one(rules_err(
                    "RulesVersion",
                    format!("RulesVersion is {v}, but this build reads only RulesVersion {RULES_VERSION}."),
                )));
            }
        }
        let rules: MappingRules = serde_json::from_value(value).map_err(|e| {
            ValidationErrors::one(rules_err(
                "",
                format!("The mapping rules could not be read: {e}."),
            ))
        })?;
        rules.validate()?;
        Ok(rules)
    }

    /// Check every setting; all problems are returned.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = Vec::new();
        if self.rules_version != RULES_VERSION {
            errs.push(rules_err(
                "RulesVersion",
                format!(
                    "RulesVersion is {}, but this build reads only RulesVersion {RULES_VERSION}.",
                    self.rules_version
                ),
            ));
        }
        if self.invoice_number.offset < 0 {
            errs.push(rules_err(
                "InvoiceNumber.Offset",
                "The invoice number offset must not be negative.".into(),
            ));
        }
        if let Err(e) = parse_template(&self.customer_reference_template) {
            errs.push(rules_err(
                "CustomerReferenceTemplate",
                format!(
                    "The customer reference template '{}' {e}.",
                    self.customer_reference_template
                ),
            ));
        }
        let cc = &self.customer_codes;
        if cc.prefix.len() > 4
            || !cc
                .prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            errs.push(rules_err(
                "CustomerCodes.Prefix",
                format!(
                    "The customer code prefix '{}' must be at most 4 characters A-Z or 0-9.",
                    cc.prefix
                ),
            ));
        }
        if !(1..=12).contains(&cc.id_width) {
            errs.push(rules_err(
                "CustomerCodes.IdWidth",
                "The customer code IdWidth must be between 1 and 12.".into(),
            ));
        }
        // Paths are only spelled out for a mapping that is wrong (this runs for every order).
        let mappings = self
            .payment_methods
            .iter()
            .map(|(k, v)| (Some(k.as_str()), "PaymentMethods", v))
            .chain(
                self.default_payment_method
                    .iter()
                    .map(|d| (None, "DefaultPaymentMethod", d)),
            )
            .chain(
                self.gift_cards
                    .payment
                    .iter()
                    .map(|d| (None, "GiftCards.Payment", d)),
            )
            .chain(
                self.reward_points
                    .payment
                    .iter()
                    .map(|d| (None, "RewardPoints.Payment", d)),
            );
        if self.gift_cards.policy == GiftCardPolicy::Payment && self.gift_cards.payment.is_none() {
            errs.push(rules_err(
                "GiftCards.Payment",
                "Gift cards are booked as payments, so a KashFlow payment method and gift-card clearing bank account are needed (or choose NegativeLine).".into(),
            ));
        }
        if self.reward_points.policy == RewardPointsPolicy::PaymentFromAccount
            && self.reward_points.payment.is_none()
        {
            errs.push(rules_err(
                "RewardPoints.Payment",
                "Reward points are booked as payments, so a KashFlow payment method and bank account for them are needed (or choose Discount).".into(),
            ));
        }
        for (key, section, m) in mappings {
            if m.method_id > 0 && m.bank_account_id > 0 {
                continue;
            }
            let path = match key {
                Some(k) => format!("{section}.{k}"),
                None => section.to_string(),
            };
            if m.method_id <= 0 {
                errs.push(rules_err(
                    &format!("{path}.MethodId"),
                    "A KashFlow payment method id must be a positive number.".into(),
                ));
            }
            if m.bank_account_id <= 0 {
                errs.push(rules_err(
                    &format!("{path}.BankAccountId"),
                    "A KashFlow bank account id must be a positive number.".into(),
                ));
            }
        }
        let n = &self.nominals;
        let fixed = [
            ("Sales", n.sales),
            ("Shipping", n.shipping),
            ("Discounts", n.discounts),
            ("PaymentFee", n.payment_fee),
            ("GiftCard", n.gift_card),
            ("RewardPoints", n.reward_points),
            ("Rounding", n.rounding),
            ("EuB2bSales", n.eu_b2b_sales.unwrap_or(1)),
        ];
        let bad_nominal = |code: i64| {
            format!("Nominal code {code} is not valid; nominal codes are positive numbers such as 4000.")
        };
        for (name, code) in fixed {
            if code <= 0 {
                errs.push(rules_err(&format!("Nominals.{name}"), bad_nominal(code)));
            }
        }
        for (sku, code) in &n.sku_overrides {
            if *code <= 0 {
                errs.push(rules_err(
                    &format!("Nominals.SkuOverrides.{sku}"),
                    bad_nominal(*code),
                ));
            }
        }
        for (sku, code) in &self.product_codes {
            if code.trim().is_empty() {
                errs.push(rules_err(
                    &format!("ProductCodes.{sku}"),
                    "A KashFlow product code must not be empty.".into(),
                ));
            }
        }
        let vat = &self.vat;
        if vat.rates.is_empty() {
            errs.push(rules_err(
                "Vat.Rates",
                "At least one VAT rate is needed (e.g. 20, 5, 0).".into(),
            ));
        }
        for (i, r) in vat.rates.iter().enumerate() {
            if *r < Decimal::ZERO || *r >= Decimal::ONE_HUNDRED {
                errs.push(rules_err(
                    &format!("Vat.Rates[{i}]"),
                    format!("VAT rate {r} must be at least 0 and below 100 (percent)."),
                ));
            }
        }
        if vat.rate_tolerance < Decimal::ZERO || vat.rate_tolerance > Decimal::from(5) {
            errs.push(rules_err(
                "Vat.RateTolerance",
                "The VAT rate tolerance must be between 0 and 5 percentage points.".into(),
            ));
        }
        let cur = &self.currency;
        if !is_code(&cur.home_currency, 3) {
            errs.push(rules_err(
                "Currency.HomeCurrency",
                format!(
                    "'{}' is not a currency code such as GBP.",
                    cur.home_currency
                ),
            ));
        }
        for (i, c) in cur.allowed.iter().enumerate() {
            if !is_code(c, 3) {
                errs.push(rules_err(
                    &format!("Currency.Allowed[{i}]"),
                    format!("'{c}' is not a currency code such as EUR."),
                ));
            }
        }
        if !cur.allowed.contains(&cur.home_currency) {
            errs.push(rules_err(
                "Currency.Allowed",
                format!(
                    "The home currency {} must be among the allowed currencies.",
                    cur.home_currency
                ),
            ));
        }
        if self.rounding_tolerance < Decimal::ZERO || self.rounding_tolerance > Decimal::ONE {
            errs.push(rules_err(
                "RoundingTolerance",
                "The rounding tolerance must be between 0.00 and 1.00.".into(),
            ));
        }
        if !is_code(&self.home_country, 2) {
            errs.push(rules_err(
                "HomeCountry",
                format!(
                    "'{}' is not a two-letter country code such as GB.",
                    self.home_country
                ),
            ));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors { errors: errs })
        }
    }

    /// The KashFlow CustomerReference for an order (the template must be valid).
    pub fn customer_reference(&self, order: &OrderSnapshot) -> String {
        let parts = parse_template(&self.customer_reference_template).unwrap_or_default();
        let mut out = String::new();
        for p in parts {
            match p {
                TemplatePart::Literal(s) => out.push_str(&s),
                TemplatePart::OrderId => out.push_str(&order.id.to_string()),
                TemplatePart::CustomOrderNumber => out.push_str(order.custom_order_number.trim()),
                TemplatePart::OrderGuid => {
                    out.push_str(&order.order_guid.trim().to_ascii_lowercase())
                }
            }
        }
        out
    }

    /// The payment mapping for a nopCommerce payment method (exact name first, then ignoring
    /// case), else the default, else `None`.
    pub fn payment_mapping(&self, system_name: &str) -> Option<PaymentMapping> {
        let name = system_name.trim();
        self.payment_methods
            .get(name)
            .or_else(|| {
                self.payment_methods
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .copied()
            .or(self.default_payment_method)
    }

    /// The KashFlow product code for a SKU.
    pub fn product_code(&self, sku: &str) -> String {
        self.product_codes
            .get(sku)
            .cloned()
            .unwrap_or_else(|| sku.to_string())
    }
}
