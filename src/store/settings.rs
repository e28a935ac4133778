//! Key-value settings the service keeps for itself (e.g. the secret key).

use super::StoreResult;
use crate::entities::setting;
use sea_orm::{ConnectionTrait, EntityTrait, Set, sea_query::OnConflict};

/// Returns the value under `key`, storing `make()` first if there is none.
/// Safe when several instances start at once: the first insert wins and
/// everyone reads the stored value.
pub async fn get_or_init(conn: &impl ConnectionTrait, key: &str, make: impl FnOnce() -> String) -> StoreResult<String> {
    let row = setting::ActiveModel { key: Set(key.to_string()), value: Set(make()) };
    setting::Entity::insert(row)
        .on_conflict(OnConflict::column(setting::Column::Key).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    let stored = setting::Entity::find_by_id(key.to_string())
        .one(conn)
        .await?
        .ok_or_else(|| super::StoreError::Broken(format!("setting {key} vanished")))?;
    Ok(stored.value)
}

/// The key that derives invitation and personal-link tokens (see
/// `store::invitations`), generated on first use.
pub async fn link_key(conn: &impl ConnectionTrait) -> StoreResult<String> {
    get_or_init(conn, "invitation_key", || super::random_token(64)).await
}
