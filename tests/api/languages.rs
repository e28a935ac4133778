//! Members' languages: set through the API, the console and CSV import;
//! their survey form, pages and emails in it; the organisation's default
//! for everyone else.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const GERMAN_SUBMIT: &str = "Antworten senden";
const GERMAN_BUILD_QUESTION: &str = "Wie zufrieden sind Sie damit, wie schnell Sie Ihren Code bauen und testen können?";

async fn add(app: &TestApp, team: &str, email: &str, lang: Option<&str>) -> reqwest::Response {
    let mut body = json!({"email": email});
    if let Some(l) = lang {
        body["lang"] = json!(l);
    }
    app.post(&format!("/api/v1/teams/{team}/members"), &body).send().await.unwrap()
}

/// (subject, text body) of the newest email to `to` of `kind`.
async fn email_to(app: &TestApp, to: &str, kind: &str) -> (String, String) {
    use devpulse::entities::outbox_email;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let e = outbox_email::Entity::find()
        .filter(outbox_email::Column::ToAddr.eq(to))
        .filter(outbox_email::Column::Kind.eq(kind))
        .order_by_desc(outbox_email::Column::CreatedAt)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no {kind} email to {to}"));
    (e.subject, e.body_text)
}

#[tokio::test]
async fn a_german_member_gets_german_emails_and_answers_the_survey_in_german() {
    let app = spawn_app().await;
    app.create_team("core").await;
    let res = add(&app, "core", "anna@x.io", Some("de")).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["lang"], "de");
    assert_eq!(add(&app, "core", "ben@x.io", None).await.status(), 201);
    let (subject, _) = email_to(&app, "anna@x.io", "welcome").await;
    assert!(subject.starts_with("Willkommen"), "{subject}");
    assert!(email_to(&app, "ben@x.io", "welcome").await.0.starts_with("Welcome"));

    let survey = app.devex_survey().await;
    let cycle = app.open_cycle(&survey, None).await;
    let (subject, text) = email_to(&app, "anna@x.io", "invitation").await;
    assert!(subject.contains("drei Minuten"), "{subject}");
    assert!(!email_to(&app, "ben@x.io", "invitation").await.0.contains("drei Minuten"));
    let tokens = app.invitation_tokens_by_email(cycle["cycle_id"].as_str().unwrap()).await;
    let anna = &tokens.iter().find(|(e, _)| e == "anna@x.io").unwrap().1;
    assert!(text.contains(&format!("/s/{anna}")), "{text}");

    // The form in German: page language, the item bank, the button.
    let page = app.client.get(app.url(&format!("/s/{anna}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(page.contains(GERMAN_BUILD_QUESTION) && page.contains(GERMAN_SUBMIT), "{page}");
    // Ben's stays English.
    let ben = &tokens.iter().find(|(e, _)| e == "ben@x.io").unwrap().1;
    let page = app.client.get(app.url(&format!("/s/{ben}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<html lang=\"en\">") && !page.contains(GERMAN_SUBMIT));

    // A missing answer is explained in German, and the form kept.
    let res = app
        .client
        .post(app.url(&format!("/s/{anna}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("<html lang=\"de\">") && page.contains(GERMAN_SUBMIT), "{page}");

    // Back to the default: English again.
    let res = app.patch("/api/v1/teams/core/members/anna@x.io", &json!({"lang": null})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["lang"], Value::Null);
    let page = app.client.get(app.url(&format!("/s/{anna}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn the_organisations_default_language_applies_to_members_without_one() {
    let app = spawn_app_with(|c| c.default_lang = "de").await;
    app.create_team("core").await;
    assert_eq!(add(&app, "core", "carl@x.io", None).await.status(), 201);
    assert_eq!(add(&app, "core", "dora@x.io", Some("en")).await.status(), 201);
    assert!(email_to(&app, "carl@x.io", "welcome").await.0.starts_with("Willkommen"));
    assert!(email_to(&app, "dora@x.io", "welcome").await.0.starts_with("Welcome"));
    let carl = app.member_token("carl@x.io").await;
    let page = app.client.get(app.url(&format!("/p/{carl}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<html lang=\"de\">"), "{page}");
}

#[tokio::test]
async fn a_language_devpulse_does_not_speak_is_refused() {
    let app = spawn_app().await;
    app.create_team("core").await;
    let res = add(&app, "core", "eve@x.io", Some("klingon")).await;
    assert_eq!(res.status(), 422);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "lang", "{err}");
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0);
}

#[tokio::test]
async fn the_console_sets_languages_and_csv_import_takes_them() {
    const ADMIN: &str = "lang-admin@example.com";
    const PASSWORD: &str = "correct horse battery";
    let app = spawn_app().await;
    app.add_admin(ADMIN, PASSWORD).await;
    let cookie = app.sign_in(ADMIN, PASSWORD).await;
    app.create_team("core").await;
    let csv = "email,team,lead,lang\nfrank@x.io,core,false,de\ngreta@x.io,core,true,\nhans@x.io,core,no,fr\n";
    // A language devpulse does not speak: the line is named, nothing imported.
    let res = app.post_form("/admin/teams/import", &cookie, &[("csv", csv), ("action", "import")]).await;
    let page = res.text().await.unwrap();
    assert!(page.contains("fr"), "{page}");
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0);
    let csv = csv.replace("hans@x.io,core,no,fr\n", "");
    let res = app.post_form("/admin/teams/import", &cookie, &[("csv", &csv), ("action", "import")]).await;
    assert_eq!(res.status(), 303);
    let members: Value = app.get("/api/v1/teams/core/members").send().await.unwrap().json().await.unwrap();
    let lang_of = |email: &str| {
        members["items"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["lang"].clone()
    };
    assert_eq!((lang_of("frank@x.io"), lang_of("greta@x.io")), (json!("de"), Value::Null));
    // The team page sets one.
    let res = app
        .post_form("/admin/teams/core/members", &cookie, &[("email", "greta@x.io"), ("action", "lang"), ("lang", "de")])
        .await;
    assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
    let m: Value = app.get("/api/v1/teams/core/members").send().await.unwrap().json().await.unwrap();
    let greta = m["items"].as_array().unwrap().iter().find(|m| m["email"] == "greta@x.io").unwrap().clone();
    assert_eq!(greta["lang"], "de");
    let page = app.page("/admin/teams/core", &cookie).await.text().await.unwrap();
    assert!(page.contains("Deutsch"), "{page}");
}
