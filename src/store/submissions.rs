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
//! many people. On PostgreSQL each request stores its own, in its own task:
//! the server already merges the disk flushes of concurrent commits, and
//! handing submissions to writer tasks cost more in thread switches than it
//! saved in waiting (8 writers: 1,745-1,791/s, p99 56-58 ms; each request
//! its own transaction: 1,406-1,708/s, p99 25-31 ms, `tests/load/responses.sh`).

use super::responses::{SubmitError, Valid};
use super::{StoreError, new_id};
use crate::db::WriteGate;
use crate::domain::CycleStatus;
use crate::entities::{answer, cycle, invitation, response};
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::{Expr, Query},
};
use std::collections::HashSet;
use std::sync::Arc;
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

    /// Stores one submission; returns once it is committed (or refused).
    pub async fn submit(&self, submission: Submission) -> Result<(), SubmitError> {
        let queue = match &self.0 {
            Route::Direct(db) => return one(store_batch(db, &[&submission]).await),
            Route::Queued(queue) => queue,
        };
        let (done, answer) = oneshot::channel();
        let stopped = || SubmitError::Store(StoreError::Broken("the submission writer has stopped".into()));
        queue.send(Job { submission, done }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn one(mut outcomes: Vec<Result<(), SubmitError>>) -> Result<(), SubmitError> {
    outcomes.pop().expect("one outcome per submission")
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
    // On PostgreSQL the batch's open cycles are held FOR SHARE until this
    // commit: a close (which updates the cycle row) waits for the batch, so
    // the counts it keeps miss nothing, and a batch after a close sees it
    // closed. SQLite has one writer at a time anyway.
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Each answer's foreign key is checked by a query PostgreSQL plans
        // once per connection and keeps. Planned while `responses` was
        // nearly empty (a new organisation's first answers), it scans the
        // table, and each later answer scans it whole: submissions slow
        // down as they come in (630/s, then less) until autovacuum's next
        // ANALYZE. With sequential scans off here, the kept plan uses the key.
        txn.execute_unprepared("SET LOCAL enable_seqscan = off").await?;
        cycle::Entity::find()
            .select_only()
            .column(cycle::Column::CycleId)
            .filter(cycle::Column::CycleId.is_in(batch.iter().map(|s| s.cycle_id.as_str())))
            .filter(cycle::Column::Status.eq(CycleStatus::Open.as_str()))
            .lock_shared()
            .into_tuple::<String>()
            .all(txn)
            .await?;
    }
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
