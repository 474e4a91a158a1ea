//! A sink's writes finishing in a task of their own.
//!
//! A sink whose server acknowledges a write only when it is done (ClickHouse answers an `INSERT`
//! when its part is written, a Kafka broker acknowledges a message when it is stored) would hold
//! the runtime idle for that whole round trip, batch after batch: the log is not read, nothing is
//! prepared while the server works. [`Finishing::start`] runs the writes in a task and returns at
//! once, so [`Sink::deliver`](crate::Sink::deliver) hands over its batch and the runtime reads and
//! prepares the next ones; [`Finishing::finished`] is the sink's
//! [`Sink::settle`](crate::Sink::settle). The checkpoint still moves batch by batch, in log order,
//! each only after its batch is finished.
//!
//! Whatever must happen in log order (a Kafka producer's queue) is done in `deliver` itself, before
//! the task starts: tasks of several batches run side by side.

use std::future::Future;

use tokio::sync::watch;

use crate::ProjectionError;

/// Writes running in their own task, with their outcome once they are done.
#[derive(Debug)]
pub struct Finishing {
    /// `None` while the writes run; the reason a write was refused, as the sink was unavailable.
    outcome: watch::Receiver<Option<Result<(), String>>>,
}

impl Finishing {
    /// Starts `writes` in a task of their own. An `Err` is why the sink could not take the batch;
    /// the runtime retries the batch with back-off, so the writes must be idempotent.
    ///
    /// The task is not cancelled with the run: a write half sent to its server is finished (or
    /// refused) there rather than cut, and an idempotent sink takes it again as the same rows.
    pub fn start<F>(writes: F) -> Self
    where
        F: Future<Output = Result<(), String>> + Send + 'static,
    {
        let (done, outcome) = watch::channel(None);
        tokio::spawn(async move {
            let outcome = writes.await;
            // Nobody waits for a batch whose run has ended: its next run delivers it again.
            let _ = done.send(Some(outcome));
        });
        Self { outcome }
    }

    /// Waits until the writes are done. Only looks: after an interrupted wait it waits again.
    pub async fn finished(&self) -> Result<(), ProjectionError> {
        let mut outcome = self.outcome.clone();
        let seen = outcome.wait_for(Option::is_some).await.map_err(|_| {
            // The task ended without an outcome: it panicked.
            ProjectionError::SinkUnavailable("the batch's writes stopped without an answer".into())
        })?;
        match &*seen {
            Some(Err(reason)) => Err(ProjectionError::SinkUnavailable(reason.clone())),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn waits_for_the_outcome_and_can_wait_again() {
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let finishing = Finishing::start(async move {
            let _ = wait.await;
            Err("clickhouse: connection refused".to_owned())
        });
        // An interrupted wait: the writes are still running.
        let interrupted =
            tokio::time::timeout(Duration::from_millis(20), finishing.finished()).await;
        assert!(interrupted.is_err());
        go.send(()).unwrap();
        for _ in 0..2 {
            match finishing.finished().await {
                Err(ProjectionError::SinkUnavailable(reason)) => {
                    assert_eq!(reason, "clickhouse: connection refused");
                }
                other => panic!("expected the sink's refusal, got {other:?}"),
            }
        }
        assert!(Finishing::start(async { Ok(()) }).finished().await.is_ok());
    }

    #[tokio::test]
    async fn a_task_that_panics_is_a_refusal_not_a_success() {
        let finishing = Finishing::start(async { panic!("the writes broke") });
        assert!(matches!(
            finishing.finished().await,
            Err(ProjectionError::SinkUnavailable(_))
        ));
    }
}
