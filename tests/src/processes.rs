//! The shop as deployed: each service is its built binary, a process of its own on its own
//! 127.0.0.1 port, logged in as its own database role (README, "Database roles"), as `make run`
//! starts them. Every process is killed when the test lets go of it, however the test ends.
//!
//! Where the binaries come from: an integration test only gets `CARGO_BIN_EXE_*` for its own
//! crate's binaries, and this crate has none. So [`Binaries::build`] runs `scripts/build-services.sh`,
//! the build every script uses (a no-op after `cargo test --workspace`, whose feature resolution it
//! shares; the cargo that runs the tests has released its lock by then), and takes them from the
//! profile directory the test executable itself sits in (`target/<profile>/deps/<test>` →
//! `target/<profile>/`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use event_store::schema::ServiceRole;
use event_store::testing::TestDatabase;
use sqlx::PgPool;

/// Where the built service binaries are.
#[derive(Debug, Clone)]
pub struct Binaries {
    directory: PathBuf,
}

impl Binaries {
    /// Builds the services' binaries in the test's own profile and locates them.
    pub fn build() -> Self {
        let exe = std::env::current_exe().unwrap();
        // target/<profile>/deps/<test>: the binaries are two levels up.
        let directory = exe.parent().unwrap().parent().unwrap().to_owned();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/build-services.sh");
        let mut build = std::process::Command::new("bash");
        build.arg(script);
        if directory.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().unwrap();
        assert!(status.success(), "building the services' binaries");
        Self { directory }
    }

    pub fn path(&self, binary: &str) -> PathBuf {
        let path = self.directory.join(binary);
        assert!(path.exists(), "{} was not built", path.display());
        path
    }
}

/// A free port on 127.0.0.1 (the listener is dropped: the service binds it next).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One running service binary, killed (SIGKILL) when dropped.
#[derive(Debug)]
pub struct Service {
    pub name: String,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    child: tokio::process::Child,
}

impl Service {
    /// Starts `binary` with `args` and `env` on `port` and waits until its `/health` answers.
    pub async fn start(
        binaries: &Binaries,
        name: &str,
        binary: &str,
        args: &[&str],
        env: &[(String, String)],
        port: u16,
    ) -> Self {
        let mut command = tokio::process::Command::new(binaries.path(binary));
        command
            .args(args)
            // Nothing from the caller's shell may reach a service: each gets exactly its settings.
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "error")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let mut service = Self {
            name: name.to_owned(),
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        service.wait_healthy().await;
        service
    }

    async fn wait_healthy(&mut self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = http.get(format!("{}/health", self.url)).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited before answering: {status}", self.name);
            }
            assert!(
                Instant::now() < deadline,
                "{} did not answer at {}/health within 60 s",
                self.name,
                self.url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process's resident memory now, from `/proc/<pid>/status`, in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        let pid = self.child.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Still running (a crashed service fails the test that asks).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// The environment a service reads its database from: its own role's URL, as `make run` sets it.
pub fn database_env(db: &TestDatabase, role: ServiceRole) -> (String, String) {
    let variable = match role {
        ServiceRole::Auth => "AUTH_DATABASE_URL",
        ServiceRole::Command => "COMMAND_API_DATABASE_URL",
        ServiceRole::Projector => "PROJECTOR_DATABASE_URL",
        ServiceRole::Query => "QUERY_API_DATABASE_URL",
        ServiceRole::Notifier => "NOTIFIER_DATABASE_URL",
    };
    (variable.to_owned(), db.url_as(role))
}

/// Runs `motorlog-replay` with `args` against `db` as its owner (a rebuild swaps tables);
/// returns its standard output, or panics with its errors when it fails.
pub async fn replay(
    binaries: &Binaries,
    db: &TestDatabase,
    args: &[&str],
    env: &[(String, String)],
) -> String {
    let output = tokio::process::Command::new(binaries.path("motorlog-replay"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db.url())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "motorlog-replay {args:?}: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Every read model of a database, table by table, each row as text in a stable order.
pub async fn read_models(pool: &PgPool) -> BTreeMap<&'static str, Vec<String>> {
    let mut tables = BTreeMap::new();
    for table in projections::service::read_model_tables() {
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT t::text FROM {table} t ORDER BY 1"))
                .fetch_all(pool)
                .await
                .unwrap();
        tables.insert(table, rows);
    }
    tables
}

/// Two sets of read models hold the same rows, table by table; the first difference otherwise.
pub fn assert_same_read_models(
    left: &BTreeMap<&'static str, Vec<String>>,
    left_name: &str,
    right: &BTreeMap<&'static str, Vec<String>>,
    right_name: &str,
) {
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>()
    );
    for (table, left_rows) in left {
        let right_rows = &right[table];
        if let Some((a, b)) = left_rows.iter().zip(right_rows).find(|(a, b)| a != b) {
            panic!("{table}: {left_name}\n  {a}\nbut {right_name}\n  {b}");
        }
        assert_eq!(
            left_rows.len(),
            right_rows.len(),
            "{table}: {} rows {left_name}, {} {right_name}",
            left_rows.len(),
            right_rows.len()
        );
    }
}

/// The position every projector of `pool`'s database has applied, the lowest of them.
pub async fn slowest_checkpoint(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT coalesce(min(global_position), 0) FROM projections.checkpoints")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The `p`-th percentile (0..=100) of `samples` (sorted here), or zero for none.
pub fn percentile(samples: &mut [Duration], p: usize) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = (samples.len() * p).div_ceil(100).max(1) - 1;
    samples[rank.min(samples.len() - 1)]
}

/// A `tansu` Kafka-protocol broker on a free port of 127.0.0.1, in memory, killed when dropped.
/// `TANSU` names the binary (default `tansu`, which `scripts/install-tools.sh` installs).
pub struct Broker {
    pub address: String,
    _child: tokio::process::Child,
}

impl Broker {
    pub async fn start() -> Self {
        let tansu = std::env::var("TANSU").unwrap_or_else(|_| "tansu".into());
        let address = format!("127.0.0.1:{}", free_port());
        let url = format!("tcp://{address}");
        let child = tokio::process::Command::new(&tansu)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "memory://tansu/"])
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {tansu} ({e}): `bash scripts/install-tools.sh` installs it")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(&address).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "tansu did not listen on {address}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            address,
            _child: child,
        }
    }
}

/// What the shop is deployed with besides PostgreSQL and Redis.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// A Kafka broker and topic: the projector relays the log there, and a second projector box,
    /// on a database of its own, is fed from it.
    pub kafka: Option<(String, String)>,
    /// A ClickHouse server's HTTP URL and database: the projector keeps the reports' facts there,
    /// and a second query API reads the owner's reports from it.
    pub clickhouse: Option<(String, String)>,
    /// `MEILI_URL` and `MEILI_API_KEY`: the projector keeps the search indexes there, and a third
    /// query API searches them.
    pub meilisearch: Option<(String, Option<String>)>,
}

/// The whole shop as separate processes: auth, the command API, the projector (with the relay
/// and the ClickHouse sink when configured), the query API; and, with [`Extras`], the Kafka-fed
/// projector box and the query APIs that read ClickHouse and Meilisearch.
pub struct Deployment {
    pub binaries: Binaries,
    pub db: TestDatabase,
    /// The Kafka-fed box's own database (its read models; no log).
    pub box_db: Option<TestDatabase>,
    pub auth: Service,
    pub commands: Service,
    pub projector: Service,
    pub queries: Service,
    pub kafka_box: Option<Service>,
    pub queries_clickhouse: Option<Service>,
    pub queries_meilisearch: Option<Service>,
    /// The settings every service shares (Redis, owner, index prefix…), for the replay tool too.
    pub shared_env: Vec<(String, String)>,
    pub http: reqwest::Client,
}

/// The owner `motorlog-auth serve` creates at its first start.
pub const OWNER_EMAIL: &str = "owner@day.test";

impl Deployment {
    pub async fn start(label: &str, extras: Extras) -> Self {
        let binaries = tokio::task::spawn_blocking(Binaries::build).await.unwrap();
        // The test's own connections (reading the log and read models to check them): few.
        let db = TestDatabase::create(label, 4).await.unwrap();
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let var = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let mut shared = vec![
            var("MOTORLOG_OWNER_EMAIL", OWNER_EMAIL),
            var("MOTORLOG_OWNER_PASSWORD", crate::PASSWORD),
            var(
                "REDIS_URL",
                &std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
            ),
            // Redis keys of this run's own: parallel tests never share a throttle or a limit.
            var("MOTORLOG_REDIS_PREFIX", &format!("motorlog-{unique}")),
            // The day's clerks are programs that send far faster than people; the per-employee
            // limit is the auth tests' subject, not this one's.
            var("MOTORLOG_RATE_LIMIT_PER_MINUTE", "0"),
            // One master key for every service, as a deployment shares it: the command API seals
            // personal data, the others open it.
            var(
                "MOTORLOG_MASTER_KEY",
                &personal_data::MasterKey::generate("test")
                    .unwrap()
                    .to_line(),
            ),
            // Smaller pools than a shop's defaults: the database server is shared with every other
            // test, and a day of a few desks needs few connections. The projector's is what it
            // needs (it refuses fewer than two per projector and sink and four for the keys).
            var("AUTH_DB_POOL", "2"),
            var("COMMAND_API_DB_POOL", "4"),
            var("QUERY_API_DB_POOL", "3"),
        ];
        if let Some((url, key)) = &extras.meilisearch {
            shared.push(var("MEILI_URL", url));
            shared.push(var("MEILI_INDEX_PREFIX", &format!("day_{unique}_")));
            if let Some(key) = key {
                shared.push(var("MEILI_API_KEY", key));
            }
        }
        let with = |own: Vec<(String, String)>| [shared.clone(), own].concat();
        let port = |variable: &str| {
            let port = free_port();
            ((variable.to_owned(), format!("127.0.0.1:{port}")), port)
        };

        let (listen, p) = port("AUTH_LISTEN");
        let auth = Service::start(
            &binaries,
            "auth",
            "motorlog-auth",
            &["serve"],
            &with(vec![listen, database_env(&db, ServiceRole::Auth)]),
            p,
        )
        .await;
        let (listen, p) = port("COMMAND_API_LISTEN");
        let commands = Service::start(
            &binaries,
            "command API",
            "motorlog-command-api",
            &[],
            &with(vec![listen, database_env(&db, ServiceRole::Command)]),
            p,
        )
        .await;
        let mut projector_env = vec![database_env(&db, ServiceRole::Projector)];
        if let Some((brokers, topic)) = &extras.kafka {
            projector_env.push(var("KAFKA_BROKERS", brokers));
            projector_env.push(var("KAFKA_TOPIC", topic));
        }
        if let Some((url, database)) = &extras.clickhouse {
            projector_env.push(var("CLICKHOUSE_URL", url));
            projector_env.push(var("CLICKHOUSE_DATABASE", database));
        }
        // The service's default (two per projector, four for the key store) and two per sink
        // switched on, as README's "Connections to PostgreSQL" tells an operator to set it.
        let sinks = [
            extras.kafka.is_some(),
            extras.clickhouse.is_some(),
            extras.meilisearch.is_some(),
        ]
        .into_iter()
        .filter(|on| *on)
        .count();
        projector_env.push(var("PROJECTOR_DB_POOL", &(20 + 2 * sinks).to_string()));
        let (listen, p) = port("PROJECTOR_LISTEN");
        projector_env.push(listen);
        let projector = Service::start(
            &binaries,
            "projector",
            "motorlog-projector",
            &[],
            &with(projector_env),
            p,
        )
        .await;
        let query_env = |extra: Vec<(String, String)>| {
            let (listen, p) = port("QUERY_API_LISTEN");
            let mut env = with(vec![listen, database_env(&db, ServiceRole::Query)]);
            // Search reads Meilisearch only in the query API that is meant to.
            env.retain(|(k, _)| !k.starts_with("MEILI_"));
            env.extend(extra);
            (env, p)
        };
        let (env, p) = query_env(Vec::new());
        let queries =
            Service::start(&binaries, "query API", "motorlog-query-api", &[], &env, p).await;
        let queries_clickhouse = match &extras.clickhouse {
            Some((url, database)) => {
                let (env, p) = query_env(vec![
                    var("CLICKHOUSE_URL", url),
                    var("CLICKHOUSE_DATABASE", database),
                ]);
                Some(
                    Service::start(
                        &binaries,
                        "query API (ClickHouse)",
                        "motorlog-query-api",
                        &[],
                        &env,
                        p,
                    )
                    .await,
                )
            }
            None => None,
        };
        let queries_meilisearch = match &extras.meilisearch {
            Some(_) => {
                let meili: Vec<_> = shared
                    .iter()
                    .filter(|(k, _)| k.starts_with("MEILI_"))
                    .cloned()
                    .collect();
                let (env, p) = query_env(meili);
                Some(
                    Service::start(
                        &binaries,
                        "query API (Meilisearch)",
                        "motorlog-query-api",
                        &[],
                        &env,
                        p,
                    )
                    .await,
                )
            }
            None => None,
        };
        let (box_db, kafka_box) = match &extras.kafka {
            Some((brokers, topic)) => {
                let box_db = TestDatabase::create(&format!("{label}_box"), 4)
                    .await
                    .unwrap();
                let (listen, p) = port("PROJECTOR_LISTEN");
                let env = vec![
                    listen,
                    database_env(&box_db, ServiceRole::Projector),
                    // Its own database has no log and no keys: they are the shop's.
                    var(
                        "PROJECTOR_KEYS_DATABASE_URL",
                        &db.url_as(ServiceRole::Projector),
                    ),
                    var("KAFKA_BROKERS", brokers),
                    var("KAFKA_TOPIC", topic),
                    var("PROJECTOR_SOURCE", "kafka"),
                    // A box that only consumes: the log's own projector is the one relay.
                    var("KAFKA_RELAY", "off"),
                    // Eight projectors, two connections each; no relay, no sinks; its keys come
                    // through a pool of their own.
                    var("PROJECTOR_DB_POOL", "16"),
                ];
                // The box opens the sealed fields it consumes with the shop's master key.
                let mut env = env;
                env.extend(
                    shared
                        .iter()
                        .filter(|(k, _)| k == "MOTORLOG_MASTER_KEY")
                        .cloned(),
                );
                let service = Service::start(
                    &binaries,
                    "Kafka-fed projector",
                    "motorlog-projector",
                    &[],
                    &env,
                    p,
                )
                .await;
                (Some(box_db), Some(service))
            }
            None => (None, None),
        };
        Self {
            binaries,
            db,
            box_db,
            auth,
            commands,
            projector,
            queries,
            kafka_box,
            queries_clickhouse,
            queries_meilisearch,
            shared_env: shared,
            http: reqwest::Client::new(),
        }
    }

    /// Every service process, for memory samples and liveness.
    pub fn services(&mut self) -> Vec<&mut Service> {
        let mut all = vec![
            &mut self.auth,
            &mut self.commands,
            &mut self.projector,
            &mut self.queries,
        ];
        all.extend(self.kafka_box.as_mut());
        all.extend(self.queries_clickhouse.as_mut());
        all.extend(self.queries_meilisearch.as_mut());
        all
    }

    /// The highest position in the log.
    pub async fn log_head(&self) -> i64 {
        sqlx::query_scalar("SELECT coalesce(max(global_position), 0) FROM events")
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Waits (bounded) until every projector and sink of `pool`'s database has applied `head`.
    /// A failure a projector recorded and retried past (a pool timeout, a conflict with a rebuild's
    /// swap) does not stop it, so it is printed, not failed on; one that stopped it leaves it behind,
    /// and that fails here, with the failure.
    pub async fn wait_caught_up(pool: &PgPool, head: i64, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let checkpoints: Vec<(String, i64, Option<String>)> = sqlx::query_as(
                "SELECT projector, global_position, failed_error FROM projections.checkpoints",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            let behind: Vec<_> = checkpoints.iter().filter(|c| c.1 < head).collect();
            if behind.is_empty() {
                for (projector, _, failure) in &checkpoints {
                    if let Some(failure) = failure {
                        println!(
                            "{what}: {projector} recorded a failure it retried past: {failure}"
                        );
                    }
                }
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: still behind {head} after 120 s: {behind:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
