//! Building the application: the shared [`AppState`], built once, and the
//! HTTP server on a given listener (port 0 in tests, so tests run the real
//! server).

use crate::config::Config;
use crate::email::Emails;
use crate::error::{path_error, query_error};
use crate::mailer::Mailer;
use crate::pages::Pages;
use crate::routes::{self, openapi};
use crate::store;
use crate::telemetry;
use actix_extensible_rate_limit::backend::{Backend, SimpleInput, memory::InMemoryBackend};
use actix_web::{App, HttpResponse, dev::Server, middleware::from_fn, web};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use std::net::TcpListener;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

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
    /// Per-member limit on filing friction (in memory, per instance).
    pub limiter: InMemoryBackend,
    /// One writer at a time on SQLite (see [`crate::db::WriteGate`]).
    pub write_gate: crate::db::WriteGate,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Store(#[from] store::StoreError),
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
            .map_err(|e| StartError::Config(format!("email templates: {e}")))?;
        let mailer =
            Mailer::new(config.smtp_url.as_deref(), &config.mail_dir, &config.mail_from).map_err(StartError::Config)?;
        let pages = Pages::new(config.anonymity_k).map_err(|e| StartError::Config(format!("page templates: {e}")))?;
        // No background GC task (it needs an actix LocalSet); keys are bounded by the member count.
        let limiter = InMemoryBackend::builder().with_gc_interval(None).build();
        let write_gate = crate::db::WriteGate::for_backend(sea_orm::ConnectionTrait::get_database_backend(&db));
        Ok(AppState {
            db,
            config,
            emails,
            metrics: telemetry::metrics_handle(),
            secret_key,
            invitation_key,
            mailer,
            pages,
            limiter,
            write_gate,
        })
    }
}

impl AppState {
    /// Counts one friction report against the member's hourly limit; refuses
    /// with 429 (and when to retry) past it. Keyed by member, so many people
    /// behind one office address are never limited together.
    pub async fn check_friction_rate(&self, member_id: &str) -> Result<(), crate::error::ApiError> {
        let input = SimpleInput {
            interval: std::time::Duration::from_secs(3600),
            max_requests: self.config.friction_per_hour as u64,
            key: format!("friction:{member_id}"),
        };
        let Ok((decision, out, _)) = self.limiter.request(input).await;
        if decision.is_denied() {
            let secs = out.reset.saturating_duration_since(tokio::time::Instant::now()).as_secs().max(1);
            return Err(crate::error::ApiError::TooManyRequests(secs));
        }
        Ok(())
    }
}

/// Starts the HTTP server on `listener`; the returned future runs it until
/// it is stopped (SIGINT/SIGTERM when `signals` is true).
pub fn serve(
    state: web::Data<AppState>,
    listener: TcpListener,
    workers: usize,
    signals: bool,
) -> Result<Server, StartError> {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::api_v1))
        .split_for_parts();
    let document = web::Data::new(openapi::Document(
        api.to_json().map_err(|e| StartError::Config(format!("OpenAPI document: {e}")))?,
    ));
    let base_url = state.config.base_url.clone();
    let mut server = actix_web::HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .service(utoipa_actix_web::scope("/api/v1").configure(routes::api_v1))
            .into_app()
            .app_data(document.clone())
            .configure(routes::health::configure)
            .configure(routes::pages::configure)
            .configure(crate::assets::configure)
            .route("/api/openapi.json", web::get().to(openapi::serve))
            .default_service(web::to(not_found))
            .wrap(crate::security::headers(&base_url))
            .wrap(from_fn(telemetry::observe))
    })
    .workers(workers)
    .listen(listener)?;
    if !signals {
        server = server.disable_signals();
    }
    Ok(server.run())
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(crate::error::ErrorBody {
        error: "not_found".into(),
        message: "no such route".into(),
        field: None,
    })
}
