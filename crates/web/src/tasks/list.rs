//! The task list: its filter (from the query string), one page of rows read by the
//! store in one transaction, the choices of the filter form, and the list's JSON kept
//! per cached store page.

use std::collections::HashMap;
use std::sync::Arc;

use duban_domain::analysis::Status;
use duban_domain::{ReportState, SourceKind, TaskState};
use duban_store::{
    DocumentId, DocumentSummary, ReadingFilter, ReportId, RoundId, RoundSummary, SourceId,
    SourceSummary, TaskPage, TaskPageQuery, TaskPageReport, TaskPageRow, User,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{READERS, require};
use crate::error::AppError;

pub const PER_PAGE: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub struct TaskFilter {
    #[serde(default, deserialize_with = "blank_as_none")]
    pub document: Option<i64>,
    pub unit: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    pub round: Option<i64>,
    /// 任务来源: tasks of documents decomposed from (or linked to) this source.
    #[serde(default, deserialize_with = "blank_as_none")]
    pub source: Option<i64>,
    /// A source kind code (会议讲话 `speech`, 领导批示 `instruction` …).
    pub source_kind: Option<String>,
    /// A report state code: only tasks with a report in that state (in the round shown).
    pub state: Option<String>,
    /// A task state code (办理中 / 申请办结 / 已办结).
    pub status: Option<String>,
    /// A status code of the reading (审定 where given, else the system's: `done` …
    /// `unknown`), or `behind_pace` (欠序时).
    pub reading: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    pub page: Option<usize>,
}

/// A number from a query string where an empty field (`document=` from a form's
/// "全部" option) means no filter.
pub(crate) fn blank_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = Option::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|e| serde::de::Error::custom(format!("“{text}”不是有效的数字：{e}"))),
    }
}

impl TaskFilter {
    /// Empty form fields arrive as `""`: they mean "no filter".
    pub fn normalised(mut self) -> Self {
        self.unit = self.unit.filter(|u| !u.trim().is_empty());
        self.state = self.state.filter(|s| !s.trim().is_empty());
        self.status = self.status.filter(|s| !s.trim().is_empty());
        self.source_kind = self.source_kind.filter(|s| !s.trim().is_empty());
        self.reading = self.reading.filter(|s| !s.trim().is_empty());
        self
    }
}

/// `behind_pace` (欠序时) or a status code, as the dashboard links to the task list.
pub(crate) const BEHIND_PACE: &str = "behind_pace";

fn reading_filter(code: &str) -> Result<ReadingFilter, AppError> {
    if code == BEHIND_PACE {
        return Ok(ReadingFilter::BehindPace);
    }
    Status::from_code(code)
        .map(ReadingFilter::Status)
        .ok_or_else(|| AppError::BadRequest(format!("未知的落实情况判断“{code}”")))
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportCell {
    pub id: ReportId,
    pub unit: String,
    pub state: ReportState,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub number: u32,
    pub content: String,
    pub lead_units: Vec<String>,
    pub cooperating_units: Vec<String>,
    pub status: TaskState,
    /// Reports in the round shown.
    pub reports: Vec<ReportCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskList {
    /// Serialised as a list of [`TaskRow`].
    pub rows: TaskRows,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub round: Option<RoundSummary>,
    pub filter: TaskFilter,
}

/// The rows of a task page, shared with the store's page cache: they serialise as a list
/// of [`TaskRow`] straight from it, without copying 50 rows' text per request.
#[derive(Debug, Clone)]
pub struct TaskRows(Arc<TaskPage>);

impl TaskRows {
    /// The rows as owned values.
    pub fn to_vec(&self) -> Vec<TaskRow> {
        self.0.rows.iter().map(task_row).collect()
    }

    pub fn len(&self) -> usize {
        self.0.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.rows.is_empty()
    }
}

impl Serialize for TaskRows {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// [`TaskRow`]'s fields, in its order, borrowed.
        #[derive(Serialize)]
        struct Row<'a> {
            document: DocumentId,
            doc_number: &'a Option<String>,
            number: u32,
            content: &'a str,
            lead_units: &'a [String],
            cooperating_units: &'a [String],
            status: TaskState,
            reports: Reports<'a>,
        }
        struct Reports<'a>(&'a [TaskPageReport]);
        /// [`ReportCell`]'s fields, in its order, borrowed.
        #[derive(Serialize)]
        struct Cell<'a> {
            id: ReportId,
            unit: &'a str,
            state: ReportState,
        }
        impl Serialize for Reports<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|r| Cell {
                    id: r.id,
                    unit: &r.unit,
                    state: r.state,
                }))
            }
        }
        serializer.collect_seq(self.0.rows.iter().map(|row| Row {
            document: row.task.document,
            doc_number: &row.task.doc_number,
            number: row.task.number,
            content: &row.task.content,
            lead_units: &row.task.lead_units,
            cooperating_units: &row.task.cooperating_units,
            status: row.state,
            reports: Reports(&row.reports),
        }))
    }
}

/// The JSON of task lists, kept per store page: the store hands out the same
/// `Arc<TaskPage>` until something the page shows changes, so the same page and filter
/// give the same bytes. Each entry holds its page, so an address is never reused while
/// it is a key. Bounded: when full, the entries of pages the store dropped go first,
/// then all.
#[derive(Debug, Clone, Default)]
pub struct TaskJsonCache(Arc<std::sync::Mutex<TaskJsonEntries>>);

type TaskJsonEntries = HashMap<(usize, TaskFilter), (Arc<TaskPage>, axum::body::Bytes)>;

/// As many as the store keeps pages (`duban_store::Store::task_page`).
const TASK_JSON_ENTRIES: usize = 2048;

impl TaskJsonCache {
    pub fn serialised(&self, list: &TaskList) -> Result<axum::body::Bytes, AppError> {
        let page = &list.rows.0;
        let key = (Arc::as_ptr(page) as usize, list.filter.clone());
        if let Some((_, body)) = self.entries().get(&key) {
            return Ok(body.clone());
        }
        let body = axum::body::Bytes::from(serde_json::to_vec(list)?);
        let mut entries = self.entries();
        if entries.len() >= TASK_JSON_ENTRIES {
            // First the pages the store no longer keeps (this cache holds their last
            // reference): they are never handed out again.
            entries.retain(|_, (page, _)| Arc::strong_count(page) > 1);
            if entries.len() >= TASK_JSON_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (Arc::clone(page), body.clone()));
        Ok(body)
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, TaskJsonEntries> {
        // A panic while holding the lock cannot leave an entry half-written.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The choices the task page's filter form offers (the API does not need them).
#[derive(Debug, Clone, Serialize)]
pub struct FilterOptions {
    pub documents: Vec<DocumentSummary>,
    pub units: Vec<String>,
    pub rounds: Vec<RoundSummary>,
    pub sources: Vec<SourceSummary>,
    /// (code, label) of every source kind.
    pub source_kinds: Vec<(&'static str, &'static str)>,
    /// The current filter as a query string, for paging links.
    pub query: String,
}

pub async fn filter_options(
    state: &AppState,
    filter: &TaskFilter,
) -> Result<FilterOptions, AppError> {
    Ok(FilterOptions {
        documents: state.store.list_documents().await?,
        units: state
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect(),
        rounds: state.store.rounds(None).await?,
        sources: state.store.sources(None).await?,
        source_kinds: SourceKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        query: query_string(filter),
    })
}

pub async fn task_list(
    state: &AppState,
    user: &User,
    filter: TaskFilter,
) -> Result<TaskList, AppError> {
    require(user, READERS)?;
    let filter = filter.normalised();
    let report_state = match &filter.state {
        Some(code) => Some(
            ReportState::from_code(code)
                .ok_or_else(|| AppError::BadRequest(format!("未知的填报状态“{code}”")))?,
        ),
        None => None,
    };
    let task_state = match &filter.status {
        Some(code) => Some(
            TaskState::from_code(code)
                .ok_or_else(|| AppError::BadRequest(format!("未知的办理状态“{code}”")))?,
        ),
        None => None,
    };
    let source_kind = match &filter.source_kind {
        Some(code) => Some(
            SourceKind::from_code(code)
                .ok_or_else(|| AppError::BadRequest(format!("未知的来源类别“{code}”")))?,
        ),
        None => None,
    };
    let reading = filter.reading.as_deref().map(reading_filter).transpose()?;
    // One page, selected, counted and read in SQL in one transaction (and cached by
    // the store until something it shows changes).
    let query = TaskPageQuery {
        document: filter.document.map(DocumentId),
        unit: filter.unit.clone(),
        round: filter.round.map(RoundId),
        report_state,
        task_state,
        source: filter.source.map(SourceId),
        source_kind,
        reading,
        page: filter.page.unwrap_or(1),
        per_page: PER_PAGE,
    };
    let page = match state.store.task_page(&query).await {
        Ok(page) => page,
        Err(duban_store::StoreError::RoundNotFound(_)) => {
            return Err(AppError::NotFound("该填报轮次"));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(TaskList {
        total: page.total,
        page: page.page,
        pages: page.pages,
        round: page.round.clone(),
        rows: TaskRows(page),
        filter,
    })
}

fn task_row(row: &TaskPageRow) -> TaskRow {
    let task = &row.task;
    TaskRow {
        document: task.document,
        doc_number: task.doc_number.clone(),
        number: task.number,
        content: task.content.clone(),
        lead_units: task.lead_units.clone(),
        cooperating_units: task.cooperating_units.clone(),
        status: row.state,
        reports: row
            .reports
            .iter()
            .map(|r| ReportCell {
                id: r.id,
                unit: r.unit.clone(),
                state: r.state,
            })
            .collect(),
    }
}

/// The filter as a query string, without the page, for paging links.
fn query_string(filter: &TaskFilter) -> String {
    let number = |n: Option<i64>| n.map(|n| n.to_string());
    let pairs = [
        ("document", number(filter.document)),
        ("unit", filter.unit.clone()),
        ("round", number(filter.round)),
        ("source", number(filter.source)),
        ("source_kind", filter.source_kind.clone()),
        ("state", filter.state.clone()),
        ("status", filter.status.clone()),
        ("reading", filter.reading.clone()),
    ];
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            pairs
                .iter()
                .filter_map(|(name, value)| Some((name, value.as_deref()?))),
        )
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paging_query_reads_back_as_the_same_filter() {
        let filter = TaskFilter {
            document: Some(1),
            unit: Some("区住建局 & 区发改局".into()),
            source_kind: Some("speech".into()),
            state: Some("not_started".into()),
            reading: Some(BEHIND_PACE.into()),
            page: Some(3),
            ..TaskFilter::default()
        };
        let query = query_string(&filter);
        assert!(!query.contains("page="), "{query}");
        let uri: axum::http::Uri = format!("/tasks?{query}").parse().unwrap();
        let axum::extract::Query(back) =
            axum::extract::Query::<TaskFilter>::try_from_uri(&uri).unwrap();
        assert_eq!(
            back,
            TaskFilter {
                page: None,
                ..filter
            }
        );
        assert_eq!(query_string(&TaskFilter::default()), "");
    }
}
