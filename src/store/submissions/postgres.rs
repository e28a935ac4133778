//! PostgreSQL: each submission in one statement of its own, in its own
//! task: the server already merges the disk flushes of concurrent commits,
//! and handing submissions to writer tasks cost more in thread switches than
//! it saved in waiting (8 writers: 1,745-1,791/s, p99 56-58 ms; each request
//! its own transaction of seven statements: 1,406-1,708/s, p99 25-31 ms,
//! `tests/load/responses.sh`). One statement instead of seven round trips:
//! 384/s to 556-659/s on a machine three times slower. Once a survey's form
//! is cached, the lookup of the token joins that statement too
//! ([`STORE_BY_TOKEN`]): one round trip a submission, 1,160-1,175/s to
//! 1,615-1,806/s on a third machine (60 and 45 s runs; its pgbench twin,
//! `tests/load/submit.pgbench`).

use super::{Claimed, SubmitError};
use crate::domain::CycleStatus;
use crate::entities::invitation;
use crate::store::responses::Valid;
use crate::store::{StoreError, new_id};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use std::sync::LazyLock;

/// What both statements below do once the invitation is claimed (the
/// `claimed` CTE, returning its cycle and team): the response ($3 its id,
/// $4 the day) and its answers ($5, JSON, see [`answers_json`]), then
/// whether the claim took.
const INSERT_CLAIMED: &str = "resp AS (INSERT INTO responses (response_id, cycle_id, team_id, submitted_on) \
     SELECT $3, cycle_id, team_id, $4 FROM claimed RETURNING response_id), \
     ans AS (INSERT INTO answers (answer_id, response_id, question_id, value_num, choice, text_value, hidden) \
     SELECT v.a, resp.response_id, v.q, v.n, v.c, v.t, false \
     FROM resp, json_to_recordset($5::json) AS v(a varchar, q varchar, n float8, c varchar, t text)) \
     SELECT (SELECT count(*) FROM claimed) AS claimed";

/// Sequential scans off for the statement's own transaction: the foreign-key
/// checks of `responses` run queries that PostgreSQL plans once per
/// connection and keeps, and a plan made while a table was nearly empty
/// would scan it for every later submission.
const NO_SEQSCAN: &str = "guc AS (SELECT set_config('enable_seqscan', 'off', true) AS v)";

/// The statement of [`store_one`], the same for every submission
/// (so prepared once per connection): $1 cycle, $2 invitation, then as
/// [`INSERT_CLAIMED`]. The cycle is held FOR SHARE while it is open (a close
/// waits, and its counts miss nothing), the invitation claimed while unused,
/// then the response and its answers inserted only when the claim took. The
/// statement also answers whether the invitation was already used before it
/// (its snapshot is from before the claim), to tell "already answered" from
/// "closed".
static STORE_ONE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH {NO_SEQSCAN}, \
         open AS (SELECT cycle_id FROM cycles WHERE cycle_id = $1 AND status = '{open}' \
                  AND (SELECT v FROM guc) IS NOT NULL FOR SHARE), \
         claimed AS (UPDATE invitations SET used = true, reminders_sent = 0, last_reminded_on = NULL \
                     WHERE invitation_id = $2 AND used = false AND cycle_id IN (SELECT cycle_id FROM open) \
                     RETURNING cycle_id, team_id), \
         {INSERT_CLAIMED}, (SELECT used FROM invitations WHERE invitation_id = $2) AS was_used",
        open = CycleStatus::Open.as_str(),
    )
});

/// The statement of [`store_by_token`]: $1 the token's hash,
/// $2 the survey the answers were checked against, then as
/// [`INSERT_CLAIMED`]. It claims the invitation only when everything
/// [`super::responses::find`] and [`super::responses::submit`] check holds:
/// the token is an active member's, unused, of a cycle of that survey that
/// is open on that day (held FOR SHARE, as in [`STORE_ONE`]).
/// [`super::batch`] claims by token with the same conditions on SQLite.
static STORE_BY_TOKEN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH {NO_SEQSCAN}, \
         inv AS (SELECT i.invitation_id, i.cycle_id FROM invitations i \
                 WHERE i.token_hash = $1 AND (SELECT v FROM guc) IS NOT NULL \
                 AND EXISTS (SELECT 1 FROM members m WHERE m.member_id = i.member_id AND m.active = true)), \
         open AS (SELECT cycle_id FROM cycles WHERE cycle_id IN (SELECT cycle_id FROM inv) AND survey_id = $2 \
                  AND status = '{open}' AND opens_on <= $4 AND $4 < closes_on FOR SHARE), \
         claimed AS (UPDATE invitations SET used = true, reminders_sent = 0, last_reminded_on = NULL \
                     WHERE invitation_id IN (SELECT invitation_id FROM inv) AND used = false \
                     AND cycle_id IN (SELECT cycle_id FROM open) RETURNING cycle_id, team_id), \
         {INSERT_CLAIMED}",
        open = CycleStatus::Open.as_str(),
    )
});

/// One answer row as [`INSERT_CLAIMED`] reads it.
#[derive(serde::Serialize)]
struct AnswerRow<'a> {
    a: String,
    q: &'a str,
    n: Option<f64>,
    c: Option<&'a str>,
    t: Option<&'a str>,
}

/// The answer rows of a submission as JSON, each with a new random id.
fn answers_json(rows: &[Valid]) -> Result<String, SubmitError> {
    let rows: Vec<AnswerRow> = rows
        .iter()
        .map(|r| AnswerRow {
            a: new_id(),
            q: &r.question_id,
            n: r.value_num,
            c: r.choice.as_deref(),
            t: r.text.as_deref(),
        })
        .collect();
    serde_json::to_string(&rows).map_err(|e| SubmitError::Store(StoreError::Broken(format!("answers as JSON: {e}"))))
}

/// Runs one of the statements above; its single row.
async fn run_statement(
    db: &DatabaseConnection,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Result<sea_orm::QueryResult, SubmitError> {
    let statement = sea_orm::Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, values);
    db.query_one_raw(statement)
        .await?
        .ok_or_else(|| SubmitError::Store(StoreError::Broken("the submission statement returned no row".into())))
}

/// Finds the invitation of a token's hash and stores answers checked
/// against `survey_id`'s questions, in one statement ([`STORE_BY_TOKEN`]):
/// true once committed, false (nothing written) when anything does not hold.
pub(super) async fn store_by_token(
    db: &DatabaseConnection,
    token_hash: &str,
    survey_id: &str,
    today: NaiveDate,
    rows: &[Valid],
) -> Result<bool, SubmitError> {
    let values = vec![token_hash.into(), survey_id.into(), new_id().into(), today.into(), answers_json(rows)?.into()];
    let row = run_statement(db, &STORE_BY_TOKEN, values).await?;
    Ok(row.try_get::<i64>("", "claimed")? == 1)
}

/// One submission of a looked-up invitation in one statement
/// ([`STORE_ONE`]), so one round trip and one implicit transaction.
pub(super) async fn store_one(
    db: &DatabaseConnection,
    invitation: &Claimed,
    today: NaiveDate,
    rows: &[Valid],
) -> Result<(), SubmitError> {
    let values = vec![
        invitation.cycle_id.clone().into(),
        invitation.invitation_id.clone().into(),
        new_id().into(),
        today.into(),
        answers_json(rows)?.into(),
    ];
    let row = run_statement(db, &STORE_ONE, values).await?;
    let claimed: i64 = row.try_get("", "claimed")?;
    let was_used: Option<bool> = row.try_get("", "was_used")?;
    match (claimed, was_used) {
        (1, _) => Ok(()),
        (_, Some(true)) => Err(SubmitError::AlreadyAnswered),
        _ => {
            // The statement's snapshot predates a concurrent claim of the
            // same token that it waited for: read the invitation again.
            let used =
                invitation::Entity::find_by_id(invitation.invitation_id.clone()).one(db).await?.is_some_and(|i| i.used);
            Err(if used { SubmitError::AlreadyAnswered } else { SubmitError::Closed })
        }
    }
}

#[cfg(test)]
mod tests {
    /// [`super::STORE_BY_TOKEN`] as the pgbench twin of a submission sends
    /// it: the parameters pgbench cannot make up (the token's hash, the new
    /// ids and answers) read from its table of prepared submissions.
    fn as_pgbench() -> String {
        let row = |col: &str| format!("(SELECT {col} FROM bench_tokens WHERE n = :n)");
        let sql = super::STORE_BY_TOKEN
            .replace("$1", &row("token_hash"))
            .replace("$2", ":survey")
            .replace("$3", &row("response_id"))
            .replace("$4", ":day")
            .replace("$5", &row("answers"));
        sql.split_whitespace().collect::<Vec<_>>().join(" ") + ";"
    }

    #[test]
    fn the_pgbench_twin_sends_the_same_statement() {
        let twin = include_str!("../../../tests/load/submit.pgbench");
        let expected = as_pgbench();
        assert!(twin.lines().any(|l| l == expected), "tests/load/submit.pgbench should hold, on one line:\n{expected}");
    }
}
