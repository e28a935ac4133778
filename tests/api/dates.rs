//! Dates follow the organisation's time zone (`DEVPULSE_TIMEZONE`).

use serde_json::json;

/// Dates follow `DEVPULSE_TIMEZONE`: a cycle opens on the organisation's day.
#[tokio::test]
async fn cycles_open_on_the_organisations_day() {
    for (zone, opens) in [("Pacific/Kiritimati", true), ("UTC", false)] {
        let app = crate::helpers::spawn_app_with(|c| c.timezone = zone.parse().unwrap()).await;
        app.create_team("core").await;
        app.add_members("core", "m", 2).await;
        let s = app.devex_survey().await;
        let res = app
            .post(
                &format!("/api/v1/surveys/{}/cycles", s["survey_id"].as_str().unwrap()),
                &json!({"opens_on": "2030-01-02", "closes_on": "2030-01-16"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        // Noon UTC on 1 January is already 2 January on Kiritimati (UTC+14).
        let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T12:00:00Z").unwrap().to_utc();
        let (tick, _) = app.tick(now).await;
        assert_eq!(tick.opened == 1, opens, "{zone}");
    }
}

/// A cycle that opens late (created with a past `opens_on`) counts the
/// reminder days already gone as sent: the invitation comes first, and the
/// next reminder on its own day, not right behind the invitation.
#[tokio::test]
async fn a_cycle_that_opens_late_sends_no_reminder_behind_the_invitation() {
    let app = crate::helpers::spawn_app().await;
    app.create_team("core").await;
    app.add_members("core", "m", 3).await;
    let s = app.devex_survey().await;
    let today = chrono::Utc::now().date_naive();
    let body = json!({"opens_on": (today - chrono::Days::new(4)).to_string(), "closes_on": (today + chrono::Days::new(10)).to_string()});
    let res = app.post(&format!("/api/v1/surveys/{}/cycles", s["survey_id"].as_str().unwrap()), &body).send().await;
    assert_eq!(res.unwrap().status(), 201);
    let reminders = "SELECT COUNT(*) FROM email_outbox WHERE kind = 'reminder'";
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'invitation'").await, 3);
    let (tick, _) = app.tick(chrono::Utc::now()).await;
    assert_eq!((tick.reminded, app.count(reminders).await), (0, 0), "day 3 had gone before the cycle opened");
    // Day 7 of the cycle (three days on): the next reminder, once.
    let day7 = chrono::Utc::now() + chrono::Duration::days(3);
    app.tick(day7).await;
    app.tick(day7).await;
    assert_eq!(app.count(reminders).await, 3);
}
