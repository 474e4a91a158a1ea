//! Sealing one personal field under its subject's data key, bound to where it stands.
//!
//! The AEAD is XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`), not AES-256-GCM, because:
//! - its 192-bit nonce can be drawn at random for every value, for as many values as a subject
//!   will ever have, with no counter to keep; GCM's 96-bit random nonces are only safe up to about
//!   2^32 messages per key, and one repeated nonce there reveals the authentication key;
//! - it is constant-time in plain Rust on every CPU, where software AES needs AES-NI to be fast
//!   and free of cache-timing leaks.
//!
//! The associated data ([`FieldContext::aad`]) binds a ciphertext to its stream, event type, field
//! and subject: copied into another record, another field or another person's event it no longer
//! opens. Its encoding is versioned and length-prefixed, so no two different contexts share bytes
//! ("ab"+"c" and "a"+"bc" differ).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use uuid::Uuid;

use crate::{DataKey, PersonalDataError, Result};

/// The version of both the AAD encoding and the text form; a new scheme gets a new number and
/// the old one stays readable.
const VERSION: u8 = 1;
/// Separates this crate's AAD from any other use of the same key.
const AAD_DOMAIN: &[u8] = b"motorlog/personal-field";
/// The text form's prefix.
const PREFIX: &str = "pd1.";
/// XChaCha20's nonce length.
pub const NONCE_LEN: usize = 24;
/// Poly1305's tag length: every ciphertext is at least this long.
const TAG_LEN: usize = 16;

/// Where a personal field stands: the event that carries it and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldContext<'a> {
    /// The aggregate type of the stream (`client`, `employee`, `work_order`…).
    pub stream_type: &'a str,
    /// The stream's id.
    pub stream_id: &'a str,
    /// The event's type (`ClientRegistered`…).
    pub event_type: &'a str,
    /// The field's name in the event's payload (`phone`, `contact.email`…).
    pub field: &'a str,
    /// The data subject whose key seals it.
    pub subject: Uuid,
}

impl FieldContext<'_> {
    /// The canonical associated data: version, domain, then each part length-prefixed (u64, big
    /// endian) in a fixed order, then the subject's 16 bytes.
    pub fn aad(&self) -> Vec<u8> {
        let parts = [
            self.stream_type,
            self.stream_id,
            self.event_type,
            self.field,
        ];
        bound_data(VERSION, AAD_DOMAIN, &parts.map(str::as_bytes), self.subject)
    }
}

/// The associated data of every AEAD use in this crate: `version`, then `domain` and each part
/// length-prefixed (u64, big endian), then the subject's 16 bytes. The prefixes keep it
/// unambiguous ("ab"+"c" is not "a"+"bc"); the domain keeps a field's and a wrapped key's apart.
pub(crate) fn bound_data(version: u8, domain: &[u8], parts: &[&[u8]], subject: Uuid) -> Vec<u8> {
    let mut aad = Vec::with_capacity(
        1 + 8 + domain.len() + parts.iter().map(|p| 8 + p.len()).sum::<usize>() + 16,
    );
    aad.push(version);
    for part in std::iter::once(domain).chain(parts.iter().copied()) {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part);
    }
    aad.extend_from_slice(subject.as_bytes());
    aad
}

/// A sealed personal field: whose key opens it, the nonce and the ciphertext (with its tag).
///
/// In JSON it is one string, `pd1.<subject uuid>.<base64url(nonce || ciphertext)>`: the subject
/// is in the clear so a reader knows which key to fetch without knowing the event's schema. A
/// subject's id is not personal data by itself; it is the key to the data, and that is erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    subject: Uuid,
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl Sealed {
    /// Whose key opens it.
    pub fn subject(&self) -> Uuid {
        self.subject
    }

    /// Parses the text form. Any input gives a value or a [`PersonalDataError::Malformed`], never a
    /// panic: events come from storage and other services.
    pub fn parse(text: &str) -> Result<Self> {
        let malformed = |reason| PersonalDataError::Malformed { reason };
        let rest = text
            .strip_prefix(PREFIX)
            .ok_or(malformed("does not start with `pd1.`"))?;
        let (subject, body) = rest
            .split_once('.')
            .ok_or(malformed("no `.` after the subject"))?;
        let parsed =
            Uuid::try_parse(subject).map_err(|_| malformed("the subject is not a UUID"))?;
        // One spelling per value, so equal values are equal strings.
        if parsed.hyphenated().to_string() != subject {
            return Err(malformed("the subject is not a lowercase hyphenated UUID"));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| malformed("the body is not unpadded base64url"))?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(malformed("the body is shorter than a nonce and a tag"));
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let mut fixed = [0u8; NONCE_LEN];
        fixed.copy_from_slice(nonce);
        Ok(Self {
            subject: parsed,
            nonce: fixed,
            ciphertext: ciphertext.to_vec(),
        })
    }
}

impl std::fmt::Display for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut body = Vec::with_capacity(NONCE_LEN + self.ciphertext.len());
        body.extend_from_slice(&self.nonce);
        body.extend_from_slice(&self.ciphertext);
        write!(
            f,
            "{PREFIX}{}.{}",
            self.subject.hyphenated(),
            URL_SAFE_NO_PAD.encode(body)
        )
    }
}

impl std::str::FromStr for Sealed {
    type Err = PersonalDataError;

    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

impl serde::Serialize for Sealed {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Sealed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Seals `plaintext` under `key` for `context`, with a fresh random nonce. Fails only for a value
/// beyond the cipher's limit (256 GiB), never silently.
pub fn seal(key: &DataKey, context: &FieldContext<'_>, plaintext: &str) -> Result<Sealed> {
    let (nonce, ciphertext) = encrypt(key.as_bytes(), &context.aad(), plaintext.as_bytes())?;
    Ok(Sealed {
        subject: context.subject,
        nonce,
        ciphertext,
    })
}

/// Opens `sealed` under `key` for `context`; refuses a value of another subject, another context,
/// a changed byte or the wrong key.
pub fn open(key: &DataKey, context: &FieldContext<'_>, sealed: &Sealed) -> Result<String> {
    if sealed.subject != context.subject {
        return Err(PersonalDataError::SubjectMismatch {
            sealed: sealed.subject,
            context: context.subject,
        });
    }
    let plaintext = decrypt(
        key.as_bytes(),
        &context.aad(),
        &sealed.nonce,
        &sealed.ciphertext,
    )
    .ok_or(PersonalDataError::Undecryptable)?;
    // The tag checked, so these are the bytes `seal` was given: a `&str`.
    String::from_utf8(plaintext).map_err(|_| PersonalDataError::Malformed {
        reason: "the plaintext is not UTF-8",
    })
}

/// XChaCha20-Poly1305 with a fresh random nonce; shared with the master key's wrapping.
pub(crate) fn encrypt(
    key: &[u8; 32],
    aad: &[u8],
    msg: &[u8],
) -> Result<([u8; NONCE_LEN], Vec<u8>)> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce = XNonce::generate();
    let ciphertext = cipher
        .encrypt(&nonce, Payload { msg, aad })
        .map_err(|_| PersonalDataError::TooLong)?;
    let mut fixed = [0u8; NONCE_LEN];
    fixed.copy_from_slice(nonce.as_slice());
    Ok((fixed, ciphertext))
}

/// The inverse of [`encrypt`]; `None` when the tag does not verify.
pub(crate) fn decrypt(
    key: &[u8; 32],
    aad: &[u8],
    nonce: &[u8; NONCE_LEN],
    ciphertext: &[u8],
) -> Option<Vec<u8>> {
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(
            &XNonce::from(*nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
}
