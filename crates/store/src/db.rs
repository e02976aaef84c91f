//! The database backends, SQLite and PostgreSQL. Every query is written once, inside
//! [`with_conn!`], which expands it for each backend with its concrete connection
//! type; where the dialects differ, the caller picks the statement by
//! [`Tx::backend`] (see [`locking!`]).
//!
//! What a transaction may rely on differs, and [`Db::write`] and [`Tx::lock`] make up
//! for it: SQLite's write transaction (`BEGIN IMMEDIATE`) holds the whole database's
//! write lock, so a read-then-write can never interleave with another writer;
//! PostgreSQL's (`READ COMMITTED`) runs beside other writers, so each write takes the
//! lock on what it protects ([`Lock`], or a row lock with [`locking!`]) before it reads.

use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::postgres::PgPool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// The settings every SQLite connection is opened with. On a file, the WAL journal,
/// and `synchronous=FULL` set explicitly: a commit returns only once the WAL is
/// flushed to disk, so what the store acknowledged survives a power loss (`NORMAL`
/// would be faster and is not durable). Throughput comes from committing many
/// writes at once (`writer`), not from weaker syncing.
///
/// Temporary storage in memory (`temp_store=MEMORY`): the statement journal a
/// statement of many rows keeps (to undo itself alone) and the b-trees of sorts and
/// groupings that no index serves stay off the disk. Before, every 1,000-row insert of
/// a bulk load wrote its statement journal to a file in `/var/tmp` (half the load's
/// writes, issue 11).
pub(crate) fn sqlite_options(
    options: SqliteConnectOptions,
    in_memory: bool,
) -> SqliteConnectOptions {
    let options = options
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .synchronous(SqliteSynchronous::Full)
        .pragma("temp_store", "memory");
    if in_memory {
        options
    } else {
        options.journal_mode(SqliteJournalMode::Wal)
    }
}

/// Whether a connection given back to the pool may be used again: not if it is still
/// inside a transaction. That happens when SQLite ended a transaction by itself (an I/O
/// error or a full disk rolls it back) so that sqlx's `ROLLBACK` failed and sqlx still
/// counts it open; every later `BEGIN` on it would fail. Such a connection is closed and
/// a new one opened. (A rollback still queued from a dropped transaction is flushed
/// first.) Only for files: an in-memory database lives in its one connection.
pub(crate) fn reusable(
    conn: &mut sqlx::SqliteConnection,
) -> crate::writer::BoxFuture<'_, Result<bool, sqlx::Error>> {
    use sqlx::Connection;
    Box::pin(async move {
        if conn.is_in_transaction() {
            conn.ping().await?;
        }
        Ok(!conn.is_in_transaction())
    })
}

/// `url` with its password, if any, replaced by `***`, for messages and logs.
pub(crate) fn redacted(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    match authority[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &authority[..colon],
            &url[scheme_end + at..]
        ),
        None => url.to_string(),
    }
}

/// Which database a pool or transaction is on, for the few statements the dialects
/// write differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the supported databases. A PostgreSQL pool comes with
/// its process's audit linker (`audit::link`), which chains what its writers commit.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool, std::sync::Arc<crate::audit::Linker>),
}

/// An open transaction. Reads run in one too, so what they see is consistent.
///
/// A write transaction carries who acts (`audit`): before it commits, the changes the
/// audit triggers captured in it are sealed in that actor's name (`audit::seal`), so
/// no write commits without its entries; on PostgreSQL they are linked into the chain
/// right after the commit, through `db`.
pub(crate) struct Tx {
    pub(crate) conn: Conn,
    pub(crate) audit: Option<crate::audit::Actor>,
    /// The pool a PostgreSQL write's entries are linked through after it commits.
    pub(crate) db: Option<Db>,
}

/// A transaction on one of the backends.
pub(crate) enum Conn {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// What a write transaction on PostgreSQL locks before it reads what it is about to
/// change (an advisory lock held until the transaction ends). On SQLite the write
/// transaction holds the database's lock already and these cost nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// Which documents exist under which 文号 (and which unnumbered ones): held by an
    /// import, which reads "absent" before it inserts, and by issuing a 文号.
    DocNumbers,
    /// One document's tasks, units, rounds, assignments and closure steps: held by
    /// whatever checks them before changing them (replacing a notice, opening a
    /// round, assigning, a task's closure step, editing a draft).
    Document(i64),
    /// The escalation ladder and every unit's steps (migration 0015): held by whatever
    /// reads a unit's last step before recording the next.
    Escalation,
    /// Remaking the audit triggers when a store opens (`audit::triggers`).
    AuditTriggers,
}

impl Lock {
    /// The lock's key in PostgreSQL's two-part advisory lock space: a namespace for
    /// duban's kinds of lock, and the id within it. Two ids sharing the low 32 bits
    /// share a lock, which costs a wait, never a missed one.
    fn key(self) -> (i32, i32) {
        match self {
            Lock::DocNumbers => (LOCK_NAMESPACE | 1, 0),
            Lock::Document(id) => (LOCK_NAMESPACE | 2, id as i32),
            Lock::Escalation => (LOCK_NAMESPACE | 0x15, 0),
            Lock::AuditTriggers => (LOCK_NAMESPACE | 0x17, 0),
        }
    }
}

/// duban's advisory locks are `(LOCK_NAMESPACE | kind, id)`: the high bits ("du") keep
/// clear of other users of the database.
const LOCK_NAMESPACE: i32 = 0x6475_0000;

/// Write slots a PostgreSQL connection may take (migration 0012): more connections
/// than this at once share slot 0, which is correct but makes them queue again.
const WRITE_SLOTS: i32 = 1024;

/// Prepares a new PostgreSQL connection of the pool:
///
/// - Commits are durable: `synchronous_commit` is raised to `on` where the server has it
///   `off` (a commit then returns only once it is flushed to disk, as on SQLite with
///   `synchronous=FULL`); a stronger setting (`remote_apply` …) is left as it is.
/// - It takes a write slot of its own (migration 0012): the lowest slot no other live
///   connection of any server holds, kept by a session advisory lock until the
///   connection closes, and named in `duban.write_slot` for the triggers. The counters
///   the triggers keep are then split by connection, so concurrent writers never wait
///   for each other on them.
pub(crate) fn prepare_postgres(
    conn: &mut sqlx::PgConnection,
) -> crate::writer::BoxFuture<'_, Result<(), sqlx::Error>> {
    Box::pin(async move {
        sqlx::query(
            "SELECT set_config('synchronous_commit', 'on', false) \
             WHERE current_setting('synchronous_commit') = 'off'",
        )
        .execute(&mut *conn)
        .await?;
        // The scan stops at the first slot whose lock it gets (LIMIT 1), so it holds one.
        sqlx::query(
            "SELECT set_config('duban.write_slot', CAST(s AS TEXT), false) \
             FROM generate_series(1, $2) AS s \
             WHERE pg_try_advisory_lock($1, s) LIMIT 1",
        )
        .bind(LOCK_NAMESPACE | 3)
        .bind(WRITE_SLOTS)
        .execute(conn)
        .await?;
        Ok(())
    })
}

impl Db {
    /// A transaction for reading: one snapshot for all its statements (on PostgreSQL
    /// `REPEATABLE READ`, whose snapshot is taken at the first statement; SQLite's
    /// read transaction is one snapshot already).
    pub(crate) async fn read(&self) -> Result<Tx, sqlx::Error> {
        let conn = match self {
            Db::Sqlite(pool) => Conn::Sqlite(pool.begin().await?),
            Db::Postgres(pool, _) => Conn::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            ),
        };
        Ok(Tx {
            conn,
            audit: None,
            db: None,
        })
    }

    /// A transaction for a read-then-write. On SQLite it takes the write lock at once,
    /// so two imports cannot both read "absent" and then both insert. On PostgreSQL it
    /// is `READ COMMITTED` and runs beside other writers: each statement sees what was
    /// committed before it began, and what must not change between a read and the
    /// write is locked first ([`Tx::lock`], row locks).
    ///
    /// Its changes are logged in the name of whoever acts in the calling task
    /// ([`crate::audit::Actor::current`]).
    pub(crate) async fn write(&self) -> Result<Tx, sqlx::Error> {
        self.write_as(crate::audit::Actor::current()).await
    }

    /// [`Db::write`] in `actor`'s name (a step run on another task than its caller's).
    pub(crate) async fn write_as(&self, actor: crate::audit::Actor) -> Result<Tx, sqlx::Error> {
        let conn = match self {
            Db::Sqlite(pool) => Conn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool, _) => Conn::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
                    .await?,
            ),
        };
        let mut tx = Tx {
            conn,
            audit: Some(actor),
            db: None,
        };
        match self {
            Db::Sqlite(_) => {
                // Whatever is pending now was committed behind duban's back (it holds
                // the write lock from here on), or is a copy's still to be linked:
                // linked as such, before this transaction's own.
                crate::audit::seal(&mut tx, &crate::audit::Actor::outside()).await?;
            }
            Db::Postgres(..) => tx.db = Some(self.clone()),
        }
        Ok(tx)
    }

    /// A write transaction that logs nothing itself (the audit linker's own).
    pub(crate) async fn write_unlogged(&self) -> Result<Tx, sqlx::Error> {
        let conn = match self {
            Db::Sqlite(pool) => Conn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool, _) => Conn::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
                    .await?,
            ),
        };
        Ok(Tx {
            conn,
            audit: None,
            db: None,
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool, _) => pool.close().await,
        }
    }
}

impl Tx {
    pub(crate) fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Takes `lock` until the transaction ends (see [`Lock`]); waits while another
    /// transaction holds it. Nothing to do on SQLite.
    pub(crate) async fn lock(&mut self, lock: Lock) -> Result<(), sqlx::Error> {
        if let Conn::Postgres(tx) = &mut self.conn {
            let (namespace, id) = lock.key();
            sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind(namespace)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Commits; a write transaction first seals what it changed for the audit log
    /// (`audit::seal`), so the entries commit with the changes or not at all, and on
    /// PostgreSQL links them into the chain once committed (`audit::link_after_commit`).
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        let mut to_link = false;
        if let Some(actor) = self.audit.take() {
            to_link = crate::audit::seal(&mut self, &actor).await?;
        }
        match self.conn {
            Conn::Sqlite(tx) => tx.commit().await,
            Conn::Postgres(tx) => {
                tx.commit().await?;
                if let (true, Some(db)) = (to_link, &self.db) {
                    crate::audit::link_after_commit(db);
                }
                Ok(())
            }
        }
    }

    /// Commits as it is: no seal, no link (the audit linker's own transaction).
    pub(crate) async fn commit_unlogged(self) -> Result<(), sqlx::Error> {
        match self.conn {
            Conn::Sqlite(tx) => tx.commit().await,
            Conn::Postgres(tx) => tx.commit().await,
        }
    }

    /// Discards everything the transaction wrote.
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.conn {
            Conn::Sqlite(tx) => tx.rollback().await,
            Conn::Postgres(tx) => tx.rollback().await,
        }
    }

    /// Marks the point [`Tx::rollback_to_savepoint`] returns to. One at a time: release
    /// or roll back to it before the next.
    pub(crate) async fn savepoint(&mut self) -> Result<(), sqlx::Error> {
        self.execute("SAVEPOINT step").await
    }

    /// Keeps what was written since [`Tx::savepoint`] (as part of the transaction).
    pub(crate) async fn release_savepoint(&mut self) -> Result<(), sqlx::Error> {
        self.execute("RELEASE step").await
    }

    /// Discards what was written since [`Tx::savepoint`], keeping the rest of the
    /// transaction. Fails if the transaction itself was rolled back meanwhile.
    pub(crate) async fn rollback_to_savepoint(&mut self) -> Result<(), sqlx::Error> {
        self.execute("ROLLBACK TO step").await?;
        self.execute("RELEASE step").await
    }

    async fn execute(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        execute!(self, sqlx::query(sql))?;
        Ok(())
    }
}

/// Runs `$body` with `$conn` bound to the transaction's connection, whatever the
/// backend: `with_conn!(tx, c => sqlx::query("…").execute(c).await)`.
/// The body is compiled once per backend, so it can use concrete row and executor types.
macro_rules! with_conn {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut $tx.conn {
            $crate::db::Conn::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::db::Conn::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// Runs a statement that returns no rows (`$query`, built with `sqlx::query`) in the
/// transaction; how many rows it changed.
macro_rules! execute {
    ($tx:expr, $query:expr) => {
        $crate::db::with_conn!($tx, c => $query.execute(c).await.map(|done| done.rows_affected()))
    };
}

/// A `SELECT` that reads rows a write transaction is about to change: `$sql` as it is
/// on SQLite (whose write transaction holds the database's lock), `$sql $locks` on
/// PostgreSQL, whose row locks (`FOR UPDATE OF p`, `FOR SHARE OF r` …) keep another
/// writer from changing those rows until this transaction ends.
macro_rules! locking {
    ($tx:expr, $sql:literal, $locks:literal) => {
        match $tx.backend() {
            $crate::db::Backend::Sqlite => $sql,
            $crate::db::Backend::Postgres => concat!($sql, " ", $locks),
        }
    };
}

pub(crate) use {execute, locking, with_conn};

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn passwords_are_left_out_of_urls_shown() {
        assert_eq!(
            redacted("postgres://duban:s3cr@t@db.example:5432/duban?sslmode=require"),
            "postgres://duban:***@db.example:5432/duban?sslmode=require"
        );
        assert_eq!(
            redacted("postgres://duban@db/duban"),
            "postgres://duban@db/duban"
        );
        assert_eq!(redacted("sqlite://duban.db"), "sqlite://duban.db");
        assert_eq!(redacted("sqlite::memory:"), "sqlite::memory:");
    }

    #[tokio::test]
    async fn connections_sync_fully_with_a_wal() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let options = sqlite_options(SqliteConnectOptions::from_str(&url).unwrap(), false);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(synchronous, 2, "FULL");
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(journal, "wal");
        let temp_store: i64 = sqlx::query_scalar("PRAGMA temp_store")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(temp_store, 2, "MEMORY");
        pool.close().await;
    }
}
