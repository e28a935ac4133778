//! The figures of the console's overview and `GET /api/v1/overview`:
//! response rate per closed cycle, the DevEx index of every closed cycle,
//! friction filed and open hours per week over time, median days from filed
//! to triaged and to resolved, and roadmap items shipped per quarter.

use crate::friction::{CLOSED_STATUSES, weekly_friction};
use crate::priorities::{CycleInfo, Priority, closed_cycles, priorities};
use crate::{AnalysisError, Params, Scope, Tables, trend};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// Participation of one closed cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleRate {
    pub cycle_id: String,
    pub survey_id: String,
    pub closes_on: String,
    pub invited: i64,
    pub responded: i64,
    /// responded / invited; null when nobody was invited.
    pub rate: Option<f64>,
    /// The organisation's DevEx index; null when suppressed.
    pub devex_index: Option<f64>,
}

/// One week of the friction log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrictionWeek {
    pub week_ending: String,
    /// Reports filed in the seven days up to week_ending.
    pub filed: i64,
    /// Hours lost per week of the reports open at week_ending and filed in
    /// the lookback window before it (duplicates excluded).
    pub hours_per_week: f64,
}

/// Roadmap items shipped in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quarter {
    /// e.g. `2026-Q3`.
    pub quarter: String,
    pub shipped: i64,
}

/// The overview's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub cycles: Vec<CycleRate>,
    pub friction_weeks: Vec<FrictionWeek>,
    pub median_days_to_triage: Option<f64>,
    pub median_days_to_resolve: Option<f64>,
    pub shipped_per_quarter: Vec<Quarter>,
    /// The latest closed cycle and its top five priorities (with their change).
    pub latest: Option<CycleInfo>,
    pub top_priorities: Vec<Priority>,
}

/// Weeks of friction the overview shows.
pub const FRICTION_WEEKS: usize = 12;

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The median of `to − from` in days over the pairs where both are dates.
pub fn median_days<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Option<f64> {
    let mut days: Vec<i64> =
        pairs.into_iter().filter_map(|(from, to)| Some((date(to?)? - date(from)?).num_days())).collect();
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let m = days.len() / 2;
    Some(if days.len() % 2 == 1 { days[m] as f64 } else { (days[m - 1] + days[m]) as f64 / 2.0 })
}

fn cycle_rates(tables: &Tables, params: &Params) -> Result<Vec<CycleRate>, AnalysisError> {
    let p = tables.get("participation");
    let (cycles, invited, responded) =
        (p.column("cycle_id")?.str()?, p.column("invited")?.i64()?, p.column("responded")?.i64()?);
    let mut sums: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for i in 0..p.height() {
        if let Some(c) = cycles.get(i) {
            let e = sums.entry(c).or_default();
            e.0 += invited.get(i).unwrap_or(0);
            e.1 += responded.get(i).unwrap_or(0);
        }
    }
    let mut out = Vec::new();
    for survey in tables.get("surveys").column("survey_id")?.str()?.iter().flatten() {
        if closed_cycles(tables, survey)?.is_empty() {
            continue;
        }
        for point in trend(tables, survey, &Scope::Org, params)? {
            let (inv, resp) = sums.get(point.cycle.cycle_id.as_str()).copied().unwrap_or_default();
            out.push(CycleRate {
                cycle_id: point.cycle.cycle_id,
                survey_id: point.cycle.survey_id,
                closes_on: point.cycle.closes_on,
                invited: inv,
                responded: resp,
                rate: (inv > 0).then(|| resp as f64 / inv as f64),
                devex_index: point.report.devex_index,
            });
        }
    }
    out.sort_by(|a, b| a.closes_on.cmp(&b.closes_on).then_with(|| a.cycle_id.cmp(&b.cycle_id)));
    Ok(out)
}

fn shipped_per_quarter(tables: &Tables) -> Result<Vec<Quarter>, AnalysisError> {
    let r = tables.get("roadmap_items");
    let (statuses, shipped) = (r.column("status")?.str()?, r.column("shipped_on")?.str()?);
    let mut by: BTreeMap<String, i64> = BTreeMap::new();
    for i in 0..r.height() {
        if let (Some("shipped"), Some(d)) = (statuses.get(i), shipped.get(i).and_then(date)) {
            *by.entry(format!("{}-Q{}", d.year(), d.month0() / 3 + 1)).or_default() += 1;
        }
    }
    Ok(by.into_iter().map(|(quarter, shipped)| Quarter { quarter, shipped }).collect())
}

fn days_to_resolve(tables: &Tables) -> Result<Option<f64>, AnalysisError> {
    let f = tables.get("friction_reports");
    let (created, resolved, status) =
        (f.column("created_on")?.str()?, f.column("resolved_on")?.str()?, f.column("status")?.str()?);
    Ok(median_days((0..f.height()).filter_map(|i| {
        let s = status.get(i)?;
        CLOSED_STATUSES.contains(&s).then(|| (created.get(i).unwrap_or_default(), resolved.get(i)))
    })))
}

/// The overview on `today`. `triaged`: (created_on, first_triaged_on) of the
/// reports ever triaged (kept by the service, not part of the export).
pub fn overview(
    tables: &Tables,
    triaged: &[(String, String)],
    today: NaiveDate,
    params: &Params,
) -> Result<Overview, AnalysisError> {
    let ends: Vec<NaiveDate> = (0..FRICTION_WEEKS).rev().map(|w| today - Duration::weeks(w as i64)).collect();
    let friction_weeks = weekly_friction(tables, &ends, params.lookback_days)?
        .into_iter()
        .zip(&ends)
        .map(|((filed, hours), end)| FrictionWeek {
            week_ending: end.format("%Y-%m-%d").to_string(),
            filed,
            hours_per_week: hours,
        })
        .collect();
    let (latest, top_priorities) = match priorities(tables, None, params) {
        Ok(report) => (Some(report.cycle), report.priorities.into_iter().take(5).collect()),
        Err(AnalysisError::NoClosedCycle) => (None, Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(Overview {
        cycles: cycle_rates(tables, params)?,
        friction_weeks,
        median_days_to_triage: median_days(triaged.iter().map(|(c, t)| (c.as_str(), Some(t.as_str())))),
        median_days_to_resolve: days_to_resolve(tables)?,
        shipped_per_quarter: shipped_per_quarter(tables)?,
        latest,
        top_priorities,
    })
}
