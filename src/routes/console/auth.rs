//! Signing in and out of the console. The same answer, and about the same
//! time, for an unknown email and a wrong password; failures throttled per
//! submitted email and per address, in the database (every instance counts
//! the same), with 429 and `Retry-After`; every sign-in and failure audited.

use super::session::{self, Signed};
use crate::error::PageError;
use crate::state::AppState;
use crate::store::{self, throttle};
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::Utc;
use serde::Deserialize;
use std::sync::LazyLock;
use tera::Context;

/// A hash to check passwords against when the email is no admin's, so that
/// both answers take the time of one Argon2 verification.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| password_auth::generate_hash(store::random_token(24)));

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after signing in: a local path only (never `//host` or a URL).
pub fn local_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.contains("://");
    if local { next } else { "/admin" }
}

fn login_page(state: &AppState, status: StatusCode, email: &str, next: &str, message: Option<&str>) -> HttpResponse {
    let mut ctx = Context::new();
    ctx.insert("sso", &state.sso.is_some());
    ctx.insert("email", email);
    ctx.insert("next", local_next(next));
    ctx.insert("message", &message);
    crate::pages::render(status, "console/login.html", ctx, None)
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<LoginQuery>,
) -> Result<HttpResponse, PageError> {
    let next = q.next.as_deref().unwrap_or("/admin");
    if session::of_request(&state, &req).await?.is_some() {
        return Ok(HttpResponse::SeeOther().insert_header(("Location", local_next(next).to_string())).finish());
    }
    Ok(login_page(&state, StatusCode::OK, "", next, None))
}

/// The throttle keys of a sign-in: the submitted email and the address.
fn keys(state: &AppState, req: &HttpRequest, email: &str) -> [(String, i32); 2] {
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    [
        (throttle::key(&state.secret_key, &format!("email:{email}")), throttle::PER_EMAIL),
        (throttle::key(&state.secret_key, &format!("address:{address}")), throttle::PER_ADDRESS),
    ]
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let email = form.email.trim().to_lowercase();
    let window = chrono::Duration::from_std(state.config.signin_window).unwrap_or(chrono::Duration::minutes(15));
    let now = Utc::now();
    let keys = keys(&state, &req, &email);
    let mut wait = None;
    for (key, limit) in &keys {
        wait = wait.max(throttle::attempt(&state.db, key, *limit, window, now).await?);
    }
    if let Some(secs) = wait {
        let mut res = login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &email,
            &form.next,
            Some(&format!("Too many failed sign-ins. Try again in {} minutes.", secs.div_ceil(60))),
        );
        res.headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, actix_web::http::header::HeaderValue::from(secs));
        return Ok(res);
    }
    let admin = store::admins::by_email(&state.db, &email).await?;
    let hash = admin.as_ref().map(|a| a.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
    let password = form.password;
    let verified = web::block(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .map_err(|_| PageError::Internal)?;
    match admin.filter(|_| verified) {
        Some(admin) => {
            for (key, _) in &keys {
                throttle::forgive(&state.db, key, window, now).await?;
            }
            let mut res = HttpResponse::SeeOther();
            res.insert_header(("Location", local_next(&form.next).to_string()));
            open_session(&state, &admin, "signin", res).await
        }
        None => {
            // The failure was counted before the password was checked.
            store::audit::record(
                &state.db,
                "anonymous",
                "signin.failed",
                "admin",
                "",
                serde_json::json!({"email": email}),
            )
            .await?;
            Ok(login_page(
                &state,
                StatusCode::UNAUTHORIZED,
                &email,
                &form.next,
                Some("That email and password do not match an admin."),
            ))
        }
    }
}

/// Starts a session for `admin` (audited as `action`) and finishes `res`
/// with its cookie: how every way of signing in ends.
pub(super) async fn open_session(
    state: &AppState,
    admin: &crate::entities::admin_user::Model,
    action: &str,
    mut res: actix_web::HttpResponseBuilder,
) -> Result<HttpResponse, PageError> {
    let id = store::sessions::start(&state.db, &admin.admin_id, Utc::now()).await?;
    let actor = format!("admin:{}", admin.email);
    store::audit::record(&state.db, &actor, action, "admin", &admin.admin_id, serde_json::json!({})).await?;
    Ok(res.cookie(session::cookie(state, &id)).finish())
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    csrf: Option<String>,
}

pub async fn logout(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    store::sessions::end(&state.db, &signed.id).await?;
    store::audit::record(
        &state.db,
        &signed.actor(),
        "signout",
        "admin",
        &signed.session.admin.admin_id,
        serde_json::json!({}),
    )
    .await?;
    Ok(HttpResponse::SeeOther().cookie(session::removal(&state)).insert_header(("Location", "/admin/login")).finish())
}

#[cfg(test)]
mod tests {
    use super::local_next;

    #[test]
    fn next_is_a_local_path_only() {
        assert_eq!(local_next("/admin/friction?status=new"), "/admin/friction?status=new");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""] {
            assert_eq!(local_next(bad), "/admin", "{bad}");
        }
    }
}
