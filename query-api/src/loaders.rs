//! DataLoaders: nested fields of a page load with one statement per kind, whatever the page's size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sqlx::PgPool;
use uuid::Uuid;

use crate::money::Rub;
use crate::schema::{Client, Employee, Invoice, Line, MileageReading, PaymentEntry, Vehicle};

/// What a loader fails with (cloned to every waiting resolver).
pub type LoadError = Arc<sqlx::Error>;

/// The read models' database, for every loader.
#[derive(Clone)]
pub struct Db(pub PgPool);

macro_rules! by_id {
    ($loader:ident, $value:ty, $key:ident, |$pool:ident, $keys:ident| $query:expr) => {
        /// Loads records by id in one statement.
        pub struct $loader(pub Db);

        impl Loader<Uuid> for $loader {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, $value>, LoadError> {
                let ($pool, $keys) = (&self.0 .0, keys);
                let rows: Vec<$value> = $query.await.map_err(Arc::new)?;
                Ok(rows.into_iter().map(|row| (row.$key, row)).collect())
            }
        }
    };
}

macro_rules! grouped {
    ($loader:ident, $value:ty, $key:ident, |$pool:ident, $keys:ident| $query:expr) => {
        /// Loads each id's records in one statement.
        pub struct $loader(pub Db);

        impl Loader<Uuid> for $loader {
            type Value = Vec<$value>;
            type Error = LoadError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<$value>>, LoadError> {
                let ($pool, $keys) = (&self.0 .0, keys);
                let rows: Vec<$value> = $query.await.map_err(Arc::new)?;
                let mut grouped: HashMap<Uuid, Vec<$value>> = HashMap::new();
                for row in rows {
                    grouped.entry(row.$key).or_default().push(row);
                }
                Ok(grouped)
            }
        }
    };
}

by_id!(ClientLoader, Client, client_id, |pool, keys| {
    sqlx::query_as!(
        Client,
        r#"SELECT client_id, kind, display_name, inn, kpp, email, discount_bp, archived, registered_at
             FROM read.clients WHERE client_id = ANY($1)"#,
        keys
    )
    .fetch_all(pool)
});

by_id!(VehicleLoader, Vehicle, vehicle_id, |pool, keys| {
    sqlx::query_as!(
        Vehicle,
        r#"SELECT vehicle_id, owner_id, vin, plate, make, model, year, mileage_km, mileage_at, registered_at
             FROM read.vehicles WHERE vehicle_id = ANY($1)"#,
        keys
    )
    .fetch_all(pool)
});

by_id!(EmployeeLoader, Employee, employee_id, |pool, keys| {
    sqlx::query_as!(
        Employee,
        r#"SELECT employee_id, full_name, position, email, phone, roles, active, hired_at
             FROM read.employees WHERE employee_id = ANY($1)"#,
        keys
    )
    .fetch_all(pool)
});

grouped!(LinesLoader, Line, work_order_id, |pool, keys| {
    sqlx::query_as!(
        Line,
        r#"SELECT work_order_id, line_id, ordinal, kind, description, part_number, catalogue_service_id,
                  quantity::text AS "quantity!", (unit_price * 100)::bigint AS "unit_price!: Rub",
                  discount_bp, (discount * 100)::bigint AS "discount!: Rub",
                  (amount * 100)::bigint AS "amount!: Rub", mechanic_id, progress, approval,
                  approved_by, approved_at
             FROM read.work_order_lines WHERE work_order_id = ANY($1)
            ORDER BY work_order_id, ordinal"#,
        keys
    )
    .fetch_all(pool)
});

grouped!(VehiclesByOwnerLoader, Vehicle, owner_id, |pool, keys| {
    sqlx::query_as!(
        Vehicle,
        r#"SELECT vehicle_id, owner_id, vin, plate, make, model, year, mileage_km, mileage_at, registered_at
             FROM read.vehicles WHERE owner_id = ANY($1) ORDER BY registered_at"#,
        keys
    )
    .fetch_all(pool)
});

grouped!(MileageLoader, MileageReading, vehicle_id, |pool, keys| {
    sqlx::query_as!(
        MileageReading,
        r#"SELECT vehicle_id, km, kind, work_order_id, reason, recorded_by, at
             FROM read.vehicle_mileage WHERE vehicle_id = ANY($1) ORDER BY at"#,
        keys
    )
    .fetch_all(pool)
});

grouped!(
    InvoicesByWorkOrderLoader,
    Invoice,
    work_order_id,
    |pool, keys| {
        sqlx::query_as!(
            Invoice,
            r#"SELECT invoice_id, number, work_order_id, work_order_number, client_id, payer_kind,
                  payer_name, payer_inn, issued_at, (total * 100)::bigint AS "total!: Rub",
                  (vat * 100)::bigint AS "vat!: Rub", (paid * 100)::bigint AS "paid!: Rub",
                  (refunded * 100)::bigint AS "refunded!: Rub",
                  (balance_due * 100)::bigint AS "balance_due!: Rub", voided, void_reason, status,
                  state, version
             FROM read.invoices WHERE work_order_id = ANY($1) ORDER BY issued_at"#,
            keys
        )
        .fetch_all(pool)
    }
);

grouped!(PaymentsLoader, PaymentEntry, invoice_id, |pool, keys| {
    sqlx::query_as!(
        PaymentEntry,
        r#"SELECT entry_id, invoice_id, kind, (amount * 100)::bigint AS "amount!: Rub", method,
                  reference, reason, recorded_by, at
             FROM read.payments WHERE invoice_id = ANY($1) ORDER BY at"#,
        keys
    )
    .fetch_all(pool)
});

grouped!(
    PhonesLoader,
    crate::schema::ClientPhone,
    client_id,
    |pool, keys| {
        sqlx::query_as!(
        crate::schema::ClientPhone,
        "SELECT client_id, phone FROM read.client_phones WHERE client_id = ANY($1) ORDER BY phone",
        keys
    )
        .fetch_all(pool)
    }
);

/// Loads work orders' card state (the domain's fold) by id in one statement.
pub struct WorkOrderStateLoader(pub Db);

impl Loader<Uuid> for WorkOrderStateLoader {
    type Value = serde_json::Value;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, serde_json::Value>, LoadError> {
        let rows = sqlx::query!(
            "SELECT work_order_id, state FROM read.work_orders WHERE work_order_id = ANY($1)",
            keys
        )
        .fetch_all(&self.0 .0)
        .await
        .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|row| (row.work_order_id, row.state))
            .collect())
    }
}
