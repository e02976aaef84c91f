//! The database backends. Every query is written once, inside [`with_conn!`], which
//! expands it for each backend: adding PostgreSQL is adding a variant to [`Db`] and
//! [`Tx`] and an arm to the macro.

use sqlx::SqlitePool;

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
