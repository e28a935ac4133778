//! The demo's teams and members: groups, sizes (a couple under k), and how
//! each team tends to answer.

use super::texts::{FIRST, GROUPS, LAST, TEAM_NAMES};
use super::{Demo, at, insert_chunks, normal};
use crate::domain::TeamKind;
use crate::entities::{member, team};
use crate::store::{StoreResult, new_id};
use rand::Rng;
use sea_orm::{DatabaseTransaction, Set};

/// A demo team and how its people answer.
pub struct DemoTeam {
    pub id: String,
    pub group: String,
    /// Shift of every answer of the team.
    pub offset: f64,
    /// Shift per area, in the order of the demo's areas.
    pub area_offset: Vec<f64>,
    pub response_rate: f64,
    pub platform: bool,
    pub members: Vec<String>,
}

/// The organisation: its teams and how many groups and people it has.
pub struct Org {
    pub teams: Vec<DemoTeam>,
    pub groups: usize,
    pub people: usize,
}

fn team_sizes(demo: &mut Demo, n_teams: usize) -> Vec<u32> {
    let mut sizes: Vec<u32> = (0..n_teams).map(|_| demo.rng.random_range(5..=12)).collect();
    // A couple of small teams whose results stay hidden below k.
    for i in [1usize, 6] {
        if i < n_teams && n_teams > 3 {
            sizes[i] = 5;
        }
    }
    if let Some(people) = demo.opts.people {
        let total: u32 = sizes.iter().sum();
        sizes = sizes.iter().map(|s| ((*s as f64) * people as f64 / total as f64).round().max(1.0) as u32).collect();
    }
    sizes
}

fn kind(platform: bool, name: &str) -> TeamKind {
    match (platform, name) {
        (_, "Enablement") => TeamKind::Enabling,
        (true, _) => TeamKind::Platform,
        (_, "Fraud Detection" | "Pricing" | "Risk") => TeamKind::ComplicatedSubsystem,
        _ => TeamKind::StreamAligned,
    }
}

/// The `person`-th demo email address.
fn email(person: usize) -> String {
    let cycle = FIRST.len() * LAST.len();
    format!(
        "{}.{}{}@example.com",
        FIRST[person % FIRST.len()],
        LAST[(person / FIRST.len() + person) % LAST.len()],
        if person >= cycle { (person / cycle).to_string() } else { String::new() }
    )
}

/// Creates the teams and their members.
pub async fn create(demo: &mut Demo, txn: &DatabaseTransaction) -> StoreResult<Org> {
    let n_teams = demo.opts.teams as usize;
    let groups = if n_teams <= 8 { 3 } else { 4 };
    let sizes = team_sizes(demo, n_teams);
    let (mut teams, mut team_rows, mut member_rows) = (Vec::new(), Vec::new(), Vec::new());
    let mut person = 0usize;
    for (i, size) in sizes.iter().enumerate() {
        let group = GROUPS[if groups == 3 { i % 3 } else { i % 4 }];
        let platform = group == "Core Platform";
        let name = if i < TEAM_NAMES.len() { TEAM_NAMES[i].to_string() } else { format!("Team {}", i + 1) };
        let id = new_id();
        team_rows.push(team::ActiveModel {
            team_id: Set(id.clone()),
            slug: Set(name.to_lowercase().replace(' ', "-")),
            kind: Set(kind(platform, &name)),
            name: Set(name),
            group_name: Set(Some(group.to_string())),
            created_at: Set(at(demo.org_start, 9)),
        });
        let mut members = Vec::new();
        for n in 0..*size {
            let member_id = new_id();
            member_rows.push(member::ActiveModel {
                member_id: Set(member_id.clone()),
                team_id: Set(id.clone()),
                email: Set(email(person)),
                active: Set(true),
                token_hash: Set(crate::store::members::first_token_hash(&demo.link_key, &member_id)),
                token_version: Set(1),
                // The first member of each team leads it.
                lead: Set(n == 0),
                // Every fourth person reads devpulse in German.
                lang: Set((person % 4 == 3).then_some(crate::domain::Lang::De)),
                created_at: Set(at(demo.org_start, 10)),
            });
            person += 1;
            members.push(member_id);
        }
        teams.push(DemoTeam {
            id,
            group: group.to_string(),
            offset: normal(&mut demo.rng) * 0.3,
            area_offset: demo.area_ids.iter().map(|_| normal(&mut demo.rng) * 0.3).collect(),
            response_rate: if *size <= 5 { 0.6 } else { demo.rng.random_range(0.62..0.95) },
            platform,
            members,
        });
    }
    insert_chunks(txn, team_rows).await?;
    insert_chunks(txn, member_rows).await?;
    Ok(Org { teams, groups, people: person })
}
