//! What the shop tells a client, and when: the triggers the owner can switch on, the templates
//! they write (Russian, with placeholders) and the quiet hours no message may break.
//!
//! A trigger is on for a channel exactly when the owner wrote a template for it: there is no
//! built-in wording, so nothing reaches a client in words nobody in the shop chose.

use std::fmt;

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::planning::UtcOffset;
use crate::DomainError;

/// The status change a client may be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The car was received (`VehicleAccepted`).
    CarAccepted,
    /// The estimate waits for the client's approval: the approval link is sent.
    ApprovalLink,
    /// The work is done and the car is ready for pickup (`WorkOrderCompleted`; the shop has no
    /// separate "ready" status: a completed order is one the client may collect).
    WorkCompleted,
    /// An invoice was issued to the order's client (`InvoiceIssued`).
    InvoiceIssued,
}

impl Trigger {
    /// Every trigger, in the order the owner's screen lists them.
    pub const ALL: [Trigger; 4] = [
        Trigger::CarAccepted,
        Trigger::ApprovalLink,
        Trigger::WorkCompleted,
        Trigger::InvoiceIssued,
    ];

    /// The stable code (`car_accepted`), as stored and as the API names it.
    pub fn code(self) -> &'static str {
        match self {
            Self::CarAccepted => "car_accepted",
            Self::ApprovalLink => "approval_link",
            Self::WorkCompleted => "work_completed",
            Self::InvoiceIssued => "invoice_issued",
        }
    }

    /// The trigger in the shop's words.
    pub fn name_ru(self) -> &'static str {
        match self {
            Self::CarAccepted => "автомобиль принят",
            Self::ApprovalLink => "смета ждёт согласования",
            Self::WorkCompleted => "работы выполнены, можно забирать",
            Self::InvoiceIssued => "выставлен счёт",
        }
    }
}

/// How a message reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A text message to the client's first phone.
    Sms,
    /// An e-mail to the client's address.
    Email,
}

impl Channel {
    /// Both channels.
    pub const ALL: [Channel; 2] = [Channel::Sms, Channel::Email];

    /// The stable code (`sms`, `email`); also the name part of a notification's id.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    /// The channel in the shop's words («SMS», «e-mail»).
    pub fn name_ru(self) -> &'static str {
        match self {
            Self::Sms => "SMS",
            Self::Email => "e-mail",
        }
    }
}

/// The placeholders a template may use, with what each stands for.
pub const PLACEHOLDERS: [(&str, &str); 5] = [
    ("номер_заказа", "the work order's number"),
    ("автомобиль", "the car: make, model and plate"),
    ("сумма", "the order's or invoice's total in roubles"),
    ("сервис", "the shop's name"),
    ("ссылка", "the approval link (approval_link only)"),
];

/// The longest template body: an SMS of about six parts in Cyrillic, or a short letter.
pub const MAX_BODY: usize = 1000;
/// The longest e-mail subject.
pub const MAX_SUBJECT: usize = 200;

/// A template the owner wrote for one trigger and channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// The trigger.
    pub trigger: Trigger,
    /// The channel.
    pub channel: Channel,
    /// The e-mail's subject (e-mail only).
    pub subject: Option<String>,
    /// The text, with placeholders in braces.
    pub body: String,
}

/// The values a template is filled with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    /// `{номер_заказа}`.
    pub order_number: String,
    /// `{автомобиль}`.
    pub car: String,
    /// `{сумма}`.
    pub amount: String,
    /// `{сервис}`.
    pub shop: String,
    /// `{ссылка}`.
    pub link: String,
}

impl Template {
    /// Checks a template as the owner sent it: known placeholders only, `{ссылка}` in the approval
    /// link's template and nowhere else, a subject for e-mail and none for SMS.
    pub fn validated(self) -> Result<Self, DomainError> {
        let invalid = |reason: &'static str| DomainError::InvalidTemplate { reason };
        let body = crate::required_text(&self.body, "body", MAX_BODY)?;
        let subject = match (self.channel, self.subject) {
            (Channel::Email, Some(subject)) => {
                Some(crate::required_text(&subject, "subject", MAX_SUBJECT)?)
            }
            (Channel::Email, None) => return Err(DomainError::Required { field: "subject" }),
            (Channel::Sms, Some(_)) => return Err(invalid("an SMS has no subject")),
            (Channel::Sms, None) => None,
        };
        let mut names = placeholders(&body).map_err(invalid)?;
        if let Some(subject) = &subject {
            names.extend(placeholders(subject).map_err(invalid)?);
        }
        if names
            .iter()
            .any(|n| !PLACEHOLDERS.iter().any(|(p, _)| p == n))
        {
            return Err(invalid(
                "placeholders are {номер_заказа}, {автомобиль}, {сумма}, {сервис}, {ссылка}",
            ));
        }
        let has_link = names.iter().any(|n| n == "ссылка");
        match (self.trigger == Trigger::ApprovalLink, has_link) {
            (true, false) => return Err(invalid("the approval link's message needs {ссылка}")),
            (false, true) => return Err(invalid("only the approval link's message has {ссылка}")),
            _ => {}
        }
        Ok(Self {
            subject,
            body,
            ..self
        })
    }

    /// The subject and body with the placeholders filled in.
    pub fn render(&self, values: &Values) -> (Option<String>, String) {
        (
            self.subject.as_deref().map(|s| fill(s, values)),
            fill(&self.body, values),
        )
    }
}

/// The names in braces, or why the braces do not pair.
fn placeholders(text: &str) -> Result<Vec<String>, &'static str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or("a { without }")? + open;
        let name = &rest[open + 1..close];
        if name.contains('{') {
            return Err("a { without }");
        }
        names.push(name.to_owned());
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err("a } without {");
    }
    Ok(names)
}

fn fill(text: &str, values: &Values) -> String {
    text.replace("{номер_заказа}", &values.order_number)
        .replace("{автомобиль}", &values.car)
        .replace("{сумма}", &values.amount)
        .replace("{сервис}", &values.shop)
        .replace("{ссылка}", &values.link)
}

/// The hours of the shop's day when no message goes out (e.g. 21:00–09:00), in the shop's local
/// time ([`UtcOffset`] of the shop's calendar). A message due inside them waits until they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    /// When the quiet starts (local).
    pub from: NaiveTime,
    /// When it ends (local); before `from` when it spans midnight.
    pub until: NaiveTime,
}

impl QuietHours {
    /// Quiet hours that start and end at different times.
    pub fn new(from: NaiveTime, until: NaiveTime) -> Result<Self, DomainError> {
        if from == until {
            return Err(DomainError::InvalidTemplate {
                reason: "quiet hours must start and end at different times",
            });
        }
        Ok(Self { from, until })
    }

    /// Whether a local time of day is quiet.
    pub fn is_quiet(&self, time: NaiveTime) -> bool {
        if self.from < self.until {
            self.from <= time && time < self.until
        } else {
            time >= self.from || time < self.until
        }
    }

    /// The first instant at or after `at` outside the quiet hours.
    pub fn next_allowed(&self, at: DateTime<Utc>, offset: UtcOffset) -> DateTime<Utc> {
        let local = offset.local_time(at);
        if !self.is_quiet(local) {
            return at;
        }
        let date = offset.local_date(at);
        // Before `until` on the same local day (the small hours of a span over midnight, or a
        // span within one day), else `until` tomorrow.
        let end_date = if local < self.until {
            date
        } else {
            date.succ_opt().unwrap_or(date)
        };
        offset.instant(end_date, self.until)
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}–{}",
            self.from.format("%H:%M"),
            self.until.format("%H:%M")
        )
    }
}
