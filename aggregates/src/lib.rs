//! The auto repair shop's rules, as pure functions.
//!
//! Each aggregate (a client, a vehicle, a work order, an invoice, …) is a state and two functions:
//! [`Aggregate::decide`] turns a command into events or refuses it with a [`DomainError`], and
//! [`Aggregate::evolve`] folds an event into the state. Nothing here does I/O, reads a clock or draws a
//! random number: times and ids come in with the commands, so every decision can be replayed.
//!
//! A rule that spans aggregates gets the other side's facts from the caller, as a value the other
//! aggregate computed ([`client::Client::standing`], [`work_order::WorkOrder::invoice_basis`]).
//!
//! Parts: [`part`] (the catalogue), [`supplier`], [`purchase_order`] (buying), [`stock`] (on hand,
//! reserved and on order per part and location; where the "last unit" race is decided) and
//! [`markup`] (the selling price from the purchase price).
#![warn(missing_docs)]

pub mod attachment;
pub mod bounds;
pub mod catalogue;
pub mod client;
pub mod contact;
pub mod directory;
pub mod document_texts;
mod error;
pub mod ids;
pub mod invoice;
pub mod money;
pub mod notification;
pub mod permission;
pub mod personal;
pub mod role;
pub mod settings;
pub mod staff;
pub mod vehicle;
pub mod vehicle_ids;
pub mod work_order;

pub mod markup;
pub mod part;
pub mod purchase_order;
pub mod stock;
pub mod supplier;

pub mod planning;
pub mod timesheet;

pub use error::{DomainError, ErrorKind};

/// An event of the domain: its name in the log and the version of its shape.
pub trait DomainEvent:
    serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static
{
    /// The name the log stores, e.g. `LabourLineAdded`.
    fn event_type(&self) -> &'static str;
    /// The version of this event's shape; raised (with an upcaster) whenever the shape changes.
    fn schema_version(&self) -> u32;
}

/// An aggregate: the state a stream's events fold into, and the rules that decide new events.
pub trait Aggregate: Default + Clone {
    /// The stream type in the log, e.g. `work_order`.
    const STREAM_TYPE: &'static str;
    /// What a person or process asks of it (a value: cloned to decide again after a lost race).
    type Command: Clone + Send + Sync + 'static;
    /// What happened to it.
    type Event: DomainEvent;

    /// Decides what a command does to this state: the events to record, or why not.
    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError>;

    /// The state after an event. Never fails: an event is a fact.
    fn evolve(self, event: &Self::Event) -> Self;
}

/// An aggregate's state with the stream version it was folded up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Versioned<A> {
    /// The number of events folded in.
    pub version: u64,
    /// The state after them.
    pub state: A,
}

impl<A: Aggregate> Versioned<A> {
    /// The state of a stream from its events.
    pub fn from_events<'e>(events: impl IntoIterator<Item = &'e A::Event>) -> Self
    where
        A::Event: 'e,
    {
        let mut versioned = Self::default();
        for event in events {
            versioned = versioned.apply(event);
        }
        versioned
    }

    /// The state after one more event.
    pub fn apply(self, event: &A::Event) -> Self {
        Self {
            version: self.version + 1,
            state: self.state.evolve(event),
        }
    }

    /// Decides a command and returns the events with the state they lead to.
    pub fn execute(self, command: A::Command) -> Result<(Vec<A::Event>, Self), DomainError> {
        let events = self.state.decide(command)?;
        let next = events.iter().fold(self, Versioned::apply);
        Ok((events, next))
    }
}

/// A creating command needs a new record; every other command needs an existing one.
pub(crate) fn check_existence(
    creating: bool,
    exists: bool,
    what: &'static str,
) -> Result<(), DomainError> {
    match (creating, exists) {
        (true, true) => Err(DomainError::AlreadyExists { what }),
        (false, false) => Err(DomainError::NotFound { what }),
        _ => Ok(()),
    }
}

/// Refuses blank text for a named field; returns it trimmed.
pub(crate) fn required_text(
    value: &str,
    field: &'static str,
    max: usize,
) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::Required { field });
    }
    if trimmed.chars().count() > max {
        return Err(DomainError::TooLong { field, max });
    }
    Ok(trimmed.to_owned())
}
