use crate::helpers::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn the_fourteen_default_areas_are_seeded_with_their_dimensions() {
    let app = spawn_app().await;
    let body: Value = app.client.get(app.url("/api/v1/areas?limit=200")).send().await.unwrap().json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 14);
    let dim = |id: &str| items.iter().find(|a| a["area_id"] == id).unwrap()["dimension"].clone();
    assert_eq!(dim("ci"), "feedback_loops");
    assert_eq!(dim("change_confidence"), "cognitive_load");
    assert_eq!(dim("incident_response"), "flow_state");
    assert_eq!(body["next_cursor"], Value::Null);
}

#[tokio::test]
async fn areas_page_with_cursors() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/areas?limit=5&cursor={c}"),
            None => "/api/v1/areas?limit=5".to_string(),
        };
        let body: Value = app.get(&path).send().await.unwrap().json().await.unwrap();
        let items = body["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        seen.extend(items.iter().map(|a| a["area_id"].as_str().unwrap().to_string()));
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen.len(), 14);
    assert_eq!(seen, sorted);
}

#[tokio::test]
async fn bad_pagination_is_422_naming_the_field() {
    let app = spawn_app().await;
    for (q, field) in [("limit=0", "limit"), ("limit=abc", "limit"), ("limit=201", "limit"), ("cursor=%%%", "cursor")] {
        let res = app.get(&format!("/api/v1/areas?{q}")).send().await.unwrap();
        assert_eq!(res.status(), 422, "{q}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["field"], field, "{q}");
    }
}

#[tokio::test]
async fn admins_add_areas_and_bad_ones_are_refused() {
    let app = spawn_app().await;
    let res = app
        .post("/api/v1/areas", &json!({"area_id": "security_review", "name": "Security review", "dimension": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .post("/api/v1/areas", &json!({"area_id": "security_review", "name": "Again", "dimension": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let res =
        app.post("/api/v1/areas", &json!({"area_id": "x", "name": "X", "dimension": "vibes"})).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "dimension");
    let res = app
        .client
        .post(app.url("/api/v1/areas"))
        .json(&json!({"area_id": "y", "name": "Y", "dimension": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(app.count("SELECT COUNT(*) FROM areas").await, 15);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'area.create'").await, 1);
}
