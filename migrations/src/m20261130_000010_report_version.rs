//! The report version: a number that every write which can change a closed
//! cycle's report moves on, so each instance can keep reports in memory and
//! know when one is stale. PostgreSQL: a sequence (no row lock, so writers
//! never queue on it). SQLite: a row of `settings` (writers take turns anyway).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                db.execute_unprepared("CREATE SEQUENCE IF NOT EXISTS report_version").await?;
            }
            _ => {
                db.execute_unprepared(
                    "INSERT INTO settings (key, value) VALUES ('report_version', '1') ON CONFLICT (key) DO NOTHING",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                db.execute_unprepared("DROP SEQUENCE IF EXISTS report_version").await?
            }
            _ => db.execute_unprepared("DELETE FROM settings WHERE key = 'report_version'").await?,
        };
        Ok(())
    }
}
