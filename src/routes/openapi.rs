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
        (name = "webhooks", description = "Signed events (Standard Webhooks) and chat messages to other tools"),
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

/// The answers every route may give that its own annotations leave out, one
/// rule here instead of a line on each handler: 503 when the database is
/// unavailable; 400 (malformed JSON), 413 (over the limit), 415 (not JSON, or
/// compressed) and 422 (a field) for a route with a body; 422 for a route
/// with parameters (`?limit=0`); 405 for a path's other methods.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr, ResponseBuilder, content::ContentBuilder};
    let error = |text: &str| -> RefOr<utoipa::openapi::Response> {
        ResponseBuilder::new()
            .description(text)
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
            .into()
    };
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            let responses = &mut op.responses.responses;
            let mut add = |status: &str, text: &str| {
                responses.entry(status.to_string()).or_insert_with(|| error(text));
            };
            add("503", "The database is unavailable or busy; nothing was changed (Retry-After).");
            if op.request_body.is_some() {
                add("400", "Malformed JSON.");
                add("413", "The body is over the limit.");
                add("415", "Not Content-Type: application/json, or compressed.");
                add("422", "A field is missing or invalid; `field` names it.");
            }
            if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                add("422", "A parameter is invalid; `field` names it.");
            }
        }
    }
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
}

/// The API's paths and their methods, from the document: a request for a
/// path that exists with another method answers 405 with `Allow`.
pub struct Routes(Vec<(Vec<Option<String>>, Vec<&'static str>)>);

impl Routes {
    pub fn of(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_matches('/')
                    .split('/')
                    .map(|s| if s.starts_with('{') { None } else { Some(s.to_string()) })
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, has)| has.then_some(m))
                .collect();
                (segments, methods)
            })
            .collect();
        Routes(routes)
    }

    /// The methods `path` answers, when it names a route of the API.
    pub fn allowed(&self, path: &str) -> Option<String> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut methods: Vec<&str> = self
            .0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(s, p)| s.as_deref().is_none_or(|s| s == *p) && !p.is_empty())
            })
            .flat_map(|(_, m)| m.iter().copied())
            .collect();
        methods.sort_unstable();
        methods.dedup();
        (!methods.is_empty()).then(|| methods.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa_actix_web::AppExt;

    fn document() -> utoipa::openapi::OpenApi {
        let (_, mut api) = actix_web::App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::api_v1))
            .split_for_parts();
        complete(&mut api);
        api
    }

    #[test]
    fn a_paths_other_methods_are_named_and_unknown_paths_are_not() {
        let routes = Routes::of(&document());
        assert_eq!(routes.allowed("/api/v1/areas").as_deref(), Some("GET, POST"));
        assert_eq!(routes.allowed("/api/v1/friction/abc/me-too").as_deref(), Some("POST"));
        assert_eq!(routes.allowed("/api/v1/nothing"), None);
        assert_eq!(routes.allowed("/api/v1/friction//me-too"), None);
    }

    #[test]
    fn every_operation_documents_503_and_every_body_its_refusals() {
        let doc = document();
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch].into_iter().flatten() {
                let codes: Vec<&String> = op.responses.responses.keys().collect();
                assert!(codes.iter().any(|c| *c == "503"), "{path}: {codes:?}");
                if op.request_body.is_some() {
                    for c in ["400", "413", "415", "422"] {
                        assert!(codes.iter().any(|x| *x == c), "{path} lacks {c}: {codes:?}");
                    }
                }
            }
        }
    }
}
