//! The command API's one error type, and the one place errors become HTTP answers:
//! `{code, message, message_ru, details}` with the domain's stable codes.

use aggregates::money::Money;
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
    /// The record's data subject was erased between reading and writing: the log takes no new
    /// personal data of theirs.
    #[error("the personal data of this record was erased; it takes no new personal data")]
    SubjectErased(uuid::Uuid),
    /// The log or the database failed (a personal field that would not seal or open included:
    /// the client is told nothing of it).
    #[error("event store: {0}")]
    Store(EventStoreError),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored event that does not decode, or another fault of ours.
    #[error("internal: {0}")]
    Internal(String),
    /// The command names a record that does not exist (a vehicle's owner, an order's vehicle, a
    /// line's mechanic, …).
    #[error("{what} {id} does not exist")]
    ReferenceNotFound {
        /// What was named.
        what: &'static str,
        /// The id or code as given.
        id: String,
    },
    /// The command names a record that is archived or deactivated, which the rule does not allow.
    #[error("{what} {id} is archived or inactive")]
    ReferenceInactive {
        /// What was named.
        what: &'static str,
        /// The id or code as given.
        id: String,
    },
    /// Another vehicle is registered with this VIN.
    #[error("VIN {vin} is already registered to vehicle {vehicle_id}")]
    VinAlreadyRegistered {
        /// The VIN.
        vin: String,
        /// The vehicle that has it.
        vehicle_id: uuid::Uuid,
    },
    /// The plate was seen on other vehicles; the user must confirm (`confirm_plate: true`).
    #[error("plate {plate} was seen on another vehicle; send confirm_plate: true to go on")]
    PlateSeenOnAnotherVehicle {
        /// The plate.
        plate: String,
        /// The vehicles it was seen on.
        vehicle_ids: Vec<uuid::Uuid>,
    },
    /// An odometer reading below the car's last one that is not a correction.
    #[error("mileage {attempted_km} km is below the car's last reading of {last_km} km; correct the mileage with a reason instead")]
    MileageBelowLastReading {
        /// The last reading.
        last_km: i64,
        /// The reading refused.
        attempted_km: u32,
    },
    /// The invoice would take the order's invoices above its total.
    #[error("the work order's total is {order_total}, {invoiced} of it is invoiced already: {attempted} more does not fit")]
    OrderInvoicedInFull {
        /// The order's total.
        order_total: Money,
        /// Invoiced by invoices not voided.
        invoiced: Money,
        /// The refused invoice's amount.
        attempted: Money,
    },
    /// A payment method that is not an active code of the payment methods directory.
    #[error("{method:?} is not an active payment method")]
    UnknownPaymentMethod {
        /// The code as given.
        method: String,
    },
    /// An approval link was asked to be sent to the client, and cannot be.
    #[error("the approval link cannot be sent to the client: {}", reason.english())]
    ApprovalLinkNotSendable {
        /// Why.
        reason: Missing,
    },
    /// No file storage is configured, or it does not answer.
    #[error("file storage is unavailable")]
    FilesUnavailable,
    /// No upload was requested under this id by this employee.
    #[error("no upload was requested under this id by you")]
    UploadNotRequested,
    /// The requested upload is not in the storage (never sent, or refused by it).
    #[error("the file was not uploaded")]
    UploadMissing,
    /// The stored object is not what was declared.
    #[error("the uploaded file's {what} is not as declared")]
    UploadMismatch {
        /// `size`, `content_type` or `sha256`.
        what: &'static str,
    },
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            // The auth service's own table: 401, 403, or 503 when the database did not answer.
            Self::Auth(error) => error.status(),
            // The record is erased (or its employee still active): the command conflicts with the
            // record's state, which no other value in the body would change.
            Self::Domain(
                DomainError::ClientErased
                | DomainError::EmployeeErased
                | DomainError::EmployeeStillActive,
            )
            | Self::SubjectErased(_) => StatusCode::CONFLICT,
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
            Self::ReferenceNotFound { .. }
            | Self::ReferenceInactive { .. }
            | Self::MileageBelowLastReading { .. }
            | Self::UnknownPaymentMethod { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::VinAlreadyRegistered { .. }
            | Self::PlateSeenOnAnotherVehicle { .. }
            | Self::OrderInvoicedInFull { .. }
            | Self::ApprovalLinkNotSendable { .. } => StatusCode::CONFLICT,
            Self::FilesUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::UploadNotRequested => StatusCode::NOT_FOUND,
            Self::UploadMissing | Self::UploadMismatch { .. } => StatusCode::UNPROCESSABLE_ENTITY,
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
            Self::SubjectErased(_) => "subject_erased",
            Self::Store(_) | Self::Database(_) | Self::Internal(_) => "internal",
            Self::ReferenceNotFound { .. } => "reference_not_found",
            Self::ReferenceInactive { .. } => "reference_inactive",
            Self::VinAlreadyRegistered { .. } => "vin_already_registered",
            Self::PlateSeenOnAnotherVehicle { .. } => "plate_seen_on_another_vehicle",
            Self::MileageBelowLastReading { .. } => "mileage_below_last_reading",
            Self::OrderInvoicedInFull { .. } => "order_invoiced_in_full",
            Self::UnknownPaymentMethod { .. } => "unknown_payment_method",
            Self::ApprovalLinkNotSendable { .. } => "approval_link_not_sendable",
            Self::FilesUnavailable => "files_unavailable",
            Self::UploadNotRequested => "upload_not_requested",
            Self::UploadMissing => "upload_missing",
            Self::UploadMismatch { .. } => "upload_mismatch",
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
            Self::SubjectErased(_) => {
                "Персональные данные этой записи удалены; новые персональные данные в неё не вносятся"
                    .into()
            }
            Self::Store(_) | Self::Database(_) | Self::Internal(_) => {
                "Внутренняя ошибка; попробуйте позже".into()
            }
            Self::ReferenceNotFound { what, id } => format!("Не найдено: {} ({id})", what_ru(what)),
            Self::ReferenceInactive { what, id } => {
                format!("В архиве или не действует: {} ({id})", what_ru(what))
            }
            Self::VinAlreadyRegistered { vin, .. } => {
                format!("Автомобиль с VIN {vin} уже зарегистрирован")
            }
            Self::PlateSeenOnAnotherVehicle { plate, .. } => format!(
                "Госномер {plate} уже встречался на другом автомобиле; подтвердите, что это верно"
            ),
            Self::MileageBelowLastReading {
                last_km,
                attempted_km,
            } => format!(
                "Пробег не может уменьшиться с {last_km} до {attempted_km} км; оформите корректировку с причиной"
            ),
            Self::OrderInvoicedInFull {
                order_total,
                invoiced,
                attempted,
            } => format!(
                "Счета по заказ-наряду превысят его сумму {order_total} ₽: уже выставлено {invoiced} ₽, новый счёт на {attempted} ₽"
            ),
            Self::UnknownPaymentMethod { method } => {
                format!("Способа оплаты «{method}» нет среди действующих")
            }
            Self::ApprovalLinkNotSendable { reason } => format!(
                "Ссылку нельзя отправить клиенту: {}. Её можно передать клиенту самим",
                reason.russian()
            ),
            Self::FilesUnavailable => "Хранилище файлов недоступно; попробуйте позже".into(),
            Self::UploadNotRequested => "Такую загрузку вы не запрашивали".into(),
            Self::UploadMissing => "Файл не загружен: отправьте его снова".into(),
            Self::UploadMismatch { what } => format!(
                "Загруженный файл не совпадает с заявленным ({}); отправьте его снова",
                match *what {
                    "size" => "размер",
                    "content_type" => "тип",
                    _ => "контрольная сумма",
                }
            ),
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
            Self::ApprovalLinkNotSendable { reason } => json!({ "reason": reason.code() }),
            Self::Domain(DomainError::InvoiceOverpaid { balance, attempted }) => {
                json!({ "balance": balance, "attempted": attempted })
            }
            Self::Domain(DomainError::RefundExceedsPaid {
                refundable,
                attempted,
            }) => {
                json!({ "refundable": refundable, "attempted": attempted })
            }
            Self::Domain(DomainError::AmountOutOfRange {
                field,
                max,
                attempted,
            }) => {
                // Kopecks, like every amount in the API; the bound is `aggregates::bounds`.
                json!({ "field": field, "max": max, "attempted": attempted })
            }
            Self::Domain(DomainError::MileageDecreased {
                last_km,
                attempted_km,
            }) => {
                json!({ "last_km": last_km, "attempted_km": attempted_km })
            }
            Self::Domain(DomainError::InsufficientStock {
                available,
                requested,
            }) => {
                // Thousandths of the part's unit, like every quantity in the API.
                json!({ "available": available, "requested": requested })
            }
            Self::Domain(DomainError::QuantityExceeds {
                what,
                available,
                attempted,
            }) => json!({ "what": what, "available": available, "attempted": attempted }),
            Self::ReferenceNotFound { what, id } | Self::ReferenceInactive { what, id } => {
                json!({ "what": what, "id": id })
            }
            Self::VinAlreadyRegistered { vin, vehicle_id } => {
                json!({ "vin": vin, "vehicle_id": vehicle_id })
            }
            Self::PlateSeenOnAnotherVehicle { plate, vehicle_ids } => {
                json!({ "plate": plate, "vehicle_ids": vehicle_ids })
            }
            Self::MileageBelowLastReading {
                last_km,
                attempted_km,
            } => json!({ "last_km": last_km, "attempted_km": attempted_km }),
            Self::OrderInvoicedInFull {
                order_total,
                invoiced,
                attempted,
            } => json!({
                "order_total": order_total,
                "invoiced": invoiced,
                "remaining": order_total.as_kopecks().saturating_sub(invoiced.as_kopecks()),
                "attempted": attempted,
            }),
            Self::UnknownPaymentMethod { method } => json!({ "method": method }),
            Self::UploadMismatch { what } => json!({ "what": what }),
            _ => json!({}),
        }
    }
}

impl From<EventStoreError> for ApiError {
    fn from(error: EventStoreError) -> Self {
        match error {
            // Not a fault: the subject was erased, which the client must be told (409).
            EventStoreError::SubjectErased(subject) => Self::SubjectErased(subject),
            // A record the decision read moved before its append: decided again on the log.
            EventStoreError::PremiseMoved { actual, .. } => Self::Conflict { actual },
            other => Self::Store(other),
        }
    }
}

/// The Russian name of a referenced record, for messages.
fn what_ru(what: &str) -> &'static str {
    match what {
        "client" => "клиент",
        "vehicle" => "автомобиль",
        "work order" => "заказ-наряд",
        "employee" => "сотрудник",
        "catalogue service" => "услуга каталога",
        "role" => "роль",
        "supplier" => "поставщик",
        "purchase order" => "заказ поставщику",
        _ => "запись",
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

/// What is missing for an approval link to be sent to the client by SMS or e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The owner wrote no template for the approval link's message.
    Template,
    /// The operator set no public address (`MOTORLOG_PUBLIC_URL`) for the link to point at.
    PublicUrl,
    /// The order has no client yet.
    Client,
}

impl Missing {
    /// The stable code, in the error's details.
    pub fn code(self) -> &'static str {
        match self {
            Self::Template => "no_template",
            Self::PublicUrl => "no_public_url",
            Self::Client => "no_client",
        }
    }

    fn english(self) -> &'static str {
        match self {
            Self::Template => "no template for the approval link's message is written",
            Self::PublicUrl => "no public address of the shop is configured",
            Self::Client => "the order has no client",
        }
    }

    fn russian(self) -> &'static str {
        match self {
            Self::Template => {
                "не задан шаблон сообщения со ссылкой (Настройки → Сообщения клиентам)"
            }
            Self::PublicUrl => "не задан адрес сервиса для клиентов (MOTORLOG_PUBLIC_URL)",
            Self::Client => "у заказа нет клиента",
        }
    }
}
