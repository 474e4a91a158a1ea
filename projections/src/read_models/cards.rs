//! The read models' own record of what a card shows: a work order's intake act and recommendations
//! (`read.work_orders.card`), an invoice's lines as issued (`read.invoices.card`), the shop's
//! settings (`read.settings.card`).
//!
//! Why not the domain's fold: `read.*.state` is the aggregate's internal state, free to change
//! shape whenever the domain needs it (a field renamed, a line split in two). Were the query API to
//! decode it, every such change would break reads of the rows already stored until a rebuild. The
//! card is a contract of its own between the projector (which writes it) and the query API (which
//! only reads it): versioned like an event, its stored form pinned by golden files
//! (`tests/golden/cards/`), and built from the domain's state in one place, here, on the
//! projector's side. `state` stays the projector's private working fold; nothing else reads it.
//!
//! The stored JSON carries its version (`"v": "1"`), so a later shape is added as a new variant
//! beside the old one, and [`WorkOrderCard::current`] brings an old row up to it: the same discipline
//! as an event's schema version and upcaster. Money is in kopecks, as integers.

use std::collections::BTreeMap;

use aggregates::invoice::Invoice;
use aggregates::markup::MarkupScale;
use aggregates::settings::Settings;
use aggregates::work_order::{InvoiceLineKind, LineDecision, LinkState, WorkOrder};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A card as stored, in any of its versions: what its reader decodes and brings to the current shape.
pub trait Card: DeserializeOwned {
    /// The current shape.
    type Current;
    /// What the card is of (`work order`, …), for the reader's error.
    const OF: &'static str;
    /// The card in the current shape, whichever shape it was stored in.
    fn current(self) -> Self::Current;
}

/// A work order's card as stored, tagged with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "v")]
pub enum WorkOrderCard {
    /// The first shape.
    #[serde(rename = "1")]
    V1(WorkOrderCardV1),
}

/// What a work order's card shows beyond the board's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkOrderCardV1 {
    /// The intake act, once the car is received.
    pub intake: Option<IntakeAct>,
    /// Work recommended for later, including declined lines, in the order recommended.
    pub recommendations: Vec<RecommendationCard>,
    /// The approval links sent, oldest first. Added to this shape as an optional field (absent
    /// from cards stored before links and from orders that sent none), the way an event gains
    /// one: every stored V1 card still reads the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approval_links: Vec<ApprovalLinkCard>,
}

/// An approval link as the advisor's card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalLinkCard {
    /// Its id.
    pub id: Uuid,
    /// Who sent it.
    pub issued_by: Uuid,
    /// When.
    pub issued_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When the client first opened it.
    pub opened_at: Option<DateTime<Utc>>,
    /// `live`, `revoked`, `voided` (the estimate changed) or `answered`.
    pub state: String,
    /// The client's answer: who, from where, when, and line by line.
    pub answer: Option<LinkAnswerCard>,
}

/// The client's answer through a link: the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkAnswerCard {
    /// The name the client gave.
    pub by: String,
    /// Their address.
    pub address: String,
    /// Their browser.
    pub user_agent: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The lines approved.
    pub approved: Vec<Uuid>,
    /// The lines declined.
    pub declined: Vec<Uuid>,
}

/// The intake act (акт приёмки).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeAct {
    /// Odometer, km.
    pub mileage_km: u32,
    /// The reason for the visit, in the client's words.
    pub complaints: String,
    /// Fuel level, eighths of a tank.
    pub fuel_eighths: u8,
    /// Visible damage, one item each.
    pub visible_damage: Vec<String>,
    /// Things left in the car.
    pub items_left: Vec<String>,
    /// The employee who received the car.
    pub received_by: Uuid,
    /// When.
    pub at: DateTime<Utc>,
}

/// Work recommended for later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationCard {
    /// Its id (for a declined line, the line's id).
    pub id: Uuid,
    /// What is recommended.
    pub text: String,
    /// What it would cost, kopecks, for a declined line.
    pub estimate: Option<i64>,
    /// When.
    pub at: DateTime<Utc>,
}

impl WorkOrderCard {
    /// The card of an order as the domain folds it, in the current shape.
    pub fn of(order: &WorkOrder) -> Self {
        Self::V1(WorkOrderCardV1 {
            intake: order.intake.as_ref().map(|i| IntakeAct {
                mileage_km: i.mileage_km,
                complaints: i.complaints.clone(),
                fuel_eighths: i.fuel_eighths,
                visible_damage: i.visible_damage.clone(),
                items_left: i.items_left.clone(),
                received_by: i.received_by.0,
                at: i.at,
            }),
            recommendations: order
                .recommendations
                .iter()
                .map(|r| RecommendationCard {
                    id: r.recommendation_id.0,
                    text: r.text.clone(),
                    estimate: r.estimate.map(|m| m.as_kopecks()),
                    at: r.at,
                })
                .collect(),
            approval_links: order
                .approval_links
                .iter()
                .map(|link| ApprovalLinkCard {
                    id: link.link_id.0,
                    issued_by: link.issued_by.0,
                    issued_at: link.issued_at,
                    expires_at: link.expires_at,
                    opened_at: link.opened_at,
                    state: match link.state {
                        LinkState::Live => "live",
                        LinkState::Revoked => "revoked",
                        LinkState::Voided => "voided",
                        LinkState::Answered => "answered",
                    }
                    .to_owned(),
                    answer: link.answer.as_ref().map(|answer| {
                        let lines = |wanted: LineDecision| {
                            answer
                                .decisions
                                .iter()
                                .filter(|d| d.decision == wanted)
                                .map(|d| d.line_id.0)
                                .collect()
                        };
                        LinkAnswerCard {
                            by: answer.by.clone(),
                            address: answer.address.clone(),
                            user_agent: answer.user_agent.clone(),
                            at: answer.at,
                            approved: lines(LineDecision::Approve),
                            declined: lines(LineDecision::Decline),
                        }
                    }),
                })
                .collect(),
        })
    }
}

impl Card for WorkOrderCard {
    type Current = WorkOrderCardV1;
    const OF: &'static str = "work order";

    fn current(self) -> WorkOrderCardV1 {
        match self {
            Self::V1(card) => card,
        }
    }
}

/// An invoice's card as stored, tagged with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "v")]
pub enum InvoiceCard {
    /// The first shape.
    #[serde(rename = "1")]
    V1(InvoiceCardV1),
}

/// What an invoice's card shows beyond the list's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceCardV1 {
    /// The lines as issued (frozen at issue), in the invoice's order.
    pub lines: Vec<InvoiceLineCard>,
}

/// An invoice line, frozen at issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLineCard {
    /// `labour`, `parts` or `client_part`.
    pub kind: String,
    /// What was done or sold.
    pub description: String,
    /// Norm-hours (tenths) for labour, quantity (thousandths) for parts.
    pub quantity: u32,
    /// Rate or unit price, kopecks.
    pub unit_price: i64,
    /// Discount on the line, kopecks.
    pub discount: i64,
    /// The line's amount after discount, kopecks.
    pub amount: i64,
}

/// The stable name of an invoice line's kind, as the card stores it and the API shows it.
pub fn line_kind_code(kind: InvoiceLineKind) -> &'static str {
    match kind {
        InvoiceLineKind::Labour => "labour",
        InvoiceLineKind::Parts => "parts",
        InvoiceLineKind::ClientPart => "client_part",
    }
}

impl InvoiceCard {
    /// The card of an invoice as the domain folds it, in the current shape; no lines before issue.
    pub fn of(invoice: &Invoice) -> Self {
        Self::V1(InvoiceCardV1 {
            lines: invoice
                .basis
                .iter()
                .flat_map(|basis| &basis.lines)
                .map(|l| InvoiceLineCard {
                    kind: line_kind_code(l.kind).to_owned(),
                    description: l.description.clone(),
                    quantity: l.quantity,
                    unit_price: l.unit_price.as_kopecks(),
                    discount: l.discount.as_kopecks(),
                    amount: l.amount.as_kopecks(),
                })
                .collect(),
        })
    }
}

impl Card for InvoiceCard {
    type Current = InvoiceCardV1;
    const OF: &'static str = "invoice";

    fn current(self) -> InvoiceCardV1 {
        match self {
            Self::V1(card) => card,
        }
    }
}

/// The shop's settings as stored, tagged with their version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "v")]
pub enum SettingsCard {
    /// The first shape.
    #[serde(rename = "1")]
    V1(SettingsCardV1),
    /// The first shape and the parts markup matrix.
    #[serde(rename = "2")]
    V2(SettingsCardV2),
}

/// The shop's settings as the API shows them since the parts markup matrix: the first shape's
/// fields and the markup scales, field for field the domain's fold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsCardV2 {
    /// The shop's name.
    pub shop_name: Option<String>,
    /// The shop's requisites.
    pub requisites: Option<RequisitesCard>,
    /// The default norm-hour rate, kopecks.
    pub default_rate: Option<i64>,
    /// Norm-hour rates by work category (a directory code), kopecks.
    pub category_rates: BTreeMap<String, i64>,
    /// VAT, hundredths of a percent.
    pub vat_rate: Option<u16>,
    /// ISO 4217 currency code.
    pub currency: Option<String>,
    /// Work-order number format (`ЗН-{yyyy}-{seq:6}`).
    pub number_format: Option<String>,
    /// The default markup scale of parts.
    pub markup_default: Option<Vec<MarkupRangeCard>>,
    /// Markup scales by parts category (a code).
    pub markup_by_category: BTreeMap<String, Vec<MarkupRangeCard>>,
    /// How long an approval link works, hours, if the owner chose. Added to this shape as an
    /// optional field (absent from cards stored before it, and from shops that never chose), the
    /// way an event gains one: every stored V2 card still reads the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_link_hours: Option<u32>,
    /// The guarantee terms and note the printed documents carry, once written; optional in this
    /// shape for the same reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_texts: Option<DocumentTextsCard>,
    /// The client messages' templates the owner wrote, by trigger then channel (the owner's
    /// screen's order); optional in this shape like the two before, absent while none is written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notification_templates: Vec<NotificationTemplateCard>,
    /// When no message goes out, if the owner chose; optional for the same reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<QuietHoursCard>,
}

/// A client message's template. Trigger and channel by their stable codes (`work_completed`,
/// `sms`), not the domain's types, so a renamed variant cannot change a stored card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationTemplateCard {
    /// The trigger's code.
    pub trigger: String,
    /// The channel's code.
    pub channel: String,
    /// The e-mail's subject (e-mail only).
    pub subject: Option<String>,
    /// The text, placeholders in braces.
    pub body: String,
}

/// The quiet hours, shop's local time, `HH:MM` (`21:00` to `09:00` spans midnight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHoursCard {
    /// When the quiet starts.
    pub from: String,
    /// When it ends.
    pub until: String,
}

/// The shop's texts on its printed documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTextsCard {
    /// The guarantee terms.
    pub guarantee: String,
    /// The note at the foot.
    pub notes: String,
}

/// One range of a markup scale: purchase prices from `from` up to `to` (kopecks; none: and above)
/// get `markup` (hundredths of a percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkupRangeCard {
    /// The lowest purchase price, kopecks.
    pub from: i64,
    /// The first price above the range, kopecks.
    pub to: Option<i64>,
    /// The markup, hundredths of a percent.
    pub markup: u32,
}

impl From<SettingsCardV1> for SettingsCardV2 {
    fn from(v1: SettingsCardV1) -> Self {
        Self {
            shop_name: v1.shop_name,
            requisites: v1.requisites,
            default_rate: v1.default_rate,
            category_rates: v1.category_rates,
            vat_rate: v1.vat_rate,
            currency: v1.currency,
            number_format: v1.number_format,
            // A card stored before the matrix: the shop had none.
            markup_default: None,
            markup_by_category: BTreeMap::new(),
            approval_link_hours: None,
            document_texts: None,
            notification_templates: Vec::new(),
            quiet_hours: None,
        }
    }
}

/// The shop's settings as the API shows them, field by field and as one document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsCardV1 {
    /// The shop's name.
    pub shop_name: Option<String>,
    /// The shop's requisites.
    pub requisites: Option<RequisitesCard>,
    /// The default norm-hour rate, kopecks.
    pub default_rate: Option<i64>,
    /// Norm-hour rates by work category (a directory code), kopecks.
    pub category_rates: BTreeMap<String, i64>,
    /// VAT, hundredths of a percent.
    pub vat_rate: Option<u16>,
    /// ISO 4217 currency code.
    pub currency: Option<String>,
    /// Work-order number format (`ЗН-{yyyy}-{seq:6}`).
    pub number_format: Option<String>,
}

/// The shop's requisites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequisitesCard {
    /// Registered name.
    pub legal_name: String,
    /// INN.
    pub inn: String,
    /// KPP (an organisation's).
    pub kpp: Option<String>,
    /// OGRN or OGRNIP.
    pub ogrn: String,
    /// Legal address.
    pub address: String,
    /// The bank account.
    pub bank: Option<BankCard>,
}

/// A bank account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankCard {
    /// The bank.
    pub bank_name: String,
    /// BIK.
    pub bik: String,
    /// Settlement account.
    pub account: String,
    /// Correspondent account.
    pub correspondent_account: String,
}

impl SettingsCard {
    /// The card of the settings as the domain folds them, in the current shape.
    pub fn of(settings: &Settings) -> Self {
        let scale = |scale: &MarkupScale| -> Vec<MarkupRangeCard> {
            scale
                .ranges()
                .iter()
                .map(|range| MarkupRangeCard {
                    from: range.from.as_kopecks(),
                    to: range.to.map(|to| to.as_kopecks()),
                    markup: range.markup.basis_points(),
                })
                .collect()
        };
        Self::V2(SettingsCardV2 {
            shop_name: settings.shop_name.clone(),
            requisites: settings.requisites.as_ref().map(|r| RequisitesCard {
                legal_name: r.legal_name.clone(),
                inn: String::from(r.inn.clone()),
                kpp: r.kpp.clone().map(String::from),
                ogrn: String::from(r.ogrn.clone()),
                address: r.address.clone(),
                bank: r.bank.as_ref().map(|b| BankCard {
                    bank_name: b.bank_name.clone(),
                    bik: String::from(b.bik.clone()),
                    account: b.account.clone(),
                    correspondent_account: b.correspondent_account.clone(),
                }),
            }),
            default_rate: settings.default_rate.map(|m| m.as_kopecks()),
            category_rates: settings
                .category_rates
                .iter()
                .map(|(category, rate)| (category.as_str().to_owned(), rate.as_kopecks()))
                .collect(),
            vat_rate: settings.vat_rate.map(|v| v.basis_points()),
            currency: settings.currency.clone().map(String::from),
            number_format: settings.number_format.clone().map(String::from),
            markup_default: settings.markup_default.as_ref().map(scale),
            markup_by_category: settings
                .markup_by_category
                .iter()
                .map(|(category, s)| (category.as_str().to_owned(), scale(s)))
                .collect(),
            approval_link_hours: settings.approval_link_hours,
            document_texts: settings
                .document_texts
                .as_ref()
                .map(|texts| DocumentTextsCard {
                    guarantee: texts.guarantee().to_owned(),
                    notes: texts.notes().to_owned(),
                }),
            notification_templates: {
                let mut templates: Vec<_> = settings.notification_templates.iter().collect();
                templates.sort_by_key(|t| (t.trigger, t.channel));
                templates
                    .into_iter()
                    .map(|t| NotificationTemplateCard {
                        trigger: t.trigger.code().to_owned(),
                        channel: t.channel.code().to_owned(),
                        subject: t.subject.clone(),
                        body: t.body.clone(),
                    })
                    .collect()
            },
            quiet_hours: settings.quiet_hours.map(|q| QuietHoursCard {
                from: q.from.format("%H:%M").to_string(),
                until: q.until.format("%H:%M").to_string(),
            }),
        })
    }
}

impl Card for SettingsCard {
    type Current = SettingsCardV2;
    const OF: &'static str = "settings";

    fn current(self) -> SettingsCardV2 {
        match self {
            Self::V1(card) => card.into(),
            Self::V2(card) => card,
        }
    }
}
