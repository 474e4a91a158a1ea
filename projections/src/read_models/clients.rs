//! The clients read model: who the shop's clients are, with every phone searchable by any tail.
//!
//! Personal data erased (152-ФЗ): a person's name reads as [`ERASED`], phones and e-mail are gone,
//! the rest (kind, a company's name and INN, discount, archived) stays. The log's earlier events
//! read back with the erased marker in their personal fields, so the same rules apply to them: a
//! phone equal to the marker is not a phone (not listed, not searchable), an e-mail equal to it is
//! none. A rebuild after an erasure thus gives the rows the erasure left.

use aggregates::client::{Client, ClientEvent, ConsentKind, Party};
use aggregates::contact::{Email, Phone};
use aggregates::personal::ERASED;
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::support::{decode, record_id, version};
use crate::{Projection, ProjectionError};

/// Projects `client` streams into `read.clients` and `read.client_phones`.
#[derive(Debug, Clone, Copy)]
pub struct ClientsProjection;

fn reversed_digits(phone: &Phone) -> String {
    phone.digits().chars().rev().collect()
}

/// An e-mail as the column holds it: an erased one is none.
fn email_column(email: Option<Email>) -> Option<String> {
    email.filter(|e| !e.is_erased()).map(String::from)
}

async fn add_phone(
    tx: &mut PgConnection,
    client: Uuid,
    phone: &Phone,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "INSERT INTO client_phones (client_id, phone, reversed_digits, display_name, archived)
         SELECT client_id, $2, $3, display_name, archived FROM clients WHERE client_id = $1
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
pub(crate) fn party_columns(
    party: Party,
) -> (&'static str, String, Option<String>, Option<String>) {
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

/// Moves a name's count in `read.client_names` by `delta`; a name nobody bears any more goes.
async fn count_name(tx: &mut PgConnection, name: &str, delta: i32) -> Result<(), ProjectionError> {
    sqlx::query!(
        "INSERT INTO client_names (name_key, clients) VALUES (lower($1), $2)
         ON CONFLICT (name_key) DO UPDATE SET clients = client_names.clients + EXCLUDED.clients",
        name,
        delta,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM client_names WHERE name_key = lower($1) AND clients <= 0",
        name
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn set_archived(
    tx: &mut PgConnection,
    client: Uuid,
    archived: bool,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "UPDATE clients SET archived = $2 WHERE client_id = $1",
        client,
        archived
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE client_phones SET archived = $2 WHERE client_id = $1",
        client,
        archived
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn set_messages_consent(
    tx: &mut PgConnection,
    client: Uuid,
    given: bool,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "UPDATE clients SET messages_consent = $2 WHERE client_id = $1",
        client,
        given
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Forgets a client's personal data as the domain's fold does: a person's name becomes the marker
/// (counted under it among the names), phones and e-mail go; a company keeps its name. The consent
/// to messages and the channels stay: they are not personal data, and they explain the skips.
async fn erase(tx: &mut PgConnection, client: Uuid) -> Result<(), ProjectionError> {
    let renamed = sqlx::query!(
        r#"WITH old AS (SELECT display_name FROM clients WHERE client_id = $1 AND kind = 'person'),
                erased AS (
                  UPDATE clients SET display_name = $2
                   WHERE client_id = $1 AND kind = 'person' RETURNING display_name)
           SELECT old.display_name AS "old!" FROM old, erased
            WHERE lower(old.display_name) <> lower(erased.display_name)"#,
        client,
        ERASED,
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(renamed) = renamed {
        count_name(tx, &renamed.old, -1).await?;
        count_name(tx, ERASED, 1).await?;
    }
    sqlx::query!(
        "UPDATE clients SET email = NULL WHERE client_id = $1",
        client
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM client_phones WHERE client_id = $1", client)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Registrations inserted together: a rebuild reads thousands in a row, and one statement per table
/// writes them all.
#[derive(Default)]
struct Registrations {
    /// The batch index of the first, which a failed insert is charged to.
    first: usize,
    client_id: Vec<Uuid>,
    kind: Vec<String>,
    display_name: Vec<String>,
    inn: Vec<Option<String>>,
    kpp: Vec<Option<String>>,
    email: Vec<Option<String>>,
    registered_at: Vec<DateTime<Utc>>,
    version: Vec<i64>,
    phone_client_id: Vec<Uuid>,
    phone_client_name: Vec<String>,
    phone: Vec<String>,
    reversed_digits: Vec<String>,
}

impl Registrations {
    fn push(&mut self, index: usize, client: Uuid, version: i64, registered: ClientEvent) {
        let ClientEvent::ClientRegistered {
            party,
            phones,
            email,
            at,
            ..
        } = registered
        else {
            return;
        };
        if self.client_id.is_empty() {
            self.first = index;
        }
        let (kind, name, inn, kpp) = party_columns(party);
        for phone in phones.iter().filter(|p| !p.is_erased()) {
            self.phone_client_id.push(client);
            self.phone_client_name.push(name.clone());
            self.phone.push(phone.as_str().to_owned());
            self.reversed_digits.push(reversed_digits(phone));
        }
        self.client_id.push(client);
        self.kind.push(kind.into());
        self.display_name.push(name);
        self.inn.push(inn);
        self.kpp.push(kpp);
        self.email.push(email_column(email));
        self.registered_at.push(at);
        self.version.push(version);
    }

    async fn insert(&mut self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.client_id.is_empty() {
            return Ok(());
        }
        let taken = std::mem::take(self);
        sqlx::query!(
            "INSERT INTO clients (client_id, kind, display_name, inn, kpp, email, registered_at, version)
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::timestamptz[], $8::bigint[])",
            &taken.client_id,
            &taken.kind,
            &taken.display_name,
            &taken.inn as &[Option<String>],
            &taken.kpp as &[Option<String>],
            &taken.email as &[Option<String>],
            &taken.registered_at,
            &taken.version,
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO client_names (name_key, clients)
             SELECT lower(name), count(*) FROM UNNEST($1::text[]) AS n(name) GROUP BY 1
             ON CONFLICT (name_key) DO UPDATE SET clients = client_names.clients + EXCLUDED.clients",
            &taken.display_name,
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO client_phones (client_id, phone, reversed_digits, display_name)
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[])
             ON CONFLICT DO NOTHING",
            &taken.phone_client_id,
            &taken.phone,
            &taken.reversed_digits,
            &taken.phone_client_name,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

impl ClientsProjection {
    /// Applies a decoded event other than a registration.
    async fn apply_change(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
        decoded: ClientEvent,
    ) -> Result<(), ProjectionError> {
        let client = record_id(event)?;
        let version = version(event);
        // Every arm is explicit: a new event type must be decided on here.
        match decoded {
            registered @ ClientEvent::ClientRegistered { .. } => {
                let mut registration = Registrations::default();
                registration.push(0, client, version, registered);
                return registration.insert(tx).await;
            }
            ClientEvent::ClientDetailsChanged { party } => {
                let (kind, name, inn, kpp) = party_columns(party);
                // The CTE reads the row as it was before the update beside it.
                let renamed = sqlx::query!(
                    r#"WITH old AS (SELECT display_name FROM clients WHERE client_id = $1),
                            changed AS (
                              UPDATE clients SET kind = $2, display_name = $3, inn = $4, kpp = $5
                               WHERE client_id = $1 RETURNING display_name)
                       SELECT old.display_name AS "old!", changed.display_name AS "new!",
                              lower(old.display_name) <> lower(changed.display_name) AS "renamed!"
                         FROM old, changed"#,
                    client,
                    kind,
                    name,
                    inn,
                    kpp,
                )
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(renamed) = renamed.filter(|r| r.renamed) {
                    count_name(tx, &renamed.old, -1).await?;
                    count_name(tx, &renamed.new, 1).await?;
                    sqlx::query!(
                        "UPDATE client_phones SET display_name = $2 WHERE client_id = $1",
                        client,
                        renamed.new
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
            // An erased phone is no phone: nothing to list, and nothing listed under it.
            ClientEvent::ClientPhoneAdded { phone } if phone.is_erased() => {}
            ClientEvent::ClientPhoneRemoved { phone } if phone.is_erased() => {}
            ClientEvent::ClientPhoneAdded { phone } => add_phone(tx, client, &phone).await?,
            ClientEvent::ClientPhoneRemoved { phone } => {
                sqlx::query!(
                    "DELETE FROM client_phones WHERE client_id = $1 AND phone = $2",
                    client,
                    phone.as_str()
                )
                .execute(&mut *tx)
                .await?;
            }
            ClientEvent::ClientEmailChanged { email } => {
                sqlx::query!(
                    "UPDATE clients SET email = $2 WHERE client_id = $1",
                    client,
                    email_column(email)
                )
                .execute(&mut *tx)
                .await?;
            }
            ClientEvent::ClientDiscountSet { discount } => {
                sqlx::query!(
                    "UPDATE clients SET discount_bp = $2 WHERE client_id = $1",
                    client,
                    i32::from(discount.basis_points())
                )
                .execute(&mut *tx)
                .await?;
            }
            ClientEvent::ClientArchived { .. } => set_archived(tx, client, true).await?,
            ClientEvent::ClientRestored { .. } => set_archived(tx, client, false).await?,
            ClientEvent::ClientPersonalDataErased { .. } => erase(tx, client).await?,
            // Whether the shop may write to the client: staff answer "why did I get nothing?"
            // from it. The consent to process personal data is the card's, not this list's.
            ClientEvent::ClientConsentGiven {
                kind: ConsentKind::Messages,
                ..
            } => set_messages_consent(tx, client, true).await?,
            ClientEvent::ClientConsentWithdrawn {
                kind: ConsentKind::Messages,
                ..
            } => set_messages_consent(tx, client, false).await?,
            ClientEvent::ClientConsentGiven {
                kind: ConsentKind::PersonalData,
                ..
            }
            | ClientEvent::ClientConsentWithdrawn {
                kind: ConsentKind::PersonalData,
                ..
            } => {}
            ClientEvent::ClientChannelsChosen { channels } => {
                sqlx::query!(
                    "UPDATE clients SET channel_sms = $2, channel_email = $3 WHERE client_id = $1",
                    client,
                    channels.sms,
                    channels.email
                )
                .execute(&mut *tx)
                .await?;
            }
            // Notes belong to the client card, not this list.
            ClientEvent::ClientNoteAdded { .. } => {}
        }
        let updated = sqlx::query!(
            "UPDATE clients SET version = $2 WHERE client_id = $1",
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

impl Projection for ClientsProjection {
    const NAME: &'static str = "clients";
    // 2: the consent to messages and the channels (read.clients' new columns), refilled from the log.
    const VERSION: u32 = 2;
    const TABLES: &'static [&'static str] =
        &["read.clients", "read.client_phones", "read.client_names"];

    fn handles(&self, event: &RecordedEvent) -> bool {
        event.stream.stream_type == Client::STREAM_TYPE
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        self.apply_change(tx, event, decode::<ClientEvent>(event)?)
            .await
    }

    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let mut applied = 0;
        let mut registrations = Registrations::default();
        for (index, event) in events.iter().enumerate() {
            if !self.handles(event) {
                continue;
            }
            applied += 1;
            let decoded: ClientEvent = decode(event).map_err(|e| (index, e))?;
            if matches!(decoded, ClientEvent::ClientRegistered { .. }) {
                let client = record_id(event).map_err(|e| (index, e))?;
                let version = version(event);
                registrations.push(index, client, version, decoded);
                continue;
            }
            // Registrations before a change are written first: the change may be to one of them.
            let first = registrations.first;
            registrations.insert(tx).await.map_err(|e| (first, e))?;
            self.apply_change(tx, event, decoded)
                .await
                .map_err(|e| (index, e))?;
        }
        let first = registrations.first;
        registrations.insert(tx).await.map_err(|e| (first, e))?;
        Ok(applied)
    }
}
