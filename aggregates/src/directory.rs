//! Directories: reference lists the owner defines (payment methods, cancellation reasons, vehicle
//! makes and models, …). Entries have stable codes that events and other records refer to; they can
//! be renamed and deactivated, never deleted, so every old record still resolves.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::permission::Permission;
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// A stable machine code: lower-case Latin letters, digits, `_` and `-`, starting with a letter, 1–40.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    /// Parses a code.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let valid = (1..=40).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::InvalidCode {
                value: raw.to_owned(),
            })
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Code> for String {
    fn from(code: Code) -> String {
        code.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One entry of a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its stable code.
    pub code: Code,
    /// Its name as staff see it.
    pub name: String,
    /// Offered for new records.
    pub active: bool,
}

/// What the owner asks of a directory.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryCommand {
    /// Create a directory.
    Create {
        /// Its code (also its stream id).
        code: Code,
        /// Its name.
        name: String,
    },
    /// Rename the directory.
    Rename {
        /// The new name.
        name: String,
    },
    /// Add an entry.
    AddEntry {
        /// The entry's code.
        code: Code,
        /// Its name.
        name: String,
    },
    /// Rename an entry.
    RenameEntry {
        /// The entry.
        code: Code,
        /// The new name.
        name: String,
    },
    /// Stop offering an entry.
    DeactivateEntry {
        /// The entry.
        code: Code,
    },
    /// Offer an entry again.
    ReactivateEntry {
        /// The entry.
        code: Code,
    },
}

impl DirectoryCommand {
    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        Permission::DirectoryEdit
    }
}

/// What happened to a directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum DirectoryEvent {
    /// A directory was created.
    DirectoryCreated {
        /// Its code.
        code: Code,
        /// Its name.
        name: String,
    },
    /// The directory was renamed.
    DirectoryRenamed {
        /// The new name.
        name: String,
    },
    /// An entry was added.
    DirectoryEntryAdded {
        /// The entry's code.
        code: Code,
        /// Its name.
        name: String,
    },
    /// An entry was renamed.
    DirectoryEntryRenamed {
        /// The entry.
        code: Code,
        /// The new name.
        name: String,
    },
    /// An entry is no longer offered.
    DirectoryEntryDeactivated {
        /// The entry.
        code: Code,
    },
    /// An entry is offered again.
    DirectoryEntryReactivated {
        /// The entry.
        code: Code,
    },
}

impl DomainEvent for DirectoryEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::DirectoryCreated { .. } => "DirectoryCreated",
            Self::DirectoryRenamed { .. } => "DirectoryRenamed",
            Self::DirectoryEntryAdded { .. } => "DirectoryEntryAdded",
            Self::DirectoryEntryRenamed { .. } => "DirectoryEntryRenamed",
            Self::DirectoryEntryDeactivated { .. } => "DirectoryEntryDeactivated",
            Self::DirectoryEntryReactivated { .. } => "DirectoryEntryReactivated",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A directory as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    /// Its code, once created.
    pub code: Option<Code>,
    /// Its name.
    pub name: String,
    /// Entries in the order added.
    pub entries: Vec<Entry>,
}

impl Directory {
    /// The entry with this code.
    pub fn entry(&self, code: &Code) -> Result<&Entry, DomainError> {
        self.entries
            .iter()
            .find(|e| e.code == *code)
            .ok_or_else(|| DomainError::EntryNotFound {
                code: code.to_string(),
            })
    }

    fn entry_mut(&mut self, code: &Code) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.code == *code)
    }
}

impl Aggregate for Directory {
    const STREAM_TYPE: &'static str = "directory";
    type Command = DirectoryCommand;
    type Event = DirectoryEvent;

    fn decide(&self, command: DirectoryCommand) -> Result<Vec<DirectoryEvent>, DomainError> {
        let creating = matches!(command, DirectoryCommand::Create { .. });
        check_existence(creating, self.code.is_some(), "directory")?;
        let event = match command {
            DirectoryCommand::Create { code, name } => DirectoryEvent::DirectoryCreated {
                code,
                name: required_text(&name, "name", 200)?,
            },
            DirectoryCommand::Rename { name } => DirectoryEvent::DirectoryRenamed {
                name: required_text(&name, "name", 200)?,
            },
            DirectoryCommand::AddEntry { code, name } => {
                if self.entries.iter().any(|e| e.code == code) {
                    return Err(DomainError::EntryExists {
                        code: code.to_string(),
                    });
                }
                DirectoryEvent::DirectoryEntryAdded {
                    code,
                    name: required_text(&name, "name", 200)?,
                }
            }
            DirectoryCommand::RenameEntry { code, name } => {
                let name = required_text(&name, "name", 200)?;
                if self.entry(&code)?.name == name {
                    return Ok(vec![]);
                }
                DirectoryEvent::DirectoryEntryRenamed { code, name }
            }
            DirectoryCommand::DeactivateEntry { code } => {
                if !self.entry(&code)?.active {
                    return Ok(vec![]);
                }
                DirectoryEvent::DirectoryEntryDeactivated { code }
            }
            DirectoryCommand::ReactivateEntry { code } => {
                if self.entry(&code)?.active {
                    return Ok(vec![]);
                }
                DirectoryEvent::DirectoryEntryReactivated { code }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &DirectoryEvent) -> Self {
        match event {
            DirectoryEvent::DirectoryCreated { code, name } => {
                self.code = Some(code.clone());
                self.name = name.clone();
            }
            DirectoryEvent::DirectoryRenamed { name } => self.name = name.clone(),
            DirectoryEvent::DirectoryEntryAdded { code, name } => self.entries.push(Entry {
                code: code.clone(),
                name: name.clone(),
                active: true,
            }),
            DirectoryEvent::DirectoryEntryRenamed { code, name } => {
                if let Some(entry) = self.entry_mut(code) {
                    entry.name = name.clone();
                }
            }
            DirectoryEvent::DirectoryEntryDeactivated { code } => {
                if let Some(entry) = self.entry_mut(code) {
                    entry.active = false;
                }
            }
            DirectoryEvent::DirectoryEntryReactivated { code } => {
                if let Some(entry) = self.entry_mut(code) {
                    entry.active = true;
                }
            }
        }
        self
    }
}
