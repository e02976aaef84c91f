//! What each page shows, computed once for both the HTML page and its JSON twin, with
//! the authorisation that decides who may see it.

use chrono::{NaiveDate, Utc};
use duban_domain::analysis::{Evidence, ReviewedStatus, Status, TaskAnalysis, analyse_task};
use duban_domain::limits;
use duban_domain::{ReportState, RichText, SourceKind, TaskAction, TaskState};
use duban_formats::interchange::{TaskJson, to_json};
use duban_store::{
    Assignment, AssignmentFilter, DocumentId, DocumentSummary, ReadingFilter, ReadingRound,
    ReportFilter, ReportId, ReportSummary, RoundId, RoundSummary, SourceId, SourceSummary,
    TaskPage, TaskPageQuery, TaskPageReport, TaskPageRow, TaskStatus, User,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
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
fn blank_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
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
/// it is a key. Bounded: cleared when full (a new store generation makes every entry
/// stale at once anyway).
#[derive(Debug, Clone, Default)]
pub struct TaskJsonCache(Arc<std::sync::Mutex<TaskJsonEntries>>);

type TaskJsonEntries = HashMap<(usize, TaskFilter), (Arc<TaskPage>, axum::body::Bytes)>;

const TASK_JSON_ENTRIES: usize = 512;

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
            entries.clear();
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

fn query_string(filter: &TaskFilter) -> String {
    let mut parts = Vec::new();
    if let Some(d) = filter.document {
        parts.push(format!("document={d}"));
    }
    if let Some(u) = &filter.unit {
        parts.push(format!("unit={}", percent_encode(u)));
    }
    if let Some(r) = filter.round {
        parts.push(format!("round={r}"));
    }
    if let Some(s) = filter.source {
        parts.push(format!("source={s}"));
    }
    if let Some(k) = &filter.source_kind {
        parts.push(format!("source_kind={}", percent_encode(k)));
    }
    if let Some(s) = &filter.state {
        parts.push(format!("state={}", percent_encode(s)));
    }
    if let Some(s) = &filter.status {
        parts.push(format!("status={}", percent_encode(s)));
    }
    if let Some(r) = &filter.reading {
        parts.push(format!("reading={}", percent_encode(r)));
    }
    parts.join("&")
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub title: Option<String>,
    pub task: TaskJson,
    /// Reports on this task across rounds (for unit roles: their unit's only).
    pub reports: Vec<ReportSummary>,
    /// 办理状态 and its history.
    pub status: TaskStatus,
    /// 交办 and 签收 per lead unit.
    pub assignments: Vec<Assignment>,
    /// Steps on the task this user may take now (buttons).
    pub actions: Vec<TaskAction>,
    /// Whether this user's unit still has to acknowledge the task.
    pub can_acknowledge: bool,
    /// The system's reading of the progress text, with the office's decision (office
    /// and leaders only: units do not see how their text was judged before review).
    pub reading: Option<TaskReading>,
    /// Whether this user may set the status (the office).
    pub can_decide: bool,
}

/// The analysis of one task's progress text, as the task page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskReading {
    pub analysis: TaskAnalysis,
    pub reviewed: ReviewedStatus,
    /// The progress text as HTML with the deciding phrases marked.
    pub highlighted: String,
    /// The closed round whose reports were read (as on the dashboard and the analysis
    /// page); `None`: the notice's own progress.
    pub round: Option<ReadingRound>,
}

pub async fn task_detail(
    state: &AppState,
    user: &User,
    document: i64,
    number: u32,
) -> Result<TaskDetail, AppError> {
    let id = DocumentId(document);
    let notice = match state.store.load_notice(id).await {
        Ok(n) => n,
        Err(duban_store::StoreError::NotFound(_)) => return Err(AppError::NotFound("该文件")),
        Err(e) => return Err(e.into()),
    };
    let json = to_json(&notice);
    let task = json
        .tasks
        .into_iter()
        .find(|t| t.number == number)
        .ok_or(AppError::NotFound("该任务"))?;
    let unit_filter = if user.role.needs_unit() {
        // A unit sees the tasks it leads or co-operates on, nothing else.
        let unit = user.unit.clone().ok_or(AppError::Forbidden)?;
        let involved = task.lead_units.contains(&unit)
            || task.cooperating_units.contains(&unit)
            || task.subitems.iter().any(|s| s.lead_units.contains(&unit));
        if !involved {
            return Err(AppError::NotFound("该任务"));
        }
        Some(unit)
    } else {
        None
    };
    let mut reports = state
        .store
        .reports(&ReportFilter {
            document: Some(id),
            task: Some(number),
            unit: unit_filter.clone(),
            ..ReportFilter::default()
        })
        .await?;
    crate::reports::redact_summaries(user, &mut reports);
    let status = state.store.task_status(id, number).await?;
    let assignments: Vec<Assignment> = state
        .store
        .assignments(&AssignmentFilter {
            document: Some(id),
            unit: unit_filter,
            pending_only: false,
        })
        .await?
        .into_iter()
        .filter(|a| a.task == number)
        .collect();
    let leads = user.unit.as_ref().is_some_and(|u| {
        task.lead_units.contains(u) || task.subitems.iter().any(|s| s.lead_units.contains(u))
    });
    let actions = TaskAction::ALL
        .into_iter()
        .filter(|a| {
            duban_domain::next_task_state(status.state, *a, user.role, leads, Some("-")).is_ok()
        })
        .collect();
    let reading = if READERS.contains(&user.role) {
        let overrides = state.store.status_overrides(id).await?;
        // What the dashboard and the analysis page read: the latest closed round, else
        // the notice's progress.
        let read = state.store.reading_notice(id).await?;
        let source = read
            .notice
            .tasks
            .iter()
            .find(|t| t.number.0 == number)
            .ok_or(AppError::NotFound("该任务"))?;
        let analysis = analyse_task(source, &read.context(None));
        // A round's reading counts only the 审定 made since the round opened.
        let decision = overrides
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, o)| o)
            .filter(|o| read.in_force(number, o.at));
        let reviewed = analysis.reviewed(decision);
        // Mark what decided the task, its sub-items and each unit's part.
        let evidence: Vec<Evidence> = analysis
            .evidence
            .iter()
            .chain(analysis.subitems.iter().flat_map(|s| &s.evidence))
            .chain(analysis.unit_parts.iter().flat_map(|p| &p.evidence))
            .cloned()
            .collect();
        let text = source
            .progress
            .as_ref()
            .map(RichText::plain_text)
            .unwrap_or_default();
        let highlighted = crate::html::highlight(&text, &evidence);
        Some(TaskReading {
            analysis,
            reviewed,
            highlighted,
            round: read.round,
        })
    } else {
        None
    };
    let can_acknowledge = user.role.needs_unit()
        && assignments
            .iter()
            .any(|a| Some(&a.unit) == user.unit.as_ref() && a.acknowledged_at.is_none());
    Ok(TaskDetail {
        document: id,
        doc_number: json.document.doc_number,
        title: json.document.title,
        task,
        reports,
        status,
        assignments,
        actions,
        can_acknowledge,
        reading,
        can_decide: user.role.is_office(),
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct AssignForm {
    pub ack_due: NaiveDate,
}

/// 交办: every task of the document to its lead units, to acknowledge by `ack_due`.
pub async fn assign_document(
    state: &AppState,
    user: &User,
    document: i64,
    form: AssignForm,
) -> Result<u64, AppError> {
    require(user, OFFICE)?;
    Ok(state
        .store
        .assign_document(DocumentId(document), form.ack_due, user.id, Utc::now())
        .await?)
}

/// 签收 by the user's unit.
pub async fn acknowledge(
    state: &AppState,
    user: &User,
    document: i64,
    number: u32,
) -> Result<Assignment, AppError> {
    // Seeing the task comes first: a task of another unit stays "not found".
    task_detail(state, user, document, number).await?;
    Ok(state
        .store
        .acknowledge(DocumentId(document), number, user, Utc::now())
        .await?)
}

#[derive(Debug, Clone, Deserialize)]
pub struct TaskActionForm {
    pub action: String,
    #[serde(default)]
    pub comment: Option<String>,
}

pub async fn act_on_task(
    state: &AppState,
    user: &User,
    document: i64,
    number: u32,
    form: TaskActionForm,
) -> Result<TaskState, AppError> {
    task_detail(state, user, document, number).await?;
    let action = TaskAction::from_code(form.action.trim())
        .ok_or_else(|| AppError::BadRequest(format!("未知的操作“{}”", form.action)))?;
    let comment = form
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(comment) = comment {
        limits::COMMENT.check(comment)?;
    }
    Ok(state
        .store
        .act_on_task(
            DocumentId(document),
            number,
            user,
            action,
            comment,
            Utc::now(),
        )
        .await?)
}

/// A unit's assignments; the office and leaders see all.
pub async fn list_assignments(
    state: &AppState,
    user: &User,
    mut filter: AssignmentFilter,
) -> Result<Vec<Assignment>, AppError> {
    if user.role.needs_unit() {
        filter.unit = Some(user.unit.clone().ok_or(AppError::Forbidden)?);
    } else {
        require(user, READERS)?;
    }
    Ok(state.store.assignments(&filter).await?)
}
