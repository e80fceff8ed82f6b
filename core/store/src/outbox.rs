//! The mail outbox: mails are queued in the transaction of the change that causes them, and
//! a sender takes them one at a time under a lease, marks them sent, or schedules a retry.
//!
//! A mail has a unique `dedupe_key` (the event or the deadline and day it is about), so
//! queueing it twice queues it once; a leased mail is invisible to other senders until the
//! lease ends, so two senders never send the same mail at once.

use jiandu_model::Moment;
use serde::Serialize;
use sqlx::Row;

use crate::records::values_placeholders;
use crate::{Store, StoreError, query_error};

/// A mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub dedupe_key: String,
    /// assignment | return | due_soon | overdue
    pub kind: String,
    pub complaint_id: Option<String>,
    pub unit_id: Option<String>,
    /// `None` when the unit has no address: the mail is kept as `undeliverable`.
    pub to_addr: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MailRow {
    pub mail_id: i64,
    pub dedupe_key: String,
    pub kind: String,
    pub complaint_id: Option<String>,
    pub unit_id: Option<String>,
    pub to_addr: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// The fencing token of the latest lease: only its holder may mark the mail.
    pub lease_token: i64,
}

const SELECT_MAIL: &str = "SELECT mail_id, dedupe_key, kind, complaint_id, unit_id, to_addr, subject, body_text, body_html, \
     message_id, status, attempts, next_attempt_at, last_error, created_at, sent_at, lease_token FROM outbox";

fn mail_from_row(row: &sqlx::any::AnyRow) -> MailRow {
    MailRow {
        mail_id: row.get(0),
        dedupe_key: row.get(1),
        kind: row.get(2),
        complaint_id: row.get(3),
        unit_id: row.get(4),
        to_addr: row.get(5),
        subject: row.get(6),
        body_text: row.get(7),
        body_html: row.get(8),
        message_id: row.get(9),
        status: row.get(10),
        attempts: row.get(11),
        next_attempt_at: row.get(12),
        last_error: row.get(13),
        created_at: row.get(14),
        sent_at: row.get(15),
        lease_token: row.get(16),
    }
}

/// Queues mails inside the caller's transaction; a `dedupe_key` already queued is skipped.
/// Returns how many were queued.
pub(crate) async fn queue_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    mails: &[NewMail],
    now: &str,
) -> Result<u64, StoreError> {
    let mut queued = 0;
    for chunk in mails.chunks(100) {
        let sql = format!(
            "INSERT INTO outbox (dedupe_key, kind, complaint_id, unit_id, to_addr, subject, body_text, body_html, \
             message_id, status, attempts, next_attempt_at, created_at) VALUES {} ON CONFLICT (dedupe_key) DO NOTHING",
            values_placeholders(chunk.len(), 13)
        );
        let mut query = sqlx::query(&sql);
        for mail in chunk {
            let status = if mail.to_addr.is_some() {
                "queued"
            } else {
                "undeliverable"
            };
            query = query
                .bind(mail.dedupe_key.clone())
                .bind(mail.kind.clone())
                .bind(mail.complaint_id.clone())
                .bind(mail.unit_id.clone())
                .bind(mail.to_addr.clone())
                .bind(mail.subject.clone())
                .bind(mail.body_text.clone())
                .bind(mail.body_html.clone())
                .bind(mail.message_id.clone())
                .bind(status)
                .bind(0i64)
                .bind(now.to_owned())
                .bind(now.to_owned());
        }
        queued += query
            .execute(&mut **tx)
            .await
            .map_err(query_error("queueing mails"))?
            .rows_affected();
    }
    Ok(queued)
}

impl Store {
    /// Queues mails in their own transaction (due-soon and overdue reminders).
    pub async fn queue_mails(&self, mails: &[NewMail], now: Moment) -> Result<u64, StoreError> {
        let mut tx = self
            .pool()
            .begin()
            .await
            .map_err(query_error("starting to queue mails"))?;
        let n = queue_in(&mut tx, mails, &now.to_string()).await?;
        tx.commit()
            .await
            .map_err(query_error("committing queued mails"))?;
        Ok(n)
    }

    /// Takes the next mail due for sending under a lease of `lease_seconds`, counting the
    /// attempt; `None` when nothing is due.
    pub async fn claim_mail(
        &self,
        now: Moment,
        lease_seconds: i64,
    ) -> Result<Option<MailRow>, StoreError> {
        let now_text = now.to_string();
        let lease = now.add_seconds(lease_seconds).to_string();
        let candidates = sqlx::query(
            "SELECT mail_id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until < $2) ORDER BY mail_id LIMIT 20",
        )
        .bind(now_text.as_str())
        .bind(now_text.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(query_error("looking for mails to send"))?;
        for row in candidates {
            let id: i64 = row.get(0);
            let claimed = sqlx::query(
                "UPDATE outbox SET lease_until = $1, attempts = attempts + 1, lease_token = lease_token + 1 \
                 WHERE mail_id = $2 AND status = 'queued' AND (lease_until IS NULL OR lease_until < $3)",
            )
            .bind(lease.as_str())
            .bind(id)
            .bind(now_text.as_str())
            .execute(self.pool())
            .await
            .map_err(query_error("leasing a mail"))?;
            if claimed.rows_affected() == 1 {
                return self.get_mail(id).await;
            }
        }
        Ok(None)
    }

    /// Marks a mail sent, if `lease_token` still holds its lease. `false` when the lease ran
    /// out and another sender took the mail meanwhile (it then decides what happens).
    pub async fn mark_mail_sent(
        &self,
        mail_id: i64,
        lease_token: i64,
        at: Moment,
    ) -> Result<bool, StoreError> {
        self.end_lease(
            "status = 'sent', sent_at = $3, last_error = NULL",
            [at.to_string()],
            mail_id,
            lease_token,
        )
        .await
    }

    /// Releases a mail that could not be sent, to be tried again at `next_attempt_at`.
    pub async fn mark_mail_retry(
        &self,
        mail_id: i64,
        lease_token: i64,
        error: &str,
        next_attempt_at: Moment,
    ) -> Result<bool, StoreError> {
        self.end_lease(
            "last_error = $3, next_attempt_at = $4",
            [error.to_owned(), next_attempt_at.to_string()],
            mail_id,
            lease_token,
        )
        .await
    }

    /// Gives a mail up for good (the server refused it permanently, 5xx, or it cannot be
    /// built): status `failed` with the reason, never tried again.
    pub async fn mark_mail_failed(
        &self,
        mail_id: i64,
        lease_token: i64,
        error: &str,
    ) -> Result<bool, StoreError> {
        self.end_lease(
            "status = 'failed', last_error = $3",
            [error.to_owned()],
            mail_id,
            lease_token,
        )
        .await
    }

    /// Ends a lease with `set` (whose texts are `$3`, `$4` …), fenced: only while
    /// `lease_token` is the mail's current lease and the mail is still queued.
    async fn end_lease<const N: usize>(
        &self,
        set: &str,
        texts: [String; N],
        mail_id: i64,
        lease_token: i64,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE outbox SET {set}, lease_until = NULL \
             WHERE mail_id = $1 AND lease_token = $2 AND status = 'queued'"
        );
        let mut query = sqlx::query(&sql).bind(mail_id).bind(lease_token);
        for text in texts {
            query = query.bind(text);
        }
        let done = query
            .execute(self.pool())
            .await
            .map_err(query_error("ending a mail lease"))?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn get_mail(&self, mail_id: i64) -> Result<Option<MailRow>, StoreError> {
        let row = sqlx::query(&format!("{SELECT_MAIL} WHERE mail_id = $1"))
            .bind(mail_id)
            .fetch_optional(self.pool())
            .await
            .map_err(query_error("reading a mail"))?;
        Ok(row.as_ref().map(mail_from_row))
    }

    /// Mails, oldest first, of one complaint or all.
    pub async fn list_mails(&self, complaint_id: Option<&str>) -> Result<Vec<MailRow>, StoreError> {
        let rows = match complaint_id {
            Some(id) => {
                sqlx::query(&format!(
                    "{SELECT_MAIL} WHERE complaint_id = $1 ORDER BY mail_id"
                ))
                .bind(id)
                .fetch_all(self.pool())
                .await
            }
            None => {
                sqlx::query(&format!("{SELECT_MAIL} ORDER BY mail_id"))
                    .fetch_all(self.pool())
                    .await
            }
        }
        .map_err(query_error("listing mails"))?;
        Ok(rows.iter().map(mail_from_row).collect())
    }
}
