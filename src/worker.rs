//! The periodic work inside `serve`: the scheduler (open, remind, close and
//! schedule cycles) and the mailer. Every step claims its work in the
//! database, so any number of instances can run this loop at once.

use crate::mailer::Drained;
use crate::state::AppState;
use crate::store::cycles::{self, Mailing, Tick};
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::sync::watch;

/// One pass at `now`: scheduler first (it queues emails), then the mailer.
pub async fn tick_once(state: &AppState, now: DateTime<Utc>) -> (Tick, Drained) {
    let mailing = Mailing { emails: &state.emails, invitation_key: &state.invitation_key };
    let tick = match cycles::run_due(&state.db, &mailing, state.config.date_at(now)).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "scheduler pass failed");
            Tick::default()
        }
    };
    if tick != Tick::default() {
        tracing::info!(
            opened = tick.opened,
            closed = tick.closed,
            scheduled = tick.scheduled,
            reminded = tick.reminded,
            "scheduler"
        );
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
