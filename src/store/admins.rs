//! Platform-team admin users.

use super::{StoreError, StoreResult, new_id};
use crate::domain::Email;
use crate::entities::admin_user;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Creates an admin with an already computed password hash.
pub async fn create(
    conn: &impl ConnectionTrait,
    email: &Email,
    password_hash: String,
) -> StoreResult<admin_user::Model> {
    let exists = admin_user::Entity::find().filter(admin_user::Column::Email.eq(email.as_str())).one(conn).await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!("an admin with email {email} already exists")));
    }
    let row = admin_user::ActiveModel {
        admin_id: Set(new_id()),
        email: Set(email.to_string()),
        password_hash: Set(password_hash),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(row)
}
