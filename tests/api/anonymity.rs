//! The export cannot single out a small team, and groups are frozen per
//! cycle: the crafted case of analysis.md (two teams of 6 and 3 responses in
//! one group), alone and beside another group, and after moving the 3-team.

use crate::helpers::{TestApp, full_answers, spawn_app};
use serde_json::{Value, json};
use std::collections::HashMap;

struct Crafted {
    cycle_id: String,
    /// slug -> team_id
    ids: HashMap<String, String>,
}

/// Teams `(slug, group, members, responses)`; one closed cycle.
async fn crafted(app: &TestApp, teams: &[(&str, &str, usize, usize)]) -> Crafted {
    let mut ids = HashMap::new();
    for (slug, group, members, _) in teams {
        let res = app
            .post("/api/v1/teams", &json!({"slug": slug, "name": slug.to_uppercase(), "group_name": group}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let team: Value = res.json().await.unwrap();
        ids.insert(slug.to_string(), team["team_id"].as_str().unwrap().to_string());
        app.add_members(slug, &format!("{slug}-"), *members).await;
    }
    let s = app.devex_survey().await;
    let cycle_id = app.open_cycle(&s, None).await["cycle_id"].as_str().unwrap().to_string();
    // Invitation tokens by member email prefix (the team slug).
    let by_email = app.invitation_tokens_by_email(&cycle_id).await;
    for (slug, _, _, responses) in teams {
        let mine: Vec<&String> =
            by_email.iter().filter(|(e, _)| e.starts_with(&format!("{slug}-"))).map(|(_, t)| t).collect();
        for token in mine.into_iter().take(*responses) {
            let body = json!({"token": token, "answers": full_answers(&s, 4.0)});
            assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
        }
    }
    let res = app.post(&format!("/api/v1/cycles/{cycle_id}/close"), &json!({})).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    Crafted { cycle_id, ids }
}

/// The export as CSV text, by table.
async fn export(app: &TestApp) -> HashMap<String, String> {
    let load = devpulse::export::Load { k_rule: Some(5), cycles: None };
    let tables =
        devpulse::export::load(&app.state.db, &load, &devpulse::progress::Progress::new("t", false)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    tables.write_dir(dir.path(), analysis::Format::Csv).unwrap();
    ["responses", "participation"]
        .into_iter()
        .map(|t| (t.to_string(), std::fs::read_to_string(dir.path().join(format!("{t}.csv"))).unwrap()))
        .collect()
}

async fn team_scores(app: &TestApp, cycle_id: &str, scope: &str) -> Value {
    app.get(&format!("/api/v1/cycles/{cycle_id}/scores?scope={scope}")).send().await.unwrap().json().await.unwrap()
}

/// Whether the export names a team anywhere in responses or participation.
fn named(export: &HashMap<String, String>, team_id: &str) -> bool {
    export.values().any(|csv| csv.contains(team_id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_group_of_a_six_and_a_three_team_exports_neither_team() {
    let app = spawn_app().await;
    let c = crafted(&app, &[("six", "g", 7, 6), ("three", "g", 4, 3)]).await;
    let out = export(&app).await;
    assert!(!named(&out, &c.ids["six"]), "the 6-team would reveal the 3-team by subtraction");
    assert!(!named(&out, &c.ids["three"]));
    // Org figures are unchanged: all 9 responses are there, without a team.
    assert_eq!(out["responses"].lines().count(), 1 + 9);
    // Participation: one merged row per cycle, with no team and no group.
    let rows: Vec<&str> = out["participation"].lines().skip(1).collect();
    assert_eq!(rows, [format!("{},,11,9,", c.cycle_id)]);
    for slug in ["six", "three"] {
        assert_eq!(team_scores(&app, &c.cycle_id, &format!("team:{slug}")).await["suppressed"], true, "{slug}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beside_another_group_the_small_group_stays_hidden_and_the_others_are_named() {
    let app = spawn_app().await;
    let c = crafted(&app, &[("six", "g", 7, 6), ("three", "g", 4, 3), ("red", "h", 6, 6), ("blue", "h", 8, 7)]).await;
    let out = export(&app).await;
    assert!(!named(&out, &c.ids["six"]) && !named(&out, &c.ids["three"]));
    assert!(named(&out, &c.ids["red"]) && named(&out, &c.ids["blue"]));
    let p = &out["participation"];
    assert!(p.contains(&format!("{},{},6,6,h", c.cycle_id, c.ids["red"])), "{p}");
    assert!(p.contains(&format!("{},,11,9,", c.cycle_id)), "{p}");
    assert_eq!(team_scores(&app, &c.cycle_id, "team:red").await["suppressed"], false);
    assert_eq!(team_scores(&app, &c.cycle_id, "group:g").await["suppressed"], false, "9 responses, beside h");
    assert_eq!(team_scores(&app, &c.cycle_id, "team:six").await["reason"], "differencing");

    // Moving the 3-team to the other group later changes nothing for this cycle.
    app.state
        .db
        .execute_unprepared(&format!("UPDATE teams SET group_name = 'h' WHERE team_id = '{}'", c.ids["three"]))
        .await
        .unwrap();
    let after = export(&app).await;
    assert_eq!(after, out, "the export of a closed cycle does not move with its teams");
    assert_eq!(team_scores(&app, &c.cycle_id, "team:six").await["suppressed"], true, "six stays hidden");
    assert_eq!(team_scores(&app, &c.cycle_id, "team:red").await["suppressed"], false);
    let g = team_scores(&app, &c.cycle_id, "group:g").await;
    assert_eq!(g["suppressed"], false);
    assert_eq!(g["responses"], 9, "group g as it was when the cycle opened");
}

use sea_orm::ConnectionTrait;
