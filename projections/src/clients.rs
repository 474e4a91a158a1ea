//! The clients read model: who the shop's clients are, with every phone searchable by any tail.

use aggregates::client::{Client, ClientEvent, Party};
use aggregates::contact::Phone;
use aggregates::Aggregate;
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{Projection, ProjectionError};

/// Projects `client` streams into `read.clients` and `read.client_phones`.
#[derive(Debug, Clone, Copy)]
pub struct ClientsProjection;

fn decode(event: &RecordedEvent) -> Result<ClientEvent, ProjectionError> {
    serde_json::from_value(event.payload.clone()).map_err(|e| ProjectionError::Undecodable {
        event_type: event.event_type.clone(),
        reason: e.to_string(),
    })
}

fn client_id(event: &RecordedEvent) -> Result<Uuid, ProjectionError> {
    Uuid::parse_str(&event.stream.id)
        .map_err(|_| ProjectionError::Inconsistent(format!("client stream id {}", event.stream)))
}

fn reversed_digits(phone: &Phone) -> String {
    phone.digits().chars().rev().collect()
}

async fn add_phone(
    tx: &mut PgConnection,
    client: Uuid,
    phone: &Phone,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "INSERT INTO read.client_phones (client_id, phone, reversed_digits) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        client,
        phone.as_str(),
        reversed_digits(phone),
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// A party as the read model's columns: kind, display name, INN, KPP.
fn party_columns(party: Party) -> (&'static str, String, Option<String>, Option<String>) {
    match party {
        Party::Person { full_name } => ("person", full_name, None, None),
        Party::Company {
            legal_name,
            inn,
            kpp,
        } => (
            "company",
            legal_name,
            Some(inn.to_string()),
            kpp.map(|k| k.to_string()),
        ),
    }
}

async fn set_archived(
    tx: &mut PgConnection,
    client: Uuid,
    archived: bool,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "UPDATE read.clients SET archived = $2 WHERE client_id = $1",
        client,
        archived
    )
    .execute(tx)
    .await?;
    Ok(())
}

impl Projection for ClientsProjection {
    const NAME: &'static str = "clients";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &["read.clients", "read.client_phones"];

    fn handles(&self, event: &RecordedEvent) -> bool {
        event.stream.stream_type == Client::STREAM_TYPE
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let client = client_id(event)?;
        let version = i64::try_from(event.version).unwrap_or(i64::MAX);
        // Every arm is explicit: a new event type must be decided on here.
        match decode(event)? {
            ClientEvent::ClientRegistered {
                party,
                phones,
                email,
                at,
                ..
            } => {
                let (kind, name, inn, kpp) = party_columns(party);
                sqlx::query!(
                    "INSERT INTO read.clients (client_id, kind, display_name, inn, kpp, email, registered_at, version)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    client,
                    kind,
                    name,
                    inn,
                    kpp,
                    email.map(|e| e.to_string()),
                    at,
                    version,
                )
                .execute(&mut *tx)
                .await?;
                for phone in &phones {
                    add_phone(tx, client, phone).await?;
                }
                return Ok(());
            }
            ClientEvent::ClientDetailsChanged { party } => {
                let (kind, name, inn, kpp) = party_columns(party);
                sqlx::query!(
                    "UPDATE read.clients SET kind = $2, display_name = $3, inn = $4, kpp = $5 WHERE client_id = $1",
                    client,
                    kind,
                    name,
                    inn,
                    kpp,
                )
                .execute(&mut *tx)
                .await?;
            }
            ClientEvent::ClientPhoneAdded { phone } => add_phone(tx, client, &phone).await?,
            ClientEvent::ClientPhoneRemoved { phone } => {
                sqlx::query!(
                    "DELETE FROM read.client_phones WHERE client_id = $1 AND phone = $2",
                    client,
                    phone.as_str()
                )
                .execute(&mut *tx)
                .await?;
            }
            ClientEvent::ClientEmailChanged { email } => {
                sqlx::query!(
                    "UPDATE read.clients SET email = $2 WHERE client_id = $1",
                    client,
                    email.map(|e| e.to_string())
                )
                .execute(&mut *tx)
                .await?;
            }
            ClientEvent::ClientDiscountSet { discount } => {
                sqlx::query!(
                    "UPDATE read.clients SET discount_bp = $2 WHERE client_id = $1",
                    client,
                    i32::from(discount.basis_points())
                )
                .execute(&mut *tx)
                .await?;
            }
            ClientEvent::ClientArchived { .. } => set_archived(tx, client, true).await?,
            ClientEvent::ClientRestored { .. } => set_archived(tx, client, false).await?,
            // Consents and notes belong to the client card, not this list.
            ClientEvent::ClientConsentGiven { .. }
            | ClientEvent::ClientConsentWithdrawn { .. }
            | ClientEvent::ClientNoteAdded { .. } => {}
        }
        let updated = sqlx::query!(
            "UPDATE read.clients SET version = $2 WHERE client_id = $1",
            client,
            version
        )
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(ProjectionError::Inconsistent(format!(
                "{} v{} for a client never registered",
                event.event_type, event.version
            )));
        }
        Ok(())
    }
}
