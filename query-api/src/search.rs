//! Search and history: the two reads that span record kinds.

use aggregates::permission::Permission as P;
use aggregates::vehicle_ids::Plate;
use event_store::StreamId;
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::QueryError;
use crate::schema::{only_digits, HistoryEntry, SearchHit};

/// The shortest text searched.
const MIN_TEXT: usize = 2;

/// Hits for `text` among what the caller may see, best first.
pub async fn search(
    scope: &Scope<'_>,
    text: &str,
    limit: usize,
) -> Result<Vec<SearchHit>, QueryError> {
    if text.chars().count() < MIN_TEXT {
        return Err(QueryError::InvalidArgument {
            field: "text",
            reason: format!("type at least {MIN_TEXT} characters"),
            reason_ru: format!("введите не меньше {MIN_TEXT} символов"),
        });
    }
    let viewer = scope.viewer;
    let limit_sql = i64::try_from(limit).unwrap_or(50);
    let digits = only_digits(text);
    let has_letters = text.chars().any(char::is_alphabetic);

    // Clients, vehicles and orders are searched at once, each on a connection of its own.
    let clients = async {
        let mut hits = Vec::new();
        if !viewer.may(P::ClientRead) {
            return Ok::<_, QueryError>(hits);
        }
        scope.read(None, Model::Clients).await?;
        let show_phone = viewer.may(P::ClientReadContacts);
        if !has_letters && digits.len() >= 4 {
            let reversed: String = digits.chars().rev().collect();
            let rows = sqlx::query!(
                r#"SELECT client_id, display_name, phone FROM read.client_phones
                    WHERE reversed_digits LIKE $1 || '%'
                    ORDER BY archived, display_name
                    LIMIT $2"#,
                reversed,
                limit_sql
            )
            .fetch_all(scope.pool)
            .await?;
            hits.extend(rows.into_iter().map(|row| SearchHit {
                kind: "client".into(),
                id: row.client_id,
                title: row.display_name,
                subtitle: show_phone.then_some(row.phone),
                rank: 1.0,
            }));
        }
        if has_letters {
            // A name typed from its start: one range of the byte-ordered index, cut at the page.
            let needle = text.to_lowercase();
            let rows = sqlx::query!(
                r#"SELECT client_id, display_name FROM read.clients
                    WHERE lower(display_name) COLLATE "C" LIKE $1 || '%'
                    ORDER BY lower(display_name) COLLATE "C", client_id
                    LIMIT $2"#,
                like_prefix(&needle),
                limit_sql
            )
            .fetch_all(scope.pool)
            .await?;
            let exact = rows.len();
            hits.extend(rows.into_iter().map(|row| SearchHit {
                kind: "client".into(),
                id: row.client_id,
                title: row.display_name,
                subtitle: None,
                rank: 1.0,
            }));
            // Too few: a typo or another word order. The nearest distinct names first, then their
            // clients, in that order, until the page is full.
            if exact < limit {
                let rows = sqlx::query!(
                    r#"SELECT c.client_id, c.display_name, n.rank AS "rank!"
                         FROM (SELECT name_key, (1 - (name_key <->> $1))::real AS rank
                                 FROM read.client_names
                                WHERE $1 <% name_key
                                ORDER BY name_key <->> $1
                                LIMIT $2) n
                        CROSS JOIN LATERAL (
                              SELECT client_id, display_name FROM read.clients
                               WHERE lower(display_name) COLLATE "C" = n.name_key
                               ORDER BY client_id LIMIT $2) c
                        LIMIT $2"#,
                    needle,
                    limit_sql
                )
                .fetch_all(scope.pool)
                .await?;
                let seen: Vec<Uuid> = hits.iter().map(|h| h.id).collect();
                hits.extend(
                    rows.into_iter()
                        .filter(|row| !seen.contains(&row.client_id))
                        .map(|row| SearchHit {
                            kind: "client".into(),
                            id: row.client_id,
                            title: row.display_name,
                            subtitle: None,
                            rank: row.rank,
                        }),
                );
            }
        }
        Ok(hits)
    };

    let vehicles = async {
        let mut hits = Vec::new();
        if !viewer.may(P::VehicleRead) {
            return Ok::<_, QueryError>(hits);
        }
        scope.read(None, Model::Vehicles).await?;
        let plate = Plate::canonical_form(text);
        let vin: String = text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if plate.chars().count() >= 3 || vin.len() >= 4 {
            let vin_tail: String = vin.chars().rev().collect();
            // The three digits alone are an ordinary plate's number («Веста, 123»).
            let number = (digits.len() == 3 && !has_letters).then_some(digits.as_str());
            let rows = sqlx::query!(
                r#"SELECT vehicle_id AS "vehicle_id!", plate, vin, make AS "make!", model AS "model!", rank AS "rank!" FROM (
                     (SELECT vehicle_id, plate, vin, make, model, 1.0::real AS rank
                        FROM read.vehicles WHERE plate LIKE $1 || '%' LIMIT $4)
                     UNION
                     (SELECT vehicle_id, plate, vin, make, model, 1.0::real AS rank
                        FROM read.vehicles
                       WHERE length($3) >= 4 AND reverse(vin) LIKE $3 || '%' LIMIT $4)
                     UNION
                     (SELECT vehicle_id, plate, vin, make, model, 0.9::real AS rank
                        FROM read.vehicles WHERE substring(plate FROM 2 FOR 3) = $2 LIMIT $4)
                   ) hits
                   ORDER BY rank DESC, plate LIMIT $4"#,
                like_prefix(&plate),
                number,
                like_prefix(&vin_tail),
                limit_sql
            )
            .fetch_all(scope.pool)
            .await?;
            hits.extend(rows.into_iter().map(|row| {
                SearchHit {
                    kind: "vehicle".into(),
                    id: row.vehicle_id,
                    title: row
                        .plate
                        .clone()
                        .or(row.vin.clone())
                        .unwrap_or_else(|| format!("{} {}", row.make, row.model)),
                    subtitle: Some(format!(
                        "{} {}{}",
                        row.make,
                        row.model,
                        row.vin.map(|v| format!(", VIN {v}")).unwrap_or_default()
                    )),
                    rank: row.rank,
                }
            }));
        }
        Ok(hits)
    };

    let work_orders = async {
        let mut hits = Vec::new();
        let Ok(assigned_to) = viewer.work_order_scope() else {
            return Ok::<_, QueryError>(hits);
        };
        if !digits.is_empty() {
            scope.read(None, Model::WorkOrders).await?;
            let rows = sqlx::query!(
                r#"SELECT work_order_id, number, status FROM read.work_orders
                    WHERE upper(number) LIKE $1 || '%'
                      AND ($2::uuid IS NULL OR mechanic_ids @> ARRAY[$2::uuid])
                    ORDER BY number LIMIT $3"#,
                like_prefix(&text.to_uppercase()),
                assigned_to,
                limit_sql
            )
            .fetch_all(scope.pool)
            .await?;
            hits.extend(rows.into_iter().map(|row| SearchHit {
                kind: "work_order".into(),
                id: row.work_order_id,
                title: row.number,
                subtitle: Some(row.status),
                rank: 1.0,
            }));
        }
        Ok(hits)
    };

    let (clients, vehicles, work_orders) = tokio::try_join!(clients, vehicles, work_orders)?;
    let mut hits = clients;
    hits.extend(vehicles);
    hits.extend(work_orders);
    hits.sort_by(|a, b| {
        b.rank
            .total_cmp(&a.rank)
            .then_with(|| a.title.cmp(&b.title))
    });
    hits.truncate(limit);
    Ok(hits)
}

/// Text for `LIKE prefix%`: the wildcards a person may type are taken literally.
fn like_prefix(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A stream's events after `after_version`, worded, with the employees' names.
pub async fn history(
    scope: &Scope<'_>,
    stream_type: &str,
    id: &str,
    after_version: i64,
    limit: usize,
) -> Result<Vec<HistoryEntry>, QueryError> {
    let events = scope
        .store
        .read_stream(
            &StreamId::new(stream_type, id),
            u64::try_from(after_version).unwrap_or(0),
        )
        .await
        .map_err(projections::ProjectionError::from)?;
    let events: Vec<_> = events.into_iter().take(limit + 1).collect();
    let names = projections::history::actor_names(scope.pool, &events).await?;
    events
        .into_iter()
        .map(|event| {
            let summary = projections::history::describe(&event)?;
            let actor_name =
                projections::history::actor_employee(&event).and_then(|id| names.get(&id).cloned());
            Ok(HistoryEntry {
                version: i64::try_from(event.version).unwrap_or(i64::MAX),
                event_type: event.event_type,
                summary,
                actor: event.metadata.actor,
                actor_name,
                at: event.recorded_at,
                correlation_id: event.metadata.correlation_id,
                causation_id: event.metadata.causation_id,
                position: event.position.to_string(),
            })
        })
        .collect()
}
