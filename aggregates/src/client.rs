//! A client of the shop: a person or a company, how to reach them, and what they consented to.
//!
//! A client always has at least one phone (the advisor finds them by it). Consents to messages and to
//! personal-data processing (152-ФЗ) are recorded with their time and channel. A client is archived,
//! never deleted, and an archived client cannot get new work orders until restored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::{Email, Inn, Kpp, Phone};
use crate::ids::{ClientId, EmployeeId};
use crate::money::Percent;
use crate::permission::Permission;
use crate::personal::{not_erased_marker, ERASED};
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// Who the client is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Party {
    /// A private person.
    Person {
        /// Full name as the client gives it (Фамилия Имя Отчество).
        full_name: String,
    },
    /// An organisation or a sole trader (ИП).
    Company {
        /// The registered name.
        legal_name: String,
        /// The taxpayer number.
        inn: Inn,
        /// The registration reason code: required for organisations, absent for sole traders.
        kpp: Option<Kpp>,
    },
}

impl Party {
    fn validated(self) -> Result<Self, DomainError> {
        match self {
            Party::Person { full_name } => Ok(Party::Person {
                full_name: required_text(&full_name, "full_name", 300)?,
            }),
            Party::Company {
                legal_name,
                inn,
                kpp,
            } => {
                match (inn.is_organisation(), &kpp) {
                    (true, None) => return Err(DomainError::Required { field: "kpp" }),
                    (false, Some(_)) => return Err(DomainError::KppForSoleTrader),
                    _ => {}
                }
                Ok(Party::Company {
                    legal_name: required_text(&legal_name, "legal_name", 300)?,
                    inn,
                    kpp,
                })
            }
        }
    }
}

/// What the client consents to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// Messages about the car and the shop's offers (SMS, messengers, e-mail).
    Messages,
    /// Processing of personal data under 152-ФЗ.
    PersonalData,
}

/// How a consent was given or withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentChannel {
    /// A signed paper form at the desk.
    Paper,
    /// Said in person to an advisor.
    InPerson,
    /// Said on the phone.
    Phone,
    /// Through a link the shop sent.
    Link,
}

/// A consent's current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Given (true) or withdrawn (false).
    pub given: bool,
    /// How.
    pub channel: ConsentChannel,
    /// When.
    pub at: DateTime<Utc>,
}

/// Which channels the client lets the shop write to (given the consent to messages). Both until
/// the client says otherwise: the consent is what opens them, this only narrows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channels {
    /// Text messages to the first phone.
    pub sms: bool,
    /// E-mail.
    pub email: bool,
}

impl Default for Channels {
    fn default() -> Self {
        Self {
            sms: true,
            email: true,
        }
    }
}

impl Channels {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Whether a client may get new work orders; what the work order asks of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientStanding {
    /// No such client.
    Unknown,
    /// A client in good standing.
    Active,
    /// Archived: no new work orders until restored.
    Archived,
    /// Personal data erased (152-ФЗ): no new work orders, ever.
    Erased,
}

/// What staff ask of a client record.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientCommand {
    /// Register a new client.
    Register {
        /// The new client's id.
        client_id: ClientId,
        /// Person or company.
        party: Party,
        /// At least one phone.
        phones: Vec<Phone>,
        /// E-mail, if given.
        email: Option<Email>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Correct the name or the company's requisites.
    ChangeDetails {
        /// The corrected party.
        party: Party,
    },
    /// Add a phone number.
    AddPhone {
        /// The number.
        phone: Phone,
    },
    /// Remove a phone number (never the last one).
    RemovePhone {
        /// The number.
        phone: Phone,
    },
    /// Set or clear the e-mail.
    ChangeEmail {
        /// The new address, or none.
        email: Option<Email>,
    },
    /// Record a consent given or withdrawn.
    RecordConsent {
        /// Which consent.
        kind: ConsentKind,
        /// Given (true) or withdrawn (false).
        given: bool,
        /// How.
        channel: ConsentChannel,
        /// When.
        at: DateTime<Utc>,
    },
    /// Choose the channels the shop's messages may use.
    ChooseChannels {
        /// The channels.
        channels: Channels,
    },
    /// Add a note for the staff.
    AddNote {
        /// The note.
        text: String,
        /// Who wrote it.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Set the client's standing discount.
    SetDiscount {
        /// The discount.
        discount: Percent,
    },
    /// Archive the client: no new work orders.
    Archive {
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Bring an archived client back.
    Restore {
        /// When.
        at: DateTime<Utc>,
    },
    /// Erase the client's personal data (152-ФЗ): their data key is destroyed with the event.
    ErasePersonalData {
        /// Who erases.
        by: EmployeeId,
        /// On what basis: the request's number and date, a clause.
        basis: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl ClientCommand {
    /// Refuses the erased marker as a new value of a personal field.
    fn refuse_erased_marker(&self) -> Result<(), DomainError> {
        let phone = |phone: &Phone| not_erased_marker(phone.as_str(), "phone");
        let email = |email: &Option<Email>| {
            email
                .as_ref()
                .map_or(Ok(()), |e| not_erased_marker(e.as_str(), "email"))
        };
        let party = |party: &Party| match party {
            Party::Person { full_name } => not_erased_marker(full_name, "full_name"),
            Party::Company { .. } => Ok(()),
        };
        match self {
            Self::Register {
                party: p,
                phones,
                email: e,
                ..
            } => {
                party(p)?;
                phones.iter().try_for_each(phone)?;
                email(e)
            }
            Self::ChangeDetails { party: p } => party(p),
            Self::AddPhone { phone: p } | Self::RemovePhone { phone: p } => phone(p),
            Self::ChangeEmail { email: e } => email(e),
            Self::AddNote { text, .. } => not_erased_marker(text, "text"),
            Self::Archive { reason, .. } => not_erased_marker(reason, "reason"),
            Self::RecordConsent { .. }
            | Self::ChooseChannels { .. }
            | Self::SetDiscount { .. }
            | Self::Restore { .. }
            | Self::ErasePersonalData { .. } => Ok(()),
        }
    }

    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        match self {
            Self::Register { .. } => Permission::ClientRegister,
            Self::ChangeDetails { .. } => Permission::ClientChangeDetails,
            Self::AddPhone { .. } | Self::RemovePhone { .. } | Self::ChangeEmail { .. } => {
                Permission::ClientChangeContacts
            }
            Self::RecordConsent { .. } | Self::ChooseChannels { .. } => {
                Permission::ClientRecordConsent
            }
            Self::AddNote { .. } => Permission::ClientAddNote,
            Self::SetDiscount { .. } => Permission::ClientSetDiscount,
            Self::Archive { .. } | Self::Restore { .. } => Permission::ClientArchive,
            Self::ErasePersonalData { .. } => Permission::ClientErasePersonalData,
        }
    }
}

/// What happened to a client record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ClientEvent {
    /// A new client was registered.
    ClientRegistered {
        /// The client's id.
        client_id: ClientId,
        /// Person or company.
        party: Party,
        /// Phones, E.164.
        phones: Vec<Phone>,
        /// E-mail.
        email: Option<Email>,
        /// When.
        at: DateTime<Utc>,
    },
    /// The name or requisites were corrected.
    ClientDetailsChanged {
        /// The corrected party.
        party: Party,
    },
    /// A phone was added.
    ClientPhoneAdded {
        /// The number.
        phone: Phone,
    },
    /// A phone was removed.
    ClientPhoneRemoved {
        /// The number.
        phone: Phone,
    },
    /// The e-mail was set or cleared.
    ClientEmailChanged {
        /// The new address, or none.
        email: Option<Email>,
    },
    /// The client gave a consent.
    ClientConsentGiven {
        /// Which.
        kind: ConsentKind,
        /// How.
        channel: ConsentChannel,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client withdrew a consent.
    ClientConsentWithdrawn {
        /// Which.
        kind: ConsentKind,
        /// How.
        channel: ConsentChannel,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client chose the channels messages may use.
    ClientChannelsChosen {
        /// The channels.
        channels: Channels,
    },
    /// A staff note was added.
    ClientNoteAdded {
        /// The note.
        text: String,
        /// Who wrote it.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The standing discount was set.
    ClientDiscountSet {
        /// The discount.
        discount: Percent,
    },
    /// The client was archived.
    ClientArchived {
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client was restored from the archive.
    ClientRestored {
        /// When.
        at: DateTime<Utc>,
    },
    /// The client's personal data was erased: their data key was destroyed in the same
    /// transaction, so every personal field of this stream now reads as erased. Holds nothing
    /// personal itself: who, on what basis, when.
    ClientPersonalDataErased {
        /// Who erased it.
        by: EmployeeId,
        /// On what basis.
        basis: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for ClientEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::ClientRegistered { .. } => "ClientRegistered",
            Self::ClientDetailsChanged { .. } => "ClientDetailsChanged",
            Self::ClientPhoneAdded { .. } => "ClientPhoneAdded",
            Self::ClientPhoneRemoved { .. } => "ClientPhoneRemoved",
            Self::ClientEmailChanged { .. } => "ClientEmailChanged",
            Self::ClientConsentGiven { .. } => "ClientConsentGiven",
            Self::ClientConsentWithdrawn { .. } => "ClientConsentWithdrawn",
            Self::ClientChannelsChosen { .. } => "ClientChannelsChosen",
            Self::ClientNoteAdded { .. } => "ClientNoteAdded",
            Self::ClientDiscountSet { .. } => "ClientDiscountSet",
            Self::ClientArchived { .. } => "ClientArchived",
            Self::ClientRestored { .. } => "ClientRestored",
            Self::ClientPersonalDataErased { .. } => "ClientPersonalDataErased",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A note left by staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// The text.
    pub text: String,
    /// Who.
    pub by: EmployeeId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A client record as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// The id, once registered.
    pub id: Option<ClientId>,
    /// Person or company.
    pub party: Option<Party>,
    /// Phones, E.164, in the order added.
    pub phones: Vec<Phone>,
    /// E-mail.
    pub email: Option<Email>,
    /// Consent to messages.
    pub messages_consent: Option<Consent>,
    /// Consent to personal-data processing.
    pub personal_data_consent: Option<Consent>,
    /// The channels messages may use (left out of the stored fold while as by default).
    #[serde(default, skip_serializing_if = "Channels::is_default")]
    pub channels: Channels,
    /// Staff notes.
    pub notes: Vec<Note>,
    /// Standing discount.
    pub discount: Percent,
    /// Archived (no new work orders).
    pub archived: bool,
    /// Personal data erased: takes no more commands.
    #[serde(default)]
    pub erased: bool,
}

impl Client {
    /// Whether the client may get a new work order.
    pub fn standing(&self) -> ClientStanding {
        match (self.id, self.erased, self.archived) {
            (None, _, _) => ClientStanding::Unknown,
            (Some(_), true, _) => ClientStanding::Erased,
            (Some(_), false, false) => ClientStanding::Active,
            (Some(_), false, true) => ClientStanding::Archived,
        }
    }

    /// Where a message on `channel` goes (the first phone, the e-mail), or why none may.
    pub fn message_address(
        &self,
        channel: crate::notification::Channel,
    ) -> Result<String, crate::notification::SkipReason> {
        use crate::notification::{Channel, SkipReason};
        if self.erased {
            return Err(SkipReason::Erased);
        }
        if !self.messages_consent.is_some_and(|c| c.given) {
            return Err(SkipReason::NoConsent);
        }
        let (open, address) = match channel {
            Channel::Sms => (
                self.channels.sms,
                self.phones.first().map(|p| p.as_str().to_owned()),
            ),
            Channel::Email => (
                self.channels.email,
                self.email.as_ref().map(|e| e.as_str().to_owned()),
            ),
        };
        if !open {
            return Err(SkipReason::ChannelOff);
        }
        address.filter(|a| a != ERASED).ok_or(SkipReason::NoAddress)
    }

    fn consent_mut(&mut self, kind: ConsentKind) -> &mut Option<Consent> {
        match kind {
            ConsentKind::Messages => &mut self.messages_consent,
            ConsentKind::PersonalData => &mut self.personal_data_consent,
        }
    }
}

impl Aggregate for Client {
    const STREAM_TYPE: &'static str = "client";
    type Command = ClientCommand;
    type Event = ClientEvent;

    fn decide(&self, command: ClientCommand) -> Result<Vec<ClientEvent>, DomainError> {
        let registering = matches!(command, ClientCommand::Register { .. });
        check_existence(registering, self.id.is_some(), "client")?;
        if self.erased {
            return Err(DomainError::ClientErased);
        }
        command.refuse_erased_marker()?;
        let event = match command {
            ClientCommand::Register {
                client_id,
                party,
                phones,
                email,
                at,
            } => {
                let mut unique: Vec<Phone> = Vec::with_capacity(phones.len());
                for phone in phones {
                    if !unique.contains(&phone) {
                        unique.push(phone);
                    }
                }
                if unique.is_empty() {
                    return Err(DomainError::PhoneRequired);
                }
                ClientEvent::ClientRegistered {
                    client_id,
                    party: party.validated()?,
                    phones: unique,
                    email,
                    at,
                }
            }
            ClientCommand::ChangeDetails { party } => ClientEvent::ClientDetailsChanged {
                party: party.validated()?,
            },
            ClientCommand::AddPhone { phone } => {
                if self.phones.contains(&phone) {
                    return Err(DomainError::PhoneAlreadyAdded {
                        phone: phone.to_string(),
                    });
                }
                ClientEvent::ClientPhoneAdded { phone }
            }
            ClientCommand::RemovePhone { phone } => {
                if !self.phones.contains(&phone) {
                    return Err(DomainError::PhoneNotFound {
                        phone: phone.to_string(),
                    });
                }
                if self.phones.len() == 1 {
                    return Err(DomainError::PhoneRequired);
                }
                ClientEvent::ClientPhoneRemoved { phone }
            }
            ClientCommand::ChangeEmail { email } => {
                if email == self.email {
                    return Ok(vec![]);
                }
                ClientEvent::ClientEmailChanged { email }
            }
            ClientCommand::RecordConsent {
                kind,
                given,
                channel,
                at,
            } => {
                if given {
                    ClientEvent::ClientConsentGiven { kind, channel, at }
                } else {
                    ClientEvent::ClientConsentWithdrawn { kind, channel, at }
                }
            }
            ClientCommand::ChooseChannels { channels } => {
                if channels == self.channels {
                    return Ok(vec![]);
                }
                ClientEvent::ClientChannelsChosen { channels }
            }
            ClientCommand::AddNote { text, by, at } => ClientEvent::ClientNoteAdded {
                text: required_text(&text, "text", 4000)?,
                by,
                at,
            },
            ClientCommand::SetDiscount { discount } => ClientEvent::ClientDiscountSet { discount },
            ClientCommand::Archive { reason, at } => {
                if self.archived {
                    return Err(DomainError::ClientArchived);
                }
                ClientEvent::ClientArchived {
                    reason: required_text(&reason, "reason", 1000)?,
                    at,
                }
            }
            ClientCommand::Restore { at } => {
                if !self.archived {
                    return Err(DomainError::ClientNotArchived);
                }
                ClientEvent::ClientRestored { at }
            }
            ClientCommand::ErasePersonalData { by, basis, at } => {
                ClientEvent::ClientPersonalDataErased {
                    by,
                    basis: required_text(&basis, "basis", 500)?,
                    at,
                }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &ClientEvent) -> Self {
        match event {
            ClientEvent::ClientRegistered {
                client_id,
                party,
                phones,
                email,
                ..
            } => {
                self.id = Some(*client_id);
                self.party = Some(party.clone());
                self.phones = phones.clone();
                self.email = email.clone();
            }
            ClientEvent::ClientDetailsChanged { party } => self.party = Some(party.clone()),
            ClientEvent::ClientPhoneAdded { phone } => self.phones.push(phone.clone()),
            ClientEvent::ClientPhoneRemoved { phone } => self.phones.retain(|p| p != phone),
            ClientEvent::ClientEmailChanged { email } => self.email = email.clone(),
            ClientEvent::ClientConsentGiven { kind, channel, at } => {
                *self.consent_mut(*kind) = Some(Consent {
                    given: true,
                    channel: *channel,
                    at: *at,
                });
            }
            ClientEvent::ClientConsentWithdrawn { kind, channel, at } => {
                *self.consent_mut(*kind) = Some(Consent {
                    given: false,
                    channel: *channel,
                    at: *at,
                });
            }
            ClientEvent::ClientChannelsChosen { channels } => self.channels = *channels,
            ClientEvent::ClientNoteAdded { text, by, at } => self.notes.push(Note {
                text: text.clone(),
                by: *by,
                at: *at,
            }),
            ClientEvent::ClientDiscountSet { discount } => self.discount = *discount,
            ClientEvent::ClientArchived { .. } => self.archived = true,
            ClientEvent::ClientRestored { .. } => self.archived = false,
            ClientEvent::ClientPersonalDataErased { .. } => {
                // What the log now reads as erased, the state forgets too; a company's name and
                // requisites are not personal and stay.
                if let Some(Party::Person { full_name }) = &mut self.party {
                    *full_name = ERASED.to_owned();
                }
                self.phones.clear();
                self.email = None;
                self.notes.clear();
                self.erased = true;
            }
        }
        self
    }
}
