//! Single sign-on against a real OpenID provider started by the test
//! (`tests/oidc/provider.mjs`: the npm package `oidc-provider`, run with
//! Node.js), in each of its modes.

use crate::helpers::{TestApp, session_cookie, spawn_app_with};
use crate::smtp::free_port;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const CLIENT_ID: &str = "devpulse";
const CLIENT_SECRET: &str = "devpulse-test-secret";

/// The provider, killed when dropped.
struct Provider {
    child: Child,
}

impl Provider {
    /// Starts the provider on `port` in `mode`, sending browsers back to `app`.
    fn start(port: u16, mode: &str, app: &TestApp) -> Provider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.mjs");
        let redirect = format!("{}/admin/sso/callback", app.state.config.base_url);
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URI", redirect)
            .env("OIDC_MODE", mode)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node with tests/oidc installed (bash .ci/test runs npm ci --prefix tests/oidc)");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("READY "), "the provider did not start: {line:?}");
        Provider { child }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn app_with_sso(provider_port: u16) -> TestApp {
    spawn_app_with(|c| {
        c.sso = Some(devpulse::sso::SsoConfig {
            issuer: format!("http://127.0.0.1:{provider_port}"),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            admins: devpulse::sso::Admins::parse("ada@example.com, @platform.example.org"),
        })
    })
    .await
}

/// What devpulse's start gave: the provider's URL and the state cookie.
struct Started {
    authorize: String,
    cookie: String,
}

async fn start(app: &TestApp) -> Started {
    let res = app.client.get(app.url("/admin/sso/start?next=/admin/friction")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let authorize = res.headers()["location"].to_str().unwrap().to_string();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("devpulse_sso="))
        .expect("the state cookie");
    Started { authorize, cookie }
}

/// The provider signs `email` in: returns the callback path and query devpulse is sent back with.
async fn at_provider(app: &TestApp, authorize: &str, email: &str) -> String {
    let url =
        format!("{authorize}&login_hint={}", form_urlencoded::byte_serialize(email.as_bytes()).collect::<String>());
    let res = app.client.get(url).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let back = res.headers()["location"].to_str().unwrap().to_string();
    let base = &app.state.config.base_url;
    back.strip_prefix(base.as_str()).unwrap_or_else(|| panic!("{back} is not at {base}")).to_string()
}

async fn callback(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header("cookie", cookie).send().await.unwrap()
}

/// A whole sign-in as `email`.
async fn sign_in(app: &TestApp, email: &str) -> reqwest::Response {
    let s = start(app).await;
    let back = at_provider(app, &s.authorize, email).await;
    callback(app, &back, &s.cookie).await
}

#[tokio::test]
async fn an_allowed_verified_person_signs_in_and_a_rotated_key_is_fetched() {
    let port = free_port();
    let app = app_with_sso(port).await;
    let provider = Provider::start(port, "normal", &app);
    // The sign-in page offers it.
    let page = app.client.get(app.url("/admin/login")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/admin/sso/start"), "{page}");

    let s = start(&app).await;
    for part in ["code_challenge_method=S256", "code_challenge=", "nonce=", "state=", "scope=openid"] {
        assert!(s.authorize.contains(part), "{part} missing in {}", s.authorize);
    }
    let back = at_provider(&app, &s.authorize, "ada@example.com").await;
    let res = callback(&app, &back, &s.cookie).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(res.headers()["location"], "/admin/friction");
    let session = session_cookie(&res).expect("a session");
    assert_eq!(app.page("/admin", &session).await.status(), 200);
    // A whole domain is allowed too; the admin is created without a password.
    let res = sign_in(&app, "bob@platform.example.org").await;
    assert_eq!(res.status(), 303);
    let bob = devpulse::store::admins::by_email(&app.state.db, "bob@platform.example.org").await.unwrap().unwrap();
    assert_eq!(bob.password_hash, devpulse::store::admins::NO_PASSWORD);

    // The state is good once: the same callback again is refused.
    let res = callback(&app, &back, &s.cookie).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("already used"));

    // The provider rotates its keys (same issuer, new key id): devpulse fetches them again.
    drop(provider);
    let _rotated = Provider::start(port, "rotated", &app);
    let res = sign_in(&app, "ada@example.com").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn bad_tokens_and_people_are_refused() {
    let port = free_port();
    let app = app_with_sso(port).await;
    let provider = Provider::start(port, "normal", &app);
    let refused = |res: reqwest::Response, status: u16, why: &'static str| async move {
        assert_eq!(res.status(), status);
        assert!(session_cookie(&res).is_none_or(|c| c.ends_with('=')), "no session");
        let text = res.text().await.unwrap();
        assert!(text.contains(why), "{why:?} not in {text}");
    };
    // An email not allowed, and one the provider has not verified.
    refused(sign_in(&app, "eve@example.com").await, 403, "not allowed").await;
    refused(sign_in(&app, "unverified.ada@example.com").await, 403, "not verified").await;
    // A nonce that is not the one devpulse sent.
    let s = start(&app).await;
    let nonce_at = s.authorize.find("nonce=").unwrap() + "nonce=".len();
    let end = s.authorize[nonce_at..].find('&').map_or(s.authorize.len(), |i| nonce_at + i);
    let tampered = format!("{}forged-nonce{}", &s.authorize[..nonce_at], &s.authorize[end..]);
    let back = at_provider(&app, &tampered, "ada@example.com").await;
    refused(callback(&app, &back, &s.cookie).await, 403, "nonce").await;
    // A missing state, and a state without the browser's cookie.
    let s = start(&app).await;
    let back = at_provider(&app, &s.authorize, "ada@example.com").await;
    let without_state = back.replace("state=", "x_state=");
    refused(callback(&app, &without_state, &s.cookie).await, 400, "without its state").await;
    refused(callback(&app, &back, "devpulse_sso=someone-elses").await, 400, "another browser").await;

    // An expired token, and one signed by another key.
    drop(provider);
    let expired = Provider::start(port, "expired", &app);
    refused(sign_in(&app, "ada@example.com").await, 403, "xpired").await;
    drop(expired);
    let _forged = Provider::start(port, "forged", &app);
    refused(sign_in(&app, "ada@example.com").await, 403, "Signature verification failed").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM admin_sessions").await, 0);
}
