//! Motorlog's projectors: independent loops that turn the log into read models.
//!
//! [`runtime`] runs any [`Projection`] from its checkpoint; each module beside it is one read model.

pub mod clients;
mod error;
pub mod runtime;

pub use error::ProjectionError;
pub use runtime::{run, Projection, RunOptions};
