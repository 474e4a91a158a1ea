//! Client commands.

use aggregates::client::{
    Channels, Client, ClientCommand, ClientEvent, ConsentChannel, ConsentKind, Party,
};
use aggregates::contact::{Inn, Kpp};
use aggregates::ids::ClientId;
use aggregates::permission::Permission;
use personal_data::SubjectKind;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{erase, optional, percent, phone};
use crate::pipeline::{uuid_id, Context, Endpoint, FollowOn};
use crate::ApiError;

/// A person or company as the request gives it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PartyBody {
    /// A private person.
    Person {
        /// Full name.
        full_name: String,
    },
    /// An organisation or sole trader.
    Company {
        /// Registered name.
        legal_name: String,
        /// INN.
        inn: String,
        /// KPP (organisations).
        kpp: Option<String>,
    },
}

impl PartyBody {
    pub(crate) fn parse(self) -> Result<Party, ApiError> {
        Ok(match self {
            Self::Person { full_name } => Party::Person { full_name },
            Self::Company {
                legal_name,
                inn,
                kpp,
            } => Party::Company {
                legal_name,
                inn: Inn::parse(&inn)?,
                kpp: optional(kpp, Kpp::parse)?,
            },
        })
    }
}

/// The client commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientRequest {
    /// `POST /v1/client/{id}/register`
    Register {
        /// Person or company.
        party: PartyBody,
        /// Phones as typed.
        phones: Vec<String>,
        /// E-mail.
        email: Option<String>,
    },
    /// `change_details`
    ChangeDetails {
        /// Person or company.
        party: PartyBody,
    },
    /// `add_phone`
    AddPhone {
        /// The phone.
        phone: String,
    },
    /// `remove_phone`
    RemovePhone {
        /// The phone.
        phone: String,
    },
    /// `change_email`
    ChangeEmail {
        /// The e-mail, or null.
        email: Option<String>,
    },
    /// `record_consent`
    RecordConsent {
        /// Which consent: `messages` or `personal_data`.
        #[schema(value_type = String)]
        kind: ConsentKind,
        /// Given or withdrawn.
        given: bool,
        /// How: `paper`, `in_person`, `phone` or `link`.
        #[schema(value_type = String)]
        channel: ConsentChannel,
    },
    /// `choose_channels`: which channels the shop's messages may use (given the consent to
    /// messages).
    ChooseChannels {
        /// Text messages to the first phone.
        sms: bool,
        /// E-mail.
        email: bool,
    },
    /// `add_note`
    AddNote {
        /// The note.
        text: String,
    },
    /// `set_discount`
    SetDiscount {
        /// Basis points (5 % = 500).
        discount_bp: u16,
    },
    /// `archive`
    Archive {
        /// Why.
        reason: String,
    },
    /// `restore`
    Restore,
    /// Erase the client's name, phones, e-mail, notes and files (152-ФЗ); the record stays, closed.
    ErasePersonalData {
        /// On what basis: the request's number and date, or a clause.
        basis: String,
    },
}

impl Endpoint for Client {
    type Request = ClientRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(request: &ClientRequest) -> Permission {
        use ClientRequest as R;
        match request {
            R::Register { .. } => Permission::ClientRegister,
            R::ChangeDetails { .. } => Permission::ClientChangeDetails,
            R::AddPhone { .. } | R::RemovePhone { .. } | R::ChangeEmail { .. } => {
                Permission::ClientChangeContacts
            }
            R::RecordConsent { .. } | R::ChooseChannels { .. } => Permission::ClientRecordConsent,
            R::AddNote { .. } => Permission::ClientAddNote,
            R::SetDiscount { .. } => Permission::ClientSetDiscount,
            R::Archive { .. } | R::Restore => Permission::ClientArchive,
            R::ErasePersonalData { .. } => Permission::ClientErasePersonalData,
        }
    }

    async fn command(
        request: ClientRequest,
        context: &Context<'_>,
    ) -> Result<ClientCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            ClientRequest::Register {
                party,
                phones,
                email,
            } => ClientCommand::Register {
                client_id: ClientId(
                    Uuid::parse_str(context.id)
                        .map_err(|_| ApiError::InvalidId(context.id.into()))?,
                ),
                party: party.parse()?,
                phones: phones.iter().map(|p| phone(p)).collect::<Result<_, _>>()?,
                email: optional(email, super::email)?,
                at,
            },
            ClientRequest::ChangeDetails { party } => ClientCommand::ChangeDetails {
                party: party.parse()?,
            },
            ClientRequest::AddPhone { phone } => ClientCommand::AddPhone {
                phone: super::phone(&phone)?,
            },
            ClientRequest::RemovePhone { phone } => ClientCommand::RemovePhone {
                phone: super::phone(&phone)?,
            },
            ClientRequest::ChangeEmail { email } => ClientCommand::ChangeEmail {
                email: optional(email, super::email)?,
            },
            ClientRequest::RecordConsent {
                kind,
                given,
                channel,
            } => ClientCommand::RecordConsent {
                kind,
                given,
                channel,
                at,
            },
            ClientRequest::ChooseChannels { sms, email } => ClientCommand::ChooseChannels {
                channels: Channels { sms, email },
            },
            ClientRequest::AddNote { text } => ClientCommand::AddNote {
                text,
                by: context.actor,
                at,
            },
            ClientRequest::SetDiscount { discount_bp } => ClientCommand::SetDiscount {
                discount: percent(Some(discount_bp))?,
            },
            ClientRequest::Archive { reason } => ClientCommand::Archive { reason, at },
            ClientRequest::Restore => ClientCommand::Restore { at },
            ClientRequest::ErasePersonalData { basis } => ClientCommand::ErasePersonalData {
                by: context.actor,
                basis,
                at,
            },
        })
    }

    fn permission(command: &ClientCommand) -> Permission {
        command.permission()
    }

    fn reserves(events: &[ClientEvent]) -> bool {
        events
            .iter()
            .any(|e| matches!(e, ClientEvent::ClientPersonalDataErased { .. }))
    }

    /// Destroys the client's data key in the transaction of the erasure event: neither commits
    /// without the other.
    async fn reserve(
        events: &[ClientEvent],
        _before: &Client,
        after: &Client,
        tx: &mut PgConnection,
        follow: &FollowOn<'_>,
    ) -> Result<(), ApiError> {
        let Some(ClientId(subject)) = after.id else {
            return Err(ApiError::Internal("an erased client without an id".into()));
        };
        for event in events {
            if let ClientEvent::ClientPersonalDataErased { by, basis, .. } = event {
                erase(tx, subject, SubjectKind::Client, by.0, basis).await?;
            }
        }
        // This instance's copies must not outlive the key (see `crate::recent`).
        follow.context.services.recent.forget_personal_data();
        Ok(())
    }
}
