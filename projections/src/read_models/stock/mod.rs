//! Parts stock and purchasing (`stock:v1`): the parts catalogue, the suppliers, each part's stock
//! per location with its movements journal, and the purchase orders with their lines and receipts.
//! The "to order" list is the view `read.parts_to_order` over the catalogue and the stock (in the
//! migration), so it never disagrees with them.
//!
//! One module per kind of record ([`catalogue`], [`levels`], [`purchasing`]); each matches every
//! event of its stream type, so a new event forces a decision here. Stock and purchase orders
//! are folded with the domain's `evolve`, like work orders and invoices.

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
            Stock::STREAM_TYPE => levels::stock(tx, event).await,
            PurchaseOrder::STREAM_TYPE => purchasing::purchase_order(tx, event).await,
            other => Err(ProjectionError::Inconsistent(format!(
                "stock read model given a {other} stream"
            ))),
        }
    }
}
