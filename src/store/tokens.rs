//! API tokens for the JSON API. A token reads `dp_<token_id>_<secret>`; only
//! the SHA-256 of the secret is stored, and it is compared in constant time.

use super::{StoreError, StoreResult, hash_secret, random_token, required_name};
use crate::entities::api_token;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use subtle::ConstantTimeEq;

const PREFIX: &str = "dp_";

/// Creates a token named `name`; returns the row and the token text, which is
/// shown once and never stored.
pub async fn create(conn: &impl ConnectionTrait, name: &str) -> StoreResult<(api_token::Model, String)> {
    let name = required_name("name", name)?;
    let token_id = uuid::Uuid::new_v4().simple().to_string();
    let secret = random_token(32);
    let row = api_token::ActiveModel {
        token_id: Set(token_id.clone()),
        name: Set(name),
        token_hash: Set(hash_secret(&secret)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok((row, format!("{PREFIX}{token_id}_{secret}")))
}

/// The live token that `presented` stands for, if any.
pub async fn verify(conn: &impl ConnectionTrait, presented: &str) -> StoreResult<Option<api_token::Model>> {
    let Some((token_id, secret)) = presented.strip_prefix(PREFIX).and_then(|rest| rest.split_once('_')) else {
        return Ok(None);
    };
    if token_id.len() != 32 || !token_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(row) = api_token::Entity::find_by_id(token_id.to_string()).one(conn).await? else {
        return Ok(None);
    };
    let matches: bool = hash_secret(secret).as_bytes().ct_eq(row.token_hash.as_bytes()).into();
    if !matches || row.revoked_at.is_some() {
        return Ok(None);
    }
    // Remember when it was last used, at most once a minute to keep reads cheap.
    let now = Utc::now();
    if row.last_used_at.is_none_or(|t| now - t > chrono::Duration::minutes(1)) {
        let mut active = row.clone().into_active_model();
        active.last_used_at = Set(Some(now));
        active.update(conn).await?;
    }
    Ok(Some(row))
}

/// All tokens, newest first.
pub async fn list(conn: &impl ConnectionTrait) -> StoreResult<Vec<api_token::Model>> {
    Ok(api_token::Entity::find().order_by_desc(api_token::Column::CreatedAt).all(conn).await?)
}

/// Revokes the token with this id, or the only live token with this name.
pub async fn revoke(conn: &impl ConnectionTrait, id_or_name: &str) -> StoreResult<api_token::Model> {
    let by_id = api_token::Entity::find_by_id(id_or_name.to_string()).one(conn).await?;
    let row = match by_id {
        Some(row) => row,
        None => {
            let mut named = api_token::Entity::find()
                .filter(api_token::Column::Name.eq(id_or_name))
                .filter(api_token::Column::RevokedAt.is_null())
                .all(conn)
                .await?;
            match named.len() {
                0 => return Err(StoreError::NotFound(format!("no live token with id or name {id_or_name:?}"))),
                1 => named.remove(0),
                n => {
                    return Err(StoreError::Conflict(format!(
                        "{n} live tokens are named {id_or_name:?}; revoke one by its id"
                    )));
                }
            }
        }
    };
    if row.revoked_at.is_some() {
        return Ok(row);
    }
    let mut active = row.into_active_model();
    active.revoked_at = Set(Some(Utc::now()));
    Ok(active.update(conn).await?)
}
