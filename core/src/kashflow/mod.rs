//! Everything that speaks KashFlow REST v2: the wire model, the typed client and the sandbox.
pub mod caseless;
pub mod credit_note;
pub mod error;
pub mod limits;
pub mod model;
pub mod ratelimit;
pub mod rest;
pub mod sandbox;
pub mod secret;
pub mod wire;

pub use error::{FailureClass, KfError};
pub use rest::{ClientConfig, KashFlowClient, Page};
pub use secret::Secret;
