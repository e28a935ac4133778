//! Webhooks: endpoints the platform team registers, and one delivery row per
//! event and endpoint, written in the transaction of the change that caused
//! the event (an outbox, like `email_outbox`) and sent by the worker.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("webhooks")
                .col(string("webhook_id").primary_key())
                .col(text("url"))
                // Event names, comma-separated (`friction.created,cycle.closed`).
                .col(text("events"))
                .col(string("format"))
                // `whsec_...`: kept in clear, since every delivery is signed with it.
                .col(string("secret"))
                // The secret before the last rotation, also signed with until `previous_until`.
                .col(string_null("previous_secret"))
                .col(timestamp_with_time_zone_null("previous_until"))
                .col(boolean("active"))
                .col(text_null("disabled_reason"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("webhook_deliveries")
                // The `webhook-id` header: the same on every retry of one message.
                .col(string("delivery_id").primary_key())
                .col(string("webhook_id"))
                .col(string("event"))
                .col(text("body"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(integer_null("last_status"))
                .col(text_null("last_error"))
                .col(string_null("locked_by"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("webhook_deliveries", "webhook_id")
                        .to("webhooks", "webhook_id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_deliveries_due")
                .table("webhook_deliveries")
                .col("status")
                .col("next_attempt_at")
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_deliveries_webhook")
                .table("webhook_deliveries")
                .col("webhook_id")
                .col("created_at")
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("webhook_deliveries").take()).await?;
        m.drop_table(Table::drop().table("webhooks").take()).await
    }
}
