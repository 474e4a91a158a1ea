//! The shop's first owner and default roles, and setting employees' passwords.
//!
//! There is no default password anywhere in the code: the first owner is created from the command line
//! (`motorlog-auth create-owner`) or from `MOTORLOG_OWNER_*` variables on the first start, and every
//! other employee gets an initial password from someone allowed to edit staff.

use std::collections::BTreeSet;

use aggregates::contact::{Email, Phone};
use aggregates::directory::Code;
use aggregates::ids::EmployeeId;
use aggregates::permission::Actor;
use aggregates::role::{default_roles, Role, RoleCommand, OWNER};
use aggregates::staff::{RolePermissions, Staff, StaffCommand};
use aggregates::{Aggregate, DomainEvent, Versioned};
use chrono::Utc;
use event_store::{EventStore, EventStoreError, ExpectedVersion, Metadata, NewEvent, StreamId};
use sqlx::PgPool;
use uuid::Uuid;

use crate::password::PasswordHasherPool;
use crate::revocation::SessionGuard;
use crate::{sessions, AuthError};

/// A domain event in the log's envelope.
pub fn new_event<E: DomainEvent>(event: &E, metadata: &Metadata) -> Result<NewEvent, AuthError> {
    let payload = serde_json::to_value(event).map_err(|e| AuthError::Internal(e.to_string()))?;
    Ok(NewEvent::new(
        event.event_type(),
        event.schema_version(),
        payload,
        metadata.clone(),
    ))
}

/// Creates the five default roles that do not exist yet.
pub async fn ensure_default_roles(
    store: &EventStore,
    metadata: &Metadata,
) -> Result<(), AuthError> {
    for role in default_roles() {
        let stream = StreamId::new(Role::STREAM_TYPE, role.code);
        if store.stream_version(&stream).await? > 0 {
            continue;
        }
        let events = Role::default().decide(RoleCommand::Create {
            code: Code::parse(role.code)?,
            name: role.name.to_owned(),
            permissions: role.permissions,
            // The service itself sets the shop up, with the authority of the owner it is for.
            by: Actor::owner(),
        })?;
        let events = events
            .iter()
            .map(|e| new_event(e, metadata))
            .collect::<Result<Vec<_>, _>>()?;
        match store
            .append(&stream, ExpectedVersion::NoStream, &events)
            .await
        {
            // Another instance created it at the same moment: fine.
            Ok(_) | Err(EventStoreError::VersionConflict { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// The first owner's details.
#[derive(Debug, Clone)]
pub struct FirstOwner {
    /// Full name.
    pub full_name: String,
    /// Login e-mail.
    pub email: Email,
    /// Login phone, if any.
    pub phone: Option<Phone>,
    /// Initial password.
    pub password: String,
}

/// Creates the default roles and the first owner, unless the shop has an active owner already.
///
/// Returns the new owner's id, or `None` when an owner existed.
pub async fn create_first_owner(
    store: &EventStore,
    hasher: &PasswordHasherPool,
    shop: &str,
    owner: FirstOwner,
) -> Result<Option<Uuid>, AuthError> {
    let metadata = Metadata::system("system:bootstrap");
    ensure_default_roles(store, &metadata).await?;
    let stream = StreamId::new(Staff::STREAM_TYPE, shop);
    let history = store.read_stream(&stream, 0).await?;
    let mut staff = Versioned::<Staff>::default();
    for recorded in &history {
        let event = serde_json::from_value(recorded.payload.clone())
            .map_err(|e| AuthError::Internal(format!("staff event: {e}")))?;
        staff = staff.apply(&event);
    }
    if staff.state.active_owners() > 0 {
        return Ok(None);
    }
    // Hash before writing anything, so a weak password leaves no owner without credentials.
    let hash = hasher.hash(&owner.password).await?;
    let employee_id = EmployeeId(Uuid::now_v7());
    let roles: BTreeSet<Code> = [Code::parse(OWNER)?].into();
    let events = staff.state.decide(StaffCommand::Hire {
        employee_id,
        full_name: owner.full_name,
        position: "Владелец".into(),
        email: Some(owner.email),
        phone: owner.phone,
        roles,
        at: Utc::now(),
        // Only a shop without an owner gets one this way: the service acts as the owner to be.
        by: Actor::owner(),
        role_permissions: RolePermissions::new(),
    })?;
    let events = events
        .iter()
        .map(|e| new_event(e, &metadata))
        .collect::<Result<Vec<_>, _>>()?;
    let expected = ExpectedVersion::Exact(staff.version);
    let mut pending = store.begin_append(&stream, expected, &events).await?;
    if let Some(tx) = pending.connection() {
        store_hash(tx, employee_id.0, &hash).await?;
    }
    pending.commit().await?;
    Ok(Some(employee_id.0))
}

async fn store_hash(
    executor: impl sqlx::PgExecutor<'_>,
    employee_id: Uuid,
    hash: &str,
) -> Result<(), AuthError> {
    sqlx::query!(
        "INSERT INTO auth.credentials (employee_id, password_hash) VALUES ($1, $2)
         ON CONFLICT (employee_id) DO UPDATE SET password_hash = excluded.password_hash, changed_at = now()",
        employee_id,
        hash,
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// Sets an employee's password and ends all their sessions.
pub async fn set_password(
    pool: &PgPool,
    guard: &SessionGuard,
    hasher: &PasswordHasherPool,
    employee_id: Uuid,
    password: &str,
) -> Result<(), AuthError> {
    let hash = hasher.hash(password).await?;
    store_hash(pool, employee_id, &hash).await?;
    sessions::end_all(pool, guard, employee_id, "password changed").await?;
    Ok(())
}

/// The stored hash of an employee's password.
pub async fn stored_hash(pool: &PgPool, employee_id: Uuid) -> Result<Option<String>, AuthError> {
    Ok(sqlx::query_scalar!(
        "SELECT password_hash FROM auth.credentials WHERE employee_id = $1",
        employee_id
    )
    .fetch_optional(pool)
    .await?)
}
