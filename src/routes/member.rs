//! The member's own page, `/p/{member_token}`: open surveys, the friction
//! form (under a minute, sensible defaults), recent open reports to say
//! "me too" to, and the status of the reports they follow.

use super::pages::{notice_in, store_failure};
use crate::domain::FieldError;
use crate::entities::friction_report;
use crate::i18n::{self, t, t_args};
use crate::state::AppState;
use crate::store::friction::{self, Filter, NewReport, Order, RawReport, Reporter};
use crate::store::members::MemberView;
use crate::store::{self, PageParams, StoreError, invitations};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tera::Context;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/p", web::get().to(lost_link_page)).route("/p", web::post().to(lost_link)).service(
        web::scope("/p/{member_token}")
            .app_data(web::PayloadConfig::new(64 * 1024))
            .route("", web::get().to(page))
            .route("/results", web::get().to(super::member_results::results))
            .route("/team", web::get().to(super::member_results::team))
            .route("/friction", web::post().to(file))
            .route("/new-link", web::post().to(new_link))
            .route("/friction/{report_id}/me-too", web::post().to(me_too)),
    );
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    area: Option<String>,
    q: Option<String>,
    filed: Option<String>,
    voted: Option<String>,
    renewed: Option<String>,
}

/// The friction form as typed, with its errors.
#[derive(Debug, Serialize)]
struct FormView {
    area_id: String,
    title: String,
    trying_to: String,
    blocked_by: String,
    expected: String,
    minutes_lost: String,
    frequency: String,
    severity: String,
    follow_up: bool,
    errors: HashMap<String, String>,
}

impl Default for FormView {
    fn default() -> Self {
        FormView {
            area_id: String::new(),
            title: String::new(),
            trying_to: String::new(),
            blocked_by: String::new(),
            expected: String::new(),
            minutes_lost: "30".into(),
            frequency: "weekly".into(),
            severity: "2".into(),
            follow_up: false,
            errors: HashMap::new(),
        }
    }
}

impl FormView {
    fn from_form(fields: &HashMap<String, String>) -> Self {
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        FormView {
            area_id: get("area_id"),
            title: get("title"),
            trying_to: get("trying_to"),
            blocked_by: get("blocked_by"),
            expected: get("expected"),
            minutes_lost: get("minutes_lost"),
            frequency: get("frequency"),
            severity: get("severity"),
            follow_up: fields.get("follow_up").is_some_and(|v| v == "yes"),
            errors: HashMap::new(),
        }
    }

    /// The report, or every problem with the form's own wording for the
    /// fields a person picks or types as numbers.
    fn parse(&self) -> Result<NewReport, Vec<FieldError>> {
        let minutes = self.minutes_lost.trim().parse::<i64>().ok();
        let severity = self.severity.trim().parse::<i64>().ok();
        let raw = RawReport {
            area_id: &self.area_id,
            title: &self.title,
            trying_to: &self.trying_to,
            blocked_by: &self.blocked_by,
            expected: Some(&self.expected),
            minutes_lost: Some(minutes.unwrap_or(0)),
            frequency: Some(&self.frequency),
            severity: Some(severity.unwrap_or(0)),
            follow_up: self.follow_up,
        };
        NewReport::parse(&raw).map_err(|problems| {
            problems
                .into_iter()
                .map(|e| match e.field.as_str() {
                    "area_id" if self.area_id.trim().is_empty() => FieldError::new("area_id", "choose the area"),
                    "minutes_lost" if minutes.is_none() => {
                        FieldError::new("minutes_lost", "enter a whole number of minutes")
                    }
                    "severity" if severity.is_none() => FieldError::new("severity", "choose a severity"),
                    _ => e,
                })
                .collect()
        })
    }
}

#[derive(Serialize)]
struct TextField {
    name: &'static str,
    label: String,
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct SurveyLink {
    title: String,
    href: String,
    closes_on: String,
    answered: bool,
}

#[derive(Serialize)]
struct ReportView {
    report_id: String,
    title: String,
    area: String,
    status: String,
    me_too: i32,
    created_on: String,
    voted: bool,
    roadmap: Option<String>,
}

#[derive(Serialize)]
struct AreaOption {
    area_id: String,
    name: String,
}

async fn member(state: &AppState, token: &str) -> Result<Option<MemberView>, HttpResponse> {
    store::members::by_token(&state.db, token).await.map_err(|e| store_failure(state, e, i18n::FALLBACK))
}

/// The member's language (`en`, `de`), for their pages.
pub(super) fn member_lang(state: &AppState, m: &MemberView) -> &'static str {
    m.member.lang.map_or(state.config.default_lang, |l| l.as_str())
}

async fn render(
    state: &AppState,
    token: &str,
    m: &MemberView,
    query: &PageQuery,
    form: FormView,
    status: StatusCode,
) -> HttpResponse {
    match build(state, token, m, query, form).await {
        Ok(ctx) => state.pages.page(status, "pages/member.html", ctx),
        Err(e) => store_failure(state, e, member_lang(state, m)),
    }
}

async fn build(
    state: &AppState,
    token: &str,
    m: &MemberView,
    query: &PageQuery,
    mut form: FormView,
) -> Result<Context, StoreError> {
    let lang = member_lang(state, m);
    for message in form.errors.values_mut() {
        *message = i18n::message(lang, message);
    }
    let db = &state.db;
    let areas = store::areas::all(db).await?;
    let area_name: HashMap<String, String> =
        areas.iter().map(|a| (a.area_id.clone(), i18n::area_name(lang, &a.name))).collect();
    let open = store::members::open_invitations(db, &m.member.member_id, state.config.today()).await?;
    let surveys: Vec<SurveyLink> = open
        .into_iter()
        .map(|o| SurveyLink {
            title: i18n::bank_text(lang, "bank-title", &o.survey_title),
            href: format!("/s/{}", invitations::token_for(&state.invitation_key, &o.invitation_id)),
            closes_on: i18n::date(lang, o.closes_on),
            answered: o.used,
        })
        .collect();
    let area_filter = query.area.clone().filter(|a| area_name.contains_key(a));
    let filter = Filter { area_id: area_filter.clone(), q: query.q.clone(), open_only: true, ..Default::default() };
    let recent = friction::list(db, &filter, Order::Newest, &PageParams { limit: 20, after: None }).await?.items;
    let voted = friction::voted(db, &m.member.member_id, recent.iter().map(|r| r.report_id.clone()).collect()).await?;
    let followed = friction::followed_by(db, &m.member.member_id).await?;
    let roadmap_titles: HashMap<String, String> =
        store::roadmap::by_ids(db, followed.iter().filter_map(|r| r.roadmap_item_id.clone()).collect())
            .await?
            .into_iter()
            .map(|i| (i.item_id, format!("{} ({})", i.title, i18n::status(lang, i.status.as_str()))))
            .collect();
    let view = |r: &friction_report::Model| ReportView {
        report_id: r.report_id.clone(),
        title: r.title.clone(),
        area: area_name.get(&r.area_id).cloned().unwrap_or_else(|| r.area_id.clone()),
        status: i18n::status(lang, r.status.as_str()),
        me_too: r.me_too,
        created_on: i18n::short_date(lang, r.created_on),
        voted: voted.contains(&r.report_id),
        roadmap: r.roadmap_item_id.as_ref().and_then(|i| roadmap_titles.get(i).cloned()),
    };
    let mut ctx = Context::new();
    ctx.insert("lang", lang);
    ctx.insert("token", token);
    ctx.insert("lead", &m.member.lead);
    ctx.insert("team_name", &m.team_name);
    ctx.insert("surveys", &surveys);
    ctx.insert(
        "areas",
        &areas
            .iter()
            .map(|a| AreaOption { area_id: a.area_id.clone(), name: i18n::area_name(lang, &a.name) })
            .collect::<Vec<_>>(),
    );
    // Labels from `locales/`: `frequency-daily`, `severity-1`, `friction-field-title`, …
    let frequencies: Vec<(&str, String)> = ["daily", "weekly", "monthly", "one_off"]
        .into_iter()
        .map(|f| (f, t(lang, &format!("frequency-{f}"))))
        .collect();
    ctx.insert("frequencies", &frequencies);
    let severities: Vec<(&str, String)> =
        ["1", "2", "3", "4"].into_iter().map(|s| (s, t(lang, &format!("severity-{s}")))).collect();
    ctx.insert("severities", &severities);
    let text_fields: Vec<TextField> = [
        ("title", &form.title),
        ("trying_to", &form.trying_to),
        ("blocked_by", &form.blocked_by),
        ("expected", &form.expected),
    ]
    .into_iter()
    .map(|(name, value)| TextField {
        name,
        label: t(lang, &format!("friction-field-{name}")),
        value: value.clone(),
        error: form.errors.get(name).cloned(),
    })
    .collect();
    ctx.insert("text_fields", &text_fields);
    ctx.insert("form", &form);
    ctx.insert("recent", &recent.iter().map(view).collect::<Vec<_>>());
    ctx.insert("followed", &followed.iter().map(view).collect::<Vec<_>>());
    ctx.insert("area_filter", &area_filter.unwrap_or_default());
    ctx.insert("q", &query.q.clone().unwrap_or_default());
    ctx.insert("filed", &query.filed.is_some());
    ctx.insert("voted_notice", &query.voted.clone().unwrap_or_default());
    ctx.insert("renewed", &query.renewed.is_some());
    Ok(ctx)
}

async fn page(state: web::Data<AppState>, token: web::Path<String>, query: web::Query<PageQuery>) -> HttpResponse {
    match member(&state, &token).await {
        Ok(Some(m)) => render(&state, &token, &m, &query, FormView::default(), StatusCode::OK).await,
        Ok(None) => state.pages.not_found(),
        Err(res) => res,
    }
}

fn form_fields(body: &[u8]) -> Option<HashMap<String, String>> {
    let text = std::str::from_utf8(body).ok()?;
    Some(form_urlencoded::parse(text.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}

async fn file(state: web::Data<AppState>, token: web::Path<String>, body: web::Bytes) -> HttpResponse {
    let m = match member(&state, &token).await {
        Ok(Some(m)) => m,
        Ok(None) => return state.pages.not_found(),
        Err(res) => return res,
    };
    let mut form = match form_fields(&body) {
        Some(fields) => FormView::from_form(&fields),
        None => {
            let mut f = FormView::default();
            f.errors.insert("title".into(), "the form was not valid UTF-8 text".into());
            return render(&state, &token, &m, &PageQuery::default(), f, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let new = match form.parse() {
        Ok(new) => new,
        Err(errors) => {
            form.errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            return render(&state, &token, &m, &PageQuery::default(), form, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let limit = super::friction::limit(&state);
    match friction::file(
        &state.db,
        &state.write_gate,
        &Reporter::Member(m.member.clone()),
        new,
        state.config.today(),
        &limit,
    )
    .await
    {
        Err(StoreError::Limited(secs)) => {
            let lang = member_lang(&state, &m);
            let message = t_args(lang, "notice-limited", &[("minutes", secs.div_ceil(60).to_string())]);
            let (href, back) = (format!("/p/{}", token.as_str()), t(lang, "notice-back-to-page"));
            let status = StatusCode::TOO_MANY_REQUESTS;
            notice_in(&state, lang, status, "notice-limited-heading", &message, Some((&href, &back)))
        }
        Ok(_) => HttpResponse::SeeOther()
            .insert_header(("Location", format!("/p/{}?filed=1#friction", token.as_str())))
            .finish(),
        Err(StoreError::Invalid(e)) => {
            form.errors.insert(e.field, e.message);
            render(&state, &token, &m, &PageQuery::default(), form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => store_failure(&state, e, member_lang(&state, &m)),
    }
}

async fn me_too(state: web::Data<AppState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (token, report_id) = path.into_inner();
    let m = match member(&state, &token).await {
        Ok(Some(m)) => m,
        Ok(None) => return state.pages.not_found(),
        Err(res) => return res,
    };
    let notice = match friction::me_too(&state.db, &state.write_gate, &m.member, &report_id).await {
        Ok(_) => "added",
        Err(StoreError::Conflict(_)) => "already",
        Err(StoreError::NotFound(_)) => return state.pages.not_found(),
        Err(e) => return store_failure(&state, e, member_lang(&state, &m)),
    };
    HttpResponse::SeeOther().insert_header(("Location", format!("/p/{token}?voted={notice}#recent"))).finish()
}

/// A new personal link: the old one stops working (e.g. it was forwarded by
/// mistake); the new one is emailed and the page moves to it.
async fn new_link(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let m = match member(&state, &token).await {
        Ok(Some(m)) => m,
        Ok(None) => return state.pages.not_found(),
        Err(res) => return res,
    };
    match store::members::renew_link(&state.db, &state.emails, &m.member).await {
        Ok(new) => HttpResponse::SeeOther().insert_header(("Location", format!("/p/{new}?renewed=1"))).finish(),
        Err(StoreError::Conflict(_)) => state.pages.not_found(),
        Err(e) => store_failure(&state, e, member_lang(&state, &m)),
    }
}

/// `/p`: "email me my link". The same answer whatever the email, throttled
/// like sign-in (per submitted email and per address, shared by instances).
async fn lost_link_page(state: web::Data<AppState>) -> HttpResponse {
    state.pages.page(StatusCode::OK, "pages/lost_link.html", tera::Context::new())
}

#[derive(Debug, Deserialize)]
pub struct LostLinkForm {
    #[serde(default)]
    email: String,
}

async fn lost_link(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    form: web::Form<LostLinkForm>,
) -> HttpResponse {
    use crate::store::throttle;
    let email = form.email.trim().to_lowercase();
    let window = chrono::Duration::from_std(state.config.signin_window).unwrap_or(chrono::Duration::minutes(15));
    let now = chrono::Utc::now();
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let keys = [
        (throttle::key(&state.secret_key, &format!("link:email:{email}")), throttle::PER_EMAIL),
        (throttle::key(&state.secret_key, &format!("link:address:{address}")), throttle::PER_ADDRESS),
    ];
    // Every request counts, before anything is sent, so the answer (and its
    // timing) says nothing and a burst sent at once is limited like one by one.
    let mut wait = None;
    for (key, limit) in &keys {
        match throttle::attempt(&state.db, key, *limit, window, now).await {
            Ok(w) => wait = wait.max(w),
            Err(e) => return store_failure(&state, e, i18n::FALLBACK),
        }
    }
    if let Some(secs) = wait {
        let mut res = state.pages.notice(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            &format!("Please try again in {} minutes.", secs.div_ceil(60)),
            Some(("/p", "Back")),
        );
        res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, secs.into());
        return res;
    }
    if crate::domain::Email::parse("email", &email).is_ok() {
        match store::members::resend_link(&state.db, &state.emails, "member", &email).await {
            Ok(()) | Err(StoreError::NotFound(_)) => {}
            Err(e) => return store_failure(&state, e, i18n::FALLBACK),
        }
    }
    let mut ctx = tera::Context::new();
    ctx.insert("sent", &true);
    state.pages.page(StatusCode::OK, "pages/lost_link.html", ctx)
}
