use crate::helpers::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn health_and_ready_answer() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.client.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn ready_is_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.state.db.close_by_ref().await.unwrap();
    let res = app.client.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    assert_eq!(app.client.get(app.url("/health")).send().await.unwrap().status(), 200);
    // API calls that need the database answer 503 too.
    let res = app.get("/api/v1/areas").send().await.unwrap();
    assert_eq!(res.status(), 503);
}

#[tokio::test]
async fn every_response_has_a_request_id_and_keeps_a_given_one() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/health")).send().await.unwrap();
    let id = res.headers().get("x-request-id").expect("request id").to_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    let res = app.client.get(app.url("/health")).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.get("/api/v1/teams/no-such-team").send().await.unwrap();
    app.client.get(app.url("/api/v1/teams")).send().await.unwrap(); // 401
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"http_requests_total{method="GET",route="/api/v1/teams/{slug}",status="404"}"#), "{text}");
    assert!(text.contains(r#"http_requests_total{method="GET",route="/api/v1/teams",status="401"}"#), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
    assert!(!text.contains("no-such-team"), "paths are not labels");
}

#[tokio::test]
async fn unknown_routes_are_json_404() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn openapi_describes_exactly_the_routes_that_exist() {
    let app = spawn_app().await;
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/api/v1/teams",
        "/api/v1/teams/{slug}",
        "/api/v1/teams/{slug}/members",
        "/api/v1/teams/{slug}/members/{email}",
        "/api/v1/areas",
    ] {
        assert!(paths.contains_key(expected), "{expected} missing from OpenAPI");
    }
    // Every documented operation is routed (the route exists, whatever it answers).
    for (path, ops) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for method in ops.as_object().unwrap().keys() {
            let concrete = path.replace("{slug}", "x").replace("{email}", "a@b.io");
            let req = app
                .client
                .request(method.to_uppercase().parse().unwrap(), app.url(&concrete))
                .bearer_auth(&app.token)
                .header("content-type", "application/json")
                .body("{}");
            let res = req.send().await.unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert!(
                !(status == 404 && body["message"] == "no such route"),
                "{method} {path} is documented but not routed"
            );
            assert_ne!(status, 405, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn the_front_page_says_what_this_is_with_live_counts() {
    let app = crate::helpers::spawn_demo_app().await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<th scope=\"row\">Teams</th><td>12</td>"), "{html}");
    assert!(html.contains("<th scope=\"row\">Closed survey cycles</th><td>4</td>"));
    assert!(html.contains("devpulse token create"));
}
