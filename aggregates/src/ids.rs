//! Identities of the shop's things. Each is a UUID chosen by the caller (v7 in practice), wrapped so
//! a client id can never be passed where a vehicle id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

uuid_id! {
    /// A client of the shop (a person or a company).
    ClientId,
    /// A vehicle.
    VehicleId,
    /// A work order (заказ-наряд).
    WorkOrderId,
    /// A line of a work order, labour or parts.
    LineId,
    /// A recommendation on a work order.
    RecommendationId,
    /// A link sent to the client to approve a work order's estimate.
    ApprovalLinkId,
    /// An invoice.
    InvoiceId,
    /// A payment on an invoice.
    PaymentId,
    /// A refund on an invoice.
    RefundId,
    /// An employee of the shop.
    EmployeeId,
    /// An entry of the service catalogue.
    CatalogueServiceId,
    /// The shop (one per branch): the id of its settings and staff streams.
    ShopId,
}

uuid_id! {
    /// A part of the parts catalogue (номенклатура).
    PartId,
    /// A supplier of parts.
    SupplierId,
    /// A purchase order to a supplier.
    PurchaseOrderId,
    /// A line of a purchase order.
    PurchaseLineId,
    /// A receipt of goods against a purchase order (приход).
    ReceiptId,
    /// An inventory count (инвентаризация).
    InventoryCountId,
}

uuid_id! {
    /// A bay (пост): a lift, an alignment stand, a diagnostics bay…
    BayId,
    /// An appointment (запись).
    AppointmentId,
    /// An employee's absence (a day off, sick leave, a vacation).
    AbsenceId,
}
