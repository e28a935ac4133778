//! Analysis end to end on the demo organisation: `devpulse report` in every
//! format, the API, `export` then `analyze`, a recomputation in DuckDB SQL,
//! and bad input.

use crate::helpers::{TestApp, spawn_app, spawn_demo_app};
use serde_json::{Value, json};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_devpulse");

fn devpulse(app: &TestApp, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env_remove("DEVPULSE_ANONYMITY_K")
        .output()
        .unwrap()
}

fn json_out(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The figures of a report, without the time it was generated.
fn figures(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("generated_at");
    v
}

async fn closed_cycles(app: &TestApp) -> Vec<String> {
    let db = &app.state.db;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    devpulse::entities::cycle::Entity::find()
        .filter(devpulse::entities::cycle::Column::Status.eq("closed"))
        .order_by_asc(devpulse::entities::cycle::Column::OpensOn)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.cycle_id)
        .collect()
}

fn assert_close(a: &Value, b: &Value, what: &str) {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => assert!((x - y).abs() <= 1e-9, "{what}: {x} vs {y}"),
        _ => assert_eq!(a, b, "{what}"),
    }
}

#[tokio::test]
async fn report_formats_the_api_and_export_then_analyze_agree() {
    let app = spawn_demo_app().await;
    let cycles = closed_cycles(&app).await;
    let latest = cycles.last().unwrap().clone();
    let report = json_out(&devpulse(&app, &["report"]));
    assert_eq!(report["cycle"]["cycle_id"], latest.as_str(), "default: the latest closed cycle");
    assert_eq!(
        report["parameters"],
        json!({"k": 5, "weights": {"survey": 0.4, "votes": 0.3, "friction": 0.3}, "lookback_days": 90})
    );
    let priorities = report["priorities"].as_array().unwrap();
    assert_eq!(priorities.len(), 14);
    for key in [
        "rank",
        "area_id",
        "area_name",
        "dimension",
        "priority",
        "survey_pain",
        "pct_unfavorable",
        "n",
        "vote_share",
        "friction_hours",
        "friction_reports",
        "teams_affected",
        "priority_delta",
        "roadmap",
    ] {
        assert!(priorities[0].get(key).is_some(), "{key} missing");
    }
    assert!(priorities.iter().all(|p| p["priority_delta"].is_number()), "a previous cycle exists");
    // The API gives the same figures.
    let api: Value =
        app.get(&format!("/api/v1/cycles/{latest}/priorities")).send().await.unwrap().json().await.unwrap();
    assert_eq!(figures(api), figures(report.clone()));
    // Export (Parquet and CSV), then analyze with no database: the same JSON.
    for format in ["parquet", "csv"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("export");
        let o = devpulse(&app, &["export", "--out", out.to_str().unwrap(), "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let analyzed = Command::new(BIN)
            .args(["analyze", "--input", out.to_str().unwrap()])
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .output()
            .unwrap();
        assert_eq!(figures(json_out(&analyzed)), figures(report.clone()), "{format}");
        // Free text never leaves, and small teams have no team id in responses.
        let files: Vec<String> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(files.len(), 10, "{files:?}");
        if format == "csv" {
            let answers = std::fs::read_to_string(out.join("answers.csv")).unwrap();
            assert_eq!(answers.lines().next().unwrap(), "response_id,question_id,value_num,choice");
            assert!(!answers.contains("platform team"), "no comment text");
            let responses = std::fs::read_to_string(out.join("responses.csv")).unwrap();
            let unattributed = responses.lines().skip(1).filter(|l| l.split(',').nth(2) == Some("")).count();
            assert!(unattributed > 0, "the k rule blanks the team of small (cycle, team) pairs");
        }
    }
    // Every other format.
    let dir = tempfile::tempdir().unwrap();
    for (format, check) in [
        ("md", "| Rank | Area |"),
        ("html", "<svg"),
        ("csv", "cycle_id,rank,area_id,area_name,dimension,priority,survey_pain"),
        ("parquet", "PAR1"),
    ] {
        let path = dir.path().join(format!("report.{format}"));
        let o = devpulse(&app, &["report", "--cycle", &latest, "--format", format, "--out", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let bytes = std::fs::read(&path).unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains(check), "{format}");
        if format == "html" {
            let html = String::from_utf8(bytes.clone()).unwrap();
            assert!(
                !html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<script"),
                "self-contained"
            );
            assert_eq!(html.matches("<g transform").count(), 14);
        }
        if format == "md" {
            let md = String::from_utf8(bytes).unwrap();
            assert!(md.contains("## What changed since the last cycle") && md.contains("moved"));
            let first = &priorities[0];
            assert!(md.contains(&format!("| 1 | {} |", first["area_name"].as_str().unwrap())));
            assert!(md.contains(&format!("{:.4}", first["priority"].as_f64().unwrap())));
        }
    }
    // An earlier cycle, and the oldest one, which has nothing to compare with.
    let oldest = json_out(&devpulse(&app, &["report", "--cycle", &cycles[0]]));
    assert!(oldest["priorities"].as_array().unwrap().iter().all(|p| p["priority_delta"].is_null()));
}

#[tokio::test]
async fn duckdb_sql_recomputes_the_report_from_the_export() {
    let app = spawn_demo_app().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    assert_eq!(devpulse(&app, &["export", "--out", out.to_str().unwrap()]).status.code(), Some(0));
    for cycle in closed_cycles(&app).await {
        let ours = json_out(&devpulse(
            &app,
            &[
                "analyze",
                "--input",
                out.to_str().unwrap(),
                "--cycle",
                &cycle,
                "--lookback-days",
                "120",
                "--weights",
                "0.5,0.2,0.3",
            ],
        ));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/analysis/bench/duckdb_report.py");
        let theirs = Command::new("python3")
            .args([
                script,
                out.to_str().unwrap(),
                "--cycle",
                &cycle,
                "--lookback-days",
                "120",
                "--weights",
                "0.5,0.2,0.3",
            ])
            .output()
            .expect("python3 with duckdb (pip install duckdb; bash .ci/test does)");
        assert_eq!(theirs.status.code(), Some(0), "{}", String::from_utf8_lossy(&theirs.stderr));
        let theirs: Value = serde_json::from_slice(&theirs.stdout).unwrap();
        assert_eq!(ours["responses"], theirs["responses"]);
        let (a, b) = (ours["priorities"].as_array().unwrap(), theirs["priorities"].as_array().unwrap());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            for key in [
                "rank",
                "area_id",
                "priority",
                "survey_pain",
                "pct_unfavorable",
                "n",
                "vote_share",
                "friction_hours",
                "friction_reports",
                "teams_affected",
                "priority_delta",
            ] {
                assert_close(&x[key], &y[key], &format!("{cycle} {} {key}", x["area_id"]));
            }
        }
    }
}

#[tokio::test]
async fn scores_follow_the_anonymity_rules() {
    let app = spawn_demo_app().await;
    let latest = closed_cycles(&app).await.pop().unwrap();
    let org: Value = app.get(&format!("/api/v1/cycles/{latest}/scores")).send().await.unwrap().json().await.unwrap();
    assert_eq!(org["scope"], "org");
    assert_eq!(org["suppressed"], false);
    assert!(org["devex_index"].as_f64().unwrap() > 0.0);
    assert_eq!(org["scores"].as_array().unwrap().len(), 14);
    let ci = org["scores"].as_array().unwrap().iter().find(|s| s["area_id"] == "ci").unwrap().clone();
    assert!(
        ci["delta_favorable"].is_number()
            && ci["unfav_lo"].as_f64().unwrap() <= ci["pct_unfavorable"].as_f64().unwrap()
    );
    // Every team: either shown with at least k responses, or null with a reason. Never zero for hidden.
    let teams: Value = app.get("/api/v1/teams?limit=200").send().await.unwrap().json().await.unwrap();
    let mut hidden = 0;
    for t in teams["items"].as_array().unwrap() {
        let slug = t["slug"].as_str().unwrap();
        let s: Value = app
            .get(&format!("/api/v1/cycles/{latest}/scores?scope=team:{slug}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if s["suppressed"] == true {
            hidden += 1;
            assert!(s["reason"] == "fewer_than_k" || s["reason"] == "differencing", "{s}");
            assert_eq!(s["responses"], Value::Null);
            assert_eq!(s["devex_index"], Value::Null);
            assert!(
                s["scores"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|a| a["pct_favorable"].is_null() && a["n"].is_null() && a["suppressed"] == true)
            );
        } else {
            assert!(s["responses"].as_i64().unwrap() >= 5);
        }
    }
    assert!(hidden > 0, "the demo has teams too small to show");
    let group = teams["items"][0]["group_name"].as_str().unwrap();
    let res = app.get(&format!("/api/v1/cycles/{latest}/scores?scope=group:{group}")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.get(&format!("/api/v1/cycles/{latest}/scores?scope=team:ghost")).send().await.unwrap().status(),
        404
    );
    let res = app.get(&format!("/api/v1/cycles/{latest}/scores?scope=everyone")).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(app.get("/api/v1/cycles/nope/scores").send().await.unwrap().status(), 404);
    assert_eq!(app.client.get(app.url(&format!("/api/v1/cycles/{latest}/scores"))).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn an_open_cycle_has_no_results_yet() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_demo_app().await;
    let survey: Value = app.get("/api/v1/surveys").send().await.unwrap().json().await.unwrap();
    let sid = survey["items"][0]["survey_id"].as_str().unwrap();
    // The demo leaves a cycle open, with some answers in.
    let open: Value = app.get("/api/v1/cycles?status=open").send().await.unwrap().json().await.unwrap();
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    let c = open["items"][0].clone();
    assert!(c["participation"]["responded"].as_i64().unwrap() > 0);
    let id = c["cycle_id"].as_str().unwrap();
    for path in ["priorities", "scores"] {
        let res = app.get(&format!("/api/v1/cycles/{id}/{path}")).send().await.unwrap();
        assert_eq!(res.status(), 409);
        assert_eq!(res.json::<Value>().await.unwrap()["error"], "cycle_open");
    }
    let o = devpulse(&app, &["report", "--cycle", id]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("still open"));
    // An open cycle's answers never leave in the export.
    let token = devpulse::entities::invitation::Entity::find()
        .filter(devpulse::entities::invitation::Column::CycleId.eq(id))
        .filter(devpulse::entities::invitation::Column::Used.eq(false))
        .one(&app.state.db)
        .await
        .unwrap()
        .map(|i| devpulse::store::invitations::token_for(&app.state.invitation_key, &i.invitation_id))
        .unwrap();
    let survey: Value = app.get(&format!("/api/v1/surveys/{sid}")).send().await.unwrap().json().await.unwrap();
    let body = json!({"token": token, "answers": crate::helpers::full_answers(&survey, 4.0)});
    assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    assert_eq!(devpulse(&app, &["export", "--out", out.to_str().unwrap(), "--format", "csv"]).status.code(), Some(0));
    let responses = std::fs::read_to_string(out.join("responses.csv")).unwrap();
    assert!(!responses.contains(id), "no response of the open cycle is exported");
}

#[tokio::test]
async fn bad_analysis_input_exits_2_with_one_line() {
    let app = spawn_app().await;
    let one_line = |o: &Output| {
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!err.contains("panicked"));
        err
    };
    // No closed cycle at all.
    assert!(one_line(&devpulse(&app, &["report"])).contains("no closed cycle"));
    devpulse::demo::load(
        &app.state.db,
        &devpulse::demo::Options { teams: 4, friction: 20, ..Default::default() },
        false,
    )
    .await
    .unwrap();
    assert!(one_line(&devpulse(&app, &["report", "--cycle", "nope"])).contains("nope"));
    assert!(one_line(&devpulse(&app, &["report", "--weights", "1,2"])).contains("weights"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    assert_eq!(devpulse(&app, &["export", "--out", out.to_str().unwrap(), "--format", "csv"]).status.code(), Some(0));
    let analyze = |extra: &[&str]| {
        let mut args = vec!["analyze", "--input", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        Command::new(BIN).args(&args).output().unwrap()
    };
    assert_eq!(analyze(&[]).status.code(), Some(0));
    assert!(one_line(&analyze(&["--cycle", "nope"])).contains("nope"));
    std::fs::write(out.join("answers.csv"), "response_id,question_id,value_num,choice\nr1,q1,lots,\n").unwrap();
    assert!(one_line(&analyze(&[])).contains("value_num"));
    std::fs::write(out.join("answers.csv"), "response_id,question_id,choice\n").unwrap();
    assert!(one_line(&analyze(&[])).contains("value_num"));
    std::fs::remove_file(out.join("answers.csv")).unwrap();
    assert!(one_line(&analyze(&[])).contains("answers.csv"));
    // A Parquet folder missing its answers names the missing Parquet file.
    let pq = dir.path().join("pq");
    assert_eq!(devpulse(&app, &["export", "--out", pq.to_str().unwrap()]).status.code(), Some(0));
    std::fs::remove_file(pq.join("answers.parquet")).unwrap();
    let missing = one_line(&Command::new(BIN).args(["analyze", "--input", pq.to_str().unwrap()]).output().unwrap());
    assert!(missing.contains("answers.parquet"), "{missing}");
    let none = Command::new(BIN).args(["analyze", "--input", "/nonexistent/folder"]).output().unwrap();
    assert!(one_line(&none).contains("not a folder"));
}

#[tokio::test]
async fn csv_text_cells_cannot_become_formulas_and_read_back_unchanged() {
    let app = spawn_demo_app().await;
    let evil = "=HYPERLINK(\"http://evil.example/\",\"click\")";
    let res = app
        .post("/api/v1/roadmap", &json!({"title": evil, "area_id": "ci", "status": "planned"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res =
        app.post("/api/v1/teams", &json!({"slug": "formula", "name": "+cmd|' /C calc'!A0"})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let report = json_out(&devpulse(&app, &["report"]));
    let ci = report["priorities"].as_array().unwrap().iter().find(|p| p["area_id"] == "ci").unwrap().clone();
    assert!(ci["roadmap"].as_array().unwrap().iter().any(|t| t == evil), "JSON keeps the title as it is");
    // The report's CSV: the roadmap cell starts with a quote (the cell is CSV-quoted too).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    let o = devpulse(&app, &["report", "--format", "csv", "--out", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let csv = std::fs::read_to_string(&path).unwrap();
    let row = csv.lines().find(|l| l.contains(",ci,")).unwrap();
    assert!(row.contains(",\"'=HYPERLINK("), "{row}");
    assert!(!csv.lines().any(|l| l.split(',').any(|cell| cell.trim_start_matches('"').starts_with('='))));
    // The export's CSV: the same rule, and analyze reads it back unchanged.
    let out = dir.path().join("export");
    assert_eq!(devpulse(&app, &["export", "--out", out.to_str().unwrap(), "--format", "csv"]).status.code(), Some(0));
    let teams = std::fs::read_to_string(out.join("teams.csv")).unwrap();
    assert!(teams.contains(",'+cmd|"), "{teams}");
    let items = std::fs::read_to_string(out.join("roadmap_items.csv")).unwrap();
    assert!(items.contains("\"'=HYPERLINK("), "{items}");
    let analyzed = json_out(&Command::new(BIN).args(["analyze", "--input", out.to_str().unwrap()]).output().unwrap());
    assert_eq!(figures(analyzed), figures(report), "the titles read back as they were");
}

/// Two instances on one demo database, and the path of the latest closed
/// cycle's priorities.
async fn two_instances_and_the_latest_priorities() -> (TestApp, TestApp, String) {
    let a = spawn_demo_app().await;
    let second = devpulse::db::connect(&a.database_url).await.unwrap();
    let b = crate::helpers::spawn_on(second, a.database_url.clone(), tempfile::tempdir().unwrap(), |_| {}).await;
    let latest = closed_cycles(&a).await.last().unwrap().clone();
    (a, b, format!("/api/v1/cycles/{latest}/priorities"))
}

#[tokio::test]
async fn a_kept_report_is_recomputed_when_another_instance_changes_what_it_reads() {
    let (a, b, path) = two_instances_and_the_latest_priorities().await;
    let get = |app: &TestApp| {
        let req = app.get(&path);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let roadmap_of_ci = |report: &Value| {
        report["priorities"].as_array().unwrap().iter().find(|p| p["area_id"] == "ci").unwrap()["roadmap"].clone()
    };
    let first = get(&a).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(get(&a).await, first, "kept: the same, generated at the same second");
    // Another instance links a roadmap item to the area: the first one's kept
    // report is stale and must not be served.
    let title = "Merge queue for the monorepo";
    let res = b.post("/api/v1/roadmap", &json!({"title": title, "area_id": "ci", "status": "planned"})).send().await;
    assert_eq!(res.unwrap().status(), 201);
    let after = get(&a).await;
    assert!(roadmap_of_ci(&after).as_array().unwrap().iter().any(|t| t == title), "{}", roadmap_of_ci(&after));
    assert!(!roadmap_of_ci(&first).as_array().unwrap().iter().any(|t| t == title));
    assert_eq!(figures(after), figures(get(&b).await), "both instances agree");
}

#[tokio::test]
async fn writes_that_finish_together_share_version_bumps_and_every_one_is_seen() {
    let (a, b, path) = two_instances_and_the_latest_priorities().await;
    let ci_roadmap = |report: Value| -> Vec<Value> {
        let ci = report["priorities"].as_array().unwrap().iter().find(|p| p["area_id"] == "ci").unwrap().clone();
        ci["roadmap"].as_array().unwrap().clone()
    };
    a.get(&path).send().await.unwrap();
    let before = devpulse::store::version::current(&a.state.db).await.unwrap();
    let titles: Vec<String> = (0..30).map(|i| format!("Shared bump {i}")).collect();
    let posts = titles.iter().map(|t| {
        let req = b.post("/api/v1/roadmap", &json!({"title": t, "area_id": "ci", "status": "planned"}));
        async move { req.send().await.unwrap().status() }
    });
    assert!(futures_util::future::join_all(posts).await.iter().all(|s| *s == 201));
    let after = devpulse::store::version::current(&a.state.db).await.unwrap();
    assert!(after > before && after - before <= 30, "version {before} -> {after} for 30 writes");
    // The kept report of the first instance is past its MIN_REFRESH: it must show all 30.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let shown = ci_roadmap(a.get(&path).send().await.unwrap().json().await.unwrap());
    assert!(titles.iter().all(|t| shown.iter().any(|s| s == t)), "{shown:?}");
}
