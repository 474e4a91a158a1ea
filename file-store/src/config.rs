//! The storage's settings, from the environment (the README's Configuration table lists them).

use url::Url;

use crate::FileStoreError;

/// Where the shop's files are kept.
#[derive(Debug, Clone)]
pub struct FileStoreConfig {
    /// `S3_ENDPOINT`: the storage as the services reach it (`http://127.0.0.1:8014`).
    pub endpoint: Url,
    /// `S3_PUBLIC_ENDPOINT`: the storage as the browser reaches it (the app's own origin, which
    /// proxies `/<bucket>/`); the endpoint when unset.
    pub public_endpoint: Option<Url>,
    /// `S3_REGION` (default `us-east-1`, what s3s-fs and MinIO expect).
    pub region: String,
    /// `S3_BUCKET` (default `motorlog-files`).
    pub bucket: String,
    /// `S3_ACCESS_KEY`.
    pub access_key: String,
    /// `S3_SECRET_KEY`.
    pub secret_key: String,
}

impl FileStoreConfig {
    /// The settings, or none when `S3_ENDPOINT` is unset (files are then switched off and their
    /// commands answer 503 `files_unavailable`). The error names the variable.
    pub fn from_env() -> Result<Option<Self>, FileStoreError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(endpoint) = var("S3_ENDPOINT") else {
            return Ok(None);
        };
        let url = |name: &str, raw: String| {
            Url::parse(&raw).map_err(|e| FileStoreError::Config(format!("{name}: {e}")))
        };
        let required = |name: &str| {
            var(name).ok_or_else(|| {
                FileStoreError::Config(format!("{name} must be set when S3_ENDPOINT is"))
            })
        };
        Ok(Some(Self {
            endpoint: url("S3_ENDPOINT", endpoint)?,
            public_endpoint: var("S3_PUBLIC_ENDPOINT")
                .map(|raw| url("S3_PUBLIC_ENDPOINT", raw))
                .transpose()?,
            region: var("S3_REGION").unwrap_or_else(|| "us-east-1".into()),
            bucket: var("S3_BUCKET").unwrap_or_else(|| "motorlog-files".into()),
            access_key: required("S3_ACCESS_KEY")?,
            secret_key: required("S3_SECRET_KEY")?,
        }))
    }

    /// The endpoint presigned URLs are made for.
    pub fn public_endpoint(&self) -> &Url {
        self.public_endpoint.as_ref().unwrap_or(&self.endpoint)
    }
}
