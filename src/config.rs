//! Configuration: every setting of interface.md, read from the environment or
//! the matching flag (see `cli`).

use std::path::PathBuf;

/// Settings of a running service. Its `Debug` hides the secret key and the
/// database password, so a logged config leaks neither.
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub mail_from: String,
    /// k of analysis.md: no figure for a group under k responses (never below 3).
    pub anonymity_k: u32,
    /// Signs session cookies; generated and stored in the database when unset.
    pub secret_key: Option<String>,
    /// How often the scheduler and the mailer run inside `serve`.
    pub tick: std::time::Duration,
    /// Friction reports one member may file per clock hour, counted in the
    /// database (`store::rate`), so the limit holds across instances.
    pub friction_per_hour: u32,
    /// The sign-in throttle's window (failures count within it).
    pub signin_window: std::time::Duration,
    /// The organisation's time zone: cycles open and close on its days.
    pub timezone: chrono_tz::Tz,
    /// Responses a scope needs before its free-text comments show
    /// (`DEVPULSE_COMMENT_K`); see [`Config::comment_k`].
    pub comment_k: u32,
    /// The mailer's first retry wait after a temporary failure; it doubles
    /// with each attempt (`DEVPULSE_MAIL_RETRY_SECONDS`).
    pub mail_retry: std::time::Duration,
    /// How long an instance's claim on an email lasts: the window in which a
    /// crash between handing an email to SMTP and marking it sent can send it
    /// twice (`DEVPULSE_MAIL_LOCK_SECONDS`).
    pub mail_lock: std::time::Duration,
    /// Webhook URLs may point at loopback and private addresses
    /// (`DEVPULSE_WEBHOOK_ALLOW_PRIVATE`); see `webhooks::target`.
    pub webhook_allow_private: bool,
    /// Pages and emails of members without a language (`DEVPULSE_DEFAULT_LANG`).
    pub default_lang: &'static str,
    /// Single sign-on for the console (`DEVPULSE_OIDC_*`), when set.
    pub sso: Option<crate::sso::SsoConfig>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://devpulse.db?mode=rwc";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";
pub const DEFAULT_MAIL_DIR: &str = "mail";
pub const DEFAULT_MAIL_FROM: &str = "devpulse <devpulse@localhost>";
pub const DEFAULT_K: u32 = 5;
pub const MIN_K: u32 = 3;
/// Responses a scope needs before its comments show, by default.
pub const DEFAULT_COMMENT_K: u32 = 10;
pub const DEFAULT_TICK_SECONDS: u64 = 15;
pub const DEFAULT_FRICTION_PER_HOUR: u32 = 20;
pub const DEFAULT_SIGNIN_WINDOW_SECONDS: u64 = 15 * 60;
pub const DEFAULT_MAIL_RETRY_SECONDS: u64 = 30;
pub const DEFAULT_MAIL_LOCK_SECONDS: u64 = 120;

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &crate::db::redact(&self.database_url))
            .field("bind", &self.bind)
            .field("base_url", &self.base_url)
            .field("smtp_url", &self.smtp_url.as_deref().map(crate::db::redact))
            .field("mail_dir", &self.mail_dir)
            .field("mail_from", &self.mail_from)
            .field("anonymity_k", &self.anonymity_k)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("tick", &self.tick)
            .field("friction_per_hour", &self.friction_per_hour)
            .field("signin_window", &self.signin_window)
            .field("timezone", &self.timezone)
            .field("comment_k", &self.comment_k)
            .field("mail_retry", &self.mail_retry)
            .field("mail_lock", &self.mail_lock)
            .field("webhook_allow_private", &self.webhook_allow_private)
            .field("default_lang", &self.default_lang)
            .field("sso_issuer", &self.sso.as_ref().map(|s| s.issuer.as_str()))
            .finish()
    }
}

impl Config {
    /// The organisation's date at `now` (`DEVPULSE_TIMEZONE`).
    pub fn date_at(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        now.with_timezone(&self.timezone).date_naive()
    }

    /// The organisation's date today.
    pub fn today(&self) -> chrono::NaiveDate {
        self.date_at(chrono::Utc::now())
    }

    /// The comment threshold in force: `DEVPULSE_COMMENT_K`, never below k.
    pub fn comment_k(&self) -> u32 {
        self.comment_k.max(self.anonymity_k)
    }

    /// Whether the public address is https (secure cookies, HSTS).
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// Defaults of interface.md with the given database.
    pub fn with_database(database_url: impl Into<String>) -> Self {
        Config {
            database_url: database_url.into(),
            bind: DEFAULT_BIND.into(),
            base_url: DEFAULT_BASE_URL.into(),
            smtp_url: None,
            mail_dir: DEFAULT_MAIL_DIR.into(),
            mail_from: DEFAULT_MAIL_FROM.into(),
            anonymity_k: DEFAULT_K,
            secret_key: None,
            tick: std::time::Duration::from_secs(DEFAULT_TICK_SECONDS),
            friction_per_hour: DEFAULT_FRICTION_PER_HOUR,
            signin_window: std::time::Duration::from_secs(DEFAULT_SIGNIN_WINDOW_SECONDS),
            timezone: chrono_tz::UTC,
            comment_k: DEFAULT_COMMENT_K,
            mail_retry: std::time::Duration::from_secs(DEFAULT_MAIL_RETRY_SECONDS),
            mail_lock: std::time::Duration::from_secs(DEFAULT_MAIL_LOCK_SECONDS),
            webhook_allow_private: false,
            default_lang: crate::i18n::FALLBACK,
            sso: None,
        }
    }
}

/// `DEVPULSE_DEFAULT_LANG`: one of [`crate::i18n::LANGS`].
pub fn parse_default_lang(s: &str) -> Result<&'static str, String> {
    crate::i18n::parse_lang(s)
        .ok_or_else(|| format!("unknown language {s:?}; expected one of: {}", crate::i18n::LANGS.join(", ")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_hides_the_secret_key_and_the_database_password() {
        let mut c = super::Config::with_database("postgres://app:hunter2@db.internal/devpulse");
        c.secret_key = Some("s3cr3t-key-material".into());
        c.smtp_url = Some("smtps://mailer:pa55@smtp.example.org".into());
        let shown = format!("{c:?}");
        for secret in ["hunter2", "s3cr3t-key-material", "pa55"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("db.internal") && shown.contains("***"));
    }

    #[test]
    fn today_follows_the_organisations_time_zone() {
        let mut c = super::Config::with_database("sqlite://x.db");
        let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T12:00:00Z").unwrap().to_utc();
        assert_eq!(c.date_at(now).to_string(), "2030-01-01");
        c.timezone = chrono_tz::Pacific::Kiritimati;
        assert_eq!(c.date_at(now).to_string(), "2030-01-02");
        c.timezone = chrono_tz::America::Los_Angeles;
        let late = chrono::DateTime::parse_from_rfc3339("2030-01-02T03:00:00Z").unwrap().to_utc();
        assert_eq!(c.date_at(late).to_string(), "2030-01-01");
    }
}
