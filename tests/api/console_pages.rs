//! The console's pages, each doing what the API does: triage, roadmap,
//! surveys, teams and members, settings. Hostile input shows escaped.

use crate::helpers::spawn_app;

const ADMIN: &str = "platform@example.com";
const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn the_triage_inbox_changes_reports_one_at_a_time_and_several_at_once() {
    let app = crate::helpers::spawn_demo_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    // A hostile title, filed over the API, is shown escaped.
    let evil = "<script>alert(1)</script> \"><img src=x onerror=alert(2)> {{7*7}}";
    let res = app
        .post(
            "/api/v1/friction",
            &serde_json::json!({"area_id": "ci", "title": evil, "trying_to": "x", "blocked_by": "y"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let evil_id = res.json::<serde_json::Value>().await.unwrap()["report_id"].as_str().unwrap().to_string();
    let inbox = app.page("/admin/friction?status=new&order=cost", &cookie).await;
    assert_eq!(inbox.status(), 200);
    let html = inbox.text().await.unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;") && !html.contains("<script>alert(1)"));
    assert!(!html.contains("<img src=x") && html.contains("{{7*7}}"), "no template injection either");
    let page = app.page(&format!("/admin/friction/{evil_id}"), &cookie).await.text().await.unwrap();
    assert!(!page.contains("<script>alert(1)") && !page.contains("<img src=x"));
    // One report: status, roadmap link.
    let item: serde_json::Value = app.get("/api/v1/roadmap").send().await.unwrap().json().await.unwrap();
    let item_id = item["items"][0]["item_id"].as_str().unwrap().to_string();
    let res = app
        .post_form(
            &format!("/admin/friction/{evil_id}"),
            &cookie,
            &[("status", "planned"), ("roadmap_item_id", &item_id)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let r: serde_json::Value =
        app.get(&format!("/api/v1/friction/{evil_id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!((r["status"].as_str(), r["roadmap_item_id"].as_str()), (Some("planned"), Some(item_id.as_str())));
    let page = app.page(&format!("/admin/friction/{evil_id}"), &cookie).await.text().await.unwrap();
    assert!(page.contains(&format!("friction.change by admin:{ADMIN}")), "the history names the admin");
    // Bad input: the page again, with the problem, nothing changed.
    let res = app.post_form(&format!("/admin/friction/{evil_id}"), &cookie, &[("area_id", "nope")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("unknown area"));
    // Several at once.
    let list: serde_json::Value =
        app.get("/api/v1/friction?status=new&limit=3").send().await.unwrap().json().await.unwrap();
    let ids: Vec<String> =
        list["items"].as_array().unwrap().iter().map(|r| r["report_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 3);
    let csrf = app.csrf(&cookie).await;
    let mut form: Vec<(&str, &str)> = ids.iter().map(|id| ("ids", id.as_str())).collect();
    form.extend([("status", "triaged"), ("csrf", csrf.as_str()), ("back", "/admin/friction?status=new")]);
    let res =
        app.client.post(app.url("/admin/friction/bulk")).header("cookie", &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/friction?status=new&changed=3");
    for id in &ids {
        let r: serde_json::Value =
            app.get(&format!("/api/v1/friction/{id}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["status"], "triaged");
    }
    let audited =
        format!("SELECT COUNT(*) FROM audit_log WHERE action = 'friction.change' AND actor = 'admin:{ADMIN}'");
    assert_eq!(app.count(&audited).await, 4);
    assert_eq!(app.page("/admin/friction/nope", &cookie).await.status(), 404);
}

#[tokio::test]
async fn roadmap_items_are_created_linked_and_shipped_and_followers_hear_of_it() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    app.create_team("core").await;
    app.add_members("core", "m", 1).await;
    let member = app.member_token("m1@x.io").await;
    let report: serde_json::Value = app
        .client
        .post(app.url("/api/v1/friction"))
        .bearer_auth(&member)
        .json(&serde_json::json!({"area_id": "ci", "title": "CI is slow", "trying_to": "merge", "blocked_by": "queue",
                                  "follow_up": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let report_id = report["report_id"].as_str().unwrap();
    // Bad input keeps what was typed.
    let res = app
        .post_form("/admin/roadmap", &cookie, &[("title", " "), ("area_id", "ci"), ("description", "kept text")])
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("title: must not be empty") && html.contains("kept text"));
    let title = "Faster CI <runners>";
    let res =
        app.post_form("/admin/roadmap", &cookie, &[("title", title), ("area_id", "ci"), ("status", "planned")]).await;
    assert_eq!(res.status(), 303);
    let items: serde_json::Value = app.get("/api/v1/roadmap").send().await.unwrap().json().await.unwrap();
    let item_id = items["items"][0]["item_id"].as_str().unwrap().to_string();
    let page = app.page("/admin/roadmap", &cookie).await.text().await.unwrap();
    assert!(page.contains("Faster CI &lt;runners&gt;"));
    let linked =
        app.post_form(&format!("/admin/friction/{report_id}"), &cookie, &[("roadmap_item_id", &item_id)]).await;
    assert_eq!(linked.status(), 303);
    let emails = "SELECT COUNT(*) FROM email_outbox WHERE kind = 'friction_followup'";
    assert_eq!(app.count(emails).await, 1, "linking tells the reporter");
    let shipped = app.post_form(&format!("/admin/roadmap/{item_id}"), &cookie, &[("status", "shipped")]).await;
    assert_eq!(shipped.status(), 303);
    assert_eq!(app.count(emails).await, 2, "shipping tells the reporter");
    let page = app.page("/admin/roadmap", &cookie).await.text().await.unwrap();
    assert!(page.contains("1 report, ") && page.contains("shipped "));
    let audited = format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'roadmap_item' AND actor = 'admin:{ADMIN}'");
    assert_eq!(app.count(&audited).await, 2);
}

#[tokio::test]
async fn surveys_are_created_scheduled_for_some_teams_and_closed_early_from_the_console() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    for (team, n) in [("core", 6), ("edge", 2)] {
        app.create_team(team).await;
        app.add_members(team, team, n).await;
    }
    assert_eq!(app.post_form("/admin/surveys", &cookie, &[]).await.status(), 303);
    let surveys: serde_json::Value = app.page("/api/v1/surveys", &cookie).await.json().await.unwrap();
    let sid = surveys["items"][0]["survey_id"].as_str().unwrap().to_string();
    let today = chrono::Utc::now().date_naive().to_string();
    // Bad dates: the page says why, nothing is created.
    let res = app
        .post_form(&format!("/admin/surveys/{sid}/cycles"), &cookie, &[("opens_on", &today), ("closes_on", &today)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("closes_on"));
    // Some teams only: only their members are invited, at once.
    let res = app
        .post_form(
            &format!("/admin/surveys/{sid}/cycles"),
            &cookie,
            &[("opens_on", &today), ("scope", "some"), ("teams", "core")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 6);
    let cycles: serde_json::Value = app.page("/api/v1/cycles?status=open", &cookie).await.json().await.unwrap();
    let cid = cycles["items"][0]["cycle_id"].as_str().unwrap().to_string();
    let page = app.page("/admin/surveys", &cookie).await.text().await.unwrap();
    assert!(page.contains("0 of 6") && page.contains("Close now"));
    let overview = app.page("/admin", &cookie).await.text().await.unwrap();
    assert!(overview.contains("of 6 invited have answered"));
    // An overlapping cycle is refused with the reason.
    let res = app.post_form(&format!("/admin/surveys/{sid}/cycles"), &cookie, &[("opens_on", &today)]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("overlaps"));
    assert_eq!(app.post_form(&format!("/admin/cycles/{cid}/close"), &cookie, &[]).await.status(), 303);
    let cycle: serde_json::Value = app.page(&format!("/api/v1/cycles/{cid}"), &cookie).await.json().await.unwrap();
    assert_eq!(cycle["status"], "closed");
    let res = app.post_form(&format!("/admin/cycles/{cid}/close"), &cookie, &[]).await;
    assert_eq!(res.status(), 409, "closing twice says why");
}

#[tokio::test]
async fn teams_members_leads_and_a_csv_import_that_names_every_bad_line() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    let evil = "<script>x</script>\"><img src=x onerror=alert(1)>";
    let res =
        app.post_form("/admin/teams", &cookie, &[("slug", "core"), ("name", evil), ("group_name", "Platform")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/teams/core");
    let res = app.post_form("/admin/teams", &cookie, &[("slug", "Not A Slug"), ("name", "Kept name")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("slug") && html.contains("Kept name"), "the form is kept");
    assert_eq!(app.post_form("/admin/teams", &cookie, &[("slug", "edge"), ("name", "Edge")]).await.status(), 303);
    let list = app.page("/admin/teams", &cookie).await.text().await.unwrap();
    assert!(!list.contains("<script>x") && !list.contains("<img src=x") && list.contains("&lt;script&gt;x"));
    // A CSV with a BOM, CRLF, a header, a bad email, an unknown team, a duplicate and a hostile cell.
    let csv = format!(
        "\u{feff}email,team,lead\r\nada@x.io,core,true\r\nnot-an-email,core\r\nbob@x.io,nowhere\r\nADA@x.io,edge\r\n{evil}@x.io,core\r\ncy@x.io,edge\r\n"
    );
    let res = app.post_form("/admin/teams/import", &cookie, &[("csv", &csv), ("action", "preview")]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("4 lines need fixing"), "{html}");
    for line in ["<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>"] {
        assert!(html.contains(line), "line {line} named");
    }
    assert!(!html.contains("<script>x") && !html.contains("<img src=x"));
    assert!(!html.contains("value=\"import\""), "no import button while lines are bad");
    // Importing anyway writes nothing.
    let res = app.post_form("/admin/teams/import", &cookie, &[("csv", &csv), ("action", "import")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("nothing was imported"));
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0);
    // The good lines alone: preview, then import, with their welcome emails.
    let good = "email,team,lead\r\nada@x.io,core,true\r\ncy@x.io,edge\r\n";
    let preview = app
        .post_form("/admin/teams/import", &cookie, &[("csv", good), ("action", "preview")])
        .await
        .text()
        .await
        .unwrap();
    assert!(preview.contains("Preview: 2 members to add") && preview.contains("value=\"import\""));
    let res = app.post_form("/admin/teams/import", &cookie, &[("csv", good), ("action", "import")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/teams?imported=2");
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE lead = true").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'welcome'").await, 2);
    // Again: both are already members, so the preview says so and nothing changes.
    let again = app
        .post_form("/admin/teams/import", &cookie, &[("csv", good), ("action", "preview")])
        .await
        .text()
        .await
        .unwrap();
    assert!(again.contains("already an active member"));
    // A 5 MB file is refused whole.
    let huge = "z@x.io,core\n".repeat(5 * 1024 * 1024 / 12);
    let res = app.post_form("/admin/teams/import", &cookie, &[("csv", &huge), ("action", "import")]).await;
    assert_eq!(res.status(), 413);
    assert!(res.headers().contains_key("content-security-policy"));
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 2);
    // A member: lead off, resend the link, deactivate.
    for action in ["unlead", "resend", "deactivate"] {
        let res =
            app.post_form("/admin/teams/core/members", &cookie, &[("email", "ada@x.io"), ("action", action)]).await;
        assert_eq!(res.status(), 303, "{action}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM members WHERE lead = true OR active = true AND email = 'ada@x.io'").await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'your_link'").await, 1);
    let res =
        app.post_form("/admin/teams/core/members", &cookie, &[("email", "new@x.io"), ("action", "add_lead")]).await;
    assert_eq!(res.status(), 303);
    let members: serde_json::Value = app.page("/api/v1/teams/core/members", &cookie).await.json().await.unwrap();
    assert!(members["items"].as_array().unwrap().iter().any(|m| m["email"] == "new@x.io" && m["lead"] == true));
    // The API's PATCH does the same.
    let res =
        app.patch("/api/v1/teams/core/members/new@x.io", &serde_json::json!({"lead": false})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["lead"], false);
}

#[tokio::test]
async fn settings_tokens_admins_own_password_and_the_audit_log() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    // A token is shown once, and works.
    let res = app.post_form("/admin/settings/tokens", &cookie, &[("name", "ci-bot")]).await;
    assert_eq!(res.status(), 201);
    let html = res.text().await.unwrap();
    let at = html.find("<code>dp_").expect("the new token") + "<code>".len();
    let token = html[at..].split('<').next().unwrap().to_string();
    assert_eq!(app.client.get(app.url("/api/v1/teams")).bearer_auth(&token).send().await.unwrap().status(), 200);
    let again = app.page("/admin/settings", &cookie).await.text().await.unwrap();
    assert!(!again.contains(&token), "never shown again");
    let tokens: Vec<devpulse::entities::api_token::Model> =
        <devpulse::entities::api_token::Entity as sea_orm::EntityTrait>::find().all(&app.state.db).await.unwrap();
    let id = tokens.iter().find(|t| t.name == "ci-bot").unwrap().token_id.clone();
    assert_eq!(app.post_form(&format!("/admin/settings/tokens/{id}/revoke"), &cookie, &[]).await.status(), 303);
    assert_eq!(app.client.get(app.url("/api/v1/teams")).bearer_auth(&token).send().await.unwrap().status(), 401);
    // Admins: a short password is refused; never the last one removed.
    let res =
        app.post_form("/admin/settings/admins", &cookie, &[("email", "two@example.com"), ("password", "short")]).await;
    assert_eq!(res.status(), 422);
    let res =
        app.post_form("/admin/settings/admins", &cookie, &[("email", "two@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), 303);
    let two = app.sign_in("two@example.com", PASSWORD).await;
    assert_eq!(app.post_form("/admin/settings/admins/remove", &two, &[("email", ADMIN)]).await.status(), 303);
    assert_eq!(app.page("/admin", &cookie).await.status(), 303, "a removed admin's sessions end");
    let res = app.post_form("/admin/settings/admins/remove", &two, &[("email", "two@example.com")]).await;
    assert_eq!(res.status(), 409);
    // Own password: the current one is checked, then every session ends.
    let res = app
        .post_form("/admin/settings/password", &two, &[("current", "wrong"), ("password", "another long one")])
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form("/admin/settings/password", &two, &[("current", PASSWORD), ("password", "another long one")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.page("/admin", &two).await.status(), 303);
    let two = app.sign_in("two@example.com", "another long one").await;
    // The audit log, filtered.
    let log = app.page("/admin/settings?action=token", &two).await.text().await.unwrap();
    assert!(log.contains("token.create") && log.contains("token.revoke") && !log.contains("admin.add"));
    let log = app.page("/admin/settings?action=admin", &two).await.text().await.unwrap();
    assert!(log.contains("admin.add") && log.contains("admin.remove") && log.contains("admin.password"));
}

#[tokio::test]
async fn a_roadmap_item_is_edited_and_linked_from_the_roadmap_page() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    let res = app.post_form("/admin/roadmap", &cookie, &[("title", "Old title"), ("area_id", "ci")]).await;
    assert_eq!(res.status(), 303);
    let items: serde_json::Value = app.get("/api/v1/roadmap").send().await.unwrap().json().await.unwrap();
    let id = items["items"][0]["item_id"].as_str().unwrap().to_string();
    let report: serde_json::Value = app
        .post(
            "/api/v1/friction",
            &serde_json::json!({"area_id": "ci", "title": "t", "trying_to": "x", "blocked_by": "y"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rid = report["report_id"].as_str().unwrap();
    let fields =
        [("title", "New title"), ("area_id", "deploy"), ("description", "Why and how"), ("link", rid), ("status", "")];
    let res = app.post_form(&format!("/admin/roadmap/{id}"), &cookie, &fields).await;
    assert_eq!(res.status(), 303);
    let item: serde_json::Value = app.get(&format!("/api/v1/roadmap/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!((item["title"].as_str(), item["area_id"].as_str()), (Some("New title"), Some("deploy")));
    let linked: serde_json::Value =
        app.get(&format!("/api/v1/friction/{rid}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(linked["roadmap_item_id"], id.as_str());
    let res = app.post_form(&format!("/admin/roadmap/{id}"), &cookie, &[("link", "no-such-report")]).await;
    assert_eq!(res.status(), 404);
    let res = app.post_form(&format!("/admin/roadmap/{id}"), &cookie, &[("title", &"x".repeat(300))]).await;
    assert_eq!(res.status(), 422);
}
