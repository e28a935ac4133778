//! The friction pass of the priority report (analysis.md): hours lost per
//! week by area over a lookback window, from the friction log.

use crate::{AnalysisError, Tables};
use polars::prelude::*;

/// Occurrences per week of each friction frequency (analysis.md): the one
/// table of these rates; the service's triage order and weekly hours derive
/// from it too.
pub const FREQUENCY_RATES: [(&str, f64); 4] =
    [("one_off", 1.0 / 13.0), ("monthly", 12.0 / 52.0), ("weekly", 1.0), ("daily", 5.0)];

/// The rate per week of a frequency by name.
pub fn frequency_rate(frequency: &str) -> Option<f64> {
    FREQUENCY_RATES.iter().find(|(f, _)| *f == frequency).map(|(_, r)| *r)
}

/// Occurrences per week of a frequency, as an expression.
fn rate_per_week() -> Expr {
    FREQUENCY_RATES.iter().rev().fold(lit(NULL).cast(DataType::Float64), |otherwise, (f, r)| {
        when(col("frequency").eq(lit(*f))).then(lit(*r)).otherwise(otherwise)
    })
}

/// Hours lost per week of one report: `minutes_lost / 60 × rate(frequency) × (1 + me_too)`.
fn hours_expr() -> Expr {
    col("minutes_lost").cast(DataType::Float64) / lit(60.0)
        * rate_per_week()
        * (lit(1.0) + col("me_too").cast(DataType::Float64))
}

fn day(d: chrono::NaiveDate) -> Expr {
    lit(d.format("%Y-%m-%d").to_string())
}

/// Friction hours per week of `area_id` over the reports created in
/// [`from`, `to`): every status, duplicates excluded (the effect of shipped
/// work, analysis.md).
pub(crate) fn hours_per_week(
    tables: &Tables,
    area_id: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<f64, AnalysisError> {
    let df = tables
        .get("friction_reports")
        .clone()
        .lazy()
        .filter(
            col("duplicate_of")
                .is_null()
                .and(col("area_id").eq(lit(area_id.to_string())))
                .and(col("created_on").gt_eq(day(from)))
                .and(col("created_on").lt(day(to))),
        )
        .select([hours_expr().sum().alias("h")])
        .collect()?;
    Ok(df.column("h")?.f64()?.get(0).unwrap_or(0.0))
}

/// Per week ending on each of `week_ends`: reports filed in the 7 days up to
/// it (`filed`, every report), and the open friction load (`hours`): hours
/// per week of the reports that are not duplicates, created in the
/// `lookback_days` up to the week's end and not resolved by then (no
/// resolved_on, or a later one).
pub fn weekly_friction(
    tables: &Tables,
    week_ends: &[chrono::NaiveDate],
    lookback_days: i64,
) -> Result<Vec<(i64, f64)>, AnalysisError> {
    let reports = tables.get("friction_reports").clone().lazy().with_columns([hours_expr().alias("h")]).collect()?;
    let mut out = Vec::with_capacity(week_ends.len());
    for end in week_ends {
        let week_start = *end - chrono::Duration::days(6);
        let since = *end - chrono::Duration::days(lookback_days);
        let filed = col("created_on").gt_eq(day(week_start)).and(col("created_on").lt_eq(day(*end)));
        let open = col("duplicate_of")
            .is_null()
            .and(col("created_on").gt_eq(day(since)))
            .and(col("created_on").lt_eq(day(*end)))
            .and(col("resolved_on").is_null().or(col("resolved_on").gt(day(*end))));
        let row = reports
            .clone()
            .lazy()
            .select([
                filed.cast(DataType::Int64).sum().alias("filed"),
                when(open).then(col("h")).otherwise(lit(0.0)).sum().alias("hours"),
            ])
            .collect()?;
        out.push((row.column("filed")?.i64()?.get(0).unwrap_or(0), row.column("hours")?.f64()?.get(0).unwrap_or(0.0)));
    }
    Ok(out)
}

/// Statuses of a resolved report: done or won't fix. Resolved reports take
/// no votes and count in no priority.
pub const CLOSED_STATUSES: [&str; 2] = ["done", "wont_fix"];

/// Friction per area within the lookback window ending on `closes_on`:
/// `friction_hours`, `friction_reports`, `teams_affected`.
pub(crate) fn cycle_friction(tables: &Tables, closes_on: &str, lookback_days: i64) -> Result<DataFrame, AnalysisError> {
    let end = chrono::NaiveDate::parse_from_str(closes_on, "%Y-%m-%d")
        .map_err(|_| AnalysisError::Input(format!("cycles.closes_on {closes_on:?} is not a date (YYYY-MM-DD)")))?;
    let start = (end - chrono::Duration::days(lookback_days)).format("%Y-%m-%d").to_string();
    let hours = hours_expr();
    Ok(tables
        .get("friction_reports")
        .clone()
        .lazy()
        .filter(
            col("duplicate_of")
                .is_null()
                .and(
                    col("status").is_in(lit(Series::new("closed".into(), CLOSED_STATUSES)).implode(false), false).not(),
                )
                .and(col("created_on").gt_eq(lit(start)))
                .and(col("created_on").lt_eq(lit(closes_on.to_string()))),
        )
        .group_by([col("area_id")])
        .agg([
            hours.sum().alias("friction_hours"),
            len().cast(DataType::Int64).alias("friction_reports"),
            col("team_id").drop_nulls().n_unique().cast(DataType::Int64).alias("teams_affected"),
        ])
        .collect()?)
}
