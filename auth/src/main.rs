//! `motorlog-auth`: the auth service.
//!
//! - `motorlog-auth serve` (default): serves on `AUTH_LISTEN`; on first start, creates the owner from
//!   `MOTORLOG_OWNER_EMAIL`, `MOTORLOG_OWNER_PASSWORD` and `MOTORLOG_OWNER_NAME` when no owner exists.
//! - `motorlog-auth create-owner <e-mail> <full name>`: creates the first owner, reading the password
//!   from standard input.

use std::io::BufRead;

use anyhow::{bail, Context};
use auth::bootstrap::{create_first_owner, FirstOwner};
use auth::http::{run, AuthService};
use auth::ServiceConfig;
use event_store::EventStore;
use sqlx::postgres::PgPoolOptions;

/// An idle connection goes back to the server after this long, so a quiet service holds few.
const DB_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_tracing();
    let config = ServiceConfig::from_env().map_err(anyhow::Error::msg)?;
    let pool = PgPoolOptions::new()
        .max_connections(config.db_pool)
        .min_connections(0)
        .idle_timeout(DB_IDLE_TIMEOUT)
        .connect(&config.database_url)
        .await
        .context("cannot connect to AUTH_DATABASE_URL (or DATABASE_URL)")?;
    // Migrations are `motorlog-migrate`'s step, as the owner: this role could not run them.
    event_store::schema::check_migrated(&pool).await?;
    let service = AuthService::new(pool.clone(), config.auth.clone())?;
    let store = EventStore::new(pool.clone());
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("serve") => {
            if let (Ok(email), Ok(password)) = (
                std::env::var("MOTORLOG_OWNER_EMAIL"),
                std::env::var("MOTORLOG_OWNER_PASSWORD"),
            ) {
                let owner = FirstOwner {
                    full_name: std::env::var("MOTORLOG_OWNER_NAME")
                        .unwrap_or_else(|_| "Владелец".into()),
                    email: aggregates::contact::Email::parse(&email)?,
                    phone: None,
                    password,
                };
                match create_first_owner(&store, service.hasher(), &config.auth.shop, owner).await?
                {
                    Some(id) => tracing::info!(%id, "first owner created from MOTORLOG_OWNER_*"),
                    None => tracing::info!("an owner exists; MOTORLOG_OWNER_* ignored"),
                }
            }
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.listen))?;
            tracing::info!(address = %config.listen, "auth service listening");
            run(service, listener, telemetry::shutdown_signal()).await?;
        }
        Some("create-owner") => {
            let (Some(email), Some(name)) = (args.get(1), args.get(2)) else {
                bail!(
                    "usage: motorlog-auth create-owner <e-mail> <full name>  (password on stdin)"
                );
            };
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let owner = FirstOwner {
                full_name: name.clone(),
                email: aggregates::contact::Email::parse(email)?,
                phone: None,
                password: password.trim_end_matches(['\r', '\n']).to_owned(),
            };
            match create_first_owner(&store, service.hasher(), &config.auth.shop, owner).await? {
                Some(id) => println!("owner created: {id}"),
                None => bail!("the shop already has an active owner"),
            }
        }
        Some(other) => bail!("unknown command {other:?}; use `serve` or `create-owner`"),
    }
    Ok(())
}
