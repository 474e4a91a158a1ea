//! A parts store's history made by the domain's own decisions: a catalogue, suppliers, purchase
//! orders sent and received in part or in full, closed short or cancelled, and each part's stock
//! reserved for work-order lines (some to order), issued, returned, released, counted and sent back
//! to a supplier. Every
//! stock movement of a purchase order is decided on the stock too, as the command API does it, so
//! the stock's on order always matches the orders.

use std::collections::BTreeMap;

use aggregates::contact::{Email, Inn, Kpp, Phone};
use aggregates::directory::Code;
use aggregates::ids::{
    InventoryCountId, LineId, PartId, PurchaseLineId, PurchaseOrderId, ReceiptId, SupplierId,
    WorkOrderId,
};
use aggregates::money::{Money, Quantity};
use aggregates::part::{Part, PartCommand, PartNumber, ReorderPoints, Unit};
use aggregates::purchase_order::{PurchaseOrder, PurchaseOrderCommand, ReceiptLine};
use aggregates::stock::{Location, Stock, StockCommand, StockId};
use aggregates::supplier::{Supplier, SupplierCommand, SupplierContacts, SupplierRequisites};
use aggregates::Aggregate;
use chrono::{DateTime, Duration, Utc};
use event_store::{NewEvent, StreamId};
use uuid::Uuid;

use super::{domain, stream, GeneratedStream, ShopGenerator, PARTS};
use crate::ProjectionError;

/// The stores a generated part may be kept in: the shop's own, and a branch's.
const LOCATIONS: [&str; 2] = [Location::MAIN, "branch-2"];

/// A stock stream being generated: its fold and its new events.
#[derive(Default)]
struct StockStream {
    state: Stock,
    events: Vec<NewEvent>,
}

/// A line holding a reservation, and what it has been issued.
struct Holder {
    stock: StockId,
    line_id: LineId,
    issued: u32,
}

impl ShopGenerator {
    /// A parts store's history over `parts` parts and `orders` work-order lines taking them: the
    /// streams of the parts, suppliers, purchase orders and stocks, ready to append.
    pub fn stock_history(
        &mut self,
        parts: u64,
        orders: u64,
    ) -> Result<Vec<GeneratedStream>, ProjectionError> {
        let mut streams = Vec::new();
        let start = self.moment(0);
        let at = |minutes: u64| start + Duration::minutes(minutes as i64);
        // Suppliers: an organisation and a sole trader.
        let mut suppliers = Vec::new();
        for (i, (name, inn, kpp)) in [
            ("ООО «Автодеталь»", "7707083893", Some("773601001")),
            ("ИП Сидоров П. А.", "500100732259", None),
        ]
        .into_iter()
        .enumerate()
        {
            let id = SupplierId(Uuid::now_v7());
            let mut supplier = Supplier::default();
            let kpp = kpp.map(|k| domain(Kpp::parse(k))).transpose()?;
            let mut events = self.decide(
                &mut supplier,
                SupplierCommand::Register {
                    supplier_id: id,
                    requisites: domain(SupplierRequisites::new(
                        name,
                        domain(Inn::parse(inn))?,
                        kpp,
                    ))?,
                    payment_terms_days: 14,
                    contacts: SupplierContacts {
                        phone: Some(domain(Phone::parse(&format!("+7495123456{i}")))?),
                        email: Some(domain(Email::parse(&format!("orders{i}@supplier.ru")))?),
                    },
                    at: at(0),
                },
            )?;
            if i == 1 {
                events.extend(
                    self.decide(&mut supplier, SupplierCommand::SetPaymentTerms { days: 30 })?,
                );
            }
            streams.push(stream::<Supplier>(id.0, events));
            suppliers.push(id);
        }
        // The catalogue.
        let mut part_ids = Vec::new();
        for p in 0..parts {
            let id = PartId(Uuid::now_v7());
            let (number, name, _) = PARTS[(p % PARTS.len() as u64) as usize];
            let mut part = Part::default();
            let mut events = self.decide(
                &mut part,
                PartCommand::Register {
                    part_id: id,
                    number: domain(PartNumber::parse(&format!("{number}-{p}")))?,
                    brand: "Bosch".into(),
                    name: name.into(),
                    unit: if p % 5 == 3 { Unit::L } else { Unit::Pcs },
                    category: domain(Code::parse("filters"))?,
                    at: at(1),
                },
            )?;
            if p % 3 != 2 {
                let min = 1_000 * (1 + p % 4);
                events.extend(self.decide(
                    &mut part,
                    PartCommand::SetReorderPoints {
                        reorder: Some(domain(ReorderPoints::new(min, min * 3))?),
                    },
                )?);
            }
            if let Some(previous) = part_ids.last() {
                if p % 2 == 1 {
                    events.extend(self.decide(
                        &mut part,
                        PartCommand::LinkAnalogue {
                            analogue: *previous,
                        },
                    )?);
                }
            }
            if p % 7 == 6 {
                events.extend(self.decide(&mut part, PartCommand::Deactivate { at: at(2) })?);
            }
            streams.push(stream::<Part>(id.0, events));
            part_ids.push(id);
        }
        let mut stocks: BTreeMap<StockId, StockStream> = BTreeMap::new();
        let by = self.advisor();
        // Purchase orders: each supplier gets one per three parts, a fate each.
        let mut minute = 10;
        for (o, chunk) in part_ids.chunks(3).enumerate() {
            let id = PurchaseOrderId(Uuid::now_v7());
            let supplier = suppliers[o % suppliers.len()];
            let location = domain(Location::parse(LOCATIONS[o % 4 / 3]))?;
            let mut order = PurchaseOrder::default();
            minute += 10;
            let mut events = self.decide(
                &mut order,
                PurchaseOrderCommand::Draft {
                    purchase_order_id: id,
                    number: format!("ЗП-2026-{o:05}"),
                    supplier_id: supplier,
                    by,
                    at: at(minute),
                },
            )?;
            let mut lines = Vec::new();
            for (l, part) in chunk.iter().enumerate() {
                let line_id = PurchaseLineId(Uuid::now_v7());
                let units = 2 + (self.next() % 6) as u32;
                let price = Money::kopecks(10_000 + (self.next() % 500_000) as i64);
                events.extend(self.decide(
                    &mut order,
                    PurchaseOrderCommand::AddLine {
                        line_id,
                        part_id: *part,
                        quantity: domain(Quantity::units(units))?,
                        unit_price: price,
                    },
                )?);
                if l == 1 {
                    events.extend(self.decide(
                        &mut order,
                        PurchaseOrderCommand::ChangeLine {
                            line_id,
                            quantity: domain(Quantity::units(units + 1))?,
                            unit_price: price,
                        },
                    )?);
                }
                lines.push(line_id);
            }
            let fate = o % 7;
            if fate == 0 {
                // Left a draft.
                streams.push(stream::<PurchaseOrder>(id.0, events));
                continue;
            }
            events.extend(self.decide(
                &mut order,
                PurchaseOrderCommand::Send {
                    by,
                    at: at(minute + 1),
                },
            )?);
            for (part, on_order) in order.on_order() {
                let quantity = quantity(on_order)?;
                self.on_stock(
                    &mut stocks,
                    StockId::new(part, location.clone()),
                    StockCommand::RaiseOnOrder {
                        purchase_order_id: id,
                        quantity,
                        at: at(minute + 1),
                    },
                )?;
            }
            if fate == 6 {
                // Sent, nothing arrived yet.
                streams.push(stream::<PurchaseOrder>(id.0, events));
                continue;
            }
            if fate == 1 {
                let undelivered = order.on_order();
                events.extend(self.decide(
                    &mut order,
                    PurchaseOrderCommand::Cancel {
                        reason: "Поставщик снял позицию".into(),
                        by,
                        at: at(minute + 2),
                    },
                )?);
                self.lower(&mut stocks, id, &location, undelivered, at(minute + 2))?;
                streams.push(stream::<PurchaseOrder>(id.0, events));
                continue;
            }
            // Received: the first receipt takes part of the first line and all of the others;
            // fates 2 and 3 take the rest in a second receipt, 4 closes short, 5 waits.
            let first: Vec<ReceiptLine> = order
                .lines
                .iter()
                .enumerate()
                .map(|(i, line)| {
                    let all = u32::try_from(line.outstanding()).unwrap_or(0);
                    let take = if i == 0 { all / 2 } else { all };
                    (line.line_id, take)
                })
                .filter(|(_, take)| *take > 0)
                .map(|(line_id, take)| {
                    Ok(ReceiptLine {
                        line_id,
                        quantity: quantity(u64::from(take))?,
                    })
                })
                .collect::<Result<_, ProjectionError>>()?;
            self.receive(
                &mut order,
                &mut events,
                &mut stocks,
                &location,
                first,
                at(minute + 3),
            )?;
            match fate {
                2 | 3 => {
                    let rest: Vec<ReceiptLine> = order
                        .lines
                        .iter()
                        .filter(|line| line.outstanding() > 0)
                        .map(|line| {
                            Ok(ReceiptLine {
                                line_id: line.line_id,
                                quantity: quantity(line.outstanding())?,
                            })
                        })
                        .collect::<Result<_, ProjectionError>>()?;
                    if !rest.is_empty() {
                        self.receive(
                            &mut order,
                            &mut events,
                            &mut stocks,
                            &location,
                            rest,
                            at(minute + 4),
                        )?;
                    }
                    if fate == 3 {
                        events.extend(self.decide(
                            &mut order,
                            PurchaseOrderCommand::Close {
                                by,
                                at: at(minute + 5),
                            },
                        )?);
                    }
                }
                4 => {
                    let undelivered = order.on_order();
                    events.extend(self.decide(
                        &mut order,
                        PurchaseOrderCommand::Close {
                            by,
                            at: at(minute + 5),
                        },
                    )?);
                    self.lower(&mut stocks, id, &location, undelivered, at(minute + 5))?;
                }
                _ => {}
            }
            streams.push(stream::<PurchaseOrder>(id.0, events));
        }
        // Work-order lines take the parts: reserve (to order when short), issue, return, release.
        let mut holders: Vec<Holder> = Vec::new();
        for n in 0..orders {
            minute += 5;
            let part = part_ids[(self.next() % part_ids.len() as u64) as usize];
            let location = domain(Location::parse(LOCATIONS[(n % 4 / 3) as usize]))?;
            let stock = StockId::new(part, location);
            let line_id = LineId(Uuid::now_v7());
            let units = 1 + (self.next() % 3) as u32;
            self.on_stock(
                &mut stocks,
                stock.clone(),
                StockCommand::Reserve {
                    work_order_id: WorkOrderId(Uuid::now_v7()),
                    line_id,
                    quantity: domain(Quantity::units(units))?,
                    may_backorder: true,
                    by,
                    at: at(minute),
                },
            )?;
            holders.push(Holder {
                stock,
                line_id,
                issued: 0,
            });
        }
        for (h, holder) in holders.iter_mut().enumerate() {
            minute += 3;
            let state = &stocks.entry(holder.stock.clone()).or_default().state;
            let Some(reservation) = state.reservation(holder.line_id).copied() else {
                continue;
            };
            let covered = u32::try_from(reservation.covered()).unwrap_or(0);
            match h % 5 {
                // Issue what is on the shelf, and bring some of it back.
                0..=2 if covered > 0 => {
                    self.on_stock(
                        &mut stocks,
                        holder.stock.clone(),
                        StockCommand::Issue {
                            line_id: holder.line_id,
                            quantity: domain(Quantity::from_thousandths(covered))?,
                            by,
                            at: at(minute),
                        },
                    )?;
                    holder.issued = covered;
                    if h % 5 == 1 {
                        self.on_stock(
                            &mut stocks,
                            holder.stock.clone(),
                            StockCommand::Return {
                                line_id: holder.line_id,
                                quantity: domain(Quantity::from_thousandths(covered.div_ceil(2)))?,
                                reason: "Не подошла".into(),
                                by,
                                at: at(minute + 1),
                            },
                        )?;
                    }
                }
                // The line was removed: all of its reservation given back.
                3 => {
                    self.on_stock(
                        &mut stocks,
                        holder.stock.clone(),
                        StockCommand::Release {
                            line_id: holder.line_id,
                            quantity: None,
                            by,
                            at: at(minute),
                        },
                    )?;
                }
                _ => {}
            }
        }
        // An inventory count on every fourth stock: one found short, one found more.
        let counted: Vec<StockId> = stocks.keys().step_by(4).cloned().collect();
        for (c, stock) in counted.into_iter().enumerate() {
            minute += 2;
            let on_hand = stocks.entry(stock.clone()).or_default().state.on_hand;
            let found = if c % 2 == 0 {
                on_hand.saturating_sub(1_000)
            } else {
                on_hand + 2_500
            };
            self.on_stock(
                &mut stocks,
                stock,
                StockCommand::Count {
                    count_id: InventoryCountId(Uuid::now_v7()),
                    counted: found,
                    reason: if found == on_hand {
                        String::new()
                    } else {
                        "Пересорт".into()
                    },
                    by,
                    at: at(minute),
                },
            )?;
        }
        // Defective parts back to a supplier, from what is free on every third stock.
        let returning: Vec<StockId> = stocks.keys().skip(1).step_by(3).cloned().collect();
        for (r, stock) in returning.into_iter().enumerate() {
            let free = stocks.entry(stock.clone()).or_default().state.free();
            let Some(quantity) = u32::try_from(free.min(1_000))
                .ok()
                .and_then(|t| Quantity::from_thousandths(t).ok())
            else {
                continue;
            };
            minute += 2;
            self.on_stock(
                &mut stocks,
                stock,
                StockCommand::ReturnToSupplier {
                    supplier_id: suppliers[r % suppliers.len()],
                    purchase_order_id: None,
                    quantity,
                    reason: "Брак".into(),
                    by,
                    at: at(minute),
                },
            )?;
        }
        for (id, generated) in stocks {
            streams.push(GeneratedStream {
                stream: StreamId::new(Stock::STREAM_TYPE, id.to_string()),
                events: generated.events,
            });
        }
        Ok(streams)
    }

    /// Decides a command on a stock stream being generated.
    fn on_stock(
        &mut self,
        stocks: &mut BTreeMap<StockId, StockStream>,
        stock: StockId,
        command: StockCommand,
    ) -> Result<(), ProjectionError> {
        let generated = stocks.entry(stock).or_default();
        let events = self.decide(&mut generated.state, command)?;
        generated.events.extend(events);
        Ok(())
    }

    /// Lowers the stocks' on order by what a purchase order will no longer bring.
    fn lower(
        &mut self,
        stocks: &mut BTreeMap<StockId, StockStream>,
        purchase_order_id: PurchaseOrderId,
        location: &Location,
        undelivered: BTreeMap<PartId, u64>,
        at: DateTime<Utc>,
    ) -> Result<(), ProjectionError> {
        for (part, left) in undelivered {
            if left == 0 {
                continue;
            }
            self.on_stock(
                stocks,
                StockId::new(part, location.clone()),
                StockCommand::LowerOnOrder {
                    purchase_order_id,
                    quantity: quantity(left)?,
                    at,
                },
            )?;
        }
        Ok(())
    }

    /// A receipt on the purchase order, and on each received part's stock.
    #[allow(clippy::too_many_arguments)]
    fn receive(
        &mut self,
        order: &mut PurchaseOrder,
        events: &mut Vec<NewEvent>,
        stocks: &mut BTreeMap<StockId, StockStream>,
        location: &Location,
        lines: Vec<ReceiptLine>,
        at: DateTime<Utc>,
    ) -> Result<(), ProjectionError> {
        let receipt_id = ReceiptId(Uuid::now_v7());
        let by = self.advisor();
        let purchase_order_id = order
            .id
            .ok_or_else(|| ProjectionError::Inconsistent("generator: no order".into()))?;
        events.extend(self.decide(
            order,
            PurchaseOrderCommand::Receive {
                receipt_id,
                lines: lines.clone(),
                by,
                at,
            },
        )?);
        for received in lines {
            let line = order
                .lines
                .iter()
                .find(|l| l.line_id == received.line_id)
                .copied()
                .ok_or_else(|| ProjectionError::Inconsistent("generator: no line".into()))?;
            self.on_stock(
                stocks,
                StockId::new(line.part_id, location.clone()),
                StockCommand::Receive {
                    purchase_order_id,
                    purchase_line_id: line.line_id,
                    receipt_id,
                    quantity: received.quantity,
                    unit_price: line.unit_price,
                    by,
                    at,
                },
            )?;
        }
        Ok(())
    }
}

/// Thousandths as a quantity.
fn quantity(thousandths: u64) -> Result<Quantity, ProjectionError> {
    let thousandths = u32::try_from(thousandths)
        .map_err(|_| ProjectionError::Inconsistent("generator: quantity too large".into()))?;
    domain(Quantity::from_thousandths(thousandths))
}
