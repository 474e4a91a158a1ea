//! Purchase orders to suppliers, their lines with what arrived and what is outstanding, and each
//! receipt's lines. The status, the total and the lines come from the domain's fold of the order,
//! kept in `state` like an invoice's.

use aggregates::purchase_order::{PurchaseOrder, PurchaseOrderEvent};
use aggregates::Aggregate;
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::support::{decode, found, from_json, record_id, to_json, version};
use crate::ProjectionError;

/// Applies a `purchase_order` stream's event to `read.purchase_orders`, its lines and receipts.
pub(super) async fn purchase_order(
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let order_id = record_id(event)?;
    let version = version(event);
    let domain_event: PurchaseOrderEvent = decode(event)?;
    if let PurchaseOrderEvent::PurchaseOrderDrafted {
        number,
        supplier_id,
        by,
        at,
        ..
    } = &domain_event
    {
        let order = PurchaseOrder::default().evolve(&domain_event);
        sqlx::query!(
            "INSERT INTO purchase_orders
               (purchase_order_id, number, supplier_id, status, total, drafted_by, drafted_at,
                state, version)
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8)",
            order_id,
            number,
            supplier_id.0,
            order.status().as_str(),
            by.0,
            at,
            to_json(&order)?,
            version,
        )
        .execute(&mut *tx)
        .await?;
        return Ok(());
    }
    let state = sqlx::query_scalar!(
        "SELECT state FROM purchase_orders WHERE purchase_order_id = $1",
        order_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(state) = state else {
        return found(0, event);
    };
    let order = from_json::<PurchaseOrder>(state)?.evolve(&domain_event);
    let mut sent_at = None;
    let mut closed_at = None;
    let mut cancelled = None;
    match &domain_event {
        PurchaseOrderEvent::PurchaseOrderDrafted { .. }
        | PurchaseOrderEvent::PurchaseLineAdded { .. }
        | PurchaseOrderEvent::PurchaseLineChanged { .. }
        | PurchaseOrderEvent::PurchaseLineRemoved { .. } => {}
        PurchaseOrderEvent::PurchaseOrderSent { at, .. } => sent_at = Some(*at),
        PurchaseOrderEvent::PurchaseOrderReceived {
            receipt_id,
            lines,
            by,
            at,
        } => {
            let line_ids: Vec<Uuid> = lines.iter().map(|l| l.line_id.0).collect();
            let parts: Vec<Uuid> = lines.iter().map(|l| l.part_id.0).collect();
            let quantities: Vec<i64> = lines
                .iter()
                .map(|l| i64::from(l.quantity.thousandths()))
                .collect();
            let prices: Vec<i64> = lines.iter().map(|l| l.unit_price.as_kopecks()).collect();
            sqlx::query!(
                "INSERT INTO purchase_receipts
                   (receipt_id, line_id, purchase_order_id, part_id, quantity, unit_price,
                    received_by, at)
                 SELECT $1, line_id, $2, part_id, quantity / 1000.0, unit_price / 100.0, $3, $4
                   FROM UNNEST($5::uuid[], $6::uuid[], $7::bigint[], $8::bigint[])
                     AS r(line_id, part_id, quantity, unit_price)",
                receipt_id.0,
                order_id,
                by.0,
                at,
                &line_ids,
                &parts,
                &quantities,
                &prices,
            )
            .execute(&mut *tx)
            .await?;
        }
        PurchaseOrderEvent::PurchaseOrderClosed { at, .. } => closed_at = Some(*at),
        PurchaseOrderEvent::PurchaseOrderCancelled { reason, at, .. } => {
            cancelled = Some((*at, reason.clone()));
        }
    }
    let (cancelled_at, cancel_reason) = cancelled.unzip();
    sqlx::query!(
        "UPDATE purchase_orders
            SET status = $2, total = $3::bigint / 100.0, state = $4, version = $5,
                sent_at = COALESCE($6, sent_at), closed_at = COALESCE($7, closed_at),
                cancelled_at = COALESCE($8, cancelled_at),
                cancel_reason = COALESCE($9, cancel_reason)
          WHERE purchase_order_id = $1",
        order_id,
        order.status().as_str(),
        order.total().as_kopecks(),
        to_json(&order)?,
        version,
        sent_at,
        closed_at,
        cancelled_at,
        cancel_reason,
    )
    .execute(&mut *tx)
    .await?;
    if matches!(
        domain_event,
        PurchaseOrderEvent::PurchaseLineAdded { .. }
            | PurchaseOrderEvent::PurchaseLineChanged { .. }
            | PurchaseOrderEvent::PurchaseLineRemoved { .. }
            | PurchaseOrderEvent::PurchaseOrderReceived { .. }
    ) {
        rewrite_lines(tx, order_id, &order).await?;
    }
    Ok(())
}

/// The order's lines as the fold has them, in the order added.
async fn rewrite_lines(
    tx: &mut PgConnection,
    order_id: Uuid,
    order: &PurchaseOrder,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "DELETE FROM purchase_order_lines WHERE purchase_order_id = $1",
        order_id
    )
    .execute(&mut *tx)
    .await?;
    let to_i64 = |t: u64| i64::try_from(t).unwrap_or(i64::MAX);
    let lines = &order.lines;
    let line_ids: Vec<Uuid> = lines.iter().map(|l| l.line_id.0).collect();
    let ordinals: Vec<i32> = (1..=lines.len())
        .map(|i| i32::try_from(i).unwrap_or(i32::MAX))
        .collect();
    let parts: Vec<Uuid> = lines.iter().map(|l| l.part_id.0).collect();
    let quantities: Vec<i64> = lines
        .iter()
        .map(|l| i64::from(l.quantity.thousandths()))
        .collect();
    let prices: Vec<i64> = lines.iter().map(|l| l.unit_price.as_kopecks()).collect();
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount().as_kopecks()).collect();
    let received: Vec<i64> = lines.iter().map(|l| to_i64(l.received)).collect();
    let outstanding: Vec<i64> = lines.iter().map(|l| to_i64(l.outstanding())).collect();
    sqlx::query!(
        "INSERT INTO purchase_order_lines
           (purchase_order_id, line_id, ordinal, part_id, quantity, unit_price, amount, received,
            outstanding)
         SELECT $1, line_id, ordinal, part_id, quantity / 1000.0, unit_price / 100.0,
                amount / 100.0, received / 1000.0, outstanding / 1000.0
           FROM UNNEST($2::uuid[], $3::int[], $4::uuid[], $5::bigint[], $6::bigint[],
                       $7::bigint[], $8::bigint[], $9::bigint[])
             AS l(line_id, ordinal, part_id, quantity, unit_price, amount, received, outstanding)",
        order_id,
        &line_ids,
        &ordinals,
        &parts,
        &quantities,
        &prices,
        &amounts,
        &received,
        &outstanding,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
