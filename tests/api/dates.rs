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
