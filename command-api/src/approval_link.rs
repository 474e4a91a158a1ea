//! The client's approval link, on the server: the token, and the two public requests the client's
//! page makes with it (see `aggregates::work_order::approval_link` for the rules).
//!
//! The token is the order's id and 32 random bytes, base64url: the id tells the server which log
//! stream to read, the random part is the capability, and only its SHA-256 is in the log. A token
//! naming another order matches none of that order's links; nothing in a body can name an order or
//! a price. The token travels in the request's body, never in a URL, so no access log or Referer
//! holds it.
//!
//! Both requests are admitted by the token alone: no account, no staff permission. What they
//! decide goes through the same pipeline as a staff command (fresh load, version check, the stock
//! released for a declined part in the same transaction), recorded as `system:approval_link`, with
//! the client's address and browser as the server saw them in the events themselves.

use std::net::IpAddr;

use aggregates::ids::{EmployeeId, LineId};
use aggregates::settings::Settings;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::approval_link::hex;
use aggregates::work_order::{
    Approval, InvoiceLineKind, LineDecision, WorkOrder, WorkOrderCommand,
};
use aggregates::Aggregate;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use event_store::StreamId;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::endpoints::work_order::DecisionBody;
use crate::pipeline::{execute_admitted, load, Services};
use crate::ApiError;

/// Who the log records for what the client does through a link.
pub const ACTOR: &str = "system:approval_link";

/// How the answer names a client who gave no name.
const UNNAMED: &str = "Клиент (по ссылке)";

/// An approval link's token.
pub struct Token {
    work_order_id: Uuid,
    secret: [u8; 32],
}

impl Token {
    /// A new token for the order, from the operating system's random source.
    pub fn new(work_order_id: Uuid) -> Self {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Self {
            work_order_id,
            secret,
        }
    }

    /// The token as presented; anything else reads as no link at all.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| aggregates::DomainError::ApprovalLinkNotFound)?;
        let (id, secret) = bytes
            .split_at_checked(16)
            .filter(|(_, secret)| secret.len() == 32)
            .ok_or(aggregates::DomainError::ApprovalLinkNotFound)?;
        let work_order_id =
            Uuid::from_slice(id).map_err(|_| aggregates::DomainError::ApprovalLinkNotFound)?;
        let mut token = Self {
            work_order_id,
            secret: [0; 32],
        };
        token.secret.copy_from_slice(secret);
        Ok(token)
    }

    /// The token's text, for the link the advisor sends.
    pub fn text(&self) -> String {
        let mut bytes = Vec::with_capacity(48);
        bytes.extend_from_slice(self.work_order_id.as_bytes());
        bytes.extend_from_slice(&self.secret);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// What the order keeps: SHA-256 of the random part, hex.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.secret))
    }
}

/// The page's request for what the link shows.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewBody {
    /// The link's token.
    pub token: String,
}

/// The client's answer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The link's token.
    pub token: String,
    /// The estimate's revision the page showed.
    pub revision: String,
    /// A decision for every line awaiting one.
    pub decisions: Vec<DecisionBody>,
    /// The client's name, if they gave it.
    #[serde(default)]
    pub name: Option<String>,
}

/// A line as the client's page shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShownLine {
    /// The line.
    pub line_id: Uuid,
    /// `labour`, `parts` or `client_part`.
    pub kind: String,
    /// What is done or fitted.
    pub description: String,
    /// Norm-hours in tenths for labour, quantity in thousandths for parts.
    pub quantity: u32,
    /// Rate or unit price, kopecks.
    pub unit_price_kopecks: i64,
    /// The line's discount, kopecks.
    pub discount_kopecks: i64,
    /// What the client pays for it, kopecks.
    pub amount_kopecks: i64,
    /// Approved already (at the desk or on the phone).
    pub approved: bool,
}

/// The estimate's totals, as the domain computed them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShownTotals {
    /// Labour before discounts.
    pub labour_kopecks: i64,
    /// Parts before discounts.
    pub parts_kopecks: i64,
    /// All discounts.
    pub discount_kopecks: i64,
    /// What the client pays.
    pub total_kopecks: i64,
    /// The VAT rate, basis points.
    pub vat_rate_bp: u16,
    /// VAT included in the total.
    pub vat_kopecks: i64,
}

/// The car.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShownVehicle {
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// Registration plate, if any.
    pub plate: Option<String>,
    /// Year.
    pub year: Option<u16>,
}

/// What the client's page shows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovalView {
    /// The shop's name.
    pub shop_name: String,
    /// The work order's number.
    pub work_order_number: String,
    /// The car.
    pub vehicle: ShownVehicle,
    /// The lines.
    pub lines: Vec<ShownLine>,
    /// The totals.
    pub totals: ShownTotals,
    /// The revision the answer must name.
    pub revision: String,
    /// When the link stops working.
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<Utc>,
}

/// The answer recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnswerRecorded {
    /// Lines approved.
    pub approved: usize,
    /// Lines declined.
    pub declined: usize,
    /// When it was recorded.
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}

/// Who sent the request, as the server saw them.
pub struct Visitor {
    /// The client's address, when the server knows its peers'.
    pub address: Option<IpAddr>,
    /// Their browser.
    pub user_agent: String,
}

/// A request a link's token admitted: the order it names, as the log holds it now, and the link's
/// hash, the link found usable on that order.
struct Admitted {
    id: String,
    order: WorkOrder,
    hash: String,
    issued_by: EmployeeId,
    opened: bool,
    now: DateTime<Utc>,
}

async fn admit(services: &Services, token: &str) -> Result<Admitted, ApiError> {
    let token = Token::parse(token)?;
    let id = token.work_order_id.to_string();
    let stream = StreamId::new(WorkOrder::STREAM_TYPE, &id);
    let now = Utc::now();
    let order = load::<WorkOrder>(services, &stream).await?.state;
    let hash = token.hash();
    let link = order.usable_link(&hash, now)?;
    Ok(Admitted {
        issued_by: link.issued_by,
        opened: link.opened_at.is_some(),
        id,
        order,
        hash,
        now,
    })
}

/// The link's page: the estimate, once the token is checked; the first opening is recorded.
pub async fn view(
    services: &Services,
    body: ViewBody,
    visitor: Visitor,
) -> Result<ApprovalView, ApiError> {
    let Admitted {
        id,
        mut order,
        hash,
        issued_by,
        opened,
        now,
    } = admit(services, &body.token).await?;
    if !opened {
        let command = WorkOrderCommand::OpenApprovalLink {
            token_hash: hash.clone(),
            address: visitor.address.map(|a| a.to_string()).unwrap_or_default(),
            user_agent: visitor.user_agent,
            at: now,
        };
        // The page is drawn from the order as the opening leaves it: the decision the pipeline
        // records, applied to the order admitted instead of reading the stream again.
        let opening = order.decide(command.clone())?;
        execute_admitted::<WorkOrder>(services, &id, ACTOR, issued_by, command).await?;
        order = opening.iter().fold(order, WorkOrder::evolve);
    }
    let link = order.usable_link(&hash, now)?;
    let settings = load::<Settings>(services, &StreamId::new("settings", &services.shop))
        .await?
        .state;
    let vehicle = match order.vehicle_id {
        Some(vehicle) => {
            load::<Vehicle>(services, &StreamId::new("vehicle", vehicle.to_string()))
                .await?
                .state
        }
        None => Vehicle::default(),
    };
    let shown = order.shown_estimate();
    let approved = |line_id: LineId| {
        let approved = |a: &Approval| matches!(a, Approval::Approved { .. });
        order
            .labour
            .iter()
            .any(|l| l.line_id == line_id && approved(&l.approval))
            || order
                .parts
                .iter()
                .any(|l| l.line_id == line_id && approved(&l.approval))
    };
    Ok(ApprovalView {
        shop_name: settings.shop_name.unwrap_or_default(),
        work_order_number: order.number.clone(),
        vehicle: ShownVehicle {
            make: vehicle.make,
            model: vehicle.model,
            plate: vehicle.plate.map(|p| p.as_str().to_owned()),
            year: vehicle.year,
        },
        lines: shown
            .lines
            .iter()
            .map(|line| ShownLine {
                line_id: line.line_id.0,
                kind: match line.kind {
                    InvoiceLineKind::Labour => "labour",
                    InvoiceLineKind::Parts => "parts",
                    InvoiceLineKind::ClientPart => "client_part",
                }
                .to_owned(),
                description: line.description.clone(),
                quantity: line.quantity,
                unit_price_kopecks: line.unit_price.as_kopecks(),
                discount_kopecks: line.discount.as_kopecks(),
                amount_kopecks: line.amount.as_kopecks(),
                approved: approved(line.line_id),
            })
            .collect(),
        totals: ShownTotals {
            labour_kopecks: shown.totals.labour.as_kopecks(),
            parts_kopecks: shown.totals.parts.as_kopecks(),
            discount_kopecks: shown.totals.discount.as_kopecks(),
            total_kopecks: shown.totals.total.as_kopecks(),
            vat_rate_bp: shown.totals.vat_rate.basis_points(),
            vat_kopecks: shown.totals.vat.as_kopecks(),
        },
        revision: link.revision.clone(),
        expires_at: link.expires_at,
    })
}

/// The client's answer: every waiting line decided, once, for the revision shown.
pub async fn answer(
    services: &Services,
    body: AnswerBody,
    visitor: Visitor,
) -> Result<AnswerRecorded, ApiError> {
    let Admitted {
        id,
        hash,
        issued_by,
        now,
        ..
    } = admit(services, &body.token).await?;
    let decisions: Vec<(LineId, LineDecision)> = body
        .decisions
        .into_iter()
        .map(|d| (LineId(d.line_id), d.decision))
        .collect();
    let approved = decisions
        .iter()
        .filter(|(_, d)| *d == LineDecision::Approve)
        .count();
    let declined = decisions.len() - approved;
    let command = WorkOrderCommand::AnswerApprovalLink {
        token_hash: hash,
        revision: body.revision,
        decisions,
        by: body
            .name
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| UNNAMED.to_owned()),
        address: visitor.address.map(|a| a.to_string()).unwrap_or_default(),
        user_agent: visitor.user_agent,
        at: now,
    };
    execute_admitted::<WorkOrder>(services, &id, ACTOR, issued_by, command).await?;
    Ok(AnswerRecorded {
        approved,
        declined,
        at: now,
    })
}
