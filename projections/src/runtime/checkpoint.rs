//! Every statement on the projectors' checkpoints (`projections.checkpoints`, and the Kafka offsets a
//! reset forgets), in one place and checked against the schema by sqlx: where a projector is, how it
//! moves, what stopped it, and how a rebuild puts it somewhere else.

use event_store::LogPosition;
use sqlx::{PgConnection, PgPool};

use crate::ProjectionError;

fn db(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A projector's checkpoint row, at the start of the log if it has none yet.
pub(crate) async fn register(pool: &PgPool, key: &str) -> Result<(), ProjectionError> {
    sqlx::query!(
        "INSERT INTO projections.checkpoints (projector) VALUES ($1) ON CONFLICT DO NOTHING",
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets where a projector was (and where it was in Kafka's partitions): its next run starts from
/// the beginning.
pub(crate) async fn forget(tx: &mut PgConnection, key: &str) -> Result<(), ProjectionError> {
    sqlx::query!(
        "DELETE FROM projections.checkpoints WHERE projector = $1",
        key
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM projections.kafka_offsets WHERE projector = $1",
        key
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records what stopped a projector at `position`.
pub(crate) async fn record_failure(
    pool: &PgPool,
    key: &str,
    position: &str,
    event_id: Option<uuid::Uuid>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE projections.checkpoints
            SET failed_position = $2, failed_event_id = $3, failed_error = $4, failed_at = now()
          WHERE projector = $1",
        key,
        position,
        event_id,
        error,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The live checkpoint, its row locked until the transaction ends: the live projector cannot move it
/// meanwhile.
pub(crate) async fn locked_checkpoint(
    tx: &mut PgConnection,
    key: &str,
) -> Result<LogPosition, ProjectionError> {
    let row = sqlx::query!(
        "SELECT transaction_id, global_position FROM projections.checkpoints
          WHERE projector = $1 FOR UPDATE",
        key
    )
    .fetch_optional(tx)
    .await?;
    Ok(row.map_or(LogPosition::START, |row| LogPosition {
        transaction_id: u64::try_from(row.transaction_id).unwrap_or(0),
        global_position: u64::try_from(row.global_position).unwrap_or(0),
    }))
}

/// Puts a checkpoint at `position` with `events_applied`, clearing any recorded failure: where a
/// rebuild swapped in leaves the live projector.
pub(crate) async fn set_checkpoint(
    tx: &mut PgConnection,
    key: &str,
    position: LogPosition,
    events_applied: i64,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "INSERT INTO projections.checkpoints (projector, transaction_id, global_position,
                                              events_applied)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (projector) DO UPDATE
            SET transaction_id = $2, global_position = $3, events_applied = $4, updated_at = now(),
                failed_position = NULL, failed_event_id = NULL, failed_error = NULL, failed_at = NULL",
        key,
        db(position.transaction_id),
        db(position.global_position),
        events_applied,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Where a projector stopped (a rebuild in its scratch database), and the events it applied.
pub(crate) async fn built(pool: &PgPool, key: &str) -> Result<(LogPosition, i64), ProjectionError> {
    let row = sqlx::query!(
        "SELECT transaction_id, global_position, events_applied FROM projections.checkpoints
          WHERE projector = $1",
        key
    )
    .fetch_one(pool)
    .await?;
    let position = LogPosition {
        transaction_id: u64::try_from(row.transaction_id).unwrap_or(0),
        global_position: u64::try_from(row.global_position).unwrap_or(0),
    };
    Ok((position, row.events_applied))
}

/// The position a projector has applied the log up to.
pub async fn checkpoint(pool: &PgPool, key: &str) -> Result<LogPosition, ProjectionError> {
    let row = sqlx::query!(
        "SELECT transaction_id, global_position FROM projections.checkpoints WHERE projector = $1",
        key
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map_or(LogPosition::START, |row| LogPosition {
        transaction_id: u64::try_from(row.transaction_id).unwrap_or(0),
        global_position: u64::try_from(row.global_position).unwrap_or(0),
    }))
}

/// Moves a checkpoint from `from` past a batch; a batch that went through also ends any failure
/// recorded before (a database or sink outage that was retried). Refused with `CheckpointMoved` when
/// the checkpoint is no longer at `from`: a rebuild swapped its read model in meanwhile.
pub(crate) async fn move_checkpoint(
    executor: impl sqlx::PgExecutor<'_>,
    key: &str,
    from: LogPosition,
    last: LogPosition,
    applied: i64,
) -> Result<(), ProjectionError> {
    let moved = sqlx::query!(
        "UPDATE projections.checkpoints
            SET transaction_id = $2, global_position = $3, events_applied = events_applied + $4,
                updated_at = now(), failed_position = NULL, failed_event_id = NULL,
                failed_error = NULL, failed_at = NULL
          WHERE projector = $1 AND transaction_id = $5 AND global_position = $6",
        key,
        db(last.transaction_id),
        db(last.global_position),
        applied,
        db(from.transaction_id),
        db(from.global_position),
    )
    .execute(executor)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(ProjectionError::CheckpointMoved(key.to_owned()));
    }
    Ok(())
}

/// A projector's state, for `/health`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectorStatus {
    /// `name:vN`.
    pub projector: String,
    /// Where it is.
    pub position: LogPosition,
    /// Events it applied.
    pub events_applied: i64,
    /// The event that stopped it, and why.
    pub failure: Option<(String, String)>,
}

/// Every projector's checkpoint and failure, if any.
pub async fn statuses(pool: &PgPool) -> Result<Vec<ProjectorStatus>, ProjectionError> {
    let rows = sqlx::query!(
        "SELECT projector, transaction_id, global_position, events_applied, failed_position, failed_error
           FROM projections.checkpoints ORDER BY projector"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ProjectorStatus {
            projector: row.projector,
            position: LogPosition {
                transaction_id: u64::try_from(row.transaction_id).unwrap_or(0),
                global_position: u64::try_from(row.global_position).unwrap_or(0),
            },
            events_applied: row.events_applied,
            failure: row.failed_position.zip(row.failed_error),
        })
        .collect())
}

/// Clears a projector's recorded failure (after the fix is deployed), so it may run again.
pub async fn clear_failure(pool: &PgPool, key: &str) -> Result<(), ProjectionError> {
    sqlx::query!(
        "UPDATE projections.checkpoints
            SET failed_position = NULL, failed_event_id = NULL, failed_error = NULL, failed_at = NULL
          WHERE projector = $1",
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}
