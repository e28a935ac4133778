//! Opening the database (SQLite in WAL mode with foreign keys, a busy
//! timeout and secure delete, or PostgreSQL) and applying migrations.

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, TransactionTrait};
use std::time::Duration;

/// Why the database could not be opened, in one line.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("DATABASE_URL {0:?} is not supported: use sqlite://PATH?mode=rwc or postgres://USER@HOST/DB")]
    Unsupported(String),
    #[error("cannot open the database at {url}: {reason}")]
    Connect { url: String, reason: String },
}

/// Opens the database at `url`.
///
/// A connection that comes back to the pool still inside a transaction is
/// closed, not reused. That happens when a commit fails on a full disk or a
/// read-only file: SQLite may roll the transaction back by itself, the
/// driver's ROLLBACK then fails and its count of open transactions stays at
/// one, so the next "transaction" on that connection would be a savepoint
/// inside a transaction that never ends, holding the write lock, and its
/// "commit" would commit nothing. Closing the connection ends it for sure.
pub async fn connect(url: &str) -> Result<DatabaseConnection, OpenError> {
    let shown = redact(url);
    let is_sqlite = url.starts_with("sqlite:");
    if !is_sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        return Err(OpenError::Unsupported(shown));
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(10));
    if is_sqlite {
        opts.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            // secure_delete: deleted and overwritten content (sent emails'
            // bodies, rebuilt tables) is zeroed in the file, not left in free pages.
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("secure_delete", "ON")
                // No memory map: the file grows with every batch of
                // submissions, and each connection then mapped it again
                // (unmapping and page faults took a third of the CPU:
                // 1,639 submissions/s with a 256 MiB map, 2,376/s without).
                .pragma("mmap_size", "0")
                .pragma("cache_size", "-32768")
        });
        opts.map_sqlx_sqlite_pool_opts(|p| {
            p.after_release(|conn, _| Box::pin(async move { Ok(!sea_orm::sqlx::Connection::is_in_transaction(conn)) }))
        });
    } else {
        // Each survey submission holds a connection for its transaction:
        // 16 served 16 concurrent submitters at 1,406-1,708/s (10: 1,443/s;
        // 24: 1,316-1,321/s).
        opts.max_connections(16).min_connections(1).map_sqlx_postgres_pool_opts(|p| {
            p.after_release(|conn, _| Box::pin(async move { Ok(!sea_orm::sqlx::Connection::is_in_transaction(conn)) }))
        });
    }
    let db =
        Database::connect(opts).await.map_err(|e| OpenError::Connect { url: shown.clone(), reason: one_line(&e) })?;
    // Some failures (an unwritable file) only show on the first real statement.
    db.execute_unprepared("SELECT 1").await.map_err(|e| OpenError::Connect { url: shown, reason: one_line(&e) })?;
    Ok(db)
}

/// Applies pending migrations. On PostgreSQL an advisory lock makes several
/// instances starting at once take turns.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7283460120345)").await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await
    } else {
        Migrator::up(db, None).await
    }
}

/// Whether the database answers.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

fn one_line(e: &DbErr) -> String {
    e.to_string().lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// The URL without a password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..s], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db?mode=rwc"), "sqlite://x.db?mode=rwc");
    }
}

/// Serialises write transactions inside one process on SQLite, which takes
/// one writer at a time anyway: writers then queue here instead of sleeping in
/// SQLite's busy handler, which cuts tail latency under load. On PostgreSQL
/// it does nothing.
#[derive(Default)]
pub struct WriteGate(Option<tokio::sync::Mutex<()>>);

impl WriteGate {
    pub fn for_backend(backend: DbBackend) -> Self {
        WriteGate((backend == DbBackend::Sqlite).then(|| tokio::sync::Mutex::new(())))
    }

    /// Whether writers take turns (SQLite).
    pub fn is_serial(&self) -> bool {
        self.0.is_some()
    }

    /// Holds the gate until the guard is dropped (no-op on PostgreSQL).
    pub async fn enter(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.0 {
            Some(m) => Some(m.lock().await),
            None => None,
        }
    }
}
