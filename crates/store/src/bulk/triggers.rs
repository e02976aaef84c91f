//! Setting a batch's row triggers aside and putting them back (see the module above).

use crate::StoreError;
use crate::db::{Backend, Tx, execute, with_conn};

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
