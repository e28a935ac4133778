//! Free-text answers as comments (analysis.md, "Free-text comments"): read
//! for the scopes the analysis crate allows, in an order that does not follow
//! submission (a keyed hash of the text), and hidden by an admin when one
//! names someone. Never exported.

use super::{StoreError, StoreResult, audit};
use crate::entities::{answer, question, response};
use hmac::{Hmac, Mac};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use sha2::Sha256;
use std::collections::BTreeSet;

/// One comment as a page shows it: no date, no team.
#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    /// The answer's random id (for hiding it).
    pub id: String,
    pub text: String,
    pub hidden: bool,
}

/// The order key of a text: HMAC-SHA256 under the service's secret, stable
/// between views and unrelated to when it was written.
fn order_key(secret: &str, text: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"comment-order:");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The comments of a cycle's `text` questions from the responses of
/// `team_ids` (every response when `None`), in keyed-hash order, hidden
/// ones included (marked).
pub async fn of_cycle(
    db: &DatabaseConnection,
    secret: &str,
    cycle_id: &str,
    team_ids: Option<&BTreeSet<String>>,
) -> StoreResult<Vec<Comment>> {
    let texts: Vec<String> = question::Entity::find()
        .select_only()
        .column(question::Column::QuestionId)
        .filter(question::Column::Kind.eq(crate::domain::QuestionKind::Text))
        .into_tuple()
        .all(db)
        .await?;
    let mut responses = response::Entity::find()
        .select_only()
        .column(response::Column::ResponseId)
        .filter(response::Column::CycleId.eq(cycle_id));
    if let Some(ids) = team_ids {
        responses = responses.filter(response::Column::TeamId.is_in(ids.iter().cloned()));
    }
    let rows: Vec<(String, Option<String>, bool)> = answer::Entity::find()
        .select_only()
        .columns([answer::Column::AnswerId, answer::Column::TextValue, answer::Column::Hidden])
        .filter(answer::Column::QuestionId.is_in(texts))
        .filter(answer::Column::ResponseId.in_subquery(sea_orm::QueryTrait::into_query(responses)))
        .filter(answer::Column::TextValue.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut out: Vec<(Vec<u8>, Comment)> = rows
        .into_iter()
        .filter_map(|(id, text, hidden)| {
            let text = text?.trim().to_string();
            (!text.is_empty()).then(|| (order_key(secret, &text), Comment { id, text, hidden }))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// Hides or shows again one comment of `cycle_id`, recorded in the audit log
/// (the text is not: it may name someone).
pub async fn set_hidden(
    db: &DatabaseConnection,
    actor: &str,
    cycle_id: &str,
    id: &str,
    hidden: bool,
) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let of_cycle = response::Entity::find()
        .select_only()
        .column(response::Column::ResponseId)
        .filter(response::Column::CycleId.eq(cycle_id));
    let found = answer::Entity::find_by_id(id.to_string())
        .filter(answer::Column::ResponseId.in_subquery(sea_orm::QueryTrait::into_query(of_cycle)))
        .filter(answer::Column::TextValue.is_not_null())
        .one(&txn)
        .await?;
    let Some(found) = found else {
        return Err(StoreError::NotFound(format!("no comment {id:?} in this cycle")));
    };
    // By the whole key: on SQLite answers are keyed by (response, answer).
    answer::Entity::update_many()
        .col_expr(answer::Column::Hidden, sea_orm::sea_query::Expr::value(hidden))
        .filter(answer::Column::ResponseId.eq(found.response_id.as_str()))
        .filter(answer::Column::AnswerId.eq(id))
        .exec(&txn)
        .await?;
    let action = if hidden { "comment.hide" } else { "comment.show" };
    audit::record(&txn, actor, action, "comment", id, serde_json::json!({ "cycle_id": cycle_id })).await?;
    txn.commit().await?;
    Ok(())
}
