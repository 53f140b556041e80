//! KashFlow Sync core: the order snapshot contract, mapping to a canonical invoice, the KashFlow
//! REST v2 client and sandbox, and the durable sync engine.
pub mod backoff;
pub mod engine;
pub mod flows;
pub mod kashflow;
pub mod mapping;
pub mod money;
pub mod order;
pub mod sync;
