//! Sending queued webhook messages, from the worker of any instance. Each
//! delivery is claimed with a conditional update before it is sent (as the
//! mailer claims emails), so two instances never send one message at once;
//! a claim outlives the request's timeout, so a killed instance's claim
//! simply expires and another instance sends the message again (receivers
//! deduplicate on `webhook-id`, which stays the same on every attempt).
//!
//! A 2xx answer delivers; `410 Gone` disables the endpoint; anything else
//! (another status, a timeout, a refused connection) is retried on
//! [`super::retry_after`]'s schedule, about a day, then the delivery fails.
//! Redirects are not followed: a receiver that redirects has moved, and
//! following would let it point devpulse anywhere.

use super::target::{self, Policy};
use crate::domain::{DeliveryStatus, WebhookFormat};
use crate::entities::{webhook, webhook_delivery};
use crate::store::{StoreResult, webhooks as hooks};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashSet;

/// How long one request may take.
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long a claimed delivery stays with one instance: well past [`TIMEOUT`].
const LOCK: Duration = Duration::seconds(60);
/// Deliveries read per query.
const BATCH: u64 = 20;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Sends webhook messages; one per process.
pub struct Deliverer {
    instance: String,
    policy: Policy,
    /// `DEVPULSE_BASE_URL`, for the links of chat summaries.
    base_url: String,
    timeout: std::time::Duration,
}

/// How one attempt ended.
enum Outcome {
    Delivered(u16),
    /// The receiver is gone for good (410): the endpoint is disabled.
    Gone,
    Retry(Option<u16>, String),
    /// Never worth another try (the URL points where it must not).
    Refused(String),
}

impl Deliverer {
    pub fn new(policy: Policy, base_url: &str) -> Self {
        let base_url = base_url.trim_end_matches('/').to_string();
        Deliverer { instance: uuid::Uuid::new_v4().simple().to_string(), policy, base_url, timeout: TIMEOUT }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Sends every delivery due at `now`.
    pub async fn drain(&self, db: &DatabaseConnection, now: DateTime<Utc>) -> StoreResult<Delivered> {
        let mut done = Delivered::default();
        let mut tried = HashSet::new();
        loop {
            let due = webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Queued))
                .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
                .filter(unlocked(Utc::now()))
                .order_by_asc(webhook_delivery::Column::NextAttemptAt)
                .limit(BATCH)
                .all(db)
                .await?;
            let due: Vec<_> = due.into_iter().filter(|d| tried.insert(d.delivery_id.clone())).collect();
            if due.is_empty() {
                return Ok(done);
            }
            for d in due {
                if self.claim(db, &d, now).await? {
                    self.attempt(db, d, now, &mut done).await?;
                }
            }
        }
    }

    /// Takes `d` for this instance, if it is still due at the same attempt.
    async fn claim(
        &self,
        db: &DatabaseConnection,
        d: &webhook_delivery::Model,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let clock = Utc::now();
        let claimed = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::LockedBy, Expr::value(self.instance.clone()))
            .col_expr(webhook_delivery::Column::LockedUntil, Expr::value(clock + LOCK))
            .filter(webhook_delivery::Column::DeliveryId.eq(d.delivery_id.as_str()))
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Queued))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
            .filter(webhook_delivery::Column::Attempts.eq(d.attempts))
            .filter(unlocked(clock))
            .exec(db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    async fn attempt(
        &self,
        db: &DatabaseConnection,
        d: webhook_delivery::Model,
        now: DateTime<Utc>,
        done: &mut Delivered,
    ) -> StoreResult<()> {
        let hook = webhook::Entity::find_by_id(d.webhook_id.clone()).one(db).await?;
        let outcome = match &hook {
            Some(w) if w.active => self.send(w, &d).await,
            _ => Outcome::Refused("endpoint disabled".into()),
        };
        let attempts = d.attempts + 1;
        let update = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
            .col_expr(webhook_delivery::Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(webhook_delivery::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(webhook_delivery::Column::DeliveryId.eq(d.delivery_id.as_str()))
            .filter(webhook_delivery::Column::LockedBy.eq(self.instance.as_str()));
        let failed =
            |status: Option<u16>, reason: String| (DeliveryStatus::Failed, status, Some(reason), None::<DateTime<Utc>>);
        let (status, code, error, next) = match outcome {
            Outcome::Delivered(code) => {
                done.delivered += 1;
                (DeliveryStatus::Delivered, Some(code), None, None)
            }
            Outcome::Gone => {
                done.failed += 1;
                let reason = format!("the receiver answered 410 Gone on {}", Utc::now().format("%Y-%m-%d %H:%M UTC"));
                hooks::disable(db, &d.webhook_id, &reason).await?;
                failed(Some(410), reason)
            }
            Outcome::Refused(reason) => {
                done.failed += 1;
                tracing::warn!(delivery_id = %d.delivery_id, %reason, "webhook refused");
                failed(None, reason)
            }
            Outcome::Retry(code, reason) => match super::retry_after(attempts) {
                Some(wait) => {
                    done.retrying += 1;
                    tracing::warn!(delivery_id = %d.delivery_id, attempts, %reason, "webhook not delivered; will retry");
                    (DeliveryStatus::Queued, code, Some(reason), Some(now + wait))
                }
                None => {
                    done.failed += 1;
                    tracing::error!(delivery_id = %d.delivery_id, attempts, %reason, "webhook failed for good");
                    failed(code, reason)
                }
            },
        };
        let mut update = update
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(webhook_delivery::Column::LastStatus, Expr::value(code.map(i32::from)))
            .col_expr(webhook_delivery::Column::LastError, Expr::value(error));
        if let Some(next) = next {
            update = update.col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next));
        }
        if status == DeliveryStatus::Delivered {
            update = update.col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(Some(Utc::now())));
        }
        if update.exec(db).await?.rows_affected != 1 {
            tracing::warn!(delivery_id = %d.delivery_id, "a webhook delivery's claim expired before it was marked");
        }
        Ok(())
    }

    /// One request: the address checked, signed headers, no redirects.
    async fn send(&self, w: &webhook::Model, d: &webhook_delivery::Model) -> Outcome {
        let url = match reqwest::Url::parse(&w.url) {
            Ok(u) => u,
            Err(e) => return Outcome::Refused(format!("not a URL: {e}")),
        };
        let addr = match target::resolve(&self.policy, &url).await {
            Ok(a) => a,
            Err(reason) if reason.contains("does not resolve") => return Outcome::Retry(None, reason),
            Err(reason) => return Outcome::Refused(reason),
        };
        let host = url.host_str().unwrap_or_default().to_string();
        let client = match reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .resolve(&host, addr)
            .user_agent(concat!("devpulse-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
        {
            Ok(c) => c,
            Err(e) => return Outcome::Retry(None, format!("HTTP client: {e}")),
        };
        let timestamp = Utc::now().timestamp();
        let secrets = hooks::live_secrets(w, Utc::now());
        let body = match w.format {
            WebhookFormat::Slack => d.body.replace(super::events::BASE, &self.base_url),
            WebhookFormat::Standard => d.body.clone(),
        };
        let signature = super::signature_header(&secrets, &d.delivery_id, timestamp, &body);
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &d.delivery_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(res) if res.status().is_success() => Outcome::Delivered(res.status().as_u16()),
            Ok(res) if res.status() == reqwest::StatusCode::GONE => Outcome::Gone,
            Ok(res) => Outcome::Retry(Some(res.status().as_u16()), format!("the receiver answered {}", res.status())),
            Err(e) if e.is_timeout() => Outcome::Retry(None, format!("no answer within {} s", self.timeout.as_secs())),
            Err(e) => Outcome::Retry(None, format!("could not reach the receiver: {}", crate::error::chain(&e))),
        }
    }
}

fn unlocked(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(webhook_delivery::Column::LockedUntil.is_null())
        .add(webhook_delivery::Column::LockedUntil.lt(now))
}
