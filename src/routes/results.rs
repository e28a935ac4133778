//! `/api/v1/cycles/{id}/priorities`, `/scores`, `/results` and `/comments`,
//! and `/api/v1/overview`: the results of closed cycles, computed by the
//! analysis crate from live data with the anonymity rules of analysis.md
//! (the same functions as the console's pages, [`crate::insights`]).
//! Nothing while a cycle is open.

use super::extract::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::export::{self, LoadError};
use crate::insights;
use crate::progress::Progress;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use analysis::{AnalysisError, Scope};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(priorities).service(scores).service(results).service(comments).service(overview);
}

impl From<AnalysisError> for ApiError {
    fn from(e: AnalysisError) -> Self {
        match e {
            AnalysisError::UnknownCycle(id) => ApiError::NotFound(format!("no cycle {id:?}")),
            AnalysisError::CycleOpen(_) => ApiError::Conflict {
                code: "cycle_open",
                message: "results exist only once the cycle has closed; while it is open, see its participation".into(),
            },
            AnalysisError::UnknownScope(s) => ApiError::NotFound(format!("no scope {s:?}")),
            AnalysisError::NoClosedCycle => ApiError::NotFound("there is no closed cycle yet".into()),
            AnalysisError::Polars(p) => {
                tracing::error!(error = %p, "analysis failed");
                ApiError::Internal
            }
            other => {
                tracing::error!(error = %other, "analysis input");
                ApiError::Internal
            }
        }
    }
}

impl From<LoadError> for ApiError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Analysis(a) => a.into(),
            LoadError::Db(d) => d.into(),
            LoadError::Store(s) => s.into(),
            e @ LoadError::Worker(_) => {
                tracing::error!(error = %crate::error::chain(&e), "analysis failed");
                ApiError::Internal
            }
        }
    }
}

/// Optional parameters of the priority report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PriorityQuery {
    /// Weights of survey pain, votes and friction, e.g. `0.4,0.3,0.3` (the
    /// default): three numbers of at least 0, not all 0.
    #[param(pattern = "^ *[0-9]+(\\.[0-9]+)? *, *[0-9]+(\\.[0-9]+)? *, *[0-9]+(\\.[0-9]+)? *$")]
    pub weights: Option<String>,
    /// Days of friction before the cycle's close that count (default 90).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 3650)]
    pub lookback_days: Option<String>,
}

pub fn params(state: &AppState, q: &PriorityQuery) -> Result<analysis::Params, ApiError> {
    let mut p = analysis::Params::new(
        state.config.anonymity_k,
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    if let Some(w) = q.weights.as_deref().filter(|w| !w.is_empty()) {
        p.weights = w.parse().map_err(|e: String| ApiError::invalid("weights", e))?;
    }
    if let Some(l) = q.lookback_days.as_deref().filter(|l| !l.is_empty()) {
        p.lookback_days = match l.parse::<i64>() {
            Ok(d) if analysis::LOOKBACK_DAYS.contains(&d) => d,
            _ => {
                let (lo, hi) = (analysis::LOOKBACK_DAYS.start(), analysis::LOOKBACK_DAYS.end());
                return Err(ApiError::invalid("lookback_days", format!("a whole number of days from {lo} to {hi}")));
            }
        };
    }
    Ok(p)
}

/// The roadmap priority report of a closed cycle (analysis.md), as JSON.
#[utoipa::path(tag = "results", params(PriorityQuery), security(("api_token" = [])),
    responses((status = 200, description = "the JSON priority report of interface.md"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "cycle_open")))]
#[get("/cycles/{id}/priorities")]
async fn priorities(
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<String>,
    q: web::Query<PriorityQuery>,
) -> Result<HttpResponse, ApiError> {
    let params = params(&state, &q)?;
    let report = crate::insights::priorities(&state, &id, params).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Which scores.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeQuery {
    /// `org` (default), `group:NAME` or `team:SLUG`.
    #[param(pattern = "^(org|group:.+|team:.+)$")]
    pub scope: Option<String>,
}

/// Scores per area of a closed cycle for a scope; suppressed figures are null, with the reason.
#[utoipa::path(tag = "results", params(ScopeQuery), security(("api_token" = [])),
    responses((status = 200, description = "scores of the scope"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "cycle_open"), (status = 422, body = ErrorBody)))]
#[get("/cycles/{id}/scores")]
async fn scores(
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<String>,
    q: web::Query<ScopeQuery>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(&q)?;
    let params = analysis::Params::new(state.config.anonymity_k, "");
    let tables =
        export::load_for_reports(&state.db, export::Counts::Cycle(Some(&id)), &Progress::new("scores", false)).await?;
    let id = id.into_inner();
    let report =
        web::block(move || analysis::scores(&tables, &id, &scope, &params)).await.map_err(|_| ApiError::Internal)??;
    Ok(HttpResponse::Ok().json(report))
}

fn scope_of(q: &ScopeQuery) -> Result<Scope, ApiError> {
    Scope::parse(q.scope.as_deref().unwrap_or("org"))
        .map_err(|_| ApiError::invalid("scope", "must be org, group:NAME or team:SLUG"))
}

/// The heatmap of a closed cycle: every scope (organisation, groups, teams) with its scores.
#[utoipa::path(tag = "results", security(("api_token" = [])),
    responses((status = 200, description = "every scope with its scores; suppressed ones null with the reason"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "cycle_open")))]
#[get("/cycles/{id}/results")]
async fn results(state: web::Data<AppState>, _: Admin, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(insights::cycle_results(&state, &id).await?))
}

/// Free-text comments of a closed cycle for a scope, under the comment rules of analysis.md.
#[utoipa::path(tag = "results", params(ScopeQuery), security(("api_token" = [])),
    responses((status = 200, description = "cycle_id, scope, responses, suppressed, reason, comments"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "cycle_open"),
        (status = 422, body = ErrorBody)))]
#[get("/cycles/{id}/comments")]
async fn comments(
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<String>,
    q: web::Query<ScopeQuery>,
) -> Result<HttpResponse, ApiError> {
    let (c, _, _) = insights::comments(&state, &id, scope_of(&q)?, false).await?;
    let texts: Vec<&str> = c.comments.iter().map(|c| c.text.as_str()).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "cycle_id": c.cycle_id, "scope": c.scope, "responses": c.responses,
        "suppressed": c.suppressed, "reason": c.reason, "comments": texts,
    })))
}

/// The figures of the console's overview.
#[utoipa::path(tag = "results", security(("api_token" = [])),
    responses((status = 200, description = "response rates, DevEx index, friction, days to triage and resolve, shipped per quarter, top priorities"),
        (status = 401, body = ErrorBody)))]
#[get("/overview")]
async fn overview(state: web::Data<AppState>, _: Admin) -> Result<HttpResponse, ApiError> {
    let o = insights::overview(&state).await?;
    let inbox = crate::store::friction::inbox_counts(&state.db, state.config.today()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "inbox": inbox, "figures": o })))
}
