//! Empties the outbox over SMTP. One mail at a time under a lease: sent mails are marked
//! sent; a mail that fails is released with its error and tried again after a delay that
//! doubles each time (capped), so an SMTP server that is down loses nothing and, once up,
//! receives each mail once.

use std::time::Duration;

use jiandu_model::{Moment, clock};
use jiandu_store::{MailRow, Store, StoreError};
use lettre::message::{Mailbox, MultiPart, header};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(
        "`{url}` is not an SMTP URL (smtp://HOST:PORT, smtp://HOST?tls=required or smtps://USER:PASS@HOST): {reason}"
    )]
    BadUrl { url: String, reason: String },
    #[error("`{0}` is not a mail address")]
    BadAddress(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct SenderOptions {
    /// How long to wait when the outbox has nothing due.
    pub poll: Duration,
    /// The first retry delay; each further failure doubles it.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How long a taken mail stays invisible to other senders.
    pub lease: Duration,
}

impl Default for SenderOptions {
    fn default() -> Self {
        SenderOptions {
            poll: Duration::from_secs(5),
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            lease: Duration::from_secs(120),
        }
    }
}

pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    url: String,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("url", &self.url)
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// What one attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent {
        mail_id: i64,
    },
    Retry {
        mail_id: i64,
        error: String,
    },
    /// Refused for good (a 5xx reply, or a mail that cannot be built): not tried again.
    Failed {
        mail_id: i64,
        error: String,
    },
    /// The lease ran out while sending and another sender took the mail over.
    LostLease {
        mail_id: i64,
    },
}

/// Why one send failed, and whether trying again can help.
struct Failure {
    error: String,
    permanent: bool,
}

impl Sender {
    /// `url` as lettre reads it (`smtp://127.0.0.1:2525` for a plain local relay).
    pub fn new(url: &str, from: &str) -> Result<Sender, SendError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SendError::BadUrl {
                url: redact(url),
                reason: e.to_string(),
            })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| SendError::BadAddress(from.to_owned()))?;
        Ok(Sender {
            transport,
            from,
            url: redact(url),
        })
    }

    fn message(&self, mail: &MailRow) -> Result<Message, String> {
        let to = mail
            .to_addr
            .as_deref()
            .ok_or("no address")?
            .parse::<Mailbox>()
            .map_err(|e| format!("bad address {:?}: {e}", mail.to_addr))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .header(header::MIME_VERSION_1_0)
            .multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                mail.body_html.clone(),
            ))
            .map_err(|e| e.to_string())
    }

    /// Sends the next due mail, if any.
    pub async fn send_next(
        &self,
        store: &Store,
        options: &SenderOptions,
    ) -> Result<Option<Attempt>, SendError> {
        let now = clock::wall();
        let Some(mail) = store
            .claim_mail(now, options.lease.as_secs() as i64)
            .await?
        else {
            return Ok(None);
        };
        let result = match self.message(&mail) {
            Ok(message) => self
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| Failure {
                    permanent: e.is_permanent(),
                    error: e.to_string(),
                }),
            Err(error) => Err(Failure {
                error,
                permanent: true,
            }),
        };
        let (id, token) = (mail.mail_id, mail.lease_token);
        let (held, attempt) = match result {
            Ok(()) => {
                tracing::info!(mail_id = id, to = ?mail.to_addr, "mail sent");
                (
                    store.mark_mail_sent(id, token, clock::wall()).await?,
                    Attempt::Sent { mail_id: id },
                )
            }
            Err(Failure {
                error,
                permanent: true,
            }) => {
                tracing::error!(mail_id = id, %error, "mail refused for good; not retried (status failed)");
                (
                    store.mark_mail_failed(id, token, &error).await?,
                    Attempt::Failed { mail_id: id, error },
                )
            }
            Err(Failure { error, .. }) => {
                let next = retry_at(clock::wall(), mail.attempts, options);
                tracing::warn!(mail_id = id, %error, %next, "mail not sent; will retry");
                (
                    store.mark_mail_retry(id, token, &error, next).await?,
                    Attempt::Retry { mail_id: id, error },
                )
            }
        };
        if !held {
            tracing::warn!(
                mail_id = id,
                "the mail's lease ran out while sending; another sender took it over"
            );
            return Ok(Some(Attempt::LostLease { mail_id: id }));
        }
        Ok(Some(attempt))
    }

    /// Runs forever, sending what is due.
    pub async fn run(self, store: Store, options: SenderOptions) {
        tracing::info!(url = %self.url, "mail sender started");
        loop {
            match self.send_next(&store, &options).await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(err) => tracing::error!(%err, "the mail sender could not reach the store"),
            }
            tokio::time::sleep(options.poll).await;
        }
    }
}

/// When to try again after `attempts` attempts: base × 2^(attempts−1), at most `retry_max`.
fn retry_at(now: Moment, attempts: i64, options: &SenderOptions) -> Moment {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    let delay = options
        .retry_base
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(options.retry_max);
    now.add_seconds(delay.as_secs().max(1) as i64)
}

/// The URL without its password (one definition, in the model).
fn redact(url: &str) -> String {
    jiandu_model::redact_url(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_cap() {
        let now = Moment::parse("2025-10-01T09:00:00+08:00").unwrap();
        let options = SenderOptions {
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(300),
            ..SenderOptions::default()
        };
        let delay = |n| now.seconds_until(retry_at(now, n, &options));
        assert_eq!(delay(1), 30);
        assert_eq!(delay(2), 60);
        assert_eq!(delay(4), 240);
        assert_eq!(delay(5), 300);
        assert_eq!(delay(60), 300);
    }

    #[test]
    fn urls_are_shown_without_passwords() {
        assert_eq!(
            redact("smtps://jiandu:secret@mail.example:465"),
            "smtps://jiandu:***@mail.example:465"
        );
        assert_eq!(redact("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }

    #[test]
    fn bad_urls_and_addresses_are_named() {
        assert!(matches!(
            Sender::new("http://x", "jiandu@localhost"),
            Err(SendError::BadUrl { .. })
        ));
        assert!(matches!(
            Sender::new("smtp://127.0.0.1:2525", "not an address"),
            Err(SendError::BadAddress(_))
        ));
    }
}
