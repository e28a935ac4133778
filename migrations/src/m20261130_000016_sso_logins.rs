//! Single sign-on (OpenID Connect): a sign-in under way, from the redirect
//! to the provider until its callback. Kept in the database so any instance
//! can take the callback; taken once (a replayed `state` finds nothing).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sso_logins")
                // SHA-256 of the `state` parameter: the value itself is only in the browser's cookie.
                .col(string("state_hash").primary_key())
                .col(string("nonce"))
                .col(string("pkce_verifier"))
                .col(text("next"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("sso_logins").take()).await
    }
}
