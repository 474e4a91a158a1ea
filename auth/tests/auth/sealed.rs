//! What auth keeps secret at rest: signing keys wrapped under the master keys, the staff's logins
//! sealed in the log, and nothing left of an erased employee that identifies them.

use std::sync::Arc;

use aggregates::ids::EmployeeId;
use aggregates::permission::Actor;
use aggregates::personal::ERASED;
use aggregates::staff::StaffCommand;
use auth::access::Authorizer;
use auth::http::AuthService;
use auth::AuthConfig;
use event_store::schema::ServiceRole;
use event_store::{EventStore, StreamId};
use personal_data::{MasterKey, SubjectKind, WrappedKey};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use crate::{master_keys, serve, spawn_auth, TestAuth, OWNER_EMAIL, OWNER_PASSWORD};

/// The `kid` header of an access token.
fn kid_of(tokens: &serde_json::Value) -> String {
    let token = tokens["access_token"].as_str().unwrap();
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

/// Every signing key row: kid, whether the clear column holds anything, the master key id.
async fn key_rows(auth: &TestAuth) -> Vec<(String, bool, Option<String>)> {
    sqlx::query(
        "SELECT kid, private_key_der IS NOT NULL AS clear, master_key_id
           FROM auth.signing_keys ORDER BY kid",
    )
    .fetch_all(&auth.db.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|row| (row.get("kid"), row.get("clear"), row.get("master_key_id")))
    .collect()
}

/// The service again on the same database, its signing keys under `master_lines`.
async fn restarted(
    auth: &TestAuth,
    master_lines: &str,
) -> Result<Arc<AuthService>, auth::AuthError> {
    let pool = auth.db.pool_as(ServiceRole::Auth, 5).await.unwrap();
    let service = AuthService::with_master_keys(
        pool.clone(),
        EventStore::new(pool).with_codec(auth.codec.clone()),
        master_keys(master_lines),
        AuthConfig::default().isolated(),
    )?;
    service.prepare().await?;
    Ok(service)
}

/// Whether `token` verifies and names an active employee on the service at `base`: the owner's
/// end-sessions of a stranger answers 200 to a valid token only.
async fn token_works(auth: &TestAuth, base: &str, token: &str) -> bool {
    let response = auth
        .http
        .post(format!(
            "{base}/v1/auth/employees/{}/end-sessions",
            Uuid::now_v7()
        ))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    response.status() == StatusCode::OK
}

#[tokio::test]
async fn signing_keys_are_stored_wrapped_and_a_key_from_before_wrapping_keeps_signing() {
    let auth = spawn_auth("sealed_keys", AuthConfig::default()).await;
    let before = auth.owner_tokens().await;
    let rows = key_rows(&auth).await;
    assert_eq!(rows.len(), 1);
    assert!(
        rows.iter()
            .all(|(_, clear, master)| !clear && master.as_deref() == Some("test")),
        "no private key in the clear: {rows:?}"
    );

    // A key stored before wrapping existed: its DER in the clear column, nothing wrapped.
    let kid = kid_of(&before);
    let row = sqlx::query(
        "SELECT master_key_id, wrapped_private_key FROM auth.signing_keys WHERE kid = $1",
    )
    .bind(&kid)
    .fetch_one(&auth.db.pool)
    .await
    .unwrap();
    let der = master_keys(&auth.master_key)
        .unwrap_secret(
            &format!("auth/signing-key/{kid}"),
            &WrappedKey {
                master_key_id: row.get("master_key_id"),
                bytes: row.get("wrapped_private_key"),
            },
        )
        .unwrap();
    sqlx::query(
        "UPDATE auth.signing_keys
            SET private_key_der = $2, master_key_id = NULL, wrapped_private_key = NULL
          WHERE kid = $1",
    )
    .bind(&kid)
    .bind(der.as_slice())
    .execute(&auth.db.pool)
    .await
    .unwrap();

    // The next start wraps it and empties the clear column; it still signs, under the same kid,
    // and the token from before the restart still works.
    let service = restarted(&auth, &auth.master_key).await.unwrap();
    let rows = key_rows(&auth).await;
    assert_eq!(rows, vec![(kid.clone(), false, Some("test".to_owned()))]);
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT wrapped_private_key FROM auth.signing_keys WHERE kid = $1")
            .bind(&kid)
            .fetch_one(&auth.db.pool)
            .await
            .unwrap();
    assert!(
        !stored.windows(32).any(|w| der.windows(32).any(|d| d == w)),
        "the wrapped column holds no piece of the DER"
    );
    let (base, _stop) = serve(&service).await;
    assert!(token_works(&auth, &base, before["access_token"].as_str().unwrap()).await);
    let response = auth
        .http
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({ "login": OWNER_EMAIL, "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let after: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        kid_of(&after),
        kid,
        "the wrapped key signs after the restart"
    );
    assert!(token_works(&auth, &auth.base, after["access_token"].as_str().unwrap()).await);
}

#[tokio::test]
async fn with_a_wrong_master_key_the_service_refuses_to_start_and_says_why() {
    let auth = spawn_auth("sealed_wrong_master", AuthConfig::default()).await;
    let tokens = auth.owner_tokens().await;
    let kid = kid_of(&tokens);

    // The same id, other bytes: the wrapped key does not unwrap.
    let wrong = MasterKey::generate("test").unwrap().to_line();
    let refused = restarted(&auth, &wrong).await.err().unwrap().to_string();
    assert!(refused.contains(&kid), "{refused}");
    assert!(
        refused.contains("does not unwrap under master key \"test\""),
        "{refused}"
    );
    assert!(refused.contains("MOTORLOG_MASTER_KEY"), "{refused}");
    // Another id altogether: the master key is not loaded.
    let other = MasterKey::generate("other").unwrap().to_line();
    let refused = restarted(&auth, &other).await.err().unwrap().to_string();
    assert!(refused.contains("\"test\" is not loaded"), "{refused}");
    // `run` refuses to serve as well, and nothing was changed.
    let pool = auth.db.pool_as(ServiceRole::Auth, 2).await.unwrap();
    let service = AuthService::with_master_keys(
        pool.clone(),
        EventStore::new(pool),
        master_keys(&wrong),
        AuthConfig::default().isolated(),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let served = auth::http::run(service, listener, std::future::pending()).await;
    assert!(served.unwrap_err().to_string().contains(&kid));
    assert_eq!(
        key_rows(&auth).await,
        vec![(kid, false, Some("test".to_owned()))]
    );
}

#[tokio::test]
async fn rotating_the_master_key_rewraps_the_signing_keys() {
    let auth = spawn_auth("sealed_rotation", AuthConfig::default()).await;
    let tokens = auth.owner_tokens().await;
    let next = MasterKey::generate("next").unwrap().to_line();
    // The new key first, the old one kept as previous until the re-wrap has run.
    let service = restarted(&auth, &format!("{next}\n{}", auth.master_key))
        .await
        .unwrap();
    let prepared = service.prepare().await.unwrap();
    assert_eq!((prepared.rewrapped, prepared.wrapped), (1, 0));
    assert_eq!(
        key_rows(&auth).await,
        vec![(kid_of(&tokens), false, Some("next".to_owned()))]
    );
    // The old master key can now leave the file.
    let service = restarted(&auth, &next).await.unwrap();
    let (base, _stop) = serve(&service).await;
    assert!(token_works(&auth, &base, tokens["access_token"].as_str().unwrap()).await);
}

#[tokio::test]
async fn an_erased_employee_never_logs_in_again_and_auth_forgets_what_identified_them() {
    let auth = spawn_auth("sealed_erased", AuthConfig::default()).await;
    let password = "advisor long password";
    let advisor = auth
        .employee_with_password("advisor@motor.ru", &["advisor"], password)
        .await;
    let (status, tokens) = auth.login("advisor@motor.ru", password).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    // A lock-out recorded with the address the attempts came from.
    sqlx::query(
        "INSERT INTO auth.security_events (kind, employee_id, address) VALUES ('login_throttled', $1, '10.1.2.3')",
    )
    .bind(advisor)
    .execute(&auth.db.pool)
    .await
    .unwrap();
    // The log holds the login sealed, never in the clear.
    let staff = StreamId::new("staff", "main");
    let stored = auth.store.as_stored().read_stream(&staff, 0).await.unwrap();
    let hired = stored
        .iter()
        .find(|e| e.payload["employee_id"] == json!(advisor))
        .unwrap();
    assert!(
        hired.payload["email"].as_str().unwrap().starts_with("pd1."),
        "{}",
        hired.payload
    );

    // Deactivated, then erased as the command API erases: the key destroyed, the event appended.
    auth.staff_command(StaffCommand::Deactivate {
        employee_id: EmployeeId(advisor),
        at: chrono::Utc::now(),
        by: Actor::owner(),
    })
    .await;
    let mut tx = auth.db.pool.begin().await.unwrap();
    personal_data::erase_in(
        &mut tx,
        advisor,
        SubjectKind::Employee,
        auth.owner,
        "заявление № 7",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    auth.staff_command(StaffCommand::ErasePersonalData {
        employee_id: EmployeeId(advisor),
        erased_by: EmployeeId(auth.owner),
        basis: "заявление № 7".into(),
        at: chrono::Utc::now(),
        by: Actor::owner(),
    })
    .await;

    // Neither the old login, nor a live token, nor the refresh token works.
    assert_eq!(
        auth.login("advisor@motor.ru", password).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = auth
        .post(
            "/v1/auth/password",
            tokens["access_token"].as_str(),
            json!({ "current_password": password, "new_password": "another long password" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = auth
        .post(
            "/v1/auth/refresh",
            None,
            json!({ "refresh_token": tokens["refresh_token"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nor can the owner give them a password again.
    let owner = auth.owner_tokens().await;
    let (status, body) = auth
        .post(
            &format!("/v1/auth/employees/{advisor}/password"),
            owner["access_token"].as_str(),
            json!({ "new_password": "a brand new password" }),
        )
        .await;
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(body["code"], "employee_erased", "{body}");

    // Auth's own tables: no password hash, every session ended, no address with their events.
    assert_eq!(auth.service.forget_erased().await.unwrap(), 1);
    let credentials: i64 =
        sqlx::query_scalar("SELECT count(*) FROM auth.credentials WHERE employee_id = $1")
            .bind(advisor)
            .fetch_one(&auth.db.pool)
            .await
            .unwrap();
    assert_eq!(credentials, 0);
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM auth.session_families WHERE employee_id = $1 AND revoked_at IS NULL",
    )
    .bind(advisor)
    .fetch_one(&auth.db.pool)
    .await
    .unwrap();
    assert_eq!(live, 0);
    let addresses: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM auth.security_events WHERE employee_id = $1 AND address IS NOT NULL",
    )
    .bind(advisor)
    .fetch_one(&auth.db.pool)
    .await
    .unwrap();
    assert_eq!(addresses, 0);
    // Once is enough: the next round finds nothing to remove.
    assert_eq!(auth.service.forget_erased().await.unwrap(), 0);
    // The owner still works: only the erased employee was touched.
    assert_eq!(auth.owner_tokens().await["token_type"], "Bearer");
}

#[tokio::test]
async fn an_api_checks_access_without_the_keys_to_the_staffs_personal_data() {
    let auth = spawn_auth("sealed_hidden", AuthConfig::default()).await;
    let tokens = auth.owner_tokens().await;
    // The query API's role may not read data keys: its authorizer reads the staff stream with
    // every personal field hidden, and still knows the owner and their roles.
    let pool = auth.db.pool_as(ServiceRole::Query, 2).await.unwrap();
    let authorizer = Authorizer::new(pool, &AuthConfig::default().isolated()).unwrap();
    let header = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let principal = authorizer.authenticate(Some(&header)).await.unwrap();
    assert_eq!(principal.employee_id, auth.owner);
    assert!(principal.roles.contains("owner"), "{:?}", principal.roles);
    let access = authorizer.directory.current().await.unwrap();
    let owner = access.employee(auth.owner).unwrap();
    assert_eq!(owner.full_name, ERASED);
    assert!(owner.email.as_ref().is_some_and(|e| e.is_erased()));
    assert!(access.employee_by_login(OWNER_EMAIL).is_none());
}
