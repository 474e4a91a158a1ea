//! The auth service's HTTP API: login, refresh, logout, password changes, session and key
//! administration, the JWKS, health and metrics.
//!
//! Login, refresh and logout serve two kinds of client: by default the refresh token travels in the
//! JSON bodies; the web app (`X-Motorlog-Client: web`) gets it as a cookie instead (see [`crate::web`]).
//! Their answers, errors included, are never stored by a cache (`Cache-Control: no-store`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aggregates::permission::Permission;
use aggregates::role::OWNER;
use aggregates::DomainError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, Path, Request, State};
use axum::http::header::{CACHE_CONTROL, PRAGMA, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use jsonwebtoken::{encode, Algorithm, Header};
use metrics_exporter_prometheus::PrometheusHandle;
use personal_data::{MasterKey, MasterKeys};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::sync::{OnceCell, RwLock};
use uuid::Uuid;

use crate::access::{AccessClaims, Authorizer, ACCESS_TOKEN_TYPE};
use crate::bootstrap::{set_password, stored_hash};
use crate::keys::{self, ActiveKey};
use crate::password::PasswordHasherPool;
use crate::web::{self, Client};
use crate::{device, sessions, throttle, AuthConfig, AuthError};

/// The largest request body the service reads.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a loaded signing key is used before checking for a newer one (a rotation activating).
const SIGNER_RELOAD: Duration = Duration::from_secs(1);

/// Everything a request handler needs.
pub struct AuthService {
    pool: PgPool,
    config: AuthConfig,
    hasher: PasswordHasherPool,
    authorizer: Authorizer,
    /// Wrap the signing keys' private halves (see [`keys`]).
    masters: Arc<MasterKeys>,
    /// Set once [`keys::prepare`] has succeeded: no token is signed before.
    prepared: OnceCell<keys::Prepared>,
    signer: RwLock<Option<(ActiveKey, Instant)>>,
}

impl AuthService {
    /// The service over a migrated database whose log holds no sealed personal data, its signing
    /// keys wrapped under a master key of this value alone (see [`AuthService::with_store`]).
    pub fn new(pool: PgPool, config: AuthConfig) -> Result<Arc<Self>, AuthError> {
        let store = event_store::EventStore::new(pool.clone());
        Self::with_store(pool, store, config)
    }

    /// The service reading staff and roles from `store` (with the personal data codec, which
    /// opens the employees' sealed logins), its signing keys wrapped under a fresh master key of
    /// this value alone: for tests and tools, whose keys need not outlive the process. Another
    /// service on the same database, or this one restarted, could not use them and refuses to
    /// start: the binary uses [`AuthService::with_master_keys`].
    pub fn with_store(
        pool: PgPool,
        store: event_store::EventStore,
        config: AuthConfig,
    ) -> Result<Arc<Self>, AuthError> {
        let master = MasterKey::generate("ephemeral")
            .and_then(|master| MasterKeys::new(master, Vec::new()))
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        Self::with_master_keys(pool, store, Arc::new(master), config)
    }

    /// The service reading staff and roles from `store` (with the personal data codec), its
    /// signing keys wrapped under `masters` (the deployment's master keys, from the environment).
    pub fn with_master_keys(
        pool: PgPool,
        store: event_store::EventStore,
        masters: Arc<MasterKeys>,
        config: AuthConfig,
    ) -> Result<Arc<Self>, AuthError> {
        let authorizer = Authorizer::with_store(pool.clone(), store, &config)?;
        Ok(Arc::new(Self {
            pool,
            hasher: PasswordHasherPool::new()?,
            config,
            authorizer,
            masters,
            prepared: OnceCell::new(),
            signer: RwLock::new(None),
        }))
    }

    /// Wraps the signing keys still in the clear and re-wraps those under a previous master key
    /// ([`keys::prepare`]), once per service; fails when a key does not unwrap under the master
    /// keys given. The binary runs it before it listens, so wrong master keys stop it at start;
    /// [`run`] runs it too, and no token is signed before it has succeeded.
    pub async fn prepare(&self) -> Result<keys::Prepared, AuthError> {
        self.prepared
            .get_or_try_init(|| keys::prepare(&self.pool, &self.masters))
            .await
            .copied()
    }

    /// Applies the erasures of employees' personal data (152-ФЗ) to the auth schema: ends their
    /// sessions, drops their password hashes and the client addresses of their security events
    /// (see [`sessions::forget`]). An erased employee can never log in anyway (the log makes them
    /// inactive for good, with no login); this removes what the auth schema kept about them.
    /// Returns how many employees had anything removed; runs at start and then periodically.
    pub async fn forget_erased(&self) -> Result<usize, AuthError> {
        let access = self.authorizer.directory.current().await?;
        let erased: Vec<Uuid> = access.erased_employees().collect();
        if erased.is_empty() {
            return Ok(0);
        }
        sessions::forget(&self.pool, &self.authorizer.guard, &erased).await
    }

    /// The password hasher (for the CLI's first owner).
    pub fn hasher(&self) -> &PasswordHasherPool {
        &self.hasher
    }

    async fn signing_key(&self) -> Result<ActiveKey, AuthError> {
        if let Some((key, loaded)) = &*self.signer.read().await {
            if loaded.elapsed() < SIGNER_RELOAD {
                return Ok(key.clone());
            }
        }
        self.prepare().await?;
        let key = keys::active(&self.pool, &self.masters).await?;
        *self.signer.write().await = Some((key.clone(), Instant::now()));
        Ok(key)
    }

    /// The answer to a login or refresh: a new access token, and the refresh token in the body or,
    /// for the web app, in its cookie.
    async fn issue(
        &self,
        client: &Client,
        refresh: sessions::IssuedRefresh,
        roles: Vec<String>,
    ) -> Result<Response, AuthError> {
        let key = self.signing_key().await?;
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(self.config.access_ttl.as_secs()).unwrap_or(600);
        let claims = AccessClaims {
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            sub: refresh.employee_id,
            iat: now,
            exp: now + ttl,
            jti: Uuid::now_v7(),
            sid: refresh.family_id,
            roles,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some(ACCESS_TOKEN_TYPE.to_owned());
        header.kid = Some(key.kid.clone());
        let access_token = encode(&header, &claims, &key.encoding)
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        let tokens = Tokens {
            access_token,
            token_type: "Bearer",
            expires_in: ttl,
            refresh_token: (!client.is_web()).then(|| refresh.token.clone()),
            refresh_expires_at: refresh.expires_at.to_rfc3339(),
        };
        let mut response = Json(tokens).into_response();
        if client.is_web() {
            let cookie = web::set_cookie(&self.config.refresh_cookie_path, &refresh)?;
            response.headers_mut().insert(SET_COOKIE, cookie);
        }
        Ok(response)
    }
}

/// The answer to a login or refresh.
#[derive(Debug, Serialize, Deserialize)]
pub struct Tokens {
    /// The RS256 access token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// The single-use refresh token; absent for the web app, which gets it as a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the refresh token expires if unused.
    pub refresh_expires_at: String,
}

/// Reads a JSON body after the caller was authenticated, so strangers learn nothing of its shape.
fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AuthError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| AuthError::BadRequest(e.to_string()))?;
    storable_body(value)
}

/// The services' check of a body's text, the one the log's append makes (see its docs).
pub use event_store::storable;

/// The request read from a parsed body, once its text is known to be storable.
fn storable_body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, AuthError> {
    if !storable(&value) {
        return Err(AuthError::InvalidText);
    }
    serde_json::from_value(value).map_err(|e| AuthError::BadRequest(e.to_string()))
}

/// A raw body whose rejections (too large) answer in the service's error shape.
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = AuthError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(request, state)
            .await
            .map(RawBody)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AuthError::BodyTooLarge
                } else {
                    AuthError::BadRequest(rejection.body_text())
                }
            })
    }
}

/// A JSON body whose rejections answer in the service's error shape.
pub struct JsonBody<T>(pub T);

/// A JSON body that may also be empty (`T::default()`): the web app refreshes and logs out with the
/// cookie alone. A non-empty body is read exactly as [`JsonBody`] reads it.
pub struct OptionalJsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Default> FromRequest<S>
    for OptionalJsonBody<T>
{
    type Rejection = AuthError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let RawBody(bytes) =
            RawBody::from_request(Request::from_parts(parts.clone(), body), state).await?;
        if bytes.is_empty() {
            return Ok(Self(T::default()));
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        let JsonBody(value) = JsonBody::from_request(request, state).await?;
        Ok(Self(value))
    }
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AuthError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Read as a value first, so the text is checked before any field is taken from it.
        let Json(value) = Json::<serde_json::Value>::from_request(request, state)
            .await
            .map_err(|rejection: JsonRejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AuthError::BodyTooLarge
                } else {
                    AuthError::BadRequest(rejection.body_text())
                }
            })?;
        storable_body(value).map(JsonBody)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    login: String,
    password: String,
}

/// The body of a refresh or logout: the token, or for the web app nothing (`{}` or no body).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshRequest {
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangePassword {
    current_password: String,
    new_password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetPassword {
    new_password: String,
}

type Shared = State<Arc<AuthService>>;

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers.get("authorization").and_then(|v| v.to_str().ok())
}

/// Counts a login the throttle refused, by the limit that refused it (`address`, `account` or
/// `device`): the series the throttling alert watches. A Redis fault is no refusal and not counted.
fn count_throttled(limit: &'static str, error: &AuthError) {
    if matches!(error, AuthError::TooManyAttempts { .. }) {
        metrics::counter!("motorlog_auth_throttled_total", "limit" => limit).increment(1);
    }
}

async fn login(
    State(service): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    client: Client,
    JsonBody(request): JsonBody<LoginRequest>,
) -> Result<Response, AuthError> {
    let config = &service.config;
    let shared = service.authorizer.guard.shared();
    let address = throttle::client_address(peer.ip(), &headers, &config.trusted_proxies);
    let address_key = throttle::address_key(address);
    throttle::take_address_slot(
        shared,
        &address_key,
        config.max_attempts_per_address,
        config.throttle_window,
    )
    .await
    .inspect_err(|refused| count_throttled("address", refused))?;
    let access = service.authorizer.directory.current().await?;
    let employee = access.employee_by_login(&request.login).cloned();
    let employee_id = employee.as_ref().map(|e| e.employee_id.0);
    let presented_device = device::presented(&headers);
    let known_device = match (employee_id, &presented_device) {
        (Some(id), Some(token)) => device::is_known(shared, token, id).await?,
        _ => false,
    };
    // A known device waits on its own failures, not the account's: whoever hammers the account from
    // elsewhere cannot keep its owner out.
    let (backoff_key, backoff) = match (&presented_device, known_device) {
        (Some(token), true) => (device::throttle_key(token), "device"),
        _ => (
            throttle::account_key(&request.login, employee_id),
            "account",
        ),
    };
    if let Err(refused) = throttle::reserve(shared, &backoff_key, config).await {
        count_throttled(backoff, &refused);
        sessions::security_event(
            &service.pool,
            "login_throttled",
            employee_id,
            Some(&address.to_string()),
            json!({ "known_device": known_device }),
        )
        .await?;
        return Err(refused);
    }
    let hash = match employee_id {
        Some(id) => stored_hash(&service.pool, id).await?,
        None => None,
    };
    // Unknown login, no password set, or wrong password: the same work, the same answer.
    let valid = service
        .hasher
        .verify(&request.password, hash.as_deref())
        .await?;
    let Some(employee) = employee.filter(|_| valid) else {
        metrics::counter!("motorlog_auth_logins_total", "outcome" => "failed").increment(1);
        return Err(AuthError::InvalidCredentials);
    };
    throttle::clear(shared, &backoff_key).await?;
    throttle::give_back(shared, &address_key).await?;
    metrics::counter!("motorlog_auth_logins_total", "outcome" => "succeeded").increment(1);
    let refresh = sessions::start(&service.pool, config, employee.employee_id.0).await?;
    let roles = employee.roles.iter().map(|r| r.to_string()).collect();
    let mut response = service.issue(&client, refresh, roles).await?;
    // The browser is remembered as a known device; other clients keep no cookies.
    if client.is_web() {
        let device_token = device::remember(
            shared,
            presented_device.as_deref(),
            known_device,
            employee.employee_id.0,
        )
        .await?;
        let cookie = device::set_cookie(&config.refresh_cookie_path, &device_token)?;
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

async fn refresh(
    State(service): Shared,
    client: Client,
    OptionalJsonBody(request): OptionalJsonBody<RefreshRequest>,
) -> Result<Response, AuthError> {
    let presented = client.presented(request.refresh_token)?;
    let rotated = async {
        // Only the web app can present nothing: no cookie is a token that does not exist.
        let presented = presented.ok_or(AuthError::InvalidRefreshToken)?;
        let access = service.authorizer.directory.current().await?;
        let guard = &service.authorizer.guard;
        let refresh = sessions::rotate(&service.pool, guard, &service.config, &presented, |id| {
            access.employee(id).is_some_and(|e| e.active)
        })
        .await?;
        let roles = access
            .employee(refresh.employee_id)
            .map(|e| e.roles.iter().map(|r| r.to_string()).collect())
            .unwrap_or_default();
        service.issue(&client, refresh, roles).await
    }
    .await;
    match rotated {
        // A cookie that will never work again is dropped, so the web app goes to its login page
        // instead of retrying it; on other errors (a database outage) it is kept for a retry.
        Err(refused @ AuthError::InvalidRefreshToken) if client.is_web() => {
            let clear = web::clear_cookie(&service.config.refresh_cookie_path)?;
            Ok(([(SET_COOKIE, clear)], refused).into_response())
        }
        other => other,
    }
}

async fn logout(
    State(service): Shared,
    client: Client,
    OptionalJsonBody(request): OptionalJsonBody<RefreshRequest>,
) -> Result<Response, AuthError> {
    if let Some(presented) = client.presented(request.refresh_token)? {
        sessions::end_by_token(&service.pool, &service.authorizer.guard, &presented).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if client.is_web() {
        let clear = web::clear_cookie(&service.config.refresh_cookie_path)?;
        response.headers_mut().insert(SET_COOKIE, clear);
    }
    Ok(response)
}

/// Marks an answer of the token routes as never to be stored: a cached token answer would hand one
/// employee's session to whoever shares the cache or the browser after them.
async fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

async fn change_password(
    State(service): Shared,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<StatusCode, AuthError> {
    let principal = service
        .authorizer
        .authenticate(authorization(&headers))
        .await?;
    let request: ChangePassword = parse_body(&body)?;
    // A stolen access token must not become a way to guess the password: the same back-off as logins.
    let shared = service.authorizer.guard.shared();
    let attempts = throttle::password_change_key(principal.employee_id);
    throttle::reserve(shared, &attempts, &service.config).await?;
    let hash = stored_hash(&service.pool, principal.employee_id).await?;
    if !service
        .hasher
        .verify(&request.current_password, hash.as_deref())
        .await?
    {
        return Err(AuthError::InvalidCredentials);
    }
    throttle::clear(shared, &attempts).await?;
    set_password(
        &service.pool,
        &service.authorizer.guard,
        &service.hasher,
        principal.employee_id,
        &request.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_employee_password(
    State(service): Shared,
    headers: HeaderMap,
    Path(employee_id): Path<Uuid>,
    RawBody(body): RawBody,
) -> Result<StatusCode, AuthError> {
    // A dedicated permission (the owner's alone by default): whoever sets a password can log in as
    // that employee, so `staff.edit` is not enough.
    let principal = service
        .authorizer
        .authorize(authorization(&headers), Permission::StaffResetPassword)
        .await?;
    let request: SetPassword = parse_body(&body)?;
    let access = service.authorizer.directory.current().await?;
    let target = access
        .employee(employee_id)
        .ok_or(AuthError::EmployeeNotFound)?;
    if target.is_owner() && !principal.roles.contains(OWNER) {
        return Err(DomainError::OwnerProtected.into());
    }
    // An erased employee never logs in again: no password is kept for them.
    if target.erased {
        return Err(DomainError::EmployeeErased.into());
    }
    // Ends every session of the target, so whoever knew the old password is out.
    set_password(
        &service.pool,
        &service.authorizer.guard,
        &service.hasher,
        employee_id,
        &request.new_password,
    )
    .await?;
    sessions::security_event(
        &service.pool,
        "password_reset",
        Some(employee_id),
        None,
        json!({ "by": principal.employee_id }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn end_sessions(
    State(service): Shared,
    headers: HeaderMap,
    Path(employee_id): Path<Uuid>,
) -> Result<Json<serde_json::Value>, AuthError> {
    service
        .authorizer
        .authorize(authorization(&headers), Permission::SecurityManage)
        .await?;
    let ended = sessions::end_all(
        &service.pool,
        &service.authorizer.guard,
        employee_id,
        "ended by an administrator",
    )
    .await?;
    Ok(Json(json!({ "sessions_ended": ended })))
}

async fn rotate_keys(
    State(service): Shared,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, AuthError> {
    let principal = service
        .authorizer
        .authorize(authorization(&headers), Permission::SecurityManage)
        .await?;
    // Old keys stay published until every token they signed has expired.
    let publish_old_for = service.config.access_ttl + Duration::from_secs(60);
    let kid = keys::rotate(&service.pool, &service.masters, publish_old_for).await?;
    *service.signer.write().await = None;
    sessions::security_event(
        &service.pool,
        "signing_key_rotated",
        Some(principal.employee_id),
        None,
        json!({ "kid": kid }),
    )
    .await?;
    Ok(Json(json!({ "kid": kid })))
}

async fn jwks(State(service): Shared) -> Result<impl IntoResponse, AuthError> {
    // Make sure a key exists before anyone asks for one.
    service.signing_key().await?;
    Ok((
        [("cache-control", "max-age=60")],
        Json(keys::published(&service.pool).await?),
    ))
}

async fn health(State(service): Shared) -> impl IntoResponse {
    match sqlx::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(&service.pool)
        .await
    {
        Ok(_) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        // Public: up or down only; what failed goes to the log.
        Err(error) => {
            tracing::error!(%error, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
        }
    }
}

/// The process's Prometheus recorder (one per process, shared by every service in it).
pub fn metrics_handle() -> PrometheusHandle {
    telemetry::metrics::handle()
}

/// Every route of the service (method, path, who may call it), for the authorization matrix; a test
/// checks each one answers, so a route added to the router must be added here.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("POST", "/v1/auth/login", Access::Public),
    ("POST", "/v1/auth/refresh", Access::Public),
    ("POST", "/v1/auth/logout", Access::Public),
    ("POST", "/v1/auth/password", Access::AnyEmployee),
    (
        "POST",
        "/v1/auth/employees/{employee_id}/password",
        Access::Permission(Permission::StaffResetPassword),
    ),
    (
        "POST",
        "/v1/auth/employees/{employee_id}/end-sessions",
        Access::Permission(Permission::SecurityManage),
    ),
    (
        "POST",
        "/v1/auth/keys/rotate",
        Access::Permission(Permission::SecurityManage),
    ),
    ("GET", "/.well-known/jwks.json", Access::Public),
    ("GET", "/health", Access::Public),
    ("GET", "/metrics", Access::Public),
];

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (the route checks its own credentials, if any).
    Public,
    /// Any active employee with a valid access token.
    AnyEmployee,
    /// An employee whose roles allow this permission now.
    Permission(Permission),
}

/// The service's routes.
pub fn router(service: Arc<AuthService>) -> Router {
    // The recorder must exist before the first request counts anything.
    metrics_handle();
    let token_routes = Router::new()
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/refresh", post(refresh))
        .route("/v1/auth/logout", post(logout))
        .layer(axum::middleware::map_response(no_store));
    Router::new()
        .merge(token_routes)
        .route("/v1/auth/password", post(change_password))
        .route(
            "/v1/auth/employees/{employee_id}/password",
            post(set_employee_password),
        )
        .route(
            "/v1/auth/employees/{employee_id}/end-sessions",
            post(end_sessions),
        )
        .route("/v1/auth/keys/rotate", post(rotate_keys))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/health", get(health))
        .route("/metrics", get(telemetry::metrics::render))
        .route_layer(axum::middleware::from_fn_with_state(
            "auth",
            telemetry::metrics::track_requests,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(service)
}

/// Serves the auth API on `listener` until `shutdown` resolves.
pub async fn run(
    service: Arc<AuthService>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    metrics_handle();
    let limits = crate::serve::ServeLimits::from_env().map_err(std::io::Error::other)?;
    // Signing keys that do not unwrap under the given master keys: refuse to serve at all.
    service.prepare().await.map_err(std::io::Error::other)?;
    tokio::spawn(forget_erased_periodically(Arc::downgrade(&service)));
    crate::serve::serve(listener, router(service), limits, shutdown).await
}

/// How often the auth schema catches up with erasures of employees' personal data.
const FORGET_ERASED_EVERY: Duration = Duration::from_secs(30);

/// [`AuthService::forget_erased`] now and every [`FORGET_ERASED_EVERY`], while the service lives.
async fn forget_erased_periodically(service: std::sync::Weak<AuthService>) {
    loop {
        let Some(live) = service.upgrade() else {
            return;
        };
        match live.forget_erased().await {
            Ok(0) => {}
            Ok(forgotten) => {
                tracing::info!(forgotten, "erased employees removed from the auth schema")
            }
            // A database outage: the next round catches up.
            Err(error) => tracing::warn!(%error, "cannot apply erasures to the auth schema"),
        }
        drop(live);
        tokio::time::sleep(FORGET_ERASED_EVERY).await;
    }
}
