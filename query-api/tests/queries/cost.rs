//! What one request may cost: aliases and root fields are counted before it runs, pages count
//! their size into the complexity, search text is bounded, every statement has a timeout, and the
//! schema is not introspected in production. The web app's own documents, read from its files,
//! must pass, so a limit that would break a screen fails here first.

use std::time::{Duration, Instant};

use async_graphql::parser::types::{BaseType, DocumentOperations};
use auth::AuthConfig;
use query_api::http::QueryApi;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

use crate::{open_shop, serve, OWNER_EMAIL};

/// Posts `query` with `variables`; returns the status and the JSON answer.
async fn post(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> (StatusCode, Value) {
    let response = http
        .post(format!("{api}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

fn assert_too_costly(status: StatusCode, answer: &Value) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(code(answer), "query_too_costly", "{answer}");
    assert!(
        answer["errors"][0]["extensions"]["message_ru"]
            .as_str()
            .is_some_and(|m| m.contains("слишком большой")),
        "{answer}"
    );
}

#[tokio::test]
async fn hundreds_of_aliases_or_root_fields_are_refused_fast_before_running() {
    let shop = open_shop("q_cost_alias").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let aliases: String = (0..300)
        .map(|n| format!("a{n}: workOrders(first: 200) {{ nodes {{ id total lines {{ id }} }} }} "))
        .collect();
    let started = Instant::now();
    let (status, answer) = post(
        &shop.http,
        shop.queries(),
        &owner,
        &format!("{{ {aliases} }}"),
        Value::Null,
    )
    .await;
    assert_too_costly(status, &answer);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // Aliases deep inside one root field count too.
    let nested: String = (0..40).map(|n| format!("n{n}: number ")).collect();
    let (status, answer) = post(
        &shop.http,
        shop.queries(),
        &owner,
        &format!("{{ workOrders(first: 1) {{ nodes {{ {nested} }} }} }}"),
        Value::Null,
    )
    .await;
    assert_too_costly(status, &answer);

    // The same root field written many times without aliases, through a fragment.
    let roots: String = (0..25).map(|_| "me { employeeId } ").collect();
    let (status, answer) = post(
        &shop.http,
        shop.queries(),
        &owner,
        &format!("query {{ ...Roots }} fragment Roots on Query {{ {roots} }}"),
        Value::Null,
    )
    .await;
    assert_too_costly(status, &answer);
}

#[tokio::test]
async fn a_page_of_200_with_a_heavy_record_is_refused_by_its_cost() {
    let shop = open_shop("q_cost_page").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let heavy = r"{ workOrders(first: 200) { nodes {
        id number status openedAt total vat labour parts discount promisedAt
        client { id displayName inn phones email vehicles { id plate vin make model mileageHistory { km } } }
        vehicle { id plate vin make model owner { id displayName phones } }
        lines { id kind description quantity unitPrice amount mechanic { id fullName } }
        invoices { id number total paid balanceDue lines { description amount } payments { amount } }
        mechanics { id fullName }
    } } }";
    let (status, answer) = post(&shop.http, shop.queries(), &owner, heavy, Value::Null).await;
    assert_too_costly(status, &answer);
    // A page size in a variable counts the same.
    let by_variable = heavy.replacen(
        "{ workOrders(first: 200)",
        "query($first: Int) { workOrders(first: $first)",
        1,
    );
    let (status, answer) = post(
        &shop.http,
        shop.queries(),
        &owner,
        &by_variable,
        json!({ "first": 200 }),
    )
    .await;
    assert_too_costly(status, &answer);
    // The same record, a page of 10, is fine.
    let light = heavy.replace("first: 200", "first: 10");
    let (status, answer) = post(&shop.http, shop.queries(), &owner, &light, Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["errors"].is_null(), "{answer}");
}

/// The GraphQL documents in one of the web app's `queries.ts`, each with the fragments it spreads.
fn web_documents(file: &str) -> Vec<String> {
    let path = format!("{}/../web/src/{file}", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap();
    let bodies: Vec<&str> = source
        .split("graphql(`")
        .skip(1)
        .map(|rest| rest.split('`').next().unwrap().trim())
        .collect();
    let fragments: Vec<&str> = bodies
        .iter()
        .copied()
        .filter(|body| body.starts_with("fragment"))
        .collect();
    bodies
        .iter()
        .filter(|body| !body.starts_with("fragment"))
        .map(|body| {
            let mut document = (*body).to_owned();
            for fragment in &fragments {
                let name = fragment.split_whitespace().nth(1).unwrap();
                if body.contains(&format!("...{name}"))
                    && !body.contains(&format!("fragment {name} "))
                {
                    document.push('\n');
                    document.push_str(fragment);
                }
            }
            document
        })
        .collect()
}

/// Variables for a document, the costliest the app sends: pages of 200, every optional column on.
fn largest_variables(document: &str) -> Value {
    let parsed = async_graphql::parser::parse_query(document).unwrap();
    let mut variables = Map::new();
    let operations: Vec<_> = match &parsed.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values().collect(),
    };
    for operation in operations {
        for definition in &operation.node.variable_definitions {
            let name = definition.node.name.node.to_string();
            let ty = &definition.node.var_type.node;
            let value = match &ty.base {
                BaseType::Named(named) => match named.as_str() {
                    "Int" => json!(200),
                    "Boolean" => json!(!name.starts_with("skip")),
                    "UUID" => json!(uuid::Uuid::new_v4()),
                    "String" if ty.nullable => Value::Null,
                    "String" => json!("Иванов"),
                    _ if ty.nullable => Value::Null,
                    other => panic!("{document}: give ${name}: {other} a value"),
                },
                BaseType::List(_) if ty.nullable => Value::Null,
                BaseType::List(_) => json!([]),
            };
            variables.insert(name, value);
        }
    }
    Value::Object(variables)
}

#[tokio::test]
async fn the_web_apps_documents_pass_the_limits_at_their_largest() {
    let shop = open_shop("q_cost_web").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let files = [
        "board/queries.ts",
        "order-card/queries.ts",
        "cashier/queries.ts",
        "new-visit/queries.ts",
    ];
    let mut checked = 0;
    for file in files {
        for document in web_documents(file) {
            let variables = largest_variables(&document);
            let (status, answer) = post(
                &shop.http,
                shop.queries(),
                &owner,
                &document,
                variables.clone(),
            )
            .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{file}: {document} {variables}: {answer}"
            );
            // Errors of the records asked for (a random id is not found) are fine; errors of the
            // document itself (no path: validation, limits) are not.
            for error in answer["errors"].as_array().into_iter().flatten() {
                assert!(
                    error["path"].is_array(),
                    "{file}: {document} {variables}: {answer}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} documents found");
}

#[tokio::test]
async fn search_text_longer_than_100_characters_is_refused() {
    let shop = open_shop("q_cost_search").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let query = "query($t: String!) { search(text: $t) { id } }";
    let (status, answer) = post(
        &shop.http,
        shop.queries(),
        &owner,
        query,
        json!({ "t": "я".repeat(101) }),
    )
    .await;
    assert_eq!(code(&answer), "invalid_argument", "{status} {answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["field"], "text",
        "{answer}"
    );
    assert!(
        answer["errors"][0]["extensions"]["message_ru"]
            .as_str()
            .is_some_and(|m| m.contains("не больше 100")),
        "{answer}"
    );
    let (status, answer) = post(
        &shop.http,
        shop.queries(),
        &owner,
        query,
        json!({ "t": "я".repeat(100) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["errors"].is_null(), "{answer}");
}

#[tokio::test]
async fn introspection_is_answered_in_development_only() {
    let shop = open_shop("q_cost_introspection").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let introspect = "{ __schema { queryType { name } } }";
    let (status, answer) = post(&shop.http, shop.queries(), &owner, introspect, Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["__schema"]["queryType"]["name"], "Query");

    let production = QueryApi::new(shop.db.pool.clone(), &AuthConfig::default(), false);
    let (api, _stop) = serve(query_api::http::router(production), false).await;
    let (_, answer) = post(&shop.http, &api, &owner, introspect, Value::Null).await;
    // async-graphql answers as if the schema had no `__schema`: null, without an error.
    assert!(answer["data"]["__schema"].is_null(), "{answer}");
    // Ordinary queries still run there.
    let (status, answer) = post(
        &shop.http,
        &api,
        &owner,
        "{ me { employeeId } }",
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["errors"].is_null(), "{answer}");
}

#[tokio::test]
async fn a_statement_past_the_timeout_is_cancelled_with_a_stable_code() {
    let shop = open_shop("q_cost_timeout").await;
    let pool = query_api::http::pool_options_with(Duration::from_millis(250))
        .max_connections(2)
        .connect_with(shop.db.options.clone())
        .await
        .unwrap();
    let shown: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(shown, "250ms");
    let slept = sqlx::query("SELECT pg_sleep(1)").execute(&pool).await;
    let error = query_api::QueryError::from(slept.unwrap_err());
    assert_eq!(error.code(), "query_timeout");
    assert!(!error.message_ru().contains("pg_sleep"));

    // The default pool carries the default timeout.
    let default = query_api::http::pool_options()
        .max_connections(1)
        .connect_with(shop.db.options.clone())
        .await
        .unwrap();
    let shown: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(&default)
        .await
        .unwrap();
    assert_eq!(shown, "5s");
}
