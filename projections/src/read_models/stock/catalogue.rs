//! The parts catalogue and the suppliers: one row each, changed in place by its events. Their folds
//! are flat (every field an event sets is a column), so the row is the fold and no state is kept.

use aggregates::part::{PartEvent, ReorderPoints, Unit};
use aggregates::supplier::{SupplierEvent, SupplierRequisites};
use event_store::RecordedEvent;
use sqlx::PgConnection;

use crate::support::{decode, found, record_id, version};
use crate::ProjectionError;

/// The stable name of a unit, as serde writes it.
pub fn unit_code(unit: Unit) -> &'static str {
    match unit {
        Unit::Pcs => "pcs",
        Unit::L => "l",
        Unit::Kg => "kg",
        Unit::M => "m",
    }
}

/// Reorder points as thousandths, or none.
fn points(reorder: Option<&ReorderPoints>) -> (Option<i64>, Option<i64>) {
    let thousandths = |t: u64| i64::try_from(t).unwrap_or(i64::MAX);
    match reorder {
        Some(points) => (Some(thousandths(points.min)), Some(thousandths(points.max))),
        None => (None, None),
    }
}

/// Applies a `part` stream's event to `read.parts`.
pub(super) async fn part(
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let part = record_id(event)?;
    let version = version(event);
    let rows = match decode::<PartEvent>(event)? {
        PartEvent::PartRegistered {
            number,
            brand,
            name,
            unit,
            category,
            at,
            ..
        } => {
            sqlx::query!(
                "INSERT INTO parts
                   (part_id, number, number_normalised, brand, name, unit, category, active,
                    analogues, registered_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, true, '{}', $8, $9)",
                part,
                number.as_str(),
                number.normalised(),
                brand,
                name,
                unit_code(unit),
                category.as_str(),
                at,
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        PartEvent::PartDetailsChanged {
            number,
            brand,
            name,
            unit,
            category,
        } => {
            sqlx::query!(
                "UPDATE parts
                    SET number = $2, number_normalised = $3, brand = $4, name = $5, unit = $6,
                        category = $7, version = $8
                  WHERE part_id = $1",
                part,
                number.as_str(),
                number.normalised(),
                brand,
                name,
                unit_code(unit),
                category.as_str(),
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        // Kept sorted and distinct, as the domain's set is.
        PartEvent::PartAnalogueLinked { analogue } => {
            sqlx::query!(
                "UPDATE parts
                    SET analogues = ARRAY(SELECT DISTINCT a FROM unnest(analogues || $2::uuid) a
                                           ORDER BY a),
                        version = $3
                  WHERE part_id = $1",
                part,
                analogue.0,
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        PartEvent::PartAnalogueUnlinked { analogue } => {
            sqlx::query!(
                "UPDATE parts SET analogues = array_remove(analogues, $2), version = $3
                  WHERE part_id = $1",
                part,
                analogue.0,
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        PartEvent::PartReorderPointsSet { reorder } => {
            let (min, max) = points(reorder.as_ref());
            sqlx::query!(
                "UPDATE parts
                    SET reorder_min = $2::bigint / 1000.0, reorder_max = $3::bigint / 1000.0,
                        version = $4
                  WHERE part_id = $1",
                part,
                min,
                max,
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        PartEvent::PartDeactivated { .. } => set_part_active(tx, part, false, version).await?,
        PartEvent::PartReactivated { .. } => set_part_active(tx, part, true, version).await?,
    };
    found(rows.rows_affected(), event)
}

async fn set_part_active(
    tx: &mut PgConnection,
    part: uuid::Uuid,
    active: bool,
    version: i64,
) -> Result<sqlx::postgres::PgQueryResult, ProjectionError> {
    Ok(sqlx::query!(
        "UPDATE parts SET active = $2, version = $3 WHERE part_id = $1",
        part,
        active,
        version,
    )
    .execute(&mut *tx)
    .await?)
}

fn requisites(requisites: &SupplierRequisites) -> (&str, &str, Option<&str>) {
    (
        &requisites.legal_name,
        requisites.inn.as_str(),
        requisites.kpp.as_ref().map(|k| k.as_str()),
    )
}

/// Applies a `supplier` stream's event to `read.suppliers`.
pub(super) async fn supplier(
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let supplier = record_id(event)?;
    let version = version(event);
    let rows = match decode::<SupplierEvent>(event)? {
        SupplierEvent::SupplierRegistered {
            requisites: given,
            payment_terms_days,
            contacts,
            at,
            ..
        } => {
            let (legal_name, inn, kpp) = requisites(&given);
            sqlx::query!(
                "INSERT INTO suppliers
                   (supplier_id, legal_name, inn, kpp, phone, email, payment_terms_days, active,
                    registered_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $9)",
                supplier,
                legal_name,
                inn,
                kpp,
                contacts.phone.as_ref().map(|p| p.as_str()),
                contacts.email.as_ref().map(|e| e.as_str()),
                i32::from(payment_terms_days),
                at,
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        SupplierEvent::SupplierRequisitesChanged { requisites: given } => {
            let (legal_name, inn, kpp) = requisites(&given);
            sqlx::query!(
                "UPDATE suppliers SET legal_name = $2, inn = $3, kpp = $4, version = $5
                  WHERE supplier_id = $1",
                supplier,
                legal_name,
                inn,
                kpp,
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        SupplierEvent::SupplierContactsChanged { contacts } => {
            sqlx::query!(
                "UPDATE suppliers SET phone = $2, email = $3, version = $4
                  WHERE supplier_id = $1",
                supplier,
                contacts.phone.as_ref().map(|p| p.as_str()),
                contacts.email.as_ref().map(|e| e.as_str()),
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        SupplierEvent::SupplierPaymentTermsSet { days } => {
            sqlx::query!(
                "UPDATE suppliers SET payment_terms_days = $2, version = $3
                  WHERE supplier_id = $1",
                supplier,
                i32::from(days),
                version,
            )
            .execute(&mut *tx)
            .await?
        }
        SupplierEvent::SupplierDeactivated { .. } => {
            set_supplier_active(tx, supplier, false, version).await?
        }
        SupplierEvent::SupplierReactivated { .. } => {
            set_supplier_active(tx, supplier, true, version).await?
        }
    };
    found(rows.rows_affected(), event)
}

async fn set_supplier_active(
    tx: &mut PgConnection,
    supplier: uuid::Uuid,
    active: bool,
    version: i64,
) -> Result<sqlx::postgres::PgQueryResult, ProjectionError> {
    Ok(sqlx::query!(
        "UPDATE suppliers SET active = $2, version = $3 WHERE supplier_id = $1",
        supplier,
        active,
        version,
    )
    .execute(&mut *tx)
    .await?)
}
