//! Database migrations for devpulse. This crate never depends on the service:
//! each migration is a frozen description of the schema at the time it landed.
//! Never edit a migration that has landed; add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_initial;
mod m20261129_000002_member_token_hash;
mod m20261129_000003_frozen_groups;
mod m20261129_000004_responses_without_rowid;
mod m20261129_000005_console;
mod m20261129_000006_results;
mod m20261129_000007_erasure_and_shared_limits;
mod m20261129_000008_cycle_counts;
mod m20261129_000009_answers_by_response;
mod m20261130_000010_report_version;
mod m20261130_000011_friction_newest;
mod m20261130_000012_answers_hot_keys;
mod m20261130_000013_webhooks;
mod m20261130_000014_member_lang;
mod m20261130_000015_retired_questions;
mod m20261130_000016_sso_logins;
mod m20261130_000017_answers_by_response_pg;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_initial::Migration),
            Box::new(m20261129_000002_member_token_hash::Migration),
            Box::new(m20261129_000003_frozen_groups::Migration),
            Box::new(m20261129_000004_responses_without_rowid::Migration),
            Box::new(m20261129_000005_console::Migration),
            Box::new(m20261129_000006_results::Migration),
            Box::new(m20261129_000007_erasure_and_shared_limits::Migration),
            Box::new(m20261129_000008_cycle_counts::Migration),
            Box::new(m20261129_000009_answers_by_response::Migration),
            Box::new(m20261130_000010_report_version::Migration),
            Box::new(m20261130_000011_friction_newest::Migration),
            Box::new(m20261130_000012_answers_hot_keys::Migration),
            Box::new(m20261130_000013_webhooks::Migration),
            Box::new(m20261130_000014_member_lang::Migration),
            Box::new(m20261130_000015_retired_questions::Migration),
            Box::new(m20261130_000016_sso_logins::Migration),
            Box::new(m20261130_000017_answers_by_response_pg::Migration),
        ]
    }
}
