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
//!   request). Before it commits, [`seal`] stamps its pending rows with that actor, the
//!   time and the task each belongs to. A *linker* then turns sealed rows into log
//!   entries, each chained to the one before (see [`Entry::hash_with`]), in the order
//!   it links them (`audit_log.id`: 1, 2, … without gaps), and moves the chain's head,
//!   all in one transaction (`link`).
//! - On SQLite the writing transaction links its own rows before it commits: it holds
//!   the database, so nothing can append in between. In the group-commit writer each
//!   step is sealed and linked inside its own savepoint, so a refused step leaves no
//!   entry.
//! - On PostgreSQL a writer only seals, so concurrent writers commit side by side; right
//!   after its commit it asks its process's link task to chain what was committed,
//!   which holds the head only for its own short transaction and chains the entries of
//!   every writer that committed meanwhile (see `link`). `duban audit verify` and
//!   `serve`'s minute tick link too, so a server killed between a commit and its link
//!   loses nothing: the sealed rows were committed with the changes.
//!
//! Who acts comes from the calling task ([`scope`], set by the web app per request and
//! filled in by its login extractor: [`identify`]), else the process's default
//! ([`set_process_actor`]: the CLI names the operating-system user; `serve`'s own ticks
//! are `系统`).

mod link;
mod query;
mod triggers;
mod verify;

use std::cell::RefCell;
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Tx, execute};

pub(crate) use link::{Linker, link_after_commit, link_copied, links_done, seal};
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
