//! A new user reads the results in a real headless Chromium, without the
//! API: signs in, finds which areas hurt most and where (the heatmap, its
//! comparisons, an area), how they moved (trends), what developers wrote
//! (comments), whether the shipped CI item helped (roadmap); a member and a
//! team lead open their views. Suppressed cells show no figure in the DOM;
//! axe-core finds no wcag2a/wcag2aa violation on any of these pages.

use crate::browser::Browser;
use crate::console_browser::check;
use crate::helpers::{TestApp, spawn_app_with};
use serde_json::Value;

const ADMIN: &str = "reader@example.com";
const PASSWORD: &str = "a long reader password";

async fn json(app: &TestApp, path: &str) -> Value {
    app.get(path).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_new_user_reads_the_results_in_a_real_browser() {
    let app = spawn_app_with(|c| c.base_url = c.base_url.replace("https://devpulse.test", "http://127.0.0.1")).await;
    devpulse::demo::load(&app.state.db, &devpulse::demo::Options::default(), false).await.unwrap();
    app.add_admin(ADMIN, PASSWORD).await;
    let b = Browser::start().await;
    let mut violations = Vec::new();
    b.goto(&app.url("/admin/login")).await;
    b.type_into("#email", ADMIN).await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/admin/login'] button[type=submit]").await;
    b.wait_for("/admin", "Top priorities").await;
    check(&b, &app, "/admin", &mut violations).await;

    // Results, from the navigation: the latest closed cycle's heatmap.
    b.click("a[href='/admin/results']").await;
    let page = b.wait_for("/results", "Heatmap").await;
    let id = b.url().await.split("/cycles/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let results = json(&app, &format!("/api/v1/cycles/{id}/results")).await;
    let hidden: Vec<&Value> = results["rows"].as_array().unwrap().iter().filter(|r| r["suppressed"] == true).collect();
    assert!(
        hidden.iter().any(|r| r["reason"] == "fewer_than_k") && hidden.iter().any(|r| r["reason"] == "differencing")
    );
    hidden_rows_show_no_figure(&b, &results).await;
    assert!(page.contains("Trends") && page.contains("<svg"), "the trend chart");
    // The heatmap scrolls in its own region: the page itself never scrolls sideways.
    let wide: Value = b
        .exec(
            "return [document.documentElement.scrollWidth, window.innerWidth, \
             Array.from(document.querySelectorAll('body *')) \
             .filter(e => !e.closest('.heatmap-wrap') && e.getBoundingClientRect().right > window.innerWidth) \
             .slice(0, 5).map(e => e.tagName + '.' + e.className)];",
        )
        .await;
    assert!(wide[0].as_f64() <= wide[1].as_f64(), "the page is wider than the window: {wide}");
    check(&b, &app, &format!("/admin/cycles/{id}/results"), &mut violations).await;
    b.select("#compare", "previous").await;
    b.click("form[action$='/results'] button[type=submit]").await;
    b.wait_for("compare=previous&teams=", "change since the previous cycle").await;
    check(&b, &app, &format!("/admin/cycles/{id}/results?compare=org"), &mut violations).await;
    check(&b, &app, &format!("/admin/cycles/{id}/results?teams=none"), &mut violations).await;

    // Which area hurts most: the priorities, then that area.
    b.click(&format!("a[href='/admin/cycles/{id}/priorities']")).await;
    b.wait_for("/priorities", "Priority matrix").await;
    check(&b, &app, &format!("/admin/cycles/{id}/priorities"), &mut violations).await;
    b.type_into("#w-friction", "0").await;
    b.click("form[action$='/priorities'] button[type=submit]").await;
    b.wait_for("lookback_days=90", "Roadmap priorities").await;
    let top = json(&app, &format!("/api/v1/cycles/{id}/priorities")).await["priorities"][0]["area_id"]
        .as_str()
        .unwrap()
        .to_string();
    check(&b, &app, &format!("/admin/cycles/{id}/areas/{top}"), &mut violations).await;
    assert!(b.source().await.contains("How people answered"));

    // What developers wrote.
    check(&b, &app, &format!("/admin/cycles/{id}/comments"), &mut violations).await;
    assert!(b.source().await.contains("<blockquote>"), "the demo's comments");

    // Whether the shipped CI item helped.
    check(&b, &app, "/admin/roadmap", &mut violations).await;
    let roadmap = b.source().await;
    assert!(roadmap.contains("Survey, after") && roadmap.contains("favourable ("), "the CI item's effect");

    // A member and a team lead open their views.
    let lead: String = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let m = devpulse::entities::member::Entity::find()
            .filter(devpulse::entities::member::Column::Lead.eq(true))
            .one(&app.state.db)
            .await
            .unwrap()
            .expect("the demo has leads");
        m.email
    };
    let token = app.member_token(&lead).await;
    check(&b, &app, &format!("/p/{token}"), &mut violations).await;
    b.click(&format!("a[href='/p/{token}/results']")).await;
    b.wait_for("/results", "You said, we did").await;
    check(&b, &app, &format!("/p/{token}/results"), &mut violations).await;
    check(&b, &app, &format!("/p/{token}/team"), &mut violations).await;
    assert!(b.source().await.contains("your team's results"));
    assert!(violations.is_empty(), "axe found wcag2a/wcag2aa violations:\n{}", violations.join("\n"));
}

/// Every hidden row of the heatmap in the DOM: suppressed cells, and no
/// figure in the cells' text (k itself, in the reason, aside).
async fn hidden_rows_show_no_figure(b: &Browser, results: &Value) {
    let hidden: Vec<&Value> = results["rows"].as_array().unwrap().iter().filter(|r| r["suppressed"] == true).collect();
    let cells: Value = b
        .exec(
            "return Array.from(document.querySelectorAll('table.heatmap tbody tr')).map(tr => \
             [tr.querySelector('th').innerText.trim(), Array.from(tr.querySelectorAll('td.cell')).map(td => td.className + '|' + td.innerText)]);",
        )
        .await;
    for r in &hidden {
        let name = r["name"].as_str().unwrap();
        let dom = cells.as_array().unwrap().iter().find(|row| row[0].as_str().unwrap().ends_with(name));
        let dom = dom.unwrap_or_else(|| panic!("a row for {name}"));
        for cell in dom[1].as_array().unwrap() {
            let cell = cell.as_str().unwrap();
            // The one number a hidden cell says is k, in its reason.
            let k = &results["k"];
            let text = cell.replace(&format!("fewer than {k} answers"), "").replace(&format!("fewer than {k}"), "");
            assert!(cell.contains("suppressed") && !text.chars().any(|c| c.is_ascii_digit()), "{name}: {cell}");
        }
    }
}

/// The links of a queued "results are out" email to `email`.
async fn links_of_results_email(app: &TestApp, email: &str) -> Vec<String> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mail = devpulse::entities::outbox_email::Entity::find()
        .filter(devpulse::entities::outbox_email::Column::ToAddr.eq(email))
        .filter(devpulse::entities::outbox_email::Column::Kind.eq(devpulse::domain::EmailKind::Results))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("a results email");
    let base = &app.state.config.base_url;
    mail.body_text
        .split_whitespace()
        .filter(|w| w.starts_with(base.as_str()))
        .map(|w| w[base.len()..].trim_end_matches(['.', ',', ')']).to_string())
        .collect()
}

#[tokio::test]
async fn a_lead_and_a_member_open_their_views_from_the_results_email() {
    let app = spawn_app_with(|c| c.base_url = c.base_url.replace("https://devpulse.test", "http://127.0.0.1")).await;
    devpulse::demo::load(&app.state.db, &devpulse::demo::Options::default(), false).await.unwrap();
    let open =
        json(&app, "/api/v1/cycles?status=open&limit=1").await["items"][0]["cycle_id"].as_str().unwrap().to_string();
    assert!(
        app.post(&format!("/api/v1/cycles/{open}/close"), &serde_json::json!({}))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let queued = devpulse::results_mail::run(&app.state.db, &app.state.emails, 5, chrono::Utc::now()).await.unwrap();
    assert_eq!(queued, 1, "one cycle's results emails");
    let (lead, member): (String, String) = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let members = devpulse::entities::member::Entity::find()
            .filter(devpulse::entities::member::Column::Active.eq(true))
            .all(&app.state.db)
            .await
            .unwrap();
        let lead = members.iter().find(|m| m.lead).expect("the demo has leads").email.clone();
        let member = members.iter().find(|m| !m.lead).unwrap().email.clone();
        (lead, member)
    };
    let b = Browser::start().await;
    let mut violations = Vec::new();
    let lead_links = links_of_results_email(&app, &lead).await;
    let team = lead_links.iter().find(|l| l.ends_with("/team")).expect("the lead's email links their team view");
    check(&b, &app, team, &mut violations).await;
    b.wait_for("/team", "your team's results").await;
    let results = lead_links.iter().find(|l| l.ends_with("/results")).expect("and the results page");
    check(&b, &app, results, &mut violations).await;
    b.wait_for("/results", "You said, we did").await;
    let member_links = links_of_results_email(&app, &member).await;
    assert!(member_links.iter().all(|l| !l.ends_with("/team")), "a member's email has no team link");
    let mine = member_links.iter().find(|l| l.ends_with("/results")).expect("a member's results link");
    check(&b, &app, mine, &mut violations).await;
    let page = b.wait_for("/results", "What hurts most").await;
    assert!(page.contains("What the platform team is doing"));
    assert!(violations.is_empty(), "axe found wcag2a/wcag2aa violations:\n{}", violations.join("\n"));
}
