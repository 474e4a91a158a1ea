//! The stock of one part at one location: how much is on the shelf (on hand), promised to work
//! orders (reserved), and coming from suppliers (on order). Available is on hand less reserved.
//!
//! Every change is a movement recorded as an event: a receipt from a purchase order, a reservation
//! for a work-order line, its release, an issue to the car, a return to the shelf, a return to the
//! supplier (defective or surplus), an adjustment by an inventory count, and on order raised or lowered as purchase orders are sent, cancelled or
//! closed short. Each event says by how much it moves each figure ([`StockEvent::movement`]), and
//! folding it moves them by exactly that.
//!
//! The rules:
//! - on hand never goes below zero: an issue takes only what is reserved from the shelf, a return to
//!   the supplier only what is free (never a unit promised to a work order), and a count records
//!   what is there;
//! - a reservation takes what is free (on hand less what is already reserved from it); beyond that
//!   it is refused unless the command says the user may backorder, and then the shortfall is
//!   recorded as backordered on its line. So reserved ≤ on hand + backordered, always;
//! - stock that becomes free (a receipt, a return, a released reservation, a count that found more)
//!   covers backorders first, in the order they were made, and the event names the lines it
//!   covered; a count that found less than is reserved from the shelf turns the newest
//!   reservations' shortfall back into backorders. So a backorder exists only while nothing is free:
//!   backordered = max(0, reserved − on hand);
//! - on order never goes below zero: a receipt or a lowering takes at most what its own purchase
//!   order has on order here.
//!
//! **Races.** The "last unit" is decided here, in the part's stock stream, not on the work orders:
//! two advisors reserving the last filter for two orders both decide on the same version of this
//! stream, and the event store's expected version lets exactly one append win. The loser decides
//! again on the new version and finds nothing free (refused, or a backorder if they may). A work
//! order's parts line therefore reserves by a command to this stream, never by its own event alone.
//!
//! A stock stream needs no opening event: it starts at zero, and its stream id ([`StockId`]) names
//! the part and the location.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::directory::Code;
use crate::ids::{
    EmployeeId, InventoryCountId, LineId, PartId, PurchaseLineId, PurchaseOrderId, ReceiptId,
    SupplierId, WorkOrderId,
};
use crate::money::{round_half_up, Money, Quantity};
use crate::{required_text, Aggregate, DomainError, DomainEvent};

/// The most of one part one location may hold, on hand, reserved or on order: ten million units,
/// in thousandths. Far above any shop, and within the read models' `NUMERIC(12, 3)`.
pub const MAX_STOCK_THOUSANDTHS: u64 = 10_000_000_000;

/// Where stock is kept: a code naming the store (the rules of a [`Code`]). One shop has one,
/// [`Location::main`]; a chain gives each branch (or each store of a branch) its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Location(String);

impl Location {
    /// The code of the one store a single shop has.
    pub const MAIN: &'static str = "main";

    /// The shop's store.
    pub fn main() -> Self {
        Self(Self::MAIN.to_owned())
    }

    /// A location from its code.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Code::parse(raw).map(|code| Self(code.as_str().to_owned()))
    }

    /// Its code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Location {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Location> for String {
    fn from(location: Location) -> String {
        location.0
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id of a stock stream: the part and where it is kept, written `{part id}:{location}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StockId {
    /// The part.
    pub part_id: PartId,
    /// Where.
    pub location: Location,
}

impl StockId {
    /// The stock of `part_id` at `location`.
    pub fn new(part_id: PartId, location: Location) -> Self {
        Self { part_id, location }
    }

    /// Reads a stream id written by [`fmt::Display`].
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let invalid = || DomainError::NotFound { what: "stock" };
        let (part, location) = raw.split_once(':').ok_or_else(invalid)?;
        let part = uuid::Uuid::parse_str(part).map_err(|_| invalid())?;
        Ok(Self::new(PartId(part), Location::parse(location)?))
    }
}

impl fmt::Display for StockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.part_id, self.location)
    }
}

/// Part of a backorder covered by stock that became free, or turned back into a backorder by a
/// count that found less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    /// The work-order line whose reservation it is.
    pub line_id: LineId,
    /// How much.
    pub quantity: Quantity,
}

/// What a work-order line holds of this stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// The work order.
    pub work_order_id: WorkOrderId,
    /// Its parts line.
    pub line_id: LineId,
    /// Reserved, in thousandths.
    pub quantity: u64,
    /// Of which not on the shelf yet, in thousandths.
    pub backordered: u64,
}

impl Reservation {
    /// What of it is on the shelf: the most that can be issued.
    pub fn covered(&self) -> u64 {
        self.quantity.saturating_sub(self.backordered)
    }
}

/// What a work-order line took from this stock and has not returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToLine {
    /// The work order.
    pub work_order_id: WorkOrderId,
    /// Issued less returned, in thousandths.
    pub quantity: u64,
    /// The purchase cost of a unit when it was issued.
    pub unit_cost: Money,
}

/// How one event moves the stock's figures, in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Movement {
    /// On hand.
    pub on_hand: i64,
    /// Reserved.
    pub reserved: i64,
    /// On order.
    pub on_order: i64,
    /// Backordered.
    pub backordered: i64,
}

/// What the storekeeper, an advisor or a purchase order asks of a stock.
#[derive(Debug, Clone, PartialEq)]
pub enum StockCommand {
    /// A purchase order was sent: its quantity is now coming.
    RaiseOnOrder {
        /// The purchase order.
        purchase_order_id: PurchaseOrderId,
        /// How much.
        quantity: Quantity,
        /// When.
        at: DateTime<Utc>,
    },
    /// A purchase order was cancelled or closed short: its quantity is no longer coming.
    LowerOnOrder {
        /// The purchase order.
        purchase_order_id: PurchaseOrderId,
        /// How much.
        quantity: Quantity,
        /// When.
        at: DateTime<Utc>,
    },
    /// Goods arrived on a purchase order's receipt.
    Receive {
        /// The purchase order.
        purchase_order_id: PurchaseOrderId,
        /// Its line.
        purchase_line_id: PurchaseLineId,
        /// The receipt.
        receipt_id: ReceiptId,
        /// How much.
        quantity: Quantity,
        /// What a unit cost the shop.
        unit_price: Money,
        /// Who received them.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Reserve stock for a work order's parts line (again for the same line: reserve more).
    Reserve {
        /// The work order.
        work_order_id: WorkOrderId,
        /// Its parts line.
        line_id: LineId,
        /// How much.
        quantity: Quantity,
        /// The user holds the backorder permission: what is not free is reserved to order.
        may_backorder: bool,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Give back a line's reservation, all of it (removed line, cancelled order) or a part.
    Release {
        /// The line.
        line_id: LineId,
        /// How much; none for all the line holds.
        quantity: Option<Quantity>,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Hand reserved parts to the car (списание в заказ-наряд).
    Issue {
        /// The line.
        line_id: LineId,
        /// How much.
        quantity: Quantity,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Put parts issued to a line back on the shelf (not fitted, or taken off again).
    Return {
        /// The line they were issued to.
        line_id: LineId,
        /// How much.
        quantity: Quantity,
        /// Why.
        reason: String,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Send parts back to the supplier (возврат поставщику): defective or surplus. Only what is
    /// free leaves: a unit reserved for a work order stays on the shelf.
    ReturnToSupplier {
        /// The supplier they go back to. That it exists is the command API's check: this stream
        /// cannot see the supplier's.
        supplier_id: SupplierId,
        /// The purchase order they came on, when the storekeeper names it.
        purchase_order_id: Option<PurchaseOrderId>,
        /// How much.
        quantity: Quantity,
        /// Why: "брак", "излишек".
        reason: String,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record what an inventory count found on the shelf.
    Count {
        /// The count.
        count_id: InventoryCountId,
        /// What was found, in thousandths (zero when the shelf is empty).
        counted: u64,
        /// Why it differs, if it does: "пересорт", "бой", "недостача".
        reason: String,
        /// Who counted.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to a stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum StockEvent {
    /// A purchase order's quantity is coming.
    StockOnOrderRaised {
        /// The purchase order.
        purchase_order_id: PurchaseOrderId,
        /// How much.
        quantity: Quantity,
        /// When.
        at: DateTime<Utc>,
    },
    /// A purchase order's quantity is no longer coming.
    StockOnOrderLowered {
        /// The purchase order.
        purchase_order_id: PurchaseOrderId,
        /// How much.
        quantity: Quantity,
        /// When.
        at: DateTime<Utc>,
    },
    /// Goods arrived (приход): on hand up, on order down.
    StockReceived {
        /// The purchase order.
        purchase_order_id: PurchaseOrderId,
        /// Its line.
        purchase_line_id: PurchaseLineId,
        /// The receipt.
        receipt_id: ReceiptId,
        /// How much.
        quantity: Quantity,
        /// What a unit cost.
        unit_price: Money,
        /// The backorders they covered.
        covered: Vec<Cover>,
        /// Who received them.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Stock was reserved for a work-order line.
    StockReserved {
        /// The work order.
        work_order_id: WorkOrderId,
        /// Its line.
        line_id: LineId,
        /// How much in all.
        quantity: Quantity,
        /// Of which not on the shelf, reserved to order, in thousandths (0: all from the shelf).
        backordered: u32,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A line's reservation was given back, in part or in full.
    StockReservationReleased {
        /// The line.
        line_id: LineId,
        /// How much.
        quantity: Quantity,
        /// Of which was backordered, in thousandths.
        backorder_released: u32,
        /// The other lines' backorders the freed stock covered.
        covered: Vec<Cover>,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Reserved parts were handed to the car.
    StockIssued {
        /// The work order.
        work_order_id: WorkOrderId,
        /// Its line.
        line_id: LineId,
        /// How much.
        quantity: Quantity,
        /// The purchase cost of a unit (the stock's average cost then): the line's margin.
        unit_cost: Money,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Issued parts came back to the shelf.
    StockReturned {
        /// The work order.
        work_order_id: WorkOrderId,
        /// Its line.
        line_id: LineId,
        /// How much.
        quantity: Quantity,
        /// Why.
        reason: String,
        /// The backorders they covered.
        covered: Vec<Cover>,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Parts went back to the supplier: on hand down, at the stock's average cost.
    StockReturnedToSupplier {
        /// The supplier.
        supplier_id: SupplierId,
        /// The purchase order they came on, if named.
        purchase_order_id: Option<PurchaseOrderId>,
        /// How much.
        quantity: Quantity,
        /// The purchase cost of a unit they left at (the stock's average cost then): the shelf's
        /// value falls by exactly this times the quantity, and the average stays.
        unit_cost: Money,
        /// Why.
        reason: String,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// An inventory count set on hand to what was found.
    StockAdjusted {
        /// The count.
        count_id: InventoryCountId,
        /// What was found, in thousandths.
        counted: u64,
        /// Found less on hand before, in thousandths: negative for a shortage.
        difference: i64,
        /// Why.
        reason: String,
        /// The backorders a surplus covered.
        covered: Vec<Cover>,
        /// The reservations a shortage turned into backorders.
        uncovered: Vec<Cover>,
        /// Who counted.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
}

fn sum(covers: &[Cover]) -> i64 {
    covers
        .iter()
        .map(|c| i64::from(c.quantity.thousandths()))
        .sum()
}

impl StockEvent {
    /// How this event moves on hand, reserved, on order and backordered.
    pub fn movement(&self) -> Movement {
        let q = |quantity: &Quantity| i64::from(quantity.thousandths());
        match self {
            Self::StockOnOrderRaised { quantity, .. } => Movement {
                on_order: q(quantity),
                ..Movement::default()
            },
            Self::StockOnOrderLowered { quantity, .. } => Movement {
                on_order: -q(quantity),
                ..Movement::default()
            },
            Self::StockReceived {
                quantity, covered, ..
            } => Movement {
                on_hand: q(quantity),
                on_order: -q(quantity),
                backordered: -sum(covered),
                ..Movement::default()
            },
            Self::StockReserved {
                quantity,
                backordered,
                ..
            } => Movement {
                reserved: q(quantity),
                backordered: i64::from(*backordered),
                ..Movement::default()
            },
            Self::StockReservationReleased {
                quantity,
                backorder_released,
                covered,
                ..
            } => Movement {
                reserved: -q(quantity),
                backordered: -i64::from(*backorder_released) - sum(covered),
                ..Movement::default()
            },
            Self::StockIssued { quantity, .. } => Movement {
                on_hand: -q(quantity),
                reserved: -q(quantity),
                ..Movement::default()
            },
            Self::StockReturned {
                quantity, covered, ..
            } => Movement {
                on_hand: q(quantity),
                backordered: -sum(covered),
                ..Movement::default()
            },
            // Only free stock leaves, so no reservation loses its cover: backorders stay.
            Self::StockReturnedToSupplier { quantity, .. } => Movement {
                on_hand: -q(quantity),
                ..Movement::default()
            },
            Self::StockAdjusted {
                difference,
                covered,
                uncovered,
                ..
            } => Movement {
                on_hand: *difference,
                backordered: sum(uncovered) - sum(covered),
                ..Movement::default()
            },
        }
    }
}

impl DomainEvent for StockEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::StockOnOrderRaised { .. } => "StockOnOrderRaised",
            Self::StockOnOrderLowered { .. } => "StockOnOrderLowered",
            Self::StockReceived { .. } => "StockReceived",
            Self::StockReserved { .. } => "StockReserved",
            Self::StockReservationReleased { .. } => "StockReservationReleased",
            Self::StockIssued { .. } => "StockIssued",
            Self::StockReturned { .. } => "StockReturned",
            Self::StockReturnedToSupplier { .. } => "StockReturnedToSupplier",
            Self::StockAdjusted { .. } => "StockAdjusted",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A part's stock at one location, as decided so far. Figures in thousandths of the part's unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stock {
    /// On the shelf.
    pub on_hand: u64,
    /// Coming on purchase orders sent, per order: a receipt or a lowering takes only what its own
    /// order has on order.
    pub on_order_by_order: BTreeMap<PurchaseOrderId, u64>,
    /// The reservations, in the order made: backorders are covered first come, first served.
    pub reservations: Vec<Reservation>,
    /// What each line took and has not returned.
    pub issued: BTreeMap<LineId, IssuedToLine>,
    /// The average purchase cost of a unit on the shelf (weighted by quantity, to the kopeck).
    pub average_cost: Money,
    /// The receipt lines taken, so none is counted twice.
    pub receipts: BTreeSet<(ReceiptId, PurchaseLineId)>,
    /// The counts recorded, so none is applied twice.
    pub counts: BTreeSet<InventoryCountId>,
}

impl Stock {
    /// Coming on all purchase orders sent.
    pub fn on_order(&self) -> u64 {
        self.on_order_by_order.values().sum()
    }

    /// Coming on one purchase order.
    pub fn on_order_of(&self, purchase_order_id: PurchaseOrderId) -> u64 {
        self.on_order_by_order
            .get(&purchase_order_id)
            .copied()
            .unwrap_or(0)
    }

    /// Reserved for work orders, backorders included.
    pub fn reserved(&self) -> u64 {
        self.reservations.iter().map(|r| r.quantity).sum()
    }

    /// Reserved but not on the shelf yet.
    pub fn backordered(&self) -> u64 {
        self.reservations.iter().map(|r| r.backordered).sum()
    }

    /// On hand less reserved: negative while backorders wait.
    pub fn available(&self) -> i64 {
        to_i64(self.on_hand) - to_i64(self.reserved())
    }

    /// On the shelf and promised to no one: what a new reservation can take.
    pub fn free(&self) -> u64 {
        let covered: u64 = self.reservations.iter().map(Reservation::covered).sum();
        self.on_hand.saturating_sub(covered)
    }

    /// The shelf's value at purchase cost, to the kopeck.
    pub fn value(&self) -> Money {
        Money::kopecks(round_half_up(
            i128::from(self.on_hand) * i128::from(self.average_cost.as_kopecks()),
            1000,
        ))
    }

    /// A line's reservation.
    pub fn reservation(&self, line_id: LineId) -> Option<&Reservation> {
        self.reservations.iter().find(|r| r.line_id == line_id)
    }

    fn reservation_mut(&mut self, line_id: LineId) -> Option<&mut Reservation> {
        self.reservations.iter_mut().find(|r| r.line_id == line_id)
    }

    /// The backorders `free` thousandths cover, oldest first.
    fn covers(&self, mut free: u64) -> Vec<Cover> {
        let mut covers = Vec::new();
        for reservation in &self.reservations {
            if free == 0 {
                break;
            }
            let take = reservation.backordered.min(free);
            if let Some(quantity) = quantity_of(take) {
                covers.push(Cover {
                    line_id: reservation.line_id,
                    quantity,
                });
                free -= take;
            }
        }
        covers
    }

    /// The reservations a `shortage` of the shelf turns into backorders, newest first.
    fn uncovers(&self, mut shortage: u64) -> Vec<Cover> {
        let mut uncovers = Vec::new();
        for reservation in self.reservations.iter().rev() {
            if shortage == 0 {
                break;
            }
            let take = reservation.covered().min(shortage);
            if let Some(quantity) = quantity_of(take) {
                uncovers.push(Cover {
                    line_id: reservation.line_id,
                    quantity,
                });
                shortage -= take;
            }
        }
        uncovers
    }

    /// This stock with `on_hand` changed (and nothing else): what the backorders become.
    fn with_on_hand(&self, on_hand: u64) -> Stock {
        Stock {
            on_hand,
            ..self.clone()
        }
    }

    /// After the shelf changed: the backorders now covered, or the reservations now short.
    fn rebalance(&self) -> (Vec<Cover>, Vec<Cover>) {
        let covered: u64 = self.reservations.iter().map(Reservation::covered).sum();
        if covered > self.on_hand {
            (vec![], self.uncovers(covered - self.on_hand))
        } else {
            (self.covers(self.on_hand - covered), vec![])
        }
    }

    fn ensure_room(&self, figure: u64, adding: u64) -> Result<(), DomainError> {
        if figure.saturating_add(adding) > MAX_STOCK_THOUSANDTHS {
            return Err(DomainError::QuantityExceeds {
                what: "stock_capacity",
                available: MAX_STOCK_THOUSANDTHS.saturating_sub(figure),
                attempted: adding,
            });
        }
        Ok(())
    }
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A positive amount as a movement's quantity. Every amount here comes from one command's
/// quantity (at most [`bounds::MAX_QUANTITY_THOUSANDTHS`]) or one line's reservation, which only
/// quantities added up to, so it fits; none when zero.
fn quantity_of(thousandths: u64) -> Option<Quantity> {
    u32::try_from(thousandths)
        .ok()
        .and_then(|t| Quantity::from_thousandths(t).ok())
}

/// A release or an issue for a line that holds nothing of this stock.
const NO_RESERVATION: DomainError = DomainError::NotFound {
    what: "reservation",
};

fn exceeds(what: &'static str, available: u64, attempted: Quantity) -> DomainError {
    DomainError::QuantityExceeds {
        what,
        available,
        attempted: u64::from(attempted.thousandths()),
    }
}

/// The weighted average of two costs, to the kopeck; the old one when nothing weighs.
fn weighted(old: Money, old_weight: u64, new: Money, new_weight: u64) -> Money {
    let weight = i128::from(old_weight) + i128::from(new_weight);
    if weight == 0 {
        return old;
    }
    Money::kopecks(round_half_up(
        i128::from(old.as_kopecks()) * i128::from(old_weight)
            + i128::from(new.as_kopecks()) * i128::from(new_weight),
        weight,
    ))
}

impl Aggregate for Stock {
    const STREAM_TYPE: &'static str = "stock";
    type Command = StockCommand;
    type Event = StockEvent;

    fn decide(&self, command: StockCommand) -> Result<Vec<StockEvent>, DomainError> {
        let event = match command {
            StockCommand::RaiseOnOrder {
                purchase_order_id,
                quantity,
                at,
            } => {
                self.ensure_room(self.on_order(), quantity.thousandths().into())?;
                StockEvent::StockOnOrderRaised {
                    purchase_order_id,
                    quantity,
                    at,
                }
            }
            StockCommand::LowerOnOrder {
                purchase_order_id,
                quantity,
                at,
            } => {
                let on_order = self.on_order_of(purchase_order_id);
                if u64::from(quantity.thousandths()) > on_order {
                    return Err(exceeds("on_order", on_order, quantity));
                }
                StockEvent::StockOnOrderLowered {
                    purchase_order_id,
                    quantity,
                    at,
                }
            }
            StockCommand::Receive {
                purchase_order_id,
                purchase_line_id,
                receipt_id,
                quantity,
                unit_price,
                by,
                at,
            } => {
                if self.receipts.contains(&(receipt_id, purchase_line_id)) {
                    return Err(DomainError::AlreadyExists { what: "receipt" });
                }
                let unit_price = bounds::at_most(
                    unit_price.non_negative("unit_price")?,
                    bounds::MAX_UNIT_PRICE,
                    "unit_price",
                )?;
                let adding = u64::from(quantity.thousandths());
                let on_order = self.on_order_of(purchase_order_id);
                if adding > on_order {
                    return Err(exceeds("on_order", on_order, quantity));
                }
                self.ensure_room(self.on_hand, adding)?;
                let (covered, _) = self.with_on_hand(self.on_hand + adding).rebalance();
                StockEvent::StockReceived {
                    purchase_order_id,
                    purchase_line_id,
                    receipt_id,
                    quantity,
                    unit_price,
                    covered,
                    by,
                    at,
                }
            }
            StockCommand::Reserve {
                work_order_id,
                line_id,
                quantity,
                may_backorder,
                by,
                at,
            } => {
                if let Some(held) = self.reservation(line_id) {
                    if held.work_order_id != work_order_id {
                        return Err(DomainError::AlreadyExists {
                            what: "reservation",
                        });
                    }
                }
                let asked = u64::from(quantity.thousandths());
                // A line holds at most what a work-order line may: every release or issue of it
                // is then one quantity.
                let line_total = self
                    .reservation(line_id)
                    .map_or(0, |held| held.quantity)
                    .saturating_add(asked);
                if line_total > u64::from(bounds::MAX_QUANTITY_THOUSANDTHS) {
                    return Err(DomainError::InvalidQuantity {
                        thousandths: u32::try_from(line_total).unwrap_or(u32::MAX),
                    });
                }
                self.ensure_room(self.reserved(), asked)?;
                let short = asked.saturating_sub(self.free());
                if short > 0 && !may_backorder {
                    return Err(DomainError::InsufficientStock {
                        available: self.available(),
                        requested: quantity.thousandths(),
                    });
                }
                StockEvent::StockReserved {
                    work_order_id,
                    line_id,
                    quantity,
                    // At most the quantity asked, a u32.
                    backordered: u32::try_from(short).unwrap_or(u32::MAX),
                    by,
                    at,
                }
            }
            StockCommand::Release {
                line_id,
                quantity,
                by,
                at,
            } => {
                let held = self.reservation(line_id).ok_or(NO_RESERVATION)?;
                let quantity = match quantity {
                    Some(quantity) if u64::from(quantity.thousandths()) > held.quantity => {
                        return Err(exceeds("reservation", held.quantity, quantity));
                    }
                    Some(quantity) => quantity,
                    None => quantity_of(held.quantity).ok_or(NO_RESERVATION)?,
                };
                let releasing = u64::from(quantity.thousandths());
                let backorder_released = held.backordered.min(releasing);
                let mut after = self.clone();
                if let Some(line) = after.reservation_mut(line_id) {
                    line.quantity -= releasing;
                    line.backordered -= backorder_released;
                }
                let (covered, _) = after.rebalance();
                StockEvent::StockReservationReleased {
                    line_id,
                    quantity,
                    // At most the quantity released, a u32.
                    backorder_released: u32::try_from(backorder_released).unwrap_or(u32::MAX),
                    covered,
                    by,
                    at,
                }
            }
            StockCommand::Issue {
                line_id,
                quantity,
                by,
                at,
            } => {
                let held = self.reservation(line_id).ok_or(NO_RESERVATION)?;
                if u64::from(quantity.thousandths()) > held.covered() {
                    return Err(exceeds("covered_reservation", held.covered(), quantity));
                }
                StockEvent::StockIssued {
                    work_order_id: held.work_order_id,
                    line_id,
                    quantity,
                    unit_cost: self.average_cost,
                    by,
                    at,
                }
            }
            StockCommand::Return {
                line_id,
                quantity,
                reason,
                by,
                at,
            } => {
                let issued = self.issued.get(&line_id).ok_or(DomainError::NotFound {
                    what: "parts issued to the line",
                })?;
                let returning = u64::from(quantity.thousandths());
                if returning > issued.quantity {
                    return Err(exceeds("issued", issued.quantity, quantity));
                }
                self.ensure_room(self.on_hand, returning)?;
                let (covered, _) = self.with_on_hand(self.on_hand + returning).rebalance();
                StockEvent::StockReturned {
                    work_order_id: issued.work_order_id,
                    line_id,
                    quantity,
                    reason: required_text(&reason, "reason", 1000)?,
                    covered,
                    by,
                    at,
                }
            }
            StockCommand::ReturnToSupplier {
                supplier_id,
                purchase_order_id,
                quantity,
                reason,
                by,
                at,
            } => {
                let reason = required_text(&reason, "reason", 1000)?;
                // Free, not on hand: a unit reserved for a work order is promised to a car.
                if u64::from(quantity.thousandths()) > self.free() {
                    return Err(DomainError::InsufficientStock {
                        available: self.available(),
                        requested: quantity.thousandths(),
                    });
                }
                StockEvent::StockReturnedToSupplier {
                    supplier_id,
                    purchase_order_id,
                    quantity,
                    unit_cost: self.average_cost,
                    reason,
                    by,
                    at,
                }
            }
            StockCommand::Count {
                count_id,
                counted,
                reason,
                by,
                at,
            } => {
                if self.counts.contains(&count_id) {
                    return Err(DomainError::AlreadyExists { what: "count" });
                }
                self.ensure_room(0, counted)?;
                let difference = to_i64(counted) - to_i64(self.on_hand);
                let reason = if difference == 0 {
                    reason.trim().to_owned()
                } else {
                    required_text(&reason, "reason", 1000)?
                };
                let (covered, uncovered) = self.with_on_hand(counted).rebalance();
                StockEvent::StockAdjusted {
                    count_id,
                    counted,
                    difference,
                    reason,
                    covered,
                    uncovered,
                    by,
                    at,
                }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &StockEvent) -> Self {
        let q = |quantity: &Quantity| u64::from(quantity.thousandths());
        match event {
            StockEvent::StockOnOrderRaised {
                purchase_order_id,
                quantity,
                ..
            } => {
                let on_order = self
                    .on_order_by_order
                    .entry(*purchase_order_id)
                    .or_insert(0);
                *on_order = on_order.saturating_add(q(quantity));
            }
            StockEvent::StockOnOrderLowered {
                purchase_order_id,
                quantity,
                ..
            } => self.take_off_order(*purchase_order_id, q(quantity)),
            StockEvent::StockReceived {
                purchase_order_id,
                purchase_line_id,
                receipt_id,
                quantity,
                unit_price,
                covered,
                ..
            } => {
                self.average_cost =
                    weighted(self.average_cost, self.on_hand, *unit_price, q(quantity));
                self.on_hand = self.on_hand.saturating_add(q(quantity));
                self.take_off_order(*purchase_order_id, q(quantity));
                self.receipts.insert((*receipt_id, *purchase_line_id));
                self.cover(covered);
            }
            StockEvent::StockReserved {
                work_order_id,
                line_id,
                quantity,
                backordered,
                ..
            } => {
                let backordered = u64::from(*backordered);
                match self.reservation_mut(*line_id) {
                    Some(line) => {
                        line.quantity = line.quantity.saturating_add(q(quantity));
                        line.backordered = line.backordered.saturating_add(backordered);
                    }
                    None => self.reservations.push(Reservation {
                        work_order_id: *work_order_id,
                        line_id: *line_id,
                        quantity: q(quantity),
                        backordered,
                    }),
                }
            }
            StockEvent::StockReservationReleased {
                line_id,
                quantity,
                backorder_released,
                covered,
                ..
            } => {
                if let Some(line) = self.reservation_mut(*line_id) {
                    line.quantity = line.quantity.saturating_sub(q(quantity));
                    line.backordered = line
                        .backordered
                        .saturating_sub(u64::from(*backorder_released));
                }
                self.reservations.retain(|r| r.quantity > 0);
                self.cover(covered);
            }
            StockEvent::StockIssued {
                work_order_id,
                line_id,
                quantity,
                unit_cost,
                ..
            } => {
                self.on_hand = self.on_hand.saturating_sub(q(quantity));
                if let Some(line) = self.reservation_mut(*line_id) {
                    line.quantity = line.quantity.saturating_sub(q(quantity));
                }
                self.reservations.retain(|r| r.quantity > 0);
                let issued = self.issued.entry(*line_id).or_insert(IssuedToLine {
                    work_order_id: *work_order_id,
                    quantity: 0,
                    unit_cost: *unit_cost,
                });
                issued.unit_cost =
                    weighted(issued.unit_cost, issued.quantity, *unit_cost, q(quantity));
                issued.quantity = issued.quantity.saturating_add(q(quantity));
            }
            StockEvent::StockReturned {
                line_id,
                quantity,
                covered,
                ..
            } => {
                if let Some(issued) = self.issued.get_mut(line_id) {
                    self.average_cost = weighted(
                        self.average_cost,
                        self.on_hand,
                        issued.unit_cost,
                        q(quantity),
                    );
                    issued.quantity = issued.quantity.saturating_sub(q(quantity));
                    if issued.quantity == 0 {
                        self.issued.remove(line_id);
                    }
                }
                self.on_hand = self.on_hand.saturating_add(q(quantity));
                self.cover(covered);
            }
            // Leaving at the average cost keeps the average: the shelf's value falls with it.
            StockEvent::StockReturnedToSupplier { quantity, .. } => {
                self.on_hand = self.on_hand.saturating_sub(q(quantity));
            }
            StockEvent::StockAdjusted {
                count_id,
                counted,
                covered,
                uncovered,
                ..
            } => {
                self.on_hand = *counted;
                self.counts.insert(*count_id);
                self.cover(covered);
                for cover in uncovered {
                    if let Some(line) = self.reservation_mut(cover.line_id) {
                        line.backordered = line
                            .backordered
                            .saturating_add(q(&cover.quantity))
                            .min(line.quantity);
                    }
                }
            }
        }
        self
    }
}

impl Stock {
    fn take_off_order(&mut self, purchase_order_id: PurchaseOrderId, quantity: u64) {
        if let Some(on_order) = self.on_order_by_order.get_mut(&purchase_order_id) {
            *on_order = on_order.saturating_sub(quantity);
            if *on_order == 0 {
                self.on_order_by_order.remove(&purchase_order_id);
            }
        }
    }

    fn cover(&mut self, covers: &[Cover]) {
        for cover in covers {
            if let Some(line) = self.reservation_mut(cover.line_id) {
                line.backordered = line
                    .backordered
                    .saturating_sub(u64::from(cover.quantity.thousandths()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_location_is_a_code() {
        assert_eq!(Location::main().as_str(), Location::MAIN);
        assert!(Location::parse(Location::MAIN).is_ok());
    }

    #[test]
    fn a_stock_id_reads_back_from_its_stream_id() {
        let id = StockId::new(PartId(uuid::Uuid::from_u128(7)), Location::main());
        assert_eq!(id.to_string(), "00000000-0000-0000-0000-000000000007:main");
        assert_eq!(StockId::parse(&id.to_string()), Ok(id));
        assert!(StockId::parse("main").is_err());
    }
}
