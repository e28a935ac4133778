//! The `members` table.

use crate::domain::Lang;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: String,
    pub team_id: String,
    #[sea_orm(unique)]
    pub email: String,
    pub active: bool,
    /// SHA-256 (hex) of the member's personal token; the column keeps its
    /// old name (see migration 000002). The token is derived, never stored.
    #[sea_orm(unique, column_name = "member_token")]
    pub token_hash: String,
    /// Bumped when the member asks for a new link; 0 for a row the service
    /// has not upgraded yet.
    pub token_version: i32,
    /// A team lead reads their own team's results.
    pub lead: bool,
    /// Their pages' and emails' language; `None`: `DEVPULSE_DEFAULT_LANG`.
    pub lang: Option<Lang>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
