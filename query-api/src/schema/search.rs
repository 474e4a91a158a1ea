//! The search box: one root field over clients, vehicles and work orders; the search itself
//! ([`crate::search`]) runs on PostgreSQL or Meilisearch.

use async_graphql::{Context, Object};

use crate::context::Scope;
use crate::error::{GqlResult, OrGql};
use crate::paging::page_size;
use crate::search::SearchHit;

/// The search box's root field.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// One box for everything: a client's name or any tail of their phone, a plate in any spelling,
    /// a VIN or its last digits, a work order's number. Only what the caller may see is returned.
    #[graphql(complexity = "crate::paging::page_cost(Some(first), child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        #[graphql(default = 20)] first: i32,
    ) -> GqlResult<Vec<SearchHit>> {
        let scope = Scope::of(ctx);
        let limit = page_size(Some(first)).gql()?;
        crate::search::check_text(&text).gql()?;
        let source = ctx.data_unchecked::<crate::search::SearchSource>();
        crate::search::search(&scope, source, text.trim(), limit)
            .await
            .gql()
    }
}
