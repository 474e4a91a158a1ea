//! Search keeps answering when Meilisearch cannot: the query API falls back to PostgreSQL, which
//! the projectors always keep, and counts why. Runs without a Meilisearch server: the query API is
//! pointed at a port nothing listens on, so the sink never advances (the indexes lag behind every
//! write) and every request to the server fails. Its own test binary, so its counts are its own.

use motorlog_tests::staffed_shop_with;
use projections::meilisearch::MeilisearchConfig;
use uuid::Uuid;

/// `motorlog_search_fallbacks_total{reason=…}` on the query API's `/metrics` (0 before the first).
async fn fallbacks(api: &str, reason: &str) -> u64 {
    let text = reqwest::get(format!("{api}/metrics"))
        .await
        .expect("metrics answer")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find(|line| {
            line.starts_with("motorlog_search_fallbacks_total")
                && line.contains(&format!("reason=\"{reason}\""))
        })
        .and_then(|line| line.rsplit(' ').next())
        .map_or(0, |count| count.parse().expect("a count"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_answers_from_postgresql_while_meilisearch_lags_or_is_down() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = dead.local_addr().expect("its address").port();
    drop(dead);
    let config = MeilisearchConfig {
        url: format!("http://127.0.0.1:{port}"),
        api_key: None,
        prefix: format!("q_fallback_{}_", Uuid::now_v7().simple()),
    };
    let s = staffed_shop_with("q_search_fallback", Some(config)).await;
    let meilisearch = s
        .shop
        .queries_meilisearch
        .clone()
        .expect("a Meilisearch query API");
    let hits = |text: &str| format!(r#"{{ search(text: "{text}") {{ kind id title subtitle }} }}"#);
    let mut asked = 0;
    for token in [&s.owner, &s.advisor, &s.mechanic, &s.cashier] {
        for text in ["петров", "4567 89", "А123ВС77", "XTAGFK330JY144213"] {
            let query = hits(text);
            let from_postgres = s.shop.data(token, &query, &s.position).await;
            // Reading its own write: the indexes are behind the position, so PostgreSQL answers
            // without asking Meilisearch.
            let behind = s
                .shop
                .query_at(&meilisearch, Some(token), &query, Some(&s.position))
                .await;
            assert!(behind.body["errors"].is_null(), "{text}: {}", behind.body);
            assert_eq!(
                behind.body["data"], from_postgres,
                "{text} (indexes behind)"
            );
            // No position to wait for: Meilisearch is asked, does not answer, PostgreSQL does.
            let down = s
                .shop
                .query_at(&meilisearch, Some(token), &query, None)
                .await;
            assert!(down.body["errors"].is_null(), "{text}: {}", down.body);
            assert_eq!(
                down.body["data"], from_postgres,
                "{text} (Meilisearch down)"
            );
            asked += 1;
        }
    }
    assert!(
        !from_postgres_is_empty(&s, &hits("петров")).await,
        "the comparison must have hits to compare"
    );
    assert_eq!(fallbacks(&meilisearch, "behind").await, asked);
    assert_eq!(fallbacks(&meilisearch, "failed").await, asked);
}

async fn from_postgres_is_empty(s: &motorlog_tests::Staffed, query: &str) -> bool {
    let data = s.shop.data(&s.owner, query, &s.position).await;
    data["search"].as_array().is_none_or(|hits| hits.is_empty())
}
