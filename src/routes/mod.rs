//! HTTP routes. Each module has its own `configure`; `api_v1` mounts the JSON
//! API (documented in OpenAPI by construction: every route is registered
//! through utoipa-actix-web), the others plain pages and probes.

pub mod areas;
pub mod console;
pub mod extract;
pub mod figures;
pub mod friction;
pub mod health;
pub mod member;
pub mod member_results;
pub mod members;
pub mod openapi;
pub mod pages;
pub mod responses;
pub mod results;
pub mod roadmap;
pub mod surveys;
pub mod teams;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`.
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.configure(teams::configure)
        .configure(members::configure)
        .configure(areas::configure)
        .configure(surveys::configure)
        .configure(responses::configure)
        .configure(friction::configure)
        .configure(roadmap::configure)
        .configure(results::configure)
        .configure(webhooks::configure);
}
