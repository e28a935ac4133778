//! The `surveys` table.

use crate::domain::Cadence;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub survey_id: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// The column `cadence_weeks` (written by older versions) is not read:
    /// the weeks are part of this text form (`every_N_weeks`).
    pub cadence: Cadence,
    pub open_days: i32,
    /// Comma-separated days after opening on which reminders go out.
    pub reminder_days: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
