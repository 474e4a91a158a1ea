//! The command API over real HTTP, with the real auth service, against a real PostgreSQL.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod bad_input;
mod bounds;
mod escalation;
mod flow;
mod integrity;
mod matrix;
mod safety;

use std::net::SocketAddr;
use std::sync::Arc;

use aggregates::contact::Email;
use auth::bootstrap::{create_first_owner, FirstOwner};
use auth::http::AuthService;
use auth::AuthConfig;
use command_api::http::CommandApi;
use event_store::schema::ServiceRole;
use event_store::testing::TestDatabase;
use event_store::EventStore;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) const OWNER_EMAIL: &str = "owner@motor.ru";
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// Auth and the command API on one fresh database, with an owner.
pub(crate) struct Shop {
    pub(crate) db: TestDatabase,
    pub(crate) store: EventStore,
    pub(crate) auth: String,
    pub(crate) api: String,
    pub(crate) http: reqwest::Client,
    _stop: Vec<tokio::sync::oneshot::Sender<()>>,
}

async fn serve(
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

pub(crate) async fn open_shop(label: &str) -> Shop {
    let db = TestDatabase::create(label, 30).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    let config = AuthConfig {
        // Tests log in many times from one address.
        max_attempts_per_address: 10_000,
        ..AuthConfig::default()
    }
    // Redis keys of this test's own: parallel tests never count in each other's buckets.
    .isolated();
    // Each service logs in as its own role, as `make run` starts them: every command in these
    // tests runs with only what `motorlog-migrate` granted the command API.
    let auth_pool = db.pool_as(ServiceRole::Auth, 8).await.unwrap();
    let command_pool = db.pool_as(ServiceRole::Command, 10).await.unwrap();
    let service = AuthService::new(auth_pool, config.clone()).unwrap();
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
    let (api, stop_api) = serve(
        command_api::http::router(CommandApi::new(command_pool, &config)),
        false,
    )
    .await;
    Shop {
        db,
        store,
        auth,
        api,
        http: reqwest::Client::new(),
        _stop: vec![stop_auth, stop_api],
    }
}

/// An answer: status, headers' ETag, JSON body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

impl Shop {
    pub(crate) async fn token(&self, login: &str) -> String {
        let response = self
            .http
            .post(format!("{}/v1/auth/login", self.auth))
            .json(&json!({ "login": login, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "login {login}");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Sends a command with optional extra headers.
    pub(crate) async fn send(
        &self,
        token: Option<&str>,
        path: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .http
            .post(format!("{}/v1/{path}", self.api))
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

    /// Sends a command that must succeed.
    pub(crate) async fn ok(&self, token: &str, path: &str, body: Value) -> Value {
        let answer = self.send(Some(token), path, body, &[]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        answer.body
    }

    pub(crate) async fn events_in_log(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Hires an employee with a role and gives them the test password; returns their id.
    pub(crate) async fn employee(&self, owner: &str, email: &str, role: &str) -> Uuid {
        let id = Uuid::now_v7();
        self.ok(
            owner,
            "staff/main/hire",
            json!({ "employee_id": id, "full_name": "Сотрудник", "position": role, "email": email, "roles": [role] }),
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
        id
    }

    /// The settings a shop needs before its first order.
    pub(crate) async fn configure(&self, owner: &str) {
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
}
