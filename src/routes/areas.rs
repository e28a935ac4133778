//! `/api/v1/areas`: the pain-point taxonomy.

use super::extract::{Admin, ApiJson, Authed, ListOf, PageQuery};
use crate::domain::{Dimension, Slug, required_text};
use crate::entities::area;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::store::{self, areas::NewArea};
use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_areas).service(create_area);
}

/// An area of the taxonomy.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaOut {
    pub area_id: String,
    pub name: String,
    pub dimension: Dimension,
}

impl From<area::Model> for AreaOut {
    fn from(a: area::Model) -> Self {
        AreaOut { dimension: a.dimension, area_id: a.area_id, name: a.name }
    }
}

/// A new area.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaIn {
    /// Slug, e.g. `ci`.
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")]
    pub area_id: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(value_type = Dimension)]
    pub dimension: String,
}

impl AreaIn {
    fn parse(self) -> Result<NewArea, ApiError> {
        Ok(NewArea {
            area_id: Slug::parse("area_id", &self.area_id)?,
            name: required_text("name", &self.name, 200)?,
            dimension: Dimension::parse("dimension", &self.dimension)?,
        })
    }
}

/// List the areas (open to anyone: the taxonomy is not sensitive).
#[utoipa::path(
    tag = "areas",
    params(PageQuery),
    responses((status = 200, body = ListOf<AreaOut>), (status = 422, body = ErrorBody))
)]
#[get("/areas")]
async fn list_areas(state: web::Data<AppState>, q: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let page = store::areas::list(&state.db, &q.parse()?).await?;
    Ok(HttpResponse::Ok().json(ListOf::from_page(page, AreaOut::from)))
}

/// Add an area to the taxonomy.
#[utoipa::path(
    tag = "areas",
    request_body = AreaIn,
    security(("api_token" = [])),
    responses(
        (status = 201, body = AreaOut),
        (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
#[post("/areas")]
async fn create_area(
    state: web::Data<AppState>,
    authed: Authed<Admin, ApiJson<AreaIn>>,
) -> Result<HttpResponse, ApiError> {
    let Authed(admin, body) = authed;
    let new = body.0.parse()?;
    let row = store::areas::create(&state.db, &admin.actor, new).await?;
    Ok(HttpResponse::Created().json(AreaOut::from(row)))
}
