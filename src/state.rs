//! [`AppState`]: everything a request handler needs, built once per process
//! over an open, migrated database.

use crate::config::Config;
use crate::email::Emails;
use crate::mailer::Mailer;
use crate::pages::Pages;
use crate::store;
use crate::telemetry;
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;

/// Everything a request handler needs, built once per process.
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Config,
    pub emails: Emails,
    pub metrics: PrometheusHandle,
    pub secret_key: String,
    /// Key of the invitation tokens, generated once and kept in the database.
    pub invitation_key: String,
    pub mailer: Mailer,
    pub pages: Pages,
    /// One writer at a time on SQLite (see [`crate::db::WriteGate`]).
    pub write_gate: std::sync::Arc<crate::db::WriteGate>,
    /// The group commit of survey submissions ([`crate::store::submissions`]).
    pub submissions: crate::store::submissions::Submissions,
    /// Each open cycle's survey and areas, read once for many submissions.
    pub forms: crate::store::responses::FormCache,
    /// Closed cycles' priority reports, kept while the report version stands.
    pub reports: crate::report_cache::ReportCache,
    /// Sends queued webhook messages (`webhooks::deliver`).
    pub webhooks: crate::webhooks::deliver::Deliverer,
    /// Single sign-on for the console, when configured.
    pub sso: Option<crate::sso::Sso>,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Mailer(#[from] crate::mailer::MailerError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

impl AppState {
    /// Builds the state over an open, migrated database.
    pub async fn new(db: DatabaseConnection, config: Config) -> Result<Self, StartError> {
        if config.anonymity_k < crate::config::MIN_K {
            return Err(StartError::Config(format!(
                "DEVPULSE_ANONYMITY_K must be at least {}, not {}",
                crate::config::MIN_K,
                config.anonymity_k
            )));
        }
        let secret_key = match &config.secret_key {
            Some(k) => k.clone(),
            None => store::settings::get_or_init(&db, "secret_key", || store::random_token(64)).await?,
        };
        let invitation_key = store::settings::link_key(&db).await?;
        let upgraded = store::members::upgrade_tokens(&db, &invitation_key).await?;
        if upgraded > 0 {
            tracing::info!(upgraded, "personal tokens now stored hashed; links sent before stop working");
        }
        let emails = Emails::new(&config.base_url, &config.mail_from, config.anonymity_k, &invitation_key)
            .map_err(|e| StartError::Config(format!("email templates: {e}")))?
            .with_default_lang(config.default_lang);
        let mailer = Mailer::new(config.smtp_url.as_deref(), &config.mail_dir, &config.mail_from)?
            .with_timing(config.mail_retry, config.mail_lock);
        let pages = Pages::new(config.anonymity_k).map_err(|e| StartError::Config(format!("page templates: {e}")))?;
        let write_gate =
            std::sync::Arc::new(crate::db::WriteGate::for_backend(sea_orm::ConnectionTrait::get_database_backend(&db)));
        let submissions = crate::store::submissions::Submissions::start(db.clone(), write_gate.clone());
        let sso = match &config.sso {
            Some(s) => Some(crate::sso::Sso::new(s.clone(), &config.base_url).map_err(StartError::Config)?),
            None => None,
        };
        let (config_base_url, config_bind, config_allow_private) =
            (config.base_url.clone(), config.bind.clone(), config.webhook_allow_private);
        Ok(AppState {
            db,
            config,
            emails,
            metrics: telemetry::metrics_handle(),
            secret_key,
            invitation_key,
            mailer,
            pages,
            write_gate,
            submissions,
            forms: Default::default(),
            reports: Default::default(),
            webhooks: crate::webhooks::deliver::Deliverer::new(
                crate::webhooks::target::Policy::new(&config_base_url, &config_bind, config_allow_private),
                &config_base_url,
            ),
            sso,
        })
    }
}

impl AppState {
    /// What store changes need to email followers: the email renderer and the
    /// organisation's date today.
    pub fn notify(&self) -> crate::store::friction::Notify<'_> {
        crate::store::friction::Notify { emails: &self.emails, today: self.config.today() }
    }
}
