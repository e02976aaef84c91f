//! The audit triggers: on every table that holds the office's data, each row
//! inserted, updated or deleted leaves its before and after in `audit_pending`.
//!
//! They are made from the live schema when the store opens (SQLite's triggers must
//! name every column; PostgreSQL's call one function, `duban_audit_capture` of
//! migration 0017, with the table's key, byte and secret columns as arguments), and
//! remade when a migration changed a table, so a column or table added later is
//! captured without a hand-written list. Which tables: every one `copy` carries
//! ([`crate::copy::TABLES`]) except the log itself and [`NOT_AUDITED`].
//!
//! - Bytes (an attachment's content) are recorded as `{"bytes": length}`.
//! - Secrets (a column whose name has `password`, `secret` or `token` in it) are
//!   recorded as `***`, and an update that changed one as `***（已修改）`.
//! - Nothing is captured while `audit_head.capture` is not 1: a bulk load or a copy
//!   into a new store (which logs itself as one event instead), or a store being
//!   emptied for a restore.

use crate::db::{Backend, Lock, Tx, execute, with_conn};
use crate::{Store, StoreError};

/// Data tables whose row changes are not logged row by row: sessions (logins and
/// logouts are logged as events, and a session's token hash is not for the log) and
/// the login throttle's counters (failed logins are events).
pub const NOT_AUDITED: &[&str] = &["sessions", "login_throttle"];

/// The audit log's own tables (never captured).
pub(crate) const AUDIT_TABLES: &[&str] = &["audit_log", "audit_head", "audit_pending"];

/// Every table whose changes are captured.
pub fn audited_tables() -> impl Iterator<Item = &'static str> {
    crate::copy::TABLES
        .iter()
        .copied()
        .filter(|t| !NOT_AUDITED.contains(t) && !AUDIT_TABLES.contains(t))
}

fn is_secret(column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    c.contains("password") || c.contains("secret") || c.contains("token")
}

/// What a table's triggers need to know of it.
struct Shape {
    columns: Vec<String>,
    bytes: Vec<String>,
    key: Vec<String>,
}

async fn shape(tx: &mut Tx, table: &str) -> Result<Shape, StoreError> {
    match tx.backend() {
        Backend::Sqlite => {
            let cols: Vec<(String, String, i64)> = with_conn!(tx, c => sqlx::query_as(
                "SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid",
            )
            .bind(table)
            .fetch_all(c)
            .await)?;
            let mut key: Vec<(i64, String)> = cols
                .iter()
                .filter(|(_, _, pk)| *pk > 0)
                .map(|(n, _, pk)| (*pk, n.clone()))
                .collect();
            key.sort();
            let mut key: Vec<String> = key.into_iter().map(|(_, n)| n).collect();
            if key.is_empty() {
                // No primary key: the first unique index's columns.
                let index: Option<String> = with_conn!(tx, c => sqlx::query_scalar(
                    "SELECT name FROM pragma_index_list($1) WHERE \"unique\" = 1 \
                     ORDER BY seq DESC LIMIT 1",
                )
                .bind(table)
                .fetch_optional(c)
                .await)?;
                if let Some(index) = index {
                    key = with_conn!(tx, c => sqlx::query_scalar(
                        "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                    )
                    .bind(index)
                    .fetch_all(c)
                    .await)?;
                }
            }
            Ok(Shape {
                bytes: cols
                    .iter()
                    .filter(|(_, t, _)| t.eq_ignore_ascii_case("blob"))
                    .map(|(n, _, _)| n.clone())
                    .collect(),
                columns: cols.into_iter().map(|(n, _, _)| n).collect(),
                key,
            })
        }
        Backend::Postgres => {
            let cols: Vec<(String, String)> = with_conn!(tx, c => sqlx::query_as(
                "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(c)
            .await)?;
            // The primary key's columns, else the first unique index's, in index order.
            let key: Vec<String> = with_conn!(tx, c => sqlx::query_scalar(
                "SELECT CAST(a.attname AS TEXT) FROM ( \
                     SELECT i.indrelid, i.indkey FROM pg_index i \
                     WHERE i.indrelid = to_regclass($1) AND (i.indisprimary OR i.indisunique) \
                     ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1) k \
                 CROSS JOIN LATERAL unnest(k.indkey) WITH ORDINALITY AS u(attnum, n) \
                 JOIN pg_attribute a ON a.attrelid = k.indrelid AND a.attnum = u.attnum \
                 ORDER BY u.n",
            )
            .bind(table)
            .fetch_all(c)
            .await)?;
            Ok(Shape {
                bytes: cols
                    .iter()
                    .filter(|(_, t)| t == "bytea")
                    .map(|(n, _)| n.clone())
                    .collect(),
                columns: cols.into_iter().map(|(n, _)| n).collect(),
                key,
            })
        }
    }
}

/// `json_object(…)` of a row (`OLD` or `NEW`) for SQLite.
fn sqlite_json(shape: &Shape, row: &str, changed_secrets: bool) -> String {
    let fields: Vec<String> = shape
        .columns
        .iter()
        .map(|col| {
            let value = if shape.bytes.contains(col) {
                format!("json_object('bytes', length({row}.\"{col}\"))")
            } else if is_secret(col) {
                if changed_secrets {
                    format!(
                        "CASE WHEN NEW.\"{col}\" IS OLD.\"{col}\" THEN '***' ELSE '***（已修改）' END"
                    )
                } else {
                    "'***'".to_string()
                }
            } else {
                format!("{row}.\"{col}\"")
            };
            format!("'{col}', {value}")
        })
        .collect();
    format!("json_object({})", fields.join(", "))
}

fn sqlite_key(shape: &Shape, row: &str) -> String {
    if shape.key.is_empty() {
        return "NULL".to_string();
    }
    shape
        .key
        .iter()
        .map(|k| format!("COALESCE(CAST({row}.\"{k}\" AS TEXT), '')"))
        .collect::<Vec<_>>()
        .join(" || '/' || ")
}

/// The three triggers of a table on SQLite: (name, statement).
fn sqlite_triggers(table: &str, shape: &Shape) -> Vec<(String, String)> {
    let when = "WHEN (SELECT capture FROM audit_head WHERE id = 1) = 1";
    let pending = "INSERT INTO audit_pending (table_name, op, row_key, before_json, after_json)";
    let make = |op: &str, event: &str, key_row: &str, before: String, after: String| {
        let name = format!("audit_{table}_{op}");
        let sql = format!(
            "CREATE TRIGGER {name} AFTER {event} ON {table} {when} BEGIN {pending} \
             VALUES ('{table}', '{op}', {key}, {before}, {after}); END",
            key = sqlite_key(shape, key_row)
        );
        (name, sql)
    };
    vec![
        make(
            "insert",
            "INSERT",
            "NEW",
            "NULL".into(),
            sqlite_json(shape, "NEW", false),
        ),
        make(
            "update",
            "UPDATE",
            "NEW",
            sqlite_json(shape, "OLD", false),
            sqlite_json(shape, "NEW", true),
        ),
        make(
            "delete",
            "DELETE",
            "OLD",
            sqlite_json(shape, "OLD", false),
            "NULL".into(),
        ),
    ]
}

/// The arguments PostgreSQL's `duban_audit_capture` gets for a table.
fn postgres_arguments(shape: &Shape) -> Vec<String> {
    let mut args: Vec<String> = shape.key.iter().map(|k| format!("key:{k}")).collect();
    args.extend(shape.bytes.iter().map(|b| format!("bytes:{b}")));
    args.extend(
        shape
            .columns
            .iter()
            .filter(|c| is_secret(c))
            .map(|s| format!("secret:{s}")),
    );
    args
}

/// Creates or remakes the audit triggers that are missing or out of date (see the
/// module's note), in one transaction. A store already up to date is only read (so a
/// read-only database still opens).
pub(crate) async fn install(store: &Store) -> Result<(), StoreError> {
    let mut tx = store.db.read().await?;
    let planned = plan(&mut tx).await;
    let _ = tx.rollback().await;
    if planned?.is_empty() {
        return Ok(());
    }
    let mut tx = store.db.write().await?;
    let result = async {
        // Several servers starting at once: one remakes them, the others wait and then
        // find nothing left to do.
        tx.lock(Lock::AuditTriggers).await?;
        for sql in plan(&mut tx).await? {
            execute!(&mut tx, sqlx::query(sqlx::AssertSqlSafe(sql)))?;
        }
        Ok(())
    }
    .await;
    crate::finish(tx, result).await
}

/// The statements that bring the triggers up to date.
async fn plan(tx: &mut Tx) -> Result<Vec<String>, StoreError> {
    let mut plan = Vec::new();
    for table in audited_tables() {
        let shape = shape(tx, table).await?;
        if shape.columns.is_empty() {
            // A table of a later version's list this database has not got.
            continue;
        }
        match tx.backend() {
            Backend::Sqlite => {
                for (name, sql) in sqlite_triggers(table, &shape) {
                    let existing: Option<String> = with_conn!(tx, c => sqlx::query_scalar(
                        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1",
                    )
                    .bind(&name)
                    .fetch_optional(c)
                    .await)?;
                    if existing.as_deref() != Some(sql.as_str()) {
                        plan.push(format!("DROP TRIGGER IF EXISTS {name}"));
                        plan.push(sql);
                    }
                }
            }
            Backend::Postgres => {
                let args = postgres_arguments(&shape);
                let listed = args.join(",");
                let existing: Option<Option<String>> = with_conn!(tx, c => sqlx::query_scalar(
                    "SELECT obj_description(t.oid, 'pg_trigger') FROM pg_trigger t \
                     WHERE t.tgrelid = to_regclass($1) AND t.tgname = 'audit_capture'",
                )
                .bind(table)
                .fetch_optional(c)
                .await)?;
                if existing.flatten().as_deref() == Some(listed.as_str()) {
                    continue;
                }
                let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
                plan.push(format!("DROP TRIGGER IF EXISTS audit_capture ON {table}"));
                plan.push(format!(
                    "CREATE TRIGGER audit_capture AFTER INSERT OR UPDATE OR DELETE ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION duban_audit_capture({})",
                    quoted.join(", ")
                ));
                plan.push(format!(
                    "COMMENT ON TRIGGER audit_capture ON {table} IS '{listed}'"
                ));
            }
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognised_by_name() {
        assert!(is_secret("password_hash"));
        assert!(is_secret("totp_secret"));
        assert!(!is_secret("sha256"));
        assert!(!is_secret("username"));
    }
}
