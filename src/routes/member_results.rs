//! What came of the answers, on the member's own link:
//! `/p/{member_token}/results` ("You said, we did": the organisation's
//! scores and top priorities of the latest closed cycle, and the roadmap
//! with the effect of shipped items) and, for a team lead,
//! `/p/{member_token}/team` (their team against the organisation over the
//! closed cycles, their team's votes and friction; where k or the guard hide
//! a figure, the page says so and why).

use crate::error::PageError;
use crate::insights;
use crate::routes::figures;
use crate::state::AppState;
use crate::store::friction::{self, Filter, Order};
use crate::store::members::MemberView;
use crate::store::{self, PageParams};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;
use tera::Context;

async fn member(state: &AppState, token: &str) -> Result<MemberView, PageError> {
    store::members::by_token(&state.db, token)
        .await?
        .ok_or_else(|| PageError::NotFound("This link does not work: ask for a new one at /p.".into()))
}

fn base(token: &str, m: &MemberView) -> Context {
    let mut ctx = Context::new();
    ctx.insert("token", token);
    ctx.insert("team_name", &m.team_name);
    ctx.insert("lead", &m.member.lead);
    ctx
}

#[derive(Serialize)]
struct AreaRow {
    name: String,
    pct: Option<String>,
    change: Option<figures::Change>,
    why: Option<String>,
}

#[derive(Serialize)]
struct ItemRow {
    title: String,
    area: String,
    status: String,
    effect: Option<String>,
}

fn effect_words(e: &analysis::Effect, k: u32) -> String {
    let survey = match (&e.before, &e.after, figures::points(e.difference)) {
        (_, None, _) => "its survey effect is not measured yet".to_string(),
        (_, Some(_), Some(d)) => format!("% favourable {}", d.words),
        (None, Some(_), None) => "there was no survey before it shipped to compare with".to_string(),
        (Some(b), Some(a), None) => {
            let hidden = if a.suppressed { a } else { b };
            format!("the survey comparison is hidden ({})", figures::why(hidden.reason, k).unwrap_or_default())
        }
    };
    let friction = match e.friction_after {
        Some(after) => format!("friction went from {:.1} to {:.1} hours per week", e.friction_before, after),
        None => "its friction effect shows 90 days after shipping".to_string(),
    };
    format!("{survey}; {friction}")
}

pub async fn results(state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let m = member(&state, &token).await?;
    let mut ctx = base(&token, &m);
    let k = state.config.anonymity_k;
    let areas = store::areas::all(&state.db).await?;
    let area_name =
        |id: &str| areas.iter().find(|a| a.area_id == id).map(|a| a.name.clone()).unwrap_or_else(|| id.to_string());
    if let Some(r) = insights::member_results(&state).await? {
        let rows: Vec<AreaRow> = r
            .areas
            .iter()
            .filter_map(|a| r.org.scores.iter().find(|s| s.area_id == a.area_id).map(|s| (a, s)))
            .map(|(a, s)| AreaRow {
                name: a.name.clone(),
                pct: figures::pct(s.pct_favorable),
                change: figures::points(s.delta_favorable),
                why: figures::why(s.reason, k),
            })
            .collect();
        let items: Vec<ItemRow> = store::roadmap::all(&state.db)
            .await?
            .into_iter()
            .filter(|i| i.status != crate::domain::RoadmapStatus::Dropped)
            .map(|i| ItemRow {
                effect: r.effects.get(&i.item_id).map(|e| effect_words(e, k)),
                area: area_name(&i.area_id),
                status: i.status.human(),
                title: i.title,
            })
            .collect();
        ctx.insert("closed_on", &figures::date(&r.cycle.closes_on));
        ctx.insert("responses", &r.org.responses);
        ctx.insert("index", &figures::index(r.org.devex_index));
        ctx.insert("rows", &rows);
        ctx.insert("top", &r.top.iter().map(|p| (p.rank, p.area_name.clone(), p.roadmap.clone())).collect::<Vec<_>>());
        ctx.insert("items", &items);
    }
    Ok(state.pages.page(StatusCode::OK, "pages/member_results.html", ctx))
}

#[derive(Serialize)]
struct TeamRow {
    name: String,
    /// Per cycle: (team %, org %, why the team's is hidden).
    cells: Vec<(Option<String>, Option<String>, Option<String>)>,
}

pub async fn team(state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let m = member(&state, &token).await?;
    if !m.member.lead {
        return Err(PageError::Forbidden(
            "This page is for team leads. Ask the platform team to mark you as your team's lead.".into(),
        ));
    }
    let k = state.config.anonymity_k;
    let slug = store::teams::slug_of(&state.db, &m.member.team_id).await?;
    let mut ctx = base(&token, &m);
    if let Some(v) = insights::team_view(&state, &slug).await? {
        let cycles: Vec<String> = v.team.iter().map(|p| figures::date(&p.cycle.closes_on)).collect();
        let index: Vec<(Option<String>, Option<String>, Option<String>)> = v
            .team
            .iter()
            .zip(&v.org)
            .map(|(t, o)| {
                (
                    figures::index(t.report.devex_index),
                    figures::index(o.report.devex_index),
                    figures::why(t.report.reason, k),
                )
            })
            .collect();
        let rows: Vec<TeamRow> = v
            .areas
            .iter()
            .map(|a| TeamRow {
                name: a.name.clone(),
                cells: v
                    .team
                    .iter()
                    .zip(&v.org)
                    .map(|(t, o)| {
                        let ts = t.report.scores.iter().find(|s| s.area_id == a.area_id);
                        let os = o.report.scores.iter().find(|s| s.area_id == a.area_id);
                        (
                            figures::pct(ts.and_then(|s| s.pct_favorable)),
                            figures::pct(os.and_then(|s| s.pct_favorable)),
                            figures::why(ts.and_then(|s| s.reason), k),
                        )
                    })
                    .collect(),
            })
            .collect();
        let names: Vec<(String, String)> = v.areas.iter().map(|a| (a.area_id.clone(), a.name.clone())).collect();
        let votes: Vec<(String, String)> = v
            .votes
            .shares
            .iter()
            .take(5)
            .map(|(a, s)| {
                (
                    names.iter().find(|n| &n.0 == a).map(|n| n.1.clone()).unwrap_or_else(|| a.clone()),
                    format!("{:.0} %", s * 100.0),
                )
            })
            .collect();
        ctx.insert("cycles", &cycles);
        ctx.insert("index", &index);
        ctx.insert("rows", &rows);
        ctx.insert("votes", &votes);
        ctx.insert("votes_why", &figures::why(v.votes.reason, k));
        ctx.insert("hidden_everywhere", &v.team.iter().all(|p| p.report.suppressed));
    }
    let filter = Filter { team_id: Some(m.member.team_id.clone()), open_only: true, ..Default::default() };
    let reports = friction::list(&state.db, &filter, Order::Cost, &PageParams { limit: 10, after: None }).await?.items;
    let friction: Vec<(String, String, String)> = reports
        .iter()
        .map(|r| (r.title.clone(), r.status.human(), format!("{:.1}", friction::weekly_hours(r))))
        .collect();
    ctx.insert("friction", &friction);
    ctx.insert("slug", &slug);
    Ok(state.pages.page(StatusCode::OK, "pages/member_team.html", ctx))
}
