//! Surveys as code: `devpulse survey export` / `import` and the same
//! document as JSON in `POST /api/v1/surveys`.

use crate::cli::{assert_one_line_error, devpulse, stderr};
use crate::helpers::{TestApp, full_answers, spawn_app};
use serde_json::{Value, json};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Exports `survey_id` with the binary; returns the file's text.
fn export(app: &TestApp, dir: &std::path::Path, survey_id: &str) -> (std::path::PathBuf, String) {
    let file = dir.join("survey.toml");
    let o = devpulse(&app.database_url, &["survey", "export", survey_id, "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&file).unwrap();
    (file, text)
}

fn import(app: &TestApp, file: &std::path::Path) -> std::process::Output {
    devpulse(&app.database_url, &["survey", "import", file.to_str().unwrap()])
}

async fn survey(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/surveys/{id}")).send().await.unwrap().json().await.unwrap()
}

/// Counts of the questions table: (all, retired).
async fn question_rows(app: &TestApp) -> (i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM questions").await,
        app.count("SELECT COUNT(*) FROM questions WHERE retired = true").await,
    )
}

#[tokio::test]
async fn the_devex_survey_round_trips_through_a_file() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let s = app.devex_survey().await;
    let id = s["survey_id"].as_str().unwrap();
    let (file, text) = export(&app, dir.path(), id);
    assert!(text.contains(&format!("survey_id = \"{id}\"")) && text.contains("[[questions]]"), "{text}");
    assert_eq!(text.matches("[[questions]]").count(), 17);

    // Importing the unchanged file changes nothing.
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    let o = import(&app, &file);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit);
    assert_eq!(survey(&app, id).await, s);
    // Exporting again gives the same file.
    assert_eq!(export(&app, dir.path(), id).1, text);

    // The same document as JSON: 200, unchanged.
    let doc: Value = serde_json::to_value(toml::from_str::<toml::Value>(&text).unwrap()).unwrap();
    let res = app.post("/api/v1/surveys", &doc).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["devpulse-import"], "unchanged");

    // A new installation: the file creates the survey with its ids.
    let other = spawn_app().await;
    let o = import(&other, &file);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("created"));
    assert_eq!(survey(&other, id).await["questions"], s["questions"]);
}

#[tokio::test]
async fn a_changed_question_with_answers_becomes_a_new_one() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let cycle = app.open_devex_cycle(&[("core", "m", 5)]).await;
    let id = cycle.survey["survey_id"].as_str().unwrap().to_string();
    let body = json!({"token": cycle.tokens[0], "answers": full_answers(&cycle.survey, 4.0)});
    assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
    let (file, text) = export(&app, dir.path(), &id);
    let first_prompt = cycle.survey["questions"][0]["prompt"].as_str().unwrap();
    let edited = text.replace(first_prompt, "How fast can you build and test your code?");
    std::fs::write(&file, &edited).unwrap();

    // While the cycle is open: refused, nothing written.
    let o = import(&app, &file);
    assert_one_line_error(&o, 2);
    assert!(stderr(&o).contains("open"), "{}", stderr(&o));
    let doc: Value = serde_json::to_value(toml::from_str::<toml::Value>(&edited).unwrap()).unwrap();
    let res = app.post("/api/v1/surveys", &doc).send().await.unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "cycle_open");
    assert_eq!(survey(&app, &id).await["questions"], cycle.survey["questions"]);

    // Once it closed: the old question is kept for the past answers, the new one takes its place.
    let res = app.post(&format!("/api/v1/cycles/{}/close", cycle.cycle_id), &json!({})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let before = question_rows(&app).await;
    let o = import(&app, &file);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("updated"));
    assert_eq!(question_rows(&app).await, (before.0 + 1, before.1 + 1));
    let after = survey(&app, &id).await;
    let old_id = &cycle.survey["questions"][0]["question_id"];
    assert_ne!(&after["questions"][0]["question_id"], old_id);
    assert_eq!(after["questions"][0]["prompt"], "How fast can you build and test your code?");
    assert_eq!(after["questions"][0]["area_id"], "build_test");
    assert_eq!(after["questions"][1], cycle.survey["questions"][1]);
    let answers_to_old =
        app.count(&format!("SELECT COUNT(*) FROM answers WHERE question_id = '{}'", old_id.as_str().unwrap())).await;
    assert_eq!(answers_to_old, 1, "the old answer is untouched");
    // The new file (with the new question's id) imports as unchanged.
    let (file, _) = export(&app, dir.path(), &id);
    assert!(stdout(&import(&app, &file)).contains("unchanged"));
}

#[tokio::test]
async fn without_answers_a_question_changes_in_place_and_a_dropped_one_goes() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let s = app.devex_survey().await;
    let id = s["survey_id"].as_str().unwrap();
    let (file, text) = export(&app, dir.path(), id);
    // Drop the last question (the comment) and reword the first.
    let cut = text.rfind("[[questions]]").unwrap();
    let first_prompt = s["questions"][0]["prompt"].as_str().unwrap();
    std::fs::write(&file, text[..cut].replace(first_prompt, "Builds?")).unwrap();
    let o = import(&app, &file);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = survey(&app, id).await;
    assert_eq!(after["questions"].as_array().unwrap().len(), 16);
    assert_eq!(after["questions"][0]["question_id"], s["questions"][0]["question_id"]);
    assert_eq!(after["questions"][0]["prompt"], "Builds?");
    assert_eq!(question_rows(&app).await, (16, 0));
}

#[tokio::test]
async fn bad_files_name_the_line_and_field_and_write_nothing() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let s = app.devex_survey().await;
    let id = s["survey_id"].as_str().unwrap();
    let (file, text) = export(&app, dir.path(), id);
    let second_id = s["questions"][1]["question_id"].as_str().unwrap();
    let first_id = s["questions"][0]["question_id"].as_str().unwrap();
    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let dup_line = format!("question_id = \"{first_id}\"");
    let cases = [
        (text.replacen("area_id = \"ci\"", "area_id = \"cii\"", 1), "questions[1].area_id", "area_id = \"cii\""),
        (text.replacen(second_id, first_id, 1), "questions[1].question_id", dup_line.as_str()),
        (text.replacen("area_id = \"build_test\"\n", "", 1), "questions[0].area_id", "[[questions]]"),
        (text.replacen("title = ", "title = = ", 1), "", "title = = "),
    ];
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    for (bad, field, at) in &cases {
        std::fs::write(&file, bad).unwrap();
        let o = import(&app, &file);
        assert_one_line_error(&o, 2);
        let err = stderr(&o);
        // The second duplicate id is on its second line; the others are found first.
        let line = if field.ends_with("question_id") {
            bad.lines().enumerate().filter(|(_, l)| l.contains(at)).nth(1).unwrap().0 + 1
        } else {
            line_of(bad, at)
        };
        assert!(err.contains(&format!("line {line}: {field}")), "{err} (expected line {line}, {field})");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit);
    assert_eq!(survey(&app, id).await, s);
    // The same checks through the API, naming the field.
    let doc: Value = serde_json::to_value(toml::from_str::<toml::Value>(&cases[0].0).unwrap()).unwrap();
    let res = app.post("/api/v1/surveys", &doc).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "questions[1].area_id");
}
