//! `devpulse survey export` and `devpulse survey import`: surveys as code
//! (`crate::survey_doc`). Errors of a file name its line and field, exit 2,
//! and write nothing.

use super::{CliError, GlobalArgs, failed, open};
use crate::store::{StoreError, survey_import, surveys};
use crate::survey_doc;
use std::path::Path;

/// Writes the survey `id` as a TOML file (`-` for standard output).
pub async fn export(global: &GlobalArgs, id: &str, out: &Path) -> Result<(), CliError> {
    let db = open(global).await?;
    let full = surveys::get(&db, id).await?;
    let text = survey_doc::to_toml(&full);
    if out == Path::new("-") {
        print!("{text}");
        return Ok(());
    }
    // Written beside the target, then renamed: never half a file.
    let tmp = out.with_extension("toml.part");
    std::fs::write(&tmp, &text).map_err(failed(&format!("writing {}", tmp.display())))?;
    std::fs::rename(&tmp, out).map_err(failed(&format!("writing {}", out.display())))?;
    eprintln!("survey {id} ({} questions) written to {}", full.questions.len(), out.display());
    Ok(())
}

/// Creates or updates the survey a TOML file describes.
pub async fn import(global: &GlobalArgs, file: &Path) -> Result<(), CliError> {
    let name = file.display();
    let text = std::fs::read_to_string(file).map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
    let parsed = survey_doc::from_toml(&text).map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
    let db = open(global).await?;
    let (done, full) = match parsed.survey_id {
        Some(id) => survey_import::import(&db, "cli", &id, parsed.survey).await,
        None => surveys::create(&db, "cli", parsed.survey).await.map(|f| (survey_import::Imported::Created, f)),
    }
    .map_err(|e| match e {
        StoreError::Invalid(f) => CliError::Usage(format!("{name}: {}", survey_doc::at_field(&text, f))),
        other => other.into(),
    })?;
    println!("{}: survey {} {} ({} questions)", name, full.survey.survey_id, done.as_str(), full.questions.len());
    Ok(())
}
