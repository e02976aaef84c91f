//! Reports as JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use duban_domain::ReportState;
use duban_store::{ReportFilter, ReportSummary, RoundId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};

use super::{BatchOutcome, ReportForm};

#[derive(Debug, Deserialize)]
pub struct BatchJson {
    pub ids: Vec<i64>,
    pub action: String,
}

pub async fn batch(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    axum::Json(body): axum::Json<BatchJson>,
) -> Result<Json<BatchOutcome>, ApiError> {
    Ok(Json(
        super::act_on_reports(&state, &user, &body.ids, &body.action).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    pub round: Option<i64>,
    pub document: Option<i64>,
    pub task: Option<u32>,
    pub unit: Option<String>,
    pub state: Option<String>,
    #[serde(default)]
    pub open: bool,
}

pub async fn reports(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Vec<ReportSummary>>, ApiError> {
    let report_state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(
            ReportState::from_code(code)
                .ok_or_else(|| AppError::BadRequest(format!("未知的填报状态“{code}”")))?,
        ),
        None => None,
    };
    let filter = ReportFilter {
        round: q.round.map(RoundId),
        document: q.document.map(duban_store::DocumentId),
        task: q.task,
        unit: q.unit.filter(|u| !u.is_empty()),
        state: report_state,
        open_rounds_only: q.open,
    };
    Ok(Json(super::list_reports(&state, &user, filter).await?))
}

pub async fn review_queue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<ReportSummary>>, ApiError> {
    Ok(Json(super::review_queue(&state, &user).await?))
}

pub async fn my_reports(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<ReportSummary>>, ApiError> {
    Ok(Json(super::my_reports(&state, &user).await?))
}

/// The report, with its version as the `ETag` (send it back as `If-Match` to save).
pub async fn report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let view = super::report_view(&state, &user, id).await?;
    let etag = format!("\"{}\"", view.detail.summary.version);
    Ok(([(header::ETAG, etag)], Json(view)))
}

/// A step on the report. `If-Match` (the `ETag` of the report as read) makes it
/// conditional: if the report changed since, the answer is 409 with the saved text.
pub async fn act_on_report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(mut form): Json<ReportForm>,
) -> Result<Json<Value>, ApiError> {
    if let Some(tag) = headers.get(header::IF_MATCH) {
        let tag = tag.to_str().map_err(|_| {
            AppError::BadRequest("If-Match 请求头无效，应为读取填报时得到的 ETag".into())
        })?;
        form.version = Some(tag.to_string());
    }
    let new_state = super::act_on_report(&state, &user, id, form).await?;
    Ok(Json(json!({ "id": id, "state": new_state })))
}
