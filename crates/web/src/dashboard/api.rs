//! The dashboard, analysis and lapses as JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

pub async fn dashboard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<super::DashboardQuery>,
) -> Result<Json<super::Dashboard>, ApiError> {
    Ok(Json(super::dashboard(&state, &user, query).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct AnalysisQuery {
    /// Judge pace and deadlines at this date (YYYY-MM-DD); default the notice's date.
    pub as_of: Option<chrono::NaiveDate>,
}

pub async fn analysis(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    Query(q): Query<AnalysisQuery>,
) -> Result<Json<super::NoticeReading>, ApiError> {
    Ok(Json(
        super::notice_reading(&state, &user, document, q.as_of).await?,
    ))
}

pub async fn decide_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Json(form): Json<super::DecideForm>,
) -> Result<Json<duban_domain::analysis::StatusOverride>, ApiError> {
    Ok(Json(
        super::decide_status(&state, &user, document, number, form).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct LapseQuery {
    pub document: Option<i64>,
}

pub async fn lapses(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<LapseQuery>,
) -> Result<Json<Vec<duban_store::Lapse>>, ApiError> {
    Ok(Json(super::lapses(&state, &user, q.document).await?))
}
