//! The respondent's pages: the survey form at `/s/{token}` and the thank-you
//! page (the member's own page is in `member`).

use crate::domain::{Dimension, QuestionKind};
use crate::error::PageError;
use crate::i18n::{self, t, t_args};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::responses::{self, AnswerIn, Invited, Problem, SubmitError};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::{Deserialize, Serialize};
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

/// A part of the form in `lang`: `Feedback loops` (`section-feedback_loops`
/// in `locales/`), …, `More about your work`.
fn section_title(d: Dimension, lang: &str) -> String {
    t(lang, &format!("section-{}", d.as_str()))
}

/// The form's sections in `lang`: likert items grouped by their area's
/// dimension, then the rest, with what the person gave (`given`) and the
/// errors. The likert answers read `1 Very dissatisfied` … `5 Very satisfied`
/// (`likert-1` … `likert-5`); the default survey's questions and areas are
/// translated while they keep their default English wording.
fn sections(inv: &Invited, given: &HashMap<String, Vec<String>>, problems: &[Problem], lang: &str) -> Vec<Section> {
    let dimension_of: HashMap<&str, Dimension> = inv.areas.iter().map(|a| (a.area_id.as_str(), a.dimension)).collect();
    let mut out: Vec<Section> = Vec::new();
    for (i, q) in inv.survey.questions.iter().enumerate() {
        let kind = q.kind;
        let title = match (kind, q.area_id.as_deref().and_then(|a| dimension_of.get(a))) {
            (QuestionKind::Likert5, Some(d)) => section_title(*d, lang),
            _ => t(lang, "section-priorities"),
        };
        let values = given.get(&q.question_id).cloned().unwrap_or_default();
        let first = values.first().cloned().unwrap_or_default();
        let options = match kind {
            QuestionKind::Likert5 => (1..=5)
                .map(|v| Opt {
                    value: v.to_string(),
                    label: format!("{v} {}", t(lang, &format!("likert-{v}"))),
                    checked: first == v.to_string(),
                })
                .collect(),
            QuestionKind::Nps => (0..=10)
                .map(|v| Opt { value: v.to_string(), label: v.to_string(), checked: first == v.to_string() })
                .collect(),
            QuestionKind::PriorityPick => inv
                .areas
                .iter()
                .map(|a| Opt {
                    value: a.area_id.clone(),
                    label: i18n::area_name(lang, &a.name),
                    checked: values.contains(&a.area_id),
                })
                .collect(),
            _ => Vec::new(),
        };
        let view = QView {
            id: q.question_id.clone(),
            number: i + 1,
            kind: kind.as_str().to_string(),
            prompt: i18n::bank_prompt(lang, q.area_id.as_deref(), kind.as_str(), &q.prompt),
            required: q.required,
            options,
            value: first,
            error: problems
                .iter()
                .find(|p| p.question_id.as_deref() == Some(&q.question_id))
                .map(|p| i18n::message(lang, &p.message)),
        };
        match out.iter_mut().find(|s| s.title == title) {
            Some(s) => s.questions.push(view),
            None => out.push(Section { title, questions: vec![view] }),
        }
    }
    out
}

fn form_context(
    inv: &Invited,
    token: &str,
    given: &HashMap<String, Vec<String>>,
    problems: &[Problem],
    lang: &str,
) -> Context {
    let survey = &inv.survey.survey;
    let mut ctx = Context::new();
    ctx.insert("lang", lang);
    ctx.insert("title", &i18n::bank_text(lang, "bank-title", &survey.title));
    ctx.insert("description", &i18n::bank_text(lang, "bank-description", &survey.description));
    ctx.insert("token", token);
    ctx.insert("closes_on", &i18n::date(lang, inv.cycle.closes_on));
    ctx.insert("sections", &sections(inv, given, problems, lang));
    ctx
}

fn form_page(
    state: &AppState,
    token: &str,
    inv: &Invited,
    given: &HashMap<String, Vec<String>>,
    problems: &[Problem],
    lang: &str,
) -> HttpResponse {
    let mut ctx = form_context(inv, token, given, problems, lang);
    let views: Vec<ProblemView> = problems
        .iter()
        .map(|p| ProblemView {
            anchor: p.question_id.as_ref().map(|q| format!("q-{q}")).unwrap_or_else(|| "main".into()),
            message: match p
                .question_id
                .as_ref()
                .and_then(|q| inv.survey.questions.iter().position(|x| &x.question_id == q))
            {
                Some(n) => t_args(
                    lang,
                    "survey-problem-question",
                    &[("n", (n + 1).to_string()), ("message", i18n::message(lang, &p.message))],
                ),
                None => i18n::message(lang, &p.message),
            },
        })
        .collect();
    ctx.insert("problems", &views);
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    state.pages.page(status, "pages/survey.html", ctx)
}

fn already_answered(state: &AppState, lang: &str) -> HttpResponse {
    notice_in(state, lang, StatusCode::CONFLICT, "notice-answered-heading", &t(lang, "notice-answered"), None)
}

fn closed(state: &AppState, lang: &str) -> HttpResponse {
    notice_in(state, lang, StatusCode::GONE, "notice-closed-heading", &t(lang, "notice-closed"), None)
}

/// A notice page in `lang`: the heading's message id, the sentence and an
/// optional link (href, text).
pub(super) fn notice_in(
    state: &AppState,
    lang: &str,
    status: StatusCode,
    heading_key: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> HttpResponse {
    let mut ctx = Context::new();
    ctx.insert("lang", lang);
    ctx.insert("heading", &t(lang, heading_key));
    ctx.insert("message", message);
    ctx.insert("link_href", &link.map(|l| l.0));
    ctx.insert("link_text", &link.map(|l| l.1));
    state.pages.page(status, "pages/notice.html", ctx)
}

/// The page for a store error on a member's or respondent's page, by the one
/// mapping of [`PageError`]: "try again" only when the database really was
/// unavailable or busy (with `Retry-After`), never for something else.
/// In `lang`, but for the 404 page (whose reader may be anyone).
pub(super) fn store_failure(state: &AppState, e: StoreError, lang: &str) -> HttpResponse {
    let (status, heading, message) = match PageError::from(e) {
        PageError::Unavailable => {
            let (status, message) = (StatusCode::SERVICE_UNAVAILABLE, t(lang, "notice-unavailable"));
            let mut res = notice_in(state, lang, status, "notice-unavailable-heading", &message, None);
            res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, 5u32.into());
            return res;
        }
        PageError::NotFound(_) => return state.pages.not_found(),
        PageError::Conflict(m) => (StatusCode::CONFLICT, "notice-conflict-heading", i18n::message(lang, &m)),
        PageError::Invalid(f) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "notice-invalid-heading", i18n::message(lang, &f.message))
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "notice-broken-heading", t(lang, "notice-broken")),
    };
    notice_in(state, lang, status, heading, &message, None)
}

/// A [`SubmitError`] that is not one of the form's own answers: a store error.
fn submit_failure(state: &AppState, e: SubmitError, lang: &str) -> HttpResponse {
    match e {
        SubmitError::Store(e) => store_failure(state, e, lang),
        SubmitError::UnknownToken => state.pages.not_found(),
        SubmitError::AlreadyAnswered => already_answered(state, lang),
        SubmitError::Closed => closed(state, lang),
        SubmitError::Invalid(_) => {
            store_failure(state, StoreError::Broken("invalid answers on a page without a form".into()), lang)
        }
    }
}

/// The language of the member an invitation is for (`en`, `de`): theirs,
/// or the organisation's default (also when the lookup fails: the page
/// still shows, in the default).
async fn lang_of(state: &AppState, inv: &Invited) -> &'static str {
    let Some(member_id) = inv.invitation.member_id.as_deref() else { return state.config.default_lang };
    match crate::store::members::lang(&state.db, member_id).await {
        Ok(Some(l)) => l.as_str(),
        Ok(None) => state.config.default_lang,
        Err(e) => {
            tracing::warn!(error = %crate::error::chain(&e), "a member's language not read; the default it is");
            state.config.default_lang
        }
    }
}

async fn show_survey(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    match responses::find(&state.db, &state.forms, &token).await {
        Ok(inv) if inv.invitation.used => already_answered(&state, lang_of(&state, &inv).await),
        Ok(inv) if !inv.is_open(state.config.today()) => closed(&state, lang_of(&state, &inv).await),
        Ok(inv) => form_page(&state, &token, &inv, &HashMap::new(), &[], lang_of(&state, &inv).await),
        Err(SubmitError::UnknownToken) => state.pages.not_found(),
        Err(e) => submit_failure(&state, e, i18n::FALLBACK),
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
    // Until the invitation is found, whose language it is is unknown.
    let lang = i18n::FALLBACK;
    let encoded = req
        .headers()
        .get(actix_web::http::header::CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
    if encoded {
        // Browsers never compress a form; a compressed body is not read at all.
        let (status, message) = (StatusCode::UNSUPPORTED_MEDIA_TYPE, t(lang, "notice-compressed"));
        return notice_in(&state, lang, status, "notice-compressed-heading", &message, None);
    }
    let (body, too_large) = match read_form(payload).await {
        Ok(read) => read,
        Err(e) => {
            tracing::info!(error = %e, "survey form body could not be read");
            let message = t(lang, "notice-partial");
            return notice_in(&state, lang, StatusCode::BAD_REQUEST, "notice-partial-heading", &message, None);
        }
    };
    let inv = match responses::find(&state.db, &state.forms, &token).await {
        Ok(inv) => inv,
        Err(SubmitError::UnknownToken) => return state.pages.not_found(),
        Err(SubmitError::Store(StoreError::Unavailable(e))) => {
            tracing::warn!(error = %crate::error::chain(&e), "survey form not saved: database unavailable");
            return not_saved(&state, &token, &body, lang);
        }
        Err(e) => return submit_failure(&state, e, lang),
    };
    let lang = lang_of(&state, &inv).await;
    if inv.invitation.used {
        return already_answered(&state, lang);
    }
    if !inv.is_open(state.config.today()) {
        return closed(&state, lang);
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        let problem =
            Problem { field: "body".into(), question_id: None, message: "the form was not valid UTF-8 text".into() };
        return form_page(&state, &token, &inv, &HashMap::new(), &[problem], lang);
    };
    let mut given: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        if let Some(qid) = k.strip_prefix("q_") {
            given.entry(qid.to_string()).or_default().push(v.into_owned());
        }
    }
    let (answers, mut problems) = answers_from_form(&inv, &given);
    if too_large {
        let message = t_args(lang, "survey-too-large", &[("n", (FORM_LIMIT / 1024).to_string())]);
        let problem = Problem { field: "body".into(), question_id: None, message };
        let mut res = form_page(&state, &token, &inv, &given, &[problem], lang);
        res.head_mut().status = StatusCode::PAYLOAD_TOO_LARGE;
        return res;
    }
    if problems.is_empty() {
        match responses::submit(&state.submissions, &inv, &answers, state.config.today()).await {
            Ok(()) => {
                let to = if lang == i18n::FALLBACK { "/thanks".to_string() } else { format!("/thanks?lang={lang}") };
                return HttpResponse::SeeOther().insert_header(("Location", to)).finish();
            }
            Err(SubmitError::Invalid(p)) => problems = p,
            Err(SubmitError::AlreadyAnswered) => return already_answered(&state, lang),
            Err(SubmitError::Closed) => return closed(&state, lang),
            Err(SubmitError::UnknownToken) => return state.pages.not_found(),
            Err(SubmitError::Store(StoreError::Unavailable(e))) => {
                tracing::warn!(error = %crate::error::chain(&e), "survey form not saved: database unavailable");
                return unsaved_form(&state, &token, &inv, &given, lang);
            }
            Err(SubmitError::Store(e)) => return store_failure(&state, e, lang),
        }
    }
    form_page(&state, &token, &inv, &given, &problems, lang)
}

/// The database took no write: the form again, with every answer as given and
/// a 503 that says nothing was saved (never a 2xx for what was not committed).
fn unsaved_form(
    state: &AppState,
    token: &str,
    inv: &Invited,
    given: &HashMap<String, Vec<String>>,
    lang: &str,
) -> HttpResponse {
    let mut ctx = form_context(inv, token, given, &[], lang);
    ctx.insert("problems", &Vec::<ProblemView>::new());
    ctx.insert("unsaved", &t(lang, "survey-unsaved"));
    retry_later(state.pages.page(StatusCode::SERVICE_UNAVAILABLE, "pages/survey.html", ctx))
}

/// The database could not even say which survey the link belongs to: a page
/// that holds the form's fields as they came and sends them again.
fn not_saved(state: &AppState, token: &str, body: &[u8], lang: &str) -> HttpResponse {
    let fields: Vec<(String, String)> =
        form_urlencoded::parse(body).filter(|(k, _)| k.starts_with("q_")).map(|(k, v)| (k.into(), v.into())).collect();
    let mut ctx = Context::new();
    ctx.insert("lang", lang);
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
        Err(e) => store_failure(&state, e, i18n::FALLBACK),
    }
}

/// `?lang=de`: the thank-you page after a survey, in the respondent's language.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

async fn thanks(state: web::Data<AppState>, query: web::Query<LangQuery>) -> HttpResponse {
    let lang = query.lang.as_deref().and_then(i18n::parse_lang).unwrap_or(i18n::FALLBACK);
    notice_in(&state, lang, StatusCode::OK, "notice-thanks-heading", &t(lang, "notice-thanks"), None)
}
