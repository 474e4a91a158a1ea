//! The shop every test of Motorlog's APIs starts: auth, the command API, the query API and the
//! projectors on one fresh database, over real HTTP, each service logged in as its own role.
//!
//! The command API's and the query API's tests once carried a copy each; this is the one copy.
//! [`Shop::open`] starts everything in-process through the services' library routers (fast, and
//! a test can reach inside); [`processes`] starts the built binaries instead, as deployed, for
//! the tests of this crate that cross services.

// A harness: a failed unwrap is a failed test, with the place it failed.
#![allow(clippy::unwrap_used)]

pub mod day;
pub mod processes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aggregates::contact::Email;
use auth::bootstrap::{create_first_owner, FirstOwner};
use auth::http::AuthService;
use auth::AuthConfig;
use command_api::http::CommandApi;
use event_store::schema::ServiceRole;
use event_store::testing::TestDatabase;
use event_store::EventStore;
use personal_data::{KeyStore, LogCodec, MasterKey, MasterKeys};
// For the API crates' tests that build a service themselves (an ephemeral codec).
pub use personal_data;
use projections::meilisearch::{MeilisearchConfig, MeilisearchIndexes};
use projections::service::{spawn_all, Feeds, Phases};
use projections::RunOptions;
use query_api::http::{QueryApi, Sources};
use query_api::search::SearchSource;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// The connections a test shop's pools may hold. Two tests run at once (the project's two cores)
/// on one server of 100 connections, 3 kept for superusers. With the pools before these (owner 40,
/// auth 6, query 10, projectors 20) a shop held up to 50 and two held 97 (CI's run ran out); with
/// these and idle connections closed ([`event_store::testing::IDLE_TIMEOUT`]) a shop peaks at 44
/// and two at 87, measured from `pg_stat_activity`. Their sum is larger (55, the projectors' 11
/// locks included): the pools seldom fill at once, and what is idle goes back within 2 s.
pub mod pools {
    /// The harness's own (the test's direct reads and appends, the first owner).
    pub const OWNER: u32 = 10;
    /// Auth: sign-ins and the session checks.
    pub const AUTH: u32 = 4;
    /// The command API: tests race up to eight commands at once.
    pub const COMMAND: u32 = 8;
    /// The query API.
    pub const QUERY: u32 = 6;
    /// The projectors, as the projector service requires at the least (one per projector, the
    /// shared listener, room for the key store).
    pub const PROJECTOR: u32 = projections::service::least_pool(PROJECTOR_LOCKS, true);
    /// Connections the projectors hold beside their pool: one lock each.
    pub const PROJECTOR_LOCKS: u32 = 11;
}

pub const OWNER_EMAIL: &str = "owner@motor.ru";
pub const PASSWORD: &str = "correct horse battery staple";

/// Serves `router` on a free port of 127.0.0.1 until the sender is dropped or fired; `with_peer`
/// gives handlers the caller's address (auth throttles by it).
pub async fn serve(
    router: axum::Router,
    with_peer: bool,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    if with_peer {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
        });
    } else {
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
        });
    }
    (format!("http://{address}"), stop)
}

/// Auth settings for tests: many logins from one address, and Redis keys of the test's own so
/// parallel tests never count in each other's buckets.
pub fn auth_config() -> AuthConfig {
    AuthConfig {
        max_attempts_per_address: 10_000,
        ..AuthConfig::default()
    }
    .isolated()
}

/// Projectors that follow the log closely, as in production but with shorter pauses.
pub fn fast_projectors() -> RunOptions {
    let mut options = RunOptions::default();
    options.subscription.poll_interval = Duration::from_millis(50);
    options
}

/// Which services a [`Shop`] starts besides auth and the command API.
#[derive(Default)]
pub struct Options {
    /// The query API and the projectors that fill its read models.
    pub reads: bool,
    /// The projectors also keep Meilisearch's indexes, and a second query API searches them.
    pub meilisearch: Option<MeilisearchConfig>,
    /// No per-employee rate limit: for a benchmark, whose one employee sends thousands of requests
    /// a minute (the limit is counted in Redis, so it holds whenever Redis runs).
    pub unthrottled: bool,
}

/// The personal data codec of a service's store: `master_key` (an `id:base64` line) shared by
/// the shop's services, as a deployment's share theirs, and data keys in the key store through the
/// service's own `pool`.
pub fn codec(master_key: &str, pool: &sqlx::PgPool) -> Arc<LogCodec> {
    let masters = MasterKeys::from_lines(master_key).unwrap();
    Arc::new(LogCodec::new(KeyStore::new(pool.clone(), masters)))
}

/// Where the test shop's clients open its pages (the approval link a message carries).
pub const PUBLIC_URL: &str = "https://service.test";

/// Auth, the command API and (with [`Options::reads`]) the projectors and the query API on one
/// fresh database, with an owner who may log in as [`OWNER_EMAIL`].
pub struct Shop {
    pub db: TestDatabase,
    /// The log as the services see it: personal data sealed on append, opened on read.
    pub store: EventStore,
    /// The shop's master key line (`id:base64`), for a store or service the test makes itself.
    pub master_key: String,
    pub auth: String,
    pub commands: String,
    queries: Option<String>,
    /// A second query API on the same database whose search reads Meilisearch, when configured.
    pub queries_meilisearch: Option<String>,
    pub http: reqwest::Client,
    _stop: Vec<tokio::sync::oneshot::Sender<()>>,
    projectors: Option<(tokio::sync::watch::Sender<bool>, tokio::task::JoinSet<()>)>,
}

/// Everything: auth, commands, projectors, queries.
pub async fn open_shop(label: &str) -> Shop {
    Shop::open(
        label,
        Options {
            reads: true,
            ..Options::default()
        },
    )
    .await
}

/// Everything, with Meilisearch's indexes kept and searched beside PostgreSQL's when given.
pub async fn open_shop_with(label: &str, meilisearch: Option<MeilisearchConfig>) -> Shop {
    Shop::open(
        label,
        Options {
            reads: true,
            meilisearch,
            ..Options::default()
        },
    )
    .await
}

/// Auth and the command API only: what the command API's tests need, without projectors
/// competing for the machine and the connections.
pub async fn open_command_shop(label: &str) -> Shop {
    Shop::open(label, Options::default()).await
}

/// An answer: status and JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The `code` of the first GraphQL error, if any.
    pub fn error_code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }
}

impl Shop {
    pub async fn open(label: &str, options: Options) -> Shop {
        let db = TestDatabase::create(label, pools::OWNER).await.unwrap();
        let master_key = MasterKey::generate("test").unwrap().to_line();
        let store = EventStore::new(db.pool.clone()).with_codec(codec(&master_key, &db.pool));
        let mut config = auth_config();
        if options.unthrottled {
            config.requests_per_minute = 0;
        }
        // Each service logs in as its own role, as `make run` starts them: every command and
        // query in the tests runs with only what `motorlog-migrate` granted that service.
        let auth_pool = db.pool_as(ServiceRole::Auth, pools::AUTH).await.unwrap();
        let auth_store =
            EventStore::new(auth_pool.clone()).with_codec(codec(&master_key, &auth_pool));
        let service = AuthService::with_store(auth_pool, auth_store, config.clone()).unwrap();
        let owner = FirstOwner {
            full_name: "Смирнова Анна".into(),
            email: Email::parse(OWNER_EMAIL).unwrap(),
            phone: None,
            password: PASSWORD.into(),
        };
        create_first_owner(&store, service.hasher(), "main", owner)
            .await
            .unwrap();
        let (auth, stop_auth) = serve(auth::http::router(Arc::clone(&service)), true).await;
        let command_pool = db
            .pool_as(ServiceRole::Command, pools::COMMAND)
            .await
            .unwrap();
        let (commands, stop_commands) = serve(
            command_api::http::router(CommandApi::with_reach(
                command_pool.clone(),
                codec(&master_key, &command_pool),
                &config,
                command_api::http::Reach {
                    files: None,
                    public_url: Some(PUBLIC_URL.into()),
                },
            )),
            // The client's approval link records the address it was answered from.
            true,
        )
        .await;
        let mut stops = vec![stop_auth, stop_commands];
        let mut shop = Shop {
            db,
            store,
            master_key,
            auth,
            commands,
            queries: None,
            queries_meilisearch: None,
            http: reqwest::Client::new(),
            _stop: Vec::new(),
            projectors: None,
        };
        if options.reads {
            shop.start_reads(&config, options.meilisearch, &mut stops)
                .await;
        }
        shop._stop = stops;
        shop
    }

    async fn start_reads(
        &mut self,
        config: &AuthConfig,
        meilisearch: Option<MeilisearchConfig>,
        stops: &mut Vec<tokio::sync::oneshot::Sender<()>>,
    ) {
        let query_pool = query_api::http::pool_options()
            .max_connections(pools::QUERY)
            .idle_timeout(event_store::testing::IDLE_TIMEOUT)
            .connect_with(self.db.options_as(ServiceRole::Query))
            .await
            .unwrap();
        let (queries, stop_queries) = serve(
            query_api::http::router(QueryApi::new(query_pool.clone(), config, true)),
            false,
        )
        .await;
        stops.push(stop_queries);
        self.queries = Some(queries);
        if let Some(search) = &meilisearch {
            let indexes =
                MeilisearchIndexes::new(search, EventStore::new(query_pool.clone())).unwrap();
            let sources = Sources {
                search: SearchSource::Meilisearch(Box::new(indexes)),
                ..Sources::postgres(&query_pool)
            };
            let api = QueryApi::with_sources(query_pool, config, true, sources);
            let (url, stop) = serve(query_api::http::router(api), false).await;
            stops.push(stop);
            self.queries_meilisearch = Some(url);
        }
        let feeds = Feeds {
            meilisearch,
            ..Feeds::default()
        };
        self.start_projectors(fast_projectors(), feeds).await;
    }

    /// Starts the projectors from their checkpoints, as the projector service runs them with
    /// `options`; the shop must have none running (see [`Shop::stop_projectors`]).
    pub async fn start_projectors(&mut self, options: RunOptions, feeds: Feeds) {
        assert!(
            self.projectors.is_none(),
            "the shop's projectors are running"
        );
        let (stop_projectors, shutdown) = tokio::sync::watch::channel(false);
        // As the service sizes it: one per projector, their shared listener, and four for the key
        // store, which a batch opening personal fields asks for while holding its own.
        let projector_pool = self
            .db
            .pool_as(ServiceRole::Projector, pools::PROJECTOR)
            .await
            .unwrap();
        let projector_store = EventStore::new(projector_pool.clone())
            .with_codec(codec(&self.master_key, &projector_pool));
        let projectors = spawn_all(
            &projector_store,
            options,
            &feeds,
            &Phases::default(),
            &shutdown,
        )
        .unwrap();
        self.projectors = Some((stop_projectors, projectors));
    }

    /// The query API's address; only a shop opened with reads has one.
    pub fn queries(&self) -> &str {
        self.queries
            .as_deref()
            .expect("this shop was opened without the query API")
    }

    /// Stops the projectors (each finishes its batch), e.g. before a rebuild.
    pub async fn stop_projectors(&mut self) {
        if let Some((stop, mut running)) = self.projectors.take() {
            let _ = stop.send(true);
            while running.join_next().await.is_some() {}
        }
    }

    pub async fn token(&self, login: &str) -> String {
        day::sign_in(&self.http, &self.auth, login).await
    }

    /// Sends a command with optional extra headers.
    pub async fn send(
        &self,
        token: Option<&str>,
        path: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .http
            .post(format!("{}/v1/{path}", self.commands))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        Answer {
            status: response.status(),
            body: response.json().await.unwrap_or(Value::Null),
        }
    }

    /// Sends a command that must succeed; returns the command API's answer.
    pub async fn ok(&self, token: &str, path: &str, body: Value) -> Value {
        let answer = self.send(Some(token), path, body, &[]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        answer.body
    }

    /// Sends a command that must succeed; returns the log position of its last event.
    pub async fn command(&self, token: &str, path: &str, body: Value) -> String {
        let answer = self.ok(token, path, body).await;
        answer["position"].as_str().unwrap_or_default().to_owned()
    }

    /// A GraphQL query, optionally waiting for a position.
    pub async fn query(
        &self,
        token: Option<&str>,
        query: &str,
        min_position: Option<&str>,
    ) -> Answer {
        self.query_at(self.queries(), token, query, min_position)
            .await
    }

    /// A GraphQL query to the query API at `api`.
    pub async fn query_at(
        &self,
        api: &str,
        token: Option<&str>,
        query: &str,
        min_position: Option<&str>,
    ) -> Answer {
        let mut request = self
            .http
            .post(format!("{api}/graphql"))
            .json(&json!({ "query": query }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(position) = min_position {
            request = request.header("x-min-position", position);
        }
        let response = request.send().await.unwrap();
        Answer {
            status: response.status(),
            body: response.json().await.unwrap_or(Value::Null),
        }
    }

    /// A query that must succeed without errors; returns `data`.
    pub async fn data(&self, token: &str, query: &str, min_position: &str) -> Value {
        let answer = self.query(Some(token), query, Some(min_position)).await;
        assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
        assert!(answer.body["errors"].is_null(), "{query}: {}", answer.body);
        answer.body["data"].clone()
    }

    pub async fn events_in_log(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Hires an employee with a role and gives them the test password; returns id and position.
    pub async fn employee(&self, owner: &str, email: &str, role: &str) -> (Uuid, String) {
        let id = Uuid::now_v7();
        let position = self
            .command(
                owner,
                "staff/main/hire",
                json!({ "employee_id": id, "full_name": format!("Сотрудник {role}"), "position": role,
                        "email": email, "roles": [role] }),
            )
            .await;
        let response = self
            .http
            .post(format!("{}/v1/auth/employees/{id}/password", self.auth))
            .bearer_auth(owner)
            .json(&json!({ "new_password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        (id, position)
    }

    /// The settings a shop needs before its first order.
    pub async fn configure(&self, owner: &str) {
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
            self.ok(owner, &format!("settings/main/{command}"), body)
                .await;
        }
    }

    /// The settings and the payment methods: what a shop needs before its first payment.
    pub async fn configure_with_payments(&self, owner: &str) {
        self.configure(owner).await;
        self.payment_methods(owner).await;
    }

    /// The payment methods directory with `cash` and `card` active (payments name an active code
    /// of it, or are refused).
    pub async fn payment_methods(&self, owner: &str) {
        self.ok(
            owner,
            "directory/payment_methods/create",
            json!({ "name": "Способы оплаты" }),
        )
        .await;
        for (code, name) in [("cash", "Наличные"), ("card", "Карта")] {
            self.ok(
                owner,
                "directory/payment_methods/add_entry",
                json!({ "code": code, "name": name }),
            )
            .await;
        }
    }

    /// A registered client; returns their id.
    pub async fn client(&self, token: &str) -> Uuid {
        let id = Uuid::now_v7();
        self.ok(
            token,
            &format!("client/{id}/register"),
            json!({ "party": { "kind": "person", "full_name": "Петров Иван Сергеевич" },
                    "phones": ["+79123456789"] }),
        )
        .await;
        id
    }

    /// A car of `owner` with this plate and no VIN; returns its id.
    pub async fn car(&self, token: &str, owner: Uuid, plate: &str) -> Uuid {
        let id = Uuid::now_v7();
        self.ok(
            token,
            &format!("vehicle/{id}/register"),
            json!({ "plate": plate, "make": "Lada", "model": "Vesta", "owner": owner }),
        )
        .await;
        id
    }

    /// A work order opened for `client`'s `car`; returns its id.
    pub async fn order(&self, token: &str, client: Uuid, car: Uuid) -> Uuid {
        let id = Uuid::now_v7();
        self.ok(
            token,
            &format!("work_order/{id}/open"),
            json!({ "client_id": client, "vehicle_id": car }),
        )
        .await;
        id
    }
}

/// A shop with an owner, an advisor, a mechanic and a cashier signed in, and one order in work
/// assigned to the mechanic (and one not), with a client, a vehicle and a part-paid invoice.
pub struct Staffed {
    pub shop: Shop,
    pub owner: String,
    pub advisor: String,
    pub mechanic: String,
    pub cashier: String,
    pub mechanic_id: Uuid,
    pub client: Uuid,
    pub vehicle: Uuid,
    pub assigned_order: Uuid,
    pub other_order: Uuid,
    pub invoice: Uuid,
    /// The position of the last command.
    pub position: String,
}

pub async fn staffed_shop(label: &str) -> Staffed {
    staffed_shop_with(label, None).await
}

/// The staffed shop, with Meilisearch's indexes kept and searched beside PostgreSQL's when given.
pub async fn staffed_shop_with(label: &str, meilisearch: Option<MeilisearchConfig>) -> Staffed {
    let shop = open_shop_with(label, meilisearch).await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure_with_payments(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let (mechanic_id, _) = shop.employee(&owner, "mechanic@motor.ru", "mechanic").await;
    shop.employee(&owner, "cashier@motor.ru", "cashier").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let mechanic = shop.token("mechanic@motor.ru").await;
    let cashier = shop.token("cashier@motor.ru").await;
    let (client, vehicle) = (Uuid::now_v7(), Uuid::now_v7());
    shop.command(
        &advisor,
        &format!("client/{client}/register"),
        json!({ "party": { "kind": "person", "full_name": "Петров Иван Сергеевич" },
                "phones": ["8 (912) 345-67-89"], "email": "petrov@mail.ru" }),
    )
    .await;
    shop.command(
        &advisor,
        &format!("vehicle/{vehicle}/register"),
        json!({ "vin": "XTAGFK330JY144213", "plate": "a123bc77", "make": "Lada", "model": "Vesta",
                "year": 2018, "owner": client }),
    )
    .await;
    let (assigned_order, other_order, invoice) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    for order in [assigned_order, other_order] {
        shop.command(
            &advisor,
            &format!("work_order/{order}/open"),
            json!({ "client_id": client, "vehicle_id": vehicle }),
        )
        .await;
    }
    shop.command(
        &advisor,
        &format!("work_order/{assigned_order}/accept_vehicle"),
        json!({ "mileage_km": 87400, "complaints": "Стук спереди", "fuel_eighths": 3 }),
    )
    .await;
    let (labour, parts) = (Uuid::now_v7(), Uuid::now_v7());
    shop.command(
        &advisor,
        &format!("work_order/{assigned_order}/add_labour_line"),
        json!({ "line_id": labour, "name": "Замена стоек стабилизатора", "norm_hours_tenths": 15,
                "mechanic": mechanic_id }),
    )
    .await;
    shop.command(
        &advisor,
        &format!("work_order/{assigned_order}/add_parts_line"),
        json!({ "line_id": parts, "part_number": "0K2N134150", "name": "Стойка стабилизатора",
                "quantity_thousandths": 2000, "unit_price_kopecks": 189050 }),
    )
    .await;
    shop.command(
        &advisor,
        &format!("work_order/{assigned_order}/record_approval"),
        json!({ "decisions": [{ "line_id": labour, "decision": "approve" },
                              { "line_id": parts, "decision": "approve" }],
                "by": "Петров И. С.", "channel": { "kind": "phone", "number": "+79123456789" } }),
    )
    .await;
    shop.command(
        &advisor,
        &format!("work_order/{assigned_order}/start_work"),
        json!({}),
    )
    .await;
    shop.command(
        &mechanic,
        &format!("work_order/{assigned_order}/start_labour"),
        json!({ "line_id": labour }),
    )
    .await;
    shop.command(
        &mechanic,
        &format!("work_order/{assigned_order}/finish_labour"),
        json!({ "line_id": labour }),
    )
    .await;
    shop.command(
        &advisor,
        &format!("work_order/{assigned_order}/complete"),
        json!({}),
    )
    .await;
    shop.command(
        &cashier,
        &format!("invoice/{invoice}/issue"),
        json!({ "work_order_id": assigned_order }),
    )
    .await;
    let position = shop
        .command(
            &cashier,
            &format!("invoice/{invoice}/record_payment"),
            json!({ "payment_id": Uuid::now_v7(), "amount_kopecks": 500_000, "method": "card" }),
        )
        .await;
    Staffed {
        shop,
        owner,
        advisor,
        mechanic,
        cashier,
        mechanic_id,
        client,
        vehicle,
        assigned_order,
        other_order,
        invoice,
        position,
    }
}

#[cfg(test)]
mod tests {
    use projections::service::Projector;

    /// The harness's projector pool is the service's least, which counts the projectors: one more
    /// projector needs one more connection (and a lock) here too.
    #[test]
    fn the_projector_pool_counts_every_projector() {
        let projectors = u32::try_from(Projector::ALL.len()).unwrap();
        assert_eq!(super::pools::PROJECTOR_LOCKS, projectors);
    }
}
