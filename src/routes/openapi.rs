//! The OpenAPI document: a base (info, security scheme, tags) that
//! utoipa-actix-web completes with every route registered under `/api/v1`.

use actix_web::{HttpResponse, web};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "devpulse",
        description = "Developer-experience surveys and friction log. Admin routes need `Authorization: Bearer <api token>` (create one with `devpulse token create NAME`). Errors are `{\"error\", \"message\"}` JSON; lists are paginated with `?limit=&cursor=`."
    ),
    modifiers(&Security),
    tags(
        (name = "teams", description = "Teams and their members"),
        (name = "members", description = "A person's data: what devpulse holds about them, and erasure"),
        (name = "areas", description = "Pain-point areas shared by survey items and friction reports"),
        (name = "surveys", description = "Surveys, their cycles and participation"),
        (name = "responses", description = "Anonymous survey responses"),
        (name = "friction", description = "The friction log: filing, me-too and triage"),
        (name = "roadmap", description = "Roadmap items linked to friction"),
        (name = "results", description = "Scores and ranked priorities of closed cycles"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("api_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components.add_security_scheme("member_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The finished document, shared by all workers.
pub struct Document(pub String);

/// `GET /api/openapi.json`.
pub async fn serve(doc: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}
