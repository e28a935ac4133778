//! The email outbox. Emails are rendered and queued inside the transaction
//! that causes them, so an email exists exactly when its cause does; the
//! mailer drains the queue later.

use super::{StoreResult, new_id};
use crate::domain::{EmailKind, EmailStatus};
use crate::email::RenderedEmail;
use crate::entities::outbox_email;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

/// Queues one rendered email to `to`; returns its stable Message-ID.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    kind: EmailKind,
    to: &str,
    email: RenderedEmail,
    message_domain: &str,
) -> StoreResult<String> {
    let email_id = new_id();
    let message_id = format!("<{email_id}@{message_domain}>");
    let now = Utc::now();
    outbox_email::ActiveModel {
        email_id: Set(email_id),
        kind: Set(kind),
        to_addr: Set(to.to_string()),
        subject: Set(email.subject),
        body_text: Set(email.text),
        body_html: Set(email.html),
        message_id: Set(message_id.clone()),
        status: Set(EmailStatus::Queued),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        locked_by: Set(None),
        locked_until: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(message_id)
}
