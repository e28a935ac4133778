//! The report version (migration 000010): every write that can change a
//! closed cycle's report moves it on after its commit, and an instance that
//! keeps reports in memory ([`crate::insights::ReportCache`]) serves one only
//! while the version it was computed at is still the current one.
//!
//! Read the version before the data a report is computed from: the data is
//! then at least as new as the version, never older, so a report is never
//! kept under a version newer than what it shows.

use super::StoreResult;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The current version.
pub async fn current(db: &DatabaseConnection) -> StoreResult<i64> {
    let sql = match db.get_database_backend() {
        // Before its first nextval a sequence says last_value 1, as after it.
        DbBackend::Postgres => "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS v FROM report_version",
        _ => "SELECT CAST(value AS INTEGER) AS v FROM settings WHERE key = 'report_version'",
    };
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "v")?,
        None => 0,
    })
}

/// Moves the version on. Called after the write committed (a report read in
/// between is at least as new as the version it is kept under). On
/// PostgreSQL a sequence: no row lock, so writers never queue on it.
pub async fn bump(db: &DatabaseConnection) -> StoreResult<()> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => "SELECT nextval('report_version')",
        _ => "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'report_version'",
    };
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(())
}

/// Whether a request that succeeded may have changed a closed cycle's
/// report: every write of the API, the console and the member pages, except
/// survey submissions (they go to open cycles, which reports never read).
pub fn changes_reports(method: &actix_web::http::Method, path: &str) -> bool {
    use actix_web::http::Method;
    matches!(*method, Method::POST | Method::PATCH | Method::PUT | Method::DELETE)
        && path != "/api/v1/responses"
        && !path.starts_with("/s/")
        && path != "/admin/login"
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;

    #[test]
    fn submissions_and_reads_leave_the_version_alone() {
        assert!(super::changes_reports(&Method::POST, "/api/v1/friction"));
        assert!(super::changes_reports(&Method::POST, "/api/v1/friction/x/me-too"));
        assert!(super::changes_reports(&Method::PATCH, "/api/v1/roadmap/x"));
        assert!(super::changes_reports(&Method::POST, "/p/token/friction"));
        assert!(!super::changes_reports(&Method::POST, "/api/v1/responses"));
        assert!(!super::changes_reports(&Method::POST, "/s/token"));
        assert!(!super::changes_reports(&Method::GET, "/api/v1/friction"));
    }
}
