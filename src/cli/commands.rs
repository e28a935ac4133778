//! One function per command of the command line (`serve` has its own module).

use super::{
    AnalyzeArgs, CliError, DemoArgs, ExportArgs, ExportFormat, GlobalArgs, ReportArgs, ReportOptions, TokenCommand,
    failed, open,
};
use crate::domain::Email;
use crate::progress::Progress;
use crate::report::OutputFormat;
use crate::{demo, export, report, store};
use std::io::{IsTerminal, Read};

pub async fn demo(global: &GlobalArgs, args: DemoArgs) -> Result<(), CliError> {
    let db = open(global).await?;
    let opts = demo::Options {
        seed: args.seed,
        teams: args.teams,
        people: args.people,
        cycles: args.cycles,
        friction: args.friction,
        open_cycle: !args.no_open_cycle,
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

/// An admin's email, and the hash of the password read from standard input.
async fn email_and_password(email: &str) -> Result<(Email, String), CliError> {
    let email = Email::parse("email", email).map_err(|e| CliError::Usage(e.to_string()))?;
    let password = read_password()?;
    let hash = tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(failed("hashing the password"))?;
    Ok((email, hash))
}

pub async fn admin_add(global: &GlobalArgs, email: &str) -> Result<(), CliError> {
    let (email, hash) = email_and_password(email).await?;
    let db = open(global).await?;
    store::admins::create(&db, &email, hash).await?;
    println!("admin {email} created");
    Ok(())
}

pub async fn admin_reset_password(global: &GlobalArgs, email: &str) -> Result<(), CliError> {
    let (email, hash) = email_and_password(email).await?;
    let db = open(global).await?;
    store::admins::set_password(&db, "cli", email.as_str(), hash).await?;
    println!("password of {email} reset; their sessions have ended");
    Ok(())
}

pub async fn admin_remove(global: &GlobalArgs, email: &str) -> Result<(), CliError> {
    let email = Email::parse("email", email).map_err(|e| CliError::Usage(e.to_string()))?;
    let db = open(global).await?;
    store::admins::remove(&db, "cli", email.as_str()).await?;
    println!("admin {email} removed; their sessions have ended");
    Ok(())
}

pub async fn report(global: &GlobalArgs, args: ReportArgs) -> Result<(), CliError> {
    let progress = Progress::on_terminal("report");
    let db = open(global).await?;
    let tables = export::load_for_reports(&db, export::Counts::Cycle(args.options.cycle.as_deref()), &progress).await?;
    compute_and_write(tables, &args.options, global.anonymity_k, &progress).await
}

pub async fn analyze(global: &GlobalArgs, args: AnalyzeArgs) -> Result<(), CliError> {
    let progress = Progress::on_terminal("analyze");
    let format = analysis::Format::detect(&args.input);
    progress.step(&format!("reading {} ({})", args.input.display(), format.extension()));
    let (input, cycle) = (args.input.clone(), args.options.cycle.clone());
    let tables = tokio::task::spawn_blocking(move || -> Result<analysis::Tables, analysis::AnalysisError> {
        let mut tables = analysis::Tables::read_dir(&input, format)?;
        // Count only the answers of the report's cycle and the one before it.
        let (target, previous) = analysis::resolve_cycle(&tables, cycle.as_deref())?;
        let ids: Vec<&str> =
            std::iter::once(target.cycle_id.as_str()).chain(previous.as_ref().map(|p| p.cycle_id.as_str())).collect();
        let counts = analysis::Aggregates::from_answers_of(&tables, Some(&ids))?;
        tables.set_aggregates(counts);
        Ok(tables)
    })
    .await
    .map_err(failed("reading"))??;
    compute_and_write(tables, &args.options, global.anonymity_k, &progress).await
}

pub async fn export(global: &GlobalArgs, args: ExportArgs) -> Result<(), CliError> {
    let progress = Progress::on_terminal("export");
    let db = open(global).await?;
    let load = export::Load { k_rule: Some(global.anonymity_k), cycles: None };
    let tables = export::load(&db, &load, &progress).await?;
    let format = match args.format {
        ExportFormat::Parquet => analysis::Format::Parquet,
        ExportFormat::Csv => analysis::Format::Csv,
    };
    progress.step(&format!("writing {}", args.out.display()));
    let out = args.out.clone();
    let written =
        tokio::task::spawn_blocking(move || tables.write_dir(&out, format)).await.map_err(failed("writing"))?;
    written.map_err(failed("writing the export"))?;
    eprintln!("export written to {}", args.out.display());
    Ok(())
}

pub async fn token(global: &GlobalArgs, cmd: TokenCommand) -> Result<(), CliError> {
    let db = open(global).await?;
    match cmd {
        TokenCommand::Create { name } => {
            let (row, token) = store::tokens::create(&db, &name).await?;
            eprintln!("API token {:?} created (id {}). It is shown once; keep it secret:", row.name, row.token_id);
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

/// Prints a member's personal page link, built from `DEVPULSE_BASE_URL`.
pub async fn member_link(global: &GlobalArgs, email: &str, base_url: &str) -> Result<(), CliError> {
    let email = Email::parse("email", email).map_err(|e| CliError::Usage(e.to_string()))?;
    let db = open(global).await?;
    let key = store::settings::link_key(&db).await?;
    store::members::upgrade_tokens(&db, &key).await?;
    let token = store::members::token_by_email(&db, &key, email.as_str())
        .await?
        .ok_or_else(|| CliError::Usage(format!("no member {email}")))?;
    println!("{}/p/{token}", base_url.trim_end_matches('/'));
    Ok(())
}

/// Erases a person (see `store::erasure`), audited as done by `cli`.
pub async fn member_erase(global: &GlobalArgs, email: &str) -> Result<(), CliError> {
    let email = Email::parse("email", email).map_err(|e| CliError::Usage(e.to_string()))?;
    let db = open(global).await?;
    let e = store::erasure::erase(&db, "cli", &email).await?;
    // Reports kept by running instances counted their me-too votes.
    store::version::bump(&db).await?;
    println!(
        "{email} erased: {} invitations kept without a name, {} friction reports unlinked, {} me-too votes \
         removed, {} emails deleted, {} audit entries scrubbed",
        e.invitations_kept, e.reports_unlinked, e.votes_removed, e.emails_deleted, e.audit_entries_scrubbed
    );
    Ok(())
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
        report::render(&report, format, &title).map_err(CliError::failed)
    })
    .await
    .map_err(failed("report"))??;
    match &options.out {
        Some(path) => std::fs::write(path, &bytes).map_err(failed(&format!("cannot write {}", path.display())))?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes).and_then(|_| out.flush()).map_err(failed("cannot write the report"))?;
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
