//! The audit log (issue 12 §6): every change the store makes, and the events the web
//! app and the CLI report (logins, logouts, exports, backups …), appended to one
//! hash-chained table that is never updated and only deleted from by the retention job.
//!
//! How an entry comes about:
//!
//! - Every table that holds the office's data has audit triggers (`triggers`,
//!   installed when the store opens, from the live schema): each row inserted, updated
//!   or deleted leaves its before and after (as JSON; bytes as their length, secrets
//!   masked) in `audit_pending`, inside the writing transaction.
//! - A write transaction carries its [`Actor`] (who, from which address, which
//!   request). Before it commits, [`seal`] turns its pending rows into log entries in
//!   that actor's name, each chained to the one before (see [`Entry::hash_with`]), and
//!   moves the chain's head. In the group-commit writer each step is sealed inside its
//!   own savepoint, so a refused step leaves no entry.
//! - Appends are serialised: SQLite's write transaction holds the database, and on
//!   PostgreSQL [`seal`] locks the head row (`FOR UPDATE`) until the commit, so two
//!   transactions (on one server or several) can never both append after the same
//!   entry.
//!
//! Who acts comes from the calling task ([`scope`], set by the web app per request and
//! filled in by its login extractor: [`identify`]), else the process's default
//! ([`set_process_actor`]: the CLI names the operating-system user; `serve`'s own ticks
//! are `系统`).

mod query;
mod triggers;
mod verify;

use std::cell::RefCell;
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codec::timestamp_text;
use crate::db::{Tx, execute, locking, with_conn};

pub use query::{AuditFilter, AuditPage};
pub(crate) use triggers::install;
pub use verify::{Tampering, Verification};

/// The hash of "no entry before": the first entry's `prev_hash`.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who makes a change: the account (if any), its name as shown, the client's address
/// and the request (method and path) it came with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub address: Option<String>,
    pub request: Option<String>,
}

impl Actor {
    /// Someone not (yet) signed in, at `address`.
    pub fn anonymous(address: impl Into<String>, request: impl Into<String>) -> Actor {
        Actor {
            user_id: None,
            name: "（未登录）".into(),
            address: Some(address.into()),
            request: Some(request.into()),
        }
    }

    /// duban itself (the schedules' tick, reminders, the escalation ladder).
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            name: "系统".into(),
            address: None,
            request: None,
        }
    }

    /// Whoever changed rows in the database directly (sqlite3, psql), not through
    /// duban: their changes are captured by the triggers all the same, and logged
    /// under this name by the next write duban makes.
    pub fn outside() -> Actor {
        Actor {
            user_id: None,
            name: "（数据库外部修改）".into(),
            address: None,
            request: None,
        }
    }

    /// Who acts in the calling task: the request's actor inside [`scope`], else the
    /// process's default ([`set_process_actor`]), else [`Actor::system`].
    pub fn current() -> Actor {
        CURRENT
            .try_with(|actor| actor.borrow().clone())
            .ok()
            .or_else(|| {
                PROCESS
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone()
            })
            .unwrap_or_else(Actor::system)
    }
}

tokio::task_local! {
    static CURRENT: RefCell<Actor>;
}

static PROCESS: RwLock<Option<Actor>> = RwLock::new(None);

/// Runs `future` with `actor` as who acts for every write it makes (a web request).
pub async fn scope<F: std::future::Future>(actor: Actor, future: F) -> F::Output {
    CURRENT.scope(RefCell::new(actor), future).await
}

/// Names the signed-in account as who acts for the rest of the current [`scope`] (its
/// address and request stay); nothing outside one.
pub fn identify(user_id: i64, username: &str) {
    let _ = CURRENT.try_with(|actor| {
        let mut actor = actor.borrow_mut();
        actor.user_id = Some(user_id);
        actor.name = username.to_string();
    });
}

/// Who acts for writes made outside any [`scope`] in this process.
pub fn set_process_actor(actor: Actor) {
    *PROCESS
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(actor);
}

/// Which hash chains the entries: SHA-256, or SM3 (GB/T 32905-2016) where a 密码应用
/// assessment asks for 国密 algorithms. Chosen for the store (`audit_head.algorithm`)
/// and recorded in every entry, so a log may change algorithm and still verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    Sha256,
    Sm3,
}

impl HashAlgorithm {
    pub fn code(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sm3 => "sm3",
        }
    }

    pub fn from_code(code: &str) -> Option<HashAlgorithm> {
        match code {
            "sha256" => Some(HashAlgorithm::Sha256),
            "sm3" => Some(HashAlgorithm::Sm3),
            _ => None,
        }
    }

    fn digest(self, parts: &[&[u8]]) -> String {
        fn run<D: Digest>(parts: &[&[u8]]) -> String {
            let mut hash = D::new();
            for part in parts {
                hash.update(part);
            }
            hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
        }
        match self {
            HashAlgorithm::Sha256 => run::<Sha256>(parts),
            HashAlgorithm::Sm3 => run::<sm3::Sm3>(parts),
        }
    }
}

/// One entry of the log, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Entry {
    /// Its place in the chain: 1, 2, … without gaps (the first ones may be pruned).
    pub id: i64,
    /// When it was appended (RFC 3339, UTC).
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub address: Option<String>,
    pub request: Option<String>,
    /// `insert`, `update`, `delete` for a row; else the event (`login`, `export` …).
    pub action: String,
    /// The table a row change is in; `None` for an event.
    pub object_table: Option<String>,
    /// The row's key (its primary key's values joined by `/`), or what an event is about.
    pub object_key: Option<String>,
    /// The task the change belongs to, when there is one (a task's history).
    pub task_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub algorithm: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Columns of `audit_log` in [`Entry`]'s order.
pub(crate) const ENTRY_COLUMNS: &str = "id, at, actor_id, actor, address, request, action, \
     object_table, object_key, task_id, before_json, after_json, algorithm, prev_hash, hash";

impl Entry {
    /// The bytes the hash covers, after the previous hash: a version tag, then every
    /// field but `id`, `prev_hash` and `hash` in the order of the table, each as `1`,
    /// its length (8 bytes, big-endian) and its UTF-8 bytes, or `0` when absent
    /// (numbers in decimal). The id is left out so that a moved entry still hashes
    /// right and is found by its broken link (`verify`).
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = b"duban-audit-v1\0".to_vec();
        let mut field = |value: Option<&str>| match value {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&(v.len() as u64).to_be_bytes());
                out.extend_from_slice(v.as_bytes());
            }
        };
        let actor_id = self.actor_id.map(|n| n.to_string());
        let task_id = self.task_id.map(|n| n.to_string());
        field(Some(&self.at));
        field(actor_id.as_deref());
        field(Some(&self.actor));
        field(self.address.as_deref());
        field(self.request.as_deref());
        field(Some(&self.action));
        field(self.object_table.as_deref());
        field(self.object_key.as_deref());
        field(task_id.as_deref());
        field(self.before_json.as_deref());
        field(self.after_json.as_deref());
        field(Some(&self.algorithm));
        out
    }

    /// The entry's hash after `prev_hash` (hex): the algorithm's digest of
    /// `prev_hash` (as its 64 ASCII hex digits) followed by [`Entry::canonical`].
    /// `None` for an algorithm this version does not know.
    pub fn hash_with(&self, prev_hash: &str) -> Option<String> {
        let algorithm = HashAlgorithm::from_code(&self.algorithm)?;
        Some(algorithm.digest(&[prev_hash.as_bytes(), &self.canonical()]))
    }
}

/// A change or event waiting in `audit_pending` for its transaction's commit.
#[derive(sqlx::FromRow)]
struct Pending {
    id: i64,
    table_name: Option<String>,
    op: String,
    row_key: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    /// PostgreSQL: the transaction that made it (a committed one is not ours).
    txid: Option<i64>,
}

/// The chain's head, as locked by a seal.
#[derive(sqlx::FromRow)]
struct Head {
    last_id: i64,
    last_hash: String,
    algorithm: String,
}

/// Rows of `audit_log` per INSERT statement (15 values each).
const ENTRIES_PER_INSERT: usize = 500;

/// Appends what the transaction changed (its `audit_pending` rows) to the log in
/// `actor`'s name, chained after the head, and moves the head; nothing to do when
/// nothing is pending. On PostgreSQL the head row stays locked until the transaction
/// ends, so appends never interleave.
pub(crate) async fn seal(tx: &mut Tx, actor: &Actor) -> Result<(), sqlx::Error> {
    let pending: Vec<Pending> = with_conn!(tx, c => sqlx::query_as(
        "SELECT id, table_name, op, row_key, before_json, after_json, txid \
         FROM audit_pending ORDER BY id",
    )
    .fetch_all(c)
    .await)?;
    if pending.is_empty() {
        return Ok(());
    }
    if tx.backend() == crate::db::Backend::Postgres {
        // Rows another (committed) transaction left were written behind duban's back.
        let ours: i64 =
            with_conn!(tx, c => sqlx::query_scalar("SELECT txid_current()").fetch_one(c).await)?;
        let (mine, outside): (Vec<Pending>, Vec<Pending>) =
            pending.into_iter().partition(|p| p.txid == Some(ours));
        append(tx, outside, &Actor::outside()).await?;
        return append(tx, mine, actor).await;
    }
    append(tx, pending, actor).await
}

/// Appends `pending` (removing them from `audit_pending`) in `actor`'s name.
async fn append(tx: &mut Tx, pending: Vec<Pending>, actor: &Actor) -> Result<(), sqlx::Error> {
    if pending.is_empty() {
        return Ok(());
    }
    for chunk in pending.chunks(ENTRIES_PER_INSERT) {
        let ids: Vec<String> = chunk.iter().map(|p| p.id.to_string()).collect();
        let sql = format!("DELETE FROM audit_pending WHERE id IN ({})", ids.join(", "));
        execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    }
    let sql = locking!(
        tx,
        "SELECT last_id, last_hash, algorithm FROM audit_head WHERE id = 1",
        "FOR UPDATE"
    );
    let head: Option<Head> = with_conn!(tx, c => sqlx::query_as(sql).fetch_optional(c).await)?;
    let Some(head) = head else {
        return Err(corrupt(
            "审计日志的链头（audit_head）缺失，无法追加审计记录",
        ));
    };
    if HashAlgorithm::from_code(&head.algorithm).is_none() {
        return Err(corrupt(&format!(
            "审计日志的哈希算法“{}”无法识别",
            head.algorithm
        )));
    }
    let at = timestamp_text(Utc::now());
    let mut entries = Vec::with_capacity(pending.len());
    let (mut last_id, mut last_hash) = (head.last_id, head.last_hash);
    let mut report_tasks = std::collections::HashMap::new();
    for p in pending {
        // An update that changed nothing (the same values written again) is no change.
        if p.op == "update" && p.before_json == p.after_json {
            continue;
        }
        let task_id = task_of(tx, &p, &mut report_tasks).await?;
        let mut entry = Entry {
            id: last_id + 1,
            at: at.clone(),
            actor_id: actor.user_id,
            actor: actor.name.clone(),
            address: actor.address.clone(),
            request: actor.request.clone(),
            action: p.op,
            object_table: p.table_name,
            object_key: p.row_key,
            task_id,
            before_json: p.before_json,
            after_json: p.after_json,
            algorithm: head.algorithm.clone(),
            prev_hash: last_hash.clone(),
            hash: String::new(),
        };
        entry.hash = entry.hash_with(&last_hash).unwrap_or_default();
        last_id = entry.id;
        last_hash = entry.hash.clone();
        entries.push(entry);
    }
    for chunk in entries.chunks(ENTRIES_PER_INSERT) {
        insert_entries(tx, chunk).await?;
    }
    execute!(
        tx,
        sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
            .bind(last_id)
            .bind(&last_hash)
    )?;
    Ok(())
}

fn corrupt(message: &str) -> sqlx::Error {
    sqlx::Error::Protocol(message.to_string())
}

/// Writes entries as they are (a seal, or a copy's own checks).
async fn insert_entries(tx: &mut Tx, entries: &[Entry]) -> Result<(), sqlx::Error> {
    with_conn!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO audit_log ({ENTRY_COLUMNS}) "));
        q.push_values(entries, |mut b, e| {
            b.push_bind(e.id)
                .push_bind(e.at.clone())
                .push_bind(e.actor_id)
                .push_bind(e.actor.clone())
                .push_bind(e.address.clone())
                .push_bind(e.request.clone())
                .push_bind(e.action.clone())
                .push_bind(e.object_table.clone())
                .push_bind(e.object_key.clone())
                .push_bind(e.task_id)
                .push_bind(e.before_json.clone())
                .push_bind(e.after_json.clone())
                .push_bind(e.algorithm.clone())
                .push_bind(e.prev_hash.clone())
                .push_bind(e.hash.clone());
        });
        q.build().execute(c).await.map(|_| ())
    })
}

/// The task a change belongs to: a task row itself, a row with a `task_id`, or one
/// with a `report_id` (events, attachments: the report's task).
async fn task_of(
    tx: &mut Tx,
    p: &Pending,
    report_tasks: &mut std::collections::HashMap<i64, Option<i64>>,
) -> Result<Option<i64>, sqlx::Error> {
    let Some(json) = p.after_json.as_deref().or(p.before_json.as_deref()) else {
        return Ok(None);
    };
    let Ok(serde_json::Value::Object(row)) = serde_json::from_str::<serde_json::Value>(json) else {
        return Ok(None);
    };
    let number = |key: &str| row.get(key).and_then(serde_json::Value::as_i64);
    if p.table_name.as_deref() == Some("tasks") {
        return Ok(number("id"));
    }
    if let Some(task) = number("task_id") {
        return Ok(Some(task));
    }
    let Some(report) = number("report_id") else {
        return Ok(None);
    };
    if let Some(task) = report_tasks.get(&report) {
        return Ok(*task);
    }
    let task: Option<i64> = with_conn!(tx, c => sqlx::query_scalar(
        "SELECT task_id FROM reports WHERE id = $1",
    )
    .bind(report)
    .fetch_optional(c)
    .await)?;
    report_tasks.insert(report, task);
    Ok(task)
}

/// Queues an event (not a row change) to be sealed with the transaction: `action`
/// (`login`, `export` …), what it is about, and its details as a JSON object.
pub(crate) async fn queue_event(
    tx: &mut Tx,
    action: &str,
    about: Option<&str>,
    details: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        sqlx::query(
            "INSERT INTO audit_pending (table_name, op, row_key, before_json, after_json) \
             VALUES (NULL, $1, $2, NULL, $3)",
        )
        .bind(action)
        .bind(about)
        .bind(details.to_string())
    )?;
    Ok(())
}

/// Turns the audit triggers off (`false`) or on again for the rest of the
/// transaction (a bulk load that logs itself as one event).
pub(crate) async fn capture(tx: &mut Tx, on: bool) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        sqlx::query("UPDATE audit_head SET capture = $1 WHERE id = 1").bind(i64::from(on))
    )?;
    Ok(())
}

/// The time an entry was appended.
pub fn entry_time(entry: &Entry) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&entry.at)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
