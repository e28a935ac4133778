//! Webhooks against a real HTTP receiver (`tests/webhooks/receiver.py`),
//! their signatures checked by an independent implementation (the
//! `standardwebhooks` PyPI package, `tests/webhooks/verify.py`).

use crate::helpers::{TestApp, full_answers, spawn_app_with};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The receiver, killed when dropped.
struct Receiver {
    port: u16,
    log: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Receiver {
    fn start() -> Receiver {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("requests.jsonl");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webhooks/receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("READY ").expect("READY line").parse().unwrap();
        Receiver { port, log, child, _dir: dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request received so far.
    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The requests whose path starts with `prefix`.
    fn at(&self, prefix: &str) -> Vec<Value> {
        self.requests().into_iter().filter(|r| r["path"].as_str().unwrap().starts_with(prefix)).collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the independent verifier on `requests` with `secret`: one verdict each.
fn verify(secret: &str, requests: &[Value]) -> Vec<String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webhooks/verify.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 with standardwebhooks (bash .ci/test installs it)");
    let mut input = String::new();
    for r in requests {
        input.push_str(&r.to_string());
        input.push('\n');
    }
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "verify.py failed");
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

async fn app_allowing_private() -> TestApp {
    spawn_app_with(|c| c.webhook_allow_private = true).await
}

async fn register(app: &TestApp, url: &str, events: &[&str], format: Option<&str>) -> Value {
    let mut body = json!({"url": url, "events": events});
    if let Some(f) = format {
        body["format"] = json!(f);
    }
    let res = app.post("/api/v1/webhooks", &body).send().await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn file_friction(app: &TestApp, title: &str) -> Value {
    let body = json!({"area_id": "ci", "title": title, "trying_to": "merge", "blocked_by": "the queue",
                      "minutes_lost": 45, "severity": 3});
    let res = app.post("/api/v1/friction", &body).send().await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn deliveries(app: &TestApp, webhook_id: &str) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/webhooks/{webhook_id}/deliveries")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn friction_reaches_the_receiver_signed_and_without_its_reporter() {
    let receiver = Receiver::start();
    let app = app_allowing_private().await;
    let hook = register(&app, &receiver.url("/ok/a"), &["friction.created"], None).await;
    let secret = hook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    // The secret is shown once: never listed.
    let list: Value = app.get("/api/v1/webhooks").send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"][0]["webhook_id"], hook["webhook_id"]);
    assert!(list["items"][0].get("secret").is_none(), "{list}");

    // A member files it: the payload must not say who.
    app.create_team("core").await;
    app.add_members("core", "m", 1).await;
    let member = app.member_token("m1@x.io").await;
    let body = json!({"area_id": "ci", "title": "CI is slow", "trying_to": "merge", "blocked_by": "queue",
                      "follow_up": true});
    let res = app.client.post(app.url("/api/v1/friction")).bearer_auth(&member).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let report: Value = res.json().await.unwrap();
    let (_, delivered) = (app.tick(Utc::now()).await, deliveries(&app, hook["webhook_id"].as_str().unwrap()).await);
    assert_eq!(delivered[0]["status"], "delivered", "{delivered:?}");

    let got = receiver.at("/ok/a");
    assert_eq!(got.len(), 1);
    assert_eq!(verify(secret, &got), vec![format!("ok {}", got[0]["headers"]["webhook-id"].as_str().unwrap())]);
    // Another secret does not verify: the check can fail.
    assert!(verify(&devpulse::webhooks::new_secret(), &got)[0].starts_with("bad "));
    let payload: Value = serde_json::from_str(got[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(payload["type"], "friction.created");
    assert_eq!(payload["data"]["report_id"], report["report_id"]);
    let text = payload.to_string();
    for leak in ["m1@x.io", "reporter", "team", "core"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

#[tokio::test]
async fn every_event_of_a_cycle_and_the_roadmap_is_sent() {
    let receiver = Receiver::start();
    let app = app_allowing_private().await;
    let all = [
        "friction.created",
        "friction.status_changed",
        "cycle.opened",
        "cycle.closed",
        "report.ready",
        "roadmap.shipped",
    ];
    let hook = register(&app, &receiver.url("/ok/all"), &all, None).await;
    let cycle = app.open_devex_cycle(&[("core", "m", 6)]).await;
    for token in &cycle.tokens {
        let body = json!({"token": token, "answers": full_answers(&cycle.survey, 2.0)});
        assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
    }
    let report = file_friction(&app, "Flaky deploys").await;
    let id = report["report_id"].as_str().unwrap();
    let res = app.patch(&format!("/api/v1/friction/{id}"), &json!({"status": "planned"})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let item: Value = app
        .post("/api/v1/roadmap", &json!({"title": "Faster CI", "area_id": "ci"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/roadmap/{}", item["item_id"].as_str().unwrap())))
        .bearer_auth(&app.token)
        .json(&json!({"status": "shipped"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app.post(&format!("/api/v1/cycles/{}/close", cycle.cycle_id), &json!({})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let (tick, _) = app.tick(Utc::now()).await;
    assert_eq!(tick.results_mailed, 1, "{tick:?}");
    // report.ready was queued after this pass began: the next one sends it.
    app.tick(Utc::now() + Duration::seconds(1)).await;

    let got = receiver.at("/ok/all");
    let types: Vec<String> = got
        .iter()
        .map(|r| serde_json::from_str::<Value>(r["body"].as_str().unwrap()).unwrap()["type"].as_str().unwrap().into())
        .collect();
    let mut sorted = types.clone();
    sorted.sort();
    let mut expected: Vec<String> = all.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(sorted, expected, "{types:?}");
    let secret = hook["secret"].as_str().unwrap();
    assert!(verify(secret, &got).iter().all(|v| v.starts_with("ok ")));
    let ready = got
        .iter()
        .map(|r| serde_json::from_str::<Value>(r["body"].as_str().unwrap()).unwrap())
        .find(|p| p["type"] == "report.ready")
        .unwrap();
    assert_eq!(ready["data"]["top"][0]["rank"], 1, "{ready}");
    assert_eq!(ready["data"]["suppressed"], false);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_and_a_gone_one_disabled() {
    let receiver = Receiver::start();
    let app = app_allowing_private().await;
    let flaky = register(&app, &receiver.url("/flaky/1"), &["friction.created"], None).await;
    let fail = register(&app, &receiver.url("/fail/1"), &["friction.created"], None).await;
    let gone = register(&app, &receiver.url("/gone/1"), &["friction.created"], None).await;
    file_friction(&app, "one").await;
    let now = Utc::now();
    app.tick(now).await;

    let d = deliveries(&app, flaky["webhook_id"].as_str().unwrap()).await;
    assert_eq!(
        (d[0]["status"].as_str(), d[0]["attempts"].as_i64(), d[0]["last_status"].as_i64()),
        (Some("queued"), Some(1), Some(500)),
        "{d:?}"
    );
    let gone_list: Value = app.get("/api/v1/webhooks").send().await.unwrap().json().await.unwrap();
    let g = gone_list["items"].as_array().unwrap().iter().find(|w| w["webhook_id"] == gone["webhook_id"]).unwrap();
    assert_eq!(g["active"], false, "{g}");
    assert!(g["disabled_reason"].as_str().unwrap().contains("410"));

    // Not before its wait...
    app.tick(now + Duration::seconds(2)).await;
    assert_eq!(receiver.at("/flaky/1").len(), 1);
    // ...then again, with the same message id: delivered.
    app.tick(now + Duration::seconds(6)).await;
    let hits = receiver.at("/flaky/1");
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["headers"]["webhook-id"], hits[1]["headers"]["webhook-id"]);
    let d = deliveries(&app, flaky["webhook_id"].as_str().unwrap()).await;
    assert_eq!(d[0]["status"], "delivered", "{d:?}");

    // A receiver that keeps failing gets eight attempts over about a day, then the message fails.
    // (Each wait is at most 10 hours: a pass every 11 hours finds it due.)
    for step in 1..=8 {
        app.tick(now + Duration::hours(11 * step)).await;
    }
    let d = deliveries(&app, fail["webhook_id"].as_str().unwrap()).await;
    assert_eq!((d[0]["status"].as_str(), d[0]["attempts"].as_i64()), (Some("failed"), Some(8)), "{d:?}");
    assert_eq!(receiver.at("/fail/1").len(), 8);

    // The disabled endpoint gets nothing new; rotating its secret turns it on again.
    file_friction(&app, "two").await;
    assert!(deliveries(&app, gone["webhook_id"].as_str().unwrap()).await.len() == 1);
    let res = app
        .post(&format!("/api/v1/webhooks/{}/rotate", gone["webhook_id"].as_str().unwrap()), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rotated: Value = res.json().await.unwrap();
    assert_eq!(rotated["active"], true);
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_is_retried() {
    let receiver = Receiver::start();
    let app = app_allowing_private().await;
    let hook = register(&app, &receiver.url("/slow/1"), &["friction.created"], None).await;
    file_friction(&app, "slow").await;
    let started = std::time::Instant::now();
    app.tick(Utc::now()).await;
    let waited = started.elapsed();
    assert!(waited >= std::time::Duration::from_secs(9) && waited < std::time::Duration::from_secs(20), "{waited:?}");
    let d = deliveries(&app, hook["webhook_id"].as_str().unwrap()).await;
    assert_eq!(d[0]["status"], "queued", "{d:?}");
    assert!(d[0]["last_error"].as_str().unwrap().contains("10 s"), "{d:?}");
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_for_a_day() {
    let receiver = Receiver::start();
    let app = app_allowing_private().await;
    let hook = register(&app, &receiver.url("/ok/rot"), &["friction.created"], None).await;
    let id = hook["webhook_id"].as_str().unwrap();
    let old = hook["secret"].as_str().unwrap().to_string();
    let res = app.post(&format!("/api/v1/webhooks/{id}/rotate"), &json!({})).send().await.unwrap();
    let new = res.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_string();
    assert_ne!(old, new);
    file_friction(&app, "after rotation").await;
    app.tick(Utc::now()).await;
    let got = receiver.at("/ok/rot");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["headers"]["webhook-signature"].as_str().unwrap().split(' ').count(), 2);
    assert!(verify(&old, &got)[0].starts_with("ok "));
    assert!(verify(&new, &got)[0].starts_with("ok "));
}

#[tokio::test]
async fn slack_gets_a_paragraph_with_a_link() {
    let receiver = Receiver::start();
    let app = app_allowing_private().await;
    register(&app, &receiver.url("/ok/slack"), &["friction.created"], Some("slack")).await;
    let report = file_friction(&app, "Docs are stale").await;
    app.tick(Utc::now()).await;
    let got = receiver.at("/ok/slack");
    let body: Value = serde_json::from_str(got[0]["body"].as_str().unwrap()).unwrap();
    let text = body["text"].as_str().unwrap();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    assert!(text.contains("Docs are stale") && text.contains("severity 3"), "{text}");
    let link = format!("{}/admin/friction/{}", app.state.config.base_url, report["report_id"].as_str().unwrap());
    assert!(text.contains(&link), "{text}");
}

#[tokio::test]
async fn bad_urls_and_events_are_refused_and_nothing_is_written() {
    let app = spawn_app_with(|_| {}).await;
    let port = app.address.rsplit(':').next().unwrap().to_string();
    let cases = [
        (json!({"url": "ftp://example.com/hook", "events": ["cycle.opened"]}), "url"),
        (json!({"url": "not a url", "events": ["cycle.opened"]}), "url"),
        (json!({"url": format!("https://devpulse.test:{port}/api/v1/friction"), "events": ["cycle.opened"]}), "url"),
        (json!({"url": format!("http://127.0.0.1:{port}/api/v1/friction"), "events": ["cycle.opened"]}), "url"),
        (json!({"url": "http://169.254.169.254/latest/meta-data", "events": ["cycle.opened"]}), "url"),
        (json!({"url": "http://10.0.0.7/hook", "events": ["cycle.opened"]}), "url"),
        (json!({"url": "https://example.com/hook", "events": ["cycle.exploded"]}), "events"),
        (json!({"url": "https://example.com/hook", "events": []}), "events"),
        (json!({"url": "https://example.com/hook", "events": ["cycle.opened"], "format": "teams"}), "format"),
    ];
    for (body, field) in cases {
        let res = app.post("/api/v1/webhooks", &body).send().await.unwrap();
        assert_eq!(res.status(), 422, "{body}");
        let err: Value = res.json().await.unwrap();
        assert!(err.to_string().contains(field), "{body}: {err}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM webhooks").await, 0);
}

#[tokio::test]
async fn private_addresses_are_refused_when_delivering_without_the_setting() {
    let receiver = Receiver::start();
    // A name that resolves to loopback passes registration (it is not an
    // address), and is refused when the message would go.
    let app = spawn_app_with(|_| {}).await;
    let hook =
        register(&app, &format!("http://localhost:{}/ok/private", receiver.port), &["friction.created"], None).await;
    file_friction(&app, "private").await;
    app.tick(Utc::now()).await;
    let d = deliveries(&app, hook["webhook_id"].as_str().unwrap()).await;
    assert_eq!(d[0]["status"], "failed", "{d:?}");
    assert!(d[0]["last_error"].as_str().unwrap().contains("DEVPULSE_WEBHOOK_ALLOW_PRIVATE"), "{d:?}");
    assert!(receiver.at("/ok/private").is_empty());
}

#[tokio::test]
async fn deleting_an_endpoint_removes_its_log() {
    let app = app_allowing_private().await;
    let hook = register(&app, "http://127.0.0.1:9/hook", &["friction.created"], None).await;
    file_friction(&app, "x").await;
    let id = hook["webhook_id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/webhooks/{id}")).send().await.unwrap().status(), 204);
    assert_eq!(app.count("SELECT COUNT(*) FROM webhook_deliveries").await, 0);
    assert_eq!(app.delete(&format!("/api/v1/webhooks/{id}")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn the_console_adds_rotates_and_deletes_webhooks() {
    const ADMIN: &str = "wh-admin@example.com";
    const PASSWORD: &str = "correct horse battery";
    let app = app_allowing_private().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    // A bad URL: 422, what was typed kept, nothing written.
    let res =
        app.post_form("/admin/webhooks", &cookie, &[("url", "gopher://x.io/h"), ("events", "cycle.opened")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("url: ") && html.contains("value=\"gopher:"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM webhooks").await, 0);
    // Two events ticked: both kept; the secret shown once.
    let res = app
        .post_form(
            "/admin/webhooks",
            &cookie,
            &[
                ("url", "http://127.0.0.1:9/hook"),
                ("events", "cycle.opened"),
                ("events", "report.ready"),
                ("format", "slack"),
            ],
        )
        .await;
    assert_eq!(res.status(), 201);
    let html = res.text().await.unwrap();
    let at = html.find("<code>whsec_").expect("the secret") + "<code>".len();
    let secret = html[at..].split('<').next().unwrap().to_string();
    let list: Value = app.get("/api/v1/webhooks").send().await.unwrap().json().await.unwrap();
    let w = &list["items"][0];
    assert_eq!(w["events"], json!(["cycle.opened", "report.ready"]));
    assert_eq!(w["format"], "slack");
    let again = app.page("/admin/webhooks", &cookie).await.text().await.unwrap();
    assert!(!again.contains(&secret) && again.contains("127.0.0.1:9"));
    let id = w["webhook_id"].as_str().unwrap();
    let res = app.post_form(&format!("/admin/webhooks/{id}/rotate"), &cookie, &[]).await;
    assert_eq!(res.status(), 200);
    assert!(!res.text().await.unwrap().contains(&secret), "a new secret");
    assert_eq!(app.post_form(&format!("/admin/webhooks/{id}/delete"), &cookie, &[]).await.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM webhooks").await, 0);
}
