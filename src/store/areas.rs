//! Pain-point areas: the shared key of survey items and friction reports.

use super::{Page, PageParams, StoreError, StoreResult};
use crate::domain::{Dimension, Slug};
use crate::entities::area;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

/// A new area, parsed.
pub struct NewArea {
    pub area_id: Slug,
    pub name: String,
    pub dimension: Dimension,
}

pub async fn list(conn: &impl ConnectionTrait, page: &PageParams) -> StoreResult<Page<area::Model>> {
    let mut q = area::Entity::find().order_by_asc(area::Column::AreaId);
    if let Some(after) = &page.after {
        q = q.filter(area::Column::AreaId.gt(after.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(Page::from_rows(rows, page, |a| a.area_id.clone()))
}

pub async fn all(conn: &impl ConnectionTrait) -> StoreResult<Vec<area::Model>> {
    Ok(area::Entity::find().order_by_asc(area::Column::Position).all(conn).await?)
}

pub async fn get(conn: &impl ConnectionTrait, area_id: &str) -> StoreResult<area::Model> {
    area::Entity::find_by_id(area_id.to_string())
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no area {area_id:?}")))
}

pub async fn create(conn: &impl ConnectionTrait, new: NewArea) -> StoreResult<area::Model> {
    if area::Entity::find_by_id(new.area_id.as_str().to_string()).one(conn).await?.is_some() {
        return Err(StoreError::Conflict(format!("area {} already exists", new.area_id)));
    }
    let max: Option<i32> = area::Entity::find()
        .select_only()
        .column_as(area::Column::Position.max(), "m")
        .into_tuple()
        .one(conn)
        .await?
        .flatten();
    Ok(area::ActiveModel {
        area_id: Set(new.area_id.into_string()),
        name: Set(new.name),
        dimension: Set(new.dimension),
        position: Set(max.unwrap_or(0) + 1),
    }
    .insert(conn)
    .await?)
}
