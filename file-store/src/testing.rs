//! An s3s-fs server for tests: started on a free 127.0.0.1 port over a temporary directory, with
//! the bucket created, and killed when dropped. `S3S_FS` names the binary (default `s3s-fs` on the
//! `PATH`, then `~/.cargo/bin/s3s-fs`).

use std::path::PathBuf;
use std::time::Duration;

use crate::{FileStore, FileStoreConfig, FileStoreError};

/// A running s3s-fs.
pub struct S3sFs {
    child: tokio::process::Child,
    /// Its settings (path-style, at `http://127.0.0.1:<port>`).
    pub config: FileStoreConfig,
    /// Where it keeps the objects (bucket = directory).
    pub root: tempfile::TempDir,
}

fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("S3S_FS") {
        return path.into();
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cargo = home.join(".cargo/bin/s3s-fs");
    if cargo.exists() {
        cargo
    } else {
        "s3s-fs".into()
    }
}

impl S3sFs {
    /// Starts one and creates `bucket`; fails (does not skip) when the binary is missing.
    pub async fn start(bucket: &str) -> Result<Self, FileStoreError> {
        let fail = |e: std::io::Error| FileStoreError::Unavailable(format!("s3s-fs: {e}"));
        let root = tempfile::tempdir().map_err(fail)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(fail)?
            .port();
        let child = tokio::process::Command::new(binary())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--access-key",
                "motorlog-test",
                "--secret-key",
                "motorlog-test-secret",
            ])
            .arg(root.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(fail)?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let config = FileStoreConfig {
            endpoint: url::Url::parse(&endpoint)
                .map_err(|e| FileStoreError::Config(e.to_string()))?,
            public_endpoint: None,
            region: "us-east-1".into(),
            bucket: bucket.into(),
            access_key: "motorlog-test".into(),
            secret_key: "motorlog-test-secret".into(),
        };
        let server = Self {
            child,
            config,
            root,
        };
        // Bounded: up to 10 s for it to answer. An open port is not yet a server that answers (a
        // request right after may be reset), so the bucket's creation is what is retried.
        let store = FileStore::new(&server.config)?;
        let mut last = None;
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                match store.create_bucket().await {
                    Ok(()) => return Ok(server),
                    Err(error) => last = Some(error),
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(last.unwrap_or_else(|| FileStoreError::Unavailable("s3s-fs did not start".into())))
    }

    /// A store on it.
    pub fn store(&self) -> Result<FileStore, FileStoreError> {
        FileStore::new(&self.config)
    }

    /// Stops it now.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
