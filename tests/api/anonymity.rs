//! The export cannot single out a small team, and groups are frozen per
//! cycle: the crafted case of analysis.md (two teams of 6 and 3 responses in
//! one group), alone and beside another group, and after moving the 3-team.

use crate::fixtures::crafted;
use crate::helpers::{TestApp, spawn_app};
use serde_json::Value;
use std::collections::HashMap;

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
