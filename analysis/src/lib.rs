//! The analysis of devpulse: the arithmetic of `analysis.md`, with polars.
//!
//! Pure: tables in, tables out. Nothing here knows about a database, so the
//! same code runs on live data (the service loads [`Tables`] and calls in) and
//! on an export folder (`devpulse analyze`).
//!
//! Map:
//! - [`tables`]: the raw export's ten tables, read and written as Parquet or
//!   CSV, checked against the contract.
//! - [`aggregates`]: the counts every figure is made of; `counting` fills them
//!   from an export's answers in one pass with integer keys.
//! - [`scores`]: per-area scores (n, shares, mean, Wilson interval), k
//!   suppression, the differencing guard, devex_index and deltas.
//! - [`priorities`]: the roadmap priority report of one closed cycle.
//! - [`results`]: every scope of one closed cycle at once (the heatmap).
//! - [`trends`]: a scope over all closed cycles, and the effect of shipped
//!   roadmap items.
//! - [`comments`]: which scopes may show free-text comments.
//! - [`kpis`]: the overview's figures (response rates, friction over time,
//!   days to triage and resolve, items shipped per quarter).
//! - [`wilson`] and [`area_scores`]: the building blocks, public for checks.

pub mod aggregates;
pub mod area;
pub mod comments;
mod counting;
pub mod csv_cells;
mod export_guard;
pub mod friction;
pub mod kpis;
mod org;
pub mod output;
pub mod priorities;
pub mod results;
pub mod scores;
pub mod tables;
pub mod trends;

pub use aggregates::Aggregates;
pub use export_guard::guard_export;
pub use friction::{CLOSED_STATUSES, FREQUENCY_RATES, frequency_rate};
pub use output::{report_frame, write_report};
pub use priorities::{
    CycleInfo, LOOKBACK_DAYS, Params, Previous, Priority, Report, Weights, priorities, resolve_cycle,
};
pub use results::{AreaInfo, ResultRow, Results, results};
pub use scores::{AreaScore, Scope, ScoresReport, scores};
pub use tables::{Cell, Format, TableData, Tables};
pub use trends::{Effect, EffectCycle, TrendPoint, effects, trend};

use polars::prelude::*;

/// z for a 95 % interval, as analysis.md fixes it.
pub const Z: f64 = 1.959964;

/// Why an analysis could not run. Every variant but `Polars` is bad input.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("missing table {0}")]
    MissingTable(String),
    #[error("table {table} has no column {column}")]
    MissingColumn { table: String, column: String },
    #[error("column {table}.{column} should hold {expected}, not {found}")]
    WrongType { table: String, column: String, expected: &'static str, found: String },
    #[error("no cycle {0:?}")]
    UnknownCycle(String),
    #[error("cycle {0} is still open; results exist only once it has closed")]
    CycleOpen(String),
    #[error("there is no closed cycle yet")]
    NoClosedCycle,
    #[error("unknown scope {0:?}")]
    UnknownScope(String),
    #[error("{0}")]
    Input(String),
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
}

impl AnalysisError {
    /// Whether the error comes from the input (exit code 2) rather than a fault.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, AnalysisError::Polars(_))
    }
}

/// The Wilson score interval of a proportion `p` over `n` trials at [`Z`]:
/// `(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let spread = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    ((centre - spread) / denom, (centre + spread) / denom)
}

/// The Wilson bounds as polars expressions over `p` and `n` (Float64).
fn wilson_exprs(p: Expr, n: Expr) -> (Expr, Expr) {
    let z2 = lit(Z * Z);
    let centre = p.clone() + z2.clone() / (lit(2.0) * n.clone());
    let spread =
        lit(Z) * (p.clone() * (lit(1.0) - p) / n.clone() + z2.clone() / (lit(4.0) * n.clone() * n.clone())).sqrt();
    let denom = lit(1.0) + z2 / n;
    ((centre.clone() - spread.clone()) / denom.clone(), (centre + spread) / denom)
}

/// Aggregates answers (`value` 1..5) into the counts every score is made of:
/// `n`, `favorable` (4, 5), `unfavorable` (1, 2) and `sum_value`, by `keys`.
pub fn likert_counts(answers: LazyFrame, keys: &[&str]) -> LazyFrame {
    let value = col("value").cast(DataType::Float64);
    answers.group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>()).agg([
        len().cast(DataType::Int64).alias("n"),
        value.clone().gt_eq(lit(4.0)).cast(DataType::Int64).sum().alias("favorable"),
        value.clone().lt_eq(lit(2.0)).cast(DataType::Int64).sum().alias("unfavorable"),
        value.sum().alias("sum_value"),
    ])
}

/// Scores from counts (`n`, `favorable`, `unfavorable`, `sum_value`, one row
/// per area): adds `pct_favorable`, `pct_unfavorable`, `mean`, `unfav_lo`,
/// `unfav_hi`, `fav_lo`, `fav_hi` (null when suppressed) and `suppressed` (`n < k`).
pub fn scores_from_counts(counts: LazyFrame, k: u32) -> LazyFrame {
    let n = col("n").cast(DataType::Float64);
    let p_unfav = col("unfavorable").cast(DataType::Float64) / n.clone();
    let p_fav = col("favorable").cast(DataType::Float64) / n.clone();
    let (lo, hi) = wilson_exprs(p_unfav.clone(), n.clone());
    let (fav_lo, fav_hi) = wilson_exprs(p_fav.clone(), n.clone());
    let suppressed = col("n").lt(lit(k as i64));
    let hide =
        |e: Expr, name: &str| when(suppressed.clone()).then(lit(NULL).cast(DataType::Float64)).otherwise(e).alias(name);
    counts.with_columns([
        hide(p_fav, "pct_favorable"),
        hide(p_unfav, "pct_unfavorable"),
        hide(col("sum_value") / n, "mean"),
        hide(lo, "unfav_lo"),
        hide(hi, "unfav_hi"),
        hide(fav_lo, "fav_lo"),
        hide(fav_hi, "fav_hi"),
        suppressed.alias("suppressed"),
    ])
}

/// Scores per area of one scope, from its `likert5` answers.
///
/// Input columns: `area_id` (String), `value` (numeric, 1..5). Output, one row
/// per area sorted by `area_id`: `area_id`, `n`, `pct_favorable`,
/// `pct_unfavorable`, `mean`, `unfav_lo`, `unfav_hi` (null when suppressed)
/// and `suppressed` (`n < k`).
pub fn area_scores(answers: LazyFrame, k: u32) -> PolarsResult<DataFrame> {
    scores_from_counts(likert_counts(answers, &["area_id"]), k)
        .select([
            col("area_id"),
            col("n"),
            col("pct_favorable"),
            col("pct_unfavorable"),
            col("mean"),
            col("unfav_lo"),
            col("unfav_hi"),
            col("suppressed"),
        ])
        .sort(["area_id"], SortMultipleOptions::default())
        .collect()
}

/// Which children of a breakdown stay hidden, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Fewer than k responses.
    FewerThanK,
    /// Hidden so that the hidden total cannot be worked out by subtraction.
    Differencing,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::FewerThanK => "fewer_than_k",
            Reason::Differencing => "differencing",
        }
    }
}

/// The differencing guard of analysis.md over the children of one parent,
/// given as `(slug, n)`: children with `n < k` are hidden; while the hidden
/// total is above 0 and below k, the visible child with the smallest `n`
/// (ties: smallest slug) is hidden too. Returns the hidden children by index.
pub fn guard(children: &[(String, u64)], k: u32) -> Vec<Option<Reason>> {
    guard_from(children, &vec![false; children.len()], k)
}

/// [`guard`] with some children hidden from the start (`forced`), e.g.
/// responses that carry no team.
pub(crate) fn guard_from(children: &[(String, u64)], forced: &[bool], k: u32) -> Vec<Option<Reason>> {
    let k = k as u64;
    let mut hidden: Vec<Option<Reason>> =
        children.iter().zip(forced).map(|((_, n), f)| (*n < k || *f).then_some(Reason::FewerThanK)).collect();
    let mut total: u64 = children.iter().zip(&hidden).filter(|(_, h)| h.is_some()).map(|((_, n), _)| n).sum();
    while total > 0 && total < k {
        let next = children
            .iter()
            .enumerate()
            .filter(|(i, _)| hidden[*i].is_none())
            .min_by(|(_, a), (_, b)| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let Some((i, (_, n))) = next else { break };
        hidden[i] = Some(Reason::Differencing);
        total += n;
    }
    hidden
}

#[cfg(test)]
mod results_tests;
#[cfg(test)]
mod tests;
