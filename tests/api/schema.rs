use crate::helpers::spawn_app;

#[tokio::test]
async fn responses_cannot_be_tied_to_a_person() {
    let app = spawn_app().await;
    assert_eq!(app.columns("responses").await, ["response_id", "cycle_id", "team_id", "submitted_on"]);
    let invitation = app.columns("invitations").await;
    assert!(!invitation.iter().any(|c| c.contains("response") || c.ends_with("_at")), "{invitation:?}");
    let answers = app.columns("answers").await;
    assert!(!answers.iter().any(|c| c.contains("member") || c.contains("invitation") || c.ends_with("_at")));
}

#[tokio::test]
async fn every_table_of_the_domain_exists() {
    let app = spawn_app().await;
    for table in [
        "teams",
        "members",
        "areas",
        "surveys",
        "questions",
        "cycles",
        "cycle_teams",
        "invitations",
        "responses",
        "answers",
        "friction_reports",
        "me_too_votes",
        "roadmap_items",
        "admin_users",
        "api_tokens",
        "email_outbox",
        "audit_log",
        "settings",
    ] {
        assert!(!app.columns(table).await.is_empty(), "{table} missing");
    }
    assert!(!app.columns("api_tokens").await.contains(&"token".to_string()), "tokens are stored hashed");
}

#[tokio::test]
async fn the_secret_key_is_generated_once_and_kept() {
    let app = spawn_app().await;
    let key = app.state.secret_key.clone();
    assert!(key.len() >= 64);
    let again = devpulse::store::settings::get_or_init(&app.state.db, "secret_key", || "other".into()).await.unwrap();
    assert_eq!(again, key);
}

#[tokio::test]
async fn a_body_must_be_an_object_and_a_paths_other_methods_answer_405() {
    let app = spawn_app().await;
    // serde would read the struct from an array of its fields in order.
    let res = app.post("/api/v1/areas", &serde_json::json!(["arr", "Array area", "other"])).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["field"], "body", "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM areas WHERE area_id = 'arr'").await, 0);
    let res = app.delete("/api/v1/areas").send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, POST");
    let res = app.client.put(app.url("/api/v1/friction/x/me-too")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    assert_eq!(app.get("/api/v1/no-such-thing").send().await.unwrap().status(), 404);
    // The document lists the wire words of an enum, not the variant names.
    let doc: serde_json::Value = app.get("/api/openapi.json").send().await.unwrap().json().await.unwrap();
    assert_eq!(
        doc["components"]["schemas"]["TeamKind"]["enum"][0], "stream-aligned",
        "{}",
        doc["components"]["schemas"]["TeamKind"]
    );
}
