//! PostgreSQL only: `answers` no longer declares a foreign key to
//! `questions`. PostgreSQL checks such a key by locking the referenced row
//! (FOR KEY SHARE) once per inserted answer; every submission names the same
//! few question rows, so concurrent batches kept turning those locks into
//! multixacts, a few dozen per response. The store checks every answer's
//! question against the survey before inserting it, and questions are never
//! deleted. SQLite checks keys without locking rows: it keeps the key.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared("ALTER TABLE answers DROP CONSTRAINT IF EXISTS answers_question_id_fkey")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(
                "ALTER TABLE answers ADD CONSTRAINT answers_question_id_fkey \
                 FOREIGN KEY (question_id) REFERENCES questions (question_id)",
            )
            .await?;
        Ok(())
    }
}
