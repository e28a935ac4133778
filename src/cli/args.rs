//! The command line's arguments (clap derive): one struct per command.

use crate::config;
use crate::report::OutputFormat;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
    /// Surveys as code: export a survey to a TOML file, import one
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// Members: print a member's personal link, or erase a person
    #[command(subcommand)]
    Member(MemberCommand),
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
    #[arg(long, default_value = "0.4,0.3,0.3", value_parser = str::parse::<analysis::Weights>)]
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
    /// Seconds of the sign-in throttle's window (5 failures per email, 50 per address)
    #[arg(long, env = "DEVPULSE_SIGNIN_WINDOW_SECONDS", default_value_t = config::DEFAULT_SIGNIN_WINDOW_SECONDS,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub signin_window_seconds: u64,
    /// The organisation's time zone (IANA name): cycles open and close on its days
    #[arg(long, env = "DEVPULSE_TIMEZONE", default_value = "UTC", value_parser = str::parse::<chrono_tz::Tz>)]
    pub timezone: chrono_tz::Tz,
    /// Responses a scope needs before its free-text comments show (never below k)
    #[arg(long, env = "DEVPULSE_COMMENT_K", default_value_t = config::DEFAULT_COMMENT_K,
          value_parser = clap::value_parser!(u32).range(3..=100_000))]
    pub comment_k: u32,
    /// Seconds before the first retry of an email the SMTP server refused for
    /// now (4xx); doubles with each attempt, capped at an hour
    #[arg(long, env = "DEVPULSE_MAIL_RETRY_SECONDS", default_value_t = config::DEFAULT_MAIL_RETRY_SECONDS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub mail_retry_seconds: u64,
    /// Seconds an instance's claim on an email lasts before another may send it
    #[arg(long, env = "DEVPULSE_MAIL_LOCK_SECONDS", default_value_t = config::DEFAULT_MAIL_LOCK_SECONDS,
          value_parser = clap::value_parser!(u64).range(5..=3600))]
    pub mail_lock_seconds: u64,
    /// Allow webhook URLs on loopback and private addresses (tests, on-premises receivers)
    #[arg(long, env = "DEVPULSE_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub webhook_allow_private: bool,
    /// Language of pages and emails for members without one (en, de)
    #[arg(long, env = "DEVPULSE_DEFAULT_LANG", default_value = "en", value_parser = config::parse_default_lang)]
    pub default_lang: &'static str,
    /// OpenID Connect issuer for single sign-on to the console (e.g. https://login.example.com)
    #[arg(long, env = "DEVPULSE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// devpulse's client id at the OpenID provider
    #[arg(long, env = "DEVPULSE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// devpulse's client secret at the OpenID provider
    #[arg(long, env = "DEVPULSE_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// Who may sign in through the provider: emails and @domains, comma-separated
    #[arg(long, env = "DEVPULSE_OIDC_ADMINS", default_value = "")]
    pub oidc_admins: String,
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
    /// Leave no cycle open (by default one is open now, with some answers in)
    #[arg(long)]
    pub no_open_cycle: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin; the password is read from standard input (at least 12 characters)
    Add { email: String },
    /// Set an admin's password (read from standard input) and end their sessions
    ResetPassword { email: String },
    /// Remove an admin and end their sessions (never the last one)
    Remove { email: String },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Print a member's personal page link (it is derived, never stored)
    Link {
        email: String,
        /// Base of the link
        #[arg(long, env = "DEVPULSE_BASE_URL", default_value = config::DEFAULT_BASE_URL)]
        base_url: String,
    },
    /// Erase a person (GDPR): their member record, personal link, follow-up links, me-too votes and
    /// every email to them; their invitations stay as anonymous rows, so past participation does not
    /// change. Cannot be undone
    Erase { email: String },
}

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Write a survey as a TOML file to keep in version control
    Export {
        /// The survey's id
        id: String,
        /// The file to write (`-` for standard output)
        #[arg(long)]
        out: PathBuf,
    },
    /// Create or update the survey a TOML file describes; an unchanged file changes nothing
    Import {
        /// The TOML file
        file: PathBuf,
    },
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
