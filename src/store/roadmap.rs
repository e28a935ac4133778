//! Roadmap items: what the platform team does about the pain points. Each
//! lists its linked friction reports and their total weekly cost; shipping an
//! item tells the followers of its linked reports.

use super::friction::{self, Notify};
use super::{Page, PageParams, StoreError, StoreResult, audit, new_id};
use crate::domain::{FieldError, RoadmapStatus};
use crate::entities::{friction_report, roadmap_item};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;

/// A new roadmap item, parsed.
pub struct NewItem {
    pub title: String,
    pub description: String,
    pub area_id: String,
    pub status: RoadmapStatus,
    pub shipped_on: Option<NaiveDate>,
}

/// Longest title and description, in characters.
pub const TITLE_LIMIT: usize = 200;
pub const DESCRIPTION_LIMIT: usize = 4000;

impl NewItem {
    /// Parses a new item as typed (API or console); blank optional fields are
    /// absent, the status defaults to `proposed`.
    pub fn parse(
        title: &str,
        description: Option<&str>,
        area_id: &str,
        status: Option<&str>,
        shipped_on: Option<&str>,
    ) -> Result<NewItem, FieldError> {
        let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        Ok(NewItem {
            title: crate::domain::required_text("title", title, TITLE_LIMIT)?,
            description: crate::domain::optional_text("description", description, DESCRIPTION_LIMIT)?
                .unwrap_or_default(),
            area_id: crate::domain::required_text("area_id", area_id, 64)?,
            status: given(status)
                .map(|s| RoadmapStatus::parse("status", &s))
                .transpose()?
                .unwrap_or(RoadmapStatus::Proposed),
            shipped_on: given(shipped_on).map(|s| crate::domain::parse_date("shipped_on", &s)).transpose()?,
        })
    }
}

/// A change to an item, parsed. `shipped_on: Some(None)` clears the date.
#[derive(Default)]
pub struct ItemChange {
    pub title: Option<String>,
    pub description: Option<String>,
    pub area_id: Option<String>,
    pub status: Option<RoadmapStatus>,
    pub shipped_on: Option<Option<NaiveDate>>,
}

/// An item with its linked reports.
pub struct ItemFull {
    pub item: roadmap_item::Model,
    pub reports: Vec<friction_report::Model>,
}

impl ItemFull {
    /// The linked reports that still count: not merged duplicates, not done
    /// or won't fix.
    pub fn open_reports(&self) -> impl Iterator<Item = &friction_report::Model> {
        self.reports.iter().filter(|r| r.duplicate_of.is_none() && !r.status.is_closed())
    }

    /// Hours lost per week over [`Self::open_reports`].
    pub fn weekly_hours(&self) -> f64 {
        self.open_reports()
            .map(friction::weekly_hours)
            .sum::<f64>()
            // An empty sum is -0.0, which would read "-0.0 hours".
            + 0.0
    }
}

/// A shipped item gets today as its date unless one is given; others have none.
fn shipped_date(
    status: RoadmapStatus,
    given: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, FieldError> {
    match (status, given) {
        (RoadmapStatus::Shipped, d) => Ok(Some(d.unwrap_or(today))),
        (_, Some(_)) => Err(FieldError::new("shipped_on", "only a shipped item has a shipped date")),
        (_, None) => Ok(None),
    }
}

pub async fn create(db: &DatabaseConnection, actor: &str, new: NewItem, today: NaiveDate) -> StoreResult<ItemFull> {
    let txn = crate::store::begin_write(db).await?;
    super::areas::known(&txn, "area_id", &new.area_id).await?;
    let now = Utc::now();
    let item = roadmap_item::ActiveModel {
        item_id: Set(new_id()),
        title: Set(new.title),
        description: Set(new.description),
        area_id: Set(new.area_id),
        status: Set(new.status),
        shipped_on: Set(shipped_date(new.status, new.shipped_on, today)?),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        "roadmap.create",
        "roadmap_item",
        &item.item_id,
        json!({"title": item.title, "status": item.status}),
    )
    .await?;
    if item.status == RoadmapStatus::Shipped {
        crate::store::webhooks::emit(&txn, &crate::webhooks::events::roadmap_shipped(&item, 0)).await?;
    }
    txn.commit().await?;
    Ok(ItemFull { item, reports: Vec::new() })
}

/// Every item (without their linked reports), newest first: for pickers.
pub async fn all(conn: &impl ConnectionTrait) -> StoreResult<Vec<roadmap_item::Model>> {
    Ok(roadmap_item::Entity::find().order_by_desc(roadmap_item::Column::CreatedAt).all(conn).await?)
}

/// The items with these ids (without their linked reports).
pub async fn by_ids(conn: &impl ConnectionTrait, ids: Vec<String>) -> StoreResult<Vec<roadmap_item::Model>> {
    if ids.is_empty() {
        // No round trip for nothing (the member page asks for none most times).
        return Ok(Vec::new());
    }
    Ok(roadmap_item::Entity::find().filter(roadmap_item::Column::ItemId.is_in(ids)).all(conn).await?)
}

pub async fn get(conn: &impl ConnectionTrait, item_id: &str) -> StoreResult<ItemFull> {
    let item = roadmap_item::Entity::find_by_id(item_id.to_string())
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no roadmap item {item_id:?}")))?;
    let reports = friction_report::Entity::find()
        .filter(friction_report::Column::RoadmapItemId.eq(item_id))
        .order_by_desc(friction_report::Column::CreatedAt)
        .all(conn)
        .await?;
    Ok(ItemFull { item, reports })
}

pub async fn list(conn: &impl ConnectionTrait, page: &PageParams) -> StoreResult<Page<ItemFull>> {
    let mut q = roadmap_item::Entity::find().order_by_asc(roadmap_item::Column::ItemId);
    if let Some(after) = &page.after {
        q = q.filter(roadmap_item::Column::ItemId.gt(after.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page, |i| i.item_id.clone());
    let reports = friction_report::Entity::find()
        .filter(friction_report::Column::RoadmapItemId.is_in(page.items.iter().map(|i| i.item_id.clone())))
        .order_by_desc(friction_report::Column::CreatedAt)
        .all(conn)
        .await?;
    Ok(page.map(|item| {
        let linked = reports.iter().filter(|r| r.roadmap_item_id.as_deref() == Some(&item.item_id)).cloned().collect();
        ItemFull { item, reports: linked }
    }))
}

/// Updates an item; shipping it emails the followers of its linked reports.
pub async fn update(
    db: &DatabaseConnection,
    notify: &Notify<'_>,
    actor: &str,
    item_id: &str,
    change: ItemChange,
) -> StoreResult<ItemFull> {
    let txn = crate::store::begin_write(db).await?;
    let before = get(&txn, item_id).await?.item;
    let mut row = before.clone().into_active_model();
    if let Some(t) = change.title {
        row.title = Set(t);
    }
    if let Some(d) = change.description {
        row.description = Set(d);
    }
    if let Some(a) = change.area_id {
        super::areas::known(&txn, "area_id", &a).await?;
        row.area_id = Set(a);
    }
    let status = change.status.unwrap_or(before.status);
    let given = match change.shipped_on {
        Some(d) => d,
        None if status == RoadmapStatus::Shipped => before.shipped_on,
        None => None,
    };
    row.status = Set(status);
    row.shipped_on = Set(shipped_date(status, given, notify.today)?);
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        "roadmap.update",
        "roadmap_item",
        item_id,
        json!({"status": [before.status, after.status], "title": after.title, "shipped_on": after.shipped_on}),
    )
    .await?;
    let shipped_now = after.status == RoadmapStatus::Shipped && before.status != after.status;
    let full = get(&txn, item_id).await?;
    if shipped_now {
        crate::store::webhooks::emit(&txn, &crate::webhooks::events::roadmap_shipped(&after, full.reports.len()))
            .await?;
        for r in &full.reports {
            let event = crate::email::FollowUpEvent::Shipped { item: &after.title };
            friction::follow_up(&txn, notify, r, event).await?;
        }
    }
    txn.commit().await?;
    Ok(full)
}
