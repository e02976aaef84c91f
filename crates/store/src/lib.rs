//! The database: the one crate with SQL. Stores notices normalised (documents, units,
//! tasks, sub-items, rounds of progress) so they can be queried per unit, and reads
//! them back exactly as they were saved.
//!
//! SQLite or PostgreSQL, chosen by the database URL; every query is written once for
//! both (see `db`), and each has its own migrations folder, kept in step by a test.
//!
//! The supervision workflow (accounts, sessions, reporting rounds, reports) is in
//! `accounts`, `rounds` and `reports`; assignment, acknowledgement, task closure and
//! lapses in `tasks`; the files attached to reports (佐证材料) in `attachments`; their
//! types are in `review`.

mod accounts;
pub mod audit;
pub use accounts::{Account, Lockout, Reservation, Session};
mod attachments;
mod bulk;
mod cache;
mod codec;
mod copy;
mod db;
mod error;
mod escalation;
mod instructions;
pub use escalation::{EscalationStep, RankingSource, UnitStanding, Unreported};
pub use instructions::InstructionRecord;
mod load;
mod notices;
pub use notices::{IssueRoundNotice, IssuedNotice, NoticeSetup, RoundNoticeSource};
mod overrides;
mod query;
mod readings;
mod reminders;
pub use reminders::{
    CLAIM_LEASE_MINUTES, ClaimedDelivery, Delivery, DeliveryId, Notification, ReminderChannels,
    ReminderId, ReminderTarget, ReminderView,
};
mod reports;
mod review;
mod rounds;
pub use rounds::ReportCount;
mod save;
mod schedules;
mod sources;
mod task_page;
mod tasks;
mod warnings;
mod writer;

use std::str::FromStr;

use chrono::NaiveDate;
use duban_domain::{Notice, UnitDirectory, UnitKind};
use serde::Serialize;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

pub use crate::bulk::{BulkEvent, BulkReport, BulkRound, PreparedRound};
pub use crate::cache::GenerationCache;
pub use crate::copy::{CopyOptions, TableCopy};
use crate::db::{Db, Tx};
pub use crate::error::StoreError;
pub use crate::readings::{ReadingCounts, ReadingFilter, ReadingNotice, ReadingRound};
pub use crate::review::*;
pub use crate::schedules::{
    FailedRound, NewSchedule, OpenedRound, PeriodState, STALE_CLAIM_MINUTES, ScheduleId,
    SchedulePeriod, ScheduleSummary, TickOutcome,
};
pub use crate::sources::{
    DRAFTED_HERE, DecomposeError, Decomposition, SourceDetail, SourceDocument, SourceId,
    SourceSummary,
};
pub use crate::task_page::{TaskPage, TaskPageQuery, TaskPageReport, TaskPageRow};
pub use crate::warnings::{SavedWarningRules, TaskWarningFacts, WarningFacts};
use crate::writer::Writer;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A stored document's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocumentId(pub i64);

impl std::fmt::Display for DocumentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What [`Store::save_notice`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// A new document.
    Created(DocumentId),
    /// The same notice was stored already; nothing was written.
    Unchanged(DocumentId),
    /// The document with this 文号 now holds the new content (same id).
    Replaced(DocumentId),
}

impl SaveOutcome {
    pub fn id(self) -> DocumentId {
        match self {
            SaveOutcome::Created(id) | SaveOutcome::Unchanged(id) | SaveOutcome::Replaced(id) => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    pub id: DocumentId,
    /// Normalised 文号.
    pub doc_number: Option<String>,
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
    /// 公开属性, so public pages can list 主动公开 notices without loading each one.
    pub disclosure: Option<duban_domain::Disclosure>,
    /// Number of tasks.
    pub tasks: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskSummary {
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub number: u32,
    /// The task's content as plain text.
    pub content: String,
    /// Canonical names, main lead first.
    pub lead_units: Vec<String>,
    pub cooperating_units: Vec<String>,
}

/// A probable typo of a unit's name, seen in a stored notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitFlagListing {
    pub doc_number: Option<String>,
    pub document: DocumentId,
    /// 序号 of the task.
    pub task: u32,
    pub field: String,
    /// As written.
    pub written: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitListing {
    pub name: String,
    pub kind: UnitKind,
    pub aliases: Vec<String>,
    /// Tasks (across all documents) the unit leads.
    pub lead_tasks: i64,
    /// Names in stored notices that probably mean this unit.
    pub flags: Vec<UnitFlagListing>,
}

/// The office's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// Group commit for the writes that go through it (report steps); see `writer`.
    writer: Writer,
    /// Task pages computed earlier, reused while the store's generation holds still.
    task_pages: std::sync::Arc<task_page::TaskPageCache>,
    /// Each document's reading, computed once (`readings`).
    readings: std::sync::Arc<readings::ReadingCache>,
    /// The facts the 预警 lights are judged from, for one day, while the store's
    /// generation holds still (`warnings`).
    warning_facts: std::sync::Arc<warnings::FactsCache>,
    /// … and each document's part of them, while its revision holds.
    document_facts: std::sync::Arc<warnings::DocumentFactsCache>,
    /// The rankings' figures, reused while the store's generation and the day hold.
    rankings: std::sync::Arc<escalation::RankingCache>,
    /// Each document's share of the rankings' figures (`escalation`).
    ranking_counts: std::sync::Arc<escalation::RankingCountsCache>,
    /// Each document's lapses for a day, while its revision holds (`tasks`).
    lapses: std::sync::Arc<cache::DocumentCache<chrono::NaiveDate, tasks::DocumentLapses>>,
    /// Each document's reports counted by round, unit and state for the rounds asked,
    /// while its revision holds (`rounds::report_counts`).
    report_counts: std::sync::Arc<rounds::ReportCountsCache>,
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date: `sqlite://path`,
    /// `sqlite:path` and `sqlite::memory:` (a file is created if missing), or
    /// `postgres://user:password@host:port/database` (`postgresql://` too; the database
    /// must exist).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::open(url, None).await
    }

    /// [`Store::connect`] with a single connection, for a one-shot command: its
    /// statements run one after another, and every connection opened costs a thread
    /// and a parse of the whole schema (about a fifth of `duban render --format docx`
    /// when a second one was opened).
    pub async fn connect_one(url: &str) -> Result<Store, StoreError> {
        Store::open(url, Some(1)).await
    }

    async fn open(url: &str, max_connections: Option<u32>) -> Result<Store, StoreError> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let db = if lower.starts_with("postgres:") || lower.starts_with("postgresql:") {
            open_postgres(url, max_connections).await?
        } else if lower.starts_with("sqlite:") {
            open_sqlite(url, &lower, max_connections).await?
        } else {
            return Err(StoreError::Unsupported {
                url: db::redacted(url),
                reason: "请使用 sqlite://文件路径（例如 sqlite://duban.db）\
                         或 postgres://用户名:密码@主机:端口/数据库名"
                    .into(),
            });
        };
        let store = Store {
            writer: Writer::start(db.clone()),
            task_pages: std::sync::Arc::default(),
            readings: std::sync::Arc::default(),
            warning_facts: std::sync::Arc::default(),
            document_facts: std::sync::Arc::default(),
            lapses: std::sync::Arc::default(),
            report_counts: std::sync::Arc::default(),
            ranking_counts: std::sync::Arc::default(),
            rankings: std::sync::Arc::default(),
            db,
        };
        audit::install(&store).await?;
        Ok(store)
    }

    /// Closes the store: the group-commit writer takes no more steps and finishes
    /// (commits and answers) those already queued, the audit links asked for run
    /// (PostgreSQL), then the connections close, waiting for those in use to be
    /// returned.
    pub async fn close(&self) {
        self.writer.close().await;
        audit::links_done(&self.db).await;
        self.db.close().await;
    }

    /// Every unit with its kind and aliases, in the order they were first stored.
    pub async fn directory(&self) -> Result<UnitDirectory, StoreError> {
        let mut tx = self.db.read().await?;
        let units = load::directory(&mut tx).await?;
        tx.commit().await?;
        Ok(UnitDirectory {
            units: units.into_iter().map(|(_, u)| u).collect(),
        })
    }

    /// Stores a notice in one transaction.
    ///
    /// A notice with a 文号 is the stored document with the same (normalised) 文号; one
    /// without is a stored document without one and with equal content. Same content →
    /// [`SaveOutcome::Unchanged`], nothing written. Same 文号, other content →
    /// [`StoreError::Conflict`] unless `replace`, which overwrites the document (keeping
    /// its id). The notice's units join the office's directory. A document units have
    /// reported on (it has a reporting round) is not replaced:
    /// [`StoreError::ReportingStarted`]; nor is one whose tasks were assigned or had a
    /// closure step taken: [`StoreError::TasksAssigned`].
    pub async fn save_notice(
        &self,
        notice: &Notice,
        source_name: &str,
        replace: bool,
    ) -> Result<SaveOutcome, StoreError> {
        let mut tx = self.db.write().await?;
        let outcome = save::save_notice(&mut tx, notice, source_name, replace).await;
        finish(tx, outcome).await
    }

    /// The document with this numeric id, or with this 文号 in any bracket spelling.
    pub async fn find_document(&self, key: &str) -> Result<Option<DocumentId>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = query::find_document(&mut tx, key).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The notice as it was saved. `units` are the units its tasks name, in order of
    /// first appearance, each with its kind and all its aliases from the directory.
    pub async fn load_notice(&self, id: DocumentId) -> Result<Notice, StoreError> {
        let mut tx = self.db.read().await?;
        let notice = load::notice(&mut tx, id).await?;
        tx.commit().await?;
        notice.ok_or(StoreError::NotFound(id))
    }

    /// The notice, if it may be served to the public ([`duban_domain::is_public`]: not a
    /// draft, 主动公开), as its public variant (paragraphs the office marked internal
    /// left out); `None` for every other id, existing or not, so the public cannot tell
    /// a draft from a gap.
    pub async fn published_notice(&self, id: DocumentId) -> Result<Option<Notice>, StoreError> {
        let mut tx = self.db.read().await?;
        let notice = load::public_notice(&mut tx, id).await?;
        tx.commit().await?;
        Ok(notice)
    }

    /// The highest task number of a document (its task count, as numbers run from 1
    /// without gaps), 0 without tasks; `None` if there is no such document.
    pub async fn task_count(&self, document: DocumentId) -> Result<Option<u32>, StoreError> {
        let mut tx = self.db.read().await?;
        let count = query::task_count(&mut tx, document).await?;
        tx.commit().await?;
        Ok(count)
    }

    /// Every document, by id.
    pub async fn list_documents(&self) -> Result<Vec<DocumentSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let documents = query::list_documents(&mut tx).await?;
        tx.commit().await?;
        Ok(documents)
    }

    /// Tasks in document and number order, optionally of one document and/or involving
    /// one unit (leading or co-operating on the task or on one of its sub-items). `unit`
    /// is a canonical name; an alias also works. An unknown unit has no tasks.
    pub async fn tasks(
        &self,
        document: Option<DocumentId>,
        unit: Option<&str>,
    ) -> Result<Vec<TaskSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let tasks = query::tasks(&mut tx, document, unit).await?;
        tx.commit().await?;
        Ok(tasks)
    }

    /// The directory, each unit with the number of tasks it leads and the probable
    /// typos of its name found in stored notices.
    pub async fn units(&self) -> Result<Vec<UnitListing>, StoreError> {
        let mut tx = self.db.read().await?;
        let units = query::units(&mut tx).await?;
        tx.commit().await?;
        Ok(units)
    }
}

async fn open_sqlite(
    url: &str,
    lower: &str,
    max_connections: Option<u32>,
) -> Result<Db, StoreError> {
    let open = |source| StoreError::Open {
        url: url.to_string(),
        source,
    };
    let in_memory = lower.contains(":memory:") || lower.contains("mode=memory");
    let options = db::sqlite_options(
        SqliteConnectOptions::from_str(url).map_err(open)?,
        in_memory,
    );
    // A connection to a local file does not go stale, and one left inside a
    // transaction is caught when it is released (`db::reusable`): no ping to
    // SQLite's worker thread before every use (sqlx's default), which was one
    // more round trip per transaction.
    let mut pool = SqlitePoolOptions::new().test_before_acquire(false);
    if in_memory {
        // An in-memory database lives as long as a connection to it: keep exactly one.
        pool = pool
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    } else {
        pool = pool.after_release(|conn, _| db::reusable(conn));
        if let Some(max) = max_connections {
            pool = pool.max_connections(max);
        }
    }
    let pool = pool.connect_with(options).await.map_err(open)?;
    SQLITE_MIGRATIONS.run(&pool).await?;
    Ok(Db::Sqlite(pool))
}

async fn open_postgres(url: &str, max_connections: Option<u32>) -> Result<Db, StoreError> {
    let connect = |source| StoreError::Connect {
        url: db::redacted(url),
        source,
    };
    let options = PgConnectOptions::from_str(url).map_err(connect)?;
    // One connection on its own first: a server that cannot be reached fails here at
    // once, where the pool would retry until its acquire timeout (30 s).
    PgConnection::connect_with(&options)
        .await
        .map_err(connect)?
        .close()
        .await
        .map_err(connect)?;
    let mut pool = PgPoolOptions::new().after_connect(|conn, _| db::prepare_postgres(conn));
    if let Some(max) = max_connections {
        pool = pool.max_connections(max);
    }
    let pool = pool.connect_with(options).await.map_err(connect)?;
    // Several servers starting at once apply each migration once: sqlx holds an
    // advisory lock on the database while it migrates.
    POSTGRES_MIGRATIONS.run(&pool).await?;
    Ok(Db::Postgres(pool, Default::default()))
}

/// Ends a write transaction: commits when `result` is `Ok`, rolls back otherwise.
async fn finish<T, E: From<sqlx::Error>>(tx: Tx, result: Result<T, E>) -> Result<T, E> {
    match result {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(e) => {
            // The error that stopped the write is the one to report; a failed rollback
            // also discards the transaction when the connection closes.
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}
