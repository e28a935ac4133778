//! Contention is not bad input: a burst of concurrent writes of every kind,
//! while the mailer drains a long queue, gets no 5xx, and every write that
//! was acknowledged is in the database afterwards.

use crate::helpers::{TestApp, member_tokens, spawn_app_with};
use devpulse::email::RenderedEmail;
use devpulse::store;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

async fn queue_emails(app: &TestApp, n: usize) {
    let txn = store::begin_write(&app.state.db).await.unwrap();
    for i in 0..n {
        let email = RenderedEmail { subject: format!("note {i}"), text: "hello".into(), html: "<p>hello</p>".into() };
        store::outbox::enqueue(
            &txn,
            devpulse::domain::EmailKind::Welcome,
            &format!("queued{i}@x.io"),
            email,
            "devpulse.test",
        )
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
}

/// What one request of the burst did.
#[derive(Debug)]
enum Outcome {
    Friction,
    Vote,
    Team,
    Member,
    Triage,
    Refused(u16),
}

#[tokio::test]
async fn a_burst_of_mixed_writes_while_the_mailer_drains_gets_no_5xx_and_loses_nothing() {
    let app = Arc::new(spawn_app_with(|c| c.friction_per_hour = 1000).await);
    app.create_team("core").await;
    app.add_members("core", "m", 10).await;
    let tokens = member_tokens(&app, "m", 10).await;
    // A report for the votes and the triage to land on.
    let target: serde_json::Value = app
        .client
        .post(app.url("/api/v1/friction"))
        .bearer_auth(&tokens[0])
        .json(&json!({"area_id": "ci", "title": "slow CI", "trying_to": "merge", "blocked_by": "queue"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let target = target["report_id"].as_str().unwrap().to_string();
    queue_emails(&app, 1000).await;

    // The mailer drains the queue while the burst runs.
    let stop = Arc::new(AtomicBool::new(false));
    let mailer = {
        let (app, stop) = (app.clone(), stop.clone());
        tokio::spawn(async move {
            let mut sent = 0;
            while !stop.load(Ordering::Relaxed) {
                let drained = app.state.mailer.drain(&app.state.db, chrono::Utc::now()).await.expect("mailer pass");
                sent += drained.sent;
                if drained.sent == 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
            sent
        })
    };

    let mut burst = tokio::task::JoinSet::new();
    for i in 0..200usize {
        let app = app.clone();
        let token = tokens[(i / 5) % tokens.len()].clone();
        let target = target.clone();
        burst.spawn(async move {
            let req = match i % 5 {
                0 | 1 => app.client.post(app.url("/api/v1/friction")).bearer_auth(&token).json(&json!({
                    "area_id": "deploy", "title": format!("burst {i}"), "trying_to": "ship", "blocked_by": "locks"})),
                2 => app.client.post(app.url(&format!("/api/v1/friction/{target}/me-too"))).bearer_auth(&token),
                3 if i % 2 == 0 => {
                    app.post("/api/v1/teams", &json!({"slug": format!("t{i}"), "name": format!("T {i}")}))
                }
                3 => app.post("/api/v1/teams/core/members", &json!({"email": format!("burst{i}@x.io")})),
                _ => app.patch(&format!("/api/v1/friction/{target}"), &json!({"severity": 1 + (i % 4)})),
            };
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            assert!(status < 500, "request {i} answered {status}: {}", res.text().await.unwrap_or_default());
            if !res.status().is_success() {
                return Outcome::Refused(status);
            }
            match i % 5 {
                0 | 1 => Outcome::Friction,
                2 => Outcome::Vote,
                3 if i % 2 == 0 => Outcome::Team,
                3 => Outcome::Member,
                _ => Outcome::Triage,
            }
        });
    }
    let outcomes = burst.join_all().await;
    stop.store(true, Ordering::Relaxed);
    let sent = mailer.await.unwrap();
    assert!(sent > 0, "the mailer sent nothing during the burst");

    let acked = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count() as i64;
    assert_eq!(acked(|o| matches!(o, Outcome::Refused(s) if *s != 409)), 0, "{outcomes:?}");
    let filed = acked(|o| matches!(o, Outcome::Friction));
    assert_eq!(filed, 80);
    assert_eq!(app.count("SELECT COUNT(*) FROM friction_reports WHERE title LIKE 'burst %'").await, filed);
    // Ten members, each votes once; the rest are 409s.
    let votes = acked(|o| matches!(o, Outcome::Vote));
    assert_eq!(votes, 10);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM me_too_votes WHERE report_id = '{target}'")).await, votes);
    let teams = acked(|o| matches!(o, Outcome::Team));
    assert_eq!(app.count("SELECT COUNT(*) FROM teams WHERE slug LIKE 't%'").await, teams);
    let members = acked(|o| matches!(o, Outcome::Member));
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE email LIKE 'burst%'").await, members);
    assert_eq!(teams + members, 40);
    assert_eq!(acked(|o| matches!(o, Outcome::Triage)), 40);
}
