//! The figures of the results pages and of their JSON twins: loaded from the
//! database ([`crate::export`]) and computed by the analysis crate, one
//! function per view, so a page and its API answer come from the same code.
//! The arithmetic runs on a blocking thread.

use crate::export::{self, Counts, LoadError};
use crate::progress::Progress;
use crate::state::AppState;
use crate::store::comments::{self, Comment};
use analysis::comments::{CommentScope, comment_scopes};
use analysis::kpis::Overview;
use analysis::{Effect, Params, Results, Scope, Tables, TrendPoint};
use serde::Serialize;
use std::collections::HashMap;

/// Runs the arithmetic off the async threads.
async fn compute<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, analysis::AnalysisError> + Send + 'static,
) -> Result<T, LoadError> {
    Ok(tokio::task::spawn_blocking(f).await.map_err(|e| LoadError::Worker(e.to_string()))??)
}

/// The analysis parameters of the service (k; default weights and lookback).
pub fn params(state: &AppState) -> Params {
    Params::new(state.config.anonymity_k, chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The small tables and the kept counts of every closed cycle.
pub async fn closed_tables(state: &AppState) -> Result<Tables, LoadError> {
    export::load_for_reports(&state.db, Counts::All, &Progress::new("results", false)).await
}

/// The heatmap of a closed cycle: every scope.
pub async fn cycle_results(state: &AppState, cycle_id: &str) -> Result<Results, LoadError> {
    let tables =
        export::load_for_reports(&state.db, Counts::Cycle(Some(cycle_id)), &Progress::new("results", false)).await?;
    let (id, p) = (cycle_id.to_string(), params(state));
    compute(move || analysis::results(&tables, &id, &p)).await
}

/// The heatmap page: a closed cycle's results and the organisation's trend
/// over the closed cycles of its survey, from one load of the closed cycles.
pub async fn results_and_trend(state: &AppState, cycle_id: &str) -> Result<(Results, Vec<TrendPoint>), LoadError> {
    let tables = closed_tables(state).await?;
    let (id, p) = (cycle_id.to_string(), params(state));
    compute(move || {
        let results = analysis::results(&tables, &id, &p)?;
        let trend = analysis::trend(&tables, &results.cycle.survey_id, &Scope::Org, &p)?;
        Ok((results, trend))
    })
    .await
}

/// The overview's figures on the organisation's today.
pub async fn overview(state: &AppState) -> Result<Overview, LoadError> {
    let tables = closed_tables(state).await?;
    let triaged = crate::store::kpis::triage_dates(&state.db).await?;
    let (today, p) = (state.config.today(), params(state));
    compute(move || analysis::kpis::overview(&tables, &triaged, today, &p)).await
}

/// The effect of every shipped roadmap item, by item id.
pub async fn effects(state: &AppState, tables: Tables) -> Result<HashMap<String, Effect>, LoadError> {
    let (today, p) = (state.config.today().format("%Y-%m-%d").to_string(), params(state));
    compute(move || analysis::effects(&tables, &today, &p)).await
}

/// The comments of one scope of a closed cycle (`GET /api/v1/cycles/{id}/comments`).
#[derive(Debug, Serialize)]
pub struct Comments {
    pub cycle_id: String,
    pub scope: String,
    pub responses: Option<i64>,
    pub suppressed: bool,
    pub reason: Option<&'static str>,
    /// The texts (hidden ones left out, unless an admin page asks for them).
    pub comments: Vec<Comment>,
}

/// The comment verdicts of every scope of a closed cycle (for the page's
/// scope picker), and the comments of `scope`.
pub async fn comments(
    state: &AppState,
    cycle_id: &str,
    scope: Scope,
    with_hidden: bool,
) -> Result<(Comments, Vec<CommentScope>, analysis::CycleInfo), LoadError> {
    let tables =
        export::load_for_reports(&state.db, Counts::Cycle(Some(cycle_id)), &Progress::new("comments", false)).await?;
    let (id, kc) = (cycle_id.to_string(), state.config.comment_k());
    let (verdict, all, cycle) = compute(move || {
        let (cycle, _) = analysis::resolve_cycle(&tables, Some(&id))?;
        let mut scopes = analysis::comments::all_scopes(&tables, &id)?;
        if !scopes.contains(&scope) {
            scopes.push(scope.clone());
        }
        let verdicts = comment_scopes(&tables, &id, &scopes, kc)?;
        let one = verdicts.iter().find(|v| v.scope == scope.label()).cloned().expect("the scope was added");
        Ok((one, verdicts, cycle))
    })
    .await?;
    let texts = match verdict.suppressed {
        true => Vec::new(),
        false => comments::of_cycle(&state.db, &state.secret_key, cycle_id, verdict.team_ids.as_ref()).await?,
    };
    let out = Comments {
        cycle_id: cycle_id.to_string(),
        scope: verdict.scope,
        responses: verdict.responses,
        suppressed: verdict.suppressed,
        reason: verdict.reason,
        comments: texts.into_iter().filter(|c| with_hidden || !c.hidden).collect(),
    };
    Ok((out, all, cycle))
}

/// One area of a closed cycle: its distribution, its trend, its priority.
pub struct AreaView {
    pub cycle: analysis::CycleInfo,
    pub distribution: Vec<analysis::area::Distribution>,
    pub trend: Vec<TrendPoint>,
    pub priority: Option<analysis::Priority>,
}

/// The figures of the area page, from the tables of every closed cycle.
pub async fn area(state: &AppState, tables: Tables, cycle_id: &str, area_id: &str) -> Result<AreaView, LoadError> {
    let (id, area, p) = (cycle_id.to_string(), area_id.to_string(), params(state));
    compute(move || {
        let (cycle, _) = analysis::resolve_cycle(&tables, Some(&id))?;
        let distribution = analysis::area::distribution(&tables, &id, &area, &p)?;
        let trend = analysis::trend(&tables, &cycle.survey_id, &Scope::Org, &p)?;
        let report = analysis::priorities(&tables, Some(&id), &p)?;
        let priority = report.priorities.into_iter().find(|x| x.area_id == area);
        Ok(AreaView { cycle, distribution, trend, priority })
    })
    .await
}

/// The priority report of a closed cycle with the given parameters.
///
/// Kept per instance while the report version stands ([`crate::report_cache`]).
pub async fn priorities(state: &AppState, cycle_id: &str, p: Params) -> Result<analysis::Report, LoadError> {
    // Not `generated_at`: a kept report states when it was computed.
    let key = format!("{cycle_id} {} {:?} {}", p.k, p.weights, p.lookback_days);
    // The version first, then the data: the data is at least that new.
    let version = crate::store::version::current(&state.db).await?;
    let report = state
        .reports
        .get_or_compute(key, version, || async {
            let tables =
                export::load_for_reports(&state.db, Counts::Cycle(Some(cycle_id)), &Progress::new("priorities", false))
                    .await?;
            let id = cycle_id.to_string();
            let report = compute(move || analysis::priorities(&tables, Some(&id), &p)).await?;
            let closed = report.cycle.status == "closed";
            Ok::<_, LoadError>((report, closed))
        })
        .await?;
    Ok((*report).clone())
}

/// "You said, we did" (`/p/{token}/results`): the organisation's scores and
/// top priorities of the latest closed cycle, and the effect of shipped items.
pub struct MemberResults {
    pub cycle: analysis::CycleInfo,
    pub areas: Vec<analysis::AreaInfo>,
    pub org: analysis::ScoresReport,
    pub top: Vec<analysis::Priority>,
    pub effects: HashMap<String, Effect>,
}

/// The member's view; `None` before any cycle has closed.
pub async fn member_results(state: &AppState) -> Result<Option<MemberResults>, LoadError> {
    let tables = closed_tables(state).await?;
    let (today, p) = (state.config.today().format("%Y-%m-%d").to_string(), params(state));
    compute(move || {
        let report = match analysis::priorities(&tables, None, &p) {
            Ok(r) => r,
            Err(analysis::AnalysisError::NoClosedCycle) => return Ok(None),
            Err(e) => return Err(e),
        };
        let results = analysis::results(&tables, &report.cycle.cycle_id, &p)?;
        let org = results.rows.into_iter().next().map(|r| r.report).expect("the organisation's row comes first");
        Ok(Some(MemberResults {
            effects: analysis::effects(&tables, &today, &p)?,
            top: report.priorities.into_iter().take(5).collect(),
            cycle: report.cycle,
            areas: results.areas,
            org,
        }))
    })
    .await
}

/// A lead's view of their team (`/p/{token}/team`): the team and the
/// organisation over the closed cycles of the latest survey, and the team's
/// votes in the latest cycle.
pub struct TeamView {
    pub areas: Vec<analysis::AreaInfo>,
    pub org: Vec<TrendPoint>,
    pub team: Vec<TrendPoint>,
    pub votes: analysis::area::ScopeVotes,
}

/// The lead view of team `slug`; `None` before any cycle has closed.
pub async fn team_view(state: &AppState, slug: &str) -> Result<Option<TeamView>, LoadError> {
    let tables = closed_tables(state).await?;
    let (scope, p) = (Scope::Team(slug.to_string()), params(state));
    compute(move || {
        let (latest, _) = match analysis::resolve_cycle(&tables, None) {
            Ok(c) => c,
            Err(analysis::AnalysisError::NoClosedCycle) => return Ok(None),
            Err(e) => return Err(e),
        };
        let results = analysis::results(&tables, &latest.cycle_id, &p)?;
        let votes = match analysis::area::scope_votes(&tables, &latest.cycle_id, &scope, &p) {
            // A team the latest cycle did not know (created since) has no votes to show.
            Err(analysis::AnalysisError::UnknownScope(_)) => analysis::area::ScopeVotes {
                scope: scope.label(),
                respondents: None,
                suppressed: true,
                reason: Some(analysis::Reason::FewerThanK.as_str()),
                shares: Vec::new(),
            },
            other => other?,
        };
        Ok(Some(TeamView {
            areas: results.areas,
            org: analysis::trend(&tables, &latest.survey_id, &Scope::Org, &p)?,
            team: analysis::trend(&tables, &latest.survey_id, &scope, &p)?,
            votes,
        }))
    })
    .await
}
