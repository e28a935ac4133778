//! The `devpulse` command line. Exit codes: 0 success, 2 bad usage or bad
//! input (one line on stderr), 1 anything else.
//!
//! - [`args`]: what each command takes (clap).
//! - [`commands`]: one function per command.
//! - [`serve`]: `devpulse serve`.
//! - [`surveys`]: `devpulse survey export` and `import` (surveys as code).

mod args;
mod commands;
mod serve;
mod surveys;

pub use args::*;
pub use commands::survey_title;

use crate::{db, export, store, telemetry};
use clap::Parser;
use sea_orm::DatabaseConnection;
use std::process::ExitCode;

/// A command's failure: `Usage` exits 2, `Failed` exits 1. A failure keeps
/// its cause; the one line printed is the whole chain.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{context}")]
    Failed {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl CliError {
    /// A failure with no cause below it.
    pub fn failed(context: impl Into<String>) -> Self {
        CliError::Failed { context: context.into(), source: None }
    }
}

/// Wraps an error as the cause of a failure `context`, for `map_err`.
pub fn failed<E: std::error::Error + Send + Sync + 'static>(context: &str) -> impl FnOnce(E) -> CliError + '_ {
    move |e| CliError::Failed { context: context.to_string(), source: Some(Box::new(e)) }
}

impl From<store::StoreError> for CliError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Invalid(f) => CliError::Usage(f.to_string()),
            store::StoreError::Conflict(m) | store::StoreError::NotFound(m) | store::StoreError::CycleOpen(m) => {
                CliError::Usage(m)
            }
            other => failed("database")(other),
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
        Err(e) => {
            eprintln!("error: {}", crate::error::chain(&e));
            ExitCode::from(1)
        }
    }
}

async fn open(global: &GlobalArgs) -> Result<DatabaseConnection, CliError> {
    let db = db::connect(&global.database_url).await.map_err(|e| CliError::failed(e.to_string()))?;
    db::migrate(&db).await.map_err(failed("applying migrations"))?;
    Ok(db)
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
        Command::Admin(AdminCommand::ResetPassword { email }) => commands::admin_reset_password(global, &email).await,
        Command::Admin(AdminCommand::Remove { email }) => commands::admin_remove(global, &email).await,
        Command::Report(args) => commands::report(global, args).await,
        Command::Analyze(args) => commands::analyze(global, args).await,
        Command::Export(args) => commands::export(global, args).await,
        Command::Token(cmd) => commands::token(global, cmd).await,
        Command::Member(MemberCommand::Link { email, base_url }) => {
            commands::member_link(global, &email, &base_url).await
        }
        Command::Member(MemberCommand::Erase { email }) => commands::member_erase(global, &email).await,
        Command::Survey(SurveyCommand::Export { id, out }) => surveys::export(global, &id, &out).await,
        Command::Survey(SurveyCommand::Import { file }) => surveys::import(global, &file).await,
    }
}

impl From<analysis::AnalysisError> for CliError {
    fn from(e: analysis::AnalysisError) -> Self {
        if e.is_bad_input() { CliError::Usage(e.to_string()) } else { failed("analysis")(e) }
    }
}

impl From<export::LoadError> for CliError {
    fn from(e: export::LoadError) -> Self {
        match e {
            export::LoadError::Analysis(a) => a.into(),
            export::LoadError::Db(d) => failed("database")(d),
            e @ (export::LoadError::Store(_) | export::LoadError::Worker(_)) => failed("analysis")(e),
        }
    }
}
