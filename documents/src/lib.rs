//! The shop's printed documents: заказ-наряд at intake, акт выполненных работ at handover, счёт на
//! оплату for a company payer and a payment receipt, typeset as PDF by typst used as a library.
//!
//! The caller fills the [`model`] from the log's facts (the query API folds the streams); this
//! crate only lays them out. It computes no money (the domain did), reads no clock (dates come
//! from the events) and fetches nothing (templates and fonts are compiled in), so one closed order
//! prints the same bytes every time. The layout is in `templates/*.typ`, one per document; the
//! data reaches them as JSON values, never as markup.

pub mod error;
pub mod model;
mod render;
pub mod sample;
mod world;

pub use error::DocumentError;
pub use model::Document;
pub use render::render;
