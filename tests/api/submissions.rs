//! Survey submissions over the API once their survey's form is cached. On
//! PostgreSQL such a submission is first tried in one statement that looks
//! the token up itself (`store::submissions::STORE_BY_TOKEN`); whatever it
//! does not store takes the ordinary way, which says why. Every check of the
//! ordinary way must hold on both: on SQLite the same requests take only it.

use crate::helpers::{OpenCycle, full_answers, spawn_app};
use serde_json::{Value, json};

/// Rows of `full_answers`: 14 likert, 2 picks, the hours and the comment.
const ROWS: i64 = 18;

#[tokio::test]
async fn submissions_after_the_first_keep_every_check() {
    let app = spawn_app().await;
    let OpenCycle { survey: s, cycle_id, .. } = app.open_devex_cycle(&[("core", "m", 8)]).await;
    let tokens = app.invitation_tokens_by_email(&cycle_id).await;
    let other = app.text_survey().await;
    let other_cycle = app.open_cycle(&other, None).await;
    let other_tokens = app.invitation_tokens(other_cycle["cycle_id"].as_str().unwrap()).await;
    let submit = |token: &str, answers: Value| {
        app.client.post(app.url("/api/v1/responses")).json(&json!({"token": token, "answers": answers})).send()
    };
    let status = |res: reqwest::Response| res.status().as_u16();

    // The first caches the form; the second may take one statement.
    assert_eq!(status(submit(&tokens[0].1, full_answers(&s, 4.0)).await.unwrap()), 201);
    assert_eq!(status(submit(&tokens[1].1, full_answers(&s, 2.0)).await.unwrap()), 201);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 2 * ROWS);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers WHERE value_num = 2").await, 14);
    let in_core = "SELECT COUNT(*) FROM responses r JOIN teams t ON t.team_id = r.team_id \
                   WHERE t.slug = 'core' AND r.submitted_on IS NOT NULL";
    assert_eq!(app.count(in_core).await, 2);

    // Used: 409, twice in a row and at once.
    let res = submit(&tokens[1].1, full_answers(&s, 2.0)).await.unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "already_answered");
    let (a, b) = tokio::join!(submit(&tokens[2].1, full_answers(&s, 3.0)), submit(&tokens[2].1, full_answers(&s, 3.0)));
    let mut both = [status(a.unwrap()), status(b.unwrap())];
    both.sort();
    assert_eq!(both, [201, 409]);

    // Bad answers: 422 naming the field, nothing claimed.
    let mut bad = full_answers(&s, 3.0);
    bad[0]["value"] = json!(6);
    let res = submit(&tokens[3].1, bad).await.unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "answers[0].value");
    // This survey's answers with a token of the other survey: 422, and the
    // other cycle gets nothing.
    let res = submit(&other_tokens[0], full_answers(&s, 3.0)).await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.json::<Value>().await.unwrap()["field"].as_str().unwrap().ends_with("question_id"));
    let other_id = other_cycle["cycle_id"].as_str().unwrap();
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM responses WHERE cycle_id = '{other_id}'")).await, 0);
    let text = json!([{"question_id": other["questions"][0]["question_id"], "text": "fine"}]);
    assert_eq!(status(submit(&other_tokens[0], text).await.unwrap()), 201);

    // A deactivated member's link no longer works: 404.
    let res = app
        .patch(&format!("/api/v1/teams/core/members/{}", tokens[4].0), &json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(status(submit(&tokens[4].1, full_answers(&s, 3.0)).await.unwrap()), 404);
    // An unknown token: 404.
    assert_eq!(status(submit(&"x".repeat(43), full_answers(&s, 3.0)).await.unwrap()), 404);

    // Closed: 410.
    let res = app.post(&format!("/api/v1/cycles/{cycle_id}/close"), &json!({})).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(status(submit(&tokens[5].1, full_answers(&s, 3.0)).await.unwrap()), 410);

    // Three stored in the DevEx cycle, one in the other; nothing else written.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM responses WHERE cycle_id = '{cycle_id}'")).await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 3 * ROWS + 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations WHERE used = true").await, 4);
}
