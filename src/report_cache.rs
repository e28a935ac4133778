//! Reports of closed cycles kept in memory, per instance. A closed cycle's
//! counts never change; its report still moves when friction, the roadmap,
//! areas or teams do, so each kept report carries the report version
//! ([`crate::store::version`]) it was computed at and is served only while
//! that is still the version, and for at most [`MAX_AGE`] (the bound if an
//! instance died between a commit and its bump). Every instance bumps the
//! version after a write that can change a report ([`bump_after_writes`]), so
//! a report another instance changed is never served stale past that.

use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a kept report is served at most, version or not.
pub const MAX_AGE: Duration = Duration::from_secs(60);
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
}

impl ReportCache {
    /// The report kept under `key` at `version`, if still fresh.
    pub fn get(&self, key: &str, version: i64) -> Option<Arc<analysis::Report>> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(key).filter(|k| k.version == version && k.at.elapsed() < MAX_AGE).map(|k| k.report.clone())
    }

    /// Keeps `report`, computed from data read after `version` was.
    pub fn put(&self, key: String, version: i64, report: Arc<analysis::Report>) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= CAPACITY {
            kept.clear();
        }
        kept.insert(key, Kept { version, at: Instant::now(), report });
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
    if writes && res.status().as_u16() < 400 {
        if let Some(state) = state {
            if let Err(e) = crate::store::version::bump(&state.db).await {
                tracing::warn!(error = %crate::error::chain(&e), "report version not moved on");
            }
        }
    }
    Ok(res)
}
