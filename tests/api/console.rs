//! The console's safety rules (console.md): sign-in, sessions, throttling,
//! cross-site requests and form tokens.

use crate::helpers::{session_cookie, spawn_app, spawn_app_with};
use std::time::Duration;

const ADMIN: &str = "platform@example.com";
const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn pages_need_a_session_and_the_api_needs_credentials() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/login?next=%2Fadmin");
    assert_eq!(app.client.get(app.url("/api/v1/teams")).send().await.unwrap().status(), 401);
    let login = app.client.get(app.url("/admin/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    assert!(login.text().await.unwrap().contains("Sign in to the console"));
}

#[tokio::test]
async fn signing_in_and_out_with_a_fresh_session_each_time() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let first = app.sign_in(ADMIN, PASSWORD).await;
    let second = app.sign_in(" Platform@Example.com ", PASSWORD).await;
    assert_ne!(first, second, "a new session id at every sign-in");
    let page = app.page("/admin", &second).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(ADMIN) && html.contains("Overview"));
    // The cookie's rules: HttpOnly, SameSite=Lax, and Secure with __Host- on https.
    let res = app
        .client
        .post(app.url("/admin/login"))
        .form(&[("email", ADMIN), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let set = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-devpulse_session="), "{set}");
    for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    // The session also reads the API (GET), but never writes to it.
    assert_eq!(app.page("/api/v1/teams", &second).await.status(), 200);
    let write = app
        .client
        .post(app.url("/api/v1/teams"))
        .header("cookie", &second)
        .json(&serde_json::json!({"slug": "x", "name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), 401);
    // Sign out: the session dies on the server; reusing its id leads to sign-in.
    let out = app.post_form("/admin/logout", &second, &[]).await;
    assert_eq!(out.status(), 303);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let again = app.page("/admin", &second).await;
    assert_eq!(again.status(), 303);
    assert_eq!(app.page("/api/v1/teams", &second).await.status(), 401);
    assert_eq!(app.page("/admin", &first).await.status(), 200, "other sessions live on");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'signin'").await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'signout'").await, 1);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let attempt = |email: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/admin/login"))
                .form(&[("email", email), ("password", password), ("next", "/admin")])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong = attempt(ADMIN, "not the password").await;
    let unknown = attempt("nobody@example.com", "not the password").await;
    assert_eq!(
        (wrong.status(), unknown.status()),
        (reqwest::StatusCode::UNAUTHORIZED, reqwest::StatusCode::UNAUTHORIZED)
    );
    assert!(session_cookie(&wrong).is_none() && session_cookie(&unknown).is_none());
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let message = "That email and password do not match an admin.";
    assert!(a.contains(message) && b.contains(message));
    assert_eq!(a.replace(ADMIN, "E"), b.replace("nobody@example.com", "E"), "nothing else differs");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'signin.failed'").await, 2);
}

#[tokio::test]
async fn a_hundred_wrong_passwords_are_throttled_after_five_then_sign_in_works_again() {
    let app = spawn_app_with(|c| c.signin_window = Duration::from_secs(2)).await;
    app.add_admin(ADMIN, PASSWORD).await;
    let mut statuses = Vec::new();
    for _ in 0..100 {
        let res = app
            .client
            .post(app.url("/admin/login"))
            .form(&[("email", ADMIN), ("password", "guess")])
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=2).contains(&retry));
        }
        statuses.push(res.status().as_u16());
    }
    assert!(statuses[..5].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // The right password is refused too while throttled: no oracle.
    let res = app
        .client
        .post(app.url("/admin/login"))
        .form(&[("email", ADMIN), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    // No permanent lock-out: after the window, sign-in works.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    app.sign_in(ADMIN, PASSWORD).await;
    // The throttle names nobody: keys are HMACs.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM signin_throttle WHERE key_hash LIKE '%{ADMIN}%'")).await, 0);
}

#[tokio::test]
async fn fifty_wrong_passwords_sent_at_once_get_no_more_than_five_tries() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let attempts = (0..50).map(|i| {
        let password = format!("guess-{i}");
        let req = app.client.post(app.url("/admin/login")).form(&[("email", ADMIN), ("password", password.as_str())]);
        async move { req.send().await.unwrap().status().as_u16() }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let tried = statuses.iter().filter(|s| **s == 401).count();
    assert!(tried <= 5, "{tried} passwords were checked: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'signin.failed'").await, tried as i64);
}

#[tokio::test]
async fn cross_site_posts_and_forms_without_their_token_are_refused() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    let token = app.csrf(&cookie).await;
    let post = |headers: &'static [(&'static str, &'static str)], with_token: bool| {
        let (app, cookie, token) = (&app, cookie.clone(), token.clone());
        async move {
            let mut req = app.client.post(app.url("/admin/logout")).header("cookie", cookie);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let form: Vec<(&str, String)> = if with_token { vec![("csrf", token)] } else { vec![] };
            req.form(&form).send().await.unwrap()
        }
    };
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "https://evil.example")][..],
    ] {
        let res = post(headers, true).await;
        assert_eq!(res.status(), 403, "{headers:?}");
        assert!(res.headers().contains_key("content-security-policy"));
        assert_eq!(app.page("/admin", &cookie).await.status(), 200, "nothing changed: still signed in");
    }
    let res = post(&[("sec-fetch-site", "same-origin")], false).await;
    assert_eq!(res.status(), 403, "a console form without its token");
    assert_eq!(app.page("/admin", &cookie).await.status(), 200);
    // The JSON API refuses cross-site writes too, with JSON.
    let res = app
        .post("/api/v1/teams", &serde_json::json!({"slug": "x", "name": "X"}))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"], "forbidden");
    assert_eq!(app.count("SELECT COUNT(*) FROM teams").await, 0);
    // With its token and from the same origin, sign-out works.
    assert_eq!(post(&[("sec-fetch-site", "same-origin")], true).await.status(), 303);
}

#[tokio::test]
async fn next_only_leads_to_local_pages() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    for (next, to) in [("/admin?x=1", "/admin?x=1"), ("https://evil.example/", "/admin"), ("//evil.example", "/admin")]
    {
        let res = app
            .client
            .post(app.url("/admin/login"))
            .form(&[("email", ADMIN), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], to, "{next}");
    }
}

#[tokio::test]
async fn reset_password_and_remove_end_the_admins_sessions_and_never_remove_the_last() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    let run = |args: &[&str], input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_devpulse"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let o = run(&["admin", "reset-password", ADMIN], "a brand new passphrase\n");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(app.page("/admin", &cookie).await.status(), 303, "the old session ended");
    app.sign_in(ADMIN, "a brand new passphrase").await;
    let o = run(&["admin", "remove", ADMIN], "");
    assert_eq!(o.status.code(), Some(2), "never the last admin");
    assert!(String::from_utf8_lossy(&o.stderr).contains("last admin"));
    app.add_admin("second@example.com", PASSWORD).await;
    let second = app.sign_in("second@example.com", PASSWORD).await;
    let o = run(&["admin", "remove", "second@example.com"], "");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(app.page("/admin", &second).await.status(), 303);
    let o = run(&["admin", "reset-password", "ghost@example.com"], "a brand new passphrase\n");
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn a_refused_cross_site_form_shows_back_what_was_typed_but_no_secret() {
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    let token = app.csrf(&cookie).await;
    let res = app
        .client
        .post(app.url("/admin/roadmap"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("title", "My <typed> title"), ("area_id", "ci"), ("csrf", &token), ("password", "hunter22hunter")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("My &lt;typed&gt; title"), "what was typed is kept");
    assert!(!html.contains(&token) && !html.contains("hunter22hunter"), "no secret is echoed");
    assert_eq!(app.count("SELECT COUNT(*) FROM roadmap_items").await, 0, "nothing changed");
}
