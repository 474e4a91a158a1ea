//! The auditor's time travel for the other records with a card: a client, a vehicle and an
//! invoice as each was after any event of its history (the work order's is [`super::history_at`]).
//!
//! One generic path, the work order's too, folds any aggregate's stream with the domain's own `evolve` up to the chosen
//! event; each kind then only writes its state out. What the domain computes (a client's standing,
//! an invoice's status, total, VAT and balance) is asked of the domain, never recomputed here, and
//! never read from a read model (which holds only today's record).
//!
//! Personal fields are worded as [`HIDDEN`]: the query API holds no data keys, so its log reads
//! them all as erased, live client or not. A client's phones are left out altogether: read that
//! way every phone is the same marker, so the fold cannot even count them truly (a removal drops
//! every one); the timeline says when a phone was added or removed.

use aggregates::client::{Client, ClientStanding, Consent, ConsentChannel, Party};
use aggregates::invoice::{Invoice, Payer};
use aggregates::money::Money;
use aggregates::permission::Permission as P;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::InvoiceLineKind;
use aggregates::Aggregate;
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use event_store::{RecordedEvent, StreamId};
use uuid::Uuid;

use crate::context::Scope;
use crate::error::{GqlResult, OrGql, QueryError};
use crate::money::Rub;
use crate::schema::history::HIDDEN;
use crate::schema::history_at::{totals, TotalsState};

/// A client as they stood after one event of their history.
#[derive(SimpleObject)]
pub struct ClientState {
    /// The client's id.
    pub id: Uuid,
    /// The event the state is after (its version in the client's stream).
    pub version: i64,
    /// The stream's last version now: the far end of the auditor's slider.
    pub last_version: i64,
    /// When that event was recorded.
    pub at: DateTime<Utc>,
    /// That event's type.
    pub event_type: String,
    /// `person` or `company`.
    pub kind: String,
    /// A company's registered name; a person's name is personal: hidden.
    pub display_name: String,
    /// A company's INN.
    pub inn: Option<String>,
    /// A company's KPP (organisations only).
    pub kpp: Option<String>,
    /// The e-mail, when there was one: hidden (personal).
    pub email: Option<String>,
    /// `active`, `archived` or `erased`, as the domain rules on new work orders.
    pub standing: String,
    /// The standing discount, hundredths of a percent.
    pub discount_bp: i32,
    /// Consent to messages, if ever recorded.
    pub messages_consent: Option<ConsentState>,
    /// Consent to personal-data processing (152-ФЗ), if ever recorded.
    pub personal_data_consent: Option<ConsentState>,
    /// The staff's notes then, oldest first.
    pub notes: Vec<NoteState>,
}

/// A consent as it stood then.
#[derive(SimpleObject)]
pub struct ConsentState {
    /// Given (true) or withdrawn (false).
    pub given: bool,
    /// How: `paper`, `in_person`, `phone` or `link`.
    pub channel: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A staff note. Its text may name a person: hidden.
#[derive(SimpleObject)]
pub struct NoteState {
    /// The text: hidden.
    pub text: String,
    /// The employee who wrote it.
    pub by: Uuid,
    /// When.
    pub at: DateTime<Utc>,
}

/// A vehicle as it stood after one event of its history.
#[derive(SimpleObject)]
pub struct VehicleState {
    /// The vehicle's id.
    pub id: Uuid,
    /// The event the state is after (its version in the vehicle's stream).
    pub version: i64,
    /// The stream's last version now.
    pub last_version: i64,
    /// When that event was recorded.
    pub at: DateTime<Utc>,
    /// That event's type.
    pub event_type: String,
    /// VIN.
    pub vin: Option<String>,
    /// Plate.
    pub plate: Option<String>,
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// Year of manufacture.
    pub year: Option<i32>,
    /// The owner then.
    pub owner_id: Option<Uuid>,
    /// Every owner up to then, oldest first.
    pub owners: Vec<OwnershipState>,
    /// The latest odometer reading then.
    pub mileage_km: Option<i32>,
}

/// One period of ownership.
#[derive(SimpleObject)]
pub struct OwnershipState {
    /// The owner (a client).
    pub client_id: Uuid,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// An invoice as it stood after one event of its history.
#[derive(SimpleObject)]
pub struct InvoiceState {
    /// The invoice's id.
    pub id: Uuid,
    /// The event the state is after (its version in the invoice's stream).
    pub version: i64,
    /// The stream's last version now.
    pub last_version: i64,
    /// When that event was recorded.
    pub at: DateTime<Utc>,
    /// That event's type.
    pub event_type: String,
    /// Its number.
    pub number: String,
    /// `unpaid`, `partially_paid`, `paid`, `refunded` or `void`, as the domain derives it.
    pub status: String,
    /// The work order it was issued from.
    pub work_order_id: Uuid,
    /// That order's number.
    pub work_order_number: String,
    /// The order's client.
    pub client_id: Uuid,
    /// Who pays.
    pub payer: PayerState,
    /// The lines, frozen at issue.
    pub lines: Vec<InvoiceLineState>,
    /// The order's totals, frozen at issue.
    pub order_totals: TotalsState,
    /// What this invoice asks: its part of the order, or the order's whole total.
    pub total: Rub,
    /// The VAT within that.
    pub vat: Rub,
    /// All payments taken by then.
    pub paid: Rub,
    /// All refunds given by then.
    pub refunded: Rub,
    /// Paid less refunded: the money the shop held for it.
    pub net_paid: Rub,
    /// What was still owed (nothing on a voided invoice).
    pub balance: Rub,
}

/// Who pays an invoice.
#[derive(SimpleObject)]
pub struct PayerState {
    /// `client`, `company` or `insurer`.
    pub kind: String,
    /// The client, when the order's client pays.
    pub client_id: Option<Uuid>,
    /// A company's or an insurer's registered name.
    pub legal_name: Option<String>,
    /// Its INN.
    pub inn: Option<String>,
    /// A company's KPP.
    pub kpp: Option<String>,
    /// An insurer's policy or claim number.
    pub policy_number: Option<String>,
}

/// A line as the invoice froze it.
#[derive(SimpleObject)]
pub struct InvoiceLineState {
    /// The work order line it comes from.
    pub id: Uuid,
    /// `labour`, `parts` or `client_part`.
    pub kind: String,
    /// The work, or the part with its number.
    pub description: String,
    /// Norm-hours or quantity, as a decimal with three places (as the work order's lines).
    pub quantity: String,
    /// Rate or unit price.
    pub unit_price: Rub,
    /// Discount amount.
    pub discount: Rub,
    /// Amount after discount.
    pub amount: Rub,
}

/// The time travel's root fields for clients, vehicles and invoices.
#[derive(Default)]
pub struct HistoryAtRecordsQuery;

#[Object]
impl HistoryAtRecordsQuery {
    /// A client as they were after event `version` of their history, or at the instant `at` (the
    /// last event recorded by then); neither: as they are now. Null when there was no such client
    /// then.
    async fn client_at(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: Option<i32>,
        at: Option<DateTime<Utc>>,
    ) -> GqlResult<Option<ClientState>> {
        record_at(ctx, id, version, at, client_state).await
    }

    /// A vehicle as it was after event `version` of its history, or at the instant `at`; neither:
    /// as it is now. Null when there was no such vehicle then.
    async fn vehicle_at(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: Option<i32>,
        at: Option<DateTime<Utc>>,
    ) -> GqlResult<Option<VehicleState>> {
        record_at(ctx, id, version, at, vehicle_state).await
    }

    /// An invoice as it was after event `version` of its history, or at the instant `at`;
    /// neither: as it is now. Null when there was no such invoice then.
    async fn invoice_at(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: Option<i32>,
        at: Option<DateTime<Utc>>,
    ) -> GqlResult<Option<InvoiceState>> {
        record_at(ctx, id, version, at, invoice_state).await
    }
}

/// The event a state is after, and how far the stream goes now.
pub(super) struct After<'e> {
    pub(super) id: Uuid,
    pub(super) event: &'e RecordedEvent,
    pub(super) last_version: i64,
}

impl After<'_> {
    pub(super) fn version(&self) -> i64 {
        i64::try_from(self.event.version).unwrap_or(i64::MAX)
    }
}

/// Where the fold stops.
#[derive(Clone, Copy)]
enum Until {
    Version(u64),
    Instant(DateTime<Utc>),
    Now,
}

impl Until {
    /// The arguments as every root field takes them: a version from 1, or an instant, not both.
    fn parse(version: Option<i32>, at: Option<DateTime<Utc>>) -> Result<Self, QueryError> {
        match (version, at) {
            (Some(_), Some(_)) => Err(invalid(
                "version or at, not both",
                "укажите либо версию, либо момент времени",
            )),
            (Some(v), None) => u64::try_from(v)
                .ok()
                .filter(|v| *v >= 1)
                .map(Until::Version)
                .ok_or_else(|| invalid("version starts at 1", "версия начинается с 1")),
            (None, Some(at)) => Ok(Until::Instant(at)),
            (None, None) => Ok(Until::Now),
        }
    }

    fn excludes(self, event: &RecordedEvent) -> bool {
        match self {
            Until::Version(v) => event.version > v,
            Until::Instant(at) => event.recorded_at > at,
            Until::Now => false,
        }
    }
}

fn invalid(reason: &str, reason_ru: &str) -> QueryError {
    QueryError::InvalidArgument {
        field: "version",
        reason: reason.to_owned(),
        reason_ru: reason_ru.to_owned(),
    }
}

/// The one path of the four root fields: the permission, the arguments, the fold, the shape.
pub(super) async fn record_at<A: Aggregate, S>(
    ctx: &Context<'_>,
    id: Uuid,
    version: Option<i32>,
    at: Option<DateTime<Utc>>,
    shape: fn(&A, After<'_>) -> Option<S>,
) -> GqlResult<Option<S>> {
    let scope = Scope::of(ctx);
    scope.viewer.require(P::HistoryRead).gql()?;
    let until = Until::parse(version, at).gql()?;
    let events = scope
        .store
        .read_stream(&StreamId::new(A::STREAM_TYPE, id.to_string()), 0)
        .await
        .map_err(projections::ProjectionError::from)
        .gql()?;
    let (record, after) = fold_until::<A>(&events, until).gql()?;
    let Some(event) = after else {
        return Ok(None);
    };
    let last_version = events.last().map_or(0, |e| e.version);
    Ok(shape(
        &record,
        After {
            id,
            event,
            last_version: i64::try_from(last_version).unwrap_or(i64::MAX),
        },
    ))
}

/// Folds a stream's events up to `until` with the domain's `evolve`; the state and the last event
/// folded in (none: the record did not exist then).
fn fold_until<A: Aggregate>(
    events: &[RecordedEvent],
    until: Until,
) -> Result<(A, Option<&RecordedEvent>), QueryError> {
    let mut record = A::default();
    let mut after = None;
    for event in events.iter().take_while(|e| !until.excludes(e)) {
        let decoded: A::Event = <A::Event as serde::Deserialize>::deserialize(&event.payload)
            .map_err(|e| projections::ProjectionError::Undecodable {
                event_type: event.event_type.clone(),
                reason: e.to_string(),
            })?;
        record = record.evolve(&decoded);
        after = Some(event);
    }
    Ok((record, after))
}

fn client_state(client: &Client, after: After<'_>) -> Option<ClientState> {
    // A stream whose first event is not a registration is not a client's: nothing to show.
    let party = client.party.as_ref()?;
    let (kind, display_name, inn, kpp) = match party {
        Party::Person { .. } => ("person", HIDDEN.to_owned(), None, None),
        Party::Company {
            legal_name,
            inn,
            kpp,
        } => (
            "company",
            legal_name.clone(),
            Some(inn.to_string()),
            kpp.as_ref().map(ToString::to_string),
        ),
    };
    Some(ClientState {
        id: after.id,
        version: after.version(),
        last_version: after.last_version,
        at: after.event.recorded_at,
        event_type: after.event.event_type.clone(),
        kind: kind.to_owned(),
        display_name,
        inn,
        kpp,
        email: client.email.as_ref().map(|_| HIDDEN.to_owned()),
        standing: match client.standing() {
            ClientStanding::Active => "active",
            ClientStanding::Archived => "archived",
            ClientStanding::Erased => "erased",
            // Not with a party (the registration brings both); worded all the same, so that a
            // new standing must be worded here too.
            ClientStanding::Unknown => "unknown",
        }
        .to_owned(),
        discount_bp: i32::from(client.discount.basis_points()),
        messages_consent: client.messages_consent.as_ref().map(consent),
        personal_data_consent: client.personal_data_consent.as_ref().map(consent),
        notes: client
            .notes
            .iter()
            .map(|note| NoteState {
                text: HIDDEN.to_owned(),
                by: note.by.0,
                at: note.at,
            })
            .collect(),
    })
}

fn consent(consent: &Consent) -> ConsentState {
    ConsentState {
        given: consent.given,
        channel: match consent.channel {
            ConsentChannel::Paper => "paper",
            ConsentChannel::InPerson => "in_person",
            ConsentChannel::Phone => "phone",
            ConsentChannel::Link => "link",
        }
        .to_owned(),
        at: consent.at,
    }
}

fn vehicle_state(vehicle: &Vehicle, after: After<'_>) -> Option<VehicleState> {
    vehicle.id?;
    Some(VehicleState {
        id: after.id,
        version: after.version(),
        last_version: after.last_version,
        at: after.event.recorded_at,
        event_type: after.event.event_type.clone(),
        vin: vehicle.vin.as_ref().map(ToString::to_string),
        plate: vehicle.plate.as_ref().map(ToString::to_string),
        make: vehicle.make.clone(),
        model: vehicle.model.clone(),
        year: vehicle.year.map(i32::from),
        owner_id: vehicle.owner().map(|o| o.0),
        owners: vehicle
            .owners
            .iter()
            .map(|o| OwnershipState {
                client_id: o.owner.0,
                since: o.since,
            })
            .collect(),
        mileage_km: vehicle
            .mileage_km
            .map(|km| i32::try_from(km).unwrap_or(i32::MAX)),
    })
}

fn invoice_state(invoice: &Invoice, after: After<'_>) -> Option<InvoiceState> {
    let basis = invoice.basis.as_ref()?;
    let payer = invoice.payer.as_ref()?;
    Some(InvoiceState {
        id: after.id,
        version: after.version(),
        last_version: after.last_version,
        at: after.event.recorded_at,
        event_type: after.event.event_type.clone(),
        number: invoice.number.clone(),
        status: projections::read_models::invoices::status_code(invoice.status()).to_owned(),
        work_order_id: basis.work_order_id.0,
        work_order_number: basis.work_order_number.clone(),
        client_id: basis.client_id.0,
        payer: payer_state(payer),
        lines: basis
            .lines
            .iter()
            .map(|line| InvoiceLineState {
                id: line.line_id.0,
                kind: match line.kind {
                    InvoiceLineKind::Labour => "labour",
                    InvoiceLineKind::Parts => "parts",
                    InvoiceLineKind::ClientPart => "client_part",
                }
                .to_owned(),
                description: line.description.clone(),
                // Labour is kept in tenths of a norm-hour, parts in thousandths.
                quantity: decimal(match line.kind {
                    InvoiceLineKind::Labour => line.quantity.saturating_mul(100),
                    InvoiceLineKind::Parts | InvoiceLineKind::ClientPart => line.quantity,
                }),
                unit_price: rub(line.unit_price),
                discount: rub(line.discount),
                amount: rub(line.amount),
            })
            .collect(),
        order_totals: totals(basis.totals),
        total: rub(invoice.total()),
        vat: rub(invoice.vat()),
        paid: rub(invoice.paid),
        refunded: rub(invoice.refunded),
        net_paid: rub(invoice.net_paid()),
        balance: rub(invoice.balance()),
    })
}

fn payer_state(payer: &Payer) -> PayerState {
    let none = PayerState {
        kind: String::new(),
        client_id: None,
        legal_name: None,
        inn: None,
        kpp: None,
        policy_number: None,
    };
    match payer {
        Payer::Client { client_id } => PayerState {
            kind: "client".to_owned(),
            client_id: Some(client_id.0),
            ..none
        },
        Payer::Company {
            legal_name,
            inn,
            kpp,
        } => PayerState {
            kind: "company".to_owned(),
            legal_name: Some(legal_name.clone()),
            inn: Some(inn.to_string()),
            kpp: kpp.as_ref().map(ToString::to_string),
            ..none
        },
        Payer::Insurer {
            legal_name,
            inn,
            policy_number,
        } => PayerState {
            kind: "insurer".to_owned(),
            legal_name: Some(legal_name.clone()),
            inn: Some(inn.to_string()),
            policy_number: Some(policy_number.clone()),
            ..none
        },
    }
}

pub(super) fn rub(money: Money) -> Rub {
    Rub(money.as_kopecks())
}

/// Thousandths as the card shows a quantity: a decimal with three places.
pub(super) fn decimal(thousandths: u32) -> String {
    format!("{}.{:03}", thousandths / 1000, thousandths % 1000)
}
