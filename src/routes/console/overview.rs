//! `/admin`: open cycles with live participation (within k); the DevEx
//! index of every closed cycle as a trend; the top five priorities of the
//! latest closed cycle; friction waiting, filed, days to triage and to
//! resolve, hours lost per week over time; the roadmap in progress and
//! recently shipped. The figures are those of `GET /api/v1/overview`.

use super::session::Signed;
use crate::charts;
use crate::domain::RoadmapStatus;
use crate::error::PageError;
use crate::insights;
use crate::routes::figures;
use crate::state::AppState;
use crate::store;
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;

/// Days a shipped item stays under "recently shipped".
const RECENTLY_SHIPPED_DAYS: i64 = 120;

#[derive(Serialize)]
struct OpenCycle {
    cycle_id: String,
    title: String,
    closes_on: String,
    invited: i64,
    responded: i64,
    /// Whole percent.
    rate: i64,
    teams: Vec<store::participation::TeamParticipation>,
    hidden_teams: usize,
}

#[derive(Serialize)]
struct CycleRow {
    cycle_id: String,
    closes_on: String,
    rate: Option<String>,
    answered: String,
    index: Option<String>,
}

async fn open_cycles(state: &AppState) -> Result<Vec<OpenCycle>, PageError> {
    let mut open = Vec::new();
    for (c, title) in store::participation::open_cycles(&state.db).await? {
        let p = store::participation::participation(&state.db, &c.cycle_id, state.config.anonymity_k).await?;
        open.push(OpenCycle {
            rate: if p.invited > 0 { p.responded * 100 / p.invited } else { 0 },
            cycle_id: c.cycle_id,
            title,
            closes_on: c.closes_on.format("%-d %B %Y").to_string(),
            invited: p.invited,
            responded: p.responded,
            teams: p.teams,
            hidden_teams: p.hidden_teams,
        });
    }
    Ok(open)
}

/// Roadmap items in progress, and those shipped lately, newest first.
async fn roadmap(state: &AppState) -> Result<(Vec<String>, Vec<(String, String)>), PageError> {
    let today = state.config.today();
    let items = store::roadmap::all(&state.db).await?;
    let doing = items.iter().filter(|i| i.status == RoadmapStatus::InProgress).map(|i| i.title.clone()).collect();
    let mut shipped: Vec<_> = items
        .iter()
        .filter(|i| i.status == RoadmapStatus::Shipped)
        .filter_map(|i| i.shipped_on.map(|d| (d, i)))
        .filter(|(d, _)| (today - *d).num_days() <= RECENTLY_SHIPPED_DAYS)
        .collect();
    shipped.sort_by_key(|s| std::cmp::Reverse(s.0));
    Ok((doing, shipped.into_iter().map(|(d, i)| (i.title.clone(), d.format("%-d %B %Y").to_string())).collect()))
}

pub async fn page(state: web::Data<AppState>, signed: Signed) -> Result<HttpResponse, PageError> {
    let today = state.config.today();
    let o = insights::overview(&state).await?;
    let inbox = store::friction::inbox_counts(&state.db, today).await?;
    let cycles: Vec<CycleRow> = o
        .cycles
        .iter()
        .map(|c| CycleRow {
            cycle_id: c.cycle_id.clone(),
            closes_on: figures::date(&c.closes_on),
            rate: figures::pct(c.rate),
            answered: format!("{} of {}", c.responded, c.invited),
            index: figures::index(c.devex_index),
        })
        .collect();
    let index_line: Vec<(String, Option<f64>)> =
        o.cycles.iter().map(|c| (figures::date(&c.closes_on), c.devex_index)).collect();
    let friction_line: Vec<(String, Option<f64>)> =
        o.friction_weeks.iter().map(|w| (w.week_ending[5..].to_string(), Some(w.hours_per_week))).collect();
    let top_friction = o.friction_weeks.iter().map(|w| w.hours_per_week).fold(1.0, f64::max);
    let (doing, shipped) = roadmap(&state).await?;
    let mut ctx = super::context(&signed, "/admin");
    ctx.insert("open_cycles", &open_cycles(&state).await?);
    ctx.insert("inbox", &inbox);
    ctx.insert("cycles", &cycles);
    ctx.insert("index_chart", &(index_line.len() > 1).then(|| charts::line(&index_line, 100.0, 560.0, 200.0, "")));
    ctx.insert("friction_chart", &charts::line(&friction_line, charts::nice_max(top_friction), 560.0, 200.0, " h"));
    ctx.insert(
        "friction_weeks",
        &o.friction_weeks
            .iter()
            .map(|w| (figures::date(&w.week_ending), w.filed, super::hours(w.hours_per_week)))
            .collect::<Vec<_>>(),
    );
    ctx.insert("days_to_triage", &figures::days(o.median_days_to_triage));
    ctx.insert("days_to_resolve", &figures::days(o.median_days_to_resolve));
    ctx.insert("latest", &o.latest.as_ref().map(|c| (c.cycle_id.clone(), figures::date(&c.closes_on))));
    ctx.insert("top", &o.top_priorities.iter().map(super::priorities::row).collect::<Vec<_>>());
    ctx.insert("quarters", &o.shipped_per_quarter);
    ctx.insert("doing", &doing);
    ctx.insert("shipped", &shipped);
    Ok(state.pages.page(StatusCode::OK, "console/overview.html", ctx))
}
