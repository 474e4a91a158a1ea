//! The shop's reference data: the service catalogue, the settings, the directories, the roles and
//! the employees. Small, read on every screen, and edited by the owner through the API.
//!
//! An employee whose personal data was erased (152-ФЗ) keeps their row, roles and history under
//! the name [`ERASED`], without e-mail or phone. Earlier events read back with the marker in those
//! fields, and a marker is stored as no e-mail or phone, so a rebuild gives the same row.

use aggregates::catalogue::{CatalogueEvent, CatalogueService};
use aggregates::contact::{Email, Phone};
use aggregates::directory::{Directory, DirectoryEvent, Entry};
use aggregates::personal::ERASED;
use aggregates::role::{Role, RoleEvent};
use aggregates::settings::{Settings, SettingsEvent};
use aggregates::staff::{Staff, StaffEvent};
use aggregates::Aggregate;
use event_store::RecordedEvent;
use sqlx::PgConnection;

use crate::read_models::cards::SettingsCard;
use crate::support::{decode, found, from_json, record_id, to_json, version};
use crate::{Projection, ProjectionError};

/// Projects catalogue, settings, directory, role and staff streams into their `read.*` tables.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceDataProjection;

const STREAM_TYPES: [&str; 5] = [
    CatalogueService::STREAM_TYPE,
    Settings::STREAM_TYPE,
    Directory::STREAM_TYPE,
    Role::STREAM_TYPE,
    Staff::STREAM_TYPE,
];

/// An employee's e-mail as the column holds it: an erased one is none.
fn email_column(email: Option<Email>) -> Option<String> {
    email.filter(|e| !e.is_erased()).map(String::from)
}

/// An employee's phone as the column holds it: an erased one is none.
fn phone_column(phone: Option<Phone>) -> Option<String> {
    phone.filter(|p| !p.is_erased()).map(String::from)
}

fn codes<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|item| item.to_string()).collect()
}

async fn catalogue(tx: &mut PgConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let id = record_id(event)?;
    let version = version(event);
    let rows = match decode::<CatalogueEvent>(event)? {
        CatalogueEvent::CatalogueServiceAdded {
            name,
            category,
            norm_hours,
            ..
        } => sqlx::query!(
            "INSERT INTO catalogue_services (service_id, name, category, norm_hours, active, version)
             VALUES ($1, $2, $3, $4::bigint / 10.0, true, $5)",
            id,
            name,
            category.as_str(),
            i64::from(norm_hours.tenths()),
            version
        )
        .execute(&mut *tx)
        .await?,
        CatalogueEvent::CatalogueServiceRenamed { name } => sqlx::query!(
            "UPDATE catalogue_services SET name = $2, version = $3 WHERE service_id = $1",
            id,
            name,
            version
        )
        .execute(&mut *tx)
        .await?,
        CatalogueEvent::CatalogueNormHoursChanged { norm_hours } => sqlx::query!(
            "UPDATE catalogue_services SET norm_hours = $2::bigint / 10.0, version = $3 WHERE service_id = $1",
            id,
            i64::from(norm_hours.tenths()),
            version
        )
        .execute(&mut *tx)
        .await?,
        CatalogueEvent::CatalogueCategoryChanged { category } => sqlx::query!(
            "UPDATE catalogue_services SET category = $2, version = $3 WHERE service_id = $1",
            id,
            category.as_str(),
            version
        )
        .execute(&mut *tx)
        .await?,
        CatalogueEvent::CatalogueServiceDeactivated => sqlx::query!(
            "UPDATE catalogue_services SET active = false, version = $2 WHERE service_id = $1",
            id,
            version
        )
        .execute(&mut *tx)
        .await?,
        CatalogueEvent::CatalogueServiceReactivated => sqlx::query!(
            "UPDATE catalogue_services SET active = true, version = $2 WHERE service_id = $1",
            id,
            version
        )
        .execute(&mut *tx)
        .await?,
    };
    found(rows.rows_affected(), event)
}

async fn settings(tx: &mut PgConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let shop = &event.stream.id;
    let domain_event: SettingsEvent = decode(event)?;
    let current = sqlx::query_scalar!("SELECT state FROM settings WHERE shop = $1", shop)
        .fetch_optional(&mut *tx)
        .await?;
    let state = match current {
        Some(state) => from_json::<Settings>(state)?,
        None => Settings::default(),
    }
    .evolve(&domain_event);
    // `state` is this projector's working fold; the query API reads only `card`.
    sqlx::query!(
        "INSERT INTO settings (shop, state, card, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (shop) DO UPDATE
            SET state = EXCLUDED.state, card = EXCLUDED.card, version = EXCLUDED.version",
        shop,
        to_json(&state)?,
        to_json(&SettingsCard::of(&state))?,
        version(event)
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn directory(tx: &mut PgConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let code = &event.stream.id;
    let domain_event: DirectoryEvent = decode(event)?;
    let current = sqlx::query!(
        "SELECT name, entries FROM directories WHERE code = $1",
        code
    )
    .fetch_optional(&mut *tx)
    .await?;
    let state = match (current, &domain_event) {
        (None, DirectoryEvent::DirectoryCreated { .. }) => Directory::default(),
        (None, _) => return found(0, event),
        (Some(row), _) => Directory {
            code: Some(
                aggregates::directory::Code::parse(code)
                    .map_err(|e| ProjectionError::Inconsistent(e.to_string()))?,
            ),
            name: row.name,
            entries: from_json::<Vec<Entry>>(row.entries)?,
        },
    }
    .evolve(&domain_event);
    sqlx::query!(
        "INSERT INTO directories (code, name, entries, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (code) DO UPDATE
            SET name = EXCLUDED.name, entries = EXCLUDED.entries, version = EXCLUDED.version",
        code,
        state.name,
        to_json(&state.entries)?,
        version(event)
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn role(tx: &mut PgConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let code = &event.stream.id;
    let version = version(event);
    let rows = match decode::<RoleEvent>(event)? {
        RoleEvent::RoleCreated {
            name, permissions, ..
        } => sqlx::query!(
            "INSERT INTO roles (code, name, permissions, version) VALUES ($1, $2, $3, $4)",
            code,
            name,
            &codes(permissions),
            version
        )
        .execute(&mut *tx)
        .await?,
        RoleEvent::RoleRenamed { name } => sqlx::query!(
            "UPDATE roles SET name = $2, version = $3 WHERE code = $1",
            code,
            name,
            version
        )
        .execute(&mut *tx)
        .await?,
        RoleEvent::PermissionsGranted { permissions } => sqlx::query!(
            "UPDATE roles
                SET permissions = ARRAY(SELECT DISTINCT p FROM unnest(permissions || $2::text[]) AS p ORDER BY p),
                    version = $3
              WHERE code = $1",
            code,
            &codes(permissions),
            version
        )
        .execute(&mut *tx)
        .await?,
        RoleEvent::PermissionsRevoked { permissions } => sqlx::query!(
            "UPDATE roles
                SET permissions = ARRAY(SELECT p FROM unnest(permissions) AS p WHERE p <> ALL($2) ORDER BY p),
                    version = $3
              WHERE code = $1",
            code,
            &codes(permissions),
            version
        )
        .execute(&mut *tx)
        .await?,
        RoleEvent::RoleArchived => sqlx::query!(
            "UPDATE roles SET archived = true, version = $2 WHERE code = $1",
            code,
            version
        )
        .execute(&mut *tx)
        .await?,
        RoleEvent::RoleUnarchived => sqlx::query!(
            "UPDATE roles SET archived = false, version = $2 WHERE code = $1",
            code,
            version
        )
        .execute(&mut *tx)
        .await?,
    };
    found(rows.rows_affected(), event)
}

async fn staff(tx: &mut PgConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let rows = match decode::<StaffEvent>(event)? {
        StaffEvent::EmployeeHired {
            employee_id,
            full_name,
            position,
            email,
            phone,
            roles,
            at,
        } => sqlx::query!(
            "INSERT INTO employees (employee_id, full_name, position, email, phone, roles, active, hired_at)
             VALUES ($1, $2, $3, $4, $5, $6, true, $7)",
            employee_id.0,
            full_name,
            position,
            email_column(email),
            phone_column(phone),
            &codes(roles),
            at
        )
        .execute(&mut *tx)
        .await?,
        StaffEvent::EmployeeDetailsChanged {
            employee_id,
            full_name,
            position,
            email,
            phone,
        } => sqlx::query!(
            "UPDATE employees SET full_name = $2, position = $3, email = $4, phone = $5
              WHERE employee_id = $1",
            employee_id.0,
            full_name,
            position,
            email_column(email),
            phone_column(phone),
        )
        .execute(&mut *tx)
        .await?,
        StaffEvent::EmployeeRolesAssigned { employee_id, roles } => sqlx::query!(
            "UPDATE employees SET roles = $2 WHERE employee_id = $1",
            employee_id.0,
            &codes(roles)
        )
        .execute(&mut *tx)
        .await?,
        StaffEvent::EmployeeDeactivated { employee_id, .. } => sqlx::query!(
            "UPDATE employees SET active = false WHERE employee_id = $1",
            employee_id.0
        )
        .execute(&mut *tx)
        .await?,
        StaffEvent::EmployeeReactivated { employee_id, .. } => sqlx::query!(
            "UPDATE employees SET active = true WHERE employee_id = $1",
            employee_id.0
        )
        .execute(&mut *tx)
        .await?,
        StaffEvent::EmployeePersonalDataErased { employee_id, .. } => sqlx::query!(
            "UPDATE employees SET full_name = $2, email = NULL, phone = NULL
              WHERE employee_id = $1",
            employee_id.0,
            ERASED
        )
        .execute(&mut *tx)
        .await?,
    };
    found(rows.rows_affected(), event)
}

impl Projection for ReferenceDataProjection {
    const NAME: &'static str = "reference_data";
    // 2: the settings card holds the client messages' templates and quiet hours, refilled from
    // the log for shops that wrote them before the card showed them.
    const VERSION: u32 = 2;
    const TABLES: &'static [&'static str] = &[
        "read.catalogue_services",
        "read.settings",
        "read.directories",
        "read.roles",
        "read.employees",
    ];

    fn handles(&self, event: &RecordedEvent) -> bool {
        STREAM_TYPES.contains(&event.stream.stream_type.as_str())
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        match event.stream.stream_type.as_str() {
            CatalogueService::STREAM_TYPE => catalogue(tx, event).await,
            Settings::STREAM_TYPE => settings(tx, event).await,
            Directory::STREAM_TYPE => directory(tx, event).await,
            Role::STREAM_TYPE => role(tx, event).await,
            Staff::STREAM_TYPE => staff(tx, event).await,
            other => Err(ProjectionError::Inconsistent(format!(
                "reference data does not read {other} streams"
            ))),
        }
    }
}
