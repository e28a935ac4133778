//! Importing members from CSV (`email,team[,lead[,lang]]`): a preview that names
//! every bad line, then the import itself, all lines or none, in one
//! transaction. A byte-order mark, CRLF line ends, a header line and blank
//! lines are fine.

use super::teams::{self, Added};
use super::{StoreError, StoreResult};
use crate::domain::{Email, FieldError, Lang};
use crate::email::Emails;
use crate::entities::{member, team};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};

/// Largest CSV accepted, in bytes (about 20,000 lines).
pub const MAX_BYTES: usize = 1024 * 1024;

/// A good line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    pub line: usize,
    pub email: String,
    pub team: String,
    pub lead: bool,
    /// `en`, `de`; blank: the organisation's default.
    pub lang: Option<Lang>,
}

/// A bad line and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    pub line: usize,
    pub text: String,
    pub message: String,
}

fn lead(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => Some(false),
        "true" | "yes" | "1" | "lead" => Some(true),
        _ => None,
    }
}

/// Parses the CSV against the known team slugs: good rows and problems.
pub fn parse(text: &str, teams: &HashSet<String>) -> (Vec<Row>, Vec<Problem>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let shown = raw.trim_end_matches('\r');
        let mut problem = |message: String| problems.push(Problem { line, text: shown.to_string(), message });
        let fields: Vec<&str> = shown.split(',').map(str::trim).collect();
        if shown.trim().is_empty() || (line == 1 && fields[0].eq_ignore_ascii_case("email")) {
            continue;
        }
        if !(2..=4).contains(&fields.len()) {
            problem("expected email,team or email,team,lead or email,team,lead,lang".into());
            continue;
        }
        let email = match Email::parse("email", fields[0]) {
            Ok(e) => e,
            Err(e) => {
                problem(e.message);
                continue;
            }
        };
        if !teams.contains(fields[1]) {
            problem(format!("unknown team {:?}", fields[1]));
            continue;
        }
        let Some(lead) = lead(fields.get(2).copied().unwrap_or("")) else {
            problem(format!("lead must be true or false, not {:?}", fields[2]));
            continue;
        };
        let lang = match fields.get(3).copied().unwrap_or("") {
            "" => None,
            l => match Lang::parse("lang", &l.to_ascii_lowercase()) {
                Ok(l) => Some(l),
                Err(e) => {
                    problem(e.message);
                    continue;
                }
            },
        };
        if let Some(first) = seen.insert(email.to_string(), line) {
            problem(format!("{email} is already on line {first}"));
            continue;
        }
        rows.push(Row { line, email: email.to_string(), team: fields[1].to_string(), lead, lang });
    }
    (rows, problems)
}

/// The preview: every line checked, against the database too (a person
/// already active in another team is a problem).
pub async fn preview(conn: &impl ConnectionTrait, text: &str) -> StoreResult<(Vec<Row>, Vec<Problem>)> {
    if text.len() > MAX_BYTES {
        return Err(FieldError::new("csv", format!("is larger than {} KiB; split it", MAX_BYTES / 1024)).into());
    }
    let teams: HashMap<String, String> =
        team::Entity::find().all(conn).await?.into_iter().map(|t| (t.slug, t.team_id)).collect();
    let (rows, mut problems) = parse(text, &teams.keys().cloned().collect());
    let active: HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Active.eq(true))
        .filter(member::Column::Email.is_in(rows.iter().map(|r| r.email.clone())))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.email, m.team_id))
        .collect();
    let mut good = Vec::new();
    for r in rows {
        match active.get(&r.email) {
            Some(t) => {
                let which = if teams.get(&r.team) == Some(t) { "this team" } else { "another team" };
                problems.push(Problem {
                    line: r.line,
                    text: format!("{},{}", r.email, r.team),
                    message: format!("{} is already an active member of {which}", r.email),
                });
            }
            None => good.push(r),
        }
    }
    problems.sort_by_key(|p| p.line);
    Ok((good, problems))
}

/// Imports the CSV: all its lines, each with a welcome email, or nothing
/// when any line has a problem. Returns how many members were added.
pub async fn import(db: &DatabaseConnection, emails: &Emails, actor: &str, text: &str) -> StoreResult<usize> {
    let txn = super::begin_write(db).await?;
    let (rows, problems) = preview(&txn, text).await?;
    if let Some(p) = problems.first() {
        let message =
            format!("line {}: {} ({} problem(s) in all); nothing was imported", p.line, p.message, problems.len());
        return Err(StoreError::Invalid(FieldError::new("csv", message)));
    }
    for r in &rows {
        let team = teams::by_slug(&txn, &r.team).await?;
        let email = Email::parse("email", &r.email)?;
        let _: Added =
            teams::add_member_in(&txn, emails, actor, &team, &email, teams::Joining { lead: r.lead, lang: r.lang })
                .await?;
    }
    txn.commit().await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn teams() -> HashSet<String> {
        ["core", "edge"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bad_lines_are_named_and_good_ones_kept() {
        let csv = "\u{feff}email,team,lead\r\nada@x.io,core,true\r\nnot-an-email,core\r\nbob@x.io,nowhere\r\n\r\nADA@x.io,edge\r\ncy@x.io,edge,maybe\r\ndee@x.io,edge,\r\n";
        let (rows, problems) = parse(csv, &teams());
        assert_eq!(
            rows.iter().map(|r| (r.line, r.email.as_str(), r.lead)).collect::<Vec<_>>(),
            [(2, "ada@x.io", true), (8, "dee@x.io", false)]
        );
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 6, 7]);
        assert!(problems[1].message.contains("unknown team") && problems[2].message.contains("line 2"));
        assert!(!problems.iter().any(|p| p.text.contains('\r')));
    }

    proptest! {
        #[test]
        fn any_text_gives_each_nonblank_line_one_verdict(text in "[a-z@.,\\r\\n \u{feff}]{0,200}") {
            let (rows, problems) = parse(&text, &teams());
            let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let header = |i: usize, l: &str| i == 0 && l.split(',').next().is_some_and(|f| f.trim().eq_ignore_ascii_case("email"));
            let nonblank = body
                .split('\n')
                .enumerate()
                .map(|(i, l)| (i, l.trim_end_matches('\r')))
                .filter(|(i, l)| !l.trim().is_empty() && !header(*i, l))
                .count();
            prop_assert_eq!(rows.len() + problems.len(), nonblank);
        }
    }
}
