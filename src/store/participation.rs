//! Who has answered a cycle while it is open: counts only, and team rows
//! only where k and the differencing guard allow.

use super::StoreResult;
use crate::domain::CycleStatus;
use crate::entities::{cycle, invitation, survey, team};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// Participation of one team in a cycle.
#[derive(serde::Serialize, Debug, Clone)]
pub struct TeamParticipation {
    pub slug: String,
    pub invited: i64,
    pub responded: i64,
}

/// Participation of a cycle: totals, and the teams with at least k responses.
#[derive(Debug, Clone)]
pub struct Participation {
    pub invited: i64,
    pub responded: i64,
    pub teams: Vec<TeamParticipation>,
    /// Teams left out because fewer than k of them responded.
    pub hidden_teams: usize,
}

pub async fn participation(conn: &impl ConnectionTrait, cycle_id: &str, k: u32) -> StoreResult<Participation> {
    let count_by_team = |used_only: bool| async move {
        let mut q = invitation::Entity::find()
            .select_only()
            .column(invitation::Column::TeamId)
            .column_as(invitation::Column::InvitationId.count(), "n")
            .filter(invitation::Column::CycleId.eq(cycle_id))
            .group_by(invitation::Column::TeamId);
        if used_only {
            q = q.filter(invitation::Column::Used.eq(true));
        }
        q.into_tuple::<(String, i64)>().all(conn).await
    };
    let invited: HashMap<String, i64> = count_by_team(false).await?.into_iter().collect();
    let responded: HashMap<String, i64> = count_by_team(true).await?.into_iter().collect();
    let slugs: HashMap<String, String> = team::Entity::find()
        .filter(team::Column::TeamId.is_in(invited.keys().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.team_id, t.slug))
        .collect();
    // Team rows only where k allows, with the differencing guard: the hidden
    // teams' total must not be 1..k-1, or it could be worked out from the totals.
    let rows: Vec<(String, i64, i64)> = invited
        .iter()
        .map(|(team_id, inv)| {
            (slugs.get(team_id).cloned().unwrap_or_default(), *inv, responded.get(team_id).copied().unwrap_or(0))
        })
        .collect();
    let children: Vec<(String, u64)> = rows.iter().map(|(slug, _, resp)| (slug.clone(), *resp as u64)).collect();
    let hidden = analysis::guard(&children, k);
    let mut teams = Vec::new();
    let mut hidden_teams = 0;
    for ((slug, inv, resp), h) in rows.into_iter().zip(hidden) {
        if h.is_none() {
            teams.push(TeamParticipation { slug, invited: inv, responded: resp });
        } else {
            hidden_teams += 1;
        }
    }
    teams.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(Participation { invited: invited.values().sum(), responded: responded.values().sum(), teams, hidden_teams })
}

/// Cycles taking answers now, with their survey's title, soonest to close first.
pub async fn open_cycles(conn: &impl ConnectionTrait) -> StoreResult<Vec<(cycle::Model, String)>> {
    let cycles = cycle::Entity::find().filter(cycle::Column::Status.eq(CycleStatus::Open.as_str())).all(conn).await?;
    let titles: HashMap<String, String> = survey::Entity::find()
        .filter(survey::Column::SurveyId.is_in(cycles.iter().map(|c| c.survey_id.clone())))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.survey_id, s.title))
        .collect();
    let mut out: Vec<(cycle::Model, String)> = cycles
        .into_iter()
        .map(|c| (titles.get(&c.survey_id).cloned().unwrap_or_default(), c))
        .map(|(t, c)| (c, t))
        .collect();
    out.sort_by_key(|(c, _)| c.closes_on);
    Ok(out)
}

/// Closed cycles with their survey's title, latest close first.
pub async fn closed_cycles(conn: &impl ConnectionTrait) -> StoreResult<Vec<(cycle::Model, String)>> {
    use sea_orm::QueryOrder;
    let cycles = cycle::Entity::find()
        .filter(cycle::Column::Status.eq(CycleStatus::Closed.as_str()))
        .order_by_desc(cycle::Column::ClosesOn)
        .order_by_desc(cycle::Column::CycleId)
        .all(conn)
        .await?;
    let titles: HashMap<String, String> =
        survey::Entity::find().all(conn).await?.into_iter().map(|s| (s.survey_id, s.title)).collect();
    Ok(cycles
        .into_iter()
        .map(|c| (titles.get(&c.survey_id).cloned().unwrap_or_default(), c))
        .map(|(t, c)| (c, t))
        .collect())
}

/// The latest closed cycle's id, if any.
pub async fn latest_closed(conn: &impl ConnectionTrait) -> StoreResult<Option<String>> {
    Ok(closed_cycles(conn).await?.into_iter().next().map(|(c, _)| c.cycle_id))
}
