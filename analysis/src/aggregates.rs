//! The counts every figure is made of, per cycle and team: answers by
//! (area, value), priority votes by area, responses and the responses that
//! answered a priority pick. Scores, priorities, trends, distributions and
//! votes all read these, never the answers themselves, so the arithmetic is
//! one whether the counts come from a raw export (one streaming pass over
//! `answers`, [`Aggregates::from_answers`]) or from the database, which
//! keeps them for every closed cycle (the service's fast path).

use crate::{AnalysisError, Tables};
use polars::prelude::*;

/// The counts of [`Tables`], by cycle and team (`team_id` null: responses
/// without a team).
#[derive(Debug, Clone)]
pub struct Aggregates {
    /// `cycle_id`, `team_id`, `area_id`, `value` (Float64), `count` (Int64):
    /// answers to `likert5` questions of an area.
    pub likert: DataFrame,
    /// `cycle_id`, `team_id`, `area_id`, `votes` (Int64): responses that
    /// picked the area in a `priority_pick` question.
    pub picks: DataFrame,
    /// `cycle_id`, `team_id`, `responses`, `pick_responses` (Int64).
    pub responses: DataFrame,
}

/// The column names and types of each aggregate, for checks and for empty frames.
pub const LIKERT: [(&str, DataType); 5] = [
    ("cycle_id", DataType::String),
    ("team_id", DataType::String),
    ("area_id", DataType::String),
    ("value", DataType::Float64),
    ("count", DataType::Int64),
];
pub const PICKS: [(&str, DataType); 4] = [
    ("cycle_id", DataType::String),
    ("team_id", DataType::String),
    ("area_id", DataType::String),
    ("votes", DataType::Int64),
];
pub const RESPONSES: [(&str, DataType); 4] = [
    ("cycle_id", DataType::String),
    ("team_id", DataType::String),
    ("responses", DataType::Int64),
    ("pick_responses", DataType::Int64),
];

/// Casts `df` to exactly `columns`, naming what is missing.
fn conform(df: DataFrame, columns: &[(&str, DataType)], what: &str) -> Result<DataFrame, AnalysisError> {
    let mut out = Vec::with_capacity(columns.len());
    for (name, dtype) in columns {
        let c =
            df.column(name).map_err(|_| AnalysisError::MissingColumn { table: what.into(), column: (*name).into() })?;
        out.push(c.cast(dtype)?);
    }
    Ok(DataFrame::new(df.height(), out)?)
}

impl Aggregates {
    /// Counts given by a caller (the database), checked and cast.
    pub fn new(likert: DataFrame, picks: DataFrame, responses: DataFrame) -> Result<Self, AnalysisError> {
        Ok(Aggregates {
            likert: conform(likert, &LIKERT, "likert counts")?,
            picks: conform(picks, &PICKS, "pick counts")?,
            responses: conform(responses, &RESPONSES, "response counts")?,
        })
    }

    /// Counts from rows (the database's kept counts): likert (cycle, team,
    /// area, value, count), picks (cycle, team, area, votes), responses
    /// (cycle, team, responses, pick_responses).
    pub fn from_rows(
        likert: Vec<(String, Option<String>, String, f64, i64)>,
        picks: Vec<(String, Option<String>, String, i64)>,
        responses: Vec<(String, Option<String>, i64, i64)>,
    ) -> Result<Self, AnalysisError> {
        let s = |name: &str, v: Vec<&str>| Column::new(name.into(), v);
        let o = |name: &str, v: Vec<Option<&str>>| Column::new(name.into(), v);
        let likert = DataFrame::new(
            likert.len(),
            vec![
                s("cycle_id", likert.iter().map(|r| r.0.as_str()).collect()),
                o("team_id", likert.iter().map(|r| r.1.as_deref()).collect()),
                s("area_id", likert.iter().map(|r| r.2.as_str()).collect()),
                Column::new("value".into(), likert.iter().map(|r| r.3).collect::<Vec<_>>()),
                Column::new("count".into(), likert.iter().map(|r| r.4).collect::<Vec<_>>()),
            ],
        )?;
        let picks = DataFrame::new(
            picks.len(),
            vec![
                s("cycle_id", picks.iter().map(|r| r.0.as_str()).collect()),
                o("team_id", picks.iter().map(|r| r.1.as_deref()).collect()),
                s("area_id", picks.iter().map(|r| r.2.as_str()).collect()),
                Column::new("votes".into(), picks.iter().map(|r| r.3).collect::<Vec<_>>()),
            ],
        )?;
        let responses = DataFrame::new(
            responses.len(),
            vec![
                s("cycle_id", responses.iter().map(|r| r.0.as_str()).collect()),
                o("team_id", responses.iter().map(|r| r.1.as_deref()).collect()),
                Column::new("responses".into(), responses.iter().map(|r| r.2).collect::<Vec<_>>()),
                Column::new("pick_responses".into(), responses.iter().map(|r| r.3).collect::<Vec<_>>()),
            ],
        )?;
        Aggregates::new(likert, picks, responses)
    }

    /// The counts of every cycle in the tables, from one streaming pass over
    /// `answers`.
    pub fn from_answers(tables: &Tables) -> Result<Self, AnalysisError> {
        Self::from_answers_of(tables, None)
    }

    /// The counts of `cycles` (every cycle when `None`) from one streaming
    /// pass over `answers` ([`crate::counting`]).
    pub fn from_answers_of(tables: &Tables, cycles: Option<&[&str]>) -> Result<Self, AnalysisError> {
        crate::counting::count_answers(tables, cycles)
    }

    /// Likert counts by (`cycle_id`, `team_id`, `area_id`) for `cycles`:
    /// `n`, `favorable` (4, 5), `unfavorable` (1, 2), `sum_value`.
    pub fn counts(&self, cycles: &[&str]) -> PolarsResult<DataFrame> {
        let count = col("count");
        self.likert
            .clone()
            .lazy()
            .filter(in_cycles(cycles))
            .group_by([col("cycle_id"), col("team_id"), col("area_id")])
            .agg([
                count.clone().sum().alias("n"),
                when(col("value").gt_eq(lit(4.0))).then(count.clone()).otherwise(lit(0i64)).sum().alias("favorable"),
                when(col("value").lt_eq(lit(2.0))).then(count.clone()).otherwise(lit(0i64)).sum().alias("unfavorable"),
                (col("value") * count.cast(DataType::Float64)).sum().alias("sum_value"),
            ])
            .collect()
    }
}

/// `cycle_id` is one of `cycles`.
pub(crate) fn in_cycles(cycles: &[&str]) -> Expr {
    let ids = Series::new("ids".into(), cycles.iter().map(|c| c.to_string()).collect::<Vec<_>>());
    col("cycle_id").is_in(lit(ids).implode(false), false)
}
