//! The sign-in throttle, shared by every instance through the database:
//! failures per key in a fixed window. Keys are HMACs of what is counted (a
//! submitted email, a client address), so the table names nobody.

use super::StoreResult;
use crate::entities::signin_throttle;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Failures allowed for one submitted email in a window.
pub const PER_EMAIL: i32 = 5;
/// Failures allowed from one address in a window.
pub const PER_ADDRESS: i32 = 50;

/// The key of `what` (e.g. `email:ada@x.io`) under the service's secret.
pub fn key(secret: &str, what: &str) -> String {
    super::keyed_hash(secret, "signin-throttle", what)
}

/// Counts a sign-in attempt of `key` before its password is checked, and
/// says how many seconds it must wait when this attempt is over `limit`.
/// Counting first (and forgiving a success afterwards, [`forgive`]) means a
/// burst of attempts sent at once cannot all pass the check before any of
/// them is counted: the count is incremented atomically, each attempt reads it
/// after its own increment, so at most `limit` attempts in a window go on to
/// the password check, however many instances share the database.
pub async fn attempt(
    conn: &impl ConnectionTrait,
    key: &str,
    limit: i32,
    window: Duration,
    now: DateTime<Utc>,
) -> StoreResult<Option<u64>> {
    fail(conn, key, window, now).await?;
    blocked(conn, key, limit + 1, window, now).await
}

/// Takes back the attempt counted for a sign-in that succeeded.
pub async fn forgive(conn: &impl ConnectionTrait, key: &str, window: Duration, now: DateTime<Utc>) -> StoreResult<()> {
    signin_throttle::Entity::update_many()
        .col_expr(signin_throttle::Column::Failures, Expr::col(signin_throttle::Column::Failures).sub(1))
        .filter(signin_throttle::Column::KeyHash.eq(key))
        .filter(signin_throttle::Column::WindowStart.gt(now - window))
        .filter(signin_throttle::Column::Failures.gt(0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Seconds until `key` may try again, when it has `limit` failures in the
/// current window.
async fn blocked(
    conn: &impl ConnectionTrait,
    key: &str,
    limit: i32,
    window: Duration,
    now: DateTime<Utc>,
) -> StoreResult<Option<u64>> {
    let Some(row) = signin_throttle::Entity::find_by_id(key.to_string()).one(conn).await? else { return Ok(None) };
    let ends = row.window_start + window;
    if ends <= now || row.failures < limit {
        return Ok(None);
    }
    Ok(Some(Ord::max((ends - now).num_seconds(), 1) as u64))
}

/// Counts one failure of `key` (a new window when the last one is over), in
/// one statement, so failures sent at once from several instances all count:
/// two first failures racing to insert the row both count (the loser's
/// conflict adds one), and a window that is over starts again at one.
pub async fn fail(conn: &impl ConnectionTrait, key: &str, window: Duration, now: DateTime<Utc>) -> StoreResult<()> {
    let current = Expr::col((signin_throttle::Entity, signin_throttle::Column::WindowStart)).gt(now - window);
    let row = signin_throttle::ActiveModel { key_hash: Set(key.to_string()), window_start: Set(now), failures: Set(1) };
    signin_throttle::Entity::insert(row)
        .on_conflict(
            OnConflict::column(signin_throttle::Column::KeyHash)
                .value(
                    signin_throttle::Column::Failures,
                    Expr::case(
                        current.clone(),
                        Expr::col((signin_throttle::Entity, signin_throttle::Column::Failures)).add(1),
                    )
                    .finally(1),
                )
                .value(
                    signin_throttle::Column::WindowStart,
                    Expr::case(current, Expr::col((signin_throttle::Entity, signin_throttle::Column::WindowStart)))
                        .finally(now),
                )
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
