//! Everything that speaks KashFlow REST v2: the wire model, the typed client and the sandbox.
pub mod caseless;
pub mod client;
pub mod credit_note;
pub mod error;
pub mod limits;
pub mod model;
pub mod ratelimit;
pub mod sandbox;
pub mod secret;
pub mod wire;

pub use client::{ClientConfig, KashFlowClient, Page};
pub use error::{FailureClass, KfError};
pub use secret::Secret;
