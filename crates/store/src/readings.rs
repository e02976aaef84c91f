//! What the reading of the progress text (`duban_domain::analysis`) says of each task,
//! as the dashboard counts it and the task list filters on it: per document, its latest
//! closed reporting round (the cell the round's notice would print: its accepted reports,
//! `round_notice::cell::compose_cell`; tasks the round left out keep the notice's
//! progress), read against that round's period; or the notice's own progress when no
//! round has closed. The office's 审定, where given, is in force over the suggestion —
//! for a round's reading, only a 审定 made since the round opened (as the round's notice
//! counts it). Documents that are a round's notice are records of that round, not tasks
//! of their own, and are left out (as on the task list).
//!
//! Computed, never stored (see 0005: the suggestion stays computed from the text). What
//! it is computed from does not change — an imported or issued notice, a closed round's
//! reports — so each document's reading is computed once per (document, import, round)
//! and kept; only the 审定 are read each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::analysis::{AnalysisContext, PaceJudgement, RoundPeriod, Status, analyse_task};
use duban_domain::round_notice::cell::{CellPiece, compose_cell};
use duban_domain::{Notice, ReportState, RichText};
use serde::Serialize;

use crate::cache::id_list;
use crate::codec::{
    REPORTING, from_json, parse_date, parse_timestamp, parse_timestamp_opt, state_from_code,
    u32_from,
};
use crate::db::{Tx, with_conn};
use crate::{DocumentId, RoundId, Store, StoreError, load};

/// The closed round a document's reading comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadingRound {
    pub id: RoundId,
    /// `1-9月`, `第三季度（1-9月）`: it names the period the reports are judged against.
    pub label: String,
    pub due: NaiveDate,
    /// A 审定 made before this is of an earlier reading and not in force for this one.
    pub opened_at: DateTime<Utc>,
}

/// A notice as the reading sees it: its progress from `round` where the round has
/// reports on a task, else as the notice gave it.
#[derive(Debug, Clone)]
pub struct ReadingNotice {
    pub notice: Notice,
    pub round: Option<ReadingRound>,
    /// The tasks `round` has reports on (whose progress is the round's).
    pub round_tasks: Vec<u32>,
}

impl ReadingNotice {
    /// Whether a 审定 on task `number` made `at` is in force for this reading: any for
    /// the notice's own progress, one made since the round opened for the round's.
    pub fn in_force(&self, number: u32, at: DateTime<Utc>) -> bool {
        match &self.round {
            Some(r) if self.round_tasks.contains(&number) => at >= r.opened_at,
            _ => true,
        }
    }

    /// The context to read it in: the round's period (and its due date for overdue)
    /// when there is a round, else the notice's own; `as_of` (a date the reader asks
    /// for) when neither names a period.
    pub fn context(&self, as_of: Option<NaiveDate>) -> AnalysisContext<'_> {
        match &self.round {
            Some(r) => AnalysisContext::for_round(
                &self.notice,
                RoundPeriod {
                    label: &r.label,
                    due: r.due,
                },
                as_of.or(Some(r.due)),
            ),
            None => AnalysisContext::for_notice(&self.notice, as_of),
        }
    }
}

/// Which tasks of the task list to keep, by their reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadingFilter {
    /// 审定 where given, else the suggested status, is this.
    Status(Status),
    /// Behind 序时进度 (欠序时) by the reading, whatever the 审定.
    BehindPace,
}

/// Tasks per status (审定 where given, else the reading) over every listed document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadingCounts {
    pub total: usize,
    pub done: usize,
    pub in_progress: usize,
    pub lagging: usize,
    pub blocked: usize,
    pub not_started: usize,
    pub unknown: usize,
    /// Behind 序时进度 by the reading.
    pub behind_pace: usize,
    /// Of `total`, the tasks whose status is the office's 审定.
    pub decided: usize,
    /// Documents read from a closed round (the others from the notice's own progress).
    pub from_rounds: usize,
}

impl ReadingCounts {
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Done => self.done,
            Status::InProgress => self.in_progress,
            Status::Lagging => self.lagging,
            Status::Blocked => self.blocked,
            Status::NotStarted => self.not_started,
            Status::Unknown => self.unknown,
        }
    }

    fn add(&mut self, status: Status) {
        let n = match status {
            Status::Done => &mut self.done,
            Status::InProgress => &mut self.in_progress,
            Status::Lagging => &mut self.lagging,
            Status::Blocked => &mut self.blocked,
            Status::NotStarted => &mut self.not_started,
            Status::Unknown => &mut self.unknown,
        };
        *n += 1;
        self.total += 1;
    }
}

/// One task's reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaskReading {
    /// 审定 where given, else the suggestion.
    pub status: Status,
    pub decided: bool,
    pub behind_pace: bool,
    /// The task's end date (完成时限 or its text); none for ongoing work.
    pub due: Option<NaiveDate>,
    /// Each sub-item's suggested status, by its number (① is 1).
    pub subitems: Vec<(u8, Status)>,
}

/// What the reading suggests for one task of a document.
#[derive(Debug)]
pub(crate) struct TaskSuggestion {
    pub task: i64,
    pub status: Status,
    pub behind_pace: bool,
    /// The time from which a 审定 is in force for it; `Some` exactly when the round read
    /// has reports on the task.
    pub decided_since: Option<DateTime<Utc>>,
    pub due: Option<NaiveDate>,
    pub subitems: Vec<(u8, Status)>,
}

/// A document's suggestions, task by task.
#[derive(Debug)]
pub(crate) struct DocumentReading {
    pub tasks: Vec<TaskSuggestion>,
}

/// (document, `imported_at`, round): a replaced notice gets a new `imported_at`.
type Key = (i64, String, Option<i64>);

/// More documents than this and the cache starts again empty.
const CACHE_ENTRIES: usize = 4096;

#[derive(Debug, Default)]
pub(crate) struct ReadingCache {
    entries: Mutex<HashMap<Key, Arc<DocumentReading>>>,
}

impl ReadingCache {
    fn get(&self, key: &Key) -> Option<Arc<DocumentReading>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).cloned()
    }

    fn put(&self, key: Key, reading: Arc<DocumentReading>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(key, reading);
    }
}

/// A listed (not draft) document and where its reading comes from.
pub(crate) struct Source {
    pub document: i64,
    pub imported_at: String,
    pub round: Option<ReadingRound>,
}

/// Every listed document with its latest closed reporting round, or only those of
/// `documents`.
pub(crate) async fn sources(
    tx: &mut Tx,
    documents: Option<&[i64]>,
) -> Result<Vec<Source>, StoreError> {
    /// Document, `imported_at`, and the round's id, label, due date and opening time.
    type Row = (
        i64,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = with_conn!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT d.id, d.imported_at, r.id, r.label, r.due, r.opened_at FROM documents d \
             LEFT JOIN rounds r ON r.id = (SELECT MAX(l.id) FROM rounds l \
                  WHERE l.document_id = d.id AND l.kind = ",
        );
        q.push_bind(REPORTING)
            .push(
                " AND l.closed_at IS NOT NULL) \
                 WHERE d.status <> 'draft' AND d.reports_round_id IS NULL",
            );
        if let Some(documents) = documents {
            q.push(format!(" AND d.id IN ({})", id_list(documents)));
        }
        q.push(" ORDER BY d.id");
        q.build_query_as().fetch_all(c).await
    })?;
    rows.into_iter()
        .map(|(document, imported_at, round, label, due, opened_at)| {
            let due = parse_date("截止日期", due.as_deref())?;
            let opened_at = parse_timestamp_opt("开启时间", opened_at.as_deref())?;
            let round = match (round, label, due, opened_at) {
                (Some(id), Some(label), Some(due), Some(opened_at)) => Some(ReadingRound {
                    id: RoundId(id),
                    label,
                    due,
                    opened_at,
                }),
                (None, ..) => None,
                (Some(id), ..) => {
                    return Err(StoreError::Corrupt(format!(
                        "填报轮次 {id} 没有截止日期或开启时间"
                    )));
                }
            };
            Ok(Source {
                document,
                imported_at,
                round,
            })
        })
        .collect()
}

/// The notice `id` with each task's progress from `round`'s accepted reports, as the
/// round's notice composes its cell, where the round has reports on the task (none
/// accepted: no progress). `None` when there is no such document.
pub(crate) async fn reading_notice(
    tx: &mut Tx,
    id: DocumentId,
    round: Option<ReadingRound>,
) -> Result<Option<ReadingNotice>, StoreError> {
    let Some(mut notice) = load::notice(tx, id).await? else {
        return Ok(None);
    };
    let mut round_tasks = Vec::new();
    if let Some(round) = &round {
        let rows: Vec<(i64, String, String, String)> = with_conn!(tx, c => sqlx::query_as(
            "SELECT t.number, u.name, p.state, p.text_json FROM reports p \
             JOIN tasks t ON t.id = p.task_id JOIN units u ON u.id = p.unit_id \
             WHERE p.round_id = $1 ORDER BY t.number, p.position, p.id",
        )
        .bind(round.id.0)
        .fetch_all(c)
        .await)?;
        let mut reports: HashMap<u32, Vec<(String, RichText)>> = HashMap::new();
        for (number, unit, state, text) in rows {
            let entry = reports.entry(u32_from("任务序号", number)?).or_default();
            if state_from_code(&state)? == ReportState::Accepted {
                entry.push((unit, from_json("填报内容", &text)?));
            }
        }
        round_tasks = reports.keys().copied().collect();
        round_tasks.sort_unstable();
        for task in &mut notice.tasks {
            if let Some(accepted) = reports.get(&task.number.0) {
                let pieces: Vec<CellPiece> = accepted
                    .iter()
                    .map(|(unit, text)| CellPiece {
                        unit,
                        text,
                        verbatim: false,
                        continues_paragraph: false,
                    })
                    .collect();
                task.progress = compose_cell(&pieces);
            }
        }
    }
    Ok(Some(ReadingNotice {
        notice,
        round,
        round_tasks,
    }))
}

/// The suggestion for every task of `source`'s document, computed or from the cache.
pub(crate) async fn document_reading(
    tx: &mut Tx,
    cache: &ReadingCache,
    source: Source,
) -> Result<Arc<DocumentReading>, StoreError> {
    let key = (
        source.document,
        source.imported_at,
        source.round.as_ref().map(|r| r.id.0),
    );
    if let Some(found) = cache.get(&key) {
        return Ok(found);
    }
    let Some(reading) = reading_notice(tx, DocumentId(source.document), source.round).await? else {
        return Ok(Arc::new(DocumentReading { tasks: Vec::new() }));
    };
    let ids: HashMap<i64, i64> = with_conn!(tx, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT number, id FROM tasks WHERE document_id = $1",
    )
    .bind(source.document)
    .fetch_all(c)
    .await)?
    .into_iter()
    .collect();
    let context = reading.context(None);
    let tasks = reading
        .notice
        .tasks
        .iter()
        .filter_map(|task| {
            let id = *ids.get(&i64::from(task.number.0))?;
            let analysis = analyse_task(task, &context);
            let behind = analysis
                .pace
                .is_some_and(|p| p.judgement == PaceJudgement::Behind);
            let decided_since = reading
                .round
                .as_ref()
                .filter(|_| reading.round_tasks.contains(&task.number.0))
                .map(|r| r.opened_at);
            Some(TaskSuggestion {
                task: id,
                status: analysis.status,
                behind_pace: behind,
                decided_since,
                due: analysis.due,
                subitems: analysis
                    .subitems
                    .iter()
                    .map(|s| (s.label.number(), s.status))
                    .collect(),
            })
        })
        .collect();
    let computed = Arc::new(DocumentReading { tasks });
    cache.put(key, Arc::clone(&computed));
    Ok(computed)
}

/// The reading of every task of every listed document (or only of `documents`), by
/// task id, with the 审定 in force.
pub(crate) async fn task_readings(
    tx: &mut Tx,
    cache: &ReadingCache,
    documents: Option<&[i64]>,
) -> Result<(HashMap<i64, TaskReading>, usize), StoreError> {
    // The latest 审定 per task, with when it was made.
    type Decision = (i64, String, String);
    let of_documents = match documents {
        Some(ids) => format!(
            " AND task_id IN (SELECT id FROM tasks WHERE document_id IN ({}))",
            id_list(ids)
        ),
        None => String::new(),
    };
    let decided: HashMap<i64, (Status, DateTime<Utc>)> =
        with_conn!(tx, c => sqlx::query_as::<_, Decision>(sqlx::AssertSqlSafe(format!(
        "SELECT task_id, status, at FROM status_overrides \
         WHERE id IN (SELECT MAX(id) FROM status_overrides GROUP BY task_id){of_documents}"
    )))
    .fetch_all(c)
    .await)?
        .into_iter()
        .map(|(task, code, at)| {
            let status = Status::from_code(&code)
                .ok_or_else(|| StoreError::Corrupt(format!("未知的审定状态“{code}”")))?;
            Ok((task, (status, parse_timestamp("审定时间", &at)?)))
        })
        .collect::<Result<_, StoreError>>()?;
    let mut out = HashMap::new();
    let mut from_rounds = 0;
    for source in sources(tx, documents).await? {
        from_rounds += usize::from(source.round.is_some());
        let reading = document_reading(tx, cache, source).await?;
        for t in &reading.tasks {
            let decision = decided
                .get(&t.task)
                .filter(|(_, at)| t.decided_since.is_none_or(|since| *at >= since))
                .map(|(status, _)| *status);
            out.insert(
                t.task,
                TaskReading {
                    status: decision.unwrap_or(t.status),
                    decided: decision.is_some(),
                    behind_pace: t.behind_pace,
                    due: t.due,
                    subitems: t.subitems.clone(),
                },
            );
        }
    }
    Ok((out, from_rounds))
}

impl TaskReading {
    pub(crate) fn matches(&self, filter: ReadingFilter) -> bool {
        match filter {
            ReadingFilter::Status(s) => self.status == s,
            ReadingFilter::BehindPace => self.behind_pace,
        }
    }
}

impl Store {
    /// The notice `id` as the reading sees it (see the module): its progress from its
    /// latest closed reporting round, else as the notice gave it. Unknown →
    /// [`StoreError::NotFound`].
    pub async fn reading_notice(&self, id: DocumentId) -> Result<ReadingNotice, StoreError> {
        let mut tx = self.db.read().await?;
        let round = sources(&mut tx, Some(&[id.0]))
            .await?
            .into_iter()
            .next()
            .and_then(|s| s.round);
        let reading = reading_notice(&mut tx, id, round).await?;
        tx.commit().await?;
        reading.ok_or(StoreError::NotFound(id))
    }

    /// Tasks per status over every listed document (审定 where given, else the
    /// reading), with those behind 序时进度.
    pub async fn reading_counts(&self) -> Result<ReadingCounts, StoreError> {
        let mut tx = self.db.read().await?;
        let (readings, from_rounds) = task_readings(&mut tx, &self.readings, None).await?;
        tx.commit().await?;
        let mut counts = ReadingCounts {
            from_rounds,
            ..ReadingCounts::default()
        };
        for r in readings.values() {
            counts.add(r.status);
            counts.behind_pace += usize::from(r.behind_pace);
            counts.decided += usize::from(r.decided);
        }
        Ok(counts)
    }
}
