//! The replay tool's work, apart from its command line: an auditor's [`history`] of one record with
//! the state after every event, the log's integrity check ([`verify`]), its [`stats`], and the copy
//! of a clear log into a sealed one ([`seal`]).

pub mod act;
pub mod history;
pub mod seal;
pub mod stats;
pub mod verify;

use aggregates::catalogue::CatalogueService;
use aggregates::client::Client;
use aggregates::directory::Directory;
use aggregates::invoice::Invoice;
use aggregates::role::Role;
use aggregates::settings::Settings;
use aggregates::staff::Staff;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::WorkOrder;
use aggregates::Aggregate;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// What stops the replay tool.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The log failed.
    #[error(transparent)]
    EventStore(#[from] event_store::EventStoreError),
    /// A read model or checkpoint could not be read.
    #[error(transparent)]
    Projection(#[from] projections::ProjectionError),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// `seal-log` refused: the source is not a clear log or the target not a new database.
    #[error("seal-log: {0}")]
    Seal(String),
    /// The stream is of a kind the domain does not know.
    #[error("unknown stream type {0}")]
    UnknownStreamType(String),
    /// An event of the stream does not decode or apply.
    #[error("{stream} v{version}: {reason}")]
    Undecodable {
        /// The stream.
        stream: String,
        /// The event's version.
        version: u64,
        /// What serde said.
        reason: String,
    },
}

/// An aggregate being folded from its events, whatever its type.
pub trait Fold {
    /// Applies one stored payload with the aggregate's own `evolve`.
    fn apply(&mut self, payload: &Value) -> Result<(), String>;
    /// The state so far, as JSON.
    fn state(&self) -> Value;
}

struct Folding<A>(A);

impl<A> Fold for Folding<A>
where
    A: Aggregate + Serialize,
    A::Event: DeserializeOwned,
{
    fn apply(&mut self, payload: &Value) -> Result<(), String> {
        let event: A::Event =
            <A::Event as serde::Deserialize>::deserialize(payload).map_err(|e| e.to_string())?;
        self.0 = std::mem::take(&mut self.0).evolve(&event);
        Ok(())
    }

    fn state(&self) -> Value {
        serde_json::to_value(&self.0).unwrap_or(Value::Null)
    }
}

fn decodes<A: Aggregate>(payload: &Value) -> Result<(), String>
where
    A::Event: DeserializeOwned,
{
    serde_json::from_value::<A::Event>(payload.clone())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn folding<A>() -> Box<dyn Fold>
where
    A: Aggregate + Serialize + 'static,
    A::Event: DeserializeOwned,
{
    Box::new(Folding(A::default()))
}

/// One kind of stream: its type, how to start folding it, and how to check one payload.
struct Kind {
    stream_type: &'static str,
    fold: fn() -> Box<dyn Fold>,
    decodes: fn(&Value) -> Result<(), String>,
}

macro_rules! kinds {
    ($($aggregate:ty),* $(,)?) => {
        [$(Kind {
            stream_type: <$aggregate as Aggregate>::STREAM_TYPE,
            fold: folding::<$aggregate>,
            decodes: decodes::<$aggregate>,
        }),*]
    };
}

/// Every aggregate of the domain: the one list the tool knows streams by.
fn kinds() -> [Kind; 9] {
    kinds!(
        Client,
        Vehicle,
        WorkOrder,
        Invoice,
        CatalogueService,
        Directory,
        Role,
        Settings,
        Staff,
    )
}

/// A fresh fold for streams of `stream_type`.
pub fn fold_for(stream_type: &str) -> Result<Box<dyn Fold>, ReplayError> {
    kinds()
        .into_iter()
        .find(|k| k.stream_type == stream_type)
        .map(|k| (k.fold)())
        .ok_or_else(|| ReplayError::UnknownStreamType(stream_type.to_owned()))
}

/// Whether the current code reads a stored payload of `stream_type`.
pub fn decodes_as(stream_type: &str, payload: &Value) -> Result<(), String> {
    let kind = kinds()
        .into_iter()
        .find(|k| k.stream_type == stream_type)
        .ok_or_else(|| format!("unknown stream type {stream_type}"))?;
    (kind.decodes)(payload)
}
