//! Surveys as code: a question a new survey file changes or drops, once it
//! has answers, is retired rather than rewritten or deleted. Its answers
//! keep their meaning in the reports of past cycles; the survey's form and
//! its file no longer show it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("questions").add_column(boolean("retired").default(false)).take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("questions").drop_column("retired").take()).await
    }
}
