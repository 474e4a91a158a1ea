//! `motorlog-auth`: the auth service.
//!
//! - `motorlog-auth serve` (default): serves on `AUTH_LISTEN`; on first start, creates the owner from
//!   `MOTORLOG_OWNER_EMAIL`, `MOTORLOG_OWNER_PASSWORD` and `MOTORLOG_OWNER_NAME` when no owner exists.
//! - `motorlog-auth create-owner <e-mail> <full name>`: creates the first owner, reading the password
//!   from standard input.
//! - `motorlog-auth rewrap-keys`: after a master key rotation, re-wraps every signing key under the
//!   current master key (every start does it too), so the old master key can leave the file.
//!
//! Every command needs the master keys (`MOTORLOG_MASTER_KEYS_FILE` or `MOTORLOG_MASTER_KEY`).

use std::io::BufRead;

use anyhow::{bail, Context};
use auth::bootstrap::{create_first_owner, FirstOwner};
use auth::http::{run, AuthService};
use auth::ServiceConfig;
use event_store::EventStore;

/// An idle connection goes back to the server after this long, so a quiet service holds few.
const DB_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_tracing();
    let config = ServiceConfig::from_env().map_err(anyhow::Error::msg)?;
    let pool = event_store::pool_options()
        .max_connections(config.db_pool)
        .min_connections(0)
        .idle_timeout(DB_IDLE_TIMEOUT)
        .connect(&config.database_url)
        .await
        .context("cannot connect to AUTH_DATABASE_URL (or DATABASE_URL)")?;
    // Migrations are `motorlog-migrate`'s step, as the owner: this role could not run them.
    event_store::schema::check_migrated(&pool).await?;
    // The staff stream's names and logins are sealed in the log, and the signing keys are wrapped
    // in the database, both under the master keys: without them the service cannot log anyone in
    // nor sign a token, so it does not start.
    let codec = personal_data::LogCodec::from_env(pool.clone()).context(
        "cannot load the master keys (MOTORLOG_MASTER_KEYS_FILE or MOTORLOG_MASTER_KEY)",
    )?;
    let masters = std::sync::Arc::new(
        personal_data::MasterKeys::from_env().context("cannot load the master keys")?,
    );
    let store = EventStore::new(pool.clone()).with_codec(codec);
    let service =
        AuthService::with_master_keys(pool.clone(), store.clone(), masters, config.auth.clone())?;
    // Wraps signing keys stored in the clear, re-wraps those under a previous master key, and
    // refuses master keys that do not unwrap them: before anything listens.
    let prepared = service
        .prepare()
        .await
        .context("the signing keys do not unwrap under the master keys given")?;
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
        Some("rewrap-keys") => {
            // `prepare` above did the work: after a master key rotation (the new key first in the
            // file, the old one kept after it), every signing key is now under the new one.
            println!(
                "signing keys: {} wrapped from the clear, {} re-wrapped under the current master \
                 key, {} checked",
                prepared.wrapped, prepared.rewrapped, prepared.checked
            );
        }
        Some(other) => {
            bail!("unknown command {other:?}; use `serve`, `create-owner` or `rewrap-keys`")
        }
    }
    Ok(())
}
