//! Reports of closed cycles kept in memory, per instance. A closed cycle's
//! counts never change; its report still moves when friction, the roadmap,
//! areas or teams do, so each kept report carries the report version
//! ([`crate::store::version`]) it was computed at and is served while that
//! is still the version (or for [`MIN_REFRESH`] after it was computed, so a
//! stream of writes costs one computation a second, not one per reader), and
//! for at most [`MAX_AGE`] (the bound if an instance died between a commit
//! and its bump). Every instance bumps the version after a write that can
//! change a report ([`bump_after_writes`]).

use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a kept report is served at most, version or not.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Under a stream of writes, a report is computed at most this often: one
/// younger than this is served though the version moved on (a report may lag
/// a write by this much, and only while another request recomputed it less
/// than this ago). Without it, a me-too vote every few milliseconds would
/// have every reader recompute.
pub const MIN_REFRESH: Duration = Duration::from_secs(1);
/// Reports kept at most (cycles × parameter sets); all go when it is full.
const CAPACITY: usize = 256;

struct Kept {
    version: i64,
    at: Instant,
    report: Arc<analysis::Report>,
}

/// Priority reports by cycle and parameters.
#[derive(Default)]
pub struct ReportCache {
    kept: Mutex<HashMap<String, Kept>>,
    /// One computation at a time: readers that find the kept report stale
    /// wait here, and the first computes for all of them.
    computing: tokio::sync::Mutex<()>,
    pub bumps: Bumps,
}

/// Version bumps shared by the writes that finish together: a write waits
/// for a bump that started after its commit, and one bump serves every
/// write that committed before it started (under a stream of me-too votes,
/// one bump per round trip instead of one per vote).
#[derive(Default)]
pub struct Bumps {
    turn: tokio::sync::Mutex<()>,
    /// Tickets handed out, and the highest ticket a finished bump covers.
    asked: AtomicU64,
    done: AtomicU64,
}

impl Bumps {
    /// Returns once the version has moved on after this call began.
    pub async fn bump(&self, db: &sea_orm::DatabaseConnection) -> crate::store::StoreResult<()> {
        let ticket = self.asked.fetch_add(1, Ordering::SeqCst) + 1;
        let _turn = self.turn.lock().await;
        if self.done.load(Ordering::SeqCst) >= ticket {
            return Ok(());
        }
        // Every ticket handed out so far belongs to a committed write.
        let covers = self.asked.load(Ordering::SeqCst);
        crate::store::version::bump(db).await?;
        self.done.store(covers, Ordering::SeqCst);
        Ok(())
    }
}

impl ReportCache {
    /// The report kept under `key` that may be served at `version`.
    fn servable(&self, key: &str, version: i64) -> Option<Arc<analysis::Report>> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let k = kept.get(key)?;
        let age = k.at.elapsed();
        (age < MAX_AGE && (k.version >= version || age < MIN_REFRESH)).then(|| k.report.clone())
    }

    /// The report under `key` at `version` (read before the data `compute`
    /// reads): kept, or computed once for every reader waiting for it.
    /// `keep` says whether a computed report may be kept (a closed cycle's).
    pub async fn get_or_compute<E, F, Fut>(
        &self,
        key: String,
        version: i64,
        compute: F,
    ) -> Result<Arc<analysis::Report>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(analysis::Report, bool), E>>,
    {
        if let Some(r) = self.servable(&key, version) {
            return Ok(r);
        }
        let _turn = self.computing.lock().await;
        // Someone may have computed it while this reader waited.
        if let Some(r) = self.servable(&key, version) {
            return Ok(r);
        }
        let (report, keep) = compute().await?;
        let report = Arc::new(report);
        if keep {
            let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            if kept.len() >= CAPACITY {
                kept.clear();
            }
            kept.insert(key, Kept { version, at: Instant::now(), report: report.clone() });
        }
        Ok(report)
    }
}

/// After a request that wrote something a report reads (see
/// [`crate::store::version::changes_reports`]) and succeeded, moves the
/// report version on; its commit is done by then.
pub async fn bump_after_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let writes = crate::store::version::changes_reports(req.method(), req.path());
    let state = req.app_data::<actix_web::web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    if writes
        && res.status().as_u16() < 400
        && let Some(state) = state
        && let Err(e) = state.reports.bumps.bump(&state.db).await
    {
        tracing::warn!(error = %crate::error::chain(&e), "report version not moved on");
    }
    Ok(res)
}
