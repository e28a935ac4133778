//! The demo organisation: a believable company for trying devpulse and for
//! its tests. Deterministic for a seed (and the current date): teams in
//! groups, members, the default DevEx survey, closed quarterly cycles whose
//! answers differ by team and area and move over time (CI and local
//! environments improve after their roadmap items ship, on-call gets worse),
//! teams too small to show, friction reports with me-too votes, roadmap items.

use crate::domain::{Cadence, CycleStatus, Frequency, FrictionStatus, QuestionKind, RoadmapStatus, TeamKind, devex};
use crate::entities::{
    answer, cycle, cycle_team, friction_report, invitation, me_too_vote, member, question, response, roadmap_item,
    survey, team,
};
use crate::store::{StoreResult, hash_secret, new_id};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub teams: u32,
    /// People in all; `None` gives 5 to 12 per team.
    pub people: Option<u32>,
    pub cycles: u32,
    pub friction: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { seed: 42, teams: 12, people: None, cycles: 4, friction: 300 }
    }
}

/// Whether the database holds no organisation yet (no team).
pub async fn is_empty(db: &DatabaseConnection) -> StoreResult<bool> {
    Ok(team::Entity::find().count(db).await? == 0)
}

/// Removes the organisation and everything that hangs off it (areas,
/// admins, API tokens and settings stay).
pub async fn clear(db: &DatabaseConnection) -> StoreResult<()> {
    let txn = crate::store::begin_write(db).await?;
    for table in [
        "answers",
        "responses",
        "invitations",
        "cycle_teams",
        "cycles",
        "questions",
        "surveys",
        "me_too_votes",
        "friction_reports",
        "roadmap_items",
        "email_outbox",
        "members",
        "teams",
    ] {
        txn.execute_unprepared(&format!("DELETE FROM {table}")).await?;
    }
    txn.commit().await?;
    Ok(())
}

const GROUPS: [&str; 4] = ["Commerce", "Payments", "Growth", "Core Platform"];
const TEAM_NAMES: [&str; 24] = [
    "Checkout",
    "Ledger",
    "Onboarding",
    "Developer Platform",
    "Catalog",
    "Billing",
    "Notifications",
    "Cloud Infrastructure",
    "Search",
    "Fraud Detection",
    "Mobile",
    "Observability",
    "Pricing",
    "Payouts",
    "Recommendations",
    "Release Engineering",
    "Orders",
    "Risk",
    "Insights",
    "Enablement",
    "Inventory",
    "Tax",
    "Web",
    "Identity",
];
const FIRST: [&str; 24] = [
    "ada", "alan", "grace", "linus", "margaret", "dennis", "barbara", "ken", "frances", "john", "radia", "tim",
    "sophie", "guido", "hedy", "bjarne", "karen", "niklaus", "anita", "edsger", "joan", "donald", "lynn", "brian",
];
const LAST: [&str; 16] = [
    "lovelace",
    "turing",
    "hopper",
    "torvalds",
    "hamilton",
    "ritchie",
    "liskov",
    "thompson",
    "allen",
    "backus",
    "perlman",
    "lee",
    "wilson",
    "rossum",
    "lamarr",
    "kernighan",
];

/// Baseline satisfaction (1..5) per default area, before team and time effects.
fn base_score(area: &str) -> f64 {
    match area {
        "build_test" => 3.1,
        "ci" => 2.4,
        "code_review" => 3.5,
        "deploy" => 2.9,
        "local_env" => 2.8,
        "docs" => 2.5,
        "codebase" => 2.9,
        "debugging" => 3.2,
        "cross_team" => 2.8,
        "change_confidence" => 3.1,
        "deep_work" => 2.7,
        "planning" => 3.3,
        "on_call" => 3.4,
        "incident_response" => 3.6,
        _ => 3.0,
    }
}

/// How an area moves over cycles `c` of `n` (0 = oldest): CI improves once
/// its roadmap item ships before the second-to-last cycle, local environments
/// before the last one; on-call gets worse every quarter; docs creep up.
fn trend(area: &str, c: u32, n: u32) -> f64 {
    let after = |k: u32| n >= k && c >= n - k;
    match area {
        "ci" if after(2) => 1.0,
        "local_env" if after(1) => 0.7,
        "on_call" => -0.3 * c as f64,
        "docs" => 0.1 * c as f64,
        _ => 0.0,
    }
}

/// A standard normal draw (Irwin-Hall with 12 uniforms).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, f64)]) -> &'a T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

/// The last `n` quarterly cycles (opens_on, closes_on) that closed before `today`.
fn cycle_dates(today: NaiveDate, n: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let quarter_start = |y: i32, q: u32| NaiveDate::from_ymd_opt(y, q * 3 + 1, 1).expect("valid quarter");
    let (mut y, mut q) = (today.year(), (today.month0()) / 3);
    let mut out = Vec::new();
    while out.len() < n as usize {
        let opens = quarter_start(y, q) + Duration::days(6);
        let closes = opens + Duration::days(14);
        if closes < today {
            out.push((opens, closes));
        }
        if q == 0 {
            y -= 1;
            q = 3;
        } else {
            q -= 1;
        }
    }
    out.reverse();
    out
}

fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, 0, 0).expect("valid time").and_utc()
}

async fn insert_chunks<A, C>(conn: &C, rows: Vec<A>) -> StoreResult<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(500).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(())
}

struct DemoTeam {
    id: String,
    group: String,
    offset: f64,
    area_offset: Vec<f64>,
    response_rate: f64,
    platform: bool,
    members: Vec<String>,
}

/// Loads the demo organisation into an empty database, in one transaction.
/// Returns a one-line summary.
pub async fn load(db: &DatabaseConnection, opts: &Options, progress: bool) -> StoreResult<String> {
    let progress = crate::progress::Progress::new("demo", progress);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let today = Utc::now().date_naive();
    let cycles_dates = cycle_dates(today, opts.cycles);
    let org_start = cycles_dates.first().map(|c| c.0).unwrap_or(today) - Duration::days(60);
    let area_ids: Vec<&str> = devex::QUESTIONS.iter().filter_map(|q| q.area_id).collect();
    let link_key = crate::store::settings::link_key(db).await?;
    let txn = crate::store::begin_write(db).await?;

    // Teams and members.
    progress.step("teams and members");
    let n_teams = opts.teams as usize;
    let n_groups = if n_teams <= 8 { 3 } else { 4 };
    let mut sizes: Vec<u32> = (0..n_teams).map(|_| rng.random_range(5..=12)).collect();
    // A couple of small teams whose results stay hidden below k.
    for i in [1usize, 6] {
        if i < n_teams && n_teams > 3 {
            sizes[i] = 5;
        }
    }
    if let Some(people) = opts.people {
        let total: u32 = sizes.iter().sum();
        sizes = sizes.iter().map(|s| ((*s as f64) * people as f64 / total as f64).round().max(1.0) as u32).collect();
    }
    let mut teams = Vec::new();
    let mut team_rows = Vec::new();
    let mut member_rows = Vec::new();
    let mut person = 0usize;
    for (i, size) in sizes.iter().enumerate() {
        let group = GROUPS[if n_groups == 3 { i % 3 } else { i % 4 }];
        let platform = group == "Core Platform";
        let name = if i < TEAM_NAMES.len() { TEAM_NAMES[i].to_string() } else { format!("Team {}", i + 1) };
        let kind = match (platform, name.as_str()) {
            (_, "Enablement") => TeamKind::Enabling,
            (true, _) => TeamKind::Platform,
            (_, "Fraud Detection" | "Pricing" | "Risk") => TeamKind::ComplicatedSubsystem,
            _ => TeamKind::StreamAligned,
        };
        let id = new_id();
        let slug = name.to_lowercase().replace(' ', "-");
        team_rows.push(team::ActiveModel {
            team_id: Set(id.clone()),
            slug: Set(slug),
            name: Set(name),
            group_name: Set(Some(group.to_string())),
            kind: Set(kind),
            created_at: Set(at(org_start, 9)),
        });
        let mut members = Vec::new();
        for _ in 0..*size {
            let member_id = new_id();
            let email = format!(
                "{}.{}{}@example.com",
                FIRST[person % FIRST.len()],
                LAST[(person / FIRST.len() + person) % LAST.len()],
                if person >= FIRST.len() * LAST.len() {
                    (person / (FIRST.len() * LAST.len())).to_string()
                } else {
                    String::new()
                }
            );
            person += 1;
            member_rows.push(member::ActiveModel {
                member_id: Set(member_id.clone()),
                team_id: Set(id.clone()),
                email: Set(email),
                active: Set(true),
                token_hash: Set(crate::store::members::first_token_hash(&link_key, &member_id)),
                token_version: Set(1),
                created_at: Set(at(org_start, 10)),
            });
            members.push(member_id);
        }
        teams.push(DemoTeam {
            id,
            group: group.to_string(),
            offset: normal(&mut rng) * 0.3,
            area_offset: area_ids.iter().map(|_| normal(&mut rng) * 0.3).collect(),
            response_rate: if *size <= 5 { 0.6 } else { rng.random_range(0.62..0.95) },
            platform,
            members,
        });
    }
    insert_chunks(&txn, team_rows).await?;
    insert_chunks(&txn, member_rows).await?;

    // The default DevEx survey.
    progress.step("survey");
    let survey_id = new_id();
    survey::ActiveModel {
        survey_id: Set(survey_id.clone()),
        title: Set(devex::TITLE.to_string()),
        description: Set(devex::DESCRIPTION.to_string()),
        cadence: Set(Cadence::Quarterly),
        open_days: Set(14),
        reminder_days: Set("3,7".to_string()),
        active: Set(true),
        created_at: Set(at(org_start, 11)),
    }
    .insert(&txn)
    .await?;
    let mut questions = Vec::new();
    let mut question_rows = Vec::new();
    for (pos, q) in devex::QUESTIONS.iter().enumerate() {
        let id = new_id();
        question_rows.push(question::ActiveModel {
            question_id: Set(id.clone()),
            survey_id: Set(survey_id.clone()),
            position: Set(pos as i32 + 1),
            kind: Set(q.kind),
            area_id: Set(q.area_id.map(str::to_string)),
            prompt: Set(q.prompt.to_string()),
            required: Set(q.required),
        });
        questions.push((id, *q));
    }
    insert_chunks(&txn, question_rows).await?;

    // Roadmap items, some shipped between cycles.
    progress.step("roadmap");
    let n_cycles = cycles_dates.len();
    let shipped_between = |k: usize| -> Option<NaiveDate> {
        // Shipped after the close of cycle n-k-1, before cycle n-k opens.
        (n_cycles > k).then(|| cycles_dates[n_cycles - k - 1].1 + Duration::days(20))
    };
    use RoadmapStatus::{Dropped, InProgress, Planned, Proposed, Shipped};
    let roadmap_defs: [(&str, &str, RoadmapStatus, Option<NaiveDate>); 7] = [
        ("Faster CI runners and a shared build cache", "ci", Shipped, shipped_between(2)),
        ("Dev containers for every service", "local_env", Shipped, shipped_between(1)),
        ("Docs portal with search", "docs", InProgress, None),
        ("Self-service preview environments", "deploy", Planned, None),
        ("On-call rotation rebalancing", "on_call", Proposed, None),
        ("Service catalogue and ownership map", "cross_team", Planned, None),
        ("Flaky test quarantine bot", "build_test", Dropped, None),
    ];
    let mut roadmap = Vec::new();
    let mut roadmap_rows = Vec::new();
    for (title, area, status, shipped) in roadmap_defs {
        let status = if status == Shipped && shipped.is_none() { InProgress } else { status };
        let id = new_id();
        roadmap_rows.push(roadmap_item::ActiveModel {
            item_id: Set(id.clone()),
            title: Set(title.to_string()),
            description: Set(format!("Platform roadmap item for {area}.")),
            area_id: Set(area.to_string()),
            status: Set(status),
            shipped_on: Set(shipped),
            created_at: Set(at(org_start, 12)),
            updated_at: Set(at(shipped.unwrap_or(org_start), 12)),
        });
        roadmap.push((id, area, status));
    }
    insert_chunks(&txn, roadmap_rows).await?;

    // Closed cycles with invitations, responses and answers.
    let mut n_responses = 0usize;
    let mut n_answers = 0usize;
    for (c, (opens_on, closes_on)) in cycles_dates.iter().enumerate() {
        progress.step(&format!("cycle {} of {n_cycles}", c + 1));
        let cycle_id = new_id();
        cycle::ActiveModel {
            cycle_id: Set(cycle_id.clone()),
            survey_id: Set(survey_id.clone()),
            opens_on: Set(*opens_on),
            closes_on: Set(*closes_on),
            status: Set(CycleStatus::Closed),
            opened_at: Set(Some(at(*opens_on, 8))),
            closed_at: Set(Some(at(*closes_on + Duration::days(1), 0))),
            created_at: Set(at(*opens_on - Duration::days(7), 9)),
        }
        .insert(&txn)
        .await?;
        let mut links = Vec::new();
        let mut invitations = Vec::new();
        let mut responses = Vec::new();
        let mut answers: Vec<Vec<answer::ActiveModel>> = Vec::new();
        for t in &teams {
            links.push(cycle_team::ActiveModel {
                cycle_id: Set(cycle_id.clone()),
                team_id: Set(t.id.clone()),
                group_name: Set(Some(t.group.clone())),
            });
            for m in &t.members {
                let used = rng.random::<f64>() < t.response_rate;
                invitations.push(invitation::ActiveModel {
                    invitation_id: Set(new_id()),
                    cycle_id: Set(cycle_id.clone()),
                    member_id: Set(m.clone()),
                    team_id: Set(t.id.clone()),
                    token_hash: Set(hash_secret(&crate::store::random_token(24))),
                    used: Set(used),
                    reminders_sent: Set(if used { rng.random_range(0..=1) } else { 2 }),
                    last_reminded_on: Set(Some(*opens_on + Duration::days(7))),
                });
                if !used {
                    continue;
                }
                let response_id = new_id();
                let day = rng.random_range(0..=(*closes_on - *opens_on).num_days());
                responses.push(response::ActiveModel {
                    response_id: Set(response_id.clone()),
                    cycle_id: Set(cycle_id.clone()),
                    team_id: Set(Some(t.id.clone())),
                    submitted_on: Set(*opens_on + Duration::days(day)),
                });
                answers.push(Vec::new());
                let mut scores = Vec::new();
                for (i, area) in area_ids.iter().enumerate() {
                    let platform_on_call = if t.platform && *area == "on_call" { -0.6 } else { 0.0 };
                    let mu = base_score(area)
                        + t.offset
                        + t.area_offset[i]
                        + trend(area, c as u32, n_cycles as u32)
                        + platform_on_call;
                    let v = (mu + normal(&mut rng) * 0.85).round().clamp(1.0, 5.0);
                    scores.push((*area, v));
                }
                let mut pick_weights: Vec<(&str, f64)> = scores.iter().map(|(a, v)| (*a, (5.5 - v).powi(2))).collect();
                for (qid, q) in &questions {
                    let mut push = |value: Option<f64>, choice: Option<String>, text: Option<String>| {
                        answers.last_mut().expect("a response").push(answer::ActiveModel {
                            answer_id: Set(new_id()),
                            response_id: Set(response_id.clone()),
                            question_id: Set(qid.clone()),
                            value_num: Set(value),
                            choice: Set(choice),
                            text_value: Set(text),
                        });
                    };
                    match q.kind {
                        QuestionKind::Likert5 => {
                            let v = scores.iter().find(|(a, _)| Some(*a) == q.area_id).map(|(_, v)| *v);
                            push(v, None, None);
                        }
                        QuestionKind::PriorityPick if rng.random::<f64>() < 0.85 => {
                            let picks = *weighted(&mut rng, &[(1usize, 0.15), (2, 0.25), (3, 0.6)]);
                            for _ in 0..picks {
                                let area = weighted(&mut rng, &pick_weights).to_string();
                                pick_weights.retain(|(a, _)| *a != area);
                                push(None, Some(area), None);
                            }
                        }
                        QuestionKind::Hours if rng.random::<f64>() < 0.9 => {
                            let mean = scores.iter().map(|(_, v)| v).sum::<f64>() / scores.len() as f64;
                            let h = (2.0 + (3.2 - mean) * 3.0 + normal(&mut rng) * 1.5).round().clamp(0.0, 40.0);
                            push(Some(h), None, None);
                        }
                        QuestionKind::Text if rng.random::<f64>() < 0.15 => {
                            let worst = scores.iter().min_by(|a, b| a.1.total_cmp(&b.1)).map(|s| s.0).unwrap_or("ci");
                            push(None, None, Some(comment(worst).to_string()));
                        }
                        _ => {}
                    }
                }
            }
        }
        // Responses and their answers are stored in random order, so row order
        // cannot be matched to the invitations (which are in member order).
        let mut pairs: Vec<_> = responses.into_iter().zip(answers).collect();
        pairs.shuffle(&mut rng);
        let (responses, answers): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
        let answers: Vec<answer::ActiveModel> = answers.into_iter().flatten().collect();
        n_responses += responses.len();
        n_answers += answers.len();
        insert_chunks(&txn, links).await?;
        insert_chunks(&txn, invitations).await?;
        insert_chunks(&txn, responses).await?;
        insert_chunks(&txn, answers).await?;
    }

    // Friction reports over the last year, with me-too votes.
    progress.step("friction reports");
    let all_members: Vec<(&str, &str)> =
        teams.iter().flat_map(|t| t.members.iter().map(move |m| (m.as_str(), t.id.as_str()))).collect();
    let area_weights: Vec<(&str, f64)> = area_ids.iter().map(|a| (*a, (5.0 - base_score(a)).powi(2))).collect();
    let mut reports: Vec<(String, &str, NaiveDate)> = Vec::new();
    let mut report_rows = Vec::new();
    let mut vote_rows = Vec::new();
    for _ in 0..opts.friction {
        if all_members.is_empty() {
            break;
        }
        let mut area = *weighted(&mut rng, &area_weights);
        let age = rng.random_range(0..365i64);
        let created_on = today - Duration::days(age);
        // Fewer CI complaints once the CI roadmap item shipped.
        if area == "ci" && shipped_between(2).is_some_and(|d| created_on > d) && rng.random::<f64>() < 0.6 {
            area = "deep_work";
        }
        let (reporter, team_id) = all_members[rng.random_range(0..all_members.len())];
        let status = if age > 200 {
            *weighted(
                &mut rng,
                &[(FrictionStatus::Done, 0.5), (FrictionStatus::WontFix, 0.2), (FrictionStatus::Triaged, 0.3)],
            )
        } else if age > 45 {
            *weighted(
                &mut rng,
                &[
                    (FrictionStatus::Triaged, 0.35),
                    (FrictionStatus::Planned, 0.2),
                    (FrictionStatus::InProgress, 0.15),
                    (FrictionStatus::Done, 0.2),
                    (FrictionStatus::WontFix, 0.1),
                ],
            )
        } else {
            *weighted(&mut rng, &[(FrictionStatus::New, 0.6), (FrictionStatus::Triaged, 0.4)])
        };
        let resolved = matches!(status, FrictionStatus::Done | FrictionStatus::WontFix);
        let roadmap_item = roadmap
            .iter()
            .find(|(_, a, s)| *a == area && *s != RoadmapStatus::Dropped)
            .filter(|_| matches!(status, FrictionStatus::Planned | FrictionStatus::InProgress | FrictionStatus::Done))
            .filter(|_| rng.random::<f64>() < 0.6)
            .map(|(id, _, _)| id.clone());
        let duplicate_of = if rng.random::<f64>() < 0.04 {
            reports.iter().rev().find(|(_, a, _)| *a == area).map(|(id, _, _)| id.clone())
        } else {
            None
        };
        let follow_up = rng.random::<f64>() < 0.3;
        let report_id = new_id();
        let (title, trying, blocked, expected) = friction_text(area, rng.random_range(0..3));
        let votes = if duplicate_of.is_some() {
            0
        } else {
            *weighted(&mut rng, &[(0usize, 0.45), (1, 0.2), (2, 0.15), (3, 0.1), (5, 0.06), (8, 0.04)])
        };
        let mut voters: Vec<&str> = all_members.iter().map(|(m, _)| *m).filter(|m| *m != reporter).collect();
        voters.shuffle(&mut rng);
        voters.truncate(votes);
        for v in &voters {
            vote_rows.push(me_too_vote::ActiveModel {
                report_id: Set(report_id.clone()),
                member_id: Set(v.to_string()),
                created_at: Set(at(created_on + Duration::days(rng.random_range(0..=age.min(30))), 14)),
            });
        }
        let resolved_on = resolved.then(|| created_on + Duration::days(rng.random_range(0..=age.min(90))));
        report_rows.push(friction_report::ActiveModel {
            report_id: Set(report_id.clone()),
            team_id: Set(Some(team_id.to_string())),
            area_id: Set(area.to_string()),
            title: Set(title.to_string()),
            trying_to: Set(trying.to_string()),
            blocked_by: Set(blocked.to_string()),
            expected: Set(Some(expected.to_string())),
            minutes_lost: Set(*[5, 10, 15, 20, 30, 45, 60, 90, 120, 240].choose(&mut rng).unwrap_or(&30)),
            frequency: Set(*weighted(
                &mut rng,
                &[
                    (Frequency::OneOff, 0.2),
                    (Frequency::Monthly, 0.2),
                    (Frequency::Weekly, 0.35),
                    (Frequency::Daily, 0.25),
                ],
            )),
            severity: Set(*weighted(&mut rng, &[(1, 0.35), (2, 0.35), (3, 0.2), (4, 0.1)])),
            status: Set(if duplicate_of.is_some() { FrictionStatus::Triaged } else { status }),
            follow_up: Set(follow_up),
            reporter_member_id: Set(follow_up.then(|| reporter.to_string())),
            me_too: Set(voters.len() as i32),
            roadmap_item_id: Set(roadmap_item),
            duplicate_of: Set(duplicate_of),
            created_on: Set(created_on),
            resolved_on: Set(resolved_on),
            created_at: Set(at(created_on, rng.random_range(8..19))),
            updated_at: Set(at(resolved_on.unwrap_or(created_on), 18)),
        });
        reports.push((report_id, area, created_on));
    }
    let n_friction = report_rows.len();
    let n_votes = vote_rows.len();
    insert_chunks(&txn, report_rows).await?;
    insert_chunks(&txn, vote_rows).await?;
    txn.commit().await?;
    progress.step("done");
    Ok(format!(
        "demo organisation loaded (seed {}): {} teams in {} groups, {} members, {} closed cycles, {} responses, \
         {} answers, {} friction reports with {} me-too votes, {} roadmap items",
        opts.seed,
        teams.len(),
        n_groups.min(teams.len()),
        person,
        n_cycles,
        n_responses,
        n_answers,
        n_friction,
        n_votes,
        roadmap.len()
    ))
}

fn comment(area: &str) -> &'static str {
    match area {
        "ci" => "CI queues are the biggest drain on my day; a green build takes far too long.",
        "docs" => "I can never find the current docs for internal services.",
        "on_call" => "On-call weeks leave no time for planned work.",
        "local_env" => "Getting a service running locally takes a day of fiddling.",
        "deep_work" => "Too many meetings break up the day.",
        "deploy" => "Releases need too many manual steps.",
        _ => "Small things add up; thanks for asking.",
    }
}

/// Canned friction texts: (title, trying to, blocked by, expected).
fn friction_text(area: &str, variant: usize) -> (&'static str, &'static str, &'static str, &'static str) {
    let options: [(&str, &str, &str, &str); 3] = match area {
        "ci" => [
            (
                "CI queue over 30 minutes",
                "merge a one-line fix",
                "the CI queue waited 35 minutes for a runner",
                "a runner within a few minutes",
            ),
            (
                "Flaky integration test blocks merges",
                "merge my pull request",
                "an unrelated flaky test failed three times",
                "flaky tests quarantined automatically",
            ),
            (
                "CI cache misses on every build",
                "get fast feedback on a change",
                "dependencies were rebuilt from scratch",
                "a warm dependency cache",
            ),
        ],
        "build_test" => [
            (
                "Full test suite takes 25 minutes locally",
                "run the tests before pushing",
                "the suite takes 25 minutes",
                "a fast subset for the code I touched",
            ),
            (
                "Incremental build rebuilds everything",
                "iterate on a small change",
                "every change triggers a full rebuild",
                "incremental builds that work",
            ),
            (
                "Test fixtures out of date",
                "write a test for a new endpoint",
                "shared fixtures no longer match the schema",
                "fixtures generated from the schema",
            ),
        ],
        "deploy" => [
            (
                "Manual approval step for every deploy",
                "ship a config change",
                "waited half a day for an approval",
                "automatic approval for low-risk changes",
            ),
            (
                "Rollback needs a ticket",
                "roll back a bad release",
                "rollback required a ticket to another team",
                "one-click rollback",
            ),
            (
                "Staging environment broken",
                "test a release candidate",
                "staging was down for a day",
                "an environment per pull request",
            ),
        ],
        "local_env" => [
            (
                "Local setup fails on a new laptop",
                "run the service locally",
                "the setup script failed on missing secrets",
                "a dev container that just works",
            ),
            (
                "Local database seed is outdated",
                "reproduce a bug locally",
                "the seed data no longer matches production shapes",
                "fresh anonymised seed data",
            ),
            (
                "Docker compose eats all memory",
                "run three services together",
                "the laptop ran out of memory",
                "lighter local dependencies",
            ),
        ],
        "docs" => [
            (
                "Internal API docs out of date",
                "call the accounts API",
                "the documented fields no longer exist",
                "docs generated from the API",
            ),
            ("No runbook for the queue service", "fix a stuck queue", "there was no runbook", "a runbook per service"),
            (
                "Can't find the architecture decision",
                "understand why we chose this design",
                "the decision record was nowhere",
                "searchable decision records",
            ),
        ],
        "on_call" => [
            (
                "Paged at night for a non-urgent alert",
                "sleep",
                "a warning-level alert paged me at 3am",
                "only actionable alerts page",
            ),
            (
                "On-call handover missing context",
                "pick up an ongoing incident",
                "the handover had no notes",
                "a handover template",
            ),
            (
                "Alert storm during deploys",
                "deploy a service",
                "fifty alerts fired during a normal deploy",
                "alerts silenced during deploys",
            ),
        ],
        "debugging" => [
            (
                "Logs not searchable across services",
                "trace a failed request",
                "logs of each service are separate",
                "traces across services",
            ),
            (
                "No access to production metrics",
                "check a latency regression",
                "metrics need an access request",
                "read access for engineers",
            ),
            (
                "Stack traces stripped in production",
                "debug a crash",
                "the stack trace was truncated",
                "full stack traces",
            ),
        ],
        "code_review" => [
            (
                "Pull request waited two days for review",
                "get a change reviewed",
                "no reviewer picked it up",
                "a review within a day",
            ),
            (
                "Review bounced on style nits",
                "merge a feature",
                "three rounds on formatting",
                "formatting enforced by tooling",
            ),
            (
                "No reviewer with domain knowledge",
                "change the billing rules",
                "nobody on the team knows the module",
                "a known owner per module",
            ),
        ],
        "cross_team" => [
            (
                "Waiting on another team's API change",
                "ship a feature",
                "blocked for a week on another team's backlog",
                "a clear way to request changes",
            ),
            (
                "Unclear service ownership",
                "report a bug in a dependency",
                "nobody knew which team owns it",
                "a service catalogue",
            ),
            (
                "Shared library breaking changes",
                "upgrade a dependency",
                "a minor version broke our build",
                "semantic versioning followed",
            ),
        ],
        _ => [
            (
                "Interrupted by ad-hoc requests",
                "finish a planned task",
                "four interruptions in one morning",
                "a rotation for ad-hoc requests",
            ),
            (
                "Priorities changed mid-sprint",
                "finish the sprint goal",
                "priorities changed twice in a week",
                "stable priorities within a sprint",
            ),
            ("Too many meetings", "get a block of focus time", "meetings every hour", "meeting-free afternoons"),
        ],
    };
    options[variant % 3]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_quarterly_and_closed_before_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let dates = cycle_dates(today, 4);
        assert_eq!(dates.len(), 4);
        assert!(dates.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(dates.iter().all(|(o, c)| *c < today && (*c - *o).num_days() == 14));
        assert_eq!(dates[3].0, NaiveDate::from_ymd_opt(2026, 10, 7).unwrap());
    }

    #[test]
    fn trends_move_the_right_way() {
        assert!(trend("ci", 3, 4) > trend("ci", 0, 4));
        assert!(trend("on_call", 3, 4) < trend("on_call", 0, 4));
        assert_eq!(trend("planning", 3, 4), 0.0);
    }
}
