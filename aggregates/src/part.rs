//! A part of the parts catalogue (номенклатура): what the shop buys, stocks and fits.
//!
//! A part is found by its number as people type it (`0 986 452 044`, `0986-452-044`, `0986452044`
//! are one part), so the number keeps the form it was given in and a [`PartNumber::normalised`]
//! form for search. Analogues (cross-references) name other parts of the catalogue; the link is
//! recorded on this part only, the caller links the other side if the shop wants it both ways.
//!
//! A part is deactivated, never deleted: old orders and movements still name it. How much of it
//! there is lives in its stock streams ([`crate::stock`]), not here; the reorder points here say
//! when to buy more.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::directory::Code;
use crate::ids::PartId;
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// A part number (артикул) as the maker or supplier prints it, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartNumber(String);

impl PartNumber {
    /// The longest number accepted, in characters.
    pub const MAX_CHARS: usize = 60;

    /// Parses a number: at most 60 characters with at least one letter or digit.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        let valid = value.chars().count() <= Self::MAX_CHARS
            && !value.chars().any(char::is_control)
            && value.chars().any(char::is_alphanumeric);
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(DomainError::InvalidPartNumber {
                value: raw.to_owned(),
            })
        }
    }

    /// The number as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form search compares: upper case, without spaces and dashes (a hyphen, an en or em
    /// dash pasted from a price list), so a number is found however it was typed.
    pub fn normalised(&self) -> String {
        normalise_part_number(&self.0)
    }
}

/// The search form of any typed number: what [`PartNumber::normalised`] gives, for the search box
/// too, so the box and the catalogue always agree.
pub fn normalise_part_number(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}'))
        .flat_map(char::to_uppercase)
        .collect()
}

impl TryFrom<String> for PartNumber {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PartNumber> for String {
    fn from(value: PartNumber) -> String {
        value.0
    }
}

impl fmt::Display for PartNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The unit a part is counted in; quantities are thousandths of it ([`crate::money::Quantity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Pieces (шт.).
    Pcs,
    /// Litres (л).
    L,
    /// Kilograms (кг).
    Kg,
    /// Metres (м).
    M,
}

/// When to buy more of a part: below `min` it goes on the "to order" list, and an order tops it
/// up to `max`. In thousandths of the part's unit; `min` ≤ `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReorderPoints {
    /// The least the shop wants on hand.
    pub min: u64,
    /// What an order tops the stock up to.
    pub max: u64,
}

impl ReorderPoints {
    /// The most either point may be: ten million units, in thousandths.
    pub const MAX_THOUSANDTHS: u64 = 10_000_000_000;

    /// Reorder points with `min` ≤ `max` ≤ [`Self::MAX_THOUSANDTHS`].
    pub fn new(min: u64, max: u64) -> Result<Self, DomainError> {
        if min > max || max > Self::MAX_THOUSANDTHS {
            return Err(DomainError::InvalidReorderPoints { min, max });
        }
        Ok(Self { min, max })
    }

    /// How much to order for stock that would stand at `projected` (available plus on order,
    /// in thousandths): nothing at or above `min`, else up to `max`.
    pub fn to_order(&self, projected: i64) -> u64 {
        let projected = i128::from(projected);
        if projected >= i128::from(self.min) {
            return 0;
        }
        u64::try_from(i128::from(self.max) - projected).unwrap_or(u64::MAX)
    }
}

/// What the storekeeper asks of a part.
#[derive(Debug, Clone, PartialEq)]
pub enum PartCommand {
    /// Add a part to the catalogue.
    Register {
        /// The new part's id.
        part_id: PartId,
        /// Its number.
        number: PartNumber,
        /// Its maker, e.g. "Bosch".
        brand: String,
        /// Its name, e.g. "Фильтр масляный".
        name: String,
        /// What it is counted in.
        unit: Unit,
        /// Its category (a code of the parts categories; the markup may depend on it).
        category: Code,
        /// When.
        at: DateTime<Utc>,
    },
    /// Correct the number, brand, name, unit or category.
    ChangeDetails {
        /// The number.
        number: PartNumber,
        /// The maker.
        brand: String,
        /// The name.
        name: String,
        /// The unit.
        unit: Unit,
        /// The category.
        category: Code,
    },
    /// Name another part as an analogue (a cross-reference).
    LinkAnalogue {
        /// The other part.
        analogue: PartId,
    },
    /// Remove an analogue.
    UnlinkAnalogue {
        /// The other part.
        analogue: PartId,
    },
    /// Set or clear the reorder points.
    SetReorderPoints {
        /// The points, or none for a part bought only to order.
        reorder: Option<ReorderPoints>,
    },
    /// Stop offering it for new orders and purchases.
    Deactivate {
        /// When.
        at: DateTime<Utc>,
    },
    /// Offer it again.
    Reactivate {
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PartEvent {
    /// A part was added to the catalogue.
    PartRegistered {
        /// Its id.
        part_id: PartId,
        /// Its number.
        number: PartNumber,
        /// Its maker.
        brand: String,
        /// Its name.
        name: String,
        /// Its unit.
        unit: Unit,
        /// Its category.
        category: Code,
        /// When.
        at: DateTime<Utc>,
    },
    /// Its number, brand, name, unit or category were corrected.
    PartDetailsChanged {
        /// The number.
        number: PartNumber,
        /// The maker.
        brand: String,
        /// The name.
        name: String,
        /// The unit.
        unit: Unit,
        /// The category.
        category: Code,
    },
    /// Another part was named as its analogue.
    PartAnalogueLinked {
        /// The other part.
        analogue: PartId,
    },
    /// An analogue was removed.
    PartAnalogueUnlinked {
        /// The other part.
        analogue: PartId,
    },
    /// Its reorder points were set or cleared.
    PartReorderPointsSet {
        /// The points, or none.
        reorder: Option<ReorderPoints>,
    },
    /// It is no longer offered.
    PartDeactivated {
        /// When.
        at: DateTime<Utc>,
    },
    /// It is offered again.
    PartReactivated {
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for PartEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::PartRegistered { .. } => "PartRegistered",
            Self::PartDetailsChanged { .. } => "PartDetailsChanged",
            Self::PartAnalogueLinked { .. } => "PartAnalogueLinked",
            Self::PartAnalogueUnlinked { .. } => "PartAnalogueUnlinked",
            Self::PartReorderPointsSet { .. } => "PartReorderPointsSet",
            Self::PartDeactivated { .. } => "PartDeactivated",
            Self::PartReactivated { .. } => "PartReactivated",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A part as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Its id, once registered.
    pub id: Option<PartId>,
    /// Its number.
    pub number: Option<PartNumber>,
    /// Its maker.
    pub brand: String,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: Option<Unit>,
    /// Its category.
    pub category: Option<Code>,
    /// Its analogues.
    pub analogues: BTreeSet<PartId>,
    /// When to buy more; none for a part bought only to order.
    pub reorder: Option<ReorderPoints>,
    /// Offered for new orders and purchases.
    pub active: bool,
}

fn brand_and_name(brand: &str, name: &str) -> Result<(String, String), DomainError> {
    Ok((
        required_text(brand, "brand", 100)?,
        required_text(name, "name", 300)?,
    ))
}

impl Aggregate for Part {
    const STREAM_TYPE: &'static str = "part";
    type Command = PartCommand;
    type Event = PartEvent;

    fn decide(&self, command: PartCommand) -> Result<Vec<PartEvent>, DomainError> {
        let registering = matches!(command, PartCommand::Register { .. });
        check_existence(registering, self.id.is_some(), "part")?;
        let event = match command {
            PartCommand::Register {
                part_id,
                number,
                brand,
                name,
                unit,
                category,
                at,
            } => {
                let (brand, name) = brand_and_name(&brand, &name)?;
                PartEvent::PartRegistered {
                    part_id,
                    number,
                    brand,
                    name,
                    unit,
                    category,
                    at,
                }
            }
            PartCommand::ChangeDetails {
                number,
                brand,
                name,
                unit,
                category,
            } => {
                let (brand, name) = brand_and_name(&brand, &name)?;
                let unchanged = self.number.as_ref() == Some(&number)
                    && self.brand == brand
                    && self.name == name
                    && self.unit == Some(unit)
                    && self.category.as_ref() == Some(&category);
                if unchanged {
                    return Ok(vec![]);
                }
                PartEvent::PartDetailsChanged {
                    number,
                    brand,
                    name,
                    unit,
                    category,
                }
            }
            PartCommand::LinkAnalogue { analogue } => {
                if Some(analogue) == self.id {
                    return Err(DomainError::AnalogueOfItself);
                }
                if self.analogues.contains(&analogue) {
                    return Ok(vec![]);
                }
                PartEvent::PartAnalogueLinked { analogue }
            }
            PartCommand::UnlinkAnalogue { analogue } => {
                if !self.analogues.contains(&analogue) {
                    return Ok(vec![]);
                }
                PartEvent::PartAnalogueUnlinked { analogue }
            }
            PartCommand::SetReorderPoints { reorder } => {
                if reorder == self.reorder {
                    return Ok(vec![]);
                }
                PartEvent::PartReorderPointsSet { reorder }
            }
            PartCommand::Deactivate { at } if self.active => PartEvent::PartDeactivated { at },
            PartCommand::Reactivate { at } if !self.active => PartEvent::PartReactivated { at },
            PartCommand::Deactivate { .. } | PartCommand::Reactivate { .. } => return Ok(vec![]),
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &PartEvent) -> Self {
        match event {
            PartEvent::PartRegistered {
                part_id,
                number,
                brand,
                name,
                unit,
                category,
                ..
            } => {
                self.id = Some(*part_id);
                self.number = Some(number.clone());
                self.brand = brand.clone();
                self.name = name.clone();
                self.unit = Some(*unit);
                self.category = Some(category.clone());
                self.active = true;
            }
            PartEvent::PartDetailsChanged {
                number,
                brand,
                name,
                unit,
                category,
            } => {
                self.number = Some(number.clone());
                self.brand = brand.clone();
                self.name = name.clone();
                self.unit = Some(*unit);
                self.category = Some(category.clone());
            }
            PartEvent::PartAnalogueLinked { analogue } => {
                self.analogues.insert(*analogue);
            }
            PartEvent::PartAnalogueUnlinked { analogue } => {
                self.analogues.remove(analogue);
            }
            PartEvent::PartReorderPointsSet { reorder } => self.reorder = *reorder,
            PartEvent::PartDeactivated { .. } => self.active = false,
            PartEvent::PartReactivated { .. } => self.active = true,
        }
        self
    }
}
