//! Ended sessions refuse their access tokens at once, at every instance; and no employee sends more
//! requests than the APIs take.
//!
//! An access token lives ten minutes and is checked without asking anyone; so that logout, "end all
//! sessions", a password change or reset, a deactivation or a reused refresh token stop it at the
//! next request, every request asks Redis whether its session (`sid`) is in the set of ended ones.
//! The same round trip counts the employee's requests of this minute ([`SessionGuard::admit`]).
//!
//! PostgreSQL (`auth.session_families.revoked_at`) is the source of truth; Redis holds each ended
//! session for the access token's lifetime plus a minute, after which no token of it can be valid.
//! What happens when Redis is not all there:
//! - **Redis down**: the session is checked in PostgreSQL instead (one indexed row), so a revoked token
//!   is still refused; the rate limit is not counted meanwhile (it guards cost, not access). Only
//!   when PostgreSQL fails too is the answer 503 `unavailable`, never a 500 and never a pass.
//! - **Redis restarted empty**: the set is trusted only while the `revocations:primed` marker exists.
//!   Whichever instance finds it missing answers that request from PostgreSQL and copies the recently
//!   ended sessions into Redis before setting the marker again (it lives [`PRIMED_FOR`], so this
//!   repeats twice a minute at most, across all instances).
//! - **A revocation while Redis is down**: the database is written first; the Redis write is retried
//!   in the background until it lands or the tokens it guards have expired. Should that instance die
//!   first, the next priming (within [`PRIMED_FOR`]) adds the session.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::PgPool;
use uuid::Uuid;

use crate::shared::SharedStore;
use crate::{AuthConfig, AuthError};

/// How long after an access token's expiry an ended session stays in the set (clock skew, leeway).
const SLACK: Duration = Duration::from_secs(60);
/// How long the set is trusted before the recently ended sessions are copied in again.
pub const PRIMED_FOR: Duration = Duration::from_secs(30);
/// The rate limit's window.
const RATE_WINDOW_S: u64 = 60;
/// How often a Redis write that failed is tried again.
const RETRY_EVERY: Duration = Duration::from_millis(250);

/// The revocation set and the per-employee rate limit.
#[derive(Debug)]
pub struct SessionGuard {
    shared: SharedStore,
    pool: PgPool,
    remember_for: Duration,
    requests_per_minute: u32,
}

impl SessionGuard {
    /// The guard over the Redis of `config` and the sessions in `pool`'s auth schema.
    pub fn new(pool: PgPool, config: &AuthConfig) -> Result<Self, AuthError> {
        Ok(Self {
            shared: SharedStore::connect(&config.redis_url, &config.redis_prefix)?,
            pool,
            remember_for: config.access_ttl + SLACK,
            requests_per_minute: config.requests_per_minute,
        })
    }

    /// The shared store this guard uses (the login throttle counts there too).
    pub fn shared(&self) -> &SharedStore {
        &self.shared
    }

    fn revoked_key(&self, session: Uuid) -> String {
        self.shared.key(&format!("revoked:{session}"))
    }

    /// Lets a request of `session` by `employee` through, or refuses it: `SessionRevoked` for an ended
    /// session, `RateLimited` past the limit.
    pub async fn admit(&self, session: Uuid, employee: Uuid) -> Result<(), AuthError> {
        let now = unix_seconds();
        let rate_key = self
            .shared
            .key(&format!("rate:{employee}:{}", now / RATE_WINDOW_S));
        let mut pipe = redis::pipe();
        pipe.exists(self.revoked_key(session))
            .exists(self.shared.key("revocations:primed"))
            .incr(&rate_key, 1)
            .expire(&rate_key, 2 * RATE_WINDOW_S as i64)
            .ignore();
        let answer: Result<(bool, bool, u64), _> =
            pipe.query_async(&mut self.shared.connection()).await;
        match answer {
            Ok((true, _, _)) => return Err(AuthError::SessionRevoked),
            Ok((false, primed, requests)) => {
                if !primed {
                    self.check_in_database(session).await?;
                    if let Err(error) = self.prime().await {
                        tracing::warn!(%error, "could not copy ended sessions into Redis");
                    }
                }
                let limit = u64::from(self.requests_per_minute);
                if limit > 0 && requests > limit {
                    let retry_after_s = RATE_WINDOW_S - now % RATE_WINDOW_S;
                    metrics::counter!("motorlog_rate_limited_total").increment(1);
                    return Err(AuthError::RateLimited {
                        retry_after_s: i64::try_from(retry_after_s).unwrap_or(60),
                    });
                }
            }
            Err(error) => {
                tracing::warn!(%error, "Redis does not answer: checking the session in PostgreSQL");
                metrics::counter!("motorlog_revocation_fallbacks_total").increment(1);
                self.check_in_database(session).await?;
            }
        }
        Ok(())
    }

    /// The source of truth: a session that is not there or has ended is refused.
    async fn check_in_database(&self, session: Uuid) -> Result<(), AuthError> {
        let revoked = sqlx::query_scalar!(
            r#"SELECT revoked_at IS NOT NULL AS "revoked!" FROM auth.session_families
                WHERE family_id = $1"#,
            session,
        )
        .fetch_optional(&self.pool)
        .await?;
        match revoked {
            Some(false) => Ok(()),
            _ => Err(AuthError::SessionRevoked),
        }
    }

    /// Copies the sessions ended within the tokens' lifetime into Redis, then marks the set whole.
    async fn prime(&self) -> Result<(), AuthError> {
        let ended = sqlx::query_scalar!(
            "SELECT family_id FROM auth.session_families
              WHERE revoked_at > now() - make_interval(secs => $1)",
            self.remember_for.as_secs_f64(),
        )
        .fetch_all(&self.pool)
        .await?;
        let mut pipe = redis::pipe();
        for session in ended {
            pipe.set_ex(self.revoked_key(session), 1, self.remember_for.as_secs())
                .ignore();
        }
        pipe.set_ex(
            self.shared.key("revocations:primed"),
            1,
            PRIMED_FOR.as_secs(),
        )
        .ignore();
        pipe.query_async::<()>(&mut self.shared.connection())
            .await?;
        Ok(())
    }

    /// Adds ended sessions to the set, after the database recorded them. A failed write is retried in
    /// the background until the sessions' tokens have expired; the caller's answer does not wait.
    pub async fn revoke(&self, sessions: &[Uuid]) {
        if sessions.is_empty() {
            return;
        }
        let keys: Vec<String> = sessions.iter().map(|s| self.revoked_key(*s)).collect();
        let seconds = self.remember_for.as_secs();
        let Err(error) = write(&self.shared, &keys, seconds).await else {
            return;
        };
        tracing::warn!(%error, "Redis did not take the ended sessions; retrying in the background");
        let shared = self.shared.clone();
        let deadline = tokio::time::Instant::now() + self.remember_for;
        tokio::spawn(async move {
            while tokio::time::Instant::now() < deadline {
                tokio::time::sleep(RETRY_EVERY).await;
                if write(&shared, &keys, seconds).await.is_ok() {
                    return;
                }
            }
        });
    }
}

async fn write(shared: &SharedStore, keys: &[String], seconds: u64) -> redis::RedisResult<()> {
    let mut pipe = redis::pipe();
    for key in keys {
        pipe.set_ex(key, 1, seconds).ignore();
    }
    pipe.query_async(&mut shared.connection()).await
}

/// Seconds since the Unix epoch (the rate limit's windows are aligned to the minute everywhere).
pub(crate) fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
