//! Everything that speaks KashFlow: the model, the two transports (`rest`, `soap`) behind the
//! `transport` seam, what they share (errors, rate limiter, secrets, limits) and the sandbox.
pub mod caseless;
pub mod credit_note;
pub mod error;
pub(crate) mod http_client;
pub mod limits;
pub mod model;
pub mod ratelimit;
pub mod rest;
pub mod sandbox;
pub mod secret;
pub mod soap;
pub mod transport;
pub mod wire;

pub use error::{FailureClass, KfError};
pub use rest::{ClientConfig, KashFlowClient, Page};
pub use secret::Secret;
