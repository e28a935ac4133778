//! A new admin walks the console in a real headless Chromium, without the
//! API: signs in, schedules a cycle, imports members, triages ten friction
//! reports (status, merge, roadmap link) and ships a roadmap item; followers
//! get their emails. axe-core checks every page of the console, the survey
//! form and the member pages for wcag2a/wcag2aa violations.

use crate::browser::Browser;
use crate::helpers::{TestApp, spawn_app_with};
use serde_json::Value;

const ADMIN: &str = "walker@example.com";
const PASSWORD: &str = "a long demo password";

async fn json(app: &TestApp, path: &str) -> Value {
    app.get(path).send().await.unwrap().json().await.unwrap()
}

/// Waits (up to 10 s) until `sql` counts `n`: a form posted by the browser
/// that comes back to the same page is done.
async fn until(app: &TestApp, sql: &str, n: i64) {
    for _ in 0..100 {
        if app.count(sql).await == n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{sql} never reached {n}");
}

/// Runs axe on the page at `path` and keeps what it finds, by page.
/// With `DEVPULSE_SCREENSHOTS=DIR`, also saves a PNG of each page there, to
/// look at the pages as a person would.
pub(crate) async fn check(b: &Browser, app: &TestApp, path: &str, found: &mut Vec<String>) {
    b.goto(&app.url(path)).await;
    if let Ok(dir) = std::env::var("DEVPULSE_SCREENSHOTS") {
        let name: String = path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let name = if name.len() > 60 { format!("{}{}", &name[..20], &name[name.len() - 40..]) } else { name };
        std::fs::write(format!("{dir}/{name}.png"), b.screenshot().await).unwrap();
    }
    for v in b.axe().await {
        found.push(format!("{path}: {v}"));
    }
}

#[tokio::test]
async fn an_admin_runs_the_platform_from_the_console_in_a_real_browser() {
    // Plain http on the test's own address, so the browser keeps the cookie.
    let app = spawn_app_with(|c| c.base_url = c.base_url.replace("https://devpulse.test", "http://127.0.0.1")).await;
    devpulse::demo::load(&app.state.db, &devpulse::demo::Options::default(), false).await.unwrap();
    app.add_admin(ADMIN, PASSWORD).await;
    let b = Browser::start().await;
    let mut violations = Vec::new();

    // Sign in: a page of the console leads to the sign-in page and back.
    b.goto(&app.url("/admin/friction")).await;
    b.wait_for("/admin/login?next=%2Fadmin%2Ffriction", "Sign in to the console").await;
    violations.extend(b.axe().await.into_iter().map(|v| format!("/admin/login: {v}")));
    b.type_into("#email", ADMIN).await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/admin/login'] button[type=submit]").await;
    b.wait_for("/admin/friction", "Friction inbox").await;

    // Schedule a cycle of a new survey for every team.
    b.goto(&app.url("/admin/surveys")).await;
    b.click("form[action='/admin/surveys'] button[type=submit]").await;
    until(&app, "SELECT COUNT(*) FROM surveys", 2).await;
    let surveys = json(&app, "/api/v1/surveys").await;
    let cycles = json(&app, "/api/v1/cycles").await;
    let used: Vec<&str> =
        cycles["items"].as_array().unwrap().iter().map(|c| c["survey_id"].as_str().unwrap()).collect();
    let new_survey =
        surveys["items"].as_array().unwrap().iter().find(|s| !used.contains(&s["survey_id"].as_str().unwrap()));
    let sid = new_survey.expect("the new survey")["survey_id"].as_str().unwrap().to_string();
    let invited_before = app.count("SELECT COUNT(*) FROM invitations").await;
    b.click(&format!("form[action='/admin/surveys/{sid}/cycles'] button[type=submit]")).await;
    b.wait_for("/admin/surveys?scheduled=1", "Surveys").await;
    assert!(app.count("SELECT COUNT(*) FROM invitations").await > invited_before + 50, "every member invited");

    // Import members from CSV: preview, then import.
    b.goto(&app.url("/admin/teams")).await;
    b.type_into("#csv", "email,team,lead\nnew.one@example.com,checkout,true\nnew.two@example.com,ledger\n").await;
    b.click("button[value=preview]").await;
    b.wait_for("/admin/teams/import#import", "Preview: 2 members to add").await;
    b.click("button[value=import]").await;
    b.wait_for("/admin/teams?imported=2#import", "Teams").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE email LIKE 'new.%'").await, 2);

    // Triage ten reports at once, merge one, link one to a roadmap item.
    let new = json(&app, "/api/v1/friction?status=new&limit=12").await;
    let ids: Vec<String> =
        new["items"].as_array().unwrap().iter().map(|r| r["report_id"].as_str().unwrap().to_string()).collect();
    assert!(ids.len() >= 12, "the demo has new reports");
    b.goto(&app.url("/admin/friction?status=new&limit=50")).await;
    for id in &ids[..10] {
        b.click(&format!("#pick-{id}")).await;
    }
    b.select("#b-status", "triaged").await;
    b.click("form[action='/admin/friction/bulk'] button[type=submit]").await;
    b.wait_for("changed=10", "Friction inbox").await;
    for id in &ids[..10] {
        assert_eq!(json(&app, &format!("/api/v1/friction/{id}")).await["status"], "triaged");
    }
    let (dup, original) = (&ids[10], &ids[11]);
    b.goto(&app.url(&format!("/admin/friction/{dup}"))).await;
    b.type_into("#c-dup", original).await;
    b.click(&format!("form[action='/admin/friction/{dup}'] button[type=submit]")).await;
    b.wait_for("changed=1", "History").await;
    assert_eq!(json(&app, &format!("/api/v1/friction/{dup}")).await["duplicate_of"], original.as_str());
    let items = json(&app, "/api/v1/roadmap?limit=200").await;
    let planned = items["items"].as_array().unwrap().iter().find(|i| i["status"] == "planned").expect("a planned item");
    let item_id = planned["item_id"].as_str().unwrap().to_string();
    let followed: Vec<devpulse::entities::friction_report::Model> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        devpulse::entities::friction_report::Entity::find()
            .filter(devpulse::entities::friction_report::Column::FollowUp.eq(true))
            .filter(devpulse::entities::friction_report::Column::DuplicateOf.is_null())
            .filter(devpulse::entities::friction_report::Column::RoadmapItemId.is_null())
            .all(&app.state.db)
            .await
            .unwrap()
    };
    let report = &followed.first().expect("a followed report").report_id;
    let emails = "SELECT COUNT(*) FROM email_outbox WHERE kind = 'friction_followup'";
    let before = app.count(emails).await;
    b.goto(&app.url(&format!("/admin/friction/{report}"))).await;
    b.select("#c-roadmap", &item_id).await;
    b.click(&format!("form[action='/admin/friction/{report}'] button[type=submit]")).await;
    b.wait_for("changed=1", "History").await;
    assert_eq!(app.count(emails).await, before + 1, "linking emails the reporter");
    check(&b, &app, &format!("/admin/friction/{report}"), &mut violations).await;

    // Ship the item: its followers hear of it.
    b.goto(&app.url("/admin/roadmap")).await;
    b.select(&format!("#s-{item_id}"), "shipped").await;
    b.click(&format!("form[action='/admin/roadmap/{item_id}'] button[type=submit]")).await;
    b.wait_for(&format!("/admin/roadmap#item-{item_id}"), "shipped ").await;
    assert_eq!(json(&app, &format!("/api/v1/roadmap/{item_id}")).await["status"], "shipped");
    assert!(app.count(emails).await >= before + 2, "shipping emails the followers");
    let (_, drained) = app.tick(chrono::Utc::now()).await;
    assert!(drained.sent > 0 && drained.failed == 0, "{drained:?}");

    // Every page of the console, the survey form and the member pages.
    let hook = serde_json::json!({"url": "https://hooks.example.com/devpulse", "events": ["cycle.closed"]});
    assert_eq!(app.post("/api/v1/webhooks", &hook).send().await.unwrap().status(), 201);
    let member = app.member_token("new.one@example.com").await;
    let token = app
        .invitation_tokens_by_email(
            json(&app, "/api/v1/cycles?status=open&limit=1").await["items"][0]["cycle_id"].as_str().unwrap(),
        )
        .await;
    let invitation = token.iter().find(|(e, _)| e == "new.two@example.com").map(|(_, t)| t.clone());
    let mut pages = vec![
        "/admin".to_string(),
        "/admin/surveys".into(),
        "/admin/friction".into(),
        "/admin/roadmap".into(),
        "/admin/teams".into(),
        "/admin/teams/checkout".into(),
        "/admin/settings".into(),
        "/admin/webhooks".into(),
        "/".into(),
        "/p".into(),
        format!("/p/{member}"),
    ];
    if let Some(t) = invitation {
        pages.push(format!("/s/{t}"));
    }
    for page in &pages {
        check(&b, &app, page, &mut violations).await;
    }
    // The survey form of a member of the new cycle (invited when it opened).
    let cycle_tokens = app
        .invitation_tokens_by_email(&{
            let all = json(&app, &format!("/api/v1/cycles?survey_id={sid}")).await;
            all["items"][0]["cycle_id"].as_str().unwrap().to_string()
        })
        .await;
    let form = format!("/s/{}", cycle_tokens[0].1);
    check(&b, &app, &form, &mut violations).await;
    assert!(b.source().await.contains("How your anonymity is protected"));
    assert!(violations.is_empty(), "axe found wcag2a/wcag2aa violations:\n{}", violations.join("\n"));
    // The check can fail: an image without a text alternative is found.
    b.run("const i = document.createElement('img'); i.src = 'data:,'; document.body.appendChild(i);").await;
    assert!(b.axe().await.iter().any(|v| v.starts_with("image-alt")), "axe really runs");
}
