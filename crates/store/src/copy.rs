//! Copying a whole store into another, from SQLite to PostgreSQL or back (`duban
//! migrate-data`): every table the office's data lives in, history, attachments and
//! audit records included, in one transaction on the target, checked before it commits.
//!
//! - The target must be empty (freshly created and migrated): nothing is ever merged
//!   into or written over existing data.
//! - Rows are copied as they are, keys included, so every reference holds. Counters the
//!   triggers keep (round counts, the store's generation) are not copied: the target's
//!   triggers rebuild them as the rows arrive, and the round counts are then checked
//!   against the reports.
//! - Each table's rows are counted and summed into a checksum (SHA-256 of each row's
//!   values, added up, so the order rows come in does not matter), on the source as
//!   they are read and on the target after they are written, in the target's
//!   transaction; any difference rolls everything back. So does any error, and a copy
//!   cut short (the process killed) is never committed: the target is left empty.
//!
//! Every column is an integer, text or bytes (the schemas are kept so, see the store's
//! `schema` test), which is all a row's values need to be carried across.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Backend, Tx, execute, with_conn};
use crate::{Store, StoreError};

/// Every table that holds the office's data, in an order in which each row's references
/// exist before it (the one cycle, a document that is a round's notice, is closed
/// afterwards: see [`LATER`]).
pub const TABLES: &[&str] = &[
    "units",
    "unit_aliases",
    "users",
    "sessions",
    "login_throttle",
    "login_lockouts",
    "sources",
    "documents",
    "tasks",
    "task_units",
    "subitems",
    "subitem_units",
    "unit_flags",
    "rounds",
    "progress_reports",
    "reports",
    "report_events",
    "report_attachments",
    "assignments",
    "task_states",
    "task_events",
    "task_instructions",
    "status_overrides",
    "task_plans",
    "task_milestones",
    "round_schedules",
    "schedule_periods",
    "notice_settings",
    "round_notices",
    "warning_rules",
    "reminders",
    "reminder_deliveries",
    "escalation_ladder",
    "escalation_steps",
    // Last: while the data tables are copied the target has no chain head, so its
    // audit triggers capture nothing; the source's log and head then arrive as they
    // are, and the chain goes on from there. Sealed rows a PostgreSQL source had not
    // yet linked when it was read come with them and are linked in the target.
    "audit_log",
    "audit_head",
    "audit_pending",
];

/// Tables the triggers keep from the others: rebuilt on the target, not copied.
pub const DERIVED: &[&str] = &[
    "round_counts",
    "store_generation",
    "store_structure",
    "document_revisions",
];

/// Tables a new store has a row in already (the audit chain's head), which a copy
/// replaces with the source's.
const REPLACED: &[&str] = &["audit_head"];

/// Columns written once the tables they point to are copied: (table, column, key).
const LATER: &[(&str, &str, &str)] = &[("documents", "reports_round_id", "id")];

/// How [`Store::copy_logged`] copies.
#[derive(Debug, Clone, Default)]
pub struct CopyOptions {
    /// Empty the target first (a restore told to replace what is there).
    pub replace: bool,
    /// An event to log in the target (`restore`, `migrate_data`) with these details.
    pub event: Option<(String, serde_json::Value)>,
}

/// What was copied of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    pub rows: u64,
    /// The sum of the rows' SHA-256 (first 128 bits), hex: equal on both sides.
    pub checksum: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
    Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Null,
    Integer(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A table's row count and checksum, added to row by row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    rows: u64,
    sum: u128,
}

impl Tally {
    fn add(&mut self, row: &[Value]) {
        let mut hash = Sha256::new();
        for value in row {
            match value {
                Value::Null => hash.update([0]),
                Value::Integer(n) => {
                    hash.update([1]);
                    hash.update(n.to_le_bytes());
                }
                Value::Text(text) => {
                    hash.update([2]);
                    hash.update((text.len() as u64).to_le_bytes());
                    hash.update(text.as_bytes());
                }
                Value::Bytes(bytes) => {
                    hash.update([3]);
                    hash.update((bytes.len() as u64).to_le_bytes());
                    hash.update(bytes);
                }
            }
        }
        let digest = hash.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        self.rows += 1;
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(first));
    }
}

fn mismatch(table: &str, detail: impl Into<String>) -> StoreError {
    StoreError::CopyMismatch {
        table: table.to_string(),
        detail: detail.into(),
    }
}

/// The tables of the database `tx` is on, but duban's migrations record.
async fn tables(tx: &mut Tx) -> Result<Vec<String>, StoreError> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name"
        }
    };
    Ok(with_conn!(tx, c => sqlx::query_scalar::<_, String>(sql).fetch_all(c).await)?)
}

/// A table's columns in order, with the kind of value each holds.
async fn columns(tx: &mut Tx, table: &str) -> Result<Vec<(String, Kind)>, StoreError> {
    let sql = match tx.backend() {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position"
        }
    };
    let rows: Vec<(String, String)> =
        with_conn!(tx, c => sqlx::query_as(sql).bind(table).fetch_all(c).await)?;
    rows.into_iter()
        .map(|(name, declared)| {
            let kind = match declared.to_ascii_lowercase().as_str() {
                "integer" | "bigint" => Kind::Integer,
                "text" => Kind::Text,
                "blob" | "bytea" => Kind::Bytes,
                other => {
                    return Err(mismatch(
                        table,
                        format!("列 {name} 的类型 {other} 无法复制"),
                    ));
                }
            };
            Ok((name, kind))
        })
        .collect()
}

/// One row's values, read as the columns' kinds say.
fn values<R>(row: &R, kinds: &[Kind]) -> Result<Vec<Value>, sqlx::Error>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            Ok(match kind {
                Kind::Integer => row.try_get::<Option<i64>, _>(i)?.map(Value::Integer),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
                Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Value::Bytes),
            }
            .unwrap_or(Value::Null))
        })
        .collect()
}

/// Inserts `rows` into `table` in one statement, each value bound with its column's type.
async fn insert(
    tx: &mut Tx,
    table: &str,
    columns: &[(String, Kind)],
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let head = format!("INSERT INTO {table} ({}) ", names.join(", "));
    with_conn!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(head);
        q.push_values(rows, |mut b, row| {
            for (value, (_, kind)) in row.iter().zip(columns) {
                match (value, kind) {
                    (Value::Integer(n), _) => b.push_bind(*n),
                    (Value::Text(text), _) => b.push_bind(text.clone()),
                    (Value::Bytes(bytes), _) => b.push_bind(bytes.clone()),
                    (Value::Null, Kind::Integer) => b.push_bind(None::<i64>),
                    (Value::Null, Kind::Text) => b.push_bind(None::<String>),
                    (Value::Null, Kind::Bytes) => b.push_bind(None::<Vec<u8>>),
                };
            }
        });
        q.build().execute(c).await.map(|_| ())
    })?;
    Ok(())
}

/// Values bound per statement stay well under both backends' limits (SQLite 32,766).
const VALUES_PER_INSERT: usize = 20_000;

/// Copies `table` from `source` to `target`, row by row; its tally, and the values of
/// the [`LATER`] columns left out (key, value), to be written afterwards.
async fn copy_table(
    source: &mut Tx,
    target: &mut Tx,
    table: &'static str,
) -> Result<(Tally, Vec<(String, i64, Value)>), StoreError> {
    let columns = columns(source, table).await?;
    if columns != self::columns(target, table).await? {
        return Err(mismatch(table, "两个数据库中该表的列不同"));
    }
    let kinds: Vec<Kind> = columns.iter().map(|(_, kind)| *kind).collect();
    // Columns to write later are inserted as NULL, then set; the key says which row.
    let later: Vec<(usize, usize)> = LATER
        .iter()
        .filter(|(t, _, _)| *t == table)
        .filter_map(|(_, column, key)| {
            let at = |name: &str| columns.iter().position(|(n, _)| n == name);
            Some((at(column)?, at(key)?))
        })
        .collect();
    let batch = (VALUES_PER_INSERT / columns.len().max(1)).clamp(1, 1000);
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let select = format!("SELECT {} FROM {table}", names.join(", "));
    let mut tally = Tally::default();
    let mut deferred = Vec::new();
    let mut rows: Vec<Vec<Value>> = Vec::with_capacity(batch);
    with_conn!(source, c => {
        let mut stream = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(c);
        while let Some(row) = stream.try_next().await? {
            let mut values = values(&row, &kinds)?;
            tally.add(&values);
            for &(column, key) in &later {
                if values[column] != Value::Null {
                    let Value::Integer(key) = values[key] else {
                        return Err(mismatch(table, "行的编号不是整数"));
                    };
                    let value = std::mem::replace(&mut values[column], Value::Null);
                    deferred.push((columns[column].0.clone(), key, value));
                }
            }
            rows.push(values);
            if rows.len() == batch {
                insert(target, table, &columns, &rows).await?;
                rows.clear();
            }
        }
    });
    if !rows.is_empty() {
        insert(target, table, &columns, &rows).await?;
    }
    Ok((tally, deferred))
}

/// The rows of `table` in `tx`, counted and summed as [`copy_table`] does.
async fn tally(tx: &mut Tx, table: &str) -> Result<Tally, StoreError> {
    let columns = columns(tx, table).await?;
    let kinds: Vec<Kind> = columns.iter().map(|(_, kind)| *kind).collect();
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let select = format!("SELECT {} FROM {table}", names.join(", "));
    let mut tally = Tally::default();
    with_conn!(tx, c => {
        let mut stream = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(c);
        while let Some(row) = stream.try_next().await? {
            tally.add(&values(&row, &kinds)?);
        }
    });
    Ok(tally)
}

async fn row_count(tx: &mut Tx, table: &str) -> Result<i64, StoreError> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(
        with_conn!(tx, c => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .fetch_one(c)
        .await)?,
    )
}

/// Moves PostgreSQL's identity columns past the ids copied in, so the next row the
/// target inserts gets a new one.
async fn continue_identities(tx: &mut Tx) -> Result<(), StoreError> {
    if tx.backend() != Backend::Postgres {
        // SQLite's next rowid is one past the largest already.
        return Ok(());
    }
    let identities: Vec<(String, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(c)
    .await)?;
    for (table, column) in identities {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), MAX({column})) \
             FROM {table} HAVING MAX({column}) IS NOT NULL"
        );
        with_conn!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(c).await.map(|_| ()))?;
    }
    Ok(())
}

/// The round counts the triggers keep, against a count of the reports themselves.
async fn check_round_counts(tx: &mut Tx) -> Result<(), StoreError> {
    let kept: Vec<(i64, String, i64)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT round_id, state, CAST(SUM(n) AS BIGINT) FROM round_counts \
         GROUP BY round_id, state",
    )
    .fetch_all(c)
    .await)?;
    let counted: Vec<(i64, String, i64)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT round_id, state, COUNT(*) FROM reports GROUP BY round_id, state",
    )
    .fetch_all(c)
    .await)?;
    let nonzero = |rows: Vec<(i64, String, i64)>| -> BTreeMap<(i64, String), i64> {
        rows.into_iter()
            .filter(|(_, _, n)| *n != 0)
            .map(|(round, state, n)| ((round, state), n))
            .collect()
    };
    if nonzero(kept) != nonzero(counted) {
        return Err(mismatch(
            "round_counts",
            "各轮次按状态的填报数与填报记录不符",
        ));
    }
    Ok(())
}

/// Deletes everything the target holds (a restore told to replace a store), inside
/// the copy's transaction: nothing is captured meanwhile, and the audit log, which
/// only the retention job may otherwise delete from, is let go too.
async fn empty(target: &mut Tx) -> Result<(), StoreError> {
    execute!(
        target,
        sqlx::query("UPDATE audit_head SET capture = 0, prune = 1 WHERE id = 1")
    )?;
    for (table, column, _) in LATER {
        let sql = format!("UPDATE {table} SET {column} = NULL");
        execute!(target, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    }
    for table in TABLES.iter().rev().filter(|t| !REPLACED.contains(t)) {
        let sql = format!("DELETE FROM {table}");
        execute!(target, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    }
    Ok(())
}

async fn copy(
    source: &mut Tx,
    target: &mut Tx,
    replace: bool,
    mut progress: impl FnMut(&TableCopy),
) -> Result<Vec<TableCopy>, StoreError> {
    // Every table is one this version knows how to copy (or rebuilds).
    for table in tables(source).await? {
        if !TABLES.contains(&table.as_str()) && !DERIVED.contains(&table.as_str()) {
            return Err(mismatch(&table, "本版本不认识这张表，无法复制"));
        }
    }
    if replace {
        empty(target).await?;
    }
    for table in TABLES.iter().filter(|t| !REPLACED.contains(t)) {
        let rows = row_count(target, table).await?;
        if rows > 0 {
            return Err(StoreError::TargetNotEmpty {
                table: (*table).to_string(),
                rows,
            });
        }
    }
    // No head, no capture (see `TABLES`).
    for table in REPLACED {
        let sql = format!("DELETE FROM {table}");
        execute!(target, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
    }
    let mut copied = Vec::with_capacity(TABLES.len());
    let mut deferred = Vec::new();
    for table in TABLES {
        let (read, later) = copy_table(source, target, table).await?;
        deferred.extend(
            later
                .into_iter()
                .map(|(column, key, value)| (*table, column, key, value)),
        );
        copied.push((*table, read));
    }
    for (table, column, key, value) in deferred {
        let Value::Integer(value) = value else {
            return Err(mismatch(table, format!("列 {column} 不是整数")));
        };
        let sql = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
        execute!(
            target,
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(value).bind(key)
        )?;
    }
    continue_identities(target).await?;
    // What the target holds now, read back in its own transaction.
    let mut report = Vec::with_capacity(copied.len());
    for (table, read) in copied {
        let written = tally(target, table).await?;
        if written != read {
            return Err(mismatch(
                table,
                format!(
                    "源数据库 {} 行，目标数据库 {} 行，校验和{}",
                    read.rows,
                    written.rows,
                    if read.sum == written.sum {
                        "相同"
                    } else {
                        "不同"
                    }
                ),
            ));
        }
        report.push(TableCopy {
            table,
            rows: read.rows,
            checksum: format!("{:032x}", read.sum),
        });
    }
    check_round_counts(target).await?;
    // Sealed rows the source had not yet linked are chained in the target now (after
    // the copied log, before anything the target logs itself); what is reported of the
    // log's tables is then what the target holds.
    if crate::audit::link_copied(target).await? > 0 {
        for copy in report
            .iter_mut()
            .filter(|c| ["audit_log", "audit_head", "audit_pending"].contains(&c.table))
        {
            let now = tally(target, copy.table).await?;
            copy.rows = now.rows;
            copy.checksum = format!("{:032x}", now.sum);
        }
    }
    for copy in &report {
        progress(copy);
    }
    Ok(report)
}

impl Store {
    /// Copies everything this store holds into `target`, which must be empty (a new
    /// database that [`Store::connect`] has migrated), in one transaction on the target
    /// that commits only once every table's rows are counted and checksummed equal on
    /// both sides (see the module's note). `progress` hears of each table checked.
    /// Refused when the target holds anything: [`StoreError::TargetNotEmpty`]; any
    /// difference is [`StoreError::CopyMismatch`]; either way the target is unchanged.
    pub async fn copy_into(
        &self,
        target: &Store,
        progress: impl FnMut(&TableCopy),
    ) -> Result<Vec<TableCopy>, StoreError> {
        self.copy_logged(target, CopyOptions::default(), progress)
            .await
    }

    /// [`Store::copy_into`] as `options` say: into a store emptied first (in the same
    /// transaction) if `replace`, and with `event` recorded in the target's audit log,
    /// chained after the copied entries, in the same transaction.
    pub async fn copy_logged(
        &self,
        target: &Store,
        options: CopyOptions,
        progress: impl FnMut(&TableCopy),
    ) -> Result<Vec<TableCopy>, StoreError> {
        let mut source = self.db.read().await?;
        let mut tx = target.db.write().await?;
        let result = async {
            let copied = copy(&mut source, &mut tx, options.replace, progress).await?;
            if let Some((action, details)) = &options.event {
                let rows: u64 = copied.iter().map(|t| t.rows).sum();
                let mut details = details.clone();
                if let Some(object) = details.as_object_mut() {
                    object.insert("tables".into(), copied.len().into());
                    object.insert("rows".into(), rows.into());
                    object.insert("replaced".into(), options.replace.into());
                }
                crate::audit::queue_event(&mut tx, action, None, &details).await?;
            }
            Ok(copied)
        }
        .await;
        // The source was only read.
        let _ = source.rollback().await;
        crate::finish(tx, result).await
    }
}
