//! The command API's one error type, and the one place errors become HTTP answers:
//! `{code, message, message_ru, details}` with the domain's stable codes.

use aggregates::{DomainError, ErrorKind};
use auth::AuthError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use event_store::EventStoreError;
use serde_json::{json, Value};

/// Everything a command can be refused for or fail at. Nothing is appended on any of them.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Not authenticated or not allowed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The shop's rules refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Malformed JSON or a body of the wrong shape.
    #[error("invalid request body: {0}")]
    InvalidBody(String),
    /// A string or key in the body with a character PostgreSQL cannot store (U+0000).
    #[error("text must not contain U+0000")]
    InvalidText,
    /// The body is larger than the API reads.
    #[error("request body too large")]
    BodyTooLarge,
    /// No such aggregate type or command.
    #[error("unknown command {0}")]
    UnknownCommand(String),
    /// An id in the path that is not one.
    #[error("invalid id {0:?}")]
    InvalidId(String),
    /// A malformed header (If-Match, Idempotency-Key, X-Correlation-Id).
    #[error("invalid header {0}")]
    InvalidHeader(&'static str),
    /// `If-Match` named another version than the aggregate's.
    #[error("the record is at version {actual}, not {expected}")]
    PreconditionFailed {
        /// What the client expected.
        expected: u64,
        /// What it is.
        actual: u64,
    },
    /// Concurrent changes kept winning; the client should reload and retry.
    #[error("the record changed concurrently (now at version {actual}); reload and retry")]
    Conflict {
        /// The version it is at.
        actual: u64,
    },
    /// The Idempotency-Key was used with another request.
    #[error("this Idempotency-Key was used for another request")]
    IdempotencyKeyReused,
    /// The log or the database failed.
    #[error("event store: {0}")]
    Store(#[from] EventStoreError),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored event that does not decode, or another fault of ours.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            // The auth service's own table: 401, 403, or 503 when the database did not answer.
            Self::Auth(error) => error.status(),
            Self::Domain(error) => match error.kind() {
                ErrorKind::NotFound => StatusCode::NOT_FOUND,
                ErrorKind::AlreadyExists => StatusCode::CONFLICT,
                ErrorKind::InvalidValue | ErrorKind::RuleBroken => StatusCode::UNPROCESSABLE_ENTITY,
                ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            },
            Self::InvalidBody(_)
            | Self::InvalidText
            | Self::InvalidHeader(_)
            | Self::InvalidId(_) => StatusCode::BAD_REQUEST,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnknownCommand(_) => StatusCode::NOT_FOUND,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Store(_) | Self::Database(_) | Self::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Auth(error) => error.code(),
            Self::Domain(error) => error.code(),
            Self::InvalidBody(_) => "invalid_body",
            Self::InvalidText => "invalid_text",
            Self::BodyTooLarge => "body_too_large",
            Self::UnknownCommand(_) => "unknown_command",
            Self::InvalidId(_) => "invalid_id",
            Self::InvalidHeader(_) => "invalid_header",
            Self::PreconditionFailed { .. } => "precondition_failed",
            Self::Conflict { .. } => "version_conflict",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::Store(_) | Self::Database(_) | Self::Internal(_) => "internal",
        }
    }

    fn message_ru(&self) -> String {
        match self {
            Self::Auth(error) => error.message_ru(),
            Self::Domain(error) => error.message_ru(),
            Self::InvalidBody(_) => "Неверный формат запроса".into(),
            Self::InvalidText => {
                "Текст содержит недопустимый символ (U+0000); уберите его и повторите".into()
            }
            Self::BodyTooLarge => "Слишком большой запрос".into(),
            Self::UnknownCommand(_) => "Неизвестная команда".into(),
            Self::InvalidId(_) => "Неверный идентификатор".into(),
            Self::InvalidHeader(_) => "Неверный заголовок запроса".into(),
            Self::PreconditionFailed { .. } => {
                "Запись изменилась с момента загрузки; обновите её и повторите".into()
            }
            Self::Conflict { .. } => "Запись одновременно изменили; обновите её и повторите".into(),
            Self::IdempotencyKeyReused => {
                "Ключ идемпотентности уже использован для другого запроса".into()
            }
            Self::Store(_) | Self::Database(_) | Self::Internal(_) => {
                "Внутренняя ошибка; попробуйте позже".into()
            }
        }
    }

    fn details(&self) -> Value {
        match self {
            Self::Auth(AuthError::Forbidden { permission }) => json!({ "permission": permission }),
            Self::Auth(error @ AuthError::RateLimited { .. }) => {
                json!({ "retry_after_s": error.retry_after() })
            }
            Self::PreconditionFailed { expected, actual } => {
                json!({ "expected": expected, "actual": actual })
            }
            Self::Conflict { actual } => json!({ "actual": actual }),
            Self::Domain(DomainError::InvoiceOverpaid { balance, attempted }) => {
                json!({ "balance": balance, "attempted": attempted })
            }
            Self::Domain(DomainError::RefundExceedsPaid {
                refundable,
                attempted,
            }) => {
                json!({ "refundable": refundable, "attempted": attempted })
            }
            Self::Domain(DomainError::MileageDecreased {
                last_km,
                attempted_km,
            }) => {
                json!({ "last_km": last_km, "attempted_km": attempted_km })
            }
            _ => json!({}),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            // Logged there, and told without internals.
            Self::Auth(error) => error.public_message(),
            _ if status.is_server_error() => {
                // The details go to the log, never to the client.
                tracing::error!(error = %self, "command failed");
                "internal error".to_owned()
            }
            _ => self.to_string(),
        };
        let body = json!({
            "code": self.code(),
            "message": message,
            "message_ru": self.message_ru(),
            "details": self.details(),
        });
        let mut response = (status, Json(body)).into_response();
        // Over the rate limit: when to come back.
        if let Self::Auth(error) = &self {
            if let Some(seconds) = error.retry_after() {
                response
                    .headers_mut()
                    .insert("retry-after", axum::http::HeaderValue::from(seconds));
            }
        }
        response
    }
}
