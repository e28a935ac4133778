//! The results pages and their JSON twins: one source of figures (page, API
//! and report agree on the demo organisation), and the anonymity rules on
//! every page and in every filter a page offers, on a crafted dataset: a
//! group of a 6- and a 3-response team, a group with a 4-response team (k-1),
//! comments of a 9-response scope, an open cycle.

use crate::fixtures::{Crafted, crafted};
use crate::helpers::{TestApp, spawn_app, spawn_demo_app};
use serde_json::Value;

const ADMIN: &str = "reader@example.com";
const PASSWORD: &str = "a long reader password";

async fn signed_in(app: &TestApp) -> String {
    app.add_admin(ADMIN, PASSWORD).await;
    app.sign_in(ADMIN, PASSWORD).await
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

async fn html(app: &TestApp, path: &str, cookie: &str) -> String {
    let res = app.page(path, cookie).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// The HTML of the table row whose header names `name`.
fn row<'a>(page: &'a str, name: &str) -> &'a str {
    let at = page
        .find(&format!("</span>{name}"))
        .or_else(|| page.find(&format!("\">{name}")))
        .unwrap_or_else(|| panic!("a row for {name}"));
    let start = page[..at].rfind("<tr").unwrap();
    let end = at + page[at..].find("</tr>").unwrap();
    &page[start..end]
}

fn pct(v: &Value) -> String {
    format!("{:.0} %", v.as_f64().unwrap() * 100.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_api_and_report_agree_on_the_demo_organisation() {
    let app = spawn_demo_app().await;
    let cookie = signed_in(&app).await;
    let cycles = json_of(&app, "/api/v1/cycles?status=closed").await;
    let id = cycles["items"][0]["cycle_id"].as_str().unwrap().to_string();
    let results = json_of(&app, &format!("/api/v1/cycles/{id}/results")).await;
    let rows = results["rows"].as_array().unwrap();
    assert!(rows.len() > 10, "org, groups and teams");
    // Every scope of the heatmap is what /scores says of it.
    for r in rows {
        let scope = r["scope"].as_str().unwrap();
        let one = json_of(&app, &format!("/api/v1/cycles/{id}/scores?scope={scope}")).await;
        assert_eq!(one["scores"], r["scores"], "{scope}");
        assert_eq!(one["devex_index"], r["devex_index"], "{scope}");
    }
    // The page shows the organisation's figures as the API gives them.
    let page = html(&app, &format!("/admin/cycles/{id}/results"), &cookie).await;
    let org_row = row(&page, "Organisation");
    for (area, score) in results["areas"].as_array().unwrap().iter().zip(rows[0]["scores"].as_array().unwrap()) {
        let text = format!("{}: </span>{}", area["name"].as_str().unwrap(), pct(&score["pct_favorable"]));
        assert!(org_row.contains(&text), "{text} in the organisation's row");
    }
    // The priorities page ranks the areas as the JSON report does, and its CSV download too.
    let report = json_of(&app, &format!("/api/v1/cycles/{id}/priorities")).await;
    let names: Vec<&str> =
        report["priorities"].as_array().unwrap().iter().map(|p| p["area_name"].as_str().unwrap()).collect();
    let page = html(&app, &format!("/admin/cycles/{id}/priorities"), &cookie).await;
    let positions: Vec<usize> = names.iter().map(|n| page.find(&format!(">{n}</a></th>")).expect(n)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "the page's order is the report's");
    let csv = html(&app, &format!("/admin/cycles/{id}/priorities/download?format=csv"), &cookie).await;
    let first = csv.lines().nth(1).unwrap();
    assert!(first.contains(&format!(",{},", report["priorities"][0]["area_id"].as_str().unwrap())), "{first}");
    // Other weights change the ranking through the same code as the API.
    let w = json_of(&app, &format!("/api/v1/cycles/{id}/priorities?weights=0,0,1")).await;
    let page = html(&app, &format!("/admin/cycles/{id}/priorities?survey=0&votes=0&friction=1"), &cookie).await;
    let top = w["priorities"][0]["area_name"].as_str().unwrap();
    assert!(page.find(&format!(">{top}</a></th>")).unwrap() < page.find("<th scope=\"row\"><a").unwrap() + 200);
    // The overview's index trend is the API's.
    let overview = json_of(&app, "/api/v1/overview").await;
    let page = html(&app, "/admin", &cookie).await;
    for c in overview["figures"]["cycles"].as_array().unwrap() {
        let index = format!("{:.0}", c["devex_index"].as_f64().unwrap());
        assert!(page.contains(&format!("<td class=\"num\">{index}</td>")), "index {index} on /admin");
    }
    assert_eq!(overview["figures"]["top_priorities"][0]["area_id"], report["priorities"][0]["area_id"]);
    // The shipped CI item's effect is on the roadmap page and in the API.
    let items = json_of(&app, "/api/v1/roadmap?limit=200").await;
    let ci = items["items"].as_array().unwrap().iter().find(|i| i["area_id"] == "ci" && i["status"] == "shipped");
    let effect = &ci.expect("the demo ships a CI item")["effect"];
    assert!(effect["before"]["pct_favorable"].is_number() && effect["after"]["pct_favorable"].is_number(), "{effect}");
    let page = html(&app, "/admin/roadmap", &cookie).await;
    assert!(page.contains(&pct(&effect["after"]["pct_favorable"])), "the effect is on the page");
}

/// The crafted organisation: g = six (6) + three (3); h = eleven (11) + ten (10) + four (4, k-1).
async fn crafted_org(app: &TestApp) -> Crafted {
    crafted(
        app,
        &[("six", "g", 7, 6), ("three", "g", 4, 3), ("eleven", "h", 12, 11), ("ten", "h", 10, 10), ("four", "h", 5, 4)],
    )
    .await
}

fn has_digit(s: &str) -> bool {
    // Strip markup first: class names and ids hold no figures but may hold digits.
    let mut text = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    // The one number a hidden cell may say is k itself, in its reason.
    text.replace("fewer than 5 answers", "").replace("fewer than 5", "").chars().any(|c| c.is_ascii_digit())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_or_filter_shows_a_hidden_team() {
    let app = spawn_app().await;
    let c = crafted_org(&app).await;
    let cookie = signed_in(&app).await;
    let id = &c.cycle_id;
    let results = json_of(&app, &format!("/api/v1/cycles/{id}/results")).await;
    let by_scope = |s: &str| results["rows"].as_array().unwrap().iter().find(|r| r["scope"] == s).unwrap().clone();
    for (team, reason) in
        [("three", "fewer_than_k"), ("six", "differencing"), ("four", "fewer_than_k"), ("ten", "differencing")]
    {
        let r = by_scope(&format!("team:{team}"));
        assert_eq!((r["suppressed"].as_bool(), r["reason"].as_str()), (Some(true), Some(reason)), "{team}");
        assert!(r["responded"].is_null() && r["devex_index"].is_null());
        assert!(r["scores"].as_array().unwrap().iter().all(|s| s["pct_favorable"].is_null() && s["n"].is_null()));
    }
    assert_eq!(by_scope("team:eleven")["suppressed"], false);
    assert_eq!(by_scope("group:g")["responses"], 9);
    // Every view of the heatmap: hidden teams' rows hold no figure, in text or title.
    for q in [
        "",
        "?compare=previous",
        "?compare=org",
        "?teams=all",
        "?teams=none",
        "?group=g",
        "?group=h",
        "?compare=org&group=g",
    ] {
        let page = html(&app, &format!("/admin/cycles/{id}/results{q}"), &cookie).await;
        for team in ["THREE", "SIX", "FOUR", "TEN"] {
            if let Some(at) = page.find(&format!("</span>{team}")) {
                let r = row(&page, team);
                assert!(!has_digit(r), "{q}: the row of {team} shows a figure: {r}");
                assert!(r.contains("hidden"), "{q}: {team} says why");
                let _ = at;
            }
        }
        assert!(!page.contains("title=\""), "{q}: no title attribute carries a figure");
    }
    // The area page shows the organisation and groups only, with figures where allowed.
    let page = html(&app, &format!("/admin/cycles/{id}/areas/ci"), &cookie).await;
    for team in ["THREE", "SIX", "FOUR", "TEN", "ELEVEN"] {
        assert!(!page.contains(team), "the area page has no team rows");
    }
    // The priorities page and its downloads carry no team.
    let csv = html(&app, &format!("/admin/cycles/{id}/priorities/download?format=csv"), &cookie).await;
    for team in ["three", "six", "four", "ten"] {
        assert!(!csv.contains(team), "{csv}");
    }
    // A lead of the 3-team reads an explanation, not numbers.
    let lead_email = "three-1@x.io";
    app.make_lead("three", lead_email).await;
    let token = app.member_token(lead_email).await;
    let page = app.client.get(app.url(&format!("/p/{token}/team"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("hidden in every survey so far"), "{page}");
    assert!(!page.contains("<strong>"), "no figure of the team: {page}");
    assert!(page.contains("votes are hidden"));
    // A member who is not a lead cannot open a team view.
    let other = app.member_token("three-2@x.io").await;
    assert_eq!(app.client.get(app.url(&format!("/p/{other}/team"))).send().await.unwrap().status(), 403);
    // The member's page shows the organisation only.
    let page = app.client.get(app.url(&format!("/p/{other}/results"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("You said, we did") && !page.contains("THREE") && !page.contains("SIX"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_follow_the_comment_rules() {
    let app = spawn_app().await;
    let c = crafted_org(&app).await;
    let cookie = signed_in(&app).await;
    let id = &c.cycle_id;
    let org = json_of(&app, &format!("/api/v1/cycles/{id}/comments")).await;
    let texts: Vec<String> =
        org["comments"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    assert_eq!(texts.len(), 34, "every comment of the organisation (34 responses)");
    assert_ne!(texts, c.submitted, "not in submission order");
    let mut sorted = texts.clone();
    sorted.sort();
    let mut submitted = c.submitted.clone();
    submitted.sort();
    assert_eq!(sorted, submitted, "the same comments");
    let again = json_of(&app, &format!("/api/v1/cycles/{id}/comments")).await;
    assert_eq!(again["comments"], org["comments"], "a stable order");
    assert!(org["comments"].as_array().unwrap().iter().all(|c| c.is_string()), "text only: no date, no team");
    // Group g has 9 responses (under DEVPULSE_COMMENT_K = 10); h is hidden so g cannot be worked out.
    let g = json_of(&app, &format!("/api/v1/cycles/{id}/comments?scope=group:g")).await;
    assert_eq!((g["suppressed"].as_bool(), g["comments"].as_array().unwrap().len()), (Some(true), 0));
    let h = json_of(&app, &format!("/api/v1/cycles/{id}/comments?scope=group:h")).await;
    assert_eq!(h["reason"], "differencing");
    let eleven = json_of(&app, &format!("/api/v1/cycles/{id}/comments?scope=team:eleven")).await;
    assert_eq!(eleven["suppressed"], true, "its group is hidden, so it is");
    let page = html(&app, &format!("/admin/cycles/{id}/comments?scope=group:g"), &cookie).await;
    assert!(page.contains("No comment is shown for this scope") && !page.contains("crafted cycle</blockquote>"));
    // Hiding a comment: gone from the API, marked on the page, in the audit log.
    let page = html(&app, &format!("/admin/cycles/{id}/comments"), &cookie).await;
    let at =
        page.find(&format!("/admin/cycles/{id}/comments/")).unwrap() + format!("/admin/cycles/{id}/comments/").len();
    let comment_id = page[at..].split('"').next().unwrap().to_string();
    let res = app
        .post_form(
            &format!("/admin/cycles/{id}/comments/{comment_id}"),
            &cookie,
            &[("hidden", "yes"), ("scope", "org")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let after = json_of(&app, &format!("/api/v1/cycles/{id}/comments")).await;
    assert_eq!(after["comments"].as_array().unwrap().len(), 33);
    assert!(html(&app, &format!("/admin/cycles/{id}/comments"), &cookie).await.contains("Hidden by an admin"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'comment.hide'").await, 1);
    // Comments never go into the export.
    let tables =
        devpulse::export::load(&app.state.db, &Default::default(), &devpulse::progress::Progress::new("t", false))
            .await
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    tables.write_dir(dir.path(), analysis::Format::Csv).unwrap();
    for f in std::fs::read_dir(dir.path()).unwrap() {
        assert!(!std::fs::read_to_string(f.unwrap().path()).unwrap().contains("crafted cycle"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_cycle_shows_participation_only() {
    let app = spawn_app().await;
    let cookie = signed_in(&app).await;
    let open = app.open_devex_cycle(&[("alpha", "a", 6)]).await;
    for path in ["results", "comments", "scores", "priorities"] {
        let res = app.get(&format!("/api/v1/cycles/{}/{path}", open.cycle_id)).send().await.unwrap();
        assert_eq!(res.status(), 409, "{path}");
    }
    for path in ["results", "comments", "priorities", "areas/ci"] {
        let res = app.page(&format!("/admin/cycles/{}/{path}", open.cycle_id), &cookie).await;
        assert_eq!(res.status(), 409, "{path}");
        assert!(res.text().await.unwrap().contains("only once the cycle has closed"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kept_counts_give_the_same_results_as_every_answer() {
    let app = spawn_demo_app().await;
    let progress = devpulse::progress::Progress::new("t", false);
    let raw = devpulse::export::load(&app.state.db, &Default::default(), &progress).await.unwrap();
    let kept =
        devpulse::export::load_for_reports(&app.state.db, devpulse::export::Counts::All, &progress).await.unwrap();
    let p = analysis::Params::new(5, "now");
    let cycles = json_of(&app, "/api/v1/cycles?status=closed").await;
    let ids: Vec<&str> = cycles["items"].as_array().unwrap().iter().map(|c| c["cycle_id"].as_str().unwrap()).collect();
    assert!(ids.len() >= 4);
    for id in ids {
        // The counts of one cycle and the one before it, as the cycle's own views load them.
        let one =
            devpulse::export::load_for_reports(&app.state.db, devpulse::export::Counts::Cycle(Some(id)), &progress)
                .await
                .unwrap();
        let (a, c) =
            (analysis::priorities(&raw, Some(id), &p).unwrap(), analysis::priorities(&one, Some(id), &p).unwrap());
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::to_value(&c).unwrap(),
            "one cycle's priorities of {id}"
        );
        let (a, b) = (analysis::results(&raw, id, &p).unwrap(), analysis::results(&kept, id, &p).unwrap());
        assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::to_value(&b).unwrap(), "results of {id}");
        let (a, b) =
            (analysis::priorities(&raw, Some(id), &p).unwrap(), analysis::priorities(&kept, Some(id), &p).unwrap());
        assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::to_value(&b).unwrap(), "priorities of {id}");
        for area in ["ci", "docs", "on_call"] {
            let (a, b) = (
                analysis::area::distribution(&raw, id, area, &p).unwrap(),
                analysis::area::distribution(&kept, id, area, &p).unwrap(),
            );
            assert_eq!(a, b, "distribution of {area} in {id}");
        }
    }
}
