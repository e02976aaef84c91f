//! Fixture helpers shared by the store's tests: a fresh database on the backend under
//! test, user accounts, saved notices, reporting rounds and the one report of a unit.
//!
//! The backend comes from the environment: `DUBAN_TEST_DATABASE_URL=postgres://…`
//! names a PostgreSQL database, beside which every test gets a scratch database of its
//! own (`scratch`; `scripts/test.sh` makes one per run and drops it and the scratch
//! databases afterwards); unset, every test gets a fresh SQLite file.

// Each test module uses only some of these helpers.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::{Document, Notice, Role, TaskDraft, UnitDirectory, Username, WorkflowError};
use duban_store::{
    DocumentId, NewRound, NewUser, ReportFilter, ReportId, ReportSummary, RoundId, Store,
    StoreError, User, UserId,
};

pub use crate::scratch::ScratchDatabase;

/// The variable naming the PostgreSQL database the suite runs on instead of SQLite.
pub const DATABASE_URL_VARIABLE: &str = "DUBAN_TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL database the suite runs on, if it was given.
pub fn postgres_base() -> Option<String> {
    std::env::var(DATABASE_URL_VARIABLE)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

pub fn backend() -> Backend {
    match postgres_base() {
        Some(_) => Backend::Postgres,
        None => Backend::Sqlite,
    }
}

/// A fresh, empty database on the backend under test (kept alive by the guard): a
/// file in a temporary directory, or a scratch PostgreSQL database.
pub struct TempDb {
    _dir: tempfile::TempDir,
    _postgres: Option<ScratchDatabase>,
    pub url: String,
    pub backend: Backend,
}

pub async fn temp_db() -> TempDb {
    scratch_db(ScratchDatabase::create)
}

/// A database without any table yet (not migrated), on the backend under test.
pub fn empty_db() -> TempDb {
    scratch_db(ScratchDatabase::empty)
}

fn scratch_db(create: fn(&str) -> ScratchDatabase) -> TempDb {
    match postgres_base() {
        None => sqlite_db(),
        Some(base) => {
            let scratch = create(&base);
            TempDb {
                url: scratch.url.clone(),
                _dir: tempfile::tempdir().unwrap(),
                _postgres: Some(scratch),
                backend: Backend::Postgres,
            }
        }
    }
}

/// A fresh SQLite file, whatever the backend under test.
pub fn sqlite_db() -> TempDb {
    let dir = tempfile::tempdir().unwrap();
    TempDb {
        url: format!("sqlite://{}", dir.path().join("duban.db").display()),
        _dir: dir,
        _postgres: None,
        backend: Backend::Sqlite,
    }
}

/// A store on `db`.
pub async fn connect(db: &TempDb) -> Store {
    Store::connect(&db.url).await.unwrap()
}

/// A connection pool to `db` for SQL the store does not offer (a broken row, a crash
/// midway), on either backend.
pub async fn raw(db: &TempDb) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(&db.url).await.unwrap()
}

/// Runs `statement` on `db` behind the store's back.
pub async fn sql(db: &TempDb, statement: &str) {
    let pool = raw(db).await;
    sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// An account named `username`, shown as "`username` 姓名", with a made-up hash.
pub fn new_user(username: &str, role: Role, unit: Option<&str>) -> NewUser {
    NewUser {
        username: Username::parse(username).unwrap(),
        display_name: format!("{username} 姓名"),
        role,
        unit: unit.map(str::to_string),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${username}"),
        must_change_password: false,
    }
}

/// Creates the account [`new_user`] describes.
pub async fn user(store: &Store, username: &str, role: Role, unit: Option<&str>) -> User {
    store
        .create_user(new_user(username, role, unit))
        .await
        .unwrap()
}

/// Creates the supervision office's account `duchashi`, shown as `display_name`.
pub async fn office(store: &Store, display_name: &str) -> User {
    store
        .create_user(NewUser {
            username: Username::parse("duchashi").unwrap(),
            display_name: display_name.into(),
            role: Role::Supervisor,
            unit: None,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$salt$hash".into(),
            must_change_password: false,
        })
        .await
        .unwrap()
}

/// Saves `notice` as imported from `source_name` (not replacing anything).
pub async fn save_notice(store: &Store, notice: &Notice, source_name: &str) -> DocumentId {
    store
        .save_notice(notice, source_name, false)
        .await
        .unwrap()
        .id()
}

/// Opens a reporting round on `document` (on `tasks`, or all of them).
pub async fn open_round(
    store: &Store,
    document: DocumentId,
    label: &str,
    due: NaiveDate,
    tasks: Option<Vec<u32>>,
    by: UserId,
    now: DateTime<Utc>,
) -> RoundId {
    store
        .open_round(
            NewRound {
                document,
                label: label.into(),
                due,
                tasks,
            },
            by,
            now,
        )
        .await
        .unwrap()
}

/// The reports of `round` (only those on `task`, if given).
pub async fn round_reports(store: &Store, round: RoundId, task: Option<u32>) -> Vec<ReportSummary> {
    store
        .reports(&ReportFilter {
            round: Some(round),
            task,
            ..ReportFilter::default()
        })
        .await
        .unwrap()
}

/// The report of `unit` on task `task` in `round`: there must be exactly one.
pub async fn report_of(store: &Store, round: RoundId, task: u32, unit: &str) -> ReportId {
    let found = store
        .reports(&ReportFilter {
            round: Some(round),
            task: Some(task),
            unit: Some(unit.into()),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].id
}

/// The workflow error `result` must be.
pub fn workflow_error<T: std::fmt::Debug>(result: Result<T, StoreError>) -> WorkflowError {
    match result {
        Err(StoreError::Workflow(e)) => e,
        other => panic!("expected a workflow error, got {other:?}"),
    }
}

/// A notice of `drafts` titled `title` and dated `date`, read against an empty unit
/// directory, as an import would assemble it.
pub fn dated_notice(title: &str, date: NaiveDate, drafts: Vec<TaskDraft>) -> Notice {
    Notice::assemble(
        Document {
            title: Some(title.into()),
            date: Some(date),
            ..Document::default()
        },
        drafts,
        &UnitDirectory::default(),
    )
}
