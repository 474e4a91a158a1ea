//! The browser's way of holding a refresh token: an `HttpOnly` cookie, honoured only beside the
//! header that shows the request came from the web app itself.
//!
//! Why a cookie: the web app keeps its access token in memory, where a script injected into the page
//! could read it for its ten minutes; a refresh token there would give such a script the session for
//! a month. As an `HttpOnly; Secure; SameSite=Strict` cookie scoped to the refresh path, no script
//! can read it and the browser sends it only to the auth routes.
//!
//! Why the header: a browser attaches a cookie by itself, so another site could make it refresh or
//! log out. A request that carries the cookie is therefore honoured only with
//! `X-Motorlog-Client: web`, which a cross-site form cannot set and a cross-site `fetch` could set
//! only after a CORS preflight this service never grants. `SameSite=Strict` is the second wall.
//!
//! The rules, one place for both routes that take a refresh token ([`Client::presented`]):
//! - with the header (web mode) the token comes only from the cookie; one in the JSON body is
//!   refused, so a web client that leaked the token into script is caught at once rather than
//!   silently working;
//! - without it the token comes from the body as before, and a request bearing the cookie is
//!   refused ([`AuthError::CsrfHeaderRequired`]) without touching the session or the cookie.
//!
//! This module never sends a refresh token anywhere but in `Set-Cookie`, and never reads the cookie
//! of a request without the header.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use chrono::Utc;

use crate::sessions::IssuedRefresh;
use crate::AuthError;

/// The header that marks a request as the web app's; its value is [`WEB_CLIENT`].
pub const CLIENT_HEADER: &str = "x-motorlog-client";
/// The [`CLIENT_HEADER`] value of the web app.
pub const WEB_CLIENT: &str = "web";
/// The name of the cookie that holds the browser's refresh token.
pub const REFRESH_COOKIE: &str = "motorlog_refresh";

/// Who is calling, as far as refresh tokens go: the web app (cookie) or any other client (body).
#[derive(Debug)]
pub struct Client {
    web: bool,
    cookie: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

impl Client {
    fn from_headers(headers: &HeaderMap) -> Self {
        let web = headers
            .get(CLIENT_HEADER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(WEB_CLIENT));
        Self {
            web,
            cookie: refresh_cookie(headers),
        }
    }

    /// Whether the refresh token travels in the cookie.
    pub fn is_web(&self) -> bool {
        self.web
    }

    /// The refresh token a refresh or logout acts on, given the one in the body if any.
    ///
    /// `Ok(None)` only in web mode, when the browser sent no cookie.
    pub fn presented(&self, in_body: Option<String>) -> Result<Option<String>, AuthError> {
        match (self.web, in_body) {
            (true, Some(_)) => Err(AuthError::BadRequest(
                "with X-Motorlog-Client: web the refresh token travels only in the cookie".into(),
            )),
            (true, None) => Ok(self.cookie.clone()),
            (false, _) if self.cookie.is_some() => Err(AuthError::CsrfHeaderRequired),
            (false, Some(token)) => Ok(Some(token)),
            (false, None) => Err(AuthError::BadRequest(
                "missing field `refresh_token`".into(),
            )),
        }
    }
}

/// The first `motorlog_refresh` cookie of the request (the one with the longest path, as browsers
/// order them), if it has a value.
fn refresh_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REFRESH_COOKIE)
        .map(|(_, value)| value.trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` handing the browser its refresh token, kept until the login's absolute end: the
/// server refuses it earlier when idle, but the browser cannot know when that is.
pub fn set_cookie(path: &str, refresh: &IssuedRefresh) -> Result<HeaderValue, AuthError> {
    let max_age = (refresh.family_expires_at - Utc::now())
        .num_seconds()
        .max(0);
    cookie(path, &refresh.token, max_age)
}

/// `Set-Cookie` making the browser forget its refresh token (same name, path and attributes, so it
/// replaces the one it holds).
pub fn clear_cookie(path: &str) -> Result<HeaderValue, AuthError> {
    cookie(path, "", 0)
}

fn cookie(path: &str, value: &str, max_age: i64) -> Result<HeaderValue, AuthError> {
    HeaderValue::from_str(&format!(
        "{REFRESH_COOKIE}={value}; Path={path}; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age}"
    ))
    // The token is base64url and the path is checked at start-up; only a path set in code can fail.
    .map_err(|_| AuthError::Internal(format!("refresh cookie path {path:?} is not a header value")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn client(headers: &[(&'static str, &'static str)]) -> Client {
        let mut map = HeaderMap::new();
        for &(name, value) in headers {
            map.append(name, HeaderValue::from_static(value));
        }
        Client::from_headers(&map)
    }

    #[test]
    fn the_cookie_is_found_among_others_and_in_any_cookie_header() {
        let found = client(&[
            ("cookie", "theme=dark"),
            ("cookie", "a=1; motorlog_refresh=abc-_1; b=2"),
        ]);
        assert_eq!(found.cookie.as_deref(), Some("abc-_1"));
        assert_eq!(client(&[("cookie", "motorlog_refresh=")]).cookie, None);
        assert_eq!(client(&[("cookie", "xmotorlog_refresh=abc")]).cookie, None);
    }

    #[test]
    fn the_token_comes_from_the_cookie_with_the_header_and_from_the_body_without() {
        let web = client(&[
            ("x-motorlog-client", "web"),
            ("cookie", "motorlog_refresh=c"),
        ]);
        assert_eq!(web.presented(None).unwrap().as_deref(), Some("c"));
        assert_eq!(
            web.presented(Some("b".into())).unwrap_err().code(),
            "bad_request"
        );
        let bare = client(&[("x-motorlog-client", "web")]);
        assert_eq!(bare.presented(None).unwrap(), None);

        let forged = client(&[("cookie", "motorlog_refresh=c")]);
        for body in [None, Some("b".to_owned())] {
            assert_eq!(
                forged.presented(body).unwrap_err().code(),
                "csrf_header_required"
            );
        }
        let other = client(&[
            ("x-motorlog-client", "mobile"),
            ("cookie", "motorlog_refresh=c"),
        ]);
        assert!(!other.is_web());
        let plain = client(&[]);
        assert_eq!(
            plain.presented(Some("b".into())).unwrap().as_deref(),
            Some("b")
        );
        assert_eq!(plain.presented(None).unwrap_err().code(), "bad_request");
    }
}
