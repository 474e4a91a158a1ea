//! Search in Meilisearch: clients, vehicles and work orders as documents of three indexes, for
//! typo-tolerant search over a shop's whole history when one box's PostgreSQL is not enough.
//!
//! A sink of the projector runtime. A batch names the records it touched; each of them is folded
//! from its whole stream by the domain's own `evolve` and sent as one document keyed by the record's
//! id, with the stream version it was folded to. Delivering a batch again (a crash between
//! Meilisearch's acknowledgement and the checkpoint) sends the same documents, or newer ones, never
//! older: a document is always the record as the log holds it now.
//!
//! Batches are pipelined. Meilisearch acknowledges a write by enqueueing a task and indexes it
//! later, one index's waiting tasks together. Waiting for each batch's tasks before reading the next
//! batch left it indexing one small task at a time (about 30 events a second); so the sink enqueues
//! up to [`IN_FLIGHT`] batches' tasks before it waits for the oldest
//! ([`Sink::settle`]), in batches of up to [`BATCH_SIZE`] events in the
//! service. The guarantee is unchanged: **at least once**, and a checkpoint never passes a write
//! Meilisearch has not finished. The runtime moves the checkpoint batch by batch, in log order, each
//! only once every task of that batch succeeded; a crash or a failed task leaves the checkpoint
//! before the first unfinished batch, and the batches after it are sent again. Meilisearch processes
//! tasks in the order they were enqueued, and a later batch's documents are folded after an earlier
//! one's, so an index never goes back to an older document. A read that waited for the checkpoint
//! finds its write searchable.
//!
//! The documents carry what the query API filters by to keep its permission rules (a mechanic's
//! orders: `mechanic_ids`) and, beside the text Meilisearch ranks with typos forgiven (names), the
//! exact keys a shop searches by: every tail of a phone's digits and of the VIN, every start of a
//! plate and of an order's number, and an ordinary plate's three digits, matched as filters so the
//! answers are those of the PostgreSQL search.
//!
//! Records are folded from the log through the store's codec, so a client whose personal data was
//! erased (152-ФЗ) is sent again by the erasure event itself: the domain's fold forgets their phones
//! and e-mail and names a person [`ERASED`](aggregates::personal::ERASED), replacing the old
//! document, and a rebuild folds to the same one. A phone read back as the erased marker is never
//! indexed as a phone.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aggregates::client::Client;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::WorkOrder;
use aggregates::Aggregate;
use event_store::{EventStore, RecordedEvent};
use meilisearch_sdk::client::{Client as MeiliClient, SwapIndexes};
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode, ErrorType, MeilisearchError};
use meilisearch_sdk::settings::Settings;
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::read_models::clients::party_columns;
use crate::read_models::work_orders::mechanics;
use crate::support::decode;
use crate::{ProjectionError, Sink};

/// Every document's primary key.
pub const PRIMARY_KEY: &str = "id";
/// The shortest phone or VIN tail searched, as in the PostgreSQL search.
pub const MIN_TAIL: usize = 4;
/// How long a batch waits for Meilisearch to finish its tasks before it counts as not delivered.
const TASK_PATIENCE: Duration = Duration::from_secs(120);
/// How often a task's state is asked for while waiting for it.
const TASK_POLL: Duration = Duration::from_millis(20);
/// Batches whose tasks may be enqueued before the oldest is finished. Meilisearch indexes the
/// tasks of one index that wait in its queue together, so the cost of each indexing run (its
/// commit) is shared by several batches instead of paid by each in turn.
pub const IN_FLIGHT: usize = 8;
/// The most events the service hands the sink in one batch: documents are folded per record, so a
/// record touched many times in a batch is sent once, and Meilisearch gets fewer, larger tasks.
pub const BATCH_SIZE: usize = 2_000;

/// One of the three indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SearchKind {
    /// Clients, by name, INN and phone.
    Clients,
    /// Vehicles, by plate and VIN.
    Vehicles,
    /// Work orders, by number.
    WorkOrders,
}

impl SearchKind {
    /// Every index.
    pub const ALL: [Self; 3] = [Self::Clients, Self::Vehicles, Self::WorkOrders];

    /// The index's name after the configured prefix.
    pub fn name(self) -> &'static str {
        match self {
            Self::Clients => "clients",
            Self::Vehicles => "vehicles",
            Self::WorkOrders => "work_orders",
        }
    }

    /// The stream type whose records the index holds.
    pub fn stream_type(self) -> &'static str {
        match self {
            Self::Clients => Client::STREAM_TYPE,
            Self::Vehicles => Vehicle::STREAM_TYPE,
            Self::WorkOrders => WorkOrder::STREAM_TYPE,
        }
    }

    fn of_stream(stream_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.stream_type() == stream_type)
    }

    /// What Meilisearch ranks text in, filters and sorts by.
    pub fn settings(self) -> Settings {
        let (searchable, filterable, sortable): (&[&str], &[&str], &[&str]) = match self {
            Self::Clients => (
                &["display_name", "inn"],
                &["phone_tails", "archived"],
                &["display_name", "archived_last"],
            ),
            Self::Vehicles => (
                &["plate", "vin", "make", "model"],
                &["plate_prefixes", "plate_number", "vin_tails", "owner_id"],
                &["plate"],
            ),
            Self::WorkOrders => (
                &["number"],
                &[
                    "number_prefixes",
                    "mechanic_ids",
                    "status",
                    "client_id",
                    "vehicle_id",
                ],
                &["number", "opened_at"],
            ),
        };
        Settings::new()
            .with_searchable_attributes(searchable)
            .with_filterable_attributes(filterable)
            .with_sortable_attributes(sortable)
    }
}

/// A client as the search index holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientDocument {
    /// The client's id.
    pub id: Uuid,
    /// `person` or `company`.
    pub kind: String,
    /// The name a person or a company goes by.
    pub display_name: String,
    /// A company's INN.
    pub inn: Option<String>,
    /// Phones, E.164.
    pub phones: Vec<String>,
    /// Every tail of every phone's digits from [`MIN_TAIL`] digits on.
    pub phone_tails: Vec<String>,
    /// Archived clients are found too, listed after the others.
    pub archived: bool,
    /// 1 for an archived client, 0 otherwise: what lists sort by (Meilisearch sorts numbers and
    /// strings, not booleans).
    pub archived_last: u8,
    /// The stream version the document was folded to.
    pub version: u64,
}

/// A vehicle as the search index holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleDocument {
    /// The vehicle's id.
    pub id: Uuid,
    /// The current owner.
    pub owner_id: Option<Uuid>,
    /// The plate in its canonical Cyrillic form.
    pub plate: Option<String>,
    /// Every start of the plate.
    pub plate_prefixes: Vec<String>,
    /// An ordinary plate's three digits («А123ВС77» → `123`).
    pub plate_number: Option<String>,
    /// The VIN.
    pub vin: Option<String>,
    /// Every tail of the VIN from [`MIN_TAIL`] characters on.
    pub vin_tails: Vec<String>,
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// The stream version the document was folded to.
    pub version: u64,
}

/// A work order as the search index holds it: only what search finds or filters by. Money, dates and
/// the promised time are the board's (PostgreSQL's), so an event that changes only them, like
/// `PromisedTimeSet`, sends the same document again at its new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkOrderDocument {
    /// The order's id.
    pub id: Uuid,
    /// Its number.
    pub number: String,
    /// Every start of the number, upper case.
    pub number_prefixes: Vec<String>,
    /// Its status (`draft`, `in_progress`, …).
    pub status: String,
    /// The client.
    pub client_id: Option<Uuid>,
    /// The vehicle.
    pub vehicle_id: Option<Uuid>,
    /// The mechanics of its labour lines: a mechanic who may see only their own orders finds these.
    pub mechanic_ids: Vec<Uuid>,
    /// The stream version the document was folded to.
    pub version: u64,
}

/// Every tail of `text` from `min` characters on, longest first.
fn tails(text: &str, min: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    (0..=chars.len().saturating_sub(min))
        .filter(|_| chars.len() >= min)
        .map(|start| chars[start..].iter().collect())
        .collect()
}

/// Every start of `text`, shortest first.
fn prefixes(text: &str) -> Vec<String> {
    text.char_indices()
        .map(|(at, c)| text[..at + c.len_utf8()].to_owned())
        .collect()
}

/// An ordinary plate's number: the three digits after its first letter.
pub fn plate_number(plate: &str) -> Option<String> {
    let number: String = plate.chars().skip(1).take(3).collect();
    (number.chars().count() == 3 && number.chars().all(|c| c.is_ascii_digit())).then_some(number)
}

impl ClientDocument {
    /// The document of a registered client; `None` before registration.
    pub fn of(id: Uuid, client: &Client, version: u64) -> Option<Self> {
        let party = client.party.clone()?;
        let (kind, display_name, inn, _) = party_columns(party);
        let phones = client.phones.iter().filter(|p| !p.is_erased());
        let mut phone_tails: Vec<String> = phones
            .clone()
            .flat_map(|p| tails(p.digits(), MIN_TAIL))
            .collect();
        phone_tails.sort_unstable();
        phone_tails.dedup();
        Some(Self {
            id,
            kind: kind.to_owned(),
            display_name,
            inn,
            phones: phones.map(|p| p.as_str().to_owned()).collect(),
            phone_tails,
            archived: client.archived,
            archived_last: u8::from(client.archived),
            version,
        })
    }
}

impl VehicleDocument {
    /// The document of a registered vehicle; `None` before registration.
    pub fn of(id: Uuid, vehicle: &Vehicle, version: u64) -> Option<Self> {
        vehicle.id?;
        let plate = vehicle.plate.as_ref().map(|p| p.as_str().to_owned());
        let vin = vehicle.vin.as_ref().map(|v| v.as_str().to_owned());
        Some(Self {
            id,
            owner_id: vehicle.owner().map(|o| o.0),
            plate_prefixes: plate.as_deref().map(prefixes).unwrap_or_default(),
            plate_number: plate.as_deref().and_then(plate_number),
            plate,
            vin_tails: vin
                .as_deref()
                .map(|v| tails(v, MIN_TAIL))
                .unwrap_or_default(),
            vin,
            make: vehicle.make.clone(),
            model: vehicle.model.clone(),
            version,
        })
    }
}

impl WorkOrderDocument {
    /// The document of an opened work order; `None` before it is opened.
    pub fn of(id: Uuid, order: &WorkOrder, version: u64) -> Option<Self> {
        order.id?;
        Some(Self {
            id,
            number_prefixes: prefixes(&order.number.to_uppercase()),
            number: order.number.clone(),
            status: order.status.as_str().to_owned(),
            client_id: order.client_id.map(|c| c.0),
            vehicle_id: order.vehicle_id.map(|v| v.0),
            mechanic_ids: mechanics(order),
            version,
        })
    }
}

/// A record folded from its stream's events by the domain's `evolve`, with the version reached.
fn fold<A: Aggregate>(events: &[RecordedEvent]) -> Result<(A, u64), ProjectionError>
where
    A::Event: DeserializeOwned,
{
    let mut state = A::default();
    let mut version = 0;
    for event in events {
        state = state.evolve(&decode::<A::Event>(event)?);
        version = event.version;
    }
    Ok((state, version))
}

/// The document of one record of `kind` from its stream's events, as JSON; `None` for a stream that
/// does not make one yet.
pub fn document(
    kind: SearchKind,
    id: Uuid,
    events: &[RecordedEvent],
) -> Result<Option<serde_json::Value>, ProjectionError> {
    fn json<T: Serialize>(
        document: Option<T>,
    ) -> Result<Option<serde_json::Value>, ProjectionError> {
        document
            .map(|d| {
                serde_json::to_value(d).map_err(|e| ProjectionError::Inconsistent(e.to_string()))
            })
            .transpose()
    }
    match kind {
        SearchKind::Clients => {
            let (client, version) = fold::<Client>(events)?;
            json(ClientDocument::of(id, &client, version))
        }
        SearchKind::Vehicles => {
            let (vehicle, version) = fold::<Vehicle>(events)?;
            json(VehicleDocument::of(id, &vehicle, version))
        }
        SearchKind::WorkOrders => {
            let (order, version) = fold::<WorkOrder>(events)?;
            json(WorkOrderDocument::of(id, &order, version))
        }
    }
}

/// A value for a Meilisearch filter: in double quotes, its own quotes and backslashes escaped.
pub fn filter_value(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// An error of the Meilisearch client as the runtime sees it: a server that is down, unreachable
/// or busy is retried; a refusal of what we sent stops the sink like a poison event.
pub fn meili_error(error: MeiliError) -> ProjectionError {
    match error {
        MeiliError::Meilisearch(refusal) if refusal.error_type != ErrorType::Internal => {
            ProjectionError::Inconsistent(format!("meilisearch refused: {refusal}"))
        }
        MeiliError::MeilisearchCommunication(e) if e.status_code < 500 && e.status_code != 429 => {
            ProjectionError::Inconsistent(format!("meilisearch refused: {e}"))
        }
        other => ProjectionError::SinkUnavailable(format!("meilisearch: {other}")),
    }
}

/// Where the indexes are: `MEILI_URL`, `MEILI_API_KEY` and `MEILI_INDEX_PREFIX` (default
/// `motorlog_`, so several shops or stages can share a server).
#[derive(Clone, PartialEq, Eq)]
pub struct MeilisearchConfig {
    /// The server, `http://host:7700`.
    pub url: String,
    /// Its API key, when it wants one.
    pub api_key: Option<String>,
    /// What every index's name starts with.
    pub prefix: String,
}

impl std::fmt::Debug for MeilisearchConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeilisearchConfig")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl MeilisearchConfig {
    /// From the environment; `None` when `MEILI_URL` is unset or empty.
    pub fn from_env() -> Option<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Some(Self {
            url: var("MEILI_URL")?,
            api_key: var("MEILI_API_KEY"),
            prefix: var("MEILI_INDEX_PREFIX").unwrap_or_else(|| "motorlog_".into()),
        })
    }
}

/// The clients, vehicles and work-orders indexes of one Meilisearch server, kept from the log.
#[derive(Clone)]
pub struct MeilisearchIndexes {
    client: MeiliClient,
    store: EventStore,
    prefix: String,
    suffix: String,
}

impl std::fmt::Debug for MeilisearchIndexes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeilisearchIndexes")
            .field("host", &self.client.get_host())
            .field("prefix", &self.prefix)
            .field("suffix", &self.suffix)
            .finish_non_exhaustive()
    }
}

impl MeilisearchIndexes {
    /// The indexes `<prefix>clients`, `<prefix>vehicles` and `<prefix>work_orders` of the
    /// configured server; records are read from `store`.
    pub fn new(config: &MeilisearchConfig, store: EventStore) -> Result<Self, ProjectionError> {
        let client = MeiliClient::new(config.url.trim_end_matches('/'), config.api_key.as_deref())
            .map_err(|e| ProjectionError::Inconsistent(format!("MEILI_URL {}: {e}", config.url)))?;
        Ok(Self {
            client,
            store,
            prefix: config.prefix.clone(),
            suffix: String::new(),
        })
    }

    /// The same indexes under other names, beside the live ones, for a rebuild.
    pub fn beside(&self) -> Self {
        Self {
            suffix: format!("{}__next", self.suffix),
            ..self.clone()
        }
    }

    /// The Meilisearch client, for searching.
    pub fn client(&self) -> &MeiliClient {
        &self.client
    }

    /// The name of one of the indexes.
    pub fn index_uid(&self, kind: SearchKind) -> String {
        format!("{}{}{}", self.prefix, kind.name(), self.suffix)
    }

    /// Waits for a task: `Ok(Err(..))` is Meilisearch's reason for failing it.
    async fn outcome(
        &self,
        task: TaskInfo,
    ) -> Result<Result<(), MeilisearchError>, ProjectionError> {
        let task = task
            .wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_PATIENCE))
            .await
            .map_err(meili_error)?;
        Ok(match task {
            Task::Failed { content } => Err(content.error),
            _ => Ok(()),
        })
    }

    /// Waits for a task that must succeed.
    async fn finished(&self, task: TaskInfo) -> Result<(), ProjectionError> {
        self.outcome(task)
            .await?
            .map_err(|e| meili_error(MeiliError::Meilisearch(e)))
    }

    /// Creates the indexes where they are missing and gives them their settings; idempotent, and how
    /// a server that was down when the sink started gets its indexes.
    pub async fn create_indexes(&self) -> Result<(), ProjectionError> {
        for kind in SearchKind::ALL {
            let uid = self.index_uid(kind);
            let created = self
                .client
                .create_index(&uid, Some(PRIMARY_KEY))
                .await
                .map_err(meili_error)?;
            match self.outcome(created).await? {
                Err(e) if e.error_code != ErrorCode::IndexAlreadyExists => {
                    return Err(meili_error(MeiliError::Meilisearch(e)))
                }
                _ => {}
            }
            let settings = self
                .client
                .index(&uid)
                .set_settings(&kind.settings())
                .await
                .map_err(meili_error)?;
            self.finished(settings).await?;
        }
        Ok(())
    }

    /// Deletes the indexes (a rebuild's beside set when it is done).
    pub async fn delete_indexes(&self) -> Result<(), ProjectionError> {
        for kind in SearchKind::ALL {
            let deleted = self
                .client
                .delete_index(self.index_uid(kind))
                .await
                .map_err(meili_error)?;
            match self.outcome(deleted).await? {
                Err(e) if e.error_code != ErrorCode::IndexNotFound => {
                    return Err(meili_error(MeiliError::Meilisearch(e)))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Puts `next`'s indexes in place of these in one swap (Meilisearch swaps every pair of a request
    /// at once or none), then deletes the old ones, which the swap left under `next`'s names.
    pub async fn swap_in(&self, next: &Self) -> Result<(), ProjectionError> {
        let pairs: Vec<SwapIndexes> = SearchKind::ALL
            .into_iter()
            .map(|kind| SwapIndexes {
                indexes: (self.index_uid(kind), next.index_uid(kind)),
                rename: None,
            })
            .collect();
        let swapped = self
            .client
            .swap_indexes(&pairs)
            .await
            .map_err(meili_error)?;
        self.finished(swapped).await?;
        next.delete_indexes().await
    }

    /// How many documents the indexes hold.
    pub async fn document_count(&self) -> Result<u64, ProjectionError> {
        let mut count = 0;
        for kind in SearchKind::ALL {
            let stats = self
                .client
                .index(self.index_uid(kind))
                .get_stats()
                .await
                .map_err(meili_error)?;
            count += stats.number_of_documents as u64;
        }
        Ok(count)
    }

    /// The documents of the records a batch touched, by index, each folded from its whole stream.
    async fn documents(
        &self,
        events: &[&RecordedEvent],
    ) -> Result<BTreeMap<SearchKind, Vec<serde_json::Value>>, ProjectionError> {
        let mut touched: BTreeMap<SearchKind, BTreeSet<String>> = BTreeMap::new();
        for event in events {
            if let Some(kind) = SearchKind::of_stream(&event.stream.stream_type) {
                touched
                    .entry(kind)
                    .or_default()
                    .insert(event.stream.id.clone());
            }
        }
        let mut documents = BTreeMap::new();
        for (kind, ids) in touched {
            let ids: Vec<String> = ids.into_iter().collect();
            let history = self.store.read_streams(kind.stream_type(), &ids).await?;
            let mut of_kind = Vec::with_capacity(ids.len());
            for stream in history.chunk_by(|a, b| a.stream.id == b.stream.id) {
                let id = Uuid::parse_str(&stream[0].stream.id).map_err(|_| {
                    ProjectionError::Inconsistent(format!("stream id {}", stream[0].stream))
                })?;
                if let Some(document) = document(kind, id, stream)? {
                    of_kind.push(document);
                }
            }
            documents.insert(kind, of_kind);
        }
        Ok(documents)
    }
}

impl Sink for MeilisearchIndexes {
    const NAME: &'static str = "meilisearch";
    const VERSION: u32 = 1;
    const IN_FLIGHT: usize = IN_FLIGHT;

    /// The batch's tasks, one per index it touched.
    type Pending = Vec<TaskInfo>;
    type Event = RecordedEvent;

    fn handles(&self, event: &RecordedEvent) -> bool {
        SearchKind::of_stream(&event.stream.stream_type).is_some()
    }

    async fn deliver(&self, events: &[&RecordedEvent]) -> Result<Vec<TaskInfo>, ProjectionError> {
        let mut tasks = Vec::new();
        for (kind, documents) in self.documents(events).await? {
            if documents.is_empty() {
                continue;
            }
            let task = self
                .client
                .index(self.index_uid(kind))
                .add_or_replace(&documents, Some(PRIMARY_KEY))
                .await
                .map_err(meili_error)?;
            tasks.push(task);
        }
        Ok(tasks)
    }

    async fn settle(&self, tasks: &Vec<TaskInfo>) -> Result<(), ProjectionError> {
        for task in tasks {
            let task = self
                .client
                .wait_for_task(task, Some(TASK_POLL), Some(TASK_PATIENCE))
                .await
                .map_err(meili_error)?;
            if let Task::Failed { content } = task {
                return Err(meili_error(MeiliError::Meilisearch(content.error)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_and_prefixes_cover_what_the_postgresql_search_matches() {
        assert_eq!(
            tails("79161234567", 4).first().map(String::as_str),
            Some("79161234567")
        );
        assert_eq!(
            tails("79161234567", 4).last().map(String::as_str),
            Some("4567")
        );
        assert_eq!(tails("79161234567", 4).len(), 8);
        assert!(tails("123", 4).is_empty());
        assert_eq!(prefixes("А123"), vec!["А", "А1", "А12", "А123"]);
        assert_eq!(plate_number("А123ВС77").as_deref(), Some("123"));
        assert_eq!(plate_number("АВ12377"), None);
        assert_eq!(filter_value(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
