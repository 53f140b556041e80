//! Order event documents from the host: `OrderPaid`, `OrderCancelled`, `OrderVoided`,
//! `OrderRefunded`, the milestones `OrderShipped`, `OrderDelivered` and `OrderCompleted` (flow
//! triggers: an invoice a flow posts on dispatch waits for them), and the credit-note job
//! payload they lead to.
//!
//! Read through [`super::document`]: `Kind` picks the document type (read first, by hand: serde's
//! tagged enums buffer their content and lose `arbitrary_precision` numbers), then serde reads
//! it, so every error names its field. Amounts are `Decimal`, accepted as JSON numbers or strings;
//! flags are JSON booleans only (a `"true"` string is an error, never read leniently). `null` is
//! absent. Unknown fields are ignored: the plugin may send more context.

use crate::mapping::text::quote;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::document::{self, fields::Amount, fields::Ordinal, fields::PositiveId, fields::UtcTime};
use super::error::EngineError;

/// A payment the host reports; becomes the payload of a `RecordPayment` job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    pub order_id: i64,
    pub amount: Decimal,
    pub paid_date_utc: DateTime<Utc>,
    pub payment_method_system_name: Option<String>,
}

impl PaymentEvent {
    /// The canonical payload stored with the job (amount as a string, exact).
    pub fn to_value(&self) -> Value {
        json!({
            "OrderId": self.order_id,
            "Amount": self.amount.to_string(),
            "PaidDateUtc": self.paid_date_utc.to_rfc3339(),
            "PaymentMethodSystemName": self.payment_method_system_name,
        })
    }

    /// Read a stored payload (or an event document) back.
    pub fn from_value(v: &Value) -> Result<Self, EngineError> {
        let doc: PaidDocument = read(v, "the payment")?;
        if doc.amount.0.is_sign_negative() {
            return Err(EngineError::invalid_document(
                format!("Amount must not be negative, found {}", doc.amount.0),
                Some("Amount"),
            ));
        }
        Ok(PaymentEvent {
            order_id: doc.order_id.0,
            amount: doc.amount.0,
            paid_date_utc: doc.paid_date_utc.0,
            payment_method_system_name: doc.payment_method_system_name,
        })
    }
}

/// A refund the host reports (`OrderRefunded`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefundEvent {
    pub order_id: i64,
    /// This refund only, in the primary store currency; `None`: not stated.
    pub amount: Option<Decimal>,
    /// When the refund was made (UTC); the credit note is dated on its UK date.
    pub refund_date_utc: Option<DateTime<Utc>>,
    /// Refunded by hand outside the payment gateway ("Refund (offline)"); money still went back.
    pub offline: bool,
    /// The order note or reason nopCommerce recorded with the refund.
    pub note: Option<String>,
    /// The order's payment status after the refund (`Refunded` means the whole order).
    pub payment_status: Option<String>,
    pub payment_method_system_name: Option<String>,
}

impl RefundEvent {
    /// The whole order was refunded (nopCommerce payment status `Refunded`).
    pub fn is_full(&self) -> bool {
        self.payment_status
            .as_deref()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("Refunded"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    Paid(PaymentEvent),
    Cancelled {
        order_id: i64,
        /// When it was cancelled (UTC), if the host said.
        date_utc: Option<DateTime<Utc>>,
    },
    /// The payment was voided (`OrderVoidedEvent`): no money moved.
    Voided {
        order_id: i64,
        date_utc: Option<DateTime<Utc>>,
    },
    /// A full or partial refund.
    Refunded(RefundEvent),
    /// The order was shipped, delivered or completed in nopCommerce: a flow trigger.
    Milestone {
        order_id: i64,
        kind: Milestone,
        date_utc: Option<DateTime<Utc>>,
    },
    /// The admin releases a held partial refund (`Steps.HoldPartialRefunds`): itemised (`Items`:
    /// invoice lines, 1-based in the invoice's line order, and quantities) or, with no items,
    /// spread over the VAT rates. `Restock`: the itemised goods come back into stock.
    CreditRelease {
        order_id: i64,
        seq: u32,
        items: Vec<CreditItem>,
        restock: bool,
    },
}

/// A point in an order's life after payment that a flow can wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    Shipped,
    Delivered,
    Completed,
}

impl Milestone {
    const ALL: [Milestone; 3] = [
        Milestone::Shipped,
        Milestone::Delivered,
        Milestone::Completed,
    ];

    /// The event's wire name (the names live in [`OrderEvent::kind_name`], with every other).
    pub fn wire_name(self) -> &'static str {
        OrderEvent::Milestone {
            order_id: 0,
            kind: self,
            date_utc: None,
        }
        .kind_name()
    }

    fn parse(kind: &str) -> Option<Milestone> {
        Self::ALL.into_iter().find(|m| m.wire_name() == kind)
    }
}

/// One invoice line of an itemised credit note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditItem {
    /// 1-based position of the line on the invoice.
    pub line: u32,
    pub quantity: Decimal,
}

impl CreditItem {
    fn to_value(&self) -> Value {
        json!({"Line": self.line, "Quantity": self.quantity.to_string()})
    }
}

/// Why a credit note is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum CreditCause {
    Refund,
    Cancellation,
    Void,
}

impl CreditCause {
    pub fn as_str(self) -> &'static str {
        match self {
            CreditCause::Refund => "Refund",
            CreditCause::Cancellation => "Cancellation",
            CreditCause::Void => "Void",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            CreditCause::Refund,
            CreditCause::Cancellation,
            CreditCause::Void,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// The payload of a `PostCreditNote` job: one credit note for one refund, cancellation or void.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRequest {
    pub order_id: i64,
    /// 1 for the order's first credit note; fixes its number (see `sync::credit_note`).
    pub seq: u32,
    pub cause: CreditCause,
    /// Credit everything the invoice still has (a full refund, a cancellation, a void).
    pub full: bool,
    /// The refund's amount in the primary store currency (partial refunds).
    pub amount: Option<Decimal>,
    pub date_utc: DateTime<Utc>,
    /// Money went back to the customer: record the refund payment.
    pub money_back: bool,
    pub offline: bool,
    pub note: Option<String>,
    pub payment_method_system_name: Option<String>,
    /// Itemised (released by the admin): credit these invoice lines instead of spreading.
    pub items: Vec<CreditItem>,
    /// The itemised goods come back into stock (product codes kept).
    pub restock: bool,
}

impl CreditRequest {
    /// The credit note `event` asks for once the invoice exists (`None` for a payment). `seq` is
    /// 1 here; the journal gives the real one. `received` dates an event that carries no date.
    pub fn for_event(event: &OrderEvent, received: DateTime<Utc>) -> Option<CreditRequest> {
        let whole = |order_id, cause, date: Option<DateTime<Utc>>| CreditRequest {
            order_id,
            seq: 1,
            cause,
            full: true,
            amount: None,
            date_utc: date.unwrap_or(received),
            money_back: false,
            offline: false,
            note: None,
            payment_method_system_name: None,
            items: Vec::new(),
            restock: false,
        };
        match event {
            OrderEvent::Paid(_)
            | OrderEvent::CreditRelease { .. }
            | OrderEvent::Milestone { .. } => None,
            OrderEvent::Cancelled { order_id, date_utc } => {
                Some(whole(*order_id, CreditCause::Cancellation, *date_utc))
            }
            OrderEvent::Voided { order_id, date_utc } => {
                Some(whole(*order_id, CreditCause::Void, *date_utc))
            }
            OrderEvent::Refunded(r) => Some(CreditRequest {
                order_id: r.order_id,
                seq: 1,
                cause: CreditCause::Refund,
                full: r.is_full() || r.amount.is_none(),
                amount: r.amount,
                date_utc: r.refund_date_utc.unwrap_or(received),
                money_back: true,
                offline: r.offline,
                note: r.note.clone(),
                payment_method_system_name: r.payment_method_system_name.clone(),
                items: Vec::new(),
                restock: false,
            }),
        }
    }

    pub fn to_value(&self) -> Value {
        json!({
            "OrderId": self.order_id,
            "Seq": self.seq,
            "Cause": self.cause.as_str(),
            "Full": self.full,
            "Amount": self.amount.map(|a| a.to_string()),
            "DateUtc": self.date_utc.to_rfc3339(),
            "MoneyBack": self.money_back,
            "Offline": self.offline,
            "Note": self.note,
            "PaymentMethodSystemName": self.payment_method_system_name,
            "Items": self.items.iter().map(CreditItem::to_value).collect::<Vec<_>>(),
            "Restock": self.restock,
        })
    }

    pub fn from_value(v: &Value) -> Result<Self, EngineError> {
        let doc: CreditDocument = read(v, "the credit-note job")?;
        Ok(CreditRequest {
            order_id: doc.order_id.0,
            seq: doc.seq.0,
            cause: doc.cause,
            full: doc.full,
            amount: doc.amount.map(|a| a.0),
            date_utc: doc.date_utc.0,
            money_back: doc.money_back,
            offline: doc.offline,
            note: doc.note,
            payment_method_system_name: doc.payment_method_system_name,
            items: items(doc.items),
            restock: doc.restock,
        })
    }
}

impl OrderEvent {
    pub fn parse(json: &[u8]) -> Result<Self, EngineError> {
        let v: Value = serde_json::from_slice(json).map_err(|e| {
            EngineError::invalid_document(
                format!("the event is not valid JSON: {}", quote(&e.to_string())),
                None,
            )
        })?;
        Self::from_value(&v)
    }

    pub fn from_value(v: &Value) -> Result<Self, EngineError> {
        if !v.is_object() {
            return Err(EngineError::invalid_document(
                "the event must be a JSON object",
                None,
            ));
        }
        let kind = v.get("Kind").and_then(Value::as_str).ok_or_else(|| {
            EngineError::invalid_document("Kind is missing from the event", Some("Kind"))
        })?;
        match kind {
            "OrderPaid" => Ok(OrderEvent::Paid(PaymentEvent::from_value(v)?)),
            "OrderCancelled" => {
                let doc: CancelledDocument = read(v, "the event")?;
                Ok(OrderEvent::Cancelled {
                    order_id: doc.order_id.0,
                    date_utc: doc.cancelled_date_utc.map(|d| d.0),
                })
            }
            "OrderVoided" => {
                let doc: VoidedDocument = read(v, "the event")?;
                Ok(OrderEvent::Voided {
                    order_id: doc.order_id.0,
                    date_utc: doc.voided_date_utc.map(|d| d.0),
                })
            }
            "OrderRefunded" => {
                let doc: RefundedDocument = read(v, "the event")?;
                if let Some(a) = doc.amount.filter(|a| a.0 <= Decimal::ZERO) {
                    return Err(EngineError::invalid_document(
                        format!("Amount must be more than 0, found {}", a.0),
                        Some("Amount"),
                    ));
                }
                Ok(OrderEvent::Refunded(RefundEvent {
                    order_id: doc.order_id.0,
                    amount: doc.amount.map(|a| a.0),
                    refund_date_utc: doc.refund_date_utc.map(|d| d.0),
                    offline: doc.offline,
                    note: doc.note,
                    payment_status: doc.payment_status,
                    payment_method_system_name: doc.payment_method_system_name,
                }))
            }
            "CreditNoteRelease" => {
                let doc: ReleaseDocument = read(v, "the event")?;
                Ok(OrderEvent::CreditRelease {
                    order_id: doc.order_id.0,
                    seq: doc.seq.0,
                    items: items(doc.items),
                    restock: doc.restock,
                })
            }
            other if Milestone::parse(other).is_some() => {
                let doc: MilestoneDocument = read(v, "the event")?;
                Ok(OrderEvent::Milestone {
                    order_id: doc.order_id.0,
                    kind: Milestone::parse(other).unwrap_or(Milestone::Shipped),
                    date_utc: doc.occurred_on_utc.map(|d| d.0),
                })
            }
            other => Err(EngineError::invalid_document(
                format!(
                    "unknown event Kind '{}' (expected OrderPaid, OrderShipped, OrderDelivered, OrderCompleted, OrderCancelled, OrderVoided, OrderRefunded or CreditNoteRelease)",
                    quote(other)
                ),
                Some("Kind"),
            )),
        }
    }

    pub fn order_id(&self) -> i64 {
        match self {
            OrderEvent::Paid(p) => p.order_id,
            OrderEvent::Cancelled { order_id, .. } | OrderEvent::Voided { order_id, .. } => {
                *order_id
            }
            OrderEvent::Refunded(r) => r.order_id,
            OrderEvent::CreditRelease { order_id, .. } => *order_id,
            OrderEvent::Milestone { order_id, .. } => *order_id,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            OrderEvent::Paid(_) => "OrderPaid",
            OrderEvent::Cancelled { .. } => "OrderCancelled",
            OrderEvent::Voided { .. } => "OrderVoided",
            OrderEvent::Refunded(_) => "OrderRefunded",
            OrderEvent::CreditRelease { .. } => "CreditNoteRelease",
            OrderEvent::Milestone {
                kind: Milestone::Shipped,
                ..
            } => "OrderShipped",
            OrderEvent::Milestone {
                kind: Milestone::Delivered,
                ..
            } => "OrderDelivered",
            OrderEvent::Milestone {
                kind: Milestone::Completed,
                ..
            } => "OrderCompleted",
        }
    }

    /// The event in canonical form, as stored in the journal's event log.
    pub fn to_value(&self) -> Value {
        match self {
            OrderEvent::Paid(p) => {
                let mut v = p.to_value();
                v["Kind"] = json!("OrderPaid");
                v
            }
            OrderEvent::Cancelled { order_id, date_utc } => {
                let mut v = json!({"Kind": "OrderCancelled", "OrderId": order_id});
                if let Some(d) = date_utc {
                    v["CancelledDateUtc"] = json!(d.to_rfc3339());
                }
                v
            }
            OrderEvent::Voided { order_id, date_utc } => {
                let mut v = json!({"Kind": "OrderVoided", "OrderId": order_id});
                if let Some(d) = date_utc {
                    v["VoidedDateUtc"] = json!(d.to_rfc3339());
                }
                v
            }
            OrderEvent::Milestone {
                order_id,
                kind,
                date_utc,
            } => {
                let mut v = json!({"Kind": kind.wire_name(), "OrderId": order_id});
                if let Some(d) = date_utc {
                    v["OccurredOnUtc"] = json!(d.to_rfc3339());
                }
                v
            }
            OrderEvent::CreditRelease {
                order_id,
                seq,
                items,
                restock,
            } => json!({
                "Kind": "CreditNoteRelease",
                "OrderId": order_id,
                "Seq": seq,
                "Items": items.iter().map(CreditItem::to_value).collect::<Vec<_>>(),
                "Restock": restock,
            }),
            OrderEvent::Refunded(r) => json!({
                "Kind": "OrderRefunded",
                "OrderId": r.order_id,
                "Amount": r.amount.map(|a| a.to_string()),
                "RefundDateUtc": r.refund_date_utc.map(|d| d.to_rfc3339()),
                "Offline": r.offline,
                "Note": r.note,
                "PaymentStatus": r.payment_status,
                "PaymentMethodSystemName": r.payment_method_system_name,
            }),
        }
    }
}

/// Read one document with [`document::read`] (`null` is absent); errors are `InvalidDocument`
/// naming the field.
fn read<T: DeserializeOwned>(v: &Value, what: &str) -> Result<T, EngineError> {
    if !v.is_object() {
        return Err(EngineError::invalid_document(
            format!("{what} must be a JSON object"),
            None,
        ));
    }
    let mut v = v.clone();
    document::strip_nulls(&mut v);
    document::read(&v, &[]).map_err(|f| EngineError::invalid_document(f.message, f.path.as_deref()))
}

fn items(items: Vec<ItemDocument>) -> Vec<CreditItem> {
    items
        .into_iter()
        .map(|i| CreditItem {
            line: i.line.0,
            quantity: i.quantity.0,
        })
        .collect()
}

// The documents as the host (or the journal) writes them.

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PaidDocument {
    order_id: PositiveId,
    amount: Amount,
    paid_date_utc: UtcTime,
    payment_method_system_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CancelledDocument {
    order_id: PositiveId,
    cancelled_date_utc: Option<UtcTime>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MilestoneDocument {
    order_id: PositiveId,
    occurred_on_utc: Option<UtcTime>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VoidedDocument {
    order_id: PositiveId,
    voided_date_utc: Option<UtcTime>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RefundedDocument {
    order_id: PositiveId,
    amount: Option<Amount>,
    refund_date_utc: Option<UtcTime>,
    #[serde(default)]
    offline: bool,
    note: Option<String>,
    payment_status: Option<String>,
    payment_method_system_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReleaseDocument {
    order_id: PositiveId,
    seq: Ordinal,
    #[serde(default)]
    items: Vec<ItemDocument>,
    #[serde(default)]
    restock: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ItemDocument {
    line: Ordinal,
    quantity: Quantity,
}

/// An item quantity: above 0.
struct Quantity(Decimal);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let a = Amount::deserialize(d)?;
        if a.0 > Decimal::ZERO {
            Ok(Quantity(a.0))
        } else {
            Err(serde::de::Error::custom(format!(
                "must be a quantity above 0, found {}",
                a.0
            )))
        }
    }
}

/// A `PostCreditNote` job's payload, as [`CreditRequest::to_value`] stores it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreditDocument {
    order_id: PositiveId,
    seq: Ordinal,
    cause: CreditCause,
    #[serde(default)]
    full: bool,
    amount: Option<Amount>,
    date_utc: UtcTime,
    #[serde(default)]
    money_back: bool,
    #[serde(default)]
    offline: bool,
    note: Option<String>,
    payment_method_system_name: Option<String>,
    #[serde(default)]
    items: Vec<ItemDocument>,
    #[serde(default)]
    restock: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_contract_events() {
        let e = OrderEvent::parse(br#"{"Kind":"OrderPaid","OrderId":123,"Amount":12.34,"PaidDateUtc":"2026-05-01T10:00:00Z","PaymentMethodSystemName":"Payments.Manual"}"#).unwrap();
        let OrderEvent::Paid(p) = &e else {
            panic!("not paid")
        };
        assert_eq!(p.amount.to_string(), "12.34");
        assert_eq!(
            p.payment_method_system_name.as_deref(),
            Some("Payments.Manual")
        );
        let same = OrderEvent::parse(br#"{"Kind":"OrderPaid","OrderId":123,"Amount":"12.34","PaidDateUtc":"2026-05-01T10:00:00Z","PaymentMethodSystemName":"Payments.Manual"}"#).unwrap();
        assert_eq!(e.to_value(), same.to_value());

        assert_eq!(
            OrderEvent::parse(br#"{"Kind":"OrderCancelled","OrderId":123}"#).unwrap(),
            OrderEvent::Cancelled {
                order_id: 123,
                date_utc: None
            }
        );
        let r =
            OrderEvent::parse(br#"{"Kind":"OrderRefunded","OrderId":123,"Amount":5.00}"#).unwrap();
        assert_eq!(
            r,
            OrderEvent::Refunded(RefundEvent {
                order_id: 123,
                amount: Some("5.00".parse().unwrap()),
                ..Default::default()
            })
        );
        let full = OrderEvent::parse(br#"{"Kind":"OrderRefunded","OrderId":123,"Amount":"5.00","RefundDateUtc":"2026-05-01T23:30:00Z","Offline":true,"Note":"Damaged","PaymentStatus":"Refunded"}"#).unwrap();
        let OrderEvent::Refunded(f) = &full else {
            panic!("not a refund")
        };
        assert!(f.is_full() && f.offline);
        assert_eq!(f.note.as_deref(), Some("Damaged"));
        assert_eq!(OrderEvent::from_value(&full.to_value()).unwrap(), full);
        let v = OrderEvent::parse(br#"{"Kind":"OrderVoided","OrderId":9}"#).unwrap();
        assert_eq!(v.kind_name(), "OrderVoided");
        let req = CreditRequest {
            order_id: 9,
            seq: 2,
            cause: CreditCause::Refund,
            full: false,
            amount: Some("3.10".parse().unwrap()),
            date_utc: f.refund_date_utc.unwrap(),
            money_back: true,
            offline: false,
            note: None,
            payment_method_system_name: Some("Payments.Manual".into()),
            items: vec![CreditItem {
                line: 2,
                quantity: Decimal::ONE,
            }],
            restock: true,
        };
        assert_eq!(CreditRequest::from_value(&req.to_value()).unwrap(), req);
        let rel = OrderEvent::parse(
            br#"{"Kind":"CreditNoteRelease","OrderId":9,"Seq":2,"Items":[{"Line":1,"Quantity":"2"}],"Restock":true}"#,
        )
        .unwrap();
        assert_eq!(OrderEvent::from_value(&rel.to_value()).unwrap(), rel);
        let bad = OrderEvent::parse(
            br#"{"Kind":"CreditNoteRelease","OrderId":9,"Seq":2,"Items":[{"Line":0,"Quantity":"2"}]}"#,
        )
        .unwrap_err();
        assert_eq!(bad.path(), Some("Items[0].Line"));
        // payload round trip
        let back = PaymentEvent::from_value(&p.to_value()).unwrap();
        assert_eq!(&back, p);
    }

    #[test]
    fn bad_events_name_the_field() {
        let path = |s: &str| {
            OrderEvent::parse(s.as_bytes())
                .unwrap_err()
                .path()
                .map(str::to_string)
        };
        assert_eq!(path(r#"{"OrderId":1}"#).as_deref(), Some("Kind"));
        // Flags are booleans, in events and in the journal's credit requests alike.
        assert_eq!(
            path(r#"{"Kind":"OrderRefunded","OrderId":1,"Offline":"true"}"#).as_deref(),
            Some("Offline")
        );
        assert_eq!(
            path(r#"{"Kind":"CreditNoteRelease","OrderId":1,"Seq":1,"Restock":1}"#).as_deref(),
            Some("Restock")
        );
        // A bad value is quoted at bounded length, however long it is.
        let huge = "x".repeat(1_000_000);
        for doc in [
            format!(r#"{{"Kind":"{huge}","OrderId":1}}"#),
            format!(r#"{{"Kind":"OrderPaid","OrderId":1,"PaidDateUtc":"{huge}"}}"#),
            format!(r#"{{"Kind":"OrderPaid","OrderId":1,"PaidDateUtc":["{huge}"]}}"#),
        ] {
            let e = OrderEvent::parse(doc.as_bytes()).unwrap_err();
            assert!(
                e.to_string().len() < 1_000,
                "{} characters",
                e.to_string().len()
            );
        }
        assert_eq!(
            path(r#"{"Kind":"OrderLost","OrderId":1}"#).as_deref(),
            Some("Kind")
        );
        // Milestones (flow triggers) name their fields too, and read back the same.
        assert_eq!(
            path(r#"{"Kind":"OrderShipped","OrderId":1,"OccurredOnUtc":"soon"}"#).as_deref(),
            Some("OccurredOnUtc")
        );
        assert_eq!(
            path(r#"{"Kind":"OrderDelivered"}"#).as_deref(),
            Some("OrderId")
        );
        let e = OrderEvent::parse(
            br#"{"Kind":"OrderCompleted","OrderId":7,"OccurredOnUtc":"2026-05-03T09:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(e.kind_name(), "OrderCompleted");
        assert_eq!(OrderEvent::from_value(&e.to_value()).unwrap(), e);
        assert_eq!(
            path(r#"{"Kind":"OrderCancelled"}"#).as_deref(),
            Some("OrderId")
        );
        assert_eq!(
            path(r#"{"Kind":"OrderCancelled","OrderId":-4}"#).as_deref(),
            Some("OrderId")
        );
        assert_eq!(
            path(r#"{"Kind":"OrderPaid","OrderId":1,"Amount":"ten","PaidDateUtc":"2026-05-01T10:00:00Z"}"#).as_deref(),
            Some("Amount")
        );
        assert_eq!(
            path(r#"{"Kind":"OrderPaid","OrderId":1,"Amount":1}"#).as_deref(),
            Some("PaidDateUtc")
        );
        assert_eq!(
            OrderEvent::parse(b"nope").unwrap_err().code(),
            "InvalidDocument"
        );
    }
}
