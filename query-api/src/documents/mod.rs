//! The printed documents as PDF: `GET /v1/documents/work-orders/{id}/order.pdf` (заказ-наряд),
//! `…/act.pdf` (акт выполненных работ), `GET /v1/documents/invoices/{id}/invoice.pdf` (счёт на
//! оплату) and `…/receipt.pdf?payment={id}` (квитанция об оплате).
//!
//! Each checks the caller's permission itself ([`ROUTES`]), folds what it prints from the log
//! ([`facts`]) and typesets it with the `documents` crate off the async threads. Refusals are the
//! query API's error shape (`{errors: [{message, extensions: {code, message_ru}}]}`) with 401, 403,
//! 404 or 400; nothing about our side's failures reaches the client.

mod facts;

use std::sync::Arc;

use aggregates::permission::Permission as P;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::Viewer;
use crate::error::QueryError;
use crate::http::{refusal, QueryApi};
use facts::Facts;

/// Every document route and the permissions it needs (all of them): for the authorization tests
/// and the README.
pub const ROUTES: &[(&str, &[P])] = &[
    (
        "/v1/documents/work-orders/{id}/order.pdf",
        &[P::WorkOrderReadAll, P::ClientRead],
    ),
    (
        "/v1/documents/work-orders/{id}/act.pdf",
        &[P::WorkOrderReadAll, P::ClientRead],
    ),
    ("/v1/documents/invoices/{id}/invoice.pdf", &[P::InvoiceRead]),
    ("/v1/documents/invoices/{id}/receipt.pdf", &[P::InvoiceRead]),
];

/// Which document.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Order,
    Act,
    Invoice,
    Receipt { payment: Uuid },
}

impl Kind {
    fn permissions(self) -> &'static [P] {
        let index = match self {
            Kind::Order => 0,
            Kind::Act => 1,
            Kind::Invoice => 2,
            Kind::Receipt { .. } => 3,
        };
        ROUTES[index].1
    }

    fn file_name(self, id: Uuid) -> String {
        match self {
            Kind::Order => format!("order-{id}.pdf"),
            Kind::Act => format!("act-{id}.pdf"),
            Kind::Invoice => format!("invoice-{id}.pdf"),
            Kind::Receipt { payment } => format!("receipt-{id}-{payment}.pdf"),
        }
    }
}

/// The document routes.
pub fn routes() -> Router<Arc<QueryApi>> {
    Router::new()
        .route(ROUTES[0].0, get(order))
        .route(ROUTES[1].0, get(act))
        .route(ROUTES[2].0, get(invoice))
        .route(ROUTES[3].0, get(receipt))
}

async fn order(api: State<Arc<QueryApi>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    document(api, headers, &id, Ok(Kind::Order)).await
}

async fn act(api: State<Arc<QueryApi>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    document(api, headers, &id, Ok(Kind::Act)).await
}

async fn invoice(
    api: State<Arc<QueryApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    document(api, headers, &id, Ok(Kind::Invoice)).await
}

/// The receipt's query: which payment.
#[derive(Deserialize)]
struct ReceiptQuery {
    payment: Option<String>,
}

async fn receipt(
    api: State<Arc<QueryApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ReceiptQuery>,
) -> Response {
    let kind = query
        .payment
        .as_deref()
        .map(|raw| parse_id(raw, "payment"))
        .transpose()
        .and_then(|payment| {
            payment.ok_or_else(|| QueryError::InvalidArgument {
                field: "payment",
                reason: "which payment: ?payment={id}".into(),
                reason_ru: "укажите оплату: ?payment={id}".into(),
            })
        })
        .map(|payment| Kind::Receipt { payment });
    document(api, headers, &id, kind).await
}

fn parse_id(raw: &str, field: &'static str) -> Result<Uuid, QueryError> {
    Uuid::parse_str(raw).map_err(|_| QueryError::InvalidArgument {
        field,
        reason: "not an id".into(),
        reason_ru: "это не идентификатор".into(),
    })
}

/// The one path of the four routes: authenticate, check, fold, typeset.
async fn document(
    State(api): State<Arc<QueryApi>>,
    headers: HeaderMap,
    raw_id: &str,
    kind: Result<Kind, QueryError>,
) -> Response {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let viewer = match api.authorizer.authenticate(authorization).await {
        Ok(principal) => Viewer(principal),
        Err(error) => {
            return refusal(
                error.status(),
                error.code(),
                error.public_message(),
                error.message_ru(),
            )
        }
    };
    match pdf(&api, &viewer, raw_id, kind).await {
        Ok((name, bytes)) => {
            metrics::counter!("motorlog_documents_total", "outcome" => "ok").increment(1);
            let disposition = HeaderValue::from_str(&format!("inline; filename=\"{name}\""))
                .unwrap_or(HeaderValue::from_static("inline"));
            (
                StatusCode::OK,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/pdf"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                    // A client's name and car: never kept by a shared cache.
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("private, no-store"),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(error) => {
            metrics::counter!("motorlog_documents_total", "outcome" => error.code()).increment(1);
            refused(&error)
        }
    }
}

async fn pdf(
    api: &QueryApi,
    viewer: &Viewer,
    raw_id: &str,
    kind: Result<Kind, QueryError>,
) -> Result<(String, Vec<u8>), QueryError> {
    let kind = kind?;
    for permission in kind.permissions() {
        viewer.require(*permission)?;
    }
    let id = parse_id(raw_id, "id")?;
    let facts = Facts {
        pool: &api.pool,
        store: &api.store,
        shop: &api.shop,
        contacts: viewer.may(P::ClientReadContacts),
    };
    let (document, dated) = match kind {
        Kind::Order | Kind::Act => {
            let (order, events) = facts.work_order(id).await?;
            if matches!(kind, Kind::Order) {
                facts.order_document(&order, &events).await?
            } else {
                facts.act_document(&order, &events).await?
            }
        }
        Kind::Invoice => {
            let (invoice, events) = facts.invoice(id).await?;
            facts.invoice_document(&invoice, &events).await?
        }
        Kind::Receipt { payment } => {
            let (_, events) = facts.invoice(id).await?;
            facts.receipt_document(&events, payment).await?
        }
    };
    // Typesetting takes tens of milliseconds of CPU: off the async threads.
    let bytes = tokio::task::spawn_blocking(move || documents::render(&document, dated))
        .await
        .map_err(|e| QueryError::Document(e.to_string()))?
        .map_err(|e| QueryError::Document(e.to_string()))?;
    Ok((kind.file_name(id), bytes))
}

/// A refusal or failure in the query API's error shape, with its status.
fn refused(error: &QueryError) -> Response {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(error = ?error, "document failed");
    }
    let message = if status.is_server_error() {
        "internal error".to_owned()
    } else {
        error.to_string()
    };
    let mut response = refusal(status, error.code(), message, error.message_ru());
    if let QueryError::Forbidden { permission } = error {
        response
            .headers_mut()
            .insert("x-missing-permission", HeaderValue::from_static(permission));
    }
    response
}
