//! The friction log: filing, me-too, triage (status, area, severity,
//! duplicates, roadmap links) and the follow-up emails of reporters who asked
//! for them. A reporter's identity is stored only when they ask for follow-up.

use super::{Page, PageParams, StoreError, StoreResult, audit, new_id, outbox};
use crate::domain::{EmailKind, FieldError, Frequency, FrictionStatus};
use crate::email::{Emails, FrictionFollowUp};
use crate::entities::{friction_report, me_too_vote, member, roadmap_item, team};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, Func},
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
pub async fn file(db: &DatabaseConnection, reporter: &Reporter, new: NewReport) -> StoreResult<friction_report::Model> {
    let txn = crate::store::begin_write(db).await?;
    super::areas::known(&txn, "area_id", &new.area_id).await?;
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
        created_on: Set(now.date_naive()),
        resolved_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    if let Reporter::Admin { .. } = reporter {
        audit::record(&txn, &actor, "friction.file", "friction_report", &row.report_id, json!({"title": row.title}))
            .await?;
    }
    txn.commit().await?;
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
    member: &member::Model,
    report_id: &str,
) -> StoreResult<friction_report::Model> {
    let txn = crate::store::begin_write(db).await?;
    let mut r = get(&txn, report_id).await?;
    if let Some(original) = &r.duplicate_of {
        r = get(&txn, original).await?;
    }
    if r.status.is_closed() {
        return Err(StoreError::Conflict(format!("this report is {}; it takes no more votes", r.status)));
    }
    let exists = me_too_vote::Entity::find_by_id((r.report_id.clone(), member.member_id.clone())).one(&txn).await?;
    if exists.is_some() {
        return Err(StoreError::Conflict("you already said \"me too\" for this report".into()));
    }
    me_too_vote::ActiveModel {
        report_id: Set(r.report_id.clone()),
        member_id: Set(member.member_id.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    friction_report::Entity::update_many()
        .col_expr(friction_report::Column::MeToo, Expr::col(friction_report::Column::MeToo).add(1))
        .filter(friction_report::Column::ReportId.eq(r.report_id.as_str()))
        .exec(&txn)
        .await?;
    let r = get(&txn, &r.report_id).await?;
    txn.commit().await?;
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

/// A triage change, parsed. `Some(None)` clears a link.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub status: Option<FrictionStatus>,
    pub area_id: Option<String>,
    pub severity: Option<i32>,
    pub roadmap_item_id: Option<Option<String>>,
    pub duplicate_of: Option<Option<String>>,
}

/// What the follow-up emails need.
pub struct Notify<'a> {
    pub emails: &'a Emails,
}

/// Applies a triage change, records it in the audit log and emails the
/// reporter when they asked for follow-up and the status or roadmap link changed.
pub async fn change(
    db: &DatabaseConnection,
    notify: &Notify<'_>,
    actor: &str,
    report_id: &str,
    change: Change,
) -> StoreResult<friction_report::Model> {
    let txn = crate::store::begin_write(db).await?;
    let before = get(&txn, report_id).await?;
    let mut row = before.clone().into_active_model();
    let mut detail = serde_json::Map::new();
    if let Some(s) = change.status
        && s != before.status
    {
        row.status = Set(s);
        row.resolved_on =
            Set(matches!(s, FrictionStatus::Done | FrictionStatus::WontFix).then(|| Utc::now().date_naive()));
        detail.insert("status".into(), json!([before.status, s.as_str()]));
    }
    if let Some(a) = &change.area_id
        && *a != before.area_id
    {
        super::areas::known(&txn, "area_id", a).await?;
        row.area_id = Set(a.clone());
        detail.insert("area_id".into(), json!([before.area_id, a]));
    }
    if let Some(sev) = change.severity
        && sev != before.severity
    {
        row.severity = Set(sev);
        detail.insert("severity".into(), json!([before.severity, sev]));
    }
    if let Some(link) = &change.roadmap_item_id
        && *link != before.roadmap_item_id
    {
        if let Some(id) = link
            && roadmap_item::Entity::find_by_id(id.clone()).one(&txn).await?.is_none()
        {
            return Err(FieldError::new("roadmap_item_id", format!("unknown roadmap item {id:?}")).into());
        }
        row.roadmap_item_id = Set(link.clone());
        detail.insert("roadmap_item_id".into(), json!([before.roadmap_item_id, link]));
    }
    if let Some(dup) = &change.duplicate_of
        && *dup != before.duplicate_of
    {
        let target = match (dup, &before.duplicate_of) {
            (Some(_), Some(current)) => {
                return Err(FieldError::new(
                    "duplicate_of",
                    format!("this report is already merged into {current}; set duplicate_of to null first"),
                )
                .into());
            }
            // Merging into a merged report merges into its original.
            (Some(original), None) => Some(merge(&txn, &before, original).await?),
            (None, _) => None,
        };
        row.duplicate_of = Set(target.clone());
        detail.insert("duplicate_of".into(), json!([before.duplicate_of, target]));
    }
    if detail.is_empty() {
        txn.commit().await?;
        return Ok(before);
    }
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        "friction.change",
        "friction_report",
        report_id,
        serde_json::Value::Object(detail.clone()),
    )
    .await?;
    let status_changed = detail.contains_key("status");
    let linked = detail.contains_key("roadmap_item_id") && after.roadmap_item_id.is_some();
    if status_changed || linked {
        let change_text = match (status_changed, linked) {
            (true, _) => format!("Its status changed from {} to {}.", before.status.human(), after.status.human()),
            _ => "The platform team linked it to a roadmap item.".to_string(),
        };
        let headline =
            if status_changed { format!("now {}", after.status.human()) } else { "on the roadmap".to_string() };
        follow_up(&txn, notify, &after, &headline, &change_text).await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// Queues the follow-up email of a report whose reporter asked for it.
pub async fn follow_up(
    txn: &DatabaseTransaction,
    notify: &Notify<'_>,
    r: &friction_report::Model,
    headline: &str,
    change: &str,
) -> StoreResult<()> {
    let Some(member_id) = &r.reporter_member_id else { return Ok(()) };
    let Some(m) = member::Entity::find_by_id(member_id.clone()).one(txn).await? else { return Ok(()) };
    if !m.active {
        return Ok(());
    }
    let item = match &r.roadmap_item_id {
        Some(id) => roadmap_item::Entity::find_by_id(id.clone()).one(txn).await?,
        None => None,
    };
    let roadmap_status = item.as_ref().map(|i| i.status.human());
    let email = notify
        .emails
        .friction_followup(&FrictionFollowUp {
            title: &r.title,
            headline,
            change,
            roadmap: item.as_ref().map(|i| i.title.as_str()).zip(roadmap_status.as_deref()),
            member_token: &notify.emails.member_token(&m),
        })
        .map_err(StoreError::render("follow-up"))?;
    outbox::enqueue(txn, EmailKind::FrictionFollowup, &m.email, email, notify.emails.message_domain()).await?;
    Ok(())
}

/// Merges `dup` into the root of `original_id`'s chain (returned): refuses
/// itself and loops; its me-too votes and its reporter count on the original
/// from now on. Undoing a merge later does not move the votes back.
async fn merge(txn: &DatabaseTransaction, dup: &friction_report::Model, original_id: &str) -> StoreResult<String> {
    if original_id == dup.report_id {
        return Err(FieldError::new("duplicate_of", "a report cannot be a duplicate of itself").into());
    }
    // Walk the chain from the original to its root: reaching `dup` would make a loop.
    let mut cursor = Some(original_id.to_string());
    let mut root = original_id.to_string();
    let mut steps = 0;
    while let Some(id) = cursor {
        let r = friction_report::Entity::find_by_id(id.clone())
            .one(txn)
            .await?
            .ok_or_else(|| FieldError::new("duplicate_of", format!("unknown friction report {id:?}")))?;
        if r.report_id == dup.report_id || steps > 100 {
            return Err(FieldError::new("duplicate_of", "this would make a loop of duplicates").into());
        }
        root = r.report_id.clone();
        cursor = r.duplicate_of;
        steps += 1;
    }
    let original_id = root.as_str();
    let votes =
        me_too_vote::Entity::find().filter(me_too_vote::Column::ReportId.eq(dup.report_id.as_str())).all(txn).await?;
    let mut voters: Vec<String> = votes.iter().map(|v| v.member_id.clone()).collect();
    if let Some(reporter) = &dup.reporter_member_id {
        voters.push(reporter.clone());
    }
    let already: Vec<String> = me_too_vote::Entity::find()
        .filter(me_too_vote::Column::ReportId.eq(original_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|v| v.member_id)
        .collect();
    me_too_vote::Entity::delete_many()
        .filter(me_too_vote::Column::ReportId.eq(dup.report_id.as_str()))
        .exec(txn)
        .await?;
    let mut moved = 0;
    voters.sort();
    voters.dedup();
    for v in voters.into_iter().filter(|v| !already.contains(v)) {
        me_too_vote::ActiveModel {
            report_id: Set(original_id.to_string()),
            member_id: Set(v),
            created_at: Set(Utc::now()),
        }
        .insert(txn)
        .await?;
        moved += 1;
    }
    // A reporter who did not ask for follow-up is not known by name: they
    // still count once on the original.
    let anonymous_reporter = i32::from(dup.reporter_member_id.is_none());
    friction_report::Entity::update_many()
        .col_expr(
            friction_report::Column::MeToo,
            Expr::col(friction_report::Column::MeToo).add(moved + anonymous_reporter),
        )
        .filter(friction_report::Column::ReportId.eq(original_id))
        .exec(txn)
        .await?;
    friction_report::Entity::update_many()
        .col_expr(friction_report::Column::MeToo, Expr::value(0))
        .filter(friction_report::Column::ReportId.eq(dup.report_id.as_str()))
        .exec(txn)
        .await?;
    Ok(root)
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
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert!((weekly_hours(&r) - 0.5 * 5.0 * 4.0).abs() < 1e-12);
        r.frequency = Frequency::Monthly;
        r.me_too = 0;
        assert!((weekly_hours(&r) - 0.5 * 12.0 / 52.0).abs() < 1e-12);
    }
}
