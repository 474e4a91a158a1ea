//! What the query benchmarks share: timing GraphQL requests from one client and the p99 of them.

use std::time::{Duration, Instant};

use motorlog_tests::Shop;
use serde_json::Value;

/// The latencies of `queries` sent one after another by one client, taking `tokens` in turn (the
/// API allows one employee 600 requests a minute, and one client sends more; the limit's check
/// stays on every request's path). Every answer must be whole.
pub async fn latencies(shop: &Shop, tokens: &[String], queries: &[String]) -> Vec<Duration> {
    let url = format!("{}/graphql", shop.queries());
    let mut latencies = Vec::with_capacity(queries.len());
    for (n, query) in queries.iter().enumerate() {
        let started = Instant::now();
        let response = shop
            .http
            .post(&url)
            .bearer_auth(&tokens[n % tokens.len()])
            .json(&serde_json::json!({ "query": query }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        latencies.push(started.elapsed());
        assert!(
            status.is_success() && body["errors"].is_null(),
            "{query}: {status} {body}"
        );
    }
    latencies
}

/// The 99th percentile, in milliseconds.
pub fn p99(mut latencies: Vec<Duration>) -> f64 {
    latencies.sort();
    let at = (latencies.len() * 99 / 100).min(latencies.len().saturating_sub(1));
    latencies.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
