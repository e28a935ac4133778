//! The `questions` table.

use crate::domain::QuestionKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: String,
    pub survey_id: String,
    pub position: i32,
    pub kind: QuestionKind,
    pub area_id: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub prompt: String,
    pub required: bool,
    /// Changed or dropped by a survey file after it had answers: kept for
    /// past cycles' reports, shown on no form (`store::survey_import`).
    pub retired: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
