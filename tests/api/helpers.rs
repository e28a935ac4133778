//! `spawn_app()`: the real server on port 0 over a fresh database: a SQLite
//! file in a temporary folder, or, when `DEVPULSE_TEST_POSTGRES_URL` is set,
//! a fresh PostgreSQL database per test.

use actix_web::web;
use chrono::{Duration, Utc};
use devpulse::config::Config;
use devpulse::startup;
use devpulse::state::AppState;
use devpulse::{db, store};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Once;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    /// A live API token.
    pub token: String,
    pub database_url: String,
    _dir: tempfile::TempDir,
}

/// A fresh, migrated, empty database; returns its URL and the folder that
/// holds it (SQLite) or scratch files (PostgreSQL).
pub async fn fresh_database() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("DEVPULSE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        Some(base) => {
            let name = format!("devpulse_t_{}", uuid::Uuid::new_v4().simple());
            let admin = db::connect(&base).await.expect("connect to DEVPULSE_TEST_POSTGRES_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            with_database_name(&base, &name)
        }
        None => {
            static NOTE: Once = Once::new();
            NOTE.call_once(|| {
                // Written past the test harness's capture, so it shows in the output.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: DEVPULSE_TEST_POSTGRES_URL is not set; these tests run on SQLite only"
                );
            });
            format!("sqlite://{}?mode=rwc", dir.path().join("devpulse.db").display())
        }
    };
    (url, dir)
}

fn with_database_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let head = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{head}/{name}?{q}"),
        None => format!("{head}/{name}"),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// [`spawn_app`] with a change to the configuration (e.g. an SMTP server).
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let (database_url, dir) = fresh_database().await;
    let db = db::connect(&database_url).await.expect("open test database");
    db::migrate(&db).await.expect("migrate");
    spawn_on(db, database_url, dir, tweak).await
}

/// Like [`spawn_app`], with the demo organisation loaded.
pub async fn spawn_demo_app() -> TestApp {
    let app = spawn_app().await;
    devpulse::demo::load(&app.state.db, &devpulse::demo::Options::default(), false).await.expect("demo");
    app
}

pub async fn spawn_on(
    db: DatabaseConnection,
    database_url: String,
    dir: tempfile::TempDir,
    tweak: impl FnOnce(&mut Config),
) -> TestApp {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().unwrap().port();
    let address = format!("http://127.0.0.1:{port}");
    let mut config = Config::with_database(&database_url);
    config.base_url = format!("https://devpulse.test:{port}");
    config.bind = format!("127.0.0.1:{port}");
    config.mail_dir = dir.path().join("mail");
    tweak(&mut config);
    let (_, token) = store::tokens::create(&db, "tests").await.expect("token");
    let state = web::Data::new(AppState::new(db, config).await.expect("state"));
    let server = startup::serve(state.clone(), listener, 1, false).expect("server");
    tokio::spawn(server);
    TestApp {
        address,
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        state,
        token,
        database_url,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(&self.token)
    }

    pub fn post(&self, path: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.client.post(self.url(path)).bearer_auth(&self.token).json(body)
    }

    pub fn patch(&self, path: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.client.patch(self.url(path)).bearer_auth(&self.token).json(body)
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path)).bearer_auth(&self.token)
    }

    /// One scheduler and mailer pass, as if the clock read `now`.
    pub async fn tick(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> (devpulse::store::cycles::Tick, devpulse::mailer::Drained) {
        devpulse::worker::tick_once(&self.state, now).await
    }

    /// Adds members `prefix1@x.io` .. `prefixN@x.io` to a team.
    pub async fn add_members(&self, team: &str, prefix: &str, n: usize) {
        for i in 1..=n {
            let res = self
                .post(
                    &format!("/api/v1/teams/{team}/members"),
                    &serde_json::json!({"email": format!("{prefix}{i}@x.io")}),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
    }

    /// Runs a query returning one integer.
    pub async fn count(&self, sql: &str) -> i64 {
        let db = &self.state.db;
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_string()))
            .await
            .expect("query")
            .expect("a row");
        row.try_get_by_index::<i64>(0).expect("an integer")
    }

    /// The column names of a table, from the database itself.
    pub async fn columns(&self, table: &str) -> Vec<String> {
        let db = &self.state.db;
        let sql = match db.get_database_backend() {
            DbBackend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            _ => format!(
                "SELECT column_name::text FROM information_schema.columns WHERE table_name = '{table}' \
                 AND table_schema = current_schema() ORDER BY ordinal_position"
            ),
        };
        let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("columns");
        rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
    }

    /// The personal token of the member with `email` (it is emailed, never stored in clear).
    pub async fn member_token(&self, email: &str) -> String {
        store::members::token_by_email(&self.state.db, &self.state.invitation_key, email)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no member {email}"))
    }

    /// The default DevEx survey, created through the API.
    pub async fn devex_survey(&self) -> Value {
        let res = self.post("/api/v1/surveys", &json!({"template": "devex"})).send().await.unwrap();
        assert_eq!(res.status(), 201);
        res.json().await.unwrap()
    }

    /// A survey "Other" of one free-text question.
    pub async fn text_survey(&self) -> Value {
        let body = json!({"title": "Other", "questions": [{"kind": "text", "prompt": "?"}]});
        let res = self.post("/api/v1/surveys", &body).send().await.unwrap();
        assert_eq!(res.status(), 201);
        res.json().await.unwrap()
    }

    /// A cycle of `survey` opening today for two weeks (for `teams`, or all).
    pub async fn open_cycle(&self, survey: &Value, teams: Option<Vec<&str>>) -> Value {
        let today = Utc::now().date_naive();
        let mut body = json!({"opens_on": today.to_string(), "closes_on": (today + Duration::days(14)).to_string()});
        if let Some(t) = teams {
            body["teams"] = json!(t);
        }
        let res = self
            .post(&format!("/api/v1/surveys/{}/cycles", survey["survey_id"].as_str().unwrap()), &body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        res.json().await.unwrap()
    }

    /// The fixture most survey tests start from: teams `(slug, email prefix,
    /// members)`, the DevEx survey, and a cycle open today for all of them.
    pub async fn open_devex_cycle(&self, teams: &[(&str, &str, usize)]) -> OpenCycle {
        for (slug, prefix, n) in teams {
            self.create_team(slug).await;
            self.add_members(slug, prefix, *n).await;
        }
        let survey = self.devex_survey().await;
        let cycle = self.open_cycle(&survey, None).await;
        let cycle_id = cycle["cycle_id"].as_str().unwrap().to_string();
        let tokens = self.invitation_tokens(&cycle_id).await;
        OpenCycle { survey, cycle_id, tokens }
    }

    /// The invitation tokens of a cycle, rebuilt as the emails carry them.
    pub async fn invitation_tokens(&self, cycle_id: &str) -> Vec<String> {
        self.invitation_tokens_by_email(cycle_id).await.into_iter().map(|(_, t)| t).collect()
    }

    /// (member email, invitation token) of every invitation of a cycle, by email.
    pub async fn invitation_tokens_by_email(&self, cycle_id: &str) -> Vec<(String, String)> {
        use devpulse::entities::{invitation, member};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let members: std::collections::HashMap<String, String> = member::Entity::find()
            .all(&self.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.member_id, m.email))
            .collect();
        let mut out: Vec<(String, String)> = invitation::Entity::find()
            .filter(invitation::Column::CycleId.eq(cycle_id))
            // An erased person's invitation has neither a member nor a link.
            .filter(invitation::Column::MemberId.is_not_null())
            .all(&self.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|i| {
                let token = devpulse::store::invitations::token_for(&self.state.invitation_key, &i.invitation_id);
                (members[i.member_id.as_deref().expect("filtered on a member")].clone(), token)
            })
            .collect();
        out.sort();
        out
    }

    /// Adds a console admin directly in the store.
    pub async fn add_admin(&self, email: &str, password: &str) {
        let email = devpulse::domain::Email::parse("email", email).unwrap();
        store::admins::create(&self.state.db, &email, password_auth::generate_hash(password)).await.unwrap();
    }

    /// Signs in to the console; returns the `Cookie` header value of the session.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let res = self
            .client
            .post(self.url("/admin/login"))
            .form(&[("email", email), ("password", password), ("next", "/admin")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "signing in as {email}");
        session_cookie(&res).expect("a session cookie")
    }

    /// A console page (GET) with a session cookie.
    pub async fn page(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("cookie", cookie).send().await.unwrap()
    }

    /// The form token of a console page.
    pub async fn csrf(&self, cookie: &str) -> String {
        let html = self.page("/admin", cookie).await.text().await.unwrap();
        let at = html.find("name=\"csrf\" value=\"").expect("a form token") + "name=\"csrf\" value=\"".len();
        html[at..].split('"').next().unwrap().to_string()
    }

    /// Posts a console form (with the session's token unless `fields` has one).
    pub async fn post_form(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            form.push(("csrf".into(), self.csrf(cookie).await));
        }
        self.client.post(self.url(path)).header("cookie", cookie).form(&form).send().await.unwrap()
    }

    /// Marks a member as their team's lead through the API.
    pub async fn make_lead(&self, team: &str, email: &str) {
        let path = format!("/api/v1/teams/{team}/members/{email}");
        let res = self.patch(&path, &serde_json::json!({"lead": true})).send().await.unwrap();
        assert_eq!(res.status(), 200, "{email} made lead");
    }

    /// Adds a team through the API.
    pub async fn create_team(&self, slug: &str) {
        let res = self
            .post("/api/v1/teams", &serde_json::json!({"slug": slug, "name": format!("Team {slug}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "creating team {slug}");
    }
}

/// The `name=value` of the session cookie a response sets, if any.
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("devpulse_session=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// An open cycle of the DevEx survey (see [`TestApp::open_devex_cycle`]).
pub struct OpenCycle {
    pub survey: Value,
    pub cycle_id: String,
    /// Invitation tokens, ordered by member email.
    pub tokens: Vec<String>,
}

/// A complete, valid answer set for the DevEx survey.
pub fn full_answers(survey: &Value, likert: f64) -> Value {
    let answers: Vec<Value> = survey["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| match q["kind"].as_str().unwrap() {
            "likert5" => json!({"question_id": q["question_id"], "value": likert}),
            "priority_pick" => json!({"question_id": q["question_id"], "choices": ["ci", "docs"]}),
            "hours" => json!({"question_id": q["question_id"], "value": 3}),
            _ => json!({"question_id": q["question_id"], "text": "<script>alert('x')</script> builds are slow"}),
        })
        .collect();
    json!(answers)
}

/// The personal tokens of members `prefix1@x.io` .. `prefixN@x.io`.
pub async fn member_tokens(app: &TestApp, prefix: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for i in 1..=n {
        out.push(app.member_token(&format!("{prefix}{i}@x.io")).await);
    }
    out
}

#[test]
fn database_names_are_swapped() {
    assert_eq!(with_database_name("postgres://u@h:5432/test", "x"), "postgres://u@h:5432/x");
    assert_eq!(with_database_name("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
    assert_eq!(with_database_name("postgres://u@h", "x"), "postgres://u@h/x");
}
