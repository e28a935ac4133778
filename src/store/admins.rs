//! Platform-team admin users.

use super::{StoreError, StoreResult, new_id};
use crate::domain::Email;
use crate::entities::admin_user;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

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

/// The admin `email` signing in through single sign-on: theirs, or a new
/// one without a password (the provider vouches for them; see `crate::sso`).
pub async fn sso_admin(db: &DatabaseConnection, email: &str) -> StoreResult<admin_user::Model> {
    if let Some(a) = by_email(db, email).await? {
        return Ok(a);
    }
    let parsed = Email::parse("email", email)?;
    let txn = super::begin_write(db).await?;
    // Not a password hash: no password matches it.
    let row = create(&txn, &parsed, NO_PASSWORD.to_string()).await?;
    super::audit::record(&txn, "sso", "admin.add", "admin", &row.admin_id, serde_json::json!({"email": row.email}))
        .await?;
    txn.commit().await?;
    Ok(row)
}

/// The password hash of an admin who signs in through single sign-on only.
pub const NO_PASSWORD: &str = "!sso";

/// The admin with `email`, if any.
pub async fn by_email(conn: &impl ConnectionTrait, email: &str) -> StoreResult<Option<admin_user::Model>> {
    Ok(admin_user::Entity::find().filter(admin_user::Column::Email.eq(email.trim().to_lowercase())).one(conn).await?)
}

/// Every admin, by email.
pub async fn list(conn: &impl ConnectionTrait) -> StoreResult<Vec<admin_user::Model>> {
    Ok(admin_user::Entity::find().order_by_asc(admin_user::Column::Email).all(conn).await?)
}

/// Sets an admin's password hash and ends every session of theirs, audited.
pub async fn set_password(db: &DatabaseConnection, actor: &str, email: &str, password_hash: String) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let admin = by_email(&txn, email).await?.ok_or_else(|| StoreError::NotFound(format!("no admin {email}")))?;
    let id = admin.admin_id.clone();
    let mut row: admin_user::ActiveModel = admin.into();
    row.password_hash = Set(password_hash);
    row.update(&txn).await?;
    let ended = super::sessions::end_all(&txn, &id).await?;
    super::audit::record(&txn, actor, "admin.password", "admin", &id, serde_json::json!({"sessions_ended": ended}))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes an admin (never the last one) and their sessions, audited.
pub async fn remove(db: &DatabaseConnection, actor: &str, email: &str) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let admin = by_email(&txn, email).await?.ok_or_else(|| StoreError::NotFound(format!("no admin {email}")))?;
    if admin_user::Entity::find().count(&txn).await? <= 1 {
        return Err(StoreError::Conflict("this is the last admin; add another one first".into()));
    }
    super::sessions::end_all(&txn, &admin.admin_id).await?;
    admin_user::Entity::delete_by_id(admin.admin_id.clone()).exec(&txn).await?;
    super::audit::record(
        &txn,
        actor,
        "admin.remove",
        "admin",
        &admin.admin_id,
        serde_json::json!({"email": admin.email}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
