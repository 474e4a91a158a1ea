//! A car's identities: the VIN and the Russian registration plate, each in one canonical form.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A vehicle identification number: 17 characters, digits and Latin capitals except I, O and Q.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vin(String);

impl Vin {
    /// Parses a VIN typed by a person: spaces and dashes dropped, letters upper-cased.
    ///
    /// The check digit (position 9) is verified only where the maker must use it: North America
    /// (first character 1–5) and China (L). European, Japanese and Russian makers do not, so a
    /// wrong-looking 9th character there is the maker's choice, not a typo.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let vin: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let invalid = |reason: &'static str| DomainError::InvalidVin {
            value: raw.to_owned(),
            reason,
        };
        if vin.chars().count() != 17 {
            return Err(invalid("a VIN has 17 characters"));
        }
        if let Some(c) = vin.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(if c.is_alphabetic() {
                invalid("a VIN uses Latin letters only")
            } else {
                invalid("a VIN has only letters and digits")
            });
        }
        if vin.contains(['I', 'O', 'Q']) {
            return Err(invalid("a VIN never contains I, O or Q"));
        }
        let uses_check_digit = matches!(vin.as_bytes()[0], b'1'..=b'5' | b'L');
        if uses_check_digit && check_digit(&vin) != vin.as_bytes()[8] {
            return Err(invalid("the check digit (9th character) does not match"));
        }
        Ok(Self(vin))
    }

    /// The canonical VIN.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The ISO 3779 / FMVSS 115 check digit of a 17-character VIN.
fn check_digit(vin: &str) -> u8 {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let value = |c: u8| -> u32 {
        match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'H' => u32::from(c - b'A') + 1,
            b'J'..=b'N' => u32::from(c - b'J') + 1,
            b'P' => 7,
            b'R' => 9,
            b'S'..=b'Z' => u32::from(c - b'S') + 2,
            _ => 0,
        }
    };
    let sum: u32 = vin
        .bytes()
        .zip(WEIGHTS)
        .map(|(c, weight)| value(c) * weight)
        .sum();
    match sum % 11 {
        10 => b'X',
        digit => b'0' + digit as u8,
    }
}

impl TryFrom<String> for Vin {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Vin> for String {
    fn from(vin: Vin) -> String {
        vin.0
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Russian registration plate in canonical form: Cyrillic letters, no spaces, region digits last.
///
/// Plates use only the twelve Cyrillic letters that look Latin (А В Е К М Н О Р С Т У Х), so people
/// type them either way; both spellings become one canonical form, and search matches either.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Plate(String);

/// Latin look-alikes and their Cyrillic plate letters.
const LOOK_ALIKES: [(char, char); 12] = [
    ('A', 'А'),
    ('B', 'В'),
    ('E', 'Е'),
    ('K', 'К'),
    ('M', 'М'),
    ('H', 'Н'),
    ('O', 'О'),
    ('P', 'Р'),
    ('C', 'С'),
    ('T', 'Т'),
    ('Y', 'У'),
    ('X', 'Х'),
];

impl Plate {
    /// Parses a plate typed in Cyrillic or Latin look-alikes, with or without spaces and the region.
    ///
    /// Accepted: the ordinary car plate (А123ВС77, А123ВС777), taxi and route plates (АВ12377),
    /// trailer plates (АВ123477) and motorcycle plates (1234АВ77).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let canonical = Self::canonical_form(raw);
        let shape: String = canonical
            .chars()
            .map(|c| if c.is_ascii_digit() { 'D' } else { 'L' })
            .collect();
        let invalid = |reason: &'static str| DomainError::InvalidPlate {
            value: raw.to_owned(),
            reason,
        };
        if canonical
            .chars()
            .any(|c| !c.is_ascii_digit() && !LOOK_ALIKES.iter().any(|(_, cyr)| *cyr == c))
        {
            return Err(invalid(
                "plates use digits and А В Е К М Н О Р С Т У Х only",
            ));
        }
        // Car; taxi and route (LL DDD region); trailer (LL DDDD region); motorcycle. The taxi plate
        // with a 3-digit region and the trailer plate with a 2-digit one share a shape.
        const SHAPES: [&str; 7] = [
            "LDDDLLDD",
            "LDDDLLDDD",
            "LLDDDDD",
            "LLDDDDDD",
            "LLDDDDDDD",
            "DDDDLLDD",
            "DDDDLLDDD",
        ];
        if !SHAPES.contains(&shape.as_str()) {
            return Err(invalid("not a Russian plate (e.g. А123ВС77 or А123ВС777)"));
        }
        Ok(Self(canonical))
    }

    /// The canonical spelling of any plate-like text: upper-case, Cyrillic letters, no separators.
    ///
    /// Search applies the same function to what the advisor types, so `a123bc77`, `А 123 ВС 77` and
    /// `A123BC77` all find one car.
    pub fn canonical_form(raw: &str) -> String {
        raw.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .map(|c| {
                LOOK_ALIKES
                    .iter()
                    .find(|(latin, _)| *latin == c)
                    .map_or(c, |(_, cyrillic)| *cyrillic)
            })
            .collect()
    }

    /// The canonical plate.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Plate {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Plate> for String {
    fn from(plate: Plate) -> String {
        plate.0
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
