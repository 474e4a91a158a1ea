//! How people and companies are reached and identified: phones, e-mail, and Russian requisites
//! (INN, KPP, OGRN, BIK and bank account), each valid by construction.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::personal::ERASED;
use crate::DomainError;

macro_rules! text_newtype {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        text_newtype!(@common $name);
    };
    // A personal value: once its subject is erased, readers of the log get the erased marker in
    // its place, and the events carrying it must still read. New input with the marker is refused
    // by the aggregates' `decide` (`personal::not_erased_marker`).
    (personal $name:ident) => {
        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                if value == ERASED {
                    return Ok(Self(value));
                }
                Self::parse(&value)
            }
        }

        impl $name {
            /// Whether this is the erased marker rather than a value.
            pub fn is_erased(&self) -> bool {
                self.0 == ERASED
            }
        }
        text_newtype!(@common $name);
    };
    (@common $name:ident) => {

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $name {
            /// The canonical text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

/// A phone number in E.164 (`+79123456789`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);
text_newtype!(personal Phone);

impl Phone {
    /// Parses a phone as people write it in Russia: `8 (912) 345-67-89`, `+7 912 345 67 89`,
    /// `9123456789`; or any international number written with `+` and its country code.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let invalid = |reason: &'static str| DomainError::InvalidPhone {
            value: raw.to_owned(),
            reason,
        };
        let trimmed = raw.trim();
        let international = trimmed.starts_with('+');
        let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
        if body
            .chars()
            .any(|c| !(c.is_ascii_digit() || " -().".contains(c)))
        {
            return Err(invalid(
                "a phone has digits, spaces, dashes and brackets only",
            ));
        }
        let digits: String = body.chars().filter(char::is_ascii_digit).collect();
        let e164 = match (international, digits.len(), digits.chars().next()) {
            (true, 11, Some('7')) => digits,
            (true, _, Some('7')) => return Err(invalid("a Russian number has 10 digits after +7")),
            (true, 8..=15, Some(first)) if first != '0' => digits,
            (true, _, _) => return Err(invalid("an international number has 8 to 15 digits")),
            (false, 11, Some('8' | '7')) => format!("7{}", &digits[1..]),
            (false, 10, Some(_)) => format!("7{digits}"),
            (false, _, _) => {
                return Err(invalid(
                    "a Russian number has 10 digits (with 8 or +7 in front); others need +",
                ))
            }
        };
        Ok(Self(format!("+{e164}")))
    }

    /// The digits without `+`, for matching by any tail the advisor remembers.
    pub fn digits(&self) -> &str {
        if self.is_erased() {
            return "";
        }
        &self.0[1..]
    }
}

/// An e-mail address, trimmed, with the domain in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);
text_newtype!(personal Email);

impl Email {
    /// Parses an address: one `@`, a local part, a domain with a dot, no spaces, at most 254 bytes.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let invalid = || DomainError::InvalidEmail {
            value: raw.to_owned(),
        };
        let trimmed = raw.trim();
        let (local, domain) = trimmed.split_once('@').ok_or_else(invalid)?;
        let valid = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && trimmed.len() <= 254
            && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }
}

fn digits_of(raw: &str) -> Vec<u32> {
    raw.chars().filter_map(|c| c.to_digit(10)).collect()
}

fn weighted_check(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
}

/// A taxpayer number (ИНН): 10 digits for an organisation, 12 for a person or sole trader.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Inn(String);
text_newtype!(Inn);

impl Inn {
    /// Parses an INN and verifies its check digits (one for 10 digits, two for 12).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        let invalid = |reason: &'static str| DomainError::InvalidInn {
            value: raw.to_owned(),
            reason,
        };
        if !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid("an INN has digits only"));
        }
        let d = digits_of(value);
        let valid = match d.len() {
            10 => weighted_check(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9],
            12 => {
                weighted_check(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
                    && weighted_check(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
            }
            _ => {
                return Err(invalid(
                    "an INN has 10 digits (organisation) or 12 (person)",
                ))
            }
        };
        if !valid {
            return Err(invalid("the check digits do not match"));
        }
        Ok(Self(value.to_owned()))
    }

    /// True for an organisation's 10-digit INN.
    pub fn is_organisation(&self) -> bool {
        self.0.len() == 10
    }
}

/// A tax registration reason code (КПП) of an organisation: 4 digits, 2 digits or capitals, 3 digits.
///
/// A KPP has no check digit; its shape is all that can be verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kpp(String);
text_newtype!(Kpp);

impl Kpp {
    /// Parses a KPP.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        let valid = bytes.len() == 9
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && bytes[4..6]
                .iter()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            && bytes[6..].iter().all(u8::is_ascii_digit);
        if !valid {
            return Err(DomainError::InvalidKpp {
                value: raw.to_owned(),
            });
        }
        Ok(Self(value))
    }
}

/// A state registration number: ОГРН (13 digits) of an organisation or ОГРНИП (15) of a sole trader.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ogrn(String);
text_newtype!(Ogrn);

impl Ogrn {
    /// Parses an OGRN or OGRNIP and verifies its check digit.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        let invalid = |reason: &'static str| DomainError::InvalidOgrn {
            value: raw.to_owned(),
            reason,
        };
        if !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid("an OGRN has digits only"));
        }
        let modulus = match value.len() {
            13 => 11,
            15 => 13,
            _ => return Err(invalid("an OGRN has 13 digits (ОГРНИП: 15)")),
        };
        let (body, check) = value.split_at(value.len() - 1);
        let body: u64 = body.parse().map_err(|_| invalid("not a number"))?;
        if (body % modulus % 10).to_string() != check {
            return Err(invalid("the check digit does not match"));
        }
        Ok(Self(value.to_owned()))
    }
}

/// A Russian bank's identifier (БИК): 9 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bik(String);
text_newtype!(Bik);

impl Bik {
    /// Parses a BIK.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.len() != 9 || !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(DomainError::InvalidBankDetails {
                reason: "a BIK has 9 digits",
            });
        }
        Ok(Self(value.to_owned()))
    }
}

/// The shop's bank: BIK, settlement account and correspondent account, checked against each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankDetails {
    /// The bank's name.
    pub bank_name: String,
    /// The bank's BIK.
    pub bik: Bik,
    /// The shop's settlement account (расчётный счёт), 20 digits.
    pub account: String,
    /// The bank's correspondent account (корреспондентский счёт), 20 digits.
    pub correspondent_account: String,
}

impl BankDetails {
    /// Bank details whose accounts pass the Central Bank's control key against the BIK.
    pub fn new(
        bank_name: &str,
        bik: Bik,
        account: &str,
        correspondent_account: &str,
    ) -> Result<Self, DomainError> {
        let invalid = |reason: &'static str| DomainError::InvalidBankDetails { reason };
        if bank_name.trim().is_empty() {
            return Err(invalid("the bank's name is required"));
        }
        let bik_digits = bik.as_str();
        // The settlement account is keyed with the BIK's last three digits; the correspondent
        // account with "0" and the BIK's 5th and 6th digits.
        if !account_key_valid(&bik_digits[6..9], account) {
            return Err(invalid("the settlement account does not match the BIK"));
        }
        let correspondent_prefix = format!("0{}", &bik_digits[4..6]);
        if !account_key_valid(&correspondent_prefix, correspondent_account) {
            return Err(invalid("the correspondent account does not match the BIK"));
        }
        Ok(Self {
            bank_name: bank_name.trim().to_owned(),
            bik,
            account: account.to_owned(),
            correspondent_account: correspondent_account.to_owned(),
        })
    }
}

/// The Central Bank of Russia's control key of a 20-digit account.
fn account_key_valid(prefix: &str, account: &str) -> bool {
    if account.len() != 20 || !account.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    const WEIGHTS: [u32; 3] = [7, 1, 3];
    let sum: u32 = digits_of(&format!("{prefix}{account}"))
        .iter()
        .enumerate()
        .map(|(i, d)| d * WEIGHTS[i % 3] % 10)
        .sum();
    sum % 10 == 0
}
