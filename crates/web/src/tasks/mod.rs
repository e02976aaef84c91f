//! Tasks: the list with its filters, a task's page (its reports, 办理状态, 交办 and
//! 签收, and for the office and leaders the reading of its progress text), and the
//! steps on a task (签收, 申请办结 …). A unit's accounts see only the tasks their unit
//! leads or co-operates on; any other is "not found".

mod api;
mod list;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use duban_domain::analysis::{Evidence, ReviewedStatus, TaskAnalysis, analyse_task};
use duban_domain::{RichText, TaskAction, TaskState, limits};
use duban_formats::interchange::{TaskJson, to_json};
use duban_store::{
    Assignment, AssignmentFilter, DocumentId, ReadingRound, ReportFilter, ReportSummary,
    TaskStatus, User,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;

pub use list::TaskJsonCache;
pub(crate) use list::{BEHIND_PACE, blank_as_none};
pub(crate) use pages::{Typed, task_page};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(pages::tasks))
        .route("/documents/{document}/tasks/{number}", get(pages::task))
        .route(
            "/documents/{document}/tasks/{number}/acknowledge",
            post(pages::acknowledge),
        )
        .route(
            "/documents/{document}/tasks/{number}/actions",
            post(pages::task_action),
        )
        .route("/assign", post(pages::assign))
        .route("/my/acknowledge", post(pages::acknowledge_all))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/documents", get(api::documents))
        .route("/tasks", get(api::tasks))
        .route("/documents/{document}/tasks/{number}", get(api::task))
        .route(
            "/documents/{document}/tasks/{number}/acknowledge",
            post(api::acknowledge),
        )
        .route(
            "/documents/{document}/tasks/{number}/actions",
            post(api::task_action),
        )
        .route("/documents/{document}/assign", post(api::assign))
        .route("/assignments", get(api::assignments))
        .route("/assignments/acknowledge", post(api::acknowledge_all))
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
    /// The task's current 落实情况: each unit's latest accepted report (of the reports
    /// this user sees), units in the order they first reported.
    pub current: Vec<CurrentProgress>,
    /// 领导批示 on the task, oldest first.
    pub instructions: Vec<duban_store::InstructionRecord>,
    /// Whether the task is under 领导督办 now.
    pub supervised: bool,
    /// Whether this user may record a 批示 (a leader, or the office for one).
    pub can_instruct: bool,
}

/// One unit's latest accepted report on a task, with the round it came from.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentProgress {
    pub unit: String,
    pub round_label: String,
    pub due: chrono::NaiveDate,
    pub report: duban_store::ReportId,
    pub text: String,
}

/// Each unit's latest accepted report among `reports`, with its text.
async fn current_progress(
    state: &AppState,
    reports: &[ReportSummary],
) -> Result<Vec<CurrentProgress>, AppError> {
    let mut latest: Vec<&ReportSummary> = Vec::new();
    for r in reports
        .iter()
        .filter(|r| r.state == duban_domain::ReportState::Accepted)
    {
        match latest.iter_mut().find(|l| l.unit == r.unit) {
            Some(l) if l.round.0 < r.round.0 => *l = r,
            Some(_) => {}
            None => latest.push(r),
        }
    }
    let mut current = Vec::with_capacity(latest.len());
    for r in latest {
        let mut texts = state.store.report_texts(r.round).await?;
        current.push(CurrentProgress {
            unit: r.unit.clone(),
            round_label: r.round_label.clone(),
            due: r.due,
            report: r.id,
            text: texts.remove(&r.id).unwrap_or_default(),
        });
    }
    Ok(current)
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
    // The three administrators see none of the work (三员分立, least privilege).
    if user.role.is_administrator() {
        return Err(AppError::Forbidden);
    }
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
    let current = current_progress(state, &reports).await?;
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
    let instructions = state.store.task_instructions(id, number).await?;
    let supervised = duban_domain::instruction::under_supervision(
        instructions
            .iter()
            .filter(|i| i.supervise)
            .map(|i| i.recorded_at),
        status
            .events
            .iter()
            .rfind(|e| e.to == TaskState::Closed)
            .map(|e| e.at)
            .filter(|_| status.state == TaskState::Closed),
    );
    let can_instruct = duban_domain::instruction::check_author(user.role).is_ok();
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
        current,
        instructions,
        supervised,
        can_instruct,
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

/// 全部签收: every task still waiting for the user's unit to acknowledge, each recorded
/// as its own 签收. Returns those acknowledged now (one acknowledged meanwhile by a
/// colleague is left out, not an error).
pub async fn acknowledge_all(state: &AppState, user: &User) -> Result<Vec<Assignment>, AppError> {
    if !user.role.needs_unit() {
        return Err(AppError::Forbidden);
    }
    let pending = list_assignments(
        state,
        user,
        AssignmentFilter {
            pending_only: true,
            ..AssignmentFilter::default()
        },
    )
    .await?;
    let mut done = Vec::with_capacity(pending.len());
    for a in pending {
        match state
            .store
            .acknowledge(a.document, a.task, user, Utc::now())
            .await
        {
            Ok(acknowledged) => done.push(acknowledged),
            Err(duban_store::StoreError::AlreadyAcknowledged { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(done)
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
