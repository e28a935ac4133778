//! Database migrations for devpulse. This crate never depends on the service:
//! each migration is a frozen description of the schema at the time it landed.
//! Never edit a migration that has landed; add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_initial;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261129_000001_initial::Migration)]
    }
}
