//! Photos and scans against a real S3-protocol server (s3s-fs, started here on a free port): an
//! upload the server signed lands and is attached as declared; a tampered, expired, oversize,
//! retyped or altered upload is refused by the storage or at the confirmation (4xx), and nothing is
//! attached; only those who may attach and see the record get an upload URL.

use std::time::Duration;

use command_api::http::CommandApi;
use event_store::schema::ServiceRole;
use event_store::StreamId;
use file_store::testing::S3sFs;
use file_store::FileStore;
use motorlog_tests::{auth_config, codec};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Digest;
use uuid::Uuid;

use crate::{open_shop, serve, Shop, OWNER_EMAIL};

const PHOTO: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF: a dent on the left front door";

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The shop's command API with the storage, beside the harness's own (which has none).
struct Files {
    shop: Shop,
    api: String,
    store: FileStore,
    _s3: S3sFs,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Files {
    async fn open(label: &str) -> Self {
        let s3 = S3sFs::start("motorlog-files").await.unwrap();
        let shop = open_shop(label).await;
        let pool = shop.db.pool_as(ServiceRole::Command, 4).await.unwrap();
        let api = CommandApi::with_files(
            pool.clone(),
            codec(&shop.master_key, &pool),
            &auth_config(),
            Some(s3.store().unwrap()),
        );
        let (api, stop) = serve(command_api::http::router(api), false).await;
        Self {
            store: s3.store().unwrap(),
            shop,
            api,
            _s3: s3,
            _stop: stop,
        }
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .shop
            .http
            .post(format!("{}/v1/{path}", self.api))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn request(&self, token: &str, body: Value) -> (StatusCode, Value) {
        self.post(token, "files/upload", body).await
    }

    async fn attach(&self, token: &str, ticket: &Value) -> (StatusCode, Value) {
        let id = ticket["attachment_id"].as_str().unwrap();
        self.post(token, &format!("attachment/{id}/attach"), json!({}))
            .await
    }

    async fn events_of(&self, ticket: &Value) -> usize {
        let stream = StreamId::new("attachment", ticket["attachment_id"].as_str().unwrap());
        self.shop.store.read_stream(&stream, 0).await.unwrap().len()
    }
}

fn photo_of(order: Uuid, body: &[u8]) -> Value {
    json!({
        "to": { "kind": "work_order", "id": order },
        "kind": "photo",
        "purpose": "intake_damage",
        "content_type": "image/jpeg",
        "size": body.len(),
        "sha256": sha256_hex(body),
    })
}

/// PUTs `body` to `url` with the ticket's signed headers (as the browser does).
async fn put(ticket: &Value, url: &str, body: &[u8], content_type: Option<&str>) -> StatusCode {
    let mut request = reqwest::Client::new().put(url).body(body.to_vec());
    for (name, value) in ticket["headers"].as_object().unwrap() {
        let value = match (name.as_str(), content_type) {
            ("content-type", Some(other)) => other,
            _ => value.as_str().unwrap(),
        };
        request = request.header(name, value);
    }
    request.send().await.unwrap().status()
}

async fn order_with_mechanic(shop: &Shop, owner: &str, mechanic: Uuid) -> Uuid {
    let client = shop.client(owner).await;
    let car = shop.car(owner, client, "А001АА77").await;
    let order = shop.order(owner, client, car).await;
    shop.ok(
        owner,
        &format!("work_order/{order}/add_labour_line"),
        json!({ "line_id": Uuid::now_v7(), "name": "Диагностика", "norm_hours_tenths": 5,
                "mechanic": mechanic }),
    )
    .await;
    order
}

#[tokio::test]
async fn a_signed_upload_is_attached_as_declared_and_nothing_else_is() {
    let files = Files::open("files_upload").await;
    let shop = &files.shop;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (mechanic_id, _) = shop.employee(&owner, "mech@motor.ru", "mechanic").await;
    let order = order_with_mechanic(shop, &owner, mechanic_id).await;

    // The good path: request, PUT as signed, confirm.
    let (status, ticket) = files.request(&owner, photo_of(order, PHOTO)).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    let key = ticket["key"].as_str().unwrap();
    assert!(key.starts_with(&format!("work_order/{order}/")), "{key}");
    assert!(key.ends_with(".jpg"));
    assert_eq!(ticket["method"], "PUT");
    // Confirming before the upload: nothing there yet.
    let (status, body) = files.attach(&owner, &ticket).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "upload_missing");
    let url = ticket["url"].as_str().unwrap();
    assert_eq!(put(&ticket, url, PHOTO, None).await, StatusCode::OK);
    let (status, body) = files.attach(&owner, &ticket).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stream = StreamId::new("attachment", ticket["attachment_id"].as_str().unwrap());
    let events = shop.store.read_stream(&stream, 0).await.unwrap();
    assert_eq!(events.len(), 1);
    let attached = &events[0].payload;
    assert_eq!(attached["type"], "FileAttached");
    assert_eq!(attached["to"], json!({ "kind": "work_order", "id": order }));
    assert_eq!(attached["key"], key);
    assert_eq!(attached["size"], PHOTO.len());
    assert_eq!(attached["sha256"], sha256_hex(PHOTO));
    assert_eq!(attached["content_type"], "image/jpeg");
    // Once only.
    let (status, body) = files.attach(&owner, &ticket).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Tampered: another signature, another key.
    let (_, ticket) = files.request(&owner, photo_of(order, PHOTO)).await;
    let url = ticket["url"].as_str().unwrap();
    let at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let mut forged = url.to_owned();
    let flipped = if &forged[at..=at] == "0" { "1" } else { "0" };
    forged.replace_range(at..=at, flipped);
    assert_eq!(
        put(&ticket, &forged, PHOTO, None).await,
        StatusCode::FORBIDDEN
    );
    let own_key = ticket["key"].as_str().unwrap();
    let elsewhere = url.replace(own_key, &own_key.replace(".jpg", "-x.jpg"));
    assert_eq!(
        put(&ticket, &elsewhere, PHOTO, None).await,
        StatusCode::FORBIDDEN
    );
    // Retyped, longer than signed, or other bytes of the same length.
    assert_eq!(
        put(&ticket, url, PHOTO, Some("image/png")).await,
        StatusCode::FORBIDDEN
    );
    let mut longer = PHOTO.to_vec();
    longer.extend_from_slice(&[0; 1024]);
    assert!(put(&ticket, url, &longer, None).await.is_client_error());
    let mut altered = PHOTO.to_vec();
    altered[8] ^= 0x20;
    assert!(put(&ticket, url, &altered, None).await.is_client_error());
    // The storage refused every one of them; what a refused body may leave behind (s3s-fs keeps
    // the bytes of a failed checksum, without type or checksum) is never as declared.
    let (status, body) = files.attach(&owner, &ticket).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["code"] == "upload_missing" || body["code"] == "upload_mismatch",
        "{body}"
    );
    assert_eq!(files.events_of(&ticket).await, 0);

    // Expired: the same key signed for a second, used after it.
    let short = files
        .store
        .presign_upload_valid_for(
            own_key,
            "image/jpeg",
            PHOTO.len() as u64,
            &sha256_hex(PHOTO),
            Duration::from_secs(1),
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        put(&ticket, &short.url, PHOTO, None).await,
        StatusCode::FORBIDDEN
    );
    let (status, _) = files.attach(&owner, &ticket).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(files.events_of(&ticket).await, 0);

    // An object that got there some other way and is not what was declared: the HEAD check
    // refuses it.
    files
        .store
        .put(own_key, "image/jpeg", altered.clone())
        .await
        .unwrap();
    let (status, body) = files.attach(&owner, &ticket).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "upload_mismatch");
    assert_eq!(files.events_of(&ticket).await, 0);

    // Refused before any URL is signed: too large, a type photos do not take, a bad checksum.
    let mut oversize = photo_of(order, PHOTO);
    oversize["size"] = json!(aggregates::attachment::MAX_FILE_BYTES + 1);
    let (status, body) = files.request(&owner, oversize).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "file_too_large");
    let mut svg = photo_of(order, PHOTO);
    svg["content_type"] = json!("image/svg+xml");
    let (status, body) = files.request(&owner, svg).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "file_type_not_allowed");
    let mut digest = photo_of(order, PHOTO);
    digest["sha256"] = json!("abc");
    let (status, body) = files.request(&owner, digest).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "invalid_digest");
    // A record the log does not hold.
    let (status, body) = files.request(&owner, photo_of(Uuid::now_v7(), PHOTO)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "reference_not_found");
}

#[tokio::test]
async fn only_those_who_may_attach_and_see_the_record_get_a_url() {
    let files = Files::open("files_access").await;
    let shop = &files.shop;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (mechanic_id, _) = shop.employee(&owner, "mech@motor.ru", "mechanic").await;
    shop.employee(&owner, "other@motor.ru", "mechanic").await;
    shop.employee(&owner, "cash@motor.ru", "cashier").await;
    shop.employee(&owner, "adv@motor.ru", "advisor").await;
    let mechanic = shop.token("mech@motor.ru").await;
    let other = shop.token("other@motor.ru").await;
    let cashier = shop.token("cash@motor.ru").await;
    let advisor = shop.token("adv@motor.ru").await;
    let order = order_with_mechanic(shop, &owner, mechanic_id).await;

    // The mechanic on the order may; one without a line on it may not; the cashier sees the
    // order but attaches nothing.
    let (status, ticket) = files.request(&mechanic, photo_of(order, PHOTO)).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    let (status, body) = files.request(&other, photo_of(order, PHOTO)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = files.request(&cashier, photo_of(order, PHOTO)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["details"]["permission"], "file.attach");
    let (status, _) = files
        .shop
        .http
        .post(format!("{}/v1/files/upload", files.api))
        .json(&photo_of(order, PHOTO))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Uploaded by the mechanic: nobody else confirms their upload.
    let url = ticket["url"].as_str().unwrap();
    assert_eq!(put(&ticket, url, PHOTO, None).await, StatusCode::OK);
    let (status, body) = files.attach(&advisor, &ticket).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "upload_not_requested");
    let (status, body) = files.attach(&mechanic, &ticket).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Detaching: the advisor may, with a reason; the mechanic may not.
    let id = ticket["attachment_id"].as_str().unwrap();
    let (status, _) = files
        .post(
            &mechanic,
            &format!("attachment/{id}/detach"),
            json!({ "reason": "Смазано" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = files
        .post(
            &advisor,
            &format!("attachment/{id}/detach"),
            json!({ "reason": "Смазано" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(files.events_of(&ticket).await, 2);
}

fn scan_of_client(client: Uuid, body: &[u8]) -> Value {
    json!({
        "to": { "kind": "client", "id": client },
        "kind": "scan",
        "purpose": "signed_document",
        "content_type": "application/pdf",
        "size": body.len(),
        "sha256": sha256_hex(body),
    })
}

#[tokio::test]
async fn an_erased_client_takes_no_files() {
    const SCAN: &[u8] = b"%PDF-1.4 consent to the processing of personal data";
    let files = Files::open("files_erased").await;
    let shop = &files.shop;
    let owner = shop.token(OWNER_EMAIL).await;
    let client = shop.client(&owner).await;
    // Requested and uploaded before the erasure, confirmed after it.
    let (status, ticket) = files.request(&owner, scan_of_client(client, SCAN)).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    let url = ticket["url"].as_str().unwrap();
    assert_eq!(put(&ticket, url, SCAN, None).await, StatusCode::OK);
    shop.ok(
        &owner,
        &format!("client/{client}/erase_personal_data"),
        json!({ "basis": "Заявление № 3 от 02.12.2026" }),
    )
    .await;

    let (status, body) = files.attach(&owner, &ticket).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "client_erased", "{body}");
    assert_eq!(files.events_of(&ticket).await, 0);
    let (status, body) = files.request(&owner, scan_of_client(client, SCAN)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "client_erased", "{body}");
    assert!(body["message_ru"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn without_a_storage_files_are_unavailable_not_a_fault() {
    let shop = open_shop("files_off").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let client = shop.client(&owner).await;
    let answer = shop
        .send(
            Some(&owner),
            "files/upload",
            json!({ "to": { "kind": "client", "id": client }, "kind": "scan",
                    "purpose": "signed_document", "content_type": "application/pdf",
                    "size": 10, "sha256": sha256_hex(b"0123456789") }),
            &[],
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["code"], "files_unavailable");
}
