//! A Kafka message of the relay, written straight into its bytes.
//!
//! A message is the event as `serde_json` writes a [`StoredEvent`] (its payload and every field of
//! the envelope), and consumers read it as a `RecordedEvent`. Written through serde's derive, the
//! envelope cost the relay more than the payload it carries: every UUID and the time went through
//! `fmt` and an escaping pass they cannot need, and the key through `format!`. Here the numbers,
//! ids and time are written directly, the strings that may need escaping go through `serde_json`,
//! and the payload is copied as read. The bytes are the very bytes serde writes; the tests hold the
//! two to that.

use chrono::{DateTime, Datelike, Timelike, Utc};
use event_store::StoredEvent;
use uuid::Uuid;

/// `event` as the message's JSON, appended to `out`.
pub fn write(event: &StoredEvent, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"position\":{\"transaction_id\":");
    number(out, event.position.transaction_id);
    out.extend_from_slice(b",\"global_position\":");
    number(out, event.position.global_position);
    out.extend_from_slice(b"},\"event_id\":");
    uuid(out, &event.event_id);
    out.extend_from_slice(b",\"stream\":{\"stream_type\":");
    string(out, &event.stream.stream_type);
    out.extend_from_slice(b",\"id\":");
    string(out, &event.stream.id);
    out.extend_from_slice(b"},\"version\":");
    number(out, event.version);
    out.extend_from_slice(b",\"event_type\":");
    string(out, &event.event_type);
    out.extend_from_slice(b",\"schema_version\":");
    number(out, u64::from(event.schema_version));
    out.extend_from_slice(b",\"payload\":");
    // PostgreSQL's `json` column holds valid JSON, and the read checked it again.
    out.extend_from_slice(event.payload.get().as_bytes());
    let metadata = &event.metadata;
    out.extend_from_slice(b",\"metadata\":{\"actor\":");
    string(out, &metadata.actor);
    out.extend_from_slice(b",\"correlation_id\":");
    uuid(out, &metadata.correlation_id);
    out.extend_from_slice(b",\"causation_id\":");
    uuid(out, &metadata.causation_id);
    if let Some(command_id) = &metadata.command_id {
        out.extend_from_slice(b",\"command_id\":");
        uuid(out, command_id);
    }
    out.extend_from_slice(b"},\"recorded_at\":");
    time(out, &event.recorded_at);
    out.push(b'}');
}

/// The message's key, the event's stream as `StreamId`'s `Display` writes it, appended to `out`.
pub fn key_into(event: &StoredEvent, out: &mut String) {
    out.push_str(&event.stream.stream_type);
    out.push('/');
    out.push_str(&event.stream.id);
}

fn number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut buffer = Uuid::encode_buffer();
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buffer).as_bytes());
    out.push(b'"');
}

/// A string as JSON, escaped as `serde_json` escapes it.
fn string(out: &mut Vec<u8>, text: &str) {
    // Writing a `&str` into a `Vec` cannot fail: there is no I/O and no map key to refuse.
    serde_json::to_writer(&mut *out, text).expect("a string serialises into a Vec");
}

/// The time as chrono's serde writes it (RFC 3339 in UTC with `Z`, the fraction in 3, 6 or 9
/// digits as it needs, a leap second as `:60`). A year outside 0..=9999 (never in the log, whose
/// times PostgreSQL stamps) is left to chrono itself.
fn time(out: &mut Vec<u8>, at: &DateTime<Utc>) {
    let year = at.year();
    if !(0..=9999).contains(&year) {
        serde_json::to_writer(&mut *out, at).expect("a time serialises into a Vec");
        return;
    }
    let (mut second, mut nanos) = (at.second(), at.nanosecond());
    if nanos >= 1_000_000_000 {
        second += 1;
        nanos -= 1_000_000_000;
    }
    out.push(b'"');
    digits(out, year.unsigned_abs(), 4);
    out.push(b'-');
    digits(out, at.month(), 2);
    out.push(b'-');
    digits(out, at.day(), 2);
    out.push(b'T');
    digits(out, at.hour(), 2);
    out.push(b':');
    digits(out, at.minute(), 2);
    out.push(b':');
    digits(out, second, 2);
    if nanos != 0 {
        out.push(b'.');
        if nanos % 1_000_000 == 0 {
            digits(out, nanos / 1_000_000, 3);
        } else if nanos % 1_000 == 0 {
            digits(out, nanos / 1_000, 6);
        } else {
            digits(out, nanos, 9);
        }
    }
    out.extend_from_slice(b"Z\"");
}

/// `value` in exactly `width` decimal digits, zero-padded (`value` has no more digits than that).
fn digits(out: &mut Vec<u8>, value: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(b'0' + (value / 10u32.pow(place) % 10) as u8);
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use event_store::{Envelope, LogPosition, Metadata, StreamId};
    use serde_json::value::RawValue;

    use super::*;

    fn event(stream_id: &str, actor: &str, command: bool, at: DateTime<Utc>) -> StoredEvent {
        Envelope {
            position: LogPosition {
                transaction_id: 18_446_744_073_709_551_615,
                global_position: 0,
            },
            event_id: Uuid::now_v7(),
            stream: StreamId::new("work_order", stream_id),
            version: 42,
            event_type: "LabourLineAdded".into(),
            schema_version: 3,
            payload: RawValue::from_string(r#"{"a": [1, "\u0001é\"", {"b": null}]}"#.into())
                .unwrap(),
            metadata: Metadata {
                actor: actor.into(),
                correlation_id: Uuid::now_v7(),
                causation_id: Uuid::nil(),
                command_id: command.then(Uuid::now_v7),
            },
            recorded_at: at,
        }
    }

    fn times() -> Vec<DateTime<Utc>> {
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let mut times: Vec<DateTime<Utc>> = [
            0,
            1_000_000,
            120_000_000,
            999_000_000,
            1_000,
            123_456_000,
            999_999_000,
            1,
            123_456_789,
            123_456_700,
            // A leap second, as chrono holds one: written as second 60.
            1_000_000_000,
            1_500_000_000,
            1_999_999_999,
        ]
        .into_iter()
        .map(|nanos| Utc.from_utc_datetime(&day.and_hms_nano_opt(23, 59, 59, nanos).unwrap()))
        .collect();
        for year in [0, 1, 999, 1970, 9999, -1, 10_000, -200_000] {
            let date = NaiveDate::from_ymd_opt(year, 1, 2).unwrap();
            times.push(Utc.from_utc_datetime(&date.and_hms_micro_opt(3, 4, 5, 6).unwrap()));
        }
        times
    }

    #[test]
    fn a_message_is_what_serde_writes() {
        let names = [
            "0193a6c2-6f1e-7b7a-9d2e-1f2a3b4c5d6e",
            "",
            "кавычка \" и \\ обратная черта",
            "\u{1}\u{1f}\n\t\u{7f}",
        ];
        let mut checked = 0;
        for at in times() {
            for name in names {
                for command in [true, false] {
                    let event = event(name, &format!("employee:{name}"), command, at);
                    let mut written = Vec::new();
                    write(&event, &mut written);
                    assert_eq!(
                        String::from_utf8(written).unwrap(),
                        serde_json::to_string(&event).unwrap(),
                        "{at:?}"
                    );
                    let mut key = String::from("kept");
                    key_into(&event, &mut key);
                    assert_eq!(key, format!("kept{}", event.stream));
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 21 * 4 * 2);
    }

    #[test]
    fn a_message_is_appended_to_what_is_there() {
        let event = event("1", "system", true, Utc::now());
        let mut written = b"kept".to_vec();
        write(&event, &mut written);
        assert_eq!(&written[..4], b"kept");
        let read: event_store::RecordedEvent = serde_json::from_slice(&written[4..]).unwrap();
        assert_eq!(read.event_id, event.event_id);
        assert_eq!(read.recorded_at, event.recorded_at);
    }
}
