//! The friction list's usual order, newest first with the id as tie-break,
//! as an index: the triage list and the member page read their first page
//! from it instead of sorting every report (21 ms for 10,000 reports on
//! SQLite, 12 ms of CPU a request; the index on `created_at` alone could not
//! give the tie-break).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_friction_newest ON friction_reports (created_at DESC, report_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP INDEX IF EXISTS idx_friction_newest").await?;
        Ok(())
    }
}
