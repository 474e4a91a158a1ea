//! Isolated databases for tests: each test gets a database of its own, migrated, and dropped after.
//!
//! The server comes from `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`); the
//! user must be allowed to create databases and roles. `MOTORLOG_KEEP_TEST_DATABASE=1` keeps them
//! for a look. A database is migrated as `motorlog-migrate` does it, service roles included, so a
//! test can run a service as its role ([`TestDatabase::pool_as`]); the server must let those roles
//! log in without a password (trust), as the project's local server does.

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use crate::schema::{migrate, RolePasswords, ServiceRole};

/// The server tests use when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A test pool's connection idle this long is closed. Two tests run at once on the project's two
/// cores against one server of 100 connections, and a pool keeps what a busy moment opened (ten
/// minutes by default): two shops at their peaks then held 97 for the rest of their tests, and a
/// third connection waited until its request timed out. Closed soon, a busy moment's connections
/// go back to the server for the other test.
pub const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// A freshly created and migrated database, dropped (with its connections) when this is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    /// A pool on the test database.
    pub pool: PgPool,
    /// Connection options for the test database, for tools that open their own connections.
    pub options: PgConnectOptions,
    name: String,
    server: PgConnectOptions,
    server_url: String,
}

impl TestDatabase {
    /// Creates and migrates a database named after `label`, with a pool of up to `max_connections`
    /// as the owner.
    pub async fn create(label: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
        let server: PgConnectOptions = url.parse()?;
        let label: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(30)
            .collect();
        let name = format!("motorlog_t_{label}_{}", Uuid::now_v7().simple());
        let mut admin = PgConnection::connect_with(&server).await?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let options = server.clone().database(&name);
        // Migrated on a connection of its own: the sessions opened after the migrations get the
        // database's settings they make (the read models' search path), as a service's do.
        let migrating = crate::pool_options()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        migrate(&migrating, &RolePasswords::default())
            .await
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        migrating.close().await;
        let pool = crate::pool_options()
            .max_connections(max_connections)
            .idle_timeout(IDLE_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        Ok(Self {
            pool,
            options,
            name,
            server,
            server_url: url,
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Connection options for the test database as a service's role.
    pub fn options_as(&self, role: ServiceRole) -> PgConnectOptions {
        self.options.clone().username(role.name())
    }

    /// A pool on the test database as a service's role: what the service may do, and no more.
    pub async fn pool_as(
        &self,
        role: ServiceRole,
        max_connections: u32,
    ) -> Result<PgPool, sqlx::Error> {
        crate::pool_options()
            .max_connections(max_connections)
            .idle_timeout(IDLE_TIMEOUT)
            .connect_with(self.options_as(role))
            .await
    }

    /// A URL of the test database as a service's role, for a service binary of its own.
    pub fn url_as(&self, role: ServiceRole) -> String {
        let url = self.url();
        let Some((scheme, rest)) = url.split_once("://") else {
            return url;
        };
        // The owner's user (and password) give way to the role's, which logs in without one.
        let address = rest.split_once('@').map_or(rest, |(_, address)| address);
        format!("{scheme}://{}@{address}", role.name())
    }

    /// A URL of the test database, for a process of its own (a service binary, a CLI).
    pub fn url(&self) -> String {
        let (address, query) = self
            .server_url
            .split_once('?')
            .map_or((self.server_url.as_str(), None), |(a, q)| (a, Some(q)));
        let server = address
            .rsplit_once('/')
            .map_or(address, |(server, _)| server);
        match query {
            Some(query) => format!("{server}/{}?{query}", self.name),
            None => format!("{server}/{}", self.name),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // For a look at what a test or benchmark left behind: `MOTORLOG_KEEP_TEST_DATABASE=1`.
        if std::env::var_os("MOTORLOG_KEEP_TEST_DATABASE").is_some() {
            eprintln!("kept test database {}", self.name);
            return;
        }
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which must not block on itself: use a thread of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect_with(&server).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                Ok::<(), sqlx::Error>(())
            })?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// The baseline every write benchmark compares against: single-row `INSERT` + `COMMIT` (autocommit)
/// into a plain table by `writers` concurrent writers for `duration`, in rows per second.
pub async fn raw_insert_rate(
    pool: &PgPool,
    writers: usize,
    duration: std::time::Duration,
) -> Result<f64, sqlx::Error> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS raw_inserts (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                                                 stream_id TEXT NOT NULL, payload JSONB NOT NULL)",
    )
    .execute(pool)
    .await?;
    let started = std::time::Instant::now();
    let until = started + duration;
    let payload = serde_json::json!({
        "service": "Замена масла в двигателе",
        "norm_hours_tenths": 12,
        "rate_kopecks": 250_000,
        "mechanic_id": "0192f0c4-7d1e-7c3a-9b1f-3c5b1a2d4e6f"
    });
    let tasks: Vec<_> = (0..writers)
        .map(|writer| {
            let pool = pool.clone();
            let payload = payload.clone();
            tokio::spawn(async move {
                let mut rows = 0u64;
                while std::time::Instant::now() < until {
                    sqlx::query("INSERT INTO raw_inserts (stream_id, payload) VALUES ($1, $2)")
                        .bind(format!("raw-{writer}-{rows}"))
                        .bind(&payload)
                        .execute(&pool)
                        .await?;
                    rows += 1;
                }
                Ok::<u64, sqlx::Error>(rows)
            })
        })
        .collect();
    let mut rows = 0;
    for task in tasks {
        rows += task
            .await
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))??;
    }
    Ok(rows as f64 / started.elapsed().as_secs_f64())
}
