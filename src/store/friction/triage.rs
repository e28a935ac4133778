//! Triage of the friction log: status, area, severity, roadmap links and
//! merging duplicates, each audited, and the follow-up emails of reporters
//! who asked for them.

use super::get;
use crate::domain::{EmailKind, FieldError, FrictionStatus};
use crate::email::{Emails, FollowUpEvent, FrictionFollowUp};
use crate::entities::{friction_report, me_too_vote, member, roadmap_item};
use crate::store::{StoreError, StoreResult, audit, outbox};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

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
    /// The organisation's date today (`DEVPULSE_TIMEZONE`), for resolved and shipped dates.
    pub today: chrono::NaiveDate,
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
    let row = before.clone().into_active_model();
    let mut edit = Edit { before: &before, row, detail: serde_json::Map::new(), today: notify.today };
    apply_fields(&txn, &change, &mut edit).await?;
    apply_links(&txn, &change, &mut edit).await?;
    let Edit { mut row, detail, .. } = edit;
    if detail.is_empty() {
        txn.commit().await?;
        return Ok(before);
    }
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await?;
    let (status_changed, linked) =
        (detail.contains_key("status"), detail.contains_key("roadmap_item_id") && after.roadmap_item_id.is_some());
    audit::record(&txn, actor, "friction.change", "friction_report", report_id, serde_json::Value::Object(detail))
        .await?;
    if status_changed {
        crate::store::webhooks::emit(&txn, &crate::webhooks::events::friction_status_changed(&before, &after)).await?;
    }
    if status_changed || linked {
        let event = if status_changed {
            FollowUpEvent::Status { from: before.status.as_str(), to: after.status.as_str() }
        } else {
            FollowUpEvent::Linked
        };
        follow_up(&txn, notify, &after, event).await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// A change being applied: the row to update and, per changed field, its
/// `[before, after]` for the audit log.
struct Edit<'a> {
    before: &'a friction_report::Model,
    row: friction_report::ActiveModel,
    detail: serde_json::Map<String, serde_json::Value>,
    today: chrono::NaiveDate,
}

/// Status, area and severity, where they change.
async fn apply_fields(txn: &DatabaseTransaction, change: &Change, edit: &mut Edit<'_>) -> StoreResult<()> {
    let Edit { before, row, detail, today } = edit;
    if let Some(s) = change.status
        && s != before.status
    {
        row.status = Set(s);
        row.resolved_on = Set(s.is_closed().then_some(*today));
        row.first_triaged_on = Set(first_triaged_on(before, s, *today));
        detail.insert("status".into(), json!([before.status, s]));
    }
    if let Some(a) = &change.area_id
        && *a != before.area_id
    {
        crate::store::areas::known(txn, "area_id", a).await?;
        row.area_id = Set(a.clone());
        detail.insert("area_id".into(), json!([before.area_id, a]));
    }
    if let Some(sev) = change.severity
        && sev != before.severity
    {
        row.severity = Set(sev);
        detail.insert("severity".into(), json!([before.severity, sev]));
    }
    Ok(())
}

/// When `r` was first triaged once its status becomes `status` on `today`:
/// the first time its status leaves `new`, kept through every later change
/// (back to `new` included). Every status change goes through
/// [`apply_fields`], so this is the one place of the rule; a merge changes
/// no status and does not count.
pub fn first_triaged_on(
    r: &friction_report::Model,
    status: FrictionStatus,
    today: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    r.first_triaged_on.or_else(|| (status != FrictionStatus::New).then_some(today))
}

/// The roadmap link and the duplicate link (a merge moves the votes).
async fn apply_links(txn: &DatabaseTransaction, change: &Change, edit: &mut Edit<'_>) -> StoreResult<()> {
    let Edit { before, row, detail, .. } = edit;
    if let Some(link) = &change.roadmap_item_id
        && *link != before.roadmap_item_id
    {
        if let Some(id) = link
            && roadmap_item::Entity::find_by_id(id.clone()).one(txn).await?.is_none()
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
            (Some(original), None) => Some(merge(txn, before, original).await?),
            (None, _) => None,
        };
        row.duplicate_of = Set(target.clone());
        detail.insert("duplicate_of".into(), json!([before.duplicate_of, target]));
    }
    Ok(())
}

/// Queues the follow-up email of a report whose reporter asked for it.
pub async fn follow_up(
    txn: &DatabaseTransaction,
    notify: &Notify<'_>,
    r: &friction_report::Model,
    event: FollowUpEvent<'_>,
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
            event,
            roadmap: item.as_ref().map(|i| i.title.as_str()).zip(roadmap_status.as_deref()),
            member_token: &notify.emails.member_token(&m),
            lang: notify.emails.lang_of(&m),
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
