//! Teams and their members.

use super::{Page, PageParams, StoreError, StoreResult, audit, new_id, outbox};
use crate::domain::{Email, EmailKind, FieldError, Lang, Slug, TeamKind};
use crate::email::Emails;
use crate::entities::{member, team};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use std::collections::HashMap;

/// A new team, parsed.
pub struct NewTeam {
    pub slug: Slug,
    pub name: String,
    pub group_name: Option<String>,
    pub kind: TeamKind,
}

impl NewTeam {
    /// Parses a new team as typed (API or console); the kind defaults to stream-aligned.
    pub fn parse(slug: &str, name: &str, group_name: Option<&str>, kind: Option<&str>) -> Result<NewTeam, FieldError> {
        Ok(NewTeam {
            slug: Slug::parse("slug", slug)?,
            name: crate::domain::required_text("name", name, 200)?,
            group_name: crate::domain::optional_text("group_name", group_name, 200)?,
            kind: match kind.map(str::trim).filter(|k| !k.is_empty()) {
                None => TeamKind::StreamAligned,
                Some(k) => TeamKind::parse("kind", k)?,
            },
        })
    }
}

/// A team with its number of active members.
pub struct TeamRow {
    pub team: team::Model,
    pub members: i64,
}

pub async fn create(conn: &DatabaseConnection, actor: &str, new: NewTeam) -> StoreResult<team::Model> {
    let txn = crate::store::begin_write(conn).await?;
    let exists = team::Entity::find().filter(team::Column::Slug.eq(new.slug.as_str())).one(&txn).await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!("a team with slug {:?} already exists", new.slug.as_str())));
    }
    let row = team::ActiveModel {
        team_id: Set(new_id()),
        slug: Set(new.slug.into_string()),
        name: Set(new.name),
        group_name: Set(new.group_name),
        kind: Set(new.kind),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, actor, "team.create", "team", &row.team_id, json!({"slug": row.slug, "name": row.name}))
        .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn by_slug(conn: &impl ConnectionTrait, slug: &str) -> StoreResult<team::Model> {
    team::Entity::find()
        .filter(team::Column::Slug.eq(slug))
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no team with slug {slug:?}")))
}

/// Every team, by slug: for pickers and the console's list.
pub async fn all(conn: &impl ConnectionTrait) -> StoreResult<Vec<team::Model>> {
    Ok(team::Entity::find().order_by_asc(team::Column::Slug).all(conn).await?)
}

/// The team a request names in `field`: an unknown one is invalid input.
pub async fn known(conn: &impl ConnectionTrait, field: &str, slug: &str) -> StoreResult<team::Model> {
    by_slug(conn, slug).await.map_err(|e| match e {
        StoreError::NotFound(_) => crate::domain::FieldError::new(field, format!("unknown team {slug:?}")).into(),
        other => other,
    })
}

/// Active member counts for the given teams.
async fn member_counts(conn: &impl ConnectionTrait, team_ids: Vec<String>) -> StoreResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = member::Entity::find()
        .select_only()
        .column(member::Column::TeamId)
        .column_as(member::Column::MemberId.count(), "n")
        .filter(member::Column::TeamId.is_in(team_ids))
        .filter(member::Column::Active.eq(true))
        .group_by(member::Column::TeamId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

pub async fn list(conn: &impl ConnectionTrait, page: &PageParams) -> StoreResult<Page<TeamRow>> {
    let mut q = team::Entity::find().order_by_asc(team::Column::Slug);
    if let Some(after) = &page.after {
        q = q.filter(team::Column::Slug.gt(after.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    let page = Page::from_rows(rows, page, |t| t.slug.clone());
    let counts = member_counts(conn, page.items.iter().map(|t| t.team_id.clone()).collect()).await?;
    Ok(page.map(|team| TeamRow { members: counts.get(&team.team_id).copied().unwrap_or(0), team }))
}

pub async fn get(conn: &impl ConnectionTrait, slug: &str) -> StoreResult<TeamRow> {
    let team = by_slug(conn, slug).await?;
    let counts = member_counts(conn, vec![team.team_id.clone()]).await?;
    Ok(TeamRow { members: counts.get(&team.team_id).copied().unwrap_or(0), team })
}

/// Members of a team (active and not), by email.
pub async fn members(conn: &impl ConnectionTrait, slug: &str, page: &PageParams) -> StoreResult<Page<member::Model>> {
    let team = by_slug(conn, slug).await?;
    let mut q =
        member::Entity::find().filter(member::Column::TeamId.eq(team.team_id)).order_by_asc(member::Column::Email);
    if let Some(after) = &page.after {
        q = q.filter(member::Column::Email.gt(after.as_str()));
    }
    let rows = q.limit(page.limit + 1).all(conn).await?;
    Ok(Page::from_rows(rows, page, |m| m.email.clone()))
}

/// What adding a member did.
pub enum Added {
    Created(member::Model),
    /// A deactivated member with this email was reactivated (and moved here).
    Reactivated(member::Model),
}

/// Adds `email` to the team and queues the welcome email holding the member's
/// personal page link, in one transaction.
pub async fn add_member(
    conn: &DatabaseConnection,
    emails: &Emails,
    actor: &str,
    slug: &str,
    email: &Email,
    joining: Joining,
) -> StoreResult<Added> {
    let txn = crate::store::begin_write(conn).await?;
    let team = by_slug(&txn, slug).await?;
    let added = add_member_in(&txn, emails, actor, &team, email, joining).await?;
    txn.commit().await?;
    Ok(added)
}

/// [`add_member`] inside a transaction the caller commits (CSV import adds
/// many at once, all or none).
pub async fn add_member_in(
    txn: &DatabaseTransaction,
    emails: &Emails,
    actor: &str,
    team: &team::Model,
    email: &Email,
    joining: Joining,
) -> StoreResult<Added> {
    let Joining { lead, lang } = joining;
    let existing = member::Entity::find().filter(member::Column::Email.eq(email.as_str())).one(txn).await?;
    let added = match existing {
        Some(m) if m.active => {
            let where_ = if m.team_id == team.team_id { "this team".to_string() } else { "another team".to_string() };
            return Err(StoreError::Conflict(format!("{email} is already an active member of {where_}")));
        }
        Some(m) => {
            let mut active = m.into_active_model();
            active.active = Set(true);
            active.lead = Set(lead);
            if lang.is_some() {
                active.lang = Set(lang);
            }
            active.team_id = Set(team.team_id.clone());
            Added::Reactivated(active.update(txn).await?)
        }
        None => Added::Created({
            let member_id = new_id();
            member::ActiveModel {
                member_id: Set(member_id.clone()),
                team_id: Set(team.team_id.clone()),
                email: Set(email.to_string()),
                active: Set(true),
                token_hash: Set(super::members::first_token_hash(emails.link_key(), &member_id)),
                token_version: Set(1),
                lead: Set(lead),
                lang: Set(lang),
                created_at: Set(Utc::now()),
            }
            .insert(txn)
            .await?
        }),
    };
    let m = match &added {
        Added::Created(m) | Added::Reactivated(m) => m,
    };
    let rendered = emails
        .welcome(&team.name, &emails.member_token(m), emails.lang_of(m))
        .map_err(StoreError::render("welcome"))?;
    outbox::enqueue(txn, EmailKind::Welcome, &m.email, rendered, emails.message_domain()).await?;
    let action = if matches!(added, Added::Created(_)) { "member.add" } else { "member.reactivate" };
    audit::record(txn, actor, action, "member", &m.member_id, json!({"team": team.slug, "lead": lead})).await?;
    Ok(added)
}

/// How a person joins a team: as its lead or not, in a language or the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Joining {
    pub lead: bool,
    pub lang: Option<Lang>,
}

/// A change to a member: any of these (`lang: Some(None)` goes back to the default).
#[derive(Debug, Clone, Default)]
pub struct MemberChange {
    pub lead: Option<bool>,
    pub active: Option<bool>,
    pub lang: Option<Option<Lang>>,
}

/// Changes a member of the team (lead, active), audited.
pub async fn update_member(
    conn: &DatabaseConnection,
    actor: &str,
    slug: &str,
    email: &Email,
    change: MemberChange,
) -> StoreResult<member::Model> {
    let txn = crate::store::begin_write(conn).await?;
    let team = by_slug(&txn, slug).await?;
    let m = member::Entity::find()
        .filter(member::Column::Email.eq(email.as_str()))
        .filter(member::Column::TeamId.eq(team.team_id))
        .one(&txn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("{email} is not a member of team {slug:?}")))?;
    let mut row = m.into_active_model();
    if let Some(lead) = change.lead {
        row.lead = Set(lead);
    }
    if let Some(active) = change.active {
        row.active = Set(active);
    }
    if let Some(lang) = change.lang {
        row.lang = Set(lang);
    }
    let m = row.update(&txn).await?;
    let action = match (change.active, change.lead) {
        (Some(false), None) => "member.deactivate",
        (Some(true), None) => "member.reactivate",
        _ => "member.update",
    };
    let detail = json!({"team": slug, "lead": change.lead, "active": change.active, "lang": change.lang});
    audit::record(&txn, actor, action, "member", &m.member_id, detail).await?;
    txn.commit().await?;
    Ok(m)
}

/// Deactivates a member of the team: they get no more invitations, and their
/// personal link stops working. Their past answers stay (they are anonymous).
pub async fn deactivate_member(
    conn: &DatabaseConnection,
    actor: &str,
    slug: &str,
    email: &Email,
) -> StoreResult<member::Model> {
    update_member(conn, actor, slug, email, MemberChange { active: Some(false), ..Default::default() }).await
}

/// The slug of a team by its id.
pub async fn slug_of(conn: &impl ConnectionTrait, team_id: &str) -> StoreResult<String> {
    team::Entity::find_by_id(team_id.to_string())
        .one(conn)
        .await?
        .map(|t| t.slug)
        .ok_or_else(|| StoreError::NotFound(format!("no team {team_id:?}")))
}
