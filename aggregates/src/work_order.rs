//! The work order (заказ-наряд): intake, the estimate's lines, the client's approval line by line,
//! the work, and the hand-over.
//!
//! Lifecycle: draft → accepted (car received) → approved (estimate approved) → in progress →
//! completed → closed (handed over). Cancelled from any state before completion, with a reason.
//! Lines change freely until completion; after it only a reopen (with a reason) allows changes.
//!
//! Approval is per line, with who, when and how: it is the shop's proof in a dispute. A declined line
//! leaves the order and becomes a recommendation for the next visit. Changing the price of an approved
//! line puts it back to pending: the client approved a price, not a line id.
//!
//! The promised time (срок выдачи) is what the advisor told the client at intake; it can be moved or
//! cleared until the car is handed over or the order cancelled, after which it is history.
//!
//! Totals are computed by [`totals`] only (see its rounding rule).
//!
//! A labour line's work is its mechanic's: starting or finishing a line assigned to another mechanic
//! is refused unless the caller may act for others (the advisor), and then the line's mechanic keeps
//! the credit while the event's metadata records who acted. A mechanic recommends further work only on
//! an order where they have a line. Who acts comes in with the command as a [`Performer`].
//!
//! The client may also answer through an approval link the advisor sends ([`approval_link`]).

pub mod approval_link;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::client::ClientStanding;
use crate::contact::Phone;
use crate::ids::{
    ApprovalLinkId, CatalogueServiceId, ClientId, EmployeeId, LineId, PartId, RecommendationId,
    VehicleId, WorkOrderId,
};
use crate::money::{round_half_up, Money, NormHours, Percent, Quantity};
use crate::permission::Permission;
use crate::vehicle::MAX_MILEAGE_KM;
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};
pub use approval_link::{ApprovalLink, LinkAnswer, LinkDecision, LinkState, ShownEstimate};

/// Where a work order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderStatus {
    /// Being prepared; the car may not be here yet.
    #[default]
    Draft,
    /// The car was received (intake act signed).
    Accepted,
    /// The client approved the estimate.
    Approved,
    /// Work is under way.
    InProgress,
    /// Work is done; the invoice can be issued.
    Completed,
    /// The car was handed over.
    Closed,
    /// Cancelled before completion.
    Cancelled,
}

impl WorkOrderStatus {
    /// Lines may be added, changed or removed.
    pub fn lines_editable(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Accepted | Self::Approved | Self::InProgress
        )
    }

    /// The stable name, as the API and read models show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Accepted => "accepted",
            Self::Approved => "approved",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// The intake act (акт приёма-передачи): the car's condition as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    /// Odometer, km (also recorded on the vehicle).
    pub mileage_km: u32,
    /// The reason for the visit, in the client's words.
    pub complaints: String,
    /// Fuel level in eighths of a tank (0 to 8), as the gauge shows it.
    pub fuel_eighths: u8,
    /// Visible damage (scratches, dents, cracks), one item each.
    pub visible_damage: Vec<String>,
    /// Things left in the car (a child seat, a spare wheel).
    pub items_left: Vec<String>,
    /// Who received the car.
    pub received_by: EmployeeId,
    /// When.
    pub at: DateTime<Utc>,
}

/// What a labour line is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LabourService {
    /// An entry of the service catalogue, with its name at the time of adding.
    Catalogue {
        /// The catalogue entry.
        service_id: CatalogueServiceId,
        /// Its name when added.
        name: String,
    },
    /// Work described in free text.
    FreeText {
        /// The description.
        name: String,
    },
}

impl LabourService {
    /// The work's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Catalogue { name, .. } | Self::FreeText { name } => name,
        }
    }
}

/// How the client gave a decision on the estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApprovalChannel {
    /// At the desk.
    InPerson,
    /// On the phone.
    Phone {
        /// The number called or calling.
        number: Phone,
    },
    /// Through the approval link the shop sent.
    Link {
        /// The client's network address.
        address: String,
        /// The client's browser.
        user_agent: String,
    },
}

/// A client's decision on a line: the shop's proof in a dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    /// Who decided (the client or their representative), by name.
    pub by: String,
    /// How.
    pub channel: ApprovalChannel,
    /// When.
    pub at: DateTime<Utc>,
}

/// Where a line stands with the client.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Approval {
    /// Not decided yet.
    #[default]
    Pending,
    /// Approved.
    Approved {
        /// Who, how, when.
        record: ApprovalRecord,
    },
}

/// Where a labour line's work stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabourProgress {
    /// Not started.
    #[default]
    NotStarted,
    /// A mechanic is on it.
    Started,
    /// Done.
    Finished,
}

/// Who acts on an order's work, as the caller found them: the employee, and whether they may act for
/// other mechanics (they hold `work_order.assign_mechanic`, as the advisor and the owner do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Performer {
    /// The acting employee.
    pub employee_id: EmployeeId,
    /// May start and finish lines assigned to others, and recommend on any order.
    pub for_others: bool,
}

impl Performer {
    /// A mechanic acting for themselves only.
    pub fn mechanic(employee_id: EmployeeId) -> Self {
        Self {
            employee_id,
            for_others: false,
        }
    }

    /// Someone who may act for any mechanic (the advisor, the owner).
    pub fn for_others(employee_id: EmployeeId) -> Self {
        Self {
            employee_id,
            for_others: true,
        }
    }
}

/// A labour line: work × norm-hours × rate, less discount, by a mechanic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabourLine {
    /// The line's id.
    pub line_id: LineId,
    /// The work.
    pub service: LabourService,
    /// Norm-hours.
    pub norm_hours: NormHours,
    /// Price of one norm-hour, from the settings when the line was added.
    pub rate: Money,
    /// Discount on the line.
    pub discount: Percent,
    /// The mechanic assigned.
    pub mechanic: Option<EmployeeId>,
    /// The client's decision.
    pub approval: Approval,
    /// The work's progress.
    pub progress: LabourProgress,
}

/// A line with a price, labour or parts: the one formula for its discount and amount.
pub trait PricedLine {
    /// Before discount, rounded half up to the kopeck.
    fn gross(&self) -> Money;

    /// The line's discount rate.
    fn discount_rate(&self) -> Percent;

    /// The line's discount: its percentage of the gross, rounded half up to the kopeck.
    fn discount_amount(&self) -> Money {
        self.discount_rate().of(self.gross())
    }

    /// What the client pays for the line: gross less discount.
    fn amount(&self) -> Money {
        self.gross() - self.discount_amount()
    }
}

impl PricedLine for LabourLine {
    /// Norm-hours × rate, before discount, rounded half up to the kopeck.
    fn gross(&self) -> Money {
        Money::kopecks(round_half_up(
            i128::from(self.norm_hours.tenths()) * i128::from(self.rate.as_kopecks()),
            10,
        ))
    }

    fn discount_rate(&self) -> Percent {
        self.discount
    }
}

/// A parts line: a part, its quantity and price, less discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartsLine {
    /// The line's id.
    pub line_id: LineId,
    /// The maker's or supplier's part number.
    pub part_number: String,
    /// The part's name.
    pub name: String,
    /// Quantity.
    pub quantity: Quantity,
    /// Price of one unit (zero for the client's own part).
    pub unit_price: Money,
    /// Discount on the line.
    pub discount: Percent,
    /// The client brought the part: it is fitted, not sold.
    pub client_supplied: bool,
    /// The client's decision.
    pub approval: Approval,
    /// The catalogue part, when the line takes it from the shop's stock (its reservation is held
    /// by that part's stock stream); none for a part named by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_id: Option<PartId>,
}

impl PricedLine for PartsLine {
    /// Quantity × unit price, before discount, rounded half up to the kopeck.
    fn gross(&self) -> Money {
        Money::kopecks(round_half_up(
            i128::from(self.quantity.thousandths()) * i128::from(self.unit_price.as_kopecks()),
            1000,
        ))
    }

    fn discount_rate(&self) -> Percent {
        self.discount
    }
}

/// Work found but not done: the next visit starts from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Its id (for a declined line, the line's id).
    pub recommendation_id: RecommendationId,
    /// What is recommended.
    pub text: String,
    /// The estimate it would cost, for a declined line.
    pub estimate: Option<Money>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A work order's money: what the lines add up to and the VAT inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Labour before discounts.
    pub labour: Money,
    /// Parts before discounts.
    pub parts: Money,
    /// All discounts.
    pub discount: Money,
    /// What the client pays: labour + parts − discount.
    pub total: Money,
    /// The VAT rate applied.
    pub vat_rate: Percent,
    /// VAT included in the total.
    pub vat: Money,
}

/// The one way Motorlog computes a document's totals.
///
/// Rounding rule: each line's gross amount (norm-hours × rate, or quantity × unit price) is rounded half
/// up to the kopeck; the line's discount is its percentage of that gross, rounded half up; the line's
/// amount is gross − discount. Document figures are sums of line figures, so the total always equals
/// the sum of the lines. Prices include VAT: the VAT is extracted once from the document total,
/// `total × rate / (100 % + rate)`, rounded half up (not per line, so it cannot drift by a kopeck per
/// line).
pub fn totals(labour: &[LabourLine], parts: &[PartsLine], vat_rate: Percent) -> Totals {
    let mut totals = Totals {
        vat_rate,
        ..Totals::default()
    };
    totals.labour = labour.iter().map(PricedLine::gross).sum();
    totals.parts = parts.iter().map(PricedLine::gross).sum();
    totals.discount = labour
        .iter()
        .map(PricedLine::discount_amount)
        .sum::<Money>()
        + parts.iter().map(PricedLine::discount_amount).sum::<Money>();
    totals.total = totals.labour + totals.parts - totals.discount;
    let rate = i128::from(vat_rate.basis_points());
    totals.vat = Money::kopecks(round_half_up(
        i128::from(totals.total.as_kopecks()) * rate,
        10_000 + rate,
    ));
    totals
}

/// A line as the invoice freezes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// The work order line it comes from.
    pub line_id: LineId,
    /// Labour or parts.
    pub kind: InvoiceLineKind,
    /// What was done or sold.
    pub description: String,
    /// Norm-hours for labour (tenths), quantity for parts (thousandths).
    pub quantity: u32,
    /// Rate or unit price.
    pub unit_price: Money,
    /// Discount on the line.
    pub discount: Money,
    /// The line's amount after discount.
    pub amount: Money,
}

/// The kind of an invoice line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceLineKind {
    /// Work, in norm-hours.
    Labour,
    /// Parts sold.
    Parts,
    /// The client's own part, fitted at no charge.
    ClientPart,
}

/// What an invoice is issued from: a completed work order's lines and totals, frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceBasis {
    /// The work order.
    pub work_order_id: WorkOrderId,
    /// Its number.
    pub work_order_number: String,
    /// The client.
    pub client_id: ClientId,
    /// The lines.
    pub lines: Vec<InvoiceLine>,
    /// The totals.
    pub totals: Totals,
}

/// A client's decision on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineDecision {
    /// Do it.
    Approve,
    /// Do not do it now.
    Decline,
}

/// What staff ask of a work order.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkOrderCommand {
    /// Open a work order for a client's vehicle.
    Open {
        /// The new order's id.
        work_order_id: WorkOrderId,
        /// Its number, formatted from the settings.
        number: String,
        /// The client.
        client_id: ClientId,
        /// The client's standing, from the client record.
        client_standing: ClientStanding,
        /// The vehicle.
        vehicle_id: VehicleId,
        /// The VAT rate from the settings.
        vat_rate: Percent,
        /// Who opened it.
        opened_by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Receive the car (intake act).
    AcceptVehicle {
        /// The intake act.
        intake: Intake,
    },
    /// Add a labour line.
    AddLabourLine {
        /// The new line's id.
        line_id: LineId,
        /// The work.
        service: LabourService,
        /// Norm-hours.
        norm_hours: NormHours,
        /// Rate per norm-hour, from the settings now.
        rate: Money,
        /// Discount.
        discount: Percent,
        /// Mechanic.
        mechanic: Option<EmployeeId>,
    },
    /// Change a labour line's norm-hours, rate or discount.
    ChangeLabourLine {
        /// The line.
        line_id: LineId,
        /// Norm-hours.
        norm_hours: NormHours,
        /// A new rate per norm-hour, or none to keep the line's own.
        rate: Option<Money>,
        /// Discount.
        discount: Percent,
    },
    /// Assign or unassign a mechanic to a labour line.
    AssignMechanic {
        /// The line.
        line_id: LineId,
        /// The mechanic, or none.
        mechanic: Option<EmployeeId>,
    },
    /// Add a parts line.
    AddPartsLine {
        /// The new line's id.
        line_id: LineId,
        /// Part number.
        part_number: String,
        /// Part name.
        name: String,
        /// Quantity.
        quantity: Quantity,
        /// Unit price (zero for a client's own part).
        unit_price: Money,
        /// Discount.
        discount: Percent,
        /// The client's own part.
        client_supplied: bool,
        /// The catalogue part, when taken from stock.
        part_id: Option<PartId>,
    },
    /// Change a parts line's quantity, price or discount.
    ChangePartsLine {
        /// The line.
        line_id: LineId,
        /// Quantity.
        quantity: Quantity,
        /// Unit price.
        unit_price: Money,
        /// Discount.
        discount: Percent,
    },
    /// Remove a line (labour or parts).
    RemoveLine {
        /// The line.
        line_id: LineId,
    },
    /// A mechanic starts a labour line.
    StartLabour {
        /// The line.
        line_id: LineId,
        /// Who starts it.
        by: Performer,
        /// When.
        at: DateTime<Utc>,
    },
    /// A mechanic finishes a labour line.
    FinishLabour {
        /// The line.
        line_id: LineId,
        /// When.
        at: DateTime<Utc>,
        /// Who finishes it.
        by: Performer,
    },
    /// Recommend further work.
    AddRecommendation {
        /// The new recommendation's id.
        recommendation_id: RecommendationId,
        /// What.
        text: String,
        /// When.
        at: DateTime<Utc>,
        /// Who recommends it.
        by: Performer,
    },
    /// Record the client's decisions on lines of the estimate.
    RecordApproval {
        /// Line by line.
        decisions: Vec<(LineId, LineDecision)>,
        /// Who decided, how, when.
        record: ApprovalRecord,
    },
    /// Start work on the approved estimate.
    StartWork {
        /// When.
        at: DateTime<Utc>,
    },
    /// Work is done.
    Complete {
        /// When.
        at: DateTime<Utc>,
    },
    /// Hand the car over and close the order.
    Close {
        /// Who handed it over.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Cancel before completion.
    Cancel {
        /// Why (a code from the cancellation reasons directory, or text).
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Reopen a completed order to change it.
    Reopen {
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Promise the client a time to collect the car (срок выдачи), move it, or clear it.
    SetPromisedTime {
        /// The time promised, or none to clear it.
        promised_at: Option<DateTime<Utc>>,
        /// Why a promise given is moved or withdrawn (required then; the first promise needs none).
        reason: Option<String>,
    },
    /// Send the client a link to approve the estimate themselves.
    IssueApprovalLink {
        /// The link's id.
        link_id: ApprovalLinkId,
        /// SHA-256 of the token's secret, hex (the server made the token; it keeps only this).
        token_hash: String,
        /// When it stops working.
        expires_at: DateTime<Utc>,
        /// Who sent it.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Withdraw a link sent.
    RevokeApprovalLink {
        /// The link.
        link_id: ApprovalLinkId,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client opened a link (sent by the public page, admitted by the token alone).
    OpenApprovalLink {
        /// SHA-256 of the token presented.
        token_hash: String,
        /// The client's address, as the server saw it.
        address: String,
        /// The client's browser.
        user_agent: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client's answer through a link (the public page, admitted by the token alone).
    AnswerApprovalLink {
        /// SHA-256 of the token presented.
        token_hash: String,
        /// The estimate's revision the page showed.
        revision: String,
        /// Line by line.
        decisions: Vec<(LineId, LineDecision)>,
        /// The name the client gave (or how the page names an unnamed client).
        by: String,
        /// The client's address, as the server saw it.
        address: String,
        /// The client's browser.
        user_agent: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl WorkOrderCommand {
    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        match self {
            Self::Open { .. } => Permission::WorkOrderOpen,
            // The promise is part of receiving the car: the advisor gives it at the desk, and a
            // mechanic, who holds none of the intake's permissions, cannot move it.
            Self::AcceptVehicle { .. } | Self::SetPromisedTime { .. } => {
                Permission::WorkOrderAcceptVehicle
            }
            Self::AddLabourLine { .. }
            | Self::ChangeLabourLine { .. }
            | Self::AddPartsLine { .. }
            | Self::ChangePartsLine { .. }
            | Self::RemoveLine { .. } => Permission::WorkOrderEditLines,
            Self::AssignMechanic { .. } => Permission::WorkOrderAssignMechanic,
            Self::StartLabour { .. } | Self::FinishLabour { .. } => {
                Permission::WorkOrderPerformLabour
            }
            Self::AddRecommendation { .. } => Permission::WorkOrderAddRecommendation,
            // The link's own commands come from the public page, admitted by the token (a capability)
            // and never through the staff's pipeline, whose requests cannot name them; sending and
            // withdrawing a link is taking the client's approval.
            Self::RecordApproval { .. }
            | Self::IssueApprovalLink { .. }
            | Self::RevokeApprovalLink { .. }
            | Self::OpenApprovalLink { .. }
            | Self::AnswerApprovalLink { .. } => Permission::WorkOrderRecordApproval,
            Self::StartWork { .. } | Self::Complete { .. } => Permission::WorkOrderProgress,
            Self::Close { .. } => Permission::WorkOrderClose,
            Self::Cancel { .. } => Permission::WorkOrderCancel,
            Self::Reopen { .. } => Permission::WorkOrderReopen,
        }
    }
}

/// What happened to a work order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum WorkOrderEvent {
    /// A work order was opened.
    WorkOrderOpened {
        /// Its id.
        work_order_id: WorkOrderId,
        /// Its number.
        number: String,
        /// The client.
        client_id: ClientId,
        /// The vehicle.
        vehicle_id: VehicleId,
        /// The VAT rate.
        vat_rate: Percent,
        /// Who opened it.
        opened_by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The car was received.
    VehicleAccepted {
        /// The intake act.
        intake: Intake,
    },
    /// A labour line was added.
    LabourLineAdded {
        /// The line.
        line_id: LineId,
        /// The work.
        service: LabourService,
        /// Norm-hours.
        norm_hours: NormHours,
        /// Rate per norm-hour.
        rate: Money,
        /// Discount.
        discount: Percent,
        /// Mechanic.
        mechanic: Option<EmployeeId>,
    },
    /// A labour line's figures changed (an approved line goes back to pending).
    LabourLineChanged {
        /// The line.
        line_id: LineId,
        /// Norm-hours.
        norm_hours: NormHours,
        /// Rate per norm-hour.
        rate: Money,
        /// Discount.
        discount: Percent,
    },
    /// A mechanic was assigned to a labour line (or unassigned).
    MechanicAssigned {
        /// The line.
        line_id: LineId,
        /// The mechanic, or none.
        mechanic: Option<EmployeeId>,
    },
    /// A parts line was added.
    PartsLineAdded {
        /// The line.
        line_id: LineId,
        /// Part number.
        part_number: String,
        /// Part name.
        name: String,
        /// Quantity.
        quantity: Quantity,
        /// Unit price.
        unit_price: Money,
        /// Discount.
        discount: Percent,
        /// The client's own part.
        client_supplied: bool,
        /// The catalogue part, when taken from stock (absent in events from before the catalogue).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        part_id: Option<PartId>,
    },
    /// A parts line's figures changed (an approved line goes back to pending).
    PartsLineChanged {
        /// The line.
        line_id: LineId,
        /// Quantity.
        quantity: Quantity,
        /// Unit price.
        unit_price: Money,
        /// Discount.
        discount: Percent,
    },
    /// A line was removed.
    LineRemoved {
        /// The line.
        line_id: LineId,
    },
    /// A mechanic started a labour line.
    LabourStarted {
        /// The line.
        line_id: LineId,
        /// The mechanic.
        mechanic: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A labour line was finished.
    LabourFinished {
        /// The line.
        line_id: LineId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Further work was recommended.
    RecommendationAdded {
        /// The recommendation.
        recommendation: Recommendation,
    },
    /// The client approved a line.
    LineApproved {
        /// The line.
        line_id: LineId,
        /// Who, how, when.
        record: ApprovalRecord,
    },
    /// The client declined a line: it left the order and became a recommendation.
    LineDeclined {
        /// The line.
        line_id: LineId,
        /// Who, how, when.
        record: ApprovalRecord,
        /// The recommendation it became.
        recommendation: Recommendation,
    },
    /// Every line has a decision and the estimate stands approved.
    EstimateApproved {
        /// The totals approved.
        totals: Totals,
        /// When.
        at: DateTime<Utc>,
    },
    /// Work started.
    WorkStarted {
        /// When.
        at: DateTime<Utc>,
    },
    /// Work is done.
    WorkOrderCompleted {
        /// The final totals.
        totals: Totals,
        /// When.
        at: DateTime<Utc>,
    },
    /// The car was handed over.
    WorkOrderClosed {
        /// Who handed it over.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The order was cancelled.
    WorkOrderCancelled {
        /// Why.
        reason: String,
        /// The status it was cancelled from.
        from: WorkOrderStatus,
        /// When.
        at: DateTime<Utc>,
    },
    /// The order was reopened after completion.
    WorkOrderReopened {
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client was promised the car by a time (срок выдачи), or the promise was withdrawn.
    PromisedTimeSet {
        /// The time promised; none when the promise was cleared.
        promised_at: Option<DateTime<Utc>>,
        /// Why a promise given was moved or withdrawn. Absent from a first promise, and from
        /// every event before reasons were asked for, whose stored form it keeps.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An approval link was sent for the estimate as it stands.
    ApprovalLinkIssued {
        /// The link.
        link_id: ApprovalLinkId,
        /// SHA-256 of the token's secret, hex.
        token_hash: String,
        /// The estimate's revision it is bound to.
        revision: String,
        /// When it stops working.
        expires_at: DateTime<Utc>,
        /// Who sent it.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client opened the link for the first time.
    ApprovalLinkOpened {
        /// The link.
        link_id: ApprovalLinkId,
        /// The client's address.
        address: String,
        /// The client's browser.
        user_agent: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The advisor withdrew the link.
    ApprovalLinkRevoked {
        /// The link.
        link_id: ApprovalLinkId,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The estimate changed after the link was sent: it no longer works.
    ApprovalLinkVoided {
        /// The link.
        link_id: ApprovalLinkId,
    },
    /// The client answered through the link: the evidence. The lines' decisions follow as
    /// `LineApproved`/`LineDeclined` with the link as their channel.
    ApprovalLinkAnswered {
        /// The link.
        link_id: ApprovalLinkId,
        /// The revision answered.
        revision: String,
        /// The estimate as the client was shown it.
        estimate: ShownEstimate,
        /// What the client decided, line by line.
        decisions: Vec<LinkDecision>,
        /// The name the client gave.
        by: String,
        /// The client's address.
        address: String,
        /// The client's browser.
        user_agent: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for WorkOrderEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::WorkOrderOpened { .. } => "WorkOrderOpened",
            Self::VehicleAccepted { .. } => "VehicleAccepted",
            Self::LabourLineAdded { .. } => "LabourLineAdded",
            Self::LabourLineChanged { .. } => "LabourLineChanged",
            Self::MechanicAssigned { .. } => "MechanicAssigned",
            Self::PartsLineAdded { .. } => "PartsLineAdded",
            Self::PartsLineChanged { .. } => "PartsLineChanged",
            Self::LineRemoved { .. } => "LineRemoved",
            Self::LabourStarted { .. } => "LabourStarted",
            Self::LabourFinished { .. } => "LabourFinished",
            Self::RecommendationAdded { .. } => "RecommendationAdded",
            Self::LineApproved { .. } => "LineApproved",
            Self::LineDeclined { .. } => "LineDeclined",
            Self::EstimateApproved { .. } => "EstimateApproved",
            Self::WorkStarted { .. } => "WorkStarted",
            Self::WorkOrderCompleted { .. } => "WorkOrderCompleted",
            Self::WorkOrderClosed { .. } => "WorkOrderClosed",
            Self::WorkOrderCancelled { .. } => "WorkOrderCancelled",
            Self::WorkOrderReopened { .. } => "WorkOrderReopened",
            Self::PromisedTimeSet { .. } => "PromisedTimeSet",
            Self::ApprovalLinkIssued { .. } => "ApprovalLinkIssued",
            Self::ApprovalLinkOpened { .. } => "ApprovalLinkOpened",
            Self::ApprovalLinkRevoked { .. } => "ApprovalLinkRevoked",
            Self::ApprovalLinkVoided { .. } => "ApprovalLinkVoided",
            Self::ApprovalLinkAnswered { .. } => "ApprovalLinkAnswered",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A work order as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    /// The id, once opened.
    pub id: Option<WorkOrderId>,
    /// The number.
    pub number: String,
    /// The client.
    pub client_id: Option<ClientId>,
    /// The vehicle.
    pub vehicle_id: Option<VehicleId>,
    /// Status.
    pub status: WorkOrderStatus,
    /// VAT rate from the settings at opening.
    pub vat_rate: Percent,
    /// The intake act, once the car is received.
    pub intake: Option<Intake>,
    /// Labour lines in the order added.
    pub labour: Vec<LabourLine>,
    /// Parts lines in the order added.
    pub parts: Vec<PartsLine>,
    /// Recommendations, including declined lines.
    pub recommendations: Vec<Recommendation>,
    /// Ids of every line ever added, so an id is never reused.
    pub used_line_ids: BTreeSet<LineId>,
    /// When the client was promised the car, if they were. Defaulted so that states saved before
    /// promises existed (snapshots, the card's stored fold) still read.
    #[serde(default)]
    pub promised_at: Option<DateTime<Utc>>,
    /// The approval links sent, live or not (defaulted for states saved before links).
    #[serde(default)]
    pub approval_links: Vec<ApprovalLink>,
}

impl WorkOrder {
    /// The order's totals now.
    pub fn totals(&self) -> Totals {
        totals(&self.labour, &self.parts, self.vat_rate)
    }

    /// The lines and totals an invoice is issued from; only a completed (or closed) order has them.
    pub fn invoice_basis(&self) -> Result<InvoiceBasis, DomainError> {
        let (Some(work_order_id), Some(client_id)) = (self.id, self.client_id) else {
            return Err(DomainError::NotFound { what: "work order" });
        };
        if !matches!(
            self.status,
            WorkOrderStatus::Completed | WorkOrderStatus::Closed
        ) {
            return Err(DomainError::WorkOrderNotCompleted {
                status: self.status.as_str(),
            });
        }
        Ok(InvoiceBasis {
            work_order_id,
            work_order_number: self.number.clone(),
            client_id,
            lines: self.shown_lines(),
            totals: self.totals(),
        })
    }

    /// The lines as a document shows them (the invoice, the client's approval page).
    fn shown_lines(&self) -> Vec<InvoiceLine> {
        let labour = self.labour.iter().map(|line| InvoiceLine {
            line_id: line.line_id,
            kind: InvoiceLineKind::Labour,
            description: line.service.name().to_owned(),
            quantity: line.norm_hours.tenths(),
            unit_price: line.rate,
            discount: line.discount_amount(),
            amount: line.amount(),
        });
        let parts = self.parts.iter().map(|line| InvoiceLine {
            line_id: line.line_id,
            kind: if line.client_supplied {
                InvoiceLineKind::ClientPart
            } else {
                InvoiceLineKind::Parts
            },
            description: format!("{} ({})", line.name, line.part_number),
            quantity: line.quantity.thousandths(),
            unit_price: line.unit_price,
            discount: line.discount_amount(),
            amount: line.amount(),
        });
        labour.chain(parts).collect()
    }

    /// The labour line's mechanic (or `by` when none is assigned), if `by` may act on it.
    fn performer_of(&self, line: &LabourLine, by: Performer) -> Result<EmployeeId, DomainError> {
        match line.mechanic {
            Some(mechanic) if mechanic != by.employee_id && !by.for_others => {
                Err(DomainError::LineOfAnotherMechanic {
                    line_id: line.line_id,
                })
            }
            Some(mechanic) => Ok(mechanic),
            None => Ok(by.employee_id),
        }
    }

    fn labour_line(&self, line_id: LineId) -> Result<&LabourLine, DomainError> {
        self.labour
            .iter()
            .find(|line| line.line_id == line_id)
            .ok_or(DomainError::LineNotFound { line_id })
    }

    fn parts_line(&self, line_id: LineId) -> Result<&PartsLine, DomainError> {
        self.parts
            .iter()
            .find(|line| line.line_id == line_id)
            .ok_or(DomainError::LineNotFound { line_id })
    }

    fn has_line(&self, line_id: LineId) -> bool {
        self.labour.iter().any(|l| l.line_id == line_id)
            || self.parts.iter().any(|l| l.line_id == line_id)
    }

    fn ensure_lines_editable(&self) -> Result<(), DomainError> {
        if self.status.lines_editable() {
            Ok(())
        } else {
            Err(DomainError::WorkOrderLocked {
                status: self.status.as_str(),
            })
        }
    }

    fn ensure_status(&self, allowed: &[WorkOrderStatus]) -> Result<(), DomainError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(DomainError::InvalidTransition {
                from: self.status.as_str(),
            })
        }
    }

    /// Lines still waiting for the client's decision.
    pub fn pending_lines(&self) -> usize {
        let pending = |approval: &Approval| *approval == Approval::Pending;
        self.labour.iter().filter(|l| pending(&l.approval)).count()
            + self.parts.iter().filter(|l| pending(&l.approval)).count()
    }

    fn line_count(&self) -> usize {
        self.labour.len() + self.parts.len()
    }

    /// After the events so far: if the received car's estimate is now fully decided, it stands approved.
    fn estimate_approval(&self, at: DateTime<Utc>) -> Option<WorkOrderEvent> {
        (self.status == WorkOrderStatus::Accepted
            && self.line_count() > 0
            && self.pending_lines() == 0)
            .then(|| WorkOrderEvent::EstimateApproved {
                totals: self.totals(),
                at,
            })
    }

    fn decide_line_change(
        &self,
        command: WorkOrderCommand,
    ) -> Result<Vec<WorkOrderEvent>, DomainError> {
        self.ensure_lines_editable()?;
        let event = match command {
            WorkOrderCommand::AddLabourLine {
                line_id,
                service,
                norm_hours,
                rate,
                discount,
                mechanic,
            } => {
                self.ensure_new_line(line_id)?;
                let service = match service {
                    LabourService::Catalogue { service_id, name } => LabourService::Catalogue {
                        service_id,
                        name: required_text(&name, "service", 300)?,
                    },
                    LabourService::FreeText { name } => LabourService::FreeText {
                        name: required_text(&name, "service", 300)?,
                    },
                };
                WorkOrderEvent::LabourLineAdded {
                    line_id,
                    service,
                    norm_hours,
                    rate: bounds::at_most(rate.non_negative("rate")?, bounds::MAX_RATE, "rate")?,
                    discount,
                    mechanic,
                }
            }
            WorkOrderCommand::ChangeLabourLine {
                line_id,
                norm_hours,
                rate,
                discount,
            } => {
                let line = self.labour_line(line_id)?;
                let rate = rate.unwrap_or(line.rate);
                if (line.norm_hours, line.rate, line.discount) == (norm_hours, rate, discount) {
                    return Ok(vec![]);
                }
                WorkOrderEvent::LabourLineChanged {
                    line_id,
                    norm_hours,
                    rate: bounds::at_most(rate.non_negative("rate")?, bounds::MAX_RATE, "rate")?,
                    discount,
                }
            }
            WorkOrderCommand::AssignMechanic { line_id, mechanic } => {
                if self.labour_line(line_id)?.mechanic == mechanic {
                    return Ok(vec![]);
                }
                WorkOrderEvent::MechanicAssigned { line_id, mechanic }
            }
            WorkOrderCommand::AddPartsLine {
                line_id,
                part_number,
                name,
                quantity,
                unit_price,
                discount,
                client_supplied,
                part_id,
            } => {
                self.ensure_new_line(line_id)?;
                if client_supplied && unit_price != Money::ZERO {
                    return Err(DomainError::ClientPartHasPrice);
                }
                WorkOrderEvent::PartsLineAdded {
                    line_id,
                    part_number: required_text(&part_number, "part_number", 100)?,
                    name: required_text(&name, "name", 300)?,
                    quantity,
                    unit_price: bounds::at_most(
                        unit_price.non_negative("unit_price")?,
                        bounds::MAX_UNIT_PRICE,
                        "unit_price",
                    )?,
                    discount,
                    client_supplied,
                    part_id,
                }
            }
            WorkOrderCommand::ChangePartsLine {
                line_id,
                quantity,
                unit_price,
                discount,
            } => {
                let line = self.parts_line(line_id)?;
                if line.client_supplied && unit_price != Money::ZERO {
                    return Err(DomainError::ClientPartHasPrice);
                }
                if (line.quantity, line.unit_price, line.discount)
                    == (quantity, unit_price, discount)
                {
                    return Ok(vec![]);
                }
                WorkOrderEvent::PartsLineChanged {
                    line_id,
                    quantity,
                    unit_price: bounds::at_most(
                        unit_price.non_negative("unit_price")?,
                        bounds::MAX_UNIT_PRICE,
                        "unit_price",
                    )?,
                    discount,
                }
            }
            WorkOrderCommand::RemoveLine { line_id } => {
                if !self.has_line(line_id) {
                    return Err(DomainError::LineNotFound { line_id });
                }
                if self
                    .labour
                    .iter()
                    .any(|l| l.line_id == line_id && l.progress != LabourProgress::NotStarted)
                {
                    return Err(DomainError::LabourAlreadyStarted { line_id });
                }
                WorkOrderEvent::LineRemoved { line_id }
            }
            _ => {
                return Err(DomainError::InvalidTransition {
                    from: self.status.as_str(),
                })
            }
        };
        // A line added or changed must leave every line and the order within the bounds; a removal
        // only lowers the figures, so an order over them (from before the bounds) can be mended.
        if matches!(
            event,
            WorkOrderEvent::LabourLineAdded { .. }
                | WorkOrderEvent::LabourLineChanged { .. }
                | WorkOrderEvent::PartsLineAdded { .. }
                | WorkOrderEvent::PartsLineChanged { .. }
        ) {
            let after = self.clone().evolve(&event);
            bounds::check_lines(&after.labour, &after.parts)?;
        }
        Ok(vec![event])
    }

    fn ensure_new_line(&self, line_id: LineId) -> Result<(), DomainError> {
        if self.used_line_ids.contains(&line_id) {
            Err(DomainError::LineAlreadyExists { line_id })
        } else {
            Ok(())
        }
    }

    fn decide_approval(
        &self,
        decisions: Vec<(LineId, LineDecision)>,
        record: ApprovalRecord,
    ) -> Result<Vec<WorkOrderEvent>, DomainError> {
        self.ensure_lines_editable()?;
        if decisions.is_empty() {
            return Err(DomainError::Required { field: "decisions" });
        }
        required_text(&record.by, "by", 300)?;
        if let ApprovalChannel::Link {
            address,
            user_agent,
        } = &record.channel
        {
            required_text(address, "address", 100)?;
            required_text(user_agent, "user_agent", 1000)?;
        }
        let mut seen = BTreeSet::new();
        let mut events = Vec::with_capacity(decisions.len() + 1);
        for (line_id, decision) in decisions {
            if !seen.insert(line_id) {
                return Err(DomainError::DuplicateDecision { line_id });
            }
            if !self.has_line(line_id) {
                return Err(DomainError::LineNotFound { line_id });
            }
            events.push(match decision {
                LineDecision::Approve => WorkOrderEvent::LineApproved {
                    line_id,
                    record: record.clone(),
                },
                LineDecision::Decline => {
                    if self
                        .labour
                        .iter()
                        .any(|l| l.line_id == line_id && l.progress != LabourProgress::NotStarted)
                    {
                        return Err(DomainError::LabourAlreadyStarted { line_id });
                    }
                    WorkOrderEvent::LineDeclined {
                        line_id,
                        record: record.clone(),
                        recommendation: self.recommendation_from_line(line_id, record.at),
                    }
                }
            });
        }
        let after = events.iter().fold(self.clone(), |state, e| state.evolve(e));
        events.extend(after.estimate_approval(record.at));
        Ok(events)
    }

    fn recommendation_from_line(&self, line_id: LineId, at: DateTime<Utc>) -> Recommendation {
        let (text, estimate) = match self.labour.iter().find(|l| l.line_id == line_id) {
            Some(line) => (line.service.name().to_owned(), line.amount()),
            None => match self.parts.iter().find(|l| l.line_id == line_id) {
                Some(line) => (
                    format!("{} ({})", line.name, line.part_number),
                    line.amount(),
                ),
                None => (String::new(), Money::ZERO),
            },
        };
        Recommendation {
            recommendation_id: RecommendationId(line_id.0),
            text,
            estimate: Some(estimate),
            at,
        }
    }
}

impl Aggregate for WorkOrder {
    const STREAM_TYPE: &'static str = "work_order";
    type Command = WorkOrderCommand;
    type Event = WorkOrderEvent;

    fn decide(&self, command: WorkOrderCommand) -> Result<Vec<WorkOrderEvent>, DomainError> {
        let events = self.decide_command(command)?;
        Ok(self.with_stale_links_voided(events))
    }

    fn evolve(mut self, event: &WorkOrderEvent) -> Self {
        self.apply(event);
        self
    }
}

impl WorkOrder {
    fn decide_command(
        &self,
        command: WorkOrderCommand,
    ) -> Result<Vec<WorkOrderEvent>, DomainError> {
        use WorkOrderStatus as S;
        let opening = matches!(command, WorkOrderCommand::Open { .. });
        check_existence(opening, self.id.is_some(), "work order")?;
        let event = match command {
            WorkOrderCommand::Open {
                work_order_id,
                number,
                client_id,
                client_standing,
                vehicle_id,
                vat_rate,
                opened_by,
                at,
            } => {
                match client_standing {
                    ClientStanding::Active => {}
                    ClientStanding::Archived => return Err(DomainError::ClientArchived),
                    ClientStanding::Erased => return Err(DomainError::ClientErased),
                    ClientStanding::Unknown => {
                        return Err(DomainError::NotFound { what: "client" })
                    }
                }
                WorkOrderEvent::WorkOrderOpened {
                    work_order_id,
                    number: required_text(&number, "number", 40)?,
                    client_id,
                    vehicle_id,
                    vat_rate,
                    opened_by,
                    at,
                }
            }
            WorkOrderCommand::AcceptVehicle { intake } => {
                self.ensure_status(&[S::Draft])?;
                if intake.mileage_km > MAX_MILEAGE_KM {
                    return Err(DomainError::InvalidMileage {
                        km: intake.mileage_km,
                    });
                }
                if intake.fuel_eighths > 8 {
                    return Err(DomainError::InvalidFuelLevel {
                        eighths: intake.fuel_eighths,
                    });
                }
                let at = intake.at;
                let intake = Intake {
                    complaints: required_text(&intake.complaints, "complaints", 4000)?,
                    ..intake
                };
                let accepted = WorkOrderEvent::VehicleAccepted { intake };
                let after = self.clone().evolve(&accepted);
                let mut events = vec![accepted];
                events.extend(after.estimate_approval(at));
                return Ok(events);
            }
            command @ (WorkOrderCommand::AddLabourLine { .. }
            | WorkOrderCommand::ChangeLabourLine { .. }
            | WorkOrderCommand::AssignMechanic { .. }
            | WorkOrderCommand::AddPartsLine { .. }
            | WorkOrderCommand::ChangePartsLine { .. }
            | WorkOrderCommand::RemoveLine { .. }) => return self.decide_line_change(command),
            WorkOrderCommand::StartLabour { line_id, by, at } => {
                self.ensure_status(&[S::InProgress])?;
                let line = self.labour_line(line_id)?;
                // The assigned mechanic keeps the credit when the advisor starts the line for them.
                let mechanic = self.performer_of(line, by)?;
                if line.approval == Approval::Pending {
                    return Err(DomainError::LineNotApproved { line_id });
                }
                if line.progress != LabourProgress::NotStarted {
                    return Err(DomainError::LabourAlreadyStarted { line_id });
                }
                WorkOrderEvent::LabourStarted {
                    line_id,
                    mechanic,
                    at,
                }
            }
            WorkOrderCommand::FinishLabour { line_id, at, by } => {
                self.ensure_status(&[S::InProgress])?;
                let line = self.labour_line(line_id)?;
                self.performer_of(line, by)?;
                if line.progress != LabourProgress::Started {
                    return Err(DomainError::LabourNotStarted { line_id });
                }
                WorkOrderEvent::LabourFinished { line_id, at }
            }
            WorkOrderCommand::AddRecommendation {
                recommendation_id,
                text,
                at,
                by,
            } => {
                if matches!(self.status, S::Closed | S::Cancelled) {
                    return Err(DomainError::WorkOrderLocked {
                        status: self.status.as_str(),
                    });
                }
                if !by.for_others
                    && !self
                        .labour
                        .iter()
                        .any(|line| line.mechanic == Some(by.employee_id))
                {
                    return Err(DomainError::NotOnWorkOrder);
                }
                if self
                    .recommendations
                    .iter()
                    .any(|r| r.recommendation_id == recommendation_id)
                {
                    return Err(DomainError::AlreadyExists {
                        what: "recommendation",
                    });
                }
                WorkOrderEvent::RecommendationAdded {
                    recommendation: Recommendation {
                        recommendation_id,
                        text: required_text(&text, "text", 4000)?,
                        estimate: None,
                        at,
                    },
                }
            }
            WorkOrderCommand::RecordApproval { decisions, record } => {
                return self.decide_approval(decisions, record)
            }
            WorkOrderCommand::IssueApprovalLink {
                link_id,
                token_hash,
                expires_at,
                by,
                at,
            } => return self.decide_issue_link(link_id, token_hash, expires_at, by, at),
            WorkOrderCommand::RevokeApprovalLink { link_id, by, at } => {
                return self.decide_revoke_link(link_id, by, at)
            }
            WorkOrderCommand::OpenApprovalLink {
                token_hash,
                address,
                user_agent,
                at,
            } => return self.decide_open_link(&token_hash, address, user_agent, at),
            WorkOrderCommand::AnswerApprovalLink {
                token_hash,
                revision,
                decisions,
                by,
                address,
                user_agent,
                at,
            } => {
                return self.decide_answer_link(
                    &token_hash,
                    &revision,
                    decisions,
                    by,
                    address,
                    user_agent,
                    at,
                )
            }
            WorkOrderCommand::StartWork { at } => {
                self.ensure_status(&[S::Approved])?;
                WorkOrderEvent::WorkStarted { at }
            }
            WorkOrderCommand::Complete { at } => {
                self.ensure_status(&[S::InProgress])?;
                let pending = self.pending_lines();
                if pending > 0 {
                    return Err(DomainError::LinesAwaitingApproval { count: pending });
                }
                if self.line_count() == 0 {
                    return Err(DomainError::NothingToComplete);
                }
                WorkOrderEvent::WorkOrderCompleted {
                    totals: self.totals(),
                    at,
                }
            }
            WorkOrderCommand::Close { by, at } => {
                self.ensure_status(&[S::Completed])?;
                WorkOrderEvent::WorkOrderClosed { by, at }
            }
            WorkOrderCommand::Cancel { reason, at } => {
                self.ensure_status(&[S::Draft, S::Accepted, S::Approved, S::InProgress])?;
                WorkOrderEvent::WorkOrderCancelled {
                    reason: required_text(&reason, "reason", 1000)?,
                    from: self.status,
                    at,
                }
            }
            WorkOrderCommand::Reopen { reason, at } => {
                self.ensure_status(&[S::Completed])?;
                WorkOrderEvent::WorkOrderReopened {
                    reason: required_text(&reason, "reason", 1000)?,
                    at,
                }
            }
            WorkOrderCommand::SetPromisedTime {
                promised_at,
                reason,
            } => {
                // A promise is about a car still in the shop; once handed over or cancelled, the
                // promise it was given is part of the record. A time in the past is accepted: an
                // advisor may record what was promised on the phone after the fact.
                if matches!(self.status, S::Closed | S::Cancelled) {
                    return Err(DomainError::PromisedTimeLocked {
                        status: self.status.as_str(),
                    });
                }
                if self.promised_at == promised_at {
                    return Ok(vec![]);
                }
                // The client was told a time: moving or withdrawing it is said with a reason, the
                // shop's answer when the client asks why the car is not ready.
                let reason = match (self.promised_at, reason) {
                    (Some(_), reason) => Some(required_text(
                        reason.as_deref().unwrap_or_default(),
                        "reason",
                        300,
                    )?),
                    (None, Some(reason)) if !reason.trim().is_empty() => {
                        Some(required_text(&reason, "reason", 300)?)
                    }
                    (None, _) => None,
                };
                WorkOrderEvent::PromisedTimeSet {
                    promised_at,
                    reason,
                }
            }
        };
        Ok(vec![event])
    }

    fn apply(&mut self, event: &WorkOrderEvent) {
        use WorkOrderStatus as S;
        let reset_approval = |approval: &mut Approval| *approval = Approval::Pending;
        match event {
            WorkOrderEvent::WorkOrderOpened {
                work_order_id,
                number,
                client_id,
                vehicle_id,
                vat_rate,
                ..
            } => {
                self.id = Some(*work_order_id);
                self.number = number.clone();
                self.client_id = Some(*client_id);
                self.vehicle_id = Some(*vehicle_id);
                self.vat_rate = *vat_rate;
                self.status = S::Draft;
            }
            WorkOrderEvent::VehicleAccepted { intake } => {
                self.intake = Some(intake.clone());
                self.status = S::Accepted;
            }
            WorkOrderEvent::LabourLineAdded {
                line_id,
                service,
                norm_hours,
                rate,
                discount,
                mechanic,
            } => {
                self.used_line_ids.insert(*line_id);
                self.labour.push(LabourLine {
                    line_id: *line_id,
                    service: service.clone(),
                    norm_hours: *norm_hours,
                    rate: *rate,
                    discount: *discount,
                    mechanic: *mechanic,
                    approval: Approval::Pending,
                    progress: LabourProgress::NotStarted,
                });
            }
            WorkOrderEvent::LabourLineChanged {
                line_id,
                norm_hours,
                rate,
                discount,
            } => {
                if let Some(line) = self.labour.iter_mut().find(|l| l.line_id == *line_id) {
                    line.norm_hours = *norm_hours;
                    line.rate = *rate;
                    line.discount = *discount;
                    reset_approval(&mut line.approval);
                }
            }
            WorkOrderEvent::MechanicAssigned { line_id, mechanic } => {
                if let Some(line) = self.labour.iter_mut().find(|l| l.line_id == *line_id) {
                    line.mechanic = *mechanic;
                }
            }
            WorkOrderEvent::PartsLineAdded {
                line_id,
                part_number,
                name,
                quantity,
                unit_price,
                discount,
                client_supplied,
                part_id,
            } => {
                self.used_line_ids.insert(*line_id);
                self.parts.push(PartsLine {
                    line_id: *line_id,
                    part_number: part_number.clone(),
                    name: name.clone(),
                    quantity: *quantity,
                    unit_price: *unit_price,
                    discount: *discount,
                    client_supplied: *client_supplied,
                    approval: Approval::Pending,
                    part_id: *part_id,
                });
            }
            WorkOrderEvent::PartsLineChanged {
                line_id,
                quantity,
                unit_price,
                discount,
            } => {
                if let Some(line) = self.parts.iter_mut().find(|l| l.line_id == *line_id) {
                    line.quantity = *quantity;
                    line.unit_price = *unit_price;
                    line.discount = *discount;
                    reset_approval(&mut line.approval);
                }
            }
            WorkOrderEvent::LineRemoved { line_id } => {
                self.labour.retain(|l| l.line_id != *line_id);
                self.parts.retain(|l| l.line_id != *line_id);
            }
            WorkOrderEvent::LabourStarted {
                line_id, mechanic, ..
            } => {
                if let Some(line) = self.labour.iter_mut().find(|l| l.line_id == *line_id) {
                    line.progress = LabourProgress::Started;
                    line.mechanic = Some(*mechanic);
                }
            }
            WorkOrderEvent::LabourFinished { line_id, .. } => {
                if let Some(line) = self.labour.iter_mut().find(|l| l.line_id == *line_id) {
                    line.progress = LabourProgress::Finished;
                }
            }
            WorkOrderEvent::RecommendationAdded { recommendation } => {
                self.recommendations.push(recommendation.clone());
            }
            WorkOrderEvent::LineApproved { line_id, record } => {
                let approved = Approval::Approved {
                    record: record.clone(),
                };
                if let Some(line) = self.labour.iter_mut().find(|l| l.line_id == *line_id) {
                    line.approval = approved.clone();
                }
                if let Some(line) = self.parts.iter_mut().find(|l| l.line_id == *line_id) {
                    line.approval = approved;
                }
            }
            WorkOrderEvent::LineDeclined {
                line_id,
                recommendation,
                ..
            } => {
                self.labour.retain(|l| l.line_id != *line_id);
                self.parts.retain(|l| l.line_id != *line_id);
                self.recommendations.push(recommendation.clone());
            }
            WorkOrderEvent::EstimateApproved { .. } => self.status = S::Approved,
            WorkOrderEvent::WorkStarted { .. } => self.status = S::InProgress,
            WorkOrderEvent::WorkOrderCompleted { .. } => self.status = S::Completed,
            WorkOrderEvent::WorkOrderClosed { .. } => self.status = S::Closed,
            WorkOrderEvent::WorkOrderCancelled { .. } => self.status = S::Cancelled,
            WorkOrderEvent::WorkOrderReopened { .. } => self.status = S::InProgress,
            WorkOrderEvent::PromisedTimeSet { promised_at, .. } => self.promised_at = *promised_at,
            WorkOrderEvent::ApprovalLinkIssued { .. }
            | WorkOrderEvent::ApprovalLinkOpened { .. }
            | WorkOrderEvent::ApprovalLinkRevoked { .. }
            | WorkOrderEvent::ApprovalLinkVoided { .. }
            | WorkOrderEvent::ApprovalLinkAnswered { .. } => self.evolve_link(event),
        }
    }
}
