//! Anonymous survey responses. The invitation is marked used and the response
//! stored in one transaction, claimed with a conditional update, so one token
//! stores exactly one response. The response row gets the cycle, the team and
//! the date; nothing ties it to the invitation or the person.

use super::{StoreError, invitations, surveys};
use crate::domain::{CycleStatus, QuestionKind};
use crate::entities::{area, cycle, invitation, member, question};
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Longest comment accepted, in characters.
pub const TEXT_LIMIT: usize = 2000;
/// Most hours lost per week an `hours` answer may give.
pub const MAX_HOURS: f64 = 40.0;
/// Most areas one `priority_pick` may hold.
pub const MAX_PICKS: usize = 3;

/// One answer as given (API JSON or form), before validation.
#[derive(Debug, Clone, Default)]
pub struct AnswerIn {
    pub question_id: String,
    pub value: Option<f64>,
    pub choices: Option<Vec<String>>,
    pub text: Option<String>,
}

/// One problem with a submission. `question_id` is set when it belongs to a
/// question (the form shows it next to that question).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub question_id: Option<String>,
    pub message: String,
}

/// Why a submission was not stored.
#[derive(Debug)]
pub enum SubmitError {
    /// No invitation has this token.
    UnknownToken,
    /// The invitation was used already.
    AlreadyAnswered,
    /// The cycle is closed (or not open yet).
    Closed,
    /// The answers do not fit the survey.
    Invalid(Vec<Problem>),
    Store(StoreError),
}

impl From<StoreError> for SubmitError {
    fn from(e: StoreError) -> Self {
        SubmitError::Store(e)
    }
}

impl From<sea_orm::DbErr> for SubmitError {
    fn from(e: sea_orm::DbErr) -> Self {
        SubmitError::Store(e.into())
    }
}

/// An invitation found by its token, with what the form needs.
pub struct Invited {
    pub invitation: invitation::Model,
    pub cycle: cycle::Model,
    pub survey: Arc<surveys::SurveyFull>,
    pub areas: Arc<Vec<area::Model>>,
}

impl Invited {
    /// Whether the cycle takes answers on `today`.
    pub fn is_open(&self, today: NaiveDate) -> bool {
        self.cycle.status == CycleStatus::Open && self.cycle.opens_on <= today && today < self.cycle.closes_on
    }
}

/// What every form of a survey shares: its questions and the areas (shared,
/// not copied, by each submission).
type SurveyForm = (Arc<surveys::SurveyFull>, Arc<Vec<area::Model>>);

/// Seconds a survey's form stays cached. A survey's questions do not change
/// while a cycle of it is open; the cycle itself is read every time, so a
/// close shows at once.
const FORM_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Per-process cache of [`SurveyForm`] by survey, so a submission reads only
/// its invitation, member and cycle.
#[derive(Default)]
pub struct FormCache(Mutex<HashMap<String, (Instant, SurveyForm)>>);

impl FormCache {
    async fn get(&self, conn: &impl ConnectionTrait, survey_id: &str) -> Result<SurveyForm, StoreError> {
        if let Some((at, form)) = self.0.lock().expect("form cache").get(survey_id)
            && at.elapsed() < FORM_TTL
        {
            return Ok(form.clone());
        }
        let form = (Arc::new(surveys::get(conn, survey_id).await?), Arc::new(super::areas::all(conn).await?));
        let mut map = self.0.lock().expect("form cache");
        map.retain(|_, (at, _)| at.elapsed() < FORM_TTL);
        map.insert(survey_id.to_string(), (Instant::now(), form.clone()));
        Ok(form)
    }

    /// A fresh cached form holding question `question_id`, with its survey's id.
    fn holding(&self, question_id: &str) -> Option<(String, SurveyForm)> {
        let map = self.0.lock().expect("form cache");
        map.iter()
            .find(|(_, (at, (survey, _)))| {
                at.elapsed() < FORM_TTL && survey.questions.iter().any(|q| q.question_id == question_id)
            })
            .map(|(survey_id, (_, form))| (survey_id.clone(), form.clone()))
    }
}

/// Looks up the invitation of `token` and stores `answers` once, as
/// [`find`] then [`submit`] do. When a cached form holds the first answer's
/// question, it first checks the answers against that form and has the
/// claim look the token up itself
/// ([`super::submissions::Submissions::store_by_token`]: one statement on
/// PostgreSQL, the writer's batch on SQLite), with no lookup before;
/// anything but a stored response (nothing is written then) takes the way
/// above, which tells why.
pub async fn submit_token(
    conn: &impl ConnectionTrait,
    cache: &FormCache,
    submissions: &super::submissions::Submissions,
    token: &str,
    answers: &[AnswerIn],
    today: NaiveDate,
) -> Result<(), SubmitError> {
    if invitations::looks_like_token(token)
        && let Some(first) = answers.first()
        && let Some((survey_id, (survey, areas))) = cache.holding(&first.question_id)
        && let Ok(rows) = validate(&survey.questions, &area_ids(&areas), answers)
        && submissions.store_by_token(&invitations::hash_token(token), &survey_id, today, rows).await?
    {
        return Ok(());
    }
    let invited = find(conn, cache, token).await?;
    submit(submissions, &invited, answers, today).await
}

/// The ids of `areas`, as [`validate`] takes them.
fn area_ids(areas: &[area::Model]) -> HashSet<String> {
    areas.iter().map(|a| a.area_id.clone()).collect()
}

/// Looks up the invitation of `token` (and its cycle and survey).
pub async fn find(conn: &impl ConnectionTrait, cache: &FormCache, token: &str) -> Result<Invited, SubmitError> {
    if !invitations::looks_like_token(token) {
        return Err(SubmitError::UnknownToken);
    }
    // One query: the invitation of an active member, with its cycle.
    let (invitation, cycle) = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(invitations::hash_token(token)))
        .filter(Expr::exists(active_member()))
        .find_also_related(cycle::Entity)
        .one(conn)
        .await?
        .ok_or(SubmitError::UnknownToken)?;
    let cycle = cycle.ok_or_else(|| StoreError::NotFound(format!("no cycle {:?}", invitation.cycle_id)))?;
    let (survey, areas) = cache.get(conn, &cycle.survey_id).await?;
    Ok(Invited { invitation, cycle, survey, areas })
}

/// Whether the invitation's member is active, for a query or update of
/// `invitations`. A correlated EXISTS: the token's index finds the row, then
/// its member is checked (an IN list of active members would have SQLite
/// scan them).
pub(super) fn active_member() -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(member::Entity)
        .and_where(
            Expr::col((member::Entity, member::Column::MemberId))
                .equals((invitation::Entity, invitation::Column::MemberId)),
        )
        .and_where(Expr::col((member::Entity, member::Column::Active)).eq(true))
        .to_owned()
}

/// A validated answer, ready to store (one row per pick for `priority_pick`).
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    pub question_id: String,
    pub value_num: Option<f64>,
    pub choice: Option<String>,
    pub text: Option<String>,
}

fn whole_in(v: f64, lo: f64, hi: f64) -> bool {
    v.is_finite() && v.fract() == 0.0 && (lo..=hi).contains(&v)
}

/// One answer to question `q`: its rows, or (the field at fault, why).
fn check(
    q: &question::Model,
    a: &AnswerIn,
    known_areas: &HashSet<String>,
) -> Result<Vec<Valid>, (&'static str, String)> {
    let row = |value_num: Option<f64>, choice: Option<String>, text: Option<String>| Valid {
        question_id: q.question_id.clone(),
        value_num,
        choice,
        text,
    };
    let (extra, takes) = match q.kind {
        QuestionKind::PriorityPick => (a.value.is_some() || a.text.is_some(), "\"choices\""),
        QuestionKind::Text => (a.value.is_some() || a.choices.is_some(), "\"text\""),
        _ => (a.choices.is_some() || a.text.is_some(), "\"value\""),
    };
    if extra {
        return Err(("value", format!("a {} question takes only {takes}", q.kind)));
    }
    match q.kind {
        QuestionKind::Likert5 | QuestionKind::Nps | QuestionKind::Hours => {
            let Some(v) = a.value else { return Ok(vec![]) };
            let (ok, msg) = match q.kind {
                QuestionKind::Likert5 => (whole_in(v, 1.0, 5.0), "must be a whole number from 1 to 5".to_string()),
                QuestionKind::Nps => (whole_in(v, 0.0, 10.0), "must be a whole number from 0 to 10".to_string()),
                _ => (
                    v.is_finite() && (0.0..=MAX_HOURS).contains(&v),
                    format!("must be a number of hours from 0 to {MAX_HOURS}"),
                ),
            };
            if ok { Ok(vec![row(Some(v), None, None)]) } else { Err(("value", msg)) }
        }
        QuestionKind::PriorityPick => {
            let choices = a.choices.clone().unwrap_or_default();
            if choices.len() > MAX_PICKS {
                return Err(("choices", format!("pick at most {MAX_PICKS} areas")));
            }
            if let Some(c) = choices.iter().find(|c| !known_areas.contains(*c)) {
                return Err(("choices", format!("{c:?} is not a known area")));
            }
            let mut picked = HashSet::new();
            Ok(choices.into_iter().filter(|c| picked.insert(c.clone())).map(|c| row(None, Some(c), None)).collect())
        }
        // Same rule as every other free text: a length limit, no control characters.
        QuestionKind::Text => match crate::domain::optional_text("text", a.text.as_deref(), TEXT_LIMIT) {
            Ok(text) => Ok(text.map(|t| row(None, None, Some(t))).into_iter().collect()),
            Err(e) => Err(("text", e.message)),
        },
    }
}

/// Checks `answers` against the survey's questions; all problems at once.
pub fn validate(
    questions: &[question::Model],
    known_areas: &HashSet<String>,
    answers: &[AnswerIn],
) -> Result<Vec<Valid>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, a) in answers.iter().enumerate() {
        let Some(q) = questions.iter().find(|q| q.question_id == a.question_id) else {
            problems.push(Problem {
                field: format!("answers[{i}].question_id"),
                question_id: None,
                message: format!("{:?} is not a question of this survey", a.question_id),
            });
            continue;
        };
        if !seen.insert(q.question_id.clone()) {
            problems.push(Problem {
                field: format!("answers[{i}].question_id"),
                question_id: Some(q.question_id.clone()),
                message: "this question is answered twice".into(),
            });
            continue;
        }
        match check(q, a, known_areas) {
            Ok(valid) => rows.extend(valid),
            Err((what, message)) => problems.push(Problem {
                field: format!("answers[{i}].{what}"),
                question_id: Some(q.question_id.clone()),
                message,
            }),
        }
    }
    for q in questions.iter().filter(|q| q.required) {
        let answered = rows.iter().any(|r| r.question_id == q.question_id)
            || problems.iter().any(|p| p.question_id.as_deref() == Some(&q.question_id));
        if !answered {
            problems.push(Problem {
                field: format!("answers[{}]", q.question_id),
                question_id: Some(q.question_id.clone()),
                message: "this question needs an answer".into(),
            });
        }
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// Checks the answers of an invitation found with [`find`] and stores them,
/// once, through the group commit of [`super::submissions`].
pub async fn submit(
    submissions: &super::submissions::Submissions,
    invited: &Invited,
    answers: &[AnswerIn],
    today: NaiveDate,
) -> Result<(), SubmitError> {
    if invited.invitation.used {
        return Err(SubmitError::AlreadyAnswered);
    }
    if !invited.is_open(today) {
        return Err(SubmitError::Closed);
    }
    let rows = validate(&invited.survey.questions, &area_ids(&invited.areas), answers).map_err(SubmitError::Invalid)?;
    let invitation = super::submissions::Claimed {
        invitation_id: invited.invitation.invitation_id.clone(),
        cycle_id: invited.cycle.cycle_id.clone(),
        team_id: invited.invitation.team_id.clone(),
    };
    submissions.submit(invitation, today, rows).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(id: &str, kind: &str, area: Option<&str>, required: bool) -> question::Model {
        question::Model {
            question_id: id.into(),
            survey_id: "s".into(),
            position: 1,
            kind: kind.parse().unwrap(),
            area_id: area.map(str::to_string),
            prompt: "?".into(),
            required,
            retired: false,
        }
    }

    fn survey() -> (Vec<question::Model>, HashSet<String>) {
        (
            vec![
                q("l", "likert5", Some("ci"), true),
                q("p", "priority_pick", None, false),
                q("h", "hours", None, false),
                q("t", "text", None, false),
                q("n", "nps", None, false),
            ],
            ["ci", "docs", "deploy", "on_call"].iter().map(|s| s.to_string()).collect(),
        )
    }

    fn value(id: &str, v: f64) -> AnswerIn {
        AnswerIn { question_id: id.into(), value: Some(v), ..Default::default() }
    }

    #[test]
    fn a_full_valid_submission() {
        let (qs, areas) = survey();
        let answers = vec![
            value("l", 4.0),
            AnswerIn { question_id: "p".into(), choices: Some(vec!["ci".into(), "docs".into()]), ..Default::default() },
            value("h", 2.5),
            AnswerIn { question_id: "t".into(), text: Some(" <b>hi</b> ".into()), ..Default::default() },
            value("n", 0.0),
        ];
        let rows = validate(&qs, &areas, &answers).unwrap();
        assert_eq!(rows.len(), 6);
        assert!(rows.iter().any(|r| r.text.as_deref() == Some("<b>hi</b>")));
    }

    #[test]
    fn bad_answers_are_each_named() {
        let (qs, areas) = survey();
        for (answers, field) in [
            (vec![value("l", 0.0)], "answers[0].value"),
            (vec![value("l", 6.0)], "answers[0].value"),
            (vec![value("l", 3.5)], "answers[0].value"),
            (vec![value("l", 1e12)], "answers[0].value"),
            (vec![value("l", 3.0), value("zz", 1.0)], "answers[1].question_id"),
            (vec![value("l", 3.0), value("l", 3.0)], "answers[1].question_id"),
            (vec![value("l", 3.0), value("h", 41.0)], "answers[1].value"),
            (vec![value("l", 3.0), value("n", 11.0)], "answers[1].value"),
            (
                vec![
                    value("l", 3.0),
                    AnswerIn {
                        question_id: "p".into(),
                        choices: Some(vec!["ci".into(), "docs".into(), "deploy".into(), "on_call".into()]),
                        ..Default::default()
                    },
                ],
                "answers[1].choices",
            ),
            (
                vec![
                    value("l", 3.0),
                    AnswerIn { question_id: "p".into(), choices: Some(vec!["nope".into()]), ..Default::default() },
                ],
                "answers[1].choices",
            ),
            (
                vec![
                    value("l", 3.0),
                    AnswerIn { question_id: "t".into(), text: Some("x".repeat(2001)), ..Default::default() },
                ],
                "answers[1].text",
            ),
            (
                vec![
                    value("l", 3.0),
                    AnswerIn { question_id: "t".into(), text: Some("fine\u{0}then".into()), ..Default::default() },
                ],
                "answers[1].text",
            ),
            (
                vec![
                    value("l", 3.0),
                    AnswerIn { question_id: "t".into(), text: Some("bell\u{7}".into()), ..Default::default() },
                ],
                "answers[1].text",
            ),
            (vec![value("l", 3.0), value("t", 3.0)], "answers[1].value"),
            (vec![], "answers[l]"),
        ] {
            let problems = validate(&qs, &areas, &answers).unwrap_err();
            assert!(problems.iter().any(|p| p.field == field), "{field}: {problems:?}");
        }
    }

    proptest! {
        #[test]
        fn only_whole_values_from_1_to_5_pass_a_likert_item(v in proptest::num::f64::ANY) {
            let (qs, areas) = survey();
            let ok = validate(&qs, &areas, &[value("l", v)]).is_ok();
            prop_assert_eq!(ok, [1.0, 2.0, 3.0, 4.0, 5.0].contains(&v));
        }
    }
}
