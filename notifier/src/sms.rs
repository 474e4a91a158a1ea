//! Text messages through a gateway's HTTP API: the [`SmsSender`] the sender calls, and its one
//! real adapter, [`SmsRu`] (SMS.ru, a Russian gateway).
//!
//! SMS.ru: `GET {url}/sms/send?api_id=…&to=79…&msg=…&json=1` (`&from=` an approved sender name,
//! `&test=1` to have the gateway answer as if sent without sending). The answer:
//! `{"status": "OK", "status_code": 100, "sms": {"79…": {"status": "OK", "status_code": 100,
//! "sms_id": "000000-10000000"}}, "balance": …}`; a refused number has `"status": "ERROR"` with its
//! `status_code` and `status_text`, a refused request the same at the top. SMS.ru takes no
//! client-side message id, so a send whose answer is lost cannot be asked about by our id: the
//! sender records such an attempt's outcome as unknown and does not send it again.

use std::future::Future;
use std::time::Duration;

use serde::Deserialize;
use uuid::Uuid;

use crate::config::SmsConfig;

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// What the provider or the transport said (nothing personal: no number, no text).
    pub reason: String,
    /// Trying again cannot help (a number the gateway refuses).
    pub permanent: bool,
}

impl SendFailure {
    pub(crate) fn temporary(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            permanent: false,
        }
    }
}

/// Sends one text message.
pub trait SmsSender: Send + Sync + 'static {
    /// Sends `text` to `phone` (E.164). `notification_id` is ours for the message, passed where the
    /// provider keeps a client-side id. The answer is the provider's id of the message.
    fn send(
        &self,
        notification_id: Uuid,
        phone: &str,
        text: &str,
    ) -> impl Future<Output = Result<Option<String>, SendFailure>> + Send;
}

/// SMS.ru's HTTP API.
#[derive(Debug, Clone)]
pub struct SmsRu {
    config: SmsConfig,
    http: reqwest::Client,
}

/// SMS.ru's answer with `json=1`.
#[derive(Debug, Deserialize)]
struct Answer {
    status: String,
    status_code: i64,
    #[serde(default)]
    status_text: Option<String>,
    #[serde(default)]
    sms: std::collections::HashMap<String, NumberAnswer>,
}

#[derive(Debug, Deserialize)]
struct NumberAnswer {
    status: String,
    status_code: i64,
    #[serde(default)]
    status_text: Option<String>,
    #[serde(default)]
    sms_id: Option<String>,
}

/// SMS.ru's codes for a number it will not send to, whatever the retry: the number is wrong (202),
/// unreachable for messages or barred (207), or on the account's stop list (230-232 are limits,
/// which pass; not here).
const PERMANENT: [i64; 2] = [202, 207];

impl SmsRu {
    /// An adapter for the gateway in `config`.
    pub fn new(config: SmsConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        Self { config, http }
    }
}

impl SmsSender for SmsRu {
    async fn send(
        &self,
        _notification_id: Uuid,
        phone: &str,
        text: &str,
    ) -> Result<Option<String>, SendFailure> {
        // The gateway wants the digits only: 79123456789.
        let to: String = phone.chars().filter(char::is_ascii_digit).collect();
        let mut query: Vec<(&str, &str)> = vec![
            ("api_id", self.config.api_id.as_str()),
            ("to", to.as_str()),
            ("msg", text),
            ("json", "1"),
        ];
        if let Some(from) = &self.config.from {
            query.push(("from", from.as_str()));
        }
        if self.config.test {
            query.push(("test", "1"));
        }
        let url = format!("{}/sms/send", self.config.url.trim_end_matches('/'));
        // POST with the fields in the form body: the same parameters as the GET the documentation
        // shows, kept out of URLs (and so out of access logs), since the text is personal data.
        let response = self
            .http
            .post(&url)
            .form(&query)
            .send()
            .await
            .map_err(|e| {
                SendFailure::temporary(format!("SMS gateway unreachable: {}", e.without_url()))
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(SendFailure::temporary(format!(
                "SMS gateway answered HTTP {status}"
            )));
        }
        let answer: Answer = response
            .json()
            .await
            .map_err(|_| SendFailure::temporary("SMS gateway's answer is not its JSON"))?;
        if answer.status != "OK" {
            return Err(SendFailure::temporary(format!(
                "SMS gateway refused the request: {} {}",
                answer.status_code,
                answer.status_text.unwrap_or_default()
            )));
        }
        let Some(number) = answer.sms.get(&to) else {
            return Err(SendFailure::temporary(
                "SMS gateway's answer names no such number",
            ));
        };
        if number.status != "OK" {
            return Err(SendFailure {
                reason: format!(
                    "SMS gateway refused the number: {} {}",
                    number.status_code,
                    number.status_text.clone().unwrap_or_default()
                ),
                permanent: PERMANENT.contains(&number.status_code),
            });
        }
        Ok(number.sms_id.clone())
    }
}
