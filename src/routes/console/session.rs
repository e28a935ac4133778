//! The console's session: the cookie (its rules from console.md), the
//! `Signed` extractor every console page takes, and the form token check.

use crate::error::PageError;
use crate::state::AppState;
use crate::store::StoreResult;
use crate::store::sessions::{self, Session};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use std::{future::Future, pin::Pin};

/// The session cookie's name: with the `__Host-` prefix (and `Secure`) when
/// the public address is https.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.is_https() { "__Host-devpulse_session" } else { "devpulse_session" }
}

/// The cookie that carries session `id`: HttpOnly, SameSite=Lax, whole site.
pub fn cookie(state: &AppState, id: &str) -> Cookie<'static> {
    Cookie::build(cookie_name(state), id.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.is_https())
        .finish()
}

/// The cookie that removes the session cookie from the browser.
pub fn removal(state: &AppState) -> Cookie<'static> {
    let mut c = cookie(state, "");
    c.make_removal();
    c
}

/// The session a request carries, if it is live.
pub async fn of_request(state: &AppState, req: &HttpRequest) -> StoreResult<Option<(Session, String)>> {
    let Some(id) = req.cookie(cookie_name(state)).map(|c| c.value().to_string()) else { return Ok(None) };
    Ok(sessions::find(&state.db, &id, chrono::Utc::now()).await?.map(|s| (s, id)))
}

/// A signed-in admin. Without a live session a page answers 303 to the
/// sign-in page, which comes back here afterwards.
pub struct Signed {
    pub session: Session,
    /// The cookie's value (to end this session at sign-out).
    pub id: String,
}

impl Signed {
    /// Who acts, for the audit log.
    pub fn actor(&self) -> String {
        format!("admin:{}", self.session.admin.email)
    }

    /// Checks the per-session token a console form carries (with the
    /// `Sec-Fetch-Site`/`Origin` check of [`crate::security::csrf`], the
    /// defence against cross-site requests).
    pub fn check_form(&self, token: Option<&str>) -> Result<(), PageError> {
        let ok = token.is_some_and(|t| {
            use subtle::ConstantTimeEq;
            t.as_bytes().ct_eq(self.session.csrf_token.as_bytes()).into()
        });
        if ok {
            Ok(())
        } else {
            Err(PageError::Forbidden("This form has expired: reload the page and try again.".into()))
        }
    }
}

impl FromRequest for Signed {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req.app_data::<web::Data<AppState>>().cloned().ok_or(PageError::Internal)?;
            match of_request(&state, &req).await? {
                Some((session, id)) => Ok(Signed { session, id }),
                None => Err(PageError::SignIn {
                    next: req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default(),
                }),
            }
        })
    }
}
