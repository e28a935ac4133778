//! Progress lines on stderr for long work, shown only when stderr is a terminal.

use std::io::IsTerminal;
use std::time::Instant;

pub struct Progress {
    on: bool,
    started: Instant,
    what: &'static str,
}

impl Progress {
    /// Progress for `what` (e.g. "export"), on when `on` is true.
    pub fn new(what: &'static str, on: bool) -> Self {
        Progress { on, started: Instant::now(), what }
    }

    /// Progress that shows when stderr is a terminal (or `DEVPULSE_PROGRESS=1`).
    pub fn on_terminal(what: &'static str) -> Self {
        let forced = std::env::var("DEVPULSE_PROGRESS").is_ok_and(|v| v == "1");
        Progress::new(what, forced || std::io::stderr().is_terminal())
    }

    pub fn step(&self, message: &str) {
        if self.on {
            eprintln!("[{:>6.1}s] {}: {message}", self.started.elapsed().as_secs_f64(), self.what);
        }
    }
}
