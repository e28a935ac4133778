//! The respondent's pages: the survey form at `/s/{token}` and the thank-you
//! page (the member's own page is in `member`).

use crate::domain::{Dimension, QuestionKind};
use crate::error::PageError;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::responses::{self, AnswerIn, Invited, Problem, SubmitError};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;
use std::collections::HashMap;
use tera::Context;

/// Largest form body accepted.
const FORM_LIMIT: usize = 64 * 1024;
/// How much of a larger form is read anyway, so what was typed can be shown
/// again with the message instead of being lost.
const FORM_READ_LIMIT: usize = 1024 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/thanks", web::get().to(thanks))
        .service(web::resource("/s/{token}").route(web::get().to(show_survey)).route(web::post().to(submit_survey)))
        .configure(super::member::configure);
}

#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct QView {
    id: String,
    number: usize,
    kind: String,
    prompt: String,
    required: bool,
    options: Vec<Opt>,
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct Section {
    title: String,
    questions: Vec<QView>,
}

#[derive(Serialize)]
struct ProblemView {
    anchor: String,
    message: String,
}

const LIKERT: [&str; 5] = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"];

fn section_title(d: Dimension) -> &'static str {
    match d {
        Dimension::FeedbackLoops => "Feedback loops",
        Dimension::CognitiveLoad => "Cognitive load",
        Dimension::FlowState => "Flow state",
        Dimension::Other => "More about your work",
    }
}

/// The form's sections: likert items grouped by their area's dimension, then
/// the rest, with what the person gave (`given`) and the errors.
fn sections(inv: &Invited, given: &HashMap<String, Vec<String>>, problems: &[Problem]) -> Vec<Section> {
    let dimension_of: HashMap<&str, Dimension> = inv.areas.iter().map(|a| (a.area_id.as_str(), a.dimension)).collect();
    let mut out: Vec<Section> = Vec::new();
    for (i, q) in inv.survey.questions.iter().enumerate() {
        let kind = q.kind;
        let title = match (kind, q.area_id.as_deref().and_then(|a| dimension_of.get(a))) {
            (QuestionKind::Likert5, Some(d)) => section_title(*d),
            _ => "Priorities and time",
        };
        let values = given.get(&q.question_id).cloned().unwrap_or_default();
        let first = values.first().cloned().unwrap_or_default();
        let options = match kind {
            QuestionKind::Likert5 => (1..=5)
                .map(|v| Opt {
                    value: v.to_string(),
                    label: format!("{v} {}", LIKERT[v - 1]),
                    checked: first == v.to_string(),
                })
                .collect(),
            QuestionKind::Nps => (0..=10)
                .map(|v| Opt { value: v.to_string(), label: v.to_string(), checked: first == v.to_string() })
                .collect(),
            QuestionKind::PriorityPick => inv
                .areas
                .iter()
                .map(|a| Opt { value: a.area_id.clone(), label: a.name.clone(), checked: values.contains(&a.area_id) })
                .collect(),
            _ => Vec::new(),
        };
        let view = QView {
            id: q.question_id.clone(),
            number: i + 1,
            kind: kind.as_str().to_string(),
            prompt: q.prompt.clone(),
            required: q.required,
            options,
            value: first,
            error: problems
                .iter()
                .find(|p| p.question_id.as_deref() == Some(&q.question_id))
                .map(|p| p.message.clone()),
        };
        match out.iter_mut().find(|s| s.title == title) {
            Some(s) => s.questions.push(view),
            None => out.push(Section { title: title.to_string(), questions: vec![view] }),
        }
    }
    out
}

fn form_context(inv: &Invited, token: &str, given: &HashMap<String, Vec<String>>, problems: &[Problem]) -> Context {
    let mut ctx = Context::new();
    ctx.insert("title", &inv.survey.survey.title);
    ctx.insert("description", &inv.survey.survey.description);
    ctx.insert("token", token);
    ctx.insert("closes_on", &inv.cycle.closes_on.format("%-d %B %Y").to_string());
    ctx.insert("sections", &sections(inv, given, problems));
    ctx
}

fn form_page(
    state: &AppState,
    token: &str,
    inv: &Invited,
    given: &HashMap<String, Vec<String>>,
    problems: &[Problem],
) -> HttpResponse {
    let mut ctx = form_context(inv, token, given, problems);
    let views: Vec<ProblemView> = problems
        .iter()
        .map(|p| ProblemView {
            anchor: p.question_id.as_ref().map(|q| format!("q-{q}")).unwrap_or_else(|| "main".into()),
            message: match p
                .question_id
                .as_ref()
                .and_then(|q| inv.survey.questions.iter().position(|x| &x.question_id == q))
            {
                Some(n) => format!("Question {}: {}", n + 1, p.message),
                None => p.message.clone(),
            },
        })
        .collect();
    ctx.insert("problems", &views);
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    state.pages.page(status, "pages/survey.html", ctx)
}

fn already_answered(state: &AppState) -> HttpResponse {
    state.pages.notice(
        StatusCode::CONFLICT,
        "Already answered",
        "This survey link has already been used. Thank you for taking part.",
        None,
    )
}

fn closed(state: &AppState) -> HttpResponse {
    state.pages.notice(
        StatusCode::GONE,
        "This survey has closed",
        "This survey no longer takes answers. The next one will arrive by email.",
        None,
    )
}

/// The page for a store error on a member's or respondent's page, by the one
/// mapping of [`PageError`]: "try again" only when the database really was
/// unavailable or busy (with `Retry-After`), never for something else.
pub(super) fn store_failure(state: &AppState, e: StoreError) -> HttpResponse {
    let (status, heading, message) = match PageError::from(e) {
        PageError::Unavailable => {
            let mut res = state.pages.notice(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "We could not reach our database just now. Nothing was saved: try again in a minute.",
                None,
            );
            res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, 5u32.into());
            return res;
        }
        PageError::NotFound(_) => return state.pages.not_found(),
        PageError::Conflict(m) => (StatusCode::CONFLICT, "That did not work", m),
        PageError::Invalid(f) => (StatusCode::UNPROCESSABLE_ENTITY, "Please check what you entered", f.message),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Something went wrong on our side. It has been logged, and nothing was saved.".to_string(),
        ),
    };
    state.pages.notice(status, heading, &message, None)
}

/// A [`SubmitError`] that is not one of the form's own answers: a store error.
fn submit_failure(state: &AppState, e: SubmitError) -> HttpResponse {
    match e {
        SubmitError::Store(e) => store_failure(state, e),
        SubmitError::UnknownToken => state.pages.not_found(),
        SubmitError::AlreadyAnswered => already_answered(state),
        SubmitError::Closed => closed(state),
        SubmitError::Invalid(_) => {
            store_failure(state, StoreError::Broken("invalid answers on a page without a form".into()))
        }
    }
}

async fn show_survey(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    match responses::find(&state.db, &state.forms, &token).await {
        Ok(inv) if inv.invitation.used => already_answered(&state),
        Ok(inv) if !inv.is_open(state.config.today()) => closed(&state),
        Ok(inv) => form_page(&state, &token, &inv, &HashMap::new(), &[]),
        Err(SubmitError::UnknownToken) => state.pages.not_found(),
        Err(e) => submit_failure(&state, e),
    }
}

/// Turns the urlencoded form into answers; a field that is not a number where
/// one is needed becomes a problem.
fn answers_from_form(inv: &Invited, given: &HashMap<String, Vec<String>>) -> (Vec<AnswerIn>, Vec<Problem>) {
    let mut answers = Vec::new();
    let mut problems = Vec::new();
    for q in &inv.survey.questions {
        let Some(values) = given.get(&q.question_id) else { continue };
        let kind = q.kind;
        let first = values.first().map(|v| v.trim()).unwrap_or("");
        let mut a = AnswerIn { question_id: q.question_id.clone(), ..Default::default() };
        match kind {
            QuestionKind::PriorityPick => {
                let picks: Vec<String> = values.iter().filter(|v| !v.is_empty()).cloned().collect();
                if picks.is_empty() {
                    continue;
                }
                a.choices = Some(picks);
            }
            QuestionKind::Text => {
                if first.is_empty() {
                    continue;
                }
                a.text = Some(values[0].clone());
            }
            _ => {
                if first.is_empty() {
                    continue;
                }
                match first.replace(',', ".").parse::<f64>() {
                    Ok(v) => a.value = Some(v),
                    Err(_) => {
                        problems.push(Problem {
                            field: q.question_id.clone(),
                            question_id: Some(q.question_id.clone()),
                            message: "enter a number".into(),
                        });
                        continue;
                    }
                }
            }
        }
        answers.push(a);
    }
    (answers, problems)
}

/// Reads a form body up to [`FORM_READ_LIMIT`]; says whether it was over [`FORM_LIMIT`].
async fn read_form(mut payload: web::Payload) -> Result<(web::BytesMut, bool), actix_web::error::PayloadError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        let room = FORM_READ_LIMIT - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if chunk.len() >= room {
            return Ok((body, true));
        }
    }
    let over = body.len() > FORM_LIMIT;
    Ok((body, over))
}

async fn submit_survey(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    token: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let encoded = req
        .headers()
        .get(actix_web::http::header::CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
    if encoded {
        // Browsers never compress a form; a compressed body is not read at all.
        return state.pages.notice(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The form did not arrive as a form",
            "Compressed forms are not accepted, so nothing was saved. Go back and send it again.",
            None,
        );
    }
    let (body, too_large) = match read_form(payload).await {
        Ok(read) => read,
        Err(e) => {
            tracing::info!(error = %e, "survey form body could not be read");
            return state.pages.notice(
                StatusCode::BAD_REQUEST,
                "The form did not arrive whole",
                "Nothing was saved. Go back and send it again.",
                None,
            );
        }
    };
    let inv = match responses::find(&state.db, &state.forms, &token).await {
        Ok(inv) => inv,
        Err(SubmitError::UnknownToken) => return state.pages.not_found(),
        Err(SubmitError::Store(StoreError::Unavailable(e))) => {
            tracing::warn!(error = %crate::error::chain(&e), "survey form not saved: database unavailable");
            return not_saved(&state, &token, &body);
        }
        Err(e) => return submit_failure(&state, e),
    };
    if inv.invitation.used {
        return already_answered(&state);
    }
    if !inv.is_open(state.config.today()) {
        return closed(&state);
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        let problem =
            Problem { field: "body".into(), question_id: None, message: "the form was not valid UTF-8 text".into() };
        return form_page(&state, &token, &inv, &HashMap::new(), &[problem]);
    };
    let mut given: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        if let Some(qid) = k.strip_prefix("q_") {
            given.entry(qid.to_string()).or_default().push(v.into_owned());
        }
    }
    let (answers, mut problems) = answers_from_form(&inv, &given);
    if too_large {
        let message = format!(
            "The form is larger than {} KiB, so nothing was saved. Shorten your comment and send it again.",
            FORM_LIMIT / 1024
        );
        let mut res =
            form_page(&state, &token, &inv, &given, &[Problem { field: "body".into(), question_id: None, message }]);
        res.head_mut().status = StatusCode::PAYLOAD_TOO_LARGE;
        return res;
    }
    if problems.is_empty() {
        match responses::submit(&state.submissions, &inv, &answers, state.config.today()).await {
            Ok(()) => return HttpResponse::SeeOther().insert_header(("Location", "/thanks")).finish(),
            Err(SubmitError::Invalid(p)) => problems = p,
            Err(SubmitError::AlreadyAnswered) => return already_answered(&state),
            Err(SubmitError::Closed) => return closed(&state),
            Err(SubmitError::UnknownToken) => return state.pages.not_found(),
            Err(SubmitError::Store(StoreError::Unavailable(e))) => {
                tracing::warn!(error = %crate::error::chain(&e), "survey form not saved: database unavailable");
                return unsaved_form(&state, &token, &inv, &given);
            }
            Err(SubmitError::Store(e)) => return store_failure(&state, e),
        }
    }
    form_page(&state, &token, &inv, &given, &problems)
}

/// The database took no write: the form again, with every answer as given and
/// a 503 that says nothing was saved (never a 2xx for what was not committed).
fn unsaved_form(state: &AppState, token: &str, inv: &Invited, given: &HashMap<String, Vec<String>>) -> HttpResponse {
    let mut ctx = form_context(inv, token, given, &[]);
    ctx.insert("problems", &Vec::<ProblemView>::new());
    ctx.insert(
        "unsaved",
        "We could not reach our database just now, so nothing was saved and your link is still unused. \
         Your answers are still in this form: send it again in a minute.",
    );
    retry_later(state.pages.page(StatusCode::SERVICE_UNAVAILABLE, "pages/survey.html", ctx))
}

/// The database could not even say which survey the link belongs to: a page
/// that holds the form's fields as they came and sends them again.
fn not_saved(state: &AppState, token: &str, body: &[u8]) -> HttpResponse {
    let fields: Vec<(String, String)> =
        form_urlencoded::parse(body).filter(|(k, _)| k.starts_with("q_")).map(|(k, v)| (k.into(), v.into())).collect();
    let mut ctx = Context::new();
    ctx.insert("token", token);
    ctx.insert("fields", &fields);
    retry_later(state.pages.page(StatusCode::SERVICE_UNAVAILABLE, "pages/not_saved.html", ctx))
}

fn retry_later(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, 5u32.into());
    res
}

/// The front page: what this is, who does what, and a few live counts.
async fn home(state: web::Data<AppState>) -> HttpResponse {
    match crate::store::members::instance_counts(&state.db).await {
        Ok(counts) => {
            let mut ctx = Context::new();
            ctx.insert("counts", &counts);
            state.pages.page(StatusCode::OK, "pages/home.html", ctx)
        }
        Err(e) => store_failure(&state, e),
    }
}

async fn thanks(state: web::Data<AppState>) -> HttpResponse {
    state.pages.notice(
        StatusCode::OK,
        "Thank you",
        "Your answers are stored, without your name and without your link. Results appear once the survey \
         has closed, and only for groups of enough people that no one can be singled out.",
        None,
    )
}
