//! `/admin/cycles/{id}/priorities`: the ranked report of a closed cycle with
//! every part of each priority, the priority matrix, a form to try other
//! weights and lookback (GET, so a view can be shared), and the report's
//! five downloads with the same parameters.

use super::session::Signed;
use crate::charts;
use crate::error::PageError;
use crate::insights;
use crate::report::{self, OutputFormat};
use crate::routes::figures;
use crate::routes::results::{PriorityQuery, params};
use crate::state::AppState;
use actix_web::{HttpResponse, http::StatusCode, web};
use analysis::Priority;
use serde::{Deserialize, Serialize};

/// The form: one field per weight, and the lookback.
#[derive(Debug, Default, Deserialize)]
pub struct WeightsForm {
    #[serde(default)]
    survey: String,
    #[serde(default)]
    votes: String,
    #[serde(default)]
    friction: String,
    #[serde(default)]
    lookback_days: String,
    /// For downloads: json, csv, md, html or parquet.
    #[serde(default)]
    format: String,
}

impl WeightsForm {
    fn query(&self) -> PriorityQuery {
        let given = [&self.survey, &self.votes, &self.friction].iter().any(|w| !w.trim().is_empty());
        let or = |w: &str, d: f64| if w.trim().is_empty() { d.to_string() } else { w.trim().to_string() };
        let d = analysis::Weights::default();
        PriorityQuery {
            weights: given.then(|| {
                format!(
                    "{},{},{}",
                    or(&self.survey, d.survey),
                    or(&self.votes, d.votes),
                    or(&self.friction, d.friction)
                )
            }),
            lookback_days: Some(self.lookback_days.clone()),
        }
    }

    /// The query string that keeps these parameters.
    fn keep(&self) -> String {
        let fields = [
            ("survey", &self.survey),
            ("votes", &self.votes),
            ("friction", &self.friction),
            ("lookback_days", &self.lookback_days),
        ];
        fields
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", super::results::url_encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A priority as the pages show it.
#[derive(Serialize)]
pub struct PriorityView {
    rank: u32,
    area_id: String,
    area_name: String,
    priority: String,
    change: Option<String>,
    survey_pain: String,
    unfavorable: Option<String>,
    n: Option<i64>,
    vote_share: Option<String>,
    friction_hours: String,
    friction_reports: i64,
    teams_affected: i64,
    roadmap: Vec<String>,
}

/// One priority with its parts in words.
pub fn row(p: &Priority) -> PriorityView {
    PriorityView {
        rank: p.rank,
        area_id: p.area_id.clone(),
        area_name: p.area_name.clone(),
        priority: format!("{:.1}", p.priority),
        change: p.priority_delta.map(|d| format!("{d:+.1}")),
        survey_pain: format!("{:.0} %", p.survey_pain * 100.0),
        unfavorable: figures::pct(p.pct_unfavorable),
        n: p.n,
        vote_share: figures::pct(p.vote_share),
        friction_hours: super::hours(p.friction_hours),
        friction_reports: p.friction_reports,
        teams_affected: p.teams_affected,
        roadmap: p.roadmap.clone(),
    }
}

const FORMATS: [(&str, OutputFormat, &str, &str); 5] = [
    ("json", OutputFormat::Json, "application/json", "JSON"),
    ("csv", OutputFormat::Csv, "text/csv; charset=utf-8", "CSV"),
    ("md", OutputFormat::Md, "text/markdown; charset=utf-8", "Markdown"),
    ("html", OutputFormat::Html, "text/html; charset=utf-8", "HTML"),
    ("parquet", OutputFormat::Parquet, "application/vnd.apache.parquet", "Parquet"),
];

pub async fn page(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    form: web::Query<WeightsForm>,
) -> Result<HttpResponse, PageError> {
    let p = params(&state, &form.query())?;
    let weights = p.weights;
    let report = insights::priorities(&state, &id, p).await?;
    let points: Vec<(String, f64, Option<f64>, f64)> = report
        .priorities
        .iter()
        .map(|p| (p.area_name.clone(), p.survey_pain, p.vote_share, p.friction_hours))
        .collect();
    let mut ctx = super::context(&signed, "/admin/results");
    ctx.insert("cycle", &super::cycle_view(&state, &report.cycle).await?);
    ctx.insert("rows", &report.priorities.iter().map(row).collect::<Vec<_>>());
    ctx.insert("matrix", &charts::matrix(&points, 520.0));
    ctx.insert("responses", &report.responses);
    ctx.insert("weights", &weights);
    ctx.insert("lookback_days", &report.parameters.lookback_days);
    ctx.insert("keep", &form.keep());
    ctx.insert("formats", &FORMATS.iter().map(|f| (f.0, f.3)).collect::<Vec<_>>());
    ctx.insert("previous", &report.previous.as_ref().map(|p| figures::date(&p.cycle.closes_on)));
    Ok(state.pages.page(StatusCode::OK, "console/priorities.html", ctx))
}

/// The report as a file, with the page's parameters.
pub async fn download(
    state: web::Data<AppState>,
    _: Signed,
    id: web::Path<String>,
    form: web::Query<WeightsForm>,
) -> Result<HttpResponse, PageError> {
    let Some((ext, format, mime, _)) = FORMATS.iter().find(|f| f.0 == form.format) else {
        return Err(crate::domain::FieldError::new("format", "must be json, csv, md, html or parquet").into());
    };
    let report = insights::priorities(&state, &id, params(&state, &form.query())?).await?;
    let body = report::render(&report, *format, "Roadmap priorities").map_err(|e| {
        tracing::error!(error = %e, "rendering the priority report");
        PageError::Internal
    })?;
    let name = format!("priorities-{}.{ext}", report.cycle.closes_on);
    Ok(HttpResponse::Ok()
        .content_type(*mime)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(body))
}
