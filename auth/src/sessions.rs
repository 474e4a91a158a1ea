//! Login sessions and their refresh tokens.
//!
//! A login starts a family; each refresh uses the presented token up and returns the next one. A token
//! presented a second time means it was stolen or replayed: the whole family is revoked and the reuse
//! is written to the security log. Tokens expire when unused for the idle timeout, and the family at its
//! absolute lifetime. Logout ends one family; a password change, a deactivation or "end all sessions"
//! ends every family of the employee at once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::revocation::SessionGuard;
use crate::{AuthConfig, AuthError};

/// A refresh token as handed to the client, and the session it belongs to.
#[derive(Debug, Clone)]
pub struct IssuedRefresh {
    /// The token: 256 random bits, base64url.
    pub token: String,
    /// The session (family).
    pub family_id: Uuid,
    /// The employee.
    pub employee_id: Uuid,
    /// When this token expires if unused.
    pub expires_at: DateTime<Utc>,
    /// When the family ends however active it is (the login's absolute lifetime): a browser's
    /// refresh cookie lives until then.
    pub family_expires_at: DateTime<Utc>,
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn seconds(duration: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// Stores a refresh token (its hash only) in a family.
async fn insert_token(
    tx: &mut sqlx::PgConnection,
    token: &str,
    family_id: Uuid,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), AuthError> {
    sqlx::query!(
        "INSERT INTO auth.refresh_tokens (token_hash, family_id, issued_at, idle_expires_at)
         VALUES ($1, $2, $3, $4)",
        hash(token),
        family_id,
        issued_at,
        expires_at,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Records a security event (reuse, lock-out, revocation, key rotation).
pub async fn security_event(
    executor: impl sqlx::PgExecutor<'_>,
    kind: &str,
    employee_id: Option<Uuid>,
    address: Option<&str>,
    details: serde_json::Value,
) -> Result<(), AuthError> {
    tracing::warn!(kind, ?employee_id, address, %details, "security event");
    sqlx::query!(
        "INSERT INTO auth.security_events (kind, employee_id, address, details) VALUES ($1, $2, $3, $4)",
        kind,
        employee_id,
        address,
        details,
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// Starts a session for an employee who just logged in.
pub async fn start(
    pool: &PgPool,
    config: &AuthConfig,
    employee_id: Uuid,
) -> Result<IssuedRefresh, AuthError> {
    let now = Utc::now();
    let family_id = Uuid::now_v7();
    let family_expires = now + seconds(config.refresh_absolute);
    let token = new_token();
    let expires_at = (now + seconds(config.refresh_idle)).min(family_expires);
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO auth.session_families (family_id, employee_id, started_at, expires_at)
         VALUES ($1, $2, $3, $4)",
        family_id,
        employee_id,
        now,
        family_expires,
    )
    .execute(&mut *tx)
    .await?;
    insert_token(&mut tx, &token, family_id, now, expires_at).await?;
    tx.commit().await?;
    Ok(IssuedRefresh {
        token,
        family_id,
        employee_id,
        expires_at,
        family_expires_at: family_expires,
    })
}

/// Uses up a refresh token and returns the next one of its family.
///
/// `still_allowed` is asked whether the employee may still work (active); if not, every session of
/// theirs ends.
pub async fn rotate(
    pool: &PgPool,
    guard: &SessionGuard,
    config: &AuthConfig,
    presented: &str,
    still_allowed: impl FnOnce(Uuid) -> bool,
) -> Result<IssuedRefresh, AuthError> {
    let now = Utc::now();
    let mut tx = pool.begin().await?;
    // The row lock serialises two refreshes with the same token: the second sees it used.
    let found = sqlx::query!(
        "SELECT t.family_id, t.idle_expires_at, t.used_at, f.employee_id, f.expires_at, f.revoked_at
           FROM auth.refresh_tokens t JOIN auth.session_families f USING (family_id)
          WHERE t.token_hash = $1
          FOR UPDATE OF t, f",
        hash(presented),
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(token) = found else {
        return Err(AuthError::InvalidRefreshToken);
    };
    if token.revoked_at.is_some() {
        return Err(AuthError::InvalidRefreshToken);
    }
    if token.used_at.is_some() {
        revoke_family_in(&mut tx, token.family_id, "refresh token reused").await?;
        security_event(
            &mut *tx,
            "refresh_token_reused",
            Some(token.employee_id),
            None,
            json!({ "family_id": token.family_id }),
        )
        .await?;
        tx.commit().await?;
        // Whoever holds the family's tokens (the thief or the owner) is out at the next request.
        guard.revoke(&[token.family_id]).await;
        return Err(AuthError::InvalidRefreshToken);
    }
    if token.idle_expires_at <= now || token.expires_at <= now {
        return Err(AuthError::InvalidRefreshToken);
    }
    if !still_allowed(token.employee_id) {
        tx.commit().await?;
        end_all(pool, guard, token.employee_id, "employee deactivated").await?;
        return Err(AuthError::InvalidRefreshToken);
    }
    sqlx::query!(
        "UPDATE auth.refresh_tokens SET used_at = $2 WHERE token_hash = $1",
        hash(presented),
        now,
    )
    .execute(&mut *tx)
    .await?;
    let next = new_token();
    let expires_at = (now + seconds(config.refresh_idle)).min(token.expires_at);
    insert_token(&mut tx, &next, token.family_id, now, expires_at).await?;
    tx.commit().await?;
    Ok(IssuedRefresh {
        token: next,
        family_id: token.family_id,
        employee_id: token.employee_id,
        expires_at,
        family_expires_at: token.expires_at,
    })
}

async fn revoke_family_in(
    tx: &mut sqlx::PgConnection,
    family_id: Uuid,
    reason: &str,
) -> Result<(), AuthError> {
    sqlx::query!(
        "UPDATE auth.session_families SET revoked_at = now(), revoked_reason = $2
          WHERE family_id = $1 AND revoked_at IS NULL",
        family_id,
        reason,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Ends the session a refresh token belongs to (logout), its access tokens included. Unknown
/// tokens are ignored.
pub async fn end_by_token(
    pool: &PgPool,
    guard: &SessionGuard,
    presented: &str,
) -> Result<(), AuthError> {
    let ended = sqlx::query_scalar!(
        "UPDATE auth.session_families SET revoked_at = now(), revoked_reason = 'logout'
          WHERE revoked_at IS NULL
            AND family_id = (SELECT family_id FROM auth.refresh_tokens WHERE token_hash = $1)
          RETURNING family_id",
        hash(presented),
    )
    .fetch_all(pool)
    .await?;
    guard.revoke(&ended).await;
    Ok(())
}

/// Ends every session of an employee, their access tokens included; returns how many were live.
pub async fn end_all(
    pool: &PgPool,
    guard: &SessionGuard,
    employee_id: Uuid,
    reason: &str,
) -> Result<u64, AuthError> {
    let mut tx = pool.begin().await?;
    let sessions = sqlx::query_scalar!(
        "UPDATE auth.session_families SET revoked_at = now(), revoked_reason = $2
          WHERE employee_id = $1 AND revoked_at IS NULL
          RETURNING family_id",
        employee_id,
        reason,
    )
    .fetch_all(&mut *tx)
    .await?;
    let ended = sessions.len() as u64;
    security_event(
        &mut *tx,
        "sessions_ended",
        Some(employee_id),
        None,
        json!({ "reason": reason, "sessions": ended }),
    )
    .await?;
    tx.commit().await?;
    guard.revoke(&sessions).await;
    Ok(ended)
}

/// Removes from the auth schema what identifies `employees`, whose personal data was erased:
/// ends their sessions (their access tokens included), deletes their password hashes (they never
/// log in again), and blanks the client addresses recorded with their security events. Keeps the
/// events themselves, under the employee's id alone, as the erasure record does: who was locked out
/// or reset when stays auditable. Idempotent; records one `personal_data_forgotten` security event
/// per employee it removed anything of, and returns how many.
pub async fn forget(
    pool: &PgPool,
    guard: &SessionGuard,
    employees: &[Uuid],
) -> Result<usize, AuthError> {
    let mut tx = pool.begin().await?;
    let sessions = sqlx::query!(
        "UPDATE auth.session_families SET revoked_at = now(), revoked_reason = 'personal data erased'
          WHERE employee_id = ANY($1) AND revoked_at IS NULL
          RETURNING family_id, employee_id",
        employees,
    )
    .fetch_all(&mut *tx)
    .await?;
    let credentials = sqlx::query_scalar!(
        "DELETE FROM auth.credentials WHERE employee_id = ANY($1) RETURNING employee_id",
        employees,
    )
    .fetch_all(&mut *tx)
    .await?;
    let addresses = sqlx::query_scalar!(
        r#"UPDATE auth.security_events SET address = NULL
            WHERE employee_id = ANY($1) AND address IS NOT NULL
            RETURNING employee_id AS "employee_id!""#,
        employees,
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut forgotten = 0;
    for &employee in employees {
        let ended = sessions
            .iter()
            .filter(|s| s.employee_id == employee)
            .count();
        let password = credentials.contains(&employee);
        let blanked = addresses.iter().filter(|a| **a == employee).count();
        if ended == 0 && !password && blanked == 0 {
            continue;
        }
        forgotten += 1;
        security_event(
            &mut *tx,
            "personal_data_forgotten",
            Some(employee),
            None,
            json!({ "sessions": ended, "password": password, "addresses": blanked }),
        )
        .await?;
    }
    tx.commit().await?;
    let families: Vec<Uuid> = sessions.iter().map(|s| s.family_id).collect();
    guard.revoke(&families).await;
    Ok(forgotten)
}
