//! The query API's one error type, and the one place it becomes a GraphQL error.
//!
//! Every error carries `extensions.code` (the command API's machine codes), `extensions.message_ru`
//! for people, and what the code needs (the permission, the current position).

use aggregates::permission::Permission;
use async_graphql::ErrorExtensions;

/// Everything a query refuses or fails at.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The caller's roles do not allow this object or field.
    #[error("not allowed: {permission}")]
    Forbidden {
        /// The permission that was needed.
        permission: &'static str,
    },
    /// No such record (or one the caller may not know of).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// An argument that cannot be used.
    #[error("invalid {field}: {reason}")]
    InvalidArgument {
        /// The argument.
        field: &'static str,
        /// Why.
        reason: String,
        /// Why, in Russian.
        reason_ru: String,
    },
    /// The read models did not reach the position the caller asked for in time.
    #[error("read model {projector} is at {current}, behind the requested position")]
    NotReady {
        /// The projector that lags.
        projector: String,
        /// Where it is.
        current: String,
    },
    /// The database failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// The database failed under a DataLoader (shared by every resolver that waited on it).
    #[error("database error")]
    Loader(#[from] std::sync::Arc<sqlx::Error>),
    /// A read model's checkpoint could not be read.
    #[error("projection error: {0}")]
    Projection(#[from] projections::ProjectionError),
    /// A store outside PostgreSQL (the reports' ClickHouse) did not answer.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A printed document could not be typeset (a template's fault, never the caller's).
    #[error("document: {0}")]
    Document(String),
}

/// Whether PostgreSQL cancelled the statement (SQLSTATE 57014): the query API's pool sets a
/// `statement_timeout`, so this is a read that ran too long, not a fault.
fn cancelled(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("57014"))
}

impl QueryError {
    /// Whether the database gave up on the statement after the pool's `statement_timeout`.
    pub fn timed_out(&self) -> bool {
        match self {
            Self::Database(error) => cancelled(error),
            Self::Loader(error) => cancelled(error),
            _ => false,
        }
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        if self.timed_out() {
            return "query_timeout";
        }
        match self {
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::InvalidArgument { .. } => "invalid_argument",
            Self::NotReady { .. } => "not_ready",
            Self::Unavailable(_) => "unavailable",
            Self::Database(_) | Self::Loader(_) | Self::Projection(_) | Self::Document(_) => {
                "internal"
            }
        }
    }

    /// The message in Russian, for people.
    pub fn message_ru(&self) -> String {
        if self.timed_out() {
            return "Запрос выполнялся слишком долго; сузьте его (меньше записей или полей) и повторите"
                .into();
        }
        match self {
            Self::Forbidden { permission } => {
                format!("Недостаточно прав: нужно разрешение «{permission}»")
            }
            Self::NotFound { what } => format!("Не найдено: {what}"),
            Self::InvalidArgument {
                field, reason_ru, ..
            } => {
                format!("Неверное значение «{field}»: {reason_ru}")
            }
            Self::NotReady { .. } => {
                "Данные ещё обновляются, повторите запрос через секунду".into()
            }
            Self::Unavailable(_) => "Отчёты временно недоступны, повторите позже".into(),
            Self::Database(_) | Self::Loader(_) | Self::Projection(_) | Self::Document(_) => {
                "Внутренняя ошибка сервера".into()
            }
        }
    }

    /// The HTTP status of this error where it is answered outside GraphQL (the documents).
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        if self.timed_out() {
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        match self {
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::InvalidArgument { .. } => StatusCode::BAD_REQUEST,
            Self::NotReady { .. } | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Loader(_) | Self::Projection(_) | Self::Document(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// Refusal for a missing permission.
    pub fn forbidden(permission: Permission) -> Self {
        Self::Forbidden {
            permission: permission.code(),
        }
    }
}

impl ErrorExtensions for QueryError {
    fn extend(&self) -> async_graphql::Error {
        if matches!(
            self,
            Self::Database(_)
                | Self::Loader(_)
                | Self::Projection(_)
                | Self::Unavailable(_)
                | Self::Document(_)
        ) {
            tracing::error!(error = ?self, "query failed");
        }
        // Failures on our side are told by their kind only; their text (a database's, ClickHouse's)
        // is in the log above.
        let message = match self {
            _ if self.timed_out() => "the query took too long".to_owned(),
            Self::Database(_) | Self::Loader(_) | Self::Projection(_) | Self::Document(_) => {
                "internal error".to_owned()
            }
            Self::Unavailable(_) => "temporarily unavailable".to_owned(),
            _ => self.to_string(),
        };
        async_graphql::Error::new(message).extend_with(|_, e| {
            e.set("code", self.code());
            e.set("message_ru", self.message_ru());
            match self {
                Self::Forbidden { permission } => e.set("permission", *permission),
                Self::NotReady { projector, current } => {
                    e.set("projector", projector.as_str());
                    e.set("current_position", current.as_str());
                }
                Self::InvalidArgument { field, .. } => e.set("field", *field),
                _ => {}
            }
        })
    }
}

/// Resolver results: a `QueryError` becomes a GraphQL error with its extensions.
pub type GqlResult<T> = async_graphql::Result<T>;

/// `?` for `QueryError`s (and what converts into them) inside resolvers.
pub trait OrGql<T> {
    /// The result with its error as a GraphQL error.
    fn gql(self) -> GqlResult<T>;
}

impl<T, E: Into<QueryError>> OrGql<T> for Result<T, E> {
    fn gql(self) -> GqlResult<T> {
        self.map_err(|e| e.into().extend())
    }
}
