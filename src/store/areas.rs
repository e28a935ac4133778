//! Pain-point areas: the shared key of survey items and friction reports.

use super::{Page, PageParams, StoreError, StoreResult};
use crate::domain::{Dimension, FieldError, Slug};
use crate::entities::area;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

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

/// The area a request names in `field`: an unknown one is invalid input
/// (422 naming the field), not a missing page.
pub async fn known(conn: &impl ConnectionTrait, field: &str, area_id: &str) -> StoreResult<area::Model> {
    get(conn, area_id).await.map_err(|e| match e {
        StoreError::NotFound(_) => FieldError::new(field, format!("unknown area {area_id:?}")).into(),
        other => other,
    })
}

/// Adds an area, audited as `actor`, in one transaction.
pub async fn create(db: &DatabaseConnection, actor: &str, new: NewArea) -> StoreResult<area::Model> {
    let txn = super::begin_write(db).await?;
    let row = insert(&txn, new).await?;
    super::audit::record(&txn, actor, "area.create", "area", &row.area_id, serde_json::json!({"name": row.name}))
        .await?;
    txn.commit().await?;
    Ok(row)
}

async fn insert(conn: &impl ConnectionTrait, new: NewArea) -> StoreResult<area::Model> {
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
