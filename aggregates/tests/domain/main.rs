//! The shop's rules, proven: value parsing tables, given/when/then scenarios per aggregate,
//! property tests of the invariants, and golden files that keep stored events readable forever.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod approval_link;
mod attachment;
mod bounds;
mod catalogue_directory_role;
mod client_vehicle;
mod golden;
mod invoice;
mod notification;
mod planning_bookings;
mod planning_resources;
mod properties;
mod settings_staff;
mod stock;
mod timesheet;
mod values;
mod work_order;

use aggregates::{Aggregate, DomainError, Versioned};
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

/// A fixed instant on the test day, `minute` minutes after 09:00 UTC.
pub fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute.into())
}

/// A deterministic id.
pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// Given these past events …
pub fn given<A: Aggregate>(events: Vec<A::Event>) -> Given<A> {
    Given {
        state: Versioned::from_events(&events),
    }
}

/// An aggregate's history, before a command.
pub struct Given<A: Aggregate> {
    state: Versioned<A>,
}

impl<A: Aggregate> Given<A> {
    /// … when this command is decided …
    pub fn when(self, command: A::Command) -> Then<A> {
        Then {
            result: self.state.state.decide(command),
        }
    }
}

/// The decision, to be checked.
pub struct Then<A: Aggregate> {
    result: Result<Vec<A::Event>, DomainError>,
}

impl<A: Aggregate> Then<A>
where
    A::Event: PartialEq + std::fmt::Debug,
{
    /// … then exactly these events.
    #[track_caller]
    pub fn then(self, expected: Vec<A::Event>) {
        match self.result {
            Ok(events) => assert_eq!(events, expected),
            Err(error) => panic!("expected events, got {} ({error})", error.code()),
        }
    }

    /// … then it is refused with this code.
    #[track_caller]
    pub fn then_err(self, code: &str) -> DomainError {
        match self.result {
            Ok(events) => panic!("expected {code}, got events {events:?}"),
            Err(error) => {
                assert_eq!(error.code(), code, "{error}");
                error
            }
        }
    }

    /// The events, for checks of their own.
    #[track_caller]
    pub fn events(self) -> Vec<A::Event> {
        match self.result {
            Ok(events) => events,
            Err(error) => panic!("expected events, got {} ({error})", error.code()),
        }
    }
}
