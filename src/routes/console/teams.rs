//! `/admin/teams`: teams and groups, a team's members (add, lead,
//! deactivate, resend their link), and the CSV import with its preview.

use super::session::Signed;
use crate::domain::{Email, TeamKind};
use crate::error::PageError;
use crate::state::AppState;
use crate::store::teams::{self, MemberChange, NewTeam};
use crate::store::{self, PageParams, import};
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::{Deserialize, Serialize};
use tera::Context;

#[derive(Serialize)]
struct TeamView {
    slug: String,
    name: String,
    group: String,
    kind: String,
    members: i64,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct TeamForm {
    csrf: Option<String>,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    group_name: String,
    #[serde(default)]
    kind: String,
}

async fn list_page(
    state: &AppState,
    signed: &Signed,
    extra: Context,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let rows = teams::list(&state.db, &PageParams { limit: 200, after: None }).await?.items;
    let views: Vec<TeamView> = rows
        .into_iter()
        .map(|r| TeamView {
            slug: r.team.slug,
            name: r.team.name,
            group: r.team.group_name.unwrap_or_default(),
            kind: r.team.kind.human(),
            members: r.members,
        })
        .collect();
    let mut ctx = super::context(signed, "/admin/teams");
    ctx.extend(extra);
    ctx.insert("teams", &views);
    ctx.insert("kinds", &TeamKind::ALL.iter().map(|k| (k.as_str(), k.human())).collect::<Vec<_>>());
    ctx.insert("max_kib", &(import::MAX_BYTES / 1024));
    Ok(state.pages.page(status, "console/teams.html", ctx))
}

pub async fn page(state: web::Data<AppState>, signed: Signed) -> Result<HttpResponse, PageError> {
    list_page(&state, &signed, Context::new(), StatusCode::OK).await
}

pub async fn create(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<TeamForm>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let f = form.into_inner();
    let made = match NewTeam::parse(&f.slug, &f.name, Some(&f.group_name), Some(&f.kind)) {
        Ok(new) => teams::create(&state.db, &signed.actor(), new).await.map_err(PageError::from),
        Err(e) => Err(e.into()),
    };
    let problem = match made {
        Ok(t) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header(("Location", format!("/admin/teams/{}", t.slug)))
                .finish());
        }
        Err(PageError::Invalid(e)) => format!("{}: {}", e.field, e.message),
        Err(PageError::Conflict(m)) => m,
        Err(e) => return Err(e),
    };
    let mut ctx = Context::new();
    ctx.insert("problem", &problem);
    ctx.insert("form", &f);
    list_page(&state, &signed, ctx, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Debug, Deserialize)]
pub struct ImportForm {
    csrf: Option<String>,
    #[serde(default)]
    csv: String,
    /// `preview` or `import`.
    #[serde(default)]
    action: String,
}

/// The preview lists every line; the import writes all of them or none.
pub async fn import(
    state: web::Data<AppState>,
    signed: Signed,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let mut ctx = Context::new();
    ctx.insert("csv", &form.csv);
    if form.action == "import" {
        match import::import(&state.db, &state.emails, &signed.actor(), &form.csv).await {
            Ok(n) => {
                return Ok(HttpResponse::SeeOther()
                    .insert_header(("Location", format!("/admin/teams?imported={n}")))
                    .finish());
            }
            Err(store::StoreError::Invalid(e)) => ctx.insert("import_problem", &e.message),
            Err(e) => return Err(e.into()),
        }
    }
    match import::preview(&state.db, &form.csv).await {
        Ok((rows, problems)) => {
            ctx.insert("preview", &rows);
            ctx.insert("problems", &problems);
        }
        Err(store::StoreError::Invalid(e)) => ctx.insert("import_problem", &format!("{}: {}", e.field, e.message)),
        Err(e) => return Err(e.into()),
    }
    list_page(&state, &signed, ctx, StatusCode::OK).await
}

#[derive(Serialize)]
struct MemberView {
    email: String,
    active: bool,
    lead: bool,
    /// `en`, `de`, or blank for the default.
    lang: &'static str,
}

/// The languages a member may read devpulse in: (code, name).
fn langs() -> Vec<(&'static str, &'static str)> {
    crate::domain::Lang::ALL.iter().map(|l| (l.as_str(), l.name())).collect()
}

pub async fn team(
    state: web::Data<AppState>,
    signed: Signed,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    team_page(&state, &signed, &slug, None, StatusCode::OK).await
}

async fn team_page(
    state: &AppState,
    signed: &Signed,
    slug: &str,
    problem: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let row = teams::get(&state.db, slug).await?;
    let members = teams::members(&state.db, slug, &PageParams { limit: 10_000, after: None }).await?.items;
    let mut ctx = super::context(signed, "/admin/teams");
    ctx.insert(
        "team",
        &TeamView {
            slug: row.team.slug.clone(),
            name: row.team.name.clone(),
            group: row.team.group_name.clone().unwrap_or_default(),
            kind: row.team.kind.human(),
            members: row.members,
        },
    );
    ctx.insert(
        "members",
        &members
            .into_iter()
            .map(|m| MemberView {
                email: m.email,
                active: m.active,
                lead: m.lead,
                lang: m.lang.map_or("", |l| l.as_str()),
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("problem", &problem);
    ctx.insert("langs", &langs());
    ctx.insert("default_lang", state.config.default_lang);
    Ok(state.pages.page(status, "console/team.html", ctx))
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    csrf: Option<String>,
    #[serde(default)]
    email: String,
    /// `add`, `add_lead`, `lead`, `unlead`, `deactivate`, `reactivate`, `resend`, `lang`.
    #[serde(default)]
    action: String,
    /// With `add`, `add_lead` and `lang`: `en`, `de`, or blank for the default.
    #[serde(default)]
    lang: String,
}

pub async fn member(
    state: web::Data<AppState>,
    signed: Signed,
    slug: web::Path<String>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, PageError> {
    signed.check_form(form.csrf.as_deref())?;
    let done = member_action(&state, &signed, &slug, &form).await;
    match done {
        Ok(()) => Ok(HttpResponse::SeeOther().insert_header(("Location", format!("/admin/teams/{slug}"))).finish()),
        Err(PageError::Invalid(e)) => {
            team_page(
                &state,
                &signed,
                &slug,
                Some(&format!("{}: {}", e.field, e.message)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(PageError::Conflict(m)) => team_page(&state, &signed, &slug, Some(&m), StatusCode::CONFLICT).await,
        Err(e) => Err(e),
    }
}

async fn member_action(state: &AppState, signed: &Signed, slug: &str, form: &MemberForm) -> Result<(), PageError> {
    let email = Email::parse("email", &form.email)?;
    let actor = signed.actor();
    let change = |lead: Option<bool>, active: Option<bool>| MemberChange { lead, active, lang: None };
    let lang = match form.lang.trim() {
        "" => None,
        l => Some(crate::domain::Lang::parse("lang", l)?),
    };
    match form.action.as_str() {
        "add" | "add_lead" => {
            let joining = teams::Joining { lead: form.action == "add_lead", lang };
            teams::add_member(&state.db, &state.emails, &actor, slug, &email, joining).await?;
        }
        "lang" => {
            let change = MemberChange { lang: Some(lang), ..Default::default() };
            drop(teams::update_member(&state.db, &actor, slug, &email, change).await?)
        }
        "lead" => drop(teams::update_member(&state.db, &actor, slug, &email, change(Some(true), None)).await?),
        "unlead" => drop(teams::update_member(&state.db, &actor, slug, &email, change(Some(false), None)).await?),
        "deactivate" => drop(teams::update_member(&state.db, &actor, slug, &email, change(None, Some(false))).await?),
        "reactivate" => drop(teams::update_member(&state.db, &actor, slug, &email, change(None, Some(true))).await?),
        "resend" => store::members::resend_link(&state.db, &state.emails, &actor, email.as_str()).await?,
        other => {
            return Err(PageError::Invalid(crate::domain::FieldError::new(
                "action",
                format!("unknown action {other:?}"),
            )));
        }
    }
    Ok(())
}
