//! The `invitations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub invitation_id: String,
    pub cycle_id: String,
    /// The invited member; NULL, and `token_hash` too, on the anonymous rows
    /// an erasure leaves (`store::erasure`).
    pub member_id: Option<String>,
    pub team_id: String,
    #[sea_orm(unique)]
    pub token_hash: Option<String>,
    pub used: bool,
    pub reminders_sent: i32,
    pub last_reminded_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::cycle::Entity", from = "Column::CycleId", to = "super::cycle::Column::CycleId")]
    Cycle,
}

impl Related<super::cycle::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cycle.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
