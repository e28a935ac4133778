//! Scores per (cycle, scope, area) with the anonymity rules of analysis.md:
//! nothing for a group under k, the differencing guard on every breakdown
//! (org into groups and ungrouped teams, group into teams), and a team's or
//! group's own figures only where it is visible in its parent's breakdown.

use crate::org::{ByTeam, Org, responses_by_team};
use crate::priorities::{CycleInfo, cycle_counts, resolve_cycle};
use crate::{AnalysisError, Params, Reason, Tables, scores_from_counts};
use polars::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// Whose scores: the whole organisation, a group, or one team.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Org,
    Group(String),
    Team(String),
}

impl Scope {
    /// `org`, `group:NAME` or `team:SLUG`.
    pub fn parse(s: &str) -> Result<Scope, AnalysisError> {
        match s.split_once(':') {
            None if s == "org" => Ok(Scope::Org),
            Some(("group", g)) if !g.is_empty() => Ok(Scope::Group(g.to_string())),
            Some(("team", t)) if !t.is_empty() => Ok(Scope::Team(t.to_string())),
            _ => Err(AnalysisError::UnknownScope(s.to_string())),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Scope::Org => "org".into(),
            Scope::Group(g) => format!("group:{g}"),
            Scope::Team(t) => format!("team:{t}"),
        }
    }
}

/// One area's score in a scope. Suppressed figures are null.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaScore {
    pub area_id: String,
    pub n: Option<i64>,
    pub pct_favorable: Option<f64>,
    pub pct_unfavorable: Option<f64>,
    pub mean: Option<f64>,
    pub unfav_lo: Option<f64>,
    pub unfav_hi: Option<f64>,
    /// The Wilson interval of pct_favorable.
    pub fav_lo: Option<f64>,
    pub fav_hi: Option<f64>,
    pub delta_favorable: Option<f64>,
    /// pct_favorable minus the organisation's in the same cycle (null for
    /// the organisation itself, or when either is suppressed).
    pub vs_org: Option<f64>,
    pub suppressed: bool,
    pub reason: Option<&'static str>,
}

/// Scores of one scope in one closed cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoresReport {
    pub cycle_id: String,
    pub scope: String,
    /// Responses in the scope; null when the scope is suppressed.
    pub responses: Option<i64>,
    pub suppressed: bool,
    pub reason: Option<&'static str>,
    pub devex_index: Option<f64>,
    pub scores: Vec<AreaScore>,
}

/// Likert counts of one scope and area.
#[derive(Default, Clone, Copy)]
struct Sums {
    n: i64,
    favorable: i64,
    unfavorable: i64,
    sum_value: f64,
}

/// The counts of one cycle by (team, area): `(team_id, area_id, sums)`.
fn count_rows(counts: &DataFrame, cycle_id: &str) -> PolarsResult<Vec<(Option<String>, String, Sums)>> {
    let df = counts.clone().lazy().filter(col("cycle_id").eq(lit(cycle_id.to_string()))).collect()?;
    let (teams, areas) = (df.column("team_id")?.str()?, df.column("area_id")?.str()?);
    let (ns, fav, unfav) = (df.column("n")?.i64()?, df.column("favorable")?.i64()?, df.column("unfavorable")?.i64()?);
    let sum = df.column("sum_value")?.f64()?;
    Ok((0..df.height())
        .map(|i| {
            let s = Sums {
                n: ns.get(i).unwrap_or(0),
                favorable: fav.get(i).unwrap_or(0),
                unfavorable: unfav.get(i).unwrap_or(0),
                sum_value: sum.get(i).unwrap_or(0.0),
            };
            (teams.get(i).map(str::to_string), areas.get(i).unwrap_or_default().to_string(), s)
        })
        .collect())
}

/// Scores (polars, [`scores_from_counts`]) of every (scope index, area) with
/// counts; keyed by (scope index, area_id), values by column name.
type Scored = HashMap<(usize, String), HashMap<&'static str, Option<f64>>>;

fn score_sums(sums: &HashMap<(usize, String), Sums>, k: u32) -> PolarsResult<Scored> {
    let mut keys: Vec<&(usize, String)> = sums.keys().collect();
    keys.sort();
    let frame = df!(
        "scope" => keys.iter().map(|k| k.0 as i64).collect::<Vec<_>>(),
        "area_id" => keys.iter().map(|k| k.1.clone()).collect::<Vec<_>>(),
        "n" => keys.iter().map(|k| sums[*k].n).collect::<Vec<_>>(),
        "favorable" => keys.iter().map(|k| sums[*k].favorable).collect::<Vec<_>>(),
        "unfavorable" => keys.iter().map(|k| sums[*k].unfavorable).collect::<Vec<_>>(),
        "sum_value" => keys.iter().map(|k| sums[*k].sum_value).collect::<Vec<_>>()
    )?;
    let scored = scores_from_counts(frame.lazy(), k).collect()?;
    const COLUMNS: [&str; 7] = ["pct_favorable", "pct_unfavorable", "mean", "unfav_lo", "unfav_hi", "fav_lo", "fav_hi"];
    let cols: Vec<_> =
        COLUMNS.iter().map(|c| scored.column(c).and_then(|c| c.f64().cloned())).collect::<Result<_, _>>()?;
    Ok(keys
        .iter()
        .enumerate()
        .map(|(i, key)| ((*key).clone(), COLUMNS.iter().zip(&cols).map(|(name, c)| (*name, c.get(i))).collect()))
        .collect())
}

/// One area's score: its figures, or none with the reason.
fn area_score(
    area: &str,
    n: i64,
    reason: Option<Reason>,
    figures: Option<&HashMap<&'static str, Option<f64>>>,
) -> AreaScore {
    let figure = |c: &str| if reason.is_none() { figures.and_then(|r| r[c]) } else { None };
    AreaScore {
        area_id: area.to_string(),
        n: reason.is_none().then_some(n),
        pct_favorable: figure("pct_favorable"),
        pct_unfavorable: figure("pct_unfavorable"),
        mean: figure("mean"),
        unfav_lo: figure("unfav_lo"),
        unfav_hi: figure("unfav_hi"),
        fav_lo: figure("fav_lo"),
        fav_hi: figure("fav_hi"),
        delta_favorable: None,
        vs_org: None,
        suppressed: reason.is_some(),
        reason: reason.map(Reason::as_str),
    }
}

/// The scores of several scopes of one closed cycle, in the order given:
/// each scope's own verdict (k, then the guard up its breakdowns) and, per
/// area, the same again on that area's answers. No deltas yet.
pub(crate) fn evaluate(
    tables: &Tables,
    counts: &DataFrame,
    cycle: &CycleInfo,
    scopes: &[Scope],
    areas: &[String],
    k: u32,
) -> Result<Vec<ScoresReport>, AnalysisError> {
    let org = Org::new(tables, &cycle.cycle_id)?;
    let by_team = responses_by_team(tables, &cycle.cycle_id)?;
    let verdicts = org.verdicts(&by_team, k);
    let rows = count_rows(counts, &cycle.cycle_id)?;
    // Which scopes each team feeds.
    let team_sets: Vec<_> = scopes.iter().map(|s| org.teams_of(s)).collect();
    let mut feeds: HashMap<Option<String>, Vec<usize>> = HashMap::new();
    let mut sums: HashMap<(usize, String), Sums> = HashMap::new();
    let mut area_by_team: HashMap<&str, ByTeam> = HashMap::new();
    for (team, area, s) in &rows {
        *area_by_team.entry(area.as_str()).or_default().entry(team.clone()).or_default() += s.n;
        let targets = feeds.entry(team.clone()).or_insert_with(|| {
            (0..scopes.len())
                .filter(|&i| match &team_sets[i] {
                    None => true,
                    Some(set) => team.as_ref().is_some_and(|t| set.contains(t)),
                })
                .collect()
        });
        for &i in targets.iter() {
            let e = sums.entry((i, area.clone())).or_default();
            e.n += s.n;
            e.favorable += s.favorable;
            e.unfavorable += s.unfavorable;
            e.sum_value += s.sum_value;
        }
    }
    let scored = score_sums(&sums, k)?;
    let area_verdicts: HashMap<&str, _> = area_by_team.iter().map(|(a, bt)| (*a, org.verdicts(bt, k))).collect();
    let no_answers = org.verdicts(&ByTeam::new(), k);
    let mut out = Vec::with_capacity(scopes.len());
    for (i, scope) in scopes.iter().enumerate() {
        let responses: i64 = by_team
            .iter()
            .filter(|(t, _)| match &team_sets[i] {
                None => true,
                Some(set) => t.as_ref().is_some_and(|t| set.contains(t)),
            })
            .map(|(_, n)| *n)
            .sum();
        let scope_reason = match scope {
            Scope::Org => (responses < k as i64).then_some(Reason::FewerThanK),
            _ => org.reason(&verdicts, scope),
        };
        let scores: Vec<AreaScore> = areas
            .iter()
            .map(|area| {
                let key = (i, area.clone());
                let n = sums.get(&key).map(|s| s.n).unwrap_or(0);
                let mut reason = scope_reason.or((n < k as i64).then_some(Reason::FewerThanK));
                if reason.is_none() && *scope != Scope::Org {
                    reason = org.reason(area_verdicts.get(area.as_str()).unwrap_or(&no_answers), scope);
                }
                area_score(area, n, reason, scored.get(&key))
            })
            .collect();
        let visible: Vec<f64> = scores.iter().filter_map(|r| r.pct_favorable).collect();
        let devex_index = (scope_reason.is_none() && !visible.is_empty())
            .then(|| 100.0 * visible.iter().sum::<f64>() / visible.len() as f64);
        out.push(ScoresReport {
            cycle_id: cycle.cycle_id.clone(),
            scope: scope.label(),
            responses: scope_reason.is_none().then_some(responses),
            suppressed: scope_reason.is_some(),
            reason: scope_reason.map(Reason::as_str),
            devex_index,
            scores,
        });
    }
    Ok(out)
}

/// The `likert5` areas of a survey, sorted.
pub(crate) fn likert_areas(tables: &Tables, survey_id: &str) -> PolarsResult<Vec<String>> {
    let q = tables
        .get("questions")
        .clone()
        .lazy()
        .filter(col("survey_id").eq(lit(survey_id.to_string())).and(col("kind").eq(lit("likert5"))))
        .select([col("area_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let mut v: Vec<String> = q.column("area_id")?.str()?.iter().flatten().map(str::to_string).collect();
    v.sort();
    Ok(v)
}

/// `delta_favorable` of `now` against `before` (same scopes, same order), and
/// `vs_org` against the organisation's row (`org`, the index of its report).
pub(crate) fn fill_differences(now: &mut [ScoresReport], before: Option<&[ScoresReport]>, org: Option<usize>) {
    if let Some(before) = before {
        for (report, prev) in now.iter_mut().zip(before) {
            for (row, p) in report.scores.iter_mut().zip(&prev.scores) {
                row.delta_favorable = row.pct_favorable.zip(p.pct_favorable).map(|(a, b)| a - b);
            }
        }
    }
    let Some(o) = org else { return };
    let org_fav: Vec<Option<f64>> = now[o].scores.iter().map(|s| s.pct_favorable).collect();
    for (i, report) in now.iter_mut().enumerate() {
        if i == o {
            continue;
        }
        for (row, of) in report.scores.iter_mut().zip(&org_fav) {
            row.vs_org = row.pct_favorable.zip(*of).map(|(a, b)| a - b);
        }
    }
}

/// Scores of several scopes of a closed cycle, with deltas and `vs_org`
/// (the organisation is always evaluated, first, and then dropped unless
/// asked for).
pub(crate) fn scores_of(
    tables: &Tables,
    target: &CycleInfo,
    previous: Option<&CycleInfo>,
    scopes: &[Scope],
    k: u32,
) -> Result<Vec<ScoresReport>, AnalysisError> {
    let areas = likert_areas(tables, &target.survey_id)?;
    let ids: Vec<&str> =
        std::iter::once(target.cycle_id.as_str()).chain(previous.map(|p| p.cycle_id.as_str())).collect();
    let counts = cycle_counts(tables, &ids)?;
    let mut all = vec![Scope::Org];
    all.extend(scopes.iter().filter(|s| **s != Scope::Org).cloned());
    let mut now = evaluate(tables, &counts, target, &all, &areas, k)?;
    let before = previous.map(|p| evaluate(tables, &counts, p, &all, &areas, k)).transpose()?;
    fill_differences(&mut now, before.as_deref(), Some(0));
    let mut by_label: HashMap<String, ScoresReport> = now.into_iter().map(|r| (r.scope.clone(), r)).collect();
    Ok(scopes.iter().filter_map(|s| by_label.remove(&s.label())).collect())
}

/// The scores of `scope` in the closed cycle `cycle_id`.
pub fn scores(tables: &Tables, cycle_id: &str, scope: &Scope, params: &Params) -> Result<ScoresReport, AnalysisError> {
    let (target, previous) = resolve_cycle(tables, Some(cycle_id))?;
    if !Org::new(tables, &target.cycle_id)?.knows(scope) {
        return Err(AnalysisError::UnknownScope(scope.label()));
    }
    scores_of(tables, &target, previous.as_ref(), std::slice::from_ref(scope), params.k)?
        .pop()
        .ok_or_else(|| AnalysisError::UnknownScope(scope.label()))
}
