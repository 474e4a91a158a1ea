//! DataLoaders: nested fields of a page load with one statement per kind, whatever the page's size.
//!
//! This module has the two shapes of loader, `by_id!` (one record per id) and `grouped!` (a list
//! per id); each screen of [`crate::schema`] declares the loaders of its own records with them, next
//! to the records, so the loaders need no screen. `http.rs` gives every request fresh loaders.

use std::fmt::Display;
use std::sync::Arc;

use projections::read_models::cards::Card;
use sqlx::PgPool;

use crate::error::GqlResult;

/// What a loader fails with (cloned to every waiting resolver).
pub type LoadError = Arc<sqlx::Error>;

/// The read models' database, for every loader.
#[derive(Clone)]
pub struct Db(pub PgPool);

/// A loader's failure as the resolver's error: logged, and sent without internals.
pub fn load_error(error: LoadError) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    crate::error::QueryError::from(error).extend()
}

/// A read model's stored card (`read.*.card`) in its current shape. One that does not decode is
/// logged with the record's `id` and answered without internals.
pub fn read_card<C: Card>(stored: serde_json::Value, id: impl Display) -> GqlResult<C::Current> {
    serde_json::from_value::<C>(stored)
        .map(C::current)
        .map_err(|e| {
            tracing::error!(%e, %id, "{} card does not decode", C::OF);
            async_graphql::Error::new(format!("{} card does not decode", C::OF))
        })
}

/// `by_id!(Loader, Record, key_field, |pool, keys| query)`: a loader of one record per id, by one
/// statement over all the ids a request asks for.
macro_rules! by_id {
    ($loader:ident, $value:ty, $key:ident, |$pool:ident, $keys:ident| $query:expr) => {
        /// Loads records by id in one statement.
        pub struct $loader(pub $crate::loaders::Db);

        impl ::async_graphql::dataloader::Loader<::uuid::Uuid> for $loader {
            type Value = $value;
            type Error = $crate::loaders::LoadError;

            async fn load(
                &self,
                keys: &[::uuid::Uuid],
            ) -> Result<::std::collections::HashMap<::uuid::Uuid, $value>, $crate::loaders::LoadError>
            {
                let ($pool, $keys) = (&self.0 .0, keys);
                let rows: Vec<$value> = $query.await.map_err(::std::sync::Arc::new)?;
                Ok(rows.into_iter().map(|row| (row.$key, row)).collect())
            }
        }
    };
}
pub(crate) use by_id;

/// `grouped!(Loader, Record, key_field, |pool, keys| query)`: a loader of each id's records (in the
/// query's order), by one statement over all the ids a request asks for.
macro_rules! grouped {
    ($loader:ident, $value:ty, $key:ident, |$pool:ident, $keys:ident| $query:expr) => {
        /// Loads each id's records in one statement.
        pub struct $loader(pub $crate::loaders::Db);

        impl ::async_graphql::dataloader::Loader<::uuid::Uuid> for $loader {
            type Value = Vec<$value>;
            type Error = $crate::loaders::LoadError;

            async fn load(
                &self,
                keys: &[::uuid::Uuid],
            ) -> Result<
                ::std::collections::HashMap<::uuid::Uuid, Vec<$value>>,
                $crate::loaders::LoadError,
            > {
                let ($pool, $keys) = (&self.0 .0, keys);
                let rows: Vec<$value> = $query.await.map_err(::std::sync::Arc::new)?;
                let mut grouped: ::std::collections::HashMap<::uuid::Uuid, Vec<$value>> =
                    ::std::collections::HashMap::new();
                for row in rows {
                    grouped.entry(row.$key).or_default().push(row);
                }
                Ok(grouped)
            }
        }
    };
}
pub(crate) use grouped;
