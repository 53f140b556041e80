//! The order snapshot: the JSON document the nopCommerce plugin writes for one order
//! (`"SchemaVersion": 1`). Field names and meanings follow nopCommerce 4.90's `Order`, `OrderItem`,
//! `Customer` and `Address`. Every amount is in the **primary store currency**, exactly as
//! nopCommerce stores it (up to 4 decimal places); the customer paid `amount × CurrencyRate` in
//! `CustomerCurrencyCode`.
//!
//! The JSON Schema in `core/schema/order-snapshot.v1.schema.json` is generated from the
//! `Describe` impls next to each type (see `order::schema`); tests keep the two in step.
//! Unknown fields are rejected: the plugin and this crate ship together, so an unexpected field is
//! a bug to surface, not data to drop.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::{
    array, boolean, date_time, decimal, enumeration, integer, nullable, object, string, Describe,
    Field,
};

/// nopCommerce `OrderStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    Pending,
    Processing,
    Complete,
    Cancelled,
}

impl OrderStatus {
    pub const NAMES: &'static [&'static str] = &["Pending", "Processing", "Complete", "Cancelled"];
}

/// nopCommerce `PaymentStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentStatus {
    Pending,
    Authorized,
    Paid,
    PartiallyRefunded,
    Refunded,
    Voided,
}

impl PaymentStatus {
    pub const NAMES: &'static [&'static str] = &[
        "Pending",
        "Authorized",
        "Paid",
        "PartiallyRefunded",
        "Refunded",
        "Voided",
    ];

    /// The money was received at some point (a refund since then is a separate event).
    pub fn was_paid(self) -> bool {
        matches!(
            self,
            PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
        )
    }
}

/// nopCommerce `TaxDisplayType`: how the customer saw prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaxDisplayType {
    IncludingTax,
    ExcludingTax,
}

impl TaxDisplayType {
    pub const NAMES: &'static [&'static str] = &["IncludingTax", "ExcludingTax"];
}

/// One nopCommerce order, as the plugin sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OrderSnapshot {
    /// Version of this document's shape. Must be 1.
    pub schema_version: u32,
    /// nopCommerce Order.Id.
    pub id: i64,
    /// Order.CustomOrderNumber, the number the customer sees (from the store's order number mask).
    pub custom_order_number: String,
    /// Order.OrderGuid.
    pub order_guid: String,
    /// Order.StoreId.
    pub store_id: i64,
    /// The store's name (Store.Name), for flow conditions on the store; absent on older documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_name: Option<String>,
    /// Order.CreatedOnUtc, ISO 8601 in UTC (a value without a zone is read as UTC).
    #[serde(with = "utc_datetime")]
    pub created_on_utc: DateTime<Utc>,
    /// ISO 4217 code of the primary store currency, the currency of every amount in this document.
    pub primary_store_currency_code: String,
    /// Order.CustomerCurrencyCode, the currency the customer paid in (ISO 4217).
    pub customer_currency_code: String,
    /// Order.CurrencyRate: units of the customer currency per 1 unit of the primary store currency.
    #[serde(with = "crate::money::serde_money")]
    pub currency_rate: Decimal,
    /// Order.OrderSubtotalInclTax: sum of the item line totals including tax, before the subtotal discount.
    #[serde(with = "crate::money::serde_money")]
    pub order_subtotal_incl_tax: Decimal,
    /// Order.OrderSubtotalExclTax: sum of the item line totals excluding tax, before the subtotal discount.
    #[serde(with = "crate::money::serde_money")]
    pub order_subtotal_excl_tax: Decimal,
    /// Order.OrderSubTotalDiscountInclTax: the 'applied to order subtotal' discount, including tax.
    #[serde(with = "crate::money::serde_money")]
    pub order_sub_total_discount_incl_tax: Decimal,
    /// Order.OrderSubTotalDiscountExclTax: the 'applied to order subtotal' discount, excluding tax.
    #[serde(with = "crate::money::serde_money")]
    pub order_sub_total_discount_excl_tax: Decimal,
    /// Order.OrderShippingInclTax: shipping charged, including tax (0 for free shipping).
    #[serde(with = "crate::money::serde_money")]
    pub order_shipping_incl_tax: Decimal,
    /// Order.OrderShippingExclTax: shipping charged, excluding tax.
    #[serde(with = "crate::money::serde_money")]
    pub order_shipping_excl_tax: Decimal,
    /// Order.PaymentMethodAdditionalFeeInclTax: payment method fee, including tax (may be negative).
    #[serde(with = "crate::money::serde_money")]
    pub payment_method_additional_fee_incl_tax: Decimal,
    /// Order.PaymentMethodAdditionalFeeExclTax: payment method fee, excluding tax (may be negative).
    #[serde(with = "crate::money::serde_money")]
    pub payment_method_additional_fee_excl_tax: Decimal,
    /// Order.OrderTax: total tax of the order.
    #[serde(with = "crate::money::serde_money")]
    pub order_tax: Decimal,
    /// Order.TaxRates, nopCommerce's 'rate:amount;' list, e.g. '20:3.3333;   5:0.50;   '.
    pub tax_rates: String,
    /// Order.OrderDiscount: the 'applied to order total' discount, taken off the total including tax.
    #[serde(with = "crate::money::serde_money")]
    pub order_discount: Decimal,
    /// Order.OrderTotal: what the customer pays, after discounts, gift cards and reward points.
    #[serde(with = "crate::money::serde_money")]
    pub order_total: Decimal,
    /// Order.RefundedAmount: total refunded so far.
    #[serde(with = "crate::money::serde_money")]
    pub refunded_amount: Decimal,
    /// Order.PaymentMethodSystemName, e.g. 'Payments.Manual' (empty when nothing was due).
    pub payment_method_system_name: String,
    /// Order.OrderStatus.
    pub order_status: OrderStatus,
    /// Order.PaymentStatus.
    pub payment_status: PaymentStatus,
    /// Order.PaidDateUtc, set once the order is paid; ISO 8601 in UTC.
    #[serde(default, with = "utc_datetime::option")]
    pub paid_date_utc: Option<DateTime<Utc>>,
    /// Order.VatNumber, the customer's validated EU VAT number, if any.
    #[serde(default)]
    pub vat_number: Option<String>,
    /// Order.CustomerTaxDisplayType: whether the customer saw prices including or excluding tax.
    pub customer_tax_display_type: TaxDisplayType,
    /// Order.ShippingMethod, e.g. 'Royal Mail Tracked 48' (used in the shipping line's description).
    #[serde(default)]
    pub shipping_method: Option<String>,
    /// Order.CheckoutAttributeDescription: the checkout attributes the customer chose, as
    /// nopCommerce formats them (e.g. 'Gift wrapping: Yes [+£2.50]'; may hold `<br />`). Their
    /// prices are inside the order subtotal but on no item: with this set, the difference between
    /// the subtotal and the items becomes one 'Checkout options' line.
    #[serde(default)]
    pub checkout_attribute_description: Option<String>,
    /// The customer who placed the order.
    pub customer: OrderCustomer,
    /// The system names of the customer's roles when the order was placed (e.g. 'Registered', 'Trade'), for flow conditions; absent on older documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customer_roles: Vec<String>,
    /// The order's billing address.
    pub billing_address: OrderAddress,
    /// The order's shipping address; absent when nothing is shipped.
    #[serde(default)]
    pub shipping_address: Option<OrderAddress>,
    /// The order's items.
    pub items: Vec<OrderItem>,
    /// Amounts of the gift cards applied to the order (GiftCardUsageHistory.UsedValue), one per card.
    #[serde(default, with = "crate::money::serde_money::vec")]
    pub gift_card_usage: Vec<Decimal>,
    /// Amount paid with redeemed reward points (RewardPointsHistory.UsedAmount), 0 when none.
    #[serde(default, with = "crate::money::serde_money")]
    pub redeemed_reward_points_amount: Decimal,
}

impl Describe for OrderSnapshot {
    fn describe() -> Value {
        object(
            "One nopCommerce order, as the plugin sends it. Amounts are in the primary store currency.",
            vec![
                Field::required("SchemaVersion", enumeration_int("Version of this document's shape. Must be 1.", &[1])),
                Field::required("Id", integer("nopCommerce Order.Id.")),
                Field::required("CustomOrderNumber", string("Order.CustomOrderNumber, the number the customer sees (from the store's order number mask).")),
                Field::required("OrderGuid", string("Order.OrderGuid.")),
                Field::required("StoreId", integer("Order.StoreId.")),
                Field::optional("StoreName", nullable(string("The store's name (Store.Name), for flow conditions on the store; absent on older documents."))),
                Field::required("CreatedOnUtc", date_time("Order.CreatedOnUtc, ISO 8601 in UTC (a value without a zone is read as UTC).")),
                Field::required("PrimaryStoreCurrencyCode", string("ISO 4217 code of the primary store currency, the currency of every amount in this document.")),
                Field::required("CustomerCurrencyCode", string("Order.CustomerCurrencyCode, the currency the customer paid in (ISO 4217).")),
                Field::required("CurrencyRate", decimal("Order.CurrencyRate: units of the customer currency per 1 unit of the primary store currency.")),
                Field::required("OrderSubtotalInclTax", decimal("Order.OrderSubtotalInclTax: sum of the item line totals including tax, before the subtotal discount.")),
                Field::required("OrderSubtotalExclTax", decimal("Order.OrderSubtotalExclTax: sum of the item line totals excluding tax, before the subtotal discount.")),
                Field::required("OrderSubTotalDiscountInclTax", decimal("Order.OrderSubTotalDiscountInclTax: the 'applied to order subtotal' discount, including tax.")),
                Field::required("OrderSubTotalDiscountExclTax", decimal("Order.OrderSubTotalDiscountExclTax: the 'applied to order subtotal' discount, excluding tax.")),
                Field::required("OrderShippingInclTax", decimal("Order.OrderShippingInclTax: shipping charged, including tax (0 for free shipping).")),
                Field::required("OrderShippingExclTax", decimal("Order.OrderShippingExclTax: shipping charged, excluding tax.")),
                Field::required("PaymentMethodAdditionalFeeInclTax", decimal("Order.PaymentMethodAdditionalFeeInclTax: payment method fee, including tax (may be negative).")),
                Field::required("PaymentMethodAdditionalFeeExclTax", decimal("Order.PaymentMethodAdditionalFeeExclTax: payment method fee, excluding tax (may be negative).")),
                Field::required("OrderTax", decimal("Order.OrderTax: total tax of the order.")),
                Field::required("TaxRates", string("Order.TaxRates, nopCommerce's 'rate:amount;' list, e.g. '20:3.3333;   5:0.50;   '.")),
                Field::required("OrderDiscount", decimal("Order.OrderDiscount: the 'applied to order total' discount, taken off the total including tax.")),
                Field::required("OrderTotal", decimal("Order.OrderTotal: what the customer pays, after discounts, gift cards and reward points.")),
                Field::required("RefundedAmount", decimal("Order.RefundedAmount: total refunded so far.")),
                Field::required("PaymentMethodSystemName", string("Order.PaymentMethodSystemName, e.g. 'Payments.Manual' (empty when nothing was due).")),
                Field::required("OrderStatus", enumeration("Order.OrderStatus.", OrderStatus::NAMES)),
                Field::required("PaymentStatus", enumeration("Order.PaymentStatus.", PaymentStatus::NAMES)),
                Field::optional("PaidDateUtc", nullable(date_time("Order.PaidDateUtc, set once the order is paid; ISO 8601 in UTC."))),
                Field::optional("VatNumber", nullable(string("Order.VatNumber, the customer's validated EU VAT number, if any."))),
                Field::required("CustomerTaxDisplayType", enumeration("Order.CustomerTaxDisplayType: whether the customer saw prices including or excluding tax.", TaxDisplayType::NAMES)),
                Field::optional("ShippingMethod", nullable(string("Order.ShippingMethod, e.g. 'Royal Mail Tracked 48' (used in the shipping line's description)."))),
                Field::optional("CheckoutAttributeDescription", nullable(string("Order.CheckoutAttributeDescription: the checkout attributes the customer chose, as nopCommerce formats them (e.g. 'Gift wrapping: Yes [+£2.50]'; may hold `<br />`). Their prices are inside the order subtotal but on no item: with this set, the difference between the subtotal and the items becomes one 'Checkout options' line."))),
                Field::required("Customer", OrderCustomer::describe_as("The customer who placed the order.")),
                Field::optional("CustomerRoles", array("The system names of the customer's roles when the order was placed (e.g. 'Registered', 'Trade'), for flow conditions; absent on older documents.", string("A customer role's system name."))),
                Field::required("BillingAddress", OrderAddress::describe_as("The order's billing address.")),
                Field::optional("ShippingAddress", nullable(OrderAddress::describe_as("The order's shipping address; absent when nothing is shipped."))),
                Field::required("Items", array("The order's items.", OrderItem::describe())),
                Field::optional("GiftCardUsage", array("Amounts of the gift cards applied to the order (GiftCardUsageHistory.UsedValue), one per card.", decimal("Amount taken from one gift card."))),
                Field::optional("RedeemedRewardPointsAmount", decimal("Amount paid with redeemed reward points (RewardPointsHistory.UsedAmount), 0 when none.")),
            ],
        )
    }
}

fn enumeration_int(description: &str, values: &[i64]) -> Value {
    let mut v = integer(description);
    v["enum"] = Value::from(values.to_vec());
    v
}

/// One order line (nopCommerce `OrderItem` plus the product's SKU and name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OrderItem {
    /// OrderItem.ProductId.
    pub product_id: i64,
    /// The SKU as nopCommerce formats it for this item (IProductService.FormatSkuAsync, so the attribute combination's SKU when there is one).
    #[serde(default)]
    pub sku: Option<String>,
    /// The product's name in the customer's language.
    pub name: String,
    /// OrderItem.Quantity.
    pub quantity: i64,
    /// OrderItem.UnitPriceInclTax: unit price including tax, after item discounts.
    #[serde(with = "crate::money::serde_money")]
    pub unit_price_incl_tax: Decimal,
    /// OrderItem.UnitPriceExclTax: unit price excluding tax, after item discounts.
    #[serde(with = "crate::money::serde_money")]
    pub unit_price_excl_tax: Decimal,
    /// OrderItem.PriceInclTax: the line total including tax, after item discounts.
    #[serde(with = "crate::money::serde_money")]
    pub price_incl_tax: Decimal,
    /// OrderItem.PriceExclTax: the line total excluding tax, after item discounts.
    #[serde(with = "crate::money::serde_money")]
    pub price_excl_tax: Decimal,
    /// OrderItem.DiscountAmountInclTax: the item discount already taken off PriceInclTax (informational).
    #[serde(with = "crate::money::serde_money")]
    pub discount_amount_incl_tax: Decimal,
    /// OrderItem.DiscountAmountExclTax: the item discount already taken off PriceExclTax (informational).
    #[serde(with = "crate::money::serde_money")]
    pub discount_amount_excl_tax: Decimal,
    /// OrderItem.AttributeDescription, e.g. 'Size: M<br />Colour: Navy' (HTML line breaks allowed).
    #[serde(default)]
    pub attribute_description: Option<String>,
    /// The names of the product's categories, for flow conditions; absent on older documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

impl Describe for OrderItem {
    fn describe() -> Value {
        object(
            "One order line (nopCommerce OrderItem plus the product's SKU and name).",
            vec![
                Field::required("ProductId", integer("OrderItem.ProductId.")),
                Field::optional("Sku", nullable(string("The SKU as nopCommerce formats it for this item (IProductService.FormatSkuAsync, so the attribute combination's SKU when there is one)."))),
                Field::required("Name", string("The product's name in the customer's language.")),
                Field::required("Quantity", integer("OrderItem.Quantity.")),
                Field::required("UnitPriceInclTax", decimal("OrderItem.UnitPriceInclTax: unit price including tax, after item discounts.")),
                Field::required("UnitPriceExclTax", decimal("OrderItem.UnitPriceExclTax: unit price excluding tax, after item discounts.")),
                Field::required("PriceInclTax", decimal("OrderItem.PriceInclTax: the line total including tax, after item discounts.")),
                Field::required("PriceExclTax", decimal("OrderItem.PriceExclTax: the line total excluding tax, after item discounts.")),
                Field::required("DiscountAmountInclTax", decimal("OrderItem.DiscountAmountInclTax: the item discount already taken off PriceInclTax (informational).")),
                Field::required("DiscountAmountExclTax", decimal("OrderItem.DiscountAmountExclTax: the item discount already taken off PriceExclTax (informational).")),
                Field::optional("AttributeDescription", nullable(string("OrderItem.AttributeDescription, e.g. 'Size: M<br />Colour: Navy' (HTML line breaks allowed)."))),
                Field::optional("Categories", array("The names of the product's categories, for flow conditions; absent on older documents.", string("A category name."))),
            ],
        )
    }
}

/// The customer who placed the order (nopCommerce `Customer`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OrderCustomer {
    /// Customer.Id.
    pub id: i64,
    /// Customer.Email (guests have none; their e-mail is on the billing address).
    #[serde(default)]
    pub email: Option<String>,
    /// Customer.FirstName.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Customer.LastName.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Customer.Company.
    #[serde(default)]
    pub company: Option<String>,
    /// Whether the customer checked out as a guest (in the Guests role, not registered).
    pub is_guest: bool,
}

impl OrderCustomer {
    fn describe_as(description: &str) -> Value {
        let mut v = Self::describe();
        v["description"] = Value::from(description);
        v
    }
}

impl Describe for OrderCustomer {
    fn describe() -> Value {
        object(
            "The customer who placed the order (nopCommerce Customer).",
            vec![
                Field::required("Id", integer("Customer.Id.")),
                Field::optional("Email", nullable(string("Customer.Email (guests have none; their e-mail is on the billing address)."))),
                Field::optional("FirstName", nullable(string("Customer.FirstName."))),
                Field::optional("LastName", nullable(string("Customer.LastName."))),
                Field::optional("Company", nullable(string("Customer.Company."))),
                Field::required("IsGuest", boolean("Whether the customer checked out as a guest (in the Guests role, not registered).")),
            ],
        )
    }
}

/// A postal address (nopCommerce `Address` with its country and state resolved to codes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OrderAddress {
    /// Address.FirstName.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Address.LastName.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Address.Company.
    #[serde(default)]
    pub company: Option<String>,
    /// Address.Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Address.Address1, the first street line.
    #[serde(default)]
    pub address1: Option<String>,
    /// Address.Address2, the second street line.
    #[serde(default)]
    pub address2: Option<String>,
    /// Address.City, the town or city.
    #[serde(default)]
    pub city: Option<String>,
    /// Address.County.
    #[serde(default)]
    pub county: Option<String>,
    /// StateProvince.Abbreviation of Address.StateProvinceId, if any.
    #[serde(default)]
    pub state_province_abbreviation: Option<String>,
    /// Address.ZipPostalCode.
    #[serde(default)]
    pub zip_postal_code: Option<String>,
    /// Country.TwoLetterIsoCode of Address.CountryId (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub country_two_letter_iso_code: Option<String>,
    /// Address.PhoneNumber.
    #[serde(default)]
    pub phone_number: Option<String>,
}

impl OrderAddress {
    fn describe_as(description: &str) -> Value {
        let mut v = Self::describe();
        v["description"] = Value::from(description);
        v
    }
}

impl Describe for OrderAddress {
    fn describe() -> Value {
        object(
            "A postal address (nopCommerce Address with its country and state resolved to codes).",
            vec![
                Field::optional("FirstName", nullable(string("Address.FirstName."))),
                Field::optional("LastName", nullable(string("Address.LastName."))),
                Field::optional("Company", nullable(string("Address.Company."))),
                Field::optional("Email", nullable(string("Address.Email."))),
                Field::optional(
                    "Address1",
                    nullable(string("Address.Address1, the first street line.")),
                ),
                Field::optional(
                    "Address2",
                    nullable(string("Address.Address2, the second street line.")),
                ),
                Field::optional("City", nullable(string("Address.City, the town or city."))),
                Field::optional("County", nullable(string("Address.County."))),
                Field::optional(
                    "StateProvinceAbbreviation",
                    nullable(string(
                        "StateProvince.Abbreviation of Address.StateProvinceId, if any.",
                    )),
                ),
                Field::optional("ZipPostalCode", nullable(string("Address.ZipPostalCode."))),
                Field::optional(
                    "CountryTwoLetterIsoCode",
                    nullable(string(
                        "Country.TwoLetterIsoCode of Address.CountryId (ISO 3166-1 alpha-2).",
                    )),
                ),
                Field::optional("PhoneNumber", nullable(string("Address.PhoneNumber."))),
            ],
        )
    }
}

/// Timestamps in UTC: written as RFC 3339 with `Z`; read with `Z`, an offset, or no zone at all
/// (.NET writes a `DateTime` read from the database without one; the field is UTC by name).
pub mod utc_datetime {
    use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
        let t = text.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Ok(dt.with_timezone(&Utc));
        }
        for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
                return Ok(DateTime::from_utc(n, Utc));
            }
        }
        Err(format!(
            "'{}' is not a date and time (expected ISO 8601 such as 2026-05-01T10:00:00Z)",
            crate::order::error::quote(text)
        ))
    }

    pub fn format(dt: &DateTime<Utc>) -> String {
        dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    pub fn serialize<S: Serializer>(dt: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(dt))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(de::Error::custom)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            dt: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match dt {
                Some(dt) => s.serialize_str(&format(dt)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(s) => parse(&s).map(Some).map_err(de::Error::custom),
            }
        }
    }
}
