//! Survey submissions over the API once their survey's form is cached: such
//! a submission is first stored by a claim that looks the token up itself
//! (`Submissions::store_by_token`: one statement on PostgreSQL, the writer's
//! batch on SQLite); whatever it does not store takes the ordinary way,
//! which says why. Every check of the ordinary way must hold on both.

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

/// The claim by token itself (`Submissions::store_by_token`: one statement
/// on PostgreSQL, the writer's batch on SQLite), called as the route calls
/// it: it stores only what the lookup would let through, and says so.
#[tokio::test]
async fn the_claim_by_token_stores_only_what_the_lookup_would_allow() {
    use chrono::{Duration, Utc};
    use devpulse::store::{invitations::hash_token, responses::Valid};
    let app = spawn_app().await;
    let OpenCycle { survey: s, cycle_id, .. } = app.open_devex_cycle(&[("core", "m", 12)]).await;
    let tokens = app.invitation_tokens_by_email(&cycle_id).await;
    let other = app.text_survey().await;
    let survey_id = s["survey_id"].as_str().unwrap();
    let rows: Vec<Valid> = s["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["kind"] == "likert5")
        .map(|q| Valid {
            question_id: q["question_id"].as_str().unwrap().into(),
            value_num: Some(4.0),
            choice: None,
            text: None,
        })
        .collect();
    let today = Utc::now().date_naive();
    let subs = &app.state.submissions;
    let store = |i: usize, survey: &str, day: chrono::NaiveDate| {
        let (hash, survey, rows) = (hash_token(&tokens[i].1), survey.to_string(), rows.clone());
        async move { subs.store_by_token(&hash, &survey, day, rows).await.unwrap() }
    };

    assert!(store(0, survey_id, today).await);
    // Used already, another survey's answers, an unknown token, a day
    // before the cycle opens or from its closing day on: nothing stored.
    assert!(!store(0, survey_id, today).await);
    assert!(!store(1, other["survey_id"].as_str().unwrap(), today).await);
    assert!(!subs.store_by_token(&hash_token(&"x".repeat(43)), survey_id, today, rows.clone()).await.unwrap());
    assert!(!store(1, survey_id, today - Duration::days(1)).await);
    assert!(!store(1, survey_id, today + Duration::days(14)).await);
    // A deactivated member's token.
    let res = app
        .patch(&format!("/api/v1/teams/core/members/{}", tokens[2].0), &json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(!store(2, survey_id, today).await);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations WHERE used = true").await, 1);

    // Many at once (one batch on SQLite): the same token twice stores once,
    // a token for a day the cycle is not open stores nothing, and the same
    // day's others all store.
    let (a, b, early, c, d, e) = tokio::join!(
        store(3, survey_id, today),
        store(3, survey_id, today),
        store(4, survey_id, today - Duration::days(1)),
        store(5, survey_id, today),
        store(6, survey_id, today),
        store(7, survey_id, today + Duration::days(1)),
    );
    assert_eq!([a as u8 + b as u8, early as u8, c as u8, d as u8, e as u8], [1, 0, 1, 1, 1]);

    // The same token first for another survey, then for its own; first for
    // a day the cycle is not open, then for today (each pair one batch on
    // SQLite): only the submission the claim checked stores.
    let other_id = other["survey_id"].as_str().unwrap();
    let (wrong, right, early, on_time) = tokio::join!(
        store(9, other_id, today),
        store(9, survey_id, today),
        store(10, survey_id, today - Duration::days(1)),
        store(10, survey_id, today),
    );
    assert_eq!([wrong, right, early, on_time], [false, true, false, true]);
    let early_day = (today - Duration::days(1)).to_string();
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM responses WHERE submitted_on = '{early_day}'")).await, 0);

    // Once closed, nothing more.
    let res = app.post(&format!("/api/v1/cycles/{cycle_id}/close"), &json!({})).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert!(!store(8, survey_id, today).await);

    // Seven responses, each with its rows and its team; seven invitations used.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM responses WHERE cycle_id = '{cycle_id}'")).await, 7);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 7 * rows.len() as i64);
    let in_core = "SELECT COUNT(*) FROM responses r JOIN teams t ON t.team_id = r.team_id WHERE t.slug = 'core'";
    assert_eq!(app.count(in_core).await, 7);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations WHERE used = true").await, 7);
}
