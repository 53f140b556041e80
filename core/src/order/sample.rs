//! Realistic order snapshots, computed the way nopCommerce 4.90 computes an order in a UK store
//! whose prices include VAT, with `RoundPricesDuringCalculation` on (its default): an item's excl
//! = incl ÷ (1 + rate) stored at 4 places; the subtotals rounded; the subtotal discount taken off
//! the excl subtotal with each rate's tax scaled down and rounded (`TaxRates`); shipping and the
//! fee rounded incl and excl; `OrderTax` the sum of the rates' tax; `OrderTotal` =
//! round(subtotal excl − subtotal discount excl + shipping excl + fee excl + tax) − order discount
//! − gift cards − reward points, each step clamped at zero; .NET's `Math.Round` (half to even)
//! wherever nopCommerce rounds (`OrderTotalCalculationService`, 4.90.3).
//!
//! Used by the golden 100-line fixture, the property tests, the benchmark and anything else that
//! needs plausible orders (e.g. a demo). The catalogue is the nopCommerce side of the sandbox seed
//! in `kashflow/sandbox/seed.rs` (same SKUs; prices as the shop shows them, including VAT).

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use super::snapshot::{
    OrderAddress, OrderCustomer, OrderItem, OrderSnapshot, OrderStatus, PaymentStatus,
    TaxDisplayType,
};

/// A product as the nopCommerce store sells it.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueProduct {
    pub product_id: i64,
    pub sku: &'static str,
    pub name: &'static str,
    /// Shelf price including VAT, in pence.
    pub price_incl_pence: i64,
    /// VAT rate in percent.
    pub vat_rate: u32,
}

impl CatalogueProduct {
    pub fn price_incl(&self) -> Decimal {
        Decimal::new(self.price_incl_pence, 2)
    }
}

const fn p(
    product_id: i64,
    sku: &'static str,
    name: &'static str,
    pence: i64,
    vat: u32,
) -> CatalogueProduct {
    CatalogueProduct {
        product_id,
        sku,
        name,
        price_incl_pence: pence,
        vat_rate: vat,
    }
}

/// The store's catalogue (SKUs of the sandbox seed).
pub const CATALOGUE: &[CatalogueProduct] = &[
    p(1, "MUG-CLASSIC", "Classic Mug", 1000, 20),
    p(2, "TEE-ORG-M", "Organic T-Shirt (M)", 1999, 20),
    p(3, "TEE-ORG-L", "Organic T-Shirt (L)", 1999, 20),
    p(4, "HOODIE-NAVY-L", "Navy Hoodie (L)", 3500, 20),
    p(5, "SUNGLASSES", "Polarised Sunglasses", 5000, 20),
    p(6, "BOOK-UK-COOK", "The British Cookbook", 1800, 0),
    p(7, "COFFEE-BEANS-1KG", "Coffee Beans 1kg", 2150, 0),
    p(8, "TEA-TIN", "Loose Leaf Tea Tin", 750, 0),
    p(9, "CHILD-CAR-SEAT", "Child Car Seat", 10000, 5),
    p(10, "ENERGY-BULB", "Energy Saving Bulb", 400, 5),
    p(11, "GIFT-WRAP", "Gift Wrapping", 300, 20),
    p(12, "EBOOK-GUIDE", "Gardening eBook", 799, 20),
];

/// One line of a sample order.
#[derive(Debug, Clone)]
pub struct SampleLine {
    /// Index into `CATALOGUE`.
    pub product: usize,
    pub quantity: i64,
    /// Item discount per unit, including VAT (taken off the shelf price).
    pub unit_discount_incl: Decimal,
    pub attributes: Option<String>,
}

/// What to put in a sample order. Amounts in GBP (the primary store currency).
#[derive(Debug, Clone)]
pub struct SampleOrder {
    pub id: i64,
    pub created_on_utc: DateTime<Utc>,
    pub lines: Vec<SampleLine>,
    /// Shipping including VAT, and its VAT rate.
    pub shipping_incl: Decimal,
    pub shipping_vat_rate: u32,
    /// Payment method fee including 20% VAT (may be negative).
    pub fee_incl: Decimal,
    /// 'Assigned to order subtotal' discount, excluding VAT (nopCommerce applies it to the excl subtotal).
    pub subtotal_discount_excl: Decimal,
    /// 'Assigned to order total' discount.
    pub order_discount: Decimal,
    pub gift_cards: Vec<Decimal>,
    pub reward_points: Decimal,
    /// Customer currency and its rate per GBP.
    pub currency: (String, Decimal),
    pub payment_method: String,
    pub paid: bool,
    pub guest: bool,
    pub customer_id: i64,
}

impl SampleOrder {
    /// A plain order: no discounts, GBP, paid by card, registered customer.
    pub fn new(id: i64, lines: Vec<SampleLine>) -> SampleOrder {
        SampleOrder {
            id,
            created_on_utc: Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap()
                + Duration::minutes(id % 10_000),
            lines,
            shipping_incl: Decimal::new(499, 2),
            shipping_vat_rate: 20,
            fee_incl: Decimal::ZERO,
            subtotal_discount_excl: Decimal::ZERO,
            order_discount: Decimal::ZERO,
            gift_cards: vec![],
            reward_points: Decimal::ZERO,
            currency: ("GBP".into(), Decimal::ONE),
            payment_method: "Payments.Stripe".into(),
            paid: true,
            guest: false,
            customer_id: 500 + id % 1000,
        }
    }
}

fn round4(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// .NET `Math.Round(d, 2)`: half to even.
fn net_round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

fn excl_of(incl: Decimal, rate: u32) -> Decimal {
    round4(incl / (Decimal::ONE + Decimal::from(rate) / Decimal::ONE_HUNDRED))
}

fn address(id: i64, email: &str) -> OrderAddress {
    const STREETS: &[(&str, &str, &str)] = &[
        ("12 High Street", "Oxford", "OX1 4AA"),
        ("5 Station Road", "Reading", "RG1 1LG"),
        ("88 Queen Street", "Glasgow", "G1 3DN"),
        ("2 The Parade", "Brighton", "BN1 1UE"),
    ];
    let (a1, city, pc) = STREETS[(id.unsigned_abs() % STREETS.len() as u64) as usize];
    OrderAddress {
        first_name: Some("Alex".into()),
        last_name: Some(format!("Morgan{id}")),
        email: Some(email.to_string()),
        address1: Some(a1.into()),
        city: Some(city.into()),
        zip_postal_code: Some(pc.into()),
        country_two_letter_iso_code: Some("GB".into()),
        phone_number: Some("01632 960000".into()),
        ..OrderAddress::default()
    }
}

/// Compute the snapshot nopCommerce would produce for `s`.
pub fn build(s: &SampleOrder) -> OrderSnapshot {
    let mut items = Vec::with_capacity(s.lines.len());
    let mut taxes: Vec<(u32, Decimal)> = Vec::new();
    let add_tax = |taxes: &mut Vec<(u32, Decimal)>, rate: u32, t: Decimal| {
        if rate == 0 || t.is_zero() {
            return;
        }
        match taxes.iter_mut().find(|(r, _)| *r == rate) {
            Some((_, v)) => *v += t,
            None => taxes.push((rate, t)),
        }
    };
    for l in &s.lines {
        let prod = CATALOGUE[l.product % CATALOGUE.len()];
        let unit_in = (prod.price_incl() - l.unit_discount_incl).max(Decimal::ZERO);
        let q = Decimal::from(l.quantity);
        let line_in = unit_in * q;
        let line_ex = excl_of(line_in, prod.vat_rate);
        let disc_in = (prod.price_incl() - unit_in) * q;
        add_tax(&mut taxes, prod.vat_rate, line_in - line_ex);
        items.push(OrderItem {
            product_id: prod.product_id,
            sku: Some(prod.sku.into()),
            name: prod.name.into(),
            quantity: l.quantity,
            unit_price_incl_tax: unit_in,
            unit_price_excl_tax: excl_of(unit_in, prod.vat_rate),
            price_incl_tax: line_in,
            price_excl_tax: line_ex,
            discount_amount_incl_tax: disc_in,
            discount_amount_excl_tax: excl_of(disc_in, prod.vat_rate),
            attribute_description: l.attributes.clone(),
            categories: Vec::new(),
        });
    }
    // RoundPricesDuringCalculation (nopCommerce's default): the subtotals are rounded.
    let sub_in = net_round2(items.iter().map(|i| i.price_incl_tax).sum());
    let sub_ex = net_round2(items.iter().map(|i| i.price_excl_tax).sum());
    let sd_ex = net_round2(s.subtotal_discount_excl.min(sub_ex).max(Decimal::ZERO));
    let mut sd_in = sd_ex;
    if !sub_ex.is_zero() {
        for (_, v) in taxes.iter_mut() {
            let dt = *v * sd_ex / sub_ex;
            sd_in += dt;
            *v = net_round2(*v - dt);
        }
        sd_in = net_round2(sd_in);
    }
    // Shipping and the fee: rounded including and excluding VAT, their tax the difference.
    let ship_in = net_round2(s.shipping_incl);
    let ship_ex = net_round2(excl_of(ship_in, s.shipping_vat_rate));
    add_tax(&mut taxes, s.shipping_vat_rate, ship_in - ship_ex);
    let fee_in = net_round2(s.fee_incl);
    let fee_ex = net_round2(excl_of(fee_in, 20));
    // nopCommerce clamps the fee's tax at zero (a negative fee reduces no tax).
    add_tax(&mut taxes, 20, (fee_in - fee_ex).max(Decimal::ZERO));
    let tax = net_round2(taxes.iter().map(|(_, v)| *v).sum());
    let mut total = net_round2(sub_ex - sd_ex + ship_ex + fee_ex + tax).max(Decimal::ZERO);
    let od = s.order_discount.min(total).max(Decimal::ZERO);
    total -= od;
    let mut cards = Vec::new();
    for g in &s.gift_cards {
        let used = (*g).min(total).max(Decimal::ZERO);
        if !used.is_zero() {
            cards.push(used);
            total -= used;
        }
    }
    let rp = s.reward_points.min(total).max(Decimal::ZERO);
    total -= rp;
    taxes.sort_by_key(|t| std::cmp::Reverse(t.0));
    let tax_rates = if taxes.is_empty() {
        "0:0;   ".to_string()
    } else {
        taxes
            .iter()
            .map(|(r, v)| format!("{r}:{};   ", net_round2(*v)))
            .collect()
    };
    let email = format!("customer{}@example.co.uk", s.customer_id);
    let addr = address(s.customer_id, &email);
    OrderSnapshot {
        schema_version: 1,
        id: s.id,
        custom_order_number: s.id.to_string(),
        order_guid: format!(
            "00000000-0000-4000-8000-{:012}",
            s.id.unsigned_abs() % 1_000_000_000_000
        ),
        store_id: 1,
        store_name: None,
        created_on_utc: s.created_on_utc,
        primary_store_currency_code: "GBP".into(),
        customer_currency_code: s.currency.0.clone(),
        currency_rate: s.currency.1,
        order_subtotal_incl_tax: sub_in,
        order_subtotal_excl_tax: sub_ex,
        order_sub_total_discount_incl_tax: sd_in,
        order_sub_total_discount_excl_tax: sd_ex,
        order_shipping_incl_tax: ship_in,
        order_shipping_excl_tax: ship_ex,
        payment_method_additional_fee_incl_tax: fee_in,
        payment_method_additional_fee_excl_tax: fee_ex,
        order_tax: tax,
        tax_rates,
        order_discount: od,
        order_total: total,
        refunded_amount: Decimal::ZERO,
        payment_method_system_name: s.payment_method.clone(),
        order_status: if s.paid {
            OrderStatus::Processing
        } else {
            OrderStatus::Pending
        },
        payment_status: if s.paid {
            PaymentStatus::Paid
        } else {
            PaymentStatus::Pending
        },
        paid_date_utc: if s.paid {
            Some(s.created_on_utc + Duration::seconds(40))
        } else {
            None
        },
        vat_number: None,
        customer_tax_display_type: TaxDisplayType::IncludingTax,
        shipping_method: Some("Royal Mail Tracked 48".into()),
        checkout_attribute_description: None,
        customer_roles: Vec::new(),
        customer: OrderCustomer {
            id: s.customer_id,
            email: if s.guest { None } else { Some(email.clone()) },
            first_name: if s.guest {
                None
            } else {
                addr.first_name.clone()
            },
            last_name: if s.guest {
                None
            } else {
                addr.last_name.clone()
            },
            company: None,
            is_guest: s.guest,
        },
        billing_address: addr.clone(),
        shipping_address: Some(addr),
        items,
        gift_card_usage: cards,
        redeemed_reward_points_amount: rp,
    }
}

/// The 100-line golden order: every catalogue product in turn, quantities 1–5, each line with its
/// own personalisation (so nopCommerce keeps them as separate lines), free shipping, paid by card.
pub fn hundred_line_order() -> OrderSnapshot {
    let lines = (0..100usize)
        .map(|k| SampleLine {
            product: k % CATALOGUE.len(),
            quantity: 1 + (k as i64 * 7) % 5,
            unit_discount_incl: Decimal::ZERO,
            attributes: Some(format!("Personalisation: #{:03}", k + 1)),
        })
        .collect();
    let mut s = SampleOrder::new(2100, lines);
    s.created_on_utc = Utc.with_ymd_and_hms(2026, 10, 12, 13, 5, 0).unwrap();
    s.shipping_incl = Decimal::ZERO;
    s.customer_id = 777;
    build(&s)
}

/// A 10-line order (mixed rates, a subtotal discount, shipping), as used by the benchmark.
pub fn ten_line_order() -> OrderSnapshot {
    let lines = (0..10usize)
        .map(|k| SampleLine {
            product: (k * 5) % CATALOGUE.len(),
            quantity: 1 + (k as i64) % 3,
            unit_discount_incl: Decimal::ZERO,
            attributes: None,
        })
        .collect();
    let mut s = SampleOrder::new(3001, lines);
    s.subtotal_discount_excl = Decimal::new(500, 2);
    build(&s)
}
