//! A member's own view: found by their personal token.

use super::StoreResult;
use crate::domain::CycleStatus;
use crate::entities::friction_report;
use crate::entities::{cycle, invitation, member, survey, team};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A member with their team's name.
pub struct MemberView {
    pub member: member::Model,
    pub team_name: String,
}

/// The active member whose personal token is `token`.
pub async fn by_token(conn: &impl ConnectionTrait, token: &str) -> StoreResult<Option<MemberView>> {
    if token.is_empty() || token.len() > 64 {
        return Ok(None);
    }
    let Some(m) = member::Entity::find()
        .filter(member::Column::MemberToken.eq(token))
        .filter(member::Column::Active.eq(true))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let team_name = team::Entity::find_by_id(m.team_id.clone()).one(conn).await?.map(|t| t.name).unwrap_or_default();
    Ok(Some(MemberView { member: m, team_name }))
}

/// An invitation of an open cycle.
pub struct OpenInvitation {
    pub invitation_id: String,
    pub survey_title: String,
    pub closes_on: NaiveDate,
    pub used: bool,
}

/// The member's invitations to cycles that take answers on `today`.
pub async fn open_invitations(
    conn: &impl ConnectionTrait,
    member_id: &str,
    today: NaiveDate,
) -> StoreResult<Vec<OpenInvitation>> {
    let invs = invitation::Entity::find().filter(invitation::Column::MemberId.eq(member_id)).all(conn).await?;
    let cycles = cycle::Entity::find()
        .filter(cycle::Column::CycleId.is_in(invs.iter().map(|i| i.cycle_id.clone())))
        .filter(cycle::Column::Status.eq(CycleStatus::Open.as_str()))
        .filter(cycle::Column::OpensOn.lte(today))
        .filter(cycle::Column::ClosesOn.gt(today))
        .all(conn)
        .await?;
    let surveys = survey::Entity::find()
        .filter(survey::Column::SurveyId.is_in(cycles.iter().map(|c| c.survey_id.clone())))
        .all(conn)
        .await?;
    let mut out: Vec<OpenInvitation> = invs
        .into_iter()
        .filter_map(|i| {
            let c = cycles.iter().find(|c| c.cycle_id == i.cycle_id)?;
            let s = surveys.iter().find(|s| s.survey_id == c.survey_id)?;
            Some(OpenInvitation {
                invitation_id: i.invitation_id,
                survey_title: s.title.clone(),
                closes_on: c.closes_on,
                used: i.used,
            })
        })
        .collect();
    out.sort_by_key(|o| o.closes_on);
    Ok(out)
}

/// Live counts for the front page (no figure about any person or team).
#[derive(Debug, serde::Serialize)]
pub struct InstanceCounts {
    pub teams: u64,
    pub members: u64,
    pub surveys: u64,
    pub open_cycles: u64,
    pub closed_cycles: u64,
    pub open_friction: u64,
}

pub async fn instance_counts(conn: &impl ConnectionTrait) -> StoreResult<InstanceCounts> {
    let cycles =
        |status: CycleStatus| cycle::Entity::find().filter(cycle::Column::Status.eq(status.as_str())).count(conn);
    Ok(InstanceCounts {
        teams: team::Entity::find().count(conn).await?,
        members: member::Entity::find().filter(member::Column::Active.eq(true)).count(conn).await?,
        surveys: survey::Entity::find().count(conn).await?,
        open_cycles: cycles(CycleStatus::Open).await?,
        closed_cycles: cycles(CycleStatus::Closed).await?,
        open_friction: friction_report::Entity::find()
            .filter(friction_report::Column::DuplicateOf.is_null())
            .filter(friction_report::Column::Status.is_not_in(["done", "wont_fix"]))
            .count(conn)
            .await?,
    })
}
