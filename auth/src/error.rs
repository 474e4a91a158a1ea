//! The auth service's one error type, and the one place it becomes an HTTP answer.

use aggregates::ErrorKind;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Everything the auth service refuses or fails at.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Wrong login or password; never says which, nor whether the account exists.
    #[error("invalid login or password")]
    InvalidCredentials,
    /// Too many attempts for this account or address; try after `retry_after_s`.
    #[error("too many login attempts; try again in {retry_after_s} s")]
    TooManyAttempts {
        /// Seconds until the window ends.
        retry_after_s: i64,
    },
    /// No bearer token, or one that is expired, forged, of another algorithm or audience.
    #[error("missing or invalid access token")]
    Unauthenticated,
    /// A valid token of a session that has ended (logout, all sessions ended, password changed or
    /// reset, employee deactivated, refresh token reused).
    #[error("the session has ended; log in again")]
    SessionRevoked,
    /// The employee sent more requests this minute than the APIs take; try after `retry_after_s`.
    #[error("too many requests; try again in {retry_after_s} s")]
    RateLimited {
        /// Seconds until the window ends.
        retry_after_s: i64,
    },
    /// The refresh token is unknown, used, expired or revoked.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// The caller is authenticated but their roles do not allow this.
    #[error("not allowed: {permission}")]
    Forbidden {
        /// The permission that was needed.
        permission: &'static str,
    },
    /// A password that breaks the policy.
    #[error("password rejected: {reason}")]
    WeakPassword {
        /// Why.
        reason: &'static str,
    },
    /// The browser's refresh cookie came without `X-Motorlog-Client: web`: a page on another site may
    /// have sent it (a cross-site form cannot set that header), so it is neither used nor cleared.
    #[error("the refresh cookie is accepted only with the X-Motorlog-Client: web header")]
    CsrfHeaderRequired,
    /// A request that is not what the endpoint takes.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The body is larger than the service reads.
    #[error("request body too large")]
    BodyTooLarge,
    /// Text with a character PostgreSQL cannot store (U+0000), refused before anything reads it.
    #[error("text must not contain U+0000")]
    InvalidText,
    /// No such employee.
    #[error("employee not found")]
    EmployeeNotFound,
    /// The domain refused (e.g. hiring the first owner).
    #[error(transparent)]
    Domain(#[from] aggregates::DomainError),
    /// The log refused or failed.
    #[error(transparent)]
    EventStore(#[from] event_store::EventStoreError),
    /// The database failed: the caller may be fine, the service cannot tell, so 503 and not 401.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Redis (the revocation set and the counters every instance shares) failed where no fallback
    /// is safe, e.g. a login that cannot be throttled: 503, like a database outage.
    #[error("redis error: {0}")]
    SharedStore(#[from] redis::RedisError),
    /// Something that should not happen (a key that does not load, a hash that does not parse).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AuthError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::Unauthenticated => "unauthenticated",
            Self::SessionRevoked => "session_revoked",
            Self::RateLimited { .. } => "rate_limited",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::Forbidden { .. } => "forbidden",
            Self::CsrfHeaderRequired => "csrf_header_required",
            Self::WeakPassword { .. } => "weak_password",
            Self::BadRequest(_) => "bad_request",
            Self::BodyTooLarge => "body_too_large",
            Self::InvalidText => "invalid_text",
            Self::EmployeeNotFound => "not_found",
            Self::Domain(error) => error.code(),
            _ if self.is_outage() => "unavailable",
            Self::EventStore(_) | Self::Database(_) | Self::SharedStore(_) | Self::Internal(_) => {
                "internal"
            }
        }
    }

    /// A database that did not answer (down, restarting, out of connections), on the auth path as
    /// anywhere: the request may succeed on retry, and the caller's token or password is not to
    /// blame, so it is never answered 401 ("log in again").
    pub fn is_outage(&self) -> bool {
        matches!(
            self,
            Self::Database(_)
                | Self::SharedStore(_)
                | Self::EventStore(event_store::EventStoreError::Database(_))
        )
    }

    /// The seconds a refused client should wait (`Retry-After`), for answers that have one: every
    /// service answering an `AuthError` sets the header from this.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Self::TooManyAttempts { retry_after_s } | Self::RateLimited { retry_after_s } => {
                Some((*retry_after_s).max(1))
            }
            _ => None,
        }
    }

    /// The English message a client may see: for a failure on our side the status's meaning only,
    /// never the error's text (a database error names tables, hosts and values), which is logged
    /// here instead. Every service that answers an `AuthError` (the APIs too) sends this one.
    pub fn public_message(&self) -> String {
        let status = self.status();
        if !status.is_server_error() {
            return self.to_string();
        }
        tracing::error!(error = %self, "auth request failed");
        if status == StatusCode::SERVICE_UNAVAILABLE {
            "service temporarily unavailable".into()
        } else {
            "internal error".into()
        }
    }

    /// The HTTP status it answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidCredentials
            | Self::Unauthenticated
            | Self::SessionRevoked
            | Self::InvalidRefreshToken => StatusCode::UNAUTHORIZED,
            Self::TooManyAttempts { .. } | Self::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Forbidden { .. } | Self::CsrfHeaderRequired => StatusCode::FORBIDDEN,
            Self::Domain(error) if error.kind() == ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            Self::WeakPassword { .. } | Self::Domain(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) | Self::InvalidText => StatusCode::BAD_REQUEST,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::EmployeeNotFound => StatusCode::NOT_FOUND,
            _ if self.is_outage() => StatusCode::SERVICE_UNAVAILABLE,
            Self::EventStore(_) | Self::Database(_) | Self::SharedStore(_) | Self::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The message in Russian, for people.
    pub fn message_ru(&self) -> String {
        match self {
            Self::InvalidCredentials => "Неверный логин или пароль".into(),
            Self::TooManyAttempts { retry_after_s } => {
                format!("Слишком много попыток входа; повторите через {retry_after_s} с")
            }
            Self::Unauthenticated => "Войдите в систему заново".into(),
            Self::SessionRevoked => "Сеанс завершён; войдите заново".into(),
            Self::RateLimited { retry_after_s } => {
                format!("Слишком много запросов; повторите через {retry_after_s} с")
            }
            Self::InvalidRefreshToken => "Сессия истекла; войдите заново".into(),
            Self::Forbidden { .. } => "Недостаточно прав для этого действия".into(),
            Self::CsrfHeaderRequired => {
                "Запрос отклонён: cookie сессии принимается только от приложения Motorlog".into()
            }
            Self::WeakPassword { .. } => {
                "Пароль не подходит: от 8 до 128 символов и не из списка распространённых".into()
            }
            Self::BadRequest(_) => "Неверный запрос".into(),
            Self::BodyTooLarge => "Слишком большой запрос".into(),
            Self::InvalidText => {
                "Текст содержит недопустимый символ (U+0000); уберите его и повторите".into()
            }
            Self::EmployeeNotFound => "Сотрудник не найден".into(),
            Self::Domain(error) => error.message_ru(),
            _ if self.is_outage() => "Сервис временно недоступен; повторите позже".into(),
            Self::EventStore(_) | Self::Database(_) | Self::SharedStore(_) | Self::Internal(_) => {
                "Внутренняя ошибка; попробуйте позже".into()
            }
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = self.public_message();
        let retry_after = self.retry_after();
        let mut details = json!({});
        if let Some(retry_after_s) = retry_after {
            details = json!({ "retry_after_s": retry_after_s });
        }
        if let Self::Forbidden { permission } = self {
            details = json!({ "permission": permission });
        }
        let body = json!({
            "code": self.code(),
            "message": message,
            "message_ru": self.message_ru(),
            "details": details,
        });
        let mut response = (status, Json(body)).into_response();
        if let Some(retry_after_s) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(retry_after_s));
        }
        response
    }
}
