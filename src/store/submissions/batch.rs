//! SQLite's group commit: one writer task stores every submission waiting
//! at that moment in one transaction.

use super::{Claim, Job, MAX_BATCH, Outcome, Submission};
use crate::db::WriteGate;
use crate::domain::CycleStatus;
use crate::entities::{answer, cycle, invitation, response};
use crate::store::new_id;
use crate::store::responses::{SubmitError, Valid, active_member};
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, Query, SelectStatement},
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::mpsc;

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

pub(super) async fn writer(db: DatabaseConnection, gate: Arc<WriteGate>, mut rx: mpsc::Receiver<Job>) {
    while let Some(batch) = next_batch(&mut rx).await {
        metrics::histogram!("devpulse_submission_batch_size").record(batch.len() as f64);
        let submissions: Vec<&Submission> = batch.iter().map(|j| &j.submission).collect();
        let outcomes = store_batch(&db, &gate, &submissions).await;
        for (job, outcome) in batch.into_iter().zip(outcomes) {
            let _ = job.done.send(outcome);
        }
    }
}

/// Stores a batch in one transaction, in its turn at the write gate; the
/// outcome of each submission. When the transaction fails, every
/// submission of the batch gets that failure.
async fn store_batch(db: &DatabaseConnection, gate: &WriteGate, batch: &[&Submission]) -> Vec<Outcome> {
    let stored: Result<Vec<Outcome>, DbErr> = async {
        let turn = crate::store::begin_turn(db, gate).await?;
        let outcomes = store_all(&turn.txn, batch).await;
        turn.finish(outcomes).await
    }
    .await;
    stored.unwrap_or_else(|e| batch.iter().map(|_| Err(SubmitError::from(e.clone()))).collect())
}

/// Rows of `answers` per multi-row insert (7 values each, under SQLite's
/// limit of 32,766 bound values).
const ANSWER_ROWS_PER_INSERT: usize = 4000;

/// The claim of an invitation, with the columns the response takes from it.
fn claim_invitations() -> sea_orm::UpdateMany<invitation::Entity> {
    // Its reminder count is cleared: it would tell whether the person
    // answered before or after each reminder.
    invitation::Entity::update_many()
        .col_expr(invitation::Column::Used, Expr::value(true))
        .col_expr(invitation::Column::RemindersSent, Expr::value(0))
        .col_expr(invitation::Column::LastRemindedOn, Expr::value(Option::<NaiveDate>::None))
        .filter(invitation::Column::Used.eq(false))
}

/// Open cycles (of `survey` open on `day`, when given). A subquery, so
/// SQLite reaches invitations by their key and does not scan a cycle's.
fn open_cycles(of: Option<(&str, NaiveDate)>) -> SelectStatement {
    let mut q = Query::select()
        .column(cycle::Column::CycleId)
        .from(cycle::Entity)
        .and_where(cycle::Column::Status.eq(CycleStatus::Open.as_str()))
        .to_owned();
    if let Some((survey_id, day)) = of {
        q.and_where(cycle::Column::SurveyId.eq(survey_id))
            .and_where(cycle::Column::OpensOn.lte(day))
            .and_where(cycle::Column::ClosesOn.gt(day));
    }
    q
}

/// Claims the invitations looked up already (only while unused and their
/// cycle still open: a close may have committed since they were read; with
/// one writer at a time none can commit in between). Returns the claimed
/// ones and, of the others, those used already.
async fn claim_by_id(
    txn: &DatabaseTransaction,
    batch: &[&Submission],
) -> Result<(HashSet<String>, HashSet<String>), DbErr> {
    let ids: Vec<&str> = batch
        .iter()
        .filter_map(|s| match &s.claim {
            Claim::Invitation(c) => Some(c.invitation_id.as_str()),
            Claim::Token { .. } => None,
        })
        .collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let claimed: HashSet<String> = claim_invitations()
        .filter(invitation::Column::InvitationId.is_in(ids.iter().copied()))
        .filter(invitation::Column::CycleId.in_subquery(open_cycles(None)))
        .exec_with_returning(txn)
        .await?
        .into_iter()
        .map(|i| i.invitation_id)
        .collect();
    let unclaimed: Vec<&str> = ids.into_iter().filter(|id| !claimed.contains(*id)).collect();
    if unclaimed.is_empty() {
        return Ok((claimed, HashSet::new()));
    }
    let used = invitation::Entity::find()
        .filter(invitation::Column::InvitationId.is_in(unclaimed))
        .filter(invitation::Column::Used.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .map(|i| i.invitation_id)
        .collect();
    Ok((claimed, used))
}

/// Token claims: (hash, survey, day) to (cycle, team).
type ByToken = HashMap<(String, String, NaiveDate), (String, String)>;

/// Claims the invitations of the [`Claim::Token`] submissions, one
/// statement per survey and day (as PostgreSQL's `STORE_BY_TOKEN`: an
/// active member's, unused, of a cycle of that survey open on the day).
/// Returns (cycle, team) of each claimed token's hash, keyed by the hash
/// with the survey and day it was claimed for: the same token may come
/// twice in one batch, for another survey or day, and only a submission of
/// the group whose statement claimed it may take it.
async fn claim_by_token(txn: &DatabaseTransaction, batch: &[&Submission]) -> Result<ByToken, DbErr> {
    let mut groups: HashMap<(&str, NaiveDate), Vec<&str>> = HashMap::new();
    for s in batch {
        if let Claim::Token { token_hash, survey_id } = &s.claim {
            groups.entry((survey_id.as_str(), s.today)).or_default().push(token_hash);
        }
    }
    let mut claimed = HashMap::new();
    for ((survey_id, day), hashes) in groups {
        let rows = claim_by_token_statement(&hashes, survey_id, day).exec_with_returning(txn).await?;
        for i in rows {
            if let Some(hash) = i.token_hash {
                claimed.insert((hash, survey_id.to_string(), day), (i.cycle_id, i.team_id));
            }
        }
    }
    Ok(claimed)
}

/// The claim of the invitations of `hashes` for answers to `survey_id` on `day`.
fn claim_by_token_statement(
    hashes: &[&str],
    survey_id: &str,
    day: NaiveDate,
) -> sea_orm::UpdateMany<invitation::Entity> {
    claim_invitations()
        .filter(invitation::Column::TokenHash.is_in(hashes.iter().copied()))
        .filter(Expr::exists(active_member()))
        .filter(invitation::Column::CycleId.in_subquery(open_cycles(Some((survey_id, day)))))
}

/// The statements of a batch: every invitation claimed at once, then the
/// claimed ones' responses and answers in multi-row inserts.
async fn store_all(txn: &DatabaseTransaction, batch: &[&Submission]) -> Result<Vec<Outcome>, DbErr> {
    let (by_id, used) = claim_by_id(txn, batch).await?;
    let by_token = claim_by_token(txn, batch).await?;
    let (mut responses, mut answers, mut outcomes) = (Vec::new(), Vec::new(), Vec::with_capacity(batch.len()));
    // The same invitation twice in one batch: the first one counts.
    let mut taken = HashSet::new();
    for s in batch {
        // The invitation this submission takes: (cycle, team); None for a
        // token its group did not claim (nothing is written for it).
        let claimed = match &s.claim {
            Claim::Invitation(c) if by_id.contains(&c.invitation_id) && taken.insert(c.invitation_id.as_str()) => {
                Ok(Some((c.cycle_id.as_str(), c.team_id.as_str())))
            }
            Claim::Invitation(c) => {
                let already = used.contains(&c.invitation_id) || by_id.contains(&c.invitation_id);
                Err(if already { SubmitError::AlreadyAnswered } else { SubmitError::Closed })
            }
            Claim::Token { token_hash, survey_id } => {
                match by_token.get(&(token_hash.clone(), survey_id.clone(), s.today)) {
                    Some((cycle_id, team_id)) if taken.insert(token_hash.as_str()) => {
                        Ok(Some((cycle_id.as_str(), team_id.as_str())))
                    }
                    _ => Ok(None),
                }
            }
        };
        if let Ok(Some((cycle_id, team_id))) = claimed {
            let (response, rows) = rows_of(cycle_id, team_id, s.today, &s.rows);
            responses.push(response);
            answers.extend(rows);
        }
        outcomes.push(claimed.map(|c| c.is_some()));
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
fn rows_of(
    cycle_id: &str,
    team_id: &str,
    today: NaiveDate,
    rows: &[Valid],
) -> (response::ActiveModel, Vec<answer::ActiveModel>) {
    let response_id = new_id();
    let answers = rows
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
        cycle_id: Set(cycle_id.to_string()),
        team_id: Set(Some(team_id.to_string())),
        submitted_on: Set(today),
    };
    (response, answers)
}

#[cfg(test)]
mod tests {
    use sea_orm::QueryTrait;

    /// The C twin of the writer (`tests/load/sqlite_reference.c`, the
    /// SQLite reference of `tests/load/responses.sh`) sends this claim.
    #[test]
    fn the_sqlite_reference_sends_the_same_claim() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
        let sql = super::claim_by_token_statement(&["h"], "s", day).build(sea_orm::DbBackend::Sqlite).sql;
        let twin = include_str!("../../../tests/load/sqlite_reference.c");
        let literal = twin.split("static const char CLAIM[] = \"").nth(1).and_then(|r| r.split("\";\n").next());
        assert_eq!(literal.map(|l| l.replace("\\\"", "\"")), Some(sql));
    }
}
