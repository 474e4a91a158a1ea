//! What every Motorlog API runs on every request: verify the access token against the published keys,
//! find the employee, and check the exact permission against their roles **as they are now**.
//!
//! Permissions are not trusted from the token: the token names the employee; their roles and what
//! the roles allow are read from the log (the `staff` and `role` streams). The directory re-reads a
//! stream only when its version moved, so the owner's change to a role applies to the next request and
//! an unchanged request costs one small query.
//!
//! Alongside, the token's session is checked against the set of ended sessions and the employee's
//! requests are counted ([`crate::revocation`]): one Redis round trip, run concurrently with the
//! directory's query.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aggregates::permission::Permission;
use aggregates::role::Role;
use aggregates::staff::{Employee, Staff};
use aggregates::{Aggregate, Versioned};
use event_store::{EventStore, Premise, StreamId};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use uuid::Uuid;

use crate::revocation::SessionGuard;
use crate::{keys, AuthConfig, AuthError};

/// The `typ` header of Motorlog access tokens (RFC 9068).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The employee.
    pub sub: Uuid,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// The token's own id.
    pub jti: Uuid,
    /// The login session (refresh family) it belongs to.
    pub sid: Uuid,
    /// The employee's roles when issued (informational: permissions are checked against current roles).
    pub roles: Vec<String>,
}

/// Verifies access tokens against the published keys, with RS256 pinned.
///
/// A token already verified is not verified again: a client sends one access token on every
/// request of its lifetime (minutes), and the RSA check is the whole cost of a verification
/// (`make bench-tokens`). The remembered verdict is keyed by the token's whole text, so a token
/// differing in one byte is checked afresh; it holds only while the token is unexpired and its
/// key is still published (the key set is re-read at least every [`KEY_MAX_AGE`], as for a token
/// seen the first time), so a remembered token ends with its key. Revocation is not the
/// verifier's: the session check runs on every request regardless.
pub struct TokenVerifier {
    pool: sqlx::PgPool,
    issuer: String,
    audience: String,
    keys: RwLock<(HashMap<String, DecodingKey>, Option<Instant>)>,
    verified: std::sync::Mutex<HashMap<String, Verified>>,
}

/// A token's claims once its signature checked, and the key that signed it.
#[derive(Clone)]
struct Verified {
    claims: AccessClaims,
    kid: String,
}

/// The most verified tokens remembered: about 10 MB at most. Past it the expired ones are
/// forgotten, and all of them if that is not enough (each is then verified again once).
const VERIFIED_CAPACITY: usize = 10_000;
/// Seconds a token's `exp` may be past, as for every check of it (`Validation::leeway`).
const LEEWAY: u64 = 5;

/// Whether claims are unexpired at `now` (Unix seconds) by `jsonwebtoken`'s own rule.
fn unexpired(claims: &AccessClaims, now: u64) -> bool {
    u64::try_from(claims.exp).is_ok_and(|exp| exp.saturating_add(LEEWAY) >= now)
}

/// How often an unknown `kid` may trigger a reload of the key set (shorter than
/// [`crate::keys::ACTIVATION_DELAY`], so a new key is always loadable before it signs).
const KEY_RELOAD_MIN_INTERVAL: Duration = Duration::from_secs(1);
/// The key set is re-read at least this often, so keys past their publication drop out.
const KEY_MAX_AGE: Duration = Duration::from_secs(60);

impl TokenVerifier {
    /// A verifier reading the key set from the auth schema of `pool`'s database.
    pub fn new(pool: sqlx::PgPool, issuer: &str, audience: &str) -> Self {
        Self {
            pool,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            keys: RwLock::new((HashMap::new(), None)),
            verified: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The remembered verdict on `token`, if it still holds: unexpired, its key still published.
    async fn remembered(&self, token: &str) -> Result<Option<AccessClaims>, AuthError> {
        let found = self.verified_tokens().get(token).cloned();
        let Some(found) = found else {
            return Ok(None);
        };
        let live = unexpired(&found.claims, jsonwebtoken::get_current_timestamp());
        if live && self.key(&found.kid).await?.is_some() {
            return Ok(Some(found.claims));
        }
        self.verified_tokens().remove(token);
        Err(AuthError::Unauthenticated)
    }

    fn remember(&self, token: &str, verified: Verified) {
        let mut tokens = self.verified_tokens();
        if tokens.len() >= VERIFIED_CAPACITY {
            let now = jsonwebtoken::get_current_timestamp();
            tokens.retain(|_, v| unexpired(&v.claims, now));
            if tokens.len() >= VERIFIED_CAPACITY {
                tokens.clear();
            }
        }
        tokens.insert(token.to_owned(), verified);
    }

    fn verified_tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, Verified>> {
        // A panic while holding it leaves only whole entries behind: the map is still sound.
        self.verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The claims of a valid token; any flaw (format, algorithm, type, key, signature, issuer,
    /// audience, expiry) is the same `Unauthenticated`.
    pub async fn verify(&self, token: &str) -> Result<AccessClaims, AuthError> {
        if let Some(claims) = self.remembered(token).await? {
            return Ok(claims);
        }
        // The header is read only to pick the key; `jku`, `x5u` and `jwk` in it are never followed.
        let header = decode_header(token).map_err(|_| AuthError::Unauthenticated)?;
        if header.alg != Algorithm::RS256 || header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(AuthError::Unauthenticated);
        }
        let kid = header.kid.ok_or(AuthError::Unauthenticated)?;
        let key = self.key(&kid).await?.ok_or(AuthError::Unauthenticated)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY;
        let claims = decode::<AccessClaims>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|_| AuthError::Unauthenticated)?;
        self.remember(
            token,
            Verified {
                claims: claims.clone(),
                kid,
            },
        );
        Ok(claims)
    }

    async fn key(&self, kid: &str) -> Result<Option<DecodingKey>, AuthError> {
        {
            let (keys, loaded) = &*self.keys.read().await;
            let fresh = loaded.is_some_and(|at| at.elapsed() < KEY_MAX_AGE);
            if let Some(key) = keys.get(kid).filter(|_| fresh) {
                return Ok(Some(key.clone()));
            }
        }
        let mut guard = self.keys.write().await;
        let age = guard.1.map(|loaded| loaded.elapsed());
        let reload = match age {
            None => true,
            Some(age) => {
                age >= KEY_MAX_AGE || (age >= KEY_RELOAD_MIN_INTERVAL && !guard.0.contains_key(kid))
            }
        };
        if reload {
            let jwks = keys::published(&self.pool).await?;
            let mut loaded = HashMap::new();
            for jwk in jwks.keys {
                let key = DecodingKey::from_rsa_components(&jwk.n, &jwk.e)
                    .map_err(|e| AuthError::Internal(format!("published key {}: {e}", jwk.kid)))?;
                loaded.insert(jwk.kid, key);
            }
            *guard = (loaded, Some(Instant::now()));
        }
        Ok(guard.0.get(kid).cloned())
    }
}

/// The staff and roles as the log says now.
#[derive(Debug, Clone, Default)]
pub struct AccessSnapshot {
    staff: Versioned<Staff>,
    roles: HashMap<String, Versioned<Role>>,
}

impl AccessSnapshot {
    /// The streams an employee's permissions were read from, at the versions read: the staff
    /// stream of `shop` and each of their roles.
    pub fn premises(&self, shop: &str, employee: &Employee) -> Vec<Premise> {
        let mut premises = vec![Premise {
            stream: StreamId::new(Staff::STREAM_TYPE, shop),
            version: self.staff.version,
        }];
        premises.extend(employee.roles.iter().map(|code| Premise {
            stream: StreamId::new(Role::STREAM_TYPE, code.as_str()),
            version: self.roles.get(code.as_str()).map_or(0, |role| role.version),
        }));
        premises
    }

    /// The employee with this id.
    pub fn employee(&self, employee_id: Uuid) -> Option<&Employee> {
        self.staff
            .state
            .employees
            .iter()
            .find(|e| e.employee_id.0 == employee_id)
    }

    /// The active employee whose login (e-mail, case-insensitive domain; or phone) this is.
    pub fn employee_by_login(&self, login: &str) -> Option<&Employee> {
        let email = aggregates::contact::Email::parse(login).ok();
        let phone = aggregates::contact::Phone::parse(login).ok();
        self.staff.state.employees.iter().find(|e| {
            e.active
                && ((email.is_some() && e.email == email) || (phone.is_some() && e.phone == phone))
        })
    }

    /// The employees whose personal data was erased.
    pub fn erased_employees(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.staff
            .state
            .employees
            .iter()
            .filter(|e| e.erased)
            .map(|e| e.employee_id.0)
    }

    /// What an employee's roles allow now (an inactive employee: nothing).
    pub fn permissions(&self, employee: &Employee) -> BTreeSet<Permission> {
        if !employee.active {
            return BTreeSet::new();
        }
        employee
            .roles
            .iter()
            .filter_map(|code| self.roles.get(code.as_str()))
            .flat_map(|role| {
                Permission::ALL
                    .iter()
                    .copied()
                    .filter(|p| role.state.allows(*p))
            })
            .collect()
    }
}

/// Employees and roles folded from the log, refreshed when their streams move.
pub struct AccessDirectory {
    store: EventStore,
    shop: String,
    cached: RwLock<Arc<AccessSnapshot>>,
}

impl AccessDirectory {
    /// A directory of `shop`'s staff.
    pub fn new(store: EventStore, shop: &str) -> Self {
        Self {
            store,
            shop: shop.to_owned(),
            cached: RwLock::new(Arc::new(AccessSnapshot::default())),
        }
    }

    /// The staff stream of this shop.
    pub fn staff_stream(&self) -> StreamId {
        StreamId::new(Staff::STREAM_TYPE, &self.shop)
    }

    /// The staff and roles as this instance last read them, without asking the log (read once
    /// first if never). A writer deciding on them must carry [`AccessSnapshot::premises`] into
    /// its append, which is refused if they have moved since.
    pub async fn remembered(&self) -> Result<Arc<AccessSnapshot>, AuthError> {
        let cached = Arc::clone(&*self.cached.read().await);
        if cached.staff.version == 0 {
            return self.current().await;
        }
        Ok(cached)
    }

    /// The current staff and roles: one query when nothing changed, the new events when it did.
    pub async fn current(&self) -> Result<Arc<AccessSnapshot>, AuthError> {
        let staff_stream = self.staff_stream();
        let versions = self
            .store
            .stream_versions(&[Staff::STREAM_TYPE, Role::STREAM_TYPE])
            .await?;
        let staff_version = versions
            .iter()
            .find(|(stream, _)| *stream == staff_stream)
            .map_or(0, |(_, version)| *version);
        let role_versions: Vec<(String, u64)> = versions
            .into_iter()
            .filter(|(stream, _)| stream.stream_type == Role::STREAM_TYPE)
            .map(|(stream, version)| (stream.id, version))
            .collect();
        let cached = Arc::clone(&*self.cached.read().await);
        let roles_current = role_versions.len() == cached.roles.len()
            && role_versions.iter().all(|(code, version)| {
                cached
                    .roles
                    .get(code)
                    .is_some_and(|r| r.version == *version)
            });
        if cached.staff.version == staff_version && roles_current {
            return Ok(cached);
        }
        let mut next = (*cached).clone();
        for event in self
            .store
            .read_stream(&self.staff_stream(), next.staff.version)
            .await?
        {
            let event = serde_json::from_value(event.payload)
                .map_err(|e| AuthError::Internal(format!("staff event: {e}")))?;
            next.staff = next.staff.apply(&event);
        }
        for (code, version) in role_versions {
            let role = next.roles.entry(code.clone()).or_default();
            if role.version == version {
                continue;
            }
            let stream = StreamId::new(Role::STREAM_TYPE, &code);
            for event in self.store.read_stream(&stream, role.version).await? {
                let event = serde_json::from_value(event.payload)
                    .map_err(|e| AuthError::Internal(format!("role event: {e}")))?;
                *role = std::mem::take(role).apply(&event);
            }
        }
        let next = Arc::new(next);
        *self.cached.write().await = Arc::clone(&next);
        Ok(next)
    }
}

/// The token of an `Authorization: Bearer …` header value.
fn bearer(authorization: Option<&str>) -> Result<&str, AuthError> {
    authorization
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or(AuthError::Unauthenticated)
}

/// The caller of `claims` in `access`: refused when they are not on the staff, or deactivated
/// (as `session_revoked`: their next request, on any instance, fails).
fn principal(access: &AccessSnapshot, claims: &AccessClaims) -> Result<Principal, AuthError> {
    let employee = access
        .employee(claims.sub)
        .ok_or(AuthError::Unauthenticated)?;
    if !employee.active {
        return Err(AuthError::SessionRevoked);
    }
    Ok(Principal {
        employee_id: claims.sub,
        session_id: claims.sid,
        roles: employee.roles.iter().map(|r| r.to_string()).collect(),
        permissions: access.permissions(employee),
    })
}

/// Who is calling, and what they may do now.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The employee.
    pub employee_id: Uuid,
    /// Their login session.
    pub session_id: Uuid,
    /// Their current role codes.
    pub roles: BTreeSet<String>,
    /// What those roles allow.
    pub permissions: BTreeSet<Permission>,
}

impl Principal {
    /// Refuses unless the principal holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AuthError> {
        if self.permissions.contains(&permission) {
            Ok(())
        } else {
            Err(AuthError::Forbidden {
                permission: permission.code(),
            })
        }
    }

    /// The actor recorded in events' metadata.
    pub fn actor(&self) -> String {
        format!("employee:{}", self.employee_id)
    }
}

/// Token verification, the session's revocation check, the rate limit and permission lookup
/// together: what an API calls per request.
pub struct Authorizer {
    /// The token verifier.
    pub verifier: TokenVerifier,
    /// The staff and roles.
    pub directory: AccessDirectory,
    /// Ended sessions and the rate limit.
    pub guard: SessionGuard,
}

impl Authorizer {
    /// The checks over a migrated database, for tokens issued under `config`, with its Redis.
    ///
    /// Its directory reads the employees' personal fields (names, logins) as
    /// [`ERASED`](aggregates::personal::ERASED), without opening them
    /// ([`personal_data::HiddenPersonalData`]): checking a token needs the employee's id, state
    /// and roles only, and a service whose role may not read data keys (the query API) could not
    /// open them.
    pub fn new(pool: sqlx::PgPool, config: &AuthConfig) -> Result<Self, AuthError> {
        let store =
            EventStore::new(pool.clone()).with_codec(Arc::new(personal_data::HiddenPersonalData));
        Self::with_store(pool, store, config)
    }

    /// The checks, reading staff and roles from `store`: a store with the personal data codec
    /// opens the employees' sealed logins (a store without one cannot read them).
    pub fn with_store(
        pool: sqlx::PgPool,
        store: EventStore,
        config: &AuthConfig,
    ) -> Result<Self, AuthError> {
        Ok(Self {
            verifier: TokenVerifier::new(pool.clone(), &config.issuer, &config.audience),
            directory: AccessDirectory::new(store, &config.shop),
            guard: SessionGuard::new(pool, config)?,
        })
    }

    /// The caller behind an `Authorization` header value. A deactivated employee, like an ended
    /// session, is refused as `session_revoked`: their next request, on any instance, fails.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Principal, AuthError> {
        let token = bearer(authorization)?;
        let claims = self.verifier.verify(token).await?;
        let (access, admitted) = tokio::join!(
            self.directory.current(),
            self.guard.admit(claims.sid, claims.sub)
        );
        let access = access?;
        let principal = principal(&access, &claims);
        admitted?;
        principal
    }

    /// The verified, admitted claims behind an `Authorization` header value: the token checked,
    /// its session not ended, the request within the rate. Who the caller is and what they may do
    /// comes after, from [`Self::principal`] or [`Self::remembered_principal`].
    pub async fn admit(&self, authorization: Option<&str>) -> Result<AccessClaims, AuthError> {
        let token = bearer(authorization)?;
        let claims = self.verifier.verify(token).await?;
        self.guard.admit(claims.sid, claims.sub).await?;
        Ok(claims)
    }

    /// The caller of admitted claims with their roles as they are now (one query).
    pub async fn principal(&self, claims: &AccessClaims) -> Result<Principal, AuthError> {
        principal(&*self.directory.current().await?, claims)
    }

    /// The caller of admitted claims by the staff and roles this instance last read, and the
    /// premises that reading rests on: an append carrying them is refused if a role or the staff
    /// moved since, so a role edit still applies to the very next command.
    pub async fn remembered_principal(
        &self,
        claims: &AccessClaims,
    ) -> Result<(Principal, Vec<Premise>), AuthError> {
        let access = self.directory.remembered().await?;
        let principal = principal(&access, claims)?;
        let employee = access
            .employee(claims.sub)
            .ok_or(AuthError::Unauthenticated)?;
        Ok((principal, access.premises(&self.directory.shop, employee)))
    }

    /// The caller, if they hold `permission` now.
    pub async fn authorize(
        &self,
        authorization: Option<&str>,
        permission: Permission,
    ) -> Result<Principal, AuthError> {
        let principal = self.authenticate(authorization).await?;
        principal.require(permission)?;
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use event_store::testing::TestDatabase;
    use jsonwebtoken::{encode, Header};
    use personal_data::master::{MasterKey, MasterKeys};

    const ISSUER: &str = "motorlog-auth";
    const AUDIENCE: &str = "motorlog";

    /// A verifier over a fresh database with one signing key, and a token signer for it.
    async fn verifier(label: &str) -> (TestDatabase, TokenVerifier, impl Fn(i64) -> String) {
        let db = TestDatabase::create(label, 2).await.unwrap();
        let masters = MasterKeys::new(MasterKey::generate("test").unwrap(), Vec::new()).unwrap();
        let key = keys::active(&db.pool, &masters).await.unwrap();
        let verifier = TokenVerifier::new(db.pool.clone(), ISSUER, AUDIENCE);
        let sign = move |exp: i64| {
            let mut header = Header::new(Algorithm::RS256);
            header.typ = Some(ACCESS_TOKEN_TYPE.to_owned());
            header.kid = Some(key.kid.clone());
            let now = chrono::Utc::now().timestamp();
            let claims = AccessClaims {
                iss: ISSUER.into(),
                aud: AUDIENCE.into(),
                sub: Uuid::now_v7(),
                iat: now,
                exp,
                jti: Uuid::now_v7(),
                sid: Uuid::now_v7(),
                roles: Vec::new(),
            };
            encode(&header, &claims, &key.encoding).unwrap()
        };
        (db, verifier, sign)
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[tokio::test]
    async fn a_remembered_token_ends_when_it_expires() {
        let (_db, verifier, sign) = verifier("verify_expiry").await;
        // Past its `exp`, inside the leeway: valid for two seconds more.
        let token = sign(now() - i64::try_from(LEEWAY).unwrap() + 2);
        verifier.verify(&token).await.unwrap();
        assert!(verifier.verified_tokens().contains_key(&token));
        verifier.verify(&token).await.unwrap();
        tokio::time::sleep(Duration::from_millis(3_100)).await;
        assert!(matches!(
            verifier.verify(&token).await,
            Err(AuthError::Unauthenticated)
        ));
        assert!(!verifier.verified_tokens().contains_key(&token));
    }

    #[tokio::test]
    async fn a_remembered_token_ends_with_its_key() {
        let (db, verifier, sign) = verifier("verify_retired").await;
        let token = sign(now() + 600);
        verifier.verify(&token).await.unwrap();
        verifier.verify(&token).await.unwrap();
        sqlx::query("UPDATE auth.signing_keys SET retired_at = now(), publish_until = now()")
            .execute(&db.pool)
            .await
            .unwrap();
        // Still published as far as this instance knows, until the key set is read again.
        verifier.verify(&token).await.unwrap();
        verifier.keys.write().await.1 = None;
        assert!(matches!(
            verifier.verify(&token).await,
            Err(AuthError::Unauthenticated)
        ));
    }

    #[tokio::test]
    async fn a_token_differing_from_a_remembered_one_is_checked_afresh() {
        let (_db, verifier, sign) = verifier("verify_tampered").await;
        let token = sign(now() + 600);
        verifier.verify(&token).await.unwrap();
        // The same claims under another signature, and another payload under the same one.
        let (rest, signature) = token.rsplit_once('.').unwrap();
        let mut forged = signature.as_bytes().to_vec();
        forged[10] = if forged[10] == b'A' { b'B' } else { b'A' };
        let forged = format!("{rest}.{}", String::from_utf8(forged).unwrap());
        assert!(verifier.verify(&forged).await.is_err());
        let other = sign(now() + 600);
        let (other_rest, _) = other.rsplit_once('.').unwrap();
        let swapped = format!("{other_rest}.{signature}");
        assert!(verifier.verify(&swapped).await.is_err());
        verifier.verify(&token).await.unwrap();
    }
}
