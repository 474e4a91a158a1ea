//! The files' read model and the photos' thumbnails, against a real s3s-fs: a photo gets a
//! thumbnail beside it, a photo that does not decode and a scan get none, a detached file leaves
//! the list, and a storage that does not answer stops the projector without moving its checkpoint.
//! A client's erasure deletes their files from the bucket, and a rebuild afterwards runs through.

use std::io::Cursor;

use aggregates::attachment::{AttachedTo, AttachmentEvent, AttachmentId, FileKind, FilePurpose};
use aggregates::client::ClientEvent;
use aggregates::ids::{ClientId, EmployeeId, WorkOrderId};
use event_store::testing::TestDatabase;
use event_store::{ExpectedVersion, StreamId};
use file_store::testing::S3sFs;
use projections::read_models::attachments::{AttachmentsProjection, THUMBNAIL_EDGE};
use projections::runtime::{checkpoint, checkpoint_key, reset};
use projections::{run, ProjectionError, RunOptions};
use uuid::Uuid;

use crate::{new_events, sealed_store, wait_for};

/// A 640×480 PNG.
fn png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut bytes = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

/// A file of the order `order`, attached now.
fn attached(
    id: Uuid,
    order: Uuid,
    kind: FileKind,
    key: &str,
    content_type: &str,
) -> AttachmentEvent {
    attached_to(
        id,
        AttachedTo::WorkOrder(WorkOrderId(order)),
        kind,
        key,
        content_type,
    )
}

/// A file of `to`, attached now.
fn attached_to(
    id: Uuid,
    to: AttachedTo,
    kind: FileKind,
    key: &str,
    content_type: &str,
) -> AttachmentEvent {
    AttachmentEvent::FileAttached {
        attachment_id: AttachmentId(id),
        to,
        kind,
        purpose: FilePurpose::IntakeDamage,
        key: key.into(),
        content_type: content_type.into(),
        size: 100,
        sha256: "0".repeat(64),
        by: EmployeeId(Uuid::from_u128(7)),
        at: chrono::Utc::now(),
    }
}

#[tokio::test]
async fn photos_get_thumbnails_beside_them_and_the_cards_list_what_is_attached() {
    let s3 = S3sFs::start("files").await.unwrap();
    let files = s3.store().unwrap();
    let db = TestDatabase::create("proj_attachments", 10).await.unwrap();
    let store = sealed_store(&db.pool);
    let order = Uuid::now_v7();
    let (photo, broken, scan) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let photo_key = format!("work_order/{order}/{photo}.png");
    files.put(&photo_key, "image/png", png()).await.unwrap();
    let broken_key = format!("work_order/{order}/{broken}.jpg");
    files
        .put(&broken_key, "image/jpeg", b"not a jpeg".to_vec())
        .await
        .unwrap();
    let scan_key = format!("work_order/{order}/{scan}.pdf");
    for (id, event) in [
        (
            photo,
            attached(photo, order, FileKind::Photo, &photo_key, "image/png"),
        ),
        (
            broken,
            attached(broken, order, FileKind::Photo, &broken_key, "image/jpeg"),
        ),
        (
            scan,
            attached(scan, order, FileKind::Scan, &scan_key, "application/pdf"),
        ),
    ] {
        store
            .append(
                &StreamId::new("attachment", id.to_string()),
                ExpectedVersion::NoStream,
                &new_events(&[event]),
            )
            .await
            .unwrap();
    }
    let detached = store
        .append(
            &StreamId::new("attachment", scan.to_string()),
            ExpectedVersion::Exact(1),
            &new_events(&[AttachmentEvent::FileDetached {
                reason: "Не тот документ".into(),
                by: EmployeeId(Uuid::from_u128(7)),
                at: chrono::Utc::now(),
            }]),
        )
        .await
        .unwrap()
        .position();

    let projection = AttachmentsProjection::with_files(Some(files.clone()));
    let key = checkpoint_key::<AttachmentsProjection>();
    run(
        projection.clone(),
        store.clone(),
        RunOptions::default(),
        wait_for(&store, &key, detached),
    )
    .await
    .unwrap();

    let rows: Vec<(Uuid, Option<String>, bool)> = sqlx::query_as(
        "SELECT attachment_id, thumbnail_key, detached_at IS NOT NULL
           FROM read.attachments WHERE record_id = $1 ORDER BY attachment_id",
    )
    .bind(order)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let row = |id: Uuid| rows.iter().find(|r| r.0 == id).unwrap().clone();
    assert_eq!(rows.len(), 3);
    let thumbnail = format!("work_order/{order}/{photo}.thumb.jpg");
    assert_eq!(row(photo).1.as_deref(), Some(thumbnail.as_str()));
    assert_eq!(row(broken).1, None);
    assert_eq!(row(scan), (scan, None, true));
    let small = image::load_from_memory(&files.get(&thumbnail).await.unwrap().unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (THUMBNAIL_EDGE, 240));
    assert_eq!(
        files
            .head(&thumbnail)
            .await
            .unwrap()
            .unwrap()
            .content_type
            .as_deref(),
        Some("image/jpeg")
    );

    // The storage goes away: the next photo stops the projector, and its checkpoint stays.
    let before = checkpoint(&db.pool, &key).await.unwrap();
    let late = Uuid::now_v7();
    let late_key = format!("work_order/{order}/{late}.png");
    files.put(&late_key, "image/png", png()).await.unwrap();
    s3.stop().await;
    store
        .append(
            &StreamId::new("attachment", late.to_string()),
            ExpectedVersion::NoStream,
            &new_events(&[attached(
                late,
                order,
                FileKind::Photo,
                &late_key,
                "image/png",
            )]),
        )
        .await
        .unwrap();
    let stopped = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        run(
            projection,
            store.clone(),
            RunOptions::default(),
            std::future::pending(),
        ),
    )
    .await
    .expect("the projector stops on a storage that does not answer");
    assert!(
        matches!(stopped, Err(ProjectionError::SinkUnavailable(_))),
        "{stopped:?}"
    );
    assert_eq!(checkpoint(&db.pool, &key).await.unwrap(), before);
}

#[tokio::test]
async fn an_erased_clients_files_leave_the_bucket_and_the_cards() {
    let s3 = S3sFs::start("erased-files").await.unwrap();
    let files = s3.store().unwrap();
    let db = TestDatabase::create("proj_erased_files", 10).await.unwrap();
    let store = sealed_store(&db.pool);
    let (client, order) = (Uuid::now_v7(), Uuid::now_v7());
    let (scan, photo, detached, car_photo, late) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let of_client = AttachedTo::Client(ClientId(client));
    let key = |id: Uuid, ext: &str| format!("client/{client}/{id}.{ext}");
    let order_key = format!("work_order/{order}/{car_photo}.png");
    let files_attached = [
        (scan, of_client, FileKind::Scan, key(scan, "pdf")),
        (photo, of_client, FileKind::Photo, key(photo, "png")),
        (detached, of_client, FileKind::Scan, key(detached, "pdf")),
        (
            car_photo,
            AttachedTo::WorkOrder(WorkOrderId(order)),
            FileKind::Photo,
            order_key.clone(),
        ),
    ];
    for (id, to, kind, object) in &files_attached {
        let (bytes, content_type) = match kind {
            FileKind::Photo => (png(), "image/png"),
            FileKind::Scan => (b"%PDF-1.4 a signed consent".to_vec(), "application/pdf"),
        };
        files.put(object, content_type, bytes).await.unwrap();
        store
            .append(
                &StreamId::new("attachment", id.to_string()),
                ExpectedVersion::NoStream,
                &new_events(&[attached_to(*id, *to, *kind, object, content_type)]),
            )
            .await
            .unwrap();
    }
    // A detached scan is still the client's data in the bucket.
    store
        .append(
            &StreamId::new("attachment", detached.to_string()),
            ExpectedVersion::Exact(1),
            &new_events(&[AttachmentEvent::FileDetached {
                reason: "Дубль".into(),
                by: EmployeeId(Uuid::from_u128(7)),
                at: chrono::Utc::now(),
            }]),
        )
        .await
        .unwrap();
    store
        .append(
            &StreamId::new("client", client.to_string()),
            ExpectedVersion::NoStream,
            &new_events(&[ClientEvent::ClientPersonalDataErased {
                by: EmployeeId(Uuid::from_u128(7)),
                basis: "Заявление клиента".into(),
                at: chrono::Utc::now(),
            }]),
        )
        .await
        .unwrap();
    // Attached in a race with the erasure: its event comes after the erasure's.
    let late_key = key(late, "pdf");
    files
        .put(&late_key, "application/pdf", b"%PDF-1.4 late".to_vec())
        .await
        .unwrap();
    let head = store
        .append(
            &StreamId::new("attachment", late.to_string()),
            ExpectedVersion::NoStream,
            &new_events(&[attached_to(
                late,
                of_client,
                FileKind::Scan,
                &late_key,
                "application/pdf",
            )]),
        )
        .await
        .unwrap()
        .position();

    let projection = AttachmentsProjection::with_files(Some(files.clone()));
    let checkpoint_of = checkpoint_key::<AttachmentsProjection>();
    let project = || {
        run(
            projection.clone(),
            store.clone(),
            RunOptions::default(),
            wait_for(&store, &checkpoint_of, head),
        )
    };
    project().await.unwrap();

    let thumbnail = format!("client/{client}/{photo}.thumb.jpg");
    let car_thumbnail = format!("work_order/{order}/{car_photo}.thumb.jpg");
    let check = |pass: &'static str| {
        let (files, db) = (files.clone(), db.pool.clone());
        let (thumbnail, car_thumbnail, order_key) =
            (thumbnail.clone(), car_thumbnail.clone(), order_key.clone());
        let client_keys = [
            key(scan, "pdf"),
            key(photo, "png"),
            key(detached, "pdf"),
            late_key.clone(),
        ];
        async move {
            for gone in client_keys.iter().chain([&thumbnail]) {
                assert_eq!(files.head(gone).await.unwrap(), None, "{pass}: {gone}");
            }
            for kept in [&order_key, &car_thumbnail] {
                assert!(files.head(kept).await.unwrap().is_some(), "{pass}: {kept}");
            }
            let rows: Vec<(Uuid, bool, Option<String>)> = sqlx::query_as(
                "SELECT attachment_id, erased_at IS NOT NULL, thumbnail_key
                   FROM read.attachments ORDER BY attachment_id",
            )
            .fetch_all(&db)
            .await
            .unwrap();
            let mut want = vec![
                (scan, true, None),
                (photo, true, None),
                (detached, true, None),
                (car_photo, false, Some(car_thumbnail.clone())),
                (late, true, None),
            ];
            want.sort();
            assert_eq!(rows, want, "{pass}");
        }
    };
    check("live").await;

    // Rebuilt from the start: the photos already deleted get no thumbnail, and nothing stalls.
    reset::<AttachmentsProjection>(&db.pool).await.unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(60), project())
        .await
        .expect("the rebuild runs through files already deleted")
        .unwrap();
    check("rebuilt").await;
}

#[test]
fn a_file_is_worded_in_the_history() {
    use event_store::{LogPosition, Metadata, RecordedEvent};
    let event = attached(
        Uuid::from_u128(1),
        Uuid::from_u128(2),
        FileKind::Photo,
        "k.jpg",
        "image/jpeg",
    );
    let recorded = RecordedEvent {
        position: LogPosition {
            transaction_id: 1,
            global_position: 1,
        },
        event_id: Uuid::now_v7(),
        stream: StreamId::new("attachment", Uuid::from_u128(1).to_string()),
        version: 1,
        event_type: "FileAttached".into(),
        schema_version: 1,
        payload: serde_json::to_value(&event).unwrap(),
        metadata: Metadata::system("test"),
        recorded_at: chrono::Utc::now(),
    };
    assert_eq!(
        projections::history::describe(&recorded).unwrap(),
        "Прикреплено фото к заказ-наряду: повреждения при приёмке (1 КБ)"
    );
}
