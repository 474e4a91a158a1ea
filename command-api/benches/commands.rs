//! `make bench-commands`: 8 concurrent clients adding labour lines over HTTP, against the raw
//! single-row INSERT+COMMIT rate measured in the same run on the same database.
//!
//! Everything real: the auth service issues the tokens, the command API authenticates, authorises,
//! loads the order from the log, decides and appends. Each client works on its own orders and opens
//! a new one every 20 lines, as a shop's advisors would. `BENCH_SECONDS` per phase (default 10).
//!
//! Two more lines before the final one show the same workload from one client (against one raw
//! writer: the latency of a command alone) and with an `Idempotency-Key` on every request (its
//! record commits with the events, in a transaction instead of the append's single statement).
//!
//! Every command's authentication asks Redis whether the token's session has ended (and counts the
//! employee's requests) concurrently with the access directory's query; after the HTTP phase the
//! same check alone is timed from 8 concurrent callers, and the final line reports its p50/p99 and
//! its share of a command's p50 (`revocation_check_*`), so its cost is seen beside the command's.
//!
//! The cost of sealing personal data: client registrations (a name, a phone and an e-mail sealed,
//! a fresh data key made and wrapped for each new client) from the same 8 clients, through the
//! API with the personal data codec and through a second API on the same pool whose codec seals
//! nothing, alternating in quarters of a phase each so both see the same machine. The final line
//! adds `sealed_commands_per_s`, `clear_commands_per_s` and `sealing_cost_pct`: the extra time a
//! sealed registration takes, `(clear / sealed − 1) × 100`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aggregates::contact::Email;
use auth::bootstrap::{create_first_owner, FirstOwner};
use auth::http::AuthService;
use auth::revocation::SessionGuard;
use auth::AuthConfig;
use command_api::http::CommandApi;
use event_store::schema::ServiceRole;
use event_store::testing::{raw_insert_rate, TestDatabase};
use event_store::{EventStore, EventStoreError, NewEvent, PayloadCodec, RecordedEvent, StreamId};
use futures::future::BoxFuture;
use personal_data::LogCodec;
use serde_json::{json, Value};
use uuid::Uuid;

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const CLIENTS: usize = 8;
const LINES_PER_ORDER: usize = 20;
/// The pools of the in-process auth service and command API (each as its own role, as `make run`
/// starts them) and the raw-INSERT baseline (as the owner, one connection per client): 40 in all, so
/// the benchmark fits beside a running `make run` (38 at most) under a default server's 100.
const DB_POOL: u32 = 40;
const AUTH_POOL: u32 = 8;
const OWNER_POOL: u32 = CLIENTS as u32;

async fn serve(router: axum::Router, with_peer: bool) -> BenchResult<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address: SocketAddr = listener.local_addr()?;
    if with_peer {
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
    } else {
        tokio::spawn(async move { axum::serve(listener, router).await });
    }
    Ok(format!("http://{address}"))
}

async fn post(http: &reqwest::Client, url: &str, token: &str, body: Value) -> BenchResult<Value> {
    let response = http.post(url).bearer_auth(token).json(&body).send().await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if !status.is_success() {
        return Err(format!("{url}: {status} {body}").into());
    }
    Ok(body)
}

/// A codec that touches nothing: the log as it was before personal data was sealed, the baseline
/// of the sealing cost.
#[derive(Debug)]
struct Clear;

impl PayloadCodec for Clear {
    fn touches(&self, _: &str, _: &str) -> bool {
        false
    }

    fn seal<'a>(
        &'a self,
        _: &'a StreamId,
        _: &'a mut [NewEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        Box::pin(async { Ok(()) })
    }

    fn open<'a>(
        &'a self,
        _: &'a mut [RecordedEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        Box::pin(async { Ok(()) })
    }
}

/// `CLIENTS` concurrent clients registering new clients (a person with a phone and an e-mail)
/// on `api` until `duration` has passed; how many were registered.
async fn register_clients(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    duration: Duration,
) -> BenchResult<usize> {
    let until = Instant::now() + duration;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|writer| {
            let (http, api, token) = (http.clone(), api.to_owned(), token.to_owned());
            tokio::spawn(async move {
                let mut registered = 0;
                while Instant::now() < until {
                    post(
                        &http,
                        &format!("{api}/v1/client/{}/register", Uuid::now_v7()),
                        &token,
                        json!({ "party": { "kind": "person", "full_name": "Петров Иван Сергеевич" },
                                "phones": [format!("+7912{writer:03}{:04}", registered % 10_000)],
                                "email": format!("client{registered}@mail.ru") }),
                    )
                    .await?;
                    registered += 1;
                }
                Ok::<usize, Box<dyn std::error::Error + Send + Sync>>(registered)
            })
        })
        .collect();
    let mut total = 0;
    for client in clients {
        total += client.await??;
    }
    Ok(total)
}

/// Opens an order for a fresh client and vehicle; returns its id.
async fn open_order(http: &reqwest::Client, api: &str, token: &str) -> BenchResult<Uuid> {
    let (client, vehicle, order) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    post(
        http,
        &format!("{api}/v1/client/{client}/register"),
        token,
        json!({ "party": { "kind": "person", "full_name": "Клиент" }, "phones": ["+79000000000"] }),
    )
    .await?;
    post(
        http,
        &format!("{api}/v1/vehicle/{vehicle}/register"),
        token,
        // Every bench car has the same plate: confirmed, as an advisor would.
        json!({ "plate": "А123ВС77", "make": "Lada", "model": "Vesta", "owner": client,
                "confirm_plate": true }),
    )
    .await?;
    post(
        http,
        &format!("{api}/v1/work_order/{order}/open"),
        token,
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await?;
    Ok(order)
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("the commands benchmark runs with `make bench-commands`");
        return Ok(());
    }
    let seconds = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let duration = Duration::from_secs(seconds);
    let db = TestDatabase::create("bench_commands", OWNER_POOL).await?;
    // No rate limit: the eight clients share one owner, and the benchmark is there to saturate.
    // The check still runs (and counts) on every request. Keys of this run's own.
    let config = AuthConfig {
        requests_per_minute: 0,
        ..AuthConfig::default()
    }
    .isolated();
    let auth_pool = db.pool_as(ServiceRole::Auth, AUTH_POOL).await?;
    let service = AuthService::new(auth_pool.clone(), config.clone())?;
    let owner = FirstOwner {
        full_name: "Владелец".into(),
        email: Email::parse("owner@motor.bench")?,
        phone: None,
        password: "bench owner password".into(),
    };
    create_first_owner(&EventStore::new(auth_pool), service.hasher(), "main", owner).await?;
    let auth = serve(auth::http::router(Arc::clone(&service)), true).await?;
    let command_pool = db
        .pool_as(ServiceRole::Command, DB_POOL - AUTH_POOL - OWNER_POOL)
        .await?;
    // The API as deployed: personal data sealed. The clear one shares its pool, so the two
    // differ in sealing only.
    let api = serve(
        command_api::http::router(CommandApi::new(
            command_pool.clone(),
            LogCodec::ephemeral(command_pool.clone()),
            &config,
        )),
        false,
    )
    .await?;
    let clear_api = serve(
        command_api::http::router(CommandApi::new(command_pool, Arc::new(Clear), &config)),
        false,
    )
    .await?;
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{auth}/v1/auth/login"))
        .json(&json!({ "login": "owner@motor.bench", "password": "bench owner password" }))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"].as_str().ok_or("no token")?.to_owned();
    for (command, body) in [
        ("set_vat_rate", json!({ "rate_bp": 2200 })),
        (
            "set_norm_hour_rate",
            json!({ "category": null, "rate_kopecks": 250_000 }),
        ),
        (
            "set_work_order_number_format",
            json!({ "format": "ЗН-{yyyy}-{seq:6}" }),
        ),
    ] {
        post(
            &http,
            &format!("{api}/v1/settings/main/{command}"),
            &token,
            body,
        )
        .await?;
    }
    println!(
        "bench commands: {seconds} s per phase, {CLIENTS} clients, database {}",
        db.name()
    );

    let raw = raw_insert_rate(&db.pool, CLIENTS, duration).await?;
    println!("raw single-row INSERT+COMMIT, {CLIENTS} writers: rows_per_s={raw:.0}");

    let lines = add_lines(&http, &api, &token, CLIENTS, false, duration).await?;
    let commands_per_s = lines.per_s;
    let command_p50_ms = lines.percentile_ms(0.50);
    let (check_p50_ms, check_p99_ms) = revocation_check(&db.pool, &config, duration).await?;
    // Quarters alternating clear, sealed, clear, sealed: drift of the machine hits both alike.
    let (mut sealed, mut clear) = (0, 0);
    for quarter in 0..4 {
        if quarter % 2 == 0 {
            clear += register_clients(&http, &clear_api, &token, duration / 4).await?;
        } else {
            sealed += register_clients(&http, &api, &token, duration / 4).await?;
        }
    }
    let half = duration.as_secs_f64() / 2.0;
    let (sealed_per_s, clear_per_s) = (sealed as f64 / half, clear as f64 / half);
    let sealing_cost_pct = (clear_per_s / sealed_per_s - 1.0) * 100.0;
    println!(
        "client registration over HTTP, {CLIENTS} clients, {half:.1} s each: sealed={sealed} clear={clear}"
    );
    println!(
        "revocation check (Redis round trip, {CLIENTS} callers): p50_ms={check_p50_ms:.3} p99_ms={check_p99_ms:.3}"
    );
    println!(
        "add_labour_line over HTTP: commands={} p50_ms={:.1} p99_ms={:.1} (opening orders excluded)",
        lines.latencies.len(),
        lines.percentile_ms(0.50),
        lines.percentile_ms(0.99)
    );
    let raw_one = raw_insert_rate(&db.pool, 1, duration).await?;
    let one = add_lines(&http, &api, &token, 1, false, duration).await?;
    println!(
        "bench commands at 1 client: commands_per_s={:.0} raw_insert_per_s={raw_one:.0} ratio={:.2} p50_ms={:.2} p99_ms={:.2}",
        one.per_s,
        one.per_s / raw_one,
        one.percentile_ms(0.50),
        one.percentile_ms(0.99),
    );
    let keyed = add_lines(&http, &api, &token, CLIENTS, true, duration).await?;
    println!(
        "bench commands with Idempotency-Key: commands_per_s={:.0} raw_insert_per_s={raw:.0} ratio={:.2} p99_ms={:.1}",
        keyed.per_s,
        keyed.per_s / raw,
        keyed.percentile_ms(0.99),
    );
    println!(
        "bench commands: commands_per_s={commands_per_s:.0} raw_insert_per_s={raw:.0} ratio={:.2} p99_ms={:.1} \
         revocation_check_p50_ms={check_p50_ms:.3} revocation_check_p99_ms={check_p99_ms:.3} \
         revocation_check_share_of_p50={:.3} sealed_commands_per_s={sealed_per_s:.0} \
         clear_commands_per_s={clear_per_s:.0} sealing_cost_pct={sealing_cost_pct:.1}",
        commands_per_s / raw,
        lines.percentile_ms(0.99),
        check_p50_ms / command_p50_ms,
    );
    Ok(())
}

/// What a phase of adding labour lines measured.
struct Phase {
    /// Each command's time, sorted.
    latencies: Vec<Duration>,
    per_s: f64,
}

impl Phase {
    fn percentile_ms(&self, p: f64) -> f64 {
        let all = &self.latencies;
        let index = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[index].as_secs_f64() * 1000.0
    }
}

/// `clients` concurrent clients adding labour lines for `duration`, each to its own orders and
/// opening a new one every `LINES_PER_ORDER` lines (not timed); with `keyed`, every request
/// carries a fresh Idempotency-Key.
async fn add_lines(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    clients: usize,
    keyed: bool,
    duration: Duration,
) -> BenchResult<Phase> {
    let started = Instant::now();
    let until = started + duration;
    let clients: Vec<_> = (0..clients)
        .map(|_| {
            let (http, api, token) = (http.clone(), api.to_owned(), token.to_owned());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut order = open_order(&http, &api, &token).await?;
                while Instant::now() < until {
                    if latencies.len() % LINES_PER_ORDER == LINES_PER_ORDER - 1 {
                        order = open_order(&http, &api, &token).await?;
                    }
                    let sent = Instant::now();
                    let mut request = http
                        .post(format!("{api}/v1/work_order/{order}/add_labour_line"))
                        .bearer_auth(&token)
                        .json(&json!({ "line_id": Uuid::now_v7(), "name": "Замена масла",
                                       "norm_hours_tenths": 5 }));
                    if keyed {
                        request = request.header("idempotency-key", Uuid::now_v7().to_string());
                    }
                    let response = request.send().await?;
                    let status = response.status();
                    let body = response.bytes().await?;
                    if !status.is_success() {
                        return Err(format!(
                            "add_labour_line: {status} {}",
                            String::from_utf8_lossy(&body)
                        )
                        .into());
                    }
                    latencies.push(sent.elapsed());
                }
                Ok::<Vec<Duration>, Box<dyn std::error::Error + Send + Sync>>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    if latencies.is_empty() {
        return Err("no command completed in the phase".into());
    }
    Ok(Phase {
        per_s: latencies.len() as f64 / elapsed,
        latencies,
    })
}

/// The session check every request makes, alone: `CLIENTS` callers asking for a real session for a
/// fifth of the phase (at least a second); its p50 and p99 in milliseconds.
async fn revocation_check(
    pool: &sqlx::PgPool,
    config: &AuthConfig,
    duration: Duration,
) -> BenchResult<(f64, f64)> {
    let (session, employee): (Uuid, Uuid) =
        sqlx::query_as("SELECT family_id, employee_id FROM auth.session_families LIMIT 1")
            .fetch_one(pool)
            .await?;
    let guard = Arc::new(SessionGuard::new(pool.clone(), config)?);
    let until = Instant::now() + (duration / 5).max(Duration::from_secs(1));
    let callers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let guard = Arc::clone(&guard);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let asked = Instant::now();
                    guard.admit(session, employee).await?;
                    latencies.push(asked.elapsed());
                }
                Ok::<Vec<Duration>, auth::AuthError>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for caller in callers {
        latencies.extend(caller.await??);
    }
    latencies.sort();
    let percentile = |p: f64| {
        let index = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[index].as_secs_f64() * 1000.0
    };
    Ok((percentile(0.50), percentile(0.99)))
}
