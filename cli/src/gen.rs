//! A realistic day of nopCommerce orders, for the demo, the benches and the end-to-end tests.
//!
//! The shop is the sandbox's "Sandbox Trading Ltd": it sells the sandbox seed's catalogue at
//! VAT-inclusive shelf prices (`round(net × (1 + VAT))`, e.g. the 8.33 net mug sells at 10.00),
//! and amounts are computed the way nopCommerce 4.90 computes them with its default settings
//! (4-place excl-tax amounts, subtotal discounts taken off each tax rate in proportion, prices
//! rounded during calculation). Customers are registered (a pool, so many come back) or guests
//! (some guests come back with the same e-mail, one uses a registered customer's e-mail); a share
//! of orders is in EUR to EU addresses (zero-rated exports); some pay on placement, some later by
//! cheque, a few are cancelled; and a few carry a problem a shop really has (an SKU KashFlow does
//! not know, a payment method nobody mapped). Everything is drawn from one seed, so a run can be
//! replayed and a test knows what each order should become.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use kashflow_sync::kashflow::sandbox::seed;
use kashflow_sync::order::sample::{build, SampleLine, SampleOrder, CATALOGUE};
use kashflow_sync::order::{OrderAddress, OrderCustomer, OrderSnapshot, OrderStatus};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};

/// One product the shop sells: the mapping crate's sample catalogue (shelf prices including VAT)
/// joined with the sandbox seed's stock levels.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueItem {
    pub sku: String,
    pub name: String,
    /// Shelf price including VAT (GBP).
    pub gross: Decimal,
    /// VAT percentage.
    pub vat: Decimal,
    /// Stock-managed in KashFlow (`ManageStockLevel`), with this starting quantity.
    pub stock: Option<i64>,
    /// Index into `order::sample::CATALOGUE`.
    pub index: usize,
}

/// The shop's catalogue.
pub fn catalogue() -> Vec<CatalogueItem> {
    CATALOGUE
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let seeded = seed::product(c.sku);
            CatalogueItem {
                sku: c.sku.to_string(),
                name: c.name.to_string(),
                gross: c.price_incl(),
                vat: Decimal::from(c.vat_rate),
                stock: seeded
                    .filter(|p| p.manage_stock_level)
                    .and_then(|p| p.quantity_in_stock.trunc().to_string().parse().ok()),
                index,
            }
        })
        .collect()
}

/// A problem planted in an order, which must end as a dead letter naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// An item's SKU is not a KashFlow product.
    UnknownSku,
    /// The payment method has no KashFlow mapping.
    UnmappedPaymentMethod,
}

/// What the generator knows an order should become.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    pub order_id: i64,
    pub problem: Option<Problem>,
    /// Paid when placed: the payment goes inside the invoice create.
    pub paid_at_placement: bool,
    /// An `OrderPaid` event follows later.
    pub paid_later: bool,
    /// An `OrderCancelled` event follows.
    pub cancelled: bool,
    /// `OrderRefunded` events that follow, in order (primary currency; a full refund last).
    pub refunds: Vec<Decimal>,
    /// The last refund takes the order to payment status Refunded (the whole order).
    pub refunded_in_full: bool,
    pub order_total: Decimal,
    /// Gift cards used on the order: each is a payment on the invoice from its clearing account.
    pub gift_cards: usize,
    /// Quantity per stock-managed SKU.
    pub managed_quantities: BTreeMap<String, i64>,
    pub email: String,
    pub guest: bool,
    pub currency: String,
}

/// One thing the shop sends, in the order it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedItem {
    Order(Box<OrderSnapshot>),
    /// An event document (`OrderPaid`, `OrderCancelled`, `OrderRefunded`).
    Event(Value),
}

impl FeedItem {
    pub fn to_json(&self) -> Vec<u8> {
        match self {
            FeedItem::Order(o) => serde_json::to_vec(o).expect("a snapshot serialises"),
            FeedItem::Event(e) => serde_json::to_vec(e).expect("an event serialises"),
        }
    }
}

/// A generated day.
#[derive(Debug, Clone)]
pub struct Day {
    pub feed: Vec<FeedItem>,
    pub expectations: BTreeMap<i64, Expectation>,
}

impl Day {
    pub fn orders(&self) -> impl Iterator<Item = &OrderSnapshot> {
        self.feed.iter().filter_map(|f| match f {
            FeedItem::Order(o) => Some(o.as_ref()),
            FeedItem::Event(_) => None,
        })
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    pub orders: usize,
    pub seed: u64,
    /// nopCommerce Id of the first order.
    pub first_order_id: i64,
    pub day: NaiveDate,
    /// Share of orders with a planted problem.
    pub problem_rate: f64,
    /// Share of orders paid by cheque (not paid when placed); the rest pay by card or PayPal.
    pub cheque_rate: f64,
    /// Share of cheque orders paid later (the rest stay unpaid or are cancelled).
    pub cheque_paid_later_rate: f64,
    /// Share of cheque orders cancelled.
    pub cheque_cancel_rate: f64,
    /// Only sell what is in stock (as nopCommerce does); off lets a long run go past the seed's
    /// stock (the sandbox must then allow negative stock).
    pub respect_stock: bool,
    /// Registered customers in the pool.
    pub registered_customers: usize,
    /// Share of orders from guests.
    pub guest_rate: f64,
    /// Share of orders in EUR to EU addresses.
    pub eur_rate: f64,
    /// Share of paid orders refunded later (in full, in part, or in two parts). Drawn from its
    /// own random stream, so the rest of the day is the same whatever the rate.
    pub refund_rate: f64,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            orders: 200,
            seed: 42,
            first_order_id: 1001,
            day: NaiveDate::from_ymd_opt(2026, 5, 14).expect("valid date"),
            problem_rate: 0.03,
            cheque_rate: 0.18,
            cheque_paid_later_rate: 0.6,
            cheque_cancel_rate: 0.1,
            respect_stock: true,
            registered_customers: 60,
            guest_rate: 0.3,
            eur_rate: 0.08,
            refund_rate: 0.05,
        }
    }
}

/// A SKU the shop sells but KashFlow has no product for (a limited edition added to the shop only).
pub const UNKNOWN_SKU: &str = "MUG-GOLD-LTD";
/// A payment method the default mapping rules do not know.
pub const UNMAPPED_METHOD: &str = "Payments.CashOnDelivery";

const FIRST_NAMES: &[&str] = &[
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy", "Leo",
    "Lily", "Arthur", "Freya", "Muhammad", "Florence", "Oscar", "Grace", "Charlie", "Sophia",
    "Alfie", "Rosie", "Henry", "Evie", "Thomas", "Poppy", "Aoife", "Siân", "Zoë", "Rhys",
];
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "O'Neill",
    "MacDonald",
    "Khan",
    "Hughes",
];
/// (street, town, county, postcode)
const UK_ADDRESSES: &[(&str, &str, &str, &str)] = &[
    ("12 High Street", "Guildford", "Surrey", "GU1 3AJ"),
    ("4 Market Place", "Leeds", "West Yorkshire", "LS1 6DT"),
    ("221B Baker Street", "London", "", "NW1 6XE"),
    ("7 Station Road", "Cardiff", "", "CF10 1EP"),
    ("33 Church Lane", "Birmingham", "West Midlands", "B33 8TH"),
    ("18 Princes Street", "Edinburgh", "", "EH2 2AN"),
    ("9 Victoria Road", "Bristol", "", "BS1 5TR"),
    ("61 Deansgate", "Manchester", "Greater Manchester", "M3 2BW"),
    ("2 Queen Street", "Glasgow", "", "G1 3DN"),
    ("45 Mill Lane", "Croydon", "", "CR2 6XH"),
    ("1 The Green", "York", "North Yorkshire", "YO1 7HH"),
    ("88 King's Road", "Brighton", "East Sussex", "BN1 2FA"),
];
/// (street, town, postcode, country)
const EU_ADDRESSES: &[(&str, &str, &str, &str)] = &[
    ("14 Grafton Street", "Dublin", "D02 X285", "IE"),
    ("8 Rue de Rivoli", "Paris", "75001", "FR"),
    ("Unter den Linden 12", "Berlin", "10117", "DE"),
    ("Prinsengracht 263", "Amsterdam", "1016 GV", "NL"),
    ("Calle Mayor 5", "Madrid", "28013", "ES"),
];
const COMPANIES: &[&str] = &[
    "Hartley Interiors Ltd",
    "Brook & Sons",
    "Northgate Cafe Ltd",
    "Pennine Outdoor Co",
];

#[derive(Debug, Clone)]
struct Person {
    customer_id: i64,
    first: String,
    last: String,
    email: String,
    company: Option<String>,
    address: usize,
    eu: bool,
}

fn r2(d: Decimal) -> Decimal {
    let mut x = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    x.rescale(2);
    x
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("constant decimals are valid")
}

fn email_of(first: &str, last: &str, n: usize) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let domains = ["example.co.uk", "example.com", "mail.example.org"];
    format!(
        "{}.{}{}@{}",
        clean(first),
        clean(last),
        n,
        domains[n % domains.len()]
    )
}

fn person(rng: &mut StdRng, customer_id: i64, n: usize, eu: bool) -> Person {
    let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())].to_string();
    let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())].to_string();
    let company = (rng.gen_bool(0.1)).then(|| COMPANIES[rng.gen_range(0..COMPANIES.len())].into());
    let address = if eu {
        rng.gen_range(0..EU_ADDRESSES.len())
    } else {
        rng.gen_range(0..UK_ADDRESSES.len())
    };
    Person {
        customer_id,
        email: email_of(&first, &last, n),
        first,
        last,
        company,
        address,
        eu,
    }
}

fn address_of(p: &Person, with_email: bool) -> OrderAddress {
    let mut a = OrderAddress {
        first_name: Some(p.first.clone()),
        last_name: Some(p.last.clone()),
        company: p.company.clone(),
        email: with_email.then(|| p.email.clone()),
        phone_number: Some(format!("07700 9{:05}", p.customer_id.rem_euclid(100_000))),
        ..Default::default()
    };
    if p.eu {
        let (street, town, post, country) = EU_ADDRESSES[p.address];
        a.address1 = Some(street.into());
        a.city = Some(town.into());
        a.zip_postal_code = Some(post.into());
        a.country_two_letter_iso_code = Some(country.into());
    } else {
        let (street, town, county, post) = UK_ADDRESSES[p.address];
        a.address1 = Some(street.into());
        a.city = Some(town.into());
        a.county = (!county.is_empty()).then(|| county.into());
        a.zip_postal_code = Some(post.into());
        a.country_two_letter_iso_code = Some("GB".into());
    }
    a
}

struct Line {
    item: CatalogueItem,
    quantity: i64,
    sale: bool,
}

/// Generate a day of orders.
pub fn generate(cfg: &GenConfig) -> Day {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let catalogue = catalogue();
    let mut stock: BTreeMap<String, i64> = catalogue
        .iter()
        .filter_map(|c| c.stock.map(|s| (c.sku.clone(), s)))
        .collect();
    let pool: Vec<Person> = (0..cfg.registered_customers.max(1))
        .map(|i| {
            let eu = i % 10 == 9;
            person(&mut rng, 2001 + i as i64, i, eu)
        })
        .collect();
    let mut guests: Vec<Person> = Vec::new();
    let mut next_guest_id = 9001i64;

    let start: DateTime<Utc> =
        Utc.from_utc_datetime(&cfg.day.and_hms_opt(6, 0, 0).expect("06:00 is a valid time"));
    let span_secs = 16 * 3600i64;
    let n = cfg.orders.max(1) as i64;

    let mut feed: Vec<(i64, usize, FeedItem)> = Vec::new(); // (time, tiebreak, item)
    let mut expectations = BTreeMap::new();

    for k in 0..cfg.orders {
        let order_id = cfg.first_order_id + k as i64;
        let created = start + Duration::seconds(span_secs * k as i64 / n + rng.gen_range(0..30i64));

        // Who orders.
        let guest = rng.gen_bool(cfg.guest_rate);
        let want_eu = rng.gen_bool(cfg.eur_rate);
        let buyer: Person = if guest {
            let returning = !guests.is_empty() && rng.gen_bool(0.2);
            if returning {
                let mut g = guests[rng.gen_range(0..guests.len())].clone();
                g.customer_id = next_guest_id;
                next_guest_id += 1;
                g
            } else if rng.gen_bool(0.05) {
                // A registered customer checking out as a guest with the same e-mail.
                let mut g = pool[rng.gen_range(0..pool.len())].clone();
                g.customer_id = next_guest_id;
                next_guest_id += 1;
                g
            } else {
                let g = person(&mut rng, next_guest_id, 1000 + guests.len(), want_eu);
                next_guest_id += 1;
                guests.push(g.clone());
                g
            }
        } else {
            // Favour the first customers of the pool, so some order many times.
            let a = rng.gen_range(0..pool.len());
            let b = rng.gen_range(0..pool.len());
            pool[a.min(b)].clone()
        };
        let eu = buyer.eu;

        // What they buy.
        let problem = if rng.gen_bool(cfg.problem_rate) {
            Some(if rng.gen_bool(0.5) {
                Problem::UnknownSku
            } else {
                Problem::UnmappedPaymentMethod
            })
        } else {
            None
        };
        let mut lines: Vec<Line> = Vec::new();
        let wanted = 1 + rng.gen_range(0..3) + usize::from(rng.gen_bool(0.2));
        for _ in 0..wanted {
            let item = catalogue[rng.gen_range(0..catalogue.len())].clone();
            if lines.iter().any(|l| l.item.sku == item.sku) {
                continue;
            }
            let mut quantity = if item.sku == "ENERGY-BULB" {
                rng.gen_range(2..7)
            } else if rng.gen_bool(0.75) {
                1
            } else {
                rng.gen_range(2..4)
            };
            if cfg.respect_stock {
                if let Some(left) = stock.get_mut(&item.sku) {
                    quantity = quantity.min(*left);
                    if quantity <= 0 {
                        continue;
                    }
                    *left -= quantity;
                }
            }
            let sale = rng.gen_bool(0.08);
            lines.push(Line {
                item,
                quantity,
                sale,
            });
        }
        if lines.is_empty() {
            // Everything picked was sold out: gift wrap and an e-book are always there.
            let ebook = catalogue
                .iter()
                .find(|c| c.stock.is_none())
                .expect("the seed has products without stock")
                .clone();
            lines.push(Line {
                item: ebook,
                quantity: 1,
                sale: false,
            });
        }
        // nopCommerce's arithmetic is the mapping crate's sample builder (one place for it); we
        // add who ordered, where it goes, and how and when it is paid.
        let sale_discount = |l: &Line| {
            if l.sale {
                r2(l.item.gross * dec("0.15"))
            } else {
                Decimal::ZERO
            }
        };
        let mut sample = SampleOrder::new(
            order_id,
            lines
                .iter()
                .map(|l| SampleLine {
                    product: l.item.index,
                    quantity: l.quantity,
                    unit_discount_incl: sale_discount(l),
                    attributes: l
                        .item
                        .sku
                        .starts_with("TEE")
                        .then(|| "Colour: Natural".to_string()),
                })
                .collect(),
        );
        sample.created_on_utc = created;
        sample.customer_id = buyer.customer_id;
        sample.guest = guest;
        let shelf_total: Decimal = lines
            .iter()
            .map(|l| (l.item.gross - sale_discount(l)) * Decimal::from(l.quantity))
            .sum();
        // A 10% subtotal discount code now and then (nopCommerce applies it to the excl subtotal).
        if rng.gen_bool(0.1) {
            let excl: Decimal = lines
                .iter()
                .map(|l| {
                    (l.item.gross - sale_discount(l)) * Decimal::from(l.quantity)
                        / (Decimal::ONE + l.item.vat / Decimal::ONE_HUNDRED)
                })
                .sum();
            sample.subtotal_discount_excl = r2(excl * dec("0.10"));
        }
        // Shipping: UK £3.99 incl. VAT, free from £40; EU £9.99.
        sample.shipping_incl = if eu {
            dec("9.99")
        } else if shelf_total >= dec("40") {
            Decimal::ZERO
        } else {
            dec("3.99")
        };
        if rng.gen_bool(0.04) && shelf_total > dec("30") {
            sample.order_discount = dec("5.00");
        }
        if rng.gen_bool(0.03) && shelf_total > dec("20") {
            sample.gift_cards = vec![dec("10.00")];
        }
        if eu {
            sample.currency = ("EUR".into(), dec("1.1500"));
        }

        // How they pay.
        let method = if problem == Some(Problem::UnmappedPaymentMethod) {
            UNMAPPED_METHOD
        } else {
            if rng.gen_bool(cfg.cheque_rate) {
                "Payments.CheckMoneyOrder"
            } else {
                match rng.gen_range(0..82) {
                    0..=49 => "Payments.Manual",
                    50..=69 => "Payments.PayPalCommerce",
                    _ => "Payments.Stripe",
                }
            }
        };
        let pays_now = method != "Payments.CheckMoneyOrder" && method != UNMAPPED_METHOD;
        sample.payment_method = method.into();
        sample.paid = pays_now;
        let mut snapshot = build(&sample);
        let mut managed = BTreeMap::new();
        for l in &lines {
            if l.item.stock.is_some() {
                *managed.entry(l.item.sku.clone()).or_insert(0) += l.quantity;
            }
        }
        if problem == Some(Problem::UnknownSku) {
            // A limited edition added to the shop but never to KashFlow: same arithmetic as a mug,
            // another SKU.
            if let Some(item) = snapshot
                .items
                .iter_mut()
                .find(|i| i.sku.as_deref() == Some("MUG-CLASSIC"))
            {
                item.sku = Some(UNKNOWN_SKU.into());
                item.name = "Gold Rim Mug (Limited Edition)".into();
                managed.remove("MUG-CLASSIC");
            } else if let Some(item) = snapshot.items.first_mut() {
                managed.remove(item.sku.as_deref().unwrap_or_default());
                item.sku = Some(UNKNOWN_SKU.into());
                item.name = "Gold Rim Mug (Limited Edition)".into();
            }
        }
        // Snapshot taken at OrderPlacedEvent: still Pending, whatever the payment.
        snapshot.order_status = OrderStatus::Pending;
        snapshot.order_guid = format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            rng.gen::<u32>(),
            rng.gen::<u16>(),
            rng.gen_range(0..0x1000u16),
            rng.gen_range(0..0x1000u16),
            order_id
        );
        snapshot.shipping_method = Some(if eu {
            "International Standard".into()
        } else {
            "Royal Mail Tracked 48".into()
        });
        snapshot.customer = OrderCustomer {
            id: buyer.customer_id,
            email: (!guest).then(|| buyer.email.clone()),
            first_name: (!guest).then(|| buyer.first.clone()),
            last_name: (!guest).then(|| buyer.last.clone()),
            company: if guest { None } else { buyer.company.clone() },
            is_guest: guest,
        };
        snapshot.billing_address = address_of(&buyer, true);
        snapshot.shipping_address = Some(address_of(&buyer, false));
        let order_total = snapshot.order_total;
        let currency = if eu { "EUR" } else { "GBP" };

        // What happens to a cheque order later.
        let mut paid_later = false;
        let mut cancelled = false;
        if method == "Payments.CheckMoneyOrder" {
            let roll: f64 = rng.gen();
            let later = created + Duration::minutes(rng.gen_range(20..240));
            if roll < cfg.cheque_paid_later_rate {
                paid_later = true;
                feed.push((
                    later.timestamp(),
                    k * 2 + 1,
                    FeedItem::Event(json!({
                        "Kind": "OrderPaid",
                        "OrderId": order_id,
                        "Amount": order_total.to_string(),
                        "PaidDateUtc": later.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        "PaymentMethodSystemName": method,
                    })),
                ));
            } else if roll < cfg.cheque_paid_later_rate + cfg.cheque_cancel_rate {
                cancelled = true;
                feed.push((
                    later.timestamp(),
                    k * 2 + 1,
                    FeedItem::Event(json!({"Kind": "OrderCancelled", "OrderId": order_id})),
                ));
            }
        }

        // Refunds of a paid order (the admin refunds after the payment).
        let mut refunds = Vec::new();
        let mut refunded_in_full = false;
        let paid_at = if pays_now {
            Some(created)
        } else if paid_later {
            Some(created + Duration::minutes(240))
        } else {
            None
        };
        let mut refund_rng =
            StdRng::seed_from_u64(cfg.seed ^ (order_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        if let (Some(paid_at), None) = (paid_at, problem) {
            if refund_rng.gen::<f64>() < cfg.refund_rate {
                let cent = Decimal::new(1, 2);
                let part = |share: u32| -> Decimal {
                    ((order_total * Decimal::from(share) / Decimal::from(100)) / cent).floor()
                        * cent
                };
                let plan: Vec<(Decimal, bool)> = match refund_rng.gen_range(0..3) {
                    0 => vec![(order_total, true)],
                    1 => vec![(part(refund_rng.gen_range(10..60)), false)],
                    _ => {
                        let a = part(refund_rng.gen_range(10..40));
                        let b = part(refund_rng.gen_range(10..40));
                        vec![(a, false), (b, false)]
                    }
                };
                let mut refunded = Decimal::ZERO;
                for (n, (amount, full)) in plan.into_iter().enumerate() {
                    if amount <= Decimal::ZERO {
                        continue;
                    }
                    refunded += amount;
                    let at = paid_at + Duration::minutes(300 + 60 * n as i64);
                    refunded_in_full = full;
                    refunds.push(amount);
                    feed.push((
                        at.timestamp(),
                        k * 2 + 1,
                        FeedItem::Event(json!({
                            "Kind": "OrderRefunded",
                            "OrderId": order_id,
                            "Amount": amount.to_string(),
                            "RefundDateUtc": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            "Offline": n % 2 == 1,
                            "Note": format!("Order has been {}refunded. Amount = {amount}", if full { "" } else { "partially " }),
                            "PaymentStatus": if refunded >= order_total { "Refunded" } else { "PartiallyRefunded" },
                            "PaymentMethodSystemName": method,
                        })),
                    ));
                }
            }
        }

        expectations.insert(
            order_id,
            Expectation {
                refunds,
                refunded_in_full,
                order_id,
                problem,
                paid_at_placement: pays_now,
                paid_later,
                cancelled,
                order_total,
                gift_cards: snapshot
                    .gift_card_usage
                    .iter()
                    .filter(|g| !g.is_zero())
                    .count(),
                managed_quantities: managed,
                email: buyer.email.clone(),
                guest,
                currency: currency.into(),
            },
        );
        feed.push((
            created.timestamp(),
            k * 2,
            FeedItem::Order(Box::new(snapshot)),
        ));
    }
    feed.sort_by_key(|(t, i, _)| (*t, *i));
    Day {
        feed: feed.into_iter().map(|(_, _, f)| f).collect(),
        expectations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kashflow_sync::order::parse_snapshot;

    #[test]
    fn same_seed_same_day() {
        let cfg = GenConfig {
            orders: 50,
            ..Default::default()
        };
        let a = generate(&cfg);
        let b = generate(&cfg);
        assert_eq!(a.feed, b.feed);
        let c = generate(&GenConfig { seed: 7, ..cfg });
        assert_ne!(a.feed, c.feed);
    }

    #[test]
    fn every_order_parses_and_adds_up() {
        let day = generate(&GenConfig {
            orders: 400,
            ..Default::default()
        });
        assert_eq!(day.orders().count(), 400);
        for o in day.orders() {
            let json = serde_json::to_vec(o).unwrap();
            let back = parse_snapshot(&json).unwrap_or_else(|e| panic!("order {}: {e}", o.id));
            assert_eq!(&back, o);
            let total = o.order_subtotal_excl_tax - o.order_sub_total_discount_excl_tax
                + o.order_shipping_excl_tax
                + o.order_tax
                - o.order_discount
                - o.gift_card_usage.iter().copied().sum::<Decimal>();
            assert!((r2(total) - o.order_total).abs() <= dec("0.01"), "{}", o.id);
        }
        // The mix the demo promises.
        let ex: Vec<_> = day.expectations.values().collect();
        assert!(ex.iter().any(|e| e.guest) && ex.iter().any(|e| !e.guest));
        assert!(ex.iter().any(|e| e.currency == "EUR"));
        assert!(ex.iter().any(|e| e.paid_later) && ex.iter().any(|e| e.cancelled));
        assert!(ex.iter().any(|e| e.problem == Some(Problem::UnknownSku)));
        assert!(ex
            .iter()
            .any(|e| e.problem == Some(Problem::UnmappedPaymentMethod)));
        let emails: std::collections::BTreeSet<_> = ex.iter().map(|e| &e.email).collect();
        assert!(emails.len() < ex.len(), "some customers come back");
    }

    #[test]
    fn orders_map_unless_a_problem_was_planted() {
        use kashflow_sync::mapping::{map_order, ErrorCode, MappingRules};
        let day = generate(&GenConfig {
            orders: 600,
            problem_rate: 0.05,
            ..Default::default()
        });
        let rules = MappingRules::default();
        for o in day.orders() {
            let e = &day.expectations[&o.id];
            match (map_order(o, &rules), e.problem) {
                (Ok(m), None | Some(Problem::UnknownSku)) => {
                    // The invoice adds up to the order total in the invoice currency.
                    let inv = m.invoice;
                    // The value of the sale: what was paid plus the gift cards (payments).
                    let rate = if e.currency == "EUR" {
                        o.currency_rate
                    } else {
                        Decimal::ONE
                    };
                    let expected = r2(o.order_total * rate)
                        + o.gift_card_usage
                            .iter()
                            .map(|g| r2(*g * rate))
                            .sum::<Decimal>();
                    assert_eq!(inv.gross_total, expected, "order {}", o.id);
                    assert_eq!(
                        inv.payments.iter().any(
                            |p| p.kind == kashflow_sync::mapping::canonical::PaymentKind::Order
                        ),
                        e.paid_at_placement,
                        "order {}",
                        o.id
                    );
                }
                (Err(errs), Some(Problem::UnmappedPaymentMethod)) => {
                    assert_eq!(errs.code(), ErrorCode::UnmappedPaymentMethod, "{errs}");
                }
                (other, p) => panic!("order {}: {p:?} mapped as {other:?}", o.id),
            }
        }
    }

    #[test]
    fn respecting_stock_never_oversells() {
        let day = generate(&GenConfig {
            orders: 1000,
            problem_rate: 0.0,
            ..Default::default()
        });
        let mut sold: BTreeMap<String, i64> = BTreeMap::new();
        for e in day.expectations.values() {
            for (sku, q) in &e.managed_quantities {
                *sold.entry(sku.clone()).or_default() += q;
            }
        }
        for c in catalogue() {
            if let Some(s) = c.stock {
                assert!(sold.get(&c.sku).copied().unwrap_or(0) <= s, "{}", c.sku);
            }
        }
    }
}
