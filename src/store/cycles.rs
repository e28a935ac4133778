//! Survey cycles: creating, opening (invitations and their emails), reminding,
//! closing and scheduling the next one. Every transition is claimed with a
//! conditional update inside the transaction that does its work, so several
//! instances (or a restart half-way) never do anything twice.

use super::surveys;
use super::{StoreError, StoreResult, audit, invitations, new_id, outbox};
use crate::domain::EmailKind;
use crate::domain::{CycleStatus, FieldError};
use crate::email::{Emails, MemberLink};
use crate::entities::{cycle, cycle_team, invitation, member, survey, team};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;

/// What the email-sending parts of a transition need.
pub struct Mailing<'a> {
    pub emails: &'a Emails,
    /// Key of the invitation tokens (see `store::invitations`).
    pub invitation_key: &'a str,
}

/// A new cycle, parsed.
pub struct NewCycle {
    pub opens_on: NaiveDate,
    /// `None`: opens_on plus the survey's open days.
    pub closes_on: Option<NaiveDate>,
    /// Team slugs; `None` means every team with an active member.
    pub teams: Option<Vec<String>>,
}

/// Creates a cycle of a survey; one that opens today or earlier opens at once.
pub async fn create(
    db: &DatabaseConnection,
    mailing: &Mailing<'_>,
    actor: &str,
    survey_id: &str,
    new: NewCycle,
    today: NaiveDate,
) -> StoreResult<cycle::Model> {
    let txn = crate::store::begin_write(db).await?;
    let survey = surveys::get(&txn, survey_id).await?;
    let closes_on = new.closes_on.unwrap_or(new.opens_on + chrono::Duration::days(survey.survey.open_days as i64));
    if closes_on <= new.opens_on {
        return Err(FieldError::new("closes_on", "must be after opens_on").into());
    }
    if closes_on <= today {
        return Err(FieldError::new("closes_on", "must be after today: a cycle cannot be created closed").into());
    }
    let overlapping = cycle::Entity::find()
        .filter(cycle::Column::SurveyId.eq(survey_id))
        .filter(cycle::Column::Status.ne(CycleStatus::Closed.as_str()))
        .filter(cycle::Column::OpensOn.lt(closes_on))
        .filter(cycle::Column::ClosesOn.gt(new.opens_on))
        .count(&txn)
        .await?;
    if overlapping > 0 {
        return Err(StoreError::Conflict("another cycle of this survey overlaps these dates".into()));
    }
    let teams: Vec<team::Model> = match &new.teams {
        Some(slugs) => {
            if slugs.is_empty() {
                return Err(FieldError::new("teams", "must name at least one team, or be left out for all").into());
            }
            let mut found = Vec::new();
            for (i, slug) in slugs.iter().enumerate() {
                let t = team::Entity::find()
                    .filter(team::Column::Slug.eq(slug.as_str()))
                    .one(&txn)
                    .await?
                    .ok_or_else(|| FieldError::new(format!("teams[{i}]"), format!("unknown team {slug:?}")))?;
                if !found.iter().any(|f: &team::Model| f.team_id == t.team_id) {
                    found.push(t);
                }
            }
            found
        }
        None => {
            let with_members: Vec<String> = member::Entity::find()
                .select_only()
                .column(member::Column::TeamId)
                .filter(member::Column::Active.eq(true))
                .distinct()
                .into_tuple()
                .all(&txn)
                .await?;
            team::Entity::find().filter(team::Column::TeamId.is_in(with_members)).all(&txn).await?
        }
    };
    if teams.is_empty() {
        return Err(FieldError::new("teams", "no team has active members to invite").into());
    }
    let row = insert_cycle(&txn, &survey.survey.survey_id, new.opens_on, closes_on, &teams).await?;
    audit::record(
        &txn,
        actor,
        "cycle.create",
        "cycle",
        &row.cycle_id,
        json!({"survey_id": survey_id, "opens_on": row.opens_on, "closes_on": row.closes_on,
               "teams": teams.iter().map(|t| t.slug.clone()).collect::<Vec<_>>()}),
    )
    .await?;
    let row = if row.opens_on <= today { open(&txn, mailing, &row, today).await?.unwrap_or(row) } else { row };
    txn.commit().await?;
    Ok(row)
}

async fn insert_cycle(
    txn: &DatabaseTransaction,
    survey_id: &str,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
    teams: &[team::Model],
) -> StoreResult<cycle::Model> {
    let row = cycle::ActiveModel {
        cycle_id: Set(new_id()),
        survey_id: Set(survey_id.to_string()),
        opens_on: Set(opens_on),
        closes_on: Set(closes_on),
        status: Set(CycleStatus::Scheduled),
        opened_at: Set(None),
        closed_at: Set(None),
        results_mailed_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    for t in teams {
        cycle_team::ActiveModel {
            cycle_id: Set(row.cycle_id.clone()),
            team_id: Set(t.team_id.clone()),
            group_name: Set(t.group_name.clone()),
        }
        .insert(txn)
        .await?;
    }
    Ok(row)
}

/// Opens a scheduled cycle: one invitation per active member of its teams,
/// and their emails. `None` when another instance opened it first. A cycle
/// that opens late (created with a past `opens_on`, or after an outage)
/// counts the reminder days already gone as sent: the invitation is the
/// first email, not a reminder right behind it.
async fn open(
    txn: &DatabaseTransaction,
    mailing: &Mailing<'_>,
    c: &cycle::Model,
    today: NaiveDate,
) -> StoreResult<Option<cycle::Model>> {
    let now = Utc::now();
    let claimed = cycle::Entity::update_many()
        .col_expr(cycle::Column::Status, Expr::value(CycleStatus::Open.as_str()))
        .col_expr(cycle::Column::OpenedAt, Expr::value(now))
        .filter(cycle::Column::CycleId.eq(c.cycle_id.as_str()))
        .filter(cycle::Column::Status.eq(CycleStatus::Scheduled.as_str()))
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let survey = survey::Entity::find_by_id(c.survey_id.clone())
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::Broken(format!("cycle {} has no survey", c.cycle_id)))?;
    let passed = reminders_due(&surveys::parse_days(&survey.reminder_days), c, today);
    let team_ids = cycle_team_ids(txn, &c.cycle_id).await?;
    freeze_groups(txn, &c.cycle_id, &team_ids).await?;
    let members = member::Entity::find()
        .filter(member::Column::TeamId.is_in(team_ids))
        .filter(member::Column::Active.eq(true))
        .all(txn)
        .await?;
    let event = crate::webhooks::events::cycle_opened(c, &survey.title, members.len());
    crate::store::webhooks::emit(txn, &event).await?;
    for m in members {
        let invitation_id = new_id();
        let token = invitations::token_for(mailing.invitation_key, &invitation_id);
        invitation::ActiveModel {
            invitation_id: Set(invitation_id),
            cycle_id: Set(c.cycle_id.clone()),
            member_id: Set(Some(m.member_id.clone())),
            team_id: Set(m.team_id.clone()),
            token_hash: Set(Some(invitations::hash_token(&token))),
            used: Set(false),
            reminders_sent: Set(passed),
            last_reminded_on: Set(None),
        }
        .insert(txn)
        .await?;
        let member_token = mailing.emails.member_token(&m);
        let member_link = MemberLink { token: &member_token, lead: m.lead, lang: mailing.emails.lang_of(&m) };
        let email = mailing
            .emails
            .invitation(&survey.title, c.closes_on, &token, &member_link, false)
            .map_err(StoreError::render("invitation"))?;
        outbox::enqueue(txn, EmailKind::Invitation, &m.email, email, mailing.emails.message_domain()).await?;
    }
    let mut opened = c.clone();
    opened.status = CycleStatus::Open;
    opened.opened_at = Some(now);
    Ok(Some(opened))
}

/// Closes a cycle (scheduled or open) and schedules the survey's next one
/// when it recurs. `None` when it was already closed.
async fn close(txn: &DatabaseTransaction, c: &cycle::Model, today: NaiveDate) -> StoreResult<Option<cycle::Model>> {
    let claimed = cycle::Entity::update_many()
        .col_expr(cycle::Column::Status, Expr::value(CycleStatus::Closed.as_str()))
        .col_expr(cycle::Column::ClosedAt, Expr::value(Utc::now()))
        .filter(cycle::Column::CycleId.eq(c.cycle_id.as_str()))
        .filter(cycle::Column::Status.ne(CycleStatus::Closed.as_str()))
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    // Its answers are final: keep the counts every report reads.
    super::counts::fill(txn, &c.cycle_id).await?;
    // Rewrite every invitation of the cycle in this one transaction, so that no
    // invitation keeps the transaction id (PostgreSQL's xmin) of the submission
    // that used it, which a response row also carries.
    invitation::Entity::update_many()
        .col_expr(invitation::Column::Used, Expr::col(invitation::Column::Used))
        .col_expr(invitation::Column::RemindersSent, Expr::value(0))
        .col_expr(invitation::Column::LastRemindedOn, Expr::value(Option::<NaiveDate>::None))
        .filter(invitation::Column::CycleId.eq(c.cycle_id.as_str()))
        .exec(txn)
        .await?;
    let survey = survey::Entity::find_by_id(c.survey_id.clone())
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::Broken(format!("cycle {} has no survey", c.cycle_id)))?;
    crate::store::webhooks::emit(txn, &crate::webhooks::events::cycle_closed(c, &survey.title)).await?;
    let cadence = survey.cadence;
    let later = cycle::Entity::find()
        .filter(cycle::Column::SurveyId.eq(c.survey_id.as_str()))
        .filter(cycle::Column::OpensOn.gt(c.opens_on))
        .count(txn)
        .await?;
    if !survey.active || later > 0 {
        return Ok(None);
    }
    let open_days = chrono::Duration::days(survey.open_days.max(1) as i64);
    let mut next = cadence.next_after(c.opens_on);
    // After a long pause, skip the cycles whose whole window already passed.
    while let Some(d) = next {
        if d + open_days > today {
            break;
        }
        next = cadence.next_after(d);
    }
    let Some(opens_on) = next else { return Ok(None) };
    let team_ids = cycle_team_ids(txn, &c.cycle_id).await?;
    let teams = team::Entity::find().filter(team::Column::TeamId.is_in(team_ids)).all(txn).await?;
    Ok(Some(insert_cycle(txn, &c.survey_id, opens_on, opens_on + open_days, &teams).await?))
}

/// Closes a cycle now (`POST /api/v1/cycles/{id}/close`).
pub async fn close_now(
    db: &DatabaseConnection,
    actor: &str,
    cycle_id: &str,
    today: NaiveDate,
) -> StoreResult<cycle::Model> {
    let txn = crate::store::begin_write(db).await?;
    let c = get(&txn, cycle_id).await?;
    if c.status == CycleStatus::Closed {
        return Err(StoreError::Conflict("this cycle is already closed".into()));
    }
    close(&txn, &c, today).await?;
    audit::record(&txn, actor, "cycle.close", "cycle", cycle_id, json!({})).await?;
    let closed = get(&txn, cycle_id).await?;
    txn.commit().await?;
    Ok(closed)
}

pub async fn get(conn: &impl ConnectionTrait, cycle_id: &str) -> StoreResult<cycle::Model> {
    cycle::Entity::find_by_id(cycle_id.to_string())
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no cycle {cycle_id:?}")))
}

/// What one pass of the scheduler did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tick {
    pub opened: usize,
    pub closed: usize,
    pub scheduled: usize,
    pub reminded: usize,
    /// Closed cycles whose "results are out" emails this pass queued (the
    /// worker's step after the scheduler, see `results_mail`).
    pub results_mailed: usize,
}

/// One pass of the scheduler for `today`: open due cycles, close finished
/// ones (scheduling the next), send due reminders. Safe to run on several
/// instances at once and to repeat.
pub async fn run_due(db: &DatabaseConnection, mailing: &Mailing<'_>, today: NaiveDate) -> StoreResult<Tick> {
    let mut tick = Tick::default();
    // Close first, so a cycle whose dates passed while we were down never opens.
    let due_close = cycle::Entity::find()
        .filter(cycle::Column::Status.ne(CycleStatus::Closed.as_str()))
        .filter(cycle::Column::ClosesOn.lte(today))
        .all(db)
        .await?;
    for c in due_close {
        let txn = crate::store::begin_write(db).await?;
        let next = close(&txn, &c, today).await?;
        txn.commit().await?;
        tick.closed += 1;
        tick.scheduled += usize::from(next.is_some());
    }
    let due_open = cycle::Entity::find()
        .filter(cycle::Column::Status.eq(CycleStatus::Scheduled.as_str()))
        .filter(cycle::Column::OpensOn.lte(today))
        .all(db)
        .await?;
    for c in due_open {
        let txn = crate::store::begin_write(db).await?;
        let opened = open(&txn, mailing, &c, today).await?;
        txn.commit().await?;
        tick.opened += usize::from(opened.is_some());
    }
    tick.reminded = remind(db, mailing, today).await?;
    Ok(tick)
}

/// How many of a survey's reminder days have come by `today` within the cycle.
fn reminders_due(reminder_days: &[u32], c: &cycle::Model, today: NaiveDate) -> i32 {
    let day = (today - c.opens_on).num_days();
    let length = (c.closes_on - c.opens_on).num_days();
    reminder_days.iter().filter(|d| (**d as i64) <= day && (**d as i64) < length).count() as i32
}

/// Sends the reminders that are due, only to members who have not answered.
async fn remind(db: &DatabaseConnection, mailing: &Mailing<'_>, today: NaiveDate) -> StoreResult<usize> {
    let open = cycle::Entity::find().filter(cycle::Column::Status.eq(CycleStatus::Open.as_str())).all(db).await?;
    let mut sent = 0;
    for c in open {
        let survey = surveys::get(db, &c.survey_id).await?;
        let due = reminders_due(&survey.reminder_days(), &c, today);
        if due == 0 {
            continue;
        }
        let pending = invitation::Entity::find()
            .filter(invitation::Column::CycleId.eq(c.cycle_id.as_str()))
            .filter(invitation::Column::Used.eq(false))
            .filter(invitation::Column::RemindersSent.lt(due))
            // An erased person's invitation stays, anonymous, and gets no reminder.
            .filter(invitation::Column::MemberId.is_not_null())
            .all(db)
            .await?;
        for inv in pending {
            let txn = crate::store::begin_write(db).await?;
            let claimed = invitation::Entity::update_many()
                .col_expr(invitation::Column::RemindersSent, Expr::value(due))
                .col_expr(invitation::Column::LastRemindedOn, Expr::value(today))
                .filter(invitation::Column::InvitationId.eq(inv.invitation_id.as_str()))
                .filter(invitation::Column::RemindersSent.eq(inv.reminders_sent))
                .filter(invitation::Column::Used.eq(false))
                .exec(&txn)
                .await?;
            if claimed.rows_affected != 1 {
                continue;
            }
            let Some(member_id) = inv.member_id.clone() else { continue };
            let Some(m) = member::Entity::find_by_id(member_id).one(&txn).await? else { continue };
            if !m.active {
                txn.commit().await?;
                continue;
            }
            let token = invitations::token_for(mailing.invitation_key, &inv.invitation_id);
            let member_token = mailing.emails.member_token(&m);
            let member_link = MemberLink { token: &member_token, lead: m.lead, lang: mailing.emails.lang_of(&m) };
            let email = mailing
                .emails
                .invitation(&survey.survey.title, c.closes_on, &token, &member_link, true)
                .map_err(StoreError::render("reminder"))?;
            outbox::enqueue(&txn, EmailKind::Reminder, &m.email, email, mailing.emails.message_domain()).await?;
            txn.commit().await?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Records each team's group of today for the cycle ("groups are frozen":
/// every breakdown of the cycle uses this record, so moving a team later
/// cannot reveal a hidden one).
async fn freeze_groups(txn: &DatabaseTransaction, cycle_id: &str, team_ids: &[String]) -> StoreResult<()> {
    let teams = team::Entity::find().filter(team::Column::TeamId.is_in(team_ids.iter().cloned())).all(txn).await?;
    for t in teams {
        cycle_team::Entity::update_many()
            .col_expr(cycle_team::Column::GroupName, Expr::value(t.group_name))
            .filter(cycle_team::Column::CycleId.eq(cycle_id))
            .filter(cycle_team::Column::TeamId.eq(t.team_id.as_str()))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The cycles of a survey (or of every survey), newest first, optionally
/// only those of one status.
pub async fn list(
    conn: &impl ConnectionTrait,
    survey_id: Option<&str>,
    status: Option<CycleStatus>,
) -> StoreResult<Vec<cycle::Model>> {
    let mut q = cycle::Entity::find();
    if let Some(s) = survey_id {
        q = q.filter(cycle::Column::SurveyId.eq(s));
    }
    if let Some(s) = status {
        q = q.filter(cycle::Column::Status.eq(s.as_str()));
    }
    Ok(q.order_by_desc(cycle::Column::OpensOn).order_by_asc(cycle::Column::CycleId).all(conn).await?)
}

/// Ids of the teams a cycle covers.
async fn cycle_team_ids(conn: &impl ConnectionTrait, cycle_id: &str) -> StoreResult<Vec<String>> {
    Ok(cycle_team::Entity::find()
        .filter(cycle_team::Column::CycleId.eq(cycle_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|ct| ct.team_id)
        .collect())
}

/// Slugs of the teams a cycle covers.
pub async fn team_slugs(conn: &impl ConnectionTrait, cycle_id: &str) -> StoreResult<Vec<String>> {
    let ids = cycle_team_ids(conn, cycle_id).await?;
    let mut slugs: Vec<String> = team::Entity::find()
        .filter(team::Column::TeamId.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| t.slug)
        .collect();
    slugs.sort();
    Ok(slugs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(opens: (i32, u32, u32), days: i64) -> cycle::Model {
        let opens_on = NaiveDate::from_ymd_opt(opens.0, opens.1, opens.2).unwrap();
        cycle::Model {
            cycle_id: "c".into(),
            survey_id: "s".into(),
            opens_on,
            closes_on: opens_on + chrono::Duration::days(days),
            status: CycleStatus::Open,
            opened_at: None,
            closed_at: None,
            results_mailed_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn reminders_come_on_their_days_and_never_after_closing() {
        let c = cycle((2026, 3, 2), 14);
        let day = |n| c.opens_on + chrono::Duration::days(n);
        assert_eq!(reminders_due(&[3, 7], &c, day(0)), 0);
        assert_eq!(reminders_due(&[3, 7], &c, day(3)), 1);
        assert_eq!(reminders_due(&[3, 7], &c, day(6)), 1);
        assert_eq!(reminders_due(&[3, 7], &c, day(7)), 2);
        assert_eq!(reminders_due(&[3, 20], &c, day(13)), 1);
    }
}
