//! The counts of closed cycles (migration 000008): answers by (team, area),
//! one column per value 1..5, priority votes by (team, area), responses by
//! team. Filled in the transaction that closes a cycle (its answers never
//! change after), read by every report instead of the answers
//! ([`analysis::Aggregates`]).

use super::StoreResult;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// The fills of one cycle's counts: the same queries as migration 000008's,
/// with the cycle as a parameter.
fn fills(backend: DbBackend) -> [String; 3] {
    let p = if backend == DbBackend::Postgres { "$1" } else { "?" };
    [
        format!(
            "INSERT INTO cycle_likert_counts (cycle_id, team_id, area_id, n1, n2, n3, n4, n5) \
             SELECT r.cycle_id, r.team_id, q.area_id, \
             SUM(CASE WHEN a.value_num = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN a.value_num = 2 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN a.value_num = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN a.value_num = 4 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN a.value_num = 5 THEN 1 ELSE 0 END) \
             FROM responses r JOIN answers a ON a.response_id = r.response_id \
             JOIN questions q ON q.question_id = a.question_id \
             WHERE r.cycle_id = {p} AND q.kind = 'likert5' AND q.area_id IS NOT NULL AND a.value_num IS NOT NULL \
             GROUP BY r.cycle_id, r.team_id, q.area_id"
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

/// The counts of the closed cycles `cycles` (every one when `None`), as the
/// analysis takes them.
pub async fn closed(conn: &impl ConnectionTrait, cycles: Option<&[String]>) -> StoreResult<analysis::Aggregates> {
    // Ids come from the database; quotes are doubled all the same.
    let only = match cycles {
        Some([]) => " WHERE 1 = 0".to_string(),
        Some(ids) => format!(
            " WHERE cycle_id IN ({})",
            ids.iter().map(|id| format!("'{}'", id.replace('\'', "''"))).collect::<Vec<_>>().join(", ")
        ),
        None => String::new(),
    };
    // One row per (cycle, team, area) holds the five values' counts.
    let wide: Vec<(String, Option<String>, String, [i64; 5])> = rows(
        conn,
        &format!("SELECT cycle_id, team_id, area_id, n1, n2, n3, n4, n5 FROM cycle_likert_counts{only}"),
        |r| {
            let n = |c: &str| r.try_get::<i64>("", c);
            let values = [n("n1")?, n("n2")?, n("n3")?, n("n4")?, n("n5")?];
            Ok((r.try_get("", "cycle_id")?, r.try_get("", "team_id")?, r.try_get("", "area_id")?, values))
        },
    )
    .await?;
    let likert = wide
        .into_iter()
        .flat_map(|(c, t, a, n)| {
            (1..=5usize)
                .filter(move |v| n[v - 1] > 0)
                .map(move |v| (c.clone(), t.clone(), a.clone(), v as f64, n[v - 1]))
        })
        .collect();
    let picks = rows(conn, &format!("SELECT cycle_id, team_id, area_id, votes FROM cycle_pick_counts{only}"), |r| {
        Ok((r.try_get("", "cycle_id")?, r.try_get("", "team_id")?, r.try_get("", "area_id")?, r.try_get("", "votes")?))
    })
    .await?;
    let responses = rows(
        conn,
        &format!("SELECT cycle_id, team_id, responses, pick_responses FROM cycle_response_counts{only}"),
        |r| {
            Ok((
                r.try_get("", "cycle_id")?,
                r.try_get("", "team_id")?,
                r.try_get("", "responses")?,
                r.try_get("", "pick_responses")?,
            ))
        },
    )
    .await?;
    analysis::Aggregates::from_rows(likert, picks, responses)
        .map_err(|e| super::StoreError::Broken(format!("the kept counts do not fit the analysis: {e}")))
}
