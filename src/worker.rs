//! The periodic work inside `serve`: the scheduler (open, remind, close and
//! schedule cycles), the "results are out" emails of closed cycles, deleting
//! the rate counters of past hours, the mailer and the webhook deliveries. Every step claims its work in the database, so any number of
//! instances can run this loop at once.

use crate::mailer::Drained;
use crate::results_mail;
use crate::state::AppState;
use crate::store::cycles::{self, Mailing, Tick};
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::sync::watch;

/// One pass at `now`: the scheduler first, then the results emails of the
/// cycles it (or anyone) closed, each in its own transaction after the
/// close, then the mailer sends what they queued.
pub async fn tick_once(state: &AppState, now: DateTime<Utc>) -> (Tick, Drained) {
    let mailing = Mailing { emails: &state.emails, invitation_key: &state.invitation_key };
    let mut tick = match cycles::run_due(&state.db, &mailing, state.config.date_at(now)).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "scheduler pass failed");
            Tick::default()
        }
    };
    tick.results_mailed = match results_mail::run(&state.db, &state.emails, state.config.anonymity_k, now).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %crate::error::chain(&e), "results email pass failed");
            0
        }
    };
    if tick.closed > 0 {
        // A newly closed cycle is the "previous" of no kept report yet, but
        // the version is cheap: let every instance recompute.
        if let Err(e) = crate::store::version::bump(&state.db).await {
            tracing::warn!(error = %crate::error::chain(&e), "report version not moved on");
        }
    }
    if tick != Tick::default() {
        tracing::info!(
            opened = tick.opened,
            closed = tick.closed,
            scheduled = tick.scheduled,
            reminded = tick.reminded,
            results_mailed = tick.results_mailed,
            "scheduler"
        );
    }
    if let Err(e) = crate::store::rate::purge(&state.db, now).await {
        tracing::warn!(error = %crate::error::chain(&e), "deleting past rate counters failed");
    }
    let drained = match state.mailer.drain(&state.db, now).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "mailer pass failed");
            Drained::default()
        }
    };
    if drained != Drained::default() {
        tracing::info!(sent = drained.sent, retrying = drained.retrying, failed = drained.failed, "mailer");
    }
    match state.webhooks.drain(&state.db, now).await {
        Ok(d) if d != Default::default() => {
            tracing::info!(delivered = d.delivered, retrying = d.retrying, failed = d.failed, "webhooks");
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %crate::error::chain(&e), "webhook pass failed"),
    }
    (tick, drained)
}

/// Runs [`tick_once`] every `every` until `stop` turns true.
pub async fn run(state: actix_web::web::Data<AppState>, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tick_once(&state, Utc::now()).await;
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
}
