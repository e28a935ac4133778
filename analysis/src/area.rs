//! One area of one closed cycle: the 1–5 distribution of the organisation
//! and of each group the rules allow (the same verdicts as the heatmap).

use crate::org::Org;
use crate::priorities::resolve_cycle;
use crate::scores::scores_of;
use crate::{AnalysisError, Params, Scope, Tables};
use polars::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// The answers 1..5 of one scope to one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub scope: String,
    pub name: String,
    pub n: Option<i64>,
    /// Shares of the answers 1, 2, 3, 4 and 5; null when suppressed.
    pub shares: Option<[f64; 5]>,
    pub pct_favorable: Option<f64>,
    pub fav_lo: Option<f64>,
    pub fav_hi: Option<f64>,
    pub suppressed: bool,
    pub reason: Option<&'static str>,
}

/// Answers of `area_id` in `cycle_id` by (team_id, value 1..5), from the tables' counts.
fn value_counts(tables: &Tables, cycle_id: &str, area_id: &str) -> Result<DataFrame, AnalysisError> {
    Ok(tables
        .aggregates()?
        .likert
        .clone()
        .lazy()
        .filter(col("cycle_id").eq(lit(cycle_id.to_string())).and(col("area_id").eq(lit(area_id.to_string()))))
        .select([col("team_id"), col("value").cast(DataType::Int64), col("count")])
        .collect()?)
}

/// The distribution of `area_id` in the closed cycle `cycle_id` for the
/// organisation and each of its groups, suppressed where the heatmap is.
pub fn distribution(
    tables: &Tables,
    cycle_id: &str,
    area_id: &str,
    params: &Params,
) -> Result<Vec<Distribution>, AnalysisError> {
    let (target, previous) = resolve_cycle(tables, Some(cycle_id))?;
    let org = Org::new(tables, &target.cycle_id)?;
    // The groups of the teams the cycle covered, as on the heatmap.
    let answered = crate::org::responses_by_team(tables, &target.cycle_id)?;
    let mut scopes = vec![Scope::Org];
    scopes.extend(
        org.groups()
            .into_iter()
            .filter(|g| {
                org.teams.iter().any(|t| t.group.as_ref() == Some(g) && answered.contains_key(&Some(t.id.clone())))
            })
            .map(Scope::Group),
    );
    let reports = scores_of(tables, &target, previous.as_ref(), &scopes, params.k)?;
    let counts = value_counts(tables, &target.cycle_id, area_id)?;
    let mut by_team: HashMap<Option<String>, [i64; 5]> = HashMap::new();
    if counts.height() > 0 {
        let (teams, values, ns) =
            (counts.column("team_id")?.str()?, counts.column("value")?.i64()?, counts.column("count")?.i64()?);
        for i in 0..counts.height() {
            if let (Some(v @ 1..=5), Some(n)) = (values.get(i), ns.get(i)) {
                by_team.entry(teams.get(i).map(str::to_string)).or_default()[(v - 1) as usize] += n;
            }
        }
    }
    let mut out = Vec::new();
    for (scope, report) in scopes.iter().zip(reports) {
        let Some(score) = report.scores.iter().find(|s| s.area_id == area_id) else { continue };
        let members = org.teams_of(scope);
        let mut sum = [0i64; 5];
        for (team, c) in &by_team {
            let inside = match &members {
                None => true,
                Some(set) => team.as_ref().is_some_and(|t| set.contains(t)),
            };
            if inside {
                sum.iter_mut().zip(c).for_each(|(s, c)| *s += c);
            }
        }
        let total: i64 = sum.iter().sum();
        let shares = (!score.suppressed && total > 0).then(|| sum.map(|c| c as f64 / total as f64));
        out.push(Distribution {
            name: match scope {
                Scope::Group(g) => g.clone(),
                _ => "Organisation".into(),
            },
            scope: scope.label(),
            n: score.n,
            shares,
            pct_favorable: score.pct_favorable,
            fav_lo: score.fav_lo,
            fav_hi: score.fav_hi,
            suppressed: score.suppressed,
            reason: score.reason,
        });
    }
    Ok(out)
}

/// The priority votes of one scope in a closed cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeVotes {
    pub scope: String,
    /// Responses of the scope that picked areas; null when suppressed.
    pub respondents: Option<i64>,
    pub suppressed: bool,
    pub reason: Option<&'static str>,
    /// (area_id, share of the scope's respondents who picked it), highest first.
    pub shares: Vec<(String, f64)>,
}

/// The vote shares of `scope` in `cycle_id`: shown only where the scope is
/// visible (k and the guard, as its scores) and at least k of its
/// respondents answered a priority pick.
pub fn scope_votes(
    tables: &Tables,
    cycle_id: &str,
    scope: &Scope,
    params: &Params,
) -> Result<ScopeVotes, AnalysisError> {
    let (target, _) = resolve_cycle(tables, Some(cycle_id))?;
    let org = Org::new(tables, &target.cycle_id)?;
    if !org.knows(scope) {
        return Err(AnalysisError::UnknownScope(scope.label()));
    }
    let by_team = crate::org::responses_by_team(tables, &target.cycle_id)?;
    let mut reason = match scope {
        Scope::Org => None,
        _ => org.reason(&org.verdicts(&by_team, params.k), scope),
    };
    let agg = tables.aggregates()?;
    let mine = |df: &DataFrame| -> PolarsResult<DataFrame> {
        let mut lf = df.clone().lazy().filter(col("cycle_id").eq(lit(target.cycle_id.clone())));
        if let Some(ids) = org.teams_of(scope) {
            let ids = Series::new("ids".into(), ids.into_iter().collect::<Vec<_>>());
            lf = lf.filter(col("team_id").is_in(lit(ids).implode(false), false));
        }
        lf.collect()
    };
    let pickers = mine(&agg.responses)?;
    let respondents: i64 = pickers.column("pick_responses")?.i64()?.sum().unwrap_or(0);
    if respondents < params.k as i64 {
        reason = reason.or(Some(crate::Reason::FewerThanK));
    }
    let mut shares = Vec::new();
    if reason.is_none() {
        let votes = mine(&agg.picks)?.lazy().group_by([col("area_id")]).agg([col("votes").sum()]).collect()?;
        let (areas, counts) = (votes.column("area_id")?.str()?, votes.column("votes")?.i64()?);
        for i in 0..votes.height() {
            if let (Some(a), Some(v)) = (areas.get(i), counts.get(i)) {
                shares.push((a.to_string(), v as f64 / respondents as f64));
            }
        }
        shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    Ok(ScopeVotes {
        scope: scope.label(),
        respondents: reason.is_none().then_some(respondents),
        suppressed: reason.is_some(),
        reason: reason.map(crate::Reason::as_str),
        shares,
    })
}
