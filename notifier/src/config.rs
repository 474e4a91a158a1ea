//! `motorlog-notifier`'s settings, read once at start (the README's Configuration table lists each).

use std::net::SocketAddr;
use std::time::Duration;

use aggregates::notification::RetryPolicy;
use telemetry::config::{listen, parsed, positive, string, var};

/// How to reach the SMTP relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// `SMTP_HOST`.
    pub host: String,
    /// `SMTP_PORT` (default 587, or 25 on 127.0.0.1 / localhost).
    pub port: u16,
    /// `SMTP_FROM`: the sender, e.g. `Автосервис <service@example.ru>`.
    pub from: String,
    /// `SMTP_USER` and `SMTP_PASSWORD`, when the relay wants a login.
    pub credentials: Option<(String, String)>,
    /// `SMTP_TLS`: `starttls` (default), `tls` (SMTPS) or `none` (only for a relay on this machine).
    pub tls: SmtpTls,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain, upgraded with STARTTLS (required).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// None: a relay on 127.0.0.1.
    None,
}

/// How to reach the SMS gateway (SMS.ru's HTTP API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConfig {
    /// `SMS_PROVIDER_URL` (default `https://sms.ru`).
    pub url: String,
    /// `SMS_API_ID`: the account's key.
    pub api_id: String,
    /// `SMS_FROM`: an approved sender name, else the gateway's default.
    pub from: Option<String>,
    /// `SMS_TEST=1`: the gateway answers as if sent and sends nothing (SMS.ru's `test=1`).
    pub test: bool,
}

/// Everything `motorlog-notifier` reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `NOTIFIER_LISTEN` (`/health`), default 127.0.0.1:8085.
    pub listen: SocketAddr,
    /// `NOTIFIER_DATABASE_URL` (the `motorlog_notifier` role's login), else `DATABASE_URL`.
    pub database_url: String,
    /// `NOTIFIER_DB_POOL`: the most connections kept open on PostgreSQL (default 8: one each for
    /// the planner, the read model and the sender, one listening, four for the keys).
    pub db_pool: u32,
    /// E-mail, when `SMTP_HOST` is set.
    pub smtp: Option<SmtpConfig>,
    /// SMS, when `SMS_API_ID` is set.
    pub sms: Option<SmsConfig>,
    /// `NOTIFY_MAX_ATTEMPTS` (5) and `NOTIFY_RETRY_SECONDS` (600, doubling after each failure).
    pub retry: RetryPolicy,
    /// `NOTIFY_POLL_MS` (1000): how often the sender looks for due messages.
    pub poll: Duration,
    /// `NOTIFY_MAX_AGE_HOURS` (24): a status change older than this when the planner first sees it
    /// is not announced (a notifier started on a shop's old log must not write to every client
    /// about last year's cars).
    pub max_age: chrono::Duration,
}

impl Config {
    /// Reads the settings; the error names the variable that is wrong.
    pub fn from_env() -> Result<Self, String> {
        let e = |error: telemetry::config::ConfigError| error.to_string();
        let smtp = match var("SMTP_HOST") {
            None => None,
            Some(host) => {
                let local = host == "127.0.0.1" || host == "localhost" || host == "::1";
                let tls = match string("SMTP_TLS", if local { "none" } else { "starttls" })
                    .as_str()
                {
                    "starttls" => SmtpTls::StartTls,
                    "tls" => SmtpTls::Tls,
                    "none" if local => SmtpTls::None,
                    other => {
                        return Err(format!(
                            "SMTP_TLS must be starttls, tls, or none for a relay on this machine, not {other:?}"
                        ))
                    }
                };
                let default_port = match tls {
                    SmtpTls::Tls => 465,
                    SmtpTls::StartTls => 587,
                    SmtpTls::None => 25,
                };
                let from = var("SMTP_FROM").ok_or("SMTP_FROM must be set with SMTP_HOST")?;
                Some(SmtpConfig {
                    host,
                    port: parsed("SMTP_PORT", default_port, "a port number").map_err(e)?,
                    from,
                    credentials: var("SMTP_USER").zip(var("SMTP_PASSWORD")),
                    tls,
                })
            }
        };
        let sms = var("SMS_API_ID").map(|api_id| SmsConfig {
            url: string("SMS_PROVIDER_URL", "https://sms.ru"),
            api_id,
            from: var("SMS_FROM"),
            test: var("SMS_TEST").is_some_and(|v| v == "1" || v == "true"),
        });
        Ok(Self {
            listen: listen("NOTIFIER_LISTEN", "127.0.0.1:8085").map_err(e)?,
            database_url: event_store::schema::ServiceRole::Notifier.database_url()?,
            db_pool: positive("NOTIFIER_DB_POOL", 8).map_err(e)?,
            smtp,
            sms,
            retry: RetryPolicy {
                max_attempts: positive("NOTIFY_MAX_ATTEMPTS", 5).map_err(e)?,
                first_delay_seconds: positive("NOTIFY_RETRY_SECONDS", 600).map_err(e)?,
            },
            poll: Duration::from_millis(u64::from(positive("NOTIFY_POLL_MS", 1000).map_err(e)?)),
            max_age: chrono::Duration::hours(i64::from(
                positive("NOTIFY_MAX_AGE_HOURS", 24).map_err(e)?,
            )),
        })
    }

    /// Why nothing can be sent, if nothing can.
    pub fn idle_reason(&self) -> Option<&'static str> {
        (self.smtp.is_none() && self.sms.is_none())
            .then_some("neither SMTP_HOST nor SMS_API_ID is set: no message can be sent")
    }
}
