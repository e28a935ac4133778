//! Storing survey submissions. A submission is checked by its handler, then
//! stored with its invitation claimed in the same transaction (only while
//! unused and its cycle open), its response and its answers. Each submitter
//! hears back only after the commit that holds their response: a 201 still
//! means committed.
//!
//! A submission claims either an invitation looked up by its token
//! ([`Claim::Invitation`], after [`super::responses::find`]) or, once the
//! survey's form is cached, the token's own invitation with every check of
//! the lookup in the claim itself ([`Claim::Token`]): no lookup before, so
//! no read of its own.
//!
//! On SQLite, group commit ([`batch`]): one writer task (the database takes
//! one writer at a time anyway, and it holds the [`WriteGate`] so other
//! writes queue beside it) takes every submission waiting at that moment
//! (up to [`MAX_BATCH`]) and stores them in one transaction, so one commit
//! serves many people. On PostgreSQL each request stores its own, in one
//! statement ([`postgres`]).

mod batch;
mod postgres;

use super::StoreError;
use super::responses::{SubmitError, Valid};
use crate::db::WriteGate;
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most submissions stored by one commit.
pub const MAX_BATCH: usize = 256;

/// An invitation found by its token, to claim.
pub struct Claimed {
    pub invitation_id: String,
    pub cycle_id: String,
    pub team_id: String,
}

/// Which invitation a submission claims.
pub enum Claim {
    /// One looked up already.
    Invitation(Claimed),
    /// The invitation of a token's hash, for answers checked against
    /// `survey_id`'s questions: claimed only when it is an active member's,
    /// unused, of a cycle of that survey open on the day.
    Token { token_hash: String, survey_id: String },
}

/// One checked submission, waiting for its commit.
pub struct Submission {
    pub claim: Claim,
    pub today: NaiveDate,
    pub rows: Vec<Valid>,
}

/// What became of a submission: `Ok(true)` stored; `Ok(false)` a
/// [`Claim::Token`] that did not hold (nothing written; a lookup tells why).
type Outcome = Result<bool, SubmitError>;

struct Job {
    submission: Submission,
    done: oneshot::Sender<Outcome>,
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
        tokio::spawn(batch::writer(db, gate, rx));
        Submissions(Route::Queued(queue))
    }

    /// Stores answers checked against `survey_id`'s questions for the
    /// invitation of a token's hash ([`Claim::Token`]): true once committed.
    /// False when anything does not hold (an unknown or used token, another
    /// survey, a closed cycle): nothing was written, and [`Self::submit`]
    /// after a lookup tells why.
    pub async fn store_by_token(
        &self,
        token_hash: &str,
        survey_id: &str,
        today: NaiveDate,
        rows: Vec<Valid>,
    ) -> Result<bool, SubmitError> {
        match &self.0 {
            Route::Direct(db) => postgres::store_by_token(db, token_hash, survey_id, today, &rows).await,
            Route::Queued(queue) => {
                let claim = Claim::Token { token_hash: token_hash.to_string(), survey_id: survey_id.to_string() };
                queued(queue, Submission { claim, today, rows }).await
            }
        }
    }

    /// Stores the answers of an invitation looked up already; returns once
    /// they are committed (or refused: used, or the cycle closed).
    pub async fn submit(&self, invitation: Claimed, today: NaiveDate, rows: Vec<Valid>) -> Result<(), SubmitError> {
        match &self.0 {
            Route::Direct(db) => postgres::store_one(db, &invitation, today, &rows).await,
            Route::Queued(queue) => {
                queued(queue, Submission { claim: Claim::Invitation(invitation), today, rows }).await.map(|_| ())
            }
        }
    }
}

/// Hands a submission to the writer and waits for its outcome.
async fn queued(queue: &mpsc::Sender<Job>, submission: Submission) -> Outcome {
    let (done, answer) = oneshot::channel();
    let stopped = || SubmitError::Store(StoreError::Broken("the submission writer has stopped".into()));
    queue.send(Job { submission, done }).await.map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())?
}
