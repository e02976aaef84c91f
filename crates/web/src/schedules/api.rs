//! Schedules as JSON.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use duban_store::TickOutcome;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

use super::{CreateSchedule, ScheduleView};

pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<ScheduleView>>, ApiError> {
    Ok(Json(super::list(&state, &user).await?))
}

pub async fn get(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    Ok(Json(super::get(&state, &user, id).await?))
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(form): Json<CreateSchedule>,
) -> Result<impl IntoResponse, ApiError> {
    let id = super::create(&state, &user, form).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::get(&state, &user, id.0).await?),
    ))
}

pub async fn pause(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    super::set_paused(&state, &user, id, true).await?;
    Ok(Json(super::get(&state, &user, id).await?))
}

pub async fn resume(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    super::set_paused(&state, &user, id, false).await?;
    Ok(Json(super::get(&state, &user, id).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    super::delete(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn run(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<TickOutcome>, ApiError> {
    Ok(Json(super::run(&state, &user).await?))
}
