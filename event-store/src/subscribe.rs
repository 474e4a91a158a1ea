//! Following the whole log: catch up from a position, then stay live.
//!
//! A subscription pages through [`EventStore::read_all`] or [`EventStore::read_all_stored`] (so it
//! inherits their no-skip guarantee) and, when it has caught up, sleeps until a `NOTIFY` on
//! [`CHANNEL`] or the poll interval, whichever comes first. The `LISTEN` starts before the first
//! read, so a commit between "read nothing" and "start waiting" still wakes it; if the listening
//! connection fails, polling alone carries on. Every subscription of a store shares its one
//! listening connection (`notify::Commits`).
//!
//! A notification means something committed, but it may not be readable yet: the reader only sees
//! below the oldest transaction still running anywhere on the server. So after a notification that
//! finds nothing, the subscription re-checks soon (from [`FIRST_RECHECK`], doubling up to the poll
//! interval) instead of sleeping a whole poll interval.

use std::collections::VecDeque;
use std::time::Duration;

use futures::Stream;
use tokio::sync::watch;

use crate::{EventStore, EventStoreError, LogEvent, LogPosition, RecordedEvent};

/// The first re-check after a notification that found nothing readable yet.
pub const FIRST_RECHECK: Duration = Duration::from_millis(5);

/// How a subscription reads and waits.
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionOptions {
    /// Events fetched per query.
    pub batch_size: usize,
    /// The longest wait for new events when no notification arrives.
    pub poll_interval: Duration,
    /// The pause after a failed read before trying again.
    pub retry_delay: Duration,
}

impl Default for SubscriptionOptions {
    fn default() -> Self {
        Self {
            batch_size: 500,
            poll_interval: Duration::from_millis(250),
            retry_delay: Duration::from_millis(500),
        }
    }
}

struct Subscription<E> {
    store: EventStore,
    after: LogPosition,
    options: SubscriptionOptions,
    buffer: VecDeque<E>,
    listener: Option<watch::Receiver<u64>>,
    failed_last_read: bool,
    /// Set after a notification whose events were not readable yet: the next, shorter wait.
    recheck: Option<Duration>,
}

impl EventStore {
    /// Every event after `after`, in the log's reading order, then live events as they commit.
    ///
    /// The stream never ends by itself. A failed read is yielded as an error and retried after
    /// [`SubscriptionOptions::retry_delay`]; the consumer decides whether to go on.
    pub fn subscribe(
        &self,
        after: LogPosition,
    ) -> impl Stream<Item = Result<RecordedEvent, EventStoreError>> + Send + 'static {
        self.subscribe_with(after, SubscriptionOptions::default())
    }

    /// [`subscribe`](Self::subscribe) with explicit batch size and intervals.
    pub fn subscribe_with(
        &self,
        after: LogPosition,
        options: SubscriptionOptions,
    ) -> impl Stream<Item = Result<RecordedEvent, EventStoreError>> + Send + 'static {
        self.subscribe_as(after, options)
    }

    /// [`subscribe_with`](Self::subscribe_with) yielding events as `E` reads them: a reader that
    /// passes payloads on unread subscribes to [`crate::StoredEvent`]s.
    pub fn subscribe_as<E: LogEvent>(
        &self,
        after: LogPosition,
        options: SubscriptionOptions,
    ) -> impl Stream<Item = Result<E, EventStoreError>> + Send + 'static {
        let subscription = Subscription {
            store: self.clone(),
            after,
            options,
            buffer: VecDeque::new(),
            listener: None,
            failed_last_read: false,
            recheck: None,
        };
        futures::stream::unfold(subscription, |mut sub| async move {
            let next = sub.next().await;
            Some((next, sub))
        })
    }
}

impl<E: LogEvent> Subscription<E> {
    async fn next(&mut self) -> Result<E, EventStoreError> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.after = event.position();
                return Ok(event);
            }
            if self.failed_last_read {
                tokio::time::sleep(self.options.retry_delay).await;
            }
            self.ensure_listening().await;
            let page = match E::read_page(&self.store, self.after, self.options.batch_size).await {
                Ok(page) => page,
                Err(error) => {
                    self.failed_last_read = true;
                    return Err(error);
                }
            };
            self.failed_last_read = false;
            if page.is_empty() {
                self.wait_for_commit().await;
            } else {
                self.recheck = None;
                self.buffer.extend(page);
            }
        }
    }

    async fn ensure_listening(&mut self) {
        if self.listener.is_some() {
            return;
        }
        self.listener = self.store.commits().await;
    }

    async fn wait_for_commit(&mut self) {
        let poll_interval = self.options.poll_interval;
        let wait = self.recheck.unwrap_or(poll_interval).min(poll_interval);
        // Each empty re-check doubles the next one, until it is the ordinary poll again.
        self.recheck = self
            .recheck
            .map(|previous| previous * 2)
            .filter(|next| *next < poll_interval);
        let sleep = tokio::time::sleep(wait);
        let Some(listener) = self.listener.as_mut() else {
            sleep.await;
            return;
        };
        tokio::select! {
            changed = listener.changed() => match changed {
                Ok(()) => self.recheck = Some(FIRST_RECHECK),
                // The shared listener lost its connection: poll, and ask for a new one next time.
                Err(_) => self.listener = None,
            },
            () = sleep => {}
        }
    }
}
