//! Documents a host sends: engine configurations and a realistic order snapshot.
#![allow(dead_code)] // each test file uses a different part

use serde_json::{json, Value};
use std::path::Path;

/// A configuration for an engine journaling under `dir`, in `mode` ("Sandbox" or "Live").
pub fn config(dir: &Path, mode: &str, base_url: Option<&str>) -> Value {
    let mut kashflow = json!({
        "Mode": mode,
        "UserName": "sandbox",
        "Password": "sandbox-password",
        "MemorableWord": "kashflow",
        "TimeoutSeconds": 5
    });
    if let Some(url) = base_url {
        kashflow["BaseUrl"] = json!(url);
    }
    json!({
        "JournalPath": dir.join("journal.sqlite").to_string_lossy(),
        "KashFlow": kashflow,
        "Workers": 2,
        "Retry": { "MaxAttempts": 3, "BaseDelayMs": 50, "MaxDelayMs": 200 }
    })
}

pub fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

/// The order snapshot the host tests send (shared with the C# tests): 3 mugs (20% VAT), a
/// cookbook (0%) and a bulb (5%), £5.99 shipping, paid by card; the numbers follow nopCommerce's
/// arithmetic like the golden fixtures in core/fixtures/orders.
pub const ORDER_TEMPLATE: &str = include_str!("order-snapshot.json");

/// The template snapshot as order `id` (SchemaVersion 1).
pub fn order(id: i64) -> Value {
    let mut v: Value = serde_json::from_str(ORDER_TEMPLATE).unwrap();
    v["Id"] = json!(id);
    v["CustomOrderNumber"] = json!(id.to_string());
    v["OrderGuid"] = json!(format!("b7c8d9e0-f1a2-4b3c-9d4e-{id:012}"));
    v
}

/// A 127.0.0.1 port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
