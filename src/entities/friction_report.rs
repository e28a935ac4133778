//! The `friction_reports` table.

use crate::domain::{Frequency, FrictionStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "friction_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub report_id: String,
    pub team_id: Option<String>,
    pub area_id: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub trying_to: String,
    #[sea_orm(column_type = "Text")]
    pub blocked_by: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub expected: Option<String>,
    pub minutes_lost: i32,
    pub frequency: Frequency,
    pub severity: i32,
    pub status: FrictionStatus,
    pub follow_up: bool,
    /// Set only when the reporter asked for follow-up.
    pub reporter_member_id: Option<String>,
    pub me_too: i32,
    pub roadmap_item_id: Option<String>,
    pub duplicate_of: Option<String>,
    pub created_on: Date,
    pub resolved_on: Option<Date>,
    /// The organisation's date when its status first left `new`; kept
    /// through later changes (see `store::friction::triage`).
    pub first_triaged_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
