//! `/admin`: open cycles with live participation (within k), and the
//! friction waiting for triage.

use super::session::Signed;
use crate::error::PageError;
use crate::state::AppState;
use crate::store;
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;

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

pub async fn page(state: web::Data<AppState>, signed: Signed) -> Result<HttpResponse, PageError> {
    let today = state.config.today();
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
    let inbox = store::friction::inbox_counts(&state.db, today).await?;
    let mut ctx = super::context(&signed, "/admin");
    ctx.insert("open_cycles", &open);
    ctx.insert("inbox", &inbox);
    Ok(state.pages.page(StatusCode::OK, "console/overview.html", ctx))
}
