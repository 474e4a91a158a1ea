//! The storage itself refuses what the presigned upload did not sign for: another key, a changed
//! signature, an expired URL, another length, type or content. Against a real s3s-fs.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use file_store::testing::S3sFs;
use file_store::SignedUpload;

const BODY: &[u8] = b"\xff\xd8\xff\xe0 a small jpeg-ish body";

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn put(upload: &SignedUpload, url: &str, body: &[u8], skip: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new().put(url).body(body.to_vec());
    for (name, value) in &upload.headers {
        if Some(name.as_str()) != skip {
            request = request.header(name, value);
        }
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_signed_upload_lands_and_everything_else_is_refused() {
    let s3 = S3sFs::start("files").await.unwrap();
    let store = s3.store().unwrap();
    let sha = sha256_hex(BODY);
    let len = BODY.len() as u64;
    let upload = store
        .presign_upload("a/1.jpg", "image/jpeg", len, &sha)
        .unwrap();

    // Another key under the same signature.
    let other_key = upload.url.replace("/a/1.jpg", "/a/2.jpg");
    assert_eq!(put(&upload, &other_key, BODY, None).await, 403);
    // A changed signature.
    let tampered = {
        let at = upload.url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
        let mut url = upload.url.clone();
        let flipped = if &url[at..=at] == "0" { "1" } else { "0" };
        url.replace_range(at..=at, flipped);
        url
    };
    assert_eq!(put(&upload, &tampered, BODY, None).await, 403);
    // A longer body (the signed length no longer holds).
    let mut longer = BODY.to_vec();
    longer.extend_from_slice(b"more");
    assert!(put(&upload, &upload.url, &longer, None).await >= 400);
    // Another type than signed.
    let mut png = upload.clone();
    png.headers
        .insert("content-type".into(), "image/png".into());
    assert_eq!(put(&png, &upload.url, BODY, None).await, 403);
    // The same length with other content: the signed checksum refuses it.
    let mut other = BODY.to_vec();
    other[5] ^= 1;
    assert!(put(&upload, &upload.url, &other, None).await >= 400);
    // Without the checksum header.
    assert_eq!(
        put(&upload, &upload.url, BODY, Some("x-amz-checksum-sha256")).await,
        403
    );
    // s3s-fs refuses a body that fails the signed checksum (400 BadDigest) but may leave its bytes
    // behind, without the type or the checksum: never as declared, which is what the server's
    // HEAD check before attaching looks for.
    let left = store.head("a/1.jpg").await.unwrap();
    assert!(
        left.as_ref()
            .is_none_or(|o| o.sha256.as_deref() != Some(sha.as_str()) && o.content_type.is_none()),
        "{left:?}"
    );
    assert_eq!(store.head("a/2.jpg").await.unwrap(), None);

    // An expired URL.
    let short = store
        .presign_upload_valid_for("a/3.jpg", "image/jpeg", len, &sha, Duration::from_secs(1))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(put(&short, &short.url, BODY, None).await, 403);
    assert_eq!(store.head("a/3.jpg").await.unwrap(), None);

    // The real thing.
    assert_eq!(put(&upload, &upload.url, BODY, None).await, 200);
    let stored = store.head("a/1.jpg").await.unwrap().unwrap();
    assert_eq!(stored.size, len);
    assert_eq!(stored.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(stored.sha256.as_deref(), Some(sha.as_str()));
    // And a presigned GET brings it back.
    let got = reqwest::get(store.presign_download("a/1.jpg"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], BODY);
    s3.stop().await;
}
