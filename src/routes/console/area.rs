//! `/admin/cycles/{id}/areas/{area_id}`: one area of a closed cycle: the
//! 1–5 distribution of the organisation and each allowed group with its
//! interval, its trend, its priority and the three parts of it, its open
//! friction ranked by hours per week, and its roadmap items.

use super::session::Signed;
use crate::error::PageError;
use crate::insights;
use crate::routes::figures;
use crate::state::AppState;
use crate::store::friction::{self, Filter, Order};
use crate::store::{self, PageParams};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;

#[derive(Serialize)]
struct Bar {
    value: usize,
    pct: String,
    /// Width in the SVG (of 300).
    width: f64,
    x: f64,
}

#[derive(Serialize)]
struct DistView {
    name: String,
    pct: Option<String>,
    interval: Option<String>,
    n: Option<i64>,
    bars: Vec<Bar>,
    why: Option<String>,
}

#[derive(Serialize)]
struct ReportView {
    report_id: String,
    title: String,
    status: String,
    hours: String,
    me_too: i32,
}

fn dist_view(d: &analysis::area::Distribution, k: u32) -> DistView {
    let mut x = 0.0;
    let bars = d
        .shares
        .map(|s| {
            s.iter()
                .enumerate()
                .map(|(i, share)| {
                    let bar = Bar { value: i + 1, pct: format!("{:.0} %", share * 100.0), width: 300.0 * share, x };
                    x += bar.width;
                    bar
                })
                .collect()
        })
        .unwrap_or_default();
    DistView {
        name: d.name.clone(),
        pct: figures::pct(d.pct_favorable),
        interval: d.fav_lo.zip(d.fav_hi).map(|(lo, hi)| format!("{:.0}–{:.0} %", lo * 100.0, hi * 100.0)),
        n: d.n,
        bars,
        why: figures::why(d.reason, k),
    }
}

pub async fn page(
    state: web::Data<AppState>,
    signed: Signed,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (cycle_id, area_id) = path.into_inner();
    let area = store::areas::all(&state.db)
        .await?
        .into_iter()
        .find(|a| a.area_id == area_id)
        .ok_or_else(|| PageError::NotFound(format!("no area {area_id:?}")))?;
    let tables = insights::closed_tables(&state).await?;
    let view = insights::area(&state, tables, &cycle_id, &area_id).await?;
    let k = state.config.anonymity_k;
    let filter = Filter { area_id: Some(area_id.clone()), open_only: true, ..Default::default() };
    let reports = friction::list(&state.db, &filter, Order::Cost, &PageParams { limit: 20, after: None }).await?.items;
    let reports: Vec<ReportView> = reports
        .iter()
        .map(|r| ReportView {
            report_id: r.report_id.clone(),
            title: r.title.clone(),
            status: r.status.human(),
            hours: super::hours(friction::weekly_hours(r)),
            me_too: r.me_too,
        })
        .collect();
    let items: Vec<(String, String)> = store::roadmap::all(&state.db)
        .await?
        .into_iter()
        .filter(|i| i.area_id == area_id)
        .map(|i| (i.title, i.status.human()))
        .collect();
    let trend: Vec<(String, Option<String>)> = view
        .trend
        .iter()
        .filter(|p| p.cycle.closes_on <= view.cycle.closes_on)
        .map(|p| {
            let s = p.report.scores.iter().find(|s| s.area_id == area_id);
            (figures::date(&p.cycle.closes_on), figures::pct(s.and_then(|s| s.pct_favorable)))
        })
        .collect();
    let mut ctx = super::context(&signed, "/admin/results");
    ctx.insert("cycle", &super::cycle_view(&state, &view.cycle).await?);
    ctx.insert("area", &(area.area_id.clone(), area.name.clone(), figures::dimension(area.dimension.as_str())));
    ctx.insert("dists", &view.distribution.iter().map(|d| dist_view(d, k)).collect::<Vec<_>>());
    ctx.insert("trend", &trend);
    ctx.insert("priority", &view.priority.as_ref().map(super::priorities::row));
    ctx.insert("reports", &reports);
    ctx.insert("items", &items);
    ctx.insert("k", &k);
    Ok(state.pages.page(StatusCode::OK, "console/area.html", ctx))
}
