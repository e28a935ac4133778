//! Surveys end to end: templates, cycles, invitations by real email, the
//! form, anonymous answers, reminders, closing and the next cycle.

use crate::helpers::{OpenCycle, full_answers, spawn_app, spawn_app_with};
use crate::smtp::{SmtpServer, free_port, link};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

#[tokio::test]
async fn the_devex_template_has_fourteen_areas_a_pick_hours_and_a_comment() {
    let app = spawn_app().await;
    let s = app.devex_survey().await;
    let qs = s["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 17);
    assert_eq!(qs.iter().filter(|q| q["kind"] == "likert5" && q["area_id"].is_string()).count(), 14);
    assert_eq!(qs.iter().filter(|q| q["kind"] == "priority_pick").count(), 1);
    assert_eq!(qs.iter().filter(|q| q["kind"] == "hours").count(), 1);
    assert_eq!(qs.iter().filter(|q| q["kind"] == "text" && q["required"] == false).count(), 1);
    assert_eq!(s["cadence"], "quarterly");
    let positions: Vec<i64> = qs.iter().map(|q| q["position"].as_i64().unwrap()).collect();
    assert_eq!(positions, (1..=17).collect::<Vec<_>>());
    let got: Value = app
        .get(&format!("/api/v1/surveys/{}", s["survey_id"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["questions"], s["questions"]);
    let list: Value = app.get("/api/v1/surveys").send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn custom_surveys_are_validated() {
    let app = spawn_app().await;
    let ok = json!({"title": "Release pulse", "cadence": "every_2_weeks", "open_days": 5, "reminder_days": [2],
        "questions": [{"kind": "likert5", "area_id": "deploy", "prompt": "Deploys?"}, {"kind": "nps", "prompt": "Recommend?"}]});
    let res = app.post("/api/v1/surveys", &ok).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["cadence"], "every_2_weeks");
    assert_eq!(s["questions"][0]["required"], true);
    for (body, field) in [
        (
            json!({"title": "x", "questions": [{"kind": "likert5", "area_id": "nope", "prompt": "?"}]}),
            "questions[0].area_id",
        ),
        (json!({"title": "x", "questions": [{"kind": "likert5", "prompt": "?"}]}), "questions[0].area_id"),
        (json!({"title": "x", "questions": [{"kind": "stars", "prompt": "?"}]}), "questions[0].kind"),
        (json!({"title": "x", "questions": [{"kind": "text", "prompt": " "}]}), "questions[0].prompt"),
        (json!({"title": "x", "questions": []}), "questions"),
        (json!({"title": "x", "cadence": "hourly", "questions": [{"kind": "text", "prompt": "?"}]}), "cadence"),
        (
            json!({"title": "x", "open_days": 5, "reminder_days": [5], "questions": [{"kind": "text", "prompt": "?"}]}),
            "reminder_days",
        ),
        (json!({"questions": [{"kind": "text", "prompt": "?"}]}), "title"),
        (json!({"template": "nps"}), "template"),
    ] {
        let res = app.post("/api/v1/surveys", &body).send().await.unwrap();
        assert_eq!(res.status(), 422, "{body}");
        assert_eq!(res.json::<Value>().await.unwrap()["field"], field, "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM surveys").await, 1);
}

#[tokio::test]
async fn opening_a_cycle_invites_the_active_members_of_the_chosen_teams() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.create_team("edge").await;
    app.create_team("other").await;
    app.add_members("core", "core", 6).await;
    app.add_members("edge", "edge", 3).await;
    app.add_members("other", "other", 2).await;
    app.delete("/api/v1/teams/core/members/core6@x.io").send().await.unwrap();
    let s = app.devex_survey().await;
    let c = app.open_cycle(&s, Some(vec!["core", "edge"])).await;
    assert_eq!(c["status"], "open");
    assert_eq!(c["teams"], json!(["core", "edge"]));
    assert_eq!(c["participation"]["invited"], 8);
    assert_eq!(c["participation"]["responded"], 0);
    assert_eq!(c["participation"]["teams"], json!([]), "no team row below k");
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'invitation'").await, 8);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'invitation' AND to_addr = 'core6@x.io'").await,
        0
    );
    // Overlapping cycle of the same survey: 409. Bad dates and teams: 422.
    let sid = s["survey_id"].as_str().unwrap();
    let today = Utc::now().date_naive();
    let res = app
        .post(&format!("/api/v1/surveys/{sid}/cycles"), &json!({"opens_on": today.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    for (body, field) in [
        (json!({"opens_on": "2026-02-30"}), "opens_on"),
        (
            json!({"opens_on": (today + Duration::days(30)).to_string(), "closes_on": (today + Duration::days(29)).to_string()}),
            "closes_on",
        ),
        (json!({"opens_on": (today + Duration::days(30)).to_string(), "teams": ["core", "ghost"]}), "teams[1]"),
        (json!({"opens_on": (today + Duration::days(30)).to_string(), "teams": []}), "teams"),
    ] {
        let res = app.post(&format!("/api/v1/surveys/{sid}/cycles"), &body).send().await.unwrap();
        assert_eq!(res.status(), 422, "{body}");
        assert_eq!(res.json::<Value>().await.unwrap()["field"], field, "{body}");
    }
    assert_eq!(
        app.post("/api/v1/surveys/nope/cycles", &json!({"opens_on": "2030-01-01"})).send().await.unwrap().status(),
        404
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM cycles").await, 1);
}

#[tokio::test]
async fn answering_over_the_api_stores_one_anonymous_response_per_token() {
    let app = spawn_app().await;
    let OpenCycle { survey: s, cycle_id, tokens, .. } = app.open_devex_cycle(&[("core", "m", 6)]).await;
    let cycle_id = cycle_id.as_str();
    let body = json!({"token": tokens[0], "answers": full_answers(&s, 4.0)});
    let res = app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let res = app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "already_answered");
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 14 + 2 + 1 + 1);
    // Stored as text, exactly as given.
    assert_eq!(app.count("SELECT COUNT(*) FROM answers WHERE text_value LIKE '<script>%'").await, 1);
    // Two concurrent submissions with one token store exactly one response.
    let body = json!({"token": tokens[1], "answers": full_answers(&s, 2.0)});
    let (a, b) = tokio::join!(
        app.client.post(app.url("/api/v1/responses")).json(&body).send(),
        app.client.post(app.url("/api/v1/responses")).json(&body).send()
    );
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 2);
    let got: Value = app.get(&format!("/api/v1/cycles/{cycle_id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["participation"]["responded"], 2);
    assert_eq!(got["participation"]["invited"], 6);
    assert!((got["participation"]["rate"].as_f64().unwrap() - 2.0 / 6.0).abs() < 1e-12);
    // Unknown token.
    let res = app
        .client
        .post(app.url("/api/v1/responses"))
        .json(&json!({"token": "x".repeat(43), "answers": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn bad_answers_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 5).await;
    let s = app.devex_survey().await;
    let other = app.text_survey().await;
    let c = app.open_cycle(&s, None).await;
    let token = app.invitation_tokens(c["cycle_id"].as_str().unwrap()).await.remove(0);
    let likert = s["questions"][0]["question_id"].clone();
    let pick = s["questions"][14]["question_id"].clone();
    let text = s["questions"][16]["question_id"].clone();
    let with = |extra: Value| {
        let mut answers = full_answers(&s, 3.0).as_array().unwrap().clone();
        answers.retain(|a| a["question_id"] != extra["question_id"]);
        answers.push(extra);
        json!({"token": token, "answers": answers})
    };
    for (body, field) in [
        (with(json!({"question_id": likert, "value": 0})), "value"),
        (with(json!({"question_id": likert, "value": 6})), "value"),
        (with(json!({"question_id": likert, "value": 3.5})), "value"),
        (with(json!({"question_id": likert, "value": "3"})), "value"),
        (with(json!({"question_id": likert, "value": 1e300})), "value"),
        (with(json!({"question_id": "nope", "value": 3})), "question_id"),
        (with(json!({"question_id": other["questions"][0]["question_id"], "text": "hi"})), "question_id"),
        (with(json!({"question_id": pick, "choices": ["ci", "docs", "deploy", "on_call"]})), "choices"),
        (with(json!({"question_id": pick, "choices": ["not_an_area"]})), "choices"),
        (with(json!({"question_id": text, "text": "x".repeat(2001)})), "text"),
        (json!({"token": token, "answers": []}), "answers["),
    ] {
        let res = app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 422, "{body}");
        let err: Value = res.json().await.unwrap();
        assert!(err["field"].as_str().unwrap().contains(field), "{err}");
    }
    let raw = |bytes: Vec<u8>, encoding: Option<&str>| {
        let mut req =
            app.client.post(app.url("/api/v1/responses")).header("content-type", "application/json").body(bytes);
        if let Some(e) = encoding {
            req = req.header("content-encoding", e);
        }
        req.send()
    };
    assert_eq!(raw(b"{\"token\": \"\xff\xfe\"}".to_vec(), None).await.unwrap().status(), 422);
    assert_eq!(raw(vec![b' '; 70_000], None).await.unwrap().status(), 413);
    assert_eq!(raw(vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0], Some("gzip")).await.unwrap().status(), 415);
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations WHERE used = true").await, 0);
}

#[tokio::test]
async fn the_form_keeps_answers_on_error_and_escapes_html() {
    let app = spawn_app().await;
    let OpenCycle { survey: s, mut tokens, .. } = app.open_devex_cycle(&[("core", "m", 5)]).await;
    let token = tokens.remove(0);
    let page = app.client.get(app.url(&format!("/s/{token}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert_eq!(html.matches("<fieldset").count(), 15, "14 likert items and the pick");
    assert_eq!(html.matches("<legend>").count(), 15);
    assert!(html.contains("Part 1 of 4: Feedback loops") && html.contains("Part 3 of 4: Flow state"));
    assert!(html.contains("How your anonymity is protected") && html.contains("fewer than 5 people"));
    let q = |i: usize| s["questions"][i]["question_id"].as_str().unwrap().to_string();
    // Only the first item answered, plus a comment with HTML.
    let form =
        [(format!("q_{}", q(0)), "4".to_string()), (format!("q_{}", q(16)), "<script>alert(1)</script>".to_string())];
    let res = app.client.post(app.url(&format!("/s/{token}"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("There are 13 problems"), "summary at the top");
    assert!(html.contains(&format!("href=\"#q-{}\"", q(1))), "the summary links to the field");
    assert!(html.contains(&format!("name=\"q_{}\" value=\"4\" checked", q(0))), "the given answer is kept");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;") && !html.contains("<script>alert(1)"));
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 0);
    // A full form: 303 to the thank-you page; the link then says it was used.
    let mut form: Vec<(String, String)> = (0..14).map(|i| (format!("q_{}", q(i)), "2".into())).collect();
    form.push((format!("q_{}", q(14)), "ci".into()));
    form.push((format!("q_{}", q(14)), "docs".into()));
    form.push((format!("q_{}", q(15)), "4.5".into()));
    let res = app.client.post(app.url(&format!("/s/{token}"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/thanks");
    assert_eq!(app.client.get(app.url("/thanks")).send().await.unwrap().status(), 200);
    let again = app.client.get(app.url(&format!("/s/{token}"))).send().await.unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("Already answered"));
    let res = app.client.post(app.url(&format!("/s/{token}"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers WHERE choice IS NOT NULL").await, 2);
    // Unknown tokens get a plain 404 page.
    let res = app.client.get(app.url(&format!("/s/{}", "A".repeat(43)))).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
    // The token never reaches the metrics or the logs (route patterns only).
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("route=\"/s/{token}\"") && !metrics.contains(&token));
}

#[tokio::test]
async fn the_member_page_lists_open_surveys() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 5).await;
    let s = app.devex_survey().await;
    app.open_cycle(&s, None).await;
    let m = app.member_token("m1@x.io").await;
    let html = app.client.get(app.url(&format!("/p/{m}"))).send().await.unwrap().text().await.unwrap();
    let href = link(&html, "/s/").expect("a survey link");
    let token = href.trim_start_matches("/s/").to_string();
    let body = json!({"token": token, "answers": full_answers(&s, 5.0)});
    assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
    let html = app.client.get(app.url(&format!("/p/{m}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("answered, thank you"));
    assert_eq!(app.client.get(app.url("/p/not-a-member")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn invitations_and_reminders_arrive_by_smtp_and_the_cycle_closes_on_its_date() {
    let smtp = SmtpServer::start(None).await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let OpenCycle { survey: s, cycle_id, .. } = app.open_devex_cycle(&[("core", "m", 5)]).await;
    let now = Utc::now();
    let (_, drained) = app.tick(now).await;
    assert_eq!(drained.sent, 5 + 5, "5 welcome emails and 5 invitations");
    let messages = smtp.messages();
    let invitations: Vec<&String> = messages.iter().filter(|m| m.contains("three minutes, anonymous")).collect();
    assert_eq!(invitations.len(), 5);
    assert!(invitations.iter().all(|m| m.contains("multipart/alternative") && m.contains("text/html")));
    assert!(invitations.iter().all(|m| m.to_lowercase().contains("message-id: <")));
    // The link in the email works.
    let base = app.state.config.base_url.clone();
    let href = link(invitations[0], &format!("{base}/s/")).expect("a survey link");
    let token = href.rsplit('/').next().unwrap().to_string();
    assert_eq!(app.client.get(app.url(&format!("/s/{token}"))).send().await.unwrap().status(), 200);
    let answered_to = invitations[0].lines().find(|l| l.starts_with("To: ")).unwrap().to_string();
    let body = json!({"token": token, "answers": full_answers(&s, 4.0)});
    assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
    // Reminders on day 3 reach only the four who have not answered, once.
    let (tick, drained) = app.tick(now + Duration::days(3)).await;
    assert_eq!((tick.reminded, drained.sent), (4, 4));
    let (tick, _) = app.tick(now + Duration::days(3)).await;
    assert_eq!(tick.reminded, 0, "no second reminder the same day");
    let reminders: Vec<String> = smtp.messages().into_iter().filter(|m| m.contains("Subject: Reminder")).collect();
    assert_eq!(reminders.len(), 4);
    assert!(!reminders.iter().any(|m| m.contains(&answered_to)), "the respondent gets no reminder");
    // The cycle closes on its date and the next quarterly one is scheduled.
    let (tick, _) = app.tick(now + Duration::days(14)).await;
    assert_eq!((tick.closed, tick.scheduled), (1, 1));
    let got: Value = app.get(&format!("/api/v1/cycles/{cycle_id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["status"], "closed");
    // Nothing on the invitations tells when or whether before a reminder they were used.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE reminders_sent <> 0 OR last_reminded_on IS NOT NULL").await,
        0
    );
    if app.database_url.starts_with("postgres") {
        let xmins = app
            .count(&format!("SELECT COUNT(DISTINCT xmin::text) FROM invitations WHERE cycle_id = '{cycle_id}'"))
            .await;
        assert_eq!(xmins, 1, "closing rewrote every invitation in one transaction");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM cycles WHERE status = 'scheduled'").await, 1);
    // A closed cycle accepts nothing.
    let other = app.invitation_tokens(&cycle_id).await.into_iter().find(|t| *t != token).unwrap();
    let body = json!({"token": other, "answers": full_answers(&s, 4.0)});
    assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 410);
    let page = app.client.get(app.url(&format!("/s/{other}"))).send().await.unwrap();
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("This survey has closed"));
    // Ticking again changes nothing.
    let (tick, drained) = app.tick(now + Duration::days(14)).await;
    assert_eq!(tick, Default::default());
    assert_eq!(drained.sent, 0);
}

#[tokio::test]
async fn emails_queued_while_smtp_is_down_are_sent_once_it_is_back() {
    let port = free_port();
    let app = spawn_app_with(|c| c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.create_team("core").await;
    app.add_members("core", "m", 5).await;
    let s = app.devex_survey().await;
    app.open_cycle(&s, None).await;
    let now = Utc::now();
    let (_, drained) = app.tick(now).await;
    assert_eq!((drained.sent, drained.retrying), (0, 10));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM email_outbox WHERE status = 'queued' AND attempts = 1 AND last_error IS NOT NULL"
        )
        .await,
        10
    );
    // Not retried before the backoff has passed.
    let (_, drained) = app.tick(now + Duration::seconds(5)).await;
    assert_eq!(drained, Default::default());
    let smtp = SmtpServer::start(Some(port)).await;
    // Two instances draining at once still send each email once.
    let later = now + Duration::minutes(5);
    let (a, b) =
        tokio::join!(app.state.mailer.drain(&app.state.db, later), app.state.mailer.drain(&app.state.db, later));
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 10);
    assert_eq!(smtp.messages().len(), 10);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE status = 'sent'").await, 10);
}

#[tokio::test]
async fn the_scheduler_opens_due_cycles_once_even_with_two_instances() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 5).await;
    let s = app.devex_survey().await;
    let sid = s["survey_id"].as_str().unwrap();
    let opens = Utc::now().date_naive() + Duration::days(2);
    let res = app
        .post(&format!("/api/v1/surveys/{sid}/cycles"), &json!({"opens_on": opens.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["status"], "scheduled");
    assert_eq!(c["closes_on"], (opens + Duration::days(14)).to_string());
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
    let later = Utc::now() + Duration::days(2);
    let mailing =
        devpulse::store::cycles::Mailing { emails: &app.state.emails, invitation_key: &app.state.invitation_key };
    let (a, b) = tokio::join!(
        devpulse::store::cycles::run_due(&app.state.db, &mailing, later.date_naive()),
        devpulse::store::cycles::run_due(&app.state.db, &mailing, later.date_naive())
    );
    assert_eq!(a.unwrap().opened + b.unwrap().opened, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 5);
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'invitation'").await, 5);
    // Closing by hand: 200, then 409.
    let cid = c["cycle_id"].as_str().unwrap();
    assert_eq!(app.post(&format!("/api/v1/cycles/{cid}/close"), &json!({})).send().await.unwrap().status(), 200);
    assert_eq!(app.post(&format!("/api/v1/cycles/{cid}/close"), &json!({})).send().await.unwrap().status(), 409);
    assert_eq!(app.count("SELECT COUNT(*) FROM cycles WHERE status = 'scheduled'").await, 1, "next quarter scheduled");
}

#[tokio::test]
async fn a_developer_answers_the_survey_in_a_real_browser() {
    let app = spawn_app().await;
    let OpenCycle { survey: s, mut tokens, .. } = app.open_devex_cycle(&[("core", "m", 5)]).await;
    let token = tokens.remove(0);
    let q = |i: usize| s["questions"][i]["question_id"].as_str().unwrap().to_string();
    let browser = crate::browser::Browser::start().await;
    browser.goto(&app.url(&format!("/s/{token}"))).await;
    // Keyboard: Tab from the top reaches the skip link, then the form's links and fields.
    let first = browser.tab(1).await;
    assert_eq!(first[1], "#main", "the first Tab stop is the skip link: {first}");
    // Answer all but one likert item: the page comes back with the error and the answers kept.
    for i in 0..13 {
        browser.click(&format!("input[name='q_{}'][value='4']", q(i))).await;
    }
    browser.click(&format!("input[name='q_{}'][value='ci']", q(14))).await;
    browser.type_into(&format!("#q-{}-input", q(15)), "6").await;
    browser.type_into(&format!("#q-{}-input", q(16)), "Flaky tests <again>").await;
    browser.click("button[type=submit]").await;
    browser.wait_for(&format!("/s/{token}"), "There is a problem").await;
    assert!(browser.is_selected(&format!("input[name='q_{}'][value='4']", q(0))).await);
    assert!(browser.is_selected(&format!("input[name='q_{}'][value='ci']", q(14))).await);
    std::fs::write(std::env::temp_dir().join("devpulse-survey-error.png"), browser.screenshot().await).ok();
    // Fix it and send.
    browser.click(&format!("input[name='q_{}'][value='2']", q(13))).await;
    browser.click("button[type=submit]").await;
    browser.wait_for("/thanks", "Thank you").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM responses").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers WHERE value_num = 4").await, 13);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers WHERE text_value = 'Flaky tests <again>'").await, 1);
}

#[tokio::test]
async fn without_smtp_emails_are_written_as_eml_files() {
    let app = spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 2).await;
    let (_, drained) = app.tick(Utc::now()).await;
    assert_eq!(drained.sent, 2);
    let dir = app.state.config.mail_dir.clone();
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| f.extension().is_some_and(|e| e == "eml")));
    let text = crate::smtp::decode_quoted_printable(&std::fs::read_to_string(&files[0]).unwrap());
    assert!(text.contains("Subject: Welcome to devpulse") && text.contains("/p/"));
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE status = 'sent' AND sent_at IS NOT NULL").await, 2);
}

#[tokio::test]
async fn participation_rows_follow_k_and_the_differencing_guard() {
    let app = spawn_app().await;
    app.create_team("alpha").await;
    app.create_team("beta").await;
    app.create_team("gamma").await;
    app.add_members("alpha", "a", 5).await;
    app.add_members("beta", "b", 6).await;
    app.add_members("gamma", "g", 7).await;
    let s = app.devex_survey().await;
    let c = app.open_cycle(&s, None).await;
    let cycle_id = c["cycle_id"].as_str().unwrap();
    // alpha: all 5 answer; beta: 2 answer; gamma: 6 answer.
    let emails = app.invitation_tokens_by_email(cycle_id).await;
    for (prefix, n) in [("a", 5), ("b", 2), ("g", 6)] {
        for (_, token) in emails.iter().filter(|(e, _)| e.starts_with(prefix)).take(n) {
            let body = json!({"token": token, "answers": full_answers(&s, 3.0)});
            assert_eq!(app.client.post(app.url("/api/v1/responses")).json(&body).send().await.unwrap().status(), 201);
        }
    }
    let got: Value = app.get(&format!("/api/v1/cycles/{cycle_id}")).send().await.unwrap().json().await.unwrap();
    let p = &got["participation"];
    assert_eq!((p["invited"].as_i64(), p["responded"].as_i64()), (Some(18), Some(13)));
    // beta (2) is under k; hidden total 2 < 5, so the smallest visible team (alpha, 5) is hidden too.
    let teams: Vec<&str> = p["teams"].as_array().unwrap().iter().map(|t| t["team"].as_str().unwrap()).collect();
    assert_eq!(teams, ["gamma"]);
    assert_eq!(p["hidden_teams"], 2);
}
