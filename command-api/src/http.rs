//! The command API's routes: `POST /v1/{aggregate}/{id}/{command}`, plus `/health` and `/metrics`.
//!
//! One route for every command keeps one pipeline for all of them; the aggregate segment picks the
//! domain type, the command segment picks the request body shape.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use aggregates::attachment::Attachment;
use aggregates::catalogue::CatalogueService;
use aggregates::client::Client;
use aggregates::directory::Directory;
use aggregates::invoice::Invoice;
use aggregates::part::Part;
use aggregates::planning::appointment::Appointment;
use aggregates::planning::bay::Bay;
use aggregates::planning::shop_calendar::ShopCalendar;
use aggregates::planning::work_schedule::WorkSchedule;
use aggregates::purchase_order::PurchaseOrder;
use aggregates::role::Role;
use aggregates::settings::Settings;
use aggregates::staff::Staff;
use aggregates::stock::Stock;
use aggregates::supplier::Supplier;
use aggregates::timesheet::Timesheet;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::WorkOrder;
use auth::access::Authorizer;
use auth::serve::{serve, ServeLimits};
use auth::AuthConfig;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{Json, Router};
use event_store::{EventStore, PayloadCodec};
use serde_json::json;
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::approval_link;
use crate::pipeline::{execute, Services};
use crate::recent::Recent;
use crate::ApiError;

/// The largest command body read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The routes besides the commands, all public, for the authorization matrix.
pub const PUBLIC_ROUTES: &[&str] = &["/openapi.json", "/health", "/metrics"];

/// The photos' and scans' upload request (not a command: it logs nothing), for the matrix.
pub const FILE_UPLOAD_ROUTE: &str = "/v1/files/upload";

/// Routes without an account, each admitted by the approval link's token in its body.
pub const TOKEN_ROUTES: &[&str] = &["/v1/public/approval/view", "/v1/public/approval/answer"];

/// The aggregate segments the API serves.
pub const AGGREGATES: &[&str] = &[
    "client",
    "vehicle",
    "work_order",
    "invoice",
    "catalogue_service",
    "directory",
    "role",
    "staff",
    "settings",
    "part",
    "supplier",
    "purchase_order",
    "stock",
    "bay",
    "work_schedule",
    "shop_calendar",
    "appointment",
    "timesheet",
    "attachment",
];

/// The command API's state.
pub struct CommandApi {
    services: Services,
    authorizer: Authorizer,
    /// Proxies whose `X-Forwarded-For` names the client (the approval link's evidence).
    trusted_proxies: Vec<ipnet::IpNet>,
}

impl CommandApi {
    /// The API over a migrated database, verifying tokens issued for `auth`. Its log seals and
    /// opens personal data through `codec` (`personal_data::LogCodec`: from the environment's
    /// master keys in the binary, ephemeral in tests), so no command writes a name in the clear.
    pub fn new(pool: PgPool, codec: Arc<dyn PayloadCodec>, auth: &AuthConfig) -> Arc<Self> {
        Self::with_files(pool, codec, auth, None)
    }

    /// [`new`](Self::new) with the storage of photos and scans (without one, their commands
    /// answer 503 `files_unavailable`).
    pub fn with_files(
        pool: PgPool,
        codec: Arc<dyn PayloadCodec>,
        auth: &AuthConfig,
        files: Option<file_store::FileStore>,
    ) -> Arc<Self> {
        Self::with_reach(
            pool,
            codec,
            auth,
            Reach {
                files,
                public_url: None,
            },
        )
    }

    /// [`new`](Self::new) with what lies outside the database: the files' storage and the shop's
    /// public address (without it, an approval link is given to staff but never sent).
    pub fn with_reach(
        pool: PgPool,
        codec: Arc<dyn PayloadCodec>,
        auth: &AuthConfig,
        reach: Reach,
    ) -> Arc<Self> {
        let Reach { files, public_url } = reach;
        let store = EventStore::new(pool.clone()).with_codec(codec);
        Arc::new(Self {
            // Only a REDIS_URL that is not a URL fails, and `AuthConfig::from_env` refuses those.
            // It needs the employees' ids, states and roles only: their sealed names and logins
            // are read as erased, not opened.
            authorizer: Authorizer::new(pool.clone(), auth)
                .expect("the Redis URL of the settings is a URL"),
            services: Services {
                store,
                pool,
                shop: auth.shop.clone(),
                recent: Recent::default(),
                files,
                public_url,
            },
            trusted_proxies: auth.trusted_proxies.clone(),
        })
    }
}

/// What the command API reaches outside its database, each optional.
#[derive(Default)]
pub struct Reach {
    /// The photos' and scans' storage (`S3_*`).
    pub files: Option<file_store::FileStore>,
    /// Where clients open the shop's pages (`MOTORLOG_PUBLIC_URL`), without a trailing slash.
    pub public_url: Option<String>,
}

async fn command(
    State(api): State<Arc<CommandApi>>,
    headers: HeaderMap,
    Path((aggregate, id, name)): Path<(String, String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge
        } else {
            ApiError::InvalidBody(rejection.body_text())
        }
    })?;
    let (services, authorizer) = (&api.services, &api.authorizer);
    let accepted = match aggregate.as_str() {
        "client" => execute::<Client>(services, authorizer, &headers, &id, &name, &body).await,
        "vehicle" => execute::<Vehicle>(services, authorizer, &headers, &id, &name, &body).await,
        "work_order" => {
            execute::<WorkOrder>(services, authorizer, &headers, &id, &name, &body).await
        }
        "invoice" => execute::<Invoice>(services, authorizer, &headers, &id, &name, &body).await,
        "catalogue_service" => {
            execute::<CatalogueService>(services, authorizer, &headers, &id, &name, &body).await
        }
        "directory" => {
            execute::<Directory>(services, authorizer, &headers, &id, &name, &body).await
        }
        "role" => execute::<Role>(services, authorizer, &headers, &id, &name, &body).await,
        "staff" => execute::<Staff>(services, authorizer, &headers, &id, &name, &body).await,
        "settings" => execute::<Settings>(services, authorizer, &headers, &id, &name, &body).await,
        "part" => execute::<Part>(services, authorizer, &headers, &id, &name, &body).await,
        "supplier" => execute::<Supplier>(services, authorizer, &headers, &id, &name, &body).await,
        "purchase_order" => {
            execute::<PurchaseOrder>(services, authorizer, &headers, &id, &name, &body).await
        }
        "stock" => execute::<Stock>(services, authorizer, &headers, &id, &name, &body).await,
        "bay" => execute::<Bay>(services, authorizer, &headers, &id, &name, &body).await,
        "work_schedule" => {
            execute::<WorkSchedule>(services, authorizer, &headers, &id, &name, &body).await
        }
        "shop_calendar" => {
            execute::<ShopCalendar>(services, authorizer, &headers, &id, &name, &body).await
        }
        "appointment" => {
            execute::<Appointment>(services, authorizer, &headers, &id, &name, &body).await
        }
        "timesheet" => {
            execute::<Timesheet>(services, authorizer, &headers, &id, &name, &body).await
        }
        "attachment" => {
            execute::<Attachment>(services, authorizer, &headers, &id, &name, &body).await
        }
        _ => {
            // Unknown paths still demand a valid token first: nothing is revealed to strangers.
            let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
            authorizer.authenticate(authorization).await?;
            Err(ApiError::UnknownCommand(format!("{aggregate}/{name}")))
        }
    }?;
    let etag = format!("\"{}\"", accepted.version);
    Ok((StatusCode::OK, [("etag", etag)], Json(accepted)).into_response())
}

/// `POST /v1/files/upload`: a presigned PUT for a new photo or scan ([`crate::files`]).
async fn file_upload(
    State(api): State<Arc<CommandApi>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // The token first: a stranger learns nothing, not even whether the body was good.
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let principal = api.authorizer.authenticate(authorization).await?;
    let request: crate::files::UploadRequest = public_body(body)?;
    let ticket =
        crate::files::request_upload(&api.services, &principal, request, chrono::Utc::now())
            .await?;
    // A signed URL is a capability for five minutes: no cache keeps it.
    Ok((
        StatusCode::OK,
        [("cache-control", "no-store")],
        Json(ticket),
    )
        .into_response())
}

/// The client's approval page: the estimate behind a link's token (no account; the token admits).
async fn approval_view(
    State(api): State<Arc<CommandApi>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let visitor = visitor(&api, peer, &headers);
    public_answer(approval_link::view(&api.services, public_body(body)?, visitor).await?)
}

/// The client's answer through an approval link.
async fn approval_answer(
    State(api): State<Arc<CommandApi>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let visitor = visitor(&api, peer, &headers);
    public_answer(approval_link::answer(&api.services, public_body(body)?, visitor).await?)
}

/// The estimate and the answer are the client's: no cache keeps them.
fn public_answer(value: impl serde::Serialize) -> Result<Response, ApiError> {
    Ok((StatusCode::OK, [("cache-control", "no-store")], Json(value)).into_response())
}

/// A public request's body: JSON of the expected shape, text the log may store.
fn public_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge
        } else {
            ApiError::InvalidBody(rejection.body_text())
        }
    })?;
    let mut value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    if !auth::http::storable(&value) {
        return Err(ApiError::InvalidText);
    }
    // `129996.0` is an integer to JSON Schema, so a size given so is read as one, as commands are.
    crate::pipeline::integral_numbers(&mut value);
    serde_json::from_value(value).map_err(|e| ApiError::InvalidBody(e.to_string()))
}

/// The client as the server saw them: the peer (or, behind a trusted proxy, the address it
/// names) and the browser. A server started without peers' addresses records none.
fn visitor(
    api: &CommandApi,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> approval_link::Visitor {
    approval_link::Visitor {
        address: peer.map(|Extension(ConnectInfo(peer))| {
            auth::throttle::client_address(peer.ip(), headers, &api.trusted_proxies)
        }),
        user_agent: headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    }
}

async fn health(State(api): State<Arc<CommandApi>>) -> impl IntoResponse {
    match sqlx::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(&api.services.pool)
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

async fn openapi() -> impl IntoResponse {
    Json(crate::openapi::document())
}

/// The API's routes.
pub fn router(api: Arc<CommandApi>) -> Router {
    // The recorder must exist before the first request counts anything.
    auth::http::metrics_handle();
    Router::new()
        .route("/v1/{aggregate}/{id}/{command}", post(command))
        .route(FILE_UPLOAD_ROUTE, post(file_upload))
        .route("/v1/public/approval/view", post(approval_view))
        .route("/v1/public/approval/answer", post(approval_answer))
        .route("/openapi.json", get(openapi))
        .route("/health", get(health))
        .route("/metrics", get(telemetry::metrics::render))
        .route_layer(axum::middleware::from_fn_with_state(
            "command-api",
            telemetry::metrics::track_requests,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(api)
}

/// Serves the command API on `listener` until `shutdown` resolves.
pub async fn run(
    api: Arc<CommandApi>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    auth::http::metrics_handle();
    let limits = ServeLimits::from_env().map_err(std::io::Error::other)?;
    serve(listener, router(api), limits, shutdown).await
}
