//! The safety rules of console.md that hold for every route: the security
//! headers on every response (pages, JSON, errors, static files; set as
//! defaults, so a response that sets its own keeps it), and the refusal of
//! cross-site requests that change something.

use actix_web::Error;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header::HeaderMap};
use actix_web::middleware::{DefaultHeaders, Next};

/// No inline script or style anywhere, so this holds without `'unsafe-inline'`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The headers for a service whose public address is `base_url`
/// (`Strict-Transport-Security` only when it is https).
pub fn headers(base_url: &str) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"));
    if base_url.starts_with("https://") {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    }
}

/// Whether a request that changes something comes from another site, by
/// console.md's rule: `Sec-Fetch-Site` `cross-site` or `same-site` is
/// refused (`same-origin` and `none` pass); without it, an `Origin` other than
/// the public address's is refused (`Origin: null` counts as not stated).
pub fn cross_site(method: &Method, headers: &HeaderMap, own_origin: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    match header("sec-fetch-site") {
        Some(site) => matches!(site, "cross-site" | "same-site"),
        None => header("origin").is_some_and(|o| o != "null" && !o.eq_ignore_ascii_case(own_origin)),
    }
}

/// `https://host:port` of a base URL (its scheme, host and port, no path).
pub fn origin_of(base_url: &str) -> String {
    match base_url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or_default()),
        None => base_url.to_string(),
    }
}

/// Middleware: refuses a cross-site POST, PATCH, PUT or DELETE on every route
/// with 403 (JSON under `/api`, a page elsewhere), before any handler runs.
/// Console forms also carry a per-session token (`console::session`).
pub async fn csrf(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let own = req.app_data::<actix_web::web::Data<crate::state::AppState>>().map(|s| origin_of(&s.config.base_url));
    if own.is_some_and(|own| cross_site(req.method(), req.headers(), &own)) {
        let res = if req.path().starts_with("/api/") {
            let message = "This request came from another site, so it was refused. Nothing was changed.";
            actix_web::ResponseError::error_response(&crate::error::ApiError::Forbidden(message.into()))
        } else {
            refused_page(&mut req).await
        };
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

/// The 403 page of a refused form: what was typed is shown back (escaped, to
/// copy), except secrets (passwords, form tokens).
async fn refused_page(req: &mut ServiceRequest) -> actix_web::HttpResponse {
    let is_form = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let mut fields: Vec<(String, String)> = Vec::new();
    if is_form && let Ok(body) = req.extract::<actix_web::web::Bytes>().await {
        fields = form_urlencoded::parse(&body)
            .into_owned()
            .filter(|(k, v)| !v.trim().is_empty() && !matches!(k.as_str(), "csrf" | "password" | "current"))
            .take(50)
            .collect();
    }
    let mut ctx = tera::Context::new();
    ctx.insert("fields", &fields);
    crate::pages::render(StatusCode::FORBIDDEN, "pages/refused.html", ctx, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                actix_web::http::header::HeaderName::from_static(k),
                actix_web::http::header::HeaderValue::from_static(v),
            );
        }
        h
    }

    #[test]
    fn cross_site_writes_are_refused_and_the_rest_pass() {
        let own = "https://devpulse.example.org";
        let post = Method::POST;
        assert!(cross_site(&post, &headers(&[("sec-fetch-site", "cross-site")]), own));
        assert!(cross_site(&post, &headers(&[("sec-fetch-site", "same-site")]), own));
        assert!(!cross_site(&post, &headers(&[("sec-fetch-site", "same-origin")]), own));
        assert!(!cross_site(&post, &headers(&[("sec-fetch-site", "none")]), own));
        assert!(cross_site(&post, &headers(&[("origin", "https://evil.example")]), own));
        assert!(!cross_site(&post, &headers(&[("origin", "https://devpulse.example.org")]), own));
        assert!(!cross_site(&post, &headers(&[("origin", "null")]), own));
        assert!(!cross_site(&post, &headers(&[]), own), "curl and scripts send neither");
        assert!(!cross_site(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")]), own), "GET changes nothing");
        assert!(cross_site(&Method::DELETE, &headers(&[("sec-fetch-site", "cross-site")]), own));
        assert_eq!(origin_of("https://devpulse.example.org/sub/"), "https://devpulse.example.org");
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
