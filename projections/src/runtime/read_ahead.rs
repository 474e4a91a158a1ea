//! A sink's batches of the log, read one ahead by a task of their own.
//!
//! A sink that read its next batch only when it was ready for it left the log's query and the
//! events' decoding waiting behind the batch in hand: while the broker acknowledged the Kafka
//! relay's batch, nothing was read; while the next batch was decoded, nothing was delivered. Here a
//! task reads and decodes the next batch (on the other core) while the loop delivers or waits for
//! the current one. At most [`AHEAD`] batches wait beside the one being read, so memory stays
//! bounded by the batch size, never by the log. What was read ahead and not taken is dropped with
//! the stream: the sink goes on from its checkpoint, as before.
//!
//! Only sinks: a sink delivers outside PostgreSQL, so the reader's connection is the one it would
//! have used anyway. A PostgreSQL projector's batch holds a pool connection for its transaction,
//! and a reader beside each would hold a second: eleven projectors' pools grew to their limits,
//! and a test server of 100 connections ran out while several shops ran on it.

use std::pin::Pin;
use std::task::{Context, Poll};

use event_store::{EventStore, EventStoreError, LogEvent, LogPosition};
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::RunOptions;

/// Batches read and waiting for the loop, beside the one the reader is reading.
const AHEAD: usize = 1;

/// A batch as the subscription gives it: read errors are the loop's to judge (`received`).
type Batch<E> = Vec<Result<E, EventStoreError>>;

/// The batches of the log after `after`, as `options` cut them, read ahead of the caller.
pub(crate) fn batches<E: LogEvent>(
    store: &EventStore,
    after: LogPosition,
    options: RunOptions,
) -> ReadAhead<E> {
    let (sender, receiver) = mpsc::channel(AHEAD);
    let batches = store
        .subscribe_as::<E>(after, options.subscription)
        .ready_chunks(options.batch_size.max(1));
    let reader = tokio::spawn(async move {
        let mut batches = std::pin::pin!(batches);
        while let Some(batch) = batches.next().await {
            if sender.send(batch).await.is_err() {
                return;
            }
        }
    });
    ReadAhead {
        receiver,
        reader: reader.abort_handle(),
    }
}

/// The read-ahead batches; dropping it stops the reader.
pub(crate) struct ReadAhead<E> {
    receiver: mpsc::Receiver<Batch<E>>,
    reader: AbortHandle,
}

impl<E> Stream for ReadAhead<E> {
    type Item = Batch<E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Batch<E>>> {
        self.receiver.poll_recv(cx)
    }
}

impl<E> Drop for ReadAhead<E> {
    fn drop(&mut self) {
        self.reader.abort();
    }
}
