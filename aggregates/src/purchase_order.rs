//! A purchase order to a supplier (заказ поставщику): the parts the shop buys, how many and at what
//! price, and what has arrived.
//!
//! Lifecycle: draft (lines change freely) → sent → received in part or in full over several
//! receipts → closed. A sent order on which nothing arrived can be cancelled; once something
//! arrived it can only be closed, and closing it short says what will not come. A receipt never
//! takes more of a line than is outstanding on it.
//!
//! Money is computed here only ([`PurchaseLine::amount`], [`purchase_total`]): each line's amount is
//! quantity × purchase price rounded half up to the kopeck, the total is their exact sum, and both
//! stay within [`crate::bounds`].
//!
//! What the order keeps on order per part ([`PurchaseOrder::on_order`]) is what the parts' stock
//! streams show as on order: the caller raises it when the order is sent, lowers it by each receipt
//! (as the stock's receipt) and by what a cancel or a short close leaves undelivered.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::ids::{EmployeeId, PartId, PurchaseLineId, PurchaseOrderId, ReceiptId, SupplierId};
use crate::money::{round_half_up, Money, Quantity};
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// Where a purchase order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseOrderStatus {
    /// Being prepared.
    #[default]
    Draft,
    /// Sent to the supplier; nothing arrived yet.
    Sent,
    /// Some lines arrived, not all.
    PartiallyReceived,
    /// Everything arrived.
    Received,
    /// Done with, whatever arrived.
    Closed,
    /// Called off before anything arrived.
    Cancelled,
}

impl PurchaseOrderStatus {
    /// The stable name, as the API and read models show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::PartiallyReceived => "partially_received",
            Self::Received => "received",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A line of a purchase order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLine {
    /// The line's id.
    pub line_id: PurchaseLineId,
    /// The part.
    pub part_id: PartId,
    /// How much is ordered.
    pub quantity: Quantity,
    /// The purchase price of a unit.
    pub unit_price: Money,
    /// How much arrived, in thousandths.
    pub received: u64,
}

impl PurchaseLine {
    /// Quantity × purchase price, rounded half up to the kopeck.
    pub fn amount(&self) -> Money {
        line_amount(self.quantity, self.unit_price)
    }

    /// Still to arrive, in thousandths.
    pub fn outstanding(&self) -> u64 {
        u64::from(self.quantity.thousandths()).saturating_sub(self.received)
    }
}

fn line_amount(quantity: Quantity, unit_price: Money) -> Money {
    Money::kopecks(round_half_up(
        i128::from(quantity.thousandths()) * i128::from(unit_price.as_kopecks()),
        1000,
    ))
}

/// The order's total: its lines' amounts, each within [`bounds::MAX_LINE_AMOUNT`], summed exactly
/// and within [`bounds::MAX_DOCUMENT_TOTAL`].
pub fn purchase_total(lines: &[PurchaseLine]) -> Result<Money, DomainError> {
    let mut sum: i128 = 0;
    for line in lines {
        let amount = bounds::at_most(line.amount(), bounds::MAX_LINE_AMOUNT, "line_amount")?;
        sum += i128::from(amount.as_kopecks());
    }
    let total = Money::kopecks(i64::try_from(sum).unwrap_or(i64::MAX));
    bounds::at_most(total, bounds::MAX_DOCUMENT_TOTAL, "order_total")
}

/// How much of one line a receipt takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// The line.
    pub line_id: PurchaseLineId,
    /// How much arrived.
    pub quantity: Quantity,
}

/// One line of a receipt as recorded: with the part and its price, so the stock needs nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    /// The purchase order's line.
    pub line_id: PurchaseLineId,
    /// The part.
    pub part_id: PartId,
    /// How much arrived.
    pub quantity: Quantity,
    /// Its purchase price per unit.
    pub unit_price: Money,
}

/// What a cancel or a short close leaves undelivered on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undelivered {
    /// The line.
    pub line_id: PurchaseLineId,
    /// The part.
    pub part_id: PartId,
    /// How much will not come.
    pub quantity: Quantity,
}

/// What the storekeeper asks of a purchase order.
#[derive(Debug, Clone, PartialEq)]
pub enum PurchaseOrderCommand {
    /// Start a purchase order to a supplier.
    Draft {
        /// The new order's id.
        purchase_order_id: PurchaseOrderId,
        /// Its number.
        number: String,
        /// The supplier.
        supplier_id: SupplierId,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Add a line.
    AddLine {
        /// The new line's id.
        line_id: PurchaseLineId,
        /// The part.
        part_id: PartId,
        /// How much.
        quantity: Quantity,
        /// The purchase price of a unit.
        unit_price: Money,
    },
    /// Change a line's quantity or price.
    ChangeLine {
        /// The line.
        line_id: PurchaseLineId,
        /// How much.
        quantity: Quantity,
        /// The purchase price of a unit.
        unit_price: Money,
    },
    /// Remove a line.
    RemoveLine {
        /// The line.
        line_id: PurchaseLineId,
    },
    /// Send the order to the supplier.
    Send {
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record goods that arrived (приход), some lines or all, in part or in full.
    Receive {
        /// The receipt's id.
        receipt_id: ReceiptId,
        /// What arrived, line by line.
        lines: Vec<ReceiptLine>,
        /// Who received it.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Be done with the order, whatever is still outstanding.
    Close {
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Call the order off (nothing may have arrived).
    Cancel {
        /// Why.
        reason: String,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to a purchase order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PurchaseOrderEvent {
    /// A purchase order was started.
    PurchaseOrderDrafted {
        /// Its id.
        purchase_order_id: PurchaseOrderId,
        /// Its number.
        number: String,
        /// The supplier.
        supplier_id: SupplierId,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A line was added.
    PurchaseLineAdded {
        /// The line.
        line_id: PurchaseLineId,
        /// The part.
        part_id: PartId,
        /// How much.
        quantity: Quantity,
        /// The purchase price of a unit.
        unit_price: Money,
    },
    /// A line's quantity or price changed.
    PurchaseLineChanged {
        /// The line.
        line_id: PurchaseLineId,
        /// How much.
        quantity: Quantity,
        /// The purchase price of a unit.
        unit_price: Money,
    },
    /// A line was removed.
    PurchaseLineRemoved {
        /// The line.
        line_id: PurchaseLineId,
    },
    /// The order went to the supplier.
    PurchaseOrderSent {
        /// Its total, as sent.
        total: Money,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Goods arrived.
    PurchaseOrderReceived {
        /// The receipt.
        receipt_id: ReceiptId,
        /// What arrived.
        lines: Vec<ReceivedLine>,
        /// Who received it.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The order is done with.
    PurchaseOrderClosed {
        /// What will not come.
        undelivered: Vec<Undelivered>,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The order was called off.
    PurchaseOrderCancelled {
        /// Why.
        reason: String,
        /// What was on order and will not come (nothing, for a draft).
        undelivered: Vec<Undelivered>,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for PurchaseOrderEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::PurchaseOrderDrafted { .. } => "PurchaseOrderDrafted",
            Self::PurchaseLineAdded { .. } => "PurchaseLineAdded",
            Self::PurchaseLineChanged { .. } => "PurchaseLineChanged",
            Self::PurchaseLineRemoved { .. } => "PurchaseLineRemoved",
            Self::PurchaseOrderSent { .. } => "PurchaseOrderSent",
            Self::PurchaseOrderReceived { .. } => "PurchaseOrderReceived",
            Self::PurchaseOrderClosed { .. } => "PurchaseOrderClosed",
            Self::PurchaseOrderCancelled { .. } => "PurchaseOrderCancelled",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// Where the order stands apart from its receipts: the status is derived from both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stage {
    #[default]
    Draft,
    Sent,
    Closed,
    Cancelled,
}

/// A purchase order as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    /// Its id, once drafted.
    pub id: Option<PurchaseOrderId>,
    /// Its number.
    pub number: String,
    /// The supplier.
    pub supplier_id: Option<SupplierId>,
    /// The lines, in the order added.
    pub lines: Vec<PurchaseLine>,
    /// Ids of every line ever added, so an id is never reused.
    pub used_line_ids: BTreeSet<PurchaseLineId>,
    /// The receipts taken, so none is counted twice.
    pub receipts: BTreeSet<ReceiptId>,
    stage: Stage,
}

impl PurchaseOrder {
    /// The status: draft, sent, received in part or in full, closed or cancelled.
    pub fn status(&self) -> PurchaseOrderStatus {
        match self.stage {
            Stage::Draft => PurchaseOrderStatus::Draft,
            Stage::Closed => PurchaseOrderStatus::Closed,
            Stage::Cancelled => PurchaseOrderStatus::Cancelled,
            Stage::Sent if self.receipts.is_empty() => PurchaseOrderStatus::Sent,
            Stage::Sent if self.lines.iter().all(|l| l.outstanding() == 0) => {
                PurchaseOrderStatus::Received
            }
            Stage::Sent => PurchaseOrderStatus::PartiallyReceived,
        }
    }

    /// The order's total (saturated far above every bound if its lines were absurd).
    pub fn total(&self) -> Money {
        self.lines.iter().map(PurchaseLine::amount).sum()
    }

    /// What this order keeps on order, per part, in thousandths: what is outstanding while it is
    /// sent, nothing while it is a draft, closed or cancelled.
    pub fn on_order(&self) -> BTreeMap<PartId, u64> {
        let mut on_order = BTreeMap::new();
        if self.stage == Stage::Sent {
            for line in &self.lines {
                *on_order.entry(line.part_id).or_insert(0) += line.outstanding();
            }
        }
        on_order
    }

    fn line(&self, line_id: PurchaseLineId) -> Result<&PurchaseLine, DomainError> {
        self.lines
            .iter()
            .find(|l| l.line_id == line_id)
            .ok_or(DomainError::NotFound {
                what: "purchase order line",
            })
    }

    fn line_mut(&mut self, line_id: PurchaseLineId) -> Option<&mut PurchaseLine> {
        self.lines.iter_mut().find(|l| l.line_id == line_id)
    }

    fn refuse(&self) -> DomainError {
        DomainError::PurchaseOrderLocked {
            status: self.status().as_str(),
        }
    }

    fn ensure_draft(&self) -> Result<(), DomainError> {
        if self.stage == Stage::Draft {
            Ok(())
        } else {
            Err(self.refuse())
        }
    }

    /// What is still outstanding, line by line.
    fn undelivered(&self) -> Vec<Undelivered> {
        self.lines
            .iter()
            .filter_map(|line| {
                let quantity = u32::try_from(line.outstanding())
                    .ok()
                    .and_then(|t| Quantity::from_thousandths(t).ok())?;
                Some(Undelivered {
                    line_id: line.line_id,
                    part_id: line.part_id,
                    quantity,
                })
            })
            .collect()
    }

    /// The lines as they would be with `line` in place of its namesake (or added), checked
    /// against the bounds.
    fn check_with(&self, line: PurchaseLine) -> Result<(), DomainError> {
        let mut lines: Vec<PurchaseLine> = self
            .lines
            .iter()
            .copied()
            .filter(|l| l.line_id != line.line_id)
            .collect();
        lines.push(line);
        purchase_total(&lines).map(|_| ())
    }
}

fn purchase_price(unit_price: Money) -> Result<Money, DomainError> {
    bounds::at_most(
        unit_price.non_negative("unit_price")?,
        bounds::MAX_UNIT_PRICE,
        "unit_price",
    )
}

impl Aggregate for PurchaseOrder {
    const STREAM_TYPE: &'static str = "purchase_order";
    type Command = PurchaseOrderCommand;
    type Event = PurchaseOrderEvent;

    fn decide(
        &self,
        command: PurchaseOrderCommand,
    ) -> Result<Vec<PurchaseOrderEvent>, DomainError> {
        let drafting = matches!(command, PurchaseOrderCommand::Draft { .. });
        check_existence(drafting, self.id.is_some(), "purchase order")?;
        let event = match command {
            PurchaseOrderCommand::Draft {
                purchase_order_id,
                number,
                supplier_id,
                by,
                at,
            } => PurchaseOrderEvent::PurchaseOrderDrafted {
                purchase_order_id,
                number: required_text(&number, "number", 40)?,
                supplier_id,
                by,
                at,
            },
            PurchaseOrderCommand::AddLine {
                line_id,
                part_id,
                quantity,
                unit_price,
            } => {
                self.ensure_draft()?;
                if self.used_line_ids.contains(&line_id) {
                    return Err(DomainError::AlreadyExists {
                        what: "purchase order line",
                    });
                }
                let unit_price = purchase_price(unit_price)?;
                self.check_with(PurchaseLine {
                    line_id,
                    part_id,
                    quantity,
                    unit_price,
                    received: 0,
                })?;
                PurchaseOrderEvent::PurchaseLineAdded {
                    line_id,
                    part_id,
                    quantity,
                    unit_price,
                }
            }
            PurchaseOrderCommand::ChangeLine {
                line_id,
                quantity,
                unit_price,
            } => {
                self.ensure_draft()?;
                let line = *self.line(line_id)?;
                let unit_price = purchase_price(unit_price)?;
                if line.quantity == quantity && line.unit_price == unit_price {
                    return Ok(vec![]);
                }
                self.check_with(PurchaseLine {
                    quantity,
                    unit_price,
                    ..line
                })?;
                PurchaseOrderEvent::PurchaseLineChanged {
                    line_id,
                    quantity,
                    unit_price,
                }
            }
            PurchaseOrderCommand::RemoveLine { line_id } => {
                self.ensure_draft()?;
                self.line(line_id)?;
                PurchaseOrderEvent::PurchaseLineRemoved { line_id }
            }
            PurchaseOrderCommand::Send { by, at } => {
                self.ensure_draft()?;
                if self.lines.is_empty() {
                    return Err(DomainError::PurchaseOrderEmpty);
                }
                PurchaseOrderEvent::PurchaseOrderSent {
                    total: purchase_total(&self.lines)?,
                    by,
                    at,
                }
            }
            PurchaseOrderCommand::Receive {
                receipt_id,
                lines,
                by,
                at,
            } => {
                if self.stage != Stage::Sent {
                    return Err(self.refuse());
                }
                if self.receipts.contains(&receipt_id) {
                    return Err(DomainError::AlreadyExists { what: "receipt" });
                }
                if lines.is_empty() {
                    return Err(DomainError::Required { field: "lines" });
                }
                // A line named twice in one receipt (two boxes scanned apart) is one received
                // line, summed: the stock keys a receipt by its line.
                let mut received: Vec<ReceivedLine> = Vec::with_capacity(lines.len());
                for ReceiptLine { line_id, quantity } in lines {
                    let line = self.line(line_id)?;
                    let before = received
                        .iter()
                        .find(|r| r.line_id == line_id)
                        .map_or(0, |r| u64::from(r.quantity.thousandths()));
                    let taking = before + u64::from(quantity.thousandths());
                    if taking > line.outstanding() {
                        return Err(DomainError::QuantityExceeds {
                            what: "outstanding",
                            available: line.outstanding(),
                            attempted: taking,
                        });
                    }
                    // Within the line's outstanding, so within a quantity.
                    let total = u32::try_from(taking)
                        .ok()
                        .and_then(|t| Quantity::from_thousandths(t).ok())
                        .ok_or(DomainError::InvalidQuantity {
                            thousandths: u32::MAX,
                        })?;
                    match received.iter_mut().find(|r| r.line_id == line_id) {
                        Some(entry) => entry.quantity = total,
                        None => received.push(ReceivedLine {
                            line_id,
                            part_id: line.part_id,
                            quantity: total,
                            unit_price: line.unit_price,
                        }),
                    }
                }
                PurchaseOrderEvent::PurchaseOrderReceived {
                    receipt_id,
                    lines: received,
                    by,
                    at,
                }
            }
            PurchaseOrderCommand::Close { by, at } => {
                // An order nothing arrived on is cancelled, not closed: closing says "done with
                // what came".
                if self.stage != Stage::Sent || self.receipts.is_empty() {
                    return Err(self.refuse());
                }
                PurchaseOrderEvent::PurchaseOrderClosed {
                    undelivered: self.undelivered(),
                    by,
                    at,
                }
            }
            PurchaseOrderCommand::Cancel { reason, by, at } => {
                let undelivered = match self.stage {
                    Stage::Draft => vec![],
                    Stage::Sent if self.receipts.is_empty() => self.undelivered(),
                    Stage::Sent => return Err(DomainError::PurchaseOrderHasReceipts),
                    Stage::Closed | Stage::Cancelled => return Err(self.refuse()),
                };
                PurchaseOrderEvent::PurchaseOrderCancelled {
                    reason: required_text(&reason, "reason", 1000)?,
                    undelivered,
                    by,
                    at,
                }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &PurchaseOrderEvent) -> Self {
        match event {
            PurchaseOrderEvent::PurchaseOrderDrafted {
                purchase_order_id,
                number,
                supplier_id,
                ..
            } => {
                self.id = Some(*purchase_order_id);
                self.number = number.clone();
                self.supplier_id = Some(*supplier_id);
            }
            PurchaseOrderEvent::PurchaseLineAdded {
                line_id,
                part_id,
                quantity,
                unit_price,
            } => {
                self.used_line_ids.insert(*line_id);
                self.lines.push(PurchaseLine {
                    line_id: *line_id,
                    part_id: *part_id,
                    quantity: *quantity,
                    unit_price: *unit_price,
                    received: 0,
                });
            }
            PurchaseOrderEvent::PurchaseLineChanged {
                line_id,
                quantity,
                unit_price,
            } => {
                if let Some(line) = self.line_mut(*line_id) {
                    line.quantity = *quantity;
                    line.unit_price = *unit_price;
                }
            }
            PurchaseOrderEvent::PurchaseLineRemoved { line_id } => {
                self.lines.retain(|l| l.line_id != *line_id);
            }
            PurchaseOrderEvent::PurchaseOrderSent { .. } => self.stage = Stage::Sent,
            PurchaseOrderEvent::PurchaseOrderReceived {
                receipt_id, lines, ..
            } => {
                self.receipts.insert(*receipt_id);
                for received in lines {
                    if let Some(line) = self.line_mut(received.line_id) {
                        line.received = line
                            .received
                            .saturating_add(u64::from(received.quantity.thousandths()));
                    }
                }
            }
            PurchaseOrderEvent::PurchaseOrderClosed { .. } => self.stage = Stage::Closed,
            PurchaseOrderEvent::PurchaseOrderCancelled { .. } => self.stage = Stage::Cancelled,
        }
        self
    }
}
