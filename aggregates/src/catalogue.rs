//! The service catalogue: the works the shop offers, each with a category and its standard
//! norm-hours. An entry is deactivated, never deleted: old work orders still name it.

use serde::{Deserialize, Serialize};

use crate::directory::Code;
use crate::ids::CatalogueServiceId;
use crate::money::NormHours;
use crate::permission::Permission;
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// What the owner asks of a catalogue entry.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogueCommand {
    /// Add a service to the catalogue.
    AddService {
        /// Its id.
        service_id: CatalogueServiceId,
        /// Its name, e.g. "Замена масла в двигателе".
        name: String,
        /// Its category (a code of the work categories; the norm-hour rate may depend on it).
        category: Code,
        /// Standard norm-hours.
        norm_hours: NormHours,
    },
    /// Rename it.
    Rename {
        /// The new name.
        name: String,
    },
    /// Change its standard norm-hours.
    ChangeNormHours {
        /// The new norm-hours.
        norm_hours: NormHours,
    },
    /// Move it to another category.
    ChangeCategory {
        /// The new category.
        category: Code,
    },
    /// Stop offering it.
    Deactivate,
    /// Offer it again.
    Reactivate,
}

impl CatalogueCommand {
    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        Permission::CatalogueEdit
    }
}

/// What happened to a catalogue entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum CatalogueEvent {
    /// A service was added.
    CatalogueServiceAdded {
        /// Its id.
        service_id: CatalogueServiceId,
        /// Its name.
        name: String,
        /// Its category.
        category: Code,
        /// Standard norm-hours.
        norm_hours: NormHours,
    },
    /// It was renamed.
    CatalogueServiceRenamed {
        /// The new name.
        name: String,
    },
    /// Its standard norm-hours changed.
    CatalogueNormHoursChanged {
        /// The new norm-hours.
        norm_hours: NormHours,
    },
    /// It moved to another category.
    CatalogueCategoryChanged {
        /// The new category.
        category: Code,
    },
    /// It is no longer offered.
    CatalogueServiceDeactivated,
    /// It is offered again.
    CatalogueServiceReactivated,
}

impl DomainEvent for CatalogueEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::CatalogueServiceAdded { .. } => "CatalogueServiceAdded",
            Self::CatalogueServiceRenamed { .. } => "CatalogueServiceRenamed",
            Self::CatalogueNormHoursChanged { .. } => "CatalogueNormHoursChanged",
            Self::CatalogueCategoryChanged { .. } => "CatalogueCategoryChanged",
            Self::CatalogueServiceDeactivated => "CatalogueServiceDeactivated",
            Self::CatalogueServiceReactivated => "CatalogueServiceReactivated",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A catalogue entry as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogueService {
    /// Its id, once added.
    pub id: Option<CatalogueServiceId>,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: Option<Code>,
    /// Standard norm-hours.
    pub norm_hours: Option<NormHours>,
    /// Offered for new work orders.
    pub active: bool,
}

impl Aggregate for CatalogueService {
    const STREAM_TYPE: &'static str = "catalogue_service";
    type Command = CatalogueCommand;
    type Event = CatalogueEvent;

    fn decide(&self, command: CatalogueCommand) -> Result<Vec<CatalogueEvent>, DomainError> {
        let adding = matches!(command, CatalogueCommand::AddService { .. });
        check_existence(adding, self.id.is_some(), "catalogue service")?;
        let event = match command {
            CatalogueCommand::AddService {
                service_id,
                name,
                category,
                norm_hours,
            } => CatalogueEvent::CatalogueServiceAdded {
                service_id,
                name: required_text(&name, "name", 300)?,
                category,
                norm_hours,
            },
            CatalogueCommand::Rename { name } => {
                let name = required_text(&name, "name", 300)?;
                if name == self.name {
                    return Ok(vec![]);
                }
                CatalogueEvent::CatalogueServiceRenamed { name }
            }
            CatalogueCommand::ChangeNormHours { norm_hours } => {
                if Some(norm_hours) == self.norm_hours {
                    return Ok(vec![]);
                }
                CatalogueEvent::CatalogueNormHoursChanged { norm_hours }
            }
            CatalogueCommand::ChangeCategory { category } => {
                if Some(&category) == self.category.as_ref() {
                    return Ok(vec![]);
                }
                CatalogueEvent::CatalogueCategoryChanged { category }
            }
            CatalogueCommand::Deactivate if self.active => {
                CatalogueEvent::CatalogueServiceDeactivated
            }
            CatalogueCommand::Reactivate if !self.active => {
                CatalogueEvent::CatalogueServiceReactivated
            }
            CatalogueCommand::Deactivate | CatalogueCommand::Reactivate => return Ok(vec![]),
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &CatalogueEvent) -> Self {
        match event {
            CatalogueEvent::CatalogueServiceAdded {
                service_id,
                name,
                category,
                norm_hours,
            } => {
                self.id = Some(*service_id);
                self.name = name.clone();
                self.category = Some(category.clone());
                self.norm_hours = Some(*norm_hours);
                self.active = true;
            }
            CatalogueEvent::CatalogueServiceRenamed { name } => self.name = name.clone(),
            CatalogueEvent::CatalogueNormHoursChanged { norm_hours } => {
                self.norm_hours = Some(*norm_hours);
            }
            CatalogueEvent::CatalogueCategoryChanged { category } => {
                self.category = Some(category.clone());
            }
            CatalogueEvent::CatalogueServiceDeactivated => self.active = false,
            CatalogueEvent::CatalogueServiceReactivated => self.active = true,
        }
        self
    }
}
