//! A part's stock at a location (stream id `{part id}:{location}`): issuing reserved parts to a
//! car, taking unused ones back, sending defective or surplus ones back to the supplier, and
//! inventory counts. Reservations are not commands of their own:
//! an order's parts line reserves, changes and releases its part's stock in the same transaction as
//! the line's own event ([`follow_work_order`]), so a line and its reservation never disagree.
//!
//! **The last unit.** Two advisors adding the last filter to two orders both decide on the same
//! version of the part's stock; the log lets one append in, the other's transaction is refused
//! with a conflict and rolled back (its order's line too), and the pipeline decides it again: now
//! nothing is free, so it is refused (`insufficient_stock`), or reserved to order if the advisor
//! may backorder.

use std::collections::BTreeMap;

use aggregates::ids::{InventoryCountId, LineId, PurchaseOrderId, SupplierId, WorkOrderId};
use aggregates::money::{Money, Quantity};
use aggregates::part::Part;
use aggregates::permission::Permission;
use aggregates::purchase_order::PurchaseOrder;
use aggregates::settings::Settings;
use aggregates::stock::{Location, Stock, StockCommand, StockId};
use aggregates::supplier::Supplier;
use aggregates::work_order::{PartsLine, WorkOrder, WorkOrderEvent};
use aggregates::DomainError;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::parts::part;
use super::quantity;
use crate::pipeline::{follow_on, Context, Endpoint, FollowOn};
use crate::ApiError;

/// The stock commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum StockRequest {
    /// `issue`: hand reserved parts to the car (списание в заказ-наряд)
    Issue {
        /// The work order's parts line that reserved them.
        line_id: Uuid,
        /// How much, thousandths.
        quantity_thousandths: u32,
    },
    /// `return`: parts issued to a line come back to the shelf
    Return {
        /// The line they were issued to.
        line_id: Uuid,
        /// How much, thousandths.
        quantity_thousandths: u32,
        /// Why (not fitted, taken off again).
        reason: String,
    },
    /// `return_to_supplier`: defective or surplus parts go back to the supplier (возврат
    /// поставщику); only what is free leaves, never a unit reserved for a work order
    ReturnToSupplier {
        /// The supplier (registered; a deactivated one still takes its goods back).
        supplier_id: Uuid,
        /// The purchase order they came on, if named: one of that supplier's.
        #[serde(default)]
        purchase_order_id: Option<Uuid>,
        /// How much, thousandths.
        quantity_thousandths: u32,
        /// Why (брак, излишек).
        reason: String,
    },
    /// `count`: what an inventory count found on the shelf
    Count {
        /// The count (one id for every part of one count; a part is counted once per count).
        count_id: Uuid,
        /// What was found, thousandths (0: the shelf is empty).
        counted_thousandths: u64,
        /// Why it differs, if it does (пересорт, бой, недостача).
        #[serde(default)]
        reason: String,
    },
}

impl Endpoint for Stock {
    type Request = StockRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        StockId::parse(raw)
            .map(|id| id.to_string())
            .map_err(|_| ApiError::InvalidId(raw.to_owned()))
    }

    fn request_permission(request: &StockRequest) -> Permission {
        match request {
            StockRequest::Issue { .. } | StockRequest::Return { .. } => Permission::StockIssue,
            StockRequest::Count { .. } => Permission::StockCount,
            // Whoever takes the supplier's deliveries also sends them back.
            StockRequest::ReturnToSupplier { .. } => Permission::PurchaseOrderReceive,
        }
    }

    async fn command(
        request: StockRequest,
        context: &Context<'_>,
    ) -> Result<StockCommand, ApiError> {
        let (by, at) = (context.actor, context.now);
        Ok(match request {
            StockRequest::Issue {
                line_id,
                quantity_thousandths,
            } => StockCommand::Issue {
                line_id: LineId(line_id),
                quantity: quantity(quantity_thousandths)?,
                by,
                at,
            },
            StockRequest::Return {
                line_id,
                quantity_thousandths,
                reason,
            } => StockCommand::Return {
                line_id: LineId(line_id),
                quantity: quantity(quantity_thousandths)?,
                reason,
                by,
                at,
            },
            StockRequest::ReturnToSupplier {
                supplier_id,
                purchase_order_id,
                quantity_thousandths,
                reason,
            } => {
                let quantity = quantity(quantity_thousandths)?;
                // The stock stream cannot see the supplier's or the order's: checked here.
                supplier(context, supplier_id).await?;
                if let Some(order) = purchase_order_id {
                    purchase_order_of(context, order, supplier_id).await?;
                }
                StockCommand::ReturnToSupplier {
                    supplier_id: SupplierId(supplier_id),
                    purchase_order_id: purchase_order_id.map(PurchaseOrderId),
                    quantity,
                    reason,
                    by,
                    at,
                }
            }
            StockRequest::Count {
                count_id,
                counted_thousandths,
                reason,
            } => {
                // A count names a part of the catalogue; a stream for anything else is refused.
                let stock = Self::parse_id(context.id).and_then(|id| {
                    StockId::parse(&id).map_err(|_| ApiError::InvalidId(id.clone()))
                })?;
                part(context, stock.part_id.0).await?;
                StockCommand::Count {
                    count_id: InventoryCountId(count_id),
                    counted: counted_thousandths,
                    reason,
                    by,
                    at,
                }
            }
        })
    }

    fn permission(command: &StockCommand) -> Permission {
        match command {
            StockCommand::Count { .. } => Permission::StockCount,
            StockCommand::ReturnToSupplier { .. } => Permission::PurchaseOrderReceive,
            _ => Permission::StockIssue,
        }
    }
}

/// A registered supplier. Unlike a new purchase order, a return may go to a deactivated one: the
/// shop stopped buying from it, not sending its defects back.
async fn supplier(context: &Context<'_>, id: Uuid) -> Result<Supplier, ApiError> {
    let supplier = context.load::<Supplier>(&id.to_string()).await?.state;
    if supplier.id.is_none() {
        return Err(ApiError::ReferenceNotFound {
            what: "supplier",
            id: id.to_string(),
        });
    }
    Ok(supplier)
}

/// A purchase order of `supplier_id`: another supplier's order is not found among this one's.
async fn purchase_order_of(
    context: &Context<'_>,
    id: Uuid,
    supplier_id: Uuid,
) -> Result<PurchaseOrder, ApiError> {
    let order = context.load::<PurchaseOrder>(&id.to_string()).await?.state;
    if order.id.is_none() || order.supplier_id != Some(SupplierId(supplier_id)) {
        return Err(ApiError::ReferenceNotFound {
            what: "purchase order",
            id: id.to_string(),
        });
    }
    Ok(order)
}

/// A catalogue part's selling price now: its average purchase cost at the shop's store, marked up
/// by the settings' scale for its category. A part never received has no cost to mark up, and the
/// line must name its price.
pub(crate) async fn selling_price(context: &Context<'_>, part: &Part) -> Result<Money, ApiError> {
    let (Some(part_id), Some(category)) = (part.id, &part.category) else {
        return Err(DomainError::Required {
            field: "unit_price_kopecks",
        }
        .into());
    };
    let stock = context
        .load::<Stock>(&StockId::new(part_id, Location::main()).to_string())
        .await?
        .state;
    if stock.average_cost <= Money::ZERO {
        return Err(DomainError::Required {
            field: "unit_price_kopecks",
        }
        .into());
    }
    let settings = context
        .load::<Settings>(&context.services.shop)
        .await?
        .state;
    Ok(settings.selling_price(category, stock.average_cost)?)
}

/// What an order's parts line asks of its part's stock.
enum Ask {
    /// A new line: reserve its quantity.
    Reserve { line_id: LineId, quantity: Quantity },
    /// A changed line: hold (reserved plus issued) exactly its new quantity.
    Hold { line_id: LineId, quantity: Quantity },
    /// A removed line or a cancelled order: give back what is still reserved.
    Release { line_id: LineId },
}

/// A line that takes its part from stock: a catalogue part, not the client's own.
fn stock_of(line: &PartsLine) -> Option<String> {
    match (line.part_id, line.client_supplied) {
        (Some(part_id), false) => Some(StockId::new(part_id, Location::main()).to_string()),
        _ => None,
    }
}

/// Whether these order events may move stock (the line's part is known only from the state).
pub(crate) fn moves_stock(event: &WorkOrderEvent) -> bool {
    matches!(
        event,
        WorkOrderEvent::PartsLineAdded {
            part_id: Some(_),
            client_supplied: false,
            ..
        } | WorkOrderEvent::PartsLineChanged { .. }
            | WorkOrderEvent::LineRemoved { .. }
            | WorkOrderEvent::WorkOrderCancelled { .. }
    )
}

/// Reserves, adjusts or releases the stock of the order's catalogue parts lines, in the order's
/// transaction. `before` is the order the command was decided on (a removed line is found there).
pub(crate) async fn follow_work_order<P>(
    events: &[WorkOrderEvent],
    before: &WorkOrder,
    after: &WorkOrder,
    tx: &mut PgConnection,
    follow: &FollowOn<'_, P>,
) -> Result<(), ApiError> {
    let Some(work_order_id) = after.id else {
        return Ok(());
    };
    let line_in = |order: &WorkOrder, line_id: LineId| {
        order
            .parts
            .iter()
            .find(|line| line.line_id == line_id)
            .and_then(|line| stock_of(line).map(|stock| (stock, line.quantity)))
    };
    // By stock id: streams are moved in one order, so commands never wait on each other crosswise.
    let mut asks: BTreeMap<String, Vec<Ask>> = BTreeMap::new();
    for event in events {
        match event {
            WorkOrderEvent::PartsLineAdded { line_id, .. } => {
                if let Some((stock, quantity)) = line_in(after, *line_id) {
                    asks.entry(stock).or_default().push(Ask::Reserve {
                        line_id: *line_id,
                        quantity,
                    });
                }
            }
            WorkOrderEvent::PartsLineChanged { line_id, .. } => {
                if let Some((stock, quantity)) = line_in(after, *line_id) {
                    asks.entry(stock).or_default().push(Ask::Hold {
                        line_id: *line_id,
                        quantity,
                    });
                }
            }
            WorkOrderEvent::LineRemoved { line_id } => {
                if let Some((stock, _)) = line_in(before, *line_id) {
                    asks.entry(stock)
                        .or_default()
                        .push(Ask::Release { line_id: *line_id });
                }
            }
            WorkOrderEvent::WorkOrderCancelled { .. } => {
                for line in &before.parts {
                    if let Some(stock) = stock_of(line) {
                        asks.entry(stock).or_default().push(Ask::Release {
                            line_id: line.line_id,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    let context = follow.context;
    let may_backorder = context
        .principal
        .permissions
        .contains(&Permission::StockBackorder);
    for (stock, asks) in asks {
        follow_on::<Stock, _>(tx, follow, &stock, |current| {
            asks.into_iter()
                .filter_map(|ask| command(current, ask, work_order_id, may_backorder, context))
                .collect()
        })
        .await?;
    }
    Ok(())
}

/// The stock command one ask makes of the stock as it stands, if any.
fn command(
    stock: &Stock,
    ask: Ask,
    work_order_id: WorkOrderId,
    may_backorder: bool,
    context: &Context<'_>,
) -> Option<StockCommand> {
    let (by, at) = (context.actor, context.now);
    let reserved = |line_id| stock.reservation(line_id).map_or(0, |r| r.quantity);
    let thousandths = |n: u64| {
        u32::try_from(n)
            .ok()
            .and_then(|n| Quantity::from_thousandths(n).ok())
    };
    match ask {
        Ask::Reserve { line_id, quantity } => Some(StockCommand::Reserve {
            work_order_id,
            line_id,
            quantity,
            may_backorder,
            by,
            at,
        }),
        Ask::Hold { line_id, quantity } => {
            let issued = stock.issued.get(&line_id).map_or(0, |i| i.quantity);
            let held = reserved(line_id) + issued;
            let wanted = u64::from(quantity.thousandths());
            if wanted > held {
                Some(StockCommand::Reserve {
                    work_order_id,
                    line_id,
                    quantity: thousandths(wanted - held)?,
                    may_backorder,
                    by,
                    at,
                })
            } else {
                // What was issued stays issued: only a reservation is given back.
                let release = thousandths((held - wanted).min(reserved(line_id)))?;
                Some(StockCommand::Release {
                    line_id,
                    quantity: Some(release),
                    by,
                    at,
                })
            }
        }
        Ask::Release { line_id } => (reserved(line_id) > 0).then_some(StockCommand::Release {
            line_id,
            quantity: None,
            by,
            at,
        }),
    }
}
