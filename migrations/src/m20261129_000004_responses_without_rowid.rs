//! On SQLite, `responses` and `answers` were rowid tables: rows sat in the
//! file in the order they were submitted, which a database reader could line
//! up with the reminder emails and the invitations' use. They become
//! `WITHOUT ROWID` tables, stored in the order of their random ids, so the
//! physical order says nothing about when a response came. The data is copied
//! in id order and the old tables dropped (with `secure_delete`, which the
//! service turns on, their pages are zeroed). PostgreSQL tables are heaps with
//! no such key; docs/ANONYMITY.md says what a reader of either can learn.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REBUILD: [&str; 11] = [
    // The declared types are those the first migration gave these columns.
    "CREATE TABLE responses_new (
        response_id varchar NOT NULL PRIMARY KEY,
        cycle_id varchar NOT NULL REFERENCES cycles (cycle_id) ON DELETE CASCADE,
        team_id varchar NULL REFERENCES teams (team_id) ON DELETE SET NULL,
        submitted_on date_text NOT NULL
    ) WITHOUT ROWID",
    "CREATE TABLE answers_new (
        answer_id varchar NOT NULL PRIMARY KEY,
        response_id varchar NOT NULL REFERENCES responses_new (response_id) ON DELETE CASCADE,
        question_id varchar NOT NULL REFERENCES questions (question_id) ON DELETE RESTRICT,
        value_num double NULL,
        choice varchar NULL,
        text_value text NULL
    ) WITHOUT ROWID",
    "INSERT INTO responses_new (response_id, cycle_id, team_id, submitted_on)
        SELECT response_id, cycle_id, team_id, submitted_on FROM responses ORDER BY response_id",
    "INSERT INTO answers_new (answer_id, response_id, question_id, value_num, choice, text_value)
        SELECT answer_id, response_id, question_id, value_num, choice, text_value FROM answers ORDER BY answer_id",
    // Children first: nothing points at `answers`, and then nothing at `responses`.
    "DROP TABLE answers",
    "DROP TABLE responses",
    // Renaming rewrites the REFERENCES of answers_new to `responses`.
    "ALTER TABLE responses_new RENAME TO responses",
    "ALTER TABLE answers_new RENAME TO answers",
    "CREATE INDEX idx_responses_cycle ON responses (cycle_id, team_id)",
    "CREATE INDEX idx_answers_response ON answers (response_id)",
    "CREATE INDEX idx_answers_question ON answers (question_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
            return Ok(());
        }
        // One connection and one transaction for the whole rebuild.
        let txn = m.begin().await?;
        for sql in REBUILD {
            txn.get_connection().execute_unprepared(sql).await?;
        }
        txn.commit().await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // The physical order is not part of the schema: nothing to undo.
        Ok(())
    }
}
