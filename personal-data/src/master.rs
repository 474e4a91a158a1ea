//! The master keys: data keys are stored only wrapped under one (envelope encryption).
//!
//! A stolen copy of the key store (a backup, a dump) is useless without the master key, which is
//! never in the database: it comes from a file (`MOTORLOG_MASTER_KEYS_FILE`) or the environment
//! (`MOTORLOG_MASTER_KEY`). Rotation: a new master key becomes current, the old ones stay loaded
//! as previous so keys wrapped under them still unwrap, until
//! [`KeyStore::rewrap`](crate::KeyStore::rewrap) has re-wrapped every data key under the current
//! one. The events are never touched: they are sealed with data keys, which do not change.
//!
//! The file holds one key a line, `id:base64(32 bytes)`, the current one first; blank lines and
//! lines starting with `#` are skipped.
//!
//! Besides data keys, the master keys wrap a service's own secrets that must not lie in the
//! database in the clear (the auth service's token signing keys): [`MasterKeys::wrap_secret`],
//! bound to a label naming what the secret is, and re-wrapped on rotation like data keys. On Unix a file that others (not owner or group) may read
//! or write is refused: `chmod 600` (or `640` with the service's group).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use uuid::Uuid;
use zeroize::{Zeroize, Zeroizing};

use crate::cipher::{bound_data, decrypt, encrypt, NONCE_LEN};
use crate::key::KEY_LEN;
use crate::{DataKey, PersonalDataError, Result};

/// The variable naming the master keys' file.
pub const FILE_VARIABLE: &str = "MOTORLOG_MASTER_KEYS_FILE";
/// The variable holding one master key, `id:base64`, when there is no file.
pub const KEY_VARIABLE: &str = "MOTORLOG_MASTER_KEY";
/// Separates this use of the AEAD (wrapping keys) from sealing fields.
const AAD_DOMAIN: &[u8] = b"motorlog/data-key";
/// Separates wrapping a service's own secret (a token signing key) from wrapping data keys: a
/// wrapped data key never unwraps as a secret, nor the other way round.
const SECRET_AAD_DOMAIN: &[u8] = b"motorlog/secret";
const VERSION: u8 = 1;
/// The longest master key id: it is stored with every wrapped key.
const MAX_ID_LEN: usize = 64;

/// One master key: an id (stored beside every key wrapped under it) and 32 secret bytes.
pub struct MasterKey {
    id: String,
    key: [u8; KEY_LEN],
}

impl MasterKey {
    /// A master key from its id (1–64 of `A–Z a–z 0–9 - _ .`) and bytes.
    pub fn new(id: &str, key: [u8; KEY_LEN]) -> Result<Self> {
        let valid = !id.is_empty()
            && id.len() <= MAX_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !valid {
            return Err(PersonalDataError::MasterKeys(format!(
                "a master key id is 1 to {MAX_ID_LEN} of A-Z a-z 0-9 - _ ., not {id:?}"
            )));
        }
        Ok(Self {
            id: id.to_owned(),
            key,
        })
    }

    /// A fresh random master key (setting up a shop, tests).
    pub fn generate(id: &str) -> Result<Self> {
        Self::new(id, *DataKey::generate().as_bytes())
    }

    /// One `id:base64` line. The error names the id at most, never the key.
    pub fn parse(line: &str) -> Result<Self> {
        let (id, encoded) = line.trim().split_once(':').ok_or_else(|| {
            PersonalDataError::MasterKeys("a master key is `id:base64`, with a `:`".into())
        })?;
        let mut bytes = STANDARD.decode(encoded.trim()).map_err(|_| {
            PersonalDataError::MasterKeys(format!("master key {id:?}: the key is not base64"))
        })?;
        let mut key = [0u8; KEY_LEN];
        let fits = bytes.len() == KEY_LEN;
        if fits {
            key.copy_from_slice(&bytes);
        }
        bytes.zeroize();
        if !fits {
            return Err(PersonalDataError::MasterKeys(format!(
                "master key {id:?}: the key is not {KEY_LEN} bytes"
            )));
        }
        Self::new(id, key)
    }

    /// Its id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `id:base64` line [`MasterKey::parse`] reads (writing a new key to its file).
    pub fn to_line(&self) -> String {
        format!("{}:{}", self.id, STANDARD.encode(self.key))
    }
}

impl Drop for MasterKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A data key as stored: wrapped under the master key `master_key_id`, as nonce ‖ ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Which master key wraps it.
    pub master_key_id: String,
    /// The nonce and the sealed key with its tag.
    pub bytes: Vec<u8>,
}

/// The current master key, which wraps every new key, and the previous ones, which still unwrap.
#[derive(Debug)]
pub struct MasterKeys {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl MasterKeys {
    /// The keys, refusing two with one id (a wrapped key must name exactly one).
    pub fn new(current: MasterKey, previous: Vec<MasterKey>) -> Result<Self> {
        let mut ids: Vec<&str> = std::iter::once(&current)
            .chain(&previous)
            .map(|k| k.id.as_str())
            .collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(PersonalDataError::MasterKeys(format!(
                "master key id {:?} appears twice",
                pair[0]
            )));
        }
        Ok(Self { current, previous })
    }

    /// From `MOTORLOG_MASTER_KEYS_FILE` when set, else `MOTORLOG_MASTER_KEY`; the error names both
    /// when neither is set.
    pub fn from_env() -> Result<Self> {
        if let Some(path) = std::env::var_os(FILE_VARIABLE).filter(|p| !p.is_empty()) {
            return Self::from_file(std::path::Path::new(&path));
        }
        match std::env::var(KEY_VARIABLE) {
            Ok(line) if !line.is_empty() => Self::new(MasterKey::parse(&line)?, Vec::new()),
            _ => Err(PersonalDataError::MasterKeys(format!(
                "neither {FILE_VARIABLE} (a file of `id:base64` lines, the current key first) nor \
                 {KEY_VARIABLE} (`id:base64`) is set"
            ))),
        }
    }

    /// From a file of `id:base64` lines, the current key first; refuses a file others may read.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let shown = path.display();
        let metadata = std::fs::metadata(path)
            .map_err(|e| PersonalDataError::MasterKeys(format!("{shown}: {e}")))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = metadata.permissions().mode();
            if mode & 0o007 != 0 {
                return Err(PersonalDataError::MasterKeys(format!(
                    "{shown} is open to other users (mode {:o}): chmod 600 it (or 640 with the \
                     service's group)",
                    mode & 0o777
                )));
            }
        }
        #[cfg(not(unix))]
        let _ = metadata;
        let mut text = std::fs::read_to_string(path)
            .map_err(|e| PersonalDataError::MasterKeys(format!("{shown}: {e}")))?;
        let keys = Self::from_lines(&text);
        text.zeroize();
        keys
    }

    /// From `id:base64` lines, the current key first; skips blank lines and `#` comments.
    pub fn from_lines(text: &str) -> Result<Self> {
        let mut keys = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(MasterKey::parse);
        let current = keys
            .next()
            .ok_or_else(|| PersonalDataError::MasterKeys("no master key in the file".into()))??;
        Self::new(current, keys.collect::<Result<_>>()?)
    }

    /// The current master key's id: a wrapped key under any other needs re-wrapping.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Wraps `key` of `subject` under the current master key.
    pub fn wrap(&self, subject: Uuid, key: &DataKey) -> Result<WrappedKey> {
        let (nonce, ciphertext) = encrypt(
            &self.current.key,
            &aad(subject, &self.current.id),
            key.as_bytes(),
        )?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Ok(WrappedKey {
            master_key_id: self.current.id.clone(),
            bytes,
        })
    }

    /// Unwraps the key of `subject`: refuses one wrapped for another subject, under another master
    /// key, or changed.
    pub fn unwrap(&self, subject: Uuid, wrapped: &WrappedKey) -> Result<DataKey> {
        let master = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == wrapped.master_key_id)
            .ok_or_else(|| PersonalDataError::UnknownMasterKey(wrapped.master_key_id.clone()))?;
        let refused = || PersonalDataError::Unwrap {
            subject,
            master_key_id: wrapped.master_key_id.clone(),
        };
        if wrapped.bytes.len() < NONCE_LEN {
            return Err(refused());
        }
        let (nonce, ciphertext) = wrapped.bytes.split_at(NONCE_LEN);
        let mut fixed = [0u8; NONCE_LEN];
        fixed.copy_from_slice(nonce);
        let mut plain = decrypt(&master.key, &aad(subject, &master.id), &fixed, ciphertext)
            .ok_or_else(refused)?;
        let mut key = [0u8; KEY_LEN];
        let fits = plain.len() == KEY_LEN;
        if fits {
            key.copy_from_slice(&plain);
        }
        plain.zeroize();
        if !fits {
            return Err(refused());
        }
        let data_key = DataKey::from_bytes(key);
        key.zeroize();
        Ok(data_key)
    }
}

impl MasterKeys {
    /// Wraps `secret` (a private key, any bytes) under the current master key, bound to `label`
    /// (what and whose it is, e.g. `auth/signing-key/<kid>`): copied to another label's row it
    /// does not unwrap.
    pub fn wrap_secret(&self, label: &str, secret: &[u8]) -> Result<WrappedKey> {
        let (nonce, ciphertext) = encrypt(
            &self.current.key,
            &secret_aad(label, &self.current.id),
            secret,
        )?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Ok(WrappedKey {
            master_key_id: self.current.id.clone(),
            bytes,
        })
    }

    /// Unwraps the secret wrapped for `label`, under the current or a previous master key;
    /// refuses one wrapped for another label, under a master key not loaded or another key of the
    /// same id, or changed. The error names the label and the master key id, never a byte. The
    /// secret is wiped from memory when the returned value is dropped.
    pub fn unwrap_secret(&self, label: &str, wrapped: &WrappedKey) -> Result<Zeroizing<Vec<u8>>> {
        let master = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == wrapped.master_key_id)
            .ok_or_else(|| PersonalDataError::UnknownMasterKey(wrapped.master_key_id.clone()))?;
        let refused = || {
            PersonalDataError::MasterKeys(format!(
                "the secret {label:?} does not unwrap under master key {:?}: another key of \
                 that id, or the wrapped bytes were moved or changed",
                wrapped.master_key_id
            ))
        };
        if wrapped.bytes.len() < NONCE_LEN {
            return Err(refused());
        }
        let (nonce, ciphertext) = wrapped.bytes.split_at(NONCE_LEN);
        let mut fixed = [0u8; NONCE_LEN];
        fixed.copy_from_slice(nonce);
        decrypt(
            &master.key,
            &secret_aad(label, &master.id),
            &fixed,
            ciphertext,
        )
        .map(Zeroizing::new)
        .ok_or_else(refused)
    }
}

/// Binds a wrapped secret to its label and master key. No subject: the label says whose it is.
fn secret_aad(label: &str, master_key_id: &str) -> Vec<u8> {
    bound_data(
        VERSION,
        SECRET_AAD_DOMAIN,
        &[master_key_id.as_bytes(), label.as_bytes()],
        Uuid::nil(),
    )
}

/// Binds a wrapped key to its subject and master key: moved to another subject's row, or relabelled
/// with another master id, it does not unwrap.
fn aad(subject: Uuid, master_key_id: &str) -> Vec<u8> {
    bound_data(VERSION, AAD_DOMAIN, &[master_key_id.as_bytes()], subject)
}
