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

/// Writes and commits one row: the readiness probe's proof that the database
/// takes writes now (not only reads), so `/ready` says 503 while the disk is
/// full or the file is read-only, and 200 again once it is not.
pub async fn probe_write(conn: &impl ConnectionTrait) -> StoreResult<()> {
    let row = setting::ActiveModel { key: Set("ready_probe".into()), value: Set(chrono::Utc::now().to_rfc3339()) };
    setting::Entity::insert(row)
        .on_conflict(OnConflict::column(setting::Column::Key).update_column(setting::Column::Value).to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The key that derives invitation and personal-link tokens (see
/// `store::invitations`), generated on first use.
pub async fn link_key(conn: &impl ConnectionTrait) -> StoreResult<String> {
    get_or_init(conn, "invitation_key", || super::random_token(64)).await
}
