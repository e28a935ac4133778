//! `/admin/webhooks`: endpoints that receive signed events or chat messages;
//! the secret shown once at creation and at each rotation; each endpoint's
//! latest deliveries.

use super::session::Signed;
use crate::domain::WebhookEvent;
use crate::error::PageError;
use crate::state::AppState;
use crate::store::webhooks::{self as hooks, NewWebhook};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;
use tera::Context;

/// Deliveries shown per endpoint on the page.
const SHOWN: usize = 10;

#[derive(Serialize)]
struct DeliveryView {
    event: &'static str,
    status: &'static str,
    attempts: i32,
    last_status: String,
    last_error: String,
    when: String,
    /// For a message still to be sent: when it is tried next.
    next_try: String,
}

#[derive(Serialize)]
struct WebhookView {
    webhook_id: String,
    url: String,
    events: Vec<&'static str>,
    format: &'static str,
    active: bool,
    disabled_reason: String,
    deliveries: Vec<DeliveryView>,
}

fn when(d: chrono::DateTime<chrono::Utc>) -> String {
    d.format("%-d %b %Y %H:%M:%S UTC").to_string()
}

async fn render(
    state: &AppState,
    signed: &Signed,
    extra: Context,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let mut views = Vec::new();
    for w in hooks::list(&state.db).await? {
        let deliveries = hooks::deliveries(&state.db, &w.webhook_id)
            .await?
            .into_iter()
            .take(SHOWN)
            .map(|d| DeliveryView {
                event: d.event.as_str(),
                status: d.status.as_str(),
                attempts: d.attempts,
                last_status: d.last_status.map(|s| s.to_string()).unwrap_or_default(),
                last_error: d.last_error.unwrap_or_default(),
                when: when(d.delivered_at.unwrap_or(d.created_at)),
                next_try: if d.status == crate::domain::DeliveryStatus::Queued {
                    when(d.next_attempt_at)
                } else {
                    String::new()
                },
            })
            .collect();
        views.push(WebhookView {
            events: hooks::events_of(&w).into_iter().map(WebhookEvent::as_str).collect(),
            format: w.format.as_str(),
            active: w.active,
            disabled_reason: w.disabled_reason.unwrap_or_default(),
            webhook_id: w.webhook_id,
            url: w.url,
            deliveries,
        });
    }
    let mut ctx = super::context(signed, "/admin/webhooks");
    ctx.extend(extra);
    ctx.insert("webhooks", &views);
    ctx.insert("all_events", &WebhookEvent::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>());
    Ok(state.pages.page(status, "console/webhooks.html", ctx))
}

pub async fn page(state: web::Data<AppState>, signed: Signed) -> Result<HttpResponse, PageError> {
    render(&state, &signed, Context::new(), StatusCode::OK).await
}

/// The form's fields; `events` repeats, one per ticked box.
fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub async fn create(state: web::Data<AppState>, signed: Signed, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let pairs = fields(&body);
    signed.check_form(field(&pairs, "csrf"))?;
    let url = field(&pairs, "url").unwrap_or_default();
    let events: Vec<String> = pairs.iter().filter(|(k, _)| k == "events").map(|(_, v)| v.clone()).collect();
    let new = match NewWebhook::parse(state.webhooks.policy(), url, &events, field(&pairs, "format")) {
        Ok(n) => n,
        Err(e) => {
            let mut ctx = Context::new();
            ctx.insert("problem", &format!("{}: {}", e.field, e.message));
            ctx.insert("typed_url", url);
            ctx.insert("typed_events", &events);
            return render(&state, &signed, ctx, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let w = hooks::create(&state.db, &signed.actor(), new).await?;
    shown_once(&state, &signed, &w.url, &w.secret, StatusCode::CREATED).await
}

/// The page with a secret to copy now.
async fn shown_once(
    state: &AppState,
    signed: &Signed,
    url: &str,
    secret: &str,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let mut ctx = Context::new();
    ctx.insert("new_secret", secret);
    ctx.insert("new_secret_url", url);
    render(state, signed, ctx, status).await
}

#[derive(Debug, serde::Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

pub async fn rotate(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let w = hooks::rotate(&state.db, &signed.actor(), &id).await?;
    shown_once(&state, &signed, &w.url, &w.secret, StatusCode::OK).await
}

pub async fn delete(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    hooks::delete(&state.db, &signed.actor(), &id).await?;
    Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/webhooks")).finish())
}
