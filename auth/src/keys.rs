//! RS256 signing keys: generated here, kept in `auth.signing_keys`, published as a JWKS.
//!
//! A private key is stored only wrapped under the master keys (the personal data key store's
//! envelope scheme, bound to the key's id): whoever reads the table, a dump or a backup cannot
//! sign tokens without the master keys, which are never in the database. [`prepare`] wraps keys
//! stored before that, and re-wraps them when the master key is rotated.
//!
//! The newest active, unretired key signs. Rotation publishes a new key at once and lets it sign only
//! after [`ACTIVATION_DELAY`], longer than a verifier's shortest reload interval, so no verifier meets a
//! token from a key it could not have loaded. The old key signs until then and stays published until
//! every token it signed has expired, so verifiers never reject a live token.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::EncodingKey;
use personal_data::{MasterKeys, PersonalDataError, WrappedKey, Zeroizing};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::AuthError;

/// How long after a rotation the new key starts signing.
pub const ACTIVATION_DELAY: Duration = Duration::from_secs(2);

/// The key that signs new access tokens.
#[derive(Clone)]
pub struct ActiveKey {
    /// Its id, put in every token's `kid` header.
    pub kid: String,
    /// The private key.
    pub encoding: EncodingKey,
}

/// One public key of the JWKS (RFC 7517).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Jwk {
    /// Key type: RSA.
    pub kty: &'static str,
    /// Use: signatures.
    #[serde(rename = "use")]
    pub use_: &'static str,
    /// The only algorithm this key is for.
    pub alg: &'static str,
    /// Key id.
    pub kid: String,
    /// Modulus, base64url.
    pub n: String,
    /// Exponent, base64url.
    pub e: String,
}

/// The published key set.
#[derive(Debug, Clone, Serialize)]
pub struct Jwks {
    /// The keys a token may be signed with now.
    pub keys: Vec<Jwk>,
}

/// What every signing key's wrapped private half is bound to: moved to another key's row, it
/// does not unwrap.
fn label(kid: &str) -> String {
    format!("auth/signing-key/{kid}")
}

/// Why the service cannot use its signing keys with the master keys it was given: said at start,
/// before it listens.
fn master_key_refused(kid: &str, error: &PersonalDataError) -> AuthError {
    AuthError::Internal(format!(
        "signing key {kid}: {error}. The auth service needs the master keys its signing keys \
         were wrapped under ({} or {}; a rotated-out key stays in the file as a previous key until \
         `motorlog-auth rewrap-keys` has run)",
        personal_data::master::FILE_VARIABLE,
        personal_data::master::KEY_VARIABLE,
    ))
}

/// Generates a 2048-bit RSA key that signs from `activation_delay` on, its private half wrapped
/// under the current master key.
pub async fn generate(
    pool: &PgPool,
    masters: &MasterKeys,
    activation_delay: Duration,
) -> Result<String, AuthError> {
    let key = tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048))
        .await
        .map_err(|e| AuthError::Internal(e.to_string()))?
        .map_err(|e| AuthError::Internal(format!("RSA key generation: {e}")))?;
    let der = key
        .to_pkcs1_der()
        .map_err(|e| AuthError::Internal(format!("RSA key encoding: {e}")))?;
    let public = key.to_public_key();
    let kid = Uuid::now_v7().to_string();
    let wrapped = masters
        .wrap_secret(&label(&kid), der.as_bytes())
        .map_err(|e| master_key_refused(&kid, &e))?;
    sqlx::query!(
        "INSERT INTO auth.signing_keys
                (kid, master_key_id, wrapped_private_key, wrapped_at, modulus, exponent, activates_at)
         VALUES ($1, $2, $3, now(), $4, $5, now() + make_interval(secs => $6))",
        kid,
        wrapped.master_key_id,
        wrapped.bytes,
        URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        activation_delay.as_secs_f64(),
    )
    .execute(pool)
    .await?;
    Ok(kid)
}

/// A stored key's private half: unwrapped, or (a key [`prepare`] has not wrapped yet, e.g. made
/// by an older instance during a rolling upgrade) as it was stored.
fn private_der(
    masters: &MasterKeys,
    kid: &str,
    master_key_id: Option<String>,
    wrapped: Option<Vec<u8>>,
    clear: Option<Vec<u8>>,
) -> Result<Zeroizing<Vec<u8>>, AuthError> {
    match (master_key_id, wrapped, clear) {
        (Some(master_key_id), Some(bytes), _) => masters
            .unwrap_secret(
                &label(kid),
                &WrappedKey {
                    master_key_id,
                    bytes,
                },
            )
            .map_err(|e| master_key_refused(kid, &e)),
        (_, _, Some(der)) => Ok(Zeroizing::new(der)),
        _ => Err(AuthError::Internal(format!(
            "signing key {kid} has no private key stored"
        ))),
    }
}

/// The key that signs now, generating the very first one (active at once) if there is none.
pub async fn active(pool: &PgPool, masters: &MasterKeys) -> Result<ActiveKey, AuthError> {
    let newest = sqlx::query!(
        "SELECT kid, master_key_id, wrapped_private_key, private_key_der FROM auth.signing_keys
          WHERE activates_at <= now() AND (retired_at IS NULL OR retired_at > now())
          ORDER BY activates_at DESC, kid DESC LIMIT 1"
    )
    .fetch_optional(pool)
    .await?;
    match newest {
        Some(row) => {
            let der = private_der(
                masters,
                &row.kid,
                row.master_key_id,
                row.wrapped_private_key,
                row.private_key_der,
            )?;
            Ok(ActiveKey {
                encoding: EncodingKey::from_rsa_der(&der),
                kid: row.kid,
            })
        }
        None => {
            generate(pool, masters, Duration::ZERO).await?;
            Box::pin(active(pool, masters)).await
        }
    }
}

/// What [`prepare`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prepared {
    /// Keys found in the clear (stored before wrapping existed), now wrapped.
    pub wrapped: usize,
    /// Keys wrapped under a previous master key, now under the current one.
    pub rewrapped: usize,
    /// Keys checked to unwrap under the loaded master keys (all of them).
    pub checked: usize,
}

/// Makes every stored signing key usable and safe under `masters`, in one transaction: wraps the
/// keys still in the clear (emptying their clear column), re-wraps those under a previous master
/// key under the current one (a master key rotation), and checks that every key unwraps. Fails,
/// naming the key and the master key, when one does not: the service must not start with master
/// keys that cannot sign (a wrong key, a key missing from the file). The auth service runs it at
/// start; `motorlog-auth rewrap-keys` runs it alone after a rotation. Idempotent; concurrent
/// instances serialise on the rows' locks.
pub async fn prepare(pool: &PgPool, masters: &MasterKeys) -> Result<Prepared, AuthError> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query!(
        "SELECT kid, master_key_id, wrapped_private_key, private_key_der FROM auth.signing_keys
          ORDER BY kid
          FOR UPDATE"
    )
    .fetch_all(&mut *tx)
    .await?;
    let current = masters.current_id();
    let mut prepared = Prepared::default();
    for row in rows {
        let in_clear = row.private_key_der.is_some();
        let under_current = row.master_key_id.as_deref() == Some(current);
        let der = private_der(
            masters,
            &row.kid,
            row.master_key_id,
            row.wrapped_private_key,
            row.private_key_der,
        )?;
        // A private key that does not parse would fail only at the first token it signs.
        RsaPrivateKey::from_pkcs1_der(&der).map_err(|e| {
            AuthError::Internal(format!(
                "signing key {}: not a PKCS#1 RSA key: {e}",
                row.kid
            ))
        })?;
        prepared.checked += 1;
        if under_current && !in_clear {
            continue;
        }
        let wrapped = masters
            .wrap_secret(&label(&row.kid), &der)
            .map_err(|e| master_key_refused(&row.kid, &e))?;
        sqlx::query!(
            "UPDATE auth.signing_keys
                SET master_key_id = $2, wrapped_private_key = $3, wrapped_at = now(),
                    private_key_der = NULL
              WHERE kid = $1",
            row.kid,
            wrapped.master_key_id,
            wrapped.bytes,
        )
        .execute(&mut *tx)
        .await?;
        if in_clear {
            prepared.wrapped += 1;
        } else {
            prepared.rewrapped += 1;
        }
    }
    tx.commit().await?;
    if prepared.wrapped + prepared.rewrapped > 0 {
        tracing::info!(
            wrapped = prepared.wrapped,
            rewrapped = prepared.rewrapped,
            master_key_id = current,
            "signing keys wrapped under the current master key"
        );
    }
    Ok(prepared)
}

/// Publishes a new key that signs after [`ACTIVATION_DELAY`]; the current keys sign until then and
/// stay published for `publish_old_for` after it.
pub async fn rotate(
    pool: &PgPool,
    masters: &MasterKeys,
    publish_old_for: Duration,
) -> Result<String, AuthError> {
    let retire_in = ACTIVATION_DELAY.as_secs_f64();
    let publish_for = retire_in + publish_old_for.as_secs_f64();
    sqlx::query!(
        "UPDATE auth.signing_keys
            SET retired_at = now() + make_interval(secs => $1),
                publish_until = now() + make_interval(secs => $2)
          WHERE retired_at IS NULL",
        retire_in,
        publish_for,
    )
    .execute(pool)
    .await?;
    generate(pool, masters, ACTIVATION_DELAY).await
}

/// The JWKS: active keys and retired keys still inside their publication window.
pub async fn published(pool: &PgPool) -> Result<Jwks, AuthError> {
    let rows = sqlx::query!(
        "SELECT kid, modulus, exponent FROM auth.signing_keys
          WHERE retired_at IS NULL OR publish_until > now()
          ORDER BY created_at DESC"
    )
    .fetch_all(pool)
    .await?;
    Ok(Jwks {
        keys: rows
            .into_iter()
            .map(|row| Jwk {
                kty: "RSA",
                use_: "sig",
                alg: "RS256",
                kid: row.kid,
                n: row.modulus,
                e: row.exponent,
            })
            .collect(),
    })
}
