//! Tests of the heatmap, trends, effects, comment scopes and the overview on
//! the small organisation of [`crate::tests::small_org`].

use crate::comments::{all_scopes, comment_scopes};
use crate::kpis::{median_days, overview};
use crate::tests::small_org;
use crate::{Params, Scope, effects, results, scores, trend};
use chrono::NaiveDate;

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn the_heatmap_lists_every_scope_in_order_with_the_same_figures_as_scores() {
    let tables = small_org();
    let p = Params::new(5, "now");
    let r = results(&tables, "c2", &p).unwrap();
    let labels: Vec<&str> = r.rows.iter().map(|row| row.report.scope.as_str()).collect();
    // Teams under their group by headcount (alpha 8 before beta 6), never by responses.
    assert_eq!(labels, ["org", "group:G1", "team:alpha", "team:beta", "group:G2", "team:gamma", "team:solo"]);
    for row in &r.rows {
        let one = scores(&tables, "c2", &crate::Scope::parse(&row.report.scope).unwrap(), &p).unwrap();
        assert_eq!(one, row.report, "{} agrees with /scores", row.report.scope);
    }
    let beta = &r.rows[3];
    assert_eq!((beta.report.reason, beta.invited, beta.responded), (Some("fewer_than_k"), None, None));
    assert_eq!(r.rows[2].report.reason, Some("differencing"));
    // alpha's participation row is hidden with it; the org's total stays.
    assert_eq!((r.rows[0].invited, r.rows[0].responded), (Some(8), Some(6)));
    // gamma: ci all favourable against the org's 12/20.
    let gamma_ci = &r.rows[5].report.scores[0];
    assert!(close(gamma_ci.vs_org, 1.0 - 0.6));
    assert!(r.rows[0].report.scores.iter().all(|s| s.vs_org.is_none()));
    // Columns by dimension: feedback loops (ci) before cognitive load (docs).
    let cols: Vec<&str> = r.areas.iter().map(|a| a.area_id.as_str()).collect();
    assert_eq!(cols, ["ci", "docs"]);
    let org_ci = &r.rows[0].report.scores[0];
    let (lo, hi) = crate::wilson(0.6, 20.0);
    assert!(close(org_ci.fav_lo, lo) && close(org_ci.fav_hi, hi));
}

#[test]
fn a_trend_has_every_closed_cycle_with_its_delta() {
    let tables = small_org();
    let p = Params::new(5, "now");
    let t = trend(&tables, "s", &Scope::Org, &p).unwrap();
    let ids: Vec<&str> = t.iter().map(|x| x.cycle.cycle_id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2"], "closed cycles only, oldest first");
    assert_eq!(t[1].report, scores(&tables, "c2", &Scope::Org, &p).unwrap());
    // beta never shows, in any cycle.
    let beta = trend(&tables, "s", &Scope::Team("beta".into()), &p).unwrap();
    assert!(beta.iter().all(|x| x.report.suppressed && x.report.scores.iter().all(|s| s.pct_favorable.is_none())));
}

#[test]
fn the_effect_of_a_shipped_item_compares_the_cycles_and_friction_around_it() {
    let tables = small_org();
    let p = Params::new(5, "now");
    let e = &effects(&tables, "2026-06-01", &p).unwrap()["r1"];
    assert_eq!(e.before.as_ref().unwrap().cycle_id, "c1", "last closed cycle with closes_on <= 2026-03-01");
    assert_eq!(e.after.as_ref().unwrap().cycle_id, "c2", "first closed cycle with opens_on > 2026-03-01");
    assert!(close(e.difference, 0.6));
    assert_eq!(e.friction_before, 0.0, "f2 was filed on the shipping day: after, not before");
    // f1 0.5 h × 5 × 3, f2 1 h × 1, f4 (done, still counted) 2 h × 1/13 × 6.
    assert!(close(e.friction_after, 7.5 + 1.0 + 12.0 / 13.0));
    let early = &effects(&tables, "2026-05-01", &p).unwrap()["r1"];
    assert_eq!(early.friction_after, None, "not measured until 90 days have passed");
    assert!(!effects(&tables, "2026-06-01", &p).unwrap().contains_key("r2"), "only shipped items");
}

#[test]
fn comments_need_k_comments_responses_and_the_guard() {
    let tables = small_org();
    let scopes = all_scopes(&tables, "c2").unwrap();
    let at10 = comment_scopes(&tables, "c2", &scopes, 10).unwrap();
    assert!(!at10[0].suppressed && at10[0].responses == Some(20));
    assert!(at10[1..].iter().all(|s| s.suppressed && s.responses.is_none()), "no group or team reaches 10");
    // At 6: solo (5) is hidden, so the smallest visible child (G2, 7) is hidden too.
    let at6 = comment_scopes(&tables, "c2", &[Scope::Group("G2".into()), Scope::Group("G1".into())], 6).unwrap();
    assert_eq!(at6[0].reason, Some("differencing"));
    assert!(!at6[1].suppressed);
}

#[test]
fn the_overview_counts_medians_and_quarters() {
    assert_eq!(median_days([("2026-01-01", Some("2026-01-03")), ("2026-01-01", None)]), Some(2.0));
    assert_eq!(median_days([("2026-01-01", Some("2026-01-03")), ("2026-01-01", Some("2026-01-06"))]), Some(3.5));
    let tables = small_org();
    let today = NaiveDate::from_ymd_opt(2026, 4, 20).unwrap();
    let triaged = vec![("2026-03-01".to_string(), "2026-03-04".to_string())];
    let o = overview(&tables, &triaged, today, &Params::new(5, "now")).unwrap();
    assert_eq!(o.median_days_to_triage, Some(3.0));
    assert_eq!(o.median_days_to_resolve, Some(2.0), "f4: filed 04-10, done 04-12");
    assert_eq!(o.shipped_per_quarter.len(), 1);
    assert_eq!((o.shipped_per_quarter[0].quarter.as_str(), o.shipped_per_quarter[0].shipped), ("2026-Q1", 1));
    assert_eq!(o.latest.unwrap().cycle_id, "c2");
    assert_eq!(o.top_priorities.len(), 3);
    let last = o.friction_weeks.last().unwrap();
    assert_eq!(last.week_ending, "2026-04-20");
    // Filed 04-14..04-20: f3 (04-15). Open on 04-20 within 90 days: f1, f2, f3 (f4 resolved 04-12).
    assert_eq!(last.filed, 1);
    assert!((last.hours_per_week - (7.5 + 1.0 + 0.25 * 12.0 / 52.0 * 2.0)).abs() < 1e-9);
    let c2 = o.cycles.iter().find(|c| c.cycle_id == "c2").unwrap();
    assert_eq!((c2.invited, c2.responded), (8, 6));
}

#[test]
fn an_areas_distribution_and_a_teams_votes_follow_the_heatmaps_verdicts() {
    let tables = small_org();
    let p = Params::new(5, "now");
    let d = crate::area::distribution(&tables, "c2", "ci", &p).unwrap();
    let scopes: Vec<&str> = d.iter().map(|x| x.scope.as_str()).collect();
    assert_eq!(scopes, ["org", "group:G1", "group:G2"], "the organisation and its groups, no team");
    // Org ci in c2: alpha 6×2, beta 2×1, gamma 7×4, solo 5×5 → 1: 2, 2: 6, 4: 7, 5: 5 of 20.
    assert_eq!(d[0].shares, Some([0.1, 0.3, 0.0, 0.35, 0.25]));
    assert_eq!(d[0].n, Some(20));
    let votes = crate::area::scope_votes(&tables, "c2", &Scope::Team("gamma".into()), &p).unwrap();
    assert!(votes.suppressed, "gamma's 7 responses picked nothing: fewer than k respondents");
    let beta = crate::area::scope_votes(&tables, "c2", &Scope::Team("beta".into()), &p).unwrap();
    assert_eq!((beta.suppressed, beta.respondents, beta.shares.len()), (true, None, 0));
    let org = crate::area::scope_votes(&tables, "c2", &Scope::Org, &p).unwrap();
    // 6 alpha (ci), 2 beta (ci, docs), 5 solo (docs): 13 respondents.
    assert_eq!(org.respondents, Some(13));
    assert_eq!(org.shares, vec![("ci".to_string(), 8.0 / 13.0), ("docs".to_string(), 7.0 / 13.0)]);
}
