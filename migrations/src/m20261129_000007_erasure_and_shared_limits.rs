//! Erasure and limits shared by every instance.
//!
//! - `invitations.member_id` and `invitations.token_hash` become nullable: when
//!   a person is erased, their invitations stay as anonymous rows (no member,
//!   no token), so the participation of closed cycles does not change. On
//!   SQLite that is a table rebuild in one transaction (nothing points at
//!   `invitations`), rows copied in the order of their random ids, with the
//!   same foreign keys and indexes; on PostgreSQL `DROP NOT NULL`.
//! - `rate_counters`: hourly counters keyed by an HMAC of what is counted and
//!   the hour (the friction limit per member), so N instances do not allow N
//!   times the limit. No member id and no time finer than the hour is stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REBUILD: [&str; 7] = [
    // The declared types are those the first migration gave these columns.
    "CREATE TABLE invitations_new (
        invitation_id varchar NOT NULL PRIMARY KEY,
        cycle_id varchar NOT NULL REFERENCES cycles (cycle_id) ON DELETE CASCADE,
        member_id varchar NULL REFERENCES members (member_id) ON DELETE RESTRICT,
        team_id varchar NOT NULL REFERENCES teams (team_id) ON DELETE RESTRICT,
        token_hash varchar NULL UNIQUE,
        used boolean NOT NULL,
        reminders_sent integer NOT NULL,
        last_reminded_on date_text NULL
    )",
    "INSERT INTO invitations_new (invitation_id, cycle_id, member_id, team_id, token_hash, used, reminders_sent,
        last_reminded_on)
        SELECT invitation_id, cycle_id, member_id, team_id, token_hash, used, reminders_sent, last_reminded_on
        FROM invitations ORDER BY invitation_id",
    "DROP TABLE invitations",
    "ALTER TABLE invitations_new RENAME TO invitations",
    "CREATE INDEX idx_invitations_cycle ON invitations (cycle_id, team_id)",
    "CREATE INDEX idx_invitations_member ON invitations (member_id)",
    "CREATE UNIQUE INDEX uq_invitations_cycle_member ON invitations (cycle_id, member_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => {
                // One connection and one transaction for the whole rebuild.
                let txn = m.begin().await?;
                for sql in REBUILD {
                    txn.get_connection().execute_unprepared(sql).await?;
                }
                txn.commit().await?;
            }
            _ => {
                m.get_connection()
                    .execute_unprepared(
                        "ALTER TABLE invitations ALTER COLUMN member_id DROP NOT NULL, \
                         ALTER COLUMN token_hash DROP NOT NULL",
                    )
                    .await?;
            }
        }
        m.create_table(
            Table::create()
                .table("rate_counters")
                // HMAC of what is counted and its hour, under the service's secret.
                .col(string("key_hash").primary_key())
                // Hours since the Unix epoch, for deleting past hours.
                .col(big_integer("hour"))
                .col(integer("count"))
                .take(),
        )
        .await?;
        m.create_index(Index::create().name("idx_rate_counters_hour").table("rate_counters").col("hour").take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Erased invitations cannot get their member back: they stay nullable.
        m.drop_table(Table::drop().table("rate_counters").take()).await
    }
}
