//! Hand-made tables whose answers are worked out by hand, and properties.

use super::*;
use crate::tables::Tables;
use proptest::prelude::*;

fn answers(rows: &[(&str, f64)]) -> LazyFrame {
    let areas: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
    df!("area_id" => areas, "value" => values).unwrap().lazy()
}

fn f(df: &DataFrame, col: &str, row: usize) -> Option<f64> {
    df.column(col).unwrap().f64().unwrap().get(row)
}

#[test]
fn wilson_matches_a_hand_computation() {
    // p = 0.5, n = 10: centre 0.5 + 3.841459/20 = 0.69207; spread
    // 1.959964 * sqrt(0.025 + 3.841459/400) = 0.364804; denom 1.384146.
    let (lo, hi) = wilson(0.5, 10.0);
    assert!((lo - 0.236593).abs() < 1e-6, "{lo}");
    assert!((hi - 0.763407).abs() < 1e-6, "{hi}");
    let (lo, hi) = wilson(0.0, 5.0);
    assert!(lo.abs() < 1e-12 && (hi - 0.434482).abs() < 1e-6, "{lo} {hi}");
}

#[test]
fn scores_of_a_small_table() {
    // ci: 1,2,3,4,5,5 -> n 6, favorable 3, unfavorable 2, mean 20/6.
    // docs: 4 answers, below k = 5: suppressed, figures null.
    let mut rows: Vec<(&str, f64)> = [1.0, 2.0, 3.0, 4.0, 5.0, 5.0].iter().map(|v| ("ci", *v)).collect();
    rows.extend([("docs", 1.0), ("docs", 1.0), ("docs", 2.0), ("docs", 5.0)]);
    let df = area_scores(answers(&rows), 5).unwrap();
    assert_eq!(df.height(), 2);
    assert_eq!(df.column("area_id").unwrap().str().unwrap().get(0), Some("ci"));
    assert_eq!(df.column("n").unwrap().i64().unwrap().get(0), Some(6));
    assert_eq!(f(&df, "pct_favorable", 0), Some(0.5));
    assert!((f(&df, "pct_unfavorable", 0).unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert!((f(&df, "mean", 0).unwrap() - 20.0 / 6.0).abs() < 1e-12);
    let (lo, hi) = wilson(1.0 / 3.0, 6.0);
    assert!((f(&df, "unfav_lo", 0).unwrap() - lo).abs() < 1e-12);
    assert!((f(&df, "unfav_hi", 0).unwrap() - hi).abs() < 1e-12);
    assert_eq!(df.column("suppressed").unwrap().bool().unwrap().get(1), Some(true));
    for c in ["pct_favorable", "pct_unfavorable", "mean", "unfav_lo", "unfav_hi"] {
        assert_eq!(f(&df, c, 1), None, "{c} must be null when suppressed");
    }
}

#[test]
fn the_guard_hides_the_smallest_visible_child_until_the_hidden_total_reaches_k() {
    let c = |v: &[(&str, u64)]| v.iter().map(|(s, n)| (s.to_string(), *n)).collect::<Vec<_>>();
    // b (2) is under k = 5: hidden total 2 < 5, so the smallest visible (c, 6; tie with d broken by slug) goes too.
    let hidden = guard(&c(&[("a", 9), ("b", 2), ("c", 6), ("d", 6)]), 5);
    assert_eq!(hidden, vec![None, Some(Reason::FewerThanK), Some(Reason::Differencing), None]);
    // Nothing under k: nothing hidden. Hidden total already >= k: nothing more.
    assert!(guard(&c(&[("a", 5), ("b", 7)]), 5).iter().all(Option::is_none));
    assert_eq!(
        guard(&c(&[("a", 3), ("b", 3), ("c", 8)]), 5),
        vec![Some(Reason::FewerThanK), Some(Reason::FewerThanK), None]
    );
    // Zero-sized children hide nothing more.
    assert_eq!(guard(&c(&[("a", 0), ("b", 8)]), 5), vec![Some(Reason::FewerThanK), None]);
}

/// A small organisation: two groups, one ungrouped team, two closed cycles.
pub(crate) fn small_org() -> Tables {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let teams = df!(
        "team_id" => s(&["t1", "t2", "t3", "t4"]),
        "slug" => s(&["alpha", "beta", "gamma", "solo"]),
        "name" => s(&["Alpha", "Beta", "Gamma", "Solo"]),
        "group_name" => [Some("G1"), Some("G1"), Some("G2"), None],
        "kind" => s(&["stream-aligned"; 4]),
        "headcount" => [8i64, 6, 7, 6]
    )
    .unwrap();
    let areas = df!("area_id" => s(&["ci", "docs", "deploy"]), "name" => s(&["CI", "Docs", "Deploy"]), "dimension" => s(&["feedback_loops", "cognitive_load", "feedback_loops"])).unwrap();
    let surveys = df!("survey_id" => ["s"], "title" => ["DevEx"], "cadence" => ["quarterly"]).unwrap();
    let questions = df!(
        "question_id" => s(&["qci", "qdocs", "qpick"]),
        "survey_id" => s(&["s", "s", "s"]),
        "position" => [1i64, 2, 3],
        "kind" => s(&["likert5", "likert5", "priority_pick"]),
        "area_id" => [Some("ci"), Some("docs"), None],
        "prompt" => s(&["?", "?", "?"])
    )
    .unwrap();
    let cycles = df!(
        "cycle_id" => s(&["c1", "c2", "c3"]),
        "survey_id" => s(&["s", "s", "s"]),
        "opens_on" => s(&["2026-01-05", "2026-04-06", "2026-07-06"]),
        "closes_on" => s(&["2026-01-19", "2026-04-20", "2026-07-20"]),
        "status" => s(&["closed", "closed", "open"])
    )
    .unwrap();
    // Cycle c2: alpha 6 responses, beta 2, gamma 7, solo 5. Cycle c1: alpha 5, gamma 5.
    let mut response_id = Vec::new();
    let mut cycle_id = Vec::new();
    let mut team_id = Vec::new();
    let mut a_resp = Vec::new();
    let mut a_q = Vec::new();
    let mut a_v: Vec<Option<f64>> = Vec::new();
    let mut a_c: Vec<Option<String>> = Vec::new();
    let mut add = |cycle: &str, team: &str, count: usize, ci: f64, docs: f64, picks: &[&str]| {
        for i in 0..count {
            let id = format!("{cycle}-{team}-{i}");
            response_id.push(id.clone());
            cycle_id.push(cycle.to_string());
            team_id.push(team.to_string());
            for (q, v) in [("qci", ci), ("qdocs", docs)] {
                a_resp.push(id.clone());
                a_q.push(q.to_string());
                a_v.push(Some(v));
                a_c.push(None);
            }
            for p in picks {
                a_resp.push(id.clone());
                a_q.push("qpick".to_string());
                a_v.push(None);
                a_c.push(Some(p.to_string()));
            }
        }
    };
    add("c2", "t1", 6, 2.0, 4.0, &["ci"]);
    add("c2", "t2", 2, 1.0, 5.0, &["ci", "docs"]);
    add("c2", "t3", 7, 4.0, 3.0, &[]);
    add("c2", "t4", 5, 5.0, 1.0, &["docs"]);
    add("c1", "t1", 5, 1.0, 3.0, &["ci"]);
    add("c1", "t3", 5, 2.0, 5.0, &["ci"]);
    let submitted: Vec<String> =
        cycle_id.iter().map(|c| if c == "c1" { "2026-01-10".into() } else { "2026-04-10".into() }).collect();
    let responses =
        df!("response_id" => response_id, "cycle_id" => cycle_id, "team_id" => team_id, "submitted_on" => submitted)
            .unwrap();
    let answers = df!("response_id" => a_resp, "question_id" => a_q, "value_num" => a_v, "choice" => a_c).unwrap();
    let participation =
        df!("cycle_id" => ["c2"], "team_id" => ["t1"], "invited" => [8i64], "responded" => [6i64]).unwrap();
    let friction = df!(
        "report_id" => s(&["f1", "f2", "f3", "f4", "f5"]),
        "team_id" => [Some("t1"), Some("t2"), None, Some("t1"), Some("t3")],
        "area_id" => s(&["ci", "ci", "docs", "ci", "deploy"]),
        "created_on" => s(&["2026-04-01", "2026-03-01", "2026-04-15", "2026-04-10", "2025-01-01"]),
        "minutes_lost" => [30i64, 60, 15, 120, 60],
        "frequency" => s(&["daily", "weekly", "monthly", "one_off", "daily"]),
        "severity" => [3i64, 2, 1, 4, 2],
        "status" => s(&["new", "triaged", "new", "done", "new"]),
        "me_too" => [2i64, 0, 1, 5, 0],
        "resolved_on" => [None::<&str>, None, None, Some("2026-04-12"), None],
        "duplicate_of" => [None::<&str>, None, None, None, None]
    )
    .unwrap();
    let roadmap = df!(
        "item_id" => s(&["r1", "r2", "r3"]),
        "title" => s(&["Faster CI", "Docs portal", "Old idea"]),
        "area_id" => s(&["ci", "docs", "ci"]),
        "status" => s(&["shipped", "planned", "dropped"]),
        "shipped_on" => [Some("2026-03-01"), None, None]
    )
    .unwrap();
    Tables::new(vec![
        ("teams", teams),
        ("areas", areas),
        ("surveys", surveys),
        ("questions", questions),
        ("cycles", cycles),
        ("participation", participation),
        ("responses", responses),
        ("answers", answers),
        ("friction_reports", friction),
        ("roadmap_items", roadmap),
    ])
    .unwrap()
}

#[test]
fn priorities_of_the_small_org_match_a_hand_computation() {
    let tables = small_org();
    let report = priorities(&tables, Some("c2"), &Params::new(5, "2026-04-21T00:00:00Z")).unwrap();
    assert_eq!(report.responses, 20);
    let by = |a: &str| report.priorities.iter().find(|p| p.area_id == a).unwrap().clone();
    // CI in c2: values 2 x6, 1 x2, 4 x7, 5 x5 -> n 20, unfavorable 8.
    let ci = by("ci");
    assert_eq!(ci.n, Some(20));
    assert_eq!(ci.pct_unfavorable, Some(0.4));
    let (lo, _) = wilson(0.4, 20.0);
    assert!((ci.survey_pain - lo).abs() < 1e-12);
    // Picks in c2: 6 + 2 + 5 = 13 responses picked; ci by 8, docs by 7.
    assert!((ci.vote_share.unwrap() - 8.0 / 13.0).abs() < 1e-12);
    assert!((by("docs").vote_share.unwrap() - 7.0 / 13.0).abs() < 1e-12);
    // Friction within [2026-01-20, 2026-04-20]: f1 ci 0.5h*5*3 = 7.5; f2 ci 1h*1*1 = 1; f3 docs 0.25h*12/52*2;
    // f4 is done, f5 is outside the window.
    assert!((ci.friction_hours - 8.5).abs() < 1e-12);
    assert_eq!((ci.friction_reports, ci.teams_affected), (2, 2));
    let docs_hours = 0.25 * 12.0 / 52.0 * 2.0;
    assert!((by("docs").friction_hours - docs_hours).abs() < 1e-12);
    assert_eq!(by("docs").teams_affected, 0);
    // Priority of ci: 100 * (0.4 * lo + 0.3 * 8/13 + 0.3 * 1) / 1.0.
    let expected = 100.0 * (0.4 * lo + 0.3 * 8.0 / 13.0 + 0.3 * 1.0);
    assert!((ci.priority - expected).abs() < 1e-9, "{} vs {expected}", ci.priority);
    assert_eq!(ci.rank, 1);
    assert_eq!(ci.roadmap, vec!["Faster CI".to_string()]);
    // deploy has no likert item and no friction in the window: all zero, ranked last.
    let deploy = by("deploy");
    assert_eq!((deploy.priority, deploy.n, deploy.rank), (0.0, None, 3));
    // Delta against c1 (ci: values 1 x5, 2 x5 -> all unfavorable, n 10).
    let (lo1, _) = wilson(1.0, 10.0);
    // c1's friction window [2025-10-21, 2026-01-19] holds no report.
    let expected_c1 = 100.0 * (0.4 * lo1 + 0.3 * 1.0 + 0.3 * 0.0);
    assert!((ci.priority_delta.unwrap() - (expected - expected_c1)).abs() < 1e-9);
    assert_eq!(report.previous.as_ref().unwrap().cycle.cycle_id, "c1");
}

#[test]
fn votes_and_counts_of_fewer_than_k_are_not_shown() {
    let tables = small_org();
    // At k = 14, the 13 respondents who picked areas in c2 are too few.
    let report = priorities(&tables, Some("c2"), &Params::new(14, "now")).unwrap();
    assert!(report.priorities.iter().all(|p| p.vote_share.is_none()));
    let ci = report.priorities.iter().find(|p| p.area_id == "ci").unwrap();
    assert_eq!(ci.n, Some(20));
    let report = priorities(&tables, Some("c2"), &Params::new(21, "now")).unwrap();
    assert!(report.priorities.iter().all(|p| p.n.is_none() && p.pct_unfavorable.is_none() && p.survey_pain == 0.0));
}

#[test]
fn bad_cycles_are_named() {
    let tables = small_org();
    let p = Params::new(5, "now");
    assert!(matches!(priorities(&tables, Some("nope"), &p), Err(AnalysisError::UnknownCycle(_))));
    assert!(matches!(priorities(&tables, Some("c3"), &p), Err(AnalysisError::CycleOpen(_))));
    assert_eq!(priorities(&tables, None, &p).unwrap().cycle.cycle_id, "c2", "default: the latest closed cycle");
}

#[test]
fn scores_follow_k_and_the_differencing_guard() {
    let tables = small_org();
    let p = Params::new(5, "now");
    let org = scores(&tables, "c2", &Scope::Org, &p).unwrap();
    assert_eq!(org.responses, Some(20));
    let ci = &org.scores[0];
    assert_eq!((ci.area_id.as_str(), ci.n), ("ci", Some(20)));
    // delta: c2 pct_favorable 12/20 minus c1 0/10.
    assert!((ci.delta_favorable.unwrap() - 0.6).abs() < 1e-12);
    // beta (2 responses) is under k; in G1 = {alpha 6, beta 2} the guard also hides alpha.
    let beta = scores(&tables, "c2", &Scope::Team("beta".into()), &p).unwrap();
    assert_eq!((beta.suppressed, beta.reason, beta.responses), (true, Some("fewer_than_k"), None));
    assert!(beta.scores.iter().all(|s| s.suppressed && s.pct_favorable.is_none() && s.n.is_none()));
    let alpha = scores(&tables, "c2", &Scope::Team("alpha".into()), &p).unwrap();
    assert_eq!((alpha.suppressed, alpha.reason), (true, Some("differencing")));
    // gamma is alone in G2 with 7: visible. solo (5, ungrouped) is visible in the org breakdown.
    let gamma = scores(&tables, "c2", &Scope::Team("gamma".into()), &p).unwrap();
    assert!(!gamma.suppressed);
    assert_eq!(gamma.devex_index, Some(50.0), "ci all favorable, docs all neutral");
    assert!(!scores(&tables, "c2", &Scope::Team("solo".into()), &p).unwrap().suppressed);
    // At k = 6 the org's children are G1 8, G2 7 and solo 5: solo is under k, so the
    // guard also hides G2. gamma, alone in G2 with 7, is visible in G2's own breakdown
    // but must stay hidden, or G2 (and then solo) could be worked out from it.
    let p6 = Params::new(6, "now");
    let gamma6 = scores(&tables, "c2", &Scope::Team("gamma".into()), &p6).unwrap();
    assert_eq!((gamma6.suppressed, gamma6.reason), (true, Some("differencing")));
    assert!(scores(&tables, "c2", &Scope::Group("G2".into()), &p6).unwrap().suppressed);
    let g1 = scores(&tables, "c2", &Scope::Group("G1".into()), &p).unwrap();
    assert_eq!(g1.responses, Some(8));
    assert!(matches!(scores(&tables, "c2", &Scope::Team("ghost".into()), &p), Err(AnalysisError::UnknownScope(_))));
    assert!(matches!(scores(&tables, "c3", &Scope::Org, &p), Err(AnalysisError::CycleOpen(_))));
}

#[test]
fn tables_round_trip_through_parquet_and_csv() {
    let tables = small_org();
    let p = Params::new(5, "now");
    let expected = priorities(&tables, Some("c2"), &p).unwrap();
    for format in [Format::Parquet, Format::Csv] {
        let dir = std::env::temp_dir().join(format!("devpulse-analysis-{}-{:?}", std::process::id(), format));
        tables.write_dir(&dir, format).unwrap();
        let back = Tables::read_dir(&dir, format).unwrap();
        let got = priorities(&back, Some("c2"), &p).unwrap();
        assert_eq!(serde_json::to_value(&got.priorities).unwrap(), serde_json::to_value(&expected.priorities).unwrap());
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn missing_tables_and_columns_and_wrong_types_are_named() {
    let dir = std::env::temp_dir().join(format!("devpulse-analysis-bad-{}", std::process::id()));
    let tables = small_org();
    tables.write_dir(&dir, Format::Csv).unwrap();
    std::fs::write(dir.join("answers.csv"), "response_id,question_id,value_num,choice\nr,q,lots,\n").unwrap();
    let err = Tables::read_dir(&dir, Format::Csv).err().unwrap();
    assert!(matches!(err, AnalysisError::WrongType { ref column, .. } if column == "value_num"), "{err}");
    std::fs::write(dir.join("answers.csv"), "response_id,question_id,choice\nr,q,\n").unwrap();
    let err = Tables::read_dir(&dir, Format::Csv).err().unwrap();
    assert!(matches!(err, AnalysisError::MissingColumn { ref column, .. } if column == "value_num"), "{err}");
    std::fs::remove_file(dir.join("answers.csv")).unwrap();
    assert!(matches!(Tables::read_dir(&dir, Format::Csv), Err(AnalysisError::MissingTable(_))));
    std::fs::remove_dir_all(&dir).ok();
}

proptest! {
    #[test]
    fn the_interval_holds_p_and_stays_in_0_1(unfav in 0u32..200, extra in 0u32..200) {
        let n = (unfav + extra).max(1) as f64;
        let p = unfav.min(n as u32) as f64 / n;
        let (lo, hi) = wilson(p, n);
        prop_assert!(lo >= -1e-12 && hi <= 1.0 + 1e-12);
        prop_assert!(lo <= p + 1e-12 && p <= hi + 1e-12);
    }

    #[test]
    fn suppression_never_shows_a_group_under_k(values in proptest::collection::vec(1u8..=5, 0..30), k in 3u32..8) {
        let rows: Vec<(&str, f64)> = values.iter().map(|v| ("ci", *v as f64)).collect();
        let df = area_scores(answers(&rows), k).unwrap();
        if values.is_empty() {
            prop_assert_eq!(df.height(), 0);
        } else {
            let shown = f(&df, "pct_favorable", 0).is_some();
            prop_assert_eq!(shown, values.len() as u32 >= k);
        }
    }

    #[test]
    fn the_guard_leaves_a_hidden_total_of_0_or_at_least_k(ns in proptest::collection::vec(0u64..12, 1..12), k in 3u32..8) {
        let children: Vec<(String, u64)> = ns.iter().enumerate().map(|(i, n)| (format!("t{i:02}"), *n)).collect();
        let hidden = guard(&children, k);
        let total: u64 = children.iter().zip(&hidden).filter(|(_, h)| h.is_some()).map(|((_, n), _)| n).sum();
        let visible_left = hidden.iter().any(Option::is_none);
        prop_assert!(total == 0 || total >= k as u64 || !visible_left);
        for ((_, n), h) in children.iter().zip(&hidden) {
            if h.is_none() { prop_assert!(*n >= k as u64); }
        }
    }

    #[test]
    fn an_unfavorable_answer_never_lowers_survey_pain(values in proptest::collection::vec(1u8..=5, 5..40)) {
        let rows: Vec<(&str, f64)> = values.iter().map(|v| ("ci", *v as f64)).collect();
        let before = f(&area_scores(answers(&rows), 5).unwrap(), "unfav_lo", 0).unwrap();
        let mut more = rows.clone();
        more.push(("ci", 1.0));
        let after = f(&area_scores(answers(&more), 5).unwrap(), "unfav_lo", 0).unwrap();
        prop_assert!(after >= before - 1e-12);
    }

    #[test]
    fn ranks_are_a_permutation(w in (0.01f64..1.0, 0.01f64..1.0, 0.01f64..1.0), lookback in 1i64..400) {
        let tables = small_org();
        let mut p = Params::new(5, "now");
        p.weights = Weights { survey: w.0, votes: w.1, friction: w.2 };
        p.lookback_days = lookback;
        let report = priorities(&tables, Some("c2"), &p).unwrap();
        let mut ranks: Vec<u32> = report.priorities.iter().map(|r| r.rank).collect();
        ranks.sort();
        prop_assert_eq!(ranks, (1..=report.priorities.len() as u32).collect::<Vec<_>>());
        for pair in report.priorities.windows(2) {
            prop_assert!(pair[0].priority > pair[1].priority || (pair[0].priority == pair[1].priority && pair[0].area_id < pair[1].area_id));
        }
    }
}
