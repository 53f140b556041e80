//! Order event documents from the host: `OrderPaid`, `OrderCancelled`, `OrderRefunded`.
//!
//! Read by hand from a `serde_json::Value` (not a tagged serde enum, which cannot read numbers
//! under `arbitrary_precision`), so every error names its field. Amounts are `Decimal`, accepted as
//! JSON numbers or strings. Unknown fields are ignored: the plugin may send more context.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::error::EngineError;
use super::header::parse_utc;

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
        let obj = v.as_object().ok_or_else(|| {
            EngineError::invalid_document("the payment must be a JSON object", None)
        })?;
        let order_id = order_id(v)?;
        let amount = match obj.get("Amount") {
            Some(a) => decimal(a).ok_or_else(|| {
                EngineError::invalid_document(
                    format!("Amount must be a decimal number, found {a}"),
                    Some("Amount"),
                )
            })?,
            None => {
                return Err(EngineError::invalid_document(
                    "Amount is missing from the OrderPaid event",
                    Some("Amount"),
                ))
            }
        };
        if amount.is_sign_negative() {
            return Err(EngineError::invalid_document(
                format!("Amount must not be negative, found {amount}"),
                Some("Amount"),
            ));
        }
        let paid_date_utc = match obj.get("PaidDateUtc") {
            Some(Value::String(s)) => parse_utc(s).ok_or_else(|| {
                EngineError::invalid_document(
                    format!("PaidDateUtc '{s}' is not a date and time"),
                    Some("PaidDateUtc"),
                )
            })?,
            _ => {
                return Err(EngineError::invalid_document(
                    "PaidDateUtc is missing from the OrderPaid event or is not a string",
                    Some("PaidDateUtc"),
                ))
            }
        };
        let payment_method_system_name = match obj.get("PaymentMethodSystemName") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(EngineError::invalid_document(
                    format!("PaymentMethodSystemName must be a string, found {other}"),
                    Some("PaymentMethodSystemName"),
                ))
            }
        };
        Ok(PaymentEvent {
            order_id,
            amount,
            paid_date_utc,
            payment_method_system_name,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    Paid(PaymentEvent),
    Cancelled {
        order_id: i64,
    },
    /// A full or partial refund; `amount` is this refund only (primary currency).
    Refunded {
        order_id: i64,
        amount: Option<Decimal>,
    },
}

impl OrderEvent {
    pub fn parse(json: &[u8]) -> Result<Self, EngineError> {
        let v: Value = serde_json::from_slice(json).map_err(|e| {
            EngineError::invalid_document(format!("the event is not valid JSON: {e}"), None)
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
            "OrderCancelled" => Ok(OrderEvent::Cancelled {
                order_id: order_id(v)?,
            }),
            "OrderRefunded" => {
                let order_id = order_id(v)?;
                let amount = match v.get("Amount") {
                    None | Some(Value::Null) => None,
                    Some(a) => Some(decimal(a).ok_or_else(|| {
                        EngineError::invalid_document(
                            format!("Amount must be a decimal number, found {a}"),
                            Some("Amount"),
                        )
                    })?),
                };
                Ok(OrderEvent::Refunded { order_id, amount })
            }
            other => Err(EngineError::invalid_document(
                format!(
                    "unknown event Kind '{other}' (expected OrderPaid, OrderCancelled or OrderRefunded)"
                ),
                Some("Kind"),
            )),
        }
    }

    pub fn order_id(&self) -> i64 {
        match self {
            OrderEvent::Paid(p) => p.order_id,
            OrderEvent::Cancelled { order_id } | OrderEvent::Refunded { order_id, .. } => *order_id,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            OrderEvent::Paid(_) => "OrderPaid",
            OrderEvent::Cancelled { .. } => "OrderCancelled",
            OrderEvent::Refunded { .. } => "OrderRefunded",
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
            OrderEvent::Cancelled { order_id } => {
                json!({"Kind": "OrderCancelled", "OrderId": order_id})
            }
            OrderEvent::Refunded { order_id, amount } => json!({
                "Kind": "OrderRefunded",
                "OrderId": order_id,
                "Amount": amount.map(|a| a.to_string()),
            }),
        }
    }
}

fn order_id(v: &Value) -> Result<i64, EngineError> {
    match v.get("OrderId") {
        None | Some(Value::Null) => Err(EngineError::invalid_document(
            "OrderId is missing from the event",
            Some("OrderId"),
        )),
        Some(id) => id.as_i64().filter(|i| *i > 0).ok_or_else(|| {
            EngineError::invalid_document(
                format!("OrderId must be a positive whole number, found {id}"),
                Some("OrderId"),
            )
        }),
    }
}

fn decimal(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(&text).ok())
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
            OrderEvent::Cancelled { order_id: 123 }
        );
        let r =
            OrderEvent::parse(br#"{"Kind":"OrderRefunded","OrderId":123,"Amount":5.00}"#).unwrap();
        assert_eq!(
            r,
            OrderEvent::Refunded {
                order_id: 123,
                amount: Some("5.00".parse().unwrap())
            }
        );
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
        assert_eq!(
            path(r#"{"Kind":"OrderShipped","OrderId":1}"#).as_deref(),
            Some("Kind")
        );
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
