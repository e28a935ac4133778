//! `/api/v1/roadmap`: roadmap items and the friction linked to them.

use super::extract::{Admin, ApiJson, Authed, ListOf, PageQuery};
use super::friction::FrictionOut;
use crate::domain::{RoadmapStatus, optional_text, parse_date, required_text};
use crate::error::{ApiError, ErrorBody};
use crate::insights;
use crate::state::AppState;
use crate::store::friction::{self};
use crate::store::roadmap::{self, ItemChange, ItemFull, NewItem};
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_items).service(create_item).service(get_item).service(update_item);
}

/// A roadmap item with its linked friction reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoadmapOut {
    pub item_id: String,
    pub title: String,
    pub description: String,
    pub area_id: String,
    pub status: RoadmapStatus,
    pub shipped_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub friction: Vec<FrictionOut>,
    /// Hours lost per week over the linked reports still open (not merged, not done or won't fix).
    pub weekly_hours: f64,
    /// A shipped item's effect (analysis.md): its area's % favourable in the
    /// closed cycles before and after, and its friction hours 90 days each side.
    #[schema(value_type = Option<Object>)]
    pub effect: Option<analysis::Effect>,
}

impl RoadmapOut {
    fn new(full: ItemFull, slugs: &HashMap<String, String>, effects: &HashMap<String, analysis::Effect>) -> Self {
        let weekly_hours = full.weekly_hours();
        let i = full.item;
        RoadmapOut {
            effect: effects.get(&i.item_id).cloned(),
            status: i.status,
            item_id: i.item_id,
            title: i.title,
            description: i.description,
            area_id: i.area_id,
            shipped_on: i.shipped_on,
            created_at: i.created_at,
            updated_at: i.updated_at,
            friction: full.reports.into_iter().map(|r| FrictionOut::new(r, slugs)).collect(),
            weekly_hours,
        }
    }
}

/// The effects of shipped items, computed only when one of `items` is shipped.
async fn effects<'a>(
    state: &AppState,
    mut items: impl Iterator<Item = &'a ItemFull>,
) -> Result<HashMap<String, analysis::Effect>, ApiError> {
    if !items.any(|i| i.item.status == RoadmapStatus::Shipped) {
        return Ok(HashMap::new());
    }
    let tables = insights::closed_tables(state).await?;
    Ok(insights::effects(state, tables).await?)
}

async fn out(state: &AppState, full: ItemFull) -> Result<RoadmapOut, ApiError> {
    let slugs = friction::team_slugs(&state.db, &full.reports).await?;
    let effects = effects(state, std::iter::once(&full)).await?;
    Ok(RoadmapOut::new(full, &slugs, &effects))
}

/// A new roadmap item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapIn {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[schema(min_length = 1, max_length = 64)]
    pub area_id: String,
    /// `proposed` by default.
    #[schema(value_type = Option<RoadmapStatus>)]
    pub status: Option<String>,
    /// `YYYY-MM-DD`; only for shipped items (default: today).
    #[schema(value_type = Option<String>, format = Date)]
    pub shipped_on: Option<String>,
}

/// List roadmap items.
#[utoipa::path(tag = "roadmap", params(PageQuery), security(("api_token" = [])),
    responses((status = 200, body = ListOf<RoadmapOut>), (status = 401, body = ErrorBody)))]
#[get("/roadmap")]
async fn list_items(state: web::Data<AppState>, _: Admin, q: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let page = roadmap::list(&state.db, &q.parse()?).await?;
    let all: Vec<_> = page.items.iter().flat_map(|i| i.reports.iter().cloned()).collect();
    let slugs = friction::team_slugs(&state.db, &all).await?;
    let effects = effects(&state, page.items.iter()).await?;
    Ok(HttpResponse::Ok().json(ListOf::from_page(page, |i| RoadmapOut::new(i, &slugs, &effects))))
}

/// Create a roadmap item.
#[utoipa::path(tag = "roadmap", request_body = RoadmapIn, security(("api_token" = [])),
    responses((status = 201, body = RoadmapOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/roadmap")]
async fn create_item(
    state: web::Data<AppState>,
    authed: Authed<Admin, ApiJson<RoadmapIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let b = body.0;
    // The API takes a date or no field at all (the console's form sends a blank).
    if let Some(blank) = b.shipped_on.as_deref().filter(|s| s.trim().is_empty()) {
        parse_date("shipped_on", blank)?;
    }
    let new =
        NewItem::parse(&b.title, b.description.as_deref(), &b.area_id, b.status.as_deref(), b.shipped_on.as_deref())?;
    let full = roadmap::create(&state.db, &admin.actor, new, state.config.today()).await?;
    Ok(HttpResponse::Created().json(out(&state, full).await?))
}

/// One roadmap item with its linked reports.
#[utoipa::path(tag = "roadmap", security(("api_token" = [])),
    responses((status = 200, body = RoadmapOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/roadmap/{id}")]
async fn get_item(state: web::Data<AppState>, _: Admin, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let full = roadmap::get(&state.db, &id).await?;
    Ok(HttpResponse::Ok().json(out(&state, full).await?))
}

/// A change to a roadmap item: any of these fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[schema(min_length = 1, max_length = 64)]
    pub area_id: Option<String>,
    #[schema(value_type = Option<RoadmapStatus>)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub shipped_on: Option<Option<String>>,
}

/// Update a roadmap item; shipping it emails the followers of its linked reports.
#[utoipa::path(tag = "roadmap", request_body = RoadmapPatch, security(("api_token" = [])),
    responses((status = 200, body = RoadmapOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/roadmap/{id}")]
async fn update_item(
    state: web::Data<AppState>,
    id: web::Path<String>,
    authed: Authed<Admin, ApiJson<RoadmapPatch>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let b = body.0;
    let change = ItemChange {
        title: b.title.as_deref().map(|t| required_text("title", t, roadmap::TITLE_LIMIT)).transpose()?,
        description: b
            .description
            .as_deref()
            .map(|d| optional_text("description", Some(d), roadmap::DESCRIPTION_LIMIT).map(Option::unwrap_or_default))
            .transpose()?,
        area_id: b.area_id,
        status: b.status.as_deref().map(|s| RoadmapStatus::parse("status", s)).transpose()?,
        shipped_on: b.shipped_on.map(|d| d.as_deref().map(|s| parse_date("shipped_on", s)).transpose()).transpose()?,
    };
    let full = roadmap::update(&state.db, &state.notify(), &admin.actor, &id, change).await?;
    Ok(HttpResponse::Ok().json(out(&state, full).await?))
}
