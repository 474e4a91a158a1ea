//! RS256 signing keys: generated here, kept in `auth.signing_keys`, published as a JWKS.
//!
//! The newest active, unretired key signs. Rotation publishes a new key at once and lets it sign only
//! after [`ACTIVATION_DELAY`], longer than a verifier's shortest reload interval, so no verifier meets a
//! token from a key it could not have loaded. The old key signs until then and stays published until
//! every token it signed has expired, so verifiers never reject a live token.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::EncodingKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
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

/// Generates a 2048-bit RSA key that signs from `activation_delay` on.
pub async fn generate(pool: &PgPool, activation_delay: Duration) -> Result<String, AuthError> {
    let key = tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048))
        .await
        .map_err(|e| AuthError::Internal(e.to_string()))?
        .map_err(|e| AuthError::Internal(format!("RSA key generation: {e}")))?;
    let der = key
        .to_pkcs1_der()
        .map_err(|e| AuthError::Internal(format!("RSA key encoding: {e}")))?;
    let public = key.to_public_key();
    let kid = Uuid::now_v7().to_string();
    sqlx::query!(
        "INSERT INTO auth.signing_keys (kid, private_key_der, modulus, exponent, activates_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))",
        kid,
        der.as_bytes(),
        URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        activation_delay.as_secs_f64(),
    )
    .execute(pool)
    .await?;
    Ok(kid)
}

/// The key that signs now, generating the very first one (active at once) if there is none.
pub async fn active(pool: &PgPool) -> Result<ActiveKey, AuthError> {
    let newest = sqlx::query!(
        "SELECT kid, private_key_der FROM auth.signing_keys
          WHERE activates_at <= now() AND (retired_at IS NULL OR retired_at > now())
          ORDER BY activates_at DESC, kid DESC LIMIT 1"
    )
    .fetch_optional(pool)
    .await?;
    match newest {
        Some(row) => Ok(ActiveKey {
            kid: row.kid,
            encoding: EncodingKey::from_rsa_der(&row.private_key_der),
        }),
        None => {
            generate(pool, Duration::ZERO).await?;
            Box::pin(active(pool)).await
        }
    }
}

/// Publishes a new key that signs after [`ACTIVATION_DELAY`]; the current keys sign until then and
/// stay published for `publish_old_for` after it.
pub async fn rotate(pool: &PgPool, publish_old_for: Duration) -> Result<String, AuthError> {
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
    generate(pool, ACTIVATION_DELAY).await
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
