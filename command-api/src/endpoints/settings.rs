//! Shop settings commands (the stream is the shop's: `/v1/settings/main/...`).

use aggregates::contact::{BankDetails, Bik, Inn, Kpp, Ogrn};
use aggregates::directory::Code;
use aggregates::document_texts::DocumentTexts;
use aggregates::markup::{Markup, MarkupRange, MarkupScale};
use aggregates::notification::{Channel, QuietHours, Template, Trigger};
use aggregates::permission::Permission;
use aggregates::settings::{Currency, NumberFormat, Requisites, Settings, SettingsCommand};
use aggregates::DomainError;
use serde::Deserialize;

use super::{kopecks, optional, percent};
use crate::pipeline::{code_id, Context, Endpoint};
use crate::ApiError;

/// Bank details as the request gives them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankBody {
    /// Bank name.
    pub bank_name: String,
    /// BIK.
    pub bik: String,
    /// Settlement account.
    pub account: String,
    /// Correspondent account.
    pub correspondent_account: String,
}

/// The settings commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum SettingsRequest {
    /// `set_shop_name`
    SetShopName {
        /// Name.
        name: String,
    },
    /// `set_requisites`
    SetRequisites {
        /// Registered name.
        legal_name: String,
        /// INN.
        inn: String,
        /// KPP.
        kpp: Option<String>,
        /// OGRN or OGRNIP.
        ogrn: String,
        /// Legal address.
        address: String,
        /// Bank account.
        bank: Option<BankBody>,
    },
    /// `set_norm_hour_rate`
    SetNormHourRate {
        /// Work category code, or null for the default rate.
        category: Option<String>,
        /// Price of a norm-hour, kopecks.
        rate_kopecks: i64,
    },
    /// `remove_norm_hour_rate`
    RemoveNormHourRate {
        /// Work category code.
        category: String,
    },
    /// `set_vat_rate`
    SetVatRate {
        /// Basis points (22 % = 2200).
        rate_bp: u16,
    },
    /// `set_currency`
    SetCurrency {
        /// ISO 4217 code.
        currency: String,
    },
    /// `set_work_order_number_format`
    SetWorkOrderNumberFormat {
        /// E.g. `ЗН-{yyyy}-{seq:6}`.
        format: String,
    },
    /// `set_markup_scale`: purchase-price ranges from zero, each from where the last ended, the last
    /// open-ended.
    SetMarkupScale {
        /// A parts category's code, or null for the default scale.
        category: Option<String>,
        /// The ranges, in ascending order.
        ranges: Vec<MarkupRangeBody>,
    },
    /// `remove_markup_scale`
    RemoveMarkupScale {
        /// The parts category.
        category: String,
    },
    /// `set_approval_link_lifetime`: how long a link sent to a client for approval works.
    SetApprovalLinkLifetime {
        /// Hours, 1 to 720 (72 unless set).
        hours: u32,
    },
    /// `set_notification_template`: the message a client gets on a status change (`trigger`:
    /// `car_accepted`, `approval_link`, `work_completed`, `invoice_issued`) by `channel` (`sms`,
    /// `email`), with placeholders {номер_заказа}, {автомобиль}, {сумма}, {сервис}, {ссылка}; the
    /// trigger is on for the channel from now on.
    SetNotificationTemplate {
        /// The status change.
        #[schema(value_type = String)]
        trigger: Trigger,
        /// The channel.
        #[schema(value_type = String)]
        channel: Channel,
        /// The e-mail's subject (e-mail only; null for SMS).
        subject: Option<String>,
        /// The text.
        body: String,
    },
    /// `remove_notification_template`: the trigger is off for the channel.
    RemoveNotificationTemplate {
        /// The status change.
        #[schema(value_type = String)]
        trigger: Trigger,
        /// The channel.
        #[schema(value_type = String)]
        channel: Channel,
    },
    /// `set_quiet_hours`: when no message goes out, in the shop's time (`HH:MM`, e.g. 21:00 to
    /// 09:00); both null for none.
    SetQuietHours {
        /// When the quiet starts.
        #[schema(pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$")]
        from: Option<String>,
        /// When it ends.
        #[schema(pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$")]
        until: Option<String>,
    },
    /// `set_document_texts`: the guarantee terms and the note the printed заказ-наряд and акт
    /// carry (each up to 2000 characters; empty prints none).
    SetDocumentTexts {
        /// The guarantee terms.
        guarantee: String,
        /// The note at the documents' foot.
        notes: String,
    },
}

/// One range of a markup scale.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkupRangeBody {
    /// The lowest purchase price of the range, kopecks.
    pub from_kopecks: i64,
    /// The first purchase price above it, kopecks; null for the last range.
    pub to_kopecks: Option<i64>,
    /// The markup, hundredths of a percent (35 % is 3500).
    pub markup_bp: u32,
}

impl Endpoint for Settings {
    type Request = SettingsRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        code_id(raw)
    }

    fn request_permission(request: &SettingsRequest) -> Permission {
        use SettingsRequest as R;
        match request {
            R::SetShopName { .. }
            | R::SetRequisites { .. }
            | R::SetWorkOrderNumberFormat { .. }
            | R::SetApprovalLinkLifetime { .. }
            | R::SetNotificationTemplate { .. }
            | R::RemoveNotificationTemplate { .. }
            | R::SetQuietHours { .. }
            | R::SetDocumentTexts { .. } => Permission::SettingsEditRequisites,
            R::SetNormHourRate { .. }
            | R::RemoveNormHourRate { .. }
            | R::SetMarkupScale { .. }
            | R::RemoveMarkupScale { .. } => Permission::SettingsEditPrices,
            R::SetVatRate { .. } | R::SetCurrency { .. } => Permission::SettingsEditTaxes,
        }
    }

    async fn command(
        request: SettingsRequest,
        _context: &Context<'_>,
    ) -> Result<SettingsCommand, ApiError> {
        Ok(match request {
            SettingsRequest::SetShopName { name } => SettingsCommand::SetShopName { name },
            SettingsRequest::SetRequisites {
                legal_name,
                inn,
                kpp,
                ogrn,
                address,
                bank,
            } => SettingsCommand::SetRequisites {
                requisites: Requisites {
                    legal_name,
                    inn: Inn::parse(&inn)?,
                    kpp: optional(kpp, Kpp::parse)?,
                    ogrn: Ogrn::parse(&ogrn)?,
                    address,
                    bank: bank
                        .map(|b| {
                            BankDetails::new(
                                &b.bank_name,
                                Bik::parse(&b.bik)?,
                                &b.account,
                                &b.correspondent_account,
                            )
                        })
                        .transpose()?,
                },
            },
            SettingsRequest::SetNormHourRate {
                category,
                rate_kopecks,
            } => SettingsCommand::SetNormHourRate {
                category: optional(category, Code::parse)?,
                rate: kopecks(rate_kopecks),
            },
            SettingsRequest::RemoveNormHourRate { category } => {
                SettingsCommand::RemoveNormHourRate {
                    category: Code::parse(&category)?,
                }
            }
            SettingsRequest::SetVatRate { rate_bp } => SettingsCommand::SetVatRate {
                rate: percent(Some(rate_bp))?,
            },
            SettingsRequest::SetCurrency { currency } => SettingsCommand::SetCurrency {
                currency: Currency::parse(&currency)?,
            },
            SettingsRequest::SetWorkOrderNumberFormat { format } => {
                SettingsCommand::SetWorkOrderNumberFormat {
                    format: NumberFormat::parse(&format)?,
                }
            }
            SettingsRequest::SetMarkupScale { category, ranges } => {
                SettingsCommand::SetMarkupScale {
                    category: optional(category, Code::parse)?,
                    scale: MarkupScale::new(
                        ranges
                            .into_iter()
                            .map(|range| {
                                Ok(MarkupRange {
                                    from: kopecks(range.from_kopecks),
                                    to: range.to_kopecks.map(kopecks),
                                    markup: Markup::from_basis_points(range.markup_bp)?,
                                })
                            })
                            .collect::<Result<_, DomainError>>()?,
                    )?,
                }
            }
            SettingsRequest::RemoveMarkupScale { category } => SettingsCommand::RemoveMarkupScale {
                category: Code::parse(&category)?,
            },
            SettingsRequest::SetApprovalLinkLifetime { hours } => {
                SettingsCommand::SetApprovalLinkLifetime { hours }
            }
            SettingsRequest::SetNotificationTemplate {
                trigger,
                channel,
                subject,
                body,
            } => SettingsCommand::SetNotificationTemplate {
                template: Template {
                    trigger,
                    channel,
                    subject,
                    body,
                },
            },
            SettingsRequest::RemoveNotificationTemplate { trigger, channel } => {
                SettingsCommand::RemoveNotificationTemplate { trigger, channel }
            }
            SettingsRequest::SetQuietHours { from, until } => SettingsCommand::SetQuietHours {
                quiet_hours: match (from, until) {
                    (None, None) => None,
                    (Some(from), Some(until)) => Some(QuietHours::new(
                        aggregates::planning::time_of_day(&from)?,
                        aggregates::planning::time_of_day(&until)?,
                    )?),
                    (None, Some(_)) => return Err(DomainError::Required { field: "from" }.into()),
                    (Some(_), None) => return Err(DomainError::Required { field: "until" }.into()),
                },
            },
            SettingsRequest::SetDocumentTexts { guarantee, notes } => {
                SettingsCommand::SetDocumentTexts {
                    texts: DocumentTexts::new(&guarantee, &notes)?,
                }
            }
        })
    }

    fn permission(command: &SettingsCommand) -> Permission {
        command.permission()
    }
}
