//! `/api/v1/webhooks`: endpoints that receive signed events (Standard
//! Webhooks) or chat messages, their secrets and their delivery log.

use super::extract::{Admin, ApiJson, Authed};
use crate::domain::{DeliveryStatus, WebhookEvent, WebhookFormat};
use crate::entities::{webhook, webhook_delivery};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::store::webhooks::{self as hooks, NewWebhook};
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(delete_webhook)
        .service(rotate_secret)
        .service(list_deliveries);
}

/// An endpoint, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    pub webhook_id: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub format: WebhookFormat,
    /// False once the receiver answered 410 Gone; rotating the secret turns it on again.
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&webhook::Model> for WebhookOut {
    fn from(w: &webhook::Model) -> Self {
        WebhookOut {
            webhook_id: w.webhook_id.clone(),
            url: w.url.clone(),
            events: hooks::events_of(w),
            format: w.format,
            active: w.active,
            disabled_reason: w.disabled_reason.clone(),
            created_at: w.created_at,
        }
    }
}

/// An endpoint with its secret: only in the answers that create or rotate it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// `whsec_...`: shown once; verify signatures with it.
    pub secret: String,
}

impl From<&webhook::Model> for WebhookWithSecret {
    fn from(w: &webhook::Model) -> Self {
        WebhookWithSecret { webhook: w.into(), secret: w.secret.clone() }
    }
}

/// The endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookOut>,
}

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookIn {
    /// http(s) URL of the receiver.
    pub url: String,
    /// At least one of the events.
    pub events: Vec<String>,
    /// `standard` (default; `slack` for Slack's incoming-webhook URLs).
    #[schema(value_type = Option<WebhookFormat>)]
    pub format: Option<String>,
}

/// One message to an endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    /// The `webhook-id` header: the same on every attempt.
    pub delivery_id: String,
    pub event: WebhookEvent,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<webhook_delivery::Model> for DeliveryOut {
    fn from(d: webhook_delivery::Model) -> Self {
        DeliveryOut {
            next_attempt_at: (d.status == DeliveryStatus::Queued).then_some(d.next_attempt_at),
            delivery_id: d.delivery_id,
            event: d.event,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

/// An endpoint's latest deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryOut>,
}

/// List webhook endpoints (secrets are never listed).
#[utoipa::path(tag = "webhooks", security(("api_token" = [])),
    responses((status = 200, body = WebhookList), (status = 401, body = ErrorBody)))]
#[get("/webhooks")]
async fn list_webhooks(state: web::Data<AppState>, _: Admin) -> Result<HttpResponse, ApiError> {
    let items = hooks::list(&state.db).await?.iter().map(WebhookOut::from).collect();
    Ok(HttpResponse::Ok().json(WebhookList { items }))
}

/// Register an endpoint; the answer holds its secret, once.
#[utoipa::path(tag = "webhooks", request_body = WebhookIn, security(("api_token" = [])),
    responses((status = 201, body = WebhookWithSecret), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/webhooks")]
async fn create_webhook(
    state: web::Data<AppState>,
    authed: Authed<Admin, ApiJson<WebhookIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let b = body.0;
    let new = NewWebhook::parse(state.webhooks.policy(), &b.url, &b.events, b.format.as_deref())?;
    let w = hooks::create(&state.db, &admin.actor, new).await?;
    Ok(HttpResponse::Created().json(WebhookWithSecret::from(&w)))
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(tag = "webhooks", security(("api_token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/webhooks/{id}")]
async fn delete_webhook(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    hooks::delete(&state.db, &admin.actor, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new secret; messages are signed with the old one too for a day. Turns
/// a disabled endpoint on again.
#[utoipa::path(tag = "webhooks", security(("api_token" = [])),
    responses((status = 200, body = WebhookWithSecret), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/webhooks/{id}/rotate")]
async fn rotate_secret(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let w = hooks::rotate(&state.db, &admin.actor, &id).await?;
    Ok(HttpResponse::Ok().json(WebhookWithSecret::from(&w)))
}

/// An endpoint's delivery log: its latest messages, newest first.
#[utoipa::path(tag = "webhooks", security(("api_token" = [])),
    responses((status = 200, body = DeliveryList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/webhooks/{id}/deliveries")]
async fn list_deliveries(
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    hooks::get(&state.db, &id).await?;
    let items = hooks::deliveries(&state.db, &id).await?.into_iter().map(DeliveryOut::from).collect();
    Ok(HttpResponse::Ok().json(DeliveryList { items }))
}
