//! Surveys as code: one document, TOML in a file (`devpulse survey export`
//! and `import`) and JSON in `POST /api/v1/surveys`, with the same fields.
//! A document with a `survey_id` describes that survey as it should be:
//! importing it creates or updates it (`store::survey_import`); without one
//! it creates a new survey.
//!
//! Errors name the field (`questions[3].area_id`) and, for a file, its line.

use crate::domain::{Cadence, FieldError, QuestionKind, optional_text, required_text};
use crate::store::surveys::{NewQuestion, NewSurvey, SurveyFull};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

/// Most questions a survey holds.
pub const MAX_QUESTIONS: usize = 100;
/// Most reminders a cycle sends.
pub const MAX_REMINDERS: usize = 5;
/// Longest title, description and prompt, in characters.
pub const TITLE_LIMIT: usize = 200;
pub const DESCRIPTION_LIMIT: usize = 2000;
pub const PROMPT_LIMIT: usize = 500;

/// A question of a survey document.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionIn {
    /// An existing question of the survey (as exported); absent for a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_id: Option<String>,
    #[schema(value_type = QuestionKind)]
    pub kind: String,
    /// Required for `likert5`, refused for `text`, `hours` and `nps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_id: Option<String>,
    #[schema(min_length = 1, max_length = 500)]
    pub prompt: String,
    /// Defaults to true for `likert5`, false otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// A survey document: `{"template": "devex"}` for the default DevEx survey,
/// or a whole survey (with `survey_id`, as `devpulse survey export` writes it).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyIn {
    /// The survey this document describes: it is created with this id, or
    /// updated to match; an unchanged document changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_id: Option<String>,
    /// `devex`: the default DevEx survey (other fields may override title, cadence, open_days, reminder_days).
    #[schema(pattern = "^devex$")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Required without a template.
    #[schema(min_length = 1, max_length = 200)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[schema(max_length = 2000)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `one_off` (default), `monthly`, `quarterly` or `every_N_weeks` (N from 1 to 52).
    #[schema(pattern = "^(one_off|monthly|quarterly|every_([1-9]|[1-4][0-9]|5[0-2])_weeks)$")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<String>,
    /// Days each cycle stays open (1 to 90, default 14).
    #[schema(minimum = 1, maximum = 90)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_days: Option<u32>,
    /// Days after opening on which non-respondents are reminded (default
    /// `[3, 7]`), each at least 1 and under `open_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_days: Option<Vec<u32>>,
    /// Required without a template (1 to 100), refused with one.
    #[schema(min_items = 1, max_items = 100)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<Vec<QuestionIn>>,
}

/// A parsed document: the survey it names, if any, and what it should be.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub survey_id: Option<String>,
    pub survey: NewSurvey,
}

impl SurveyIn {
    pub fn parse(self) -> Result<Parsed, FieldError> {
        let survey_id = match self.survey_id.as_deref().map(str::trim) {
            Some(id) => Some(identifier("survey_id", id)?),
            None => None,
        };
        if survey_id.is_some() && self.template.is_some() {
            let msg = "a document with survey_id lists its questions: export the survey (devpulse survey export) and edit that";
            return Err(FieldError::new("template", msg));
        }
        let mut new = match self.template.as_deref() {
            Some("devex") if self.questions.is_some() => {
                return Err(FieldError::new("questions", "a template brings its own questions"));
            }
            Some("devex") => NewSurvey::devex(),
            Some(other) => {
                return Err(FieldError::new("template", format!("unknown template {other:?}; expected devex")));
            }
            None => {
                let n = self.questions.as_ref().map_or(0, Vec::len);
                if self.questions.is_none() {
                    return Err(FieldError::new("questions", "a custom survey needs questions"));
                }
                if n == 0 || n > MAX_QUESTIONS {
                    return Err(FieldError::new("questions", format!("must hold 1 to {MAX_QUESTIONS} questions")));
                }
                NewSurvey {
                    title: String::new(),
                    description: String::new(),
                    cadence: Cadence::OneOff,
                    open_days: 14,
                    reminder_days: vec![3, 7],
                    questions: Vec::new(),
                }
            }
        };
        match &self.title {
            Some(t) => new.title = required_text("title", t, TITLE_LIMIT)?,
            None if new.title.is_empty() => return Err(FieldError::new("title", "missing field `title`")),
            None => {}
        }
        if let Some(d) = &self.description {
            new.description = optional_text("description", Some(d), DESCRIPTION_LIMIT)?.unwrap_or_default();
        }
        if let Some(c) = &self.cadence {
            new.cadence = Cadence::parse("cadence", c)?;
        }
        if let Some(d) = self.open_days {
            if !(1..=90).contains(&d) {
                return Err(FieldError::new("open_days", "must be from 1 to 90"));
            }
            new.open_days = d;
        }
        if let Some(days) = self.reminder_days {
            if days.len() > MAX_REMINDERS {
                return Err(FieldError::new("reminder_days", format!("at most {MAX_REMINDERS} reminders")));
            }
            new.reminder_days = days;
        }
        let mut sorted = new.reminder_days.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.iter().any(|d| *d == 0 || *d >= new.open_days) {
            return Err(FieldError::new("reminder_days", "each day must be from 1 to open_days - 1"));
        }
        new.reminder_days = sorted;
        let mut seen = HashSet::new();
        for (i, q) in self.questions.into_iter().flatten().enumerate() {
            let q = question(i, q)?;
            if let Some(id) = &q.question_id {
                if survey_id.is_none() {
                    let msg = "a question id needs the survey's id (`survey_id`)";
                    return Err(FieldError::new(format!("questions[{i}].question_id"), msg));
                }
                if !seen.insert(id.clone()) {
                    let msg = format!("{id:?} appears twice");
                    return Err(FieldError::new(format!("questions[{i}].question_id"), msg));
                }
            }
            new.questions.push(q);
        }
        Ok(Parsed { survey_id, survey: new })
    }
}

fn question(i: usize, q: QuestionIn) -> Result<NewQuestion, FieldError> {
    let field = |f: &str| format!("questions[{i}].{f}");
    let kind = QuestionKind::parse(&field("kind"), &q.kind)?;
    let prompt = required_text(&field("prompt"), &q.prompt, PROMPT_LIMIT)?;
    let area_id = q.area_id.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    match kind {
        QuestionKind::Likert5 if area_id.is_none() => {
            return Err(FieldError::new(field("area_id"), "a likert5 question must name its area"));
        }
        QuestionKind::Text | QuestionKind::Hours | QuestionKind::Nps if area_id.is_some() => {
            return Err(FieldError::new(field("area_id"), format!("a {kind} question has no area")));
        }
        _ => {}
    }
    let question_id = match q.question_id.as_deref().map(str::trim) {
        Some(id) => Some(identifier(&field("question_id"), id)?),
        None => None,
    };
    let required = q.required.unwrap_or(kind == QuestionKind::Likert5);
    Ok(NewQuestion { question_id, kind, area_id, prompt, required })
}

/// An id as devpulse makes them (a UUID), or one a team chose: 1 to 64
/// letters, digits, `-` and `_`.
fn identifier(field: &str, id: &str) -> Result<String, FieldError> {
    let ok = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(id.to_string())
    } else {
        Err(FieldError::new(field, format!("{id:?} is not an id (1 to 64 letters, digits, - or _)")))
    }
}

/// The document of a stored survey, as `devpulse survey export` writes it.
pub fn document(full: &SurveyFull) -> SurveyIn {
    SurveyIn {
        survey_id: Some(full.survey.survey_id.clone()),
        template: None,
        title: Some(full.survey.title.clone()),
        description: Some(full.survey.description.clone()),
        cadence: Some(full.survey.cadence.to_string()),
        open_days: Some(full.survey.open_days.max(0) as u32),
        reminder_days: Some(full.reminder_days()),
        questions: Some(
            full.questions
                .iter()
                .map(|q| QuestionIn {
                    question_id: Some(q.question_id.clone()),
                    kind: q.kind.to_string(),
                    area_id: q.area_id.clone(),
                    prompt: q.prompt.clone(),
                    required: Some(q.required),
                })
                .collect(),
        ),
    }
}

/// The TOML file of a stored survey.
pub fn to_toml(full: &SurveyFull) -> String {
    let body = toml::to_string(&document(full)).expect("a survey document is plain TOML");
    format!(
        "# devpulse survey: import with `devpulse survey import FILE` (or POST it as JSON to /api/v1/surveys).\n\
         # Keep survey_id and each question_id: they tie this file to the stored survey and its answers.\n\
         # A changed question of a survey with answers becomes a new question; drop question_id to add one.\n\n{body}"
    )
}

/// A problem with a survey file: its line when known, the field, the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub line: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for DocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Reads a survey file: TOML syntax and field types, then the same checks as the API.
pub fn from_toml(text: &str) -> Result<Parsed, DocError> {
    let doc: SurveyIn = toml::from_str(text).map_err(|e| DocError {
        line: e.span().map(|s| line_at(text, s.start)),
        field: None,
        message: e.message().trim().to_string(),
    })?;
    doc.parse().map_err(|e| at_field(text, e))
}

/// A field's error with the line of that field in `text`, when it can be found.
pub fn at_field(text: &str, e: FieldError) -> DocError {
    DocError { line: line_of(text, &e.field), field: Some(e.field), message: e.message }
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of `field` (`title`, `questions[3].area_id`) in a TOML file
/// laid out as exported (`[[questions]]` tables): the key's own line, or the
/// question's header when the key is missing.
pub fn line_of(text: &str, field: &str) -> Option<usize> {
    let (table, key) = match field.strip_prefix("questions[") {
        Some(rest) => {
            let (n, key) = rest.split_once(']')?;
            (Some(n.parse::<usize>().ok()?), key.trim_start_matches('.'))
        }
        None => (None, field),
    };
    let key_at = |line: &str| {
        line.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')) && !key.is_empty()
    };
    let mut seen: Option<usize> = None;
    let mut header_line = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim() == "[[questions]]" {
            seen = Some(seen.map_or(0, |s| s + 1));
            if seen == table {
                header_line = Some(i + 1);
            }
            continue;
        }
        if seen == table && key_at(line) {
            return Some(i + 1);
        }
        if table.is_some() && seen > table {
            break;
        }
    }
    header_line
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"survey_id = "s-1"
title = "Check-in"
cadence = "monthly"
open_days = 10
reminder_days = [3]

[[questions]]
kind = "likert5"
area_id = "ci"
prompt = "CI?"

[[questions]]
question_id = "q-2"
kind = "text"
prompt = "Else?"
"#;

    #[test]
    fn reads_a_file() {
        let p = from_toml(FILE).unwrap();
        assert_eq!(p.survey_id.as_deref(), Some("s-1"));
        assert_eq!(p.survey.questions.len(), 2);
        assert_eq!(p.survey.questions[1].question_id.as_deref(), Some("q-2"));
        assert!(p.survey.questions[0].required && !p.survey.questions[1].required);
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let no_area = FILE.replace("area_id = \"ci\"\n", "");
        let e = from_toml(&no_area).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(7), Some("questions[0].area_id")), "{e}");
        let text_area = FILE.replace("prompt = \"Else?\"", "prompt = \"Else?\"\narea_id = \"ci\"");
        let e = from_toml(&text_area).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(16), Some("questions[1].area_id")), "{e}");
        let dup = FILE.replace("kind = \"likert5\"", "question_id = \"q-2\"\nkind = \"likert5\"");
        let e = from_toml(&dup).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(14), Some("questions[1].question_id")), "{e}");
        let e = from_toml("title = \"x\"\nopen_days = \"many\"\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = from_toml("title = \"unterminated\n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        let e = from_toml(&FILE.replace("cadence", "cadense")).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("cadense"), "{e}");
    }

    #[test]
    fn a_question_id_needs_the_survey_id() {
        let e = from_toml(&FILE.replace("survey_id = \"s-1\"\n", "")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("questions[1].question_id"));
    }
}
