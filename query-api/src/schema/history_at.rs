//! The auditor's time travel: a work order as it was after any event of its history.
//!
//! Folded from the log with the domain's own `evolve`, as the replay tool folds it (on the one path
//! of every record's time travel, [`super::history_at_records`]), and its totals from the domain's
//! own `totals`: never from a read model (which holds only today's card) and never recomputed here,
//! so what the auditor sees is what the domain decided then. Personal fields (who approved a line)
//! are worded as [`HIDDEN`]: the query API holds no data keys.

use aggregates::work_order::{
    Approval, ApprovalChannel, LabourProgress, PricedLine, Totals, WorkOrder,
};
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::GqlResult;
use crate::money::Rub;
use crate::schema::history::HIDDEN;
use crate::schema::history_at_records::{decimal, record_at, rub, After};

/// A work order as it stood after one event of its history.
#[derive(SimpleObject)]
pub struct WorkOrderState {
    /// The order's id.
    pub id: Uuid,
    /// The event the state is after (its version in the order's stream).
    pub version: i64,
    /// The stream's last version now: the far end of the auditor's slider.
    pub last_version: i64,
    /// When that event was recorded.
    pub at: DateTime<Utc>,
    /// That event's type.
    pub event_type: String,
    /// Its number.
    pub number: String,
    /// `draft`, `accepted`, `approved`, `in_progress`, `completed`, `closed` or `cancelled`.
    pub status: String,
    /// The client.
    pub client_id: Option<Uuid>,
    /// The vehicle.
    pub vehicle_id: Option<Uuid>,
    /// Odometer at intake, once the car was received.
    pub mileage_km: Option<i32>,
    /// The client's complaints at intake.
    pub complaints: Option<String>,
    /// When the client was promised the car.
    pub promised_at: Option<DateTime<Utc>>,
    /// The lines then: labour in the order added, then parts.
    pub lines: Vec<LineState>,
    /// The totals then, as the domain computes them.
    pub totals: TotalsState,
}

/// A line as it stood then.
#[derive(SimpleObject)]
pub struct LineState {
    /// The line's id.
    pub id: Uuid,
    /// `labour`, `parts` or `client_part`.
    pub kind: String,
    /// The work or the part.
    pub description: String,
    /// Part number.
    pub part_number: Option<String>,
    /// Norm-hours or quantity, as a decimal with three places (as the card shows it).
    pub quantity: String,
    /// Rate or unit price.
    pub unit_price: Rub,
    /// Discount, hundredths of a percent.
    pub discount_bp: i32,
    /// Discount amount.
    pub discount: Rub,
    /// Amount after discount.
    pub amount: Rub,
    /// `not_started`, `started` or `finished` (labour).
    pub progress: Option<String>,
    /// `pending` or `approved`.
    pub approval: String,
    /// Who approved it: hidden (personal data; the query API holds no keys).
    pub approved_by: Option<String>,
    /// How: `in_person`, `phone` or `link`.
    pub approval_channel: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
}

/// A work order's money then.
#[derive(SimpleObject)]
pub struct TotalsState {
    /// Labour before discounts.
    pub labour: Rub,
    /// Parts before discounts.
    pub parts: Rub,
    /// All discounts.
    pub discount: Rub,
    /// What the client pays.
    pub total: Rub,
    /// VAT inside the total.
    pub vat: Rub,
    /// The VAT rate, hundredths of a percent.
    pub vat_rate_bp: i32,
}

/// The time travel's root field.
#[derive(Default)]
pub struct HistoryAtQuery;

#[Object]
impl HistoryAtQuery {
    /// A work order as it was after event `version` of its history, or at the instant `at` (the
    /// last event recorded by then); neither: as it is now. Null when the order did not exist then.
    async fn work_order_at(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: Option<i32>,
        at: Option<DateTime<Utc>>,
    ) -> GqlResult<Option<WorkOrderState>> {
        record_at(ctx, id, version, at, work_order_state).await
    }
}

/// Any stream of the work order's type is shown once it has an event: the opening is the first.
fn work_order_state(order: &WorkOrder, after: After<'_>) -> Option<WorkOrderState> {
    let labour = order.labour.iter().map(|line| {
        let (approved_by, approval_channel, approved_at) = approval(&line.approval);
        LineState {
            id: line.line_id.0,
            kind: "labour".to_owned(),
            description: line.service.name().to_owned(),
            part_number: None,
            // Norm-hours are kept in tenths; the card shows every quantity with three places.
            quantity: decimal(line.norm_hours.tenths() * 100),
            unit_price: rub(line.rate),
            discount_bp: i32::from(line.discount.basis_points()),
            discount: rub(line.discount_amount()),
            amount: rub(line.amount()),
            progress: Some(
                match line.progress {
                    LabourProgress::NotStarted => "not_started",
                    LabourProgress::Started => "started",
                    LabourProgress::Finished => "finished",
                }
                .to_owned(),
            ),
            approval: approval_state(&line.approval),
            approved_by,
            approval_channel,
            approved_at,
        }
    });
    let parts = order.parts.iter().map(|line| {
        let (approved_by, approval_channel, approved_at) = approval(&line.approval);
        LineState {
            id: line.line_id.0,
            kind: if line.client_supplied {
                "client_part"
            } else {
                "parts"
            }
            .to_owned(),
            description: line.name.clone(),
            part_number: Some(line.part_number.clone()),
            quantity: decimal(line.quantity.thousandths()),
            unit_price: rub(line.unit_price),
            discount_bp: i32::from(line.discount.basis_points()),
            discount: rub(line.discount_amount()),
            amount: rub(line.amount()),
            progress: None,
            approval: approval_state(&line.approval),
            approved_by,
            approval_channel,
            approved_at,
        }
    });
    let intake = order.intake.as_ref();
    Some(WorkOrderState {
        id: after.id,
        version: after.version(),
        last_version: after.last_version,
        at: after.event.recorded_at,
        event_type: after.event.event_type.clone(),
        number: order.number.clone(),
        status: order.status.as_str().to_owned(),
        client_id: order.client_id.map(|c| c.0),
        vehicle_id: order.vehicle_id.map(|v| v.0),
        mileage_km: intake.map(|i| i32::try_from(i.mileage_km).unwrap_or(i32::MAX)),
        complaints: intake.map(|i| i.complaints.clone()),
        promised_at: order.promised_at,
        lines: labour.chain(parts).collect(),
        totals: totals(order.totals()),
    })
}

/// A work order's totals, as the card and an invoice's frozen basis hold them.
pub(super) fn totals(t: Totals) -> TotalsState {
    TotalsState {
        labour: rub(t.labour),
        parts: rub(t.parts),
        discount: rub(t.discount),
        total: rub(t.total),
        vat: rub(t.vat),
        vat_rate_bp: i32::from(t.vat_rate.basis_points()),
    }
}

fn approval_state(approval: &Approval) -> String {
    match approval {
        Approval::Pending => "pending",
        Approval::Approved { .. } => "approved",
    }
    .to_owned()
}

/// Who, how and when a line was approved. Who is personal (a name): the query API holds no keys
/// and cannot tell a live client's from an erased one's, so it is always worded as [`HIDDEN`].
fn approval(approval: &Approval) -> (Option<String>, Option<String>, Option<DateTime<Utc>>) {
    match approval {
        Approval::Pending => (None, None, None),
        Approval::Approved { record } => (
            Some(HIDDEN.to_owned()),
            Some(
                match record.channel {
                    ApprovalChannel::InPerson => "in_person",
                    ApprovalChannel::Phone { .. } => "phone",
                    ApprovalChannel::Link { .. } => "link",
                }
                .to_owned(),
            ),
            Some(record.at),
        ),
    }
}
