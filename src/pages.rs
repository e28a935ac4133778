//! Server-rendered pages. Templates live in `templates/` (a base layout with
//! blocks, partials for repeated pieces) and are compiled into the binary.
//! Every page works without JavaScript; HTML is escaped by default.

use actix_web::{HttpResponse, http::StatusCode};
use std::sync::LazyLock;
use tera::{Context, Tera};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("partials/error_summary.html", include_str!("../templates/partials/error_summary.html")),
    ("partials/question.html", include_str!("../templates/partials/question.html")),
    ("pages/survey.html", include_str!("../templates/pages/survey.html")),
    ("pages/not_saved.html", include_str!("../templates/pages/not_saved.html")),
    ("pages/notice.html", include_str!("../templates/pages/notice.html")),
    ("pages/member.html", include_str!("../templates/pages/member.html")),
    ("pages/member_results.html", include_str!("../templates/pages/member_results.html")),
    ("pages/member_team.html", include_str!("../templates/pages/member_team.html")),
    ("pages/home.html", include_str!("../templates/pages/home.html")),
    ("pages/lost_link.html", include_str!("../templates/pages/lost_link.html")),
    ("pages/refused.html", include_str!("../templates/pages/refused.html")),
    ("console/layout.html", include_str!("../templates/console/layout.html")),
    ("console/login.html", include_str!("../templates/console/login.html")),
    ("console/overview.html", include_str!("../templates/console/overview.html")),
    ("console/friction.html", include_str!("../templates/console/friction.html")),
    ("console/friction_report.html", include_str!("../templates/console/friction_report.html")),
    ("console/roadmap.html", include_str!("../templates/console/roadmap.html")),
    ("console/surveys.html", include_str!("../templates/console/surveys.html")),
    ("console/teams.html", include_str!("../templates/console/teams.html")),
    ("console/team.html", include_str!("../templates/console/team.html")),
    ("console/settings.html", include_str!("../templates/console/settings.html")),
    ("console/empty.html", include_str!("../templates/console/empty.html")),
    ("console/cycle_nav.html", include_str!("../templates/console/cycle_nav.html")),
    ("console/results.html", include_str!("../templates/console/results.html")),
    ("console/area.html", include_str!("../templates/console/area.html")),
    ("console/priorities.html", include_str!("../templates/console/priorities.html")),
    ("console/comments.html", include_str!("../templates/console/comments.html")),
    ("console/webhooks.html", include_str!("../templates/console/webhooks.html")),
];

/// The input limits the forms show (`maxlength`, `max`), from the constants
/// the store checks, so a page never promises another limit than the server's.
#[derive(serde::Serialize)]
struct Limits {
    title: usize,
    text: usize,
    minutes: i32,
    comment: usize,
    hours: f64,
}

const LIMITS: Limits = Limits {
    title: crate::store::friction::TITLE_LIMIT,
    text: crate::store::friction::TEXT_LIMIT,
    minutes: crate::store::friction::MAX_MINUTES,
    comment: crate::store::responses::TEXT_LIMIT,
    hours: crate::store::responses::MAX_HOURS,
};

/// Every template, compiled once per process (they are embedded in the binary).
static TERA: LazyLock<Result<Tera, String>> = LazyLock::new(|| {
    let mut tera = Tera::default();
    crate::i18n::register(&mut tera);
    tera.add_raw_templates(TEMPLATES.iter().copied()).map_err(|e| crate::error::chain(&e))?;
    tera.autoescape_on(vec![".html"]);
    Ok(tera)
});

/// Renders `name` into an HTML response with `status` (`k` for the footer,
/// when known). Every page, the error pages included, goes through here.
/// A page whose context has no `lang` is in English (the console, and the
/// pages of someone unknown).
pub fn render(status: StatusCode, name: &str, mut ctx: Context, k: Option<u32>) -> HttpResponse {
    if !ctx.contains_key("lang") {
        ctx.insert("lang", crate::i18n::FALLBACK);
    }
    ctx.insert("k", &k);
    ctx.insert("stylesheet", &crate::assets::STYLESHEET.href());
    ctx.insert("limits", &LIMITS);
    let html = match &*TERA {
        Ok(tera) => tera.render(name, &ctx).map_err(|e| crate::error::chain(&e)),
        Err(e) => Err(e.clone()),
    };
    match html {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(html),
        Err(e) => {
            tracing::error!(template = name, error = %e, "page did not render");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong on our side.")
        }
    }
}

/// A page with a heading, a sentence and an optional link.
pub fn notice(
    status: StatusCode,
    heading: &str,
    message: &str,
    link: Option<(&str, &str)>,
    k: Option<u32>,
) -> HttpResponse {
    let mut ctx = Context::new();
    ctx.insert("heading", heading);
    ctx.insert("message", message);
    ctx.insert("link_href", &link.map(|l| l.0));
    ctx.insert("link_text", &link.map(|l| l.1));
    render(status, "pages/notice.html", ctx, k)
}

/// Renders pages with the service's k.
pub struct Pages {
    k: u32,
}

impl Pages {
    /// Fails when a template does not compile (checked once, at start).
    pub fn new(k: u32) -> Result<Self, tera::Error> {
        TERA.as_ref().map_err(|e| tera::Error::msg(e.clone()))?;
        Ok(Pages { k })
    }

    /// Renders `name` into an HTML response with `status`.
    pub fn page(&self, status: StatusCode, name: &str, ctx: Context) -> HttpResponse {
        render(status, name, ctx, Some(self.k))
    }

    /// A page with a heading, a sentence and an optional link.
    pub fn notice(&self, status: StatusCode, heading: &str, message: &str, link: Option<(&str, &str)>) -> HttpResponse {
        notice(status, heading, message, link, Some(self.k))
    }

    /// The plain 404 page.
    pub fn not_found(&self) -> HttpResponse {
        self.notice(
            StatusCode::NOT_FOUND,
            "Page not found",
            "This link does not lead anywhere. If it came in an email, check that it was copied whole.",
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(name: &str, lang: &str) -> String {
        let tera = TERA.as_ref().expect("the templates compile");
        let mut ctx = Context::new();
        ctx.insert("lang", lang);
        ctx.insert("k", &Some(5u32));
        ctx.insert("stylesheet", "/static/devpulse.css");
        ctx.insert("limits", &LIMITS);
        tera.render(name, &ctx).expect("the page renders")
    }

    #[test]
    fn pages_render_in_english_and_german() {
        let en = page("pages/lost_link.html", "en");
        assert!(en.contains("<html lang=\"en\">") && en.contains("Get your personal link"), "{en}");
        assert!(en.contains("no result is shown for a group of fewer than 5 people"), "{en}");
        let de = page("pages/lost_link.html", "de");
        assert!(de.contains("<html lang=\"de\">") && de.contains("Persönlichen Link anfordern"), "{de}");
        assert!(!de.contains("Get your personal link") && !de.contains("Unknown localization"), "{de}");
    }
}
