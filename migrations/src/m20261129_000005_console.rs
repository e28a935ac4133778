//! The web console: admins' sessions (stored on the server, so several
//! instances share them and signing out ends them everywhere), the sign-in
//! throttle (shared by every instance), and team leads.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("admin_sessions")
                // SHA-256 of the session id: the cookie value is never stored.
                .col(string("session_hash").primary_key())
                .col(string("admin_id"))
                .col(string("csrf_token"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("admin_sessions", "admin_id")
                        .to("admin_users", "admin_id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(Index::create().name("idx_admin_sessions_admin").table("admin_sessions").col("admin_id").take())
            .await?;
        m.create_table(
            Table::create()
                .table("signin_throttle")
                // An HMAC of what is counted (an email or an address): no email in clear.
                .col(string("key_hash").primary_key())
                .col(timestamp_with_time_zone("window_start"))
                .col(integer("failures"))
                .take(),
        )
        .await?;
        m.alter_table(Table::alter().table("members").add_column(boolean("lead").default(false)).take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("members").drop_column("lead").take()).await?;
        m.drop_table(Table::drop().table("signin_throttle").take()).await?;
        m.drop_table(Table::drop().table("admin_sessions").take()).await
    }
}
