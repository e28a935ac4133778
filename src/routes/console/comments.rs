//! `/admin/cycles/{id}/comments`: the free-text answers of a closed cycle
//! under the comment rules of analysis.md, scope by scope; an admin hides a
//! comment that names someone (recorded in the audit log).

use super::session::Signed;
use crate::error::PageError;
use crate::insights;
use crate::routes::figures;
use crate::state::AppState;
use crate::store;
use actix_web::{HttpResponse, http::StatusCode, web};
use analysis::Scope;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ScopeQuery {
    scope: Option<String>,
}

fn scope_of(s: Option<&str>) -> Result<Scope, PageError> {
    Scope::parse(s.filter(|s| !s.is_empty()).unwrap_or("org"))
        .map_err(|_| crate::domain::FieldError::new("scope", "must be org, group:NAME or team:SLUG").into())
}

/// A scope's label in the picker: `Group: Payments`, `Team: checkout`.
fn label(scope: &str) -> String {
    match scope.split_once(':') {
        Some(("group", g)) => format!("Group: {g}"),
        Some(("team", t)) => format!("Team: {t}"),
        _ => "The whole organisation".to_string(),
    }
}

pub async fn page(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    q: web::Query<ScopeQuery>,
) -> Result<HttpResponse, PageError> {
    let scope = scope_of(q.scope.as_deref())?;
    let (current, all, cycle) = insights::comments(&state, &id, scope, true).await?;
    let kc = state.config.comment_k();
    let scopes: Vec<(String, String, Option<String>)> = all
        .iter()
        .map(|s| {
            let note = match s.responses {
                Some(n) => Some(format!("{n} responses")),
                None => Some("hidden".to_string()),
            };
            (s.scope.clone(), label(&s.scope), note)
        })
        .collect();
    let mut ctx = super::context(&signed, "/admin/results");
    ctx.insert("cycle", &super::cycle_view(&state, &cycle).await?);
    ctx.insert("why", &figures::why(current.reason, kc));
    ctx.insert("current", &current);
    ctx.insert("scopes", &scopes);
    ctx.insert("comment_k", &kc);
    Ok(state.pages.page(StatusCode::OK, "console/comments.html", ctx))
}

#[derive(Debug, Deserialize)]
pub struct HideForm {
    csrf: Option<String>,
    hidden: String,
    scope: Option<String>,
}

pub async fn set_hidden(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<(String, String)>,
    form: web::Form<HideForm>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let (cycle_id, comment_id) = path.into_inner();
    let hidden = match form.hidden.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(crate::domain::FieldError::new("hidden", "must be yes or no").into()),
    };
    let scope = scope_of(form.scope.as_deref())?;
    store::comments::set_hidden(&state.db, &signed.actor(), &cycle_id, &comment_id, hidden).await?;
    let back = format!(
        "/admin/cycles/{}/comments?scope={}",
        super::results::url_encode(&cycle_id),
        super::results::url_encode(&scope.label())
    );
    Ok(HttpResponse::SeeOther().insert_header(("Location", back)).finish())
}
