//! Shared datasets: the crafted organisations of the anonymity tests.

use crate::helpers::{TestApp, full_answers};
use serde_json::{Value, json};
use std::collections::HashMap;

pub struct Crafted {
    pub cycle_id: String,
    /// slug -> team_id
    pub ids: HashMap<String, String>,
    /// The comments in the order they were submitted.
    pub submitted: Vec<String>,
}

/// Teams `(slug, group, members, responses)`; one closed cycle where every
/// response answers 4 and writes a comment of its own.
pub async fn crafted(app: &TestApp, teams: &[(&str, &str, usize, usize)]) -> Crafted {
    crafted_with(app, teams, None).await
}

/// [`crafted`] with a survey given (for a second cycle of the same survey).
pub async fn crafted_with(app: &TestApp, teams: &[(&str, &str, usize, usize)], survey: Option<&Value>) -> Crafted {
    let mut ids = HashMap::new();
    for (slug, group, members, _) in teams {
        let res = app.get(&format!("/api/v1/teams/{slug}")).send().await.unwrap();
        let team: Value = if res.status() == 200 {
            res.json().await.unwrap()
        } else {
            let res = app
                .post("/api/v1/teams", &json!({"slug": slug, "name": slug.to_uppercase(), "group_name": group}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            app.add_members(slug, &format!("{slug}-"), *members).await;
            res.json().await.unwrap()
        };
        ids.insert(slug.to_string(), team["team_id"].as_str().unwrap().to_string());
    }
    let s = match survey {
        Some(s) => s.clone(),
        None => app.devex_survey().await,
    };
    let cycle_id = app.open_cycle(&s, None).await["cycle_id"].as_str().unwrap().to_string();
    let by_email = app.invitation_tokens_by_email(&cycle_id).await;
    let mut submitted = Vec::new();
    for (slug, _, _, responses) in teams {
        let mine: Vec<&String> =
            by_email.iter().filter(|(e, _)| e.starts_with(&format!("{slug}-"))).map(|(_, t)| t).collect();
        for token in mine.into_iter().take(*responses) {
            let mut answers = full_answers(&s, 4.0);
            let text = format!("comment {} of the crafted cycle", submitted.len() + 1);
            for a in answers.as_array_mut().unwrap() {
                if a.get("text").is_some() {
                    a["text"] = json!(text);
                }
            }
            let body = json!({"token": token, "answers": answers});
            assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
            submitted.push(text);
        }
    }
    let res = app.post(&format!("/api/v1/cycles/{cycle_id}/close"), &json!({})).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    Crafted { cycle_id, ids, submitted }
}
