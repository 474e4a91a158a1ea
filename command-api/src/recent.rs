//! Aggregates as this instance last wrote or read them, so a command usually decides without
//! reading the log first.
//!
//! A remembered copy is never trusted on its own word. For the command's own stream, the append's
//! expected version proves the copy current: a stale copy loses the race for the version like any
//! concurrent writer would, and the command is decided again on the log's state. A copy of another
//! record (the settings behind a rate, a mechanic on the staff) goes into the append as a
//! [`Premise`](event_store::Premise), refused if that stream moved. Only an append the log accepted
//! is answered from memory; any other outcome is decided again on the log (see
//! [`crate::pipeline::execute`]).
//!
//! A stream's version names its state exactly (the log is append-only and folding is pure), so
//! every copy is a true `(version, state)` pair, and a copy behind the log is a start for reading
//! its tail rather than the whole stream.
//!
//! Streams with personal data (a client, an order's approvals, the staff) are remembered for
//! [`PERSONAL_DATA_COPY_TTL`] at most: erasing a subject destroys their key without moving any
//! stream, so nothing tells a copy it now holds an erased name. The copy is in this process's
//! memory only, never stored or shown (snapshots, which are stored, are never taken of them), and
//! the instance that erases forgets every such copy at once.

use std::any::Any;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use aggregates::personal::stream_has_personal_data;
use aggregates::Versioned;
use event_store::StreamId;
use lru::LruCache;

/// How many aggregates an instance remembers: a shop's open orders, its settings and staff, with
/// room to spare; the least recently used are forgotten first.
pub const REMEMBERED_AGGREGATES: usize = 4096;
/// How long a copy of a stream with personal data is kept: an advisor's burst of edits to one
/// order, and no longer than the read models take to apply an erasure.
pub const PERSONAL_DATA_COPY_TTL: Duration = Duration::from_secs(10);

/// The remembered aggregates, of every type, by stream.
pub struct Recent {
    copies: Mutex<LruCache<StreamId, Copy>>,
}

/// One aggregate's state at a version.
struct Copy {
    version: u64,
    state: Arc<dyn Any + Send + Sync>,
    /// When a copy with personal data is forgotten.
    until: Option<Instant>,
}

impl Default for Recent {
    fn default() -> Self {
        Self::new(REMEMBERED_AGGREGATES)
    }
}

impl Recent {
    /// Remembers up to `capacity` aggregates (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            copies: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    fn copies(&self) -> MutexGuard<'_, LruCache<StreamId, Copy>> {
        // A panic while holding the lock left the map whole (every change is one call): go on.
        self.copies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The remembered copy of `stream`, if any (of type `A`).
    pub fn get<A: Clone + Send + Sync + 'static>(&self, stream: &StreamId) -> Option<Versioned<A>> {
        let copy = {
            let mut copies = self.copies();
            let copy = copies.get(stream)?;
            if copy.until.is_some_and(|until| until <= Instant::now()) {
                copies.pop(stream);
                return None;
            }
            (copy.version, Arc::clone(&copy.state))
        };
        let state = copy.1.downcast_ref::<A>()?.clone();
        Some(Versioned {
            version: copy.0,
            state,
        })
    }

    /// Remembers `state` of `stream`, unless a later version is remembered already.
    pub fn remember<A: Send + Sync + 'static>(&self, stream: &StreamId, state: Versioned<A>) {
        let until = stream_has_personal_data(&stream.stream_type)
            .then(|| Instant::now() + PERSONAL_DATA_COPY_TTL);
        let mut copies = self.copies();
        if copies
            .peek(stream)
            .is_some_and(|copy| copy.version > state.version)
        {
            return;
        }
        copies.put(
            stream.clone(),
            Copy {
                version: state.version,
                state: Arc::new(state.state),
                until,
            },
        );
    }

    /// Forgets every copy with personal data (after an erasure).
    pub fn forget_personal_data(&self) {
        let mut copies = self.copies();
        let personal: Vec<StreamId> = copies
            .iter()
            .filter(|(_, copy)| copy.until.is_some())
            .map(|(stream, _)| stream.clone())
            .collect();
        for stream in personal {
            copies.pop(&stream);
        }
    }

    /// How many aggregates are remembered.
    pub fn len(&self) -> usize {
        self.copies().len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(id: &str) -> StreamId {
        StreamId::new("work_order", id)
    }

    #[test]
    fn a_copy_is_given_back_at_its_version_and_only_as_its_own_type() {
        let recent = Recent::new(4);
        recent.remember(
            &stream("a"),
            Versioned {
                version: 3,
                state: 7_u32,
            },
        );
        assert_eq!(
            recent.get::<u32>(&stream("a")),
            Some(Versioned {
                version: 3,
                state: 7
            })
        );
        assert_eq!(recent.get::<u64>(&stream("a")), None);
        assert_eq!(recent.get::<u32>(&stream("b")), None);
    }

    #[test]
    fn an_older_copy_never_replaces_a_newer_one() {
        let recent = Recent::new(4);
        recent.remember(
            &stream("a"),
            Versioned {
                version: 5,
                state: 5_u32,
            },
        );
        recent.remember(
            &stream("a"),
            Versioned {
                version: 4,
                state: 4_u32,
            },
        );
        assert_eq!(recent.get::<u32>(&stream("a")).map(|c| c.version), Some(5));
        recent.remember(
            &stream("a"),
            Versioned {
                version: 6,
                state: 6_u32,
            },
        );
        assert_eq!(recent.get::<u32>(&stream("a")).map(|c| c.state), Some(6));
    }

    #[test]
    fn copies_with_personal_data_are_kept_briefly_and_forgotten_on_erasure() {
        let recent = Recent::new(4);
        let client = StreamId::new("client", "c");
        recent.remember(
            &client,
            Versioned {
                version: 1,
                state: 1_u32,
            },
        );
        recent.remember(
            &StreamId::new("settings", "main"),
            Versioned {
                version: 1,
                state: 2_u32,
            },
        );
        assert!(recent.get::<u32>(&client).is_some());
        recent.forget_personal_data();
        assert_eq!(recent.get::<u32>(&client), None);
        assert_eq!(recent.len(), 1, "the settings stay");

        // Past its time a copy is gone, though nothing else happened.
        recent.remember(
            &client,
            Versioned {
                version: 1,
                state: 1_u32,
            },
        );
        if let Some(copy) = recent.copies().get_mut(&client) {
            copy.until = Some(Instant::now());
        }
        assert_eq!(recent.get::<u32>(&client), None);
    }

    #[test]
    fn the_least_recently_used_is_forgotten_first() {
        let recent = Recent::new(2);
        recent.remember(
            &stream("a"),
            Versioned {
                version: 1,
                state: 1_u32,
            },
        );
        recent.remember(
            &stream("b"),
            Versioned {
                version: 1,
                state: 2_u32,
            },
        );
        recent.get::<u32>(&stream("a"));
        recent.remember(
            &stream("c"),
            Versioned {
                version: 1,
                state: 3_u32,
            },
        );
        assert!(recent.get::<u32>(&stream("a")).is_some());
        assert!(recent.get::<u32>(&stream("b")).is_none());
        assert_eq!(recent.len(), 2);
    }
}
