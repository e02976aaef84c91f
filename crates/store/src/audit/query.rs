//! Reading the log (a task's history, a user's, the whole log filtered, an auditor's
//! export) and the few writes on it besides sealing: an event, the hash algorithm, and
//! the retention job.

use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::{ENTRY_COLUMNS, Entry, HashAlgorithm, queue_event};
use crate::db::{Tx, execute, with_conn};
use crate::tasks::task_id;
use crate::{DocumentId, Store, StoreError, UserId};

/// Which entries to read. Entries come newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Entries made by this account, or about it (its own row).
    pub user: Option<UserId>,
    /// Entries about this task (by its id; see [`Store::audit_task`]).
    pub task: Option<i64>,
    /// One table's rows.
    pub table: Option<String>,
    /// One action (`insert`, `login` …).
    pub action: Option<String>,
    /// Entries from this day (China time) on, and up to this day.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only entries with a smaller id (the next page).
    pub before_id: Option<i64>,
    /// At most this many.
    pub limit: u32,
}

/// A page of entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditPage {
    pub entries: Vec<Entry>,
    /// The `before_id` of the next page, if there is more.
    pub next: Option<i64>,
}

/// The start of a China calendar day (UTC+8) as stored text, for comparing with `at`.
fn day_start(day: NaiveDate) -> String {
    let start = day.and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::Duration::hours(8);
    crate::codec::timestamp_text(start.and_utc())
}

async fn entries(tx: &mut Tx, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
    let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE 1 = 1");
    let mut texts: Vec<String> = Vec::new();
    let mut numbers: Vec<i64> = Vec::new();
    // Placeholders numbered in the order values are bound: texts first, then numbers.
    let mut conditions: Vec<(bool, String)> = Vec::new();
    if let Some(user) = filter.user {
        numbers.push(user.0);
        conditions.push((
            false,
            "(actor_id = ? OR (object_table = 'users' AND object_key = CAST(? AS TEXT)))".into(),
        ));
        numbers.push(user.0);
    }
    if let Some(task) = filter.task {
        numbers.push(task);
        conditions.push((false, "task_id = ?".into()));
    }
    if let Some(table) = &filter.table {
        texts.push(table.clone());
        conditions.push((true, "object_table = ?".into()));
    }
    if let Some(action) = &filter.action {
        texts.push(action.clone());
        conditions.push((true, "action = ?".into()));
    }
    if let Some(from) = filter.from {
        texts.push(day_start(from));
        conditions.push((true, "at >= ?".into()));
    }
    if let Some(to) = filter.to {
        texts.push(day_start(to + chrono::Duration::days(1)));
        conditions.push((true, "at < ?".into()));
    }
    if let Some(before) = filter.before_id {
        numbers.push(before);
        conditions.push((false, "id < ?".into()));
    }
    // Number the placeholders: texts take $1.., numbers follow.
    let mut text_n = 0;
    let mut number_n = texts.len();
    for (is_text, condition) in &conditions {
        let mut out = String::new();
        for part in condition.split('?').enumerate() {
            let (i, piece) = part;
            if i > 0 {
                let n = if *is_text {
                    text_n += 1;
                    text_n
                } else {
                    number_n += 1;
                    number_n
                };
                out.push_str(&format!("${n}"));
            }
            out.push_str(piece);
        }
        sql.push_str(" AND ");
        sql.push_str(&out);
    }
    let limit = i64::from(filter.limit.max(1));
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit + 1));
    let mut rows: Vec<Entry> = with_conn!(tx, c => {
        let mut q = sqlx::query_as::<_, Entry>(sqlx::AssertSqlSafe(sql));
        for t in &texts {
            q = q.bind(t.clone());
        }
        for n in &numbers {
            q = q.bind(*n);
        }
        q.fetch_all(c).await
    })?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage {
        entries: rows,
        next,
    })
}

/// What the retention job removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Entries removed.
    pub removed: i64,
    /// Entries 1..=this are now gone.
    pub through: i64,
}

impl Store {
    /// Entries as `filter` says, newest first, a page at a time.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
        super::links_done(&self.db).await;
        let mut tx = self.db.read().await?;
        let page = entries(&mut tx, filter).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// A task's id from its document and number (for its history), if it exists.
    pub async fn task_key(
        &self,
        document: DocumentId,
        number: u32,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = task_id(&mut tx, document, number).await;
        tx.commit().await?;
        match found {
            Ok(id) => Ok(Some(id)),
            Err(StoreError::TaskNotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Where tasks are, by id: their document and number (a task's history is reached
    /// by them). Ids of tasks no longer stored are left out.
    pub async fn task_places(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, (DocumentId, u32)>, StoreError> {
        let mut places = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(places);
        }
        let listed: Vec<String> = ids.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT id, document_id, number FROM tasks WHERE id IN ({})",
            listed.join(", ")
        );
        let mut tx = self.db.read().await?;
        let rows: Vec<(i64, i64, i64)> = with_conn!(&mut tx, c => sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .fetch_all(c)
        .await)?;
        tx.commit().await?;
        for (id, document, number) in rows {
            if let Ok(number) = u32::try_from(number) {
                places.insert(id, (DocumentId(document), number));
            }
        }
        Ok(places)
    }

    /// Records an event (a login, an export …) in the log in the current actor's name,
    /// in a transaction of its own: `about` says what it concerns, `details` is a JSON
    /// object.
    pub async fn record_event(
        &self,
        action: &str,
        about: Option<&str>,
        details: serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = queue_event(&mut tx, action, about, &details)
            .await
            .map_err(StoreError::from);
        crate::finish(tx, result).await
    }

    /// The algorithm new entries are chained with.
    pub async fn audit_algorithm(&self) -> Result<HashAlgorithm, StoreError> {
        let mut tx = self.db.read().await?;
        let code: String = with_conn!(&mut tx, c => sqlx::query_scalar(
            "SELECT algorithm FROM audit_head WHERE id = 1",
        )
        .fetch_one(c)
        .await)?;
        tx.commit().await?;
        HashAlgorithm::from_code(&code)
            .ok_or_else(|| StoreError::Corrupt(format!("审计日志的哈希算法“{code}”无法识别")))
    }

    /// Chains new entries with `algorithm` from now on (earlier entries keep theirs);
    /// the change is itself an entry, the first made with the new algorithm.
    pub async fn set_audit_algorithm(&self, algorithm: HashAlgorithm) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            execute!(
                &mut tx,
                sqlx::query("UPDATE audit_head SET algorithm = $1 WHERE id = 1")
                    .bind(algorithm.code())
            )?;
            queue_event(
                &mut tx,
                "algorithm",
                Some(algorithm.code()),
                &serde_json::json!({ "algorithm": algorithm.code() }),
            )
            .await?;
            Ok(())
        }
        .await;
        crate::finish(tx, result).await
    }

    /// The retention job: removes the entries appended before `before` (China time),
    /// which must be at least `duban_domain::audit::RETENTION_DAYS` ago
    /// ([`StoreError::Retention`] otherwise), and records that it did as an entry of
    /// its own (what it removed and the last removed entry's hash, which the next
    /// entry still links to). Nothing to remove: nothing is written.
    pub async fn prune_audit(&self, before: NaiveDate) -> Result<Pruned, StoreError> {
        let today = duban_domain::china_date(Utc::now());
        duban_domain::audit::check_prune(before, today)?;
        let mut tx = self.db.write().await?;
        let result = async {
            // Appends wait while the head is locked (PostgreSQL); SQLite holds the database.
            let sql = crate::db::locking!(
                &mut tx,
                "SELECT pruned_through FROM audit_head WHERE id = 1",
                "FOR UPDATE"
            );
            let pruned: i64 = with_conn!(&mut tx, c => sqlx::query_scalar(sql).fetch_one(c).await)?;
            let last: Option<(i64, String)> = with_conn!(&mut tx, c => sqlx::query_as(
                "SELECT id, hash FROM audit_log WHERE at < $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(day_start(before))
            .fetch_optional(c)
            .await)?;
            let Some((through, through_hash)) = last else {
                return Ok(Pruned {
                    removed: 0,
                    through: pruned,
                });
            };
            execute!(
                &mut tx,
                sqlx::query("UPDATE audit_head SET prune = 1 WHERE id = 1")
            )?;
            let removed = execute!(
                &mut tx,
                sqlx::query("DELETE FROM audit_log WHERE id <= $1").bind(through)
            )?;
            execute!(
                &mut tx,
                sqlx::query(
                    "UPDATE audit_head SET prune = 0, pruned_through = $1, pruned_hash = $2 \
                     WHERE id = 1",
                )
                .bind(through)
                .bind(&through_hash)
            )?;
            queue_event(
                &mut tx,
                "prune",
                None,
                &serde_json::json!({
                    "before": before.to_string(),
                    "removed": removed,
                    "through": through,
                    "through_hash": through_hash,
                }),
            )
            .await?;
            Ok(Pruned {
                removed: removed as i64,
                through,
            })
        }
        .await;
        crate::finish(tx, result).await
    }
}
