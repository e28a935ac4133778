//! The audit log of admin actions: who did what to which thing, and when.

use super::{StoreResult, new_id};
use crate::entities::audit_entry;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

/// Records one admin action. Call it inside the transaction that makes the change.
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: serde_json::Value,
) -> StoreResult<()> {
    audit_entry::ActiveModel {
        audit_id: Set(new_id()),
        at: Set(chrono::Utc::now()),
        actor: Set(actor.to_string()),
        action: Set(action.to_string()),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id.to_string()),
        detail: Set(detail.to_string()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The history of one thing, oldest first (e.g. a friction report's triage).
pub async fn for_entity(conn: &impl ConnectionTrait, entity: &str, id: &str) -> StoreResult<Vec<audit_entry::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(audit_entry::Entity::find()
        .filter(audit_entry::Column::Entity.eq(entity))
        .filter(audit_entry::Column::EntityId.eq(id))
        .order_by_asc(audit_entry::Column::At)
        .all(conn)
        .await?)
}

/// The latest entries, newest first, optionally only those whose action
/// starts with `action` or whose actor contains `actor`.
pub async fn recent(
    conn: &impl ConnectionTrait,
    action: Option<&str>,
    actor: Option<&str>,
    limit: u64,
) -> StoreResult<Vec<audit_entry::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut q = audit_entry::Entity::find();
    if let Some(a) = action.map(str::trim).filter(|a| !a.is_empty()) {
        q = q.filter(audit_entry::Column::Action.starts_with(a));
    }
    if let Some(a) = actor.map(str::trim).filter(|a| !a.is_empty()) {
        q = q.filter(audit_entry::Column::Actor.contains(a));
    }
    Ok(q.order_by_desc(audit_entry::Column::At).limit(limit).all(conn).await?)
}
