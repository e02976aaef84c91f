//! Sealing and linking: how captured rows become chained log entries.
//!
//! A *seal* stamps a transaction's rows in `audit_pending` with who acted, when, and
//! the task each belongs to (migration 0023). A *link* takes the chain's head, turns
//! every pending row it can see into an entry chained after the head (rows without an
//! actor were written behind duban's back and are linked as such), deletes those rows
//! and moves the head, in one transaction: an entry is linked exactly when its row
//! leaves `audit_pending`, so it can be neither lost nor linked twice, however many
//! linkers run at once (they wait for each other on the head's row lock, and each
//! reads the rows only once it holds it).
//!
//! On SQLite the writing transaction holds the database, so it seals and links its own
//! rows before it commits, as one step. On PostgreSQL a writer only seals (statements
//! on its own rows; no shared row is touched, so writers commit side by side), and
//! after its commit asks its process's [`Linker`] for a link ([`link_after_commit`])
//! and goes on: the first writer to ask while no link runs starts the link task, which
//! links again as long as requests arrived during its last link, so one short
//! transaction holding the head chains the entries of every writer that committed
//! meanwhile. Readers of the log in the process first wait for the links asked for so
//! far ([`links_done`]), so a page shows what was just done. A link that fails or
//! waits too long for the head leaves the rows sealed and committed for the next one,
//! `serve`'s minute tick or `duban audit verify` ([`Store::link_audit`]).

use std::collections::HashMap;

use chrono::Utc;

use super::{Actor, Entry, HashAlgorithm};
use crate::codec::timestamp_text;
use crate::db::{Backend, Conn, Db, Tx, execute, with_conn};
use crate::{Store, StoreError};

/// A captured change or event in `audit_pending`; sealed once `actor` is set.
#[derive(sqlx::FromRow)]
struct Pending {
    id: i64,
    table_name: Option<String>,
    op: String,
    row_key: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    at: Option<String>,
    actor_id: Option<i64>,
    actor: Option<String>,
    address: Option<String>,
    request: Option<String>,
    task_id: Option<i64>,
}

/// The chain's head, as locked by a link.
#[derive(sqlx::FromRow)]
struct Head {
    last_id: i64,
    last_hash: String,
    algorithm: String,
}

/// Rows of `audit_log` per INSERT statement (15 values each).
const ENTRIES_PER_INSERT: usize = 500;

/// Seals what the transaction changed in `actor`'s name, just before it commits (see
/// the module's note): on SQLite that links it too. Whether rows were sealed that a
/// linker must chain once the transaction has committed (PostgreSQL).
pub(crate) async fn seal(tx: &mut Tx, actor: &Actor) -> Result<bool, sqlx::Error> {
    match tx.backend() {
        Backend::Sqlite => {
            link(tx, actor).await?;
            Ok(false)
        }
        Backend::Postgres => mark(tx, actor).await,
    }
}

/// PostgreSQL: stamps the transaction's own unsealed rows with `actor`, the time and
/// their tasks (one read of them, one update).
async fn mark(tx: &mut Tx, actor: &Actor) -> Result<bool, sqlx::Error> {
    let own: Vec<Pending> = with_conn!(tx, c => sqlx::query_as(
        "SELECT id, table_name, op, row_key, before_json, after_json, at, actor_id, actor, \
                address, request, task_id \
         FROM audit_pending WHERE txid = txid_current() AND actor IS NULL ORDER BY id",
    )
    .fetch_all(c)
    .await)?;
    if own.is_empty() {
        return Ok(false);
    }
    // A report's own row names its task: its events and files then need no lookup.
    let mut report_tasks: HashMap<i64, Option<i64>> = own
        .iter()
        .filter(|p| p.table_name.as_deref() == Some("reports"))
        .filter_map(|p| {
            let row = json_object(p)?;
            let number = |key: &str| row.get(key).and_then(serde_json::Value::as_i64);
            Some((number("id")?, number("task_id")))
        })
        .collect();
    let mut ids = Vec::with_capacity(own.len());
    let mut tasks = Vec::with_capacity(own.len());
    for p in &own {
        ids.push(p.id);
        tasks.push(task_of(tx, p, &mut report_tasks).await?);
    }
    if let Conn::Postgres(c) = &mut tx.conn {
        sqlx::query(
            "UPDATE audit_pending AS p SET at = $1, actor_id = $2, actor = $3, address = $4, \
                    request = $5, task_id = v.task \
             FROM UNNEST(CAST($6 AS BIGINT[]), CAST($7 AS BIGINT[])) AS v(id, task) \
             WHERE p.id = v.id",
        )
        .bind(timestamp_text(Utc::now()))
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(&actor.address)
        .bind(&actor.request)
        .bind(&ids)
        .bind(&tasks)
        .execute(&mut **c)
        .await?;
    }
    Ok(true)
}

/// Takes the head (on PostgreSQL its row lock, waiting while another transaction
/// holds it; SQLite's write transaction holds the database already).
async fn lock_head(tx: &mut Tx) -> Result<Head, sqlx::Error> {
    let sql = crate::db::locking!(
        tx,
        "SELECT last_id, last_hash, algorithm FROM audit_head WHERE id = 1",
        "FOR UPDATE"
    );
    let head: Option<Head> = with_conn!(tx, c => sqlx::query_as(sql).fetch_optional(c).await)?;
    head.ok_or_else(|| corrupt("审计日志的链头（audit_head）缺失，无法追加审计记录"))
}

/// Links every pending row the transaction can see, in the order of their
/// transactions and capture; unsealed rows in `unsealed`'s name. How many entries it
/// appended.
async fn link(tx: &mut Tx, unsealed: &Actor) -> Result<usize, sqlx::Error> {
    // On PostgreSQL the head is taken first, so the rows read next are every one
    // committed before this linker held it.
    let mut head = None;
    if tx.backend() == Backend::Postgres {
        head = Some(lock_head(tx).await?);
    }
    let pending: Vec<Pending> = with_conn!(tx, c => sqlx::query_as(
        "SELECT id, table_name, op, row_key, before_json, after_json, at, actor_id, actor, \
                address, request, task_id \
         FROM audit_pending ORDER BY txid, id",
    )
    .fetch_all(c)
    .await)?;
    if pending.is_empty() {
        return Ok(0);
    }
    let head = match head {
        Some(head) => head,
        None => lock_head(tx).await?,
    };
    let Some(algorithm) = HashAlgorithm::from_code(&head.algorithm) else {
        return Err(corrupt(&format!(
            "审计日志的哈希算法“{}”无法识别",
            head.algorithm
        )));
    };
    for chunk in pending.chunks(ENTRIES_PER_INSERT) {
        let ids: Vec<String> = chunk.iter().map(|p| p.id.to_string()).collect();
        let sql = format!("DELETE FROM audit_pending WHERE id IN ({})", ids.join(", "));
        execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    }
    let now = timestamp_text(Utc::now());
    let mut entries = Vec::with_capacity(pending.len());
    let (mut last_id, mut last_hash) = (head.last_id, head.last_hash);
    let mut report_tasks = HashMap::new();
    for p in pending {
        // An update that changed nothing (the same values written again) is no change.
        if p.op == "update" && p.before_json == p.after_json {
            continue;
        }
        let (at, actor_id, actor, address, request, task_id) = match p.actor.clone() {
            Some(actor) => (
                p.at.clone().unwrap_or_else(|| now.clone()),
                p.actor_id,
                actor,
                p.address.clone(),
                p.request.clone(),
                p.task_id,
            ),
            None => (
                now.clone(),
                unsealed.user_id,
                unsealed.name.clone(),
                unsealed.address.clone(),
                unsealed.request.clone(),
                task_of(tx, &p, &mut report_tasks).await?,
            ),
        };
        let mut entry = Entry {
            id: last_id + 1,
            at,
            actor_id,
            actor,
            address,
            request,
            action: p.op,
            object_table: p.table_name,
            object_key: p.row_key,
            task_id,
            before_json: p.before_json,
            after_json: p.after_json,
            algorithm: algorithm.code().to_string(),
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
    Ok(entries.len())
}

/// Links whatever waits in the copy's target (rows a PostgreSQL source had sealed but
/// not yet linked when it was read), inside the copy's transaction, so they are
/// chained after the copied log and before the copy's own entry. Unsealed rows there
/// were written behind the source's back.
pub(crate) async fn link_copied(tx: &mut Tx) -> Result<usize, sqlx::Error> {
    link(tx, &Actor::outside()).await
}

/// One link in a transaction of its own (see [`link`]), committed if it appended
/// anything.
async fn link_once(db: &Db) -> Result<usize, sqlx::Error> {
    let mut tx = db.write_unlogged().await?;
    let result = async {
        if tx.backend() == Backend::Postgres {
            // A bulk load holds the head for its whole transaction: past this, the
            // rows are left to the next link rather than keeping writers waiting.
            execute!(&mut tx, sqlx::query("SET LOCAL lock_timeout = '5s'"))?;
        }
        link(&mut tx, &Actor::outside()).await
    }
    .await;
    match result {
        Ok(n) if n > 0 => {
            tx.commit_unlogged().await?;
            Ok(n)
        }
        Ok(n) => {
            let _ = tx.rollback().await;
            Ok(n)
        }
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

/// A PostgreSQL pool's linker in this process: which writers asked for a link, which
/// of them a committed link has answered, and whether a link is running.
#[derive(Debug)]
pub(crate) struct Linker {
    state: std::sync::Mutex<LinkState>,
    /// The last request a finished link covered.
    done: tokio::sync::watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct LinkState {
    /// Requests so far (each writer's ticket is the count when it asked).
    requested: u64,
    /// Whether a link task is running (it goes on while requests arrive).
    running: bool,
}

impl Default for Linker {
    fn default() -> Linker {
        Linker {
            state: std::sync::Mutex::new(LinkState::default()),
            done: tokio::sync::watch::Sender::new(0),
        }
    }
}

impl Linker {
    fn state(&self) -> std::sync::MutexGuard<'_, LinkState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Right after a PostgreSQL write committed sealed rows: asks for a link, starting
/// the link task if none runs (see the module's note), and returns at once: the write
/// stands, and its entries are chained by that task a moment later (the log's readers
/// in this process wait for it: [`links_done`]).
pub(crate) fn link_after_commit(db: &Db) {
    let Db::Postgres(_, linker) = db else {
        return;
    };
    let lead = {
        let mut state = linker.state();
        state.requested += 1;
        let lead = !state.running;
        state.running = true;
        lead
    };
    if lead {
        tokio::spawn(run_links(db.clone(), std::sync::Arc::clone(linker)));
    }
}

/// Waits until every link asked for in this process so far has run, so what this
/// process wrote is in the log when it reads it (the audit pages, `verify`).
pub(crate) async fn links_done(db: &Db) {
    let Db::Postgres(_, linker) = db else {
        return;
    };
    let mut done = linker.done.subscribe();
    let asked = linker.state().requested;
    let _ = done.wait_for(|covered| *covered >= asked).await;
}

/// The link task: links until no request arrived during its last link.
async fn run_links(db: Db, linker: std::sync::Arc<Linker>) {
    /// Answers every request and lets the next writer start a task, should this one
    /// end early (a panic): nobody waits for ever.
    struct Release(std::sync::Arc<Linker>, bool);
    impl Drop for Release {
        fn drop(&mut self) {
            if self.1 {
                let mut state = self.0.state();
                state.running = false;
                self.0.done.send_replace(state.requested);
            }
        }
    }
    let mut release = Release(std::sync::Arc::clone(&linker), true);
    loop {
        let covers = linker.state().requested;
        // A failed link leaves the rows sealed and committed for the next one.
        let _ = link_once(&db).await;
        let mut state = linker.state();
        linker.done.send_replace(covers);
        if state.requested == covers {
            state.running = false;
            release.1 = false;
            return;
        }
    }
}

fn corrupt(message: &str) -> sqlx::Error {
    sqlx::Error::Protocol(message.to_string())
}

/// Writes entries as they are (a link, or a copy's own checks).
async fn insert_entries(tx: &mut Tx, entries: &[Entry]) -> Result<(), sqlx::Error> {
    with_conn!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(format!(
            "INSERT INTO audit_log ({}) ",
            super::ENTRY_COLUMNS
        ));
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

/// The row a change left (its after, else its before), as a JSON object.
fn json_object(p: &Pending) -> Option<serde_json::Map<String, serde_json::Value>> {
    let json = p.after_json.as_deref().or(p.before_json.as_deref())?;
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(row)) => Some(row),
        _ => None,
    }
}

/// The task a change belongs to: a task row itself, a row with a `task_id`, or one
/// with a `report_id` (events, attachments: the report's task).
async fn task_of(
    tx: &mut Tx,
    p: &Pending,
    report_tasks: &mut HashMap<i64, Option<i64>>,
) -> Result<Option<i64>, sqlx::Error> {
    let Some(row) = json_object(p) else {
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

impl Store {
    /// Links every sealed audit row committed so far (waiting for the head while
    /// another linker holds it): what `duban audit verify` does first, and `serve`'s
    /// minute tick, so rows left by a server stopped between a commit and its link are
    /// chained. How many entries it appended. On SQLite every write links its own rows
    /// before it commits, so only rows a copy or a change behind duban's back left are
    /// found here.
    pub async fn link_audit(&self) -> Result<usize, StoreError> {
        Ok(link_once(&self.db).await?)
    }
}
