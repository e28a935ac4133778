//! "The results are out": once a cycle has closed, every member invited to it
//! gets one email with the organisation's top three priorities, what the
//! platform team has planned, started or shipped for them, and the link to
//! their results page (a lead's also to their team's view).
//!
//! A step of the worker of its own, after the scheduler, so that closing stays
//! a short transaction. For each closed cycle not mailed yet, the priority
//! report is computed first, outside any transaction (a report that fails is
//! logged and tried again at the next tick); then one write transaction claims
//! the cycle (`results_mailed_at`, set by a conditional update that only one
//! instance can win) and queues the emails, so the claim and the emails commit
//! together or not at all.

use crate::domain::{CycleStatus, EmailKind, RoadmapStatus};
use crate::email::{Emails, MemberLink, ResultsOut, RoadmapLine, TopPriority};
use crate::entities::{cycle, invitation, member, response, roadmap_item, survey};
use crate::export::{self, LoadError};
use crate::progress::Progress;
use crate::store::{self, StoreError, StoreResult, outbox};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, Query},
};

/// How many priorities the email names.
pub const TOP: usize = 3;

/// The roadmap statuses the email reports, in the order it lists them.
const REPORTED: [RoadmapStatus; 3] = [RoadmapStatus::Shipped, RoadmapStatus::InProgress, RoadmapStatus::Planned];

/// Why the email of a cycle could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum ResultsMailError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("loading the cycle's tables")]
    Load(#[source] LoadError),
    #[error("computing the priority report")]
    Analysis(#[source] analysis::AnalysisError),
    #[error("the analysis task stopped")]
    Task(#[source] tokio::task::JoinError),
}

impl From<sea_orm::DbErr> for ResultsMailError {
    fn from(e: sea_orm::DbErr) -> Self {
        ResultsMailError::Store(e.into())
    }
}

/// Queues the "results are out" emails of every closed cycle that has not
/// had them; returns how many cycles this instance mailed. A cycle whose
/// report fails is logged and left for the next tick; the others go on.
pub async fn run(db: &DatabaseConnection, emails: &Emails, k: u32, now: DateTime<Utc>) -> StoreResult<usize> {
    let pending = cycle::Entity::find()
        .filter(cycle::Column::Status.eq(CycleStatus::Closed.as_str()))
        .filter(cycle::Column::ResultsMailedAt.is_null())
        .order_by_asc(cycle::Column::ClosesOn)
        .order_by_asc(cycle::Column::CycleId)
        .all(db)
        .await?;
    let mut mailed = 0;
    for c in pending {
        let out = match summary(db, &c, k).await {
            Ok(out) => out,
            Err(e) => {
                let error = crate::error::chain(&e);
                tracing::error!(cycle_id = %c.cycle_id, %error, "results email not prepared; trying again next tick");
                continue;
            }
        };
        if let Some(queued) = claim_and_queue(db, emails, &c, &out, now).await? {
            tracing::info!(cycle_id = %c.cycle_id, queued, "results emails queued");
            mailed += 1;
        }
    }
    Ok(mailed)
}

/// What the email of the closed cycle `c` says: its top priorities when at
/// least k responses came in, none otherwise (no figure under k).
pub async fn summary(db: &DatabaseConnection, c: &cycle::Model, k: u32) -> Result<ResultsOut, ResultsMailError> {
    let survey_title =
        survey::Entity::find_by_id(c.survey_id.clone()).one(db).await?.map(|s| s.title).unwrap_or_default();
    let responses =
        response::Entity::find().filter(response::Column::CycleId.eq(c.cycle_id.as_str())).count(db).await?;
    let top = if responses < u64::from(k) { None } else { top_priorities(db, &c.cycle_id, k).await? };
    Ok(ResultsOut { survey_title, closes_on: c.closes_on, top })
}

/// The cycle's top [`TOP`] priorities from the analysis crate (the report of
/// the API, with k from the configuration and the default weights), each with
/// its area's planned, started and shipped roadmap items. `None` when the
/// report counts fewer than k responses.
async fn top_priorities(
    db: &DatabaseConnection,
    cycle_id: &str,
    k: u32,
) -> Result<Option<Vec<TopPriority>>, ResultsMailError> {
    let tables =
        export::load_for_reports(db, export::Counts::Cycle(Some(cycle_id)), &Progress::new("results email", false))
            .await
            .map_err(ResultsMailError::Load)?;
    let params = analysis::Params::new(k, Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let id = cycle_id.to_string();
    let report = tokio::task::spawn_blocking(move || analysis::priorities(&tables, Some(&id), &params))
        .await
        .map_err(ResultsMailError::Task)?
        .map_err(ResultsMailError::Analysis)?;
    if report.responses < i64::from(k) {
        return Ok(None);
    }
    let mut top = report.priorities;
    top.sort_by_key(|p| p.rank);
    top.truncate(TOP);
    let mut items = roadmap_item::Entity::find()
        .filter(roadmap_item::Column::AreaId.is_in(top.iter().map(|p| p.area_id.clone())))
        .filter(roadmap_item::Column::Status.is_in(REPORTED.map(|s| s.as_str())))
        .all(db)
        .await?;
    items.sort_by_key(|i| (REPORTED.iter().position(|s| *s == i.status), i.title.to_lowercase()));
    Ok(Some(
        top.into_iter()
            .map(|p| TopPriority {
                rank: p.rank,
                roadmap: items
                    .iter()
                    .filter(|i| i.area_id == p.area_id)
                    .map(|i| RoadmapLine { title: i.title.clone(), status: i.status.human() })
                    .collect(),
                area_name: p.area_name,
            })
            .collect(),
    ))
}

/// Claims the cycle `c` for its results emails and queues one to each active
/// member invited to it, in one write transaction; returns how many were
/// queued, or `None` when another instance claimed the cycle first.
async fn claim_and_queue(
    db: &DatabaseConnection,
    emails: &Emails,
    c: &cycle::Model,
    out: &ResultsOut,
    now: DateTime<Utc>,
) -> StoreResult<Option<usize>> {
    let txn = store::begin_write(db).await?;
    let claimed = cycle::Entity::update_many()
        .col_expr(cycle::Column::ResultsMailedAt, Expr::value(now))
        .filter(cycle::Column::CycleId.eq(c.cycle_id.as_str()))
        .filter(cycle::Column::ResultsMailedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let invited = Query::select()
        .column(invitation::Column::MemberId)
        .from(invitation::Entity)
        .and_where(invitation::Column::CycleId.eq(c.cycle_id.as_str()))
        .to_owned();
    let members = member::Entity::find()
        .filter(member::Column::MemberId.in_subquery(invited))
        .filter(member::Column::Active.eq(true))
        .order_by_asc(member::Column::Email)
        .all(&txn)
        .await?;
    for m in &members {
        let token = emails.member_token(m);
        let link = MemberLink { token: &token, lead: m.lead, lang: emails.lang_of(m) };
        let email = emails.results(out, &link).map_err(StoreError::render("results"))?;
        outbox::enqueue(&txn, EmailKind::Results, &m.email, email, emails.message_domain()).await?;
    }
    store::webhooks::emit(&txn, &crate::webhooks::events::report_ready(c, out)).await?;
    txn.commit().await?;
    Ok(Some(members.len()))
}
