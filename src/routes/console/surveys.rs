//! `/admin/surveys`: surveys and their cycles. Create the DevEx survey,
//! schedule a cycle (dates; all teams or some), close one early, and follow
//! live participation (counts only, team rows within k).

use super::session::Signed;
use crate::domain::{CycleStatus, parse_date};
use crate::error::PageError;
use crate::state::AppState;
use crate::store::cycles::{self, Mailing, NewCycle};
use crate::store::{self, PageParams, participation, surveys};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;

#[derive(Serialize)]
struct CycleView {
    cycle_id: String,
    opens_on: String,
    closes_on: String,
    status: String,
    open: bool,
    invited: i64,
    responded: i64,
    teams: Vec<participation::TeamParticipation>,
    hidden_teams: usize,
}

#[derive(Serialize)]
struct SurveyView {
    survey_id: String,
    title: String,
    cadence: String,
    questions: usize,
    cycles: Vec<CycleView>,
}

async fn views(state: &AppState) -> Result<Vec<SurveyView>, PageError> {
    let mut out = Vec::new();
    for s in surveys::list(&state.db, &PageParams { limit: 200, after: None }).await?.items {
        let mut cycle_views = Vec::new();
        for c in cycles::list(&state.db, Some(&s.survey.survey_id), None).await? {
            let p = participation::participation(&state.db, &c.cycle_id, state.config.anonymity_k).await?;
            cycle_views.push(CycleView {
                open: c.status != CycleStatus::Closed,
                cycle_id: c.cycle_id,
                opens_on: c.opens_on.format("%-d %b %Y").to_string(),
                closes_on: c.closes_on.format("%-d %b %Y").to_string(),
                status: c.status.human(),
                invited: p.invited,
                responded: p.responded,
                teams: p.teams,
                hidden_teams: p.hidden_teams,
            });
        }
        out.push(SurveyView {
            survey_id: s.survey.survey_id.clone(),
            title: s.survey.title.clone(),
            cadence: s.survey.cadence.to_string().replace('_', " "),
            questions: s.questions.len(),
            cycles: cycle_views,
        });
    }
    Ok(out)
}

async fn render(
    state: &AppState,
    signed: &Signed,
    problem: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let mut ctx = super::context(signed, "/admin/surveys");
    ctx.insert("surveys", &views(state).await?);
    ctx.insert("teams", &store::teams::all(&state.db).await?.into_iter().map(|t| (t.slug, t.name)).collect::<Vec<_>>());
    ctx.insert("today", &state.config.today().to_string());
    ctx.insert("problem", &problem);
    Ok(state.pages.page(status, "console/surveys.html", ctx))
}

pub async fn page(state: web::Data<AppState>, signed: Signed) -> Result<HttpResponse, PageError> {
    render(&state, &signed, None, StatusCode::OK).await
}

/// The form's fields, in order (team checkboxes repeat).
fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// A page of the problem, or the error as it is.
async fn or_problem(state: &AppState, signed: &Signed, e: PageError) -> Result<HttpResponse, PageError> {
    match e {
        PageError::Invalid(f) => {
            render(state, signed, Some(&format!("{}: {}", f.field, f.message)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        PageError::Conflict(m) => render(state, signed, Some(&m), StatusCode::CONFLICT).await,
        other => Err(other),
    }
}

pub async fn create(state: web::Data<AppState>, signed: Signed, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let pairs = fields(&body);
    signed.check_form(Some(field(&pairs, "csrf")))?;
    surveys::create(&state.db, &signed.actor(), surveys::NewSurvey::devex()).await?;
    Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/surveys")).finish())
}

/// Schedules a cycle; one opening today or earlier opens at once and emails
/// its invitations.
pub async fn schedule(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let pairs = fields(&body);
    signed.check_form(Some(field(&pairs, "csrf")))?;
    let teams: Vec<String> = pairs.iter().filter(|(k, _)| k == "teams").map(|(_, v)| v.clone()).collect();
    let parsed = (|| -> Result<NewCycle, crate::domain::FieldError> {
        let closes = field(&pairs, "closes_on").trim();
        Ok(NewCycle {
            opens_on: parse_date("opens_on", field(&pairs, "opens_on"))?,
            closes_on: (!closes.is_empty()).then(|| parse_date("closes_on", closes)).transpose()?,
            teams: (field(&pairs, "scope") == "some").then_some(teams),
        })
    })();
    let mailing = Mailing { emails: &state.emails, invitation_key: &state.invitation_key };
    let created = match parsed {
        Ok(new) => cycles::create(&state.db, &mailing, &signed.actor(), &id, new, state.config.today())
            .await
            .map_err(PageError::from),
        Err(e) => Err(e.into()),
    };
    match created {
        Ok(_) => Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/surveys?scheduled=1")).finish()),
        Err(e) => or_problem(&state, &signed, e).await,
    }
}

pub async fn close(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let pairs = fields(&body);
    signed.check_form(Some(field(&pairs, "csrf")))?;
    match cycles::close_now(&state.db, &signed.actor(), &id, state.config.today()).await {
        Ok(_) => Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/surveys?closed=1")).finish()),
        Err(e) => or_problem(&state, &signed, e.into()).await,
    }
}
