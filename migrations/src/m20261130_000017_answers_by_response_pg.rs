//! PostgreSQL only: `answers` keyed by (response_id, answer_id), as SQLite
//! has been since migration 9, and no other index on it. Every answer used
//! to cost three B-tree insertions (its random id, its response, its
//! question); now it costs one, next to the other answers of its response.
//! The key leads with response_id, by which every query reaches answers
//! (reports, exports, comments, erasure's cascade); an answer id is a random
//! UUID, unique without an index of its own; nothing looks answers up by
//! question alone but a survey import asking whether a question has been
//! answered, which SQLite already answers by scanning.
//!
//! Nor a foreign key to `responses`: PostgreSQL checked it with a query and
//! a row lock per answer, twenty per submission (without them the pgbench
//! twin of a submission, `tests/load/submit.pgbench`, went from 2,018 to
//! 2,395 a second, devpulse from 1,160-1,175 to 1,291). Answers are written
//! only by the statement that writes their response (the same statement on
//! PostgreSQL, `store::submissions::STORE_ONE`), and responses are never
//! deleted (they are anonymous: erasing a member leaves them), so the key
//! had nothing left to catch; its cascade had nothing to do.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 4] = [
    "ALTER TABLE answers DROP CONSTRAINT IF EXISTS answers_response_id_fkey",
    "DROP INDEX IF EXISTS idx_answers_question",
    "DROP INDEX IF EXISTS idx_answers_response",
    "ALTER TABLE answers DROP CONSTRAINT answers_pkey, ADD PRIMARY KEY (response_id, answer_id)",
];

const DOWN: [&str; 4] = [
    "ALTER TABLE answers DROP CONSTRAINT answers_pkey, ADD PRIMARY KEY (answer_id)",
    "ALTER TABLE answers ADD CONSTRAINT answers_response_id_fkey FOREIGN KEY (response_id) \
     REFERENCES responses (response_id) ON DELETE CASCADE",
    "CREATE INDEX idx_answers_response ON answers (response_id)",
    "CREATE INDEX idx_answers_question ON answers (question_id)",
];

async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(());
    }
    for sql in statements {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, &UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, &DOWN).await
    }
}
