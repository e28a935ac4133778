//! The demo's roadmap items (some shipped between cycles) and a year of
//! friction reports with me-too votes, duplicates and follow-ups.

use super::org::Org;
use super::texts::{base_score, friction_text};
use super::{Demo, at, insert_chunks, weighted};
use crate::domain::{Frequency, FrictionStatus, RoadmapStatus};
use crate::entities::{friction_report, me_too_vote, roadmap_item};
use crate::store::{StoreResult, new_id};
use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use sea_orm::{DatabaseTransaction, Set};

/// A roadmap item: (id, area, status).
pub type Item = (String, &'static str, RoadmapStatus);

/// The roadmap: the CI item shipped before the second-to-last cycle, local
/// environments before the last one.
pub async fn roadmap(demo: &Demo, txn: &DatabaseTransaction) -> StoreResult<Vec<Item>> {
    use RoadmapStatus::{Dropped, InProgress, Planned, Proposed, Shipped};
    let defs: [(&str, &'static str, RoadmapStatus, Option<NaiveDate>); 7] = [
        ("Faster CI runners and a shared build cache", "ci", Shipped, demo.shipped_between(2)),
        ("Dev containers for every service", "local_env", Shipped, demo.shipped_between(1)),
        ("Docs portal with search", "docs", InProgress, None),
        ("Self-service preview environments", "deploy", Planned, None),
        ("On-call rotation rebalancing", "on_call", Proposed, None),
        ("Service catalogue and ownership map", "cross_team", Planned, None),
        ("Flaky test quarantine bot", "build_test", Dropped, None),
    ];
    let mut items = Vec::new();
    let mut rows = Vec::new();
    for (title, area, status, shipped) in defs {
        let status = if status == Shipped && shipped.is_none() { InProgress } else { status };
        let id = new_id();
        rows.push(roadmap_item::ActiveModel {
            item_id: Set(id.clone()),
            title: Set(title.to_string()),
            description: Set(format!("Platform roadmap item for {area}.")),
            area_id: Set(area.to_string()),
            status: Set(status),
            shipped_on: Set(shipped),
            created_at: Set(at(demo.org_start, 12)),
            updated_at: Set(at(shipped.unwrap_or(demo.org_start), 12)),
        });
        items.push((id, area, status));
    }
    insert_chunks(txn, rows).await?;
    Ok(items)
}

/// A status fitting a report's age in days.
fn status_for_age(demo: &mut Demo, age: i64) -> FrictionStatus {
    use FrictionStatus::{Done, InProgress, New, Planned, Triaged, WontFix};
    let rng = &mut demo.rng;
    if age > 200 {
        *weighted(rng, &[(Done, 0.5), (WontFix, 0.2), (Triaged, 0.3)])
    } else if age > 45 {
        *weighted(rng, &[(Triaged, 0.35), (Planned, 0.2), (InProgress, 0.15), (Done, 0.2), (WontFix, 0.1)])
    } else {
        *weighted(rng, &[(New, 0.6), (Triaged, 0.4)])
    }
}

/// Rows of the friction log, collected before they are inserted.
#[derive(Default)]
struct Log {
    /// (report id, area, created on) of the reports so far.
    reports: Vec<(String, &'static str, NaiveDate)>,
    rows: Vec<friction_report::ActiveModel>,
    votes: Vec<me_too_vote::ActiveModel>,
}

/// Creates the friction reports; returns (reports, votes) stored.
pub async fn reports(
    demo: &mut Demo,
    txn: &DatabaseTransaction,
    org: &Org,
    roadmap: &[Item],
) -> StoreResult<(usize, usize)> {
    let members: Vec<(&str, &str)> =
        org.teams.iter().flat_map(|t| t.members.iter().map(move |m| (m.as_str(), t.id.as_str()))).collect();
    let area_weights: Vec<(&'static str, f64)> =
        demo.area_ids.iter().map(|a| (*a, (5.0 - base_score(a)).powi(2))).collect();
    let mut log = Log::default();
    for _ in 0..demo.opts.friction {
        if members.is_empty() {
            break;
        }
        report(demo, &mut log, &members, &area_weights, roadmap);
    }
    let counts = (log.rows.len(), log.votes.len());
    insert_chunks(txn, log.rows).await?;
    insert_chunks(txn, log.votes).await?;
    Ok(counts)
}

/// One report, its votes, and whether it duplicates an earlier one.
fn report(
    demo: &mut Demo,
    log: &mut Log,
    members: &[(&str, &str)],
    area_weights: &[(&'static str, f64)],
    roadmap: &[Item],
) {
    let mut area = *weighted(&mut demo.rng, area_weights);
    let age = demo.rng.random_range(0..365i64);
    let created_on = demo.today - Duration::days(age);
    // Fewer CI complaints once the CI roadmap item shipped.
    if area == "ci" && demo.shipped_between(2).is_some_and(|d| created_on > d) && demo.rng.random::<f64>() < 0.6 {
        area = "deep_work";
    }
    let (reporter, team_id) = members[demo.rng.random_range(0..members.len())];
    let status = status_for_age(demo, age);
    let rng = &mut demo.rng;
    let roadmap_item = roadmap
        .iter()
        .find(|(_, a, s)| *a == area && *s != RoadmapStatus::Dropped)
        .filter(|_| matches!(status, FrictionStatus::Planned | FrictionStatus::InProgress | FrictionStatus::Done))
        .filter(|_| rng.random::<f64>() < 0.6)
        .map(|(id, _, _)| id.clone());
    let duplicate_of = if rng.random::<f64>() < 0.04 {
        log.reports.iter().rev().find(|(_, a, _)| *a == area).map(|(id, _, _)| id.clone())
    } else {
        None
    };
    let follow_up = rng.random::<f64>() < 0.3;
    let report_id = new_id();
    let (title, trying, blocked, expected) = friction_text(area, rng.random_range(0..3));
    let votes = if duplicate_of.is_some() {
        0
    } else {
        *weighted(rng, &[(0usize, 0.45), (1, 0.2), (2, 0.15), (3, 0.1), (5, 0.06), (8, 0.04)])
    };
    let mut voters: Vec<&str> = members.iter().map(|(m, _)| *m).filter(|m| *m != reporter).collect();
    voters.shuffle(rng);
    voters.truncate(votes);
    for v in &voters {
        log.votes.push(me_too_vote::ActiveModel {
            report_id: Set(report_id.clone()),
            member_id: Set(v.to_string()),
            created_at: Set(at(created_on + Duration::days(rng.random_range(0..=age.min(30))), 14)),
        });
    }
    let resolved_on = status.is_closed().then(|| created_on + Duration::days(rng.random_range(0..=age.min(90))));
    let status = if duplicate_of.is_some() { FrictionStatus::Triaged } else { status };
    // Triaged one to six days after filing (from the date, not the random
    // stream, so the rest of the organisation stays the same), never after
    // it was resolved or today.
    let first_triaged_on = (status != FrictionStatus::New).then(|| {
        let waited = created_on + Duration::days(1 + i64::from(created_on.ordinal() % 6));
        waited.min(resolved_on.unwrap_or(demo.today)).min(demo.today)
    });
    use Frequency::{Daily, Monthly, OneOff, Weekly};
    log.rows.push(friction_report::ActiveModel {
        report_id: Set(report_id.clone()),
        team_id: Set(Some(team_id.to_string())),
        area_id: Set(area.to_string()),
        title: Set(title.to_string()),
        trying_to: Set(trying.to_string()),
        blocked_by: Set(blocked.to_string()),
        expected: Set(Some(expected.to_string())),
        minutes_lost: Set(*[5, 10, 15, 20, 30, 45, 60, 90, 120, 240].choose(rng).unwrap_or(&30)),
        frequency: Set(*weighted(rng, &[(OneOff, 0.2), (Monthly, 0.2), (Weekly, 0.35), (Daily, 0.25)])),
        severity: Set(*weighted(rng, &[(1, 0.35), (2, 0.35), (3, 0.2), (4, 0.1)])),
        status: Set(status),
        follow_up: Set(follow_up),
        reporter_member_id: Set(follow_up.then(|| reporter.to_string())),
        me_too: Set(voters.len() as i32),
        roadmap_item_id: Set(roadmap_item),
        duplicate_of: Set(duplicate_of),
        created_on: Set(created_on),
        resolved_on: Set(resolved_on),
        first_triaged_on: Set(first_triaged_on),
        created_at: Set(at(created_on, rng.random_range(8..19))),
        updated_at: Set(at(resolved_on.unwrap_or(created_on), 18)),
    });
    log.reports.push((report_id, area, created_on));
}
