//! How every Motorlog service's pool hands out connections.
//!
//! sqlx by default pings a connection each time it leaves the pool: a second round trip beside
//! every statement, which on the command path (one append per command) cost as much as the
//! append itself. A connection in steady use has just proven itself, so only one that sat idle
//! for [`PING_AFTER_IDLE`] is pinged before it is used: after a quiet spell it may have been
//! closed by a restarted server, and a failed ping hands out another connection instead of
//! failing the request.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::Connection;

/// A connection idle at least this long is pinged before use.
pub const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The pool options every service and test starts from (add the size and timeouts).
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
}
