use crate::helpers::{spawn_app, spawn_demo_app};

/// Mean likert value of an area in the n-th closed cycle (0 = oldest).
async fn area_mean(app: &crate::helpers::TestApp, area: &str, nth: usize) -> f64 {
    let sql = format!(
        "SELECT CAST(ROUND(AVG(a.value_num) * 1000) AS BIGINT) FROM answers a \
         JOIN questions q ON q.question_id = a.question_id \
         JOIN responses r ON r.response_id = a.response_id \
         WHERE q.kind = 'likert5' AND q.area_id = '{area}' AND r.cycle_id = \
         (SELECT cycle_id FROM cycles ORDER BY opens_on LIMIT 1 OFFSET {nth})"
    );
    app.count(&sql).await as f64 / 1000.0
}

#[tokio::test]
async fn the_demo_organisation_looks_like_a_real_one() {
    let app = spawn_demo_app().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM teams").await, 12);
    let groups = app.count("SELECT COUNT(DISTINCT group_name) FROM teams").await;
    assert!((3..=4).contains(&groups));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM (SELECT team_id FROM members GROUP BY team_id HAVING COUNT(*) < 5 OR COUNT(*) > 12) s"
        )
        .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM surveys").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM questions").await, 17);
    assert_eq!(app.count("SELECT COUNT(*) FROM cycles WHERE status = 'closed'").await, 4);
    // Some teams are too small to show in some cycle (fewer than k = 5 responses).
    let small = app
        .count("SELECT COUNT(*) FROM (SELECT cycle_id, team_id FROM responses GROUP BY cycle_id, team_id HAVING COUNT(*) < 5) s")
        .await;
    assert!(small > 0);
    // Every response's team answered only for invitations that were used.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM responses").await,
        app.count("SELECT COUNT(*) FROM invitations WHERE used = true").await
    );
    let friction = app.count("SELECT COUNT(*) FROM friction_reports").await;
    assert_eq!(friction, 300);
    assert!(app.count("SELECT COUNT(DISTINCT status) FROM friction_reports").await >= 5);
    assert!(app.count("SELECT COUNT(DISTINCT area_id) FROM friction_reports").await >= 10);
    assert_eq!(
        app.count("SELECT COALESCE(SUM(me_too), 0) FROM friction_reports").await,
        app.count("SELECT COUNT(*) FROM me_too_votes").await
    );
    assert!(app.count("SELECT COUNT(*) FROM friction_reports WHERE duplicate_of IS NOT NULL").await > 0);
    assert!(app.count("SELECT COUNT(*) FROM roadmap_items WHERE status = 'shipped'").await >= 2);
    // Answers move over time: CI improves after its roadmap item shipped, on-call gets worse.
    let (ci0, ci3) = (area_mean(&app, "ci", 0).await, area_mean(&app, "ci", 3).await);
    assert!(ci3 > ci0 + 0.4, "ci {ci0} -> {ci3}");
    let (oc0, oc3) = (area_mean(&app, "on_call", 0).await, area_mean(&app, "on_call", 3).await);
    assert!(oc3 < oc0 - 0.4, "on_call {oc0} -> {oc3}");
    // And differ by area.
    assert!(area_mean(&app, "incident_response", 0).await > area_mean(&app, "docs", 0).await);
    // No email goes to the fake people.
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox").await, 0);
}

#[tokio::test]
async fn the_demo_is_deterministic_for_a_seed() {
    let summary = |seed| async move {
        let app = spawn_app().await;
        let opts = devpulse::demo::Options { seed, ..Default::default() };
        devpulse::demo::load(&app.state.db, &opts, false).await.unwrap();
        let shape = format!(
            "{} {} {} {} {}",
            app.count("SELECT COUNT(*) FROM members").await,
            app.count("SELECT COUNT(*) FROM responses").await,
            app.count("SELECT COUNT(*) FROM answers").await,
            app.count("SELECT CAST(SUM(value_num) AS BIGINT) FROM answers").await,
            app.count("SELECT SUM(minutes_lost * severity) FROM friction_reports").await,
        );
        shape
    };
    let a = summary(7).await;
    assert_eq!(a, summary(7).await);
    assert_ne!(a, summary(8).await);
}
