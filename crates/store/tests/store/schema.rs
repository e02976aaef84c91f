//! The two migration folders kept in step: every migration exists for both backends,
//! and the schemas they build have the same tables and columns (read back from a live
//! database of each).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use crate::common::{Backend, TempDb, connect, postgres_base, raw, sqlite_db, temp_db};

/// The migration files of one backend's folder.
fn migrations(backend: &str) -> BTreeSet<String> {
    let folder = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect()
}

#[test]
fn every_migration_exists_for_both_backends() {
    let sqlite = migrations("sqlite");
    let postgres = migrations("postgres");
    assert!(sqlite.len() >= 8, "{sqlite:?}");
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "migrations for one backend only: SQLite {only_sqlite:?}, PostgreSQL {only_postgres:?}"
    );
}

/// Table → column → (type, not null), with the types as the store reads them:
/// `integer` (i64), `text`, `bytes`; any other type as the database names it.
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

/// The schema the store's migrations built in `db`, read from the database itself.
async fn columns(db: &TempDb) -> Columns {
    // Connecting migrates.
    connect(db).await.close().await;
    let pool = raw(db).await;
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT m.name, p.name, p.type, \
                    CASE WHEN p.\"notnull\" <> 0 OR p.pk > 0 THEN 1 ELSE 0 END \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
               AND m.name <> '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT), \
                    CAST(data_type AS TEXT), \
                    CAST(CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS BIGINT) \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'"
        }
    };
    let mut out = Columns::new();
    for row in sqlx::query(sql).fetch_all(&pool).await.unwrap() {
        let declared: String = row.get(2);
        let kind = match declared.to_ascii_lowercase().as_str() {
            "integer" if db.backend == Backend::Sqlite => "integer".to_string(),
            "bigint" => "integer".to_string(),
            "text" => "text".to_string(),
            "blob" | "bytea" => "bytes".to_string(),
            other => other.to_string(),
        };
        out.entry(row.get(0))
            .or_default()
            .insert(row.get(1), (kind, row.get::<i64, _>(3) == 1));
    }
    pool.close().await;
    out
}

#[tokio::test]
async fn both_backends_build_the_same_tables_and_columns() {
    let sqlite = columns(&sqlite_db()).await;
    assert!(sqlite.contains_key("reports"), "{sqlite:?}");
    if postgres_base().is_none() {
        eprintln!("PostgreSQL not configured (DUBAN_TEST_DATABASE_URL): SQLite schema read only");
        return;
    }
    let postgres = columns(&temp_db().await).await;
    let tables = |c: &Columns| c.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(tables(&sqlite), tables(&postgres), "tables differ");
    for (table, sqlite_columns) in &sqlite {
        assert_eq!(
            sqlite_columns, &postgres[table],
            "columns of {table} differ (SQLite left, PostgreSQL right)"
        );
    }
}
