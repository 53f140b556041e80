//! Would the KashFlow account take this invoice? A preview is "valid" only when every product code,
//! nominal code, VAT rate, currency, payment method and bank account it names exists in the
//! account's lookups ([`KashFlowCatalogue`]); otherwise each missing one is a problem naming the
//! invoice field and what to do in KashFlow, so the admin finds out before the first order
//! dead-letters, not after.
//!
//! KashFlow's own refusal of an unknown product code on an invoice line is inferred (the sandbox
//! refuses it, `InvalidProductCode`); the others are documented or seen in clients.

use rust_decimal::Decimal;
use serde::Serialize;

use super::preview::Preview;
use super::suggest::KashFlowCatalogue;

/// One thing the invoice names that the account does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountProblem {
    /// `UnknownProduct`, `UnknownNominal`, `UnknownVatRate`, `UnknownCurrency`,
    /// `UnknownPaymentMethod` or `UnknownBankAccount`.
    pub code: &'static str,
    /// The field of the preview at fault (`KashFlowInvoice.LineItems[1].ProductCode`).
    pub path: String,
    pub message: String,
}

/// Every problem, in the invoice's order (lines, currency, payments).
pub fn check_against_account(
    preview: &Preview,
    account: &KashFlowCatalogue,
) -> Vec<AccountProblem> {
    let mut problems = Vec::new();
    let lines = preview
        .kashflow_invoice
        .line_items
        .as_deref()
        .unwrap_or_default();
    for (i, line) in lines.iter().enumerate() {
        let at = |field: &str| format!("KashFlowInvoice.LineItems[{i}].{field}");
        if let Some(code) = line.product_code.as_deref().filter(|c| !c.is_empty()) {
            if !account.products.iter().any(|p| p.code == code) {
                problems.push(AccountProblem {
                    code: "UnknownProduct",
                    path: at("ProductCode"),
                    message: format!(
                        "KashFlow has no product coded '{code}': create it in KashFlow (or on the Products page), or map the SKU to an existing product"
                    ),
                });
            }
        }
        if !account.nominals.iter().any(|n| n.code == line.nominal_code) {
            problems.push(AccountProblem {
                code: "UnknownNominal",
                path: at("NominalCode"),
                message: format!(
                    "KashFlow has no nominal code {}: choose another in the mapping, or add it to the chart of accounts in KashFlow",
                    line.nominal_code
                ),
            });
        }
        if !line.vat_exempt && !has_rate(&account.vat_rates, line.vat_level) {
            problems.push(AccountProblem {
                code: "UnknownVatRate",
                path: at("VATLevel"),
                message: format!(
                    "KashFlow has no {}% VAT rate: add it in KashFlow → Settings → VAT",
                    line.vat_level.normalize()
                ),
            });
        }
    }
    let currency = &preview.canonical.currency.code;
    if !account
        .currencies
        .iter()
        .any(|c| c.eq_ignore_ascii_case(currency))
    {
        problems.push(AccountProblem {
            code: "UnknownCurrency",
            path: "Canonical.Currency.Code".into(),
            message: format!(
                "KashFlow does not have {currency}: add it in KashFlow → Settings → Currencies"
            ),
        });
    }
    for (i, p) in preview.canonical.payments.iter().enumerate() {
        let at = |field: &str| format!("Canonical.Payments[{i}].{field}");
        if !account.payment_methods.iter().any(|m| m.id == p.method_id) {
            problems.push(AccountProblem {
                code: "UnknownPaymentMethod",
                path: at("MethodId"),
                message: format!(
                    "KashFlow has no payment method with id {}: choose one on the Configure page",
                    p.method_id
                ),
            });
        }
        if !account
            .bank_accounts
            .iter()
            .any(|b| b.id == p.bank_account_id)
        {
            problems.push(AccountProblem {
                code: "UnknownBankAccount",
                path: at("BankAccountId"),
                message: format!(
                    "KashFlow has no bank account with id {}: choose one on the Configure page",
                    p.bank_account_id
                ),
            });
        }
    }
    problems
}

fn has_rate(rates: &[Decimal], rate: Decimal) -> bool {
    rates.iter().any(|r| r.normalize() == rate.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::rules::MappingRules;
    use crate::mapping::suggest::{KfBankAccount, KfNominal, KfProduct, Named};

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/fixtures/orders/{name}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The sandbox seed's account, which the default rules are written for.
    fn seed_account() -> KashFlowCatalogue {
        use crate::kashflow::sandbox::seed;
        KashFlowCatalogue {
            payment_methods: seed::payment_methods()
                .into_iter()
                .map(|m| Named {
                    id: m.id,
                    name: m.name,
                })
                .collect(),
            bank_accounts: seed::bank_accounts()
                .into_iter()
                .map(|b| KfBankAccount {
                    id: b.id,
                    name: b.account_name,
                    is_default: b.is_default_account,
                })
                .collect(),
            nominals: seed::nominals()
                .into_iter()
                .map(|n| KfNominal {
                    code: n.code,
                    name: n.name,
                })
                .collect(),
            vat_rates: ["0", "5", "20"]
                .iter()
                .map(|r| r.parse().unwrap())
                .collect(),
            currencies: vec!["GBP".into(), "EUR".into(), "USD".into()],
            products: seed::products()
                .into_iter()
                .map(|p| KfProduct {
                    code: p.code,
                    name: p.name,
                })
                .collect(),
        }
    }

    fn golden_fixtures() -> Vec<String> {
        let dir = format!("{}/fixtures/orders", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json") && !n.ends_with(".expected.json"))
            .map(|n| n.trim_end_matches(".json").to_string())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_invoice_naming_what_the_account_lacks_is_not_valid() {
        let rules = MappingRules::default();
        let mut checked = 0;
        for name in golden_fixtures() {
            let Ok(p) = crate::mapping::preview::preview(&fixture(&name), &rules) else {
                continue;
            };
            checked += 1;
            // A fully stocked account takes every fixture that maps.
            let mut full = seed_account();
            for line in p.kashflow_invoice.line_items.as_deref().unwrap_or_default() {
                if let Some(code) = &line.product_code {
                    full.products.push(KfProduct {
                        code: code.clone(),
                        name: code.clone(),
                    });
                }
            }
            assert_eq!(check_against_account(&p, &full), vec![], "{name}");

            // Take away what the invoice names, one kind at a time: each is found.
            let Some(line) = p
                .kashflow_invoice
                .line_items
                .as_deref()
                .unwrap_or_default()
                .iter()
                .position(|l| l.product_code.is_some())
            else {
                continue;
            };
            let code = p.kashflow_invoice.line_items.as_deref().unwrap()[line]
                .product_code
                .clone()
                .unwrap();
            let mut lacking = full.clone();
            lacking.products.retain(|p| p.code != code);
            let problems = check_against_account(&p, &lacking);
            assert!(
                problems.iter().any(|q| q.code == "UnknownProduct"
                    && q.path == format!("KashFlowInvoice.LineItems[{line}].ProductCode")
                    && q.message.contains(&code)),
                "{name}: {problems:?}"
            );
            let mut no_currency = full.clone();
            no_currency.currencies.clear();
            assert!(check_against_account(&p, &no_currency)
                .iter()
                .any(|q| q.code == "UnknownCurrency"));
            let mut no_nominals = full.clone();
            no_nominals.nominals.clear();
            assert!(check_against_account(&p, &no_nominals)
                .iter()
                .any(|q| q.code == "UnknownNominal"));
        }
        assert!(checked >= 10, "only {checked} fixtures mapped");
    }

    #[test]
    fn payments_name_methods_and_bank_accounts_the_account_has() {
        let rules = MappingRules::default();
        let p = golden_fixtures()
            .iter()
            .filter_map(|n| crate::mapping::preview::preview(&fixture(n), &rules).ok())
            .find(|p| !p.canonical.payments.is_empty())
            .expect("a paid fixture");
        let mut account = seed_account();
        account.payment_methods.clear();
        account.bank_accounts.clear();
        let codes: Vec<&str> = check_against_account(&p, &account)
            .iter()
            .map(|q| q.code)
            .collect();
        assert!(codes.contains(&"UnknownPaymentMethod") && codes.contains(&"UnknownBankAccount"));
    }
}
