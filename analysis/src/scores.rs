//! Scores per (cycle, scope, area) with the anonymity rules of analysis.md:
//! nothing for a group under k, the differencing guard on every breakdown
//! (org into groups and ungrouped teams, group into teams), and a team's or
//! group's own figures only where it is visible in its parent's breakdown.

use crate::priorities::{CycleInfo, cycle_counts, resolve_cycle};
use crate::{AnalysisError, Params, Reason, Tables, guard_from, scores_from_counts};
use polars::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Whose scores: the whole organisation, a group, or one team.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub delta_favorable: Option<f64>,
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

struct Team {
    slug: String,
    group: Option<String>,
}

/// A child of a breakdown: what it is, and how to compare it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Child {
    Group(String),
    Team(String),
    /// Responses exported without a team (always hidden).
    Unattributed,
}

struct Org {
    teams: HashMap<String, Team>,
}

impl Org {
    /// The organisation as it was in `cycle_id`: each team in the group it
    /// had when the cycle opened (`participation.group_name`, "groups are
    /// frozen"); teams the cycle did not cover in their group of today.
    fn new(tables: &Tables, cycle_id: &str) -> PolarsResult<Self> {
        let df = tables.get("teams");
        let (ids, slugs, groups) =
            (df.column("team_id")?.str()?, df.column("slug")?.str()?, df.column("group_name")?.str()?);
        let mut teams = HashMap::new();
        for i in 0..df.height() {
            if let (Some(id), Some(slug)) = (ids.get(i), slugs.get(i)) {
                teams.insert(id.to_string(), Team { slug: slug.to_string(), group: groups.get(i).map(str::to_string) });
            }
        }
        let p = tables.get("participation");
        let (cycles, team_ids, frozen) =
            (p.column("cycle_id")?.str()?, p.column("team_id")?.str()?, p.column("group_name")?.str()?);
        for i in 0..p.height() {
            if cycles.get(i) != Some(cycle_id) {
                continue;
            }
            if let Some(team) = team_ids.get(i).and_then(|t| teams.get_mut(t)) {
                team.group = frozen.get(i).map(str::to_string);
            }
        }
        Ok(Org { teams })
    }

    /// The teams hidden in `cycle_id` given responses by team: below k, or
    /// by the differencing guard in their group's breakdown or their group's
    /// in the organisation's. Their ids must not appear next to any figure.
    fn hidden_teams(&self, by_team: &HashMap<Option<String>, i64>, k: u32) -> BTreeSet<String> {
        self.teams
            .iter()
            .filter(|(_, t)| self.hidden(&Scope::Team(t.slug.clone()), by_team, k).is_some())
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn child_of_org(&self, team_id: Option<&str>) -> Child {
        match team_id.and_then(|t| self.teams.get(t).map(|team| (t, team))) {
            Some((_, Team { group: Some(g), .. })) => Child::Group(g.clone()),
            Some((t, _)) => Child::Team(t.to_string()),
            None => Child::Unattributed,
        }
    }

    fn slug(&self, child: &Child) -> String {
        match child {
            Child::Group(g) => format!("group:{g}"),
            Child::Team(t) => self.teams.get(t).map(|x| x.slug.clone()).unwrap_or_default(),
            Child::Unattributed => String::new(),
        }
    }

    /// The breakdown a scope is a child of, and the child it is.
    fn parent_breakdown(&self, scope: &Scope) -> Option<(Option<String>, Child)> {
        match scope {
            Scope::Org => None,
            Scope::Group(g) => Some((None, Child::Group(g.clone()))),
            Scope::Team(slug) => {
                let (id, team) = self.teams.iter().find(|(_, t)| &t.slug == slug)?;
                match &team.group {
                    Some(g) => Some((Some(g.clone()), Child::Team(id.clone()))),
                    None => Some((None, Child::Team(id.clone()))),
                }
            }
        }
    }

    /// Counts of the children of a parent (`None`: the org; `Some(g)`: group g),
    /// from counts by team; every team of the parent appears, with 0 if need be.
    fn children(&self, parent: &Option<String>, by_team: &HashMap<Option<String>, i64>) -> Vec<(Child, u64)> {
        let mut out: HashMap<Child, u64> = HashMap::new();
        for (id, team) in &self.teams {
            let child = match parent {
                None => self.child_of_org(Some(id)),
                Some(g) if team.group.as_deref() == Some(g) => Child::Team(id.clone()),
                Some(_) => continue,
            };
            *out.entry(child).or_default() += by_team.get(&Some(id.clone())).copied().unwrap_or(0).max(0) as u64;
        }
        if parent.is_none() {
            let unattributed: i64 = by_team
                .iter()
                .filter(|(t, _)| t.as_ref().is_none_or(|t| !self.teams.contains_key(t)))
                .map(|(_, n)| *n)
                .sum();
            if unattributed > 0 {
                out.insert(Child::Unattributed, unattributed as u64);
            }
        }
        let mut v: Vec<(Child, u64)> = out.into_iter().collect();
        v.sort();
        v
    }

    /// Whether `child` survives the guard of its parent's breakdown.
    fn hidden_in(
        &self,
        parent: &Option<String>,
        child: &Child,
        by_team: &HashMap<Option<String>, i64>,
        k: u32,
    ) -> Option<Reason> {
        let children = self.children(parent, by_team);
        let named: Vec<(String, u64)> = children.iter().map(|(c, n)| (self.slug(c), *n)).collect();
        let forced: Vec<bool> = children.iter().map(|(c, _)| *c == Child::Unattributed).collect();
        let hidden = guard_from(&named, &forced, k);
        children.iter().position(|(c, _)| c == child).map(|i| hidden[i]).unwrap_or(Some(Reason::FewerThanK))
    }

    /// Whether a scope is hidden in its parent's breakdown, or its parent in
    /// the organisation's (a team of a hidden group stays hidden too, or the
    /// group could be rebuilt from its teams).
    fn hidden(&self, scope: &Scope, by_team: &HashMap<Option<String>, i64>, k: u32) -> Option<Reason> {
        let (parent, child) = self.parent_breakdown(scope)?;
        let own = self.hidden_in(&parent, &child, by_team, k);
        match (own, parent) {
            (Some(r), _) => Some(r),
            (None, Some(g)) => self.hidden_in(&None, &Child::Group(g), by_team, k),
            (None, None) => None,
        }
    }

    fn teams_of(&self, scope: &Scope) -> Option<BTreeSet<String>> {
        match scope {
            Scope::Org => None,
            Scope::Group(g) => Some(
                self.teams.iter().filter(|(_, t)| t.group.as_deref() == Some(g)).map(|(id, _)| id.clone()).collect(),
            ),
            Scope::Team(slug) => {
                Some(self.teams.iter().filter(|(_, t)| &t.slug == slug).map(|(id, _)| id.clone()).collect())
            }
        }
    }
}

/// Rows of the counts of one cycle: (team_id, area_id, n).
fn count_rows(counts: &DataFrame, cycle_id: &str) -> PolarsResult<Vec<(Option<String>, String, i64)>> {
    let df = counts.clone().lazy().filter(col("cycle_id").eq(lit(cycle_id.to_string()))).collect()?;
    let (teams, areas, ns) = (df.column("team_id")?.str()?, df.column("area_id")?.str()?, df.column("n")?.i64()?);
    Ok((0..df.height())
        .map(|i| {
            (teams.get(i).map(str::to_string), areas.get(i).unwrap_or_default().to_string(), ns.get(i).unwrap_or(0))
        })
        .collect())
}

fn responses_by_team(tables: &Tables, cycle_id: &str) -> PolarsResult<HashMap<Option<String>, i64>> {
    let df = tables
        .get("responses")
        .clone()
        .lazy()
        .filter(col("cycle_id").eq(lit(cycle_id.to_string())))
        .group_by([col("team_id")])
        .agg([len().cast(DataType::Int64).alias("n")])
        .collect()?;
    let (teams, ns) = (df.column("team_id")?.str()?, df.column("n")?.i64()?);
    Ok((0..df.height()).map(|i| (teams.get(i).map(str::to_string), ns.get(i).unwrap_or(0))).collect())
}

/// One cycle's view of a scope: (scope reason, responses, per-area scores).
fn evaluate(
    tables: &Tables,
    counts: &DataFrame,
    cycle: &CycleInfo,
    scope: &Scope,
    areas: &[String],
    k: u32,
) -> Result<(Option<Reason>, i64, Vec<AreaScore>), AnalysisError> {
    let org = Org::new(tables, &cycle.cycle_id)?;
    let by_team = responses_by_team(tables, &cycle.cycle_id)?;
    let teams = org.teams_of(scope);
    let in_scope = |t: &Option<String>| match &teams {
        None => true,
        Some(set) => t.as_ref().is_some_and(|t| set.contains(t)),
    };
    let responses: i64 = by_team.iter().filter(|(t, _)| in_scope(t)).map(|(_, n)| *n).sum();
    let scope_reason = match scope {
        Scope::Org => (responses < k as i64).then_some(Reason::FewerThanK),
        _ => org.hidden(scope, &by_team, k),
    };
    // Per-area counts by team, for the per-area guard.
    let rows = count_rows(counts, &cycle.cycle_id)?;
    let mut area_by_team: HashMap<&str, HashMap<Option<String>, i64>> = HashMap::new();
    for (t, a, n) in &rows {
        *area_by_team.entry(a.as_str()).or_default().entry(t.clone()).or_default() += n;
    }
    let mut filtered = counts.clone().lazy().filter(col("cycle_id").eq(lit(cycle.cycle_id.clone())));
    if let Some(set) = &teams {
        let ids = Series::new("ids".into(), set.iter().cloned().collect::<Vec<_>>());
        filtered = filtered.filter(col("team_id").is_in(lit(ids).implode(false), false));
    }
    let scored = scores_from_counts(
        filtered.group_by([col("area_id")]).agg([
            col("n").sum(),
            col("favorable").sum(),
            col("unfavorable").sum(),
            col("sum_value").sum(),
        ]),
        k,
    )
    .collect()?;
    let get_f = |c: &str, i: usize| -> PolarsResult<Option<f64>> { Ok(scored.column(c)?.f64()?.get(i)) };
    let ids = scored.column("area_id")?.str()?;
    let mut out = Vec::new();
    for area in areas {
        let row = (0..scored.height()).find(|i| ids.get(*i) == Some(area.as_str()));
        let n = match row {
            Some(i) => scored.column("n")?.i64()?.get(i).unwrap_or(0),
            None => 0,
        };
        let mut reason = scope_reason.or((n < k as i64).then_some(Reason::FewerThanK));
        if reason.is_none() && *scope != Scope::Org {
            let empty = HashMap::new();
            reason = org.hidden(scope, area_by_team.get(area.as_str()).unwrap_or(&empty), k);
        }
        let shown = |c: &str| -> PolarsResult<Option<f64>> {
            match (reason, row) {
                (None, Some(i)) => get_f(c, i),
                _ => Ok(None),
            }
        };
        out.push(AreaScore {
            area_id: area.clone(),
            n: reason.is_none().then_some(n),
            pct_favorable: shown("pct_favorable")?,
            pct_unfavorable: shown("pct_unfavorable")?,
            mean: shown("mean")?,
            unfav_lo: shown("unfav_lo")?,
            unfav_hi: shown("unfav_hi")?,
            delta_favorable: None,
            suppressed: reason.is_some(),
            reason: reason.map(Reason::as_str),
        });
    }
    Ok((scope_reason, responses, out))
}

/// The scores of `scope` in the closed cycle `cycle_id`.
pub fn scores(tables: &Tables, cycle_id: &str, scope: &Scope, params: &Params) -> Result<ScoresReport, AnalysisError> {
    let (target, previous) = resolve_cycle(tables, Some(cycle_id))?;
    let org = Org::new(tables, &target.cycle_id)?;
    let known = match scope {
        Scope::Org => true,
        Scope::Group(g) => org.teams.values().any(|t| t.group.as_deref() == Some(g)),
        Scope::Team(s) => org.teams.values().any(|t| &t.slug == s),
    };
    if !known {
        return Err(AnalysisError::UnknownScope(scope.label()));
    }
    let areas: Vec<String> = {
        let q = tables
            .get("questions")
            .clone()
            .lazy()
            .filter(col("survey_id").eq(lit(target.survey_id.clone())).and(col("kind").eq(lit("likert5"))))
            .select([col("area_id")])
            .unique(None, UniqueKeepStrategy::Any)
            .collect()?;
        let mut v: Vec<String> = q.column("area_id")?.str()?.iter().flatten().map(str::to_string).collect();
        v.sort();
        v
    };
    let ids: Vec<&str> =
        std::iter::once(target.cycle_id.as_str()).chain(previous.as_ref().map(|p| p.cycle_id.as_str())).collect();
    let counts = cycle_counts(tables, &target.survey_id, &ids)?;
    let (reason, responses, mut rows) = evaluate(tables, &counts, &target, scope, &areas, params.k)?;
    if let Some(p) = &previous {
        let (_, _, before) = evaluate(tables, &counts, p, scope, &areas, params.k)?;
        for (row, prev) in rows.iter_mut().zip(before) {
            row.delta_favorable = row.pct_favorable.zip(prev.pct_favorable).map(|(a, b)| a - b);
        }
    }
    let visible: Vec<f64> = rows.iter().filter_map(|r| r.pct_favorable).collect();
    let devex_index =
        (reason.is_none() && !visible.is_empty()).then(|| 100.0 * visible.iter().sum::<f64>() / visible.len() as f64);
    Ok(ScoresReport {
        cycle_id: target.cycle_id,
        scope: scope.label(),
        responses: reason.is_none().then_some(responses),
        suppressed: reason.is_some(),
        reason: reason.map(Reason::as_str),
        devex_index,
        scores: rows,
    })
}

/// The export's guard (analysis.md): in `responses` and `participation`,
/// every team the anonymity rules hide in a cycle loses its id, and its
/// participation rows are merged into one row per cycle with no team and no
/// group, so the export cannot single out a small team. The counts behind
/// the guard are `participation.responded` (equal to the responses of a
/// closed cycle). Org-level figures do not change.
pub fn guard_export(tables: &mut Tables, k: u32) -> Result<(), AnalysisError> {
    let p = tables.get("participation").clone();
    let mut hidden: HashMap<String, BTreeSet<String>> = HashMap::new();
    let cycle_ids: BTreeSet<String> = p.column("cycle_id")?.str()?.iter().flatten().map(str::to_string).collect();
    for cycle_id in cycle_ids {
        let rows = p.clone().lazy().filter(col("cycle_id").eq(lit(cycle_id.clone()))).collect()?;
        let (teams, responded) = (rows.column("team_id")?.str()?, rows.column("responded")?.i64()?);
        let by_team: HashMap<Option<String>, i64> =
            (0..rows.height()).map(|i| (teams.get(i).map(str::to_string), responded.get(i).unwrap_or(0))).collect();
        hidden.insert(cycle_id.clone(), Org::new(tables, &cycle_id)?.hidden_teams(&by_team, k));
    }
    let is_hidden = |c: Option<&str>, t: Option<&str>| match (c, t) {
        (Some(c), Some(t)) => hidden.get(c).is_some_and(|h| h.contains(t)),
        _ => true,
    };
    // Participation: visible rows as they are, hidden ones summed per cycle.
    let (cycles, teams, groups) =
        (p.column("cycle_id")?.str()?, p.column("team_id")?.str()?, p.column("group_name")?.str()?);
    let (invited, responded) = (p.column("invited")?.i64()?, p.column("responded")?.i64()?);
    let mut out = crate::TableData::new("participation");
    let mut merged: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for i in 0..p.height() {
        let (c, t) = (cycles.get(i), teams.get(i));
        if is_hidden(c, t) {
            let e = merged.entry(c.unwrap_or_default().to_string()).or_default();
            e.0 += invited.get(i).unwrap_or(0);
            e.1 += responded.get(i).unwrap_or(0);
        } else {
            out.push(vec![
                crate::Cell::Str(c.map(str::to_string)),
                crate::Cell::Str(t.map(str::to_string)),
                crate::Cell::Int(invited.get(i)),
                crate::Cell::Int(responded.get(i)),
                crate::Cell::Str(groups.get(i).map(str::to_string)),
            ])?;
        }
    }
    for (c, (inv, resp)) in merged {
        out.push(vec![
            crate::Cell::Str(Some(c)),
            crate::Cell::Str(None),
            crate::Cell::Int(Some(inv)),
            crate::Cell::Int(Some(resp)),
            crate::Cell::Str(None),
        ])?;
    }
    // Responses: the same teams lose their id.
    let r = tables.get("responses").clone();
    let (ids, cycles, teams, dates) = (
        r.column("response_id")?.str()?,
        r.column("cycle_id")?.str()?,
        r.column("team_id")?.str()?,
        r.column("submitted_on")?.str()?,
    );
    let mut responses = crate::TableData::new("responses");
    for i in 0..r.height() {
        let team = if is_hidden(cycles.get(i), teams.get(i)) { None } else { teams.get(i).map(str::to_string) };
        responses.push(vec![
            crate::Cell::Str(ids.get(i).map(str::to_string)),
            crate::Cell::Str(cycles.get(i).map(str::to_string)),
            crate::Cell::Str(team),
            crate::Cell::Str(dates.get(i).map(str::to_string)),
        ])?;
    }
    tables.replace(out)?;
    tables.replace(responses)?;
    Ok(())
}
