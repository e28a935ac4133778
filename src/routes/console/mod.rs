//! The platform team's web console under `/admin` (console.md): sign-in,
//! an overview, and the pages that do what the API does. Every page takes a
//! [`session::Signed`] admin; every form carries the session's token.

mod area;
mod auth;
mod comments;
mod friction;
mod overview;
mod priorities;
mod results;
mod roadmap;
pub mod session;
mod settings;
mod sso;
mod surveys;
mod teams;
mod webhooks;

use crate::error::PageError;
use crate::routes::figures;
use crate::state::AppState;
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;
use session::Signed;
use tera::Context;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .app_data(web::FormConfig::default().limit(64 * 1024).error_handler(crate::error::form_error))
            .route("/login", web::get().to(auth::show))
            .route("/login", web::post().to(auth::submit))
            .route("/logout", web::post().to(auth::logout))
            .route("/sso/start", web::get().to(sso::start))
            .route("/sso/callback", web::get().to(sso::callback))
            .route("", web::get().to(overview::page))
            .route("/friction", web::get().to(friction::inbox))
            .route("/friction/bulk", web::post().to(friction::bulk))
            .route("/friction/{id}", web::get().to(friction::report))
            .route("/friction/{id}", web::post().to(friction::change))
            .route("/roadmap", web::get().to(roadmap::page))
            .route("/roadmap", web::post().to(roadmap::create))
            .route("/roadmap/{id}", web::post().to(roadmap::update))
            .route("/surveys", web::get().to(surveys::page))
            .route("/surveys", web::post().to(surveys::create))
            .route("/surveys/{id}/cycles", web::post().to(surveys::schedule))
            .route("/cycles/{id}/close", web::post().to(surveys::close))
            .route("/results", web::get().to(latest_results))
            .route("/cycles/{id}/results", web::get().to(results::page))
            .route("/cycles/{id}/areas/{area_id}", web::get().to(area::page))
            .route("/cycles/{id}/priorities", web::get().to(priorities::page))
            .route("/cycles/{id}/priorities/download", web::get().to(priorities::download))
            .route("/cycles/{id}/comments", web::get().to(comments::page))
            .route("/cycles/{id}/comments/{comment_id}", web::post().to(comments::set_hidden))
            .service(
                web::resource("/teams/import")
                    .app_data(
                        web::FormConfig::default()
                            .limit(crate::store::import::MAX_BYTES + 4096)
                            .error_handler(crate::error::form_error),
                    )
                    .route(web::post().to(teams::import)),
            )
            .route("/teams", web::get().to(teams::page))
            .route("/teams", web::post().to(teams::create))
            .route("/teams/{slug}", web::get().to(teams::team))
            .route("/teams/{slug}/members", web::post().to(teams::member))
            .route("/settings", web::get().to(settings::page))
            .route("/settings/tokens", web::post().to(settings::create_token))
            .route("/settings/tokens/{id}/revoke", web::post().to(settings::revoke_token))
            .route("/settings/admins", web::post().to(settings::add_admin))
            .route("/settings/admins/remove", web::post().to(settings::remove_admin))
            .route("/settings/password", web::post().to(settings::change_password))
            .route("/webhooks", web::get().to(webhooks::page))
            .route("/webhooks", web::post().to(webhooks::create))
            .route("/webhooks/{id}/rotate", web::post().to(webhooks::rotate))
            .route("/webhooks/{id}/delete", web::post().to(webhooks::delete)),
    );
}

#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
    current: bool,
}

/// The console's pages, in the order of the navigation.
const PAGES: [(&str, &str); 8] = [
    ("/admin", "Overview"),
    ("/admin/results", "Results"),
    ("/admin/surveys", "Surveys"),
    ("/admin/friction", "Friction"),
    ("/admin/roadmap", "Roadmap"),
    ("/admin/teams", "Teams"),
    ("/admin/webhooks", "Webhooks"),
    ("/admin/settings", "Settings"),
];

/// Hours lost per week for people: one decimal, and "under 0.1" rather than
/// a misleading "0.0" for a small but real cost.
fn hours(h: f64) -> String {
    if h > 0.0 && h < 0.05 { "under 0.1".to_string() } else { format!("{h:.1}") }
}

/// What every console page's layout needs: the navigation (with `current`
/// marked), the admin's email and the form token.
fn context(signed: &Signed, current: &str) -> Context {
    let mut ctx = Context::new();
    let nav: Vec<NavItem> =
        PAGES.iter().map(|(href, label)| NavItem { href, label, current: *href == current }).collect();
    ctx.insert("nav", &nav);
    ctx.insert("admin_email", &signed.session.admin.email);
    ctx.insert("csrf", &signed.session.csrf_token);
    ctx
}

/// A closed cycle as the results pages head it.
#[derive(Serialize)]
struct CycleView {
    cycle_id: String,
    title: String,
    opens_on: String,
    closes_on: String,
}

async fn cycle_view(state: &AppState, c: &analysis::CycleInfo) -> Result<CycleView, PageError> {
    let survey = crate::store::surveys::get(&state.db, &c.survey_id).await?;
    Ok(CycleView {
        cycle_id: c.cycle_id.clone(),
        title: survey.survey.title,
        opens_on: figures::date(&c.opens_on),
        closes_on: figures::date(&c.closes_on),
    })
}

/// `/admin/results`: the results of the latest closed cycle.
async fn latest_results(state: web::Data<AppState>, signed: Signed) -> Result<HttpResponse, PageError> {
    match crate::store::participation::latest_closed(&state.db).await? {
        Some(id) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/admin/cycles/{}/results", results::url_encode(&id))))
            .finish()),
        None => {
            let mut ctx = context(&signed, "/admin/results");
            ctx.insert("heading", "No results yet");
            ctx.insert(
                "message",
                "Results appear here once a survey cycle has closed. Schedule one from the surveys page.",
            );
            Ok(state.pages.page(StatusCode::OK, "console/empty.html", ctx))
        }
    }
}
