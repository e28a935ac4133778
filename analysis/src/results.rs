//! The results of one closed cycle for every scope at once: the heatmap of
//! the console and `GET /api/v1/cycles/{id}/results`. Rows are the
//! organisation, each group with its teams under it (by headcount, never by
//! responses, so the order tells nothing), then the teams without a group;
//! every figure under the rules of [`crate::scores`].

use crate::org::Org;
use crate::priorities::{CycleInfo, resolve_cycle};
use crate::scores::{likert_areas, scores_of};
use crate::{AnalysisError, Params, Scope, ScoresReport, Tables};
use polars::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// A column of the heatmap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaInfo {
    pub area_id: String,
    pub name: String,
    pub dimension: String,
}

/// One row of the heatmap: a scope with its scores and participation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    /// `org`, `group` or `team`.
    pub kind: &'static str,
    pub name: String,
    /// A team's group in this cycle.
    pub group_name: Option<String>,
    /// A team's headcount (teams only).
    pub headcount: Option<i64>,
    /// Invited and responded; null when the scope is suppressed.
    pub invited: Option<i64>,
    pub responded: Option<i64>,
    #[serde(flatten)]
    pub report: ScoresReport,
}

/// Every scope of one closed cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub cycle: CycleInfo,
    /// The closed cycle the deltas compare with.
    pub previous: Option<CycleInfo>,
    pub k: u32,
    /// The survey's rated areas, by dimension as analysis.md lists them, then by id.
    pub areas: Vec<AreaInfo>,
    pub rows: Vec<ResultRow>,
}

/// The dimensions in the order of analysis.md.
pub const DIMENSIONS: [&str; 4] = ["feedback_loops", "cognitive_load", "flow_state", "other"];

/// Areas by id with their name and dimension, in heatmap order.
pub(crate) fn area_infos(tables: &Tables, ids: &[String]) -> PolarsResult<Vec<AreaInfo>> {
    let df = tables.get("areas");
    let (aid, names, dims) = (df.column("area_id")?.str()?, df.column("name")?.str()?, df.column("dimension")?.str()?);
    let known: HashMap<&str, (String, String)> = (0..df.height())
        .filter_map(|i| Some((aid.get(i)?, (names.get(i)?.to_string(), dims.get(i).unwrap_or("other").to_string()))))
        .collect();
    let mut out: Vec<AreaInfo> = ids
        .iter()
        .map(|id| {
            let (name, dimension) = known.get(id.as_str()).cloned().unwrap_or_else(|| (id.clone(), "other".into()));
            AreaInfo { area_id: id.clone(), name, dimension }
        })
        .collect();
    let rank = |d: &str| DIMENSIONS.iter().position(|x| *x == d).unwrap_or(DIMENSIONS.len());
    out.sort_by(|a, b| rank(&a.dimension).cmp(&rank(&b.dimension)).then_with(|| a.area_id.cmp(&b.area_id)));
    Ok(out)
}

/// Invited and responded by team id in one cycle; rows without a team (an
/// export's merged hidden teams) under the empty id.
fn participation(tables: &Tables, cycle_id: &str) -> PolarsResult<HashMap<String, (i64, i64)>> {
    let p = tables.get("participation");
    let (cycles, teams) = (p.column("cycle_id")?.str()?, p.column("team_id")?.str()?);
    let (invited, responded) = (p.column("invited")?.i64()?, p.column("responded")?.i64()?);
    let mut out: HashMap<String, (i64, i64)> = HashMap::new();
    for i in 0..p.height() {
        if cycles.get(i) == Some(cycle_id) {
            let e = out.entry(teams.get(i).unwrap_or_default().to_string()).or_default();
            e.0 += invited.get(i).unwrap_or(0);
            e.1 += responded.get(i).unwrap_or(0);
        }
    }
    Ok(out)
}

/// The scopes of the heatmap in order, with the team ids each covers:
/// teams the cycle invited or that answered.
fn layout(org: &Org, covered: impl Fn(&str) -> bool) -> Vec<(Scope, &'static str, Vec<usize>)> {
    let mut teams: Vec<usize> = (0..org.teams.len()).filter(|&i| covered(&org.teams[i].id)).collect();
    teams.sort_by(|&a, &b| {
        let (a, b) = (&org.teams[a], &org.teams[b]);
        b.headcount.cmp(&a.headcount).then_with(|| a.name.cmp(&b.name)).then_with(|| a.slug.cmp(&b.slug))
    });
    let mut out = vec![(Scope::Org, "org", teams.clone())];
    for g in org.groups() {
        let members: Vec<usize> =
            teams.iter().copied().filter(|&i| org.teams[i].group.as_deref() == Some(&g)).collect();
        if members.is_empty() {
            continue;
        }
        out.push((Scope::Group(g), "group", members.clone()));
        out.extend(members.iter().map(|&i| (Scope::Team(org.teams[i].slug.clone()), "team", vec![i])));
    }
    for &i in teams.iter().filter(|&&i| org.teams[i].group.is_none()) {
        out.push((Scope::Team(org.teams[i].slug.clone()), "team", vec![i]));
    }
    out
}

/// The results of the closed cycle `cycle_id`: every scope, suppressed
/// figures null with their reason.
pub fn results(tables: &Tables, cycle_id: &str, params: &Params) -> Result<Results, AnalysisError> {
    let (target, previous) = resolve_cycle(tables, Some(cycle_id))?;
    let org = Org::new(tables, &target.cycle_id)?;
    let part = participation(tables, &target.cycle_id)?;
    let answered = crate::org::responses_by_team(tables, &target.cycle_id)?;
    let layout = layout(&org, |id| part.contains_key(id) || answered.contains_key(&Some(id.to_string())));
    let scopes: Vec<Scope> = layout.iter().map(|(s, _, _)| s.clone()).collect();
    let reports = scores_of(tables, &target, previous.as_ref(), &scopes, params.k)?;
    let total = |teams: &[usize], all: bool| -> (i64, i64) {
        if all {
            return part.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
        }
        teams.iter().filter_map(|&i| part.get(&org.teams[i].id)).fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1))
    };
    let rows = layout
        .into_iter()
        .zip(reports)
        .map(|((scope, kind, teams), report)| {
            let team = match &scope {
                Scope::Team(slug) => org.team_by_slug(slug),
                _ => None,
            };
            let (invited, responded) = total(&teams, scope == Scope::Org);
            let shown = !report.suppressed;
            ResultRow {
                kind,
                name: match &scope {
                    Scope::Org => "Organisation".to_string(),
                    Scope::Group(g) => g.clone(),
                    Scope::Team(_) => team.map(|t| t.name.clone()).unwrap_or_default(),
                },
                group_name: team.and_then(|t| t.group.clone()),
                headcount: team.map(|t| t.headcount),
                invited: shown.then_some(invited),
                responded: shown.then_some(responded),
                report,
            }
        })
        .collect();
    let areas = area_infos(tables, &likert_areas(tables, &target.survey_id)?)?;
    Ok(Results { cycle: target, previous, k: params.k, areas, rows })
}
