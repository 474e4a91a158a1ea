//! The auth service and the command API on a fresh migrated database of their own, on free ports of
//! 127.0.0.1, for scripts/schemathesis.sh: prints one JSON line (`{"api", "auth", "tokens": {role:
//! access token}}`) once both answer, then serves until SIGTERM or Ctrl-C, and drops the database.
//!
//! The shop is set up as a real one is before its first order (VAT, a norm-hour rate, the order
//! number format), and staffed with one employee per role, so the fuzzer's commands reach the rules
//! past the settings and run under each role's permissions.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use aggregates::contact::Email;
use anyhow::{ensure, Context as _};
use auth::bootstrap::{create_first_owner, FirstOwner};
use auth::http::AuthService;
use auth::AuthConfig;
use command_api::http::CommandApi;
use event_store::testing::TestDatabase;
use event_store::EventStore;
use serde_json::{json, Value};
use uuid::Uuid;

const OWNER: &str = "owner@fuzz.test";
const PASSWORD: &str = "schemathesis fuzzes the command api";

async fn serve(router: axum::Router, with_peer: bool) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address: SocketAddr = listener.local_addr()?;
    if with_peer {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await });
    } else {
        tokio::spawn(async move { axum::serve(listener, router).await });
    }
    Ok(format!("http://{address}"))
}

async fn login(http: &reqwest::Client, auth: &str, login: &str) -> anyhow::Result<String> {
    let answer: Value = http
        .post(format!("{auth}/v1/auth/login"))
        .json(&json!({ "login": login, "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    answer["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("no access token")
}

async fn command(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    path: &str,
    body: Value,
) -> anyhow::Result<()> {
    let response = http
        .post(format!("{api}/v1/{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    ensure!(
        status.is_success(),
        "{path}: {status} {}",
        response.text().await?
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let db = TestDatabase::create("schemathesis", 20).await?;
    // One codec for the owner's hire and the API: the fuzzer's commands seal personal data as
    // the deployed service does.
    let codec = personal_data::LogCodec::ephemeral(db.pool.clone());
    let store = EventStore::new(db.pool.clone()).with_codec(codec.clone());
    let config = AuthConfig {
        // The fuzzer logs in once per role; the throttle is not what it tests.
        max_attempts_per_address: 10_000,
        // Thousands of requests a minute from one employee: the per-employee limit would answer
        // most of them 429 and leave the commands unfuzzed (the limit has its own test).
        requests_per_minute: 0,
        ..AuthConfig::default()
    }
    // Redis keys of this run's own: nothing it counts or revokes touches another run's.
    .isolated();
    let service = AuthService::with_store(db.pool.clone(), store.clone(), config.clone())?;
    let owner = FirstOwner {
        full_name: "Владелец Фаззер".into(),
        email: Email::parse(OWNER)?,
        phone: None,
        password: PASSWORD.into(),
    };
    create_first_owner(&store, service.hasher(), "main", owner).await?;
    let auth = serve(auth::http::router(Arc::clone(&service)), true).await?;
    // Photos and scans need their storage, or every upload would be a 503 (`files_unavailable`):
    // an s3s-fs of this run, on a free port, stopped with it.
    let files = file_store::testing::S3sFs::start("motorlog-files").await?;
    let api = serve(
        command_api::http::router(CommandApi::with_reach(
            db.pool.clone(),
            codec,
            &config,
            command_api::http::Reach {
                files: Some(files.store()?),
                // So `send_approval_link` with `notify` is fuzzed past the address check.
                public_url: Some("http://127.0.0.1:8080".into()),
            },
        )),
        false,
    )
    .await?;

    let http = reqwest::Client::new();
    let owner = login(&http, &auth, OWNER).await?;
    for (path, body) in [
        ("settings/main/set_vat_rate", json!({ "rate_bp": 2200 })),
        (
            "settings/main/set_norm_hour_rate",
            json!({ "category": null, "rate_kopecks": 250_000 }),
        ),
        (
            "settings/main/set_work_order_number_format",
            json!({ "format": "ЗН-{yyyy}-{seq:6}" }),
        ),
    ] {
        command(&http, &api, &owner, path, body).await?;
    }
    let mut tokens = serde_json::Map::new();
    tokens.insert("owner".into(), json!(owner));
    for role in ["advisor", "mechanic", "cashier", "auditor"] {
        let email = format!("{role}@fuzz.test");
        let id = Uuid::now_v7();
        command(
            &http,
            &api,
            &owner,
            "staff/main/hire",
            json!({ "employee_id": id, "full_name": "Сотрудник", "position": role, "email": email, "roles": [role] }),
        )
        .await?;
        let response = http
            .post(format!("{auth}/v1/auth/employees/{id}/password"))
            .bearer_auth(&owner)
            .json(&json!({ "new_password": PASSWORD }))
            .send()
            .await?;
        ensure!(
            response.status().is_success(),
            "password of {email}: {}",
            response.status()
        );
        tokens.insert(role.into(), json!(login(&http, &auth, &email).await?));
    }

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        json!({ "api": api, "auth": auth, "tokens": tokens })
    )?;
    out.flush()?;
    drop(out);

    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    drop(db);
    Ok(())
}
