//! KashFlow's SOAP types (WSDL field order) ↔ the crate's KashFlow model, for the client and the
//! sandbox alike: `Customer`, `Invoice` with `anyType xsi:type="InvoiceLine"` lines, `Payment`,
//! and the lookups (`BankAccount`, `Currencies`, `NominalCode`, `SubProduct`, `PaymentMethod`).
//!
//! Where the SOAP type carries an id and the model a code (a line's `ChargeType` is the nominal's
//! id, `ProductID` the sub-product's id, an invoice's `CustomerID`), the caller passes the
//! [`Lookups`] to translate. Amounts are written as rust_decimal's plain form; a line's `Rate` at
//! most at [`SoapAssumptions::rate_decimals`] places.

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::assumptions::{SoapAssumptions, CREDIT_ALLOCATION_METHOD};
use super::envelope::{Node, XmlOut};
use crate::kashflow::limits;
use crate::kashflow::model::{
    Address, BankAccount, Contact, Currency, Customer, Invoice, InvoiceCurrency, LineItem,
    PaymentLine, PaymentMethod, Product,
};
use crate::kashflow::wire::KfDateTime;
use crate::money::money2;

/// "No date" in KashFlow's SOAP types.
pub const NO_DATE: &str = "0001-01-01T00:00:00";

/// Ids KashFlow's SOAP types use where the model carries codes.
#[derive(Debug, Default, Clone)]
pub struct Lookups {
    /// nominal id → nominal code, and back
    pub nominal_code: HashMap<i64, i64>,
    pub nominal_id: HashMap<i64, i64>,
    /// sub-product id → (code, nominal code); product code (upper case) → id
    pub product_code: HashMap<i64, (String, i64)>,
    pub product_id: HashMap<String, i64>,
    /// currency code (upper case) → CurrencyId, and back
    pub currency_id: HashMap<String, i64>,
    pub currency_code: HashMap<i64, String>,
}

pub fn date_text(d: Option<&KfDateTime>) -> String {
    d.map(|d| d.0.format("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_else(|| NO_DATE.to_string())
}

pub fn read_date(n: &Node, name: &str) -> Option<KfDateTime> {
    n.text_of(name)
        .filter(|t| !t.is_empty() && !t.starts_with("0001-01-01"))
        .and_then(|t| KfDateTime::parse(t).ok())
}

pub fn int(n: &Node, name: &str) -> i64 {
    n.text_of(name)
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or_default()
}

pub fn dec(n: &Node, name: &str) -> Decimal {
    n.text_of(name)
        .and_then(|t| Decimal::from_str(t).ok())
        .unwrap_or_default()
}

pub fn text(n: &Node, name: &str) -> Option<String> {
    n.text_of(name)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn boolean(n: &Node, name: &str) -> bool {
    n.text_of(name)
        .is_some_and(|t| t == "1" || t.eq_ignore_ascii_case("true"))
}

fn flag(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

/// A plain decimal (no exponent, trailing zeros dropped).
pub fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

// ----- customers ---------------------------------------------------------------------------

/// `<custr>`'s content: a customer in WSDL order. `id` is KashFlow's `CustomerID` (0 to insert).
pub fn write_customer(x: &mut XmlOut, c: &Customer, id: i64, lookups: &Lookups) {
    let contact = c.contacts.first().cloned().unwrap_or_default();
    let address = c.addresses.first().cloned().unwrap_or_default();
    let delivery = c.delivery_addresses.first();
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let email = c.email.clone().or_else(|| contact.email.clone());
    x.val("CustomerID", id)
        .leaf("Code", &c.code)
        .leaf("Name", &c.name)
        .leaf("Contact", &s(&contact.name))
        .leaf(
            "Telephone",
            &s(&c.telephone_number.clone().or(contact.telephone.clone())),
        )
        .leaf(
            "Mobile",
            &s(&c.mobile_number.clone().or(contact.mobile.clone())),
        )
        .leaf("Fax", &s(&c.fax_number))
        .leaf("Email", &s(&email))
        .leaf("Address1", &s(&address.line1))
        .leaf("Address2", &s(&address.line2))
        .leaf("Address3", &s(&address.line3))
        .leaf("Address4", &s(&address.line4))
        .leaf("CountryName", &s(&address.country_name))
        .leaf("CountryCode", &s(&address.country_code))
        .leaf("Postcode", &s(&address.post_code))
        .leaf("Website", &s(&c.website))
        .leaf("EC", flag(c.is_registered_in_ec))
        .leaf("OutsideEC", flag(c.is_registered_outside_ec))
        .leaf("Notes", &s(&c.note))
        .leaf("Source", "0")
        .val("Discount", num(c.discount_rate.unwrap_or_default()))
        .leaf("ShowDiscount", "false")
        .val(
            "PaymentTerms",
            c.payment_terms.as_ref().map(|t| t.days).unwrap_or_default(),
        );
    for i in 1..=20 {
        x.leaf(&format!("CheckBox{i}"), "0");
    }
    let currency = c
        .currency
        .as_ref()
        .and_then(|cur| lookups.currency_id.get(&cur.code.to_ascii_uppercase()))
        .copied()
        .unwrap_or_default();
    x.leaf("Created", NO_DATE)
        .leaf("Updated", NO_DATE)
        .val("CurrencyID", currency)
        .leaf("ContactTitle", &s(&contact.title))
        .leaf("ContactFirstName", &s(&contact.first_name))
        .leaf("ContactLastName", &s(&contact.last_name))
        .leaf("CustHasDeliveryAddress", flag(delivery.is_some()));
    let d = delivery.cloned().unwrap_or_default();
    x.leaf("DeliveryAddress1", &s(&d.line1))
        .leaf("DeliveryAddress2", &s(&d.line2))
        .leaf("DeliveryAddress3", &s(&d.line3))
        .leaf("DeliveryAddress4", &s(&d.line4))
        .leaf("DeliveryCountryName", &s(&d.country_name))
        .leaf("DeliveryCountryCode", &s(&d.country_code))
        .leaf("DeliveryPostcode", &s(&d.post_code))
        .leaf("VATNumber", &s(&c.vat_number));
}

/// A SOAP `Customer` as the model's customer.
pub fn read_customer(n: &Node, lookups: &Lookups) -> Customer {
    let address = Address {
        line1: text(n, "Address1"),
        line2: text(n, "Address2"),
        line3: text(n, "Address3"),
        line4: text(n, "Address4"),
        post_code: text(n, "Postcode"),
        country_code: text(n, "CountryCode"),
        country_name: text(n, "CountryName"),
    };
    let delivery = Address {
        line1: text(n, "DeliveryAddress1"),
        line2: text(n, "DeliveryAddress2"),
        line3: text(n, "DeliveryAddress3"),
        line4: text(n, "DeliveryAddress4"),
        post_code: text(n, "DeliveryPostcode"),
        country_code: text(n, "DeliveryCountryCode"),
        country_name: text(n, "DeliveryCountryName"),
    };
    let contact = Contact {
        title: text(n, "ContactTitle"),
        name: text(n, "Contact"),
        first_name: text(n, "ContactFirstName"),
        last_name: text(n, "ContactLastName"),
        email: text(n, "Email"),
        telephone: text(n, "Telephone"),
        mobile: text(n, "Mobile"),
        ..Contact::default()
    };
    let has_contact = contact != Contact::default();
    let currency_id = int(n, "CurrencyID");
    Customer {
        id: Some(int(n, "CustomerID")).filter(|i| *i > 0),
        code: text(n, "Code").unwrap_or_default(),
        name: text(n, "Name").unwrap_or_default(),
        email: text(n, "Email"),
        telephone_number: text(n, "Telephone"),
        mobile_number: text(n, "Mobile"),
        fax_number: text(n, "Fax"),
        website: text(n, "Website"),
        contacts: if has_contact {
            vec![contact]
        } else {
            Vec::new()
        },
        addresses: if address == Address::default() {
            Vec::new()
        } else {
            vec![address]
        },
        delivery_addresses: if int(n, "CustHasDeliveryAddress") == 1
            && delivery != Address::default()
        {
            vec![delivery]
        } else {
            Vec::new()
        },
        vat_number: text(n, "VATNumber"),
        is_registered_in_ec: boolean(n, "EC"),
        is_registered_outside_ec: boolean(n, "OutsideEC"),
        note: text(n, "Notes"),
        currency: lookups.currency_code.get(&currency_id).map(|code| {
            crate::kashflow::model::CustomerCurrency {
                code: code.clone(),
                ..Default::default()
            }
        }),
        payment_terms: Some(int(n, "PaymentTerms")).filter(|d| *d > 0).map(|days| {
            crate::kashflow::model::PaymentTerms {
                days,
                kind: String::new(),
            }
        }),
        ..Customer::default()
    }
}

// ----- invoices ----------------------------------------------------------------------------

/// A line as KashFlow's SOAP API will keep it: the rate at most at `rate_decimals` places. A
/// rate with more places is sent as the same quantity at the rate rounded to those places (so a
/// product's stock still moves by the quantity), plus a "rounding" line without a product for the
/// pennies that leaves, so the net is exactly the line's; the VAT is shared so each line's VAT
/// matches its own net (KashFlow checks that within a penny), and still adds up to the line's.
pub fn lines_for_soap(line: &LineItem, a: &SoapAssumptions) -> Vec<LineItem> {
    let rate = line.rate.normalize();
    if rate.scale() <= a.rate_decimals {
        return vec![line.clone()];
    }
    let net = money2(line.quantity * line.rate);
    let rounded = line.rate.round_dp_with_strategy(
        a.rate_decimals,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    let main_net = money2(line.quantity * rounded);
    let rest = net - main_net;
    if rest.is_zero() {
        return vec![LineItem {
            rate: rounded,
            ..line.clone()
        }];
    }
    let rest_vat = if line.vat_exempt {
        Decimal::ZERO
    } else {
        money2(rest * line.vat_level / Decimal::ONE_HUNDRED)
    };
    let mut description = format!("Rounding: {}", line.description);
    if description.chars().count() > limits::LINE_DESCRIPTION {
        description = "Rounding".into();
    }
    vec![
        LineItem {
            rate: rounded,
            vat_amount: line.vat_amount - rest_vat,
            ..line.clone()
        },
        LineItem {
            description,
            quantity: Decimal::ONE,
            rate: rest,
            vat_amount: rest_vat,
            product_code: None,
            product_name: None,
            ..line.clone()
        },
    ]
}

/// Translation failures while writing: a code this client has no KashFlow id for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// (line, nominal code)
    UnknownNominal(usize, i64),
    /// (line, product code)
    UnknownProduct(usize, String),
}

impl WireError {
    /// The code REST answers for the same refusal, so the stage reads both transports alike.
    pub fn kashflow_code(&self) -> &'static str {
        match self {
            WireError::UnknownNominal(..) => "InvalidNominalCode",
            WireError::UnknownProduct(..) => "InvalidProductCode",
        }
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::UnknownNominal(line, code) => write!(
                f,
                "line {line}: nominal code {code} is not in KashFlow's nominal codes"
            ),
            WireError::UnknownProduct(line, code) => write!(
                f,
                "line {line}: product code '{}' is not a KashFlow product",
                crate::mapping::text::quote(code)
            ),
        }
    }
}

/// `<Inv>`'s content. `number` is the `InvoiceNumber` to send (0: KashFlow numbers it).
pub fn write_invoice(
    x: &mut XmlOut,
    inv: &Invoice,
    number: i64,
    customer_id: i64,
    lookups: &Lookups,
    a: &SoapAssumptions,
) -> Result<(), WireError> {
    let currency = inv.currency.clone().unwrap_or_default();
    let rate = if currency.exchange_rate.is_zero() {
        Decimal::ONE
    } else {
        currency.exchange_rate
    };
    x.val("InvoiceDBID", 0)
        .val("InvoiceNumber", number)
        .leaf("InvoiceDate", &date_text(inv.issued_date.as_ref()))
        .leaf("DueDate", &date_text(inv.due_date.as_ref()))
        .leaf("Customer", inv.customer_name.as_deref().unwrap_or_default())
        .val("CustomerID", customer_id)
        .leaf("Paid", "0")
        .leaf(
            "CustomerReference",
            inv.customer_reference.as_deref().unwrap_or_default(),
        )
        .leaf("EstimateCategory", "")
        .leaf("SuppressTotal", "0")
        .leaf("ProjectID", "0")
        .leaf("CurrencyCode", &currency.code)
        .val("ExchangeRate", num(rate))
        .leaf("ReadableString", "");
    let mut lines = Vec::new();
    let sent: Vec<LineItem> = inv
        .line_items
        .as_deref()
        .unwrap_or_default()
        .iter()
        .flat_map(|l| lines_for_soap(l, a))
        .collect();
    for (i, l) in sent.into_iter().enumerate() {
        let charge = *lookups
            .nominal_id
            .get(&l.nominal_code)
            .ok_or(WireError::UnknownNominal(i + 1, l.nominal_code))?;
        let product = match l.product_code.as_deref().filter(|p| !p.trim().is_empty()) {
            None => 0,
            Some(code) => *lookups
                .product_id
                .get(&code.trim().to_ascii_uppercase())
                .ok_or_else(|| WireError::UnknownProduct(i + 1, code.to_string()))?,
        };
        lines.push((l, charge, product, i + 1));
    }
    x.start("Lines");
    for (l, charge, product, sort) in &lines {
        x.start_attrs("anyType", &[("xsi:type", "InvoiceLine")]);
        let vat_rate = if l.vat_exempt {
            "-1".to_string()
        } else {
            num(l.vat_level)
        };
        x.val("Quantity", num(l.quantity))
            .leaf("Description", &l.description)
            .val("Rate", num(l.rate))
            .val("ChargeType", charge)
            .leaf("VatRate", &vat_rate)
            .val("VatAmount", num(l.vat_amount))
            .val("ProductID", product)
            .val("Sort", sort)
            // A flow's Invoice step may file the lines under a project (guess: `ProjID` takes
            // the project number, as REST's `ProjectNumber`).
            .val("ProjID", l.project_number)
            .leaf("LineID", "0")
            .leaf("ValuesInCurrency", "1");
        x.end("anyType");
    }
    x.end("Lines");
    x.leaf("NetAmount", "0")
        .leaf("VATAmount", "0")
        .leaf("AmountPaid", "0")
        .leaf(
            "CustomerName",
            inv.customer_name.as_deref().unwrap_or_default(),
        )
        .leaf("PermaLink", "")
        .leaf("UseCustomDeliveryAddress", "false")
        .nil("CISRCNetAmount")
        .nil("CISRCVatAmount")
        .nil("IsCISReverseCharge");
    Ok(())
}

/// A SOAP `InvoiceLine` as the model's line.
pub fn read_line(n: &Node, lookups: &Lookups) -> LineItem {
    let vat = dec(n, "VatRate");
    let exempt = vat == Decimal::NEGATIVE_ONE;
    let product = lookups.product_code.get(&int(n, "ProductID"));
    LineItem {
        number: int(n, "Sort"),
        description: text(n, "Description").unwrap_or_default(),
        quantity: dec(n, "Quantity"),
        rate: dec(n, "Rate"),
        vat_level: if exempt { Decimal::ZERO } else { vat },
        vat_amount: dec(n, "VatAmount"),
        vat_exempt: exempt,
        nominal_code: lookups
            .nominal_code
            .get(&int(n, "ChargeType"))
            .copied()
            .unwrap_or_default(),
        product_code: product.map(|(c, _)| c.clone()),
        product_name: None,
        project_number: int(n, "ProjID"),
    }
}

/// A SOAP `Invoice` as the model's invoice (payment lines come from `GetInvoicePayment`;
/// `customer_code` from the caller, as the SOAP invoice carries only the `CustomerID`).
pub fn read_invoice(n: &Node, lookups: &Lookups, customer_code: String) -> Invoice {
    let lines: Vec<LineItem> = n
        .child("Lines")
        .map(|l| l.children.iter().map(|c| read_line(c, lookups)).collect())
        .unwrap_or_default();
    let net = dec(n, "NetAmount");
    let vat = dec(n, "VATAmount");
    let gross = net + vat;
    let paid = dec(n, "AmountPaid");
    let due = gross - paid;
    Invoice {
        id: Some(int(n, "InvoiceDBID")).filter(|i| *i > 0),
        number: Some(int(n, "InvoiceNumber")).filter(|i| *i > 0),
        customer_code,
        customer_name: text(n, "CustomerName").or_else(|| text(n, "Customer")),
        customer_reference: text(n, "CustomerReference"),
        issued_date: read_date(n, "InvoiceDate"),
        due_date: read_date(n, "DueDate"),
        currency: text(n, "CurrencyCode").map(|code| InvoiceCurrency {
            code,
            exchange_rate: dec(n, "ExchangeRate"),
            ..InvoiceCurrency::default()
        }),
        line_items: Some(lines),
        payment_lines: None,
        net_amount: Some(net),
        vat_amount: Some(vat),
        gross_amount: Some(gross),
        total_paid_amount: Some(paid),
        due_amount: Some(due),
        status: Some(
            if gross > Decimal::ZERO && due <= Decimal::ZERO
                || gross < Decimal::ZERO && due >= Decimal::ZERO
            {
                "Paid".into()
            } else {
                "Outstanding".into()
            },
        ),
        customer_id: Some(int(n, "CustomerID")).filter(|i| *i > 0),
        doc_type: Some(
            if gross < Decimal::ZERO {
                "CreditNote"
            } else {
                "Invoice"
            }
            .into(),
        ),
        ..Invoice::default()
    }
}

// ----- payments ----------------------------------------------------------------------------

/// `<InvoicePayment>`'s content.
pub fn write_payment(x: &mut XmlOut, p: &PaymentLine, invoice_number: i64) {
    x.leaf("PayID", "0")
        .val("PayInvoice", invoice_number)
        .leaf("PayDate", &date_text(p.date.as_ref()))
        .leaf("PayNote", p.note.as_deref().unwrap_or_default())
        .val("PayMethod", p.method)
        .val("PayAccount", p.account_id)
        .val("PayAmount", num(p.amount));
}

/// A SOAP `Payment` as a payment line (`PayMethod` 0: an applied credit note).
pub fn read_payment(n: &Node) -> PaymentLine {
    let method = int(n, "PayMethod");
    PaymentLine {
        id: Some(int(n, "PayID")).filter(|i| *i > 0),
        date: read_date(n, "PayDate"),
        amount: dec(n, "PayAmount"),
        method,
        account_id: int(n, "PayAccount"),
        note: text(n, "PayNote"),
        invoice_number: Some(int(n, "PayInvoice")).filter(|i| *i > 0),
        is_payment_credit_note: Some(method == CREDIT_ALLOCATION_METHOD),
        ..PaymentLine::default()
    }
}

/// What the sandbox lists for a payment line.
pub fn write_payment_line(x: &mut XmlOut, p: &PaymentLine, invoice_number: i64) {
    let allocation = p.is_payment_credit_note == Some(true);
    let note = if allocation {
        p.note
            .clone()
            .or_else(|| p.reference.clone().map(|r| format!("Credit note {r}")))
    } else {
        p.note.clone()
    };
    x.val("PayID", p.id.unwrap_or_default())
        .val("PayInvoice", invoice_number)
        .leaf("PayDate", &date_text(p.date.as_ref()))
        .leaf("PayNote", note.as_deref().unwrap_or_default())
        .val(
            "PayMethod",
            if allocation {
                CREDIT_ALLOCATION_METHOD
            } else {
                p.method
            },
        )
        .val("PayAccount", p.account_id)
        .val("PayAmount", num(p.amount));
}

// ----- lookups -----------------------------------------------------------------------------

pub fn read_bank_account(n: &Node) -> BankAccount {
    BankAccount {
        id: int(n, "AccountID"),
        code: int(n, "AccountCode"),
        account_name: text(n, "AccountName").unwrap_or_default(),
        ..BankAccount::default()
    }
}

pub fn read_currency(n: &Node) -> Currency {
    Currency {
        id: Some(int(n, "CurrencyId")),
        code: text(n, "CurrencyCode").unwrap_or_default(),
        exchange_rate: dec(n, "ExchangeRate"),
        is_default: boolean(n, "isDefault"),
        ..Currency::default()
    }
}

pub fn read_payment_method(n: &Node) -> PaymentMethod {
    PaymentMethod {
        id: int(n, "MethodID"),
        name: text(n, "MethodName").unwrap_or_default(),
    }
}

/// A `SubProduct` as a product (`nominal_code` from its `ParentID`).
pub fn read_sub_product(n: &Node, lookups: &Lookups) -> Product {
    Product {
        id: Some(int(n, "id")),
        code: text(n, "Code").unwrap_or_default(),
        nominal_id: Some(int(n, "ParentID")),
        nominal_code: lookups
            .nominal_code
            .get(&int(n, "ParentID"))
            .copied()
            .unwrap_or_default(),
        name: text(n, "Name").unwrap_or_default(),
        description: text(n, "Description"),
        price: dec(n, "Price"),
        whole_sale_price: dec(n, "WholesalePrice"),
        vat_rate: dec(n, "VatRate"),
        manage_stock_level: boolean(n, "Managed"),
        quantity_in_stock: dec(n, "QtyInStock"),
        stock_warning_quantity: dec(n, "StockWarnQty"),
        auto_fill_line_item: boolean(n, "AutoFill"),
        ..Product::default()
    }
}

/// The sandbox's `SubProduct`.
pub fn write_sub_product(x: &mut XmlOut, p: &Product, nominal_id: i64) {
    x.val("id", p.id.unwrap_or_default())
        .val("ParentID", nominal_id)
        .leaf("Name", &p.name)
        .leaf("Code", &p.code)
        .leaf("Description", p.description.as_deref().unwrap_or_default())
        .val("Price", num(p.price))
        .val("VatRate", num(p.vat_rate))
        .val("WholesalePrice", num(p.whole_sale_price))
        .leaf("Managed", flag(p.manage_stock_level))
        .val("QtyInStock", num(p.quantity_in_stock))
        .val("StockWarnQty", num(p.stock_warning_quantity))
        .leaf("AutoFill", flag(p.auto_fill_line_item));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kashflow::soap::envelope;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rates_beyond_the_kept_places_keep_the_quantity_and_the_exact_net() {
        let a = SoapAssumptions::default();
        let l = LineItem {
            description: "Widget".into(),
            quantity: d("3"),
            rate: d("8.3333"),
            vat_level: d("20"),
            vat_amount: d("5.00"),
            nominal_code: 4000,
            product_code: Some("W-1".into()),
            ..LineItem::default()
        };
        let s = lines_for_soap(&l, &a);
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].quantity, s[0].rate, s[0].product_code.as_deref()),
            (d("3"), d("8.33"), Some("W-1"))
        );
        assert_eq!(
            (s[1].quantity, s[1].rate, s[1].product_code.as_deref()),
            (d("1"), d("0.01"), None)
        );
        let net: Decimal = s.iter().map(|x| money2(x.quantity * x.rate)).sum();
        let vat: Decimal = s.iter().map(|x| x.vat_amount).sum();
        assert_eq!((net, vat), (d("25.00"), d("5.00")));
        let four = SoapAssumptions {
            rate_decimals: 4,
            ..a
        };
        assert_eq!(lines_for_soap(&l, &four), vec![l.clone()]);
        let exact = LineItem {
            rate: d("8.30"),
            ..l.clone()
        };
        assert_eq!(lines_for_soap(&exact, &a), vec![exact.clone()]);
        // Rounding that leaves nothing over: one line at the rounded rate.
        let even = LineItem {
            quantity: d("1"),
            rate: d("8.3333"),
            vat_amount: d("1.67"),
            ..l
        };
        assert_eq!(lines_for_soap(&even, &a).len(), 1);
    }

    #[test]
    fn an_invoice_round_trips_through_the_soap_types() {
        let mut lk = Lookups::default();
        lk.nominal_id.insert(4000, 11);
        lk.nominal_code.insert(11, 4000);
        lk.product_id.insert("W-1".into(), 77);
        lk.product_code.insert(77, ("W-1".into(), 4000));
        let inv = Invoice {
            customer_code: "NOP1".into(),
            customer_reference: Some("nop-1001 & <co>".into()),
            issued_date: Some(KfDateTime::from_date(
                chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
            )),
            currency: Some(InvoiceCurrency {
                code: "GBP".into(),
                exchange_rate: d("1"),
                ..Default::default()
            }),
            line_items: Some(vec![
                LineItem {
                    description: "Blue widget".into(),
                    quantity: d("2"),
                    rate: d("10.00"),
                    vat_level: d("20"),
                    vat_amount: d("4.00"),
                    nominal_code: 4000,
                    product_code: Some("w-1".into()),
                    ..LineItem::default()
                },
                LineItem {
                    description: "Exempt".into(),
                    quantity: d("1"),
                    rate: d("3"),
                    vat_exempt: true,
                    nominal_code: 4000,
                    ..LineItem::default()
                },
            ]),
            ..Invoice::default()
        };
        let body = envelope::request("InsertInvoice", "u", "p", |x| {
            x.start("Inv");
            write_invoice(x, &inv, 0, 5, &lk, &SoapAssumptions::default()).unwrap();
            x.end("Inv");
        });
        let root = envelope::parse(&body).unwrap();
        let op = envelope::body_element(&root).unwrap();
        let n = op.child("Inv").unwrap();
        assert_eq!(
            n.child("Lines").unwrap().children[0].attr("type"),
            Some("InvoiceLine")
        );
        let back = read_invoice(n, &lk, "NOP1".into());
        assert_eq!(back.customer_reference, inv.customer_reference);
        assert_eq!(back.issued_date, inv.issued_date);
        let lines = back.line_items.unwrap();
        assert_eq!(lines[0].product_code.as_deref(), Some("W-1"));
        assert_eq!((lines[0].nominal_code, lines[0].vat_amount), (4000, d("4")));
        assert!(lines[1].vat_exempt);
        let unknown = Invoice {
            line_items: Some(vec![LineItem {
                nominal_code: 9999,
                ..LineItem::default()
            }]),
            ..inv
        };
        let mut x_err = None;
        envelope::request("InsertInvoice", "u", "p", |x| {
            x_err = write_invoice(x, &unknown, 0, 5, &lk, &SoapAssumptions::default()).err();
        });
        assert_eq!(x_err, Some(WireError::UnknownNominal(1, 9999)));
    }
}
