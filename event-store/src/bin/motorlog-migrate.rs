//! `motorlog-migrate`: brings the database to this build's schema and gives each service its role.
//!
//! Run it as the database owner (`MIGRATE_DATABASE_URL`, else `DATABASE_URL`; the owner needs
//! CREATEROLE) before starting new services: it runs the migrations, creates `motorlog_auth`,
//! `motorlog_command`, `motorlog_projector`, `motorlog_query` and `motorlog_notifier` where missing
//! (with passwords from `AUTH_DATABASE_PASSWORD`, `COMMAND_API_DATABASE_PASSWORD`,
//! `PROJECTOR_DATABASE_PASSWORD`, `QUERY_API_DATABASE_PASSWORD` and `NOTIFIER_DATABASE_PASSWORD`
//! when set) and grants each what its service needs. Running it again changes nothing. See
//! `event_store::schema`.

use std::process::ExitCode;

use event_store::schema::{migrate, RolePasswords, ServiceRole};
use sqlx::postgres::PgPoolOptions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(url) = std::env::var("MIGRATE_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
    else {
        eprintln!(
            "motorlog-migrate: set MIGRATE_DATABASE_URL (or DATABASE_URL) to the database owner's \
             login, e.g. postgres://postgres@127.0.0.1:5432/motorlog"
        );
        return ExitCode::FAILURE;
    };
    let pool = match PgPoolOptions::new().max_connections(1).connect(&url).await {
        Ok(pool) => pool,
        Err(error) => {
            eprintln!("motorlog-migrate: cannot connect to the database: {error}");
            return ExitCode::FAILURE;
        }
    };
    match migrate(&pool, &RolePasswords::from_env()).await {
        Ok(()) => {
            let roles: Vec<&str> = ServiceRole::ALL.iter().map(|r| r.name()).collect();
            println!(
                "motorlog-migrate: schema up to date; roles {} granted",
                roles.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("motorlog-migrate: {error}");
            ExitCode::FAILURE
        }
    }
}
