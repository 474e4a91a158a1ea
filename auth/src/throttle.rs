//! Login throttling per account and per address.
//!
//! A login takes a slot in both counters **before** the password is checked, in one atomic upsert
//! each, so N parallel guesses take N slots and at most the limit are ever checked. A successful login
//! gives its slots back.

use std::time::Duration;

use sqlx::PgPool;

use crate::AuthError;

/// The throttle key of an account (by the login as typed, so unknown logins are throttled alike).
pub fn account_key(login: &str) -> String {
    format!("account:{}", login.trim().to_lowercase())
}

/// The throttle key of a client address.
pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// Takes a slot for `key`; refuses with the seconds left when the window is full.
pub async fn take_slot(
    pool: &PgPool,
    key: &str,
    limit: i32,
    window: Duration,
) -> Result<(), AuthError> {
    let window_s = window.as_secs_f64();
    let row = sqlx::query!(
        r#"INSERT INTO auth.login_throttle AS t (key, attempts, window_started_at)
           VALUES ($1, 1, now())
           ON CONFLICT (key) DO UPDATE SET
               attempts = CASE WHEN t.window_started_at < now() - make_interval(secs => $2)
                               THEN 1 ELSE t.attempts + 1 END,
               window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $2)
                                        THEN now() ELSE t.window_started_at END
           RETURNING attempts,
                     ceil(extract(epoch FROM t.window_started_at + make_interval(secs => $2) - now()))::bigint
                         AS "retry_after_s!""#,
        key,
        window_s,
    )
    .fetch_one(pool)
    .await?;
    if row.attempts > limit {
        return Err(AuthError::TooManyAttempts {
            retry_after_s: row.retry_after_s.max(1),
        });
    }
    Ok(())
}

/// Gives back a slot after a successful login.
pub async fn give_back(pool: &PgPool, key: &str) -> Result<(), AuthError> {
    sqlx::query!(
        "UPDATE auth.login_throttle SET attempts = greatest(attempts - 1, 0) WHERE key = $1",
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Clears a key's attempts (an account after a successful login).
pub async fn reset(pool: &PgPool, key: &str) -> Result<(), AuthError> {
    sqlx::query!("DELETE FROM auth.login_throttle WHERE key = $1", key)
        .execute(pool)
        .await?;
    Ok(())
}
