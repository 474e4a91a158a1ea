//! Passwords: the policy, and argon2id hashing off the async workers.
//!
//! Policy (NIST SP 800-63B): 8 to 128 characters, no composition rules, and not one of the commonly
//! used passwords. Hashes are argon2id PHC strings with m = 19 MiB, t = 2, p = 1 (OWASP's minimum).
//! Hashing costs ~tens of milliseconds of CPU, so it runs on the blocking pool behind a semaphore the
//! size of the machine's cores: a login flood queues there instead of starving every other request.

use std::sync::Arc;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::AuthError;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 8;
/// The longest password accepted (long passphrases welcome).
pub const MAX_LENGTH: usize = 128;

const COMMON: &str = include_str!("common-passwords.txt");

/// Refuses a password that breaks the policy.
pub fn check_policy(password: &str) -> Result<(), AuthError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(AuthError::WeakPassword {
            reason: "shorter than 8 characters",
        });
    }
    if length > MAX_LENGTH {
        return Err(AuthError::WeakPassword {
            reason: "longer than 128 characters",
        });
    }
    let lowered = password.to_lowercase();
    if COMMON.lines().any(|common| common.trim() == lowered) {
        return Err(AuthError::WeakPassword {
            reason: "one of the most common passwords",
        });
    }
    Ok(())
}

fn argon2() -> Result<Argon2<'static>, AuthError> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| AuthError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes and verifies passwords on the blocking pool, a few at a time.
#[derive(Clone, Debug)]
pub struct PasswordHasherPool {
    permits: Arc<Semaphore>,
    /// Verified against when the login is unknown, so unknown and known logins take the same time.
    dummy_hash: Arc<str>,
}

impl PasswordHasherPool {
    /// A pool sized to the machine's cores.
    pub fn new() -> Result<Self, AuthError> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let salt = SaltString::generate(&mut OsRng);
        let dummy = argon2()?
            .hash_password(b"motorlog-timing-equaliser", &salt)
            .map_err(|e| AuthError::Internal(e.to_string()))?
            .to_string();
        Ok(Self {
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: dummy.into(),
        })
    }

    /// An argon2id PHC string for `password` (policy checked first).
    pub async fn hash(&self, password: &str) -> Result<String, AuthError> {
        check_policy(password)?;
        let password = password.to_owned();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()?
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| AuthError::Internal(e.to_string()))
        })
        .await
    }

    /// Whether `password` matches `hash`; with no hash, checks a dummy to take the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AuthError> {
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.to_owned();
        let matches = self
            .run(move || {
                let parsed =
                    PasswordHash::new(&hash).map_err(|e| AuthError::Internal(e.to_string()))?;
                Ok(argon2()?
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok())
            })
            .await?;
        Ok(known && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AuthError> + Send + 'static,
    ) -> Result<T, AuthError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AuthError::Internal("password pool closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AuthError::Internal(e.to_string()))?
    }
}
