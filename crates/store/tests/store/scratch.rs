//! Scratch PostgreSQL databases for tests, on the server and database that
//! `DUBAN_TEST_DATABASE_URL` names: the first test of a process migrates a template
//! database, and every test gets a copy of it (`CREATE DATABASE … TEMPLATE`, some 40 ms,
//! where migrating each anew took half a second), dropped when the test ends.
//! `scripts/test.sh` drops whatever a run left behind: the templates, and databases
//! whose drop had not finished when the test process exited.
//!
//! Shared by the store's tests and the workspace's integration tests (`#[path]`), so it
//! uses only blocking calls: each runs on a thread of its own with its own runtime.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// A database that lives as long as this value.
pub struct ScratchDatabase {
    /// Connects to this database.
    pub url: String,
    base: String,
    name: String,
}

impl ScratchDatabase {
    /// A fresh copy of the migrated template, on the server `base` points at.
    pub fn create(base: &str) -> ScratchDatabase {
        ScratchDatabase::new(base, Some(template(base)))
    }

    /// A database without any table, for what happens before or during migrating.
    pub fn empty(base: &str) -> ScratchDatabase {
        ScratchDatabase::new(base, None)
    }

    fn new(base: &str, template: Option<&str>) -> ScratchDatabase {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "{}_{}_{}",
            database_name(base),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin(
            base,
            match template {
                Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
                None => format!("CREATE DATABASE {name}"),
            },
        );
        ScratchDatabase {
            url: with_database(base, &name),
            base: base.to_string(),
            name,
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // In the background: a drop waits for a checkpoint (about a second here), and
        // drops running at the same time share one. FORCE: a store a test left open
        // still holds connections. Drops still running when the test process exits
        // are cut short; `scripts/test.sh` drops what is left.
        let base = self.base.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        std::thread::spawn(move || admin(&base, statement));
    }
}

/// The template of this process's scratch databases, migrated once; its name.
fn template(base: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("{}_{}_template", database_name(base), std::process::id());
        admin(base, format!("CREATE DATABASE {name}"));
        let url = with_database(base, &name);
        blocking(async move {
            let store = duban_store::Store::connect(&url)
                .await
                .expect("migrate the template database");
            // Copying needs the template without connections.
            store.close().await;
        });
        name
    })
}

/// Runs `statement` on the base database.
fn admin(base: &str, statement: String) {
    let base = base.to_string();
    blocking(async move {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&base)
            .await
            .expect("connect to DUBAN_TEST_DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
        let _ = conn.close().await;
    });
}

/// Runs `work` to completion on a thread and runtime of its own (callers may be inside
/// a runtime already, where blocking on another is not allowed).
fn blocking(work: impl Future<Output = ()> + Send + 'static) {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(work)
    })
    .join()
    .expect("the scratch database's statement");
}

/// The database a `postgres://…/name?…` URL names.
fn database_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit_once('/').map_or("", |(_, name)| name);
    assert!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "DUBAN_TEST_DATABASE_URL should end in a plain database name: {url}"
    );
    name
}

/// `url` naming database `name` instead.
fn with_database(url: &str, name: &str) -> String {
    let (path, query) = match url.find(['?', '#']) {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let (server, _) = path.rsplit_once('/').unwrap_or((path, ""));
    format!("{server}/{name}{query}")
}
