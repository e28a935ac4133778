//! Surveys as code: make a stored survey match a document
//! (`crate::survey_doc`), in one transaction.
//!
//! - An unknown `survey_id` creates the survey with that id (and the
//!   questions' ids), so one file can seed several installations.
//! - An unchanged document writes nothing.
//! - A question whose kind, area, prompt or requiredness changed is
//!   rewritten in place only while it has no answers; once it has some, it
//!   is retired (kept for the reports of past cycles) and the document's
//!   version becomes a new question. A dropped question is deleted, or
//!   retired when it has answers. A question that only moved is renumbered.
//! - Any change is refused while a cycle of the survey is open (409).

use super::surveys::{self, NewQuestion, NewSurvey, SurveyFull};
use super::{StoreError, StoreResult, audit, new_id};
use crate::domain::{CycleStatus, FieldError};
use crate::entities::{answer, cycle, question, survey};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Created,
    Updated,
    Unchanged,
}

impl Imported {
    pub fn as_str(self) -> &'static str {
        match self {
            Imported::Created => "created",
            Imported::Updated => "updated",
            Imported::Unchanged => "unchanged",
        }
    }
}

/// What becomes of one question of the document.
enum Step {
    Keep,
    Renumber(String),
    Rewrite(String),
    Add,
}

/// Makes the survey `survey_id` match `new`.
pub async fn import(
    db: &DatabaseConnection,
    actor: &str,
    survey_id: &str,
    new: NewSurvey,
) -> StoreResult<(Imported, SurveyFull)> {
    let txn = super::begin_write(db).await?;
    let Some(current) = survey::Entity::find_by_id(survey_id.to_string()).one(&txn).await? else {
        ids_unused(&txn, &new).await?;
        let full = surveys::insert(&txn, actor, survey_id, new).await?;
        txn.commit().await?;
        return Ok((Imported::Created, full));
    };
    surveys::check_areas(&txn, &new).await?;
    let before = surveys::get(&txn, survey_id).await?;
    let by_id: HashMap<&str, &question::Model> = before.questions.iter().map(|q| (q.question_id.as_str(), q)).collect();
    let mut steps = Vec::new();
    for (i, q) in new.questions.iter().enumerate() {
        let step = match q.question_id.as_deref() {
            None => Step::Add,
            Some(id) => {
                let Some(old) = by_id.get(id) else {
                    let msg = format!("{id:?} is not a question of this survey; drop question_id to add a new one");
                    return Err(FieldError::new(format!("questions[{i}].question_id"), msg).into());
                };
                let same = old.kind == q.kind
                    && old.area_id == q.area_id
                    && old.prompt == q.prompt
                    && old.required == q.required;
                match (same, old.position == i as i32 + 1) {
                    (true, true) => Step::Keep,
                    (true, false) => Step::Renumber(id.to_string()),
                    (false, _) => Step::Rewrite(id.to_string()),
                }
            }
        };
        steps.push(step);
    }
    let kept: HashSet<&str> = new.questions.iter().filter_map(|q| q.question_id.as_deref()).collect();
    let dropped: Vec<&question::Model> =
        before.questions.iter().filter(|q| !kept.contains(q.question_id.as_str())).collect();
    let days = new.reminder_days.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let survey_changed = current.title != new.title
        || current.description != new.description
        || current.cadence != new.cadence
        || current.open_days != new.open_days as i32
        || surveys::parse_days(&current.reminder_days) != new.reminder_days;
    if !survey_changed && dropped.is_empty() && steps.iter().all(|s| matches!(s, Step::Keep)) {
        txn.commit().await?;
        return Ok((Imported::Unchanged, before));
    }
    refuse_while_open(&txn, survey_id).await?;
    let mut row = current.into_active_model();
    row.title = Set(new.title.clone());
    row.description = Set(new.description.clone());
    row.cadence = Set(new.cadence);
    row.open_days = Set(new.open_days as i32);
    row.reminder_days = Set(days);
    row.update(&txn).await?;
    let mut retired = 0;
    for q in &dropped {
        retired += usize::from(retire_or_delete(&txn, q).await?);
    }
    for (i, (step, q)) in steps.into_iter().zip(new.questions).enumerate() {
        let position = i as i32 + 1;
        match step {
            Step::Keep => {}
            Step::Renumber(id) => set_position(&txn, &id, position).await?,
            Step::Rewrite(id) if has_answers(&txn, &id).await? => {
                retire(&txn, &id).await?;
                retired += 1;
                insert_question(&txn, survey_id, position, NewQuestion { question_id: None, ..q }).await?;
            }
            Step::Rewrite(id) => {
                question::Entity::delete_by_id(id.clone()).exec(&txn).await?;
                insert_question(&txn, survey_id, position, NewQuestion { question_id: Some(id), ..q }).await?;
            }
            Step::Add => insert_question(&txn, survey_id, position, q).await?,
        }
    }
    let after = surveys::get(&txn, survey_id).await?;
    let detail = json!({"questions": after.questions.len(), "retired": retired});
    audit::record(&txn, actor, "survey.import", "survey", survey_id, detail).await?;
    txn.commit().await?;
    Ok((Imported::Updated, after))
}

async fn refuse_while_open(conn: &impl ConnectionTrait, survey_id: &str) -> StoreResult<()> {
    let open = cycle::Entity::find()
        .filter(cycle::Column::SurveyId.eq(survey_id))
        .filter(cycle::Column::Status.eq(CycleStatus::Open.as_str()))
        .one(conn)
        .await?;
    match open {
        Some(c) => Err(StoreError::CycleOpen(format!(
            "a cycle of this survey is open until {}: change its questions after it closes",
            c.closes_on
        ))),
        None => Ok(()),
    }
}

/// A new survey's chosen ids must not belong to anything else.
async fn ids_unused(conn: &impl ConnectionTrait, new: &NewSurvey) -> StoreResult<()> {
    for (i, q) in new.questions.iter().enumerate() {
        if let Some(id) = &q.question_id
            && question::Entity::find_by_id(id.clone()).one(conn).await?.is_some()
        {
            let msg = format!("{id:?} is a question of another survey; drop question_id to add a new one");
            return Err(FieldError::new(format!("questions[{i}].question_id"), msg).into());
        }
    }
    Ok(())
}

async fn has_answers(conn: &impl ConnectionTrait, question_id: &str) -> StoreResult<bool> {
    let one = answer::Entity::find()
        .select_only()
        .column(answer::Column::QuestionId)
        .filter(answer::Column::QuestionId.eq(question_id))
        .limit(1)
        .into_tuple::<String>()
        .one(conn)
        .await?;
    Ok(one.is_some())
}

async fn retire(conn: &impl ConnectionTrait, question_id: &str) -> StoreResult<()> {
    question::Entity::update_many()
        .col_expr(question::Column::Retired, sea_orm::sea_query::Expr::value(true))
        .filter(question::Column::QuestionId.eq(question_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Retires a dropped question with answers (true), deletes one without.
async fn retire_or_delete(conn: &impl ConnectionTrait, q: &question::Model) -> StoreResult<bool> {
    if has_answers(conn, &q.question_id).await? {
        retire(conn, &q.question_id).await?;
        return Ok(true);
    }
    question::Entity::delete_by_id(q.question_id.clone()).exec(conn).await?;
    Ok(false)
}

async fn set_position(conn: &impl ConnectionTrait, question_id: &str, position: i32) -> StoreResult<()> {
    question::Entity::update_many()
        .col_expr(question::Column::Position, sea_orm::sea_query::Expr::value(position))
        .filter(question::Column::QuestionId.eq(question_id))
        .exec(conn)
        .await?;
    Ok(())
}

async fn insert_question(
    conn: &impl ConnectionTrait,
    survey_id: &str,
    position: i32,
    q: NewQuestion,
) -> StoreResult<()> {
    question::ActiveModel {
        question_id: Set(q.question_id.unwrap_or_else(new_id)),
        survey_id: Set(survey_id.to_string()),
        position: Set(position),
        kind: Set(q.kind),
        area_id: Set(q.area_id),
        prompt: Set(q.prompt),
        required: Set(q.required),
        retired: Set(false),
    }
    .insert(conn)
    .await?;
    Ok(())
}
