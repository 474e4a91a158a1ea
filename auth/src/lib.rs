//! Motorlog's auth service, and the access checks every Motorlog API runs itself.
//!
//! - Employees log in with e-mail or phone and a password (argon2id, off the async workers).
//! - Access tokens are JWT RS256, 10 minutes, `typ: at+jwt`, with `kid`, `iss`, `aud`, `sub`, roles;
//!   the keys are published as a JWKS and rotated by a command.
//! - Refresh tokens are 256 random bits, stored hashed, single use, rotated on every refresh; reuse
//!   revokes the whole login. The web app holds its refresh token in an `HttpOnly` cookie instead
//!   ([`web`]).
//! - [`access::Authorizer`] is what every API calls per request: verify the token, refuse an ended
//!   session ([`revocation`], shared by every instance through Redis) and an employee over the rate
//!   limit, then check the exact permission against the employee's roles as the log says now.
//! - Logins are throttled per address and, with a growing wait, per account ([`throttle`]), in
//!   Redis too.

pub mod access;
pub mod bootstrap;
mod config;
pub mod device;
mod error;
pub mod http;
pub mod keys;
pub mod password;
pub mod revocation;
pub mod serve;
pub mod sessions;
pub mod shared;
pub mod throttle;
pub mod web;

pub use config::{AuthConfig, ServiceConfig};
pub use error::AuthError;
