//! The security headers of console.md on every kind of response, and pages
//! with no inline script or style (their stylesheet is a static file).

use crate::helpers::{spawn_app, spawn_app_with};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

fn assert_headers(res: &reqwest::Response, what: &str, https: bool) {
    let h = res.headers();
    assert_eq!(h.get("content-security-policy").and_then(|v| v.to_str().ok()), Some(CSP), "{what}");
    assert_eq!(h.get("x-content-type-options").map(|v| v.as_bytes()), Some(&b"nosniff"[..]), "{what}");
    assert_eq!(h.get("referrer-policy").map(|v| v.as_bytes()), Some(&b"no-referrer"[..]), "{what}");
    let hsts = h.get("strict-transport-security").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(hsts, https.then(|| "max-age=31536000".to_string()), "{what}");
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    // The test server's base URL is https (see spawn_app).
    let app = spawn_app().await;
    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_headers(&page, "a page", true);
    let html = page.text().await.unwrap();
    assert!(!html.contains("<style") && !html.contains(" style=") && !html.contains("<script"), "no inline style");
    let href = crate::smtp::link(&html, "/static/").expect("a stylesheet link");
    let css = app.client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert_headers(&css, "a static file", true);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.headers()["cache-control"].to_str().unwrap().contains("max-age=31536000"));
    assert!(css.text().await.unwrap().contains(".error-summary"));
    let missing = app.client.get(app.url("/static/devpulse.0000000000.css")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_headers(&missing, "a missing static file", true);
    let page404 = app.client.get(app.url(&format!("/s/{}", "A".repeat(43)))).send().await.unwrap();
    assert_eq!(page404.status(), 404);
    assert_headers(&page404, "a 404 page", true);
    let json404 = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(json404.status(), 404);
    assert_headers(&json404, "a JSON 404", true);
    let json401 = app.client.get(app.url("/api/v1/teams")).send().await.unwrap();
    assert_eq!(json401.status(), 401);
    assert_headers(&json401, "a JSON error", true);
    let ok = app.get("/api/v1/teams").send().await.unwrap();
    assert_headers(&ok, "JSON", true);
    // 500-class: the database is gone.
    app.state.db.close_by_ref().await.unwrap();
    let down = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(down.status(), 503);
    assert_headers(&down, "a 503 page", true);
    let down = app.get("/api/v1/teams").send().await.unwrap();
    assert_eq!(down.status(), 503);
    assert_headers(&down, "a JSON 503", true);
}

#[tokio::test]
async fn plain_http_gets_no_hsts() {
    let app = spawn_app_with(|c| c.base_url = "http://127.0.0.1:8080".into()).await;
    let page = app.client.get(app.url("/health")).send().await.unwrap();
    assert_headers(&page, "health over http", false);
}
