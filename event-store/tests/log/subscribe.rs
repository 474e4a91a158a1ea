//! Subscriptions: catch-up, live delivery, and the transaction that commits late.

use std::time::Duration;

use event_store::{ExpectedVersion, LogPosition, StreamId, SubscriptionOptions};
use futures::StreamExt;

use crate::{events, fresh_store};

#[tokio::test]
async fn catches_up_then_follows_live_appends() {
    let (_db, store) = fresh_store("follow").await;
    let order = StreamId::new("work_order", "wo-1");
    store
        .append(&order, ExpectedVersion::NoStream, &events(3))
        .await
        .unwrap();

    let mut subscription = Box::pin(store.subscribe(LogPosition::START));
    for version in 1..=3 {
        let event = subscription.next().await.unwrap().unwrap();
        assert_eq!(event.version, version);
    }
    let writer = store.clone();
    let order_clone = order.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        writer
            .append(&order_clone, ExpectedVersion::Exact(3), &events(1))
            .await
            .unwrap();
    });
    let live = tokio::time::timeout(Duration::from_secs(5), subscription.next())
        .await
        .expect("a live event within 5 s")
        .unwrap()
        .unwrap();
    assert_eq!(live.version, 4);

    // Resuming from a checkpoint delivers only what came after it.
    let mut resumed = Box::pin(store.subscribe(live.position));
    store
        .append(&order, ExpectedVersion::Exact(4), &events(1))
        .await
        .unwrap();
    let next = tokio::time::timeout(Duration::from_secs(5), resumed.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(next.version, 5);
}

#[tokio::test]
async fn a_transaction_that_commits_late_with_a_lower_position_is_still_delivered() {
    let (_db, store) = fresh_store("late").await;
    let slow = StreamId::new("work_order", "slow");
    let fast = StreamId::new("work_order", "fast");

    // The slow append takes the lower position and stays uncommitted.
    let pending = store
        .begin_append(&slow, ExpectedVersion::NoStream, &events(1))
        .await
        .unwrap();
    let fast_appended = store
        .append(&fast, ExpectedVersion::NoStream, &events(1))
        .await
        .unwrap();
    assert!(
        fast_appended.position().global_position > pending.appended().position().global_position
    );

    // While the slow one is open, a reader must not move past it: it sees nothing yet.
    assert!(store
        .read_all(LogPosition::START, 10)
        .await
        .unwrap()
        .is_empty());

    let options = SubscriptionOptions {
        poll_interval: Duration::from_secs(60),
        ..SubscriptionOptions::default()
    };
    let mut subscription = Box::pin(store.subscribe_with(LogPosition::START, options));
    // Let the subscription start listening and find nothing readable while the slow one is open.
    // (A timed-out `next` keeps the subscription's own pending read; nothing is lost.)
    let early = tokio::time::timeout(Duration::from_millis(300), subscription.next()).await;
    assert!(early.is_err(), "read past an open transaction: {early:?}");
    pending.commit().await.unwrap();
    // Polling is set to a minute: delivery within 5 s proves the commit notification woke it.
    let mut delivered = Vec::new();
    for _ in 0..2 {
        let event = tokio::time::timeout(Duration::from_secs(5), subscription.next())
            .await
            .expect("woken by the commit notification")
            .unwrap()
            .unwrap();
        delivered.push(event.stream);
    }
    assert_eq!(delivered, [slow, fast]);
}

#[tokio::test]
async fn an_empty_log_delivers_nothing_and_does_not_end() {
    let (_db, store) = fresh_store("empty").await;
    let options = SubscriptionOptions {
        poll_interval: Duration::from_millis(20),
        ..SubscriptionOptions::default()
    };
    let mut subscription = Box::pin(store.subscribe_with(LogPosition::START, options));
    let waited = tokio::time::timeout(Duration::from_millis(300), subscription.next()).await;
    assert!(waited.is_err(), "an empty log yielded something");
    assert_eq!(store.head().await.unwrap(), LogPosition::START);
}
