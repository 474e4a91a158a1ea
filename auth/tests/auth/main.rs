//! The auth service over real HTTP against a real PostgreSQL, one database per test.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod bad_input;
mod limits;
mod sealed;
mod sessions;
mod tokens;
mod web;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;

use aggregates::contact::Email;
use aggregates::directory::Code;
use aggregates::ids::EmployeeId;
use aggregates::permission::Actor;
use aggregates::staff::{RolePermissions, Staff, StaffCommand};
use aggregates::{Aggregate, Versioned};
use auth::bootstrap::{create_first_owner, new_event, FirstOwner};
use auth::http::{run, AuthService};
use auth::AuthConfig;
use event_store::schema::ServiceRole;
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, Metadata, StreamId};
use personal_data::{LogCodec, MasterKey, MasterKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) const OWNER_EMAIL: &str = "owner@motor.ru";
pub(crate) const OWNER_PASSWORD: &str = "correct horse battery staple";

/// A running auth service with its own database and a first owner.
pub(crate) struct TestAuth {
    pub(crate) db: TestDatabase,
    /// The log as the services see it: the staff's names and logins sealed with [`Self::codec`].
    pub(crate) store: EventStore,
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
    pub(crate) owner: Uuid,
    pub(crate) service: Arc<AuthService>,
    /// The personal data codec the service and the test's store share: one master key, so what
    /// one seals the other opens.
    pub(crate) codec: Arc<LogCodec>,
    /// The master key line (`id:base64`) the service's signing keys are wrapped under, for a
    /// service the test starts again on the same database.
    pub(crate) master_key: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Master keys from `id:base64` lines, the current first.
pub(crate) fn master_keys(lines: &str) -> Arc<MasterKeys> {
    Arc::new(MasterKeys::from_lines(lines).unwrap())
}

pub(crate) async fn spawn_auth(label: &str, config: AuthConfig) -> TestAuth {
    let db = TestDatabase::create(label, 20).await.unwrap();
    // The service logs in as its own role, as `make run` starts it, and creates the first owner
    // as it does at start: every login in these tests runs with only what `motorlog-migrate`
    // granted the auth service.
    let auth_pool = db.pool_as(ServiceRole::Auth, 10).await.unwrap();
    let codec = LogCodec::ephemeral(auth_pool.clone());
    let store = EventStore::new(db.pool.clone()).with_codec(codec.clone());
    let master_key = MasterKey::generate("test").unwrap().to_line();
    // Redis keys of this test's own: parallel tests never count in each other's buckets.
    let service = AuthService::with_master_keys(
        auth_pool.clone(),
        EventStore::new(auth_pool.clone()).with_codec(codec.clone()),
        master_keys(&master_key),
        config.isolated(),
    )
    .unwrap();
    let owner = FirstOwner {
        full_name: "Смирнова Анна".into(),
        email: Email::parse(OWNER_EMAIL).unwrap(),
        phone: None,
        password: OWNER_PASSWORD.into(),
    };
    let owner = create_first_owner(
        &EventStore::new(auth_pool).with_codec(codec.clone()),
        service.hasher(),
        "main",
        owner,
    )
    .await
    .unwrap()
    .unwrap();
    let (base, shutdown) = serve(&service).await;
    TestAuth {
        db,
        store,
        base,
        http: reqwest::Client::new(),
        owner,
        service,
        codec,
        master_key,
        _shutdown: shutdown,
    }
}

/// Serves `service` on a port of its own until the sender is dropped; its base URL.
pub(crate) async fn serve(
    service: &Arc<AuthService>,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(run(Arc::clone(service), listener, async {
        let _ = stop.await;
    }));
    (format!("http://{address}"), shutdown)
}

impl TestAuth {
    pub(crate) async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub(crate) async fn login(&self, login: &str, password: &str) -> (StatusCode, Value) {
        self.post(
            "/v1/auth/login",
            None,
            json!({ "login": login, "password": password }),
        )
        .await
    }

    pub(crate) async fn owner_tokens(&self) -> Value {
        let (status, body) = self.login(OWNER_EMAIL, OWNER_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Hires an employee with `roles` through the staff stream, as the command API will.
    pub(crate) async fn hire(&self, email: &str, roles: &[&str]) -> Uuid {
        let id = EmployeeId(Uuid::now_v7());
        let roles: BTreeSet<Code> = roles.iter().map(|r| Code::parse(r).unwrap()).collect();
        self.staff_command(StaffCommand::Hire {
            employee_id: id,
            full_name: "Сотрудник".into(),
            position: "Мастер-приёмщик".into(),
            email: Some(Email::parse(email).unwrap()),
            phone: None,
            roles,
            at: chrono::Utc::now(),
            by: Actor::owner(),
            role_permissions: RolePermissions::new(),
        })
        .await;
        id.0
    }

    pub(crate) async fn staff_command(&self, command: StaffCommand) {
        let stream = StreamId::new(Staff::STREAM_TYPE, "main");
        let mut staff = Versioned::<Staff>::default();
        for recorded in self.store.read_stream(&stream, 0).await.unwrap() {
            staff = staff.apply(&serde_json::from_value(recorded.payload).unwrap());
        }
        let events = staff.state.decide(command).unwrap();
        let metadata = Metadata::system("test");
        let events: Vec<_> = events
            .iter()
            .map(|e| new_event(e, &metadata).unwrap())
            .collect();
        self.store
            .append(&stream, ExpectedVersion::Exact(staff.version), &events)
            .await
            .unwrap();
    }

    /// Hires an employee and gives them a password through the owner's admin endpoint.
    pub(crate) async fn employee_with_password(
        &self,
        email: &str,
        roles: &[&str],
        password: &str,
    ) -> Uuid {
        let id = self.hire(email, roles).await;
        let owner = self.owner_tokens().await;
        let (status, body) = self
            .post(
                &format!("/v1/auth/employees/{id}/password"),
                owner["access_token"].as_str(),
                json!({ "new_password": password }),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        id
    }
}
