//! The `cycle_teams` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cycle_teams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cycle_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub team_id: String,
    /// The team's group when the cycle opened ("groups are frozen").
    pub group_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
