//! The `devpulse` command line. Exit codes: 0 success, 2 bad usage or bad
//! input (one line on stderr), 1 anything else.
//!
//! - [`args`]: what each command takes (clap).
//! - [`commands`]: one function per command.
//! - [`serve`]: `devpulse serve`.

mod args;
mod commands;
mod serve;

pub use args::*;
pub use commands::survey_title;

use crate::{db, export, store, telemetry};
use clap::Parser;
use sea_orm::DatabaseConnection;
use std::process::ExitCode;

/// A command's failure: `Usage` exits 2, `Failed` exits 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

impl From<store::StoreError> for CliError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Invalid(f) => CliError::Usage(f.to_string()),
            store::StoreError::Conflict(m) | store::StoreError::NotFound(m) => CliError::Usage(m),
            other => CliError::Failed(other.to_string()),
        }
    }
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One line: the error itself, pointing at --help for the rest.
            let rendered = e.render().to_string();
            let first = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("error: bad usage");
            eprintln!("{} (see --help)", first.trim_end_matches('.'));
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    telemetry::init_logs();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(2)
        }
        Err(CliError::Failed(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(1)
        }
    }
}

async fn open(global: &GlobalArgs) -> Result<DatabaseConnection, CliError> {
    let db = db::connect(&global.database_url).await.map_err(|e| CliError::Failed(e.to_string()))?;
    db::migrate(&db)
        .await
        .map_err(|e| CliError::Failed(format!("applying migrations: {}", one_line(&e.to_string()))))?;
    Ok(db)
}

fn one_line(s: &str) -> String {
    s.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let global = &cli.global;
    match cli.command {
        Command::Serve(args) => serve::serve(global, args).await,
        Command::Migrate => {
            open(global).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Demo(args) => commands::demo(global, args).await,
        Command::Admin(AdminCommand::Add { email }) => commands::admin_add(global, &email).await,
        Command::Report(args) => commands::report(global, args).await,
        Command::Analyze(args) => commands::analyze(global, args).await,
        Command::Export(args) => commands::export(global, args).await,
        Command::Token(cmd) => commands::token(global, cmd).await,
        Command::Member(MemberCommand::Link { email, base_url }) => {
            commands::member_link(global, &email, &base_url).await
        }
    }
}

impl From<analysis::AnalysisError> for CliError {
    fn from(e: analysis::AnalysisError) -> Self {
        if e.is_bad_input() { CliError::Usage(e.to_string()) } else { CliError::Failed(e.to_string()) }
    }
}

impl From<export::LoadError> for CliError {
    fn from(e: export::LoadError) -> Self {
        match e {
            export::LoadError::Analysis(a) => a.into(),
            export::LoadError::Db(d) => CliError::Failed(format!("database: {d}")),
        }
    }
}
