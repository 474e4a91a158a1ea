//! The domain's one error type: every refusal names what was wrong, carries the figures a person
//! needs (the balance, the last mileage), and has a stable machine code the APIs pass on.

use chrono::{DateTime, Utc};

use crate::ids::LineId;
use crate::money::Money;

/// What kind of refusal an error is; the HTTP layer maps each kind to one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The thing does not exist (404).
    NotFound,
    /// The thing exists already (409).
    AlreadyExists,
    /// A value is malformed (422).
    InvalidValue,
    /// A rule of the shop forbids it in this state (422).
    RuleBroken,
    /// The actor may not do this to this record, whatever its state (403).
    Forbidden,
}

/// Why the domain refused a command or a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The record does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// The record exists already.
    #[error("{what} already exists")]
    AlreadyExists {
        /// What.
        what: &'static str,
    },
    /// A required field is blank.
    #[error("{field} is required")]
    Required {
        /// The field.
        field: &'static str,
    },
    /// A text is too long.
    #[error("{field} is longer than {max} characters")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// A VIN is malformed.
    #[error("invalid VIN {value:?}: {reason}")]
    InvalidVin {
        /// As typed.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// A plate is malformed.
    #[error("invalid plate {value:?}: {reason}")]
    InvalidPlate {
        /// As typed.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// A phone is malformed.
    #[error("invalid phone {value:?}: {reason}")]
    InvalidPhone {
        /// As typed.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// An e-mail is malformed.
    #[error("invalid e-mail {value:?}")]
    InvalidEmail {
        /// As typed.
        value: String,
    },
    /// An INN is malformed or fails its check digits.
    #[error("invalid INN {value:?}: {reason}")]
    InvalidInn {
        /// As typed.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// A KPP is malformed.
    #[error("invalid KPP {value:?}: 4 digits, 2 digits or capitals, 3 digits")]
    InvalidKpp {
        /// As typed.
        value: String,
    },
    /// An OGRN is malformed or fails its check digit.
    #[error("invalid OGRN {value:?}: {reason}")]
    InvalidOgrn {
        /// As typed.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// Bank details are malformed or inconsistent.
    #[error("invalid bank details: {reason}")]
    InvalidBankDetails {
        /// Why.
        reason: &'static str,
    },
    /// A sole trader has no KPP.
    #[error("a sole trader (12-digit INN) has no KPP")]
    KppForSoleTrader,
    /// Requisites contradict each other.
    #[error("requisites do not agree: {reason}")]
    RequisitesMismatch {
        /// Why.
        reason: &'static str,
    },
    /// A code is malformed.
    #[error("invalid code {value:?}: lower-case Latin letters, digits, _ and -, starting with a letter, up to 40")]
    InvalidCode {
        /// As typed.
        value: String,
    },
    /// A currency code is malformed.
    #[error("invalid currency {value:?}: three letters, e.g. RUB")]
    InvalidCurrency {
        /// As typed.
        value: String,
    },
    /// A work-order number format is malformed.
    #[error("invalid number format {value:?}: {reason}")]
    InvalidNumberFormat {
        /// As typed.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// Norm-hours out of range.
    #[error("norm-hours must be from 0.1 to 999.9, got {tenths} tenths")]
    InvalidNormHours {
        /// The tenths given.
        tenths: u32,
    },
    /// A percentage out of range.
    #[error("invalid percentage: {basis_points} hundredths of a percent")]
    InvalidPercent {
        /// The basis points given.
        basis_points: u16,
    },
    /// A quantity out of range.
    #[error("quantity must be above zero and at most 10 000, got {thousandths} thousandths")]
    InvalidQuantity {
        /// The thousandths given.
        thousandths: u32,
    },
    /// An amount above what a shop can really bill ([`crate::bounds`]).
    #[error("{field} of {attempted} is above the most a shop bills, {max}")]
    AmountOutOfRange {
        /// The field or figure: `unit_price`, `rate`, `line_amount`, `order_total`, `amount`, `total`.
        field: &'static str,
        /// The bound.
        max: Money,
        /// What was asked (a saturated figure when the asked one is beyond 64 bits).
        attempted: Money,
    },
    /// An amount that must be above zero is not.
    #[error("{field} must be above zero")]
    AmountNotPositive {
        /// The field.
        field: &'static str,
    },
    /// An amount that must not be negative is.
    #[error("{field} must not be negative")]
    AmountNegative {
        /// The field.
        field: &'static str,
    },
    /// A year of manufacture out of range.
    #[error("year {year} is not between 1900 and {latest}")]
    InvalidYear {
        /// The year given.
        year: u16,
        /// The latest accepted.
        latest: u16,
    },
    /// A mileage reading out of range.
    #[error("mileage {km} km is beyond any odometer")]
    InvalidMileage {
        /// The reading.
        km: u32,
    },
    /// A mileage reading below the last one.
    #[error("mileage cannot go down from {last_km} km to {attempted_km} km; record a correction with a reason")]
    MileageDecreased {
        /// The last reading.
        last_km: u32,
        /// The reading refused.
        attempted_km: u32,
    },
    /// A fuel level out of range.
    #[error("fuel level is 0 to 8 eighths, got {eighths}")]
    InvalidFuelLevel {
        /// The eighths given.
        eighths: u8,
    },
    /// A vehicle needs a VIN or a plate to be found again.
    #[error("a vehicle needs a VIN or a plate")]
    VinOrPlateRequired,
    /// A client needs at least one phone.
    #[error("a client needs at least one phone")]
    PhoneRequired,
    /// The phone is already the client's.
    #[error("phone {phone} is already on the client")]
    PhoneAlreadyAdded {
        /// The phone.
        phone: String,
    },
    /// The phone is not the client's.
    #[error("phone {phone} is not on the client")]
    PhoneNotFound {
        /// The phone.
        phone: String,
    },
    /// The client is archived.
    #[error("the client is archived")]
    ClientArchived,
    /// The client is not archived.
    #[error("the client is not archived")]
    ClientNotArchived,
    /// The client's personal data was erased: the record takes no more commands.
    #[error("the client's personal data was erased")]
    ClientErased,
    /// The employee's personal data was erased.
    #[error("the employee's personal data was erased")]
    EmployeeErased,
    /// Erasing needs the employee to be deactivated first.
    #[error("deactivate the employee before erasing their personal data")]
    EmployeeStillActive,
    /// A value equal to the marker readers show for erased data.
    #[error("{field} cannot be the erased-data marker")]
    ReservedValue {
        /// The field.
        field: &'static str,
    },
    /// The order's lines cannot change in its status.
    #[error("the work order is {status}: its lines cannot change (reopen it first)")]
    WorkOrderLocked {
        /// The status.
        status: &'static str,
    },
    /// The promised time of a closed or cancelled order cannot change.
    #[error("the work order is {status}: its promised time can no longer change")]
    PromisedTimeLocked {
        /// The status.
        status: &'static str,
    },
    /// The command does not apply in the order's status.
    #[error("not allowed while the work order is {from}")]
    InvalidTransition {
        /// The status.
        from: &'static str,
    },
    /// No such line on the order.
    #[error("line {line_id} is not on the work order")]
    LineNotFound {
        /// The line.
        line_id: LineId,
    },
    /// A line id used before on the order.
    #[error("line {line_id} already exists on the work order")]
    LineAlreadyExists {
        /// The line.
        line_id: LineId,
    },
    /// The client's own part has a price.
    #[error("the client's own part is fitted free: its unit price must be 0")]
    ClientPartHasPrice,
    /// Two decisions on one line in one approval.
    #[error("line {line_id} has two decisions")]
    DuplicateDecision {
        /// The line.
        line_id: LineId,
    },
    /// Work on a line not approved by the client.
    #[error("line {line_id} is not approved by the client")]
    LineNotApproved {
        /// The line.
        line_id: LineId,
    },
    /// The labour line was already started.
    #[error("work on line {line_id} has already started")]
    LabourAlreadyStarted {
        /// The line.
        line_id: LineId,
    },
    /// The labour line was not started.
    #[error("work on line {line_id} has not started")]
    LabourNotStarted {
        /// The line.
        line_id: LineId,
    },
    /// Lines still await the client's decision.
    #[error("{count} line(s) still await the client's approval")]
    LinesAwaitingApproval {
        /// How many.
        count: usize,
    },
    /// An order with no lines cannot be completed.
    #[error("the work order has no lines to complete")]
    NothingToComplete,
    /// No link answers to this token (mistyped, tampered with, or for another order).
    #[error("this approval link does not exist")]
    ApprovalLinkNotFound,
    /// The link's time is over.
    #[error("this approval link expired at {expired_at}")]
    ApprovalLinkExpired {
        /// When it expired.
        expired_at: DateTime<Utc>,
    },
    /// The shop withdrew the link.
    #[error("the shop withdrew this approval link")]
    ApprovalLinkRevoked,
    /// The estimate changed since the link was sent.
    #[error("the estimate changed since this link was sent: ask the shop for a new one")]
    ApprovalLinkStale,
    /// The link was answered already.
    #[error("this approval link was answered already")]
    ApprovalLinkUsed,
    /// Every line of the estimate is decided: there is nothing to send a link for.
    #[error("no line awaits the client's decision")]
    NothingToApprove,
    /// A link that expires before it is sent, or later than the longest a link may live.
    #[error("a link must expire after it is sent and within {max_days} days")]
    InvalidLinkLifetime {
        /// The longest, in days.
        max_days: i64,
    },
    /// An answer through a link must decide every line still waiting.
    #[error("line {line_id} awaits a decision")]
    DecisionMissing {
        /// The line.
        line_id: LineId,
    },
    /// An invoice needs a completed order.
    #[error("the work order is {status}, not completed: no invoice yet")]
    WorkOrderNotCompleted {
        /// The status.
        status: &'static str,
    },
    /// The invoice basis's lines do not add up to its total.
    #[error("the lines add up to {lines}, the total says {total}")]
    TotalsMismatch {
        /// Sum of the lines.
        lines: Money,
        /// The stated total.
        total: Money,
    },
    /// A payment above the balance due.
    #[error("payment of {attempted} exceeds the balance due of {balance}")]
    InvoiceOverpaid {
        /// What is due.
        balance: Money,
        /// What was offered.
        attempted: Money,
    },
    /// A refund above what was paid.
    #[error("refund of {attempted} exceeds the {refundable} paid")]
    RefundExceedsPaid {
        /// What can be refunded.
        refundable: Money,
        /// What was asked.
        attempted: Money,
    },
    /// Voiding an invoice with money on it.
    #[error("the invoice has {paid} paid on it: refund it before voiding")]
    InvoiceHasPayments {
        /// The net paid.
        paid: Money,
    },
    /// The invoice is void.
    #[error("the invoice is void")]
    InvoiceVoid,
    /// A setting the command needs was never set.
    #[error("the setting {setting} is not set")]
    SettingMissing {
        /// The setting.
        setting: &'static str,
    },
    /// No such directory entry.
    #[error("no entry {code}")]
    EntryNotFound {
        /// The code.
        code: String,
    },
    /// The entry code is taken.
    #[error("entry {code} already exists")]
    EntryExists {
        /// The code.
        code: String,
    },
    /// The owner role always has every permission.
    #[error("the owner role always has every permission")]
    OwnerRoleFixed,
    /// The owner role is never archived.
    #[error("the owner role cannot be archived")]
    OwnerRoleKept,
    /// Editing or assigning a role that is in the archive.
    #[error("the role is archived: take it back from the archive first")]
    RoleArchived,
    /// Archiving a role active employees still hold.
    #[error("{holders} active employee(s) still hold this role")]
    RoleInUse {
        /// How many.
        holders: usize,
    },
    /// The shop would be left without an active owner.
    #[error("the shop must keep at least one active owner")]
    LastOwner,
    /// An employee needs an e-mail or phone to log in with.
    #[error("an employee needs an e-mail or a phone to log in with")]
    LoginRequired,
    /// Another active employee has this login.
    #[error("another active employee uses this {login}")]
    LoginTaken {
        /// Which login: email or phone.
        login: &'static str,
    },
    /// Giving (through a role or an employee's roles) a permission the actor does not hold.
    #[error("you cannot give the permission {permission}: you do not hold it")]
    PermissionNotHeld {
        /// The first permission the actor lacks.
        permission: &'static str,
    },
    /// Assigning or removing the owner role (or creating it) by someone who is not an owner.
    #[error("only an owner may assign or remove the owner role")]
    OwnerRoleByOwnerOnly,
    /// A non-owner changing an owner's details, roles, activity or password.
    #[error("only an owner may change an owner's details, roles, access or password")]
    OwnerProtected,
    /// A mechanic acting on a labour line assigned to another mechanic.
    #[error("line {line_id} is assigned to another mechanic")]
    LineOfAnotherMechanic {
        /// The line.
        line_id: LineId,
    },
    /// A mechanic adding a recommendation to an order where they have no line.
    #[error("you have no line on this work order")]
    NotOnWorkOrder,
    /// An invoice's part above the order's whole total.
    #[error("an invoice of {attempted} is more than the work order's total {order_total}")]
    InvoiceExceedsOrder {
        /// The order's total.
        order_total: Money,
        /// The part asked for.
        attempted: Money,
    },
    /// More asked of the free stock (on hand less what is reserved) than there is: a reservation
    /// without the right to backorder, or a return to the supplier (which never takes a reserved
    /// unit). Worded for both: a reservation's way out (to order) is the client's to offer.
    #[error("only {available} thousandths are free, {requested} asked (a reservation beyond them needs the backorder permission)")]
    InsufficientStock {
        /// Free to reserve, in thousandths (on hand less what is reserved from it).
        available: i64,
        /// Asked, in thousandths.
        requested: u32,
    },
    /// A stock or purchase figure asked beyond what there is of it.
    #[error("the {what} is {available} thousandths, {attempted} asked")]
    QuantityExceeds {
        /// Which figure: `on_order`, `reservation`, `covered_reservation`, `outstanding`,
        /// `issued`, `stock_capacity`.
        what: &'static str,
        /// What there is, in thousandths.
        available: u64,
        /// What was asked, in thousandths.
        attempted: u64,
    },
    /// The command does not apply in the purchase order's status.
    #[error("not allowed while the purchase order is {status}")]
    PurchaseOrderLocked {
        /// The status.
        status: &'static str,
    },
    /// Cancelling a purchase order something was received on.
    #[error("goods were received on the purchase order: close it instead of cancelling")]
    PurchaseOrderHasReceipts,
    /// Sending a purchase order without lines.
    #[error("the purchase order has no lines")]
    PurchaseOrderEmpty,
    /// A part number with nothing to search by.
    #[error("invalid part number {value:?}: letters or digits, up to 60 characters")]
    InvalidPartNumber {
        /// As typed.
        value: String,
    },
    /// A part's minimum stock above its maximum.
    #[error("the reorder minimum {min} is above the maximum {max} (thousandths)")]
    InvalidReorderPoints {
        /// The minimum, in thousandths.
        min: u64,
        /// The maximum, in thousandths.
        max: u64,
    },
    /// A part named as its own analogue.
    #[error("a part cannot be its own analogue")]
    AnalogueOfItself,
    /// A supplier's payment terms out of range.
    #[error("payment terms are 0 to 365 days, got {days}")]
    InvalidPaymentTerms {
        /// The days given.
        days: u16,
    },
    /// A markup matrix that would leave a price without a markup, or give it two.
    #[error("invalid markup matrix: {reason}")]
    InvalidMarkupMatrix {
        /// Why.
        reason: &'static str,
    },
    /// A shift that ends before it starts, or lasts no time.
    #[error("a shift must end after it starts")]
    ShiftEndsBeforeStart,
    /// A break outside its shift, or overlapping another break.
    #[error("a break must lie inside its shift and not overlap another break")]
    BreakOutsideShift,
    /// A period whose start is after its end.
    #[error("the period starts after it ends")]
    InvalidPeriod,
    /// A period longer than the limit.
    #[error("the period is longer than {max_days} days")]
    PeriodTooLong {
        /// The limit, in days.
        max_days: u16,
    },
    /// An efficiency factor of zero or above 100 %.
    #[error(
        "the efficiency factor must be above 0 and at most 100 %, got {basis_points} basis points"
    )]
    InvalidEfficiency {
        /// As given.
        basis_points: u16,
    },
    /// A UTC offset outside −12 h … +14 h or not in whole minutes of a real zone.
    #[error("the UTC offset must be from -720 to +840 minutes, got {minutes}")]
    InvalidUtcOffset {
        /// As given.
        minutes: i32,
    },
    /// An absence over days that already have one.
    #[error("the employee is already absent on some of these days")]
    AbsenceOverlaps,
    /// A booking that needs more norm-hours than the day has free.
    #[error(
        "not enough capacity: {needed_tenths} tenths of a norm-hour needed, {free_tenths} free"
    )]
    CapacityExceeded {
        /// What the booking needs, in tenths of a norm-hour.
        needed_tenths: u32,
        /// What is free, in tenths of a norm-hour (0 when already overbooked).
        free_tenths: u32,
    },
    /// The appointment is over (cancelled, a no-show, or the car arrived).
    #[error("the appointment is {status}")]
    AppointmentClosed {
        /// Its status.
        status: &'static str,
    },
    /// A car wanted at a time already gone.
    #[error("the wanted time is in the past")]
    WantedTimeInPast,
    /// A job clock moved while the mechanic is not on shift.
    #[error("the mechanic is not on shift")]
    NotOnShift,
    /// A clock entry earlier than the last one.
    #[error("the time is before the clock's last entry at {last}")]
    ClockWentBack {
        /// The last entry.
        last: DateTime<Utc>,
    },
    /// Pausing or finishing a job that is not on the clock.
    #[error("the job is not running")]
    JobNotRunning,
    /// Moving the clock of a job already finished.
    #[error("the job is finished")]
    JobAlreadyFinished,
    /// A notification's step that its state does not allow (a second attempt in flight, an
    /// outcome without an attempt).
    #[error("the notification is {status}")]
    NotificationState {
        /// Where it stands.
        status: &'static str,
    },
    /// A message template or quiet hours the owner cannot save.
    #[error("invalid template: {reason}")]
    InvalidTemplate {
        /// Why.
        reason: &'static str,
    },
    /// A no-show noted before the appointment's time.
    #[error("the appointment's time has not come yet")]
    AppointmentNotDue,
    /// A time of day that is not `HH:MM`.
    #[error("invalid time of day {value:?}: HH:MM expected")]
    InvalidTimeOfDay {
        /// As typed.
        value: String,
    },
    /// A file whose type its kind does not take (a photo must be JPEG, PNG or WebP).
    #[error("files of type {content_type:?} are not accepted here")]
    FileTypeNotAllowed {
        /// As declared.
        content_type: String,
    },
    /// An empty file, or one above the limit.
    #[error("a file must be 1 to {max} bytes, got {size}")]
    FileTooLarge {
        /// As declared.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// A checksum that is not a SHA-256 in hex.
    #[error("the checksum must be a SHA-256: 64 hexadecimal digits")]
    InvalidDigest,
    /// A change to a file already taken off its record.
    #[error("the file was detached")]
    FileDetached,
}

impl DomainError {
    /// The stable machine code, e.g. `invoice_overpaid`. Never changes once published.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::AlreadyExists { .. } => "already_exists",
            Self::Required { .. } => "required",
            Self::TooLong { .. } => "too_long",
            Self::InvalidVin { .. } => "invalid_vin",
            Self::InvalidPlate { .. } => "invalid_plate",
            Self::InvalidPhone { .. } => "invalid_phone",
            Self::InvalidEmail { .. } => "invalid_email",
            Self::InvalidInn { .. } => "invalid_inn",
            Self::InvalidKpp { .. } => "invalid_kpp",
            Self::InvalidOgrn { .. } => "invalid_ogrn",
            Self::InvalidBankDetails { .. } => "invalid_bank_details",
            Self::KppForSoleTrader => "kpp_for_sole_trader",
            Self::RequisitesMismatch { .. } => "requisites_mismatch",
            Self::InvalidCode { .. } => "invalid_code",
            Self::InvalidCurrency { .. } => "invalid_currency",
            Self::InvalidNumberFormat { .. } => "invalid_number_format",
            Self::InvalidNormHours { .. } => "invalid_norm_hours",
            Self::InvalidPercent { .. } => "invalid_percent",
            Self::InvalidQuantity { .. } => "invalid_quantity",
            Self::AmountOutOfRange { .. } => "amount_out_of_range",
            Self::AmountNotPositive { .. } => "amount_not_positive",
            Self::AmountNegative { .. } => "amount_negative",
            Self::InvalidYear { .. } => "invalid_year",
            Self::InvalidMileage { .. } => "invalid_mileage",
            Self::MileageDecreased { .. } => "mileage_decreased",
            Self::InvalidFuelLevel { .. } => "invalid_fuel_level",
            Self::VinOrPlateRequired => "vin_or_plate_required",
            Self::PhoneRequired => "phone_required",
            Self::PhoneAlreadyAdded { .. } => "phone_already_added",
            Self::PhoneNotFound { .. } => "phone_not_found",
            Self::ClientArchived => "client_archived",
            Self::ClientNotArchived => "client_not_archived",
            Self::ClientErased => "client_erased",
            Self::EmployeeErased => "employee_erased",
            Self::EmployeeStillActive => "employee_still_active",
            Self::ReservedValue { .. } => "reserved_value",
            Self::WorkOrderLocked { .. } => "work_order_locked",
            Self::PromisedTimeLocked { .. } => "promised_time_locked",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::LineNotFound { .. } => "line_not_found",
            Self::LineAlreadyExists { .. } => "line_already_exists",
            Self::ClientPartHasPrice => "client_part_has_price",
            Self::DuplicateDecision { .. } => "duplicate_decision",
            Self::LineNotApproved { .. } => "line_not_approved",
            Self::LabourAlreadyStarted { .. } => "labour_already_started",
            Self::LabourNotStarted { .. } => "labour_not_started",
            Self::LinesAwaitingApproval { .. } => "lines_awaiting_approval",
            Self::NothingToComplete => "nothing_to_complete",
            Self::ApprovalLinkNotFound => "approval_link_not_found",
            Self::ApprovalLinkExpired { .. } => "approval_link_expired",
            Self::ApprovalLinkRevoked => "approval_link_revoked",
            Self::ApprovalLinkStale => "approval_link_stale",
            Self::ApprovalLinkUsed => "approval_link_used",
            Self::NothingToApprove => "nothing_to_approve",
            Self::InvalidLinkLifetime { .. } => "invalid_link_lifetime",
            Self::DecisionMissing { .. } => "decision_missing",
            Self::WorkOrderNotCompleted { .. } => "work_order_not_completed",
            Self::TotalsMismatch { .. } => "totals_mismatch",
            Self::InvoiceOverpaid { .. } => "invoice_overpaid",
            Self::RefundExceedsPaid { .. } => "refund_exceeds_paid",
            Self::InvoiceHasPayments { .. } => "invoice_has_payments",
            Self::InvoiceVoid => "invoice_void",
            Self::SettingMissing { .. } => "setting_missing",
            Self::EntryNotFound { .. } => "entry_not_found",
            Self::EntryExists { .. } => "entry_exists",
            Self::OwnerRoleFixed => "owner_role_fixed",
            Self::OwnerRoleKept => "owner_role_kept",
            Self::RoleArchived => "role_archived",
            Self::RoleInUse { .. } => "role_in_use",
            Self::LastOwner => "last_owner",
            Self::LoginRequired => "login_required",
            Self::LoginTaken { .. } => "login_taken",
            Self::PermissionNotHeld { .. } => "permission_not_held",
            Self::OwnerRoleByOwnerOnly => "owner_role_by_owner_only",
            Self::OwnerProtected => "owner_protected",
            Self::LineOfAnotherMechanic { .. } => "line_of_another_mechanic",
            Self::NotOnWorkOrder => "not_on_work_order",
            Self::InvoiceExceedsOrder { .. } => "invoice_exceeds_order",
            Self::InsufficientStock { .. } => "insufficient_stock",
            Self::QuantityExceeds { .. } => "quantity_exceeds",
            Self::PurchaseOrderLocked { .. } => "purchase_order_locked",
            Self::PurchaseOrderHasReceipts => "purchase_order_has_receipts",
            Self::PurchaseOrderEmpty => "purchase_order_empty",
            Self::InvalidPartNumber { .. } => "invalid_part_number",
            Self::InvalidReorderPoints { .. } => "invalid_reorder_points",
            Self::AnalogueOfItself => "analogue_of_itself",
            Self::InvalidPaymentTerms { .. } => "invalid_payment_terms",
            Self::InvalidMarkupMatrix { .. } => "invalid_markup_matrix",
            Self::ShiftEndsBeforeStart => "shift_ends_before_start",
            Self::BreakOutsideShift => "break_outside_shift",
            Self::InvalidPeriod => "invalid_period",
            Self::PeriodTooLong { .. } => "period_too_long",
            Self::InvalidEfficiency { .. } => "invalid_efficiency",
            Self::InvalidUtcOffset { .. } => "invalid_utc_offset",
            Self::AbsenceOverlaps => "absence_overlaps",
            Self::CapacityExceeded { .. } => "capacity_exceeded",
            Self::AppointmentClosed { .. } => "appointment_closed",
            Self::WantedTimeInPast => "wanted_time_in_past",
            Self::NotOnShift => "not_on_shift",
            Self::ClockWentBack { .. } => "clock_went_back",
            Self::JobNotRunning => "job_not_running",
            Self::JobAlreadyFinished => "job_already_finished",
            Self::InvalidTimeOfDay { .. } => "invalid_time_of_day",
            Self::NotificationState { .. } => "notification_state",
            Self::InvalidTemplate { .. } => "invalid_template",
            Self::AppointmentNotDue => "appointment_not_due",
            Self::FileTypeNotAllowed { .. } => "file_type_not_allowed",
            Self::FileTooLarge { .. } => "file_too_large",
            Self::InvalidDigest => "invalid_digest",
            Self::FileDetached => "file_detached",
        }
    }

    /// What kind of refusal this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound { .. } | Self::ApprovalLinkNotFound => ErrorKind::NotFound,
            Self::AlreadyExists { .. }
            | Self::LineAlreadyExists { .. }
            | Self::EntryExists { .. } => ErrorKind::AlreadyExists,
            Self::Required { .. }
            | Self::TooLong { .. }
            | Self::InvalidVin { .. }
            | Self::InvalidPlate { .. }
            | Self::InvalidPhone { .. }
            | Self::InvalidEmail { .. }
            | Self::InvalidInn { .. }
            | Self::InvalidKpp { .. }
            | Self::InvalidOgrn { .. }
            | Self::InvalidBankDetails { .. }
            | Self::InvalidCode { .. }
            | Self::InvalidCurrency { .. }
            | Self::InvalidNumberFormat { .. }
            | Self::InvalidNormHours { .. }
            | Self::InvalidPercent { .. }
            | Self::InvalidQuantity { .. }
            | Self::AmountOutOfRange { .. }
            | Self::AmountNotPositive { .. }
            | Self::AmountNegative { .. }
            | Self::InvalidYear { .. }
            | Self::InvalidMileage { .. }
            | Self::InvalidFuelLevel { .. }
            | Self::ReservedValue { .. } => ErrorKind::InvalidValue,
            Self::PermissionNotHeld { .. }
            | Self::OwnerRoleByOwnerOnly
            | Self::OwnerProtected
            | Self::LineOfAnotherMechanic { .. }
            | Self::NotOnWorkOrder => ErrorKind::Forbidden,
            Self::InvalidPartNumber { .. }
            | Self::InvalidReorderPoints { .. }
            | Self::AnalogueOfItself
            | Self::InvalidPaymentTerms { .. }
            | Self::InvalidMarkupMatrix { .. }
            | Self::ShiftEndsBeforeStart
            | Self::BreakOutsideShift
            | Self::InvalidPeriod
            | Self::PeriodTooLong { .. }
            | Self::InvalidEfficiency { .. }
            | Self::InvalidUtcOffset { .. }
            | Self::InvalidTemplate { .. }
            | Self::InvalidTimeOfDay { .. }
            | Self::FileTypeNotAllowed { .. }
            | Self::FileTooLarge { .. }
            | Self::InvalidDigest => ErrorKind::InvalidValue,
            _ => ErrorKind::RuleBroken,
        }
    }

    /// The message in Russian, for the shop's staff.
    pub fn message_ru(&self) -> String {
        match self {
            Self::NotFound { what } => format!("Не найдено: {what}"),
            Self::AlreadyExists { what } => format!("Уже существует: {what}"),
            Self::Required { field } => format!("Поле «{field}» обязательно"),
            Self::TooLong { field, max } => format!("Поле «{field}» длиннее {max} символов"),
            Self::InvalidVin { value, .. } => format!("Неверный VIN «{value}»: 17 знаков, без I, O и Q"),
            Self::InvalidPlate { value, .. } => {
                format!("Неверный госномер «{value}» (пример: А123ВС77)")
            }
            Self::InvalidPhone { value, .. } => format!("Неверный телефон «{value}»"),
            Self::InvalidEmail { value } => format!("Неверный e-mail «{value}»"),
            Self::InvalidInn { value, .. } => {
                format!("Неверный ИНН «{value}»: 10 или 12 цифр с верными контрольными разрядами")
            }
            Self::InvalidKpp { value } => format!("Неверный КПП «{value}»"),
            Self::InvalidOgrn { value, .. } => format!("Неверный ОГРН «{value}»"),
            Self::InvalidBankDetails { .. } => {
                "Неверные банковские реквизиты: счёт не сходится с БИК".into()
            }
            Self::KppForSoleTrader => "У индивидуального предпринимателя нет КПП".into(),
            Self::RequisitesMismatch { .. } => {
                "Реквизиты противоречат друг другу (ИНН, КПП и ОГРН)".into()
            }
            Self::InvalidCode { value } => format!(
                "Неверный код «{value}»: латинские строчные буквы, цифры, _ и -, до 40 знаков"
            ),
            Self::InvalidCurrency { value } => format!("Неверная валюта «{value}»"),
            Self::InvalidNumberFormat { value, .. } => format!(
                "Неверный формат номера «{value}»: нужен {{seq}}; можно {{yyyy}}, {{yy}}, {{mm}}"
            ),
            Self::InvalidNormHours { .. } => "Нормо-часы: от 0,1 до 999,9".into(),
            Self::InvalidPercent { .. } => "Процент должен быть от 0 до 100".into(),
            Self::InvalidQuantity { .. } => {
                "Количество должно быть больше нуля и не больше 10 000".into()
            }
            Self::AmountOutOfRange {
                field,
                max,
                attempted,
            } => format!(
                "Сумма «{field}» {attempted} ₽ больше предельной {max} ₽: проверьте, не вставлен ли штрихкод вместо цены"
            ),
            Self::AmountNotPositive { field } => format!("Сумма «{field}» должна быть больше нуля"),
            Self::AmountNegative { field } => format!("Сумма «{field}» не может быть отрицательной"),
            Self::InvalidYear { year, latest } => {
                format!("Год выпуска {year} вне диапазона 1900–{latest}")
            }
            Self::InvalidMileage { km } => format!("Пробег {km} км невозможен"),
            Self::MileageDecreased {
                last_km,
                attempted_km,
            } => format!(
                "Пробег не может уменьшиться с {last_km} до {attempted_km} км; оформите корректировку с причиной"
            ),
            Self::InvalidFuelLevel { .. } => "Уровень топлива: от 0 до 8 восьмых".into(),
            Self::VinOrPlateRequired => "Нужен VIN или госномер".into(),
            Self::PhoneRequired => "У клиента должен быть хотя бы один телефон".into(),
            Self::PhoneAlreadyAdded { phone } => format!("Телефон {phone} уже есть у клиента"),
            Self::PhoneNotFound { phone } => format!("У клиента нет телефона {phone}"),
            Self::ClientArchived => "Клиент в архиве".into(),
            Self::ClientNotArchived => "Клиент не в архиве".into(),
            Self::ClientErased => "Персональные данные клиента удалены".into(),
            Self::EmployeeErased => "Персональные данные сотрудника удалены".into(),
            Self::EmployeeStillActive => {
                "Сначала отключите сотрудника, затем удаляйте его персональные данные".into()
            }
            Self::ReservedValue { field } => {
                format!("Поле {field} не может совпадать с отметкой об удалённых данных")
            }
            Self::WorkOrderLocked { .. } => {
                "Заказ-наряд закрыт для изменений (сначала откройте его повторно)".into()
            }
            Self::PromisedTimeLocked { .. } => {
                "Срок выдачи не меняется у выданного или отменённого заказ-наряда".into()
            }
            Self::InvalidTransition { from } => {
                format!("Действие недоступно в статусе заказ-наряда «{from}»")
            }
            Self::LineNotFound { .. } => "Строки нет в заказ-наряде".into(),
            Self::LineAlreadyExists { .. } => "Такая строка уже есть в заказ-наряде".into(),
            Self::ClientPartHasPrice => "Запчасть клиента устанавливается без цены".into(),
            Self::DuplicateDecision { .. } => "По строке два решения".into(),
            Self::LineNotApproved { .. } => "Строка не согласована с клиентом".into(),
            Self::LabourAlreadyStarted { .. } => "Работа по строке уже начата".into(),
            Self::LabourNotStarted { .. } => "Работа по строке не начата".into(),
            Self::LinesAwaitingApproval { count } => {
                format!("Строк, ожидающих согласования клиента: {count}")
            }
            Self::NothingToComplete => "В заказ-наряде нет строк".into(),
            Self::ApprovalLinkNotFound => {
                "Ссылка не найдена: проверьте, что она скопирована целиком".into()
            }
            Self::ApprovalLinkExpired { .. } => {
                "Срок действия ссылки истёк: попросите сервис прислать новую".into()
            }
            Self::ApprovalLinkRevoked => "Сервис отозвал эту ссылку".into(),
            Self::ApprovalLinkStale => {
                "Смета изменилась после отправки ссылки: попросите сервис прислать новую".into()
            }
            Self::ApprovalLinkUsed => "По этой ссылке уже дан ответ".into(),
            Self::NothingToApprove => "Все строки уже согласованы: отправлять нечего".into(),
            Self::InvalidLinkLifetime { max_days } => {
                format!("Срок действия ссылки: от часа до {max_days} дней")
            }
            Self::DecisionMissing { .. } => "Ответьте по каждой строке сметы".into(),
            Self::WorkOrderNotCompleted { .. } => {
                "Счёт выставляется только по выполненному заказ-наряду".into()
            }
            Self::TotalsMismatch { .. } => "Сумма строк не равна итогу".into(),
            Self::InvoiceOverpaid { balance, attempted } => format!(
                "Оплата {attempted} ₽ больше остатка к оплате {balance} ₽"
            ),
            Self::RefundExceedsPaid {
                refundable,
                attempted,
            } => format!("Возврат {attempted} ₽ больше оплаченного {refundable} ₽"),
            Self::InvoiceHasPayments { paid } => {
                format!("По счёту оплачено {paid} ₽: сначала оформите возврат")
            }
            Self::InvoiceVoid => "Счёт аннулирован".into(),
            Self::SettingMissing { setting } => format!("Не задана настройка «{setting}»"),
            Self::EntryNotFound { code } => format!("Нет записи «{code}»"),
            Self::EntryExists { code } => format!("Запись «{code}» уже есть"),
            Self::OwnerRoleFixed => "У роли владельца всегда все права".into(),
            Self::OwnerRoleKept => "Роль владельца нельзя отправить в архив".into(),
            Self::RoleArchived => "Роль в архиве: сначала верните её из архива".into(),
            Self::RoleInUse { holders } => format!(
                "Роль есть у активных сотрудников ({holders}): сначала снимите её с них"
            ),
            Self::LastOwner => "В сервисе должен остаться хотя бы один активный владелец".into(),
            Self::LoginRequired => "Сотруднику нужен e-mail или телефон для входа".into(),
            Self::LoginTaken { .. } => "Этот логин уже у другого активного сотрудника".into(),
            Self::PermissionNotHeld { permission } => {
                format!("Нельзя выдать право «{permission}»: у вас его нет")
            }
            Self::OwnerRoleByOwnerOnly => {
                "Назначать и снимать роль владельца может только владелец".into()
            }
            Self::OwnerProtected => {
                "Данные, роли, доступ и пароль владельца может менять только владелец".into()
            }
            Self::LineOfAnotherMechanic { .. } => {
                "Строка назначена другому механику; отметить её может он или мастер-приёмщик".into()
            }
            Self::NotOnWorkOrder => {
                "Рекомендацию добавляет механик, у которого есть работа в этом заказ-наряде".into()
            }
            Self::InvoiceExceedsOrder {
                order_total,
                attempted,
            } => format!("Счёт на {attempted} ₽ больше суммы заказ-наряда {order_total} ₽"),
            Self::InsufficientStock {
                available,
                requested,
            } => format!(
                "Свободно на складе {}, нужно {} (резерв сверх свободного, под заказ, — только с правом на него)",
                units_ru(i128::from(*available)),
                units_ru(i128::from(*requested))
            ),
            Self::QuantityExceeds {
                what,
                available,
                attempted,
            } => format!(
                "{}: {}, а указано {}",
                match *what {
                    "on_order" => "В заказе у поставщиков",
                    "reservation" => "В резерве по строке",
                    "covered_reservation" => "Зарезервировано со склада по строке",
                    "outstanding" => "Осталось получить по строке заказа поставщику",
                    "issued" => "Выдано по строке",
                    "stock_capacity" => "Предельный остаток позволяет добавить",
                    other => other,
                },
                units_ru(i128::from(*available)),
                units_ru(i128::from(*attempted))
            ),
            Self::PurchaseOrderLocked { status } => {
                format!("Действие недоступно в статусе заказа поставщику «{status}»")
            }
            Self::PurchaseOrderHasReceipts => {
                "По заказу поставщику уже был приход: его можно только закрыть".into()
            }
            Self::PurchaseOrderEmpty => "В заказе поставщику нет строк".into(),
            Self::InvalidPartNumber { value } => format!(
                "Неверный артикул «{value}»: нужны буквы или цифры, до 60 знаков"
            ),
            Self::InvalidReorderPoints { min, max } => format!(
                "Минимальный остаток {} больше максимального {}",
                units_ru(i128::from(*min)),
                units_ru(i128::from(*max))
            ),
            Self::AnalogueOfItself => "Запчасть не может быть аналогом самой себя".into(),
            Self::InvalidPaymentTerms { days } => {
                format!("Отсрочка платежа {days} дн.: допустимо от 0 до 365")
            }
            Self::InvalidMarkupMatrix { .. } => {
                "Неверная матрица наценок: диапазоны цен должны идти подряд от нуля без пропусков и наложений, наценка от 0 до 1000 %".into()
            }
            Self::ShiftEndsBeforeStart => "Смена должна заканчиваться позже, чем начинается".into(),
            Self::BreakOutsideShift => {
                "Перерыв должен быть внутри смены и не пересекаться с другим перерывом".into()
            }
            Self::InvalidPeriod => "Начало периода позже его конца".into(),
            Self::PeriodTooLong { max_days } => format!("Период длиннее {max_days} дн."),
            Self::InvalidEfficiency { .. } => {
                "Коэффициент загрузки должен быть больше 0 и не больше 100 %".into()
            }
            Self::InvalidUtcOffset { minutes } => format!(
                "Неверный часовой пояс: смещение {minutes} мин., допустимо от −720 до +840"
            ),
            Self::AbsenceOverlaps => "На часть этих дней у сотрудника уже есть отсутствие".into(),
            Self::CapacityExceeded {
                needed_tenths,
                free_tenths,
            } => format!(
                "Не хватает мощности: нужно {} н/ч, свободно {} н/ч",
                units_ru(i128::from(*needed_tenths) * 100),
                units_ru(i128::from(*free_tenths) * 100)
            ),
            Self::AppointmentClosed { status } => format!(
                "Запись уже закрыта: {}",
                match *status {
                    "cancelled" => "отменена",
                    "missed" => "клиент не приехал",
                    "arrived" => "автомобиль уже принят",
                    other => other,
                }
            ),
            Self::WantedTimeInPast => "Желаемое время уже прошло".into(),
            Self::NotOnShift => "Сначала отметьте начало смены".into(),
            Self::ClockWentBack { last } => format!(
                "Время раньше последней отметки ({} UTC)",
                last.format("%d.%m.%Y %H:%M")
            ),
            Self::JobNotRunning => "Эта работа сейчас не идёт".into(),
            Self::JobAlreadyFinished => "Эта работа уже завершена".into(),
            Self::NotificationState { .. } => {
                "Уведомление уже отправляется или его судьба решена".into()
            }
            Self::InvalidTemplate { reason } => format!(
                "Шаблон не сохранён: {}",
                match *reason {
                    "an SMS has no subject" => "у SMS нет темы",
                    "the approval link's message needs {ссылка}" => "в сообщении со ссылкой на согласование нужен {ссылка}",
                    "only the approval link's message has {ссылка}" => "{ссылка} бывает только в сообщении о согласовании",
                    "quiet hours must start and end at different times" => "тихие часы должны начинаться и кончаться в разное время",
                    "a { without }" | "a } without {" => "скобки { } не парные",
                    _ => "допустимы {номер_заказа}, {автомобиль}, {сумма}, {сервис}, {ссылка}",
                }
            ),
            Self::AppointmentNotDue => {
                "Время записи ещё не наступило: отметить неявку можно после него".into()
            }
            Self::InvalidTimeOfDay { value } => {
                format!("Неверное время «{value}»: нужно ЧЧ:ММ, например 09:30")
            }
            Self::FileTypeNotAllowed { content_type } => format!(
                "Файлы типа «{content_type}» сюда не принимаются: фото — JPEG, PNG или WebP, скан — ещё PDF"
            ),
            Self::FileTooLarge { max, .. } => format!(
                "Файл пустой или больше {} МБ",
                max / (1024 * 1024)
            ),
            Self::InvalidDigest => "Контрольная сумма должна быть SHA-256: 64 шестнадцатеричные цифры".into(),
            Self::FileDetached => "Файл уже откреплён".into(),
        }
    }
}

/// Thousandths as Russian staff read a quantity: `1,5`, `12`, `0,125`.
fn units_ru(thousandths: i128) -> String {
    let sign = if thousandths < 0 { "-" } else { "" };
    let abs = thousandths.unsigned_abs();
    let (whole, fraction) = (abs / 1000, abs % 1000);
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let fraction = format!("{fraction:03}");
        format!("{sign}{whole},{}", fraction.trim_end_matches('0'))
    }
}
