//! What the overview's figures need beyond the export: when reports were
//! first triaged (not part of the raw export of analysis.md).

use super::StoreResult;
use crate::entities::friction_report;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

/// (created_on, first_triaged_on) of every report ever triaged, as ISO dates.
pub async fn triage_dates(db: &DatabaseConnection) -> StoreResult<Vec<(String, String)>> {
    let rows: Vec<(chrono::NaiveDate, Option<chrono::NaiveDate>)> = friction_report::Entity::find()
        .select_only()
        .columns([friction_report::Column::CreatedOn, friction_report::Column::FirstTriagedOn])
        .filter(friction_report::Column::FirstTriagedOn.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, t)| Some((c.format("%Y-%m-%d").to_string(), t?.format("%Y-%m-%d").to_string())))
        .collect())
}
