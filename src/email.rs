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
}

impl Emails {
    pub fn new(base_url: &str, mail_from: &str, k: u32) -> Result<Self, tera::Error> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        // Text parts must not be HTML-escaped; HTML parts are.
        tera.autoescape_on(vec![".html"]);
        Ok(Emails {
            tera,
            base_url: base_url.trim_end_matches('/').to_string(),
            message_domain: message_domain(mail_from),
            k,
        })
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
        ctx.insert("k", &self.k);
        let subject = self.tera.render(&format!("emails/{name}/subject.txt"), &ctx)?;
        Ok(RenderedEmail {
            subject: subject.lines().next().unwrap_or_default().trim().to_string(),
            text: self.tera.render(&format!("emails/{name}/body.txt"), &ctx)?,
            html: self.tera.render(&format!("emails/{name}/body.html"), &ctx)?,
        })
    }

    /// The welcome email a new member gets, with their personal page link.
    pub fn welcome(&self, team_name: &str, member_token: &str) -> Result<RenderedEmail, tera::Error> {
        let mut ctx = Context::new();
        ctx.insert("team_name", team_name);
        ctx.insert("page_url", &self.link(&format!("/p/{member_token}")));
        self.render("welcome", ctx)
    }
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
        let emails = Emails::new("https://devpulse.example.org/", "devpulse <devpulse@example.org>", 5).unwrap();
        let email = emails.welcome("Payments <API> & co", "tok123").unwrap();
        assert_eq!(emails.message_domain(), "example.org");
        assert!(email.text.contains("https://devpulse.example.org/p/tok123"));
        assert!(email.text.contains("Payments <API> & co"), "text part is not escaped");
        assert!(email.html.contains("Payments &lt;API&gt; &amp; co"), "html part is escaped");
        insta::assert_snapshot!("welcome_subject", email.subject);
        insta::assert_snapshot!("welcome_text", email.text);
        insta::assert_snapshot!("welcome_html", email.html);
    }

    #[test]
    fn message_domain_falls_back_to_localhost() {
        assert_eq!(message_domain("devpulse@x.io"), "x.io");
        assert_eq!(message_domain("nobody"), "localhost");
    }
}
