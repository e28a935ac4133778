//! Admins' sessions, stored on the server: the cookie holds a random id, the
//! table its SHA-256. A session ends at sign-out (everywhere: every instance
//! reads the same table), after 12 hours without use, or 7 days after sign-in,
//! and all of an admin's sessions end when their password changes or they
//! are removed.

use super::{StoreResult, hash_secret, random_token};
use crate::entities::{admin_session, admin_user};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::hours(12);
/// And at the latest this long after sign-in.
pub const MAX_AGE: Duration = Duration::days(7);
/// `last_seen_at` is written at most this often (a page view is not a write).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub admin: admin_user::Model,
    pub csrf_token: String,
}

/// Starts a session for `admin_id`; returns the cookie value. A new id every
/// time: a session id known before sign-in is never the one after.
pub async fn start(conn: &impl ConnectionTrait, admin_id: &str, now: DateTime<Utc>) -> StoreResult<String> {
    let id = random_token(32);
    admin_session::ActiveModel {
        session_hash: Set(hash_secret(&id)),
        admin_id: Set(admin_id.to_string()),
        csrf_token: Set(random_token(32)),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + MAX_AGE),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// The live session of cookie value `id`, if any.
pub async fn find(conn: &impl ConnectionTrait, id: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    let hash = hash_secret(id);
    let Some(s) = admin_session::Entity::find_by_id(hash.clone()).one(conn).await? else { return Ok(None) };
    if s.expires_at <= now || s.last_seen_at + IDLE <= now {
        admin_session::Entity::delete_by_id(hash).exec(conn).await?;
        return Ok(None);
    }
    let Some(admin) = admin_user::Entity::find_by_id(s.admin_id.clone()).one(conn).await? else { return Ok(None) };
    if s.last_seen_at + TOUCH_EVERY <= now {
        admin_session::Entity::update_many()
            .col_expr(admin_session::Column::LastSeenAt, Expr::value(now))
            .filter(admin_session::Column::SessionHash.eq(hash))
            .exec(conn)
            .await?;
    }
    Ok(Some(Session { admin, csrf_token: s.csrf_token }))
}

/// Ends the session of cookie value `id` (sign-out).
pub async fn end(conn: &impl ConnectionTrait, id: &str) -> StoreResult<()> {
    admin_session::Entity::delete_by_id(hash_secret(id)).exec(conn).await?;
    Ok(())
}

/// Ends every session of an admin (password changed, admin removed).
pub async fn end_all(conn: &impl ConnectionTrait, admin_id: &str) -> StoreResult<u64> {
    Ok(admin_session::Entity::delete_many()
        .filter(admin_session::Column::AdminId.eq(admin_id))
        .exec(conn)
        .await?
        .rows_affected)
}
