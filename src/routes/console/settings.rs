//! `/admin/settings`: API tokens (shown once at creation, revocable), admins
//! (add, remove; never the last), one's own password, and the audit log.

use super::session::Signed;
use crate::domain::Email;
use crate::error::PageError;
use crate::state::AppState;
use crate::store;
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::{Deserialize, Serialize};
use tera::Context;

/// Shortest admin password, in characters (as `devpulse admin add`).
pub const MIN_PASSWORD: usize = 12;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
}

#[derive(Serialize)]
struct TokenView {
    token_id: String,
    name: String,
    created: String,
    last_used: String,
    live: bool,
}

#[derive(Serialize)]
struct AuditView {
    at: String,
    actor: String,
    action: String,
    entity: String,
    detail: String,
}

async fn render(
    state: &AppState,
    signed: &Signed,
    q: &AuditQuery,
    extra: Context,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let when = |d: chrono::DateTime<chrono::Utc>| d.format("%-d %b %Y %H:%M UTC").to_string();
    let tokens: Vec<TokenView> = store::tokens::list(&state.db)
        .await?
        .into_iter()
        .map(|t| TokenView {
            live: t.revoked_at.is_none(),
            created: when(t.created_at),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
            token_id: t.token_id,
            name: t.name,
        })
        .collect();
    let admins: Vec<String> = store::admins::list(&state.db).await?.into_iter().map(|a| a.email).collect();
    let audit: Vec<AuditView> = store::audit::recent(&state.db, Some(&q.action), Some(&q.actor), 200)
        .await?
        .into_iter()
        .map(|e| AuditView { at: when(e.at), actor: e.actor, action: e.action, entity: e.entity, detail: e.detail })
        .collect();
    let mut ctx = super::context(signed, "/admin/settings");
    ctx.extend(extra);
    ctx.insert("tokens", &tokens);
    ctx.insert("admins", &admins);
    ctx.insert("audit", &audit);
    ctx.insert("q", q);
    ctx.insert("min_password", &MIN_PASSWORD);
    Ok(state.pages.page(status, "console/settings.html", ctx))
}

pub async fn page(
    state: web::Data<AppState>,
    signed: Signed,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    render(&state, &signed, &q, Context::new(), StatusCode::OK).await
}

/// The settings page again with a problem or a notice.
async fn with(
    state: &AppState,
    signed: &Signed,
    key: &str,
    message: &str,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let mut ctx = Context::new();
    ctx.insert(key, message);
    render(state, signed, &AuditQuery::default(), ctx, status).await
}

#[derive(Debug, Deserialize)]
pub struct Form {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    current: String,
}

pub async fn create_token(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<Form>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let name = match crate::domain::required_text("name", &form.name, 100) {
        Ok(n) => n,
        Err(e) => {
            return with(&state, &signed, "problem", &format!("name: {}", e.message), StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let (row, token) = store::tokens::create(&state.db, &name).await?;
    store::audit::record(
        &state.db,
        &signed.actor(),
        "token.create",
        "api_token",
        &row.token_id,
        serde_json::json!({"name": name}),
    )
    .await?;
    let mut ctx = Context::new();
    ctx.insert("new_token", &token);
    ctx.insert("new_token_name", &name);
    render(&state, &signed, &AuditQuery::default(), ctx, StatusCode::CREATED).await
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    form: web::Form<Form>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let t = store::tokens::revoke(&state.db, &id).await?;
    store::audit::record(
        &state.db,
        &signed.actor(),
        "token.revoke",
        "api_token",
        &t.token_id,
        serde_json::json!({"name": t.name}),
    )
    .await?;
    Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/settings")).finish())
}

async fn hash(password: String) -> Result<String, PageError> {
    web::block(move || password_auth::generate_hash(password)).await.map_err(|_| PageError::Internal)
}

pub async fn add_admin(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<Form>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let email = match Email::parse("email", &form.email) {
        Ok(e) => e,
        Err(e) => {
            return with(
                &state,
                &signed,
                "problem",
                &format!("email: {}", e.message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if form.password.chars().count() < MIN_PASSWORD {
        let message = format!("password: at least {MIN_PASSWORD} characters");
        return with(&state, &signed, "problem", &message, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match store::admins::create(&state.db, &email, hash(form.password.clone()).await?).await {
        Ok(a) => {
            store::audit::record(
                &state.db,
                &signed.actor(),
                "admin.add",
                "admin",
                &a.admin_id,
                serde_json::json!({"email": a.email}),
            )
            .await?;
            Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/settings")).finish())
        }
        Err(store::StoreError::Conflict(m)) => with(&state, &signed, "problem", &m, StatusCode::CONFLICT).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_admin(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<Form>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    match store::admins::remove(&state.db, &signed.actor(), &form.email).await {
        Ok(()) => Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/settings")).finish()),
        Err(store::StoreError::Conflict(m)) => with(&state, &signed, "problem", &m, StatusCode::CONFLICT).await,
        Err(e) => Err(e.into()),
    }
}

/// Changes one's own password (the current one is checked); every session of
/// this admin ends, this one too, so they sign in again.
pub async fn change_password(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<Form>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let (current, stored) = (form.current.clone(), signed.session.admin.password_hash.clone());
    let verified = web::block(move || password_auth::verify_password(current, &stored).is_ok())
        .await
        .map_err(|_| PageError::Internal)?;
    if !verified {
        return with(
            &state,
            &signed,
            "problem",
            "current password: that is not your current password",
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if form.password.chars().count() < MIN_PASSWORD {
        let message = format!("new password: at least {MIN_PASSWORD} characters");
        return with(&state, &signed, "problem", &message, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let hashed = hash(form.password.clone()).await?;
    store::admins::set_password(&state.db, &signed.actor(), &signed.session.admin.email, hashed).await?;
    Ok(HttpResponse::SeeOther()
        .cookie(super::session::removal(&state))
        .insert_header(("Location", "/admin/login?next=%2Fadmin%2Fsettings"))
        .finish())
}
