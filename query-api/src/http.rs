//! The query API's routes: `POST /graphql`, GraphiQL in development, `/health` and `/metrics`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use auth::access::Authorizer;
use auth::serve::{serve, ServeLimits};
use auth::AuthConfig;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use event_store::{EventStore, LogPosition};
use serde_json::json;
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::access::Viewer;
use crate::context::Freshness;
use crate::loaders::Db;
use crate::reports::ReportSource;
use crate::schema::cashier::{InvoicesByWorkOrderLoader, PaymentsLoader};
use crate::schema::clients::{
    ClientLoader, MileageLoader, PhonesLoader, VehicleLoader, VehiclesByOwnerLoader,
};
use crate::schema::notifications::{NotificationsByClientLoader, NotificationsByOrderLoader};
use crate::schema::order_card::{LineStockLoader, LinesLoader, WorkOrderCardLoader};
use crate::schema::reference_data::{EmployeeLoader, ShopName};
use crate::schema::{MotorlogSchema, Query};
use crate::search::SearchSource;

/// The header a client sends with the position a command returned, to read its own write.
pub const MIN_POSITION_HEADER: &str = "x-min-position";
/// How long a query waits for the read models to reach that position before answering 503.
pub const FRESHNESS_PATIENCE: Duration = Duration::from_secs(2);
/// The largest request body read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The most fields one request may ask for at its root (its operations', fragments' included).
pub const MAX_ROOT_FIELDS: usize = 20;
/// The most aliased fields in one request: the app uses a few; hundreds are one field run hundreds
/// of times.
pub const MAX_ALIASES: usize = 30;
/// The complexity limit: every field costs 1, a page costs its size times one record's fields
/// ([`crate::paging::page_cost`]). The board's 200 tiles plus 100 closed cost about 5 000.
pub const MAX_COMPLEXITY: usize = 20_000;
/// The deepest nesting of selections.
pub const MAX_DEPTH: usize = 12;
/// How long one SQL statement of the query API may run, unless `QUERY_STATEMENT_TIMEOUT_MS` says.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

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
    pub(crate) pool: PgPool,
    pub(crate) store: EventStore,
    schema: MotorlogSchema,
    pub(crate) authorizer: Authorizer,
    graphiql: bool,
    /// The shop's name: the id of its settings and calendar streams (the printed documents').
    pub(crate) shop: String,
}

impl QueryApi {
    /// The API over a migrated database, verifying tokens issued for `auth`; GraphiQL and
    /// introspection if `graphiql` (outside production).
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
        Self::with_files(pool, auth, graphiql, sources, None)
    }

    /// [`with_sources`](Self::with_sources) with the storage of photos and scans, whose links the
    /// cards' `attachments` sign (without one the lists are empty).
    pub fn with_files(
        pool: PgPool,
        auth: &AuthConfig,
        graphiql: bool,
        sources: Sources,
        files: Option<file_store::FileStore>,
    ) -> Arc<Self> {
        // The query API holds no keys (its role may not read them): the history it words from the
        // log shows personal fields hidden; names and contacts come from the read models.
        let store = EventStore::new(pool.clone())
            .with_codec(std::sync::Arc::new(personal_data::HiddenPersonalData));
        let mut schema = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
            .data(ShopName(auth.shop.clone()))
            .data(sources.reports)
            .data(sources.search)
            .data(crate::schema::attachments::Files(files))
            .limit_depth(MAX_DEPTH)
            .limit_complexity(MAX_COMPLEXITY);
        // In production the schema is not told to strangers: the web app's types come from `sdl`.
        if !graphiql {
            schema = schema.disable_introspection();
        }
        let schema = schema.finish();
        Arc::new(Self {
            // Only a REDIS_URL that is not a URL fails, and `AuthConfig::from_env` refuses those.
            authorizer: Authorizer::new(pool.clone(), auth)
                .expect("the Redis URL of the settings is a URL"),
            pool,
            store,
            schema,
            graphiql,
            shop: auth.shop.clone(),
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
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}

/// An error before GraphQL runs, in the GraphQL response shape with the command API's fields.
pub(crate) fn refusal(
    status: StatusCode,
    code: &str,
    message: String,
    message_ru: String,
) -> Response {
    let body = json!({
        "errors": [{
            "message": message,
            "extensions": { "code": code, "message_ru": message_ru },
        }],
    });
    (status, Json(body)).into_response()
}

/// Whether a GraphQL document spells U+0000 as a string escape (`\u0000`), which the parser would
/// turn into the character PostgreSQL cannot store. A backslash escaped itself (`\\u0000`) is text.
/// Block strings take no escapes, so there the same letters are text too, but refusing them costs
/// nobody anything.
fn escapes_nul(query: &str) -> bool {
    let bytes = query.as_bytes();
    let mut backslashes = 0usize;
    for (at, byte) in bytes.iter().enumerate() {
        if *byte == b'\\' {
            backslashes += 1;
            continue;
        }
        if *byte == b'u' && backslashes % 2 == 1 && bytes[at + 1..].starts_with(b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// The GraphQL request in a body, refused (in the GraphQL error shape) if it is not one or if any
/// text in it (the document's strings, the variables) is text PostgreSQL cannot store: checked here,
/// once, so no resolver's argument can be forgotten.
#[allow(clippy::result_large_err)]
fn graphql_request(body: &[u8]) -> Result<async_graphql::Request, Response> {
    let not_a_request = |error: serde_json::Error| {
        refusal(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("the body is not a GraphQL request: {error}"),
            "Тело запроса не является запросом GraphQL".into(),
        )
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(not_a_request)?;
    let spelled_nul = value
        .get("query")
        .and_then(serde_json::Value::as_str)
        .is_some_and(escapes_nul);
    if spelled_nul || !auth::http::storable(&value) {
        return Err(refusal(
            StatusCode::BAD_REQUEST,
            "invalid_text",
            "text must not contain U+0000".into(),
            "Текст содержит недопустимый символ (U+0000); уберите его и повторите".into(),
        ));
    }
    serde_json::from_value(value).map_err(not_a_request)
}

/// A refusal of a request that costs too much to answer, before or instead of running it.
fn too_costly(message: String) -> Response {
    refusal(
        StatusCode::BAD_REQUEST,
        "query_too_costly",
        message,
        "Запрос слишком большой: запросите меньше записей или полей, или разбейте его на несколько"
            .into(),
    )
}

/// Root fields and aliases in a document, counted before it runs. A document that does not parse
/// counts nothing here: the schema refuses it with the parser's message.
fn selection_counts(query: &str) -> (usize, usize) {
    use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

    fn aliases(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some())
                        + aliases(&field.node.selection_set.node)
                }
                Selection::InlineFragment(fragment) => aliases(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    /// Fields at the root of `set`, through fragments (each fragment followed once).
    fn roots<'a>(
        document: &'a ExecutableDocument,
        set: &'a SelectionSet,
        seen: &mut Vec<&'a str>,
    ) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(fragment) => {
                    roots(document, &fragment.node.selection_set.node, seen)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if seen.contains(&name) {
                        return 0;
                    }
                    seen.push(name);
                    document
                        .fragments
                        .get(&spread.node.fragment_name.node)
                        .map_or(0, |f| roots(document, &f.node.selection_set.node, seen))
                }
            })
            .sum()
    }

    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return (0, 0);
    };
    let root_fields = document
        .operations
        .iter()
        .map(|(_, operation)| {
            roots(
                &document,
                &operation.node.selection_set.node,
                &mut Vec::new(),
            )
        })
        .max()
        .unwrap_or(0);
    let alias_count = document
        .operations
        .iter()
        .map(|(_, operation)| aliases(&operation.node.selection_set.node))
        .chain(
            document
                .fragments
                .values()
                .map(|fragment| aliases(&fragment.node.selection_set.node)),
        )
        .sum();
    (root_fields, alias_count)
}

/// Refuses a document with more root fields or aliases than one screen needs.
#[allow(clippy::result_large_err)]
fn within_cost(query: &str) -> Result<(), Response> {
    let (root_fields, alias_count) = selection_counts(query);
    if root_fields > MAX_ROOT_FIELDS {
        return Err(too_costly(format!(
            "{root_fields} root fields: at most {MAX_ROOT_FIELDS} per request"
        )));
    }
    if alias_count > MAX_ALIASES {
        return Err(too_costly(format!(
            "{alias_count} aliases: at most {MAX_ALIASES} per request"
        )));
    }
    Ok(())
}

/// Whether the schema refused the document over its complexity or depth (async-graphql's own
/// messages, which carry no code).
fn over_limits(response: &async_graphql::Response) -> Option<String> {
    response
        .errors
        .iter()
        .find(|error| {
            error.path.is_empty()
                && (error.message.starts_with("Query is too complex")
                    || error.message.starts_with("Query is nested too deep"))
        })
        .map(|error| error.message.clone())
}

/// Resolver errors that are not ours (a library's, a database's text): logged, and sent with the
/// generic `internal` code and message, so no internal text reaches a client. Errors with a code
/// were made by [`crate::QueryError`], which already sends no internals; errors without a path are
/// the document's own (syntax, validation) and are the client's to read.
fn without_internals(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|extensions| extensions.get("code").is_some());
        if coded || error.path.is_empty() {
            continue;
        }
        tracing::error!(error = %error.message, path = ?error.path, "query failed");
        error.message = "internal error".into();
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", "internal");
        extensions.set("message_ru", "Внутренняя ошибка сервера");
    }
}

async fn graphql(
    State(api): State<Arc<QueryApi>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                "Слишком большой запрос".into(),
            )
        }
        Err(rejection) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                rejection.body_text(),
                "Тело запроса не прочитано".into(),
            )
        }
    };
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let principal = match api.authorizer.authenticate(authorization).await {
        Ok(principal) => principal,
        Err(error) => {
            let mut refused = refusal(
                error.status(),
                error.code(),
                error.public_message(),
                error.message_ru(),
            );
            // Over the rate limit: when to come back.
            if let Some(seconds) = error.retry_after() {
                refused
                    .headers_mut()
                    .insert("retry-after", axum::http::HeaderValue::from(seconds));
            }
            return refused;
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
    let request = match graphql_request(&body) {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    if let Err(refused) = within_cost(&request.query) {
        return refused;
    }
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
        .data(loader(ClientLoader(db.clone())))
        .data(loader(VehicleLoader(db.clone())))
        .data(loader(EmployeeLoader(db.clone())))
        .data(loader(LinesLoader(db.clone())))
        .data(loader(LineStockLoader(db.clone())))
        .data(loader(VehiclesByOwnerLoader(db.clone())))
        .data(loader(MileageLoader(db.clone())))
        .data(loader(InvoicesByWorkOrderLoader(db.clone())))
        .data(loader(PaymentsLoader(db.clone())))
        .data(loader(PhonesLoader(db.clone())))
        .data(loader(NotificationsByClientLoader(db.clone())))
        .data(loader(NotificationsByOrderLoader(db.clone())))
        .data(loader(WorkOrderCardLoader(db)));
    let mut response = api.schema.execute(request).await;
    if let Some(message) = over_limits(&response) {
        metrics::counter!("motorlog_queries_total", "outcome" => "too_costly").increment(1);
        return too_costly(message);
    }
    without_internals(&mut response);
    let timed_out = response.errors.iter().any(|error| {
        error.extensions.as_ref().is_some_and(|extensions| {
            matches!(extensions.get("code"), Some(async_graphql::Value::String(code)) if code == "query_timeout")
        })
    });
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
    if timed_out {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(response)).into_response();
    }
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

/// The API's routes.
pub fn router(api: Arc<QueryApi>) -> Router {
    auth::http::metrics_handle();
    Router::new()
        .route("/graphql", post(graphql))
        .route("/graphiql", get(graphiql))
        .route("/health", get(health))
        .route("/metrics", get(telemetry::metrics::render))
        .merge(crate::documents::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            "query-api",
            telemetry::metrics::track_requests,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(api)
}

/// How long a loader gathers keys before it reads them. A list of more than 32 objects is resolved
/// through `FuturesUnordered`, which yields after every 32 polls; with async-graphql's default of
/// 1 ms, the tiles past the yield of a 50-tile board missed the batch in a debug build and their
/// lines were read by a second statement. A few milliseconds keep one statement per loader and
/// level (`tests/statements.rs`) at a cost well below one database round trip per level.
///
/// The window must outlast polling the first 32 objects of a list, which an unoptimised build
/// (the test suite's) does many times slower: 4 ms there missed the batch in about a third of
/// runs on a slow two-core machine, so it gets 16 ms; a release build keeps 4 ms.
const LOADER_DELAY: std::time::Duration = if cfg!(debug_assertions) {
    std::time::Duration::from_millis(16)
} else {
    std::time::Duration::from_millis(4)
};

/// A loader for one request, batching over [`LOADER_DELAY`].
fn loader<T: Send + Sync + 'static>(fetch: T) -> DataLoader<T> {
    DataLoader::new(fetch, tokio::spawn).delay(LOADER_DELAY)
}

/// Serves the query API on `listener` until `shutdown` resolves.
pub async fn run(
    api: Arc<QueryApi>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = ServeLimits::from_env().map_err(std::io::Error::other)?;
    serve(listener, router(api), limits, shutdown).await
}

/// The statement timeout from `QUERY_STATEMENT_TIMEOUT_MS`, [`DEFAULT_STATEMENT_TIMEOUT`] when it
/// is not set; a value that is not a positive number of milliseconds is an error naming it.
pub fn statement_timeout_from_env() -> Result<Duration, String> {
    match std::env::var("QUERY_STATEMENT_TIMEOUT_MS") {
        Err(_) => Ok(DEFAULT_STATEMENT_TIMEOUT),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
            _ => Err(format!(
                "QUERY_STATEMENT_TIMEOUT_MS must be a positive number of milliseconds, not {text:?}"
            )),
        },
    }
}

/// Sets the session options the query API's plans rely on, on each new connection, with the
/// statement timeout from the environment ([`statement_timeout_from_env`]; the default if the
/// setting is unreadable, which `main` has already refused).
pub fn pool_options() -> sqlx::postgres::PgPoolOptions {
    pool_options_with(statement_timeout_from_env().unwrap_or(DEFAULT_STATEMENT_TIMEOUT))
}

/// [`pool_options`] with `statement_timeout`: no read of one request holds a connection longer,
/// whatever the document asks (PostgreSQL cancels it; the answer is 503 `query_timeout`).
pub fn pool_options_with(statement_timeout: Duration) -> sqlx::postgres::PgPoolOptions {
    let timeout_ms = statement_timeout.as_millis().max(1);
    event_store::pool_options().after_connect(move |connection, _| {
        Box::pin(async move {
            use sqlx::Executor;
            connection
                .execute(format!("SET statement_timeout = {timeout_ms}").as_str())
                .await?;
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
