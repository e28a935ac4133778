//! Wiring the HTTP server on a given listener (port 0 in tests, so tests run
//! the real server): routes, middleware, the OpenAPI document. The state it
//! serves is [`crate::state::AppState`].

use crate::error::{path_error, query_error};
use crate::routes::{self, openapi};
use crate::state::{AppState, StartError};
use crate::telemetry;
use actix_web::{App, HttpResponse, dev::Server, middleware::from_fn, web};
use std::net::TcpListener;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

/// Starts the HTTP server on `listener`; the returned future runs it until
/// it is stopped (SIGINT/SIGTERM when `signals` is true).
pub fn serve(
    state: web::Data<AppState>,
    listener: TcpListener,
    workers: usize,
    signals: bool,
) -> Result<Server, StartError> {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::api_v1))
        .split_for_parts();
    openapi::complete(&mut api);
    let routes = web::Data::new(openapi::Routes::of(&api));
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
            .app_data(routes.clone())
            .configure(routes::health::configure)
            .configure(routes::pages::configure)
            .configure(routes::console::configure)
            .configure(crate::assets::configure)
            .route("/api/openapi.json", web::get().to(openapi::serve))
            .default_service(web::to(not_found))
            .wrap(from_fn(crate::report_cache::bump_after_writes))
            .wrap(from_fn(crate::security::csrf))
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

/// No route took the request: 405 with `Allow` when the path is one of the
/// API's with another method, 404 otherwise.
async fn not_found(req: actix_web::HttpRequest, routes: web::Data<openapi::Routes>) -> HttpResponse {
    let path = req.path();
    if let Some(allow) = routes.allowed(path) {
        return HttpResponse::MethodNotAllowed().insert_header(("Allow", allow.clone())).json(
            crate::error::ErrorBody {
                error: "method_not_allowed".into(),
                message: format!("{} {path} is not a route; this path answers {allow}", req.method()),
                field: None,
            },
        );
    }
    HttpResponse::NotFound().json(crate::error::ErrorBody {
        error: "not_found".into(),
        message: "no such route".into(),
        field: None,
    })
}
