//! The 督办单 of one task as DOCX or PDF: the task as the notice states it, its units,
//! its 办理时限, the warning it has today, and the office's 督办要求 (typed on the task
//! page, or the default) with the date to reply by.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use duban_domain::sheet::SupervisionSheet;
use duban_render::OutputFormat;
use duban_store::DocumentId;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentUser, READERS, require};
use crate::download::content_disposition;
use crate::error::AppError;

#[derive(Debug, Default, Deserialize)]
pub struct SheetQuery {
    /// 督办要求; empty: the default.
    pub requirement: Option<String>,
    /// 反馈时限 (YYYY-MM-DD); empty: none.
    pub reply_by: Option<String>,
}

/// The 督办单 of task `number` of `document` as of today.
pub async fn supervision_sheet(
    state: &AppState,
    user: &duban_store::User,
    document: i64,
    number: u32,
    query: &SheetQuery,
) -> Result<SupervisionSheet, AppError> {
    require(user, READERS)?;
    let document = DocumentId(document);
    let notice = state.store.load_notice(document).await?;
    let task = notice
        .tasks
        .iter()
        .find(|t| t.number.0 == number)
        .ok_or(AppError::NotFound("任务"))?;
    let reply_by = match query
        .reply_by
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest(format!("反馈时限“{text}”不是有效日期，应写作 2020-12-10"))
        })?),
        None => None,
    };
    let office = state
        .store
        .notice_setup()
        .await?
        .map(|s| s.settings.office)
        .unwrap_or_else(|| "督查室".to_string());
    let judged = super::judged(state).await?;
    let facts = judged.facts_of(document, number);
    let light = facts.and_then(|f| super::task_light(&judged.rules, f, judged.today));
    let due = facts.and_then(|f| f.facts.due);
    let units = |list: &[duban_domain::UnitAssignment]| -> Vec<String> {
        list.iter().map(|a| a.unit.clone()).collect()
    };
    let reference = match &notice.document.doc_number {
        Some(n) => format!("{n} 第{number}项"),
        None => format!("第{number}项"),
    };
    Ok(SupervisionSheet {
        reference,
        item: task.content.plain_text(),
        source: notice
            .document
            .title
            .clone()
            .map(|t| match &notice.document.doc_number {
                Some(n) => format!("《{t}》（{n}）"),
                None => format!("《{t}》"),
            }),
        units: SupervisionSheet::units_text(
            &units(&task.lead_units),
            &units(&task.cooperating_units),
        ),
        deadline: SupervisionSheet::deadline_text(task.deadline.as_deref(), due),
        warning: light
            .filter(|l| l.light > 0)
            .map(|l| format!("{}：{}", l.light_name, l.reasons.join("；"))),
        requirement: SupervisionSheet::requirement(
            query.requirement.as_deref(),
            &office,
            reply_by,
        )?,
        reply_by,
        date: super::today(),
        office,
    })
}

/// `GET /documents/{document}/tasks/{number}/sheet/{format}` (docx or pdf).
pub async fn download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number, format)): Path<(i64, u32, String)>,
    Query(query): Query<SheetQuery>,
) -> Result<Response, AppError> {
    let format = OutputFormat::from_name(&format)
        .filter(|f| matches!(f, OutputFormat::Docx | OutputFormat::Pdf))
        .ok_or_else(|| {
            AppError::BadRequest(format!("督办单可生成 docx 或 pdf，不支持“{format}”"))
        })?;
    let sheet = supervision_sheet(&state, &user, document, number, &query).await?;
    let filename = format!("{}.{}", sheet.file_stem(), format.name());
    let bytes = tokio::task::spawn_blocking(move || {
        duban_render::render_sheet(&sheet, format, &duban_render::RenderOptions::default())
    })
    .await
    .map_err(|e| AppError::BadRequest(format!("生成督办单失败：{e}")))?
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, format.mime_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(&filename, "sheet"),
            ),
        ],
        bytes,
    )
        .into_response())
}
