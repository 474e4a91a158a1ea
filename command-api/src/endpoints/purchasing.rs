//! Purchase orders (заказ поставщику), and what they move in the parts' stock.
//!
//! A purchase order and the stock of every part on it move together: sending it raises each part's
//! on order, a receipt raises on hand and lowers on order, a close or cancel lowers on order by
//! what will not come. The stock events are appended in the same transaction as the order's
//! ([`follow_on`]), so the stock list never shows goods received on an order that has not, and a
//! receipt racing a reservation of the same part is decided again rather than lost.

use std::collections::BTreeMap;

use aggregates::ids::{PartId, PurchaseLineId, PurchaseOrderId, ReceiptId, SupplierId};
use aggregates::permission::Permission;
use aggregates::purchase_order::{
    PurchaseOrder, PurchaseOrderCommand, PurchaseOrderEvent, ReceiptLine,
};
use aggregates::stock::{Location, Stock, StockCommand, StockId};
use aggregates::DomainError;
use chrono::Datelike;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::parts::{active_part, active_supplier, uuid};
use super::{kopecks, quantity};
use crate::pipeline::{follow_on, uuid_id, Context, Endpoint, FollowOn};
use crate::ApiError;

/// One line of a receipt, as the request gives it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLineBody {
    /// The purchase order's line.
    pub line_id: Uuid,
    /// How much arrived, thousandths.
    pub quantity_thousandths: u32,
}

/// The purchase order commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum PurchaseOrderRequest {
    /// `draft` (the number is given by the server)
    Draft {
        /// The supplier.
        supplier_id: Uuid,
    },
    /// `add_line`
    AddLine {
        /// The new line's id.
        line_id: Uuid,
        /// The part.
        part_id: Uuid,
        /// How much, thousandths.
        quantity_thousandths: u32,
        /// Purchase price of a unit, kopecks.
        unit_price_kopecks: i64,
    },
    /// `change_line`
    ChangeLine {
        /// The line.
        line_id: Uuid,
        /// How much, thousandths.
        quantity_thousandths: u32,
        /// Purchase price of a unit, kopecks.
        unit_price_kopecks: i64,
    },
    /// `remove_line`
    RemoveLine {
        /// The line.
        line_id: Uuid,
    },
    /// `send`
    Send {},
    /// `receive` (приход): some lines or all, in part or in full
    Receive {
        /// The receipt's id (a retry with the same id takes nothing twice).
        receipt_id: Uuid,
        /// What arrived.
        lines: Vec<ReceiptLineBody>,
    },
    /// `close` (what is still outstanding will not come)
    Close {},
    /// `cancel`
    Cancel {
        /// Why.
        reason: String,
    },
}

impl Endpoint for PurchaseOrder {
    type Request = PurchaseOrderRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(request: &PurchaseOrderRequest) -> Permission {
        match request {
            PurchaseOrderRequest::Receive { .. } => Permission::PurchaseOrderReceive,
            _ => Permission::PurchaseOrderEdit,
        }
    }

    async fn command(
        request: PurchaseOrderRequest,
        context: &Context<'_>,
    ) -> Result<PurchaseOrderCommand, ApiError> {
        let (by, at) = (context.actor, context.now);
        Ok(match request {
            PurchaseOrderRequest::Draft { supplier_id } => {
                active_supplier(context, supplier_id).await?;
                PurchaseOrderCommand::Draft {
                    purchase_order_id: PurchaseOrderId(uuid(context.id)?),
                    // Given once the caller is authorised (see `authorised`).
                    number: String::new(),
                    supplier_id: SupplierId(supplier_id),
                    by,
                    at,
                }
            }
            PurchaseOrderRequest::AddLine {
                line_id,
                part_id,
                quantity_thousandths,
                unit_price_kopecks,
            } => {
                active_part(context, part_id).await?;
                PurchaseOrderCommand::AddLine {
                    line_id: PurchaseLineId(line_id),
                    part_id: PartId(part_id),
                    quantity: quantity(quantity_thousandths)?,
                    unit_price: kopecks(unit_price_kopecks),
                }
            }
            PurchaseOrderRequest::ChangeLine {
                line_id,
                quantity_thousandths,
                unit_price_kopecks,
            } => PurchaseOrderCommand::ChangeLine {
                line_id: PurchaseLineId(line_id),
                quantity: quantity(quantity_thousandths)?,
                unit_price: kopecks(unit_price_kopecks),
            },
            PurchaseOrderRequest::RemoveLine { line_id } => PurchaseOrderCommand::RemoveLine {
                line_id: PurchaseLineId(line_id),
            },
            PurchaseOrderRequest::Send {} => PurchaseOrderCommand::Send { by, at },
            PurchaseOrderRequest::Receive { receipt_id, lines } => PurchaseOrderCommand::Receive {
                receipt_id: ReceiptId(receipt_id),
                lines: lines
                    .into_iter()
                    .map(|line| {
                        Ok(ReceiptLine {
                            line_id: PurchaseLineId(line.line_id),
                            quantity: quantity(line.quantity_thousandths)?,
                        })
                    })
                    .collect::<Result<_, DomainError>>()?,
                by,
                at,
            },
            PurchaseOrderRequest::Close {} => PurchaseOrderCommand::Close { by, at },
            PurchaseOrderRequest::Cancel { reason } => {
                PurchaseOrderCommand::Cancel { reason, by, at }
            }
        })
    }

    fn permission(command: &PurchaseOrderCommand) -> Permission {
        match command {
            PurchaseOrderCommand::Receive { .. } => Permission::PurchaseOrderReceive,
            _ => Permission::PurchaseOrderEdit,
        }
    }

    fn reserves(events: &[PurchaseOrderEvent]) -> bool {
        events.iter().any(|event| {
            matches!(
                event,
                PurchaseOrderEvent::PurchaseOrderSent { .. }
                    | PurchaseOrderEvent::PurchaseOrderReceived { .. }
                    | PurchaseOrderEvent::PurchaseOrderClosed { .. }
                    | PurchaseOrderEvent::PurchaseOrderCancelled { .. }
            )
        })
    }

    async fn reserve(
        events: &[PurchaseOrderEvent],
        _before: &PurchaseOrder,
        after: &PurchaseOrder,
        tx: &mut PgConnection,
        follow: &FollowOn<'_>,
    ) -> Result<(), ApiError> {
        let Some(order) = after.id else {
            return Ok(());
        };
        // Stock streams in one order (by id), so two commands moving the same parts never wait on
        // each other in opposite orders.
        let mut moves: BTreeMap<String, Vec<StockCommand>> = BTreeMap::new();
        let mut add = |part: PartId, command: StockCommand| {
            moves
                .entry(StockId::new(part, Location::main()).to_string())
                .or_default()
                .push(command);
        };
        for event in events {
            match event {
                PurchaseOrderEvent::PurchaseOrderSent { at, .. } => {
                    for line in &after.lines {
                        add(
                            line.part_id,
                            StockCommand::RaiseOnOrder {
                                purchase_order_id: order,
                                quantity: line.quantity,
                                at: *at,
                            },
                        );
                    }
                }
                PurchaseOrderEvent::PurchaseOrderReceived {
                    receipt_id,
                    lines,
                    by,
                    at,
                } => {
                    for line in lines {
                        add(
                            line.part_id,
                            StockCommand::Receive {
                                purchase_order_id: order,
                                purchase_line_id: line.line_id,
                                receipt_id: *receipt_id,
                                quantity: line.quantity,
                                unit_price: line.unit_price,
                                by: *by,
                                at: *at,
                            },
                        );
                    }
                }
                PurchaseOrderEvent::PurchaseOrderClosed {
                    undelivered, at, ..
                }
                | PurchaseOrderEvent::PurchaseOrderCancelled {
                    undelivered, at, ..
                } => {
                    for line in undelivered {
                        add(
                            line.part_id,
                            StockCommand::LowerOnOrder {
                                purchase_order_id: order,
                                quantity: line.quantity,
                                at: *at,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
        for (stock, commands) in moves {
            follow_on::<Stock, _>(tx, follow, &stock, |_| commands).await?;
        }
        Ok(())
    }

    async fn authorised(
        command: PurchaseOrderCommand,
        current: &PurchaseOrder,
        context: &Context<'_>,
    ) -> Result<PurchaseOrderCommand, ApiError> {
        match command {
            PurchaseOrderCommand::Draft {
                purchase_order_id,
                supplier_id,
                by,
                at,
                ..
            } => {
                // An order that already exists keeps its number: no number is spent on a refusal.
                if current.id.is_some() {
                    return Err(DomainError::AlreadyExists {
                        what: "purchase order",
                    }
                    .into());
                }
                let year = at.year();
                let sequence = context
                    .next_number("purchase_order", &year.to_string())
                    .await?;
                Ok(PurchaseOrderCommand::Draft {
                    purchase_order_id,
                    number: format!("ЗП-{year}-{sequence:05}"),
                    supplier_id,
                    by,
                    at,
                })
            }
            other => Ok(other),
        }
    }
}
