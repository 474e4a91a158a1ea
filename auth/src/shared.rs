//! Redis: the state every instance of every service shares and must see at once — the set of
//! ended sessions ([`crate::revocation`]), the login throttle's counters ([`crate::throttle`]) and the
//! per-employee request counts.
//!
//! PostgreSQL stays the source of truth for sessions; Redis only makes "has this session ended?"
//! cheap enough to ask on every request, and makes counters atomic across instances. Every key
//! starts with the configured prefix, so services of one shop agree on them and parallel tests never
//! touch each other's.
//!
//! The connection is made lazily and re-made after a failure, each try bounded by short timeouts: a
//! Redis that is down costs a request a few hundred milliseconds at most, never a hang.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::AuthError;

/// How long connecting to Redis may take before the caller falls back or gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(300);
/// How long one command may take.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);

/// A handle on the shared Redis, with the key prefix; cheap to clone.
#[derive(Clone)]
pub struct SharedStore {
    connection: ConnectionManager,
    prefix: Arc<str>,
}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl SharedStore {
    /// A handle on the Redis at `url` (connected on first use); must be called inside the Tokio
    /// runtime. Fails only for a URL that is not one.
    pub fn connect(url: &str, prefix: &str) -> Result<Self, AuthError> {
        let client = redis::Client::open(url)
            .map_err(|e| AuthError::Internal(format!("REDIS_URL {url:?}: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(100));
        let connection = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self {
            connection,
            prefix: prefix.into(),
        })
    }

    /// The full key of `name`.
    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A connection to send commands on (a clone of the one multiplexed connection).
    pub fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }
}
