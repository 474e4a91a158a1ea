//! The key store: each data subject's data key, wrapped, in the `keys` schema apart from the log.
//!
//! It is the only thing erasure deletes. Its promises:
//! - one key per subject, however many tasks ask for it first at once (`INSERT … ON CONFLICT DO
//!   NOTHING`, then read back whichever row won);
//! - never a new key for an erased subject: making a key and erasing take the same per-subject
//!   transaction lock, so an erasure cannot slip between "not erased" and "insert";
//! - rotation re-wraps keys under the current master key in batches, leaving events alone.
//!
//! Who may do what is in `event-store/src/roles.sql`: the command API makes keys and erases; the
//! projectors and auth make and read keys; the query API nothing. [`KeyStore::rewrap`] UPDATEs,
//! which no service role may: it runs as the database owner, like the migrations.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{DataKey, MasterKeys, PersonalDataError, Result, SubjectKind, WrappedKey};

/// The longest erasure basis kept (a request number or a regulation's clause, not a letter).
const MAX_BASIS_LEN: usize = 500;

/// A subject's key, as readers need to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// The key: its fields open.
    Live(DataKey),
    /// Erased: its fields read as [`ERASED`](crate::ERASED).
    Erased,
    /// No key and no erasure: nothing was ever sealed for this subject.
    Unknown,
}

/// What an erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Erasure {
    /// When the subject was erased (the first time, for a repeated erasure).
    pub at: DateTime<Utc>,
    /// It had been erased before: this call changed nothing.
    pub already_erased: bool,
    /// A data key was destroyed (false for a subject that never had one).
    pub key_destroyed: bool,
}

/// The data keys of the data subjects, wrapped under the master keys.
#[derive(Debug, Clone)]
pub struct KeyStore {
    pool: PgPool,
    masters: Arc<MasterKeys>,
}

impl KeyStore {
    /// A key store on `pool` (a service's role, see the module doc), wrapping under `masters`.
    pub fn new(pool: PgPool, masters: MasterKeys) -> Self {
        Self {
            pool,
            masters: Arc::new(masters),
        }
    }

    /// The database the keys are in (the log's: a codec reads a subject named by another event).
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The subject's data key, made on first use; refuses an erased subject
    /// ([`PersonalDataError::Erased`]) and a subject of another kind.
    pub async fn key_for(&self, subject: Uuid, kind: SubjectKind) -> Result<DataKey> {
        // One round trip (migration 20261204000005): the stored key, or under the subject's lock
        // "erased" or this fresh one. Wrapping a key nobody may keep costs microseconds; a second
        // trip to learn whether it is needed costs a round trip.
        let fresh = self.masters.wrap(subject, &DataKey::generate())?;
        let row = sqlx::query!(
            r#"SELECT subject_kind, master_key_id, wrapped, erased AS "erased!"
                 FROM keys.data_key_for($1, $2, $3, $4)"#,
            subject,
            kind.as_str(),
            fresh.master_key_id,
            fresh.bytes
        )
        .fetch_one(&self.pool)
        .await?;
        if row.erased {
            return Err(PersonalDataError::Erased(subject));
        }
        // A key row's columns are NOT NULL; the function's signature cannot say so.
        match (row.subject_kind, row.master_key_id, row.wrapped) {
            (Some(stored_kind), Some(master_key_id), Some(bytes)) => {
                self.unwrap_as(subject, kind, &stored_kind, master_key_id, bytes)
            }
            _ => Err(PersonalDataError::MissingKey(subject)),
        }
    }

    /// The key states of `subjects`, in one query (a projector's batch, an export): every subject
    /// asked for is in the map.
    pub async fn keys_for(&self, subjects: &[Uuid]) -> Result<HashMap<Uuid, KeyState>> {
        let mut unique = subjects.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let rows = sqlx::query!(
            r#"SELECT s.subject_id AS "subject_id!", d.master_key_id AS "master_key_id?",
                      d.wrapped AS "wrapped?", e.subject_id IS NOT NULL AS "erased!"
                 FROM unnest($1::uuid[]) AS s (subject_id)
                 LEFT JOIN keys.data_keys d ON d.subject_id = s.subject_id
                 LEFT JOIN keys.erasures e ON e.subject_id = s.subject_id"#,
            &unique
        )
        .fetch_all(&self.pool)
        .await?;
        let mut states = HashMap::with_capacity(rows.len());
        for row in rows {
            let state = match (row.erased, row.master_key_id, row.wrapped) {
                // Erasure deletes the key in the same transaction; should both ever show, the
                // erasure wins: showing erased data is the one thing that must not happen.
                (true, _, _) => KeyState::Erased,
                (false, Some(master_key_id), Some(bytes)) => {
                    let wrapped = WrappedKey {
                        master_key_id,
                        bytes,
                    };
                    KeyState::Live(self.masters.unwrap(row.subject_id, &wrapped)?)
                }
                (false, _, _) => KeyState::Unknown,
            };
            states.insert(row.subject_id, state);
        }
        Ok(states)
    }

    /// Erases the subject in a transaction of its own (see [`erase_in`]); a failed erasure
    /// (a kind mismatch, a bad basis) rolls back whole.
    pub async fn erase(
        &self,
        subject: Uuid,
        kind: SubjectKind,
        by: Uuid,
        basis: &str,
    ) -> Result<Erasure> {
        let mut tx = self.pool.begin().await?;
        let erasure = erase_in(&mut tx, subject, kind, by, basis).await?;
        tx.commit().await?;
        Ok(erasure)
    }

    /// Re-wraps every data key not under the current master key, `batch_size` keys a transaction,
    /// and returns how many. Rows another re-wrap holds are skipped (`SKIP LOCKED`), so two can run
    /// at once. Events are untouched: the data keys themselves do not change. Runs as the
    /// database owner (no service role may UPDATE keys).
    pub async fn rewrap(&self, batch_size: u32) -> Result<usize> {
        let current = self.masters.current_id();
        let batch_size = i64::from(batch_size.max(1));
        let mut total = 0;
        loop {
            let mut tx = self.pool.begin().await?;
            let rows = sqlx::query!(
                "SELECT subject_id, master_key_id, wrapped FROM keys.data_keys
                  WHERE master_key_id <> $1
                  ORDER BY subject_id
                  LIMIT $2
                  FOR UPDATE SKIP LOCKED",
                current,
                batch_size
            )
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                return Ok(total);
            }
            let mut subjects = Vec::with_capacity(rows.len());
            let mut rewrapped = Vec::with_capacity(rows.len());
            for row in rows {
                let old = WrappedKey {
                    master_key_id: row.master_key_id,
                    bytes: row.wrapped,
                };
                let key = self.masters.unwrap(row.subject_id, &old)?;
                subjects.push(row.subject_id);
                rewrapped.push(self.masters.wrap(row.subject_id, &key)?.bytes);
            }
            sqlx::query!(
                "UPDATE keys.data_keys d
                    SET master_key_id = $1, wrapped = u.wrapped, rewrapped_at = now()
                   FROM unnest($2::uuid[], $3::bytea[]) AS u (subject_id, wrapped)
                  WHERE d.subject_id = u.subject_id",
                current,
                &subjects,
                &rewrapped
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            total += subjects.len();
            tracing::info!(
                batch = subjects.len(),
                total,
                master_key_id = current,
                "data keys re-wrapped"
            );
        }
    }

    fn unwrap_as(
        &self,
        subject: Uuid,
        kind: SubjectKind,
        stored_kind: &str,
        master_key_id: String,
        bytes: Vec<u8>,
    ) -> Result<DataKey> {
        if stored_kind != kind.as_str() {
            return Err(PersonalDataError::KindMismatch {
                subject,
                stored: stored_kind.to_owned(),
                asked: kind.as_str(),
            });
        }
        self.masters.unwrap(
            subject,
            &WrappedKey {
                master_key_id,
                bytes,
            },
        )
    }
}

/// Serialises making a subject's key with erasing it, until the transaction ends. The two-key
/// form with the class `'keys'` (0x6b657973) keeps clear of the projectors' one-key locks.
async fn lock_subject(tx: &mut PgConnection, subject: Uuid) -> Result<()> {
    sqlx::query_scalar!(
        r#"SELECT true AS "locked!" FROM pg_advisory_xact_lock(1801812339, hashtext($1::uuid::text))"#,
        subject
    )
    .fetch_one(tx)
    .await?;
    Ok(())
}

async fn erased_at(tx: &mut PgConnection, subject: Uuid) -> Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar!(
        "SELECT erased_at FROM keys.erasures WHERE subject_id = $1",
        subject
    )
    .fetch_optional(tx)
    .await?)
}

/// Erases the subject inside the caller's transaction: the command API destroys the key in the
/// same transaction as the event that records the erasure, so neither exists without the other.
/// Destroys the data key and records the erasure (who, when, on what basis, nothing personal). A
/// repeated erasure changes nothing and says so. `basis` is a reference (a request number, a
/// clause), 1–500 characters. Dropping the transaction undoes it.
pub async fn erase_in(
    tx: &mut PgConnection,
    subject: Uuid,
    kind: SubjectKind,
    by: Uuid,
    basis: &str,
) -> Result<Erasure> {
    let basis = basis.trim();
    if basis.is_empty() || basis.chars().count() > MAX_BASIS_LEN {
        return Err(PersonalDataError::Basis(MAX_BASIS_LEN));
    }
    lock_subject(tx, subject).await?;
    if let Some(at) = erased_at(tx, subject).await? {
        return Ok(Erasure {
            at,
            already_erased: true,
            key_destroyed: false,
        });
    }
    let destroyed = sqlx::query_scalar!(
        "DELETE FROM keys.data_keys WHERE subject_id = $1 RETURNING subject_kind",
        subject
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(stored) = destroyed.as_deref().filter(|s| *s != kind.as_str()) {
        return Err(PersonalDataError::KindMismatch {
            subject,
            stored: stored.to_owned(),
            asked: kind.as_str(),
        });
    }
    let at = sqlx::query_scalar!(
        "INSERT INTO keys.erasures (subject_id, subject_kind, erased_by, basis)
             VALUES ($1, $2, $3, $4)
             RETURNING erased_at",
        subject,
        kind.as_str(),
        by,
        basis
    )
    .fetch_one(&mut *tx)
    .await?;
    tracing::info!(%subject, kind = kind.as_str(), %by, "personal data erased");
    Ok(Erasure {
        at,
        already_erased: false,
        key_destroyed: destroyed.is_some(),
    })
}
