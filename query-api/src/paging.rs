//! Paging: how a list is cut into pages, what a page costs in the complexity limit, and the opaque
//! cursors that say where the next page starts.
//!
//! Every list is keyset-paged (rows after the cursor's `(key, id)`, in that order), never `OFFSET`:
//! a deep page costs what the first does, and a record added meanwhile is neither shown twice nor
//! skipped.

use std::borrow::Cow;

use async_graphql::{OutputType, SimpleObject, TypeName};
use base64::Engine;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::QueryError;

/// A record listed in pages, and the name of its page in the schema (`ClientPage` for `Client`).
/// Each screen names its own pages, so this module needs none of their records.
pub trait Paged: OutputType {
    /// The page's GraphQL type name.
    const PAGE_NAME: &'static str;
}

/// A list's page: the nodes and where the next page starts.
#[derive(SimpleObject)]
#[graphql(name_type)]
pub struct Page<T: Paged> {
    /// This page.
    pub nodes: Vec<T>,
    /// Pass as `after` for the next page; none on the last.
    pub end_cursor: Option<String>,
    /// Whether another page follows.
    pub has_next_page: bool,
}

impl<T: Paged> TypeName for Page<T> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(T::PAGE_NAME)
    }
}

impl<T: Paged> Page<T> {
    /// A page from `limit + 1` fetched rows: the extra row only says another page follows.
    pub fn from_rows(mut nodes: Vec<T>, limit: usize, cursor: impl Fn(&T) -> String) -> Self {
        let has_next_page = nodes.len() > limit;
        nodes.truncate(limit);
        let end_cursor = has_next_page.then(|| nodes.last().map(&cursor)).flatten();
        Self {
            nodes,
            end_cursor,
            has_next_page,
        }
    }
}

/// The most a page holds.
pub const MAX_PAGE: i32 = 200;

/// A page size from the `first` argument.
pub fn page_size(first: Option<i32>) -> Result<usize, QueryError> {
    match first.unwrap_or(50) {
        n @ 1..=MAX_PAGE => Ok(n as usize),
        n => Err(QueryError::InvalidArgument {
            field: "first",
            reason: format!("{n}: a page holds 1 to {MAX_PAGE}"),
            reason_ru: format!("{n}: на странице от 1 до {MAX_PAGE} записей"),
        }),
    }
}

/// What a page costs in the complexity limit: its size (as [`page_size`] reads `first`, clamped
/// to what it would accept) times what one record asks for. A hundred aliases of a small page cost
/// as much as they make the database work.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    (first.unwrap_or(50).clamp(1, MAX_PAGE) as usize).saturating_mul(child_complexity)
}

/// The records a list without paging (a card's lines, a client's cars) is counted at: a guess at
/// a large one, so that such lists nested in a page of 200 cost what they make the database do.
pub const LIST_COST_FACTOR: usize = 5;

/// What an unpaged nested list costs in the complexity limit.
pub fn list_cost(child_complexity: usize) -> usize {
    LIST_COST_FACTOR.saturating_mul(child_complexity)
}

/// An opaque cursor over (text key, id).
pub fn encode_cursor(key: &str, id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{key}\u{1f}{id}"))
}

/// The (text key, id) behind a cursor.
pub fn decode_cursor(cursor: &str) -> Result<(String, Uuid), QueryError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (key, id) = text.split_once('\u{1f}').ok_or_else(invalid)?;
    Ok((key.to_owned(), Uuid::parse_str(id).map_err(|_| invalid())?))
}

/// A cursor over (time, id), for lists newest first.
pub fn time_cursor(at: DateTime<Utc>, id: Uuid) -> String {
    encode_cursor(&at.timestamp_micros().to_string(), id)
}

/// The (time, id) behind a time cursor.
pub fn decode_time_cursor(cursor: &str) -> Result<(DateTime<Utc>, Uuid), QueryError> {
    let (micros, id) = decode_cursor(cursor)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(invalid)?;
    Ok((at, id))
}

/// A cursor over a stream version, for a stream's events oldest first.
pub fn version_cursor(version: i64) -> String {
    encode_cursor(&version.to_string(), Uuid::nil())
}

/// The stream version behind a version cursor.
pub fn decode_version_cursor(cursor: &str) -> Result<i64, QueryError> {
    decode_cursor(cursor)?.0.parse().map_err(|_| invalid())
}

/// The one answer to a cursor this API did not give (`after` is the only cursor argument).
fn invalid() -> QueryError {
    QueryError::InvalidArgument {
        field: "after",
        reason: "not a cursor this API gave".into(),
        reason_ru: "это не курсор, выданный этим API".into(),
    }
}
