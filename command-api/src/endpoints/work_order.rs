//! Work order commands. Opening reads the client's standing and the VAT rate; a labour line takes
//! its rate from the settings (by the catalogue service's category) at the moment it is added.
//!
//! Intake (`accept_vehicle`) is the one command that records the car's mileage: a reading below the
//! car's last one is refused (`mileage_below_last_reading`), and the intake's reading becomes the
//! car's last one in the same transaction as the event (the vehicles read model follows the event).
//!
//! The promised time is a command of its own, not a field of `open` or `accept_vehicle`: those
//! commands' events are stored as they are forever, and a promise also moves later on its own.

use aggregates::contact::Phone;
use aggregates::ids::{
    ApprovalLinkId, CatalogueServiceId, ClientId, EmployeeId, LineId, PartId, RecommendationId,
    VehicleId, WorkOrderId,
};
use aggregates::money::Money;
use aggregates::permission::Permission;
use aggregates::settings::Settings;
use aggregates::timesheet::{JobRef, Timesheet, TimesheetCommand};
use aggregates::work_order::{
    ApprovalChannel, ApprovalRecord, Intake, LabourService, LineDecision, Performer, WorkOrder,
    WorkOrderCommand, WorkOrderEvent,
};
use aggregates::DomainError;
use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{
    approval_message, kopecks, norm_hours, parts, percent, quantity, references, stock, vehicle,
};
use crate::approval_link;
use crate::pipeline::{follow_on_where_accepted, uuid_id, Context, Endpoint, FollowOn};
use crate::ApiError;

/// How the client gave their decision, as the request gives it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChannelBody {
    /// At the desk.
    InPerson,
    /// On the phone.
    Phone {
        /// The number.
        number: String,
    },
    /// Through the approval link.
    Link {
        /// Client's address.
        address: String,
        /// Client's browser.
        user_agent: String,
    },
}

/// One line's decision.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The line.
    pub line_id: Uuid,
    /// `approve` or `decline`.
    #[schema(value_type = String)]
    pub decision: LineDecision,
}

/// The work order commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum WorkOrderRequest {
    /// `open`
    Open {
        /// The client.
        client_id: Uuid,
        /// The vehicle.
        vehicle_id: Uuid,
    },
    /// `accept_vehicle` (the intake act)
    AcceptVehicle {
        /// Odometer, km.
        mileage_km: u32,
        /// The client's complaints.
        complaints: String,
        /// Fuel, eighths of a tank.
        fuel_eighths: u8,
        /// Visible damage.
        #[serde(default)]
        visible_damage: Vec<String>,
        /// Items left in the car.
        #[serde(default)]
        items_left: Vec<String>,
    },
    /// `add_labour_line`: a catalogue service (`catalogue_service_id`) or free text (`name`).
    AddLabourLine {
        /// The new line's id.
        line_id: Uuid,
        /// A catalogue service.
        catalogue_service_id: Option<Uuid>,
        /// Free-text work.
        name: Option<String>,
        /// Tenths of a norm-hour (default: the catalogue's).
        norm_hours_tenths: Option<u32>,
        /// Discount, basis points.
        discount_bp: Option<u16>,
        /// The mechanic.
        mechanic: Option<Uuid>,
    },
    /// `change_labour_line`
    ChangeLabourLine {
        /// The line.
        line_id: Uuid,
        /// Tenths of a norm-hour.
        norm_hours_tenths: u32,
        /// A new rate, kopecks (default: the line's own).
        rate_kopecks: Option<i64>,
        /// Discount, basis points.
        discount_bp: Option<u16>,
    },
    /// `assign_mechanic`
    AssignMechanic {
        /// The line.
        line_id: Uuid,
        /// The mechanic, or null.
        mechanic: Option<Uuid>,
    },
    /// `add_parts_line`: a catalogue part (`part_id`, reserved from stock unless the client's own)
    /// or a part named by hand (`part_number` and `name`).
    AddPartsLine {
        /// The new line's id.
        line_id: Uuid,
        /// A catalogue part: its stock is reserved for the line (to order, with `stock.backorder`,
        /// when not enough is free).
        part_id: Option<Uuid>,
        /// Part number (default: the catalogue part's).
        part_number: Option<String>,
        /// Part name (default: the catalogue part's).
        name: Option<String>,
        /// Quantity, thousandths.
        quantity_thousandths: u32,
        /// Unit price, kopecks (default for a catalogue part: its average purchase cost marked up by
        /// the settings' markup scale of its category; for the client's own part: zero).
        unit_price_kopecks: Option<i64>,
        /// Discount, basis points.
        discount_bp: Option<u16>,
        /// The client's own part.
        #[serde(default)]
        client_supplied: bool,
    },
    /// `change_parts_line`
    ChangePartsLine {
        /// The line.
        line_id: Uuid,
        /// Quantity, thousandths.
        quantity_thousandths: u32,
        /// Unit price, kopecks.
        unit_price_kopecks: i64,
        /// Discount, basis points.
        discount_bp: Option<u16>,
    },
    /// `remove_line`
    RemoveLine {
        /// The line.
        line_id: Uuid,
    },
    /// `start_labour` (by the mechanic sending it)
    StartLabour {
        /// The line.
        line_id: Uuid,
    },
    /// `finish_labour`
    FinishLabour {
        /// The line.
        line_id: Uuid,
    },
    /// `add_recommendation`
    AddRecommendation {
        /// The recommendation's id.
        recommendation_id: Uuid,
        /// What.
        text: String,
    },
    /// `record_approval`
    RecordApproval {
        /// Line by line.
        decisions: Vec<DecisionBody>,
        /// Who decided (the client's name).
        by: String,
        /// How.
        channel: ChannelBody,
    },
    /// `start_work`
    StartWork,
    /// `complete`
    Complete,
    /// `close` (hand-over)
    Close,
    /// `cancel`
    Cancel {
        /// Why.
        reason: String,
    },
    /// `reopen`
    Reopen {
        /// Why.
        reason: String,
    },
    /// `set_promised_time`: when the client was promised the car (срок выдачи); null clears it.
    SetPromisedTime {
        /// RFC 3339 with an offset, e.g. `2026-12-05T18:00:00+03:00`; null clears the promise.
        /// Required, null included: a body that forgot the field must not clear a promise.
        #[serde(deserialize_with = "Option::deserialize")]
        #[schema(value_type = Option<String>, format = DateTime, required = true)]
        promised_at: Option<DateTime<Utc>>,
        /// Why a promise given is moved or withdrawn (required then; the first promise needs none).
        reason: Option<String>,
    },
    /// `send_approval_link`: a link for the client to approve the estimate as it stands on their
    /// phone. The answer carries the link's token, once: the order keeps only its hash.
    SendApprovalLink {
        /// The new link's id.
        link_id: Uuid,
        /// Also send it to the client by SMS and/or e-mail, on each channel the owner wrote the
        /// approval link's template for (the answer's `messages` says what became of each: queued,
        /// or skipped with the reason). Refused with `approval_link_not_sendable` when no template
        /// is written or no public address is configured. Default false: the advisor passes the
        /// link on themselves.
        #[serde(default)]
        notify: bool,
    },
    /// `revoke_approval_link`: withdraw a link sent.
    RevokeApprovalLink {
        /// The link.
        link_id: Uuid,
    },
}

/// The acting employee, and whether they may act for other mechanics: they hold
/// `work_order.assign_mechanic` now (the advisor, the owner). Who acted is in every event's metadata.
async fn performer(context: &Context<'_>) -> Result<Performer, ApiError> {
    let (actor, _) = super::roles::actor(context).await?;
    Ok(Performer {
        employee_id: context.actor,
        for_others: actor.owner
            || actor
                .permissions
                .contains(&Permission::WorkOrderAssignMechanic),
    })
}

/// A line finished on the order (from the card, by the advisor) stops its job on the mechanic's
/// clock in the same transaction: a job left running or paused there would go on counting hours
/// against work that is done, and the mechanic's screen would still offer it. A line finished from
/// the mechanic's clock comes here as that clock's follow-on, which moves no third stream, so the
/// two never chase each other.
async fn stop_job_clock<P>(
    tx: &mut PgConnection,
    follow: &FollowOn<'_, P>,
    order: &WorkOrder,
    line_id: LineId,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(work_order_id) = order.id else {
        return Ok(());
    };
    let Some(mechanic) = order
        .labour
        .iter()
        .find(|line| line.line_id == line_id)
        .and_then(|line| line.mechanic)
    else {
        return Ok(());
    };
    let job = JobRef {
        work_order_id,
        line_id,
    };
    // A clock that refuses (not on this job, or an entry of its own after `at`) is left as it is:
    // the order's line is what the command is about.
    follow_on_where_accepted::<Timesheet, _>(tx, follow, &mechanic.0.to_string(), |_| {
        vec![TimesheetCommand::FinishJob { job, at }]
    })
    .await
}

/// The next work order number, formatted from the settings (`ЗН-2026-00042`): taken only once the
/// caller is authorised, so no number is spent on a refusal of permission.
pub(crate) async fn number(context: &Context<'_>, at: DateTime<Utc>) -> Result<String, ApiError> {
    let settings = context.load::<Settings>(&context.services.shop).await?;
    let format = settings
        .state
        .number_format
        .ok_or(DomainError::SettingMissing {
            setting: "work_order_number_format",
        })?;
    let year = at.year();
    let sequence = context.next_number("work_order", &year.to_string()).await?;
    Ok(format.format(sequence, year, at.month()))
}

impl Endpoint for WorkOrder {
    type Request = WorkOrderRequest;
    type Prepared = Option<approval_message::Ready>;

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(request: &WorkOrderRequest) -> Permission {
        use WorkOrderRequest as R;
        match request {
            R::Open { .. } => Permission::WorkOrderOpen,
            R::AcceptVehicle { .. } | R::SetPromisedTime { .. } => {
                Permission::WorkOrderAcceptVehicle
            }
            R::AddLabourLine { .. }
            | R::ChangeLabourLine { .. }
            | R::AddPartsLine { .. }
            | R::ChangePartsLine { .. }
            | R::RemoveLine { .. } => Permission::WorkOrderEditLines,
            R::AssignMechanic { .. } => Permission::WorkOrderAssignMechanic,
            R::StartLabour { .. } | R::FinishLabour { .. } => Permission::WorkOrderPerformLabour,
            R::AddRecommendation { .. } => Permission::WorkOrderAddRecommendation,
            R::RecordApproval { .. }
            | R::SendApprovalLink { .. }
            | R::RevokeApprovalLink { .. } => Permission::WorkOrderRecordApproval,
            R::StartWork | R::Complete => Permission::WorkOrderProgress,
            R::Close => Permission::WorkOrderClose,
            R::Cancel { .. } => Permission::WorkOrderCancel,
            R::Reopen { .. } => Permission::WorkOrderReopen,
        }
    }

    async fn command(
        request: WorkOrderRequest,
        context: &Context<'_>,
    ) -> Result<WorkOrderCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            WorkOrderRequest::Open {
                client_id,
                vehicle_id,
            } => {
                // An archived client is the domain's refusal (`client_archived`), from the standing.
                let client = references::client(context, client_id, true).await?;
                references::vehicle(context, vehicle_id).await?;
                let settings = context.load::<Settings>(&context.services.shop).await?;
                WorkOrderCommand::Open {
                    work_order_id: WorkOrderId(
                        Uuid::parse_str(context.id)
                            .map_err(|_| ApiError::InvalidId(context.id.into()))?,
                    ),
                    // Allocated once the caller is authorised.
                    number: String::new(),
                    client_id: ClientId(client_id),
                    client_standing: client.standing(),
                    vehicle_id: VehicleId(vehicle_id),
                    vat_rate: settings.state.vat()?,
                    opened_by: context.actor,
                    at,
                }
            }
            WorkOrderRequest::AcceptVehicle {
                mileage_km,
                complaints,
                fuel_eighths,
                visible_damage,
                items_left,
            } => {
                let order = context.load::<WorkOrder>(context.id).await?.state;
                if let Some(VehicleId(vehicle)) = order.vehicle_id {
                    vehicle::mileage_not_below(&context.services.pool, vehicle, mileage_km).await?;
                }
                WorkOrderCommand::AcceptVehicle {
                    intake: Intake {
                        mileage_km,
                        complaints,
                        fuel_eighths,
                        visible_damage,
                        items_left,
                        received_by: context.actor,
                        at,
                    },
                }
            }
            WorkOrderRequest::AddLabourLine {
                line_id,
                catalogue_service_id,
                name,
                norm_hours_tenths,
                discount_bp,
                mechanic,
            } => {
                let settings = context.load::<Settings>(&context.services.shop).await?;
                let (service, category, default_hours) = match catalogue_service_id {
                    Some(id) => {
                        let entry = references::catalogue_service(context, id).await?;
                        let service = LabourService::Catalogue {
                            service_id: CatalogueServiceId(id),
                            name: entry.name.clone(),
                        };
                        (service, entry.category, entry.norm_hours)
                    }
                    None => {
                        let name = name.ok_or(DomainError::Required { field: "name" })?;
                        (LabourService::FreeText { name }, None, None)
                    }
                };
                if let Some(mechanic) = mechanic {
                    references::active_employee(context, EmployeeId(mechanic)).await?;
                }
                let hours = match norm_hours_tenths {
                    Some(tenths) => norm_hours(tenths)?,
                    None => default_hours.ok_or(DomainError::Required {
                        field: "norm_hours_tenths",
                    })?,
                };
                WorkOrderCommand::AddLabourLine {
                    line_id: LineId(line_id),
                    service,
                    norm_hours: hours,
                    rate: settings.state.rate_for(category.as_ref())?,
                    discount: percent(discount_bp)?,
                    mechanic: mechanic.map(EmployeeId),
                }
            }
            WorkOrderRequest::ChangeLabourLine {
                line_id,
                norm_hours_tenths,
                rate_kopecks,
                discount_bp,
            } => WorkOrderCommand::ChangeLabourLine {
                line_id: LineId(line_id),
                norm_hours: norm_hours(norm_hours_tenths)?,
                rate: rate_kopecks.map(kopecks),
                discount: percent(discount_bp)?,
            },
            WorkOrderRequest::AssignMechanic { line_id, mechanic } => {
                if let Some(mechanic) = mechanic {
                    references::active_employee(context, EmployeeId(mechanic)).await?;
                }
                WorkOrderCommand::AssignMechanic {
                    line_id: LineId(line_id),
                    mechanic: mechanic.map(EmployeeId),
                }
            }
            WorkOrderRequest::AddPartsLine {
                line_id,
                part_id,
                part_number,
                name,
                quantity_thousandths,
                unit_price_kopecks,
                discount_bp,
                client_supplied,
            } => {
                let (part_number, name, unit_price) = match part_id {
                    Some(part_id) => {
                        let part = parts::active_part(context, part_id).await?;
                        let unit_price = match (unit_price_kopecks, client_supplied) {
                            (Some(price), _) => kopecks(price),
                            (None, true) => Money::ZERO,
                            (None, false) => stock::selling_price(context, &part).await?,
                        };
                        let catalogue_number = part.number.map(|n| n.as_str().to_owned());
                        (
                            part_number.or(catalogue_number).unwrap_or_default(),
                            name.unwrap_or(part.name),
                            unit_price,
                        )
                    }
                    None => (
                        part_number.unwrap_or_default(),
                        name.unwrap_or_default(),
                        match (unit_price_kopecks, client_supplied) {
                            (Some(price), _) => kopecks(price),
                            (None, true) => Money::ZERO,
                            (None, false) => {
                                return Err(DomainError::Required {
                                    field: "unit_price_kopecks",
                                }
                                .into())
                            }
                        },
                    ),
                };
                WorkOrderCommand::AddPartsLine {
                    line_id: LineId(line_id),
                    part_number,
                    name,
                    quantity: quantity(quantity_thousandths)?,
                    unit_price,
                    discount: percent(discount_bp)?,
                    client_supplied,
                    part_id: part_id.map(PartId),
                }
            }
            WorkOrderRequest::ChangePartsLine {
                line_id,
                quantity_thousandths,
                unit_price_kopecks,
                discount_bp,
            } => WorkOrderCommand::ChangePartsLine {
                line_id: LineId(line_id),
                quantity: quantity(quantity_thousandths)?,
                unit_price: kopecks(unit_price_kopecks),
                discount: percent(discount_bp)?,
            },
            WorkOrderRequest::RemoveLine { line_id } => WorkOrderCommand::RemoveLine {
                line_id: LineId(line_id),
            },
            WorkOrderRequest::StartLabour { line_id } => WorkOrderCommand::StartLabour {
                line_id: LineId(line_id),
                by: performer(context).await?,
                at,
            },
            WorkOrderRequest::FinishLabour { line_id } => WorkOrderCommand::FinishLabour {
                line_id: LineId(line_id),
                at,
                by: performer(context).await?,
            },
            WorkOrderRequest::AddRecommendation {
                recommendation_id,
                text,
            } => WorkOrderCommand::AddRecommendation {
                recommendation_id: RecommendationId(recommendation_id),
                text,
                at,
                by: performer(context).await?,
            },
            WorkOrderRequest::RecordApproval {
                decisions,
                by,
                channel,
            } => WorkOrderCommand::RecordApproval {
                decisions: decisions
                    .into_iter()
                    .map(|d| (LineId(d.line_id), d.decision))
                    .collect(),
                record: ApprovalRecord {
                    by,
                    channel: match channel {
                        ChannelBody::InPerson => ApprovalChannel::InPerson,
                        ChannelBody::Phone { number } => ApprovalChannel::Phone {
                            number: Phone::parse(&number)?,
                        },
                        ChannelBody::Link {
                            address,
                            user_agent,
                        } => ApprovalChannel::Link {
                            address,
                            user_agent,
                        },
                    },
                    at,
                },
            },
            WorkOrderRequest::StartWork => WorkOrderCommand::StartWork { at },
            WorkOrderRequest::Complete => WorkOrderCommand::Complete { at },
            WorkOrderRequest::Close => WorkOrderCommand::Close {
                by: context.actor,
                at,
            },
            WorkOrderRequest::SendApprovalLink { link_id, notify } => {
                let settings = context.load::<Settings>(&context.services.shop).await?;
                let work_order_id = Uuid::parse_str(context.id)
                    .map_err(|_| ApiError::InvalidId(context.id.to_owned()))?;
                let token = approval_link::Token::new(work_order_id);
                let expires_at = at + settings.state.approval_link_lifetime();
                let command = WorkOrderCommand::IssueApprovalLink {
                    link_id: ApprovalLinkId(link_id),
                    token_hash: token.hash(),
                    expires_at,
                    by: context.actor,
                    at,
                };
                let text = token.text();
                context.reply(serde_json::json!({
                    "link_id": link_id,
                    "token": text,
                    "expires_at": expires_at,
                    "notify": notify,
                }));
                if notify {
                    context.send_link(text);
                }
                command
            }
            WorkOrderRequest::RevokeApprovalLink { link_id } => {
                WorkOrderCommand::RevokeApprovalLink {
                    link_id: ApprovalLinkId(link_id),
                    by: context.actor,
                    at,
                }
            }
            WorkOrderRequest::Cancel { reason } => WorkOrderCommand::Cancel { reason, at },
            WorkOrderRequest::Reopen { reason } => WorkOrderCommand::Reopen { reason, at },
            WorkOrderRequest::SetPromisedTime {
                promised_at,
                reason,
            } => WorkOrderCommand::SetPromisedTime {
                promised_at,
                reason,
            },
        })
    }

    fn permission(command: &WorkOrderCommand) -> Permission {
        command.permission()
    }

    fn reserves(events: &[WorkOrderEvent]) -> bool {
        events.iter().any(|event| {
            matches!(
                event,
                WorkOrderEvent::VehicleAccepted { .. }
                    | WorkOrderEvent::LabourFinished { .. }
                    | WorkOrderEvent::ApprovalLinkIssued { .. }
            ) || stock::moves_stock(event)
        })
    }

    async fn prepare(
        _command: &WorkOrderCommand,
        events: &[WorkOrderEvent],
        _before: &WorkOrder,
        after: &WorkOrder,
        context: &Context<'_>,
    ) -> Result<Self::Prepared, ApiError> {
        approval_message::prepare(events, after, context).await
    }

    async fn reserve(
        events: &[WorkOrderEvent],
        before: &WorkOrder,
        after: &WorkOrder,
        tx: &mut PgConnection,
        follow: &FollowOn<'_, Self::Prepared>,
    ) -> Result<(), ApiError> {
        approval_message::open(events, after, tx, follow).await?;
        for event in events {
            if let (WorkOrderEvent::VehicleAccepted { intake }, Some(VehicleId(vehicle))) =
                (event, after.vehicle_id)
            {
                vehicle::raise_mileage(tx, vehicle, intake.mileage_km).await?;
            }
            if let WorkOrderEvent::LabourFinished { line_id, at } = event {
                stop_job_clock(tx, follow, after, *line_id, *at).await?;
            }
        }
        stock::follow_work_order(events, before, after, tx, follow).await
    }

    async fn authorised(
        command: WorkOrderCommand,
        current: &WorkOrder,
        context: &Context<'_>,
    ) -> Result<WorkOrderCommand, ApiError> {
        match command {
            WorkOrderCommand::Open {
                work_order_id,
                client_id,
                client_standing,
                vehicle_id,
                vat_rate,
                opened_by,
                at,
                ..
            } => {
                // An order that already exists keeps its number: no number is spent on a refusal.
                if current.id.is_some() {
                    return Err(DomainError::AlreadyExists { what: "work order" }.into());
                }
                Ok(WorkOrderCommand::Open {
                    work_order_id,
                    number: number(context, at).await?,
                    client_id,
                    client_standing,
                    vehicle_id,
                    vat_rate,
                    opened_by,
                    at,
                })
            }
            other => Ok(other),
        }
    }
}
