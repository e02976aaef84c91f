//! Reporting rounds (填报轮次): the office opens one for a document's tasks, units
//! report in it, the office closes it. Who has not reported yet is computed here.

mod api;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use duban_domain::limits;
use duban_domain::selection::TaskSelection;
use duban_store::{DocumentId, NewRound, ReportFilter, ReportSummary, RoundId, RoundSummary, User};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/rounds", get(pages::rounds).post(pages::open_round))
        .route("/rounds/{id}", get(pages::round))
        .route("/rounds/{id}/close", post(pages::close_round))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/rounds", get(api::rounds).post(api::open_round))
        .route("/rounds/{id}", get(api::round))
        .route("/rounds/{id}/close", post(api::close_round))
}

#[derive(Debug, Clone, Serialize)]
pub struct UnreportedUnit {
    pub unit: String,
    pub tasks: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundDetail {
    pub round: RoundSummary,
    pub reports: Vec<ReportSummary>,
    /// Units with at least one report not yet submitted (or sent back), with those tasks.
    pub not_reported: Vec<UnreportedUnit>,
}

pub async fn round_detail(state: &AppState, user: &User, id: i64) -> Result<RoundDetail, AppError> {
    require(user, READERS)?;
    let round = state
        .store
        .round(RoundId(id))
        .await?
        .ok_or(AppError::NotFound("该填报轮次"))?;
    let mut reports = state
        .store
        .reports(&ReportFilter {
            round: Some(round.id),
            ..ReportFilter::default()
        })
        .await?;
    crate::reports::redact_summaries(user, &mut reports);
    let mut not_reported: Vec<UnreportedUnit> = Vec::new();
    for r in reports.iter().filter(|r| !r.state.is_reported()) {
        match not_reported.iter_mut().find(|u| u.unit == r.unit) {
            Some(u) => u.tasks.push(r.task),
            None => not_reported.push(UnreportedUnit {
                unit: r.unit.clone(),
                tasks: vec![r.task],
            }),
        }
    }
    Ok(RoundDetail {
        round,
        reports,
        not_reported,
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct OpenRound {
    pub document: i64,
    pub label: String,
    pub due: NaiveDate,
    /// `1,2,5-8`; empty for every task.
    #[serde(default)]
    pub tasks: Option<String>,
}

pub async fn open_round(
    state: &AppState,
    user: &User,
    form: OpenRound,
) -> Result<RoundId, AppError> {
    require(user, OFFICE)?;
    let label = form.label.trim();
    if label.is_empty() {
        return Err(AppError::BadRequest("请填写填报期间，如“1-10月”".into()));
    }
    limits::ROUND_LABEL.check(label)?;
    let tasks = task_selection(state, form.document, form.tasks.as_deref()).await?;
    let round = NewRound {
        document: DocumentId(form.document),
        label: label.to_string(),
        due: form.due,
        tasks,
    };
    Ok(state.store.open_round(round, user.id, Utc::now()).await?)
}

/// The tasks a round or schedule of `document` covers, as the form gives them: blank
/// for every task (`None`), otherwise a list like `1,2,5-8`, read as ranges and checked
/// against the document's task count before it is expanded.
pub async fn task_selection(
    state: &AppState,
    document: i64,
    text: Option<&str>,
) -> Result<Option<Vec<u32>>, AppError> {
    let bad = |e: duban_domain::selection::SelectionError| AppError::BadRequest(e.to_string());
    let Some(selection) = TaskSelection::parse(text.unwrap_or_default()).map_err(bad)? else {
        return Ok(None);
    };
    let count = state
        .store
        .task_count(DocumentId(document))
        .await?
        .ok_or(AppError::NotFound("该文件"))?;
    selection.numbers_within(count).map(Some).map_err(bad)
}

pub async fn close_round(state: &AppState, user: &User, id: i64) -> Result<(), AppError> {
    require(user, OFFICE)?;
    state
        .store
        .round(RoundId(id))
        .await?
        .ok_or(AppError::NotFound("该填报轮次"))?;
    state.store.close_round(RoundId(id), Utc::now()).await?;
    Ok(())
}
