//! The crate's one error enum. No variant ever carries key bytes or a field's plaintext: errors
//! end up in logs, and a log is exactly where personal data must not leak to.

use uuid::Uuid;

/// Everything that can go wrong sealing, opening, wrapping or storing keys.
#[derive(Debug, thiserror::Error)]
pub enum PersonalDataError {
    /// A sealed value's text form is not `pd1.<subject>.<base64url>`; `reason` says which part.
    #[error("malformed sealed value: {reason}")]
    Malformed {
        /// Which part of the input is wrong (never the input itself).
        reason: &'static str,
    },
    /// The value is beyond what the cipher seals in one piece (256 GiB): no personal field is.
    #[error("the value is too long to seal")]
    TooLong,
    /// The AEAD refused: wrong key, a context that differs from the one it was sealed under
    /// (another stream, event type, field or subject), or a changed byte. The cipher cannot tell
    /// these apart, by design.
    #[error("the value does not open under this key and context")]
    Undecryptable,
    /// The sealed value names a different subject than the context it is being opened under.
    #[error("the value was sealed for subject {sealed}, not {context}")]
    SubjectMismatch {
        /// The subject the value names.
        sealed: Uuid,
        /// The subject of the context.
        context: Uuid,
    },
    /// A wrapped data key does not unwrap: a wrong master key, or the wrapped bytes were moved
    /// to another subject or changed.
    #[error(
        "the data key of subject {subject} does not unwrap under master key {master_key_id:?}"
    )]
    Unwrap {
        /// Whose key.
        subject: Uuid,
        /// The master key it was wrapped under.
        master_key_id: String,
    },
    /// A wrapped data key names a master key that is neither current nor among the previous ones.
    #[error("master key {0:?} is not loaded (neither current nor previous)")]
    UnknownMasterKey(String),
    /// The master keys could not be loaded: a missing setting, a bad line, an unsafe file.
    #[error("master keys: {0}")]
    MasterKeys(String),
    /// The subject was erased: no key will ever be made for it again.
    #[error("subject {0} was erased; no data key is made for it again")]
    Erased(Uuid),
    /// The subject has a key, but as another kind (a client's id asked for as an employee's).
    #[error("subject {subject} is a {stored}, not a {asked}")]
    KindMismatch {
        /// Whose key.
        subject: Uuid,
        /// The kind the key store has.
        stored: String,
        /// The kind asked for.
        asked: &'static str,
    },
    /// An erasure's basis is empty or too long.
    #[error(
        "an erasure's basis is a reference of 1 to {0} characters (a request number, a clause)"
    )]
    Basis(usize),
    /// A sealed value exists but its subject has neither a key nor an erasure: the key store
    /// lost a key outside of erasure (e.g. restored from an older backup than the log).
    #[error("subject {0} has no data key and no erasure record")]
    MissingKey(Uuid),
    /// The key store's database.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}
