//! Customer and product event documents from the host (flow triggers that are not about an
//! order): `CustomerChanged` (`"Registered": true` is a registration, the `CustomerRegistered`
//! trigger) and `ProductChanged`. Each becomes a job not tied to an order (`SyncCustomer`,
//! `SyncProduct`) when some enabled flow acts on its trigger; otherwise nothing is journaled.
//!
//! Read through [`super::document`] like the order events: every error names its field, `null`
//! is absent, unknown fields are ignored (the plugin may send more context).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::document::{self, fields::Amount, fields::PositiveId};
use super::error::EngineError;
use crate::order::OrderAddress;

/// The customer as the host sends it (`CustomerChanged.Customer`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerDocument {
    pub customer_id: i64,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub vat_number: Option<String>,
    pub billing_address: Option<OrderAddress>,
    /// Role system names (`Registered`, `Trade`, …).
    pub roles: Vec<String>,
}

/// The product as the host sends it (`ProductChanged.Product`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProductDocument {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    /// Product.Price, taken as the net selling price.
    pub price: Decimal,
    pub tax_category_name: Option<String>,
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CatalogueEvent {
    Customer {
        registered: bool,
        customer: Box<CustomerDocument>,
    },
    Product(ProductDocument),
}

impl CatalogueEvent {
    /// The kinds read here.
    pub const KINDS: &'static [&'static str] = &["CustomerChanged", "ProductChanged"];

    /// `None` when `v` is not one of [`Self::KINDS`] (an order event, read elsewhere).
    pub fn from_value(v: &Value) -> Option<Result<CatalogueEvent, EngineError>> {
        let kind = v.get("Kind").and_then(Value::as_str)?;
        match kind {
            "CustomerChanged" => Some(read::<CustomerChanged>(v).and_then(|d| {
                let email = d.customer.email.trim().to_string();
                if !crate::mapping::customer::is_valid_email(&email) {
                    return Err(EngineError::invalid_document(
                        format!(
                            "Customer.Email must be an e-mail address, found \"{}\"",
                            crate::mapping::text::quote(&email)
                        ),
                        Some("Customer.Email"),
                    ));
                }
                Ok(CatalogueEvent::Customer {
                    registered: d.registered,
                    customer: Box::new(CustomerDocument {
                        customer_id: d.customer.customer_id.0,
                        email,
                        first_name: d.customer.first_name,
                        last_name: d.customer.last_name,
                        company: d.customer.company,
                        vat_number: d.customer.vat_number,
                        billing_address: d.customer.billing_address,
                        roles: d.customer.roles,
                    }),
                })
            })),
            "ProductChanged" => Some(read::<ProductChanged>(v).and_then(|d| {
                let sku = d.product.sku.trim().to_string();
                if sku.is_empty() {
                    return Err(EngineError::invalid_document(
                        "Product.Sku is required (the KashFlow product code)",
                        Some("Product.Sku"),
                    ));
                }
                Ok(CatalogueEvent::Product(ProductDocument {
                    product_id: d.product.product_id.0,
                    sku,
                    name: d.product.name,
                    price: d.product.price.0,
                    tax_category_name: d.product.tax_category_name,
                    published: d.product.published,
                }))
            })),
            _ => None,
        }
    }

    /// The stored job payload.
    pub fn to_value(&self) -> Value {
        match self {
            CatalogueEvent::Customer {
                registered,
                customer,
            } => {
                serde_json::json!({"Kind": "CustomerChanged", "Registered": registered, "Customer": customer})
            }
            CatalogueEvent::Product(p) => {
                serde_json::json!({"Kind": "ProductChanged", "Product": p})
            }
        }
    }
}

fn read<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, EngineError> {
    let mut v = v.clone();
    document::strip_nulls(&mut v);
    document::read(&v, &[]).map_err(|f| EngineError::invalid_document(f.message, f.path.as_deref()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CustomerChanged {
    #[serde(default)]
    registered: bool,
    customer: CustomerFields,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CustomerFields {
    customer_id: PositiveId,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    vat_number: Option<String>,
    billing_address: Option<OrderAddress>,
    #[serde(default)]
    roles: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProductChanged {
    product: ProductFields,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProductFields {
    product_id: PositiveId,
    sku: String,
    name: String,
    price: Amount,
    tax_category_name: Option<String>,
    #[serde(default = "yes")]
    published: bool,
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<Result<CatalogueEvent, EngineError>> {
        CatalogueEvent::from_value(&serde_json::from_str(s).unwrap())
    }

    #[test]
    fn customer_and_product_events_read_and_name_bad_fields() {
        assert!(parse(r#"{"Kind":"OrderPaid"}"#).is_none());
        let c = parse(r#"{"Kind":"CustomerChanged","Registered":true,"Customer":{"CustomerId":4,"Email":" A@B.co ","Roles":["Registered"],"BillingAddress":{"CountryTwoLetterIsoCode":"GB"},"Extra":1}}"#)
            .unwrap()
            .unwrap();
        let CatalogueEvent::Customer {
            registered,
            customer,
        } = &c
        else {
            panic!()
        };
        assert!(registered);
        assert_eq!(customer.email, "A@B.co");
        let back = CatalogueEvent::from_value(&c.to_value()).unwrap().unwrap();
        assert_eq!(back, c);
        let e = parse(r#"{"Kind":"CustomerChanged","Customer":{"CustomerId":0,"Email":"a@b.co"}}"#)
            .unwrap()
            .unwrap_err();
        assert_eq!(e.path(), Some("Customer.CustomerId"));
        let e = parse(r#"{"Kind":"CustomerChanged","Customer":{"CustomerId":3,"Email":"nope"}}"#)
            .unwrap()
            .unwrap_err();
        assert_eq!(e.path(), Some("Customer.Email"));
        let p = parse(r#"{"Kind":"ProductChanged","Product":{"ProductId":9,"Sku":"MUG-1","Name":"Mug","Price":"8.33","TaxCategoryName":"Standard 20%"}}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            CatalogueEvent::from_value(&p.to_value()).unwrap().unwrap(),
            p
        );
        let e = parse(r#"{"Kind":"ProductChanged","Product":{"ProductId":9,"Sku":"M","Name":"Mug","Price":"cheap"}}"#)
            .unwrap()
            .unwrap_err();
        assert_eq!(e.path(), Some("Product.Price"));
    }
}
