//! The database's schema and who may touch it: migrations as a step of their own, one role per
//! service, and the check each service makes at start that the schema is the one it was built for.
//!
//! `motorlog-migrate` (this crate's binary, `make migrate`) connects as the database owner and calls
//! [`migrate`]: the migrations, then [`ServiceRole`]s created where missing and granted exactly what
//! each service needs (`roles.sql`, re-run after every migration so later tables get their grants
//! too). The services never migrate: they log in as their role, which could not, and call
//! [`check_migrated`], which stops them with "run motorlog-migrate" on an older schema.
//!
//! Why: a service that connects as the owner can drop the log's append-only triggers, and a
//! superuser can run programs on the database host. A role that may only do its own job limits a
//! compromised service to that job.

use sqlx::postgres::PgPool;
use sqlx::{Connection, PgConnection};

use crate::{EventStoreError, MIGRATOR};

/// Each service's database role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceRole {
    /// `motorlog_auth`: the auth schema; reads the log and appends the first owner.
    Auth,
    /// `motorlog_command`: appends to the log and reads it; its idempotency records and counters.
    Command,
    /// `motorlog_projector`: reads the log, writes the read models and their checkpoints.
    Projector,
    /// `motorlog_query`: reads the read models (and the log, for access checks and history).
    Query,
    /// `motorlog_notifier`: reads the log and appends the notifications' events; its read model
    /// (`read.notifications`) and its loops' checkpoints; seals and opens the messages.
    Notifier,
}

impl ServiceRole {
    /// Every service role.
    pub const ALL: [Self; 5] = [
        Self::Auth,
        Self::Command,
        Self::Projector,
        Self::Query,
        Self::Notifier,
    ];

    /// The role's name in PostgreSQL.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auth => "motorlog_auth",
            Self::Command => "motorlog_command",
            Self::Projector => "motorlog_projector",
            Self::Query => "motorlog_query",
            Self::Notifier => "motorlog_notifier",
        }
    }

    /// The variable holding the service's database URL (its role's login); `DATABASE_URL` when unset.
    pub fn url_variable(self) -> &'static str {
        match self {
            Self::Auth => "AUTH_DATABASE_URL",
            Self::Command => "COMMAND_API_DATABASE_URL",
            Self::Projector => "PROJECTOR_DATABASE_URL",
            Self::Query => "QUERY_API_DATABASE_URL",
            Self::Notifier => "NOTIFIER_DATABASE_URL",
        }
    }

    /// The variable `motorlog-migrate` reads the role's password from, where logins need one.
    pub fn password_variable(self) -> &'static str {
        match self {
            Self::Auth => "AUTH_DATABASE_PASSWORD",
            Self::Command => "COMMAND_API_DATABASE_PASSWORD",
            Self::Projector => "PROJECTOR_DATABASE_PASSWORD",
            Self::Query => "QUERY_API_DATABASE_PASSWORD",
            Self::Notifier => "NOTIFIER_DATABASE_PASSWORD",
        }
    }

    /// The service's database URL: its own variable, else `DATABASE_URL`; names both when neither
    /// is set.
    pub fn database_url(self) -> Result<String, String> {
        std::env::var(self.url_variable())
            .or_else(|_| std::env::var("DATABASE_URL"))
            .map_err(|_| {
                format!(
                    "{} (or DATABASE_URL) is not set, e.g. postgres://{}@127.0.0.1:5432/motorlog",
                    self.url_variable(),
                    self.name()
                )
            })
    }
}

/// Passwords to set on the roles; a role without one keeps what it has (none, where the server
/// trusts local logins).
#[derive(Debug, Clone, Default)]
pub struct RolePasswords(Vec<(ServiceRole, String)>);

impl RolePasswords {
    /// From `AUTH_DATABASE_PASSWORD`, `COMMAND_API_DATABASE_PASSWORD`, `PROJECTOR_DATABASE_PASSWORD`,
    /// `QUERY_API_DATABASE_PASSWORD` and `NOTIFIER_DATABASE_PASSWORD`, where set and not empty. A SCRAM verifier
    /// (`SCRAM-SHA-256$…`) is stored as it is, so the password itself never reaches the server.
    pub fn from_env() -> Self {
        Self(
            ServiceRole::ALL
                .iter()
                .filter_map(|role| {
                    std::env::var(role.password_variable())
                        .ok()
                        .filter(|p| !p.is_empty())
                        .map(|p| (*role, p))
                })
                .collect(),
        )
    }

    fn of(&self, role: ServiceRole) -> Option<&str> {
        self.0
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, p)| p.as_str())
    }
}

/// The grants of every service role, as one script (see its comments).
const GRANTS: &str = include_str!("roles.sql");

/// The whole step, as the database owner: run the migrations, make sure every service role exists
/// and can log in (with `passwords`), and grant each exactly what its service needs.
pub async fn migrate(pool: &PgPool, passwords: &RolePasswords) -> Result<(), EventStoreError> {
    MIGRATOR
        .run(pool)
        .await
        .map_err(|e| EventStoreError::Schema(format!("migrating: {e}")))?;
    let mut connection = pool.acquire().await?;
    for role in ServiceRole::ALL {
        ensure_role(&mut connection, role, passwords.of(role)).await?;
    }
    let mut tx = connection.begin().await?;
    sqlx::raw_sql(GRANTS).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// SQLSTATEs of "that role exists already": roles are the whole server's, so tests migrating their
/// own databases at once race to create them, and the loser hears one of these.
const DUPLICATE_OBJECT: &str = "42710";
const UNIQUE_VIOLATION: &str = "23505";

/// Creates `role` as a login without any power over the server, or brings an existing one back to
/// that (and to `password`, when given). Changing a role that is already right is skipped: parallel
/// migrations changing the same role at once fail with "tuple concurrently updated".
async fn ensure_role(
    connection: &mut PgConnection,
    role: ServiceRole,
    password: Option<&str>,
) -> Result<(), EventStoreError> {
    // Only the owner has power: no superuser, no creating databases or roles, no replication, no
    // bypassing row security. INHERIT is off so a membership granted by mistake adds nothing.
    const ATTRIBUTES: &str =
        "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS";
    // The password goes in as a literal (a role statement takes no parameters): quoted by the server.
    let password_clause = match password {
        Some(password) => {
            let literal: String = sqlx::query_scalar("SELECT quote_literal($1)")
                .bind(password)
                .fetch_one(&mut *connection)
                .await?;
            format!(" PASSWORD {literal}")
        }
        None => String::new(),
    };
    let name = role.name();
    if role_is_as_wanted(connection, name).await?.is_none() {
        let created = sqlx::query(&format!("CREATE ROLE {name} {ATTRIBUTES}{password_clause}"))
            .execute(&mut *connection)
            .await;
        match created {
            Ok(_) => return Ok(()),
            Err(sqlx::Error::Database(error))
                if matches!(
                    error.code().as_deref(),
                    Some(DUPLICATE_OBJECT | UNIQUE_VIOLATION)
                ) => {}
            Err(error) => return Err(error.into()),
        }
    }
    if role_is_as_wanted(connection, name).await? != Some(true) || password.is_some() {
        sqlx::query(&format!("ALTER ROLE {name} {ATTRIBUTES}{password_clause}"))
            .execute(&mut *connection)
            .await?;
    }
    // A membership would hand the role another's privileges (INHERIT off or not, it could SET ROLE).
    let memberships: Vec<String> = sqlx::query_scalar(
        "SELECT g.rolname::text FROM pg_auth_members m
           JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
          WHERE r.rolname = $1",
    )
    .bind(name)
    .fetch_all(&mut *connection)
    .await?;
    for group in memberships {
        tracing::warn!(role = name, %group, "removing a membership a service role must not have");
        let group: String = sqlx::query_scalar("SELECT quote_ident($1)")
            .bind(&group)
            .fetch_one(&mut *connection)
            .await?;
        sqlx::query(&format!("REVOKE {group} FROM {name}"))
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// `None` when the role does not exist; otherwise whether it can log in and has no power beyond it.
async fn role_is_as_wanted(
    connection: &mut PgConnection,
    name: &str,
) -> Result<Option<bool>, EventStoreError> {
    Ok(sqlx::query_scalar(
        "SELECT rolcanlogin AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolinherit
                                     OR rolreplication OR rolbypassrls)
           FROM pg_roles WHERE rolname = $1",
    )
    .bind(name)
    .fetch_optional(&mut *connection)
    .await?)
}

/// Whether the database has every migration this binary was built with, applied and unchanged.
/// A database ahead of the binary is fine (migrations run before the new binaries roll out).
/// The services call this at start instead of migrating.
pub async fn check_migrated(pool: &PgPool) -> Result<(), EventStoreError> {
    const HOW: &str = "run motorlog-migrate (make migrate) as the database owner";
    // `_sqlx_migrations` is sqlx's own table, not in our migrations: read at run time, unchecked.
    let applied: Vec<(i64, bool, Vec<u8>)> =
        match sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations")
            .fetch_all(pool)
            .await
        {
            Ok(applied) => applied,
            Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("42P01") => {
                return Err(EventStoreError::Schema(format!(
                    "the database has never been migrated: {HOW}"
                )))
            }
            Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("42501") => {
                return Err(EventStoreError::Schema(format!(
                    "this login may not read which migrations ran ({error}): {HOW}, which \
                     grants each service's role what it needs"
                )))
            }
            Err(error) => return Err(error.into()),
        };
    let mut problems = Vec::new();
    for migration in MIGRATOR.iter() {
        if migration.migration_type.is_down_migration() {
            continue;
        }
        let name = format!("{} {}", migration.version, migration.description);
        match applied
            .iter()
            .find(|(version, _, _)| *version == migration.version)
        {
            None => problems.push(format!("{name} has not run")),
            Some((_, false, _)) => problems.push(format!("{name} failed")),
            Some((_, true, checksum)) if checksum.as_slice() != &*migration.checksum => {
                problems.push(format!("{name} ran with different SQL than this binary's"))
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EventStoreError::Schema(format!(
            "the database schema is not the one this binary expects ({}): {HOW}",
            problems.join("; ")
        )))
    }
}
