//! Signing in to the console through the organisation's OpenID provider
//! (`crate::sso`): `/admin/sso/start` sends the browser there with a fresh
//! `state`, `nonce` and PKCE challenge; `/admin/sso/callback` takes that
//! sign-in once, checks that the browser is the one that started it (a
//! cookie holding the state), exchanges the code and checks the ID token.

use super::auth::local_next;
use crate::error::PageError;
use crate::sso::SsoError;
use crate::state::AppState;
use crate::store;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::Utc;
use serde::Deserialize;
use tera::Context;

/// The cookie that ties a callback to the browser that started the sign-in.
const COOKIE: &str = "devpulse_sso";

#[derive(Debug, Default, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// The provider's answer. Not `deny_unknown_fields`: providers add `iss`,
/// `session_state` and the like.
#[derive(Debug, Default, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn state_cookie(state: &AppState, value: &str) -> Cookie<'static> {
    Cookie::build(COOKIE, value.to_string())
        .path("/admin/sso")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.is_https())
        .max_age(actix_web::cookie::time::Duration::seconds(store::sso::TTL.num_seconds()))
        .finish()
}

/// The sign-in page again, with why single sign-on did not work.
fn refused(state: &AppState, status: StatusCode, message: &str) -> HttpResponse {
    let mut ctx = Context::new();
    ctx.insert("email", "");
    ctx.insert("next", "/admin");
    ctx.insert("message", &Some(message));
    ctx.insert("sso", &state.sso.is_some());
    let mut removal = state_cookie(state, "");
    removal.make_removal();
    let mut res = crate::pages::render(status, "console/login.html", ctx, None);
    let _ = res.add_cookie(&removal);
    res
}

pub async fn start(state: web::Data<AppState>, q: web::Query<StartQuery>) -> Result<HttpResponse, PageError> {
    let Some(sso) = &state.sso else { return Err(PageError::NotFound("Single sign-on is not set up.".into())) };
    let started = match sso.start().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on could not start");
            let message = "The identity provider cannot be reached just now. Try again in a minute, or sign in with your password.";
            return Ok(refused(&state, StatusCode::BAD_GATEWAY, message));
        }
    };
    let next = local_next(q.next.as_deref().unwrap_or("/admin")).to_string();
    let pending = store::sso::Pending { nonce: started.nonce, pkce_verifier: started.pkce_verifier, next };
    store::sso::begin(&state.db, &started.state, pending, Utc::now()).await?;
    Ok(HttpResponse::SeeOther()
        .cookie(state_cookie(&state, &started.state))
        .insert_header(("Location", started.url))
        .finish())
}

pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Callback>,
) -> Result<HttpResponse, PageError> {
    let Some(sso) = &state.sso else { return Err(PageError::NotFound("Single sign-on is not set up.".into())) };
    let again = "Start again from the sign-in page.";
    let Some(given) = q.state.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(refused(
            &state,
            StatusCode::BAD_REQUEST,
            &format!("The sign-in came back without its state. {again}"),
        ));
    };
    // The browser that started this sign-in holds its state; another one (a
    // link someone was sent) does not.
    if req.cookie(COOKIE).map(|c| c.value().to_string()).as_deref() != Some(given) {
        let message = format!("This sign-in was started in another browser or has expired. {again}");
        return Ok(refused(&state, StatusCode::BAD_REQUEST, &message));
    }
    let Some(pending) = store::sso::take(&state.db, given, Utc::now()).await? else {
        let message = format!("This sign-in was already used or has expired. {again}");
        return Ok(refused(&state, StatusCode::BAD_REQUEST, &message));
    };
    if let Some(error) = &q.error {
        let detail = q.error_description.as_deref().unwrap_or(error);
        return Ok(refused(&state, StatusCode::FORBIDDEN, &format!("The identity provider said: {detail}")));
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(refused(&state, StatusCode::BAD_REQUEST, &format!("The sign-in came back without a code. {again}")));
    };
    let email = match sso.finish(code, &pending.nonce, &pending.pkce_verifier).await {
        Ok(email) => email,
        Err(e) => {
            let status = match e {
                SsoError::Provider(_) => StatusCode::BAD_GATEWAY,
                SsoError::Refused(_) => StatusCode::FORBIDDEN,
            };
            store::audit::record(
                &state.db,
                "anonymous",
                "signin.sso_refused",
                "admin",
                "",
                serde_json::json!({"why": e.to_string()}),
            )
            .await?;
            return Ok(refused(&state, status, &format!("Single sign-on refused: {e}")));
        }
    };
    let admin = store::admins::sso_admin(&state.db, &email).await?;
    let mut removal = state_cookie(&state, "");
    removal.make_removal();
    let mut res = HttpResponse::SeeOther();
    res.cookie(removal).insert_header(("Location", pending.next));
    super::auth::open_session(&state, &admin, "signin.sso", res).await
}
