//! Results people can read: when a friction report was first triaged (the
//! console's "median days to triage"), when the "results are out" emails of a
//! closed cycle were queued, and free-text answers an admin hid because they
//! name someone.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("friction_reports").add_column(date_null("first_triaged_on")).take())
            .await?;
        m.alter_table(
            Table::alter().table("cycles").add_column(timestamp_with_time_zone_null("results_mailed_at")).take(),
        )
        .await?;
        // `answers` is a WITHOUT ROWID table on SQLite (000004); ADD COLUMN works there.
        m.alter_table(Table::alter().table("answers").add_column(boolean("hidden").default(false)).take()).await?;

        // Reports triaged before this column existed: the date of their first
        // status change in the audit log (in UTC: the organisation's time zone
        // is not known here), else the date they were resolved, else the date
        // they were filed. Merges do not change a status, so they do not count.
        let audit_date = match m.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "CAST(a.at AT TIME ZONE 'UTC' AS DATE)",
            // Timestamps are stored as text starting with the date.
            _ => "substr(a.at, 1, 10)",
        };
        let db = m.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE friction_reports SET first_triaged_on = COALESCE(\
             (SELECT MIN({audit_date}) FROM audit_log a WHERE a.entity = 'friction_report' \
             AND a.entity_id = friction_reports.report_id AND a.action = 'friction.change' \
             AND a.detail LIKE '%\"status\":%'), resolved_on, created_on) \
             WHERE status <> 'new'"
        ))
        .await?;
        // Cycles closed before the "results are out" emails existed never send
        // them: nobody gets mail about an old cycle after an upgrade.
        db.execute_unprepared(
            "UPDATE cycles SET results_mailed_at = COALESCE(closed_at, created_at) WHERE status = 'closed'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("answers").drop_column("hidden").take()).await?;
        m.alter_table(Table::alter().table("cycles").drop_column("results_mailed_at").take()).await?;
        m.alter_table(Table::alter().table("friction_reports").drop_column("first_triaged_on").take()).await
    }
}
