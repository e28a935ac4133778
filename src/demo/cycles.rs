//! The demo's DevEx survey and its closed cycles: invitations, and answers
//! that differ by team and area and move over time.

use super::org::{DemoTeam, Org};
use super::texts::{base_score, comment, trend};
use super::{Demo, at, insert_chunks, normal, weighted};
use crate::domain::{Cadence, CycleStatus, QuestionKind, devex};
use crate::entities::{answer, cycle, cycle_team, invitation, question, response, survey};
use crate::store::{StoreResult, hash_secret, new_id};
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand::seq::SliceRandom;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};

/// The survey's id and its questions (id, template question).
pub struct DemoSurvey {
    pub survey_id: String,
    pub questions: Vec<(String, devex::TemplateQuestion)>,
}

/// Creates the default DevEx survey.
pub async fn survey(demo: &Demo, txn: &DatabaseTransaction) -> StoreResult<DemoSurvey> {
    let survey_id = new_id();
    survey::ActiveModel {
        survey_id: Set(survey_id.clone()),
        title: Set(devex::TITLE.to_string()),
        description: Set(devex::DESCRIPTION.to_string()),
        cadence: Set(Cadence::Quarterly),
        open_days: Set(14),
        reminder_days: Set("3,7".to_string()),
        active: Set(true),
        created_at: Set(at(demo.org_start, 11)),
    }
    .insert(txn)
    .await?;
    let mut questions = Vec::new();
    let mut rows = Vec::new();
    for (pos, q) in devex::QUESTIONS.iter().enumerate() {
        let id = new_id();
        rows.push(question::ActiveModel {
            question_id: Set(id.clone()),
            survey_id: Set(survey_id.clone()),
            position: Set(pos as i32 + 1),
            kind: Set(q.kind),
            area_id: Set(q.area_id.map(str::to_string)),
            prompt: Set(q.prompt.to_string()),
            required: Set(q.required),
            retired: Set(false),
        });
        questions.push((id, *q));
    }
    insert_chunks(txn, rows).await?;
    Ok(DemoSurvey { survey_id, questions })
}

/// Rows of one cycle, collected before they are inserted.
#[derive(Default)]
struct CycleRows {
    links: Vec<cycle_team::ActiveModel>,
    invitations: Vec<invitation::ActiveModel>,
    responses: Vec<response::ActiveModel>,
    answers: Vec<Vec<answer::ActiveModel>>,
}

/// Creates the closed cycles; returns (responses, answers) stored.
pub async fn closed_cycles(
    demo: &mut Demo,
    txn: &DatabaseTransaction,
    org: &Org,
    s: &DemoSurvey,
) -> StoreResult<(usize, usize)> {
    let (mut n_responses, mut n_answers) = (0, 0);
    let dates = demo.cycles_dates.clone();
    for (c, (opens_on, closes_on)) in dates.iter().enumerate() {
        demo.progress.step(&format!("cycle {} of {}", c + 1, dates.len()));
        let cycle_id = new_id();
        cycle::ActiveModel {
            cycle_id: Set(cycle_id.clone()),
            survey_id: Set(s.survey_id.clone()),
            opens_on: Set(*opens_on),
            closes_on: Set(*closes_on),
            status: Set(CycleStatus::Closed),
            opened_at: Set(Some(at(*opens_on, 8))),
            closed_at: Set(Some(at(*closes_on + Duration::days(1), 0))),
            // Past cycles: their "results are out" emails went long ago.
            results_mailed_at: Set(Some(at(*closes_on + Duration::days(1), 0))),
            created_at: Set(at(*opens_on - Duration::days(7), 9)),
        }
        .insert(txn)
        .await?;
        let mut rows = CycleRows::default();
        for t in &org.teams {
            rows.links.push(cycle_team::ActiveModel {
                cycle_id: Set(cycle_id.clone()),
                team_id: Set(t.id.clone()),
                group_name: Set(Some(t.group.clone())),
            });
            for m in &t.members {
                invite(
                    demo,
                    &mut rows,
                    Invite { survey: s, team: t, member: m, cycle_id: &cycle_id, c },
                    (*opens_on, *closes_on),
                );
            }
        }
        // Responses and their answers are stored in random order, so row order
        // cannot be matched to the invitations (which are in member order).
        let mut pairs: Vec<_> = rows.responses.into_iter().zip(rows.answers).collect();
        pairs.shuffle(&mut demo.rng);
        let (responses, answers): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
        let answers: Vec<answer::ActiveModel> = answers.into_iter().flatten().collect();
        n_responses += responses.len();
        n_answers += answers.len();
        insert_chunks(txn, rows.links).await?;
        insert_chunks(txn, rows.invitations).await?;
        insert_chunks(txn, responses).await?;
        insert_chunks(txn, answers).await?;
        crate::store::counts::fill(txn, &cycle_id).await?;
    }
    Ok((n_responses, n_answers))
}

/// Who is invited to which cycle.
struct Invite<'a> {
    survey: &'a DemoSurvey,
    team: &'a DemoTeam,
    member: &'a str,
    cycle_id: &'a str,
    /// The cycle's number (0 = oldest), for the trend of answers.
    c: usize,
}

/// A member's invitation to a closed cycle, and their answers if they responded.
fn invite(demo: &mut Demo, rows: &mut CycleRows, i: Invite<'_>, (opens_on, closes_on): (NaiveDate, NaiveDate)) {
    let used = demo.rng.random::<f64>() < i.team.response_rate;
    rows.invitations.push(invitation::ActiveModel {
        invitation_id: Set(new_id()),
        cycle_id: Set(i.cycle_id.to_string()),
        member_id: Set(Some(i.member.to_string())),
        team_id: Set(i.team.id.clone()),
        token_hash: Set(Some(hash_secret(&crate::store::random_token(24)))),
        used: Set(used),
        reminders_sent: Set(if used { demo.rng.random_range(0..=1) } else { 2 }),
        last_reminded_on: Set(Some(opens_on + Duration::days(7))),
    });
    if used {
        respond(demo, rows, &i, opens_on, closes_on);
    }
}

/// A response to cycle `i` submitted between `from` and `to`, with its answers.
fn respond(demo: &mut Demo, rows: &mut CycleRows, i: &Invite<'_>, from: NaiveDate, to: NaiveDate) {
    let (s, t, cycle_id, c) = (i.survey, i.team, i.cycle_id, i.c);
    let (opens_on, closes_on) = (from, to);
    let response_id = new_id();
    let day = demo.rng.random_range(0..=(closes_on - opens_on).num_days());
    rows.responses.push(response::ActiveModel {
        response_id: Set(response_id.clone()),
        cycle_id: Set(cycle_id.to_string()),
        team_id: Set(Some(t.id.clone())),
        submitted_on: Set(opens_on + Duration::days(day)),
    });
    rows.answers.push(answers(demo, s, t, &response_id, c));
}

/// One response's answers: likert scores from the area's baseline, the
/// team, its trend over cycles; picks of the worst areas; hours; sometimes a comment.
fn answers(demo: &mut Demo, s: &DemoSurvey, t: &DemoTeam, response_id: &str, c: usize) -> Vec<answer::ActiveModel> {
    let n_cycles = demo.cycles_dates.len() as u32;
    let mut scores = Vec::new();
    for (i, area) in demo.area_ids.iter().enumerate() {
        let platform_on_call = if t.platform && *area == "on_call" { -0.6 } else { 0.0 };
        let mu = base_score(area) + t.offset + t.area_offset[i] + trend(area, c as u32, n_cycles) + platform_on_call;
        let v = (mu + normal(&mut demo.rng) * 0.85).round().clamp(1.0, 5.0);
        scores.push((*area, v));
    }
    let mut pick_weights: Vec<(&str, f64)> = scores.iter().map(|(a, v)| (*a, (5.5 - v).powi(2))).collect();
    let mut out = Vec::new();
    for (qid, q) in &s.questions {
        let mut push = |value: Option<f64>, choice: Option<String>, text: Option<String>| {
            out.push(answer::ActiveModel {
                answer_id: Set(new_id()),
                response_id: Set(response_id.to_string()),
                question_id: Set(qid.clone()),
                value_num: Set(value),
                choice: Set(choice),
                text_value: Set(text),
                hidden: Set(false),
            });
        };
        let rng = &mut demo.rng;
        match q.kind {
            QuestionKind::Likert5 => {
                push(scores.iter().find(|(a, _)| Some(*a) == q.area_id).map(|(_, v)| *v), None, None)
            }
            QuestionKind::PriorityPick if rng.random::<f64>() < 0.85 => {
                let picks = *weighted(rng, &[(1usize, 0.15), (2, 0.25), (3, 0.6)]);
                for _ in 0..picks {
                    let area = weighted(rng, &pick_weights).to_string();
                    pick_weights.retain(|(a, _)| *a != area);
                    push(None, Some(area), None);
                }
            }
            QuestionKind::Hours if rng.random::<f64>() < 0.9 => {
                let mean = scores.iter().map(|(_, v)| v).sum::<f64>() / scores.len() as f64;
                let h = (2.0 + (3.2 - mean) * 3.0 + normal(rng) * 1.5).round().clamp(0.0, 40.0);
                push(Some(h), None, None);
            }
            QuestionKind::Text if rng.random::<f64>() < 0.15 => {
                let worst = scores.iter().min_by(|a, b| a.1.total_cmp(&b.1)).map(|s| s.0).unwrap_or("ci");
                // A phrasing picked from the scores (no extra draw: the same seed, the same organisation).
                let variant = scores.iter().map(|(_, v)| (v * 10.0) as usize).sum::<usize>();
                push(None, None, Some(comment(worst, variant).to_string()));
            }
            _ => {}
        }
    }
    out
}

/// The cycle taking answers now (opened three days ago, for two weeks): its
/// invitations carry real links (so a member's page leads to the form), and
/// about a third of the people have answered already. Returns its responses.
pub async fn open_cycle(demo: &mut Demo, txn: &DatabaseTransaction, org: &Org, s: &DemoSurvey) -> StoreResult<usize> {
    let opens_on = demo.today - Duration::days(3);
    let cycle_id = new_id();
    cycle::ActiveModel {
        cycle_id: Set(cycle_id.clone()),
        survey_id: Set(s.survey_id.clone()),
        opens_on: Set(opens_on),
        closes_on: Set(opens_on + Duration::days(14)),
        status: Set(CycleStatus::Open),
        opened_at: Set(Some(at(opens_on, 8))),
        closed_at: Set(None),
        results_mailed_at: Set(None),
        created_at: Set(at(opens_on - Duration::days(7), 9)),
    }
    .insert(txn)
    .await?;
    let mut rows = CycleRows::default();
    let c = demo.cycles_dates.len();
    for t in &org.teams {
        rows.links.push(cycle_team::ActiveModel {
            cycle_id: Set(cycle_id.clone()),
            team_id: Set(t.id.clone()),
            group_name: Set(Some(t.group.clone())),
        });
        for m in &t.members {
            let invitation_id = new_id();
            let token = crate::store::invitations::token_for(&demo.link_key, &invitation_id);
            let used = demo.rng.random::<f64>() < 0.35;
            rows.invitations.push(invitation::ActiveModel {
                invitation_id: Set(invitation_id),
                cycle_id: Set(cycle_id.clone()),
                member_id: Set(Some(m.clone())),
                team_id: Set(t.id.clone()),
                token_hash: Set(Some(hash_secret(&token))),
                used: Set(used),
                reminders_sent: Set(0),
                last_reminded_on: Set(None),
            });
            if used {
                let i = Invite { survey: s, team: t, member: m, cycle_id: &cycle_id, c };
                respond(demo, &mut rows, &i, opens_on, demo.today);
            }
        }
    }
    let mut pairs: Vec<_> = rows.responses.into_iter().zip(rows.answers).collect();
    pairs.shuffle(&mut demo.rng);
    let (responses, answers): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    let n = responses.len();
    insert_chunks(txn, rows.links).await?;
    insert_chunks(txn, rows.invitations).await?;
    insert_chunks(txn, responses).await?;
    insert_chunks(txn, answers.into_iter().flatten().collect::<Vec<_>>()).await?;
    Ok(n)
}
