//! Refresh rotation and reuse, logout, password changes, deactivation, and role edits that apply
//! on the next request.

use aggregates::ids::EmployeeId;
use aggregates::permission::{Actor, Permission};
use aggregates::role::{Role, RoleCommand};
use aggregates::staff::StaffCommand;
use aggregates::{Aggregate, Versioned};
use auth::bootstrap::{create_first_owner, new_event, FirstOwner};
use auth::AuthConfig;
use event_store::{ExpectedVersion, Metadata, StreamId};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{spawn_auth, TestAuth, OWNER_EMAIL, OWNER_PASSWORD};

async fn refresh(auth: &TestAuth, token: &str) -> (StatusCode, Value) {
    auth.post("/v1/auth/refresh", None, json!({ "refresh_token": token }))
        .await
}

#[tokio::test]
async fn each_refresh_rotates_and_a_reused_token_revokes_the_whole_login() {
    let auth = spawn_auth("refresh", AuthConfig::default()).await;
    let first = auth.owner_tokens().await;
    let r1 = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&auth, r1).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert!(second["access_token"].is_string());

    // r1 again: a replay. The family dies, r2 included.
    let (status, body) = refresh(&auth, r1).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_refresh_token"))
    );
    assert_eq!(refresh(&auth, r2).await.0, StatusCode::UNAUTHORIZED);
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM auth.security_events WHERE kind = 'refresh_token_reused'",
    )
    .fetch_one(&auth.db.pool)
    .await
    .unwrap();
    assert_eq!(logged, 1);

    // Another login is unaffected.
    let other = auth.owner_tokens().await;
    assert_eq!(
        refresh(&auth, other["refresh_token"].as_str().unwrap())
            .await
            .0,
        StatusCode::OK
    );
    // Tokens are stored only as hashes.
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM auth.refresh_tokens WHERE token_hash = $1::bytea")
            .bind(r2.as_bytes())
            .fetch_one(&auth.db.pool)
            .await
            .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn two_refreshes_racing_with_one_token_do_not_both_win() {
    let auth = spawn_auth("refresh_race", AuthConfig::default()).await;
    let tokens = auth.owner_tokens().await;
    let token = tokens["refresh_token"].as_str().unwrap();
    let (a, b) = tokio::join!(refresh(&auth, token), refresh(&auth, token));
    let wins = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
    assert!(wins <= 1, "{a:?} {b:?}");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let auth = spawn_auth("logout", AuthConfig::default()).await;
    let tokens = auth.owner_tokens().await;
    let token = tokens["refresh_token"].as_str().unwrap();
    let (status, _) = auth
        .post("/v1/auth/logout", None, json!({ "refresh_token": token }))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(refresh(&auth, token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_ends_every_session() {
    let auth = spawn_auth("password", AuthConfig::default()).await;
    let phone = auth.owner_tokens().await;
    let laptop = auth.owner_tokens().await;
    let access = laptop["access_token"].as_str().unwrap();
    let change =
        |current: &str, new: &str| json!({ "current_password": current, "new_password": new });

    let (status, body) = auth
        .post(
            "/v1/auth/password",
            Some(access),
            change("wrong one!", "a brand new passphrase"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    for weak in ["short", "password123", "qwerty123456"] {
        let (status, body) = auth
            .post(
                "/v1/auth/password",
                Some(access),
                change(OWNER_PASSWORD, weak),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password")),
            "{weak}"
        );
    }
    let (status, _) = auth
        .post(
            "/v1/auth/password",
            Some(access),
            change(OWNER_PASSWORD, "a brand new passphrase"),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for session in [&phone, &laptop] {
        assert_eq!(
            refresh(&auth, session["refresh_token"].as_str().unwrap())
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        auth.login(OWNER_EMAIL, OWNER_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        auth.login(OWNER_EMAIL, "a brand new passphrase").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_deactivated_employee_can_neither_refresh_nor_use_a_live_token() {
    let auth = spawn_auth("deactivated", AuthConfig::default()).await;
    let advisor = auth
        .employee_with_password("advisor@motor.ru", &["advisor"], "advisor long password")
        .await;
    let (status, tokens) = auth
        .login("advisor@motor.ru", "advisor long password")
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    auth.staff_command(StaffCommand::Deactivate {
        employee_id: EmployeeId(advisor),
        at: chrono::Utc::now(),
        by: Actor::owner(),
    })
    .await;

    let (status, _) = refresh(&auth, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let body = json!({ "current_password": "advisor long password", "new_password": "another long password" });
    let (status, _) = auth
        .post("/v1/auth/password", tokens["access_token"].as_str(), body)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a live token of a deactivated employee is refused"
    );
    assert_eq!(
        auth.login("advisor@motor.ru", "advisor long password")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_owners_role_edit_applies_to_the_next_request() {
    let auth = spawn_auth("role_edit", AuthConfig::default()).await;
    auth.employee_with_password("advisor@motor.ru", &["advisor"], "advisor long password")
        .await;
    let (_, tokens) = auth
        .login("advisor@motor.ru", "advisor long password")
        .await;
    let token = tokens["access_token"].as_str().unwrap();
    let path = format!("/v1/auth/employees/{}/end-sessions", auth.owner);

    let (status, body) = auth.post(&path, Some(token), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["details"]["permission"], "security.manage");

    // The owner grants the advisor role the permission: the same token works at once.
    let stream = StreamId::new(Role::STREAM_TYPE, "advisor");
    let mut role = Versioned::<Role>::default();
    for recorded in auth.store.read_stream(&stream, 0).await.unwrap() {
        role = role.apply(&serde_json::from_value(recorded.payload).unwrap());
    }
    let granted = role
        .state
        .decide(RoleCommand::Grant {
            permissions: [Permission::SecurityManage].into(),
            by: Actor::owner(),
        })
        .unwrap();
    let metadata = Metadata::system("test");
    let granted: Vec<_> = granted
        .iter()
        .map(|e| new_event(e, &metadata).unwrap())
        .collect();
    auth.store
        .append(&stream, ExpectedVersion::Exact(role.version), &granted)
        .await
        .unwrap();
    let (status, body) = auth.post(&path, Some(token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_first_owner_is_created_once_and_never_with_a_weak_password() {
    let auth = spawn_auth("first_owner", AuthConfig::default()).await;
    let hasher = auth::password::PasswordHasherPool::new().unwrap();
    let second = FirstOwner {
        full_name: "Второй".into(),
        email: aggregates::contact::Email::parse("second@motor.ru").unwrap(),
        phone: None,
        password: "another long password".into(),
    };
    assert_eq!(
        create_first_owner(&auth.store, &hasher, "main", second.clone())
            .await
            .unwrap(),
        None
    );

    let empty = event_store::testing::TestDatabase::create("first_owner_weak", 5)
        .await
        .unwrap();
    let store = event_store::EventStore::new(empty.pool.clone())
        .with_codec(personal_data::LogCodec::ephemeral(empty.pool.clone()));
    let weak = FirstOwner {
        password: "12345678".into(),
        ..second
    };
    let refused = create_first_owner(&store, &hasher, "main", weak)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "weak_password");
    let staff = StreamId::new("staff", "main");
    assert_eq!(
        store.stream_version(&staff).await.unwrap(),
        0,
        "no owner without credentials"
    );
}

#[tokio::test]
async fn an_unused_refresh_token_expires_after_the_idle_timeout() {
    let config = AuthConfig {
        refresh_idle: std::time::Duration::from_secs(1),
        ..AuthConfig::default()
    };
    let auth = spawn_auth("idle", config).await;
    let tokens = auth.owner_tokens().await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        refresh(&auth, tokens["refresh_token"].as_str().unwrap())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_login_ends_at_its_absolute_lifetime_however_active() {
    let config = AuthConfig {
        refresh_absolute: std::time::Duration::from_secs(2),
        ..AuthConfig::default()
    };
    let auth = spawn_auth("absolute", config).await;
    let mut token = auth.owner_tokens().await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Refreshing every half second keeps it alive only until the family's end.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut refused = false;
    while std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let (status, body) = refresh(&auth, &token).await;
        if status != StatusCode::OK {
            refused = true;
            break;
        }
        token = body["refresh_token"].as_str().unwrap().to_owned();
    }
    assert!(refused, "the family outlived its absolute lifetime");
}

#[tokio::test]
async fn ending_all_sessions_stops_every_refresh_at_once() {
    let auth = spawn_auth("end_all", AuthConfig::default()).await;
    let advisor = auth
        .employee_with_password("advisor@motor.ru", &["advisor"], "advisor long password")
        .await;
    let (_, phone) = auth
        .login("advisor@motor.ru", "advisor long password")
        .await;
    let (_, laptop) = auth
        .login("advisor@motor.ru", "advisor long password")
        .await;
    let owner = auth.owner_tokens().await;
    let (status, body) = auth
        .post(
            &format!("/v1/auth/employees/{advisor}/end-sessions"),
            owner["access_token"].as_str(),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["sessions_ended"].as_u64()),
        (StatusCode::OK, Some(2))
    );
    for session in [&phone, &laptop] {
        assert_eq!(
            refresh(&auth, session["refresh_token"].as_str().unwrap())
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
    }
}
