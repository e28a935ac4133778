//! The counts of closed cycles (migration 000008): answers by (team, area,
//! value), priority votes by (team, area), responses by team. Filled in the
//! transaction that closes a cycle (its answers never change after), read by
//! every report instead of the answers ([`analysis::Aggregates`]).

use super::StoreResult;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// The fills of one cycle's counts: the same queries as migration 000008's,
/// with the cycle as a parameter.
fn fills(backend: DbBackend) -> [String; 3] {
    let p = if backend == DbBackend::Postgres { "$1" } else { "?" };
    [
        format!(
            "INSERT INTO cycle_likert_counts (cycle_id, team_id, area_id, value, n) \
             SELECT r.cycle_id, r.team_id, q.area_id, a.value_num, COUNT(*) \
             FROM responses r JOIN answers a ON a.response_id = r.response_id \
             JOIN questions q ON q.question_id = a.question_id \
             WHERE r.cycle_id = {p} AND q.kind = 'likert5' AND q.area_id IS NOT NULL AND a.value_num IS NOT NULL \
             GROUP BY r.cycle_id, r.team_id, q.area_id, a.value_num"
        ),
        format!(
            "INSERT INTO cycle_pick_counts (cycle_id, team_id, area_id, votes) \
             SELECT r.cycle_id, r.team_id, a.choice, COUNT(DISTINCT a.response_id) \
             FROM responses r JOIN answers a ON a.response_id = r.response_id \
             JOIN questions q ON q.question_id = a.question_id \
             WHERE r.cycle_id = {p} AND q.kind = 'priority_pick' AND a.choice IS NOT NULL \
             GROUP BY r.cycle_id, r.team_id, a.choice"
        ),
        format!(
            "INSERT INTO cycle_response_counts (cycle_id, team_id, responses, pick_responses) \
             SELECT r.cycle_id, r.team_id, COUNT(*), COUNT(p.response_id) \
             FROM responses r LEFT JOIN (SELECT DISTINCT a.response_id FROM answers a \
               JOIN questions q ON q.question_id = a.question_id \
               JOIN responses rr ON rr.response_id = a.response_id \
               WHERE rr.cycle_id = {p} AND q.kind = 'priority_pick' AND a.choice IS NOT NULL) p \
               ON p.response_id = r.response_id \
             WHERE r.cycle_id = {p} GROUP BY r.cycle_id, r.team_id"
        ),
    ]
}

const TABLES: [&str; 3] = ["cycle_likert_counts", "cycle_pick_counts", "cycle_response_counts"];

/// (Re)fills the counts of `cycle_id`; call it in the transaction that closes the cycle.
pub async fn fill(conn: &impl ConnectionTrait, cycle_id: &str) -> StoreResult<()> {
    let backend = conn.get_database_backend();
    let p = if backend == DbBackend::Postgres { "$1" } else { "?" };
    for t in TABLES {
        let sql = format!("DELETE FROM {t} WHERE cycle_id = {p}");
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, [Value::from(cycle_id)])).await?;
    }
    for sql in fills(backend) {
        // PostgreSQL names its one parameter ($1); SQLite takes one value per `?`.
        let n = if backend == DbBackend::Postgres { 1 } else { sql.matches('?').count() };
        let values: Vec<Value> = (0..n).map(|_| Value::from(cycle_id)).collect();
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
}

/// Every row of `sql`, each read by `row`.
async fn rows<T>(
    conn: &impl ConnectionTrait,
    sql: &str,
    row: impl Fn(&sea_orm::QueryResult) -> Result<T, sea_orm::DbErr>,
) -> StoreResult<Vec<T>> {
    let stmt = Statement::from_string(conn.get_database_backend(), sql.to_string());
    Ok(conn.query_all_raw(stmt).await?.iter().map(row).collect::<Result<Vec<_>, _>>()?)
}

/// The counts of every closed cycle, as the analysis takes them.
pub async fn closed(conn: &impl ConnectionTrait) -> StoreResult<analysis::Aggregates> {
    let likert = rows(conn, "SELECT cycle_id, team_id, area_id, value, n FROM cycle_likert_counts", |r| {
        Ok((
            r.try_get("", "cycle_id")?,
            r.try_get("", "team_id")?,
            r.try_get("", "area_id")?,
            r.try_get("", "value")?,
            r.try_get("", "n")?,
        ))
    })
    .await?;
    let picks = rows(conn, "SELECT cycle_id, team_id, area_id, votes FROM cycle_pick_counts", |r| {
        Ok((r.try_get("", "cycle_id")?, r.try_get("", "team_id")?, r.try_get("", "area_id")?, r.try_get("", "votes")?))
    })
    .await?;
    let responses = rows(conn, "SELECT cycle_id, team_id, responses, pick_responses FROM cycle_response_counts", |r| {
        Ok((
            r.try_get("", "cycle_id")?,
            r.try_get("", "team_id")?,
            r.try_get("", "responses")?,
            r.try_get("", "pick_responses")?,
        ))
    })
    .await?;
    analysis::Aggregates::from_rows(likert, picks, responses)
        .map_err(|e| super::StoreError::Broken(format!("the kept counts do not fit the analysis: {e}")))
}
