//! The `cycles` table.

use crate::domain::CycleStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cycles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cycle_id: String,
    pub survey_id: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub status: CycleStatus,
    pub opened_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// When the "results are out" emails of the closed cycle were queued
    /// (claimed by one instance); null until then.
    pub results_mailed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
