//! The request bodies of every aggregate's commands, and how each becomes a domain command.
//!
//! Requests carry plain values (strings, kopecks, tenths); they are parsed into the domain's types
//! here, so a malformed VIN is a 422 with the domain's code rather than a serde message. Times, the
//! acting employee and the stream id come from the server, never from the body.

pub mod client;
pub mod directory;
pub mod invoice;
pub mod references;
pub mod roles;
pub mod settings;
pub mod vehicle;
pub mod work_order;

use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::DomainError;

pub(crate) fn percent(basis_points: Option<u16>) -> Result<Percent, DomainError> {
    Percent::from_basis_points(basis_points.unwrap_or(0))
}

pub(crate) fn norm_hours(tenths: u32) -> Result<NormHours, DomainError> {
    NormHours::from_tenths(tenths)
}

pub(crate) fn quantity(thousandths: u32) -> Result<Quantity, DomainError> {
    Quantity::from_thousandths(thousandths)
}

pub(crate) fn kopecks(amount: i64) -> Money {
    Money::kopecks(amount)
}

pub(crate) fn optional<T>(
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Option<T>, DomainError> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| parse(&v))
        .transpose()
}
