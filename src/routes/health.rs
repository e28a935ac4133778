//! Probes and metrics: `/health`, `/ready`, `/metrics`.

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;
use actix_web::{HttpResponse, web};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready))
        .route("/metrics", web::get().to(metrics));
}

/// 200 while the process runs.
async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// 200 when the database answers and takes a write, 503 otherwise: a full
/// disk or a read-only file is not ready, though reads still work. The probe
/// takes its turn at the write gate, as the submission writer and friction
/// writes do.
async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !db::ping(&state.db).await {
        return Err(ApiError::Unavailable);
    }
    let _turn = state.write_gate.enter().await;
    match store::settings::probe_write(&state.db).await {
        Ok(()) => Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready"}))),
        Err(e) => {
            tracing::warn!(error = %crate::error::chain(&e), "readiness: the database takes no writes");
            Err(ApiError::Unavailable)
        }
    }
}

/// Prometheus text format.
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.metrics.render())
}
