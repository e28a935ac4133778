//! "The results are out": when a cycle closes, every member invited to it
//! gets one email (even with several instances ticking at once) naming the
//! top three priorities and what is planned or shipped for them, or, under k
//! responses, no figure at all; and friction reports record when they were
//! first triaged.

use crate::helpers::{
    OpenCycle, TestApp, fresh_database, full_answers, member_tokens, spawn_app, spawn_app_with, spawn_on,
};
use crate::smtp::SmtpServer;
use chrono::{Duration, NaiveDate, Utc};
use devpulse::entities::friction_report;
use devpulse::store::cycles::{Mailing, run_due};
use migrations::MigratorTrait;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

const SUBJECT: &str = "the results are out";

/// Answers `n` of the cycle's invitations with `likert` everywhere.
async fn answer(app: &TestApp, open: &OpenCycle, n: usize, likert: f64) {
    for token in open.tokens.iter().take(n) {
        let body = json!({"token": token, "answers": full_answers(&open.survey, likert)});
        assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
    }
}

/// The "results are out" messages the SMTP server got, by recipient.
fn results_messages(smtp: &SmtpServer) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.lines().any(|l| l.starts_with("Subject: ") && l.contains(SUBJECT)))
        .map(|m| (m.lines().find(|l| l.starts_with("To: ")).unwrap_or_default().trim_start_matches("To: ").into(), m))
        .collect();
    out.sort();
    out
}

async fn add_roadmap_item(app: &TestApp, title: &str, area_id: &str, status: &str) {
    let mut body = json!({"title": title, "area_id": area_id, "status": status});
    if status == "shipped" {
        body["shipped_on"] = json!(Utc::now().date_naive().to_string());
    }
    assert_eq!(app.post("/api/v1/roadmap", &body).send().await.unwrap().status(), 201, "{title}");
}

#[tokio::test]
async fn each_invited_member_gets_one_results_email_with_the_top_three_even_from_two_instances() {
    let smtp = SmtpServer::start(None).await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let open = app.open_devex_cycle(&[("core", "m", 6)]).await;
    app.make_lead("core", "m1@x.io").await;
    answer(&app, &open, 5, 2.0).await;
    let close = app.post(&format!("/api/v1/cycles/{}/close", open.cycle_id), &json!({})).send().await.unwrap();
    assert_eq!(close.status(), 200);
    // The top three, as the API's report (the same analysis) ranks them.
    let report: Value =
        app.get(&format!("/api/v1/cycles/{}/priorities", open.cycle_id)).send().await.unwrap().json().await.unwrap();
    let top: Vec<(String, String)> = report["priorities"].as_array().unwrap()[..3]
        .iter()
        .map(|p| (p["area_id"].as_str().unwrap().to_string(), p["area_name"].as_str().unwrap().to_string()))
        .collect();
    let fourth = report["priorities"][3]["area_id"].as_str().unwrap().to_string();
    add_roadmap_item(&app, "Planned fix for the first", &top[0].0, "planned").await;
    add_roadmap_item(&app, "Just an idea for the first", &top[0].0, "proposed").await;
    add_roadmap_item(&app, "Shipped fix for the second", &top[1].0, "shipped").await;
    add_roadmap_item(&app, "Work under way on the third", &top[2].0, "in_progress").await;
    add_roadmap_item(&app, "Dropped plan for the third", &top[2].0, "dropped").await;
    add_roadmap_item(&app, "Planned fix elsewhere", &fourth, "planned").await;

    // Two instances tick at once, then one ticks again: one claim in all.
    let now = Utc::now();
    let ((a, _), (b, _)) = tokio::join!(app.tick(now), app.tick(now));
    assert_eq!(a.results_mailed + b.results_mailed, 1);
    let (again, _) = app.tick(now + Duration::minutes(1)).await;
    assert_eq!(again.results_mailed, 0);
    app.tick(now + Duration::minutes(10)).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'results'").await, 6);
    assert_eq!(app.count("SELECT COUNT(*) FROM cycles WHERE results_mailed_at IS NOT NULL").await, 1);

    let messages = results_messages(&smtp);
    let to: Vec<&str> = messages.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to, (1..=6).map(|i| format!("m{i}@x.io")).collect::<Vec<_>>(), "one each, the non-respondent too");
    let base = app.state.config.base_url.clone();
    let tokens = member_tokens(&app, "m", 6).await;
    for ((to, m), token) in messages.iter().zip(&tokens) {
        for (rank, (_, name)) in top.iter().enumerate() {
            assert!(m.contains(&format!("{}. {name}", rank + 1)), "{to} lacks #{} {name}", rank + 1);
        }
        assert!(m.contains("Planned fix for the first (planned)"), "{to}");
        assert!(m.contains("Shipped fix for the second (shipped)"), "{to}");
        assert!(m.contains("Work under way on the third (in progress)"), "{to}");
        for absent in ["Just an idea", "Dropped plan", "Planned fix elsewhere", "Too few people answered"] {
            assert!(!m.contains(absent), "{to} names {absent:?}");
        }
        assert!(m.contains(&format!("{base}/p/{token}/results")), "{to} lacks their results link");
        let team_link = m.contains(&format!("{base}/p/{token}/team"));
        assert_eq!(team_link, to == "m1@x.io", "only the lead gets the team link ({to})");
        assert!(to == "m1@x.io" || !m.contains("/team"), "{to}");
    }
}

#[tokio::test]
async fn a_cycle_under_k_responses_closes_with_results_emails_that_show_no_figure() {
    let smtp = SmtpServer::start(None).await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let open = app.open_devex_cycle(&[("core", "m", 5)]).await;
    answer(&app, &open, 4, 1.0).await;
    // The scheduler closes it on its date; the results step follows in the same tick.
    let (tick, _) = app.tick(Utc::now() + Duration::days(14)).await;
    assert_eq!((tick.closed, tick.results_mailed), (1, 1));
    let messages = results_messages(&smtp);
    assert_eq!(messages.len(), 5);
    let areas: Value = app.get("/api/v1/areas").send().await.unwrap().json().await.unwrap();
    let areas = areas.get("items").unwrap_or(&areas).as_array().unwrap().clone();
    assert_eq!(areas.len(), 14);
    let base = app.state.config.base_url.clone();
    for (to, m) in &messages {
        assert!(m.contains("Too few people answered"), "{to}");
        assert!(m.contains(&format!("{base}/p/")) && m.contains("/results"), "{to}");
        for a in &areas {
            let name = a["name"].as_str().unwrap();
            assert!(!m.contains(name), "{to} names the area {name}");
        }
        assert!(!m.lines().any(|l| l.starts_with("1. ")) && !m.contains("<li value"), "{to} ranks something");
    }
}

#[tokio::test]
async fn invitations_and_reminders_link_the_results_page_and_a_leads_team_view() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 2).await;
    app.make_lead("core", "m2@x.io").await;
    let survey = app.devex_survey().await;
    app.open_cycle(&survey, None).await;
    // The scheduler alone (no mailer), so the queued bodies stay to be read.
    let mailing = Mailing { emails: &app.state.emails, invitation_key: &app.state.invitation_key };
    let tick = run_due(&app.state.db, &mailing, Utc::now().date_naive() + Duration::days(3)).await.unwrap();
    assert_eq!(tick.reminded, 2);
    let tokens = member_tokens(&app, "m", 2).await;
    let base = app.state.config.base_url.clone();
    for kind in ["invitation", "reminder"] {
        for (i, token) in tokens.iter().enumerate() {
            let lead = i == 1;
            let results = format!("{base}/p/{token}/results");
            let team = format!("{base}/p/{token}/team");
            let with = |link: &str| {
                format!(
                    "SELECT COUNT(*) FROM email_outbox WHERE kind = '{kind}' AND body_text LIKE '%{link}%' \
                     AND body_html LIKE '%{link}%'"
                )
            };
            assert_eq!(app.count(&with(&results)).await, 1, "{kind} to member {}", i + 1);
            assert_eq!(app.count(&with(&team)).await, i64::from(lead), "{kind} to member {}", i + 1);
        }
    }
}

async fn first_triaged_on(app: &TestApp, id: &str) -> Option<NaiveDate> {
    friction_report::Entity::find_by_id(id.to_string()).one(&app.state.db).await.unwrap().unwrap().first_triaged_on
}

#[tokio::test]
async fn a_report_records_the_day_it_first_left_new_and_keeps_it() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 1).await;
    let member = app.member_token("m1@x.io").await;
    let file = |title: &str| {
        let body = json!({"area_id": "ci", "title": title, "trying_to": "merge", "blocked_by": "the queue"});
        app.client.post(app.url("/api/v1/friction")).bearer_auth(&member).json(&body).send()
    };
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for title in ["CI queue", "CI queue again", "Flaky tests"] {
            let r: Value = file(title).await.unwrap().json().await.unwrap();
            ids.push(r["report_id"].as_str().unwrap().to_string());
        }
        ids
    };
    let patch = |id: &str, b: Value| app.patch(&format!("/api/v1/friction/{id}"), &b).send();
    assert_eq!(first_triaged_on(&app, &ids[0]).await, None, "filed as new");
    // A change that is not a status leaves it unset.
    assert_eq!(patch(&ids[0], json!({"severity": 4})).await.unwrap().status(), 200);
    assert_eq!(first_triaged_on(&app, &ids[0]).await, None);
    let today = app.state.config.date_at(Utc::now());
    assert_eq!(patch(&ids[0], json!({"status": "triaged"})).await.unwrap().status(), 200);
    assert_eq!(first_triaged_on(&app, &ids[0]).await, Some(today));
    // Pretend that was long ago: no later change moves it, back to new included.
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE friction_reports SET first_triaged_on = '2026-01-02' WHERE report_id = '{}'",
            ids[0]
        ))
        .await
        .unwrap();
    let long_ago = NaiveDate::from_ymd_opt(2026, 1, 2);
    for status in ["planned", "new", "in_progress", "done"] {
        assert_eq!(patch(&ids[0], json!({"status": status})).await.unwrap().status(), 200);
        assert_eq!(first_triaged_on(&app, &ids[0]).await, long_ago, "after {status}");
    }
    // A merge changes no status, so it is not a triage.
    assert_eq!(patch(&ids[1], json!({"duplicate_of": ids[0]})).await.unwrap().status(), 200);
    assert_eq!(first_triaged_on(&app, &ids[1]).await, None);
    // The console's bulk triage goes through the same rule.
    app.add_admin("admin@x.io", "correct horse battery").await;
    let cookie = app.sign_in("admin@x.io", "correct horse battery").await;
    let res = app.post_form("/admin/friction/bulk", &cookie, &[("ids", &ids[2]), ("status", "wont_fix")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(first_triaged_on(&app, &ids[2]).await, Some(today));
}

/// A database at migration 000005 (before this feature) with a closed cycle
/// that invited one member, and friction reports triaged in several ways.
async fn database_before_results() -> (String, tempfile::TempDir, sea_orm::DatabaseConnection) {
    let (url, dir) = fresh_database().await;
    let db = devpulse::db::connect(&url).await.unwrap();
    migrations::Migrator::up(&db, Some(5)).await.unwrap();
    let ts = |d: &str| format!("'{d}T10:00:00+00:00'");
    let t0 = ts("2026-01-01");
    let c1_closed = ts("2026-01-19");
    let mut sql = vec![
        format!(
            "INSERT INTO teams (team_id, slug, name, group_name, kind, created_at) \
             VALUES ('t1', 'core', 'Core', NULL, 'stream-aligned', {t0})"
        ),
        format!(
            "INSERT INTO members (member_id, team_id, email, active, member_token, token_version, lead, created_at) \
             VALUES ('m1', 't1', 'ada@x.io', true, 'hash1', 1, true, {t0})"
        ),
        format!(
            "INSERT INTO surveys (survey_id, title, description, cadence, cadence_weeks, open_days, reminder_days, \
             active, created_at) VALUES ('s1', 'DevEx', '', 'once', NULL, 14, '', false, {t0})"
        ),
        format!(
            "INSERT INTO cycles (cycle_id, survey_id, opens_on, closes_on, status, opened_at, closed_at, created_at) \
             VALUES ('c1', 's1', '2026-01-05', '2026-01-19', 'closed', {t0}, {c1_closed}, {t0}), \
             ('c2', 's1', '2099-01-05', '2099-01-19', 'scheduled', NULL, NULL, {t0})"
        ),
        "INSERT INTO invitations (invitation_id, cycle_id, member_id, team_id, token_hash, used, reminders_sent, \
         last_reminded_on) VALUES ('i1', 'c1', 'm1', 't1', 'ih1', false, 0, NULL)"
            .to_string(),
    ];
    // (id, status, created_on, resolved_on)
    for (id, status, created, resolved) in [
        ("r_new", "new", "2026-01-11", "NULL"),
        ("r_audit", "planned", "2026-01-15", "NULL"),
        ("r_done", "done", "2026-01-10", "'2026-03-01'"),
        ("r_plain", "triaged", "2026-01-12", "NULL"),
    ] {
        sql.push(format!(
            "INSERT INTO friction_reports (report_id, team_id, area_id, title, trying_to, blocked_by, expected, \
             minutes_lost, frequency, severity, status, follow_up, reporter_member_id, me_too, roadmap_item_id, \
             duplicate_of, created_on, resolved_on, created_at, updated_at) VALUES ('{id}', 't1', 'ci', 'x', 'x', \
             'x', NULL, 30, 'weekly', 2, '{status}', false, NULL, 0, NULL, NULL, '{created}', {resolved}, {t0}, {t0})"
        ));
    }
    // r_audit: a severity change, then its first status change, then another.
    for (id, at, detail) in [
        ("a1", "2026-01-20", r#"{"severity":[2,3]}"#),
        ("a2", "2026-02-03", r#"{"status":["new","triaged"]}"#),
        ("a3", "2026-02-10", r#"{"status":["triaged","planned"]}"#),
    ] {
        sql.push(format!(
            "INSERT INTO audit_log (audit_id, at, actor, action, entity, entity_id, detail) \
             VALUES ('{id}', {}, 'api', 'friction.change', 'friction_report', 'r_audit', '{detail}')",
            ts(at)
        ));
    }
    for s in sql {
        db.execute_unprepared(&s).await.unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    (url, dir, db)
}

#[tokio::test]
async fn upgrading_backfills_first_triage_dates_and_mails_nobody_about_old_cycles() {
    let (url, dir, db) = database_before_results().await;
    devpulse::db::migrate(&db).await.unwrap();
    let app = spawn_on(db, url, dir, |_| {}).await;
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    assert_eq!(first_triaged_on(&app, "r_new").await, None);
    assert_eq!(first_triaged_on(&app, "r_audit").await, day("2026-02-03"), "its first status change");
    assert_eq!(first_triaged_on(&app, "r_done").await, day("2026-03-01"), "resolved, no history");
    assert_eq!(first_triaged_on(&app, "r_plain").await, day("2026-01-12"), "no history: filed");
    assert_eq!(app.count("SELECT COUNT(*) FROM cycles WHERE results_mailed_at IS NOT NULL").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM cycles WHERE cycle_id = 'c1' AND results_mailed_at IS NOT NULL").await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM answers WHERE hidden").await, 0);
    // The old closed cycle sends nothing.
    let (tick, _) = app.tick(Utc::now()).await;
    assert_eq!(tick.results_mailed, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'results'").await, 0);
}
