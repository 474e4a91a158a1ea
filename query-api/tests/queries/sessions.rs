//! An ended session's access token is refused at the next request by both APIs, and each API
//! counts an employee's requests against the rate limit (Redis, shared by every instance).

use std::sync::Arc;

use aggregates::contact::Email;
use auth::bootstrap::{create_first_owner, FirstOwner};
use auth::http::AuthService;
use auth::AuthConfig;
use command_api::http::CommandApi;
use event_store::testing::TestDatabase;
use event_store::EventStore;
use query_api::http::QueryApi;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::serve;

const OWNER: &str = "owner@motor.ru";
const PASSWORD: &str = "correct horse battery staple";

/// Auth and both APIs on one database; the APIs' settings may differ from auth's (another Redis).
struct Stack {
    _db: TestDatabase,
    auth: String,
    commands: String,
    queries: String,
    http: reqwest::Client,
    _stop: Vec<tokio::sync::oneshot::Sender<()>>,
}

async fn stack(label: &str, auth_config: AuthConfig, api_config: AuthConfig) -> Stack {
    let db = TestDatabase::create(label, 20).await.unwrap();
    // One codec for auth and the command API: the logins the command API seals, auth opens.
    let codec = motorlog_tests::personal_data::LogCodec::ephemeral(db.pool.clone());
    let store = EventStore::new(db.pool.clone()).with_codec(codec.clone());
    let service = AuthService::with_store(db.pool.clone(), store.clone(), auth_config).unwrap();
    let owner = FirstOwner {
        full_name: "Смирнова Анна".into(),
        email: Email::parse(OWNER).unwrap(),
        phone: None,
        password: PASSWORD.into(),
    };
    create_first_owner(&store, service.hasher(), "main", owner)
        .await
        .unwrap();
    let (auth, a) = serve(auth::http::router(Arc::clone(&service)), true).await;
    let (commands, c) = serve(
        command_api::http::router(CommandApi::new(db.pool.clone(), codec, &api_config)),
        false,
    )
    .await;
    let (queries, q) = serve(
        query_api::http::router(QueryApi::new(db.pool.clone(), &api_config, false)),
        false,
    )
    .await;
    Stack {
        _db: db,
        auth,
        commands,
        queries,
        http: reqwest::Client::new(),
        _stop: vec![a, c, q],
    }
}

fn config() -> AuthConfig {
    AuthConfig {
        max_attempts_per_address: 10_000,
        ..AuthConfig::default()
    }
    .isolated()
}

impl Stack {
    async fn post(&self, url: String, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut request = self.http.post(url).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let mut body = response.json::<Value>().await.unwrap_or(Value::Null);
        if let Some(retry_after) = retry_after {
            body["retry_after_header"] = json!(retry_after);
        }
        (status, body)
    }

    async fn login(&self, login: &str, password: &str) -> Value {
        let (status, body) = self
            .post(
                format!("{}/v1/auth/login", self.auth),
                None,
                json!({ "login": login, "password": password }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn auth(&self, path: &str, token: &str, body: Value) -> StatusCode {
        self.post(format!("{}{path}", self.auth), Some(token), body)
            .await
            .0
    }

    /// A command through the command API: the status and the error code, if any.
    async fn command(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.post(format!("{}/v1/{path}", self.commands), Some(token), body)
            .await
    }

    /// Any command the token may send (registering a client): the status and the error code.
    async fn at_command_api(&self, token: &str) -> (StatusCode, String) {
        let (status, body) = self
            .command(
                token,
                &format!("client/{}/register", Uuid::now_v7()),
                json!({ "party": { "kind": "person", "full_name": "Новиков Сергей" },
                        "phones": ["+79161112233"] }),
            )
            .await;
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    }

    /// A read through the query API: the status and the error code.
    async fn at_query_api(&self, token: &str) -> (StatusCode, String) {
        let (status, body) = self
            .post(
                format!("{}/graphql", self.queries),
                Some(token),
                json!({ "query": "{ workOrders(first: 1) { nodes { number } } }" }),
            )
            .await;
        let code = body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        (status, code)
    }

    /// Hires an advisor and sets their password; returns their id.
    async fn advisor(&self, owner: &str, email: &str) -> Uuid {
        let id = Uuid::now_v7();
        let (status, body) = self
            .command(
                owner,
                "staff/main/hire",
                json!({ "employee_id": id, "full_name": "Мастер", "position": "Мастер-приёмщик",
                        "email": email, "roles": ["advisor"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let status = self
            .auth(
                &format!("/v1/auth/employees/{id}/password"),
                owner,
                json!({ "new_password": PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        id
    }

    /// Both APIs let the token in now (whatever they then say of the request itself).
    async fn assert_served(&self, token: &str, what: &str) {
        for (api, (status, code)) in [
            ("command API", self.at_command_api(token).await),
            ("query API", self.at_query_api(token).await),
        ] {
            let let_in = status != StatusCode::UNAUTHORIZED && !status.is_server_error();
            assert!(let_in, "{what}: {api} before: {status} {code}");
        }
    }

    /// Both APIs refuse the (unexpired) token as an ended session.
    async fn assert_refused(&self, token: &str, what: &str) {
        let revoked = (StatusCode::UNAUTHORIZED, "session_revoked".to_owned());
        assert_eq!(
            self.at_command_api(token).await,
            revoked,
            "{what}: command API"
        );
        assert_eq!(self.at_query_api(token).await, revoked, "{what}: query API");
    }
}

/// Logout, "end all sessions", a password change, a password reset, a deactivation and a reused
/// refresh token each stop the session's access token at the next request, well inside its ten
/// minutes, at both APIs.
async fn every_way_a_session_ends(api_config: AuthConfig, label: &str) {
    let auth_config = config();
    let api_config = AuthConfig {
        redis_prefix: auth_config.redis_prefix.clone(),
        ..api_config
    };
    let shop = stack(label, auth_config, api_config).await;
    let owner = shop.login(OWNER, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let ways: [&str; 6] = [
        "logout",
        "end all sessions",
        "password change",
        "password reset",
        "deactivation",
        "refresh token reused",
    ];
    for (n, way) in ways.into_iter().enumerate() {
        let email = format!("advisor{n}@motor.ru");
        let advisor = shop.advisor(&owner, &email).await;
        let tokens = shop.login(&email, PASSWORD).await;
        let token = tokens["access_token"].as_str().unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        shop.assert_served(token, way).await;
        match way {
            "logout" => {
                let (status, _) = shop
                    .post(
                        format!("{}/v1/auth/logout", shop.auth),
                        None,
                        json!({ "refresh_token": refresh }),
                    )
                    .await;
                assert_eq!(status, StatusCode::NO_CONTENT);
            }
            "end all sessions" => {
                let path = format!("/v1/auth/employees/{advisor}/end-sessions");
                assert_eq!(shop.auth(&path, &owner, json!({})).await, StatusCode::OK);
            }
            "password change" => {
                let body = json!({ "current_password": PASSWORD,
                                   "new_password": "another long password" });
                assert_eq!(
                    shop.auth("/v1/auth/password", token, body).await,
                    StatusCode::NO_CONTENT
                );
            }
            "password reset" => {
                let path = format!("/v1/auth/employees/{advisor}/password");
                let body = json!({ "new_password": "a reset long password" });
                assert_eq!(shop.auth(&path, &owner, body).await, StatusCode::NO_CONTENT);
            }
            "deactivation" => {
                let (status, body) = shop
                    .command(
                        &owner,
                        "staff/main/deactivate",
                        json!({ "employee_id": advisor }),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
            _ => {
                let refresh_once = || {
                    shop.post(
                        format!("{}/v1/auth/refresh", shop.auth),
                        None,
                        json!({ "refresh_token": refresh }),
                    )
                };
                assert_eq!(refresh_once().await.0, StatusCode::OK);
                assert_eq!(refresh_once().await.0, StatusCode::UNAUTHORIZED);
            }
        }
        shop.assert_refused(token, way).await;
    }
    // Someone else's session is untouched by all of it.
    shop.assert_served(&owner, "the owner").await;
}

#[tokio::test]
async fn an_ended_session_is_refused_at_once_by_both_apis() {
    every_way_a_session_ends(config(), "revoked").await;
}

/// With the APIs' Redis down, they ask PostgreSQL: ended sessions are still refused, live ones
/// still served, and nothing answers 500.
#[tokio::test]
async fn with_redis_down_the_apis_check_sessions_in_the_database() {
    let unreachable = AuthConfig {
        redis_url: "redis://127.0.0.1:1".into(),
        ..config()
    };
    every_way_a_session_ends(unreachable, "revoked_no_redis").await;
}

/// Past the per-employee limit both APIs answer 429 `rate_limited` with `Retry-After`, in both
/// languages; the count is the employee's across the APIs.
#[tokio::test]
async fn an_employee_over_the_rate_limit_waits() {
    let limit = 5;
    let api_config = AuthConfig {
        requests_per_minute: limit,
        ..config()
    };
    let shop = stack("rate_limited", config(), api_config).await;
    let owner = shop.login(OWNER, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A minute's window may turn over mid-test and start a new count: then the limit is crossed
    // in the next window instead, so at most twice the limit and a bit.
    let mut served = 0;
    let mut refused = None;
    for n in 0..2 * limit + 2 {
        let url = if n % 2 == 0 {
            format!("{}/v1/client/{}/register", shop.commands, Uuid::now_v7())
        } else {
            format!("{}/graphql", shop.queries)
        };
        let body = if n % 2 == 0 {
            json!({ "party": { "kind": "person", "full_name": "Новиков Сергей" }, "phones": [] })
        } else {
            json!({ "query": "{ workOrders(first: 1) { nodes { number } } }" })
        };
        let (status, body) = shop.post(url, Some(&owner), body).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(body);
            break;
        }
        served += 1;
    }
    let refused = refused.expect("no request was refused");
    assert!(served >= limit, "refused after {served} requests");
    let (code, message_ru) = match refused.get("errors") {
        Some(errors) => (
            errors[0]["extensions"]["code"].clone(),
            errors[0]["extensions"]["message_ru"].clone(),
        ),
        None => (refused["code"].clone(), refused["message_ru"].clone()),
    };
    assert_eq!(code, "rate_limited", "{refused}");
    assert!(
        message_ru
            .as_str()
            .unwrap()
            .starts_with("Слишком много запросов"),
        "{refused}"
    );
    let retry_after: u64 = refused["retry_after_header"]
        .as_str()
        .expect("a Retry-After header")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // Both APIs refuse now, not only the one that crossed the limit.
    let (status, _) = shop.at_command_api(&owner).await;
    let (status_q, code_q) = shop.at_query_api(&owner).await;
    if served == limit {
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            (status_q, code_q.as_str()),
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
        );
    }
}
