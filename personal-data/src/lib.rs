//! Personal data under 152-ФЗ, kept out of the append-only log in the clear (crypto-shredding).
//!
//! The log is append-only and kept forever, yet a person may demand their data be destroyed. So a
//! personal field (a person's name, phone, e-mail, address, free-text note) never goes into an
//! event as it is: it is sealed ([`cipher`]) under a data key of its own data subject (a client who
//! is a person, an employee). Data keys live wrapped under a master key ([`master`]) in a key store
//! apart from the log ([`key_store`], schema `keys`). Erasing a subject destroys its data key and
//! nothing else: every copy of every event, backups of the log included, then holds ciphertext no
//! one can open, and every reader shows [`ERASED`] ([`field`]).
//!
//! [`codec::LogCodec`] applies the domain's table of personal fields to the log: every service's
//! event store seals and opens through it; [`HiddenPersonalData`] reads a log without keys, every
//! personal field shown as erased.

pub mod cipher;
pub mod codec;
mod error;
pub mod field;
mod hidden;
pub mod key;
pub mod key_store;
pub mod master;

pub use cipher::{open, seal, FieldContext, Sealed};
pub use codec::LogCodec;
pub use error::PersonalDataError;
pub use field::{read_field, Field, ERASED};
pub use hidden::HiddenPersonalData;
pub use key::{DataKey, SubjectKind};
pub use key_store::{erase_in, Erasure, KeyState, KeyStore};
pub use master::{MasterKey, MasterKeys, WrappedKey};
/// What [`MasterKeys::unwrap_secret`] returns: the secret, wiped from memory when dropped.
pub use zeroize::Zeroizing;

/// The crate's results.
pub type Result<T, E = PersonalDataError> = std::result::Result<T, E>;
