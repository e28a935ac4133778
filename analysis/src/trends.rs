//! A scope over all closed cycles of a survey (the trend lines), and the
//! effect of shipped roadmap items (analysis.md, "Effect of a shipped
//! roadmap item").

use crate::friction::hours_per_week;
use crate::priorities::{CycleInfo, closed_cycles, cycle_counts};
use crate::scores::{evaluate, fill_differences, likert_areas};
use crate::{AnalysisError, Params, Scope, ScoresReport, Tables};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// One closed cycle of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub cycle: CycleInfo,
    #[serde(flatten)]
    pub report: ScoresReport,
}

/// `scope` in every closed cycle of `survey_id`, oldest first, each with its
/// delta against the closed cycle before it and its difference to the
/// organisation. A scope unknown in a cycle (a team created later) shows as
/// suppressed there.
pub fn trend(
    tables: &Tables,
    survey_id: &str,
    scope: &Scope,
    params: &Params,
) -> Result<Vec<TrendPoint>, AnalysisError> {
    let cycles = closed_cycles(tables, survey_id)?;
    let areas = likert_areas(tables, survey_id)?;
    let ids: Vec<&str> = cycles.iter().map(|c| c.cycle_id.as_str()).collect();
    let counts = cycle_counts(tables, &ids)?;
    let scopes: Vec<Scope> = if *scope == Scope::Org { vec![Scope::Org] } else { vec![Scope::Org, scope.clone()] };
    let mut out: Vec<TrendPoint> = Vec::with_capacity(cycles.len());
    let mut before: Option<Vec<ScoresReport>> = None;
    for cycle in cycles {
        let mut now = evaluate(tables, &counts, &cycle, &scopes, &areas, params.k)?;
        fill_differences(&mut now, before.as_deref(), Some(0));
        let report = now.last().cloned().expect("one report per scope");
        before = Some(now);
        out.push(TrendPoint { cycle, report });
    }
    Ok(out)
}

/// One side of an effect: the area's organisation-wide score in a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectCycle {
    pub cycle_id: String,
    pub opens_on: String,
    pub closes_on: String,
    pub n: Option<i64>,
    pub pct_favorable: Option<f64>,
    pub fav_lo: Option<f64>,
    pub fav_hi: Option<f64>,
    pub suppressed: bool,
    pub reason: Option<&'static str>,
}

/// The effect of one shipped roadmap item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub item_id: String,
    pub area_id: String,
    pub shipped_on: String,
    /// The last closed cycle with closes_on ≤ shipped_on; null when there is none.
    pub before: Option<EffectCycle>,
    /// The first closed cycle with opens_on > shipped_on; null: not measured yet.
    pub after: Option<EffectCycle>,
    /// after − before pct_favorable; null when either is missing or suppressed.
    pub difference: Option<f64>,
    /// Friction hours per week of the area in [D − 90 d, D).
    pub friction_before: f64,
    /// The same in [D, D + 90 d); null until D + 90 d has passed.
    pub friction_after: Option<f64>,
}

/// Days each side of a shipping date that friction is compared over.
pub const EFFECT_WINDOW_DAYS: i64 = 90;

fn side(cycle: &CycleInfo, report: &ScoresReport, area_id: &str) -> EffectCycle {
    let s = report.scores.iter().find(|s| s.area_id == area_id);
    EffectCycle {
        cycle_id: cycle.cycle_id.clone(),
        opens_on: cycle.opens_on.clone(),
        closes_on: cycle.closes_on.clone(),
        n: s.and_then(|s| s.n),
        pct_favorable: s.and_then(|s| s.pct_favorable),
        fav_lo: s.and_then(|s| s.fav_lo),
        fav_hi: s.and_then(|s| s.fav_hi),
        suppressed: s.is_none_or(|s| s.suppressed),
        reason: s.map_or(Some(crate::Reason::FewerThanK.as_str()), |s| s.reason),
    }
}

fn date(s: &str, what: &str) -> Result<NaiveDate, AnalysisError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| AnalysisError::Input(format!("{what} {s:?} is not a date")))
}

/// The organisation's trend of every survey that rates `area_id`, with the
/// survey's latest closed cycle first considered (the survey "of" the area).
type OrgTrends = HashMap<String, Vec<TrendPoint>>;

fn survey_for_area<'a>(trends: &'a OrgTrends, area_id: &str) -> Option<&'a Vec<TrendPoint>> {
    trends.values().filter(|t| t.iter().any(|p| p.report.scores.iter().any(|s| s.area_id == area_id))).max_by(|a, b| {
        let last = |t: &Vec<TrendPoint>| t.last().map(|p| (p.cycle.closes_on.clone(), p.cycle.cycle_id.clone()));
        last(a).cmp(&last(b))
    })
}

/// The effect of every shipped roadmap item with a shipping date, by item
/// id. `today` (YYYY-MM-DD) decides whether the 90 days after have passed.
/// The survey of an item is the one that rates its area with the latest
/// closed cycle.
pub fn effects(tables: &Tables, today: &str, params: &Params) -> Result<HashMap<String, Effect>, AnalysisError> {
    let today = date(today, "today")?;
    let surveys = tables.get("surveys");
    let mut trends: OrgTrends = HashMap::new();
    for id in surveys.column("survey_id")?.str()?.iter().flatten() {
        trends.insert(id.to_string(), trend(tables, id, &Scope::Org, params)?);
    }
    let items = tables.get("roadmap_items");
    let (ids, areas, statuses, shipped) = (
        items.column("item_id")?.str()?,
        items.column("area_id")?.str()?,
        items.column("status")?.str()?,
        items.column("shipped_on")?.str()?,
    );
    let mut out = HashMap::new();
    for i in 0..items.height() {
        let (Some(id), Some(area), Some("shipped"), Some(on)) =
            (ids.get(i), areas.get(i), statuses.get(i), shipped.get(i))
        else {
            continue;
        };
        let d = date(on, "roadmap_items.shipped_on")?;
        let points = survey_for_area(&trends, area);
        let before = points
            .and_then(|t| {
                t.iter()
                    .filter(|p| p.cycle.closes_on.as_str() <= on)
                    .max_by(|a, b| a.cycle.closes_on.cmp(&b.cycle.closes_on))
            })
            .map(|p| side(&p.cycle, &p.report, area));
        let after = points
            .and_then(|t| {
                t.iter()
                    .filter(|p| p.cycle.opens_on.as_str() > on)
                    .min_by(|a, b| a.cycle.opens_on.cmp(&b.cycle.opens_on))
            })
            .map(|p| side(&p.cycle, &p.report, area));
        let difference = before
            .as_ref()
            .and_then(|b| b.pct_favorable)
            .zip(after.as_ref().and_then(|a| a.pct_favorable))
            .map(|(b, a)| a - b);
        let window = Duration::days(EFFECT_WINDOW_DAYS);
        let friction_before = hours_per_week(tables, area, d - window, d)?;
        let friction_after =
            if today >= d + window { Some(hours_per_week(tables, area, d, d + window)?) } else { None };
        out.insert(
            id.to_string(),
            Effect {
                item_id: id.to_string(),
                area_id: area.to_string(),
                shipped_on: on.to_string(),
                before,
                after,
                difference,
                friction_before,
                friction_after,
            },
        );
    }
    Ok(out)
}
