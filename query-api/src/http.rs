//! The query API's routes: `POST /graphql`, GraphiQL in development, `/health` and `/metrics`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use auth::access::{AccessDirectory, Authorizer, TokenVerifier};
use auth::AuthConfig;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use event_store::{EventStore, LogPosition};
use serde_json::json;
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::context::{Freshness, Viewer};
use crate::loaders::{
    ClientLoader, Db, EmployeeLoader, InvoicesByWorkOrderLoader, LinesLoader, MileageLoader,
    PaymentsLoader, PhonesLoader, VehicleLoader, VehiclesByOwnerLoader, WorkOrderStateLoader,
};
use crate::reports::ReportSource;
use crate::schema::{MotorlogSchema, Query, ShopName};
use crate::search::SearchSource;

/// The header a client sends with the position a command returned, to read its own write.
pub const MIN_POSITION_HEADER: &str = "x-min-position";
/// How long a query waits for the read models to reach that position before answering 503.
pub const FRESHNESS_PATIENCE: Duration = Duration::from_secs(2);
/// The largest request body read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The routes besides `/graphql`, all public, for the authorization matrix.
pub const PUBLIC_ROUTES: &[&str] = &["/health", "/metrics", "/graphiql"];

/// Where the reads outside the read models' tables come from.
#[derive(Debug)]
pub struct Sources {
    /// The owner's reports.
    pub reports: ReportSource,
    /// The search box.
    pub search: SearchSource,
}

impl Sources {
    /// Everything from PostgreSQL.
    pub fn postgres(pool: &PgPool) -> Self {
        Self {
            reports: ReportSource::Postgres(pool.clone()),
            search: SearchSource::Postgres,
        }
    }
}

/// The query API's state.
pub struct QueryApi {
    pool: PgPool,
    store: EventStore,
    schema: MotorlogSchema,
    authorizer: Authorizer,
    graphiql: bool,
}

impl QueryApi {
    /// The API over a migrated database, verifying tokens issued for `auth`; GraphiQL if `graphiql`.
    /// The reports and search read PostgreSQL.
    pub fn new(pool: PgPool, auth: &AuthConfig, graphiql: bool) -> Arc<Self> {
        let sources = Sources::postgres(&pool);
        Self::with_sources(pool, auth, graphiql, sources)
    }

    /// The API with the reports and search read from `sources` (ClickHouse and Meilisearch, when
    /// they are configured).
    pub fn with_sources(
        pool: PgPool,
        auth: &AuthConfig,
        graphiql: bool,
        sources: Sources,
    ) -> Arc<Self> {
        let store = EventStore::new(pool.clone());
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .data(ShopName(auth.shop.clone()))
            .data(sources.reports)
            .data(sources.search)
            .limit_depth(12)
            .limit_complexity(20_000)
            .finish();
        Arc::new(Self {
            authorizer: Authorizer {
                verifier: TokenVerifier::new(pool.clone(), &auth.issuer, &auth.audience),
                directory: AccessDirectory::new(store.clone(), &auth.shop),
            },
            pool,
            store,
            schema,
            graphiql,
        })
    }

    /// The schema in SDL, for clients and for the authorization matrix test.
    pub fn sdl(&self) -> String {
        self.schema.sdl()
    }
}

/// The schema in SDL without a database, for the web app's generated types
/// (`motorlog-query-api sdl`): the same types as a running API serves.
pub fn schema_sdl() -> String {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}

/// An error before GraphQL runs, in the GraphQL response shape with the command API's fields.
fn refusal(status: StatusCode, code: &str, message: String, message_ru: String) -> Response {
    let body = json!({
        "errors": [{
            "message": message,
            "extensions": { "code": code, "message_ru": message_ru },
        }],
    });
    (status, Json(body)).into_response()
}

async fn graphql(State(api): State<Arc<QueryApi>>, headers: HeaderMap, body: Bytes) -> Response {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let principal = match api.authorizer.authenticate(authorization).await {
        Ok(principal) => principal,
        Err(error) => {
            return refusal(
                error.status(),
                error.code(),
                error.to_string(),
                error.message_ru(),
            )
        }
    };
    let min_position =
        match headers.get(MIN_POSITION_HEADER).map(|v| {
            v.to_str()
                .ok()
                .and_then(|text| text.parse::<LogPosition>().ok())
        }) {
            None => None,
            Some(Some(position)) => Some(position),
            Some(None) => return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_position",
                "X-Min-Position must be a position a command returned, e.g. 1234:56".into(),
                "X-Min-Position должен быть позицией, которую вернула команда, например 1234:56"
                    .into(),
            ),
        };
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!("the body is not a GraphQL request: {error}"),
                "Тело запроса не является запросом GraphQL".into(),
            )
        }
    };
    let db = Db(api.pool.clone());
    // Loaders live for one request: their cache never outlives a permission check.
    let request = request
        .data(Viewer(principal))
        .data(Freshness::new(
            api.pool.clone(),
            min_position,
            FRESHNESS_PATIENCE,
        ))
        .data(api.pool.clone())
        .data(api.store.clone())
        .data(DataLoader::new(ClientLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(VehicleLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(EmployeeLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(LinesLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(
            VehiclesByOwnerLoader(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(MileageLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(
            InvoicesByWorkOrderLoader(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(PaymentsLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(PhonesLoader(db.clone()), tokio::spawn))
        .data(DataLoader::new(WorkOrderStateLoader(db), tokio::spawn));
    let response = api.schema.execute(request).await;
    let stale = response.errors.iter().find_map(|error| {
        let extensions = error.extensions.as_ref()?;
        match (extensions.get("code"), extensions.get("current_position")) {
            (Some(async_graphql::Value::String(code)), Some(async_graphql::Value::String(at)))
                if code == "not_ready" =>
            {
                Some(at.clone())
            }
            _ => None,
        }
    });
    metrics::counter!("motorlog_queries_total", "outcome" => if response.errors.is_empty() { "ok" } else { "error" })
        .increment(1);
    match stale {
        Some(current) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [("x-current-position", current), ("retry-after", "1".into())],
            Json(response),
        )
            .into_response(),
        None => Json(response).into_response(),
    }
}

async fn graphiql(State(api): State<Arc<QueryApi>>) -> Response {
    if !api.graphiql {
        return StatusCode::NOT_FOUND.into_response();
    }
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Motorlog GraphQL")
            .finish(),
    )
    .into_response()
}

async fn health(State(api): State<Arc<QueryApi>>) -> impl IntoResponse {
    match sqlx::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(&api.pool)
        .await
    {
        Ok(_) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": error.to_string() })),
        ),
    }
}

async fn metrics_text() -> impl IntoResponse {
    (
        [("content-type", "text/plain; version=0.0.4")],
        auth::http::metrics_handle().render(),
    )
}

/// The API's routes.
pub fn router(api: Arc<QueryApi>) -> Router {
    auth::http::metrics_handle();
    Router::new()
        .route("/graphql", post(graphql))
        .route("/graphiql", get(graphiql))
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(api)
}

/// Serves the query API on `listener` until `shutdown` resolves.
pub async fn run(
    api: Arc<QueryApi>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(api))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Sets the session options the query API's plans rely on, on each new connection.
pub fn pool_options() -> sqlx::postgres::PgPoolOptions {
    sqlx::postgres::PgPoolOptions::new().after_connect(|connection, _| {
        Box::pin(async move {
            use sqlx::Executor;
            // Optional filters (`$1 IS NULL OR …`) need plans made for the values at hand; a generic
            // plan would scan. A fuzzy match needs about half the trigrams: fewer candidates to check.
            connection
                .execute("SET plan_cache_mode = force_custom_plan; SET pg_trgm.similarity_threshold = 0.45; \
                     SET pg_trgm.word_similarity_threshold = 0.5")
                .await?;
            Ok(())
        })
    })
}
