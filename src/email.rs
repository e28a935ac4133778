//! Email rendering. Each email has a folder under `templates/emails/` with
//! `subject.txt`, `body.txt` and `body.html`; the templates are compiled into
//! the binary so it runs from any directory. Rendered emails go to the outbox
//! (`store::outbox`), never straight to SMTP.

use serde::Serialize;
use tera::{Context, Tera};

/// The templates, embedded at build time: (name, source).
const TEMPLATES: &[(&str, &str)] = &[
    ("emails/layout.html", include_str!("../templates/emails/layout.html")),
    ("emails/welcome/subject.txt", include_str!("../templates/emails/welcome/subject.txt")),
    ("emails/welcome/body.txt", include_str!("../templates/emails/welcome/body.txt")),
    ("emails/welcome/body.html", include_str!("../templates/emails/welcome/body.html")),
    ("emails/your_link/subject.txt", include_str!("../templates/emails/your_link/subject.txt")),
    ("emails/your_link/body.txt", include_str!("../templates/emails/your_link/body.txt")),
    ("emails/your_link/body.html", include_str!("../templates/emails/your_link/body.html")),
    ("emails/new_link/subject.txt", include_str!("../templates/emails/new_link/subject.txt")),
    ("emails/new_link/body.txt", include_str!("../templates/emails/new_link/body.txt")),
    ("emails/new_link/body.html", include_str!("../templates/emails/new_link/body.html")),
    ("emails/invitation/subject.txt", include_str!("../templates/emails/invitation/subject.txt")),
    ("emails/invitation/body.txt", include_str!("../templates/emails/invitation/body.txt")),
    ("emails/invitation/body.html", include_str!("../templates/emails/invitation/body.html")),
    ("emails/reminder/subject.txt", include_str!("../templates/emails/reminder/subject.txt")),
    ("emails/reminder/body.txt", include_str!("../templates/emails/reminder/body.txt")),
    ("emails/reminder/body.html", include_str!("../templates/emails/reminder/body.html")),
    ("emails/friction_followup/subject.txt", include_str!("../templates/emails/friction_followup/subject.txt")),
    ("emails/friction_followup/body.txt", include_str!("../templates/emails/friction_followup/body.txt")),
    ("emails/friction_followup/body.html", include_str!("../templates/emails/friction_followup/body.html")),
    ("emails/results/subject.txt", include_str!("../templates/emails/results/subject.txt")),
    ("emails/results/body.txt", include_str!("../templates/emails/results/body.txt")),
    ("emails/results/body.html", include_str!("../templates/emails/results/body.html")),
];

/// One email, rendered: the subject line and both bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders the emails of devpulse, with links built from the base URL.
pub struct Emails {
    tera: Tera,
    base_url: String,
    message_domain: String,
    k: u32,
    /// Derives members' personal tokens for their links (see `store::invitations`).
    link_key: String,
    /// For members without a language.
    default_lang: &'static str,
}

impl Emails {
    pub fn new(base_url: &str, mail_from: &str, k: u32, link_key: &str) -> Result<Self, tera::Error> {
        let mut tera = Tera::default();
        crate::i18n::register(&mut tera);
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        // Text parts must not be HTML-escaped; HTML parts are.
        tera.autoescape_on(vec![".html"]);
        Ok(Emails {
            tera,
            base_url: base_url.trim_end_matches('/').to_string(),
            message_domain: message_domain(mail_from),
            k,
            link_key: link_key.to_string(),
            default_lang: crate::i18n::FALLBACK,
        })
    }

    /// Members without a language get `lang` (`DEVPULSE_DEFAULT_LANG`).
    pub fn with_default_lang(mut self, lang: &'static str) -> Self {
        self.default_lang = lang;
        self
    }

    /// The language of `m`'s emails: theirs, or the organisation's default.
    pub fn lang_of(&self, m: &crate::entities::member::Model) -> &'static str {
        m.lang.map_or(self.default_lang, |l| l.as_str())
    }

    /// The key personal tokens are derived with.
    pub fn link_key(&self) -> &str {
        &self.link_key
    }

    /// The personal token of `m`, for the links in their emails.
    pub fn member_token(&self, m: &crate::entities::member::Model) -> String {
        crate::store::members::token_of(&self.link_key, m)
    }

    /// The domain used on the right of Message-IDs.
    pub fn message_domain(&self) -> &str {
        &self.message_domain
    }

    /// An absolute link into devpulse.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    fn render(&self, name: &str, mut ctx: Context) -> Result<RenderedEmail, tera::Error> {
        if !ctx.contains_key("lang") {
            ctx.insert("lang", crate::i18n::FALLBACK);
        }
        ctx.insert("k", &self.k);
        let subject = self.tera.render(&format!("emails/{name}/subject.txt"), &ctx)?;
        Ok(RenderedEmail {
            subject: subject.lines().next().unwrap_or_default().trim().to_string(),
            text: self.tera.render(&format!("emails/{name}/body.txt"), &ctx)?,
            html: self.tera.render(&format!("emails/{name}/body.html"), &ctx)?,
        })
    }

    /// The welcome email a new member gets, with their personal page link,
    /// in their language `lang`.
    pub fn welcome(&self, team_name: &str, member_token: &str, lang: &str) -> Result<RenderedEmail, tera::Error> {
        let mut ctx = Context::new();
        ctx.insert("lang", crate::i18n::parse_lang(lang).unwrap_or(crate::i18n::FALLBACK));
        ctx.insert("team_name", team_name);
        ctx.insert("page_url", &self.link(&format!("/p/{member_token}")));
        self.render("welcome", ctx)
    }

    /// A member's personal link, sent again (they lost it), in their language.
    pub fn your_link(&self, member_token: &str, lang: &str) -> Result<RenderedEmail, tera::Error> {
        let mut ctx = Context::new();
        ctx.insert("lang", crate::i18n::parse_lang(lang).unwrap_or(crate::i18n::FALLBACK));
        ctx.insert("page_url", &self.link(&format!("/p/{member_token}")));
        self.render("your_link", ctx)
    }

    /// The email holding a member's new personal link, after they asked for
    /// one, in their language.
    pub fn new_link(&self, member_token: &str, lang: &str) -> Result<RenderedEmail, tera::Error> {
        let mut ctx = Context::new();
        ctx.insert("lang", crate::i18n::parse_lang(lang).unwrap_or(crate::i18n::FALLBACK));
        ctx.insert("page_url", &self.link(&format!("/p/{member_token}")));
        self.render("new_link", ctx)
    }

    /// A member's links: their page (`page_url`), what came of the last
    /// survey (`results_url`) and, for a team lead, their team's view
    /// (`team_url`, absent for others), and their language (`lang`).
    fn member_links(&self, ctx: &mut Context, member: &MemberLink<'_>) {
        ctx.insert("lang", crate::i18n::parse_lang(member.lang).unwrap_or(crate::i18n::FALLBACK));
        let token = member.token;
        ctx.insert("page_url", &self.link(&format!("/p/{token}")));
        ctx.insert("results_url", &self.link(&format!("/p/{token}/results")));
        ctx.insert("team_url", &member.lead.then(|| self.link(&format!("/p/{token}/team"))));
    }

    /// The invitation to a survey cycle (or, with `reminder`, the reminder).
    pub fn invitation(
        &self,
        survey_title: &str,
        closes_on: chrono::NaiveDate,
        invitation_token: &str,
        member: &MemberLink<'_>,
        reminder: bool,
    ) -> Result<RenderedEmail, tera::Error> {
        let lang = member.lang;
        let mut ctx = Context::new();
        ctx.insert("survey_title", &crate::i18n::bank_text(lang, "bank-title", survey_title));
        ctx.insert("closes_on", &crate::i18n::long_date(lang, closes_on));
        ctx.insert("survey_url", &self.link(&format!("/s/{invitation_token}")));
        self.member_links(&mut ctx, member);
        self.render(if reminder { "reminder" } else { "invitation" }, ctx)
    }

    /// "The results are out": a closed cycle's top priorities and what is
    /// planned or shipped for them (or, under k responses, why there is
    /// nothing to show), with the member's results link and a lead's team link.
    /// Default area names and the statuses are in the member's language.
    pub fn results(&self, out: &ResultsOut, member: &MemberLink<'_>) -> Result<RenderedEmail, tera::Error> {
        let lang = member.lang;
        let top: Option<Vec<TopPriority>> = out.top.as_ref().map(|top| {
            top.iter()
                .map(|p| TopPriority {
                    rank: p.rank,
                    area_name: crate::i18n::area_name(lang, &p.area_name),
                    roadmap: p
                        .roadmap
                        .iter()
                        .map(|r| RoadmapLine { title: r.title.clone(), status: crate::i18n::status(lang, &r.status) })
                        .collect(),
                })
                .collect()
        });
        let mut ctx = Context::new();
        ctx.insert("survey_title", &crate::i18n::bank_text(lang, "bank-title", &out.survey_title));
        ctx.insert("closes_on", &crate::i18n::long_date(lang, out.closes_on));
        ctx.insert("top", &top);
        self.member_links(&mut ctx, member);
        self.render("results", ctx)
    }

    /// The follow-up a reporter gets when their friction report changes, in
    /// their language.
    pub fn friction_followup(&self, f: &FrictionFollowUp<'_>) -> Result<RenderedEmail, tera::Error> {
        use crate::i18n::{status, t, t_args};
        let lang = crate::i18n::parse_lang(f.lang).unwrap_or(crate::i18n::FALLBACK);
        let (headline, change) = match f.event {
            FollowUpEvent::Status { from, to } => (
                t_args(lang, "email-followup-headline-status", &[("status", status(lang, to))]),
                t_args(lang, "email-followup-change-status", &[("from", status(lang, from)), ("to", status(lang, to))]),
            ),
            FollowUpEvent::Linked => {
                (t(lang, "email-followup-headline-linked"), t(lang, "email-followup-change-linked"))
            }
            FollowUpEvent::Shipped { item } => (
                t(lang, "email-followup-headline-shipped"),
                t_args(lang, "email-followup-change-shipped", &[("item", item.to_string())]),
            ),
        };
        let mut ctx = Context::new();
        ctx.insert("lang", lang);
        ctx.insert("title", f.title);
        ctx.insert("headline", &headline);
        ctx.insert("change", &change);
        ctx.insert("roadmap_title", &f.roadmap.map(|r| r.0));
        ctx.insert("roadmap_status", &f.roadmap.map(|r| status(lang, r.1)));
        ctx.insert("page_url", &self.link(&format!("/p/{}", f.member_token)));
        self.render("friction_followup", ctx)
    }
}

/// Whom an email with personal links goes to.
pub struct MemberLink<'a> {
    /// Their personal token (see `store::members::token_of`).
    pub token: &'a str,
    /// A team lead also gets the link to their team's view.
    pub lead: bool,
    /// Their language (`en`, `de`: see [`crate::i18n::LANGS`]).
    pub lang: &'a str,
}

/// What the "results are out" email of a closed cycle says (the same for
/// every recipient but for their links).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultsOut {
    pub survey_title: String,
    pub closes_on: chrono::NaiveDate,
    /// The organisation's top priorities, best rank first; `None` when fewer
    /// than k responses came in, so no result may be shown.
    pub top: Option<Vec<TopPriority>>,
}

/// One of the top priorities of a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopPriority {
    pub rank: u32,
    pub area_name: String,
    /// The area's roadmap items that are planned, in progress or shipped.
    pub roadmap: Vec<RoadmapLine>,
}

/// A roadmap item as an email names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoadmapLine {
    pub title: String,
    /// In words: "planned", "in progress", "shipped".
    pub status: String,
}

/// What changed about a followed friction report.
pub struct FrictionFollowUp<'a> {
    pub title: &'a str,
    /// What happened; the email says it in a short headline for the subject
    /// ("now planned") and a sentence ("Its status changed from new to planned.").
    pub event: FollowUpEvent<'a>,
    /// (title, status) of the linked roadmap item; the status as its wire
    /// word (`in_progress`) or in English words (`in progress`).
    pub roadmap: Option<(&'a str, &'a str)>,
    pub member_token: &'a str,
    /// The reporter's language (`en`, `de`).
    pub lang: &'a str,
}

/// What happened to a followed friction report.
#[derive(Debug, Clone, Copy)]
pub enum FollowUpEvent<'a> {
    /// Its status changed (wire words: `triaged`, `in_progress`, …).
    Status { from: &'a str, to: &'a str },
    /// The platform team linked it to a roadmap item.
    Linked,
    /// The roadmap item it is linked to (this title) has shipped.
    Shipped { item: &'a str },
}

/// `devpulse <devpulse@example.org>` → `example.org`.
fn message_domain(mail_from: &str) -> String {
    let addr = mail_from.rsplit('<').next().unwrap_or(mail_from).trim_end_matches('>');
    addr.rsplit_once('@')
        .map(|(_, d)| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welcome_email_snapshot() {
        let emails =
            Emails::new("https://devpulse.example.org/", "devpulse <devpulse@example.org>", 5, "test-key").unwrap();
        let email = emails.welcome("Payments <API> & co", "tok123", "en").unwrap();
        assert_eq!(emails.message_domain(), "example.org");
        assert!(email.text.contains("https://devpulse.example.org/p/tok123"));
        assert!(email.text.contains("Payments <API> & co"), "text part is not escaped");
        assert!(email.html.contains("Payments &lt;API&gt; &amp; co"), "html part is escaped");
        insta::assert_snapshot!("welcome_subject", email.subject);
        insta::assert_snapshot!("welcome_text", email.text);
        insta::assert_snapshot!("welcome_html", email.html);
    }

    #[test]
    fn invitation_and_reminder_snapshots() {
        let emails =
            Emails::new("https://devpulse.example.org", "devpulse <devpulse@example.org>", 5, "test-key").unwrap();
        let closes = chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
        let member = MemberLink { token: "MEMBERTOKEN", lead: false, lang: "en" };
        let inv = emails.invitation("DevEx <check-in>", closes, "INVTOKEN", &member, false).unwrap();
        assert!(inv.text.contains("https://devpulse.example.org/s/INVTOKEN"));
        assert!(inv.text.contains("https://devpulse.example.org/p/MEMBERTOKEN/results"));
        assert!(!inv.text.contains("/team"), "only a lead gets the team link");
        assert!(inv.html.contains("href=\"https://devpulse.example.org/s/INVTOKEN\""));
        assert!(inv.html.contains("DevEx &lt;check-in&gt;"));
        insta::assert_snapshot!("invitation_subject", inv.subject);
        insta::assert_snapshot!("invitation_text", inv.text);
        insta::assert_snapshot!("invitation_html", inv.html);
        let lead = MemberLink { token: "MEMBERTOKEN", lead: true, lang: "en" };
        let rem = emails.invitation("DevEx check-in", closes, "INVTOKEN", &lead, true).unwrap();
        for part in [&rem.text, &rem.html] {
            assert!(part.contains("https://devpulse.example.org/p/MEMBERTOKEN/results"));
            assert!(part.contains("https://devpulse.example.org/p/MEMBERTOKEN/team"));
        }
        insta::assert_snapshot!("reminder_subject", rem.subject);
        insta::assert_snapshot!("reminder_text", rem.text);
    }

    #[test]
    fn results_email_snapshots() {
        let emails =
            Emails::new("https://devpulse.example.org", "devpulse <devpulse@example.org>", 5, "test-key").unwrap();
        let line = |title: &str, status: &str| RoadmapLine { title: title.into(), status: status.into() };
        let out = ResultsOut {
            survey_title: "DevEx check-in".into(),
            closes_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap(),
            top: Some(vec![
                TopPriority {
                    rank: 1,
                    area_name: "CI <speed>".into(),
                    roadmap: vec![line("Faster runners", "shipped"), line("Cache deps", "in progress")],
                },
                TopPriority { rank: 2, area_name: "Documentation".into(), roadmap: vec![] },
                TopPriority {
                    rank: 3,
                    area_name: "Local environment".into(),
                    roadmap: vec![line("Devbox", "planned")],
                },
            ]),
        };
        let lead = emails.results(&out, &MemberLink { token: "MEMBERTOKEN", lead: true, lang: "en" }).unwrap();
        assert!(lead.html.contains("CI &lt;speed&gt;"));
        assert!(lead.html.contains("href=\"https://devpulse.example.org/p/MEMBERTOKEN/team\""));
        insta::assert_snapshot!("results_subject", lead.subject);
        insta::assert_snapshot!("results_text", lead.text);
        insta::assert_snapshot!("results_html", lead.html);
        let member = emails.results(&out, &MemberLink { token: "MEMBERTOKEN", lead: false, lang: "en" }).unwrap();
        assert!(member.text.contains("https://devpulse.example.org/p/MEMBERTOKEN/results"));
        assert!(!member.text.contains("/team") && !member.html.contains("/team"));
        let few = ResultsOut { top: None, ..out };
        let few = emails.results(&few, &MemberLink { token: "MEMBERTOKEN", lead: false, lang: "en" }).unwrap();
        assert!(few.text.contains("Too few people answered") && few.html.contains("Too few people answered"));
        assert!(!few.text.contains("Documentation") && !few.html.contains("Documentation"));
        insta::assert_snapshot!("results_too_few_text", few.text);
    }

    #[test]
    fn friction_followup_snapshot() {
        let emails =
            Emails::new("https://devpulse.example.org", "devpulse <devpulse@example.org>", 5, "test-key").unwrap();
        let f = FrictionFollowUp {
            title: "CI queue <30 min>",
            event: FollowUpEvent::Status { from: "triaged", to: "planned" },
            roadmap: Some(("Faster CI runners", "planned")),
            member_token: "MEMBERTOKEN",
            lang: "en",
        };
        let email = emails.friction_followup(&f).unwrap();
        assert!(email.html.contains("CI queue &lt;30 min&gt;"));
        insta::assert_snapshot!("friction_followup_subject", email.subject);
        insta::assert_snapshot!("friction_followup_text", email.text);
    }

    #[test]
    fn emails_in_german() {
        let emails =
            Emails::new("https://devpulse.example.org", "devpulse <devpulse@example.org>", 5, "test-key").unwrap();
        let welcome = emails.welcome("Payments", "tok123", "de").unwrap();
        assert!(welcome.text.starts_with("Guten Tag,"), "{}", welcome.text);
        assert!(welcome.html.contains("<html lang=\"de\">"));
        assert!(!welcome.html.contains("Welcome") && !welcome.text.contains("Welcome"));
        let closes = chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
        let member = MemberLink { token: "MEMBERTOKEN", lead: true, lang: "de" };
        let inv = emails.invitation(crate::domain::devex::TITLE, closes, "INVTOKEN", &member, false).unwrap();
        assert!(inv.subject.contains("Montag, 16. März 2026"), "{}", inv.subject);
        assert!(!inv.subject.contains(crate::domain::devex::TITLE), "the default title is translated");
        assert!(inv.text.contains("https://devpulse.example.org/p/MEMBERTOKEN/team"));
        let f = FrictionFollowUp {
            title: "CI",
            event: FollowUpEvent::Status { from: "new", to: "in_progress" },
            roadmap: None,
            member_token: "MEMBERTOKEN",
            lang: "de-DE",
        };
        let email = emails.friction_followup(&f).unwrap();
        assert!(email.subject.contains("in Arbeit"), "{}", email.subject);
        for part in [&email.text, &email.html, &inv.text, &inv.html] {
            assert!(!part.contains("Unknown localization"), "{part}");
        }
    }

    #[test]
    fn message_domain_falls_back_to_localhost() {
        assert_eq!(message_domain("devpulse@x.io"), "x.io");
        assert_eq!(message_domain("nobody"), "localhost");
    }
}
