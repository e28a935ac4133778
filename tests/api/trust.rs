//! Trust: credentials are checked before bodies, the database's own words
//! never reach a client, typed answers survive an oversized form, personal
//! links are stored hashed and can be replaced, and sent emails keep no links.

use crate::helpers::{OpenCycle, TestApp, full_answers, spawn_app};
use chrono::Utc;
use devpulse::entities::{member, outbox_email, team};
use devpulse::store::StoreError;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

#[tokio::test]
async fn bad_credentials_answer_401_whatever_the_body() {
    let app = spawn_app().await;
    let bogus = "A".repeat(43);
    for (path, body) in [
        ("/api/v1/friction", json!({})),
        ("/api/v1/friction", json!({"area_id": 7})),
        ("/api/v1/teams", json!({"slug": "NOT A SLUG"})),
        ("/api/v1/surveys", json!({"template": "nope"})),
        ("/api/v1/roadmap", json!([])),
    ] {
        for token in [bogus.as_str(), "dp_not_a_real_token"] {
            let res = app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
            assert_eq!(res.status(), 401, "{path} with {body}");
        }
        let res = app.client.post(app.url(path)).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path} without a token");
    }
    // Malformed JSON too.
    let res = app
        .client
        .post(app.url("/api/v1/friction"))
        .bearer_auth(&bogus)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // With a real token the body is checked as before.
    let res = app.post("/api/v1/friction", &json!({})).send().await.unwrap();
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn a_unique_constraint_answers_409_without_the_databases_words() {
    let app = spawn_app().await;
    let row = |id: &str| team::ActiveModel {
        team_id: Set(id.to_string()),
        slug: Set("same".into()),
        name: Set("Same".into()),
        group_name: Set(None),
        kind: Set(devpulse::domain::TeamKind::StreamAligned),
        created_at: Set(Utc::now()),
    };
    row("a").insert(&app.state.db).await.unwrap();
    let err: StoreError = row("b").insert(&app.state.db).await.unwrap_err().into();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    for word in ["UNIQUE", "unique", "teams", "slug", "constraint", "duplicate key"] {
        assert!(!text.contains(word), "{text}");
    }
}

#[tokio::test]
async fn an_oversized_survey_form_answers_413_with_the_answers_kept() {
    let app = spawn_app().await;
    let OpenCycle { survey: s, mut tokens, .. } = app.open_devex_cycle(&[("core", "m", 5)]).await;
    let token = tokens.remove(0);
    let q = |i: usize| s["questions"][i]["question_id"].as_str().unwrap().to_string();
    let mut form: Vec<(String, String)> = (0..14).map(|i| (format!("q_{}", q(i)), "4".into())).collect();
    form.push((format!("q_{}", q(16)), "a very long log paste ".repeat(4000)));
    let res = app.client.post(app.url(&format!("/s/{token}"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains("larger than 64 KiB") && html.contains("nothing was saved"), "a message on the form");
    assert!(html.contains(&format!("name=\"q_{}\" value=\"4\" checked", q(3))), "typed answers are kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 0);
    // Far beyond even what is read back: still the form, still nothing stored.
    form.last_mut().unwrap().1 = "x".repeat(2 * 1024 * 1024);
    let res = app.client.post(app.url(&format!("/s/{token}"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 0);
    // Control characters in a comment are refused, over the API and the form.
    let mut answers = full_answers(&s, 4.0);
    answers[16]["text"] = json!("fine\u{0}then");
    let res =
        app.client.post(app.url("/api/v1/responses")).json(&json!({"token": token, "answers": answers})).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "answers[16].text");
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 0);
}

async fn member_row(app: &TestApp, email: &str) -> member::Model {
    member::Entity::find().filter(member::Column::Email.eq(email)).one(&app.state.db).await.unwrap().unwrap()
}

#[tokio::test]
async fn personal_links_are_stored_hashed_and_a_member_can_replace_theirs() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 1).await;
    let old = app.member_token("m1@x.io").await;
    let row = member_row(&app, "m1@x.io").await;
    assert_eq!(row.token_hash, devpulse::store::hash_secret(&old));
    let cell = app.count(&format!("SELECT COUNT(*) FROM members WHERE member_token = '{old}'")).await;
    assert_eq!(cell, 0, "no column holds the token itself");
    assert_eq!(app.client.get(app.url(&format!("/p/{old}"))).send().await.unwrap().status(), 200);

    let res = app.client.post(app.url(&format!("/p/{old}/new-link"))).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let new = location.trim_start_matches("/p/").split('?').next().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(new, app.member_token("m1@x.io").await);
    assert_eq!(app.client.get(app.url(&format!("/p/{old}"))).send().await.unwrap().status(), 404);
    let page = app.client.get(app.url(&location)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("the old one no longer works"));
    // The old link works nowhere, the API included.
    let res = app.client.post(app.url("/api/v1/friction")).bearer_auth(&old).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let email = outbox_email::Entity::find()
        .filter(outbox_email::Column::Kind.eq("new_link"))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("the new link is emailed");
    assert!(email.body_text.contains(&format!("/p/{new}")));
    // A second try with the old link finds nothing to replace.
    let res = app.client.post(app.url(&format!("/p/{old}/new-link"))).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn sent_emails_keep_no_links_and_invitations_no_recipient() {
    let app = spawn_app().await;
    app.open_devex_cycle(&[("core", "m", 5)]).await;
    let queued = outbox_email::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(queued.len(), 10, "5 welcomes and 5 invitations");
    assert!(queued.iter().all(|e| e.body_text.contains("/p/") && !e.to_addr.is_empty()));
    let (_, drained) = app.tick(Utc::now()).await;
    assert_eq!(drained.sent, 10);
    let sent = outbox_email::Entity::find().all(&app.state.db).await.unwrap();
    for e in &sent {
        assert_eq!(e.status.as_str(), "sent");
        assert!(e.body_text.is_empty() && e.body_html.is_empty(), "{} keeps its body", e.kind);
        assert!(!e.subject.is_empty());
        match e.kind.as_str() {
            "invitation" | "reminder" => assert!(e.to_addr.is_empty(), "an invitation keeps its recipient"),
            _ => assert!(e.to_addr.ends_with("@x.io")),
        }
    }
    // The .eml files (the SMTP stand-in) did get the links.
    let files = std::fs::read_dir(&app.state.config.mail_dir).unwrap().count();
    assert_eq!(files, 10);
}

#[tokio::test]
async fn an_unknown_stored_enum_value_is_an_error_not_a_default() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    app.create_team("core").await;
    assert_eq!(app.get("/api/v1/teams/core").send().await.unwrap().status(), 200);
    app.state.db.execute_unprepared("UPDATE teams SET kind = 'squad' WHERE slug = 'core'").await.unwrap();
    let res = app.get("/api/v1/teams/core").send().await.unwrap();
    assert_eq!(res.status(), 500, "typed columns never read a bad value as a default");
    let body: Value = res.json().await.unwrap();
    assert!(!body["message"].as_str().unwrap().contains("squad"), "details stay in the log");
}

#[tokio::test]
async fn a_lost_link_is_emailed_to_members_only_with_the_same_answer_for_anyone() {
    let app = crate::helpers::spawn_app_with(|c| c.signin_window = std::time::Duration::from_secs(60)).await;
    app.create_team("core").await;
    app.add_members("core", "m", 1).await;
    assert_eq!(app.client.get(app.url("/p")).send().await.unwrap().status(), 200);
    let ask = |email: &'static str| {
        let app = &app;
        async move { app.client.post(app.url("/p")).form(&[("email", email)]).send().await.unwrap() }
    };
    let member = ask("M1@x.io").await;
    let stranger = ask("nobody@x.io").await;
    assert_eq!((member.status().as_u16(), stranger.status().as_u16()), (200, 200));
    assert_eq!(member.text().await.unwrap(), stranger.text().await.unwrap(), "the same answer");
    let sent = outbox_email::Entity::find()
        .filter(outbox_email::Column::Kind.eq("your_link"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to_addr, "m1@x.io");
    assert!(sent[0].body_text.contains(&format!("/p/{}", app.member_token("m1@x.io").await)));
    // Throttled like sign-in.
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..6 {
            v.push(ask("nobody@x.io").await.status().as_u16());
        }
        v
    };
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
}

#[tokio::test]
async fn a_page_says_try_again_only_when_the_database_is_really_unavailable() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 1).await;
    let token = app.member_token("m1@x.io").await;
    // A broken row is a 500 that says so, not "try again".
    let res =
        app.post("/api/v1/friction", &json!({"area_id": "ci", "title": "t", "trying_to": "x", "blocked_by": "y"}));
    assert_eq!(res.send().await.unwrap().status(), 201);
    app.state.db.execute_unprepared("UPDATE friction_reports SET status = 'bogus'").await.unwrap();
    let res = app.client.get(app.url(&format!("/p/{token}"))).send().await.unwrap();
    assert_eq!(res.status(), 500);
    let html = res.text().await.unwrap();
    assert!(html.contains("Something went wrong") && !html.contains("could not reach our database"));
    // The database gone: 503, try again, Retry-After.
    app.state.db.close_by_ref().await.unwrap();
    let res = app.client.get(app.url(&format!("/p/{token}"))).send().await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "5");
    assert!(res.text().await.unwrap().contains("could not reach our database"));
}
