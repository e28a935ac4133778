//! What came of the answers, on the member's own link:
//! `/p/{member_token}/results` ("You said, we did": the organisation's
//! scores and top priorities of the latest closed cycle, and the roadmap
//! with the effect of shipped items) and, for a team lead,
//! `/p/{member_token}/team` (their team against the organisation over the
//! closed cycles, their team's votes and friction; where k or the guard hide
//! a figure, the page says so and why).

use crate::error::PageError;
use crate::i18n;
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

fn base(state: &AppState, token: &str, m: &MemberView) -> Context {
    let mut ctx = Context::new();
    ctx.insert("lang", super::member::member_lang(state, m));
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

/// Why a figure is hidden, in `lang` (the words of [`figures::why`]).
fn why(reason: Option<&str>, k: u32, lang: &str) -> Option<String> {
    match reason? {
        "fewer_than_k" => Some(i18n::t_args(lang, "why-fewer-than-k", &[("k", k.to_string())])),
        "differencing" => Some(i18n::t(lang, "why-differencing")),
        other => figures::why(Some(other), k),
    }
}

/// [`figures::points`] with its words (`up 4 points`) in `lang`.
fn points(d: Option<f64>, lang: &str) -> Option<figures::Change> {
    let mut change = figures::points(d)?;
    let pts = (d? * 100.0).round() as i64;
    change.words = match pts {
        0 => i18n::t(lang, "change-unchanged"),
        p if p > 0 => i18n::t_args(lang, "change-up", &[("n", p.to_string())]),
        p => i18n::t_args(lang, "change-down", &[("n", p.abs().to_string())]),
    };
    Some(change)
}

/// What a shipped roadmap item changed, in `lang`.
fn effect_words(e: &analysis::Effect, k: u32, lang: &str) -> String {
    let survey = match (&e.before, &e.after, points(e.difference, lang)) {
        (_, None, _) => i18n::t(lang, "effect-not-measured"),
        (_, Some(_), Some(d)) => i18n::t_args(lang, "effect-survey", &[("change", d.words)]),
        (None, Some(_), None) => i18n::t(lang, "effect-no-survey-before"),
        (Some(b), Some(a), None) => {
            let hidden = if a.suppressed { a } else { b };
            i18n::t_args(lang, "effect-survey-hidden", &[("why", why(hidden.reason, k, lang).unwrap_or_default())])
        }
    };
    let friction = match e.friction_after {
        Some(after) => {
            let before = i18n::decimal(lang, &format!("{:.1}", e.friction_before));
            let after = i18n::decimal(lang, &format!("{after:.1}"));
            i18n::t_args(lang, "effect-friction", &[("before", before), ("after", after)])
        }
        None => i18n::t(lang, "effect-friction-later"),
    };
    format!("{survey}; {friction}")
}

pub async fn results(state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let m = member(&state, &token).await?;
    let lang = super::member::member_lang(&state, &m);
    let mut ctx = base(&state, &token, &m);
    let k = state.config.anonymity_k;
    let areas = store::areas::all(&state.db).await?;
    let area_name = |id: &str| {
        areas.iter().find(|a| a.area_id == id).map(|a| i18n::area_name(lang, &a.name)).unwrap_or_else(|| id.to_string())
    };
    if let Some(r) = insights::member_results(&state).await? {
        let rows: Vec<AreaRow> = r
            .areas
            .iter()
            .filter_map(|a| r.org.scores.iter().find(|s| s.area_id == a.area_id).map(|s| (a, s)))
            .map(|(a, s)| AreaRow {
                name: i18n::area_name(lang, &a.name),
                pct: figures::pct(s.pct_favorable),
                change: points(s.delta_favorable, lang),
                why: why(s.reason, k, lang),
            })
            .collect();
        let items: Vec<ItemRow> = store::roadmap::all(&state.db)
            .await?
            .into_iter()
            .filter(|i| i.status != crate::domain::RoadmapStatus::Dropped)
            .map(|i| ItemRow {
                effect: r.effects.get(&i.item_id).map(|e| effect_words(e, k, lang)),
                area: area_name(&i.area_id),
                status: i18n::status(lang, i.status.as_str()),
                title: i.title,
            })
            .collect();
        ctx.insert("closed_on", &i18n::iso_date(lang, &r.cycle.closes_on));
        ctx.insert("responses", &r.org.responses);
        ctx.insert("index", &figures::index(r.org.devex_index));
        ctx.insert("rows", &rows);
        let top: Vec<_> =
            r.top.iter().map(|p| (p.rank, i18n::area_name(lang, &p.area_name), p.roadmap.clone())).collect();
        ctx.insert("top", &top);
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
    let lang = super::member::member_lang(&state, &m);
    if !m.member.lead {
        return Err(PageError::Forbidden(i18n::t(lang, "notice-lead-only")));
    }
    let k = state.config.anonymity_k;
    let slug = store::teams::slug_of(&state.db, &m.member.team_id).await?;
    let mut ctx = base(&state, &token, &m);
    if let Some(v) = insights::team_view(&state, &slug).await? {
        let cycles: Vec<String> = v.team.iter().map(|p| i18n::iso_date(lang, &p.cycle.closes_on)).collect();
        let index: Vec<(Option<String>, Option<String>, Option<String>)> = v
            .team
            .iter()
            .zip(&v.org)
            .map(|(t, o)| {
                (
                    figures::index(t.report.devex_index),
                    figures::index(o.report.devex_index),
                    why(t.report.reason, k, lang),
                )
            })
            .collect();
        let rows: Vec<TeamRow> = v
            .areas
            .iter()
            .map(|a| TeamRow {
                name: i18n::area_name(lang, &a.name),
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
                            why(ts.and_then(|s| s.reason), k, lang),
                        )
                    })
                    .collect(),
            })
            .collect();
        let names: Vec<(String, String)> =
            v.areas.iter().map(|a| (a.area_id.clone(), i18n::area_name(lang, &a.name))).collect();
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
        ctx.insert("votes_why", &why(v.votes.reason, k, lang));
        ctx.insert("hidden_everywhere", &v.team.iter().all(|p| p.report.suppressed));
    }
    let filter = Filter { team_id: Some(m.member.team_id.clone()), open_only: true, ..Default::default() };
    let reports = friction::list(&state.db, &filter, Order::Cost, &PageParams { limit: 10, after: None }).await?.items;
    let friction: Vec<(String, String, String)> = reports
        .iter()
        .map(|r| {
            let hours = i18n::decimal(lang, &format!("{:.1}", friction::weekly_hours(r)));
            (r.title.clone(), i18n::status(lang, r.status.as_str()), hours)
        })
        .collect();
    ctx.insert("friction", &friction);
    ctx.insert("slug", &slug);
    Ok(state.pages.page(StatusCode::OK, "pages/member_team.html", ctx))
}
