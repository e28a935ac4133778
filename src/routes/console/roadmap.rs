//! `/admin/roadmap`: roadmap items with their linked friction and its cost;
//! create one, move one along, ship one (its reports' followers hear of it).
//! Linking friction to an item is done from the friction pages.

use super::session::Signed;
use crate::domain::RoadmapStatus;
use crate::error::PageError;
use crate::insights;
use crate::routes::figures;
use crate::state::AppState;
use crate::store::roadmap::{self, ItemChange, NewItem};
use crate::store::{self, PageParams};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct ItemView {
    item_id: String,
    title: String,
    description: String,
    area_id: String,
    area: String,
    status: String,
    status_id: &'static str,
    shipped_on: Option<String>,
    reports: usize,
    open: usize,
    hours: String,
    effect: Option<EffectView>,
}

/// A shipped item's effect in words (analysis.md, "Effect of a shipped roadmap item").
#[derive(Serialize)]
struct EffectView {
    before: Option<String>,
    after: Option<String>,
    difference: Option<figures::Change>,
    friction_before: String,
    friction_after: Option<String>,
}

fn side(c: &Option<analysis::EffectCycle>, k: u32) -> Option<String> {
    let c = c.as_ref()?;
    let when = figures::date(&c.closes_on);
    Some(match (c.pct_favorable, c.fav_lo.zip(c.fav_hi)) {
        (Some(p), Some((lo, hi))) => {
            format!("{:.0} % favourable ({:.0}–{:.0} %) in the cycle closed {when}", p * 100.0, lo * 100.0, hi * 100.0)
        }
        _ => format!("hidden in the cycle closed {when}: {}", figures::why(c.reason, k).unwrap_or_default()),
    })
}

fn effect_view(e: &analysis::Effect, k: u32) -> EffectView {
    EffectView {
        before: side(&e.before, k),
        after: side(&e.after, k),
        difference: figures::points(e.difference),
        friction_before: super::hours(e.friction_before),
        friction_after: e.friction_after.map(super::hours),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ItemForm {
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    status: String,
}

async fn render(
    state: &AppState,
    signed: &Signed,
    form: Option<&ItemForm>,
    problem: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let areas = store::areas::all(&state.db).await?;
    let name =
        |id: &str| areas.iter().find(|a| a.area_id == id).map(|a| a.name.clone()).unwrap_or_else(|| id.to_string());
    let items = roadmap::list(&state.db, &PageParams { limit: 200, after: None }).await?.items;
    let effects = if items.iter().any(|i| i.item.status == RoadmapStatus::Shipped) {
        let tables = insights::closed_tables(state).await?;
        insights::effects(state, tables).await?
    } else {
        Default::default()
    };
    let k = state.config.anonymity_k;
    let views: Vec<ItemView> = items
        .iter()
        .map(|i| ItemView {
            item_id: i.item.item_id.clone(),
            title: i.item.title.clone(),
            description: i.item.description.clone(),
            area_id: i.item.area_id.clone(),
            area: name(&i.item.area_id),
            status: i.item.status.human(),
            status_id: i.item.status.as_str(),
            shipped_on: i.item.shipped_on.map(|d| d.format("%-d %B %Y").to_string()),
            reports: i.reports.len(),
            open: i.open_reports().count(),
            hours: super::hours(i.weekly_hours()),
            effect: effects.get(&i.item.item_id).map(|e| effect_view(e, k)),
        })
        .collect();
    let mut ctx = super::context(signed, "/admin/roadmap");
    ctx.insert("items", &views);
    ctx.insert("areas", &areas.iter().map(|a| (a.area_id.clone(), a.name.clone())).collect::<Vec<_>>());
    let statuses: Vec<(&str, String)> = RoadmapStatus::ALL.iter().map(|s| (s.as_str(), s.human())).collect();
    ctx.insert("statuses", &statuses);
    ctx.insert("form", &form);
    ctx.insert("problem", &problem);
    Ok(state.pages.page(status, "console/roadmap.html", ctx))
}

pub async fn page(state: web::Data<AppState>, signed: Signed) -> Result<HttpResponse, PageError> {
    render(&state, &signed, None, None, StatusCode::OK).await
}

pub async fn create(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<ItemForm>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let f = &form;
    let created = match NewItem::parse(&f.title, Some(&f.description), &f.area_id, Some(&f.status), None) {
        Ok(new) => {
            roadmap::create(&state.db, &signed.actor(), new, state.config.today()).await.map_err(PageError::from)
        }
        Err(e) => Err(e.into()),
    };
    match created {
        Ok(_) => Ok(HttpResponse::SeeOther().insert_header(("Location", "/admin/roadmap?created=1")).finish()),
        Err(PageError::Invalid(e)) => {
            let problem = format!("{}: {}", e.field, e.message);
            render(&state, &signed, Some(f), Some(&problem), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    csrf: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    area_id: String,
    /// Present (even empty) when the edit form sent it.
    description: Option<String>,
    /// A friction report id to link to this item.
    #[serde(default)]
    link: String,
}

impl ChangeForm {
    fn change(&self) -> Result<ItemChange, crate::domain::FieldError> {
        let given = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
        let description = match self.description.as_deref() {
            Some(d) => Some(
                crate::domain::optional_text("description", Some(d), roadmap::DESCRIPTION_LIMIT)?.unwrap_or_default(),
            ),
            None => None,
        };
        Ok(ItemChange {
            status: given(&self.status).map(|s| RoadmapStatus::parse("status", &s)).transpose()?,
            title: given(&self.title)
                .map(|t| crate::domain::required_text("title", &t, roadmap::TITLE_LIMIT))
                .transpose()?,
            area_id: given(&self.area_id),
            description,
            shipped_on: None,
        })
    }
}

/// Edits an item (status, title, area, description) and links a friction
/// report to it; shipping sets today's date and tells the followers of its
/// linked reports.
pub async fn update(
    state: web::Data<AppState>,
    signed: Signed,
    id: web::Path<String>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let notify = state.notify();
    let done = async {
        roadmap::update(&state.db, &notify, &signed.actor(), &id, form.change()?).await?;
        if let Some(report) = Some(form.link.trim()).filter(|l| !l.is_empty()) {
            let link = store::friction::Change { roadmap_item_id: Some(Some(id.to_string())), ..Default::default() };
            store::friction::change(&state.db, &notify, &signed.actor(), report, link).await?;
        }
        Ok::<(), PageError>(())
    };
    match done.await {
        Ok(()) => {
            Ok(HttpResponse::SeeOther().insert_header(("Location", format!("/admin/roadmap#item-{id}"))).finish())
        }
        Err(PageError::Invalid(e)) => {
            let problem = format!("{}: {}", e.field, e.message);
            render(&state, &signed, None, Some(&problem), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(PageError::NotFound(m)) => render(&state, &signed, None, Some(&m), StatusCode::NOT_FOUND).await,
        Err(e) => Err(e),
    }
}
