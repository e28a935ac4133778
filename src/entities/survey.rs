//! The `surveys` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub survey_id: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub cadence: String,
    pub cadence_weeks: Option<i32>,
    pub open_days: i32,
    /// Comma-separated days after opening on which reminders go out.
    pub reminder_days: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
