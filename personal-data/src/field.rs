//! Reading a personal field: its value, or [`ERASED`] once its subject's key is destroyed.
//!
//! Erasure never rewrites an event; it makes the ciphertext unopenable. So "erased" is not an
//! error for a reader (a projector, an API, an export) but an answer to show, the same everywhere.

use crate::{open, FieldContext, KeyState, PersonalDataError, Result, Sealed};

/// What every reader shows in place of an erased subject's personal field (the domain's marker).
pub use aggregates::personal::ERASED;

/// A personal field as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// The subject's key opened it.
    Value(String),
    /// The subject was erased: the value is gone for good.
    Erased,
}

impl Field {
    /// The text to show: the value, or [`ERASED`].
    pub fn as_str(&self) -> &str {
        match self {
            Self::Value(value) => value,
            Self::Erased => ERASED,
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads `sealed` with its subject's key state (from [`KeyStore::keys_for`](crate::KeyStore::keys_for)).
///
/// An erased subject gives [`Field::Erased`]. A subject with neither a key nor an erasure is an
/// error ([`PersonalDataError::MissingKey`]), not "erased": a key lost outside erasure (a key store
/// restored from an older backup than the log) must stop a reader, not silently blank its data.
pub fn read_field(state: &KeyState, context: &FieldContext<'_>, sealed: &Sealed) -> Result<Field> {
    match state {
        KeyState::Live(key) => open(key, context, sealed).map(Field::Value),
        KeyState::Erased => Ok(Field::Erased),
        KeyState::Unknown => Err(PersonalDataError::MissingKey(sealed.subject())),
    }
}
