//! A member's language (`en`, `de`): their survey form, pages and emails.
//! Null means the organisation's default (`DEVPULSE_DEFAULT_LANG`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("members").add_column(string_null("lang")).take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("members").drop_column("lang").take()).await
    }
}
