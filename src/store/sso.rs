//! Single sign-ons under way (`sso_logins`): written when the browser is
//! sent to the provider, taken (deleted) once by the callback.

use super::{StoreResult, hash_secret};
use crate::entities::sso_login;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// How long a sign-in may take at the provider.
pub const TTL: Duration = Duration::minutes(10);

/// What the callback needs to finish a sign-in.
#[derive(Debug, Clone)]
pub struct Pending {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
}

/// Records a sign-in under way (and forgets the ones past [`TTL`]).
pub async fn begin(conn: &impl ConnectionTrait, state: &str, pending: Pending, now: DateTime<Utc>) -> StoreResult<()> {
    sso_login::Entity::delete_many().filter(sso_login::Column::CreatedAt.lt(now - TTL)).exec(conn).await?;
    sso_login::ActiveModel {
        state_hash: Set(hash_secret(state)),
        nonce: Set(pending.nonce),
        pkce_verifier: Set(pending.pkce_verifier),
        next: Set(pending.next),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Takes the sign-in of `state`, once: `None` when unknown, already taken or expired.
pub async fn take(conn: &impl ConnectionTrait, state: &str, now: DateTime<Utc>) -> StoreResult<Option<Pending>> {
    let key = hash_secret(state);
    let Some(row) = sso_login::Entity::find_by_id(key.clone()).one(conn).await? else { return Ok(None) };
    // Whoever deletes the row has it: two callbacks with one state get it once.
    let deleted = sso_login::Entity::delete_by_id(key).exec(conn).await?;
    if deleted.rows_affected != 1 || row.created_at < now - TTL {
        return Ok(None);
    }
    Ok(Some(Pending { nonce: row.nonce, pkce_verifier: row.pkce_verifier, next: row.next }))
}
