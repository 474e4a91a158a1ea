//! The servers the notifier talks to, started by the tests: aiosmtpd and a stand-in for SMS.ru's
//! HTTP API that checks what it is sent.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{json, Value};

/// The API id the tests' gateway accepts.
pub const API_ID: &str = "TEST-API-ID-0001";

/// A free port on 127.0.0.1 (bound and released: a server started right after takes it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `python -m aiosmtpd` with the Maildir handler, killed when dropped.
pub struct Smtp {
    child: Child,
    /// Its port.
    pub port: u16,
    dir: PathBuf,
}

impl Smtp {
    /// Starts aiosmtpd from the venv `scripts/install-tools.sh` makes (`AIOSMTPD_PYTHON` names
    /// another interpreter with it installed).
    pub async fn start() -> Self {
        let python = std::env::var("AIOSMTPD_PYTHON").unwrap_or_else(|_| {
            format!(
                "{}/.local/share/motorlog/aiosmtpd/bin/python",
                std::env::var("HOME").unwrap()
            )
        });
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("motorlog-mail-{}", uuid::Uuid::now_v7()));
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start aiosmtpd with {python} ({e}): run scripts/install-tools.sh")
            });
        let deadline = Instant::now() + Duration::from_secs(15);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, port, dir }
    }

    /// Every letter received so far, raw.
    pub fn letters(&self) -> Vec<Vec<u8>> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How the stand-in gateway answers a number.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// Accepted.
    Ok,
    /// HTTP 503 for the first `n` requests to the number, then accepted.
    UnavailableThenOk(usize),
    /// The request refused at the top (220: the service is temporarily unavailable).
    Refused,
    /// The number refused (207: messages cannot be sent to it).
    NumberRefused,
}

/// A request the gateway received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Every field as sent.
    pub fields: HashMap<String, String>,
}

/// The stand-in for SMS.ru's `POST /sms/send`.
#[derive(Clone, Default)]
pub struct Gateway {
    /// What it was sent, in order.
    pub received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    /// Its base URL.
    pub url: String,
}

impl Gateway {
    /// Starts the gateway on a free port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let gateway = Self {
            url: format!("http://{address}"),
            ..Self::default()
        };
        let app = Router::new()
            .route("/sms/send", post(send))
            .with_state(gateway.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        gateway
    }

    /// How it answers `number` (digits only); accepted unless told otherwise.
    pub fn answer(&self, number: &str, answer: Answer) {
        self.answers.lock().unwrap().insert(number.into(), answer);
    }

    /// The requests for `number`.
    pub fn to(&self, number: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.fields.get("to").map(String::as_str) == Some(number))
            .cloned()
            .collect()
    }
}

async fn send(
    State(gateway): State<Gateway>,
    Form(fields): Form<HashMap<String, String>>,
) -> (axum::http::StatusCode, Json<Value>) {
    use axum::http::StatusCode;
    let to = fields.get("to").cloned().unwrap_or_default();
    let earlier = gateway.to(&to).len();
    gateway.received.lock().unwrap().push(Received {
        fields: fields.clone(),
    });
    // What SMS.ru checks first: the key, then the request's shape.
    if fields.get("api_id").map(String::as_str) != Some(API_ID) {
        return (
            StatusCode::OK,
            Json(
                json!({"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"}),
            ),
        );
    }
    if fields.get("json").map(String::as_str) != Some("1")
        || fields.get("msg").is_none_or(String::is_empty)
        || !to.chars().all(|c| c.is_ascii_digit())
    {
        return (
            StatusCode::OK,
            Json(json!({"status": "ERROR", "status_code": 210, "status_text": "Неверный запрос"})),
        );
    }
    let answer = gateway
        .answers
        .lock()
        .unwrap()
        .get(&to)
        .copied()
        .unwrap_or(Answer::Ok);
    let accepted = || {
        json!({"status": "OK", "status_code": 100, "balance": 4122.56,
               "sms": {to.clone(): {"status": "OK", "status_code": 100,
                                    "sms_id": format!("000000-{:08}", earlier + 1)}}})
    };
    match answer {
        Answer::Ok => (StatusCode::OK, Json(accepted())),
        Answer::UnavailableThenOk(n) if earlier < n => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({})))
        }
        Answer::UnavailableThenOk(_) => (StatusCode::OK, Json(accepted())),
        Answer::Refused => (
            StatusCode::OK,
            Json(json!({"status": "ERROR", "status_code": 220,
                        "status_text": "Сервис временно недоступен, попробуйте чуть позже."})),
        ),
        Answer::NumberRefused => (
            StatusCode::OK,
            Json(
                json!({"status": "OK", "status_code": 100, "balance": 4122.56,
                        "sms": {to.clone(): {"status": "ERROR", "status_code": 207,
                            "status_text": "На этот номер нельзя отправлять сообщения"}}}),
            ),
        ),
    }
}
