//! Surveys and their ordered questions: the default DevEx template or a
//! custom survey, validated against the known areas.

use super::{StoreError, StoreResult, audit, new_id};
use crate::domain::{Cadence, FieldError, QuestionKind, devex};
use crate::entities::{area, question, survey};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use std::collections::HashSet;

/// One question of a new survey, parsed.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    /// The question this one is (surveys as code); `None` for a new one.
    pub question_id: Option<String>,
    pub kind: QuestionKind,
    pub area_id: Option<String>,
    pub prompt: String,
    pub required: bool,
}

/// A new survey, parsed.
#[derive(Debug, Clone)]
pub struct NewSurvey {
    pub title: String,
    pub description: String,
    pub cadence: Cadence,
    pub open_days: u32,
    pub reminder_days: Vec<u32>,
    pub questions: Vec<NewQuestion>,
}

impl NewSurvey {
    /// The default DevEx survey: quarterly, open 14 days, reminders on days 3 and 7.
    pub fn devex() -> Self {
        NewSurvey {
            title: devex::TITLE.into(),
            description: devex::DESCRIPTION.into(),
            cadence: Cadence::Quarterly,
            open_days: 14,
            reminder_days: vec![3, 7],
            questions: devex::QUESTIONS
                .iter()
                .map(|q| NewQuestion {
                    question_id: None,
                    kind: q.kind,
                    area_id: q.area_id.map(str::to_string),
                    prompt: q.prompt.into(),
                    required: q.required,
                })
                .collect(),
        }
    }
}

/// A survey with its questions in order.
#[derive(Debug, Clone)]
pub struct SurveyFull {
    pub survey: survey::Model,
    pub questions: Vec<question::Model>,
}

impl SurveyFull {
    pub fn reminder_days(&self) -> Vec<u32> {
        parse_days(&self.survey.reminder_days)
    }
}

pub fn parse_days(s: &str) -> Vec<u32> {
    s.split(',').filter_map(|d| d.trim().parse().ok()).collect()
}

/// Every area a question points at exists.
pub async fn check_areas(conn: &impl ConnectionTrait, new: &NewSurvey) -> StoreResult<()> {
    let known: HashSet<String> = area::Entity::find().all(conn).await?.into_iter().map(|a| a.area_id).collect();
    for (i, q) in new.questions.iter().enumerate() {
        if let Some(a) = &q.area_id
            && !known.contains(a)
        {
            return Err(FieldError::new(format!("questions[{i}].area_id"), format!("unknown area {a:?}")).into());
        }
    }
    Ok(())
}

/// Creates a survey after checking that every area a question points at exists.
pub async fn create(db: &DatabaseConnection, actor: &str, new: NewSurvey) -> StoreResult<SurveyFull> {
    let txn = crate::store::begin_write(db).await?;
    let full = insert(&txn, actor, &new_id(), new).await?;
    txn.commit().await?;
    Ok(full)
}

/// Inserts a survey with the id `survey_id` and its questions (with their
/// own ids where given), in the caller's transaction.
pub async fn insert(
    txn: &impl ConnectionTrait,
    actor: &str,
    survey_id: &str,
    new: NewSurvey,
) -> StoreResult<SurveyFull> {
    check_areas(txn, &new).await?;
    let survey_id = survey_id.to_string();
    let survey = survey::ActiveModel {
        survey_id: Set(survey_id.clone()),
        title: Set(new.title),
        description: Set(new.description),
        cadence: Set(new.cadence),
        open_days: Set(new.open_days as i32),
        reminder_days: Set(new.reminder_days.iter().map(u32::to_string).collect::<Vec<_>>().join(",")),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    let mut questions = Vec::new();
    for (pos, q) in new.questions.into_iter().enumerate() {
        questions.push(
            question::ActiveModel {
                question_id: Set(q.question_id.unwrap_or_else(new_id)),
                survey_id: Set(survey_id.clone()),
                position: Set(pos as i32 + 1),
                kind: Set(q.kind),
                area_id: Set(q.area_id),
                prompt: Set(q.prompt),
                required: Set(q.required),
                retired: Set(false),
            }
            .insert(txn)
            .await?,
        );
    }
    audit::record(txn, actor, "survey.create", "survey", &survey_id, json!({"title": survey.title})).await?;
    Ok(SurveyFull { survey, questions })
}

pub async fn get(conn: &impl ConnectionTrait, survey_id: &str) -> StoreResult<SurveyFull> {
    let survey = survey::Entity::find_by_id(survey_id.to_string())
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no survey {survey_id:?}")))?;
    let questions = question::Entity::find()
        .filter(question::Column::SurveyId.eq(survey_id))
        .filter(question::Column::Retired.eq(false))
        .order_by_asc(question::Column::Position)
        .all(conn)
        .await?;
    Ok(SurveyFull { survey, questions })
}

/// All surveys with their questions, oldest first (a handful per organisation).
pub async fn list(conn: &impl ConnectionTrait, page: &super::PageParams) -> StoreResult<super::Page<SurveyFull>> {
    let mut q = survey::Entity::find().order_by_asc(survey::Column::SurveyId);
    if let Some(after) = &page.after {
        q = q.filter(survey::Column::SurveyId.gt(after.as_str()));
    }
    let rows = sea_orm::QuerySelect::limit(q, page.limit + 1).all(conn).await?;
    let page = super::Page::from_rows(rows, page, |s| s.survey_id.clone());
    let ids: Vec<String> = page.items.iter().map(|s| s.survey_id.clone()).collect();
    let questions = question::Entity::find()
        .filter(question::Column::SurveyId.is_in(ids))
        .filter(question::Column::Retired.eq(false))
        .order_by_asc(question::Column::Position)
        .all(conn)
        .await?;
    Ok(page.map(|survey| {
        let qs = questions.iter().filter(|q| q.survey_id == survey.survey_id).cloned().collect();
        SurveyFull { survey, questions: qs }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn cadences() {
        assert_eq!(Cadence::parse("cadence", "every_2_weeks").unwrap(), Cadence::Weeks(2));
        assert_eq!(Cadence::parse("cadence", "weeks:6").unwrap(), Cadence::Weeks(6));
        assert!(Cadence::parse("cadence", "every_0_weeks").is_err());
        assert!(Cadence::parse("cadence", "hourly").is_err());
        let d = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(Cadence::Monthly.next_after(d), NaiveDate::from_ymd_opt(2026, 2, 28));
        assert_eq!(Cadence::Quarterly.next_after(d), NaiveDate::from_ymd_opt(2026, 4, 30));
        assert_eq!(Cadence::Weeks(2).next_after(d), NaiveDate::from_ymd_opt(2026, 2, 14));
        assert_eq!(Cadence::OneOff.next_after(d), None);
    }
}
