//! `/admin/friction`: the triage inbox (filters, order by cost, several
//! reports at once) and a report's page (its details, a change form, and its
//! history from the audit log). Changes go through the same store functions
//! as the API, so audit entries and follow-up emails are the same.

use super::session::Signed;
use crate::domain::FrictionStatus;
use crate::entities::friction_report;
use crate::error::PageError;
use crate::state::AppState;
use crate::store::friction::{self, Change, Filter, Order};
use crate::store::{self, PageParams};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct InboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    order: String,
    /// How many reports to show (more with "show more").
    limit: Option<u64>,
}

#[derive(Serialize)]
struct Row {
    report_id: String,
    title: String,
    area: String,
    team: String,
    status: String,
    severity: i32,
    me_too: i32,
    hours: String,
    created_on: String,
    merged: bool,
}

fn rows(
    reports: &[friction_report::Model],
    areas: &HashMap<String, String>,
    teams: &HashMap<String, String>,
) -> Vec<Row> {
    reports
        .iter()
        .map(|r| Row {
            report_id: r.report_id.clone(),
            title: r.title.clone(),
            area: areas.get(&r.area_id).cloned().unwrap_or_else(|| r.area_id.clone()),
            team: r.team_id.as_ref().and_then(|t| teams.get(t).cloned()).unwrap_or_default(),
            status: r.status.human(),
            severity: r.severity,
            me_too: r.me_too,
            hours: super::hours(friction::weekly_hours(r)),
            created_on: r.created_on.format("%-d %b %Y").to_string(),
            merged: r.duplicate_of.is_some(),
        })
        .collect()
}

/// Choices of the filter and change forms: statuses, areas, teams, roadmap items.
async fn choices(state: &AppState, ctx: &mut tera::Context) -> Result<HashMap<String, String>, PageError> {
    let areas = store::areas::all(&state.db).await?;
    let names: HashMap<String, String> = areas.iter().map(|a| (a.area_id.clone(), a.name.clone())).collect();
    let statuses: Vec<(&str, String)> = FrictionStatus::ALL.iter().map(|s| (s.as_str(), s.human())).collect();
    ctx.insert("statuses", &statuses);
    ctx.insert("areas", &areas.iter().map(|a| (a.area_id.clone(), a.name.clone())).collect::<Vec<_>>());
    ctx.insert("teams", &store::teams::all(&state.db).await?.into_iter().map(|t| (t.slug, t.name)).collect::<Vec<_>>());
    let items = store::roadmap::all(&state.db).await?;
    ctx.insert("roadmap", &items.into_iter().map(|i| (i.item_id, i.title)).collect::<Vec<_>>());
    Ok(names)
}

/// A triage entry's changes for people: `status: new → triaged`, with areas
/// and roadmap items by name and reports by title rather than by id.
fn readable(detail: &str, names: &HashMap<String, String>) -> String {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(detail) else {
        return detail.to_string();
    };
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "none".to_string(),
        serde_json::Value::String(s) => names.get(s).cloned().unwrap_or_else(|| s.replace('_', " ")),
        other => other.to_string(),
    };
    fields
        .iter()
        .map(|(k, v)| match v.as_array().map(Vec::as_slice) {
            Some([before, after]) => {
                format!("{}: {} → {}", k.trim_end_matches("_id").replace('_', " "), show(before), show(after))
            }
            _ => format!("{}: {}", k.replace('_', " "), show(v)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn inbox(
    state: web::Data<AppState>,
    signed: Signed,
    q: web::Query<InboxQuery>,
) -> Result<HttpResponse, PageError> {
    let q = q.into_inner();
    let mut ctx = super::context(&signed, "/admin/friction");
    let areas = choices(&state, &mut ctx).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let filter = Filter::parse(&state.db, Some(&q.status), Some(&q.area_id), Some(&q.team), Some(&q.q), Some(&q.since));
    let (filter, order) = match (filter.await, Order::parse(Some(&q.order))) {
        (Ok(f), Ok(o)) => (f, o),
        (Err(store::StoreError::Invalid(e)), _) | (_, Err(e)) => {
            ctx.insert("problem", &e.message);
            (Filter::default(), Order::Newest)
        }
        (Err(e), _) => return Err(e.into()),
    };
    let page = friction::list(&state.db, &filter, order, &PageParams { limit, after: None }).await?;
    let teams: HashMap<String, String> = friction::team_slugs(&state.db, &page.items).await?;
    ctx.insert("rows", &rows(&page.items, &areas, &teams));
    ctx.insert("more", &page.next_after.is_some().then(|| limit * 2));
    ctx.insert("q", &q);
    Ok(state.pages.page(StatusCode::OK, "console/friction.html", ctx))
}

#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    csrf: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    severity: String,
    /// A roadmap item id; `none` unlinks; blank leaves it.
    #[serde(default)]
    roadmap_item_id: String,
    /// Merge into this report id; blank leaves it.
    #[serde(default)]
    duplicate_of: String,
    /// Where to go afterwards (the inbox with its filters, or the report).
    #[serde(default)]
    back: String,
}

impl ChangeForm {
    /// The change it asks for (blank fields change nothing).
    fn change(&self) -> Result<Change, crate::domain::FieldError> {
        let given = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
        Ok(Change {
            status: given(&self.status).map(|s| FrictionStatus::parse("status", &s)).transpose()?,
            area_id: given(&self.area_id),
            severity: given(&self.severity)
                .map(|s| s.parse::<i64>().map_err(|_| crate::domain::FieldError::new("severity", "choose 1 to 4")))
                .transpose()?
                .map(|s| friction::severity("severity", s))
                .transpose()?,
            roadmap_item_id: given(&self.roadmap_item_id).map(|r| (r != "none").then_some(r)),
            duplicate_of: given(&self.duplicate_of).map(Some),
        })
    }
}

fn back_to(form: &ChangeForm, fallback: &str) -> String {
    let back = super::auth::local_next(&form.back);
    if back.starts_with("/admin/friction") { back.to_string() } else { fallback.to_string() }
}

/// Applies one change to several reports (the inbox's checkboxes); each is
/// audited and followed up on its own.
pub async fn bulk(state: web::Data<AppState>, signed: Signed, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = ChangeForm {
        csrf: Some(get("csrf")),
        status: get("status"),
        roadmap_item_id: get("roadmap_item_id"),
        back: get("back"),
        ..Default::default()
    };
    signed.check_form(form.csrf.as_deref())?;
    let ids: Vec<&String> = pairs.iter().filter(|(k, _)| k == "ids").map(|(_, v)| v).collect();
    let change = form.change()?;
    let notify = state.notify();
    for id in &ids {
        friction::change(&state.db, &notify, &signed.actor(), id, change.clone()).await?;
    }
    let back = back_to(&form, "/admin/friction");
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(HttpResponse::SeeOther().insert_header(("Location", format!("{back}{sep}changed={}", ids.len()))).finish())
}

#[derive(Serialize)]
struct HistoryEntry {
    at: String,
    actor: String,
    action: String,
    detail: String,
}

async fn report_page(
    state: &AppState,
    signed: &Signed,
    id: &str,
    problem: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let r = friction::get(&state.db, id).await?;
    let mut ctx = super::context(signed, "/admin/friction");
    let areas = choices(state, &mut ctx).await?;
    let teams = friction::team_slugs(&state.db, std::slice::from_ref(&r)).await?;
    let mut names = areas.clone();
    names.extend(store::roadmap::all(&state.db).await?.into_iter().map(|i| (i.item_id, i.title)));
    let history: Vec<HistoryEntry> = store::audit::for_entity(&state.db, "friction_report", id)
        .await?
        .into_iter()
        .map(|e| HistoryEntry {
            at: e.at.format("%-d %b %Y %H:%M UTC").to_string(),
            actor: e.actor,
            action: e.action,
            detail: readable(&e.detail, &names),
        })
        .collect();
    ctx.insert("row", &rows(std::slice::from_ref(&r), &areas, &teams).remove(0));
    ctx.insert(
        "report",
        &serde_json::json!({
            "trying_to": r.trying_to, "blocked_by": r.blocked_by, "expected": r.expected,
            "minutes_lost": r.minutes_lost, "frequency": r.frequency.human(), "status": r.status.as_str(),
            "area_id": r.area_id, "roadmap_item_id": r.roadmap_item_id, "duplicate_of": r.duplicate_of,
            "follow_up": r.follow_up,
        }),
    );
    ctx.insert("history", &history);
    ctx.insert("problem", &problem);
    Ok(state.pages.page(status, "console/friction_report.html", ctx))
}

pub async fn report(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    report_page(&state, &signed, &id, None, StatusCode::OK).await
}

pub async fn change(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let result = match form.change() {
        Ok(change) => {
            friction::change(&state.db, &state.notify(), &signed.actor(), &id, change).await.map_err(PageError::from)
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => {
            Ok(HttpResponse::SeeOther().insert_header(("Location", format!("/admin/friction/{id}?changed=1"))).finish())
        }
        Err(PageError::Invalid(e)) => {
            report_page(
                &state,
                &signed,
                &id,
                Some(&format!("{}: {}", e.field, e.message)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
