use crate::helpers::spawn_app;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

#[tokio::test]
async fn create_get_and_list_teams() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/api/v1/teams",
            &json!({"slug": "payments-api", "name": "Payments API", "group_name": "Payments", "kind": "platform"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let team: Value = res.json().await.unwrap();
    assert_eq!(team["slug"], "payments-api");
    assert_eq!(team["group_name"], "Payments");
    assert_eq!(team["kind"], "platform");
    assert_eq!(team["members"], 0);

    let team: Value = app.get("/api/v1/teams/payments-api").send().await.unwrap().json().await.unwrap();
    assert_eq!(team["name"], "Payments API");

    for slug in ["c-team", "a-team", "b-team"] {
        app.create_team(slug).await;
    }
    let page: Value = app.get("/api/v1/teams?limit=2").send().await.unwrap().json().await.unwrap();
    let slugs: Vec<_> = page["items"].as_array().unwrap().iter().map(|t| t["slug"].clone()).collect();
    assert_eq!(slugs, vec!["a-team", "b-team"]);
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let page: Value =
        app.get(&format!("/api/v1/teams?limit=2&cursor={cursor}")).send().await.unwrap().json().await.unwrap();
    let slugs: Vec<_> = page["items"].as_array().unwrap().iter().map(|t| t["slug"].clone()).collect();
    assert_eq!(slugs, vec!["c-team", "payments-api"]);
    assert_eq!(page["next_cursor"], Value::Null);
}

#[tokio::test]
async fn bad_team_input_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    app.create_team("core").await;
    let cases: Vec<(Value, u16, Option<&str>)> = vec![
        (json!({"slug": "core", "name": "Dup"}), 409, None),
        (json!({"name": "No slug"}), 422, Some("slug")),
        (json!({"slug": "x", "name": 5}), 422, Some("name")),
        (json!({"slug": "Bad Slug", "name": "x"}), 422, Some("slug")),
        (json!({"slug": "x", "name": "   "}), 422, Some("name")),
        (json!({"slug": "x", "name": "x", "kind": "squad"}), 422, Some("kind")),
        (json!({"slug": "x", "name": "x", "colour": "red"}), 422, Some("colour")),
    ];
    for (body, status, field) in cases {
        let res = app.post("/api/v1/teams", &body).send().await.unwrap();
        assert_eq!(res.status(), status, "{body}");
        let err: Value = res.json().await.unwrap();
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        if let Some(field) = field {
            assert_eq!(err["error"], "invalid");
            assert_eq!(err["field"], field, "{body}: {err}");
        }
    }
    // Malformed JSON.
    let res = app
        .client
        .post(app.url("/api/v1/teams"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{\"slug\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "bad_request");
    // Not JSON at all.
    let res = app.client.post(app.url("/api/v1/teams")).bearer_auth(&app.token).body("slug=x").send().await.unwrap();
    assert_eq!(res.status(), 415);
    // Too large.
    let big = json!({"slug": "big", "name": "x".repeat(70_000)});
    let res = app.post("/api/v1/teams", &big).send().await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(app.count("SELECT COUNT(*) FROM teams").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 1);
}

#[tokio::test]
async fn admin_routes_need_a_live_token() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/teams")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "unauthorized");
    for bad in ["nope", "dp_00000000000000000000000000000000_x", &format!("{}x", app.token)] {
        let res = app.client.get(app.url("/api/v1/teams")).bearer_auth(bad).send().await.unwrap();
        assert_eq!(res.status(), 401, "{bad}");
    }
    let (row, token) = devpulse::store::tokens::create(&app.state.db, "temp").await.unwrap();
    let res = app.client.get(app.url("/api/v1/teams")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    devpulse::store::tokens::revoke(&app.state.db, &row.token_id).await.unwrap();
    let res = app.client.get(app.url("/api/v1/teams")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn adding_a_member_queues_a_welcome_email_with_their_page_link() {
    let app = spawn_app().await;
    app.create_team("core").await;
    let res = app.post("/api/v1/teams/core/members", &json!({"email": " Ada@Example.com "})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let member: Value = res.json().await.unwrap();
    assert_eq!(member["email"], "ada@example.com");
    assert_eq!(member["team"], "core");
    assert!(member.get("member_token").is_none(), "the personal link is only emailed");

    let outbox = devpulse::entities::outbox_email::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(outbox.len(), 1);
    let email = &outbox[0];
    assert_eq!(email.kind.as_str(), "welcome");
    assert_eq!(email.to_addr, "ada@example.com");
    assert_eq!(email.status.as_str(), "queued");
    let m = devpulse::entities::member::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_ne!(m.token_hash.len(), 43, "the token itself is not stored");
    let token = app.member_token("ada@example.com").await;
    assert_eq!(m.token_hash, devpulse::store::hash_secret(&token));
    let link = format!("{}/p/{token}", app.state.config.base_url);
    assert!(email.body_text.contains(&link), "{}", email.body_text);
    assert!(email.body_html.contains(&link));
    assert!(email.message_id.starts_with('<') && email.message_id.ends_with("@localhost>"));

    let team: Value = app.get("/api/v1/teams/core").send().await.unwrap().json().await.unwrap();
    assert_eq!(team["members"], 1);
    let list: Value = app.get("/api/v1/teams/core/members").send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"][0]["email"], "ada@example.com");
}

#[tokio::test]
async fn bad_member_input_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.create_team("edge").await;
    assert_eq!(
        app.post("/api/v1/teams/core/members", &json!({"email": "ada@x.io"})).send().await.unwrap().status(),
        201
    );
    let cases: Vec<(&str, Value, u16)> = vec![
        ("core", json!({"email": "ADA@x.io"}), 409),
        ("edge", json!({"email": "ada@x.io"}), 409),
        ("nope", json!({"email": "bob@x.io"}), 404),
        ("core", json!({"email": "not-an-email"}), 422),
        ("core", json!({}), 422),
    ];
    for (team, body, status) in cases {
        let res = app.post(&format!("/api/v1/teams/{team}/members"), &body).send().await.unwrap();
        assert_eq!(res.status(), status, "{team} {body}");
        if status == 422 {
            assert_eq!(res.json::<Value>().await.unwrap()["field"], "email");
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox").await, 1);
}

#[tokio::test]
async fn deactivating_and_reactivating_a_member() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.create_team("edge").await;
    app.post("/api/v1/teams/core/members", &json!({"email": "ada@x.io"})).send().await.unwrap();
    assert_eq!(app.delete("/api/v1/teams/core/members/bob@x.io").send().await.unwrap().status(), 404);
    assert_eq!(app.delete("/api/v1/teams/edge/members/ada@x.io").send().await.unwrap().status(), 404);
    assert_eq!(app.delete("/api/v1/teams/core/members/ada@x.io").send().await.unwrap().status(), 204);
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE active = false").await, 1);
    let team: Value = app.get("/api/v1/teams/core").send().await.unwrap().json().await.unwrap();
    assert_eq!(team["members"], 0);
    // Adding the same person again reactivates them, here in another team.
    let res = app.post("/api/v1/teams/edge/members", &json!({"email": "ada@x.io"})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["team"], "edge");
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE active = true").await, 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('member.add', 'member.deactivate', 'member.reactivate')"
        )
        .await,
        3
    );
}
