//! The `devpulse` binary itself: exit codes, one-line errors, serve and stop.

use crate::helpers::fresh_database;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_devpulse");

pub(crate) fn devpulse(database_url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("DEVPULSE_ANONYMITY_K")
        .stdin(Stdio::null())
        .output()
        .expect("run devpulse")
}

fn with_stdin(database_url: &str, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub(crate) fn assert_one_line_error(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "stderr: {}", stderr(o));
    let err = stderr(o);
    let lines: Vec<_> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn help_lists_the_commands() {
    let o = devpulse("sqlite://unused.db", &["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    for cmd in ["serve", "migrate", "demo", "admin", "token"] {
        assert!(out.contains(cmd), "{out}");
    }
    let o = devpulse("sqlite://unused.db", &["serve", "--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("DEVPULSE_BIND"));
}

#[test]
fn bad_databases_end_with_one_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "not a folder").unwrap();
    for url in [
        "mysql://root@localhost/x".to_string(),
        "nonsense".to_string(),
        format!("sqlite://{}/sub/devpulse.db?mode=rwc", file.display()),
        "postgres://nobody@127.0.0.1:1/none".to_string(),
    ] {
        let o = devpulse(&url, &["migrate"]);
        assert_one_line_error(&o, 1);
    }
}

#[test]
fn bad_usage_exits_2() {
    let o = devpulse("sqlite://unused.db", &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(BIN).args(["migrate"]).env("DEVPULSE_ANONYMITY_K", "2").output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("anonymity-k") || stderr(&o).contains("DEVPULSE_ANONYMITY_K"));
}

#[tokio::test]
async fn demo_fills_an_empty_database_and_refuses_a_full_one() {
    let (url, _dir) = fresh_database().await;
    let o = devpulse(&url, &["demo", "--seed", "3", "--teams", "5", "--friction", "40"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("5 teams") && out.contains("40 friction reports"), "{out}");
    let o = devpulse(&url, &["demo"]);
    assert_one_line_error(&o, 2);
    assert!(stderr(&o).contains("--force"));
    let o = devpulse(&url, &["demo", "--force", "--teams", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 teams"));
}

#[tokio::test]
async fn admins_are_added_with_a_password_from_stdin() {
    let (url, _dir) = fresh_database().await;
    let o = with_stdin(&url, &["admin", "add", "lead@example.com"], "short\n");
    assert_one_line_error(&o, 2);
    let o = with_stdin(&url, &["admin", "add", "not-an-email"], "long enough password\n");
    assert_one_line_error(&o, 2);
    let o = with_stdin(&url, &["admin", "add", "lead@example.com"], "correct horse battery\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = with_stdin(&url, &["admin", "add", "lead@example.com"], "correct horse battery\n");
    assert_one_line_error(&o, 2);
    let db = devpulse::db::connect(&url).await.unwrap();
    use sea_orm::EntityTrait;
    let admin = devpulse::entities::admin_user::Entity::find().one(&db).await.unwrap().unwrap();
    assert!(admin.password_hash.starts_with("$argon2"));
    assert!(password_auth::verify_password("correct horse battery", &admin.password_hash).is_ok());
}

#[tokio::test]
async fn member_link_prints_the_personal_link_that_opens_the_page() {
    let app = crate::helpers::spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 1).await;
    let o = Command::new(BIN)
        .args(["member", "link", "M1@x.io", "--base-url", "https://devpulse.example.org/"])
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let link = String::from_utf8(o.stdout).unwrap().trim().to_string();
    let token = app.member_token("m1@x.io").await;
    assert_eq!(link, format!("https://devpulse.example.org/p/{token}"));
    assert_eq!(app.client.get(app.url(&format!("/p/{token}"))).send().await.unwrap().status(), 200);
    assert_one_line_error(&devpulse(&app.database_url, &["member", "link", "nobody@x.io"]), 2);
    assert_one_line_error(&devpulse(&app.database_url, &["member", "link", "not an email"]), 2);
}

#[tokio::test]
async fn tokens_are_created_listed_and_revoked() {
    let (url, _dir) = fresh_database().await;
    let o = devpulse(&url, &["token", "create", "ci-bot"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let token = String::from_utf8(o.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("dp_"));
    let db = devpulse::db::connect(&url).await.unwrap();
    assert!(devpulse::store::tokens::verify(&db, &token).await.unwrap().is_some());
    let list = String::from_utf8(devpulse(&url, &["token", "list"]).stdout).unwrap();
    assert!(list.contains("ci-bot") && list.contains("live") && !list.contains(&token));
    let o = devpulse(&url, &["token", "revoke", "ci-bot"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(devpulse::store::tokens::verify(&db, &token).await.unwrap().is_none());
    let o = devpulse(&url, &["token", "revoke", "no-such-token"]);
    assert_one_line_error(&o, 2);
}

#[tokio::test]
async fn serve_logs_its_url_and_stops_cleanly_on_sigterm() {
    let (url, dir) = fresh_database().await;
    let mut child = tokio::process::Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--demo"])
        .env("DATABASE_URL", &url)
        .env("DEVPULSE_MAIL_DIR", dir.path().join("mail"))
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (base, logged) = tokio::time::timeout(Duration::from_secs(60), async {
        let mut logged = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(i) = line.find("serving http://") {
                let base = line[i + "serving ".len()..].trim().to_string();
                // The demo's welcome lines come right after.
                for _ in 0..2 {
                    logged.push(lines.next_line().await.unwrap().unwrap_or_default());
                }
                return (base, logged);
            }
        }
        panic!("serve ended without logging its URL");
    })
    .await
    .expect("serve started in time");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(client.get(format!("{base}/health")).send().await.unwrap().status(), 200);
    assert_eq!(client.get(format!("{base}/api/v1/areas")).send().await.unwrap().status(), 200);
    // The demo admin, printed once, signs in; the member's link opens their page with the open survey.
    let console = logged.iter().find(|l| l.contains("demo console:")).expect("the demo admin is logged");
    let password = console.split("with password ").nth(1).unwrap().split(' ').next().unwrap().to_string();
    let res = client
        .post(format!("{base}/admin/login"))
        .form(&[("email", "admin@example.com"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{console}");
    let page = logged.iter().find(|l| l.contains("a member's page")).expect("a member's link is logged");
    let path = &page[page.find("/p/").unwrap()..].trim();
    let html = client.get(format!("{base}{path}")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("closes on") || html.contains("answered, thank you"), "the open demo cycle: {html}");
    let pid = child.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait()).await.expect("stopped in time").unwrap();
    assert_eq!(status.code(), Some(0));
    // --demo loaded the organisation into the empty database.
    let db = devpulse::db::connect(&url).await.unwrap();
    assert!(!devpulse::demo::is_empty(&db).await.unwrap());
}
