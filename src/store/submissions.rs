//! Storing survey submissions. A submission is checked by its handler, then
//! stored in a transaction of a few statements (the claim of its invitation
//! in one update, its response and answers in multi-row inserts). Each
//! submitter hears back only after the commit that holds their response: a
//! 201 still means committed.
//!
//! On SQLite, group commit: one writer task (the database takes one writer
//! at a time anyway, and it holds the [`WriteGate`] so other writes queue
//! beside it) takes every submission waiting at that moment (up to
//! [`MAX_BATCH`]) and stores them in one transaction, so one commit serves
//! many people. On PostgreSQL each request stores its own, in its own task
//! and in one statement ([`store_one_postgres`]): the server already merges
//! the disk flushes of concurrent commits, and handing submissions to
//! writer tasks cost more in thread switches than it saved in waiting (8
//! writers: 1,745-1,791/s, p99 56-58 ms; each request its own transaction of
//! seven statements: 1,406-1,708/s, p99 25-31 ms, `tests/load/responses.sh`).
//! One statement instead of seven round trips: 384/s to 556-659/s on a
//! machine three times slower (SQLite there: 795/s instead of 2,376/s).
//! Once a survey's form is cached, the lookup of the token joins that
//! statement too ([`Submissions::store_by_token`], [`STORE_BY_TOKEN`]): one
//! round trip a submission, 1,160-1,175/s to 1,615-1,806/s on a third
//! machine (60 and 45 s runs; its pgbench twin, `tests/load/submit.pgbench`).

use super::responses::{SubmitError, Valid};
use super::{StoreError, new_id};
use crate::db::WriteGate;
use crate::domain::CycleStatus;
use crate::entities::{answer, cycle, invitation, response};
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, Query},
};
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use tokio::sync::{mpsc, oneshot};

/// Most submissions stored by one commit.
pub const MAX_BATCH: usize = 256;

/// One checked submission, waiting for its commit.
pub struct Submission {
    pub invitation_id: String,
    pub cycle_id: String,
    pub team_id: String,
    pub today: NaiveDate,
    pub rows: Vec<Valid>,
}

struct Job {
    submission: Submission,
    done: oneshot::Sender<Result<(), SubmitError>>,
}

/// Where submissions go: the writer's queue (SQLite) or straight to the database.
pub struct Submissions(Route);

enum Route {
    Queued(mpsc::Sender<Job>),
    Direct(DatabaseConnection),
}

impl Submissions {
    /// Starts the writer on SQLite (it stops when the last handle to the
    /// queue is dropped); nothing to start on PostgreSQL.
    pub fn start(db: DatabaseConnection, gate: Arc<WriteGate>) -> Self {
        if !gate.is_serial() {
            return Submissions(Route::Direct(db));
        }
        let (queue, rx) = mpsc::channel::<Job>(MAX_BATCH * 8);
        tokio::spawn(writer(db, gate, rx));
        Submissions(Route::Queued(queue))
    }

    /// Whether [`Self::store_by_token`] is there to try (PostgreSQL).
    pub fn by_token(&self) -> bool {
        matches!(self.0, Route::Direct(_))
    }

    /// PostgreSQL: finds the invitation of a token's hash and stores answers
    /// checked against `survey_id`'s questions, in one statement
    /// ([`STORE_BY_TOKEN`]): true once committed. False when anything does
    /// not hold (an unknown or used token, another survey, a closed cycle):
    /// nothing was written, and [`Self::submit`] after a lookup tells why.
    pub async fn store_by_token(
        &self,
        token_hash: &str,
        survey_id: &str,
        today: NaiveDate,
        rows: &[Valid],
    ) -> Result<bool, SubmitError> {
        let Route::Direct(db) = &self.0 else { return Ok(false) };
        let values =
            vec![token_hash.into(), survey_id.into(), new_id().into(), today.into(), answers_json(rows)?.into()];
        let row = run_statement(db, &STORE_BY_TOKEN, values).await?;
        Ok(row.try_get::<i64>("", "claimed")? == 1)
    }

    /// Stores one submission; returns once it is committed (or refused).
    pub async fn submit(&self, submission: Submission) -> Result<(), SubmitError> {
        let queue = match &self.0 {
            Route::Direct(db) => return store_one_postgres(db, &submission).await,
            Route::Queued(queue) => queue,
        };
        let (done, answer) = oneshot::channel();
        let stopped = || SubmitError::Store(StoreError::Broken("the submission writer has stopped".into()));
        queue.send(Job { submission, done }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Takes what is waiting (at least one), up to [`MAX_BATCH`].
async fn next_batch(rx: &mut mpsc::Receiver<Job>) -> Option<Vec<Job>> {
    let first = rx.recv().await?;
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

async fn writer(db: DatabaseConnection, gate: Arc<WriteGate>, mut rx: mpsc::Receiver<Job>) {
    while let Some(batch) = next_batch(&mut rx).await {
        metrics::histogram!("devpulse_submission_batch_size").record(batch.len() as f64);
        let _writing = gate.enter().await;
        let submissions: Vec<&Submission> = batch.iter().map(|j| &j.submission).collect();
        let outcomes = store_batch(&db, &submissions).await;
        for (job, outcome) in batch.into_iter().zip(outcomes) {
            let _ = job.done.send(outcome);
        }
    }
}

/// Stores a batch in one transaction; the outcome of each submission. When
/// the commit fails, every submission of the batch gets that failure.
async fn store_batch(db: &DatabaseConnection, batch: &[&Submission]) -> Vec<Result<(), SubmitError>> {
    let all = |e: sea_orm::DbErr| batch.iter().map(|_| Err(SubmitError::from(e.clone()))).collect();
    let txn = match super::begin_write(db).await {
        Ok(t) => t,
        Err(e) => return all(e),
    };
    let outcomes = match store_all(&txn, batch).await {
        Ok(o) => o,
        Err(e) => return all(e),
    };
    match txn.commit().await {
        Ok(()) => outcomes,
        Err(e) => all(e),
    }
}

/// Rows of `answers` per multi-row insert (7 values each, under SQLite's
/// limit of 32,766 bound values).
const ANSWER_ROWS_PER_INSERT: usize = 4000;

/// The statements of a batch: every invitation claimed at once (only while
/// unused and its cycle still open: a close may have committed since it was
/// read; its reminder count cleared, which would tell whether the person
/// answered before or after each reminder), then the claimed ones' responses
/// and answers in multi-row inserts.
async fn store_all(
    txn: &DatabaseTransaction,
    batch: &[&Submission],
) -> Result<Vec<Result<(), SubmitError>>, sea_orm::DbErr> {
    let ids: Vec<&str> = batch.iter().map(|s| s.invitation_id.as_str()).collect();
    // (SQLite: one writer at a time, so a close cannot commit in between.)
    // The claim reaches invitations by their key; the cycle condition is a
    // subquery, so SQLite does not scan the cycle's invitations instead.
    let open_cycles = Query::select()
        .column(cycle::Column::CycleId)
        .from(cycle::Entity)
        .and_where(cycle::Column::Status.eq(CycleStatus::Open.as_str()))
        .to_owned();
    let claimed: HashSet<String> = invitation::Entity::update_many()
        .col_expr(invitation::Column::Used, Expr::value(true))
        .col_expr(invitation::Column::RemindersSent, Expr::value(0))
        .col_expr(invitation::Column::LastRemindedOn, Expr::value(Option::<NaiveDate>::None))
        .filter(invitation::Column::InvitationId.is_in(ids.iter().copied()))
        .filter(invitation::Column::Used.eq(false))
        .filter(invitation::Column::CycleId.in_subquery(open_cycles))
        .exec_with_returning(txn)
        .await?
        .into_iter()
        .map(|i| i.invitation_id)
        .collect();
    let unclaimed: Vec<&str> = ids.iter().copied().filter(|id| !claimed.contains(*id)).collect();
    let used: HashSet<String> = if unclaimed.is_empty() {
        HashSet::new()
    } else {
        invitation::Entity::find()
            .filter(invitation::Column::InvitationId.is_in(unclaimed))
            .filter(invitation::Column::Used.eq(true))
            .all(txn)
            .await?
            .into_iter()
            .map(|i| i.invitation_id)
            .collect()
    };
    let (mut responses, mut answers, mut outcomes) = (Vec::new(), Vec::new(), Vec::with_capacity(batch.len()));
    let mut taken = HashSet::new();
    for s in batch {
        // The same invitation twice in one batch: the first one counts.
        if !claimed.contains(&s.invitation_id) || !taken.insert(s.invitation_id.as_str()) {
            let already = used.contains(&s.invitation_id) || claimed.contains(&s.invitation_id);
            outcomes.push(Err(if already { SubmitError::AlreadyAnswered } else { SubmitError::Closed }));
            continue;
        }
        let (response, rows) = rows_of(s);
        responses.push(response);
        answers.extend(rows);
        outcomes.push(Ok(()));
    }
    if !responses.is_empty() {
        response::Entity::insert_many(responses).exec_without_returning(txn).await?;
    }
    while !answers.is_empty() {
        let rest = answers.split_off(answers.len().min(ANSWER_ROWS_PER_INSERT));
        answer::Entity::insert_many(std::mem::replace(&mut answers, rest)).exec_without_returning(txn).await?;
    }
    Ok(outcomes)
}

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

/// The statement of [`store_one_postgres`], the same for every submission
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

/// The statement of [`Submissions::store_by_token`]: $1 the token's hash,
/// $2 the survey the answers were checked against, then as
/// [`INSERT_CLAIMED`]. It claims the invitation only when everything
/// [`super::responses::find`] and [`super::responses::submit`] check holds:
/// the token is an active member's, unused, of a cycle of that survey that
/// is open on that day (held FOR SHARE, as in [`STORE_ONE`]).
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

/// One submission on PostgreSQL in one statement ([`STORE_ONE`]), so one
/// round trip and one implicit transaction.
async fn store_one_postgres(db: &DatabaseConnection, s: &Submission) -> Result<(), SubmitError> {
    let values = vec![
        s.cycle_id.clone().into(),
        s.invitation_id.clone().into(),
        new_id().into(),
        s.today.into(),
        answers_json(&s.rows)?.into(),
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
            let used = invitation::Entity::find_by_id(s.invitation_id.clone()).one(db).await?.is_some_and(|i| i.used);
            Err(if used { SubmitError::AlreadyAnswered } else { SubmitError::Closed })
        }
    }
}

/// The response row of a submission and its answer rows, with random ids.
fn rows_of(s: &Submission) -> (response::ActiveModel, Vec<answer::ActiveModel>) {
    let response_id = new_id();
    let answers = s
        .rows
        .iter()
        .map(|r| answer::ActiveModel {
            answer_id: Set(new_id()),
            response_id: Set(response_id.clone()),
            question_id: Set(r.question_id.clone()),
            value_num: Set(r.value_num),
            choice: Set(r.choice.clone()),
            text_value: Set(r.text.clone()),
            hidden: Set(false),
        })
        .collect();
    let response = response::ActiveModel {
        response_id: Set(response_id),
        cycle_id: Set(s.cycle_id.clone()),
        team_id: Set(Some(s.team_id.clone())),
        submitted_on: Set(s.today),
    };
    (response, answers)
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
        let twin = include_str!("../../tests/load/submit.pgbench");
        let expected = as_pgbench();
        assert!(twin.lines().any(|l| l == expected), "tests/load/submit.pgbench should hold, on one line:\n{expected}");
    }
}
