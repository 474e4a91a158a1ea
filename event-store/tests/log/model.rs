//! Random sequences of appends agree with a simple in-memory model of the log.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use event_store::{Appended, EventStore, EventStoreError, ExpectedVersion, LogPosition, StreamId};
use proptest::prelude::*;
use uuid::Uuid;

use crate::{events, fresh_store, read_log_through};

#[derive(Debug, Clone)]
enum Op {
    Append {
        stream: usize,
        expected: ExpectedVersion,
        count: u64,
    },
    /// Send the previous successful append again, as a client whose answer was lost would.
    RetryLast,
}

fn expected_version() -> impl Strategy<Value = ExpectedVersion> {
    prop_oneof![
        Just(ExpectedVersion::Any),
        Just(ExpectedVersion::NoStream),
        (0u64..7).prop_map(ExpectedVersion::Exact),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0usize..3, expected_version(), 1u64..4)
            .prop_map(|(stream, expected, count)| Op::Append { stream, expected, count }),
        1 => Just(Op::RetryLast),
    ]
}

/// The log as a map from stream to its event ids.
#[derive(Default)]
struct Model {
    streams: HashMap<usize, Vec<Uuid>>,
}

async fn run_case(store: &EventStore, namespace: &str, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let stream_of = |n: usize| StreamId::new("model", format!("{namespace}-{n}"));
    let mut model = Model::default();
    let mut last: Option<(usize, ExpectedVersion, Vec<event_store::NewEvent>, Appended)> = None;
    let mut newest = LogPosition::START;

    for op in ops {
        match op {
            Op::Append {
                stream,
                expected,
                count,
            } => {
                let current = model.streams.get(&stream).map_or(0, Vec::len) as u64;
                let batch = events(count);
                let result = store.append(&stream_of(stream), expected, &batch).await;
                let allowed = match expected {
                    ExpectedVersion::Any => true,
                    ExpectedVersion::NoStream => current == 0,
                    ExpectedVersion::Exact(version) => version == current,
                };
                if allowed {
                    let appended = result.map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(appended.stream_version, current + count);
                    let versions: Vec<u64> = appended.events.iter().map(|e| e.version).collect();
                    prop_assert_eq!(
                        versions,
                        (current + 1..=current + count).collect::<Vec<_>>()
                    );
                    model
                        .streams
                        .entry(stream)
                        .or_default()
                        .extend(batch.iter().map(|e| e.event_id));
                    newest = newest.max(appended.position());
                    last = Some((stream, expected, batch, appended));
                } else {
                    match result {
                        Err(EventStoreError::VersionConflict { actual, .. }) => {
                            prop_assert_eq!(actual, current)
                        }
                        other => prop_assert!(false, "expected a conflict, got {:?}", other),
                    }
                }
            }
            Op::RetryLast => {
                if let Some((stream, expected, batch, first)) = &last {
                    let again = store
                        .append(&stream_of(*stream), *expected, batch)
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(&again, first);
                }
            }
        }
    }

    for (stream, ids) in &model.streams {
        let read = store
            .read_stream(&stream_of(*stream), 0)
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let read_ids: Vec<Uuid> = read.iter().map(|e| e.event_id).collect();
        prop_assert_eq!(&read_ids, ids);
    }
    // The whole log, in reading order, holds each stream's events in version order.
    let mut seen: HashMap<usize, Vec<Uuid>> = HashMap::new();
    for event in read_log_through(store, newest).await {
        if let Some(n) = (0..3).find(|n| event.stream == stream_of(*n)) {
            seen.entry(n).or_default().push(event.event_id);
        }
    }
    prop_assert_eq!(seen, model.streams);
    Ok(())
}

#[test]
fn random_appends_agree_with_the_in_memory_model() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (db, store) = runtime.block_on(fresh_store("model"));
    let case = AtomicU64::new(0);
    let config = ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..25))| {
        let namespace = format!("case{}", case.fetch_add(1, Ordering::Relaxed));
        runtime.block_on(run_case(&store, &namespace, ops))?;
    });
    drop(store);
    drop(db);
}
