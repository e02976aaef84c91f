//! Writing reporting rounds whole, with their reports as they stand and their history,
//! for building large data sets (`duban demo-data`): many rounds in one transaction and
//! statements of many rows each, instead of one transaction per step. The store records
//! what it is given; whether the states and steps make sense is the caller's (the
//! generator follows `duban_domain::workflow`). Keys are checked: every report is on a
//! task of the round's document and for one of that task's lead units.
//!
//! What it costs per row is the point (issue 11: a million reports at ≥ 50,000 a
//! second into SQLite), so while the rows go in, the row triggers on `reports` and
//! `report_events` are set aside (`suspend`) and what they would have done is done
//! once for the whole batch:
//!
//! - round counts (migration 0006): counted from the reports written, per round and
//!   state, in one statement;
//! - the store's generation and the documents' revisions: each new round's own row
//!   moves them (its triggers stay), in the same transaction as its reports;
//! - the audit log: nothing is captured row by row (as before), the batch is one
//!   `bulk_rounds` entry naming its rounds and counting its reports and steps.
//!
//! The triggers are dropped and made again from their own SQL inside the writing
//! transaction (SQLite), or disabled and enabled again in it (PostgreSQL, where only
//! the tables' owner may; otherwise they fire as usual), so a batch that fails or is
//! cut short leaves both the data and the triggers as they were. Only the triggers
//! this module knows what to do for ([`COMPENSATED`]) are set aside: any other trigger
//! that fires on an insert keeps them all in place.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::{Notice, ReportAction, ReportState, RichText, Role};

use crate::codec::{REPORTING, date_text, timestamp_text, to_json, u32_from};
use crate::db::{Backend, Tx, execute, with_conn};
use crate::query::unit_named;
use crate::rounds::lead_units;
use crate::{DocumentId, NewUser, RoundId, Store, StoreError, User, UserId, accounts, finish};

/// A reporting round to write whole.
#[derive(Debug, Clone)]
pub struct BulkRound {
    pub document: DocumentId,
    /// The period, such as `1-9月`.
    pub label: String,
    pub due: NaiveDate,
    pub opened_by: UserId,
    pub opened_at: DateTime<Utc>,
    /// `None`: the round is still open.
    pub closed_at: Option<DateTime<Utc>>,
    pub reports: Vec<BulkReport>,
}

/// One unit's report on one task, as it stands, with the steps that brought it there.
#[derive(Debug, Clone)]
pub struct BulkReport {
    /// 序号 of the task.
    pub task: u32,
    /// The unit's canonical name: one of the task's lead units.
    pub unit: String,
    pub state: ReportState,
    pub text: RichText,
    pub percent: Option<u8>,
    pub updated_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub events: Vec<BulkEvent>,
}

#[derive(Debug, Clone)]
pub struct BulkEvent {
    pub at: DateTime<Utc>,
    pub actor: UserId,
    pub actor_role: Role,
    pub action: ReportAction,
    pub from: ReportState,
    pub to: ReportState,
    pub comment: Option<String>,
}

/// Rows per statement: within both backends' limits on bound values (SQLite 32,766;
/// a report row binds 11).
const ROWS_PER_INSERT: usize = 1000;

/// The tables whose row triggers a batch sets aside.
const TABLES: &[&str] = &["reports", "report_events"];

/// The triggers that fire on an insert into [`TABLES`] and what stands in for each
/// (see the module's note), by backend. Triggers that fire only on updates or deletes
/// do nothing while rows are inserted and are set aside with them.
const COMPENSATED: &[(Backend, &str)] = &[
    // The batch's round counts, counted once.
    (Backend::Sqlite, "round_counts_insert"),
    (Backend::Postgres, "round_counts_insert"),
    // The new rounds' own rows move the generation and their documents' revisions.
    (Backend::Sqlite, "generation_reports_insert"),
    (Backend::Postgres, "generation_reports"),
    (Backend::Sqlite, "revision_reports_insert"),
    (Backend::Postgres, "revision_reports"),
    // Capture is off for the batch, which is logged as one entry.
    (Backend::Sqlite, "audit_reports_insert"),
    (Backend::Sqlite, "audit_report_events_insert"),
    (Backend::Postgres, "audit_capture"),
];

/// Triggers set aside for a batch, to be put back before it commits.
pub(crate) enum Suspended {
    /// Nothing set aside: the triggers fire row by row.
    Nothing,
    /// SQLite: the statements that make them again.
    Dropped(Vec<String>),
    /// PostgreSQL: (table, trigger) disabled.
    Disabled(Vec<(String, String)>),
}

/// Sets the row triggers of [`TABLES`] aside for the rest of the transaction, if every
/// one of them that fires on an insert is [`COMPENSATED`] (and, on PostgreSQL, the
/// tables are ours to alter).
pub(crate) async fn suspend(tx: &mut Tx) -> Result<Suspended, StoreError> {
    let backend = tx.backend();
    let known = |name: &str| COMPENSATED.contains(&(backend, name));
    match backend {
        Backend::Sqlite => {
            let triggers: Vec<(String, String, String)> = with_conn!(tx, c => sqlx::query_as(
                "SELECT name, tbl_name, sql FROM sqlite_master \
                 WHERE type = 'trigger' AND tbl_name IN ('reports', 'report_events') \
                 ORDER BY name",
            )
            .fetch_all(c)
            .await)?;
            if triggers
                .iter()
                .any(|(name, _, sql)| fires_on_insert(sql) && !known(name))
            {
                return Ok(Suspended::Nothing);
            }
            for (name, _, _) in &triggers {
                let sql = format!("DROP TRIGGER \"{name}\"");
                execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
            }
            Ok(Suspended::Dropped(
                triggers.into_iter().map(|(_, _, sql)| sql).collect(),
            ))
        }
        Backend::Postgres => {
            let triggers: Vec<(String, String, bool)> = with_conn!(tx, c => sqlx::query_as(
                "SELECT CAST(c.relname AS TEXT), CAST(t.tgname AS TEXT), (t.tgtype & 4) <> 0 \
                 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 WHERE t.tgrelid IN (to_regclass('reports'), to_regclass('report_events')) \
                   AND NOT t.tgisinternal AND t.tgenabled <> 'D' \
                 ORDER BY 1, 2",
            )
            .fetch_all(c)
            .await)?;
            let owner: bool = with_conn!(tx, c => sqlx::query_scalar(
                "SELECT COALESCE(bool_and(pg_has_role(relowner, 'USAGE')), false) FROM pg_class \
                 WHERE oid IN (to_regclass('reports'), to_regclass('report_events'))",
            )
            .fetch_one(c)
            .await)?;
            if !owner
                || triggers
                    .iter()
                    .any(|(_, name, insert)| *insert && !known(name))
            {
                return Ok(Suspended::Nothing);
            }
            let triggers: Vec<(String, String)> =
                triggers.into_iter().map(|(t, n, _)| (t, n)).collect();
            for (table, name) in &triggers {
                debug_assert!(TABLES.contains(&table.as_str()));
                let sql = format!("ALTER TABLE {table} DISABLE TRIGGER \"{name}\"");
                execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
            }
            Ok(Suspended::Disabled(triggers))
        }
    }
}

/// Whether a SQLite trigger's statement makes it fire on an insert (`… INSERT ON t`).
fn fires_on_insert(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let head = words.split(|w| w == "ON").next().unwrap_or_default();
    head.iter().any(|word| word == "INSERT")
}

/// Puts back what [`suspend`] set aside.
pub(crate) async fn restore(tx: &mut Tx, suspended: Suspended) -> Result<(), StoreError> {
    match suspended {
        Suspended::Nothing => {}
        Suspended::Dropped(statements) => {
            for sql in statements {
                execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
            }
        }
        Suspended::Disabled(triggers) => {
            for (table, name) in triggers {
                let sql = format!("ALTER TABLE {table} ENABLE TRIGGER \"{name}\"");
                execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
            }
        }
    }
    Ok(())
}

/// What a document's reports are keyed by: task ids by number, and each task's lead
/// units in the order its reports follow.
struct DocumentKeys {
    tasks: HashMap<u32, i64>,
    leads: HashMap<i64, Vec<i64>>,
}

/// The keys of the documents and units a batch names, read once per batch.
#[derive(Default)]
struct Keys {
    documents: HashMap<DocumentId, DocumentKeys>,
    units: HashMap<String, i64>,
}

impl Keys {
    async fn document(
        &mut self,
        tx: &mut Tx,
        document: DocumentId,
    ) -> Result<&DocumentKeys, StoreError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.documents.entry(document) {
            crate::query::issued_document(tx, document).await?;
            let tasks: Vec<(i64, i64)> = with_conn!(tx, c => sqlx::query_as(
                "SELECT number, id FROM tasks WHERE document_id = $1",
            )
            .bind(document.0)
            .fetch_all(c)
            .await)?;
            let tasks = tasks
                .into_iter()
                .map(|(number, id)| Ok((u32_from("任务序号", number)?, id)))
                .collect::<Result<_, StoreError>>()?;
            let leads = lead_units(tx, document, None).await?;
            slot.insert(DocumentKeys { tasks, leads });
        }
        Ok(&self.documents[&document])
    }

    async fn unit(&mut self, tx: &mut Tx, name: &str) -> Result<i64, StoreError> {
        if self.units.is_empty() {
            let all: Vec<(String, i64)> = with_conn!(tx, c => sqlx::query_as("SELECT name, id FROM units")
                    .fetch_all(c)
                    .await)?;
            self.units.extend(all);
        }
        if let Some(id) = self.units.get(name) {
            return Ok(*id);
        }
        // An alias (the canonical names are all in the map).
        let id = unit_named(tx, name)
            .await?
            .ok_or_else(|| StoreError::UnknownUnit(name.to_string()))?;
        self.units.insert(name.to_string(), id);
        Ok(id)
    }

    /// (task id, unit id, position) of a report of `document`, checked.
    async fn report(
        &mut self,
        tx: &mut Tx,
        document: DocumentId,
        report: &BulkReport,
    ) -> Result<(i64, i64, i64), StoreError> {
        let unit_id = self.unit(tx, &report.unit).await?;
        let keys = self.document(tx, document).await?;
        let task_id = *keys
            .tasks
            .get(&report.task)
            .ok_or(StoreError::TaskNotFound {
                document,
                task: report.task,
            })?;
        let position = keys
            .leads
            .get(&task_id)
            .and_then(|units| units.iter().position(|u| *u == unit_id))
            .ok_or_else(|| StoreError::NotAssigned {
                document,
                task: report.task,
                unit: report.unit.clone(),
            })?;
        Ok((task_id, unit_id, position as i64))
    }
}

/// Ids for `n` new reports: past the largest on SQLite (whose write transaction holds
/// the database), from the identity's sequence on PostgreSQL.
async fn report_ids(tx: &mut Tx, n: usize) -> Result<Vec<i64>, StoreError> {
    Ok(match tx.backend() {
        Backend::Sqlite => {
            let last: i64 = with_conn!(tx, c => sqlx::query_scalar(
                "SELECT COALESCE(MAX(id), 0) FROM reports",
            )
            .fetch_one(c)
            .await)?;
            (last + 1..=last + n as i64).collect()
        }
        Backend::Postgres => {
            let count = i64::try_from(n).unwrap_or(i64::MAX);
            with_conn!(tx, c => sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence('reports', 'id')) \
                 FROM generate_series(1, $1)",
            )
            .bind(count)
            .fetch_all(c)
            .await)?
        }
    })
}

/// SQLite's page cache while a batch is written, in KiB: the pages a batch of ~50,000
/// reports changes (its rows and their indexes' pages) stay in memory until the
/// commit instead of being spilled to the write-ahead log and written again.
const BULK_CACHE_KIB: i64 = 128 * 1024;

/// Raises the connection's page cache for a batch (SQLite); the size it had.
async fn raise_cache(tx: &mut Tx) -> Result<Option<i64>, StoreError> {
    if tx.backend() != Backend::Sqlite {
        return Ok(None);
    }
    let size: i64 =
        with_conn!(tx, c => sqlx::query_scalar("PRAGMA cache_size").fetch_one(c).await)?;
    let sql = format!("PRAGMA cache_size = -{BULK_CACHE_KIB}");
    execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    Ok(Some(size))
}

/// Gives the connection back its page cache's size (the pool reuses it).
async fn lower_cache(tx: &mut Tx, size: Option<i64>) -> Result<(), StoreError> {
    if let Some(size) = size {
        let sql = format!("PRAGMA cache_size = {size}");
        execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    }
    Ok(())
}

/// What a batch wrote.
struct Written {
    rounds: Vec<RoundId>,
    reports: usize,
    events: usize,
}

async fn write_rounds(tx: &mut Tx, rounds: &[BulkRound]) -> Result<Written, StoreError> {
    // Every report's keys first: a bad one refuses the batch before anything is written.
    let mut keys = Keys::default();
    let mut rows = Vec::with_capacity(rounds.iter().map(|r| r.reports.len()).sum());
    for (n, round) in rounds.iter().enumerate() {
        for report in &round.reports {
            rows.push((n, keys.report(tx, round.document, report).await?, report));
        }
    }

    let mut round_ids = Vec::with_capacity(rounds.len());
    for round in rounds {
        let id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
            "INSERT INTO rounds (document_id, kind, label, date, due, opened_by, opened_at, \
                 closed_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $6, $7) RETURNING id",
        )
        .bind(round.document.0)
        .bind(REPORTING)
        .bind(&round.label)
        .bind(date_text(Some(round.due)))
        .bind(round.opened_by.0)
        .bind(timestamp_text(round.opened_at))
        .bind(round.closed_at.map(timestamp_text))
        .fetch_one(c)
        .await)?;
        round_ids.push(id);
    }

    let ids = report_ids(tx, rows.len()).await?;
    for (chunk, ids) in rows
        .chunks(ROWS_PER_INSERT)
        .zip(ids.chunks(ROWS_PER_INSERT))
    {
        let encoded: Vec<(String, String)> = chunk
            .iter()
            .map(|(_, _, r)| Ok((to_json("填报内容", &r.text)?, r.text.plain_text())))
            .collect::<Result<_, StoreError>>()?;
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO reports (id, round_id, task_id, unit_id, position, state, \
                     text_json, text_plain, percent, updated_at, submitted_at) ",
            );
            q.push_values(chunk.iter().zip(ids).zip(&encoded), |mut b, (((n, key, report), id), text)| {
                let (task_id, unit_id, position) = *key;
                b.push_bind(*id)
                    .push_bind(round_ids[*n])
                    .push_bind(task_id)
                    .push_bind(unit_id)
                    .push_bind(position)
                    .push_bind(report.state.code())
                    .push_bind(text.0.as_str())
                    .push_bind(text.1.as_str())
                    .push_bind(report.percent.map(i64::from))
                    .push_bind(report.updated_at.map(timestamp_text))
                    .push_bind(report.submitted_at.map(timestamp_text));
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }

    let events: Vec<(i64, &BulkEvent)> = rows
        .iter()
        .zip(&ids)
        .flat_map(|((_, _, report), id)| report.events.iter().map(move |e| (*id, e)))
        .collect();
    for chunk in events.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO report_events (report_id, at, actor_id, actor_role, action, \
                     from_state, to_state, comment) ",
            );
            q.push_values(chunk, |mut b, (id, event)| {
                b.push_bind(*id)
                    .push_bind(timestamp_text(event.at))
                    .push_bind(event.actor.0)
                    .push_bind(event.actor_role.code())
                    .push_bind(event.action.code())
                    .push_bind(event.from.code())
                    .push_bind(event.to.code())
                    .push_bind(event.comment.as_deref());
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(Written {
        rounds: round_ids.into_iter().map(RoundId).collect(),
        reports: rows.len(),
        events: events.len(),
    })
}

/// The round counts of new rounds (no count of theirs exists yet), from their reports:
/// what `round_counts_insert` adds row by row.
async fn count_rounds(tx: &mut Tx, rounds: &[RoundId]) -> Result<(), StoreError> {
    for chunk in rounds.chunks(ROWS_PER_INSERT) {
        let ids: Vec<String> = chunk.iter().map(|r| r.0.to_string()).collect();
        let ids = ids.join(", ");
        let sql = match tx.backend() {
            Backend::Sqlite => format!(
                "INSERT INTO round_counts (round_id, state, n) \
                 SELECT round_id, state, COUNT(*) FROM reports WHERE round_id IN ({ids}) \
                 GROUP BY round_id, state"
            ),
            Backend::Postgres => format!(
                "INSERT INTO round_counts (round_id, state, slot, n) \
                 SELECT round_id, state, duban_write_slot(), COUNT(*) FROM reports \
                 WHERE round_id IN ({ids}) GROUP BY round_id, state"
            ),
        };
        execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    }
    Ok(())
}

impl Store {
    /// Writes a reporting round with its reports and their history in one transaction:
    /// [`Store::write_rounds_whole`] with one round.
    pub async fn write_round_whole(&self, round: &BulkRound) -> Result<RoundId, StoreError> {
        let ids = self.write_rounds_whole(std::slice::from_ref(round)).await?;
        ids.into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("填报轮次未写入".into()))
    }

    /// Writes reporting rounds with their reports and their history, all in one
    /// transaction (see the module's note): for generated data sets, not for the
    /// office's work, which goes step by step through [`Store::act_on_report`]. The
    /// rounds' ids, in the order given. Unknown document → [`StoreError::NotFound`]; a
    /// task number it lacks → [`StoreError::TaskNotFound`]; a unit that does not lead
    /// the task → [`StoreError::NotAssigned`]; any of them writes nothing.
    pub async fn write_rounds_whole(
        &self,
        rounds: &[BulkRound],
    ) -> Result<Vec<RoundId>, StoreError> {
        let mut tx = self.db.write().await?;
        let cache = raise_cache(&mut tx).await?;
        // A generated batch is one entry in the audit log, not one per row.
        let result = async {
            crate::audit::capture(&mut tx, false).await?;
            let suspended = suspend(&mut tx).await?;
            let counted = matches!(suspended, Suspended::Nothing);
            let written = write_rounds(&mut tx, rounds).await?;
            restore(&mut tx, suspended).await?;
            if !counted {
                count_rounds(&mut tx, &written.rounds).await?;
            }
            crate::audit::capture(&mut tx, true).await?;
            let details = serde_json::json!({
                "rounds": written.rounds.iter().map(|r| r.0).collect::<Vec<_>>(),
                "reports": written.reports,
                "events": written.events,
            });
            crate::audit::queue_event(&mut tx, "bulk_rounds", None, &details).await?;
            Ok(written.rounds)
        }
        .await;
        let result = match (result, lower_cache(&mut tx, cache).await) {
            (Ok(_), Err(e)) => Err(e),
            (result, _) => result,
        };
        finish(tx, result).await
    }

    /// Stores generated notices, each under a 文号 of its own, in one transaction logged
    /// as one `bulk_notices` entry in the audit log instead of one per row (as
    /// [`Store::write_rounds_whole`] logs its rounds): for generated data sets. Their
    /// ids, in the order given; a notice whose 文号 is stored with other content is
    /// refused ([`StoreError::Conflict`]) and nothing is written.
    pub async fn save_notices_whole(
        &self,
        notices: &[Notice],
        source_name: &str,
    ) -> Result<Vec<DocumentId>, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            crate::audit::capture(&mut tx, false).await?;
            let mut ids = Vec::with_capacity(notices.len());
            for notice in notices {
                ids.push(
                    crate::save::save_notice(&mut tx, notice, source_name, false)
                        .await?
                        .id(),
                );
            }
            crate::audit::capture(&mut tx, true).await?;
            let details = serde_json::json!({
                "documents": ids.iter().map(|d| d.0).collect::<Vec<_>>(),
                "tasks": notices.iter().map(|n| n.tasks.len()).sum::<usize>(),
            });
            crate::audit::queue_event(&mut tx, "bulk_notices", None, &details).await?;
            Ok(ids)
        }
        .await;
        finish(tx, result).await
    }

    /// Adds accounts in one transaction, as [`Store::create_user`] adds one each: for
    /// generated data sets with thousands of units.
    pub async fn create_users(&self, new: Vec<NewUser>) -> Result<Vec<User>, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            let mut created = Vec::with_capacity(new.len());
            for user in new {
                created.push(accounts::create_user(&mut tx, user).await?);
            }
            Ok(created)
        }
        .await;
        finish(tx, result).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_firing_on_inserts_are_recognised() {
        assert!(fires_on_insert(
            "CREATE TRIGGER round_counts_insert AFTER INSERT ON reports BEGIN … END"
        ));
        assert!(fires_on_insert(
            "CREATE TRIGGER t AFTER INSERT OR UPDATE ON reports BEGIN INSERT INTO x … END"
        ));
        assert!(!fires_on_insert(
            "CREATE TRIGGER round_counts_update AFTER UPDATE OF state, round_id ON reports \
             WHEN … BEGIN INSERT INTO round_counts … END"
        ));
        assert!(!fires_on_insert(
            "CREATE TRIGGER t AFTER DELETE ON reports BEGIN INSERT INTO audit_pending … END"
        ));
    }
}
