//! The organisation as one cycle saw it, and the anonymity verdicts of its
//! breakdowns (analysis.md): fewer than k, and the differencing guard on the
//! organisation into groups and ungrouped teams and on each group into its
//! teams. A team's or group's own figures show only where it is visible in
//! its parent's breakdown, and a team of a hidden group stays hidden too (or
//! the group could be rebuilt from its teams).

use crate::{Reason, Scope, Tables, guard_from};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A team as the cycle saw it.
#[derive(Debug, Clone)]
pub(crate) struct Team {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub group: Option<String>,
    pub headcount: i64,
}

/// Responses (or answers) by team id; `None`: responses that carry no team.
pub(crate) type ByTeam = HashMap<Option<String>, i64>;

/// A child of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Child {
    Group(String),
    /// A team by its index in [`Org::teams`].
    Team(usize),
    /// Responses without a known team (always hidden).
    Unattributed,
}

/// The verdict of every breakdown for one set of counts.
pub(crate) struct Verdicts {
    groups: HashMap<String, Option<Reason>>,
    /// By team index: the team's own verdict, or its group's when that hides it.
    teams: Vec<Option<Reason>>,
}

pub(crate) struct Org {
    /// Sorted by slug.
    pub teams: Vec<Team>,
    by_id: HashMap<String, usize>,
    by_slug: HashMap<String, usize>,
}

impl Org {
    /// The organisation as it was in `cycle_id`: each team in the group it
    /// had when the cycle opened (`participation.group_name`, "groups are
    /// frozen"); teams the cycle did not cover in their group of today.
    pub fn new(tables: &Tables, cycle_id: &str) -> PolarsResult<Self> {
        let df = tables.get("teams");
        let (ids, slugs, names, groups, heads) = (
            df.column("team_id")?.str()?,
            df.column("slug")?.str()?,
            df.column("name")?.str()?,
            df.column("group_name")?.str()?,
            df.column("headcount")?.i64()?,
        );
        let mut teams: Vec<Team> = (0..df.height())
            .filter_map(|i| {
                Some(Team {
                    id: ids.get(i)?.to_string(),
                    slug: slugs.get(i)?.to_string(),
                    name: names.get(i).unwrap_or_default().to_string(),
                    group: groups.get(i).map(str::to_string),
                    headcount: heads.get(i).unwrap_or(0),
                })
            })
            .collect();
        teams.sort_by(|a, b| a.slug.cmp(&b.slug));
        let by_id: HashMap<String, usize> = teams.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
        let p = tables.get("participation");
        let (cycles, team_ids, frozen) =
            (p.column("cycle_id")?.str()?, p.column("team_id")?.str()?, p.column("group_name")?.str()?);
        for i in 0..p.height() {
            if cycles.get(i) != Some(cycle_id) {
                continue;
            }
            if let Some(&t) = team_ids.get(i).and_then(|t| by_id.get(t)) {
                teams[t].group = frozen.get(i).map(str::to_string);
            }
        }
        let by_slug = teams.iter().enumerate().map(|(i, t)| (t.slug.clone(), i)).collect();
        Ok(Org { teams, by_id, by_slug })
    }

    pub fn team_by_slug(&self, slug: &str) -> Option<&Team> {
        self.by_slug.get(slug).map(|&i| &self.teams[i])
    }

    /// The groups of the cycle, sorted.
    pub fn groups(&self) -> BTreeSet<String> {
        self.teams.iter().filter_map(|t| t.group.clone()).collect()
    }

    /// Whether the scope names a group or team of this organisation.
    pub fn knows(&self, scope: &Scope) -> bool {
        match scope {
            Scope::Org => true,
            Scope::Group(g) => self.teams.iter().any(|t| t.group.as_deref() == Some(g)),
            Scope::Team(s) => self.by_slug.contains_key(s),
        }
    }

    /// The team ids of a scope; `None` for the organisation (every response).
    pub fn teams_of(&self, scope: &Scope) -> Option<BTreeSet<String>> {
        match scope {
            Scope::Org => None,
            Scope::Group(g) => {
                Some(self.teams.iter().filter(|t| t.group.as_deref() == Some(g)).map(|t| t.id.clone()).collect())
            }
            Scope::Team(slug) => Some(self.team_by_slug(slug).map(|t| t.id.clone()).into_iter().collect()),
        }
    }

    fn label(&self, child: &Child) -> String {
        match child {
            Child::Group(g) => format!("group:{g}"),
            Child::Team(i) => self.teams[*i].slug.clone(),
            Child::Unattributed => String::new(),
        }
    }

    fn count(by_team: &ByTeam, id: &str) -> u64 {
        by_team.get(&Some(id.to_string())).copied().unwrap_or(0).max(0) as u64
    }

    /// Runs the guard over one breakdown: children with their counts.
    fn judge(&self, children: BTreeMap<Child, u64>, k: u32) -> Vec<(Child, Option<Reason>)> {
        let named: Vec<(String, u64)> = children.iter().map(|(c, n)| (self.label(c), *n)).collect();
        let forced: Vec<bool> = children.keys().map(|c| *c == Child::Unattributed).collect();
        children.into_keys().zip(guard_from(&named, &forced, k)).collect()
    }

    /// The verdicts of the organisation's breakdown and of every group's,
    /// for counts by team (responses, or one area's answers).
    pub fn verdicts(&self, by_team: &ByTeam, k: u32) -> Verdicts {
        let mut org: BTreeMap<Child, u64> = BTreeMap::new();
        let mut in_groups: BTreeMap<String, BTreeMap<Child, u64>> = BTreeMap::new();
        for (i, t) in self.teams.iter().enumerate() {
            let n = Self::count(by_team, &t.id);
            match &t.group {
                Some(g) => {
                    *org.entry(Child::Group(g.clone())).or_default() += n;
                    in_groups.entry(g.clone()).or_default().insert(Child::Team(i), n);
                }
                None => *org.entry(Child::Team(i)).or_default() += n,
            }
        }
        let unattributed: i64 = by_team
            .iter()
            .filter(|(t, _)| t.as_ref().is_none_or(|t| !self.by_id.contains_key(t)))
            .map(|(_, n)| *n)
            .sum();
        if unattributed > 0 {
            org.insert(Child::Unattributed, unattributed as u64);
        }
        let mut v = Verdicts { groups: HashMap::new(), teams: vec![None; self.teams.len()] };
        for (child, reason) in self.judge(org, k) {
            match child {
                Child::Group(g) => {
                    v.groups.insert(g, reason);
                }
                Child::Team(i) => v.teams[i] = reason,
                Child::Unattributed => {}
            }
        }
        for (g, children) in in_groups {
            let group_reason = v.groups.get(&g).copied().flatten();
            for (child, reason) in self.judge(children, k) {
                if let Child::Team(i) = child {
                    v.teams[i] = reason.or(group_reason);
                }
            }
        }
        v
    }

    /// Why a scope is hidden in its parent's breakdown (or its parent in the
    /// organisation's); `None` when it is visible. The organisation has no parent.
    pub fn reason(&self, v: &Verdicts, scope: &Scope) -> Option<Reason> {
        match scope {
            Scope::Org => None,
            Scope::Group(g) => v.groups.get(g).copied().unwrap_or(Some(Reason::FewerThanK)),
            Scope::Team(slug) => self.by_slug.get(slug).map(|&i| v.teams[i]).unwrap_or(Some(Reason::FewerThanK)),
        }
    }

    /// The ids of the teams hidden by `v`.
    pub fn hidden_teams(&self, v: &Verdicts) -> BTreeSet<String> {
        self.teams.iter().zip(&v.teams).filter(|(_, r)| r.is_some()).map(|(t, _)| t.id.clone()).collect()
    }
}

/// Responses of one cycle by team id, from the tables' counts.
pub(crate) fn responses_by_team(tables: &Tables, cycle_id: &str) -> Result<ByTeam, crate::AnalysisError> {
    let df = tables
        .aggregates()?
        .responses
        .clone()
        .lazy()
        .filter(col("cycle_id").eq(lit(cycle_id.to_string())))
        .group_by([col("team_id")])
        .agg([col("responses").sum().alias("n")])
        .collect()?;
    let (teams, ns) = (df.column("team_id")?.str()?, df.column("n")?.i64()?);
    Ok((0..df.height()).map(|i| (teams.get(i).map(str::to_string), ns.get(i).unwrap_or(0))).collect())
}
