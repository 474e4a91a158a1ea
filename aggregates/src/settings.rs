//! The shop's settings, edited by the owner without a developer: name, requisites, norm-hour rates
//! by work category, VAT rate, currency, the work-order number format and the parts markup matrix
//! (a default scale and one per parts category).
//!
//! There are no defaults in code: a rate or VAT the owner never set is reported as missing, so no
//! order is ever priced by a number nobody chose.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::contact::{BankDetails, Inn, Kpp, Ogrn};
use crate::directory::Code;
use crate::document_texts::DocumentTexts;
use crate::markup::{MarkupMatrix, MarkupScale};
use crate::money::{Money, Percent};
use crate::notification::{Channel, QuietHours, Template, Trigger};
use crate::permission::Permission;
use crate::{required_text, Aggregate, DomainError, DomainEvent};

/// The shop's legal requisites, as printed on work orders and invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requisites {
    /// Registered name (ООО «…» or ИП …).
    pub legal_name: String,
    /// INN.
    pub inn: Inn,
    /// KPP: organisations only.
    pub kpp: Option<Kpp>,
    /// OGRN (13 digits) or OGRNIP (15 digits).
    pub ogrn: Ogrn,
    /// Legal address.
    pub address: String,
    /// The bank account.
    pub bank: Option<BankDetails>,
}

impl Requisites {
    fn validated(self) -> Result<Self, DomainError> {
        let organisation = self.inn.is_organisation();
        match (organisation, &self.kpp) {
            (true, None) => return Err(DomainError::Required { field: "kpp" }),
            (false, Some(_)) => return Err(DomainError::KppForSoleTrader),
            _ => {}
        }
        if organisation != (self.ogrn.as_str().len() == 13) {
            return Err(DomainError::RequisitesMismatch {
                reason: "an organisation has a 13-digit OGRN, a sole trader a 15-digit OGRNIP",
            });
        }
        Ok(Self {
            legal_name: required_text(&self.legal_name, "legal_name", 300)?,
            address: required_text(&self.address, "address", 500)?,
            ..self
        })
    }
}

/// An ISO 4217 currency code whose minor unit is a hundredth (RUB, KZT, BYN, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// Parses a three-letter code.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(DomainError::InvalidCurrency {
                value: raw.to_owned(),
            })
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How work orders are numbered: text with `{seq}` or `{seq:N}` (zero-padded to N), and optionally
/// `{yyyy}`, `{yy}`, `{mm}`. E.g. `ЗН-{yyyy}-{seq:6}` gives `ЗН-2026-000042`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NumberFormat(String);

/// A piece of a number format.
enum Piece<'a> {
    Text(&'a str),
    Sequence(usize),
    Year4,
    Year2,
    Month,
}

impl NumberFormat {
    /// Parses a format; it must contain the sequence exactly once.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let format = Self(raw.trim().to_owned());
        let invalid = |reason: &'static str| DomainError::InvalidNumberFormat {
            value: raw.to_owned(),
            reason,
        };
        if format.0.is_empty() || format.0.chars().count() > 40 {
            return Err(invalid("1 to 40 characters"));
        }
        let pieces = format.pieces().map_err(invalid)?;
        let sequences = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Sequence(_)))
            .count();
        if sequences != 1 {
            return Err(invalid("the format needs {seq} exactly once"));
        }
        Ok(format)
    }

    fn pieces(&self) -> Result<Vec<Piece<'_>>, &'static str> {
        let mut pieces = Vec::new();
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(&rest[..open]));
            }
            let close = rest[open..].find('}').ok_or("an unclosed {")? + open;
            let piece = match &rest[open + 1..close] {
                "seq" => Piece::Sequence(1),
                "yyyy" => Piece::Year4,
                "yy" => Piece::Year2,
                "mm" => Piece::Month,
                other => match other.strip_prefix("seq:").and_then(|w| w.parse().ok()) {
                    Some(width @ 1..=12) => Piece::Sequence(width),
                    _ => {
                        return Err("placeholders are {seq}, {seq:N} (N 1-12), {yyyy}, {yy}, {mm}")
                    }
                },
            };
            pieces.push(piece);
            rest = &rest[close + 1..];
        }
        if rest.contains('}') {
            return Err("a } without {");
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest));
        }
        Ok(pieces)
    }

    /// The number of the `sequence`-th order opened in `year`/`month`.
    pub fn format(&self, sequence: u64, year: i32, month: u32) -> String {
        let Ok(pieces) = self.pieces() else {
            return sequence.to_string();
        };
        pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => (*text).to_owned(),
                Piece::Sequence(width) => format!("{sequence:0width$}"),
                Piece::Year4 => format!("{year:04}"),
                Piece::Year2 => format!("{:02}", year.rem_euclid(100)),
                Piece::Month => format!("{month:02}"),
            })
            .collect()
    }
}

impl TryFrom<String> for NumberFormat {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NumberFormat> for String {
    fn from(f: NumberFormat) -> String {
        f.0
    }
}

/// What the owner asks of the settings.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsCommand {
    /// Set the shop's name as clients see it.
    SetShopName {
        /// The name.
        name: String,
    },
    /// Set the legal requisites.
    SetRequisites {
        /// The requisites.
        requisites: Requisites,
    },
    /// Set the norm-hour rate of a work category, or the default rate (no category).
    SetNormHourRate {
        /// The category, or none for the default.
        category: Option<Code>,
        /// The price of one norm-hour.
        rate: Money,
    },
    /// Remove a category's own rate: its works fall back to the default rate.
    RemoveNormHourRate {
        /// The category.
        category: Code,
    },
    /// Set the VAT rate (22 % in 2026; 0 on a simplified tax regime).
    SetVatRate {
        /// The rate.
        rate: Percent,
    },
    /// Set the currency.
    SetCurrency {
        /// The currency.
        currency: Currency,
    },
    /// Set how work orders are numbered.
    SetWorkOrderNumberFormat {
        /// The format.
        format: NumberFormat,
    },
    /// Set the markup scale of a parts category, or the default scale (no category).
    SetMarkupScale {
        /// The category, or none for the default.
        category: Option<Code>,
        /// Purchase-price ranges and their markups.
        scale: MarkupScale,
    },
    /// Remove a category's own scale: its parts fall back to the default scale.
    RemoveMarkupScale {
        /// The category.
        category: Code,
    },
    /// Set how long an approval link sent to a client works.
    SetApprovalLinkLifetime {
        /// Hours, 1 to 720.
        hours: u32,
    },
    /// Write (or rewrite) the message a client gets on a trigger and channel: the trigger is on
    /// for that channel from now on.
    SetNotificationTemplate {
        /// The template.
        template: Template,
    },
    /// Switch a trigger off for a channel: its template is removed.
    RemoveNotificationTemplate {
        /// The trigger.
        trigger: Trigger,
        /// The channel.
        channel: Channel,
    },
    /// Set or clear the hours when no message goes out.
    SetQuietHours {
        /// The hours, or none.
        quiet_hours: Option<QuietHours>,
    },
    /// Set the guarantee terms and the note the printed documents carry.
    SetDocumentTexts {
        /// The texts.
        texts: DocumentTexts,
    },
}

impl SettingsCommand {
    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        match self {
            Self::SetShopName { .. } | Self::SetRequisites { .. } => {
                Permission::SettingsEditRequisites
            }
            Self::SetNormHourRate { .. }
            | Self::RemoveNormHourRate { .. }
            | Self::SetMarkupScale { .. }
            | Self::RemoveMarkupScale { .. } => Permission::SettingsEditPrices,
            Self::SetVatRate { .. } | Self::SetCurrency { .. } => Permission::SettingsEditTaxes,
            Self::SetWorkOrderNumberFormat { .. }
            | Self::SetApprovalLinkLifetime { .. }
            | Self::SetNotificationTemplate { .. }
            | Self::RemoveNotificationTemplate { .. }
            | Self::SetQuietHours { .. }
            | Self::SetDocumentTexts { .. } => Permission::SettingsEditRequisites,
        }
    }
}

/// What happened to the settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum SettingsEvent {
    /// The shop's name was set.
    ShopNameSet {
        /// The name.
        name: String,
    },
    /// The requisites were set.
    RequisitesSet {
        /// The requisites.
        requisites: Requisites,
    },
    /// A norm-hour rate was set.
    NormHourRateSet {
        /// The category, or none for the default.
        category: Option<Code>,
        /// The rate.
        rate: Money,
    },
    /// A category's own rate was removed.
    NormHourRateRemoved {
        /// The category.
        category: Code,
    },
    /// The VAT rate was set.
    VatRateSet {
        /// The rate.
        rate: Percent,
    },
    /// The currency was set.
    CurrencySet {
        /// The currency.
        currency: Currency,
    },
    /// The work-order number format was set.
    WorkOrderNumberFormatSet {
        /// The format.
        format: NumberFormat,
    },
    /// A markup scale was set.
    MarkupScaleSet {
        /// The parts category, or none for the default.
        category: Option<Code>,
        /// The scale.
        scale: MarkupScale,
    },
    /// A category's own markup scale was removed.
    MarkupScaleRemoved {
        /// The category.
        category: Code,
    },
    /// How long an approval link works was set.
    ApprovalLinkLifetimeSet {
        /// Hours.
        hours: u32,
    },
    /// A client message's template was written.
    NotificationTemplateSet {
        /// The template.
        template: Template,
    },
    /// A trigger was switched off for a channel.
    NotificationTemplateRemoved {
        /// The trigger.
        trigger: Trigger,
        /// The channel.
        channel: Channel,
    },
    /// The quiet hours were set or cleared.
    QuietHoursSet {
        /// The hours, or none.
        quiet_hours: Option<QuietHours>,
    },
    /// The guarantee terms and the documents' note were set.
    DocumentTextsSet {
        /// The texts.
        texts: DocumentTexts,
    },
}

impl DomainEvent for SettingsEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::ShopNameSet { .. } => "ShopNameSet",
            Self::RequisitesSet { .. } => "RequisitesSet",
            Self::NormHourRateSet { .. } => "NormHourRateSet",
            Self::NormHourRateRemoved { .. } => "NormHourRateRemoved",
            Self::VatRateSet { .. } => "VatRateSet",
            Self::CurrencySet { .. } => "CurrencySet",
            Self::WorkOrderNumberFormatSet { .. } => "WorkOrderNumberFormatSet",
            Self::MarkupScaleSet { .. } => "MarkupScaleSet",
            Self::MarkupScaleRemoved { .. } => "MarkupScaleRemoved",
            Self::ApprovalLinkLifetimeSet { .. } => "ApprovalLinkLifetimeSet",
            Self::NotificationTemplateSet { .. } => "NotificationTemplateSet",
            Self::NotificationTemplateRemoved { .. } => "NotificationTemplateRemoved",
            Self::QuietHoursSet { .. } => "QuietHoursSet",
            Self::DocumentTextsSet { .. } => "DocumentTextsSet",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// The settings as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The shop's name.
    pub shop_name: Option<String>,
    /// Requisites.
    pub requisites: Option<Requisites>,
    /// The default norm-hour rate.
    pub default_rate: Option<Money>,
    /// Rates by work category.
    pub category_rates: BTreeMap<Code, Money>,
    /// VAT rate.
    pub vat_rate: Option<Percent>,
    /// Currency.
    pub currency: Option<Currency>,
    /// Work-order number format.
    pub number_format: Option<NumberFormat>,
    /// The default markup scale of parts.
    #[serde(default)]
    pub markup_default: Option<MarkupScale>,
    /// Markup scales by parts category.
    #[serde(default)]
    pub markup_by_category: BTreeMap<Code, MarkupScale>,
    /// How long an approval link works, in hours, if the owner chose (else
    /// [`DEFAULT_APPROVAL_LINK_HOURS`]). Left out of the stored fold while unset, as the card
    /// leaves it out: the API's settings document is that fold, and keeps its shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_link_hours: Option<u32>,
    /// The client messages' templates, one per trigger and channel switched on. Left out of the
    /// stored fold while empty, for the same reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notification_templates: Vec<Template>,
    /// When no message goes out, if the owner chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<QuietHours>,
    /// The guarantee terms and the note the printed documents carry, once the owner wrote them.
    /// Left out of the stored fold while unset, like the others after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_texts: Option<DocumentTexts>,
}

/// How long an approval link works unless the owner chose otherwise: three days, time for a client
/// to talk it over at home.
pub const DEFAULT_APPROVAL_LINK_HOURS: u32 = 72;

/// The longest an owner may let an approval link work (the link itself allows no more).
pub const MAX_APPROVAL_LINK_HOURS: u32 = 720;

impl Settings {
    /// The norm-hour rate for a category: its own, else the default.
    pub fn rate_for(&self, category: Option<&Code>) -> Result<Money, DomainError> {
        category
            .and_then(|c| self.category_rates.get(c).copied())
            .or(self.default_rate)
            .ok_or(DomainError::SettingMissing {
                setting: "norm_hour_rate",
            })
    }

    /// A part's selling price from its purchase price, by its category's markup scale (else the
    /// default scale). None set is reported as missing: no part is priced by a markup nobody chose.
    pub fn selling_price(&self, category: &Code, purchase: Money) -> Result<Money, DomainError> {
        let scale = self
            .markup_by_category
            .get(category)
            .or(self.markup_default.as_ref())
            .ok_or(DomainError::SettingMissing {
                setting: "markup_scale",
            })?;
        // The one pricing rule (bounds, rounding) is the matrix's; here it has the one scale found.
        MarkupMatrix {
            default: scale.clone(),
            by_category: BTreeMap::new(),
        }
        .selling_price(category, purchase)
    }

    /// How long an approval link sent now works.
    pub fn approval_link_lifetime(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(
            self.approval_link_hours
                .unwrap_or(DEFAULT_APPROVAL_LINK_HOURS),
        ))
    }

    /// The template of a trigger on a channel, if the owner switched it on.
    pub fn notification_template(&self, trigger: Trigger, channel: Channel) -> Option<&Template> {
        self.notification_templates
            .iter()
            .find(|t| t.trigger == trigger && t.channel == channel)
    }

    /// Whether the owner wrote a message for `trigger` on any of `channels`: without one nothing
    /// is planned, read or refused on the client's side.
    pub fn announces(&self, trigger: Trigger, channels: &[Channel]) -> bool {
        channels
            .iter()
            .any(|&channel| self.notification_template(trigger, channel).is_some())
    }

    /// The VAT rate, if the owner set it.
    pub fn vat(&self) -> Result<Percent, DomainError> {
        self.vat_rate.ok_or(DomainError::SettingMissing {
            setting: "vat_rate",
        })
    }
}

impl Aggregate for Settings {
    const STREAM_TYPE: &'static str = "settings";
    type Command = SettingsCommand;
    type Event = SettingsEvent;

    fn decide(&self, command: SettingsCommand) -> Result<Vec<SettingsEvent>, DomainError> {
        let event = match command {
            SettingsCommand::SetShopName { name } => SettingsEvent::ShopNameSet {
                name: required_text(&name, "name", 200)?,
            },
            SettingsCommand::SetRequisites { requisites } => SettingsEvent::RequisitesSet {
                requisites: requisites.validated()?,
            },
            SettingsCommand::SetNormHourRate { category, rate } => SettingsEvent::NormHourRateSet {
                category,
                rate: crate::bounds::at_most(
                    rate.positive("rate")?,
                    crate::bounds::MAX_RATE,
                    "rate",
                )?,
            },
            SettingsCommand::RemoveNormHourRate { category } => {
                if !self.category_rates.contains_key(&category) {
                    return Err(DomainError::EntryNotFound {
                        code: category.to_string(),
                    });
                }
                SettingsEvent::NormHourRateRemoved { category }
            }
            SettingsCommand::SetVatRate { rate } => {
                // VAT rates are whole or half percents (22 %, 10 %, 0 %); finer ones are typos.
                if rate.basis_points() % 50 != 0 || rate.basis_points() > 5_000 {
                    return Err(DomainError::InvalidPercent {
                        basis_points: rate.basis_points(),
                    });
                }
                SettingsEvent::VatRateSet { rate }
            }
            SettingsCommand::SetCurrency { currency } => SettingsEvent::CurrencySet { currency },
            SettingsCommand::SetWorkOrderNumberFormat { format } => {
                SettingsEvent::WorkOrderNumberFormatSet { format }
            }
            SettingsCommand::SetMarkupScale { category, scale } => {
                let current = match &category {
                    Some(category) => self.markup_by_category.get(category),
                    None => self.markup_default.as_ref(),
                };
                if current == Some(&scale) {
                    return Ok(vec![]);
                }
                SettingsEvent::MarkupScaleSet { category, scale }
            }
            SettingsCommand::RemoveMarkupScale { category } => {
                if !self.markup_by_category.contains_key(&category) {
                    return Err(DomainError::EntryNotFound {
                        code: category.to_string(),
                    });
                }
                SettingsEvent::MarkupScaleRemoved { category }
            }
            SettingsCommand::SetApprovalLinkLifetime { hours } => {
                if !(1..=MAX_APPROVAL_LINK_HOURS).contains(&hours) {
                    return Err(DomainError::InvalidLinkLifetime {
                        max_days: i64::from(MAX_APPROVAL_LINK_HOURS / 24),
                    });
                }
                if self.approval_link_hours == Some(hours) {
                    return Ok(vec![]);
                }
                SettingsEvent::ApprovalLinkLifetimeSet { hours }
            }
            SettingsCommand::SetNotificationTemplate { template } => {
                let template = template.validated()?;
                if self.notification_template(template.trigger, template.channel) == Some(&template)
                {
                    return Ok(vec![]);
                }
                SettingsEvent::NotificationTemplateSet { template }
            }
            SettingsCommand::RemoveNotificationTemplate { trigger, channel } => {
                if self.notification_template(trigger, channel).is_none() {
                    return Ok(vec![]);
                }
                SettingsEvent::NotificationTemplateRemoved { trigger, channel }
            }
            SettingsCommand::SetQuietHours { quiet_hours } => {
                if self.quiet_hours == quiet_hours {
                    return Ok(vec![]);
                }
                SettingsEvent::QuietHoursSet { quiet_hours }
            }
            SettingsCommand::SetDocumentTexts { texts } => {
                if self.document_texts.as_ref() == Some(&texts) {
                    return Ok(vec![]);
                }
                SettingsEvent::DocumentTextsSet { texts }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &SettingsEvent) -> Self {
        match event {
            SettingsEvent::ShopNameSet { name } => self.shop_name = Some(name.clone()),
            SettingsEvent::RequisitesSet { requisites } => {
                self.requisites = Some(requisites.clone());
            }
            SettingsEvent::NormHourRateSet { category, rate } => match category {
                Some(category) => {
                    self.category_rates.insert(category.clone(), *rate);
                }
                None => self.default_rate = Some(*rate),
            },
            SettingsEvent::NormHourRateRemoved { category } => {
                self.category_rates.remove(category);
            }
            SettingsEvent::VatRateSet { rate } => self.vat_rate = Some(*rate),
            SettingsEvent::CurrencySet { currency } => self.currency = Some(currency.clone()),
            SettingsEvent::WorkOrderNumberFormatSet { format } => {
                self.number_format = Some(format.clone());
            }
            SettingsEvent::MarkupScaleSet { category, scale } => match category {
                Some(category) => {
                    self.markup_by_category
                        .insert(category.clone(), scale.clone());
                }
                None => self.markup_default = Some(scale.clone()),
            },
            SettingsEvent::MarkupScaleRemoved { category } => {
                self.markup_by_category.remove(category);
            }
            SettingsEvent::ApprovalLinkLifetimeSet { hours } => {
                self.approval_link_hours = Some(*hours);
            }
            SettingsEvent::NotificationTemplateSet { template } => {
                self.notification_templates
                    .retain(|t| (t.trigger, t.channel) != (template.trigger, template.channel));
                self.notification_templates.push(template.clone());
            }
            SettingsEvent::NotificationTemplateRemoved { trigger, channel } => {
                self.notification_templates
                    .retain(|t| (t.trigger, t.channel) != (*trigger, *channel));
            }
            SettingsEvent::QuietHoursSet { quiet_hours } => self.quiet_hours = *quiet_hours,
            SettingsEvent::DocumentTextsSet { texts } => self.document_texts = Some(texts.clone()),
        }
        self
    }
}
