//! A record's history for the auditor: every event of its stream, oldest first, worded in Russian,
//! with who, when and the request it came from. Read from the log itself, not a read model;
//! personal fields are worded as [`HIDDEN`].

use aggregates::permission::Permission as P;
use aggregates::personal::ERASED;
use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use event_store::StreamId;
use uuid::Uuid;

use crate::context::Scope;
use crate::error::{GqlResult, OrGql, QueryError};
use crate::paging::{decode_version_cursor, page_size, version_cursor, Page, Paged};

/// How this history words a personal field. The query API holds no data keys, so its log reads
/// every personal field as [`ERASED`], live subject or erased: saying "erased" would be untrue of
/// the live ones. "Hidden" is true of both; an erasure has its own entry in the history, and the
/// client's card shows today's contacts from the read model. The auditor's full wording, opened
/// with the keys, is `motorlog-replay history`.
pub const HIDDEN: &str = "[скрыто]";

/// An event of a record's history, in the shop's words.
#[derive(SimpleObject)]
pub struct HistoryEntry {
    /// The event's version in its stream.
    pub version: i64,
    /// The event's type.
    pub event_type: String,
    /// What happened, in Russian.
    pub summary: String,
    /// Who (`employee:<id>` or `system:<name>`).
    pub actor: String,
    /// The employee's name, when an employee.
    pub actor_name: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// The request it came from.
    pub correlation_id: Uuid,
    /// What caused it.
    pub causation_id: Uuid,
    /// Its position in the log.
    pub position: String,
}

impl Paged for HistoryEntry {
    const PAGE_NAME: &'static str = "HistoryPage";
}

/// Kinds of records with a history.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A client.
    Client,
    /// A vehicle.
    Vehicle,
    /// A work order.
    WorkOrder,
    /// An invoice.
    Invoice,
    /// A catalogue entry.
    CatalogueService,
    /// A directory.
    Directory,
    /// A role.
    Role,
    /// The staff.
    Staff,
    /// The settings.
    Settings,
    /// A message to a client (SMS or e-mail): queued, attempts, sent, failed or skipped and why.
    Notification,
}

impl RecordKind {
    fn stream_type(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Vehicle => "vehicle",
            Self::WorkOrder => "work_order",
            Self::Invoice => "invoice",
            Self::CatalogueService => "catalogue_service",
            Self::Directory => "directory",
            Self::Role => "role",
            Self::Staff => "staff",
            Self::Settings => "settings",
            Self::Notification => "notification",
        }
    }
}

/// The history's root field.
#[derive(Default)]
pub struct HistoryQuery;

#[Object]
impl HistoryQuery {
    /// A record's history, oldest first: every event with who, when and the request it came from.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        kind: RecordKind,
        id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<HistoryEntry>> {
        let scope = Scope::of(ctx);
        scope.viewer.require(P::HistoryRead).gql()?;
        let limit = page_size(first).gql()?;
        let after_version = match after {
            Some(cursor) => decode_version_cursor(&cursor).gql()?,
            None => 0,
        };
        read_history(&scope, kind.stream_type(), &id, after_version, limit)
            .await
            .gql()
            .map(|rows| Page::from_rows(rows, limit, |h| version_cursor(h.version)))
    }
}

/// A stream's events after `after_version`, worded, with the employees' names.
async fn read_history(
    scope: &Scope<'_>,
    stream_type: &str,
    id: &str,
    after_version: i64,
    limit: usize,
) -> Result<Vec<HistoryEntry>, QueryError> {
    let events = scope
        .store
        .read_stream(
            &StreamId::new(stream_type, id),
            u64::try_from(after_version).unwrap_or(0),
        )
        .await
        .map_err(projections::ProjectionError::from)?;
    let events: Vec<_> = events.into_iter().take(limit + 1).collect();
    let names = projections::history::actor_names(scope.pool, &events).await?;
    events
        .into_iter()
        .map(|event| {
            let summary = projections::history::describe(&event)?.replace(ERASED, HIDDEN);
            let actor_name =
                projections::history::actor_employee(&event).and_then(|id| names.get(&id).cloned());
            Ok(HistoryEntry {
                version: i64::try_from(event.version).unwrap_or(i64::MAX),
                event_type: event.event_type,
                summary,
                actor: event.metadata.actor,
                actor_name,
                at: event.recorded_at,
                correlation_id: event.metadata.correlation_id,
                causation_id: event.metadata.causation_id,
                position: event.position.to_string(),
            })
        })
        .collect()
}
