//! The `devpulse` command line. Exit codes: 0 success, 2 bad usage or bad
//! input (one line on stderr), 1 anything else.

use crate::config::{self, Config};
use crate::domain::Email;
use crate::progress::Progress;
use crate::report::OutputFormat;
use crate::{db, demo, export, report, startup, store, telemetry};
use clap::{Args, Parser, Subcommand};
use sea_orm::DatabaseConnection;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "devpulse",
    version,
    about = "Developer-experience surveys and a friction log for platform teams",
    long_about = "Developer-experience surveys and a friction log for platform teams.\n\n\
        Quick start: `devpulse serve --demo` serves a demo organisation on a local SQLite file \
        at http://127.0.0.1:8080. Every option can also be set through the environment \
        variable shown next to it."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database: sqlite://FILE?mode=rwc (embedded) or postgres://USER@HOST/DB
    #[arg(long, env = "DATABASE_URL", default_value = config::DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,
    /// No figure is shown for a group of fewer than k responses (at least 3)
    #[arg(long, env = "DEVPULSE_ANONYMITY_K", default_value_t = config::DEFAULT_K, global = true,
          value_parser = clap::value_parser!(u32).range(config::MIN_K as i64..))]
    pub anonymity_k: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve HTTP (stops cleanly on SIGINT/SIGTERM)
    Serve(ServeArgs),
    /// Apply pending migrations and exit
    Migrate,
    /// Fill an empty database with a realistic, deterministic demo organisation
    Demo(DemoArgs),
    /// Manage platform-team admins
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage API tokens for the JSON API
    #[command(subcommand)]
    Token(TokenCommand),
    /// The roadmap priority report of a closed cycle, from the live database
    Report(ReportArgs),
    /// Write the raw export of analysis.md (one file per table) to a folder
    Export(ExportArgs),
    /// The priority report computed from an export folder, with no database
    Analyze(AnalyzeArgs),
}

#[derive(Debug, Args)]
pub struct ReportOptions {
    /// The cycle to report on (default: the latest closed cycle)
    #[arg(long)]
    pub cycle: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "json")]
    pub format: OutputFormat,
    /// Write to this file instead of standard output
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Weights of survey pain, votes and friction, e.g. 0.4,0.3,0.3
    #[arg(long, default_value = "0.4,0.3,0.3", value_parser = parse_weights)]
    pub weights: analysis::Weights,
    /// Days of friction before the cycle's close that count
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub lookback_days: i64,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub options: ReportOptions,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// An export folder written by `devpulse export` (Parquet or CSV)
    #[arg(long)]
    pub input: PathBuf,
    #[command(flatten)]
    pub options: ReportOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Parquet,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Folder to write (created if needed)
    #[arg(long)]
    pub out: PathBuf,
    /// File format
    #[arg(long, value_enum, default_value = "parquet")]
    pub format: ExportFormat,
}

fn parse_weights(s: &str) -> Result<analysis::Weights, String> {
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|_| format!("{p:?} is not a number")))
        .collect::<Result<_, _>>()?;
    match parts.as_slice() {
        [a, b, c] if parts.iter().all(|w| w.is_finite() && *w >= 0.0) && a + b + c > 0.0 => {
            Ok(analysis::Weights { survey: *a, votes: *b, friction: *c })
        }
        _ => Err("three weights (survey, votes, friction), none negative, not all zero, e.g. 0.4,0.3,0.3".into()),
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen address
    #[arg(long, env = "DEVPULSE_BIND", default_value = config::DEFAULT_BIND)]
    pub bind: String,
    /// Load the demo organisation first when the database is empty
    #[arg(long)]
    pub demo: bool,
    /// Base of the links inside emails
    #[arg(long, env = "DEVPULSE_BASE_URL", default_value = config::DEFAULT_BASE_URL)]
    pub base_url: String,
    /// SMTP server, e.g. smtp://127.0.0.1:2525; unset writes .eml files to the mail dir
    #[arg(long, env = "DEVPULSE_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Where .eml files go when there is no SMTP server
    #[arg(long, env = "DEVPULSE_MAIL_DIR", default_value = config::DEFAULT_MAIL_DIR)]
    pub mail_dir: PathBuf,
    /// Sender of emails
    #[arg(long, env = "DEVPULSE_MAIL_FROM", default_value = config::DEFAULT_MAIL_FROM)]
    pub mail_from: String,
    /// Signs session cookies; generated and stored in the database when unset
    #[arg(long, env = "DEVPULSE_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Seconds between scheduler and mailer passes
    #[arg(long, env = "DEVPULSE_TICK_SECONDS", default_value_t = config::DEFAULT_TICK_SECONDS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub tick_seconds: u64,
    /// Friction reports one member may file per hour
    #[arg(long, env = "DEVPULSE_FRICTION_PER_HOUR", default_value_t = config::DEFAULT_FRICTION_PER_HOUR,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub friction_per_hour: u32,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed: the same seed gives the same organisation
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of teams
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=2000))]
    pub teams: u32,
    /// Number of people in all (default: 5 to 12 per team)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub people: Option<u32>,
    /// Number of closed quarterly cycles
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(0..=40))]
    pub cycles: u32,
    /// Number of friction reports
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub friction: u32,
    /// Replace the organisation of a non-empty database
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin; the password is read from standard input (at least 12 characters)
    Add { email: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it once
    Create { name: String },
    /// List API tokens (never their secrets)
    List,
    /// Revoke a token by id or by name
    Revoke { id_or_name: String },
}

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
    match cli.command {
        Command::Serve(args) => serve(&cli.global, args).await,
        Command::Migrate => {
            open(&cli.global).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Demo(args) => {
            let db = open(&cli.global).await?;
            let opts = demo::Options {
                seed: args.seed,
                teams: args.teams,
                people: args.people,
                cycles: args.cycles,
                friction: args.friction,
            };
            if !demo::is_empty(&db).await? {
                if !args.force {
                    return Err(CliError::Usage(
                        "the database already holds an organisation; pass --force to replace it".into(),
                    ));
                }
                demo::clear(&db).await?;
            }
            let summary = demo::load(&db, &opts, std::io::stderr().is_terminal()).await?;
            println!("{summary}");
            Ok(())
        }
        Command::Admin(AdminCommand::Add { email }) => {
            let email = Email::parse("email", &email).map_err(|e| CliError::Usage(e.to_string()))?;
            let password = read_password()?;
            let db = open(&cli.global).await?;
            let hash = tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
                .await
                .map_err(|e| CliError::Failed(format!("hashing the password: {e}")))?;
            store::admins::create(&db, &email, hash).await?;
            println!("admin {email} created");
            Ok(())
        }
        Command::Report(args) => {
            let progress = Progress::on_terminal("report");
            let db = open(&cli.global).await?;
            let tables = export::load_for_cycle(&db, args.options.cycle.as_deref(), &progress).await?;
            compute_and_write(tables, &args.options, cli.global.anonymity_k, &progress).await
        }
        Command::Analyze(args) => {
            let progress = Progress::on_terminal("analyze");
            let format = analysis::Format::detect(&args.input);
            progress.step(&format!("reading {} ({})", args.input.display(), format.extension()));
            let input = args.input.clone();
            let tables = tokio::task::spawn_blocking(move || analysis::Tables::read_dir(&input, format))
                .await
                .map_err(|e| CliError::Failed(format!("reading: {e}")))??;
            compute_and_write(tables, &args.options, cli.global.anonymity_k, &progress).await
        }
        Command::Export(args) => {
            let progress = Progress::on_terminal("export");
            let db = open(&cli.global).await?;
            let load = export::Load { k_rule: Some(cli.global.anonymity_k), cycles: None };
            let tables = export::load(&db, &load, &progress).await?;
            let format = match args.format {
                ExportFormat::Parquet => analysis::Format::Parquet,
                ExportFormat::Csv => analysis::Format::Csv,
            };
            progress.step(&format!("writing {}", args.out.display()));
            let out = args.out.clone();
            let written = tokio::task::spawn_blocking(move || tables.write_dir(&out, format))
                .await
                .map_err(|e| CliError::Failed(format!("writing: {e}")))?;
            written.map_err(|e| CliError::Failed(e.to_string()))?;
            eprintln!("export written to {}", args.out.display());
            Ok(())
        }
        Command::Token(cmd) => {
            let db = open(&cli.global).await?;
            match cmd {
                TokenCommand::Create { name } => {
                    let (row, token) = store::tokens::create(&db, &name).await?;
                    eprintln!(
                        "API token {:?} created (id {}). It is shown once; keep it secret:",
                        row.name, row.token_id
                    );
                    println!("{token}");
                }
                TokenCommand::List => {
                    for t in store::tokens::list(&db).await? {
                        let state = if t.revoked_at.is_some() { "revoked" } else { "live" };
                        let used = t.last_used_at.map(|d| d.to_rfc3339()).unwrap_or_else(|| "never".into());
                        println!(
                            "{}\t{}\t{}\tcreated {}\tlast used {}",
                            t.token_id,
                            t.name,
                            state,
                            t.created_at.to_rfc3339(),
                            used
                        );
                    }
                }
                TokenCommand::Revoke { id_or_name } => {
                    let t = store::tokens::revoke(&db, &id_or_name).await?;
                    println!("token {} ({}) revoked", t.token_id, t.name);
                }
            }
            Ok(())
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

fn params(options: &ReportOptions, k: u32) -> analysis::Params {
    analysis::Params {
        k,
        weights: options.weights,
        lookback_days: options.lookback_days,
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// Computes, renders and writes the report (CPU work off the async threads).
async fn compute_and_write(
    tables: analysis::Tables,
    options: &ReportOptions,
    k: u32,
    progress: &Progress,
) -> Result<(), CliError> {
    if options.format == OutputFormat::Parquet && options.out.is_none() && std::io::stdout().is_terminal() {
        return Err(CliError::Usage("Parquet is binary: pass --out FILE".into()));
    }
    progress.step("computing");
    let params = params(options, k);
    let cycle = options.cycle.clone();
    let format = options.format;
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, CliError> {
        let report = analysis::priorities(&tables, cycle.as_deref(), &params)?;
        let title = survey_title(&tables, &report.cycle.survey_id);
        report::render(&report, format, &title).map_err(CliError::Failed)
    })
    .await
    .map_err(|e| CliError::Failed(format!("report: {e}")))??;
    match &options.out {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|_| out.flush())
                .map_err(|e| CliError::Failed(format!("cannot write the report: {e}")))?;
        }
    }
    progress.step("done");
    Ok(())
}

/// The title of a survey, from the export tables.
pub fn survey_title(tables: &analysis::Tables, survey_id: &str) -> String {
    let df = tables.get("surveys");
    let (ids, titles) = match (df.column("survey_id"), df.column("title")) {
        (Ok(i), Ok(t)) => (i, t),
        _ => return survey_id.to_string(),
    };
    (0..df.height())
        .find(|i| ids.str().ok().and_then(|c| c.get(*i)) == Some(survey_id))
        .and_then(|i| titles.str().ok().and_then(|c| c.get(i)).map(str::to_string))
        .unwrap_or_else(|| survey_id.to_string())
}

/// The first line of standard input, at least 12 characters.
fn read_password() -> Result<String, CliError> {
    if std::io::stdin().is_terminal() {
        eprintln!("password (at least 12 characters), then Enter:");
    }
    let mut input = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .map_err(|e| CliError::Usage(format!("cannot read the password from standard input: {e}")))?;
    let password = input.lines().next().unwrap_or("").to_string();
    if password.chars().count() < 12 {
        return Err(CliError::Usage("the password must be at least 12 characters (read from standard input)".into()));
    }
    Ok(password)
}

async fn serve(global: &GlobalArgs, args: ServeArgs) -> Result<(), CliError> {
    let config = Config {
        database_url: global.database_url.clone(),
        bind: args.bind,
        base_url: args.base_url,
        smtp_url: args.smtp_url,
        mail_dir: args.mail_dir,
        mail_from: args.mail_from,
        anonymity_k: global.anonymity_k,
        secret_key: args.secret_key,
        tick: std::time::Duration::from_secs(args.tick_seconds),
        friction_per_hour: args.friction_per_hour,
    };
    let db = open(global).await?;
    if args.demo && demo::is_empty(&db).await? {
        let summary = demo::load(&db, &demo::Options::default(), std::io::stderr().is_terminal()).await?;
        tracing::info!("{summary}");
    }
    let listener = std::net::TcpListener::bind(&config.bind)
        .map_err(|e| CliError::Failed(format!("cannot listen on {}: {e}", config.bind)))?;
    let addr = listener.local_addr().map_err(|e| CliError::Failed(e.to_string()))?;
    let state = startup::AppState::new(db, config).await.map_err(|e| CliError::Failed(e.to_string()))?;
    let state = actix_web::web::Data::new(state);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let server = startup::serve(state.clone(), listener, workers, true).map_err(|e| CliError::Failed(e.to_string()))?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(crate::worker::run(state.clone(), state.config.tick, stopped));
    tracing::info!("devpulse serving http://{addr}");
    let served = server.await;
    let _ = stop.send(true);
    let _ = worker.await;
    served.map_err(|e| CliError::Failed(format!("server: {e}")))?;
    state.db.clone().close().await.map_err(|e| CliError::Failed(e.to_string()))?;
    tracing::info!("devpulse stopped");
    Ok(())
}
