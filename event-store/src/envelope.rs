//! The shapes an event takes on its way into the log and back out of it.
//!
//! These types know nothing about any aggregate: the payload is JSON produced by the domain's serde
//! enums, and the store only adds what the log needs (stream, version, position, metadata).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::EventStoreError;

/// A stream a decision rested on, at the version it was read: an append carrying it as a premise
/// is refused with [`crate::EventStoreError::PremiseMoved`] when that stream has moved since, so a
/// writer may decide from a copy it remembers and let the append itself prove the copy current
/// (the staff and roles behind a permission, the settings behind a rate), at no extra round trip.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Premise {
    /// The stream read.
    pub stream: StreamId,
    /// Its version when read (0: it had no events).
    pub version: u64,
}

/// The identity of one aggregate's stream: its type (`work_order`) and its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StreamId {
    /// The aggregate type, e.g. `work_order` or `invoice`.
    pub stream_type: String,
    /// The aggregate's id within its type.
    pub id: String,
}

impl StreamId {
    /// A stream id; the log refuses empty parts and over-long ones.
    pub fn new(stream_type: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            stream_type: stream_type.into(),
            id: id.into(),
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.stream_type, self.id)
    }
}

/// What the writer believes the stream's version is; the append fails unless it is so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// No check: append after whatever is there.
    Any,
    /// The stream must not exist yet (version 0).
    NoStream,
    /// The stream's last event must have exactly this version.
    Exact(u64),
}

impl ExpectedVersion {
    /// The version the log must hold before the append, if one is required.
    pub(crate) fn required(self) -> Option<u64> {
        match self {
            Self::Any => None,
            Self::NoStream => Some(0),
            Self::Exact(version) => Some(version),
        }
    }
}

/// Who caused an event and within which request; kept with every event forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The employee or system process that issued the command (e.g. `employee:<uuid>`).
    pub actor: String,
    /// Shared by everything one user action set off.
    pub correlation_id: Uuid,
    /// The command or event that directly caused this event.
    pub causation_id: Uuid,
    /// The command that produced this event, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<Uuid>,
}

impl Metadata {
    /// Metadata for an event a system process writes on its own behalf (a fresh correlation).
    pub fn system(actor: impl Into<String>) -> Self {
        let id = Uuid::now_v7();
        Self {
            actor: actor.into(),
            correlation_id: id,
            causation_id: id,
            command_id: None,
        }
    }
}

/// An event not yet in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Chosen by the writer (UUID v7), so a retried append is recognised as the same one.
    pub event_id: Uuid,
    /// The event's name in the domain, e.g. `LabourLineAdded`.
    pub event_type: String,
    /// The version of the payload's shape.
    pub schema_version: u32,
    /// The event's data.
    pub payload: Value,
    /// Actor, correlation and causation.
    pub metadata: Metadata,
}

impl NewEvent {
    /// A new event with a fresh UUID v7 id.
    pub fn new(
        event_type: impl Into<String>,
        schema_version: u32,
        payload: Value,
        metadata: Metadata,
    ) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            event_type: event_type.into(),
            schema_version,
            payload,
            metadata,
        }
    }
}

/// Where an event sits in the log's reading order: (transaction id, global position).
///
/// Subscribers checkpoint this pair, never the position alone: a transaction with a lower position
/// can commit after one with a higher position, and it is the transaction id that orders them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct LogPosition {
    /// The PostgreSQL transaction (xid8) that wrote the event.
    pub transaction_id: u64,
    /// The event's position from the log's sequence.
    pub global_position: u64,
}

impl LogPosition {
    /// Before the first event: `subscribe(LogPosition::START)` delivers the whole log.
    pub const START: LogPosition = LogPosition {
        transaction_id: 0,
        global_position: 0,
    };
}

impl fmt::Display for LogPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.transaction_id, self.global_position)
    }
}

impl FromStr for LogPosition {
    type Err = EventStoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || EventStoreError::InvalidPosition(s.to_owned());
        let (tx, position) = s.split_once(':').ok_or_else(invalid)?;
        Ok(Self {
            transaction_id: tx.parse().map_err(|_| invalid())?,
            global_position: position.parse().map_err(|_| invalid())?,
        })
    }
}

/// An event as the log holds it, its payload taken apart ([`RecordedEvent`]) or left as the JSON
/// text the database sent ([`crate::StoredEvent`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<P> {
    /// Its place in the subscribers' reading order.
    pub position: LogPosition,
    /// The id the writer gave it.
    pub event_id: Uuid,
    /// The stream it belongs to.
    pub stream: StreamId,
    /// Its version in the stream, from 1 without gaps.
    pub version: u64,
    /// The event's name in the domain.
    pub event_type: String,
    /// The payload's shape version, after upcasting: always the current one.
    pub schema_version: u32,
    /// The event's data, in the current shape.
    pub payload: P,
    /// Actor, correlation and causation.
    pub metadata: Metadata,
    /// When the log accepted it.
    pub recorded_at: DateTime<Utc>,
}

/// An event as the log holds it, its payload a JSON value.
pub type RecordedEvent = Envelope<Value>;

impl<P> Envelope<P> {
    /// The same event with its payload made another way (`how` fails only on a corrupt payload).
    pub(crate) fn with_payload<Q, E: fmt::Display>(
        self,
        how: impl FnOnce(P) -> Result<Q, E>,
    ) -> Result<Envelope<Q>, EventStoreError> {
        let position = self.position.global_position;
        let payload = how(self.payload).map_err(|e| EventStoreError::Corrupt {
            position: i64::try_from(position).unwrap_or(i64::MAX),
            reason: format!("payload: {e}"),
        })?;
        Ok(Envelope {
            position: self.position,
            event_id: self.event_id,
            stream: self.stream,
            version: self.version,
            event_type: self.event_type,
            schema_version: self.schema_version,
            payload,
            metadata: self.metadata,
            recorded_at: self.recorded_at,
        })
    }
}

/// Where one appended event landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendedEvent {
    /// The event's id.
    pub event_id: Uuid,
    /// Its version in the stream.
    pub version: u64,
    /// Its place in the log.
    pub position: LogPosition,
}

/// The answer to an append: the stream's new version and where each event landed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appended {
    /// The stream's version after the append: the expected version for the next one.
    pub stream_version: u64,
    /// The events in stream order.
    pub events: Vec<AppendedEvent>,
}

impl Appended {
    /// The highest log position written: the read-your-writes token a query can wait for.
    pub fn position(&self) -> LogPosition {
        self.events
            .iter()
            .map(|event| event.position)
            .max()
            .unwrap_or_default()
    }
}

/// A saved aggregate state, to skip replaying a long stream from its start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The stream the state was decided from.
    pub stream: StreamId,
    /// The last event folded into the state.
    pub version: u64,
    /// The state's shape version; a snapshot of another shape is ignored and rebuilt.
    pub schema_version: u32,
    /// The aggregate's state.
    pub state: Value,
}
