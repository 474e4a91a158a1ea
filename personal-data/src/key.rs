//! A data subject's data key, and what kind of subject it belongs to.
//!
//! The key is 32 random bytes, wiped from memory when dropped, and never printed: `Debug` shows
//! only that it is a key. It leaves the process only wrapped under a master key.

use chacha20poly1305::aead::{Generate, Key};
use chacha20poly1305::XChaCha20Poly1305;
use zeroize::Zeroize;

/// The length of every key here (data and master): 256 bits.
pub const KEY_LEN: usize = 32;

/// One data subject's key: every personal field of that subject is sealed with it, and erasing
/// the subject destroys it.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; KEY_LEN]);

impl DataKey {
    /// A fresh random key, from the operating system's generator.
    pub fn generate() -> Self {
        let key = Key::<XChaCha20Poly1305>::generate();
        let mut bytes = [0u8; KEY_LEN];
        bytes.copy_from_slice(key.as_slice());
        Self(bytes)
    }

    /// A key from its bytes (an unwrapped key; tests).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// Whose data a subject is: the two kinds of person the shop keeps personal data of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A client who is a person (a company's name is not personal data; its contact person's is).
    Client,
    /// An employee of the shop.
    Employee,
}

impl SubjectKind {
    /// The name stored in `keys.data_keys.subject_kind` (the table's CHECK lists the same).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Employee => "employee",
        }
    }
}
