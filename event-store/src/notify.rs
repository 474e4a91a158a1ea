//! Waking subscribers after a commit, without slowing the commits down.
//!
//! `NOTIFY` inside an append transaction serialises every commit on PostgreSQL's notification queue
//! lock (measured here: 8.2k appends/s fall to 4.1k). So appends only poke a local task, and that task
//! sends one `pg_notify` for however many commits happened since its last one, at most once per
//! [`COALESCE_WINDOW`]. A lost or late notification costs latency only: subscribers also poll.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::{mpsc, watch, Mutex};

/// The channel subscribers `LISTEN` on.
pub const CHANNEL: &str = "motorlog_events";
/// The shortest gap between two notifications sent by one process.
pub const COALESCE_WINDOW: Duration = Duration::from_millis(2);

/// The handle appends use to say "something was committed".
#[derive(Clone, Debug)]
pub(crate) struct Wakeups {
    poke: mpsc::Sender<()>,
}

impl Wakeups {
    /// Starts the notifier task; it ends when the last handle is dropped.
    pub(crate) fn start(pool: PgPool) -> Self {
        // Capacity 1: a poke while one is pending is already covered by it.
        let (poke, mut poked) = mpsc::channel::<()>(1);
        tokio::spawn(async move {
            while poked.recv().await.is_some() {
                if let Err(error) = sqlx::query("SELECT pg_notify($1, '')")
                    .bind(CHANNEL)
                    .execute(&pool)
                    .await
                {
                    // Subscribers poll, so this delays delivery and loses nothing.
                    tracing::warn!(%error, "could not notify subscribers of new events");
                }
                tokio::time::sleep(COALESCE_WINDOW).await;
            }
        });
        Self { poke }
    }

    /// Records that events were committed; never waits.
    pub(crate) fn committed(&self) {
        let _already_pending = self.poke.try_send(());
    }
}

/// One `LISTEN` per store, shared by every subscription of it (and its clones): a process following
/// the log with ten projectors keeps one listening connection, not ten, and the pool's room goes to
/// their batches. Each notification bumps a counter subscribers watch.
///
/// The listener is started by the first subscription that asks, which gets its receiver only once
/// the `LISTEN` is in place, so a commit between its "read nothing" and "start waiting" still
/// wakes it. If the connection fails the task ends, the subscriptions see the channel closed and
/// poll, and the next one to ask starts a new listener.
#[derive(Clone, Debug, Default)]
pub(crate) struct Commits {
    receiver: Arc<Mutex<Option<watch::Receiver<u64>>>>,
}

impl Commits {
    /// A receiver that changes on every notification from now on; none while no listening
    /// connection can be had (the caller polls).
    pub(crate) async fn receiver(&self, pool: &PgPool) -> Option<watch::Receiver<u64>> {
        let mut shared = self.receiver.lock().await;
        if let Some(receiver) = shared.as_ref().filter(|r| r.has_changed().is_ok()) {
            let mut receiver = receiver.clone();
            // Only notifications after this moment are news to the caller.
            receiver.borrow_and_update();
            return Some(receiver);
        }
        let mut listener = match PgListener::connect_with(pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "no listening connection; polling only");
                return None;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "LISTEN failed; polling only");
            return None;
        }
        let (sender, receiver) = watch::channel(0_u64);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    received = listener.recv() => match received {
                        Ok(_) => sender.send_modify(|count| *count = count.wrapping_add(1)),
                        Err(error) => {
                            tracing::warn!(%error, "lost the listening connection; polling until a subscription starts another");
                            return;
                        }
                    },
                    // The store and every subscription are gone.
                    () = sender.closed() => return,
                }
            }
        });
        *shared = Some(receiver.clone());
        Some(receiver)
    }
}
