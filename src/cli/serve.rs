//! `devpulse serve`: migrations, the optional demo, the HTTP server and the
//! periodic worker, until SIGINT/SIGTERM.

use super::{CliError, GlobalArgs, ServeArgs, failed, open};
use crate::config::Config;
use crate::{demo, startup};
use std::io::IsTerminal;

pub async fn serve(global: &GlobalArgs, args: ServeArgs) -> Result<(), CliError> {
    let sso = sso_config(&args)?;
    let config = Config {
        database_url: global.database_url.clone(),
        bind: args.bind,
        base_url: args.base_url,
        smtp_url: args.smtp_url,
        mail_dir: args.mail_dir,
        mail_from: args.mail_from,
        anonymity_k: global.anonymity_k,
        secret_key: args.secret_key,
        tick: std::time::Duration::from_secs(args.tick_seconds),
        friction_per_hour: args.friction_per_hour,
        signin_window: std::time::Duration::from_secs(args.signin_window_seconds),
        timezone: args.timezone,
        comment_k: args.comment_k,
        mail_retry: std::time::Duration::from_secs(args.mail_retry_seconds),
        mail_lock: std::time::Duration::from_secs(args.mail_lock_seconds),
        webhook_allow_private: args.webhook_allow_private,
        default_lang: args.default_lang,
        sso,
    };
    let db = open(global).await?;
    let mut welcome = Vec::new();
    if args.demo && demo::is_empty(&db).await? {
        let summary = demo::load(&db, &demo::Options::default(), std::io::stderr().is_terminal()).await?;
        tracing::info!("{summary}");
        welcome = demo::welcome(&db, &config.base_url).await?;
    }
    warn_if_base_url_looks_wrong(&config);
    let listener =
        std::net::TcpListener::bind(&config.bind).map_err(failed(&format!("cannot listen on {}", config.bind)))?;
    let addr = listener.local_addr().map_err(failed("cannot listen"))?;
    let state = crate::state::AppState::new(db, config).await.map_err(failed("starting"))?;
    let state = actix_web::web::Data::new(state);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let server = startup::serve(state.clone(), listener, workers, true).map_err(failed("starting the server"))?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(crate::worker::run(state.clone(), state.config.tick, stopped));
    tracing::info!("devpulse serving http://{addr}");
    for line in welcome {
        tracing::info!("{line}");
    }
    let served = server.await;
    state.mailer.stop();
    let _ = stop.send(true);
    let _ = worker.await;
    served.map_err(failed("server"))?;
    state.db.clone().close().await.map_err(failed("closing the database"))?;
    tracing::info!("devpulse stopped");
    Ok(())
}

/// console.md: a warning when the base URL (links in emails, the origin that
/// cross-site checks compare with) matches neither the bind address nor https.
fn warn_if_base_url_looks_wrong(config: &Config) {
    let host = |s: &str| s.split("://").nth(1).unwrap_or(s).split('/').next().unwrap_or_default().to_string();
    let (base, bind) = (host(&config.base_url), config.bind.clone());
    let same_port = base.rsplit(':').next() == bind.rsplit(':').next();
    let matches = base == bind || same_port && bind.starts_with("0.0.0.0");
    if !(config.is_https() || matches) {
        tracing::warn!(
            base_url = %config.base_url,
            bind = %config.bind,
            "DEVPULSE_BASE_URL does not match the bind address and is not https: links in emails and the console's \
             cross-site check use it"
        );
    }
}

/// Single sign-on's settings: none without an issuer; with one, the client
/// id, its secret and at least one admin rule are needed too.
fn sso_config(args: &ServeArgs) -> Result<Option<crate::sso::SsoConfig>, CliError> {
    let Some(issuer) = args.oidc_issuer.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let need = |v: &Option<String>, name: &str| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| CliError::Usage(format!("DEVPULSE_OIDC_ISSUER is set: {name} is needed too")))
    };
    let admins = crate::sso::Admins::parse(&args.oidc_admins);
    if args.oidc_admins.trim().is_empty() {
        return Err(CliError::Usage(
            "DEVPULSE_OIDC_ISSUER is set: DEVPULSE_OIDC_ADMINS must name who may sign in (emails or @domain)".into(),
        ));
    }
    Ok(Some(crate::sso::SsoConfig {
        issuer: issuer.to_string(),
        client_id: need(&args.oidc_client_id, "DEVPULSE_OIDC_CLIENT_ID")?,
        client_secret: need(&args.oidc_client_secret, "DEVPULSE_OIDC_CLIENT_SECRET")?,
        admins,
    }))
}
