//! Erasure (GDPR): a person can be erased through the API or the command
//! line, leaving no row that holds their address, while the participation
//! and the anonymous responses of past cycles stay exactly as they were; and
//! what devpulse holds about them can be exported first.

use crate::cli::{assert_one_line_error, devpulse, stderr};
use crate::helpers::{OpenCycle, TestApp, full_answers, spawn_app};
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const WHO: &str = "m1@x.io";

/// Every table of the database, from the database itself.
async fn tables(app: &TestApp) -> Vec<String> {
    let db = &app.state.db;
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        _ => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
}

/// Every (table, column, rows) whose text holds `needle`, in any case.
async fn holders(app: &TestApp, needle: &str) -> Vec<(String, String, i64)> {
    let mut out = Vec::new();
    for table in tables(app).await {
        for column in app.columns(&table).await {
            let sql = format!(
                "SELECT COUNT(*) FROM \"{table}\" WHERE LOWER(CAST(\"{column}\" AS TEXT)) LIKE '%{}%'",
                needle.to_lowercase()
            );
            let n = app.count(&sql).await;
            if n > 0 {
                out.push((table.clone(), column, n));
            }
        }
    }
    out
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

/// Files a friction report with a member token; returns its id.
async fn file_report(app: &TestApp, token: &str, title: &str, follow_up: bool) -> String {
    let body =
        json!({"area_id": "ci", "title": title, "trying_to": "merge", "blocked_by": "queue", "follow_up": follow_up});
    let res = app.client.post(app.url("/api/v1/friction")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["report_id"].as_str().unwrap().to_string()
}

/// A closed cycle of six members, five of whom answered (`WHO` among them);
/// `WHO` follows a report of their own, said "me too" to another, has a
/// follow-up email queued and "results are out" emails sent, and someone
/// tried to sign in to the console with their address.
async fn history(app: &TestApp) -> (OpenCycle, String, String) {
    let open = app.open_devex_cycle(&[("core", "m", 6)]).await;
    for token in open.tokens.iter().take(5) {
        let body = json!({"token": token, "answers": full_answers(&open.survey, 4.0)});
        assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
    }
    let close = app.post(&format!("/api/v1/cycles/{}/close", open.cycle_id), &json!({})).send().await.unwrap();
    assert_eq!(close.status(), 200);
    app.tick(Utc::now()).await;
    let me = app.member_token(WHO).await;
    let other = app.member_token("m2@x.io").await;
    let followed = file_report(app, &me, "Runners are slow", true).await;
    let voted = file_report(app, &other, "Flaky tests", false).await;
    let res = app.client.post(app.url(&format!("/api/v1/friction/{voted}/me-too"))).bearer_auth(&me).send().await;
    assert_eq!(res.unwrap().status(), 200);
    let triage = app.client.patch(app.url(&format!("/api/v1/friction/{followed}"))).bearer_auth(&app.token);
    assert_eq!(triage.json(&json!({"status": "triaged"})).send().await.unwrap().status(), 200);
    let signin = [("email", "M1@X.io"), ("password", "not the password"), ("next", "/admin")];
    assert_eq!(app.client.post(app.url("/admin/login")).form(&signin).send().await.unwrap().status(), 401);
    (open, followed, voted)
}

/// What must not change when someone is erased.
async fn kept(app: &TestApp, cycle_id: &str) -> (Value, Value, i64, i64, i64) {
    let cycle = json_of(app, &format!("/api/v1/cycles/{cycle_id}")).await;
    let mut results = json_of(app, &format!("/api/v1/cycles/{cycle_id}/results")).await;
    // A team's headcount is its size today (it orders the rows), not a figure of the cycle.
    for row in results["rows"].as_array_mut().unwrap() {
        row.as_object_mut().unwrap().remove("headcount");
    }
    (
        cycle["participation"].clone(),
        results,
        app.count("SELECT COUNT(*) FROM responses").await,
        app.count("SELECT COUNT(*) FROM answers").await,
        app.count("SELECT COUNT(*) FROM invitations").await,
    )
}

#[tokio::test]
async fn erasing_a_member_keeps_past_participation_and_responses_and_leaves_no_row_with_their_address() {
    let app = spawn_app().await;
    let (open, followed, voted) = history(&app).await;
    let personal_link = app.member_token(WHO).await;
    let invitation_link = open.tokens[0].clone();

    // What devpulse holds about them, before.
    let data = json_of(&app, &format!("/api/v1/members/{WHO}/data")).await;
    assert_eq!((data["member"]["email"].as_str(), data["member"]["team"].as_str()), (Some(WHO), Some("core")));
    assert_eq!(data["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&data["invitations"][0]["cycle_id"], &data["invitations"][0]["used"]),
        (&json!(open.cycle_id), &json!(true))
    );
    assert_eq!(data["followed_reports"][0]["report_id"], json!(followed));
    assert_eq!(data["me_too"][0]["report_id"], json!(voted));
    let kinds: Vec<&str> = data["emails"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"welcome") && kinds.contains(&"results") && kinds.contains(&"friction_followup"),
        "{kinds:?}"
    );
    assert!(
        data["emails"].as_array().unwrap().iter().all(|e| e.get("body_text").is_none() && e.get("to_addr").is_none())
    );
    assert!(!data.to_string().contains("response"), "nothing links them to an answer: {data}");
    assert!(!holders(&app, WHO).await.is_empty());

    // Asked for by name only; unknown people are 404.
    let res = app.delete(&format!("/api/v1/members/{WHO}")).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "erase");
    assert_eq!(app.delete(&format!("/api/v1/members/{WHO}?erase=false")).send().await.unwrap().status(), 422);
    assert_eq!(app.delete("/api/v1/members/nobody@x.io?erase=true").send().await.unwrap().status(), 404);
    assert_eq!(
        app.client.delete(app.url(&format!("/api/v1/members/{WHO}?erase=true"))).send().await.unwrap().status(),
        401
    );

    let before = kept(&app, &open.cycle_id).await;
    let res = app.delete(&format!("/api/v1/members/{WHO}?erase=true")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let erased: Value = res.json().await.unwrap();
    assert_eq!(erased["team"], "core");
    assert_eq!(
        (&erased["invitations_kept_anonymous"], &erased["reports_unlinked"], &erased["votes_removed"]),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(kept(&app, &open.cycle_id).await, before, "participation, results and responses are unchanged");

    assert_eq!(holders(&app, WHO).await, vec![], "no row holds their address");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE member_id IS NULL AND token_hash IS NULL AND used = true")
            .await,
        1
    );
    // The reports stay, unlinked; the vote still counts.
    let report = json_of(&app, &format!("/api/v1/friction/{followed}")).await;
    assert_eq!(report["follow_up"], false);
    assert_eq!(json_of(&app, &format!("/api/v1/friction/{voted}")).await["me_too"], 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM friction_reports WHERE reporter_member_id IS NOT NULL").await, 0);
    // Their links are dead, and there is nothing left to export.
    assert_eq!(app.client.get(app.url(&format!("/p/{personal_link}"))).send().await.unwrap().status(), 404);
    assert_eq!(app.client.get(app.url(&format!("/s/{invitation_link}"))).send().await.unwrap().status(), 404);
    assert_eq!(app.get(&format!("/api/v1/members/{WHO}/data")).send().await.unwrap().status(), 404);
    assert_eq!(app.delete(&format!("/api/v1/members/{WHO}?erase=true")).send().await.unwrap().status(), 404);
    // Audited with the team, not the address.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.erase' AND detail LIKE '%core%'").await,
        1
    );
}

#[tokio::test]
async fn an_erased_members_invitation_to_an_open_cycle_stays_counted_and_gets_no_reminder() {
    let app = spawn_app().await;
    let open = app.open_devex_cycle(&[("core", "m", 6)]).await;
    let body = json!({"token": open.tokens[1], "answers": full_answers(&open.survey, 3.0)});
    assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
    let before = json_of(&app, &format!("/api/v1/cycles/{}", open.cycle_id)).await["participation"].clone();
    assert_eq!(app.delete(&format!("/api/v1/members/{WHO}?erase=true")).send().await.unwrap().status(), 200);
    assert_eq!(json_of(&app, &format!("/api/v1/cycles/{}", open.cycle_id)).await["participation"], before);
    // On a reminder day the four others who have not answered are reminded; the anonymous row is skipped.
    let (tick, _) = app.tick(Utc::now() + Duration::days(4)).await;
    assert_eq!(tick.reminded, 4);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'reminder'").await, 4);
    assert!(holders(&app, WHO).await.is_empty());
}

#[tokio::test]
async fn the_command_line_erases_and_exits_2_for_an_unknown_address() {
    let app = spawn_app().await;
    let (open, _, _) = history(&app).await;
    let before = kept(&app, &open.cycle_id).await;
    let o = devpulse(&app.database_url, &["member", "erase", "M1@x.io"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("m1@x.io erased") && out.contains("1 invitations kept without a name"), "{out}");
    assert_eq!(kept(&app, &open.cycle_id).await, before);
    assert_eq!(holders(&app, WHO).await, vec![]);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.erase' AND actor = 'cli'").await, 1);
    for unknown in ["m1@x.io", "not-an-email"] {
        let o = devpulse(&app.database_url, &["member", "erase", unknown]);
        assert_one_line_error(&o, 2);
    }
    assert!(stderr(&devpulse(&app.database_url, &["member", "erase", "m1@x.io"])).contains("no member m1@x.io"));
}

#[tokio::test]
async fn the_routes_are_documented() {
    let app = spawn_app().await;
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let erase = &doc["paths"]["/api/v1/members/{email}"]["delete"];
    assert!(erase["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "erase"), "{erase}");
    assert!(erase["responses"]["422"].is_object());
    assert!(doc["paths"]["/api/v1/members/{email}/data"]["get"]["responses"]["200"].is_object());
}
