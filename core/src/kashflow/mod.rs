//! Everything that speaks KashFlow REST v2: the wire model, the typed client and the sandbox.
pub mod model;
pub mod wire;
