//! The friction log end to end: filing from the page and with curl-like
//! requests, me-too, triage, duplicates, follow-up emails, roadmap items.

use crate::helpers::{TestApp, member_tokens, spawn_app, spawn_app_with};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

fn report(title: &str) -> Value {
    json!({"area_id": "ci", "title": title, "trying_to": "merge a fix", "blocked_by": "the CI queue",
           "minutes_lost": 30, "frequency": "daily", "severity": 3})
}

async fn file(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client.post(app.url("/api/v1/friction")).bearer_auth(token).json(body).send().await.unwrap()
}

async fn setup() -> (TestApp, String, String) {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 3).await;
    let a = app.member_token("m1@x.io").await;
    let b = app.member_token("m2@x.io").await;
    (app, a, b)
}

#[tokio::test]
async fn a_developer_files_friction_with_curl_and_colleagues_say_me_too() {
    let (app, a, b) = setup().await;
    let res = file(&app, &a, &report("CI queue over 30 minutes")).await;
    assert_eq!(res.status(), 201);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["team"], "core");
    assert_eq!(r["status"], "new");
    assert_eq!(r["follow_up"], false);
    assert!((r["weekly_hours"].as_f64().unwrap() - 2.5).abs() < 1e-12);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM friction_reports WHERE reporter_member_id IS NOT NULL").await,
        0,
        "no identity without follow-up"
    );
    // Defaults make a minimal report valid.
    let minimal =
        json!({"area_id": "docs", "title": "No runbook", "trying_to": "fix a queue", "blocked_by": "no runbook"});
    let r2: Value = file(&app, &a, &minimal).await.json().await.unwrap();
    assert_eq!(
        (r2["minutes_lost"].clone(), r2["frequency"].clone(), r2["severity"].clone()),
        (json!(30), json!("weekly"), json!(2))
    );
    // Me too, once per member.
    let id = r["report_id"].as_str().unwrap();
    let me_too =
        |t: &str| app.client.post(app.url(&format!("/api/v1/friction/{id}/me-too"))).bearer_auth(t.to_string()).send();
    let res = me_too(&b).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["me_too"], 1);
    assert_eq!(me_too(&b).await.unwrap().status(), 409);
    // Twice at once from the reporter's own token: one counts, one is 409.
    let (x, y) = tokio::join!(me_too(&a), me_too(&a));
    let mut both = [x.unwrap().status().as_u16(), y.unwrap().status().as_u16()];
    both.sort();
    assert_eq!(both, [200, 409]);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM me_too_votes WHERE report_id = '{id}'")).await, 2);
    let shown: Value = app.get(&format!("/api/v1/friction/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown["me_too"], 2);
    assert_eq!(me_too("not-a-member").await.unwrap().status(), 401);
    assert_eq!(
        app.client.post(app.url("/api/v1/friction/nope/me-too")).bearer_auth(&b).send().await.unwrap().status(),
        404
    );
    // The platform team can file too, for a team, but not ask for follow-up.
    let mut body = report("Runner image outdated");
    body["team"] = json!("core");
    assert_eq!(file(&app, &app.token, &body).await.status(), 201);
    body["follow_up"] = json!(true);
    assert_eq!(file(&app, &app.token, &body).await.status(), 422);
    assert_eq!(file(&app, "nobody", &report("x")).await.status(), 401);
}

#[tokio::test]
async fn a_member_token_that_starts_like_an_api_token_still_works() {
    let (app, a, _) = setup().await;
    // A derived token may start with "dp_" like an API token, by chance.
    let odd = "dp_member_token_that_is_not_an_api_token_xx";
    assert_eq!(odd.len(), 43);
    let (old, new) = (devpulse::store::hash_secret(&a), devpulse::store::hash_secret(odd));
    app.state
        .db
        .execute_unprepared(&format!("UPDATE members SET member_token = '{new}' WHERE member_token = '{old}'"))
        .await
        .unwrap();
    assert_eq!(file(&app, odd, &report("x")).await.status(), 201);
}

#[tokio::test]
async fn bad_friction_is_refused_and_nothing_is_stored() {
    let (app, a, _) = setup().await;
    let with = |k: &str, v: Value| {
        let mut r = report("x");
        r[k] = v;
        r
    };
    for (body, field) in [
        (with("area_id", json!("nope")), "area_id"),
        (with("minutes_lost", json!(-5)), "minutes_lost"),
        (with("minutes_lost", json!(0)), "minutes_lost"),
        (with("minutes_lost", json!(10081)), "minutes_lost"),
        (with("frequency", json!("hourly")), "frequency"),
        (with("severity", json!(5)), "severity"),
        (with("title", json!("  ")), "title"),
        (with("blocked_by", json!("")), "blocked_by"),
        (with("trying_to", json!("x".repeat(2001))), "trying_to"),
        (with("title", json!("x".repeat(201))), "title"),
        (with("team", json!("core")), "team"),
    ] {
        let res = file(&app, &a, &body).await;
        assert_eq!(res.status(), 422, "{body}");
        assert_eq!(res.json::<Value>().await.unwrap()["field"], field, "{body}");
    }
    // A deactivated member's token stops working.
    app.delete("/api/v1/teams/core/members/m1@x.io").send().await.unwrap();
    assert_eq!(file(&app, &a, &report("x")).await.status(), 401);
    assert_eq!(app.count("SELECT COUNT(*) FROM friction_reports").await, 0);
}

#[tokio::test]
async fn filing_is_rate_limited_per_member_not_per_address() {
    let app = spawn_app_with(|c| c.friction_per_hour = 3).await;
    app.create_team("core").await;
    app.add_members("core", "m", 2).await;
    let a = app.member_token("m1@x.io").await;
    let b = app.member_token("m2@x.io").await;
    for _ in 0..3 {
        assert_eq!(file(&app, &a, &report("x")).await.status(), 201);
    }
    let res = file(&app, &a, &report("x")).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry));
    // Another member from the same address is not limited.
    assert_eq!(file(&app, &b, &report("x")).await.status(), 201);
    assert_eq!(app.count("SELECT COUNT(*) FROM friction_reports").await, 4);
}

#[tokio::test]
async fn triage_lists_filters_searches_and_orders_by_cost() {
    let (app, a, b) = setup().await;
    let mut ids = Vec::new();
    for (title, area, minutes, freq) in [
        ("Slow CI", "ci", 30, "daily"),
        ("Docs outdated", "docs", 10, "monthly"),
        ("Flaky deploy", "deploy", 120, "weekly"),
    ] {
        let body = json!({"area_id": area, "title": title, "trying_to": "work", "blocked_by": "things", "minutes_lost": minutes, "frequency": freq});
        let r: Value = file(&app, &a, &body).await.json().await.unwrap();
        ids.push(r["report_id"].as_str().unwrap().to_string());
    }
    app.client.post(app.url(&format!("/api/v1/friction/{}/me-too", ids[2]))).bearer_auth(&b).send().await.unwrap();
    let titles = |v: &Value| {
        v["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let by_cost: Value = app.get("/api/v1/friction?order=cost").send().await.unwrap().json().await.unwrap();
    // Costs per week: CI 0.5h*5 = 2.5; deploy 2h*1*(1+1) = 4; docs 1/6h*12/52.
    assert_eq!(titles(&by_cost), ["Flaky deploy", "Slow CI", "Docs outdated"]);
    let newest: Value = app.get("/api/v1/friction").send().await.unwrap().json().await.unwrap();
    assert_eq!(titles(&newest)[0], "Flaky deploy");
    let docs: Value = app.get("/api/v1/friction?area_id=docs").send().await.unwrap().json().await.unwrap();
    assert_eq!(titles(&docs), ["Docs outdated"]);
    let search: Value = app.get("/api/v1/friction?q=FLAKY").send().await.unwrap().json().await.unwrap();
    assert_eq!(titles(&search), ["Flaky deploy"]);
    let team: Value = app
        .get("/api/v1/friction?team=core&status=new&since=2020-01-01&limit=2")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(team["items"].as_array().unwrap().len(), 2);
    let cursor = team["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("/api/v1/friction?team=core&status=new&since=2020-01-01&limit=2&cursor={cursor}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    for (q, field) in
        [("status=bogus", "status"), ("order=best", "order"), ("since=yesterday", "since"), ("team=ghost", "team")]
    {
        let res = app.get(&format!("/api/v1/friction?{q}")).send().await.unwrap();
        assert_eq!(res.status(), 422, "{q}");
        assert_eq!(res.json::<Value>().await.unwrap()["field"], field);
    }
    assert_eq!(
        app.client.get(app.url("/api/v1/friction")).bearer_auth(&a).send().await.unwrap().status(),
        401,
        "members cannot triage"
    );
}

#[tokio::test]
async fn triage_changes_are_audited_and_followers_get_emails() {
    let (app, a, _) = setup().await;
    let mut body = report("CI queue");
    body["follow_up"] = json!(true);
    let r: Value = file(&app, &a, &body).await.json().await.unwrap();
    let id = r["report_id"].as_str().unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM friction_reports WHERE reporter_member_id IS NOT NULL").await, 1);
    let patch = |b: Value| app.patch(&format!("/api/v1/friction/{id}"), &b).send();
    let res = patch(json!({"status": "triaged", "severity": 4, "area_id": "build_test"})).await.unwrap();
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    assert_eq!(
        (r["status"].clone(), r["severity"].clone(), r["area_id"].clone()),
        (json!("triaged"), json!(4), json!("build_test"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'friction_followup' AND to_addr = 'm1@x.io'").await,
        1
    );
    let item: Value = app
        .post("/api/v1/roadmap", &json!({"title": "Faster CI runners", "area_id": "ci", "status": "planned"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item_id = item["item_id"].as_str().unwrap();
    assert_eq!(patch(json!({"roadmap_item_id": item_id})).await.unwrap().status(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'friction_followup'").await, 2);
    // A change that changes nothing sends nothing.
    assert_eq!(patch(json!({"severity": 4})).await.unwrap().status(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'friction_followup'").await, 2);
    // Shipping the roadmap item notifies the follower again.
    let res = app.patch(&format!("/api/v1/roadmap/{item_id}"), &json!({"status": "shipped"})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let shipped: Value = res.json().await.unwrap();
    assert_eq!(shipped["shipped_on"], chrono::Utc::now().date_naive().to_string());
    assert_eq!(shipped["friction"].as_array().unwrap().len(), 1);
    assert!((shipped["weekly_hours"].as_f64().unwrap() - 2.5).abs() < 1e-12);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'friction_followup'").await, 3);
    let text = devpulse::entities::outbox_email::Entity::find()
        .filter(devpulse::entities::outbox_email::Column::Kind.eq("friction_followup"))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.body_text)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("from new to triaged") && text.contains("Faster CI runners") && text.contains("has shipped"));
    assert!(text.contains(&format!("/p/{a}")), "links to the member's page");
    // Audit log: who did what.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'friction.change' AND actor = 'token:tests'").await,
        2
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'roadmap.%'").await, 2);
    // Bad changes.
    for (b, field) in [
        (json!({"status": "closed"}), "status"),
        (json!({"severity": 0}), "severity"),
        (json!({"area_id": "nope"}), "area_id"),
        (json!({"roadmap_item_id": "nope"}), "roadmap_item_id"),
        (json!({"duplicate_of": id}), "duplicate_of"),
        (json!({"duplicate_of": "nope"}), "duplicate_of"),
    ] {
        let res = patch(b.clone()).await.unwrap();
        assert_eq!(res.status(), 422, "{b}");
        assert_eq!(res.json::<Value>().await.unwrap()["field"], field, "{b}");
    }
    assert_eq!(app.patch("/api/v1/friction/nope", &json!({"severity": 1})).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn merging_a_duplicate_moves_its_votes_and_refuses_loops() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 4).await;
    let t: Vec<String> = member_tokens(&app, "m", 4).await;
    let original: Value = file(&app, &t[0], &report("CI slow")).await.json().await.unwrap();
    let mut body = report("CI queue again");
    body["follow_up"] = json!(true);
    let dup: Value = file(&app, &t[1], &body).await.json().await.unwrap();
    let (o, d) = (original["report_id"].as_str().unwrap(), dup["report_id"].as_str().unwrap());
    for token in [&t[2], &t[3]] {
        app.client.post(app.url(&format!("/api/v1/friction/{d}/me-too"))).bearer_auth(token).send().await.unwrap();
    }
    app.client.post(app.url(&format!("/api/v1/friction/{o}/me-too"))).bearer_auth(&t[2]).send().await.unwrap();
    let res = app.patch(&format!("/api/v1/friction/{d}"), &json!({"duplicate_of": o})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["me_too"], 0);
    let orig: Value = app.get(&format!("/api/v1/friction/{o}")).send().await.unwrap().json().await.unwrap();
    // Before: 1 vote (m3). Moved: m4 (m3 already voted) and the dup's reporter m2.
    assert_eq!(orig["me_too"], 3);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM me_too_votes WHERE report_id = '{o}'")).await, 3);
    // A merged report cannot be re-pointed without undoing the merge first.
    let third: Value = file(&app, &t[3], &report("CI again")).await.json().await.unwrap();
    let res =
        app.patch(&format!("/api/v1/friction/{d}"), &json!({"duplicate_of": third["report_id"]})).send().await.unwrap();
    assert_eq!(res.status(), 422);
    // Merging into a merged report merges into its original.
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/friction/{}", third["report_id"].as_str().unwrap())))
        .bearer_auth(&app.token)
        .json(&json!({"duplicate_of": d}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["duplicate_of"], o);
    // A loop is refused; me-too on the merged report counts on the original.
    let res = app.patch(&format!("/api/v1/friction/{o}"), &json!({"duplicate_of": d})).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let res =
        app.client.post(app.url(&format!("/api/v1/friction/{d}/me-too"))).bearer_auth(&t[0]).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["report_id"], o);
    // A closed report takes no votes.
    app.patch(&format!("/api/v1/friction/{o}"), &json!({"status": "done"})).send().await.unwrap();
    let res =
        app.client.post(app.url(&format!("/api/v1/friction/{o}/me-too"))).bearer_auth(&t[1]).send().await.unwrap();
    assert_eq!(res.status(), 409);
}

#[tokio::test]
async fn roadmap_items_are_validated_and_listed() {
    let app = spawn_app().await;
    for (b, field) in [
        (json!({"title": "", "area_id": "ci"}), "title"),
        (json!({"title": "x", "area_id": "nope"}), "area_id"),
        (json!({"title": "x", "area_id": "ci", "status": "done"}), "status"),
        (json!({"title": "x", "area_id": "ci", "status": "planned", "shipped_on": "2026-01-01"}), "shipped_on"),
        (json!({"title": "x", "area_id": "ci", "status": "shipped", "shipped_on": "soon"}), "shipped_on"),
    ] {
        let res = app.post("/api/v1/roadmap", &b).send().await.unwrap();
        assert_eq!(res.status(), 422, "{b}");
        assert_eq!(res.json::<Value>().await.unwrap()["field"], field);
    }
    let res = app
        .post(
            "/api/v1/roadmap",
            &json!({"title": "Docs portal", "area_id": "docs", "status": "shipped", "shipped_on": "2026-03-01"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let item: Value = res.json().await.unwrap();
    assert_eq!(item["shipped_on"], "2026-03-01");
    let list: Value = app.get("/api/v1/roadmap").send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let id = item["item_id"].as_str().unwrap();
    let res = app.patch(&format!("/api/v1/roadmap/{id}"), &json!({"status": "dropped"})).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["shipped_on"], Value::Null);
    assert_eq!(app.get("/api/v1/roadmap/nope").send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn the_member_page_files_friction_and_says_me_too_without_javascript() {
    let (app, a, b) = setup().await;
    let page = app.client.get(app.url(&format!("/p/{a}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Report friction") && page.contains("value=\"30\"") && page.contains("value=\"weekly\" checked")
    );
    // Missing fields: the page again with errors next to them and what was typed.
    let res = app
        .client
        .post(app.url(&format!("/p/{a}/friction")))
        .form(&[
            ("area_id", "ci"),
            ("title", "<b>Slow</b> CI"),
            ("minutes_lost", "30"),
            ("frequency", "daily"),
            ("severity", "2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("There are 2 problems") && html.contains("id=\"err-trying_to\""));
    assert!(html.contains("value=\"&lt;b&gt;Slow&lt;&#x2F;b&gt; CI\""), "typed text kept, escaped");
    let form = [
        ("area_id", "ci"),
        ("title", "<b>Slow</b> CI"),
        ("trying_to", "merge"),
        ("blocked_by", "queue"),
        ("minutes_lost", "45"),
        ("frequency", "daily"),
        ("severity", "3"),
        ("follow_up", "yes"),
    ];
    let res = app.client.post(app.url(&format!("/p/{a}/friction"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/p/{a}?filed=1#friction"));
    let html = app.client.get(app.url(&format!("/p/{a}?filed=1"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("your report is in the friction log"));
    assert!(
        html.contains("&lt;b&gt;Slow&lt;&#x2F;b&gt; CI: <span class=\"badge\">new</span>"),
        "followed report with its status"
    );
    // A colleague finds it by area and search, and says me too from the page.
    let html = app.client.get(app.url(&format!("/p/{b}?area=ci&q=slow"))).send().await.unwrap().text().await.unwrap();
    let action = crate::smtp::link(&html, &format!("/p/{b}/friction/")).expect("a me-too form");
    let res = app.client.post(app.url(&action)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let html = app.client.get(app.url(&format!("/p/{b}?voted=added"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("your \"me too\" is counted") && html.contains("you too"));
    let res = app.client.post(app.url(&action)).send().await.unwrap();
    assert_eq!(res.headers()["location"], format!("/p/{b}?voted=already#recent"));
    assert_eq!(app.count("SELECT CAST(me_too AS BIGINT) FROM friction_reports").await, 1);
}
