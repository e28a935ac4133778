//! The `answers` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub answer_id: String,
    pub response_id: String,
    pub question_id: String,
    #[sea_orm(column_type = "Double", nullable)]
    pub value_num: Option<f64>,
    pub choice: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub text_value: Option<String>,
    /// A free-text answer an admin hid because it names someone.
    pub hidden: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
