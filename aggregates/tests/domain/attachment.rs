//! Files on records: what the domain checks of an upload, detaching, thumbnails, and the stored
//! form of every attachment event.

use aggregates::attachment::{
    AttachedTo, Attachment, AttachmentCommand as C, AttachmentEvent as E, AttachmentId, FileKind,
    FilePurpose, MAX_FILE_BYTES,
};
use aggregates::ids::{EmployeeId, VehicleId, WorkOrderId};

use crate::{at, given, id};

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn attach(kind: FileKind, content_type: &str, size: u64) -> C {
    C::Attach {
        attachment_id: AttachmentId(id(1)),
        to: AttachedTo::WorkOrder(WorkOrderId(id(2))),
        kind,
        purpose: FilePurpose::IntakeDamage,
        key: "attachments/work_order/00000000-0000-0000-0000-000000000002/1.jpg".into(),
        content_type: content_type.into(),
        size,
        sha256: SHA.to_uppercase(),
        by: EmployeeId(id(3)),
        at: at(0),
    }
}

fn attached() -> E {
    E::FileAttached {
        attachment_id: AttachmentId(id(1)),
        to: AttachedTo::WorkOrder(WorkOrderId(id(2))),
        kind: FileKind::Photo,
        purpose: FilePurpose::IntakeDamage,
        key: "attachments/work_order/00000000-0000-0000-0000-000000000002/1.jpg".into(),
        content_type: "image/jpeg".into(),
        size: 120_000,
        sha256: SHA.into(),
        by: EmployeeId(id(3)),
        at: at(0),
    }
}

#[test]
fn a_photo_is_attached_with_its_digest_in_lower_case() {
    given::<Attachment>(vec![])
        .when(attach(FileKind::Photo, "image/jpeg", 120_000))
        .then(vec![attached()]);
}

#[test]
fn a_photo_must_be_an_image_browsers_show_and_a_scan_may_be_a_pdf() {
    given::<Attachment>(vec![])
        .when(attach(FileKind::Photo, "application/pdf", 10))
        .then_err("file_type_not_allowed");
    given::<Attachment>(vec![])
        .when(attach(FileKind::Photo, "image/svg+xml", 10))
        .then_err("file_type_not_allowed");
    let events = given::<Attachment>(vec![])
        .when(attach(FileKind::Scan, "application/pdf", 10))
        .events();
    assert_eq!(events.len(), 1);
}

#[test]
fn an_empty_or_oversize_file_is_refused() {
    given::<Attachment>(vec![])
        .when(attach(FileKind::Photo, "image/png", 0))
        .then_err("file_too_large");
    given::<Attachment>(vec![])
        .when(attach(FileKind::Photo, "image/png", MAX_FILE_BYTES + 1))
        .then_err("file_too_large");
    given::<Attachment>(vec![])
        .when(attach(FileKind::Photo, "image/png", MAX_FILE_BYTES))
        .events();
}

#[test]
fn a_digest_must_be_a_sha256() {
    let C::Attach {
        attachment_id,
        to,
        kind,
        purpose,
        key,
        content_type,
        size,
        by,
        at,
        ..
    } = attach(FileKind::Photo, "image/jpeg", 1)
    else {
        unreachable!()
    };
    given::<Attachment>(vec![])
        .when(C::Attach {
            attachment_id,
            to,
            kind,
            purpose,
            key,
            content_type,
            size,
            sha256: "abc".into(),
            by,
            at,
        })
        .then_err("invalid_digest");
}

#[test]
fn a_file_is_attached_once() {
    given::<Attachment>(vec![attached()])
        .when(attach(FileKind::Photo, "image/jpeg", 120_000))
        .then_err("already_exists");
}

#[test]
fn detaching_needs_a_reason_and_happens_once() {
    let detach = |reason: &str| C::Detach {
        reason: reason.into(),
        by: EmployeeId(id(4)),
        at: at(5),
    };
    given::<Attachment>(vec![])
        .when(detach("Не та машина"))
        .then_err("not_found");
    given::<Attachment>(vec![attached()])
        .when(detach("  "))
        .then_err("required");
    given::<Attachment>(vec![attached()])
        .when(detach(" Не та машина "))
        .then(vec![E::FileDetached {
            reason: "Не та машина".into(),
            by: EmployeeId(id(4)),
            at: at(5),
        }]);
    let detached = E::FileDetached {
        reason: "x".into(),
        by: EmployeeId(id(4)),
        at: at(5),
    };
    given::<Attachment>(vec![attached(), detached])
        .when(detach("again"))
        .then_err("file_detached");
}

#[test]
fn a_thumbnail_sits_beside_its_photo() {
    assert_eq!(
        aggregates::attachment::thumbnail_key("work_order/x/1.jpg"),
        "work_order/x/1.thumb.jpg"
    );
    assert_eq!(
        aggregates::attachment::thumbnail_key("a/b"),
        "a/b.thumb.jpg"
    );
}

fn samples() -> Vec<E> {
    vec![
        attached(),
        E::FileDetached {
            reason: "Фото не той машины".into(),
            by: EmployeeId(id(4)),
            at: at(5),
        },
    ]
}

#[test]
fn every_attachment_event_type_keeps_its_stored_form() {
    crate::golden::check::<Attachment>(samples());
    // The record a file belongs to reads as `{"kind": …, "id": …}` in every variant.
    let vehicle = serde_json::to_value(AttachedTo::Vehicle(VehicleId(id(9)))).unwrap();
    assert_eq!(vehicle["kind"], "vehicle");
}
