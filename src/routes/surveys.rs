//! `/api/v1/surveys` and `/api/v1/cycles`: surveys, their cycles and
//! participation.

use super::extract::{Admin, ApiJson, Authed, ListOf, PageQuery};
use crate::domain::CycleStatus;
use crate::domain::{QuestionKind, parse_date};
use crate::entities::{cycle, question};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::store::cycles::{self, Mailing, NewCycle};
use crate::store::survey_import::{self, Imported};
use crate::store::surveys::{self, SurveyFull};
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_surveys)
        .service(create_survey)
        .service(get_survey)
        .service(create_cycle)
        .service(list_cycles)
        .service(get_cycle)
        .service(close_cycle);
}

/// A question of a survey.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionOut {
    pub question_id: String,
    pub position: i32,
    pub kind: QuestionKind,
    pub area_id: Option<String>,
    pub prompt: String,
    pub required: bool,
}

impl From<question::Model> for QuestionOut {
    fn from(q: question::Model) -> Self {
        QuestionOut {
            kind: q.kind,
            question_id: q.question_id,
            position: q.position,
            area_id: q.area_id,
            prompt: q.prompt,
            required: q.required,
        }
    }
}

/// A survey with its ordered questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyOut {
    pub survey_id: String,
    pub title: String,
    pub description: String,
    /// `one_off`, `monthly`, `quarterly` or `every_N_weeks`.
    pub cadence: String,
    pub open_days: i32,
    pub reminder_days: Vec<u32>,
    pub created_at: DateTime<Utc>,
    pub questions: Vec<QuestionOut>,
}

impl From<SurveyFull> for SurveyOut {
    fn from(s: SurveyFull) -> Self {
        let reminder_days = s.reminder_days();
        SurveyOut {
            survey_id: s.survey.survey_id,
            title: s.survey.title,
            description: s.survey.description,
            cadence: s.survey.cadence.to_string(),
            open_days: s.survey.open_days,
            reminder_days,
            created_at: s.survey.created_at,
            questions: s.questions.into_iter().map(QuestionOut::from).collect(),
        }
    }
}

pub use crate::survey_doc::{QuestionIn, SurveyIn};

/// List surveys.
#[utoipa::path(tag = "surveys", params(PageQuery), security(("api_token" = [])),
    responses((status = 200, body = ListOf<SurveyOut>), (status = 401, body = ErrorBody)))]
#[get("/surveys")]
async fn list_surveys(
    state: web::Data<AppState>,
    _: Admin,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = surveys::list(&state.db, &q.parse()?).await?;
    Ok(HttpResponse::Ok().json(ListOf::from_page(page, SurveyOut::from)))
}

/// Create a survey (`{"template": "devex"}` or a custom one), or, with a
/// `survey_id` (a document as `devpulse survey export` writes it), make
/// that survey match the document: 201 when created, 200 when updated or
/// unchanged. A changed question of a survey with answers becomes a new
/// question; changes are refused while a cycle of the survey is open.
#[utoipa::path(tag = "surveys", request_body = SurveyIn, security(("api_token" = [])),
    responses((status = 201, body = SurveyOut), (status = 200, body = SurveyOut), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "cycle_open"), (status = 422, body = ErrorBody)))]
#[post("/surveys")]
async fn create_survey(
    state: web::Data<AppState>,
    authed: Authed<Admin, ApiJson<SurveyIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let parsed = body.0.parse()?;
    let (imported, full) = match parsed.survey_id {
        Some(id) => survey_import::import(&state.db, &admin.actor, &id, parsed.survey).await?,
        None => (Imported::Created, surveys::create(&state.db, &admin.actor, parsed.survey).await?),
    };
    let mut res = match imported {
        Imported::Created => HttpResponse::Created(),
        Imported::Updated | Imported::Unchanged => HttpResponse::Ok(),
    };
    Ok(res.insert_header(("Devpulse-Import", imported.as_str())).json(SurveyOut::from(full)))
}

/// One survey with its questions.
#[utoipa::path(tag = "surveys", security(("api_token" = [])),
    responses((status = 200, body = SurveyOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/surveys/{id}")]
async fn get_survey(state: web::Data<AppState>, _: Admin, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(SurveyOut::from(surveys::get(&state.db, &id).await?)))
}

/// A new cycle of a survey.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleIn {
    /// `YYYY-MM-DD`; today or earlier opens the cycle at once and emails the invitations.
    #[schema(format = Date)]
    pub opens_on: String,
    /// `YYYY-MM-DD`, after opens_on and after today; defaults to opens_on + the survey's open_days.
    #[schema(value_type = Option<String>, format = Date)]
    pub closes_on: Option<String>,
    /// Team slugs; all teams with active members when absent.
    #[schema(min_items = 1)]
    pub teams: Option<Vec<String>>,
}

/// Participation of one team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamParticipationOut {
    pub team: String,
    pub invited: i64,
    pub responded: i64,
    pub rate: f64,
}

/// Participation of a cycle: live while it is open.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipationOut {
    pub invited: i64,
    pub responded: i64,
    /// responded / invited (0 when nobody was invited).
    pub rate: f64,
    /// Teams with at least k responses.
    pub teams: Vec<TeamParticipationOut>,
    /// How many teams are left out because fewer than k of them responded.
    pub hidden_teams: usize,
}

/// A cycle with its participation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CycleOut {
    pub cycle_id: String,
    pub survey_id: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// `scheduled`, `open` or `closed`.
    pub status: String,
    pub teams: Vec<String>,
    pub participation: ParticipationOut,
}

fn rate(responded: i64, invited: i64) -> f64 {
    if invited == 0 { 0.0 } else { responded as f64 / invited as f64 }
}

async fn cycle_out(state: &AppState, c: cycle::Model) -> Result<CycleOut, ApiError> {
    let p = crate::store::participation::participation(&state.db, &c.cycle_id, state.config.anonymity_k).await?;
    Ok(CycleOut {
        teams: cycles::team_slugs(&state.db, &c.cycle_id).await?,
        cycle_id: c.cycle_id,
        survey_id: c.survey_id,
        opens_on: c.opens_on,
        closes_on: c.closes_on,
        status: c.status.to_string(),
        participation: ParticipationOut {
            rate: rate(p.responded, p.invited),
            invited: p.invited,
            responded: p.responded,
            teams: p
                .teams
                .into_iter()
                .map(|t| TeamParticipationOut {
                    rate: rate(t.responded, t.invited),
                    team: t.slug,
                    invited: t.invited,
                    responded: t.responded,
                })
                .collect(),
            hidden_teams: p.hidden_teams,
        },
    })
}

/// Create a cycle; one that opens today or earlier opens at once and its invitations are emailed.
#[utoipa::path(tag = "surveys", request_body = CycleIn, security(("api_token" = [])),
    responses((status = 201, body = CycleOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/surveys/{id}/cycles")]
async fn create_cycle(
    state: web::Data<AppState>,
    id: web::Path<String>,
    authed: Authed<Admin, ApiJson<CycleIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let body = body.0;
    let opens_on = parse_date("opens_on", &body.opens_on)?;
    let closes_on = body.closes_on.as_deref().map(|s| parse_date("closes_on", s)).transpose()?;
    let mailing = Mailing { emails: &state.emails, invitation_key: &state.invitation_key };
    let new = NewCycle { opens_on, closes_on, teams: body.teams };
    let c = cycles::create(&state.db, &mailing, &admin.actor, &id, new, state.config.today()).await?;
    Ok(HttpResponse::Created().json(cycle_out(&state, c).await?))
}

/// Filters of the cycle list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CyclesQuery {
    pub survey_id: Option<String>,
    #[param(value_type = Option<CycleStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The cycles, newest first (of one survey, of one status).
#[utoipa::path(tag = "surveys", params(CyclesQuery), security(("api_token" = [])),
    responses((status = 200, body = ListOf<CycleOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/cycles")]
async fn list_cycles(
    state: web::Data<AppState>,
    _: Admin,
    q: web::Query<CyclesQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = PageQuery { limit: q.limit, cursor: q.cursor }.parse()?;
    let status = q.status.as_deref().filter(|s| !s.is_empty()).map(|s| CycleStatus::parse("status", s)).transpose()?;
    let all = cycles::list(&state.db, q.survey_id.as_deref().filter(|s| !s.is_empty()), status).await?;
    // Keyed by position in the (stable) order: cycles are few.
    let start: usize = page.after.as_deref().and_then(|a| a.parse().ok()).unwrap_or(0);
    let rows: Vec<(usize, cycle::Model)> =
        all.into_iter().enumerate().skip(start).take(page.limit as usize + 1).collect();
    let page = crate::store::Page::from_rows(rows, &page, |(i, _)| (i + 1).to_string());
    let mut items = Vec::new();
    for (_, c) in page.items {
        items.push(cycle_out(&state, c).await?);
    }
    Ok(HttpResponse::Ok().json(ListOf::from_page(crate::store::Page { items, next_after: page.next_after }, |c| c)))
}

/// A cycle with its participation (team rows only where at least k responded).
#[utoipa::path(tag = "surveys", security(("api_token" = [])),
    responses((status = 200, body = CycleOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/cycles/{id}")]
async fn get_cycle(state: web::Data<AppState>, _: Admin, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let c = cycles::get(&state.db, &id).await?;
    Ok(HttpResponse::Ok().json(cycle_out(&state, c).await?))
}

/// Close a cycle now; a recurring survey gets its next cycle scheduled.
#[utoipa::path(tag = "surveys", security(("api_token" = [])),
    responses((status = 200, body = CycleOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/cycles/{id}/close")]
async fn close_cycle(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = cycles::close_now(&state.db, &admin.actor, &id, state.config.today()).await?;
    Ok(HttpResponse::Ok().json(cycle_out(&state, c).await?))
}
