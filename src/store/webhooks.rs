//! Webhook endpoints and their delivery log. [`emit`] queues one delivery
//! per subscribed endpoint inside the caller's transaction, so a message
//! exists exactly when its cause does; `crate::webhooks::deliver` sends them.

use super::{StoreError, StoreResult, audit, new_id};
use crate::domain::{DeliveryStatus, FieldError, WebhookEvent, WebhookFormat};
use crate::entities::{webhook, webhook_delivery};
use crate::webhooks::{self, Event, target::Policy};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// How long the secret before a rotation still signs messages.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);
/// Most endpoints an organisation may register.
pub const MAX_WEBHOOKS: usize = 50;
/// Deliveries shown in an endpoint's log.
pub const LOG_LIMIT: u64 = 50;

/// A checked new endpoint.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub format: WebhookFormat,
}

impl NewWebhook {
    /// Checks the URL (form, devpulse itself, literal addresses), the events
    /// (at least one, each known) and the format; Slack's incoming-webhook
    /// URLs get the chat format unless another is asked for.
    pub fn parse(policy: &Policy, url: &str, events: &[String], format: Option<&str>) -> Result<Self, FieldError> {
        let url = policy.check_url("url", url)?;
        if events.is_empty() {
            return Err(FieldError::new("events", "name at least one event"));
        }
        let mut parsed = Vec::new();
        for e in events {
            let e = WebhookEvent::parse("events", e.trim())?;
            if !parsed.contains(&e) {
                parsed.push(e);
            }
        }
        let format = match format.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => WebhookFormat::parse("format", f)?,
            None if url.host_str() == Some("hooks.slack.com") => WebhookFormat::Slack,
            None => WebhookFormat::Standard,
        };
        Ok(NewWebhook { url: url.to_string(), events: parsed, format })
    }
}

/// The events an endpoint takes, from its column.
pub fn events_of(w: &webhook::Model) -> Vec<WebhookEvent> {
    w.events.split(',').filter_map(|e| WebhookEvent::parse("events", e).ok()).collect()
}

/// The secrets that sign a message at `now`: the current one, and the one
/// before a rotation during its overlap.
pub fn live_secrets(w: &webhook::Model, now: DateTime<Utc>) -> Vec<&str> {
    let mut secrets = vec![w.secret.as_str()];
    if let (Some(prev), Some(until)) = (&w.previous_secret, w.previous_until)
        && until > now
    {
        secrets.push(prev);
    }
    secrets
}

pub async fn create(db: &DatabaseConnection, actor: &str, new: NewWebhook) -> StoreResult<webhook::Model> {
    let txn = super::begin_write(db).await?;
    if webhook::Entity::find().count(&txn).await? >= MAX_WEBHOOKS as u64 {
        return Err(StoreError::Conflict(format!("at most {MAX_WEBHOOKS} webhooks; delete one first")));
    }
    let row = webhook::ActiveModel {
        webhook_id: Set(new_id()),
        url: Set(new.url),
        events: Set(new.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",")),
        format: Set(new.format),
        secret: Set(webhooks::new_secret()),
        previous_secret: Set(None),
        previous_until: Set(None),
        active: Set(true),
        disabled_reason: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let detail = serde_json::json!({"url": row.url, "events": row.events, "format": row.format});
    audit::record(&txn, actor, "webhook.create", "webhook", &row.webhook_id, detail).await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn list(conn: &impl ConnectionTrait) -> StoreResult<Vec<webhook::Model>> {
    Ok(webhook::Entity::find().order_by_asc(webhook::Column::CreatedAt).all(conn).await?)
}

pub async fn get(conn: &impl ConnectionTrait, webhook_id: &str) -> StoreResult<webhook::Model> {
    webhook::Entity::find_by_id(webhook_id.to_string())
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no webhook {webhook_id:?}")))
}

/// Deletes an endpoint and its delivery log.
pub async fn delete(db: &DatabaseConnection, actor: &str, webhook_id: &str) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let w = get(&txn, webhook_id).await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .exec(&txn)
        .await?;
    webhook::Entity::delete_by_id(webhook_id.to_string()).exec(&txn).await?;
    audit::record(&txn, actor, "webhook.delete", "webhook", webhook_id, serde_json::json!({"url": w.url})).await?;
    txn.commit().await?;
    Ok(())
}

/// A new secret; the old one keeps signing for [`ROTATION_OVERLAP`]. A
/// disabled endpoint is enabled again (rotating is what one does after
/// fixing a receiver).
pub async fn rotate(db: &DatabaseConnection, actor: &str, webhook_id: &str) -> StoreResult<webhook::Model> {
    let txn = super::begin_write(db).await?;
    let w = get(&txn, webhook_id).await?;
    let mut row = w.clone().into_active_model();
    row.previous_secret = Set(Some(w.secret.clone()));
    row.previous_until = Set(Some(Utc::now() + ROTATION_OVERLAP));
    row.secret = Set(webhooks::new_secret());
    row.active = Set(true);
    row.disabled_reason = Set(None);
    let row = row.update(&txn).await?;
    audit::record(&txn, actor, "webhook.rotate", "webhook", webhook_id, serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(row)
}

/// Queues `event` for every active endpoint that takes it. Call it inside
/// the transaction of the change.
pub async fn emit(conn: &impl ConnectionTrait, event: &Event) -> StoreResult<usize> {
    let hooks = webhook::Entity::find().filter(webhook::Column::Active.eq(true)).all(conn).await?;
    let now = Utc::now();
    let mut queued = 0;
    for w in hooks.iter().filter(|w| events_of(w).contains(&event.kind)) {
        webhook_delivery::ActiveModel {
            delivery_id: Set(format!("msg_{}", uuid::Uuid::new_v4().simple())),
            webhook_id: Set(w.webhook_id.clone()),
            event: Set(event.kind),
            body: Set(webhooks::body(event, w.format, now)),
            status: Set(DeliveryStatus::Queued),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_status: Set(None),
            last_error: Set(None),
            locked_by: Set(None),
            locked_until: Set(None),
            created_at: Set(now),
            delivered_at: Set(None),
        }
        .insert(conn)
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// An endpoint's latest deliveries, newest first.
pub async fn deliveries(conn: &impl ConnectionTrait, webhook_id: &str) -> StoreResult<Vec<webhook_delivery::Model>> {
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(webhook_delivery::Column::CreatedAt)
        .order_by_desc(webhook_delivery::Column::DeliveryId)
        .limit(LOG_LIMIT)
        .all(conn)
        .await?)
}

/// Turns an endpoint off (its receiver answered 410 Gone): it gets no new
/// messages, and those still queued for it fail.
pub async fn disable(db: &DatabaseConnection, webhook_id: &str, reason: &str) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    webhook::Entity::update_many()
        .col_expr(webhook::Column::Active, sea_orm::sea_query::Expr::value(false))
        .col_expr(webhook::Column::DisabledReason, sea_orm::sea_query::Expr::value(reason))
        .filter(webhook::Column::WebhookId.eq(webhook_id))
        .exec(&txn)
        .await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, sea_orm::sea_query::Expr::value(DeliveryStatus::Failed))
        .col_expr(webhook_delivery::Column::LastError, sea_orm::sea_query::Expr::value("endpoint disabled"))
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Queued))
        .exec(&txn)
        .await?;
    audit::record(&txn, "devpulse", "webhook.disable", "webhook", webhook_id, serde_json::json!({"reason": reason}))
        .await?;
    txn.commit().await?;
    Ok(())
}
