//! The owner's reports' facts: what was sold, invoiced, paid, opened, handed over and recommended,
//! and which labour lines' work finished with how many norm-hours (the mechanics' выработка).
//!
//! Each event gives zero or more facts ([`facts_of`]), the same whichever store keeps them: the
//! `analytics` projector writes them to PostgreSQL (`read.fact_*`, where the reports run when no
//! ClickHouse is configured) and the ClickHouse sink (`clickhouse_facts`) writes them there. A fact is
//! never changed once written and has an id of its own, so a replayed batch adds nothing.
//!
//! Days are UTC days.
//!
//! Facts hold no personal data: a client is an id, work is described as the invoice describes it.
//! Only invoice and work-order streams give facts, so an erasure (`ClientPersonalDataErased`,
//! `EmployeePersonalDataErased`) changes none, and the reports' figures stay as they were.

use aggregates::invoice::{Invoice, InvoiceEvent};
use aggregates::money::round_half_up;
use aggregates::work_order::{InvoiceLineKind, WorkOrder, WorkOrderEvent};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::{LogEvent, RecordedEvent};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::runtime::apply_as_batch;
use crate::support::{decode, record_id, version};
use crate::{Projection, ProjectionError};

/// An invoice as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFact {
    /// The invoice.
    pub invoice_id: Uuid,
    /// The work order it bills.
    pub work_order_id: Uuid,
    /// The order's client.
    pub client_id: Uuid,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Its total, kopecks.
    pub total: i64,
}

/// One line of an issued invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    /// The invoice.
    pub invoice_id: Uuid,
    /// The work order line it comes from.
    pub line_id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// When the invoice was issued.
    pub issued_at: DateTime<Utc>,
    /// `labour`, `parts` or `client_part`.
    pub kind: &'static str,
    /// What was done or sold, as written on the invoice.
    pub description: String,
    /// The description folded for grouping (case and spacing ignored).
    pub item_key: String,
    /// Tenths of a norm-hour for labour, thousandths for parts.
    pub quantity: u32,
    /// The line's amount after discount, kopecks.
    pub amount: i64,
}

/// An invoice voided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceVoid {
    /// The invoice.
    pub invoice_id: Uuid,
    /// When.
    pub voided_at: DateTime<Utc>,
}

/// A payment or a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyMovement {
    /// The payment's or refund's id.
    pub movement_id: Uuid,
    /// The invoice.
    pub invoice_id: Uuid,
    /// `payment` or `refund`.
    pub kind: &'static str,
    /// When.
    pub at: DateTime<Utc>,
    /// How much, kopecks, positive either way.
    pub amount: i64,
}

/// A step of a work order's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderMilestone {
    /// The event that made it.
    pub event_id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// `opened`, `completed`, `closed`, `cancelled` or `reopened`.
    pub kind: &'static str,
    /// When.
    pub at: DateTime<Utc>,
    /// The car, on `opened`.
    pub vehicle_id: Option<Uuid>,
}

/// A labour line given to a mechanic (or taken from one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMechanic {
    /// The event that did it.
    pub event_id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// The labour line.
    pub line_id: Uuid,
    /// The mechanic, or none.
    pub mechanic_id: Option<Uuid>,
    /// The order's version then: the latest wins.
    pub version: i64,
}

/// A labour line's norm-hours as an event set them (added or changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineNorms {
    /// The event that set them.
    pub event_id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// The labour line.
    pub line_id: Uuid,
    /// Tenths of a norm-hour.
    pub tenths: u32,
    /// The order's version then: the latest wins.
    pub version: i64,
}

/// A labour line's work finished (again, after a reopening: the latest counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabourDone {
    /// The event.
    pub event_id: Uuid,
    /// The work order.
    pub work_order_id: Uuid,
    /// The labour line.
    pub line_id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// The order's version then: the latest wins.
    pub version: i64,
}

/// Further work recommended to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationFact {
    /// The work order it was made on.
    pub work_order_id: Uuid,
    /// The recommendation.
    pub recommendation_id: Uuid,
    /// What is recommended.
    pub text: String,
    /// The text folded like a sale line's `item_key`, to find it sold later.
    pub item_key: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// One fact for the reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// An invoice issued.
    Invoice(InvoiceFact),
    /// A line of it.
    SaleLine(SaleLine),
    /// An invoice voided.
    InvoiceVoid(InvoiceVoid),
    /// A payment or refund.
    Money(MoneyMovement),
    /// A work order's step.
    Milestone(OrderMilestone),
    /// A labour line's mechanic.
    LineMechanic(LineMechanic),
    /// A recommendation.
    Recommendation(RecommendationFact),
    /// A labour line's norm-hours.
    LineNorms(LineNorms),
    /// A labour line's work finished.
    LabourDone(LabourDone),
}

/// Case and spacing folded, so "Замена  масла" and "замена масла" are one item.
pub fn item_key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn line_kind(kind: InvoiceLineKind) -> &'static str {
    match kind {
        InvoiceLineKind::Labour => "labour",
        InvoiceLineKind::Parts => "parts",
        InvoiceLineKind::ClientPart => "client_part",
    }
}

/// Whether an event can give facts at all.
pub fn gives_facts(event: &impl LogEvent) -> bool {
    let stream_type = event.stream().stream_type.as_str();
    stream_type == Invoice::STREAM_TYPE || stream_type == WorkOrder::STREAM_TYPE
}

/// The facts an event gives.
pub fn facts_of(event: &impl LogEvent) -> Result<Vec<Fact>, ProjectionError> {
    if !gives_facts(event) {
        return Ok(Vec::new());
    }
    let record = record_id(event)?;
    if event.stream().stream_type == Invoice::STREAM_TYPE {
        return Ok(invoice_facts(record, decode(event)?));
    }
    let milestone = |kind, at| {
        Fact::Milestone(OrderMilestone {
            event_id: event.event_id(),
            work_order_id: record,
            kind,
            at,
            vehicle_id: None,
        })
    };
    let assigned = |line_id: aggregates::ids::LineId, mechanic: Option<Uuid>| {
        Fact::LineMechanic(LineMechanic {
            event_id: event.event_id(),
            work_order_id: record,
            line_id: line_id.0,
            mechanic_id: mechanic,
            version: version(event),
        })
    };
    let norms = |line_id: aggregates::ids::LineId, norm_hours: aggregates::money::NormHours| {
        Fact::LineNorms(LineNorms {
            event_id: event.event_id(),
            work_order_id: record,
            line_id: line_id.0,
            tenths: norm_hours.tenths(),
            version: version(event),
        })
    };
    let recommended = |recommendation: aggregates::work_order::Recommendation| {
        Fact::Recommendation(RecommendationFact {
            work_order_id: record,
            recommendation_id: recommendation.recommendation_id.0,
            item_key: item_key(&recommendation.text),
            text: recommendation.text,
            at: recommendation.at,
        })
    };
    let fact = match decode::<WorkOrderEvent>(event)? {
        WorkOrderEvent::WorkOrderOpened { vehicle_id, at, .. } => Fact::Milestone(OrderMilestone {
            event_id: event.event_id(),
            work_order_id: record,
            kind: "opened",
            at,
            vehicle_id: Some(vehicle_id.0),
        }),
        WorkOrderEvent::WorkOrderCompleted { at, .. } => milestone("completed", at),
        WorkOrderEvent::WorkOrderClosed { at, .. } => milestone("closed", at),
        WorkOrderEvent::WorkOrderCancelled { at, .. } => milestone("cancelled", at),
        WorkOrderEvent::WorkOrderReopened { at, .. } => milestone("reopened", at),
        WorkOrderEvent::LabourLineAdded {
            line_id,
            mechanic,
            norm_hours,
            ..
        } => {
            return Ok(vec![
                assigned(line_id, mechanic.map(|m| m.0)),
                norms(line_id, norm_hours),
            ])
        }
        WorkOrderEvent::MechanicAssigned { line_id, mechanic } => {
            assigned(line_id, mechanic.map(|m| m.0))
        }
        WorkOrderEvent::LabourLineChanged {
            line_id,
            norm_hours,
            ..
        } => norms(line_id, norm_hours),
        WorkOrderEvent::LabourFinished { line_id, at } => Fact::LabourDone(LabourDone {
            event_id: event.event_id(),
            work_order_id: record,
            line_id: line_id.0,
            at,
            version: version(event),
        }),
        WorkOrderEvent::LabourStarted {
            line_id, mechanic, ..
        } => assigned(line_id, Some(mechanic.0)),
        WorkOrderEvent::RecommendationAdded { recommendation }
        | WorkOrderEvent::LineDeclined { recommendation, .. } => recommended(recommendation),
        // No report reads these (a promised time is the board's, not yet a report's: promises kept
        // would need it as a fact of its own). Listed, not matched by `_`, so a new event type has
        // to be decided on here.
        WorkOrderEvent::VehicleAccepted { .. }
        | WorkOrderEvent::PartsLineAdded { .. }
        | WorkOrderEvent::PartsLineChanged { .. }
        | WorkOrderEvent::LineRemoved { .. }
        | WorkOrderEvent::LineApproved { .. }
        | WorkOrderEvent::EstimateApproved { .. }
        | WorkOrderEvent::WorkStarted { .. }
        | WorkOrderEvent::PromisedTimeSet { .. }
        // How the client was asked is the card's; the decisions are the lines' own events.
        | WorkOrderEvent::ApprovalLinkIssued { .. }
        | WorkOrderEvent::ApprovalLinkOpened { .. }
        | WorkOrderEvent::ApprovalLinkRevoked { .. }
        | WorkOrderEvent::ApprovalLinkVoided { .. }
        | WorkOrderEvent::ApprovalLinkAnswered { .. } => return Ok(Vec::new()),
    };
    Ok(vec![fact])
}

fn invoice_facts(invoice_id: Uuid, event: InvoiceEvent) -> Vec<Fact> {
    match event {
        InvoiceEvent::InvoiceIssued {
            basis, amount, at, ..
        } => {
            let order_total = basis.totals.total.as_kopecks();
            // An invoice for a part of the order (one of several payers) counts its part of each
            // line, so the parts of one order add up to its sales once, not once per payer.
            let share = |figure: i64| match amount {
                Some(part) if order_total > 0 => round_half_up(
                    i128::from(figure) * i128::from(part.as_kopecks()),
                    i128::from(order_total),
                ),
                _ => figure,
            };
            let mut facts = Vec::with_capacity(basis.lines.len() + 1);
            facts.push(Fact::Invoice(InvoiceFact {
                invoice_id,
                work_order_id: basis.work_order_id.0,
                client_id: basis.client_id.0,
                issued_at: at,
                total: amount.map_or(order_total, |part| part.as_kopecks()),
            }));
            facts.extend(basis.lines.into_iter().map(|line| {
                Fact::SaleLine(SaleLine {
                    invoice_id,
                    line_id: line.line_id.0,
                    work_order_id: basis.work_order_id.0,
                    issued_at: at,
                    kind: line_kind(line.kind),
                    item_key: item_key(&line.description),
                    description: line.description,
                    quantity: u32::try_from(share(i64::from(line.quantity)))
                        .unwrap_or(line.quantity),
                    amount: share(line.amount.as_kopecks()),
                })
            }));
            facts
        }
        InvoiceEvent::PaymentRecorded {
            payment_id,
            amount,
            at,
            ..
        } => vec![Fact::Money(MoneyMovement {
            movement_id: payment_id.0,
            invoice_id,
            kind: "payment",
            at,
            amount: amount.as_kopecks(),
        })],
        InvoiceEvent::RefundRecorded {
            refund_id,
            amount,
            at,
            ..
        } => vec![Fact::Money(MoneyMovement {
            movement_id: refund_id.0,
            invoice_id,
            kind: "refund",
            at,
            amount: amount.as_kopecks(),
        })],
        InvoiceEvent::InvoiceVoided { at, .. } => vec![Fact::InvoiceVoid(InvoiceVoid {
            invoice_id,
            voided_at: at,
        })],
    }
}

/// Writes the facts into `read.fact_*`.
#[derive(Debug, Clone, Copy)]
pub struct AnalyticsProjection;

impl Projection for AnalyticsProjection {
    const NAME: &'static str = "analytics";
    // 2: the facts of выработка (`fact_line_norms`, `fact_labour_finished`), filled from history.
    const VERSION: u32 = 2;
    const TABLES: &'static [&'static str] = &[
        "read.fact_invoices",
        "read.fact_sales_lines",
        "read.fact_invoice_voids",
        "read.fact_money_movements",
        "read.fact_order_milestones",
        "read.fact_line_mechanics",
        "read.fact_recommendations",
        "read.fact_line_norms",
        "read.fact_labour_finished",
    ];

    fn handles(&self, event: &RecordedEvent) -> bool {
        gives_facts(event)
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        apply_as_batch(self, tx, event).await
    }

    /// A batch's facts go in with one statement per kind: a rebuild reads history in batches of
    /// hundreds of events, and a statement per fact made the round trips most of its time.
    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let mut applied = 0;
        let mut first = None;
        let mut facts = Facts::default();
        for (index, event) in events.iter().enumerate() {
            if !self.handles(event) {
                continue;
            }
            applied += 1;
            first.get_or_insert(index);
            facts.extend(facts_of(event).map_err(|e| (index, e))?);
        }
        facts.write(tx).await.map_err(|e| (first.unwrap_or(0), e))?;
        Ok(applied)
    }
}

/// Facts gathered by kind, to be written together.
#[derive(Debug, Default)]
struct Facts {
    invoices: Vec<InvoiceFact>,
    sale_lines: Vec<SaleLine>,
    voids: Vec<InvoiceVoid>,
    money: Vec<MoneyMovement>,
    milestones: Vec<OrderMilestone>,
    line_mechanics: Vec<LineMechanic>,
    recommendations: Vec<RecommendationFact>,
    line_norms: Vec<LineNorms>,
    labour_done: Vec<LabourDone>,
}

/// One column of a kind of fact, for `UNNEST`.
fn column<F, T>(facts: &[F], value: impl Fn(&F) -> T) -> Vec<T> {
    facts.iter().map(value).collect()
}

impl Facts {
    fn extend(&mut self, facts: Vec<Fact>) {
        for fact in facts {
            match fact {
                Fact::Invoice(f) => self.invoices.push(f),
                Fact::SaleLine(f) => self.sale_lines.push(f),
                Fact::InvoiceVoid(f) => self.voids.push(f),
                Fact::Money(f) => self.money.push(f),
                Fact::Milestone(f) => self.milestones.push(f),
                Fact::LineMechanic(f) => self.line_mechanics.push(f),
                Fact::Recommendation(f) => self.recommendations.push(f),
                Fact::LineNorms(f) => self.line_norms.push(f),
                Fact::LabourDone(f) => self.labour_done.push(f),
            }
        }
    }

    /// Writes every fact once: the runtime applies each event once, and the keys make sure of it
    /// (a fact met twice, in the log or in one batch, is kept once).
    async fn write(self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        let f = &self.invoices;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_invoices
                    (invoice_id, work_order_id, client_id, issued_at, total)
                 SELECT invoice_id, work_order_id, client_id, issued_at, total / 100.0
                   FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::bigint[])
                     AS f(invoice_id, work_order_id, client_id, issued_at, total)
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.invoice_id),
                &column(f, |f| f.work_order_id),
                &column(f, |f| f.client_id),
                &column(f, |f| f.issued_at),
                &column(f, |f| f.total),
            )
            .execute(&mut *tx)
            .await?;
        }
        let f = &self.sale_lines;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_sales_lines (invoice_id, line_id, work_order_id, issued_at,
                        kind, description, item_key, quantity, amount)
                 SELECT invoice_id, line_id, work_order_id, issued_at, kind, description, item_key,
                        quantity, amount / 100.0
                   FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[],
                               $6::text[], $7::text[], $8::int[], $9::bigint[])
                     AS f(invoice_id, line_id, work_order_id, issued_at, kind, description, item_key,
                          quantity, amount)
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.invoice_id),
                &column(f, |f| f.line_id),
                &column(f, |f| f.work_order_id),
                &column(f, |f| f.issued_at),
                &column(f, |f| f.kind.to_owned()),
                &column(f, |f| f.description.clone()),
                &column(f, |f| f.item_key.clone()),
                &column(f, |f| i32::try_from(f.quantity).unwrap_or(i32::MAX)),
                &column(f, |f| f.amount),
            )
            .execute(&mut *tx)
            .await?;
        }
        let f = &self.voids;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_invoice_voids (invoice_id, voided_at)
                 SELECT * FROM UNNEST($1::uuid[], $2::timestamptz[])
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.invoice_id),
                &column(f, |f| f.voided_at),
            )
            .execute(&mut *tx)
            .await?;
        }
        let f = &self.money;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_money_movements (movement_id, invoice_id, kind, at, amount)
                 SELECT movement_id, invoice_id, kind, at, amount / 100.0
                   FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::bigint[])
                     AS f(movement_id, invoice_id, kind, at, amount)
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.movement_id),
                &column(f, |f| f.invoice_id),
                &column(f, |f| f.kind.to_owned()),
                &column(f, |f| f.at),
                &column(f, |f| f.amount),
            )
            .execute(&mut *tx)
            .await?;
        }
        let f = &self.milestones;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_order_milestones (event_id, work_order_id, kind, at, vehicle_id)
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::uuid[])
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.event_id),
                &column(f, |f| f.work_order_id),
                &column(f, |f| f.kind.to_owned()),
                &column(f, |f| f.at),
                &column(f, |f| f.vehicle_id) as &[Option<Uuid>],
            )
            .execute(&mut *tx)
            .await?;
        }
        let f = &self.line_mechanics;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_line_mechanics
                    (event_id, work_order_id, line_id, mechanic_id, version)
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[])
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.event_id),
                &column(f, |f| f.work_order_id),
                &column(f, |f| f.line_id),
                &column(f, |f| f.mechanic_id) as &[Option<Uuid>],
                &column(f, |f| f.version),
            )
            .execute(&mut *tx)
            .await?;
        }
        let f = &self.recommendations;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_recommendations
                    (work_order_id, recommendation_id, text, item_key, at)
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.work_order_id),
                &column(f, |f| f.recommendation_id),
                &column(f, |f| f.text.clone()),
                &column(f, |f| f.item_key.clone()),
                &column(f, |f| f.at),
            )
            .execute(&mut *tx)
            .await?;
        }
        let f = &self.line_norms;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_line_norms (event_id, work_order_id, line_id, tenths, version)
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::bigint[])
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.event_id),
                &column(f, |f| f.work_order_id),
                &column(f, |f| f.line_id),
                &column(f, |f| i32::try_from(f.tenths).unwrap_or(i32::MAX)),
                &column(f, |f| f.version),
            )
            .execute(&mut *tx)
            .await?;
        }
        let f = &self.labour_done;
        if !f.is_empty() {
            sqlx::query!(
                "INSERT INTO fact_labour_finished (event_id, work_order_id, line_id, at, version)
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[],
                                      $5::bigint[])
                 ON CONFLICT DO NOTHING",
                &column(f, |f| f.event_id),
                &column(f, |f| f.work_order_id),
                &column(f, |f| f.line_id),
                &column(f, |f| f.at),
                &column(f, |f| f.version),
            )
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}
