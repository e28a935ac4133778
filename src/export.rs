//! The raw export of analysis.md, loaded from the database into
//! [`analysis::Tables`] by streaming rows (no ORM objects), so a large
//! organisation loads in seconds. Free text never leaves: no comment, no
//! friction description, no prompt beyond the question text.

use crate::progress::Progress;
use analysis::{Cell, TableData, Tables};
use chrono::NaiveDate;
use futures_util::StreamExt;
use sea_orm::{DatabaseConnection, DbErr, QueryResult, Statement, StreamTrait};

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct Load {
    /// The anonymity guard of the export with this k (analysis.md): every
    /// team hidden in a cycle loses its id in `responses` and `participation`
    /// (see [`analysis::guard_export`]).
    pub k_rule: Option<u32>,
    /// Only the responses and answers of these cycles (all closed cycles when
    /// `None`: an open cycle's answers never leave).
    pub cycles: Option<Vec<String>>,
}

/// Why loading failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Analysis(#[from] analysis::AnalysisError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The blocking thread of the arithmetic failed (a panic).
    #[error("analysis thread: {0}")]
    Worker(String),
}

fn s(r: &QueryResult, c: &str) -> Result<Cell, DbErr> {
    Ok(Cell::Str(r.try_get::<Option<String>>("", c)?))
}

fn i(r: &QueryResult, c: &str) -> Result<Cell, DbErr> {
    // Counts are BIGINT; stored columns are INTEGER (i32) on PostgreSQL.
    Ok(Cell::Int(match r.try_get::<Option<i64>>("", c) {
        Ok(v) => v,
        Err(_) => r.try_get::<Option<i32>>("", c)?.map(i64::from),
    }))
}

fn f(r: &QueryResult, c: &str) -> Result<Cell, DbErr> {
    Ok(Cell::Float(r.try_get::<Option<f64>>("", c)?))
}

fn d(r: &QueryResult, c: &str) -> Result<Cell, DbErr> {
    Ok(Cell::Str(r.try_get::<Option<NaiveDate>>("", c)?.map(|d| d.format("%Y-%m-%d").to_string())))
}

/// Streams the rows of `sql` into a table of the contract.
async fn fill(
    db: &DatabaseConnection,
    table: &str,
    sql: &str,
    row: impl Fn(&QueryResult) -> Result<Vec<Cell>, DbErr>,
) -> Result<TableData, LoadError> {
    let mut data = TableData::new(table);
    let mut stream = db.stream_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await?;
    while let Some(r) = stream.next().await {
        data.push(row(&r?)?)?;
    }
    Ok(data)
}

fn id_list(ids: &[String]) -> String {
    ids.iter().map(|id| format!("'{}'", id.replace('\'', "''"))).collect::<Vec<_>>().join(", ")
}

/// The tables other than responses and answers (small). Participation
/// carries each team's group as the cycle recorded it ("groups are frozen").
async fn meta(db: &DatabaseConnection) -> Result<Vec<TableData>, LoadError> {
    Ok(vec![
        fill(
            db,
            "teams",
            "SELECT t.team_id, t.slug, t.name, t.group_name, t.kind, \
             (SELECT COUNT(*) FROM members m WHERE m.team_id = t.team_id AND m.active = true) AS headcount \
             FROM teams t ORDER BY t.slug",
            |r| Ok(vec![s(r, "team_id")?, s(r, "slug")?, s(r, "name")?, s(r, "group_name")?, s(r, "kind")?, i(r, "headcount")?]),
        )
        .await?,
        fill(db, "areas", "SELECT area_id, name, dimension FROM areas ORDER BY position, area_id", |r| {
            Ok(vec![s(r, "area_id")?, s(r, "name")?, s(r, "dimension")?])
        })
        .await?,
        fill(db, "surveys", "SELECT survey_id, title, cadence FROM surveys ORDER BY created_at, survey_id", |r| {
            Ok(vec![s(r, "survey_id")?, s(r, "title")?, s(r, "cadence")?])
        })
        .await?,
        fill(
            db,
            "questions",
            "SELECT question_id, survey_id, position, kind, area_id, prompt FROM questions ORDER BY survey_id, position",
            |r| Ok(vec![s(r, "question_id")?, s(r, "survey_id")?, i(r, "position")?, s(r, "kind")?, s(r, "area_id")?, s(r, "prompt")?]),
        )
        .await?,
        fill(db, "cycles", "SELECT cycle_id, survey_id, opens_on, closes_on, status FROM cycles ORDER BY opens_on, cycle_id", |r| {
            Ok(vec![s(r, "cycle_id")?, s(r, "survey_id")?, d(r, "opens_on")?, d(r, "closes_on")?, s(r, "status")?])
        })
        .await?,
        fill(
            db,
            "participation",
            "SELECT i.cycle_id, i.team_id, COUNT(*) AS invited, SUM(CASE WHEN i.used THEN 1 ELSE 0 END) AS responded, \
             ct.group_name FROM invitations i \
             LEFT JOIN cycle_teams ct ON ct.cycle_id = i.cycle_id AND ct.team_id = i.team_id \
             GROUP BY i.cycle_id, i.team_id, ct.group_name ORDER BY i.cycle_id, i.team_id",
            |r| {
                Ok(vec![s(r, "cycle_id")?, s(r, "team_id")?, i(r, "invited")?, i(r, "responded")?, s(r, "group_name")?])
            },
        )
        .await?,
        fill(
            db,
            "friction_reports",
            "SELECT report_id, team_id, area_id, created_on, minutes_lost, frequency, severity, status, me_too, \
             resolved_on, duplicate_of FROM friction_reports ORDER BY created_at, report_id",
            |r| {
                Ok(vec![
                    s(r, "report_id")?,
                    s(r, "team_id")?,
                    s(r, "area_id")?,
                    d(r, "created_on")?,
                    i(r, "minutes_lost")?,
                    s(r, "frequency")?,
                    i(r, "severity")?,
                    s(r, "status")?,
                    i(r, "me_too")?,
                    d(r, "resolved_on")?,
                    s(r, "duplicate_of")?,
                ])
            },
        )
        .await?,
        fill(db, "roadmap_items", "SELECT item_id, title, area_id, status, shipped_on FROM roadmap_items ORDER BY created_at, item_id", |r| {
            Ok(vec![s(r, "item_id")?, s(r, "title")?, s(r, "area_id")?, s(r, "status")?, d(r, "shipped_on")?])
        })
        .await?,
    ])
}

async fn responses(db: &DatabaseConnection, load: &Load) -> Result<TableData, LoadError> {
    fill(
        db,
        "responses",
        &format!(
            "SELECT r.response_id, r.cycle_id, r.team_id, r.submitted_on FROM responses r{} ORDER BY r.response_id",
            cycle_filter(load)
        ),
        |r| Ok(vec![s(r, "response_id")?, s(r, "cycle_id")?, s(r, "team_id")?, d(r, "submitted_on")?]),
    )
    .await
}

async fn answers(db: &DatabaseConnection, load: &Load) -> Result<TableData, LoadError> {
    fill(
        db,
        "answers",
        &format!(
            "SELECT a.response_id, a.question_id, a.value_num, a.choice FROM answers a \
             JOIN responses r ON r.response_id = a.response_id{} ORDER BY a.response_id, a.question_id, a.choice",
            cycle_filter(load)
        ),
        |r| Ok(vec![s(r, "response_id")?, s(r, "question_id")?, f(r, "value_num")?, s(r, "choice")?]),
    )
    .await
}

fn cycle_filter(load: &Load) -> String {
    match &load.cycles {
        Some(ids) if ids.is_empty() => " WHERE 1 = 0".to_string(),
        Some(ids) => format!(" WHERE r.cycle_id IN ({})", id_list(ids)),
        None => " WHERE r.cycle_id IN (SELECT cycle_id FROM cycles WHERE status = 'closed')".to_string(),
    }
}

/// Loads the export tables.
pub async fn load(db: &DatabaseConnection, load: &Load, progress: &Progress) -> Result<Tables, LoadError> {
    progress.step("teams, surveys, cycles, friction, roadmap");
    let mut data = meta(db).await?;
    progress.step("responses");
    data.push(responses(db, load).await?);
    progress.step("answers");
    data.push(answers(db, load).await?);
    let mut tables = Tables::from_data(data)?;
    if let Some(k) = load.k_rule {
        analysis::guard_export(&mut tables, k)?;
    }
    Ok(tables)
}

/// Whose counts a report needs.
#[derive(Debug, Clone, Copy)]
pub enum Counts<'a> {
    /// Every closed cycle (trends, the overview, effects).
    All,
    /// One closed cycle (the latest when `None`) and the closed one before it.
    Cycle(Option<&'a str>),
}

/// Loads what reports need: the small tables and the kept counts of the
/// closed cycles ([`crate::store::counts`]); no response or answer row.
pub async fn load_for_reports(
    db: &DatabaseConnection,
    counts: Counts<'_>,
    progress: &Progress,
) -> Result<Tables, LoadError> {
    progress.step("teams, surveys, cycles, friction, roadmap");
    let mut data = meta(db).await?;
    data.push(TableData::new("responses"));
    data.push(TableData::new("answers"));
    let mut tables = Tables::from_data(data)?;
    let ids = match counts {
        Counts::All => None,
        Counts::Cycle(id) => {
            let (target, previous) = analysis::resolve_cycle(&tables, id)?;
            Some(std::iter::once(target.cycle_id).chain(previous.map(|p| p.cycle_id)).collect::<Vec<_>>())
        }
    };
    progress.step("counts of the closed cycles");
    tables.set_aggregates(crate::store::counts::closed(db, ids.as_deref()).await?);
    Ok(tables)
}
