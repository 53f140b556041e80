//! The sandbox account's starting data: a small UK shop's KashFlow set-up, exactly as fixed in the
//! project contracts ("Sandbox seed"). Public so the demo, the mapping defaults and tests reuse the
//! same figures instead of copying them.

use rust_decimal::Decimal;

use crate::kashflow::model::{BankAccount, Currency, Nominal, PaymentMethod, Product, VatRate};

/// Default sandbox login (each settable in `SandboxConfig`).
pub const USERNAME: &str = "sandbox";
pub const PASSWORD: &str = "sandbox-password";
pub const MEMORABLE_WORD: &str = "kashflow";

pub const COMPANY_NAME: &str = "Sandbox Trading Ltd";
pub const HOME_CURRENCY: &str = "GBP";

/// The nominal all seeded products hang off.
pub const SALES_NOMINAL: i64 = 4000;

fn dec(s: &str) -> Decimal {
    s.parse().expect("seed decimals are valid")
}

/// VAT rates 20, 5, 0 with ids 1, 2, 3.
pub fn vat_rates() -> Vec<VatRate> {
    [(1, "20"), (2, "5"), (3, "0")]
        .into_iter()
        .map(|(id, rate)| VatRate {
            vat_id: id,
            vat_rate: dec(rate),
            vat_text: format!("{rate}%"),
        })
        .collect()
}

/// GBP (home), EUR at 1.15 per GBP, USD at 1.27 per GBP.
pub fn currencies() -> Vec<Currency> {
    [
        (1, "GBP", "British Pounds", "£", "1.0000", true),
        (2, "EUR", "Euro", "€", "1.1500", false),
        (3, "USD", "US Dollars", "$", "1.2700", false),
    ]
    .into_iter()
    .map(|(id, code, name, symbol, rate, home)| Currency {
        id: Some(id),
        code: code.into(),
        name: name.into(),
        symbol: symbol.into(),
        exchange_rate: dec(rate),
        display_symbol_on_right: false,
        is_default: home,
    })
    .collect()
}

/// The bank account gift cards are paid from (a clearing account for the voucher liability).
pub const GIFT_CARD_BANK_ACCOUNT_ID: i64 = 3;
/// The invoice payment method "Gift card".
pub const GIFT_CARD_METHOD_ID: i64 = 6;

/// Id 1 Code 1200 "Current Account" (default); Id 2 Code 1210 "Card Receipts"; Id 3 Code 1230
/// "Gift Card Clearing".
pub fn bank_accounts() -> Vec<BankAccount> {
    vec![
        BankAccount {
            id: 1,
            code: 1200,
            account_name: "Current Account".into(),
            is_default_account: true,
            is_archived: false,
            bank_balance: Some(Decimal::ZERO),
        },
        BankAccount {
            id: 2,
            code: 1210,
            account_name: "Card Receipts".into(),
            is_default_account: false,
            is_archived: false,
            bank_balance: Some(Decimal::ZERO),
        },
        BankAccount {
            id: GIFT_CARD_BANK_ACCOUNT_ID,
            code: 1230,
            account_name: "Gift Card Clearing".into(),
            is_default_account: false,
            is_archived: false,
            bank_balance: Some(Decimal::ZERO),
        },
    ]
}

/// Invoice payment methods 1 Cash, 2 Cheque, 3 BACS, 4 Credit/Debit Card, 5 PayPal, 6 Gift card.
pub fn payment_methods() -> Vec<PaymentMethod> {
    [
        "Cash",
        "Cheque",
        "BACS",
        "Credit/Debit Card",
        "PayPal",
        "Gift card",
    ]
    .into_iter()
    .enumerate()
    .map(|(i, name)| PaymentMethod {
        id: i as i64 + 1,
        name: name.into(),
    })
    .collect()
}

/// Sales, delivery, discount, fee, gift-card, reward-point and rounding nominals, plus the two
/// bank nominals.
pub fn nominals() -> Vec<Nominal> {
    let rows: [(i64, &str, i64, &str, bool); 11] = [
        (1200, "Current Account", 3, "Current Assets", false),
        (1210, "Card Receipts", 3, "Current Assets", false),
        (1230, "Gift Card Clearing", 3, "Current Assets", false),
        (2300, "Gift Card Liability", 0, "Current Liabilities", false),
        (4000, "Sales", 1, "Turnover", true),
        (4100, "Sales - EU", 1, "Turnover", false),
        (4900, "Carriage / Delivery Charges", 1, "Turnover", false),
        (4905, "Discounts Allowed", 1, "Turnover", false),
        (4910, "Payment Fees Charged", 1, "Turnover", false),
        (4930, "Reward Points Discount", 1, "Turnover", false),
        (4999, "Rounding", 1, "Turnover", false),
    ];
    rows.into_iter()
        .enumerate()
        .map(|(i, (code, name, nom_type, class, is_product))| Nominal {
            id: Some(i as i64 + 1),
            code,
            name: name.into(),
            nom_type,
            classification: Some(class.into()),
            archived: false,
            is_product,
        })
        .collect()
}

/// The twelve products of the contract, all under nominal 4000. `Price` is net GBP.
pub fn products() -> Vec<Product> {
    let rows: [(&str, &str, &str, &str, Option<i64>); 12] = [
        ("MUG-CLASSIC", "Classic Mug", "8.33", "20", Some(120)),
        ("TEE-ORG-M", "Organic T-Shirt (M)", "16.66", "20", Some(50)),
        ("TEE-ORG-L", "Organic T-Shirt (L)", "16.66", "20", Some(40)),
        ("HOODIE-NAVY-L", "Navy Hoodie (L)", "29.17", "20", Some(25)),
        (
            "SUNGLASSES",
            "Polarised Sunglasses",
            "41.67",
            "20",
            Some(15),
        ),
        (
            "BOOK-UK-COOK",
            "The British Cookbook",
            "18.00",
            "0",
            Some(30),
        ),
        (
            "COFFEE-BEANS-1KG",
            "Coffee Beans 1kg",
            "21.50",
            "0",
            Some(200),
        ),
        ("TEA-TIN", "Loose Leaf Tea Tin", "7.50", "0", Some(80)),
        ("CHILD-CAR-SEAT", "Child Car Seat", "95.24", "5", Some(10)),
        ("ENERGY-BULB", "Energy Saving Bulb", "3.81", "5", Some(500)),
        ("GIFT-WRAP", "Gift Wrapping", "2.50", "20", None),
        ("EBOOK-GUIDE", "Gardening eBook", "6.66", "20", None),
    ];
    let sales_nominal_id = nominals()
        .iter()
        .find(|n| n.code == SALES_NOMINAL)
        .and_then(|n| n.id);
    rows.into_iter()
        .enumerate()
        .map(|(i, (code, name, price, vat, stock))| Product {
            id: Some(i as i64 + 1),
            code: code.into(),
            nominal_code: SALES_NOMINAL,
            nominal_id: sales_nominal_id,
            name: name.into(),
            description: Some(name.into()),
            auto_fill_line_item: true,
            price: dec(price),
            whole_sale_price: dec(price),
            vat_rate: dec(vat),
            manage_stock_level: stock.is_some(),
            quantity_in_stock: Decimal::from(stock.unwrap_or(0)),
            stock_warning_quantity: Decimal::from(if stock.is_some() { 5 } else { 0 }),
            is_default: false,
            in_use: true,
        })
        .collect()
}

/// One seeded product by code.
pub fn product(code: &str) -> Option<Product> {
    products().into_iter().find(|p| p.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_matches_the_contract() {
        assert_eq!(vat_rates().len(), 3);
        assert_eq!(products().len(), 12);
        let seat = product("CHILD-CAR-SEAT").unwrap();
        assert_eq!(seat.price, dec("95.24"));
        assert_eq!(seat.vat_rate, dec("5"));
        assert_eq!(seat.quantity_in_stock, Decimal::from(10));
        assert!(!product("GIFT-WRAP").unwrap().manage_stock_level);
        let eur = currencies().into_iter().find(|c| c.code == "EUR").unwrap();
        assert_eq!(eur.exchange_rate, dec("1.15"));
        assert_eq!(payment_methods()[3].name, "Credit/Debit Card");
        assert!(bank_accounts()[0].is_default_account);
        for code in [1200, 1210, 2300, 4000, 4100, 4900, 4905, 4910, 4930, 4999] {
            assert!(nominals().iter().any(|n| n.code == code), "{code}");
        }
    }
}
