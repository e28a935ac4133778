//! `/api/v1/surveys` and `/api/v1/cycles`: surveys, their cycles and
//! participation.

use super::extract::{Admin, ApiJson, Authed, ListOf, PageQuery};
use crate::domain::{Cadence, CycleStatus};
use crate::domain::{FieldError, QuestionKind, parse_date, required_text};
use crate::entities::{cycle, question};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::store::cycles::{self, Mailing, NewCycle};
use crate::store::surveys::{self, NewQuestion, NewSurvey, SurveyFull};
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

/// A question of a new survey.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionIn {
    #[schema(value_type = QuestionKind)]
    pub kind: String,
    /// Required for `likert5`, refused for the other kinds.
    pub area_id: Option<String>,
    #[schema(min_length = 1, max_length = 500)]
    pub prompt: String,
    /// Defaults to true for `likert5`, false otherwise.
    pub required: Option<bool>,
}

/// `{"template": "devex"}` for the default DevEx survey, or a custom survey.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyIn {
    /// `devex`: the default DevEx survey (other fields may override title, cadence, open_days, reminder_days).
    #[schema(pattern = "^devex$")]
    pub template: Option<String>,
    /// Required without a template.
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// `one_off` (default), `monthly`, `quarterly` or `every_N_weeks` (N from 1 to 52).
    #[schema(pattern = "^(one_off|monthly|quarterly|every_([1-9]|[1-4][0-9]|5[0-2])_weeks)$")]
    pub cadence: Option<String>,
    /// Days each cycle stays open (1 to 90, default 14).
    #[schema(minimum = 1, maximum = 90)]
    pub open_days: Option<u32>,
    /// Days after opening on which non-respondents are reminded (default
    /// `[3, 7]`), each at least 1 and under `open_days`.
    pub reminder_days: Option<Vec<u32>>,
    /// Required without a template (1 to 100), refused with one.
    #[schema(min_items = 1, max_items = 100)]
    pub questions: Option<Vec<QuestionIn>>,
}

impl SurveyIn {
    fn parse(self) -> Result<NewSurvey, ApiError> {
        let mut new = match self.template.as_deref() {
            Some("devex") => {
                if self.questions.is_some() {
                    return Err(ApiError::invalid("questions", "a template brings its own questions"));
                }
                NewSurvey::devex()
            }
            Some(other) => {
                return Err(ApiError::invalid("template", format!("unknown template {other:?}; expected devex")));
            }
            None => {
                let questions = self
                    .questions
                    .as_ref()
                    .ok_or_else(|| ApiError::invalid("questions", "a custom survey needs questions"))?;
                if questions.is_empty() || questions.len() > 100 {
                    return Err(ApiError::invalid("questions", "must hold 1 to 100 questions"));
                }
                NewSurvey {
                    title: String::new(),
                    description: String::new(),
                    cadence: Cadence::OneOff,
                    open_days: 14,
                    reminder_days: vec![3, 7],
                    questions: Vec::new(),
                }
            }
        };
        if let Some(t) = &self.title {
            new.title = required_text("title", t, 200)?;
        } else if new.title.is_empty() {
            return Err(ApiError::invalid("title", "missing field `title`"));
        }
        if let Some(d) = &self.description {
            new.description = crate::domain::optional_text("description", Some(d), 2000)?.unwrap_or_default();
        }
        if let Some(c) = &self.cadence {
            new.cadence = Cadence::parse("cadence", c)?;
        }
        if let Some(d) = self.open_days {
            if !(1..=90).contains(&d) {
                return Err(ApiError::invalid("open_days", "must be from 1 to 90"));
            }
            new.open_days = d;
        }
        if let Some(days) = self.reminder_days {
            if days.len() > 5 {
                return Err(ApiError::invalid("reminder_days", "at most 5 reminders"));
            }
            new.reminder_days = days;
        }
        let mut sorted = new.reminder_days.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.iter().any(|d| *d == 0 || *d >= new.open_days) {
            return Err(ApiError::invalid("reminder_days", "each day must be from 1 to open_days - 1"));
        }
        new.reminder_days = sorted;
        if let Some(questions) = self.questions {
            for (i, q) in questions.into_iter().enumerate() {
                let field = |f: &str| format!("questions[{i}].{f}");
                let kind = QuestionKind::parse(&field("kind"), &q.kind)?;
                let prompt = required_text(&field("prompt"), &q.prompt, 500)?;
                let area_id = q.area_id.filter(|a| !a.trim().is_empty());
                match kind {
                    QuestionKind::Likert5 if area_id.is_none() => {
                        return Err(FieldError::new(field("area_id"), "a likert5 question must name its area").into());
                    }
                    QuestionKind::Text | QuestionKind::Hours | QuestionKind::Nps if area_id.is_some() => {
                        return Err(FieldError::new(field("area_id"), format!("a {kind} question has no area")).into());
                    }
                    _ => {}
                }
                let required = q.required.unwrap_or(kind == QuestionKind::Likert5);
                new.questions.push(NewQuestion { kind, area_id, prompt, required });
            }
        }
        Ok(new)
    }
}

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

/// Create a survey: `{"template": "devex"}` or a custom one.
#[utoipa::path(tag = "surveys", request_body = SurveyIn, security(("api_token" = [])),
    responses((status = 201, body = SurveyOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/surveys")]
async fn create_survey(
    state: web::Data<AppState>,
    authed: Authed<Admin, ApiJson<SurveyIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let new = body.0.parse()?;
    let full = surveys::create(&state.db, &admin.actor, new).await?;
    Ok(HttpResponse::Created().json(SurveyOut::from(full)))
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
