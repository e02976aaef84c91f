//! A batch of rounds, written: their values put in stored form first
//! ([`BulkRound::prepare`], on any thread), then keyed and inserted many rows to a
//! statement.

use std::collections::HashMap;

use super::{BulkRound, ROWS_PER_INSERT};
use crate::codec::{REPORTING, date_text, timestamp_text, to_json, u32_from};
use crate::db::{Backend, Tx, execute, with_conn};
use crate::query::unit_named;
use crate::rounds::lead_units;
use crate::{DocumentId, RoundId, StoreError};

/// A round with its values in stored form, ready for [`crate::Store::write_prepared_rounds`].
#[derive(Debug)]
pub struct PreparedRound {
    document: DocumentId,
    label: String,
    due: Option<String>,
    opened_by: i64,
    opened_at: String,
    closed_at: Option<String>,
    reports: Vec<PreparedReport>,
}

#[derive(Debug)]
struct PreparedReport {
    task: u32,
    unit: String,
    state: &'static str,
    text_json: String,
    text_plain: String,
    percent: Option<i64>,
    updated_at: Option<String>,
    submitted_at: Option<String>,
    events: Vec<PreparedEvent>,
}

#[derive(Debug)]
struct PreparedEvent {
    at: String,
    actor: i64,
    role: &'static str,
    action: &'static str,
    from: &'static str,
    to: &'static str,
    comment: Option<String>,
}

impl BulkRound {
    /// The round with its text and times encoded as they are stored: the part of
    /// writing it that needs no database, so a generator can do it on its own thread
    /// while the store writes the batch before.
    pub fn prepare(self) -> Result<PreparedRound, StoreError> {
        let reports = self
            .reports
            .into_iter()
            .map(|r| {
                Ok(PreparedReport {
                    task: r.task,
                    unit: r.unit,
                    state: r.state.code(),
                    text_json: to_json("填报内容", &r.text)?,
                    text_plain: r.text.plain_text(),
                    percent: r.percent.map(i64::from),
                    updated_at: r.updated_at.map(timestamp_text),
                    submitted_at: r.submitted_at.map(timestamp_text),
                    events: r
                        .events
                        .into_iter()
                        .map(|e| PreparedEvent {
                            at: timestamp_text(e.at),
                            actor: e.actor.0,
                            role: e.actor_role.code(),
                            action: e.action.code(),
                            from: e.from.code(),
                            to: e.to.code(),
                            comment: e.comment,
                        })
                        .collect(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(PreparedRound {
            document: self.document,
            label: self.label,
            due: date_text(Some(self.due)),
            opened_by: self.opened_by.0,
            opened_at: timestamp_text(self.opened_at),
            closed_at: self.closed_at.map(timestamp_text),
            reports,
        })
    }
}

impl PreparedRound {
    /// How many reports the round has.
    pub fn reports(&self) -> usize {
        self.reports.len()
    }
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
        report: &PreparedReport,
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
pub(super) async fn raise_cache(tx: &mut Tx) -> Result<Option<i64>, StoreError> {
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
pub(super) async fn lower_cache(tx: &mut Tx, size: Option<i64>) -> Result<(), StoreError> {
    if let Some(size) = size {
        let sql = format!("PRAGMA cache_size = {size}");
        execute!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    }
    Ok(())
}

/// What a batch wrote.
pub(super) struct Written {
    pub(super) rounds: Vec<RoundId>,
    pub(super) reports: usize,
    pub(super) events: usize,
}

/// A report row: its round's id, (task, unit, position), its id, and the report.
type Row = (i64, (i64, i64, i64), i64, PreparedReport);

pub(super) async fn write_rounds(
    tx: &mut Tx,
    rounds: Vec<PreparedRound>,
) -> Result<Written, StoreError> {
    // Every report's keys first: a bad one refuses the batch before anything is written.
    let mut keys = Keys::default();
    let mut keyed = Vec::with_capacity(rounds.len());
    for round in &rounds {
        let mut of_round = Vec::with_capacity(round.reports.len());
        for report in &round.reports {
            of_round.push(keys.report(tx, round.document, report).await?);
        }
        keyed.push(of_round);
    }

    let mut round_ids = Vec::with_capacity(rounds.len());
    for round in &rounds {
        let id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
            "INSERT INTO rounds (document_id, kind, label, date, due, opened_by, opened_at, \
                 closed_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $6, $7) RETURNING id",
        )
        .bind(round.document.0)
        .bind(REPORTING)
        .bind(&round.label)
        .bind(&round.due)
        .bind(round.opened_by)
        .bind(&round.opened_at)
        .bind(&round.closed_at)
        .fetch_one(c)
        .await)?;
        round_ids.push(id);
    }

    let count: usize = keyed.iter().map(Vec::len).sum();
    let mut ids = report_ids(tx, count).await?.into_iter();
    let mut rows: Vec<Row> = Vec::with_capacity(count);
    let mut events = Vec::new();
    for ((round, keys), round_id) in rounds.into_iter().zip(keyed).zip(&round_ids) {
        for (mut report, key) in round.reports.into_iter().zip(keys) {
            let id = ids
                .next()
                .ok_or_else(|| StoreError::Corrupt("填报编号不足".into()))?;
            events.extend(
                std::mem::take(&mut report.events)
                    .into_iter()
                    .map(|e| (id, e)),
            );
            rows.push((*round_id, key, id, report));
        }
    }
    let reports = rows.len();
    let written_events = events.len();

    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Row> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO reports (id, round_id, task_id, unit_id, position, state, \
                     text_json, text_plain, percent, updated_at, submitted_at) ",
            );
            q.push_values(chunk, |mut b, (round_id, (task_id, unit_id, position), id, r)| {
                b.push_bind(id)
                    .push_bind(round_id)
                    .push_bind(task_id)
                    .push_bind(unit_id)
                    .push_bind(position)
                    .push_bind(r.state)
                    .push_bind(r.text_json)
                    .push_bind(r.text_plain)
                    .push_bind(r.percent)
                    .push_bind(r.updated_at)
                    .push_bind(r.submitted_at);
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }

    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let chunk: Vec<(i64, PreparedEvent)> = events.by_ref().take(ROWS_PER_INSERT).collect();
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO report_events (report_id, at, actor_id, actor_role, action, \
                     from_state, to_state, comment) ",
            );
            q.push_values(chunk, |mut b, (id, e)| {
                b.push_bind(id)
                    .push_bind(e.at)
                    .push_bind(e.actor)
                    .push_bind(e.role)
                    .push_bind(e.action)
                    .push_bind(e.from)
                    .push_bind(e.to)
                    .push_bind(e.comment);
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(Written {
        rounds: round_ids.into_iter().map(RoundId).collect(),
        reports,
        events: written_events,
    })
}

/// The round counts of new rounds (no count of theirs exists yet), from their reports:
/// what `round_counts_insert` adds row by row.
pub(super) async fn count_rounds(tx: &mut Tx, rounds: &[RoundId]) -> Result<(), StoreError> {
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
