//! The database backends. Every query is written once, inside [`with_conn!`], which
//! expands it for each backend: adding PostgreSQL is adding a variant to [`Db`] and
//! [`Tx`] and an arm to the macro.

use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// The settings every SQLite connection is opened with. On a file, the WAL journal,
/// and `synchronous=FULL` set explicitly: a commit returns only once the WAL is
/// flushed to disk, so what the store acknowledged survives a power loss (`NORMAL`
/// would be faster and is not durable). Throughput comes from committing many
/// writes at once (`writer`), not from weaker syncing.
pub(crate) fn sqlite_options(
    options: SqliteConnectOptions,
    in_memory: bool,
) -> SqliteConnectOptions {
    let options = options
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .synchronous(SqliteSynchronous::Full);
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

/// A connection pool to one of the supported databases.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
}

/// An open transaction. Reads run in one too, so what they see is consistent.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
}

impl Db {
    /// A transaction for reading.
    pub(crate) async fn read(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite(pool) => Ok(Tx::Sqlite(pool.begin().await?)),
        }
    }

    /// A transaction for a read-then-write: it takes the write lock at once, so two
    /// imports cannot both read "absent" and then both insert.
    pub(crate) async fn write(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite(pool) => Ok(Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?)),
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
        }
    }

    /// Discards everything the transaction wrote.
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
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
        with_conn!(self, c => sqlx::query(sql).execute(c).await)?;
        Ok(())
    }
}

/// Runs `$body` with `$conn` bound to the transaction's connection, whatever the
/// backend: `with_conn!(tx, c => sqlx::query("…").execute(c).await)`.
/// The body is compiled once per backend, so it can use concrete row and executor types.
macro_rules! with_conn {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

pub(crate) use with_conn;

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

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
        pool.close().await;
    }
}
