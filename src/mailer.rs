//! The mailer: drains the email outbox through SMTP (`DEVPULSE_SMTP_URL`) or
//! into `.eml` files (`DEVPULSE_MAIL_DIR`). Each email is claimed with a
//! conditional update before it is sent, so several instances never send one
//! twice; temporary failures are retried with exponential backoff, permanent
//! ones are marked failed with the reason. Once an email is sent or has
//! failed for good its bodies are dropped (they hold personal links), and an
//! invitation's or reminder's recipient too.
//!
//! Delivery is at least once: if the process dies after the SMTP server took
//! an email and before it is marked sent, the email goes again once its claim
//! expires (`DEVPULSE_MAIL_LOCK_SECONDS`, 2 minutes by default). That window is the only way to a duplicate.

use crate::domain::EmailStatus;
use crate::entities::outbox_email;
use crate::store::StoreResult;
use chrono::{DateTime, Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, UpdateMany,
    sea_query::Expr,
};
use std::path::Path;

/// Attempts before an email is given up as failed.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a claimed email stays locked to one instance, by default
/// (`DEVPULSE_MAIL_LOCK_SECONDS`).
const LOCK: Duration = Duration::minutes(2);
/// The first retry wait, by default (`DEVPULSE_MAIL_RETRY_SECONDS`).
const RETRY: Duration = Duration::seconds(30);

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Sends queued emails.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// Who holds a claim, for the `locked_by` column.
    instance: String,
    /// The first retry wait; see [`backoff`].
    retry: Duration,
    /// How long a claim lasts.
    lock: Duration,
    /// Set at shutdown: a drain returns after the email in hand.
    stopping: std::sync::atomic::AtomicBool,
}

/// What one drain did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drained {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// The wait before attempt `attempts + 1`: `first`, twice that, four times,
/// ... capped at 1 h (30 s, 1 min, 2 min, ... by default).
pub fn backoff(first: Duration, attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((first.num_seconds().max(1) << exp).min(3600))
}

enum Failure {
    Temporary(String),
    Permanent(String),
}

/// Why the mailer cannot be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("DEVPULSE_MAIL_FROM {0:?} is not an email address")]
    From(String, #[source] lettre::address::AddressError),
    #[error("DEVPULSE_SMTP_URL {0:?} is not usable")]
    Smtp(String, #[source] lettre::transport::smtp::Error),
    #[error("DEVPULSE_MAIL_DIR {0} cannot be created")]
    MailDir(String, #[source] std::io::Error),
}

impl Mailer {
    /// Builds the mailer: SMTP when `smtp_url` is set, otherwise `.eml` files in `mail_dir`.
    pub fn new(smtp_url: Option<&str>, mail_dir: &Path, mail_from: &str) -> Result<Self, MailerError> {
        let from: Mailbox = mail_from.parse().map_err(|e| MailerError::From(mail_from.to_string(), e))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailerError::Smtp(url.to_string(), e))?
                    .timeout(Some(std::time::Duration::from_secs(15)))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(mail_dir)
                    .map_err(|e| MailerError::MailDir(mail_dir.display().to_string(), e))?;
                Transport::Files(AsyncFileTransport::new(mail_dir))
            }
        };
        Ok(Mailer {
            transport,
            from,
            instance: uuid::Uuid::new_v4().simple().to_string(),
            retry: RETRY,
            lock: LOCK,
            stopping: Default::default(),
        })
    }

    /// The first retry wait and the claim's length, from the settings.
    pub fn with_timing(mut self, retry: std::time::Duration, lock: std::time::Duration) -> Self {
        self.retry = Duration::from_std(retry).unwrap_or(RETRY);
        self.lock = Duration::from_std(lock).unwrap_or(LOCK);
        self
    }

    fn message(&self, e: &outbox_email::Model) -> Result<Message, Failure> {
        let to: Mailbox = e.to_addr.parse().map_err(|err| Failure::Permanent(format!("bad recipient: {err}")))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(e.subject.clone())
            .message_id(Some(e.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(e.body_text.clone(), e.body_html.clone()))
            .map_err(|err| Failure::Permanent(format!("cannot build the message: {err}")))
    }

    async fn send(&self, e: &outbox_email::Model) -> Result<(), Failure> {
        let message = self.message(e)?;
        match &self.transport {
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|err| {
                if err.is_permanent() {
                    Failure::Permanent(err.to_string())
                } else {
                    Failure::Temporary(err.to_string())
                }
            }),
            Transport::Files(t) => t.send(message).await.map(|_| ()).map_err(|err| Failure::Temporary(err.to_string())),
        }
    }

    /// Makes a drain in progress return after the email in hand, so a
    /// shutdown never waits for a long queue (the rest stays queued for the
    /// next start or another instance) and is never cut off by a kill between
    /// sending an email and marking it sent.
    pub fn stop(&self) {
        self.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The longest one send may take: half the claim.
    fn send_limit(&self) -> std::time::Duration {
        (self.lock / 2).to_std().unwrap_or(std::time::Duration::from_secs(60))
    }

    fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Sends every email due at `now`; returns what happened.
    pub async fn drain(&self, db: &DatabaseConnection, now: DateTime<Utc>) -> StoreResult<Drained> {
        let mut done = Drained::default();
        let mut tried = std::collections::HashSet::new();
        loop {
            let due = outbox_email::Entity::find()
                .filter(outbox_email::Column::Status.eq(EmailStatus::Queued))
                .filter(outbox_email::Column::NextAttemptAt.lte(now))
                .filter(unlocked(Utc::now()))
                .order_by_asc(outbox_email::Column::NextAttemptAt)
                .limit(50)
                .all(db)
                .await?;
            let due: Vec<_> = due.into_iter().filter(|e| !tried.contains(&e.email_id)).collect();
            if due.is_empty() || self.is_stopping() {
                return Ok(done);
            }
            let mut claimed_any = false;
            for e in due {
                if self.is_stopping() {
                    return Ok(done);
                }
                // Locks use the real clock, not `now` (which may be old by now).
                let clock = Utc::now();
                // The claim re-checks what was read: still due and at the same
                // attempt, so another instance's retry wait and attempt count
                // hold too.
                let claimed = outbox_email::Entity::update_many()
                    .col_expr(outbox_email::Column::LockedBy, Expr::value(self.instance.clone()))
                    .col_expr(outbox_email::Column::LockedUntil, Expr::value(clock + self.lock))
                    .filter(outbox_email::Column::EmailId.eq(e.email_id.as_str()))
                    .filter(outbox_email::Column::Status.eq(EmailStatus::Queued))
                    .filter(outbox_email::Column::NextAttemptAt.lte(now))
                    .filter(outbox_email::Column::Attempts.eq(e.attempts))
                    .filter(unlocked(clock))
                    .exec(db)
                    .await?;
                if claimed.rows_affected != 1 {
                    // Another instance has it; if that instance dies, its
                    // claim expires and a later query of this pass finds it.
                    continue;
                }
                tried.insert(e.email_id.clone());
                claimed_any = true;
                let attempts = e.attempts + 1;
                let update = outbox_email::Entity::update_many()
                    .col_expr(outbox_email::Column::Attempts, Expr::value(attempts))
                    .col_expr(outbox_email::Column::LockedBy, Expr::value(Option::<String>::None))
                    .col_expr(outbox_email::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
                    .filter(outbox_email::Column::EmailId.eq(e.email_id.as_str()))
                    .filter(outbox_email::Column::LockedBy.eq(self.instance.as_str()));
                // A send never outlives the claim: past half of it, it counts
                // as a temporary failure, before another instance may start.
                let sent = match tokio::time::timeout(self.send_limit(), self.send(&e)).await {
                    Ok(result) => result,
                    Err(_) => Err(Failure::Temporary(format!(
                        "no answer from the SMTP server within {} s",
                        self.send_limit().as_secs()
                    ))),
                };
                let update = match sent {
                    Ok(()) => {
                        done.sent += 1;
                        let update = scrubbed(update)
                            .col_expr(outbox_email::Column::Status, Expr::value(EmailStatus::Sent))
                            .col_expr(outbox_email::Column::SentAt, Expr::value(Utc::now()))
                            .col_expr(outbox_email::Column::LastError, Expr::value(Option::<String>::None));
                        if e.kind.is_about_a_survey() {
                            update.col_expr(outbox_email::Column::ToAddr, Expr::value(""))
                        } else {
                            update
                        }
                    }
                    Err(Failure::Temporary(reason)) if attempts < MAX_ATTEMPTS => {
                        tracing::warn!(email_id = %e.email_id, attempts, %reason, "email not sent; will retry");
                        done.retrying += 1;
                        update
                            .col_expr(
                                outbox_email::Column::NextAttemptAt,
                                Expr::value(now + backoff(self.retry, attempts)),
                            )
                            .col_expr(outbox_email::Column::LastError, Expr::value(reason))
                    }
                    Err(Failure::Temporary(reason) | Failure::Permanent(reason)) => {
                        tracing::error!(email_id = %e.email_id, attempts, %reason, "email failed for good");
                        done.failed += 1;
                        scrubbed(update)
                            .col_expr(outbox_email::Column::Status, Expr::value(EmailStatus::Failed))
                            .col_expr(outbox_email::Column::LastError, Expr::value(reason))
                    }
                };
                if update.exec(db).await?.rows_affected != 1 {
                    tracing::warn!(email_id = %e.email_id, "an email's claim expired before it was marked");
                }
            }
            if !claimed_any {
                // Every email of the batch went to another instance: the next
                // pass looks again.
                return Ok(done);
            }
        }
    }
}

/// Drops the bodies of an email that will not be sent again: they hold
/// personal and invitation links, which must not outlive their delivery in
/// the database. The subject, recipient and status stay for the record.
fn scrubbed(update: UpdateMany<outbox_email::Entity>) -> UpdateMany<outbox_email::Entity> {
    update
        .col_expr(outbox_email::Column::BodyText, Expr::value(""))
        .col_expr(outbox_email::Column::BodyHtml, Expr::value(""))
}

fn unlocked(now: DateTime<Utc>) -> Condition {
    Condition::any().add(outbox_email::Column::LockedUntil.is_null()).add(outbox_email::Column::LockedUntil.lt(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(RETRY, 1), Duration::seconds(30));
        assert_eq!(backoff(RETRY, 2), Duration::seconds(60));
        assert_eq!(backoff(RETRY, 4), Duration::seconds(240));
        assert_eq!(backoff(RETRY, 8), Duration::seconds(3600));
        assert_eq!(backoff(RETRY, 100), Duration::seconds(3600));
        assert_eq!(backoff(Duration::seconds(2), 3), Duration::seconds(8));
    }
}
