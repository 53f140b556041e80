//! The flow document's types (`"Version": 1`): flows of trigger → conditions → steps, as the
//! admin's designer edits them and the engine runs them. Read only through [`super::read`] (every
//! problem at once, each on the box it concerns); written with serde in the same shape.

use rust_decimal::Decimal;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// The version of the document's shape this engine reads.
pub const FLOWS_VERSION: u32 = 1;

/// A whole flow document: the flows, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FlowDocument {
    pub version: u32,
    pub flows: Vec<Flow>,
}

/// One flow: when `trigger` happens to something that passes `when`, run `steps` in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Flow {
    /// A slug, `[a-z0-9-]{1,40}`, unique in the document (the engine records it with each order).
    pub id: String,
    /// What the merchant calls it (1 to 100 characters).
    pub name: String,
    pub enabled: bool,
    pub trigger: Trigger,
    /// `None`: always.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    pub steps: Vec<Step>,
}

macro_rules! names {
    ($ty:ident { $($v:ident),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];
            pub const NAMES: &'static [&'static str] = &[$(stringify!($v)),+];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => stringify!($v)),+ }
            }
            pub fn parse(s: &str) -> Option<$ty> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// What starts a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    OrderPlaced,
    OrderPaid,
    OrderShipped,
    OrderDelivered,
    OrderCompleted,
    OrderRefunded,
    OrderCancelled,
    CustomerRegistered,
    CustomerChanged,
    ProductChanged,
}
names!(Trigger {
    OrderPlaced,
    OrderPaid,
    OrderShipped,
    OrderDelivered,
    OrderCompleted,
    OrderRefunded,
    OrderCancelled,
    CustomerRegistered,
    CustomerChanged,
    ProductChanged
});

/// What a trigger is about, which decides the conditions and steps it can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Placed, paid, shipped, delivered, completed: the order's invoice and what goes with it.
    Order,
    /// Refunded, cancelled: a credit note against the order's invoice.
    OrderReversal,
    Customer,
    Product,
}

impl Trigger {
    pub fn subject(self) -> Subject {
        match self {
            Trigger::OrderPlaced
            | Trigger::OrderPaid
            | Trigger::OrderShipped
            | Trigger::OrderDelivered
            | Trigger::OrderCompleted => Subject::Order,
            Trigger::OrderRefunded | Trigger::OrderCancelled => Subject::OrderReversal,
            Trigger::CustomerRegistered | Trigger::CustomerChanged => Subject::Customer,
            Trigger::ProductChanged => Subject::Product,
        }
    }
}

/// A condition box: all of, any of, not, or one test.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test(Test),
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Condition::Test(t) => t.serialize(s),
            Condition::All(c) => single(s, "All", c),
            Condition::Any(c) => single(s, "Any", c),
            Condition::Not(c) => single(s, "Not", c),
        }
    }
}

fn single<S: Serializer, T: Serialize + ?Sized>(s: S, key: &str, v: &T) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(key, v)?;
    m.end()
}

/// One test on the order (or customer, or product): `Field Op Value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Test {
    pub field: Field,
    pub op: Op,
    pub value: TestValue,
}

/// What a test looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The store's name or id.
    Store,
    /// The payment method's system name (`Payments.Manual`).
    PaymentMethod,
    /// One of the customer's role system names.
    CustomerRole,
    /// The billing address's two-letter country code.
    BillingCountry,
    /// The currency the customer paid in.
    Currency,
    HasVatNumber,
    /// The order total in the primary store currency.
    OrderTotal,
    /// One of the items' SKUs.
    ProductSku,
    /// One of the items' category names.
    ProductCategory,
}
names!(Field {
    Store,
    PaymentMethod,
    CustomerRole,
    BillingCountry,
    Currency,
    HasVatNumber,
    OrderTotal,
    ProductSku,
    ProductCategory
});

/// How a test compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    AtLeast,
    AtMost,
    Between,
    Is,
}
names!(Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    AtLeast,
    AtMost,
    Between,
    Is
});

/// A test's value, already checked against its field and operator.
#[derive(Debug, Clone, PartialEq)]
pub enum TestValue {
    Text(String),
    List(Vec<String>),
    Amount(Decimal),
    Range(Decimal, Decimal),
    Flag(bool),
}

impl Serialize for TestValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TestValue::Text(t) => s.serialize_str(t),
            TestValue::List(l) => l.serialize(s),
            // Amounts as strings: exact, as the designer writes them.
            TestValue::Amount(a) => s.serialize_str(&a.to_string()),
            TestValue::Range(lo, hi) => [lo.to_string(), hi.to_string()].serialize(s),
            TestValue::Flag(b) => s.serialize_bool(*b),
        }
    }
}

/// How an order's KashFlow customer is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerMode {
    /// Each nopCommerce customer is their own KashFlow customer (found by e-mail, else created).
    PerCustomer,
    /// Every matching order goes to one KashFlow customer, found by its code or created once.
    RollUp { code: String, name: String },
}

/// The nopCommerce order status an `OrderStatus` step moves the order to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetStatus {
    Processing,
    Complete,
}
names!(TargetStatus {
    Processing,
    Complete
});

/// One step box, with its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Customer(CustomerMode),
    Invoice {
        /// Sales nominal for the product lines instead of the rules' `Nominals.Sales`.
        nominal: Option<i64>,
        /// KashFlow project number on every line.
        project_id: Option<i64>,
    },
    Payment,
    OrderNote,
    OrderStatus(TargetStatus),
    Stock,
    CreditNote,
    Product {
        update_price: bool,
    },
}

/// The step kinds, as the document names them.
pub const STEP_NAMES: &[&str] = &[
    "Customer",
    "Invoice",
    "Payment",
    "OrderNote",
    "OrderStatus",
    "Stock",
    "CreditNote",
    "Product",
];

impl Step {
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Customer(_) => "Customer",
            Step::Invoice { .. } => "Invoice",
            Step::Payment => "Payment",
            Step::OrderNote => "OrderNote",
            Step::OrderStatus(_) => "OrderStatus",
            Step::Stock => "Stock",
            Step::CreditNote => "CreditNote",
            Step::Product { .. } => "Product",
        }
    }

    /// The step in a merchant's words, for the dry run and the preview ("Invoice: nominal 4010").
    pub fn describe(&self) -> String {
        match self {
            Step::Customer(CustomerMode::PerCustomer) => "Customer: per customer".into(),
            Step::Customer(CustomerMode::RollUp { code, name }) => {
                format!("Customer: roll-up {code} ({name})")
            }
            Step::Invoice {
                nominal,
                project_id,
            } => {
                let mut parts = Vec::new();
                if let Some(n) = nominal {
                    parts.push(format!("nominal {n}"));
                }
                if let Some(p) = project_id {
                    parts.push(format!("project {p}"));
                }
                if parts.is_empty() {
                    "Invoice".into()
                } else {
                    format!("Invoice: {}", parts.join(", "))
                }
            }
            Step::Payment => "Payment".into(),
            Step::OrderNote => "Order note".into(),
            Step::OrderStatus(s) => format!("Order status: {s}"),
            Step::Stock => "Stock".into(),
            Step::CreditNote => "Credit note".into(),
            Step::Product { update_price } => {
                if *update_price {
                    "Product: create or update, with price".into()
                } else {
                    "Product: create or update".into()
                }
            }
        }
    }
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("Step", self.kind())?;
        match self {
            Step::Customer(CustomerMode::PerCustomer) => {
                m.serialize_entry("Mode", "PerCustomer")?
            }
            Step::Customer(CustomerMode::RollUp { code, name }) => {
                m.serialize_entry("Mode", "RollUp")?;
                m.serialize_entry("RollUpCode", code)?;
                m.serialize_entry("RollUpName", name)?;
            }
            Step::Invoice {
                nominal,
                project_id,
            } => {
                if let Some(n) = nominal {
                    m.serialize_entry("Nominal", &n.to_string())?;
                }
                if let Some(p) = project_id {
                    m.serialize_entry("ProjectId", p)?;
                }
            }
            Step::OrderStatus(st) => m.serialize_entry("Status", st.as_str())?,
            Step::Product { update_price } => m.serialize_entry("UpdatePrice", update_price)?,
            Step::Payment | Step::OrderNote | Step::Stock | Step::CreditNote => {}
        }
        m.end()
    }
}

impl FlowDocument {
    /// The flows for `trigger`, enabled or not, in document order.
    pub fn for_trigger(&self, trigger: Trigger) -> impl Iterator<Item = &Flow> {
        self.flows.iter().filter(move |f| f.trigger == trigger)
    }

    /// The flow with this id.
    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.id == id)
    }

    /// Some enabled flow has a step of this kind (e.g. "Stock": the stock pull is wanted).
    pub fn uses_step(&self, kind: &str) -> bool {
        self.flows
            .iter()
            .any(|f| f.enabled && f.steps.iter().any(|s| s.kind() == kind))
    }
}

impl Flow {
    pub fn step(&self, kind: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.kind() == kind)
    }
}
