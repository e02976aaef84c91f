//! Fixture helpers shared by the store's integration tests: a fresh SQLite file, user
//! accounts, saved notices, reporting rounds and the one report of a unit.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]
// A failed unwrap is a failed test, which is what these are for.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::{Notice, Role, Username, WorkflowError};
use duban_store::{
    DocumentId, NewRound, NewUser, ReportFilter, ReportId, ReportSummary, RoundId, Store,
    StoreError, User, UserId,
};

/// A database file in a fresh temporary directory (kept alive by the returned guard).
pub struct TempDb {
    _dir: tempfile::TempDir,
    pub url: String,
}

pub fn temp_db() -> TempDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("duban.db").display());
    TempDb { _dir: dir, url }
}

/// A store on `db`'s file.
pub async fn connect(db: &TempDb) -> Store {
    Store::connect(&db.url).await.unwrap()
}

/// An account named `username`, shown as "`username` 姓名", with a made-up hash.
pub fn new_user(username: &str, role: Role, unit: Option<&str>) -> NewUser {
    NewUser {
        username: Username::parse(username).unwrap(),
        display_name: format!("{username} 姓名"),
        role,
        unit: unit.map(str::to_string),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${username}"),
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
