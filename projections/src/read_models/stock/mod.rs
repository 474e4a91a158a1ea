//! Parts stock and purchasing (`stock:v1`): the parts catalogue, the suppliers, each part's stock
//! per location with its movements journal, and the purchase orders with their lines and receipts.
//! The "to order" list is the view `read.parts_to_order` over the catalogue and the stock (in the
//! migration), so it never disagrees with them.
//!
//! One module per kind of record ([`catalogue`], [`levels`], [`purchasing`]); each matches every
//! event of its stream type, so a new event forces a decision here. Stock and purchase orders
//! are folded with the domain's `evolve`, like work orders and invoices; a stock's consecutive
//! events in a batch are written once, as a run (a rebuild reads a stock's whole life at once).

mod catalogue;
pub(crate) mod levels;
mod purchasing;

use aggregates::part::Part;
use aggregates::purchase_order::PurchaseOrder;
use aggregates::stock::Stock;
use aggregates::supplier::Supplier;
use aggregates::Aggregate;
use event_store::RecordedEvent;
use sqlx::PgConnection;

pub use catalogue::unit_code;

use crate::{Projection, ProjectionError};

/// The stream types this read model reads.
const STREAM_TYPES: [&str; 4] = [
    Part::STREAM_TYPE,
    Supplier::STREAM_TYPE,
    Stock::STREAM_TYPE,
    PurchaseOrder::STREAM_TYPE,
];

/// Projects `part`, `supplier`, `stock` and `purchase_order` streams.
#[derive(Debug, Clone, Copy)]
pub struct StockProjection;

impl Projection for StockProjection {
    const NAME: &'static str = "stock";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &[
        "read.parts",
        "read.suppliers",
        "read.stock",
        "read.stock_movements",
        "read.purchase_orders",
        "read.purchase_order_lines",
        "read.purchase_receipts",
    ];

    fn handles(&self, event: &RecordedEvent) -> bool {
        STREAM_TYPES.contains(&event.stream.stream_type.as_str())
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        match event.stream.stream_type.as_str() {
            Part::STREAM_TYPE => catalogue::part(tx, event).await,
            Supplier::STREAM_TYPE => catalogue::supplier(tx, event).await,
            Stock::STREAM_TYPE => {
                let run = levels::Run::start(tx, levels::stock_id(event)?, event, 0).await?;
                run.write(tx).await
            }
            PurchaseOrder::STREAM_TYPE => purchasing::purchase_order(tx, event).await,
            other => Err(ProjectionError::Inconsistent(format!(
                "stock read model given a {other} stream"
            ))),
        }
    }

    /// A stock's consecutive events are written as one run ([`levels::Run`]); every other event
    /// on its own, after the run before it.
    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let mut applied = 0;
        let mut run: Option<levels::Run> = None;
        for (index, event) in events.iter().enumerate() {
            if !self.handles(event) {
                continue;
            }
            applied += 1;
            if event.stream.stream_type == Stock::STREAM_TYPE {
                let id = levels::stock_id(event).map_err(|e| (index, e))?;
                match run.as_mut() {
                    Some(current) if current.id == id => {
                        current.add(event, index).map_err(|e| (index, e))?;
                    }
                    _ => {
                        if let Some(done) = run.take() {
                            let last = done.last;
                            done.write(tx).await.map_err(|e| (last, e))?;
                        }
                        let started = levels::Run::start(tx, id, event, index).await;
                        run = Some(started.map_err(|e| (index, e))?);
                    }
                }
                continue;
            }
            if let Some(done) = run.take() {
                let last = done.last;
                done.write(tx).await.map_err(|e| (last, e))?;
            }
            self.apply(tx, event).await.map_err(|e| (index, e))?;
        }
        if let Some(done) = run {
            let last = done.last;
            done.write(tx).await.map_err(|e| (last, e))?;
        }
        Ok(applied)
    }
}
