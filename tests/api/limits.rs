//! Limits that hold across instances: the friction limit per member is
//! counted in the database, so two instances on one database allow it once,
//! not twice, and keep no member id; and nothing limits survey answers per
//! address, so a whole office behind one NAT address can answer at once.

use crate::helpers::{TestApp, fresh_database, full_answers, spawn_app, spawn_on};
use chrono::Utc;
use devpulse::db;
use devpulse::store::rate;
use futures_util::{StreamExt, stream};
use serde_json::json;

const LIMIT: u32 = 4;

/// Two instances of the service on one fresh database.
async fn two_instances(limit: u32) -> (TestApp, TestApp) {
    let (url, dir) = fresh_database().await;
    let first = db::connect(&url).await.unwrap();
    db::migrate(&first).await.unwrap();
    let a = spawn_on(first, url.clone(), dir, |c| c.friction_per_hour = limit).await;
    let second = db::connect(&url).await.unwrap();
    let b = spawn_on(second, url, tempfile::tempdir().unwrap(), |c| c.friction_per_hour = limit).await;
    (a, b)
}

/// Waits for the next hour when this one ends within `secs`, so a test's
/// counts all fall in one hour.
async fn clear_of_the_hour_end(secs: u64) {
    let left = rate::Hour::of(Utc::now()).seconds_left;
    if left <= secs {
        tokio::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}

async fn file(app: &TestApp, token: &str, title: &str) -> reqwest::Response {
    let body = json!({"area_id": "ci", "title": title, "trying_to": "merge", "blocked_by": "queue"});
    app.client.post(app.url("/api/v1/friction")).bearer_auth(token).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn the_friction_limit_holds_across_two_instances_and_names_nobody() {
    let (a, b) = two_instances(LIMIT).await;
    a.create_team("core").await;
    a.add_members("core", "m", 2).await;
    let member = a.member_token("m1@x.io").await;
    let colleague = a.member_token("m2@x.io").await;
    clear_of_the_hour_end(30).await;
    // Alternately through both instances: the limit counts once for both.
    for i in 0..LIMIT {
        let via = if i % 2 == 0 { &a } else { &b };
        assert_eq!(file(via, &member, &format!("report {i}")).await.status(), 201, "report {i}");
    }
    for via in [&a, &b] {
        let res = file(via, &member, "one too many").await;
        assert_eq!(res.status(), 429, "the limit holds whichever instance answers");
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        let left = rate::Hour::of(Utc::now()).seconds_left;
        assert!(retry >= left && retry <= left + 2, "Retry-After {retry} is the time to the next hour ({left})");
    }
    // The same form on the member's page is refused too.
    let form = [
        ("area_id", "ci"),
        ("title", "t"),
        ("trying_to", "x"),
        ("blocked_by", "y"),
        ("minutes_lost", "30"),
        ("frequency", "weekly"),
        ("severity", "2"),
    ];
    let page = b.client.post(b.url(&format!("/p/{member}/friction"))).form(&form).send().await.unwrap();
    assert_eq!(page.status(), 429);
    // Per member, not per address: a colleague behind the same address files.
    assert_eq!(file(&b, &colleague, "mine").await.status(), 201);
    assert_eq!(a.count("SELECT COUNT(*) FROM friction_reports").await, i64::from(LIMIT) + 1);

    // One counter row per member and hour, holding no member id.
    assert_eq!(a.count("SELECT COUNT(*) FROM rate_counters").await, 2);
    // A refused report counts for nothing: the counter is taken in the report's transaction.
    assert_eq!(a.count("SELECT CAST(MAX(count) AS BIGINT) FROM rate_counters").await, i64::from(LIMIT));
    let holding = "SELECT COUNT(*) FROM rate_counters r JOIN members m ON r.key_hash LIKE '%' || m.member_id || '%'";
    assert_eq!(a.count(holding).await, 0);
    assert_eq!(a.columns("rate_counters").await, ["key_hash", "hour", "count"]);
}

#[tokio::test]
async fn counters_of_past_hours_are_deleted() {
    let (a, _b) = two_instances(LIMIT).await;
    let db = &a.state.db;
    let now = Utc::now();
    let past = now - chrono::Duration::hours(2);
    assert_eq!(rate::hit(db, &a.state.secret_key, "friction:x", past).await.unwrap(), 1);
    assert_eq!(rate::hit(db, &a.state.secret_key, "friction:x", past).await.unwrap(), 2);
    // The first count of a new hour forgets the past ones.
    assert_eq!(rate::hit(db, &a.state.secret_key, "friction:x", now).await.unwrap(), 1);
    assert_eq!(a.count("SELECT COUNT(*) FROM rate_counters").await, 1);
    // So does the scheduler's pass, when nothing is filed.
    rate::hit(db, &a.state.secret_key, "friction:y", past).await.unwrap();
    assert_eq!(a.count("SELECT COUNT(*) FROM rate_counters").await, 2);
    a.tick(now).await;
    assert_eq!(a.count("SELECT COUNT(*) FROM rate_counters").await, 1);
}

#[tokio::test]
async fn hundreds_of_members_behind_one_address_all_answer_at_once() {
    const PEOPLE: usize = 300;
    let app = spawn_app().await;
    app.create_team("office").await;
    let adds =
        (1..=PEOPLE).map(|i| app.post("/api/v1/teams/office/members", &json!({"email": format!("p{i}@x.io")})).send());
    let added: Vec<_> = stream::iter(adds).buffer_unordered(8).collect().await;
    assert!(added.iter().all(|r| r.as_ref().unwrap().status() == 201));
    let survey = app.devex_survey().await;
    let cycle = app.open_cycle(&survey, None).await;
    let tokens = app.invitation_tokens(cycle["cycle_id"].as_str().unwrap()).await;
    assert_eq!(tokens.len(), PEOPLE);
    let q = |i: usize| survey["questions"][i]["question_id"].as_str().unwrap().to_string();
    let mut form: Vec<(String, String)> = (0..14).map(|i| (format!("q_{}", q(i)), "4".into())).collect();
    form.push((format!("q_{}", q(14)), "ci".into()));

    // Every one from this one client and address, 32 at a time: half through
    // the survey form (the page, then the answers), half through the API.
    let started = std::time::Instant::now();
    let answer = |(i, token): (usize, String)| {
        let (app, form, survey) = (&app, &form, &survey);
        async move {
            if i % 2 == 0 {
                let page = app.client.get(app.url(&format!("/s/{token}"))).send().await.unwrap();
                assert_eq!(page.status(), 200);
                app.client.post(app.url(&format!("/s/{token}"))).form(form).send().await.unwrap().status().as_u16()
            } else {
                let body = json!({"token": token, "answers": full_answers(survey, 4.0)});
                app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status().as_u16()
            }
        }
    };
    let statuses: Vec<u16> =
        stream::iter(tokens.into_iter().enumerate()).map(answer).buffer_unordered(32).collect().await;
    let elapsed = started.elapsed();
    let refused: Vec<&u16> = statuses.iter().filter(|s| **s != 201 && **s != 303).collect();
    assert!(refused.is_empty(), "no answer is refused: {refused:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, PEOPLE as i64);
    // 2,000 people in five minutes is 6.7 a second; this is far faster.
    assert!(elapsed < std::time::Duration::from_secs(45), "{PEOPLE} answers took {elapsed:?}");
    eprintln!("{PEOPLE} answers from one address in {elapsed:?}");
}
