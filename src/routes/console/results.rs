//! `/admin/cycles/{id}/results`: the heatmap of a closed cycle (rows: the
//! organisation, each group with its teams by headcount; columns: the areas
//! by dimension), shaded by % favourable or, with `?compare=`, by the change
//! against the previous cycle or the difference to the organisation; every
//! suppressed cell says why. Below it, the trends over closed cycles.

use super::session::Signed;
use crate::charts;
use crate::error::PageError;
use crate::insights;
use crate::routes::figures::{self, Change};
use crate::state::AppState;
use actix_web::{HttpResponse, http::StatusCode, web};
use analysis::{AreaScore, Results, TrendPoint};
use serde::{Deserialize, Serialize};

/// Teams shown unfolded by default up to this many; beyond, groups fold.
pub const UNFOLDED_TEAMS: usize = 40;

#[derive(Debug, Deserialize)]
pub struct HeatmapQuery {
    /// `previous` or `org`: shade by difference instead of level.
    compare: Option<String>,
    /// Show the teams of this group only (the others fold).
    group: Option<String>,
    /// `all`: every team; `none`: groups only.
    teams: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Compare {
    Level,
    Previous,
    Org,
}

#[derive(Serialize)]
struct Cell {
    text: Option<String>,
    class: String,
    change: Option<Change>,
    /// The difference the shading shows in compare mode.
    diff: Option<Change>,
    why: Option<String>,
    short: Option<String>,
    area: String,
}

#[derive(Serialize)]
struct Row {
    kind: &'static str,
    name: String,
    scope: String,
    answered: Option<String>,
    index: Option<String>,
    why: Option<String>,
    cells: Vec<Cell>,
    /// A group whose teams are folded away, with the link that unfolds it.
    unfold: Option<String>,
}

#[derive(Serialize)]
struct Dimension {
    name: String,
    span: usize,
}

fn cell(s: &AreaScore, compare: Compare, k: u32, area: &str) -> Cell {
    let change = figures::points(s.delta_favorable);
    let diff = match compare {
        Compare::Level => None,
        Compare::Previous => change.clone(),
        Compare::Org => figures::points(s.vs_org),
    };
    let class = match (s.pct_favorable, compare, &diff) {
        (None, _, _) => "suppressed".to_string(),
        (Some(p), Compare::Level, _) => figures::step(p).to_string(),
        (Some(_), _, Some(d)) => d.step.to_string(),
        (Some(_), _, None) => "nodata".to_string(),
    };
    Cell {
        text: figures::pct(s.pct_favorable),
        class,
        change,
        diff,
        why: figures::why(s.reason, k),
        short: figures::why_short(s.reason, k),
        area: area.into(),
    }
}

fn rows(r: &Results, compare: Compare, q: &HeatmapQuery, base: &str) -> Vec<Row> {
    let teams = r.rows.iter().filter(|x| x.kind == "team").count();
    let fold_all = match q.teams.as_deref() {
        Some("all") => false,
        Some("none") => true,
        _ => teams > UNFOLDED_TEAMS || q.group.is_some(),
    };
    let names: Vec<String> = r.areas.iter().map(|a| a.name.clone()).collect();
    let mut out = Vec::new();
    for x in &r.rows {
        let folded = |g: &Option<String>| fold_all && g.is_some() && q.group.as_ref() != g.as_ref();
        if x.kind == "team" && folded(&x.group_name) {
            continue;
        }
        let group = (x.kind == "group").then(|| Some(x.name.clone())).flatten();
        let unfold = (x.kind == "group" && folded(&group)).then(|| format!("{base}group={}", url_encode(&x.name)));
        out.push(Row {
            kind: x.kind,
            name: x.name.clone(),
            scope: x.report.scope.clone(),
            answered: x.responded.zip(x.invited).map(|(r, i)| format!("{r} of {i}")),
            index: figures::index(x.report.devex_index),
            why: figures::why(x.report.reason, r.k),
            cells: x.report.scores.iter().zip(&names).map(|(s, a)| cell(s, compare, r.k, a)).collect(),
            unfold,
        });
    }
    out
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn dimensions(r: &Results) -> Vec<Dimension> {
    let mut out: Vec<Dimension> = Vec::new();
    for a in &r.areas {
        let name = figures::dimension(&a.dimension);
        match out.last_mut() {
            Some(d) if d.name == name => d.span += 1,
            _ => out.push(Dimension { name, span: 1 }),
        }
    }
    out
}

/// The trend of the organisation up to this cycle: the index as a line,
/// each area as a table row.
#[derive(Serialize)]
struct Trends {
    chart: charts::Line,
    cycles: Vec<String>,
    index: Vec<Option<String>>,
    areas: Vec<(String, Vec<Option<String>>)>,
}

fn cycle_label(p: &TrendPoint) -> String {
    chrono::NaiveDate::parse_from_str(&p.cycle.closes_on, "%Y-%m-%d")
        .map(|d| d.format("%b %Y").to_string())
        .unwrap_or_else(|_| p.cycle.closes_on.clone())
}

fn trends(points: &[TrendPoint], r: &Results) -> Trends {
    let upto: Vec<&TrendPoint> = points.iter().filter(|p| p.cycle.closes_on <= r.cycle.closes_on).collect();
    let values: Vec<(String, Option<f64>)> = upto.iter().map(|p| (cycle_label(p), p.report.devex_index)).collect();
    let areas = r
        .areas
        .iter()
        .map(|a| {
            let cells = upto
                .iter()
                .map(|p| {
                    figures::pct(p.report.scores.iter().find(|s| s.area_id == a.area_id).and_then(|s| s.pct_favorable))
                })
                .collect();
            (a.name.clone(), cells)
        })
        .collect();
    Trends {
        chart: charts::line(&values, 100.0, 560.0, 200.0, ""),
        cycles: values.iter().map(|(l, _)| l.clone()).collect(),
        index: upto.iter().map(|p| figures::index(p.report.devex_index)).collect(),
        areas,
    }
}

pub async fn page(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    q: web::Query<HeatmapQuery>,
) -> Result<HttpResponse, PageError> {
    let compare = match q.compare.as_deref() {
        None | Some("") | Some("level") => Compare::Level,
        Some("previous") => Compare::Previous,
        Some("org") => Compare::Org,
        Some(_) => return Err(crate::domain::FieldError::new("compare", "must be previous or org").into()),
    };
    let (r, points) = insights::results_and_trend(&state, &id).await?;
    let mode = match compare {
        Compare::Level => "",
        Compare::Previous => "compare=previous&",
        Compare::Org => "compare=org&",
    };
    let base = format!("/admin/cycles/{}/results?{mode}", url_encode(&r.cycle.cycle_id));
    let mut ctx = super::context(&signed, "/admin/surveys");
    ctx.insert("cycle", &super::cycle_view(&state, &r.cycle).await?);
    ctx.insert("previous", &r.previous.as_ref().map(|p| figures::date(&p.closes_on)));
    ctx.insert("compare", &compare);
    ctx.insert("areas", &r.areas);
    ctx.insert("dimensions", &dimensions(&r));
    let rows = rows(&r, compare, &q, &base);
    let hidden: Vec<(&str, &str)> =
        rows.iter().filter_map(|r| r.why.as_deref().map(|w| (r.name.as_str(), w))).collect();
    ctx.insert("hidden_rows", &hidden);
    ctx.insert("rows", &rows);
    ctx.insert("teams", &q.teams.as_deref().filter(|t| ["all", "none"].contains(t)).unwrap_or(""));
    ctx.insert("group", &q.group);
    ctx.insert("unfolded", &UNFOLDED_TEAMS);
    ctx.insert("base", &base);
    ctx.insert("trends", &trends(&points, &r));
    ctx.insert("k", &r.k);
    Ok(state.pages.page(StatusCode::OK, "console/results.html", ctx))
}
