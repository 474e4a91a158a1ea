//! E-mail by SMTP (`lettre`): one plain-text UTF-8 letter per notification. The subject is encoded
//! by RFC 2047 and the body with a transfer encoding lettre picks for its characters, so Cyrillic
//! arrives intact through any relay. The letter's `Message-ID` is the notification's id: a relay
//! or mailbox that deduplicates by it shows a repeated letter once.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use uuid::Uuid;

use crate::config::{SmtpConfig, SmtpTls};
use crate::sms::SendFailure;

/// A connection setting for the SMTP relay.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// A mailer for the relay in `config`; refuses a sender that is not an address.
    pub fn new(config: &SmtpConfig) -> Result<Self, String> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| format!("SMTP_FROM is not an address: {:?}", config.from))?;
        let builder = match config.tls {
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            }
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|e| format!("SMTP_HOST: {e}"))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| format!("SMTP_HOST: {e}"))?,
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            from,
            transport: builder.build(),
        })
    }

    /// Sends one letter; the answer is the relay's reply, as the provider's id.
    pub async fn send(
        &self,
        notification_id: Uuid,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<Option<String>, SendFailure> {
        let to: Mailbox = to.parse().map_err(|_| SendFailure {
            reason: "the client's e-mail is not an address".into(),
            permanent: true,
        })?;
        let domain = self.from.email.domain().to_owned();
        let letter = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{notification_id}@{domain}>")))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| SendFailure {
                reason: format!("the letter cannot be built: {e}"),
                permanent: true,
            })?;
        match self.transport.send(letter).await {
            Ok(reply) => Ok(Some(
                reply
                    .message()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(200)
                    .collect(),
            )),
            // The relay's words may quote the address, which is personal: only its code is kept.
            Err(error) => Err(SendFailure {
                reason: match error.status() {
                    Some(code) => format!("SMTP relay refused the letter: {code}"),
                    None if error.is_timeout() => "SMTP relay did not answer in time".into(),
                    None => "SMTP relay unreachable or the connection failed".into(),
                },
                permanent: error.is_permanent(),
            }),
        }
    }
}
