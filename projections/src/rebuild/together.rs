//! `rebuild all`: every PostgreSQL read model rebuilt from **one read** of the log.
//!
//! Rebuilt each by itself (four side by side), every read model read the whole log again, opening
//! every personal field again, and migrated a scratch database of its own. Here one reader pages
//! through the log once and hands each page to every read model's builder; each builder applies
//! it in its own transactions (read model and checkpoint together, as a projector does) in one
//! shared scratch database. Once every builder has reached the log's end, each read model is
//! copied beside its live tables and swapped in exactly as [`super::rebuild`] does it.
//!
//! - **Memory is flat in the log's size**: a page is shared by the builders, and each builder's
//!   queue holds at most [`PAGES_AHEAD`] of them, so the reader waits for the slowest builder.
//! - **A failing read model fails alone**: its builder stops and drops its queue, the others go on
//!   and are swapped in; a failed read of the log fails every read model not yet built, and none of
//!   them is swapped in half built.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use event_store::{EventStore, LogEvent, LogPosition, RecordedEvent};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use sqlx::PgPool;
use tokio::sync::mpsc;

use super::{copy_beside, log_end, scratch_tables, swap, Rebuilt, Scratch};
use crate::runtime::checkpoint::{built, register};
use crate::runtime::{apply_batch, checkpoint_key, move_checkpoint};
use crate::{Projection, ProjectionError};

/// Pages a builder may have waiting: enough that the reader is rarely what a builder waits for,
/// few enough that memory stays a handful of pages (two of `rebuild all`'s pages of 2 000 events
/// built as fast as four, in less memory).
const PAGES_AHEAD: usize = 2;

/// Copies and swaps at once once every read model is built: each is a stream of rows through this
/// process and a COPY on the server, so two keep both cores busy.
const SWAPS_AT_ONCE: usize = 2;

/// A read model to rebuild beside the live one, whatever its projection's type.
pub struct ReadModel(Box<dyn Build>);

impl ReadModel {
    /// `projection`'s read model.
    pub fn of<P: Projection + Clone>(projection: P) -> Self {
        Self(Box::new(projection))
    }
}

/// What a rebuild needs of a projection, object-safe so that one run holds them all.
pub(super) trait Build: Send + Sync {
    fn key(&self) -> String;
    fn tables(&self) -> &'static [&'static str];
    fn handles_any(&self, page: &[RecordedEvent]) -> bool;
    /// Applies a page in one transaction in the scratch database, moving the checkpoint from
    /// `from`; the failing event with its error otherwise.
    fn apply<'a>(
        &'a self,
        scratch: &'a PgPool,
        from: LogPosition,
        page: &'a [RecordedEvent],
    ) -> BoxFuture<'a, Result<LogPosition, (RecordedEvent, ProjectionError)>>;
    fn swap<'a>(
        &'a self,
        store: &'a EventStore,
        rebuilt: LogPosition,
        events: i64,
    ) -> BoxFuture<'a, Result<(LogPosition, i64), ProjectionError>>;
}

impl<P: Projection + Clone> Build for P {
    fn key(&self) -> String {
        checkpoint_key::<P>()
    }

    fn tables(&self) -> &'static [&'static str] {
        P::TABLES
    }

    fn handles_any(&self, page: &[RecordedEvent]) -> bool {
        page.iter().any(|event| self.handles(event))
    }

    fn apply<'a>(
        &'a self,
        scratch: &'a PgPool,
        from: LogPosition,
        page: &'a [RecordedEvent],
    ) -> BoxFuture<'a, Result<LogPosition, (RecordedEvent, ProjectionError)>> {
        async move {
            let key = checkpoint_key::<P>();
            apply_batch(self, scratch, &key, from, page).await
        }
        .boxed()
    }

    fn swap<'a>(
        &'a self,
        store: &'a EventStore,
        rebuilt: LogPosition,
        events: i64,
    ) -> BoxFuture<'a, Result<(LogPosition, i64), ProjectionError>> {
        async move {
            let key = checkpoint_key::<P>();
            swap(self, store, &key, rebuilt, events).await
        }
        .boxed()
    }
}

type Page = Arc<Vec<RecordedEvent>>;

/// Rebuilds every one of `models` from one read of the log, each beside its live tables, and swaps
/// each in; one outcome per model, in their order. `progress` hears, about twice a second, where
/// the slowest builder is and where the log ends.
pub async fn rebuild_together(
    models: Vec<ReadModel>,
    store: &EventStore,
    page_size: usize,
    progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
) -> Result<Vec<Result<Rebuilt, ProjectionError>>, ProjectionError> {
    let models: Vec<Arc<dyn Build>> = models.into_iter().map(|m| Arc::from(m.0)).collect();
    // One connection a builder, one to spare for the copies.
    let connections = u32::try_from(models.len())
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let scratch = Scratch::create_with(store.pool(), "all", connections).await?;
    let outcome = build_and_swap(&models, store, &scratch.pool, page_size, &progress).await;
    scratch.drop().await;
    outcome
}

async fn build_and_swap(
    models: &[Arc<dyn Build>],
    store: &EventStore,
    scratch: &PgPool,
    page_size: usize,
    progress: &(impl Fn(LogPosition, LogPosition) + Send + Sync),
) -> Result<Vec<Result<Rebuilt, ProjectionError>>, ProjectionError> {
    for model in models {
        scratch_tables(scratch, model.tables()).await?;
        register(scratch, &model.key()).await?;
    }
    let target = log_end(store).await?;
    let reached: Arc<Vec<AtomicU64>> = Arc::new(models.iter().map(|_| AtomicU64::new(0)).collect());
    let mut queues = Vec::with_capacity(models.len());
    let mut builders = Vec::with_capacity(models.len());
    for (slot, model) in models.iter().enumerate() {
        let (queue, pages) = mpsc::channel::<Page>(PAGES_AHEAD);
        queues.push(queue);
        let (model, scratch, reached) = (Arc::clone(model), scratch.clone(), Arc::clone(&reached));
        builders.push(tokio::spawn(async move {
            build(model.as_ref(), &scratch, pages, &reached[slot]).await
        }));
    }
    let reader = tokio::spawn(read_pages(store.clone(), target, page_size.max(1), queues));
    let builders = futures::future::join_all(builders);
    let mut builders = std::pin::pin!(builders);
    let built_to = loop {
        tokio::select! {
            done = &mut builders => break done,
            () = tokio::time::sleep(Duration::from_millis(500)) => {
                let slowest = reached.iter().map(|r| r.load(Ordering::Relaxed)).min().unwrap_or(0);
                progress(LogPosition { global_position: slowest, ..target }, target);
            }
        }
    };
    progress(target, target);
    let read = reader
        .await
        .map_err(|e| ProjectionError::Inconsistent(format!("the log's reader: {e}")))?;
    let swaps = models.iter().zip(built_to).map(|(model, built_to)| {
        let outcome = match (&read, built_to) {
            (_, Err(joined)) => Err(ProjectionError::Inconsistent(format!("builder: {joined}"))),
            (_, Ok(Err(error))) => Err(error),
            (Err(error), Ok(Ok(_))) => Err(ProjectionError::Inconsistent(format!(
                "reading the log stopped the rebuild: {error}"
            ))),
            (Ok(()), Ok(Ok(position))) if position < target => Err(ProjectionError::Inconsistent(
                format!("{} was built to {position} of {target}", model.key()),
            )),
            (Ok(()), Ok(Ok(_))) => Ok(()),
        };
        async move {
            outcome?;
            swap_in(model.as_ref(), store, scratch).await
        }
    });
    Ok(futures::stream::iter(swaps)
        .buffered(SWAPS_AT_ONCE)
        .collect()
        .await)
}

/// Pages through the log up to `target`, handing each page to every builder still building.
async fn read_pages(
    store: EventStore,
    target: LogPosition,
    page_size: usize,
    queues: Vec<mpsc::Sender<Page>>,
) -> Result<(), ProjectionError> {
    let mut after = LogPosition::START;
    while after < target {
        let page: Vec<RecordedEvent> = RecordedEvent::read_page(&store, after, page_size)
            .await?
            .into_iter()
            .filter(|event| event.position() <= target)
            .collect();
        let Some(last) = page.last() else {
            // `log_end` waited until the log was readable up to `target`.
            return Err(ProjectionError::Inconsistent(format!(
                "the log ended at {after} before {target}"
            )));
        };
        after = last.position;
        let page = Arc::new(page);
        let mut building = false;
        for queue in &queues {
            building |= queue.send(Arc::clone(&page)).await.is_ok();
        }
        if !building {
            break;
        }
    }
    Ok(())
}

/// Applies every page a builder is handed; returns where its checkpoint stands once the reader is
/// done. A page it handles nothing of costs no transaction: the checkpoint passes it with the next
/// page applied, or at the end.
async fn build(
    model: &dyn Build,
    scratch: &PgPool,
    mut pages: mpsc::Receiver<Page>,
    reached: &AtomicU64,
) -> Result<LogPosition, ProjectionError> {
    let key = model.key();
    let mut at = LogPosition::START;
    let mut seen = LogPosition::START;
    // How long the builder spent applying, against the run: the slowest sets the rebuild's pace.
    let started = std::time::Instant::now();
    let mut busy = Duration::ZERO;
    while let Some(page) = pages.recv().await {
        let Some(last) = page.last() else { continue };
        seen = last.position;
        if model.handles_any(&page) {
            let applying = std::time::Instant::now();
            at = model
                .apply(scratch, at, &page)
                .await
                .map_err(|(event, error)| {
                    tracing::error!(projector = %key, position = %event.position, %error,
                        "the rebuild stopped on a failing event");
                    error
                })?;
            busy += applying.elapsed();
        }
        reached.store(seen.global_position, Ordering::Relaxed);
    }
    tracing::info!(projector = %key, busy_s = busy.as_secs_f64(),
        run_s = started.elapsed().as_secs_f64(), "built beside the live read model");
    if at < seen {
        move_checkpoint(scratch, &key, at, seen, 0).await?;
    }
    Ok(seen)
}

/// Copies a built read model beside the live one and swaps it in: the last step of every rebuild
/// from the log, one read model's ([`super::rebuild`]) or all of them.
pub(super) async fn swap_in(
    model: &dyn Build,
    store: &EventStore,
    scratch: &PgPool,
) -> Result<Rebuilt, ProjectionError> {
    let key = model.key();
    let (position, rebuilt_events) = built(scratch, &key).await?;
    let mut rows = 0;
    for table in model.tables() {
        rows += copy_beside(scratch, store.pool(), table).await?;
    }
    let (position, events_applied) = model.swap(store, position, rebuilt_events).await?;
    Ok(Rebuilt {
        projector: key,
        position,
        events_applied,
        rows,
    })
}
