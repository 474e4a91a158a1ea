//! Group commit: appends waiting while a statement is written go together in the next one, and
//! each keeps the outcome it would have alone.
//!
//! To make a group for certain, the writer is held: for each group it may write at once, another
//! transaction has inserted a stream's first version and not committed, and an append to that stream
//! waits on the unique key. Appends sent meanwhile queue behind them and form the next group.

use std::time::Duration;

use event_store::{
    Appended, EventStore, EventStoreError, ExpectedVersion, NewEvent, PendingAppend, Premise,
    StreamId, GROUPS_IN_FLIGHT,
};
use tokio::task::JoinHandle;

use crate::{events, fresh_store};

/// The writer held: for each group it may have in flight, a transaction holding the first version
/// of a stream, and an append to it that waits on that transaction.
struct Held {
    blockers: Vec<PendingAppend>,
    waiting: Vec<JoinHandle<Result<Appended, EventStoreError>>>,
}

async fn hold_the_writer(store: &EventStore) -> Held {
    let mut held = Held {
        blockers: vec![],
        waiting: vec![],
    };
    for n in 0..GROUPS_IN_FLIGHT {
        let blocker = StreamId::new("test", format!("blocker-{n}"));
        held.blockers.push(
            store
                .begin_append(&blocker, ExpectedVersion::NoStream, &events(1))
                .await
                .unwrap(),
        );
        let store = store.clone();
        held.waiting.push(tokio::spawn(async move {
            store
                .append(&blocker, ExpectedVersion::NoStream, &events(1))
                .await
        }));
    }
    // Long enough for the writer to be inside those statements.
    tokio::time::sleep(Duration::from_millis(200)).await;
    held
}

impl Held {
    /// Commits the transactions: each held append lost its stream to one, as it would alone.
    async fn release(self) {
        for blocker in self.blockers {
            blocker.commit().await.unwrap();
        }
        for waiting in self.waiting {
            assert!(matches!(
                waiting.await.unwrap(),
                Err(EventStoreError::VersionConflict { actual: 1, .. })
            ));
        }
    }
}

fn append_on(
    store: &EventStore,
    stream: StreamId,
    expected: ExpectedVersion,
    events: Vec<NewEvent>,
    premises: Vec<Premise>,
) -> JoinHandle<Result<Appended, EventStoreError>> {
    let store = store.clone();
    tokio::spawn(async move { store.append_on(&stream, expected, &events, &premises).await })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_appends_share_one_statement_and_keep_their_own_outcomes() {
    let (_db, store) = fresh_store("group").await;
    let settings = StreamId::new("settings", "main");
    let busy = StreamId::new("work_order", "busy");
    store
        .append(&settings, ExpectedVersion::NoStream, &events(2))
        .await
        .unwrap();
    store
        .append(&busy, ExpectedVersion::NoStream, &events(3))
        .await
        .unwrap();
    let held = hold_the_writer(&store).await;

    let accepted: Vec<_> = (0..20)
        .map(|n| {
            let premises = vec![Premise {
                stream: settings.clone(),
                version: 2,
            }];
            let stream = StreamId::new("work_order", format!("wo-{n}"));
            append_on(
                &store,
                stream,
                ExpectedVersion::NoStream,
                events(2),
                premises,
            )
        })
        .collect();
    let stale_version = append_on(
        &store,
        busy.clone(),
        ExpectedVersion::Exact(1),
        events(1),
        vec![],
    );
    let stale_premise = append_on(
        &store,
        StreamId::new("work_order", "stale"),
        ExpectedVersion::NoStream,
        events(1),
        vec![Premise {
            stream: settings.clone(),
            version: 1,
        }],
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    held.release().await;

    let mut transactions = Vec::new();
    for append in accepted {
        let appended = append.await.unwrap().unwrap();
        assert_eq!(appended.stream_version, 2);
        let [first, second] = &appended.events[..] else {
            panic!("two events: {appended:?}")
        };
        assert_eq!(
            first.position.transaction_id,
            second.position.transaction_id
        );
        transactions.push(first.position.transaction_id);
    }
    transactions.dedup();
    assert_eq!(
        transactions.len(),
        1,
        "the twenty appends that waited were written by one statement: {transactions:?}"
    );
    assert!(matches!(
        stale_version.await.unwrap(),
        Err(EventStoreError::VersionConflict { actual: 3, .. })
    ));
    assert!(matches!(
        stale_premise.await.unwrap(),
        Err(EventStoreError::PremiseMoved {
            expected: 1,
            actual: 2,
            ..
        })
    ));
    assert_eq!(store.stream_version(&busy).await.unwrap(), 3);
    let nothing = StreamId::new("work_order", "stale");
    assert_eq!(store.stream_version(&nothing).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_keeps_each_stream_and_the_premises_it_writes_to_one_append() {
    let (_db, store) = fresh_store("group_streams").await;
    let roles = StreamId::new("role", "advisor");
    let order = StreamId::new("work_order", "shared");
    store
        .append(&roles, ExpectedVersion::NoStream, &events(1))
        .await
        .unwrap();
    let held = hold_the_writer(&store).await;

    // Two appends to one stream at the same version: one wins, the other is refused.
    let racing: Vec<_> = (0..2)
        .map(|_| {
            append_on(
                &store,
                order.clone(),
                ExpectedVersion::NoStream,
                events(1),
                vec![],
            )
        })
        .collect();
    // A role edit and a command decided on the role before it, sent together: whichever the
    // writer takes first, the command is never accepted after the edit on the old role.
    let edit = append_on(
        &store,
        roles.clone(),
        ExpectedVersion::Exact(1),
        events(1),
        vec![],
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    let command = append_on(
        &store,
        StreamId::new("work_order", "by-advisor"),
        ExpectedVersion::NoStream,
        events(1),
        vec![Premise {
            stream: roles.clone(),
            version: 1,
        }],
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    held.release().await;

    let mut won = 0;
    for append in racing {
        match append.await.unwrap() {
            Ok(appended) => {
                assert_eq!(appended.stream_version, 1);
                won += 1;
            }
            Err(EventStoreError::VersionConflict { actual: 1, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(won, 1);
    let edited = edit.await.unwrap().unwrap();
    match command.await.unwrap() {
        // Accepted: then before the edit, in a transaction of its own.
        Ok(appended) => {
            assert!(appended.events[0].position < edited.events[0].position);
            assert_ne!(
                appended.events[0].position.transaction_id,
                edited.events[0].position.transaction_id
            );
        }
        Err(EventStoreError::PremiseMoved { actual: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_append_in_a_group_is_answered_with_its_first_result() {
    let (_db, store) = fresh_store("group_retry").await;
    let retried = StreamId::new("work_order", "retried");
    let sent = events(2);
    let first = store
        .append(&retried, ExpectedVersion::NoStream, &sent)
        .await
        .unwrap();
    let held = hold_the_writer(&store).await;

    let again = append_on(
        &store,
        retried.clone(),
        ExpectedVersion::NoStream,
        sent,
        vec![],
    );
    let others: Vec<_> = (0..5)
        .map(|n| {
            let stream = StreamId::new("work_order", format!("other-{n}"));
            append_on(&store, stream, ExpectedVersion::NoStream, events(1), vec![])
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    held.release().await;

    assert_eq!(again.await.unwrap().unwrap(), first);
    for other in others {
        assert_eq!(other.await.unwrap().unwrap().stream_version, 1);
    }
    assert_eq!(store.stream_version(&retried).await.unwrap(), 2);
}

/// A companion recording where `stream`'s append landed in `receipts`; refused by the table's key
/// when the stream has a receipt already.
fn receipt(stream: &StreamId) -> event_store::Companion {
    let stream = stream.to_string();
    event_store::companion(move |tx, appended| {
        let (stream, position) = (stream.clone(), appended.position().to_string());
        Box::pin(async move {
            sqlx::query("INSERT INTO receipts (stream, position) VALUES ($1, $2)")
                .bind(stream)
                .bind(position)
                .execute(tx)
                .await?;
            Ok(())
        })
    })
}

async fn receipts(store: &EventStore) -> Vec<(String, String)> {
    sqlx::query_as("SELECT stream, position FROM receipts ORDER BY stream")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_companion_commits_with_its_append_or_neither_does() {
    let (_db, store) = fresh_store("companion").await;
    sqlx::query("CREATE TABLE receipts (stream text PRIMARY KEY, position text NOT NULL)")
        .execute(store.pool())
        .await
        .unwrap();
    let order = StreamId::new("work_order", "alone");
    let appended = store
        .append_on_with(
            &order,
            ExpectedVersion::NoStream,
            &events(2),
            &[],
            receipt(&order),
        )
        .await
        .unwrap();
    assert_eq!(
        receipts(&store).await,
        [(order.to_string(), appended.position().to_string())]
    );

    // The receipt exists: the companion fails, and the events go with it.
    let refused = store
        .append_on_with(
            &order,
            ExpectedVersion::Exact(2),
            &events(1),
            &[],
            receipt(&order),
        )
        .await;
    assert!(
        matches!(refused, Err(EventStoreError::Companion(_))),
        "{refused:?}"
    );
    assert_eq!(store.stream_version(&order).await.unwrap(), 2);

    // A refused append runs no companion.
    let other = StreamId::new("work_order", "other");
    let stale = store
        .append_on_with(
            &other,
            ExpectedVersion::Exact(4),
            &events(1),
            &[],
            receipt(&other),
        )
        .await;
    assert!(
        matches!(stale, Err(EventStoreError::VersionConflict { .. })),
        "{stale:?}"
    );
    assert_eq!(receipts(&store).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_companion_sends_its_group_to_be_written_alone() {
    let (_db, store) = fresh_store("companion_group").await;
    sqlx::query("CREATE TABLE receipts (stream text PRIMARY KEY, position text NOT NULL)")
        .execute(store.pool())
        .await
        .unwrap();
    let taken = StreamId::new("work_order", "taken");
    sqlx::query("INSERT INTO receipts VALUES ($1, 'elsewhere')")
        .bind(taken.to_string())
        .execute(store.pool())
        .await
        .unwrap();
    let held = hold_the_writer(&store).await;

    let written: Vec<_> = (0..5)
        .map(|n| {
            let stream = StreamId::new("work_order", format!("ok-{n}"));
            let store = store.clone();
            tokio::spawn(async move {
                let companion = receipt(&stream);
                store
                    .append_on_with(
                        &stream,
                        ExpectedVersion::NoStream,
                        &events(1),
                        &[],
                        companion,
                    )
                    .await
            })
        })
        .collect();
    let failing = {
        let store = store.clone();
        let taken = taken.clone();
        tokio::spawn(async move {
            let companion = receipt(&taken);
            store
                .append_on_with(
                    &taken,
                    ExpectedVersion::NoStream,
                    &events(1),
                    &[],
                    companion,
                )
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    held.release().await;

    let mut positions = Vec::new();
    for append in written {
        positions.push(append.await.unwrap().unwrap().position().to_string());
    }
    assert!(matches!(
        failing.await.unwrap(),
        Err(EventStoreError::Companion(_))
    ));
    assert_eq!(store.stream_version(&taken).await.unwrap(), 0);
    let mut recorded: Vec<String> = receipts(&store)
        .await
        .into_iter()
        .filter(|(stream, _)| *stream != taken.to_string())
        .map(|(_, position)| position)
        .collect();
    recorded.sort();
    positions.sort();
    assert_eq!(
        recorded, positions,
        "each receipt holds its own append's position"
    );
}
