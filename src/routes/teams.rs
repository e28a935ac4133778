//! `/api/v1/teams`: teams and their members.

use super::extract::{Admin, ApiJson, Authed, ListOf, PageQuery};
use crate::domain::{Email, Lang, TeamKind};
use crate::entities::{member, team};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::store::{
    self,
    teams::{Added, Joining, NewTeam, TeamRow},
};
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_teams)
        .service(create_team)
        .service(get_team)
        .service(list_members)
        .service(add_member)
        .service(update_member)
        .service(deactivate_member);
}

/// A team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamOut {
    pub team_id: String,
    pub slug: String,
    pub name: String,
    pub group_name: Option<String>,
    pub kind: TeamKind,
    /// Active members.
    pub members: i64,
    pub created_at: DateTime<Utc>,
}

impl TeamOut {
    fn new(team: team::Model, members: i64) -> Self {
        TeamOut {
            kind: team.kind,
            team_id: team.team_id,
            slug: team.slug,
            name: team.name,
            group_name: team.group_name,
            members,
            created_at: team.created_at,
        }
    }
}

impl From<TeamRow> for TeamOut {
    fn from(r: TeamRow) -> Self {
        TeamOut::new(r.team, r.members)
    }
}

/// A new team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamIn {
    /// Lowercase letters, digits, `-` and `_`.
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")]
    pub slug: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Department, tribe or other grouping.
    #[schema(max_length = 200)]
    pub group_name: Option<String>,
    /// Team Topologies kind; `stream-aligned` when absent.
    #[schema(value_type = Option<TeamKind>)]
    pub kind: Option<String>,
}

impl TeamIn {
    fn parse(self) -> Result<NewTeam, ApiError> {
        Ok(NewTeam::parse(&self.slug, &self.name, self.group_name.as_deref(), self.kind.as_deref())?)
    }
}

/// A member of a team. Their personal link is only ever sent to them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub member_id: String,
    pub email: String,
    pub team: String,
    pub active: bool,
    /// A team lead reads their team's results.
    pub lead: bool,
    /// The language of their pages and emails; null: the organisation's default.
    pub lang: Option<Lang>,
    pub created_at: DateTime<Utc>,
}

impl MemberOut {
    pub(super) fn new(m: member::Model, team_slug: &str) -> Self {
        MemberOut {
            member_id: m.member_id,
            email: m.email,
            team: team_slug.to_string(),
            active: m.active,
            lead: m.lead,
            lang: m.lang,
            created_at: m.created_at,
        }
    }
}

/// A new member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// A team lead (default false).
    pub lead: Option<bool>,
    /// `en` or `de`; absent: the organisation's default (`DEVPULSE_DEFAULT_LANG`).
    #[schema(value_type = Option<Lang>)]
    pub lang: Option<String>,
}

/// A change to a member: any of these.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub lead: Option<bool>,
    /// `false` deactivates (like DELETE), `true` reactivates.
    pub active: Option<bool>,
    /// `en` or `de`; null goes back to the organisation's default.
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<Lang>)]
    pub lang: Option<Option<String>>,
}

/// List teams, by slug.
#[utoipa::path(
    tag = "teams",
    params(PageQuery),
    security(("api_token" = [])),
    responses((status = 200, body = ListOf<TeamOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
#[get("/teams")]
async fn list_teams(state: web::Data<AppState>, _: Admin, q: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let page = store::teams::list(&state.db, &q.parse()?).await?;
    Ok(HttpResponse::Ok().json(ListOf::from_page(page, TeamOut::from)))
}

/// Create a team.
#[utoipa::path(
    tag = "teams",
    request_body = TeamIn,
    security(("api_token" = [])),
    responses(
        (status = 201, body = TeamOut),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
#[post("/teams")]
async fn create_team(
    state: web::Data<AppState>,
    authed: Authed<Admin, ApiJson<TeamIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let new = body.0.parse()?;
    let team = store::teams::create(&state.db, &admin.actor, new).await?;
    Ok(HttpResponse::Created().json(TeamOut::new(team, 0)))
}

/// One team.
#[utoipa::path(
    tag = "teams",
    security(("api_token" = [])),
    responses((status = 200, body = TeamOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/teams/{slug}")]
async fn get_team(state: web::Data<AppState>, _: Admin, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let row = store::teams::get(&state.db, &slug).await?;
    Ok(HttpResponse::Ok().json(TeamOut::from(row)))
}

/// The members of a team (active and deactivated), by email.
#[utoipa::path(
    tag = "teams",
    params(PageQuery),
    security(("api_token" = [])),
    responses((status = 200, body = ListOf<MemberOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/teams/{slug}/members")]
async fn list_members(
    state: web::Data<AppState>,
    _: Admin,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = store::teams::members(&state.db, &slug, &q.parse()?).await?;
    Ok(HttpResponse::Ok().json(ListOf::from_page(page, |m| MemberOut::new(m, &slug))))
}

/// Add a member; they get a welcome email with their personal page link.
/// A deactivated member with the same email is reactivated in this team (200).
#[utoipa::path(
    tag = "teams",
    request_body = MemberIn,
    security(("api_token" = [])),
    responses(
        (status = 201, body = MemberOut, description = "added"),
        (status = 200, body = MemberOut, description = "reactivated"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
#[post("/teams/{slug}/members")]
async fn add_member(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    authed: Authed<Admin, ApiJson<MemberIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let email = Email::parse("email", &body.0.email)?;
    let lang = body.0.lang.as_deref().map(|l| Lang::parse("lang", l)).transpose()?;
    let joining = Joining { lead: body.0.lead.unwrap_or(false), lang };
    let added = store::teams::add_member(&state.db, &state.emails, &admin.actor, &slug, &email, joining).await?;
    Ok(match added {
        Added::Created(m) => HttpResponse::Created().json(MemberOut::new(m, &slug)),
        Added::Reactivated(m) => HttpResponse::Ok().json(MemberOut::new(m, &slug)),
    })
}

/// Change a member: lead, active, lang.
#[utoipa::path(
    tag = "teams",
    request_body = MemberPatch,
    security(("api_token" = [])),
    responses((status = 200, body = MemberOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody))
)]
#[patch("/teams/{slug}/members/{email}")]
async fn update_member(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    authed: Authed<Admin, ApiJson<MemberPatch>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let (slug, email) = path.into_inner();
    let email = Email::parse("email", &email)
        .map_err(|_| ApiError::NotFound(format!("{email:?} is not a member of team {slug:?}")))?;
    let b = body.0;
    let lang = b.lang.map(|l| l.as_deref().map(|l| Lang::parse("lang", l)).transpose()).transpose()?;
    let change = store::teams::MemberChange { lead: b.lead, active: b.active, lang };
    let m = store::teams::update_member(&state.db, &admin.actor, &slug, &email, change).await?;
    Ok(HttpResponse::Ok().json(MemberOut::new(m, &slug)))
}

/// Deactivate a member: no more invitations, and their personal link stops working.
#[utoipa::path(
    tag = "teams",
    security(("api_token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[delete("/teams/{slug}/members/{email}")]
async fn deactivate_member(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, email) = path.into_inner();
    let email = Email::parse("email", &email)
        .map_err(|_| ApiError::NotFound(format!("{email:?} is not a member of team {slug:?}")))?;
    store::teams::deactivate_member(&state.db, &admin.actor, &slug, &email).await?;
    Ok(HttpResponse::NoContent().finish())
}
