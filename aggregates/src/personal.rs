//! Which fields of which events are personal data (152-ФЗ), and whose.
//!
//! The domain knows what is personal; the log must never hold it in the clear. This table is the
//! one place that says so: the event store's codec (crate `personal-data`) seals exactly these
//! fields on append, under the data key of the subject named here, and opens them on read. A
//! field listed here is a JSON pointer into the stored payload; `*` stands for every element of
//! an array. A pointer that is absent or not a string in a given payload (a company has no
//! `full_name`, an e-mail may be `null`) is skipped.
//!
//! Not personal, and clear in the log: companies' names and requisites (INN/KPP), vehicles (VIN,
//! plate, make, mileage), money, the lines and their approval times, and the intake act's complaints and damage lists, which describe
//! the car. A client's notes and archive reason, a booking's note and cancellation reason, and an
//! absence's note are free text a person may be named in: sealed.
//!
//! A new event with personal data adds its row here, and its golden and round-trip tests prove it.

/// What every reader shows in place of an erased subject's personal field.
pub const ERASED: &str = "[данные удалены]";

/// Whose data a field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The stream's own id: a client's record, an employee's schedule.
    Stream,
    /// The UUID at this pointer of the payload: one employee of the shop's one staff stream.
    Field(&'static str),
    /// The UUID at `pointer` of the stream's first `event_type` event: the client of a work
    /// order, whose approvals name the person who decided and how to reach them.
    Opening {
        /// The event that names the subject (`WorkOrderOpened`).
        event_type: &'static str,
        /// Where in it (`/client_id`).
        pointer: &'static str,
    },
}

/// The kind of data subject, as the key store names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// A client (a person; a company's phones and e-mail are sealed too, as they may be a
    /// person's own).
    Client,
    /// An employee.
    Employee,
}

/// The personal fields of one event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalFields {
    /// The stream type the event is written to.
    pub stream_type: &'static str,
    /// The event type.
    pub event_type: &'static str,
    /// Whose fields they are.
    pub subject: Subject,
    /// The subject's kind.
    pub kind: SubjectKind,
    /// JSON pointers into the payload, `*` for every element of an array.
    pub fields: &'static [&'static str],
}

const fn client(event_type: &'static str, fields: &'static [&'static str]) -> PersonalFields {
    PersonalFields {
        stream_type: "client",
        event_type,
        subject: Subject::Stream,
        kind: SubjectKind::Client,
        fields,
    }
}

const fn employee(event_type: &'static str, fields: &'static [&'static str]) -> PersonalFields {
    PersonalFields {
        stream_type: "staff",
        event_type,
        subject: Subject::Field("/employee_id"),
        kind: SubjectKind::Employee,
        fields,
    }
}

const fn approval(event_type: &'static str) -> PersonalFields {
    PersonalFields {
        stream_type: "work_order",
        event_type,
        subject: Subject::Opening {
            event_type: "WorkOrderOpened",
            pointer: "/client_id",
        },
        kind: SubjectKind::Client,
        fields: &[
            "/record/by",
            "/record/channel/number",
            "/record/channel/address",
            "/record/channel/user_agent",
        ],
    }
}

const fn link_evidence(
    event_type: &'static str,
    fields: &'static [&'static str],
) -> PersonalFields {
    PersonalFields {
        stream_type: "work_order",
        event_type,
        subject: Subject::Opening {
            event_type: "WorkOrderOpened",
            pointer: "/client_id",
        },
        kind: SubjectKind::Client,
        fields,
    }
}

/// Every event with personal data, and where in it.
pub const PERSONAL_FIELDS: &[PersonalFields] = &[
    client(
        "ClientRegistered",
        &["/party/full_name", "/phones/*", "/email"],
    ),
    client("ClientDetailsChanged", &["/party/full_name"]),
    client("ClientPhoneAdded", &["/phone"]),
    client("ClientPhoneRemoved", &["/phone"]),
    client("ClientEmailChanged", &["/email"]),
    client("ClientNoteAdded", &["/text"]),
    client("ClientArchived", &["/reason"]),
    // Who approved a line, the phone they approved from, the link's address and browser: the
    // client's (or their representative's) data, erased with the client.
    approval("LineApproved"),
    approval("LineDeclined"),
    // The address and browser a link was opened and answered from: the client's, as above.
    link_evidence("ApprovalLinkOpened", &["/address", "/user_agent"]),
    link_evidence("ApprovalLinkAnswered", &["/by", "/address", "/user_agent"]),
    // A booking's note and a cancellation's reason are what the client said on the phone, where a
    // person may be named: the client's, erased with them.
    PersonalFields {
        stream_type: "appointment",
        event_type: "AppointmentBooked",
        subject: Subject::Field("/client_id"),
        kind: SubjectKind::Client,
        fields: &["/note"],
    },
    PersonalFields {
        stream_type: "appointment",
        event_type: "AppointmentCancelled",
        subject: Subject::Opening {
            event_type: "AppointmentBooked",
            pointer: "/client_id",
        },
        kind: SubjectKind::Client,
        fields: &["/reason"],
    },
    // An absence's note (a sick-leave certificate, who agreed it) is the employee's; their
    // schedule is keyed by their id.
    PersonalFields {
        stream_type: "work_schedule",
        event_type: "AbsenceRecorded",
        subject: Subject::Stream,
        kind: SubjectKind::Employee,
        fields: &["/note"],
    },
    // A message to a client: where it went and what it said (the approval link's message holds
    // the link itself, a capability): the client's, sealed and forgotten with them.
    PersonalFields {
        stream_type: "notification",
        event_type: "NotificationQueued",
        subject: Subject::Field("/client_id"),
        kind: SubjectKind::Client,
        fields: &["/to", "/subject", "/body"],
    },
    employee("EmployeeHired", &["/full_name", "/email", "/phone"]),
    employee(
        "EmployeeDetailsChanged",
        &["/full_name", "/email", "/phone"],
    ),
];

impl PersonalFields {
    /// The concrete pointers of this event's personal strings in `payload`, in the table's
    /// order: `*` expanded to each element, absent fields and non-strings (`null`) left out. The
    /// one walk every sealer, opener and hider of personal fields uses.
    pub fn pointers_in(&self, payload: &serde_json::Value) -> Vec<String> {
        let mut found = Vec::new();
        for pattern in self.fields {
            expand(payload, pattern, String::new(), &mut found);
        }
        found
    }
}

fn expand(value: &serde_json::Value, pattern: &str, here: String, out: &mut Vec<String>) {
    use serde_json::Value;
    let Some(rest) = pattern.strip_prefix('/') else {
        if value.is_string() {
            out.push(here);
        }
        return;
    };
    let (segment, tail) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    match (segment, value) {
        ("*", Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                expand(item, tail, format!("{here}/{i}"), out);
            }
        }
        (name, Value::Object(fields)) => {
            if let Some(inner) = fields.get(name) {
                expand(inner, tail, format!("{here}/{name}"), out);
            }
        }
        _ => {}
    }
}

/// The personal fields of `event_type` in a `stream_type` stream, if it has any.
pub fn personal_fields(stream_type: &str, event_type: &str) -> Option<&'static PersonalFields> {
    PERSONAL_FIELDS
        .iter()
        .find(|f| f.event_type == event_type && f.stream_type == stream_type)
}

/// Whether any event of this stream type carries personal data (such streams get no snapshots:
/// a snapshot is a copy of the state outside the log, in the clear).
pub fn stream_has_personal_data(stream_type: &str) -> bool {
    PERSONAL_FIELDS.iter().any(|f| f.stream_type == stream_type)
}

/// Refuses the erased marker as new input: it is what readers show for destroyed data, so a
/// value equal to it would read as erased while it is not.
pub(crate) fn not_erased_marker(
    value: &str,
    field: &'static str,
) -> Result<(), crate::DomainError> {
    if value.trim() == ERASED {
        return Err(crate::DomainError::ReservedValue { field });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{PersonalFields, Subject, SubjectKind};

    #[test]
    fn the_walk_expands_arrays_and_skips_what_is_absent_or_not_a_string() {
        let spec = PersonalFields {
            stream_type: "client",
            event_type: "Test",
            subject: Subject::Stream,
            kind: SubjectKind::Client,
            fields: &[
                "/full_name",
                "/email",
                "/phone",
                "/party/full_name",
                "/phones/*",
                "/contacts/*/name",
            ],
        };
        let payload = json!({
            "client_id": "x", "full_name": "Анна", "email": null,
            "party": { "full_name": "Пётр" }, "phones": ["+79123456789", "+79123456780"],
            "contacts": [{ "name": "Иван" }, { "phone": "1" }, { "name": 3 }],
        });
        assert_eq!(
            spec.pointers_in(&payload),
            [
                "/full_name",
                "/party/full_name",
                "/phones/0",
                "/phones/1",
                "/contacts/0/name"
            ]
        );
    }
}
