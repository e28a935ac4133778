//! A member's own view: found by their personal token.

use super::StoreResult;
use super::invitations::{hash_token, looks_like_token, member_token_for};
use crate::domain::CycleStatus;
use crate::entities::friction_report;
use crate::entities::{cycle, invitation, member, survey, team};
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};

/// A member with their team's name.
pub struct MemberView {
    pub member: member::Model,
    pub team_name: String,
}

/// A member's language, if they have one.
pub async fn lang(conn: &impl ConnectionTrait, member_id: &str) -> StoreResult<Option<crate::domain::Lang>> {
    use sea_orm::QuerySelect;
    let lang = member::Entity::find_by_id(member_id.to_string())
        .select_only()
        .column(member::Column::Lang)
        .into_tuple::<Option<crate::domain::Lang>>()
        .one(conn)
        .await?;
    Ok(lang.flatten())
}

/// The personal token of `m`, for links in emails (derived, never stored).
pub fn token_of(key: &str, m: &member::Model) -> String {
    member_token_for(key, &m.member_id, m.token_version)
}

/// What a new member row stores for its first token.
pub fn first_token_hash(key: &str, member_id: &str) -> String {
    hash_token(&member_token_for(key, member_id, 1))
}

/// Replaces the clear tokens of rows written before tokens were hashed
/// (`token_version = 0`) with the hash of a derived token. Idempotent, and
/// the same on every instance (the key is shared), so instances starting at
/// once agree.
pub async fn upgrade_tokens(db: &DatabaseConnection, key: &str) -> StoreResult<u64> {
    let legacy = member::Entity::find().filter(member::Column::TokenVersion.eq(0)).all(db).await?;
    let mut upgraded = 0;
    for m in legacy {
        upgraded += member::Entity::update_many()
            .col_expr(member::Column::TokenHash, Expr::value(first_token_hash(key, &m.member_id)))
            .col_expr(member::Column::TokenVersion, Expr::value(1))
            .filter(member::Column::MemberId.eq(m.member_id.as_str()))
            .filter(member::Column::TokenVersion.eq(0))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(upgraded)
}

/// The personal token of the member with `email`, active or not (for
/// `devpulse member link` and the tests).
pub async fn token_by_email(conn: &impl ConnectionTrait, key: &str, email: &str) -> StoreResult<Option<String>> {
    let m = member::Entity::find().filter(member::Column::Email.eq(email.trim().to_lowercase())).one(conn).await?;
    Ok(m.map(|m| token_of(key, &m)))
}

/// Gives the member a new personal token (the old link stops working) and
/// returns it. The version only moves forward, so two rotations at once
/// leave one valid token.
pub async fn rotate_token(conn: &impl ConnectionTrait, key: &str, m: &member::Model) -> StoreResult<String> {
    let version = m.token_version + 1;
    let token = member_token_for(key, &m.member_id, version);
    let done = member::Entity::update_many()
        .col_expr(member::Column::TokenHash, Expr::value(hash_token(&token)))
        .col_expr(member::Column::TokenVersion, Expr::value(version))
        .filter(member::Column::MemberId.eq(m.member_id.as_str()))
        .filter(member::Column::TokenVersion.eq(m.token_version))
        .exec(conn)
        .await?;
    if done.rows_affected != 1 {
        return Err(super::StoreError::Conflict("this link was just replaced; use the newest email".into()));
    }
    Ok(token)
}

/// Gives `m` a new personal link and emails it to them, in one transaction;
/// returns the new token. The old link stops working at once.
pub async fn renew_link(
    db: &DatabaseConnection,
    emails: &crate::email::Emails,
    m: &member::Model,
) -> StoreResult<String> {
    let txn = super::begin_write(db).await?;
    let token = rotate_token(&txn, emails.link_key(), m).await?;
    let email = emails.new_link(&token, emails.lang_of(m)).map_err(super::StoreError::render("new link"))?;
    super::outbox::enqueue(&txn, crate::domain::EmailKind::NewLink, &m.email, email, emails.message_domain()).await?;
    super::audit::record(&txn, "member", "member.new_link", "member", &m.member_id, serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(token)
}

/// Emails an active member their current personal link again (nothing
/// changes; an unknown or inactive email is a quiet no-op for the caller to
/// decide about). Returns whether an email was queued.
pub async fn resend_link(
    db: &DatabaseConnection,
    emails: &crate::email::Emails,
    actor: &str,
    email: &str,
) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let m = member::Entity::find()
        .filter(member::Column::Email.eq(email.trim().to_lowercase()))
        .filter(member::Column::Active.eq(true))
        .one(&txn)
        .await?
        .ok_or_else(|| super::StoreError::NotFound(format!("no active member {email}")))?;
    let rendered = emails
        .your_link(&emails.member_token(&m), emails.lang_of(&m))
        .map_err(super::StoreError::render("your link"))?;
    super::outbox::enqueue(&txn, crate::domain::EmailKind::YourLink, &m.email, rendered, emails.message_domain())
        .await?;
    super::audit::record(&txn, actor, "member.resend_link", "member", &m.member_id, serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(())
}

/// The active member whose personal token is `token`.
pub async fn by_token(conn: &impl ConnectionTrait, token: &str) -> StoreResult<Option<MemberView>> {
    if !looks_like_token(token) {
        return Ok(None);
    }
    let Some(m) = member::Entity::find()
        .filter(member::Column::TokenHash.eq(hash_token(token)))
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

/// An invitation of the member, with its cycle and the survey's title.
#[derive(Debug, Clone)]
pub struct Invited {
    pub invitation: invitation::Model,
    pub cycle: cycle::Model,
    pub survey_title: String,
}

/// The member's invitations to the cycles that meet `cycles`, by opening date.
pub async fn invitations(conn: &impl ConnectionTrait, member_id: &str, cycles: Condition) -> StoreResult<Vec<Invited>> {
    let invs = invitation::Entity::find().filter(invitation::Column::MemberId.eq(member_id)).all(conn).await?;
    let cycles = cycle::Entity::find()
        .filter(cycle::Column::CycleId.is_in(invs.iter().map(|i| i.cycle_id.clone())))
        .filter(cycles)
        .order_by_asc(cycle::Column::OpensOn)
        .all(conn)
        .await?;
    let surveys = survey::Entity::find()
        .filter(survey::Column::SurveyId.is_in(cycles.iter().map(|c| c.survey_id.clone())))
        .all(conn)
        .await?;
    Ok(cycles
        .into_iter()
        .filter_map(|c| {
            let invitation = invs.iter().find(|i| i.cycle_id == c.cycle_id)?.clone();
            let survey_title = surveys.iter().find(|s| s.survey_id == c.survey_id)?.title.clone();
            Some(Invited { invitation, cycle: c, survey_title })
        })
        .collect())
}

/// The member's invitations to cycles that take answers on `today`.
pub async fn open_invitations(
    conn: &impl ConnectionTrait,
    member_id: &str,
    today: NaiveDate,
) -> StoreResult<Vec<OpenInvitation>> {
    let open = Condition::all()
        .add(cycle::Column::Status.eq(CycleStatus::Open.as_str()))
        .add(cycle::Column::OpensOn.lte(today))
        .add(cycle::Column::ClosesOn.gt(today));
    let mut out: Vec<OpenInvitation> = invitations(conn, member_id, open)
        .await?
        .into_iter()
        .map(|i| OpenInvitation {
            invitation_id: i.invitation.invitation_id,
            survey_title: i.survey_title,
            closes_on: i.cycle.closes_on,
            used: i.invitation.used,
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
            .filter(friction_report::Column::Status.is_not_in(crate::domain::FrictionStatus::closed_strs()))
            .count(conn)
            .await?,
    })
}
