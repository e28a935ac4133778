//! Hourly counters shared by every instance through the database (the
//! friction limit per member): one row per key and hour holding a count,
//! incremented in one atomic statement, so N instances allow the limit once,
//! not N times. A key is an HMAC under the service's secret of what is
//! counted and the hour, so the table holds no member id and no time finer
//! than the hour (a reporter without follow-up stays unnamed). Rows of past
//! hours are deleted when a new one starts and on each scheduler pass.

use super::{StoreError, StoreResult, keyed_hash};
use crate::entities::rate_counter;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

const SECONDS_PER_HOUR: i64 = 3600;

/// The hour a moment falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hour {
    /// Hours since the Unix epoch.
    pub number: i64,
    /// Seconds until the next hour begins (1 to 3600).
    pub seconds_left: u64,
}

impl Hour {
    pub fn of(now: DateTime<Utc>) -> Hour {
        let secs = now.timestamp();
        Hour {
            number: secs.div_euclid(SECONDS_PER_HOUR),
            seconds_left: (SECONDS_PER_HOUR - secs.rem_euclid(SECONDS_PER_HOUR)) as u64,
        }
    }
}

/// The key of `what` (e.g. `friction:<member id>`) in `hour`.
pub fn key(secret: &str, what: &str, hour: Hour) -> String {
    keyed_hash(secret, "rate", &format!("{what}:{}", hour.number))
}

/// Counts one more `what` in the hour of `now` and returns the count so far,
/// this one included. One statement (an upsert returning the new count), so
/// concurrent counts from any number of instances all land.
pub async fn hit(conn: &impl ConnectionTrait, secret: &str, what: &str, now: DateTime<Utc>) -> StoreResult<i64> {
    use rate_counter::Column;
    let hour = Hour::of(now);
    let upsert = Query::insert()
        .into_table(rate_counter::Entity)
        .columns([Column::KeyHash, Column::Hour, Column::Count])
        .values_panic([key(secret, what, hour).into(), hour.number.into(), 1.into()])
        .on_conflict(
            OnConflict::column(Column::KeyHash)
                .value(Column::Count, Expr::col((rate_counter::Entity, Column::Count)).add(1))
                .to_owned(),
        )
        .returning_col(Column::Count)
        .to_owned();
    let row =
        conn.query_one(&upsert).await?.ok_or_else(|| StoreError::Broken("a counter upsert gave no row".into()))?;
    let count: i32 = row.try_get_by_index(0)?;
    if count == 1 {
        // The first count of this key this hour: a good moment to forget past hours.
        purge(conn, now).await?;
    }
    Ok(i64::from(count))
}

/// Deletes the counters of hours before the one of `now`; returns how many.
/// Reads first, so a pass with nothing to delete writes nothing.
pub async fn purge(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<u64> {
    let current = Hour::of(now).number;
    let stale = rate_counter::Entity::find().filter(rate_counter::Column::Hour.lt(current)).count(conn).await?;
    if stale == 0 {
        return Ok(0);
    }
    Ok(rate_counter::Entity::delete_many()
        .filter(rate_counter::Column::Hour.lt(current))
        .exec(conn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hours_and_the_seconds_left_in_them() {
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 3, 1, h, m, s).unwrap();
        let a = Hour::of(at(10, 0, 0));
        assert_eq!(a.seconds_left, 3600);
        let b = Hour::of(at(10, 59, 59));
        assert_eq!((b.number, b.seconds_left), (a.number, 1));
        assert_eq!(Hour::of(at(11, 0, 0)).number, a.number + 1);
    }

    #[test]
    fn keys_differ_by_what_hour_and_secret() {
        let h = Hour::of(Utc::now());
        let next = Hour { number: h.number + 1, ..h };
        let k = key("s1", "friction:m1", h);
        assert_eq!(k, key("s1", "friction:m1", h));
        assert_ne!(k, key("s1", "friction:m2", h));
        assert_ne!(k, key("s1", "friction:m1", next));
        assert_ne!(k, key("s2", "friction:m1", h));
        assert!(!k.contains("m1") && k.len() == 64);
    }
}
