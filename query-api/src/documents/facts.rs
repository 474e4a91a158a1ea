//! The documents' data, folded from the log: the work order, the invoice, the vehicle, the
//! settings and the shop's calendar are each folded with the domain's own `evolve` (as the
//! auditor's time travel folds them), so every figure is the domain's and every date an event's.
//!
//! The settings (requisites, texts) and the calendar (the shop's offset from UTC) are taken as
//! they stood at the document's fact (the intake, the completion, the issue, the payment): a
//! document printed again next year says what it said then. Names and phones come from the read
//! models, because the query API holds no keys to open them in the log.

use aggregates::invoice::{Invoice, InvoiceEvent, Payer};
use aggregates::planning::shop_calendar::ShopCalendar;
use aggregates::settings::Settings;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::{
    Approval, ApprovalChannel, InvoiceLine, InvoiceLineKind, PricedLine, WorkOrder, WorkOrderStatus,
};
use aggregates::Aggregate;
use chrono::{DateTime, Duration, Utc};
use documents::model::{self, Kopecks, Line, LineKind, Party, Shop, ShopTexts};
use event_store::{EventStore, RecordedEvent, StreamId};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::QueryError;

/// Where the facts are read from.
pub(super) struct Facts<'a> {
    pub(super) pool: &'a PgPool,
    pub(super) store: &'a EventStore,
    pub(super) shop: &'a str,
    /// Whether the caller may see the client's phone (`client.read_contacts`).
    pub(super) contacts: bool,
}

/// A stream's events, or not found when it has none.
async fn stream(
    store: &EventStore,
    stream_type: &str,
    id: &str,
    what: &'static str,
) -> Result<Vec<RecordedEvent>, QueryError> {
    let events = store
        .read_stream(&StreamId::new(stream_type, id), 0)
        .await
        .map_err(projections::ProjectionError::from)?;
    if events.is_empty() {
        return Err(QueryError::NotFound { what });
    }
    Ok(events)
}

fn decode<A: Aggregate>(event: &RecordedEvent) -> Result<A::Event, QueryError> {
    <A::Event as serde::Deserialize>::deserialize(&event.payload).map_err(|e| {
        QueryError::Projection(projections::ProjectionError::Undecodable {
            event_type: event.event_type.clone(),
            reason: e.to_string(),
        })
    })
}

/// The fold of `events` recorded by `until` (all of them without it).
fn fold<A: Aggregate>(
    events: &[RecordedEvent],
    until: Option<DateTime<Utc>>,
) -> Result<A, QueryError> {
    let mut record = A::default();
    for event in events
        .iter()
        .take_while(|e| until.is_none_or(|at| e.recorded_at <= at))
    {
        record = record.evolve(&decode::<A>(event)?);
    }
    Ok(record)
}

/// When the first event of `event_type` in `events` was recorded, if there is one.
fn last_recorded(events: &[RecordedEvent], event_type: &str) -> Option<DateTime<Utc>> {
    events
        .iter()
        .rev()
        .find(|e| e.event_type == event_type)
        .map(|e| e.recorded_at)
}

/// The shop as of `at`: its settings and its offset from UTC.
pub(super) struct ShopThen {
    pub(super) shop: Shop,
    pub(super) texts: ShopTexts,
    offset: Duration,
}

impl ShopThen {
    /// An instant on the shop's clock.
    pub(super) fn instant(&self, at: DateTime<Utc>) -> model::Instant {
        use chrono::{Datelike, Timelike};
        let local = at + self.offset;
        model::Instant {
            year: local.year(),
            month: u8::try_from(local.month()).unwrap_or(1),
            day: u8::try_from(local.day()).unwrap_or(1),
            hour: u8::try_from(local.hour()).unwrap_or(0),
            minute: u8::try_from(local.minute()).unwrap_or(0),
            second: u8::try_from(local.second()).unwrap_or(0),
        }
    }
}

impl Facts<'_> {
    /// The shop's requisites, texts and clock as they stood at `at`.
    pub(super) async fn shop_at(&self, at: DateTime<Utc>) -> Result<ShopThen, QueryError> {
        let settings: Settings =
            match stream(self.store, Settings::STREAM_TYPE, self.shop, "settings").await {
                Ok(events) => fold(&events, Some(at))?,
                Err(QueryError::NotFound { .. }) => Settings::default(),
                Err(other) => return Err(other),
            };
        let calendar: ShopCalendar =
            match stream(self.store, ShopCalendar::STREAM_TYPE, self.shop, "calendar").await {
                Ok(events) => fold(&events, Some(at))?,
                Err(QueryError::NotFound { .. }) => ShopCalendar::default(),
                Err(other) => return Err(other),
            };
        let requisites = settings.requisites.as_ref();
        let shop = Shop {
            name: settings.shop_name.clone().unwrap_or_default(),
            legal_name: requisites.map(|r| r.legal_name.clone()).unwrap_or_default(),
            inn: requisites.map(|r| r.inn.to_string()).unwrap_or_default(),
            kpp: requisites.and_then(|r| r.kpp.as_ref().map(ToString::to_string)),
            ogrn: requisites.map(|r| r.ogrn.to_string()).unwrap_or_default(),
            address: requisites.map(|r| r.address.clone()).unwrap_or_default(),
            bank: requisites
                .and_then(|r| r.bank.as_ref())
                .map(|b| model::Bank {
                    name: b.bank_name.clone(),
                    bik: b.bik.to_string(),
                    account: b.account.clone(),
                    correspondent_account: b.correspondent_account.clone(),
                }),
        };
        let texts = settings
            .document_texts
            .as_ref()
            .map(|t| ShopTexts {
                guarantee: t.guarantee().to_owned(),
                notes: t.notes().to_owned(),
            })
            .unwrap_or_default();
        Ok(ShopThen {
            shop,
            texts,
            offset: Duration::minutes(i64::from(calendar.utc_offset.as_minutes())),
        })
    }

    /// The client as the read model knows them now: the name, and the phone for a caller who may
    /// see contacts.
    pub(super) async fn client(&self, client_id: Uuid) -> Result<Party, QueryError> {
        let row = sqlx::query!(
            r#"SELECT c.display_name, c.inn, c.kpp,
                      (SELECT p.phone FROM read.client_phones p
                        WHERE p.client_id = c.client_id ORDER BY p.phone LIMIT 1) AS phone
                 FROM read.clients c WHERE c.client_id = $1"#,
            client_id
        )
        .fetch_optional(self.pool)
        .await?
        .ok_or(QueryError::NotFound { what: "client" })?;
        Ok(Party {
            name: row.display_name,
            phone: row.phone.filter(|_| self.contacts),
            inn: row.inn,
            kpp: row.kpp,
        })
    }

    /// An employee's name, if the read model has them.
    async fn employee(&self, id: Uuid) -> Result<Option<String>, QueryError> {
        Ok(sqlx::query_scalar!(
            "SELECT full_name FROM read.employees WHERE employee_id = $1",
            id
        )
        .fetch_optional(self.pool)
        .await?)
    }

    /// A payment method's name from its directory, else its code.
    async fn payment_method(&self, code: &str) -> Result<String, QueryError> {
        let name = sqlx::query_scalar!(
            r#"SELECT e->>'name' AS "name"
                 FROM read.directories d, jsonb_array_elements(d.entries) e
                WHERE d.code = 'payment_methods' AND e->>'code' = $1"#,
            code
        )
        .fetch_optional(self.pool)
        .await?
        .flatten();
        Ok(name.unwrap_or_else(|| code.to_owned()))
    }

    async fn vehicle(
        &self,
        id: Uuid,
        mileage_km: Option<u32>,
    ) -> Result<model::Vehicle, QueryError> {
        let events = stream(self.store, Vehicle::STREAM_TYPE, &id.to_string(), "vehicle").await?;
        let vehicle: Vehicle = fold(&events, None)?;
        Ok(model::Vehicle {
            make: vehicle.make.clone(),
            model: vehicle.model.clone(),
            year: vehicle.year,
            vin: vehicle.vin.as_ref().map(ToString::to_string),
            plate: vehicle.plate.as_ref().map(ToString::to_string),
            mileage_km: mileage_km.or(vehicle.mileage_km),
        })
    }

    /// The work order folded from its stream, with its events.
    pub(super) async fn work_order(
        &self,
        id: Uuid,
    ) -> Result<(WorkOrder, Vec<RecordedEvent>), QueryError> {
        let events = stream(
            self.store,
            WorkOrder::STREAM_TYPE,
            &id.to_string(),
            "work order",
        )
        .await?;
        let order: WorkOrder = fold(&events, None)?;
        if order.id.is_none() {
            return Err(QueryError::NotFound { what: "work order" });
        }
        Ok((order, events))
    }

    /// The заказ-наряд: the order as it stands, dated by the intake (or the opening).
    pub(super) async fn order_document(
        &self,
        order: &WorkOrder,
        events: &[RecordedEvent],
    ) -> Result<(model::Document, model::Instant), QueryError> {
        let received = order
            .intake
            .as_ref()
            .map(|i| i.at)
            .unwrap_or_else(|| events[0].recorded_at);
        let then = self.shop_at(received).await?;
        let client_id = order
            .client_id
            .map(|c| c.0)
            .ok_or(QueryError::NotFound { what: "client" })?;
        let vehicle_id = order
            .vehicle_id
            .map(|v| v.0)
            .ok_or(QueryError::NotFound { what: "vehicle" })?;
        let intake = order.intake.as_ref();
        let advisor = match intake {
            Some(i) => self.employee(i.received_by.0).await?,
            None => None,
        };
        let approval = order
            .labour
            .iter()
            .map(|l| &l.approval)
            .chain(order.parts.iter().map(|p| &p.approval))
            .filter_map(|a| match a {
                Approval::Approved { record } => Some(record),
                Approval::Pending => None,
            })
            .max_by_key(|r| r.at)
            .map(|record| model::Approval {
                at: then.instant(record.at).date_time(),
                how: match record.channel {
                    ApprovalChannel::InPerson => "лично",
                    ApprovalChannel::Phone { .. } => "по телефону",
                    ApprovalChannel::Link { .. } => "по ссылке",
                }
                .to_owned(),
            });
        let dated = then.instant(received);
        let document = model::Document::WorkOrder(model::WorkOrderDocument {
            number: order.number.clone(),
            received_at: dated.date_time(),
            promised_at: order.promised_at.map(|at| then.instant(at).date_time()),
            client: self.client(client_id).await?,
            vehicle: self
                .vehicle(vehicle_id, intake.map(|i| i.mileage_km))
                .await?,
            complaints: intake
                .map(|i| {
                    i.complaints
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            intake_notes: intake
                .map(|i| {
                    i.visible_damage
                        .iter()
                        .chain(&i.items_left)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
            lines: self.order_lines(order).await?,
            totals: totals(&order.totals()),
            approval,
            advisor,
            shop: then.shop,
            texts: then.texts,
        });
        Ok((document, dated))
    }

    /// The акт: the order as completed, dated by its completion.
    pub(super) async fn act_document(
        &self,
        order: &WorkOrder,
        events: &[RecordedEvent],
    ) -> Result<(model::Document, model::Instant), QueryError> {
        if !matches!(
            order.status,
            WorkOrderStatus::Completed | WorkOrderStatus::Closed
        ) {
            return Err(QueryError::InvalidArgument {
                field: "id",
                reason: "the order is not completed: an act is signed at handover".into(),
                reason_ru: "заказ-наряд не завершён: акт подписывают при выдаче автомобиля".into(),
            });
        }
        let completed =
            last_recorded(events, "WorkOrderCompleted").unwrap_or(events[0].recorded_at);
        let received = order
            .intake
            .as_ref()
            .map_or(events[0].recorded_at, |i| i.at);
        let then = self.shop_at(completed).await?;
        let client_id = order
            .client_id
            .map(|c| c.0)
            .ok_or(QueryError::NotFound { what: "client" })?;
        let vehicle_id = order
            .vehicle_id
            .map(|v| v.0)
            .ok_or(QueryError::NotFound { what: "vehicle" })?;
        let dated = then.instant(completed);
        let document = model::Document::Act(model::ActDocument {
            number: order.number.clone(),
            completed_at: dated.date_time(),
            received_at: then.instant(received).date_time(),
            client: self.client(client_id).await?,
            vehicle: self
                .vehicle(vehicle_id, order.intake.as_ref().map(|i| i.mileage_km))
                .await?,
            lines: self.order_lines(order).await?,
            totals: totals(&order.totals()),
            recommendations: order
                .recommendations
                .iter()
                .map(|r| r.text.clone())
                .collect(),
            shop: then.shop,
            texts: then.texts,
        });
        Ok((document, dated))
    }

    async fn order_lines(&self, order: &WorkOrder) -> Result<Vec<Line>, QueryError> {
        let mut lines = Vec::with_capacity(order.labour.len() + order.parts.len());
        for labour in &order.labour {
            let mechanic = match labour.mechanic {
                Some(m) => self.employee(m.0).await?,
                None => None,
            };
            lines.push(Line {
                kind: LineKind::Labour,
                name: labour.service.name().to_owned(),
                part_number: None,
                quantity: decimal(u64::from(labour.norm_hours.tenths()), 10),
                unit_price: Kopecks(labour.rate.as_kopecks()),
                discount: Kopecks(labour.discount_amount().as_kopecks()),
                amount: Kopecks(labour.amount().as_kopecks()),
                mechanic,
            });
        }
        for part in &order.parts {
            lines.push(Line {
                kind: if part.client_supplied {
                    LineKind::ClientPart
                } else {
                    LineKind::Part
                },
                name: part.name.clone(),
                part_number: Some(part.part_number.clone()),
                quantity: decimal(u64::from(part.quantity.thousandths()), 1000),
                unit_price: Kopecks(part.unit_price.as_kopecks()),
                discount: Kopecks(part.discount_amount().as_kopecks()),
                amount: Kopecks(part.amount().as_kopecks()),
                mechanic: None,
            });
        }
        Ok(lines)
    }

    /// The invoice folded from its stream, with its events.
    pub(super) async fn invoice(
        &self,
        id: Uuid,
    ) -> Result<(Invoice, Vec<RecordedEvent>), QueryError> {
        let events = stream(self.store, Invoice::STREAM_TYPE, &id.to_string(), "invoice").await?;
        let invoice: Invoice = fold(&events, None)?;
        if invoice.basis.is_none() {
            return Err(QueryError::NotFound { what: "invoice" });
        }
        Ok((invoice, events))
    }

    async fn payer(&self, invoice: &Invoice) -> Result<Party, QueryError> {
        match invoice.payer.as_ref() {
            Some(Payer::Client { client_id }) => self.client(client_id.0).await,
            Some(Payer::Company {
                legal_name,
                inn,
                kpp,
            }) => Ok(Party {
                name: legal_name.clone(),
                phone: None,
                inn: Some(inn.to_string()),
                kpp: kpp.as_ref().map(ToString::to_string),
            }),
            Some(Payer::Insurer {
                legal_name,
                inn,
                policy_number,
            }) => Ok(Party {
                name: format!("{legal_name} (полис/убыток № {policy_number})"),
                phone: None,
                inn: Some(inn.to_string()),
                kpp: None,
            }),
            None => Err(QueryError::NotFound { what: "invoice" }),
        }
    }

    /// The счёт, dated by its issue.
    pub(super) async fn invoice_document(
        &self,
        invoice: &Invoice,
        events: &[RecordedEvent],
    ) -> Result<(model::Document, model::Instant), QueryError> {
        let issued = match decode::<Invoice>(&events[0])? {
            InvoiceEvent::InvoiceIssued { at, .. } => at,
            _ => events[0].recorded_at,
        };
        let then = self.shop_at(issued).await?;
        let basis = invoice
            .basis
            .as_ref()
            .ok_or(QueryError::NotFound { what: "invoice" })?;
        let dated = then.instant(issued);
        let document = model::Document::Invoice(model::InvoiceDocument {
            number: invoice.number.clone(),
            issued_at: dated.date(),
            work_order_number: basis.work_order_number.clone(),
            payer: self.payer(invoice).await?,
            lines: basis.lines.iter().map(invoice_line).collect(),
            total: Kopecks(invoice.total().as_kopecks()),
            vat: Kopecks(invoice.vat().as_kopecks()),
            vat_rate: vat_rate(basis.totals.vat_rate.basis_points()),
            shop: then.shop,
            texts: then.texts,
        });
        Ok((document, dated))
    }

    /// The квитанция of one payment: the invoice folded up to that payment, dated by it.
    pub(super) async fn receipt_document(
        &self,
        events: &[RecordedEvent],
        payment: Uuid,
    ) -> Result<(model::Document, model::Instant), QueryError> {
        let mut invoice = Invoice::default();
        let mut number = 0u32;
        for event in events {
            let decoded = decode::<Invoice>(event)?;
            let taken = match &decoded {
                InvoiceEvent::PaymentRecorded {
                    payment_id,
                    amount,
                    method,
                    at,
                    ..
                } => {
                    number += 1;
                    (payment_id.0 == payment).then(|| (*amount, method.clone(), *at))
                }
                _ => None,
            };
            invoice = invoice.evolve(&decoded);
            if let Some((amount, method, at)) = taken {
                let then = self.shop_at(at).await?;
                let basis = invoice
                    .basis
                    .as_ref()
                    .ok_or(QueryError::NotFound { what: "invoice" })?;
                let dated = then.instant(at);
                let document = model::Document::Receipt(model::ReceiptDocument {
                    invoice_number: invoice.number.clone(),
                    payment_number: number,
                    paid_at: dated.date_time(),
                    work_order_number: basis.work_order_number.clone(),
                    payer: self.payer(&invoice).await?,
                    amount: Kopecks(amount.as_kopecks()),
                    method: self.payment_method(&method).await?,
                    invoice_total: Kopecks(invoice.total().as_kopecks()),
                    paid_so_far: Kopecks(invoice.net_paid().as_kopecks()),
                    balance_after: Kopecks(invoice.balance().as_kopecks()),
                    shop: then.shop,
                });
                return Ok((document, dated));
            }
        }
        Err(QueryError::NotFound { what: "payment" })
    }
}

fn invoice_line(line: &InvoiceLine) -> Line {
    let (kind, scale) = match line.kind {
        InvoiceLineKind::Labour => (LineKind::Labour, 10),
        InvoiceLineKind::Parts => (LineKind::Part, 1000),
        InvoiceLineKind::ClientPart => (LineKind::ClientPart, 1000),
    };
    Line {
        kind,
        name: line.description.clone(),
        part_number: None,
        quantity: decimal(u64::from(line.quantity), scale),
        unit_price: Kopecks(line.unit_price.as_kopecks()),
        discount: Kopecks(line.discount.as_kopecks()),
        amount: Kopecks(line.amount.as_kopecks()),
        mechanic: None,
    }
}

fn totals(t: &aggregates::work_order::Totals) -> model::Totals {
    model::Totals {
        labour: Kopecks(t.labour.as_kopecks()),
        parts: Kopecks(t.parts.as_kopecks()),
        discount: Kopecks(t.discount.as_kopecks()),
        total: Kopecks(t.total.as_kopecks()),
        vat_rate: vat_rate(t.vat_rate.basis_points()),
        vat: Kopecks(t.vat.as_kopecks()),
    }
}

/// `22 %`, `7,5 %`, or `без НДС` for a shop on a simplified regime.
fn vat_rate(basis_points: u16) -> String {
    if basis_points == 0 {
        return "без НДС".to_owned();
    }
    format!("{} %", decimal(u64::from(basis_points), 100))
}

/// `units / scale` as Russian documents write a number: `1,5`, `2`, `0,25`.
fn decimal(units: u64, scale: u64) -> String {
    let whole = units / scale;
    let fraction = units % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = usize::try_from(scale.ilog10()).unwrap_or(3);
    let digits = format!("{fraction:0width$}");
    format!("{whole},{}", digits.trim_end_matches('0'))
}
