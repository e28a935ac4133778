//! SQLite only: `answers` keyed by (response_id, answer_id), so the answers
//! of one response sit together in the table's B-tree. A submission then
//! writes one or two pages of answers instead of one page per answer (plus
//! one per answer in each index): keyed by their random answer_id alone,
//! twenty answers touched twenty random pages, and the write-ahead log wrote
//! each in full. The order stays that of random ids, never of submission.
//! The separate indexes go (each cost a random page per answer again): the
//! key leads with response_id, by which every query reaches answers; an
//! answer id is a random UUID, unique without an index; nothing looks
//! answers up by question alone but the rare delete of a question.
//! PostgreSQL stores rows in heaps: nothing to change there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const REBUILD: [&str; 4] = [
    // The declared types are those earlier migrations gave these columns.
    "CREATE TABLE answers_new (
        answer_id varchar NOT NULL,
        response_id varchar NOT NULL REFERENCES responses (response_id) ON DELETE CASCADE,
        question_id varchar NOT NULL REFERENCES questions (question_id) ON DELETE RESTRICT,
        value_num double NULL,
        choice varchar NULL,
        text_value text NULL,
        hidden boolean NOT NULL DEFAULT FALSE,
        PRIMARY KEY (response_id, answer_id)
    ) WITHOUT ROWID",
    "INSERT INTO answers_new (answer_id, response_id, question_id, value_num, choice, text_value, hidden)
        SELECT answer_id, response_id, question_id, value_num, choice, text_value, hidden FROM answers
        ORDER BY response_id, answer_id",
    "DROP TABLE answers",
    "ALTER TABLE answers_new RENAME TO answers",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
            return Ok(());
        }
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
