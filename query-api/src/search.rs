//! Search: the search box's one read across record kinds (clients, vehicles, work orders).
//!
//! Search runs on PostgreSQL's read models, or on Meilisearch when it is configured
//! ([`SearchSource`]); what the caller may see is decided once (`Wanted`) for both, and Meilisearch
//! answers only when its indexes are as fresh as the request needs and it is reachable: otherwise
//! PostgreSQL answers, so the search box never goes dark with Meilisearch.

use aggregates::contact::Phone;
use aggregates::permission::Permission as P;
use aggregates::vehicle_ids::Plate;
use async_graphql::SimpleObject;
use meilisearch_sdk::errors::Error as MeiliError;
use projections::meilisearch::{
    filter_value, ClientDocument, MeilisearchIndexes, SearchKind, VehicleDocument,
    WorkOrderDocument,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::access::Viewer;
use crate::context::{Model, Scope};
use crate::error::QueryError;

/// A search hit.
#[derive(SimpleObject, Clone)]
pub struct SearchHit {
    /// `client`, `vehicle` or `work_order`.
    pub kind: String,
    /// The record's id.
    pub id: Uuid,
    /// What the list shows first.
    pub title: String,
    /// And under it.
    pub subtitle: Option<String>,
    /// 1 for an exact or prefix match, lower for similar spellings.
    pub rank: f32,
}

/// The digits of a text.
fn only_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The shortest text searched.
const MIN_TEXT: usize = 2;

/// Where search runs: PostgreSQL's read models (pg_trgm), or Meilisearch when `MEILI_URL` is set.
#[derive(Debug, Clone)]
pub enum SearchSource {
    /// The read models' indexes.
    Postgres,
    /// The indexes the `meilisearch` sink keeps; PostgreSQL answers while they cannot.
    Meilisearch(Box<MeilisearchIndexes>),
}

/// What a search looks for, and which kinds of record the caller may see: decided once, so both
/// sources keep the same permission rules.
struct Wanted {
    limit: usize,
    /// Clients may be listed (`client.read`); their phones shown (`client.read_contacts`).
    clients: bool,
    show_phone: bool,
    /// Vehicles may be listed (`vehicle.read`).
    vehicles: bool,
    /// Work orders: `None` when none may be seen; `Some(Some(me))` for a mechanic's own only.
    work_orders: Option<Option<Uuid>>,
    /// The digits of a phone's tail, when the text is only that.
    phone_tail: Option<String>,
    /// The name typed, lower case, when the text has letters.
    name: Option<String>,
    /// The plate's start in canonical form, the VIN's tail, an ordinary plate's three digits.
    plate: Option<String>,
    vin_tail: Option<String>,
    plate_number: Option<String>,
    /// An order number's start, upper case, when the text has digits.
    order_number: Option<String>,
}

impl Wanted {
    fn of(viewer: &Viewer, text: &str, limit: usize) -> Self {
        let digits = only_digits(text);
        let has_letters = text.chars().any(char::is_alphabetic);
        let plate = Plate::canonical_form(text);
        let vin: String = text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let vehicle_like = plate.chars().count() >= 3 || vin.len() >= 4;
        Self {
            limit,
            clients: viewer.may(P::ClientRead),
            show_phone: viewer.may(P::ClientReadContacts),
            vehicles: viewer.may(P::VehicleRead),
            work_orders: viewer.work_order_scope().ok(),
            phone_tail: (!has_letters && digits.len() >= 4).then(|| phone_digits(text, &digits)),
            name: has_letters.then(|| text.to_lowercase()),
            plate: (vehicle_like && !plate.is_empty()).then_some(plate),
            vin_tail: (vehicle_like && vin.len() >= 4).then_some(vin),
            // The three digits alone are an ordinary plate's number («Веста, 123»).
            plate_number: (vehicle_like && digits.len() == 3 && !has_letters)
                .then(|| digits.clone()),
            order_number: (!digits.is_empty()).then(|| text.to_uppercase()),
        }
    }
}

/// The digits a phone typed as `text` ends with, as phones are stored (E.164 without `+`). A whole
/// Russian number is written with 8 or +7 in front (`8 912 345-67-89`, `89123456789`), and stored
/// with 7: the domain's own reading ([`Phone::parse`]) turns the 8 into 7, so every writing the
/// domain accepts finds the phone. Shorter digits are a tail and are searched as typed.
fn phone_digits(text: &str, digits: &str) -> String {
    match Phone::parse(text) {
        Ok(phone) if digits.len() == 11 => phone.digits().to_owned(),
        _ => digits.to_owned(),
    }
}

/// The longest search text, in characters: a name, a phone, a plate or a VIN fits many times over;
/// longer text only makes the fuzzy match slower.
pub const MAX_SEARCH_TEXT: usize = 100;

/// Refuses search text longer than [`MAX_SEARCH_TEXT`].
pub fn check_text(text: &str) -> Result<(), QueryError> {
    let length = text.chars().count();
    if length > MAX_SEARCH_TEXT {
        return Err(QueryError::InvalidArgument {
            field: "text",
            reason: format!("{length} characters: at most {MAX_SEARCH_TEXT}"),
            reason_ru: format!("{length} символов: не больше {MAX_SEARCH_TEXT}"),
        });
    }
    Ok(())
}

/// Hits for `text` among what the caller may see, best first.
pub async fn search(
    scope: &Scope<'_>,
    source: &SearchSource,
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
    let wanted = Wanted::of(scope.viewer, text, limit);
    let mut hits = match source {
        SearchSource::Postgres => in_postgres(scope, &wanted).await?,
        SearchSource::Meilisearch(indexes) => {
            // A read that must see its own write goes to PostgreSQL when the indexes lag behind it.
            if scope.is_fresh(Model::SearchIndex).await? {
                match in_meilisearch(indexes, &wanted).await {
                    Ok(hits) => hits,
                    Err(error) => {
                        tracing::warn!(%error, "meilisearch did not answer; searching PostgreSQL");
                        metrics::counter!("motorlog_search_fallbacks_total", "reason" => "failed")
                            .increment(1);
                        in_postgres(scope, &wanted).await?
                    }
                }
            } else {
                metrics::counter!("motorlog_search_fallbacks_total", "reason" => "behind")
                    .increment(1);
                in_postgres(scope, &wanted).await?
            }
        }
    };
    hits.sort_by(|a, b| {
        b.rank
            .total_cmp(&a.rank)
            .then_with(|| a.title.cmp(&b.title))
    });
    hits.truncate(limit);
    Ok(hits)
}

fn client_hit(id: Uuid, name: String, phone: Option<String>, rank: f32) -> SearchHit {
    SearchHit {
        kind: "client".into(),
        id,
        title: name,
        subtitle: phone,
        rank,
    }
}

fn vehicle_hit(
    id: Uuid,
    plate: Option<String>,
    vin: Option<String>,
    make: &str,
    model: &str,
    rank: f32,
) -> SearchHit {
    SearchHit {
        kind: "vehicle".into(),
        id,
        title: plate
            .or(vin.clone())
            .unwrap_or_else(|| format!("{make} {model}")),
        subtitle: Some(format!(
            "{make} {model}{}",
            vin.map(|v| format!(", VIN {v}")).unwrap_or_default()
        )),
        rank,
    }
}

fn work_order_hit(id: Uuid, number: String, status: String) -> SearchHit {
    SearchHit {
        kind: "work_order".into(),
        id,
        title: number,
        subtitle: Some(status),
        rank: 1.0,
    }
}

/// The search over PostgreSQL's read models.
async fn in_postgres(scope: &Scope<'_>, wanted: &Wanted) -> Result<Vec<SearchHit>, QueryError> {
    let limit_sql = i64::try_from(wanted.limit).unwrap_or(50);

    // Clients, vehicles and orders are searched at once, each on a connection of its own.
    let clients = async {
        let mut hits = Vec::new();
        if !wanted.clients {
            return Ok::<_, QueryError>(hits);
        }
        scope.read(None, Model::Clients).await?;
        if let Some(digits) = &wanted.phone_tail {
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
            hits.extend(rows.into_iter().map(|row| {
                client_hit(
                    row.client_id,
                    row.display_name,
                    wanted.show_phone.then_some(row.phone),
                    1.0,
                )
            }));
        }
        if let Some(needle) = &wanted.name {
            // A name typed from its start: one range of the byte-ordered index, cut at the page.
            let rows = sqlx::query!(
                r#"SELECT client_id, display_name FROM read.clients
                    WHERE lower(display_name) COLLATE "C" LIKE $1 || '%'
                    ORDER BY lower(display_name) COLLATE "C", client_id
                    LIMIT $2"#,
                like_prefix(needle),
                limit_sql
            )
            .fetch_all(scope.pool)
            .await?;
            let exact = rows.len();
            hits.extend(
                rows.into_iter()
                    .map(|row| client_hit(row.client_id, row.display_name, None, 1.0)),
            );
            // Too few: a typo or another word order. The nearest distinct names first, then their
            // clients, in that order, until the page is full.
            if exact < wanted.limit {
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
                        .map(|row| client_hit(row.client_id, row.display_name, None, row.rank)),
                );
            }
        }
        Ok(hits)
    };

    let vehicles = async {
        if !wanted.vehicles || (wanted.plate.is_none() && wanted.vin_tail.is_none()) {
            return Ok::<_, QueryError>(Vec::new());
        }
        scope.read(None, Model::Vehicles).await?;
        let vin_tail: String = wanted
            .vin_tail
            .as_deref()
            .unwrap_or_default()
            .chars()
            .rev()
            .collect();
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
            wanted.plate.as_deref().map(like_prefix),
            wanted.plate_number.as_deref(),
            like_prefix(&vin_tail),
            limit_sql
        )
        .fetch_all(scope.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                vehicle_hit(
                    row.vehicle_id,
                    row.plate,
                    row.vin,
                    &row.make,
                    &row.model,
                    row.rank,
                )
            })
            .collect())
    };

    let work_orders = async {
        let (Some(assigned_to), Some(number)) = (wanted.work_orders, &wanted.order_number) else {
            return Ok::<_, QueryError>(Vec::new());
        };
        scope.read(None, Model::WorkOrders).await?;
        let rows = sqlx::query!(
            r#"SELECT work_order_id, number, status FROM read.work_orders
                WHERE upper(number) LIKE $1 || '%'
                  AND ($2::uuid IS NULL OR mechanic_ids @> ARRAY[$2::uuid])
                ORDER BY number LIMIT $3"#,
            like_prefix(number),
            assigned_to,
            limit_sql
        )
        .fetch_all(scope.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| work_order_hit(row.work_order_id, row.number, row.status))
            .collect())
    };

    let (clients, vehicles, work_orders) = tokio::try_join!(clients, vehicles, work_orders)?;
    let mut hits = clients;
    hits.extend(vehicles);
    hits.extend(work_orders);
    Ok(hits)
}

/// Which of the multi-search's queries a result answers.
#[derive(Clone, Copy)]
enum Asked {
    Phones,
    Names,
    Vehicles,
    WorkOrders,
}

/// The search over the Meilisearch indexes: one multi-search request. The exact keys (phone and VIN
/// tails, plate and number starts, a plate's digits) are filters on the keys the documents carry, so
/// they find what PostgreSQL finds; names are Meilisearch's own ranked, typo-tolerant search.
async fn in_meilisearch(
    indexes: &MeilisearchIndexes,
    wanted: &Wanted,
) -> Result<Vec<SearchHit>, MeiliError> {
    let client = indexes.client();
    let clients = client.index(indexes.index_uid(SearchKind::Clients));
    let vehicles = client.index(indexes.index_uid(SearchKind::Vehicles));
    let work_orders = client.index(indexes.index_uid(SearchKind::WorkOrders));

    let phone_filter = wanted
        .phone_tail
        .as_deref()
        .map(|digits| format!("phone_tails = {}", filter_value(digits)));
    let vehicle_filter = [
        wanted
            .plate
            .as_deref()
            .map(|p| format!("plate_prefixes = {}", filter_value(p))),
        wanted
            .vin_tail
            .as_deref()
            .map(|v| format!("vin_tails = {}", filter_value(v))),
        wanted
            .plate_number
            .as_deref()
            .map(|n| format!("plate_number = {}", filter_value(n))),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" OR ");
    let order_filter = wanted.order_number.as_deref().map(|number| {
        let mut filter = format!("number_prefixes = {}", filter_value(number));
        if let Some(Some(mechanic)) = wanted.work_orders {
            filter.push_str(&format!(
                " AND mechanic_ids = {}",
                filter_value(&mechanic.to_string())
            ));
        }
        filter
    });
    const BY_NAME: &[&str] = &["archived_last:asc", "display_name:asc"];
    const BY_PLATE: &[&str] = &["plate:asc"];
    const BY_NUMBER: &[&str] = &["number:asc"];

    let mut multi = client.multi_search();
    let mut asked = Vec::new();
    if wanted.clients {
        if let Some(filter) = &phone_filter {
            let mut query = clients.search();
            query
                .with_filter(filter)
                .with_sort(BY_NAME)
                .with_limit(wanted.limit);
            multi.with_search_query(query);
            asked.push(Asked::Phones);
        }
        if let Some(name) = &wanted.name {
            let mut query = clients.search();
            query
                .with_query(name)
                .with_show_ranking_score(true)
                .with_limit(wanted.limit);
            multi.with_search_query(query);
            asked.push(Asked::Names);
        }
    }
    if wanted.vehicles && !vehicle_filter.is_empty() {
        let mut query = vehicles.search();
        query
            .with_filter(&vehicle_filter)
            .with_sort(BY_PLATE)
            .with_limit(wanted.limit);
        multi.with_search_query(query);
        asked.push(Asked::Vehicles);
    }
    if let (Some(_), Some(filter)) = (wanted.work_orders, &order_filter) {
        let mut query = work_orders.search();
        query
            .with_filter(filter)
            .with_sort(BY_NUMBER)
            .with_limit(wanted.limit);
        multi.with_search_query(query);
        asked.push(Asked::WorkOrders);
    }
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let answered = multi.execute::<Map<String, Value>>().await?;

    let mut hits: Vec<SearchHit> = Vec::new();
    for (asked, results) in asked.into_iter().zip(answered.results) {
        for hit in results.hits {
            let score = hit.ranking_score;
            let document = Value::Object(hit.result);
            match asked {
                Asked::Phones => {
                    let client: ClientDocument = serde_json::from_value(document)?;
                    let digits = wanted.phone_tail.as_deref().unwrap_or_default();
                    // The phone the tail belongs to, as PostgreSQL's phone rows show it.
                    let phone = client
                        .phones
                        .iter()
                        .find(|p| only_digits(p).ends_with(digits))
                        .cloned();
                    hits.push(client_hit(
                        client.id,
                        client.display_name,
                        phone.filter(|_| wanted.show_phone),
                        1.0,
                    ));
                }
                Asked::Names => {
                    let client: ClientDocument = serde_json::from_value(document)?;
                    if hits.iter().any(|h| h.id == client.id) {
                        continue;
                    }
                    let typed = wanted.name.as_deref().unwrap_or_default();
                    let rank = if client.display_name.to_lowercase().starts_with(typed) {
                        1.0
                    } else {
                        score.unwrap_or(0.5) as f32
                    };
                    hits.push(client_hit(client.id, client.display_name, None, rank));
                }
                Asked::Vehicles => {
                    let vehicle: VehicleDocument = serde_json::from_value(document)?;
                    let by_plate = wanted
                        .plate
                        .as_deref()
                        .zip(vehicle.plate.as_deref())
                        .is_some_and(|(typed, plate)| plate.starts_with(typed));
                    let by_vin = wanted
                        .vin_tail
                        .as_deref()
                        .zip(vehicle.vin.as_deref())
                        .is_some_and(|(typed, vin)| vin.ends_with(typed));
                    let rank = if by_plate || by_vin { 1.0 } else { 0.9 };
                    hits.push(vehicle_hit(
                        vehicle.id,
                        vehicle.plate,
                        vehicle.vin,
                        &vehicle.make,
                        &vehicle.model,
                        rank,
                    ));
                }
                Asked::WorkOrders => {
                    let order: WorkOrderDocument = serde_json::from_value(document)?;
                    hits.push(work_order_hit(order.id, order.number, order.status));
                }
            }
        }
    }
    Ok(hits)
}

/// Text for `LIKE prefix%`: the wildcards a person may type are taken literally.
fn like_prefix(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
