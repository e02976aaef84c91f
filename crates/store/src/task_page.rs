//! One page of the task list (the supervisor's 任务列表): the tasks of the page selected
//! and counted in SQL, then only their units, states and reports, all in one read
//! transaction; and a cache of pages that is reused while the store's generation number
//! (kept by triggers, migration 0006) has not moved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use duban_domain::{ReportState, SourceKind, TaskState};

use crate::codec::{COOPERATING, LEAD, REPORTING, state_from_code, task_state_from_code, u32_from};
use crate::db::{Db, Tx, with_conn};
use crate::query::unit_named;
use crate::readings::{self, ReadingCache, ReadingFilter};
use crate::rounds::{Rounds, summaries};
use crate::{
    DocumentId, ReportId, RoundId, RoundSummary, SourceId, Store, StoreError, TaskSummary,
};

/// Which page of which tasks. Filters are combined with AND.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskPageQuery {
    /// Tasks of this document only; `None`: of all, by document then number.
    pub document: Option<DocumentId>,
    /// Tasks this unit leads or co-operates on (on the task or one of its sub-items).
    /// A canonical name or an alias; an unknown name has no tasks.
    pub unit: Option<String>,
    /// The reporting round whose reports are shown (and filtered on); `None`: the last
    /// opened round of `document`, or, of all documents, each task's own document's
    /// last opened round (a round just opened on one notice does not hide the others').
    pub round: Option<RoundId>,
    /// Only tasks with a report in this state in the round shown (none without a round).
    pub report_state: Option<ReportState>,
    /// Only tasks in this state (a task no closure step was taken on is open).
    pub task_state: Option<TaskState>,
    /// Tasks of documents decomposed from (or linked to) this source.
    pub source: Option<SourceId>,
    /// Tasks of documents whose source is of this kind.
    pub source_kind: Option<SourceKind>,
    /// Tasks whose reading (审定, else the suggestion; or 欠序时) is this
    /// (`Store::reading_counts` counts the same).
    pub reading: Option<ReadingFilter>,
    /// 1-based; clamped to the pages there are (0 is the first, past the end the last).
    pub page: usize,
    pub per_page: usize,
}

/// A unit's report on a task in the round shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPageReport {
    pub id: ReportId,
    /// The unit's canonical name.
    pub unit: String,
    pub state: ReportState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPageRow {
    pub task: TaskSummary,
    pub state: TaskState,
    /// The task's reports in the round shown, in the order of the task's units.
    pub reports: Vec<TaskPageReport>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPage {
    /// The round shown; `None` with every document's latest (or no round at all).
    pub round: Option<RoundSummary>,
    pub rows: Vec<TaskPageRow>,
    /// Tasks matching the filters, on all pages.
    pub total: usize,
    /// The page given, after clamping.
    pub page: usize,
    /// At least 1.
    pub pages: usize,
}

/// Pages computed earlier, each with the generation it was computed at and, for the
/// pages that can be checked more finely, its [`Stamp`].
#[derive(Default)]
pub(crate) struct TaskPageCache {
    entries: Mutex<HashMap<TaskPageQuery, Entry>>,
    /// The last generation read, with the time its read began.
    generation: tokio::sync::Mutex<Option<(Instant, i64)>>,
    /// Each listed document's task count, for pages of every document's tasks.
    counts: DocumentCounts,
}

/// A cached page: the generation it is known good at, what else tells whether it
/// still holds, and the page.
struct Entry {
    generation: i64,
    stamp: Option<Stamp>,
    page: Arc<TaskPage>,
}

/// What a page shows depends on, read in the page's own snapshot (migration 0024):
/// (key, number) pairs in key order, where key −1 is the store's structure (pages of
/// every document), 0 the unit directory's revision and any other a document's
/// revision. While the same pairs
/// read the same, the page is what it would be read again, whatever the generation
/// did meanwhile (a report saved on another notice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp(Vec<(i64, i64)>);

/// The key of the structure's number in a [`Stamp`].
const STRUCTURE: i64 = -1;

impl Stamp {
    /// The keys a page of `query` depends on, before its rows are known: `None` if
    /// only the generation can tell (filters on reports or task states across
    /// documents, another round than the latest, sources, readings).
    fn keys(query: &TaskPageQuery) -> Option<Vec<i64>> {
        let plain = query.round.is_none()
            && query.source.is_none()
            && query.source_kind.is_none()
            && query.reading.is_none();
        match query.document {
            // Which of its tasks exist is the document's own revision too.
            Some(document) if plain => Some(vec![0, document.0]),
            None if plain && query.report_state.is_none() && query.task_state.is_none() => {
                Some(vec![STRUCTURE, 0])
            }
            _ => None,
        }
    }

    /// The statement reading the numbers of `keys` (sorted, distinct): (key, number)
    /// rows, for [`Stamp::from_rows`].
    fn sql(keys: &[i64]) -> String {
        let documents: Vec<String> = keys
            .iter()
            .filter(|k| **k != STRUCTURE)
            .map(i64::to_string)
            .collect();
        // Numbers only, from the page's own keys: nothing to bind.
        let revisions = format!(
            "SELECT document_id, CAST(SUM(n) AS BIGINT) FROM document_revisions \
             WHERE document_id IN ({}) GROUP BY document_id",
            documents.join(", ")
        );
        if keys.contains(&STRUCTURE) {
            format!(
                "SELECT {STRUCTURE}, CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM store_structure \
                 UNION ALL {revisions}"
            )
        } else {
            revisions
        }
    }

    fn from_rows(mut rows: Vec<(i64, i64)>) -> Stamp {
        rows.sort_unstable();
        Stamp(rows)
    }

    fn keys_of(&self) -> Vec<i64> {
        self.0.iter().map(|(k, _)| *k).collect()
    }
}

/// More distinct queries than this and the cache starts again empty: it holds the
/// pages people are paging through, not every page anyone ever asked for.
const CACHE_ENTRIES: usize = 2048;

impl std::fmt::Debug for TaskPageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("TaskPageCache")
            .field("entries", &entries)
            .finish()
    }
}

impl TaskPageCache {
    fn get(&self, query: &TaskPageQuery, generation: i64) -> Option<Arc<TaskPage>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(query) {
            Some(entry) if entry.generation == generation => Some(Arc::clone(&entry.page)),
            _ => None,
        }
    }

    /// A page of an older generation that a [`Stamp`] can still vouch for.
    fn stamped(&self, query: &TaskPageQuery) -> Option<(Stamp, Arc<TaskPage>)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(query)?;
        Some((entry.stamp.clone()?, Arc::clone(&entry.page)))
    }

    /// Marks `page` (the one kept for `query`) good at `generation` too: its stamp read
    /// the same after that generation was read.
    fn renew(&self, query: &TaskPageQuery, generation: i64, page: &Arc<TaskPage>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = entries.get_mut(query)
            && Arc::ptr_eq(&entry.page, page)
            && entry.generation < generation
        {
            entry.generation = generation;
        }
    }

    fn put(
        &self,
        query: TaskPageQuery,
        generation: i64,
        stamp: Option<Stamp>,
        page: Arc<TaskPage>,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHE_ENTRIES {
            // Pages only the generation vouches for are never served again once it moved.
            entries.retain(|_, e| e.generation >= generation || e.stamp.is_some());
            if entries.len() >= CACHE_ENTRIES {
                entries.clear();
            }
        }
        match entries.get(&query) {
            // A concurrent request computed it from a newer snapshot: keep that one.
            Some(e) if e.generation > generation => {}
            _ => {
                entries.insert(
                    query,
                    Entry {
                        generation,
                        stamp,
                        page,
                    },
                );
            }
        }
    }
}

/// How many tasks each listed document has (document id order), kept while the
/// store's structure number (migration 0024) holds: what a page of every document's
/// tasks counts and seeks by (at 100,000 tasks a count was 10–60 ms, and skipping to
/// a late page as long).
#[derive(Default)]
pub(crate) struct DocumentCounts(Mutex<Option<(i64, Arc<TaskCounts>)>>);

/// (document id, its task count), in document id order.
type TaskCounts = Vec<(i64, usize)>;

impl DocumentCounts {
    /// The counts as `tx` sees them (`filter`: no filter but what every list leaves
    /// out).
    async fn get(&self, tx: &mut Tx, filter: &Where) -> Result<Arc<Vec<(i64, usize)>>, StoreError> {
        let structure: i64 = with_conn!(tx, c => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM store_structure",
        )
        .fetch_one(c)
        .await)?;
        if let Some((at, counts)) = &*self.0.lock().unwrap_or_else(|e| e.into_inner())
            && *at == structure
        {
            return Ok(Arc::clone(counts));
        }
        let rows: Vec<(i64, i64)> = with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new("SELECT t.document_id, COUNT(*) FROM tasks t");
            filter.push(&mut q);
            q.push(" GROUP BY t.document_id ORDER BY t.document_id");
            q.build_query_as().fetch_all(c).await
        })?;
        let counts = Arc::new(
            rows.into_iter()
                .map(|(document, n)| {
                    usize::try_from(n)
                        .map(|n| (document, n))
                        .map_err(|_| StoreError::Corrupt(format!("任务数 {n} 超出范围")))
                })
                .collect::<Result<Vec<_>, StoreError>>()?,
        );
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((structure, Arc::clone(&counts)));
        Ok(counts)
    }
}

/// The generation is kept per write slot (migration 0012; one slot on SQLite): the sum.
pub(crate) const GENERATION_SQL: &str =
    "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM store_generation";

/// Whose reports a page shows.
#[derive(Debug, Clone, Copy)]
enum ShownRounds {
    One(i64),
    /// Each document's last opened reporting round.
    LatestOfEach,
}

impl ShownRounds {
    /// The condition on `reports p`.
    fn push<DB>(self, q: &mut sqlx::QueryBuilder<DB>)
    where
        DB: sqlx::Database,
        for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        for<'t> &'static str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        match self {
            ShownRounds::One(round) => {
                q.push("p.round_id = ").push_bind(round);
            }
            ShownRounds::LatestOfEach => {
                q.push("p.round_id IN (SELECT MAX(r.id) FROM rounds r WHERE r.kind = ")
                    .push_bind(REPORTING)
                    .push(" GROUP BY r.document_id)");
            }
        }
    }
}

/// The filters of a task page, as SQL conditions on `tasks t`. Written out for the
/// filters present (no `($n IS NULL OR col = $n)`, which keeps SQLite from using the
/// indexes).
struct Where {
    document: Option<i64>,
    unit: Option<i64>,
    /// (round, state)
    report: Option<(ShownRounds, &'static str)>,
    task_state: Option<&'static str>,
    source: Option<i64>,
    source_kind: Option<&'static str>,
    /// Only these tasks (one page of those the reading filter kept).
    ids: Option<Vec<i64>>,
    /// Only tasks of this document and later ones (where a page of every document's
    /// tasks starts, from [`DocumentCounts`]).
    from: Option<i64>,
}

impl Where {
    fn push<DB>(&self, q: &mut sqlx::QueryBuilder<DB>)
    where
        DB: sqlx::Database,
        for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        for<'t> &'static str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        // A decomposition still being drafted is not a task list yet: its tasks are
        // shown in the editor only. A round's issued notice records that round; its
        // rows are the round's tasks, listed under the document they belong to.
        q.push(
            " WHERE t.document_id NOT IN (SELECT d.id FROM documents d \
               WHERE d.status = 'draft' OR d.reports_round_id IS NOT NULL)",
        );
        if let Some(document) = self.document {
            q.push(" AND t.document_id = ").push_bind(document);
        }
        if let Some(document) = self.from {
            q.push(" AND t.document_id >= ").push_bind(document);
        }
        if let Some(source) = self.source {
            q.push(" AND t.document_id IN (SELECT d.id FROM documents d WHERE d.source_id = ")
                .push_bind(source)
                .push(")");
        }
        if let Some(kind) = self.source_kind {
            q.push(
                " AND t.document_id IN (SELECT d.id FROM documents d \
                 JOIN sources s ON s.id = d.source_id WHERE s.kind = ",
            )
            .push_bind(kind)
            .push(")");
        }
        if let Some(unit) = self.unit {
            q.push(" AND t.id IN (SELECT tu.task_id FROM task_units tu WHERE tu.unit_id = ")
                .push_bind(unit)
                .push(" UNION SELECT su.task_id FROM subitem_units su WHERE su.unit_id = ")
                .push_bind(unit)
                .push(")");
        }
        if let Some((rounds, state)) = self.report {
            // Not a correlated `EXISTS`: SQLite 3.51 skipped the wrong rows for OFFSET
            // with one (the test `every_filter_combination…` catches it).
            q.push(" AND t.id IN (SELECT p.task_id FROM reports p WHERE ");
            rounds.push(q);
            q.push(" AND p.state = ").push_bind(state).push(")");
        }
        if let Some(ids) = &self.ids {
            q.push(" AND t.id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
        }
        if let Some(state) = self.task_state {
            q.push(" AND COALESCE((SELECT s.state FROM task_states s WHERE s.task_id = t.id), ")
                .push_bind(TaskState::Open.code())
                .push(") = ")
                .push_bind(state);
        }
    }
}

async fn task_page(
    tx: &mut Tx,
    query: &TaskPageQuery,
    readings: &ReadingCache,
    counts: &DocumentCounts,
) -> Result<TaskPage, StoreError> {
    let per_page = query.per_page.max(1);
    let round = match query.round {
        Some(id) => Some(
            summaries(tx, Rounds::Id(id))
                .await?
                .into_iter()
                .next()
                .ok_or(StoreError::RoundNotFound(id))?,
        ),
        None => match query.document {
            Some(document) => summaries(tx, Rounds::Latest(Some(document)))
                .await?
                .into_iter()
                .next(),
            None => None,
        },
    };
    let shown = match (&round, query.round, query.document) {
        (Some(r), _, _) => Some(ShownRounds::One(r.id.0)),
        (None, None, None) => Some(ShownRounds::LatestOfEach),
        (None, _, _) => None,
    };
    let empty = |round| TaskPage {
        round,
        rows: Vec::new(),
        total: 0,
        page: 1,
        pages: 1,
    };
    let unit = match query.unit.as_deref().map(str::trim) {
        Some(name) => match unit_named(tx, name).await? {
            Some(id) => Some(id),
            None => return Ok(empty(round)),
        },
        None => None,
    };
    let report = match (query.report_state, shown) {
        (Some(state), Some(rounds)) => Some((rounds, state.code())),
        // No round, no reports: no task has one in the state asked for.
        (Some(_), None) => return Ok(empty(round)),
        (None, _) => None,
    };
    let mut filter = Where {
        document: query.document.map(|d| d.0),
        unit,
        report,
        task_state: query.task_state.map(TaskState::code),
        source: query.source.map(|s| s.0),
        source_kind: query.source_kind.map(SourceKind::code),
        ids: None,
        from: None,
    };

    // The reading is not in SQL: the tasks the other filters keep, in order, are kept
    // or not by it here, and the page's rows are then read by id.
    let kept: Option<Vec<i64>> = match query.reading {
        Some(wanted) => {
            let (readings, _) = readings::task_readings(tx, readings, None).await?;
            let candidates: Vec<i64> = with_conn!(tx, c => {
                let mut q = sqlx::QueryBuilder::new("SELECT t.id FROM tasks t");
                filter.push(&mut q);
                q.push(" ORDER BY t.document_id, t.number");
                q.build_query_scalar().fetch_all(c).await
            })?;
            Some(
                candidates
                    .into_iter()
                    .filter(|id| readings.get(id).is_some_and(|r| r.matches(wanted)))
                    .collect(),
            )
        }
        None => None,
    };
    // Every document's tasks unfiltered: counted per document once per structure
    // (0024), and the page found from the counts instead of by skipping rows.
    let unfiltered = kept.is_none()
        && matches!(
            filter,
            Where {
                document: None,
                unit: None,
                report: None,
                task_state: None,
                source: None,
                source_kind: None,
                ids: None,
                from: None,
            }
        );
    let per_document = match unfiltered {
        true => Some(counts.get(tx, &filter).await?),
        false => None,
    };
    let total = match (&kept, &per_document) {
        (Some(kept), _) => kept.len(),
        (None, Some(counts)) => counts.iter().map(|(_, n)| n).sum(),
        (None, None) => {
            let total: i64 = with_conn!(tx, c => {
                let mut q = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM tasks t");
                filter.push(&mut q);
                q.build_query_scalar().fetch_one(c).await
            })?;
            usize::try_from(total)
                .map_err(|_| StoreError::Corrupt(format!("任务数 {total} 超出范围")))?
        }
    };
    let pages = total.div_ceil(per_page).max(1);
    let page = query.page.clamp(1, pages);
    if total == 0 {
        return Ok(TaskPage {
            page,
            pages,
            ..empty(round)
        });
    }
    let mut skip = (page - 1) * per_page;
    if let Some(counts) = &per_document {
        for (document, n) in counts.iter() {
            if skip < *n {
                filter.from = Some(*document);
                break;
            }
            skip -= n;
        }
    }
    let mut offset =
        i64::try_from(skip).map_err(|_| StoreError::Corrupt(format!("第 {page} 页超出范围")))?;
    if let Some(kept) = kept {
        filter.ids = Some(
            kept.into_iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .collect(),
        );
        offset = 0;
    }
    let limit = i64::try_from(per_page)
        .map_err(|_| StoreError::Corrupt(format!("每页 {per_page} 条超出范围")))?;

    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        document_id: i64,
        doc_number: Option<String>,
        number: i64,
        content_text: String,
        state: Option<String>,
    }
    let rows: Vec<Row> = with_conn!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT t.id, t.document_id, d.doc_number, t.number, t.content_text, s.state \
             FROM tasks t JOIN documents d ON d.id = t.document_id \
             LEFT JOIN task_states s ON s.task_id = t.id",
        );
        filter.push(&mut q);
        q.push(" ORDER BY t.document_id, t.number LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        q.build_query_as().fetch_all(c).await
    })?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();

    let unit_rows: Vec<(i64, String, String)> = with_conn!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT tu.task_id, tu.relation, u.name FROM task_units tu \
             JOIN units u ON u.id = tu.unit_id WHERE tu.task_id IN (",
        );
        let mut list = q.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        q.push(") ORDER BY tu.task_id, tu.relation, tu.position");
        q.build_query_as().fetch_all(c).await
    })?;
    let mut units: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for (task_id, relation, name) in unit_rows {
        let entry = units.entry(task_id).or_default();
        match relation.as_str() {
            LEAD => entry.0.push(name),
            COOPERATING => entry.1.push(name),
            other => return Err(StoreError::Corrupt(format!("未知的单位关系“{other}”"))),
        }
    }

    let mut reports: HashMap<i64, Vec<TaskPageReport>> = HashMap::new();
    if let Some(rounds) = shown {
        let report_rows: Vec<(i64, i64, String, String)> = with_conn!(tx, c => {
            let mut q = match rounds {
                ShownRounds::One(_) => {
                    let mut q = sqlx::QueryBuilder::new(
                        "SELECT p.task_id, p.id, u.name, p.state FROM reports p \
                         JOIN units u ON u.id = p.unit_id WHERE ",
                    );
                    rounds.push(&mut q);
                    q.push(" AND ");
                    q
                }
                // Each task's own document's latest round, looked up per task (one
                // index probe each), not every document's latest round matched
                // against every task (50 × documents probes: 7 ms at 10,000 tasks).
                ShownRounds::LatestOfEach => {
                    let mut q = sqlx::QueryBuilder::new(
                        "SELECT p.task_id, p.id, u.name, p.state FROM tasks t \
                         JOIN reports p ON p.task_id = t.id AND p.round_id = \
                             (SELECT MAX(r.id) FROM rounds r WHERE r.kind = ",
                    );
                    q.push_bind(REPORTING).push(
                        " AND r.document_id = t.document_id) \
                         JOIN units u ON u.id = p.unit_id WHERE ",
                    );
                    q
                }
            };
            q.push("p.task_id IN (");
            let mut list = q.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            q.push(") ORDER BY p.task_id, p.position, p.id");
            q.build_query_as().fetch_all(c).await
        })?;
        for (task_id, id, unit, state) in report_rows {
            reports.entry(task_id).or_default().push(TaskPageReport {
                id: ReportId(id),
                unit,
                state: state_from_code(&state)?,
            });
        }
    }

    let rows = rows
        .into_iter()
        .map(|row| {
            let (lead_units, cooperating_units) = units.remove(&row.id).unwrap_or_default();
            Ok(TaskPageRow {
                task: TaskSummary {
                    document: DocumentId(row.document_id),
                    doc_number: row.doc_number,
                    number: u32_from("任务序号", row.number)?,
                    content: row.content_text,
                    lead_units,
                    cooperating_units,
                },
                state: match row.state {
                    Some(code) => task_state_from_code(&code)?,
                    None => TaskState::Open,
                },
                reports: reports.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(TaskPage {
        round,
        rows,
        total,
        page,
        pages,
    })
}

impl Store {
    /// The store's generation as of some moment after this call began. Concurrent
    /// callers share reads: one waiting while another reads takes that read's answer
    /// if the read began after it arrived (so it sees every commit made before then),
    /// and reads again otherwise. Under load that is one statement for many requests.
    pub(crate) async fn current_generation(&self) -> Result<i64, StoreError> {
        let arrived = Instant::now();
        let mut last = self.task_pages.generation.lock().await;
        if let Some((began, generation)) = *last
            && began > arrived
        {
            return Ok(generation);
        }
        let began = Instant::now();
        let generation: i64 = match &self.db {
            Db::Sqlite(pool) => sqlx::query_scalar(GENERATION_SQL).fetch_one(pool).await?,
            Db::Postgres(pool, _) => sqlx::query_scalar(GENERATION_SQL).fetch_one(pool).await?,
        };
        *last = Some((began, generation));
        Ok(generation)
    }

    /// A number that moves with every committed change to what the app shows (by any
    /// process on the database): what was computed at one generation holds while it
    /// stays. One indexed read, shared by concurrent callers.
    pub async fn generation(&self) -> Result<i64, StoreError> {
        self.current_generation().await
    }

    /// One page of tasks (see [`TaskPageQuery`]), ordered by document and number, with
    /// each task's units, state and reports in the round shown, read in one
    /// transaction. An unknown `round` (or one that is not a reporting round) →
    /// [`StoreError::RoundNotFound`].
    ///
    /// Pages are cached: while no change to what a page shows has been committed since
    /// it was computed — by this process or any other writing to the database — the
    /// same page is returned without reading it again. Checking that is one indexed
    /// single-row read.
    pub async fn task_page(&self, query: &TaskPageQuery) -> Result<Arc<TaskPage>, StoreError> {
        let current = self.current_generation().await?;
        if let Some(page) = self.task_pages.get(query, current) {
            return Ok(page);
        }
        // Written since: the page still holds if what it shows did not change.
        if let Some((stamp, page)) = self.task_pages.stamped(query) {
            let sql = Stamp::sql(&stamp.keys_of());
            let rows: Vec<(i64, i64)> = match &self.db {
                Db::Sqlite(pool) => {
                    sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .fetch_all(pool)
                        .await?
                }
                Db::Postgres(pool, _) => {
                    sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .fetch_all(pool)
                        .await?
                }
            };
            let now = Stamp::from_rows(rows);
            if now == stamp {
                self.task_pages.renew(query, current, &page);
                return Ok(page);
            }
        }
        let mut tx = self.db.read().await?;
        // The page is good at `current`, read before this snapshot began: it holds
        // every change committed before that (and maybe later ones, never fewer).
        let generation = current;
        let page =
            Arc::new(task_page(&mut tx, query, &self.readings, &self.task_pages.counts).await?);
        let stamp = match Stamp::keys(query) {
            Some(mut keys) => {
                keys.extend(page.rows.iter().map(|r| r.task.document.0));
                keys.sort_unstable();
                keys.dedup();
                let sql = Stamp::sql(&keys);
                let rows: Vec<(i64, i64)> = with_conn!(tx, c => sqlx::query_as(
                    sqlx::AssertSqlSafe(sql),
                )
                .fetch_all(c)
                .await)?;
                Some(Stamp::from_rows(rows))
            }
            None => None,
        };
        tx.commit().await?;
        self.task_pages
            .put(query.clone(), generation, stamp, Arc::clone(&page));
        Ok(page)
    }
}
