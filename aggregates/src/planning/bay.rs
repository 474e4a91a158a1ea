//! A bay (пост): a place on the floor where a car is worked on — a lift, an alignment stand, a
//! diagnostics bay — with a name the floor calls it by and the kind of work it is equipped for.
//!
//! Appointments book a kind of bay, not a particular one, so a bay's kind is what counts towards a
//! day's capacity ([`super::capacity`]). A bay taken out of service is deactivated, never deleted:
//! past work orders and appointments still name it, and it can come back after a repair.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::BayKind;
use crate::ids::BayId;
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// The longest bay name accepted, in characters.
pub const MAX_BAY_NAME: usize = 100;

fn bay_name(name: &str) -> Result<String, DomainError> {
    required_text(name, "name", MAX_BAY_NAME)
}

/// What the owner or the service manager asks of a bay.
#[derive(Debug, Clone, PartialEq)]
pub enum BayCommand {
    /// Put a new bay on the floor.
    Register {
        /// The new bay's id.
        bay_id: BayId,
        /// What the floor calls it ("Пост 1", "Развал").
        name: String,
        /// What it is equipped for.
        kind: BayKind,
        /// When.
        at: DateTime<Utc>,
    },
    /// Call it something else.
    Rename {
        /// The new name.
        name: String,
    },
    /// It was re-equipped for another kind of work.
    ChangeKind {
        /// The new kind.
        kind: BayKind,
    },
    /// Take it out of service: it no longer counts towards capacity.
    Deactivate {
        /// When.
        at: DateTime<Utc>,
    },
    /// Put it back into service.
    Reactivate {
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to a bay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum BayEvent {
    /// A bay was put on the floor.
    BayRegistered {
        /// Its id.
        bay_id: BayId,
        /// Its name.
        name: String,
        /// What it is equipped for.
        kind: BayKind,
        /// When.
        at: DateTime<Utc>,
    },
    /// It was renamed.
    BayRenamed {
        /// The new name.
        name: String,
    },
    /// It was re-equipped.
    BayKindChanged {
        /// The new kind.
        kind: BayKind,
    },
    /// It was taken out of service.
    BayDeactivated {
        /// When.
        at: DateTime<Utc>,
    },
    /// It was put back into service.
    BayReactivated {
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for BayEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::BayRegistered { .. } => "BayRegistered",
            Self::BayRenamed { .. } => "BayRenamed",
            Self::BayKindChanged { .. } => "BayKindChanged",
            Self::BayDeactivated { .. } => "BayDeactivated",
            Self::BayReactivated { .. } => "BayReactivated",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A bay as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bay {
    /// Its id, once registered.
    pub id: Option<BayId>,
    /// Its name (empty until registered).
    pub name: String,
    /// What it is equipped for, once registered.
    pub kind: Option<BayKind>,
    /// In service: it counts towards capacity.
    pub active: bool,
}

impl Bay {
    /// The kind it adds capacity to: its kind while registered and in service, else none.
    pub fn serving_kind(&self) -> Option<BayKind> {
        self.kind.filter(|_| self.active && self.id.is_some())
    }
}

impl Aggregate for Bay {
    const STREAM_TYPE: &'static str = "bay";
    type Command = BayCommand;
    type Event = BayEvent;

    fn decide(&self, command: BayCommand) -> Result<Vec<BayEvent>, DomainError> {
        let registering = matches!(command, BayCommand::Register { .. });
        check_existence(registering, self.id.is_some(), "bay")?;
        let event = match command {
            BayCommand::Register {
                bay_id,
                name,
                kind,
                at,
            } => BayEvent::BayRegistered {
                bay_id,
                name: bay_name(&name)?,
                kind,
                at,
            },
            BayCommand::Rename { name } => {
                let name = bay_name(&name)?;
                if name == self.name {
                    return Ok(vec![]);
                }
                BayEvent::BayRenamed { name }
            }
            BayCommand::ChangeKind { kind } => {
                if self.kind == Some(kind) {
                    return Ok(vec![]);
                }
                BayEvent::BayKindChanged { kind }
            }
            BayCommand::Deactivate { at } if self.active => BayEvent::BayDeactivated { at },
            BayCommand::Reactivate { at } if !self.active => BayEvent::BayReactivated { at },
            BayCommand::Deactivate { .. } | BayCommand::Reactivate { .. } => return Ok(vec![]),
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &BayEvent) -> Self {
        match event {
            BayEvent::BayRegistered {
                bay_id, name, kind, ..
            } => {
                self.id = Some(*bay_id);
                self.name = name.clone();
                self.kind = Some(*kind);
                self.active = true;
            }
            BayEvent::BayRenamed { name } => self.name = name.clone(),
            BayEvent::BayKindChanged { kind } => self.kind = Some(*kind),
            BayEvent::BayDeactivated { .. } => self.active = false,
            BayEvent::BayReactivated { .. } => self.active = true,
        }
        self
    }
}
