//! The security headers of console.md, on every response: pages, JSON,
//! errors, static files. Set as defaults, so a response that sets its own
//! (none does today) keeps it.

use actix_web::middleware::DefaultHeaders;

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
