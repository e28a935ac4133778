//! A real headless Chromium, driven over the WebDriver protocol through
//! Debian's chromedriver (`apt-get install chromium chromium-driver`).

use crate::smtp::free_port;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    http: reqwest::Client,
    session: String,
    base: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver: install Debian's chromium and chromium-driver (bash .ci/test does)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.json::<Value>().await.is_ok_and(|v| v["value"]["ready"] == true)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--window-size={}", std::env::var("DEVPULSE_WINDOW").unwrap_or_else(|_| "412,900".into())), format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let res: Value = http.post(format!("{base}/session")).json(&caps).send().await.unwrap().json().await.unwrap();
        let session =
            res["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no WebDriver session: {res}")).to_string();
        Browser { http, session, base, driver, _profile: profile }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(v["value"]["error"].is_null(), "WebDriver {path}: {v}");
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    pub async fn find(&self, css: &str) -> String {
        let v =
            self.call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_string()
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/click"), Some(json!({}))).await;
    }

    /// Types into the element, key by key.
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/value"), Some(json!({"text": text}))).await;
    }

    pub async fn is_selected(&self, css: &str) -> bool {
        let el = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{el}/selected"), None).await.as_bool().unwrap()
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None).await.as_str().unwrap().to_string()
    }

    /// Waits (up to 10 s) until the page's URL ends with `suffix` and its
    /// source holds `text`; returns the source.
    pub async fn wait_for(&self, suffix: &str, text: &str) -> String {
        for _ in 0..100 {
            let source = self.source().await;
            if self.url().await.ends_with(suffix) && source.contains(text) {
                return source;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached a page at *{suffix} holding {text:?}; now at {}", self.url().await);
    }

    /// Runs axe-core (npm `axe-core`'s `axe.min.js`, path in `DEVPULSE_AXE_JS`,
    /// installed by `.ci/test`) on the current page; returns the violations
    /// tagged wcag2a or wcag2aa, one line each.
    pub async fn axe(&self) -> Vec<String> {
        let path = std::env::var("DEVPULSE_AXE_JS").unwrap_or_else(|_| {
            format!("{}/.cache/devpulse-axe/node_modules/axe-core/axe.min.js", std::env::var("HOME").unwrap())
        });
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("axe-core at {path}: {e} (bash .ci/test installs it)"));
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": format!("{source}; return true;"), "args": []})),
        )
        .await;
        let found = self
            .call(reqwest::Method::POST, "/execute/async", Some(json!({
                "script": "const done = arguments[arguments.length - 1]; \
                    axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}) \
                    .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', ')))) \
                    .catch(e => done(['axe failed: ' + e]));",
                "args": []
            })))
            .await;
        found.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    }

    /// Runs a script in the page and returns its value (reading the DOM).
    pub async fn exec(&self, script: &str) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// Runs a script in the page (test set-up only).
    pub async fn run(&self, script: &str) {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": []}))).await;
    }

    /// Picks `value` in the `<select>` found by `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]")).await;
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None).await.as_str().unwrap().to_string()
    }

    /// A PNG screenshot of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap()).unwrap()
    }

    /// Presses Tab `n` times and returns the focused element's tag and name.
    pub async fn tab(&self, n: usize) -> Value {
        let keys: Vec<Value> = (0..n)
            .flat_map(|_| {
                [json!({"type": "keyDown", "value": "\u{E004}"}), json!({"type": "keyUp", "value": "\u{E004}"})]
            })
            .collect();
        self.call(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "kb", "actions": keys}]})),
        )
        .await;
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({
            "script": "const e = document.activeElement; return [e.tagName, e.getAttribute('name') || e.getAttribute('href') || ''];",
            "args": []
        })))
        .await
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::process::Command::new("curl")
            .args(["-s", "-X", "DELETE", &format!("{}/session/{}", self.base, self.session)])
            .stdout(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
