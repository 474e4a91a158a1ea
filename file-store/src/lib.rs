//! Photos and scans in S3-protocol object storage (AWS S3, MinIO, s3s-fs).
//!
//! The services never proxy a file's bytes for the browser: they **presign** a PUT for a key the
//! server chose, with the content type, the length and the SHA-256 signed in, so the storage itself
//! refuses an upload of another size, type or content, to another key, or after the expiry; and they
//! presign short GETs for those allowed to see the record. Only the server's own checks (HEAD after
//! an upload), the thumbnail maker (GET, PUT) and an erasure (DELETE) talk to the storage
//! directly, with reqwest.
//!
//! Presigned URLs carry the host they were signed for. The browser reaches the storage through the
//! same origin as the app (nginx proxies `/<bucket>/` to it, keeping the `Host`), so the URLs are
//! signed for [`FileStoreConfig::public_endpoint`], and the server's own requests for
//! [`FileStoreConfig::endpoint`]; both are path-style.

mod config;
#[cfg(feature = "testing")]
pub mod testing;

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use rusty_s3::actions::{CreateBucket, DeleteObject, GetObject, HeadObject, PutObject, S3Action};
use rusty_s3::{Bucket, Credentials, UrlStyle};

pub use config::FileStoreConfig;

/// How long a presigned upload may start: long enough for a phone on a slow network to begin,
/// short enough that a leaked URL is soon useless.
pub const UPLOAD_URL_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How long a presigned download works: a card's images load at once; a copied link dies soon.
pub const DOWNLOAD_URL_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// The server's own requests to the storage give up after this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// What can go wrong talking to the storage.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    /// A setting that does not parse.
    #[error("file storage settings: {0}")]
    Config(String),
    /// The storage did not answer, or answered with an error.
    #[error("file storage: {0}")]
    Unavailable(String),
}

/// A presigned upload: the browser sends `PUT url` with exactly these headers and the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUpload {
    /// The URL, valid for [`UPLOAD_URL_LIFETIME`].
    pub url: String,
    /// The headers signed into it (the browser adds `Content-Length` itself; it is signed too).
    pub headers: BTreeMap<String, String>,
}

/// An object as the storage describes it (HEAD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// Its size in bytes.
    pub size: u64,
    /// Its content type, as uploaded.
    pub content_type: Option<String>,
    /// Its SHA-256 as the storage verified it on upload, hex (none if it was sent without one).
    pub sha256: Option<String>,
}

/// The shop's bucket, as seen by the server and by the browser.
#[derive(Debug, Clone)]
pub struct FileStore {
    internal: Bucket,
    public: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

impl FileStore {
    /// The store for these settings.
    pub fn new(config: &FileStoreConfig) -> Result<Self, FileStoreError> {
        let bucket = |endpoint: &url::Url| {
            Bucket::new(
                endpoint.clone(),
                UrlStyle::Path,
                config.bucket.clone(),
                config.region.clone(),
            )
            .map_err(|e| FileStoreError::Config(e.to_string()))
        };
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| FileStoreError::Config(e.to_string()))?;
        Ok(Self {
            internal: bucket(&config.endpoint)?,
            public: bucket(config.public_endpoint())?,
            credentials: Credentials::new(config.access_key.clone(), config.secret_key.clone()),
            http,
        })
    }

    /// A URL the browser PUTs one file to: `key`, with this type, length and SHA-256 (hex) signed
    /// in, so the storage refuses anything else.
    pub fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        sha256_hex: &str,
    ) -> Result<SignedUpload, FileStoreError> {
        self.presign_upload_valid_for(key, content_type, size, sha256_hex, UPLOAD_URL_LIFETIME)
    }

    /// [`presign_upload`](Self::presign_upload) with another lifetime (tests of the expiry).
    pub fn presign_upload_valid_for(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        sha256_hex: &str,
        lifetime: Duration,
    ) -> Result<SignedUpload, FileStoreError> {
        let checksum = base64_of_hex(sha256_hex)
            .ok_or_else(|| FileStoreError::Config("the SHA-256 is not hex".into()))?;
        let mut headers = BTreeMap::new();
        headers.insert("content-type".to_owned(), content_type.to_owned());
        headers.insert("x-amz-checksum-sha256".to_owned(), checksum);
        let length = size.to_string();
        let mut action = PutObject::new(&self.public, Some(&self.credentials), key);
        for (name, value) in &headers {
            action.headers_mut().insert(name.as_str(), value.as_str());
        }
        // Signed, not sent by the page: the browser sets it from the body, and a body of another
        // length breaks the signature.
        action
            .headers_mut()
            .insert("content-length", length.as_str());
        let url = action.sign(lifetime).to_string();
        Ok(SignedUpload { url, headers })
    }

    /// A URL the browser GETs an object with, for [`DOWNLOAD_URL_LIFETIME`].
    pub fn presign_download(&self, key: &str) -> String {
        GetObject::new(&self.public, Some(&self.credentials), key)
            .sign(DOWNLOAD_URL_LIFETIME)
            .to_string()
    }

    /// The object at `key` as stored, or none when there is none.
    pub async fn head(&self, key: &str) -> Result<Option<StoredObject>, FileStoreError> {
        let mut action = HeadObject::new(&self.internal, Some(&self.credentials), key);
        action
            .headers_mut()
            .insert("x-amz-checksum-mode", "ENABLED");
        let url = action.sign(Duration::from_secs(60));
        let response = self
            .http
            .head(url)
            .header("x-amz-checksum-mode", "ENABLED")
            .send()
            .await
            .map_err(unavailable)?;
        match response.status() {
            status if status.is_success() => {}
            reqwest::StatusCode::NOT_FOUND => return Ok(None),
            status => return Err(FileStoreError::Unavailable(format!("HEAD {key}: {status}"))),
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let size = header("content-length")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| FileStoreError::Unavailable(format!("HEAD {key}: no length")))?;
        Ok(Some(StoredObject {
            size,
            content_type: header("content-type"),
            sha256: header("x-amz-checksum-sha256").and_then(|b64| hex_of_base64(&b64)),
        }))
    }

    /// The bytes of the object at `key`, or none when there is none (an erased client's file).
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, FileStoreError> {
        let url = GetObject::new(&self.internal, Some(&self.credentials), key)
            .sign(Duration::from_secs(60));
        let response = self.http.get(url).send().await.map_err(unavailable)?;
        match response.status() {
            status if status.is_success() => {}
            reqwest::StatusCode::NOT_FOUND => return Ok(None),
            status => return Err(FileStoreError::Unavailable(format!("GET {key}: {status}"))),
        }
        Ok(Some(response.bytes().await.map_err(unavailable)?.to_vec()))
    }

    /// Deletes the object at `key` for good; one already gone is fine, so a repeated erasure (a
    /// retry, a rebuild) succeeds. The bucket must not keep versions: a versioned bucket would
    /// keep the bytes behind a delete marker.
    pub async fn delete(&self, key: &str) -> Result<(), FileStoreError> {
        let url = DeleteObject::new(&self.internal, Some(&self.credentials), key)
            .sign(Duration::from_secs(60));
        let response = self.http.delete(url).send().await.map_err(unavailable)?;
        let status = response.status();
        if status.is_success() || status == reqwest::StatusCode::NOT_FOUND {
            Ok(())
        } else {
            Err(FileStoreError::Unavailable(format!(
                "DELETE {key}: {status}"
            )))
        }
    }

    /// Stores `bytes` at `key` (the server's own files: thumbnails).
    pub async fn put(
        &self,
        key: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(), FileStoreError> {
        let mut action = PutObject::new(&self.internal, Some(&self.credentials), key);
        action.headers_mut().insert("content-type", content_type);
        let url = action.sign(Duration::from_secs(60));
        let response = self
            .http
            .put(url)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .map_err(unavailable)?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(FileStoreError::Unavailable(format!(
                "PUT {key}: {}",
                response.status()
            )))
        }
    }

    /// Creates the bucket; one that exists already is fine (`make run` and tests call this).
    pub async fn create_bucket(&self) -> Result<(), FileStoreError> {
        let url =
            CreateBucket::new(&self.internal, &self.credentials).sign(Duration::from_secs(60));
        let response = self.http.put(url).send().await.map_err(unavailable)?;
        let status = response.status();
        if status.is_success() || status == reqwest::StatusCode::CONFLICT {
            Ok(())
        } else {
            Err(FileStoreError::Unavailable(format!(
                "create bucket: {status}"
            )))
        }
    }
}

fn unavailable(error: reqwest::Error) -> FileStoreError {
    FileStoreError::Unavailable(error.to_string())
}

/// S3 names checksums in base64; the domain and the browser in hex.
fn base64_of_hex(hex: &str) -> Option<String> {
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn hex_of_base64(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn checksums_convert_between_hex_and_base64() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let b64 = super::base64_of_hex(hex).expect("hex");
        assert_eq!(b64, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=");
        assert_eq!(super::hex_of_base64(&b64).as_deref(), Some(hex));
        assert_eq!(super::base64_of_hex("abc"), None);
    }
}
