//! The roadmap priority report of one closed cycle (analysis.md,
//! "Priorities"): survey pain, priority votes and friction hours, weighted
//! into one priority per area, ranked, with the change since the previous
//! closed cycle of the same survey.

use crate::friction::{FREQUENCY_RATES, cycle_friction};
use crate::{AnalysisError, Tables, scores_from_counts};
use polars::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// Weights of the three components.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    pub survey: f64,
    pub votes: f64,
    pub friction: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { survey: 0.4, votes: 0.3, friction: 0.3 }
    }
}

/// `0.4,0.3,0.3`: survey, votes, friction; none negative, not all zero.
impl std::str::FromStr for Weights {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>().map_err(|_| format!("{:?} is not a number", p.trim())))
            .collect::<Result<_, _>>()?;
        match parts.as_slice() {
            [a, b, c] if parts.iter().all(|w| w.is_finite() && *w >= 0.0) && a + b + c > 0.0 => {
                Ok(Weights { survey: *a, votes: *b, friction: *c })
            }
            _ => Err("three weights (survey, votes, friction), none negative, not all zero, e.g. 0.4,0.3,0.3".into()),
        }
    }
}

/// The lookback window of friction a report may use, in days.
pub const LOOKBACK_DAYS: std::ops::RangeInclusive<i64> = 1..=3650;

/// The inputs of a report besides the tables.
#[derive(Debug, Clone)]
pub struct Params {
    pub k: u32,
    pub weights: Weights,
    pub lookback_days: i64,
    /// When the report was generated (RFC 3339), stated in the report.
    pub generated_at: String,
}

impl Params {
    pub fn new(k: u32, generated_at: impl Into<String>) -> Self {
        Params { k, weights: Weights::default(), lookback_days: 90, generated_at: generated_at.into() }
    }
}

/// A cycle as the report states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleInfo {
    pub cycle_id: String,
    pub survey_id: String,
    pub opens_on: String,
    pub closes_on: String,
    #[serde(skip)]
    pub status: String,
}

/// The parameters as the report states them.
#[derive(Debug, Clone, Serialize)]
pub struct Parameters {
    pub k: u32,
    pub weights: Weights,
    pub lookback_days: i64,
}

/// One area of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priority {
    pub rank: u32,
    pub area_id: String,
    pub area_name: String,
    pub dimension: String,
    pub priority: f64,
    pub survey_pain: f64,
    /// Null when fewer than k answered the area's items.
    pub pct_unfavorable: Option<f64>,
    /// Null when fewer than k answered the area's items.
    pub n: Option<i64>,
    /// Null when fewer than k responses answered a priority pick (then 0 in the priority).
    pub vote_share: Option<f64>,
    pub friction_hours: f64,
    pub friction_reports: i64,
    pub teams_affected: i64,
    pub priority_delta: Option<f64>,
    pub roadmap: Vec<String>,
}

/// The previous closed cycle, for "what changed".
#[derive(Debug, Clone)]
pub struct Previous {
    pub cycle: CycleInfo,
    pub ranks: HashMap<String, u32>,
}

/// The roadmap priority report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cycle: CycleInfo,
    pub generated_at: String,
    pub parameters: Parameters,
    pub responses: i64,
    pub priorities: Vec<Priority>,
    #[serde(skip)]
    pub previous: Option<Previous>,
}

fn str_at(df: &DataFrame, column: &str, row: usize) -> PolarsResult<Option<String>> {
    Ok(df.column(column)?.str()?.get(row).map(str::to_string))
}

fn cycle_rows(tables: &Tables) -> Result<Vec<CycleInfo>, AnalysisError> {
    let df = tables.get("cycles");
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let get = |c: &str| -> Result<String, AnalysisError> {
            str_at(df, c, i)?.ok_or_else(|| AnalysisError::Input(format!("cycles.{c} is empty in row {}", i + 1)))
        };
        out.push(CycleInfo {
            cycle_id: get("cycle_id")?,
            survey_id: get("survey_id")?,
            opens_on: get("opens_on")?,
            closes_on: get("closes_on")?,
            status: get("status")?,
        });
    }
    Ok(out)
}

/// The cycle to report on (default: the latest closed one) and the closed
/// cycle before it of the same survey.
pub fn resolve_cycle(tables: &Tables, cycle_id: Option<&str>) -> Result<(CycleInfo, Option<CycleInfo>), AnalysisError> {
    let cycles = cycle_rows(tables)?;
    let target = match cycle_id {
        Some(id) => {
            let c = cycles.iter().find(|c| c.cycle_id == id).ok_or_else(|| AnalysisError::UnknownCycle(id.into()))?;
            if c.status != "closed" {
                return Err(AnalysisError::CycleOpen(id.into()));
            }
            c.clone()
        }
        None => cycles
            .iter()
            .filter(|c| c.status == "closed")
            .max_by(|a, b| a.closes_on.cmp(&b.closes_on).then_with(|| a.cycle_id.cmp(&b.cycle_id)))
            .cloned()
            .ok_or(AnalysisError::NoClosedCycle)?,
    };
    let previous = cycles
        .iter()
        .filter(|c| c.status == "closed" && c.survey_id == target.survey_id && c.opens_on < target.opens_on)
        .max_by(|a, b| a.opens_on.cmp(&b.opens_on))
        .cloned();
    Ok((target, previous))
}

/// The closed cycles of a survey, oldest first.
pub(crate) fn closed_cycles(tables: &Tables, survey_id: &str) -> Result<Vec<CycleInfo>, AnalysisError> {
    let mut out: Vec<CycleInfo> =
        cycle_rows(tables)?.into_iter().filter(|c| c.status == "closed" && c.survey_id == survey_id).collect();
    out.sort_by(|a, b| a.opens_on.cmp(&b.opens_on).then_with(|| a.cycle_id.cmp(&b.cycle_id)));
    Ok(out)
}

/// Likert counts by (`cycle_id`, `team_id`, `area_id`) for the given cycles
/// (`n`, `favorable`, `unfavorable`, `sum_value`), from the tables' counts.
pub fn cycle_counts(tables: &Tables, cycles: &[&str]) -> Result<DataFrame, AnalysisError> {
    Ok(tables.aggregates()?.counts(cycles)?)
}

/// Priority votes of the given cycles: (`cycle_id`, `area_id`, `votes`) and
/// the number of responses that answered a priority pick, per cycle.
fn cycle_votes(tables: &Tables, cycles: &[&str]) -> Result<(DataFrame, HashMap<String, i64>), AnalysisError> {
    let agg = tables.aggregates()?;
    let votes = agg
        .picks
        .clone()
        .lazy()
        .filter(crate::aggregates::in_cycles(cycles))
        .group_by([col("cycle_id"), col("area_id")])
        .agg([col("votes").sum()])
        .collect()?;
    let per_cycle = agg
        .responses
        .clone()
        .lazy()
        .filter(crate::aggregates::in_cycles(cycles))
        .group_by([col("cycle_id")])
        .agg([col("pick_responses").sum().alias("n")])
        .collect()?;
    let mut answered = HashMap::new();
    for i in 0..per_cycle.height() {
        if let (Some(c), Some(n)) = (str_at(&per_cycle, "cycle_id", i)?, per_cycle.column("n")?.i64()?.get(i)) {
            answered.insert(c, n);
        }
    }
    Ok((votes, answered))
}

/// Responses of one cycle, from the tables' counts.
pub(crate) fn responses_in(tables: &Tables, cycle_id: &str) -> Result<i64, AnalysisError> {
    Ok(crate::org::responses_by_team(tables, cycle_id)?.values().sum())
}

fn check_values(tables: &Tables, table: &str, column: &str, allowed: &[&str]) -> Result<(), AnalysisError> {
    let df = tables.get(table);
    let ca = df.column(column)?.str()?;
    if let Some(bad) = ca.iter().flatten().find(|v| !allowed.contains(v)) {
        return Err(AnalysisError::Input(format!(
            "{table}.{column} holds {bad:?}; expected one of {}",
            allowed.join(", ")
        )));
    }
    Ok(())
}

/// The ranked priorities of one cycle, without deltas.
fn ranked(
    tables: &Tables,
    counts: &DataFrame,
    votes: &DataFrame,
    pick_responses: &HashMap<String, i64>,
    cycle: &CycleInfo,
    params: &Params,
) -> Result<Vec<Priority>, AnalysisError> {
    let answered = pick_responses.get(&cycle.cycle_id).copied().unwrap_or(0);
    let table = ranked_table(tables, counts, votes, answered, cycle, params)?;
    let roadmap = roadmap_titles(tables)?;
    let f64s = |c: &str| -> PolarsResult<Vec<Option<f64>>> { Ok(table.column(c)?.f64()?.iter().collect()) };
    let i64s = |c: &str| -> PolarsResult<Vec<Option<i64>>> { Ok(table.column(c)?.i64()?.iter().collect()) };
    let strs = |c: &str| -> PolarsResult<Vec<String>> {
        Ok(table.column(c)?.str()?.iter().map(|s| s.unwrap_or_default().to_string()).collect())
    };
    let (ids, names, dims) = (strs("area_id")?, strs("area_name")?, strs("dimension")?);
    let (priority, pain, unfav, share, hours) = (
        f64s("priority")?,
        f64s("survey_pain")?,
        f64s("pct_unfavorable")?,
        f64s("vote_share")?,
        f64s("friction_hours")?,
    );
    let (n, reports, teams) = (i64s("n")?, i64s("friction_reports")?, i64s("teams_affected")?);
    Ok((0..table.height())
        .map(|i| Priority {
            rank: i as u32 + 1,
            area_id: ids[i].clone(),
            area_name: names[i].clone(),
            dimension: dims[i].clone(),
            priority: priority[i].unwrap_or(0.0),
            survey_pain: pain[i].unwrap_or(0.0),
            pct_unfavorable: unfav[i],
            n: n[i].filter(|n| *n >= params.k as i64),
            vote_share: (answered >= params.k as i64).then(|| share[i].unwrap_or(0.0)),
            friction_hours: hours[i].unwrap_or(0.0),
            friction_reports: reports[i].unwrap_or(0),
            teams_affected: teams[i].unwrap_or(0),
            priority_delta: None,
            roadmap: roadmap.get(&ids[i]).cloned().unwrap_or_default(),
        })
        .collect())
}

/// Every area with its three parts and its priority, highest first (ties:
/// area_id ascending). `answered`: responses that answered a pick question.
fn ranked_table(
    tables: &Tables,
    counts: &DataFrame,
    votes: &DataFrame,
    answered: i64,
    cycle: &CycleInfo,
    params: &Params,
) -> Result<DataFrame, AnalysisError> {
    let org = scores_from_counts(
        counts.clone().lazy().filter(col("cycle_id").eq(lit(cycle.cycle_id.clone()))).group_by([col("area_id")]).agg([
            col("n").sum(),
            col("favorable").sum(),
            col("unfavorable").sum(),
            col("sum_value").sum(),
        ]),
        params.k,
    )
    .select([col("area_id"), col("n"), col("pct_unfavorable"), col("unfav_lo")]);
    let cycle_votes = votes
        .clone()
        .lazy()
        .filter(col("cycle_id").eq(lit(cycle.cycle_id.clone())))
        .select([col("area_id"), col("votes")]);
    let friction = cycle_friction(tables, &cycle.closes_on, params.lookback_days)?;
    let w = params.weights;
    let left = JoinArgs::new(JoinType::Left);
    // Votes of fewer than k respondents are not shown, and do not count.
    let vote_share = if answered >= params.k as i64 {
        col("votes").cast(DataType::Float64).fill_null(lit(0.0)) / lit(answered as f64)
    } else {
        lit(0.0)
    };
    Ok(tables
        .get("areas")
        .clone()
        .lazy()
        .select([col("area_id"), col("name").alias("area_name"), col("dimension")])
        .join(org, [col("area_id")], [col("area_id")], left.clone())
        .join(cycle_votes, [col("area_id")], [col("area_id")], left.clone())
        .join(friction.lazy(), [col("area_id")], [col("area_id")], left)
        .with_columns([
            col("unfav_lo").fill_null(lit(0.0)).alias("survey_pain"),
            vote_share.alias("vote_share"),
            col("friction_hours").fill_null(lit(0.0)),
            col("friction_reports").fill_null(lit(0i64)),
            col("teams_affected").fill_null(lit(0i64)),
            col("n").fill_null(lit(0i64)),
        ])
        .with_columns([when(col("friction_hours").max().gt(lit(0.0)))
            .then(col("friction_hours") / col("friction_hours").max())
            .otherwise(lit(0.0))
            .alias("friction_norm")])
        .with_columns([(lit(100.0)
            * (lit(w.survey) * col("survey_pain")
                + lit(w.votes) * col("vote_share")
                + lit(w.friction) * col("friction_norm"))
            / lit(w.survey + w.votes + w.friction))
        .alias("priority")])
        .sort(["priority", "area_id"], SortMultipleOptions::default().with_order_descending_multi([true, false]))
        .collect()?)
}

/// Titles of the roadmap items that are not dropped, per area, sorted.
fn roadmap_titles(tables: &Tables) -> PolarsResult<HashMap<String, Vec<String>>> {
    let df = tables.get("roadmap_items");
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let (titles, areas, statuses) =
        (df.column("title")?.str()?, df.column("area_id")?.str()?, df.column("status")?.str()?);
    for i in 0..df.height() {
        if let (Some(t), Some(a), Some(s)) = (titles.get(i), areas.get(i), statuses.get(i))
            && s != "dropped"
        {
            out.entry(a.to_string()).or_default().push(t.to_string());
        }
    }
    out.values_mut().for_each(|v| v.sort());
    Ok(out)
}

/// The roadmap priority report of `cycle_id` (default: the latest closed cycle).
pub fn priorities(tables: &Tables, cycle_id: Option<&str>, params: &Params) -> Result<Report, AnalysisError> {
    check_values(tables, "friction_reports", "frequency", &FREQUENCY_RATES.map(|(f, _)| f))?;
    check_values(
        tables,
        "friction_reports",
        "status",
        &["new", "triaged", "planned", "in_progress", "done", "wont_fix"],
    )?;
    if params.k < 3 {
        return Err(AnalysisError::Input(format!("k must be at least 3, not {}", params.k)));
    }
    let (target, previous) = resolve_cycle(tables, cycle_id)?;
    let ids: Vec<&str> =
        std::iter::once(target.cycle_id.as_str()).chain(previous.as_ref().map(|p| p.cycle_id.as_str())).collect();
    let counts = cycle_counts(tables, &ids)?;
    let (votes, answered) = cycle_votes(tables, &ids)?;
    let mut rows = ranked(tables, &counts, &votes, &answered, &target, params)?;
    let previous = match previous {
        Some(p) => {
            let before = ranked(tables, &counts, &votes, &answered, &p, params)?;
            for row in &mut rows {
                row.priority_delta =
                    before.iter().find(|b| b.area_id == row.area_id).map(|b| row.priority - b.priority);
            }
            Some(Previous { ranks: before.iter().map(|b| (b.area_id.clone(), b.rank)).collect(), cycle: p })
        }
        None => None,
    };
    let responses = responses_in(tables, &target.cycle_id)?;
    Ok(Report {
        cycle: target,
        generated_at: params.generated_at.clone(),
        parameters: Parameters { k: params.k, weights: params.weights, lookback_days: params.lookback_days },
        responses,
        priorities: rows,
        previous,
    })
}
