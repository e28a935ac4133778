//! The friction log: filing, me-too, triage (status, area, severity,
//! duplicates, roadmap links) and the follow-up emails of reporters who asked
//! for them. A reporter's identity is stored only when they ask for follow-up.

mod triage;

pub use triage::{Change, Notify, change, follow_up};

use super::{Page, PageParams, StoreError, StoreResult, audit, new_id};
use crate::db::WriteGate;
use crate::domain::{FieldError, Frequency, FrictionStatus};
use crate::entities::{friction_report, me_too_vote, member, team};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, Func, OnConflict},
};
use serde_json::json;
use std::collections::HashMap;

/// Longest minutes lost per occurrence: a week.
pub const MAX_MINUTES: i32 = 7 * 24 * 60;
/// Longest free-text field, in characters.
pub const TEXT_LIMIT: usize = 2000;
/// Longest title, in characters.
pub const TITLE_LIMIT: usize = 200;
/// Defaults of a report that leaves them out.
pub const DEFAULT_MINUTES: i64 = 30;
pub const DEFAULT_SEVERITY: i64 = 2;
pub const DEFAULT_FREQUENCY: Frequency = Frequency::Weekly;

/// Hours lost per week: minutes / 60 × rate × (1 + me_too).
pub fn weekly_hours(r: &friction_report::Model) -> f64 {
    r.minutes_lost as f64 / 60.0 * r.frequency.per_week() * (1.0 + r.me_too as f64)
}

/// Who files a report.
pub enum Reporter {
    /// A member (by their personal token): the report gets their team.
    Member(member::Model),
    /// The platform team with an API token, optionally for a team.
    Admin { actor: String, team: Option<team::Model> },
}

/// A new friction report, parsed.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub area_id: String,
    pub title: String,
    pub trying_to: String,
    pub blocked_by: String,
    pub expected: Option<String>,
    pub minutes_lost: i32,
    pub frequency: Frequency,
    pub severity: i32,
    pub follow_up: bool,
}

/// A severity: 1 papercut to 4 blocker.
pub fn severity(field: &str, v: i64) -> Result<i32, FieldError> {
    if (1..=4).contains(&v) { Ok(v as i32) } else { Err(FieldError::new(field, "must be 1 (papercut) to 4 (blocker)")) }
}

/// A report as typed (the API's JSON or the member page's form), before parsing.
#[derive(Debug, Default)]
pub struct RawReport<'a> {
    pub area_id: &'a str,
    pub title: &'a str,
    pub trying_to: &'a str,
    pub blocked_by: &'a str,
    pub expected: Option<&'a str>,
    pub minutes_lost: Option<i64>,
    pub frequency: Option<&'a str>,
    pub severity: Option<i64>,
    pub follow_up: bool,
}

impl NewReport {
    /// Parses a typed report: every problem, each naming its field.
    pub fn parse(raw: &RawReport<'_>) -> Result<NewReport, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut ok = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let area_id = ok(crate::domain::required_text("area_id", raw.area_id, 64));
        let title = ok(crate::domain::required_text("title", raw.title, TITLE_LIMIT));
        let trying_to = ok(crate::domain::required_text("trying_to", raw.trying_to, TEXT_LIMIT));
        let blocked_by = ok(crate::domain::required_text("blocked_by", raw.blocked_by, TEXT_LIMIT));
        let expected = crate::domain::optional_text("expected", raw.expected, TEXT_LIMIT)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let minutes_lost = match raw.minutes_lost.unwrap_or(DEFAULT_MINUTES) {
            m if (1..=MAX_MINUTES as i64).contains(&m) => m as i32,
            _ => {
                errors
                    .push(FieldError::new("minutes_lost", format!("must be from 1 to {MAX_MINUTES} minutes (a week)")));
                0
            }
        };
        let frequency = raw
            .frequency
            .map(|f| Frequency::parse("frequency", f))
            .transpose()
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
            .unwrap_or(DEFAULT_FREQUENCY);
        let severity =
            severity("severity", raw.severity.unwrap_or(DEFAULT_SEVERITY)).map_err(|e| errors.push(e)).unwrap_or(0);
        if !errors.is_empty() {
            return Err(errors);
        }
        let follow_up = raw.follow_up;
        Ok(NewReport { area_id, title, trying_to, blocked_by, expected, minutes_lost, frequency, severity, follow_up })
    }
}

/// Files a report.
/// The hourly friction limit of a member (`DEVPULSE_FRICTION_PER_HOUR`),
/// counted in the database so it holds across instances ([`super::rate`]).
pub struct HourlyLimit<'a> {
    pub secret: &'a str,
    pub per_hour: u32,
    pub now: chrono::DateTime<Utc>,
}

pub async fn file(
    db: &DatabaseConnection,
    gate: &WriteGate,
    reporter: &Reporter,
    new: NewReport,
    today: NaiveDate,
    limit: &HourlyLimit<'_>,
) -> StoreResult<friction_report::Model> {
    let turn = crate::store::begin_turn(db, gate).await?;
    let outcome = file_in(&turn.txn, reporter, new, today, limit).await;
    turn.finish(outcome).await
}

/// [`file`]'s statements, in its transaction.
async fn file_in(
    txn: &DatabaseTransaction,
    reporter: &Reporter,
    new: NewReport,
    today: NaiveDate,
    limit: &HourlyLimit<'_>,
) -> StoreResult<friction_report::Model> {
    if let Reporter::Member(m) = reporter {
        // Counted in the report's own transaction: one commit, and a refused
        // report (over the limit, or invalid) counts for nothing.
        let key = format!("friction:{}", m.member_id);
        if super::rate::hit(txn, limit.secret, &key, limit.now).await? > i64::from(limit.per_hour) {
            return Err(StoreError::Limited(super::rate::Hour::of(limit.now).seconds_left));
        }
    }
    super::areas::known(txn, "area_id", &new.area_id).await?;
    let (team_id, reporter_member_id, actor) = match reporter {
        Reporter::Member(m) => {
            (Some(m.team_id.clone()), new.follow_up.then(|| m.member_id.clone()), "member".to_string())
        }
        Reporter::Admin { actor, team } => {
            if new.follow_up {
                return Err(FieldError::new(
                    "follow_up",
                    "follow-up needs a member token: the email goes to the member",
                )
                .into());
            }
            (team.as_ref().map(|t| t.team_id.clone()), None, actor.clone())
        }
    };
    let now = Utc::now();
    let row = friction_report::ActiveModel {
        report_id: Set(new_id()),
        team_id: Set(team_id),
        area_id: Set(new.area_id),
        title: Set(new.title),
        trying_to: Set(new.trying_to),
        blocked_by: Set(new.blocked_by),
        expected: Set(new.expected),
        minutes_lost: Set(new.minutes_lost),
        frequency: Set(new.frequency),
        severity: Set(new.severity),
        status: Set(FrictionStatus::New),
        follow_up: Set(new.follow_up),
        reporter_member_id: Set(reporter_member_id),
        me_too: Set(0),
        roadmap_item_id: Set(None),
        duplicate_of: Set(None),
        created_on: Set(today),
        resolved_on: Set(None),
        first_triaged_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    if let Reporter::Admin { .. } = reporter {
        audit::record(txn, &actor, "friction.file", "friction_report", &row.report_id, json!({"title": row.title}))
            .await?;
    }
    crate::store::webhooks::emit(txn, &crate::webhooks::events::friction_created(&row)).await?;
    Ok(row)
}

pub async fn get(conn: &impl ConnectionTrait, report_id: &str) -> StoreResult<friction_report::Model> {
    friction_report::Entity::find_by_id(report_id.to_string())
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no friction report {report_id:?}")))
}

/// Adds `member`'s "me too" to a report (to its original when it was merged).
pub async fn me_too(
    db: &DatabaseConnection,
    gate: &WriteGate,
    member: &member::Model,
    report_id: &str,
) -> StoreResult<friction_report::Model> {
    let turn = crate::store::begin_turn(db, gate).await?;
    let outcome = me_too_in(&turn.txn, member, report_id).await;
    turn.finish(outcome).await
}

/// [`me_too`]'s statements, in its transaction.
async fn me_too_in(
    txn: &DatabaseTransaction,
    member: &member::Model,
    report_id: &str,
) -> StoreResult<friction_report::Model> {
    let mut r = get(txn, report_id).await?;
    if let Some(original) = &r.duplicate_of {
        r = get(txn, original).await?;
    }
    if r.status.is_closed() {
        return Err(StoreError::Conflict(format!("this report is {}; it takes no more votes", r.status)));
    }
    // One vote per member and report: a second one inserts nothing.
    let vote = me_too_vote::ActiveModel {
        report_id: Set(r.report_id.clone()),
        member_id: Set(member.member_id.clone()),
        created_at: Set(Utc::now()),
    };
    let inserted = me_too_vote::Entity::insert(vote)
        .on_conflict(
            OnConflict::columns([me_too_vote::Column::ReportId, me_too_vote::Column::MemberId]).do_nothing().to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    if inserted == 0 {
        return Err(StoreError::Conflict("you already said \"me too\" for this report".into()));
    }
    let r = friction_report::Entity::update_many()
        .col_expr(friction_report::Column::MeToo, Expr::col(friction_report::Column::MeToo).add(1))
        .filter(friction_report::Column::ReportId.eq(r.report_id.as_str()))
        .exec_with_returning(txn)
        .await?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("no friction report {report_id:?}")))?;
    Ok(r)
}

/// Filters of the triage list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<FrictionStatus>,
    pub area_id: Option<String>,
    pub team_id: Option<String>,
    pub q: Option<String>,
    pub since: Option<NaiveDate>,
    /// Leave out merged duplicates and done / won't-fix reports.
    pub open_only: bool,
}

impl Filter {
    /// The triage filters as typed (query string of the API or the inbox);
    /// blank fields are no filter. The team is a slug.
    pub async fn parse(
        conn: &impl ConnectionTrait,
        status: Option<&str>,
        area_id: Option<&str>,
        team: Option<&str>,
        q: Option<&str>,
        since: Option<&str>,
    ) -> StoreResult<Filter> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let team_id = match given(team) {
            Some(slug) => Some(super::teams::known(conn, "team", slug).await?.team_id),
            None => None,
        };
        Ok(Filter {
            status: given(status).map(|s| FrictionStatus::parse("status", s)).transpose()?,
            area_id: given(area_id).map(str::to_string),
            team_id,
            q: given(q).map(str::to_string),
            since: given(since).map(|s| crate::domain::parse_date("since", s)).transpose()?,
            open_only: false,
        })
    }
}

impl Order {
    /// `newest` (also blank) or `cost`.
    pub fn parse(value: Option<&str>) -> Result<Order, FieldError> {
        match value.map(str::trim) {
            None | Some("") | Some("newest") => Ok(Order::Newest),
            Some("cost") => Ok(Order::Cost),
            Some(_) => Err(FieldError::new("order", "must be newest or cost")),
        }
    }
}

/// Order of the triage list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Newest,
    /// Hours lost per week, highest first.
    Cost,
}

fn cost_expr() -> Expr {
    // The rates of `analysis::FREQUENCY_RATES`, as SQL (values from our own table, not input).
    let cases: String = analysis::FREQUENCY_RATES.iter().map(|(f, r)| format!(" WHEN '{f}' THEN {r:?}")).collect();
    let rate = Expr::cust(format!("(CASE frequency{cases} END)"));
    Expr::col(friction_report::Column::MinutesLost).mul(rate).mul(Expr::col(friction_report::Column::MeToo).add(1))
}

/// The triage list: filtered, newest first or by cost, paged by offset.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &Filter,
    order: Order,
    page: &PageParams,
) -> StoreResult<Page<friction_report::Model>> {
    let mut cond = Condition::all();
    if let Some(s) = filter.status {
        cond = cond.add(friction_report::Column::Status.eq(s.as_str()));
    }
    if let Some(a) = &filter.area_id {
        cond = cond.add(friction_report::Column::AreaId.eq(a.as_str()));
    }
    if let Some(t) = &filter.team_id {
        cond = cond.add(friction_report::Column::TeamId.eq(t.as_str()));
    }
    if let Some(d) = filter.since {
        cond = cond.add(friction_report::Column::CreatedOn.gte(d));
    }
    if filter.open_only {
        cond = cond
            .add(friction_report::Column::DuplicateOf.is_null())
            .add(friction_report::Column::Status.is_not_in(FrictionStatus::closed_strs()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let mut any = Condition::any();
        for col in [
            friction_report::Column::Title,
            friction_report::Column::TryingTo,
            friction_report::Column::BlockedBy,
            friction_report::Column::Expected,
        ] {
            any = any.add(
                Expr::expr(Func::lower(Expr::col(col)))
                    .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\')),
            );
        }
        cond = cond.add(any);
    }
    let offset: u64 = page.after.as_deref().and_then(|a| a.parse().ok()).unwrap_or(0);
    let mut q = friction_report::Entity::find().filter(cond);
    q = match order {
        Order::Newest => q.order_by_desc(friction_report::Column::CreatedAt),
        Order::Cost => q.order_by_desc(cost_expr()),
    };
    let rows = q.order_by_asc(friction_report::Column::ReportId).offset(offset).limit(page.limit + 1).all(conn).await?;
    let more = rows.len() as u64 > page.limit;
    let mut rows = rows;
    rows.truncate(page.limit as usize);
    let next_after = more.then(|| (offset + page.limit).to_string());
    Ok(Page { items: rows, next_after })
}

/// The triage inbox at a glance.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct InboxCounts {
    /// Open reports not yet triaged (status `new`, not merged).
    pub waiting: u64,
    /// Reports filed in the last 7 days.
    pub this_week: u64,
}

pub async fn inbox_counts(conn: &impl ConnectionTrait, today: NaiveDate) -> StoreResult<InboxCounts> {
    use sea_orm::PaginatorTrait;
    let waiting = friction_report::Entity::find()
        .filter(friction_report::Column::Status.eq(FrictionStatus::New.as_str()))
        .filter(friction_report::Column::DuplicateOf.is_null())
        .count(conn)
        .await?;
    let this_week = friction_report::Entity::find()
        .filter(friction_report::Column::CreatedOn.gt(today - chrono::Duration::days(7)))
        .count(conn)
        .await?;
    Ok(InboxCounts { waiting, this_week })
}

/// Reports a member asked to follow, newest first.
pub async fn followed_by(conn: &impl ConnectionTrait, member_id: &str) -> StoreResult<Vec<friction_report::Model>> {
    Ok(friction_report::Entity::find()
        .filter(friction_report::Column::ReporterMemberId.eq(member_id))
        .order_by_desc(friction_report::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// Report ids a member said "me too" to, among `ids`.
pub async fn voted(conn: &impl ConnectionTrait, member_id: &str, ids: Vec<String>) -> StoreResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(me_too_vote::Entity::find()
        .filter(me_too_vote::Column::MemberId.eq(member_id))
        .filter(me_too_vote::Column::ReportId.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| v.report_id)
        .collect())
}

/// Team slugs by team id, for the reports of a page.
pub async fn team_slugs(
    conn: &impl ConnectionTrait,
    reports: &[friction_report::Model],
) -> StoreResult<HashMap<String, String>> {
    let ids: Vec<String> = reports.iter().filter_map(|r| r.team_id.clone()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(team::Entity::find()
        .filter(team::Column::TeamId.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.team_id, t.slug))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_hours_follow_analysis_md() {
        let mut r = friction_report::Model {
            report_id: "r".into(),
            team_id: None,
            area_id: "ci".into(),
            title: "t".into(),
            trying_to: "x".into(),
            blocked_by: "y".into(),
            expected: None,
            minutes_lost: 30,
            frequency: Frequency::Daily,
            severity: 2,
            status: FrictionStatus::New,
            follow_up: false,
            reporter_member_id: None,
            me_too: 3,
            roadmap_item_id: None,
            duplicate_of: None,
            created_on: Utc::now().date_naive(),
            resolved_on: None,
            first_triaged_on: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert!((weekly_hours(&r) - 0.5 * 5.0 * 4.0).abs() < 1e-12);
        r.frequency = Frequency::Monthly;
        r.me_too = 0;
        assert!((weekly_hours(&r) - 0.5 * 12.0 / 52.0).abs() < 1e-12);
    }
}
