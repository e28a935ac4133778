//! Personal links are no longer stored in clear. `members.member_token` now
//! holds the SHA-256 of the member's token (the column keeps its name: it is
//! UNIQUE, and SQLite cannot drop such a column without rebuilding every table
//! that points at `members`). The token itself is derived from the member id
//! and `token_version` with the service's link key, so it can be put in an
//! email without being kept; rotating it bumps the version.
//!
//! Rows that still hold a clear token get `token_version = 0`; the service
//! replaces them with the hash of a derived token at start (it holds the key,
//! this migration does not), so links sent before this change stop working.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("members").add_column(integer("token_version").default(0)).take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("members").drop_column("token_version").take()).await
    }
}
