//! What every resolver has at hand: who asks, the database, and how fresh the answer must be.

use std::time::{Duration, Instant};

use aggregates::permission::Permission;
use async_graphql::{Context, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use auth::access::Principal;
use base64::Engine;
use chrono::{DateTime, Utc};
use event_store::{EventStore, LogPosition};
use projections::runtime::checkpoint;
use sqlx::PgPool;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::error::QueryError;

/// The caller, as the auth service knows them now.
pub struct Viewer(pub Principal);

impl Viewer {
    /// Whether the caller holds `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        self.0.permissions.contains(&permission)
    }

    /// Refuses unless the caller holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), QueryError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(QueryError::forbidden(permission))
        }
    }

    /// Which work orders the caller sees: all, only those assigned to them, or none.
    pub fn work_order_scope(&self) -> Result<Option<Uuid>, QueryError> {
        if self.may(Permission::WorkOrderReadAll) {
            Ok(None)
        } else if self.may(Permission::WorkOrderReadAssigned) {
            Ok(Some(self.0.employee_id))
        } else {
            Err(QueryError::forbidden(Permission::WorkOrderReadAll))
        }
    }
}

/// Read-your-writes: the log position the caller's read models must have reached.
pub struct Freshness {
    pool: PgPool,
    min: Option<LogPosition>,
    deadline: Instant,
    // One wait per model, shared by every resolver of the request: they all resume together, so
    // their DataLoader calls still fall into one batch.
    reached: [OnceCell<()>; 6],
}

/// The read models, by the projector that writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// Clients and phones.
    Clients,
    /// Vehicles and mileage.
    Vehicles,
    /// The board, cards and lines.
    WorkOrders,
    /// Invoices, payments, debtors.
    Invoices,
    /// Catalogue, settings, directories, roles, employees.
    ReferenceData,
    /// The Meilisearch indexes of clients, vehicles and work orders (when configured).
    SearchIndex,
}

impl Model {
    /// The checkpoint key of the model's projector.
    pub fn key(self) -> &'static str {
        use projections::runtime::checkpoint_key;
        use projections::runtime::sink_key;
        use std::sync::OnceLock;
        static KEYS: OnceLock<[String; 6]> = OnceLock::new();
        let keys = KEYS.get_or_init(|| {
            [
                checkpoint_key::<projections::clients::ClientsProjection>(),
                checkpoint_key::<projections::vehicles::VehiclesProjection>(),
                checkpoint_key::<projections::work_orders::WorkOrdersProjection>(),
                checkpoint_key::<projections::invoices::InvoicesProjection>(),
                checkpoint_key::<projections::reference_data::ReferenceDataProjection>(),
                sink_key::<projections::meilisearch::MeilisearchIndexes>(),
            ]
        });
        &keys[self as usize]
    }
}

impl Freshness {
    /// Waits at most `patience` in all for the models a request reads to reach `min`.
    pub fn new(pool: PgPool, min: Option<LogPosition>, patience: Duration) -> Self {
        Self {
            pool,
            min,
            deadline: Instant::now() + patience,
            reached: Default::default(),
        }
    }

    /// Returns once `model` has applied the log up to the requested position, or `NotReady`.
    pub async fn ensure(&self, model: Model) -> Result<(), QueryError> {
        let Some(min) = self.min else { return Ok(()) };
        self.reached[model as usize]
            .get_or_try_init(|| self.wait(model.key(), min))
            .await
            .copied()
    }

    /// Whether `model` has already applied the log up to the requested position, without waiting.
    pub async fn is_fresh(&self, model: Model) -> Result<bool, QueryError> {
        let Some(min) = self.min else { return Ok(true) };
        if self.reached[model as usize].initialized() {
            return Ok(true);
        }
        Ok(checkpoint(&self.pool, model.key()).await? >= min)
    }

    async fn wait(&self, key: &'static str, min: LogPosition) -> Result<(), QueryError> {
        let mut pause = Duration::from_millis(5);
        loop {
            let at = checkpoint(&self.pool, key).await?;
            if at >= min {
                return Ok(());
            }
            if Instant::now() + pause > self.deadline {
                return Err(QueryError::NotReady {
                    projector: key.to_owned(),
                    current: at.to_string(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}

/// The resolver's database, caller and freshness, in one call.
pub struct Scope<'a> {
    /// The read models' database.
    pub pool: &'a PgPool,
    /// The log, for history.
    pub store: &'a EventStore,
    /// Who asks.
    pub viewer: &'a Viewer,
    freshness: &'a Freshness,
}

impl<'a> Scope<'a> {
    /// The scope of a resolver.
    pub fn of(ctx: &'a Context<'_>) -> Self {
        Self {
            pool: ctx.data_unchecked::<PgPool>(),
            store: ctx.data_unchecked::<EventStore>(),
            viewer: ctx.data_unchecked::<Viewer>(),
            freshness: ctx.data_unchecked::<Freshness>(),
        }
    }

    /// Refuses unless the caller holds `permission`; then waits for `model` to be fresh enough.
    pub async fn read(
        &self,
        permission: Option<Permission>,
        model: Model,
    ) -> Result<(), QueryError> {
        if let Some(permission) = permission {
            self.viewer.require(permission)?;
        }
        self.freshness.ensure(model).await
    }

    /// Whether `model` is fresh enough for this request now, without waiting for it.
    pub async fn is_fresh(&self, model: Model) -> Result<bool, QueryError> {
        self.freshness.is_fresh(model).await
    }
}

/// Money as the shop writes it: roubles with two decimals (`"1234.50"`), never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(transparent)]
pub struct Rub(pub i64);

#[Scalar(name = "Money")]
impl ScalarType for Rub {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
        let kopecks = whole
            .parse::<i64>()
            .ok()
            .zip(
                format!("{fraction:0<2}")
                    .get(..2)
                    .and_then(|f| f.parse::<i64>().ok()),
            )
            .map(|(r, k)| r * 100 + if r < 0 { -k } else { k });
        kopecks
            .map(Rub)
            .ok_or_else(|| InputValueError::custom("money is roubles with up to two decimals"))
    }

    fn to_value(&self) -> Value {
        Value::String(aggregates::money::Money::kopecks(self.0).to_string())
    }
}

/// A list's page: the nodes and where the next page starts.
#[derive(async_graphql::SimpleObject)]
#[graphql(concrete(name = "ClientPage", params(crate::schema::Client)))]
#[graphql(concrete(name = "VehiclePage", params(crate::schema::Vehicle)))]
#[graphql(concrete(name = "WorkOrderPage", params(crate::schema::WorkOrder)))]
#[graphql(concrete(name = "InvoicePage", params(crate::schema::Invoice)))]
#[graphql(concrete(name = "PaymentPage", params(crate::schema::PaymentEntry)))]
#[graphql(concrete(name = "HistoryPage", params(crate::schema::HistoryEntry)))]
pub struct Page<T: async_graphql::OutputType> {
    /// This page.
    pub nodes: Vec<T>,
    /// Pass as `after` for the next page; none on the last.
    pub end_cursor: Option<String>,
    /// Whether another page follows.
    pub has_next_page: bool,
}

impl<T: async_graphql::OutputType> Page<T> {
    /// A page from `limit + 1` fetched rows: the extra row only says another page follows.
    pub fn from_rows(mut nodes: Vec<T>, limit: usize, cursor: impl Fn(&T) -> String) -> Self {
        let has_next_page = nodes.len() > limit;
        nodes.truncate(limit);
        let end_cursor = has_next_page.then(|| nodes.last().map(&cursor)).flatten();
        Self {
            nodes,
            end_cursor,
            has_next_page,
        }
    }
}

/// The most a page holds.
pub const MAX_PAGE: i32 = 200;

/// A page size from the `first` argument.
pub fn page_size(first: Option<i32>) -> Result<usize, QueryError> {
    match first.unwrap_or(50) {
        n @ 1..=MAX_PAGE => Ok(n as usize),
        n => Err(QueryError::InvalidArgument {
            field: "first",
            reason: format!("{n}: a page holds 1 to {MAX_PAGE}"),
            reason_ru: format!("{n}: на странице от 1 до {MAX_PAGE} записей"),
        }),
    }
}

/// What a page costs in the complexity limit: its size (as [`page_size`] reads `first`, clamped
/// to what it would accept) times what one record asks for. A hundred aliases of a small page cost
/// as much as they make the database work.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    (first.unwrap_or(50).clamp(1, MAX_PAGE) as usize).saturating_mul(child_complexity)
}

/// The records a list without paging (a card's lines, a client's cars) is counted at: a guess at
/// a large one, so that such lists nested in a page of 200 cost what they make the database do.
pub const LIST_COST_FACTOR: usize = 5;

/// What an unpaged nested list costs in the complexity limit.
pub fn list_cost(child_complexity: usize) -> usize {
    LIST_COST_FACTOR.saturating_mul(child_complexity)
}

/// An opaque cursor over (text key, id).
pub fn encode_cursor(key: &str, id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{key}\u{1f}{id}"))
}

/// The (text key, id) behind a cursor.
pub fn decode_cursor(cursor: &str) -> Result<(String, Uuid), QueryError> {
    let invalid = || QueryError::InvalidArgument {
        field: "after",
        reason: "not a cursor this API gave".into(),
        reason_ru: "это не курсор, выданный этим API".into(),
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (key, id) = text.split_once('\u{1f}').ok_or_else(invalid)?;
    Ok((key.to_owned(), Uuid::parse_str(id).map_err(|_| invalid())?))
}

/// A cursor over (time, id), for lists newest first.
pub fn time_cursor(at: DateTime<Utc>, id: Uuid) -> String {
    encode_cursor(&at.timestamp_micros().to_string(), id)
}

/// The (time, id) behind a time cursor.
pub fn decode_time_cursor(cursor: &str) -> Result<(DateTime<Utc>, Uuid), QueryError> {
    let (micros, id) = decode_cursor(cursor)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or(QueryError::InvalidArgument {
            field: "after",
            reason: "not a cursor this API gave".into(),
            reason_ru: "это не курсор, выданный этим API".into(),
        })?;
    Ok((at, id))
}
