//! Queries and rules over the entities. Each module owns one part of the
//! domain; all of them return [`StoreError`], which the HTTP layer maps once.

pub mod admins;
pub mod areas;
pub mod audit;
pub mod comments;
pub mod counts;
pub mod cycles;
pub mod erasure;
pub mod friction;
pub mod import;
pub mod invitations;
pub mod kpis;
pub mod members;
pub mod outbox;
pub mod participation;
pub mod rate;
pub mod responses;
pub mod roadmap;
pub mod sessions;
pub mod settings;
pub mod sso;
pub mod submissions;
pub mod survey_import;
pub mod surveys;
pub mod teams;
pub mod throttle;
pub mod tokens;
pub mod version;
pub mod webhooks;

use crate::domain::FieldError;
use base64::Engine;
use rand::RngCore;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqlErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// What can go wrong below the HTTP layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A change a cycle's being open forbids (its survey's questions).
    #[error("{0}")]
    CycleOpen(String),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// Unreachable, or busy past the time we wait (see [`is_unavailable`]).
    #[error("database unavailable")]
    Unavailable(#[source] DbErr),
    /// Over an hourly limit kept in the database: seconds until the next hour.
    #[error("too many requests; try again in {0} seconds")]
    Limited(u64),
    #[error("database error")]
    Db(#[source] DbErr),
    /// An email template failed to render.
    #[error("rendering the {what} email")]
    Render {
        what: &'static str,
        #[source]
        source: tera::Error,
    },
    /// Something the database should guarantee does not hold.
    #[error("{0}")]
    Broken(String),
}

impl StoreError {
    /// For `map_err` on an email render: keeps the template error as the cause.
    pub fn render(what: &'static str) -> impl FnOnce(tera::Error) -> StoreError {
        move |source| StoreError::Render { what, source }
    }
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match &e {
            _ if is_unavailable(&e) => StoreError::Unavailable(e),
            _ if refuses_nul(&e) => {
                tracing::info!(error = %e, "text with a NUL character refused by the database");
                StoreError::Invalid(crate::domain::FieldError::new(
                    "input",
                    "must not contain NUL characters (in the path, the query or the body)",
                ))
            }
            _ => match e.sql_err() {
                // The database's own wording (constraint and column names) stays in the log.
                Some(SqlErr::UniqueConstraintViolation(m)) => {
                    tracing::info!(detail = %m, "unique constraint");
                    StoreError::Conflict("this already exists".into())
                }
                _ => StoreError::Db(e),
            },
        }
    }
}

/// What the databases say when another writer held them for longer than we
/// waited (SQLite's busy timeout ran out; PostgreSQL found a deadlock or a
/// serialization failure or a lock timeout).
const BUSY: [&str; 5] = [
    "database is locked",
    "database table is locked",
    "deadlock detected",
    "could not serialize access",
    "lock timeout",
];

/// What they say when they cannot take writes or answer at all for now: a
/// full disk, a read-only or failing file (SQLite), a server that stopped,
/// restarts or is unreachable (PostgreSQL; the connection's own error).
const OUTAGE: [&str; 14] = [
    "database or disk is full",
    "attempt to write a readonly database",
    "disk I/O error",
    "unable to open database file",
    "No space left on device",
    "Read-only file system",
    "error communicating with database",
    "connection closed",
    "terminating connection due to administrator command",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "Connection refused",
    "pool timed out",
];

/// Whether `e` is PostgreSQL refusing text with a NUL character (`\u0000`),
/// which it cannot store: an identifier, a token or a search term that the
/// request carried and no parser looked at closer. Bad input, not a bug.
fn refuses_nul(e: &DbErr) -> bool {
    let text = e.to_string();
    text.contains("invalid byte sequence for encoding \"UTF8\": 0x00") || text.contains("unsupported Unicode escape")
}

/// Whether `e` is a database that is busy or out for now rather than bad
/// input or a bug (see [`BUSY`] and [`OUTAGE`]): it answers 503 with
/// `Retry-After`, never 500, and nothing was written.
pub fn is_unavailable(e: &DbErr) -> bool {
    if matches!(e, DbErr::Conn(_) | DbErr::ConnectionAcquire(_)) {
        return true;
    }
    let text = e.to_string();
    BUSY.iter().chain(OUTAGE.iter()).any(|m| text.contains(m))
}

/// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write
/// lock is taken at once, where the busy timeout makes it wait its turn. A
/// plain (deferred) transaction that reads first takes the lock at its first
/// write, and if another writer committed meanwhile SQLite answers
/// "database is locked" at once, busy timeout or not. On PostgreSQL it is a
/// plain `BEGIN`. Every transaction that writes starts here.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// [`begin_write`] in its turn at `gate`: on SQLite writers then wait
/// in-process, first come first served, instead of sleeping in SQLite's busy
/// handler (1 ms, then 2, 5, 10 ... 100 ms at a time, while the lock may
/// long be free). End it with [`Turn::finish`].
pub async fn begin_turn<'g>(db: &DatabaseConnection, gate: &'g crate::db::WriteGate) -> Result<Turn<'g>, DbErr> {
    let gate = gate.enter().await;
    Ok(Turn { txn: begin_write(db).await?, _gate: gate })
}

/// A write transaction in its turn at the write gate ([`begin_turn`]).
pub struct Turn<'g> {
    pub txn: DatabaseTransaction,
    _gate: Option<tokio::sync::MutexGuard<'g, ()>>,
}

impl Turn<'_> {
    /// Commits on success, rolls back on failure, then passes the turn on.
    /// The rollback is awaited: a dropped transaction only starts one, and
    /// the next writer would find SQLite's lock still held.
    pub async fn finish<T, E: From<DbErr>>(self, outcome: Result<T, E>) -> Result<T, E> {
        match outcome {
            Ok(v) => {
                self.txn.commit().await?;
                Ok(v)
            }
            Err(e) => {
                if let Err(r) = self.txn.rollback().await {
                    tracing::warn!(error = %r, "rolling back a refused write failed");
                }
                Err(e)
            }
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A random, non-sequential identifier (UUID v4, hyphenated).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `n` random bytes from the OS generator, base64url without padding.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex; what we store instead of the secret.
pub fn hash_secret(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 of `data` under `secret`, in the domain `domain` (so keys of
/// different uses never collide), hex. What counters store instead of what
/// they count (an email, an address, a member id).
pub fn keyed_hash(secret: &str, domain: &str, data: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(domain.as_bytes());
    mac.update(b":");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// One page of a keyset-paginated list.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The sort key of the last item, when more items follow.
    pub next_after: Option<String>,
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone)]
pub struct PageParams {
    pub limit: u64,
    /// Items with a sort key strictly greater than this come next.
    pub after: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in key order.
    pub fn from_rows(mut rows: Vec<T>, params: &PageParams, key: impl Fn(&T) -> String) -> Self {
        let more = rows.len() as u64 > params.limit;
        rows.truncate(params.limit as usize);
        let next_after = if more { rows.last().map(key) } else { None };
        Page { items: rows, next_after }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_after: self.next_after }
    }
}

/// A short required name (1..=200 characters, trimmed).
pub fn required_name(field: &str, value: &str) -> Result<String, FieldError> {
    crate::domain::required_text(field, value, 200)
}
