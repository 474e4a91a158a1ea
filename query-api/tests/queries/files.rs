//! Photos on the cards: `attachments` lists a record's files with presigned links that fetch them,
//! for whoever may read the record, and a viewer who may not read it gets no link. The storage is a
//! real s3s-fs started here; the command and query APIs with it run beside the harness's own.

use command_api::http::CommandApi;
use event_store::schema::ServiceRole;
use file_store::testing::S3sFs;
use query_api::http::{QueryApi, Sources};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Digest;

use crate::{auth_config, codec, serve, staffed_shop};

const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n a scratch on the rear bumper";

#[tokio::test]
async fn the_cards_link_their_files_for_those_who_may_read_them_only() {
    let s3 = S3sFs::start("motorlog-files").await.unwrap();
    let staffed = staffed_shop("query_files").await;
    let shop = &staffed.shop;
    // Small: beside the harness's own services, on a server another test shares.
    let command_pool = shop.db.pool_as(ServiceRole::Command, 2).await.unwrap();
    let commands = CommandApi::with_files(
        command_pool.clone(),
        codec(&shop.master_key, &command_pool),
        &auth_config(),
        Some(s3.store().unwrap()),
    );
    let (commands, _stop_commands) = serve(command_api::http::router(commands), false).await;
    let query_pool = query_api::http::pool_options()
        .max_connections(2)
        .idle_timeout(event_store::testing::IDLE_TIMEOUT)
        .connect_with(shop.db.options_as(ServiceRole::Query))
        .await
        .unwrap();
    let queries = QueryApi::with_files(
        query_pool.clone(),
        &auth_config(),
        true,
        Sources::postgres(&query_pool),
        Some(s3.store().unwrap()),
    );
    let (queries, _stop_queries) = serve(query_api::http::router(queries), false).await;

    // The advisor photographs the order the mechanic has no line on.
    let order = staffed.other_order;
    let sha: String = sha2::Sha256::digest(PHOTO)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let ticket: Value = shop
        .http
        .post(format!("{commands}/v1/files/upload"))
        .bearer_auth(&staffed.advisor)
        .json(
            &json!({ "to": { "kind": "work_order", "id": order }, "kind": "photo",
                       "purpose": "inspection", "content_type": "image/png",
                       "size": PHOTO.len(), "sha256": sha }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut put = shop
        .http
        .put(ticket["url"].as_str().unwrap())
        .body(PHOTO.to_vec());
    for (name, value) in ticket["headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
    let attached: Value = shop
        .http
        .post(format!(
            "{commands}/v1/attachment/{}/attach",
            ticket["attachment_id"].as_str().unwrap()
        ))
        .bearer_auth(&staffed.advisor)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let position = attached["position"].as_str().unwrap().to_owned();

    let card = format!(
        r#"{{ workOrder(id: "{order}") {{ attachments {{ id kind purpose contentType size url thumbnailUrl }} }} }}"#
    );
    // The advisor and the cashier read the order: each gets a link that fetches the photo.
    for token in [&staffed.advisor, &staffed.cashier] {
        let answer = shop
            .query_at(&queries, Some(token.as_str()), &card, Some(&position))
            .await;
        assert!(answer.body["errors"].is_null(), "{}", answer.body);
        let files = answer.body["data"]["workOrder"]["attachments"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(files.len(), 1, "{}", answer.body);
        assert_eq!(files[0]["id"], ticket["attachment_id"]);
        assert_eq!(files[0]["kind"], "photo");
        assert_eq!(files[0]["purpose"], "inspection");
        let fetched = shop
            .http
            .get(files[0]["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(fetched.status(), StatusCode::OK);
        assert_eq!(&fetched.bytes().await.unwrap()[..], PHOTO);
    }
    // The mechanic may not read this order: no card, so no link.
    let answer = shop
        .query_at(
            &queries,
            Some(staffed.mechanic.as_str()),
            &card,
            Some(&position),
        )
        .await;
    assert!(
        answer.body["data"]["workOrder"].is_null(),
        "{}",
        answer.body
    );
    assert!(
        !answer.body.to_string().contains("X-Amz-Signature"),
        "{}",
        answer.body
    );
    // Nor a stranger.
    let answer = shop.query_at(&queries, None, &card, None).await;
    assert!(
        !answer.body.to_string().contains("X-Amz-Signature"),
        "{}",
        answer.body
    );
    // The order the mechanic works on has no files yet: an empty list, not an error.
    let assigned = format!(
        r#"{{ workOrder(id: "{}") {{ attachments {{ url }} }} }}"#,
        staffed.assigned_order
    );
    let answer = shop
        .query_at(
            &queries,
            Some(&staffed.mechanic),
            &assigned,
            Some(&position),
        )
        .await;
    assert_eq!(
        answer.body["data"]["workOrder"]["attachments"],
        json!([]),
        "{}",
        answer.body
    );
}
