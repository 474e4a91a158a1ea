//! The request bodies of every aggregate's commands, and how each becomes a domain command.
//!
//! Requests carry plain values (strings, kopecks, tenths); they are parsed into the domain's types
//! here, so a malformed VIN is a 422 with the domain's code rather than a serde message. Times, the
//! acting employee and the stream id come from the server, never from the body.

pub mod approval_message;
pub mod attachment;
pub mod client;
pub mod directory;
pub mod invoice;
pub mod parts;
pub mod planning;
pub mod purchasing;
pub mod references;
pub mod roles;
pub mod settings;
pub mod stock;
pub mod timesheet;
pub mod vehicle;
pub mod work_order;

use aggregates::contact::{Email, Phone};
use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::personal::ERASED;
use aggregates::DomainError;
use event_store::EventStoreError;
use personal_data::{PersonalDataError, SubjectKind};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ApiError;

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

/// A phone as typed. The erased marker is refused as reserved, not as a malformed phone: it is what
/// readers show for destroyed data, so the answer says why it cannot be a value.
pub(crate) fn phone(raw: &str) -> Result<Phone, DomainError> {
    not_erased_marker(raw, "phone")?;
    Phone::parse(raw)
}

/// An e-mail as typed; the erased marker is refused as reserved (see [`phone`]).
pub(crate) fn email(raw: &str) -> Result<Email, DomainError> {
    not_erased_marker(raw, "email")?;
    Email::parse(raw)
}

fn not_erased_marker(raw: &str, field: &'static str) -> Result<(), DomainError> {
    if raw.trim() == ERASED {
        return Err(DomainError::ReservedValue { field });
    }
    Ok(())
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

/// Destroys a data subject's key inside the append's transaction, after the erasure event was
/// inserted: the event and the destroyed key commit together, and a failure rolls both back. The
/// domain refuses a second erasure and checks the basis before this is reached.
pub(crate) async fn erase(
    tx: &mut PgConnection,
    subject: Uuid,
    kind: SubjectKind,
    by: Uuid,
    basis: &str,
) -> Result<(), ApiError> {
    match personal_data::erase_in(tx, subject, kind, by, basis).await {
        Ok(_) => Ok(()),
        Err(PersonalDataError::Database(error)) => Err(ApiError::Database(error)),
        // A kind mismatch or a basis the domain let through: ours, told to the log only.
        Err(other) => Err(ApiError::Store(EventStoreError::PersonalData(
            other.to_string(),
        ))),
    }
}
