//! Groups are frozen per cycle (analysis.md): `cycle_teams.group_name` records
//! the group each team had when the cycle opened, and every breakdown of that
//! cycle uses it, so moving a team later cannot reveal a hidden one. Existing
//! cycles get the teams' groups of today, the best record there is.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("cycle_teams").add_column(string_null("group_name")).take()).await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE cycle_teams SET group_name = \
                 (SELECT t.group_name FROM teams t WHERE t.team_id = cycle_teams.team_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("cycle_teams").drop_column("group_name").take()).await
    }
}
