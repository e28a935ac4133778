//! `/api/v1/friction`: filing (member or API token), me-too (member token),
//! and triage (API token).

use super::extract::{Admin, ApiJson, Authed, Caller, ListOf, MemberAuth, PageQuery};
use crate::domain::{FieldError, Frequency, FrictionStatus};
use crate::entities::friction_report;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::store::friction::{self, Change, Filter, NewReport, Order, RawReport, Reporter};
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(file_report).service(list_reports).service(get_report).service(change_report).service(me_too);
}

/// A friction report. The reporter's identity is never shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrictionOut {
    pub report_id: String,
    pub area_id: String,
    pub title: String,
    pub trying_to: String,
    pub blocked_by: String,
    pub expected: Option<String>,
    pub minutes_lost: i32,
    pub frequency: Frequency,
    /// 1 papercut .. 4 blocker.
    pub severity: i32,
    pub status: FrictionStatus,
    pub me_too: i32,
    /// Team slug, when known.
    pub team: Option<String>,
    /// Whether the reporter asked for follow-up emails.
    pub follow_up: bool,
    pub roadmap_item_id: Option<String>,
    pub duplicate_of: Option<String>,
    pub created_on: NaiveDate,
    pub resolved_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
    /// minutes_lost / 60 × occurrences per week × (1 + me_too).
    pub weekly_hours: f64,
}

impl FrictionOut {
    pub fn new(r: friction_report::Model, slugs: &HashMap<String, String>) -> Self {
        FrictionOut {
            weekly_hours: friction::weekly_hours(&r),
            frequency: r.frequency,
            status: r.status,
            team: r.team_id.as_ref().and_then(|t| slugs.get(t).cloned()),
            report_id: r.report_id,
            area_id: r.area_id,
            title: r.title,
            trying_to: r.trying_to,
            blocked_by: r.blocked_by,
            expected: r.expected,
            minutes_lost: r.minutes_lost,
            severity: r.severity,
            me_too: r.me_too,
            follow_up: r.follow_up,
            roadmap_item_id: r.roadmap_item_id,
            duplicate_of: r.duplicate_of,
            created_on: r.created_on,
            resolved_on: r.resolved_on,
            updated_at: r.updated_at,
        }
    }
}

/// A new friction report. Defaults: minutes_lost 30, frequency weekly, severity 2, follow_up false.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrictionIn {
    /// An area's id (`GET /api/v1/areas`).
    #[schema(min_length = 1, max_length = 64)]
    pub area_id: String,
    /// One line: what got in the way.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// What you were trying to do.
    #[schema(min_length = 1, max_length = 2000)]
    pub trying_to: String,
    /// What got in the way.
    #[schema(min_length = 1, max_length = 2000)]
    pub blocked_by: String,
    /// What you expected instead.
    #[schema(max_length = 2000)]
    pub expected: Option<String>,
    /// Minutes lost each time (1 to 10080, a week).
    #[schema(minimum = 1, maximum = 10080)]
    pub minutes_lost: Option<i64>,
    #[schema(value_type = Option<Frequency>)]
    pub frequency: Option<String>,
    /// 1 papercut, 2 annoying, 3 painful, 4 blocker.
    #[schema(minimum = 1, maximum = 4)]
    pub severity: Option<i64>,
    /// Email me when this changes (member token only).
    pub follow_up: Option<bool>,
    /// Team slug, for reports filed with an API token.
    pub team: Option<String>,
}

/// Counts one friction report against the member's hourly limit; refuses
/// with 429 (and the seconds until the next hour) past it. Keyed by member,
/// so many people behind one office address are never limited together; and
/// counted in the database, so every instance counts against the same limit.
/// The member's hourly friction limit, now.
pub(super) fn limit(state: &AppState) -> friction::HourlyLimit<'_> {
    friction::HourlyLimit { secret: &state.secret_key, per_hour: state.config.friction_per_hour, now: Utc::now() }
}

impl FrictionIn {
    /// The report, or its first problem.
    pub fn parse(self) -> Result<NewReport, FieldError> {
        NewReport::parse(&RawReport {
            area_id: &self.area_id,
            title: &self.title,
            trying_to: &self.trying_to,
            blocked_by: &self.blocked_by,
            expected: self.expected.as_deref(),
            minutes_lost: self.minutes_lost,
            frequency: self.frequency.as_deref(),
            severity: self.severity,
            follow_up: self.follow_up.unwrap_or(false),
        })
        .map_err(|mut problems| problems.remove(0))
    }
}

/// File a friction report with a member token (attributed to the member's team) or an API token.
#[utoipa::path(tag = "friction", request_body = FrictionIn, security(("member_token" = []), ("api_token" = [])),
    responses((status = 201, body = FrictionOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "too many reports from one member; see Retry-After")))]
#[post("/friction")]
async fn file_report(
    state: web::Data<AppState>,
    authed: Authed<Caller, ApiJson<FrictionIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(caller, body) = authed;
    let team_slug = body.0.team.clone();
    let new = body.0.parse()?;
    let reporter = match caller {
        Caller::Member(m) => {
            if team_slug.is_some() {
                return Err(ApiError::invalid("team", "a member's report goes to their own team"));
            }
            Reporter::Member(m)
        }
        Caller::Admin(a) => {
            let team = match team_slug {
                Some(slug) => Some(crate::store::teams::known(&state.db, "team", &slug).await?),
                None => None,
            };
            Reporter::Admin { actor: a.actor, team }
        }
    };
    let r = friction::file(&state.db, &state.write_gate, &reporter, new, state.config.today(), &limit(&state)).await?;
    let slugs = friction::team_slugs(&state.db, std::slice::from_ref(&r)).await?;
    Ok(HttpResponse::Created().json(FrictionOut::new(r, &slugs)))
}

/// Filters of the triage list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FrictionQuery {
    #[param(value_type = Option<FrictionStatus>)]
    pub status: Option<String>,
    pub area_id: Option<String>,
    /// Team slug.
    pub team: Option<String>,
    /// Text search in title, trying_to, blocked_by and expected.
    pub q: Option<String>,
    /// `YYYY-MM-DD`: created on or after.
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub since: Option<String>,
    /// `newest` (default) or `cost` (hours lost per week, highest first).
    #[param(pattern = "^(newest|cost)?$")]
    pub order: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The triage list: filtered, newest first or by cost.
#[utoipa::path(tag = "friction", params(FrictionQuery), security(("api_token" = [])),
    responses((status = 200, body = ListOf<FrictionOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/friction")]
async fn list_reports(
    state: web::Data<AppState>,
    _: Admin,
    q: web::Query<FrictionQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = PageQuery { limit: q.limit, cursor: q.cursor }.parse()?;
    let filter = Filter::parse(
        &state.db,
        q.status.as_deref(),
        q.area_id.as_deref(),
        q.team.as_deref(),
        q.q.as_deref(),
        q.since.as_deref(),
    )
    .await?;
    let order = Order::parse(q.order.as_deref())?;
    let page = friction::list(&state.db, &filter, order, &page).await?;
    let slugs = friction::team_slugs(&state.db, &page.items).await?;
    Ok(HttpResponse::Ok().json(ListOf::from_page(page, |r| FrictionOut::new(r, &slugs))))
}

/// One report.
#[utoipa::path(tag = "friction", security(("api_token" = [])),
    responses((status = 200, body = FrictionOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/friction/{id}")]
async fn get_report(state: web::Data<AppState>, _: Admin, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let r = friction::get(&state.db, &id).await?;
    let slugs = friction::team_slugs(&state.db, std::slice::from_ref(&r)).await?;
    Ok(HttpResponse::Ok().json(FrictionOut::new(r, &slugs)))
}

/// A triage change: any of these fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrictionPatch {
    #[schema(value_type = Option<FrictionStatus>)]
    pub status: Option<String>,
    #[schema(min_length = 1, max_length = 64)]
    pub area_id: Option<String>,
    #[schema(minimum = 1, maximum = 4)]
    pub severity: Option<i64>,
    /// A roadmap item id, or null to unlink.
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub roadmap_item_id: Option<Option<String>>,
    /// The original report's id, or null to undo a merge.
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub duplicate_of: Option<Option<String>>,
}

/// Triage a report: status, area, severity, roadmap link, duplicate-of. A status change or a new roadmap
/// link emails a reporter who asked for follow-up. Every change goes to the audit log.
#[utoipa::path(tag = "friction", request_body = FrictionPatch, security(("api_token" = [])),
    responses((status = 200, body = FrictionOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/friction/{id}")]
async fn change_report(
    state: web::Data<AppState>,
    id: web::Path<String>,
    authed: Authed<Admin, ApiJson<FrictionPatch>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let p = body.0;
    let change = Change {
        status: p.status.as_deref().map(|s| FrictionStatus::parse("status", s)).transpose()?,
        area_id: p.area_id,
        severity: p.severity.map(|s| friction::severity("severity", s)).transpose()?,
        roadmap_item_id: p.roadmap_item_id,
        duplicate_of: p.duplicate_of,
    };
    let r = friction::change(&state.db, &state.notify(), &admin.actor, &id, change).await?;
    let slugs = friction::team_slugs(&state.db, std::slice::from_ref(&r)).await?;
    Ok(HttpResponse::Ok().json(FrictionOut::new(r, &slugs)))
}

/// Say "me too" (member token): once per member and report; a merged duplicate counts on its original.
#[utoipa::path(tag = "friction", security(("member_token" = [])),
    responses((status = 200, body = FrictionOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/friction/{id}/me-too")]
async fn me_too(
    state: web::Data<AppState>,
    member: MemberAuth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = friction::me_too(&state.db, &state.write_gate, &member.0, &id).await?;
    let slugs = friction::team_slugs(&state.db, std::slice::from_ref(&r)).await?;
    Ok(HttpResponse::Ok().json(FrictionOut::new(r, &slugs)))
}
